//! `mdembed embed` on single documents: which references are found in which syntax, what the
//! data URI looks like, how destinations resolve to files, and that no other byte changes.
//!
//! Every test runs the real binary in a fresh temporary folder with images made by the test,
//! and compares standard output, standard error and the exit status with exact values. Data
//! URIs in expected values are computed here with base64's standard engine, never taken from
//! the tool.

mod common;

use common::*;

// Markdown image syntax.

#[test]
fn inline_image_embedded() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "Intro ![a dot](a.png \"The title\") outro.\n";
    let run = embed_doc(&ws, input, &[]);
    let uri = data_uri("image/png", &png);
    let expected = format!("Intro ![a dot]({uri} \"The title\") outro.\n");
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn reference_styles_rewrite_definitions_once() {
    let ws = Workspace::new();
    let (logo, diagram, chart) = (png(1), png(2), png(3));
    ws.write("img/logo.png", &logo);
    ws.write("img/diagram.png", &diagram);
    ws.write("img/chart 2024.png", &chart);
    let input = "![Logo][brand] and again ![logo][BRAND]\n\
                 ![diagram][]\n\
                 ![chart]\n\
                 \n\
                 [brand]: img/logo.png\n    \"Company logo\"\n\
                 [diagram]: img/diagram.png\n\
                 [chart]: <img/chart 2024.png>\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "![Logo][brand] and again ![logo][BRAND]\n\
         ![diagram][]\n\
         ![chart]\n\
         \n\
         [brand]: {}\n    \"Company logo\"\n\
         [diagram]: {}\n\
         [chart]: {}\n",
        data_uri("image/png", &logo),
        data_uri("image/png", &diagram),
        data_uri("image/png", &chart),
    );
    assert_clean_embed(&run, input, &expected, 4);
}

/// A definition shared by two images is rewritten even when another reference in the document
/// has to be left as written: the images sharing it are checked together, not one by one.
#[test]
fn shared_definition_embedded_beside_unsafe_reference() {
    let ws = Workspace::new();
    let dot = png(1);
    ws.write("dot.png", &dot);
    ws.write("a b.png", png(2));
    // Without its space the first line's destination turns the line into a definition.
    let input = "[x]:![](<a b.png>)\n\n![one][d] ![two][d]\n\n[d]: dot.png\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "[x]:![](<a b.png>)\n\n![one][d] ![two][d]\n\n[d]: {}\n",
        data_uri("image/png", &dot)
    );
    assert_eq!(run.stdout, expected, "standard output");
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: left as written because the new destination would change how the document parses: <a b.png> (doc.md:1:5)",
            &summary(1, 1, 2, added(input, &expected), 1),
        ]),
        "standard error"
    );
    assert_eq!(run.code, Some(1), "exit status");
}

/// Counts the images pulldown-cmark renders in `markdown`.
fn rendered_images(markdown: &str) -> usize {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(markdown));
    html.matches("<img ").count()
}

/// A definition used by so many images that its data URI, copied into each, passes the 100 KB
/// that pulldown-cmark resolves: each image gets its own inline destination, so that all of
/// them still render.
#[test]
fn definition_used_many_times_inlined() {
    let ws = Workspace::new();
    let picture = noise_png(20, 20);
    ws.write("y.png", &picture);
    let uri = data_uri("image/png", &picture);
    assert!(
        uri.len() * 60 > 100_000,
        "the data URI is {} bytes",
        uri.len()
    );
    let input = format!("{}\n\n[y]: y.png\n", vec!["![y]"; 60].join(" "));
    let run = embed_doc(&ws, &input, &[]);
    let inline = format!("![y]({uri})");
    let expected = format!("{}\n\n[y]: y.png\n", vec![inline.as_str(); 60].join(" "));
    assert_clean_embed(&run, &input, &expected, 60);
    assert_eq!(rendered_images(&run.stdout), 60);
}

/// Below the limit the definition contains the data URI once.
#[test]
fn definition_used_few_times_rewritten() {
    let ws = Workspace::new();
    let picture = noise_png(20, 20);
    ws.write("y.png", &picture);
    let input = "![y] ![y] ![y]\n\n[y]: y.png\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "![y] ![y] ![y]\n\n[y]: {}\n",
        data_uri("image/png", &picture)
    );
    assert_clean_embed(&run, input, &expected, 3);
    assert_eq!(rendered_images(&run.stdout), 3);
}

/// An input whose existing data-URI definition already uses up most of what pulldown-cmark
/// resolves still shows every image after embedding: the new image gets its own destination
/// instead of copying its data URI from a definition too.
#[test]
fn definition_beside_data_uri_definition_inlined() {
    let ws = Workspace::new();
    let (big, small) = (noise_png(87, 87), noise_png(65, 65));
    ws.write("y.png", &small);
    let existing = data_uri("image/png", &big);
    assert!(
        existing.len() * 3 > 100_000,
        "the data URI is {} bytes",
        existing.len()
    );
    let input = format!("![y]\n\n![a][d] ![b][d] ![c][d]\n\n[y]: y.png\n[d]: {existing}\n");
    assert_eq!(rendered_images(&input), 4);
    let run = embed_doc(&ws, &input, &[]);
    let expected = format!(
        "![y]({})\n\n![a][d] ![b][d] ![c][d]\n\n[y]: y.png\n[d]: {existing}\n",
        data_uri("image/png", &small)
    );
    assert_clean_embed(&run, &input, &expected, 1);
    assert_eq!(rendered_images(&run.stdout), 4);
}

