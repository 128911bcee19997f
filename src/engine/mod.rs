//! Evaluates compiled policies against admission requests: match and exclude, context,
//! preconditions, then the rule body. Never prints, never does I/O. An [`Engine`] is
//! `Clone + Send + Sync`: one engine serves every request, on any thread.

mod conditions;
mod context;
mod decision;
mod exceptions;
mod external;
mod gate;
mod generate;
mod input;
mod mutate;
mod podsecurity;
mod request;
mod response;
mod scope;
mod validate;

pub use external::{
    ApiCall, ApiTarget, ExternalData, ExternalError, NoExternalData, ResourcePurpose, ResourceQuery,
};
pub use request::{Origin, Request, RuleValues};
pub use response::{
    Evaluation, Generation, Mutation, PodSecurityFinding, PolicyResponse, ResourceRef, RuleOutput,
    RuleResponse, RuleStatus, Validation, Violation,
};

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::admission::Operation;
use crate::compile::{
    CompiledPolicy, CompiledRule, ExceptionInfo, PolicyInfo, Program, RuleProgram,
};
use crate::ir::{ActionOverride, FailureAction};
use crate::matching::{Facts, Selector};
use crate::wildcard;
use input::Input;
use scope::Scope;

/// Compiled policies, ready to evaluate requests. Cheap to clone (the policies are shared);
/// evaluation takes `&self`, so one engine serves many threads.
///
/// ```
/// use rampart::{AdmissionRequest, Loader, Operation, Request, RuleStatus};
/// let mut loader = Loader::new();
/// loader.add_text("policy.yaml", r#"
/// apiVersion: kyverno.io/v1
/// kind: ClusterPolicy
/// metadata: {name: require-team}
/// spec:
///   validationFailureAction: Enforce
///   rules:
///   - name: team
///     match: {any: [{resources: {kinds: [Pod]}}]}
///     validate:
///       message: a team label is required
///       pattern: {metadata: {labels: {team: "?*"}}}
/// "#);
/// let engine = loader.engine();
/// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
///     "metadata": {"name": "p", "namespace": "default"}});
/// let admission = AdmissionRequest::for_resource(pod, Operation::Create);
/// let evaluation = engine.evaluate(&Request::new(&admission));
/// let (_, rule) = evaluation.rules().next().unwrap();
/// assert_eq!(rule.status, RuleStatus::Fail);
/// assert!(!evaluation.decision().allowed);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Engine {
    program: Arc<Program>,
    /// Whether any policy reads namespace labels (so they are asked for only when needed).
    needs_namespace_labels: bool,
    /// Whether any policy has mutate rules.
    mutates: bool,
}

/// `Engine` is shared across threads: checked when the crate compiles.
const _: fn() = || {
    fn shareable<T: Clone + Send + Sync>() {}
    shareable::<Engine>();
    shareable::<Evaluation>();
};

impl Engine {
    /// An engine for compiled policies and exceptions (each rule gets the exceptions that
    /// name it).
    pub(crate) fn new(mut program: Program) -> Self {
        program.bind_exceptions();
        let needs_namespace_labels = program.policies.iter().any(uses_namespace_labels);
        let mutates = program
            .policies
            .iter()
            .any(|p| p.rules.iter().any(is_mutate));
        Engine {
            program: Arc::new(program),
            needs_namespace_labels,
            mutates,
        }
    }

    /// An engine with only the policies `keep` accepts, and every exception: a webhook that
    /// serves one policy, or a REPL that runs one.
    pub fn retain(&self, keep: impl Fn(&PolicyInfo) -> bool) -> Engine {
        let mut program = (*self.program).clone();
        program.policies.retain(|p| keep(&p.info));
        Engine::new(program)
    }

    /// The policies, in load order.
    pub fn policies(&self) -> impl Iterator<Item = &PolicyInfo> {
        self.program.policies.iter().map(|p| &*p.info)
    }

    /// The policy exceptions, in load order.
    pub fn exceptions(&self) -> impl Iterator<Item = &ExceptionInfo> {
        self.program.exceptions.iter().map(|e| &*e.info)
    }

    /// Whether a policy's matching, failure actions or exceptions read namespace labels (a
    /// caller that gathers them, from a cluster or from Namespace objects, can skip it when not).
    pub fn needs_namespace_labels(&self) -> bool {
        self.needs_namespace_labels
    }

    /// Number of rules, autogen rules included (Kyverno's `Applying N policy rule(s)`).
    pub fn rule_count(&self) -> usize {
        self.program
            .policies
            .iter()
            .map(CompiledPolicy::rule_count)
            .sum()
    }

