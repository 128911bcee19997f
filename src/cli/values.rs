//! The values a CLI run supplies: a `cli.kyverno.io/v1alpha1 Values` file (`-f`, or a test's
//! `variables`), a test's inline `values`, and `--set key=value` pairs, read strictly (an
//! unknown or misspelt field is an error with its place and a suggestion), with Kyverno's
//! precedence (`globalValues` < per-resource values < `--set`, and a rule's values over all).

use std::path::Path;

use rampart::reader::{Obj, Reader, Spanned};
use rampart::yaml::Node;
use rampart::{Diagnostic, GroupVersionKind, Operation, RuleValues, SourceMap};
use serde_json::{Map, Value};

use super::document::{self, CLI_API_VERSION, Document, Unread};

/// Values for one run.
#[derive(Debug, Clone, Default)]
pub struct Values {
    /// `globalValues`.
    pub global: Map<String, Value>,
    /// `policies[]`: per policy, per-rule and per-resource values.
    pub policies: Vec<PolicyValues>,
    /// Namespace labels from `namespaceSelector[]` and `namespaces[]`.
    pub namespace_labels: Vec<(String, Map<String, Value>)>,
    /// `subresources[]`: objects of a subresource's kind and the parent they belong to.
    pub subresources: Vec<Subresource>,
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
    /// `rules[].foreachValues`: rule name → name → the values of successive foreach elements.
    pub foreach: Vec<(String, ForeachValues)>,
    /// `resources[]`: resource name → values.
    pub resources: Vec<(String, Map<String, Value>)>,
}

/// A rule's `foreachValues`: each name with the values of successive foreach elements.
pub type ForeachValues = Vec<(String, Vec<Value>)>;

/// A `subresources[]` entry: objects of the subresource's kind (a `Scale`) are requests for
/// that subresource of the parent (`Deployment/scale`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subresource {
    /// The subresource's group, version and kind.
    pub kind: GroupVersionKind,
    /// Its name after the parent's resource (`scale` of `deployments/scale`).
    pub name: String,
    /// The parent's group, version and kind.
    pub parent: GroupVersionKind,
}

/// `metav1.APIResource` fields that are accepted and not used.
const OTHER_API_RESOURCE_FIELDS: &[&str] = &[
    "singularName",
    "namespaced",
    "verbs",
    "shortNames",
    "categories",
    "storageVersionHash",
];

impl Values {
    /// Reads the fields of a values spec from a mapping (a values file's top level, or a
    /// test's inline `values`); the caller finishes the mapping.
    pub fn read_spec(r: &mut Reader, obj: &mut Obj) -> Values {
        let mut values = Values {
            global: obj
                .field("globalValues")
                .map(|n| r.value_map(n, "globalValues"))
                .unwrap_or_default(),
            ..Values::default()
        };
        if let Some(items) = obj.field("policies").and_then(|n| r.list(n, "policies")) {
            values.policies = items.iter().filter_map(|p| policy(r, p)).collect();
        }
        if let Some(items) = obj
            .field("namespaceSelector")
            .and_then(|n| r.list(n, "namespaceSelector"))
        {
            for item in items {
                let Some(mut o) = r.object(item, "namespaceSelector entry") else {
                    continue;
                };
                let name = o.required(r, "name").and_then(|n| r.string(n, "name"));
                let labels = o
                    .field("labels")
                    .map(|n| r.string_map(n, "labels"))
                    .unwrap_or_default();
                o.finish(r);
                if let Some(name) = name {
                    values.namespace_labels.push((name.value, to_map(labels)));
                }
            }
        }
        if let Some(items) = obj
            .field("namespaces")
            .and_then(|n| r.list(n, "namespaces"))
        {
            values
                .namespace_labels
                .extend(items.iter().filter_map(|n| namespace(r, n)));
        }
        if let Some(items) = obj
            .field("subresources")
            .and_then(|n| r.list(n, "subresources"))
        {
            values.subresources = items.iter().filter_map(|s| subresource(r, s)).collect();
        }
        if let Some((key, _)) = obj.entry("variables") {
            r.warning(
                key.span,
                "`variables` are for ValidatingAdmissionPolicy and CEL policies, which this version does not evaluate; ignored",
                "ignored",
            );
        }
        values
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

    /// The values of one resource in every policy entry (Kyverno reads a resource's values only
    /// for the policy they are listed under; see spec/differences.md).
    fn resource_values<'a>(
        &'a self,
        resource_name: &str,
    ) -> impl Iterator<Item = &'a Map<String, Value>> {
        self.policies
            .iter()
            .flat_map(|p| p.resources.iter())
            .filter(move |(name, _)| name == resource_name)
            .map(|(_, values)| values)
    }

    /// The value of `key` for a resource, by precedence: `--set`, then the resource's values,
    /// then `globalValues`.
    pub fn for_resource(&self, key: &str, resource_name: &str) -> Option<&Value> {
        self.set
            .get(key)
            .or_else(|| {
                self.resource_values(resource_name)
                    .find_map(|values| values.get(key))
            })
            .or_else(|| self.global.get(key))
    }

    /// The variables for one resource: `globalValues`, then the resource's values, then
    /// `--set` (later ones win), without `request.operation` (the request carries it).
    pub fn resource_variables(&self, resource_name: &str) -> Vec<(String, Value)> {
        let mut out: Vec<(String, Value)> = Vec::new();
        let maps = std::iter::once(&self.global)
            .chain(self.resource_values(resource_name))
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

    /// The subresource an object stands for, when its kind is a `subresources[]` entry's.
    pub fn subresource_of(&self, resource: &Value) -> Option<&Subresource> {
        let text = |key: &str| resource.get(key).and_then(Value::as_str).unwrap_or("");
        let gvk = GroupVersionKind::from_api_version(text("apiVersion"), text("kind"));
        self.subresources.iter().find(|s| s.kind == gvk)
    }
}

