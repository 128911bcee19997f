//! Kyverno's pattern language (temporary stand-in until the pattern branch lands: exact
//! string/number/bool equality only).

use serde_json::Value;

/// A compile error inside a pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct CompileError {
    /// Keys and indices inside the pattern.
    pub path: Vec<String>,
    /// What is wrong.
    pub message: String,
}

/// The result of validating a resource against a pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The resource matches.
    Pass,
    /// It does not.
    Fail {
        /// Where (`/spec/containers/0/image/`).
        path: String,
        /// Why.
        message: String,
    },
    /// A condition anchor did not hold.
    Skip {
        /// Why.
        message: String,
    },
    /// The pattern could not be evaluated.
    Error {
        /// Why.
        message: String,
    },
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern(Value);

impl Pattern {
    /// Compiles a pattern.
    pub fn compile(pattern: &Value) -> Result<Pattern, Vec<CompileError>> {
        Ok(Pattern(pattern.clone()))
    }

    /// Validates a resource.
    pub fn validate(&self, resource: &Value) -> Outcome {
        if resource == &self.0 { Outcome::Pass } else { Outcome::Fail { path: "/".into(), message: String::new() } }
    }
}