    /// Evaluates every policy against a request, as Kyverno's `apply` does: first every
    /// policy's mutate rules, in order, each on the object the rules before left; then the
    /// other rules, on the patched object. Only policies with at least one rule that applied
    /// have a response. Admission requests skip policies with `admission: false`; DELETE
    /// requests are not mutated. Variables that write into `request.object` or
    /// `request.oldObject` change the objects that rules match and check, as in Kyverno's CLI.
    pub fn evaluate(&self, request: &Request) -> Evaluation {
        let rewritten = request.with_object_variables();
        let rewritten_request = rewritten.as_ref().map(|admission| Request {
            admission,
            ..*request
        });
        let request = rewritten_request.as_ref().unwrap_or(request);
        let input = Input::of(request);
        let labels = self.namespace_labels(&input);
        let eligible = |p: &CompiledPolicy| request.origin != Origin::Admission || p.info.admission;
        let mutated = match input.object {
            Some(object) if self.mutates && input.operation != Operation::Delete => {
                mutate_all(&self.program, &eligible, &input, object, labels.as_ref())
            }
            _ => Mutated::default(),
        };
        let view = match &mutated.object {
            Some(object) => input.with_object(object),
            None => input,
        };
        let facts = view.facts(labels.as_ref());
        // One context for the request, built on first use and shared by every policy.
        let mut scope = Scope::new(&view, labels.as_ref());
        let mut mutations = mutated.policies.into_iter().peekable();
        let mut policies = Vec::new();
        let mut unfinished = mutated.unfinished;
        for (index, policy) in self.program.policies.iter().enumerate() {
            if !eligible(policy) {
                continue;
            }
            if unfinished || request.past_deadline() {
                unfinished = true;
                break;
            }
            let mutation = mutations.next_if(|(i, _, _)| *i == index);
            let validation = evaluate_policy(policy, &mut scope, &facts, labels.as_ref());
            let response = match (mutation, validation) {
                (Some((_, mut rules, patched)), validation) => {
                    let failure_action = validation
                        .as_ref()
                        .map_or(policy.info.failure_action, |v| v.failure_action);
                    rules.extend(validation.into_iter().flat_map(|v| v.rules));
                    Some(PolicyResponse {
                        policy: Arc::clone(&policy.info),
                        failure_action,
                        rules,
                        patched: Some(patched),
                    })
                }
                (None, validation) => validation,
            };
            policies.extend(response);
        }
        Evaluation {
            resource: ResourceRef::of(&view),
            operation: view.operation,
            policies,
            patched: mutated.object.clone(),
            unfinished,
        }
    }

    /// The labels of the request's namespace, when a policy needs them and the resource is
    /// namespaced (Kyverno reads none for Namespaces and cluster-scoped resources).
    fn namespace_labels(&self, input: &Input) -> Option<Map<String, Value>> {
        let namespace = input.namespace;
        if !self.needs_namespace_labels || namespace.is_empty() {
            return None;
        }
        input.request.data.namespace_labels(namespace)
    }
}

/// Whether a policy's matching or failure actions, or the exceptions of its rules, read
/// namespace labels.
fn uses_namespace_labels(policy: &CompiledPolicy) -> bool {
    let overrides = |o: &[ActionOverride]| o.iter().any(|o| o.namespace_selector.is_some());
    overrides(&policy.failure_action_overrides)
        || policy.rules.iter().any(|r| {
            overrides(&r.failure_action_overrides)
                || r.matcher
                    .filters()
                    .iter()
                    .chain(r.exclude.iter().flat_map(|e| e.filters()))
                    .any(|f| f.uses_namespace_labels())
                || r.exceptions.iter().any(|e| e.uses_namespace_labels())
        })
}

fn evaluate_policy<'r>(
    policy: &'r CompiledPolicy,
    scope: &mut Scope<'r>,
    facts: &Facts,
    labels: Option<&Map<String, Value>>,
) -> Option<PolicyResponse> {
    if !policy.may_match_kind(facts.gvk.kind) || !policy.in_scope(facts) {
        return None;
    }
    scope.for_policy(policy.info.namespace.as_deref());
    let spec_action = override_action(&policy.failure_action_overrides, facts)
        .unwrap_or(policy.info.failure_action);
    let mut rules = Vec::new();
    for rule in &policy.rules {
        if is_mutate(rule) || !rule_matches(rule, facts) {
            continue;
        }
        let Some(mut result) = evaluate_rule(&policy.info, rule, scope) else {
            continue;
        };
        if result.status == RuleStatus::Fail && violation_existed(policy, rule, scope, labels) {
            result.status = RuleStatus::Skip;
            result.message =
                "skipping the rule evaluation as pre-existing violations are allowed".into();
            if let RuleOutput::Validation(v) = &mut result.output {
                *v = Validation::default();
            }
        }
        result.failure_action = rule_action(rule, facts).unwrap_or(spec_action);
        result.admission_action = admission_action(policy, rule, facts);
        let applied = matches!(
            result.status,
            RuleStatus::Pass | RuleStatus::Fail | RuleStatus::Error
        );
        rules.push(result);
        if policy.apply_one && applied {
            break;
        }
    }
    if rules.is_empty() {
        return None;
    }
    let failure_action = policy
        .rules
        .iter()
        .find_map(|r| rule_action(r, facts))
        .unwrap_or(spec_action);
    Some(PolicyResponse {
        policy: Arc::clone(&policy.info),
        failure_action,
        rules,
        patched: None,
    })
}

