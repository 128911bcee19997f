//! The policy as written: Kyverno's `ClusterPolicy` / `Policy` schema with a span on every
//! value a later stage may need to point at. Rule bodies the engine interprets later (patterns,
//! conditions, context, mutate, generate) are kept as spanned YAML nodes.

use super::reader::Spanned;
use crate::diag::FileId;
use crate::yaml::{Node, Span};

/// Cluster-wide or namespaced policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// `ClusterPolicy`.
    ClusterPolicy,
    /// `Policy` (applies only in its own namespace).
    Policy,
}

impl PolicyKind {
    /// The Kubernetes kind name.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::ClusterPolicy => "ClusterPolicy",
            PolicyKind::Policy => "Policy",
        }
    }
}

/// One policy document.
#[derive(Debug, Clone)]
pub struct PolicyDoc {
    /// The file it was read from.
    pub file: FileId,
    /// `kind`.
    pub kind: PolicyKind,
    /// `metadata.name`.
    pub name: Spanned<String>,
    /// `metadata.namespace` (a `Policy` without one lives in `default`).
    pub namespace: Option<Spanned<String>>,
    /// `metadata.annotations`.
    pub annotations: Vec<(Spanned<String>, Spanned<String>)>,
    /// `spec`.
    pub spec: Spec,
}

/// `spec` of a policy.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// `rules`.
    pub rules: Vec<Rule>,
    /// `validationFailureAction` (deprecated spelling of the failure action).
    pub validation_failure_action: Option<Spanned<String>>,
    /// `validationFailureActionOverrides`.
    pub failure_action_overrides: Vec<FailureActionOverride>,
    /// `background` (default true).
    pub background: Option<bool>,
    /// `admission` (default true).
    pub admission: Option<bool>,
    /// `failurePolicy`: `Fail` or `Ignore`.
    pub failure_policy: Option<Spanned<String>>,
    /// `applyRules`: `All` or `One`.
    pub apply_rules: Option<Spanned<String>>,
    /// `emitWarning`.
    pub emit_warning: Option<bool>,
    /// `webhookTimeoutSeconds` (deprecated), 1 to 30.
    pub webhook_timeout_seconds: Option<Spanned<i64>>,
    /// `webhookConfiguration`.
    pub webhook_configuration: Option<WebhookConfiguration>,
    /// Knobs that act only inside a cluster (`schemaValidation`, `mutateExistingOnPolicyUpdate`,
    /// `generateExisting`, `useServerSideApply`), kept as written.
    pub cluster_only: Vec<(Spanned<String>, Node)>,
}

/// `spec.webhookConfiguration`.
#[derive(Debug, Clone, Default)]
pub struct WebhookConfiguration {
    /// `failurePolicy`: `Fail` or `Ignore`.
    pub failure_policy: Option<Spanned<String>>,
    /// `timeoutSeconds`, 1 to 30.
    pub timeout_seconds: Option<Spanned<i64>>,
    /// `matchConditions` (CEL), as written.
    pub match_conditions: Option<Node>,
}

/// One entry of `validationFailureActionOverrides` / `validate.failureActionOverrides`.
#[derive(Debug, Clone)]
pub struct FailureActionOverride {
    /// `action`.
    pub action: Spanned<String>,
    /// `namespaces` (wildcards).
    pub namespaces: Vec<Spanned<String>>,
    /// `namespaceSelector`.
    pub namespace_selector: Option<Selector>,
}

/// A rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `name`.
    pub name: Spanned<String>,
    /// The whole rule.
    pub span: Span,
    /// `match`.
    pub match_: MatchResources,
    /// `exclude`.
    pub exclude: Option<MatchResources>,
    /// `context`, as written.
    pub context: Option<Node>,
    /// `preconditions`, as written.
    pub preconditions: Option<Node>,
    /// `reportProperties`.
    pub report_properties: Vec<(Spanned<String>, Spanned<String>)>,
    /// The rule's action.
    pub body: RuleBody,
}

