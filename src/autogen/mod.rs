//! Rules for pod controllers generated from rules written for Pods, as Kyverno does:
//! `autogen-<rule>` for DaemonSet, Deployment, Job, ReplicaSet, ReplicationController and
//! StatefulSet, and `autogen-cronjob-<rule>` for CronJob, steered by the
//! `pod-policies.kyverno.io/autogen-controllers` annotation.

use crate::ir::{Body, Check, Filter, Match, Policy, Rule, RuleOrigin};
use crate::yaml::{Key, Node, NodeValue};

/// The policy annotation that selects the controllers to generate rules for.
pub const CONTROLLERS_ANNOTATION: &str = "pod-policies.kyverno.io/autogen-controllers";

/// Every pod controller autogen knows, CronJob included.
pub const POD_CONTROLLERS: &[&str] = &[
    "DaemonSet",
    "Deployment",
    "Job",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "CronJob",
];

/// Controllers of `autogen-<rule>` (all but CronJob).
const TEMPLATE_CONTROLLERS: &[&str] = &[
    "DaemonSet",
    "Deployment",
    "Job",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
];

/// Variable paths rewritten in `autogen-<rule>`.
const POD_REWRITES: &[(&str, &str)] = &[
    ("request.object.spec", "request.object.spec.template.spec"),
    (
        "request.oldObject.spec",
        "request.oldObject.spec.template.spec",
    ),
    (
        "request.object.metadata",
        "request.object.spec.template.metadata",
    ),
    (
        "request.oldObject.metadata",
        "request.oldObject.spec.template.metadata",
    ),
];

/// Variable paths rewritten in `autogen-cronjob-<rule>`.
const CRONJOB_REWRITES: &[(&str, &str)] = &[
    (
        "request.object.spec",
        "request.object.spec.jobTemplate.spec.template.spec",
    ),
    (
        "request.oldObject.spec",
        "request.oldObject.spec.jobTemplate.spec.template.spec",
    ),
    (
        "request.object.metadata",
        "request.object.spec.jobTemplate.spec.template.metadata",
    ),
    (
        "request.oldObject.metadata",
        "request.oldObject.spec.jobTemplate.spec.template.metadata",
    ),
];

/// The group/version/kind form of a controller kind.
fn controller_gvk(kind: &str) -> String {
    match kind {
        "DaemonSet" | "Deployment" | "StatefulSet" | "ReplicaSet" => format!("apps/v1/{kind}"),
        "Job" | "CronJob" => format!("batch/v1/{kind}"),
        "ReplicationController" => "v1/ReplicationController".to_string(),
        other => other.to_string(),
    }
}

/// The kind part of a kind selector (`apps/v1/Deployment` → `Deployment`, `Pod/exec` → `Pod`).
fn selector_kind(selector: &str) -> &str {
    let parts: Vec<&str> = selector.split('/').collect();
    let is_version = |s: &str| crate::matching::is_version_selector(s);
    match parts.as_slice() {
        [k] => k.split('.').next().unwrap_or(k),
        [a, b] if !(*a == "*" && *b == "*") && is_version(a) => b.split('.').next().unwrap_or(b),
        [a, _] => a,
        [a, b, _] if is_version(a) => b,
        [_, _, k] => k.split('.').next().unwrap_or(k),
        [_, _, k, _] => k,
        _ => "",
    }
}

fn contains_kind(kinds: &[String], kind: &str) -> bool {
    kinds.iter().any(|k| selector_kind(k) == kind)
}

fn match_kinds(m: &Match) -> Vec<String> {
    m.filters
        .iter()
        .flat_map(|f| f.kinds.iter().cloned())
        .collect()
}

/// Whether a filter rules autogen out: names, selectors, annotations, or Pod mixed with other kinds.
fn blocks_autogen(f: &Filter) -> bool {
    !f.names.is_empty()
        || f.selector.is_some()
        || !f.annotations.is_empty()
        || (f.kinds.len() > 1 && contains_kind(&f.kinds, "Pod"))
}

fn mutate_uses_json6902(node: &Node) -> bool {
    let has = |n: &Node| {
        n.get("patchesJson6902")
            .is_some_and(|p| p.as_str().is_none_or(|s| !s.is_empty()))
    };
    has(node)
        || matches!(node.get("foreach").map(|f| &f.value), Some(NodeValue::Seq(items)) if items.iter().any(has))
}

