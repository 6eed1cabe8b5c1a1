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
        Command::Man => man(),
    };
    ExitCode::from(status)
}

/// Exit status for usage errors and documents that could not be read or written.
const FAILURE: u8 = 2;

fn embed(args: &cli::EmbedArgs) -> u8 {
    let job = match args.job() {
        Ok(job) => job,
        Err(error) => return messages::usage_error(&error),
    };
    let options = match args.options() {
        Ok(options) => options,
        Err(error) => return messages::usage_error(&error),
    };
    let embedder = match mdembed::Embedder::new(&options) {
        Ok(embedder) => embedder,
        Err(error) => return messages::usage_error(&error),
    };
    let report = match args.output.report_target(&job.output) {
        Ok(report) => report,
        Err(error) => return messages::usage_error(&error),
    };
    let mut printer = Printer::new(&args.verbosity, &job.output, Mode::Embed, report);
    let summary = mdembed::run::run(
        &job,
        |source, context| {
            embedder
                .plan(source, context.base_dir)
                .map_err(|error| error.to_string())
        },
        &mut printer,
    );
    printer.finish(&summary)
}

fn extract(args: &cli::ExtractArgs) -> u8 {
    let job = match args.job() {
        Ok(job) => job,
        Err(error) => return messages::usage_error(&error),
    };
    let extractor = mdembed::Extractor::new(args.options());
    let report = match args.output.report_target(&job.output) {
        Ok(report) => report,
        Err(error) => return messages::usage_error(&error),
    };
    let mut printer = Printer::new(&args.verbosity, &job.output, Mode::Extract, report);
    let summary = mdembed::run::run(
        &job,
        |source, context| {
            let target = mdembed::run::extract_target(context);
            extractor
                .plan(source, &target)
                .map_err(|error| error.to_string())
        },
        &mut printer,
    );
    printer.finish(&summary)
}

fn list(args: &cli::ListArgs) -> u8 {
    let job = match args.job() {
        Ok(job) => job,
        Err(error) => return messages::usage_error(&error),
    };
    let embedder = match mdembed::Embedder::for_inspection(&args.options()) {
        Ok(embedder) => embedder,
        Err(error) => return messages::usage_error(&error),
    };
    let verbosity = cli::Verbosity {
        quiet: args.quiet,
        verbose: false,
    };
    let report = if args.json {
        messages::ReportTarget::Stdout
    } else {
        messages::ReportTarget::None
    };
    let mut printer = Printer::new(&verbosity, &job.output, Mode::List, report);
    let summary = mdembed::run::run(
        &job,
        |source, context| {
            embedder
                .plan(source, context.base_dir)
                .map_err(|error| error.to_string())
        },
        &mut printer,
    );
    printer.finish(&summary)
}

fn man() -> u8 {
    let command = <Cli as clap::CommandFactory>::command();
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
    let options = match args.options() {
        Ok(options) => options,
        Err(error) => return messages::usage_error(&error),
    };
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
