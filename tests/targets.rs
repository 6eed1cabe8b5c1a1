//! Renderer targets through the binary: which types each target keeps byte for byte, the
//! conversions of the others, SVG encodings, size warnings and `--style reference`.
//!
//! Converted images are compared by their decoded pixels and dimensions, since the bytes an
//! encoder writes are not part of the contract.

mod common;

use std::collections::BTreeMap;

use common::{
    Workspace, added, assert_clean_embed, bmp, data_uri, embed_doc, gif, ico, jpeg, lines, png,
    summary, svg, tiff, webp,
};
use image::{DynamicImage, ImageFormat, RgbImage, RgbaImage};

/// A 3x2 AVIF picture, encoded once with libavif, which mdembed cannot decode.
const AVIF: &[u8] = include_bytes!("browser/pixel.avif");

/// The targets that `--target` accepts besides `github`.
const TARGETS: [&str; 7] = [
    "browser",
    "portable",
    "markdown-it",
    "vscode",
    "joplin",
    "obsidian",
    "typora",
];

/// Returns every data URI in `text`, in order: from `data:` up to the character that ends a
/// Markdown destination or an HTML attribute.
fn uris(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("data:") {
        let tail = &rest[start..];
        let end = tail
            .find([')', '"', ' ', '\n', '\r', '>'])
            .unwrap_or(tail.len());
        found.push(&tail[..end]);
        rest = &tail[end..];
    }
    found
}

/// Returns the MIME type of a data URI.
fn mime_of(uri: &str) -> &str {
    let rest = uri.strip_prefix("data:").expect("a data URI");
    let end = rest.find([';', ',']).expect("a MIME type");
    &rest[..end]
}

/// Decodes the image in a base64 data URI, with its MIME type.
fn decode_uri(uri: &str) -> (String, DynamicImage) {
    let mime = mime_of(uri).to_string();
    let bytes = common::decode_payload(uri);
    let format = ImageFormat::from_mime_type(&mime).unwrap_or_else(|| panic!("MIME {mime}"));
    let picture = image::load_from_memory_with_format(&bytes, format)
        .unwrap_or_else(|e| panic!("decode {mime}: {e}"));
    (mime, picture)
}

/// Returns the first data URI of `text`, or fails.
fn only_uri(text: &str) -> &str {
    let found = uris(text);
    assert_eq!(found.len(), 1, "one data URI in {text:.200}");
    found[0]
}

/// Returns the destination and title of every image of `markdown` as CommonMark reads them.
fn image_destinations(markdown: &str) -> Vec<(String, String)> {
    pulldown_cmark::Parser::new(markdown)
        .filter_map(|event| match event {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Image {
                dest_url, title, ..
            }) => Some((dest_url.to_string(), title.to_string())),
            _ => None,
        })
        .collect()
}

/// Returns `100 * mean absolute channel difference` of two RGB pictures of equal size.
fn mean_difference_x100(a: &RgbImage, b: &RgbImage) -> u64 {
    assert_eq!(a.dimensions(), b.dimensions(), "dimensions");
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total * 100 / a.as_raw().len() as u64
}

/// A deterministic generator of noise for photograph-like pictures.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u8 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 56) as u8
    }
}

/// Returns a 160x120 photograph-like picture: smooth shapes with fine grain, which JPEG compresses far
/// better than PNG.
fn photo() -> RgbImage {
    let mut noise = Noise(7);
    RgbImage::from_fn(160, 120, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let grain = i32::from(noise.next() % 13) - 6;
        let channel = |base: f32| (base as i32 + grain).clamp(0, 255) as u8;
        image::Rgb([
            channel(128.0 + 90.0 * (fx / 9.0).sin() * (fy / 13.0).cos()),
            channel(128.0 + 80.0 * ((fx + fy) / 17.0).sin()),
            channel(128.0 + 60.0 * (fx * fy / 500.0).cos()),
        ])
    })
}

/// Encodes `picture` in `format`.
fn encode(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    common::encode(picture, format)
}

/// Returns a BMP of `width`x`height` pixels of noise, which no encoder shrinks: its data URI is 4/3 of
/// its size.
fn noise_bmp(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut noise = Noise(seed);
    let picture = RgbImage::from_fn(width, height, |_, _| {
        image::Rgb([noise.next(), noise.next(), noise.next()])
    });
    encode(&DynamicImage::ImageRgb8(picture), ImageFormat::Bmp)
}

/// The fixture files of every format, with the name, MIME type and bytes of each.
fn every_format() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        ("a.png", "image/png", png(1)),
        ("a.jpg", "image/jpeg", jpeg(2)),
        ("a.gif", "image/gif", gif(3)),
        ("a.webp", "image/webp", webp(4)),
        ("a.avif", "image/avif", AVIF.to_vec()),
        ("a.bmp", "image/bmp", bmp(5)),
        ("a.ico", "image/x-icon", ico(6)),
        ("a.svg", "image/svg+xml", svg()),
    ]
}

/// Writes the fixtures of `every_format` and returns a document with one image of each, and
/// each file's data URI as kept unchanged.
fn write_every_format(ws: &Workspace) -> (String, Vec<(&'static str, String)>) {
    let mut text = String::new();
    let mut kept = Vec::new();
    for (name, mime, bytes) in every_format() {
        ws.write(name, &bytes);
        text.push_str(&format!("![{name}]({name})\n"));
        kept.push((name, data_uri(mime, &bytes)));
    }
    (text, kept)
}

/// Runs `mdembed embed --target TARGET doc.md` with `extra` arguments.
fn embed_for(ws: &Workspace, text: &str, target: &str, extra: &[&str]) -> common::Run {
    let mut args = vec!["--target", target];
    args.extend_from_slice(extra);
    embed_doc(ws, text, &args)
}

/// Asserts that a converted image in `uri` is a PNG with exactly the pixels of `expected`.
fn assert_png_pixels(uri: &str, expected: &DynamicImage, what: &str) {
    let (mime, picture) = decode_uri(uri);
    assert_eq!(mime, "image/png", "{what}: MIME type");
    assert_eq!(
        (picture.width(), picture.height()),
        (expected.width(), expected.height()),
        "{what}: dimensions"
    );
    assert_eq!(picture.to_rgba8(), expected.to_rgba8(), "{what}: pixels");
}

// ---------------------------------------------------------------------------------------------
// Targets and the types they display
// ---------------------------------------------------------------------------------------------

#[test]
fn github_target_is_usage_error() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let run = embed_for(&ws, "![a](a.png)\n", "github", &[]);
    assert_eq!(run.code, Some(2), "exit status");
    assert_eq!(run.stdout, "", "standard output");
    assert_eq!(
        run.stderr,
        lines(&[
            "error: GitHub does not display data-URI images (its sanitizer allows only http, https and relative image sources); keep the images as files, or run mdembed extract to turn embedded images back into files"
        ])
    );
}

#[test]
fn github_target_leaves_file_in_place_unchanged() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("doc.md", "![a](a.png)\n");
    let run = ws.run(&["embed", "--target", "github", "--in-place", "doc.md"]);
    assert_eq!(run.code, Some(2), "exit status");
    assert_eq!(ws.read_text("doc.md"), "![a](a.png)\n");
}

#[test]
fn unknown_target_is_usage_error() {
    let ws = Workspace::new();
    let run = embed_for(&ws, "text\n", "pypi", &[]);
    assert_eq!(run.code, Some(2), "exit status");
    assert!(
        run.stderr
            .contains("invalid value 'pypi' for '--target <TARGET>'"),
        "{}",
        run.stderr
    );
}

#[test]
fn browser_family_keeps_every_displayed_type_byte_for_byte() {
    for target in ["browser", "vscode", "typora"] {
        let ws = Workspace::new();
        let (text, kept) = write_every_format(&ws);
        let expected: String = kept
            .iter()
            .map(|(name, uri)| format!("![{name}]({uri})\n"))
            .collect();
        let run = embed_for(&ws, &text, target, &[]);
        assert_clean_embed(&run, &text, &expected, 8);
    }
}

