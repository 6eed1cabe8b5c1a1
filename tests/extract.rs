//! `mdembed extract` on documents: which data URIs are extracted in which syntax, how they are
//! decoded, where the files go, what they are called, how links are written, what is reported,
//! and that nothing is ever written outside the assets folder.
//!
//! Every test runs the real binary in a fresh temporary folder and compares standard output,
//! standard error, the files written and the exit status with exact values. Images are made with
//! the `image` crate, and data URIs are computed here with base64's standard engine.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use sha2::{Digest, Sha256};

/// Returns the summary line `mdembed extract` prints last.
fn extract_summary(
    documents: usize,
    changed: usize,
    images: usize,
    files: usize,
    removed: usize,
    warnings: usize,
) -> String {
    format!(
        "{} read, {changed} changed, {} extracted, {} written, {removed} bytes removed, {}",
        noun(documents, "document"),
        noun(images, "image"),
        noun(files, "file"),
        noun(warnings, "warning"),
    )
}

/// Returns the summary line `mdembed extract --check` prints last.
fn check_summary(
    documents: usize,
    would_change: usize,
    images: usize,
    files: usize,
    removed: usize,
    warnings: usize,
) -> String {
    format!(
        "{} read, {would_change} would change, {} to extract, {} to write, {removed} bytes to remove, {}",
        noun(documents, "document"),
        noun(images, "image"),
        noun(files, "file"),
        noun(warnings, "warning"),
    )
}

fn noun(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Returns the number of bytes `output` lost against `input`.
fn removed(input: &str, output: &str) -> usize {
    input.len() - output.len()
}

/// Returns a data URI as messages show it: whole up to 80 bytes, else its first 60 bytes and its
/// length.
fn short(target: &str) -> String {
    if target.len() <= 80 {
        target.to_string()
    } else {
        format!("{}... ({} bytes)", &target[..60], target.len())
    }
}

/// Writes `text` to `doc.md` and runs `mdembed extract` with `extra` arguments and `doc.md`.
fn extract_doc(ws: &Workspace, text: &str, extra: &[&str]) -> Run {
    ws.write("doc.md", text);
    let mut args = vec!["extract"];
    args.extend_from_slice(extra);
    args.push("doc.md");
    ws.run(&args)
}

/// Asserts a run of one document to standard output without warnings: standard output is
/// `expected`, standard error only the summary, exit status 0.
fn assert_clean_extract(run: &Run, input: &str, expected: &str, images: usize, files: usize) {
    assert_eq!(run.stdout, expected, "standard output");
    let changed = usize::from(input != expected);
    let line = extract_summary(1, changed, images, files, removed(input, expected), 0);
    assert_eq!(run.stderr, lines(&[&line]), "standard error");
    assert_eq!(run.code, Some(0), "exit status");
}

/// Asserts that standard error contains `expected` as consecutive lines.
fn assert_stderr_has(run: &Run, expected: &[&str]) {
    let block = lines(expected);
    assert!(
        run.stderr.contains(&block),
        "standard error lacks\n{block}---- it was:\n{}",
        run.stderr
    );
}

/// Returns the names in the folder `relative`, sorted; empty when it does not exist.
fn listing(ws: &Workspace, relative: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(ws.join(relative)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
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

/// Returns the 16 hexadecimal digits `--name hash` uses for `bytes`.
fn hash_name(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Returns the base64 payload of `bytes` with the standard alphabet.
fn standard_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Returns a PNG whose standard base64 contains both `+` and `/`.
fn png_with_plus_and_slash() -> Vec<u8> {
    (0..=255)
        .map(png)
        .find(|bytes| {
            let text = standard_base64(bytes);
            text.contains('+') && text.contains('/')
        })
        .expect("a seed whose base64 has + and /")
}

// Image syntax.

#[test]
fn inline_image_extracted() {
    let ws = Workspace::new();
    let png = png(1);
    let uri = data_uri("image/png", &png);
    let input = format!("Intro ![a dot]({uri} \"The title\") outro.\n");
    let run = extract_doc(&ws, &input, &[]);
    let expected = "Intro ![a dot](doc.assets/a-dot.png \"The title\") outro.\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/a-dot.png"), png);
    assert_eq!(listing(&ws, "doc.assets"), ["a-dot.png"]);
    assert_eq!(ws.read_text("doc.md"), input, "input rewritten");
}

#[test]
fn inline_image_verbose() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![a dot]({})\n", data_uri("image/png", &png));
    let run = extract_doc(&ws, &input, &["-v"]);
    let expected = "![a dot](doc.assets/a-dot.png)\n";
    assert_eq!(run.stdout, expected);
    let extracted = format!(
        "extracted: image/png, {} bytes, written to doc.assets/a-dot.png (doc.md:1:1)",
        png.len()
    );
    let line = extract_summary(1, 1, 1, 1, removed(&input, expected), 0);
    assert_stderr_has(&run, &[&extracted]);
    assert_stderr_has(&run, &[&line]);
    assert_eq!(run.code, Some(0));
}

#[test]
fn reference_definitions_rewritten_once() {
    let ws = Workspace::new();
    let (logo, diagram, chart) = (png(1), png(2), png(3));
    let input = format!(
        "![Logo][brand] and again ![logo][BRAND]\n\
         ![diagram][]\n\
         ![chart]\n\
         \n\
         [brand]: {}\n    \"Company logo\"\n\
         [diagram]: {}\n\
         [chart]: <{}>\n",
        data_uri("image/png", &logo),
        data_uri("image/png", &diagram),
        data_uri("image/png", &chart),
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected = "![Logo][brand] and again ![logo][BRAND]\n\
                    ![diagram][]\n\
                    ![chart]\n\
                    \n\
                    [brand]: doc.assets/logo.png\n    \"Company logo\"\n\
                    [diagram]: doc.assets/diagram.png\n\
                    [chart]: doc.assets/chart.png\n";
    assert_clean_extract(&run, &input, expected, 4, 3);
    assert_eq!(ws.read("doc.assets/logo.png"), logo);
    assert_eq!(ws.read("doc.assets/diagram.png"), diagram);
    assert_eq!(ws.read("doc.assets/chart.png"), chart);
    assert_eq!(
        listing(&ws, "doc.assets"),
        ["chart.png", "diagram.png", "logo.png"]
    );
}

#[test]
fn definition_shared_with_link_kept() {
    let ws = Workspace::new();
    let png = png(1);
    let uri = data_uri("image/png", &png);
    let input = format!("[x][l] ![y][l]\n\n[l]: {uri} \"T\"\n");
    let run = extract_doc(&ws, &input, &[]);
    let expected = format!("[x][l] ![y](doc.assets/y.png \"T\")\n\n[l]: {uri} \"T\"\n");
    assert_eq!(run.stdout, expected);
    // The link keeps its data URI, so the document grows by the image's own destination.
    assert!(expected.len() > input.len(), "precondition");
    assert_eq!(run.stderr, lines(&[&extract_summary(1, 1, 1, 1, 0, 0)]));
    assert_eq!(run.code, Some(0));
    assert_eq!(ws.read("doc.assets/y.png"), png);
}

#[test]
fn html_src_with_line_breaks() {
    let ws = Workspace::new();
    let png = png(1);
    let payload = standard_base64(&png);
    let (head, tail) = payload.split_at(20);
    let input = format!(
        "<p align=\"center\">\n<img alt=\"Chart\" src=\"data:image/png;base64,{head}\n   {tail}\" width=\"300\">\n</p>\n"
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected = "<p align=\"center\">\n<img alt=\"Chart\" src=\"doc.assets/chart.png\" width=\"300\">\n</p>\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/chart.png"), png);
}

#[test]
fn html_src_surrounding_spaces_kept() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!(
        "<img alt=\"Chart\" src=\"  {}\n \">\n",
        data_uri("image/png", &png)
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected = "<img alt=\"Chart\" src=\"  doc.assets/chart.png\n \">\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/chart.png"), png);
}

