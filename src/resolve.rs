//! Classifies Markdown link destinations and resolves local ones to existing files inside a root
//! directory, so that mdembed embeds only files under the root that the user chose.
//!
//! Destinations arrive decoded the CommonMark way (backslash escapes and entities resolved, `<...>`
//! stripped) but still percent-encoded, because Markdown authors write both `my%20pic.png` and
//! `<my pic.png>`. [`Resolver::resolve`] therefore tries several readings of a destination and
//! returns the first that names an existing file. This module never reads file contents.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;

/// The kind of a reference's destination, which decides how mdembed treats it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestKind {
    /// An empty or whitespace-only destination.
    Empty,
    /// A `data:` URI, which is already embedded.
    DataUri,
    /// An `http:` or `https:` URL, or a protocol-relative `//host/...` URL.
    Remote,
    /// A URL with another scheme, such as `mailto` or `ftp`, given as the lowercase scheme.
    OtherScheme(String),
    /// A fragment-only reference such as `#top`.
    Fragment,
    /// A local path or `file:` URL, which [`Resolver::resolve`] accepts.
    Local,
}

/// Classifies a destination by its scheme.
///
/// A single letter before the colon, as in `C:\x.png`, is taken as a Windows drive letter, so the
/// destination is [`DestKind::Local`].
pub fn classify(dest: &str) -> DestKind {
    let dest = dest.trim();
    if dest.is_empty() {
        return DestKind::Empty;
    }
    if dest.starts_with('#') {
        return DestKind::Fragment;
    }
    if dest.starts_with("//") {
        return DestKind::Remote;
    }

    let Some(scheme) = uri_scheme(dest) else {
        return DestKind::Local;
    };
    if scheme.len() == 1 {
        return DestKind::Local;
    }
    let scheme = scheme.to_ascii_lowercase();
    match scheme.as_str() {
        "data" => DestKind::DataUri,
        "http" | "https" => DestKind::Remote,
        "file" => DestKind::Local,
        _ => DestKind::OtherScheme(scheme),
    }
}

/// Returns the scheme of `dest` if it starts with `scheme ":"`, where a scheme is
/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` as in RFC 3986, section 3.1.
fn uri_scheme(dest: &str) -> Option<&str> {
    let colon = dest.find(':')?;
    let scheme = &dest[..colon];
    let mut bytes = scheme.bytes();
    let first = bytes.next()?;
    let valid = first.is_ascii_alphabetic()
        && bytes.all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.'));
    valid.then_some(scheme)
}

/// A reading of a destination that [`Resolver::resolve`] used to find the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveNote {
    /// Found by file name in the note's Obsidian vault, as Obsidian resolves links.
    VaultName,
    /// No file had the full name, so the query or fragment starting at the first `?` or `#` was
    /// dropped. `suffix` includes that `?` or `#`.
    SuffixDropped {
        /// The dropped text, such as `?raw=true`.
        suffix: String,
    },
    /// No file had the name with `\` in it, so each `\` was read as a `/` separator.
    BackslashSeparators,
    /// A path starting with `/` was found relative to the root instead of the filesystem root.
    RootRelative,
}

/// A local destination resolved to an existing path inside the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Canonical path with symlinks followed. It exists but may be a directory or another
    /// non-regular file, which the caller must check.
    pub path: PathBuf,
    /// Readings other than the literal one that were needed to find the path, in the order applied.
    pub notes: Vec<ResolveNote>,
}

/// An error from creating a [`Resolver`] or resolving a destination.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// No reading of the destination names an existing path.
    #[error("image not found: no file matches destination {dest:?}")]
    NotFound {
        /// The destination as given to [`Resolver::resolve`].
        dest: String,
    },
    /// The destination names an existing path outside the root, which mdembed does not read.
    #[error(
        "destination {dest:?} resolves to {}, which is outside the root directory",
        path.display()
    )]
    OutsideRoot {
        /// The destination as given to [`Resolver::resolve`].
        dest: String,
        /// The canonical path that the destination resolved to.
        path: PathBuf,
    },
    /// The destination is not a local path, so it has no file to resolve.
    #[error("destination {dest:?} is not a local file path")]
    NotLocal {
        /// The destination as given to [`Resolver::resolve`].
        dest: String,
    },
    /// The root directory does not exist, cannot be accessed or is not a directory.
    #[error("invalid root directory {}: {source}", path.display())]
    Root {
        /// The root as given to [`Resolver::new`].
        path: PathBuf,
        /// The error from canonicalizing the root, or `NotADirectory`.
        source: io::Error,
    },
}

