//! Policy reports (`wgpolicyk8s.io/v1alpha2`) from evaluations: one merged `ClusterPolicyReport`
//! for the results of ClusterPolicies and one `PolicyReport` per namespace for namespaced
//! Policies, as `kyverno apply -p` prints them.

use serde_json::{Map, Value, json};

use crate::clock::{Clock, unix_seconds};
use crate::compile::PolicyInfo;
use crate::engine::{Evaluation, PolicyResponse, RuleResponse, RuleStatus};
use crate::ir::FailureAction;

const API_VERSION: &str = "wgpolicyk8s.io/v1alpha2";

/// How results are reported.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions<'a> {
    /// Report failures of Audit rules as warnings (`--audit-warn`).
    pub audit_warn: bool,
    /// The time stamped on results.
    pub clock: &'a dyn Clock,
}

/// The status a rule result is reported with, as Kyverno's CLI computes it: an unscored
/// policy's failure is a warning, and so is the failure of a policy whose failure action is
/// Audit under `audit_warn`.
pub fn reported_status(
    response: &PolicyResponse,
    rule: &RuleResponse,
    audit_warn: bool,
) -> RuleStatus {
    match rule.status {
        RuleStatus::Fail
            if !response.policy.scored
                || (audit_warn && response.failure_action == FailureAction::Audit) =>
        {
            RuleStatus::Warn
        }
        other => other,
    }
}

/// Builds the reports of evaluations: the merged cluster report first, then namespaced reports
/// in the order their policies were first seen.
///
/// ```
/// use rampart::{AdmissionRequest, FixedClock, Loader, Operation, Origin, Request};
/// use rampart::report::{ReportOptions, policy_reports};
/// let mut loader = Loader::new();
/// loader.add_paths(&["stdlib:pod-security/controls/host-namespaces.yaml"]).unwrap();
/// let engine = loader.engine();
/// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
///     "metadata": {"name": "p", "namespace": "default"}, "spec": {"hostPID": true, "containers": []}});
/// let admission = AdmissionRequest::for_resource(pod, Operation::Create);
/// let evaluation = engine.evaluate(&Request::new(&admission).with_origin(Origin::Offline));
/// let clock = FixedClock::from_rfc3339("2026-01-01T00:00:00Z").unwrap();
/// let reports = policy_reports(&[evaluation], &ReportOptions { audit_warn: false, clock: &clock });
/// assert_eq!(reports[0]["kind"], "ClusterPolicyReport");
/// assert_eq!(reports[0]["summary"]["fail"], 1);
/// assert_eq!(reports[0]["results"][0]["timestamp"]["seconds"], 1_767_225_600);
/// ```
pub fn policy_reports(evaluations: &[Evaluation], options: &ReportOptions) -> Vec<Value> {
    let seconds = unix_seconds(options.clock.now());
    let mut cluster = Vec::new();
    let mut namespaced: Vec<(String, Vec<Value>)> = Vec::new();
    for evaluation in evaluations {
        for (namespace, result) in report_results(evaluation, seconds, options.audit_warn) {
            match namespace {
                None => cluster.push(result),
                Some(ns) => match namespaced.iter_mut().find(|(n, _)| *n == ns) {
                    Some((_, list)) => list.push(result),
                    None => namespaced.push((ns, vec![result])),
                },
            }
        }
    }
    let mut reports = vec![report_of(None, cluster)];
    for (ns, results) in namespaced {
        reports.push(report_of(Some(&ns), results));
    }
    reports
}

/// The report results of one evaluation, each with the namespace of its policy (`None` for a
/// ClusterPolicy), stamped `seconds` (Unix time): what [`ReportBuilder::add`] adds, for callers
/// that write reports as they go.
pub fn report_results(
    evaluation: &Evaluation,
    seconds: i64,
    audit_warn: bool,
) -> Vec<(Option<String>, Value)> {
    let mut out = Vec::new();
    for response in &evaluation.policies {
        let policy = &*response.policy;
        for rule in &response.rules {
            let status = reported_status(response, rule, audit_warn);
            let result = result(evaluation, policy, rule, status, seconds);
            out.push((policy.namespace.clone(), result));
        }
    }
    out
}