#[test]
fn html_src_unquoted_gets_quotes() {
    let ws = Workspace::new();
    let png = png(1);
    // An unquoted HTML attribute value cannot contain `=`, so the padding is left out.
    let payload = standard_base64(&png).trim_end_matches('=').to_string();
    let input = format!("Text\n\n<img src=data:image/png;base64,{payload}>\n");
    let run = extract_doc(&ws, &input, &[]);
    let expected = "Text\n\n<img src=\"doc.assets/image.png\">\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/image.png"), png);
}

#[test]
fn html_src_single_quoted_inline() {
    let ws = Workspace::new();
    let jpeg = jpeg(1);
    let input = format!(
        "Before <IMG SRC='{}' ALT='Photo'> after.\n",
        data_uri("image/jpeg", &jpeg)
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected = "Before <IMG SRC='doc.assets/photo.jpg' ALT='Photo'> after.\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/photo.jpg"), jpeg);
}

#[test]
fn html_srcset_candidates() {
    let ws = Workspace::new();
    let (small, large) = (png(1), png(2));
    let input = format!(
        "<img alt=\"Plot\" srcset=\"{} 1x, {} 2x\">\n",
        data_uri("image/png", &small),
        data_uri("image/png", &large)
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected =
        "<img alt=\"Plot\" srcset=\"doc.assets/plot.png 1x, doc.assets/plot-2.png 2x\">\n";
    assert_clean_extract(&run, &input, expected, 2, 2);
    assert_eq!(ws.read("doc.assets/plot.png"), small);
    assert_eq!(ws.read("doc.assets/plot-2.png"), large);
}

#[test]
fn images_in_containers() {
    let ws = Workspace::new();
    let (a, b, c) = (png(1), gif(2), jpeg(3));
    let input = format!(
        "| Step | Screen |\n|---|---|\n| 1 | ![one]({}) |\n\n* item\n  - ![two]({})\n\n> quote\n> > ![three]({})\n",
        data_uri("image/png", &a),
        data_uri("image/gif", &b),
        data_uri("image/jpeg", &c),
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected = "| Step | Screen |\n|---|---|\n| 1 | ![one](doc.assets/one.png) |\n\n* item\n  - ![two](doc.assets/two.gif)\n\n> quote\n> > ![three](doc.assets/three.jpg)\n";
    assert_clean_extract(&run, &input, expected, 3, 3);
    assert_eq!(ws.read("doc.assets/one.png"), a);
    assert_eq!(ws.read("doc.assets/two.gif"), b);
    assert_eq!(ws.read("doc.assets/three.jpg"), c);
}

#[test]
fn export_layout_definitions_at_end() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!(
        "Results for the credit\\_card model:\n\n![][image1]\n\n[image1]: <{}>\n",
        data_uri("image/png", &png)
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected =
        "Results for the credit\\_card model:\n\n![][image1]\n\n[image1]: doc.assets/image.png\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/image.png"), png);
}

#[test]
fn export_layout_multi_megabyte_line() {
    let ws = Workspace::new();
    let big = noise_png(1000, 800);
    assert!(big.len() > 3_000_000, "precondition: {} bytes", big.len());
    let small = png(2);
    let input = format!(
        "Table 1\\_a:\n\n![][image1]\n\nand ![][image2]\n\n[image1]: <{}>\n\n[image2]: <{}>\n",
        data_uri("image/png", &big),
        data_uri("image/png", &small)
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected = "Table 1\\_a:\n\n![][image1]\n\nand ![][image2]\n\n[image1]: doc.assets/image.png\n\n[image2]: doc.assets/image-2.png\n";
    assert_clean_extract(&run, &input, expected, 2, 2);
    assert_eq!(ws.read("doc.assets/image.png"), big);
    assert_eq!(ws.read("doc.assets/image-2.png"), small);
}

// Data URIs as browsers parse them.

/// Runs one inline image with the data URI `uri` and alt `alt`, and asserts that it became the
/// file `name` holding `bytes`.
fn assert_variant_extracted(uri: &str, alt: &str, name: &str, bytes: &[u8]) {
    let ws = Workspace::new();
    let input = format!("![{alt}]({uri})\n");
    let run = extract_doc(&ws, &input, &[]);
    let expected = format!("![{alt}](doc.assets/{name})\n");
    assert_clean_extract(&run, &input, &expected, 1, 1);
    assert_eq!(ws.read(&format!("doc.assets/{name}")), bytes, "{uri}");
    assert_eq!(listing(&ws, "doc.assets"), [name]);
}

#[test]
fn percent_encoded_payload() {
    let jpeg = jpeg(1);
    let payload = standard_base64(&jpeg)
        .replace('/', "%2F")
        .replace('+', "%2B")
        .replace('=', "%3D");
    assert!(payload.starts_with("%2F9j%2F"), "precondition: {payload}");
    let uri = format!("data:image/jpeg;base64,{payload}");
    assert_variant_extracted(&uri, "photo", "photo.jpg", &jpeg);
}

#[test]
fn percent_encoded_payload_noted() {
    let ws = Workspace::new();
    let jpeg = jpeg(1);
    let payload = standard_base64(&jpeg).replace('/', "%2F");
    let uri = format!("data:image/jpeg;base64,{payload}");
    let input = format!("![photo]({uri})\n");
    let run = extract_doc(&ws, &input, &["-v"]);
    assert_eq!(run.stdout, "![photo](doc.assets/photo.jpg)\n");
    let note = format!(
        "note: the payload was percent-encoded: {} (doc.md:1:1)",
        short(&uri)
    );
    assert_stderr_has(&run, &[&note]);
    assert_eq!(run.code, Some(0));
}

#[test]
fn missing_padding() {
    let png = (0..=255)
        .map(png)
        .find(|bytes| standard_base64(bytes).ends_with('='))
        .expect("a seed with padding");
    let payload = standard_base64(&png).trim_end_matches('=').to_string();
    let uri = format!("data:image/png;base64,{payload}");
    assert_variant_extracted(&uri, "dot", "dot.png", &png);
}

#[test]
fn uppercase_base64_flag() {
    let png = png(1);
    let uri = format!("data:image/png;BASE64,{}", standard_base64(&png));
    assert_variant_extracted(&uri, "dot", "dot.png", &png);
}

#[test]
fn uppercase_scheme_and_type() {
    let png = png(1);
    let uri = format!("DATA:IMAGE/PNG;Base64,{}", standard_base64(&png));
    assert_variant_extracted(&uri, "dot", "dot.png", &png);
}

#[test]
fn doubled_semicolon() {
    let png = png(1);
    let uri = format!("data:image/png;;base64,{}", standard_base64(&png));
    assert_variant_extracted(&uri, "dot", "dot.png", &png);
}

#[test]
fn charset_parameter() {
    let png = png(1);
    let uri = format!(
        "data:image/png;charset=utf-8;base64,{}",
        standard_base64(&png)
    );
    assert_variant_extracted(&uri, "dot", "dot.png", &png);
}

#[test]
fn name_parameter_names_file() {
    let png = png(1);
    let uri = format!("data:image/png;name=a.png;base64,{}", standard_base64(&png));
    assert_variant_extracted(&uri, "some alt", "a.png", &png);
}

#[test]
fn filename_parameter_names_file() {
    let png = png(1);
    let uri = format!(
        "data:image/png;filename=Screen%20Shot.png;base64,{}",
        standard_base64(&png)
    );
    assert_variant_extracted(&uri, "some alt", "screen-shot.png", &png);
}

#[test]
fn name_parameter_sanitized() {
    let png = png(1);
    let uri = format!(
        "data:image/png;name=../../evil.png;base64,{}",
        standard_base64(&png)
    );
    assert_variant_extracted(&uri, "some alt", "evil.png", &png);
}

#[test]
fn name_parameter_extension_from_content() {
    let jpeg = jpeg(1);
    let uri = format!(
        "data:image/jpeg;name=photo.png;base64,{}",
        standard_base64(&jpeg)
    );
    assert_variant_extracted(&uri, "x", "photo.jpg", &jpeg);
}

#[test]
fn wildcard_image_type() {
    let ws = Workspace::new();
    let gif = gif(1);
    let uri = format!("data:image/*;base64,{}", standard_base64(&gif));
    let input = format!("![anim]({uri})\n");
    let run = extract_doc(&ws, &input, &["-v"]);
    assert_eq!(run.stdout, "![anim](doc.assets/anim.gif)\n");
    assert_eq!(ws.read("doc.assets/anim.gif"), gif);
    assert!(
        !run.stderr.contains("note: declared"),
        "image/* is no mismatch: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn url_safe_alphabet() {
    let png = png_with_plus_and_slash();
    let payload = standard_base64(&png).replace('+', "-").replace('/', "_");
    let uri = format!("data:image/png;base64,{payload}");
    assert_variant_extracted(&uri, "dot", "dot.png", &png);
}

#[test]
fn url_safe_alphabet_noted() {
    let ws = Workspace::new();
    let png = png_with_plus_and_slash();
    let payload = standard_base64(&png).replace('+', "-").replace('/', "_");
    let uri = format!("data:image/png;base64,{payload}");
    let input = format!("![dot]({uri})\n");
    let run = extract_doc(&ws, &input, &["-v"]);
    let note = format!(
        "note: decoded with the URL-safe base64 alphabet: {} (doc.md:1:1)",
        short(&uri)
    );
    assert_stderr_has(&run, &[&note]);
    assert_eq!(run.code, Some(0));
}

#[test]
fn svg_percent_encoded() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"><rect width=\"4\" height=\"4\" fill=\"#c33\"/></svg>";
    let encoded: String =
        percent_encoding::utf8_percent_encode(svg, percent_encoding::NON_ALPHANUMERIC).to_string();
    assert!(encoded.starts_with("%3Csvg"), "precondition");
    let uri = format!("data:image/svg+xml,{encoded}");
    assert_variant_extracted(&uri, "logo", "logo.svg", svg.as_bytes());
}

#[test]
fn svg_utf8_in_html() {
    let ws = Workspace::new();
    let svg = "<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'><circle r='2' fill='#0a0'/></svg>";
    let input = format!("<img alt=\"Dot\" src=\"data:image/svg+xml;utf8,{svg}\">\n");
    let run = extract_doc(&ws, &input, &[]);
    let expected = "<img alt=\"Dot\" src=\"doc.assets/dot.svg\">\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/dot.svg"), svg.as_bytes());
}

