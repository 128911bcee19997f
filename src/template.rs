//! `{{ }}` templates: strings of a rule body with JMESPath variables, parsed once at compile
//! time and substituted per request exactly as Kyverno's `SubstituteAll` does.
//!
//! - A string that is exactly one variable is replaced by the variable's typed value.
//! - Otherwise each variable is replaced textually: strings as they are, other values as JSON.
//! - Substituted text is scanned again, so values holding `{{ }}` are themselves evaluated,
//!   unless the variable was written `{{- expr }}` (shallow).
//! - `\{{ x }}` is not a variable; the backslash is removed after substitution.
//! - On DELETE requests every `request.object` in an expression reads `request.oldObject`.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::expr::{self, EvalError, Expr};

/// Kyverno's variable regex: a `{{ }}` not preceded by a backslash, whose body may hold one
/// level of `{ }`.
static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})").unwrap_or_else(|_| unreachable!())
});

/// An escaped variable `\{{ ... }}`.
static ESCAPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\\\{\{(?:\{[^{}]*\}|[^{}])*\}\}").unwrap_or_else(|_| unreachable!())
});

/// Whether a string holds at least one `{{ }}` variable.
pub fn has_variables(s: &str) -> bool {
    VARIABLE.is_match(s)
}

/// A variable found in a template, compiled.
#[derive(Debug, Clone)]
struct Variable {
    /// The matched text (`{{ x }}`, possibly with the preceding character).
    matched: String,
    /// The `{{ x }}` part.
    braces: String,
    /// The compiled expression.
    expr: Expr,
    /// The expression for DELETE requests, when it reads `request.object`.
    delete_expr: Option<Expr>,
    /// `{{- x }}`: substituted text is not scanned again.
    shallow: bool,
}

/// A problem in a template found when the policy is compiled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid variable `{variable}`: {message}")]
pub struct TemplateError {
    /// The variable as written.
    pub variable: String,
    /// Byte offset of the problem inside the template string.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// A failure to substitute a variable at evaluation time, with Kyverno's message text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct SubstitutionError(pub String);

/// A string with variables, compiled.
#[derive(Debug, Clone)]
pub struct Template {
    raw: String,
    variables: Vec<Variable>,
}

fn compile_variable(matched: &str, braces: &str, start: usize) -> Result<Variable, TemplateError> {
    let inner = braces.trim_start_matches("{{").trim_end_matches("}}").trim();
    let (shallow, text) = match inner.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, inner),
    };
    let compile = |src: &str| {
        expr::parse(src).map_err(|e| TemplateError {
            variable: braces.to_string(),
            offset: start + e.offset,
            message: e.message,
        })
    };
    let expr = compile(text)?;
    let delete_expr = match text.contains("request.object") {
        true => Some(compile(&text.replace("request.object", "request.oldObject"))?),
        false => None,
    };
    Ok(Variable { matched: matched.to_string(), braces: braces.to_string(), expr, delete_expr, shallow })
}

fn scan(s: &str) -> Result<Vec<Variable>, TemplateError> {
    VARIABLE
        .captures_iter(s)
        .filter_map(|c| Some((c.get(0)?, c.get(2)?)))
        .map(|(whole, braces)| compile_variable(whole.as_str(), braces.as_str(), braces.start()))
        .collect()
}

impl Template {
    /// Compiles a string; `Ok(None)` when it holds no variable.
    pub fn parse(s: &str) -> Result<Option<Template>, TemplateError> {
        let variables = scan(s)?;
        if variables.is_empty() {
            return Ok(None);
        }
        Ok(Some(Template { raw: s.to_string(), variables }))
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.raw
    }

    /// Substitutes the variables against a context document. `path` names the place of the
    /// string in the rule (for messages); `delete` selects the DELETE rewrite.
    pub fn render(&self, ctx: &Value, path: &str, delete: bool) -> Result<Value, SubstitutionError> {
        let mut value = self.raw.clone();
        let mut variables = self.variables.clone();
        loop {
            let original = value.clone();
            let mut rescan = false;
            for var in &variables {
                let expr = if delete { var.delete_expr.as_ref().unwrap_or(&var.expr) } else { &var.expr };
                let result = expr.evaluate(ctx).map_err(|e| resolve_error(expr.source(), path, e))?;
                if original == var.braces {
                    return Ok(result);
                }
                let text = match &result {
                    Value::String(s) => s.clone(),
                    other => serde_json::to_string(other).unwrap_or_default(),
                };
                rescan |= !var.shallow;
                let prefix = var.matched.strip_suffix(var.braces.as_str()).unwrap_or("");
                value = value.replacen(&var.matched, &format!("{prefix}{text}"), 1);
            }
            if !rescan {
                break;
            }
            variables = scan(&value).map_err(|e| SubstitutionError(e.to_string()))?;
            if variables.is_empty() {
                break;
            }
        }
        Ok(Value::String(unescape(&value)))
    }
}

fn resolve_error(variable: &str, path: &str, e: EvalError) -> SubstitutionError {
    match e {
        EvalError::UnknownKey(_) => SubstitutionError(e.to_string()),
        other => SubstitutionError(format!("failed to resolve {variable} at path {path}: {other}")),
    }
}

/// Removes the backslash of escaped variables.
fn unescape(s: &str) -> String {
    if !s.contains("\\{{") {
        return s.to_string();
    }
    ESCAPED.replace_all(s, |c: &regex::Captures| c.get(0).map(|m| m.as_str()[1..].to_string()).unwrap_or_default()).into_owned()
}
