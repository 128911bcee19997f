//! The `rampart` command line: `apply`, `test`, `check`, `psa` and `jp`. It lives in the binary
//! and uses only the library's public API. Each command writes to an [`Output`] and returns an
//! exit code.

mod apipath;
mod apply;
mod apply_input;
mod apply_output;
mod apply_stream;
mod cert;
mod check;
mod checks;
mod ci_formats;
mod cluster;
mod context_file;
mod document;
mod documents;
mod exception_drafts;
mod expectations;
mod jp;
mod mutated;
mod parallel;
mod patched;
mod progress;
mod psa;
mod psa_config;
#[cfg(test)]
mod reading_tests;
mod refused;
mod report_spool;
mod resources;
mod serve;
mod spool;
mod table;
mod test_cluster;
mod test_cmd;
mod testfile;
mod userinfo;
mod values;
mod webhook_config;

use clap::{Parser, Subcommand};

use apply::ApplyArgs;
use check::CheckArgs;
use jp::JpArgs;
use psa::PsaArgs;
use test_cmd::TestArgs;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: policy violations, policy errors or failed tests.
pub const EXIT_FAIL: i32 = 1;
/// Exit code: the input could not be used (bad policy, unreadable file, bad flags).
pub const EXIT_USAGE: i32 = 2;

/// Rampart: run Kyverno policies, fast and exactly.
#[derive(Debug, Parser)]
#[command(name = "rampart", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
    /// Verbosity (Kyverno's `-v LEVEL`): from 1 on, every document of a policy input that is
    /// not a policy is listed, not summarised per file.
    #[arg(
        short = 'v',
        long = "v",
        global = true,
        num_args = 0..=1,
        default_missing_value = "1",
        value_name = "LEVEL"
    )]
    pub verbosity: Option<u8>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply policies to resources and report the results (like `kyverno apply`).
    Apply(Box<ApplyArgs>),
    /// Run `kyverno-test.yaml` test suites (like `kyverno test`).
    Test(TestArgs),
    /// Load and compile policies, printing only diagnostics.
    Check(CheckArgs),
    /// Evaluate Pods and pod controllers as Pod Security Admission does.
    Psa(PsaArgs),
    /// JMESPath with Kyverno's functions: `query`, `parse`, `function`.
    Jp(JpArgs),
    /// Serve the policies as a Kubernetes admission webhook over HTTPS.
    Serve(Box<serve::ServeArgs>),
    /// Write a self-signed CA and a serving certificate for `serve`.
    Cert(cert::CertArgs),
    /// Print the webhook configurations that send requests to `serve`, scoped to the policies.
    WebhookConfig(webhook_config::WebhookConfigArgs),
}

/// Where a command writes: standard output and standard error text, and whether colours are on.
#[derive(Debug, Default)]
pub struct Output {
    /// Text for standard output.
    pub stdout: String,
    /// Text for standard error.
    pub stderr: String,
    /// Whether ANSI colours may be used.
    pub color: bool,
    /// `-v`: list what would otherwise be summarised.
    pub verbose: bool,
    /// Whether long outputs may be written to the process's standard output as they are
    /// produced ([`Output::stdout`] then holds only what comes after them).
    pub live: bool,
    /// Whether a person may be watching standard error (a terminal): long runs show progress.
    pub progress: bool,
}

impl Output {
    /// A new output; `color` says whether ANSI colours may be used.
    pub fn new(color: bool) -> Self {
        Output {
            color,
            ..Output::default()
        }
    }

    /// Appends to standard output.
    pub fn out(&mut self, s: &str) {
        self.stdout.push_str(s);
    }

    /// Appends a spool's text to standard output: straight to the process's standard output
    /// when this output is live (written as it comes), else into [`Output::stdout`].
    pub fn append_spool(&mut self, spool: &mut spool::Spool) -> std::io::Result<()> {
        if self.live {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(self.stdout.as_bytes())?;
            self.stdout.clear();
            spool.drain_to(&mut stdout)?;
            stdout.flush()
        } else {
            let text = std::mem::take(spool).into_string()?;
            self.stdout.push_str(&text);
            Ok(())
        }
    }

    /// Appends to standard error.
    pub fn err(&mut self, s: &str) {
        self.stderr.push_str(s);
    }
}

/// Kyverno's `-v LEVEL` takes a number, and `-v` alone is level 1. A bare `-v` (or `--v`)
/// followed by a word that is not a number (`rampart check -v policies/`) is level 1, and the
/// word is an argument of its own; clap alone would read it as the level and fail.
pub fn verbosity_args(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = args.into_iter().collect();
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    for i in 0..end {
        let bare = args.get(i).is_some_and(|a| a == "-v" || a == "--v");
        let level = args
            .get(i + 1)
            .and_then(|next| next.to_str())
            .is_some_and(|next| next.parse::<u8>().is_ok());
        if bare
            && !level
            && let Some(arg) = args.get_mut(i)
        {
            *arg = "--v=1".into();
        }
    }
    args
}

/// Runs a parsed command line.
pub fn run(cli: Cli, out: &mut Output) -> i32 {
    out.verbose = cli.verbosity.is_some_and(|v| v > 0);
    match cli.command {
        Command::Apply(args) => apply::run(&args, out),
        Command::Test(args) => test_cmd::run(&args, out),
        Command::Check(args) => check::run(&args, out),
        Command::Psa(args) => psa::run(&args, out),
        Command::Jp(args) => jp::run(&args, out),
        Command::Serve(args) => serve::run(&args, out),
        Command::Cert(args) => cert::run(&args, out),
        Command::WebhookConfig(args) => webhook_config::run(&args, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Option<(Option<u8>, Vec<String>)> {
        let cli = Cli::try_parse_from(verbosity_args(args.iter().map(|a| a.into()))).ok()?;
        match cli.command {
            Command::Check(check) => Some((cli.verbosity, check.paths)),
            _ => None,
        }
    }

    #[test]
    fn a_bare_v_before_a_path_is_level_one() {
        let paths = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parsed(&["rampart", "check", "-v", "pol/"]),
            Some((Some(1), paths(&["pol/"])))
        );
        assert_eq!(
            parsed(&["rampart", "--v", "check", "pol/"]),
            Some((Some(1), paths(&["pol/"])))
        );
        assert_eq!(
            parsed(&["rampart", "-v", "3", "check", "pol/"]),
            Some((Some(3), paths(&["pol/"])))
        );
        assert_eq!(
            parsed(&["rampart", "check", "pol/", "-v=2"]),
            Some((Some(2), paths(&["pol/"])))
        );
        assert_eq!(
            parsed(&["rampart", "check", "pol/"]),
            Some((None, paths(&["pol/"])))
        );
        assert_eq!(
            parsed(&["rampart", "check", "--", "-v", "x"]),
            Some((None, paths(&["-v", "x"])))
        );
    }
}