#[test]
fn svg_base64() {
    let svg = svg();
    let uri = data_uri("image/svg+xml", &svg);
    assert_variant_extracted(&uri, "icon", "icon.svg", &svg);
}

#[test]
fn formats_get_their_extensions() {
    let cases: [(&str, Vec<u8>, &str); 7] = [
        ("image/png", png(1), "png"),
        ("image/jpeg", jpeg(1), "jpg"),
        ("image/gif", gif(1), "gif"),
        ("image/webp", webp(1), "webp"),
        ("image/bmp", bmp(1), "bmp"),
        ("image/x-icon", ico(1), "ico"),
        ("image/tiff", tiff(1), "tiff"),
    ];
    for (mime, bytes, extension) in cases {
        let uri = data_uri(mime, &bytes);
        assert_variant_extracted(&uri, "pic", &format!("pic.{extension}"), &bytes);
    }
}

// Broken input.

#[test]
fn placeholder_without_comma() {
    let ws = Workspace::new();
    let input = "![cartoon](data:image/jpeg;base64...)\n";
    let run = extract_doc(&ws, input, &[]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: invalid data URI (data URI has no ',' between the MIME type and the payload): data:image/jpeg;base64... (doc.md:1:1)",
            &extract_summary(1, 0, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
    assert!(!ws.exists("doc.assets"), "assets folder created");
}

#[test]
fn truncated_placeholders_from_converters() {
    let ws = Workspace::new();
    let input = "![cartoon](data:image/jpeg;base64...)\n![cut](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA)\n";
    let run = extract_doc(&ws, input, &[]);
    let expected = "![cartoon](data:image/jpeg;base64...)\n![cut](doc.assets/cut.png)\n";
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: invalid data URI (data URI has no ',' between the MIME type and the payload): data:image/jpeg;base64... (doc.md:1:1)",
            "warning: image data ends early, written anyway as doc.assets/cut.png: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA (doc.md:2:1)",
            &extract_summary(1, 1, 1, 1, removed(input, expected), 2),
        ])
    );
    assert_eq!(run.code, Some(1));
    assert_eq!(
        ws.read("doc.assets/cut.png"),
        STANDARD.decode("iVBORw0KGgoAAAANSUhEUgAA").unwrap()
    );
}

/// A `<...>` destination inside an outer link's `<...>` destination keeps its angle brackets:
/// without them the outer destination would end early.
#[test]
fn nested_angle_destination_keeps_brackets() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("[a](<![b](<{}>)>)\n", data_uri("image/png", &png));
    let run = extract_doc(&ws, &input, &[]);
    let expected = "[a](<![b](<doc.assets/b.png>)>)\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/b.png"), png);
}

