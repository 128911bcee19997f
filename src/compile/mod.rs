//! IR to [`Program`]: matchers, kind index and compiled patterns, built once and shared by
//! every evaluation. Problems found here (a malformed scalar pattern, an unsupported anchor) are
//! diagnostics pointing at the pattern's source line.

mod blocks;
mod conditions;
mod context;
mod exception;
mod generator;
mod mutator;
mod podsecurity;
mod references;
mod rule;
mod validator;

pub use conditions::{CompiledCondition, CompiledConditions};
pub use context::{ContextEntry, ExternalLookup, ExternalTarget, Query};
pub use exception::{CompiledException, ExceptionInfo, compile_exception};
pub use generator::{GenerateAction, GenerateForeach, GeneratePattern, Generator, Source};
pub use mutator::{Action, JsonPatch, MutateForeach, Mutator, Order, Patch, Target};
pub use podsecurity::PodSecurityProgram;
pub use rule::{CompiledRule, RuleProgram};
pub use validator::{Foreach, Slot, Validator, ValidatorCheck};

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::ir::{self, ActionOverride, FailureAction, FailurePolicy, RuleKind, RuleOrigin};
use crate::matching::Facts;
use crate::syntax::ast::PolicyKind;
use crate::wildcard::contains_wildcard;

/// What a policy is, beside its rules: what reports, admission decisions and a webhook's
/// configuration read. Shared by every response of the policy.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyInfo {
    /// `metadata.name`.
    pub name: String,
    /// The namespace of a namespaced `Policy`.
    pub namespace: Option<String>,
    /// `ClusterPolicy` or `Policy`.
    pub kind: PolicyKind,
    /// `background` (default true): the policy also applies to existing resources.
    pub background: bool,
    /// `admission` (default true): the policy applies to admission requests.
    pub admission: bool,
    /// What a rule error does to an admission request.
    pub failure_policy: FailurePolicy,
    /// The webhook timeout the policy asks for (Kyverno's default is 10 seconds).
    pub webhook_timeout_seconds: Option<u32>,
    /// `emitWarning`: Audit failures become admission warnings.
    pub emit_warning: bool,
    /// `webhookConfiguration.matchConditions`: CEL conditions for the webhook registration.
    pub match_conditions: Option<serde_json::Value>,
    /// `spec.validationFailureAction`.
    pub failure_action: FailureAction,
    /// `policies.kyverno.io/category`.
    pub category: Option<String>,
    /// `policies.kyverno.io/severity`.
    pub severity: Option<String>,
    /// `policies.kyverno.io/scored` is not `"false"`.
    pub scored: bool,
    /// The rules (autogen rules included): name and kind.
    pub rules: Vec<(String, RuleKind)>,
    /// What each rule's `match` filters name, for registering webhooks: one entry per filter.
    pub matches: Vec<MatchScope>,
}

/// The kinds and operations one `match` filter of a rule names (a webhook must be called for
/// them; `exclude` only narrows, so it is not needed here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchScope {
    /// The rule's kind.
    pub rule_kind: RuleKind,
    /// Kind selectors as written (`Pod`, `apps/v1/Deployment`, `Pod/status`, `*`); empty when
    /// the filter names none.
    pub kinds: Vec<String>,
    /// Operations (`CREATE`, ...); empty for all.
    pub operations: Vec<String>,
}

impl PolicyInfo {
    /// Whether the policy has `webhookConfiguration.matchConditions`: the API server checks
    /// them before it calls the policy's own webhook.
    pub fn has_match_conditions(&self) -> bool {
        self.match_conditions
            .as_ref()
            .and_then(serde_json::Value::as_array)
            .is_some_and(|c| !c.is_empty())
    }

    /// The name results are reported under: `<namespace>/<name>` for a namespaced Policy.
    pub fn key(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// A compiled policy.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    /// What the policy is.
    pub info: Arc<PolicyInfo>,
    /// `spec.validationFailureActionOverrides`.
    pub failure_action_overrides: Vec<ActionOverride>,
    /// `applyRules: One`.
    pub apply_one: bool,
    /// The rules, autogen rules included.
    pub rules: Vec<CompiledRule>,
    kinds: KindFilter,
}

impl CompiledPolicy {
    /// A cheap first test: can any rule of this policy match a resource of this kind?
    pub fn may_match_kind(&self, kind: &str) -> bool {
        self.kinds.any || self.kinds.kinds.iter().any(|k| k == kind)
    }

