//! The part of the Kubernetes v1.21.2 OpenAPI schema that strategic merge reads: which lists
//! merge by key, and by which keys. Kyverno merges with kustomize's kyaml, which embeds that
//! schema and looks a resource up by its `apiVersion` and `kind`; kinds it does not know (CRDs,
//! anything newer than 1.21) have no schema, so all their lists are replaced whole. The table is
//! `smp-merge-keys-k8s-v1.21.2.txt` in `../shared/reference/`.

use serde_json::Value;

use crate::lookup;

/// The schema of a value: the fields below it that matter to a merge.
#[derive(Debug, Clone, Copy)]
pub struct Schema(&'static [(&'static str, Field)]);

/// The schema of one field.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    /// An object.
    Object(Schema),
    /// A list whose elements merge by key (`x-kubernetes-patch-strategy: merge`): the keys
    /// (`x-kubernetes-list-map-keys`, else the merge key), none for a list of scalars merged as
    /// a set, and the elements' schema.
    Merge(&'static [&'static str], Option<Schema>),
}

const fn object(fields: &'static [(&'static str, Field)]) -> Field {
    Field::Object(Schema(fields))
}

const fn by(keys: &'static [&'static str]) -> Field {
    Field::Merge(keys, None)
}

const OBJECT_META: Field = object(&[("finalizers", by(&[])), ("ownerReferences", by(&["uid"]))]);

const CONTAINER: Schema = Schema(&[
    ("env", by(&["name"])),
    ("ports", by(&["containerPort", "protocol"])),
    ("volumeDevices", by(&["devicePath"])),
    ("volumeMounts", by(&["mountPath"])),
]);

const EPHEMERAL_CONTAINER: Schema = Schema(&[
    ("env", by(&["name"])),
    ("volumeDevices", by(&["devicePath"])),
    ("volumeMounts", by(&["mountPath"])),
]);

const POD_SPEC: Field = object(&[
    ("containers", Field::Merge(&["name"], Some(CONTAINER))),
    (
        "ephemeralContainers",
        Field::Merge(&["name"], Some(EPHEMERAL_CONTAINER)),
    ),
    ("hostAliases", by(&["ip"])),
    ("imagePullSecrets", by(&["name"])),
    ("initContainers", Field::Merge(&["name"], Some(CONTAINER))),
    (
        "topologySpreadConstraints",
        by(&["topologyKey", "whenUnsatisfiable"]),
    ),
    ("volumes", by(&["name"])),
]);

const POD_TEMPLATE_SPEC: Field = object(&[("metadata", OBJECT_META), ("spec", POD_SPEC)]);

const CONDITIONS: Field = object(&[("conditions", by(&["type"]))]);

const POD: Schema = Schema(&[
    ("metadata", OBJECT_META),
    ("spec", POD_SPEC),
    (
        "status",
        object(&[("conditions", by(&["type"])), ("podIPs", by(&["ip"]))]),
    ),
]);

const POD_TEMPLATE: Schema = Schema(&[("metadata", OBJECT_META), ("template", POD_TEMPLATE_SPEC)]);

/// ReplicationController, ReplicaSet, Deployment, StatefulSet, DaemonSet, Job.
const WORKLOAD: Schema = Schema(&[
    ("metadata", OBJECT_META),
    ("spec", object(&[("template", POD_TEMPLATE_SPEC)])),
    ("status", CONDITIONS),
]);

const CRON_JOB: Schema = Schema(&[
    ("metadata", OBJECT_META),
    (
        "spec",
        object(&[(
            "jobTemplate",
            object(&[
                ("metadata", OBJECT_META),
                ("spec", object(&[("template", POD_TEMPLATE_SPEC)])),
            ]),
        )]),
    ),
]);

const SERVICE: Schema = Schema(&[
    ("metadata", OBJECT_META),
    ("spec", object(&[("ports", by(&["port", "protocol"]))])),
    ("status", CONDITIONS),
]);

const SERVICE_ACCOUNT: Schema = Schema(&[("metadata", OBJECT_META), ("secrets", by(&["name"]))]);

const NODE: Schema = Schema(&[
    ("metadata", OBJECT_META),
    ("spec", object(&[("podCIDRs", by(&[]))])),
    (
        "status",
        object(&[("addresses", by(&["type"])), ("conditions", by(&["type"]))]),
    ),
]);

const WITH_STATUS_CONDITIONS: Schema = Schema(&[("metadata", OBJECT_META), ("status", CONDITIONS)]);

const COMPONENT_STATUS: Schema =
    Schema(&[("metadata", OBJECT_META), ("conditions", by(&["type"]))]);

const WEBHOOK_CONFIGURATION: Schema =
    Schema(&[("metadata", OBJECT_META), ("webhooks", by(&["name"]))]);

const CSI_NODE: Schema = Schema(&[
    ("metadata", OBJECT_META),
    ("spec", object(&[("drivers", by(&["name"]))])),
]);

/// Every other kind of the v1.21.2 API: only its metadata merges lists.
const PLAIN: Schema = Schema(&[("metadata", OBJECT_META)]);