#[test]
fn default_target_is_browser() {
    let ws = Workspace::new();
    let (text, _) = write_every_format(&ws);
    let default = embed_doc(&ws, &text, &[]);
    let browser = embed_for(&ws, &text, "browser", &[]);
    assert_eq!(default.stdout, browser.stdout);
}

#[test]
fn obsidian_keeps_all_but_ico() {
    let ws = Workspace::new();
    let (text, kept) = write_every_format(&ws);
    let run = embed_for(&ws, &text, "obsidian", &[]);
    assert_eq!(run.code, Some(0), "exit status: {}", run.stderr);
    let found = uris(&run.stdout);
    assert_eq!(found.len(), kept.len());
    for ((name, kept_uri), uri) in kept.iter().zip(&found) {
        if *name == "a.ico" {
            assert_png_pixels(uri, &common::picture(6), "ICO for obsidian");
        } else {
            assert_eq!(uri, kept_uri, "{name} kept for obsidian");
        }
    }
}

#[test]
fn portable_family_keeps_four_raster_types_byte_for_byte() {
    for target in ["portable", "markdown-it", "joplin"] {
        let ws = Workspace::new();
        let files = [
            ("a.png", "image/png", png(1)),
            ("a.jpg", "image/jpeg", jpeg(2)),
            ("a.gif", "image/gif", gif(3)),
            ("a.webp", "image/webp", webp(4)),
        ];
        let mut text = String::new();
        let mut expected = String::new();
        for (name, mime, bytes) in &files {
            ws.write(name, bytes);
            text.push_str(&format!("![{name}]({name})\n"));
            expected.push_str(&format!("![{name}]({})\n", data_uri(mime, bytes)));
        }
        let run = embed_for(&ws, &text, target, &[]);
        assert_clean_embed(&run, &text, &expected, 4);
    }
}

#[test]
fn tiff_converted_to_png_for_every_target() {
    for target in TARGETS {
        let ws = Workspace::new();
        ws.write("scan.tiff", tiff(7));
        let run = embed_for(&ws, "![scan](scan.tiff)\n", target, &[]);
        assert_eq!(run.code, Some(0), "{target}: {}", run.stderr);
        assert!(run.stdout.starts_with("![scan](data:image/png;base64,"));
        assert!(run.stdout.ends_with(")\n"));
        assert_png_pixels(
            only_uri(&run.stdout),
            &common::picture(7),
            &format!("TIFF for {target}"),
        );
    }
}

#[test]
fn bmp_converted_to_png_for_portable_family() {
    for target in ["portable", "markdown-it", "joplin"] {
        let ws = Workspace::new();
        ws.write("old.bmp", bmp(8));
        let run = embed_for(&ws, "![old](old.bmp)\n", target, &[]);
        assert_eq!(run.code, Some(0), "{target}: {}", run.stderr);
        let expected = DynamicImage::ImageRgb8(common::picture(8).to_rgb8());
        assert_png_pixels(
            only_uri(&run.stdout),
            &expected,
            &format!("BMP for {target}"),
        );
    }
}

#[test]
fn ico_converted_to_png_where_not_displayed() {
    for target in ["portable", "markdown-it", "joplin", "obsidian"] {
        let ws = Workspace::new();
        ws.write("fav.ico", ico(9));
        let run = embed_for(&ws, "![fav](fav.ico)\n", target, &[]);
        assert_eq!(run.code, Some(0), "{target}: {}", run.stderr);
        assert_png_pixels(
            only_uri(&run.stdout),
            &common::picture(9),
            &format!("ICO for {target}"),
        );
    }
}

/// Returns an ICO file holding `picture` as a PNG without an alpha channel, as Pillow and other
/// tools write favicons.
fn ico_with_rgb_png(picture: &RgbImage) -> Vec<u8> {
    let png = encode(&DynamicImage::ImageRgb8(picture.clone()), ImageFormat::Png);
    let mut ico = vec![0, 0, 1, 0, 1, 0];
    ico.push(picture.width() as u8);
    ico.push(picture.height() as u8);
    ico.extend_from_slice(&[0, 0, 1, 0, 32, 0]);
    ico.extend_from_slice(&(png.len() as u32).to_le_bytes());
    ico.extend_from_slice(&22u32.to_le_bytes());
    ico.extend_from_slice(&png);
    ico
}

#[test]
fn ico_with_rgb_png_entry_converted_for_portable() {
    let ws = Workspace::new();
    let picture = common::picture(10).to_rgb8();
    ws.write("fav.ico", ico_with_rgb_png(&picture));
    let run = embed_for(&ws, "![fav](fav.ico)\n", "portable", &[]);
    assert_eq!(run.code, Some(0), "exit status: {}", run.stderr);
    assert_png_pixels(
        only_uri(&run.stdout),
        &DynamicImage::ImageRgb8(picture),
        "RGB ICO for portable",
    );
}

#[test]
fn ico_with_rgb_png_entry_kept_for_browser() {
    let ws = Workspace::new();
    let bytes = ico_with_rgb_png(&common::picture(10).to_rgb8());
    ws.write("fav.ico", &bytes);
    let run = embed_for(&ws, "![fav](fav.ico)\n", "browser", &[]);
    let expected = format!("![fav]({})\n", data_uri("image/x-icon", &bytes));
    assert_clean_embed(&run, "![fav](fav.ico)\n", &expected, 1);
}

#[test]
fn opaque_photo_converted_to_jpeg() {
    let ws = Workspace::new();
    let picture = photo();
    ws.write(
        "photo.bmp",
        encode(&DynamicImage::ImageRgb8(picture.clone()), ImageFormat::Bmp),
    );
    let run = embed_for(&ws, "![photo](photo.bmp)\n", "portable", &[]);
    assert_eq!(run.code, Some(0), "exit status: {}", run.stderr);
    let (mime, decoded) = decode_uri(only_uri(&run.stdout));
    assert_eq!(mime, "image/jpeg");
    assert_eq!((decoded.width(), decoded.height()), (160, 120));
    // Quality 90 keeps every channel within a few levels on average.
    let difference = mean_difference_x100(&decoded.to_rgb8(), &picture);
    assert!(difference < 600, "mean difference {difference}/100");
}

#[test]
fn opaque_photo_from_tiff_converted_to_jpeg_for_browser() {
    let ws = Workspace::new();
    let picture = photo();
    ws.write(
        "scan.tiff",
        encode(&DynamicImage::ImageRgb8(picture.clone()), ImageFormat::Tiff),
    );
    let run = embed_for(&ws, "![scan](scan.tiff)\n", "browser", &[]);
    let (mime, decoded) = decode_uri(only_uri(&run.stdout));
    assert_eq!(mime, "image/jpeg");
    assert_eq!((decoded.width(), decoded.height()), (160, 120));
}

#[test]
fn transparent_photo_stays_png() {
    let ws = Workspace::new();
    let rgb = photo();
    let picture = RgbaImage::from_fn(160, 120, |x, y| {
        let [r, g, b] = rgb.get_pixel(x, y).0;
        image::Rgba([r, g, b, if x < 80 { 255 } else { 0 }])
    });
    let picture = DynamicImage::ImageRgba8(picture);
    ws.write("cutout.tiff", encode(&picture, ImageFormat::Tiff));
    let run = embed_for(&ws, "![cutout](cutout.tiff)\n", "portable", &[]);
    assert_png_pixels(only_uri(&run.stdout), &picture, "transparent photo");
}

