//! Downscaling, re-encoding and metadata stripping of images before they are embedded.

use crate::sniff::ImageType;

/// The encoding an image is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// The source's own format; images that need no change are embedded byte for byte.
    #[default]
    Keep,
    /// PNG (lossless).
    Png,
    /// JPEG at [`ImageOptions::quality`].
    Jpeg,
    /// WebP, lossy at [`ImageOptions::quality`].
    Webp,
}

/// What to do to each image before it is embedded.
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

/// An image after processing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// The bytes to embed.
    pub bytes: Vec<u8>,
    /// Their type.
    pub kind: ImageType,
    /// What was done, for verbose output and warnings.
    pub notes: Vec<TransformNote>,
}

/// One thing processing did or chose not to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransformNote {
    /// The image was downscaled.
    Resized {
        /// Width and height before.
        from: (u32, u32),
        /// Width and height after.
        to: (u32, u32),
    },
}

impl std::fmt::Display for TransformNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransformNote::Resized { from, to } => {
                write!(f, "resized from {}x{} to {}x{}", from.0, from.1, to.0, to.1)
            }
        }
    }
}

/// Why an image was not embedded after processing.
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
}

/// Processes `bytes` of type `kind` as `options` ask.
pub fn process(
    bytes: Vec<u8>,
    kind: ImageType,
    options: &ImageOptions,
) -> Result<Processed, TransformProblem> {
    if let Some(max) = options.max_bytes
        && bytes.len() as u64 > max
    {
        return Err(TransformProblem::TooLarge {
            bytes: bytes.len() as u64,
            max,
        });
    }
    Ok(Processed {
        bytes,
        kind,
        notes: Vec::new(),
    })
}
