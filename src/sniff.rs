//! Detects the image type of a file from its content, so that mdembed writes a correct MIME type
//! into each `data:` URI whatever the file is named.
//!
//! Contract of [`sniff`]:
//! - The content decides. Magic bytes (through [`image::guess_format`]) identify PNG, JPEG, GIF,
//!   WebP, BMP, ICO and TIFF. The ISO-BMFF `ftyp` box identifies AVIF and HEIF/HEIC. The XML root
//!   element identifies SVG, which has no magic bytes.
//! - Formats that a browser cannot display in an `<img>` (TGA, DDS, HDR, OpenEXR, PNM, QOI,
//!   farbfeld, HEIC, JPEG XL, gzip-compressed SVG) are [`Sniffed::Unsupported`] with a short name.
//! - The extension is consulted only when no content rule matched. A gzip stream named `.svgz`
//!   is reported as `svgz`. An extension that names a format of the `image` crate without magic
//!   bytes (TGA) is trusted only if that format's header parses.
//! - Everything else, including empty input and text with an image extension, is
//!   [`Sniffed::NotAnImage`].

use std::io::Cursor;

use image::{ImageFormat, ImageReader};

/// A displayable image type that mdembed embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageType {
    /// Portable Network Graphics.
    Png,
    /// JPEG (JFIF or Exif).
    Jpeg,
    /// Graphics Interchange Format, still or animated.
    Gif,
    /// WebP, lossy or lossless.
    Webp,
    /// AV1 Image File Format, still (`avif` brand) or sequence (`avis` brand).
    Avif,
    /// Windows bitmap.
    Bmp,
    /// Windows icon.
    Ico,
    /// Tagged Image File Format.
    Tiff,
    /// Scalable Vector Graphics as XML text (not gzip-compressed).
    Svg,
}

impl ImageType {
    /// Returns the MIME type that mdembed writes into a `data:` URI for this type.
    pub fn mime(self) -> &'static str {
        match self {
            ImageType::Png => "image/png",
            ImageType::Jpeg => "image/jpeg",
            ImageType::Gif => "image/gif",
            ImageType::Webp => "image/webp",
            ImageType::Avif => "image/avif",
            ImageType::Bmp => "image/bmp",
            ImageType::Ico => "image/x-icon",
            ImageType::Tiff => "image/tiff",
            ImageType::Svg => "image/svg+xml",
        }
    }

    /// Returns the file extension, without a dot, used when a `data:` URI is written back to a file.
    pub fn extension(self) -> &'static str {
        match self {
            ImageType::Png => "png",
            ImageType::Jpeg => "jpg",
            ImageType::Gif => "gif",
            ImageType::Webp => "webp",
            ImageType::Avif => "avif",
            ImageType::Bmp => "bmp",
            ImageType::Ico => "ico",
            ImageType::Tiff => "tiff",
            ImageType::Svg => "svg",
        }
    }

    /// Parses a MIME type such as the one in a `data:` URI.
    ///
    /// Only the essence (`type/subtype`) counts: parameters after `;` and surrounding whitespace
    /// are ignored, and the comparison is case-insensitive. Besides the types that [`mime`]
    /// returns, the common aliases `image/jpg`, `image/pjpeg`, `image/x-png`,
    /// `image/vnd.microsoft.icon`, `image/ico`, `image/x-ms-bmp` and `image/x-bmp` are accepted.
    ///
    /// [`mime`]: ImageType::mime
    pub fn from_mime(mime: &str) -> Option<ImageType> {
        let essence = mime.split(';').next().unwrap_or_default().trim();
        let essence = essence.to_ascii_lowercase();
        let image_type = match essence.as_str() {
            "image/png" | "image/x-png" => ImageType::Png,
            "image/jpeg" | "image/jpg" | "image/pjpeg" => ImageType::Jpeg,
            "image/gif" => ImageType::Gif,
            "image/webp" => ImageType::Webp,
            "image/avif" => ImageType::Avif,
            "image/bmp" | "image/x-ms-bmp" | "image/x-bmp" => ImageType::Bmp,
            "image/x-icon" | "image/vnd.microsoft.icon" | "image/ico" => ImageType::Ico,
            "image/tiff" => ImageType::Tiff,
            "image/svg+xml" => ImageType::Svg,
            _ => return None,
        };
        Some(image_type)
    }
}