#[test]
fn opaque_rgba_photo_converted_to_jpeg() {
    let ws = Workspace::new();
    let picture = DynamicImage::ImageRgba8(DynamicImage::ImageRgb8(photo()).to_rgba8());
    ws.write("scan.tiff", encode(&picture, ImageFormat::Tiff));
    let run = embed_for(&ws, "![scan](scan.tiff)\n", "portable", &[]);
    let (mime, _) = decode_uri(only_uri(&run.stdout));
    assert_eq!(mime, "image/jpeg");
}

#[test]
fn diagram_stays_png() {
    let ws = Workspace::new();
    let picture = RgbImage::from_fn(160, 120, |x, y| {
        if (x / 20 + y / 20) % 2 == 0 {
            image::Rgb([255, 255, 255])
        } else {
            image::Rgb([20, 40, 200])
        }
    });
    let picture = DynamicImage::ImageRgb8(picture);
    ws.write("chart.bmp", encode(&picture, ImageFormat::Bmp));
    let run = embed_for(&ws, "![chart](chart.bmp)\n", "markdown-it", &[]);
    assert_png_pixels(only_uri(&run.stdout), &picture, "diagram");
}

#[test]
fn avif_left_linked_where_not_displayed() {
    for target in ["portable", "markdown-it", "joplin"] {
        let ws = Workspace::new();
        ws.write("photo.avif", AVIF);
        ws.write("a.png", png(1));
        let text = "![p](photo.avif) ![a](a.png)\n";
        let run = embed_for(&ws, text, target, &[]);
        let expected = format!(
            "![p](photo.avif) ![a]({})\n",
            data_uri("image/png", &png(1))
        );
        assert_eq!(run.stdout, expected, "{target}: standard output");
        assert_eq!(
            run.stderr,
            lines(&[
                &format!(
                    "warning: {target} cannot display avif and mdembed has no avif decoder to convert it (use --target browser or convert the file): photo.avif (doc.md:1:1)"
                ),
                &summary(1, 1, 1, added(text, &expected), 1),
            ]),
            "{target}: standard error"
        );
        assert_eq!(run.code, Some(1), "{target}: exit status");
    }
}

#[test]
fn avif_kept_for_browser_family_and_obsidian() {
    for target in ["browser", "vscode", "obsidian", "typora"] {
        let ws = Workspace::new();
        ws.write("photo.avif", AVIF);
        let text = "![p](photo.avif)\n";
        let expected = format!("![p]({})\n", data_uri("image/avif", AVIF));
        let run = embed_for(&ws, text, target, &[]);
        assert_clean_embed(&run, text, &expected, 1);
    }
}

#[test]
fn verbose_notes_each_conversion() {
    let ws = Workspace::new();
    ws.write("old.bmp", bmp(1));
    ws.write("fax.tiff", tiff(2));
    ws.write("logo.svg", svg());
    ws.write("a.png", png(3));
    let text = "![o](old.bmp) ![f](fax.tiff)\n![l](logo.svg) ![a](a.png)\n";
    let run = embed_for(&ws, text, "portable", &["-v"]);
    assert_eq!(run.code, Some(0), "exit status");
    // Sizes are of the images as embedded: the converted PNGs, decoded from the output.
    let sizes: Vec<usize> = run
        .stdout
        .split("base64,")
        .skip(1)
        .map(|rest| {
            let payload = &rest[..rest.find(')').expect("closing parenthesis")];
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, payload)
                .expect("base64 payload")
                .len()
        })
        .collect();
    assert_eq!(sizes.len(), 4, "four data URIs");
    assert_eq!(sizes[3], png(3).len(), "a kept PNG is embedded as it is");
    assert_eq!(
        run.stderr,
        lines(&[
            &format!(
                "embedded: old.bmp as image/png, {} bytes (doc.md:1:1)",
                sizes[0]
            ),
            "note: converted image/bmp to image/png for portable: old.bmp (doc.md:1:1)",
            &format!(
                "embedded: fax.tiff as image/png, {} bytes (doc.md:1:15)",
                sizes[1]
            ),
            "note: converted image/tiff to image/png for portable: fax.tiff (doc.md:1:15)",
            &format!(
                "embedded: logo.svg as image/png, {} bytes (doc.md:2:1)",
                sizes[2]
            ),
            "note: SVG rasterized to PNG at its intrinsic size: logo.svg (doc.md:2:1)",
            &format!(
                "embedded: a.png as image/png, {} bytes (doc.md:2:16)",
                sizes[3]
            ),
            "references: 4 (4 markdown inline); 4 embedded",
            &summary(1, 1, 4, added(text, &run.stdout), 0),
        ])
    );
}

#[test]
fn verbose_notes_percent_encoded_svg() {
    let ws = Workspace::new();
    ws.write("logo.svg", svg());
    let run = embed_for(&ws, "![l](logo.svg)\n", "joplin", &["-v"]);
    let size = svg().len();
    assert_eq!(
        run.stderr.lines().take(2).collect::<Vec<_>>(),
        [
            format!("embedded: logo.svg as image/svg+xml, {size} bytes (doc.md:1:1)"),
            "note: SVG written percent-encoded: logo.svg (doc.md:1:1)".to_string(),
        ]
    );
}

#[test]
fn no_conversion_note_without_verbose() {
    let ws = Workspace::new();
    ws.write("old.bmp", bmp(1));
    let text = "![o](old.bmp)\n";
    let run = embed_for(&ws, text, "portable", &[]);
    assert_eq!(
        run.stderr,
        lines(&[&summary(1, 1, 1, added(text, &run.stdout), 0)])
    );
}

#[test]
fn html_img_converted_like_markdown() {
    let ws = Workspace::new();
    ws.write("old.bmp", bmp(4));
    let run = embed_for(&ws, "<img src=\"old.bmp\" alt=\"o\">\n", "portable", &[]);
    assert!(run.stdout.starts_with("<img src=\"data:image/png;base64,"));
    assert!(run.stdout.ends_with("\" alt=\"o\">\n"));
    let expected = DynamicImage::ImageRgb8(common::picture(4).to_rgb8());
    assert_png_pixels(only_uri(&run.stdout), &expected, "BMP in HTML");
}

#[test]
fn c34_browser_target_converts_only_what_browsers_cannot_show() {
    let ws = Workspace::new();
    ws.write("scan.heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic");
    ws.write("fax.tiff", tiff(1));
    ws.write("photo.avif", AVIF);
    ws.write("old.bmp", bmp(2));
    let text = "![](scan.heic)\n![](fax.tiff)\n![](photo.avif)\n![](old.bmp)\n";
    let run = embed_doc(&ws, text, &[]);
    let found = uris(&run.stdout);
    assert_eq!(found.len(), 3, "{}", run.stdout);
    assert!(
        run.stdout.starts_with("![](scan.heic)\n"),
        "HEIC left linked"
    );
    assert_png_pixels(found[0], &common::picture(1), "TIFF");
    assert_eq!(found[1], data_uri("image/avif", AVIF));
    assert_eq!(found[2], data_uri("image/bmp", &bmp(2)));
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: unsupported image format heic: scan.heic (doc.md:1:1)",
            &summary(1, 1, 3, added(text, &run.stdout), 1),
        ])
    );
    assert_eq!(run.code, Some(1), "exit status");
}

#[test]
fn c34_markdown_it_target_converts_bmp_and_keeps_avif_linked() {
    let ws = Workspace::new();
    ws.write("photo.avif", AVIF);
    ws.write("old.bmp", bmp(2));
    let text = "![](photo.avif)\n![](old.bmp)\n";
    let run = embed_for(&ws, text, "markdown-it", &[]);
    assert!(
        run.stdout
            .starts_with("![](photo.avif)\n![](data:image/png;base64,")
    );
    let expected = DynamicImage::ImageRgb8(common::picture(2).to_rgb8());
    assert_png_pixels(only_uri(&run.stdout), &expected, "BMP");
    assert_eq!(
        run.stderr.lines().next(),
        Some(
            "warning: markdown-it cannot display avif and mdembed has no avif decoder to convert it (use --target browser or convert the file): photo.avif (doc.md:1:1)"
        )
    );
    assert_eq!(run.code, Some(1), "exit status");
}

