//! Outcomes per reference and per document, and the totals of a run.
//!
//! The library never prints: it returns these values and the binary decides how to show them.

use std::fmt;
use std::path::PathBuf;

use crate::scan::Syntax;

/// A 1-based line and column (in characters) in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Line number, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The outcome of one image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The destination now contains a data URI.
    Embedded {
        /// The canonical path of the image file.
        path: PathBuf,
        /// The MIME type written into the URI.
        mime: &'static str,
        /// Size in bytes of the image as embedded (after any processing or conversion).
        bytes: u64,
        /// Whether the image file ends early; it is still embedded, with a warning.
        truncated: bool,
    },
    /// A data URI was written to an image file and the destination now links to it.
    Extracted {
        /// The image file, as the document links to it (relative to the output document).
        link: String,
        /// The file's path.
        path: PathBuf,
        /// The MIME type of the content.
        mime: &'static str,
        /// Size of the image in bytes.
        bytes: u64,
        /// Whether an identical file already existed and was linked instead of written.
        reused: bool,
        /// Whether the image ends early; it is still written, with a warning.
        truncated: bool,
    },
    /// Not a local image, so left as it is; not a problem.
    Skipped(Skip),
    /// A local image that could not be embedded; the reference is left as written.
    Problem(Problem),
}

/// The reason a reference that is not a local file was left alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// An `http:`, `https:` or protocol-relative `//host/` URL.
    Remote,
    /// Already a `data:` URI.
    DataUri,
    /// A URL with another scheme (`mailto:`, `obsidian:`, ...).
    OtherScheme(String),
    /// Only a `#fragment`.
    Fragment,
    /// An empty destination.
    Empty,
    /// A local file, so there is nothing to extract.
    LocalFile,
    /// A data URI of a type that is not an image (`data:text/html,...`).
    NotImageData(String),
    /// An Obsidian embed of a note (`![[Other note]]`, `![[Note#^block]]`).
    NoteEmbed,
    /// An Obsidian embed of a file that is not an image (PDF, audio, video).
    OtherEmbed,
}

impl Skip {
    /// Returns a short lowercase name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            Skip::Remote => "remote",
            Skip::DataUri => "data uri",
            Skip::OtherScheme(_) => "other scheme",
            Skip::Fragment => "fragment",
            Skip::Empty => "empty",
            Skip::LocalFile => "local file",
            Skip::NotImageData(_) => "not image data",
            Skip::NoteEmbed => "note embed",
            Skip::OtherEmbed => "other media",
        }
    }
}

/// The reason a local image reference was left as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// No file has that name.
    #[error("image not found")]
    NotFound,
    /// No file in the vault has the name an Obsidian embed gives.
    #[error("embedded file not found in the vault")]
    EmbedNotFound,
    /// The file resolves, after following symlinks, outside the root.
    #[error("image outside the root {root} (use --root to allow it)", root = root.display())]
    OutsideRoot {
        /// The resolved path.
        path: PathBuf,
        /// The root it escapes.
        root: PathBuf,
    },
    /// The file's content is not an image (or it is a directory, FIFO, empty file).
    #[error("not an image ({reason})")]
    NotAnImage {
        /// The resolved path.
        path: PathBuf,
        /// The kind of file found instead.
        reason: String,
    },
    /// An image format that browsers do not display.
    #[error("unsupported image format {format}")]
    Unsupported {
        /// The resolved path.
        path: PathBuf,
        /// The format's name.
        format: &'static str,
    },
    /// Reading the file failed.
    #[error("image not readable ({error})")]
    Unreadable {
        /// The resolved path.
        path: PathBuf,
        /// The I/O error.
        error: String,
    },
    /// Text such as `![a](shots/login page.png)` names an existing file, but a destination with
    /// a space is not a CommonMark destination, so renderers show it as text.
    #[error(
        "not an image under CommonMark because the destination contains a space (write it as <{dest}>)"
    )]
    SpacedDestination {
        /// The destination as written.
        dest: String,
    },
    /// Processing the image (`--max-width`, `--image-format`, `--max-bytes`) failed or rejected
    /// it.
    #[error("{problem}")]
    Image {
        /// The resolved path.
        path: PathBuf,
        /// The reason.
        problem: crate::transform::TransformProblem,
    },
    /// The target cannot display the image and it could not be converted.
    #[error("{problem}")]
    Convert {
        /// The resolved path.
        path: PathBuf,
        /// The reason.
        problem: crate::target::ConvertProblem,
    },
    /// A data URI that cannot be decoded.
    #[error("invalid data URI ({reason})")]
    InvalidDataUri {
        /// The problem found.
        reason: String,
    },
    /// `data:image/` in text outside any image syntax, for example an image whose alt text a
    /// blank line broke.
    #[error("data URI outside any image syntax, left as it is")]
    StrayDataUri,
    /// Writing the new destination would change how the document parses (a rare CommonMark
    /// corner, such as an image inside another link's destination).
    #[error("left as written because the new destination would change how the document parses")]
    ChangesStructure,
    /// The destination's bytes could not be located in the source with certainty.
    #[error("destination not located in the source, left as written")]
    Unlocated,
}

