//! The `In` family (Kyverno `anyin.go`, `allin.go`, `anynotin.go`, `allnotin.go`, and the
//! deprecated `in.go`, `notin.go`).
//!
//! A scalar key (string, or a number or bool through `fmt.Sprint`; not a bool for `In`/`NotIn`)
//! is looked up in the value; a list key is checked element by element (`fmt.Sprint` of each).
//! The value may be a list, a string (a wildcard pattern, a range `a-b`, a JSON array of
//! strings, or a single item), and for `AnyIn`/`AnyNotIn` with a list key also a number or bool
//! (a one-item list). Any other value type makes every operator of the family false, the
//! negated ones included.

use std::borrow::Cow;

use serde_json::Value;

use super::go::{self, StringList};
use super::range;
use crate::wildcard;

/// Which operator of the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Membership {
    /// `In` (deprecated): list keys need every element, exactly (no wildcards).
    In,
    /// `NotIn` (deprecated).
    NotIn,
    /// `AnyIn`.
    AnyIn,
    /// `AllIn`.
    AllIn,
    /// `AnyNotIn`.
    AnyNotIn,
    /// `AllNotIn`.
    AllNotIn,
}

use Membership::*;

/// Evaluates `key <op> value`.
pub(super) fn evaluate(op: Membership, key: &Value, value: &Value) -> bool {
    match key {
        Value::String(k) => scalar(op, k, value),
        // `in.go`/`notin.go` list no `bool` among the scalar key types.
        Value::Bool(_) if matches!(op, In | NotIn) => false,
        Value::Number(_) | Value::Bool(_) => scalar(op, &go::sprint(key), value),
        Value::Array(items) if matches!(op, In | NotIn) => exact_list(op == NotIn, items, value),
        Value::Array(items) => {
            let keys: Vec<Cow<'_, str>> = items.iter().map(go::sprint).collect();
            list(op, &keys, value)
        }
        Value::Null | Value::Object(_) => false,
    }
}

/// `Match(a, b) || Match(b, a)`: a wildcard on either side counts.
fn either_matches(a: &str, b: &str) -> bool {
    wildcard::matches(a, b) || wildcard::matches(b, a)
}

/// A scalar key: `{any,all}KeyExistsInArray` (the same lookup for both), negated for the
/// `Not` operators; `None` from the lookup (an unusable value) is false for all.
fn scalar(op: Membership, key: &str, value: &Value) -> bool {
    let found = match value {
        Value::Array(items) => Some(items.iter().any(|v| either_matches(&go::sprint(v), key))),
        Value::String(v) => scalar_in_string(op, key, v),
        _ => None,
    };
    found.is_some_and(|found| found != matches!(op, NotIn | AnyNotIn | AllNotIn))
}

/// A scalar key against a string value: a wildcard pattern, then a range, then a JSON list of
/// strings compared exactly, then the string itself as a one-item list. `None` (unusable) for
/// JSON that is not a list of strings. The deprecated `In`/`NotIn` have no range check and treat
/// a string that is not JSON as unusable (`in.go` unmarshals without `json.Valid`).
fn scalar_in_string(op: Membership, key: &str, v: &str) -> Option<bool> {
    let deprecated = matches!(op, In | NotIn);
    if wildcard::matches(v, key) {
        return Some(true);
    }
    if !deprecated && range::is_in_range(v) {
        return Some(range::matches(key, v));
    }
    match go::string_list(v) {
        StringList::List(items) => Some(items.iter().any(|item| item == key)),
        StringList::NotJson if !deprecated => Some(key == v),
        StringList::NotJson | StringList::WrongType => None,
    }
}

/// A list key, `AnyIn`/`AllIn`/`AnyNotIn`/`AllNotIn` (`anySetExistsInArray`,
/// `allSetExistsInArray`).
fn list(op: Membership, keys: &[Cow<'_, str>], value: &Value) -> bool {
    let any = matches!(op, AnyIn | AnyNotIn);
    let values: Vec<Cow<'_, str>> = match value {
        Value::Array(items) => items.iter().map(go::sprint).collect(),
        Value::Number(_) | Value::Bool(_) if any => vec![go::sprint(value)],
        Value::String(v) => {
            if let [only] = keys {
                if only == v {
                    return matches!(op, AnyIn | AllIn);
                }
            }
            if range::is_in_range(v) {
                return list_in_range(op, keys, v);
            }
            match go::string_list(v) {
                StringList::List(items) => items.into_iter().map(Cow::Owned).collect(),
                StringList::WrongType => return false,
                StringList::NotJson => vec![Cow::Borrowed(v.as_str())],
            }
        }
        _ => return false,
    };
    let found = |k: &Cow<'_, str>| values.iter().any(|v| either_matches(k, v));
    match op {
        AnyIn => keys.iter().any(found),
        AllIn => keys.iter().all(found),
        AnyNotIn => !keys.iter().all(found),
        _ => !keys.iter().any(found),
    }
}

/// A list key against a range. `AnyNotIn` rewrites the first `-` of the range into `!-` and asks
/// whether some key matches that, exactly as Kyverno does (so `-5-10` becomes `!-5-10`, a
/// negated wildcard rather than a range).
fn list_in_range(op: Membership, keys: &[Cow<'_, str>], v: &str) -> bool {
    match op {
        AnyIn => keys.iter().any(|k| range::matches(k, v)),
        AllIn => keys.iter().all(|k| range::matches(k, v)),
        AnyNotIn => {
            let outside = v.replacen('-', "!-", 1);
            keys.iter().any(|k| range::matches(k, &outside))
        }
        _ => !keys.iter().any(|k| range::matches(k, v)),
    }
}

/// A list key with the deprecated `In`/`NotIn` (`setExistsInArray`): exact string comparison.
///
/// Kyverno type-asserts every key element to `string` and panics on anything else; we treat such
/// a key like the handlers' other unusable inputs: the condition is false (for `NotIn` too).
/// A single-element key equal to a string value is true for both `In` and `NotIn`, as in
/// Kyverno's `setExistsInArray`.
fn exact_list(not_in: bool, items: &[Value], value: &Value) -> bool {
    let Some(keys) = as_strs(items) else {
        return false;
    };
    let all_found = match value {
        Value::Array(vs) => match as_strs(vs) {
            Some(vs) => contains_all(&keys, &vs),
            None => return false,
        },
        Value::String(v) if keys == [v.as_str()] => return true,
        Value::String(v) => match go::string_list(v) {
            StringList::List(vs) => {
                contains_all(&keys, &vs.iter().map(String::as_str).collect::<Vec<_>>())
            }
            StringList::NotJson | StringList::WrongType => return false,
        },
        _ => return false,
    };
    all_found != not_in
}

fn as_strs(items: &[Value]) -> Option<Vec<&str>> {
    items.iter().map(Value::as_str).collect()
}

fn contains_all(keys: &[&str], values: &[&str]) -> bool {
    keys.iter().all(|k| values.contains(k))
}
