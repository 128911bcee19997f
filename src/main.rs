//! The `rampart` binary: the command line over the library's public API.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod cli;

/// The allocator: `apply` builds a tree per document on every core (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{IsTerminal, Write};

use clap::Parser;

use cli::{Cli, Output, run};

fn main() {
    let cli = Cli::parse_from(cli::verbosity_args(std::env::args_os()));
    // NO_COLOR (https://no-color.org): any non-empty value turns colours off.
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut out = Output::new(std::io::stdout().is_terminal() && !no_color);
    out.live = true;
    out.progress = std::io::stderr().is_terminal();
    let code = run(cli, &mut out);
    let _ = std::io::stdout().write_all(out.stdout.as_bytes());
    let _ = std::io::stderr().write_all(out.stderr.as_bytes());
    std::process::exit(code);
}
