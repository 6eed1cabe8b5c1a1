//! Turns the paths given on the command line into the list of Markdown documents to process.
//!
//! A file input is taken whatever its extension, because the user named it. A directory input is
//! walked recursively in file-name order, following symlinks, and contributes only files with a
//! `.md` or `.markdown` extension in any letter case. Hidden folders and `node_modules` below a
//! directory input are skipped, and so are the contents of excluded directories. Every file is
//! listed once even when two inputs or a symlink reach it twice. Problems such as a missing input
//! or a symlink loop are collected next to the documents instead of stopping the walk.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

/// A Markdown document found among the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Path to read: the input as given, or a directory input joined with the entry's relative
    /// path. It is neither canonicalized nor stripped of `./`.
    pub path: PathBuf,
    /// Path relative to the directory input it was found in, or the path as given for a file
    /// input.
    pub relative: PathBuf,
    /// Index into the `inputs` slice passed to [`collect`].
    pub input: usize,
}

/// Documents and problems found by [`collect`], each in discovery order.
#[derive(Debug, Default)]
pub struct Walk {
    /// Documents to process, each file once.
    pub documents: Vec<Document>,
    /// Inputs and entries that could not be walked or read.
    pub problems: Vec<WalkProblem>,
}

/// A problem that kept part of an input from being listed.
#[derive(Debug, thiserror::Error)]
pub enum WalkProblem {
    /// A symlink leads back to one of its own ancestor directories, so it was not followed.
    #[error("symlink loop at `{}`: it points to one of its own parent folders, so it was not followed", path.display())]
    Loop {
        /// The symlink that closes the loop.
        path: PathBuf,
    },
    /// An input or an entry below it could not be inspected.
    #[error("failed to read `{}`: {source}", path.display())]
    Io {
        /// The input or entry that failed.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An input does not exist.
    #[error("input `{}` not found", path.display())]
    NotFound {
        /// The input as given.
        path: PathBuf,
    },
    /// An input exists but is neither a regular file nor a directory (for example a FIFO or a
    /// device), so reading it could block or never end.
    #[error("input `{}` is not a regular file or directory", path.display())]
    NotRegularFile {
        /// The input as given.
        path: PathBuf,
    },
}

/// Lists the Markdown documents named by `inputs`, skipping everything under `exclude`.
///
/// Inputs are handled in order, and the first path found for a file wins when a later input or
/// symlink reaches the same file again (compared by canonical path). `exclude` names directories
/// whose contents a directory walk never takes, compared by canonical path; an exclude that does
/// not exist is ignored. A file input is taken even inside an excluded directory, because the
/// user named it.
pub fn collect(inputs: &[PathBuf], exclude: &[PathBuf]) -> Walk {
    let excluded: Vec<PathBuf> = exclude
        .iter()
        .filter_map(|dir| fs::canonicalize(dir).ok())
        .collect();
    let mut collector = Collector {
        excluded,
        seen: HashSet::new(),
        walk: Walk::default(),
    };

    for (index, input) in inputs.iter().enumerate() {
        collector.add_input(index, input);
    }
    collector.walk
}

/// Reports whether `path` has a Markdown extension: `md` or `markdown` in any letter case.
pub fn is_markdown(path: &Path) -> bool {
    path.extension().is_some_and(|extension| {
        extension.eq_ignore_ascii_case("md") || extension.eq_ignore_ascii_case("markdown")
    })
}

/// Accumulates the walk result and the state shared by all inputs.
struct Collector {
    /// Canonical paths of the excluded directories that exist.
    excluded: Vec<PathBuf>,
    /// Canonical paths of the documents taken so far.
    seen: HashSet<PathBuf>,
    walk: Walk,
}

impl Collector {
    fn add_input(&mut self, index: usize, input: &Path) {
        // `fs::metadata` follows symlinks, so a link to a folder of notes is walked as a folder.
        let metadata = match fs::metadata(input) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                self.walk.problems.push(WalkProblem::NotFound {
                    path: input.to_path_buf(),
                });
                return;
            }
            Err(source) => {
                self.walk.problems.push(WalkProblem::Io {
                    path: input.to_path_buf(),
                    source,
                });
                return;
            }
        };