/// What a rule does.
#[derive(Debug, Clone)]
pub enum RuleBody {
    /// `validate`.
    Validate(Validate),
    /// `mutate`, as written.
    Mutate(Node),
    /// `generate`, as written.
    Generate(Node),
    /// `verifyImages`, as written.
    VerifyImages(Node),
}

/// `validate`.
#[derive(Debug, Clone)]
pub struct Validate {
    /// `message`.
    pub message: Option<Spanned<String>>,
    /// `failureAction`.
    pub failure_action: Option<Spanned<String>>,
    /// `failureActionOverrides`.
    pub failure_action_overrides: Vec<FailureActionOverride>,
    /// `allowExistingViolations` (default true).
    pub allow_existing_violations: Option<bool>,
    /// The kind of check.
    pub check: ValidateCheck,
}

/// The one check a `validate` block holds.
#[derive(Debug, Clone)]
pub enum ValidateCheck {
    /// `pattern`.
    Pattern(Node),
    /// `anyPattern`.
    AnyPattern(Node),
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

impl ValidateCheck {
    /// The field name.
    pub fn name(&self) -> &'static str {
        match self {
            ValidateCheck::Pattern(_) => "pattern",
            ValidateCheck::AnyPattern(_) => "anyPattern",
            ValidateCheck::Deny(_) => "deny",
            ValidateCheck::Foreach(_) => "foreach",
            ValidateCheck::PodSecurity(_) => "podSecurity",
            ValidateCheck::Cel(_) => "cel",
            ValidateCheck::Manifests(_) => "manifests",
        }
    }
}

/// `match` or `exclude`.
#[derive(Debug, Clone, Default)]
pub struct MatchResources {
    /// `any` (OR over filters).
    pub any: Option<Vec<ResourceFilter>>,
    /// `all` (AND over filters).
    pub all: Option<Vec<ResourceFilter>>,
    /// The deprecated direct form: `resources`, `subjects`, `roles`, `clusterRoles` at this level.
    pub direct: Option<ResourceFilter>,
}

/// One filter of `any` / `all`.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    /// The filter.
    pub span: Span,
    /// `resources`.
    pub resources: ResourceDescription,
    /// `subjects`.
    pub subjects: Vec<Subject>,
    /// `roles`.
    pub roles: Vec<Spanned<String>>,
    /// `clusterRoles`.
    pub cluster_roles: Vec<Spanned<String>>,
}

/// `resources` of a filter.
#[derive(Debug, Clone, Default)]
pub struct ResourceDescription {
    /// `kinds`.
    pub kinds: Vec<Spanned<String>>,
    /// `name` (deprecated single name).
    pub name: Option<Spanned<String>>,
    /// `names`.
    pub names: Vec<Spanned<String>>,
    /// `namespaces`.
    pub namespaces: Vec<Spanned<String>>,
    /// `annotations`.
    pub annotations: Vec<(Spanned<String>, Spanned<String>)>,
    /// `selector`.
    pub selector: Option<Selector>,
    /// `namespaceSelector`.
    pub namespace_selector: Option<Selector>,
    /// `operations`.
    pub operations: Vec<Spanned<String>>,
}

/// A Kubernetes label selector.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    /// `matchLabels` (Kyverno allows wildcards).
    pub match_labels: Vec<(Spanned<String>, Spanned<String>)>,
    /// `matchExpressions`.
    pub match_expressions: Vec<SelectorRequirement>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone)]
pub struct SelectorRequirement {
    /// `key`.
    pub key: Spanned<String>,
    /// `operator`: `In`, `NotIn`, `Exists`, `DoesNotExist`.
    pub operator: Spanned<String>,
    /// `values`.
    pub values: Vec<Spanned<String>>,
}

/// A `subjects` entry.
#[derive(Debug, Clone)]
pub struct Subject {
    /// `kind`: `User`, `Group` or `ServiceAccount`.
    pub kind: Spanned<String>,
    /// `name`.
    pub name: Spanned<String>,
    /// `namespace` (service accounts).
    pub namespace: Option<Spanned<String>>,
}
