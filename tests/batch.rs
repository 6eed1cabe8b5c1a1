//! Whole-folder runs through the binary. `-j` must give the same output for any number of jobs.
//! The tests also cover `mdembed list` lines and exit statuses, and the JSON reports of `list`,
//! `embed` and `extract`, checked field by field and against the report schema. The rest covers
//! when the progress bar shows, shell completions, the man page and the pre-commit manifest.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command as Process, Stdio};

use serde_json::{Value, json};

use common::*;

// A generated documentation tree.

/// Documents in the generated tree.
const TREE_DOCUMENTS: usize = 40;

/// The index of the generated document that is not UTF-8.
const NOT_UTF8: usize = 17;

/// Writes `documents` pages below `docs/` in nested folders, referencing a shared pool of images
/// in `img/`. Every page has two to four inline references into the pool, and some pages also an
/// HTML or a reference-style one. Every sixth page also links a missing image, and page 17 (when
/// there) contains bytes that are not UTF-8.
fn generate_tree(ws: &Workspace, documents: usize) {
    let pool = [
        ("shot-0.png", png(10)),
        ("shot-1.png", png(11)),
        ("shot-2.png", png(12)),
        ("shot-3.png", png(13)),
        ("photo-0.jpg", jpeg(20)),
        ("photo-1.jpg", jpeg(21)),
        ("anim.gif", gif(30)),
    ];
    for (name, bytes) in &pool {
        ws.write(&format!("img/{name}"), bytes);
    }
    for index in 0..documents {
        // Depths 1 to 3 below docs/.
        let (folder, up) = match index % 3 {
            0 => (format!("docs/part-{}", index % 4), "../.."),
            1 => (
                format!("docs/part-{}/chapter-{}", index % 4, index % 5),
                "../../..",
            ),
            _ => (
                format!("docs/part-{}/chapter-{}/details", index % 4, index % 5),
                "../../../..",
            ),
        };
        let path = format!("{folder}/page-{index:02}.md");
        if documents > NOT_UTF8 && index == NOT_UTF8 {
            let mut bytes = format!("# Page {index}\n\n![a]({up}/img/shot-0.png)\n").into_bytes();
            bytes.extend_from_slice(b"Latin-1 text: caf\xe9\n");
            ws.write(&path, bytes);
            continue;
        }
        let mut text = format!("# Page {index}\n\nSome text before the figures.\n\n");
        for k in 0..2 + index % 3 {
            let (name, _) = &pool[(index * 7 + k * 3) % pool.len()];
            text += &format!("![Figure {k}]({up}/img/{name})\n\nA paragraph.\n\n");
        }
        if index % 5 == 0 {
            let (name, _) = &pool[index % pool.len()];
            text += &format!("<img src=\"{up}/img/{name}\" alt=\"html\">\n\n");
        }
        if index % 9 == 0 {
            text += &format!("![by reference][shot]\n\n[shot]: {up}/img/shot-3.png\n\n");
        }
        if index % 6 == 0 {
            text += &format!("![gone]({up}/img/missing-{index}.png)\n\n");
        }
        text += "`![not an image](in/code.png)` stays as it is.\n";
        ws.write(&path, text);
    }
}

/// Returns every file below `relative` of the workspace with its bytes, keyed by its path
/// relative to that folder.
fn snapshot(ws: &Workspace, relative: &str) -> BTreeMap<String, Vec<u8>> {
    let root = ws.join(relative);
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.expect("walk output folder");
        if entry.file_type().is_file() {
            let name = entry
                .path()
                .strip_prefix(&root)
                .expect("below the root")
                .to_string_lossy()
                .into_owned();
            files.insert(name, std::fs::read(entry.path()).expect("read output file"));
        }
    }
    files
}

/// Removes `out/`, runs `mdembed embed -j JOBS -o out docs` and returns the run with the files
/// it wrote.
fn embed_tree_with_jobs(ws: &Workspace, jobs: &str) -> (Run, BTreeMap<String, Vec<u8>>) {
    let _ = std::fs::remove_dir_all(ws.join("out"));
    let run = ws.run(&["embed", "-j", jobs, "-o", "out", "docs"]);
    let tree = snapshot(ws, "out");
    (run, tree)
}

#[test]
fn jobs_give_identical_output_trees() {
    let ws = Workspace::new();
    generate_tree(&ws, TREE_DOCUMENTS);

    let (one, tree_one) = embed_tree_with_jobs(&ws, "1");
    let (two, tree_two) = embed_tree_with_jobs(&ws, "2");
    let (four, tree_four) = embed_tree_with_jobs(&ws, "4");

    // The failed document is left out; every other one is written.
    assert_eq!(tree_one.len(), TREE_DOCUMENTS - 1, "documents written");
    assert_eq!(tree_two, tree_one, "output tree with -j 2");
    assert_eq!(tree_four, tree_one, "output tree with -j 4");
    assert_eq!(two.stderr, one.stderr, "standard error with -j 2");
    assert_eq!(four.stderr, one.stderr, "standard error with -j 4");
    assert_eq!(one.stdout, "", "standard output with -j 1");
    assert_eq!(four.stdout, "", "standard output with -j 4");
    assert_eq!(
        one.code,
        Some(2),
        "exit status with -j 1 (a document is not UTF-8)"
    );
    assert_eq!(four.code, Some(2), "exit status with -j 4");
}

#[test]
fn jobs_output_embeds_shared_images() {
    let ws = Workspace::new();
    generate_tree(&ws, TREE_DOCUMENTS);
    let (run, tree) = embed_tree_with_jobs(&ws, "4");

    let page =
        String::from_utf8(tree["part-1/chapter-0/details/page-05.md"].clone()).expect("UTF-8");
    let expected = format!(
        "# Page 5\n\nSome text before the figures.\n\n\
         ![Figure 0]({})\n\nA paragraph.\n\n\
         ![Figure 1]({})\n\nA paragraph.\n\n\
         ![Figure 2]({})\n\nA paragraph.\n\n\
         ![Figure 3]({})\n\nA paragraph.\n\n\
         <img src=\"{}\" alt=\"html\">\n\n\
         `![not an image](in/code.png)` stays as it is.\n",
        data_uri("image/png", &png(10)),
        data_uri("image/png", &png(13)),
        data_uri("image/gif", &gif(30)),
        data_uri("image/png", &png(12)),
        data_uri("image/jpeg", &jpeg(21)),
    );
    assert_eq!(page, expected, "page 5");
    assert!(
        run.stderr.contains(
            "error: docs/part-1/chapter-2/details/page-17.md: not valid UTF-8 at byte 61; \
             convert the file to UTF-8 first; the document was left as it was\n"
        ),
        "error for the Latin-1 page in: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "warning: image not found: ../../img/missing-0.png (docs/part-0/page-00.md:19:1)\n"
        ),
        "warning for the missing image in: {}",
        run.stderr
    );
}

