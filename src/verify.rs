//! Checking that a rewrite changes only destinations, not how the document parses.
//!
//! Splicing a new destination into the bytes of the old one is exact in almost every document.
//! CommonMark has corners, though, where the new text changes the structure around it:
//! - a destination that loses its `<...>` inside an outer link destination;
//! - a line `[x]:![](...)` that becomes a reference definition once the destination has no space;
//! - an unquoted HTML attribute whose new quotes make the tag invalid.
//!
//! So every rewrite is scanned again, with short placeholders for the new destinations. A
//! reference is left as written when its edits change which references the document has, where
//! they start or where the others point, or how the text outside images parses (the fingerprint
//! [`Scan::structure`]: blocks, links, text).
//!
//! The choice must also be stable: running the tool again on its own output must change nothing.
//! A reference left as written in the first run is tried again in the second one, now with its
//! neighbours already rewritten, so [`keep_safe`] tries such references again in the same way
//! until no more of them can be rewritten.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::rewrite::{Edit, EditText, Rewrite};
use crate::scan::{self, Reference, Scan, ScanOptions, Site, Syntax};

/// The largest number of references tested one by one when the whole rewrite fails the check.
/// Past it every reference is left as written, because each test scans the document once more.
const MAX_SINGLE_CHECKS: usize = 256;

/// The maximum number of scans one document may cost in all rounds of [`keep_safe`].
// NOTE: a document that reaches this budget stops where a second run may rewrite more, so it
// is not idempotent. That takes hundreds of references that only pass one after another.
const MAX_PROBES: usize = 4 * MAX_SINGLE_CHECKS;

/// The owner of edits that belong to no single reference.
pub const SHARED: usize = usize::MAX;

/// The edits that passed the check and the references left as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The edits to apply: those of the rewritten references and the shared ones.
    pub edits: Vec<Edit>,
    /// The reference each edit of `edits` belongs to, or [`SHARED`].
    pub owners: Vec<usize>,
    /// The indices of the references whose edits were dropped, in ascending order.
    pub left: Vec<usize>,
}

/// The dialect a probe is read in and the form a rewritten reference must take in it.
struct Expect<'a> {
    options: ScanOptions,
    /// Inline images were moved to definitions.
    reference_style: bool,
    /// The destination every rewritten reference has in the probe.
    new_dest: &'a str,
}

/// The form the edits of one unit are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// As the caller made them.
    Plain,
    /// With the angle brackets of a `<...>` destination kept, which an enclosing construct may
    /// need.
    Bracketed,
}

/// Returns the edits of `edits` that keep the structure of `source`, and the references whose
/// edits were dropped.
///
/// `owners[i]` is the reference that `edits[i]` belongs to, an index into the references of
/// `before`, the scan of `source`. [`SHARED`] marks an edit that belongs to none and is always kept, such
/// as the definitions appended for reference style. `reference_style` is true when inline
/// images were moved to definitions.
///
/// References whose edits touch the same bytes (images sharing one definition) are kept or left
/// together. When the whole rewrite fails the check, each reference is tried alone, and again
/// with its angle brackets kept. Those that pass are rewritten if they pass together. The rest
/// are then tried again in the same way with them in place.
pub fn keep_safe(
    source: &str,
    edits: Vec<Edit>,
    owners: &[usize],
    before: &Scan,
    options: ScanOptions,
    reference_style: bool,
) -> Checked {
    check(
        source,
        edits,
        owners,
        before,
        options,
        reference_style,
        PLACEHOLDER,
    )
}

/// The link that stands for every extracted file while checking: extract writes its edits with
/// it, checks them with [`keep_safe_links`], and puts the real links into the edits that pass.
/// Real links are percent-encoded where Markdown or HTML would read a character specially, so
/// the check holds for them too.
pub const LINK_PLACEHOLDER: &str = "mdembed-link.png";

/// Like [`keep_safe`] for extract: every edit's text is [`LINK_PLACEHOLDER`], the document is
/// read as CommonMark, and the rewritten references must point at the placeholder.
pub fn keep_safe_links(source: &str, edits: Vec<Edit>, owners: &[usize], before: &Scan) -> Checked {
    check(
        source,
        edits,
        owners,
        before,
        ScanOptions::default(),
        false,
        LINK_PLACEHOLDER,
    )
}