fn is_mutate(rule: &CompiledRule) -> bool {
    matches!(rule.program, RuleProgram::Mutate(_))
}

/// What the mutate rules did to a request's object.
#[derive(Default)]
struct Mutated {
    /// Per policy whose mutate rules applied: its index, their responses, the object after it.
    policies: Vec<(usize, Vec<RuleResponse>, Arc<Value>)>,
    /// The object after every policy, when a rule changed it.
    object: Option<Arc<Value>>,
    /// The deadline passed before every policy ran.
    unfinished: bool,
}

/// Runs every eligible policy's mutate rules in order, each rule on the object as the rules
/// before it left it (matching included).
fn mutate_all(
    program: &Program,
    eligible: &dyn Fn(&CompiledPolicy) -> bool,
    input: &Input,
    original: &Value,
    labels: Option<&Map<String, Value>>,
) -> Mutated {
    let mut out = Mutated::default();
    let mut unchanged: Option<Arc<Value>> = None;
    for (index, policy) in program.policies.iter().enumerate() {
        if !eligible(policy) || !policy.rules.iter().any(is_mutate) {
            continue;
        }
        if input.request.past_deadline() {
            out.unfinished = true;
            break;
        }
        let mut rules = policy.rules.iter().filter(|r| is_mutate(r));
        let mut responses = Vec::new();
        let mut done = false;
        while !done {
            // Rules run against one view of the object until one changes it.
            let changed = {
                let object = out.object.as_deref().unwrap_or(original);
                let view = input.with_object(object);
                let facts = view.facts(labels);
                if !policy.may_match_kind(facts.gvk.kind) || !policy.in_scope(&facts) {
                    break;
                }
                let spec_action = override_action(&policy.failure_action_overrides, &facts)
                    .unwrap_or(policy.info.failure_action);
                let mut scope = Scope::new(&view, labels);
                scope.for_policy(policy.info.namespace.as_deref());
                let mut changed = None;
                done = true;
                for rule in rules.by_ref() {
                    if !rule_matches(rule, &facts) {
                        continue;
                    }
                    let RuleProgram::Mutate(m) = &rule.program else {
                        continue;
                    };
                    // Mutate-existing rules run in the background controller, not in admission.
                    if !m.targets.is_empty() && view.request.origin == Origin::Admission {
                        continue;
                    }
                    let (rule_responses, patched) =
                        with_rule_values(&policy.info.name, rule, &mut scope, |scope| {
                            mutate::run(rule, m, scope, object, policy.info.namespace.as_deref())
                        });
                    let mut applied = false;
                    for mut response in rule_responses {
                        with_written_properties(rule, &mut response);
                        response.failure_action = spec_action;
                        response.admission_action = spec_action;
                        applied |= matches!(response.status, RuleStatus::Pass | RuleStatus::Fail);
                        responses.push(response);
                    }
                    let stop = policy.apply_one && applied;
                    if patched.is_some() || scope.object_version() > 0 {
                        changed = patched;
                        done = stop;
                        break;
                    }
                    if stop {
                        break;
                    }
                }
                changed
            };
            if let Some(patched) = changed {
                out.object = Some(Arc::new(patched));
            }
        }
        if !responses.is_empty() {
            let after = match &out.object {
                Some(o) => Arc::clone(o),
                None => Arc::clone(unchanged.get_or_insert_with(|| Arc::new(original.clone()))),
            };
            out.policies.push((index, responses, after));
        }
    }
    out
}

