//! What an offline run knows of a cluster, as Kyverno's CLI knows it: the labels of namespaces
//! (from values files and Namespace objects), the target resources of mutate-existing rules
//! (`--target-resources`, a test's `targetResources`), the objects generate rules clone from
//! (the resources given to `apply`, a test's `cloneSourceResource`), a test's stand-ins for
//! cluster data (`apiCallResponses` answer `apiCall` entries, `globalContextEntries` answer
//! `globalReference` entries) and a test's cluster (`clusterResources`): its objects answer
//! `configMap` entries and `apiCall` GETs of one object or of a list, as Kyverno's fake client
//! does.

use rampart::{ApiCall, ApiTarget, ExternalData, ExternalError, ResourcePurpose, ResourceQuery};
use serde_json::{Map, Value, json};

use rampart::kinds::guess_resource;

use super::apipath::ApiPath;
use super::testfile::{ApiCallMock, MockTarget};

/// The cluster of one offline run.
#[derive(Debug, Clone, Default)]
pub struct OfflineCluster {
    calls: Vec<ApiCallMock>,
    globals: Vec<(String, Value)>,
    namespaces: Vec<(String, Map<String, Value>)>,
    /// The resources mutate-existing rules may target; `None` when none were given.
    targets: Option<Vec<Value>>,
    /// The resources generate rules see: clone sources and existing targets.
    generate: Vec<Value>,
    /// The objects of a test's cluster; `None` when the test has no `clusterResources` (then,
    /// as in Kyverno, `configMap` entries and API paths are not answered).
    objects: Option<Vec<Value>>,
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

    /// Adds answers to API calls (a test's `apiCallResponses`).
    pub fn with_calls(mut self, calls: Vec<ApiCallMock>) -> Self {
        self.calls = calls;
        self
    }

    /// Adds the data of global context entries, by name.
    pub fn with_globals(mut self, globals: Vec<(String, Value)>) -> Self {
        self.globals = globals;
        self
    }

    /// Makes these objects the cluster's: they answer `configMap` entries, API paths and
    /// mutate-existing targets.
    pub fn with_objects(mut self, objects: Vec<Value>) -> Self {
        self.objects = Some(objects);
        self
    }

    /// The mock that answers a call: same target, and the same method unless it names none.
    fn mock(&self, call: &ApiCall<'_>) -> Option<&ApiCallMock> {
        self.calls.iter().find(|c| {
            let target = match (&c.target, &call.target) {
                (MockTarget::UrlPath(p), ApiTarget::UrlPath(q)) => p == q,
                (MockTarget::Url(u), ApiTarget::Service { url, .. }) => u == url,
                _ => false,
            };
            target
                && c.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(call.method))
        })
    }

    /// The GET of an API path over the cluster's objects: one object, or a list.
    fn get(objects: &[Value], path: &str) -> Result<Value, ExternalError> {
        let path = ApiPath::parse(path).map_err(ExternalError::Failed)?;
        let api_version = match path.group {
            "" => path.version.to_string(),
            group => format!("{group}/{}", path.version),
        };
        let text = |o: &'_ Value, pointer: &str| {
            o.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let mut found: Vec<&Value> = objects
            .iter()
            .filter(|o| {
                text(o, "/apiVersion") == api_version
                    && guess_resource(&text(o, "/kind")) == path.resource
                    && path
                        .namespace
                        .is_none_or(|ns| text(o, "/metadata/namespace") == ns)
            })
            .collect();
        match path.name {
            Some(name) => found
                .into_iter()
                .find(|o| text(o, "/metadata/name") == name)
                .cloned()
                .ok_or_else(|| {
                    ExternalError::NotFound(format!("{} \"{name}\" not found", path.resource))
                }),
            None => {
                found.sort_by_key(|o| (text(o, "/metadata/namespace"), text(o, "/metadata/name")));
                let kind = found.first().map_or_else(
                    || "List".to_string(),
                    |o| format!("{}List", text(o, "/kind")),
                );
                Ok(json!({
                    "apiVersion": api_version,
                    "kind": kind,
                    "metadata": {"resourceVersion": ""},
                    "items": found,
                }))
            }
        }
    }
}

impl ExternalData for OfflineCluster {
    fn api_call(&self, call: &ApiCall<'_>) -> Result<Value, ExternalError> {
        if let Some(mock) = self.mock(call) {
            return if (200..300).contains(&mock.status) {
                Ok(mock.body.clone())
            } else {
                Err(ExternalError::Failed(format!(
                    "the API call answered with status {}",
                    mock.status
                )))
            };
        }
        match (&self.objects, &call.target) {
            (Some(objects), ApiTarget::UrlPath(path)) => {
                if !call.method.eq_ignore_ascii_case("GET") {
                    return Err(ExternalError::Failed(format!(
                        "the test's cluster answers only GET, not {}",
                        call.method
                    )));
                }
                OfflineCluster::get(objects, path)
            }
            _ => Err(ExternalError::NotSupplied),
        }
    }

