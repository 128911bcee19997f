//! Evaluates a [`Program`] against one resource or admission request: match and exclude, then
//! the rule body. Never prints, never does I/O; `Send + Sync` and shared by all callers.

mod conditions;
mod context;
mod podsecurity;
mod response;
mod scope;
mod validate;

pub use context::Context;
pub use response::{
    PodSecurityFinding, PolicyResponse, RuleKind, RuleResponse, RuleStatus, Violation,
};
pub use scope::Scope;

use serde_json::{Map, Value};

use crate::compile::{CompiledPolicy, CompiledRule, Program, RuleProgram};
use crate::ir::{ActionOverride, FailureAction};
use crate::matching::{Facts, Selector, UserInfo};
use crate::wildcard;

/// An admission operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Operation {
    /// CREATE (the default for CLI runs and background scans).
    #[default]
    Create,
    /// UPDATE.
    Update,
    /// DELETE.
    Delete,
    /// CONNECT.
    Connect,
}

impl Operation {
    /// The upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }

    /// Parses an upper-case name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "CREATE" => Operation::Create,
            "UPDATE" => Operation::Update,
            "DELETE" => Operation::Delete,
            "CONNECT" => Operation::Connect,
            _ => return None,
        })
    }
}

/// One request to evaluate.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The resource (for DELETE, the object being deleted).
    pub resource: &'a Value,
    /// The operation.
    pub operation: Operation,
    /// Labels of the resource's namespace, if known.
    pub namespace_labels: Option<&'a Map<String, Value>>,
    /// The requesting user, if known.
    pub user: Option<&'a UserInfo>,
    /// Variables supplied by the caller (values files, `--set`), as dotted paths.
    pub variables: &'a [(String, Value)],
    /// Per-rule variables supplied by the caller, by policy and rule name.
    pub rule_values: Option<&'a (dyn RuleValues + Sync)>,
    /// Answers for `apiCall` and `globalReference` context entries (test mocks).
    pub external: Option<&'a (dyn ExternalData + Sync)>,
}

/// Data from outside the request that context entries ask for, supplied by the caller (the
/// CLI's test mocks; a webhook would ask the cluster).
pub trait ExternalData: std::fmt::Debug {
    /// The body of an API call (`url_path` for Kubernetes API paths, `url` for services), or
    /// `None` when nothing answers it; `Err` for an answer with an error status.
    fn api_call(
        &self,
        method: &str,
        url_path: Option<&str>,
        url: Option<&str>,
    ) -> Option<Result<Value, String>>;
    /// The data of a global context entry, or `None` when there is none.
    fn global(&self, name: &str) -> Option<Value>;
}

/// Variables a caller supplies for one rule of one policy (the CLI's values files).
pub trait RuleValues: std::fmt::Debug {
    /// The values for a rule, as dotted paths.
    fn rule_values(&self, policy: &str, rule: &str) -> Vec<(String, Value)>;
}

impl<'a> Request<'a> {
    /// A CREATE request for a resource, without namespace labels or user.
    pub fn create(resource: &'a Value) -> Self {
        Request {
            resource,
            operation: Operation::Create,
            namespace_labels: None,
            user: None,
            variables: &[],
            rule_values: None,
            external: None,
        }
    }

    fn facts(&self) -> Facts<'a> {
        let mut facts = Facts::of_resource(self.resource, self.operation.as_str());
        facts.namespace_labels = self.namespace_labels;
        facts.user = self.user;
        facts
    }
}

impl Program {
    /// Evaluates every policy against a request. Policies with no applicable rule produce a
    /// response with no rules.
    pub fn evaluate(&self, request: &Request) -> Vec<PolicyResponse> {
        let facts = request.facts();
        // One context for the request, built on first use and shared by every policy.
        let mut scope = Scope::new(request);
        self.policies
            .iter()
            .enumerate()
            .map(|(i, p)| evaluate_policy(i, p, &mut scope, &facts))
            .collect()
    }

    /// Evaluates one policy (by index) against a request.
    pub fn evaluate_policy(&self, index: usize, request: &Request) -> Option<PolicyResponse> {
        let policy = self.policies.get(index)?;
        Some(evaluate_policy(
            index,
            policy,
            &mut Scope::new(request),
            &request.facts(),
        ))
    }
}

