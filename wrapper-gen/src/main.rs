//! The `compwrap` command line. Each subcommand is a module in `cli/` with
//! an `Opts` struct and a `run`; all logic lives in the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    restore_sigpipe();
    cli::init_tracing();
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => cli::report_error(&e),
    }
}

/// Rust ignores SIGPIPE, so printing into a closed pipe
/// (`compwrap ls | head -1`) would panic; end quietly instead, like other
/// command-line tools.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first in `main`, before any other thread exists;
    // SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
