//! `GreaterThan`, `GreaterThanOrEquals`, `LessThan`, `LessThanOrEquals` (Kyverno `numeric.go`).
//!
//! A number key compares with a number, a duration string (both as seconds) or a numeric string.
//! A string key tries, in order: durations (either side a duration string, the other may be a
//! number of seconds), quantities (both sides strings), a float key (then as above), and a
//! strict `MAJOR.MINOR.PATCH` semantic version against a version string. Anything else is false.

use std::cmp::Ordering;

use serde_json::Value;

use super::go::{self, Side};
use crate::quantity::Quantity;

/// The comparison a numeric operator asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Comparison {
    /// `>`.
    Greater,
    /// `>=`.
    GreaterOrEqual,
    /// `<`.
    Less,
    /// `<=`.
    LessOrEqual,
}

impl Comparison {
    /// Whether `ord` (key compared with value) satisfies the comparison.
    pub(super) fn holds(self, ord: Ordering) -> bool {
        match self {
            Comparison::Greater => ord.is_gt(),
            Comparison::GreaterOrEqual => ord.is_ge(),
            Comparison::Less => ord.is_lt(),
            Comparison::LessOrEqual => ord.is_le(),
        }
    }

    /// Go's float comparison (`key > value` and so on; false when either is NaN).
    fn floats(self, key: f64, value: f64) -> bool {
        key.partial_cmp(&value).is_some_and(|ord| self.holds(ord))
    }
}

/// Evaluates `key <cmp> value`.
pub(super) fn evaluate(cmp: Comparison, key: &Value, value: &Value) -> bool {
    match key {
        Value::Number(_) => go::number(key).is_some_and(|k| float_key(cmp, k, value)),
        Value::String(k) => string_key(cmp, k, value),
        _ => false,
    }
}

/// `validateValueWithFloatPattern`.
fn float_key(cmp: Comparison, k: f64, value: &Value) -> bool {
    match value {
        Value::Number(_) => go::number(value).is_some_and(|v| cmp.floats(k, v)),
        Value::String(v) => match go::duration_pair(Side::Num(k), Side::Str(v)) {
            Some((kd, vd)) => cmp.floats(kd.as_secs_f64(), vd.as_secs_f64()),
            None => go::parse_float(v).is_some_and(|v| cmp.floats(k, v)),
        },
        _ => false,
    }
}

/// `validateValueWithStringPattern`.
fn string_key(cmp: Comparison, k: &str, value: &Value) -> bool {
    if let Some((kd, vd)) = go::duration_pair(Side::Str(k), Side::of(value)) {
        return cmp.floats(kd.as_secs_f64(), vd.as_secs_f64());
    }
    if let (Ok(kq), Value::String(v)) = (Quantity::parse_value(k), value) {
        if let Ok(vq) = Quantity::parse_value(v) {
            return cmp.holds(kq.cmp_value(&vq));
        }
    }
    if let Some(f) = go::parse_float(k) {
        return float_key(cmp, f, value);
    }
    // blang/semver `Parse`: strict `MAJOR.MINOR.PATCH[-pre][+build]`; build metadata does not
    // take part in the comparison.
    match (semver::Version::parse(k), value) {
        (Ok(kv), Value::String(v)) => {
            semver::Version::parse(v).is_ok_and(|vv| cmp.holds(kv.cmp_precedence(&vv)))
        }
        _ => false,
    }
}
