//! Embeds real documentation folders and notes, and checks that only destinations changed.
//!
//! The corpora are public documents kept outside the repository. The test reads them from
//! `MDEMBED_CORPUS_DIR` or from `../shared/corpus` beside the checkout, and prints a notice and
//! passes when they are absent. Each corpus prints one line of counts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mdembed::report::Outcome;
use std::ops::Range;

use mdembed::scan::{self, ScanOptions, Site};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("MDEMBED_CORPUS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "notice: corpus not found at {}, skipped (set MDEMBED_CORPUS_DIR)",
            dir.display()
        );
        None
    }
}

/// The ranges a rewrite may change in one document, each with a placeholder: destinations, and
/// for an Obsidian embed the whole construct.
fn changeable(text: &str, obsidian: bool) -> Vec<(Range<usize>, &'static str, bool)> {
    let scanned = scan::scan_with(text, ScanOptions { obsidian });
    let mut ranges = Vec::new();
    for reference in &scanned.references {
        let range = match &reference.site {
            Site::Destination(range) | Site::Definition(range) => (range.clone(), "\0", false),
            Site::UnquotedAttribute { value, .. } => (value.clone(), "\"\0\"", false),
            Site::Embed(range) => (range.clone(), "\0embed\0", true),
            Site::OwnDestination { .. } | Site::Unlocated => continue,
        };
        ranges.push(range);
    }
    ranges
}

/// Replaces every changeable range of `input` and `output` with a placeholder, so that the two
/// compare equal exactly when the rewrite changed nothing else. An embed in the input pairs with
/// the image that replaced it in the output, whose whole construct is replaced.
fn strip_pair(input: &str, output: &str, obsidian: bool) -> (String, String) {
    let before = changeable(input, obsidian);
    let mut after = changeable(output, obsidian);
    assert_eq!(before.len(), after.len(), "reference count changed");
    for ((_, _, was_embed), (range, placeholder, is_embed)) in before.iter().zip(after.iter_mut()) {
        if *was_embed && !*is_embed {
            // `![alt](data:...)` replaced `![[...]]`: from its `!` through the `)`.
            let start = output[..range.start].rfind("![").expect("image start");
            *range = start..range.end + 1;
            *placeholder = "\0embed\0";
        }
    }
    (replace_ranges(input, before), replace_ranges(output, after))
}