#[test]
fn jobs_give_identical_list_output() {
    let ws = Workspace::new();
    generate_tree(&ws, TREE_DOCUMENTS);

    let one = ws.run(&["list", "-j", "1", "docs"]);
    let four = ws.run(&["list", "-j", "4", "docs"]);

    assert_eq!(four.stdout, one.stdout, "standard output");
    assert_eq!(four.stderr, one.stderr, "standard error");
    assert_eq!(
        one.code,
        Some(2),
        "exit status with -j 1 (a document is not UTF-8)"
    );
    assert_eq!(four.code, Some(2), "exit status with -j 4");
}

#[test]
fn jobs_give_identical_json_reports() {
    let ws = Workspace::new();
    generate_tree(&ws, TREE_DOCUMENTS);

    let _ = std::fs::remove_dir_all(ws.join("out"));
    let one = ws.run(&["embed", "--json", "-j", "1", "-o", "out", "docs"]);
    let _ = std::fs::remove_dir_all(ws.join("out"));
    let four = ws.run(&["embed", "--json", "-j", "4", "-o", "out", "docs"]);

    assert_eq!(four.stdout, one.stdout, "JSON report");
    assert_eq!(four.code, one.code, "exit status");
}

#[test]
fn jobs_zero_is_rejected() {
    let ws = Workspace::new();
    ws.write("doc.md", "text\n");
    let run = ws.run(&["embed", "-j", "0", "doc.md"]);
    assert_eq!(run.stdout, "", "standard output");
    assert!(
        run.stderr
            .starts_with("error: invalid value '0' for '--jobs <N>': 0 is not in 1..=65535\n"),
        "error names the option: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(2), "exit status");
}

// mdembed list: lines and exit statuses.

#[test]
fn list_all_fine_exits_zero() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    ws.write("b.jpg", jpeg(2));
    ws.write("doc.md", "# Doc\n\n![a](a.png) and ![b](b.jpg)\n");

    let run = ws.run(&["list", "doc.md"]);

    let expected = format!(
        "doc.md:3:1\tmarkdown inline\tlocal\t{}\ta.png\n\
         doc.md:3:17\tmarkdown inline\tlocal\t{}\tb.jpg\n",
        png.len(),
        jpeg(2).len()
    );
    assert_eq!(run.stdout, expected, "standard output");
    assert_eq!(
        run.stderr, "1 document read, 2 references: 2 local\n",
        "standard error"
    );
    assert_eq!(run.code, Some(0), "exit status");
}

#[test]
fn list_missing_image_exits_one() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("doc.md", "![a](a.png)\n![b](gone.png)\n");

    let run = ws.run(&["list", "doc.md"]);

    let expected = format!(
        "doc.md:1:1\tmarkdown inline\tlocal\t{}\ta.png\n\
         doc.md:2:1\tmarkdown inline\tmissing\t-\tgone.png\n",
        png(1).len()
    );
    assert_eq!(run.stdout, expected, "standard output");
    assert_eq!(
        run.stderr, "1 document read, 2 references: 1 local, 1 missing\n",
        "standard error"
    );
    assert_eq!(run.code, Some(1), "exit status");
}

#[test]
fn list_missing_input_exits_two() {
    let ws = Workspace::new();
    let run = ws.run(&["list", "nope.md"]);
    assert_eq!(run.stdout, "", "standard output");
    assert_eq!(
        run.stderr,
        lines(&[
            "error: input `nope.md` not found",
            "0 documents read, 0 references, 1 document failed",
        ]),
        "standard error"
    );
    assert_eq!(run.code, Some(2), "exit status");
}

#[test]
fn list_without_input_is_usage_error() {
    let ws = Workspace::new();
    let run = ws.run(&["list"]);
    assert_eq!(run.stdout, "", "standard output");
    assert_eq!(
        run.stderr, "error: no input: give Markdown files, directories, or - for standard input\n",
        "standard error"
    );
    assert_eq!(run.code, Some(2), "exit status");
}

/// An output folder that is the input folder, or contains it, would take no document; that is
/// a usage error, and nothing is written.
#[test]
fn output_containing_input_is_usage_error() {
    let ws = Workspace::new();
    ws.write("docs/sub/a.md", "![a](a.png)\n");
    for (input, output) in [("docs", "docs"), ("docs/sub", "docs"), ("docs", "./docs/")] {
        let run = ws.run(&["embed", input, "-o", output]);
        assert_eq!(run.stdout, "", "standard output");
        assert_eq!(
            run.stderr,
            format!(
                "error: the input folder {input} is the output folder {output} or lies inside it, and files in the output folder are never read as input, so nothing would be done; write to another folder, or use -i to rewrite in place\n"
            ),
            "standard error"
        );
        assert_eq!(run.code, Some(2), "exit status");
    }
    assert_eq!(ws.read_text("docs/sub/a.md"), "![a](a.png)\n");
}

/// An output path that is a symlink is not written through: the file it leads to keeps its
/// content, and the run fails for that document with exit 2.
#[test]
fn output_symlink_not_written_through() {
    let ws = Workspace::new();
    ws.write("src/x.md", "text\n");
    ws.write("elsewhere/x.md", "precious\n");
    std::fs::create_dir_all(ws.join("out")).expect("folder");
    std::os::unix::fs::symlink("../elsewhere/x.md", ws.join("out/x.md")).expect("symlink");

    let run = ws.run(&["embed", "src", "-o", "out"]);

    assert_eq!(ws.read_text("elsewhere/x.md"), "precious\n");
    assert_eq!(
        run.stderr_lines().first().copied(),
        Some(
            "error: src/x.md: `out/x.md` is a symlink, so no output was written through it; remove the link or write to another path; the document was left as it was"
        ),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(2), "exit status");
}

