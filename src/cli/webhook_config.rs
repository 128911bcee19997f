//! `rampart webhook-config`: the ValidatingWebhookConfiguration (and MutatingWebhookConfiguration,
//! when policies mutate) that send the API server's requests to `rampart serve`, scoped to what
//! the loaded policies match: their kinds' groups, versions and resources (subresources
//! included) and operations, never `*` unless a policy asks for it or names a kind whose group
//! cannot be known offline. One webhook per failure policy, `timeoutSeconds` the largest the
//! policies ask for (10 by default), the webhook's own namespace left out.

use std::collections::BTreeSet;

use clap::Args;
use rampart::kinds::{group_version, guess_resource};
use rampart::{FailurePolicy, Loader, PolicyInfo, RuleKind};
use serde_json::{Value, json};

use super::{EXIT_OK, EXIT_USAGE, Output};

/// Flags of `rampart webhook-config`.
#[derive(Debug, Args)]
pub struct WebhookConfigArgs {
    /// Policy files or directories (`stdlib:` too), as given to `rampart serve`.
    #[arg(long = "policies", value_delimiter = ',', required = true)]
    pub policies: Vec<String>,
    /// Call the webhook at this HTTPS URL (`https://host:port`); the route is appended.
    #[arg(long, conflicts_with = "service")]
    pub url: Option<String>,
    /// Call the webhook through this Service: `namespace/name` or `namespace/name:port`.
    #[arg(long, default_value = "rampart/rampart")]
    pub service: String,
    /// A PEM file whose certificates become the `caBundle`.
    #[arg(long)]
    pub ca_bundle: Option<String>,
    /// The namespace `rampart serve` runs in, which its webhooks leave out.
    #[arg(long, default_value = "rampart")]
    pub namespace: String,
}

/// One Kubernetes webhook rule: operations on resources of one group and version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    operations: Vec<String>,
    group: String,
    version: String,
    resource: String,
}

/// The targets of a kind selector (`Pod`, `Pod/status`, `apps/v1/Deployment`, `*`,
/// `batch/*/Job`, ...), with these operations.
fn targets(selector: &str, operations: &[String]) -> Target {
    let parts: Vec<&str> = selector.split('/').collect();
    // The kind is the first part that starts with an upper-case letter (or is `*` at the
    // place of a kind); what follows it is a subresource, what precedes it group and version.
    let at = parts
        .iter()
        .position(|p| p.starts_with(|c: char| c.is_ascii_uppercase()))
        .unwrap_or(match parts.len() {
            1 | 2 => 0,
            _ => parts.len() - 1,
        });
    let kind = parts.get(at).copied().unwrap_or("*");
    let sub = parts.get(at + 1..).map(|s| s.join("/")).unwrap_or_default();
    let before = parts.get(..at).unwrap_or_default();
    let known = group_version(kind);
    let (group, version) = match before {
        [group, version] => (group.to_string(), version.to_string()),
        [version] => (
            known.map_or_else(|| "*".to_string(), |(g, _)| g.to_string()),
            version.to_string(),
        ),
        _ => match known {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => ("*".to_string(), "*".to_string()),
        },
    };
    let mut resource = if kind == "*" {
        "*".to_string()
    } else {
        guess_resource(kind)
    };
    if !sub.is_empty() {
        resource = format!("{resource}/{sub}");
    }
    Target {
        operations: operations.to_vec(),
        group,
        version,
        resource,
    }
}