/// Reference style puts each image's data URI in one definition. When the images using it
/// would copy more than pulldown-cmark resolves, the document stays inline with a warning.
#[test]
fn reference_style_many_uses_stays_inline() {
    let ws = Workspace::new();
    let picture = noise_png(20, 20);
    ws.write("y.png", &picture);
    let uri = data_uri("image/png", &picture);
    let input = format!("{}\n", vec!["![y](y.png)"; 60].join(" "));
    let run = embed_doc(&ws, &input, &["--style", "reference"]);
    let inline = format!("![y]({uri})");
    let expected = format!("{}\n", vec![inline.as_str(); 60].join(" "));
    assert_eq!(run.stdout, expected, "standard output");
    let copied = 60 * uri.len();
    assert_eq!(
        run.stderr,
        lines(&[
            &format!(
                "warning: doc.md: data URIs kept inline: images used several times would copy {copied} bytes from their definitions, more than pulldown-cmark resolves in a document of this size, which would show the rest as text"
            ),
            &summary(1, 1, 60, added(&input, &expected), 1),
        ]),
        "standard error"
    );
    assert_eq!(rendered_images(&run.stdout), 60);
}

#[test]
fn shared_definition_noted_with_verbose() {
    let ws = Workspace::new();
    let logo = png(1);
    ws.write("logo.png", &logo);
    let input = "![a][Brand] ![b][brand]\n\n[BRAND]: logo.png\n";
    let run = embed_doc(&ws, input, &["-v"]);
    let expected = format!(
        "![a][Brand] ![b][brand]\n\n[BRAND]: {}\n",
        data_uri("image/png", &logo)
    );
    assert_eq!(run.stdout, expected);
    let size = logo.len();
    let embedded_1 = format!("embedded: logo.png as image/png, {size} bytes (doc.md:1:1)");
    let embedded_2 = format!("embedded: logo.png as image/png, {size} bytes (doc.md:1:13)");
    let note = "note: shares a reference definition already rewritten: logo.png (doc.md:1:13)";
    let line = summary(1, 1, 2, added(input, &expected), 0);
    assert!(
        without_references(&run.stderr).starts_with(&lines(&[
            &embedded_1,
            &embedded_2,
            note,
            &line
        ])),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn definition_used_by_link_kept() {
    let ws = Workspace::new();
    let logo = png(1);
    ws.write("img/logo.png", &logo);
    let input = "See [the logo][brand], ![Logo][brand], ![brand][] and ![brand] here.\n\
                 \n\
                 [brand]: img/logo.png \"Company logo\"\n";
    let run = embed_doc(&ws, input, &[]);
    let uri = data_uri("image/png", &logo);
    let expected = format!(
        "See [the logo][brand], ![Logo]({uri} \"Company logo\"), ![brand]({uri} \"Company logo\") \
         and ![brand]({uri} \"Company logo\") here.\n\
         \n\
         [brand]: img/logo.png \"Company logo\"\n"
    );
    assert_clean_embed(&run, input, &expected, 3);
}

#[test]
fn definition_used_by_link_noted_with_verbose() {
    let ws = Workspace::new();
    let logo = png(1);
    ws.write("logo.png", &logo);
    let input = "[x][l] ![y][l]\n\n[l]: logo.png\n";
    let run = embed_doc(&ws, input, &["-v"]);
    let uri = data_uri("image/png", &logo);
    let expected = format!("[x][l] ![y]({uri})\n\n[l]: logo.png\n");
    assert_eq!(run.stdout, expected);
    let embedded = format!(
        "embedded: logo.png as image/png, {} bytes (doc.md:1:8)",
        logo.len()
    );
    let note = "note: its reference definition is also used by links, so the image got its own \
                inline destination: logo.png (doc.md:1:8)";
    let line = summary(1, 1, 1, added(input, &expected), 0);
    assert!(
        without_references(&run.stderr).starts_with(&lines(&[&embedded, note, &line])),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn image_inside_link_only_image_changes() {
    let ws = Workspace::new();
    let (build, fig) = (png(1), png(2));
    ws.write("badges/build.png", &build);
    ws.write("figs/fig2.png", &fig);
    ws.write("figs/chart.png", png(3));
    let input = "[![build](badges/build.png)](https://ci.example.org/job/1)\n\
                 [![Fig 2](figs/fig2.png \"Figure 2\")](figs/fig2.png)\n\
                 See [the full-size chart](figs/chart.png).\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "[![build]({})](https://ci.example.org/job/1)\n\
         [![Fig 2]({} \"Figure 2\")](figs/fig2.png)\n\
         See [the full-size chart](figs/chart.png).\n",
        data_uri("image/png", &build),
        data_uri("image/png", &fig),
    );
    assert_clean_embed(&run, input, &expected, 2);
}

#[test]
fn images_in_containers_embedded() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "| a | b |\n\
                 |---|---|\n\
                 | ![t](a.png) | x |\n\
                 \n\
                 - item ![l](a.png)\n  \
                   1. nested ![n](a.png)\n\
                 \n\
                 > quote ![q](a.png)\n\
                 > > deeper ![d](a.png)\n\
                 \n\
                 Text[^1].\n\
                 \n\
                 [^1]: Footnote ![f](a.png)\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = input.replace("(a.png)", &format!("({})", data_uri("image/png", &png)));
    assert_clean_embed(&run, input, &expected, 6);
}

#[test]
fn title_quote_styles_and_parentheses_kept() {
    let ws = Workspace::new();
    let (p, q, r) = (png(1), png(2), png(3));
    ws.write("img/plot(1).png", &p);
    ws.write("img/a b(2).png", &q);
    ws.write("img/r.png", &r);
    let input = "![p](img/plot(1).png \"Result (final)\")\n\
                 ![q](<img/a b(2).png> 'single quoted')\n\
                 ![r](img/r.png (parenthesized))\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "![p]({} \"Result (final)\")\n![q]({} 'single quoted')\n![r]({} (parenthesized))\n",
        data_uri("image/png", &p),
        data_uri("image/png", &q),
        data_uri("image/png", &r),
    );
    assert_clean_embed(&run, input, &expected, 3);
}

#[test]
fn raw_space_path_is_not_an_image() {
    let ws = Workspace::new();
    let shot = png(1);
    ws.write("shots/login page.png", &shot);
    let input =
        "![a](<shots/login page.png>)\n![b](shots/login%20page.png)\n![c](shots/login page.png)\n";
    let run = embed_doc(&ws, input, &[]);
    let uri = data_uri("image/png", &shot);
    let expected = format!("![a]({uri})\n![b]({uri})\n![c](shots/login page.png)\n");
    assert_eq!(run.stdout, expected);
    // `c` may get a warning that suggests the `<...>` form; its wording and count are not
    // asserted here.
    let prefix = format!(
        "1 document read, 1 changed, 2 images embedded, {} bytes added, ",
        added(input, &expected)
    );
    let last = run.stderr_lines().last().copied().unwrap_or_default();
    assert!(last.starts_with(&prefix), "summary: {last}");
    assert!(
        !run.stderr.contains("not found"),
        "standard error: {}",
        run.stderr
    );
}

// Raw HTML.

#[test]
fn html_img_quote_styles() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input =
        "<img src=\"a.png\">\n\n<img src='a.png'>\n\n<img src=a.png>\n\n<img src=a.png />\n";
    let run = embed_doc(&ws, input, &[]);
    let uri = data_uri("image/png", &png);
    let expected = format!(
        "<img src=\"{uri}\">\n\n<img src='{uri}'>\n\n<img src=\"{uri}\">\n\n<img src=\"{uri}\" />\n"
    );
    assert_clean_embed(&run, input, &expected, 4);
}

#[test]
fn unquoted_value_includes_slash() {
    // In HTML an unquoted value runs up to whitespace or `>`, so this `src` is `a.png/`.
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let input = "<img src=a.png/>\n";
    let run = embed_doc(&ws, input, &[]);
    assert_eq!(run.stdout, input);
    let line = summary(1, 0, 0, 0, 1);
    assert_eq!(
        run.stderr,
        lines(&["warning: image not found: a.png/ (doc.md:1:1)", &line])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn html_img_attributes_and_case_kept() {
    let ws = Workspace::new();
    let shot = png(1);
    let quote = png(2);
    ws.write("shots/login.png", &shot);
    ws.write("shots/it's.png", &quote);
    ws.write("shots/lazy.png", png(3));
    let input = "<img alt=\"Login\" src='shots/login.png' width=300>\n\
                 <IMG SRC=shots/login.png>\n\
                 <p align=\"center\"><img src=\"shots/it's.png\" style=\"zoom:50%;\"/> then <a href=\"x.html\">x</a></p>\n\
                 <img data-src=\"shots/lazy.png\">\n";
    let run = embed_doc(&ws, input, &[]);
    let uri = data_uri("image/png", &shot);
    let expected = format!(
        "<img alt=\"Login\" src='{uri}' width=300>\n\
         <IMG SRC=\"{uri}\">\n\
         <p align=\"center\"><img src=\"{}\" style=\"zoom:50%;\"/> then <a href=\"x.html\">x</a></p>\n\
         <img data-src=\"shots/lazy.png\">\n",
        data_uri("image/png", &quote),
    );
    assert_clean_embed(&run, input, &expected, 3);
}

#[test]
fn typora_img_with_zoom_style() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("note.assets/image-20240101.png", &png);
    let input = "Screenshot:\n\n<img src=\"note.assets/image-20240101.png\" alt=\"image-20240101\" style=\"zoom:50%;\" />\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "Screenshot:\n\n<img src=\"{}\" alt=\"image-20240101\" style=\"zoom:50%;\" />\n",
        data_uri("image/png", &png)
    );
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn inline_html_img_in_paragraph() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "Text with <Img Width=\"20\" Src=a.png> inline and <b>bold</b>.\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "Text with <Img Width=\"20\" Src=\"{}\"> inline and <b>bold</b>.\n",
        data_uri("image/png", &png)
    );
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn srcset_candidates_keep_descriptors() {
    let ws = Workspace::new();
    let (small, big) = (png(1), png(2));
    ws.write("small.png", &small);
    ws.write("big.png", &big);
    let input = "<img src=\"small.png\" srcset=\"small.png 1x, big.png 2x\" alt=\"x\">\n\n\
                 <img srcset=\"small.png 480w,big.png 800w\" sizes=\"50vw\" src=\"small.png\">\n";
    let run = embed_doc(&ws, input, &[]);
    let small_uri = data_uri("image/png", &small);
    let big_uri = data_uri("image/png", &big);
    let expected = format!(
        "<img src=\"{small_uri}\" srcset=\"{small_uri} 1x, {big_uri} 2x\" alt=\"x\">\n\n\
         <img srcset=\"{small_uri} 480w,{big_uri} 800w\" sizes=\"50vw\" src=\"{small_uri}\">\n"
    );
    assert_clean_embed(&run, input, &expected, 6);
}

#[test]
fn picture_source_srcset_embedded() {
    let ws = Workspace::new();
    let (webp, fallback) = (webp(1), png(2));
    ws.write("hero.webp", &webp);
    ws.write("hero.png", &fallback);
    let input = "<picture>\n  <source srcset=\"hero.webp\" type=\"image/webp\">\n  <img src=\"hero.png\" alt=\"Hero\">\n</picture>\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "<picture>\n  <source srcset=\"{}\" type=\"image/webp\">\n  <img src=\"{}\" alt=\"Hero\">\n</picture>\n",
        data_uri("image/webp", &webp),
        data_uri("image/png", &fallback),
    );
    assert_clean_embed(&run, input, &expected, 2);
}

#[test]
fn html_in_block_quotes_embedded() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "> <p align=\"center\">\n\
                 > <img width=\"40\"\n\
                 >   src=\"a.png\">\n\
                 > </p>\n\
                 \n\
                 > Quoted text <img src='a.png'> inline.\n";
    let run = embed_doc(&ws, input, &[]);
    let uri = data_uri("image/png", &png);
    let expected = format!(
        "> <p align=\"center\">\n\
         > <img width=\"40\"\n\
         >   src=\"{uri}\">\n\
         > </p>\n\
         \n\
         > Quoted text <img src='{uri}'> inline.\n"
    );
    assert_clean_embed(&run, input, &expected, 2);
}

// Places that are never touched.

#[test]
fn code_and_comments_untouched() {
    let ws = Workspace::new();
    // pic.png is missing: a warning would show that code was read as an image.
    let input = "Use `![alt](pic.png)` in your docs.\n\
                 \n\
                 ```md\n\
                 ![example](pic.png)\n\
                 <img src=\"pic.png\">\n\
                 ```\n\
                 \n    \
                     ![indented](pic.png)\n\
                 \n\
                 <!-- ![old](pic.png) -->\n";
    let run = embed_doc(&ws, input, &[]);
    assert_clean_embed(&run, input, input, 0);
}

#[test]
fn code_and_comments_untouched_when_file_exists() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let input = "Inline `![a](a.png)` and ``<img src=\"a.png\">``.\n\
                 \n\
                 ~~~\n![a](a.png)\n~~~\n\
                 \n\
                 <!--\n<img src=\"a.png\">\n![a](a.png)\n-->\n\
                 \n\
                 A [link](a.png) and [ref link][r].\n\
                 \n\
                 [r]: a.png\n";
    let run = embed_doc(&ws, input, &[]);
    assert_clean_embed(&run, input, input, 0);
}

#[test]
fn yaml_front_matter_untouched() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "---\ncover: ![c](a.png)\nhtml: <img src=\"a.png\">\n---\n![body](a.png)\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "---\ncover: ![c](a.png)\nhtml: <img src=\"a.png\">\n---\n![body]({})\n",
        data_uri("image/png", &png)
    );
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn toml_front_matter_untouched() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "+++\ntitle = \"![c](a.png)\"\n+++\n\n![body](a.png)\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "+++\ntitle = \"![c](a.png)\"\n+++\n\n![body]({})\n",
        data_uri("image/png", &png)
    );
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn document_without_images_identical() {
    let ws = Workspace::new();
    let input = "# Title\r\n\r\n* one\r\n* two\t\r\n\r\nA [link](a.png) and https://example.org.";
    let run = embed_doc(&ws, input, &[]);
    assert_clean_embed(&run, input, input, 0);
}

