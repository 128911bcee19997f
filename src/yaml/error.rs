//! The error type of the YAML loader.

use std::fmt;

use super::Span;

/// A YAML syntax or resolution error at a place in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// Where the problem is (zero-width when only a point is known).
    pub span: Span,
    /// What went wrong, in plain words.
    pub message: String,
}

impl YamlError {
    /// An error at `span`.
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        YamlError {
            span,
            message: message.into(),
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}
