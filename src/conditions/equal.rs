//! `Equals` / `NotEquals` (Kyverno `equal.go`, `notequal.go`): dispatch on the key's type.
//!
//! Both operators share one comparison, [`compare`]; they differ only where the types do not
//! line up: `Equals` is then false and `NotEquals` true (kyverno/kyverno#16276). A `null` key is
//! false for both.

use serde_json::Value;

use super::go;
use crate::quantity::Quantity;
use crate::wildcard;

/// The outcome of comparing a key with a value.
enum Cmp {
    /// The types line up and the values are (`true`) or are not equal.
    Equal(bool),
    /// The value's type does not fit the key's.
    Mismatch,
    /// The key's type is not supported at all (`null`).
    Unsupported,
}

/// `Equals` (`negate == false`) or `NotEquals` (`negate == true`).
pub(super) fn evaluate(key: &Value, value: &Value, negate: bool) -> bool {
    match compare(key, value) {
        Cmp::Equal(eq) => eq != negate,
        Cmp::Mismatch => negate,
        Cmp::Unsupported => false,
    }
}

fn compare(key: &Value, value: &Value) -> Cmp {
    match key {
        Value::Null => Cmp::Unsupported,
        Value::Bool(k) => match value {
            Value::Bool(v) => Cmp::Equal(k == v),
            _ => Cmp::Mismatch,
        },
        Value::Number(_) => {
            let k = go::number(key);
            match value {
                Value::Number(_) => Cmp::Equal(go::number(value) == k),
                Value::String(s) => {
                    go::parse_float(s).map_or(Cmp::Mismatch, |v| Cmp::Equal(Some(v) == k))
                }
                _ => Cmp::Mismatch,
            }
        }
        Value::String(k) => compare_string(k, value),
        Value::Array(_) | Value::Object(_) => {
            if std::mem::discriminant(key) == std::mem::discriminant(value) {
                Cmp::Equal(go::deep_equal(key, value))
            } else {
                Cmp::Mismatch
            }
        }
    }
}

/// A string key: durations first (the only cross-type comparison), then quantities when the
/// value is a string too, then the value as a wildcard pattern. A number value against a
/// non-duration string key is a mismatch: `Equals("5", 5)` is false although `Equals(5, "5")`
/// is true (kyverno/kyverno#16358, open).
fn compare_string(k: &str, value: &Value) -> Cmp {
    if let Some((kd, vd)) = go::duration_pair(go::Side::Str(k), go::Side::of(value)) {
        return Cmp::Equal(kd.as_secs_f64() == vd.as_secs_f64());
    }
    let Value::String(v) = value else {
        return Cmp::Mismatch;
    };
    if let Ok(kq) = Quantity::parse_value(k) {
        return Quantity::parse_value(v)
            .map_or(Cmp::Mismatch, |vq| Cmp::Equal(kq.cmp_value(&vq).is_eq()));
    }
    Cmp::Equal(wildcard::matches(v, k))
}