// ---------------------------------------------------------------------------------------------
// SVG encodings
// ---------------------------------------------------------------------------------------------

#[test]
fn svg_base64_for_browser_family() {
    for target in ["browser", "vscode", "obsidian", "typora"] {
        let ws = Workspace::new();
        ws.write("logo.svg", svg());
        let text = "![logo](logo.svg)\n";
        let expected = format!("![logo]({})\n", data_uri("image/svg+xml", &svg()));
        let run = embed_for(&ws, text, target, &[]);
        assert_clean_embed(&run, text, &expected, 1);
    }
}

/// Characters that must not appear unescaped in a data URI written as a Markdown destination or
/// an HTML attribute value.
const UNSAFE_IN_DESTINATION: &[char] = &[
    ' ', '\n', '\r', '\t', '(', ')', '<', '>', '"', '\'', '#', '[', ']', '\\', '`', '&',
];

#[test]
fn svg_percent_encoded_for_joplin() {
    let ws = Workspace::new();
    ws.write("logo.svg", svg());
    let text = "![logo](logo.svg)\n";
    let run = embed_for(&ws, text, "joplin", &[]);
    assert_eq!(run.code, Some(0), "exit status");
    let uri = only_uri(&run.stdout);
    let payload = uri
        .strip_prefix("data:image/svg+xml,")
        .expect("percent-encoded SVG");
    assert!(payload.starts_with("%3C%3Fxml"), "{payload}");
    assert!(!payload.contains(UNSAFE_IN_DESTINATION), "{payload}");
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(payload).collect();
    assert_eq!(decoded, svg());
    assert_eq!(run.stdout, format!("![logo]({uri})\n"));
}

#[test]
fn svg_percent_encoding_exact() {
    let ws = Workspace::new();
    ws.write(
        "s.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"2\" height=\"1\"><rect width=\"2\" height=\"1\" fill=\"#0a0\"/></svg>",
    );
    let run = embed_for(&ws, "![s](s.svg)\n", "joplin", &[]);
    assert_eq!(
        run.stdout,
        "![s](data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22%20width=%222%22%20height=%221%22%3E%3Crect%20width=%222%22%20height=%221%22%20fill=%22%230a0%22/%3E%3C/svg%3E)\n"
    );
}

#[test]
fn percent_svg_with_parentheses_and_quotes_parses_as_one_destination() {
    let ws = Workspace::new();
    let source = "<svg xmlns='http://www.w3.org/2000/svg' width='3' height='3'>\n  <style>rect { fill: rgb(10, 20, 30) }</style>\n  <rect width='3' height='3'/> <!-- [x] & `y` \\ --></svg>\n";
    ws.write("odd.svg", source);
    let text = "A ![odd](odd.svg \"T\") b.\n";
    let run = embed_for(&ws, text, "joplin", &[]);
    let destinations = image_destinations(&run.stdout);
    assert_eq!(destinations.len(), 1, "{}", run.stdout);
    let (dest, title) = &destinations[0];
    assert_eq!(title, "T");
    let payload = dest
        .strip_prefix("data:image/svg+xml,")
        .expect("percent SVG");
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(payload).collect();
    assert_eq!(String::from_utf8(decoded).unwrap(), source);
}

#[test]
fn percent_svg_in_html_attribute() {
    let ws = Workspace::new();
    ws.write("logo.svg", svg());
    let run = embed_for(&ws, "<img src=\"logo.svg\">\n", "joplin", &[]);
    let uri = only_uri(&run.stdout);
    assert!(uri.starts_with("data:image/svg+xml,%3C%3Fxml"), "{uri}");
    assert_eq!(run.stdout, format!("<img src=\"{uri}\">\n"));
}

#[test]
fn svg_rasterized_for_portable_and_markdown_it() {
    for target in ["portable", "markdown-it"] {
        let ws = Workspace::new();
        ws.write("logo.svg", svg());
        let run = embed_for(&ws, "![logo](logo.svg)\n", target, &[]);
        assert_eq!(run.code, Some(0), "{target}: {}", run.stderr);
        let expected = DynamicImage::ImageRgba8(RgbaImage::from_pixel(
            4,
            4,
            image::Rgba([0xcc, 0x33, 0x33, 255]),
        ));
        assert_png_pixels(
            only_uri(&run.stdout),
            &expected,
            &format!("SVG for {target}"),
        );
    }
}

#[test]
fn svg_rasterized_at_intrinsic_size_from_view_box() {
    let ws = Workspace::new();
    ws.write(
        "box.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 30 20\"><rect width=\"30\" height=\"20\" fill=\"#00f\"/></svg>",
    );
    let run = embed_for(&ws, "![b](box.svg)\n", "portable", &[]);
    let (mime, picture) = decode_uri(only_uri(&run.stdout));
    assert_eq!(mime, "image/png");
    assert_eq!((picture.width(), picture.height()), (30, 20));
    assert_eq!(picture.to_rgba8().get_pixel(15, 10).0, [0, 0, 255, 255]);
}

