//! The request as rules see it: which object they check, under which operation, and what
//! `match` and `exclude` look at ([`Facts`]).

use serde_json::{Map, Value};

use super::request::{Origin, Request};
use crate::admission::Operation;
use crate::lookup;
use crate::matching::{Facts, Gvk, User};

/// One evaluation's view of a request. The allowExistingViolations check evaluates a second
/// view of the same request: the old object, as a CREATE.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The request.
    pub request: &'a Request<'a>,
    /// The operation the rules see.
    pub operation: Operation,
    /// `request.object`.
    pub object: Option<&'a Value>,
    /// `request.oldObject`.
    pub old_object: Option<&'a Value>,
    /// What patterns and podSecurity check and what `match` reads names and labels from: the
    /// object, or the old object when there is none (DELETE).
    pub resource: &'a Value,
}

static NULL: Value = Value::Null;

/// `metadata.<field>` of an object, as a string.
fn metadata_str<'v>(object: &'v Value, field: &str) -> &'v str {
    lookup::get(object, "metadata")
        .and_then(|m| lookup::get(m, field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

impl<'a> Input<'a> {
    /// The view of a request as it was made.
    pub fn of(request: &'a Request<'a>) -> Self {
        let admission = request.admission;
        let present = |v: &'a Option<Value>| v.as_ref().filter(|v| !v.is_null());
        let object = present(&admission.object);
        let old_object = present(&admission.old_object);
        Input {
            request,
            operation: admission.operation,
            object,
            old_object,
            resource: object.or(old_object).unwrap_or(&NULL),
        }
    }

    /// The old object evaluated as a CREATE (Kyverno's `allowExistingViolations` check), if the
    /// request has one.
    pub fn old_as_create(&self) -> Option<Input<'a>> {
        let old = self.old_object?;
        Some(Input {
            request: self.request,
            operation: Operation::Create,
            object: Some(old),
            old_object: None,
            resource: old,
        })
    }

    /// Whether this is a DELETE (variables read `request.oldObject`).
    pub fn is_delete(&self) -> bool {
        self.operation == Operation::Delete
    }

    /// The kind of the checked object: admission's `request.kind` (Kyverno sets the object's
    /// kind from it), or the object's own `kind` offline.
    fn object_kind(&self) -> &'a str {
        match self.request.origin {
            Origin::Admission => &self.request.admission.kind.kind,
            Origin::Offline => lookup::get(self.resource, "kind")
                .and_then(Value::as_str)
                .unwrap_or(""),
        }
    }

    /// The namespace of the request: admission's `request.namespace` (Kyverno puts it into the
    /// object), or the object's own offline; always empty for a Namespace.
    pub fn namespace(&self) -> &'a str {
        if self.object_kind() == "Namespace" {
            return "";
        }
        match self.request.origin {
            Origin::Admission => &self.request.admission.namespace,
            Origin::Offline => metadata_str(self.resource, "namespace"),
        }
    }

    /// The group, version, kind and subresource that `kinds` selectors match: for admission,
    /// the kind of `request.resource` and `request.subResource` (a `pods/exec` request matches
    /// `Pod/exec`, whatever object it carries); offline, the object's own.
    fn gvk(&self) -> Gvk<'a> {
        let admission = self.request.admission;
        match self.request.origin {
            Origin::Admission => Gvk {
                group: &admission.resource.group,
                version: &admission.resource.version,
                kind: top_level_kind(
                    &admission.resource.group,
                    &admission.resource.resource,
                    &admission.sub_resource,
                    &admission.kind.kind,
                    self.resource,
                ),
                subresource: &admission.sub_resource,
            },
            Origin::Offline => Gvk::from_api_version(
                lookup::get(self.resource, "apiVersion")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
                self.object_kind(),
            ),
        }
    }

    /// What `match` and `exclude` look at, with the namespace's labels (if known).
    pub fn facts(&self, namespace_labels: Option<&'a Map<String, Value>>) -> Facts<'a> {
        let metadata = lookup::get(self.resource, "metadata").unwrap_or(&NULL);
        let text = |k: &str| {
            lookup::get(metadata, k)
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let mut name = text("name");
        if name.is_empty() {
            name = text("generateName");
        }
        let request = self.request;
        Facts {
            gvk: self.gvk(),
            name,
            namespace: self.namespace(),
            labels: lookup::get(metadata, "labels").and_then(Value::as_object),
            annotations: lookup::get(metadata, "annotations").and_then(Value::as_object),
            namespace_labels,
            operation: self.operation.as_str(),
            user: request.knows_user().then(|| User {
                username: &request.admission.user_info.username,
                groups: &request.admission.user_info.groups,
                roles: request.roles,
                cluster_roles: request.cluster_roles,
            }),
        }
    }
}

/// The kind of a request's resource (not of its subresource): the API server's discovery maps
/// `pods` to `Pod` whatever the subresource carries. Without discovery, built-in resources with
/// subresources come from a table; otherwise a subresource that carries the whole object
/// (`status` of a custom resource) names the kind in `request.kind`, and anything else has an
/// unknown kind (empty), which only `*` kind selectors match.
fn top_level_kind<'a>(
    group: &str,
    resource: &'a str,
    subresource: &str,
    request_kind: &'a str,
    object: &'a Value,
) -> &'a str {
    if subresource.is_empty() {
        return request_kind;
    }
    const BUILT_IN: &[(&str, &str, &str)] = &[
        ("", "pods", "Pod"),
        ("", "services", "Service"),
        ("", "nodes", "Node"),
        ("", "namespaces", "Namespace"),
        ("", "serviceaccounts", "ServiceAccount"),
        ("", "persistentvolumes", "PersistentVolume"),
        ("", "persistentvolumeclaims", "PersistentVolumeClaim"),
        ("", "replicationcontrollers", "ReplicationController"),
        ("", "resourcequotas", "ResourceQuota"),
        ("apps", "deployments", "Deployment"),
        ("apps", "replicasets", "ReplicaSet"),
        ("apps", "statefulsets", "StatefulSet"),
        ("apps", "daemonsets", "DaemonSet"),
        ("batch", "jobs", "Job"),
        ("batch", "cronjobs", "CronJob"),
        (
            "autoscaling",
            "horizontalpodautoscalers",
            "HorizontalPodAutoscaler",
        ),
        ("networking.k8s.io", "ingresses", "Ingress"),
        ("policy", "poddisruptionbudgets", "PodDisruptionBudget"),
        (
            "certificates.k8s.io",
            "certificatesigningrequests",
            "CertificateSigningRequest",
        ),
        (
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            "CustomResourceDefinition",
        ),
        ("apiregistration.k8s.io", "apiservices", "APIService"),
    ];
    if let Some((_, _, kind)) = BUILT_IN
        .iter()
        .find(|(g, r, _)| *g == group && *r == resource)
    {
        return kind;
    }
    let object_kind = lookup::get(object, "kind")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !object_kind.is_empty() && object_kind == request_kind && object_kind != "Scale" {
        return request_kind;
    }
    ""
}
