//! Compiling one rule: its matchers, context entries, message and the program of its body.

use crate::diag::Diagnostic;
use crate::ir::{self, Body, Check, FailureAction, RuleOrigin};
use crate::matching::CompiledMatch;
use crate::pattern::Pattern;
use crate::syntax::reader::Reader;
use crate::template::Dynamic;
use crate::yaml::Node;

use super::context::{self, ContextEntry};
use super::podsecurity::{self, PodSecurityProgram};

/// A pattern, compiled when it is constant, kept with its compiled `{{ }}` templates when it
/// holds variables (substituted, then compiled, per request).
#[derive(Debug, Clone)]
pub enum Slot {
    /// Compiled once.
    Ready(Pattern),
    /// Holds variables.
    Templated(Dynamic),
}

/// What a rule does when it matches.
#[derive(Debug, Clone)]
pub enum RuleProgram {
    /// `validate.pattern`.
    Pattern(Slot),
    /// `validate.anyPattern`.
    AnyPattern(Vec<Slot>),
    /// `validate.podSecurity`.
    PodSecurity(PodSecurityProgram),
    /// A feature this version does not evaluate yet; the rule reports an error naming it.
    Unsupported(String),
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// The rule name.
    pub name: String,
    /// Written or generated.
    pub origin: RuleOrigin,
    /// `match`.
    pub matcher: CompiledMatch,
    /// `exclude`.
    pub exclude: Option<CompiledMatch>,
    /// `context[]`.
    pub context: Vec<ContextEntry>,
    /// `validate.message`, if any.
    pub message: Option<Dynamic>,
    /// The failure action written on the rule (`validate.failureAction`), if any.
    pub failure_action: Option<FailureAction>,
    /// `validate.failureActionOverrides`.
    pub failure_action_overrides: Vec<ir::ActionOverride>,
    /// Whether this is a validate rule (results count as validation).
    pub is_validate: bool,
    /// Whether evaluating the rule reads variables (so the engine builds the context).
    pub needs_context: bool,
    /// The body.
    pub program: RuleProgram,
}

/// Compiles a pattern node, reporting problems at their place in the source.
fn compile_pattern(file: crate::diag::FileId, node: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Slot> {
    let value = node.to_json();
    match Dynamic::compile(&value) {
        Ok(d) if !d.is_static() => return Some(Slot::Templated(d)),
        Ok(_) => {}
        Err(e) => {
            diagnostics.push(Diagnostic::error(file, node.span, format!("invalid variable: {e}")).with_label("in this pattern"));
            return None;
        }
    }
    match Pattern::compile(&value) {
        Ok(p) => Some(Slot::Ready(p)),
        Err(errors) => {
            for e in errors {
                let at = node.at_path(&e.path).unwrap_or(node);
                let span = match (e.path.split_last(), at.span == node.span) {
                    (Some((last, parent)), true) => {
                        node.at_path(parent).and_then(|p| p.entry(last)).map(|(k, _)| k.span).unwrap_or(at.span)
                    }
                    _ => at.span,
                };
                diagnostics.push(
                    Diagnostic::error(file, span, format!("invalid pattern: {}", e.message)).with_label("in this pattern"),
                );
            }
            None
        }
    }
}

pub(super) fn compile_rule(policy: &ir::Policy, rule: &ir::Rule, diagnostics: &mut Vec<Diagnostic>) -> CompiledRule {
    let mut compiled = CompiledRule {
        name: rule.name.clone(),
        origin: rule.origin,
        matcher: CompiledMatch::new(&rule.match_),
        exclude: rule.exclude.as_ref().map(CompiledMatch::new),
        context: Vec::new(),
        message: None,
        failure_action: None,
        failure_action_overrides: Vec::new(),
        is_validate: false,
        needs_context: false,
        program: RuleProgram::Unsupported(String::new()),
    };
    let mut unsupported = Vec::new();
    if let Some(node) = &rule.context {
        match context::compile(policy.file, node, diagnostics) {
            Some(entries) => compiled.context = entries,
            None => unsupported.push("an invalid context".to_string()),
        }
    }
    if rule.preconditions.is_some() {
        unsupported.push("preconditions".to_string());
    }
    compiled.program = match &rule.body {
        Body::Validate(v) => {
            compiled.is_validate = true;
            compiled.failure_action = v.failure_action;
            compiled.failure_action_overrides = v.failure_action_overrides.clone();
            if let Some(m) = &v.message {
                let mut r = Reader::new(policy.file, diagnostics);
                match Dynamic::compile(&serde_json::Value::String(m.clone())) {
                    Ok(d) => compiled.message = Some(d),
                    Err(e) => {
                        r.error(rule.span, format!("invalid variable in validate.message: {e}"), "in this rule");
                    }
                }
            }
            validate_program(policy, v, diagnostics)
        }
        Body::Mutate(_) => RuleProgram::Unsupported("mutate rules".into()),
        Body::Generate(_) => RuleProgram::Unsupported("generate rules".into()),
        Body::VerifyImages(_) => RuleProgram::Unsupported("verifyImages rules".into()),
    };
    if !unsupported.is_empty() && !matches!(compiled.program, RuleProgram::Unsupported(_)) {
        compiled.program = RuleProgram::Unsupported(unsupported.join(", "));
    }
    let templated = match &compiled.program {
        RuleProgram::Pattern(Slot::Templated(_)) => true,
        RuleProgram::AnyPattern(slots) => slots.iter().any(|s| matches!(s, Slot::Templated(_))),
        _ => false,
    };
    compiled.needs_context =
        templated || !compiled.context.is_empty() || compiled.message.as_ref().is_some_and(|m| !m.is_static());
    compiled
}

fn validate_program(policy: &ir::Policy, v: &ir::Validate, diagnostics: &mut Vec<Diagnostic>) -> RuleProgram {
    let program = match &v.check {
        Check::Pattern(node) => compile_pattern(policy.file, node, diagnostics).map(RuleProgram::Pattern),
        Check::AnyPattern(nodes) => {
            let slots: Vec<Option<Slot>> = nodes.iter().map(|n| compile_pattern(policy.file, n, diagnostics)).collect();
            slots.into_iter().collect::<Option<Vec<_>>>().map(RuleProgram::AnyPattern)
        }
        Check::PodSecurity(node) => podsecurity::compile(policy.file, node, diagnostics).map(RuleProgram::PodSecurity),
        other => Some(RuleProgram::Unsupported(format!("validate.{}", other.name()))),
    };
    program.unwrap_or_else(|| RuleProgram::Unsupported(format!("an invalid {}", v.check.name())))
}