#[test]
fn svg_option_base64_overrides_joplin() {
    let ws = Workspace::new();
    ws.write("logo.svg", svg());
    let text = "![logo](logo.svg)\n";
    let expected = format!("![logo]({})\n", data_uri("image/svg+xml", &svg()));
    let run = embed_for(&ws, text, "joplin", &["--svg", "base64"]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn svg_option_percent_overrides_browser() {
    let ws = Workspace::new();
    ws.write("logo.svg", svg());
    let joplin = embed_for(&ws, "![logo](logo.svg)\n", "joplin", &[]);
    let browser = embed_for(&ws, "![logo](logo.svg)\n", "browser", &["--svg", "percent"]);
    assert_eq!(browser.code, Some(0), "exit status");
    assert_eq!(browser.stdout, joplin.stdout);
}

#[test]
fn svg_option_png_overrides_browser() {
    let ws = Workspace::new();
    ws.write("logo.svg", svg());
    let browser = embed_for(&ws, "![logo](logo.svg)\n", "browser", &["--svg", "png"]);
    let expected = DynamicImage::ImageRgba8(RgbaImage::from_pixel(
        4,
        4,
        image::Rgba([0xcc, 0x33, 0x33, 255]),
    ));
    assert_png_pixels(only_uri(&browser.stdout), &expected, "--svg png");
}

#[test]
fn svg_option_base64_overrides_portable() {
    let ws = Workspace::new();
    ws.write("logo.svg", svg());
    let text = "![logo](logo.svg)\n";
    let expected = format!("![logo]({})\n", data_uri("image/svg+xml", &svg()));
    let run = embed_for(&ws, text, "portable", &["--svg", "base64"]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn svg_option_without_target_applies_to_browser() {
    let ws = Workspace::new();
    ws.write("logo.svg", svg());
    let default = embed_doc(&ws, "![logo](logo.svg)\n", &["--svg", "percent"]);
    assert!(
        default
            .stdout
            .starts_with("![logo](data:image/svg+xml,%3C%3Fxml"),
        "{}",
        default.stdout
    );
}

#[test]
fn unknown_svg_encoding_is_usage_error() {
    let ws = Workspace::new();
    let run = embed_doc(&ws, "text\n", &["--svg", "utf8"]);
    assert_eq!(run.code, Some(2), "exit status");
}

#[test]
fn broken_svg_left_linked_where_rasterized() {
    let ws = Workspace::new();
    ws.write(
        "bad.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\"",
    );
    let run = embed_for(&ws, "![b](bad.svg)\n", "portable", &[]);
    assert_eq!(run.stdout, "![b](bad.svg)\n");
    assert_eq!(run.code, Some(1), "exit status: {}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Size warnings
// ---------------------------------------------------------------------------------------------

/// Returns the warning the binary prints for a data URI of `bytes` over `limit`.
fn uri_warning(bytes: usize, limit: u64, target: &str, place: &str) -> String {
    format!(
        "warning: data URI of {bytes} bytes is larger than the warning size {limit} (--warn-uri-size), which some editors do not show; consider --max-width or --max-bytes: {target} ({place})"
    )
}

/// Returns the warning the binary prints for a document of `bytes` over `limit`.
fn document_warning(doc: &str, bytes: usize, limit: u64, target: &str) -> String {
    format!(
        "warning: {doc}: the embedded document is {bytes} bytes, more than the warning size {limit} for {target} (--warn-document-size); consider --max-width or --max-bytes"
    )
}

#[test]
fn uri_size_warning_keeps_image_and_exit_status() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a](a.png)\n";
    let uri = data_uri("image/png", &png(1));
    let expected = format!("![a]({uri})\n");
    let run = embed_doc(&ws, text, &["--warn-uri-size", "50"]);
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr,
        lines(&[
            &uri_warning(uri.len(), 50, "a.png", "doc.md:1:1"),
            &summary(1, 1, 1, added(text, &expected), 1),
        ])
    );
    assert_eq!(run.code, Some(0), "exit status");
}

#[test]
fn uri_size_warning_only_above_limit() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a](a.png)\n";
    let length = data_uri("image/png", &png(1)).len();
    let at_limit = embed_doc(&ws, text, &["--warn-uri-size", &length.to_string()]);
    assert_eq!(
        at_limit.stderr,
        lines(&[&summary(1, 1, 1, added(text, &at_limit.stdout), 0)])
    );
    let below = (length - 1).to_string();
    let over = embed_doc(&ws, text, &["--warn-uri-size", &below]);
    assert_eq!(
        over.stderr.lines().next(),
        Some(uri_warning(length, length as u64 - 1, "a.png", "doc.md:1:1").as_str())
    );
}

#[test]
fn uri_size_accepts_suffixes() {
    let ws = Workspace::new();
    ws.write("big.bmp", noise_bmp(64, 64, 1));
    let text = "![b](big.bmp)\n";
    let length = data_uri("image/bmp", &noise_bmp(64, 64, 1)).len();
    let run = embed_doc(&ws, text, &["--warn-uri-size", "1K"]);
    assert_eq!(
        run.stderr.lines().next(),
        Some(uri_warning(length, 1024, "big.bmp", "doc.md:1:1").as_str())
    );
}

#[test]
fn invalid_size_is_usage_error() {
    let ws = Workspace::new();
    let run = embed_doc(&ws, "text\n", &["--warn-uri-size", "lots"]);
    assert_eq!(run.code, Some(2), "exit status");
    assert!(
        run.stderr.contains(
            "invalid size \"lots\": write bytes or a number with K, M or G, such as 500K"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn typora_warns_uri_over_90k_by_default() {
    let ws = Workspace::new();
    // 180x180 pixels of noise: a BMP of 97254 bytes, a data URI of 129694.
    let bytes = noise_bmp(180, 180, 2);
    ws.write("shot.bmp", &bytes);
    let text = "![s](shot.bmp)\n";
    let uri = data_uri("image/bmp", &bytes);
    let expected = format!("![s]({uri})\n");
    let typora = embed_for(&ws, text, "typora", &[]);
    assert_eq!(typora.stdout, expected);
    assert_eq!(
        typora.stderr,
        lines(&[
            &uri_warning(uri.len(), 90 * 1024, "shot.bmp", "doc.md:1:1"),
            &summary(1, 1, 1, added(text, &expected), 1),
        ])
    );
    assert_eq!(typora.code, Some(0), "exit status");
    for target in ["browser", "vscode", "obsidian"] {
        let run = embed_for(&ws, text, target, &[]);
        assert_clean_embed(&run, text, &expected, 1);
    }
}

#[test]
fn browser_warns_uri_over_2m_by_default() {
    let ws = Workspace::new();
    // 1600000 bytes of pixels: a data URI just over 2 MiB.
    let bytes = noise_bmp(800, 667, 3);
    ws.write("huge.bmp", &bytes);
    let text = "![h](huge.bmp)\n";
    let run = embed_for(&ws, text, "browser", &[]);
    let length = data_uri("image/bmp", &bytes).len();
    assert!(length > 2 * 1024 * 1024);
    assert_eq!(
        run.stderr,
        lines(&[
            &uri_warning(length, 2 * 1024 * 1024, "huge.bmp", "doc.md:1:1"),
            &summary(1, 1, 1, run.stdout.len() - text.len(), 1),
        ])
    );
    assert_eq!(run.code, Some(0), "exit status");
}

#[test]
fn document_size_warning_with_option() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("b.png", png(2));
    let text = "![a](a.png)\n![b](b.png)\n";
    let run = embed_doc(&ws, text, &["--warn-document-size", "200"]);
    assert_eq!(run.code, Some(0), "exit status");
    assert_eq!(uris(&run.stdout).len(), 2);
    assert_eq!(
        run.stderr,
        lines(&[
            &document_warning("doc.md", run.stdout.len(), 200, "browser"),
            &summary(1, 1, 2, added(text, &run.stdout), 1),
        ])
    );
}

#[test]
fn document_size_warning_names_target() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a](a.png)\n";
    let run = embed_for(&ws, text, "joplin", &["--warn-document-size", "100"]);
    assert_eq!(
        run.stderr.lines().next(),
        Some(document_warning("doc.md", run.stdout.len(), 100, "joplin").as_str())
    );
}

#[test]
fn document_at_limit_not_warned() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a](a.png)\n";
    let expected = format!("![a]({})\n", data_uri("image/png", &png(1)));
    let limit = expected.len().to_string();
    let run = embed_doc(&ws, text, &["--warn-document-size", &limit]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn document_already_over_limit_not_warned() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = format!("![a](a.png)\n{}\n", "x".repeat(300));
    let expected = text.replace("a.png", &data_uri("image/png", &png(1)));
    let run = embed_doc(&ws, &text, &["--warn-document-size", "200"]);
    assert_clean_embed(&run, &text, &expected, 1);
}

#[test]
fn document_without_images_not_warned() {
    let ws = Workspace::new();
    let text = "x".repeat(300);
    let run = embed_doc(&ws, &text, &["--warn-document-size", "200"]);
    assert_clean_embed(&run, &text, &text, 0);
}

#[test]
fn typora_warns_document_over_2m_by_default() {
    let ws = Workspace::new();
    // Two BMPs of 810054 bytes: each URI about 1.08 MB, the document about 2.16 MB.
    let first = noise_bmp(450, 600, 4);
    let second = noise_bmp(450, 600, 5);
    ws.write("one.bmp", &first);
    ws.write("two.bmp", &second);
    let text = "![1](one.bmp)\n![2](two.bmp)\n";
    let (one, two) = (
        data_uri("image/bmp", &first),
        data_uri("image/bmp", &second),
    );
    let expected = format!("![1]({one})\n![2]({two})\n");
    assert!(expected.len() > 2 * 1024 * 1024);
    let typora = embed_for(&ws, text, "typora", &[]);
    assert_eq!(typora.stdout, expected);
    assert_eq!(
        typora.stderr,
        lines(&[
            &uri_warning(one.len(), 90 * 1024, "one.bmp", "doc.md:1:1"),
            &uri_warning(two.len(), 90 * 1024, "two.bmp", "doc.md:2:1"),
            &document_warning("doc.md", expected.len(), 2 * 1024 * 1024, "typora"),
            &summary(1, 1, 2, added(text, &expected), 3),
        ])
    );
    assert_eq!(typora.code, Some(0), "exit status");
    let browser = embed_for(&ws, text, "browser", &[]);
    assert_clean_embed(&browser, text, &expected, 2);
}