/// A single document whose output path is the document itself, named directly or as the
/// folder holding it, is a usage error: that is what -i is for.
#[test]
fn output_same_as_input_is_usage_error() {
    let ws = Workspace::new();
    ws.write("docs/index.md", "![a](a.png)\n");
    for output in ["docs", "docs/index.md", "./docs/../docs/index.md"] {
        let run = ws.run(&["embed", "docs/index.md", "-o", output]);
        let shown = if output == "docs" {
            "docs/index.md"
        } else {
            output
        };
        assert_eq!(
            run.stderr,
            format!(
                "error: the output file {shown} is the input document; use -i to rewrite it in place, or write to another path\n"
            ),
            "standard error"
        );
        assert_eq!(run.code, Some(2), "exit status");
    }
    assert_eq!(ws.read_text("docs/index.md"), "![a](a.png)\n");
}

/// Temporary files of killed runs are removed beside the documents a run writes and in their
/// assets folders. One that belongs to a running process (process 1) is kept.
#[test]
fn stale_temp_files_removed_beside_documents_and_assets() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("doc.md", "![a](a.png)\n");
    let dead = ".mdembed-999999999-x1.tmp";
    let alive = ".mdembed-1-x2.tmp";
    for folder in ["", "doc.assets/"] {
        ws.write(&format!("{folder}{dead}"), "partial");
        ws.write(&format!("{folder}{alive}"), "partial");
    }

    let run = ws.run(&["embed", "-i", "doc.md"]);

    assert_eq!(run.code, Some(0), "standard error: {}", run.stderr);
    for folder in ["", "doc.assets/"] {
        assert!(
            !ws.exists(&format!("{folder}{dead}")),
            "{folder}{dead} removed"
        );
        assert!(
            ws.exists(&format!("{folder}{alive}")),
            "{folder}{alive} kept"
        );
    }
}

#[test]
fn list_quiet_prints_no_summary() {
    let ws = Workspace::new();
    ws.write("doc.md", "![b](gone.png)\n");
    let run = ws.run(&["list", "-q", "doc.md"]);
    assert_eq!(
        run.stdout, "doc.md:1:1\tmarkdown inline\tmissing\t-\tgone.png\n",
        "standard output"
    );
    assert_eq!(run.stderr, "", "standard error");
    assert_eq!(run.code, Some(1), "exit status");
}

// A fixture with every status and syntax the list reports.

/// The document of the list fixture, in `proj/`; the line numbers below refer to it.
const LIST_DOC: &str = "![in](a.png)\n\
![ref][r]\n\
<img src=\"a.png\" alt=\"h\">\n\
<img srcset=\"a.png 2x\" alt=\"s\">\n\
![remote](https://example.com/x.png)\n\
![gone](missing.png)\n\
![out](../outside.png)\n\
![fake](fake.png)\n\
![data](DATA)\n\
\n\
[r]: a.png\n";

/// The image embedded as a data URI on line 9 of the list fixture.
fn list_data_image() -> Vec<u8> {
    png(2)
}

/// Writes the list fixture: `proj/doc.md` (every status but obsidian) with its files, an image
/// outside `proj/`, and the vault `proj/vault/` whose note embeds `att/v.png`.
fn list_fixture(ws: &Workspace) {
    ws.write("proj/a.png", png(1));
    ws.write("proj/fake.png", "not an image\n");
    ws.write("outside.png", png(3));
    let data = data_uri("image/png", &list_data_image());
    ws.write("proj/doc.md", LIST_DOC.replace("DATA", &data));
    ws.mkdir("proj/vault/.obsidian");
    ws.write("proj/vault/att/v.png", png(4));
    ws.write("proj/vault/note.md", "Note ![[v.png]]\n");
}

/// Runs `mdembed list --json doc.md vault/note.md` in the list fixture.
fn list_report() -> (Workspace, Run, Value) {
    let ws = Workspace::new();
    list_fixture(&ws);
    let run = ws.run_in("proj", &["list", "--json", "doc.md", "vault/note.md"]);
    let value = parse_json(&run.stdout);
    (ws, run, value)
}

/// Parses `text` as JSON, failing the test with the text when it is not.
fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"))
}

/// Returns the canonical path of `relative` in the workspace, as reports print it.
fn canonical(ws: &Workspace, relative: &str) -> String {
    ws.canonical().join(relative).display().to_string()
}

/// Returns a reference object with every field null or empty but those in `fields`.
fn reference(fields: Value) -> Value {
    let mut object = json!({
        "line": null, "column": null, "syntax": null, "attribute": null, "target": null,
        "status": null, "reason": null, "path": null, "mime": null, "size": null, "link": null,
        "notes": [],
    });
    for (key, value) in fields.as_object().expect("an object of fields") {
        assert!(object.get(key).is_some(), "unknown reference field {key}");
        object[key] = value.clone();
    }
    object
}

#[test]
fn list_lines_cover_every_status() {
    let ws = Workspace::new();
    list_fixture(&ws);
    let run = ws.run_in("proj", &["list", "doc.md", "vault/note.md"]);

    let a = png(1).len();
    let v = png(4).len();
    let expected_lines = [
        format!("doc.md:1:1\tmarkdown inline\tlocal\t{a}\ta.png"),
        format!("doc.md:2:1\tmarkdown reference\tlocal\t{a}\ta.png"),
        format!("doc.md:3:1\thtml src\tlocal\t{a}\ta.png"),
        format!("doc.md:4:1\thtml srcset\tlocal\t{a}\ta.png"),
        "doc.md:5:1\tmarkdown inline\tremote\t-\thttps://example.com/x.png".to_string(),
        "doc.md:6:1\tmarkdown inline\tmissing\t-\tmissing.png".to_string(),
        "doc.md:7:1\tmarkdown inline\toutside-root\t-\t../outside.png".to_string(),
        "doc.md:8:1\tmarkdown inline\tnot-an-image\t-\tfake.png".to_string(),
    ];
    let stdout: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(stdout.len(), 10, "lines in: {}", run.stdout);
    for (index, expected) in expected_lines.iter().enumerate() {
        assert_eq!(stdout[index], expected, "line {}", index + 1);
    }
    // The data URI is long, so the line shortens it; its fields up to the size are fixed.
    assert!(
        stdout[8].starts_with("doc.md:9:1\tmarkdown inline\tembedded\t"),
        "data URI line: {}",
        stdout[8]
    );
    assert!(
        stdout[9].starts_with(&format!("vault/note.md:1:6\tobsidian\tlocal\t{v}\t")),
        "obsidian line: {}",
        stdout[9]
    );
    assert_eq!(
        run.stderr,
        "2 documents read, 10 references: 1 embedded, 5 local, 1 missing, 1 not-an-image, \
         1 outside-root, 1 remote\n",
        "standard error"
    );
    assert_eq!(run.code, Some(1), "exit status");
}

