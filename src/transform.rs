//! Downscaling, re-encoding and metadata stripping of images before they are embedded.
//!
//! Contract of [`process`]:
//! - An image that no option needs to change is returned byte for byte, without decoding.
//! - Pixels are decoded only to downscale into the `--max-width`/`--max-height` box or to convert
//!   to another format. Decoding always runs under [`MAX_SIDE`] and [`MAX_DECODE_BYTES`], and a
//!   truncated or corrupt image is a [`TransformProblem`], never a partly decoded picture.
//! - Re-encoded pixels are upright: the EXIF orientation is applied, and the box applies to the
//!   upright image. Re-encoded images carry the source's ICC profile (except lossy WebP) but
//!   never its EXIF.
//! - Animated GIF, APNG and animated WebP are never flattened, SVG is never rasterized and AVIF is
//!   never decoded. They are kept as they are, with a [`TransformNote`] when an option asked for a
//!   change.
//! - `--strip-metadata` edits JPEG and PNG files at the segment and chunk level, so their pixels
//!   are not re-encoded.

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::png::{CompressionType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::metadata::Orientation;
use image::{
    ColorType, DynamicImage, GrayImage, ImageDecoder, ImageEncoder, ImageError, ImageFormat,
    ImageReader, Limits, RgbImage,
};

use crate::sniff::{self, ImageType};

/// Maximum width and maximum height, in pixels, of an image that is decoded.
///
/// Larger images are rejected from their header, before any pixel memory is allocated.
pub const MAX_SIDE: u32 = 32_768;

/// Maximum size, in bytes, of the decoded pixels of one image (the `image` crate's default).
///
/// A 100-megapixel RGB photo needs 300 MB and fits.
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Smallest ratio between the JPEG's reduced-size decode and the target box.
///
/// JPEG DCT scaling (½, ¼, ⅛) is used only while the reduced image stays at least this many times
/// larger than the target, so that the Lanczos3 filter, not the DCT shortcut, does the last step.
/// Pillow's `thumbnail` uses the same default margin (`reducing_gap=2.0`).
const DCT_SCALING_MARGIN: u32 = 2;

/// The encoding an image is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// The source's own format; images that need no change are embedded byte for byte.
    ///
    /// A resized GIF or ICO is written as PNG, because neither format keeps resampled colours
    /// well.
    #[default]
    Keep,
    /// PNG (lossless).
    Png,
    /// JPEG at [`ImageOptions::quality`].
    Jpeg,
    /// WebP, lossy at [`ImageOptions::quality`] when the `webp` cargo feature is enabled,
    /// lossless otherwise.
    Webp,
}

impl OutputFormat {
    /// Returns the image type this format writes, or `None` for [`OutputFormat::Keep`].
    pub fn image_type(self) -> Option<ImageType> {
        match self {
            OutputFormat::Keep => None,
            OutputFormat::Png => Some(ImageType::Png),
            OutputFormat::Jpeg => Some(ImageType::Jpeg),
            OutputFormat::Webp => Some(ImageType::Webp),
        }
    }
}

/// The processing applied to each image before it is embedded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageOptions {
    /// Downscale images wider than this, keeping the aspect ratio. Default: none.
    pub max_width: Option<u32>,
    /// Downscale images taller than this, keeping the aspect ratio. Default: none.
    pub max_height: Option<u32>,
    /// The output encoding. Default: [`OutputFormat::Keep`].
    pub format: OutputFormat,
    /// Quality of lossy output, 1 to 100. Default: 85.
    pub quality: u8,
    /// Images still larger than this after processing are not embedded. Default: none.
    pub max_bytes: Option<u64>,
    /// Remove EXIF, XMP, text chunks and comments without re-encoding pixels. Default: false.
    pub strip_metadata: bool,
}

impl Default for ImageOptions {
    fn default() -> Self {
        ImageOptions {
            max_width: None,
            max_height: None,
            format: OutputFormat::Keep,
            quality: 85,
            max_bytes: None,
            strip_metadata: false,
        }
    }
}

impl ImageOptions {
    /// Returns whether these options may change the pixels or the format of an image of `kind`.
    fn may_change_pixels(&self, kind: ImageType) -> bool {
        let converts = self
            .format
            .image_type()
            .is_some_and(|target| target != kind);
        self.max_width.is_some() || self.max_height.is_some() || converts
    }
}

/// An image after processing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// The bytes to embed.
    pub bytes: Vec<u8>,
    /// Their type.
    pub kind: ImageType,
    /// Actions taken and options not applied, for verbose output and warnings.
    pub notes: Vec<TransformNote>,
}

/// One thing processing did or chose not to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransformNote {
    /// The image was downscaled.
    Resized {
        /// Width and height before, of the upright image.
        from: (u32, u32),
        /// Width and height after.
        to: (u32, u32),
    },
    /// The pixels were rotated or flipped upright by the EXIF orientation tag.
    Oriented {
        /// The EXIF orientation value, 2 to 8.
        orientation: u8,
    },
    /// The image was written in another format.
    Converted {
        /// The source's type.
        from: ImageType,
        /// The output type.
        to: ImageType,
    },
    /// Transparent pixels were composited on white, because JPEG has no alpha channel.
    AlphaComposited,
    /// WebP was written losslessly, because this build has no lossy WebP encoder.
    WebpLossless,
    /// Metadata was removed without re-encoding the pixels.
    MetadataStripped {
        /// How many bytes the file shrank by.
        removed: u64,
    },
    /// An animated image was kept as it is instead of being flattened to one frame.
    AnimationKept {
        /// Its type.
        kind: ImageType,
    },
    /// An SVG image was kept as it is, because resizing and format options never rasterize
    /// vector images.
    SvgKept,
    /// An image this build cannot decode was kept as it is.
    NotDecodable {
        /// Its type.
        kind: ImageType,
    },
}

impl TransformNote {
    /// Returns whether the note reports an option that was not applied, so that it deserves a
    /// warning even without `-v`.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            TransformNote::AnimationKept { .. } | TransformNote::NotDecodable { .. }
        )
    }
}

impl std::fmt::Display for TransformNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransformNote::Resized { from, to } => {
                write!(f, "resized from {}x{} to {}x{}", from.0, from.1, to.0, to.1)
            }
            TransformNote::Oriented { orientation } => {
                write!(f, "rotated upright by EXIF orientation {orientation}")
            }
            TransformNote::Converted { from, to } => {
                write!(f, "converted from {} to {}", name(*from), name(*to))
            }
            TransformNote::AlphaComposited => {
                write!(f, "transparency composited on white for JPEG output")
            }
            TransformNote::WebpLossless => write!(
                f,
                "WebP written lossless because this build has no lossy WebP encoder; \
                 --quality does not apply"
            ),
            TransformNote::MetadataStripped { removed } => {
                write!(f, "metadata removed ({removed} bytes)")
            }
            TransformNote::AnimationKept { kind } => write!(
                f,
                "animated {} kept as it is: resizing and conversion never flatten animations",
                name(*kind)
            ),
            TransformNote::SvgKept => {
                write!(
                    f,
                    "SVG kept as it is: resizing and format options never rasterize vector images"
                )
            }
            TransformNote::NotDecodable { kind } => write!(
                f,
                "{} kept as it is: this build cannot decode it to resize or convert it",
                name(*kind)
            ),
        }
    }
}

/// The reason an image was not embedded after processing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransformProblem {
    /// Still larger than `--max-bytes` after processing.
    #[error("image of {bytes} bytes exceeds --max-bytes {max}")]
    TooLarge {
        /// Its size.
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// The header declares more pixels per side than [`MAX_SIDE`].
    #[error(
        "{} image of {width}x{height} pixels exceeds the decoding limit of {max_side} pixels per side",
        name(*.kind)
    )]
    DimensionsTooLarge {
        /// The image type.
        kind: ImageType,
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// The limit.
        max_side: u32,
    },
    /// Decoding would need more memory than [`MAX_DECODE_BYTES`].
    #[error(
        "{} image of {width}x{height} pixels needs {needed} bytes to decode, more than the limit of {max}",
        name(*.kind)
    )]
    MemoryLimit {
        /// The image type.
        kind: ImageType,
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// Bytes the decoded pixels need.
        needed: u64,
        /// The limit.
        max: u64,
    },
    /// The file ends before the image data does.
    #[error("truncated {} image: the file ends before the image data", name(*.kind))]
    Truncated {
        /// The image type.
        kind: ImageType,
    },
    /// The decoder rejected the data.
    #[error("failed to decode {} image: {reason}", name(*.kind))]
    Decode {
        /// The image type.
        kind: ImageType,
        /// The decoder's message.
        reason: String,
    },
    /// The encoder failed.
    #[error("failed to encode {} image: {reason}", name(*.kind))]
    Encode {
        /// The output type.
        kind: ImageType,
        /// The encoder's message.
        reason: String,
    },
    /// `--strip-metadata` found a segment or chunk structure it cannot follow.
    #[error("failed to remove metadata from {} image: {reason}", name(*.kind))]
    Malformed {
        /// The image type.
        kind: ImageType,
        /// The structural error.
        reason: String,
    },
}

