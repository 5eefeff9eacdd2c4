//! The `compwrap` command line. Each subcommand is a module in `cli/` with
//! an `Opts` struct and a `run`; all logic lives in the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cli::init_tracing();
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => cli::report_error(&e),
    }
}
