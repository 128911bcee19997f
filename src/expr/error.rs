//! The errors of parsing and evaluating expressions (a leaf module: every other part of `expr`
//! may use it, it uses none of them).

use std::fmt;

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
