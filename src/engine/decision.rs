//! The admission answer to an [`Evaluation`], as Kyverno's validating webhook computes it
//! (`pkg/webhooks/resource/validation`, `pkg/webhooks/utils/block.go` and `warning.go`).
//!
//! Only validate rules take part (mutation has its own webhook). A rule is on the *enforce
//! path* when Kyverno's policy cache files it under Enforce (`admission_action`); it is on the
//! *audit path* otherwise.
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
use crate::admission::Decision;
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
    /// The answer Kyverno's validating webhook gives to the request evaluated: denied with
    /// Kyverno's blocked-resource message, or admitted with warnings (see the module notes).
    pub fn decision(&self) -> Decision {
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
            allow.warnings = enforce_path()
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
