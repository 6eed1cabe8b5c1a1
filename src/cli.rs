//! Command-line definitions and their conversion into library options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use mdembed::run::{Input, Job, Layout, Output};

/// Make Markdown self-contained: embed local images as data URIs.
///
/// Exit status: 0 when every local image reference was handled; 1 when some were left as
/// written (missing, not an image, outside the root, unreadable) or `--check` found documents
/// that would change; 2 for usage errors and for documents that could not be read, decoded as
/// UTF-8 or written (those stay exactly as they were).
#[derive(Debug, Parser)]
#[command(name = "mdembed", version, about, long_about)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rewrite local image references into data URIs, changing nothing else.
    ///
    /// Markdown images (inline, reference, collapsed, shortcut) and HTML `<img src>` and
    /// `srcset` are embedded; code, HTML comments, front matter and ordinary links are never
    /// touched. Remote URLs and existing data URIs are left as they are.
    Embed(EmbedArgs),
    /// Write embedded images back to files and link them, changing nothing else.
    ///
    /// Each `data:` image becomes a file in `<document stem>.assets/` beside the output document
    /// (or `--assets-dir`), and its destination a relative link. Identical images are written
    /// once; existing files are never overwritten, and a file with the same bytes is reused, so
    /// running it again changes nothing.
    Extract(ExtractArgs),
    /// Print one Markdown image line with a data URI per image file, ready to paste.
    Image(ImageArgs),
    /// List every image reference with its place, syntax, status and size; exit 1 if any is
    /// missing, outside the root or not an image.
    ///
    /// Each line is `FILE:LINE:COLUMN`, syntax, status (local, embedded, remote, missing,
    /// outside-root, not-an-image, ...), size in bytes (or -) and target, separated by tabs.
    List(ListArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of mdembed or of one subcommand.
    Man(ManArgs),
}

/// Options of `mdembed list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Markdown files, directories (searched recursively for *.md and *.markdown), or - for
    /// standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Only references that resolve inside this folder (after following symlinks) count as
    /// local [default: the current directory, or the vault for notes inside an Obsidian vault].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Read Obsidian syntax in every document.
    #[arg(long, conflicts_with = "no_obsidian")]
    pub obsidian: bool,

    /// Read no Obsidian syntax, even inside a vault.
    #[arg(long)]
    pub no_obsidian: bool,

    /// The folder that relative references of standard input resolve against.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub base_dir: PathBuf,

    /// Print one JSON document with every reference and the totals instead of lines.
    #[arg(long)]
    pub json: bool,

    /// Documents read at once [default: the number of CPUs].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Print no summary.
    #[arg(short, long)]
    pub quiet: bool,
}

impl ListArgs {
    /// Builds the job these arguments describe: every document is read, nothing is written.
    pub fn job(&self) -> Result<Job, UsageError> {
        if self.paths.is_empty() {
            return Err(UsageError::NoInput);
        }
        let output = OutputArgs {
            in_place: false,
            output: None,
            check: true,
            json: false,
            report: None,
        };
        let mut job = job(&self.paths, &output, &self.base_dir)?;
        job.jobs = jobs(self.jobs);
        Ok(job)
    }

    /// Returns the options used to resolve references.
    pub fn options(&self) -> mdembed::EmbedOptions {
        mdembed::EmbedOptions {
            root: self.root.clone(),
            obsidian: obsidian_mode(self.obsidian, self.no_obsidian),
            ..Default::default()
        }
    }
}

/// Options of `mdembed man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (embed, extract, list, image, ...); none prints the
    /// overview.
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// Options of `mdembed completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Returns the Obsidian mode the two switches select.
fn obsidian_mode(obsidian: bool, no_obsidian: bool) -> mdembed::ObsidianMode {
    if obsidian {
        mdembed::ObsidianMode::Always
    } else if no_obsidian {
        mdembed::ObsidianMode::Never
    } else {
        mdembed::ObsidianMode::Auto
    }
}