/// Carries out [`keep_safe`]; a rewritten reference must point at `new_dest` afterwards.
fn check(
    source: &str,
    edits: Vec<Edit>,
    owners: &[usize],
    before: &Scan,
    options: ScanOptions,
    reference_style: bool,
    new_dest: &str,
) -> Checked {
    let units = units(&edits, owners);
    let mut pending: BTreeSet<usize> = units.values().copied().collect();
    let bracketable: BTreeSet<usize> = edits
        .iter()
        .zip(owners)
        .filter(|(edit, owner)| **owner != SHARED && bracketed(source, edit).is_some())
        .map(|(_, owner)| units[owner])
        .collect();
    let expect = Expect {
        options,
        reference_style,
        new_dest,
    };
    let probe = |choice: &BTreeMap<usize, Variant>| -> bool {
        let selected = select(source, &edits, owners, &units, choice);
        let rewritten: BTreeSet<usize> = owners
            .iter()
            .copied()
            .filter(|owner| *owner != SHARED && choice.contains_key(&units[owner]))
            .collect();
        preserved(source, selected, &rewritten, before, &expect)
    };

    let mut accepted: BTreeMap<usize, Variant> = BTreeMap::new();
    let mut probes = 0;
    // The first round tests everything at once, which is all a well-formed document needs.
    while !pending.is_empty() {
        let mut all = accepted.clone();
        all.extend(pending.iter().map(|&unit| (unit, Variant::Plain)));
        probes += 1;
        if probe(&all) {
            accepted = all;
            break;
        }
        if pending.len() > MAX_SINGLE_CHECKS || probes + 2 * pending.len() > MAX_PROBES {
            break;
        }
        let mut passing = BTreeMap::new();
        for &unit in &pending {
            let variants: &[Variant] = if bracketable.contains(&unit) {
                &[Variant::Plain, Variant::Bracketed]
            } else {
                &[Variant::Plain]
            };
            for &variant in variants {
                let mut alone = accepted.clone();
                alone.insert(unit, variant);
                probes += 1;
                if probe(&alone) {
                    passing.insert(unit, variant);
                    break;
                }
            }
        }
        if passing.is_empty() {
            break;
        }
        let mut together = accepted.clone();
        together.extend(passing.iter().map(|(&unit, &variant)| (unit, variant)));
        probes += 1;
        if !probe(&together) {
            break;
        }
        accepted = together;
        for unit in passing.keys() {
            pending.remove(unit);
        }
    }

    let (edits, kept_owners) = select_owned(source, edits, owners, &units, &accepted);
    let left: BTreeSet<usize> = owners
        .iter()
        .copied()
        .filter(|owner| *owner != SHARED && !accepted.contains_key(&units[owner]))
        .collect();
    Checked {
        edits,
        owners: kept_owners,
        left: left.into_iter().collect(),
    }
}

/// Groups the owners of edits that replace the same bytes; returns each owner's group, named by
/// its smallest member.
fn units(edits: &[Edit], owners: &[usize]) -> HashMap<usize, usize> {
    let mut by_range: HashMap<(usize, usize), usize> = HashMap::new();
    let mut parent: HashMap<usize, usize> = HashMap::new();
    fn root(parent: &HashMap<usize, usize>, mut owner: usize) -> usize {
        while let Some(&next) = parent.get(&owner) {
            if next == owner {
                break;
            }
            owner = next;
        }
        owner
    }
    for (edit, &owner) in edits.iter().zip(owners) {
        if owner == SHARED {
            continue;
        }
        parent.entry(owner).or_insert(owner);
        // Insertions (the quotes of an unquoted attribute) are never shared between images.
        if edit.range.is_empty() {
            continue;
        }
        let key = (edit.range.start, edit.range.end);
        match by_range.get(&key) {
            Some(&other) => {
                let (a, b) = (root(&parent, owner), root(&parent, other));
                let (low, high) = (a.min(b), a.max(b));
                parent.insert(high, low);
            }
            None => {
                by_range.insert(key, owner);
            }
        }
    }
    parent
        .keys()
        .map(|&owner| (owner, root(&parent, owner)))
        .collect()
}

