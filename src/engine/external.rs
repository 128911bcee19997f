//! Data from outside the request that policies ask for: API calls, ConfigMaps, global context
//! entries and namespace labels. The caller answers through [`ExternalData`]: the CLI from values
//! files and a test's mocks, a webhook from its cluster client.

use std::fmt;

use serde_json::{Map, Value};

use crate::matching::Selector;
use crate::wildcard;

/// An `apiCall` context entry's request, with its variables substituted.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCall<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// What is called.
    pub target: ApiTarget<'a>,
    /// The `POST` body built from `data` (`{key: value, ...}`), if any.
    pub data: Option<&'a Value>,
}

/// Where an API call goes.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiTarget<'a> {
    /// A Kubernetes API path (`/api/v1/namespaces/prod/pods`), as `kubectl get --raw` takes it.
    UrlPath(&'a str),
    /// An HTTP(S) service.
    Service {
        /// The URL.
        url: &'a str,
        /// `caBundle`: PEM certificates to trust, if given.
        ca_bundle: Option<&'a str>,
        /// `headers`: name and value pairs.
        headers: &'a [(String, String)],
    },
}

/// Existing resources a rule asks for: the targets of a mutate-existing rule
/// (`mutate.targets[]`), or the clone sources and existing targets of a generate rule. Its
/// variables are substituted.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceQuery<'a> {
    /// What the resources are for. A cluster answers both alike; an offline source may hold
    /// different sets, as Kyverno's CLI does (`--target-resources` for mutate-existing rules,
    /// the given resources and clone sources for generate rules).
    pub purpose: ResourcePurpose,
    /// `apiVersion` (`v1`, `apps/v1`; empty: any).
    pub api_version: &'a str,
    /// `kind`.
    pub kind: &'a str,
    /// The namespace (wildcards allowed; empty: any).
    pub namespace: &'a str,
    /// The name (wildcards allowed; empty: any).
    pub name: &'a str,
    /// A label selector (`matchLabels`, `matchExpressions`), if given.
    pub selector: Option<&'a Value>,
}

/// Why a rule asks for existing resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourcePurpose {
    /// The targets a mutate-existing rule patches.
    MutateTarget,
    /// A generate rule's clone sources, and whether its target exists already.
    Generate,
}

impl ResourceQuery<'_> {
    /// Whether a resource is one the query asks for (for implementations that hold a list, as
    /// Kyverno's CLI does: the group of the API version is not compared).
    pub fn matches(&self, resource: &Value) -> bool {
        let text = |pointer: &str| {
            resource
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let wild =
            |pattern: &str, value: &str| pattern.is_empty() || wildcard::matches(pattern, value);
        let version = |api_version: &str| api_version.rsplit('/').next().unwrap_or("").to_string();
        // Offline sources are keyed as Kyverno's fake client is: by version and kind.
        (self.api_version.is_empty() || version(text("/apiVersion")) == version(self.api_version))
            && text("/kind") == self.kind
            && wild(self.namespace, text("/metadata/namespace"))
            && wild(self.name, text("/metadata/name"))
            && self.selector.is_none_or(|s| {
                let labels = resource
                    .pointer("/metadata/labels")
                    .and_then(Value::as_object);
                Selector::from_json(s).is_some_and(|s| s.matches(labels))
            })
    }
}

/// Why external data could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExternalError {
    /// Nothing can answer this kind of question here (an offline run without mocks): the rule
    /// that needs it is skipped, with a message saying what was missing.
    #[error("no data source was supplied")]
    NotSupplied,
    /// The object asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The source answered with an error.
    #[error("{0}")]
    Failed(String),
}

/// Answers the questions context entries and matching ask of the cluster. Every method has a
/// default that knows nothing ([`ExternalError::NotSupplied`], no labels), so an implementation
/// only writes what it can answer. `Send + Sync`: one source serves every evaluation.
pub trait ExternalData: Send + Sync + fmt::Debug {
    /// The JSON body an API call answers.
    fn api_call(&self, call: &ApiCall<'_>) -> Result<Value, ExternalError> {
        let _ = call;
        Err(ExternalError::NotSupplied)
    }