#[test]
fn obsidian_warns_document_over_5m_by_default() {
    let ws = Workspace::new();
    // Three BMPs of 1.44 MB: each URI about 1.92 MB (under 2 MiB), the document about 5.76 MB.
    let mut text = String::new();
    let mut expected = String::new();
    for seed in 0..3u8 {
        let bytes = noise_bmp(800, 600, u64::from(seed) + 10);
        let name = format!("p{seed}.bmp");
        ws.write(&name, &bytes);
        text.push_str(&format!("![{seed}]({name})\n"));
        expected.push_str(&format!("![{seed}]({})\n", data_uri("image/bmp", &bytes)));
    }
    assert!(expected.len() > 5 * 1024 * 1024);
    let obsidian = embed_for(&ws, &text, "obsidian", &[]);
    assert_eq!(obsidian.stdout, expected);
    assert_eq!(
        obsidian.stderr,
        lines(&[
            &document_warning("doc.md", expected.len(), 5 * 1024 * 1024, "obsidian"),
            &summary(1, 1, 3, added(&text, &expected), 1),
        ])
    );
    let browser = embed_for(&ws, &text, "browser", &[]);
    assert_clean_embed(&browser, &text, &expected, 3);
}

#[test]
fn streamed_image_over_limits_warned() {
    let ws = Workspace::new();
    // Over the 4 MiB above which unchanged images are streamed into the output.
    let bytes = noise_bmp(1200, 1200, 20);
    ws.write("scan.bmp", &bytes);
    let text = "![s](scan.bmp)\n";
    let uri = data_uri("image/bmp", &bytes);
    let run = embed_for(&ws, text, "obsidian", &[]);
    assert_eq!(run.stdout.len(), text.len() - "scan.bmp".len() + uri.len());
    assert_eq!(
        run.stderr,
        lines(&[
            &uri_warning(uri.len(), 2 * 1024 * 1024, "scan.bmp", "doc.md:1:1"),
            &document_warning("doc.md", run.stdout.len(), 5 * 1024 * 1024, "obsidian"),
            &summary(1, 1, 1, run.stdout.len() - text.len(), 2),
        ])
    );
}

#[test]
fn quiet_hides_size_warnings() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let run = embed_doc(
        &ws,
        "![a](a.png)\n",
        &["-q", "--warn-uri-size", "10", "--warn-document-size", "10"],
    );
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, Some(0), "exit status");
}

// ---------------------------------------------------------------------------------------------
// --style reference
// ---------------------------------------------------------------------------------------------

/// Embeds `text` with `--style reference` and `extra` arguments.
fn embed_reference(ws: &Workspace, text: &str, extra: &[&str]) -> common::Run {
    let mut args = vec!["--style", "reference"];
    args.extend_from_slice(extra);
    embed_doc(ws, text, &args)
}

#[test]
fn reference_style_moves_uri_to_end() {
    let ws = Workspace::new();
    ws.write("gan.png", png(1));
    let text = "# Results\n\nSee ![GAN samples](gan.png) here.\n";
    let expected = format!(
        "# Results\n\nSee ![GAN samples][gan-samples] here.\n\n[gan-samples]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_title_moves_to_definition() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![A](a.png \"The (first) one\")\n";
    let expected = format!(
        "![A][a]\n\n[a]: {} \"The (first) one\"\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_keeps_title_quotes_as_written() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![A](a.png 'single') ![B](a.png (paren))\n";
    let uri = data_uri("image/png", &png(1));
    let expected = format!("![A][a] ![B][b]\n\n[a]: {uri} 'single'\n[b]: {uri} (paren)\n");
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 2);
}

#[test]
fn reference_style_label_from_file_name() {
    let ws = Workspace::new();
    ws.write("img/GAN samples.png", png(1));
    let text = "![](<img/GAN samples.png>)\n";
    let expected = format!(
        "![][gan-samples]\n\n[gan-samples]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_label_image_without_letters() {
    let ws = Workspace::new();
    ws.write("___.png", png(1));
    let text = "![--](___.png)\n";
    let expected = format!(
        "![--][image]\n\n[image]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_unicode_alt_label() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![GAN 样本 (第 50 轮)](a.png)\n";
    let expected = format!(
        "![GAN 样本 (第 50 轮)][gan-样本-第-50-轮]\n\n[gan-样本-第-50-轮]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn c28_labels_avoid_existing_definition_and_repeat_once() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("b.png", png(2));
    let text = "![Fig](a.png) and ![Fig](a.png) and ![fig](b.png)\n\n[fig]: https://example.org/other.png\n";
    let expected = format!(
        "![Fig][fig-2] and ![Fig][fig-2] and ![fig][fig-3]\n\n[fig]: https://example.org/other.png\n\n[fig-2]: {}\n[fig-3]: {}\n",
        data_uri("image/png", &png(1)),
        data_uri("image/png", &png(2))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 3);
}

#[test]
fn labels_never_collide_case_insensitively() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![GAN samples](a.png) [x][GAN-Samples]\n\n[GAN-SAMPLES]: https://example.org/\n[gan-samples-2]: https://example.org/2\n";
    let expected = format!(
        "![GAN samples][gan-samples-3] [x][GAN-Samples]\n\n[GAN-SAMPLES]: https://example.org/\n[gan-samples-2]: https://example.org/2\n\n[gan-samples-3]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn labels_avoid_definitions_with_collapsed_whitespace() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    // CommonMark matches `[Gan   Samples]` and `[gan samples]`; a slug has no spaces, so only
    // a hyphenated label can collide.
    let text = "![x](a.png)\n\n[X]: https://example.org/\n";
    let expected = format!(
        "![x][x-2]\n\n[X]: https://example.org/\n\n[x-2]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn same_alt_different_images_get_numbered_labels() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("b.png", png(2));
    ws.write("c.png", png(3));
    let text = "![x](a.png) ![x](b.png) ![x](c.png) ![x](a.png)\n";
    let expected = format!(
        "![x][x] ![x][x-2] ![x][x-3] ![x][x]\n\n[x]: {}\n[x-2]: {}\n[x-3]: {}\n",
        data_uri("image/png", &png(1)),
        data_uri("image/png", &png(2)),
        data_uri("image/png", &png(3))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 4);
}

#[test]
fn same_image_through_different_paths_one_definition() {
    let ws = Workspace::new();
    ws.write("img/a.png", png(1));
    let text = "![a](img/a.png) ![b](./img/../img/a.png)\n";
    let expected = format!(
        "![a][a] ![b][a]\n\n[a]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 2);
}

#[test]
fn same_image_different_titles_two_definitions() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a](a.png \"one\") ![a](a.png \"two\") ![a](a.png \"one\")\n";
    let uri = data_uri("image/png", &png(1));
    let expected =
        format!("![a][a] ![a][a-2] ![a][a]\n\n[a]: {uri} \"one\"\n[a-2]: {uri} \"two\"\n");
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 3);
}

#[test]
fn reference_style_crlf_document() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "Line\r\n![a](a.png)\r\n";
    let expected = format!(
        "Line\r\n![a][a]\r\n\r\n[a]: {}\r\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_without_final_newline() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a](a.png)";
    let expected = format!("![a][a]\n\n[a]: {}\n", data_uri("image/png", &png(1)));
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_crlf_without_final_newline() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "x\r\n![a](a.png)";
    let expected = format!(
        "x\r\n![a][a]\r\n\r\n[a]: {}\r\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_html_stays_inline() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("b.png", png(2));
    let text = "<img src=\"a.png\" alt=\"A\">\n\n![b](b.png)\n";
    let expected = format!(
        "<img src=\"{}\" alt=\"A\">\n\n![b][b]\n\n[b]: {}\n",
        data_uri("image/png", &png(1)),
        data_uri("image/png", &png(2))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 2);
}

#[test]
fn reference_style_rewrites_existing_image_definition_in_place() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a][fig]\n\n[fig]: a.png \"T\"\n\nEnd.\n";
    let expected = format!(
        "![a][fig]\n\n[fig]: {} \"T\"\n\nEnd.\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_in_table_and_list() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("b.png", png(2));
    let text = "| x | y |\n|---|---|\n| ![a](a.png) | z |\n\n- item ![b](b.png)\n";
    let expected = format!(
        "| x | y |\n|---|---|\n| ![a][a] | z |\n\n- item ![b][b]\n\n[a]: {}\n[b]: {}\n",
        data_uri("image/png", &png(1)),
        data_uri("image/png", &png(2))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 2);
}

#[test]
fn reference_style_after_blockquote_lazy_line() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "> quote ![a](a.png)\nlazy";
    let expected = format!(
        "> quote ![a][a]\nlazy\n\n[a]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_definitions_parse_as_definitions() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("b.png", png(2));
    let text = "Text ![A b](a.png \"t\") and ![](b.png).\n";
    let run = embed_reference(&ws, text, &[]);
    assert_eq!(
        image_destinations(&run.stdout),
        [
            (data_uri("image/png", &png(1)), "t".to_string()),
            (data_uri("image/png", &png(2)), String::new()),
        ]
    );
}

#[test]
fn reference_style_with_conversion() {
    let ws = Workspace::new();
    ws.write("old.bmp", bmp(3));
    let text = "![old](old.bmp)\n";
    let run = embed_reference(&ws, text, &["--target", "portable"]);
    let (body, definitions) = run.stdout.split_once("\n\n").expect("definitions");
    assert_eq!(body, "![old][old]");
    assert!(definitions.starts_with("[old]: data:image/png;base64,"));
    let expected = DynamicImage::ImageRgb8(common::picture(3).to_rgb8());
    assert_png_pixels(only_uri(definitions), &expected, "BMP in a definition");
}

#[test]
fn reference_style_percent_svg_for_joplin() {
    let ws = Workspace::new();
    ws.write("logo.svg", svg());
    let text = "![logo](logo.svg)\n";
    let inline = embed_for(&ws, text, "joplin", &[]);
    let uri = only_uri(&inline.stdout).to_string();
    let run = embed_reference(&ws, text, &["--target", "joplin"]);
    let expected = format!("![logo][logo]\n\n[logo]: {uri}\n");
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_kept_inline_for_typora_and_obsidian() {
    for target in ["typora", "obsidian"] {
        let ws = Workspace::new();
        ws.write("a.png", png(1));
        let text = "![a](a.png)\n";
        let expected = format!("![a]({})\n", data_uri("image/png", &png(1)));
        let run = embed_reference(&ws, text, &["--target", target]);
        assert_eq!(run.stdout, expected, "{target}: standard output");
        assert_eq!(
            run.stderr,
            lines(&[
                &format!(
                    "warning: doc.md: data URIs kept inline: {target} was reported not to show images whose data URI sits in a reference definition"
                ),
                &summary(1, 1, 1, added(text, &expected), 1),
            ]),
            "{target}: standard error"
        );
        assert_eq!(run.code, Some(0), "{target}: exit status");
    }
}

#[test]
fn reference_style_typora_without_images_no_warning() {
    let ws = Workspace::new();
    let text = "No images.\n";
    let run = embed_reference(&ws, text, &["--target", "typora"]);
    assert_clean_embed(&run, text, text, 0);
}

#[test]
fn reference_style_unclosed_code_block_stays_inline() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a](a.png)\n\n```\ncode\n";
    let expected = format!("![a]({})\n\n```\ncode\n", data_uri("image/png", &png(1)));
    let run = embed_reference(&ws, text, &[]);
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr,
        lines(&[
            "warning: doc.md: data URIs kept inline: the document ends inside a code or HTML block, which would swallow definitions appended after it",
            &summary(1, 1, 1, added(text, &expected), 1),
        ])
    );
    assert_eq!(run.code, Some(0), "exit status");
}

#[test]
fn reference_style_unclosed_fence_in_list_ends_with_list() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    // The list item, and the fence inside it, end at the unindented definition.
    let text = "- ![a](a.png)\n\n  ~~~\n  code";
    let uri = data_uri("image/png", &png(1));
    let expected = format!("- ![a][a]\n\n  ~~~\n  code\n\n[a]: {uri}\n");
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
    assert_eq!(image_destinations(&run.stdout), [(uri, String::new())]);
}

#[test]
fn reference_style_unclosed_pre_block_stays_inline() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a](a.png)\n\n<pre>\nraw\n";
    let expected = format!("![a]({})\n\n<pre>\nraw\n", data_uri("image/png", &png(1)));
    let run = embed_reference(&ws, text, &[]);
    assert_eq!(run.stdout, expected);
    assert_eq!(run.code, Some(0), "exit status");
}

