//! Embedding one document: scan, resolve, load, encode, splice, report.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::cache::{FileKey, ImageCache};
use crate::datauri;
use crate::fs::{self, FsError};
use crate::obsidian::{self, Resolution, VaultIndex};
use crate::refstyle::{self, Definitions};
use crate::report::{Location, Note, Outcome, Problem, ReferenceReport, Skip};
use crate::resolve::{DestKind, ResolveError, ResolveNote, Resolved, Resolver, classify};
use crate::rewrite::{self, Edit, EditText, OverlapError, Rewrite, StreamedImage};
use crate::scan::{self, Locator, Reference, ScanOptions, Site, StrayKind, Syntax, WikiEmbed};
use crate::sniff::{self, ImageType, Sniffed};
use crate::target::{self, Adapted, SvgEncoding, Target};
use crate::transform::{self, ImageOptions};

/// Options for embedding.
#[derive(Debug, Clone, Default)]
pub struct EmbedOptions {
    /// References must resolve inside this folder, after following symlinks. Default (`None`):
    /// the current directory, or for a note inside an Obsidian vault, the vault.
    pub root: Option<PathBuf>,
    /// When Obsidian syntax is read. Default: [`ObsidianMode::Auto`].
    pub obsidian: ObsidianMode,
    /// The processing applied to each image before it is embedded. Default: none.
    pub image: ImageOptions,
    /// The viewer the document is made for; images it cannot display are converted. Default:
    /// [`Target::Browser`].
    pub target: Target,
    /// The SVG encoding. Default (`None`): the one the target needs.
    pub svg: Option<SvgEncoding>,
    /// One data URI larger than this earns a warning. Default (`None`): the target's
    /// threshold ([`Target::uri_warning_bytes`]).
    pub warn_uri_bytes: Option<u64>,
    /// An output document larger than this earns a warning. Default (`None`): the target's
    /// threshold ([`Target::document_warning_bytes`]).
    pub warn_document_bytes: Option<u64>,
    /// The place data URIs are written. Default: [`Style::Inline`].
    pub style: Style,
}

/// The place data URIs are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Style {
    /// In each image's destination.
    #[default]
    Inline,
    /// In link reference definitions appended at the end of the document; Markdown images refer
    /// to them by label (`![GAN samples][gan-samples]`).
    Reference,
}

/// When `![[...]]` embeds and `%%comments%%` are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ObsidianMode {
    /// For documents inside a vault (an ancestor folder contains `.obsidian/`).
    #[default]
    Auto,
    /// For every document; outside a vault the root serves as the vault.
    Always,
    /// Never.
    Never,
}

/// A document after embedding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedded {
    /// The new text; equal to the input when nothing was embedded.
    pub text: String,
    /// Every image reference in source order, with its outcome.
    pub references: Vec<ReferenceReport>,
}

/// The edits that embed a document's images, and the outcome of each reference.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The edits, applied by [`Rewrite::text`] or [`Rewrite::write_to`].
    pub rewrite: Rewrite,
    /// Every image reference in source order, with its outcome.
    pub references: Vec<ReferenceReport>,
    /// Warnings about the document as a whole (its size).
    pub warnings: Vec<String>,
    /// The reason the data URIs of `--style reference` cannot go into definitions, or `None`
    /// when they can. The caller then plans the document again inline and warns with it.
    pub inline_fallback: Option<String>,
}

/// An error that stops one document from being embedded; the document stays as it was.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The root does not exist or cannot be read.
    #[error("invalid root: {0}")]
    Root(#[from] ResolveError),
    /// Two edits overlapped, which would corrupt the document.
    #[error("internal error, document left unchanged: {0}")]
    Overlap(#[from] OverlapError),
    /// An image could not be read while the document was written.
    #[error("{0}")]
    Io(String),
}

/// An image read, sniffed and encoded once, then written wherever it is referenced.
#[derive(Debug)]
struct Loaded {
    path: PathBuf,
    mime: &'static str,
    /// The data URI, in memory or encoded from the file while the document is written.
    uri: EditText,
    bytes: u64,
    /// The file ends before its image data does; it is embedded as it is, with a warning.
    truncated: bool,
    notes: Vec<Note>,
}

/// Embeds documents, keeping each image it has encoded for the documents that follow.
pub struct Embedder {
    options: EmbedOptions,
    /// The resolver for documents outside any vault, or for every document with an explicit
    /// root.
    resolver: Resolver,
    /// Per vault root: its resolver (confined to the vault unless a root was given) and index.
    vaults: Mutex<HashMap<PathBuf, Arc<Vault>>>,
    cache: ImageCache<Result<Arc<Loaded>, Problem>>,
    /// Whether images are only read and sniffed, not processed or encoded (`mdembed list`).
    inspect_only: bool,
}

/// Encoded images kept for later documents when no document in flight uses them. Large enough
/// for the screenshots and icons that documentation folders share, small next to the documents
/// themselves.
const CACHE_BUDGET: usize = 16 * 1024 * 1024;

/// A vault as the embedder uses it.
struct Vault {
    resolver: Resolver,
    index: VaultIndex,
}

/// The dialect and the resolver of one document.
struct DocumentScope<'a> {
    resolver: &'a Resolver,
    vault: Option<Arc<Vault>>,
    base_dir: &'a Path,
}

