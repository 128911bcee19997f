//! Compiling condition blocks (`preconditions`, `deny.conditions`, foreach `preconditions`):
//! `{any, all}` or the legacy bare list (= `all`), each condition's key and value with their
//! `{{ }}` templates compiled once.

use crate::conditions::{self, ParsedOperator};
use crate::diag::{Diagnostic, FileId, did_you_mean};
use crate::syntax::reader::Reader;
use crate::template::Dynamic;
use crate::yaml::{Node, NodeValue};

/// One compiled condition.
#[derive(Debug, Clone)]
pub struct CompiledCondition {
    /// `key`.
    pub key: Dynamic,
    /// `operator`.
    pub operator: ParsedOperator,
    /// `value`.
    pub value: Dynamic,
    /// `message`.
    pub message: Option<String>,
}

/// A compiled condition block.
#[derive(Debug, Clone)]
pub enum CompiledConditions {
    /// `{any, all}`: `any` (when present, even empty) needs one true condition, `all` needs every
    /// one; an absent block is true.
    AnyAll {
        /// `any`.
        any: Option<Vec<CompiledCondition>>,
        /// `all`.
        all: Option<Vec<CompiledCondition>>,
    },
    /// The legacy bare list: every condition must be true.
    Legacy(Vec<CompiledCondition>),
}

/// The operator names of Kyverno's CRD enum (plus the `Equal`/`NotEqual` aliases).
const OPERATORS: &[&str] = &[
    "Equals",
    "NotEquals",
    "In",
    "AnyIn",
    "AllIn",
    "NotIn",
    "AnyNotIn",
    "AllNotIn",
    "GreaterThanOrEquals",
    "GreaterThan",
    "LessThanOrEquals",
    "LessThan",
    "DurationGreaterThanOrEquals",
    "DurationGreaterThan",
    "DurationLessThanOrEquals",
    "DurationLessThan",
];

fn compile_condition(r: &mut Reader, node: &Node) -> Option<CompiledCondition> {
    let mut obj = r.object(node, "condition")?;
    let key = obj.field("key");
    let operator = obj
        .required(r, "operator")
        .and_then(|n| r.string(n, "operator"));
    let value = obj.field("value");
    let message = obj
        .field("message")
        .and_then(|n| r.string(n, "condition message"));
    obj.finish(r);
    let operator = operator?;
    let parsed = match conditions::parse_operator(&operator.value) {
        Ok(p) => p,
        Err(_) => {
            let d = r.error(
                operator.span,
                format!("unknown condition operator `{}`", operator.value),
                "unknown operator",
            );
            if let Some(s) = did_you_mean(&operator.value, OPERATORS.iter().copied()) {
                d.notes.push(format!("did you mean `{s}`?"));
            }
            return None;
        }
    };
    if !parsed.canonical {
        let canonical =
            did_you_mean(&operator.value, OPERATORS.iter().copied()).unwrap_or("the CRD spelling");
        r.warning(operator.span, format!("operator `{}` is not spelled as Kyverno's schema spells it", operator.value), "non-canonical spelling")
            .notes
            .push(format!("write `{canonical}`: Kyverno finds the handler case-insensitively, but its numeric and duration comparisons with this spelling are always false"));
    }
    let compile = |r: &mut Reader, n: Option<&Node>| -> Option<Dynamic> {
        let value = n.map(Node::to_json).unwrap_or(serde_json::Value::Null);
        match Dynamic::compile(&value) {
            Ok(d) => Some(d),
            Err(e) => {
                r.error(
                    n.map_or(node.span, |n| n.span_at(e.offset)),
                    format!("invalid variable: {e}"),
                    "here",
                );
                None
            }
        }
    };
    Some(CompiledCondition {
        key: compile(r, key)?,
        operator: parsed,
        value: compile(r, value)?,
        message: message.map(|m| m.value),
    })
}

fn compile_list(r: &mut Reader, node: &Node) -> Option<Vec<CompiledCondition>> {
    let items = r.list(node, "conditions")?;
    let compiled: Vec<Option<CompiledCondition>> =
        items.iter().map(|i| compile_condition(r, i)).collect();
    compiled.into_iter().collect()
}

/// Compiles a condition block; `None` (with diagnostics) when it is invalid.
pub fn compile(
    file: FileId,
    node: &Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<CompiledConditions> {
    let mut r = Reader::new(file, diagnostics);
    match &node.value {
        NodeValue::Seq(_) => Some(CompiledConditions::Legacy(compile_list(&mut r, node)?)),
        NodeValue::Null => Some(CompiledConditions::AnyAll {
            any: None,
            all: None,
        }),
        _ => {
            let mut obj = r.object(node, "conditions")?;
            let any = obj.field("any").map(|n| compile_list(&mut r, n));
            let all = obj.field("all").map(|n| compile_list(&mut r, n));
            obj.finish(&mut r);
            Some(CompiledConditions::AnyAll {
                any: match any {
                    Some(list) => Some(list?),
                    None => None,
                },
                all: match all {
                    Some(list) => Some(list?),
                    None => None,
                },
            })
        }
    }
}
