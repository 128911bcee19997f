//! PolicyExceptions, checked inside a rule as Kyverno's rule handlers check them: once the
//! rule's `match` selected the request and its context and preconditions passed. An exception
//! applies when it names the rule (bound when the engine is built), its `match` covers the
//! request and its `conditions` hold in the rule's context. Every rule kind calls [`check`];
//! `podSecurity` rules use [`applying`] to exempt single controls, and their own wordings
//! ([`skip_pod_security_rule`], [`skip_pod_security`]).

use std::sync::Arc;

use super::conditions;
use super::scope::Scope;
use super::{RuleResponse, RuleStatus};
use crate::compile::{CompiledException, CompiledRule};

/// How a rule kind builds its responses (`RuleResponse::validation`, `RuleResponse::mutation`).
pub type Respond = fn(&Arc<str>, RuleStatus, String) -> RuleResponse;

/// Kyverno's message for a rule skipped because of exceptions, before the exceptions' keys.
const SKIPPED: &str = "rule is skipped due to policy exceptions";

/// The rule's exceptions that apply to the request in `scope`, in load order. An exception
/// whose conditions cannot be evaluated does not apply (Kyverno logs it and goes on).
pub fn applying<'e>(rule: &'e CompiledRule, scope: &mut Scope) -> Vec<&'e CompiledException> {
    if rule.exceptions.is_empty() {
        return Vec::new();
    }
    let facts = scope.facts();
    let mut out = Vec::new();
    for exception in &rule.exceptions {
        if !exception.matcher.covers(&facts) {
            continue;
        }
        let holds = match &exception.conditions {
            None => true,
            Some(block) => conditions::evaluate(block, scope).is_ok_and(|r| r.holds),
        };
        if holds {
            out.push(&**exception);
        }
    }
    out
}

/// The check every rule makes after its preconditions: `Some` skip response when exceptions
/// apply, `None` when the rule goes on.
pub fn check(rule: &CompiledRule, scope: &mut Scope, respond: Respond) -> Option<RuleResponse> {
    let applied = applying(rule, scope);
    (!applied.is_empty()).then(|| skip(rule, &applied, respond))
}

/// The response of a rule the exceptions exempt: `skip`, with Kyverno's message
/// (`rule is skipped due to policy exceptions` followed by the keys, `, `-separated, with no
/// space before the first) and the exceptions recorded.
fn skip(rule: &CompiledRule, applied: &[&CompiledException], respond: Respond) -> RuleResponse {
    let message = format!("{SKIPPED}{}", keys(applied));
    skipped(rule, applied, message, respond)
}

/// A podSecurity rule that an exception without `podSecurity` entries exempts: Kyverno names
/// that one exception, in the singular, after a space.
pub fn skip_pod_security_rule(rule: &CompiledRule, exception: &CompiledException) -> RuleResponse {
    let message = format!(
        "rule is skipped due to policy exception {}",
        exception.info.key()
    );
    skipped(rule, &[exception], message, RuleResponse::validation)
}

/// A podSecurity rule whose failed checks the exceptions' `podSecurity` entries all exempt:
/// Kyverno's wording has a space before the keys here.
pub fn skip_pod_security(rule: &CompiledRule, applied: &[&CompiledException]) -> RuleResponse {
    let message = format!("{SKIPPED} {}", keys(applied));
    skipped(rule, applied, message, RuleResponse::validation)
}

/// The exceptions' keys, `, `-separated.
fn keys(applied: &[&CompiledException]) -> String {
    let keys: Vec<String> = applied.iter().map(|e| e.info.key()).collect();
    keys.join(", ")
}

/// A skip response with `message`, recording `applied`.
fn skipped(
    rule: &CompiledRule,
    applied: &[&CompiledException],
    message: String,
    respond: Respond,
) -> RuleResponse {
    let mut response = respond(&rule.name, RuleStatus::Skip, message);
    response.exceptions = applied.iter().map(|e| Arc::clone(&e.info)).collect();
    response
}