/// The webhook rules for the policies' rules of one kind, grouped by operations, group and
/// version.
fn rules(policies: &[&PolicyInfo], rule_kind: RuleKind, default_operations: &[&str]) -> Vec<Value> {
    let mut found = BTreeSet::new();
    for policy in policies {
        for scope in policy.matches.iter().filter(|m| m.rule_kind == rule_kind) {
            let operations: Vec<String> = match scope.operations.is_empty() {
                true => default_operations.iter().map(|o| o.to_string()).collect(),
                false => scope.operations.clone(),
            };
            for kind in &scope.kinds {
                found.insert(targets(kind, &operations));
            }
        }
    }
    // One set of operations per resource (rules are alternatives, so their union), then the
    // resources that share operations, group and version in one rule.
    let mut operations_of: Vec<((String, String, String), Vec<String>)> = Vec::new();
    for t in found {
        let key = (t.group, t.version, t.resource);
        match operations_of.iter_mut().find(|(k, _)| *k == key) {
            Some((_, ops)) => ops.extend(t.operations),
            None => operations_of.push((key, t.operations)),
        }
    }
    let order = ["CREATE", "UPDATE", "DELETE", "CONNECT"];
    let mut grouped: Vec<(Vec<String>, String, String, Vec<String>)> = Vec::new();
    for ((group, version, resource), mut ops) in operations_of {
        ops.sort_by_key(|o| order.iter().position(|x| x == o).unwrap_or(order.len()));
        ops.dedup();
        match grouped
            .iter_mut()
            .find(|(o, g, v, _)| *o == ops && *g == group && *v == version)
        {
            Some((_, _, _, resources)) => resources.push(resource),
            None => grouped.push((ops, group, version, vec![resource])),
        }
    }
    grouped
        .into_iter()
        .map(|(operations, group, version, resources)| {
            json!({
                "apiGroups": [group],
                "apiVersions": [version],
                "operations": operations,
                "resources": resources,
                "scope": "*",
            })
        })
        .collect()
}

/// What sets one webhook apart from the others of its configuration.
struct Hook {
    /// The name, before `.rampart.svc`.
    name: String,
    /// The route of `rampart serve` it calls.
    path: String,
    failure_policy: FailurePolicy,
    /// CEL conditions the API server checks before calling it.
    match_conditions: Option<Value>,
}

/// One webhook for these policies, or `None` when they match nothing.
fn webhook(
    args: &WebhookConfigArgs,
    hook: &Hook,
    policies: &[&PolicyInfo],
    rule_kind: RuleKind,
    operations: &[&str],
    ca: Option<&str>,
) -> Option<Value> {
    let rules = rules(policies, rule_kind, operations);
    if rules.is_empty() {
        return None;
    }
    let timeout = policies
        .iter()
        .filter_map(|p| p.webhook_timeout_seconds)
        .max()
        .unwrap_or(10)
        .clamp(1, 30);
    let mut client = match &args.url {
        Some(url) => json!({"url": format!("{}{}", url.trim_end_matches('/'), hook.path)}),
        None => {
            let (namespace, rest) = args
                .service
                .split_once('/')
                .unwrap_or(("rampart", &args.service));
            let (name, port) = rest.split_once(':').unwrap_or((rest, "443"));
            json!({"service": {"namespace": namespace, "name": name, "path": hook.path, "port": port.parse::<u16>().unwrap_or(443)}})
        }
    };
    if let Some(ca) = ca {
        client["caBundle"] = json!(ca);
    }
    let mut webhook = json!({
        "name": format!("{}.rampart.svc", hook.name),
        "admissionReviewVersions": ["v1"],
        "clientConfig": client,
        "failurePolicy": match hook.failure_policy { FailurePolicy::Fail => "Fail", FailurePolicy::Ignore => "Ignore" },
        "matchPolicy": "Equivalent",
        "namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [args.namespace]}]},
        "rules": rules,
        "sideEffects": "None",
        "timeoutSeconds": timeout,
    });
    if let Some(conditions) = &hook.match_conditions {
        webhook["matchConditions"] = conditions.clone();
    }
    Some(webhook)
}

