//! Image processing through the binary: `--max-width`, `--max-height`, `--image-format`,
//! `--quality`, `--max-bytes` and `--strip-metadata` on generated images, checking the decoded
//! payload of each data URI.

mod common;

use std::io::Cursor;

use common::{Run, Workspace, decode_payload, embed_doc};
use image::{DynamicImage, GenericImageView, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// Returns a `width` x `height` picture with a red left half and a blue right half.
fn halves(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    }))
}

/// Returns a picture whose left half is transparent and right half opaque green.
fn half_transparent(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([0, 255, 0, 255])
        }
    }))
}

fn encode(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut bytes), format)
        .expect("encode test image");
    bytes
}

/// Returns the MIME type and decoded bytes of every data URI in `text`, in order.
fn payloads(text: &str) -> Vec<(String, Vec<u8>)> {
    text.split("data:")
        .skip(1)
        .map(|rest| {
            let end = rest.find(')').expect("closing parenthesis");
            let uri = &rest[..end];
            let mime = uri.split(';').next().unwrap().to_string();
            (mime, decode_payload(uri))
        })
        .collect()
}

/// Returns the only data URI payload of a run, asserting its MIME type.
fn only_payload(run: &Run, mime: &str) -> Vec<u8> {
    let found = payloads(&run.stdout);
    assert_eq!(found.len(), 1, "one data URI in {:?}", run.stdout);
    assert_eq!(found[0].0, mime);
    found[0].1.clone()
}

/// Asserts each channel of `actual` within `tolerance` of `expected`, as JPEG output is lossy.
fn assert_close(actual: [u8; 3], expected: [u8; 3], tolerance: u8) {
    for (channel, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            a.abs_diff(e) <= tolerance,
            "channel {channel}: {actual:?} vs {expected:?}"
        );
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Builds an APP1 EXIF payload (big-endian TIFF) with an optional orientation and an optional
/// GPS IFD holding latitude 52°31'N.
fn exif_app1(orientation: Option<u16>, gps: bool) -> Vec<u8> {
    let count = usize::from(orientation.is_some()) + usize::from(gps);
    let gps_offset = (8 + 2 + 12 * count + 4) as u32;
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&(count as u16).to_be_bytes());
    if let Some(value) = orientation {
        let v = value.to_be_bytes();
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, v[0], v[1], 0, 0]);
    }
    if gps {
        let o = gps_offset.to_be_bytes();
        tiff.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, o[0], o[1], o[2], o[3]]);
    }
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    if gps {
        let data = (gps_offset + 2 + 2 * 12 + 4).to_be_bytes();
        tiff.extend_from_slice(&2u16.to_be_bytes());
        tiff.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
        tiff.extend_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3, data[0], data[1], data[2], data[3]]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        for value in [52u32, 31, 0] {
            tiff.extend_from_slice(&value.to_be_bytes());
            tiff.extend_from_slice(&1u32.to_be_bytes());
        }
    }
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    payload
}

/// Inserts an APP1 segment with `payload` after the APP0 JFIF segment of `jpeg`.
fn with_app1(jpeg: &[u8], payload: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..4], &[0xFF, 0xD8, 0xFF, 0xE0]);
    let app0_end = 4 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    let mut out = jpeg[..app0_end].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[app0_end..]);
    out
}

/// Appends a PNG chunk with its CRC.
fn push_chunk(png: &mut Vec<u8>, chunk_type: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(chunk_type);
    png.extend_from_slice(data);
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(chunk_type);
    hasher.update(data);
    png.extend_from_slice(&hasher.finalize().to_be_bytes());
}

const DOC: &str = "![photo](photo)\n";

/// Writes `bytes` as `name`, a document referencing it, and runs `embed` with `args`.
fn embed_one(ws: &Workspace, name: &str, bytes: &[u8], args: &[&str]) -> Run {
    ws.write(name, bytes);
    embed_doc(ws, &DOC.replace("photo)", &format!("{name})")), args)
}