/// Kyverno's `allowExistingViolations`: an UPDATE that an Enforce rule fails is let through
/// (the rule skips) when the old object fails the rule too, evaluated as its CREATE. Kyverno
/// reads the action from `validate.failureAction` or the policy, without the overrides.
fn violation_existed(
    policy: &CompiledPolicy,
    rule: &CompiledRule,
    scope: &Scope,
    labels: Option<&Map<String, Value>>,
) -> bool {
    let input = scope.input();
    let action = rule.failure_action.unwrap_or(policy.info.failure_action);
    if input.operation != Operation::Update
        || action != FailureAction::Enforce
        || !rule.allow_existing_violations
    {
        return false;
    }
    let Some(old) = input.old_as_create() else {
        return false;
    };
    let facts = old.facts(labels);
    let mut scope = Scope::new(&old, labels);
    scope.for_policy(policy.info.namespace.as_deref());
    policy.in_scope(&facts)
        && rule_matches(rule, &facts)
        && evaluate_rule(&policy.info, rule, &mut scope)
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

/// The first override that applies, as Kyverno's engine matches them: its `namespaces` (if
/// any) and its `namespaceSelector` (if any) must both match.
fn override_action(overrides: &[ActionOverride], facts: &Facts) -> Option<FailureAction> {
    overrides
        .iter()
        .find(|o| {
            let ns_ok = o.namespaces.is_empty()
                || o.namespaces
                    .iter()
                    .any(|n| wildcard::matches(n, facts.namespace));
            let selector_ok = o
                .namespace_selector
                .as_ref()
                .is_none_or(|s| Selector::new(s).matches(facts.namespace_labels));
            ns_ok && selector_ok
        })
        .map(|o| o.action)
}

/// The failure action Kyverno's policy cache files a rule under for admission: the rule's
/// overrides, else the policy's (the first that applies: one with neither `namespaces` nor a
/// selector, or whose `namespaces` or selector matches; only the first kind for cluster-scoped
/// resources), then the rule's action, then the policy's.
fn admission_action(policy: &CompiledPolicy, rule: &CompiledRule, facts: &Facts) -> FailureAction {
    let overrides = if rule.failure_action_overrides.is_empty() {
        &policy.failure_action_overrides
    } else {
        &rule.failure_action_overrides
    };
    let applies = |o: &&ActionOverride| {
        let global = o.namespaces.is_empty() && o.namespace_selector.is_none();
        global
            || (!facts.namespace.is_empty()
                && (o
                    .namespaces
                    .iter()
                    .any(|n| wildcard::matches(n, facts.namespace))
                    || o.namespace_selector
                        .as_ref()
                        .is_some_and(|s| Selector::new(s).matches(facts.namespace_labels))))
    };
    overrides
        .iter()
        .find(applies)
        .map(|o| o.action)
        .or(rule.failure_action)
        .unwrap_or(policy.info.failure_action)
}

/// Runs `f` with the caller's values for a rule (and `images` when the rule reads them) in
/// the scope, removed afterwards.
fn with_rule_values<T>(
    policy: &str,
    rule: &CompiledRule,
    scope: &mut Scope,
    f: impl FnOnce(&mut Scope) -> T,
) -> T {
    let (values, foreach_values) = match (rule.needs_context, scope.input().request.rule_values) {
        (true, Some(source)) => (
            source.rule_values(policy, &rule.name),
            source.foreach_values(policy, &rule.name),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let mut undo = scope::Undo::default();
    scope.add_values(values, &mut undo);
    let outer = scope.swap_foreach_values(foreach_values);
    if rule.needs_images {
        scope.add_images();
    }
    let result = f(scope);
    scope.swap_foreach_values(outer);
    scope.unload(undo);
    result
}

/// A response that stopped before `reportProperties` were substituted shows them as written.
fn with_written_properties(rule: &CompiledRule, response: &mut RuleResponse) {
    if response.properties.is_empty() && !rule.report_properties.is_empty() {
        response.properties = rule
            .report_properties
            .iter()
            .map(|p| (p.key.clone(), p.written.clone()))
            .collect();
    }
}

/// Runs one matched rule (not a mutate rule) with the caller's values for it.
fn evaluate_rule(
    policy: &PolicyInfo,
    rule: &CompiledRule,
    scope: &mut Scope,
) -> Option<RuleResponse> {
    let mut response = match &rule.program {
        RuleProgram::Validate(validator) => with_rule_values(&policy.name, rule, scope, |scope| {
            validate::run(rule, validator, scope, 0)
        })?,
        RuleProgram::Generate(g) => with_rule_values(&policy.name, rule, scope, |scope| {
            generate::run(rule, g, scope, policy)
        })?,
        RuleProgram::Mutate(_) => return None,
        RuleProgram::Unsupported(feature) => RuleResponse {
            output: RuleOutput::Unsupported {
                kind: rule.kind,
                feature: feature.clone(),
            },
            ..RuleResponse::validation(
                &rule.name,
                RuleStatus::Error,
                format!(
                    "rule {} uses {feature}, which this version of rampart does not evaluate yet",
                    rule.name
                ),
            )
        },
    };
    with_written_properties(rule, &mut response);
    Some(response)
}