/// A data URI whose link would turn its line into a link reference definition is left as
/// written, so its file is not written. The other image of the document is extracted.
#[test]
fn link_that_changes_structure_left_and_not_written() {
    let ws = Workspace::new();
    let (dot, two) = (png(1), png(2));
    let uri = data_uri("image/png", &dot);
    // The space inside the brackets keeps the line from being a definition; a link has none.
    let spaced = format!("<{} {}>", &uri[..40], &uri[40..]);
    let input = format!(
        "[x]:![dot]({spaced})\n\n![two]({})\n",
        data_uri("image/png", &two)
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected = format!("[x]:![dot]({spaced})\n\n![two](doc.assets/two.png)\n");
    assert_eq!(run.stdout, expected, "standard output");
    let warning = format!(
        "warning: left as written because the new destination would change how the document parses: {} (doc.md:1:5)",
        short(&spaced)
    );
    assert_eq!(
        run.stderr,
        lines(&[
            &warning,
            &extract_summary(1, 1, 1, 1, removed(&input, &expected), 1)
        ]),
        "standard error"
    );
    assert_eq!(run.code, Some(1), "exit status");
    assert_eq!(listing(&ws, "doc.assets"), ["two.png"]);
}

#[test]
fn truncated_png_written_with_warning() {
    let ws = Workspace::new();
    let png = png(1);
    let cut = &png[..png.len() / 2];
    let uri = data_uri("image/png", cut);
    let input = format!("![half]({uri})\n");
    let run = extract_doc(&ws, &input, &[]);
    let expected = "![half](doc.assets/half.png)\n";
    assert_eq!(run.stdout, expected);
    let warning = format!(
        "warning: image data ends early, written anyway as doc.assets/half.png: {} (doc.md:1:1)",
        short(&uri)
    );
    assert_eq!(
        run.stderr,
        lines(&[
            &warning,
            &extract_summary(1, 1, 1, 1, removed(&input, expected), 1)
        ])
    );
    assert_eq!(run.code, Some(1));
    assert_eq!(ws.read("doc.assets/half.png"), cut);
}

#[test]
fn missing_base64_flag() {
    let ws = Workspace::new();
    let uri = format!("data:image/png,base64,{}", standard_base64(&png(1)));
    let input = format!("![x]({uri})\n");
    let run = extract_doc(&ws, &input, &[]);
    assert_eq!(run.stdout, input);
    let warning = format!(
        "warning: invalid data URI (the payload is text because the ;base64 flag is missing): {} (doc.md:1:1)",
        short(&uri)
    );
    assert_eq!(
        run.stderr,
        lines(&[&warning, &extract_summary(1, 0, 0, 0, 0, 1)])
    );
    assert_eq!(run.code, Some(1));
    assert!(!ws.exists("doc.assets"), "assets folder created");
}

#[test]
fn payload_not_an_image() {
    let ws = Workspace::new();
    let input = "Text ![x](data:image/png;base64,aGVsbG8gd29ybGQ=) here.\n";
    let run = extract_doc(&ws, input, &[]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: invalid data URI (declared image/png but the content is not an image): data:image/png;base64,aGVsbG8gd29ybGQ= (doc.md:1:6)",
            &extract_summary(1, 0, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
    assert!(!ws.exists("doc.assets"), "assets folder created");
}

#[test]
fn invalid_base64_character() {
    let ws = Workspace::new();
    let input = "![x](data:image/png;base64,iVBO*w0KGgo=)\n";
    let run = extract_doc(&ws, input, &[]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: invalid data URI (invalid base64 payload in data URI at byte 26: '*' is not in the base64 alphabet): data:image/png;base64,iVBO*w0KGgo= (doc.md:1:1)",
            &extract_summary(1, 0, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn empty_payload() {
    let ws = Workspace::new();
    let input = "![x](data:image/png;base64,)\n";
    let run = extract_doc(&ws, input, &[]);
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: invalid data URI (data URI has an empty payload): data:image/png;base64, (doc.md:1:1)",
            &extract_summary(1, 0, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn stray_data_uri_reported() {
    let ws = Workspace::new();
    let png = png(1);
    let uri = data_uri("image/png", &png);
    let input = format!("![alt text\n\nbroken by a blank line]({uri})\n");
    let run = extract_doc(&ws, &input, &[]);
    assert_eq!(run.stdout, input);
    let warning = format!(
        "warning: data URI outside any image syntax, left as it is: {} (doc.md:3:25)",
        short(&uri)
    );
    assert_eq!(
        run.stderr,
        lines(&[&warning, &extract_summary(1, 0, 0, 0, 0, 1)])
    );
    assert_eq!(run.code, Some(1));
    assert!(!ws.exists("doc.assets"), "assets folder created");
}

#[test]
fn quiet_hides_warnings() {
    let ws = Workspace::new();
    let input = "![cartoon](data:image/jpeg;base64...)\n";
    let run = extract_doc(&ws, input, &["-q"]);
    assert_eq!(run.stdout, input);
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, Some(1));
}

#[test]
fn content_type_wins_over_declared() {
    let ws = Workspace::new();
    let jpeg = jpeg(1);
    let uri = data_uri("image/png", &jpeg);
    let input = format!("![shot]({uri})\n");
    let run = extract_doc(&ws, &input, &[]);
    let expected = "![shot](doc.assets/shot.jpg)\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/shot.jpg"), jpeg);
    assert_eq!(listing(&ws, "doc.assets"), ["shot.jpg"]);
}

#[test]
fn content_type_mismatch_noted() {
    let ws = Workspace::new();
    let jpeg = jpeg(1);
    let uri = data_uri("image/png", &jpeg);
    let input = format!("![shot]({uri})\n");
    let run = extract_doc(&ws, &input, &["-v"]);
    assert_eq!(run.stdout, "![shot](doc.assets/shot.jpg)\n");
    let extracted = format!(
        "extracted: image/jpeg, {} bytes, written to doc.assets/shot.jpg (doc.md:1:1)",
        jpeg.len()
    );
    let note = format!(
        "note: declared as image/png but the content is image/jpeg; written as image/jpeg: {} (doc.md:1:1)",
        short(&uri)
    );
    assert_stderr_has(&run, &[&extracted, &note]);
    assert_eq!(run.code, Some(0));
}

#[test]
fn text_html_image_untouched() {
    let ws = Workspace::new();
    let input = "![h](data:text/html,<b>x</b>)\n";
    let run = extract_doc(&ws, input, &[]);
    assert_clean_extract(&run, input, input, 0, 0);
    assert!(!ws.exists("doc.assets"), "assets folder created");
}

#[test]
fn text_html_image_named_with_verbose() {
    let ws = Workspace::new();
    let input = "![h](data:text/html,<b>x</b>)\n";
    let run = extract_doc(&ws, input, &["-v"]);
    assert_eq!(run.stdout, input);
    assert_stderr_has(
        &run,
        &["skipped (not image data): data:text/html,<b>x</b> (doc.md:1:1)"],
    );
    assert_eq!(run.code, Some(0));
}

// What is never extracted.

#[test]
fn links_to_data_uris_untouched() {
    let ws = Workspace::new();
    let uri = data_uri("image/png", &png(1));
    let input =
        format!("[download]({uri}) and [ref][d]\n\n[d]: {uri}\n\n<a href=\"{uri}\">x</a>\n");
    let run = extract_doc(&ws, &input, &[]);
    assert_clean_extract(&run, &input, &input, 0, 0);
    assert!(!ws.exists("doc.assets"), "assets folder created");
}

#[test]
fn autolink_to_data_uri_untouched() {
    let ws = Workspace::new();
    let uri = data_uri("image/png", &png(1));
    let input = format!("Download <{uri}> here.\n");
    let run = extract_doc(&ws, &input, &[]);
    assert_clean_extract(&run, &input, &input, 0, 0);
    assert!(!ws.exists("doc.assets"), "assets folder created");
}

#[test]
fn code_comments_front_matter_untouched() {
    let ws = Workspace::new();
    let uri = data_uri("image/png", &png(1));
    let input = format!(
        "---\ncover: {uri}\nimage: \"![f]({uri})\"\n---\n\
         # Title\n\n\
         Inline `![a]({uri})` code.\n\n\
         ```markdown\n![b]({uri})\n<img src=\"{uri}\">\n```\n\n\
         ~~~\n![tilde]({uri})\n~~~\n\n\
         <!-- ![c]({uri}) <img src=\"{uri}\"> -->\n\n\
         Text <!-- ![d]({uri}) --> more.\n\n    ![indented]({uri})\n"
    );
    let run = extract_doc(&ws, &input, &[]);
    assert_clean_extract(&run, &input, &input, 0, 0);
    assert!(!ws.exists("doc.assets"), "assets folder created");
}

#[test]
fn nested_image_in_alt_text() {
    let ws = Workspace::new();
    let outer = png(1);
    let input = format!(
        "[![badge]({})](https://example.org)\n",
        data_uri("image/png", &outer)
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected = "[![badge](doc.assets/badge.png)](https://example.org)\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/badge.png"), outer);
}

// Where files go and what links are relative to.

#[test]
fn in_place_rewrites_document() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("# Notes\n\n![chart]({})\n", data_uri("image/png", &png));
    ws.write("doc.md", &input);
    let run = ws.run(&["extract", "-i", "doc.md"]);
    let expected = "# Notes\n\n![chart](doc.assets/chart.png)\n";
    assert_eq!(ws.read_text("doc.md"), expected);
    assert_eq!(ws.read("doc.assets/chart.png"), png);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        lines(&[&extract_summary(1, 1, 1, 1, removed(&input, expected), 0)])
    );
    assert_eq!(run.code, Some(0));
    assert_eq!(listing(&ws, "."), ["doc.assets", "doc.md"]);
}

#[test]
fn output_file_gets_assets_beside_it() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    ws.write("src/doc.md", &input);
    let run = ws.run(&["extract", "-o", "out/new.md", "src/doc.md"]);
    let expected = "![chart](new.assets/chart.png)\n";
    assert_eq!(ws.read_text("out/new.md"), expected);
    assert_eq!(ws.read("out/new.assets/chart.png"), png);
    assert_eq!(ws.read_text("src/doc.md"), input, "input rewritten");
    assert_eq!(listing(&ws, "src"), ["doc.md"]);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        lines(&[&extract_summary(1, 1, 1, 1, removed(&input, expected), 0)])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn output_existing_dir_for_one_file() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    ws.write("doc.md", &input);
    ws.mkdir("out");
    let run = ws.run(&["extract", "-o", "out", "doc.md"]);
    let expected = "![chart](doc.assets/chart.png)\n";
    assert_eq!(ws.read_text("out/doc.md"), expected);
    assert_eq!(ws.read("out/doc.assets/chart.png"), png);
    assert!(!ws.exists("doc.assets"), "assets beside the input");
    assert_eq!(run.code, Some(0));
}

#[test]
fn output_dir_for_folder_input() {
    let ws = Workspace::new();
    let (a, b) = (png(1), png(2));
    let input_a = format!("![first]({})\n", data_uri("image/png", &a));
    let input_b = format!("![second]({})\n", data_uri("image/png", &b));
    ws.write("notes/a.md", &input_a);
    ws.write("notes/sub/b.md", &input_b);
    let run = ws.run(&["extract", "-o", "out", "notes"]);
    let expected_a = "![first](a.assets/first.png)\n";
    let expected_b = "![second](b.assets/second.png)\n";
    assert_eq!(ws.read_text("out/a.md"), expected_a);
    assert_eq!(ws.read_text("out/sub/b.md"), expected_b);
    assert_eq!(ws.read("out/a.assets/first.png"), a);
    assert_eq!(ws.read("out/sub/b.assets/second.png"), b);
    assert_eq!(listing(&ws, "notes"), ["a.md", "sub"]);
    assert_eq!(listing(&ws, "notes/sub"), ["b.md"]);
    let removed_total = removed(&input_a, expected_a) + removed(&input_b, expected_b);
    assert_eq!(
        run.stderr,
        lines(&[&extract_summary(2, 2, 2, 2, removed_total, 0)])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn stdout_assets_beside_input() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    ws.write("docs/doc.md", &input);
    let run = ws.run(&["extract", "docs/doc.md"]);
    let expected = "![chart](doc.assets/chart.png)\n";
    assert_eq!(run.stdout, expected);
    assert_eq!(ws.read("docs/doc.assets/chart.png"), png);
    assert!(!ws.exists("doc.assets"), "assets in the current folder");
    assert_eq!(
        run.stderr,
        lines(&[&extract_summary(1, 1, 1, 1, removed(&input, expected), 0)])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn stdin_uses_base_dir() {
    let ws = Workspace::new();
    let png = png(1);
    ws.mkdir("docs");
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    let run = Run::from(
        ws.mdembed()
            .args(["extract", "--base-dir", "docs", "-"])
            .write_stdin(input.clone()),
    );
    let expected = "![chart](stdin.assets/chart.png)\n";
    assert_eq!(run.stdout, expected);
    assert_eq!(ws.read("docs/stdin.assets/chart.png"), png);
    assert_eq!(listing(&ws, "."), ["docs"]);
    assert_eq!(
        run.stderr,
        lines(&[&extract_summary(1, 1, 1, 1, removed(&input, expected), 0)])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn stdin_default_base_dir() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    let run = Run::from(
        ws.mdembed()
            .args(["extract", "-"])
            .write_stdin(input.clone()),
    );
    assert_eq!(run.stdout, "![chart](stdin.assets/chart.png)\n");
    assert_eq!(ws.read("stdin.assets/chart.png"), png);
    assert_eq!(run.code, Some(0));
}

#[test]
fn stdin_warning_names_dash() {
    let ws = Workspace::new();
    let input = "![cartoon](data:image/jpeg;base64...)\n";
    let run = Run::from(ws.mdembed().args(["extract", "-"]).write_stdin(input));
    assert_eq!(run.stdout, input);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: invalid data URI (data URI has no ',' between the MIME type and the payload): data:image/jpeg;base64... (-:1:1)",
            &extract_summary(1, 0, 0, 0, 0, 1),
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn stdin_to_output_file() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    let run = Run::from(
        ws.mdembed()
            .args(["extract", "-o", "out/note.md", "-"])
            .write_stdin(input),
    );
    assert_eq!(run.stdout, "");
    assert_eq!(
        ws.read_text("out/note.md"),
        "![chart](note.assets/chart.png)\n"
    );
    assert_eq!(ws.read("out/note.assets/chart.png"), png);
    assert_eq!(run.code, Some(0));
}

#[test]
fn assets_dir_relative_to_document() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    ws.write("docs/doc.md", &input);
    let run = ws.run(&["extract", "--assets-dir", "media", "docs/doc.md"]);
    assert_eq!(run.stdout, "![chart](media/chart.png)\n");
    assert_eq!(ws.read("docs/media/chart.png"), png);
    assert!(
        !ws.exists("media"),
        "assets folder relative to the current folder"
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn assets_dir_absolute() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    ws.write("docs/guide/doc.md", &input);
    let shared = ws.join("shared");
    let run = ws.run(&[
        "extract",
        "--assets-dir",
        shared.to_str().unwrap(),
        "docs/guide/doc.md",
    ]);
    assert_eq!(run.stdout, "![chart](../../shared/chart.png)\n");
    assert_eq!(ws.read("shared/chart.png"), png);
    assert_eq!(run.code, Some(0));
}

#[test]
fn links_relative_wherever_run() {
    let png = png(1);
    let input = format!(
        "Setup:\n\n![Setup screen]({})\n\n![old](../img/old.png)\n",
        data_uri("image/png", &png)
    );
    let expected =
        "Setup:\n\n![Setup screen](../assets/setup-screen.png)\n\n![old](../img/old.png)\n";
    // From the repository root, from the document's folder, and from an unrelated folder.
    let runs: [(&str, &str); 3] = [
        (".", "docs/guide/setup.md"),
        ("docs/guide", "setup.md"),
        ("elsewhere", "../docs/guide/setup.md"),
    ];
    for (cwd, path) in runs {
        let ws = Workspace::new();
        ws.write("docs/guide/setup.md", &input);
        ws.write("docs/img/old.png", common::png(9));
        ws.mkdir("elsewhere");
        let run = ws.run_in(cwd, &["extract", "-i", "--assets-dir", "../assets", path]);
        assert_eq!(
            ws.read_text("docs/guide/setup.md"),
            expected,
            "run in {cwd}"
        );
        assert_eq!(ws.read("docs/assets/setup-screen.png"), png, "run in {cwd}");
        assert_eq!(
            listing(&ws, "docs/assets"),
            ["setup-screen.png"],
            "run in {cwd}"
        );
        assert_eq!(
            run.stderr,
            lines(&[&extract_summary(1, 1, 1, 1, removed(&input, expected), 0)]),
            "run in {cwd}"
        );
        assert_eq!(run.code, Some(0), "run in {cwd}");
        assert_eq!(
            listing(&ws, "elsewhere"),
            Vec::<String>::new(),
            "run in {cwd}"
        );

        let again = ws.run_in(cwd, &["extract", "-i", "--assets-dir", "../assets", path]);
        assert_eq!(
            ws.read_text("docs/guide/setup.md"),
            expected,
            "rerun in {cwd}"
        );
        assert_eq!(
            listing(&ws, "docs/assets"),
            ["setup-screen.png"],
            "rerun in {cwd}"
        );
        assert_eq!(
            again.stderr,
            lines(&[&extract_summary(1, 0, 0, 0, 0, 0)]),
            "rerun in {cwd}"
        );
        assert_eq!(again.code, Some(0), "rerun in {cwd}");
    }
}

#[test]
fn absolute_document_path_gives_relative_link() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    let doc = ws.write("docs/doc.md", &input);
    ws.mkdir("elsewhere");
    let run = ws.run_in("elsewhere", &["extract", doc.to_str().unwrap()]);
    assert_eq!(run.stdout, "![chart](doc.assets/chart.png)\n");
    assert_eq!(ws.read("docs/doc.assets/chart.png"), png);
    assert_eq!(run.code, Some(0));
}

#[test]
fn rerun_to_stdout_writes_nothing() {
    let ws = Workspace::new();
    let (a, b) = (png(1), jpeg(2));
    let input = format!(
        "![chart]({}) ![photo]({})\n",
        data_uri("image/png", &a),
        data_uri("image/jpeg", &b)
    );
    let first = extract_doc(&ws, &input, &[]);
    let expected = "![chart](doc.assets/chart.png) ![photo](doc.assets/photo.jpg)\n";
    assert_clean_extract(&first, &input, expected, 2, 2);
    let modified = std::fs::metadata(ws.join("doc.assets/chart.png"))
        .unwrap()
        .modified()
        .unwrap();

    let second = extract_doc(&ws, &input, &[]);
    assert_clean_extract(&second, &input, expected, 2, 0);
    assert_eq!(listing(&ws, "doc.assets"), ["chart.png", "photo.jpg"]);
    let modified_again = std::fs::metadata(ws.join("doc.assets/chart.png"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(modified, modified_again, "file rewritten");
}

#[test]
fn rerun_reports_linked_to_existing() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    extract_doc(&ws, &input, &[]);
    let run = extract_doc(&ws, &input, &["-v"]);
    let line = format!(
        "extracted: image/png, {} bytes, linked to existing doc.assets/chart.png (doc.md:1:1)",
        png.len()
    );
    assert_stderr_has(&run, &[&line]);
    assert_eq!(run.code, Some(0));
}

#[test]
fn rerun_in_place_changes_nothing() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    ws.write("doc.md", &input);
    ws.run(&["extract", "-i", "doc.md"]);
    let after_first = ws.read_text("doc.md");
    let run = ws.run(&["extract", "-i", "doc.md"]);
    assert_eq!(ws.read_text("doc.md"), after_first);
    assert_eq!(listing(&ws, "doc.assets"), ["chart.png"]);
    assert_eq!(run.stderr, lines(&[&extract_summary(1, 0, 0, 0, 0, 0)]));
    assert_eq!(run.code, Some(0));
}

// Naming.

#[test]
fn alt_slug_names_file() {
    let png = png(1);
    let uri = data_uri("image/png", &png);
    assert_variant_extracted(&uri, "My Chart: Q1 (2024)!", "my-chart-q1-2024.png", &png);
}

#[test]
fn alt_slug_max_sixty_characters() {
    let png = png(1);
    let uri = data_uri("image/png", &png);
    let alt = "word ".repeat(20);
    let slug = "word-".repeat(12);
    let name = format!("{}.png", &slug[..59]);
    assert_eq!(name.len(), 63, "precondition");
    assert_variant_extracted(&uri, &alt, &name, &png);
}

#[test]
fn chinese_alt_kept_raw() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![流程图 第1步]({})\n", data_uri("image/png", &png));
    ws.write("笔记.md", &input);
    let run = ws.run(&["extract", "笔记.md"]);
    let expected = "![流程图 第1步](笔记.assets/流程图-第1步.png)\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("笔记.assets/流程图-第1步.png"), png);
}

#[test]
fn ascii_lowercased_other_letters_kept() {
    let png = png(1);
    let uri = data_uri("image/png", &png);
    assert_variant_extracted(&uri, "Bäume ÜBER Straße", "bäume-über-straße.png", &png);
}

#[test]
fn empty_alt_falls_back_to_image() {
    let png = png(1);
    let uri = data_uri("image/png", &png);
    assert_variant_extracted(&uri, "", "image.png", &png);
}

#[test]
fn punctuation_alt_falls_back_to_image() {
    let png = png(1);
    let uri = data_uri("image/png", &png);
    assert_variant_extracted(&uri, "--- ...", "image.png", &png);
}

#[test]
fn hash_names_files() {
    let ws = Workspace::new();
    let (a, b) = (png(1), jpeg(2));
    let input = format!(
        "![chart]({}) ![photo]({})\n",
        data_uri("image/png", &a),
        data_uri("image/jpeg", &b)
    );
    let run = extract_doc(&ws, &input, &["--name", "hash"]);
    let (name_a, name_b) = (
        format!("{}.png", hash_name(&a)),
        format!("{}.jpg", hash_name(&b)),
    );
    let expected = format!("![chart](doc.assets/{name_a}) ![photo](doc.assets/{name_b})\n");
    assert_clean_extract(&run, &input, &expected, 2, 2);
    assert_eq!(ws.read(&format!("doc.assets/{name_a}")), a);
    assert_eq!(ws.read(&format!("doc.assets/{name_b}")), b);
}

#[test]
fn hash_ignores_name_parameter() {
    let png = png(1);
    let uri = format!("data:image/png;name=a.png;base64,{}", standard_base64(&png));
    assert_variant_extracted_with(
        &uri,
        "x",
        &format!("{}.png", hash_name(&png)),
        &png,
        &["--name", "hash"],
    );
}

fn assert_variant_extracted_with(uri: &str, alt: &str, name: &str, bytes: &[u8], extra: &[&str]) {
    let ws = Workspace::new();
    let input = format!("![{alt}]({uri})\n");
    let run = extract_doc(&ws, &input, extra);
    let expected = format!("![{alt}](doc.assets/{name})\n");
    assert_clean_extract(&run, &input, &expected, 1, 1);
    assert_eq!(ws.read(&format!("doc.assets/{name}")), bytes, "{uri}");
}

#[test]
fn collisions_numbered() {
    let ws = Workspace::new();
    let (a, b, c) = (png(1), png(2), png(3));
    let input = format!(
        "![chart]({})\n![Chart]({})\n![chart!]({})\n",
        data_uri("image/png", &a),
        data_uri("image/png", &b),
        data_uri("image/png", &c)
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected = "![chart](doc.assets/chart.png)\n![Chart](doc.assets/chart-2.png)\n![chart!](doc.assets/chart-3.png)\n";
    assert_clean_extract(&run, &input, expected, 3, 3);
    assert_eq!(ws.read("doc.assets/chart.png"), a);
    assert_eq!(ws.read("doc.assets/chart-2.png"), b);
    assert_eq!(ws.read("doc.assets/chart-3.png"), c);
}

#[test]
fn same_name_different_extension_no_collision() {
    let ws = Workspace::new();
    let (a, b) = (png(1), jpeg(2));
    let input = format!(
        "![chart]({}) ![chart]({})\n",
        data_uri("image/png", &a),
        data_uri("image/jpeg", &b)
    );
    let run = extract_doc(&ws, &input, &[]);
    let expected = "![chart](doc.assets/chart.png) ![chart](doc.assets/chart.jpg)\n";
    assert_clean_extract(&run, &input, expected, 2, 2);
}

#[test]
fn hostile_alts_stay_inside() {
    let ws = Workspace::new();
    let images: Vec<Vec<u8>> = (1..=7).map(png).collect();
    let alts = [
        "../../x",
        "a/b/c.jpg",
        "..\\..\\evil",
        ".hidden",
        "CON",
        "lpt1",
        "tab\tand\u{7}bell",
    ];
    let mut input = String::new();
    for (alt, bytes) in alts.iter().zip(&images) {
        input.push_str(&format!("![{alt}]({})\n\n", data_uri("image/png", bytes)));
    }
    let run = extract_doc(&ws, &input, &[]);
    let names = [
        "x.png",
        "a-b-c-jpg.png",
        "evil.png",
        "hidden.png",
        "con-image.png",
        "lpt1-image.png",
        "tab-and-bell.png",
    ];
    let mut expected = String::new();
    for (alt, name) in alts.iter().zip(names) {
        expected.push_str(&format!("![{alt}](doc.assets/{name})\n\n"));
    }
    assert_clean_extract(&run, &input, &expected, 7, 7);
    for (name, bytes) in names.iter().zip(&images) {
        assert_eq!(&ws.read(&format!("doc.assets/{name}")), bytes, "{name}");
    }
    let mut sorted = names.to_vec();
    sorted.sort();
    assert_eq!(listing(&ws, "doc.assets"), sorted);
    assert_eq!(listing(&ws, "."), ["doc.assets", "doc.md"]);
}

#[test]
fn existing_different_file_kept() {
    let ws = Workspace::new();
    let png = png(1);
    let other = png_other();
    ws.write("doc.assets/chart.png", &other);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    let run = extract_doc(&ws, &input, &[]);
    let expected = "![chart](doc.assets/chart-2.png)\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(
        ws.read("doc.assets/chart.png"),
        other,
        "existing file overwritten"
    );
    assert_eq!(ws.read("doc.assets/chart-2.png"), png);
}

fn png_other() -> Vec<u8> {
    png(200)
}

#[test]
fn existing_folder_with_the_name_skipped() {
    let ws = Workspace::new();
    let png = png(1);
    ws.mkdir("doc.assets/chart.png");
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    let run = extract_doc(&ws, &input, &[]);
    let expected = "![chart](doc.assets/chart-2.png)\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/chart-2.png"), png);
}

#[test]
fn identical_images_shared() {
    let ws = Workspace::new();
    let png = png(1);
    let uri = data_uri("image/png", &png);
    let input = format!("![first]({uri})\n\n![second]({uri})\n\n<img src=\"{uri}\">\n");
    let run = extract_doc(&ws, &input, &[]);
    let expected = "![first](doc.assets/first.png)\n\n![second](doc.assets/first.png)\n\n<img src=\"doc.assets/first.png\">\n";
    assert_clean_extract(&run, &input, expected, 3, 1);
    assert_eq!(listing(&ws, "doc.assets"), ["first.png"]);
}

#[test]
fn identical_images_shared_across_documents() {
    let (a, b, c) = (png(1), png(2), png(3));
    let unrelated = png(4);
    let input_a = format!(
        "![image1]({}) and ![image1]({})\n",
        data_uri("image/png", &a),
        data_uri("image/png", &a)
    );
    let input_b = format!(
        "![copy]({})\n\n![../../x]({})\n\n![a/b/c.jpg]({})\n",
        data_uri("image/png", &a),
        data_uri("image/png", &b),
        data_uri("image/png", &c)
    );
    let expected_a = "![image1](media/image1-2.png) and ![image1](media/image1-2.png)\n";
    let expected_b = "![copy](media/image1-2.png)\n\n![../../x](media/x.png)\n\n![a/b/c.jpg](media/a-b-c-jpg.png)\n";
    let removed_total = removed(&input_a, expected_a) + removed(&input_b, expected_b);

    // Two separate workspaces show that the names are the same on every run.
    for _ in 0..2 {
        let ws = Workspace::new();
        ws.write("notes/a.md", &input_a);
        ws.write("notes/b.md", &input_b);
        ws.write("notes/media/image1.png", &unrelated);
        let run = ws.run(&["extract", "-i", "--assets-dir", "media", "notes"]);
        assert_eq!(ws.read_text("notes/a.md"), expected_a);
        assert_eq!(ws.read_text("notes/b.md"), expected_b);
        assert_eq!(ws.read("notes/media/image1.png"), unrelated, "overwritten");
        assert_eq!(ws.read("notes/media/image1-2.png"), a);
        assert_eq!(ws.read("notes/media/x.png"), b);
        assert_eq!(ws.read("notes/media/a-b-c-jpg.png"), c);
        assert_eq!(
            listing(&ws, "notes/media"),
            ["a-b-c-jpg.png", "image1-2.png", "image1.png", "x.png"]
        );
        assert_eq!(listing(&ws, "."), ["notes"]);
        assert_eq!(listing(&ws, "notes"), ["a.md", "b.md", "media"]);
        assert_eq!(
            run.stderr,
            lines(&[&extract_summary(2, 2, 5, 3, removed_total, 0)])
        );
        assert_eq!(run.code, Some(0));
    }
}

#[test]
fn special_characters_in_link_encoded() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    ws.write("notes #1 & 50% [draft] (v2).md", &input);
    let run = ws.run(&["extract", "notes #1 & 50% [draft] (v2).md"]);
    let expected =
        "![chart](notes%20%231%20%26%2050%25%20%5Bdraft%5D%20%28v2%29.assets/chart.png)\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("notes #1 & 50% [draft] (v2).assets/chart.png"), png);
}

