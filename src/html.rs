//! Finds the image URLs in raw HTML fragments and reports their exact byte ranges.
//!
//! The input is text that pulldown-cmark classified as raw HTML: an HTML block or one inline tag.
//! The scanner follows the tokenizer states of the WHATWG HTML standard closely enough to find
//! `<img src>`, `<img srcset>` and `<source srcset>` values the way a browser would. It never
//! re-serialises anything, so a caller can replace one URL range and keep every other byte of the
//! fragment. The scan is a single forward pass, linear in the input length, and it only indexes
//! within bounds and at character boundaries. A test on random inputs checks that it does not panic.

use std::ops::Range;

/// Attribute that an image URL came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlAttr {
    /// The `src` attribute of `<img>`, which contains one URL.
    Src,
    /// The `srcset` attribute of `<img>` or `<source>`, which contains a list of image candidates.
    Srcset,
}

/// One image URL found in an HTML fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlImageUrl {
    /// Byte offset of the `<` that opens the tag.
    pub tag_start: usize,
    /// Lowercase tag name, `"img"` or `"source"`.
    pub tag_name: String,
    /// Attribute that contains the URL.
    pub attr: UrlAttr,
    /// Byte range of the attribute value as written, without its quotes.
    pub value: Range<usize>,
    /// Whether the value is enclosed in quotes. An unquoted value ends at ASCII whitespace or `>`,
    /// so a caller that writes a value containing `=`, such as a data URI, must add double quotes.
    pub quoted: bool,
    /// Byte range of this one URL inside `value`. For `src` it is the value with leading and
    /// trailing ASCII whitespace removed, and it is empty for an empty value. For `srcset` it is
    /// one candidate's URL, without its descriptors or the commas between candidates.
    pub url: Range<usize>,
    /// The URL text with character references decoded (named, decimal and hexadecimal).
    pub decoded: String,
    /// The tag's first `alt` attribute with character references decoded, `Some("")` for an `alt`
    /// without a value, and `None` if the tag has no `alt`. It is always `None` for `<source>`, which has no `alt`.
    pub alt: Option<String>,
}

/// Elements whose content the tokenizer reads as text up to the matching end tag.
const RAW_TEXT_ELEMENTS: [&[u8]; 8] = [
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"noembed",
    b"noframes",
    b"iframe",
];

/// Finds the image URLs in `html`, in source order.
///
/// Reports every `src` and `srcset` candidate of `<img>` and every `srcset` candidate of
/// `<source>`. Markup that a browser does not read as a tag yields nothing: comments, doctypes,
/// CDATA sections, processing instructions, end tags, the content of raw-text elements such as
/// `<script>`, everything after `<plaintext>`, and a tag that has no closing `>`.
pub fn find_image_urls(html: &str) -> Vec<HtmlImageUrl> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut pos = 0;

    while let Some(lt) = find_byte(bytes, pos, b'<') {
        let next = match bytes.get(lt + 1) {
            Some(b'!') => skip_markup_declaration(bytes, lt),
            // A processing instruction is a bogus comment in HTML, so the first `>` ends it.
            Some(b'?') => find_byte(bytes, lt + 2, b'>').map(|gt| gt + 1),
            Some(b'/') => skip_end_tag(bytes, lt),
            Some(c) if c.is_ascii_alphabetic() => scan_start_tag(html, lt, &mut found)
                .and_then(|tag| skip_element_content(bytes, &tag)),
            // Any other `<` is text.
            _ => Some(lt + 1),
        };

        match next {
            Some(next) => pos = next,
            // The construct at `lt` runs to the end of the input.
            None => break,
        }
    }

    found
}

/// A start or end tag read up to and including its closing `>`.
struct Tag {
    name: Range<usize>,
    attributes: Vec<Attribute>,
    end: usize,
}

/// An attribute as written: its name and, unless it has none, its value.
struct Attribute {
    name: Range<usize>,
    value: Option<AttributeValue>,
}

/// The byte range of an attribute value, without quotes.
struct AttributeValue {
    range: Range<usize>,
    quoted: bool,
}

/// Skips a construct that starts with `<!` and returns the offset after it, or `None` if it runs
/// to the end of the input.
fn skip_markup_declaration(bytes: &[u8], lt: usize) -> Option<usize> {
    let rest = &bytes[lt..];

    if rest.starts_with(b"<!--") {
        return skip_comment(bytes, lt + 4);
    }

    // The standard treats CDATA as a bogus comment outside SVG and MathML, which ends at the first
    // `>`. This scanner skips to `]]>` instead, so a `>` inside the section does not end it early.
    if rest.starts_with(b"<![CDATA[") {
        return find_subslice(bytes, lt + 9, b"]]>").map(|end| end + 3);
    }

    // A doctype or a bogus comment such as `<!x>` ends at the first `>`.
    find_byte(bytes, lt + 2, b'>').map(|gt| gt + 1)
}

