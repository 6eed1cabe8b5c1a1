//! The binary's output: documents on standard output, diagnostics and the summary on standard
//! error.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mdembed::report::{self, Command, Note, Outcome, ReferenceReport};
use mdembed::run::{DocumentResult, Observer, Output, RunSummary};

/// Prints a usage error and returns the exit status for it.
pub fn usage_error(error: &dyn std::fmt::Display) -> u8 {
    eprintln!("error: {error}");
    2
}

/// Writes `text` to standard output; returns false when the reader has gone (a closed pipe is
/// not an error).
pub fn print_stdout(text: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
    {
        Ok(()) => true,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => false,
        Err(error) => {
            eprintln!("error: cannot write to standard output: {error}");
            false
        }
    }
}

/// The subcommand that is printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `mdembed embed`.
    Embed,
    /// `mdembed extract`.
    Extract,
    /// `mdembed list`.
    List,
}

impl Mode {
    fn command(self) -> Command {
        match self {
            Mode::Embed => Command::Embed,
            Mode::Extract => Command::Extract,
            Mode::List => Command::List,
        }
    }
}

/// The destination of the JSON report, if one is requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportTarget {
    /// No JSON report.
    None,
    /// On standard output (the documents do not go there).
    Stdout,
    /// Into this file.
    File(PathBuf),
}

/// Tells whether the progress bar shows: only on a terminal, for more than a handful of
/// documents, and never with `--quiet` or when a JSON report is asked for.
pub fn progress_visible(terminal: bool, documents: usize, quiet: bool) -> bool {
    const HANDFUL: usize = 5;
    terminal && documents > HANDFUL && !quiet
}

/// Prints results as documents finish and computes the exit status.
pub struct Printer {
    mode: Mode,
    report: ReportTarget,
    json_documents: Vec<serde_json::Value>,
    progress: Option<ProgressBar>,
    quiet: bool,
    verbose: bool,
    check: bool,
    stdout_gone: bool,
    stdout_failed: bool,
    warnings: usize,
    would_change: usize,
    by_syntax: BTreeMap<&'static str, usize>,
    by_outcome: BTreeMap<String, usize>,
}

impl Printer {
    /// Creates a printer for a run writing to `output`.
    pub fn new(
        verbosity: &crate::cli::Verbosity,
        output: &Output,
        mode: Mode,
        report: ReportTarget,
    ) -> Printer {
        Printer {
            mode,
            report,
            json_documents: Vec::new(),
            progress: None,
            quiet: verbosity.quiet,
            verbose: verbosity.verbose,
            check: *output == Output::Check,
            stdout_gone: false,
            stdout_failed: false,
            warnings: 0,
            would_change: 0,
            by_syntax: BTreeMap::new(),
            by_outcome: BTreeMap::new(),
        }
    }
}

impl Observer for Printer {
    fn start(&mut self, documents: usize) {
        let terminal = std::io::stderr().is_terminal();
        if progress_visible(terminal, documents, self.quiet) {
            let bar =
                ProgressBar::with_draw_target(Some(documents as u64), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {pos}/{len} documents {elapsed} {wide_msg}")
            {
                bar.set_style(style);
            }
            self.progress = Some(bar);
        }
    }

    /// Prints one document's diagnostics, and its text when it goes to standard output.
    fn document(&mut self, result: DocumentResult) {
        let path = escape_controls(&result.path.display().to_string());
        if let Some(bar) = &self.progress {
            bar.inc(1);
            bar.set_message(path.clone());
        }
        if self.report != ReportTarget::None {
            self.json_documents
                .push(report::document_json(&result, self.mode.command()));
        }
        for reference in &result.references {
            self.reference(&path, reference);
        }
        for warning in &result.warnings {
            self.warnings += 1;
            if !self.quiet {
                self.eprint(&format!("warning: {path}: {warning}"));
            }
        }
        match &result.error {
            Some(error @ mdembed::run::DocumentError::Walk(_)) => {
                self.eprint(&format!("error: {error}"));
            }
            Some(error) => self.eprint(&format!(
                "error: {path}: {error}; the document was left as it was"
            )),
            None => {}
        }
        if self.check && result.changed && self.mode != Mode::List {
            self.would_change += 1;
            if !self.quiet {
                self.eprint(&format!("would change: {path}"));
            }
        }
        if let Some(text) = result.text
            && !self.stdout_gone
        {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
                    self.stdout_gone = true;
                }
                Err(error) => {
                    eprintln!("error: cannot write to standard output: {error}");
                    self.stdout_gone = true;
                    self.stdout_failed = true;
                }
            }
        }
    }
}