#[test]
fn list_json_fields() {
    let (ws, run, report) = list_report();
    let a = canonical(&ws, "proj/a.png");
    let a_size = png(1).len();
    let data = data_uri("image/png", &list_data_image());

    assert_eq!(report["schema"], "mdembed-report/1", "schema");
    assert_eq!(report["command"], "list", "command");
    assert_eq!(report["warnings"], json!([]), "warnings");
    let documents = report["documents"].as_array().expect("documents array");
    assert_eq!(documents.len(), 2, "documents");

    let doc = &documents[0];
    assert_eq!(doc["path"], "doc.md", "path");
    assert_eq!(doc["changed"], false, "changed");
    assert_eq!(doc["written"], Value::Null, "written");
    assert_eq!(doc["error"], Value::Null, "error");
    assert_eq!(doc["bytes_added"], 0, "bytes_added");
    assert_eq!(doc["bytes_removed"], 0, "bytes_removed");
    let refs = doc["references"].as_array().expect("references array");
    assert_eq!(refs.len(), 9, "references of doc.md");

    let local = |line: usize, syntax: &str, attribute: Value| {
        reference(json!({
            "line": line, "column": 1, "syntax": syntax, "attribute": attribute,
            "target": "a.png", "status": "local", "path": a, "mime": "image/png",
            "size": a_size,
        }))
    };
    assert_eq!(refs[0], local(1, "markdown-inline", Value::Null), "inline");
    assert_eq!(
        refs[1],
        local(2, "markdown-reference", Value::Null),
        "reference"
    );
    assert_eq!(refs[2], local(3, "html", json!("src")), "html src");
    assert_eq!(refs[3], local(4, "html", json!("srcset")), "html srcset");
    assert_eq!(
        refs[4],
        reference(json!({
            "line": 5, "column": 1, "syntax": "markdown-inline",
            "target": "https://example.com/x.png", "status": "remote",
        })),
        "remote"
    );
    assert_eq!(
        refs[5],
        reference(json!({
            "line": 6, "column": 1, "syntax": "markdown-inline", "target": "missing.png",
            "status": "missing", "reason": "image not found",
        })),
        "missing"
    );
    assert_eq!(
        refs[6],
        reference(json!({
            "line": 7, "column": 1, "syntax": "markdown-inline", "target": "../outside.png",
            "status": "outside-root",
            "reason": format!(
                "image outside the root {} (use --root to allow it)",
                canonical(&ws, "proj")
            ),
            "path": canonical(&ws, "outside.png"),
        })),
        "outside root"
    );
    assert_eq!(
        refs[7],
        reference(json!({
            "line": 8, "column": 1, "syntax": "markdown-inline", "target": "fake.png",
            "status": "not-an-image",
            "reason": "not an image (content is not a known image format)",
            "path": canonical(&ws, "proj/fake.png"),
        })),
        "not an image"
    );
    assert_eq!(refs[8]["line"], 9, "data URI line");
    assert_eq!(refs[8]["syntax"], "markdown-inline", "data URI syntax");
    assert_eq!(refs[8]["status"], "embedded", "data URI status");
    assert_eq!(refs[8]["target"], data, "data URI target");

    let note = &documents[1];
    assert_eq!(note["path"], "vault/note.md", "note path");
    assert_eq!(note["error"], Value::Null, "note error");
    let note_refs = note["references"].as_array().expect("note references");
    assert_eq!(note_refs.len(), 1, "references of the note");
    assert_eq!(note_refs[0]["line"], 1, "obsidian line");
    assert_eq!(note_refs[0]["column"], 6, "obsidian column");
    assert_eq!(note_refs[0]["syntax"], "obsidian", "obsidian syntax");
    assert_eq!(note_refs[0]["attribute"], Value::Null, "obsidian attribute");
    assert_eq!(note_refs[0]["status"], "local", "obsidian status");
    assert_eq!(
        note_refs[0]["path"],
        canonical(&ws, "proj/vault/att/v.png"),
        "obsidian path"
    );
    assert_eq!(note_refs[0]["mime"], "image/png", "obsidian mime");
    assert_eq!(note_refs[0]["size"], png(4).len(), "obsidian size");

    let totals = &report["totals"];
    assert_eq!(totals["documents"], 2, "totals.documents");
    assert_eq!(totals["references"], 10, "totals.references");
    assert_eq!(totals["failed"], 0, "totals.failed");
    assert_eq!(totals["changed"], 0, "totals.changed");
    assert_eq!(totals["skipped"], 2, "totals.skipped");
    assert_eq!(totals["problems"], 3, "totals.problems");
    assert_eq!(totals["files_written"], 0, "totals.files_written");

    assert_eq!(run.code, Some(1), "exit status");
}

#[test]
fn list_data_uri_size_is_image_bytes() {
    let (_ws, _run, report) = list_report();
    let size = list_data_image().len();
    let data = &report["documents"][0]["references"][8];
    assert_eq!(data["size"], size, "JSON size of the embedded image");
    assert_eq!(data["mime"], "image/png", "JSON mime of the embedded image");

    let ws = Workspace::new();
    list_fixture(&ws);
    let run = ws.run_in("proj", &["list", "doc.md"]);
    let line = run.stdout.lines().nth(8).expect("line 9");
    assert!(
        line.starts_with(&format!("doc.md:9:1\tmarkdown inline\tembedded\t{size}\t")),
        "size column of the data URI line: {line}"
    );
}

