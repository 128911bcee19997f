//! Reading a policy document (a spanned YAML node) into the [`ast`](super::ast) types, with a
//! diagnostic for every schema problem found (reading goes on after an error).

use super::ast::*;
use super::reader::{OTHER_METADATA_FIELDS, Obj, Reader, Spanned};
use crate::yaml::Node;

/// API versions accepted for policies.
pub const POLICY_API_VERSIONS: &[&str] = &["kyverno.io/v1", "kyverno.io/v2beta1"];

const OPERATIONS: &[&str] = &["CREATE", "UPDATE", "DELETE", "CONNECT"];
const SELECTOR_OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist"];
const SUBJECT_KINDS: &[&str] = &["User", "Group", "ServiceAccount"];
/// Spellings Kyverno accepts for `spec.validationFailureAction`.
pub const SPEC_FAILURE_ACTIONS: &[&str] = &["Audit", "Enforce", "audit", "enforce"];
/// Spellings Kyverno accepts for `validate.failureAction`.
pub const RULE_FAILURE_ACTIONS: &[&str] = &["Audit", "Enforce"];
const CLUSTER_ONLY_FIELDS: &[&str] = &[
    "schemaValidation",
    "mutateExistingOnPolicyUpdate",
    "generateExisting",
    "useServerSideApply",
];

/// Whether a document looks like a Kyverno policy (by `apiVersion` group and `kind`).
pub fn is_policy(doc: &Node) -> bool {
    let kind = doc.get("kind").and_then(Node::as_str);
    let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    matches!(kind, Some("ClusterPolicy" | "Policy")) && api.starts_with("kyverno.io/")
}

/// Reads one policy document. Returns `None` when it is too broken to use; the reasons are
/// in the reader's diagnostics either way.
pub fn parse_policy(r: &mut Reader, doc: &Node) -> Option<PolicyDoc> {
    let mut obj = r.object(doc, "policy")?;
    let api_version = obj
        .required(r, "apiVersion")
        .and_then(|n| r.one_of(n, "apiVersion", POLICY_API_VERSIONS));
    let kind = match obj
        .required(r, "kind")
        .and_then(|n| r.one_of(n, "kind", &["ClusterPolicy", "Policy"]))
    {
        Some(k) if k.value == "Policy" => Some(PolicyKind::Policy),
        Some(_) => Some(PolicyKind::ClusterPolicy),
        None => None,
    };
    let meta = obj
        .required(r, "metadata")
        .and_then(|m| parse_metadata(r, m));
    super::lint::literal_regexes(r, doc);
    let spec = obj.required(r, "spec").map(|s| parse_spec(r, s));
    obj.field("status");
    obj.finish(r);
    let (name, namespace, annotations) = meta?;
    let spec = spec?;
    api_version?;
    if kind == Some(PolicyKind::ClusterPolicy)
        && let Some(ns) = &namespace
    {
        r.warning(
            ns.span,
            "a ClusterPolicy is cluster-scoped: `metadata.namespace` is ignored",
            "ignored",
        );
    }
    if kind == Some(PolicyKind::Policy)
        && namespace.is_none()
        && let Some(m) = obj_metadata_span(doc)
    {
        r.warning(
            m,
            "this Policy has no `metadata.namespace`: it applies only to resources of the `default` namespace here, while Kyverno's CLI applies it to every namespace and a cluster to the namespace it is created in",
            "no namespace",
        )
        .notes
        .push("set `metadata.namespace`, or make it a ClusterPolicy".into());
    }
    Some(PolicyDoc {
        file: r.file(),
        kind: kind?,
        name,
        namespace,
        annotations,
        spec,
    })
}

/// The span of a document's `metadata` key, for warnings about what it lacks.
fn obj_metadata_span(doc: &Node) -> Option<crate::yaml::Span> {
    match &doc.value {
        crate::yaml::NodeValue::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.text == "metadata")
            .map(|(k, _)| k.span),
        _ => None,
    }
}

type StringPairs = Vec<(Spanned<String>, Spanned<String>)>;

/// `metadata` as read: name, namespace, annotations (labels are checked, not kept: they mean
/// nothing to the engine).
pub(super) type Metadata = (Spanned<String>, Option<Spanned<String>>, StringPairs);