impl Printer {
    /// Prints a line on standard error without tearing the progress bar.
    fn eprint(&self, line: &str) {
        match &self.progress {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Prints a line on standard output (for `list`), stopping quietly when the reader is gone.
    fn print(&mut self, line: &str) {
        if self.stdout_gone {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        if let Err(error) = writeln!(stdout, "{line}") {
            self.stdout_gone = true;
            if error.kind() != std::io::ErrorKind::BrokenPipe {
                self.stdout_failed = true;
            }
        }
    }

    fn reference(&mut self, path: &str, reference: &ReferenceReport) {
        let place = format!("({path}:{})", reference.location);
        let target = shorten(&reference.target);
        if self.mode == Mode::List {
            self.list_line(path, reference);
            return;
        }
        *self.by_syntax.entry(reference.syntax.name()).or_default() += 1;
        let outcome_name = match &reference.outcome {
            Outcome::Embedded { .. } => "embedded".to_string(),
            Outcome::Extracted { reused: false, .. } => "extracted".to_string(),
            Outcome::Extracted { reused: true, .. } => "extracted to an existing file".to_string(),
            Outcome::Skipped(skip) => format!("skipped: {}", skip.name()),
            Outcome::Problem(problem) => format!("left as written: {}", problem.name()),
        };
        *self.by_outcome.entry(outcome_name).or_default() += 1;

        match &reference.outcome {
            Outcome::Problem(problem) => {
                self.warnings += 1;
                if !self.quiet {
                    self.eprint(&format!("warning: {problem}: {target} {place}"));
                }
            }
            Outcome::Embedded {
                truncated: true, ..
            } => {
                self.warnings += 1;
                if !self.quiet {
                    self.eprint(&format!(
                        "warning: image data ends early, embedded anyway: {target} {place}"
                    ));
                }
            }
            Outcome::Extracted {
                link,
                truncated: true,
                ..
            } => {
                self.warnings += 1;
                if !self.quiet {
                    self.eprint(&format!(
                        "warning: image data ends early, written anyway as {link}: {target} {place}"
                    ));
                }
            }
            Outcome::Extracted {
                link,
                mime,
                bytes,
                reused,
                ..
            } if self.verbose => {
                let how = if *reused {
                    "linked to existing"
                } else {
                    "written to"
                };
                self.eprint(&format!(
                    "extracted: {mime}, {bytes} bytes, {how} {link} {place}"
                ));
            }
            Outcome::Embedded { mime, bytes, .. } if self.verbose => {
                self.eprint(&format!(
                    "embedded: {target} as {mime}, {bytes} bytes {place}"
                ));
            }
            Outcome::Skipped(skip) if self.verbose => {
                if target.is_empty() {
                    self.eprint(&format!("skipped ({}) {place}", skip.name()));
                } else {
                    self.eprint(&format!("skipped ({}): {target} {place}", skip.name()));
                }
            }
            _ => {}
        }
        for note in &reference.notes {
            let warns = match note {
                Note::AmbiguousName { .. } | Note::LargeUri { .. } | Note::LinkNotRebased => true,
                Note::Image(image) => image.is_warning(),
                _ => false,
            };
            if warns {
                // The image was embedded, so this warns without changing the exit status.
                self.warnings += 1;
                if !self.quiet {
                    self.eprint(&format!("warning: {note}: {target} {place}"));
                }
            } else if self.verbose {
                self.eprint(&format!("note: {note}: {target} {place}"));
            }
        }
    }

    /// Prints one reference of `mdembed list`: place, syntax, status, size and target, separated
    /// by tabs.
    fn list_line(&mut self, path: &str, reference: &ReferenceReport) {
        *self
            .by_outcome
            .entry(report::status(&reference.outcome, Command::List).to_string())
            .or_default() += 1;
        if reference.is_problem() {
            self.warnings += 1;
        }
        if self.report == ReportTarget::Stdout {
            return;
        }
        let size = match &reference.outcome {
            Outcome::Embedded { bytes, .. } => bytes.to_string(),
            Outcome::Skipped(mdembed::report::Skip::DataUri) => {
                mdembed::datauri::decode(&reference.target)
                    .map_or_else(|_| "-".to_string(), |uri| uri.data.len().to_string())
            }
            _ => "-".to_string(),
        };
        let line = format!(
            "{path}:{}\t{}\t{}\t{size}\t{}",
            reference.location,
            reference.syntax.name(),
            report::status(&reference.outcome, Command::List),
            shorten(&reference.target)
        );
        self.print(&line);
    }

    /// Prints walk warnings, the summary and the JSON report; returns the exit status.
    pub fn finish(mut self, summary: &RunSummary) -> u8 {
        if let Some(bar) = self.progress.take() {
            bar.finish_and_clear();
        }
        let totals = &summary.totals;
        match std::mem::replace(&mut self.report, ReportTarget::None) {
            ReportTarget::None => {}
            target => {
                let documents = std::mem::take(&mut self.json_documents);
                let json = report::report_json(self.mode.command(), documents, summary);
                let text = format!("{json:#}\n");
                match target {
                    ReportTarget::File(path) => {
                        if let Err(error) = mdembed::fs::write_output(&path, text.as_bytes()) {
                            eprintln!("error: cannot write the report: {error}");
                            self.stdout_failed = true;
                        }
                    }
                    _ => self.print(text.trim_end()),
                }
            }
        }
        if self.mode == Mode::List {
            if !self.quiet {
                for warning in &summary.walk_warnings {
                    eprintln!("warning: {warning}");
                }
                let statuses: Vec<String> = self
                    .by_outcome
                    .iter()
                    .map(|(status, count)| format!("{count} {status}"))
                    .collect();
                eprintln!(
                    "{} read, {}{}{}",
                    plural(totals.documents, "document"),
                    plural(totals.references, "reference"),
                    if statuses.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", statuses.join(", "))
                    },
                    if totals.failed > 0 {
                        format!(", {} failed", plural(totals.failed, "document"))
                    } else {
                        String::new()
                    },
                );
            }
            return if totals.failed > 0 || self.stdout_failed {
                2
            } else if self.warnings > 0 {
                1
            } else {
                0
            };
        }
        if !self.quiet {
            for warning in &summary.walk_warnings {
                eprintln!("warning: {warning}");
            }
            if self.verbose {
                let syntax: Vec<String> = self
                    .by_syntax
                    .iter()
                    .map(|(k, v)| format!("{v} {k}"))
                    .collect();
                let outcome: Vec<String> = self
                    .by_outcome
                    .iter()
                    .map(|(k, v)| format!("{v} {k}"))
                    .collect();
                eprintln!(
                    "references: {} ({}); {}",
                    totals.references,
                    syntax.join(", "),
                    outcome.join(", ")
                );
            }
            let changed = if self.check {
                format!("{} would change", self.would_change)
            } else {
                format!("{} changed", totals.changed)
            };
            let work = match (self.mode, self.check) {
                (Mode::Embed, false) => format!(
                    "{} embedded, {} bytes added",
                    plural(totals.embedded, "image"),
                    totals.bytes_added
                ),
                (Mode::Embed, true) => format!(
                    "{} to embed, {} bytes to add",
                    plural(totals.embedded, "image"),
                    totals.bytes_added
                ),
                (Mode::Extract, false) => format!(
                    "{} extracted, {} written, {} bytes removed",
                    plural(totals.extracted, "image"),
                    plural(totals.files_written, "file"),
                    totals.bytes_removed
                ),
                (Mode::Extract, true) => format!(
                    "{} to extract, {} to write, {} bytes to remove",
                    plural(totals.extracted, "image"),
                    plural(totals.files_written, "file"),
                    totals.bytes_removed
                ),
                (Mode::List, _) => unreachable!("list prints its own summary"),
            };
            eprintln!(
                "{} read, {changed}, {work}, {}{}",
                plural(totals.documents, "document"),
                plural(self.warnings + summary.walk_warnings.len(), "warning"),
                if totals.failed > 0 {
                    format!(", {} failed", plural(totals.failed, "document"))
                } else {
                    String::new()
                },
            );
        }
        if totals.failed > 0 || self.stdout_failed {
            2
        } else if totals.problems > 0 || self.would_change > 0 {
            1
        } else {
            0
        }
    }
}

/// Shortens a long target (an existing data URI can be megabytes) for a one-line message: a
/// data URI keeps its start, which names its type, and a path keeps its end, which names the
/// file.
fn shorten(target: &str) -> String {
    escape_controls(&shorten_unescaped(target))
}

/// Writes control characters as `\u{..}`, so that a document cannot send escape sequences to
/// the terminal through a destination printed in a message.
fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn shorten_unescaped(target: &str) -> String {
    const KEEP: usize = 60;
    if target.len() <= KEEP + 20 {
        return target.to_string();
    }
    // A destination written as `<data:...>` is a data URI too.
    let bare = target.strip_prefix('<').unwrap_or(target);
    if mdembed::datauri::is_data_uri(bare) {
        let mut end = KEEP;
        while !target.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}... ({} bytes)", &target[..end], target.len())
    } else {
        let mut start = target.len() - KEEP;
        while !target.is_char_boundary(start) {
            start += 1;
        }
        format!("...{}", &target[start..])
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