impl Problem {
    /// Returns a short lowercase name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            Problem::NotFound | Problem::EmbedNotFound => "missing",
            Problem::OutsideRoot { .. } => "outside-root",
            Problem::NotAnImage { .. } => "not-an-image",
            Problem::Unsupported { .. } => "unsupported-format",
            Problem::Unreadable { .. } => "unreadable",
            Problem::SpacedDestination { .. } => "spaced-destination",
            Problem::InvalidDataUri { .. } => "invalid-data-uri",
            Problem::Image { .. } => "image-rejected",
            Problem::Convert { .. } => "not-convertible",
            Problem::StrayDataUri => "stray-data-uri",
            Problem::ChangesStructure => "changes-structure",
            Problem::Unlocated => "unlocated",
        }
    }
}

/// Something worth telling with `-v` about how a reference was handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The file was found only after dropping a `?query` or `#fragment` suffix.
    SuffixDropped(String),
    /// The file was found only with `\` read as a path separator.
    BackslashSeparators,
    /// A `/path` was found under the root rather than at the filesystem root.
    RootRelative,
    /// Found by file name in the Obsidian vault, as Obsidian resolves links.
    VaultName,
    /// The reference definition is also used by links, so this image got its own destination.
    OwnDestination,
    /// The reference definition is used by so many images that renderers built on
    /// pulldown-cmark would not resolve them all once it holds the data URI, so this image got
    /// its own destination.
    ExpansionLimit,
    /// Another image already rewrote the shared reference definition.
    SharedDefinition,
    /// The declared MIME type of a data URI differs from its content's; the content won.
    MimeMismatch {
        /// The type the URI declared.
        declared: String,
        /// The type of the content.
        actual: &'static str,
    },
    /// Several files in the vault have the embedded name; the preferred one was embedded.
    AmbiguousName {
        /// The vault path embedded.
        chosen: String,
        /// The vault paths of the other files with the name.
        others: Vec<String>,
    },
    /// A relative link kept as written no longer resolves, because the output document is in
    /// another folder than the input.
    LinkNotRebased,
    /// The `#anchor` of an embed means nothing for an embedded image and was dropped.
    AnchorDropped(String),
    /// A change made by image processing.
    Image(crate::transform::TransformNote),
    /// A conversion made for the target.
    Converted(String),
    /// The data URI is larger than the target handles well.
    LargeUri {
        /// Its size in bytes.
        bytes: u64,
        /// The warning threshold.
        limit: u64,
    },
    /// A decoding detail of a data URI (whitespace removed, URL-safe alphabet, ...).
    DataUri(String),
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::SuffixDropped(suffix) => write!(f, "found after dropping the suffix {suffix}"),
            Note::BackslashSeparators => write!(f, "found with backslashes read as separators"),
            Note::RootRelative => write!(f, "root-relative path found under the root"),
            Note::VaultName => write!(f, "found by file name in the vault, as Obsidian does"),
            Note::OwnDestination => write!(
                f,
                "its reference definition is also used by links, so the image got its own inline destination"
            ),
            Note::ExpansionLimit => write!(
                f,
                "its reference definition is used by so many images that pulldown-cmark would show some as text once it holds the data URI, so the image got its own inline destination"
            ),
            Note::SharedDefinition => write!(f, "shares a reference definition already rewritten"),
            Note::MimeMismatch { declared, actual } => write!(
                f,
                "declared as {declared} but the content is {actual}; written as {actual}"
            ),
            Note::DataUri(detail) => write!(f, "{detail}"),
            Note::Image(note) => write!(f, "{note}"),
            Note::Converted(conversion) => write!(f, "{conversion}"),
            Note::LargeUri { bytes, limit } => write!(
                f,
                "data URI of {bytes} bytes is larger than the warning size {limit} (--warn-uri-size), which some editors do not show; consider --max-width or --max-bytes"
            ),
            Note::AmbiguousName { chosen, others } => write!(
                f,
                "ambiguous name, embedded {chosen} (also {})",
                others.join(", ")
            ),
            Note::LinkNotRebased => write!(
                f,
                "relative link kept as written, but the output document is in another folder, so it no longer resolves"
            ),
            Note::AnchorDropped(anchor) => {
                write!(
                    f,
                    "anchor #{anchor} dropped, it means nothing for an embedded image"
                )
            }
        }
    }
}