impl Embedder {
    /// Creates an embedder; fails when the root does not exist.
    pub fn new(options: &EmbedOptions) -> Result<Embedder, EmbedError> {
        let root = options.root.clone().unwrap_or_else(|| PathBuf::from("."));
        Ok(Embedder {
            options: options.clone(),
            resolver: Resolver::new(&root)?,
            vaults: Mutex::new(HashMap::new()),
            cache: ImageCache::new(CACHE_BUDGET),
            inspect_only: false,
        })
    }

    /// Creates an embedder that only inspects: [`Embedder::embed`] then reports what it would
    /// embed (with the file's own type and size) and returns the text unchanged.
    pub fn for_inspection(options: &EmbedOptions) -> Result<Embedder, EmbedError> {
        let mut embedder = Embedder::new(options)?;
        embedder.inspect_only = true;
        Ok(embedder)
    }

    /// Returns the canonical root for documents outside any vault.
    pub fn root(&self) -> &Path {
        self.resolver.root()
    }

    /// Returns the vault a document in `base_dir` is read in, if Obsidian syntax applies to it;
    /// its index is built once per run.
    fn vault_for(&self, base_dir: &Path) -> Result<Option<Arc<Vault>>, EmbedError> {
        let vault_root = match self.options.obsidian {
            ObsidianMode::Never => return Ok(None),
            ObsidianMode::Auto => match obsidian::find_vault(base_dir) {
                Some(root) => root,
                None => return Ok(None),
            },
            ObsidianMode::Always => {
                obsidian::find_vault(base_dir).unwrap_or_else(|| self.resolver.root().to_path_buf())
            }
        };
        let mut vaults = self.vaults.lock().expect("vault lock");
        if let Some(vault) = vaults.get(&vault_root) {
            return Ok(Some(vault.clone()));
        }
        let resolver = match &self.options.root {
            Some(root) => Resolver::new(root)?,
            None => Resolver::new(&vault_root)?,
        };
        let vault = Arc::new(Vault {
            resolver,
            index: VaultIndex::build(&vault_root),
        });
        vaults.insert(vault_root, vault.clone());
        Ok(Some(vault))
    }

    /// Embeds the local images of `source`, whose relative references resolve against
    /// `base_dir`.
    pub fn embed(&self, source: &str, base_dir: &Path) -> Result<Embedded, EmbedError> {
        let planned = self.plan(source, base_dir)?;
        let text = planned
            .rewrite
            .text(source)
            .map_err(|error| EmbedError::Io(error.to_string()))?;
        Ok(Embedded {
            text,
            references: planned.references,
        })
    }

    /// Works out the edits that embed the local images of `source` without applying them, so
    /// that the caller can stream the output to a file ([`Rewrite::write_to`]).
    pub fn plan(&self, source: &str, base_dir: &Path) -> Result<Planned, EmbedError> {
        if self.options.style == Style::Reference
            && !self.options.target.shows_reference_definitions()
        {
            let mut planned = self.plan_with_style(source, base_dir, Style::Inline)?;
            if !planned.rewrite.is_empty() {
                planned.warnings.push(format!(
                    "data URIs kept inline: {} was reported not to show images whose data URI sits in a reference definition",
                    self.options.target
                ));
            }
            return Ok(planned);
        }
        let planned = self.plan_with_style(source, base_dir, self.options.style)?;
        if let Some(reason) = planned.inline_fallback {
            let mut inline = self.plan_with_style(source, base_dir, Style::Inline)?;
            inline
                .warnings
                .push(format!("data URIs kept inline: {reason}"));
            return Ok(inline);
        }
        Ok(planned)
    }

