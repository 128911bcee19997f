//! `rampart check <paths...>`: load and compile policies, print only diagnostics.
//! Exit 0 when clean (warnings allowed), 2 on any error.

use clap::Args;

use super::{EXIT_OK, EXIT_USAGE, Output};
use crate::diag::{SourceMap, render_all};
use crate::load::load_policies;

/// Flags of `rampart check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Policy files or directories (`-` for standard input).
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Never use colours.
    #[arg(long)]
    pub remove_color: bool,
}

/// Runs `check`.
pub fn run(args: &CheckArgs, out: &mut Output) -> i32 {
    out.color &= !args.remove_color;
    let mut sources = SourceMap::new();
    let set = match load_policies(&mut sources, &args.paths) {
        Ok(set) => set,
        Err(e) => {
            out.err(&format!("error: {e}\n"));
            return EXIT_USAGE;
        }
    };
    out.err(&render_all(&set.diagnostics, &sources, out.color));
    if set.has_errors() {
        let errors = set.diagnostics.iter().filter(|d| d.is_error()).count();
        out.err(&format!(
            "{errors} error(s) in {} policy file(s)\n",
            sources.len()
        ));
        EXIT_USAGE
    } else {
        EXIT_OK
    }
}
