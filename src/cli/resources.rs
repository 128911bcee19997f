//! What `apply` and `test` share about resources: loading them, defaulting the namespace of
//! namespaced kinds to `default` as Kyverno's CLI does, and namespace labels from Namespace
//! objects.

use rampart::kinds::is_cluster_scoped;
use rampart::{Loader, ResourceRef, SourceError, SourceMap, diag};
use serde_json::{Map, Value};

use super::Output;

/// Sets `metadata.namespace: default` on namespaced resources that have none.
pub fn default_namespace(resource: &mut Value) {
    let kind = resource.get("kind").and_then(Value::as_str).unwrap_or("");
    if is_cluster_scoped(kind) {
        return;
    }
    let Some(obj) = resource.as_object_mut() else {
        return;
    };
    let metadata = obj
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(meta) = metadata.as_object_mut() {
        let missing = meta
            .get("namespace")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if missing {
            meta.insert("namespace".into(), Value::String("default".into()));
        }
    }
}

/// `metadata.name` of a value.
pub fn name_of(resource: &Value) -> &str {
    resource
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.namespace` of a value.
pub fn namespace_of(resource: &Value) -> &str {
    resource
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `kind` of a value.
pub fn kind_of(resource: &Value) -> &str {
    resource.get("kind").and_then(Value::as_str).unwrap_or("")
}

/// Loads resources, reporting unreadable documents as diagnostics on standard error.
/// Returns `None` (after reporting) when a file cannot be read at all.
pub fn load(paths: &[String], sources: &mut SourceMap, out: &mut Output) -> Option<Vec<Value>> {
    load_counted(paths, sources, out).map(|(resources, _)| resources)
}

/// Reads resources as [`load`] does, and how many files or documents were left out because
/// they are not Kubernetes resources (each is reported on standard error, once).
pub fn load_counted(
    paths: &[String],
    sources: &mut SourceMap,
    out: &mut Output,
) -> Option<(Vec<Value>, usize)> {
    let read = rampart::read_resources(sources, paths);
    finish(read, sources, out)
}

/// Loads resources as [`load_counted`] does, taking the policy exceptions among them into the
/// loader (`--exceptions-with-resources`) instead of returning them as resources.
pub fn load_with_exceptions(
    paths: &[String],
    loader: &mut Loader,
    out: &mut Output,
) -> Option<(Vec<Value>, usize)> {
    let read = loader.read_resources_with_exceptions(paths);
    finish(read, loader.sources(), out)
}

/// Reports what reading resources found wrong, defaults their namespaces, and counts what was
/// left out.
fn finish(
    read: Result<(Vec<Value>, Vec<diag::Diagnostic>), SourceError>,
    sources: &SourceMap,
    out: &mut Output,
) -> Option<(Vec<Value>, usize)> {
    let (mut resources, diagnostics) = match read {
        Ok(r) => r,
        Err(e) => {
            out.err(&format!("Error: failed to load resources ({e})\n"));
            return None;
        }
    };
    if !diagnostics.is_empty() {
        out.err(&diag::render_all(&diagnostics, sources, out.color));
    }
    resources.iter_mut().for_each(default_namespace);
    Some((resources, diagnostics.len()))
}

/// Warns about policy exceptions among resources that are evaluated as resources, saying how
/// to use them as exceptions (`hint`).
pub fn warn_exceptions(resources: &[Value], hint: &str, out: &mut Output) {
    for r in resources {
        let api = r.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let resource = ResourceRef::new(api, kind_of(r), namespace_of(r), name_of(r), "");
        if let Some(warning) = exception_warning(&resource, hint) {
            out.err(&warning);
        }
    }
}

/// The warning for a policy exception among the resources (it is evaluated as a resource and
/// exempts nothing), saying how to use it as an exception (`hint`); `None` for other resources.
pub fn exception_warning(resource: &ResourceRef, hint: &str) -> Option<String> {
    let exception =
        resource.kind() == "PolicyException" && resource.api_version().starts_with("kyverno.io/");
    exception.then(|| {
        format!(
            "warning: PolicyException {}/{} is among the resources, so it is evaluated as a resource and exempts nothing: {hint}\n",
            resource.namespace(),
            resource.name()
        )
    })
}

/// Applies the scope of custom kinds (`--crd-paths`): resources of a kind a CRD declares
/// `scope: Cluster` have no namespace (not the `default` a namespaced kind gets).
pub fn apply_crd_scopes(resources: &mut [Value], crds: &[Value]) {
    let cluster_kinds: Vec<&str> = crds
        .iter()
        .filter(|c| kind_of(c) == "CustomResourceDefinition")
        .filter(|c| c.pointer("/spec/scope").and_then(Value::as_str) == Some("Cluster"))
        .filter_map(|c| c.pointer("/spec/names/kind").and_then(Value::as_str))
        .collect();
    for resource in resources.iter_mut() {
        if cluster_kinds.contains(&kind_of(resource))
            && let Some(metadata) = resource.get_mut("metadata").and_then(Value::as_object_mut)
        {
            metadata.remove("namespace");
        }
    }
}

/// Labels of the Namespace objects among the resources, by namespace name.
pub fn namespace_labels(resources: &[Value]) -> Vec<(String, Map<String, Value>)> {
    resources
        .iter()
        .filter(|r| kind_of(r) == "Namespace")
        .map(|r| {
            let labels = r
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            (name_of(r).to_string(), labels)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn namespaced_kinds_get_default() {
        let mut pod = json!({"kind": "Pod", "metadata": {"name": "a"}});
        default_namespace(&mut pod);
        assert_eq!(namespace_of(&pod), "default");
        let mut ns = json!({"kind": "Namespace", "metadata": {"name": "a"}});
        default_namespace(&mut ns);
        assert_eq!(namespace_of(&ns), "");
        let mut kept = json!({"kind": "Pod", "metadata": {"name": "a", "namespace": "prod"}});
        default_namespace(&mut kept);
        assert_eq!(namespace_of(&kept), "prod");
    }
}
