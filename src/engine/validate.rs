//! `validate.pattern` and `validate.anyPattern`, with Kyverno's rule messages.

use super::{Operation, Request, RuleResponse, RuleStatus};
use crate::compile::{CompiledRule, Slot};
use crate::pattern::{Outcome, Pattern};

fn response(rule: &CompiledRule, status: RuleStatus, message: String) -> RuleResponse {
    RuleResponse::validation(&rule.name, status, message)
}

fn run(slot: &Slot, resource: &serde_json::Value) -> Outcome {
    match slot {
        Slot::Ready(p) => p.validate(resource),
        Slot::Templated(raw) => match Pattern::compile(raw) {
            Ok(p) => p.validate(resource),
            Err(errors) => Outcome::Error {
                message: errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; "),
            },
        },
    }
}

/// The rule's message with a trailing period, as Kyverno embeds it in failures.
fn message_with_period(rule: &CompiledRule) -> Option<String> {
    rule.message.as_ref().filter(|m| !m.is_empty()).map(|m| if m.ends_with('.') { m.clone() } else { format!("{m}.") })
}

/// `validate.pattern`. DELETE requests are not validated (no response).
pub fn pattern(rule: &CompiledRule, slot: &Slot, request: &Request) -> Option<RuleResponse> {
    if request.operation == Operation::Delete {
        return None;
    }
    let name = &rule.name;
    let prefix = match message_with_period(rule) {
        Some(m) => format!("validation error: {m} rule {name}"),
        None => format!("validation error: rule {name}"),
    };
    Some(match run(slot, request.resource) {
        Outcome::Pass => response(rule, RuleStatus::Pass, format!("validation rule '{name}' passed.")),
        Outcome::Fail { path, .. } => response(rule, RuleStatus::Fail, format!("{prefix} failed at path {path}")),
        Outcome::Skip { message } => response(rule, RuleStatus::Skip, message),
        Outcome::Error { message } => response(rule, RuleStatus::Error, format!("{prefix} execution error: {message}")),
    })
}

/// `validate.anyPattern`: passes with the first passing pattern; skips when every pattern
/// skipped; fails listing each failed pattern otherwise.
pub fn any_pattern(rule: &CompiledRule, slots: &[Slot], request: &Request) -> Option<RuleResponse> {
    if request.operation == Operation::Delete {
        return None;
    }
    let name = &rule.name;
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        match run(slot, request.resource) {
            Outcome::Pass => {
                return Some(response(rule, RuleStatus::Pass, format!("validation rule '{name}' anyPattern[{i}] passed.")));
            }
            Outcome::Skip { message } => skipped.push(format!("rule {name}[{i}] skipped: {message}")),
            Outcome::Fail { path, .. } => failed.push(format!("rule {name}[{i}] failed at path {path}")),
            Outcome::Error { message } => failed.push(format!("rule {name}[{i}] failed: {message}")),
        }
    }
    if failed.is_empty() {
        return Some(response(rule, RuleStatus::Skip, skipped.join(" ")));
    }
    let errors = failed.join(" ");
    let message = match rule.message.as_deref().filter(|m| !m.is_empty()) {
        None => format!("validation error: {errors}"),
        Some(m) if m.ends_with('.') => format!("validation error: {m} {errors}"),
        Some(m) => format!("validation error: {m}. {errors}"),
    };
    Some(response(rule, RuleStatus::Fail, message))
}