// JSON reports of embed and extract.

/// Runs `mdembed embed --json -o out doc.md` on a document with one local and one missing image.
fn embed_output_report() -> (Workspace, Run, Value) {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("doc.md", "![a](a.png)\n![b](gone.png)\n");
    ws.mkdir("out");
    let run = ws.run(&["embed", "--json", "-o", "out", "doc.md"]);
    let value = parse_json(&run.stdout);
    (ws, run, value)
}

#[test]
fn embed_json_with_output_dir() {
    let (ws, run, report) = embed_output_report();
    let uri = data_uri("image/png", &png(1));
    let output = format!("![a]({uri})\n![b](gone.png)\n");

    assert_eq!(ws.read_text("out/doc.md"), output, "written document");
    assert_eq!(report["command"], "embed", "command");
    let doc = &report["documents"][0];
    assert_eq!(doc["path"], "doc.md", "path");
    assert_eq!(doc["written"], "out/doc.md", "written");
    assert_eq!(doc["changed"], true, "changed");
    assert_eq!(doc["error"], Value::Null, "error");
    assert_eq!(doc["bytes_added"], uri.len() - "a.png".len(), "bytes_added");
    assert_eq!(doc["bytes_removed"], 0, "bytes_removed");
    assert_eq!(
        doc["references"][0],
        reference(json!({
            "line": 1, "column": 1, "syntax": "markdown-inline", "target": "a.png",
            "status": "embedded", "path": canonical(&ws, "a.png"), "mime": "image/png",
            "size": png(1).len(),
        })),
        "embedded reference"
    );
    assert_eq!(
        doc["references"][1],
        reference(json!({
            "line": 2, "column": 1, "syntax": "markdown-inline", "target": "gone.png",
            "status": "missing", "reason": "image not found",
        })),
        "missing reference"
    );
    let totals = &report["totals"];
    assert_eq!(totals["documents"], 1, "totals.documents");
    assert_eq!(totals["changed"], 1, "totals.changed");
    assert_eq!(totals["references"], 2, "totals.references");
    assert_eq!(totals["embedded"], 1, "totals.embedded");
    assert_eq!(totals["problems"], 1, "totals.problems");
    assert_eq!(
        totals["bytes_added"],
        uri.len() - "a.png".len(),
        "totals.bytes_added"
    );
    // Warnings and the summary still go to standard error.
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: image not found: gone.png (doc.md:2:1)",
            &summary(1, 1, 1, uri.len() - "a.png".len(), 1),
        ]),
        "standard error"
    );
    assert_eq!(run.code, Some(1), "exit status");
}

/// Runs `mdembed embed --json --check doc.md` on a document that would change.
fn embed_check_report() -> (Workspace, Run, Value) {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("doc.md", "![a](a.png)\n");
    let run = ws.run(&["embed", "--json", "--check", "doc.md"]);
    let value = parse_json(&run.stdout);
    (ws, run, value)
}

#[test]
fn embed_json_with_check() {
    let (ws, run, report) = embed_check_report();
    let uri = data_uri("image/png", &png(1));

    assert_eq!(
        ws.read_text("doc.md"),
        "![a](a.png)\n",
        "document untouched"
    );
    let doc = &report["documents"][0];
    assert_eq!(doc["path"], "doc.md", "path");
    assert_eq!(doc["changed"], true, "changed");
    assert_eq!(doc["written"], Value::Null, "written");
    assert_eq!(doc["bytes_added"], uri.len() - "a.png".len(), "bytes_added");
    assert_eq!(doc["references"][0]["status"], "embedded", "status");
    assert_eq!(report["totals"]["changed"], 1, "totals.changed");
    assert_eq!(
        run.stderr,
        lines(&[
            "would change: doc.md",
            &check_summary(1, 1, 1, uri.len() - "a.png".len(), 0),
        ]),
        "standard error"
    );
    assert_eq!(run.code, Some(1), "exit status");
}

/// Runs `mdembed extract --json -o out doc.md` on a document with one data URI.
fn extract_report() -> (Workspace, Run, Value) {
    let ws = Workspace::new();
    let uri = data_uri("image/png", &png(5));
    ws.write("doc.md", format!("![Chart]({uri})\n"));
    ws.mkdir("out");
    let run = ws.run(&["extract", "--json", "-o", "out", "doc.md"]);
    let value = parse_json(&run.stdout);
    (ws, run, value)
}

#[test]
fn extract_json_fields() {
    let (ws, run, report) = extract_report();
    let uri = data_uri("image/png", &png(5));

    assert_eq!(ws.read("out/doc.assets/chart.png"), png(5), "image file");
    assert_eq!(
        ws.read_text("out/doc.md"),
        "![Chart](doc.assets/chart.png)\n",
        "written document"
    );
    assert_eq!(report["command"], "extract", "command");
    let doc = &report["documents"][0];
    assert_eq!(doc["written"], "out/doc.md", "written");
    assert_eq!(doc["changed"], true, "changed");
    assert_eq!(doc["bytes_added"], 0, "bytes_added");
    let removed = uri.len() - "doc.assets/chart.png".len();
    assert_eq!(doc["bytes_removed"], removed, "bytes_removed");
    assert_eq!(
        doc["references"][0],
        reference(json!({
            "line": 1, "column": 1, "syntax": "markdown-inline", "target": uri,
            "status": "extracted", "path": "out/doc.assets/chart.png", "mime": "image/png",
            "size": png(5).len(), "link": "doc.assets/chart.png",
        })),
        "extracted reference"
    );
    let totals = &report["totals"];
    assert_eq!(totals["extracted"], 1, "totals.extracted");
    assert_eq!(totals["files_written"], 1, "totals.files_written");
    assert_eq!(totals["bytes_removed"], removed, "totals.bytes_removed");
    assert_eq!(totals["problems"], 0, "totals.problems");
    assert_eq!(run.code, Some(0), "exit status");
}

/// Runs `mdembed embed --report report.json doc.md`, whose document goes to standard output.
fn report_file_report() -> (Workspace, Run, Value) {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("doc.md", "![a](a.png)\n");
    let run = ws.run(&["embed", "--report", "report.json", "doc.md"]);
    let value = parse_json(&ws.read_text("report.json"));
    (ws, run, value)
}