    fn plan_with_style(
        &self,
        source: &str,
        base_dir: &Path,
        style: Style,
    ) -> Result<Planned, EmbedError> {
        let vault = self.vault_for(base_dir)?;
        let scope = DocumentScope {
            resolver: vault.as_ref().map_or(&self.resolver, |v| &v.resolver),
            vault: vault.clone(),
            base_dir,
        };
        let scanned = scan::scan_with(
            source,
            ScanOptions {
                obsidian: vault.is_some(),
            },
        );
        let locator = Locator::new(source);
        let mut edits = Vec::new();
        let mut rewritten_definitions = HashSet::new();
        let mut references = Vec::with_capacity(scanned.references.len());
        let mut definitions = Definitions::new(&scanned.labels);

        // Images are read, processed and encoded in parallel when the document itself runs on
        // a worker of the run's thread pool, so `--jobs` bounds the threads. The edits are then
        // made in source order.
        let load = |reference: &Reference| {
            let mut notes = Vec::new();
            let loaded = match &reference.embed {
                Some(embed) => self.load_embed(embed, &scope, &mut notes),
                None => self.load_reference(reference, &scope, &mut notes),
            };
            (notes, loaded)
        };
        let prepared: Vec<_> = if rayon::current_thread_index().is_some() {
            use rayon::prelude::*;
            scanned.references.par_iter().map(load).collect()
        } else {
            scanned.references.iter().map(load).collect()
        };

        // Renderers built on pulldown-cmark show images as text once reference definitions have
        // been copied more bytes than the document has. A definition used by many images then
        // gives each image its own data URI, and reference style falls back to inline.
        let mut scanned = scanned;
        let mut inline_fallback = None;
        let mut converted = HashSet::new();
        // The check runs whether or not the input itself fits: the limit is conservative, so an
        // input over it may still show every image, and the rewrite must not change that.
        if !self.inspect_only {
            let (expansion, growth) = expansion_after(&scanned, &prepared, style);
            if !scan::expansion_fits(expansion, source.len() + growth) {
                if style == Style::Reference {
                    // The caller plans the document again inline, which converts definitions.
                    inline_fallback = Some(format!(
                        "images used several times would copy {expansion} bytes from their definitions, more than pulldown-cmark resolves in a document of this size, which would show the rest as text"
                    ));
                } else {
                    for (index, (reference, (_, loaded))) in
                        scanned.references.iter_mut().zip(&prepared).enumerate()
                    {
                        if loaded.is_ok()
                            && matches!(reference.site, Site::Definition(_))
                            && let Some(own) = reference.own.take()
                        {
                            reference.site = own;
                            converted.insert(index);
                        }
                    }
                }
            }
        }
        let scanned = scanned;

        // The reference each edit belongs to, for the structure check below.
        let mut owners: Vec<usize> = Vec::new();
        for (index, (reference, (mut notes, loaded))) in
            scanned.references.iter().zip(prepared).enumerate()
        {
            let (line, column) = locator.locate(reference.start);
            let outcome = match loaded {
                Ok(loaded) if self.inspect_only => Outcome::Embedded {
                    path: loaded.path.clone(),
                    mime: loaded.mime,
                    bytes: loaded.bytes,
                    truncated: false,
                },
                Ok(loaded) => {
                    notes.extend(loaded.notes.iter().cloned());
                    let limit = self
                        .options
                        .warn_uri_bytes
                        .unwrap_or(self.options.target.uri_warning_bytes());
                    let uri_len = loaded.uri.len() as u64;
                    if uri_len > limit {
                        notes.push(Note::LargeUri {
                            bytes: uri_len,
                            limit,
                        });
                    }
                    let referenced = style == Style::Reference
                        && reference_style_edit(
                            source,
                            reference,
                            &loaded,
                            &mut definitions,
                            &mut edits,
                        );
                    if !referenced {
                        match &reference.embed {
                            Some(embed) => edits.push(embed_edit(reference, embed, &loaded.uri)),
                            None if converted.contains(&index) => {
                                notes.push(Note::ExpansionLimit);
                                edits.extend(rewrite::edits_for(&reference.site, &loaded.uri));
                            }
                            None => push_edits(
                                reference,
                                &loaded.uri,
                                &mut edits,
                                &mut rewritten_definitions,
                                &mut notes,
                            ),
                        }
                    }
                    Outcome::Embedded {
                        path: loaded.path.clone(),
                        mime: loaded.mime,
                        bytes: loaded.bytes,
                        truncated: loaded.truncated,
                    }
                }
                Err(outcome) => outcome,
            };
            owners.resize(edits.len(), index);
            references.push(ReferenceReport {
                syntax: reference.syntax,
                offset: reference.start,
                location: Location { line, column },
                target: reference.written(source).to_string(),
                outcome,
                notes,
            });
        }

        if !definitions.is_empty() && inline_fallback.is_none() {
            if definitions.survive_in(source) {
                edits.extend(definitions.append_edits(source));
                owners.resize(edits.len(), crate::verify::SHARED);
            } else {
                inline_fallback = Some(
                    "the document ends inside a code or HTML block, which would swallow definitions appended after it"
                        .to_string(),
                );
            }
        }
        leave_unsafe_as_written(
            source,
            &scanned,
            &mut edits,
            &owners,
            &mut references,
            ScanOptions {
                obsidian: vault.is_some(),
            },
            style == Style::Reference,
        );

        for stray in &scanned.strays {
            if let StrayKind::SpacedDestination { dest } = &stray.kind
                && scope.resolver.resolve(dest, base_dir).is_ok()
            {
                let (line, column) = locator.locate(stray.start);
                references.push(ReferenceReport {
                    syntax: Syntax::MarkdownInline,
                    offset: stray.start,
                    location: Location { line, column },
                    target: dest.clone(),
                    outcome: Outcome::Problem(Problem::SpacedDestination { dest: dest.clone() }),
                    notes: Vec::new(),
                });
            }
        }
        references.sort_by_key(|r| r.offset);

        let rewrite = Rewrite::new(edits, source.len())?;
        let mut warnings = Vec::new();
        let limit = self
            .options
            .warn_document_bytes
            .unwrap_or(self.options.target.document_warning_bytes());
        let output_len = rewrite.output_len(source) as u64;
        // A document that was already that large before embedding is not this run's doing.
        if !rewrite.is_empty() && output_len > limit && source.len() as u64 <= limit {
            warnings.push(format!(
                "the embedded document is {output_len} bytes, more than the warning size {limit} for {} (--warn-document-size); consider --max-width or --max-bytes",
                self.options.target
            ));
        }
        Ok(Planned {
            rewrite,
            references,
            warnings,
            inline_fallback,
        })
    }

