//! Obsidian vaults: which vault a note belongs to, how Obsidian finds the file an `![[...]]`
//! embed names, where the vault keeps attachments, and the Markdown image an embed becomes.
//!
//! Obsidian finds an embedded file by name anywhere in the vault, not by a path relative to the
//! note, so a vault's file list is indexed once and shared by every note in it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, LinkType, Options, Tag, TagEnd};

/// The folder that marks a vault root.
const CONFIG_DIR: &str = ".obsidian";

/// Returns the vault that contains `dir`: the nearest ancestor (or `dir` itself) holding a
/// `.obsidian` folder, canonicalized.
pub fn find_vault(dir: &Path) -> Option<PathBuf> {
    let dir = dir.canonicalize().ok()?;
    dir.ancestors()
        .find(|ancestor| ancestor.join(CONFIG_DIR).is_dir())
        .map(Path::to_path_buf)
}

/// The files of one vault, for resolving embeds by name.
#[derive(Debug)]
pub struct VaultIndex {
    root: PathBuf,
    /// Vault-relative paths with `/` separators, sorted by byte order.
    files: Vec<String>,
    /// Lowercase file name to indexes into `files`.
    by_name: HashMap<String, Vec<usize>>,
}

/// The file an embed names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Exactly one file, or the preferred one of several.
    Found {
        /// The file's path (the vault root joined with its vault path).
        path: PathBuf,
        /// Vault paths of the other files with the same name, when the name was ambiguous.
        others: Vec<String>,
    },
    /// No file has that name.
    NotFound,
}

impl VaultIndex {
    /// Lists the files of the vault at `root`, skipping hidden folders (`.obsidian`, `.trash`,
    /// `.git`) as Obsidian does.
    pub fn build(root: &Path) -> VaultIndex {
        let mut files: Vec<String> = walkdir::WalkDir::new(root)
            .follow_links(true)
            .into_iter()
            .filter_entry(|entry| {
                entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
            })
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_file())
            .filter_map(|entry| {
                let relative = entry.path().strip_prefix(root).ok()?;
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                Some(parts.join("/"))
            })
            .collect();
        files.sort();
        files.dedup();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, file) in files.iter().enumerate() {
            let name = file.rsplit('/').next().unwrap_or(file).to_lowercase();
            by_name.entry(name).or_default().push(index);
        }
        VaultIndex {
            root: root.to_path_buf(),
            files,
            by_name,
        }
    }

    /// Returns the vault root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Finds the file that `target` names for a note in `note_dir`, in Obsidian's order: a path
    /// from the vault root, then a path relative to the note, then the name anywhere in the
    /// vault. Of several files with the name, the one in the note's own folder wins, then the one
    /// with the fewest folders in its vault path, then the first in byte order. A target without
    /// an extension also matches a note `<target>.md`.
    pub fn resolve(&self, target: &str, note_dir: &Path) -> Resolution {
        let target = target.trim().trim_start_matches('/');
        if target.is_empty() {
            return Resolution::NotFound;
        }
        let mut spellings = vec![target.to_string()];
        if Path::new(target).extension().is_none() {
            spellings.push(format!("{target}.md"));
        }

        for spelling in &spellings {
            for base in [self.root.as_path(), note_dir] {
                let path = base.join(spelling);
                if path.is_file() && path.starts_with(&self.root) {
                    return Resolution::Found {
                        path,
                        others: Vec::new(),
                    };
                }
            }
        }

        let note_folder = note_dir
            .strip_prefix(&self.root)
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_default();
        for spelling in &spellings {
            let mut matches = self.matching(spelling, false);
            if matches.is_empty() {
                matches = self.matching(spelling, true);
            }
            if matches.is_empty() {
                continue;
            }
            matches.sort_by_key(|file| {
                let folder = file.rsplit_once('/').map_or("", |(folder, _)| folder);
                (
                    folder != note_folder,
                    file.matches('/').count(),
                    file.clone(),
                )
            });
            let chosen = matches.remove(0);
            return Resolution::Found {
                path: self.root.join(&chosen),
                others: matches,
            };
        }
        Resolution::NotFound
    }

    /// Returns the vault paths that end with the components of `spelling`.
    fn matching(&self, spelling: &str, ignore_case: bool) -> Vec<String> {
        let name = spelling
            .rsplit('/')
            .next()
            .unwrap_or(spelling)
            .to_lowercase();
        let Some(indexes) = self.by_name.get(&name) else {
            return Vec::new();
        };
        let wanted = if ignore_case {
            spelling.to_lowercase()
        } else {
            spelling.to_string()
        };
        indexes
            .iter()
            .map(|&i| &self.files[i])
            .filter(|file| {
                let file = if ignore_case {
                    file.to_lowercase()
                } else {
                    file.to_string()
                };
                file == wanted || file.ends_with(&format!("/{wanted}"))
            })
            .cloned()
            .collect()
    }
}

