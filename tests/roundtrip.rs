//! Round trips between `embed` and `extract`: extract(embed(doc)) gives back image files
//! byte-identical to the originals, and embed(extract(embed(doc))) equals embed(doc) byte for
//! byte.
//!
//! The first half runs the binary on documents built here with images in every syntax and
//! container, with LF, CRLF and byte-order-mark variants. The second half is a property test
//! over generated documents that calls the library directly; `PROPTEST_CASES` sets the number of
//! cases (256 by default).

mod common;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use mdembed::report::Outcome;
use mdembed::scan::{self, Site};
use proptest::prelude::*;
use proptest::test_runner::Config;

// The binary on fixed documents.

/// The image files every fixture may reference, as (path, bytes).
fn fixture_images() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("img/logo.png", png(1)),
        ("img/photo.jpg", jpeg(2)),
        ("img/anim.gif", gif(3)),
        ("img/pic.webp", webp(4)),
        ("img/old.bmp", bmp(5)),
        ("img/fav.ico", ico(6)),
        // TIFF is not here: no target displays it, so embed converts it and the bytes cannot come back.
        ("img/scan.bmp", bmp(7)),
        ("img/icon.svg", svg()),
        ("img/chart 2024.png", png(8)),
        ("图片/流程图.png", png(9)),
    ]
}

/// Documents with local images in every syntax and container, as (name, text with LF).
fn fixtures() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "inline",
            "# Inline\n\n\
             ![Logo](img/logo.png \"The title\") and ![photo](<img/photo.jpg>) and\n\
             ![spaced](img/chart%202024.png) and ![](<img/chart 2024.png>) and\n\
             ![流程图](图片/流程图.png) ![snake\\_case](./img/anim.gif 'single').\n",
        ),
        (
            "reference",
            "![Logo][brand] and again ![logo][BRAND]\n\
             ![diagram][]\n\
             ![chart]\n\
             \n\
             [brand]: img/logo.png\n    \"Company logo\"\n\
             [diagram]: img/photo.jpg\n\
             [chart]: <img/chart 2024.png>\n",
        ),
        (
            "html",
            "<p align=\"center\">\n  <img alt=\"Anim\" src=\"img/anim.gif\" width=\"300\">\n</p>\n\n\
             Text <IMG SRC='img/pic.webp' ALT='Pic'> and <img src=img/old.bmp width=30> here.\n\n\
             <picture>\n<source srcset=\"img/logo.png 1x, img/photo.jpg 2x\">\n\
             <img src=\"img/fav.ico\" srcset=\"img/scan.bmp 1x,img/icon.svg 2x\" alt=\"Fav\">\n</picture>\n",
        ),
        (
            "containers",
            "| Step | Screen |\n|:---|---:|\n| 1 | ![one](img/logo.png) |\n| 2 | <img src=\"img/photo.jpg\"> |\n\n\
             * item ![two](img/anim.gif)\n  - nested ![three][t]\n* snake\\_case\n\n\
             1. first ![four](img/pic.webp)\n2. second\n\n\
             > quote ![five](img/old.bmp)\n> > deeper ![six](img/fav.ico)\n>\n> - in list ![seven](img/scan.bmp)\n\n\
             [t]: img/icon.svg\n",
        ),
        (
            "untouched",
            "---\ncover: img/logo.png\ntitle: \"![t](img/logo.png)\"\n---\n\
             Inline `![code](img/logo.png)` and [a link](img/photo.jpg).\n\n\
             ```markdown\n![fenced](img/logo.png)\n```\n\n\
             <!-- ![comment](img/logo.png) -->\n\n\
             ![remote](https://example.org/x.png) ![kept](img/logo.png)\n",
        ),
        (
            "duplicates",
            "![same](img/logo.png) ![same](img/photo.jpg) ![other](img/logo.png)\n\
             <img src=\"img/logo.png\" alt=\"same\">\n",
        ),
        (
            "no-final-newline",
            "* item with snake\\_case\n![x](img/logo.png){width=50%}   ",
        ),
    ]
}

