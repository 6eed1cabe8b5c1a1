//! File reads and writes that name the path in every error and never leave a document half
//! written.
//!
//! Documents are replaced through a temporary file in the same folder that is renamed over the
//! original, so readers get either the old or the new content, never a mix. A [`Stamp`] taken
//! when a document is read lets [`replace_atomically`] leave alone a file that someone else
//! changed in the meantime. Image files are checked to be regular files before they are
//! opened, so a FIFO or device named by a Markdown link cannot block or flood the program.

use std::fs::{self, File, Metadata, OpenOptions, Permissions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tempfile::NamedTempFile;

/// Size, modification time and file identity of a file when it was read, used to detect a change
/// by someone else before writing over it.
///
/// Two stamps are equal when none of these changed. A writer that keeps the size and restores the
/// modification time in place goes unnoticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    /// `None` on platforms or file systems that do not record modification times.
    modified: Option<SystemTime>,
    /// Device and inode numbers, which change when another program replaces the file by rename.
    #[cfg(unix)]
    identity: (u64, u64),
}

impl Stamp {
    fn from_metadata(metadata: &Metadata) -> Self {
        Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            #[cfg(unix)]
            identity: {
                use std::os::unix::fs::MetadataExt;
                (metadata.dev(), metadata.ino())
            },
        }
    }
}