        if metadata.is_dir() {
            self.add_directory(index, input);
        } else if metadata.is_file() {
            self.add_file(index, input, input, false);
        } else {
            self.walk.problems.push(WalkProblem::NotRegularFile {
                path: input.to_path_buf(),
            });
        }
    }

    fn add_directory(&mut self, index: usize, root: &Path) {
        // A copy, because the filter closure borrows it while the loop body borrows `self`.
        let excluded = self.excluded.clone();
        let entries = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| !is_skipped_directory(entry, &excluded));

        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    self.walk.problems.push(walk_problem(error, root));
                    continue;
                }
            };
            // With `follow_links`, the file type is that of the symlink's target.
            if !entry.file_type().is_file() || !is_markdown(entry.path()) {
                continue;
            }

            let path = entry.path();
            // Every entry path is `root` joined with the names walked below it.
            let relative = path.strip_prefix(root).unwrap_or(path);
            self.add_file(index, path, relative, true);
        }
    }

    /// Takes the file at `path` unless it was taken before or, when `apply_exclude` is set, lies
    /// under an excluded directory.
    fn add_file(&mut self, index: usize, path: &Path, relative: &Path, apply_exclude: bool) {
        let canonical = match fs::canonicalize(path) {
            Ok(canonical) => canonical,
            Err(source) => {
                self.walk.problems.push(WalkProblem::Io {
                    path: path.to_path_buf(),
                    source,
                });
                return;
            }
        };
        if apply_exclude && self.excluded.iter().any(|dir| canonical.starts_with(dir)) {
            return;
        }
        if !self.seen.insert(canonical) {
            return;
        }

        self.walk.documents.push(Document {
            path: path.to_path_buf(),
            relative: relative.to_path_buf(),
            input: index,
        });
    }
}

/// Decides whether the walk should not descend into `entry`: a hidden folder, `node_modules` or
/// an excluded directory. The input directory itself (depth 0) is always walked.
fn is_skipped_directory(entry: &DirEntry, excluded: &[PathBuf]) -> bool {
    if entry.depth() == 0 || !entry.file_type().is_dir() {
        return false;
    }

    let name = entry.file_name().as_encoded_bytes();
    if name.starts_with(b".") || name == b"node_modules" {
        return true;
    }
    // A directory whose canonical path cannot be computed is kept, so that walkdir reports any
    // failure to read it.
    fs::canonicalize(entry.path()).is_ok_and(|canonical| excluded.contains(&canonical))
}

