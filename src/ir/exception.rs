//! The normalised meaning of a `PolicyException`: defaults applied, `match` in the IR's form.

use super::Match;
use super::lower::lower_match;
use crate::diag::FileId;
use crate::podsecurity::Exclusion;
use crate::syntax::exception::ExceptionDoc;
use crate::yaml::{Node, Span};

/// A normalised policy exception.
#[derive(Debug, Clone)]
pub struct Exception {
    /// Where it was read from.
    pub file: FileId,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, if written.
    pub namespace: Option<String>,
    /// `spec.background` (default true).
    pub background: bool,
    /// `spec.match`; with neither `any` nor `all`, an `any` of no filters (never matches).
    pub match_: Match,
    /// `spec.conditions`, as written.
    pub conditions: Option<Node>,
    /// `spec.exceptions[]`.
    pub targets: Vec<Target>,
    /// `spec.podSecurity[]`.
    pub pod_security: Vec<Exclusion>,
}

/// One `exceptions[]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// `policyName` (wildcards allowed).
    pub policy: String,
    /// Where `policyName` is written.
    pub policy_span: Span,
    /// `ruleNames` (wildcards allowed), each with where it is written.
    pub rules: Vec<(String, Span)>,
}

/// Lowers one policy exception.
pub fn lower_exception(doc: &ExceptionDoc) -> Exception {
    let spec = &doc.spec;
    Exception {
        file: doc.file,
        name: doc.name.value.clone(),
        namespace: doc.namespace.as_ref().map(|n| n.value.clone()),
        background: spec.background.unwrap_or(true),
        match_: lower_match(&spec.match_),
        conditions: spec.conditions.clone(),
        targets: spec
            .exceptions
            .iter()
            .map(|t| Target {
                policy: t.policy_name.value.clone(),
                policy_span: t.policy_name.span,
                rules: t
                    .rule_names
                    .iter()
                    .map(|r| (r.value.clone(), r.span))
                    .collect(),
            })
            .collect(),
        pod_security: spec.pod_security.clone(),
    }
}