/// Processes `bytes` of type `kind` as `options` ask.
///
/// See the module documentation for the contract.
pub fn process(
    bytes: Vec<u8>,
    kind: ImageType,
    options: &ImageOptions,
) -> Result<Processed, TransformProblem> {
    let mut notes = Vec::new();
    let (bytes, kind) = match kind {
        ImageType::Svg => {
            if options.may_change_pixels(kind) {
                notes.push(TransformNote::SvgKept);
            }
            (bytes, kind)
        }
        ImageType::Avif => {
            if options.may_change_pixels(kind) {
                notes.push(TransformNote::NotDecodable { kind });
            }
            (bytes, kind)
        }
        _ if options.may_change_pixels(kind) => process_raster(bytes, kind, options, &mut notes)?,
        _ => (keep(bytes, kind, options, &mut notes)?, kind),
    };

    if let Some(max) = options.max_bytes
        && bytes.len() as u64 > max
    {
        return Err(TransformProblem::TooLarge {
            bytes: bytes.len() as u64,
            max,
        });
    }
    Ok(Processed { bytes, kind, notes })
}

/// Returns the upper-case name of `kind` used in notes and messages.
fn name(kind: ImageType) -> &'static str {
    match kind {
        ImageType::Png => "PNG",
        ImageType::Jpeg => "JPEG",
        ImageType::Gif => "GIF",
        ImageType::Webp => "WebP",
        ImageType::Avif => "AVIF",
        ImageType::Bmp => "BMP",
        ImageType::Ico => "ICO",
        ImageType::Tiff => "TIFF",
        ImageType::Svg => "SVG",
    }
}

/// Returns the `image` crate format that decodes `kind`, for the raster types it supports.
fn image_format(kind: ImageType) -> Option<ImageFormat> {
    match kind {
        ImageType::Png => Some(ImageFormat::Png),
        ImageType::Jpeg => Some(ImageFormat::Jpeg),
        ImageType::Gif => Some(ImageFormat::Gif),
        ImageType::Webp => Some(ImageFormat::WebP),
        ImageType::Bmp => Some(ImageFormat::Bmp),
        ImageType::Ico => Some(ImageFormat::Ico),
        ImageType::Tiff => Some(ImageFormat::Tiff),
        ImageType::Avif | ImageType::Svg => None,
    }
}

/// Returns the type a re-encoded image of `kind` is written in under [`OutputFormat::Keep`].
fn kept_type(kind: ImageType) -> ImageType {
    match kind {
        // A GIF palette cannot hold resampled colours without dithering, and ICO stores at most
        // 256x256 pixels, so both become PNG.
        ImageType::Gif | ImageType::Ico => ImageType::Png,
        other => other,
    }
}

/// Returns the bytes of an image whose pixels stay as they are, with metadata removed when
/// `options` ask for it.
fn keep(
    bytes: Vec<u8>,
    kind: ImageType,
    options: &ImageOptions,
    notes: &mut Vec<TransformNote>,
) -> Result<Vec<u8>, TransformProblem> {
    if !options.strip_metadata {
        return Ok(bytes);
    }
    // NOTE: only JPEG and PNG metadata is removed. EXIF and XMP in WebP, GIF comments and TIFF
    // tags are kept.
    let stripped = match kind {
        ImageType::Jpeg => strip_jpeg(&bytes, read_orientation(&bytes, kind)),
        ImageType::Png => strip_png(&bytes, read_orientation(&bytes, kind)),
        _ => return Ok(bytes),
    };
    let stripped = stripped.map_err(|reason| TransformProblem::Malformed { kind, reason })?;
    if stripped.len() == bytes.len() {
        return Ok(bytes);
    }
    notes.push(TransformNote::MetadataStripped {
        removed: (bytes.len() - stripped.len()) as u64,
    });
    Ok(stripped)
}

/// Returns the EXIF orientation of `bytes`, or [`Orientation::NoTransforms`] when there is none
/// or the header cannot be read.
fn read_orientation(bytes: &[u8], kind: ImageType) -> Orientation {
    open_decoder(bytes, kind)
        .ok()
        .and_then(|mut decoder| decoder.orientation().ok())
        .unwrap_or(Orientation::NoTransforms)
}

/// Opens a decoder for `bytes` under the decoding limits, reading only the header.
fn open_decoder(
    bytes: &[u8],
    kind: ImageType,
) -> Result<Box<dyn ImageDecoder + '_>, TransformProblem> {
    let Some(format) = image_format(kind) else {
        return Err(decode_problem(kind, "this build has no decoder for it"));
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoding_limits());
    match reader.into_decoder() {
        Ok(decoder) => Ok(Box::new(decoder)),
        Err(ImageError::Limits(_)) => Err(limit_problem(bytes, kind, format)),
        Err(error) => Err(decode_problem(kind, error)),
    }
}

/// Returns the decoder limits applied to every decode.
fn decoding_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// Explains why the decoder limits rejected `bytes`, reading the declared size without limits.
fn limit_problem(bytes: &[u8], kind: ImageType, format: ImageFormat) -> TransformProblem {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.no_limits();
    let Ok((width, height)) = reader.into_dimensions() else {
        return decode_problem(kind, "the header exceeds the decoding limits");
    };
    if width > MAX_SIDE || height > MAX_SIDE {
        return TransformProblem::DimensionsTooLarge {
            kind,
            width,
            height,
            max_side: MAX_SIDE,
        };
    }
    // The decoder does not say how much it asked for, so this is the size of RGBA pixels.
    TransformProblem::MemoryLimit {
        kind,
        width,
        height,
        needed: u64::from(width) * u64::from(height) * 4,
        max: MAX_DECODE_BYTES,
    }
}

fn decode_problem(kind: ImageType, reason: impl ToString) -> TransformProblem {
    TransformProblem::Decode {
        kind,
        reason: reason.to_string(),
    }
}

fn encode_problem(kind: ImageType, reason: impl ToString) -> TransformProblem {
    TransformProblem::Encode {
        kind,
        reason: reason.to_string(),
    }
}

/// Returns whether the orientation swaps width and height.
fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// Returns `(width, height)` downscaled to fit `max_width` x `max_height`, keeping the aspect
/// ratio and rounding the free side to the nearest pixel. Images inside the box keep their size.
fn fit_box(
    (width, height): (u32, u32),
    max_width: Option<u32>,
    max_height: Option<u32>,
) -> (u32, u32) {
    let max_width = max_width.unwrap_or(u32::MAX).max(1);
    let max_height = max_height.unwrap_or(u32::MAX).max(1);
    if width <= max_width && height <= max_height {
        return (width, height);
    }
    let (w, h) = (u64::from(width), u64::from(height));
    let (mw, mh) = (u64::from(max_width), u64::from(max_height));
    // The width binds when max_width / width <= max_height / height.
    if mw * h <= mh * w {
        let scaled = (2 * h * mw + w) / (2 * w);
        (max_width, scaled.clamp(1, h) as u32)
    } else {
        let scaled = (2 * w * mh + h) / (2 * h);
        (scaled.clamp(1, w) as u32, max_height)
    }
}