fn evaluate_policy(
    index: usize,
    policy: &CompiledPolicy,
    scope: &mut Scope,
    facts: &Facts,
) -> PolicyResponse {
    let spec_action =
        override_action(&policy.failure_action_overrides, facts).unwrap_or(policy.failure_action);
    let failure_action = policy
        .rules
        .iter()
        .find_map(|r| rule_action(r, facts))
        .unwrap_or(spec_action);
    let mut response = PolicyResponse {
        policy: index,
        failure_action,
        rules: Vec::new(),
    };
    if !policy.may_match_kind(facts.gvk.kind) || !policy.in_scope(facts) {
        return response;
    }
    for rule in &policy.rules {
        if !rule_matches(rule, facts) {
            continue;
        }
        let Some(mut result) = evaluate_rule(&policy.name, rule, scope) else {
            continue;
        };
        if result.status == RuleStatus::Fail && violation_existed(policy, rule, scope.request()) {
            result = RuleResponse::validation(
                &rule.name,
                RuleStatus::Skip,
                "skipping the rule evaluation as pre-existing violations are allowed".into(),
            );
        }
        result.failure_action = rule_action(rule, facts).unwrap_or(spec_action);
        let applied = matches!(
            result.status,
            RuleStatus::Pass | RuleStatus::Fail | RuleStatus::Error
        );
        response.rules.push(result);
        if policy.apply_one && applied {
            break;
        }
    }
    response
}

/// Kyverno's `allowExistingViolations`: an UPDATE that an Enforce rule fails is let through
/// (the rule skips) when the old object fails the rule too, evaluated as its CREATE. Kyverno
/// reads the action from `validate.failureAction` or the policy, without the overrides. As in
/// `kyverno apply`, the old object of an UPDATE is the resource itself.
fn violation_existed(policy: &CompiledPolicy, rule: &CompiledRule, request: &Request) -> bool {
    let action = rule.failure_action.unwrap_or(policy.failure_action);
    if request.operation != Operation::Update
        || action != FailureAction::Enforce
        || !rule.allow_existing_violations
    {
        return false;
    }
    let old = Request {
        operation: Operation::Create,
        ..*request
    };
    let facts = old.facts();
    policy.in_scope(&facts)
        && rule_matches(rule, &facts)
        && evaluate_rule(&policy.name, rule, &mut Scope::new(&old))
            .is_some_and(|prior| prior.status == RuleStatus::Fail)
}

/// Whether a rule's `match` selects the request and its `exclude` does not exclude it.
fn rule_matches(rule: &CompiledRule, facts: &Facts) -> bool {
    rule.matcher.selects(facts) && !rule.exclude.as_ref().is_some_and(|e| e.excludes(facts))
}

/// The failure action a rule sets itself (its overrides first, then `validate.failureAction`).
fn rule_action(rule: &CompiledRule, facts: &Facts) -> Option<FailureAction> {
    override_action(&rule.failure_action_overrides, facts).or(rule.failure_action)
}

fn override_action(overrides: &[ActionOverride], facts: &Facts) -> Option<FailureAction> {
    overrides
        .iter()
        .find(|o| override_applies(o, facts))
        .map(|o| o.action)
}

fn override_applies(o: &ActionOverride, facts: &Facts) -> bool {
    let ns_ok = o.namespaces.is_empty()
        || o.namespaces
            .iter()
            .any(|n| wildcard::matches(n, facts.namespace));
    let selector_ok = o
        .namespace_selector
        .as_ref()
        .is_none_or(|s| Selector::new(s).matches(facts.namespace_labels));
    ns_ok && selector_ok
}

/// Runs one matched rule with the caller's values for it.
fn evaluate_rule(policy: &str, rule: &CompiledRule, scope: &mut Scope) -> Option<RuleResponse> {
    match &rule.program {
        RuleProgram::Validate(validator) => {
            let values = match (rule.needs_context, scope.request().rule_values) {
                (true, Some(source)) => source.rule_values(policy, &rule.name),
                _ => Vec::new(),
            };
            let mut undo = scope::Undo::default();
            scope.set_values(values, &mut undo);
            if rule.needs_images {
                scope.add_images();
            }
            let result = validate::run(rule, validator, scope, 0);
            scope.unload(undo);
            result
        }
        RuleProgram::Unsupported(feature) => {
            let message = format!(
                "rule {} uses {feature}, which this version of rampart does not evaluate yet",
                rule.name
            );
            let mut response = RuleResponse::validation(&rule.name, RuleStatus::Error, message);
            response.unsupported = Some(feature.clone());
            if !rule.is_validate {
                response.kind = RuleKind::Mutation;
            }
            Some(response)
        }
    }
}
