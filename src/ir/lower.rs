//! Lowering the written policy ([`crate::syntax::ast`]) to the normalised IR.

use super::*;
use crate::syntax::ast::{self, PolicyDoc, ValidateCheck};
use crate::syntax::reader::{Reader, Spanned};
use crate::yaml::NodeValue;

/// Lowers one policy. Problems that only show once the meaning is known (an `anyPattern` that is
/// not a list, ...) are reported to `r`.
pub fn lower(r: &mut Reader, doc: &PolicyDoc) -> Policy {
    let spec = &doc.spec;
    let namespace = match doc.kind {
        PolicyKind::Policy => Some(
            doc.namespace
                .as_ref()
                .map(|n| n.value.clone())
                .unwrap_or_else(|| "default".into()),
        ),
        PolicyKind::ClusterPolicy => None,
    };
    Policy {
        file: doc.file,
        kind: doc.kind,
        name: doc.name.value.clone(),
        namespace,
        annotations: pairs(&doc.annotations),
        background: spec.background.unwrap_or(true),
        admission: spec.admission.unwrap_or(true),
        apply_one: spec.apply_rules.as_ref().is_some_and(|a| a.value == "One"),
        failure_policy: match spec
            .webhook_configuration
            .as_ref()
            .and_then(|w| w.failure_policy.as_ref())
            .or(spec.failure_policy.as_ref())
        {
            Some(f) if f.value == "Ignore" => FailurePolicy::Ignore,
            _ => FailurePolicy::Fail,
        },
        webhook_timeout_seconds: spec
            .webhook_configuration
            .as_ref()
            .and_then(|w| w.timeout_seconds.as_ref())
            .or(spec.webhook_timeout_seconds.as_ref())
            .and_then(|t| u32::try_from(t.value).ok()),
        emit_warning: spec.emit_warning.unwrap_or(false),
        match_conditions: spec
            .webhook_configuration
            .as_ref()
            .and_then(|w| w.match_conditions.as_ref())
            .map(|n| n.to_json()),
        failure_action: spec
            .validation_failure_action
            .as_ref()
            .map(|a| FailureAction::from_kyverno(&a.value))
            .unwrap_or_default(),
        failure_action_overrides: overrides(&spec.failure_action_overrides),
        rules: spec
            .rules
            .iter()
            .filter_map(|rule| lower_rule(r, rule))
            .collect(),
    }
}

fn pairs(p: &[(Spanned<String>, Spanned<String>)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect()
}

fn strings(s: &[Spanned<String>]) -> Vec<String> {
    s.iter().map(|s| s.value.clone()).collect()
}

fn overrides(o: &[ast::FailureActionOverride]) -> Vec<ActionOverride> {
    o.iter()
        .map(|o| ActionOverride {
            action: FailureAction::from_kyverno(&o.action.value),
            namespaces: strings(&o.namespaces),
            namespace_selector: o.namespace_selector.as_ref().map(selector),
        })
        .collect()
}

fn lower_rule(r: &mut Reader, rule: &ast::Rule) -> Option<Rule> {
    let body = match &rule.body {
        ast::RuleBody::Validate(v) => Body::Validate(lower_validate(r, v)?),
        ast::RuleBody::Mutate(n) => Body::Mutate(n.clone()),
        ast::RuleBody::Generate(n) => Body::Generate(n.clone()),
        ast::RuleBody::VerifyImages(n) => Body::VerifyImages(n.clone()),
    };
    Some(Rule {
        name: rule.name.value.clone(),
        span: rule.span,
        origin: RuleOrigin::Written,
        match_: lower_match(&rule.match_),
        exclude: rule.exclude.as_ref().map(lower_match),
        context: rule.context.clone(),
        preconditions: rule.preconditions.clone(),
        report_properties: rule
            .report_properties
            .iter()
            .map(|(k, v)| (k.value.clone(), v.value.clone(), v.span))
            .collect(),
        body,
    })
}

fn lower_validate(r: &mut Reader, v: &ast::Validate) -> Option<Validate> {
    let check = match &v.check {
        ValidateCheck::Pattern(n) => Check::Pattern(n.clone()),
        ValidateCheck::AnyPattern(n) => match &n.value {
            NodeValue::Seq(items) if !items.is_empty() => Check::AnyPattern(items.clone()),
            NodeValue::Seq(_) => {
                r.error(n.span, "anyPattern cannot be empty", "no patterns");
                return None;
            }
            _ => {
                r.type_error(n, "anyPattern", "a list of patterns");
                return None;
            }
        },
        ValidateCheck::Deny(n) => Check::Deny(n.clone()),
        ValidateCheck::Foreach(n) => Check::Foreach(n.clone()),
        ValidateCheck::PodSecurity(n) => Check::PodSecurity(n.clone()),
        ValidateCheck::Cel(n) => Check::Cel(n.clone()),
        ValidateCheck::Manifests(n) => Check::Manifests(n.clone()),
    };
    Some(Validate {
        message: v.message.as_ref().map(|m| m.value.clone()),
        message_span: v.message.as_ref().map(|m| m.span),
        failure_action: v
            .failure_action
            .as_ref()
            .map(|a| FailureAction::from_kyverno(&a.value)),
        failure_action_overrides: overrides(&v.failure_action_overrides),
        allow_existing_violations: v.allow_existing_violations.unwrap_or(true),
        check,
    })
}

/// Lowers a `match` or `exclude` block (the legacy direct form becomes one `any` filter).
pub(super) fn lower_match(m: &ast::MatchResources) -> Match {
    if let Some(all) = &m.all {
        return Match {
            combine: Combine::All,
            filters: all.iter().map(filter).collect(),
        };
    }
    let filters = match (&m.any, &m.direct) {
        (Some(any), _) => any.iter().map(filter).collect(),
        (None, Some(direct)) => vec![filter(direct)],
        (None, None) => Vec::new(),
    };
    Match {
        combine: Combine::Any,
        filters,
    }
}

fn filter(f: &ast::ResourceFilter) -> Filter {
    let d = &f.resources;
    let mut names = strings(&d.names);
    if let Some(name) = &d.name {
        names.push(name.value.clone());
    }
    Filter {
        kinds: strings(&d.kinds),
        names,
        namespaces: strings(&d.namespaces),
        annotations: pairs(&d.annotations),
        selector: d.selector.as_ref().map(selector),
        namespace_selector: d.namespace_selector.as_ref().map(selector),
        operations: strings(&d.operations),
        subjects: f
            .subjects
            .iter()
            .map(|s| SubjectRef {
                kind: s.kind.value.clone(),
                name: s.name.value.clone(),
                namespace: s
                    .namespace
                    .as_ref()
                    .map(|n| n.value.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        roles: strings(&f.roles),
        cluster_roles: strings(&f.cluster_roles),
    }
}

fn selector(s: &ast::Selector) -> LabelSelector {
    LabelSelector {
        match_labels: pairs(&s.match_labels),
        match_expressions: s
            .match_expressions
            .iter()
            .map(|e| {
                (
                    e.key.value.clone(),
                    e.operator.value.clone(),
                    strings(&e.values),
                )
            })
            .collect(),
    }
}