/// Downscales and re-encodes an image as `options` ask, or keeps it when nothing must change.
fn process_raster(
    bytes: Vec<u8>,
    kind: ImageType,
    options: &ImageOptions,
    notes: &mut Vec<TransformNote>,
) -> Result<(Vec<u8>, ImageType), TransformProblem> {
    let mut decoder = open_decoder(&bytes, kind)?;
    let stored = decoder.dimensions();
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let upright = if swaps_axes(orientation) {
        (stored.1, stored.0)
    } else {
        stored
    };
    let target = fit_box(upright, options.max_width, options.max_height);
    let resize = target != upright;
    let convert = options
        .format
        .image_type()
        .is_some_and(|output| output != kind);
    if !resize && !convert {
        drop(decoder);
        return Ok((keep(bytes, kind, options, notes)?, kind));
    }
    if is_animated(&bytes, kind) {
        drop(decoder);
        notes.push(TransformNote::AnimationKept { kind });
        return Ok((keep(bytes, kind, options, notes)?, kind));
    }

    if sniff::is_truncated(kind, &bytes) {
        return Err(TransformProblem::Truncated { kind });
    }
    check_memory(decoder.as_ref(), kind)?;
    let icc = decoder.icc_profile().ok().flatten();
    let stored_target = if swaps_axes(orientation) {
        (target.1, target.0)
    } else {
        target
    };

    let decoded = match kind {
        ImageType::Jpeg if resize => {
            decode_jpeg_reduced(&bytes, stored, stored_target).transpose()?
        }
        _ => None,
    };
    let mut image = match decoded {
        Some(image) => image,
        None => DynamicImage::from_decoder(decoder).map_err(|error| match error {
            ImageError::Limits(_) => match image_format(kind) {
                Some(format) => limit_problem(&bytes, kind, format),
                None => decode_problem(kind, "the decoding limits were exceeded"),
            },
            other => decode_problem(kind, other),
        })?,
    };

    if (image.width(), image.height()) != stored_target {
        image = resize_to(&image, stored_target, kind)?;
    }
    if resize {
        notes.push(TransformNote::Resized {
            from: upright,
            to: target,
        });
    }
    if orientation != Orientation::NoTransforms {
        image.apply_orientation(orientation);
        notes.push(TransformNote::Oriented {
            orientation: orientation.to_exif(),
        });
    }

    let output = options.format.image_type().unwrap_or(kept_type(kind));
    if output != kind {
        notes.push(TransformNote::Converted {
            from: kind,
            to: output,
        });
    }
    let lossless_webp =
        kind == ImageType::Webp && options.format == OutputFormat::Keep && webp_is_lossless(&bytes);
    let encoded = encode(image, output, options.quality, icc, lossless_webp, notes)?;
    Ok((encoded, output))
}

/// Rejects an image whose decoded pixels would exceed [`MAX_DECODE_BYTES`].
fn check_memory(decoder: &dyn ImageDecoder, kind: ImageType) -> Result<(), TransformProblem> {
    let needed = decoder.total_bytes();
    if needed > MAX_DECODE_BYTES {
        let (width, height) = decoder.dimensions();
        return Err(TransformProblem::MemoryLimit {
            kind,
            width,
            height,
            needed,
            max: MAX_DECODE_BYTES,
        });
    }
    Ok(())
}

/// Returns whether `bytes` is an animation: a GIF of more than one frame, an APNG or an animated
/// WebP. Images whose header does not parse count as still, so that decoding reports them.
fn is_animated(bytes: &[u8], kind: ImageType) -> bool {
    match kind {
        ImageType::Png => image::codecs::png::PngDecoder::new(Cursor::new(bytes))
            .and_then(|decoder| decoder.is_apng())
            .unwrap_or(false),
        ImageType::Webp => image::codecs::webp::WebPDecoder::new(Cursor::new(bytes))
            .map(|decoder| decoder.has_animation())
            .unwrap_or(false),
        ImageType::Gif => gif_frame_count(bytes) > 1,
        _ => false,
    }
}

/// Counts GIF frames up to two, reading frame headers without decompressing their pixels.
fn gif_frame_count(bytes: &[u8]) -> usize {
    let mut options = gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    let Ok(mut decoder) = options.read_info(Cursor::new(bytes)) else {
        return 0;
    };
    let mut frames = 0;
    while frames < 2 {
        match decoder.next_frame_info() {
            Ok(Some(_)) => frames += 1,
            _ => break,
        }
    }
    frames
}

/// Decodes a baseline or progressive JPEG at a reduced size through DCT scaling, when the
/// source is at least twice [`DCT_SCALING_MARGIN`] times larger than `target` on both sides.
///
/// Returns `None` when reduced decoding does not apply (the scale would be 1, or the colour
/// model is CMYK or 16-bit), so that the full-size decoder runs instead.
///
/// The `jpeg-decoder` crate is used here although it is in maintenance mode, because it is the
/// only pure-Rust JPEG decoder with DCT scaling: `zune-jpeg`, which the `image` crate decodes
/// with, has none, and libjpeg-turbo bindings need a C library. Maintenance mode still fixes
/// bugs, and every other JPEG decode goes through the `image` crate. Its `rayon` feature is
/// off: its per-image worker threads compete with the threads that process several images at
/// once, and on 2 cores that made a 20-photo document no faster.
fn decode_jpeg_reduced(
    bytes: &[u8],
    (width, height): (u32, u32),
    target: (u32, u32),
) -> Option<Result<DynamicImage, TransformProblem>> {
    let requested = (
        target.0.saturating_mul(DCT_SCALING_MARGIN),
        target.1.saturating_mul(DCT_SCALING_MARGIN),
    );
    if width < 2 * requested.0 || height < 2 * requested.1 {
        return None;
    }
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.set_max_decoding_buffer_size(MAX_DECODE_BYTES as usize);
    if let Err(error) = decoder.read_info() {
        return Some(Err(decode_problem(ImageType::Jpeg, error)));
    }
    let format = decoder.info()?.pixel_format;
    if !matches!(
        format,
        jpeg_decoder::PixelFormat::RGB24 | jpeg_decoder::PixelFormat::L8
    ) {
        return None;
    }
    // JPEG sizes are 16-bit, and `requested` is below the source size, so it fits.
    let scaled = decoder.scale(requested.0 as u16, requested.1 as u16);
    let (scaled_width, scaled_height) = match scaled {
        Ok(size) => (u32::from(size.0), u32::from(size.1)),
        Err(error) => return Some(Err(decode_problem(ImageType::Jpeg, error))),
    };
    let pixels = match decoder.decode() {
        Ok(pixels) => pixels,
        Err(error) => return Some(Err(decode_problem(ImageType::Jpeg, error))),
    };
    let image = match format {
        jpeg_decoder::PixelFormat::L8 => {
            GrayImage::from_raw(scaled_width, scaled_height, pixels).map(DynamicImage::ImageLuma8)
        }
        _ => RgbImage::from_raw(scaled_width, scaled_height, pixels).map(DynamicImage::ImageRgb8),
    };
    Some(image.ok_or_else(|| {
        decode_problem(
            ImageType::Jpeg,
            "the decoder returned fewer pixels than the image size",
        )
    }))
}

