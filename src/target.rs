//! Renderer targets: which image types a Markdown viewer displays as data URIs, and the
//! conversions that make every embedded image display there.
//!
//! The facts behind the table, from each renderer's own source or documentation:
//! - markdown-it's default `validateLink` accepts only `data:image/gif;`, `png;`, `jpeg;` and
//!   `webp;` (markdown-it `lib/index.mjs`), and shows every other data URI as text.
//! - The VS Code preview widens that to any `data:image/...;` and renders in Chromium.
//! - Joplin accepts the four raster types and SVG only percent-encoded
//!   (`data:image/svg+xml,%3Csvg...`), never base64 SVG (`validateLinks.ts`).
//! - GitHub's sanitizer allows only http, https and relative image sources.
//! - Chromium, Firefox and the apps built on them show PNG, JPEG, GIF, WebP, AVIF, BMP, ICO and
//!   SVG, but not TIFF or HEIC. Obsidian lists avif, bmp, gif, jpeg, png, svg and webp as its
//!   image formats.

use std::fmt;

use crate::sniff::ImageType;

/// A Markdown viewer that embedded documents are made for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Target {
    /// Chromium, Firefox and the apps built on them.
    #[default]
    Browser,
    /// Only what every common data-URI renderer displays: PNG, JPEG, GIF, WebP.
    Portable,
    /// markdown-it with its default link validator.
    MarkdownIt,
    /// The VS Code Markdown preview.
    Vscode,
    /// Joplin.
    Joplin,
    /// Obsidian.
    Obsidian,
    /// Typora.
    Typora,
    /// GitHub, which displays no data-URI image at all.
    Github,
}

/// The encoding an SVG image is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SvgEncoding {
    /// `data:image/svg+xml;base64,...`.
    Base64,
    /// `data:image/svg+xml,%3Csvg...`, which Joplin requires.
    Percent,
    /// Rasterized to PNG at its intrinsic size.
    Png,
}

impl Target {
    /// Every target, in the order of the documentation table.
    pub const ALL: [Target; 8] = [
        Target::Browser,
        Target::Portable,
        Target::MarkdownIt,
        Target::Vscode,
        Target::Joplin,
        Target::Obsidian,
        Target::Typora,
        Target::Github,
    ];

    /// Returns the name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::Browser => "browser",
            Target::Portable => "portable",
            Target::MarkdownIt => "markdown-it",
            Target::Vscode => "vscode",
            Target::Joplin => "joplin",
            Target::Obsidian => "obsidian",
            Target::Typora => "typora",
            Target::Github => "github",
        }
    }

    /// Tells whether the target displays a data URI of type `kind` as it is (for SVG: base64).
    pub fn displays(self, kind: ImageType) -> bool {
        use ImageType::*;
        let raster_four = matches!(kind, Png | Jpeg | Gif | Webp);
        match self {
            Target::Browser | Target::Vscode | Target::Typora => {
                matches!(kind, Png | Jpeg | Gif | Webp | Avif | Bmp | Ico | Svg)
            }
            Target::Obsidian => matches!(kind, Png | Jpeg | Gif | Webp | Avif | Bmp | Svg),
            Target::Portable | Target::MarkdownIt | Target::Joplin => raster_four,
            Target::Github => false,
        }
    }

    /// Returns the SVG encoding this target needs, used unless `--svg` sets another.
    pub fn svg_encoding(self) -> SvgEncoding {
        match self {
            Target::Joplin => SvgEncoding::Percent,
            Target::Portable | Target::MarkdownIt | Target::Github => SvgEncoding::Png,
            Target::Browser | Target::Vscode | Target::Obsidian | Target::Typora => {
                SvgEncoding::Base64
            }
        }
    }

    /// Tells whether the target shows images whose data URI sits in a reference definition.
    /// Typora and Obsidian were reported not to, so `--style reference` keeps inline images for
    /// them.
    pub fn shows_reference_definitions(self) -> bool {
        !matches!(self, Target::Typora | Target::Obsidian)
    }

    /// Returns the default size above which one data URI earns a warning: Typora skips base64
    /// lines near 100 KB; Chromium caps URLs passed between its processes at 2 MB.
    pub fn uri_warning_bytes(self) -> u64 {
        match self {
            Target::Typora => 90 * 1024,
            _ => 2 * 1024 * 1024,
        }
    }

    /// Returns the default size above which a whole output document earns a warning: Typora
    /// refuses files over 2 MB; several large images make Obsidian slow, most of all on mobile.
    pub fn document_warning_bytes(self) -> u64 {
        match self {
            Target::Typora => 2 * 1024 * 1024,
            Target::Obsidian => 5 * 1024 * 1024,
            _ => 10 * 1024 * 1024,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An image made displayable for a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adapted {
    /// Bytes of a type the target displays, to be base64-encoded.
    Bytes {
        /// The bytes.
        bytes: Vec<u8>,
        /// Their type.
        kind: ImageType,
        /// A description of the conversion, if any, for verbose output.
        conversion: Option<String>,
    },
    /// A complete data URI (percent-encoded SVG).
    Uri {
        /// The URI.
        uri: String,
        /// A description of the conversion, for verbose output.
        conversion: String,
    },
}

/// A reason an image cannot be made displayable for a target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertProblem {
    /// No decoder for the format is built in.
    #[error(
        "{target} cannot display {format} and mdembed has no {format} decoder to convert it (use --target browser or convert the file)"
    )]
    NoDecoder {
        /// The target.
        target: Target,
        /// The format's name.
        format: &'static str,
    },
    /// Decoding the image failed.
    #[error("cannot convert {format} for {target}: {reason}")]
    Decode {
        /// The target.
        target: Target,
        /// The format's name.
        format: &'static str,
        /// The decoder's message.
        reason: String,
    },
    /// The SVG could not be rasterized.
    #[error("cannot rasterize SVG for {target}: {reason}")]
    Svg {
        /// The target.
        target: Target,
        /// Why.
        reason: String,
    },
}