#[test]
fn quote_characters_in_html_link_encoded() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("<img src=\"{}\">\n", data_uri("image/png", &png));
    ws.write("it's \"q\" `t` <a>|b?.md", &input);
    let run = ws.run(&["extract", "it's \"q\" `t` <a>|b?.md"]);
    let expected = "<img src=\"it%27s%20%22q%22%20%60t%60%20%3Ca%3E%7Cb%3F.assets/image.png\">\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("it's \"q\" `t` <a>|b?.assets/image.png"), png);
}

// Safety.

#[test]
fn assets_symlink_not_followed() {
    let ws = Workspace::new();
    let png = png(1);
    ws.mkdir("elsewhere");
    std::os::unix::fs::symlink("elsewhere", ws.join("doc.assets")).unwrap();
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    ws.write("doc.md", &input);
    let run = ws.run(&["extract", "-i", "doc.md"]);
    assert_eq!(
        listing(&ws, "elsewhere"),
        Vec::<String>::new(),
        "written through"
    );
    assert_eq!(ws.read_text("doc.md"), input, "document changed");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        lines(&[
            "error: doc.md: cannot use assets folder ./doc.assets: it is a symlink; extract writes only into a real folder; the document was left as it was",
            &format!("{}, 1 document failed", extract_summary(1, 0, 0, 0, 0, 0)),
        ])
    );
    assert_eq!(run.code, Some(2));
}