/// Returns the folder where the vault at `vault` keeps new attachments for a note in
/// `note_dir`, from `attachmentFolderPath` in `.obsidian/app.json`: `./` is the note's folder,
/// `./sub` a folder below it, `/` the vault root, anything else a folder from the vault root.
/// `None` when the setting is absent or the file cannot be read.
pub fn attachment_folder(vault: &Path, note_dir: &Path) -> Option<PathBuf> {
    let config = std::fs::read_to_string(vault.join(CONFIG_DIR).join("app.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&config).ok()?;
    let setting = json.get("attachmentFolderPath")?.as_str()?.trim();
    let folder = if setting == "./" || setting == "." {
        note_dir.to_path_buf()
    } else if let Some(below) = setting.strip_prefix("./") {
        note_dir.join(below)
    } else if setting.is_empty() || setting == "/" {
        vault.to_path_buf()
    } else {
        vault.join(setting.trim_start_matches('/'))
    };
    // A setting with `..` could point outside the vault; such a folder is not used.
    let escapes = folder
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir));
    (!escapes).then_some(folder)
}

/// Returns the alt text of the Markdown image an embed becomes: the alias if the embed gives
/// one (`![[a.png|caption]]`), otherwise the file name without folders or extension, then `|`
/// and the size when one was given (`|300` or `|300x200`), which is how Obsidian sizes Markdown
/// images.
pub fn alt_text(target: &str, pothole: Option<&str>) -> String {
    let name = target.rsplit(['/', '\\']).next().unwrap_or(target);
    let stem = match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    };
    let Some(pothole) = pothole.map(str::trim).filter(|p| !p.is_empty()) else {
        return stem.to_string();
    };
    let (alias, size) = match pothole.rsplit_once('|') {
        Some((alias, size)) if is_size(size.trim()) => (alias.trim(), Some(size.trim())),
        _ if is_size(pothole) => ("", Some(pothole)),
        _ => (pothole, None),
    };
    let description = if alias.is_empty() { stem } else { alias };
    match size {
        Some(size) => format!("{description}|{size}"),
        None => description.to_string(),
    }
}

/// Tells whether `text` is an Obsidian image size: a width `300` or `300x200`.
fn is_size(text: &str) -> bool {
    let mut parts = text.split('x');
    let digits = |part: Option<&str>| {
        part.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    digits(parts.next()) && parts.next().is_none_or(|p| digits(Some(p))) && parts.next().is_none()
}

/// Tells whether `path` has the extension of an image format, so that a file with such a name
/// whose content is not an image counts as a broken image rather than other media.
pub fn has_image_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "png"
                | "jpg"
                | "jpeg"
                | "jfif"
                | "gif"
                | "webp"
                | "avif"
                | "bmp"
                | "ico"
                | "svg"
                | "tif"
                | "tiff"
                | "heic"
                | "heif"
        )
    })
}

/// Returns the text before and after the destination of a Markdown image with `alt` as its
/// description, escaped by pulldown-cmark-to-cmark. In a table cell the pipe is written `\|`
/// so that the row keeps its cells.
pub fn image_syntax(alt: &str, in_table: bool) -> (String, String) {
    // `data:` needs no escaping, so it marks where the destination goes.
    const MARK: &str = "data:";
    let events = [
        Event::Start(Tag::Image {
            link_type: LinkType::Inline,
            dest_url: MARK.into(),
            title: "".into(),
            id: "".into(),
        }),
        Event::Text(alt.into()),
        Event::End(TagEnd::Image),
    ];
    let options = if in_table {
        Options::ENABLE_TABLES
    } else {
        Options::empty()
    };
    let mut out = String::new();
    let rendered = pulldown_cmark_to_cmark::cmark(events.iter(), &mut out, options).is_ok();
    match out.strip_suffix(&format!("({MARK})")) {
        Some(prefix) if rendered => (format!("{prefix}("), ")".to_string()),
        _ => (
            format!("![{}](", escape_fallback(alt, in_table)),
            ")".to_string(),
        ),
    }
}