/// Options of `mdembed extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Markdown files, directories (searched recursively for *.md and *.markdown), or - for
    /// standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Folder for the image files, relative to each output document's folder or absolute
    /// [default: <document stem>.assets].
    #[arg(long, value_name = "DIR")]
    pub assets_dir: Option<PathBuf>,

    /// How image files are named: `alt` uses the data URI's name parameter or a slug of the alt
    /// text (falling back to `image`); `hash` uses 16 hex digits of the content's SHA-256.
    #[arg(long, value_enum, default_value_t = NameArg::Alt)]
    pub name: NameArg,

    /// The folder where the document read from standard input would be (its images go into
    /// `stdin.assets` there unless --output names a file).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub base_dir: PathBuf,

    #[command(flatten)]
    pub verbosity: Verbosity,
}

/// File naming for extracted images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NameArg {
    /// From the data URI's name parameter or the alt text.
    Alt,
    /// From the content hash.
    Hash,
}

impl ExtractArgs {
    /// Builds the job these arguments describe.
    ///
    /// Documents are extracted one at a time: file names depend on which document first wrote
    /// an image into a shared folder, and processing in input order keeps them the same on every
    /// run.
    pub fn job(&self) -> Result<Job, UsageError> {
        job(&self.paths, &self.output, &self.base_dir)
    }

    /// Returns the extract options these arguments set.
    pub fn options(&self) -> mdembed::ExtractOptions {
        mdembed::ExtractOptions {
            assets_dir: self.assets_dir.clone(),
            name: match self.name {
                NameArg::Alt => mdembed::NameStyle::Alt,
                NameArg::Hash => mdembed::NameStyle::Hash,
            },
            dry_run: self.output.check,
            obsidian: mdembed::ObsidianMode::Auto,
        }
    }
}

/// Options of `mdembed embed`.
#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// Markdown files, directories (searched recursively for *.md and *.markdown), or - for
    /// standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Only references that resolve inside this folder (after following symlinks) are read
    /// [default: the current directory, or the vault for notes inside an Obsidian vault].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Read Obsidian `![[...]]` embeds and `%%comments%%` in every document (by default only in
    /// documents inside a vault, that is, below a folder holding `.obsidian/`).
    #[arg(long, conflicts_with = "no_obsidian")]
    pub obsidian: bool,

    /// Read no Obsidian syntax, even inside a vault.
    #[arg(long)]
    pub no_obsidian: bool,

    /// The folder that relative references of standard input resolve against.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub base_dir: PathBuf,

    /// Documents processed at once [default: the number of CPUs]. Output and messages are the
    /// same for any number.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    #[command(flatten)]
    pub image: ImageProcessingArgs,

    #[command(flatten)]
    pub target: TargetArgs,

    /// The place of data URIs: `inline` in each image, or `reference` in link reference
    /// definitions at the end of the document, so that the prose keeps short lines.
    #[arg(long, value_enum, default_value_t = StyleArg::Inline)]
    pub style: StyleArg,

    #[command(flatten)]
    pub verbosity: Verbosity,
}

/// The place data URIs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StyleArg {
    /// In the image itself.
    Inline,
    /// In reference definitions at the end of the document.
    Reference,
}

/// The viewer the documents are made for.
#[derive(Debug, Args)]
#[command(next_help_heading = "Target viewer")]
pub struct TargetArgs {
    /// The viewer the document is made for; images it cannot display are converted (see the
    /// README's target table).
    #[arg(long, value_enum, default_value_t = TargetArg::Browser)]
    pub target: TargetArg,

    /// The SVG encoding: base64, percent-encoded text, or rasterized to PNG
    /// [default: what the target needs].
    #[arg(long, value_enum)]
    pub svg: Option<SvgArg>,

    /// Warn when one data URI is larger than SIZE [default: 90K for typora, 2M otherwise].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub warn_uri_size: Option<u64>,

    /// Warn when embedding makes an output document larger than SIZE [default: 2M for typora,
    /// 5M for obsidian, 10M otherwise].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub warn_document_size: Option<u64>,
}

/// Viewer targets on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    /// Chromium, Firefox and the apps built on them (VS Code, Obsidian, Typora).
    Browser,
    /// Only PNG, JPEG, GIF and WebP, which every common data-URI renderer shows.
    Portable,
    /// markdown-it with its default link validator.
    MarkdownIt,
    /// The VS Code Markdown preview.
    Vscode,
    /// Joplin (SVG percent-encoded).
    Joplin,
    /// Obsidian.
    Obsidian,
    /// Typora.
    Typora,
    /// GitHub (rejected: GitHub shows no data-URI images).
    Github,
}