/// Result of [`sniff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// An image that browsers display and mdembed embeds.
    Image(ImageType),
    /// An image in a format that browsers do not display, with a short lowercase format name
    /// such as `heic`, `tga`, `qoi` or `svgz`.
    Unsupported(&'static str),
    /// Content that is not recognized as an image.
    NotAnImage,
}

/// Detects the image type of `bytes`, the complete content of a file.
///
/// `extension` is the file name's extension, with or without a leading dot and in any case. It
/// is only a fallback for content that no rule recognizes. See the module documentation for the
/// full contract.
pub fn sniff(bytes: &[u8], extension: Option<&str>) -> Sniffed {
    if bytes.is_empty() {
        return Sniffed::NotAnImage;
    }
    if let Some(sniffed) = sniff_iso_bmff(bytes) {
        return sniffed;
    }
    if let Some(sniffed) = sniff_magic(bytes) {
        return sniffed;
    }
    if is_jpeg_xl(bytes) {
        return Sniffed::Unsupported("jxl");
    }
    if is_svg(bytes) {
        return Sniffed::Image(ImageType::Svg);
    }

    let extension = extension.map(|ext| ext.trim_start_matches('.').to_ascii_lowercase());
    match extension.as_deref() {
        None | Some("") => Sniffed::NotAnImage,
        Some("svgz") if bytes.starts_with(&[0x1f, 0x8b]) => Sniffed::Unsupported("svgz"),
        Some(ext) => sniff_by_extension(bytes, ext),
    }
}

/// Classifies content by the magic bytes that [`image::guess_format`] recognizes.
fn sniff_magic(bytes: &[u8]) -> Option<Sniffed> {
    let format = image::guess_format(bytes).ok()?;
    let image_type = match format {
        ImageFormat::Png => ImageType::Png,
        ImageFormat::Jpeg => ImageType::Jpeg,
        ImageFormat::Gif => ImageType::Gif,
        ImageFormat::WebP => ImageType::Webp,
        ImageFormat::Tiff => ImageType::Tiff,
        ImageFormat::Ico => ImageType::Ico,
        ImageFormat::Avif => ImageType::Avif,
        // The BMP signature is only the two ASCII bytes "BM", which plain text can start with,
        // so the header must also parse.
        ImageFormat::Bmp if header_parses(bytes, ImageFormat::Bmp) => ImageType::Bmp,
        ImageFormat::Bmp => return None,
        // The PNM signatures "P1" to "P7" are also common text, but a PNM header continues with
        // whitespace.
        ImageFormat::Pnm if bytes.get(2).is_some_and(u8::is_ascii_whitespace) => {
            return Some(Sniffed::Unsupported("pnm"));
        }
        ImageFormat::Pnm => return None,
        other => return Some(Sniffed::Unsupported(unsupported_name(other))),
    };
    Some(Sniffed::Image(image_type))
}

/// Returns the short name reported for a format of the `image` crate that browsers do not display.
fn unsupported_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Tga => "tga",
        ImageFormat::Dds => "dds",
        ImageFormat::Hdr => "hdr",
        ImageFormat::OpenExr => "openexr",
        ImageFormat::Pnm => "pnm",
        ImageFormat::Qoi => "qoi",
        ImageFormat::Farbfeld => "farbfeld",
        // `ImageFormat` is non-exhaustive, so formats added later get their first extension.
        other => other.extensions_str().first().copied().unwrap_or("unknown"),
    }
}

/// Returns whether the header of `bytes` parses as `format`, without decoding pixel data.
///
/// Formats whose decoder is not compiled into the `image` crate never parse.
fn header_parses(bytes: &[u8], format: ImageFormat) -> bool {
    ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .is_ok()
}

