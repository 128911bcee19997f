//! `validate.pattern` and `validate.anyPattern`, with Kyverno's rule messages.

use super::{Operation, RuleResponse, RuleStatus, Scope};
use crate::compile::{CompiledRule, Slot};
use crate::pattern::{Outcome, Pattern};
use crate::template::Dynamic;

fn response(rule: &CompiledRule, status: RuleStatus, message: String) -> RuleResponse {
    RuleResponse::validation(&rule.name, status, message)
}

/// Runs a pattern; templated patterns are substituted and compiled first.
fn run(slot: &Slot, scope: &mut Scope) -> Result<Outcome, String> {
    match slot {
        Slot::Ready(p) => Ok(p.validate(scope.request().resource)),
        Slot::Templated(raw) => {
            let value = scope.render(raw, "/validate/pattern").map_err(|e| e.to_string())?;
            Ok(match Pattern::compile(&value) {
                Ok(p) => p.validate(scope.request().resource),
                Err(errors) => Outcome::Error {
                    message: errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; "),
                },
            })
        }
    }
}

/// The rule's message, substituted, with a trailing period, as Kyverno embeds it in failures.
/// `Err` when substitution fails.
fn message_with_period(rule: &CompiledRule, scope: &mut Scope) -> Result<Option<String>, ()> {
    let Some(message) = &rule.message else { return Ok(None) };
    let text = match scope.render(message, "/validate/message") {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => return Err(()),
    };
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(if text.ends_with('.') { text } else { format!("{text}.") }))
}

/// `validate.pattern`. DELETE requests are not validated (no response).
pub fn pattern(rule: &CompiledRule, slot: &Slot, scope: &mut Scope) -> Option<RuleResponse> {
    if scope.request().operation == Operation::Delete {
        return None;
    }
    let name = &rule.name;
    let outcome = match run(slot, scope) {
        Ok(o) => o,
        Err(e) => return Some(response(rule, RuleStatus::Error, format!("variable substitution failed: {e}"))),
    };
    if outcome == Outcome::Pass {
        return Some(response(rule, RuleStatus::Pass, format!("validation rule '{name}' passed.")));
    }
    if let Outcome::Skip { message } = outcome {
        return Some(response(rule, RuleStatus::Skip, message));
    }
    let prefix = match message_with_period(rule, scope) {
        Ok(Some(m)) => format!("validation error: {m} rule {name}"),
        Ok(None) => format!("validation error: rule {name}"),
        Err(()) => format!("validation error: variables substitution error in rule {name}"),
    };
    Some(match outcome {
        Outcome::Fail { path, .. } => response(rule, RuleStatus::Fail, format!("{prefix} failed at path {path}")),
        Outcome::Error { message } | Outcome::Skip { message } => {
            response(rule, RuleStatus::Error, format!("{prefix} execution error: {message}"))
        }
        Outcome::Pass => response(rule, RuleStatus::Pass, format!("validation rule '{name}' passed.")),
    })
}

/// `validate.anyPattern`: passes with the first passing pattern; skips when every pattern
/// skipped; fails listing each failed pattern otherwise.
pub fn any_pattern(rule: &CompiledRule, slots: &[Slot], scope: &mut Scope) -> Option<RuleResponse> {
    if scope.request().operation == Operation::Delete {
        return None;
    }
    let name = &rule.name;
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        match run(slot, scope) {
            Ok(Outcome::Pass) => {
                return Some(response(rule, RuleStatus::Pass, format!("validation rule '{name}' anyPattern[{i}] passed.")));
            }
            Ok(Outcome::Skip { message }) => skipped.push(format!("rule {name}[{i}] skipped: {message}")),
            Ok(Outcome::Fail { path, .. }) => failed.push(format!("rule {name}[{i}] failed at path {path}")),
            Ok(Outcome::Error { message }) => failed.push(format!("rule {name}[{i}] failed: {message}")),
            Err(e) => return Some(response(rule, RuleStatus::Error, format!("variable substitution failed: {e}"))),
        }
    }
    if failed.is_empty() {
        return Some(response(rule, RuleStatus::Skip, skipped.join(" ")));
    }
    let errors = failed.join(" ");
    // Kyverno embeds the message as written here (no substitution).
    let raw = rule.message.as_ref().and_then(|m| match m {
        Dynamic::Static(serde_json::Value::String(s)) => Some(s.clone()),
        Dynamic::Template(t) => Some(t.source().to_string()),
        _ => None,
    });
    let message = match raw.as_deref().filter(|m| !m.is_empty()) {
        None => format!("validation error: {errors}"),
        Some(m) if m.ends_with('.') => format!("validation error: {m} {errors}"),
        Some(m) => format!("validation error: {m}. {errors}"),
    };
    Some(response(rule, RuleStatus::Fail, message))
}
