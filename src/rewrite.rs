//! Splicing new destinations into a document.
//!
//! A document is never re-serialized: the output is the source copied slice by slice, with each
//! edit's text put in place of its byte range. With no edits the output is the same bytes.
//!
//! An edit's text is either held in memory or, for a large image, read from its file and
//! base64-encoded while the output is written, so that a document referencing a 200 MB image never
//! keeps its encoding in memory ([`Rewrite::write_to`]).

use std::io::{self, Read, Write};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;

use crate::cache::FileKey;
use crate::scan::Site;

/// An image file whose data URI is encoded while the output is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamedImage {
    /// The image file.
    pub path: PathBuf,
    /// The MIME type written into the URI.
    pub mime: &'static str,
    /// The file as it was sniffed; a file changed since is an error, not silently different data.
    pub key: FileKey,
}

impl StreamedImage {
    /// Returns the length of the data URI in bytes.
    pub fn uri_len(&self) -> usize {
        crate::datauri::encoded_len(self.mime, self.key.size() as usize)
    }

    /// Writes the data URI to `out`, reading and encoding the file in blocks.
    pub fn write_uri(&self, out: &mut dyn Write) -> io::Result<()> {
        if FileKey::of(&self.path).as_ref() != Some(&self.key) {
            return Err(io::Error::other(format!(
                "{} changed while the document was being written",
                self.path.display()
            )));
        }
        let mut file = crate::fs::open_image_file(&self.path).map_err(io::Error::other)?;
        write!(out, "data:{};base64,", self.mime)?;
        // Blocks of a multiple of 3 bytes encode without padding until the last one.
        const BLOCK: usize = 3 * 64 * 1024;
        let mut input = vec![0u8; BLOCK];
        let mut encoded = String::with_capacity(BLOCK / 3 * 4);
        let mut total = 0u64;
        loop {
            let filled = read_full(&mut file, &mut input)?;
            if filled == 0 {
                break;
            }
            total += filled as u64;
            encoded.clear();
            base64::engine::general_purpose::STANDARD.encode_string(&input[..filled], &mut encoded);
            out.write_all(encoded.as_bytes())?;
            if filled < BLOCK {
                break;
            }
        }
        if total != self.key.size() {
            return Err(io::Error::other(format!(
                "{} changed while the document was being written",
                self.path.display()
            )));
        }
        Ok(())
    }
}

/// Reads until `buffer` is full or the file ends; returns the bytes read.
fn read_full(file: &mut std::fs::File, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// The new text of an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditText {
    /// Text in memory, shared because one image can be written at many places.
    Text(Arc<str>),
    /// The data URI of an image file, encoded while writing.
    Streamed(Arc<StreamedImage>),
}

impl EditText {
    /// Returns the length of the text in bytes.
    pub fn len(&self) -> usize {
        match self {
            EditText::Text(text) => text.len(),
            EditText::Streamed(image) => image.uri_len(),
        }
    }

    /// Tells whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        match self {
            EditText::Text(text) => out.write_all(text.as_bytes()),
            EditText::Streamed(image) => image.write_uri(out),
        }
    }
}

impl From<Arc<str>> for EditText {
    fn from(text: Arc<str>) -> EditText {
        EditText::Text(text)
    }
}

/// One replacement of a byte range of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The source bytes replaced; an empty range inserts.
    pub range: Range<usize>,
    /// Text written before `text`.
    pub prefix: String,
    /// The new text.
    pub text: EditText,
    /// Text written after `text`.
    pub suffix: String,
}

impl Edit {
    /// Creates an edit that replaces `range` with `text`.
    pub fn replace(range: Range<usize>, text: impl Into<EditText>) -> Edit {
        Edit {
            range,
            prefix: String::new(),
            text: text.into(),
            suffix: String::new(),
        }
    }

    /// Creates an edit that inserts `text` at `offset`.
    pub fn insert(offset: usize, text: &str) -> Edit {
        Edit::replace(offset..offset, Arc::<str>::from(text))
    }

    fn len(&self) -> usize {
        self.prefix.len() + self.text.len() + self.suffix.len()
    }
}

/// Returns the edits that write `text` as the destination at `site`.
///
/// Every image sharing a reference definition gets the same edit, which [`Rewrite::new`] keeps
/// once.
pub fn edits_for(site: &Site, text: &EditText) -> Vec<Edit> {
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
        // An embed becomes a whole new image, and only the caller has its alt text.
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

/// A validated set of edits for one source: sorted, without duplicates, not overlapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rewrite {
    edits: Vec<Edit>,
}