    /// Resolves an Obsidian embed by name in its vault and loads it if it is an image, or returns
    /// the outcome that replaces embedding: notes and other media are left alone.
    fn load_embed(
        &self,
        embed: &WikiEmbed,
        scope: &DocumentScope<'_>,
        notes: &mut Vec<Note>,
    ) -> Result<Arc<Loaded>, Outcome> {
        let vault = scope
            .vault
            .as_ref()
            .expect("embeds are read only in a vault");
        // `![[#Heading]]` and `![[#^block]]` embed part of the note itself.
        if embed.target.is_empty() {
            return Err(Outcome::Skipped(Skip::NoteEmbed));
        }
        let note_dir = scope
            .base_dir
            .canonicalize()
            .unwrap_or_else(|_| scope.base_dir.to_path_buf());
        let (path, others) = match vault.index.resolve(&embed.target, &note_dir) {
            Resolution::Found { path, others } => (path, others),
            Resolution::NotFound => return Err(Outcome::Problem(Problem::EmbedNotFound)),
        };
        let path = match scope.resolver.confine(&path, &embed.target) {
            Ok(path) => path,
            Err(_) => {
                return Err(Outcome::Problem(Problem::OutsideRoot {
                    path,
                    root: scope.resolver.root().to_path_buf(),
                }));
            }
        };
        if obsidian::is_note(&path) {
            return Err(Outcome::Skipped(Skip::NoteEmbed));
        }
        let loaded = match self.load(&path) {
            Ok(loaded) => loaded,
            Err(Problem::NotAnImage { .. }) if !obsidian::has_image_extension(&path) => {
                return Err(Outcome::Skipped(Skip::OtherEmbed));
            }
            Err(problem) => return Err(Outcome::Problem(problem)),
        };
        if !others.is_empty() {
            notes.push(Note::AmbiguousName {
                chosen: path
                    .strip_prefix(vault.index.root())
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned(),
                others,
            });
        }
        if let Some(anchor) = &embed.anchor {
            notes.push(Note::AnchorDropped(anchor.clone()));
        }
        Ok(loaded)
    }

