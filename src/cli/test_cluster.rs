//! The cluster of a test: the objects of its `clusterResources` files (Kyverno's
//! `cli.kyverno.io/v1alpha1 ClusterResource`: `spec.resources` inline and `spec.crds` files)
//! and the data of its `globalContextEntries`, with their `fieldPath` and `projections`.

use std::path::{Path, PathBuf};

use rampart::reader::{Reader, Spanned};
use rampart::yaml::Node;
use rampart::{Diagnostic, SourceMap};
use serde_json::{Map, Value};

use super::document::{self, CLI_API_VERSION, Document, Unread};
use super::testfile::GlobalContextMock;

/// One ClusterResource document: the files of its CRDs and its objects.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClusterResource {
    /// `spec.crds`: CustomResourceDefinition files (relative to the test's directory).
    pub crds: Vec<Spanned<PathBuf>>,
    /// `spec.resources`: the objects.
    pub resources: Vec<Value>,
}

/// Reads a ClusterResource file; `base` is the test's directory, which `spec.crds` are
/// relative to.
pub fn load(
    path: &Path,
    base: &Path,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<ClusterResource, Unread> {
    let doc = document::read_one(path, "ClusterResource", sources, diagnostics)?;
    from_document(&doc, base, diagnostics)
}

/// Reads a ClusterResource document.
pub fn from_document(
    doc: &Document,
    base: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<ClusterResource, Unread> {
    document::read_with(doc, diagnostics, |r, node| {
        let mut obj = r.object(node, "ClusterResource")?;
        if let Some(n) = obj.field("apiVersion") {
            r.one_of(n, "apiVersion", &[CLI_API_VERSION]);
        }
        if let Some(kind) = obj.field("kind").and_then(|n| r.string(n, "kind"))
            && kind.value != "ClusterResource"
        {
            r.error(
                kind.span,
                format!(
                    "a `clusterResources` file holds a ClusterResource, not a {}",
                    kind.value
                ),
                "not a ClusterResource",
            )
            .notes
            .push(format!(
                "put the cluster's objects under `spec.resources` of an `apiVersion: {CLI_API_VERSION}`, `kind: ClusterResource` document"
            ));
            return None;
        }
        if let Some(m) = obj.field("metadata") {
            document::metadata(r, m);
        }
        let spec = obj.required(r, "spec").and_then(|s| spec(r, s, base));
        obj.finish(r);
        let spec = spec?;
        for crd in &spec.crds {
            document::check_exists(r, crd);
        }
        Some(spec)
    })
}

fn spec(r: &mut Reader, node: &Node, base: &Path) -> Option<ClusterResource> {
    let mut obj = r.object(node, "ClusterResource spec")?;
    let crds = obj
        .field("crds")
        .map(|n| document::paths(r, n, "crds", base))
        .unwrap_or_default();
    let resources = obj
        .field("resources")
        .and_then(|n| r.list(n, "resources"))
        .map(|items| items.iter().filter_map(|i| object(r, i)).collect())
        .unwrap_or_default();
    obj.finish(r);
    Some(ClusterResource { crds, resources })
}

/// An object of the cluster: a mapping with `apiVersion`, `kind` and `metadata.name`.
pub(super) fn object(r: &mut Reader, node: &Node) -> Option<Value> {
    let entries = r.mapping(node, "cluster object")?;
    let mut ok = true;
    for field in ["apiVersion", "kind"] {
        match node.get(field) {
            Some(n) => ok &= r.string(n, field).is_some(),
            None => {
                let span = entries.first().map_or(node.span, |(k, _)| k.span);
                r.error(
                    span,
                    format!("a cluster object needs `{field}`"),
                    format!("no `{field}`"),
                );
                ok = false;
            }
        }
    }
    match node.get("metadata").and_then(|m| m.get("name")) {
        Some(n) => ok &= r.string(n, "metadata.name").is_some(),
        None => {
            r.error(
                node.span,
                "a cluster object needs `metadata.name`",
                "no name",
            );
            ok = false;
        }
    }
    ok.then(|| node.to_json())
}

/// The data a global context entry answers: its data (or resources), narrowed by `fieldPath`,
/// then shaped by `projections` into an object of named results.
pub fn resolve_global(mock: &GlobalContextMock, files: Vec<Value>) -> Result<Value, String> {
    let mut root = mock.data.clone();
    if let Value::Array(items) = &mut root {
        items.extend(files);
    }
    let search = |path: &str, data: &Value| {
        rampart::expr::parse(path)
            .map_err(|e| e.to_string())
            .and_then(|e| e.evaluate(data).map_err(|e| e.to_string()))
    };
    if let Some(path) = &mock.field_path {
        root = search(path, &root)
            .map_err(|e| format!("globalContextEntries `{}` fieldPath: {e}", mock.name))?;
    }
    if mock.projections.is_empty() {
        return Ok(root);
    }
    let mut out = Map::new();
    for (name, path) in &mock.projections {
        let value = search(path, &root).map_err(|e| {
            format!(
                "globalContextEntries `{}` projection `{name}` path `{path}`: {e}",
                mock.name
            )
        })?;
        out.insert(name.clone(), value);
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mock(
        data: Value,
        field_path: Option<&str>,
        projections: &[(&str, &str)],
    ) -> GlobalContextMock {
        GlobalContextMock {
            name: "g".into(),
            data,
            resource_files: Vec::new(),
            field_path: field_path.map(str::to_string),
            projections: projections
                .iter()
                .map(|(n, p)| ((*n).to_string(), (*p).to_string()))
                .collect(),
        }
    }

    #[test]
    fn global_entries_narrow_by_field_path_then_project() {
        let data = json!({"spec": {"replicas": 3, "tiers": ["a", "b"]}});
        assert_eq!(
            resolve_global(&mock(data.clone(), None, &[]), vec![]),
            Ok(data.clone())
        );
        assert_eq!(
            resolve_global(&mock(data.clone(), Some("spec.replicas"), &[]), vec![]),
            Ok(json!(3))
        );
        assert_eq!(
            resolve_global(
                &mock(
                    data.clone(),
                    Some("spec"),
                    &[("count", "length(tiers)"), ("first", "tiers[0]")]
                ),
                vec![]
            ),
            Ok(json!({"count": 2, "first": "a"}))
        );
        // Resources from files join the inline list.
        let listed = mock(json!([{"kind": "Pod"}]), None, &[("kinds", "[].kind")]);
        assert_eq!(
            resolve_global(&listed, vec![json!({"kind": "Service"})]),
            Ok(json!({"kinds": ["Pod", "Service"]}))
        );
        assert!(resolve_global(&mock(data, Some("spec.["), &[]), vec![]).is_err());
    }
}