/// The controllers autogen applies to for this policy, or `None` when it does not apply
/// (Kyverno's `CanAutoGen` plus the annotation).
pub fn controllers(policy: &Policy) -> Option<Vec<String>> {
    let mut needed = false;
    for rule in &policy.rules {
        match &rule.body {
            Body::Generate(_) => return None,
            Body::Mutate(node) if mutate_uses_json6902(node) => return None,
            _ => {}
        }
        let filters = rule
            .match_
            .filters
            .iter()
            .chain(rule.exclude.iter().flat_map(|e| e.filters.iter()));
        for f in filters {
            if blocks_autogen(f) {
                return None;
            }
            needed |= f
                .kinds
                .iter()
                .any(|k| k == "Pod" || POD_CONTROLLERS.contains(&k.as_str()));
        }
    }
    if !needed {
        return None;
    }
    match policy.annotation(CONTROLLERS_ANNOTATION) {
        None => Some(POD_CONTROLLERS.iter().map(|s| s.to_string()).collect()),
        Some("none") => None,
        Some(list) => Some(list.split(',').map(str::to_string).collect()),
    }
}

/// Appends the autogen rules to a policy, as Kyverno's `ComputeRules(policy, "")` lists them:
/// written rules first (except ones already named `autogen-*`), then per written rule
/// `autogen-<rule>` and `autogen-cronjob-<rule>`.
pub fn expand(policy: &mut Policy) {
    let Some(controllers) = controllers(policy) else {
        return;
    };
    let mut generated = Vec::new();
    for rule in &policy.rules {
        let template = template_rule(rule, &controllers);
        if let Some(r) = &template {
            generated.push(rewrite_variables(r.clone(), POD_REWRITES));
        }
        if controllers
            .iter()
            .any(|c| c.contains("CronJob") || c.contains("all"))
            && let Some(cron) = cronjob_rule(rule, &controllers)
        {
            generated.push(rewrite_variables(cron, CRONJOB_REWRITES));
        }
    }
    if generated.is_empty() {
        return;
    }
    policy.rules.retain(|r| !r.name.starts_with("autogen-"));
    policy.rules.extend(generated);
}

/// `autogen-<rule>` before variable rewriting: built from the controllers other than CronJob.
fn template_rule(rule: &Rule, controllers: &[String]) -> Option<Rule> {
    let rest: Vec<String> = controllers
        .iter()
        .filter(|c| *c != "CronJob")
        .cloned()
        .collect();
    let mut out = controller_rule(rule, &rest)?;
    out.name = autogen_name("autogen", &rule.name);
    out.origin = RuleOrigin::Autogen;
    Some(out)
}

/// `autogen-cronjob-<rule>` before variable rewriting. Kyverno derives it from the autogen
/// rule built for the whole controller list, then points every filter at CronJob.
fn cronjob_rule(rule: &Rule, controllers: &[String]) -> Option<Rule> {
    let mut out = controller_rule(rule, controllers)?;
    out.name = autogen_name("autogen-cronjob", &rule.name);
    out.origin = RuleOrigin::AutogenCronJob;
    let cron = vec![controller_gvk("CronJob")];
    for f in &mut out.match_.filters {
        f.kinds = cron.clone();
    }
    if let Some(exclude) = &mut out.exclude {
        for f in exclude.filters.iter_mut().filter(|f| !f.kinds.is_empty()) {
            f.kinds = cron.clone();
        }
    }
    wrap_body(&mut out.body, "jobTemplate").then_some(out)
}

/// Kyverno's `generateRuleForControllers`: the rule with its Pod kinds replaced by the
/// controllers' group/version/kinds and its patterns wrapped under `spec.template`.
fn controller_rule(rule: &Rule, controllers: &[String]) -> Option<Rule> {
    if controllers.is_empty() || rule.name.starts_with("autogen-") || !for_pods(rule) {
        return None;
    }
    let validated: Vec<&str> = controllers
        .iter()
        .map(String::as_str)
        .filter(|c| TEMPLATE_CONTROLLERS.contains(c))
        .collect();
    let mut kinds: Vec<&str> = if controllers.iter().any(|c| c == "all") {
        TEMPLATE_CONTROLLERS.to_vec()
    } else if validated.is_empty() {
        controllers.iter().map(String::as_str).collect()
    } else {
        validated
    };
    kinds.sort_unstable();
    let gvks: Vec<String> = kinds.into_iter().map(controller_gvk).collect();
    let mut out = rule.clone();
    replace_pod_kinds(&mut out.match_, &gvks);
    if let Some(exclude) = &mut out.exclude {
        replace_pod_kinds(exclude, &gvks);
    }
    wrap_body(&mut out.body, "template").then_some(out)
}

/// Whether the rule matches Pods (and its exclude, if it names kinds, names Pods too).
fn for_pods(rule: &Rule) -> bool {
    let excluded = rule.exclude.as_ref().map(match_kinds).unwrap_or_default();
    contains_kind(&match_kinds(&rule.match_), "Pod")
        && (excluded.is_empty() || contains_kind(&excluded, "Pod"))
}

fn replace_pod_kinds(m: &mut Match, gvks: &[String]) {
    for f in &mut m.filters {
        if contains_kind(&f.kinds, "Pod") {
            f.kinds = gvks.to_vec();
        }
    }
}

