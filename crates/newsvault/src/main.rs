//! The `newsvault` binary: command-line parsing, configuration, logging, progress and exit
//! codes. Everything a library crate can hold lives in one; each command is one file in `cmd/`.
//!
//! Exit codes (a contract, see DESIGN.md): 0 success; 1 the command failed; 2 it ran but some
//! items failed (named on stderr); 64 usage error.

mod catch_up;
mod cli;
mod cmd;
mod config;
mod data;
mod logging;
mod net;
mod signals;

use clap::Parser;
use std::process::ExitCode;

/// glibc's allocator was a sixth of the server's CPU on article pages (many short-lived
/// strings per request, on many threads); mimalloc does the same work in a fraction of it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code: the command ran but some items failed.
const EXIT_PARTIAL: u8 = 2;
/// Exit code: the command line was wrong (sysexits `EX_USAGE`).
const EXIT_USAGE: u8 = 64;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    logging::init();
    match cmd::run(cli) {
        Ok(outcome) => ExitCode::from(outcome),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A reader that closed our stdout (`newsvault history ... | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
