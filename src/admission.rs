//! The Kubernetes admission model (`admission.k8s.io/v1`): the `AdmissionReview` an API server
//! sends to a webhook, its `AdmissionRequest`, and the answer: a [`Decision`] and the
//! `AdmissionResponse` it becomes. Every evaluation in Rampart is of an [`AdmissionRequest`]:
//! the webhook's, or one the CLI builds from a resource file ([`AdmissionRequest::for_resource`]).
//!
//! Field names and JSON shapes are Kubernetes': `serde` reads and writes them both ways. Unknown
//! fields of a review are ignored, as Kubernetes' own decoder ignores them (an API server newer
//! than Rampart may send more).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The admission API versions a review may use.
pub const REVIEW_API_VERSIONS: &[&str] = &["admission.k8s.io/v1", "admission.k8s.io/v1beta1"];

/// An admission operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Operation {
    /// CREATE (what the CLI evaluates unless told otherwise).
    #[default]
    Create,
    /// UPDATE.
    Update,
    /// DELETE: the object is gone, `oldObject` holds it.
    Delete,
    /// CONNECT (`pods/exec`, `pods/attach`, ...).
    Connect,
}

impl Operation {
    /// The upper-case name (`CREATE`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }

    /// Parses an upper-case name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "CREATE" => Operation::Create,
            "UPDATE" => Operation::Update,
            "DELETE" => Operation::Delete,
            "CONNECT" => Operation::Connect,
            _ => return None,
        })
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A group, version and kind (`group` is empty for the core group).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GroupVersionKind {
    /// API group.
    #[serde(default)]
    pub group: String,
    /// API version.
    #[serde(default)]
    pub version: String,
    /// Kind.
    #[serde(default)]
    pub kind: String,
}

impl GroupVersionKind {
    /// From an object's `apiVersion` (`apps/v1`, `v1`) and `kind`.
    pub fn from_api_version(api_version: &str, kind: &str) -> Self {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        GroupVersionKind {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    /// `apiVersion` as objects write it (`apps/v1`, or `v1` for the core group).
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// A group, version and resource (the plural name in the URL: `pods`, `deployments`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GroupVersionResource {
    /// API group.
    #[serde(default)]
    pub group: String,
    /// API version.
    #[serde(default)]
    pub version: String,
    /// Resource (plural, lower case).
    #[serde(default)]
    pub resource: String,
}

/// The user who made a request, as the API server authenticated them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// User name (`system:serviceaccount:<ns>:<name>` for service accounts).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// User UID.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    /// Groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Extra attributes from the authenticator.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    /// Whether nothing is known about the user.
    pub fn is_empty(&self) -> bool {
        self.username.is_empty()
            && self.uid.is_empty()
            && self.groups.is_empty()
            && self.extra.is_empty()
    }
}

/// An `admission.k8s.io/v1` `AdmissionRequest`.
///
/// ```
/// use rampart::{AdmissionRequest, Operation};
/// let json = r#"{"uid": "1", "kind": {"group": "", "version": "v1", "kind": "Pod"},
///   "resource": {"group": "", "version": "v1", "resource": "pods"},
///   "namespace": "default", "operation": "CREATE", "userInfo": {"username": "alice"},
///   "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}}"#;
/// let request: AdmissionRequest = serde_json::from_str(json).unwrap();
/// assert_eq!(request.operation, Operation::Create);
/// assert!(request.old_object.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequest {
    /// Identifies this request; the response carries it back.
    pub uid: String,
    /// The kind of the object in the request (`autoscaling/v1 Scale` for `deployments/scale`).
    pub kind: GroupVersionKind,
    /// The resource being requested (`apps/v1 deployments`).
    pub resource: GroupVersionResource,
    /// The subresource (`exec`, `status`, `scale`), empty for the resource itself.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sub_resource: String,
    /// The kind the client asked for, when the API server converted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_kind: Option<GroupVersionKind>,
    /// The resource the client asked for, when the API server converted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_resource: Option<GroupVersionResource>,
    /// The subresource the client asked for.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub request_sub_resource: String,
    /// The object's name (empty on a CREATE with `generateName`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The namespace (empty for cluster-scoped resources).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// The operation.
    pub operation: Operation,
    /// Who asked.
    #[serde(default)]
    pub user_info: UserInfo,
    /// The new object (`null` on DELETE).
    #[serde(default)]
    pub object: Option<Value>,
    /// The existing object (`null` on CREATE and CONNECT).
    #[serde(default)]
    pub old_object: Option<Value>,
    /// Whether the request is a dry run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// The operation's options (`CreateOptions`, ...).
    #[serde(default)]
    pub options: Option<Value>,
}

/// `metadata.<field>` of an object, as a string.
fn metadata_str<'v>(object: &'v Value, field: &str) -> &'v str {
    object
        .get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