// Byte preservation.

#[test]
fn bom_crlf_and_formatting_preserved() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("img/a.png", &png);
    let input = "\u{feff}---\r\ncover: img/cover.png\r\n---\r\n\
                 * item with snake\\_case\r\n\
                 * tab\tinside   \r\n\
                 ![x](img/a.png){width=50%}   ";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "\u{feff}---\r\ncover: img/cover.png\r\n---\r\n\
         * item with snake\\_case\r\n\
         * tab\tinside   \r\n\
         ![x]({}){{width=50%}}   ",
        data_uri("image/png", &png)
    );
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn bom_does_not_hide_first_line_image() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "\u{feff}![first](a.png)\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!("\u{feff}![first]({})\n", data_uri("image/png", &png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn in_place_keeps_other_bytes() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("img/a.png", &png);
    let input = "\u{feff}* snake\\_case\r\n+ plus bullet\r\n\r\n![x](img/a.png)   \r\n\ttabbed";
    ws.write("doc.md", input);
    let run = ws.run(&["embed", "-i", "doc.md"]);
    let expected = input.replace("img/a.png", &data_uri("image/png", &png));
    assert_eq!(ws.read_text("doc.md"), expected);
    assert_eq!(run.stdout, "");
    assert_eq!(run.code, Some(0));
}

