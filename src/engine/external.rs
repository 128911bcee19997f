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