#[test]
fn report_file_with_stdout_output() {
    let (_ws, run, report) = report_file_report();
    let expected = format!("![a]({})\n", data_uri("image/png", &png(1)));

    assert_eq!(
        run.stdout, expected,
        "standard output contains only the document"
    );
    assert_eq!(report["command"], "embed", "command");
    assert_eq!(report["documents"][0]["path"], "doc.md", "path");
    assert_eq!(report["documents"][0]["written"], Value::Null, "written");
    assert_eq!(report["documents"][0]["changed"], true, "changed");
    assert_eq!(report["totals"]["embedded"], 1, "totals.embedded");
    assert_eq!(run.code, Some(0), "exit status");
}

#[test]
fn json_with_stdout_output_rejected() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("doc.md", "![a](a.png)\n");

    for command in ["embed", "extract"] {
        let run = ws.run(&[command, "--json", "doc.md"]);
        assert_eq!(run.stdout, "", "{command}: standard output");
        assert_eq!(
            run.stderr,
            "error: the document goes to standard output, so the JSON report needs --report FILE\n",
            "{command}: standard error"
        );
        assert_eq!(run.code, Some(2), "{command}: exit status");
    }
    assert_eq!(
        ws.read_text("doc.md"),
        "![a](a.png)\n",
        "document untouched"
    );
}

/// Runs `mdembed embed --json -o out docs` over the generated tree.
fn tree_report() -> (Workspace, Run, Value) {
    let ws = Workspace::new();
    generate_tree(&ws, TREE_DOCUMENTS);
    let run = ws.run(&["embed", "--json", "-o", "out", "docs"]);
    let value = parse_json(&run.stdout);
    (ws, run, value)
}

#[test]
fn tree_json_reports_failed_document() {
    let (_ws, run, report) = tree_report();
    let documents = report["documents"].as_array().expect("documents");
    assert_eq!(documents.len(), TREE_DOCUMENTS, "documents");
    let failed: Vec<&Value> = documents.iter().filter(|d| !d["error"].is_null()).collect();
    assert_eq!(failed.len(), 1, "failed documents");
    assert_eq!(
        failed[0]["path"], "docs/part-1/chapter-2/details/page-17.md",
        "failed path"
    );
    assert_eq!(
        failed[0]["error"], "not valid UTF-8 at byte 61; convert the file to UTF-8 first",
        "failed error"
    );
    assert_eq!(failed[0]["written"], Value::Null, "failed written");
    assert_eq!(failed[0]["changed"], false, "failed changed");
    assert_eq!(report["totals"]["failed"], 1, "totals.failed");
    assert_eq!(
        report["totals"]["documents"], TREE_DOCUMENTS,
        "totals.documents (the failed one was read)"
    );
    assert_eq!(run.code, Some(2), "exit status");
}

// The report schema.

/// The status words a reference may have.
const STATUSES: [&str; 23] = [
    "local",
    "embedded",
    "extracted",
    "remote",
    "data-uri",
    "other-scheme",
    "fragment",
    "empty",
    "not-image-data",
    "note-embed",
    "other-media",
    "missing",
    "outside-root",
    "not-an-image",
    "unsupported-format",
    "unreadable",
    "spaced-destination",
    "invalid-data-uri",
    "image-rejected",
    "not-convertible",
    "changes-structure",
    "stray-data-uri",
    "unlocated",
];

/// Asserts that `object` has exactly the keys `keys`, naming `what` on failure.
fn assert_keys(object: &Value, keys: &[&str], what: &str) {
    let map = object
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {object}"));
    let mut found: Vec<&str> = map.keys().map(String::as_str).collect();
    found.sort_unstable();
    let mut expected = keys.to_vec();
    expected.sort_unstable();
    assert_eq!(found, expected, "keys of {what}");
}

/// Asserts that `value` is a string or null.
fn assert_string_or_null(value: &Value, what: &str) {
    assert!(
        value.is_string() || value.is_null(),
        "{what} is neither a string nor null: {value}"
    );
}

/// Asserts that `value` is a non-negative integer.
fn assert_count(value: &Value, what: &str) {
    assert!(
        value.is_u64(),
        "{what} is not a non-negative integer: {value}"
    );
}

/// Checks `report` against the documented schema `mdembed-report/1`: every key present with its
/// type, no other keys, known enumerations, and totals that agree with the documents.
fn assert_schema(report: &Value, name: &str) {
    assert_keys(
        report,
        &["schema", "command", "documents", "warnings", "totals"],
        &format!("{name}: report"),
    );
    assert_eq!(report["schema"], "mdembed-report/1", "{name}: schema");
    let command = report["command"].as_str().expect("command is a string");
    assert!(
        ["embed", "extract", "list"].contains(&command),
        "{name}: unknown command {command}"
    );
    for warning in report["warnings"].as_array().expect("warnings array") {
        assert!(
            warning.is_string(),
            "{name}: warning {warning} is not a string"
        );
    }

    let mut references = 0;
    let mut failed = 0;
    let mut embedded = 0;
    let mut extracted = 0;
    for (d, document) in report["documents"]
        .as_array()
        .expect("documents array")
        .iter()
        .enumerate()
    {
        let what = format!("{name}: documents[{d}]");
        assert_keys(
            document,
            &[
                "path",
                "changed",
                "written",
                "error",
                "bytes_added",
                "bytes_removed",
                "warnings",
                "references",
            ],
            &what,
        );
        assert!(document["path"].is_string(), "{what}.path");
        let warnings = document["warnings"].as_array().expect("warnings array");
        assert!(
            warnings.iter().all(Value::is_string),
            "{what}.warnings holds strings"
        );
        assert!(document["changed"].is_boolean(), "{what}.changed");
        assert_string_or_null(&document["written"], &format!("{what}.written"));
        assert_string_or_null(&document["error"], &format!("{what}.error"));
        assert_count(&document["bytes_added"], &format!("{what}.bytes_added"));
        assert_count(&document["bytes_removed"], &format!("{what}.bytes_removed"));
        if document["error"].is_string() {
            failed += 1;
        }
        for (r, reference) in document["references"]
            .as_array()
            .expect("references array")
            .iter()
            .enumerate()
        {
            let what = format!("{what}.references[{r}]");
            assert_reference_schema(reference, &what);
            references += 1;
            match reference["status"].as_str() {
                Some("embedded") if command == "embed" => embedded += 1,
                Some("local") if command == "list" => embedded += 1,
                Some("extracted") => extracted += 1,
                _ => {}
            }
        }
    }

    let totals = &report["totals"];
    let keys = [
        "documents",
        "changed",
        "failed",
        "references",
        "embedded",
        "extracted",
        "files_written",
        "skipped",
        "problems",
        "bytes_added",
        "bytes_removed",
    ];
    assert_keys(totals, &keys, &format!("{name}: totals"));
    for key in keys {
        assert_count(&totals[key], &format!("{name}: totals.{key}"));
    }
    assert_eq!(
        totals["references"], references,
        "{name}: totals.references"
    );
    assert_eq!(totals["failed"], failed, "{name}: totals.failed");
    assert_eq!(totals["embedded"], embedded, "{name}: totals.embedded");
    assert_eq!(totals["extracted"], extracted, "{name}: totals.extracted");
}

