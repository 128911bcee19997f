//! Validate rules as Kyverno's validator runs them: context entries, preconditions, then one
//! check (`deny`, `pattern`, `anyPattern`, `foreach`, `podSecurity`), with Kyverno's messages.

use serde_json::Value;

use super::conditions::{self, BlockResult};
use super::exceptions;
use super::gate::{self, join};
use super::scope::{Scope, Undo};
use super::{RuleOutput, RuleResponse, RuleStatus};
use crate::compile::{CompiledRule, Foreach, Slot, Validator, ValidatorCheck};
use crate::pattern::{Outcome, Pattern};
use crate::template::{Dynamic, Evaluate, Template};

fn response(rule: &CompiledRule, status: RuleStatus, message: String) -> RuleResponse {
    RuleResponse::validation(&rule.name, status, message)
}

fn error(rule: &CompiledRule, what: &str, e: impl std::fmt::Display) -> RuleResponse {
    response(rule, RuleStatus::Error, format!("{what}: {e}"))
}

/// Runs a validator (the rule's, or a foreach body at `nesting` > 0).
pub fn run(
    rule: &CompiledRule,
    v: &Validator,
    scope: &mut Scope,
    nesting: usize,
) -> Option<RuleResponse> {
    let mut undo = Undo::default();
    let result = run_loaded(rule, v, scope, nesting, &mut undo);
    scope.unload(undo);
    result
}

fn run_loaded(
    rule: &CompiledRule,
    v: &Validator,
    scope: &mut Scope,
    nesting: usize,
    undo: &mut Undo,
) -> Option<RuleResponse> {
    if let Err(closed) = gate::open(&v.context, v.preconditions.as_ref(), scope, undo) {
        let (status, message) = closed.into_rule_result();
        return Some(response(rule, status, message));
    }
    // Kyverno substitutes `reportProperties` once the preconditions hold.
    let properties = match nesting {
        0 => match report_properties(rule, scope) {
            Ok(p) => p,
            Err(e) => {
                return Some(error(
                    rule,
                    "failed to substitute variables in reportProperties",
                    e,
                ));
            }
        },
        _ => Vec::new(),
    };
    // Exceptions apply to the rule as a whole (a podSecurity rule weighs them itself).
    let exempted = match (&v.check, nesting) {
        (ValidatorCheck::PodSecurity(_), _) | (_, 1..) => None,
        _ => exceptions::check(rule, scope, RuleResponse::validation),
    };
    let response = match &v.check {
        _ if exempted.is_some() => exempted,
        ValidatorCheck::Deny(block) => Some(deny(rule, block.as_ref(), scope)),
        ValidatorCheck::Pattern(slot) => has_target(scope).then(|| pattern(rule, slot, scope)),
        ValidatorCheck::AnyPattern(slots) => {
            has_target(scope).then(|| any_pattern(rule, slots, scope))
        }
        ValidatorCheck::Foreach(list) => foreach(rule, list, scope, nesting),
        ValidatorCheck::PodSecurity(program) => {
            let applying = exceptions::applying(rule, scope);
            super::podsecurity::evaluate(rule, program, scope.input(), &applying)
        }
    };
    match response {
        Some(mut r) if !properties.is_empty() => {
            r.properties = properties;
            Some(r)
        }
        other => other,
    }
}

/// The rule's `reportProperties`, substituted.
fn report_properties(
    rule: &CompiledRule,
    scope: &mut Scope,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::with_capacity(rule.report_properties.len());
    for p in &rule.report_properties {
        let value = match scope
            .resolve(&p.value, "/reportProperties")
            .map_err(|e| e.to_string())?
        {
            std::borrow::Cow::Borrowed(Value::String(s)) => s.clone(),
            other => match other.into_owned() {
                Value::String(s) => s,
                v => v.to_string(),
            },
        };
        out.push((p.key.clone(), value));
    }
    Ok(out)
}

/// Whether there is something for patterns to validate: the foreach element when
/// element-scoped, else the resource, except on DELETE requests (no response).
fn has_target(scope: &Scope) -> bool {
    scope.element().is_some() || !scope.is_delete()
}

/// The message as written (template source for messages with variables).
fn raw_message(rule: &CompiledRule) -> &str {
    match &rule.message {
        Some(Dynamic::Template(t)) => t.source(),
        Some(Dynamic::Static(Value::String(s))) => s,
        _ => "",
    }
}