#[test]
fn reference_style_closed_code_block_uses_definitions() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a](a.png)\n\n```\n![b](a.png)\n```\n";
    let expected = format!(
        "![a][a]\n\n```\n![b](a.png)\n```\n\n[a]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_ending_in_indented_code_uses_definitions() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a](a.png)\n\n    code\n";
    let expected = format!(
        "![a][a]\n\n    code\n\n[a]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn inline_style_is_default() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a](a.png)\n";
    let default = embed_doc(&ws, text, &[]);
    let inline = embed_doc(&ws, text, &["--style", "inline"]);
    assert_eq!(default.stdout, inline.stdout);
    assert_eq!(
        inline.stdout,
        format!("![a]({})\n", data_uri("image/png", &png(1)))
    );
}

#[test]
fn reference_style_missing_image_left_as_written() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![gone](gone.png) ![a](a.png)\n";
    let expected = format!(
        "![gone](gone.png) ![a][a]\n\n[a]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_eq!(run.stdout, expected);
    assert_eq!(run.code, Some(1), "exit status");
}

#[test]
fn reference_style_in_place() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("doc.md", "![a](a.png)\n");
    let run = ws.run(&["embed", "--style", "reference", "-i", "doc.md"]);
    assert_eq!(run.code, Some(0), "exit status");
    assert_eq!(
        ws.read_text("doc.md"),
        format!("![a][a]\n\n[a]: {}\n", data_uri("image/png", &png(1)))
    );
}

// ---------------------------------------------------------------------------------------------
// Round trips with --style reference
// ---------------------------------------------------------------------------------------------

/// Embeds `doc.md` with `embed_args` into `embedded/doc.md`, extracts that in place, and
/// returns the embedded text, the extracted text and the extracted files by name.
fn round_trip(ws: &Workspace, embed_args: &[&str]) -> (String, String, BTreeMap<String, Vec<u8>>) {
    ws.mkdir("embedded");
    let mut args = vec!["embed"];
    args.extend_from_slice(embed_args);
    args.extend_from_slice(&["doc.md", "-o", "embedded/doc.md"]);
    let run = ws.run(&args);
    assert!(
        run.code == Some(0),
        "embed {embed_args:?}: exit {:?}: {}",
        run.code,
        run.stderr
    );
    let embedded = ws.read_text("embedded/doc.md");
    let run = ws.run_in("embedded", &["extract", "-i", "doc.md"]);
    assert_eq!(run.code, Some(0), "extract: {}", run.stderr);
    let extracted = ws.read_text("embedded/doc.md");
    let mut files = BTreeMap::new();
    if ws.exists("embedded/doc.assets") {
        for entry in std::fs::read_dir(ws.join("embedded/doc.assets")).unwrap() {
            let entry = entry.unwrap();
            files.insert(
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            );
        }
    }
    (embedded, extracted, files)
}