/// Reads the `metadata` of a policy or policy exception.
pub(super) fn parse_metadata(r: &mut Reader, node: &Node) -> Option<Metadata> {
    let mut obj = r.object(node, "metadata")?;
    let name = obj
        .required(r, "name")
        .and_then(|n| r.string(n, "metadata.name"));
    let namespace = obj
        .field("namespace")
        .and_then(|n| r.string(n, "metadata.namespace"));
    let annotations = obj
        .field("annotations")
        .map(|n| r.string_map(n, "metadata.annotations"))
        .unwrap_or_default();
    if let Some(n) = obj.field("labels") {
        r.string_map(n, "metadata.labels");
    }
    for field in OTHER_METADATA_FIELDS {
        obj.field(field);
    }
    obj.finish(r);
    if let Some(n) = &name
        && n.value.len() > 63
    {
        r.warning(
            n.span,
            "names longer than 63 characters are rejected by Kubernetes",
            "too long",
        );
    }
    Some((name?, namespace, annotations))
}

fn parse_spec(r: &mut Reader, node: &Node) -> Spec {
    let Some(mut obj) = r.object(node, "spec") else {
        return Spec::default();
    };
    let mut spec = Spec {
        validation_failure_action: obj
            .field("validationFailureAction")
            .and_then(|n| r.one_of(n, "validationFailureAction", SPEC_FAILURE_ACTIONS)),
        failure_action_overrides: obj
            .field("validationFailureActionOverrides")
            .map(|n| parse_overrides(r, n, SPEC_FAILURE_ACTIONS))
            .unwrap_or_default(),
        background: obj
            .field("background")
            .and_then(|n| r.boolean(n, "background"))
            .map(|b| b.value),
        admission: obj
            .field("admission")
            .and_then(|n| r.boolean(n, "admission"))
            .map(|b| b.value),
        failure_policy: obj
            .field("failurePolicy")
            .and_then(|n| r.one_of(n, "failurePolicy", &["Fail", "Ignore"])),
        apply_rules: obj
            .field("applyRules")
            .and_then(|n| r.one_of(n, "applyRules", &["All", "One"])),
        emit_warning: obj
            .field("emitWarning")
            .and_then(|n| r.boolean(n, "emitWarning"))
            .map(|b| b.value),
        ..Spec::default()
    };
    spec.webhook_timeout_seconds = obj
        .field("webhookTimeoutSeconds")
        .and_then(|n| timeout_seconds(r, n, "webhookTimeoutSeconds"));
    spec.webhook_configuration = obj
        .field("webhookConfiguration")
        .and_then(|n| parse_webhook_configuration(r, n));
    if let Some(configured) = &spec.webhook_configuration {
        let both = [
            (
                spec.failure_policy.as_ref().map(|f| f.span),
                configured.failure_policy.is_some(),
                "failurePolicy",
            ),
            (
                spec.webhook_timeout_seconds.as_ref().map(|t| t.span),
                configured.timeout_seconds.is_some(),
                "timeoutSeconds",
            ),
        ];
        for (deprecated, configured, field) in both {
            if let (Some(span), true) = (deprecated, configured) {
                r.error(
                    span,
                    format!(
                        "both this deprecated field and `webhookConfiguration.{field}` are set"
                    ),
                    "deprecated",
                )
                .notes
                .push(format!(
                    "remove the deprecated field and use spec.webhookConfiguration.{field} instead"
                ));
            }
        }
    }
    for field in CLUSTER_ONLY_FIELDS {
        if let Some((key, value)) = obj.entry(field) {
            spec.cluster_only
                .push((Spanned::new(key.text.clone(), key.span), value.clone()));
        }
    }
    if let Some((key, _)) = obj.entry("generateExistingOnPolicyUpdate") {
        r.error(
            key.span,
            "`generateExistingOnPolicyUpdate` is no longer supported",
            "removed field",
        )
        .notes
        .push("use `generate.generateExisting` in the rule instead".into());
    }
    if let Some(items) = obj
        .required(r, "rules")
        .and_then(|rules| r.list(rules, "rules"))
    {
        spec.rules = items
            .iter()
            .filter_map(|item| parse_rule(r, item))
            .collect();
        check_duplicate_rule_names(r, &spec.rules);
    }
    obj.finish(r);
    spec
}

/// A webhook timeout: an integer from 1 to 30.
fn timeout_seconds(r: &mut Reader, node: &Node, what: &str) -> Option<Spanned<i64>> {
    let t = r.integer(node, what)?;
    if !(1..=30).contains(&t.value) {
        r.error(
            t.span,
            "the timeout value must be between 1 and 30 seconds",
            "out of range",
        );
        return None;
    }
    Some(t)
}

