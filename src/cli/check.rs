//! `rampart check <paths...>`: load and compile policies and policy exceptions, print only
//! diagnostics.
//! Exit 0 when clean (warnings allowed), 2 on any error.

use clap::Args;

use rampart::Loader;

use super::{EXIT_OK, EXIT_USAGE, Output};

/// Flags of `rampart check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Policy and policy exception files or directories (`-` for standard input).
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Never use colours.
    #[arg(long)]
    pub remove_color: bool,
}

/// Runs `check`.
pub fn run(args: &CheckArgs, out: &mut Output) -> i32 {
    out.color &= !args.remove_color;
    let mut loader = Loader::new();
    if let Err(e) = loader.add_paths(&args.paths) {
        out.err(&format!("error: {e}\n"));
        return EXIT_USAGE;
    }
    out.err(&loader.render_diagnostics(out.color));
    out.err(&loader.render_ignored(out.verbose));
    if loader.has_errors() {
        let errors = loader.diagnostics().iter().filter(|d| d.is_error()).count();
        out.err(&format!(
            "{errors} error(s) in {} policy file(s)\n",
            loader.sources().len()
        ));
        EXIT_USAGE
    } else {
        EXIT_OK
    }
}
