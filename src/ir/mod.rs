//! The normalised meaning of a policy: defaults applied, deprecated spellings mapped onto one
//! form, legacy match forms turned into `any`, and (through [`crate::autogen`]) rules for pod
//! controllers added. Plain data, easy to print and compare.

mod exception;
mod lower;

pub use exception::{Exception, lower_exception};
pub use lower::lower;

use crate::diag::FileId;
use crate::syntax::ast::PolicyKind;
use crate::yaml::{Node, Span};

/// What happens when a validate rule fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailureAction {
    /// Report only.
    #[default]
    Audit,
    /// Deny the request.
    Enforce,
}

impl FailureAction {
    /// Reads Kyverno's spellings: only `Enforce`/`enforce` enforce; anything else audits.
    pub fn from_kyverno(s: &str) -> Self {
        match s {
            "Enforce" | "enforce" => FailureAction::Enforce,
            _ => FailureAction::Audit,
        }
    }

    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureAction::Audit => "Audit",
            FailureAction::Enforce => "Enforce",
        }
    }
}

/// What a rule error does to an admission request (`failurePolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailurePolicy {
    /// The request is denied (the default).
    #[default]
    Fail,
    /// The request is admitted.
    Ignore,
}

impl FailurePolicy {
    /// `Fail` or `Ignore`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailurePolicy::Fail => "Fail",
            FailurePolicy::Ignore => "Ignore",
        }
    }
}

/// The kind of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// `validate`.
    Validation,
    /// `mutate`.
    Mutation,
    /// `generate`.
    Generation,
    /// `verifyImages`.
    ImageVerification,
}

impl RuleKind {
    /// Kyverno's name of the rule type (`Validation`, `Mutation`, `Generation`, `ImageVerify`).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Validation => "Validation",
            RuleKind::Mutation => "Mutation",
            RuleKind::Generation => "Generation",
            RuleKind::ImageVerification => "ImageVerify",
        }
    }
}

/// A per-namespace failure action override.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionOverride {
    /// The action in the listed namespaces.
    pub action: FailureAction,
    /// Namespace wildcards.
    pub namespaces: Vec<String>,
    /// Namespace label selector.
    pub namespace_selector: Option<LabelSelector>,
}

/// A normalised policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Where it was read from.
    pub file: FileId,
    /// `ClusterPolicy` or `Policy`.
    pub kind: PolicyKind,
    /// `metadata.name`.
    pub name: String,
    /// The namespace of a namespaced `Policy` (`default` when not given); `None` for a ClusterPolicy.
    pub namespace: Option<String>,
    /// `metadata.annotations`, in order.
    pub annotations: Vec<(String, String)>,
    /// Whether background processing is on (default true).
    pub background: bool,
    /// Whether admission processing is on (default true).
    pub admission: bool,
    /// `applyRules: One`.
    pub apply_one: bool,
    /// `webhookConfiguration.failurePolicy`, else the deprecated `failurePolicy` (default Fail).
    pub failure_policy: FailurePolicy,
    /// `webhookConfiguration.timeoutSeconds`, else the deprecated `webhookTimeoutSeconds`.
    pub webhook_timeout_seconds: Option<u32>,
    /// `emitWarning`: Audit results become admission warnings.
    pub emit_warning: bool,
    /// `webhookConfiguration.matchConditions` (CEL), as written.
    pub match_conditions: Option<serde_json::Value>,
    /// The policy-wide failure action (`spec.validationFailureAction`).
    pub failure_action: FailureAction,
    /// `spec.validationFailureActionOverrides`.
    pub failure_action_overrides: Vec<ActionOverride>,
    /// The rules, autogen rules included once [`crate::autogen`] has run.
    pub rules: Vec<Rule>,
}

impl Policy {
    /// An annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Where a rule came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleOrigin {
    /// Written in the policy.
    Written,
    /// `autogen-<rule>` for Deployment, DaemonSet, ... .
    Autogen,
    /// `autogen-cronjob-<rule>` for CronJob.
    AutogenCronJob,
}

/// A normalised rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule name (autogen rules carry their generated name).
    pub name: String,
    /// Where the rule is written (autogen rules point at their source rule).
    pub span: Span,
    /// Written or generated.
    pub origin: RuleOrigin,
    /// `match`.
    pub match_: Match,
    /// `exclude`.
    pub exclude: Option<Match>,
    /// `context`, as written.
    pub context: Option<Node>,
    /// `preconditions`, as written.
    pub preconditions: Option<Node>,
    /// `reportProperties`: key, value and where the value is written.
    pub report_properties: Vec<(String, String, Span)>,
    /// What the rule does.
    pub body: Body,
}

