//! The values a CLI run supplies: a `cli.kyverno.io/v1alpha1 Values` file (`-f`, or a test's
//! `variables` / `values`) and `--set key=value` pairs, with Kyverno's precedence
//! (`globalValues` < per-resource values < `--set`).

use serde_json::{Map, Value};

use rampart::source::{self, Input};
use rampart::{Operation, RuleValues, SourceMap};

/// Values for one run.
#[derive(Debug, Clone, Default)]
pub struct Values {
    /// `globalValues`.
    pub global: Map<String, Value>,
    /// `policies[]`: per policy, per-rule and per-resource values.
    pub policies: Vec<PolicyValues>,
    /// Namespace labels from `namespaceSelector[]` and `namespaces[]`.
    pub namespace_labels: Vec<(String, Map<String, Value>)>,
    /// `--set` pairs (keys containing `request.object.` are ignored, as in Kyverno).
    pub set: Map<String, Value>,
}

/// `policies[]` entry of a values file.
#[derive(Debug, Clone, Default)]
pub struct PolicyValues {
    /// Policy name.
    pub name: String,
    /// `rules[]`: rule name → values.
    pub rules: Vec<(String, Map<String, Value>)>,
    /// `resources[]`: resource name → values.
    pub resources: Vec<(String, Map<String, Value>)>,
}

fn object(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

fn named_objects(v: Option<&Value>, key: &str) -> Vec<(String, Map<String, Value>)> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    let name = i
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    (name, object(i.get(key)))
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Values {
    /// Reads the spec of a values document (the file's top level, or a test's inline `values`).
    pub fn from_document(doc: &Value) -> Result<Self, String> {
        if !doc.is_object() {
            return Err("a values file must be a mapping".into());
        }
        const KNOWN: &[&str] = &[
            "apiVersion",
            "kind",
            "metadata",
            "globalValues",
            "policies",
            "namespaceSelector",
            "namespaces",
            "subresources",
        ];
        if let Some(map) = doc.as_object()
            && let Some(unknown) = map.keys().find(|k| !KNOWN.contains(&k.as_str()))
        {
            return Err(format!("unknown field `{unknown}` in values file"));
        }
        let mut values = Values {
            global: object(doc.get("globalValues")),
            ..Values::default()
        };
        if let Some(policies) = doc.get("policies").and_then(Value::as_array) {
            for p in policies {
                values.policies.push(PolicyValues {
                    name: p
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    rules: named_objects(p.get("rules"), "values"),
                    resources: named_objects(p.get("resources"), "values"),
                });
            }
        }
        values.namespace_labels = named_objects(doc.get("namespaceSelector"), "labels");
        if let Some(namespaces) = doc.get("namespaces").and_then(Value::as_array) {
            for ns in namespaces {
                let name = ns
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                values
                    .namespace_labels
                    .push((name, object(ns.pointer("/metadata/labels"))));
            }
        }
        Ok(values)
    }

    /// Adds `--set key=value` pairs.
    pub fn add_set(&mut self, pairs: &[String]) -> Result<(), String> {
        for pair in pairs {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| format!("--set expects key=value, got `{pair}`"))?;
            let k = k.trim();
            if k.contains("request.object.") || self.set.contains_key(k) {
                continue;
            }
            self.set
                .insert(k.to_string(), Value::String(v.trim().to_string()));
        }
        Ok(())
    }

    /// The value of `key` for a resource, by precedence: `--set`, then the resource's values in
    /// any policy entry, then `globalValues`.
    pub fn for_resource(&self, key: &str, resource_name: &str) -> Option<&Value> {
        self.set
            .get(key)
            .or_else(|| {
                self.policies
                    .iter()
                    .flat_map(|p| p.resources.iter())
                    .find(|(name, _)| name == resource_name)
                    .and_then(|(_, values)| values.get(key))
            })
            .or_else(|| self.global.get(key))
    }

    /// The variables for one resource: `globalValues`, then the resource's values in any policy
    /// entry, then `--set` (later ones win), without `request.operation` (the request carries it).
    pub fn resource_variables(&self, resource_name: &str) -> Vec<(String, Value)> {
        let mut out: Vec<(String, Value)> = Vec::new();
        let resource = self
            .policies
            .iter()
            .flat_map(|p| p.resources.iter())
            .filter(|(n, _)| n == resource_name);
        let maps = std::iter::once(&self.global)
            .chain(resource.map(|(_, v)| v))
            .chain(std::iter::once(&self.set));
        for map in maps {
            for (k, v) in map {
                if k == "request.operation" {
                    continue;
                }
                out.retain(|(existing, _)| existing != k);
                out.push((k.clone(), v.clone()));
            }
        }
        out
    }

    /// The admission operation for a resource (`request.operation`, default CREATE).
    pub fn operation(&self, resource_name: &str) -> Result<Operation, String> {
        match self.for_resource("request.operation", resource_name) {
            None => Ok(Operation::Create),
            Some(v) => {
                let s = v.as_str().unwrap_or("");
                Operation::parse(s).ok_or_else(|| format!("invalid request.operation `{v}`: expected CREATE, UPDATE, DELETE or CONNECT"))
            }
        }
    }
}

/// Loads a values file (if given) and adds `--set` pairs.
pub fn load(path: Option<&str>, set: &[String], sources: &mut SourceMap) -> Result<Values, String> {
    let mut values = match path {
        Some(path) => {
            let text = source::read(&Input::File(path.into())).map_err(|e| e.to_string())?;
            let file = sources.add(path, text);
            let docs = source::value_documents(file, sources).map_err(|d| d.message)?;
            Values::from_document(docs.first().unwrap_or(&Value::Null))?
        }
        None => Values::default(),
    };
    values.add_set(set)?;
    Ok(values)
}

impl RuleValues for Values {
    fn rule_values(&self, policy: &str, rule: &str) -> Vec<(String, Value)> {
        self.policies
            .iter()
            .filter(|p| p.name == policy)
            .flat_map(|p| p.rules.iter())
            .filter(|(r, _)| r == rule)
            .flat_map(|(_, values)| values.iter().map(|(k, v)| (k.clone(), v.clone())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn precedence_and_operation() {
        let doc = json!({
            "apiVersion": "cli.kyverno.io/v1alpha1", "kind": "Values",
            "globalValues": {"request.operation": "UPDATE"},
            "policies": [{"name": "p", "resources": [{"name": "a", "values": {"request.operation": "DELETE"}}]}],
            "namespaceSelector": [{"name": "prod", "labels": {"env": "prod"}}],
        });
        let mut v = Values::from_document(&doc).unwrap_or_default();
        assert_eq!(v.operation("a"), Ok(Operation::Delete));
        assert_eq!(v.operation("b"), Ok(Operation::Update));
        assert_eq!(v.namespace_labels[0].0, "prod");
        v.add_set(&[
            "request.operation=CREATE".into(),
            "request.object.x=1".into(),
        ])
        .unwrap_or_default();
        assert_eq!(v.operation("a"), Ok(Operation::Create));
        assert!(!v.set.contains_key("request.object.x"));
        assert_eq!(v.resource_variables("a"), vec![]);
    }

    #[test]
    fn unknown_fields_are_errors() {
        assert!(Values::from_document(&json!({"globalValue": {}})).is_err());
    }
}