    /// Resolves and loads the image of one reference, or returns the outcome that replaces
    /// embedding.
    fn load_reference(
        &self,
        reference: &Reference,
        scope: &DocumentScope<'_>,
        notes: &mut Vec<Note>,
    ) -> Result<Arc<Loaded>, Outcome> {
        let skip = match classify(&reference.dest) {
            DestKind::Local => None,
            DestKind::Empty => Some(Skip::Empty),
            DestKind::DataUri => Some(Skip::DataUri),
            DestKind::Remote => Some(Skip::Remote),
            DestKind::OtherScheme(scheme) => Some(Skip::OtherScheme(scheme)),
            DestKind::Fragment => Some(Skip::Fragment),
        };
        if let Some(skip) = skip {
            return Err(Outcome::Skipped(skip));
        }
        if reference.site == Site::Unlocated {
            return Err(Outcome::Problem(Problem::Unlocated));
        }

        let resolved = match scope.resolver.resolve(&reference.dest, scope.base_dir) {
            Ok(resolved) => resolved,
            Err(ResolveError::OutsideRoot { path, .. }) => {
                return Err(Outcome::Problem(Problem::OutsideRoot {
                    path,
                    root: scope.resolver.root().to_path_buf(),
                }));
            }
            Err(_) => match self.find_in_vault(&reference.dest, scope) {
                Some(resolved) => resolved,
                None => return Err(Outcome::Problem(Problem::NotFound)),
            },
        };
        for note in resolved.notes {
            notes.push(match note {
                ResolveNote::SuffixDropped { suffix } => Note::SuffixDropped(suffix),
                ResolveNote::BackslashSeparators => Note::BackslashSeparators,
                ResolveNote::RootRelative => Note::RootRelative,
                ResolveNote::VaultName => Note::VaultName,
            });
        }
        self.load(&resolved.path).map_err(Outcome::Problem)
    }

    /// Finds the file of a Markdown or HTML destination by name in the note's vault, as Obsidian
    /// resolves links that are not relative paths (`![](shot.png#interface)` with the file in
    /// `Attachments/`).
    fn find_in_vault(&self, dest: &str, scope: &DocumentScope<'_>) -> Option<Resolved> {
        let vault = scope.vault.as_ref()?;
        let decoded = percent_encoding::percent_decode_str(dest)
            .decode_utf8()
            .ok()?
            .into_owned();
        let mut notes = vec![ResolveNote::VaultName];
        let name = match decoded.find(['?', '#']) {
            Some(cut) => {
                notes.push(ResolveNote::SuffixDropped {
                    suffix: decoded[cut..].to_string(),
                });
                &decoded[..cut]
            }
            None => decoded.as_str(),
        };
        let note_dir = scope.base_dir.canonicalize().ok()?;
        let Resolution::Found { path, .. } = vault.index.resolve(name, &note_dir) else {
            return None;
        };
        let path = scope.resolver.confine(&path, dest).ok()?;
        Some(Resolved { path, notes })
    }

    /// Reads, sniffs and encodes the image at the canonical `path`, once per run.
    fn load(&self, path: &Path) -> Result<Arc<Loaded>, Problem> {
        let Some(key) = FileKey::of(path) else {
            return load_image(path, &self.options).map(Arc::new);
        };
        let size = |loaded: &Result<Arc<Loaded>, Problem>| {
            loaded.as_ref().map_or(0, |loaded| match &loaded.uri {
                EditText::Text(text) => text.len(),
                EditText::Streamed(_) => 0,
            })
        };
        let inspect_only = self.inspect_only;
        self.cache.get_or_load(key, size, || {
            if inspect_only {
                inspect_image(path).map(Arc::new)
            } else {
                load_image(path, &self.options).map(Arc::new)
            }
        })
    }
}

/// Reads and sniffs the file at `path` without processing or encoding it.
fn inspect_image(path: &Path) -> Result<Loaded, Problem> {
    let (bytes, kind) = read_and_sniff(path)?;
    Ok(Loaded {
        path: path.to_path_buf(),
        mime: kind.mime(),
        uri: EditText::Text(Arc::from("")),
        bytes: bytes.len() as u64,
        truncated: false,
        notes: Vec::new(),
    })
}