fn replace_ranges(text: &str, mut ranges: Vec<(Range<usize>, &'static str, bool)>) -> String {
    ranges.sort_by_key(|(r, _, _)| (r.start, r.end));
    ranges.dedup();
    let mut out = String::new();
    let mut copied = 0;
    for (range, placeholder, _) in ranges {
        if range.start < copied {
            continue;
        }
        out.push_str(&text[copied..range.start]);
        out.push_str(placeholder);
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Replaces every located destination with a placeholder (CommonMark reading).
fn without_destinations(text: &str) -> String {
    replace_ranges(text, changeable(text, false))
}

fn parser_options(obsidian: bool) -> pulldown_cmark::Options {
    let mut options = scan::parser_options();
    if obsidian {
        options |= pulldown_cmark::Options::ENABLE_WIKILINKS;
    }
    options
}

/// Image destinations in parse order, as pulldown-cmark reads them.
fn image_destinations(text: &str, obsidian: bool) -> Vec<String> {
    Parser::new_ext(text, parser_options(obsidian))
        .filter_map(|event| match event {
            Event::Start(Tag::Image { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .collect()
}

/// Events outside images, other than raw HTML, which may differ in `src` values.
fn other_events(text: &str, obsidian: bool) -> Vec<String> {
    let mut depth = 0usize;
    let mut events = Vec::new();
    for event in Parser::new_ext(text, parser_options(obsidian)) {
        match &event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) => depth -= 1,
            Event::Html(_) | Event::InlineHtml(_) => {}
            _ if depth == 0 => events.push(format!("{event:?}")),
            _ => {}
        }
    }
    events
}

#[derive(Default)]
struct Counts {
    documents: usize,
    changed: usize,
    by_syntax: BTreeMap<&'static str, usize>,
    by_outcome: BTreeMap<String, usize>,
}

fn embed_corpus(root: &Path, documents: &[PathBuf]) -> Counts {
    let options = mdembed::EmbedOptions {
        root: Some(root.to_path_buf()),
        ..Default::default()
    };
    let embedder = mdembed::Embedder::new(&options).unwrap();
    let mut counts = Counts::default();
    for path in documents {
        let source = std::fs::read_to_string(path).unwrap();
        let base = path.parent().unwrap();
        let out = embedder.embed(&source, base).unwrap();
        let obsidian = mdembed::obsidian::find_vault(base).is_some();
        counts.documents += 1;
        if out.text != source {
            counts.changed += 1;
        }
        for reference in &out.references {
            *counts.by_syntax.entry(reference.syntax.name()).or_default() += 1;
            let outcome = match &reference.outcome {
                Outcome::Embedded { .. } => "embedded".to_string(),
                Outcome::Extracted { .. } => "extracted".to_string(),
                Outcome::Skipped(skip) => format!("skipped {}", skip.name()),
                Outcome::Problem(problem) => format!("problem {}", problem.name()),
            };
            *counts.by_outcome.entry(outcome).or_default() += 1;
        }

        let (before, after) = strip_pair(&source, &out.text, obsidian);
        assert_eq!(
            after,
            before,
            "bytes other than destinations changed in {}",
            path.display()
        );
        assert_eq!(
            other_events(&out.text, obsidian),
            other_events(&source, obsidian),
            "events other than images changed in {}",
            path.display()
        );
        let before = image_destinations(&source, obsidian);
        let after = image_destinations(&out.text, obsidian);
        assert_eq!(before.len(), after.len(), "{}", path.display());
        for (old, new) in before.iter().zip(&after) {
            assert!(
                old == new || new.starts_with("data:image/"),
                "{}: {old} became {}",
                path.display(),
                &new[..new.len().min(40)]
            );
        }
        // Embedding again changes nothing.
        let again = embedder.embed(&out.text, base).unwrap();
        assert_eq!(again.text, out.text, "{} not idempotent", path.display());
    }
    counts
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    mdembed::walk::collect(&[dir.to_path_buf()], &[])
        .documents
        .into_iter()
        .map(|d| d.path)
        .collect()
}

fn report(name: &str, counts: &Counts) {
    eprintln!(
        "{name}: {} documents, {} changed; references {:?}; outcomes {:?}",
        counts.documents, counts.changed, counts.by_syntax, counts.by_outcome
    );
}

#[test]
fn corpus_folders_change_only_destinations() {
    let Some(corpus) = corpus_dir() else { return };
    for name in ["docs-site", "typora-notes", "obsidian-vault", "embedded"] {
        let dir = corpus.join(name);
        if !dir.is_dir() {
            eprintln!("notice: {} missing, skipped", dir.display());
            continue;
        }
        let counts = embed_corpus(&dir, &markdown_files(&dir));
        report(name, &counts);
        assert!(counts.documents > 0, "{name} has no documents");
    }
}

#[test]
fn seed_note_changes_nothing_without_images() {
    let Some(corpus) = corpus_dir() else { return };
    let seeds = corpus.join("../seeds");
    let Ok(entries) = std::fs::read_dir(&seeds) else {
        eprintln!("notice: {} missing, skipped", seeds.display());
        return;
    };
    let notes: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    let counts = embed_corpus(&seeds, &notes);
    report("seeds", &counts);
    assert_eq!(counts.changed, 0);
}

#[test]
fn embedded_corpus_extracts_only_destinations() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = corpus.join("embedded");
    if !dir.is_dir() {
        eprintln!("notice: {} missing, skipped", dir.display());
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let extractor = mdembed::Extractor::new(mdembed::ExtractOptions::default());
    let mut counts = Counts::default();
    for (index, path) in markdown_files(&dir).iter().enumerate() {
        let source = std::fs::read_to_string(path).unwrap();
        let document_dir = out.path().join(index.to_string());
        let target = mdembed::ExtractTarget {
            document_dir: document_dir.clone(),
            document_stem: "doc".to_string(),
            ..Default::default()
        };
        let extracted = extractor.extract(&source, &target).unwrap();
        counts.documents += 1;
        if extracted.text != source {
            counts.changed += 1;
        }
        for reference in &extracted.references {
            *counts.by_syntax.entry(reference.syntax.name()).or_default() += 1;
            let outcome = match &reference.outcome {
                Outcome::Extracted { .. } => "extracted".to_string(),
                Outcome::Embedded { .. } => "embedded".to_string(),
                Outcome::Skipped(skip) => format!("skipped {}", skip.name()),
                Outcome::Problem(problem) => format!("problem {}", problem.name()),
            };
            *counts.by_outcome.entry(outcome).or_default() += 1;
        }
        assert_eq!(
            without_destinations(&extracted.text),
            without_destinations(&source),
            "bytes other than destinations changed in {}",
            path.display()
        );
        assert_eq!(
            other_events(&extracted.text, false),
            other_events(&source, false)
        );

        // Embedding the extracted document gives back the same image bytes.
        std::fs::create_dir_all(&document_dir).unwrap();
        let options = mdembed::EmbedOptions {
            root: Some(document_dir.clone()),
            ..Default::default()
        };
        let embedded = mdembed::embed(&extracted.text, &document_dir, &options).unwrap();
        let again =
            mdembed::extract(&embedded.text, &target, &mdembed::ExtractOptions::default()).unwrap();
        assert_eq!(again.text, extracted.text, "{}", path.display());
    }
    report("embedded (extract)", &counts);
    assert!(counts.by_outcome.contains_key("extracted"));
}