/// Skips the body of a comment that starts just before `body_start` and returns the offset after
/// the comment, or `None` if the comment is not closed.
fn skip_comment(bytes: &[u8], body_start: usize) -> Option<usize> {
    let body = &bytes[body_start..];

    // `<!-->` and `<!--->` are complete (abruptly closed) comments.
    if body.starts_with(b">") {
        return Some(body_start + 1);
    }
    if body.starts_with(b"->") {
        return Some(body_start + 2);
    }

    // A comment ends at `-->` or `--!>`, and the dashes may not overlap `<!--`, so `<!---->` is
    // closed by its last three bytes.
    let mut pos = body_start;
    while let Some(gt) = find_byte(bytes, pos, b'>') {
        let before = &bytes[body_start..gt];
        if before.ends_with(b"--") || before.ends_with(b"--!") {
            return Some(gt + 1);
        }
        pos = gt + 1;
    }

    None
}

/// Skips a construct that starts with `</` and returns the offset after it, or `None` if it runs
/// to the end of the input.
fn skip_end_tag(bytes: &[u8], lt: usize) -> Option<usize> {
    match bytes.get(lt + 2) {
        // An end tag is tokenized like a start tag, so a quoted `>` in an attribute does not end it.
        Some(c) if c.is_ascii_alphabetic() => read_tag(bytes, lt + 2).map(|tag| tag.end),
        // `</>` is dropped.
        Some(b'>') => Some(lt + 3),
        // Anything else after `</` starts a bogus comment.
        Some(_) => find_byte(bytes, lt + 2, b'>').map(|gt| gt + 1),
        None => None,
    }
}

/// Reads the start tag at `lt`, records its image URLs in `found` and returns the tag, or `None`
/// if the tag has no closing `>`.
fn scan_start_tag(html: &str, lt: usize, found: &mut Vec<HtmlImageUrl>) -> Option<Tag> {
    let bytes = html.as_bytes();
    let tag = read_tag(bytes, lt + 1)?;
    let name = &bytes[tag.name.clone()];

    let (tag_name, is_img) = if name.eq_ignore_ascii_case(b"img") {
        ("img", true)
    } else if name.eq_ignore_ascii_case(b"source") {
        // On `<source>`, `src` names an audio or video resource, not an image.
        ("source", false)
    } else {
        return Some(tag);
    };

    let alt = if is_img { find_alt(html, &tag) } else { None };

    // Browsers keep the first of duplicate attributes, and an attribute written without a value
    // still counts as the first one.
    let mut seen_src = false;
    let mut seen_srcset = false;

    for attribute in &tag.attributes {
        let attribute_name = &bytes[attribute.name.clone()];
        let attr = if is_img && !seen_src && attribute_name.eq_ignore_ascii_case(b"src") {
            seen_src = true;
            UrlAttr::Src
        } else if !seen_srcset && attribute_name.eq_ignore_ascii_case(b"srcset") {
            seen_srcset = true;
            UrlAttr::Srcset
        } else {
            continue;
        };

        let Some(value) = &attribute.value else {
            continue;
        };

        let url_ranges = match attr {
            UrlAttr::Src => vec![trim_ascii_whitespace(bytes, value.range.clone())],
            UrlAttr::Srcset => srcset_url_ranges(bytes, value.range.clone()),
        };

        for url in url_ranges {
            let decoded = decode_url(&html[url.clone()], attr);
            found.push(HtmlImageUrl {
                tag_start: lt,
                tag_name: tag_name.to_owned(),
                attr,
                value: value.range.clone(),
                quoted: value.quoted,
                url,
                decoded,
                alt: alt.clone(),
            });
        }
    }

    Some(tag)
}

/// Returns the decoded value of the first `alt` attribute of `tag`, or `None` if it has none.
fn find_alt(html: &str, tag: &Tag) -> Option<String> {
    let bytes = html.as_bytes();
    let attribute = tag
        .attributes
        .iter()
        .find(|attribute| bytes[attribute.name.clone()].eq_ignore_ascii_case(b"alt"))?;
    let alt = match &attribute.value {
        Some(value) => html_escape::decode_html_entities(&html[value.range.clone()]).into_owned(),
        None => String::new(),
    };
    Some(alt)
}

