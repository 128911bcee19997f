//! Kyverno's anchor pre-pass over a strategic merge patch (its `strategicPreprocessing`),
//! run against the resource before the merge:
//!
//! - `+(k)`: dropped when the resource has `k`, else written as plain `k`;
//! - `(k)` and `<(k)`: the resource's `k` must match the value (the validate pattern matcher);
//!   a failed condition makes the whole patch a no-op, a failed `<(k)` too;
//! - in a list of maps, an element with anchors is tried against every resource element, and
//!   each element it holds for (and that has a `name`) gets a copy of it with that `name`, so
//!   the merge, keyed by `name`, patches exactly those elements;
//! - then every condition is removed from the patch, and so is every map left empty.

use serde_json::{Map, Value};

use crate::lookup;
use crate::pattern::{Anchor, AnchorKind, Outcome, Pattern, parse_anchor};
use crate::wildcard;

/// Why the pre-pass stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrepError {
    /// A `(k)` condition failed: the patch does nothing.
    Condition(String),
    /// A `<(k)` global condition failed: the patch does nothing.
    Global(String),
    /// The patch cannot be applied to this resource.
    Invalid(String),
}

/// Runs the pre-pass: resolves anchors in `patch` against `resource`.
pub fn preprocess(patch: &mut Value, resource: &Value) -> Result<(), PrepError> {
    walk(patch, Some(resource))?;
    let Value::Object(top) = patch else {
        return Err(PrepError::Invalid(format!(
            "wrong node kind: expected MappingNode but got {}",
            if patch.is_array() {
                "SequenceNode"
            } else {
                "ScalarNode"
            }
        )));
    };
    // Top-level conditions go when their values hold nothing else; their keys keep the
    // parentheses otherwise (as Kyverno leaves them).
    top.retain(|key, value| !delete_anchors(value, is_condition_key(key)));
    Ok(())
}

/// A key's anchor (most keys have none: they are rejected without parsing).
fn anchor(key: &str) -> Option<Anchor<'_>> {
    if key.bytes().any(|b| b == b'(') {
        parse_anchor(key)
    } else {
        None
    }
}

fn anchor_kind(key: &str) -> Option<AnchorKind> {
    anchor(key).map(|a| a.kind)
}

/// `(k)` or `<(k)`.
fn is_condition_key(key: &str) -> bool {
    matches!(
        anchor_kind(key),
        Some(AnchorKind::Condition | AnchorKind::Global)
    )
}

/// Condition, global or add-if-not-present: the anchors mutate resolves.
fn is_mutate_anchor(kind: AnchorKind) -> bool {
    matches!(
        kind,
        AnchorKind::Condition | AnchorKind::Global | AnchorKind::AddIfNotPresent
    )
}

fn walk(patch: &mut Value, resource: Option<&Value>) -> Result<(), PrepError> {
    match patch {
        Value::Object(map) => walk_map(map, resource),
        Value::Array(items) if items.first().is_some_and(Value::is_object) => {
            walk_list(items, resource)
        }
        _ => Ok(()),
    }
}

fn walk_map(map: &mut Map<String, Value>, resource: Option<&Value>) -> Result<(), PrepError> {
    add_if_not_present(map, resource);
    check_conditions(map, resource, AnchorKind::Global)?;
    check_conditions(map, resource, AnchorKind::Condition)?;
    for (key, value) in map.iter_mut() {
        if anchor_kind(key).is_some_and(is_mutate_anchor) {
            continue;
        }
        walk(value, resource.and_then(|r| lookup::get(r, key)))?;
    }
    Ok(())
}

