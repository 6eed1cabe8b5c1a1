//! Checking that a rewrite changes only destinations, not how the document parses.
//!
//! Splicing a new destination into the bytes of the old one is exact in almost every document.
//! CommonMark has corners, though, where the new text changes the structure around it:
//! - a destination that loses its `<...>` inside an outer link destination;
//! - a line `[x]:![](...)` that becomes a reference definition once the destination has no space;
//! - an unquoted HTML attribute whose new quotes make the tag invalid.
//!
//! So every rewrite is scanned again, with short placeholders for the data URIs, and a reference
//! whose edits change the number of references is left as written.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::rewrite::{Edit, EditText, Rewrite};
use crate::scan::{self, ScanOptions};

/// The most references tested one by one when the whole rewrite fails the check. Past it the
/// whole rewrite is dropped, because each test scans the document once more.
const MAX_SINGLE_CHECKS: usize = 256;

/// The owner of edits that belong to no single reference.
pub const SHARED: usize = usize::MAX;

/// Returns the indices of the references whose edits change the structure of `source`.
///
/// `owners[i]` is the reference that `edits[i]` belongs to. [`SHARED`] marks an edit that belongs
/// to none and is always kept, such as the definitions appended for reference style. `expected`
/// is the number of references the source has. The result is empty when the whole rewrite keeps that number.
pub fn unsafe_references(
    source: &str,
    edits: &[Edit],
    owners: &[usize],
    expected: usize,
    options: ScanOptions,
) -> Vec<usize> {
    if owners.iter().all(|&owner| owner == SHARED) {
        return Vec::new();
    }
    let count = |selected: Vec<Edit>| -> Option<usize> {
        let probe = Rewrite::new(selected, source.len())
            .ok()?
            .text(source)
            .ok()?;
        Some(scan::scan_with(&probe, options).references.len())
    };
    let probe_of = |keep: &dyn Fn(usize) -> bool| -> Vec<Edit> {
        edits
            .iter()
            .zip(owners)
            .filter(|(_, owner)| **owner == SHARED || keep(**owner))
            .map(|(edit, _)| placeholder(edit))
            .collect()
    };
    if count(probe_of(&|_| true)) == Some(expected) {
        return Vec::new();
    }
    let all: BTreeSet<usize> = owners.iter().copied().filter(|&o| o != SHARED).collect();
    if all.len() > MAX_SINGLE_CHECKS {
        return all.into_iter().collect();
    }
    let culprits: BTreeSet<usize> = all
        .iter()
        .copied()
        .filter(|&reference| count(probe_of(&|owner| owner == reference)) != Some(expected))
        .collect();
    // The remaining edits must also pass together; otherwise nothing is rewritten.
    if culprits.is_empty() || count(probe_of(&|owner| !culprits.contains(&owner))) != Some(expected)
    {
        return all.into_iter().collect();
    }
    culprits.into_iter().collect()
}

/// Returns `edit` with a data URI replaced by a short one of the same shape, so that checking a
/// rewrite never reads or copies large images.
fn placeholder(edit: &Edit) -> Edit {
    let is_data_uri = match &edit.text {
        EditText::Streamed(_) => true,
        EditText::Text(text) => text.starts_with("data:"),
    };
    let mut edit = edit.clone();
    if is_data_uri {
        edit.text = EditText::Text(Arc::from("data:image/png;base64,AAAA"));
    }
    edit
}