    /// Number of rules, autogen rules included.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Whether this policy applies to a request (a namespaced `Policy` only to its namespace).
    pub fn in_scope(&self, facts: &Facts) -> bool {
        self.info
            .namespace
            .as_deref()
            .is_none_or(|ns| ns == facts.namespace)
    }
}

/// Kind names a policy's rules can match, or `any` when a rule uses kind wildcards.
#[derive(Debug, Clone, Default)]
struct KindFilter {
    any: bool,
    kinds: Vec<String>,
}

impl KindFilter {
    fn of(rules: &[CompiledRule]) -> Self {
        let mut filter = KindFilter::default();
        for rule in rules {
            for f in rule.matcher.filters() {
                if f.kinds().is_empty() {
                    filter.any = true;
                }
                for k in f.kinds() {
                    if contains_wildcard(&k.kind_text) {
                        filter.any = true;
                    } else if !filter.kinds.contains(&k.kind_text) {
                        filter.kinds.push(k.kind_text.clone());
                    }
                }
            }
        }
        filter
    }
}

/// Every compiled policy and policy exception, in load order.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// The policies.
    pub policies: Vec<CompiledPolicy>,
    /// The policy exceptions.
    pub exceptions: Vec<Arc<CompiledException>>,
}

impl Program {
    /// Gives each rule the exceptions that name it (by policy key and rule name), in load
    /// order, replacing what an earlier call gave.
    pub fn bind_exceptions(&mut self) {
        for policy in &mut self.policies {
            let key = policy.info.key();
            for rule in &mut policy.rules {
                rule.exceptions = self
                    .exceptions
                    .iter()
                    .filter(|e| e.exempts(&key, &rule.name))
                    .map(Arc::clone)
                    .collect();
            }
        }
    }
}

/// Compiles one policy (autogen rules must already be expanded). Diagnostics for its rules are
/// appended to `diagnostics`; a policy with errors is still returned so callers can decide.
pub fn compile_policy(policy: &ir::Policy, diagnostics: &mut Vec<Diagnostic>) -> CompiledPolicy {
    let mut rules = Vec::with_capacity(policy.rules.len());
    for rule in &policy.rules {
        // Autogen rules repeat their source rule's text: report problems once, on the source.
        let mut sink = Vec::new();
        let compiled = rule::compile_rule(policy, rule, &mut sink);
        if rule.origin == RuleOrigin::Written {
            diagnostics.extend(sink);
        }
        rules.push(compiled);
    }
    let annotation = |k: &str| policy.annotation(k).map(str::to_string);
    let info = PolicyInfo {
        name: policy.name.clone(),
        namespace: policy.namespace.clone(),
        kind: policy.kind,
        background: policy.background,
        admission: policy.admission,
        failure_policy: policy.failure_policy,
        webhook_timeout_seconds: policy.webhook_timeout_seconds,
        emit_warning: policy.emit_warning,
        match_conditions: policy.match_conditions.clone(),
        failure_action: policy.failure_action,
        category: annotation("policies.kyverno.io/category"),
        severity: annotation("policies.kyverno.io/severity"),
        scored: policy.annotation("policies.kyverno.io/scored") != Some("false"),
        rules: policy
            .rules
            .iter()
            .map(|r| (r.name.clone(), r.body.kind()))
            .collect(),
        matches: policy
            .rules
            .iter()
            .flat_map(|r| {
                r.match_.filters.iter().map(|f| MatchScope {
                    rule_kind: r.body.kind(),
                    kinds: f.kinds.clone(),
                    operations: f.operations.clone(),
                })
            })
            .collect(),
    };
    CompiledPolicy {
        info: Arc::new(info),
        failure_action_overrides: policy.failure_action_overrides.clone(),
        apply_one: policy.apply_one,
        kinds: KindFilter::of(&rules),
        rules,
    }
}
