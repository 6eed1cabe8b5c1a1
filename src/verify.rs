//! Checking that a rewrite changes only destinations, not how the document parses.
//!
//! Splicing a new destination into the bytes of the old one is exact in almost every document.
//! CommonMark has corners, though, where the new text changes the structure around it:
//! - a destination that loses its `<...>` inside an outer link destination;
//! - a line `[x]:![](...)` that becomes a reference definition once the destination has no space;
//! - an unquoted HTML attribute whose new quotes make the tag invalid.
//!
//! So every rewrite is scanned again, with short placeholders for the data URIs. A reference
//! whose edits change which references the document has, or where the others point, is left as
//! written.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::rewrite::{Edit, EditText, Rewrite};
use crate::scan::{self, Reference, ScanOptions, Site, Syntax};

/// The maximum number of references tested one by one when the whole rewrite fails the check. Past it the
/// whole rewrite is dropped, because each test scans the document once more.
const MAX_SINGLE_CHECKS: usize = 256;

/// The owner of edits that belong to no single reference.
pub const SHARED: usize = usize::MAX;

/// Returns the indices of the references whose edits change the structure of `source`.
///
/// `owners[i]` is the reference that `edits[i]` belongs to, an index into `before`, the
/// references of `source`. [`SHARED`] marks an edit that belongs to none and is always kept, such
/// as the definitions appended for reference style. `reference_style` is true when inline
/// images were moved to definitions. The result is empty when the whole rewrite keeps that number.
pub fn unsafe_references(
    source: &str,
    edits: &[Edit],
    owners: &[usize],
    before: &[Reference],
    options: ScanOptions,
    reference_style: bool,
) -> Vec<usize> {
    if owners.iter().all(|&owner| owner == SHARED) {
        return Vec::new();
    }
    // The rewrite keeps the structure when the probe has the same references in the same order:
    // the rewritten ones now pointing at the placeholder, every other one at its old destination.
    let preserved = |keep: &dyn Fn(usize) -> bool| -> bool {
        let selected: Vec<Edit> = edits
            .iter()
            .zip(owners)
            .filter(|(_, owner)| **owner == SHARED || keep(**owner))
            .map(|(edit, _)| placeholder(edit))
            .collect();
        let rewritten: BTreeSet<usize> = owners
            .iter()
            .copied()
            .filter(|&owner| owner != SHARED && keep(owner))
            .collect();
        let Some(probe) = Rewrite::new(selected, source.len())
            .ok()
            .and_then(|rewrite| rewrite.text(source).ok())
        else {
            return false;
        };
        let after = scan::scan_with(&probe, options).references;
        after.len() == before.len()
            && before
                .iter()
                .zip(&after)
                .enumerate()
                .all(|(index, (old, new))| {
                    if rewritten.contains(&index) {
                        new.dest == PLACEHOLDER
                            && new.syntax == rewritten_syntax(old, reference_style)
                    } else {
                        new.dest == old.dest && new.syntax == old.syntax
                    }
                })
    };
    if preserved(&|_| true) {
        return Vec::new();
    }
    let all: BTreeSet<usize> = owners.iter().copied().filter(|&o| o != SHARED).collect();
    if all.len() > MAX_SINGLE_CHECKS {
        return all.into_iter().collect();
    }
    let culprits: BTreeSet<usize> = all
        .iter()
        .copied()
        .filter(|&reference| !preserved(&|owner| owner == reference))
        .collect();
    // The remaining edits must also pass together; otherwise nothing is rewritten.
    if culprits.is_empty() || !preserved(&|owner| !culprits.contains(&owner)) {
        return all.into_iter().collect();
    }
    culprits.into_iter().collect()
}

/// Returns the syntax a rewritten reference is written in afterwards. Obsidian embeds, images
/// that get their own destination, and inline images become inline images, or reference images
/// with reference style. Every other reference keeps its syntax.
fn rewritten_syntax(old: &Reference, reference_style: bool) -> Syntax {
    let converted = match &old.site {
        Site::Embed(_) | Site::OwnDestination { .. } => true,
        Site::Destination(_) => old.syntax == Syntax::MarkdownInline,
        _ => false,
    };
    match (converted, reference_style) {
        (true, true) => Syntax::MarkdownReference,
        (true, false) => Syntax::MarkdownInline,
        (false, _) => old.syntax,
    }
}

/// The short data URI that stands for every new destination while checking.
const PLACEHOLDER: &str = "data:image/png;base64,AAAA";

/// Returns `edit` with a data URI replaced by a short one of the same shape, so that checking a
/// rewrite never reads or copies large images.
fn placeholder(edit: &Edit) -> Edit {
    let is_data_uri = match &edit.text {
        EditText::Streamed(_) => true,
        EditText::Text(text) => text.starts_with("data:"),
    };
    let mut edit = edit.clone();
    if is_data_uri {
        edit.text = EditText::Text(Arc::from(PLACEHOLDER));
    }
    edit
}