/// Writes the round-trip fixtures and returns the document and each original file's bytes.
fn round_trip_fixtures(ws: &Workspace) -> (String, Vec<Vec<u8>>) {
    ws.write("img/a.png", png(1));
    ws.write("img/b.jpg", jpeg(2));
    ws.write("img/c.gif", gif(3));
    ws.write("img/d.webp", webp(4));
    ws.write("img/e.svg", svg());
    let text = "# Notes\r\n\r\nA ![Alpha](img/a.png \"first\") and ![](img/b.jpg).\r\n\r\n| t | ![c](img/c.gif) |\r\n|---|---|\r\n\r\n> ![Alpha](img/a.png \"first\") again, ![d](img/d.webp)\r\n\r\n<img src=\"img/e.svg\" alt=\"e\">\r\n\r\n![e](img/e.svg)\r\n\r\n[site]: https://example.org/";
    let originals = vec![png(1), jpeg(2), gif(3), webp(4), svg()];
    (text.to_string(), originals)
}

#[test]
fn reference_round_trip_restores_files_and_document() {
    for target in ["browser", "vscode", "markdown-it", "portable"] {
        let ws = Workspace::new();
        let (text, originals) = round_trip_fixtures(&ws);
        ws.write("doc.md", &text);
        let (embedded, extracted, files) =
            round_trip(&ws, &["--style", "reference", "--target", target]);
        assert!(
            embedded.contains("[alpha]: data:image/png;base64,"),
            "{target}: {embedded:.300}"
        );
        let mut extracted_files: Vec<&Vec<u8>> = files.values().collect();
        extracted_files.sort();
        let svg_kept = target != "markdown-it" && target != "portable";
        let mut expected: Vec<&Vec<u8>> = originals
            .iter()
            .filter(|bytes| svg_kept || **bytes != svg())
            .collect();
        expected.sort();
        if svg_kept {
            assert_eq!(extracted_files, expected, "{target}: extracted files");
        } else {
            // The rasterized SVG comes back as one PNG; every other file is byte-identical.
            assert_eq!(files.len(), expected.len() + 1, "{target}: {files:?}");
            for bytes in expected {
                assert!(
                    extracted_files.contains(&bytes),
                    "{target}: an original is missing"
                );
            }
        }
        let run = ws.run_in(
            "embedded",
            &[
                "embed",
                "--style",
                "reference",
                "--target",
                target,
                "doc.md",
            ],
        );
        assert_eq!(run.code, Some(0), "{target}: {}", run.stderr);
        assert_eq!(run.stdout, embedded, "{target}: embed after extract");
        assert_ne!(extracted, embedded);
    }
}

#[test]
fn reference_round_trip_joplin_percent_svg() {
    let ws = Workspace::new();
    ws.write("logo.svg", svg());
    ws.write("doc.md", "![Logo](logo.svg)\n");
    let (embedded, _, files) = round_trip(&ws, &["--style", "reference", "--target", "joplin"]);
    assert!(
        embedded.starts_with("![Logo][logo]\n\n[logo]: data:image/svg+xml,%3C"),
        "{embedded}"
    );
    assert_eq!(files.values().collect::<Vec<_>>(), [&svg()]);
    let run = ws.run_in(
        "embedded",
        &[
            "embed",
            "--style",
            "reference",
            "--target",
            "joplin",
            "doc.md",
        ],
    );
    assert_eq!(run.stdout, embedded);
}

#[test]
fn reference_round_trip_c28() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("b.png", png(2));
    ws.write(
        "doc.md",
        "![Fig](a.png) and ![Fig](a.png) and ![fig](b.png)\n\n[fig]: https://example.org/other.png\n",
    );
    let (embedded, extracted, files) = round_trip(&ws, &["--style", "reference"]);
    let mut bytes: Vec<&Vec<u8>> = files.values().collect();
    bytes.sort();
    let mut expected = [png(1), png(2)];
    expected.sort();
    assert_eq!(bytes, expected.iter().collect::<Vec<_>>());
    assert!(extracted.starts_with("![Fig][fig-2] and ![Fig][fig-2] and ![fig][fig-3]\n\n[fig]: https://example.org/other.png\n\n[fig-2]: doc.assets/"), "{extracted}");
    let run = ws.run_in("embedded", &["embed", "--style", "reference", "doc.md"]);
    assert_eq!(run.stdout, embedded);
}

#[test]
fn reference_embed_after_extract_of_inline_document() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("doc.md", "![a](a.png)\n");
    let (embedded, _, _) = round_trip(&ws, &[]);
    let run = ws.run_in("embedded", &["embed", "doc.md"]);
    assert_eq!(run.stdout, embedded);
}

#[test]
fn extract_reads_reference_style_output_from_base64() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("doc.md", "![a](a.png \"T\")\n");
    let (_, extracted, files) = round_trip(&ws, &["--style", "reference"]);
    assert_eq!(extracted, "![a][a]\n\n[a]: doc.assets/a.png \"T\"\n");
    assert_eq!(files.get("a.png"), Some(&png(1)));
}

#[test]
fn labels_avoid_shortcut_reference_text() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "The [fig] shows it: ![fig](a.png)\n";
    let expected = format!(
        "The [fig] shows it: ![fig][fig-2]\n\n[fig-2]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn labels_avoid_undefined_full_reference() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "See [here][gan-samples]. ![GAN samples](a.png)\n";
    let expected = format!(
        "See [here][gan-samples]. ![GAN samples][gan-samples-2]\n\n[gan-samples-2]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_cr_line_endings() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "a\r![a](a.png)\r";
    let expected = format!("a\r![a][a]\r\r[a]: {}\r", data_uri("image/png", &png(1)));
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_unclosed_html_comment_stays_inline() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "x ![a](a.png)\n\n<!-- open\n";
    let expected = format!("x ![a]({})\n\n<!-- open\n", data_uri("image/png", &png(1)));
    let run = embed_reference(&ws, text, &[]);
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr.lines().next(),
        Some(
            "warning: doc.md: data URIs kept inline: the document ends inside a code or HTML block, which would swallow definitions appended after it"
        )
    );
}

#[test]
fn reference_style_multiline_title() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "![a \\] b](<a.png> \"t\nx\")\n";
    let uri = data_uri("image/png", &png(1));
    let expected = format!("![a \\] b][a-b]\n\n[a-b]: {uri} \"t\nx\"\n");
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
    assert_eq!(image_destinations(&run.stdout), [(uri, "t\nx".to_string())]);
}

#[test]
fn reference_style_image_inside_link() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    let text = "[![a](a.png)](https://example.org/)\n";
    let expected = format!(
        "[![a][a]](https://example.org/)\n\n[a]: {}\n",
        data_uri("image/png", &png(1))
    );
    let run = embed_reference(&ws, text, &[]);
    assert_clean_embed(&run, text, &expected, 1);
}

#[test]
fn reference_style_obsidian_embeds_share_one_definition() {
    let ws = Workspace::new();
    ws.mkdir("vault/.obsidian");
    ws.write("vault/att/GAN samples.png", png(1));
    ws.write(
        "vault/n.md",
        "![[GAN samples.png|300]] and ![[GAN samples.png]]\n",
    );
    let run = ws.run_in("vault", &["embed", "--style", "reference", "n.md"]);
    assert_eq!(
        run.stdout,
        format!(
            "![GAN samples|300][gan-samples-300] and ![GAN samples][gan-samples-300]\n\n[gan-samples-300]: {}\n",
            data_uri("image/png", &png(1))
        )
    );
    assert_eq!(run.code, Some(0), "exit status: {}", run.stderr);
}

#[test]
fn reference_style_labels_per_document() {
    let ws = Workspace::new();
    ws.write("a.png", png(1));
    ws.write("one.md", "![x](a.png)\n");
    ws.write("two.md", "![x](a.png)\n");
    let run = ws.run(&[
        "embed",
        "--style",
        "reference",
        "-o",
        "out",
        "one.md",
        "two.md",
    ]);
    assert_eq!(run.code, Some(0), "exit status: {}", run.stderr);
    let expected = format!("![x][x]\n\n[x]: {}\n", data_uri("image/png", &png(1)));
    assert_eq!(ws.read_text("out/one.md"), expected);
    assert_eq!(ws.read_text("out/two.md"), expected);
}
