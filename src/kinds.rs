//! What the engine knows of Kubernetes kinds without a cluster: the built-in kinds (to catch a
//! misspelled kind in a policy) and which of them are cluster-scoped (every other kind is
//! treated as namespaced, as Kyverno's CLI does), and the resource name of a kind as Kyverno's
//! fake client guesses it.

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

/// Built-in namespaced kinds of Kubernetes (and Kyverno's own), for spelling checks.
const NAMESPACED: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Service",
    "Endpoints",
    "EndpointSlice",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "PersistentVolumeClaim",
    "Ingress",
    "NetworkPolicy",
    "Role",
    "RoleBinding",
    "LimitRange",
    "ResourceQuota",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "Event",
    "Lease",
    "PodTemplate",
    "ControllerRevision",
    "CSIStorageCapacity",
    "PodExecOptions",
    "PodAttachOptions",
    "PodPortForwardOptions",
    "PodProxyOptions",
    "Binding",
    "Eviction",
    "Scale",
    "TokenRequest",
    "Policy",
    "PolicyReport",
    "PolicyException",
    "CleanupPolicy",
    "UpdateRequest",
];

/// The API group and preferred version of built-in kinds (the core group is `""`).
const GROUPS: &[(&str, &str, &str)] = &[
    ("Pod", "", "v1"),
    ("Service", "", "v1"),
    ("Endpoints", "", "v1"),
    ("ConfigMap", "", "v1"),
    ("Secret", "", "v1"),
    ("ServiceAccount", "", "v1"),
    ("PersistentVolumeClaim", "", "v1"),
    ("PersistentVolume", "", "v1"),
    ("Namespace", "", "v1"),
    ("Node", "", "v1"),
    ("ReplicationController", "", "v1"),
    ("LimitRange", "", "v1"),
    ("ResourceQuota", "", "v1"),
    ("Event", "", "v1"),
    ("PodTemplate", "", "v1"),
    ("Binding", "", "v1"),
    ("ComponentStatus", "", "v1"),
    ("Deployment", "apps", "v1"),
    ("StatefulSet", "apps", "v1"),
    ("DaemonSet", "apps", "v1"),
    ("ReplicaSet", "apps", "v1"),
    ("ControllerRevision", "apps", "v1"),
    ("Job", "batch", "v1"),
    ("CronJob", "batch", "v1"),
    ("Ingress", "networking.k8s.io", "v1"),
    ("IngressClass", "networking.k8s.io", "v1"),
    ("NetworkPolicy", "networking.k8s.io", "v1"),
    ("EndpointSlice", "discovery.k8s.io", "v1"),
    ("Role", "rbac.authorization.k8s.io", "v1"),
    ("RoleBinding", "rbac.authorization.k8s.io", "v1"),
    ("ClusterRole", "rbac.authorization.k8s.io", "v1"),
    ("ClusterRoleBinding", "rbac.authorization.k8s.io", "v1"),
    ("HorizontalPodAutoscaler", "autoscaling", "v2"),
    ("PodDisruptionBudget", "policy", "v1"),
    ("Lease", "coordination.k8s.io", "v1"),
    ("StorageClass", "storage.k8s.io", "v1"),
    ("CSIDriver", "storage.k8s.io", "v1"),
    ("CSINode", "storage.k8s.io", "v1"),
    ("CSIStorageCapacity", "storage.k8s.io", "v1"),
    ("VolumeAttachment", "storage.k8s.io", "v1"),
    ("PriorityClass", "scheduling.k8s.io", "v1"),
    ("RuntimeClass", "node.k8s.io", "v1"),
    ("CustomResourceDefinition", "apiextensions.k8s.io", "v1"),
    ("APIService", "apiregistration.k8s.io", "v1"),
    (
        "MutatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        "v1",
    ),
    (
        "ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        "v1",
    ),
    (
        "ValidatingAdmissionPolicy",
        "admissionregistration.k8s.io",
        "v1",
    ),
    (
        "ValidatingAdmissionPolicyBinding",
        "admissionregistration.k8s.io",
        "v1",
    ),
    ("CertificateSigningRequest", "certificates.k8s.io", "v1"),
    ("FlowSchema", "flowcontrol.apiserver.k8s.io", "v1"),
    (
        "PriorityLevelConfiguration",
        "flowcontrol.apiserver.k8s.io",
        "v1",
    ),
    ("ClusterPolicy", "kyverno.io", "v1"),
    ("Policy", "kyverno.io", "v1"),
    ("PolicyException", "kyverno.io", "v2"),
    ("CleanupPolicy", "kyverno.io", "v2"),
    ("ClusterCleanupPolicy", "kyverno.io", "v2"),
    ("UpdateRequest", "kyverno.io", "v2"),
    ("PolicyReport", "wgpolicyk8s.io", "v1alpha2"),
    ("ClusterPolicyReport", "wgpolicyk8s.io", "v1alpha2"),
];

/// The API group and preferred version of a built-in kind (`("apps", "v1")` for a
/// Deployment), `None` for kinds this table does not know (custom resources).
pub fn group_version(kind: &str) -> Option<(&'static str, &'static str)> {
    GROUPS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, g, v)| (*g, *v))
}

/// The built-in kind of a resource of an API group (`("apps", "deployments")` → `Deployment`).
pub fn kind_of_resource(group: &str, resource: &str) -> Option<&'static str> {
    GROUPS
        .iter()
        .find(|(kind, g, _)| *g == group && guess_resource(kind) == resource)
        .map(|(kind, _, _)| *kind)
}

/// Every built-in kind this table knows.
pub fn known() -> impl Iterator<Item = &'static str> {
    NAMESPACED.iter().chain(CLUSTER_SCOPED).copied()
}

/// Whether a kind is a built-in kind this table knows.
pub fn is_known(kind: &str) -> bool {
    known().any(|k| k == kind)
}

/// The resource of a kind as Kyverno's fake client guesses it (Kubernetes'
/// `UnsafeGuessKindToResource`): lower case, then `s` → `ses`, `y` → `ies`, else `+s`.
pub fn guess_resource(kind: &str) -> String {
    let singular = kind.to_lowercase();
    if let Some(stem) = singular.strip_suffix('y') {
        format!("{stem}ies")
    } else if singular.ends_with('s') {
        format!("{singular}es")
    } else if singular.is_empty() {
        singular
    } else {
        format!("{singular}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_of_built_in_kinds_and_kinds_of_resources() {
        assert_eq!(group_version("Deployment"), Some(("apps", "v1")));
        assert_eq!(group_version("Pod"), Some(("", "v1")));
        assert_eq!(group_version("Widget"), None);
        assert_eq!(kind_of_resource("apps", "deployments"), Some("Deployment"));
        assert_eq!(kind_of_resource("", "pods"), Some("Pod"));
        assert_eq!(
            kind_of_resource("policy", "poddisruptionbudgets"),
            Some("PodDisruptionBudget")
        );
        assert_eq!(kind_of_resource("", "deployments"), None);
        // Every built-in kind with a group is a known kind.
        assert!(GROUPS.iter().all(|(kind, _, _)| is_known(kind)));
    }

    #[test]
    fn resources_are_guessed_like_kubernetes() {
        for (kind, resource) in [
            ("ConfigMap", "configmaps"),
            ("NetworkPolicy", "networkpolicies"),
            ("Ingress", "ingresses"),
            ("Endpoints", "endpointses"),
            ("PodDisruptionBudget", "poddisruptionbudgets"),
        ] {
            assert_eq!(guess_resource(kind), resource);
        }
    }
}
