//! Compiling one rule: its matchers and the program of its body.

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::ir::{self, Body, Check, FailureAction, RuleOrigin};
use crate::matching::CompiledMatch;
use crate::pattern::Pattern;
use crate::yaml::{Node, NodeValue};

use super::podsecurity::{self, PodSecurityProgram};

/// A pattern, compiled when it is constant, kept as written when it holds `{{ }}` variables
/// that must be substituted per request first.
#[derive(Debug, Clone)]
pub enum Slot {
    /// Compiled once.
    Ready(Pattern),
    /// Holds variables: substituted, then compiled, at evaluation time.
    Templated(Value),
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
    /// `validate.message`, if any.
    pub message: Option<String>,
    /// The failure action written on the rule (`validate.failureAction`), if any.
    pub failure_action: Option<FailureAction>,
    /// `validate.failureActionOverrides`.
    pub failure_action_overrides: Vec<ir::ActionOverride>,
    /// Whether this is a validate rule (results count as validation).
    pub is_validate: bool,
    /// The body.
    pub program: RuleProgram,
}

fn has_variables_node(node: &Node) -> bool {
    match &node.value {
        NodeValue::String(s) => has_variables(s),
        NodeValue::Seq(items) => items.iter().any(has_variables_node),
        NodeValue::Map(entries) => entries.iter().any(|(k, v)| has_variables(&k.text) || has_variables_node(v)),
        _ => false,
    }
}

/// Whether a string holds a `{{ }}` variable or a `$( )` reference.
fn has_variables(s: &str) -> bool {
    s.contains("{{") || s.contains("$(")
}

/// Compiles a pattern node, reporting problems at their place in the source.
fn compile_pattern(policy: &ir::Policy, node: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Slot> {
    if has_variables_node(node) {
        return Some(Slot::Templated(node.to_json()));
    }
    match Pattern::compile(&node.to_json()) {
        Ok(p) => Some(Slot::Ready(p)),
        Err(errors) => {
            for e in errors {
                let at = node.at_path(&e.path).unwrap_or(node);
                let key_span = parent_key_span(node, &e.path).unwrap_or(at.span);
                let span = if at.span == node.span && !e.path.is_empty() { key_span } else { at.span };
                diagnostics.push(
                    Diagnostic::error(policy.file, span, format!("invalid pattern: {}", e.message))
                        .with_label("in this pattern"),
                );
            }
            None
        }
    }
}

/// The span of the key that holds the value at `path`, for errors about keys (anchors).
fn parent_key_span(node: &Node, path: &[String]) -> Option<crate::yaml::Span> {
    let (last, parent) = path.split_last()?;
    let parent = node.at_path(parent)?;
    parent.entry(last).map(|(k, _)| k.span)
}

pub(super) fn compile_rule(policy: &ir::Policy, rule: &ir::Rule, diagnostics: &mut Vec<Diagnostic>) -> CompiledRule {
    let mut compiled = CompiledRule {
        name: rule.name.clone(),
        origin: rule.origin,
        matcher: CompiledMatch::new(&rule.match_),
        exclude: rule.exclude.as_ref().map(CompiledMatch::new),
        message: None,
        failure_action: None,
        failure_action_overrides: Vec::new(),
        is_validate: false,
        program: RuleProgram::Unsupported(String::new()),
    };
    compiled.program = match &rule.body {
        Body::Validate(v) => {
            compiled.is_validate = true;
            compiled.message = v.message.clone();
            compiled.failure_action = v.failure_action;
            compiled.failure_action_overrides = v.failure_action_overrides.clone();
            validate_program(policy, rule, v, diagnostics)
        }
        Body::Mutate(_) => RuleProgram::Unsupported("mutate rules".into()),
        Body::Generate(_) => RuleProgram::Unsupported("generate rules".into()),
        Body::VerifyImages(_) => RuleProgram::Unsupported("verifyImages rules".into()),
    };
    compiled
}

fn validate_program(
    policy: &ir::Policy,
    rule: &ir::Rule,
    v: &ir::Validate,
    diagnostics: &mut Vec<Diagnostic>,
) -> RuleProgram {
    let mut unsupported = Vec::new();
    if rule.context.is_some() {
        unsupported.push("context entries".to_string());
    }
    if rule.preconditions.is_some() {
        unsupported.push("preconditions".to_string());
    }
    let program = match &v.check {
        Check::Pattern(node) => compile_pattern(policy, node, diagnostics).map(RuleProgram::Pattern),
        Check::AnyPattern(nodes) => {
            let slots: Vec<Option<Slot>> = nodes.iter().map(|n| compile_pattern(policy, n, diagnostics)).collect();
            slots.into_iter().collect::<Option<Vec<_>>>().map(RuleProgram::AnyPattern)
        }
        Check::PodSecurity(node) => podsecurity::compile(policy.file, node, diagnostics).map(RuleProgram::PodSecurity),
        other => {
            unsupported.push(format!("validate.{}", other.name()));
            None
        }
    };
    if v.message.as_deref().is_some_and(has_variables) {
        unsupported.push("variables in messages".to_string());
    }
    let program = program.unwrap_or_else(|| RuleProgram::Unsupported(format!("an invalid {}", v.check.name())));
    let templated = match &program {
        RuleProgram::Pattern(Slot::Templated(_)) => true,
        RuleProgram::AnyPattern(slots) => slots.iter().any(|s| matches!(s, Slot::Templated(_))),
        _ => false,
    };
    if templated {
        unsupported.push("variables in patterns".to_string());
    }
    if unsupported.is_empty() { program } else { RuleProgram::Unsupported(unsupported.join(", ")) }
}