/// Escapes alt text by hand, used only if the renderer produced something unexpected.
fn escape_fallback(alt: &str, in_table: bool) -> String {
    let mut escaped = String::with_capacity(alt.len());
    for c in alt.chars() {
        if matches!(c, '\\' | '[' | ']' | '*' | '_' | '`' | '<' | '&') || (in_table && c == '|') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Tells whether `path` looks like a note or another non-image attachment by its extension, to
/// name the reason an embed is left alone.
pub fn is_note(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "md" | "canvas" | "base"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(files: &[&str]) -> (tempfile::TempDir, VaultIndex) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".obsidian")).unwrap();
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, file.as_bytes()).unwrap();
        }
        let root = dir.path().canonicalize().unwrap();
        let index = VaultIndex::build(&root);
        (dir, index)
    }

    fn found(resolution: Resolution, root: &Path) -> (String, Vec<String>) {
        match resolution {
            Resolution::Found { path, others } => (
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                others,
            ),
            Resolution::NotFound => panic!("not found"),
        }
    }

    #[test]
    fn name_found_anywhere() {
        let (_dir, index) = vault(&["Attachments/a b.png", "notes/n.md"]);
        let root = index.root().to_path_buf();
        let result = index.resolve("a b.png", &root.join("notes"));
        assert_eq!(found(result, &root), ("Attachments/a b.png".into(), vec![]));
    }

    #[test]
    fn ambiguous_name_prefers_note_folder() {
        let (_dir, index) = vault(&["x.png", "deep/er/x.png", "notes/x.png"]);
        let root = index.root().to_path_buf();
        let result = index.resolve("x.png", &root.join("notes"));
        // The vault-root path wins first, as Obsidian reads a path from the root first.
        assert_eq!(found(result, &root).0, "x.png");
        let result = index.resolve("er/x.png", &root.join("notes"));
        assert_eq!(found(result, &root), ("deep/er/x.png".into(), vec![]));
    }

    #[test]
    fn ambiguous_name_fewest_folders_then_byte_order() {
        let (_dir, index) = vault(&["b/x.png", "a/x.png", "c/d/x.png", "notes/n.md"]);
        let root = index.root().to_path_buf();
        let result = index.resolve("x.png", &root.join("notes"));
        assert_eq!(
            found(result, &root),
            ("a/x.png".into(), vec!["b/x.png".into(), "c/d/x.png".into()])
        );
    }

    #[test]
    fn note_name_without_extension() {
        let (_dir, index) = vault(&["Other note.md"]);
        let root = index.root().to_path_buf();
        let result = index.resolve("Other note", &root);
        assert_eq!(found(result, &root).0, "Other note.md");
    }

    #[test]
    fn hidden_folders_not_indexed() {
        let (_dir, index) = vault(&[".trash/x.png"]);
        let root = index.root().to_path_buf();
        assert_eq!(index.resolve("x.png", &root), Resolution::NotFound);
    }

    #[test]
    fn case_insensitive_fallback() {
        let (_dir, index) = vault(&["img/Photo.PNG"]);
        let root = index.root().to_path_buf();
        let result = index.resolve("photo.png", &root);
        assert_eq!(found(result, &root).0, "img/Photo.PNG");
    }

    #[test]
    fn alt_text_from_name_and_size() {
        assert_eq!(
            alt_text("folder/gan samples.png", Some("300")),
            "gan samples|300"
        );
        assert_eq!(alt_text("图 片.png", None), "图 片");
    }

    #[test]
    fn image_syntax_escapes_pipe_only_in_tables() {
        assert_eq!(
            image_syntax("step 1|200", true),
            ("![step 1\\|200](".to_string(), ")".to_string())
        );
        assert_eq!(
            image_syntax("a [b]|300", false),
            ("![a \\[b\\]|300](".to_string(), ")".to_string())
        );
    }

    #[test]
    fn attachment_folder_settings() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path();
        std::fs::create_dir(vault.join(".obsidian")).unwrap();
        let note = vault.join("notes");
        let set = |value: &str| {
            std::fs::write(
                vault.join(".obsidian/app.json"),
                format!("{{\"attachmentFolderPath\": \"{value}\"}}"),
            )
            .unwrap();
        };
        set("Attachments");
        assert_eq!(
            attachment_folder(vault, &note),
            Some(vault.join("Attachments"))
        );
        set("./");
        assert_eq!(attachment_folder(vault, &note), Some(note.clone()));
        set("./img");
        assert_eq!(attachment_folder(vault, &note), Some(note.join("img")));
        set("../outside");
        assert_eq!(attachment_folder(vault, &note), None);
    }
}
