//! Hostile and broken input, each case with its exact expected outcome: what the binary prints
//! on standard output and standard error, its exit status, and the files on disk afterwards.
//!
//! The cases are documents and images that are not what they claim and paths that try to leave
//! the root. Others are special files that could block a read, huge and reference-dense
//! documents, write failures during `-i`, and regressions found by fuzzing.
//! Permission cases need an unprivileged user: as root they run the binary as `nobody` through
//! `setpriv` when it exists, and otherwise print a skip notice.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::time::{Duration, Instant};

use common::*;

/// The user id the permission tests run the binary as when the tests run as root.
const NOBODY: &str = "65534";

/// Returns the names in `dir`, sorted, or the names found by walking it recursively when
/// `recursive` is set (as paths relative to `dir`).
fn listing(dir: &Path, recursive: bool) -> Vec<String> {
    let mut names = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&relative)).expect("read folder") {
            let entry = entry.expect("folder entry");
            let name = relative.join(entry.file_name());
            let is_dir = entry.file_type().expect("file type").is_dir();
            if recursive && is_dir {
                stack.push(name.clone());
            }
            names.push(name.to_string_lossy().into_owned());
        }
    }
    names.sort();
    names
}

/// Makes a FIFO at `path`.
fn mkfifo(path: &Path) {
    let status = StdCommand::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Tells whether this process ignores file permissions (it runs as root).
fn permissions_ignored(ws: &Workspace) -> bool {
    let probe = ws.write("permission-probe", "x");
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let readable = std::fs::read(&probe).is_ok();
    std::fs::remove_file(&probe).expect("remove probe");
    readable
}

/// How a permission test runs the binary: directly, as `nobody` through `setpriv`, or not at
/// all (root without `setpriv`).
enum Unprivileged {
    Direct,
    Setpriv,
}

/// Returns how to run the binary without root's privileges, or prints a skip notice and returns
/// `None` when that is impossible.
fn unprivileged(ws: &Workspace, test: &str) -> Option<Unprivileged> {
    if !permissions_ignored(ws) {
        return Some(Unprivileged::Direct);
    }
    let setpriv_works = StdCommand::new("setpriv")
        .args([
            &format!("--reuid={NOBODY}"),
            &format!("--regid={NOBODY}"),
            "--clear-groups",
            "true",
        ])
        .status()
        .is_ok_and(|status| status.success());
    if !setpriv_works {
        println!("skipped {test}: running as root, which ignores permissions, and setpriv fails");
        return None;
    }
    // `nobody` must be able to enter the workspace and read the documents in it.
    std::fs::set_permissions(ws.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    Some(Unprivileged::Setpriv)
}

/// Runs the binary with `args` in the workspace, as `nobody` when `how` is `Setpriv`.
fn run_as(ws: &Workspace, how: &Unprivileged, args: &[&str]) -> Run {
    match how {
        Unprivileged::Direct => ws.run(args),
        Unprivileged::Setpriv => {
            let binary = assert_cmd::cargo::cargo_bin("mdembed");
            let mut command = assert_cmd::Command::new("setpriv");
            command
                .args([
                    &format!("--reuid={NOBODY}"),
                    &format!("--regid={NOBODY}"),
                    "--clear-groups",
                ])
                .arg(binary)
                .args(args)
                .current_dir(ws.path())
                .write_stdin(Vec::new())
                .timeout(TIMEOUT);
            Run::from(&mut command)
        }
    }
}

/// Asserts that the library's scanner finds as many references in `output` as in `input`: a
/// rewrite that makes an image vanish from the document (or appear) changed more than
/// destinations.
fn assert_same_reference_count(input: &str, output: &str) {
    let before = mdembed::scan::scan(input).references.len();
    let after = mdembed::scan::scan(output).references.len();
    assert_eq!(
        after, before,
        "references before and after\ninput:  {input:?}\noutput: {output:?}"
    );
}

// Documents that cannot be read as text.

#[test]
fn non_utf8_document_left_others_processed() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("d/a.png", &png);
    let bad = b"caf\xe9 ![a](a.png)\n";
    ws.write("d/bad.md", bad);
    let good = "![a](a.png)\n";
    ws.write("d/good.md", good);

    let run = ws.run(&["embed", "-i", "d"]);

    let expected = format!("![a]({})\n", data_uri("image/png", &png));
    assert_eq!(ws.read("d/bad.md"), bad, "non-UTF-8 document changed");
    assert_eq!(ws.read_text("d/good.md"), expected);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        lines(&[
            "error: d/bad.md: not valid UTF-8 at byte 3; convert the file to UTF-8 first; the document was left as it was",
            &format!(
                "{}, 1 document failed",
                summary(2, 1, 1, added(good, &expected), 0)
            ),
        ])
    );
    assert_eq!(run.code, Some(2));
    assert_eq!(
        listing(&ws.join("d"), false),
        ["a.png", "bad.md", "good.md"]
    );
}