/// Converts a walkdir error into a problem that names the failing path.
fn walk_problem(error: walkdir::Error, root: &Path) -> WalkProblem {
    let path = error.path().unwrap_or(root).to_path_buf();
    if error.loop_ancestor().is_some() {
        return WalkProblem::Loop { path };
    }
    WalkProblem::Io {
        path,
        source: io::Error::from(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use tempfile::TempDir;

    /// Builds the tree used by most tests, creating files out of name order so sorting is tested.
    fn notes_tree() -> TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "sub/deep/c.md",
            "sub/b.md",
            "guide.markdown",
            "docs/d.md",
            "a.txt",
            "a.md",
            "NOTES.MD",
            ".git/x.md",
            ".obsidian/y.md",
            "node_modules/pkg/z.md",
            "out/o.md",
        ] {
            let path = root.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, file).unwrap();
        }
        symlink("..", root.join("docs/loop")).unwrap();
        dir
    }

    fn relatives(walk: &Walk) -> Vec<PathBuf> {
        walk.documents
            .iter()
            .map(|document| document.relative.clone())
            .collect()
    }

    fn paths(list: &[&str]) -> Vec<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn directory_walk_order_and_filter() {
        let dir = notes_tree();
        let walk = collect(&[dir.path().to_path_buf()], &[dir.path().join("out")]);
        assert_eq!(
            relatives(&walk),
            paths(&[
                "NOTES.MD",
                "a.md",
                "docs/d.md",
                "guide.markdown",
                "sub/b.md",
                "sub/deep/c.md",
            ])
        );
    }

    #[test]
    fn directory_walk_joins_input_path() {
        let dir = notes_tree();
        let input = dir.path().join("sub");
        let walk = collect(std::slice::from_ref(&input), &[]);
        assert_eq!(
            walk.documents,
            vec![
                Document {
                    path: input.join("b.md"),
                    relative: PathBuf::from("b.md"),
                    input: 0,
                },
                Document {
                    path: input.join("deep/c.md"),
                    relative: PathBuf::from("deep/c.md"),
                    input: 0,
                },
            ]
        );
    }

    #[test]
    fn directory_path_not_normalized() {
        let dir = notes_tree();
        let input = dir.path().join("sub/deep/./..");
        let walk = collect(std::slice::from_ref(&input), &[]);
        assert_eq!(
            walk.documents[0].path,
            dir.path().join("sub/deep/./../b.md")
        );
        assert_eq!(walk.documents[0].relative, PathBuf::from("b.md"));
    }

    #[test]
    fn symlink_loop_reported_once() {
        let dir = notes_tree();
        let walk = collect(&[dir.path().to_path_buf()], &[dir.path().join("out")]);
        assert_eq!(walk.problems.len(), 1);
        match &walk.problems[0] {
            WalkProblem::Loop { path } => assert_eq!(*path, dir.path().join("docs/loop")),
            other => panic!("expected a loop problem, got {other:?}"),
        }
    }

    #[test]
    fn symlink_to_input_parent_is_loop() {
        // walkdir 2.5 also counts the folders above the input as ancestors, so `docs/loop -> ..`
        // is a loop even when the walk starts at `docs`.
        let dir = notes_tree();
        let input = dir.path().join("docs");
        let walk = collect(std::slice::from_ref(&input), &[]);
        assert_eq!(relatives(&walk), paths(&["d.md"]));
        assert_eq!(walk.problems.len(), 1);
        assert!(matches!(
            &walk.problems[0],
            WalkProblem::Loop { path } if *path == input.join("loop")
        ));
    }

    #[test]
    fn hidden_input_directory_walked() {
        let dir = notes_tree();
        let walk = collect(&[dir.path().join(".obsidian")], &[]);
        assert_eq!(relatives(&walk), paths(&["y.md"]));
    }

    #[test]
    fn hidden_subfolder_of_hidden_input_skipped() {
        let dir = notes_tree();
        fs::create_dir_all(dir.path().join(".obsidian/.trash")).unwrap();
        fs::write(dir.path().join(".obsidian/.trash/old.md"), "old").unwrap();
        let walk = collect(&[dir.path().join(".obsidian")], &[]);
        assert_eq!(relatives(&walk), paths(&["y.md"]));
    }

    #[test]
    fn without_exclude_output_folder_found() {
        let dir = notes_tree();
        let walk = collect(&[dir.path().join(".")], &[]);
        assert_eq!(
            relatives(&walk),
            paths(&[
                "NOTES.MD",
                "a.md",
                "docs/d.md",
                "guide.markdown",
                "out/o.md",
                "sub/b.md",
                "sub/deep/c.md",
            ])
        );
    }

    #[test]
    fn missing_exclude_ignored() {
        let dir = notes_tree();
        let walk = collect(&[dir.path().join("sub")], &[dir.path().join("absent")]);
        assert_eq!(relatives(&walk), paths(&["b.md", "deep/c.md"]));
        assert_eq!(walk.problems.len(), 0);
    }

    #[test]
    fn exclude_matched_through_symlink() {
        let dir = notes_tree();
        symlink(dir.path().join("sub"), dir.path().join("alias")).unwrap();
        let walk = collect(&[dir.path().join("sub")], &[dir.path().join("alias/deep")]);
        assert_eq!(relatives(&walk), paths(&["b.md"]));
    }

    #[test]
    fn input_inside_exclude_yields_nothing() {
        let dir = notes_tree();
        let walk = collect(&[dir.path().join("out")], &[dir.path().join("out")]);
        assert_eq!(walk.documents, vec![]);
    }

    #[test]
    fn file_input_taken_any_extension() {
        let dir = notes_tree();
        let input = dir.path().join("a.txt");
        let walk = collect(std::slice::from_ref(&input), &[]);
        assert_eq!(
            walk.documents,
            vec![Document {
                path: input.clone(),
                relative: input,
                input: 0,
            }]
        );
    }

    #[test]
    fn file_input_taken_inside_exclude() {
        let dir = notes_tree();
        let input = dir.path().join("out/o.md");
        let walk = collect(std::slice::from_ref(&input), &[dir.path().join("out")]);
        assert_eq!(relatives(&walk), vec![input]);
    }

    #[test]
    fn missing_input_not_found() {
        let dir = notes_tree();
        let input = dir.path().join("absent.md");
        let walk = collect(&[input.clone(), dir.path().join("a.md")], &[]);
        assert_eq!(walk.documents.len(), 1);
        assert_eq!(walk.documents[0].input, 1);
        assert_eq!(walk.problems.len(), 1);
        assert!(matches!(&walk.problems[0], WalkProblem::NotFound { path } if *path == input));
    }

    #[test]
    fn fifo_input_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.md");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let walk = collect(std::slice::from_ref(&fifo), &[]);
        assert_eq!(walk.documents, vec![]);
        assert!(matches!(
            &walk.problems[..],
            [WalkProblem::NotRegularFile { path }] if *path == fifo
        ));
    }

    #[test]
    fn fifo_in_directory_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(dir.path().join("pipe.md"))
            .status()
            .unwrap();
        assert!(status.success());
        let walk = collect(&[dir.path().to_path_buf()], &[]);
        assert_eq!(walk.documents, vec![]);
        assert_eq!(walk.problems.len(), 0);
    }

    #[test]
    fn overlapping_inputs_deduplicated() {
        let dir = notes_tree();
        let sub = dir.path().join("sub");
        let walk = collect(
            &[sub.clone(), dir.path().to_path_buf(), sub.join("b.md")],
            &[dir.path().join("out")],
        );
        let found: Vec<(PathBuf, usize)> = walk
            .documents
            .iter()
            .map(|document| (document.path.clone(), document.input))
            .collect();
        assert_eq!(
            found,
            vec![
                (sub.join("b.md"), 0),
                (sub.join("deep/c.md"), 0),
                (dir.path().join("NOTES.MD"), 1),
                (dir.path().join("a.md"), 1),
                (dir.path().join("docs/d.md"), 1),
                (dir.path().join("guide.markdown"), 1),
            ]
        );
    }

    #[test]
    fn symlinked_file_listed_once() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("real.md"), "x").unwrap();
        symlink("real.md", dir.path().join("alias.md")).unwrap();
        let walk = collect(&[dir.path().to_path_buf()], &[]);
        assert_eq!(relatives(&walk), paths(&["alias.md"]));
    }

    #[test]
    fn symlinked_folder_followed() {
        let notes = tempfile::tempdir().unwrap();
        fs::write(notes.path().join("n.md"), "x").unwrap();
        let dir = tempfile::tempdir().unwrap();
        symlink(notes.path(), dir.path().join("linked")).unwrap();
        let walk = collect(&[dir.path().to_path_buf()], &[]);
        assert_eq!(relatives(&walk), paths(&["linked/n.md"]));
        assert_eq!(walk.documents[0].path, dir.path().join("linked/n.md"));
    }

    #[test]
    fn dangling_symlink_reported() {
        let dir = tempfile::tempdir().unwrap();
        symlink("gone.md", dir.path().join("broken.md")).unwrap();
        let walk = collect(&[dir.path().to_path_buf()], &[]);
        assert_eq!(walk.documents, vec![]);
        assert!(matches!(
            &walk.problems[..],
            [WalkProblem::Io { path, .. }] if *path == dir.path().join("broken.md")
        ));
    }

    #[test]
    fn markdown_extension_cases() {
        assert!(is_markdown(Path::new("a.md")));
        assert!(is_markdown(Path::new("A.MD")));
        assert!(is_markdown(Path::new("dir/guide.Markdown")));
        assert!(!is_markdown(Path::new("a.txt")));
        assert!(!is_markdown(Path::new("md")));
        assert!(!is_markdown(Path::new(".md")));
        assert!(!is_markdown(Path::new("a.mdx")));
    }

    #[test]
    fn problem_messages_name_path() {
        let path = PathBuf::from("/notes/missing.md");
        let problems = [
            WalkProblem::Loop { path: path.clone() },
            WalkProblem::Io {
                path: path.clone(),
                source: io::Error::from(io::ErrorKind::PermissionDenied),
            },
            WalkProblem::NotFound { path: path.clone() },
            WalkProblem::NotRegularFile { path: path.clone() },
        ];
        for problem in problems {
            assert!(
                problem.to_string().contains("/notes/missing.md"),
                "{problem}"
            );
        }
    }
}
