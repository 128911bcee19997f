//! What the engine returns: for one request, per policy, per rule, a status, a message and what
//! the rule did ([`RuleOutput`]).

use std::sync::Arc;

use serde_json::Value;

use super::input::Input;
use crate::admission::Operation;
use crate::compile::{ExceptionInfo, PolicyInfo};
use crate::ir::{FailureAction, RuleKind};
use crate::jsonpatch::PatchOp;

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

/// What a rule did, by rule kind. Later rule kinds add variants.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RuleOutput {
    /// A validate rule's findings.
    Validation(Validation),
    /// What a mutate rule did.
    Mutation(Mutation),
    /// What a generate rule created.
    Generation(Generation),
    /// A rule of a kind, or using a feature, this version does not evaluate: it reports an error.
    Unsupported {
        /// The rule's kind.
        kind: RuleKind,
        /// What is not supported (`mutate rules`, `validate.cel`, ...).
        feature: String,
    },
}

/// What a validate rule found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validation {
    /// Where a pattern failed, as JSON paths in the resource (`/spec/containers/0/image/`): one
    /// for `pattern`, one per failed alternative for `anyPattern`.
    pub failed_paths: Vec<String>,
    /// The violations of a failed `podSecurity` rule.
    pub pod_security: Option<Box<PodSecurityFinding>>,
}

/// What a mutate rule did. The patched resource is the policy's
/// ([`PolicyResponse::patched`]) and the evaluation's ([`Evaluation::patched`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mutation {
    /// For a mutate-existing rule (`mutate.targets`): the target as the rule patched it (one
    /// response per target).
    pub target: Option<Arc<Value>>,
}

/// What a generate rule created: the objects, as Kyverno would create them (its labels
/// included), in the order they were generated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Generation {
    /// The generated objects.
    pub resources: Vec<Value>,
}

/// The response of one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResponse {
    /// Rule name (autogen names included), shared with the compiled rule.
    pub name: Arc<str>,
    /// Status.
    pub status: RuleStatus,
    /// Message, in Kyverno's words.
    pub message: String,
    /// The failure action in force for this rule and resource, resolved as Kyverno's engine
    /// does: the rule's overrides, its `failureAction`, the policy's overrides, the policy's
    /// action.
    pub failure_action: FailureAction,
    /// The failure action Kyverno's admission controller files the rule under before the engine
    /// runs (its policy cache resolves the rule's overrides, else the policy's, then the rule's
    /// action, then the policy's). A failure denies admission only when this and
    /// `failure_action` are both Enforce; an error only when this is Enforce (and the policy's
    /// failure policy is Fail).
    pub admission_action: FailureAction,
    /// `reportProperties`, with variables substituted.
    pub properties: Vec<(String, String)>,
    /// What the rule did.
    pub output: RuleOutput,
    /// The policy exceptions that made the rule skip (empty otherwise), in load order: what
    /// reports list under the `exceptions` property.
    pub exceptions: Vec<Arc<ExceptionInfo>>,
}

impl RuleResponse {
    /// A validation response (failure actions filled in by the engine).
    pub fn validation(name: &Arc<str>, status: RuleStatus, message: String) -> Self {
        RuleResponse {
            name: Arc::clone(name),
            status,
            message,
            failure_action: FailureAction::Audit,
            admission_action: FailureAction::Audit,
            properties: Vec::new(),
            output: RuleOutput::Validation(Validation::default()),
            exceptions: Vec::new(),
        }
    }

    /// A mutation response (failure actions filled in by the engine).
    pub fn mutation(name: &Arc<str>, status: RuleStatus, message: String) -> Self {
        RuleResponse {
            output: RuleOutput::Mutation(Mutation::default()),
            ..RuleResponse::validation(name, status, message)
        }
    }

    /// A generation response (failure actions filled in by the engine).
    pub fn generation(name: &Arc<str>, status: RuleStatus, message: String) -> Self {
        RuleResponse {
            output: RuleOutput::Generation(Generation::default()),
            ..RuleResponse::validation(name, status, message)
        }
    }

    /// The objects a generate rule created (none for other rules).
    pub fn generated(&self) -> &[Value] {
        match &self.output {
            RuleOutput::Generation(g) => &g.resources,
            _ => &[],
        }
    }