/// SVG encodings on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SvgArg {
    /// `data:image/svg+xml;base64,...`.
    Base64,
    /// `data:image/svg+xml,%3Csvg...`.
    Percent,
    /// Rasterized to PNG at its intrinsic size.
    Png,
}

impl TargetArgs {
    /// Returns the target, or a usage error for GitHub.
    pub fn target(&self) -> Result<mdembed::target::Target, UsageError> {
        use mdembed::target::Target;
        Ok(match self.target {
            TargetArg::Browser => Target::Browser,
            TargetArg::Portable => Target::Portable,
            TargetArg::MarkdownIt => Target::MarkdownIt,
            TargetArg::Vscode => Target::Vscode,
            TargetArg::Joplin => Target::Joplin,
            TargetArg::Obsidian => Target::Obsidian,
            TargetArg::Typora => Target::Typora,
            TargetArg::Github => return Err(UsageError::GithubTarget),
        })
    }

    /// Returns the SVG encoding asked for, if any.
    pub fn svg(&self) -> Option<mdembed::target::SvgEncoding> {
        use mdembed::target::SvgEncoding;
        self.svg.map(|svg| match svg {
            SvgArg::Base64 => SvgEncoding::Base64,
            SvgArg::Percent => SvgEncoding::Percent,
            SvgArg::Png => SvgEncoding::Png,
        })
    }
}

/// Returns the number of documents to process at once: `requested`, or the number of CPUs.
pub fn jobs(requested: Option<u16>) -> usize {
    requested.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    )
}

/// The processing applied to images before they are embedded.
#[derive(Debug, Args)]
#[command(next_help_heading = "Image processing")]
pub struct ImageProcessingArgs {
    /// Downscale images wider than PX pixels, keeping the aspect ratio (never upscales).
    #[arg(long, value_name = "PX", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_width: Option<u32>,

    /// Downscale images taller than PX pixels, keeping the aspect ratio (never upscales).
    #[arg(long, value_name = "PX", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_height: Option<u32>,

    /// Encoding of images that are processed: keep the source's format, or write PNG, JPEG or
    /// WebP.
    #[arg(long, value_enum, default_value_t = FormatArg::Keep)]
    pub image_format: FormatArg,

    /// Quality of lossy output from 1 to 100: JPEG quality, and WebP quality (lossy WebP needs
    /// the default `webp` feature; without it WebP is written losslessly and this is ignored).
    /// PNG output is lossless and ignores it.
    #[arg(long, value_name = "1-100", default_value_t = 85,
          value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,

    /// Leave an image linked, with a warning, if it is still larger than SIZE after processing
    /// (bytes, or with a suffix: 500K, 2M).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_bytes: Option<u64>,

    /// Remove EXIF (such as GPS position), XMP, text chunks and comments of JPEG and PNG images
    /// without re-encoding the pixels; the ICC colour profile and an EXIF orientation tag are
    /// kept.
    #[arg(long)]
    pub strip_metadata: bool,
}

/// Output encodings for processed images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// The source's format.
    Keep,
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// WebP.
    Webp,
}

impl ImageProcessingArgs {
    /// Returns the image options these arguments set.
    pub fn options(&self) -> mdembed::transform::ImageOptions {
        use mdembed::transform::OutputFormat;
        mdembed::transform::ImageOptions {
            max_width: self.max_width,
            max_height: self.max_height,
            format: match self.image_format {
                FormatArg::Keep => OutputFormat::Keep,
                FormatArg::Png => OutputFormat::Png,
                FormatArg::Jpeg => OutputFormat::Jpeg,
                FormatArg::Webp => OutputFormat::Webp,
            },
            quality: self.quality,
            max_bytes: self.max_bytes,
            strip_metadata: self.strip_metadata,
        }
    }
}

/// Parses a size in bytes with an optional K, M or G suffix (powers of 1024).
fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let number = trimmed.strip_suffix(['B', 'b']).unwrap_or(trimmed);
    let (digits, multiplier) = match number.char_indices().last() {
        Some((i, 'K' | 'k')) => (&number[..i], 1024),
        Some((i, 'M' | 'm')) => (&number[..i], 1024 * 1024),
        Some((i, 'G' | 'g')) => (&number[..i], 1024 * 1024 * 1024),
        _ => (number, 1),
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| {
            format!(
                "invalid size {trimmed:?}: write bytes or a number with K, M or G, such as 500K"
            )
        })
}

