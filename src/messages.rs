//! What the binary prints: documents on standard output, diagnostics and the summary on standard
//! error.

use std::collections::BTreeMap;
use std::io::Write;

use mdembed::report::{Note, Outcome, ReferenceReport};
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

/// Which subcommand is printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `mdembed embed`.
    Embed,
    /// `mdembed extract`.
    Extract,
}

/// Prints results as documents finish and computes the exit status.
pub struct Printer {
    mode: Mode,
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
    pub fn new(verbosity: &crate::cli::Verbosity, output: &Output, mode: Mode) -> Printer {
        Printer {
            mode,
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
    /// Prints one document's diagnostics, and its text when it goes to standard output.
    fn document(&mut self, result: DocumentResult) {
        let path = result.path.display().to_string();
        for reference in &result.references {
            self.reference(&path, reference);
        }
        if let Some(error) = &result.error {
            eprintln!("error: {path}: {error}; the document was left as it was");
        }
        if self.check && result.changed {
            self.would_change += 1;
            if !self.quiet {
                eprintln!("would change: {path}");
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
    fn reference(&mut self, path: &str, reference: &ReferenceReport) {
        let place = format!("({path}:{})", reference.location);
        let target = shorten(&reference.target);
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
                    eprintln!("warning: {problem}: {target} {place}");
                }
            }
            Outcome::Extracted {
                link,
                truncated: true,
                ..
            } => {
                self.warnings += 1;
                if !self.quiet {
                    eprintln!(
                        "warning: image data ends early, written anyway as {link}: {target} {place}"
                    );
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
                eprintln!("extracted: {mime}, {bytes} bytes, {how} {link} {place}");
            }
            Outcome::Embedded { mime, bytes, .. } if self.verbose => {
                eprintln!("embedded: {target} as {mime}, {bytes} bytes {place}");
            }
            Outcome::Skipped(skip) if self.verbose => {
                if target.is_empty() {
                    eprintln!("skipped ({}) {place}", skip.name());
                } else {
                    eprintln!("skipped ({}): {target} {place}", skip.name());
                }
            }
            _ => {}
        }
        for note in &reference.notes {
            if let Note::AmbiguousName { .. } = note {
                // The image was embedded, so this warns without changing the exit status.
                self.warnings += 1;
                if !self.quiet {
                    eprintln!("warning: {note}: {target} {place}");
                }
            } else if self.verbose {
                eprintln!("note: {note}: {target} {place}");
            }
        }
    }

    /// Prints walk warnings and the summary; returns the exit status.
    pub fn finish(self, summary: &RunSummary) -> u8 {
        let totals = &summary.totals;
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
            let work = match self.mode {
                Mode::Embed => format!(
                    "{} embedded, {} bytes added",
                    plural(totals.embedded, "image"),
                    totals.bytes_added
                ),
                Mode::Extract => format!(
                    "{} extracted, {} written, {} bytes removed",
                    plural(totals.extracted, "image"),
                    plural(totals.files_written, "file"),
                    totals.bytes_removed
                ),
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

/// Shortens a long target (an existing data URI can be megabytes) for a one-line message.
fn shorten(target: &str) -> String {
    const KEEP: usize = 60;
    if target.len() <= KEEP + 20 {
        return target.to_string();
    }
    let mut end = KEEP;
    while !target.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &target[..end], target.len())
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