// The data URI.

#[test]
fn mime_types_by_format() {
    let ws = Workspace::new();
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a.png", png(1), "image/png"),
        ("b.jpg", jpeg(2), "image/jpeg"),
        ("c.gif", gif(3), "image/gif"),
        ("d.webp", webp(4), "image/webp"),
        ("e.bmp", bmp(5), "image/bmp"),
        ("f.ico", ico(6), "image/x-icon"),
        ("h.svg", svg(), "image/svg+xml"),
    ];
    let mut input = String::new();
    let mut expected = String::new();
    for (name, bytes, mime) in &files {
        ws.write(name, bytes);
        input.push_str(&format!("![{name}]({name})\n"));
        expected.push_str(&format!("![{name}]({})\n", data_uri(mime, bytes)));
    }
    let run = embed_doc(&ws, &input, &[]);
    assert_clean_embed(&run, &input, &expected, files.len());
}

#[test]
fn tiff_converted_to_png_for_browsers() {
    use base64::Engine;
    let ws = Workspace::new();
    let source = tiff(7);
    ws.write("g.tiff", &source);
    let input = "![g](g.tiff)\n";
    let run = embed_doc(&ws, input, &[]);
    let prefix = "![g](data:image/png;base64,";
    assert!(run.stdout.starts_with(prefix), "output: {}", run.stdout);
    let payload = run.stdout[prefix.len()..].trim_end().trim_end_matches(')');
    let png = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .unwrap();
    let converted = image::load_from_memory(&png).unwrap().to_rgba8();
    let original = image::load_from_memory(&source).unwrap().to_rgba8();
    assert_eq!(converted, original);
    assert_eq!(run.code, Some(0));
}