fn parse_webhook_configuration(r: &mut Reader, node: &Node) -> Option<WebhookConfiguration> {
    let mut obj = r.object(node, "webhookConfiguration")?;
    let config = WebhookConfiguration {
        failure_policy: obj
            .field("failurePolicy")
            .and_then(|n| r.one_of(n, "failurePolicy", &["Fail", "Ignore"])),
        timeout_seconds: obj
            .field("timeoutSeconds")
            .and_then(|n| timeout_seconds(r, n, "timeoutSeconds")),
        match_conditions: obj.field("matchConditions").cloned(),
    };
    obj.finish(r);
    Some(config)
}

fn check_duplicate_rule_names(r: &mut Reader, rules: &[Rule]) {
    for (i, rule) in rules.iter().enumerate() {
        if let Some(first) = rules
            .iter()
            .take(i)
            .find(|other| other.name.value == rule.name.value)
        {
            let d = r.error(
                rule.name.span,
                format!("Duplicate rule name: '{}'", rule.name.value),
                "a rule with this name is already defined",
            );
            d.related
                .push((first.name.span, "first defined here".into()));
            d.notes
                .push("rule names must be unique within a policy".into());
        }
    }
}

fn parse_overrides(r: &mut Reader, node: &Node, actions: &[&str]) -> Vec<FailureActionOverride> {
    let Some(items) = r.list(node, "failure action overrides") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(mut obj) = r.object(item, "failure action override") else {
            continue;
        };
        let action = obj
            .required(r, "action")
            .and_then(|n| r.one_of(n, "action", actions));
        let namespaces = obj
            .field("namespaces")
            .map(|n| r.string_list(n, "namespaces"))
            .unwrap_or_default();
        let namespace_selector = obj
            .field("namespaceSelector")
            .and_then(|n| parse_selector(r, n, "namespaceSelector"));
        obj.finish(r);
        if let Some(action) = action {
            out.push(FailureActionOverride {
                action,
                namespaces,
                namespace_selector,
            });
        }
    }
    out
}

fn parse_rule(r: &mut Reader, node: &Node) -> Option<Rule> {
    let mut obj = r.object(node, "rule")?;
    let name = obj
        .required(r, "name")
        .and_then(|n| r.string(n, "rule name"));
    if let Some(n) = &name
        && n.value.len() > 63
    {
        r.error(n.span, "rule name is longer than 63 characters", "too long");
    }
    let match_ = obj
        .required(r, "match")
        .and_then(|n| parse_match(r, n, MatchForm::Match));
    let exclude = obj
        .field("exclude")
        .and_then(|n| parse_match(r, n, MatchForm::Exclude));
    let context = obj.field("context").cloned();
    let preconditions = obj.field("preconditions").cloned();
    // `celPreconditions` go with `validate.cel` and `imageExtractors` with `verifyImages`, rule
    // kinds this version reports as unsupported; `skipBackgroundRequests` concerns requests of
    // Kyverno's own background controller, which never reach Rampart. They are checked, not kept.
    obj.field("celPreconditions");
    obj.field("imageExtractors");
    if let Some(n) = obj.field("skipBackgroundRequests") {
        r.boolean(n, "skipBackgroundRequests");
    }
    let report_properties = obj
        .field("reportProperties")
        .map(|n| r.string_map(n, "reportProperties"))
        .unwrap_or_default();

    let mut bodies = Vec::new();
    if let Some((key, n)) = obj.entry("validate") {
        bodies.push((key.span, parse_validate(r, n).map(RuleBody::Validate)));
    }
    for (field, make) in [
        ("mutate", RuleBody::Mutate as fn(Node) -> RuleBody),
        ("generate", RuleBody::Generate),
        ("verifyImages", RuleBody::VerifyImages),
    ] {
        if let Some((key, n)) = obj.entry(field) {
            bodies.push((key.span, Some(make(n.clone()))));
        }
    }
    obj.finish(r);
    let name = name?;
    let body = match bodies.len() {
        0 => {
            r.error(
                name.span,
                format!("No operation defined in the rule '{}'", name.value),
                "this rule does nothing",
            )
            .notes
            .push("add exactly one of `validate`, `mutate`, `generate` or `verifyImages`".into());
            return None;
        }
        1 => bodies.pop().and_then(|(_, b)| b)?,
        _ => {
            let second = bodies.get(1).map(|(span, _)| *span).unwrap_or(name.span);
            r.error(second, format!("Multiple operations defined in the rule '{}'", name.value), "second action")
                .notes
                .push("a rule has exactly one of `validate`, `mutate`, `generate` or `verifyImages`; split it into several rules".into());
            return None;
        }
    };
    Some(Rule {
        name,
        span: node.span,
        match_: match_?,
        exclude,
        context,
        preconditions,
        report_properties,
        body,
    })
}