/// Loads a values file (if given) and adds `--set` pairs. Problems in the file are diagnostics.
pub fn load(
    path: Option<&Path>,
    set: &[String],
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Values, Unread> {
    let mut values = match path {
        Some(path) => load_file(path, sources, diagnostics)?,
        None => Values::default(),
    };
    values.add_set(set).map_err(Unread::Io)?;
    Ok(values)
}

/// Reads a `cli.kyverno.io/v1alpha1 Values` file.
pub fn load_file(
    path: &Path,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Values, Unread> {
    let doc = document::read_one(path, "Values", sources, diagnostics)?;
    from_document(&doc, diagnostics)
}

/// Reads a Values document.
pub fn from_document(doc: &Document, diagnostics: &mut Vec<Diagnostic>) -> Result<Values, Unread> {
    document::read_with(doc, diagnostics, |r, node| {
        let mut obj = r.object(node, "Values")?;
        document::header(r, &mut obj, CLI_API_VERSION, "Values");
        let values = Values::read_spec(r, &mut obj);
        obj.finish(r);
        Some(values)
    })
}

fn to_map(pairs: Vec<(Spanned<String>, Spanned<String>)>) -> Map<String, Value> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.value, Value::String(v.value)))
        .collect()
}

/// A named entry with values: `name` (required) and a mapping under `values`; the `known`
/// fields are read elsewhere.
fn named_values(
    r: &mut Reader,
    node: &Node,
    what: &'static str,
    known: &[&'static str],
) -> Option<(String, Map<String, Value>)> {
    let mut obj = r.object(node, what)?;
    let name = obj.required(r, "name").and_then(|n| r.string(n, "name"));
    let values = obj
        .field("values")
        .map(|n| r.value_map(n, "values"))
        .unwrap_or_default();
    for field in known {
        obj.field(field);
    }
    obj.finish(r);
    Some((name?.value, values))
}

fn policy(r: &mut Reader, node: &Node) -> Option<PolicyValues> {
    let mut obj = r.object(node, "policy values")?;
    let name = obj.required(r, "name").and_then(|n| r.string(n, "name"));
    let mut entries = |field: &'static str, what: &'static str, known: &[&'static str]| {
        obj.field(field)
            .and_then(|n| r.list(n, field))
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| named_values(r, i, what, known))
                    .collect()
            })
            .unwrap_or_default()
    };
    // `foreachValues` is read below, with the rule's name.
    let rules = entries("rules", "rule values", &["foreachValues"]);
    let resources = entries("resources", "resource values", &[]);
    let foreach = node
        .get("rules")
        .and_then(|n| match &n.value {
            rampart::yaml::NodeValue::Seq(items) => Some(items),
            _ => None,
        })
        .map(|items| items.iter().filter_map(|i| foreach_values(r, i)).collect())
        .unwrap_or_default();
    obj.finish(r);
    Some(PolicyValues {
        name: name?.value,
        rules,
        resources,
        foreach,
    })
}