    /// A ConfigMap, as the API returns it (the engine keeps its `data` and `metadata`).
    fn config_map(&self, namespace: &str, name: &str) -> Result<Value, ExternalError> {
        let _ = (namespace, name);
        Err(ExternalError::NotSupplied)
    }

    /// The data of a global context entry (`globalReference`).
    fn global_context(&self, name: &str) -> Result<Value, ExternalError> {
        let _ = name;
        Err(ExternalError::NotSupplied)
    }

    /// The resources a mutate-existing rule targets.
    fn resources(&self, query: &ResourceQuery<'_>) -> Result<Vec<Value>, ExternalError> {
        let _ = query;
        Err(ExternalError::NotSupplied)
    }

    /// The labels of a namespace, for `namespaceSelector` and failure action overrides; `None`
    /// when the namespace is unknown (its labels are then taken to be empty).
    fn namespace_labels(&self, namespace: &str) -> Option<Map<String, Value>> {
        let _ = namespace;
        None
    }
}

/// Knows nothing: every question is [`ExternalError::NotSupplied`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoExternalData;

impl ExternalData for NoExternalData {}

/// Kyverno's guard on the `urlPath` of a namespaced `Policy`'s API call: the path, percent-decoded
/// and cleaned as Go's `path.Clean` does, must name the policy's own namespace
/// (`/api/v1/namespaces/<ns>/...`, `/apis/<group>/<version>/namespaces/<ns>/...`).
pub(crate) fn namespace_guard(url_path: &str, own: &str) -> Result<(), String> {
    let cleaned = clean_path(&percent_decode(url_path));
    let segments: Vec<&str> = cleaned.split('/').collect();
    // ["", "api", version, "namespaces", ns, ...] or ["", "apis", group, version, "namespaces", ns, ...]
    let at = match segments.get(1) {
        Some(&"api") => 3,
        Some(&"apis") => 4,
        _ => usize::MAX,
    };
    let named = match (segments.get(at), segments.get(at + 1)) {
        (Some(&"namespaces"), Some(ns)) if !ns.is_empty() => Some(*ns),
        _ => None,
    };
    match named {
        Some(ns) if ns == own => Ok(()),
        Some(ns) => Err(format!(
            "path {cleaned} refers to namespace {ns}, which is different from the policy namespace {own}"
        )),
        None => Err(format!(
            "path {cleaned} does not contain a namespace segment, which is required for namespaced policies"
        )),
    }
}

/// `%XX` sequences decoded (an invalid one is kept as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes.get(i),
            bytes.get(i + 1).and_then(|b| hex(*b)),
            bytes.get(i + 2).and_then(|b| hex(*b)),
        ) {
            (Some(b'%'), Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (Some(b), _, _) => {
                out.push(*b);
                i += 1;
            }
            (None, _, _) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's `path.Clean`: no empty or `.` segments, `..` removes the segment before it (never above
/// the root), `.` for an empty relative path.
fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod guard_tests {
    use super::namespace_guard;

    #[test]
    fn namespaced_policies_call_only_their_namespace() {
        assert_eq!(
            namespace_guard("/api/v1/namespaces/default/pods", "default"),
            Ok(())
        );
        assert_eq!(
            namespace_guard("/apis/apps/v1/namespaces/default/deployments", "default"),
            Ok(())
        );
        assert_eq!(
            namespace_guard("/api/v1/namespaces/kube-system/secrets/top-secret", "default"),
            Err("path /api/v1/namespaces/kube-system/secrets/top-secret refers to namespace kube-system, which is different from the policy namespace default".into())
        );
        assert_eq!(
            namespace_guard("/api/v1/nodes", "default"),
            Err("path /api/v1/nodes does not contain a namespace segment, which is required for namespaced policies".into())
        );
        // Escapes and `..` do not get around it.
        assert!(
            namespace_guard(
                "/api/v1/namespaces/default/../../namespaces/kube-system/pods",
                "default"
            )
            .is_err()
        );
        assert!(namespace_guard("/api/v1/namespaces/kube%2Dsystem/pods", "default").is_err());
        assert!(namespace_guard("/api/v1/namespaces/%64efault/pods", "default").is_ok());
    }
}