/// Reads the file at `path` and encodes it as a data URI if its content is a displayable image.
fn load_image(path: &Path, options: &EmbedOptions) -> Result<Loaded, Problem> {
    let svg = options.svg.unwrap_or(options.target.svg_encoding());
    if let Some(streamed) = stream_unchanged(path, options, svg)? {
        return Ok(streamed);
    }
    let (bytes, kind) = read_and_sniff(path)?;
    let source_len = bytes.len() as u64;
    // Processing rejects a truncated image, so one reaches the output only when embedded as it is.
    let truncated = sniff::is_truncated(kind, &bytes);
    let processed =
        transform::process(bytes, kind, &options.image).map_err(|problem| Problem::Image {
            path: path.to_path_buf(),
            problem,
        })?;
    let mut notes: Vec<Note> = processed.notes.into_iter().map(Note::Image).collect();
    let adapted =
        target::adapt(processed.bytes, processed.kind, options.target, svg).map_err(|problem| {
            Problem::Convert {
                path: path.to_path_buf(),
                problem,
            }
        })?;
    let (mime, uri, embedded_len) = match adapted {
        Adapted::Bytes {
            bytes,
            kind,
            conversion,
        } => {
            notes.extend(conversion.map(Note::Converted));
            let uri = datauri::encode(kind.mime(), &bytes);
            (kind.mime(), uri, bytes.len() as u64)
        }
        Adapted::Uri { uri, conversion } => {
            notes.push(Note::Converted(conversion));
            (ImageType::Svg.mime(), uri, source_len)
        }
    };
    Ok(Loaded {
        path: path.to_path_buf(),
        mime,
        uri: EditText::Text(Arc::from(uri)),
        bytes: embedded_len,
        truncated,
        notes,
    })
}

/// Files above this size are not read whole when no processing is asked for: their data URI is
/// encoded from the file while the document is written.
const STREAM_THRESHOLD: u64 = 1024 * 1024;

/// Enough of a file's start to tell its type, including an SVG's root element after a long
/// prolog.
const SNIFF_HEAD: usize = 64 * 1024;

/// Returns a streamed image for a large file that no option changes, or `None` when the file
/// must be read whole.
fn stream_unchanged(
    path: &Path,
    options: &EmbedOptions,
    svg: SvgEncoding,
) -> Result<Option<Loaded>, Problem> {
    let image = &options.image;
    let processing = image.max_width.is_some()
        || image.max_height.is_some()
        || image.format != transform::OutputFormat::Keep
        || image.strip_metadata;
    let Some(key) = FileKey::of(path) else {
        return Ok(None);
    };
    if processing || key.size() <= STREAM_THRESHOLD {
        return Ok(None);
    }
    let head = fs::read_image_head(path, SNIFF_HEAD).map_err(|error| Problem::Unreadable {
        path: path.to_path_buf(),
        error: error.to_string(),
    })?;
    let extension = path.extension().and_then(|e| e.to_str());
    let kind = match sniff::sniff(&head, extension) {
        Sniffed::Image(kind) => kind,
        // Let the whole-file path decide and word the problem.
        _ => return Ok(None),
    };
    let displayed =
        options.target.displays(kind) && (kind != ImageType::Svg || svg == SvgEncoding::Base64);
    if !displayed {
        return Ok(None);
    }
    if let Some(max) = image.max_bytes
        && key.size() > max
    {
        return Err(Problem::Image {
            path: path.to_path_buf(),
            problem: transform::TransformProblem::TooLarge {
                bytes: key.size(),
                max,
            },
        });
    }
    Ok(Some(Loaded {
        path: path.to_path_buf(),
        mime: kind.mime(),
        bytes: key.size(),
        uri: EditText::Streamed(Arc::new(StreamedImage {
            path: path.to_path_buf(),
            mime: kind.mime(),
            key,
        })),
        // NOTE: a file streamed without being read whole is not checked for truncation.
        truncated: false,
        notes: Vec::new(),
    }))
}

/// Reads the file at `path` and returns its bytes if its content is a displayable image.
fn read_and_sniff(path: &Path) -> Result<(Vec<u8>, ImageType), Problem> {
    let bytes = match fs::read_image_file(path) {
        Ok(bytes) => bytes,
        Err(FsError::NotRegularFile { kind, .. }) => {
            return Err(Problem::NotAnImage {
                path: path.to_path_buf(),
                reason: kind.to_string(),
            });
        }
        Err(error) => {
            return Err(Problem::Unreadable {
                path: path.to_path_buf(),
                error: error.to_string(),
            });
        }
    };
    let extension = path.extension().and_then(|e| e.to_str());
    match sniff::sniff(&bytes, extension) {
        Sniffed::Image(kind) => Ok((bytes, kind)),
        Sniffed::Unsupported(format) => Err(Problem::Unsupported {
            path: path.to_path_buf(),
            format,
        }),
        Sniffed::NotAnImage => Err(Problem::NotAnImage {
            path: path.to_path_buf(),
            reason: if bytes.is_empty() {
                "empty file".to_string()
            } else {
                "content is not a known image format".to_string()
            },
        }),
    }
}