/// One reference with its place and outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceReport {
    /// The syntax it is written in.
    pub syntax: Syntax,
    /// Byte offset of its first character.
    pub offset: usize,
    /// Line and column of its first character.
    pub location: Location,
    /// The destination as written in the source.
    pub target: String,
    /// What happened.
    pub outcome: Outcome,
    /// Details for verbose output.
    pub notes: Vec<Note>,
}

impl ReferenceReport {
    /// Tells whether this reference is a problem (it counts as a warning and sets exit status 1).
    pub fn is_problem(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::Problem(_)
                | Outcome::Extracted {
                    truncated: true,
                    ..
                }
                | Outcome::Embedded {
                    truncated: true,
                    ..
                }
        )
    }
}

/// Totals over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Documents read.
    pub documents: usize,
    /// Documents whose text changed.
    pub changed: usize,
    /// Documents that failed (unreadable, not UTF-8, not writable).
    pub failed: usize,
    /// References found.
    pub references: usize,
    /// References embedded.
    pub embedded: usize,
    /// References extracted to files.
    pub extracted: usize,
    /// Image files written by extract (identical images are written once).
    pub files_written: usize,
    /// References left alone because they are not local images.
    pub skipped: usize,
    /// References left as written because of a problem.
    pub problems: usize,
    /// Bytes the output documents gained over their inputs.
    pub bytes_added: u64,
    /// Bytes the output documents lost against their inputs.
    pub bytes_removed: u64,
}

impl Totals {
    /// Adds one document's result.
    pub fn add_document(&mut self, result: &crate::run::DocumentResult) {
        if result.read {
            self.documents += 1;
        }
        if result.error.is_some() {
            // Nothing of a failed document was written, so its references count for nothing.
            self.failed += 1;
            return;
        }
        if result.changed {
            self.changed += 1;
            self.bytes_added += result.bytes_added;
            self.bytes_removed += result.bytes_removed;
        }
        self.add_references(&result.references);
    }

    /// Adds one document's references.
    pub fn add_references(&mut self, references: &[ReferenceReport]) {
        for reference in references {
            self.references += 1;
            match reference.outcome {
                Outcome::Embedded { .. } => self.embedded += 1,
                Outcome::Extracted { reused, .. } => {
                    self.extracted += 1;
                    if !reused {
                        self.files_written += 1;
                    }
                }
                Outcome::Skipped(_) => self.skipped += 1,
                Outcome::Problem(_) => {}
            }
            if reference.is_problem() {
                self.problems += 1;
            }
        }
    }
}

/// The subcommand a report describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `mdembed embed`.
    Embed,
    /// `mdembed extract`.
    Extract,
    /// `mdembed list`.
    List,
}

impl Command {
    /// Returns the subcommand's name.
    pub fn name(self) -> &'static str {
        match self {
            Command::Embed => "embed",
            Command::Extract => "extract",
            Command::List => "list",
        }
    }
}

/// Returns the status word of an outcome, as `mdembed list` and the JSON report write it.
///
/// For `list`, a local image that would be embedded is `local` and an existing data URI is
/// `embedded`; for `embed` and `extract`, `embedded` and `extracted` name what the run did and an
/// existing data URI is `data-uri`. Skipped references are named by their kind (`remote`, ...),
/// problems by their reason (`missing`, `outside-root`, `not-an-image`, ...).
pub fn status(outcome: &Outcome, command: Command) -> &'static str {
    match outcome {
        Outcome::Embedded { .. } if command == Command::List => "local",
        Outcome::Embedded { .. } => "embedded",
        Outcome::Extracted { .. } => "extracted",
        Outcome::Skipped(Skip::DataUri) if command == Command::List => "embedded",
        Outcome::Skipped(skip) => match skip {
            Skip::Remote => "remote",
            Skip::DataUri => "data-uri",
            Skip::OtherScheme(_) => "other-scheme",
            Skip::Fragment => "fragment",
            Skip::Empty => "empty",
            Skip::LocalFile => "local",
            Skip::NotImageData(_) => "not-image-data",
            Skip::NoteEmbed => "note-embed",
            Skip::OtherEmbed => "other-media",
        },
        Outcome::Problem(problem) => match problem {
            Problem::NotAnImage { .. } => "not-an-image",
            other => other.name(),
        },
    }
}