/// Substitutes variables in a message string; `None` when substitution fails.
fn substitute(text: &str, scope: &mut Scope) -> Option<Value> {
    match Template::parse(text) {
        Ok(None) => Some(Value::String(text.to_string())),
        Ok(Some(t)) => {
            let delete = scope.is_delete();
            t.render(scope.context(), "", delete).ok()
        }
        Err(_) => None,
    }
}

fn deny(
    rule: &CompiledRule,
    block: Option<&crate::compile::CompiledConditions>,
    scope: &mut Scope,
) -> RuleResponse {
    let result = match block {
        None => BlockResult {
            holds: true,
            message: String::new(),
        },
        Some(b) => match conditions::evaluate(b, scope) {
            Ok(r) => r,
            Err(e) => return error(rule, "failed to check deny conditions", e),
        },
    };
    if !result.holds {
        return response(rule, RuleStatus::Pass, rule.pass_message.clone());
    }
    let written = raw_message(rule);
    if written.is_empty() && result.message.is_empty() {
        return response(
            rule,
            RuleStatus::Fail,
            format!("validation error: rule {} failed", rule.name),
        );
    }
    // Kyverno substitutes the joined text; with plain condition messages that is the rule
    // message's compiled template joined with them.
    let substituted = match (&rule.message, result.message.contains("{{")) {
        // Kyverno falls back to the conditions' messages.
        _ if rule.message_has_reference => None,
        (Some(m), false) => scope.render(m, "").ok().map(|v| match v {
            Value::String(text) if result.message.is_empty() => Value::String(text),
            Value::String(text) => Value::String(join(&[&text, &result.message])),
            other => other,
        }),
        _ => substitute(&join(&[written, &result.message]), scope),
    };
    let message = match substituted {
        Some(Value::String(s)) => s,
        Some(_) => "the produced message didn't resolve to a string, check your policy definition."
            .to_string(),
        None => result.message,
    };
    response(rule, RuleStatus::Fail, message)
}

/// Runs a pattern against the foreach element (when element-scoped) or the resource;
/// templated patterns are substituted and compiled first.
fn run_slot(slot: &Slot, scope: &mut Scope) -> Result<Outcome, String> {
    let substituted;
    let pattern = match slot {
        Slot::Ready(p) => p,
        Slot::Templated(raw) => {
            let value = scope
                .render(raw, "/validate/pattern")
                .map_err(|e| e.to_string())?;
            match Pattern::compile_lenient(&value) {
                Ok(p) => {
                    substituted = p;
                    &substituted
                }
                Err(errors) => {
                    let message = errors
                        .into_iter()
                        .map(|e| e.message)
                        .collect::<Vec<_>>()
                        .join("; ");
                    return Ok(Outcome::Error { message });
                }
            }
        }
    };
    let target = match scope.element() {
        Some(element) => element,
        None => scope.input().resource,
    };
    Ok(pattern.validate(target))
}

/// The rule's message, substituted: `Ok(None)` when there is none, `Err` when substitution fails.
fn message(rule: &CompiledRule, scope: &mut Scope) -> Result<Option<String>, ()> {
    let Some(m) = &rule.message else {
        return Ok(None);
    };
    if rule.message_has_reference {
        return Err(());
    }
    match scope.render(m, "/validate/message") {
        Ok(Value::String(s)) if s.is_empty() => Ok(None),
        Ok(Value::String(s)) => Ok(Some(s)),
        Ok(other) => Ok(Some(other.to_string())),
        Err(_) => Err(()),
    }
}

fn pattern(rule: &CompiledRule, slot: &Slot, scope: &mut Scope) -> RuleResponse {
    let name = &rule.name;
    let outcome = match run_slot(slot, scope) {
        Ok(o) => o,
        Err(e) => return error(rule, "variable substitution failed", e),
    };
    // Kyverno's pattern error text is shown only when the message cannot be substituted.
    let (status, detail, error_text, path) = match outcome {
        Outcome::Pass => {
            return response(rule, RuleStatus::Pass, rule.pass_message.clone());
        }
        Outcome::Skip { message } => return response(rule, RuleStatus::Skip, message),
        Outcome::Fail { path, message } => {
            (RuleStatus::Fail, "failed at path", message, Some(path))
        }
        Outcome::Error { message } => (RuleStatus::Error, "execution error:", message, None),
    };
    // The failure's words: the path, or the error.
    let what = path.as_deref().unwrap_or(&error_text);
    let text = match message(rule, scope) {
        Ok(Some(m)) => {
            let dot = if m.ends_with('.') { "" } else { "." };
            format!("validation error: {m}{dot} rule {name} {detail} {what}")
        }
        Ok(None) => format!("validation error: rule {name} {detail} {what}"),
        Err(()) => format!(
            "validation error: variables substitution error in rule {name} execution error: {error_text}"
        ),
    };
    with_paths(response(rule, status, text), path.into_iter().collect())
}