/// Returns the variants of a text: LF, CRLF, LF with a byte order mark, and CRLF with one.
fn variants(text: &str) -> Vec<(&'static str, String)> {
    vec![
        ("lf", text.to_string()),
        ("crlf", text.replace('\n', "\r\n")),
        ("bom", format!("\u{feff}{text}")),
        (
            "bom-crlf",
            format!("\u{feff}{}", text.replace('\n', "\r\n")),
        ),
    ]
}

/// Returns the bytes of every local image the document at `relative` references, in source
/// order, read from the files its destinations name (percent-decoded, relative to the document).
fn referenced_files(ws: &Workspace, relative: &str) -> Vec<(String, Vec<u8>)> {
    let text = ws.read_text(relative);
    let document_dir = ws.join(relative).parent().unwrap().to_path_buf();
    scan::scan(&text)
        .references
        .iter()
        .filter(|r| !r.dest.starts_with("https:") && !r.dest.starts_with("data:"))
        .map(|r| {
            let decoded = percent_encoding::percent_decode_str(&r.dest)
                .decode_utf8()
                .expect("UTF-8 destination")
                .into_owned();
            let bytes = std::fs::read(document_dir.join(&decoded))
                .unwrap_or_else(|e| panic!("read {decoded}: {e}"));
            (r.dest.clone(), bytes)
        })
        .collect()
}

#[test]
fn fixtures_round_trip_through_binary() {
    for (name, text) in fixtures() {
        for (variant, input) in variants(text) {
            let case = format!("{name}/{variant}");
            let ws = Workspace::new();
            for (path, bytes) in fixture_images() {
                ws.write(path, bytes);
            }
            ws.write("doc.md", &input);
            let originals = referenced_files(&ws, "doc.md");
            assert!(!originals.is_empty(), "{case}: precondition");

            let embed = ws.run(&["embed", "-o", "embedded.md", "doc.md"]);
            assert_eq!(embed.code, Some(0), "{case}: embed: {}", embed.stderr);
            let embedded = ws.read("embedded.md");
            assert_ne!(embedded, input.as_bytes(), "{case}: nothing embedded");

            let extract = ws.run(&["extract", "-o", "extracted.md", "embedded.md"]);
            assert_eq!(extract.code, Some(0), "{case}: extract: {}", extract.stderr);
            let extracted = referenced_files(&ws, "extracted.md");
            assert_eq!(extracted.len(), originals.len(), "{case}: reference count");
            for ((dest, bytes), (original_dest, original)) in extracted.iter().zip(&originals) {
                assert!(
                    dest.starts_with("extracted.assets/"),
                    "{case}: {dest} outside the assets folder"
                );
                assert!(
                    bytes == original,
                    "{case}: {dest} differs from {original_dest}"
                );
            }

            let again = ws.run(&["embed", "-o", "re-embedded.md", "extracted.md"]);
            assert_eq!(again.code, Some(0), "{case}: re-embed: {}", again.stderr);
            assert!(
                ws.read("re-embedded.md") == embedded,
                "{case}: embed(extract(embed(doc))) differs from embed(doc)"
            );
        }
    }
}

#[test]
fn extract_in_place_then_embed_in_place() {
    let ws = Workspace::new();
    for (path, bytes) in fixture_images() {
        ws.write(path, bytes);
    }
    let (_, text) = fixtures()[3];
    ws.write("doc.md", text);
    ws.run(&["embed", "-i", "doc.md"]);
    let embedded = ws.read("doc.md");

    let extract = ws.run(&["extract", "-i", "doc.md"]);
    assert_eq!(extract.code, Some(0), "{}", extract.stderr);
    let extract_again = ws.run(&["extract", "-i", "doc.md"]);
    assert_eq!(extract_again.code, Some(0), "{}", extract_again.stderr);
    let embed = ws.run(&["embed", "-i", "doc.md"]);
    assert_eq!(embed.code, Some(0), "{}", embed.stderr);
    assert!(
        ws.read("doc.md") == embedded,
        "document differs after the round trip"
    );
}

