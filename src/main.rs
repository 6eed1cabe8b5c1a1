//! The `mdembed` binary: parses arguments, runs the library, prints results and maps them to an
//! exit status.

mod cli;
mod messages;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use messages::{Mode, Printer};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Embed(args) => embed(&args),
        Command::Extract(args) => extract(&args),
        Command::Image(args) => image(&args),
        Command::List(args) => list(&args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut command, "mdembed", &mut std::io::stdout());
            0
        }
        Command::Man(args) => man(args.command.as_deref()),
    };
    ExitCode::from(status)
}

/// Exit status for usage errors and documents that could not be read or written.
const FAILURE: u8 = 2;

/// Returns the value of a setup step, or from the calling function the exit status of its usage
/// error.
macro_rules! usage {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(error) => return messages::usage_error(&error),
        }
    };
}

fn embed(args: &cli::EmbedArgs) -> u8 {
    let job = usage!(args.job());
    let embedder = usage!(mdembed::Embedder::new(&usage!(args.options())));
    let report = usage!(args.output.report_target(&job.output));
    let printer = Printer::new(&args.verbosity, &job.output, Mode::Embed, report);
    run(&job, printer, |source, context| {
        embedder.plan(source, context.base_dir)
    })
}

fn extract(args: &cli::ExtractArgs) -> u8 {
    let job = usage!(args.job());
    let extractor = mdembed::Extractor::new(args.options());
    let report = usage!(args.output.report_target(&job.output));
    let printer = Printer::new(&args.verbosity, &job.output, Mode::Extract, report);
    run(&job, printer, |source, context| {
        extractor.plan(source, &mdembed::run::extract_target(context))
    })
}

fn list(args: &cli::ListArgs) -> u8 {
    let job = usage!(args.job());
    let embedder = usage!(mdembed::Embedder::for_inspection(&args.options()));
    let verbosity = cli::Verbosity {
        quiet: args.quiet,
        verbose: false,
    };
    let report = if args.json {
        messages::ReportTarget::Stdout
    } else {
        messages::ReportTarget::None
    };
    let printer = Printer::new(&verbosity, &job.output, Mode::List, report);
    run(&job, printer, |source, context| {
        embedder.plan(source, context.base_dir)
    })
}

/// Runs `job` with `plan` for each document, prints with `printer`, and returns the exit status.
fn run<E: std::fmt::Display>(
    job: &mdembed::run::Job,
    mut printer: Printer,
    plan: impl Fn(&str, &mdembed::run::DocumentContext<'_>) -> Result<mdembed::Planned, E> + Sync,
) -> u8 {
    let summary = mdembed::run::run(
        job,
        |source, context| plan(source, context).map_err(|error| error.to_string()),
        &mut printer,
    );
    printer.finish(&summary)
}

fn man(subcommand: Option<&str>) -> u8 {
    let top = <Cli as clap::CommandFactory>::command();
    let command = match subcommand {
        None => top,
        Some(name) => match top.find_subcommand(name) {
            // The page is named as the overview's SEE ALSO section names it.
            Some(found) => found.clone().name(format!("mdembed-{name}")),
            None => {
                eprintln!("error: no subcommand named {name}; see `mdembed --help`");
                return FAILURE;
            }
        },
    };
    let mut page = Vec::new();
    if let Err(error) = clap_mangen::Man::new(command).render(&mut page) {
        eprintln!("error: cannot render the man page: {error}");
        return FAILURE;
    }
    match std::str::from_utf8(&page) {
        Ok(text) => {
            messages::print_stdout(text.trim_end());
            0
        }
        Err(_) => FAILURE,
    }
}

fn image(args: &cli::ImageArgs) -> u8 {
    let syntax = if args.html {
        mdembed::ImageSyntax::Html
    } else {
        mdembed::ImageSyntax::Markdown
    };
    let options = usage!(args.options());
    let mut status = 0;
    for file in &args.files {
        match mdembed::image_snippet(file, args.alt.as_deref(), syntax, &options) {
            Ok(line) => {
                if !messages::print_stdout(&line) {
                    return status;
                }
            }
            Err(error) => {
                eprintln!("error: {error}");
                status = FAILURE;
            }
        }
    }
    status
}
