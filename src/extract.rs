//! Extracting one document: scan, decode each data URI, name and write its image file, splice
//! a relative link in its place, report.
//!
//! Files go into one assets folder per output document (`<stem>.assets/` beside it by default).
//! Names are deterministic: a `name` parameter of the URI, a slug of the alt text, or a content
//! hash, with `-2`, `-3`, ... when the name is taken by different bytes. A file that exists with
//! the same bytes is linked again instead of written, so extracting twice changes nothing. No
//! file is ever overwritten, and nothing is written through a symlink.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::datauri::{self, DecodeNote};
use crate::embed::ObsidianMode;
use crate::embed::Planned;
use crate::obsidian;
use crate::report::{Location, Note, Outcome, Problem, ReferenceReport, Skip};
use crate::resolve::{DestKind, classify};
use crate::rewrite::{self, EditText, OverlapError, Rewrite};
use crate::scan::{self, Locator, Reference, Site, StrayKind, Syntax};
use crate::sniff::{self, ImageType, Sniffed};

/// The naming scheme of extracted files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NameStyle {
    /// The URI's `name` or `filename` parameter if it has one, else a slug of the alt text
    /// (Unicode letters and digits kept), else `image`.
    #[default]
    Alt,
    /// The first 16 hexadecimal digits of the content's SHA-256.
    Hash,
}

/// Options for extracting.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// The folder images go into, relative to each output document's folder or absolute.
    /// Default: the attachment folder of the Obsidian vault the output document is in, when its
    /// `.obsidian/app.json` sets one; otherwise `<document stem>.assets` beside the document.
    pub assets_dir: Option<PathBuf>,
    /// Whether a vault's attachment folder applies. Default: [`ObsidianMode::Auto`], for
    /// documents inside a vault.
    pub obsidian: ObsidianMode,
    /// The naming scheme of files. Default: [`NameStyle::Alt`].
    pub name: NameStyle,
    /// Whether files are written; without it names are chosen as if they were (`--check`).
    /// Default: false.
    pub dry_run: bool,
}

/// The folders that one document's images go into and its links are relative to.
#[derive(Debug, Clone, Default)]
pub struct ExtractTarget {
    /// The folder of the output document: links are relative to it.
    pub document_dir: PathBuf,
    /// The output document's file name without extension (names the default assets folder).
    pub document_stem: String,
    /// The folder of the input document, when it differs from `document_dir`: relative links
    /// to local files, which extract keeps as written, then no longer resolve and are reported.
    pub source_dir: Option<PathBuf>,
}

/// A document after extracting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The new text; equal to the input when nothing was extracted.
    pub text: String,
    /// Every image reference in source order, with its outcome.
    pub references: Vec<ReferenceReport>,
}

