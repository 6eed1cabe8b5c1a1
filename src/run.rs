//! Running a transformation over many documents: inputs to documents, reading, transforming,
//! writing, and one result per document in input order.
//!
//! A document that cannot be read, decoded as UTF-8, transformed or written is reported and left
//! exactly as it was; the run goes on with the next one.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::fs::{self, FsError};
use crate::report::{ReferenceReport, Totals};
use crate::walk::{self, WalkProblem};

/// The source of documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A Markdown file or a directory walked for `*.md` and `*.markdown`.
    Path(PathBuf),
}

/// The layout of documents below an output directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The document's path relative to its input directory (one directory input).
    InputRelative,
    /// The document's path relative to the current directory (several inputs).
    CurrentDirRelative,
}

/// The destination of transformed documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The text is returned in [`DocumentResult::text`] for the caller to print.
    Stdout,
    /// Each changed document is replaced atomically; unchanged ones are not rewritten.
    InPlace,
    /// One document is written to this file.
    File(PathBuf),
    /// Every document is written under this directory.
    Directory {
        /// The output directory.
        dir: PathBuf,
        /// The layout of paths below it.
        layout: Layout,
    },
    /// Nothing is written; the results only list the documents that would change.
    Check,
}

/// A batch of documents to transform.
#[derive(Debug, Clone)]
pub struct Job {
    /// The inputs in command-line order.
    pub inputs: Vec<Input>,
    /// The destination of the results.
    pub output: Output,
    /// The folder relative references of standard input resolve against.
    pub stdin_base_dir: PathBuf,
    /// How many documents are processed at once; 1 processes them in order on the calling
    /// thread. Results arrive in input order either way.
    pub jobs: usize,
}

/// Receives the progress and results of a run.
pub trait Observer {
    /// Called once with the number of documents found, before the first is processed.
    fn start(&mut self, _documents: usize) {}
    /// Called for each document, in input order.
    fn document(&mut self, result: DocumentResult);
}

/// One document to transform, as the transformation receives it.
#[derive(Debug, Clone)]
pub struct DocumentContext<'a> {
    /// The path as given on the command line or found under a given directory (`-` for
    /// standard input).
    pub path: &'a Path,
    /// The folder relative references resolve against.
    pub base_dir: &'a Path,
    /// The file the result will be written to, when it goes to a file.
    pub output_path: Option<&'a Path>,
}

/// Returns where a document's extracted images go: beside the output document when it goes to a
/// file, otherwise beside the input (for standard input, in `--base-dir` as `stdin`).
pub fn extract_target(context: &DocumentContext<'_>) -> crate::ExtractTarget {
    let input = followed(context.path);
    let document = context.output_path.unwrap_or(&input);
    let stdin = document.as_os_str() == "-";
    let document_dir = if stdin {
        context.base_dir.to_path_buf()
    } else {
        parent_dir(document)
    };
    let document_stem = if stdin {
        "stdin".to_string()
    } else {
        document.file_stem().map_or_else(
            || "document".to_string(),
            |s| s.to_string_lossy().into_owned(),
        )
    };
    let source_dir = if context.path.as_os_str() == "-" {
        context.base_dir.to_path_buf()
    } else {
        parent_dir(&input)
    };
    crate::ExtractTarget {
        document_dir,
        document_stem,
        source_dir: Some(source_dir),
    }
}

/// The result of transforming one document: its edits and the outcome of each reference.
pub type Transformed = crate::embed::Planned;

/// The reason a document was left as it was.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// An input path does not exist or could not be walked.
    #[error("{0}")]
    Walk(WalkProblem),
    /// Reading failed.
    #[error("{0}")]
    Read(FsError),
    /// Standard input could not be read.
    #[error("cannot read standard input: {0}")]
    Stdin(std::io::Error),
    /// The bytes are not UTF-8.
    #[error("not valid UTF-8 at byte {offset}; convert the file to UTF-8 first")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The transformation failed.
    #[error("{0}")]
    Transform(String),
    /// Writing failed.
    #[error("{0}")]
    Write(FsError),
}

/// The result for one document.
#[derive(Debug)]
pub struct DocumentResult {
    /// The path as given on the command line or found under a given directory (`-` for
    /// standard input).
    pub path: PathBuf,
    /// Every reference with its outcome (empty when the document failed).
    pub references: Vec<ReferenceReport>,
    /// Whether the text changed.
    pub changed: bool,
    /// Bytes the output gained over the input.
    pub bytes_added: u64,
    /// Bytes the output lost against the input.
    pub bytes_removed: u64,
    /// The new text, for [`Output::Stdout`].
    pub text: Option<String>,
    /// The file the document was written to, if it was written.
    pub written: Option<PathBuf>,
    /// The reason the document was left as it was, if it failed.
    pub error: Option<DocumentError>,
    /// Whether the document was read (false when reading it failed).
    pub read: bool,
    /// Warnings about the document as a whole (its size, a style that could not apply); they do
    /// not change the exit status.
    pub warnings: Vec<String>,
}