/// The notes of one reference and its loaded image, or the outcome that replaces embedding.
type Prepared = (Vec<Note>, Result<Arc<Loaded>, Outcome>);

/// Returns the bytes that references would copy from definitions after embedding the loaded
/// images of `scanned` in `style`, and how much longer the document would be at least.
fn expansion_after(
    scanned: &crate::scan::Scan,
    prepared: &[Prepared],
    style: Style,
) -> (usize, usize) {
    let mut expansion = scanned.expansion;
    let mut growth = 0usize;
    let mut definitions = HashSet::new();
    let mut labels = HashSet::new();
    for (reference, (_, loaded)) in scanned.references.iter().zip(prepared) {
        let Ok(loaded) = loaded else {
            continue;
        };
        let uri = loaded.uri.len();
        let moved_to_definition = style == Style::Reference
            && match &reference.site {
                Site::Destination(_) => reference.tail.is_some() && reference.embed.is_none(),
                Site::Embed(_) => reference.embed.is_some(),
                Site::OwnDestination { .. } => reference.embed.is_none(),
                _ => false,
            };
        match &reference.site {
            Site::Definition(range) => {
                expansion = expansion.saturating_sub(reference.dest.len()) + uri;
                if definitions.insert(range.start) {
                    growth += uri.saturating_sub(range.len());
                }
            }
            _ if moved_to_definition => {
                expansion += uri;
                if labels.insert(loaded.path.clone()) {
                    growth += uri;
                }
            }
            _ => growth += uri.saturating_sub(reference.dest.len()),
        }
    }
    (expansion, growth)
}

/// Drops the edits of references whose rewrite would change how the document parses, and
/// reports those references as left as written.
fn leave_unsafe_as_written(
    source: &str,
    scanned: &crate::scan::Scan,
    edits: &mut Vec<Edit>,
    owners: &[usize],
    reports: &mut [ReferenceReport],
    options: ScanOptions,
    reference_style: bool,
) {
    let checked = crate::verify::keep_safe(
        source,
        std::mem::take(edits),
        owners,
        scanned,
        options,
        reference_style,
    );
    *edits = checked.edits;
    for index in checked.left {
        if let Outcome::Embedded { .. } = reports[index].outcome {
            reports[index].outcome = Outcome::Problem(Problem::ChangesStructure);
        }
    }
}

/// Returns the edit that replaces an Obsidian embed with a Markdown image Obsidian shows the
/// same way: `![[gan samples.png|300]]` becomes `![gan samples|300](data:...)`.
fn embed_edit(reference: &Reference, embed: &WikiEmbed, uri: &EditText) -> Edit {
    let alt = obsidian::alt_text(&embed.target, embed.size.as_deref());
    let (prefix, suffix) = obsidian::image_syntax(&alt, embed.in_table);
    let range = match &reference.site {
        Site::Embed(range) => range.clone(),
        _ => unreachable!("embeds have an embed site"),
    };
    Edit {
        range,
        prefix,
        text: uri.clone(),
        suffix,
    }
}

/// Adds the edits that make `reference` refer to a definition holding its data URI, for
/// `--style reference`. Returns false for references that stay as they are written, which are
/// HTML images and images that already use a definition.
fn reference_style_edit(
    source: &str,
    reference: &Reference,
    loaded: &Loaded,
    definitions: &mut Definitions,
    edits: &mut Vec<Edit>,
) -> bool {
    match (&reference.site, &reference.tail, &reference.embed) {
        (Site::Destination(destination), Some(tail), None) => {
            let title = refstyle::inline_title(source, destination, tail);
            let label = definitions.label(&loaded.path, &title, &reference.alt, &loaded.uri);
            // `](dest "title")` becomes `][label]`; the title moves to the definition.
            edits.push(Edit::replace(
                tail.clone(),
                Arc::<str>::from(format!("][{label}]").as_str()),
            ));
            true
        }
        (Site::Embed(range), _, Some(embed)) => {
            let alt = obsidian::alt_text(&embed.target, embed.size.as_deref());
            let (prefix, _) = obsidian::image_syntax(&alt, embed.in_table);
            let label = definitions.label(&loaded.path, "", &alt, &loaded.uri);
            let image = prefix.strip_suffix('(').unwrap_or(&prefix);
            edits.push(Edit::replace(
                range.clone(),
                Arc::<str>::from(format!("{image}[{label}]").as_str()),
            ));
            true
        }
        (Site::OwnDestination { range, title }, _, None) => {
            let title = title.clone().unwrap_or_default();
            let label = definitions.label(&loaded.path, &title, &reference.alt, &loaded.uri);
            edits.push(Edit::replace(
                range.clone(),
                Arc::<str>::from(format!("[{label}]").as_str()),
            ));
            true
        }
        _ => false,
    }
}