/// The largest SVG raster mdembed produces, in pixels per side: an SVG claiming a larger
/// intrinsic size is rejected rather than allocated.
const MAX_RASTER_SIDE: u32 = 16_384;

/// The largest raster in pixels (64 megapixels, 256 MiB of RGBA).
const MAX_RASTER_PIXELS: u64 = 64 * 1024 * 1024;

/// Makes `bytes` of type `kind` displayable for `target`, writing SVG in the encoding `svg`.
pub fn adapt(
    bytes: Vec<u8>,
    kind: ImageType,
    target: Target,
    svg: SvgEncoding,
) -> Result<Adapted, ConvertProblem> {
    if kind == ImageType::Svg {
        return match svg {
            SvgEncoding::Base64 => Ok(Adapted::Bytes {
                bytes,
                kind,
                conversion: None,
            }),
            SvgEncoding::Percent => Ok(Adapted::Uri {
                uri: percent_svg_uri(&bytes),
                conversion: "SVG written percent-encoded".to_string(),
            }),
            SvgEncoding::Png => Ok(Adapted::Bytes {
                bytes: rasterize_svg(&bytes, target)?,
                kind: ImageType::Png,
                conversion: Some("SVG rasterized to PNG at its intrinsic size".to_string()),
            }),
        };
    }
    if target.displays(kind) {
        return Ok(Adapted::Bytes {
            bytes,
            kind,
            conversion: None,
        });
    }
    let format = kind.extension();
    if kind == ImageType::Avif {
        return Err(ConvertProblem::NoDecoder { target, format });
    }
    let decoded = decode_limited(&bytes, kind)
        .or_else(|error| match ico_png_entry(&bytes, kind) {
            Some(png) => decode_limited(png, ImageType::Png),
            None => Err(error),
        })
        .map_err(|reason| ConvertProblem::Decode {
            target,
            format,
            reason,
        })?;
    let (bytes, new_kind) = encode_smallest(&decoded).map_err(|reason| ConvertProblem::Decode {
        target,
        format,
        reason,
    })?;
    Ok(Adapted::Bytes {
        bytes,
        kind: new_kind,
        conversion: Some(format!(
            "converted {} to {} for {target}",
            kind.mime(),
            new_kind.mime()
        )),
    })
}