/// An error from reading or writing a file, naming the path it concerns.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// Opening, inspecting or reading a file failed.
    #[error("failed to read `{}`: {source}", path.display())]
    Read {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Creating, writing or renaming the replacement for a file failed. The original is unchanged.
    #[error("failed to write `{}`: {source}", path.display())]
    Write {
        /// The file that could not be written.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Creating the parent folders of an output file failed.
    #[error("failed to create folder `{}`: {source}", path.display())]
    CreateDir {
        /// The folder that could not be created.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The file differs from the stamp taken when it was read, so it was left as it is.
    #[error("`{}` was modified since it was read, so it was not overwritten", path.display())]
    Changed {
        /// The file that changed.
        path: PathBuf,
    },
    /// The file is marked read-only, so in-place rewriting leaves it alone even where the
    /// process could replace it (as root, or through the folder's write permission).
    #[error("`{}` is read-only, so it was not rewritten; make it writable or write the result elsewhere with --output", path.display())]
    ReadOnly {
        /// The read-only file.
        path: PathBuf,
    },
    /// The path is a directory, FIFO, socket or device where a regular file is required.
    #[error("`{}` is a {kind}, not a regular file", path.display())]
    NotRegularFile {
        /// The path as given.
        path: PathBuf,
        /// Kind of file found instead, such as "directory" or "FIFO".
        kind: &'static str,
    },
    /// An output path is a symlink, which may lead to any file.
    #[error("`{}` is a symlink, so no output was written through it; remove the link or write to another path", path.display())]
    SymlinkOutput {
        /// The output path.
        path: PathBuf,
    },
}

/// Reads a whole document and stamps it for a later [`replace_atomically`].
///
/// The stamp is taken from the open file before reading, so a change made during the read makes
/// the later comparison fail instead of going unnoticed. Paths that are not regular files are
/// rejected without being opened for reading (see [`read_image_file`]).
pub fn read_document(path: &Path) -> Result<(Vec<u8>, Stamp), FsError> {
    let (mut file, metadata) = open_regular_file(path)?;
    let stamp = Stamp::from_metadata(&metadata);
    let contents = read_to_end(&mut file, &metadata, path)?;
    Ok((contents, stamp))
}

/// Stamps the file at `path`, following symlinks.
pub fn stamp(path: &Path) -> Result<Stamp, FsError> {
    let metadata = fs::metadata(path).map_err(|source| read_error(path, source))?;
    Ok(Stamp::from_metadata(&metadata))
}

/// Replaces the contents of the existing file at `path` atomically.
///
/// The new contents go to a temporary file in the same folder, which gets the original's
/// permissions, is synced to disk and then renamed over the original. When `path` is a symlink,
/// the file it points to is replaced and the link stays a link. When `expected` is given and the
/// file's current stamp differs, nothing is written and [`FsError::Changed`] is returned. The
/// stamp is checked once before writing and again just before the rename. A change in the short
/// window after the second check is still overwritten. On any error the original is unchanged and
/// the temporary file is removed. Ownership is not copied, so a file owned by another user ends
/// up owned by the caller.
pub fn replace_atomically(
    path: &Path,
    contents: &[u8],
    expected: Option<&Stamp>,
) -> Result<(), FsError> {
    replace_atomically_with(path, &mut |out| out.write_all(contents), expected)
}

/// Replaces `path` atomically like [`replace_atomically`], with the content that `write` writes.
/// An error from `write` leaves the original untouched and no temporary file behind.
pub fn replace_atomically_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    expected: Option<&Stamp>,
) -> Result<(), FsError> {
    replace(path, write, expected, true)
}

/// Replaces `path` atomically; `sync` flushes the new content to the disk before the rename.
fn replace(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    expected: Option<&Stamp>,
    sync: bool,
) -> Result<(), FsError> {
    let target = resolve_symlink(path)?;
    let metadata = fs::metadata(&target).map_err(|source| read_error(path, source))?;
    if !metadata.is_file() {
        return Err(not_regular_file(path, &metadata));
    }

    let unchanged = |current: &Metadata| match expected {
        Some(stamp) if *stamp != Stamp::from_metadata(current) => Err(FsError::Changed {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    };
    unchanged(&metadata)?;
    if metadata.permissions().readonly() {
        return Err(FsError::ReadOnly {
            path: path.to_path_buf(),
        });
    }

    let temp = write_temp_file(path, &target, write, metadata.permissions(), sync)?;

    if expected.is_some() {
        let current = fs::metadata(&target).map_err(|source| read_error(path, source))?;
        unchanged(&current)?;
    }
    persist(temp, &target, path)
}

/// Writes an output file, creating its parent folders and replacing any existing file
/// atomically.
///
/// An existing file keeps its permissions, and a symlink keeps pointing to the file it names. A
/// new file gets the permissions of a plain create (0666 minus the umask, so usually 0644 on
/// unix). To learn them without a platform call, an empty file is created at `path` first and then
/// replaced. That empty file is removed again if the write fails.
pub fn write_output(path: &Path, contents: &[u8]) -> Result<(), FsError> {
    write_output_with(path, &mut |out| out.write_all(contents))
}

/// Writes an output file like [`write_output`], with the content that `write` writes.
pub fn write_output_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> Result<(), FsError> {
    if let Some(parent) = parent_folder(path) {
        fs::create_dir_all(parent).map_err(|source| FsError::CreateDir {
            path: parent.to_path_buf(),
            source,
        })?;
    }

    // An output file is made again from its input, so it is replaced, but never through a
    // link that may lead to some other document.
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(FsError::SymlinkOutput {
            path: path.to_path_buf(),
        });
    }
    let placeholder = match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => Some(file),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => None,
        Err(source) => return Err(write_error(path, source)),
    };

    let Some(placeholder) = placeholder else {
        // Output files can be made again from their inputs, so they are not synced: the rename
        // still keeps a reader from seeing half a file.
        return replace(path, write, None, false);
    };
    let written = placeholder
        .metadata()
        .map_err(|source| write_error(path, source))
        .and_then(|metadata| {
            let temp = write_temp_file(path, path, write, metadata.permissions(), false)?;
            persist(temp, path, path)
        });
    if written.is_err() {
        // Best effort: the placeholder is empty and was created by this call, so removing it
        // loses nothing, and the write error is the one worth reporting.
        let _ = fs::remove_file(path);
    }
    written
}

/// Reads a whole image file without ever blocking on a FIFO or device.
///
/// The path (following symlinks) must be a regular file. On unix it is opened with `O_NONBLOCK`
/// and checked again through the open handle, so a file swapped for a FIFO between the check
/// and the open is rejected instead of blocking the read.
pub fn read_image_file(path: &Path) -> Result<Vec<u8>, FsError> {
    let (mut file, metadata) = open_regular_file(path)?;
    read_to_end(&mut file, &metadata, path)
}

/// Opens the image file at `path` for reading, with the same checks as [`read_image_file`].
pub fn open_image_file(path: &Path) -> Result<File, FsError> {
    open_regular_file(path).map(|(file, _)| file)
}

/// Reads at most `limit` bytes from the start of the image file at `path`, with the same checks
/// as [`read_image_file`]; enough to sniff its type without reading a large file whole.
pub fn read_image_head(path: &Path, limit: usize) -> Result<Vec<u8>, FsError> {
    let (file, _) = open_regular_file(path)?;
    let mut head = Vec::with_capacity(limit.min(1 << 20));
    file.take(limit as u64)
        .read_to_end(&mut head)
        .map_err(|source| read_error(path, source))?;
    Ok(head)
}

/// Opens `path` for reading after checking that it is a regular file, and returns the metadata of
/// the open handle.
fn open_regular_file(path: &Path) -> Result<(File, Metadata), FsError> {
    // Opening a FIFO for reading blocks until a writer appears, so the type is checked first.
    let metadata = fs::metadata(path).map_err(|source| read_error(path, source))?;
    if !metadata.is_file() {
        return Err(not_regular_file(path, &metadata));
    }

    let mut options = OpenOptions::new();
    options.read(true);
    set_nonblocking(&mut options);
    let file = options
        .open(path)
        .map_err(|source| read_error(path, source))?;

    let metadata = file.metadata().map_err(|source| read_error(path, source))?;
    if !metadata.is_file() {
        return Err(not_regular_file(path, &metadata));
    }
    Ok((file, metadata))
}

/// Adds `O_NONBLOCK` on the platforms whose value is known here.
///
/// The crate does not depend on `libc`, so the flag is spelled out: 0o4000 is `O_NONBLOCK` in the
/// generic Linux ABI (`asm-generic/fcntl.h`, used by x86, Arm, RISC-V, PowerPC, s390x and
/// LoongArch), and 0x4 on macOS and the BSDs. Elsewhere the file type check before and after the
/// open remains, but an open that races with a swap to a FIFO could block.
fn set_nonblocking(options: &mut OpenOptions) {
    #[cfg(all(
        target_os = "linux",
        any(
            target_arch = "x86",
            target_arch = "x86_64",
            target_arch = "arm",
            target_arch = "aarch64",
            target_arch = "riscv32",
            target_arch = "riscv64",
            target_arch = "powerpc",
            target_arch = "powerpc64",
            target_arch = "s390x",
            target_arch = "loongarch64",
        )
    ))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(0o4000);
    }
    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly",
    ))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(0x4);
    }
    // Keeps `options` used on platforms where neither block above is compiled.
    let _ = options;
}

