//! What an offline run knows of a cluster: the labels of namespaces (from values files and the
//! Namespace objects among the resources), the target resources of mutate-existing rules
//! (`--target-resources`, a test's `targetResources`), the objects generate rules clone from
//! (the resources given, a test's `cloneSourceResource`) and a test file's stand-ins for cluster
//! data (`apiCallResponses` answer `apiCall` context entries, `globalContextEntries` answer
//! `globalReference` entries).

use rampart::{ApiCall, ApiTarget, ExternalData, ExternalError, ResourcePurpose, ResourceQuery};
use serde_json::{Map, Value};

/// One mocked API call.
#[derive(Debug, Clone)]
struct Call {
    url_path: Option<String>,
    url: Option<String>,
    method: String,
    status: u64,
    body: Value,
}

/// The cluster of one offline run.
#[derive(Debug, Clone, Default)]
pub struct OfflineCluster {
    calls: Vec<Call>,
    globals: Vec<(String, Value)>,
    namespaces: Vec<(String, Map<String, Value>)>,
    /// The resources mutate-existing rules may target; `None` when none were given.
    targets: Option<Vec<Value>>,
    /// The resources generate rules see: clone sources and existing targets.
    generate: Vec<Value>,
}

impl OfflineCluster {
    /// A cluster whose namespaces have these labels, and nothing else.
    pub fn with_namespaces(namespaces: Vec<(String, Map<String, Value>)>) -> Self {
        OfflineCluster {
            namespaces,
            ..OfflineCluster::default()
        }
    }

    /// Adds the resources mutate-existing rules may target.
    pub fn with_targets(mut self, targets: Vec<Value>) -> Self {
        self.targets = Some(targets);
        self
    }

    /// Adds resources generate rules see (clone sources, and targets that exist already).
    pub fn with_generate_sources(mut self, resources: impl IntoIterator<Item = Value>) -> Self {
        self.generate.extend(resources);
        self
    }

    /// Adds the mocks of a test document: `apiCallResponses` and `globalContextEntries`.
    pub fn add_test_mocks(mut self, doc: &Value) -> Result<Self, String> {
        let mocks = &mut self;
        for (i, c) in doc
            .get("apiCallResponses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let text = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
            let (url_path, url) = (text("urlPath"), text("url"));
            if url_path.is_none() && url.is_none() {
                return Err(format!("apiCallResponses[{i}] needs `urlPath` or `url`"));
            }
            let response = c
                .get("response")
                .ok_or(format!("apiCallResponses[{i}] needs `response`"))?;
            mocks.calls.push(Call {
                url_path,
                url,
                method: text("method")
                    .unwrap_or_else(|| "GET".into())
                    .to_uppercase(),
                status: response
                    .get("statusCode")
                    .and_then(Value::as_u64)
                    .unwrap_or(200),
                body: response.get("body").cloned().unwrap_or(Value::Null),
            });
        }
        for (i, g) in doc
            .get("globalContextEntries")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = g
                .get("name")
                .and_then(Value::as_str)
                .ok_or(format!("globalContextEntries[{i}] needs `name`"))?;
            let data = match (g.get("data"), g.get("resources")) {
                (Some(d), _) => d.clone(),
                (None, Some(r)) => r.clone(),
                (None, None) => {
                    return Err(format!(
                        "globalContextEntries[{i}] needs `data` or `resources`"
                    ));
                }
            };
            mocks.globals.push((name.to_string(), data));
        }
        Ok(self)
    }
}

impl ExternalData for OfflineCluster {
    fn api_call(&self, call: &ApiCall<'_>) -> Result<Value, ExternalError> {
        let (url_path, url) = match &call.target {
            ApiTarget::UrlPath(p) => (Some(*p), None),
            ApiTarget::Service { url, .. } => (None, Some(*url)),
        };
        let found = self.calls.iter().find(|c| {
            c.method.eq_ignore_ascii_case(call.method)
                && ((url_path.is_some() && c.url_path.as_deref() == url_path)
                    || (url.is_some() && c.url.as_deref() == url))
        });
        match found {
            None => Err(ExternalError::NotSupplied),
            Some(c) if (200..300).contains(&c.status) => Ok(c.body.clone()),
            Some(c) => Err(ExternalError::Failed(format!(
                "the API call answered with status {}",
                c.status
            ))),
        }
    }

    fn global_context(&self, name: &str) -> Result<Value, ExternalError> {
        self.globals
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or(ExternalError::NotSupplied)
    }

    fn resources(&self, query: &ResourceQuery<'_>) -> Result<Vec<Value>, ExternalError> {
        let held = match query.purpose {
            ResourcePurpose::MutateTarget => self.targets.as_ref(),
            ResourcePurpose::Generate => Some(&self.generate),
        };
        match held {
            None => Err(ExternalError::NotSupplied),
            Some(resources) => Ok(resources
                .iter()
                .filter(|t| query.matches(t))
                .cloned()
                .collect()),
        }
    }

    fn namespace_labels(&self, namespace: &str) -> Option<Map<String, Value>> {
        self.namespaces
            .iter()
            .find(|(n, _)| n == namespace)
            .map(|(_, l)| l.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_by_path_method_and_name() {
        let doc = json!({
            "apiCallResponses": [
                {"urlPath": "/api/v1/namespaces", "response": {"body": {"items": [1]}}},
                {"url": "https://svc/x", "method": "POST", "response": {"statusCode": 500}}
            ],
            "globalContextEntries": [{"name": "g", "data": {"k": "v"}}]
        });
        let m = OfflineCluster::default()
            .add_test_mocks(&doc)
            .unwrap_or_default();
        let call = |method, target| {
            m.api_call(&ApiCall {
                method,
                target,
                data: None,
            })
        };
        let namespaces = ApiTarget::UrlPath("/api/v1/namespaces");
        assert_eq!(call("GET", namespaces.clone()), Ok(json!({"items": [1]})));
        assert_eq!(call("POST", namespaces), Err(ExternalError::NotSupplied));
        let service = ApiTarget::Service {
            url: "https://svc/x",
            ca_bundle: None,
            headers: &[],
        };
        assert!(matches!(
            call("post", service),
            Err(ExternalError::Failed(_))
        ));
        assert_eq!(m.global_context("g"), Ok(json!({"k": "v"})));
        assert!(
            OfflineCluster::default()
                .add_test_mocks(&json!({"apiCallResponses": [{"response": {}}]}))
                .is_err()
        );
    }
}
