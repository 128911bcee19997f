//! Compiling one rule: its matchers, message and body.

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::ir::{self, Body, FailureAction, RuleKind};
use crate::matching::CompiledMatch;
use crate::syntax::reader::Reader;
use crate::template::Dynamic;
use crate::yaml::{Node, NodeValue};

use super::exception::CompiledException;
use super::generator::{self, Generator};
use super::mutator::{self, Mutator};
use super::references;
use super::validator::{Validator, compile_rule_validator};

/// What a rule does when it matches.
#[derive(Debug, Clone)]
pub enum RuleProgram {
    /// A validate rule.
    Validate(Validator),
    /// A mutate rule.
    Mutate(Mutator),
    /// A generate rule.
    Generate(Box<Generator>),
    /// A feature this version does not evaluate yet; the rule reports an error naming it.
    Unsupported(String),
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// The rule name (shared with every response of the rule).
    pub name: Arc<str>,
    /// `validation rule '<name>' passed.`, built once.
    pub pass_message: String,
    /// `match`.
    pub matcher: CompiledMatch,
    /// `exclude`.
    pub exclude: Option<CompiledMatch>,
    /// `validate.message`, if any (escaped `\$(…)` references unescaped).
    pub message: Option<Dynamic>,
    /// The message holds a `$(…)` reference. Kyverno resolves references inside the message
    /// itself, where none can be found, so substituting such a message always fails.
    pub message_has_reference: bool,
    /// The failure action written on the rule (`validate.failureAction`), if any.
    pub failure_action: Option<FailureAction>,
    /// `validate.failureActionOverrides`.
    pub failure_action_overrides: Vec<ir::ActionOverride>,
    /// `validate.allowExistingViolations` (default true).
    pub allow_existing_violations: bool,
    /// Validate, mutate, ...
    pub kind: RuleKind,
    /// `reportProperties`.
    pub report_properties: Vec<ReportProperty>,
    /// Whether evaluating the rule reads variables (so the engine builds the context).
    pub needs_context: bool,
    /// Whether the rule mentions `images` (so the engine parses the resource's images).
    pub needs_images: bool,
    /// The body.
    pub program: RuleProgram,
    /// The policy exceptions that name this rule (bound when an engine is built).
    pub exceptions: Vec<Arc<CompiledException>>,
}