/// Resolves the `+(k)` keys of a map; returns how many there were.
fn add_if_not_present(map: &mut Map<String, Value>, resource: Option<&Value>) -> usize {
    let anchored: Vec<(String, String)> = map
        .keys()
        .filter_map(|k| match anchor(k) {
            Some(a) if a.kind == AnchorKind::AddIfNotPresent => {
                Some((k.clone(), a.key.to_string()))
            }
            _ => None,
        })
        .collect();
    if anchored.is_empty() {
        return 0;
    }
    let present = |key: &str| {
        resource
            .and_then(Value::as_object)
            .is_some_and(|r| r.contains_key(key))
    };
    let renamed = std::mem::take(map);
    for (key, value) in renamed {
        match anchored.iter().find(|(written, _)| *written == key) {
            Some((_, plain)) if present(plain) => {}
            Some((_, plain)) => {
                map.insert(plain.clone(), value);
            }
            None => {
                map.insert(key, value);
            }
        }
    }
    anchored.len()
}

/// Checks a map's conditions of one kind against the resource.
fn check_conditions(
    map: &mut Map<String, Value>,
    resource: Option<&Value>,
    kind: AnchorKind,
) -> Result<(), PrepError> {
    let fail = |message: String| match kind {
        AnchorKind::Global => PrepError::Global(format!("global condition failed: {message}")),
        _ => PrepError::Condition(format!("condition failed: {message}")),
    };
    for (key, value) in map.iter_mut() {
        let Some(anchor) = anchor(key).filter(|a| a.kind == kind) else {
            continue;
        };
        let Some(actual) = resource.and_then(|r| lookup::get(r, anchor.key)) else {
            return Err(fail(format!(
                "could not found \"{}\" key in the resource",
                anchor.key
            )));
        };
        // A condition whose value adds fields holds without being compared.
        if let Value::Object(inner) = value
            && add_if_not_present(inner, Some(actual)) > 0
        {
            continue;
        }
        matches_condition(value, actual).map_err(fail)?;
    }
    Ok(())
}

/// Compares a condition's value with the resource's, as Kyverno does: scalars as their text,
/// through the validate pattern matcher.
fn matches_condition(pattern: &Value, actual: &Value) -> Result<(), String> {
    if let (Some(p), Some(text)) = (plain_wildcard(pattern), scalar_text(actual)) {
        // A scalar without operators is a wildcard match, as the pattern matcher would do it.
        return if wildcard::matches(p, &text) {
            Ok(())
        } else {
            Err(format!("resource value '{text}' does not match '{p}'"))
        };
    }
    let as_text = |v: &Value| match v {
        Value::Object(_) | Value::Array(_) => v.clone(),
        Value::String(_) => v.clone(),
        other => Value::String(other.to_string()),
    };
    let compiled = Pattern::compile_lenient(&as_text(pattern)).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    match compiled.validate(&as_text(actual)) {
        Outcome::Pass => Ok(()),
        Outcome::Fail { message, .. } | Outcome::Skip { message } | Outcome::Error { message } => {
            Err(message)
        }
    }
}

/// A condition value that is a string of plain characters and wildcards (no operator of the
/// pattern language).
fn plain_wildcard(pattern: &Value) -> Option<&str> {
    let s = pattern.as_str()?;
    let plain =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '*' | '?' | '.' | ':' | '/' | '_' | '@');
    (!s.is_empty() && s.chars().all(plain)).then_some(s)
}

/// A scalar's text as the condition compares it.
fn scalar_text(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(std::borrow::Cow::Borrowed(if *b {
            "true"
        } else {
            "false"
        })),
        _ => None,
    }
}

