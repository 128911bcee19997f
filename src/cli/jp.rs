//! `rampart jp`: evaluate, parse and list JMESPath with Kyverno's functions, as `kyverno jp`.

use clap::{Args, Subcommand};
use serde_json::Value;

use rampart::SourceMap;
use rampart::expr::{self, functions};
use rampart::source::{self, Input};

use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE, Output};

/// Flags of `rampart jp`.
#[derive(Debug, Args)]
pub struct JpArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: JpCommand,
}

/// The `jp` subcommands.
#[derive(Debug, Subcommand)]
pub enum JpCommand {
    /// Evaluate expressions against an input document.
    Query {
        /// Expressions.
        expressions: Vec<String>,
        /// The input (YAML or JSON); standard input when absent.
        #[arg(short = 'i', long)]
        input: Option<String>,
        /// Files holding one expression each.
        #[arg(short = 'q', long)]
        query_file: Vec<String>,
        /// Print JSON on one line.
        #[arg(short = 'c', long)]
        compact: bool,
        /// Print string results without quotes.
        #[arg(short = 'u', long)]
        unquoted: bool,
    },
    /// Print the syntax tree of expressions.
    Parse {
        /// Expressions.
        expressions: Vec<String>,
        /// Files holding one expression each.
        #[arg(short = 'f', long)]
        file: Vec<String>,
    },
    /// List functions with their signatures (all, or the named ones).
    Function {
        /// Function names.
        names: Vec<String>,
    },
}

/// Runs `jp`.
pub fn run(args: &JpArgs, out: &mut Output) -> i32 {
    match &args.command {
        JpCommand::Query {
            expressions,
            input,
            query_file,
            compact,
            unquoted,
        } => {
            let Some(expressions) = gather(expressions, query_file, out) else {
                return EXIT_USAGE;
            };
            let data = match read_input(input.as_deref()) {
                Ok(d) => d,
                Err(e) => {
                    out.err(&format!("Error: {e}\n"));
                    return EXIT_USAGE;
                }
            };
            let mut code = EXIT_OK;
            for text in &expressions {
                out.out(&format!("# {text}\n"));
                match expr::parse(text) {
                    Err(e) => {
                        out.err(&syntax_error(text, e.offset, &e.message));
                        code = EXIT_FAIL;
                    }
                    Ok(compiled) => match compiled.evaluate(&data) {
                        Ok(Value::String(s)) if *unquoted => out.out(&format!("{s}\n")),
                        Ok(v) => {
                            let text = if *compact {
                                serde_json::to_string(&v)
                            } else {
                                serde_json::to_string_pretty(&v)
                            };
                            out.out(&format!("{}\n", text.unwrap_or_default()));
                        }
                        Err(e) => {
                            out.err(&format!("Error: failed to evaluate `{text}`: {e}\n"));
                            code = EXIT_FAIL;
                        }
                    },
                }
            }
            code
        }
        JpCommand::Parse { expressions, file } => {
            let Some(expressions) = gather(expressions, file, out) else {
                return EXIT_USAGE;
            };
            let mut code = EXIT_OK;
            for text in &expressions {
                out.out(&format!("# {text}\n"));
                match expr::parse(text) {
                    Ok(e) => out.out(&format!("{}\n", e.ast())),
                    Err(e) => {
                        out.err(&syntax_error(text, e.offset, &e.message));
                        code = EXIT_FAIL;
                    }
                }
            }
            code
        }
        JpCommand::Function { names } => {
            let mut found = 0;
            for f in functions() {
                if !names.is_empty() && !names.iter().any(|n| n == f.name) {
                    continue;
                }
                found += 1;
                out.out(&format!(
                    "Name: {}\n  Signature: {}\n",
                    f.name,
                    f.signature()
                ));
                if !f.note.is_empty() {
                    out.out(&format!("  Note:      {}\n", f.note));
                }
                out.out("\n");
            }
            let known: Vec<&str> = functions().map(|f| f.name).collect();
            let unknown: Vec<&String> = names
                .iter()
                .filter(|n| !known.contains(&n.as_str()))
                .collect();
            for name in &unknown {
                let hint = match rampart::diag::did_you_mean(name, known.iter().copied()) {
                    Some(close) => format!("; did you mean `{close}`?"),
                    None => "; `rampart jp function` lists them all".to_string(),
                };
                out.err(&format!("Error: unknown function `{name}`{hint}\n"));
            }
            if !unknown.is_empty() || found == 0 {
                return EXIT_USAGE;
            }
            EXIT_OK
        }
    }
}

/// Expressions from arguments and files.
fn gather(expressions: &[String], files: &[String], out: &mut Output) -> Option<Vec<String>> {
    let mut all = expressions.to_vec();
    for f in files {
        match std::fs::read_to_string(f) {
            Ok(text) => all.push(text.trim().to_string()),
            Err(e) => {
                out.err(&format!("Error: cannot read {f}: {e}\n"));
                return None;
            }
        }
    }
    if all.is_empty() {
        out.err("Error: no expression given\n");
        return None;
    }
    Some(all)
}

fn read_input(path: Option<&str>) -> Result<Value, String> {
    let input = match path {
        Some(p) => Input::File(p.into()),
        None => Input::Stdin,
    };
    let text = source::read(&input).map_err(|e| e.to_string())?;
    let mut sources = SourceMap::new();
    let file = sources.add(input.display_name(), text);
    let docs = source::value_documents(file, &sources).map_err(|d| d.message)?;
    Ok(docs.into_iter().next().unwrap_or(Value::Null))
}

/// The expression with a caret under the error, as `kyverno jp` prints syntax errors.
fn syntax_error(text: &str, offset: usize, message: &str) -> String {
    let column = text
        .get(..offset.min(text.len()))
        .map(|p| p.chars().count())
        .unwrap_or(0);
    format!("SyntaxError: {message}\n{text}\n{}^\n", " ".repeat(column))
}
