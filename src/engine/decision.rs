//! The admission answer to an [`Evaluation`], as Kyverno's validating webhook computes it
//! (`pkg/webhooks/resource/validation`, `pkg/webhooks/utils/block.go` and `warning.go`).
//!
//! Mutate rules decide first, as Kyverno's mutating webhook: a policy whose `failurePolicy` is
//! Fail denies the request when one of its mutate rules failed or errored; otherwise the
//! admitted request carries the evaluation's JSON Patch. Then validate rules. A rule is on the
//! *enforce path* when Kyverno's policy cache files it under Enforce (`admission_action`); it
//! is on the *audit path* otherwise.
//!
//! - The request is denied when an enforce-path rule fails and its failure action is Enforce,
//!   or errors and its policy's `failurePolicy` is Fail. The message names every enforce-path
//!   rule that neither passed nor skipped, as a YAML map of policy to rule to message.
//! - An admitted request gets a warning `policy <policy>.<rule>: <message>` for every
//!   enforce-path rule that neither passed nor skipped, then for every audit-path one of a
//!   policy with `emitWarning: true`.
//! - Beyond Kyverno (which records Audit failures in policy reports, not in the response), the
//!   audit-path rules that neither passed nor skipped are listed in the audit annotation
//!   `audit-violations`, so that a webhook without reports still leaves a trace in the audit log.

use std::collections::BTreeMap;

use serde_json::Value;

use super::response::{Evaluation, RuleResponse, RuleStatus};
use crate::admission::{AdmissionRequest, Decision};
use crate::compile::PolicyInfo;
use crate::ir::{FailureAction, FailurePolicy, RuleKind};

/// Whether a rule's result shows in messages and warnings (Kyverno leaves out pass and skip).
fn reported(rule: &RuleResponse) -> bool {
    !matches!(rule.status, RuleStatus::Pass | RuleStatus::Skip)
}

/// `policy <policy>.<rule>: <message>`.
fn warning(policy: &PolicyInfo, rule: &RuleResponse) -> String {
    format!("policy {}.{}: {}", policy.name, rule.name, rule.message)
}

impl Evaluation {
    /// The answer to the request evaluated, as Kyverno's mutating and validating webhooks give
    /// it: denied with Kyverno's message, or admitted with warnings and, when mutate rules
    /// changed the object, the JSON Patch from the request's object (see the module notes).
    pub fn decision_for(&self, request: &AdmissionRequest) -> Decision {
        let mut decision = self.decision();
        if decision.allowed
            && let Some(original) = request.object.as_ref()
        {
            decision.patch = self.patch(original);
        }
        decision
    }

    /// The answer of a mutating webhook alone (validate rules decide in the validating
    /// webhook, with [`Evaluation::decision`]): denied when a mutate rule of a policy whose
    /// `failurePolicy` is Fail failed or errored, else admitted with the JSON Patch.
    pub fn mutation_decision_for(&self, request: &AdmissionRequest) -> Decision {
        if let Some(message) = self.mutation_failure() {
            return Decision::deny(message);
        }
        let mut decision = Decision::allow();
        if let Some(original) = request.object.as_ref() {
            decision.patch = self.patch(original);
        }
        decision
    }

    /// [`Evaluation::decision_for`] without the patch (which needs the request's object).
    pub fn decision(&self) -> Decision {
        if let Some(message) = self.mutation_failure() {
            return Decision::deny(message);
        }
        let validations = || {
            self.rules()
                .filter(|(_, r)| r.kind() == RuleKind::Validation)
        };
        let enforce_path =
            || validations().filter(|(_, r)| r.admission_action == FailureAction::Enforce);
        let audit_path =
            || validations().filter(|(_, r)| r.admission_action == FailureAction::Audit);
        let blocks = |(policy, rule): &(&PolicyInfo, &RuleResponse)| match rule.status {
            RuleStatus::Fail => rule.failure_action == FailureAction::Enforce,
            RuleStatus::Error => policy.failure_policy == FailurePolicy::Fail,
            _ => false,
        };
        let mut decision = if enforce_path().any(|r| blocks(&r)) {
            Decision::deny(self.blocked_message())
        } else {
            let mut allow = Decision::allow();
            let mutations = self
                .rules()
                .filter(|(p, r)| r.kind() == RuleKind::Mutation && p.emit_warning);
            allow.warnings = mutations
                .chain(enforce_path())
                .chain(audit_path().filter(|(p, _)| p.emit_warning))
                .filter(|(_, r)| reported(r))
                .map(|(p, r)| warning(p, r))
                .collect();
            allow
        };
        let audited: Vec<String> = audit_path()
            .filter(|(_, r)| reported(r))
            .map(|(p, r)| warning(p, r))
            .collect();
        if !audited.is_empty() {
            decision = decision.annotate("audit-violations", audited.join("; "));
        }
        decision
    }

    /// Kyverno's mutating webhook denies a request when a policy whose `failurePolicy` is Fail
    /// has a mutate rule that failed or errored: `mutation policy <p> error: failed to apply
    /// policy <p> rules [<rule>: <message> ...]` for the first such policy.
    fn mutation_failure(&self) -> Option<String> {
        self.policies.iter().find_map(|p| {
            let failed: Vec<String> = p
                .rules
                .iter()
                .filter(|r| {
                    r.kind() == RuleKind::Mutation
                        && matches!(r.status, RuleStatus::Fail | RuleStatus::Error)
                })
                .map(|r| format!("{}: {}", r.name, r.message))
                .collect();
            (!failed.is_empty() && p.policy.failure_policy == FailurePolicy::Fail).then(|| {
                let name = &p.policy.name;
                format!(
                    "mutation policy {name} error: failed to apply policy {name} rules [{}]",
                    failed.join(" ")
                )
            })
        })
    }

    /// Kyverno's `GetBlockedMessages`: the resource, then a YAML map of policy name to rule
    /// name to message (keys sorted) of every enforce-path rule that neither passed nor skipped.
    fn blocked_message(&self) -> String {
        let mut failures: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
        for (policy, rule) in self.rules() {
            if rule.kind() == RuleKind::Validation
                && rule.admission_action == FailureAction::Enforce
                && reported(rule)
            {
                failures
                    .entry(&policy.name)
                    .or_default()
                    .insert(&rule.name, &rule.message);
            }
        }
        let map: serde_json::Map<String, Value> = failures
            .into_iter()
            .map(|(policy, rules)| {
                let rules = rules
                    .into_iter()
                    .map(|(rule, message)| (rule.to_string(), Value::String(message.to_string())))
                    .collect();
                (policy.to_string(), Value::Object(rules))
            })
            .collect();
        format!(
            "\n\nresource {} was blocked due to the following policies \n\n{}",
            self.resource.path(),
            crate::yaml::to_yaml_string(&Value::Object(map))
        )
    }
}