/// Applies the extension fallback for content that no content rule recognized.
fn sniff_by_extension(bytes: &[u8], extension: &str) -> Sniffed {
    let Some(format) = ImageFormat::from_extension(extension) else {
        return Sniffed::NotAnImage;
    };

    // A displayable format always starts with its magic bytes, and those did not match.
    let displayable = matches!(
        format,
        ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::Gif
            | ImageFormat::WebP
            | ImageFormat::Tiff
            | ImageFormat::Bmp
            | ImageFormat::Ico
            | ImageFormat::Avif
    );
    if displayable {
        return Sniffed::NotAnImage;
    }

    // NOTE: only formats whose decoder is enabled in the `image` dependency can parse here. TGA,
    // the one common format without magic bytes, needs the `tga` feature, and without it a TGA
    // file is reported as NotAnImage instead of Unsupported("tga").
    if header_parses(bytes, format) {
        Sniffed::Unsupported(unsupported_name(format))
    } else {
        Sniffed::NotAnImage
    }
}

/// Classifies an ISO base media file (ISO/IEC 14496-12) by the brands in its leading `ftyp` box.
///
/// Returns `None` when there is no `ftyp` box or no brand of an image format, as in MP4 video.
fn sniff_iso_bmff(bytes: &[u8]) -> Option<Sniffed> {
    if bytes.len() < 12 || &bytes[4..8] != b"ftyp" {
        return None;
    }

    // The box size covers the 8-byte box header, so the brands are bytes 8..size: the major
    // brand, a 4-byte minor version and then the compatible brands. A size of 0 means the box
    // runs to the end of the file, and a size of 1 means a 64-bit size follows the type.
    let declared_size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let (brands_start, box_end) = match declared_size {
        0 => (8, bytes.len()),
        1 => {
            let size_bytes: [u8; 8] = bytes.get(8..16)?.try_into().ok()?;
            let size = usize::try_from(u64::from_be_bytes(size_bytes)).unwrap_or(usize::MAX);
            (16, size)
        }
        size => (8, usize::try_from(size).unwrap_or(usize::MAX)),
    };
    let box_end = box_end.min(bytes.len());
    let major_brand = bytes.get(brands_start..brands_start + 4)?;
    let compatible_brands = bytes
        .get(brands_start + 8..box_end)
        .unwrap_or_default()
        .chunks_exact(4);
    let brands: Vec<&[u8]> = std::iter::once(major_brand)
        .chain(compatible_brands)
        .collect();

    const AVIF_BRANDS: [&[u8]; 2] = [b"avif", b"avis"];
    // HEVC-coded HEIF brands and the generic HEIF brands `mif1` and `msf1`, which an AVIF file
    // also lists, so they count only without an AVIF brand.
    const HEIF_BRANDS: [&[u8]; 10] = [
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1",
    ];
    if brands.iter().any(|brand| AVIF_BRANDS.contains(brand)) {
        Some(Sniffed::Image(ImageType::Avif))
    } else if brands.iter().any(|brand| HEIF_BRANDS.contains(brand)) {
        Some(Sniffed::Unsupported("heic"))
    } else {
        None
    }
}

/// Returns whether `bytes` starts with a JPEG XL codestream or container signature
/// (ISO/IEC 18181-2), a format that the `image` crate does not recognize.
fn is_jpeg_xl(bytes: &[u8]) -> bool {
    const CODESTREAM: &[u8] = &[0xff, 0x0a];
    const CONTAINER: &[u8] = b"\0\0\0\x0cJXL \r\n\x87\n";
    bytes.starts_with(CODESTREAM) || bytes.starts_with(CONTAINER)
}

/// Returns whether `bytes` is XML text whose root element is `svg`, with or without a namespace
/// prefix.
///
/// Skips a UTF-8 byte order mark, whitespace, the XML declaration and other processing
/// instructions, comments and a document type declaration with an optional internal subset.
/// The element name is case-sensitive, as in XML. UTF-16 text is not recognized.
fn is_svg(bytes: &[u8]) -> bool {
    let mut rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    loop {
        rest = skip_xml_whitespace(rest);
        let skipped = if rest.starts_with(b"<?") {
            skip_past(&rest[2..], b"?>")
        } else if rest.starts_with(b"<!--") {
            skip_past(&rest[4..], b"-->")
        } else if starts_with_ignore_case(rest, b"<!DOCTYPE") {
            skip_doctype(&rest[9..])
        } else {
            return is_svg_start_tag(rest);
        };
        match skipped {
            Some(after) => rest = after,
            None => return false,
        }
    }
}

