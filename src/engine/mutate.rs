//! Mutate rules as Kyverno's mutate handler runs them: context and preconditions, then the
//! patch, or each `foreach` element's patch, applied to the resource as earlier rules left it.
//! A rule passes when it changed the resource (`mutated Kind/name in namespace ns`) and skips
//! when it did not (`no patches applied`) or when policy exceptions exempt it (checked after the
//! preconditions, before any target is fetched).

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use super::exceptions;
use super::external::{ExternalError, ResourcePurpose, ResourceQuery};
use super::gate::{self, Closed};
use super::scope::{Scope, Undo};
use super::{RuleOutput, RuleResponse, RuleStatus};
use crate::compile::{
    Action, CompiledRule, JsonPatch, MutateForeach, Mutator, Order, Patch, Target,
};
use crate::lookup;
use crate::mutate;
use crate::template::{Dynamic, Evaluate};

/// What one patch step did.
enum Step {
    /// The resource changed.
    Changed(Value),
    /// Nothing changed; the message says why.
    Unchanged(String),
    /// The rule skips for a reason other than "nothing changed" (data not supplied).
    Skipped(String),
    /// The rule errors.
    Failed(String),
}

/// Runs a mutate rule on `resource`; returns its responses (one, or one per target of a
/// mutate-existing rule) and the patched resource when it changed. A mutate-existing rule
/// patches its targets, never the request's object.
pub fn run(
    rule: &CompiledRule,
    m: &Mutator,
    scope: &mut Scope,
    resource: &Value,
    policy_namespace: Option<&str>,
) -> (Vec<RuleResponse>, Option<Value>) {
    let mut undo = Undo::default();
    let opened = gate::open(&m.context, m.preconditions.as_ref(), scope, &mut undo)
        .map(|()| exceptions::check(rule, scope, RuleResponse::mutation));
    let result = match opened {
        Err(closed) => {
            let (status, message) = closed.into_rule_result();
            (
                vec![RuleResponse::mutation(&rule.name, status, message)],
                None,
            )
        }
        Ok(Some(skip)) => (vec![skip], None),
        Ok(None) if !m.targets.is_empty() => (targets(rule, m, scope, policy_namespace), None),
        Ok(None) => {
            let step = act(&m.action, scope, resource);
            let (response, patched) = finish(rule, step);
            (vec![response], patched)
        }
    };
    scope.unload(undo);
    result
}

/// Runs an action (a patch or foreach entries) on a resource.
fn act(action: &Action, scope: &mut Scope, resource: &Value) -> Step {
    match action {
        Action::Patch(p) => apply(p, scope, resource),
        Action::Foreach(list) => foreach(list, scope, resource, 0),
    }
}

/// A mutate-existing rule: each target spec is substituted and its resources fetched; each
/// target, under the variable `target`, gets the spec's context and preconditions, then the
/// rule's patch.
fn targets(
    rule: &CompiledRule,
    m: &Mutator,
    scope: &mut Scope,
    policy_namespace: Option<&str>,
) -> Vec<RuleResponse> {
    let respond = |status, message| RuleResponse::mutation(&rule.name, status, message);
    let mut responses = Vec::new();
    for (i, spec) in m.targets.iter().enumerate() {
        let found = match fetch_targets(spec, scope, policy_namespace) {
            Ok(found) => found,
            Err(ExternalError::NotSupplied) => {
                responses.push(respond(
                    RuleStatus::Skip,
                    format!(
                        "mutate.targets[{i}] needs the target resources from a cluster, which were not supplied: give them with --target-resources (apply) or targetResources (test)"
                    ),
                ));
                continue;
            }
            Err(ExternalError::NotFound(e) | ExternalError::Failed(e)) => {
                responses.push(respond(RuleStatus::Error, e));
                continue;
            }
        };
        for target in found {
            let mut undo = Undo::default();
            scope.set_values(vec![("target".to_string(), target.clone())], &mut undo);
            let response =
                match gate::open(&spec.context, spec.preconditions.as_ref(), scope, &mut undo) {
                    Err(closed) => {
                        let (status, message) = closed.into_rule_result();
                        respond(status, message)
                    }
                    Ok(()) => {
                        let step = act(&m.action, scope, &target);
                        let (mut response, patched) = finish(rule, step);
                        if let (Some(patched), RuleOutput::Mutation(out)) =
                            (patched, &mut response.output)
                        {
                            out.target = Some(Arc::new(patched));
                        }
                        response
                    }
                };
            scope.unload(undo);
            responses.push(response);
        }
    }
    responses
}