fn parse_validate(r: &mut Reader, node: &Node) -> Option<Validate> {
    let mut obj = r.object(node, "validate")?;
    let message = obj
        .field("message")
        .and_then(|n| r.string(n, "validate.message"));
    let failure_action = obj
        .field("failureAction")
        .and_then(|n| r.one_of(n, "validate.failureAction", RULE_FAILURE_ACTIONS));
    let failure_action_overrides = obj
        .field("failureActionOverrides")
        .map(|n| parse_overrides(r, n, RULE_FAILURE_ACTIONS))
        .unwrap_or_default();
    let allow_existing_violations = obj
        .field("allowExistingViolations")
        .and_then(|n| r.boolean(n, "allowExistingViolations"))
        .map(|b| b.value);
    obj.field("assert");
    let mut checks = Vec::new();
    for (field, make) in [
        (
            "pattern",
            ValidateCheck::Pattern as fn(Node) -> ValidateCheck,
        ),
        ("anyPattern", ValidateCheck::AnyPattern),
        ("deny", ValidateCheck::Deny),
        ("foreach", ValidateCheck::Foreach),
        ("podSecurity", ValidateCheck::PodSecurity),
        ("cel", ValidateCheck::Cel),
        ("manifests", ValidateCheck::Manifests),
    ] {
        if let Some((key, n)) = obj.entry(field) {
            checks.push((key.span, make(n.clone())));
        }
    }
    let head = obj.head_span();
    obj.finish(r);
    let check = match checks.len() {
        0 => {
            r.error(head, "validate has no check", "nothing to validate").notes.push(
                "add exactly one of `pattern`, `anyPattern`, `deny`, `foreach`, `podSecurity`, `cel` or `manifests`".into(),
            );
            return None;
        }
        1 => checks.pop().map(|(_, c)| c)?,
        _ => {
            let names: Vec<&str> = checks.iter().map(|(_, c)| c.name()).collect();
            let second = checks.get(1).map(|(span, _)| *span).unwrap_or(head);
            r.error(
                second,
                format!(
                    "only one validation type is allowed, found {}",
                    names.join(" and ")
                ),
                "second check",
            )
            .notes
            .push("split the checks into separate rules".into());
            return None;
        }
    };
    Some(Validate {
        message,
        failure_action,
        failure_action_overrides,
        allow_existing_violations,
        check,
    })
}

/// Which block a `match` form is read for: they differ in what they allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MatchForm {
    /// A rule's `match`: must select something; the legacy direct form is allowed.
    Match,
    /// A rule's `exclude`: may be empty; the legacy direct form is allowed.
    Exclude,
    /// A PolicyException's `match` (kyverno.io/v2beta1 MatchResources): only `any` and `all`;
    /// an empty block or filter is allowed (it never matches) and reported as a warning.
    Exception,
}

impl MatchForm {
    fn name(self) -> &'static str {
        match self {
            MatchForm::Match | MatchForm::Exception => "match",
            MatchForm::Exclude => "exclude",
        }
    }
}

/// Reads a `match` or `exclude` block.
pub(super) fn parse_match(r: &mut Reader, node: &Node, form: MatchForm) -> Option<MatchResources> {
    let what = form.name();
    let mut obj = r.object(node, what)?;
    let any = obj
        .entry("any")
        .map(|(key, n)| (key.span, parse_filters(r, n, form)));
    let all = obj
        .entry("all")
        .map(|(key, n)| (key.span, parse_filters(r, n, form)));
    let direct = match form {
        MatchForm::Exception => None,
        MatchForm::Match | MatchForm::Exclude => parse_filter_fields(r, &mut obj),
    };
    obj.finish(r);
    if let (Some(_), Some((all_span, _))) = (&any, &all) {
        r.error(*all_span, "Can't specify any and all together", "`any` is given too")
            .notes
            .push(format!("use either `{what}.any` (one filter must match) or `{what}.all` (every filter must match)"));
    }
    let has_direct = direct.as_ref().is_some_and(|d| !filter_is_empty(d));
    if has_direct && (any.is_some() || all.is_some()) {
        let span = direct.as_ref().map(|d| d.span).unwrap_or(node.span);
        r.error(
            span,
            format!("can't specify any/all together with {what} resources"),
            "legacy form",
        )
        .notes
        .push(format!("move these fields into an entry of `{what}.any`"));
    }
    let empty = |f: &Option<(crate::yaml::Span, Vec<ResourceFilter>)>| {
        f.as_ref().is_none_or(|(_, filters)| filters.is_empty())
    };
    match form {
        MatchForm::Match if !has_direct && any.is_none() && all.is_none() => {
            r.error(node.span, "match cannot be empty", "matches nothing")
                .notes
                .push("add `any:` or `all:` with at least one `resources:` filter".into());
        }
        // (A block with other fields already has an error for them.)
        MatchForm::Exception if empty(&any) && empty(&all) && only_any_all(node) => {
            r.warning(
                node.span,
                "this exception's match is empty: it never applies",
                "matches nothing",
            )
            .notes
            .push("add `any:` or `all:` with at least one `resources:` filter".into());
        }
        _ => {}
    }
    Some(MatchResources {
        any: any.map(|(_, f)| f),
        all: all.map(|(_, f)| f),
        direct: direct.filter(|_| has_direct),
    })
}

