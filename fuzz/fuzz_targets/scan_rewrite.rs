//! Fuzzes the reference scanner and the rewriter. Any UTF-8 text is scanned, in the dialect the
//! input's first byte selects, and every located destination is replaced with one fixed data
//! URI. The result must parse the same outside images and scan to the same references, each
//! with the new destination where it was rewritten and its old one elsewhere, and rewriting the
//! output again must change nothing.

#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use mdembed::rewrite::{self, Edit, EditText};
use mdembed::scan::{self, Scan, ScanOptions, Site, Syntax};

/// The destination every located reference gets: a valid one-pixel-sized payload.
const URI: &str = "data:image/png;base64,iVBORw0KGgo=";

/// Returns the edits that put `uri` into every reference that has a rewritable site and no data
/// URI yet, and which references they rewrite. References whose rewrite would change the parse are left out, as
/// embed leaves them as written ([`mdembed::verify::keep_safe`]).
fn rewrite_all(
    source: &str,
    scanned: &Scan,
    uri: &EditText,
    options: ScanOptions,
) -> (Vec<Edit>, Vec<bool>) {
    let mut all = Vec::new();
    let mut owners = Vec::new();
    for (index, reference) in scanned.references.iter().enumerate() {
        // Embed leaves existing data URIs alone, so a second run never rewrites them.
        if mdembed::resolve::classify(&reference.dest) == mdembed::resolve::DestKind::DataUri {
            continue;
        }
        let edits = rewrite::edits_for(&reference.site, uri);
        owners.extend(std::iter::repeat_n(index, edits.len()));
        all.extend(edits);
    }
    let mut rewritten = vec![false; scanned.references.len()];
    for &owner in &owners {
        rewritten[owner] = true;
    }
    let checked = mdembed::verify::keep_safe(source, all, &owners, scanned, options, false);
    for index in checked.left {
        rewritten[index] = false;
    }
    (checked.edits, rewritten)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, text)) = data.split_first() else {
        return;
    };
    let Ok(source) = std::str::from_utf8(text) else {
        return;
    };
    let options = ScanOptions {
        obsidian: mode & 1 == 1,
    };
    let uri = EditText::Text(Arc::from(URI));

    let before = scan::scan_with(source, options);
    for reference in &before.references {
        // Reading the written destination must stay inside the source and on char boundaries.
        let _ = reference.written(source);
    }
    let (edits, rewritten) = rewrite_all(source, &before, &uri, options);
    let output = match rewrite::apply(source, edits) {
        Ok(output) => output,
        Err(error) => panic!("overlapping edits from one scan: {error}"),
    };

    let after = scan::scan_with(&output, options);
    assert_eq!(
        after.structure, before.structure,
        "the parse outside images changed\ninput:  {source:?}\noutput: {output:?}"
    );
    assert_eq!(
        after.references.len(),
        before.references.len(),
        "reference count changed\ninput:  {source:?}\noutput: {output:?}"
    );
    for ((old, new), was_rewritten) in before
        .references
        .iter()
        .zip(&after.references)
        .zip(&rewritten)
    {
        let expected = if *was_rewritten {
            URI
        } else {
            old.dest.as_str()
        };
        assert_eq!(
            new.dest, expected,
            "destination after rewriting\ninput:  {source:?}\noutput: {output:?}"
        );
        // An image that got its own destination is now written inline; one left as written
        // (its rewrite would have changed the parse) keeps its syntax.
        let expected_syntax = match old.site {
            Site::OwnDestination { .. } if *was_rewritten => Syntax::MarkdownInline,
            _ => old.syntax,
        };
        assert_eq!(
            new.syntax, expected_syntax,
            "syntax changed\ninput: {source:?}"
        );
    }

    let (again, _) = rewrite_all(&output, &after, &uri, options);
    let twice = rewrite::apply(&output, again).expect("edits from the second scan overlap");
    assert_eq!(
        twice, output,
        "rewriting twice changed the output\ninput: {source:?}"
    );
});