/// How the filters of a match combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// One filter must match.
    Any,
    /// Every filter must match.
    All,
}

/// `match` or `exclude`, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Any or all.
    pub combine: Combine,
    /// The filters.
    pub filters: Vec<Filter>,
}

/// One resource filter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    /// Kind selectors as written (`Pod`, `apps/v1/Deployment`, `*/scale`, ...).
    pub kinds: Vec<String>,
    /// Name wildcards (`name` and `names` merged).
    pub names: Vec<String>,
    /// Namespace wildcards.
    pub namespaces: Vec<String>,
    /// Annotation wildcards (key, value).
    pub annotations: Vec<(String, String)>,
    /// Label selector on the resource.
    pub selector: Option<LabelSelector>,
    /// Label selector on the resource's namespace.
    pub namespace_selector: Option<LabelSelector>,
    /// Admission operations (`CREATE`, ...); empty = all.
    pub operations: Vec<String>,
    /// Subjects (kind, name, namespace).
    pub subjects: Vec<SubjectRef>,
    /// Roles (`namespace:name`).
    pub roles: Vec<String>,
    /// Cluster roles.
    pub cluster_roles: Vec<String>,
}

impl Filter {
    /// Whether the resource part of the filter is empty.
    pub fn resources_empty(&self) -> bool {
        self.kinds.is_empty()
            && self.names.is_empty()
            && self.namespaces.is_empty()
            && self.annotations.is_empty()
            && self.selector.is_none()
            && self.namespace_selector.is_none()
            && self.operations.is_empty()
    }

    /// Whether the user part of the filter is empty.
    pub fn user_info_empty(&self) -> bool {
        self.subjects.is_empty() && self.roles.is_empty() && self.cluster_roles.is_empty()
    }
}

/// A subject of a match filter.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectRef {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    /// The name (wildcards allowed).
    pub name: String,
    /// The namespace of a service account.
    pub namespace: String,
}

/// A label selector.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabelSelector {
    /// `matchLabels` (wildcards allowed).
    pub match_labels: Vec<(String, String)>,
    /// `matchExpressions`: key, operator, values.
    pub match_expressions: Vec<(String, String, Vec<String>)>,
}

impl Body {
    /// The kind of rule.
    pub fn kind(&self) -> RuleKind {
        match self {
            Body::Validate(_) => RuleKind::Validation,
            Body::Mutate(_) => RuleKind::Mutation,
            Body::Generate(_) => RuleKind::Generation,
            Body::VerifyImages(_) => RuleKind::ImageVerification,
        }
    }
}

/// A rule's action.
#[derive(Debug, Clone)]
pub enum Body {
    /// A validate rule.
    Validate(Validate),
    /// Mutate (not evaluated yet).
    Mutate(Node),
    /// Generate (not evaluated yet).
    Generate(Node),
    /// verifyImages (not evaluated yet).
    VerifyImages(Node),
}

/// A normalised validate block.
#[derive(Debug, Clone)]
pub struct Validate {
    /// `message`.
    pub message: Option<String>,
    /// Where `message` is written.
    pub message_span: Option<Span>,
    /// `validate.failureAction`, if written.
    pub failure_action: Option<FailureAction>,
    /// `validate.failureActionOverrides`.
    pub failure_action_overrides: Vec<ActionOverride>,
    /// `allowExistingViolations` (default true).
    pub allow_existing_violations: bool,
    /// The check.
    pub check: Check,
}

/// The check of a validate block.
#[derive(Debug, Clone)]
pub enum Check {
    /// `pattern`.
    Pattern(Node),
    /// `anyPattern`: one node per alternative.
    AnyPattern(Vec<Node>),
    /// `deny`.
    Deny(Node),
    /// `foreach`.
    Foreach(Node),
    /// `podSecurity`.
    PodSecurity(Node),
    /// `cel`.
    Cel(Node),
    /// `manifests`.
    Manifests(Node),
}

impl Check {
    /// The field name.
    pub fn name(&self) -> &'static str {
        match self {
            Check::Pattern(_) => "pattern",
            Check::AnyPattern(_) => "anyPattern",
            Check::Deny(_) => "deny",
            Check::Foreach(_) => "foreach",
            Check::PodSecurity(_) => "podSecurity",
            Check::Cel(_) => "cel",
            Check::Manifests(_) => "manifests",
        }
    }
}
