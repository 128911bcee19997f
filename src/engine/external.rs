//! Data from outside the request that policies ask for: API calls, ConfigMaps, global context
//! entries and namespace labels. The caller answers through [`ExternalData`]: the CLI from values
//! files and a test's mocks, a webhook from its cluster client.

use std::fmt;

use serde_json::{Map, Value};

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
