//! Splicing new destinations into a document.
//!
//! A document is never re-serialized: the output is the source copied slice by slice, with each
//! edit's text put in place of its byte range. With no edits the output is the same bytes.

use std::ops::Range;
use std::sync::Arc;

use crate::scan::Site;

/// One replacement of a byte range of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The source bytes replaced; an empty range inserts.
    pub range: Range<usize>,
    /// Text written before `text`.
    pub prefix: String,
    /// The new text, shared because one image can be written at many places.
    pub text: Arc<str>,
    /// Text written after `text`.
    pub suffix: String,
}

impl Edit {
    /// Creates an edit that replaces `range` with `text`.
    pub fn replace(range: Range<usize>, text: Arc<str>) -> Edit {
        Edit {
            range,
            prefix: String::new(),
            text,
            suffix: String::new(),
        }
    }

    /// Creates an edit that inserts `text` at `offset`.
    pub fn insert(offset: usize, text: &str) -> Edit {
        Edit::replace(offset..offset, Arc::from(text))
    }

    fn len(&self) -> usize {
        self.prefix.len() + self.text.len() + self.suffix.len()
    }
}

/// Returns the edits that write `text` as the destination at `site`.
///
/// Every image sharing a reference definition gets the same edit, which [`apply`] applies once.
pub fn edits_for(site: &Site, text: &Arc<str>) -> Vec<Edit> {
    match site {
        Site::Destination(range) | Site::Definition(range) => {
            vec![Edit::replace(range.clone(), text.clone())]
        }
        Site::UnquotedAttribute { value, url } => vec![
            Edit::insert(value.start, "\""),
            Edit::replace(url.clone(), text.clone()),
            Edit::insert(value.end, "\""),
        ],
        Site::OwnDestination { range, title } => {
            let suffix = match title {
                Some(title) => format!(" {title})"),
                None => ")".to_string(),
            };
            vec![Edit {
                range: range.clone(),
                prefix: "(".to_string(),
                text: text.clone(),
                suffix,
            }]
        }
        // An embed becomes a whole new image whose alt text only the caller knows.
        Site::Embed(_) | Site::Unlocated => Vec::new(),
    }
}

/// An edit that overlaps an earlier one; applying both would corrupt the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("overlapping edits at bytes {first:?} and {second:?}")]
pub struct OverlapError {
    /// The earlier edit's range.
    pub first: Range<usize>,
    /// The range that overlaps it.
    pub second: Range<usize>,
}

/// Applies `edits` to `source`.
///
/// Edits are sorted by range; identical edits are applied once (a quote added around an
/// attribute value that holds several URLs). Insertions at the start of a replaced range go
/// before it. Overlapping edits are an error and leave nothing applied.
pub fn apply(source: &str, mut edits: Vec<Edit>) -> Result<String, OverlapError> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup();
    let mut previous_end = 0;
    let mut previous: Option<&Range<usize>> = None;
    for edit in &edits {
        if edit.range.start < previous_end || edit.range.end > source.len() {
            return Err(OverlapError {
                first: previous.cloned().unwrap_or(0..0),
                second: edit.range.clone(),
            });
        }
        previous_end = edit.range.end;
        previous = Some(&edit.range);
    }

    let added: usize = edits.iter().map(Edit::len).sum();
    let mut out = String::with_capacity(source.len() + added);
    let mut copied = 0;
    for edit in &edits {
        out.push_str(&source[copied..edit.range.start]);
        out.push_str(&edit.prefix);
        out.push_str(&edit.text);
        out.push_str(&edit.suffix);
        copied = edit.range.end;
    }
    out.push_str(&source[copied..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(range: Range<usize>, text: &str) -> Edit {
        Edit::replace(range, Arc::from(text))
    }

    #[test]
    fn no_edits_same_text() {
        assert_eq!(apply("a\r\nb", vec![]).unwrap(), "a\r\nb");
    }

    #[test]
    fn edits_in_any_order() {
        let out = apply("0123456789", vec![replace(6..8, "B"), replace(1..3, "A")]).unwrap();
        assert_eq!(out, "0A345B89");
    }

    #[test]
    fn insertions_around_replacement() {
        let edits = vec![
            Edit::insert(9, "\""),
            replace(4..9, "data"),
            Edit::insert(4, "\""),
        ];
        assert_eq!(apply("src=a.png>", edits).unwrap(), "src=\"data\">");
    }

    #[test]
    fn duplicate_insertions_applied_once() {
        let edits = vec![Edit::insert(2, "\""), Edit::insert(2, "\"")];
        assert_eq!(apply("ab", edits).unwrap(), "ab\"");
    }

    #[test]
    fn overlap_rejected() {
        let result = apply("0123456789", vec![replace(1..5, "x"), replace(4..6, "y")]);
        assert_eq!(
            result,
            Err(OverlapError {
                first: 1..5,
                second: 4..6
            })
        );
    }

    #[test]
    fn prefix_and_suffix_written() {
        let edit = Edit {
            range: 4..7,
            prefix: "(".to_string(),
            text: Arc::from("uri"),
            suffix: " \"t\")".to_string(),
        };
        assert_eq!(apply("![a][b]", vec![edit]).unwrap(), "![a](uri \"t\")");
    }
}
