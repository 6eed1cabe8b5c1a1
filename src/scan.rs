//! Finding image references in a Markdown document, with the byte ranges of their destinations.
//!
//! pulldown-cmark reports which constructs are images, but it reports the range of the whole
//! `![alt](dest "title")` and an already decoded `dest_url`; no API exposes where the destination
//! bytes are. So the scanner locates them itself: it scans one CommonMark link destination after
//! the alt text (or after the `]:` of a reference definition) and accepts the candidate only if
//! pulldown-cmark parses it back to the same `dest_url`. A destination that cannot be verified
//! is reported as [`Site::Unlocated`] and never rewritten, so a wrong guess can cost an embed but
//! never corrupt a document.
//!
//! Raw HTML (blocks and inline tags) goes to [`crate::html`], which finds `src` and `srcset`
//! values; their ranges are mapped back from the text pulldown-cmark reports to the source,
//! because inside block quotes and list items that text has the container prefixes removed.
//!
//! Front matter (`---` YAML or `+++` TOML at the very start) is found here rather than by
//! pulldown-cmark, whose metadata-block option also fires in the middle of a document. A UTF-8
//! byte order mark is skipped before parsing, because pulldown-cmark would treat it as text and
//! misread the first line.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};

use crate::html::{self, UrlAttr};

/// The syntax an image reference is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// `![alt](dest "title")`.
    MarkdownInline,
    /// `![alt][label]`, `![alt][]` or `![alt]` with a `[label]: dest` definition.
    MarkdownReference,
    /// `src` of an HTML `<img>` tag.
    HtmlSrc,
    /// One candidate of a `srcset` on `<img>` or `<source>`.
    HtmlSrcset,
    /// An Obsidian embed `![[name.png|300]]`.
    ObsidianEmbed,
}

impl Syntax {
    /// Returns a short lowercase name for messages and reports.
    pub fn name(self) -> &'static str {
        match self {
            Syntax::MarkdownInline => "markdown inline",
            Syntax::MarkdownReference => "markdown reference",
            Syntax::HtmlSrc => "html src",
            Syntax::HtmlSrcset => "html srcset",
            Syntax::ObsidianEmbed => "obsidian",
        }
    }
}

/// The place of a reference's destination in the source, and the form a new one takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Site {
    /// The destination is exactly these bytes (for `<dest>`, including the angle brackets).
    Destination(Range<usize>),
    /// A URL inside an unquoted HTML attribute value: replacing it must also put double quotes
    /// around `value`, because a data URI contains `=`, which an unquoted value cannot.
    UnquotedAttribute {
        /// The whole attribute value.
        value: Range<usize>,
        /// The URL inside it.
        url: Range<usize>,
    },
    /// The destination of the reference definition; every image using the label shares it.
    Definition(Range<usize>),
    /// A reference image whose definition ordinary links also use. Links to `data:` URIs do not
    /// open in browsers, so the definition stays and this image gets its own destination:
    /// `range` (the `[label]` or `[]` after the alt text, or an empty range after a shortcut
    /// `![alt]`) is replaced by `(<destination> <title>)`.
    OwnDestination {
        /// The bytes to replace.
        range: Range<usize>,
        /// The definition's title as it should be written after the destination, if any.
        title: Option<String>,
    },
    /// An Obsidian embed: the whole `![[...]]` construct, replaced by a Markdown image.
    Embed(Range<usize>),
    /// The destination bytes could not be located with certainty; never rewritten.
    Unlocated,
}

/// The parts of an Obsidian embed `![[target#anchor|size]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WikiEmbed {
    /// The file or note name, with any folders, taken literally (no percent-decoding).
    pub target: String,
    /// The text after `#`: a heading, `^block` id, or a display hint such as `icon`.
    pub anchor: Option<String>,
    /// The text after `|`: a width `300`, a size `300x200`, or an alias.
    pub size: Option<String>,
    /// Whether the embed sits in a table cell, where a pipe must be written `\|`.
    pub in_table: bool,
}

/// One image reference found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The syntax the reference is written in.
    pub syntax: Syntax,
    /// Byte offset of its first character: the `!` of `![`, or the `<` of an HTML tag.
    pub start: usize,
    /// The destination as a renderer reads it: backslash escapes, entities and `<...>` decoded,
    /// percent-encoding kept.
    pub dest: String,
    /// The alt text (plain text of a Markdown image's description, or the HTML `alt` value).
    pub alt: String,
    /// The place of the destination in the source.
    pub site: Site,
    /// For an Obsidian embed, its parts.
    pub embed: Option<WikiEmbed>,
    /// For an inline Markdown image, the bytes from the `]` that closes the alt text through the
    /// closing `)`: `](dest "title")`.
    pub tail: Option<Range<usize>>,
    /// For an image whose destination sits in a reference definition, the site that gives it
    /// its own destination instead ([`Site::OwnDestination`]), when it can be located.
    pub own: Option<Site>,
}

impl Reference {
    /// Returns the destination bytes as written in `source`, or the decoded destination when
    /// they could not be located.
    pub fn written<'a>(&'a self, source: &'a str) -> &'a str {
        match &self.site {
            Site::Destination(range) | Site::Definition(range) => &source[range.clone()],
            Site::UnquotedAttribute { url, .. } => &source[url.clone()],
            Site::Embed(range) => &source[range.clone()],
            Site::OwnDestination { .. } | Site::Unlocated => &self.dest,
        }
    }
}

