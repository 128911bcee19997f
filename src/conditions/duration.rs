//! The deprecated `DurationGreaterThan`, `DurationGreaterThanOrEquals`, `DurationLessThan`,
//! `DurationLessThanOrEquals` (Kyverno `duration.go`): numbers are seconds (truncated to whole
//! seconds, as Go's `time.Duration(f) * time.Second`), strings must be Go durations; anything
//! else, or a string that does not parse, is false.

use serde_json::Value;

use super::go;
use super::numeric::Comparison;
use crate::duration::Duration;

/// Evaluates `key <cmp> value` as durations.
pub(super) fn evaluate(cmp: Comparison, key: &Value, value: &Value) -> bool {
    match (duration(key), duration(value)) {
        (Some(k), Some(v)) => cmp.holds(k.cmp(&v)),
        _ => false,
    }
}

fn duration(v: &Value) -> Option<Duration> {
    match v {
        Value::Number(_) => go::number(v).map(go::seconds_to_duration),
        Value::String(s) => Duration::parse_value(s),
        _ => None,
    }
}
