//! `rampart test`'s `checks`: kyverno-json assertion trees over the rule responses, run as
//! `kyverno test` runs them. Each check keeps the responses whose resource matches
//! `match.resource` and whose policy matches `match.policy`, then the rule responses whose
//! `{name}` matches `match.rule`; every one left gets a row for `assert` (passes when the
//! assertion holds) and one for `error` (passes when it fails).

use rampart::assertion::{Assertion, aggregate};
use rampart::{Evaluation, PolicyInfo, RuleResponse};
use serde_json::{Value, json};

use super::expectations::Row;
use super::testfile::Check;

/// The rows of every check, in check order, then resource, policy and rule order; the error
/// that stopped a check (an expression that fails, values of types that cannot be compared).
pub fn rows(
    checks: &[Check],
    resources: &[Value],
    evaluations: &[Evaluation],
    policies: &[Value],
) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for check in checks {
        for (resource, evaluation) in resources.iter().zip(evaluations) {
            if !holds(check.resource.as_ref(), resource)? {
                continue;
            }
            for response in &evaluation.policies {
                let document = policy_document(policies, &response.policy);
                if !holds(check.policy.as_ref(), &document)? {
                    continue;
                }
                for rule in &response.rules {
                    if !holds(check.rule.as_ref(), &json!({"name": &*rule.name}))? {
                        continue;
                    }
                    let data = rule_data(rule);
                    let row = |passed: bool, reason: String| Row {
                        policy: response.policy.name.clone(),
                        rule: rule.name.to_string(),
                        resource: resource_name(evaluation),
                        passed,
                        reason,
                        message: rule.message.clone(),
                    };
                    if let Some(assert) = &check.assert {
                        let errors = assert.check(&data)?;
                        rows.push(match errors.is_empty() {
                            true => row(true, "Ok".into()),
                            false => row(false, aggregate(&errors)),
                        });
                    }
                    if let Some(error) = &check.error {
                        let errors = error.check(&data)?;
                        rows.push(match errors.is_empty() {
                            true => row(
                                false,
                                "The assertion succeeded but was expected to fail".into(),
                            ),
                            false => row(true, aggregate(&errors)),
                        });
                    }
                }
            }
        }
    }
    Ok(rows)
}

/// Whether a `match` assertion holds (no assertion: it does).
fn holds(assertion: Option<&Assertion>, value: &Value) -> Result<bool, String> {
    match assertion {
        Some(a) => Ok(a.check(value)?.is_empty()),
        None => Ok(true),
    }
}

/// The policy as written, found among the loaded documents by kind, namespace and name.
fn policy_document(policies: &[Value], info: &PolicyInfo) -> Value {
    let found = policies.iter().find(|doc| {
        let text = |path: &[&str]| {
            path.iter()
                .try_fold(*doc, |v, k| v.get(k))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        text(&["kind"]) == info.kind.as_str()
            && text(&["metadata", "name"]) == info.name
            && info
                .namespace
                .as_deref()
                .is_none_or(|ns| [ns, ""].contains(&text(&["metadata", "namespace"]).as_str()))
    });
    found
        .cloned()
        .unwrap_or_else(|| json!({"kind": info.kind.as_str(), "metadata": {"name": info.name}}))
}

/// What a check asserts on: the fields Kyverno gives it for a rule response.
fn rule_data(rule: &RuleResponse) -> Value {
    let pod_security = rule.pod_security().map(|finding| {
        let checks: Vec<Value> = finding
            .violations
            .iter()
            .map(|v| json!({"id": v.id, "reason": v.reason, "detail": v.detail}))
            .collect();
        json!({"level": finding.level, "version": finding.version, "checks": checks})
    });
    let exceptions: Vec<Value> = rule
        .exceptions
        .iter()
        .map(|e| {
            let mut metadata = json!({"name": e.name});
            if let Some(ns) = &e.namespace {
                metadata["namespace"] = json!(ns);
            }
            json!({"apiVersion": "kyverno.io/v2", "kind": "PolicyException", "metadata": metadata})
        })
        .collect();
    json!({
        "name": &*rule.name,
        "ruleType": rule.kind().as_str(),
        "message": rule.message,
        "status": rule.status.as_str(),
        "podSecurityChecks": pod_security,
        "exceptions": exceptions,
    })
}

/// `namespace/Kind/name`, or `Kind/name` for a cluster-scoped resource, as Kyverno's check
/// rows name resources.
fn resource_name(evaluation: &Evaluation) -> String {
    let r = &evaluation.resource;
    match r.namespace() {
        "" => format!("{}/{}", r.kind(), r.name()),
        ns => format!("{ns}/{}/{}", r.kind(), r.name()),
    }
}