/// An error that stops one document from being extracted; the document stays as it was.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The assets folder cannot be created or is not a real folder.
    #[error("cannot use assets folder {path}: {reason}", path = path.display())]
    AssetsFolder {
        /// The folder.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Writing an image file failed.
    #[error("cannot write {path}: {source}", path = path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Two edits overlapped, which would corrupt the document.
    #[error("internal error, document left unchanged: {0}")]
    Overlap(#[from] OverlapError),
}

/// Extracts documents, remembering the files it wrote so that identical images in one folder are
/// written once.
pub struct Extractor {
    options: ExtractOptions,
    /// Per assets folder and content hash, the file name already chosen in this run.
    written: Mutex<HashMap<(PathBuf, [u8; 32]), String>>,
    /// Per assets folder, the names and sizes of its regular files, read once per run and
    /// extended with every file written.
    listings: Mutex<HashMap<PathBuf, Vec<(String, u64)>>>,
}

/// A decoded image ready to be named and written.
struct DecodedImage {
    kind: ImageType,
    data: Vec<u8>,
    name_hint: Option<String>,
    truncated: bool,
}

impl Extractor {
    /// Creates an extractor.
    pub fn new(options: ExtractOptions) -> Extractor {
        Extractor {
            options,
            written: Mutex::new(HashMap::new()),
            listings: Mutex::new(HashMap::new()),
        }
    }

    /// Returns the assets folder for a document.
    pub fn assets_dir(&self, target: &ExtractTarget) -> PathBuf {
        if let Some(dir) = &self.options.assets_dir {
            return target.document_dir.join(dir);
        }
        if self.options.obsidian != ObsidianMode::Never
            && let Some(vault) = obsidian::find_vault(&target.document_dir)
        {
            let document_dir = target
                .document_dir
                .canonicalize()
                .unwrap_or_else(|_| target.document_dir.clone());
            if let Some(folder) = obsidian::attachment_folder(&vault, &document_dir) {
                return folder;
            }
        }
        target
            .document_dir
            .join(format!("{}.assets", target.document_stem))
    }

    /// Extracts the embedded images of `source` into files for the output document `target`.
    pub fn extract(&self, source: &str, target: &ExtractTarget) -> Result<Extracted, ExtractError> {
        let planned = self.plan(source, target)?;
        let text = planned
            .rewrite
            .text(source)
            .expect("extract edits are held in memory");
        Ok(Extracted {
            text,
            references: planned.references,
        })
    }

    /// Writes the image files of `source` and works out the edits that link them, without
    /// applying the edits.
    pub fn plan(&self, source: &str, target: &ExtractTarget) -> Result<Planned, ExtractError> {
        let scanned = scan::scan(source);
        let locator = Locator::new(source);
        let assets_dir = self.assets_dir(target);
        // First every data URI is decoded and its edits are made with a placeholder link, so
        // that the structure check runs before any file is written: a reference it leaves as
        // written must not leave a file behind.
        let mut edits = Vec::new();
        let mut owners = Vec::new();
        let mut pending = Vec::with_capacity(scanned.references.len());
        let placeholder = EditText::Text(Arc::from(crate::verify::LINK_PLACEHOLDER));
        for (index, reference) in scanned.references.iter().enumerate() {
            let mut notes = Vec::new();
            let moved = target.source_dir.as_ref().is_some_and(|source_dir| {
                !same_folder(source_dir, &target.document_dir) && is_relative_path(&reference.dest)
            });
            let decoded = match self.decode_reference(reference, &mut notes) {
                Err(Outcome::Skipped(Skip::LocalFile)) if moved => {
                    notes.push(Note::LinkNotRebased);
                    Err(Outcome::Skipped(Skip::LocalFile))
                }
                Ok(image) => {
                    edits.extend(rewrite::edits_for(&reference.site, &placeholder));
                    owners.resize(edits.len(), index);
                    Ok(image)
                }
                Err(outcome) => Err(outcome),
            };
            pending.push((decoded, notes));
        }
        let checked = crate::verify::keep_safe_links(source, edits, &owners, &scanned);

        let mut links: HashMap<usize, Arc<str>> = HashMap::new();
        let mut references = Vec::with_capacity(scanned.references.len());
        for (index, (reference, (decoded, mut notes))) in
            scanned.references.iter().zip(pending).enumerate()
        {
            let (line, column) = locator.locate(reference.start);
            let outcome = match decoded {
                Ok(_) if checked.left.binary_search(&index).is_ok() => {
                    Outcome::Problem(Problem::ChangesStructure)
                }
                Ok(image) => {
                    let (file_name, reused) = self.store(&assets_dir, &image, &reference.alt)?;
                    let link = link_to(&target.document_dir, &assets_dir, &file_name);
                    links.insert(index, Arc::from(link.as_str()));
                    if let Site::OwnDestination { .. } = reference.site {
                        notes.push(Note::OwnDestination);
                    }
                    Outcome::Extracted {
                        link,
                        path: assets_dir.join(&file_name),
                        mime: image.kind.mime(),
                        bytes: image.data.len() as u64,
                        reused,
                        truncated: image.truncated,
                    }
                }
                Err(outcome) => outcome,
            };
            references.push(ReferenceReport {
                syntax: reference.syntax,
                offset: reference.start,
                location: Location { line, column },
                target: reference.written(source).to_string(),
                outcome,
                notes,
            });
        }
        let edits = checked
            .edits
            .into_iter()
            .zip(&checked.owners)
            .map(|(mut edit, owner)| {
                if edit.text == placeholder {
                    edit.text = EditText::Text(links[owner].clone());
                }
                edit
            })
            .collect();

        // A stray data URI ends at a separator or where the next one starts, so that a line of
        // touching URIs is read once, not once per URI.
        let mut starts: Vec<usize> = scanned
            .strays
            .iter()
            .filter(|stray| stray.kind == StrayKind::DataUri)
            .map(|stray| stray.start)
            .collect();
        starts.sort_unstable();
        starts.dedup();
        for (index, &start) in starts.iter().enumerate() {
            let limit = starts.get(index + 1).copied().unwrap_or(source.len());
            let end = source[start..limit]
                .find(|c: char| c.is_whitespace() || c == ')' || c == '>')
                .map_or(limit, |i| start + i);
            let (line, column) = locator.locate(start);
            references.push(ReferenceReport {
                syntax: Syntax::MarkdownInline,
                offset: start,
                location: Location { line, column },
                target: source[start..end].to_string(),
                outcome: Outcome::Problem(Problem::StrayDataUri),
                notes: Vec::new(),
            });
        }
        references.sort_by_key(|r| r.offset);

        let rewrite = Rewrite::new(edits, source.len())?;
        Ok(Planned {
            rewrite,
            references,
            warnings: Vec::new(),
            inline_fallback: None,
        })
    }

    /// Decodes the data URI of one reference, or returns the outcome that replaces extracting.
    fn decode_reference(
        &self,
        reference: &Reference,
        notes: &mut Vec<Note>,
    ) -> Result<DecodedImage, Outcome> {
        match classify(&reference.dest) {
            DestKind::DataUri => {}
            DestKind::Local => return Err(Outcome::Skipped(Skip::LocalFile)),
            DestKind::Empty => return Err(Outcome::Skipped(Skip::Empty)),
            DestKind::Remote => return Err(Outcome::Skipped(Skip::Remote)),
            DestKind::OtherScheme(scheme) => {
                return Err(Outcome::Skipped(Skip::OtherScheme(scheme)));
            }
            DestKind::Fragment => return Err(Outcome::Skipped(Skip::Fragment)),
        }
        let uri = match datauri::decode(&reference.dest) {
            Ok(uri) => uri,
            Err(error) => {
                return Err(Outcome::Problem(Problem::InvalidDataUri {
                    reason: error.to_string(),
                }));
            }
        };
        if reference.site == Site::Unlocated {
            return Err(Outcome::Problem(Problem::Unlocated));
        }
        for note in &uri.notes {
            notes.push(Note::DataUri(
                match note {
                    DecodeNote::Whitespace => "whitespace removed from the base64 payload",
                    DecodeNote::MissingPadding => "base64 padding was missing",
                    DecodeNote::UrlSafeAlphabet => "decoded with the URL-safe base64 alphabet",
                    DecodeNote::PercentEncoded => "the payload was percent-encoded",
                }
                .to_string(),
            ));
        }

        let declared_image = uri.mime.starts_with("image/");
        let kind = match sniff::sniff(&uri.data, None) {
            Sniffed::Image(kind) => kind,
            _ if !declared_image => return Err(Outcome::Skipped(Skip::NotImageData(uri.mime))),
            Sniffed::Unsupported(format) => {
                return Err(Outcome::Problem(Problem::InvalidDataUri {
                    reason: format!("unsupported image format {format}"),
                }));
            }
            Sniffed::NotAnImage => {
                let reason = if !uri.base64 && uri.data.starts_with(b"base64,") {
                    "the payload is text because the ;base64 flag is missing".to_string()
                } else {
                    format!("declared {} but the content is not an image", uri.mime)
                };
                return Err(Outcome::Problem(Problem::InvalidDataUri { reason }));
            }
        };
        if ImageType::from_mime(&uri.mime) != Some(kind) && uri.mime != "image/*" {
            notes.push(Note::MimeMismatch {
                declared: uri.mime.clone(),
                actual: kind.mime(),
            });
        }
        let truncated = sniff::is_truncated(kind, &uri.data);
        Ok(DecodedImage {
            kind,
            name_hint: uri.file_name().map(str::to_string),
            data: uri.data,
            truncated,
        })
    }

    /// Chooses the file name for `image` in `assets_dir` and writes it unless an identical file
    /// is there; returns the name and whether an existing file was reused.
    fn store(
        &self,
        assets_dir: &Path,
        image: &DecodedImage,
        alt: &str,
    ) -> Result<(String, bool), ExtractError> {
        let hash: [u8; 32] = Sha256::digest(&image.data).into();
        let key = (assets_dir.to_path_buf(), hash);
        if let Some(name) = self.written.lock().expect("name table lock").get(&key) {
            return Ok((name.clone(), true));
        }

        if !self.options.dry_run {
            prepare_assets_dir(assets_dir)?;
        }
        let stem = match self.options.name {
            NameStyle::Hash => hex(&hash[..8]),
            NameStyle::Alt => {
                let from_hint = image.name_hint.as_deref().and_then(|h| slug(file_stem(h)));
                from_hint
                    .or_else(|| slug(without_size(alt)))
                    .unwrap_or_else(|| "image".to_string())
            }
        };
        let extension = image.kind.extension();
        let preferred = format!("{stem}.{extension}");
        let mut listings = self.listings.lock().expect("folder listing lock");
        let listing = listings
            .entry(assets_dir.to_path_buf())
            .or_insert_with(|| list_folder(assets_dir));

        // An identical file already in the folder is linked instead of written again, whatever
        // its name; the preferred name wins when several match.
        let same_size = listing
            .iter()
            .filter(|(_, size)| *size == image.data.len() as u64)
            .map(|(name, _)| name.clone());
        let mut identical: Vec<String> = same_size
            .filter(|name| {
                let path = assets_dir.join(name);
                is_regular_file(&path)
                    && std::fs::read(&path).is_ok_and(|existing| existing == image.data)
            })
            .collect();
        identical.sort_by_key(|name| (*name != preferred, name.clone()));
        if let Some(name) = identical.into_iter().next() {
            drop(listings);
            self.written
                .lock()
                .expect("name table lock")
                .insert(key, name.clone());
            return Ok((name, true));
        }

        // Names are compared ignoring case, so that `a.png` never lands beside `A.png` on a
        // file system that would treat them as one file.
        let taken = |name: &str, listing: &[(String, u64)]| {
            let lower = name.to_lowercase();
            listing
                .iter()
                .any(|(existing, _)| existing.to_lowercase() == lower)
        };
        let mut number = 1;
        let name = loop {
            let name = if number == 1 {
                preferred.clone()
            } else {
                format!("{stem}-{number}.{extension}")
            };
            number += 1;
            if taken(&name, listing) {
                continue;
            }
            let path = assets_dir.join(&name);
            match std::fs::symlink_metadata(&path) {
                Err(error)
                    if error.kind() == std::io::ErrorKind::NotFound
                        && (self.options.dry_run || write_new(&path, &image.data)?) =>
                {
                    break name;
                }
                // A symlink, folder, or a file that appeared since the listing takes the name,
                // and nothing is ever written through it.
                _ => {}
            }
        };
        listing.push((name.clone(), image.data.len() as u64));
        drop(listings);
        let reused = false;
        self.written
            .lock()
            .expect("name table lock")
            .insert(key, name.clone());
        Ok((name, reused))
    }
}

/// Tells whether two folders are the same, comparing canonical paths where they exist.
fn same_folder(a: &Path, b: &Path) -> bool {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| normalize(p));
    canonical(a) == canonical(b)
}

