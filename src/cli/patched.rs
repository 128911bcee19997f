//! `rampart test`'s check of `patchedResources`: the resource a policy's mutate rules left is
//! compared with the document of the same apiVersion, kind, namespace and name in the expected
//! file, as Kyverno compares them (generate labels and `app.kubernetes.io/managed-by` ignored;
//! `null`s, empty maps and empty lists removed; list order significant). A mismatch comes with a
//! line diff of the two, as YAML with sorted keys.

use std::fmt::Write;

use rampart::yaml::to_yaml_string;
use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use super::mutated::sort_keys;

/// Why a patched resource does not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The row's reason: `Resource diff`, or `Resource not found in <file>`.
    pub reason: String,
    /// What to show: the diff, or which resource was looked for.
    pub detail: String,
}

/// `apiVersion/kind/namespace/name` of a resource.
fn identity(v: &Value) -> (String, String, String, String) {
    let text = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (
        text("/apiVersion"),
        text("/kind"),
        text("/metadata/namespace"),
        text("/metadata/name"),
    )
}

/// Compares the actual resource with its document among `expected` (read from `file`).
pub fn compare(actual: &Value, expected: &[Value], file: &str) -> Result<(), Mismatch> {
    let id = identity(actual);
    let Some(want) = expected.iter().find(|e| identity(e) == id) else {
        return Err(Mismatch {
            reason: format!("Resource not found in {file}"),
            detail: format!(
                "{} has no {}/{} named {} in namespace {:?}",
                file, id.0, id.1, id.3, id.2
            ),
        });
    };
    let (got, want) = (normalize(actual), normalize(want));
    if got == want {
        return Ok(());
    }
    Err(Mismatch {
        reason: "Resource diff".into(),
        detail: diff(&want, &got),
    })
}

/// Compares the objects a generate rule created with the documents of the result's
/// `generatedResource(s)` files: every generated object that has a document of its identity
/// must equal it, and at least one must have one (a rule may create more objects than a suite
/// lists).
pub fn compare_generated(actual: &[Value], expected: &[Value], file: &str) -> Result<(), Mismatch> {
    let mut missing = None;
    let mut matched = false;
    for object in actual {
        match compare(object, expected, file) {
            Ok(()) => matched = true,
            Err(m) if m.reason == "Resource diff" => return Err(m),
            Err(m) => {
                missing.get_or_insert(m);
            }
        }
    }
    match (matched, missing) {
        (false, Some(m)) => Err(m),
        _ => Ok(()),
    }
}

/// Kyverno's `FixupGenerateLabels` then `Tidy`.
fn normalize(resource: &Value) -> Value {
    let mut v = resource.clone();
    if let Some(labels) = v
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.retain(|k, _| {
            !k.starts_with("generate.kyverno.io/") && k != "app.kubernetes.io/managed-by"
        });
    }
    tidy(v).unwrap_or(Value::Null)
}

/// Removes `null`s, empty maps and empty lists, recursively; `None` when nothing is left.
fn tidy(v: Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Object(map) => {
            let map: serde_json::Map<String, Value> = map
                .into_iter()
                .filter_map(|(k, v)| tidy(v).map(|v| (k, v)))
                .collect();
            (!map.is_empty()).then_some(Value::Object(map))
        }
        Value::Array(items) => {
            let items: Vec<Value> = items.into_iter().filter_map(tidy).collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        other => Some(other),
    }
}

/// A unified line diff of the expected and actual resources.
fn diff(expected: &Value, actual: &Value) -> String {
    let (want, got) = (
        to_yaml_string(&sort_keys(expected)),
        to_yaml_string(&sort_keys(actual)),
    );
    let mut out = String::from("--- expected\n+++ actual\n");
    let text = TextDiff::from_lines(&want, &got);
    for group in text.grouped_ops(3) {
        for op in group {
            for change in text.iter_changes(&op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                let _ = write!(out, "{sign}{}", change.value());
                if change.missing_newline() {
                    out.push('\n');
                }
            }
        }
        out.push_str("...\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_after_normalisation() {
        let actual = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default", "labels": {"app.kubernetes.io/managed-by": "kyverno"}},
            "spec": {"volumes": [{"name": "v", "emptyDir": {}}], "nodeSelector": null}});
        let expected = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"volumes": [{"name": "v"}]}});
        assert_eq!(compare(&actual, &[expected], "x.yaml"), Ok(()));
    }

    #[test]
    fn a_difference_is_shown_as_a_line_diff() {
        let actual = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"}, "spec": {"a": 1, "b": 2}});
        let expected = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"}, "spec": {"a": 1, "b": 3}});
        let m = compare(&actual, &[expected], "x.yaml").unwrap_err();
        assert_eq!(m.reason, "Resource diff");
        assert!(m.detail.contains("-  b: 3\n+  b: 2\n"), "{}", m.detail);
    }

    #[test]
    fn list_order_matters_and_missing_documents_are_named() {
        let actual = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"}, "spec": {"l": [1, 2]}});
        let reordered = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"}, "spec": {"l": [2, 1]}});
        assert!(compare(&actual, &[reordered], "x.yaml").is_err());
        let other = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "q", "namespace": "default"}});
        let m = compare(&actual, &[other], "x.yaml").unwrap_err();
        assert_eq!(m.reason, "Resource not found in x.yaml");
    }
}
