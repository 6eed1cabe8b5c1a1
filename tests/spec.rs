//! The CommonMark 0.31.2 and GFM 0.29 spec examples through the library.
//!
//! The examples are read from `MDEMBED_SPEC_DIR`, or else from `../shared/corpus/spec` next to
//! the crate, and are not copied into this repository. When the files are absent the tests print
//! a notice and pass, so a checkout without the corpus still tests the rest.
//!
//! Two checks per example:
//! 1. `mdembed::embed` with an empty folder as root and base changes nothing, because no image
//!    file exists.
//! 2. Every destination the scanner locates is replaced with a fixed data URI, and pulldown-cmark
//!    must parse the result to the same events, except that exactly the rewritten images now
//!    have the data URI as `dest_url`. This shows the located ranges are the destinations and
//!    nothing else.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mdembed::rewrite::{self, Edit};
use mdembed::scan::{self, Site, Syntax};
use pulldown_cmark::{Event, LinkType, Parser, Tag};

const URI: &str = "data:image/png;base64,AAAA";
const FILES: [&str; 2] = ["commonmark-0.31.2.spec.json", "gfm-0.29.spec.json"];

/// Returns the folder holding the spec files.
fn spec_dir() -> PathBuf {
    match std::env::var_os("MDEMBED_SPEC_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/spec"),
    }
}

/// Returns (name, markdown) for every example of the spec files present.
fn examples() -> Vec<(String, String)> {
    let dir = spec_dir();
    let mut examples = Vec::new();
    for file in FILES {
        let path = dir.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!(
                "notice: {} not found, its examples are skipped",
                path.display()
            );
            continue;
        };
        let parsed: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
        let items = parsed.as_array().expect("a JSON array of examples");
        for (index, item) in items.iter().enumerate() {
            let markdown = item["markdown"]
                .as_str()
                .expect("a markdown field")
                .to_string();
            let number = item["example"].as_u64().map_or(index as u64 + 1, |n| n);
            examples.push((format!("{file} example {number}"), markdown));
        }
    }
    examples
}

