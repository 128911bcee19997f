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

fn test(c: &CompiledCondition, scope: &mut Scope) -> Result<(bool, String), String> {
    let key = scope.render(&c.key, "").map_err(|e| format!("failed to substitute variables in condition key: {e}"))?;
    let value =
        scope.render(&c.value, "").map_err(|e| format!("failed to substitute variables in condition value: {e}"))?;
    Ok((conditions::evaluate(&c.operator, &key, &value), c.message.clone().unwrap_or_default()))
}

fn join(messages: &[String], separator: &str) -> String {
    messages.iter().filter(|m| !m.is_empty()).cloned().collect::<Vec<_>>().join(separator)
}

/// Evaluates a block. `Err` carries a substitution error.
pub fn evaluate(block: &CompiledConditions, scope: &mut Scope) -> Result<BlockResult, String> {
    match block {
        CompiledConditions::Legacy(list) => {
            let mut true_messages = Vec::new();
            for c in list {
                let (holds, message) = test(c, scope)?;
                if !holds {
                    return Ok(BlockResult { holds: false, message });
                }
                true_messages.push(message);
            }
            Ok(BlockResult { holds: true, message: join(&true_messages, ";") })
        }
        CompiledConditions::AnyAll { any, all } => {
            let (mut true_messages, mut false_messages) = (Vec::new(), Vec::new());
            let mut any_holds = true;
            if let Some(any) = any {
                any_holds = false;
                for c in any {
                    let (holds, message) = test(c, scope)?;
                    if holds {
                        any_holds = true;
                        true_messages.push(message);
                        break;
                    }
                    false_messages.push(message);
                }
            }
            let mut all_hold = true;
            for c in all.iter().flatten() {
                let (holds, message) = test(c, scope)?;
                if !holds {
                    all_hold = false;
                    false_messages.push(message);
                    break;
                }
                true_messages.push(message);
            }
            let holds = any_holds && all_hold;
            let message = if holds { join(&true_messages, "; ") } else { join(&false_messages, "; ") };
            Ok(BlockResult { holds, message })
        }
    }
}