/// The outcome of a whole run.
#[derive(Debug, Default)]
pub struct RunSummary {
    /// Totals over all documents.
    pub totals: Totals,
    /// Problems met while walking directories that did not stop the run (symlink loops,
    /// unreadable folders).
    pub walk_warnings: Vec<WalkProblem>,
}

impl DocumentResult {
    fn new(path: PathBuf) -> DocumentResult {
        DocumentResult {
            path,
            references: Vec::new(),
            changed: false,
            bytes_added: 0,
            bytes_removed: 0,
            text: None,
            written: None,
            error: None,
            read: false,
            warnings: Vec::new(),
        }
    }
}

struct Pending {
    path: PathBuf,
    relative: PathBuf,
    stdin: bool,
}

/// Transforms every document of `job` with `transform`, telling `observer` about each result in
/// input order.
pub fn run<T>(job: &Job, transform: T, observer: &mut dyn Observer) -> RunSummary
where
    T: Fn(&str, &DocumentContext<'_>) -> Result<Transformed, String> + Sync,
{
    let mut totals = Totals::default();
    let exclude: Vec<PathBuf> = match &job.output {
        Output::Directory { dir, .. } => vec![dir.clone()],
        _ => Vec::new(),
    };

    let mut pending = Vec::new();
    let mut walk_warnings = Vec::new();
    for input in &job.inputs {
        match input {
            Input::Stdin => pending.push(Pending {
                path: PathBuf::from("-"),
                relative: PathBuf::from("-"),
                stdin: true,
            }),
            Input::Path(path) => {
                let walked = walk::collect(std::slice::from_ref(path), &exclude);
                for problem in walked.problems {
                    if let WalkProblem::NotFound { .. } | WalkProblem::NotRegularFile { .. } =
                        problem
                    {
                        let mut result = DocumentResult::new(path.clone());
                        result.error = Some(DocumentError::Walk(problem));
                        totals.add_document(&result);
                        observer.document(result);
                    } else {
                        walk_warnings.push(problem);
                    }
                }
                for document in walked.documents {
                    pending.push(Pending {
                        path: document.path,
                        relative: document.relative,
                        stdin: false,
                    });
                }
            }
        }
    }
    observer.start(pending.len());
    remove_stale_temp_files(job, &pending);

    let mut emit = |result: DocumentResult| {
        totals.add_document(&result);
        observer.document(result);
    };
    // A single document still runs on the pool when -j allows it, so that its images load in
    // parallel.
    let jobs = job.jobs.max(1);
    if jobs == 1 {
        for document in &pending {
            emit(process(job, document, &transform));
        }
    } else {
        run_parallel(job, &pending, &transform, jobs, &mut emit);
    }
    RunSummary {
        totals,
        walk_warnings,
    }
}

/// Processes documents on `jobs` threads and hands results to `emit` in input order, as soon as
/// every earlier document is done. Results that finish early wait in a buffer; they hold no
/// document text unless the text goes to standard output.
fn run_parallel<T>(
    job: &Job,
    pending: &[Pending],
    transform: &T,
    jobs: usize,
    emit: &mut dyn FnMut(DocumentResult),
) where
    T: Fn(&str, &DocumentContext<'_>) -> Result<Transformed, String> + Sync,
{
    use rayon::prelude::*;

    let pool = match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool,
        Err(_) => {
            for document in pending {
                emit(process(job, document, transform));
            }
            return;
        }
    };
    let (sender, receiver) = std::sync::mpsc::channel::<(usize, DocumentResult)>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            pool.install(|| {
                pending.par_iter().enumerate().for_each_with(
                    sender,
                    |sender, (index, document)| {
                        // The receiver lives until every result has arrived.
                        let _ = sender.send((index, process(job, document, transform)));
                    },
                );
            });
        });
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        for (index, result) in receiver {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&next) {
                emit(result);
                next += 1;
            }
        }
    });
}

