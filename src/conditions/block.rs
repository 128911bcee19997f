//! Condition blocks (Kyverno `evaluate.go`).
//!
//! `any` is true if one condition is (stopping at the first true), `all` if every one is
//! (stopping at the first false); the block is `any && all`, and an absent `any` or `all`
//! counts as true. A present but empty `any: []` is false. `all` is evaluated even when `any`
//! failed. Messages: when the block is true, those of the conditions found true; when false,
//! those of the conditions found false (from `any`, then `all`); empty messages are skipped
//! (`JoinNonEmpty`) and the rest joined with `"; "`.
//!
//! The legacy form, a bare list, behaves as `all` except that its true messages are joined
//! with `";"` (no space), as Kyverno's `evaluateOldConditions` does.

#[cfg(test)]
use serde_json::Value;

#[cfg(test)]
use super::{ParsedOperator, evaluate};

/// One condition with its key and value already substituted (the shape of Kyverno's
/// `evaluate_test.go` cases).
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The substituted `key`.
    pub key: Value,
    /// The operator.
    pub operator: ParsedOperator,
    /// The substituted `value`.
    pub value: Value,
    /// The optional `message`.
    pub message: Option<String>,
}

/// A conditions block.
#[cfg(test)]
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditions {
    /// `any:`, if present (`Some(vec![])` for `any: []`, which makes the block false).
    pub any: Option<Vec<Condition>>,
    /// `all:`, if present; the legacy bare list goes here too.
    pub all: Option<Vec<Condition>>,
    /// True if the block was written as a bare list (then `any` is `None`).
    pub legacy: bool,
}

/// The result of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockOutcome<'m> {
    /// Whether the block holds.
    pub passed: bool,
    /// The messages that explain it, in evaluation order (conditions without a message, or
    /// with an empty one, contribute nothing).
    pub messages: Vec<&'m str>,
    /// How Kyverno joins them: `"; "`, or `";"` for a true legacy list.
    pub separator: &'static str,
}

impl BlockOutcome<'_> {
    /// The messages joined as Kyverno joins them.
    pub fn message(&self) -> String {
        self.messages.join(self.separator)
    }
}

/// Evaluates a block of substituted conditions.
#[cfg(test)]
pub fn evaluate_block(c: &Conditions) -> BlockOutcome<'_> {
    fn eval(c: &Condition) -> Result<(bool, Option<&str>), std::convert::Infallible> {
        Ok((
            evaluate(&c.operator, &c.key, &c.value),
            c.message.as_deref(),
        ))
    }
    let outcome = match (c.legacy, &c.all) {
        (true, Some(list)) => evaluate_list(list, eval),
        _ => evaluate_any_all(c.any.as_deref(), c.all.as_deref(), eval),
    };
    match outcome {
        Ok(outcome) => outcome,
        Err(never) => match never {},
    }
}

/// Evaluates an `any`/`all` block whose conditions are evaluated on demand by `eval`, which
/// returns the condition's result and message, or an error that stops the block (Kyverno stops
/// at a substitution error or an unknown operator, see [`super::UNKNOWN_OPERATOR`]).
/// Conditions after a short-circuit are never passed to `eval`, so their variables are never
/// resolved, as in Kyverno.
pub fn evaluate_any_all<'m, C, E>(
    any: Option<&'m [C]>,
    all: Option<&'m [C]>,
    mut eval: impl FnMut(&'m C) -> Result<(bool, Option<&'m str>), E>,
) -> Result<BlockOutcome<'m>, E> {
    let mut when_true = Vec::new();
    let mut when_false = Vec::new();
    let keep = |list: &mut Vec<&'m str>, msg: Option<&'m str>| {
        if let Some(m) = msg.filter(|m| !m.is_empty()) {
            list.push(m);
        }
    };
    let mut any_passed = true;
    if let Some(any) = any {
        any_passed = false;
        for c in any {
            let (passed, msg) = eval(c)?;
            if passed {
                any_passed = true;
                keep(&mut when_true, msg);
                break;
            }
            keep(&mut when_false, msg);
        }
    }
    let mut all_passed = true;
    for c in all.unwrap_or_default() {
        let (passed, msg) = eval(c)?;
        if !passed {
            all_passed = false;
            keep(&mut when_false, msg);
            break;
        }
        keep(&mut when_true, msg);
    }
    let passed = any_passed && all_passed;
    Ok(BlockOutcome {
        passed,
        messages: if passed { when_true } else { when_false },
        separator: "; ",
    })
}

/// Evaluates the legacy form, a bare list of conditions (Kyverno `evaluateOldConditions`):
/// like `all`, but true messages are joined with `";"`.
pub fn evaluate_list<'m, C, E>(
    list: &'m [C],
    eval: impl FnMut(&'m C) -> Result<(bool, Option<&'m str>), E>,
) -> Result<BlockOutcome<'m>, E> {
    let outcome = evaluate_any_all(None, Some(list), eval)?;
    Ok(BlockOutcome {
        separator: if outcome.passed { ";" } else { "; " },
        ..outcome
    })
}
