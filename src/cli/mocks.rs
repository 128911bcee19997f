//! A test file's offline stand-ins for cluster data: `apiCallResponses` answer `apiCall`
//! context entries, `globalContextEntries` answer `globalReference` entries.

use serde_json::Value;

use crate::engine::ExternalData;

/// One mocked API call.
#[derive(Debug, Clone)]
struct Call {
    url_path: Option<String>,
    url: Option<String>,
    method: String,
    status: u64,
    body: Value,
}

/// The mocks of one test file.
#[derive(Debug, Clone, Default)]
pub struct Mocks {
    calls: Vec<Call>,
    globals: Vec<(String, Value)>,
}

impl Mocks {
    /// Reads `apiCallResponses` and `globalContextEntries` from a test document.
    pub fn from_test(doc: &Value) -> Result<Self, String> {
        let mut mocks = Mocks::default();
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
        Ok(mocks)
    }

    /// Whether the test mocks anything.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty() && self.globals.is_empty()
    }
}

impl ExternalData for Mocks {
    fn api_call(
        &self,
        method: &str,
        url_path: Option<&str>,
        url: Option<&str>,
    ) -> Option<Result<Value, String>> {
        let call = self.calls.iter().find(|c| {
            c.method.eq_ignore_ascii_case(method)
                && ((url_path.is_some() && c.url_path.as_deref() == url_path)
                    || (url.is_some() && c.url.as_deref() == url))
        })?;
        Some(if (200..300).contains(&call.status) {
            Ok(call.body.clone())
        } else {
            Err(format!("the API call answered with status {}", call.status))
        })
    }

    fn global(&self, name: &str) -> Option<Value> {
        self.globals
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
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
        let m = Mocks::from_test(&doc).unwrap_or_default();
        assert_eq!(
            m.api_call("GET", Some("/api/v1/namespaces"), None),
            Some(Ok(json!({"items": [1]})))
        );
        assert_eq!(m.api_call("POST", Some("/api/v1/namespaces"), None), None);
        assert!(
            m.api_call("post", None, Some("https://svc/x"))
                .is_some_and(|r| r.is_err())
        );
        assert_eq!(m.global("g"), Some(json!({"k": "v"})));
        assert!(Mocks::from_test(&json!({"apiCallResponses": [{"response": {}}]})).is_err());
    }
}
