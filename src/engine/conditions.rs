//! Evaluating condition blocks as Kyverno does: each condition's key and value substituted just
//! before it is tested, `any` first (stops at the first true), then `all` (stops at the first
//! false), messages of the deciding conditions joined.

use super::Scope;
use crate::compile::{CompiledCondition, CompiledConditions};
use crate::conditions;

/// The result of a block: whether it holds, and the joined messages.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockResult {
    /// Whether the block holds.
    pub holds: bool,
    /// Messages of the conditions that decided it.
    pub message: String,
}

/// Substitutes a condition's key and value and tests it.
fn test(c: &CompiledCondition, scope: &mut Scope) -> Result<bool, String> {
    let key = scope
        .resolve(&c.key, "")
        .map_err(|e| format!("failed to substitute variables in condition key: {e}"))?;
    let value = scope
        .resolve(&c.value, "")
        .map_err(|e| format!("failed to substitute variables in condition value: {e}"))?;
    Ok(conditions::evaluate(&c.operator, &key, &value))
}

/// Evaluates a block. `Err` carries a substitution error.
pub fn evaluate(block: &CompiledConditions, scope: &mut Scope) -> Result<BlockResult, String> {
    match block {
        CompiledConditions::Legacy(list) => {
            let outcome = conditions::evaluate_list(list, |c: &CompiledCondition| {
                Ok::<_, String>((test(c, scope)?, c.message.as_deref()))
            })?;
            Ok(BlockResult {
                holds: outcome.passed,
                message: outcome.message(),
            })
        }
        CompiledConditions::AnyAll { any, all } => {
            let outcome = conditions::evaluate_any_all(
                any.as_deref(),
                all.as_deref(),
                |c: &CompiledCondition| Ok::<_, String>((test(c, scope)?, c.message.as_deref())),
            )?;
            Ok(BlockResult {
                holds: outcome.passed,
                message: outcome.message(),
            })
        }
    }
}