#[test]
fn embedded_uris_are_canonical() {
    let ws = Workspace::new();
    for (path, bytes) in fixture_images() {
        ws.write(path, bytes);
    }
    let (_, text) = fixtures()[0];
    ws.write("doc.md", text);
    let run = ws.run(&["embed", "doc.md"]);
    let references = scan::scan(&run.stdout).references;
    let uris: Vec<&str> = references
        .iter()
        .map(|r| r.dest.as_str())
        .filter(|d| d.starts_with("data:"))
        .collect();
    assert_eq!(uris.len(), 6);
    for uri in uris {
        let payload = uri.split_once(";base64,").expect("base64 data URI").1;
        assert!(
            !payload.contains([' ', '\n', '\r', '-', '_']),
            "not the standard alphabet on one line: {uri}"
        );
        assert_eq!(payload.len() % 4, 0, "padding missing: {uri}");
    }
}

// The library on generated documents.

/// One image file of the pool that generated documents reference.
struct PoolImage {
    /// The path below the case's folder.
    path: &'static str,
    /// The destination as Markdown writes it.
    markdown: &'static str,
    /// The URL as an HTML attribute writes it.
    html: &'static str,
    bytes: Vec<u8>,
}

fn pool() -> &'static [PoolImage] {
    static POOL: OnceLock<Vec<PoolImage>> = OnceLock::new();
    POOL.get_or_init(|| {
        vec![
            PoolImage {
                path: "a.png",
                markdown: "a.png",
                html: "a.png",
                bytes: png(1),
            },
            PoolImage {
                path: "sub/b.jpg",
                markdown: "sub/b.jpg",
                html: "./sub/b.jpg",
                bytes: jpeg(2),
            },
            PoolImage {
                path: "c d.gif",
                markdown: "<c d.gif>",
                html: "c%20d.gif",
                bytes: gif(3),
            },
            PoolImage {
                path: "图片/流程图.svg",
                markdown: "图片/流程图.svg",
                html: "图片/流程图.svg",
                bytes: svg(),
            },
            PoolImage {
                path: "e.webp",
                markdown: "./e.webp",
                html: "e.webp",
                bytes: webp(4),
            },
            PoolImage {
                path: "c d.gif",
                markdown: "c%20d.gif",
                html: "c%20d.gif",
                bytes: gif(3),
            },
        ]
    })
}

const MISSING: &str = "missing.png";
const REMOTE: &str = "https://example.org/r.png";
const ALTS: [&str; 8] = [
    "",
    "chart",
    "流程图 一",
    "a/b",
    "Fig 1",
    "CON",
    "x",
    "../../up",
];
const LABELS: [&str; 4] = ["fig", "Chart", "图一", "x y"];
const TEXTS: [&str; 10] = [
    "Hello world",
    "数据分析与图片",
    "snake\\_case",
    "*emph*",
    "**bold**",
    "x < y & z",
    "中文，标点。",
    "trailing  ",
    "a.png",
    "100%",
];
const CODES: [&str; 3] = [
    "`![code](a.png)`",
    "`<img src=\"a.png\">`",
    "``![x](sub/b.jpg) `tick` ``",
];
const LINKS: [&str; 3] = [
    "[link](a.png)",
    "[remote](https://example.org)",
    "<https://example.org/a.png>",
];

/// Where a generated image points.
#[derive(Debug, Clone)]
enum Dest {
    Pool(usize),
    Missing,
    Remote,
}

impl Dest {
    fn markdown(&self) -> &'static str {
        match self {
            Dest::Pool(i) => pool()[*i].markdown,
            Dest::Missing => MISSING,
            Dest::Remote => REMOTE,
        }
    }

    fn html(&self) -> &'static str {
        match self {
            Dest::Pool(i) => pool()[*i].html,
            Dest::Missing => MISSING,
            Dest::Remote => REMOTE,
        }
    }
}

/// How a generated image is written.
#[derive(Debug, Clone, Copy)]
enum ImageForm {
    Inline,
    InlineTitle,
    Full,
    FullTitleNextLine,
    Collapsed,
    Shortcut,
    HtmlDouble,
    HtmlSingle,
    HtmlUnquoted,
    Srcset,
}

#[derive(Debug, Clone)]
struct GenImage {
    form: ImageForm,
    alt: usize,
    label: usize,
    dest: Dest,
    second: Dest,
}