impl Rewrite {
    /// Sorts `edits` by range and drops duplicates (a quote added around an attribute value
    /// that contains several URLs). Insertions at the start of a replaced range go before it.
    /// Overlapping edits, or edits past the end of a source of `source_len` bytes, are an error.
    pub fn new(mut edits: Vec<Edit>, source_len: usize) -> Result<Rewrite, OverlapError> {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        edits.dedup();
        let mut previous: Option<&Range<usize>> = None;
        for edit in &edits {
            let previous_end = previous.map_or(0, |r| r.end);
            if edit.range.start < previous_end || edit.range.end > source_len {
                return Err(OverlapError {
                    first: previous.cloned().unwrap_or(0..0),
                    second: edit.range.clone(),
                });
            }
            previous = Some(&edit.range);
        }
        Ok(Rewrite { edits })
    }

    /// Tells whether the output equals the source.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// Returns the length of the output for `source`.
    pub fn output_len(&self, source: &str) -> usize {
        let removed: usize = self.edits.iter().map(|e| e.range.len()).sum();
        let added: usize = self.edits.iter().map(Edit::len).sum();
        source.len() - removed + added
    }

    /// Writes the output for `source` to `out`.
    pub fn write_to(&self, source: &str, out: &mut dyn Write) -> io::Result<()> {
        let mut copied = 0;
        for edit in &self.edits {
            out.write_all(&source.as_bytes()[copied..edit.range.start])?;
            out.write_all(edit.prefix.as_bytes())?;
            edit.text.write_to(out)?;
            out.write_all(edit.suffix.as_bytes())?;
            copied = edit.range.end;
        }
        out.write_all(&source.as_bytes()[copied..])
    }

    /// Returns the output for `source` as a string.
    pub fn text(&self, source: &str) -> io::Result<String> {
        if self.edits.is_empty() {
            return Ok(source.to_string());
        }
        let mut out = Vec::with_capacity(self.output_len(source));
        self.write_to(source, &mut out)?;
        // Every piece is UTF-8: source slices cut at edit boundaries, which the scanner places on
        // character boundaries, and ASCII data URIs.
        String::from_utf8(out).map_err(|_| io::Error::other("edits produced invalid UTF-8"))
    }
}

/// Applies `edits` to `source` (in memory); see [`Rewrite::new`] for the rules.
pub fn apply(source: &str, edits: Vec<Edit>) -> Result<String, OverlapError> {
    let rewrite = Rewrite::new(edits, source.len())?;
    Ok(rewrite
        .text(source)
        .expect("edits held in memory write without I/O"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(range: Range<usize>, text: &str) -> Edit {
        Edit::replace(range, Arc::<str>::from(text))
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
            text: EditText::Text(Arc::from("uri")),
            suffix: " \"t\")".to_string(),
        };
        assert_eq!(apply("![a][b]", vec![edit]).unwrap(), "![a](uri \"t\")");
    }

    #[test]
    fn output_len_matches_text() {
        let source = "![a](a.png) ![b](b.png)";
        let rewrite =
            Rewrite::new(vec![replace(5..10, "xyzzy12"), replace(17..22, "")], 23).unwrap();
        assert_eq!(
            rewrite.output_len(source),
            rewrite.text(source).unwrap().len()
        );
    }

    #[test]
    fn streamed_image_encodes_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("blob.bin");
        // Larger than one block, and not a multiple of 3, so padding appears only at the end.
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let image = StreamedImage {
            path: path.clone(),
            mime: "image/png",
            key: FileKey::of(&path).unwrap(),
        };
        let source = "![a](a.png)";
        let edit = Edit::replace(5..10, EditText::Streamed(Arc::new(image)));
        let rewrite = Rewrite::new(vec![edit], source.len()).unwrap();
        let expected = format!(
            "![a](data:image/png;base64,{})",
            base64::engine::general_purpose::STANDARD.encode(&data)
        );
        assert_eq!(rewrite.text(source).unwrap(), expected);
        assert_eq!(rewrite.output_len(source), expected.len());
    }

    #[test]
    fn streamed_image_changed_is_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        std::fs::write(&path, b"1234").unwrap();
        let key = FileKey::of(&path).unwrap();
        std::fs::write(&path, b"12345").unwrap();
        let image = StreamedImage {
            path,
            mime: "image/png",
            key,
        };
        let rewrite = Rewrite::new(
            vec![Edit::replace(0..1, EditText::Streamed(Arc::new(image)))],
            1,
        )
        .unwrap();
        assert!(rewrite.text("x").is_err());
    }
}