fn read_to_end(file: &mut File, metadata: &Metadata, path: &Path) -> Result<Vec<u8>, FsError> {
    // The size is only a capacity hint, because the file may grow or shrink while it is read.
    let capacity = usize::try_from(metadata.len()).unwrap_or(0);
    let mut contents = Vec::with_capacity(capacity);
    file.read_to_end(&mut contents)
        .map_err(|source| read_error(path, source))?;
    Ok(contents)
}

/// Returns the file that writes to `path` should replace: `path` itself, or the final target when
/// `path` is a symlink, so that the rename replaces the target and not the link.
fn resolve_symlink(path: &Path) -> Result<PathBuf, FsError> {
    let metadata = fs::symlink_metadata(path).map_err(|source| read_error(path, source))?;
    if !metadata.file_type().is_symlink() {
        return Ok(path.to_path_buf());
    }
    fs::canonicalize(path).map_err(|source| read_error(path, source))
}

/// Writes `contents` to a new temporary file next to `target` with the given permissions, and
/// with `sync` flushes it to the disk before it is renamed: a document replaced in place then
/// survives a crash as either version. Errors name `path`, the path the caller passed.
fn write_temp_file(
    path: &Path,
    target: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    permissions: Permissions,
    sync: bool,
) -> Result<NamedTempFile, FsError> {
    let folder = parent_folder(target).unwrap_or(Path::new("."));
    // The temporary file is deleted when `temp` is dropped on any early return below.
    let mut temp = temp_file_in(folder).map_err(|source| write_error(path, source))?;
    {
        let mut buffered = io::BufWriter::with_capacity(256 * 1024, temp.as_file_mut());
        write(&mut buffered).map_err(|source| write_error(path, source))?;
        buffered
            .flush()
            .map_err(|source| write_error(path, source))?;
    }
    // NamedTempFile creates files with mode 0600, so the intended permissions are set explicitly.
    temp.as_file()
        .set_permissions(permissions)
        .map_err(|source| write_error(path, source))?;
    if sync {
        temp.as_file()
            .sync_all()
            .map_err(|source| write_error(path, source))?;
    }
    Ok(temp)
}

/// Creates a temporary file in `folder` named `.mdembed-<process id>-<random>.tmp`, so that a
/// later run can recognize the leftovers of a killed one ([`remove_stale_temp_files`]).
pub fn temp_file_in(folder: &Path) -> io::Result<NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(folder)
}

const TEMP_PREFIX: &str = ".mdembed-";
const TEMP_SUFFIX: &str = ".tmp";