/// The webhook configuration of one kind (`Validating` or `Mutating`), or `None` when no
/// policy has rules for it.
fn configuration(
    args: &WebhookConfigArgs,
    all: &[PolicyInfo],
    kind: &str,
    ca: Option<&str>,
) -> Option<Value> {
    let (rule_kind, route, operations): (RuleKind, &str, &[&str]) = match kind {
        "Mutating" => (RuleKind::Mutation, "mutate", &["CREATE", "UPDATE"]),
        _ => (
            RuleKind::Validation,
            "validate",
            &["CREATE", "UPDATE", "DELETE", "CONNECT"],
        ),
    };
    let with_rules = |p: &&PolicyInfo| p.admission && p.rules.iter().any(|(_, k)| *k == rule_kind);
    let mut webhooks = Vec::new();
    // Policies without `matchConditions` share one webhook per failure policy.
    for (policy_kind, label) in [
        (FailurePolicy::Fail, "fail"),
        (FailurePolicy::Ignore, "ignore"),
    ] {
        let policies: Vec<&PolicyInfo> = all
            .iter()
            .filter(with_rules)
            .filter(|p| p.failure_policy == policy_kind && !p.has_match_conditions())
            .collect();
        let hook = Hook {
            name: format!("{route}-{label}"),
            path: format!("/{route}"),
            failure_policy: policy_kind,
            match_conditions: None,
        };
        webhooks.extend(webhook(args, &hook, &policies, rule_kind, operations, ca));
    }
    // A policy with `matchConditions` gets a webhook of its own, which carries them, at the
    // route that evaluates that policy alone (as Kyverno's fine-grained webhooks do).
    for policy in all
        .iter()
        .filter(with_rules)
        .filter(|p| p.has_match_conditions())
    {
        let key = policy.key();
        let hook = Hook {
            name: format!("{route}-policy-{}", key.replace('/', "-")),
            path: format!("/{route}/policy/{key}"),
            failure_policy: policy.failure_policy,
            match_conditions: policy.match_conditions.clone(),
        };
        webhooks.extend(webhook(args, &hook, &[policy], rule_kind, operations, ca));
    }
    (!webhooks.is_empty()).then(|| {
        json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": format!("{kind}WebhookConfiguration"),
            "metadata": {"name": format!("rampart-{}", kind.to_lowercase())},
            "webhooks": webhooks,
        })
    })
}

/// Runs `webhook-config`.
pub fn run(args: &WebhookConfigArgs, out: &mut Output) -> i32 {
    let mut loader = Loader::new();
    let added = loader.add_paths(&args.policies);
    if !loader.diagnostics().is_empty() {
        out.err(&loader.render_diagnostics(out.color));
    }
    if let Err(e) = added {
        out.err(&format!("Error: failed to load policies ({e})\n"));
        return EXIT_USAGE;
    }
    if loader.has_errors() {
        out.err("Error: the policies have errors (above)\n");
        return EXIT_USAGE;
    }
    let ca = match &args.ca_bundle {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => {
                use base64::Engine;
                Some(base64::engine::general_purpose::STANDARD.encode(bytes))
            }
            Err(e) => {
                out.err(&format!("Error: cannot read {path}: {e}\n"));
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    let engine = loader.engine();
    let policies: Vec<PolicyInfo> = engine.policies().cloned().collect();
    let documents: Vec<Value> = ["Validating", "Mutating"]
        .iter()
        .filter_map(|kind| configuration(args, &policies, kind, ca.as_deref()))
        .collect();
    if documents.is_empty() {
        out.err("Error: no validate or mutate rule among the policies: no webhook to register\n");
        return EXIT_USAGE;
    }
    let texts: Vec<String> = documents
        .iter()
        .map(rampart::yaml::to_yaml_string)
        .collect();
    out.out(&texts.join("---\n"));
    EXIT_OK
}

#[cfg(test)]
mod tests {
    use super::{Target, targets};

    fn t(selector: &str) -> (String, String, String) {
        let Target {
            group,
            version,
            resource,
            ..
        } = targets(selector, &[]);
        (group, version, resource)
    }

    #[test]
    fn kind_selectors_become_groups_versions_and_resources() {
        let g = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(t("Pod"), g("", "v1", "pods"));
        assert_eq!(t("Deployment"), g("apps", "v1", "deployments"));
        assert_eq!(t("Pod/status"), g("", "v1", "pods/status"));
        assert_eq!(t("apps/v1/StatefulSet"), g("apps", "v1", "statefulsets"));
        assert_eq!(t("v1/ConfigMap"), g("", "v1", "configmaps"));
        assert_eq!(t("*"), g("*", "*", "*"));
        assert_eq!(t("*/scale"), g("*", "*", "*/scale"));
        assert_eq!(
            t("NetworkPolicy"),
            g("networking.k8s.io", "v1", "networkpolicies")
        );
        assert_eq!(
            t("cert-manager.io/v1/Certificate"),
            g("cert-manager.io", "v1", "certificates")
        );
        // A custom kind without its group: any group, any version.
        assert_eq!(t("Widget"), g("*", "*", "widgets"));
    }
}