/// Decodes a raster image with the decoder limits that keep a claimed 100000x100000 image from
/// exhausting memory.
fn decode_limited(bytes: &[u8], kind: ImageType) -> Result<image::DynamicImage, String> {
    let format = match kind {
        ImageType::Bmp => image::ImageFormat::Bmp,
        ImageType::Ico => image::ImageFormat::Ico,
        ImageType::Tiff => image::ImageFormat::Tiff,
        ImageType::Png => image::ImageFormat::Png,
        ImageType::Jpeg => image::ImageFormat::Jpeg,
        ImageType::Gif => image::ImageFormat::Gif,
        ImageType::Webp => image::ImageFormat::WebP,
        ImageType::Avif | ImageType::Svg => return Err("not a raster format".to_string()),
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_RASTER_SIDE);
    limits.max_image_height = Some(MAX_RASTER_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().map_err(|error| error.to_string())
}

/// Returns the largest PNG entry of an ICO file. The image crate's ICO decoder accepts only
/// RGBA entries, while favicon tools also write RGB PNGs, which its PNG decoder reads.
fn ico_png_entry(bytes: &[u8], kind: ImageType) -> Option<&[u8]> {
    if kind != ImageType::Ico {
        return None;
    }
    let count = u16::from_le_bytes([*bytes.get(4)?, *bytes.get(5)?]) as usize;
    let mut best: Option<(u64, &[u8])> = None;
    for index in 0..count {
        let entry = bytes.get(6 + index * 16..6 + index * 16 + 16)?;
        // A width or height byte of 0 means 256.
        let side = |b: u8| if b == 0 { 256u64 } else { u64::from(b) };
        let area = side(entry[0]) * side(entry[1]);
        let size = u32::from_le_bytes([entry[8], entry[9], entry[10], entry[11]]) as usize;
        let offset = u32::from_le_bytes([entry[12], entry[13], entry[14], entry[15]]) as usize;
        let data = bytes.get(offset..offset.checked_add(size)?)?;
        if data.starts_with(b"\x89PNG\r\n\x1a\n") && best.is_none_or(|(a, _)| area > a) {
            best = Some((area, data));
        }
    }
    best.map(|(_, data)| data)
}

/// Tells whether any pixel of `image` is not fully opaque.
fn has_transparency(image: &image::DynamicImage) -> bool {
    if !image.color().has_alpha() {
        return false;
    }
    image.to_rgba8().pixels().any(|pixel| pixel.0[3] != u8::MAX)
}

/// Encodes a decoded image as PNG, or as JPEG (quality 90) when no pixel is transparent and the
/// JPEG is smaller, which is the case for photographs.
fn encode_smallest(image: &image::DynamicImage) -> Result<(Vec<u8>, ImageType), String> {
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|error| error.to_string())?;
    if has_transparency(image) {
        return Ok((png, ImageType::Png));
    }
    let mut jpeg = Vec::new();
    let rgb = image.to_rgb8();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90);
    rgb.write_with_encoder(encoder)
        .map_err(|error| error.to_string())?;
    // A photograph compresses far better as JPEG; a diagram or screenshot stays PNG unless the
    // JPEG is less than half its size.
    if jpeg.len() * 2 < png.len() {
        Ok((jpeg, ImageType::Jpeg))
    } else {
        Ok((png, ImageType::Png))
    }
}

/// Rasterizes an SVG at its intrinsic size with resvg. External files the SVG references are
/// never read, so an SVG cannot pull in files from outside the root.
fn rasterize_svg(bytes: &[u8], target: Target) -> Result<Vec<u8>, ConvertProblem> {
    use resvg::{tiny_skia, usvg};

    let error = |reason: String| ConvertProblem::Svg { target, reason };
    let mut options = usvg::Options {
        resources_dir: None,
        ..usvg::Options::default()
    };
    options.image_href_resolver.resolve_string = Box::new(|_, _| None);
    options.fontdb_mut().load_system_fonts();
    let tree = usvg::Tree::from_data(bytes, &options).map_err(|e| error(e.to_string()))?;
    let size = tree.size().to_int_size();
    let (width, height) = (size.width(), size.height());
    if width > MAX_RASTER_SIDE
        || height > MAX_RASTER_SIDE
        || u64::from(width) * u64::from(height) > MAX_RASTER_PIXELS
    {
        return Err(error(format!(
            "its intrinsic size {width}x{height} exceeds {MAX_RASTER_SIDE} pixels per side or {MAX_RASTER_PIXELS} pixels"
        )));
    }
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| error(format!("invalid size {width}x{height}")))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| error(e.to_string()))
}