#[test]
fn mime_from_content_not_extension() {
    let ws = Workspace::new();
    let (photo, shot, icon) = (jpeg(1), jpeg(2), jpeg(3));
    ws.write("photo.jpg", &photo);
    ws.write("shot.png", &shot);
    ws.write("ICON.JPEG", &icon);
    let input = "![p](photo.jpg) ![s](shot.png) ![i](ICON.JPEG)\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "![p]({}) ![s]({}) ![i]({})\n",
        data_uri("image/jpeg", &photo),
        data_uri("image/jpeg", &shot),
        data_uri("image/jpeg", &icon),
    );
    assert_clean_embed(&run, input, &expected, 3);
    assert!(
        !run.stdout.contains("image/jpg;"),
        "image/jpg written: {}",
        run.stdout
    );
}

#[test]
fn svg_sniffed_without_svg_extension() {
    let ws = Workspace::new();
    let svg = svg();
    let bare_svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"/>".to_vec();
    ws.write("drawing.xml", &svg);
    ws.write("drawing", &bare_svg);
    let input = "![x](drawing.xml) ![n](drawing)\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "![x]({}) ![n]({})\n",
        data_uri("image/svg+xml", &svg),
        data_uri("image/svg+xml", &bare_svg),
    );
    assert_clean_embed(&run, input, &expected, 2);
}

