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
mod eval;
pub mod functions;
mod lexer;
mod parser;
mod value;

use std::fmt;

pub use ast::Node;
pub use functions::{FunctionSpec, functions};
pub use value::{go_json, type_name};

/// How a missing map key is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Kyverno: the error `Unknown key "<k>" in path`, swallowed where Kyverno swallows it.
    #[default]
    Kyverno,
    /// Standard JMESPath: a missing key is `null`, and no error is turned into `null`.
    Standard,
}

/// A value of the document that stands for another one: selecting the field that holds
/// `stand_in` (compared by address) yields `value`.
#[derive(Clone, Copy, Debug)]
pub struct Alias<'v> {
    /// The placeholder inside the document.
    pub stand_in: &'v serde_json::Value,
    /// The value it stands for.
    pub value: &'v serde_json::Value,
}

/// A compiled expression: parse once, evaluate many times. `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Expr {
    source: String,
    root: Node,
}

/// The kind of a parse (compile-time) error, as the JMESPath compliance suite names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Not a valid expression.
    Syntax,
    /// A function called with the wrong number of arguments.
    InvalidArity,
    /// A function name that is not registered.
    UnknownFunction,
    /// A syntactically valid but meaningless value (a slice step of 0).
    InvalidValue,
}

/// An error found while parsing: byte offset inside the expression and a plain message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at offset {offset})")]
pub struct ParseError {
    /// Byte offset inside the expression text.
    pub offset: usize,
    /// What is wrong, in words.
    pub message: String,
    /// Classification of the error.
    pub kind: ParseErrorKind,
}

impl ParseError {
    /// A syntax error at `offset`.
    pub(crate) fn syntax(offset: usize, message: impl Into<String>) -> Self {
        ParseError {
            offset,
            message: message.into(),
            kind: ParseErrorKind::Syntax,
        }
    }
}

/// An error raised while evaluating; the text is Kyverno's where Kyverno has one.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// Kyverno's NotFound error: a map lacks the selected key.
    #[error("Unknown key \"{0}\" in path")]
    UnknownKey(String),
    /// A function argument of the wrong type.
    #[error(
        "JMESPath function '{function}': argument #{position} is not of type {expected} (got {got})"
    )]
    InvalidType {
        /// Function name.
        function: &'static str,
        /// 1-based argument position.
        position: usize,
        /// Accepted types, joined with ` or `.
        expected: String,
        /// Type of the value that was passed.
        got: &'static str,
    },
    /// A value of the right type that the function cannot use (e.g. `sort` of mixed types).
    #[error("{0}")]
    InvalidValue(String),
    /// Any other function failure, with its full message.
    #[error("{0}")]
    Function(String),
}

impl EvalError {
    /// An error message prefixed the way Kyverno's functions prefix theirs.
    pub(crate) fn function(name: &str, message: impl fmt::Display) -> Self {
        EvalError::Function(format!("JMESPath function '{name}': {message}"))
    }
}

/// Parse an expression into its compiled form.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let root = parser::parse(src)?;
    Ok(Expr {
        source: src.to_owned(),
        root,
    })
}

impl Expr {
    /// Evaluate with Kyverno's dialect.
    pub fn evaluate(&self, data: &serde_json::Value) -> Result<serde_json::Value, EvalError> {
        self.evaluate_with(data, Dialect::Kyverno)
    }

    /// Evaluate with Kyverno's dialect against a document in which some values stand in for
    /// others (a context document that refers to the resource instead of copying it).
    pub fn evaluate_aliased(
        &self,
        data: &serde_json::Value,
        aliases: &[Alias<'_>],
    ) -> Result<serde_json::Value, EvalError> {
        eval::Evaluator::new(Dialect::Kyverno, aliases)
            .eval(&self.root, data)
            .map(std::borrow::Cow::into_owned)
    }

    /// Evaluate with the given dialect.
    pub fn evaluate_with(
        &self,
        data: &serde_json::Value,
        dialect: Dialect,
    ) -> Result<serde_json::Value, EvalError> {
        eval::Evaluator::new(dialect, &[])
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
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests;
