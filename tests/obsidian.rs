//! Obsidian vaults: `![[...]]` image embeds resolved by name as Obsidian resolves them, and the
//! Markdown image each becomes. Also what is left alone (note embeds, other media, comments,
//! code, links, tags, callouts, block ids, dataview fields), the `--obsidian` and
//! `--no-obsidian` switches, and where `mdembed extract` writes attachments inside a vault.
//!
//! Every test builds a small vault in a fresh temporary folder (a folder holding `.obsidian/`),
//! runs the real binary there and compares standard output, standard error and the exit status
//! with exact values. Images are made with the `image` crate, and data URIs are computed here
//! with base64's standard engine.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Returns a workspace whose folder is a vault.
fn vault() -> Workspace {
    let ws = Workspace::new();
    ws.mkdir(".obsidian");
    ws
}

/// Writes `text` to the note `note` and runs `mdembed embed` on it with `extra` arguments first.
fn embed_note(ws: &Workspace, note: &str, text: &str, extra: &[&str]) -> Run {
    ws.write(note, text);
    let mut args = vec!["embed"];
    args.extend_from_slice(extra);
    args.push(note);
    ws.run(&args)
}

/// Returns a PNG data URI of `bytes`.
fn png_uri(bytes: &[u8]) -> String {
    data_uri("image/png", bytes)
}

/// Asserts a run that left `input` unchanged with exit status 0 and nothing but the summary.
fn assert_unchanged(run: &Run, input: &str) {
    assert_eq!(run.stdout, input, "standard output");
    assert_eq!(
        run.stderr,
        lines(&[&summary(1, 0, 0, 0, 0)]),
        "standard error"
    );
    assert_eq!(run.code, Some(0), "exit status");
}

/// Returns the (alt text, destination) of every image pulldown-cmark finds in `text`, read with
/// tables on.
fn images(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut current: Option<(String, String)> = None;
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                current = Some((String::new(), dest_url.to_string()));
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((alt, _)) = current.as_mut() {
                    alt.push_str(&text);
                }
            }
            Event::End(TagEnd::Image) => found.extend(current.take()),
            _ => {}
        }
    }
    found
}

/// Returns the number of cells in each table row (header included) that pulldown-cmark finds.
fn table_row_cells(text: &str) -> Vec<usize> {
    let mut rows = Vec::new();
    let mut cells = 0;
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => rows.push(cells),
            _ => {}
        }
    }
    rows
}

// Image embed forms.