/// Removes temporary files that a killed mdembed process left in `folder`, and returns how many.
///
/// A file counts as left over when its name carries the id of a process that no longer runs
/// (read from `/proc`), or, where `/proc` is missing, when it is more than an hour old, so that
/// another mdembed writing into the same folder right now keeps its files.
pub fn remove_stale_temp_files(folder: &Path) -> usize {
    let Ok(entries) = fs::read_dir(folder) else {
        return 0;
    };
    let proc_available = Path::new("/proc/self").exists();
    let own = std::process::id();
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name
            .strip_prefix(TEMP_PREFIX)
            .and_then(|r| r.strip_suffix(TEMP_SUFFIX))
        else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == own || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let stale = if proc_available {
            !Path::new("/proc").join(pid.to_string()).exists()
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 3600)
        };
        if stale && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Renames `temp` over `target`. On failure the temporary file is removed when the error's copy
/// of it is dropped.
fn persist(temp: NamedTempFile, target: &Path, path: &Path) -> Result<(), FsError> {
    temp.persist(target)
        .map(drop)
        .map_err(|error| write_error(path, error.error))
}

/// Returns the folder that contains `path`, or `None` for a bare file name or a root.
fn parent_folder(path: &Path) -> Option<&Path> {
    path.parent()
        .filter(|parent| !parent.as_os_str().is_empty())
}

fn read_error(path: &Path, source: io::Error) -> FsError {
    FsError::Read {
        path: path.to_path_buf(),
        source,
    }
}