/// Returns the edits whose owner's unit is chosen, written as chosen, with placeholders for data
/// URIs; shared edits are always included.
fn select(
    source: &str,
    edits: &[Edit],
    owners: &[usize],
    units: &HashMap<usize, usize>,
    choice: &BTreeMap<usize, Variant>,
) -> Vec<Edit> {
    edits
        .iter()
        .zip(owners)
        .filter_map(|(edit, owner)| {
            let variant = if *owner == SHARED {
                Variant::Plain
            } else {
                *choice.get(&units[owner])?
            };
            Some(placeholder(&written(source, edit.clone(), variant)))
        })
        .collect()
}

/// Like [`select`], but consumes `edits` and keeps their real text; returns the owner of each
/// edit kept too.
fn select_owned(
    source: &str,
    edits: Vec<Edit>,
    owners: &[usize],
    units: &HashMap<usize, usize>,
    choice: &BTreeMap<usize, Variant>,
) -> (Vec<Edit>, Vec<usize>) {
    edits
        .into_iter()
        .zip(owners)
        .filter_map(|(edit, &owner)| {
            let variant = if owner == SHARED {
                Variant::Plain
            } else {
                *choice.get(&units[&owner])?
            };
            Some((written(source, edit, variant), owner))
        })
        .unzip()
}

/// Returns `edit` written in `variant`.
fn written(source: &str, edit: Edit, variant: Variant) -> Edit {
    match variant {
        Variant::Plain => edit,
        Variant::Bracketed => bracketed(source, &edit).unwrap_or(edit),
    }
}

/// Returns `edit` with the angle brackets of the `<...>` destination it replaces put back, or
/// `None` when it replaces no such destination.
fn bracketed(source: &str, edit: &Edit) -> Option<Edit> {
    let old = source.get(edit.range.clone())?;
    if old.len() < 2 || !old.starts_with('<') || !old.ends_with('>') {
        return None;
    }
    if !edit.prefix.is_empty() || !edit.suffix.is_empty() {
        return None;
    }
    let mut kept = edit.clone();
    kept.prefix = "<".to_string();
    kept.suffix = ">".to_string();
    Some(kept)
}