/// Returns the JSON object for one reference.
pub fn reference_json(reference: &ReferenceReport, command: Command) -> serde_json::Value {
    let (syntax, attribute) = match reference.syntax {
        Syntax::MarkdownInline => ("markdown-inline", None),
        Syntax::MarkdownReference => ("markdown-reference", None),
        Syntax::HtmlSrc => ("html", Some("src")),
        Syntax::HtmlSrcset => ("html", Some("srcset")),
        Syntax::ObsidianEmbed => ("obsidian", None),
    };
    let (path, mime, size, reason) = match &reference.outcome {
        Outcome::Embedded {
            path, mime, bytes, ..
        } => (Some(path.clone()), Some(*mime), Some(*bytes), None),
        Outcome::Extracted {
            path, mime, bytes, ..
        } => (Some(path.clone()), Some(*mime), Some(*bytes), None),
        Outcome::Skipped(Skip::DataUri) => match crate::datauri::decode(&reference.target) {
            Ok(uri) => {
                let mime = match crate::sniff::sniff(&uri.data, None) {
                    crate::sniff::Sniffed::Image(kind) => Some(kind.mime()),
                    _ => None,
                };
                (None, mime, Some(uri.data.len() as u64), None)
            }
            Err(_) => (None, None, None, None),
        },
        Outcome::Skipped(_) => (None, None, None, None),
        Outcome::Problem(problem) => {
            let path = match problem {
                Problem::OutsideRoot { path, .. }
                | Problem::NotAnImage { path, .. }
                | Problem::Unsupported { path, .. }
                | Problem::Unreadable { path, .. }
                | Problem::Image { path, .. }
                | Problem::Convert { path, .. } => Some(path.clone()),
                _ => None,
            };
            (path, None, None, Some(problem.to_string()))
        }
    };
    let link = match &reference.outcome {
        Outcome::Extracted { link, .. } => Some(link.clone()),
        _ => None,
    };
    serde_json::json!({
        "line": reference.location.line,
        "column": reference.location.column,
        "syntax": syntax,
        "attribute": attribute,
        "target": reference.target,
        "status": status(&reference.outcome, command),
        "reason": reason,
        "path": path.map(|p| p.display().to_string()),
        "mime": mime,
        "size": size,
        "link": link,
        "notes": reference.notes.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
    })
}

/// Returns the JSON object for one document.
pub fn document_json(result: &crate::run::DocumentResult, command: Command) -> serde_json::Value {
    serde_json::json!({
        "path": result.path.display().to_string(),
        "changed": result.changed,
        "written": result.written.as_ref().map(|p| p.display().to_string()),
        "error": result.error.as_ref().map(|e| e.to_string()),
        "bytes_added": result.bytes_added,
        "bytes_removed": result.bytes_removed,
        "warnings": result.warnings,
        "references": result
            .references
            .iter()
            .map(|r| reference_json(r, command))
            .collect::<Vec<_>>(),
    })
}

/// Returns the whole JSON report of a run.
pub fn report_json(
    command: Command,
    documents: Vec<serde_json::Value>,
    summary: &crate::run::RunSummary,
) -> serde_json::Value {
    let totals = &summary.totals;
    serde_json::json!({
        "schema": "mdembed-report/1",
        "command": command.name(),
        "documents": documents,
        "warnings": summary.walk_warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        "totals": {
            "documents": totals.documents,
            "changed": totals.changed,
            "failed": totals.failed,
            "references": totals.references,
            "embedded": totals.embedded,
            "extracted": totals.extracted,
            "files_written": totals.files_written,
            "skipped": totals.skipped,
            "problems": totals.problems,
            "bytes_added": totals.bytes_added,
            "bytes_removed": totals.bytes_removed,
        },
    })
}