#[test]
fn embed_by_name() {
    let ws = vault();
    let png = png(1);
    ws.write("name.png", &png);
    let input = "Before ![[name.png]] after.\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!("Before ![name]({}) after.\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn embed_with_folder() {
    let ws = vault();
    let png = png(1);
    ws.write("folder/name.png", &png);
    let input = "![[folder/name.png]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!("![name]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn embed_with_width() {
    let ws = vault();
    let png = png(1);
    ws.write("name.png", &png);
    let input = "![[name.png|300]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!("![name|300]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn embed_with_width_and_height() {
    let ws = vault();
    let png = png(1);
    ws.write("name.png", &png);
    let input = "![[name.png|300x200]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!("![name|300x200]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn embed_anchor_dropped() {
    let ws = vault();
    let png = png(1);
    ws.write("name.png", &png);
    let input = "![[name.png#anchor|300]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!("![name|300]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn embed_anchor_noted_with_verbose() {
    let ws = vault();
    let png = png(1);
    ws.write("name.png", &png);
    let input = "![[name.png#anchor|300]]\n";
    let run = embed_note(&ws, "note.md", input, &["-v"]);
    let expected = format!("![name|300]({})\n", png_uri(&png));
    assert_eq!(run.stdout, expected);
    let size = png.len();
    assert_eq!(
        run.stderr,
        lines(&[
            &format!("embedded: ![[name.png#anchor|300]] as image/png, {size} bytes (note.md:1:1)"),
            "note: anchor #anchor dropped, it means nothing for an embedded image: ![[name.png#anchor|300]] (note.md:1:1)",
            "references: 1 (1 obsidian); 1 embedded",
            &summary(1, 1, 1, added(input, &expected), 0),
        ])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn embed_name_with_spaces() {
    let ws = vault();
    let png = png(1);
    ws.write("Attachments/gan samples.png", &png);
    let input = "![[gan samples.png|300]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!("![gan samples|300]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn embed_chinese_name_with_space() {
    let ws = vault();
    let png = png(1);
    ws.write("图片/图 片.png", &png);
    let input = "图: ![[图 片.png]]\n";
    let run = embed_note(&ws, "笔记.md", input, &[]);
    let expected = format!("图: ![图 片]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn embed_name_taken_literally() {
    let ws = vault();
    let jpeg = jpeg(1);
    ws.write("img/Bäume.jpg", &jpeg);
    let input = "![[Bäume.jpg]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!("![Bäume]({})\n", data_uri("image/jpeg", &jpeg));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn embed_name_not_percent_decoded() {
    let ws = vault();
    ws.write("img/Bäume.jpg", jpeg(1));
    let input = "![[B%C3%A4ume.jpg]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: embedded file not found in the vault: ![[B%C3%A4ume.jpg]] (note.md:1:1)",
            &summary(1, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn embed_unicode_names_three_forms() {
    let ws = vault();
    let (flow, tree) = (png(1), jpeg(2));
    ws.write("图片/流程图.png", &flow);
    ws.write("img/Bäume.jpg", &tree);
    let input = "![flow](图片/流程图.png)\n![tree](img/B%C3%A4ume.jpg)\n![[Bäume.jpg]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let tree_uri = data_uri("image/jpeg", &tree);
    let expected = format!(
        "![flow]({})\n![tree]({tree_uri})\n![Bäume]({tree_uri})\n",
        png_uri(&flow)
    );
    assert_clean_embed(&run, input, &expected, 3);
}

#[test]
fn embed_alt_text_escaped() {
    let ws = vault();
    let png = png(1);
    ws.write("R&D_plan (v2) *draft*.png", &png);
    let input = "![[R&D_plan (v2) *draft*.png|300]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    assert_eq!(run.code, Some(0), "standard error: {}", run.stderr);
    assert_eq!(
        images(&run.stdout),
        vec![("R&D_plan (v2) *draft*|300".to_string(), png_uri(&png))]
    );
    assert!(run.stdout.starts_with("!["), "output: {}", run.stdout);
    assert!(
        run.stdout.ends_with(&format!("]({})\n", png_uri(&png))),
        "output: {}",
        run.stdout
    );
}

#[test]
fn embed_same_image_twice() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "![[a.png]] and ![[a.png|100]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let uri = png_uri(&png);
    let expected = format!("![a]({uri}) and ![a|100]({uri})\n");
    assert_clean_embed(&run, input, &expected, 2);
}

// Content decides the type.

#[test]
fn embed_png_named_jpg() {
    let ws = vault();
    let png = png(1);
    ws.write("photo.jpg", &png);
    let input = "![[photo.jpg]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!("![photo]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn embed_other_formats_by_content() {
    let ws = vault();
    let (gif, webp, svg) = (gif(1), webp(2), svg());
    ws.write("a.gif", &gif);
    ws.write("b.webp", &webp);
    ws.write("c.svg", &svg);
    let input = "![[a.gif]]\n![[b.webp]]\n![[c.svg]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!(
        "![a]({})\n![b]({})\n![c]({})\n",
        data_uri("image/gif", &gif),
        data_uri("image/webp", &webp),
        data_uri("image/svg+xml", &svg),
    );
    assert_clean_embed(&run, input, &expected, 3);
}

#[test]
fn embed_text_named_png_not_an_image() {
    let ws = vault();
    ws.write("fake.png", "hello, not a picture\n");
    let input = "![[fake.png]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: not an image (content is not a known image format): ![[fake.png]] (note.md:1:1)",
            &summary(1, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

// Resolution order.

#[test]
fn resolve_root_path_before_relative_path() {
    let ws = vault();
    let (root_copy, note_copy) = (png(1), png(2));
    ws.write("img/a.png", &root_copy);
    ws.write("notes/img/a.png", &note_copy);
    let input = "![[img/a.png]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    let expected = format!("![a]({})\n", png_uri(&root_copy));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn resolve_relative_path_before_name() {
    let ws = vault();
    let (note_copy, other_copy) = (png(1), png(2));
    ws.write("notes/sub/a.png", &note_copy);
    // By name alone `b/sub/a.png` would win: same depth, earlier in byte order.
    ws.write("b/sub/a.png", &other_copy);
    let input = "![[sub/a.png]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    let expected = format!("![a]({})\n", png_uri(&note_copy));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn resolve_relative_path_with_parent() {
    let ws = vault();
    let png = png(1);
    ws.write("shared/a.png", &png);
    let input = "![[../shared/a.png]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    let expected = format!("![a]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn resolve_name_in_note_folder_first() {
    let ws = vault();
    let (near, far) = (png(1), png(2));
    ws.write("notes/x.png", &near);
    ws.write("a/x.png", &far);
    let input = "![[x.png]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    let expected = format!("![x]({})\n", png_uri(&near));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn resolve_name_anywhere() {
    let ws = vault();
    let png = png(1);
    ws.write("Attachments/deep/shot.png", &png);
    let input = "![[shot.png]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    let expected = format!("![shot]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn resolve_partial_path_anywhere() {
    let ws = vault();
    let png = png(1);
    ws.write("deep/er/x.png", &png);
    let input = "![[er/x.png]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    let expected = format!("![x]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn resolve_case_insensitive_last() {
    let ws = vault();
    let png = png(1);
    ws.write("img/Photo.PNG", &png);
    let input = "![[photo.png]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    let expected = format!("![photo]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn resolve_exact_case_before_other_case() {
    let ws = vault();
    let (exact, other) = (png(1), png(2));
    ws.write("b/Photo.png", &exact);
    ws.write("a/photo.png", &other);
    let input = "![[Photo.png]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    let expected = format!("![Photo]({})\n", png_uri(&exact));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn resolve_skips_hidden_folders() {
    let ws = vault();
    ws.write(".trash/x.png", png(1));
    ws.write(".obsidian/x.png", png(2));
    let input = "![[x.png]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: embedded file not found in the vault: ![[x.png]] (notes/n.md:1:1)",
            &summary(1, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn ambiguous_name_warns_and_embeds() {
    let ws = vault();
    let (first, second, deep) = (png(1), png(2), png(3));
    ws.write("b/x.png", &second);
    ws.write("a/x.png", &first);
    ws.write("c/d/x.png", &deep);
    let input = "Chart: ![[x.png|300]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    let expected = format!("Chart: ![x|300]({})\n", png_uri(&first));
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: ambiguous name, embedded a/x.png (also b/x.png, c/d/x.png): ![[x.png|300]] (notes/n.md:1:8)",
            &summary(1, 1, 1, added(input, &expected), 1),
        ])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn ambiguous_name_prefers_fewest_folders() {
    let ws = vault();
    let (shallow, deep) = (png(1), png(2));
    ws.write("z/x.png", &shallow);
    ws.write("a/b/x.png", &deep);
    let input = "![[x.png]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    let expected = format!("![x]({})\n", png_uri(&shallow));
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: ambiguous name, embedded z/x.png (also a/b/x.png): ![[x.png]] (notes/n.md:1:1)",
            &summary(1, 1, 1, added(input, &expected), 1),
        ])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn missing_embed_warns_exit_one() {
    let ws = vault();
    let input = "Text ![[nowhere.png|300]] text.\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: embedded file not found in the vault: ![[nowhere.png|300]] (note.md:1:6)",
            &summary(1, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn missing_embed_beside_found_one() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "![[a.png]]\n![[gone.png]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!("![a]({})\n![[gone.png]]\n", png_uri(&png));
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: embedded file not found in the vault: ![[gone.png]] (note.md:2:1)",
            &summary(1, 1, 1, added(input, &expected), 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn same_note_embeds_left_alone() {
    let ws = vault();
    let input = "# Heading\n\nText ^blk\n\n![[#Heading]]\n\n![[#^blk]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    assert_unchanged(&run, input);
}

#[test]
fn ambiguous_name_quiet() {
    let ws = vault();
    let first = png(1);
    ws.write("a/x.png", &first);
    ws.write("b/x.png", png(2));
    let input = "![[x.png]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &["-q"]);
    assert_eq!(run.stdout, format!("![x]({})\n", png_uri(&first)));
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, Some(0));
}

#[cfg(unix)]
#[test]
fn symlink_out_of_vault_rejected() {
    let ws = Workspace::new();
    ws.mkdir("Vault/.obsidian");
    ws.write("outside/secret.png", png(1));
    std::os::unix::fs::symlink(ws.join("outside/secret.png"), ws.join("Vault/link.png"))
        .expect("create symlink");
    let input = "![[link.png]]\n";
    let run = embed_note(&ws, "Vault/n.md", input, &[]);
    assert_eq!(run.stdout, input);
    let warning = format!(
        "warning: image outside the root {} (use --root to allow it): ![[link.png]] (Vault/n.md:1:1)",
        ws.canonical().join("Vault").display()
    );
    assert_eq!(run.stderr, lines(&[&warning, &summary(1, 0, 0, 0, 1)]));
    assert_eq!(run.code, Some(1));
}

// Embeds left alone.

#[test]
fn note_embeds_left_alone() {
    let ws = vault();
    ws.write("Other note.md", "# Heading\n\nText ^block\n");
    let input = "![[Other note]]\n\n![[Other note#Heading]]\n\n![[Other note#^block]]\n\n![[Other note.md]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    assert_unchanged(&run, input);
}

#[test]
fn note_embeds_skipped_with_verbose() {
    let ws = vault();
    ws.write("Other note.md", "# Heading\n\nText ^block\n");
    let input = "![[Other note]]\n![[Other note#Heading]]\n![[Other note#^block]]\n";
    let run = embed_note(&ws, "notes/n.md", input, &["-v"]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "skipped (note embed): ![[Other note]] (notes/n.md:1:1)",
            "skipped (note embed): ![[Other note#Heading]] (notes/n.md:2:1)",
            "skipped (note embed): ![[Other note#^block]] (notes/n.md:3:1)",
            "references: 3 (3 obsidian); 3 skipped: note embed",
            &summary(1, 0, 0, 0, 0),
        ])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn missing_note_embed_warns() {
    let ws = vault();
    let input = "![[No such note#Heading]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: embedded file not found in the vault: ![[No such note#Heading]] (note.md:1:1)",
            &summary(1, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn media_embeds_left_alone() {
    let ws = vault();
    ws.write(
        "docs/spec.pdf",
        "%PDF-1.4\n%\u{e2}\u{e3}\n1 0 obj\n<<>>\nendobj\n",
    );
    ws.write(
        "audio/song.mp3",
        b"ID3\x03\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00",
    );
    let mut mp4 = vec![0, 0, 0, 0x18];
    mp4.extend_from_slice(b"ftypisom\x00\x00\x02\x00isomiso2");
    ws.write("video/clip.mp4", &mp4);
    let input = "![[spec.pdf#page=3]]\n![[spec.pdf]]\n![[song.mp3]]\n![[clip.mp4|400]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    assert_unchanged(&run, input);
}

#[test]
fn media_embeds_skipped_with_verbose() {
    let ws = vault();
    ws.write("docs/spec.pdf", "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n");
    let input = "![[spec.pdf#page=3]]\n";
    let run = embed_note(&ws, "note.md", input, &["-v"]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "skipped (other media): ![[spec.pdf#page=3]] (note.md:1:1)",
            "references: 1 (1 obsidian); 1 skipped: other media",
            &summary(1, 0, 0, 0, 0),
        ])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn table_cell_keeps_two_cells() {
    let ws = vault();
    let (diagram, step) = (png(1), png(2));
    ws.write("diagram.png", &diagram);
    ws.write("step 1.png", &step);
    ws.write("Meeting notes.md", "# Meeting\n");
    ws.write("spec.pdf", "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n");

    let input = "![[diagram.png|300x200]]\n\
                 \n\
                 | Step | Screen |\n\
                 |---|---|\n\
                 | 1 | ![[step 1.png\\|200]] |\n\
                 \n\
                 ![[Meeting notes]]\n\
                 ![[spec.pdf#page=3]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!(
        "![diagram|300x200]({})\n\
         \n\
         | Step | Screen |\n\
         |---|---|\n\
         | 1 | ![step 1\\|200]({}) |\n\
         \n\
         ![[Meeting notes]]\n\
         ![[spec.pdf#page=3]]\n",
        png_uri(&diagram),
        png_uri(&step),
    );
    assert_clean_embed(&run, input, &expected, 2);

    assert_eq!(table_row_cells(&run.stdout), vec![2, 2]);
    assert_eq!(
        images(&run.stdout),
        vec![
            ("diagram|300x200".to_string(), png_uri(&diagram)),
            ("step 1|200".to_string(), png_uri(&step)),
        ]
    );
}

#[test]
fn table_cell_without_size() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "| A | B |\n|---|---|\n| ![[a.png]] | x |\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!("| A | B |\n|---|---|\n| ![a]({}) | x |\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
    assert_eq!(table_row_cells(&run.stdout), vec![2, 2]);
}

// Obsidian comments and code.

#[test]
fn comment_inline_untouched() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "Shown ![[a.png]] %% hidden ![[a.png]] ![x](a.png) %% shown.\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!(
        "Shown ![a]({}) %% hidden ![[a.png]] ![x](a.png) %% shown.\n",
        png_uri(&png)
    );
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn comment_missing_embed_not_warned() {
    let ws = vault();
    let input = "%% ![[missing.png]] ![gone](gone.png) %%\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    assert_unchanged(&run, input);
}

#[test]
fn comment_multi_line_untouched() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "%%\n![[a.png]]\n\n![b](a.png)\n\n<img src=\"a.png\">\n%%\n\n![[a.png]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!(
        "%%\n![[a.png]]\n\n![b](a.png)\n\n<img src=\"a.png\">\n%%\n\n![a]({})\n",
        png_uri(&png)
    );
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn comment_unclosed_hides_rest() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "![[a.png]]\n\n%% draft\n\n![[a.png]]\n\n![[missing.png]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!(
        "![a]({})\n\n%% draft\n\n![[a.png]]\n\n![[missing.png]]\n",
        png_uri(&png)
    );
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn comment_marker_in_code_ignored() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "Use `%%` for comments: ![[a.png]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = format!("Use `%%` for comments: ![a]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn code_span_and_block_untouched() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "Write `![[a.png]]` to embed.\n\n```markdown\n![[a.png|300]]\n```\n\n    ![[a.png]]\n\n~~~\n![[missing.png]]\n~~~\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    assert_unchanged(&run, input);
}

// Other Obsidian syntax stays byte for byte.

#[test]
fn other_obsidian_syntax_untouched() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    ws.write("Other note.md", "# Other\n");
    let input = "---\ntags: [chat]\n---\n\
                 # Conversation #ai/chat\n\
                 \n\
                 role::assistant\n\
                 model:: gpt-4o\n\
                 \n\
                 See [[Other note]], [[Other note#Heading|the heading]] and [[Other note#^abc]].\n\
                 \n\
                 > [!note] Callout title\n\
                 > Inside the callout ![[a.png|120]] and #tag.\n\
                 \n\
                 > [!warning]- Folded\n\
                 > Text ^def456\n\
                 \n\
                 A paragraph with a block id. ^abc\n\
                 \n\
                 - [ ] task [due:: 2024-01-01]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let expected = input.replace("![[a.png|120]]", &format!("![a|120]({})", png_uri(&png)));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn internal_links_not_images() {
    let ws = vault();
    ws.write("a.png", png(1));
    let input = "[[a.png]] and [[a.png|alias]] and [[missing]]\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    assert_unchanged(&run, input);
}

// Markdown images in a vault.

#[test]
fn markdown_image_sizes_keep_alt() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "![alt|250](a.png) and ![250](a.png) and ![a b|100x50](a.png)\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let uri = png_uri(&png);
    let expected = format!("![alt|250]({uri}) and ![250]({uri}) and ![a b|100x50]({uri})\n");
    assert_clean_embed(&run, input, &expected, 3);
}

#[test]
fn markdown_image_found_by_name() {
    let ws = vault();
    let png = png(1);
    ws.write("Attachments/shot.png", &png);
    let input = "![shot|300](shot.png)\n";
    let run = embed_note(&ws, "notes/n.md", input, &["-v"]);
    let expected = format!("![shot|300]({})\n", png_uri(&png));
    assert_eq!(run.stdout, expected);
    let size = png.len();
    assert_eq!(
        run.stderr,
        lines(&[
            &format!("embedded: shot.png as image/png, {size} bytes (notes/n.md:1:1)"),
            "note: found by file name in the vault, as Obsidian does: shot.png (notes/n.md:1:1)",
            "references: 1 (1 markdown inline); 1 embedded",
            &summary(1, 1, 1, added(input, &expected), 0),
        ])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn markdown_image_relative_path_first() {
    let ws = vault();
    let (near, far) = (png(1), png(2));
    ws.write("notes/shot.png", &near);
    ws.write("Attachments/shot.png", &far);
    let input = "![s](shot.png)\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    let expected = format!("![s]({})\n", png_uri(&near));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn markdown_image_not_found_outside_vault() {
    let ws = Workspace::new();
    ws.write("Attachments/shot.png", png(1));
    let input = "![s](shot.png)\n";
    let run = embed_note(&ws, "notes/n.md", input, &[]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: image not found: shot.png (notes/n.md:1:1)",
            &summary(1, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

// Vault detection, --obsidian and --no-obsidian.

#[test]
fn vault_found_from_note_folder() {
    let ws = Workspace::new();
    ws.mkdir("Vault/.obsidian");
    let png = png(1);
    ws.write("Vault/Attachments/a.png", &png);
    let input = "![[a.png]]\n";
    let run = embed_note(&ws, "Vault/Daily/today.md", input, &[]);
    let expected = format!("![a]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn vault_confines_not_current_dir() {
    let ws = vault();
    let png = png(1);
    ws.write("Attachments/a.png", &png);
    let input = "![[a.png]] ![b](../Attachments/a.png)\n";
    ws.write("notes/n.md", input);
    let run = ws.run_in("notes", &["embed", "n.md"]);
    let uri = png_uri(&png);
    let expected = format!("![a]({uri}) ![b]({uri})\n");
    assert_clean_embed(&run, input, &expected, 2);
}

#[test]
fn vault_confines_without_root() {
    let ws = Workspace::new();
    ws.mkdir("Vault/.obsidian");
    ws.write("outside.png", png(1));
    let input = "![o](../outside.png)\n";
    let run = embed_note(&ws, "Vault/n.md", input, &[]);
    assert_eq!(run.stdout, input);
    let vault_root = ws.canonical().join("Vault");
    let outside = format!(
        "warning: image outside the root {} (use --root to allow it): ../outside.png (Vault/n.md:1:1)",
        vault_root.display()
    );
    assert_eq!(run.stderr, lines(&[&outside, &summary(1, 0, 0, 0, 1)]));
    assert_eq!(run.code, Some(1));
}

#[test]
fn vault_root_option_widens() {
    let ws = Workspace::new();
    ws.mkdir("Vault/.obsidian");
    let png = png(1);
    ws.write("outside.png", &png);
    let input = "![o](../outside.png)\n";
    let run = embed_note(&ws, "Vault/n.md", input, &["--root", "."]);
    let expected = format!("![o]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn outside_vault_embeds_untouched() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let input = "![[a.png]] and ![[missing.png]] and %% ![x](gone.png) %%\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    assert_eq!(run.stdout, input);
    // Without Obsidian syntax `%%` is text, so the image inside it is an ordinary reference.
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: image not found: gone.png (note.md:1:40)",
            &summary(1, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn obsidian_flag_outside_vault() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("img/a.png", &png);
    let input = "![[a.png|300]] %% ![[missing.png]] %%\n";
    let run = embed_note(&ws, "notes/n.md", input, &["--obsidian"]);
    let expected = format!("![a|300]({}) %% ![[missing.png]] %%\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn obsidian_flag_uses_root_as_vault() {
    let ws = Workspace::new();
    let (inside, outside) = (png(1), png(2));
    ws.write("docs/img/a.png", &inside);
    ws.write("other/b.png", &outside);
    let input = "![[a.png]] ![[b.png]]\n";
    let run = embed_note(&ws, "docs/n.md", input, &["--obsidian", "--root", "docs"]);
    let expected = format!("![a]({}) ![[b.png]]\n", png_uri(&inside));
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: embedded file not found in the vault: ![[b.png]] (docs/n.md:1:12)",
            &summary(1, 1, 1, added(input, &expected), 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn no_obsidian_flag_in_vault() {
    let ws = vault();
    let png = png(1);
    ws.write("notes/a.png", &png);
    let input = "![[a.png]] ![[missing.png]] ![m](a.png)\n";
    let run = embed_note(&ws, "notes/n.md", input, &["--no-obsidian"]);
    let expected = format!("![[a.png]] ![[missing.png]] ![m]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn no_obsidian_flag_reads_comments_as_text() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "%% ![x](a.png) %%\n";
    let run = embed_note(&ws, "note.md", input, &["--no-obsidian"]);
    let expected = format!("%% ![x]({}) %%\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn obsidian_flags_conflict() {
    let ws = vault();
    let run = embed_note(&ws, "note.md", "x\n", &["--obsidian", "--no-obsidian"]);
    assert_eq!(run.stdout, "");
    assert_eq!(run.code, Some(2));
}

#[test]
fn crlf_note_keeps_line_endings() {
    let ws = vault();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "![[a.png]]\r\n%% ![[a.png]] %%\r\n\r\n![[a.png|9]]\r\n";
    let run = embed_note(&ws, "note.md", input, &[]);
    let uri = png_uri(&png);
    let expected = format!("![a]({uri})\r\n%% ![[a.png]] %%\r\n\r\n![a|9]({uri})\r\n");
    assert_clean_embed(&run, input, &expected, 2);
}

#[test]
fn stdin_in_vault_by_base_dir() {
    let ws = Workspace::new();
    ws.mkdir("Vault/.obsidian");
    let png = png(1);
    ws.write("Vault/Attachments/a.png", &png);
    ws.mkdir("Vault/notes");
    let input = "![[a.png|40]]\n";
    let run = Run::from(
        ws.mdembed()
            .args(["embed", "--base-dir", "Vault/notes", "-"])
            .write_stdin(input),
    );
    let expected = format!("![a|40]({})\n", png_uri(&png));
    assert_clean_embed(&run, input, &expected, 1);
}

// Many notes share one index.

#[test]
fn vault_with_many_notes() {
    let ws = vault();
    let notes = 300;
    let mut pictures = Vec::new();
    for i in 0..20u8 {
        let bytes = png(i);
        ws.write(&format!("Attachments/p{i}.png"), &bytes);
        pictures.push(bytes);
    }

    let mut added_bytes = 0;
    for n in 0..notes {
        let picture = n % 20;
        let input = format!("# Note {n}\n\n![[p{picture}.png|200]]\n");
        let expected = format!(
            "# Note {n}\n\n![p{picture}|200]({})\n",
            png_uri(&pictures[picture])
        );
        added_bytes += added(&input, &expected);
        ws.write(&format!("notes/{}/n{n}.md", n % 7), &input);
    }

    let run = ws.run(&["embed", "notes", "-o", "out"]);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        lines(&[&summary(notes, notes, notes, added_bytes, 0)])
    );
    assert_eq!(run.code, Some(0));

    let picture = 123 % 20;
    assert_eq!(
        ws.read_text(&format!("out/{}/n123.md", 123 % 7)),
        format!(
            "# Note 123\n\n![p{picture}|200]({})\n",
            png_uri(&pictures[picture])
        )
    );
}

#[test]
fn vault_in_place_run() {
    let ws = vault();
    let png = png(1);
    ws.write("Attachments/a.png", &png);
    ws.write("one.md", "![[a.png]]\n");
    ws.write("sub/two.md", "![[a.png|50]]\n");
    let run = ws.run(&["embed", "-i", "."]);
    assert_eq!(run.stdout, "");
    let uri = png_uri(&png);
    assert_eq!(ws.read_text("one.md"), format!("![a]({uri})\n"));
    assert_eq!(ws.read_text("sub/two.md"), format!("![a|50]({uri})\n"));
    let added_bytes = added("![[a.png]]\n", &format!("![a]({uri})\n"))
        + added("![[a.png|50]]\n", &format!("![a|50]({uri})\n"));
    assert_eq!(run.stderr, lines(&[&summary(2, 2, 2, added_bytes, 0)]));
    assert_eq!(run.code, Some(0));
}

// Extract into the vault's attachment folder.

/// Writes `.obsidian/app.json` with `attachmentFolderPath` set to `setting`.
fn set_attachment_folder(ws: &Workspace, setting: &str) {
    ws.write(
        ".obsidian/app.json",
        format!(
            "{{\n  \"attachmentFolderPath\": \"{setting}\",\n  \"alwaysUpdateLinks\": true\n}}\n"
        ),
    );
}

/// Returns the summary line `mdembed extract` prints for one document with one new file.
fn extract_one_summary(removed: usize) -> String {
    format!(
        "1 document read, 1 changed, 1 image extracted, 1 file written, {removed} bytes removed, 0 warnings"
    )
}

/// Runs `mdembed extract` on `notes/n.md`, which holds one embedded PNG with alt `dot`. Returns
/// the run, the input and the PNG.
fn extract_note(ws: &Workspace) -> (Run, String, Vec<u8>) {
    let png = png(7);
    let input = format!("Before ![dot]({}) after.\n", png_uri(&png));
    ws.write("notes/n.md", &input);
    let run = ws.run(&["extract", "notes/n.md"]);
    (run, input, png)
}

fn assert_extracted(ws: &Workspace, run: &Run, input: &str, png: &[u8], link: &str, file: &str) {
    let expected = format!("Before ![dot]({link}) after.\n");
    assert_eq!(run.stdout, expected, "standard output");
    assert_eq!(
        run.stderr,
        lines(&[&extract_one_summary(input.len() - expected.len())]),
        "standard error"
    );
    assert_eq!(run.code, Some(0), "exit status");
    assert_eq!(ws.read(file), png, "{file}");
}

#[test]
fn extract_to_fixed_folder() {
    let ws = vault();
    set_attachment_folder(&ws, "Attachments");
    let (run, input, png) = extract_note(&ws);
    assert_extracted(
        &ws,
        &run,
        &input,
        &png,
        "../Attachments/dot.png",
        "Attachments/dot.png",
    );
    assert!(!ws.exists("notes/n.assets"));
}

#[test]
fn extract_to_nested_fixed_folder() {
    let ws = vault();
    set_attachment_folder(&ws, "Files/Images");
    let (run, input, png) = extract_note(&ws);
    assert_extracted(
        &ws,
        &run,
        &input,
        &png,
        "../Files/Images/dot.png",
        "Files/Images/dot.png",
    );
}

#[test]
fn extract_to_note_folder() {
    let ws = vault();
    set_attachment_folder(&ws, "./");
    let (run, input, png) = extract_note(&ws);
    assert_extracted(&ws, &run, &input, &png, "dot.png", "notes/dot.png");
}

#[test]
fn extract_to_note_subfolder() {
    let ws = vault();
    set_attachment_folder(&ws, "./sub");
    let (run, input, png) = extract_note(&ws);
    assert_extracted(&ws, &run, &input, &png, "sub/dot.png", "notes/sub/dot.png");
}

#[test]
fn extract_to_vault_root() {
    let ws = vault();
    set_attachment_folder(&ws, "/");
    let (run, input, png) = extract_note(&ws);
    assert_extracted(&ws, &run, &input, &png, "../dot.png", "dot.png");
}

#[test]
fn extract_without_setting() {
    let ws = vault();
    ws.write(
        ".obsidian/app.json",
        "{\n  \"alwaysUpdateLinks\": true\n}\n",
    );
    let (run, input, png) = extract_note(&ws);
    assert_extracted(
        &ws,
        &run,
        &input,
        &png,
        "n.assets/dot.png",
        "notes/n.assets/dot.png",
    );
}

#[test]
fn extract_without_app_json() {
    let ws = vault();
    let (run, input, png) = extract_note(&ws);
    assert_extracted(
        &ws,
        &run,
        &input,
        &png,
        "n.assets/dot.png",
        "notes/n.assets/dot.png",
    );
}

#[test]
fn extract_outside_vault_ignores_setting() {
    let ws = Workspace::new();
    // An `.obsidian` folder beside the notes, not above them, makes no vault.
    ws.mkdir("other/.obsidian");
    ws.write(
        "other/.obsidian/app.json",
        "{\"attachmentFolderPath\": \"Attachments\"}",
    );
    let (run, input, png) = extract_note(&ws);
    assert_extracted(
        &ws,
        &run,
        &input,
        &png,
        "n.assets/dot.png",
        "notes/n.assets/dot.png",
    );
}

#[test]
fn extract_assets_dir_option_wins() {
    let ws = vault();
    set_attachment_folder(&ws, "Attachments");
    let png = png(7);
    let input = format!("![dot]({})\n", png_uri(&png));
    ws.write("notes/n.md", &input);
    let run = ws.run(&["extract", "--assets-dir", "img", "notes/n.md"]);
    let expected = "![dot](img/dot.png)\n";
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr,
        lines(&[&extract_one_summary(input.len() - expected.len())])
    );
    assert_eq!(run.code, Some(0));
    assert_eq!(ws.read("notes/img/dot.png"), png);
    assert!(!ws.exists("Attachments"));
}

#[test]
fn extract_embed_output_names_without_size() {
    let ws = vault();
    set_attachment_folder(&ws, "Attachments");
    let png = png(7);
    let input = format!("![gan samples|300]({})\n", png_uri(&png));
    ws.write("notes/n.md", &input);
    let run = ws.run(&["extract", "notes/n.md"]);
    let expected = "![gan samples|300](../Attachments/gan-samples.png)\n";
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr,
        lines(&[&extract_one_summary(input.len() - expected.len())])
    );
    assert_eq!(run.code, Some(0));
    assert_eq!(ws.read("Attachments/gan-samples.png"), png);
}

#[test]
fn embed_then_extract_round_trip() {
    let ws = vault();
    set_attachment_folder(&ws, "Attachments");
    let png = png(3);
    ws.write("Attachments/chart.png", &png);
    let input = "![[chart.png|300]]\n";
    ws.write("notes/n.md", input);
    let embedded = ws.run(&["embed", "-i", "notes/n.md"]);
    assert_eq!(embedded.code, Some(0), "embed: {}", embedded.stderr);
    let run = ws.run(&["extract", "notes/n.md"]);
    // The picture already sits in the attachment folder, so extract links to it.
    assert_eq!(run.stdout, "![chart|300](../Attachments/chart.png)\n");
    assert_eq!(run.code, Some(0), "extract: {}", run.stderr);
    assert_eq!(ws.read("Attachments/chart.png"), png);
}

// The wikilink examples of pulldown-cmark's spec.

/// Returns the folder holding the spec files.
fn spec_dir() -> PathBuf {
    match std::env::var_os("MDEMBED_SPEC_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/spec"),
    }
}

#[test]
fn wikilink_spec_unchanged_without_files() {
    let path = spec_dir().join("pulldown-cmark-wikilinks.spec.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "notice: {} not found, its examples are skipped",
            path.display()
        );
        return;
    };
    let parsed: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
    let items = parsed.as_array().expect("a JSON array of examples");
    assert!(!items.is_empty(), "no examples in {}", path.display());

    let dir = tempfile::tempdir().expect("temporary directory");
    let options = mdembed::EmbedOptions {
        root: Some(dir.path().to_path_buf()),
        obsidian: mdembed::ObsidianMode::Always,
        ..Default::default()
    };
    for (index, item) in items.iter().enumerate() {
        let number = item["example"].as_u64().map_or(index as u64 + 1, |n| n);
        let markdown = item["markdown"].as_str().expect("a markdown field");
        let embedded = mdembed::embed(markdown, dir.path(), &options)
            .unwrap_or_else(|e| panic!("example {number}: embed failed: {e}"));
        assert_eq!(embedded.text, markdown, "example {number} changed");
    }
}
