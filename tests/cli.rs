//! The command line of `mdembed`: where documents go (standard output, `-i`, `-o`), which
//! documents a directory walk takes, `--check`, `-q`, standard input, exit statuses, and the
//! `mdembed image` subcommand.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::{Duration, SystemTime};

use common::*;

/// Returns the names in `relative`, sorted.
fn listing(ws: &Workspace, relative: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(ws.join(relative))
        .expect("read folder")
        .map(|entry| {
            entry
                .expect("folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

// Where documents go.

#[test]
fn single_file_goes_to_stdout() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "![a](a.png)\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!("![a]({})\n", data_uri("image/png", &png));
    assert_clean_embed(&run, input, &expected, 1);
    assert_eq!(ws.read_text("doc.md"), input, "input rewritten");
}

#[test]
fn in_place_rewrites_atomically_keeping_mode() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "![a](a.png)\n";
    let doc = ws.write("doc.md", input);
    std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let inode_before = std::fs::metadata(&doc).expect("stat").ino();

    let run = ws.run(&["embed", "-i", "doc.md"]);

    let expected = format!("![a]({})\n", data_uri("image/png", &png));
    assert_eq!(ws.read_text("doc.md"), expected);
    let metadata = std::fs::metadata(&doc).expect("stat");
    assert_eq!(metadata.permissions().mode() & 0o7777, 0o640, "permissions");
    // A new inode shows the file was replaced by a rename, not truncated and rewritten.
    assert_ne!(metadata.ino(), inode_before, "inode");
    assert_eq!(
        listing(&ws, "."),
        ["a.png", "doc.md"],
        "temporary file left behind"
    );
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        lines(&[&summary(1, 1, 1, added(input, &expected), 0)])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn in_place_skips_unchanged_files() {
    let ws = Workspace::new();
    let input = "No images, only [a link](a.png).\n";
    let doc = ws.write("doc.md", input);
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&doc)
        .and_then(|file| file.set_modified(old))
        .expect("set modification time");
    let inode_before = std::fs::metadata(&doc).expect("stat").ino();

    let run = ws.run(&["embed", "-i", "doc.md"]);

    let metadata = std::fs::metadata(&doc).expect("stat");
    assert_eq!(
        metadata.modified().expect("mtime"),
        old,
        "modification time"
    );
    assert_eq!(metadata.ino(), inode_before, "inode");
    assert_eq!(ws.read_text("doc.md"), input);
    assert_eq!(run.stderr, lines(&[&summary(1, 0, 0, 0, 0)]));
    assert_eq!(run.code, Some(0));
}

#[test]
fn output_file_written() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "![a](a.png)\n";
    ws.write("doc.md", input);
    let run = ws.run(&["embed", "-o", "result/out.md", "doc.md"]);
    let expected = format!("![a]({})\n", data_uri("image/png", &png));
    assert_eq!(ws.read_text("result/out.md"), expected);
    assert_eq!(ws.read_text("doc.md"), input);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        lines(&[&summary(1, 1, 1, added(input, &expected), 0)])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn output_dir_mirrors_tree() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("docs/img.png", &png);
    let top = "![t](img.png)\n";
    let nested = "![n](../img.png)\n";
    let plain = "Plain text.\n";
    ws.write("docs/a.md", top);
    ws.write("docs/sub/b.md", nested);
    ws.write("docs/plain.md", plain);

    let run = ws.run(&["embed", "-o", "out", "docs"]);

    let uri = data_uri("image/png", &png);
    let top_out = format!("![t]({uri})\n");
    let nested_out = format!("![n]({uri})\n");
    assert_eq!(ws.read_text("out/a.md"), top_out);
    assert_eq!(ws.read_text("out/sub/b.md"), nested_out);
    assert_eq!(ws.read_text("out/plain.md"), plain);
    assert_eq!(ws.read_text("docs/a.md"), top, "input rewritten");
    assert_eq!(run.stdout, "");
    let bytes = added(top, &top_out) + added(nested, &nested_out);
    assert_eq!(run.stderr, lines(&[&summary(3, 2, 2, bytes, 0)]));
    assert_eq!(run.code, Some(0));
}

#[test]
fn output_dir_inside_input_not_walked() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("docs/a.png", &png);
    ws.write("docs/a.md", "![a](a.png)\n");
    let expected = format!("![a]({})\n", data_uri("image/png", &png));

    let first = ws.run(&["embed", "-o", "docs/out", "docs"]);
    let second = ws.run(&["embed", "-o", "docs/out", "docs"]);

    assert_eq!(ws.read_text("docs/out/a.md"), expected);
    assert!(
        !ws.exists("docs/out/out"),
        "the output folder was walked as input"
    );
    let bytes = added("![a](a.png)\n", &expected);
    assert_eq!(first.stderr, lines(&[&summary(1, 1, 1, bytes, 0)]));
    assert_eq!(second.stderr, lines(&[&summary(1, 1, 1, bytes, 0)]));
    assert_eq!(second.code, Some(0));
}