/// `prefix-name`, cut to 63 bytes (at a character boundary).
fn autogen_name(prefix: &str, name: &str) -> String {
    let mut full = format!("{prefix}-{name}");
    if full.len() > 63 {
        let mut cut = 63;
        while !full.is_char_boundary(cut) {
            cut -= 1;
        }
        full.truncate(cut);
    }
    full
}

/// `{spec: {<key>: node}}`, spans pointing at the wrapped node.
fn wrap(node: &Node, key: &str) -> Node {
    let entry = |text: &str, value: Node| {
        (
            Key {
                span: node.span,
                text: text.to_string(),
            },
            value,
        )
    };
    let inner = Node {
        span: node.span,
        value: NodeValue::Map(vec![entry(key, node.clone())]),
    };
    Node {
        span: node.span,
        value: NodeValue::Map(vec![entry("spec", inner)]),
    }
}

/// Wraps patterns and strategic-merge patches under the pod template. Returns false when Kyverno
/// would not generate a rule for this body.
fn wrap_body(body: &mut Body, key: &str) -> bool {
    match body {
        Body::Validate(v) => {
            match &mut v.check {
                Check::Pattern(p) => *p = wrap(p, key),
                Check::AnyPattern(ps) => ps.iter_mut().for_each(|p| *p = wrap(p, key)),
                Check::Deny(_) | Check::Foreach(_) | Check::PodSecurity(_) | Check::Cel(_) => {}
                Check::Manifests(_) => return false,
            }
            true
        }
        Body::Mutate(node) => {
            wrap_mutate(node, key);
            true
        }
        Body::VerifyImages(_) => true,
        Body::Generate(_) => false,
    }
}

/// Wraps a mutate rule's strategic-merge patches under the pod template. Foreach entries keep
/// only their list, context, preconditions and patches, as Kyverno rewrites them (so `order`
/// falls back to its default); nested foreach entries are kept, wrapped the same way, where
/// Kyverno drops them and leaves a `template: null` patch.
fn wrap_mutate(node: &mut Node, key: &str) {
    let NodeValue::Map(entries) = &mut node.value else {
        return;
    };
    for (k, v) in entries.iter_mut() {
        match k.text.as_str() {
            "patchStrategicMerge" => *v = wrap(v, key),
            "foreach" => wrap_foreach(v, key, true),
            _ => {}
        }
    }
}

fn wrap_foreach(list: &mut Node, key: &str, top: bool) {
    let NodeValue::Seq(items) = &mut list.value else {
        return;
    };
    for item in items {
        let NodeValue::Map(fields) = &mut item.value else {
            continue;
        };
        if top {
            fields.retain(|(k, _)| k.text != "order");
        }
        for (k, v) in fields.iter_mut() {
            match k.text.as_str() {
                "patchStrategicMerge" => *v = wrap(v, key),
                "foreach" => wrap_foreach(v, key, false),
                _ => {}
            }
        }
    }
}

/// Kyverno rewrites these paths by byte replacement over the whole serialised rule; we apply
/// the same replacements, in the same order, to every string of the rule.
fn rewrite_variables(mut rule: Rule, rewrites: &[(&str, &str)]) -> Rule {
    let fix = |s: &mut String| {
        if s.contains("request.") {
            for (from, to) in rewrites {
                if s.contains(from) {
                    *s = s.replace(from, to);
                }
            }
        }
    };
    for node in [&mut rule.context, &mut rule.preconditions]
        .into_iter()
        .flatten()
    {
        rewrite_node(node, &fix);
    }
    for (k, v, _) in &mut rule.report_properties {
        fix(k);
        fix(v);
    }
    match &mut rule.body {
        Body::Validate(v) => {
            if let Some(m) = &mut v.message {
                fix(m);
            }
            match &mut v.check {
                Check::Pattern(n)
                | Check::Deny(n)
                | Check::Foreach(n)
                | Check::PodSecurity(n)
                | Check::Cel(n)
                | Check::Manifests(n) => rewrite_node(n, &fix),
                Check::AnyPattern(ns) => ns.iter_mut().for_each(|n| rewrite_node(n, &fix)),
            }
        }
        Body::Mutate(n) | Body::Generate(n) | Body::VerifyImages(n) => rewrite_node(n, &fix),
    }
    rule
}

fn rewrite_node(node: &mut Node, fix: &impl Fn(&mut String)) {
    match &mut node.value {
        NodeValue::String(s) => fix(s),
        NodeValue::Seq(items) => items.iter_mut().for_each(|i| rewrite_node(i, fix)),
        NodeValue::Map(entries) => {
            for (k, v) in entries {
                fix(&mut k.text);
                rewrite_node(v, fix);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