#[test]
fn file_symlink_not_followed() {
    let ws = Workspace::new();
    let png = png(1);
    let secret = png_other();
    ws.write("secret.png", &secret);
    ws.mkdir("doc.assets");
    std::os::unix::fs::symlink("../secret.png", ws.join("doc.assets/chart.png")).unwrap();
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    let run = extract_doc(&ws, &input, &[]);
    let expected = "![chart](doc.assets/chart-2.png)\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("secret.png"), secret, "written through the symlink");
    assert_eq!(ws.read("doc.assets/chart-2.png"), png);
    assert!(
        ws.join("doc.assets/chart.png")
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink(),
        "symlink replaced"
    );
}

#[test]
fn symlink_to_identical_file_not_reused() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("same.png", &png);
    ws.mkdir("doc.assets");
    std::os::unix::fs::symlink("../same.png", ws.join("doc.assets/chart.png")).unwrap();
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    let run = extract_doc(&ws, &input, &[]);
    let expected = "![chart](doc.assets/chart-2.png)\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert_eq!(ws.read("doc.assets/chart-2.png"), png);
}

#[test]
fn dangling_symlink_not_followed() {
    let ws = Workspace::new();
    let png = png(1);
    ws.mkdir("doc.assets");
    std::os::unix::fs::symlink("../nowhere.png", ws.join("doc.assets/chart.png")).unwrap();
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    let run = extract_doc(&ws, &input, &[]);
    let expected = "![chart](doc.assets/chart-2.png)\n";
    assert_clean_extract(&run, &input, expected, 1, 1);
    assert!(
        !ws.exists("nowhere.png"),
        "created through the dangling symlink"
    );
    assert_eq!(ws.read("doc.assets/chart-2.png"), png);
}