/// Checks one reference object of a report.
fn assert_reference_schema(reference: &Value, what: &str) {
    assert_keys(
        reference,
        &[
            "line",
            "column",
            "syntax",
            "attribute",
            "target",
            "status",
            "reason",
            "path",
            "mime",
            "size",
            "link",
            "notes",
        ],
        what,
    );
    assert!(
        reference["line"].as_u64().is_some_and(|n| n >= 1),
        "{what}.line is not a positive integer: {}",
        reference["line"]
    );
    assert!(
        reference["column"].as_u64().is_some_and(|n| n >= 1),
        "{what}.column is not a positive integer: {}",
        reference["column"]
    );

    let syntax = reference["syntax"].as_str().expect("syntax is a string");
    assert!(
        ["markdown-inline", "markdown-reference", "html", "obsidian"].contains(&syntax),
        "{what}.syntax unknown: {syntax}"
    );
    let attribute = &reference["attribute"];
    if syntax == "html" {
        assert!(
            attribute == "src" || attribute == "srcset",
            "{what}.attribute of html is {attribute}"
        );
    } else {
        assert!(
            attribute.is_null(),
            "{what}.attribute of {syntax} is {attribute}"
        );
    }

    assert!(reference["target"].is_string(), "{what}.target");
    let status = reference["status"].as_str().expect("status is a string");
    assert!(
        STATUSES.contains(&status),
        "{what}.status unknown: {status}"
    );
    assert_string_or_null(&reference["reason"], &format!("{what}.reason"));
    assert_string_or_null(&reference["path"], &format!("{what}.path"));
    assert_string_or_null(&reference["mime"], &format!("{what}.mime"));
    assert!(
        reference["size"].is_u64() || reference["size"].is_null(),
        "{what}.size is neither a count nor null: {}",
        reference["size"]
    );
    assert_string_or_null(&reference["link"], &format!("{what}.link"));
    for note in reference["notes"].as_array().expect("notes array") {
        assert!(note.is_string(), "{what}.notes contains {note}");
    }
}

#[test]
fn schema_valid_for_every_report() {
    let reports = [
        ("list", list_report().2),
        ("embed -o", embed_output_report().2),
        ("embed --check", embed_check_report().2),
        ("extract", extract_report().2),
        ("--report", report_file_report().2),
        ("tree", tree_report().2),
    ];
    for (name, report) in &reports {
        assert_schema(report, name);
    }
}

#[test]
fn schema_check_rejects_missing_key() {
    let (_ws, _run, mut report) = embed_output_report();
    report["documents"][0]["references"][0]
        .as_object_mut()
        .expect("reference object")
        .remove("mime");
    let outcome = std::panic::catch_unwind(|| assert_schema(&report, "broken"));
    assert!(
        outcome.is_err(),
        "a reference without mime passed the check"
    );
}

// The progress bar.

/// Writes `count` documents below `docs/`, each embedding the same image.
fn small_tree(ws: &Workspace, count: usize) -> usize {
    let png = png(1);
    ws.write("a.png", &png);
    for index in 0..count {
        ws.write(&format!("docs/d{index:02}.md"), "![a](../a.png)\n");
    }
    data_uri("image/png", &png).len() - "../a.png".len()
}

#[test]
fn progress_hidden_without_terminal() {
    let ws = Workspace::new();
    let added = small_tree(&ws, 20);
    let run = ws.run(&["embed", "-o", "out", "docs"]);
    assert!(
        !run.stderr.contains('\r'),
        "carriage return in: {:?}",
        run.stderr
    );
    assert!(
        !run.stderr.contains('\x1b'),
        "escape sequence in: {:?}",
        run.stderr
    );
    assert_eq!(
        run.stderr,
        lines(&[&summary(20, 20, 20, 20 * added, 0)]),
        "standard error"
    );
    assert_eq!(run.code, Some(0), "exit status");
}

#[test]
fn progress_hidden_with_quiet() {
    let ws = Workspace::new();
    small_tree(&ws, 20);
    let run = ws.run(&["embed", "-q", "-o", "out", "docs"]);
    assert_eq!(run.stderr, "", "standard error");
    assert_eq!(run.code, Some(0), "exit status");
}