/// A rule entry's `foreachValues`: each name with its list of per-element values.
fn foreach_values(r: &mut Reader, node: &Node) -> Option<(String, ForeachValues)> {
    let name = node.get("name")?.as_str()?.to_string();
    let values = node.get("foreachValues")?;
    let entries = r.mapping(values, "foreachValues")?;
    let mut out = Vec::new();
    for (key, list) in entries {
        match list.to_json() {
            Value::Array(items) => out.push((key.text.clone(), items)),
            _ => {
                r.type_error(
                    list,
                    "a foreachValues entry",
                    "a list of values, one per element",
                );
            }
        }
    }
    Some((name, out))
}

/// A `namespaces[]` entry: a Namespace object; its name and labels are kept.
fn namespace(r: &mut Reader, node: &Node) -> Option<(String, Map<String, Value>)> {
    let mut obj = r.object(node, "Namespace")?;
    for field in ["apiVersion", "kind"] {
        if let Some(n) = obj.field(field) {
            r.string(n, field);
        }
    }
    obj.field("spec");
    obj.field("status");
    let name = obj
        .required(r, "metadata")
        .and_then(|m| document::metadata(r, m));
    obj.finish(r);
    let labels = node
        .get("metadata")
        .and_then(|m| m.get("labels"))
        .map(|l| l.to_json())
        .and_then(|l| l.as_object().cloned())
        .unwrap_or_default();
    Some((name?.value, labels))
}

/// A `metav1.APIResource`: `name`, `group`, `version` and `kind` are used.
fn api_resource(
    r: &mut Reader,
    node: &Node,
    what: &'static str,
) -> Option<(Spanned<String>, GroupVersionKind)> {
    let mut obj = r.object(node, what)?;
    let name = obj.required(r, "name").and_then(|n| r.string(n, "name"));
    let mut text = |field: &'static str| {
        obj.field(field)
            .and_then(|n| r.string(n, field))
            .map(|s| s.value)
            .unwrap_or_default()
    };
    let group = text("group");
    let version = text("version");
    let kind = obj.required(r, "kind").and_then(|n| r.string(n, "kind"));
    for field in OTHER_API_RESOURCE_FIELDS {
        obj.field(field);
    }
    obj.finish(r);
    Some((
        name?,
        GroupVersionKind {
            group,
            version,
            kind: kind?.value,
        },
    ))
}

fn subresource(r: &mut Reader, node: &Node) -> Option<Subresource> {
    let mut obj = r.object(node, "subresources entry")?;
    let sub = obj
        .required(r, "subresource")
        .and_then(|n| api_resource(r, n, "subresource"));
    let parent = obj
        .required(r, "parentResource")
        .and_then(|n| api_resource(r, n, "parentResource"));
    obj.finish(r);
    let (name, kind) = sub?;
    let Some((_, sub_name)) = name.value.split_once('/') else {
        r.error(
            name.span,
            "a subresource's name is `<resource>/<subresource>`",
            "no `/`",
        )
        .notes
        .push("for example `deployments/scale`".into());
        return None;
    };
    Some(Subresource {
        kind,
        name: sub_name.to_string(),
        parent: parent?.1,
    })
}

/// Whether an entry written for rule `name` (a values entry, a test result) is about rule
/// `rule`: the rule itself or its autogen forms (`autogen-<name>`, `autogen-cronjob-<name>`).
pub fn names_rule(name: &str, rule: &str) -> bool {
    rule == name
        || rule.strip_prefix("autogen-") == Some(name)
        || rule.strip_prefix("autogen-cronjob-") == Some(name)
}