fn process<T>(job: &Job, document: &Pending, transform: &T) -> DocumentResult
where
    T: Fn(&str, &DocumentContext<'_>) -> Result<Transformed, String>,
{
    let mut result = DocumentResult::new(document.path.clone());
    let (bytes, stamp) = if document.stdin {
        let mut bytes = Vec::new();
        if let Err(error) = std::io::stdin().read_to_end(&mut bytes) {
            result.error = Some(DocumentError::Stdin(error));
            return result;
        }
        (bytes, None)
    } else {
        match fs::read_document(&document.path) {
            Ok((bytes, stamp)) => (bytes, Some(stamp)),
            Err(error) => {
                result.error = Some(DocumentError::Read(error));
                return result;
            }
        }
    };
    result.read = true;

    let source = match std::str::from_utf8(&bytes) {
        Ok(source) => source,
        Err(error) => {
            result.error = Some(DocumentError::NotUtf8 {
                offset: error.valid_up_to(),
            });
            return result;
        }
    };

    let base_dir = if document.stdin {
        job.stdin_base_dir.clone()
    } else {
        parent_dir(&followed(&document.path))
    };
    let output_path = output_path(&job.output, document);
    let context = DocumentContext {
        path: &document.path,
        base_dir: &base_dir,
        output_path: output_path.as_deref(),
    };
    let transformed = match transform(source, &context) {
        Ok(transformed) => transformed,
        Err(message) => {
            result.error = Some(DocumentError::Transform(message));
            return result;
        }
    };

    let rewrite = transformed.rewrite;
    let output_len = rewrite.output_len(source);
    result.changed = !rewrite.is_empty();
    result.bytes_added = output_len.saturating_sub(source.len()) as u64;
    result.bytes_removed = source.len().saturating_sub(output_len) as u64;
    result.references = transformed.references;
    result.warnings = transformed.warnings;

    let mut write = |out: &mut dyn std::io::Write| rewrite.write_to(source, out);
    let written = match &job.output {
        Output::Stdout => match rewrite.text(source) {
            Ok(text) => {
                result.text = Some(text);
                Ok(None)
            }
            Err(error) => {
                result.error = Some(DocumentError::Transform(error.to_string()));
                result.changed = false;
                return result;
            }
        },
        Output::Check => Ok(None),
        Output::InPlace if !result.changed => Ok(None),
        Output::InPlace => fs::replace_atomically_with(&document.path, &mut write, stamp.as_ref())
            .map(|()| Some(document.path.clone())),
        Output::File(_) | Output::Directory { .. } => {
            let path = output_path.clone().expect("file outputs have a path");
            fs::write_output_with(&path, &mut write).map(|()| Some(path))
        }
    };
    match written {
        Ok(written) => result.written = written,
        Err(error) => {
            result.error = Some(DocumentError::Write(error));
            result.changed = false;
        }
    }
    result
}

/// Removes what killed runs left in the folders this run writes documents into, and in their
/// default assets folders, so that no temporary file outlives the run that follows a crash.
fn remove_stale_temp_files(job: &Job, pending: &[Pending]) {
    let mut folders = std::collections::BTreeSet::new();
    for document in pending.iter().filter(|d| !d.stdin) {
        let written = match &job.output {
            Output::InPlace => Some(document.path.clone()),
            Output::File(_) | Output::Directory { .. } => output_path(&job.output, document),
            Output::Stdout | Output::Check => None,
        };
        if let Some(written) = written {
            let parent = parent_dir(&written);
            // Extract writes images through temporary files in the default assets folder.
            if let Some(stem) = written.file_stem() {
                let mut assets = stem.to_os_string();
                assets.push(".assets");
                folders.insert(parent.join(assets));
            }
            folders.insert(parent);
        }
    }
    for folder in folders {
        fs::remove_stale_temp_files(&folder);
    }
}

/// Returns the file a symlinked document points to, or `path` itself when it is no symlink. A
/// document is read and written through the link, so its images are the ones beside the file
/// it points to, where a renderer opening that file looks for them.
fn followed(path: &Path) -> PathBuf {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match is_link.then(|| std::fs::canonicalize(path)) {
        Some(Ok(target)) => target,
        _ => path.to_path_buf(),
    }
}

/// Returns the folder of `path`, `.` for a bare file name.
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn output_path(output: &Output, document: &Pending) -> Option<PathBuf> {
    match output {
        Output::File(path) => Some(path.clone()),
        Output::Directory { dir, layout } => {
            let relative = match layout {
                Layout::InputRelative => document.relative.clone(),
                Layout::CurrentDirRelative => current_dir_relative(&document.path)?,
            };
            Some(dir.join(relative))
        }
        _ => None,
    }
}

/// Returns `path` relative to the current directory, without `.` components, or `None` when it
/// lies outside it.
pub fn current_dir_relative(path: &Path) -> Option<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let cwd = std::env::current_dir().ok()?;
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    let parent = absolute.parent()?;
    let parent = parent
        .canonicalize()
        .unwrap_or_else(|_| parent.to_path_buf());
    let relative_parent = parent.strip_prefix(&cwd).ok()?;
    let mut relative: PathBuf = relative_parent
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    relative.push(absolute.file_name()?);
    Some(relative)
}