/// Decodes character references in one raw URL.
///
/// For `src` the decoded text is trimmed again because browsers strip whitespace after decoding,
/// so a value such as `&#32;a.png` names `a.png`.
// NOTE: html_escape 0.3.1 decodes only references that end with `;`, so a legacy reference such as
// `&amp` without its semicolon stays as written, while a browser would decode it.
fn decode_url(raw: &str, attr: UrlAttr) -> String {
    let decoded = html_escape::decode_html_entities(raw);
    match attr {
        UrlAttr::Src => decoded
            .trim_matches(|c: char| c.is_ascii_whitespace())
            .to_owned(),
        UrlAttr::Srcset => decoded.into_owned(),
    }
}

/// Returns the offset after the content of the element that `tag` opens, or `None` if the content
/// runs to the end of the input. Only raw-text elements and `<plaintext>` have such content. For
/// any other tag the offset is the end of the tag.
fn skip_element_content(bytes: &[u8], tag: &Tag) -> Option<usize> {
    let name = &bytes[tag.name.clone()];

    // `<plaintext>` has no end tag, so everything after it is text.
    if name.eq_ignore_ascii_case(b"plaintext") {
        return None;
    }

    if RAW_TEXT_ELEMENTS
        .iter()
        .any(|raw| name.eq_ignore_ascii_case(raw))
    {
        return find_end_tag(bytes, tag.end, name);
    }

    Some(tag.end)
}

/// Finds the `<` of the first end tag named `name` (ASCII case-insensitive) at or after `pos`.
// NOTE: the escaped states of script data are not modelled, so in `<script><!--<script></script>`
// the first `</script>` ends the script here, while a browser keeps reading script text.
fn find_end_tag(bytes: &[u8], mut pos: usize, name: &[u8]) -> Option<usize> {
    while let Some(lt) = find_byte(bytes, pos, b'<') {
        let name_start = lt + 2;
        let name_end = name_start + name.len();
        let is_match = bytes.get(lt + 1) == Some(&b'/')
            && bytes
                .get(name_start..name_end)
                .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name))
            && bytes
                .get(name_end)
                .is_some_and(|&c| is_html_whitespace(c) || c == b'/' || c == b'>');
        if is_match {
            return Some(lt);
        }
        pos = lt + 1;
    }

    None
}

/// Reads a start or end tag whose name begins at `name_start` and returns it, or `None` if the
/// input ends before the tag's closing `>`.
///
/// The states follow the HTML tokenizer. An attribute name runs until whitespace, `/`, `>` or `=`,
/// but a leading `=` is part of the name. Whitespace may surround the `=`. A quoted value runs to
/// the matching quote, and an unquoted value runs until whitespace or `>`. A `/` outside a value is
/// skipped, which also covers the self-closing `/>`.
fn read_tag(bytes: &[u8], name_start: usize) -> Option<Tag> {
    let mut pos = name_start;
    while pos < bytes.len() && !is_name_terminator(bytes[pos]) {
        pos += 1;
    }
    let name = name_start..pos;
    let mut attributes = Vec::new();

    loop {
        pos = skip_whitespace_and_slashes(bytes, pos);
        match bytes.get(pos) {
            None => return None,
            Some(b'>') => {
                return Some(Tag {
                    name,
                    attributes,
                    end: pos + 1,
                });
            }
            Some(_) => {
                let (attribute, next) = read_attribute(bytes, pos)?;
                attributes.push(attribute);
                pos = next;
            }
        }
    }
}

/// Reads the attribute whose name starts at `name_start` and returns it with the offset after it,
/// or `None` if the input ends inside it.
fn read_attribute(bytes: &[u8], name_start: usize) -> Option<(Attribute, usize)> {
    // The first byte belongs to the name even if it is `=`.
    let mut pos = name_start + 1;
    while pos < bytes.len() && !is_name_terminator(bytes[pos]) && bytes[pos] != b'=' {
        pos += 1;
    }
    let name = name_start..pos;

    pos = skip_whitespace(bytes, pos);
    if bytes.get(pos) != Some(&b'=') {
        return Some((Attribute { name, value: None }, pos));
    }
    pos = skip_whitespace(bytes, pos + 1);

    let (value, next) = match *bytes.get(pos)? {
        quote @ (b'"' | b'\'') => {
            let close = find_byte(bytes, pos + 1, quote)?;
            let value = AttributeValue {
                range: pos + 1..close,
                quoted: true,
            };
            (Some(value), close + 1)
        }
        // The tokenizer gives `name=>` an empty value, as it does for an attribute written without one.
        b'>' => (None, pos),
        _ => {
            let mut end = pos;
            while end < bytes.len() && !is_html_whitespace(bytes[end]) && bytes[end] != b'>' {
                end += 1;
            }
            if end == bytes.len() {
                return None;
            }
            let value = AttributeValue {
                range: pos..end,
                quoted: false,
            };
            (Some(value), end)
        }
    };

    Some((Attribute { name, value }, next))
}