/// The result of scanning one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Image references in source order.
    pub references: Vec<Reference>,
    /// The front matter block, if the document starts with one (after any byte order mark).
    pub front_matter: Option<Range<usize>>,
    /// Text that looks like an image but is not one under CommonMark.
    pub strays: Vec<Stray>,
    /// The labels of the document's link reference definitions, and of references to labels
    /// that nothing defines, as written.
    pub labels: Vec<String>,
    /// A fingerprint of how the document parses outside its images: see [`structure_of`].
    pub structure: u64,
    /// The bytes of destinations and titles that reference links and images copy from their
    /// definitions. pulldown-cmark stops resolving references once this passes the larger of
    /// [`EXPANSION_FLOOR`] and the document's length, and shows the rest as text.
    pub expansion: usize,
}

/// The smallest limit pulldown-cmark (0.13) sets on the bytes that reference links and images
/// may copy from definitions, against documents that expand to far more than their size.
pub const EXPANSION_FLOOR: usize = 100_000;

/// Tells whether a document of `len` bytes whose references copy `expansion` bytes from their
/// definitions has all of them resolved by pulldown-cmark.
pub fn expansion_fits(expansion: usize, len: usize) -> bool {
    expansion <= len.max(EXPANSION_FLOOR)
}

/// Text outside any image syntax that a reader probably meant as an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stray {
    /// Byte offset of its first character.
    pub start: usize,
    /// The kind of image it looks like.
    pub kind: StrayKind,
}

/// The kinds of [`Stray`] text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrayKind {
    /// `![alt](a b.png)`: a destination with a space is not a link destination, so renderers
    /// show this as text; `<a b.png>` would be an image.
    SpacedDestination {
        /// The text between the parentheses, without a title.
        dest: String,
    },
    /// `data:image/` in text, for example in an image whose alt text a blank line broke.
    DataUri,
}

/// Returns the pulldown-cmark options every mode of mdembed parses with.
///
/// Tables, footnotes, strikethrough and task lists are GitHub's dialect and change which images
/// exist (without footnotes, `[^1]: ![f](f.png)` is a link definition). Math stays off: with it
/// images inside `$...$` vanish, while most renderers without math show them.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

const BOM: &str = "\u{feff}";

/// The Markdown dialect a document is read in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanOptions {
    /// Read Obsidian syntax: `![[...]]` embeds, and `%%comments%%`, whose content is ignored.
    pub obsidian: bool,
}

/// Finds every image reference in `source`, read as CommonMark with GitHub's extensions.
pub fn scan(source: &str) -> Scan {
    scan_with(source, ScanOptions::default())
}

/// Finds every image reference in `source`, read in the dialect `options` selects.
pub fn scan_with(source: &str, options: ScanOptions) -> Scan {
    let bom_len = if source.starts_with(BOM) {
        BOM.len()
    } else {
        0
    };
    let front_matter = front_matter(&source[bom_len..]).map(|r| r.start + bom_len..r.end + bom_len);
    let body_start = front_matter.as_ref().map_or(bom_len, |r| r.end);
    let body = &source[body_start..];

    let (mut references, mut strays, labels, structure, expansion) = scan_body(body, options);
    for reference in &mut references {
        reference.shift(body_start);
    }
    for stray in &mut strays {
        stray.start += body_start;
    }
    Scan {
        references,
        front_matter,
        strays,
        labels,
        structure,
        expansion,
    }
}

impl Reference {
    fn shift(&mut self, by: usize) {
        self.start += by;
        let move_range = |r: &mut Range<usize>| *r = r.start + by..r.end + by;
        match &mut self.site {
            Site::Destination(r) | Site::Definition(r) => move_range(r),
            Site::UnquotedAttribute { value, url } => {
                move_range(value);
                move_range(url);
            }
            Site::OwnDestination { range, .. } | Site::Embed(range) => move_range(range),
            Site::Unlocated => {}
        }
        if let Some(tail) = &mut self.tail {
            move_range(tail);
        }
        if let Some(Site::OwnDestination { range, .. }) = &mut self.own {
            move_range(range);
        }
    }
}

/// Returns the range of a front matter block at the start of `text`, through the line ending of
/// its closing delimiter: `---` closed by `---` or `...` (YAML), or `+++` closed by `+++` (TOML).
pub fn front_matter(text: &str) -> Option<Range<usize>> {
    let mut lines = LineIter { text, pos: 0 };
    let (first, _) = lines.next()?;
    let opener = first.trim_end_matches([' ', '\t']);
    let closers: &[&str] = match opener {
        "---" => &["---", "..."],
        "+++" => &["+++"],
        _ => return None,
    };
    for (line, end) in lines {
        if closers.contains(&line.trim_end_matches([' ', '\t'])) {
            return Some(0..end);
        }
    }
    None
}

/// Iterates over lines as (content without line ending, offset after the line ending).
struct LineIter<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = (&'a str, usize);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.pos..];
        let (content_len, ending_len) = match rest.find(['\n', '\r']) {
            Some(i) if rest[i..].starts_with("\r\n") => (i, 2),
            Some(i) => (i, 1),
            None => (rest.len(), 0),
        };
        let line = &rest[..content_len];
        self.pos += content_len + ending_len;
        Some((line, self.pos))
    }
}

/// Scans a document body (no BOM, no front matter); offsets are relative to `body`.
/// The findings of [`scan_body`]: references, strays, labels, the structure fingerprint and the
/// reference expansion.
type BodyScan = (Vec<Reference>, Vec<Stray>, Vec<String>, u64, usize);