/// Resolves local destinations to existing paths confined to a root directory.
#[derive(Debug, Clone)]
pub struct Resolver {
    /// Canonical root directory.
    root: PathBuf,
}

impl Resolver {
    /// Creates a resolver for the directory `root`, which is canonicalized.
    ///
    /// Returns [`ResolveError::Root`] if `root` does not exist or is not a directory.
    pub fn new(root: &Path) -> Result<Resolver, ResolveError> {
        let root_error = |source| ResolveError::Root {
            path: root.to_path_buf(),
            source,
        };
        let canonical = fs::canonicalize(root).map_err(root_error)?;
        if !canonical.is_dir() {
            return Err(root_error(io::Error::new(
                io::ErrorKind::NotADirectory,
                "not a directory",
            )));
        }
        Ok(Resolver { root: canonical })
    }

    /// Returns the canonical root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Resolves a [`DestKind::Local`] destination to an existing path inside the root.
    ///
    /// Relative paths are joined onto `base_dir`, usually the directory of the Markdown file.
    /// The readings below are tried in order, and the first that exists (following symlinks)
    /// wins:
    /// 1. the percent-decoded path, or the raw text where the decoded bytes are not UTF-8;
    /// 2. the raw text, if it differs;
    /// 3. if the text contains `?` or `#`, both of the above without the text from the first of
    ///    them ([`ResolveNote::SuffixDropped`]);
    /// 4. if the text contains `\`, all of the above with `\` read as `/`
    ///    ([`ResolveNote::BackslashSeparators`]).
    ///
    /// A path starting with `/` is looked up under the root first ([`ResolveNote::RootRelative`])
    /// and then as an absolute path. A `file:` URL with an empty or `localhost` host is an
    /// absolute path and is not looked up under the root.
    ///
    /// Returns [`ResolveError::OutsideRoot`] if the first existing path, canonicalized, lies
    /// outside the root, [`ResolveError::NotFound`] if no reading exists (readings with control
    /// characters such as NUL are skipped), and [`ResolveError::NotLocal`] for any other
    /// [`DestKind`].
    pub fn resolve(&self, dest: &str, base_dir: &Path) -> Result<Resolved, ResolveError> {
        if classify(dest) != DestKind::Local {
            return Err(ResolveError::NotLocal {
                dest: dest.to_owned(),
            });
        }

        let Some((found, notes)) = self.find_existing(dest, base_dir) else {
            return Err(ResolveError::NotFound {
                dest: dest.to_owned(),
            });
        };

        // Canonicalizing follows every symlink, so a link inside the root that points outside it
        // is rejected here. A failure, such as the path being removed after the lookup, is
        // reported as not found.
        let canonical = fs::canonicalize(&found).map_err(|_| ResolveError::NotFound {
            dest: dest.to_owned(),
        })?;
        if !canonical.starts_with(&self.root) {
            return Err(ResolveError::OutsideRoot {
                dest: dest.to_owned(),
                path: canonical,
            });
        }
        Ok(Resolved {
            path: canonical,
            notes,
        })
    }

    /// Returns the canonical form of the existing `path` if it lies inside the root, following
    /// symlinks; `dest` names the reference in errors.
    pub fn confine(&self, path: &Path, dest: &str) -> Result<PathBuf, ResolveError> {
        let canonical = fs::canonicalize(path).map_err(|_| ResolveError::NotFound {
            dest: dest.to_owned(),
        })?;
        if canonical.starts_with(&self.root) {
            Ok(canonical)
        } else {
            Err(ResolveError::OutsideRoot {
                dest: dest.to_owned(),
                path: canonical,
            })
        }
    }

