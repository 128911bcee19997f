//! JMESPath with Kyverno's dialect (temporary stand-in until the expr branch lands: dotted
//! paths only).

use serde_json::Value;

/// A parse error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at offset {offset})")]
pub struct ParseError {
    /// Byte offset.
    pub offset: usize,
    /// What.
    pub message: String,
}

/// An evaluation error.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// A missing key.
    #[error("Unknown key \"{0}\" in path")]
    UnknownKey(String),
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub struct Expr {
    source: String,
}

/// Parses an expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    Ok(Expr { source: src.to_string() })
}

impl Expr {
    /// Evaluates a dotted path.
    pub fn evaluate(&self, data: &Value) -> Result<Value, EvalError> {
        let mut v = data;
        for k in self.source.split('.') {
            v = v.get(k).ok_or_else(|| EvalError::UnknownKey(k.to_string()))?;
        }
        Ok(v.clone())
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }
}
