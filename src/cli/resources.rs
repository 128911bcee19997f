//! What `apply` and `test` share about resources: loading them, defaulting the namespace of
//! namespaced kinds to `default` as Kyverno's CLI does, and namespace labels from Namespace
//! objects.

use rampart::{SourceMap, diag};
use serde_json::{Map, Value};

use super::Output;

/// Built-in kinds that are cluster-scoped (everything else is treated as namespaced).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "CertificateSigningRequest",
    "ComponentStatus",
    "PodSecurityPolicy",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ClusterPolicy",
    "ClusterPolicyReport",
    "ClusterCleanupPolicy",
    "ClusterIssuer",
];

/// Whether a kind is cluster-scoped.
pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

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
    let (mut resources, diagnostics) = match rampart::read_resources(sources, paths) {
        Ok(r) => r,
        Err(e) => {
            out.err(&format!("Error: failed to load resources ({e})\n"));
            return None;
        }
    };
    if !diagnostics.is_empty() {
        out.err(&diag::render_all(&diagnostics, sources, out.color));
        return None;
    }
    resources.iter_mut().for_each(default_namespace);
    Some(resources)
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