pub(super) fn compile_rule(
    policy: &ir::Policy,
    rule: &ir::Rule,
    diagnostics: &mut Vec<Diagnostic>,
) -> CompiledRule {
    let mut compiled = CompiledRule {
        name: Arc::from(rule.name.as_str()),
        pass_message: format!("validation rule '{}' passed.", rule.name),
        matcher: CompiledMatch::new(&rule.match_),
        exclude: rule.exclude.as_ref().map(CompiledMatch::new),
        message: None,
        message_has_reference: false,
        failure_action: None,
        failure_action_overrides: Vec::new(),
        allow_existing_violations: true,
        kind: rule.body.kind(),
        report_properties: Vec::new(),
        needs_context: false,
        needs_images: mentions_images(rule),
        program: RuleProgram::Unsupported(String::new()),
        exceptions: Vec::new(),
    };
    compiled.program = match &rule.body {
        Body::Validate(v) => {
            compiled.failure_action = v.failure_action;
            compiled.failure_action_overrides = v.failure_action_overrides.clone();
            compiled.allow_existing_violations = v.allow_existing_violations;
            if let Some(m) = &v.message {
                let resolved = references::resolve_standalone(m);
                compiled.message_has_reference = resolved.is_none();
                let text = resolved.unwrap_or_else(|| m.clone());
                let text = serde_json::Value::String(text);
                match Dynamic::compile(&text) {
                    Ok(d) => compiled.message = Some(d),
                    Err(e) => {
                        let written = text.as_str().unwrap_or_default();
                        let span = v
                            .message_span
                            .map_or(rule.span, |s| s.at_offset(written, e.offset));
                        Reader::new(policy.file, diagnostics).error(
                            span,
                            format!("invalid variable in validate.message: {e}"),
                            "here",
                        );
                    }
                }
            }
            match v.check {
                ir::Check::Cel(_) | ir::Check::Manifests(_) => {
                    RuleProgram::Unsupported(format!("validate.{}", v.check.name()))
                }
                _ => match compile_rule_validator(policy.file, rule, v, diagnostics) {
                    Some(validator) => RuleProgram::Validate(validator),
                    None => RuleProgram::Unsupported(format!("an invalid {}", v.check.name())),
                },
            }
        }
        Body::Mutate(node) => match mutator::compile(
            policy.file,
            node,
            rule.context.as_ref(),
            rule.preconditions.as_ref(),
            diagnostics,
        ) {
            Some(m) => RuleProgram::Mutate(m),
            None => RuleProgram::Unsupported("an invalid mutate".into()),
        },
        Body::Generate(node) => match generator::compile(
            policy.file,
            node,
            rule.context.as_ref(),
            rule.preconditions.as_ref(),
            diagnostics,
        ) {
            Some(g) => RuleProgram::Generate(Box::new(g)),
            None => RuleProgram::Unsupported("an invalid generate".into()),
        },
        Body::VerifyImages(_) => RuleProgram::Unsupported("verifyImages rules".into()),
    };
    compiled.report_properties = report_properties(policy, rule, diagnostics);
    compiled.needs_context = compiled.message.as_ref().is_some_and(|m| !m.is_static())
        || compiled
            .report_properties
            .iter()
            .any(|p| !p.value.is_static())
        || match &compiled.program {
            RuleProgram::Validate(v) => v.needs_context(),
            RuleProgram::Mutate(m) => m.needs_context(),
            RuleProgram::Generate(g) => g.needs_context(),
            RuleProgram::Unsupported(_) => false,
        };
    compiled
}

/// One `reportProperties` entry.
#[derive(Debug, Clone)]
pub struct ReportProperty {
    /// The key.
    pub key: String,
    /// The value as written (what reports show when the rule stops before substitution).
    pub written: String,
    /// The value, its variables compiled.
    pub value: Dynamic,
}

/// `reportProperties`, their variables compiled.
fn report_properties(
    policy: &ir::Policy,
    rule: &ir::Rule,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ReportProperty> {
    let mut out = Vec::with_capacity(rule.report_properties.len());
    for (key, value, span) in &rule.report_properties {
        match Dynamic::compile(&serde_json::Value::String(value.clone())) {
            Ok(d) => out.push(ReportProperty {
                key: key.clone(),
                written: value.clone(),
                value: d,
            }),
            Err(e) => {
                Reader::new(policy.file, diagnostics).error(
                    span.at_offset(value, e.offset),
                    format!("invalid variable in reportProperties.{key}: {e}"),
                    "here",
                );
            }
        }
    }
    out
}

/// Whether any string of the rule's body, context or preconditions mentions `images`.
fn mentions_images(rule: &ir::Rule) -> bool {
    fn walk(node: &Node) -> bool {
        match &node.value {
            NodeValue::String(s) => s.contains("images"),
            NodeValue::Seq(items) => items.iter().any(walk),
            NodeValue::Map(entries) => entries
                .iter()
                .any(|(k, v)| k.text.contains("images") || walk(v)),
            _ => false,
        }
    }
    let body = match &rule.body {
        Body::Validate(v) => {
            let check = match &v.check {
                ir::Check::AnyPattern(nodes) => nodes.iter().any(walk),
                ir::Check::Pattern(n)
                | ir::Check::Deny(n)
                | ir::Check::Foreach(n)
                | ir::Check::PodSecurity(n)
                | ir::Check::Cel(n)
                | ir::Check::Manifests(n) => walk(n),
            };
            check || v.message.as_deref().is_some_and(|m| m.contains("images"))
        }
        Body::Mutate(n) | Body::Generate(n) | Body::VerifyImages(n) => walk(n),
    };
    body || rule.context.as_ref().is_some_and(walk) || rule.preconditions.as_ref().is_some_and(walk)
}