/// Whether a mapping has no keys but `any` and `all`.
fn only_any_all(node: &Node) -> bool {
    match &node.value {
        crate::yaml::NodeValue::Map(entries) => entries
            .iter()
            .all(|(k, _)| k.text == "any" || k.text == "all"),
        _ => true,
    }
}

fn filter_is_empty(f: &ResourceFilter) -> bool {
    let d = &f.resources;
    d.kinds.is_empty()
        && d.name.is_none()
        && d.names.is_empty()
        && d.namespaces.is_empty()
        && d.annotations.is_empty()
        && d.selector.is_none()
        && d.namespace_selector.is_none()
        && d.operations.is_empty()
        && f.subjects.is_empty()
        && f.roles.is_empty()
        && f.cluster_roles.is_empty()
}

fn parse_filters(r: &mut Reader, node: &Node, form: MatchForm) -> Vec<ResourceFilter> {
    let Some(items) = r.list(node, "resource filters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(mut obj) = r.object(item, "resource filter") else {
            continue;
        };
        if let Some(filter) = parse_filter_fields(r, &mut obj) {
            if filter_is_empty(&filter) {
                let d = match form {
                    MatchForm::Exception => r.warning(
                        item.span,
                        "an empty resource filter never matches",
                        "matches nothing",
                    ),
                    MatchForm::Match | MatchForm::Exclude => r.error(
                        item.span,
                        "resource filter cannot be empty",
                        "matches nothing",
                    ),
                };
                d.notes
                    .push("add `resources:` with at least `kinds:`".into());
            }
            out.push(filter);
        }
        obj.finish(r);
    }
    out
}

/// Reads `resources`, `subjects`, `roles`, `clusterRoles` from a filter (or the legacy direct form).
fn parse_filter_fields(r: &mut Reader, obj: &mut Obj) -> Option<ResourceFilter> {
    let resources = obj
        .field("resources")
        .and_then(|n| parse_description(r, n))
        .unwrap_or_default();
    let subjects = obj
        .field("subjects")
        .map(|n| parse_subjects(r, n))
        .unwrap_or_default();
    let roles = obj
        .field("roles")
        .map(|n| r.string_list(n, "roles"))
        .unwrap_or_default();
    for role in &roles {
        if role.value.split(':').count() != 2 {
            r.error(
                role.span,
                "roles must be written as `namespace:name`",
                "not `namespace:name`",
            );
        }
    }
    let cluster_roles = obj
        .field("clusterRoles")
        .map(|n| r.string_list(n, "clusterRoles"))
        .unwrap_or_default();
    Some(ResourceFilter {
        span: obj.node().span,
        resources,
        subjects,
        roles,
        cluster_roles,
    })
}

/// Warns about a kind that is not a Kubernetes kind but is spelled like one (`Deploymnet`):
/// nothing would ever match it. Custom resources' kinds, unlike any built-in one, pass.
fn misspelled_kind(r: &mut Reader, kind: &Spanned<String>) {
    // `group/version/Kind` and `Kind/subresource` forms name the kind in one segment.
    let name = kind
        .value
        .split('/')
        .find(|p| p.starts_with(|c: char| c.is_ascii_uppercase()))
        .unwrap_or(&kind.value);
    if name.contains(['*', '?']) || crate::kinds::is_known(name) {
        return;
    }
    if let Some(close) = crate::diag::did_you_mean(name, crate::kinds::known()) {
        r.warning(
            kind.span,
            format!("`{name}` is not a Kubernetes kind: no resource will match it"),
            "unknown kind",
        )
        .notes
        .push(format!("did you mean `{close}`?"));
    }
}