/// Resolves the anchored elements of a list of maps against the resource's elements.
fn walk_list(items: &mut Vec<Value>, resource: Option<&Value>) -> Result<(), PrepError> {
    let elements: &[Value] = match resource {
        None | Some(Value::Null) => &[],
        Some(Value::Array(elements)) => elements,
        Some(other) => {
            return Err(PrepError::Invalid(format!(
                "wrong node kind: expected SequenceNode but got {}: node contents:\n{}",
                if other.is_object() {
                    "MappingNode"
                } else {
                    "ScalarNode"
                },
                serde_json::to_string(other).unwrap_or_default()
            )));
        }
    };
    for i in 0..items.len() {
        if !has_anchors(&items[i], is_mutate_anchor) {
            continue;
        }
        let global = has_anchors(&items[i], |k| k == AnchorKind::Global);
        let mut held_globally = false;
        let mut global_failure = None;
        // One copy serves every resource element: what `+()` resolved for one stays resolved.
        let mut copy = items[i].clone();
        for element in elements {
            match walk(&mut copy, Some(element)) {
                Err(PrepError::Condition(_)) => {}
                Err(PrepError::Global(e)) => global_failure = Some(e),
                Err(e) => return Err(e),
                Ok(()) if global => held_globally = true,
                Ok(()) => link_by_name(items, &copy, element),
            }
        }
        if resource.is_none() {
            match walk(&mut copy, None) {
                Err(PrepError::Condition(_)) => continue,
                Err(e) => return Err(e),
                Ok(()) if global => held_globally = true,
                Ok(()) => {}
            }
        }
        if let (false, Some(e)) = (held_globally, global_failure) {
            return Err(PrepError::Global(e));
        }
    }
    Ok(())
}

/// Appends a copy of a resolved element, without its conditions, named after the resource
/// element it holds for (nothing when that element has no name or nothing is left).
fn link_by_name(items: &mut Vec<Value>, resolved: &Value, element: &Value) {
    let Some(name) = lookup::get(element, "name").filter(|n| !is_nil_or_empty(n)) else {
        return;
    };
    let mut copy = resolved.clone();
    if delete_anchors(&mut copy, true) {
        return;
    }
    if let Value::Object(map) = &mut copy {
        map.insert("name".into(), name.clone());
        items.push(copy);
    }
}

/// `null`, `{}` or `[]`.
fn is_nil_or_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Whether a value holds an anchor of the given kinds anywhere (a string value that reads as
/// a condition counts, whatever the kinds asked).
fn has_anchors(value: &Value, wanted: impl Fn(AnchorKind) -> bool + Copy) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| {
            anchor_kind(k).is_some_and(wanted) || (!is_nil_or_empty(v) && has_anchors(v, wanted))
        }),
        Value::Array(items) => items.iter().any(|i| has_anchors(i, wanted)),
        Value::String(s) => is_condition_key(s),
        _ => false,
    }
}

/// Removes conditions from a value; returns whether nothing is left of it (a scalar is
/// "nothing" when `delete_scalar`, a map when every field went, a list when every element
/// went).
fn delete_anchors(value: &mut Value, delete_scalar: bool) -> bool {
    match value {
        Value::Object(map) => delete_in_map(map),
        Value::Array(items) => delete_in_list(items),
        _ => delete_scalar,
    }
}

fn delete_in_map(map: &mut Map<String, Value>) -> bool {
    let mut kept_condition = false;
    map.retain(|key, value| {
        if !is_condition_key(key) {
            return true;
        }
        let gone = delete_anchors(value, true);
        kept_condition |= !gone;
        !gone
    });
    if kept_condition {
        let stripped = std::mem::take(map);
        for (key, value) in stripped {
            let plain = match anchor(&key) {
                Some(a) if matches!(a.kind, AnchorKind::Condition | AnchorKind::Global) => {
                    a.key.to_string()
                }
                _ => key,
            };
            map.insert(plain, value);
        }
    }
    let mut empty = true;
    map.retain(|_, value| {
        let gone = delete_anchors(value, false);
        empty &= gone;
        !gone
    });
    empty
}

/// Drops the anchored elements (their named copies stay) and the elements left empty.
/// Kyverno deletes by stale indices here and so can drop the wrong elements when a list has
/// several anchored ones (kyverno/kyverno#16862); Rampart drops the elements it means to.
fn delete_in_list(items: &mut Vec<Value>) -> bool {
    let was_empty = items.is_empty();
    let drop: Vec<bool> = items
        .iter_mut()
        .map(|item| has_anchors(item, is_mutate_anchor) || delete_anchors(item, false))
        .collect();
    let mut flags = drop.into_iter();
    items.retain(|_| !flags.next().unwrap_or(false));
    items.is_empty() && !was_empty
}

#[cfg(test)]
mod tests;
