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
    /// The kind of the checked object: admission's `request.kind` (Kyverno sets the object's
    /// kind from it), or the object's own `kind` offline.
    pub kind: &'a str,
    /// The namespace of the request: admission's `request.namespace` (Kyverno puts it into the
    /// object), or the object's own offline; always empty for a Namespace.
    pub namespace: &'a str,
    /// What the checked object says about itself.
    pub own: Own<'a>,
}

/// The fields of an object that matching and responses read, found in one pass over its
/// top level and one over its metadata.
#[derive(Debug, Clone, Copy, Default)]
pub struct Own<'a> {
    /// `apiVersion`.
    pub api_version: &'a str,
    /// `kind`.
    pub kind: &'a str,
    /// `metadata.name`.
    pub name: &'a str,
    /// `metadata.generateName`.
    pub generate_name: &'a str,
    /// `metadata.namespace`.
    pub namespace: &'a str,
    /// `metadata.uid`.
    pub uid: &'a str,
    /// `metadata.labels`.
    pub labels: Option<&'a Map<String, Value>>,
    /// `metadata.annotations`.
    pub annotations: Option<&'a Map<String, Value>>,
}

impl<'a> Own<'a> {
    fn of(object: &'a Value) -> Self {
        let mut own = Own::default();
        let Value::Object(top) = object else {
            return own;
        };
        let text = |v: &'a Value| v.as_str().unwrap_or("");
        for (key, value) in top {
            match key.as_str() {
                "apiVersion" => own.api_version = text(value),
                "kind" => own.kind = text(value),
                "metadata" => {
                    let Value::Object(metadata) = value else {
                        continue;
                    };
                    for (key, value) in metadata {
                        match key.as_str() {
                            "name" => own.name = text(value),
                            "generateName" => own.generate_name = text(value),
                            "namespace" => own.namespace = text(value),
                            "uid" => own.uid = text(value),
                            "labels" => own.labels = value.as_object(),
                            "annotations" => own.annotations = value.as_object(),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        own
    }
}

static NULL: Value = Value::Null;

impl<'a> Input<'a> {
    /// The view of a request as it was made.
    pub fn of(request: &'a Request<'a>) -> Self {
        let admission = request.admission;
        let present = |v: &'a Option<Value>| v.as_ref().filter(|v| !v.is_null());
        let object = present(&admission.object);
        let old_object = present(&admission.old_object);
        Input::new(
            request,
            admission.operation,
            object,
            old_object,
            object.or(old_object).unwrap_or(&NULL),
        )
    }

    fn new(
        request: &'a Request<'a>,
        operation: Operation,
        object: Option<&'a Value>,
        old_object: Option<&'a Value>,
        resource: &'a Value,
    ) -> Self {
        let admission = request.admission;
        let own = Own::of(resource);
        let kind = match request.origin {
            Origin::Admission => admission.kind.kind.as_str(),
            Origin::Offline => own.kind,
        };
        let namespace = match (kind, request.origin) {
            ("Namespace", _) => "",
            (_, Origin::Admission) => admission.namespace.as_str(),
            (_, Origin::Offline) => own.namespace,
        };
        Input {
            request,
            operation,
            object,
            old_object,
            resource,
            kind,
            namespace,
            own,
        }
    }

    /// The old object evaluated as a CREATE (Kyverno's `allowExistingViolations` check), if the
    /// request has one.
    pub fn old_as_create(&self) -> Option<Input<'a>> {
        let old = self.old_object?;
        Some(Input::new(
            self.request,
            Operation::Create,
            Some(old),
            None,
            old,
        ))
    }

    /// The same request with another object (the object as mutate rules patched it).
    pub fn with_object<'b>(&self, object: &'b Value) -> Input<'b>
    where
        'a: 'b,
    {
        Input::new(
            self.request,
            self.operation,
            Some(object),
            self.old_object,
            object,
        )
    }

    /// Whether this is a DELETE (variables read `request.oldObject`).
    pub fn is_delete(&self) -> bool {
        self.operation == Operation::Delete
    }

    /// The group, version, kind and subresource that `kinds` selectors match: for admission,
    /// the kind of `request.resource` and `request.subResource` (a `pods/exec` request matches
    /// `Pod/exec`, whatever object it carries); offline, the object's own, unless the request
    /// names a subresource: then `request.kind` is the parent's kind (Kyverno's CLI maps an
    /// object of a subresource's kind, a `Scale`, to its parent, `Deployment/scale`, from the
    /// values file's `subresources`).
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
            Origin::Offline if !admission.sub_resource.is_empty() => Gvk {
                group: &admission.kind.group,
                version: &admission.kind.version,
                kind: &admission.kind.kind,
                subresource: &admission.sub_resource,
            },
            Origin::Offline => Gvk::from_api_version(self.own.api_version, self.kind),
        }
    }

    /// What `match` and `exclude` look at, with the namespace's labels (if known).
    pub fn facts(&self, namespace_labels: Option<&'a Map<String, Value>>) -> Facts<'a> {
        let request = self.request;
        Facts {
            gvk: self.gvk(),
            name: match self.own.name {
                "" => self.own.generate_name,
                name => name,
            },
            namespace: self.namespace,
            labels: self.own.labels,
            annotations: self.own.annotations,
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
/// `pods` to `Pod` whatever the subresource carries. Without discovery, built-in resources come
/// from the table of [`crate::kinds`]; otherwise a subresource that carries the whole object
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
    if let Some(kind) = crate::kinds::kind_of_resource(group, resource) {
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