/// The kinds of the v1.21.2 API (enabled by default), by API version.
const KINDS: &[(&str, &[&str])] = &[
    (
        "v1",
        &[
            "Binding",
            "ComponentStatus",
            "ConfigMap",
            "Endpoints",
            "Event",
            "LimitRange",
            "Namespace",
            "Node",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "Pod",
            "PodTemplate",
            "ReplicationController",
            "ResourceQuota",
            "Secret",
            "Service",
            "ServiceAccount",
        ],
    ),
    (
        "admissionregistration.k8s.io/v1",
        &[
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
        ],
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        &[
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
        ],
    ),
    ("apiextensions.k8s.io/v1", &["CustomResourceDefinition"]),
    (
        "apiextensions.k8s.io/v1beta1",
        &["CustomResourceDefinition"],
    ),
    ("apiregistration.k8s.io/v1", &["APIService"]),
    ("apiregistration.k8s.io/v1beta1", &["APIService"]),
    (
        "apps/v1",
        &[
            "ControllerRevision",
            "DaemonSet",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
        ],
    ),
    ("authentication.k8s.io/v1", &["TokenRequest", "TokenReview"]),
    ("authentication.k8s.io/v1beta1", &["TokenReview"]),
    (
        "authorization.k8s.io/v1",
        &[
            "LocalSubjectAccessReview",
            "SelfSubjectAccessReview",
            "SelfSubjectRulesReview",
            "SubjectAccessReview",
        ],
    ),
    (
        "authorization.k8s.io/v1beta1",
        &[
            "LocalSubjectAccessReview",
            "SelfSubjectAccessReview",
            "SelfSubjectRulesReview",
            "SubjectAccessReview",
        ],
    ),
    ("autoscaling/v1", &["HorizontalPodAutoscaler", "Scale"]),
    ("autoscaling/v2beta1", &["HorizontalPodAutoscaler"]),
    ("autoscaling/v2beta2", &["HorizontalPodAutoscaler"]),
    ("batch/v1", &["CronJob", "Job"]),
    ("batch/v1beta1", &["CronJob"]),
    ("certificates.k8s.io/v1", &["CertificateSigningRequest"]),
    (
        "certificates.k8s.io/v1beta1",
        &["CertificateSigningRequest"],
    ),
    ("coordination.k8s.io/v1", &["Lease"]),
    ("coordination.k8s.io/v1beta1", &["Lease"]),
    ("discovery.k8s.io/v1", &["EndpointSlice"]),
    ("discovery.k8s.io/v1beta1", &["EndpointSlice"]),
    ("events.k8s.io/v1", &["Event"]),
    ("events.k8s.io/v1beta1", &["Event"]),
    ("extensions/v1beta1", &["Ingress"]),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        &["FlowSchema", "PriorityLevelConfiguration"],
    ),
    (
        "networking.k8s.io/v1",
        &["Ingress", "IngressClass", "NetworkPolicy"],
    ),
    ("networking.k8s.io/v1beta1", &["Ingress", "IngressClass"]),
    ("node.k8s.io/v1", &["RuntimeClass"]),
    ("node.k8s.io/v1beta1", &["RuntimeClass"]),
    ("policy/v1", &["PodDisruptionBudget"]),
    (
        "policy/v1beta1",
        &["Eviction", "PodDisruptionBudget", "PodSecurityPolicy"],
    ),
    (
        "rbac.authorization.k8s.io/v1",
        &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    ),
    ("scheduling.k8s.io/v1", &["PriorityClass"]),
    ("scheduling.k8s.io/v1beta1", &["PriorityClass"]),
    (
        "storage.k8s.io/v1",
        &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
    ),
    (
        "storage.k8s.io/v1beta1",
        &[
            "CSIDriver",
            "CSINode",
            "CSIStorageCapacity",
            "StorageClass",
            "VolumeAttachment",
        ],
    ),
];

impl Schema {
    /// The schema of a resource type of the v1.21.2 API; `None` for any other type.
    pub fn for_type(api_version: &str, kind: &str) -> Option<Schema> {
        let (_, kinds) = KINDS.iter().find(|(v, _)| *v == api_version)?;
        if !kinds.contains(&kind) {
            return None;
        }
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        Some(match (group, kind) {
            ("", "Pod") => POD,
            ("", "PodTemplate") => POD_TEMPLATE,
            ("", "ReplicationController")
            | ("apps", "DaemonSet" | "Deployment" | "ReplicaSet" | "StatefulSet")
            | ("batch", "Job") => WORKLOAD,
            ("batch", "CronJob") => CRON_JOB,
            ("", "Service") => SERVICE,
            ("", "ServiceAccount") => SERVICE_ACCOUNT,
            ("", "Node") => NODE,
            ("", "Namespace" | "PersistentVolumeClaim")
            | ("apiregistration.k8s.io", _)
            | ("policy", "PodDisruptionBudget") => WITH_STATUS_CONDITIONS,
            ("", "ComponentStatus") => COMPONENT_STATUS,
            ("admissionregistration.k8s.io", _) => WEBHOOK_CONFIGURATION,
            ("storage.k8s.io", "CSINode") => CSI_NODE,
            _ => PLAIN,
        })
    }

    /// The schema of a value that names its own type (`apiVersion` and `kind`), as kyaml
    /// looks one up wherever it has no schema from above.
    pub fn of_value(value: &Value) -> Option<Schema> {
        let api_version = lookup::get(value, "apiVersion")?.as_str()?;
        let kind = lookup::get(value, "kind")?.as_str()?;
        Schema::for_type(api_version, kind)
    }

    /// The schema of a field.
    pub fn field(self, name: &str) -> Option<Field> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }
}
