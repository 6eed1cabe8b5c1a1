//! Helpers shared by the integration tests: a temporary working folder, tiny images of every
//! supported format, data URIs computed independently of mdembed, and the binary's summary line.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use image::{DynamicImage, ImageFormat, RgbaImage};

/// How long one run of the binary may take before the test fails; a FIFO or a symlink loop
/// that hangs the tool ends the test instead of the whole suite.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A fresh temporary folder that every run of the binary uses as its current directory.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    /// Creates an empty workspace.
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("create temporary directory"),
        }
    }

    /// Returns the workspace folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Returns the canonical workspace folder, as the binary prints the root.
    pub fn canonical(&self) -> PathBuf {
        self.dir
            .path()
            .canonicalize()
            .expect("canonicalize workspace")
    }

    /// Returns `relative` joined to the workspace.
    pub fn join(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes `contents` to `relative`, creating parent folders.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent folders");
        }
        std::fs::write(&path, contents).expect("write file");
        path
    }

    /// Creates the folder `relative` with its parents.
    pub fn mkdir(&self, relative: &str) -> PathBuf {
        let path = self.join(relative);
        std::fs::create_dir_all(&path).expect("create folder");
        path
    }

    /// Returns the bytes of `relative`.
    pub fn read(&self, relative: &str) -> Vec<u8> {
        std::fs::read(self.join(relative)).unwrap_or_else(|e| panic!("read {relative}: {e}"))
    }

    /// Returns the text of `relative`.
    pub fn read_text(&self, relative: &str) -> String {
        String::from_utf8(self.read(relative)).expect("UTF-8 file")
    }

    /// Returns whether `relative` exists (without following a final symlink).
    pub fn exists(&self, relative: &str) -> bool {
        self.join(relative).symlink_metadata().is_ok()
    }

    /// Returns a command running the binary in this workspace with empty standard input.
    pub fn mdembed(&self) -> Command {
        self.mdembed_in(".")
    }

    /// Returns a command running the binary in the folder `relative` of this workspace.
    pub fn mdembed_in(&self, relative: &str) -> Command {
        let mut command = Command::cargo_bin("mdembed").expect("mdembed binary");
        command
            .current_dir(self.join(relative))
            .write_stdin(Vec::new())
            .timeout(TIMEOUT);
        command
    }

    /// Runs the binary with `args` in this workspace.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.mdembed().args(args))
    }

    /// Runs the binary with `args` in the folder `relative` of this workspace.
    pub fn run_in(&self, relative: &str, args: &[&str]) -> Run {
        Run::from(self.mdembed_in(relative).args(args))
    }
}

/// The outcome of one run of the binary.
#[derive(Debug)]
pub struct Run {
    /// Standard output as text.
    pub stdout: String,
    /// Standard error as text.
    pub stderr: String,
    /// The exit status; `None` when the process was killed (for example on timeout).
    pub code: Option<i32>,
}

