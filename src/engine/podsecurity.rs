//! `validate.podSecurity`: the Pod Security Standards on a Pod or a pod controller's template,
//! with Kyverno's exclusions, reported in upstream PSA's words.

use serde_json::Value;

use super::exceptions;
use super::input::Input;
use super::{PodSecurityFinding, RuleOutput, RuleResponse, RuleStatus, Validation, Violation};
use crate::compile::{CompiledException, CompiledRule, PodSecurityProgram};
use crate::podsecurity::{
    self, CheckResult, Exclusion, admission, apply_exclusions, forbidden_detail,
};

/// The pod metadata and spec of a Pod or of a pod controller's template (PodTemplate is not a
/// kind Kyverno's podSecurity rule accepts).
fn pod_parts(resource: &Value) -> Option<(&Value, &Value)> {
    let kind = resource.get("kind").and_then(Value::as_str)?;
    if kind == "PodTemplate" {
        return None;
    }
    admission::pod_template(admission::resource_for_kind(kind)?, resource)
}

/// A field path of the pod (`spec.containers[0]...`, `metadata.annotations`) as a path in the
/// evaluated resource: under `spec.template` for controllers, `spec.jobTemplate.spec.template`
/// for CronJobs.
fn in_resource(text: &str, kind: &str) -> String {
    let prefix = match kind {
        "Pod" => return text.to_string(),
        "CronJob" => "spec.jobTemplate.spec.template.",
        _ => "spec.template.",
    };
    format!("{prefix}{text}")
}

/// Evaluates a podSecurity rule with the policy exceptions that apply to the request, as
/// Kyverno does: an exception without `podSecurity` controls skips the rule; otherwise the
/// exceptions' controls are exempted from a failing result, and the rule skips when nothing is
/// left. DELETE requests give no result.
pub fn evaluate(
    rule: &CompiledRule,
    program: &PodSecurityProgram,
    input: &Input,
    applying: &[&CompiledException],
) -> Option<RuleResponse> {
    if input.is_delete() {
        return None;
    }
    if let Some(whole) = applying.iter().find(|e| e.pod_security.is_empty()) {
        return Some(exceptions::skip_pod_security_rule(rule, whole));
    }
    let kind = input
        .resource
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some((metadata, spec)) = pod_parts(input.resource) else {
        return Some(RuleResponse::validation(
            &rule.name,
            RuleStatus::Error,
            format!(
                "validation error: rule {} execution error: could not find correct resource type",
                rule.name
            ),
        ));
    };
    let mut results = podsecurity::evaluate(program.level, program.version, metadata, spec);
    let exclude = |exclusions: &[Exclusion], results: &mut Vec<CheckResult>| {
        apply_exclusions(
            program.level,
            program.version,
            metadata,
            spec,
            exclusions,
            results,
        )
    };
    exclude(&program.exclusions, &mut results);
    if podsecurity::is_allowed(&results) {
        return Some(RuleResponse::validation(
            &rule.name,
            RuleStatus::Pass,
            format!("Validation rule '{}' passed.", rule.name),
        ));
    }
    if !applying.is_empty() {
        for exception in applying {
            exclude(&exception.pod_security, &mut results);
        }
        if podsecurity::is_allowed(&results) {
            return Some(exceptions::skip_pod_security(rule, applying));
        }
    }
    let message = format!(
        "Validation rule '{}' failed. It violates PodSecurity \"{}:{}\": {}",
        rule.name,
        program.level,
        program.version_text,
        forbidden_detail(&results)
    );
    let mut response = RuleResponse::validation(&rule.name, RuleStatus::Fail, message);
    response.output = RuleOutput::Validation(Validation {
        failed_paths: Vec::new(),
        pod_security: Some(Box::new(PodSecurityFinding {
            level: program.level.to_string(),
            version: program.version_text.clone(),
            violations: results
                .iter()
                .filter(|r| !r.allowed)
                .map(|r| Violation {
                    id: r.id.to_string(),
                    reason: r.reason.to_string(),
                    detail: r.detail.clone(),
                    field_errors: r
                        .field_errors
                        .iter()
                        .map(|e| in_resource(&e.to_string(), kind))
                        .collect(),
                })
                .collect(),
        })),
    });
    Some(response)
}