impl AdmissionRequest {
    /// A request for a resource read from a file, as Kyverno's CLI builds it: the kind from the
    /// object's `apiVersion` and `kind`, name and namespace from its metadata. CREATE and
    /// CONNECT carry the resource as `object`; UPDATE carries it as both `object` and
    /// `oldObject` (the CLI has no other old object); DELETE as `oldObject`.
    pub fn for_resource(resource: Value, operation: Operation) -> Self {
        let kind = GroupVersionKind::from_api_version(
            resource
                .get("apiVersion")
                .and_then(Value::as_str)
                .unwrap_or(""),
            resource.get("kind").and_then(Value::as_str).unwrap_or(""),
        );
        let plural = resource_for_kind(&kind.kind);
        let name = metadata_str(&resource, "name").to_string();
        let namespace = metadata_str(&resource, "namespace").to_string();
        let (object, old_object) = match operation {
            Operation::Create | Operation::Connect => (Some(resource), None),
            Operation::Update => (Some(resource.clone()), Some(resource)),
            Operation::Delete => (None, Some(resource)),
        };
        AdmissionRequest {
            resource: GroupVersionResource {
                group: kind.group.clone(),
                version: kind.version.clone(),
                resource: plural,
            },
            kind,
            name,
            namespace,
            operation,
            object,
            old_object,
            ..AdmissionRequest::default()
        }
    }

    /// The object the request is about: `object`, or `oldObject` when there is none (DELETE).
    pub fn resource_object(&self) -> Option<&Value> {
        match &self.object {
            Some(o) if !o.is_null() => Some(o),
            _ => self.old_object.as_ref().filter(|o| !o.is_null()),
        }
    }
}

/// The plural, lower-case resource name of a kind, guessed the way Kubernetes guesses it
/// (`Pod` → `pods`, `Ingress` → `ingresses`, `NetworkPolicy` → `networkpolicies`); the CLI
/// has no API server to ask.
pub fn resource_for_kind(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower.is_empty() || lower == "endpoints" {
        return lower;
    }
    if lower.ends_with('s') || lower.ends_with('x') || lower.ends_with("ch") {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

/// `metav1.Status` as an admission response carries it when a request is denied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// `Failure` for a denial.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    /// Why, for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// A machine-readable reason (`Forbidden`), if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// An HTTP status code (403), if any; the API server uses 400 when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
}

/// An `admission.k8s.io/v1` `AdmissionResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionResponse {
    /// The request's `uid`.
    pub uid: String,
    /// Whether the request is admitted.
    pub allowed: bool,
    /// Why it is not (only when denied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// A base64-encoded JSON Patch to apply to the object (mutating webhooks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
    /// `JSONPatch` when there is a patch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch_type: Option<String>,
    /// Annotations for the audit log (the API server prefixes each key with the webhook name).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub audit_annotations: BTreeMap<String, String>,
    /// Warnings shown to the client.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// An `AdmissionReview`: a request from the API server, or the response to it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionReview {
    /// `admission.k8s.io/v1` (or `v1beta1`).
    pub api_version: String,
    /// `AdmissionReview`.
    pub kind: String,
    /// The request (in a review sent to a webhook).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<AdmissionRequest>,
    /// The response (in a review a webhook sends back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<AdmissionResponse>,
}

/// Why a review could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// Not JSON, or not the shape of an `AdmissionReview`.
    #[error("not an AdmissionReview: {0}")]
    Malformed(String),
    /// `apiVersion` or `kind` is not an admission review's.
    #[error(
        "expected apiVersion admission.k8s.io/v1 (or v1beta1) and kind AdmissionReview, got {api_version} {kind}"
    )]
    WrongType {
        /// The `apiVersion` found.
        api_version: String,
        /// The `kind` found.
        kind: String,
    },
    /// The review holds no request.
    #[error("the AdmissionReview has no request")]
    NoRequest,
}

impl AdmissionReview {
    /// Reads a review from JSON and checks that it carries a request.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ReviewError> {
        let review: AdmissionReview =
            serde_json::from_slice(bytes).map_err(|e| ReviewError::Malformed(e.to_string()))?;
        if !REVIEW_API_VERSIONS.contains(&review.api_version.as_str())
            || review.kind != "AdmissionReview"
        {
            return Err(ReviewError::WrongType {
                api_version: review.api_version,
                kind: review.kind,
            });
        }
        if review.request.is_none() {
            return Err(ReviewError::NoRequest);
        }
        Ok(review)
    }

    /// The review that answers this one: same `apiVersion` and `kind`, the response only.
    pub fn respond(&self, response: AdmissionResponse) -> AdmissionReview {
        AdmissionReview {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            request: None,
            response: Some(response),
        }
    }
}

/// The answer to an admission request, before it is addressed to a request `uid`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    /// Whether the request is admitted.
    pub allowed: bool,
    /// The JSON Patch to apply to the admitted object (mutation), empty for none.
    pub patch: Vec<crate::jsonpatch::PatchOp>,
    /// Why it is not (only when denied).
    pub status: Option<Status>,
    /// Warnings for the client.
    pub warnings: Vec<String>,
    /// Audit annotations, by bare key.
    pub audit_annotations: BTreeMap<String, String>,
}