    fn config_map(&self, namespace: &str, name: &str) -> Result<Value, ExternalError> {
        let objects = self.objects.as_ref().ok_or(ExternalError::NotSupplied)?;
        OfflineCluster::get(
            objects,
            &format!("/api/v1/namespaces/{namespace}/configmaps/{name}"),
        )
    }

    fn global_context(&self, name: &str) -> Result<Value, ExternalError> {
        self.globals
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or(ExternalError::NotSupplied)
    }

    fn resources(&self, query: &ResourceQuery<'_>) -> Result<Vec<Value>, ExternalError> {
        // The test's cluster objects exist for every purpose; the other sets are Kyverno's
        // separate fake clients.
        let sets = match query.purpose {
            ResourcePurpose::MutateTarget => [self.targets.as_ref(), self.objects.as_ref()],
            ResourcePurpose::Generate => [Some(&self.generate), self.objects.as_ref()],
        };
        if sets.iter().all(Option::is_none) {
            return Err(ExternalError::NotSupplied);
        }
        Ok(sets
            .into_iter()
            .flatten()
            .flatten()
            .filter(|t| query.matches(t))
            .cloned()
            .collect())
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

    fn call<'a>(method: &'a str, target: ApiTarget<'a>) -> ApiCall<'a> {
        ApiCall {
            method,
            target,
            data: None,
        }
    }

    #[test]
    fn mocks_answer_by_target_and_method() {
        let mock = |target, method: Option<&str>, status| ApiCallMock {
            target,
            method: method.map(str::to_string),
            status,
            body: json!({"items": [1]}),
        };
        let cluster = OfflineCluster::default().with_calls(vec![
            mock(
                MockTarget::UrlPath("/api/v1/namespaces".into()),
                Some("GET"),
                200,
            ),
            mock(MockTarget::Url("https://svc/x".into()), None, 500),
        ]);
        let namespaces = ApiTarget::UrlPath("/api/v1/namespaces");
        assert_eq!(
            cluster.api_call(&call("GET", namespaces.clone())),
            Ok(json!({"items": [1]}))
        );
        assert_eq!(
            cluster.api_call(&call("POST", namespaces)),
            Err(ExternalError::NotSupplied)
        );
        let service = ApiTarget::Service {
            url: "https://svc/x",
            ca_bundle: None,
            headers: &[],
        };
        // No method: any method.
        assert!(matches!(
            cluster.api_call(&call("POST", service)),
            Err(ExternalError::Failed(_))
        ));
    }

    #[test]
    fn objects_answer_gets_of_objects_and_lists() {
        let cm = |ns: &str, name: &str| {
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": name, "namespace": ns}, "data": {"k": name}})
        };
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                          "metadata": {"name": "admin"}});
        let cluster = OfflineCluster::default().with_objects(vec![
            cm("b", "two"),
            cm("a", "one"),
            cm("a", "three"),
            role,
        ]);
        let get = |path: &str| cluster.api_call(&call("GET", ApiTarget::UrlPath(path)));
        assert_eq!(
            get("/api/v1/namespaces/a/configmaps/one").map(|o| o["data"]["k"].clone()),
            Ok(json!("one"))
        );
        assert_eq!(
            get("/api/v1/namespaces/a/configmaps/two"),
            Err(ExternalError::NotFound(
                "configmaps \"two\" not found".into()
            ))
        );
        let list = get("/api/v1/namespaces/a/configmaps").unwrap_or_default();
        assert_eq!(list["kind"], "ConfigMapList");
        let names: Vec<&Value> = list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| &i["metadata"]["name"])
            .collect();
        assert_eq!(names, [&json!("one"), &json!("three")]);
        assert_eq!(
            get("/api/v1/configmaps").map(|l| l["items"].as_array().map_or(0, Vec::len)),
            Ok(3)
        );
        assert_eq!(
            get("/api/v1/namespaces/c/secrets").map(|l| l["items"].clone()),
            Ok(json!([]))
        );
        assert_eq!(
            get("/apis/rbac.authorization.k8s.io/v1/clusterroles/admin").map(|o| o["kind"].clone()),
            Ok(json!("ClusterRole"))
        );
        assert!(matches!(get("/api/v1"), Err(ExternalError::Failed(_))));
        assert!(matches!(
            cluster.api_call(&call("POST", ApiTarget::UrlPath("/api/v1/configmaps"))),
            Err(ExternalError::Failed(_))
        ));
        assert_eq!(
            cluster
                .config_map("b", "two")
                .map(|o| o["data"]["k"].clone()),
            Ok(json!("two"))
        );
        // Without cluster resources nothing is answered.
        assert_eq!(
            OfflineCluster::default().config_map("b", "two"),
            Err(ExternalError::NotSupplied)
        );
    }
}