/// Substitutes a target spec and asks the caller's data for its resources. A namespaced
/// Policy only reaches its own namespace.
fn fetch_targets(
    spec: &Target,
    scope: &mut Scope,
    policy_namespace: Option<&str>,
) -> Result<Vec<Value>, ExternalError> {
    let mut text = |d: &Dynamic| -> Result<String, ExternalError> {
        match scope.render(d, "/mutate/targets") {
            Ok(Value::String(s)) => Ok(s),
            Ok(other) => Ok(other.to_string()),
            Err(e) => Err(ExternalError::Failed(format!(
                "failed to substitute variables in target: {e}"
            ))),
        }
    };
    let api_version = text(&spec.api_version)?;
    let kind = text(&spec.kind)?;
    let namespace = match policy_namespace {
        Some(ns) => ns.to_string(),
        None => text(&spec.namespace)?,
    };
    let name = text(&spec.name)?;
    let selector = match &spec.selector {
        Some(d) => Some(scope.render(d, "/mutate/targets/selector").map_err(|e| {
            ExternalError::Failed(format!("failed to substitute variables in target: {e}"))
        })?),
        None => None,
    };
    let data = scope.input().request.data;
    data.resources(&ResourceQuery {
        purpose: ResourcePurpose::MutateTarget,
        api_version: &api_version,
        kind: &kind,
        namespace: &namespace,
        name: &name,
        selector: selector.as_ref(),
    })
}

/// The rule's response for the last step.
fn finish(rule: &CompiledRule, step: Step) -> (RuleResponse, Option<Value>) {
    let respond = |status, message| RuleResponse::mutation(&rule.name, status, message);
    match step {
        Step::Changed(patched) => (respond(RuleStatus::Pass, success(&patched)), Some(patched)),
        Step::Unchanged(message) | Step::Skipped(message) => {
            (respond(RuleStatus::Skip, message), None)
        }
        Step::Failed(message) => (respond(RuleStatus::Error, message), None),
    }
}