#[test]
fn unchanged_image_byte_for_byte() {
    let ws = Workspace::new();
    let jpeg = encode(&halves(40, 20), ImageFormat::Jpeg);
    let run = embed_one(
        &ws,
        "a.jpg",
        &jpeg,
        &[
            "--max-width",
            "40",
            "--image-format",
            "jpeg",
            "--quality",
            "10",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(only_payload(&run, "image/jpeg"), jpeg);
}

#[test]
fn max_width_downscales() {
    let ws = Workspace::new();
    let png = encode(&halves(400, 300), ImageFormat::Png);
    let run = embed_one(&ws, "a.png", &png, &["--max-width", "100"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let image = image::load_from_memory(&only_payload(&run, "image/png")).unwrap();
    assert_eq!(image.dimensions(), (100, 75));
}

#[test]
fn max_height_downscales() {
    let ws = Workspace::new();
    let png = encode(&halves(400, 300), ImageFormat::Png);
    let run = embed_one(&ws, "a.png", &png, &["--max-height", "30"]);
    let image = image::load_from_memory(&only_payload(&run, "image/png")).unwrap();
    assert_eq!(image.dimensions(), (40, 30));
}

#[test]
fn small_image_not_upscaled() {
    let ws = Workspace::new();
    let png = encode(&halves(40, 30), ImageFormat::Png);
    let run = embed_one(
        &ws,
        "a.png",
        &png,
        &["--max-width", "400", "--max-height", "300"],
    );
    assert_eq!(only_payload(&run, "image/png"), png);
}

#[test]
fn resize_note_with_verbose() {
    let ws = Workspace::new();
    let png = encode(&halves(400, 300), ImageFormat::Png);
    let run = embed_one(&ws, "a.png", &png, &["-v", "--max-width", "100"]);
    assert!(
        run.stderr
            .contains("note: resized from 400x300 to 100x75: a.png (doc.md:1:1)\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn orientation_6_made_upright() {
    let ws = Workspace::new();
    // Stored 80x40 landscape with orientation 6: upright it is 40x80, red on top.
    let jpeg = with_app1(
        &encode(&halves(80, 40), ImageFormat::Jpeg),
        &exif_app1(Some(6), false),
    );
    let run = embed_one(&ws, "a.jpg", &jpeg, &["--max-height", "40"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let output = only_payload(&run, "image/jpeg");
    assert!(!contains(&output, b"Exif\0\0"));
    let image = image::load_from_memory(&output).unwrap().to_rgb8();
    assert_eq!(image.dimensions(), (20, 40));
    assert_close(image.get_pixel(10, 5).0, [255, 0, 0], 60);
    assert_close(image.get_pixel(10, 35).0, [0, 0, 255], 60);
}

#[test]
fn strip_metadata_removes_gps() {
    let ws = Workspace::new();
    let plain = encode(&halves(40, 20), ImageFormat::Jpeg);
    let jpeg = with_app1(&plain, &exif_app1(None, true));
    let run = embed_one(&ws, "a.jpg", &jpeg, &["--strip-metadata"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(only_payload(&run, "image/jpeg"), plain);
}

#[test]
fn gps_kept_without_strip() {
    let ws = Workspace::new();
    let jpeg = with_app1(
        &encode(&halves(40, 20), ImageFormat::Jpeg),
        &exif_app1(None, true),
    );
    let run = embed_one(&ws, "a.jpg", &jpeg, &[]);
    assert_eq!(only_payload(&run, "image/jpeg"), jpeg);
}

#[test]
fn strip_metadata_keeps_orientation() {
    let ws = Workspace::new();
    let plain = encode(&halves(40, 20), ImageFormat::Jpeg);
    let jpeg = with_app1(&plain, &exif_app1(Some(6), true));
    let run = embed_one(&ws, "a.jpg", &jpeg, &["--strip-metadata"]);
    assert_eq!(
        only_payload(&run, "image/jpeg"),
        with_app1(&plain, &exif_app1(Some(6), false))
    );
}

#[test]
fn strip_metadata_png_text() {
    let ws = Workspace::new();
    let plain = encode(&halves(40, 20), ImageFormat::Png);
    // Chunks go after IHDR: the 8-byte signature and the 25-byte IHDR chunk.
    let mut png = plain[..33].to_vec();
    push_chunk(&mut png, b"tEXt", b"Author\0someone");
    push_chunk(&mut png, b"eXIf", &exif_app1(None, true)[6..]);
    png.extend_from_slice(&plain[33..]);
    let run = embed_one(&ws, "a.png", &png, &["--strip-metadata"]);
    assert_eq!(only_payload(&run, "image/png"), plain);
}

#[test]
fn animated_gif_kept_with_warning() {
    let ws = Workspace::new();
    let mut gif = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        for shade in [0u8, 255] {
            let frame = RgbaImage::from_pixel(40, 20, Rgba([shade, 0, 0, 255]));
            encoder.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    let run = embed_one(&ws, "a.gif", &gif, &["-v", "--max-width", "10"]);
    assert_eq!(only_payload(&run, "image/gif"), gif);
    assert!(
        run.stderr.contains(
            "animated GIF kept as it is: resizing and conversion never flatten animations: \
             a.gif (doc.md:1:1)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn svg_embedded_as_is() {
    let ws = Workspace::new();
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="10"/>"#;
    let run = embed_one(
        &ws,
        "a.svg",
        svg,
        &["--max-width", "10", "--image-format", "png"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(only_payload(&run, "image/svg+xml"), svg);
}

#[test]
fn png_bomb_rejected() {
    let ws = Workspace::new();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    push_chunk(&mut png, b"IHDR", &ihdr);
    push_chunk(&mut png, b"IDAT", &[0x78, 0x9C, 0x03, 0, 0, 0, 0, 1]);
    push_chunk(&mut png, b"IEND", &[]);
    let started = std::time::Instant::now();
    let run = embed_one(&ws, "bomb.png", &png, &["--max-width", "100"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "![photo](bomb.png)\n");
    assert!(
        run.stderr.contains(
            "warning: PNG image of 100000x100000 pixels exceeds the decoding limit of 32768 \
             pixels per side: bomb.png (doc.md:1:1)\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn truncated_jpeg_left_linked() {
    let ws = Workspace::new();
    let jpeg = encode(&halves(400, 300), ImageFormat::Jpeg);
    let run = embed_one(
        &ws,
        "a.jpg",
        &jpeg[..jpeg.len() / 2],
        &["--max-width", "100"],
    );
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "![photo](a.jpg)\n");
    assert!(
        run.stderr.contains(
            "warning: truncated JPEG image: the file ends before the image data: a.jpg (doc.md:1:1)\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn png_keeps_transparency() {
    let ws = Workspace::new();
    let png = encode(&half_transparent(40, 20), ImageFormat::Png);
    let run = embed_one(&ws, "a.png", &png, &["--max-width", "20"]);
    let image = image::load_from_memory(&only_payload(&run, "image/png"))
        .unwrap()
        .to_rgba8();
    assert_eq!(image.dimensions(), (20, 10));
    assert_eq!(image.get_pixel(2, 5).0[3], 0);
    assert_eq!(image.get_pixel(18, 5).0, [0, 255, 0, 255]);
}

#[test]
fn webp_keeps_transparency() {
    let ws = Workspace::new();
    let png = encode(&half_transparent(40, 20), ImageFormat::Png);
    let run = embed_one(&ws, "a.png", &png, &["--image-format", "webp"]);
    let image = image::load_from_memory(&only_payload(&run, "image/webp"))
        .unwrap()
        .to_rgba8();
    assert_eq!(image.dimensions(), (40, 20));
    assert_eq!(image.get_pixel(2, 10).0[3], 0);
    assert_eq!(image.get_pixel(38, 10).0[3], 255);
}

#[test]
fn jpeg_output_composites_on_white() {
    let ws = Workspace::new();
    let png = encode(&half_transparent(40, 20), ImageFormat::Png);
    let run = embed_one(&ws, "a.png", &png, &["-v", "--image-format", "jpeg"]);
    let image = image::load_from_memory(&only_payload(&run, "image/jpeg"))
        .unwrap()
        .to_rgb8();
    assert_close(image.get_pixel(2, 10).0, [255, 255, 255], 10);
    assert!(
        run.stderr.contains(
            "note: transparency composited on white for JPEG output: a.png (doc.md:1:1)\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn image_format_converts() {
    let ws = Workspace::new();
    let jpeg = encode(&halves(40, 20), ImageFormat::Jpeg);
    let run = embed_one(&ws, "a.jpg", &jpeg, &["--image-format", "png"]);
    let output = only_payload(&run, "image/png");
    assert_eq!(image::guess_format(&output).unwrap(), ImageFormat::Png);
    assert_eq!(
        image::load_from_memory(&output).unwrap().dimensions(),
        (40, 20)
    );
}

/// Returns a noisy PNG, whose compressed size depends on the quality.
fn noise_png() -> Vec<u8> {
    let picture = DynamicImage::ImageRgb8(RgbImage::from_fn(64, 64, |x, y| {
        let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761);
        Rgb([(v >> 24) as u8, (v >> 16) as u8, (v >> 8) as u8])
    }));
    encode(&picture, ImageFormat::Png)
}

#[test]
fn quality_sets_jpeg_size() {
    let ws = Workspace::new();
    let png = noise_png();
    let low = embed_one(
        &ws,
        "a.png",
        &png,
        &["--image-format", "jpeg", "--quality", "20"],
    );
    let high = embed_one(
        &ws,
        "a.png",
        &png,
        &["--image-format", "jpeg", "--quality", "95"],
    );
    assert!(only_payload(&low, "image/jpeg").len() < only_payload(&high, "image/jpeg").len());
}

#[test]
fn max_bytes_checked_after_resize() {
    let ws = Workspace::new();
    let png = encode(
        &DynamicImage::ImageRgb8(RgbImage::from_fn(400, 400, |x, y| {
            let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761);
            Rgb([(v >> 24) as u8, (v >> 16) as u8, (v >> 8) as u8])
        })),
        ImageFormat::Png,
    );
    assert!(png.len() > 60 * 1024);
    let resized = embed_one(
        &ws,
        "a.png",
        &png,
        &["--max-bytes", "60K", "--max-width", "100"],
    );
    assert_eq!(resized.code, Some(0), "{}", resized.stderr);
    let kept = embed_one(&ws, "a.png", &png, &["--max-bytes", "60K"]);
    assert_eq!(kept.code, Some(1));
    assert_eq!(kept.stdout, "![photo](a.png)\n");
    assert!(
        kept.stderr.contains(&format!(
            "warning: image of {} bytes exceeds --max-bytes 61440: a.png (doc.md:1:1)\n",
            png.len()
        )),
        "{}",
        kept.stderr
    );
}