    /// Returns the first reading of `dest` that exists, with the notes of that reading.
    fn find_existing(&self, dest: &str, base_dir: &Path) -> Option<(PathBuf, Vec<ResolveNote>)> {
        let mut tried = HashSet::new();
        for (text, text_notes) in text_variants(dest) {
            for (candidate, root_relative) in self.candidates(&text, base_dir) {
                if !tried.insert(candidate.clone()) {
                    continue;
                }
                if fs::metadata(&candidate).is_ok() {
                    let mut notes = text_notes;
                    if root_relative {
                        notes.push(ResolveNote::RootRelative);
                    }
                    return Some((candidate, notes));
                }
            }
        }
        None
    }

    /// Lists the paths that one text variant can name, in lookup order, each with whether it was
    /// taken relative to the root.
    fn candidates(&self, text: &str, base_dir: &Path) -> Vec<(PathBuf, bool)> {
        let (path_text, is_file_url) = match strip_file_url(text) {
            Some(FileUrl::Path(path)) => (path, true),
            Some(FileUrl::RemoteHost) => return Vec::new(),
            None => (text, false),
        };

        let mut spellings = Vec::with_capacity(2);
        if let Some(decoded) = percent_decode(path_text) {
            spellings.push(decoded);
        }
        if !spellings.iter().any(|decoded| decoded == path_text) {
            spellings.push(path_text.to_owned());
        }

        let mut candidates = Vec::new();
        for spelling in spellings {
            if spelling.is_empty() || spelling.chars().any(char::is_control) {
                continue;
            }
            let path = Path::new(&spelling);
            if !path.has_root() {
                candidates.push((base_dir.join(path), false));
                continue;
            }
            if !is_file_url {
                let below_root = spelling.trim_start_matches('/');
                candidates.push((self.root.join(below_root), true));
            }
            candidates.push((path.to_path_buf(), false));
        }
        candidates
    }
}

/// Lists the texts to look up for `dest` in order, each with the notes that its reading adds.
fn text_variants(dest: &str) -> Vec<(String, Vec<ResolveNote>)> {
    let mut variants = vec![(dest.to_owned(), Vec::new())];
    if let Some((path, suffix)) = split_suffix(dest) {
        let note = ResolveNote::SuffixDropped {
            suffix: suffix.to_owned(),
        };
        variants.push((path.to_owned(), vec![note]));
    }

    if dest.contains('\\') {
        let slashed = dest.replace('\\', "/");
        let suffix_variant = split_suffix(&slashed).map(|(path, suffix)| {
            let notes = vec![
                ResolveNote::BackslashSeparators,
                ResolveNote::SuffixDropped {
                    suffix: suffix.to_owned(),
                },
            ];
            (path.to_owned(), notes)
        });
        variants.push((slashed.clone(), vec![ResolveNote::BackslashSeparators]));
        variants.extend(suffix_variant);
    }
    variants
}

/// Splits `text` before the first `?` or `#` into the path and the dropped suffix.
fn split_suffix(text: &str) -> Option<(&str, &str)> {
    let start = text.find(['?', '#'])?;
    Some(text.split_at(start))
}

/// Decodes `%XX` escapes as bytes. Returns `None` if the decoded bytes are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// The path part of a `file:` URL.
enum FileUrl<'a> {
    /// A path, still percent-encoded: absolute for `file:///p` and `file://localhost/p`, and as
    /// written for forms without a host such as `file:a.png`.
    Path(&'a str),
    /// A URL naming another host, such as `file://server/share/a.png`, which has no local path.
    RemoteHost,
}