/// `mutated Kind/name in namespace ns` (Kyverno's `buildSuccessMessage`).
fn success(patched: &Value) -> String {
    let text = |path: &[&str]| {
        path.iter()
            .try_fold(patched, |v, k| lookup::get(v, k))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let (kind, name, namespace) = (
        text(&["kind"]),
        text(&["metadata", "name"]),
        text(&["metadata", "namespace"]),
    );
    if namespace.is_empty() {
        format!("mutated {kind}/{name}")
    } else {
        format!("mutated {kind}/{name} in namespace {namespace}")
    }
}

/// Substitutes a patch's variables and applies it to the resource.
fn apply(patch: &Patch, scope: &mut Scope, resource: &Value) -> Step {
    let patched = match patch {
        Patch::Strategic(d) => match scope.resolve(d, "/mutate/patchStrategicMerge") {
            Err(e) => return Step::Failed(format!("variable substitution failed: {e}")),
            Ok(p) => mutate::strategic_merge(resource, p.into_owned()),
        },
        Patch::Json6902(JsonPatch::Ready(ops)) => mutate::json6902(resource, ops),
        Patch::Json6902(JsonPatch::Templated(t)) => {
            let delete = scope.is_delete();
            let text = match t.render(scope.context(), "/mutate/patchesJson6902", delete) {
                Ok(Value::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(e) => return Step::Failed(format!("variable substitution failed: {e}")),
            };
            mutate::parse_json6902(&text).and_then(|ops| mutate::json6902(resource, &ops))
        }
    };
    match patched {
        Err(e) => Step::Failed(format!("failed to patch resource: {e}")),
        Ok(p) if lookup::equal(&p, resource) => Step::Unchanged("no patches applied".into()),
        Ok(p) => Step::Changed(p),
    }
}

/// `foreach[]`: each entry's list is evaluated once, its elements patch the resource in turn;
/// `request.object` shows each entry the resource as the entries before left it.
fn foreach(list: &[MutateForeach], scope: &mut Scope, resource: &Value, nesting: usize) -> Step {
    let mut current = Cow::Borrowed(resource);
    let mut applied = 0;
    for entry in list {
        let elements = match scope.context().evaluate(&entry.list) {
            Ok(Value::Array(items)) => items,
            Ok(other) => vec![other],
            Err(e) => {
                return Step::Failed(format!(
                    "failed to evaluate list {}: {e}",
                    entry.list.source()
                ));
            }
        };
        match elements_loop(entry, &elements, scope, &current, nesting) {
            Step::Failed(e) => return Step::Failed(format!("failed to mutate elements: {e}")),
            Step::Skipped(reason) => return Step::Skipped(reason),
            Step::Unchanged(_) => {}
            Step::Changed(patched) => {
                applied += 1;
                scope.set_object(patched.clone());
                current = Cow::Owned(patched);
            }
        }
    }
    match (applied, current) {
        (0, _) | (_, Cow::Borrowed(_)) => Step::Unchanged(format!("{applied} elements processed")),
        (_, Cow::Owned(patched)) => Step::Changed(patched),
    }
}

/// One entry's elements, in its order; `elementIndex` is always the element's place in the
/// list. The patches accumulate; `request.object` stays as the entry found it.
fn elements_loop(
    entry: &MutateForeach,
    elements: &[Value],
    scope: &mut Scope,
    resource: &Value,
    nesting: usize,
) -> Step {
    let mut patched = Cow::Borrowed(resource);
    let indices: Box<dyn Iterator<Item = usize>> = match entry.order() {
        Order::Descending => Box::new((0..elements.len()).rev()),
        Order::Ascending => Box::new(0..elements.len()),
    };
    let object_version = scope.object_version();
    for index in indices {
        let element = &elements[index];
        if element.is_null() {
            continue;
        }
        if scope.object_version() != object_version {
            // A nested foreach showed later entries its result; each element starts afresh.
            scope.set_object(resource.clone());
        }
        let saved = scope.enter_element(element, index, nesting, false);
        let mut undo = Undo::default();
        let step = match gate::open(
            &entry.context,
            entry.preconditions.as_ref(),
            scope,
            &mut undo,
        ) {
            Err(Closed::NotMet(_)) => None,
            Err(Closed::Unsupplied(reason)) => Some(Step::Skipped(reason)),
            Err(Closed::ContextFailed(e)) => Some(Step::Failed(format!(
                "failed to load to mutate.foreach[{index}].context: {e}"
            ))),
            Err(Closed::ConditionsFailed(e)) => Some(Step::Failed(format!(
                "failed to evaluate mutate.foreach[{index}].preconditions: {e}"
            ))),
            Ok(()) => Some(match &entry.action {
                Action::Patch(p) => apply(p, scope, &patched),
                Action::Foreach(nested) => foreach(nested, scope, &patched, nesting + 1),
            }),
        };
        scope.unload(undo);
        scope.leave_element(saved);
        match step {
            None | Some(Step::Unchanged(_)) => {}
            Some(Step::Changed(p)) => patched = Cow::Owned(p),
            Some(other) => return other,
        }
    }
    if scope.object_version() != object_version {
        scope.set_object(resource.clone());
    }
    match patched {
        Cow::Owned(p) if !lookup::equal(&p, resource) => Step::Changed(p),
        _ => Step::Unchanged("no patches applied".into()),
    }
}