/// Runs `mdembed ARGS` in the workspace under a pseudo-terminal with `script`, returning what
/// the terminal received, or `None` (with a notice) when `script` is not installed.
fn run_on_terminal(ws: &Workspace, args: &str) -> Option<String> {
    let available = Process::new("script")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !available {
        eprintln!("notice: skipped, `script` (util-linux) is not installed");
        return None;
    }
    let binary = env!("CARGO_BIN_EXE_mdembed");
    let command = format!("cd '{}' && '{binary}' {args}", ws.path().display());
    let output = Process::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .expect("run script");
    assert!(output.status.success(), "script failed: {output:?}");
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn progress_visible_on_terminal() {
    let ws = Workspace::new();
    small_tree(&ws, 20);
    let Some(terminal) = run_on_terminal(&ws, "embed -o out docs") else {
        return;
    };
    assert!(
        terminal.contains("/20 documents"),
        "no progress text in: {terminal:?}"
    );
    assert!(
        terminal.contains("20 documents read, 20 changed"),
        "no summary in: {terminal:?}"
    );
    assert_eq!(snapshot(&ws, "out").len(), 20, "documents written");
}

#[test]
fn progress_hidden_on_terminal_with_quiet() {
    let ws = Workspace::new();
    small_tree(&ws, 20);
    let Some(terminal) = run_on_terminal(&ws, "embed -q -o out docs") else {
        return;
    };
    assert_eq!(terminal, "", "terminal output");
}

#[test]
fn progress_hidden_on_terminal_for_few_documents() {
    let ws = Workspace::new();
    small_tree(&ws, 5);
    let Some(terminal) = run_on_terminal(&ws, "embed -o out docs") else {
        return;
    };
    assert!(
        !terminal.contains("/5 documents"),
        "progress text in: {terminal:?}"
    );
    assert!(
        terminal.contains("5 documents read, 5 changed"),
        "no summary in: {terminal:?}"
    );
}

// Shell integration.

#[test]
fn completions_for_each_shell() {
    let ws = Workspace::new();
    for shell in ["bash", "zsh", "fish"] {
        let run = ws.run(&["completions", shell]);
        assert!(run.stdout.contains("mdembed"), "{shell}: names mdembed");
        assert!(run.stdout.contains("embed"), "{shell}: names embed");
        assert!(run.stdout.contains("list"), "{shell}: names list");
        assert_eq!(run.stderr, "", "{shell}: standard error");
        assert_eq!(run.code, Some(0), "{shell}: exit status");
    }
}

#[test]
fn completions_unknown_shell_rejected() {
    let ws = Workspace::new();
    let run = ws.run(&["completions", "tcsh"]);
    assert_eq!(run.stdout, "", "standard output");
    assert_eq!(run.code, Some(2), "exit status");
}

#[test]
fn man_prints_roff() {
    let ws = Workspace::new();
    let run = ws.run(&["man"]);
    assert!(
        run.stdout.starts_with(".TH") || run.stdout.starts_with(".ie"),
        "roff start: {:?}",
        run.stdout.get(..40)
    );
    assert!(
        run.stdout.contains(".TH mdembed"),
        "title line names mdembed"
    );
    assert!(run.stdout.contains("embed"), "names embed");
    assert_eq!(run.stderr, "", "standard error");
    assert_eq!(run.code, Some(0), "exit status");
}

// The pre-commit hook manifest.

/// Returns the hooks of `.pre-commit-hooks.yaml` as JSON, parsed by PyYAML, or `None` when
/// python3 with PyYAML is not available.
fn hooks_from_pyyaml(path: &Path) -> Option<Value> {
    let output = Process::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(path)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(parse_json(&String::from_utf8_lossy(&output.stdout)))
}

/// Returns the hooks of a manifest written as a flat list of `- key: value` blocks, for machines
/// without PyYAML; it reads scalars only, which is all the manifest uses.
fn hooks_from_lines(text: &str) -> Value {
    let mut hooks: Vec<serde_json::Map<String, Value>> = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (item, rest) = match line.strip_prefix("- ") {
            Some(rest) => (true, rest),
            None => (
                false,
                line.strip_prefix("  ").expect("two-space indentation"),
            ),
        };
        if item {
            hooks.push(serde_json::Map::new());
        }
        let (key, value) = rest.split_once(": ").expect("a key: value line");
        let value = match value.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            text => Value::String(text.to_string()),
        };
        hooks
            .last_mut()
            .expect("a key after the first item")
            .insert(key.to_string(), value);
    }
    Value::Array(hooks.into_iter().map(Value::Object).collect())
}

#[test]
fn pre_commit_manifest_names_hooks() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(&path).expect("read .pre-commit-hooks.yaml");
    let hooks = hooks_from_pyyaml(&path).unwrap_or_else(|| {
        eprintln!("notice: PyYAML not available, reading the manifest line by line");
        hooks_from_lines(&text)
    });

    let hooks = hooks.as_array().expect("a list of hooks");
    assert_eq!(hooks.len(), 2, "hooks");
    let check = &hooks[0];
    assert_eq!(check["id"], "mdembed-check", "first id");
    assert_eq!(check["entry"], "mdembed embed --check", "first entry");
    assert_eq!(check["files"], "(?i)\\.(md|markdown)$", "first files");
    assert_eq!(check["pass_filenames"], true, "first pass_filenames");
    let list = &hooks[1];
    assert_eq!(list["id"], "mdembed-list", "second id");
    assert_eq!(list["entry"], "mdembed list", "second entry");
    assert_eq!(list["files"], "(?i)\\.(md|markdown)$", "second files");
    for hook in hooks {
        assert!(hook["name"].is_string(), "name of {}", hook["id"]);
        let language = hook["language"].as_str().expect("language");
        assert!(
            language == "rust" || language == "system",
            "language of {}: {language}",
            hook["id"]
        );
    }
}

#[test]
fn pre_commit_line_reader_agrees_with_pyyaml() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let Some(parsed) = hooks_from_pyyaml(&path) else {
        eprintln!("notice: skipped, PyYAML is not available");
        return;
    };
    let text = std::fs::read_to_string(&path).expect("read .pre-commit-hooks.yaml");
    assert_eq!(hooks_from_lines(&text), parsed, "hooks");
}

#[test]
fn pre_commit_hook_entries_run() {
    // The hooks run their entry with the staged files appended.
    let ws = Workspace::new();
    let uri = data_uri("image/png", &png(1));
    ws.write("done.md", format!("![a]({uri})\n"));
    ws.write("todo.md", "![a](a.png)\n");
    ws.write("a.png", png(1));

    let clean = ws.run(&["embed", "--check", "done.md"]);
    assert_eq!(clean.code, Some(0), "check of an embedded document");
    let dirty = ws.run(&["embed", "--check", "done.md", "todo.md"]);
    assert_eq!(dirty.code, Some(1), "check with a document to embed");
    let listed = ws.run(&["list", "done.md", "todo.md"]);
    assert_eq!(listed.code, Some(0), "list of fine references");
}