/// Returns the path of a `file:` URL (scheme in any case), or `None` for other text.
fn strip_file_url(text: &str) -> Option<FileUrl<'_>> {
    let scheme = text.get(..5)?;
    if !scheme.eq_ignore_ascii_case("file:") {
        return None;
    }
    let rest = &text[5..];
    let Some(after_slashes) = rest.strip_prefix("//") else {
        return Some(FileUrl::Path(rest));
    };

    let host_end = after_slashes.find('/').unwrap_or(after_slashes.len());
    let host = &after_slashes[..host_end];
    if host.is_empty() || host.eq_ignore_ascii_case("localhost") {
        Some(FileUrl::Path(&after_slashes[host_end..]))
    } else {
        Some(FileUrl::RemoteHost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use tempfile::TempDir;

    /// A temporary directory that contains `root/` and, outside the root, `secret.png`.
    struct Tree {
        outer: TempDir,
        resolver: Resolver,
    }

    impl Tree {
        fn new() -> Tree {
            let outer = tempfile::tempdir().unwrap();
            fs::create_dir(outer.path().join("root")).unwrap();
            fs::write(outer.path().join("secret.png"), b"secret").unwrap();
            let resolver = Resolver::new(&outer.path().join("root")).unwrap();
            Tree { outer, resolver }
        }

        /// Creates a file at `relative` under the root, with parent directories.
        fn file(&self, relative: &str) -> PathBuf {
            let path = self.resolver.root().join(relative);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, b"content").unwrap();
            path
        }

        fn root(&self) -> &Path {
            self.resolver.root()
        }

        fn resolve(&self, dest: &str) -> Result<Resolved, ResolveError> {
            self.resolver.resolve(dest, self.root())
        }

        fn found(&self, dest: &str) -> Resolved {
            self.resolve(dest)
                .unwrap_or_else(|error| panic!("{dest:?} did not resolve: {error}"))
        }
    }

    fn is_not_found(result: Result<Resolved, ResolveError>) -> bool {
        matches!(result, Err(ResolveError::NotFound { .. }))
    }

    fn is_outside_root(result: Result<Resolved, ResolveError>) -> bool {
        matches!(result, Err(ResolveError::OutsideRoot { .. }))
    }

    #[test]
    fn classify_table() {
        assert_eq!(classify("data:image/png;base64,AAAA"), DestKind::DataUri);
        assert_eq!(classify("DATA:image/png;base64,AAAA"), DestKind::DataUri);
        assert_eq!(classify("https://example.com/a.png"), DestKind::Remote);
        assert_eq!(classify("HTTP://example.com/a.png"), DestKind::Remote);
        assert_eq!(classify("//cdn/x.png"), DestKind::Remote);
        assert_eq!(
            classify("mailto:someone@example.com"),
            DestKind::OtherScheme("mailto".to_owned())
        );
        assert_eq!(
            classify("FTP://host/a.png"),
            DestKind::OtherScheme("ftp".to_owned())
        );
        assert_eq!(
            classify("obsidian://open?vault=x"),
            DestKind::OtherScheme("obsidian".to_owned())
        );
        assert_eq!(classify("#top"), DestKind::Fragment);
        assert_eq!(classify("C:\\x.png"), DestKind::Local);
        assert_eq!(classify("c:/x.png"), DestKind::Local);
        assert_eq!(classify(""), DestKind::Empty);
        assert_eq!(classify("  \t"), DestKind::Empty);
        assert_eq!(classify("a.png"), DestKind::Local);
        assert_eq!(classify("file:///tmp/a.png"), DestKind::Local);
        assert_eq!(classify("img/a:b.png"), DestKind::Local);
        assert_eq!(classify("1ab:c.png"), DestKind::Local);
        assert_eq!(classify("a.png#section"), DestKind::Local);
    }

    #[test]
    fn new_rejects_missing_root() {
        let outer = tempfile::tempdir().unwrap();
        let missing = outer.path().join("missing");
        let error = Resolver::new(&missing).unwrap_err();
        assert!(matches!(&error, ResolveError::Root { path, .. } if *path == missing));
    }

    #[test]
    fn new_rejects_file_root() {
        let outer = tempfile::tempdir().unwrap();
        let file = outer.path().join("file");
        fs::write(&file, b"x").unwrap();
        let error = Resolver::new(&file).unwrap_err();
        let ResolveError::Root { source, .. } = error else {
            panic!("expected a root error, got {error:?}");
        };
        assert_eq!(source.kind(), io::ErrorKind::NotADirectory);
    }

    #[test]
    fn new_canonicalizes_root() {
        let tree = Tree::new();
        let dotted = tree.outer.path().join("root/../root/.");
        let resolver = Resolver::new(&dotted).unwrap();
        assert_eq!(resolver.root(), tree.root());
        assert_eq!(
            resolver.root(),
            fs::canonicalize(tree.outer.path().join("root")).unwrap()
        );
    }

    #[test]
    fn resolve_plain_relative() {
        let tree = Tree::new();
        let path = tree.file("img/a.png");
        assert_eq!(
            tree.found("img/a.png"),
            Resolved {
                path: path.clone(),
                notes: vec![]
            }
        );
        assert_eq!(tree.found("./img/a.png").path, path);
    }

    #[test]
    fn resolve_against_base_dir() {
        let tree = Tree::new();
        let path = tree.file("docs/img/a.png");
        let base = tree.root().join("docs");
        assert_eq!(
            tree.resolver.resolve("img/a.png", &base).unwrap().path,
            path
        );
        assert_eq!(
            tree.resolver
                .resolve("../docs/img/a.png", &base)
                .unwrap()
                .path,
            path
        );
    }

    #[test]
    fn resolve_percent_encoded_space() {
        let tree = Tree::new();
        let path = tree.file("my pic.png");
        assert_eq!(tree.found("my%20pic.png").path, path);
        assert_eq!(tree.found("my%20pic.png").notes, vec![]);
        assert_eq!(tree.found("my pic.png").path, path);
    }

    #[test]
    fn resolve_chinese_names() {
        let tree = Tree::new();
        let path = tree.file("图片/流程图.png");
        assert_eq!(tree.found("图片/流程图.png").path, path);
        let encoded = "%E5%9B%BE%E7%89%87/%E6%B5%81%E7%A8%8B%E5%9B%BE.png";
        assert_eq!(tree.found(encoded).path, path);
        let single = tree.file("图.png");
        assert_eq!(tree.found("%E5%9B%BE.png").path, single);
    }

    #[test]
    fn resolve_mixed_encoding() {
        let tree = Tree::new();
        let path = tree.file("img/Bäume.jpg");
        assert_eq!(tree.found("img/B%C3%A4ume.jpg").path, path);
        assert_eq!(tree.found("img/B%c3%a4ume.jpg").path, path);
    }

    #[test]
    fn resolve_literal_percent_name() {
        let tree = Tree::new();
        let path = tree.file("100%25.png");
        assert_eq!(tree.found("100%25.png").path, path);
        let bare = tree.file("50%.png");
        assert_eq!(tree.found("50%.png").path, bare);
    }

    #[test]
    fn resolve_decoded_before_raw() {
        let tree = Tree::new();
        let decoded = tree.file("100%.png");
        tree.file("100%25.png");
        assert_eq!(tree.found("100%25.png").path, decoded);
    }

    #[test]
    fn resolve_invalid_utf8_keeps_raw() {
        let tree = Tree::new();
        let path = tree.file("%FF.png");
        assert_eq!(tree.found("%FF.png").path, path);
    }

    #[test]
    fn resolve_drops_query() {
        let tree = Tree::new();
        let path = tree.file("a.png");
        assert_eq!(
            tree.found("a.png?raw=true"),
            Resolved {
                path,
                notes: vec![ResolveNote::SuffixDropped {
                    suffix: "?raw=true".to_owned()
                }]
            }
        );
    }

    #[test]
    fn resolve_drops_fragment() {
        let tree = Tree::new();
        let path = tree.file("icons.svg");
        assert_eq!(
            tree.found("icons.svg#icon"),
            Resolved {
                path,
                notes: vec![ResolveNote::SuffixDropped {
                    suffix: "#icon".to_owned()
                }]
            }
        );
    }

    #[test]
    fn resolve_drops_from_first_delimiter() {
        let tree = Tree::new();
        let path = tree.file("a.png");
        assert_eq!(
            tree.found("a.png#x?y").notes,
            vec![ResolveNote::SuffixDropped {
                suffix: "#x?y".to_owned()
            }]
        );
        assert_eq!(tree.found("a.png#x?y").path, path);
    }

    #[test]
    fn resolve_prefers_literal_query_name() {
        let tree = Tree::new();
        let literal = tree.file("a.png?x");
        tree.file("a.png");
        assert_eq!(
            tree.found("a.png?x"),
            Resolved {
                path: literal,
                notes: vec![]
            }
        );
    }

    #[test]
    fn resolve_encoded_question_mark() {
        let tree = Tree::new();
        let literal = tree.file("what?.png");
        assert_eq!(tree.found("what%3F.png").path, literal);
        assert_eq!(tree.found("what%3F.png").notes, vec![]);
    }

    #[test]
    fn resolve_suffix_only_not_base_dir() {
        let tree = Tree::new();
        assert!(is_not_found(tree.resolve("?raw=true")));
    }

    #[test]
    fn resolve_backslash_separators() {
        let tree = Tree::new();
        let path = tree.file("assets/login.png");
        assert_eq!(
            tree.found("assets\\login.png"),
            Resolved {
                path,
                notes: vec![ResolveNote::BackslashSeparators]
            }
        );
    }

    #[test]
    fn resolve_backslash_and_query() {
        let tree = Tree::new();
        let path = tree.file("assets/login.png");
        assert_eq!(
            tree.found("assets\\login.png?v=2"),
            Resolved {
                path,
                notes: vec![
                    ResolveNote::BackslashSeparators,
                    ResolveNote::SuffixDropped {
                        suffix: "?v=2".to_owned()
                    }
                ]
            }
        );
    }

    #[test]
    fn resolve_prefers_literal_backslash_name() {
        let tree = Tree::new();
        let literal = tree.file("assets\\login.png");
        tree.file("assets/login.png");
        assert_eq!(tree.found("assets\\login.png").path, literal);
        assert_eq!(tree.found("assets\\login.png").notes, vec![]);
    }

    #[test]
    fn resolve_root_relative() {
        let tree = Tree::new();
        let path = tree.file("img/a.png");
        let base = tree.root().join("docs/deep");
        fs::create_dir_all(&base).unwrap();
        assert_eq!(
            tree.resolver.resolve("/img/a.png", &base).unwrap(),
            Resolved {
                path,
                notes: vec![ResolveNote::RootRelative]
            }
        );
    }

    #[test]
    fn resolve_absolute_inside_root() {
        let tree = Tree::new();
        let path = tree.file("img/a.png");
        let absolute = path.to_str().unwrap();
        assert_eq!(
            tree.found(absolute),
            Resolved {
                path: path.clone(),
                notes: vec![]
            }
        );
    }

    #[test]
    fn resolve_file_url_inside_root() {
        let tree = Tree::new();
        let path = tree.file("my pic.png");
        let absolute = path.to_str().unwrap().replace(' ', "%20");
        let url = format!("file://{absolute}");
        assert_eq!(
            tree.found(&url),
            Resolved {
                path: path.clone(),
                notes: vec![]
            }
        );
        let localhost = format!("FILE://localhost{absolute}");
        assert_eq!(tree.found(&localhost).path, path);
    }

    #[test]
    fn resolve_file_url_relative() {
        let tree = Tree::new();
        let path = tree.file("a.png");
        assert_eq!(tree.found("file:a.png").path, path);
    }

    #[test]
    fn resolve_file_url_other_host() {
        let tree = Tree::new();
        let path = tree.file("a.png");
        let url = format!("file://server{}", path.to_str().unwrap());
        assert!(is_not_found(tree.resolve(&url)));
    }

    #[test]
    fn resolve_file_url_not_root_relative() {
        let tree = Tree::new();
        let secret = fs::canonicalize(tree.outer.path().join("secret.png")).unwrap();
        let secret = secret.to_str().unwrap();
        // A copy at the same path below the root must not be picked for a file URL.
        tree.file(secret.trim_start_matches('/'));
        assert!(is_outside_root(tree.resolve(&format!("file://{secret}"))));
    }

    #[test]
    fn resolve_escape_outside_root() {
        let tree = Tree::new();
        let result = tree.resolve("../secret.png");
        let expected = fs::canonicalize(tree.outer.path().join("secret.png")).unwrap();
        assert!(
            matches!(&result, Err(ResolveError::OutsideRoot { dest, path })
                if dest == "../secret.png" && *path == expected),
            "{result:?}"
        );
        let base = tree.root().join("docs");
        fs::create_dir(&base).unwrap();
        let nested = tree.resolver.resolve("../../secret.png", &base);
        assert!(is_outside_root(nested));
    }

    #[test]
    fn resolve_etc_passwd_outside() {
        let tree = Tree::new();
        assert!(is_outside_root(tree.resolve("/etc/passwd")));
    }

    #[test]
    fn resolve_symlink_escaping_root() {
        let tree = Tree::new();
        symlink(
            tree.outer.path().join("secret.png"),
            tree.root().join("link.png"),
        )
        .unwrap();
        assert!(is_outside_root(tree.resolve("link.png")));
    }

    #[test]
    fn resolve_symlinked_dir_escaping_root() {
        let tree = Tree::new();
        symlink(tree.outer.path(), tree.root().join("up")).unwrap();
        assert!(is_outside_root(tree.resolve("up/secret.png")));
    }

    #[test]
    fn resolve_symlink_inside_root() {
        let tree = Tree::new();
        let target = tree.file("img/real.png");
        symlink("img/real.png", tree.root().join("alias.png")).unwrap();
        assert_eq!(
            tree.found("alias.png"),
            Resolved {
                path: target,
                notes: vec![]
            }
        );
    }

    #[test]
    fn resolve_dangling_symlink_not_found() {
        let tree = Tree::new();
        symlink("missing.png", tree.root().join("dangling.png")).unwrap();
        assert!(is_not_found(tree.resolve("dangling.png")));
    }

    #[test]
    fn resolve_windows_drive_not_found() {
        let tree = Tree::new();
        assert!(is_not_found(tree.resolve("C:\\Users\\x.png")));
    }

    #[test]
    fn resolve_missing_not_found() {
        let tree = Tree::new();
        let result = tree.resolve("nope.png");
        assert!(
            matches!(&result, Err(ResolveError::NotFound { dest }) if dest == "nope.png"),
            "{result:?}"
        );
    }

    #[test]
    fn resolve_control_chars_not_found() {
        let tree = Tree::new();
        tree.file("a.png");
        assert!(is_not_found(tree.resolve("a.png\0")));
        assert!(is_not_found(tree.resolve("a.png%00")));
        assert!(is_not_found(tree.resolve("a%0A.png")));
        assert!(is_not_found(tree.resolve("%00")));
    }

    #[test]
    fn resolve_returns_directory() {
        let tree = Tree::new();
        let dir = tree.root().join("img");
        fs::create_dir(&dir).unwrap();
        assert_eq!(tree.found("img").path, dir);
    }

    #[test]
    fn resolve_non_local_rejected() {
        let tree = Tree::new();
        for dest in [
            "",
            "data:image/png;base64,AA",
            "https://x/a.png",
            "#top",
            "mailto:a@b",
        ] {
            let result = tree.resolve(dest);
            assert!(
                matches!(&result, Err(ResolveError::NotLocal { dest: d }) if d == dest),
                "{dest:?}: {result:?}"
            );
        }
    }

    #[test]
    fn error_messages() {
        let not_found = ResolveError::NotFound {
            dest: "a b.png".to_owned(),
        };
        assert_eq!(
            not_found.to_string(),
            "image not found: no file matches destination \"a b.png\""
        );
        let outside = ResolveError::OutsideRoot {
            dest: "../x.png".to_owned(),
            path: PathBuf::from("/tmp/x.png"),
        };
        assert_eq!(
            outside.to_string(),
            "destination \"../x.png\" resolves to /tmp/x.png, which is outside the root directory"
        );
    }
}