/// Splits a `srcset` value into the byte ranges of its candidate URLs.
///
/// Follows "parse a srcset attribute" in the HTML standard: skip whitespace and commas, take a run
/// of non-whitespace as the URL, drop trailing commas from it (then no descriptors follow), and
/// otherwise skip descriptors up to the next comma outside parentheses. Descriptors are not
/// validated, so a candidate that a browser would drop for a malformed descriptor is still reported.
fn srcset_url_ranges(bytes: &[u8], value: Range<usize>) -> Vec<Range<usize>> {
    let end = value.end;
    let mut pos = value.start;
    let mut urls = Vec::new();

    loop {
        while pos < end && (is_html_whitespace(bytes[pos]) || bytes[pos] == b',') {
            pos += 1;
        }
        if pos >= end {
            return urls;
        }

        let url_start = pos;
        while pos < end && !is_html_whitespace(bytes[pos]) {
            pos += 1;
        }

        // The URL starts with a byte that is not a comma, so trimming leaves it non-empty.
        let mut url_end = pos;
        let ends_with_comma = bytes[url_end - 1] == b',';
        while bytes[url_end - 1] == b',' {
            url_end -= 1;
        }
        urls.push(url_start..url_end);
        if ends_with_comma {
            continue;
        }

        let mut in_parens = false;
        while pos < end {
            match bytes[pos] {
                b'(' => in_parens = true,
                b')' => in_parens = false,
                b',' if !in_parens => {
                    pos += 1;
                    break;
                }
                _ => {}
            }
            pos += 1;
        }
    }
}

/// Returns `range` without leading and trailing ASCII whitespace. An all-whitespace range becomes
/// the empty range at its end.
fn trim_ascii_whitespace(bytes: &[u8], range: Range<usize>) -> Range<usize> {
    let mut start = range.start;
    let mut end = range.end;
    while start < end && is_html_whitespace(bytes[start]) {
        start += 1;
    }
    while end > start && is_html_whitespace(bytes[end - 1]) {
        end -= 1;
    }
    start..end
}

/// Returns `true` if `c` is ASCII whitespace as HTML defines it: tab, line feed, form feed, carriage return
/// or space. Carriage return counts because the input stream turns it into a line feed.
fn is_html_whitespace(c: u8) -> bool {
    c.is_ascii_whitespace()
}

/// Returns `true` if `c` ends a tag or attribute name.
fn is_name_terminator(c: u8) -> bool {
    is_html_whitespace(c) || c == b'/' || c == b'>'
}

fn skip_whitespace(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && is_html_whitespace(bytes[pos]) {
        pos += 1;
    }
    pos
}

fn skip_whitespace_and_slashes(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && (is_html_whitespace(bytes[pos]) || bytes[pos] == b'/') {
        pos += 1;
    }
    pos
}

/// Returns the offset of the first `needle` at or after `from`.
fn find_byte(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&c| c == needle)
        .map(|offset| from + offset)
}