/// Returns whether `text` starts with the start tag of an `svg` element, such as `<svg>`,
/// `<svg xmlns=...>`, `<svg/>` or `<x:svg ...>`.
fn is_svg_start_tag(text: &[u8]) -> bool {
    let Some(after_open) = text.strip_prefix(b"<") else {
        return false;
    };
    let name_len = after_open
        .iter()
        .position(|&byte| byte.is_ascii_whitespace() || byte == b'>' || byte == b'/')
        .unwrap_or(after_open.len());
    if name_len == after_open.len() {
        // The tag never ends, so this is not a complete start tag.
        return false;
    }

    let name = &after_open[..name_len];
    let local_name = match name.iter().position(|&byte| byte == b':') {
        Some(colon) if is_xml_name(&name[..colon]) => &name[colon + 1..],
        Some(_) => return false,
        None => name,
    };
    local_name == b"svg"
}

/// Returns whether `name` is a non-empty XML name without a colon, such as a namespace prefix.
fn is_xml_name(name: &[u8]) -> bool {
    let Some(&first) = name.first() else {
        return false;
    };
    let is_start = |byte: u8| byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80;
    let is_continuation =
        |byte: u8| is_start(byte) || byte.is_ascii_digit() || byte == b'-' || byte == b'.';
    is_start(first) && name[1..].iter().all(|&byte| is_continuation(byte))
}

/// Skips the rest of a document type declaration after `<!DOCTYPE`, including quoted system and
/// public identifiers and an internal subset in `[...]`. Returns the text after the closing `>`.
fn skip_doctype(mut text: &[u8]) -> Option<&[u8]> {
    loop {
        match *text.first()? {
            b'>' => return Some(&text[1..]),
            quote @ (b'"' | b'\'') => text = skip_past(&text[1..], &[quote])?,
            b'[' => text = skip_internal_subset(&text[1..])?,
            _ => text = &text[1..],
        }
    }
}

/// Skips an internal subset after its `[`, in which markup declarations may contain quoted
/// literals, comments and processing instructions that hold `]` or `>`. Returns the text after
/// the closing `]`.
fn skip_internal_subset(mut text: &[u8]) -> Option<&[u8]> {
    loop {
        if text.starts_with(b"<!--") {
            text = skip_past(&text[4..], b"-->")?;
        } else if text.starts_with(b"<?") {
            text = skip_past(&text[2..], b"?>")?;
        } else {
            match *text.first()? {
                b']' => return Some(&text[1..]),
                quote @ (b'"' | b'\'') => text = skip_past(&text[1..], &[quote])?,
                _ => text = &text[1..],
            }
        }
    }
}

/// Returns the text after the first occurrence of `end`, or `None` if `end` does not occur.
fn skip_past<'a>(text: &'a [u8], end: &[u8]) -> Option<&'a [u8]> {
    let start = text.windows(end.len()).position(|window| window == end)?;
    Some(&text[start + end.len()..])
}