#[derive(Debug, Clone)]
enum Piece {
    Text(usize),
    Image(GenImage),
    Code(usize),
    Link(usize),
}

#[derive(Debug, Clone)]
enum Block {
    Paragraph(Vec<Piece>),
    Heading(usize, Vec<Piece>),
    List(bool, Vec<Vec<Piece>>),
    Ordered(Vec<Vec<Piece>>),
    Table(Vec<(Vec<Piece>, Vec<Piece>)>),
    Quote(Vec<Piece>),
    Fence(GenImage),
    Comment(GenImage),
}

#[derive(Debug, Clone)]
struct GenDoc {
    front_matter: bool,
    blocks: Vec<Block>,
    crlf: bool,
    bom: bool,
}

fn dest_strategy() -> impl Strategy<Value = Dest> {
    prop_oneof![
        6 => (0..pool().len()).prop_map(Dest::Pool),
        1 => Just(Dest::Missing),
        1 => Just(Dest::Remote),
    ]
}

fn image_strategy() -> impl Strategy<Value = GenImage> {
    let form = prop_oneof![
        Just(ImageForm::Inline),
        Just(ImageForm::InlineTitle),
        Just(ImageForm::Full),
        Just(ImageForm::FullTitleNextLine),
        Just(ImageForm::Collapsed),
        Just(ImageForm::Shortcut),
        Just(ImageForm::HtmlDouble),
        Just(ImageForm::HtmlSingle),
        Just(ImageForm::HtmlUnquoted),
        Just(ImageForm::Srcset),
    ];
    (
        form,
        0..ALTS.len(),
        0..LABELS.len(),
        dest_strategy(),
        dest_strategy(),
    )
        .prop_map(|(form, alt, label, dest, second)| GenImage {
            form,
            alt,
            label,
            dest,
            second,
        })
}

fn pieces_strategy() -> impl Strategy<Value = Vec<Piece>> {
    let piece = prop_oneof![
        3 => (0..TEXTS.len()).prop_map(Piece::Text),
        4 => image_strategy().prop_map(Piece::Image),
        1 => (0..CODES.len()).prop_map(Piece::Code),
        1 => (0..LINKS.len()).prop_map(Piece::Link),
    ];
    prop::collection::vec(piece, 1..5)
}

fn block_strategy() -> impl Strategy<Value = Block> {
    prop_oneof![
        4 => pieces_strategy().prop_map(Block::Paragraph),
        1 => (1..4usize, pieces_strategy()).prop_map(|(level, p)| Block::Heading(level, p)),
        2 => (any::<bool>(), prop::collection::vec(pieces_strategy(), 1..4))
            .prop_map(|(star, items)| Block::List(star, items)),
        1 => prop::collection::vec(pieces_strategy(), 1..3).prop_map(Block::Ordered),
        1 => prop::collection::vec((pieces_strategy(), pieces_strategy()), 1..3)
            .prop_map(Block::Table),
        2 => pieces_strategy().prop_map(Block::Quote),
        1 => image_strategy().prop_map(Block::Fence),
        1 => image_strategy().prop_map(Block::Comment),
    ]
}

fn doc_strategy() -> impl Strategy<Value = GenDoc> {
    (
        any::<bool>(),
        prop::collection::vec(block_strategy(), 1..8),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(front_matter, blocks, crlf, bom)| GenDoc {
            front_matter,
            blocks,
            crlf,
            bom,
        })
}

/// Writes generated documents, collecting the reference definitions to append at the end.
#[derive(Default)]
struct Renderer {
    out: String,
    definitions: Vec<String>,
    next_label: usize,
}

