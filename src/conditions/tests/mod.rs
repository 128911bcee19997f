//! Tests for the condition operators. Expected values come from Kyverno's own unit tests
//! (named in each table) unless a comment says otherwise.

mod asymmetries;
mod block;
mod handlers;
mod kyverno_evaluate;
mod support;

use serde_json::Value;

use super::{evaluate, parse_operator};

/// One table row: key, operator as written, value, expected result.
pub(super) type Case = (Value, &'static str, Value, bool);

/// Runs a table, reporting every failing row (index, operator, key, value) at once.
pub(super) fn run_table(name: &str, cases: &[Case]) {
    let failures: Vec<String> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, (key, op, value, want))| {
            let got = match parse_operator(op) {
                Ok(op) => evaluate(&op, key, value),
                Err(e) => return Some(format!("#{i} {op}: {e}")),
            };
            (got != *want).then(|| format!("#{i} {key} {op} {value}: got {got}, want {want}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{name}: {} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Evaluates one condition.
pub(super) fn eval(key: Value, op: &str, value: Value) -> bool {
    parse_operator(op).is_ok_and(|op| evaluate(&op, &key, &value))
}