#[test]
fn check_writes_no_files() {
    let ws = Workspace::new();
    let png = png(1);
    let input = format!("![chart]({})\n", data_uri("image/png", &png));
    let run = extract_doc(&ws, &input, &["--check"]);
    let output = "![chart](doc.assets/chart.png)\n";
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        lines(&[
            "would change: doc.md",
            &check_summary(1, 1, 1, 1, removed(&input, output), 0),
        ])
    );
    assert_eq!(run.code, Some(1));
    assert_eq!(listing(&ws, "."), ["doc.md"]);
    assert_eq!(ws.read_text("doc.md"), input);
}

#[test]
fn check_nothing_to_extract() {
    let ws = Workspace::new();
    let input = "![local](a.png)\n";
    let run = extract_doc(&ws, input, &["--check"]);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, lines(&[&check_summary(1, 0, 0, 0, 0, 0)]));
    assert_eq!(run.code, Some(0));
}

// Embed followed by extract.

#[test]
fn embed_extract_keeps_other_bytes() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("img/a.png", &png);
    let input = "\u{feff}---\r\ncover: img/cover.png\r\n---\r\n* item with snake\\_case\r\n![x](img/a.png){width=50%}   ";
    ws.write("doc.md", input);
    let embedded = ws.run(&["embed", "-i", "doc.md"]);
    assert_eq!(embedded.code, Some(0), "{}", embedded.stderr);
    let uri = data_uri("image/png", &png);
    assert_eq!(
        ws.read_text("doc.md"),
        input.replace("img/a.png)", &format!("{uri})"))
    );

    let run = ws.run(&["extract", "-i", "doc.md"]);
    let expected = input.replace("img/a.png)", "doc.assets/x.png)");
    assert_eq!(ws.read_text("doc.md"), expected);
    assert_eq!(ws.read("doc.assets/x.png"), png);
    assert_eq!(run.code, Some(0));
}