impl Decision {
    /// Admit.
    pub fn allow() -> Self {
        Decision {
            allowed: true,
            ..Decision::default()
        }
    }

    /// Deny with a message (`status: Failure`, no reason or code, as Kyverno answers).
    pub fn deny(message: impl Into<String>) -> Self {
        Decision {
            allowed: false,
            status: Some(Status {
                status: "Failure".into(),
                message: message.into(),
                ..Status::default()
            }),
            ..Decision::default()
        }
    }

    /// Deny with a message, a reason and an HTTP code (`Forbidden`, 403), as Kubernetes' own
    /// admission plugins answer.
    pub fn deny_with(message: impl Into<String>, reason: &str, code: u16) -> Self {
        let mut d = Decision::deny(message);
        if let Some(s) = &mut d.status {
            s.reason = reason.to_string();
            s.code = Some(code);
        }
        d
    }

    /// Adds an audit annotation.
    pub fn annotate(mut self, key: &str, value: impl Into<String>) -> Self {
        self.audit_annotations.insert(key.to_string(), value.into());
        self
    }

    /// The denial message, empty when allowed.
    pub fn message(&self) -> &str {
        self.status.as_ref().map_or("", |s| s.message.as_str())
    }

    /// The response to the request with this `uid`.
    pub fn into_response(self, uid: &str) -> AdmissionResponse {
        let patch = (!self.patch.is_empty()).then(|| {
            use base64::Engine;
            let json = serde_json::to_vec(&self.patch).unwrap_or_default();
            base64::engine::general_purpose::STANDARD.encode(json)
        });
        AdmissionResponse {
            uid: uid.to_string(),
            allowed: self.allowed,
            status: self.status,
            patch_type: patch.as_ref().map(|_| "JSONPatch".to_string()),
            patch,
            audit_annotations: self.audit_annotations,
            warnings: self.warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_read_and_write_kubernetes_json() {
        let wire = json!({
            "uid": "705ab4f5", "kind": {"group": "autoscaling", "version": "v1", "kind": "Scale"},
            "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "subResource": "scale", "name": "web", "namespace": "prod", "operation": "UPDATE",
            "userInfo": {"username": "admin", "groups": ["system:masters"], "extra": {"k": ["v"]}},
            "object": {"kind": "Scale"}, "oldObject": {"kind": "Scale"}, "dryRun": false,
            "options": {"kind": "UpdateOptions"}, "unknownField": 1
        });
        let request: AdmissionRequest = serde_json::from_value(wire.clone()).unwrap_or_default();
        assert_eq!(request.operation, Operation::Update);
        assert_eq!(request.sub_resource, "scale");
        assert_eq!(request.user_info.extra["k"], ["v"]);
        let mut back = serde_json::to_value(&request).unwrap_or_default();
        // Unknown fields are not kept; everything else round-trips.
        if let Some(m) = back.as_object_mut() {
            m.insert("unknownField".into(), json!(1));
        }
        assert_eq!(back, wire);
        // Empty optional fields are left out, as Kubernetes' omitempty; objects stay as null.
        let create = AdmissionRequest::for_resource(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}),
            Operation::Create,
        );
        let written = serde_json::to_value(&create).unwrap_or_default();
        assert_eq!(written["oldObject"], Value::Null);
        assert!(written.get("namespace").is_none() && written.get("subResource").is_none());
        assert_eq!(written["resource"]["resource"], "pods");
    }

    #[test]
    fn missing_required_fields_are_errors() {
        let e = AdmissionReview::from_json(br#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "1"}}"#);
        assert!(matches!(e, Err(ReviewError::Malformed(m)) if m.contains("missing field `kind`")));
        let e = AdmissionReview::from_json(br#"{"apiVersion": "v1", "kind": "Pod"}"#);
        assert!(matches!(e, Err(ReviewError::WrongType { .. })));
        let e = AdmissionReview::from_json(
            br#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}"#,
        );
        assert_eq!(e, Err(ReviewError::NoRequest));
    }

    #[test]
    fn resource_names_of_kinds() {
        for (kind, plural) in [
            ("Pod", "pods"),
            ("Ingress", "ingresses"),
            ("NetworkPolicy", "networkpolicies"),
            ("Gateway", "gateways"),
            ("Endpoints", "endpoints"),
        ] {
            assert_eq!(resource_for_kind(kind), plural);
        }
    }

    #[test]
    fn decisions_become_responses() {
        let r = Decision::deny_with("no", "Forbidden", 403).into_response("u");
        let json = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(
            json,
            json!({"uid": "u", "allowed": false, "status": {"status": "Failure", "message": "no", "reason": "Forbidden", "code": 403}})
        );
    }
}