/// Tells whether a local destination is a relative path (not `/abs`, `file:` or `C:\`).
fn is_relative_path(dest: &str) -> bool {
    let dest = dest.trim();
    !(dest.starts_with('/')
        || dest.starts_with('\\')
        || dest.to_ascii_lowercase().starts_with("file:")
        || dest.as_bytes().get(1) == Some(&b':'))
}

/// Returns the names and sizes of the regular files directly in `dir` (not symlinks), sorted by
/// name; empty when the folder does not exist yet.
fn list_folder(dir: &Path) -> Vec<(String, u64)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut listing: Vec<(String, u64)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let metadata = entry.metadata().ok()?;
            let name = entry.file_name().into_string().ok()?;
            metadata.is_file().then_some((name, metadata.len()))
        })
        .collect();
    listing.sort();
    listing
}

fn is_regular_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// Creates the assets folder if needed and checks that it is a real folder, not a symlink that
/// could lead writes elsewhere.
fn prepare_assets_dir(dir: &Path) -> Result<(), ExtractError> {
    let error = |reason: String| ExtractError::AssetsFolder {
        path: dir.to_path_buf(),
        reason,
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        return Err(error(e.to_string()));
    }
    crate::fs::remove_stale_temp_files(dir);
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => Err(error(
            "it is a symlink; extract writes only into a real folder".to_string(),
        )),
        Ok(meta) if !meta.is_dir() => Err(error("it is not a folder".to_string())),
        Ok(_) => Ok(()),
        Err(e) => Err(error(e.to_string())),
    }
}