/// A response with the paths where patterns failed.
fn with_paths(mut r: RuleResponse, paths: Vec<String>) -> RuleResponse {
    if let RuleOutput::Validation(v) = &mut r.output {
        v.failed_paths = paths;
    }
    r
}

fn any_pattern(rule: &CompiledRule, slots: &[Slot], scope: &mut Scope) -> RuleResponse {
    let name = &rule.name;
    let mut failed = Vec::new();
    let mut failed_paths = Vec::new();
    let mut skipped = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        match run_slot(slot, scope) {
            Ok(Outcome::Pass) => {
                return response(
                    rule,
                    RuleStatus::Pass,
                    format!("validation rule '{name}' anyPattern[{i}] passed."),
                );
            }
            Ok(Outcome::Skip { message }) => {
                skipped.push(format!("rule {name}[{i}] skipped: {message}"))
            }
            Ok(Outcome::Fail { path, .. }) => {
                failed.push(format!("rule {name}[{i}] failed at path {path}"));
                failed_paths.push(path);
            }
            Ok(Outcome::Error { message }) => {
                failed.push(format!("rule {name}[{i}] failed: {message}"))
            }
            Err(e) => return error(rule, "variable substitution failed", e),
        }
    }
    if failed.is_empty() {
        return response(rule, RuleStatus::Skip, skipped.join(" "));
    }
    let errors = failed.join(" ");
    let text = match message(rule, scope) {
        Ok(None) => format!("validation error: {errors}"),
        Ok(Some(m)) if m.ends_with('.') => format!("validation error: {m} {errors}"),
        Ok(Some(m)) => format!("validation error: {m}. {errors}"),
        Err(()) => format!(
            "validation error: variables substitution error in rule {name} execution error: {errors}"
        ),
    };
    with_paths(response(rule, RuleStatus::Fail, text), failed_paths)
}

/// `foreach`: each entry's list is evaluated (an entry whose list fails is skipped); the first
/// element that neither passes nor skips decides; with no element processed there is no
/// response at all.
fn foreach(
    rule: &CompiledRule,
    list: &[Foreach],
    scope: &mut Scope,
    nesting: usize,
) -> Option<RuleResponse> {
    let mut applied = 0;
    for entry in list {
        let Ok(value) = scope.context().evaluate(&entry.list) else {
            continue;
        };
        let elements = match value {
            Value::Array(items) => items,
            other => vec![other],
        };
        let (result, count) = elements_loop(rule, entry, &elements, scope, nesting);
        if let Some(r) = result {
            return Some(r);
        }
        applied += count;
    }
    (applied > 0).then(|| response(rule, RuleStatus::Pass, "rule passed".to_string()))
}

fn elements_loop(
    rule: &CompiledRule,
    entry: &Foreach,
    elements: &[Value],
    scope: &mut Scope,
    nesting: usize,
) -> (Option<RuleResponse>, usize) {
    let mut applied = 0;
    let last = elements.len().saturating_sub(1);
    for (index, element) in elements.iter().enumerate() {
        if element.is_null() {
            continue;
        }
        let scoped = match entry.element_scope {
            Some(true) if !element.is_object() => {
                let e = format!(
                    "cannot use elementScope=true foreach rules for elements that are not maps, expected type=map got type={}",
                    crate::expr::type_name(element)
                );
                return (Some(error(rule, "failed to process foreach", e)), applied);
            }
            Some(scoped) => scoped,
            None => element.is_object(),
        };
        let saved = scope.enter_element(element, index, nesting, scoped);
        let result = run(rule, &entry.body, scope, nesting + 1);
        scope.leave_element(saved);
        match result {
            None => continue,
            Some(r) if r.status == RuleStatus::Skip => continue,
            Some(r) if r.status == RuleStatus::Pass => applied += 1,
            Some(r) if r.status == RuleStatus::Error && index < last => continue,
            Some(r) => {
                let message = format!("validation failure: {}", r.message);
                return (Some(RuleResponse { message, ..r }), applied);
            }
        }
    }
    (None, applied)
}