fn skip_xml_whitespace(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|&byte| !matches!(byte, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(text.len());
    &text[start..]
}

fn starts_with_ignore_case(text: &[u8], prefix: &[u8]) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// Tells whether `bytes` of type `kind` end before the image does.
///
/// A structural check, without decoding: PNG must contain its `IEND` chunk, JPEG its end-of-image
/// marker, GIF its trailer byte, and WebP and BMP as many bytes as their headers declare. Other
/// types are not checked and count as complete. Trailing bytes after the end are allowed,
/// because some tools pad files.
pub fn is_truncated(kind: ImageType, bytes: &[u8]) -> bool {
    match kind {
        ImageType::Png => !contains(bytes, b"IEND"),
        ImageType::Jpeg => !contains(
            &bytes[bytes.len().saturating_sub(64 * 1024)..],
            &[0xFF, 0xD9],
        ),
        ImageType::Gif => !bytes.contains(&0x3B),
        ImageType::Webp => {
            let declared = bytes
                .get(4..8)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize + 8);
            declared.is_none_or(|declared| bytes.len() < declared)
        }
        ImageType::Bmp => {
            let declared = bytes
                .get(2..6)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
            declared.is_none_or(|declared| bytes.len() < declared)
        }
        ImageType::Avif | ImageType::Ico | ImageType::Tiff | ImageType::Svg => false,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, RgbImage, RgbaImage};

    /// Encodes a small test image with the `image` crate's encoder for `format`.
    fn encode(format: ImageFormat) -> Vec<u8> {
        let image = match format {
            // The JPEG encoder rejects an alpha channel.
            ImageFormat::Jpeg => DynamicImage::ImageRgb8(RgbImage::new(4, 3)),
            _ => DynamicImage::ImageRgba8(RgbaImage::new(4, 3)),
        };
        let mut bytes = Cursor::new(Vec::new());
        image.write_to(&mut bytes, format).unwrap();
        bytes.into_inner()
    }

    /// Builds an `ftyp` box with the given major brand and compatible brands.
    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = u32::try_from(16 + 4 * compatible.len()).unwrap();
        let mut bytes = size.to_be_bytes().to_vec();
        bytes.extend_from_slice(b"ftyp");
        bytes.extend_from_slice(major);
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        for brand in compatible {
            bytes.extend_from_slice(*brand);
        }
        // The start of the following `meta` box.
        bytes.extend_from_slice(b"\0\0\0\x21meta");
        bytes
    }

    const SVG: &[u8] = br#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>"#;

    #[test]
    fn sniff_encoded_png() {
        assert_eq!(
            sniff(&encode(ImageFormat::Png), Some("png")),
            Sniffed::Image(ImageType::Png)
        );
    }

    #[test]
    fn sniff_encoded_jpeg() {
        assert_eq!(
            sniff(&encode(ImageFormat::Jpeg), Some("jpg")),
            Sniffed::Image(ImageType::Jpeg)
        );
    }

    #[test]
    fn sniff_encoded_gif() {
        assert_eq!(
            sniff(&encode(ImageFormat::Gif), Some("gif")),
            Sniffed::Image(ImageType::Gif)
        );
    }

    #[test]
    fn sniff_encoded_webp() {
        assert_eq!(
            sniff(&encode(ImageFormat::WebP), Some("webp")),
            Sniffed::Image(ImageType::Webp)
        );
    }

    #[test]
    fn sniff_encoded_bmp() {
        assert_eq!(
            sniff(&encode(ImageFormat::Bmp), Some("bmp")),
            Sniffed::Image(ImageType::Bmp)
        );
    }

    #[test]
    fn sniff_encoded_ico() {
        assert_eq!(
            sniff(&encode(ImageFormat::Ico), Some("ico")),
            Sniffed::Image(ImageType::Ico)
        );
    }

    #[test]
    fn sniff_encoded_tiff() {
        assert_eq!(
            sniff(&encode(ImageFormat::Tiff), Some("tif")),
            Sniffed::Image(ImageType::Tiff)
        );
    }

    #[test]
    fn sniff_ignores_misleading_extension() {
        let jpeg = encode(ImageFormat::Jpeg);
        assert_eq!(sniff(&jpeg, Some("png")), Sniffed::Image(ImageType::Jpeg));
        assert_eq!(sniff(&jpeg, None), Sniffed::Image(ImageType::Jpeg));
        let png = encode(ImageFormat::Png);
        assert_eq!(sniff(&png, Some("svg")), Sniffed::Image(ImageType::Png));
    }

    #[test]
    fn sniff_avif_brands() {
        assert_eq!(
            sniff(&ftyp(b"avif", &[b"mif1", b"miaf"]), None),
            Sniffed::Image(ImageType::Avif)
        );
        assert_eq!(
            sniff(&ftyp(b"avis", &[b"msf1", b"miaf"]), None),
            Sniffed::Image(ImageType::Avif)
        );
        assert_eq!(
            sniff(&ftyp(b"mif1", &[b"avif", b"miaf"]), None),
            Sniffed::Image(ImageType::Avif)
        );
    }

    #[test]
    fn sniff_heic_brands() {
        assert_eq!(
            sniff(&ftyp(b"heic", &[b"mif1", b"heic"]), Some("heic")),
            Sniffed::Unsupported("heic")
        );
        assert_eq!(
            sniff(&ftyp(b"mif1", &[b"heic"]), None),
            Sniffed::Unsupported("heic")
        );
        assert_eq!(
            sniff(&ftyp(b"mif1", &[]), None),
            Sniffed::Unsupported("heic")
        );
    }

    #[test]
    fn sniff_ftyp_size_variants() {
        // A size of 0 extends the box to the end of the input.
        let mut to_end = ftyp(b"mif1", &[b"avif"]);
        to_end.truncate(20);
        to_end[..4].copy_from_slice(&[0, 0, 0, 0]);
        assert_eq!(sniff(&to_end, None), Sniffed::Image(ImageType::Avif));

        // A size of 1 puts a 64-bit size after the box type.
        let mut large = vec![0, 0, 0, 1];
        large.extend_from_slice(b"ftyp");
        large.extend_from_slice(&28u64.to_be_bytes());
        large.extend_from_slice(b"mif1\0\0\0\0avif");
        assert_eq!(sniff(&large, None), Sniffed::Image(ImageType::Avif));

        // A brand after the declared end of the box does not count.
        let mut outside = ftyp(b"mif1", &[b"avif"]);
        outside[3] = 16;
        assert_eq!(sniff(&outside, None), Sniffed::Unsupported("heic"));
    }

    #[test]
    fn sniff_mp4_not_image() {
        assert_eq!(
            sniff(&ftyp(b"isom", &[b"iso2", b"mp41"]), Some("avif")),
            Sniffed::NotAnImage
        );
        assert_eq!(sniff(b"\0\0\0\x10ftyp", None), Sniffed::NotAnImage);
    }

    #[test]
    fn sniff_other_magic_unsupported() {
        assert_eq!(sniff(b"qoif\0\0\0\x04", None), Sniffed::Unsupported("qoi"));
        assert_eq!(
            sniff(b"farbfeld\0\0\0\x01", Some("ff")),
            Sniffed::Unsupported("farbfeld")
        );
        assert_eq!(sniff(b"DDS \x7c\0\0\0", None), Sniffed::Unsupported("dds"));
        assert_eq!(
            sniff(b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n", None),
            Sniffed::Unsupported("hdr")
        );
        assert_eq!(
            sniff(&[0x76, 0x2f, 0x31, 0x01, 2, 0, 0, 0], None),
            Sniffed::Unsupported("openexr")
        );
        assert_eq!(sniff(b"P6\n4 3\n255\n", None), Sniffed::Unsupported("pnm"));
        assert_eq!(
            sniff(&[0xff, 0x0a, 0x00], None),
            Sniffed::Unsupported("jxl")
        );
    }

    #[test]
    fn sniff_text_with_weak_magic() {
        assert_eq!(sniff(b"BMW sales report", Some("bmp")), Sniffed::NotAnImage);
        assert_eq!(
            sniff(b"P1: fix the login", Some("pbm")),
            Sniffed::NotAnImage
        );
    }

    #[test]
    fn sniff_empty_not_image() {
        assert_eq!(sniff(b"", None), Sniffed::NotAnImage);
        assert_eq!(sniff(b"", Some("png")), Sniffed::NotAnImage);
        assert_eq!(sniff(b"", Some("svg")), Sniffed::NotAnImage);
    }

    #[test]
    fn sniff_text_not_image() {
        assert_eq!(
            sniff(b"just some notes\n", Some("png")),
            Sniffed::NotAnImage
        );
        assert_eq!(sniff(b"# Title\n\ntext", Some("svg")), Sniffed::NotAnImage);
        assert_eq!(sniff(b"just some notes\n", None), Sniffed::NotAnImage);
    }

    #[test]
    fn sniff_plain_svg() {
        assert_eq!(sniff(SVG, Some("svg")), Sniffed::Image(ImageType::Svg));
        assert_eq!(sniff(SVG, Some("xml")), Sniffed::Image(ImageType::Svg));
        assert_eq!(sniff(SVG, None), Sniffed::Image(ImageType::Svg));
        assert_eq!(sniff(b"<svg>", None), Sniffed::Image(ImageType::Svg));
        assert_eq!(sniff(b"<svg\n>", None), Sniffed::Image(ImageType::Svg));
    }

    #[test]
    fn sniff_svg_with_bom() {
        let mut bytes = b"\xEF\xBB\xBF\n".to_vec();
        bytes.extend_from_slice(SVG);
        assert_eq!(sniff(&bytes, None), Sniffed::Image(ImageType::Svg));
    }

    #[test]
    fn sniff_svg_with_prolog() {
        let text = br#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Generator: Drawing Tool, <svg> in a comment -->
<?xml-stylesheet href="style.css"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [
  <!ENTITY ns_svg "http://www.w3.org/2000/svg">
  <!ENTITY tricky "a ] and a > inside a literal">
  <!-- a comment with ] and > -->
]>
<svg version="1.1" xmlns="&ns_svg;"></svg>
"#;
        assert_eq!(sniff(text, Some("svg")), Sniffed::Image(ImageType::Svg));
    }

    #[test]
    fn sniff_prefixed_svg() {
        let text = br#"<svg:svg xmlns:svg="http://www.w3.org/2000/svg"><svg:rect/></svg:svg>"#;
        assert_eq!(sniff(text, None), Sniffed::Image(ImageType::Svg));
    }

    #[test]
    fn sniff_html_not_svg() {
        let html = b"<!DOCTYPE html>\n<html><body><svg></svg></body></html>";
        assert_eq!(sniff(html, Some("svg")), Sniffed::NotAnImage);
    }

    #[test]
    fn sniff_svg_name_boundaries() {
        assert_eq!(sniff(b"<svgfoo/>", Some("svg")), Sniffed::NotAnImage);
        assert_eq!(sniff(b"<SVG></SVG>", None), Sniffed::NotAnImage);
        assert_eq!(sniff(b"<svg", None), Sniffed::NotAnImage);
        assert_eq!(sniff(b"<:svg>", None), Sniffed::NotAnImage);
        assert_eq!(sniff(b"<a:b:svg>", None), Sniffed::NotAnImage);
        assert_eq!(sniff(b"text <svg>", None), Sniffed::NotAnImage);
    }

    #[test]
    fn sniff_unterminated_prolog() {
        assert_eq!(sniff(b"<?xml version='1.0'", None), Sniffed::NotAnImage);
        assert_eq!(sniff(b"<!-- <svg>", None), Sniffed::NotAnImage);
        assert_eq!(sniff(b"<!DOCTYPE svg [ <svg>", None), Sniffed::NotAnImage);
    }

    #[test]
    fn sniff_gzip_svgz() {
        let gzip = b"\x1f\x8b\x08\x00\0\0\0\0\0\x03";
        assert_eq!(sniff(gzip, Some("svgz")), Sniffed::Unsupported("svgz"));
        assert_eq!(sniff(gzip, Some(".SVGZ")), Sniffed::Unsupported("svgz"));
        assert_eq!(sniff(gzip, Some("gz")), Sniffed::NotAnImage);
        assert_eq!(sniff(b"plain text", Some("svgz")), Sniffed::NotAnImage);
    }

    #[test]
    fn sniff_extension_fallback() {
        // An uncompressed 1x1 true-color TGA, which has no magic bytes.
        let mut tga = vec![0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 24, 0];
        tga.extend_from_slice(&[0, 0, 255]);
        let expected = if ImageFormat::Tga.reading_enabled() {
            Sniffed::Unsupported("tga")
        } else {
            Sniffed::NotAnImage
        };
        assert_eq!(sniff(&tga, Some("tga")), expected);
        assert_eq!(sniff(&tga, None), Sniffed::NotAnImage);
        assert_eq!(sniff(b"not a targa", Some("tga")), Sniffed::NotAnImage);
        assert_eq!(sniff(b"not a png", Some("png")), Sniffed::NotAnImage);
    }

    #[test]
    fn image_type_mime() {
        assert_eq!(ImageType::Png.mime(), "image/png");
        assert_eq!(ImageType::Jpeg.mime(), "image/jpeg");
        assert_eq!(ImageType::Gif.mime(), "image/gif");
        assert_eq!(ImageType::Webp.mime(), "image/webp");
        assert_eq!(ImageType::Avif.mime(), "image/avif");
        assert_eq!(ImageType::Bmp.mime(), "image/bmp");
        assert_eq!(ImageType::Ico.mime(), "image/x-icon");
        assert_eq!(ImageType::Tiff.mime(), "image/tiff");
        assert_eq!(ImageType::Svg.mime(), "image/svg+xml");
    }

    #[test]
    fn image_type_extension() {
        assert_eq!(ImageType::Png.extension(), "png");
        assert_eq!(ImageType::Jpeg.extension(), "jpg");
        assert_eq!(ImageType::Gif.extension(), "gif");
        assert_eq!(ImageType::Webp.extension(), "webp");
        assert_eq!(ImageType::Avif.extension(), "avif");
        assert_eq!(ImageType::Bmp.extension(), "bmp");
        assert_eq!(ImageType::Ico.extension(), "ico");
        assert_eq!(ImageType::Tiff.extension(), "tiff");
        assert_eq!(ImageType::Svg.extension(), "svg");
    }

    #[test]
    fn from_mime_round_trip() {
        let all = [
            ImageType::Png,
            ImageType::Jpeg,
            ImageType::Gif,
            ImageType::Webp,
            ImageType::Avif,
            ImageType::Bmp,
            ImageType::Ico,
            ImageType::Tiff,
            ImageType::Svg,
        ];
        for image_type in all {
            assert_eq!(ImageType::from_mime(image_type.mime()), Some(image_type));
        }
    }

    #[test]
    fn from_mime_aliases() {
        assert_eq!(ImageType::from_mime("image/jpg"), Some(ImageType::Jpeg));
        assert_eq!(ImageType::from_mime("image/pjpeg"), Some(ImageType::Jpeg));
        assert_eq!(ImageType::from_mime("image/x-png"), Some(ImageType::Png));
        assert_eq!(
            ImageType::from_mime("image/vnd.microsoft.icon"),
            Some(ImageType::Ico)
        );
        assert_eq!(ImageType::from_mime("image/ico"), Some(ImageType::Ico));
        assert_eq!(ImageType::from_mime("image/x-ms-bmp"), Some(ImageType::Bmp));
        assert_eq!(ImageType::from_mime("image/x-bmp"), Some(ImageType::Bmp));
    }

    #[test]
    fn from_mime_essence() {
        assert_eq!(ImageType::from_mime("IMAGE/PNG"), Some(ImageType::Png));
        assert_eq!(
            ImageType::from_mime(" image/svg+xml ; charset=utf-8"),
            Some(ImageType::Svg)
        );
        assert_eq!(
            ImageType::from_mime("Image/Jpeg;x=y"),
            Some(ImageType::Jpeg)
        );
    }

    #[test]
    fn from_mime_rejects_others() {
        assert_eq!(ImageType::from_mime("image/heic"), None);
        assert_eq!(ImageType::from_mime("text/plain"), None);
        assert_eq!(ImageType::from_mime("image/svg"), None);
        assert_eq!(ImageType::from_mime(""), None);
    }

    #[test]
    fn truncated_png_detected() {
        let png = encode(image::ImageFormat::Png);
        assert!(!is_truncated(ImageType::Png, &png));
        assert!(is_truncated(ImageType::Png, &png[..png.len() - 12]));
    }

    #[test]
    fn truncated_jpeg_detected() {
        let jpeg = encode(image::ImageFormat::Jpeg);
        assert!(!is_truncated(ImageType::Jpeg, &jpeg));
        assert!(is_truncated(ImageType::Jpeg, &jpeg[..jpeg.len() - 2]));
    }

    #[test]
    fn truncated_webp_detected() {
        let webp = encode(image::ImageFormat::WebP);
        assert!(!is_truncated(ImageType::Webp, &webp));
        assert!(is_truncated(ImageType::Webp, &webp[..webp.len() - 1]));
    }
}