impl Renderer {
    fn image(&mut self, image: &GenImage) {
        let alt = ALTS[image.alt];
        let label = LABELS[image.label];
        let out = match image.form {
            ImageForm::Inline => format!("![{alt}]({})", image.dest.markdown()),
            ImageForm::InlineTitle => format!("![{alt}]({} \"A title\")", image.dest.markdown()),
            ImageForm::Full | ImageForm::FullTitleNextLine => {
                self.next_label += 1;
                let id = format!("img{}", self.next_label);
                let title = match image.form {
                    ImageForm::FullTitleNextLine => "\n    \"Next line\"",
                    _ => "",
                };
                self.definitions
                    .push(format!("[{id}]: {}{title}", image.dest.markdown()));
                format!("![{alt}][{id}]")
            }
            ImageForm::Collapsed => {
                self.definitions
                    .push(format!("[{label}]: {}", image.dest.markdown()));
                format!("![{label}][]")
            }
            ImageForm::Shortcut => {
                self.definitions
                    .push(format!("[{label}]: {}", image.dest.markdown()));
                format!("![{label}]")
            }
            ImageForm::HtmlDouble => {
                format!("<img src=\"{}\" alt=\"{alt}\">", image.dest.html())
            }
            ImageForm::HtmlSingle => format!("<img alt='{alt}' src='{}'>", image.dest.html()),
            ImageForm::HtmlUnquoted => format!("<img src={} width=20>", image.dest.html()),
            ImageForm::Srcset => format!(
                "<img srcset=\"{} 1x, {} 2x\" alt=\"{alt}\">",
                image.dest.html(),
                image.second.html()
            ),
        };
        self.out.push_str(&out);
    }

    fn pieces(&mut self, pieces: &[Piece]) {
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            match piece {
                Piece::Text(t) => self.out.push_str(TEXTS[*t]),
                Piece::Image(image) => self.image(image),
                Piece::Code(c) => self.out.push_str(CODES[*c]),
                Piece::Link(l) => self.out.push_str(LINKS[*l]),
            }
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Paragraph(pieces) => self.pieces(pieces),
            Block::Heading(level, pieces) => {
                self.out.push_str(&"#".repeat(*level));
                self.out.push(' ');
                self.pieces(pieces);
            }
            Block::List(star, items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push('\n');
                    }
                    self.out.push_str(if *star { "* " } else { "- " });
                    self.pieces(item);
                }
            }
            Block::Ordered(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push('\n');
                    }
                    self.out.push_str(&format!("{}. ", i + 1));
                    self.pieces(item);
                }
            }
            Block::Table(rows) => {
                self.out.push_str("| A | B |\n|---|:-:|");
                for (left, right) in rows {
                    self.out.push_str("\n| ");
                    self.pieces(left);
                    self.out.push_str(" | ");
                    self.pieces(right);
                    self.out.push_str(" |");
                }
            }
            Block::Quote(pieces) => {
                self.out.push_str("> ");
                self.pieces(pieces);
            }
            Block::Fence(image) => {
                self.out.push_str("```markdown\n");
                let mut inner = Renderer::default();
                inner.image(image);
                self.out.push_str(&inner.out);
                self.out.push_str("\n```");
            }
            Block::Comment(image) => {
                self.out.push_str("<!-- ");
                let mut inner = Renderer::default();
                inner.image(image);
                self.out.push_str(&inner.out);
                self.out.push_str(" -->");
            }
        }
    }
}

fn render(doc: &GenDoc) -> String {
    let mut renderer = Renderer::default();
    if doc.front_matter {
        renderer
            .out
            .push_str("---\ntitle: \"![t](a.png)\"\ncover: a.png\n---\n");
    }
    for block in &doc.blocks {
        renderer.block(block);
        renderer.out.push_str("\n\n");
    }
    let definitions = std::mem::take(&mut renderer.definitions);
    for definition in definitions {
        renderer.out.push_str(&definition);
        renderer.out.push('\n');
    }
    let mut text = renderer.out;
    if doc.crlf {
        text = text.replace('\n', "\r\n");
    }
    if doc.bom {
        text.insert(0, '\u{feff}');
    }
    text
}