/// A rule's values, as Kyverno's CLI finds them: the first entry of the policy, then its first
/// rule entry named after the rule, also for the rule's autogen forms (`autogen-<rule>`,
/// `autogen-cronjob-<rule>`).
impl RuleValues for Values {
    fn rule_values(&self, policy: &str, rule: &str) -> Vec<(String, Value)> {
        let names = |name: &str| names_rule(name, rule);
        self.policies
            .iter()
            .find(|p| p.name == policy)
            .and_then(|p| p.rules.iter().find(|(name, _)| names(name)))
            .map(|(_, values)| values.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    fn foreach_values(&self, policy: &str, rule: &str) -> Vec<(String, Vec<Value>)> {
        let names = |name: &str| names_rule(name, rule);
        self.policies
            .iter()
            .find(|p| p.name == policy)
            .and_then(|p| p.foreach.iter().find(|(name, _)| names(name)))
            .map(|(_, values)| values.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Reads a values file's text; returns the values and the rendered diagnostics.
    fn read(text: &str) -> (Option<Values>, String) {
        let mut sources = SourceMap::new();
        let file = sources.add("values.yaml", text);
        let mut diagnostics = Vec::new();
        let values = document::one(file, "Values", &sources, &mut diagnostics)
            .and_then(|doc| from_document(&doc, &mut diagnostics))
            .ok();
        (
            values,
            rampart::diag::render_all(&diagnostics, &sources, false),
        )
    }

    const HEAD: &str = "apiVersion: cli.kyverno.io/v1alpha1\nkind: Values\nmetadata:\n  name: v\n";

    #[test]
    fn precedence_and_operation() {
        let (values, errors) = read(&format!(
            "{HEAD}globalValues:\n  request.operation: UPDATE\npolicies:\n- name: p\n  resources:\n  - name: a\n    values:\n      request.operation: DELETE\nnamespaceSelector:\n- name: prod\n  labels: {{env: prod}}\n"
        ));
        assert_eq!(errors, "");
        let mut v = values.unwrap_or_default();
        assert_eq!(v.operation("a"), Ok(Operation::Delete));
        assert_eq!(v.operation("b"), Ok(Operation::Update));
        assert_eq!(
            v.namespace_labels[0],
            (
                "prod".into(),
                json!({"env": "prod"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
            )
        );
        v.add_set(&[
            "request.operation=CREATE".into(),
            "request.object.x=1".into(),
        ])
        .unwrap_or_default();
        assert_eq!(v.operation("a"), Ok(Operation::Create));
        assert!(!v.set.contains_key("request.object.x"));
        assert_eq!(v.resource_variables("a"), vec![]);
    }

    /// Kyverno reads a resource's values only when evaluating the policy they are listed
    /// under; Rampart evaluates a resource once for every policy, with the values of every
    /// entry that lists it (spec/differences.md).
    #[test]
    fn resource_values_apply_whichever_policy_lists_them() {
        let (values, errors) = read(&format!(
            "{HEAD}policies:\n- name: p\n  resources:\n  - name: a\n    values: {{x: 1}}\n- name: q\n  resources:\n  - name: a\n    values: {{z: 2}}\n"
        ));
        assert_eq!(errors, "");
        let v = values.unwrap_or_default();
        assert_eq!(
            v.resource_variables("a"),
            vec![("x".to_string(), json!(1)), ("z".to_string(), json!(2))]
        );
    }

    #[test]
    fn rule_values_answer_for_autogen_rules_from_the_first_entry() {
        let (values, errors) = read(&format!(
            "{HEAD}policies:\n- name: p\n  rules:\n  - name: r\n    values: {{a: 1}}\n  - name: r\n    values: {{a: 2}}\n- name: p\n  rules:\n  - name: s\n    values: {{b: 1}}\n"
        ));
        assert_eq!(errors, "");
        let v = values.unwrap_or_default();
        for rule in ["r", "autogen-r", "autogen-cronjob-r"] {
            assert_eq!(v.rule_values("p", rule), vec![("a".to_string(), json!(1))]);
        }
        assert!(v.rule_values("p", "autogen-x-r").is_empty());
        // Only the first entry of a policy is read, as in Kyverno.
        assert!(v.rule_values("p", "s").is_empty());
    }

    #[test]
    fn subresources_map_objects_to_their_parent() {
        let (values, errors) = read(&format!(
            "{HEAD}subresources:\n- subresource: {{name: deployments/scale, kind: Scale, group: autoscaling, version: v1}}\n  parentResource: {{name: deployments, kind: Deployment, group: apps, version: v1, namespaced: true}}\n"
        ));
        assert_eq!(errors, "");
        let v = values.unwrap_or_default();
        let scale = json!({"apiVersion": "autoscaling/v1", "kind": "Scale"});
        let found = v.subresource_of(&scale).cloned();
        assert_eq!(found.as_ref().map(|s| s.name.as_str()), Some("scale"));
        assert_eq!(found.map(|s| s.parent.kind), Some("Deployment".into()));
        assert!(
            v.subresource_of(&json!({"apiVersion": "v1", "kind": "Pod"}))
                .is_none()
        );
    }
}