impl Run {
    /// Runs `command` and collects its output.
    pub fn from(command: &mut Command) -> Run {
        let output = command.output().expect("run mdembed");
        Run {
            stdout: String::from_utf8(output.stdout).expect("UTF-8 standard output"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 standard error"),
            code: output.status.code(),
        }
    }

    /// Returns the lines of standard error.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}

/// Returns the summary line the binary prints last.
pub fn summary(
    documents: usize,
    changed: usize,
    images: usize,
    bytes: usize,
    warnings: usize,
) -> String {
    format!(
        "{}, {changed} changed, {}, {bytes} bytes added, {}",
        count(documents, "document", "read"),
        count(images, "image", "embedded"),
        count_noun(warnings, "warning"),
    )
}

/// Returns the summary line the binary prints last with `--check`.
pub fn check_summary(
    documents: usize,
    would_change: usize,
    images: usize,
    bytes: usize,
    warnings: usize,
) -> String {
    format!(
        "{}, {would_change} would change, {} to embed, {bytes} bytes to add, {}",
        count(documents, "document", "read"),
        count_noun(images, "image"),
        count_noun(warnings, "warning"),
    )
}

fn count(n: usize, noun: &str, verb: &str) -> String {
    format!("{} {verb}", count_noun(n, noun))
}

fn count_noun(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Returns the number of bytes `output` gained over `input`.
pub fn added(input: &str, output: &str) -> usize {
    output.len() - input.len()
}

/// Returns `data:<mime>;base64,<payload>` with the standard padded alphabet.
pub fn data_uri(mime: &str, bytes: &[u8]) -> String {
    format!("data:{mime};base64,{}", STANDARD.encode(bytes))
}

/// Decodes the payload of a base64 data URI with the strict standard engine.
pub fn decode_payload(uri: &str) -> Vec<u8> {
    let (_, payload) = uri.split_once(";base64,").expect("a base64 data URI");
    STANDARD.decode(payload).expect("valid standard base64")
}

/// Returns a small RGBA picture whose pixels depend on `seed`, so different seeds give
/// different files.
pub fn picture(seed: u8) -> DynamicImage {
    DynamicImage::ImageRgba8(RgbaImage::from_fn(3, 2, |x, y| {
        image::Rgba([seed, (x * 90) as u8, (y * 120) as u8 ^ seed, 255])
    }))
}

/// Encodes `picture` in `format`.
pub fn encode(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    let picture = match format {
        // JPEG and BMP encoders of the image crate take no alpha channel.
        ImageFormat::Jpeg | ImageFormat::Bmp => DynamicImage::ImageRgb8(picture.to_rgb8()),
        _ => picture.clone(),
    };
    picture
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap_or_else(|e| panic!("encode {format:?}: {e}"));
    bytes
}

/// Returns a PNG file made from `picture(seed)`.
pub fn png(seed: u8) -> Vec<u8> {
    encode(&picture(seed), ImageFormat::Png)
}

/// Returns a JPEG file.
pub fn jpeg(seed: u8) -> Vec<u8> {
    encode(&picture(seed), ImageFormat::Jpeg)
}

/// Returns a GIF file.
pub fn gif(seed: u8) -> Vec<u8> {
    encode(&picture(seed), ImageFormat::Gif)
}

/// Returns a WebP file.
pub fn webp(seed: u8) -> Vec<u8> {
    encode(&picture(seed), ImageFormat::WebP)
}

/// Returns a BMP file.
pub fn bmp(seed: u8) -> Vec<u8> {
    encode(&picture(seed), ImageFormat::Bmp)
}

/// Returns an ICO file.
pub fn ico(seed: u8) -> Vec<u8> {
    encode(&picture(seed), ImageFormat::Ico)
}

/// Returns a TIFF file.
pub fn tiff(seed: u8) -> Vec<u8> {
    encode(&picture(seed), ImageFormat::Tiff)
}

/// Returns a PNG of random-looking pixels, which compresses badly, so that its size is close
/// to `width * height * 4` bytes.
pub fn noise_png(width: u32, height: u32) -> Vec<u8> {
    let mut state: u32 = 0x9E37_79B9;
    let picture = RgbaImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        image::Rgba(state.to_le_bytes())
    });
    encode(&DynamicImage::ImageRgba8(picture), ImageFormat::Png)
}

/// Returns a small SVG document with an XML declaration.
pub fn svg() -> Vec<u8> {
    b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"><rect width=\"4\" height=\"4\" fill=\"#c33\"/></svg>\n".to_vec()
}

/// Joins lines of standard error, each ending with a newline.
pub fn lines(lines: &[&str]) -> String {
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// Writes `text` to `doc.md` and runs `mdembed embed doc.md` with `extra` arguments first.
pub fn embed_doc(ws: &Workspace, text: &str, extra: &[&str]) -> Run {
    ws.write("doc.md", text);
    let mut args = vec!["embed"];
    args.extend_from_slice(extra);
    args.push("doc.md");
    ws.run(&args)
}

/// Asserts a run of one document that embedded `images` images without warnings: standard
/// output is `expected`, standard error only the summary, exit status 0.
pub fn assert_clean_embed(run: &Run, input: &str, expected: &str, images: usize) {
    assert_eq!(run.stdout, expected, "standard output");
    let changed = usize::from(input != expected);
    let line = summary(1, changed, images, added(input, expected), 0);
    assert_eq!(run.stderr, lines(&[&line]), "standard error");
    assert_eq!(run.code, Some(0), "exit status");
}