#[test]
fn spec_examples_unchanged_without_images() {
    let examples = examples();
    let dir = tempfile::tempdir().expect("temporary directory");
    let options = mdembed::EmbedOptions {
        root: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    for (name, markdown) in &examples {
        let embedded = mdembed::embed(markdown, dir.path(), &options)
            .unwrap_or_else(|e| panic!("{name}: embed failed: {e}"));
        assert_eq!(&embedded.text, markdown, "{name} changed");
    }
}

/// Parses `text` with mdembed's parser options into events with their source ranges.
fn parse(text: &str) -> Vec<(Event<'_>, Range<usize>)> {
    Parser::new_ext(text, scan::parser_options())
        .into_offset_iter()
        .collect()
}

fn is_reference(link_type: LinkType) -> bool {
    matches!(
        link_type,
        LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
    )
}

/// What the strong check rewrote in one example.
#[derive(Default)]
struct Rewritten {
    markdown_sites: usize,
    html_sites: usize,
    /// References whose site is not checked here: unlocated, own destination, unquoted.
    other_sites: usize,
}

/// Rewrites every located destination of `markdown` and compares the events. Returns what was
/// rewritten, or `None` when the example has no references.
fn check_example(name: &str, markdown: &str) -> Option<Rewritten> {
    let scanned = scan::scan(markdown);
    if scanned.references.is_empty() {
        return None;
    }
    let body_start = scanned.front_matter.as_ref().map_or(
        if markdown.starts_with('\u{feff}') {
            3
        } else {
            0
        },
        |r| r.end,
    );

    let uri: Arc<str> = Arc::from(URI);
    let mut edits = Vec::new();
    let mut image_starts = HashSet::new();
    let mut definitions = HashSet::new();
    let mut rewritten = Rewritten::default();
    for reference in &scanned.references {
        let html = matches!(reference.syntax, Syntax::HtmlSrc | Syntax::HtmlSrcset);
        match &reference.site {
            Site::Destination(range) => {
                edits.push(Edit::replace(range.clone(), uri.clone()));
                if html {
                    rewritten.html_sites += 1;
                } else {
                    image_starts.insert(reference.start - body_start);
                    rewritten.markdown_sites += 1;
                }
            }
            Site::Definition(range) => {
                if definitions.insert(range.start - body_start..range.end - body_start) {
                    edits.push(Edit::replace(range.clone(), uri.clone()));
                    rewritten.markdown_sites += 1;
                }
            }
            _ => rewritten.other_sites += 1,
        }
    }
    let new =
        rewrite::apply(markdown, edits).unwrap_or_else(|e| panic!("{name}: edits overlap: {e}"));

    let mut old_parser =
        Parser::new_ext(&markdown[body_start..], scan::parser_options()).into_offset_iter();
    let old_events: Vec<(Event<'_>, Range<usize>)> = old_parser.by_ref().collect();
    let old_definitions = old_parser.reference_definitions();
    let new_events = parse(&new[body_start..]);
    // Whether the definition that `label` names had its destination rewritten. The lookup
    // matches labels the way pulldown-cmark does, with Unicode case folding.
    let definition_rewritten = |label: &str| {
        old_definitions.get(label).is_some_and(|def| {
            definitions
                .iter()
                .any(|d| def.span.start <= d.start && d.end <= def.span.end)
        })
    };

    assert_eq!(
        old_events.len(),
        new_events.len(),
        "{name}: event count changed\n--- before\n{markdown}\n--- after\n{new}"
    );
    let mut html_uris = 0;
    for ((old, range), (new_event, _)) in old_events.iter().zip(&new_events) {
        match (old, new_event) {
            (
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }),
                Event::Start(Tag::Image {
                    link_type: new_type,
                    dest_url: new_dest,
                    title: new_title,
                    id: new_id,
                }),
            ) => {
                let by_definition = is_reference(*link_type) && definition_rewritten(id);
                let expected = if image_starts.contains(&range.start) || by_definition {
                    URI
                } else {
                    dest_url.as_ref()
                };
                assert_eq!(
                    new_dest.as_ref(),
                    expected,
                    "{name}: image destination\n{new}"
                );
                assert_eq!(new_type, link_type, "{name}: image link type");
                assert_eq!(new_title, title, "{name}: image title");
                assert_eq!(new_id, id, "{name}: image label");
            }
            (Event::Html(old_text), Event::Html(new_text))
            | (Event::InlineHtml(old_text), Event::InlineHtml(new_text)) => {
                // HTML text changes where a `src` was rewritten; the events around it must not.
                html_uris += new_text.matches(URI).count() - old_text.matches(URI).count();
            }
            _ => assert_eq!(new_event, old, "{name}: event differs\n--- after\n{new}"),
        }
    }
    assert_eq!(
        html_uris, rewritten.html_sites,
        "{name}: HTML destinations\n{new}"
    );
    Some(rewritten)
}

#[test]
fn spec_examples_rewrite_only_destinations() {
    let examples = examples();
    if examples.is_empty() {
        return;
    }
    let mut with_references = 0;
    let mut markdown_sites = 0;
    let mut html_sites = 0;
    let mut other_sites = 0;
    for (name, markdown) in &examples {
        if let Some(rewritten) = check_example(name, markdown) {
            with_references += 1;
            markdown_sites += rewritten.markdown_sites;
            html_sites += rewritten.html_sites;
            other_sites += rewritten.other_sites;
        }
    }
    eprintln!(
        "spec examples: {} in all, {with_references} with image references, \
         {markdown_sites} Markdown and {html_sites} HTML destinations rewritten and checked, \
         {other_sites} references with other sites",
        examples.len()
    );
    assert!(
        with_references > 0,
        "no spec example has an image reference"
    );
}