    /// The kind of the rule.
    pub fn kind(&self) -> RuleKind {
        match &self.output {
            RuleOutput::Validation(_) => RuleKind::Validation,
            RuleOutput::Mutation(_) => RuleKind::Mutation,
            RuleOutput::Generation(_) => RuleKind::Generation,
            RuleOutput::Unsupported { kind, .. } => *kind,
        }
    }

    /// The validation findings, for a validate rule.
    pub fn validation_output(&self) -> Option<&Validation> {
        match &self.output {
            RuleOutput::Validation(v) => Some(v),
            _ => None,
        }
    }

    /// The podSecurity violations, for a failed podSecurity rule.
    pub fn pod_security(&self) -> Option<&PodSecurityFinding> {
        self.validation_output()?.pod_security.as_deref()
    }

    /// The unsupported feature, for a rule this version does not evaluate.
    pub fn unsupported(&self) -> Option<&str> {
        match &self.output {
            RuleOutput::Unsupported { feature, .. } => Some(feature),
            _ => None,
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

/// The responses of one policy's rules for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyResponse {
    /// The policy.
    pub policy: Arc<PolicyInfo>,
    /// The policy's failure action for this resource, as Kyverno's `GetValidationFailureAction`
    /// computes it (the first rule that sets one, then the policy's overrides and action).
    pub failure_action: FailureAction,
    /// One response per rule that applied: the mutate rules' (in rule order), then the
    /// others'.
    pub rules: Vec<RuleResponse>,
    /// For a policy whose mutate rules applied: the resource after them (and after every
    /// earlier policy's), changed or not. This is what `kyverno test` compares with
    /// `patchedResources`.
    pub patched: Option<Arc<Value>>,
}

/// The resource an evaluation is about: the object, or the old object of a DELETE. Its five
/// parts live in one string (one allocation per evaluation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceRef {
    /// `apiVersion`, `kind`, `namespace`, `name` and `uid`, one after the other.
    text: String,
    /// Where each part ends in `text`.
    ends: [usize; 5],
}

impl ResourceRef {
    /// A reference from its parts.
    pub fn new(api_version: &str, kind: &str, namespace: &str, name: &str, uid: &str) -> Self {
        let parts = [api_version, kind, namespace, name, uid];
        let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        let mut ends = [0; 5];
        for (end, part) in ends.iter_mut().zip(parts) {
            text.push_str(part);
            *end = text.len();
        }
        ResourceRef { text, ends }
    }

    fn part(&self, i: usize) -> &str {
        let start = match i {
            0 => 0,
            _ => self.ends.get(i - 1).copied().unwrap_or(0),
        };
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or("")
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        self.part(0)
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        self.part(1)
    }

    /// `metadata.namespace` (empty for cluster-scoped resources).
    pub fn namespace(&self) -> &str {
        self.part(2)
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.part(3)
    }

    /// `metadata.uid`, if set.
    pub fn uid(&self) -> &str {
        self.part(4)
    }

    /// `Kind/namespace/name`, as Kyverno names a resource in messages.
    pub fn path(&self) -> String {
        format!("{}/{}/{}", self.kind(), self.namespace(), self.name())
    }

    pub(crate) fn of(input: &Input) -> Self {
        let own = &input.own;
        ResourceRef::new(
            own.api_version,
            input.kind,
            input.namespace,
            own.name,
            own.uid,
        )
    }
}

/// Everything the engine found for one request: the responses of every policy that had a rule
/// apply, in policy order.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The resource.
    pub resource: ResourceRef,
    /// The operation.
    pub operation: Operation,
    /// The policies' responses.
    pub policies: Vec<PolicyResponse>,
    /// The object as the mutate rules left it, when they changed it. Validate rules checked
    /// this object.
    pub patched: Option<Arc<Value>>,
    /// The request's deadline passed before every policy was evaluated: the policies after
    /// that point have no response.
    pub unfinished: bool,
}

impl Evaluation {
    /// The JSON Patch from the request's object (`original`) to [`Evaluation::patched`]
    /// (empty when nothing changed): what an admission response carries. Computed on each
    /// call; the evaluation keeps no copy of the original.
    pub fn patch(&self, original: &Value) -> Vec<PatchOp> {
        match &self.patched {
            Some(after) => crate::jsonpatch::diff(original, after),
            None => Vec::new(),
        }
    }

    /// Every rule response with its policy.
    pub fn rules(&self) -> impl Iterator<Item = (&PolicyInfo, &RuleResponse)> {
        self.policies
            .iter()
            .flat_map(|p| p.rules.iter().map(move |r| (&*p.policy, r)))
    }
}