fn parse_description(r: &mut Reader, node: &Node) -> Option<ResourceDescription> {
    let mut obj = r.object(node, "resources")?;
    let desc = ResourceDescription {
        kinds: obj
            .field("kinds")
            .map(|n| r.string_list(n, "kinds"))
            .inspect(|kinds| {
                for k in kinds {
                    misspelled_kind(r, k);
                }
            })
            .unwrap_or_default(),
        name: obj.field("name").and_then(|n| r.string(n, "name")),
        names: obj
            .field("names")
            .map(|n| r.string_list(n, "names"))
            .unwrap_or_default(),
        namespaces: obj
            .field("namespaces")
            .map(|n| r.string_list(n, "namespaces"))
            .unwrap_or_default(),
        annotations: obj
            .field("annotations")
            .map(|n| r.string_map(n, "annotations"))
            .unwrap_or_default(),
        selector: obj
            .field("selector")
            .and_then(|n| parse_selector(r, n, "selector")),
        namespace_selector: obj
            .field("namespaceSelector")
            .and_then(|n| parse_selector(r, n, "namespaceSelector")),
        operations: obj
            .field("operations")
            .and_then(|n| r.list(n, "operations"))
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| r.one_of(i, "operation", OPERATIONS))
                    .collect()
            })
            .unwrap_or_default(),
    };
    obj.finish(r);
    if let Some(name) = &desc.name
        && !desc.names.is_empty()
    {
        r.error(
            name.span,
            "Both name and names can not be specified together",
            "use `names` only",
        );
    }
    for kind in &desc.kinds {
        if kind.value.is_empty() {
            r.error(kind.span, "kind cannot be empty", "empty kind");
        }
    }
    Some(desc)
}

fn parse_selector(r: &mut Reader, node: &Node, what: &'static str) -> Option<Selector> {
    let mut obj = r.object(node, what)?;
    let match_labels = obj
        .field("matchLabels")
        .map(|n| r.string_map(n, "matchLabels"))
        .unwrap_or_default();
    let mut match_expressions = Vec::new();
    if let Some(items) = obj
        .field("matchExpressions")
        .and_then(|n| r.list(n, "matchExpressions"))
    {
        for item in items {
            let Some(mut e) = r.object(item, "match expression") else {
                continue;
            };
            let key = e.required(r, "key").and_then(|n| r.string(n, "key"));
            let operator = e
                .required(r, "operator")
                .and_then(|n| r.one_of(n, "operator", SELECTOR_OPERATORS));
            let values = e
                .field("values")
                .map(|n| r.string_list(n, "values"))
                .unwrap_or_default();
            e.finish(r);
            let (Some(key), Some(operator)) = (key, operator) else {
                continue;
            };
            let needs_values = matches!(operator.value.as_str(), "In" | "NotIn");
            if needs_values == values.is_empty() {
                let msg = if needs_values {
                    format!(
                        "operator `{}` needs a non-empty `values` list",
                        operator.value
                    )
                } else {
                    format!("operator `{}` takes no `values`", operator.value)
                };
                r.error(operator.span, msg, "invalid selector requirement");
            }
            match_expressions.push(SelectorRequirement {
                key,
                operator,
                values,
            });
        }
    }
    obj.finish(r);
    Some(Selector {
        match_labels,
        match_expressions,
    })
}

fn parse_subjects(r: &mut Reader, node: &Node) -> Vec<Subject> {
    let Some(items) = r.list(node, "subjects") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(mut obj) = r.object(item, "subject") else {
            continue;
        };
        let kind = obj
            .required(r, "kind")
            .and_then(|n| r.one_of(n, "subject kind", SUBJECT_KINDS));
        let name = obj
            .required(r, "name")
            .and_then(|n| r.string(n, "subject name"));
        let namespace = obj
            .field("namespace")
            .and_then(|n| r.string(n, "subject namespace"));
        obj.field("apiGroup");
        obj.finish(r);
        if let (Some(kind), Some(name)) = (kind, name) {
            if kind.value == "ServiceAccount" && namespace.is_none() {
                r.error(
                    kind.span,
                    "a ServiceAccount subject needs a `namespace`",
                    "no namespace",
                );
            }
            out.push(Subject {
                kind,
                name,
                namespace,
            });
        }
    }
    out
}