/// Returns `text` with every located destination replaced by U+0001, written the way a
/// rewrite would write it (an unquoted attribute value gets quotes, an own destination its
/// parentheses), so that two documents compare equal when only destinations differ.
fn with_placeholders(text: &str) -> String {
    const MARK: &str = "\u{1}";
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for reference in scan::scan(text).references {
        match reference.site {
            Site::Destination(range) | Site::Definition(range) => {
                edits.push((range, MARK.to_string()));
            }
            Site::UnquotedAttribute { value, url } => {
                let replaced = format!(
                    "\"{}{MARK}{}\"",
                    &text[value.start..url.start],
                    &text[url.end..value.end]
                );
                edits.push((value, replaced));
            }
            Site::OwnDestination { range, title } => {
                let title = title.map(|t| format!(" {t}")).unwrap_or_default();
                edits.push((range, format!("({MARK}{title})")));
            }
            _ => {}
        }
    }
    edits.sort_by_key(|(range, _)| (range.start, range.end));
    edits.dedup_by(|a, b| a.0 == b.0);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, replacement) in edits {
        assert!(range.start >= at, "overlapping destinations at {range:?}");
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[test]
fn placeholders_replace_only_destinations() {
    let text = "A ![a](x.png \"t\") <img src=y.png> ![b][l] `![c](z.png)`\n\n[l]: <w v.png>\n";
    assert_eq!(
        with_placeholders(text),
        "A ![a](\u{1} \"t\") <img src=\"\u{1}\"> ![b][l] `![c](z.png)`\n\n[l]: \u{1}\n"
    );
}

fn embed_options(root: &Path) -> mdembed::EmbedOptions {
    mdembed::EmbedOptions {
        root: Some(root.to_path_buf()),
        ..Default::default()
    }
}

/// Returns the number of cases: `PROPTEST_CASES`, else 256.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(256)
}

fn config() -> Config {
    Config {
        cases: cases(),
        // Failures are printed with their minimal input; no regression file is written into
        // the source tree.
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn embed_and_extract_round_trip(doc in doc_strategy()) {
        let text = render(&doc);
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path().canonicalize().expect("canonical folder");
        for image in pool() {
            let path = root.join(image.path);
            std::fs::create_dir_all(path.parent().unwrap()).expect("create folder");
            std::fs::write(&path, &image.bytes).expect("write image");
        }
        let options = embed_options(&root);

        // Embedding changes only destinations.
        let embedded = mdembed::embed(&text, &root, &options).expect("embed");
        prop_assert_eq!(with_placeholders(&embedded.text), with_placeholders(&text));

        // Embedding is idempotent.
        let twice = mdembed::embed(&embedded.text, &root, &options).expect("embed again");
        prop_assert_eq!(&twice.text, &embedded.text);

        // Extracting gives back the files that were embedded, byte for byte.
        let target = mdembed::ExtractTarget {
            document_dir: root.clone(),
            document_stem: "doc".to_string(),
            ..Default::default()
        };
        let extracted = mdembed::extract(&embedded.text, &target, &mdembed::ExtractOptions::default())
            .expect("extract");
        prop_assert_eq!(with_placeholders(&extracted.text), with_placeholders(&embedded.text));
        let sources: Vec<PathBuf> = embedded
            .references
            .iter()
            .filter_map(|r| match &r.outcome {
                Outcome::Embedded { path, .. } => Some(path.clone()),
                _ => None,
            })
            .collect();
        let mut written = Vec::new();
        for reference in &extracted.references {
            match &reference.outcome {
                Outcome::Extracted { path, truncated, .. } => {
                    prop_assert!(!truncated, "truncated: {:?}", reference);
                    written.push(path.clone());
                }
                Outcome::Problem(problem) => {
                    prop_assert!(false, "problem {} at {}", problem, reference.location);
                }
                _ => {}
            }
        }
        prop_assert_eq!(written.len(), sources.len());
        for (file, source) in written.iter().zip(&sources) {
            let file_bytes = std::fs::read(file).expect("read extracted file");
            let source_bytes = std::fs::read(source).expect("read source image");
            prop_assert!(file_bytes == source_bytes, "{} differs from {}", file.display(), source.display());
            prop_assert!(file.starts_with(root.join("doc.assets")), "{} outside doc.assets", file.display());
        }

        // Embedding the extracted document gives the embedded document again.
        let again = mdembed::embed(&extracted.text, &root, &options).expect("embed extracted");
        prop_assert_eq!(&again.text, &embedded.text);
    }
}