/// Returns `data:image/svg+xml,` followed by the SVG text with every byte percent-encoded that
/// a Markdown destination, an HTML attribute or a URL parser would misread.
pub fn percent_svg_uri(svg: &[u8]) -> String {
    let mut uri = String::with_capacity(svg.len() * 3 / 2 + 20);
    uri.push_str("data:image/svg+xml,");
    for &byte in svg {
        let safe = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b':'
                    | b'='
                    | b';'
                    | b','
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'*'
                    | b'+'
            );
        if safe {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><rect width="4" height="3" fill="red"/></svg>"#;

    fn bmp() -> Vec<u8> {
        let image = image::RgbImage::from_pixel(5, 4, image::Rgb([10, 200, 30]));
        let mut out = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Bmp)
            .unwrap();
        out
    }

    #[test]
    fn table_of_displayed_types() {
        assert!(Target::Browser.displays(ImageType::Avif));
        assert!(!Target::Browser.displays(ImageType::Tiff));
        assert!(!Target::Portable.displays(ImageType::Bmp));
        assert!(Target::MarkdownIt.displays(ImageType::Webp));
        assert!(!Target::MarkdownIt.displays(ImageType::Svg));
        assert!(!Target::Obsidian.displays(ImageType::Ico));
        assert!(!Target::Github.displays(ImageType::Png));
    }

    #[test]
    fn displayed_type_kept_byte_for_byte() {
        let bytes = bmp();
        let adapted = adapt(
            bytes.clone(),
            ImageType::Bmp,
            Target::Browser,
            SvgEncoding::Base64,
        );
        assert_eq!(
            adapted,
            Ok(Adapted::Bytes {
                bytes,
                kind: ImageType::Bmp,
                conversion: None
            })
        );
    }

    #[test]
    fn bmp_converted_to_png_for_portable() {
        let adapted = adapt(bmp(), ImageType::Bmp, Target::Portable, SvgEncoding::Png).unwrap();
        let Adapted::Bytes { bytes, kind, .. } = adapted else {
            panic!("not bytes");
        };
        assert_eq!(kind, ImageType::Png);
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (5, 4));
    }

    #[test]
    fn svg_rasterized_at_intrinsic_size() {
        let adapted = adapt(
            SVG.into(),
            ImageType::Svg,
            Target::MarkdownIt,
            SvgEncoding::Png,
        )
        .unwrap();
        let Adapted::Bytes { bytes, kind, .. } = adapted else {
            panic!("not bytes");
        };
        assert_eq!(kind, ImageType::Png);
        let decoded = image::load_from_memory(&bytes).unwrap().to_rgba8();
        assert_eq!(decoded.dimensions(), (4, 3));
        assert_eq!(decoded.get_pixel(1, 1).0, [255, 0, 0, 255]);
    }

    #[test]
    fn svg_percent_encoded_for_joplin() {
        let uri = percent_svg_uri(b"<svg a=\"1\">x y</svg>");
        assert_eq!(
            uri,
            "data:image/svg+xml,%3Csvg%20a=%221%22%3Ex%20y%3C/svg%3E"
        );
    }

    #[test]
    fn huge_svg_rejected() {
        let svg =
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"></svg>"#;
        let result = adapt(
            svg.into(),
            ImageType::Svg,
            Target::Portable,
            SvgEncoding::Png,
        );
        assert!(matches!(result, Err(ConvertProblem::Svg { .. })));
    }

    #[test]
    fn avif_without_decoder_is_problem() {
        let result = adapt(
            vec![0; 16],
            ImageType::Avif,
            Target::Portable,
            SvgEncoding::Png,
        );
        assert_eq!(
            result,
            Err(ConvertProblem::NoDecoder {
                target: Target::Portable,
                format: "avif"
            })
        );
    }
}