fn scan_body(body: &str, options: ScanOptions) -> BodyScan {
    let mut parser_options = parser_options();
    if options.obsidian {
        parser_options |= Options::ENABLE_WIKILINKS;
    }
    // References to labels that no definition has (`[fig]` in text, `[here][label]`) stay text
    // now but would become links if a definition with that label were added, so their labels
    // count as taken.
    let undefined = std::cell::RefCell::new(Vec::new());
    let record = |link: pulldown_cmark::BrokenLink<'_>| {
        undefined.borrow_mut().push(link.reference.to_string());
        None
    };
    let mut parser = Parser::new_with_broken_link_callback(body, parser_options, Some(record))
        .into_offset_iter();
    let events: Vec<(Event<'_>, Range<usize>)> = parser.by_ref().collect();
    let definitions = parser.reference_definitions();

    // Definitions that ordinary links use keep their destination.
    let mut linked_definitions: HashSet<usize> = HashSet::new();
    for (event, _) in &events {
        if let Event::Start(Tag::Link { link_type, id, .. }) = event
            && is_reference_type(*link_type)
            && let Some(def) = definitions.get(id)
        {
            linked_definitions.insert(def.span.start);
        }
    }

    let mut references = Vec::new();
    let mut table_cells = 0usize;
    let mut i = 0;
    while i < events.len() {
        match &events[i].0 {
            Event::Start(Tag::TableCell) => {
                table_cells += 1;
                i += 1;
            }
            Event::End(pulldown_cmark::TagEnd::TableCell) => {
                table_cells = table_cells.saturating_sub(1);
                i += 1;
            }
            Event::Start(Tag::Image {
                link_type: LinkType::WikiLink { .. },
                ..
            }) => {
                let end = matching_end(&events, i);
                references.push(wiki_embed_reference(
                    body,
                    events[i].1.clone(),
                    table_cells > 0,
                ));
                i = end + 1;
            }
            Event::Start(Tag::Image { .. }) => {
                let end = matching_end(&events, i);
                if let Some(reference) =
                    image_reference(body, &events[i..=end], definitions, &linked_definitions)
                {
                    references.push(reference);
                }
                // Images nested inside the alt text only contribute their own alt text to the
                // rendered alt attribute, so their destinations are never displayed.
                i = end + 1;
            }
            Event::Start(Tag::HtmlBlock) => {
                let end = matching_end(&events, i);
                let pieces: Vec<(&str, Range<usize>)> = events[i + 1..end]
                    .iter()
                    .filter_map(|(event, range)| match event {
                        Event::Html(text) => Some((text.as_ref(), range.clone())),
                        _ => None,
                    })
                    .collect();
                html_references(body, &pieces, &mut references);
                i = end + 1;
            }
            Event::InlineHtml(text) => {
                html_references(
                    body,
                    &[(text.as_ref(), events[i].1.clone())],
                    &mut references,
                );
                i += 1;
            }
            _ => i += 1,
        }
    }
    let mut strays = find_strays(body, &events);
    if options.obsidian {
        let comments = obsidian_comments(body, &events);
        let commented = |offset: usize| comments.iter().any(|c| c.contains(&offset));
        references.retain(|r| !commented(r.start));
        strays.retain(|s| !commented(s.start));
    }
    let mut labels: Vec<String> = definitions
        .iter()
        .map(|(label, _)| label.to_string())
        .collect();
    drop(parser);
    labels.extend(undefined.into_inner());
    let structure = structure_of(&events);
    let expansion = events
        .iter()
        .map(|(event, _)| match event {
            Event::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    ..
                },
            ) if is_reference_type(*link_type) => dest_url.len() + title.len(),
            _ => 0,
        })
        .sum();
    (references, strays, labels, structure, expansion)
}