/// Adds the edits that write `uri` as the destination of `reference`, with the notes they call
/// for.
fn push_edits(
    reference: &Reference,
    uri: &EditText,
    edits: &mut Vec<Edit>,
    rewritten_definitions: &mut HashSet<usize>,
    notes: &mut Vec<Note>,
) {
    match &reference.site {
        Site::Definition(range) if !rewritten_definitions.insert(range.start) => {
            notes.push(Note::SharedDefinition);
        }
        Site::OwnDestination { .. } => notes.push(Note::OwnDestination),
        _ => {}
    }
    edits.extend(rewrite::edits_for(&reference.site, uri));
}

/// Embeds the local images of `source` with `options`; relative references resolve against
/// `base_dir`.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # let png = [137u8, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 31, 21, 196, 137, 0, 0, 0, 13, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 240, 31, 0, 5, 0, 1, 255, 137, 153, 61, 29, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130];
/// # std::fs::write(dir.path().join("dot.png"), png).unwrap();
/// let options = mdembed::EmbedOptions {
///     root: Some(dir.path().to_path_buf()),
///     ..Default::default()
/// };
/// let out = mdembed::embed("A ![dot](dot.png) here.\n", dir.path(), &options).unwrap();
/// assert!(out.text.starts_with("A ![dot](data:image/png;base64,iVBORw0KGgo"));
/// assert!(out.text.ends_with(") here.\n"));
/// ```
pub fn embed(
    source: &str,
    base_dir: &Path,
    options: &EmbedOptions,
) -> Result<Embedded, EmbedError> {
    Embedder::new(options)?.embed(source, base_dir)
}

/// The syntax `mdembed image` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSyntax {
    /// `![alt](data:...)`.
    Markdown,
    /// `<img src="data:..." alt="...">`.
    Html,
}

/// An image file that `mdembed image` cannot embed.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {problem}", path = path.display())]
pub struct ImageError {
    /// The file as given.
    pub path: PathBuf,
    /// The problem found.
    pub problem: Problem,
}

/// Returns one Markdown image (or HTML tag) that embeds the image file at `path`, with `alt` as
/// its alt text (default: the file name without its extension).
pub fn image_snippet(
    path: &Path,
    alt: Option<&str>,
    syntax: ImageSyntax,
    options: &EmbedOptions,
) -> Result<String, ImageError> {
    let loaded = load_image(path, options).map_err(|problem| ImageError {
        path: path.to_path_buf(),
        problem,
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let alt = alt.unwrap_or(&stem);
    let uri = match &loaded.uri {
        EditText::Text(text) => text.to_string(),
        EditText::Streamed(image) => {
            let mut out = Vec::with_capacity(image.uri_len());
            image.write_uri(&mut out).map_err(|error| ImageError {
                path: path.to_path_buf(),
                problem: Problem::Unreadable {
                    path: path.to_path_buf(),
                    error: error.to_string(),
                },
            })?;
            String::from_utf8(out).expect("data URIs are ASCII")
        }
    };
    Ok(match syntax {
        ImageSyntax::Markdown => format!("![{}]({uri})", escape_alt(alt)),
        ImageSyntax::Html => format!(
            "<img src=\"{}\" alt=\"{}\">",
            uri,
            html_escape::encode_double_quoted_attribute(alt)
        ),
    })
}

/// Escapes text for a Markdown image description so that it renders as itself.
fn escape_alt(alt: &str) -> String {
    let mut escaped = String::with_capacity(alt.len());
    for c in alt.chars() {
        match c {
            '\\' | '[' | ']' | '*' | '_' | '`' | '<' | '&' | '!' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '\n' | '\r' => escaped.push(' '),
            _ => escaped.push(c),
        }
    }
    escaped
}