/// Counts a report result in a summary (`pass`, `fail`, `warn`, `error`, `skip`).
pub fn count_result(summary: &mut [usize; 5], result: &Value) {
    let slot = match result["result"].as_str() {
        Some("pass") => 0,
        Some("fail") => 1,
        Some("warn") => 2,
        Some("error") => 3,
        _ => 4,
    };
    summary[slot] += 1;
}

/// A report's document: `ClusterPolicyReport` `merged` when `namespace` is `None`, else the
/// namespace's `PolicyReport`, with these results and summary counts (`pass`, `fail`, `warn`,
/// `error`, `skip`, as [`count_result`] counts them).
pub fn report_document(namespace: Option<&str>, results: Vec<Value>, summary: [usize; 5]) -> Value {
    let (kind, name) = match namespace {
        None => ("ClusterPolicyReport", "merged"),
        Some(ns) => ("PolicyReport", ns),
    };
    let mut metadata = Map::new();
    metadata.insert("creationTimestamp".into(), Value::Null);
    metadata.insert("name".into(), json!(name));
    if let Some(ns) = namespace {
        metadata.insert("namespace".into(), json!(ns));
    }
    let [pass, fail, warn, error, skip] = summary;
    json!({
        "apiVersion": API_VERSION,
        "kind": kind,
        "metadata": metadata,
        "results": results,
        "summary": {"error": error, "fail": fail, "pass": pass, "skip": skip, "warn": warn},
    })
}

/// A report with its results, counted.
fn report_of(namespace: Option<&str>, results: Vec<Value>) -> Value {
    let mut summary = [0; 5];
    results.iter().for_each(|r| count_result(&mut summary, r));
    report_document(namespace, results, summary)
}

/// One report result.
fn result(
    evaluation: &Evaluation,
    policy: &PolicyInfo,
    rule: &RuleResponse,
    status: RuleStatus,
    seconds: i64,
) -> Value {
    let mut result = Map::new();
    if let Some(c) = &policy.category {
        result.insert("category".into(), json!(c));
    }
    result.insert("message".into(), json!(rule.message));
    result.insert("policy".into(), json!(policy.key()));
    // The rule's reportProperties, then Kyverno's own keys, which win.
    let mut properties: Map<String, Value> = rule
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    if let Some(finding) = rule.pod_security() {
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
    if !rule.exceptions.is_empty() {
        let names: Vec<&str> = rule.exceptions.iter().map(|e| e.name.as_str()).collect();
        properties.insert("exceptions".into(), json!(names.join(",")));
    }
    let process = if policy.background {
        "background scan"
    } else {
        "admission review"
    };
    properties.insert("process".into(), json!(process));
    properties.sort_keys();
    result.insert("properties".into(), Value::Object(properties));
    result.insert("resources".into(), json!([resource_ref(evaluation)]));
    result.insert("result".into(), json!(status.as_str()));
    result.insert("rule".into(), json!(&*rule.name));
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
    Value::Object(result)
}

fn resource_ref(evaluation: &Evaluation) -> Value {
    let r = &evaluation.resource;
    let mut out = Map::new();
    out.insert("apiVersion".into(), json!(r.api_version()));
    out.insert("kind".into(), json!(r.kind()));
    out.insert("name".into(), json!(r.name()));
    if !r.namespace().is_empty() {
        out.insert("namespace".into(), json!(r.namespace()));
    }
    if !r.uid().is_empty() {
        out.insert("uid".into(), json!(r.uid()));
    }
    Value::Object(out)
}

/// Renders reports as YAML documents separated by `---`, or as JSON (`format` = `json`).
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