/// Returns a fingerprint of the parse `events` describe, blind to what a rewrite of image
/// destinations may change. Each image is one token whatever its syntax, alt text and
/// destination, since an Obsidian embed becomes a Markdown image. Each run of raw HTML is one
/// token whatever its text, since a `src` value changes in it. Every other event counts, with
/// its text, its tag attributes, link destinations and labels. Adjacent text events count as
/// one, because where the parser splits text carries no meaning. Line endings at the very end
/// of the text are ignored: definitions appended to a document that ends inside a fenced code
/// block end the block with one more newline.
///
/// Two documents with the same fingerprint have the same blocks, the same links and the same
/// text outside images and HTML. A rewrite that changes it changed more than destinations.
pub fn structure_of(events: &[(Event<'_>, Range<usize>)]) -> u64 {
    use std::fmt::Write;
    use std::hash::{Hash, Hasher};

    /// Feeds formatted text to a hasher.
    struct HashWriter<'h>(&'h mut std::collections::hash_map::DefaultHasher);
    impl Write for HashWriter<'_> {
        fn write_str(&mut self, text: &str) -> std::fmt::Result {
            self.0.write(text.as_bytes());
            Ok(())
        }
    }

    #[derive(Hash)]
    enum Token<'a> {
        Text(&'a str),
        Image,
        Html,
        End(pulldown_cmark::TagEnd),
        Other,
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    // Past this index only End events follow.
    let content_end = events
        .iter()
        .rposition(|(event, _)| !matches!(event, Event::End(_)))
        .map_or(0, |i| i + 1);
    let mut text = String::new();
    let mut i = 0;
    while i < events.len() {
        let event = &events[i].0;
        if let Event::Text(piece) = event {
            text.push_str(piece);
            i += 1;
            continue;
        }
        if !text.is_empty() {
            let last = if i >= content_end {
                text.trim_end_matches(['\n', '\r'])
            } else {
                &text
            };
            Token::Text(last).hash(&mut hasher);
            text.clear();
        }
        match event {
            Event::Start(Tag::Image { .. }) => {
                Token::Image.hash(&mut hasher);
                i = matching_end(events, i) + 1;
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                Token::Html.hash(&mut hasher);
                while i < events.len()
                    && matches!(events[i].0, Event::Html(_) | Event::InlineHtml(_))
                {
                    i += 1;
                }
            }
            Event::End(end) => {
                Token::End(*end).hash(&mut hasher);
                i += 1;
            }
            other => {
                // Tags do not implement Hash, so their debug form is hashed, written straight
                // into the hasher without building a string.
                Token::Other.hash(&mut hasher);
                let _ = write!(HashWriter(&mut hasher), "{other:?}");
                i += 1;
            }
        }
    }
    if !text.is_empty() {
        Token::Text(text.trim_end_matches(['\n', '\r'])).hash(&mut hasher);
    }
    hasher.finish()
}

/// Builds the reference for an Obsidian embed from its source text: pulldown-cmark's
/// `dest_url` keeps the backslash of a table's `\|`, so the parts are read from the source.
fn wiki_embed_reference(body: &str, range: Range<usize>, in_table: bool) -> Reference {
    let inner = body
        .get(range.start + 3..range.end.saturating_sub(2))
        .unwrap_or_default();
    let (name, size) = match inner.find('|') {
        Some(pipe) => (
            inner[..pipe].strip_suffix('\\').unwrap_or(&inner[..pipe]),
            Some(inner[pipe + 1..].trim().to_string()),
        ),
        None => (inner, None),
    };
    let (target, anchor) = match name.find('#') {
        Some(hash) => (&name[..hash], Some(name[hash + 1..].to_string())),
        None => (name, None),
    };
    let target = target.trim().to_string();
    Reference {
        syntax: Syntax::ObsidianEmbed,
        start: range.start,
        dest: target.clone(),
        alt: String::new(),
        site: Site::Embed(range),
        embed: Some(WikiEmbed {
            target,
            anchor,
            size,
            in_table,
        }),
        tail: None,
        own: None,
    }
}

/// Returns the byte ranges of Obsidian `%%comments%%` in `body`, outside code. An unclosed `%%`
/// comments out the rest of the document, as in Obsidian.
fn obsidian_comments(body: &str, events: &[(Event<'_>, Range<usize>)]) -> Vec<Range<usize>> {
    // `%%` in code, and inside an image or link (as in `![l](%%/a.png)`, whose destination the
    // scanner reads as such), opens no comment.
    let mut code: Vec<Range<usize>> = Vec::new();
    for (event, range) in events {
        match event {
            Event::Code(_)
            | Event::Start(Tag::CodeBlock(_) | Tag::Image { .. } | Tag::Link { .. }) => {
                code.push(range.clone())
            }
            _ => {}
        }
    }
    let in_code = |offset: usize| code.iter().any(|c| c.contains(&offset));
    let mut markers = Vec::new();
    let mut from = 0;
    while let Some(found) = body[from..].find("%%") {
        let at = from + found;
        if !in_code(at) {
            markers.push(at);
        }
        from = at + 2;
    }
    markers
        .chunks(2)
        .map(|pair| match pair {
            [open, close] => *open..*close + 2,
            [open] => *open..body.len(),
            _ => unreachable!("chunks of two"),
        })
        .collect()
}

/// Finds [`Stray`] text in runs of adjacent text events outside code blocks and images.
fn find_strays(body: &str, events: &[(Event<'_>, Range<usize>)]) -> Vec<Stray> {
    let mut strays = Vec::new();
    let mut in_code_block = 0usize;
    let mut in_image = 0usize;
    let mut run: Option<Range<usize>> = None;
    for (event, range) in events {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block += 1,
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code_block -= 1,
            // Link text is not checked either: an autolink `<data:image/png;...>` is an
            // ordinary link, which extract leaves alone.
            Event::Start(Tag::Image { .. } | Tag::Link { .. }) => in_image += 1,
            Event::End(pulldown_cmark::TagEnd::Image | pulldown_cmark::TagEnd::Link) => {
                in_image -= 1
            }
            _ => {}
        }
        let is_text = matches!(event, Event::Text(_)) && in_code_block == 0 && in_image == 0;
        match (&mut run, is_text) {
            (Some(current), true) if current.end == range.start => current.end = range.end,
            (_, true) => {
                if let Some(done) = run.replace(range.clone()) {
                    strays_in_text(body, done, &mut strays);
                }
            }
            (_, false) => {
                if let Some(done) = run.take() {
                    strays_in_text(body, done, &mut strays);
                }
            }
        }
    }
    if let Some(done) = run {
        strays_in_text(body, done, &mut strays);
    }
    strays
}

fn strays_in_text(body: &str, range: Range<usize>, strays: &mut Vec<Stray>) {
    let text = &body[range.clone()];
    // Each `![` looks ahead for the line end, `](` and `)`. Starts only grow, so every search
    // result is kept until a start passes it, which keeps a long line of `![` linear.
    let mut line_end = NextMatch::default();
    let mut opener = NextMatch::default();
    let mut closer = NextMatch::default();
    let mut from = 0;
    while let Some(found) = text[from..].find("![") {
        let start = from + found;
        from = start + 2;
        let end = line_end
            .find(text, start, |rest| rest.find(['\n', '\r']))
            .unwrap_or(text.len());
        let Some(open) = opener
            .find(text, start, |rest| rest.find("]("))
            .filter(|&open| open < end)
        else {
            continue;
        };
        let Some(close) = closer
            .find(text, open, |rest| rest.find(')'))
            .filter(|&close| close < end)
        else {
            continue;
        };
        let inside = text[open + 2..close].trim();
        // A trailing quoted title is not part of the destination.
        let dest = match inside.chars().last() {
            Some(quote @ ('"' | '\'')) => inside[..inside.len() - 1]
                .rfind(&format!(" {quote}"))
                .map_or(inside, |title| inside[..title].trim_end()),
            _ => inside,
        };
        if dest.contains([' ', '\t']) && !dest.starts_with('<') {
            strays.push(Stray {
                start: range.start + start,
                kind: StrayKind::SpacedDestination {
                    dest: dest.to_string(),
                },
            });
        }
    }
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("data:image/") {
        strays.push(Stray {
            start: range.start + from + found,
            kind: StrayKind::DataUri,
        });
        from += found + "data:image/".len();
    }
}

/// The last result of a forward search, reused while later searches start before it.
#[derive(Default)]
struct NextMatch {
    /// The start of the last search and its result: an absolute offset, or `None` when nothing
    /// follows.
    last: Option<(usize, Option<usize>)>,
}

impl NextMatch {
    /// Returns the offset of the first match at or after `at` in `text`. `search` finds the
    /// first match in a suffix of `text` and returns its offset in that suffix.
    fn find(
        &mut self,
        text: &str,
        at: usize,
        search: impl Fn(&str) -> Option<usize>,
    ) -> Option<usize> {
        if let Some((from, found)) = self.last
            && from <= at
            && found.is_none_or(|offset| offset >= at)
        {
            return found;
        }
        let found = search(&text[at..]).map(|offset| at + offset);
        self.last = Some((at, found));
        found
    }
}

fn is_reference_type(link_type: LinkType) -> bool {
    matches!(
        link_type,
        LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
    )
}

/// Returns the index of the End event that closes the Start event at `start`.
fn matching_end(events: &[(Event<'_>, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (offset, (event, _)) in events[start..].iter().enumerate() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return start + offset;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

/// Builds the reference for one image; `events` runs from its Start to its End event.
fn image_reference(
    body: &str,
    events: &[(Event<'_>, Range<usize>)],
    definitions: &pulldown_cmark::RefDefs<'_>,
    linked_definitions: &HashSet<usize>,
) -> Option<Reference> {
    let (
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            id,
            ..
        }),
        range,
    ) = &events[0]
    else {
        return None;
    };
    let children = &events[1..events.len() - 1];
    let alt = plain_text(children);
    // The alt text ends where its last child ends; for `![](...)` right after `![`.
    let after_alt = children
        .iter()
        .map(|(_, r)| r.end)
        .max()
        .unwrap_or(range.start + 2)
        .max(range.start + 2);

    let dest = dest_url.to_string();
    let mut tail = None;
    let mut own = None;
    let site = if dest.is_empty() {
        Site::Unlocated
    } else if is_reference_type(*link_type) {
        match definitions.get(id) {
            Some(def) if linked_definitions.contains(&def.span.start) => {
                let title = def
                    .title
                    .as_deref()
                    .map(|title| definition_title(body, def.span.clone(), &def.dest, title));
                own_destination_site(body, range, after_alt, *link_type, title)
            }
            Some(def) => {
                let title = def
                    .title
                    .as_deref()
                    .map(|title| definition_title(body, def.span.clone(), &def.dest, title));
                own = Some(own_destination_site(
                    body, range, after_alt, *link_type, title,
                ))
                .filter(|site| *site != Site::Unlocated);
                locate_definition_destination(body, def.span.clone(), &dest)
                    .map_or(Site::Unlocated, Site::Definition)
            }
            None => Site::Unlocated,
        }
    } else {
        match locate_inline_destination(body, after_alt, range.end, &dest) {
            Some((bracket, destination)) => {
                tail = Some(bracket..range.end);
                Site::Destination(destination)
            }
            None => Site::Unlocated,
        }
    };
    let syntax = if is_reference_type(*link_type) {
        Syntax::MarkdownReference
    } else {
        Syntax::MarkdownInline
    };
    Some(Reference {
        syntax,
        start: range.start,
        dest,
        alt,
        site,
        embed: None,
        tail,
        own,
    })
}

/// Returns the plain text of an image description, as renderers put it into `alt`.
fn plain_text(children: &[(Event<'_>, Range<usize>)]) -> String {
    let mut alt = String::new();
    for (event, _) in children {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                alt.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            _ => {}
        }
    }
    alt
}

/// Locates the destination of an inline image: after the `](` that closes the alt text.
/// Returns the offset of the `]` that closes the alt text, and the destination's range.
fn locate_inline_destination(
    body: &str,
    after_alt: usize,
    image_end: usize,
    dest: &str,
) -> Option<(usize, Range<usize>)> {
    let bytes = body.as_bytes();
    let mut from = after_alt;
    // The first `](` after the last child closes the alt text; later ones are tried only in
    // case an escaped bracket ended a child early, and verification rejects wrong candidates.
    while let Some(found) = body[from..image_end.min(body.len())].find("](") {
        let open = from + found + 2;
        for skip_markers in [false, true] {
            let at = skip_space(bytes, open, skip_markers);
            if let Some(candidate) = scan_destination(bytes, at)
                && destination_matches(&body[candidate.clone()], dest)
            {
                return Some((open - 2, candidate));
            }
        }
        from = open;
    }
    None
}

/// Locates the destination of a reference definition inside its span: after the first
/// unescaped `]:`.
fn locate_definition_destination(
    body: &str,
    span: Range<usize>,
    dest: &str,
) -> Option<Range<usize>> {
    let bytes = body.as_bytes();
    let mut i = span.start;
    while i + 1 < span.end {
        match bytes[i] {
            b'\\' => i += 2,
            b']' if bytes[i + 1] == b':' => {
                for skip_markers in [false, true] {
                    let at = skip_space(bytes, i + 2, skip_markers);
                    if let Some(candidate) = scan_destination(bytes, at)
                        && candidate.end <= span.end
                        && destination_matches(&body[candidate.clone()], dest)
                    {
                        return Some(candidate);
                    }
                }
                return None;
            }
            _ => i += 1,
        }
    }
    None
}

/// Builds the site for a reference image whose definition links also use.
fn own_destination_site(
    body: &str,
    range: &Range<usize>,
    after_alt: usize,
    link_type: LinkType,
    title: Option<String>,
) -> Site {
    let bytes = body.as_bytes();
    let replace = match link_type {
        LinkType::Reference => label_start(bytes, after_alt, range.end).map(|s| s..range.end),
        LinkType::Collapsed => {
            // pulldown-cmark 0.13 ends the range of `![a][]` before the `[]`.
            if body[range.end..].starts_with("[]") {
                Some(range.end..range.end + 2)
            } else if body[..range.end].ends_with("[]") {
                Some(range.end - 2..range.end)
            } else {
                None
            }
        }
        LinkType::Shortcut if body[..range.end].ends_with(']') => Some(range.end..range.end),
        _ => None,
    };
    let Some(replace) = replace else {
        return Site::Unlocated;
    };
    Site::OwnDestination {
        range: replace,
        title,
    }
}

/// Finds the `[` that opens the label of a full reference `![alt][label]`: the first `][`
/// at or after the end of the alt text.
fn label_start(bytes: &[u8], after_alt: usize, end: usize) -> Option<usize> {
    let mut i = after_alt;
    while i + 1 < end {
        if bytes[i] == b']' && bytes[i + 1] == b'[' {
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// Returns the title of a definition written so that it can follow a destination in an inline
/// image: the source text when it sits on the destination's line, otherwise rebuilt from the
/// decoded title.
fn definition_title(body: &str, span: Range<usize>, dest: &str, title: &str) -> String {
    let end = span.end;
    if let Some(dest) = locate_definition_destination(body, span, dest) {
        let rest = body[dest.end..end].trim();
        if !rest.is_empty() && !rest.contains(['\n', '\r']) {
            return rest.to_string();
        }
    }
    let mut quoted = String::with_capacity(title.len() + 2);
    quoted.push('"');
    for c in title.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '\n' => quoted.push_str("&#10;"),
            '\r' => quoted.push_str("&#13;"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Skips spaces, tabs and at most the line breaks a destination may follow; with
/// `skip_markers`, also the `>` of block quote continuation lines.
fn skip_space(bytes: &[u8], mut i: usize, skip_markers: bool) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'>' if skip_markers => i += 1,
            _ => break,
        }
    }
    i
}

/// Scans one CommonMark link destination starting at `at`: `<...>` without line breaks or
/// unescaped `<`/`>`, or a run of non-space, non-control characters with balanced unescaped
/// parentheses.
fn scan_destination(bytes: &[u8], at: usize) -> Option<Range<usize>> {
    if at >= bytes.len() {
        return None;
    }
    if bytes[at] == b'<' {
        let mut i = at + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' | b'\r' | b'<' => return None,
                b'\\' if i + 1 < bytes.len() && bytes[i + 1].is_ascii_punctuation() => i += 2,
                b'>' => return Some(at..i + 1),
                _ => i += 1,
            }
        }
        return None;
    }
    let mut depth = 0usize;
    let mut i = at;
    while i < bytes.len() {
        let b = bytes[i];
        if b <= b' ' || b == 0x7f {
            break;
        }
        match b {
            b'\\' if i + 1 < bytes.len() && bytes[i + 1].is_ascii_punctuation() => {
                i += 2;
                continue;
            }
            b'(' => depth += 1,
            b')' if depth == 0 => break,
            b')' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    (i > at).then_some(at..i)
}

/// Tells whether the written destination `candidate` decodes to `dest`.
fn destination_matches(candidate: &str, dest: &str) -> bool {
    // Without escapes, entities or brackets the text is its own decoding; this skips a parse of
    // multi-megabyte data URIs.
    if !candidate.contains(['\\', '&', '<']) {
        return candidate == dest;
    }
    let probe = format!("![]({candidate})");
    Parser::new_ext(&probe, parser_options()).any(|event| {
        matches!(event, Event::Start(Tag::Image { dest_url, .. }) if dest_url.as_ref() == dest)
    })
}

/// Maps text that pulldown-cmark reports for raw HTML back to source offsets.
///
/// Each piece is an event's text with its source range; the text equals the source slice
/// except inside containers, where the prefixes (`> `, list indentation) of continuation lines
/// are removed from the text but not from the range.
struct HtmlText {
    text: String,
    /// For each byte of `text`, its offset in the source.
    offsets: Vec<usize>,
}

impl HtmlText {
    fn new(body: &str, pieces: &[(&str, Range<usize>)]) -> HtmlText {
        let total: usize = pieces.iter().map(|(t, _)| t.len()).sum();
        let mut text = String::with_capacity(total);
        let mut offsets = Vec::with_capacity(total);
        for (piece, range) in pieces {
            let source = &body.as_bytes()[range.clone()];
            let piece_bytes = piece.as_bytes();
            text.push_str(piece);
            if source == piece_bytes {
                offsets.extend(range.clone());
                continue;
            }
            // Align the text as a subsequence of the source: bytes missing from the text are
            // container prefixes.
            let mut s = 0;
            for &b in piece_bytes {
                while s < source.len() && source[s] != b {
                    s += 1;
                }
                offsets.push(range.start + s.min(source.len().saturating_sub(1)));
                s += 1;
            }
        }
        HtmlText { text, offsets }
    }

    /// Maps a text range to the source, if the source bytes there are the same text.
    fn source_range(&self, body: &str, range: &Range<usize>) -> Option<Range<usize>> {
        if range.is_empty() {
            let start = *self.offsets.get(range.start)?;
            return Some(start..start);
        }
        let start = *self.offsets.get(range.start)?;
        let end = *self.offsets.get(range.end - 1)? + 1;
        let source = body.get(start..end)?;
        (source == &self.text[range.clone()]).then_some(start..end)
    }
}

/// Adds the image URLs of one HTML fragment (a block or an inline tag) to `references`.
fn html_references(body: &str, pieces: &[(&str, Range<usize>)], references: &mut Vec<Reference>) {
    if pieces.is_empty() {
        return;
    }
    let mapped = HtmlText::new(body, pieces);
    for found in html::find_image_urls(&mapped.text) {
        let start = mapped
            .offsets
            .get(found.tag_start)
            .copied()
            .unwrap_or(pieces[0].1.start);
        let url = mapped.source_range(body, &found.url);
        let value = mapped.source_range(body, &found.value);
        let site = match (url, value) {
            (Some(url), _) if url.is_empty() => Site::Unlocated,
            (Some(url), Some(value)) if !found.quoted => Site::UnquotedAttribute { value, url },
            (Some(url), _) if found.quoted => Site::Destination(url),
            _ => Site::Unlocated,
        };
        let syntax = match found.attr {
            UrlAttr::Src => Syntax::HtmlSrc,
            UrlAttr::Srcset => Syntax::HtmlSrcset,
        };
        references.push(Reference {
            syntax,
            start,
            dest: found.decoded,
            alt: found.alt.unwrap_or_default(),
            site,
            embed: None,
            tail: None,
            own: None,
        });
    }
}

/// Converts byte offsets into 1-based line and column numbers, counting columns in characters.
///
/// Lookups in increasing order on one line continue counting from the previous offset, so that
/// thousands of references on one multi-megabyte line cost one pass over it, not one per
/// reference.
pub struct Locator<'a> {
    source: &'a str,
    line_starts: Vec<usize>,
    /// The last lookup: (offset, line, column).
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> Locator<'a> {
    /// Indexes the line starts of `source` (LF, CRLF and lone CR end a line).
    pub fn new(source: &'a str) -> Locator<'a> {
        let mut line_starts = vec![0];
        let bytes = source.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\n' => line_starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => line_starts.push(i + 1),
                _ => {}
            }
        }
        Locator {
            source,
            line_starts,
            last: std::cell::Cell::new((0, 0, 0)),
        }
    }

    /// Returns the 1-based (line, column) of `offset`; a byte order mark is not a column.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let (last_offset, last_line, last_column) = self.last.get();
        let (mut start, mut column) = if last_line == line && last_offset <= offset {
            (last_offset, last_column)
        } else {
            (self.line_starts[line - 1], 1)
        };
        if start == 0 && self.source.starts_with(BOM) {
            start = BOM.len().min(offset);
        }
        column += self
            .source
            .get(start..offset)
            .map_or(0, |s| s.chars().count());
        self.last.set((offset, line, column));
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locator_counts_characters() {
        let source = "\u{feff}ab\r\n图片 ![x](a.png)\rz";
        let locator = Locator::new(source);
        assert_eq!(locator.locate(3), (1, 1));
        assert_eq!(locator.locate(4), (1, 2));
        let image = source.find('!').unwrap();
        assert_eq!(locator.locate(image), (2, 4));
        assert_eq!(locator.locate(source.len() - 1), (3, 1));
        // Out of order lookups start again from the line start.
        assert_eq!(locator.locate(image), (2, 4));
    }

    #[test]
    fn front_matter_yaml_and_toml() {
        assert_eq!(front_matter("---\na: 1\n---\nbody"), Some(0..13));
        assert_eq!(front_matter("+++\r\na = 1\r\n+++\r\n"), Some(0..17));
        assert_eq!(front_matter("---\na: 1\n...\n"), Some(0..13));
        assert_eq!(front_matter("---\nnever closed\n"), None);
        assert_eq!(front_matter("text\n---\n"), None);
    }

    fn sites(source: &str) -> Vec<(Syntax, String, String)> {
        scan(source)
            .references
            .iter()
            .map(|r| (r.syntax, r.dest.clone(), r.written(source).to_string()))
            .collect()
    }

    #[test]
    fn inline_destination_located() {
        let found = sites("![a *b*](<my pic.png> \"t\") ![c](x\\(1\\).png)");
        assert_eq!(
            found,
            vec![
                (
                    Syntax::MarkdownInline,
                    "my pic.png".into(),
                    "<my pic.png>".into()
                ),
                (
                    Syntax::MarkdownInline,
                    "x(1).png".into(),
                    "x\\(1\\).png".into()
                ),
            ]
        );
    }

    #[test]
    fn destination_on_next_line_in_blockquote() {
        let source = "> ![a](\n> a.png \"t\")\n";
        let scanned = scan(source);
        let Site::Destination(range) = &scanned.references[0].site else {
            panic!("not located: {:?}", scanned.references[0].site);
        };
        assert_eq!(&source[range.clone()], "a.png");
    }

    #[test]
    fn definition_destination_located_once_per_label() {
        let source = "![a][Logo] ![b][logo]\n\n[logo]:\n  <img/a b.png>\n  'title'\n";
        let scanned = scan(source);
        let expected = source.find('<').unwrap()..source.find('>').unwrap() + 1;
        assert_eq!(scanned.references.len(), 2);
        for reference in &scanned.references {
            assert_eq!(reference.site, Site::Definition(expected.clone()));
        }
    }

    #[test]
    fn definition_shared_with_link_gets_own_destination() {
        let source = "[site][x] ![full][x] ![x][] ![x]\n\n[x]: a.png \"T\"\n";
        let scanned = scan(source);
        let ranges: Vec<Site> = scanned.references.iter().map(|r| r.site.clone()).collect();
        let title = Some("\"T\"".to_string());
        assert_eq!(
            ranges,
            vec![
                Site::OwnDestination {
                    range: 17..20,
                    title: title.clone()
                },
                Site::OwnDestination {
                    range: 25..27,
                    title: title.clone()
                },
                Site::OwnDestination {
                    range: 32..32,
                    title
                },
            ]
        );
    }

    #[test]
    fn nested_image_in_alt_ignored() {
        let found = sites("![a ![b](b.png)](a.png)");
        assert_eq!(
            found,
            vec![(Syntax::MarkdownInline, "a.png".into(), "a.png".into())]
        );
    }

    #[test]
    fn table_cell_escaped_pipe() {
        let source = "| a |\n|---|\n| ![x](a\\|b.png) |\n";
        let found = sites(source);
        assert_eq!(
            found,
            vec![(Syntax::MarkdownInline, "a|b.png".into(), "a\\|b.png".into())]
        );
    }

    #[test]
    fn code_comments_and_front_matter_ignored() {
        let source = "---\nimg: ![f](f.png)\n---\n`![c](c.png)`\n\n```\n![d](d.png)\n```\n\n    ![e](e.png)\n\n<!-- ![g](g.png) <img src=g.png> -->\n";
        assert_eq!(sites(source), vec![]);
    }

    #[test]
    fn html_unquoted_value_site() {
        let source = "<IMG SRC=a.png alt=x>";
        let scanned = scan(source);
        assert_eq!(
            scanned.references[0].site,
            Site::UnquotedAttribute {
                value: 9..14,
                url: 9..14
            }
        );
        assert_eq!(scanned.references[0].alt, "x");
    }

    #[test]
    fn spaced_destination_is_stray() {
        let scanned = scan("![c](shots/login page.png \"t\")\n");
        assert_eq!(scanned.references, vec![]);
        assert_eq!(
            scanned.strays,
            vec![Stray {
                start: 0,
                kind: StrayKind::SpacedDestination {
                    dest: "shots/login page.png".into()
                }
            }]
        );
    }

    #[test]
    fn data_uri_in_text_is_stray() {
        let scanned = scan("![a\n\nb](data:image/png;base64,AAAA)\n");
        assert_eq!(scanned.references, vec![]);
        assert_eq!(
            scanned
                .strays
                .iter()
                .filter(|s| s.kind == StrayKind::DataUri)
                .count(),
            1
        );
    }

    #[test]
    fn bom_and_crlf_offsets() {
        let source = "\u{feff}![a](a.png)\r\n";
        let scanned = scan(source);
        assert_eq!(scanned.references[0].start, 3);
        assert_eq!(scanned.references[0].site, Site::Destination(8..13));
    }

    fn structure(source: &str) -> u64 {
        scan_with(source, ScanOptions { obsidian: true }).structure
    }

    #[test]
    fn structure_blind_to_destinations_and_html_text() {
        let base = structure("# T\n\n![a](x.png) and <img src=x.png> [l](/u)\n");
        assert_eq!(
            structure("# T\n\n![a](data:image/png;base64,AAAA) and <img src=\"data:,\"> [l](/u)\n"),
            base
        );
        // An Obsidian embed and the Markdown image it becomes.
        assert_eq!(
            structure("A ![[x.png|30]] b\n"),
            structure("A ![x|30](data:image/png;base64,AAAA) b\n")
        );
    }

    #[test]
    fn structure_sees_links_text_and_blocks() {
        let base = structure("![a](x.png) [l](/u) text\n");
        assert_ne!(
            structure("![a](x.png) [l](/v) text\n"),
            base,
            "link destination"
        );
        assert_ne!(structure("![a](x.png) [l] text\n"), base, "link to text");
        assert_ne!(structure("![a](x.png) [l](/u) test\n"), base, "text");
        assert_ne!(
            structure("![a](x.png)\n\n[l](/u) text\n"),
            base,
            "paragraphs"
        );
    }

    #[test]
    fn structure_ignores_final_line_endings() {
        // The definition ends the list item and with it the unclosed fence inside.
        assert_eq!(
            structure("- x\n\n  ~~~\n  code"),
            structure("- x\n\n  ~~~\n  code\n\n[a]: /u\n")
        );
        assert_ne!(structure("~~~\ncode"), structure("~~~\ncode\nmore"));
    }

    /// The expansion counts what pulldown-cmark counts: while it fits, every reference image is
    /// found; past it, pulldown-cmark shows the rest as text.
    #[test]
    fn expansion_matches_parser_limit() {
        let document = |uses: usize| {
            format!(
                "{}\n\n[y]: /{}\n",
                vec!["![y]"; uses].join(" "),
                "a".repeat(1999)
            )
        };
        let fits = scan(&document(50));
        assert_eq!(fits.expansion, 50 * 2000);
        assert!(expansion_fits(fits.expansion, document(50).len()));
        assert_eq!(fits.references.len(), 50);

        let over = scan(&document(60));
        assert!(!expansion_fits(60 * 2000, document(60).len()));
        assert_eq!(over.references.len(), 50);
    }
}
