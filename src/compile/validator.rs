//! Compiling a `validate` block (and, recursively, its `foreach` entries) into a
//! [`Validator`]: context entries, preconditions and one check.

use crate::diag::{Diagnostic, FileId};
use crate::expr::Expr;
use crate::ir::{self, Check};
use crate::pattern::Pattern;
use crate::syntax::reader::Reader;
use crate::template::Dynamic;
use crate::yaml::{Node, NodeValue};

use super::blocks;
use super::conditions::{self, CompiledConditions};
use super::context::ContextEntry;
use super::podsecurity::{self, PodSecurityProgram};
use super::references;

/// A pattern, compiled when it is constant, kept with its compiled `{{ }}` templates when it
/// holds variables (substituted, then compiled, per request).
#[derive(Debug, Clone)]
pub enum Slot {
    /// Compiled once.
    Ready(Pattern),
    /// Holds variables.
    Templated(Dynamic),
}

/// The one check of a validator.
#[derive(Debug, Clone)]
pub enum ValidatorCheck {
    /// `pattern`.
    Pattern(Slot),
    /// `anyPattern`.
    AnyPattern(Vec<Slot>),
    /// `deny.conditions` (absent conditions deny).
    Deny(Option<CompiledConditions>),
    /// `foreach[]`.
    Foreach(Vec<Foreach>),
    /// `podSecurity`.
    PodSecurity(PodSecurityProgram),
}

/// A rule's validate block, or one `foreach` entry's body.
#[derive(Debug, Clone)]
pub struct Validator {
    /// `context[]` (rule-level entries for the rule, per-element entries for foreach).
    pub context: Vec<ContextEntry>,
    /// `preconditions`.
    pub preconditions: Option<CompiledConditions>,
    /// The check.
    pub check: ValidatorCheck,
}

/// One `foreach` entry.
#[derive(Debug, Clone)]
pub struct Foreach {
    /// `list`: a JMESPath over the context.
    pub list: Expr,
    /// `elementScope`.
    pub element_scope: Option<bool>,
    /// What runs per element.
    pub body: Validator,
}