#[test]
fn several_inputs_keep_current_dir_paths() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    ws.write("docs/b.png", &png);
    let first = "![a](a.png)\n";
    let second = "![b](b.png)\n";
    ws.write("a.md", first);
    ws.write("docs/b.md", second);

    let run = ws.run(&["embed", "-o", "out", "a.md", "docs/b.md"]);

    let uri = data_uri("image/png", &png);
    assert_eq!(ws.read_text("out/a.md"), format!("![a]({uri})\n"));
    assert_eq!(ws.read_text("out/docs/b.md"), format!("![b]({uri})\n"));
    assert_eq!(run.stdout, "");
    let bytes = 2 * (uri.len() - "a.png".len());
    assert_eq!(run.stderr, lines(&[&summary(2, 2, 2, bytes, 0)]));
    assert_eq!(run.code, Some(0));
}

#[test]
fn input_outside_current_dir_rejected() {
    let ws = Workspace::new();
    ws.write("x.md", "![x](x.png)\n");
    ws.write("work/a.md", "![a](a.png)\n");
    let run = ws.run_in("work", &["embed", "-o", "out", "../x.md", "a.md"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.starts_with("error: "),
        "standard error: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("../x.md"),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "standard error: {}",
        run.stderr
    );
    assert!(
        !ws.exists("work/out"),
        "output written despite the usage error"
    );
}

#[test]
fn directory_without_output_rejected() {
    let ws = Workspace::new();
    ws.write("docs/a.png", png(1));
    let input = "![a](a.png)\n";
    ws.write("docs/a.md", input);
    let run = ws.run(&["embed", "docs"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.starts_with("error: "),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    assert_eq!(ws.read_text("docs/a.md"), input);
}

#[test]
fn several_files_without_output_rejected() {
    let ws = Workspace::new();
    ws.write("a.md", "a\n");
    ws.write("b.md", "b\n");
    let run = ws.run(&["embed", "a.md", "b.md"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.starts_with("error: "),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn no_input_rejected() {
    let ws = Workspace::new();
    let run = ws.run(&["embed"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.starts_with("error: "),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn missing_input_fails_with_status_2() {
    let ws = Workspace::new();
    let run = ws.run(&["embed", "nope.md"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.starts_with("error: "),
        "standard error: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("nope.md"),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

// Standard input.

#[test]
fn stdin_resolves_against_base_dir() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("notes/img/a.png", &png);
    let input = "![a](img/a.png)\n![b](img/missing.png)\n";
    let run = Run::from(
        ws.mdembed()
            .args(["embed", "--base-dir", "notes", "-"])
            .write_stdin(input),
    );
    let expected = format!(
        "![a]({})\n![b](img/missing.png)\n",
        data_uri("image/png", &png)
    );
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: image not found: img/missing.png (-:2:1)",
            &summary(1, 1, 1, added(input, &expected), 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn stdin_to_output_file() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "![a](a.png)\n";
    let run = Run::from(
        ws.mdembed()
            .args(["embed", "-o", "out.md", "-"])
            .write_stdin(input),
    );
    assert_eq!(
        ws.read_text("out.md"),
        format!("![a]({})\n", data_uri("image/png", &png))
    );
    assert_eq!(run.stdout, "");
    assert_eq!(run.code, Some(0));
}

// --check, -q and -v.

#[test]
fn check_lists_changes_and_writes_nothing() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("docs/a.png", &png);
    let changing = "![a](a.png)\n";
    let plain = "No images.\n";
    ws.write("docs/a.md", changing);
    ws.write("docs/b.md", plain);

    let run = ws.run(&["embed", "--check", "docs"]);

    assert_eq!(ws.read_text("docs/a.md"), changing);
    assert_eq!(ws.read_text("docs/b.md"), plain);
    assert_eq!(run.stdout, "");
    let bytes = data_uri("image/png", &png).len() - "a.png".len();
    assert_eq!(
        run.stderr,
        lines(&["would change: docs/a.md", &check_summary(2, 1, 1, bytes, 0)])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn check_passes_when_nothing_changes() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let embedded = format!("![a]({})\n", data_uri("image/png", &png));
    ws.write("done.md", &embedded);
    ws.write("remote.md", "![r](https://example.org/r.png)\n");
    let run = ws.run(&["embed", "--check", "done.md", "remote.md"]);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, lines(&[&check_summary(2, 0, 0, 0, 0)]));
    assert_eq!(run.code, Some(0));
}

#[test]
fn check_single_file() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let input = "![a](a.png)\n";
    ws.write("doc.md", input);
    let run = ws.run(&["embed", "--check", "doc.md"]);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr_lines().first(), Some(&"would change: doc.md"));
    assert_eq!(ws.read_text("doc.md"), input);
    assert_eq!(run.code, Some(1));
}

#[test]
fn quiet_hides_warnings() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "![a](a.png) ![m](missing.png)\n";
    let run = embed_doc(&ws, input, &["-q"]);
    let expected = format!("![a]({}) ![m](missing.png)\n", data_uri("image/png", &png));
    assert_eq!(run.stdout, expected);
    assert!(
        !run.stderr.contains("warning"),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn verbose_lists_embeds() {
    let ws = Workspace::new();
    let (a, b) = (png(1), jpeg(2));
    ws.write("a.png", &a);
    ws.write("b.jpg", &b);
    let input = "![a](a.png)\n\n<img src=\"b.jpg\">\n";
    let run = embed_doc(&ws, input, &["-v"]);
    let expected = format!(
        "![a]({})\n\n<img src=\"{}\">\n",
        data_uri("image/png", &a),
        data_uri("image/jpeg", &b)
    );
    assert_eq!(run.stdout, expected);
    let first = format!(
        "embedded: a.png as image/png, {} bytes (doc.md:1:1)",
        a.len()
    );
    let second = format!(
        "embedded: b.jpg as image/jpeg, {} bytes (doc.md:3:1)",
        b.len()
    );
    let references = "references: 2 (1 html src, 1 markdown inline); 2 embedded";
    let line = summary(1, 1, 2, added(input, &expected), 0);
    assert!(
        run.stderr == lines(&[&first, &second, references, &line]),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn verbose_summary_is_last_line() {
    let ws = Workspace::new();
    let a = png(1);
    ws.write("a.png", &a);
    let input = "![a](a.png)\n";
    let run = embed_doc(&ws, input, &["-v"]);
    let expected = format!("![a]({})\n", data_uri("image/png", &a));
    let first = format!(
        "embedded: a.png as image/png, {} bytes (doc.md:1:1)",
        a.len()
    );
    let references = "references: 1 (1 markdown inline); 1 embedded";
    let line = summary(1, 1, 1, added(input, &expected), 0);
    assert_eq!(run.stderr, lines(&[&first, references, &line]));
}

// Directory walks.

#[test]
fn walk_takes_markdown_and_skips_hidden_and_dependencies() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("docs/img.png", &png);
    let doc = "![i](img.png)\n";
    for name in [
        "docs/a.md",
        "docs/guide.markdown",
        "docs/NOTES.MD",
        "docs/node_modules/pkg/README.md",
        "docs/.git/x.md",
        "docs/.obsidian/y.md",
        "docs/notes.txt",
    ] {
        ws.write(name, doc);
    }
    ws.write("docs/sub/c.md", "![i](../img.png)\n");
    std::os::unix::fs::symlink("..", ws.join("docs/loop")).expect("symlink");

    let run = ws.run(&["embed", "-i", "docs"]);

    let changed = format!("![i]({})\n", data_uri("image/png", &png));
    for name in ["docs/a.md", "docs/guide.markdown", "docs/NOTES.MD"] {
        assert_eq!(ws.read_text(name), changed, "{name}");
    }
    assert_eq!(
        ws.read_text("docs/sub/c.md"),
        format!("![i]({})\n", data_uri("image/png", &png))
    );
    for name in [
        "docs/node_modules/pkg/README.md",
        "docs/.git/x.md",
        "docs/.obsidian/y.md",
        "docs/notes.txt",
    ] {
        assert_eq!(ws.read_text(name), doc, "{name} rewritten");
    }
    assert_eq!(run.stdout, "");
    let nested_added = data_uri("image/png", &png).len() - "../img.png".len();
    let bytes = 3 * (changed.len() - doc.len()) + nested_added;
    let last = run
        .stderr_lines()
        .last()
        .copied()
        .unwrap_or_default()
        .to_string();
    let expected_prefix =
        format!("4 documents read, 4 changed, 4 images embedded, {bytes} bytes added, ");
    assert!(last.starts_with(&expected_prefix), "summary: {last}");
    assert_eq!(run.code, Some(0));
}

#[test]
fn walk_order_is_by_file_name() {
    let ws = Workspace::new();
    ws.write("docs/img.png", png(1));
    for name in ["docs/b.md", "docs/a.md", "docs/sub/c.md", "docs/C.md"] {
        ws.write(name, "![i](/docs/img.png)\n");
    }
    let run = ws.run(&["embed", "--check", "docs"]);
    let listed: Vec<&str> = run
        .stderr_lines()
        .into_iter()
        .filter(|line| line.starts_with("would change: "))
        .collect();
    assert_eq!(
        listed,
        [
            "would change: docs/C.md",
            "would change: docs/a.md",
            "would change: docs/b.md",
            "would change: docs/sub/c.md",
        ]
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn symlink_loop_terminates_with_warning() {
    let ws = Workspace::new();
    ws.write("docs/a.md", "text\n");
    std::os::unix::fs::symlink("..", ws.join("docs/loop")).expect("symlink");
    std::os::unix::fs::symlink(".", ws.join("docs/self")).expect("symlink");
    let run = ws.run(&["embed", "--check", "docs"]);
    assert_eq!(run.code, Some(0), "standard error: {}", run.stderr);
    assert!(
        run.stderr.contains("warning: symlink loop at `docs/loop`"),
        "standard error: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("warning: symlink loop at `docs/self`"),
        "standard error: {}",
        run.stderr
    );
    let last = run.stderr_lines().last().copied().unwrap_or_default();
    assert!(
        last.starts_with("1 document read, 0 would change, "),
        "summary: {last}"
    );
}

#[test]
fn walk_warning_counted_in_summary() {
    let ws = Workspace::new();
    ws.write("docs/a.md", "text\n");
    std::os::unix::fs::symlink("..", ws.join("docs/loop")).expect("symlink");
    let run = ws.run(&["embed", "--check", "docs"]);
    let last = run.stderr_lines().last().copied().unwrap_or_default();
    assert_eq!(last, check_summary(1, 0, 0, 0, 1));
}

// Exit statuses.

#[test]
fn missing_image_does_not_stop_the_run() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("notes/a.png", &png);
    ws.write("notes/a.md", "![ok](a.png)\n![gone](missing.png)\n");
    ws.write("notes/b.md", "![b](a.png)\n");
    ws.write("notes/c.md", "![c](a.png)\n");

    let run = ws.run(&["embed", "-i", "notes"]);

    let uri = data_uri("image/png", &png);
    assert_eq!(
        ws.read_text("notes/a.md"),
        format!("![ok]({uri})\n![gone](missing.png)\n")
    );
    assert_eq!(ws.read_text("notes/b.md"), format!("![b]({uri})\n"));
    assert_eq!(ws.read_text("notes/c.md"), format!("![c]({uri})\n"));
    assert_eq!(listing(&ws, "notes"), ["a.md", "a.png", "b.md", "c.md"]);
    let bytes = 3 * (uri.len() - "a.png".len());
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: image not found: missing.png (notes/a.md:2:1)",
            &summary(3, 3, 3, bytes, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn non_utf8_document_left_and_others_written() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("docs/a.png", &png);
    let bad: &[u8] = b"![a](a.png)\ncaf\xe9\n";
    ws.write("docs/bad.md", bad);
    ws.write("docs/good.md", "![a](a.png)\n");

    let run = ws.run(&["embed", "-i", "docs"]);

    assert_eq!(ws.read("docs/bad.md"), bad);
    assert_eq!(
        ws.read_text("docs/good.md"),
        format!("![a]({})\n", data_uri("image/png", &png))
    );
    let error = run
        .stderr_lines()
        .into_iter()
        .find(|line| line.starts_with("error: "))
        .unwrap_or_default()
        .to_string();
    assert!(
        error.starts_with("error: docs/bad.md: "),
        "standard error: {}",
        run.stderr
    );
    assert!(error.contains("UTF-8"), "error: {error}");
    let last = run.stderr_lines().last().copied().unwrap_or_default();
    assert!(
        last.contains(" 1 changed, 1 image embedded, "),
        "summary: {last}"
    );
    assert_eq!(run.code, Some(2));
}

#[test]
fn non_utf8_to_stdout_prints_nothing() {
    let ws = Workspace::new();
    let bad: &[u8] = b"\xff\xfe![a](a.png)\n";
    ws.write("bad.md", bad);
    let run = ws.run(&["embed", "bad.md"]);
    assert_eq!(run.stdout, "");
    assert_eq!(ws.read("bad.md"), bad);
    assert_eq!(run.code, Some(2));
}

// mdembed image.

#[test]
fn image_prints_markdown_line() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("grid_epoch_10.png", &png);
    let run = ws.run(&["image", "grid_epoch_10.png"]);
    assert_eq!(
        run.stdout,
        format!("![grid\\_epoch\\_10]({})\n", data_uri("image/png", &png))
    );
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, Some(0));
}

#[test]
fn image_plain_stem_as_alt() {
    let ws = Workspace::new();
    let jpeg = jpeg(1);
    ws.write("photos/sample.jpeg", &jpeg);
    let run = ws.run(&["image", "photos/sample.jpeg"]);
    assert_eq!(
        run.stdout,
        format!("![sample]({})\n", data_uri("image/jpeg", &jpeg))
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn image_alt_option() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let run = ws.run(&["image", "--alt", "GAN samples", "a.png"]);
    assert_eq!(
        run.stdout,
        format!("![GAN samples]({})\n", data_uri("image/png", &png))
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn image_html_option() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let run = ws.run(&["image", "--html", "--alt", "a \"quoted\" name", "a.png"]);
    assert_eq!(
        run.stdout,
        format!(
            "<img src=\"{}\" alt=\"a &quot;quoted&quot; name\">\n",
            data_uri("image/png", &png)
        )
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn image_several_files_one_line_each() {
    let ws = Workspace::new();
    let (a, b) = (png(1), svg());
    ws.write("a.png", &a);
    ws.write("b.svg", &b);
    let run = ws.run(&["image", "a.png", "b.svg"]);
    assert_eq!(
        run.stdout,
        format!(
            "![a]({})\n![b]({})\n",
            data_uri("image/png", &a),
            data_uri("image/svg+xml", &b)
        )
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn image_rejects_non_image() {
    let ws = Workspace::new();
    ws.write("fake.png", "not an image");
    let run = ws.run(&["image", "fake.png"]);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "error: fake.png: not an image (content is not a known image format)\n"
    );
    assert_eq!(run.code, Some(2));
}

#[test]
fn image_rejects_missing_file() {
    let ws = Workspace::new();
    let run = ws.run(&["image", "gone.png"]);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with("error: gone.png: "),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(2));
}