/// The destination of documents.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Rewrite each changed file in place (atomically; permissions kept).
    #[arg(short, long, conflicts_with_all = ["output", "check"])]
    pub in_place: bool,

    /// Write to this file (one input file) or directory (a directory or several inputs).
    #[arg(short, long, value_name = "PATH", conflicts_with = "check")]
    pub output: Option<PathBuf>,

    /// Write nothing; list the documents that would change and exit with 1 if any would.
    #[arg(long)]
    pub check: bool,

    /// Print one JSON document with every reference, its outcome and the totals on standard
    /// output (when documents go to standard output, use --report FILE).
    #[arg(long)]
    pub json: bool,

    /// Write the JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

impl OutputArgs {
    /// Returns where the JSON report goes, for a job writing to `output`.
    pub fn report_target(
        &self,
        output: &Output,
    ) -> Result<crate::messages::ReportTarget, UsageError> {
        use crate::messages::ReportTarget;
        match (&self.report, self.json) {
            (Some(file), _) => Ok(ReportTarget::File(file.clone())),
            (None, true) if *output == Output::Stdout => Err(UsageError::JsonWithStdout),
            (None, true) => Ok(ReportTarget::Stdout),
            (None, false) => Ok(ReportTarget::None),
        }
    }
}

/// How much to print on standard error.
#[derive(Debug, Args)]
pub struct Verbosity {
    /// Print no warnings and no summary, only errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also list every image embedded and how each reference was resolved.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Options of `mdembed image`.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// Image files.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Alt text (default: the file name without its extension).
    #[arg(long, value_name = "TEXT")]
    pub alt: Option<String>,

    /// Print an HTML `<img src="..." alt="...">` tag instead of Markdown.
    #[arg(long)]
    pub html: bool,

    #[command(flatten)]
    pub image: ImageProcessingArgs,

    #[command(flatten)]
    pub target: TargetArgs,
}

impl ImageArgs {
    /// Returns the options for embedding the images.
    pub fn options(&self) -> Result<mdembed::EmbedOptions, UsageError> {
        Ok(mdembed::EmbedOptions {
            image: self.image.options(),
            target: self.target.target()?,
            svg: self.target.svg(),
            ..Default::default()
        })
    }
}

/// A combination of arguments that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// No input given.
    #[error("no input: give Markdown files, directories, or - for standard input")]
    NoInput,
    /// Several inputs or a directory need a place to write.
    #[error(
        "a directory or several inputs need --in-place, --output DIR or --check; standard output takes one document"
    )]
    NeedsOutput,
    /// In-place rewriting of standard input.
    #[error("--in-place cannot rewrite standard input; use --output FILE")]
    InPlaceStdin,
    /// The JSON report and the document would both go to standard output.
    #[error("the document goes to standard output, so the JSON report needs --report FILE")]
    JsonWithStdout,
    /// A directory or several inputs need an output directory.
    #[error(
        "{path} is a file, but a directory or several inputs need an output directory; name a directory with --output"
    )]
    OutputNotDirectory {
        /// The output path given.
        path: String,
    },
    /// The output file of a single input is that input.
    #[error(
        "the output file {path} is the input document; use -i to rewrite it in place, or write to another path"
    )]
    OutputIsInput {
        /// The output path.
        path: String,
    },
    /// An input folder is the output folder or lies inside it, whose files the walk skips.
    #[error(
        "the input folder {input} is the output folder {output} or lies inside it, and files in the output folder are never read as input, so nothing would be done; write to another folder, or use -i to rewrite in place"
    )]
    InputInsideOutput {
        /// The input folder given.
        input: String,
        /// The output folder given.
        output: String,
    },
    /// GitHub strips data-URI images.
    #[error(
        "GitHub does not display data-URI images (its sanitizer allows only http, https and relative image sources); keep the images as files, or run mdembed extract to turn embedded images back into files"
    )]
    GithubTarget,
    /// Standard input given twice.
    #[error("standard input (-) can be given only once")]
    StdinTwice,
    /// With several inputs, paths below the output directory are relative to the current
    /// directory, so every input must lie inside it.
    #[error(
        "{path} lies outside the current directory, so it has no place inside the --output directory; run from a folder that contains every input"
    )]
    OutsideCurrentDir {
        /// The input.
        path: String,
    },
}