#[test]
fn base64_standard_padded_one_line() {
    let ws = Workspace::new();
    // Picks the first seed whose encoding shows `+`, `/` and padding, so the test covers them.
    let png = (0..=255u8)
        .map(png)
        .find(|bytes| {
            let uri = data_uri("image/png", bytes);
            uri.contains('+') && uri[22..].contains('/') && uri.ends_with('=')
        })
        .expect("a PNG whose base64 has +, / and padding");
    ws.write("a.png", &png);
    let input = "![a](a.png)\n";
    let run = embed_doc(&ws, input, &[]);
    let uri = data_uri("image/png", &png);
    assert_clean_embed(&run, input, &format!("![a]({uri})\n"), 1);
    let written = &run.stdout["![a](".len()..run.stdout.len() - ")\n".len()];
    assert!(
        !written.contains(['-', '_', ' ', '\n', '\r']),
        "URI: {written}"
    );
    assert_eq!(decode_payload(written), png);
}

// Resolving a destination to a file.

#[test]
fn percent_encoded_names_decoded() {
    let ws = Workspace::new();
    let (space, chinese, umlaut) = (png(1), png(2), jpeg(3));
    ws.write("my pic.png", &space);
    ws.write("图.png", &chinese);
    ws.write("img/Bäume.jpg", &umlaut);
    let input = "![s](my%20pic.png)\n![c](%E5%9B%BE.png)\n![u](img/B%C3%A4ume.jpg)\n![r](图.png)\n";
    let run = embed_doc(&ws, input, &[]);
    let chinese_uri = data_uri("image/png", &chinese);
    let expected = format!(
        "![s]({})\n![c]({chinese_uri})\n![u]({})\n![r]({chinese_uri})\n",
        data_uri("image/png", &space),
        data_uri("image/jpeg", &umlaut),
    );
    assert_clean_embed(&run, input, &expected, 4);
}

#[test]
fn angle_brackets_replaced_whole() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("my pic.png", &png);
    let input = "![a](<my pic.png> \"t\")\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!("![a]({} \"t\")\n", data_uri("image/png", &png));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn escapes_and_entities_decoded() {
    let ws = Workspace::new();
    let (under, accent, hex) = (png(1), png(2), png(3));
    ws.write("a_b.png", &under);
    ws.write("café.png", &accent);
    ws.write("A.png", &hex);
    let input =
        "![u](a\\_b.png) ![e](caf&eacute;.png) ![h](&#x41;.png)\n\n<img src=\"caf&eacute;.png\">\n";
    let run = embed_doc(&ws, input, &[]);
    let accent_uri = data_uri("image/png", &accent);
    let expected = format!(
        "![u]({}) ![e]({accent_uri}) ![h]({})\n\n<img src=\"{accent_uri}\">\n",
        data_uri("image/png", &under),
        data_uri("image/png", &hex),
    );
    assert_clean_embed(&run, input, &expected, 4);
}