#[test]
fn utf16_document_left_as_it_was() {
    let ws = Workspace::new();
    // "# A" in UTF-16LE with its byte order mark.
    let utf16 = b"\xff\xfe#\x00 \x00A\x00\n\x00";
    ws.write("doc.md", utf16);

    let run = ws.run(&["embed", "-i", "doc.md"]);

    assert_eq!(ws.read("doc.md"), utf16);
    assert_eq!(
        run.stderr,
        lines(&[
            "error: doc.md: not valid UTF-8 at byte 0; convert the file to UTF-8 first; the document was left as it was",
            &format!("{}, 1 document failed", summary(1, 0, 0, 0, 0)),
        ])
    );
    assert_eq!(run.code, Some(2));
}

// Broken data URIs and broken images.

#[test]
fn extract_invalid_base64_left_with_warning() {
    let ws = Workspace::new();
    let input = "![x](data:image/png;base64,iV*ORw0KGgo=)\n";
    ws.write("doc.md", input);

    let run = ws.run(&["extract", "doc.md"]);

    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: invalid data URI (invalid base64 payload in data URI at byte 24: '*' is not in the base64 alphabet): data:image/png;base64,iV*ORw0KGgo= (doc.md:1:1)",
            "1 document read, 0 changed, 0 images extracted, 0 files written, 0 bytes removed, 1 warning",
        ])
    );
    assert_eq!(run.code, Some(1));
    assert_eq!(
        listing(ws.path(), false),
        ["doc.md"],
        "assets folder created"
    );
}

#[test]
fn extract_invalid_base64_names_first_bad_byte() {
    let ws = Workspace::new();
    // The `!` makes the payload 13 symbols long, so the final `=` is not at a multiple of four.
    // The first invalid byte is still the `!` at byte 27.
    let input = "![x](data:image/png;base64,iVBOR!w0KGgo=)\n";
    ws.write("doc.md", input);

    let run = ws.run(&["extract", "doc.md"]);

    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr_lines()[0],
        "warning: invalid data URI (invalid base64 payload in data URI at byte 27: '!' is not in the base64 alphabet): data:image/png;base64,iVBOR!w0KGgo= (doc.md:1:1)"
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn extract_missing_base64_flag_not_written() {
    let ws = Workspace::new();
    let input = "![x](data:image/png,base64,iVBORw0KGgo=)\n";
    ws.write("doc.md", input);

    let run = ws.run(&["extract", "doc.md"]);

    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: invalid data URI (the payload is text because the ;base64 flag is missing): data:image/png,base64,iVBORw0KGgo= (doc.md:1:1)",
            "1 document read, 0 changed, 0 images extracted, 0 files written, 0 bytes removed, 1 warning",
        ])
    );
    assert_eq!(run.code, Some(1));
    assert_eq!(listing(ws.path(), false), ["doc.md"]);
}

/// Returns the first `len` bytes of `bytes`.
fn cut(bytes: &[u8], len: usize) -> Vec<u8> {
    bytes[..len].to_vec()
}

/// Embeds one truncated image: no decoding is needed, so its bytes are embedded as they are,
/// with a warning and exit 1, as extract writes one.
fn assert_truncated_embedded(file: &str, bytes: &[u8], mime: &str) {
    let ws = Workspace::new();
    ws.write(file, bytes);
    let input = format!("![t]({file})\n");
    let run = embed_doc(&ws, &input, &[]);
    let expected = format!("![t]({})\n", data_uri(mime, bytes));
    assert_eq!(run.stdout, expected, "standard output");
    assert_eq!(
        run.stderr,
        lines(&[
            &format!("warning: image data ends early, embedded anyway: {file} (doc.md:1:1)"),
            &summary(1, 1, 1, added(&input, &expected), 1),
        ]),
        "standard error"
    );
    assert_eq!(run.code, Some(1), "exit status");
}

#[test]
fn truncated_png_embedded_as_bytes() {
    let png = png(3);
    assert_truncated_embedded("cut.png", &cut(&png, png.len() / 2), "image/png");
}

#[test]
fn truncated_jpeg_embedded_as_bytes() {
    let jpeg = jpeg(3);
    assert_truncated_embedded("cut.jpg", &cut(&jpeg, jpeg.len() / 2), "image/jpeg");
}