/// Resizes `image`, decoded from a `kind` file, to exactly `size` with the Lanczos3 filter
/// through SIMD convolution; alpha is premultiplied while filtering.
fn resize_to(
    image: &DynamicImage,
    size: (u32, u32),
    kind: ImageType,
) -> Result<DynamicImage, TransformProblem> {
    let mut resized = DynamicImage::new(size.0, size.1, image.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(image, &mut resized, &options)
        .map_err(|error| decode_problem(kind, format!("resizing failed: {error}")))?;
    Ok(resized)
}

/// Encodes `image` as `output`; `lossless_webp` keeps a lossless WebP source lossless.
fn encode(
    image: DynamicImage,
    output: ImageType,
    quality: u8,
    icc: Option<Vec<u8>>,
    lossless_webp: bool,
    notes: &mut Vec<TransformNote>,
) -> Result<Vec<u8>, TransformProblem> {
    let quality = quality.clamp(1, 100);
    let mut bytes = Vec::new();
    let (width, height) = (image.width(), image.height());
    match output {
        ImageType::Jpeg => encode_jpeg(&opaque_8bit(image, notes), quality, icc, &mut bytes)?,
        ImageType::Png => {
            let image = match image {
                DynamicImage::ImageRgb32F(_) => DynamicImage::ImageRgb16(image.to_rgb16()),
                DynamicImage::ImageRgba32F(_) => DynamicImage::ImageRgba16(image.to_rgba16()),
                other => other,
            };
            let mut encoder = PngEncoder::new_with_quality(
                &mut bytes,
                CompressionType::Default,
                image::codecs::png::FilterType::Adaptive,
            );
            if let Some(icc) = icc {
                // image 0.25.10's PNG encoder stores any profile and returns Ok.
                let _ = encoder.set_icc_profile(icc);
            }
            encoder
                .write_image(image.as_bytes(), width, height, image.color().into())
                .map_err(|error| encode_problem(output, error))?;
        }
        ImageType::Webp => encode_webp(image, quality, icc, lossless_webp, &mut bytes, notes)?,
        ImageType::Bmp | ImageType::Tiff => {
            let image = eight_bit(image);
            let format = if output == ImageType::Bmp {
                ImageFormat::Bmp
            } else {
                ImageFormat::Tiff
            };
            image
                .write_to(&mut Cursor::new(&mut bytes), format)
                .map_err(|error| encode_problem(output, error))?;
        }
        other => return Err(encode_problem(other, "this build has no encoder for it")),
    }
    Ok(bytes)
}

/// Encodes 8-bit luma or RGB `image` as baseline JPEG at `quality`, with `icc` if there is one.
///
/// The `jpeg-encoder` crate is used instead of the `image` crate's encoder because its SIMD
/// path encodes an 800x600 photo several times faster. Chroma is subsampled 4:2:0 with box
/// averaging below quality 90 and kept at full resolution from 90 up.
fn encode_jpeg(
    image: &DynamicImage,
    quality: u8,
    icc: Option<Vec<u8>>,
    bytes: &mut Vec<u8>,
) -> Result<(), TransformProblem> {
    let problem = |error: jpeg_encoder::EncodingError| encode_problem(ImageType::Jpeg, error);
    let color = match image {
        DynamicImage::ImageLuma8(_) => jpeg_encoder::ColorType::Luma,
        DynamicImage::ImageRgb8(_) => jpeg_encoder::ColorType::Rgb,
        _ => {
            return Err(encode_problem(
                ImageType::Jpeg,
                "pixels are not 8-bit luma or RGB",
            ));
        }
    };
    // JPEG sizes are 16-bit.
    let (Ok(width), Ok(height)) = (u16::try_from(image.width()), u16::try_from(image.height()))
    else {
        return Err(encode_problem(
            ImageType::Jpeg,
            format!(
                "{}x{} pixels exceed the format's 65535 pixels per side",
                image.width(),
                image.height()
            ),
        ));
    };
    let mut encoder = jpeg_encoder::Encoder::new(bytes, quality);
    encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
    if let Some(icc) = icc {
        encoder.add_icc_profile(&icc).map_err(problem)?;
    }
    encoder
        .encode(image.as_bytes(), width, height, color)
        .map_err(problem)
}

/// Converts `image` to 8-bit luma, RGB or RGBA, keeping an alpha channel if there is one.
fn eight_bit(image: DynamicImage) -> DynamicImage {
    match image.color() {
        ColorType::L8 | ColorType::La8 | ColorType::Rgb8 | ColorType::Rgba8 => image,
        ColorType::L16 => DynamicImage::ImageLuma8(image.to_luma8()),
        ColorType::La16 => DynamicImage::ImageLumaA8(image.to_luma_alpha8()),
        color if color.has_alpha() => DynamicImage::ImageRgba8(image.to_rgba8()),
        _ => DynamicImage::ImageRgb8(image.to_rgb8()),
    }
}

/// Converts `image` to 8-bit luma or RGB, compositing transparent pixels on white.
fn opaque_8bit(image: DynamicImage, notes: &mut Vec<TransformNote>) -> DynamicImage {
    let image = eight_bit(image);
    match image {
        DynamicImage::ImageLumaA8(gray) => {
            let mut composited = false;
            let out = GrayImage::from_fn(gray.width(), gray.height(), |x, y| {
                let [value, alpha] = gray.get_pixel(x, y).0;
                composited |= alpha < 255;
                image::Luma([over_white(value, alpha)])
            });
            if composited {
                notes.push(TransformNote::AlphaComposited);
            }
            DynamicImage::ImageLuma8(out)
        }
        DynamicImage::ImageRgba8(rgba) => {
            let mut composited = false;
            let out = RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
                let [r, g, b, alpha] = rgba.get_pixel(x, y).0;
                composited |= alpha < 255;
                image::Rgb([
                    over_white(r, alpha),
                    over_white(g, alpha),
                    over_white(b, alpha),
                ])
            });
            if composited {
                notes.push(TransformNote::AlphaComposited);
            }
            DynamicImage::ImageRgb8(out)
        }
        other => other,
    }
}

/// Composites one 8-bit channel value with straight `alpha` over white.
fn over_white(value: u8, alpha: u8) -> u8 {
    let (value, alpha) = (u32::from(value), u32::from(alpha));
    ((value * alpha + 255 * (255 - alpha) + 127) / 255) as u8
}

/// Encodes WebP: lossy at `quality` through libwebp when the `webp` feature is enabled and
/// `lossless` is false, lossless through the `image` crate otherwise.
fn encode_webp(
    image: DynamicImage,
    quality: u8,
    icc: Option<Vec<u8>>,
    lossless: bool,
    bytes: &mut Vec<u8>,
    notes: &mut Vec<TransformNote>,
) -> Result<(), TransformProblem> {
    // Both encoders take 8-bit RGB or RGBA only.
    let image = match eight_bit(image) {
        DynamicImage::ImageLuma8(gray) => {
            DynamicImage::ImageRgb8(DynamicImage::from(gray).to_rgb8())
        }
        DynamicImage::ImageLumaA8(gray) => {
            DynamicImage::ImageRgba8(DynamicImage::from(gray).to_rgba8())
        }
        other => other,
    };

    #[cfg(feature = "webp")]
    if !lossless {
        // NOTE: the `webp` crate writes no ICC profile, so lossy WebP output has none.
        return encode_lossy_webp(&image, quality, bytes);
    }
    #[cfg(not(feature = "webp"))]
    if !lossless {
        let _ = quality;
        notes.push(TransformNote::WebpLossless);
    }
    let _ = &notes;

    let mut encoder = WebPEncoder::new_lossless(&mut *bytes);
    if let Some(icc) = icc {
        // image 0.25.10's WebP encoder stores any profile and returns Ok.
        let _ = encoder.set_icc_profile(icc);
    }
    encoder
        .write_image(
            image.as_bytes(),
            image.width(),
            image.height(),
            image.color().into(),
        )
        .map_err(|error| encode_problem(ImageType::Webp, error))
}

/// Encodes 8-bit RGB or RGBA `image` as lossy WebP with libwebp; alpha is kept.
#[cfg(feature = "webp")]
fn encode_lossy_webp(
    image: &DynamicImage,
    quality: u8,
    bytes: &mut Vec<u8>,
) -> Result<(), TransformProblem> {
    let (width, height) = (image.width(), image.height());
    let encoder = match image {
        DynamicImage::ImageRgba8(rgba) => webp::Encoder::from_rgba(rgba.as_raw(), width, height),
        DynamicImage::ImageRgb8(rgb) => webp::Encoder::from_rgb(rgb.as_raw(), width, height),
        _ => {
            return Err(encode_problem(
                ImageType::Webp,
                "pixels are not 8-bit RGB or RGBA",
            ));
        }
    };
    let encoded = encoder
        .encode_simple(false, f32::from(quality))
        .map_err(|error| encode_problem(ImageType::Webp, format!("libwebp failed: {error:?}")))?;
    bytes.extend_from_slice(&encoded);
    Ok(())
}

/// Returns whether a WebP file contains a lossless (`VP8L`) bitstream.
fn webp_is_lossless(bytes: &[u8]) -> bool {
    // RIFF header (12 bytes), then chunks of a FourCC, a little-endian size and even-padded data.
    let mut offset = 12;
    while let Some(header) = bytes.get(offset..offset + 8) {
        match &header[..4] {
            b"VP8L" => return true,
            b"VP8 " => return false,
            _ => {}
        }
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        offset = offset.saturating_add(8).saturating_add(size + (size & 1));
    }
    false
}

/// Returns the EXIF orientation value (2 to 8) that a stripped file keeps, or `None` for 1.
fn kept_orientation(orientation: Orientation) -> Option<u8> {
    let value = orientation.to_exif();
    (value != 1).then_some(value)
}

/// Returns a big-endian TIFF structure whose IFD0 holds only the orientation tag (0x0112), the
/// body of an EXIF block.
fn orientation_tiff(orientation: u8) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes());
    // Tag 0x0112, type SHORT (3), count 1, value left-justified in the 4-byte field.
    tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0, orientation, 0, 0]);
    // No next IFD.
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    tiff
}

