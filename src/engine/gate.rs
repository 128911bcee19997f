//! What stands before a rule body (or a foreach element's body): its context entries must load
//! and its preconditions must hold.

use super::RuleStatus;
use super::conditions::{self, BlockResult};
use super::scope::{LoadFailure, Scope, Undo};
use crate::compile::{CompiledConditions, ContextEntry};

/// Why a body does not run.
#[derive(Debug, Clone, PartialEq)]
pub enum Closed {
    /// Data only a cluster has was not supplied (the reason).
    Unsupplied(String),
    /// A context entry failed.
    ContextFailed(String),
    /// A precondition could not be evaluated.
    ConditionsFailed(String),
    /// The preconditions do not hold (the messages of the conditions that decided it).
    NotMet(String),
}

impl Closed {
    /// The status and message a rule ends with, in Kyverno's words.
    pub fn into_rule_result(self) -> (RuleStatus, String) {
        match self {
            Closed::Unsupplied(reason) => (RuleStatus::Skip, reason),
            Closed::ContextFailed(e) => (RuleStatus::Error, format!("failed to load context: {e}")),
            Closed::ConditionsFailed(e) => (
                RuleStatus::Error,
                format!("failed to evaluate preconditions: {e}"),
            ),
            Closed::NotMet(message) => {
                (RuleStatus::Skip, join(&["preconditions not met", &message]))
            }
        }
    }
}

/// Loads `context` (recording what to undo) and checks `preconditions`.
pub fn open(
    context: &[ContextEntry],
    preconditions: Option<&CompiledConditions>,
    scope: &mut Scope,
    undo: &mut Undo,
) -> Result<(), Closed> {
    match scope.load(context, undo) {
        Ok(()) => {}
        Err(LoadFailure::Missing(reason)) => return Err(Closed::Unsupplied(reason)),
        Err(LoadFailure::Error(e)) => return Err(Closed::ContextFailed(e)),
    }
    let Some(pre) = preconditions else {
        return Ok(());
    };
    match conditions::evaluate(pre, scope) {
        Err(e) => Err(Closed::ConditionsFailed(e)),
        Ok(BlockResult {
            holds: false,
            message,
        }) => Err(Closed::NotMet(message)),
        Ok(_) => Ok(()),
    }
}

/// Joins the non-empty parts with `; `.
pub fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("; ")
}