/// Returns the offset of the first `needle` at or after `from`.
fn find_subslice(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|offset| from + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns the raw text of each reported URL range.
    fn url_texts(html: &str) -> Vec<&str> {
        find_image_urls(html)
            .into_iter()
            .map(|found| &html[found.url])
            .collect()
    }

    /// Returns the decoded text of each reported URL.
    fn decoded_urls(html: &str) -> Vec<String> {
        find_image_urls(html)
            .into_iter()
            .map(|found| found.decoded)
            .collect()
    }

    fn img_src(tag_start: usize, value: Range<usize>, quoted: bool, decoded: &str) -> HtmlImageUrl {
        HtmlImageUrl {
            tag_start,
            tag_name: "img".to_owned(),
            attr: UrlAttr::Src,
            value: value.clone(),
            quoted,
            url: value,
            decoded: decoded.to_owned(),
            alt: None,
        }
    }

    #[test]
    fn src_double_quoted() {
        let found = find_image_urls(r#"<img src="a.png">"#);
        assert_eq!(found, vec![img_src(0, 10..15, true, "a.png")]);
    }

    #[test]
    fn src_single_quoted() {
        let found = find_image_urls("<img src='a.png'>");
        assert_eq!(found, vec![img_src(0, 10..15, true, "a.png")]);
    }

    #[test]
    fn src_unquoted() {
        let found = find_image_urls("<img src=a.png>");
        assert_eq!(found, vec![img_src(0, 9..14, false, "a.png")]);
    }

    #[test]
    fn src_unquoted_before_space() {
        let found = find_image_urls("<img src=a.png alt=x>");
        let expected = HtmlImageUrl {
            alt: Some("x".to_owned()),
            ..img_src(0, 9..14, false, "a.png")
        };
        assert_eq!(found, vec![expected]);
    }

    #[test]
    fn src_unquoted_keeps_slash() {
        // Browsers read `<img src=a.png/>` as the URL `a.png/`.
        assert_eq!(url_texts("<img src=a.png/>"), vec!["a.png/"]);
    }

    #[test]
    fn src_quote_inside_other_quote() {
        assert_eq!(
            url_texts(r#"<img src="shots/it's.png">"#),
            vec!["shots/it's.png"]
        );
        assert_eq!(
            url_texts(r#"<img src='say "hi".png'>"#),
            vec![r#"say "hi".png"#]
        );
    }

    #[test]
    fn uppercase_tag_and_attribute() {
        let found = find_image_urls(r#"<IMG SRC="A.PNG">"#);
        assert_eq!(found, vec![img_src(0, 10..15, true, "A.PNG")]);
    }

    #[test]
    fn mixed_case_source_srcset() {
        assert_eq!(url_texts(r#"<Source SrcSet="a.webp">"#), vec!["a.webp"]);
    }

    #[test]
    fn src_not_first() {
        let html = r#"<img alt="x" width=300 style="zoom:50%;" src="a.png">"#;
        let found = find_image_urls(html);
        let expected = HtmlImageUrl {
            alt: Some("x".to_owned()),
            ..img_src(0, 46..51, true, "a.png")
        };
        assert_eq!(found, vec![expected]);
    }

    #[test]
    fn similar_attribute_names_ignored() {
        let html = r#"<img data-src="a.png" xsrc="b.png" data-srcset="c.png 1x" srcx="d.png">"#;
        assert_eq!(url_texts(html), Vec::<&str>::new());
    }

    #[test]
    fn data_src_before_src() {
        assert_eq!(
            url_texts(r#"<img data-src="a.png" src="b.png">"#),
            vec!["b.png"]
        );
    }

    #[test]
    fn duplicate_src_first_wins() {
        assert_eq!(url_texts(r#"<img src="a.png" SRC="b.png">"#), vec!["a.png"]);
    }

    #[test]
    fn duplicate_srcset_first_wins() {
        assert_eq!(
            url_texts(r#"<img srcset="a.png" srcset="b.png">"#),
            vec!["a.png"]
        );
    }

    #[test]
    fn valueless_src_claims_name() {
        assert_eq!(url_texts(r#"<img src src="b.png">"#), Vec::<&str>::new());
    }

    #[test]
    fn attribute_without_value_ignored() {
        assert_eq!(url_texts("<img src>"), Vec::<&str>::new());
        assert_eq!(url_texts("<img src=>"), Vec::<&str>::new());
        assert_eq!(url_texts("<img srcset/>"), Vec::<&str>::new());
    }

    #[test]
    fn paragraph_with_link() {
        let html = r#"<p align="center"><img src="shots/it's.png" style="zoom:50%;"/> then <a href="x.html">x</a></p>"#;
        let found = find_image_urls(html);
        assert_eq!(found, vec![img_src(18, 28..42, true, "shots/it's.png")]);
    }

    #[test]
    fn typora_zoom_tag() {
        let html = r#"<img src="x.assets/a.png" alt="a" style="zoom:50%;" />"#;
        let found = find_image_urls(html);
        let expected = HtmlImageUrl {
            alt: Some("a".to_owned()),
            ..img_src(0, 10..24, true, "x.assets/a.png")
        };
        assert_eq!(found, vec![expected]);
    }

    #[test]
    fn entity_decoded_raw_range_kept() {
        let html = r#"<img src="a&amp;b.png">"#;
        let found = find_image_urls(html);
        assert_eq!(found, vec![img_src(0, 10..21, true, "a&b.png")]);
        assert_eq!(&html[found[0].url.clone()], "a&amp;b.png");
    }

    #[test]
    fn numeric_entities_decoded() {
        assert_eq!(
            decoded_urls(r#"<img src="&#x41;&#66;.png">"#),
            vec!["AB.png"]
        );
    }

    #[test]
    fn encoded_space_trimmed_after_decoding() {
        let html = r#"<img src="&#32;a.png">"#;
        assert_eq!(url_texts(html), vec!["&#32;a.png"]);
        assert_eq!(decoded_urls(html), vec!["a.png"]);
    }

    #[test]
    fn alt_decoded() {
        let found = find_image_urls(r#"<img src="a.png" alt="Tom &amp; Jerry">"#);
        assert_eq!(found[0].alt, Some("Tom & Jerry".to_owned()));
    }

    #[test]
    fn alt_missing() {
        let found = find_image_urls(r#"<img src="a.png">"#);
        assert_eq!(found[0].alt, None);
    }

    #[test]
    fn alt_without_value() {
        let found = find_image_urls(r#"<img alt src="a.png">"#);
        assert_eq!(found[0].alt, Some(String::new()));
    }

    #[test]
    fn alt_first_wins() {
        let found = find_image_urls(r#"<img ALT="one" src="a.png" alt="two">"#);
        assert_eq!(found[0].alt, Some("one".to_owned()));
    }

    #[test]
    fn alt_on_every_srcset_candidate() {
        let found = find_image_urls(r#"<img srcset="a.png 1x, b.png 2x" alt="x">"#);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].alt, Some("x".to_owned()));
        assert_eq!(found[1].alt, Some("x".to_owned()));
    }

    #[test]
    fn source_alt_ignored() {
        let found = find_image_urls(r#"<source srcset="a.webp" alt="x">"#);
        assert_eq!(found[0].alt, None);
    }

    #[test]
    fn srcset_density_descriptors() {
        let html = r#"<img srcset="a.png 1x, b.png 2x">"#;
        let found = find_image_urls(html);
        let srcset = |url: Range<usize>, decoded: &str| HtmlImageUrl {
            tag_start: 0,
            tag_name: "img".to_owned(),
            attr: UrlAttr::Srcset,
            value: 13..31,
            quoted: true,
            url,
            decoded: decoded.to_owned(),
            alt: None,
        };
        assert_eq!(
            found,
            vec![srcset(13..18, "a.png"), srcset(23..28, "b.png")]
        );
    }

    #[test]
    fn srcset_width_descriptors() {
        let html = r#"<img srcset="small.jpg 480w, large.jpg 1080w" sizes="50vw">"#;
        assert_eq!(url_texts(html), vec!["small.jpg", "large.jpg"]);
    }

    #[test]
    fn srcset_without_descriptor() {
        assert_eq!(url_texts(r#"<img srcset="a.png">"#), vec!["a.png"]);
        assert_eq!(
            url_texts(r#"<img srcset="a.png, b.png 2x">"#),
            vec!["a.png", "b.png"]
        );
    }

    #[test]
    fn srcset_trailing_commas_dropped() {
        assert_eq!(
            url_texts(r#"<img srcset="a.png,, b.png,">"#),
            vec!["a.png", "b.png"]
        );
    }

    #[test]
    fn srcset_inner_comma_stays_in_url() {
        // Without whitespace after it, a comma that does not end the run belongs to the URL.
        assert_eq!(
            url_texts(r#"<img srcset="a.png,b.png">"#),
            vec!["a.png,b.png"]
        );
    }

    #[test]
    fn srcset_data_uri_candidate() {
        let html = r#"<img srcset="data:image/png;base64,AAA 1x, b.png 2x">"#;
        assert_eq!(url_texts(html), vec!["data:image/png;base64,AAA", "b.png"]);
    }

    #[test]
    fn srcset_extra_spaces() {
        let html = "<img srcset=\"  a.png   1x ,\n  b.png\t2x  \">";
        let found = find_image_urls(html);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].url, 15..20);
        assert_eq!(found[1].url, 30..35);
        assert_eq!(&html[found[0].url.clone()], "a.png");
        assert_eq!(&html[found[1].url.clone()], "b.png");
    }

    #[test]
    fn srcset_comma_inside_parentheses() {
        let html = r#"<img srcset="a.png (x, y) 1x, b.png">"#;
        assert_eq!(url_texts(html), vec!["a.png", "b.png"]);
    }

    #[test]
    fn srcset_empty_value() {
        assert_eq!(url_texts(r#"<img srcset="">"#), Vec::<&str>::new());
        assert_eq!(url_texts(r#"<img srcset=" , ">"#), Vec::<&str>::new());
    }

    #[test]
    fn srcset_splice_keeps_descriptors() {
        let html = r#"<img srcset="a.png 1x,b.png  2x , c.png 480w">"#;
        let mut output = html.to_owned();
        for found in find_image_urls(html).iter().rev() {
            output.replace_range(found.url.clone(), "X");
        }
        assert_eq!(output, r#"<img srcset="X 1x,X  2x , X 480w">"#);
    }

    #[test]
    fn src_and_srcset_in_source_order() {
        let html = r#"<img srcset="b.png 2x" src="a.png">"#;
        let found = find_image_urls(html);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].attr, UrlAttr::Srcset);
        assert_eq!(found[1].attr, UrlAttr::Src);
        assert_eq!(url_texts(html), vec!["b.png", "a.png"]);
    }

    #[test]
    fn picture_source_and_img() {
        let html = r#"<picture><source srcset="a.webp"><img src="a.png"></picture>"#;
        let found = find_image_urls(html);
        let source = HtmlImageUrl {
            tag_start: 9,
            tag_name: "source".to_owned(),
            attr: UrlAttr::Srcset,
            value: 25..31,
            quoted: true,
            url: 25..31,
            decoded: "a.webp".to_owned(),
            alt: None,
        };
        assert_eq!(found, vec![source, img_src(33, 43..48, true, "a.png")]);
    }

    #[test]
    fn source_src_ignored() {
        let html = r#"<video><source src="a.mp4" srcset="a.webp"></video>"#;
        assert_eq!(url_texts(html), vec!["a.webp"]);
    }

    #[test]
    fn img_in_comment_ignored() {
        let html = r#"<!-- <img src="a.png"> --><img src="b.png">"#;
        assert_eq!(url_texts(html), vec!["b.png"]);
    }

    #[test]
    fn abrupt_comments_end() {
        assert_eq!(url_texts(r#"<!----><img src="a.png">"#), vec!["a.png"]);
        assert_eq!(url_texts(r#"<!--><img src="b.png">"#), vec!["b.png"]);
        assert_eq!(url_texts(r#"<!---><img src="c.png">"#), vec!["c.png"]);
        assert_eq!(url_texts(r#"<!-- x --!><img src="d.png">"#), vec!["d.png"]);
    }

    #[test]
    fn comment_arrow_inside_body() {
        let html = r#"<!-- -> <img src="a.png"> --><img src="b.png">"#;
        assert_eq!(url_texts(html), vec!["b.png"]);
    }

    #[test]
    fn unclosed_comment_hides_rest() {
        assert_eq!(url_texts(r#"<!-- <img src="a.png">"#), Vec::<&str>::new());
    }

    #[test]
    fn img_in_script_ignored() {
        let html = r#"<script>let s = '<img src="a.png">';</script><img src="b.png">"#;
        assert_eq!(url_texts(html), vec!["b.png"]);
    }

    #[test]
    fn script_end_tag_case_insensitive() {
        let html = r#"<SCRIPT><img src="a.png"></ScRiPt ><img src="b.png">"#;
        assert_eq!(url_texts(html), vec!["b.png"]);
    }

    #[test]
    fn script_end_tag_needs_terminator() {
        let html = r#"<script></scripts><img src="a.png"></script><img src="b.png">"#;
        assert_eq!(url_texts(html), vec!["b.png"]);
    }

    #[test]
    fn unclosed_script_hides_rest() {
        assert_eq!(
            url_texts(r#"<script><img src="a.png">"#),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn raw_text_elements_ignored() {
        for name in [
            "style", "textarea", "title", "xmp", "noembed", "noframes", "iframe",
        ] {
            let html = format!(r#"<{name}><img src="a.png"></{name}><img src="b.png">"#);
            assert_eq!(url_texts(&html), vec!["b.png"], "element {name}");
        }
    }

    #[test]
    fn plaintext_hides_rest() {
        let html = r#"<img src="a.png"><plaintext><img src="b.png"></plaintext>"#;
        assert_eq!(url_texts(html), vec!["a.png"]);
    }

    #[test]
    fn doctype_cdata_and_pi_skipped() {
        let html = r#"<!DOCTYPE html><![CDATA[ <img src="a.png"> ]]><?xml x="<img src='b.png'>"?><img src="c.png">"#;
        assert_eq!(url_texts(html), vec!["c.png"]);
    }

    #[test]
    fn end_tag_ignored() {
        let html = r#"</img src="a.png" alt=">"><img src="b.png">"#;
        assert_eq!(url_texts(html), vec!["b.png"]);
    }

    #[test]
    fn bare_less_than_is_text() {
        let html = r#"a < b <3 <= <中 </ 1><img src="a.png">"#;
        assert_eq!(url_texts(html), vec!["a.png"]);
    }

    #[test]
    fn attribute_spans_lines() {
        let html = "<img\n  alt=\"x\"\r\n  src\n=\n\"a.png\"\n/>";
        let found = find_image_urls(html);
        let expected = HtmlImageUrl {
            alt: Some("x".to_owned()),
            ..img_src(0, 25..30, true, "a.png")
        };
        assert_eq!(found, vec![expected]);
    }

    #[test]
    fn spaces_around_equals() {
        assert_eq!(url_texts(r#"<img src = "a.png">"#), vec!["a.png"]);
    }

    #[test]
    fn slash_between_attributes() {
        assert_eq!(url_texts(r#"<img/src="a.png"/>"#), vec!["a.png"]);
    }

    #[test]
    fn quoted_greater_than_in_value() {
        assert_eq!(url_texts(r#"<img alt="a > b" src="a.png">"#), vec!["a.png"]);
    }

    #[test]
    fn unclosed_tag_yields_nothing() {
        assert_eq!(url_texts(r#"<img src="a.png""#), Vec::<&str>::new());
        assert_eq!(url_texts(r#"<img src="a.png"#), Vec::<&str>::new());
        assert_eq!(url_texts("<img src=a.png"), Vec::<&str>::new());
        assert_eq!(url_texts("<img src"), Vec::<&str>::new());
    }

    #[test]
    fn unclosed_tag_swallows_next_tag() {
        // The first tag ends at the last `>`, and its first `src` wins.
        let html = r#"<img src="a.png" <img src="b.png">"#;
        assert_eq!(url_texts(html), vec!["a.png"]);
    }

    #[test]
    fn src_surrounding_spaces_trimmed() {
        let html = r#"<img src=" a.png ">"#;
        let found = find_image_urls(html);
        let expected = HtmlImageUrl {
            url: 11..16,
            ..img_src(0, 10..17, true, "a.png")
        };
        assert_eq!(found, vec![expected]);
    }

    #[test]
    fn src_empty_value() {
        let found = find_image_urls(r#"<img src="">"#);
        assert_eq!(found, vec![img_src(0, 10..10, true, "")]);
    }

    #[test]
    fn src_whitespace_only_value() {
        let found = find_image_urls(r#"<img src="  ">"#);
        let expected = HtmlImageUrl {
            url: 12..12,
            ..img_src(0, 10..12, true, "")
        };
        assert_eq!(found, vec![expected]);
    }

    #[test]
    fn chinese_file_name() {
        let html = r#"<p>截图</p><img alt="截图" src="图片/截图 1.png">"#;
        let found = find_image_urls(html);
        // "<p>截图</p>" is 13 bytes and each of these Chinese characters takes 3 bytes.
        let expected = HtmlImageUrl {
            alt: Some("截图".to_owned()),
            ..img_src(13, 36..55, true, "图片/截图 1.png")
        };
        assert_eq!(found, vec![expected]);
        assert_eq!(&html[found[0].url.clone()], "图片/截图 1.png");
    }

    #[test]
    fn large_data_uri_src() {
        let payload = "A".repeat(5 * 1024 * 1024);
        let html = format!(r#"<img src="data:image/png;base64,{payload}" alt="x">"#);
        let found = find_image_urls(&html);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].url, 10..html.len() - 10);
        assert_eq!(found[0].decoded.len(), 22 + payload.len());
    }

    #[test]
    fn many_unclosed_constructs_finish() {
        // Each input would take quadratic time if a construct were rescanned from each `<`.
        let inputs = [
            "<!--".repeat(200_000),
            "<a ".repeat(200_000),
            "<script>".repeat(100_000),
            "<!x".repeat(200_000),
            "</".repeat(200_000),
            "<img srcset=\"".to_owned() + &"a,".repeat(200_000),
        ];
        for html in &inputs {
            assert_eq!(find_image_urls(html), Vec::new());
        }
    }

    #[test]
    fn random_garbage_never_panics() {
        const PIECES: [&str; 22] = [
            "<", ">", "\"", "'", "=", " ", "/", "!", "-", "a", "g", "m", "i", "s", "r", "c", ",",
            "\n", "img", "src", "srcset", "图",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            // A 64-bit linear congruential generator keeps the inputs the same on every run.
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };

        for _ in 0..500 {
            let length = next() % 80;
            let html: String = (0..length).map(|_| PIECES[next() % PIECES.len()]).collect();

            for found in find_image_urls(&html) {
                assert_eq!(html.as_bytes()[found.tag_start], b'<', "input {html:?}");
                assert!(found.tag_start < found.value.start, "input {html:?}");
                assert!(found.value.end <= html.len(), "input {html:?}");
                assert!(found.value.start <= found.url.start, "input {html:?}");
                assert!(found.url.start <= found.url.end, "input {html:?}");
                assert!(found.url.end <= found.value.end, "input {html:?}");
                assert!(html.get(found.url.clone()).is_some(), "input {html:?}");
                assert!(html.get(found.value.clone()).is_some(), "input {html:?}");
            }
        }
    }
}
