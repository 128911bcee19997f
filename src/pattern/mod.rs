//! Kyverno's pattern language (`validate.pattern`, `anyPattern`, `foreach.pattern`): a pattern
//! tree compiled once from JSON, then evaluated against resources with Kyverno's exact pass /
//! fail / skip / error outcomes and messages.
//!
//! - [`Pattern::compile`] resolves anchors (`(k)`, `=(k)`, `^(k)`, `X(k)`, `<(k)`), orders map
//!   keys as Kyverno evaluates them, parses string patterns (`grammar/pattern.pest`) and reports
//!   every mistake at once: unsupported anchors (`+(k)` and other `x(k)` keys), existence anchors
//!   whose value is not a non-empty list of maps, empty arrays, and string conditions that can
//!   never match (`>=` without operand, `<abc`). Strings containing `{{` are taken as written
//!   (their variables are substituted before such a pattern is compiled again with
//!   [`Pattern::compile_lenient`], which accepts malformed conditions as Kyverno does).
//! - [`Pattern::validate`] returns an [`Outcome`]. It builds no strings when the resource passes.
//!
//! Differences from Kyverno, all in cases where Kyverno is nondeterministic or panics: a wildcard
//! key under `metadata.labels`/`metadata.annotations` is renamed to the *first* matching resource
//! key in the resource's key order (Go iterates maps in random order); two wildcard keys that
//! rename to the same resource key are both checked (Kyverno keeps one at random); non-string
//! label values do not panic; the renaming is done per resource element (Kyverno renames the
//! shared pattern once, at the first element of a list).

mod anchor;
mod compile;
pub(crate) mod gofmt;
mod scalar;
mod tree;

pub use anchor::{Anchor, AnchorKind, parse as parse_anchor};
pub use compile::CompileError;
pub use scalar::StringPattern;

use serde_json::Value;

/// The result of validating a resource against a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The resource satisfies the pattern.
    Pass,
    /// The resource violates the pattern at `path` (like `/spec/containers/0/image/`);
    /// `message` is Kyverno's internal error text (Kyverno logs it; the rule message only
    /// shows the path).
    Fail {
        /// Where, as Kyverno prints it: leading and trailing `/`, array indices as numbers.
        path: String,
        /// Kyverno's error text for the mismatch.
        message: String,
    },
    /// A conditional or global anchor did not hold: the rule does not apply.
    Skip {
        /// Kyverno's error text, e.g. `conditional anchor mismatch: ...`.
        message: String,
    },
    /// Kyverno reports a rule error: a pattern anchor key was missing from the resource while
    /// something else failed, or the failure has no path (array length mismatch).
    Error {
        /// Kyverno's error text.
        message: String,
    },
}

/// A compiled validate pattern. Cheap to share (`Send + Sync`) and to evaluate.
#[derive(Debug, Clone)]
pub struct Pattern {
    root: compile::Node,
    has_variables: bool,
}

impl Pattern {
    /// Compiles a pattern; all mistakes are returned together.
    pub fn compile(pattern: &Value) -> Result<Pattern, Vec<CompileError>> {
        Pattern::build(pattern, false)
    }

    /// Compiles a pattern produced at evaluation time (after variable substitution): string
    /// conditions that can never match are accepted and never match, as in Kyverno.
    /// Structural mistakes are still errors.
    pub fn compile_lenient(pattern: &Value) -> Result<Pattern, Vec<CompileError>> {
        Pattern::build(pattern, true)
    }

    fn build(pattern: &Value, lenient: bool) -> Result<Pattern, Vec<CompileError>> {
        let root = compile::compile(pattern, lenient)?;
        Ok(Pattern {
            root,
            has_variables: contains_variables(pattern),
        })
    }

    /// True if a key or string value contains `{{`: the engine must substitute variables in
    /// the pattern's JSON and compile the result with [`Pattern::compile_lenient`] before
    /// validating (this compiled form holds such strings literally).
    pub fn has_variables(&self) -> bool {
        self.has_variables
    }

    /// Validates a resource (Kyverno `validate.MatchPattern`).
    pub fn validate(&self, resource: &Value) -> Outcome {
        if tree::Eval::new(false)
            .element(Some(resource), &self.root)
            .is_ok()
        {
            return Outcome::Pass;
        }
        let mut eval = tree::Eval::new(true);
        let Err(f) = eval.element(Some(resource), &self.root) else {
            return Outcome::Pass;
        };
        use tree::Kind;
        match f.kind {
            Kind::Conditional | Kind::Global | Kind::CombinedSkip => {
                Outcome::Skip { message: f.message }
            }
            Kind::Negation => Outcome::Fail {
                path: f.path,
                message: f.message,
            },
            Kind::Other if eval.keys_are_missing() || f.path.is_empty() => {
                Outcome::Error { message: f.message }
            }
            Kind::Other => Outcome::Fail {
                path: f.path,
                message: f.message,
            },
        }
    }
}

fn contains_variables(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains("{{"),
        Value::Array(items) => items.iter().any(contains_variables),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains("{{") || contains_variables(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