/// Tells whether applying `edits` to `source` keeps the structure of its parse outside images
/// ([`Scan::structure`]) and its references. The probe must have as many references, each
/// starting where its old start moved to. Those owned by `rewritten` must point at the new
/// destination and every other one at its old destination. Positions matter because two
/// references can share a destination: a rewrite that hides one image and shows another with
/// the same text must not pass.
fn preserved(
    source: &str,
    mut edits: Vec<Edit>,
    rewritten: &BTreeSet<usize>,
    before: &Scan,
    expect: &Expect<'_>,
) -> bool {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup();
    // Growth of the text up to the end of each edit, to move old offsets to new ones.
    let mut growth = Vec::with_capacity(edits.len());
    let mut total = 0isize;
    for edit in &edits {
        let new_len = edit.prefix.len() + edit.text.len() + edit.suffix.len();
        total += new_len as isize - edit.range.len() as isize;
        growth.push(total);
    }
    let moved = |offset: usize| -> usize {
        // Edits that end at or before the offset (an insertion there included) come before it.
        let before_it = edits.partition_point(|e| e.range.end <= offset);
        match before_it {
            0 => offset,
            n => offset.wrapping_add_signed(growth[n - 1]),
        }
    };
    let Some(probe) = Rewrite::new(edits.clone(), source.len())
        .ok()
        .and_then(|rewrite| rewrite.text(source).ok())
    else {
        return false;
    };
    let after = scan::scan_with(&probe, expect.options);
    let (before_refs, after_refs) = (&before.references, &after.references);
    after.structure == before.structure
        && after_refs.len() == before_refs.len()
        && before_refs
            .iter()
            .zip(after_refs)
            .enumerate()
            .all(|(index, (old, new))| {
                new.start == moved(old.start)
                    && if rewritten.contains(&index) {
                        new.dest == expect.new_dest
                            && new.syntax == rewritten_syntax(old, expect.reference_style)
                    } else {
                        new.dest == old.dest && new.syntax == old.syntax
                    }
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn uri() -> EditText {
        EditText::Text(Arc::from("data:image/png;base64,iVBORw0KGgo="))
    }

    /// Checks the rewrite of every reference of `source` to [`uri`]; returns the result and the
    /// output with the edits kept.
    fn rewrite_every_image(source: &str) -> (Checked, String) {
        let before = scan::scan(source);
        let mut edits = Vec::new();
        let mut owners = Vec::new();
        for (index, reference) in before.references.iter().enumerate() {
            let new = crate::rewrite::edits_for(&reference.site, &uri());
            owners.extend(std::iter::repeat_n(index, new.len()));
            edits.extend(new);
        }
        let checked = keep_safe(
            source,
            edits,
            &owners,
            &before,
            ScanOptions::default(),
            false,
        );
        let output = crate::rewrite::apply(source, checked.edits.clone()).expect("edits");
        (checked, output)
    }

    /// A rewrite that hides one image and shows another with the same destination elsewhere
    /// keeps the count and the destinations, but not the positions.
    #[test]
    fn moved_reference_is_not_the_same_reference() {
        let source = "![a](x.png) ![b](y.png) `![b](y.png)`";
        let before = scan::scan(source);
        assert_eq!(
            before
                .references
                .iter()
                .map(|r| r.start)
                .collect::<Vec<_>>(),
            vec![0, 12]
        );
        // Owned by the first image: its destination and, past it, everything up to the code span.
        let edit = Edit {
            range: 5..25,
            prefix: String::new(),
            text: uri(),
            suffix: ") ` `".to_string(),
        };
        let probe = crate::rewrite::apply(source, vec![edit.clone()]).expect("one edit");
        let after = scan::scan(&probe).references;
        assert_eq!(
            after.iter().map(|r| r.dest.as_str()).collect::<Vec<_>>(),
            vec!["data:image/png;base64,iVBORw0KGgo=", "y.png"],
            "destinations alone do not show the change in {probe:?}"
        );
        let checked = keep_safe(
            source,
            vec![edit],
            &[0],
            &before,
            ScanOptions::default(),
            false,
        );
        assert_eq!(checked.left, vec![0]);
        assert_eq!(checked.edits, Vec::new());
    }

    /// A rewrite that keeps every image but turns text into a link changed the document.
    #[test]
    fn new_link_is_a_change_of_structure() {
        let source = "![a](x.png) [c]\n\n[b]: /u\n";
        let before = scan::scan(source);
        let edits = vec![
            Edit::replace(5..10, uri()),
            Edit::replace(12..15, Arc::<str>::from("[b]")),
        ];
        let probe = crate::rewrite::apply(source, edits.clone()).expect("two edits");
        assert_eq!(
            probe,
            "![a](data:image/png;base64,iVBORw0KGgo=) [b]\n\n[b]: /u\n"
        );
        let checked = keep_safe(
            source,
            edits,
            &[0, 0],
            &before,
            ScanOptions::default(),
            false,
        );
        assert_eq!(checked.left, vec![0]);
    }

    /// Edits that are kept carry their real text, not the placeholder used for checking.
    #[test]
    fn kept_edits_are_the_real_ones() {
        let (checked, output) = rewrite_every_image("![a](x.png) and <img src=y.png>");
        assert_eq!(checked.left, Vec::<usize>::new());
        assert_eq!(
            output,
            "![a](data:image/png;base64,iVBORw0KGgo=) and <img src=\"data:image/png;base64,iVBORw0KGgo=\">"
        );
    }

    /// A `<...>` destination whose brackets the enclosing construct needs keeps them; without
    /// them the `>` of the outer destination would end the image.
    #[test]
    fn angle_brackets_kept_where_needed() {
        let (checked, output) = rewrite_every_image("[a](<![b](<x.png>)>)\n");
        assert_eq!(checked.left, Vec::<usize>::new());
        assert_eq!(
            output,
            "[a](<![b](<data:image/png;base64,iVBORw0KGgo=>)>)\n"
        );
    }
}