/// Writes `data` to the new file `path` atomically; returns false when the name was taken in the
/// meantime (the caller tries the next name).
fn write_new(path: &Path, data: &[u8]) -> Result<bool, ExtractError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let write_error = |source| ExtractError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut temp = crate::fs::temp_file_in(dir).map_err(write_error)?;
    temp.write_all(data).map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    // Image files are ordinary files: readable by everyone the umask allows, like any new file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = std::fs::Permissions::from_mode(0o644);
        temp.as_file()
            .set_permissions(permissions)
            .map_err(write_error)?;
    }
    match temp.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(error) if error.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(error) => Err(write_error(error.error)),
    }
}

/// Returns a file-name slug of `text`: Unicode letters and digits kept, every other run of
/// characters turned into one `-`, whole words up to 60 characters; `None` when nothing is
/// left.
///
/// The result never contains `/`, `\`, `.`, control characters or spaces, so it cannot leave the
/// assets folder or hide as a dot file; Windows device names get a suffix.
pub fn slug(text: &str) -> Option<String> {
    const MAX_CHARS: usize = 60;
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    // Whole words up to the limit; a first word longer than the limit is cut.
    let mut slug = String::new();
    for word in &words {
        let needed = word.chars().count() + usize::from(!slug.is_empty());
        if slug.chars().count() + needed > MAX_CHARS {
            if slug.is_empty() {
                slug = word.chars().take(MAX_CHARS).collect();
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.is_empty() {
        return None;
    }
    const RESERVED: [&str; 4] = ["con", "prn", "aux", "nul"];
    let reserved = RESERVED.contains(&slug.as_str())
        || (slug.len() == 4
            && (slug.starts_with("com") || slug.starts_with("lpt"))
            && slug.as_bytes()[3].is_ascii_digit());
    if reserved {
        slug.push_str("-image");
    }
    Some(slug)
}

/// Returns alt text without an Obsidian size suffix (`gan samples|300` or `a|300x200`), which
/// sizes the image rather than describing it.
fn without_size(alt: &str) -> &str {
    match alt.rsplit_once('|') {
        Some((name, size))
            if !name.trim().is_empty()
                && !size.is_empty()
                && size.split('x').count() <= 2
                && size
                    .split('x')
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            name
        }
        _ => alt,
    }
}

fn file_stem(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Returns the link from a document in `document_dir` to `file_name` in `assets_dir`: a relative
/// path with `/` separators, percent-encoded where Markdown or HTML would misread it.
pub fn link_to(document_dir: &Path, assets_dir: &Path, file_name: &str) -> String {
    let relative = relative_path(document_dir, assets_dir);
    let mut parts: Vec<String> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect();
    parts.push(file_name.to_string());
    parts
        .iter()
        .map(|part| encode_link_part(part))
        .collect::<Vec<_>>()
        .join("/")
}

/// Returns `target` relative to `from`; both are made absolute against the current directory
/// and, where they exist, canonical, so that `..` and symlinked folders do not mislead it.
fn relative_path(from: &Path, target: &Path) -> PathBuf {
    let absolute = |p: &Path| {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        p.canonicalize().unwrap_or_else(|_| normalize(&p))
    };
    let from = absolute(from);
    let target = absolute(target);
    let from_parts: Vec<Component> = from.components().collect();
    let target_parts: Vec<Component> = target.components().collect();
    let common = from_parts
        .iter()
        .zip(&target_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut relative = PathBuf::new();
    for _ in common..from_parts.len() {
        relative.push("..");
    }
    for part in &target_parts[common..] {
        relative.push(part);
    }
    relative
}

/// Removes `.` and resolves `..` lexically, for paths that do not exist yet.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Percent-encodes the ASCII characters that a Markdown destination or an HTML attribute would
/// misread; other Unicode stays as it is, which every renderer resolves.
fn encode_link_part(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for c in part.chars() {
        match c {
            ' ' | '"' | '#' | '%' | '&' | '\'' | '(' | ')' | '<' | '>' | '?' | '[' | '\\' | ']'
            | '`' | '|' => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            c if c.is_control() => {
                let mut buffer = [0u8; 4];
                for byte in c.encode_utf8(&mut buffer).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Extracts the embedded images of `source` into files beside the output document `target`.
pub fn extract(
    source: &str,
    target: &ExtractTarget,
    options: &ExtractOptions,
) -> Result<Extracted, ExtractError> {
    Extractor::new(options.clone()).extract(source, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_keeps_unicode_letters() {
        assert_eq!(
            slug("GAN 样本 (第 50 轮)").as_deref(),
            Some("gan-样本-第-50-轮")
        );
    }

    #[test]
    fn slug_drops_path_characters() {
        assert_eq!(slug("../../x").as_deref(), Some("x"));
        assert_eq!(slug("a/b/c.jpg").as_deref(), Some("a-b-c-jpg"));
        assert_eq!(slug(".hidden").as_deref(), Some("hidden"));
        assert_eq!(slug("\u{0}\u{7}").as_deref(), None);
    }

    #[test]
    fn slug_avoids_windows_device_names() {
        assert_eq!(slug("CON").as_deref(), Some("con-image"));
        assert_eq!(slug("com1").as_deref(), Some("com1-image"));
        assert_eq!(slug("console").as_deref(), Some("console"));
    }

    #[test]
    fn link_encodes_what_markdown_misreads() {
        let link = link_to(Path::new("/d"), Path::new("/d/my note.assets"), "a(1).png");
        assert_eq!(link, "my%20note.assets/a%281%29.png");
    }

    #[test]
    fn link_keeps_chinese_characters() {
        let link = link_to(Path::new("/d"), Path::new("/d/笔记.assets"), "流程图.png");
        assert_eq!(link, "笔记.assets/流程图.png");
    }

    #[test]
    fn link_climbs_to_shared_folder() {
        let link = link_to(
            Path::new("/repo/docs/guide"),
            Path::new("/repo/docs/assets"),
            "x.png",
        );
        assert_eq!(link, "../assets/x.png");
    }

    #[test]
    fn obsidian_size_not_in_name() {
        assert_eq!(without_size("gan samples|300"), "gan samples");
        assert_eq!(without_size("a|300x200"), "a");
        assert_eq!(without_size("a|b"), "a|b");
        assert_eq!(without_size("|300"), "|300");
    }

    #[test]
    fn file_stem_of_name_parameter() {
        assert_eq!(file_stem("../dir/photo.final.png"), "photo.final");
        assert_eq!(file_stem("a\\b.png"), "b");
    }
}
