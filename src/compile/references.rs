//! `$(path)` references inside a pattern: a string leaf may name another leaf of the same
//! pattern (`memory: "$(<=./../../limits/memory)"`), resolved when the policy is compiled, as
//! Kyverno's `substituteReferences` does before evaluating a pattern:
//!
//! - the path is relative to the leaf's own path (`./..` is its map) or absolute (`/spec/...`),
//!   and anchors are ignored when paths are compared (`=(memory)` is `memory`);
//! - an operator prefix is kept (`<=`, `>=`, `<`, `>`, `!`) and the value must then be a string
//!   or a number; without operator the value must be a string;
//! - `\$(...)` is not a reference: the backslash is removed.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::pattern::parse_anchor;

/// A reference not preceded by a backslash, and one that is.
static REFERENCE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(^|[^\\])(\$\([^ )]+\))").ok());
static ESCAPED: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\\(\$\([^ )]+\))").ok());

/// Whether any string of the value holds a reference.
pub fn has_references(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains("$("),
        Value::Array(items) => items.iter().any(has_references),
        Value::Object(map) => map.values().any(has_references),
        _ => false,
    }
}

/// Resolves every reference of a pattern. `Err` names the reference that cannot be resolved.
pub fn resolve(pattern: &Value) -> Result<Value, String> {
    let mut out = pattern.clone();
    resolve_in(pattern, &mut out, &mut Vec::new())?;
    Ok(out)
}

/// A string substituted on its own, as Kyverno substitutes a rule message: a reference can only
/// point inside the string itself, so any reference fails (`None`); escaped ones lose their
/// backslash.
pub fn resolve_standalone(text: &str) -> Option<String> {
    let (Some(reference), Some(escaped)) = (REFERENCE.as_ref(), ESCAPED.as_ref()) else {
        return Some(text.to_string());
    };
    if reference.is_match(text) {
        return None;
    }
    Some(escaped.replace_all(text, "$1").into_owned())
}

fn resolve_in(doc: &Value, node: &mut Value, path: &mut Vec<String>) -> Result<(), String> {
    match node {
        Value::String(s) if s.contains("$(") => {
            let here = format!("/{}", path.join("/"));
            *s = resolve_string(doc, s, &here)?;
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                path.push(i.to_string());
                resolve_in(doc, item, path)?;
                path.pop();
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                path.push(k.clone());
                resolve_in(doc, v, path)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

fn resolve_string(doc: &Value, text: &str, here: &str) -> Result<String, String> {
    let (Some(reference), Some(escaped)) = (REFERENCE.as_ref(), ESCAPED.as_ref()) else {
        return Ok(text.to_string());
    };
    let mut out = text.to_string();
    for caps in reference.captures_iter(text) {
        let Some(found) = caps.get(2) else { continue };
        let r = found.as_str();
        let resolved = resolve_reference(doc, r, here)
            .ok_or_else(|| format!("reference {r} not resolved at path {here}"))?;
        out = out.replacen(r, &resolved, 1);
    }
    Ok(escaped.replace_all(&out, "$1").into_owned())
}

fn resolve_reference(doc: &Value, reference: &str, here: &str) -> Option<String> {
    let inner = reference.strip_prefix("$(")?.strip_suffix(')')?;
    let operator = ["<=", ">=", "<", ">", "!"]
        .into_iter()
        .find(|op| inner.len() >= 2 && inner.starts_with(op));
    let target = operator.map_or(inner, |op| &inner[op.len()..]);
    if target.is_empty() {
        return None;
    }
    let absolute = if target.starts_with('/') {
        normalize(target)
    } else {
        normalize(&format!("{here}/{target}"))
    };
    let value = lookup(doc, &absolute)?;
    match (operator, value) {
        (None, Value::String(s)) => Some(s.clone()),
        (None, _) => None,
        (Some(op), Value::String(s)) => Some(format!("{op}{s}")),
        // Kyverno reads the rule through JSON, so every number is a float printed with `%f`.
        (Some(op), Value::Number(n)) => Some(format!("{op}{:.6}", n.as_f64().unwrap_or(0.0))),
        _ => None,
    }
}

/// `path.Clean` for slash paths: drops `.` and empty segments, applies `..`.
fn normalize(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s.to_string()),
        }
    }
    out
}

/// The value at `path`, comparing map keys with their anchors removed.
fn lookup<'a>(doc: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut node = doc;
    for seg in path {
        node = match node {
            Value::Object(map) => map
                .iter()
                .find(|(k, _)| parse_anchor(k).map_or(k.as_str(), |a| a.key) == seg)
                .map(|(_, v)| v)?,
            Value::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_standalone_string_resolves_no_reference() {
        assert_eq!(
            resolve_standalone("plain {{ x }}"),
            Some("plain {{ x }}".into())
        );
        assert_eq!(
            resolve_standalone(r"cost \$(./a) ok"),
            Some("cost $(./a) ok".into())
        );
        assert_eq!(
            resolve_standalone("must be $(./../pattern/metadata/name)"),
            None
        );
        assert_eq!(resolve_standalone("$(/)"), None);
    }

    #[test]
    fn relative_absolute_and_operators() {
        let pattern = json!({"spec": {"containers": [{"resources": {
            "requests": {"=(memory)": "$(<=./../../limits/memory)", "cpu": "$(/spec/containers/0/resources/limits/cpu)"},
            "limits": {"memory": "2Gi", "cpu": "500m", "n": 2}
        }}]}});
        let resolved = resolve(&pattern).unwrap_or_default();
        let requests = &resolved["spec"]["containers"][0]["resources"]["requests"];
        assert_eq!(requests["=(memory)"], json!("<=2Gi"));
        assert_eq!(requests["cpu"], json!("500m"));
        let numeric = json!({"a": {"n": 2, "m": "$(>./../n)"}});
        assert_eq!(
            resolve(&numeric).unwrap_or_default()["a"]["m"],
            json!(">2.000000")
        );
    }

    #[test]
    fn unresolvable_and_escaped() {
        assert!(resolve(&json!({"a": "$(./missing)"})).is_err());
        assert!(
            resolve(&json!({"a": {"b": 1, "c": "$(./../b)"}})).is_err(),
            "a number without operator"
        );
        assert_eq!(
            resolve(&json!({"a": "\\$(./x)"})).unwrap_or_default(),
            json!({"a": "$(./x)"})
        );
        assert!(!has_references(&json!({"a": "x"})));
    }
}