impl EmbedArgs {
    /// Builds the job these arguments describe.
    pub fn job(&self) -> Result<Job, UsageError> {
        let mut job = job(&self.paths, &self.output, &self.base_dir)?;
        job.jobs = jobs(self.jobs);
        Ok(job)
    }

    /// Returns the embed options these arguments set.
    pub fn options(&self) -> Result<mdembed::EmbedOptions, UsageError> {
        Ok(mdembed::EmbedOptions {
            root: self.root.clone(),
            obsidian: obsidian_mode(self.obsidian, self.no_obsidian),
            image: self.image.options(),
            target: self.target.target()?,
            svg: self.target.svg(),
            warn_uri_bytes: self.target.warn_uri_size,
            warn_document_bytes: self.target.warn_document_size,
            style: match self.style {
                StyleArg::Inline => mdembed::Style::Inline,
                StyleArg::Reference => mdembed::Style::Reference,
            },
        })
    }
}

/// Builds a job from the inputs and output options shared by the subcommands that rewrite
/// documents.
pub fn job(
    paths: &[PathBuf],
    output: &OutputArgs,
    base_dir: &std::path::Path,
) -> Result<Job, UsageError> {
    if paths.is_empty() {
        return Err(UsageError::NoInput);
    }
    let inputs: Vec<Input> = paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::Path(p.clone())
            }
        })
        .collect();
    let stdin_count = inputs.iter().filter(|i| **i == Input::Stdin).count();
    if stdin_count > 1 {
        return Err(UsageError::StdinTwice);
    }
    let single_file = inputs.len() == 1
        && match &inputs[0] {
            Input::Stdin => true,
            Input::Path(p) => !p.is_dir(),
        };

    let output = if output.check {
        Output::Check
    } else if output.in_place {
        if stdin_count > 0 {
            return Err(UsageError::InPlaceStdin);
        }
        Output::InPlace
    } else if let Some(target) = &output.output {
        if single_file {
            let file = match &inputs[0] {
                Input::Path(p) if target.is_dir() => {
                    target.join(p.file_name().unwrap_or(p.as_os_str()))
                }
                _ => target.clone(),
            };
            if let Input::Path(input) = &inputs[0]
                && same_file(input, &file)
            {
                return Err(UsageError::OutputIsInput {
                    path: file.display().to_string(),
                });
            }
            Output::File(file)
        } else if target.exists() && !target.is_dir() {
            return Err(UsageError::OutputNotDirectory {
                path: target.display().to_string(),
            });
        } else if let Some(input) = input_inside(&inputs, target) {
            return Err(UsageError::InputInsideOutput {
                input: input.display().to_string(),
                output: target.display().to_string(),
            });
        } else if inputs.len() == 1 {
            Output::Directory {
                dir: target.clone(),
                layout: Layout::InputRelative,
            }
        } else {
            for input in &inputs {
                if let Input::Path(p) = input
                    && mdembed::run::current_dir_relative(p).is_none()
                {
                    return Err(UsageError::OutsideCurrentDir {
                        path: p.display().to_string(),
                    });
                }
            }
            Output::Directory {
                dir: target.clone(),
                layout: Layout::CurrentDirRelative,
            }
        }
    } else if single_file {
        Output::Stdout
    } else {
        return Err(UsageError::NeedsOutput);
    };

    Ok(Job {
        inputs,
        output,
        stdin_base_dir: base_dir.to_path_buf(),
        jobs: 1,
    })
}

/// Tells whether two paths name one existing file.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Returns the first input folder that is the folder `output` or lies inside it.
fn input_inside<'a>(inputs: &'a [Input], output: &std::path::Path) -> Option<&'a PathBuf> {
    let output = output.canonicalize().ok()?;
    inputs.iter().find_map(|input| match input {
        Input::Path(path) if path.is_dir() => path
            .canonicalize()
            .ok()
            .filter(|dir| dir.starts_with(&output))
            .map(|_| path),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_with_suffixes() {
        assert_eq!(parse_size("500K"), Ok(512_000));
        assert_eq!(parse_size("2M"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_size("1200"), Ok(1200));
        assert_eq!(parse_size("3kb"), Ok(3072));
        assert!(parse_size("lots").is_err());
    }
}
