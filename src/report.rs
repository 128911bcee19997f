//! Policy reports (`wgpolicyk8s.io/v1alpha2`): one merged `ClusterPolicyReport` for the results
//! of ClusterPolicies and one `PolicyReport` per namespace for namespaced Policies, as
//! `kyverno apply -p` prints them.

use serde_json::{Map, Value, json};

use crate::cli::apply::{Evaluated, reported_status};
use crate::cli::resources::{api_version_of, kind_of, name_of, namespace_of};
use crate::engine::RuleStatus;
use crate::load::PolicySet;

const API_VERSION: &str = "wgpolicyk8s.io/v1alpha2";

/// Builds the reports: the merged cluster report first, then namespaced reports.
pub fn build(set: &PolicySet, results: &[Evaluated], audit_warn: bool) -> Vec<Value> {
    build_at(set, results, audit_warn, now())
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Like [`build`], with a fixed timestamp (seconds since the epoch).
pub fn build_at(
    set: &PolicySet,
    results: &[Evaluated],
    audit_warn: bool,
    seconds: u64,
) -> Vec<Value> {
    let mut cluster = Vec::new();
    let mut namespaced: Vec<(String, Vec<Value>)> = Vec::new();
    for e in results {
        let Some(policy) = set.program.policies.get(e.response.policy) else {
            continue;
        };
        for rule in &e.response.rules {
            let status =
                reported_status(rule.status, policy.scored, audit_warn, rule.failure_action);
            let mut result = Map::new();
            if let Some(c) = &policy.category {
                result.insert("category".into(), json!(c));
            }
            result.insert("message".into(), json!(rule.message));
            result.insert("policy".into(), json!(policy.key()));
            let process = if policy.background {
                "background scan"
            } else {
                "admission review"
            };
            let mut properties = Map::new();
            if let Some(finding) = &rule.pod_security {
                let ids: Vec<&str> = finding.violations.iter().map(|v| v.id.as_str()).collect();
                properties.insert("controls".into(), json!(ids.join(",")));
                let fields: Vec<&str> = finding
                    .violations
                    .iter()
                    .flat_map(|v| v.field_errors.iter().map(String::as_str))
                    .collect();
                properties.insert("fieldErrors".into(), json!(fields.join("; ")));
                properties.insert("standard".into(), json!(finding.level));
                properties.insert("version".into(), json!(finding.version));
            }
            properties.insert("process".into(), json!(process));
            properties.sort_keys();
            result.insert("properties".into(), Value::Object(properties));
            result.insert("resources".into(), json!([resource_ref(e.resource)]));
            result.insert("result".into(), json!(status.as_str()));
            result.insert("rule".into(), json!(rule.name));
            if policy.scored {
                result.insert("scored".into(), json!(true));
            }
            if let Some(s) = &policy.severity {
                result.insert("severity".into(), json!(s));
            }
            result.insert("source".into(), json!("kyverno"));
            result.insert(
                "timestamp".into(),
                json!({ "nanos": 0, "seconds": seconds }),
            );
            let result = Value::Object(result);
            match &policy.namespace {
                None => cluster.push(result),
                Some(ns) => match namespaced.iter_mut().find(|(n, _)| n == ns) {
                    Some((_, list)) => list.push(result),
                    None => namespaced.push((ns.clone(), vec![result])),
                },
            }
        }
    }
    let mut reports = vec![report("ClusterPolicyReport", "merged", None, cluster)];
    for (ns, results) in namespaced {
        reports.push(report("PolicyReport", &ns, Some(&ns), results));
    }
    reports
}

fn resource_ref(resource: &Value) -> Value {
    let mut r = Map::new();
    r.insert("apiVersion".into(), json!(api_version_of(resource)));
    r.insert("kind".into(), json!(kind_of(resource)));
    r.insert("name".into(), json!(name_of(resource)));
    let ns = namespace_of(resource);
    if !ns.is_empty() {
        r.insert("namespace".into(), json!(ns));
    }
    Value::Object(r)
}

fn report(kind: &str, name: &str, namespace: Option<&str>, results: Vec<Value>) -> Value {
    let count = |s: RuleStatus| results.iter().filter(|r| r["result"] == s.as_str()).count();
    let mut metadata = Map::new();
    metadata.insert("creationTimestamp".into(), Value::Null);
    metadata.insert("name".into(), json!(name));
    if let Some(ns) = namespace {
        metadata.insert("namespace".into(), json!(ns));
    }
    json!({
        "apiVersion": API_VERSION,
        "kind": kind,
        "metadata": metadata,
        "results": results,
        "summary": {
            "error": count(RuleStatus::Error),
            "fail": count(RuleStatus::Fail),
            "pass": count(RuleStatus::Pass),
            "skip": count(RuleStatus::Skip),
            "warn": count(RuleStatus::Warn),
        },
    })
}

/// Renders reports as YAML documents separated by `---`, or as JSON.
pub fn render(reports: &[Value], format: &str) -> String {
    let mut out = String::new();
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        if format == "json" {
            out.push_str(&serde_json::to_string_pretty(r).unwrap_or_default());
            out.push('\n');
        } else {
            out.push_str(&crate::yaml::to_yaml_string(r));
            out.push('\n');
        }
    }
    out
}