/// Extracts one truncated image: it is written, byte for byte, with a warning and exit 1.
fn assert_truncated_extracted(bytes: &[u8], mime: &str, extension: &str) {
    let ws = Workspace::new();
    let uri = data_uri(mime, bytes);
    let input = format!("![t]({uri})\n");
    ws.write("doc.md", &input);

    let run = ws.run(&["extract", "-i", "doc.md"]);

    let link = format!("doc.assets/t.{extension}");
    let output = format!("![t]({link})\n");
    assert_eq!(ws.read_text("doc.md"), output);
    assert_eq!(ws.read(&link), bytes, "extracted bytes");
    let shown = format!("{}... ({} bytes)", &uri[..60], uri.len());
    assert_eq!(
        run.stderr,
        lines(&[
            &format!(
                "warning: image data ends early, written anyway as {link}: {shown} (doc.md:1:1)"
            ),
            &format!(
                "1 document read, 1 changed, 1 image extracted, 1 file written, {} bytes removed, 1 warning",
                input.len() - output.len()
            ),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn truncated_png_extracted_with_warning() {
    let png = png(4);
    assert_truncated_extracted(&cut(&png, png.len() - 20), "image/png", "png");
}

#[test]
fn truncated_jpeg_extracted_with_warning() {
    let jpeg = jpeg(4);
    assert_truncated_extracted(&cut(&jpeg, jpeg.len() / 2), "image/jpeg", "jpg");
}

/// Runs `embed doc.md` on `input` and asserts that the document comes out unchanged with one
/// warning per entry of `warnings` and exit status 1.
fn assert_untouched(ws: &Workspace, input: &str, warnings: &[&str]) {
    let run = embed_doc(ws, input, &[]);
    assert_eq!(run.stdout, input, "standard output");
    let mut expected: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
    expected.push(summary(1, 0, 0, 0, warnings.len()));
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(run.stderr, lines(&expected), "standard error");
    assert_eq!(run.code, Some(1), "exit status");
    assert_eq!(ws.read_text("doc.md"), input, "document rewritten");
}

#[test]
fn zero_byte_image_not_embedded() {
    let ws = Workspace::new();
    ws.write("x.png", "");
    assert_untouched(
        &ws,
        "![x](x.png)\n",
        &["warning: not an image (empty file): x.png (doc.md:1:1)"],
    );
}

#[test]
fn directory_named_png_not_embedded() {
    let ws = Workspace::new();
    ws.mkdir("x.png");
    assert_untouched(
        &ws,
        "![x](x.png) <img src=\"x.png\">\n",
        &[
            "warning: not an image (directory): x.png (doc.md:1:1)",
            "warning: not an image (directory): x.png (doc.md:1:13)",
        ],
    );
}

#[test]
fn fifo_named_png_does_not_block() {
    let ws = Workspace::new();
    mkfifo(&ws.join("x.png"));
    let started = Instant::now();
    assert_untouched(
        &ws,
        "![x](x.png)\n",
        &["warning: not an image (FIFO): x.png (doc.md:1:1)"],
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "slow on a FIFO"
    );
}

#[test]
fn fifo_named_md_in_tree_skipped() {
    let ws = Workspace::new();
    ws.write("d/a.md", "# A\n");
    mkfifo(&ws.join("d/pipe.md"));

    let run = ws.run(&["embed", "--check", "d"]);

    // A walk takes regular files only, so the FIFO is not a document.
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, lines(&[&check_summary(1, 0, 0, 0, 0)]));
    assert_eq!(run.code, Some(0));
}

#[test]
fn fifo_given_as_document_fails_without_blocking() {
    let ws = Workspace::new();
    mkfifo(&ws.join("pipe.md"));

    let run = ws.run(&["embed", "pipe.md"]);

    // The input names one document that cannot be read: exit status 2, as for a missing file.
    assert_eq!(run.stdout, "");
    assert_eq!(run.code, Some(2), "standard error: {}", run.stderr);
}

#[test]
fn unreadable_image_left_with_warning() {
    let ws = Workspace::new();
    let Some(how) = unprivileged(&ws, "unreadable_image_left_with_warning") else {
        return;
    };
    let image = ws.write("x.png", png(5));
    std::fs::set_permissions(&image, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let input = "![x](x.png)\n";
    ws.write("doc.md", input);

    let run = run_as(&ws, &how, &["embed", "doc.md"]);

    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            &format!(
                "warning: image not readable (failed to read `{}`: Permission denied (os error 13)): x.png (doc.md:1:1)",
                ws.canonical().join("x.png").display()
            ),
            &summary(1, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn unreadable_document_fails_others_processed() {
    let ws = Workspace::new();
    let Some(how) = unprivileged(&ws, "unreadable_document_fails_others_processed") else {
        return;
    };
    let png = png(5);
    ws.write("d/a.png", &png);
    let input = "![a](a.png)\n";
    let locked = ws.write("d/locked.md", input);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let open = ws.write("d/open.md", input);
    // `nobody` rewrites d/open.md in place, so it needs the folder and the file writable.
    std::fs::set_permissions(ws.join("d"), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).expect("chmod");

    let run = run_as(&ws, &how, &["embed", "-i", "--root", "d", "d"]);

    let expected = format!("![a]({})\n", data_uri("image/png", &png));
    assert_eq!(ws.read_text("d/open.md"), expected);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    assert_eq!(ws.read_text("d/locked.md"), input);
    assert_eq!(
        run.stderr,
        lines(&[
            "error: d/locked.md: failed to read `d/locked.md`: Permission denied (os error 13); the document was left as it was",
            &format!(
                "{}, 1 document failed",
                summary(1, 1, 1, added(input, &expected), 0)
            ),
        ])
    );
    assert_eq!(run.code, Some(2));
}

// Paths that leave the root.

#[test]
fn symlink_outside_root_not_followed() {
    let ws = Workspace::new();
    ws.write("secret.png", png(6));
    ws.mkdir("root");
    std::os::unix::fs::symlink(ws.join("secret.png"), ws.join("root/x.png")).expect("symlink");
    let input = "![x](x.png)\n";
    ws.write("root/doc.md", input);

    let run = ws.run_in("root", &["embed", "doc.md"]);

    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            &format!(
                "warning: image outside the root {} (use --root to allow it): x.png (doc.md:1:1)",
                ws.canonical().join("root").display()
            ),
            &summary(1, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn dot_dot_paths_do_not_escape_root() {
    let ws = Workspace::new();
    ws.write("secret.png", png(7));
    ws.mkdir("root/sub");
    let input = "![a](../secret.png) ![b](sub/../../secret.png) <img src=\"%2E%2E/secret.png\">\n";
    ws.write("root/doc.md", input);

    let run = ws.run_in("root", &["embed", "doc.md"]);

    let root = ws.canonical().join("root");
    let outside = |target: &str, column: usize| {
        format!(
            "warning: image outside the root {} (use --root to allow it): {target} (doc.md:1:{column})",
            root.display()
        )
    };
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            &outside("../secret.png", 1),
            &outside("sub/../../secret.png", 21),
            &outside("%2E%2E/secret.png", 48),
            &summary(1, 0, 0, 0, 3),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn absolute_path_outside_root_not_read() {
    let ws = Workspace::new();
    let outside = tempfile::tempdir().expect("second temporary folder");
    let secret = outside.path().join("secret.png");
    std::fs::write(&secret, png(8)).expect("write secret");
    let canonical_secret = secret.canonicalize().expect("canonicalize");
    let input = format!(
        "![a]({}) ![b](file://{})\n",
        canonical_secret.display(),
        canonical_secret.display()
    );
    ws.write("doc.md", &input);

    let run = ws.run(&["embed", "doc.md"]);

    let warning = |target: String, column: usize| {
        format!(
            "warning: image outside the root {} (use --root to allow it): {target} (doc.md:1:{column})",
            ws.canonical().display()
        )
    };
    let first = canonical_secret.display().to_string();
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            &warning(first.clone(), 1),
            &warning(format!("file://{first}"), first.len() + 8),
            &summary(1, 0, 0, 0, 2),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn symlink_loop_in_tree_terminates() {
    let ws = Workspace::new();
    let png = png(9);
    ws.write("t/a.png", &png);
    let input = "![a](../a.png)\n";
    ws.write("t/sub/doc.md", input);
    std::os::unix::fs::symlink("..", ws.join("t/sub/up")).expect("symlink");
    std::os::unix::fs::symlink("self.md", ws.join("t/self.md")).expect("symlink");

    let run = ws.run_in("t", &["embed", "-i", "."]);

    let expected = format!("![a]({})\n", data_uri("image/png", &png));
    assert_eq!(ws.read_text("t/sub/doc.md"), expected);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 3, "standard error: {}", run.stderr);
    assert!(
        lines[0].starts_with("warning: failed to read `./self.md`: "),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with("Too many levels of symbolic links (os error 40)"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        "warning: symlink loop at `./sub/up`: it points to one of its own parent folders, so it was not followed"
    );
    assert_eq!(lines[2], summary(1, 1, 1, added(input, &expected), 2));
    // Walk problems are warnings but no reference was left as written.
    assert_eq!(run.code, Some(0));
}

/// A symlinked document resolves its images beside the file it points to, because a renderer
/// opening that file looks there. An image of the same name beside the link is not used.
#[test]
fn symlinked_document_resolves_beside_target() {
    let ws = Workspace::new();
    let (real, decoy) = (png(11), png(12));
    ws.write("p/real/a.png", &real);
    ws.write("p/a.png", &decoy);
    let input = "![a](a.png)\n";
    ws.write("p/real/doc.md", input);
    std::os::unix::fs::symlink("real/doc.md", ws.join("p/alink.md")).expect("symlink");

    let run = ws.run_in("p", &["embed", "-i", "alink.md"]);

    let expected = format!("![a]({})\n", data_uri("image/png", &real));
    assert_eq!(ws.read_text("p/real/doc.md"), expected);
    assert!(
        std::fs::symlink_metadata(ws.join("p/alink.md"))
            .expect("link")
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    assert_eq!(
        run.stderr,
        lines(&[&summary(1, 1, 1, added(input, &expected), 0)])
    );
    assert_eq!(run.code, Some(0));
}

/// Extracting a symlinked document in place puts the assets folder beside the file it points
/// to and names it after that file, so the new link resolves from the file.
#[test]
fn symlinked_document_extracts_beside_target() {
    let ws = Workspace::new();
    let picture = png(13);
    ws.write(
        "repo/docs/index.md",
        format!(
            "# Project\n\n![logo]({})\n",
            data_uri("image/png", &picture)
        ),
    );
    std::os::unix::fs::symlink("docs/index.md", ws.join("repo/README.md")).expect("symlink");

    let run = ws.run_in("repo", &["extract", "-i", "README.md"]);

    assert_eq!(
        ws.read_text("repo/docs/index.md"),
        "# Project\n\n![logo](index.assets/logo.png)\n"
    );
    assert_eq!(ws.read("repo/docs/index.assets/logo.png"), picture);
    assert!(
        !ws.exists("repo/README.assets"),
        "no assets beside the link"
    );
    assert_eq!(run.code, Some(0), "standard error: {}", run.stderr);
}

// Huge and dense documents.

/// A megabyte line of touching `data:image/` strings outside any image: each is reported once,
/// with its text up to the next one, so extract stays linear in time and memory.
#[test]
fn touching_stray_data_uris_stay_linear() {
    let ws = Workspace::new();
    let prefix = "data:image/png;base64,";
    let count = 1024 * 1024 / prefix.len();
    ws.write("doc.md", format!("{}\n", prefix.repeat(count)));
    let mut process = ws.mdembed();
    process
        .args(["extract", "-o", "out.md", "doc.md"])
        .timeout(Duration::from_secs(60));
    let run = Run::from(&mut process);
    assert_eq!(run.code, Some(1), "exit status");
    let lines = run.stderr_lines();
    assert_eq!(
        lines.len(),
        count + 1,
        "one warning per stray and the summary"
    );
    assert_eq!(
        lines[1],
        format!(
            "warning: data URI outside any image syntax, left as it is: {prefix} (doc.md:1:23)"
        )
    );
}

/// One line of a megabyte of unfinished image openers, each of which looks ahead on its line:
/// the scan stays linear, so embed and extract finish far inside the bound, where a quadratic
/// scan takes minutes.
#[test]
fn megabyte_of_image_openers_stays_linear() {
    let ws = Workspace::new();
    let png = png(14);
    ws.write("a.png", &png);
    for opener in ["![a][", "[![", "![a](<"] {
        let filler = opener.repeat(1024 * 1024 / opener.len());
        let input = format!("{filler}![z](a.png)\n");
        ws.write("doc.md", &input);
        for command in ["embed", "extract"] {
            let mut process = ws.mdembed();
            process
                .args([command, "-o", "out.md", "doc.md"])
                .timeout(Duration::from_secs(60));
            let run = Run::from(&mut process);
            assert_eq!(
                run.code,
                Some(0),
                "{command} on {opener:?} x {}: {}",
                filler.len() / opener.len(),
                run.stderr
            );
        }
    }
}

#[test]
fn hundred_megabyte_single_line_document() {
    let ws = Workspace::new();
    let png = png(10);
    ws.write("a.png", &png);
    let filler = "lorem ipsum ".repeat(100 * 1024 * 1024 / 12);
    let input = format!("![s](a.png) {filler}![e](a.png)\n");
    assert!(input.len() >= 100 * 1024 * 1024, "document size");
    ws.write("doc.md", &input);

    let started = Instant::now();
    let mut command = ws.mdembed();
    command
        .args(["embed", "-o", "out.md", "doc.md"])
        .timeout(Duration::from_secs(300));
    let run = Run::from(&mut command);
    println!(
        "100 MB single-line document embedded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let uri = data_uri("image/png", &png);
    let output = ws.read("out.md");
    let head = format!("![s]({uri}) lorem");
    let tail = format!("ipsum ![e]({uri})\n");
    assert!(output.starts_with(head.as_bytes()), "start not embedded");
    assert!(output.ends_with(tail.as_bytes()), "end not embedded");
    assert_eq!(output.len(), input.len() + 2 * (uri.len() - "a.png".len()));
    assert_eq!(
        run.stderr,
        lines(&[&summary(1, 1, 2, 2 * (uri.len() - 5), 0)])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn ten_thousand_references_in_one_document() {
    let ws = Workspace::new();
    let images: Vec<Vec<u8>> = (0..100).map(|i| png(i as u8)).collect();
    for (i, bytes) in images.iter().enumerate() {
        ws.write(&format!("img/{i}.png"), bytes);
    }
    let mut input = String::new();
    let mut expected = String::new();
    for n in 0..10_000 {
        let i = n % 100;
        let line_end = if n % 10 == 9 { "\n" } else { " " };
        input.push_str(&format!("![{n}](img/{i}.png){line_end}"));
        expected.push_str(&format!(
            "![{n}]({}){line_end}",
            data_uri("image/png", &images[i])
        ));
    }
    ws.write("doc.md", &input);

    let started = Instant::now();
    let run = ws.run(&["embed", "-o", "out.md", "doc.md"]);
    println!(
        "10,000 references embedded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    assert!(
        ws.read_text("out.md") == expected,
        "output differs from the expected document"
    );
    assert_eq!(
        run.stderr,
        lines(&[&summary(1, 1, 10_000, added(&input, &expected), 0)])
    );
    assert_eq!(run.code, Some(0));
}

// Odd characters and foreign path styles in destinations.

#[test]
fn nul_in_destination_not_found() {
    let ws = Workspace::new();
    ws.write("a.png", png(11));
    let input = "![a](a.png%00) ![b](a%00.png)\n";
    assert_untouched(
        &ws,
        input,
        &[
            "warning: image not found: a.png%00 (doc.md:1:1)",
            "warning: image not found: a%00.png (doc.md:1:16)",
        ],
    );
}

#[test]
fn control_character_in_destination_not_found() {
    let ws = Workspace::new();
    // Names with control characters are never looked up, even when such a file exists.
    ws.write("a\u{1}.png", png(12));
    let input = "![c](<a\u{1}.png>)\n";
    let run = embed_doc(&ws, input, &[]);
    assert_eq!(run.stdout, input);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 2, "standard error: {:?}", run.stderr);
    assert!(
        lines[0].starts_with("warning: image not found: ") && lines[0].ends_with(" (doc.md:1:1)"),
        "{:?}",
        lines[0]
    );
    assert_eq!(lines[1], summary(1, 0, 0, 0, 1));
    assert_eq!(run.code, Some(1));
}

#[test]
fn diagnostics_escape_control_characters() {
    let ws = Workspace::new();
    // ESC [ 2 J clears a terminal; a document must not be able to send it through a warning.
    let input = "![c](<\u{1b}[2J\u{1}\u{0}.png>)\n";
    let run = embed_doc(&ws, input, &[]);
    assert_eq!(run.stdout, input);
    assert!(
        !run.stderr.chars().any(|c| c.is_control() && c != '\n'),
        "raw control characters on standard error: {:?}",
        run.stderr
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn windows_drive_paths_not_found() {
    let ws = Workspace::new();
    ws.write("a.png", png(13));
    let input = "![w](C:\\Users\\me\\a.png) ![v](C:/Users/me/a.png) <img src=\"D:\\a.png\">\n";
    assert_untouched(
        &ws,
        input,
        &[
            "warning: image not found: C:\\Users\\me\\a.png (doc.md:1:1)",
            "warning: image not found: C:/Users/me/a.png (doc.md:1:25)",
            "warning: image not found: D:\\a.png (doc.md:1:49)",
        ],
    );
}

// Outputs and spellings.

#[test]
fn output_dir_inside_input_tree_not_read() {
    let ws = Workspace::new();
    let png = png(14);
    ws.write("docs/a.png", &png);
    let input = "![a](a.png)\n";
    ws.write("docs/d.md", input);
    let expected = format!("![a]({})\n", data_uri("image/png", &png));
    let line = summary(1, 1, 1, added(input, &expected), 0);

    for round in 1..=2 {
        let run = ws.run(&["embed", "docs", "-o", "docs/out"]);
        assert_eq!(run.stderr, lines(&[&line]), "round {round}");
        assert_eq!(run.code, Some(0), "round {round}");
        assert_eq!(
            listing(&ws.join("docs"), true),
            ["a.png", "d.md", "out", "out/d.md"],
            "round {round}"
        );
        assert_eq!(ws.read_text("docs/out/d.md"), expected, "round {round}");
        assert_eq!(ws.read_text("docs/d.md"), input, "round {round}");
    }
}

#[test]
fn extract_output_dir_inside_input_tree_not_read() {
    let ws = Workspace::new();
    let png = png(15);
    let input = format!("![a]({})\n", data_uri("image/png", &png));
    ws.write("docs/d.md", &input);

    for round in 1..=2 {
        let run = ws.run(&["extract", "docs", "-o", "docs/out"]);
        assert_eq!(run.code, Some(0), "round {round}: {}", run.stderr);
        assert_eq!(
            listing(&ws.join("docs"), true),
            [
                "d.md",
                "out",
                "out/d.assets",
                "out/d.assets/a.png",
                "out/d.md"
            ],
            "round {round}"
        );
        assert_eq!(
            ws.read_text("docs/out/d.md"),
            "![a](d.assets/a.png)\n",
            "round {round}"
        );
        assert_eq!(ws.read("docs/out/d.assets/a.png"), png, "round {round}");
    }
}

#[test]
fn spellings_of_one_file_embed_same_bytes() {
    let ws = Workspace::new();
    let png = png(16);
    ws.write("a.png", &png);
    ws.mkdir("sub");
    let input =
        "![1](a.png) ![2](./a.png) ![3](sub/../a.png) ![4](a%2Epng) <img src=\"./a.png\">\n";
    let run = embed_doc(&ws, input, &[]);
    let uri = data_uri("image/png", &png);
    let expected = format!("![1]({uri}) ![2]({uri}) ![3]({uri}) ![4]({uri}) <img src=\"{uri}\">\n");
    assert_clean_embed(&run, input, &expected, 5);
}

// Write failures during `-i`.

#[test]
fn in_place_read_only_folder_leaves_original() {
    let ws = Workspace::new();
    let Some(how) = unprivileged(&ws, "in_place_read_only_folder_leaves_original") else {
        return;
    };
    let png = png(17);
    ws.write("ro/a.png", &png);
    let input = "![a](a.png)\n";
    let doc = ws.write("ro/doc.md", input);
    // The document itself is writable; only the folder, where the temporary file goes, is not.
    std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    std::fs::set_permissions(ws.join("ro"), std::fs::Permissions::from_mode(0o555)).expect("chmod");

    let run = run_as(&ws, &how, &["embed", "-i", "--root", "ro", "ro/doc.md"]);

    std::fs::set_permissions(ws.join("ro"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(ws.read_text("ro/doc.md"), input);
    assert_eq!(listing(&ws.join("ro"), false), ["a.png", "doc.md"]);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 2, "standard error: {}", run.stderr);
    // The I/O error may name the temporary file it failed to create after the reason.
    assert!(
        lines[0].starts_with(
            "error: ro/doc.md: failed to write `ro/doc.md`: Permission denied (os error 13)"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with("; the document was left as it was"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        format!("{}, 1 document failed", summary(1, 0, 0, 0, 0))
    );
    assert_eq!(run.code, Some(2));
}

/// A tmpfs mounted for one test and unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    /// Mounts a tmpfs of `size` at `dir`, or returns `None` when mounting is not allowed.
    fn tmpfs(dir: &Path, size: &str) -> Option<Mount> {
        let status = StdCommand::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then(|| Mount(dir.to_path_buf()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = StdCommand::new("umount").arg(&self.0).status();
    }
}

#[test]
fn in_place_full_disk_leaves_original() {
    let ws = Workspace::new();
    let mount_point = ws.mkdir("full");
    let Some(_mount) = Mount::tmpfs(&mount_point, "64k") else {
        println!("skipped in_place_full_disk_leaves_original: cannot mount a tmpfs (not root?)");
        return;
    };
    // A 60 KB image outside the small file system: its data URI does not fit into it.
    let big: Vec<u8> = png(18)
        .into_iter()
        .chain((0..60_000u32).map(|i| (i * 7919 % 251) as u8))
        .collect();
    ws.write("big.png", &big);
    let input = "![b](../big.png)\n";
    ws.write("full/doc.md", input);

    let run = ws.run(&["embed", "-i", "full/doc.md"]);

    assert_eq!(ws.read_text("full/doc.md"), input);
    assert_eq!(
        listing(&mount_point, false),
        ["doc.md"],
        "temporary file left"
    );
    assert_eq!(
        run.stderr,
        lines(&[
            "error: full/doc.md: failed to write `full/doc.md`: No space left on device (os error 28); the document was left as it was",
            &format!("{}, 1 document failed", summary(1, 0, 0, 0, 0)),
        ])
    );
    assert_eq!(run.code, Some(2));
}

#[test]
fn replace_refuses_document_changed_since_read() {
    // The window between reading and writing cannot be hit reliably from outside the binary,
    // so this checks the library function `-i` writes through, with the stamp taken at read.
    let ws = Workspace::new();
    let doc = ws.write("doc.md", "![a](a.png)\n");
    let (_, stamp) = mdembed::fs::read_document(&doc).expect("read document");
    ws.write("doc.md", "edited by someone else\n");

    let result = mdembed::fs::replace_atomically(&doc, b"new text\n", Some(&stamp));

    let error = result.expect_err("replaced a changed document");
    assert_eq!(
        error.to_string(),
        format!(
            "`{}` was modified since it was read, so it was not overwritten",
            doc.display()
        )
    );
    assert_eq!(ws.read_text("doc.md"), "edited by someone else\n");
    assert_eq!(listing(ws.path(), false), ["doc.md"], "temporary file left");
}

/// Returns whether the process `pid` has a file open whose path ends with `name`.
fn has_open(pid: u32, name: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    entries
        .flatten()
        .any(|entry| std::fs::read_link(entry.path()).is_ok_and(|target| target.ends_with(name)))
}

#[test]
fn in_place_refuses_document_changed_during_run() {
    // A large image keeps the binary busy between reading the document and renaming its
    // replacement. The test edits the document as soon as the binary has the image open.
    let ws = Workspace::new();
    let big: Vec<u8> = png(19)
        .into_iter()
        .chain((0..48 * 1024 * 1024u32).map(|i| (i % 253) as u8))
        .collect();
    ws.write("big.png", &big);
    let input = "![b](big.png)\n";
    ws.write("doc.md", input);
    let edited = "edited by someone else, longer than before\n";

    let binary = assert_cmd::cargo::cargo_bin("mdembed");
    let mut child = StdCommand::new(binary)
        .args(["embed", "-q", "-i", "doc.md"])
        .current_dir(ws.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start mdembed");
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = false;
    while Instant::now() < deadline {
        if has_open(pid, "big.png") {
            ws.write("doc.md", edited);
            seen = true;
            break;
        }
        if child.try_wait().expect("poll mdembed").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let output = child.wait_with_output().expect("wait for mdembed");
    if !seen {
        println!(
            "skipped in_place_refuses_document_changed_during_run: the image was never seen open"
        );
        return;
    }

    let stderr = String::from_utf8(output.stderr).expect("UTF-8 standard error");
    assert_eq!(ws.read_text("doc.md"), edited);
    assert_eq!(listing(ws.path(), false), ["big.png", "doc.md"]);
    // `-q` leaves only errors, so size warnings about the large image do not show.
    assert_eq!(
        stderr,
        lines(&[
            "error: doc.md: `doc.md` was modified since it was read, so it was not overwritten; the document was left as it was",
        ])
    );
    assert_eq!(output.status.code(), Some(2));
}

// Regressions found by fuzzing the scanner and rewriter: the rewritten document must contain
// the same images as the original.

#[test]
fn angle_destination_inside_link_text_stays_an_image() {
    let ws = Workspace::new();
    let png = png(20);
    ws.write("b.png", &png);
    // `<x ![i](<b.png>)>` is not a link destination because of the inner `<`; the image is one.
    let input = "[l](<x ![i](<b.png>)>)\n";
    let run = embed_doc(&ws, input, &[]);
    assert_same_reference_count(input, &run.stdout);
    let expected = format!("[l](<x ![i](<{}>)>)\n", data_uri("image/png", &png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn spaced_destination_after_label_colon_stays_an_image() {
    let ws = Workspace::new();
    ws.write("c d.png", png(25));
    // `[b]:![](<c d.png>)` is no definition because `<c d.png>` makes the destination `![](<c`
    // followed by text; `[b]:![](data:...)` is one, and the image is gone.
    let input = "[b]:![](<c d.png>)\n";
    let run = embed_doc(&ws, input, &[]);
    assert_same_reference_count(input, &run.stdout);
}

#[test]
fn unquoted_src_before_odd_attribute_stays_html() {
    let ws = Workspace::new();
    ws.write("a.png", png(21));
    // pulldown-cmark reads `<img src=a.png\t&b>` as inline HTML; with the value quoted,
    // `"..."\t&b` is no longer a tag and the image turns into text.
    let input = "x <img src=a.png\t&b>\n";
    let run = embed_doc(&ws, input, &[]);
    assert_same_reference_count(input, &run.stdout);
}

#[test]
fn unquoted_src_before_form_feed_stays_html() {
    let ws = Workspace::new();
    ws.write("a.png", png(22));
    let input = "x <img src=a.png\u{c}b/c>\n";
    let run = embed_doc(&ws, input, &[]);
    assert_same_reference_count(input, &run.stdout);
}

#[test]
fn obsidian_comment_marker_in_destination_idempotent() {
    let ws = Workspace::new();
    ws.write("%%/a.png", png(23));
    ws.write("b.png", png(24));
    let input = "![l](%%/a.png)\n\n![[b.png]]\n";
    let first = embed_doc(&ws, input, &["--obsidian"]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let second = embed_doc(&ws, &first.stdout, &["--obsidian"]);
    assert_eq!(
        second.stdout, first.stdout,
        "second embed changed the document"
    );
}

/// Puts one data URI into every reference of `source` whose rewrite keeps the structure, as
/// embed does; returns the output.
fn rewrite_all_safe(source: &str, options: mdembed::scan::ScanOptions) -> String {
    use mdembed::rewrite::{self, EditText};
    use std::sync::Arc;

    let uri = EditText::Text(Arc::from("data:image/png;base64,iVBORw0KGgo="));
    let before = mdembed::scan::scan_with(source, options);
    let mut edits = Vec::new();
    let mut owners = Vec::new();
    for (index, reference) in before.references.iter().enumerate() {
        // Embed leaves existing data URIs alone.
        if mdembed::resolve::classify(&reference.dest) == mdembed::resolve::DestKind::DataUri {
            continue;
        }
        let new = rewrite::edits_for(&reference.site, &uri);
        owners.extend(std::iter::repeat_n(index, new.len()));
        edits.extend(new);
    }
    let checked = mdembed::verify::keep_safe(source, edits, &owners, &before, options, false);
    rewrite::apply(source, checked.edits).expect("edits from one scan")
}

/// Replays every input on which fuzzing found a rewrite that changed the parse or was not
/// idempotent. After the structure check drops the unsafe edits, the output has as many
/// references as the input, each pointing where it did or at the data URI. Rewriting it again
/// changes nothing.
#[test]
fn fuzz_regressions_keep_structure_and_idempotence() {
    use mdembed::scan::{self, ScanOptions};

    let folder =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/scan_rewrite");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).expect("regression folder") {
        let data = std::fs::read(entry.expect("entry").path()).expect("regression input");
        let Some((&mode, text)) = data.split_first() else {
            continue;
        };
        let Ok(source) = std::str::from_utf8(text) else {
            continue;
        };
        let options = ScanOptions {
            obsidian: mode & 1 == 1,
        };
        let before = scan::scan_with(source, options);
        let output = rewrite_all_safe(source, options);
        let after = scan::scan_with(&output, options);
        assert_eq!(
            after.references.len(),
            before.references.len(),
            "input {source:?}\noutput {output:?}"
        );
        for (old, new) in before.references.iter().zip(&after.references) {
            let rewritten = new.dest.starts_with("data:image/png;base64,") && new.dest != old.dest;
            assert!(
                rewritten || new.syntax == old.syntax,
                "{:?} changed syntax\ninput {source:?}\noutput {output:?}",
                old.dest
            );
            assert!(
                new.dest == old.dest || new.dest.starts_with("data:image/png;base64,"),
                "{:?} became {:?}\ninput {source:?}\noutput {output:?}",
                old.dest,
                new.dest
            );
        }
        assert_eq!(
            rewrite_all_safe(&output, options),
            output,
            "rewriting twice changed the output\ninput {source:?}"
        );
        checked += 1;
    }
    assert!(checked >= 28, "only {checked} regression inputs read");
}