#[test]
fn embed_extract_restores_original() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("img/a.png", &png);
    let input = "\u{feff}---\r\ncover: img/cover.png\r\n---\r\n* item with snake\\_case\r\n![a](img/a.png){width=50%}   ";
    ws.write("doc.md", input);
    ws.run(&["embed", "-i", "doc.md"]);
    let run = ws.run(&["extract", "-i", "--assets-dir", "img", "doc.md"]);
    assert_eq!(ws.read_text("doc.md"), input);
    assert_eq!(listing(&ws, "img"), ["a.png"]);
    assert_eq!(
        run.stderr,
        lines(&[&extract_summary(
            1,
            1,
            1,
            0,
            data_uri("image/png", &png).len() - "img/a.png".len(),
            0
        )])
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn embedded_uri_decodes_exactly() {
    let ws = Workspace::new();
    let png = png_with_plus_and_slash();
    ws.write("a.png", &png);
    ws.write("doc.md", "![dot](a.png)\n");
    let embedded = ws.run(&["embed", "doc.md"]);
    let uri = data_uri("image/png", &png);
    assert_eq!(embedded.stdout, format!("![dot]({uri})\n"));
    assert!(uri.contains('+') && uri.contains('/'), "precondition");
    assert!(!uri.contains([' ', '\n', '\r', '-', '_']), "precondition");

    ws.write("embedded.md", &embedded.stdout);
    let run = ws.run(&["extract", "embedded.md"]);
    assert_eq!(run.stdout, "![dot](embedded.assets/dot.png)\n");
    assert_eq!(ws.read("embedded.assets/dot.png"), png);
}

#[test]
fn missing_document_fails() {
    let ws = Workspace::new();
    let run = ws.run(&["extract", "nope.md"]);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        lines(&[
            "error: input `nope.md` not found",
            &format!("{}, 1 document failed", extract_summary(0, 0, 0, 0, 0, 0)),
        ])
    );
    assert_eq!(run.code, Some(2));
}

#[test]
fn identical_file_under_other_name_reused() {
    let ws = Workspace::new();
    let image = png(3);
    ws.write("doc.assets/loss.png", &image);
    let input = format!("![损失曲线]({})\n", data_uri("image/png", &image));
    let run = extract_doc(&ws, &input, &[]);
    assert_clean_extract(&run, &input, "![损失曲线](doc.assets/loss.png)\n", 1, 0);
    assert_eq!(listing(&ws, "doc.assets"), vec!["loss.png"]);
}

#[test]
fn name_differing_in_case_not_reused() {
    let ws = Workspace::new();
    ws.write("doc.assets/Chart.png", png(1));
    let image = png(2);
    let input = format!("![chart]({})\n", data_uri("image/png", &image));
    let run = extract_doc(&ws, &input, &[]);
    assert_clean_extract(&run, &input, "![chart](doc.assets/chart-2.png)\n", 1, 1);
    assert_eq!(listing(&ws, "doc.assets"), vec!["Chart.png", "chart-2.png"]);
    assert_eq!(ws.read("doc.assets/chart-2.png"), image);
}
