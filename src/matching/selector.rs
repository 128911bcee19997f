//! Label selectors as Kyverno evaluates them: `matchLabels` entries may hold wildcards in the
//! key or the value (an entry with a wildcard is satisfied by any label matching both), then
//! standard Kubernetes semantics.

use serde_json::{Map, Value};

use crate::ir::LabelSelector;
use crate::wildcard::{Wildcard, contains_wildcard};

/// A compiled label selector.
#[derive(Debug, Clone)]
pub struct Selector {
    labels: Vec<LabelTerm>,
    expressions: Vec<Expression>,
}

#[derive(Debug, Clone)]
enum LabelTerm {
    Exact(String, String),
    Wild(Wildcard, Wildcard),
}

#[derive(Debug, Clone)]
enum Expression {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Selector {
    /// Compiles a selector.
    pub fn new(s: &LabelSelector) -> Self {
        let labels = s
            .match_labels
            .iter()
            .map(|(k, v)| {
                if contains_wildcard(k) || contains_wildcard(v) {
                    LabelTerm::Wild(Wildcard::new(k), Wildcard::new(v))
                } else {
                    LabelTerm::Exact(k.clone(), v.clone())
                }
            })
            .collect();
        let expressions = s
            .match_expressions
            .iter()
            .map(|(key, op, values)| match op.as_str() {
                "In" => Expression::In(key.clone(), values.clone()),
                "NotIn" => Expression::NotIn(key.clone(), values.clone()),
                "Exists" => Expression::Exists(key.clone()),
                _ => Expression::DoesNotExist(key.clone()),
            })
            .collect();
        Selector {
            labels,
            expressions,
        }
    }

    /// Compiles a selector written as JSON (`matchLabels`, `matchExpressions`); `None` when it
    /// is not one.
    pub fn from_json(value: &Value) -> Option<Self> {
        let map = value.as_object()?;
        let mut selector = LabelSelector::default();
        if let Some(labels) = map.get("matchLabels") {
            for (k, v) in labels.as_object()? {
                selector
                    .match_labels
                    .push((k.clone(), v.as_str()?.to_string()));
            }
        }
        if let Some(expressions) = map.get("matchExpressions") {
            for e in expressions.as_array()? {
                let text = |field: &str| e.get(field).and_then(Value::as_str).map(str::to_string);
                let values = match e.get("values") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(v) => v
                        .as_array()?
                        .iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect::<Option<_>>()?,
                };
                selector
                    .match_expressions
                    .push((text("key")?, text("operator")?, values));
            }
        }
        Some(Selector::new(&selector))
    }

    /// Whether a label set matches. `None` is an empty label set.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        let all_labels = || labels.into_iter().flat_map(|l| l.iter());
        let label_ok = self.labels.iter().all(|term| match term {
            LabelTerm::Exact(k, v) => get(k) == Some(v.as_str()),
            LabelTerm::Wild(k, v) => all_labels()
                .any(|(k1, v1)| k.matches(k1) && v1.as_str().is_some_and(|v1| v.matches(v1))),
        });
        label_ok
            && self.expressions.iter().all(|e| match e {
                Expression::In(k, values) => get(k).is_some_and(|v| values.iter().any(|x| x == v)),
                Expression::NotIn(k, values) => {
                    get(k).is_none_or(|v| !values.iter().any(|x| x == v))
                }
                Expression::Exists(k) => get(k).is_some(),
                Expression::DoesNotExist(k) => get(k).is_none(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn selector(labels: &[(&str, &str)], exprs: &[(&str, &str, &[&str])]) -> Selector {
        Selector::new(&LabelSelector {
            match_labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            match_expressions: exprs
                .iter()
                .map(|(k, o, v)| {
                    (
                        k.to_string(),
                        o.to_string(),
                        v.iter().map(|s| s.to_string()).collect(),
                    )
                })
                .collect(),
        })
    }

    #[test]
    fn match_labels_with_wildcards() {
        let labels = json!({"app": "nginx", "tier": "web"});
        let labels = labels.as_object();
        assert!(selector(&[("app", "nginx")], &[]).matches(labels));
        assert!(!selector(&[("app", "apache")], &[]).matches(labels));
        assert!(selector(&[("app", "ng*")], &[]).matches(labels));
        assert!(selector(&[("t*", "w?b")], &[]).matches(labels));
        assert!(!selector(&[("x*", "*")], &[]).matches(labels));
        // `*: *` needs at least one label.
        assert!(!selector(&[("*", "*")], &[]).matches(None));
        assert!(selector(&[], &[]).matches(None));
    }

    #[test]
    fn match_expressions() {
        let labels = json!({"env": "prod"});
        let labels = labels.as_object();
        assert!(selector(&[], &[("env", "In", &["prod", "dev"])]).matches(labels));
        assert!(!selector(&[], &[("env", "NotIn", &["prod"])]).matches(labels));
        assert!(selector(&[], &[("team", "NotIn", &["a"])]).matches(labels));
        assert!(selector(&[], &[("env", "Exists", &[])]).matches(labels));
        assert!(selector(&[], &[("team", "DoesNotExist", &[])]).matches(labels));
        assert!(!selector(&[], &[("team", "In", &["a"])]).matches(labels));
    }
}
