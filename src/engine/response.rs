//! What the engine returns: per policy, per rule, a status and a message.

use crate::ir::FailureAction;

/// The outcome of one rule on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleStatus {
    /// The resource satisfies the rule.
    Pass,
    /// It does not.
    Fail,
    /// It does not, and the failure is reported as a warning.
    Warn,
    /// The rule could not be evaluated.
    Error,
    /// The rule did not apply (preconditions, conditional anchors).
    Skip,
}

impl RuleStatus {
    /// Lower-case name as in reports (`pass`, `fail`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Pass => "pass",
            RuleStatus::Fail => "fail",
            RuleStatus::Warn => "warn",
            RuleStatus::Error => "error",
            RuleStatus::Skip => "skip",
        }
    }

    /// Capitalised name as in tables (`Pass`, `Fail`, ...).
    pub fn title(self) -> &'static str {
        match self {
            RuleStatus::Pass => "Pass",
            RuleStatus::Fail => "Fail",
            RuleStatus::Warn => "Warn",
            RuleStatus::Error => "Error",
            RuleStatus::Skip => "Skip",
        }
    }

    /// Parses a lower-case status name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pass" => RuleStatus::Pass,
            "fail" => RuleStatus::Fail,
            "warn" => RuleStatus::Warn,
            "error" => RuleStatus::Error,
            "skip" => RuleStatus::Skip,
            _ => return None,
        })
    }
}

/// The kind of rule a response is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// validate.
    Validation,
    /// mutate.
    Mutation,
    /// generate.
    Generation,
    /// verifyImages.
    ImageVerify,
}

/// The response of one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResponse {
    /// Rule name (autogen names included).
    pub name: String,
    /// Validation, mutation, ...
    pub kind: RuleKind,
    /// Status.
    pub status: RuleStatus,
    /// Message.
    pub message: String,
    /// Set when the rule uses a feature this version does not evaluate yet.
    pub unsupported: Option<String>,
    /// The failure action in force for this rule and resource.
    pub failure_action: FailureAction,
    /// The violations of a failed `podSecurity` rule.
    pub pod_security: Option<Box<PodSecurityFinding>>,
}

impl RuleResponse {
    /// A validation response (failure action filled in by the engine).
    pub fn validation(name: &str, status: RuleStatus, message: String) -> Self {
        RuleResponse {
            name: name.to_string(),
            kind: RuleKind::Validation,
            status,
            message,
            unsupported: None,
            failure_action: FailureAction::Audit,
            pod_security: None,
        }
    }
}

/// What a failed `podSecurity` rule found.
#[derive(Debug, Clone, PartialEq)]
pub struct PodSecurityFinding {
    /// The level (`baseline`, `restricted`).
    pub level: String,
    /// The version as written in the policy (`latest` when not written).
    pub version: String,
    /// The failed checks, in registry order.
    pub violations: Vec<Violation>,
}

/// One failed Pod Security Standards check.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Check ID (`runAsNonRoot`).
    pub id: String,
    /// Forbidden reason.
    pub reason: String,
    /// Forbidden detail.
    pub detail: String,
    /// The offending fields (`spec.containers[0].securityContext.privileged is forbidden, ...`),
    /// as paths in the evaluated resource.
    pub field_errors: Vec<String>,
}

impl Violation {
    /// `reason (detail)`, or just the reason when there is no detail, as PSA prints it.
    pub fn text(&self) -> String {
        if self.detail.is_empty() {
            self.reason.clone()
        } else {
            format!("{} ({})", self.reason, self.detail)
        }
    }
}

/// The responses of one policy's rules for one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyResponse {
    /// Index of the policy in the program.
    pub policy: usize,
    /// The policy's failure action for this resource, as Kyverno's
    /// `GetValidationFailureAction` computes it (first rule that sets one, then the spec).
    pub failure_action: FailureAction,
    /// One response per rule that applied, in rule order.
    pub rules: Vec<RuleResponse>,
}