#[test]
fn query_suffix_dropped_when_no_such_file() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("a.png", &png);
    let input = "![a](a.png?raw=true) ![b](a.png#frag)\n";
    let run = embed_doc(&ws, input, &["-v"]);
    let uri = data_uri("image/png", &png);
    let expected = format!("![a]({uri}) ![b]({uri})\n");
    assert_eq!(run.stdout, expected);
    let size = png.len();
    let first = format!("embedded: a.png?raw=true as image/png, {size} bytes (doc.md:1:1)");
    let first_note = "note: found after dropping the suffix ?raw=true: a.png?raw=true (doc.md:1:1)";
    let second = format!("embedded: a.png#frag as image/png, {size} bytes (doc.md:1:22)");
    let second_note = "note: found after dropping the suffix #frag: a.png#frag (doc.md:1:22)";
    let line = summary(1, 1, 2, added(input, &expected), 0);
    assert!(
        without_references(&run.stderr).starts_with(&lines(&[
            &first,
            first_note,
            &second,
            second_note,
            &line
        ])),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn literal_query_name_preferred() {
    let ws = Workspace::new();
    let (literal, plain) = (png(1), png(2));
    ws.write("a.png?v=2", &literal);
    ws.write("a.png", &plain);
    let input = "![a](a.png?v=2)\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!("![a]({})\n", data_uri("image/png", &literal));
    assert_clean_embed(&run, input, &expected, 1);
}

#[test]
fn windows_backslashes_tried_as_separators() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("assets/login.png", &png);
    let input = "![shot](assets\\login.png)\n![abs](C:\\Users\\someone\\Pictures\\x.png)\n";
    let run = embed_doc(&ws, input, &["-v"]);
    let expected = format!(
        "![shot]({})\n![abs](C:\\Users\\someone\\Pictures\\x.png)\n",
        data_uri("image/png", &png)
    );
    assert_eq!(run.stdout, expected);
    let embedded = format!(
        "embedded: assets\\login.png as image/png, {} bytes (doc.md:1:1)",
        png.len()
    );
    let note = "note: found with backslashes read as separators: assets\\login.png (doc.md:1:1)";
    let missing = "warning: image not found: C:\\Users\\someone\\Pictures\\x.png (doc.md:2:1)";
    let line = summary(1, 1, 1, added(input, &expected), 1);
    assert!(
        without_references(&run.stderr).starts_with(&lines(&[&embedded, note, missing, &line])),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn file_url_and_absolute_path_inside_root() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("img/a.png", &png);
    let absolute = ws.canonical().join("img/a.png");
    let absolute = absolute.to_str().expect("UTF-8 temporary path");
    let input = format!("![f](file://{absolute})\n![p]({absolute})\n");
    let run = embed_doc(&ws, &input, &[]);
    let uri = data_uri("image/png", &png);
    let expected = format!("![f]({uri})\n![p]({uri})\n");
    assert_clean_embed(&run, &input, &expected, 2);
}

#[test]
fn root_relative_path_under_root() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("site/img/a.png", &png);
    let input = "![a](/img/a.png)\n";
    ws.write("site/docs/page.md", input);
    let run = ws.run(&["embed", "-v", "--root", "site", "site/docs/page.md"]);
    let expected = format!("![a]({})\n", data_uri("image/png", &png));
    assert_eq!(run.stdout, expected);
    let embedded = format!(
        "embedded: /img/a.png as image/png, {} bytes (site/docs/page.md:1:1)",
        png.len()
    );
    let note = "note: root-relative path found under the root: /img/a.png (site/docs/page.md:1:1)";
    let line = summary(1, 1, 1, added(input, &expected), 0);
    assert!(
        without_references(&run.stderr).starts_with(&lines(&[&embedded, note, &line])),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn relative_to_document_folder() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("notes/img/gan.png", &png);
    let input = "![g](img/gan.png) ![up](../notes/img/gan.png)\n";
    ws.write("notes/gan.md", input);
    let run = ws.run(&["embed", "notes/gan.md"]);
    let uri = data_uri("image/png", &png);
    let expected = format!("![g]({uri}) ![up]({uri})\n");
    assert_clean_embed(&run, input, &expected, 2);
}

// References that are not local files.

#[test]
fn remote_and_data_uris_skipped() {
    let ws = Workspace::new();
    let input = "![a](data:image/png;base64,iVBORw0KGgo…)\n\
                 ![b](https://example.org/logo.png)\n\
                 ![c](http://example.org/logo.png)\n\
                 ![d](//cdn.example.org/logo.png)\n\
                 ![e](mailto:someone@example.org)\n\
                 <img src=\"https://example.org/x.png\">\n";
    let run = embed_doc(&ws, input, &["-v"]);
    assert_eq!(run.stdout, input);
    let expected_lines = [
        "skipped (data uri): data:image/png;base64,iVBORw0KGgo… (doc.md:1:1)",
        "skipped (remote): https://example.org/logo.png (doc.md:2:1)",
        "skipped (remote): http://example.org/logo.png (doc.md:3:1)",
        "skipped (remote): //cdn.example.org/logo.png (doc.md:4:1)",
        "skipped (other scheme): mailto:someone@example.org (doc.md:5:1)",
        "skipped (remote): https://example.org/x.png (doc.md:6:1)",
    ];
    let line = summary(1, 0, 0, 0, 0);
    let mut all: Vec<&str> = expected_lines.to_vec();
    all.push(&line);
    assert!(
        without_references(&run.stderr).starts_with(&lines(&all)),
        "standard error: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn empty_and_fragment_destinations_skipped() {
    let ws = Workspace::new();
    let input = "![e]()\n\n<img src=\"\">\n\n![f](#top)\n";
    let run = embed_doc(&ws, input, &[]);
    assert_clean_embed(&run, input, input, 0);
}

#[test]
fn remote_skipped_silently_without_verbose() {
    let ws = Workspace::new();
    let input = "![b](https://example.org/logo.png)\n";
    let run = embed_doc(&ws, input, &[]);
    assert_clean_embed(&run, input, input, 0);
}

#[test]
fn missing_root_relative_path_warned() {
    let ws = Workspace::new();
    let input = "![c](/static/logo.png)\n";
    let run = embed_doc(&ws, input, &[]);
    assert_eq!(run.stdout, input);
    let line = summary(1, 0, 0, 0, 1);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: image not found: /static/logo.png (doc.md:1:1)",
            &line
        ])
    );
    assert_eq!(run.code, Some(1));
}

// Root confinement.

#[test]
fn references_outside_root_untouched() {
    let ws = Workspace::new();
    ws.write("outside.png", png(1));
    ws.mkdir("root");
    std::os::unix::fs::symlink("../outside.png", ws.join("root/link.png")).expect("symlink");
    let input = "![o](../outside.png)\n![l](link.png)\n![p](/etc/passwd)\n";
    ws.write("root/doc.md", input);
    let run = ws.run_in("root", &["embed", "doc.md"]);
    assert_eq!(run.stdout, input);
    let root = ws.canonical().join("root");
    let root = root.display();
    let expected = [
        format!(
            "warning: image outside the root {root} (use --root to allow it): ../outside.png (doc.md:1:1)"
        ),
        format!(
            "warning: image outside the root {root} (use --root to allow it): link.png (doc.md:2:1)"
        ),
        format!(
            "warning: image outside the root {root} (use --root to allow it): /etc/passwd (doc.md:3:1)"
        ),
        summary(1, 0, 0, 0, 3),
    ];
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(run.stderr, lines(&expected));
    assert_eq!(run.code, Some(1));
}

