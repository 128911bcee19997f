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
