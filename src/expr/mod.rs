//! JMESPath with Kyverno's dialect: the expression language inside `{{ }}`.
//!
//! An expression is parsed once ([`parse`]: `lexer.rs` then the Pratt parser in `parser.rs`) into an [`Expr`]
//! and then evaluated any number of times over a `serde_json::Value` ([`Expr::evaluate`]).
//! Kyverno's dialect differs from standard JMESPath in one place: selecting a key that a map
//! lacks is the error `Unknown key "<k>" in path` ([`EvalError::UnknownKey`]), which
//! sub-expressions and index expressions propagate and most other constructs turn into `null`
//! (see `eval.rs`). [`Dialect::Standard`] is plain JMESPath, for the compliance suite and the
//! differential test against the `jmespath` crate.

mod ast;
mod error;
mod eval;
pub mod functions;
mod lexer;
mod parser;
mod value;

use std::fmt;

pub use ast::Node;
pub use error::{EvalError, ParseError, ParseErrorKind};
pub use eval::{Alias, Dialect, Env};
pub use functions::{FunctionSpec, functions};
pub use value::{go_json, type_name};

/// A compiled expression: parse once, evaluate many times. `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Expr {
    source: String,
    root: Node,
}

/// Parse an expression into its compiled form.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let root = parser::parse(src, false)?;
    Ok(Expr {
        source: src.to_owned(),
        root,
    })
}

/// Parse an expression that may refer to variables (`$name`, and `$` for the root), as
/// kyverno-json's assertion trees do; bind them with [`Env::variables`]. Kyverno's own
/// expressions (`{{ }}`) have no variables and are parsed with [`parse`].
pub fn parse_with_variables(src: &str) -> Result<Expr, ParseError> {
    let root = parser::parse(src, true)?;
    Ok(Expr {
        source: src.to_owned(),
        root,
    })
}

impl Expr {
    /// Evaluate with Kyverno's dialect and the system clock.
    pub fn evaluate(&self, data: &serde_json::Value) -> Result<serde_json::Value, EvalError> {
        self.evaluate_in(data, &Env::default())
    }

    /// Evaluate with the given dialect and the system clock.
    pub fn evaluate_with(
        &self,
        data: &serde_json::Value,
        dialect: Dialect,
    ) -> Result<serde_json::Value, EvalError> {
        self.evaluate_in(
            data,
            &Env {
                dialect,
                ..Env::default()
            },
        )
    }

    /// Evaluate in an environment: dialect, stand-ins (a context document that refers to the
    /// resource instead of copying it) and clock.
    pub fn evaluate_in(
        &self,
        data: &serde_json::Value,
        env: &Env<'_>,
    ) -> Result<serde_json::Value, EvalError> {
        eval::Evaluator::new(env)
            .eval(&self.root, data)
            .map(std::borrow::Cow::into_owned)
    }

    /// The source text the expression was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The syntax tree (its `Display` is the printable form used by `rampart jp parse`).
    pub fn ast(&self) -> &Node {
        &self.root
    }

    /// The literal regular expressions of the expression that do not compile (a regex function
    /// called with a constant pattern that can never work), as messages.
    pub fn invalid_literal_regexes(&self) -> Vec<String> {
        let mut found = Vec::new();
        self.ast().for_each_call(&mut |call| {
            if !call.spec.literal_regex || call.regex.is_some() {
                return;
            }
            if let Some(Node::Literal(literal)) = call.args.first()
                && let serde_json::Value::String(pattern) = &**literal
                && let Err(e) = functions::regex::compile(pattern)
            {
                let first = e.to_string();
                let reason = first.lines().last().unwrap_or("").trim().to_string();
                found.push(format!(
                    "invalid regular expression {pattern:?} in {}(): {reason}",
                    call.spec.name
                ));
            }
        });
        found
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests;