#[test]
fn root_option_allows_parent() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("outside.png", &png);
    let input = "![o](../outside.png)\n";
    ws.write("root/doc.md", input);
    let run = ws.run_in("root", &["embed", "--root", "..", "doc.md"]);
    let expected = format!("![o]({})\n", data_uri("image/png", &png));
    assert_clean_embed(&run, input, &expected, 1);
}

// Files that are not images.

#[test]
fn non_images_left_with_warnings() {
    let ws = Workspace::new();
    let png = png(1);
    ws.write("ok.png", &png);
    ws.write("fake.png", "just text, not an image\n");
    ws.write("empty.png", "");
    ws.mkdir("x.png");
    let input = "![f](fake.png)\n![e](empty.png)\n![d](x.png)\n![ok](ok.png)\n";
    let run = embed_doc(&ws, input, &[]);
    let expected = format!(
        "![f](fake.png)\n![e](empty.png)\n![d](x.png)\n![ok]({})\n",
        data_uri("image/png", &png)
    );
    assert_eq!(run.stdout, expected);
    let line = summary(1, 1, 1, added(input, &expected), 3);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: not an image (content is not a known image format): fake.png (doc.md:1:1)",
            "warning: not an image (empty file): empty.png (doc.md:2:1)",
            "warning: not an image (directory): x.png (doc.md:3:1)",
            &line,
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn fifo_image_does_not_block() {
    let ws = Workspace::new();
    let status = std::process::Command::new("mkfifo")
        .arg(ws.join("x.png"))
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo failed");
    let input = "![pipe](x.png)\n";
    let run = embed_doc(&ws, input, &[]);
    assert_eq!(run.code, Some(1), "killed after the timeout? {run:?}");
    assert_eq!(run.stdout, input);
    let line = summary(1, 0, 0, 0, 1);
    assert_eq!(
        run.stderr,
        lines(&["warning: not an image (FIFO): x.png (doc.md:1:1)", &line])
    );
}

// Diagnostics.

#[test]
fn warning_location_counts_characters() {
    let ws = Workspace::new();
    let input = "# 标题\n\n中文 ![a](img/gan.png)\n\n> 引用 <img src=\"gone.png\">\n";
    let run = embed_doc(&ws, input, &[]);
    assert_eq!(run.stdout, input);
    let line = summary(1, 0, 0, 0, 2);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: image not found: img/gan.png (doc.md:3:4)",
            "warning: image not found: gone.png (doc.md:5:6)",
            &line,
        ])
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn warning_location_after_bom_and_crlf() {
    let ws = Workspace::new();
    let input = "\u{feff}![a](missing.png)\r\n\r\n  ![b](gone.png)\r\n";
    let run = embed_doc(&ws, input, &[]);
    assert_eq!(run.stdout, input);
    let line = summary(1, 0, 0, 0, 2);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: image not found: missing.png (doc.md:1:1)",
            "warning: image not found: gone.png (doc.md:3:3)",
            &line,
        ])
    );
}

// A note in the style of an Obsidian chat plugin.

#[test]
fn chatgpt_style_note() {
    let ws = Workspace::new();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/chatgpt-note");
    let input = std::fs::read_to_string(fixture.join("note.md")).expect("read note fixture");
    let template = std::fs::read_to_string(fixture.join("expected.md")).expect("read expected");

    // `a.png` exists so that a tool rewriting the image inside the Python code would show it.
    let images: Vec<(&str, Vec<u8>, &str)> = vec![
        ("gan/samples/epoch_001.png", png(11), "image/png"),
        ("gan/samples/epoch 050.png", png(12), "image/png"),
        ("gan/samples/生成样本.jpg", jpeg(13), "image/jpeg"),
        ("gan/loss.svg", svg(), "image/svg+xml"),
        ("gan/a.png", png(14), "image/png"),
    ];
    let mut expected = template.clone();
    for (name, bytes, mime) in &images {
        ws.write(name, bytes);
        let placeholder = format!("{{{{{}}}}}", name.trim_start_matches("gan/"));
        expected = expected.replace(&placeholder, &data_uri(mime, bytes));
    }
    assert!(!expected.contains("{{"), "placeholder left in expected.md");
    ws.write("gan/GAN 笔记.md", &input);

    let run = ws.run(&["embed", "gan/GAN 笔记.md"]);
    assert_eq!(run.stdout, expected);
    let line = summary(1, 1, 5, added(&input, &expected), 0);
    assert_eq!(run.stderr, lines(&[&line]));
    assert_eq!(run.code, Some(0));
}

/// Standard error without the `references:` line that `-v` prints before the summary.
fn without_references(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|line| !line.starts_with("references: "))
        .map(|line| format!("{line}\n"))
        .collect()
}