/// Resolves the `$(...)` references of a pattern or patch (`what`) and compiles its `{{ }}`
/// variables (`{{ @ }}` reads the document `root` names at the value's place), reporting
/// problems at their place in the source.
pub fn compile_dynamic(
    file: FileId,
    node: &Node,
    what: &str,
    root: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Dynamic> {
    let mut value = node.to_json();
    if references::has_references(&value) {
        match references::resolve(&value) {
            Ok(resolved) => value = resolved,
            Err(e) => {
                diagnostics.push(
                    Diagnostic::error(file, node.span, format!("invalid {what}: {e}"))
                        .with_label(format!("in this {what}"))
                        .with_note(format!("a `$(path)` reference must name a string (or, after an operator, a number) of the same {what}")),
                );
                return None;
            }
        }
    }
    match Dynamic::compile_pattern(&value, root) {
        Ok(d) => Some(d),
        Err(e) => {
            diagnostics.push(
                Diagnostic::error(
                    file,
                    node.span_at(e.offset),
                    format!("invalid variable: {e}"),
                )
                .with_label(format!("in this {what}")),
            );
            None
        }
    }
}

/// Compiles a pattern node, reporting problems at their place in the source.
pub fn compile_pattern(
    file: FileId,
    node: &Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Slot> {
    let value = match compile_dynamic(file, node, "pattern", "request.object", diagnostics)? {
        Dynamic::Static(value) => value,
        templated => return Some(Slot::Templated(templated)),
    };
    match Pattern::compile(&value) {
        Ok(p) => Some(Slot::Ready(p)),
        Err(errors) => {
            for e in errors {
                let at = node.at_path(&e.path).unwrap_or(node);
                // Problems with anchors are about the key; the rest about the value.
                let key_span = e.path.split_last().and_then(|(last, parent)| {
                    node.at_path(parent)?.entry(last).map(|(k, _)| k.span)
                });
                let about_key = e.message.contains("anchor") || at.span == node.span;
                let span = match key_span {
                    Some(k) if about_key => k,
                    _ => at.span,
                };
                diagnostics.push(
                    Diagnostic::error(file, span, format!("invalid pattern: {}", e.message))
                        .with_label("in this pattern"),
                );
            }
            None
        }
    }
}

fn any_pattern(file: FileId, node: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<Slot>> {
    let NodeValue::Seq(items) = &node.value else {
        Reader::new(file, diagnostics).type_error(node, "anyPattern", "a list of patterns");
        return None;
    };
    let slots: Vec<Option<Slot>> = items
        .iter()
        .map(|n| compile_pattern(file, n, diagnostics))
        .collect();
    slots.into_iter().collect()
}

fn deny(file: FileId, node: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<ValidatorCheck> {
    let mut r = Reader::new(file, diagnostics);
    let mut obj = r.object(node, "deny")?;
    let conditions = obj.field("conditions").cloned();
    obj.finish(&mut r);
    match conditions {
        None => Some(ValidatorCheck::Deny(None)),
        Some(c) => {
            conditions::compile(file, &c, diagnostics).map(|c| ValidatorCheck::Deny(Some(c)))
        }
    }
}

/// Compiles the validate block of a rule, with the rule's context and preconditions.
pub fn compile_rule_validator(
    file: FileId,
    rule: &ir::Rule,
    v: &ir::Validate,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Validator> {
    let context = blocks::context(file, rule.context.as_ref(), diagnostics);
    let preconditions = blocks::preconditions(file, rule.preconditions.as_ref(), diagnostics);
    let check = match &v.check {
        Check::Pattern(node) => {
            compile_pattern(file, node, diagnostics).map(ValidatorCheck::Pattern)
        }
        Check::AnyPattern(nodes) => {
            let slots: Vec<Option<Slot>> = nodes
                .iter()
                .map(|n| compile_pattern(file, n, diagnostics))
                .collect();
            slots
                .into_iter()
                .collect::<Option<Vec<_>>>()
                .map(ValidatorCheck::AnyPattern)
        }
        Check::Deny(node) => deny(file, node, diagnostics),
        Check::Foreach(node) => foreach_list(file, node, diagnostics).map(ValidatorCheck::Foreach),
        Check::PodSecurity(node) => {
            podsecurity::compile(file, node, diagnostics).map(ValidatorCheck::PodSecurity)
        }
        Check::Cel(_) | Check::Manifests(_) => None,
    };
    Some(Validator {
        context: context?,
        preconditions: preconditions?,
        check: check?,
    })
}

fn foreach_list(
    file: FileId,
    node: &Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<Foreach>> {
    let items = Reader::new(file, diagnostics)
        .list(node, "foreach")?
        .to_vec();
    let compiled: Vec<Option<Foreach>> = items
        .iter()
        .map(|i| foreach_entry(file, i, diagnostics))
        .collect();
    compiled.into_iter().collect()
}

fn foreach_entry(file: FileId, node: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Foreach> {
    let mut r = Reader::new(file, diagnostics);
    let mut obj = r.object(node, "foreach entry")?;
    let list = obj
        .required(&mut r, "list")
        .and_then(|n| r.string(n, "foreach.list"));
    let element_scope = obj
        .field("elementScope")
        .and_then(|n| r.boolean(n, "elementScope"))
        .map(|b| b.value);
    let context = obj.field("context").cloned();
    let preconditions = obj.field("preconditions").cloned();
    let mut checks: Vec<(&'static str, Node)> = Vec::new();
    for field in ["pattern", "anyPattern", "deny", "foreach"] {
        if let Some(n) = obj.field(field) {
            checks.push((field, n.clone()));
        }
    }
    let head = obj.head_span();
    obj.finish(&mut r);
    let expr = blocks::foreach_list(&mut r, &list?)?;
    let (field, check_node) = match checks.len() {
        1 => checks.pop()?,
        0 => {
            r.error(head, "foreach entry has no check", "nothing to validate")
                .notes
                .push("add one of `pattern`, `anyPattern`, `deny` or `foreach`".into());
            return None;
        }
        _ => {
            r.error(
                head,
                "foreach entry has more than one check",
                "several checks",
            );
            return None;
        }
    };
    let context = blocks::context(file, context.as_ref(), diagnostics)?;
    let preconditions = blocks::preconditions(file, preconditions.as_ref(), diagnostics)?;
    let check = match field {
        "pattern" => ValidatorCheck::Pattern(compile_pattern(file, &check_node, diagnostics)?),
        "anyPattern" => ValidatorCheck::AnyPattern(any_pattern(file, &check_node, diagnostics)?),
        "deny" => deny(file, &check_node, diagnostics)?,
        _ => ValidatorCheck::Foreach(foreach_list(file, &check_node, diagnostics)?),
    };
    Some(Foreach {
        list: expr,
        element_scope,
        body: Validator {
            context,
            preconditions,
            check,
        },
    })
}

impl Validator {
    /// Whether evaluating it reads variables.
    pub fn needs_context(&self) -> bool {
        !self.context.is_empty()
            || self.preconditions.is_some()
            || match &self.check {
                ValidatorCheck::Pattern(s) => matches!(s, Slot::Templated(_)),
                ValidatorCheck::AnyPattern(slots) => {
                    slots.iter().any(|s| matches!(s, Slot::Templated(_)))
                }
                ValidatorCheck::Deny(_) | ValidatorCheck::Foreach(_) => true,
                ValidatorCheck::PodSecurity(_) => false,
            }
    }
}