/// Removes JPEG APPn segments other than APP0 JFIF, APP2 ICC profile and APP14 Adobe, and COM
/// segments, without touching the entropy-coded data.
///
/// APP14 Adobe stays because it gives decoders the colour transform of CMYK and YCCK images, so
/// removing it changes their colours. When `orientation` is not 1, the first EXIF segment is
/// replaced by one that holds only the orientation, so that the picture stays upright.
fn strip_jpeg(bytes: &[u8], orientation: Orientation) -> Result<Vec<u8>, String> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err("missing start-of-image marker".to_string());
    }
    let mut orientation = kept_orientation(orientation);
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    let mut offset = 2;
    loop {
        if bytes.get(offset) != Some(&0xFF) {
            return Err(format!("expected a marker at byte {offset}"));
        }
        // Fill bytes (0xFF) may precede a marker.
        let mut marker_at = offset + 1;
        while bytes.get(marker_at) == Some(&0xFF) {
            marker_at += 1;
        }
        let Some(&marker) = bytes.get(marker_at) else {
            return Err("the file ends inside a marker".to_string());
        };
        // Start of scan or end of image: the rest is image data, copied as it is.
        // NOTE: APPn or COM segments between the scans of a progressive JPEG are kept.
        if marker == 0xDA || marker == 0xD9 {
            out.extend_from_slice(&bytes[offset..]);
            return Ok(out);
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&bytes[offset..=marker_at]);
            offset = marker_at + 1;
            continue;
        }
        let length = bytes
            .get(marker_at + 1..marker_at + 3)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
            .ok_or("the file ends inside a segment length")?;
        let end = marker_at + 1 + length;
        if length < 2 || end > bytes.len() {
            return Err(format!(
                "segment 0xFF{marker:02X} at byte {offset} declares {length} bytes past the end"
            ));
        }
        let payload = &bytes[marker_at + 3..end];
        let keep = match marker {
            0xE0 => payload.starts_with(b"JFIF\0"),
            0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
            0xEE => payload.starts_with(b"Adobe"),
            0xE1..=0xEF | 0xFE => false,
            _ => true,
        };
        if keep {
            out.extend_from_slice(&bytes[offset..end]);
        } else if marker == 0xE1
            && payload.starts_with(b"Exif\0\0")
            && let Some(value) = orientation.take()
        {
            let mut exif = b"Exif\0\0".to_vec();
            exif.extend_from_slice(&orientation_tiff(value));
            out.extend_from_slice(&[0xFF, 0xE1]);
            out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
            out.extend_from_slice(&exif);
        }
        offset = end;
    }
}

/// Removes PNG tEXt, zTXt, iTXt and eXIf chunks; iCCP and every other chunk stay.
///
/// When `orientation` is not 1, the eXIf chunk is replaced by one that holds only the
/// orientation, so that the picture stays upright.
fn strip_png(bytes: &[u8], orientation: Orientation) -> Result<Vec<u8>, String> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !bytes.starts_with(SIGNATURE) {
        return Err("missing PNG signature".to_string());
    }
    let mut orientation = kept_orientation(orientation);
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(SIGNATURE);
    let mut offset = SIGNATURE.len();
    while offset < bytes.len() {
        let header = bytes
            .get(offset..offset + 8)
            .ok_or_else(|| format!("the file ends inside the chunk header at byte {offset}"))?;
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let chunk_type = &header[4..8];
        // Length, type, data and CRC.
        let end = offset
            .checked_add(12)
            .and_then(|n| n.checked_add(length))
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| {
                format!(
                    "chunk {} at byte {offset} declares {length} bytes past the end",
                    String::from_utf8_lossy(chunk_type)
                )
            })?;
        match chunk_type {
            b"tEXt" | b"zTXt" | b"iTXt" => {}
            b"eXIf" => {
                if let Some(value) = orientation.take() {
                    push_png_chunk(&mut out, b"eXIf", &orientation_tiff(value));
                }
            }
            _ => out.extend_from_slice(&bytes[offset..end]),
        }
        offset = end;
        if chunk_type == b"IEND" {
            // Bytes after IEND are not part of the image; they are kept as they are.
            out.extend_from_slice(&bytes[offset..]);
            break;
        }
    }
    Ok(out)
}