fn write_error(path: &Path, source: io::Error) -> FsError {
    FsError::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn not_regular_file(path: &Path, metadata: &Metadata) -> FsError {
    FsError::NotRegularFile {
        path: path.to_path_buf(),
        kind: file_kind(metadata),
    }
}

/// Names the kind of a file that is not a regular file, for error messages.
fn file_kind(metadata: &Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "directory";
    }
    if file_type.is_symlink() {
        return "symlink";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "FIFO";
        }
        if file_type.is_socket() {
            return "socket";
        }
        if file_type.is_char_device() {
            return "character device";
        }
        if file_type.is_block_device() {
            return "block device";
        }
    }
    "special file"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Runs `read_image_file` on another thread so a blocking open fails the test instead of
    /// hanging it.
    fn read_image_with_timeout(path: &Path) -> Result<Vec<u8>, FsError> {
        let (sender, receiver) = mpsc::channel();
        let path = path.to_path_buf();
        thread::spawn(move || sender.send(read_image_file(&path)));
        receiver
            .recv_timeout(Duration::from_secs(5))
            .expect("read_image_file blocked for 5 s")
    }

    /// Returns true when this process can create a file in a folder with mode 0555, as root can.
    fn permissions_ignored(read_only_dir: &Path) -> bool {
        let probe = read_only_dir.join("probe");
        let created = File::create(&probe).is_ok();
        if created {
            fs::remove_file(&probe).unwrap();
        }
        created
    }

    #[test]
    fn read_document_contents_and_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.md");
        fs::write(&path, "# Title\n").unwrap();
        let (contents, read_stamp) = read_document(&path).unwrap();
        assert_eq!(contents, b"# Title\n");
        assert_eq!(read_stamp, stamp(&path).unwrap());
    }

    #[test]
    fn replace_keeps_mode_0664() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.md");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o664)).unwrap();
        replace_atomically(&path, b"new", None).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(mode(&path), 0o664);
    }

    #[test]
    fn replace_keeps_mode_0755() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.md");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o755)).unwrap();
        replace_atomically(&path, b"new", None).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(mode(&path), 0o755);
    }

    #[test]
    fn replace_through_symlink_keeps_link() {
        let dir = tempfile::tempdir().unwrap();
        let target_dir = tempfile::tempdir().unwrap();
        let target = target_dir.path().join("real.md");
        let link = dir.path().join("link.md");
        fs::write(&target, "old").unwrap();
        symlink(&target, &link).unwrap();

        replace_atomically(&link, b"new", None).unwrap();

        assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(fs::read_link(&link).unwrap(), target);
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["link.md"]);
        assert_eq!(names(target_dir.path()), ["real.md"]);
    }

    #[test]
    fn replace_with_matching_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.md");
        fs::write(&path, "old").unwrap();
        let (_, read_stamp) = read_document(&path).unwrap();
        replace_atomically(&path, b"new", Some(&read_stamp)).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }

    #[test]
    fn replace_detects_size_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.md");
        fs::write(&path, "old").unwrap();
        let (_, read_stamp) = read_document(&path).unwrap();
        fs::write(&path, "edited elsewhere").unwrap();

        let result = replace_atomically(&path, b"new", Some(&read_stamp));

        assert!(matches!(result, Err(FsError::Changed { path: ref p }) if *p == path));
        assert_eq!(fs::read(&path).unwrap(), b"edited elsewhere");
        assert_eq!(names(dir.path()), ["doc.md"]);
    }

    #[test]
    fn replace_detects_mtime_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.md");
        fs::write(&path, "old").unwrap();
        let (_, read_stamp) = read_document(&path).unwrap();
        let file = OpenOptions::new().write(true).open(&path).unwrap();
        // Same size as before, so only the modification time differs.
        (&file).write_all(b"odd").unwrap();
        file.set_modified(SystemTime::now() + Duration::from_secs(10))
            .unwrap();
        drop(file);

        let result = replace_atomically(&path, b"new", Some(&read_stamp));

        assert!(matches!(result, Err(FsError::Changed { .. })));
        assert_eq!(fs::read(&path).unwrap(), b"odd");
    }

    #[test]
    fn replace_detects_file_swapped_by_rename() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.md");
        fs::write(&path, "old").unwrap();
        let (_, read_stamp) = read_document(&path).unwrap();
        let modified = fs::metadata(&path).unwrap().modified().unwrap();
        // Same size and modification time, but a different inode.
        let other = dir.path().join("other.md");
        fs::write(&other, "odd").unwrap();
        File::options()
            .write(true)
            .open(&other)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        fs::rename(&other, &path).unwrap();

        let result = replace_atomically(&path, b"new", Some(&read_stamp));

        assert!(matches!(result, Err(FsError::Changed { .. })));
        assert_eq!(fs::read(&path).unwrap(), b"odd");
    }

    #[test]
    fn replace_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.md");
        fs::write(&path, "old").unwrap();
        replace_atomically(&path, b"new", None).unwrap();
        assert_eq!(names(dir.path()), ["doc.md"]);
    }

    #[test]
    fn replace_in_read_only_folder_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("locked");
        fs::create_dir(&folder).unwrap();
        let path = folder.join("doc.md");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&folder, Permissions::from_mode(0o555)).unwrap();
        if permissions_ignored(&folder) {
            println!("skipped: folder permissions are not enforced for this user (root?)");
            return;
        }

        let result = replace_atomically(&path, b"new", None);

        fs::set_permissions(&folder, Permissions::from_mode(0o755)).unwrap();
        assert!(matches!(result, Err(FsError::Write { path: ref p, .. }) if *p == path));
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(names(&folder), ["doc.md"]);
    }

    #[test]
    fn replace_missing_file_fails() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.md");
        let result = replace_atomically(&path, b"new", None);
        assert!(matches!(result, Err(FsError::Read { path: ref p, .. }) if *p == path));
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn replace_directory_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let result = replace_atomically(dir.path(), b"new", None);
        assert!(matches!(
            result,
            Err(FsError::NotRegularFile {
                kind: "directory",
                ..
            })
        ));
    }

    #[test]
    fn write_output_creates_parents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/nested/doc.md");
        write_output(&path, b"body").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"body");
        assert_eq!(names(&dir.path().join("out/nested")), ["doc.md"]);
    }

    #[test]
    fn write_output_new_file_mode_like_create() {
        let dir = tempfile::tempdir().unwrap();
        let reference = dir.path().join("reference");
        fs::write(&reference, "").unwrap();
        let path = dir.path().join("doc.md");
        write_output(&path, b"body").unwrap();
        assert_eq!(mode(&path), mode(&reference));
    }

    #[test]
    fn write_output_keeps_existing_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.md");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o600)).unwrap();
        write_output(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn write_output_not_through_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.md");
        let link = dir.path().join("link.md");
        fs::write(&target, "old").unwrap();
        symlink("real.md", &link).unwrap();
        let result = write_output(&link, b"new");
        assert!(matches!(result, Err(FsError::SymlinkOutput { path: ref p }) if *p == link));
        assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(fs::read(&target).unwrap(), b"old");
    }

    #[test]
    fn write_output_parent_is_file() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("blocker");
        fs::write(&blocker, "").unwrap();
        let result = write_output(&blocker.join("doc.md"), b"body");
        assert!(matches!(result, Err(FsError::CreateDir { path: ref p, .. }) if *p == blocker));
    }

    #[test]
    fn write_output_into_directory_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let result = write_output(dir.path(), b"body");
        assert!(matches!(
            result,
            Err(FsError::NotRegularFile {
                kind: "directory",
                ..
            })
        ));
    }

    #[test]
    fn write_output_read_only_folder_fails() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("locked");
        fs::create_dir(&folder).unwrap();
        fs::set_permissions(&folder, Permissions::from_mode(0o555)).unwrap();
        if permissions_ignored(&folder) {
            println!("skipped: folder permissions are not enforced for this user (root?)");
            return;
        }

        let result = write_output(&folder.join("doc.md"), b"body");

        fs::set_permissions(&folder, Permissions::from_mode(0o755)).unwrap();
        assert!(matches!(result, Err(FsError::Write { .. })));
        assert_eq!(names(&folder), Vec::<String>::new());
    }

    #[test]
    fn read_image_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pixel.png");
        fs::write(&path, [0x89, b'P', b'N', b'G']).unwrap();
        assert_eq!(read_image_file(&path).unwrap(), [0x89, b'P', b'N', b'G']);
    }

    #[test]
    fn read_image_through_symlink() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("pixel.png"), "png").unwrap();
        symlink("pixel.png", dir.path().join("alias.png")).unwrap();
        assert_eq!(
            read_image_file(&dir.path().join("alias.png")).unwrap(),
            b"png"
        );
    }

    #[test]
    fn read_image_fifo_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe.png");
        mkfifo(&path);
        let result = read_image_with_timeout(&path);
        assert!(matches!(
            result,
            Err(FsError::NotRegularFile { path: ref p, kind: "FIFO" }) if *p == path
        ));
    }

    #[test]
    fn read_image_fifo_symlink_rejected() {
        let dir = tempfile::tempdir().unwrap();
        mkfifo(&dir.path().join("pipe"));
        let link = dir.path().join("image.png");
        symlink("pipe", &link).unwrap();
        let result = read_image_with_timeout(&link);
        assert!(matches!(
            result,
            Err(FsError::NotRegularFile { kind: "FIFO", .. })
        ));
    }

    #[test]
    fn read_image_directory_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let result = read_image_file(dir.path());
        assert!(matches!(
            result,
            Err(FsError::NotRegularFile {
                kind: "directory",
                ..
            })
        ));
    }

    #[test]
    fn read_image_device_rejected() {
        let result = read_image_with_timeout(Path::new("/dev/zero"));
        assert!(matches!(
            result,
            Err(FsError::NotRegularFile {
                kind: "character device",
                ..
            })
        ));
    }

    #[test]
    fn read_image_missing_names_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.png");
        let error = read_image_file(&path).unwrap_err();
        assert!(matches!(error, FsError::Read { path: ref p, .. } if *p == path));
        assert!(error.to_string().contains(&*path.to_string_lossy()));
    }

    #[test]
    fn read_document_fifo_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe.md");
        mkfifo(&path);
        let (sender, receiver) = mpsc::channel();
        let fifo = path.clone();
        thread::spawn(move || sender.send(read_document(&fifo).map(|_| ())));
        let result = receiver.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(matches!(
            result,
            Err(FsError::NotRegularFile { kind: "FIFO", .. })
        ));
    }

    #[test]
    fn parent_folder_of_bare_name() {
        assert_eq!(parent_folder(Path::new("doc.md")), None);
        assert_eq!(parent_folder(Path::new("/")), None);
        assert_eq!(parent_folder(Path::new("a/doc.md")), Some(Path::new("a")));
    }

    #[test]
    fn error_messages_name_path() {
        let path = PathBuf::from("/notes/doc.md");
        let errors = [
            read_error(&path, io::Error::from(io::ErrorKind::NotFound)),
            write_error(&path, io::Error::from(io::ErrorKind::PermissionDenied)),
            FsError::CreateDir {
                path: path.clone(),
                source: io::Error::from(io::ErrorKind::PermissionDenied),
            },
            FsError::Changed { path: path.clone() },
            FsError::NotRegularFile {
                path: path.clone(),
                kind: "FIFO",
            },
        ];
        for error in errors {
            assert!(error.to_string().contains("/notes/doc.md"), "{error}");
        }
    }

    #[test]
    fn not_regular_file_message() {
        let error = FsError::NotRegularFile {
            path: PathBuf::from("img/pipe.png"),
            kind: "FIFO",
        };
        assert_eq!(
            error.to_string(),
            "`img/pipe.png` is a FIFO, not a regular file"
        );
    }
}