/// Appends a PNG chunk with its length and CRC-32.
fn push_png_chunk(out: &mut Vec<u8>, chunk_type: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(chunk_type);
    out.extend_from_slice(data);
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(chunk_type);
    hasher.update(data);
    out.extend_from_slice(&hasher.finalize().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GenericImageView, ImageBuffer, Rgba, RgbaImage};

    /// Encodes `image` in `format` with the `image` crate.
    fn encode_as(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), format)
            .expect("encode test image");
        bytes
    }

    /// Returns a `width` x `height` RGB picture: red left half, blue right half.
    fn halves(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                image::Rgb([255, 0, 0])
            } else {
                image::Rgb([0, 0, 255])
            }
        }))
    }

    /// Returns an RGBA picture whose left half is transparent and right half opaque green.
    fn half_transparent(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgba([0, 0, 0, 0])
            } else {
                Rgba([0, 255, 0, 255])
            }
        }))
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

    fn decode(bytes: &[u8]) -> DynamicImage {
        image::load_from_memory(bytes).expect("decode output")
    }

    fn options() -> ImageOptions {
        ImageOptions::default()
    }

    fn width(max: u32) -> ImageOptions {
        ImageOptions {
            max_width: Some(max),
            ..ImageOptions::default()
        }
    }

    /// Builds a big-endian TIFF block with IFD0 holding `orientation` (if any) and, when `gps`
    /// is set, a GPS IFD with latitude 52°31'N and longitude 13°24'E.
    fn exif_tiff(orientation: Option<u16>, gps: bool) -> Vec<u8> {
        let mut entries: Vec<[u8; 12]> = Vec::new();
        if let Some(value) = orientation {
            let v = value.to_be_bytes();
            entries.push([0x01, 0x12, 0, 3, 0, 0, 0, 1, v[0], v[1], 0, 0]);
        }
        let ifd0_len = 2 + 12 * (entries.len() + usize::from(gps)) + 4;
        let gps_offset = (8 + ifd0_len) as u32;
        if gps {
            let o = gps_offset.to_be_bytes();
            entries.push([0x88, 0x25, 0, 4, 0, 0, 0, 1, o[0], o[1], o[2], o[3]]);
        }
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&(entries.len() as u16).to_be_bytes());
        for entry in &entries {
            tiff.extend_from_slice(entry);
        }
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        if gps {
            // GPS IFD: 4 entries, then the two RATIONAL[3] values.
            let data = gps_offset + 2 + 4 * 12 + 4;
            let lat = data.to_be_bytes();
            let lon = (data + 24).to_be_bytes();
            tiff.extend_from_slice(&4u16.to_be_bytes());
            tiff.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
            tiff.extend_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3, lat[0], lat[1], lat[2], lat[3]]);
            tiff.extend_from_slice(&[0, 3, 0, 2, 0, 0, 0, 2, b'E', 0, 0, 0]);
            tiff.extend_from_slice(&[0, 4, 0, 5, 0, 0, 0, 3, lon[0], lon[1], lon[2], lon[3]]);
            tiff.extend_from_slice(&[0, 0, 0, 0]);
            for value in [52u32, 31, 0, 13, 24, 0] {
                tiff.extend_from_slice(&value.to_be_bytes());
                tiff.extend_from_slice(&1u32.to_be_bytes());
            }
        }
        tiff
    }

    /// Inserts JPEG segments right after the APP0 JFIF segment that the `image` crate writes.
    fn with_segments(jpeg: &[u8], segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
        assert_eq!(&jpeg[..4], &[0xFF, 0xD8, 0xFF, 0xE0]);
        let app0_end = 4 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
        let mut out = jpeg[..app0_end].to_vec();
        for (marker, payload) in segments {
            out.extend_from_slice(&[0xFF, *marker]);
            out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
            out.extend_from_slice(payload);
        }
        out.extend_from_slice(&jpeg[app0_end..]);
        out
    }

    fn exif_segment(orientation: Option<u16>, gps: bool) -> (u8, Vec<u8>) {
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&exif_tiff(orientation, gps));
        (0xE1, payload)
    }

    /// Inserts PNG chunks right after IHDR.
    fn with_chunks(png: &[u8], chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let ihdr_end = 8 + 25;
        let mut out = png[..ihdr_end].to_vec();
        for (chunk_type, data) in chunks {
            push_png_chunk(&mut out, chunk_type, data);
        }
        out.extend_from_slice(&png[ihdr_end..]);
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle)
    }

    /// Returns the bytes from the start-of-scan marker on.
    fn scan_data(jpeg: &[u8]) -> &[u8] {
        let start = jpeg
            .windows(2)
            .position(|w| w == [0xFF, 0xDA])
            .expect("start of scan");
        &jpeg[start..]
    }

    #[test]
    fn identity_without_options() {
        let png = encode_as(&halves(40, 20), ImageFormat::Png);
        let processed = process(png.clone(), ImageType::Png, &options()).unwrap();
        assert_eq!(processed.bytes, png);
        assert_eq!(processed.kind, ImageType::Png);
        assert_eq!(processed.notes, vec![]);
    }

    #[test]
    fn identity_inside_box() {
        let jpeg = encode_as(&halves(40, 20), ImageFormat::Jpeg);
        let options = ImageOptions {
            max_width: Some(40),
            max_height: Some(400),
            format: OutputFormat::Jpeg,
            quality: 10,
            ..ImageOptions::default()
        };
        let processed = process(jpeg.clone(), ImageType::Jpeg, &options).unwrap();
        assert_eq!(processed.bytes, jpeg);
        assert_eq!(processed.notes, vec![]);
    }

    #[test]
    fn identity_skips_corrupt_bytes() {
        let bytes = b"\x89PNG\r\n\x1a\nnot really".to_vec();
        let processed = process(bytes.clone(), ImageType::Png, &options()).unwrap();
        assert_eq!(processed.bytes, bytes);
    }

    #[test]
    fn fit_box_width_bound() {
        assert_eq!(fit_box((4000, 3000), Some(800), None), (800, 600));
        assert_eq!(fit_box((4000, 3000), Some(800), Some(800)), (800, 600));
        assert_eq!(fit_box((1001, 333), Some(500), None), (500, 166));
    }

    #[test]
    fn fit_box_height_bound() {
        assert_eq!(fit_box((3000, 4000), Some(800), Some(800)), (600, 800));
        assert_eq!(fit_box((4000, 3000), None, Some(300)), (400, 300));
    }

    #[test]
    fn fit_box_never_upscales() {
        assert_eq!(fit_box((100, 50), Some(800), Some(800)), (100, 50));
        assert_eq!(fit_box((100, 50), None, None), (100, 50));
    }

    #[test]
    fn fit_box_keeps_one_pixel() {
        assert_eq!(fit_box((10000, 2), Some(100), None), (100, 1));
        assert_eq!(fit_box((2, 10000), None, Some(100)), (1, 100));
    }

    #[test]
    fn downscale_png_keeps_format() {
        let png = encode_as(&halves(400, 300), ImageFormat::Png);
        let processed = process(png, ImageType::Png, &width(100)).unwrap();
        assert_eq!(processed.kind, ImageType::Png);
        let image = decode(&processed.bytes);
        assert_eq!(image.dimensions(), (100, 75));
        assert_eq!(image.to_rgb8().get_pixel(10, 40).0, [255, 0, 0]);
        assert_eq!(image.to_rgb8().get_pixel(90, 40).0, [0, 0, 255]);
        assert_eq!(
            processed.notes,
            vec![TransformNote::Resized {
                from: (400, 300),
                to: (100, 75)
            }]
        );
    }

    #[test]
    fn downscale_by_height() {
        let png = encode_as(&halves(400, 300), ImageFormat::Png);
        let options = ImageOptions {
            max_height: Some(30),
            ..ImageOptions::default()
        };
        let processed = process(png, ImageType::Png, &options).unwrap();
        assert_eq!(decode(&processed.bytes).dimensions(), (40, 30));
    }

    #[test]
    fn downscale_large_jpeg_reduced() {
        // 1600 px to 200 px passes the DCT scaling margin, so jpeg-decoder decodes at 1/4.
        let jpeg = encode_as(&halves(1600, 1200), ImageFormat::Jpeg);
        let reduced = decode_jpeg_reduced(&jpeg, (1600, 1200), (200, 150))
            .expect("reduced decoding applies")
            .unwrap();
        assert_eq!(reduced.dimensions(), (400, 300));
        let processed = process(jpeg, ImageType::Jpeg, &width(200)).unwrap();
        assert_eq!(processed.kind, ImageType::Jpeg);
        let image = decode(&processed.bytes).to_rgb8();
        assert_eq!(image.dimensions(), (200, 150));
        assert_close(image.get_pixel(20, 75).0, [255, 0, 0], 16);
        assert_close(image.get_pixel(180, 75).0, [0, 0, 255], 16);
    }

    #[test]
    fn reduced_decode_skips_small_ratio() {
        let jpeg = encode_as(&halves(1600, 1200), ImageFormat::Jpeg);
        assert!(decode_jpeg_reduced(&jpeg, (1600, 1200), (800, 600)).is_none());
    }

    #[test]
    fn orientation_applied_before_box() {
        // Stored 80x40 with orientation 6 (rotate 90° clockwise) is upright 40x80: the red left
        // half becomes the top half.
        let jpeg = with_segments(
            &encode_as(&halves(80, 40), ImageFormat::Jpeg),
            &[exif_segment(Some(6), false)],
        );
        let options = ImageOptions {
            max_height: Some(40),
            ..ImageOptions::default()
        };
        let processed = process(jpeg, ImageType::Jpeg, &options).unwrap();
        let image = decode(&processed.bytes).to_rgb8();
        assert_eq!(image.dimensions(), (20, 40));
        assert_close(image.get_pixel(10, 5).0, [255, 0, 0], 60);
        assert_close(image.get_pixel(10, 35).0, [0, 0, 255], 60);
        assert_eq!(
            processed.notes,
            vec![
                TransformNote::Resized {
                    from: (40, 80),
                    to: (20, 40)
                },
                TransformNote::Oriented { orientation: 6 },
            ]
        );
    }

    #[test]
    fn reencoded_jpeg_drops_exif() {
        let jpeg = with_segments(
            &encode_as(&halves(80, 40), ImageFormat::Jpeg),
            &[exif_segment(Some(1), true)],
        );
        let processed = process(jpeg, ImageType::Jpeg, &width(40)).unwrap();
        assert!(!contains(&processed.bytes, b"Exif\0\0"));
        assert!(!contains(&processed.bytes, &[0xFF, 0xE1]));
    }

    #[test]
    fn reencoded_jpeg_keeps_icc() {
        let icc = vec![7u8; 300];
        let mut payload = b"ICC_PROFILE\0\x01\x01".to_vec();
        payload.extend_from_slice(&icc);
        let jpeg = with_segments(
            &encode_as(&halves(80, 40), ImageFormat::Jpeg),
            &[(0xE2, payload)],
        );
        let processed = process(jpeg, ImageType::Jpeg, &width(40)).unwrap();
        let mut decoder =
            image::codecs::jpeg::JpegDecoder::new(Cursor::new(&processed.bytes)).unwrap();
        assert_eq!(decoder.icc_profile().unwrap(), Some(icc));
    }

    /// Returns a two-frame GIF of 40x20 pixels.
    fn animated_gif() -> Vec<u8> {
        let mut bytes = Vec::new();
        {
            let mut encoder = image::codecs::gif::GifEncoder::new(&mut bytes);
            for shade in [0u8, 255] {
                let frame =
                    image::Frame::new(RgbaImage::from_pixel(40, 20, Rgba([shade, 0, 0, 255])));
                encoder.encode_frame(frame).unwrap();
            }
        }
        bytes
    }

    /// Returns an APNG: a PNG whose IDAT is the one frame of an animation.
    fn apng() -> Vec<u8> {
        let png = encode_as(&halves(40, 20), ImageFormat::Png);
        let mut actl = 1u32.to_be_bytes().to_vec();
        actl.extend_from_slice(&0u32.to_be_bytes());
        let mut fctl = Vec::new();
        for value in [0u32, 40, 20, 0, 0] {
            fctl.extend_from_slice(&value.to_be_bytes());
        }
        fctl.extend_from_slice(&[0, 1, 0, 10, 0, 0]);
        with_chunks(&png, &[(b"acTL", actl), (b"fcTL", fctl)])
    }

    /// Returns an animated WebP holding one lossless frame of 40x20 pixels.
    fn animated_webp() -> Vec<u8> {
        let still = encode_as(&halves(40, 20), ImageFormat::WebP);
        // The still file is RIFF, size, WEBP, then the VP8L chunk.
        let vp8l = &still[12..];
        let mut anmf = Vec::new();
        anmf.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // X and Y offsets
        anmf.extend_from_slice(&[39, 0, 0, 19, 0, 0]); // width - 1, height - 1
        anmf.extend_from_slice(&[100, 0, 0, 0]); // duration, flags
        anmf.extend_from_slice(vp8l);
        let mut chunks = Vec::new();
        let mut vp8x = vec![0x02, 0, 0, 0];
        vp8x.extend_from_slice(&[39, 0, 0, 19, 0, 0]);
        for (fourcc, data) in [
            (b"VP8X", vp8x),
            (b"ANIM", vec![255, 255, 255, 255, 0, 0]),
            (b"ANMF", anmf),
        ] {
            chunks.extend_from_slice(fourcc);
            chunks.extend_from_slice(&(data.len() as u32).to_le_bytes());
            chunks.extend_from_slice(&data);
            if data.len() % 2 == 1 {
                chunks.push(0);
            }
        }
        let mut webp = b"RIFF".to_vec();
        webp.extend_from_slice(&((chunks.len() + 4) as u32).to_le_bytes());
        webp.extend_from_slice(b"WEBP");
        webp.extend_from_slice(&chunks);
        webp
    }

    #[test]
    fn animated_gif_kept() {
        let gif = animated_gif();
        let processed = process(gif.clone(), ImageType::Gif, &width(10)).unwrap();
        assert_eq!(processed.bytes, gif);
        assert_eq!(processed.kind, ImageType::Gif);
        assert_eq!(
            processed.notes,
            vec![TransformNote::AnimationKept {
                kind: ImageType::Gif
            }]
        );
    }

    #[test]
    fn apng_kept() {
        let png = apng();
        assert!(is_animated(&png, ImageType::Png));
        let processed = process(png.clone(), ImageType::Png, &width(10)).unwrap();
        assert_eq!(processed.bytes, png);
        assert_eq!(
            processed.notes,
            vec![TransformNote::AnimationKept {
                kind: ImageType::Png
            }]
        );
    }

    #[test]
    fn animated_webp_kept() {
        let webp = animated_webp();
        assert!(is_animated(&webp, ImageType::Webp));
        let options = ImageOptions {
            format: OutputFormat::Png,
            ..ImageOptions::default()
        };
        let processed = process(webp.clone(), ImageType::Webp, &options).unwrap();
        assert_eq!(processed.bytes, webp);
        assert_eq!(processed.kind, ImageType::Webp);
    }

    #[test]
    fn animation_note_is_warning() {
        let note = TransformNote::AnimationKept {
            kind: ImageType::Gif,
        };
        assert!(note.is_warning());
        assert!(!TransformNote::SvgKept.is_warning());
        assert_eq!(
            note.to_string(),
            "animated GIF kept as it is: resizing and conversion never flatten animations"
        );
    }

    #[test]
    fn still_gif_becomes_png() {
        let gif = encode_as(&halves(40, 20), ImageFormat::Gif);
        let processed = process(gif, ImageType::Gif, &width(20)).unwrap();
        assert_eq!(processed.kind, ImageType::Png);
        assert_eq!(decode(&processed.bytes).dimensions(), (20, 10));
    }

    #[test]
    fn svg_kept() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="10"/>"#.to_vec();
        let options = ImageOptions {
            max_width: Some(10),
            format: OutputFormat::Png,
            ..ImageOptions::default()
        };
        let processed = process(svg.clone(), ImageType::Svg, &options).unwrap();
        assert_eq!(processed.bytes, svg);
        assert_eq!(processed.kind, ImageType::Svg);
        assert_eq!(processed.notes, vec![TransformNote::SvgKept]);
    }

    /// Returns a PNG whose header claims `width` x `height` pixels, with almost no data.
    fn png_bomb(width: u32, height: u32) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        push_png_chunk(&mut png, b"IHDR", &ihdr);
        push_png_chunk(&mut png, b"IDAT", &[0x78, 0x9C, 0x03, 0, 0, 0, 0, 1]);
        push_png_chunk(&mut png, b"IEND", &[]);
        png
    }

    #[test]
    fn bomb_rejected_by_side() {
        let started = std::time::Instant::now();
        let problem = process(png_bomb(100_000, 100_000), ImageType::Png, &width(100)).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!(
            problem,
            TransformProblem::DimensionsTooLarge {
                kind: ImageType::Png,
                width: 100_000,
                height: 100_000,
                max_side: MAX_SIDE
            }
        );
        assert_eq!(
            problem.to_string(),
            "PNG image of 100000x100000 pixels exceeds the decoding limit of 32768 pixels per side"
        );
    }

    #[test]
    fn bomb_rejected_by_memory() {
        let problem = process(png_bomb(30_000, 30_000), ImageType::Png, &width(100)).unwrap_err();
        assert_eq!(
            problem,
            TransformProblem::MemoryLimit {
                kind: ImageType::Png,
                width: 30_000,
                height: 30_000,
                needed: 3_600_000_000,
                max: MAX_DECODE_BYTES
            }
        );
    }

    #[test]
    fn truncated_jpeg_rejected() {
        let jpeg = encode_as(&halves(400, 300), ImageFormat::Jpeg);
        let cut = jpeg[..jpeg.len() / 2].to_vec();
        let problem = process(cut, ImageType::Jpeg, &width(100)).unwrap_err();
        assert_eq!(
            problem,
            TransformProblem::Truncated {
                kind: ImageType::Jpeg
            }
        );
    }

    #[test]
    fn truncated_png_rejected() {
        let png = encode_as(&halves(400, 300), ImageFormat::Png);
        let cut = png[..png.len() - 20].to_vec();
        let problem = process(cut, ImageType::Png, &width(100)).unwrap_err();
        assert_eq!(
            problem,
            TransformProblem::Truncated {
                kind: ImageType::Png
            }
        );
    }

    #[test]
    fn corrupt_png_rejected() {
        let mut png = encode_as(&halves(400, 300), ImageFormat::Png);
        let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
        for byte in &mut png[idat + 4..idat + 40] {
            *byte ^= 0x5A;
        }
        let problem = process(png, ImageType::Png, &width(100)).unwrap_err();
        assert!(
            matches!(
                problem,
                TransformProblem::Decode {
                    kind: ImageType::Png,
                    ..
                }
            ),
            "{problem:?}"
        );
    }

    #[test]
    fn corrupt_header_rejected() {
        let bytes = b"\xFF\xD8\xFF\xC0\x00\x02garbage".to_vec();
        let problem = process(bytes, ImageType::Jpeg, &width(100)).unwrap_err();
        assert!(
            matches!(
                problem,
                TransformProblem::Decode {
                    kind: ImageType::Jpeg,
                    ..
                }
            ),
            "{problem:?}"
        );
    }

    #[test]
    fn png_keeps_transparency() {
        let png = encode_as(&half_transparent(40, 20), ImageFormat::Png);
        let processed = process(png, ImageType::Png, &width(20)).unwrap();
        let image = decode(&processed.bytes).to_rgba8();
        assert_eq!(image.dimensions(), (20, 10));
        assert_eq!(image.get_pixel(2, 5).0[3], 0);
        assert_eq!(image.get_pixel(18, 5).0, [0, 255, 0, 255]);
    }

    #[test]
    fn webp_keeps_transparency() {
        let png = encode_as(&half_transparent(40, 20), ImageFormat::Png);
        let options = ImageOptions {
            max_width: Some(20),
            format: OutputFormat::Webp,
            ..ImageOptions::default()
        };
        let processed = process(png, ImageType::Png, &options).unwrap();
        assert_eq!(processed.kind, ImageType::Webp);
        let image = decode(&processed.bytes).to_rgba8();
        assert_eq!(image.dimensions(), (20, 10));
        assert_eq!(image.get_pixel(2, 5).0[3], 0);
        assert_eq!(image.get_pixel(18, 5).0[3], 255);
    }

    #[test]
    fn jpeg_output_composites_on_white() {
        let png = encode_as(&half_transparent(40, 20), ImageFormat::Png);
        let options = ImageOptions {
            format: OutputFormat::Jpeg,
            ..ImageOptions::default()
        };
        let processed = process(png, ImageType::Png, &options).unwrap();
        assert_eq!(processed.kind, ImageType::Jpeg);
        let image = decode(&processed.bytes).to_rgb8();
        assert_eq!(image.dimensions(), (40, 20));
        assert_close(image.get_pixel(2, 10).0, [255, 255, 255], 10);
        assert_eq!(
            processed.notes,
            vec![
                TransformNote::Converted {
                    from: ImageType::Png,
                    to: ImageType::Jpeg
                },
                TransformNote::AlphaComposited,
            ]
        );
    }

    #[test]
    fn opaque_alpha_not_noted() {
        let png = encode_as(
            &DynamicImage::ImageRgba8(RgbaImage::from_pixel(4, 4, Rgba([1, 2, 3, 255]))),
            ImageFormat::Png,
        );
        let options = ImageOptions {
            format: OutputFormat::Jpeg,
            ..ImageOptions::default()
        };
        let processed = process(png, ImageType::Png, &options).unwrap();
        assert!(!processed.notes.contains(&TransformNote::AlphaComposited));
    }

    #[test]
    fn over_white_values() {
        assert_eq!(over_white(0, 0), 255);
        assert_eq!(over_white(0, 255), 0);
        assert_eq!(over_white(0, 128), 127);
        assert_eq!(over_white(200, 255), 200);
    }

    #[test]
    fn convert_jpeg_to_png() {
        let jpeg = encode_as(&halves(40, 20), ImageFormat::Jpeg);
        let options = ImageOptions {
            format: OutputFormat::Png,
            ..ImageOptions::default()
        };
        let processed = process(jpeg, ImageType::Jpeg, &options).unwrap();
        assert_eq!(processed.kind, ImageType::Png);
        assert_eq!(
            image::guess_format(&processed.bytes).unwrap(),
            ImageFormat::Png
        );
        assert_eq!(decode(&processed.bytes).dimensions(), (40, 20));
    }

    /// Returns a noisy picture, whose compressed size depends on the quality.
    fn noise(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(ImageBuffer::from_fn(width, height, |x, y| {
            let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761);
            image::Rgb([(v >> 24) as u8, (v >> 16) as u8, (v >> 8) as u8])
        }))
    }

    fn encoded_size(format: OutputFormat, quality: u8) -> usize {
        let png = encode_as(&noise(64, 64), ImageFormat::Png);
        let options = ImageOptions {
            format,
            quality,
            ..ImageOptions::default()
        };
        process(png, ImageType::Png, &options).unwrap().bytes.len()
    }

    #[test]
    fn jpeg_quality_applies() {
        assert!(encoded_size(OutputFormat::Jpeg, 20) < encoded_size(OutputFormat::Jpeg, 95));
    }

    #[cfg(feature = "webp")]
    #[test]
    fn webp_quality_applies() {
        assert!(encoded_size(OutputFormat::Webp, 20) < encoded_size(OutputFormat::Webp, 95));
    }

    #[cfg(not(feature = "webp"))]
    #[test]
    fn webp_lossless_noted() {
        let png = encode_as(&halves(8, 8), ImageFormat::Png);
        let options = ImageOptions {
            format: OutputFormat::Webp,
            ..ImageOptions::default()
        };
        let processed = process(png, ImageType::Png, &options).unwrap();
        assert!(processed.notes.contains(&TransformNote::WebpLossless));
    }

    #[test]
    fn lossless_webp_detected() {
        let webp = encode_as(&halves(8, 8), ImageFormat::WebP);
        assert!(webp_is_lossless(&webp));
        assert!(!webp_is_lossless(b"RIFF\x0c\0\0\0WEBPVP8 \0\0\0\0"));
    }

    #[test]
    fn max_bytes_after_processing() {
        let png = encode_as(&noise(400, 400), ImageFormat::Png);
        let limit = 60_000;
        assert!(png.len() > limit);
        let small = ImageOptions {
            max_width: Some(100),
            max_bytes: Some(limit as u64),
            ..ImageOptions::default()
        };
        assert!(process(png.clone(), ImageType::Png, &small).is_ok());
        let unchanged = ImageOptions {
            max_bytes: Some(limit as u64),
            ..ImageOptions::default()
        };
        assert_eq!(
            process(png.clone(), ImageType::Png, &unchanged).unwrap_err(),
            TransformProblem::TooLarge {
                bytes: png.len() as u64,
                max: limit as u64
            }
        );
    }

    fn strip() -> ImageOptions {
        ImageOptions {
            strip_metadata: true,
            ..ImageOptions::default()
        }
    }

    #[test]
    fn strip_jpeg_segments() {
        let plain = encode_as(&halves(40, 20), ImageFormat::Jpeg);
        let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
        icc.extend_from_slice(&[9u8; 64]);
        let jpeg = with_segments(
            &plain,
            &[
                exif_segment(None, true),
                (0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>".to_vec()),
                (0xFE, b"a comment".to_vec()),
                (0xED, b"Photoshop 3.0\0".to_vec()),
                (0xE2, icc.clone()),
            ],
        );
        let processed = process(jpeg, ImageType::Jpeg, &strip()).unwrap();
        let expected = with_segments(&plain, &[(0xE2, icc)]);
        assert_eq!(processed.bytes, expected);
        assert_eq!(scan_data(&processed.bytes), scan_data(&plain));
        assert!(matches!(
            processed.notes.as_slice(),
            [TransformNote::MetadataStripped { .. }]
        ));
    }

    #[test]
    fn strip_jpeg_keeps_orientation_only() {
        let plain = encode_as(&halves(40, 20), ImageFormat::Jpeg);
        let jpeg = with_segments(&plain, &[exif_segment(Some(6), true)]);
        let processed = process(jpeg, ImageType::Jpeg, &strip()).unwrap();
        let expected = with_segments(&plain, &[exif_segment(Some(6), false)]);
        assert_eq!(processed.bytes, expected);
        assert_eq!(
            read_orientation(&processed.bytes, ImageType::Jpeg),
            Orientation::Rotate90
        );
    }

    #[test]
    fn strip_jpeg_nothing_to_remove() {
        let jpeg = encode_as(&halves(40, 20), ImageFormat::Jpeg);
        let processed = process(jpeg.clone(), ImageType::Jpeg, &strip()).unwrap();
        assert_eq!(processed.bytes, jpeg);
        assert_eq!(processed.notes, vec![]);
    }

    #[test]
    fn strip_jpeg_rejects_overlong_segment() {
        let mut jpeg = with_segments(
            &encode_as(&halves(40, 20), ImageFormat::Jpeg),
            &[(0xFE, b"x".to_vec())],
        );
        jpeg.truncate(24);
        let problem = process(jpeg, ImageType::Jpeg, &strip()).unwrap_err();
        assert!(
            matches!(
                problem,
                TransformProblem::Malformed {
                    kind: ImageType::Jpeg,
                    ..
                }
            ),
            "{problem:?}"
        );
    }

    #[test]
    fn strip_png_chunks() {
        let plain = encode_as(&halves(40, 20), ImageFormat::Png);
        let mut iccp = b"sRGB\0\0".to_vec();
        iccp.extend_from_slice(&[0x78, 0x9C, 0x03, 0, 0, 0, 0, 1]);
        let png = with_chunks(
            &plain,
            &[
                (b"iCCP", iccp.clone()),
                (b"tEXt", b"Author\0someone".to_vec()),
                (b"zTXt", b"Comment\0\0\x78\x9C\x03\0\0\0\0\x01".to_vec()),
                (b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<x/>".to_vec()),
                (b"eXIf", exif_tiff(None, true)),
            ],
        );
        let processed = process(png, ImageType::Png, &strip()).unwrap();
        assert_eq!(processed.bytes, with_chunks(&plain, &[(b"iCCP", iccp)]));
    }

    #[test]
    fn strip_png_keeps_orientation_only() {
        let plain = encode_as(&halves(40, 20), ImageFormat::Png);
        let png = with_chunks(&plain, &[(b"eXIf", exif_tiff(Some(8), true))]);
        let processed = process(png, ImageType::Png, &strip()).unwrap();
        let expected = with_chunks(&plain, &[(b"eXIf", exif_tiff(Some(8), false))]);
        assert_eq!(processed.bytes, expected);
    }

    #[test]
    fn strip_png_rejects_overlong_chunk() {
        let mut png = encode_as(&halves(40, 20), ImageFormat::Png);
        png.truncate(40);
        let problem = process(png, ImageType::Png, &strip()).unwrap_err();
        assert!(
            matches!(
                problem,
                TransformProblem::Malformed {
                    kind: ImageType::Png,
                    ..
                }
            ),
            "{problem:?}"
        );
    }

    #[test]
    fn avif_kept_with_note() {
        let bytes = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf".to_vec();
        let processed = process(bytes.clone(), ImageType::Avif, &width(10)).unwrap();
        assert_eq!(processed.bytes, bytes);
        assert_eq!(
            processed.notes,
            vec![TransformNote::NotDecodable {
                kind: ImageType::Avif
            }]
        );
    }
}
