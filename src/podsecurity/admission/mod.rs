//! Pod Security Admission (upstream admission/admission.go) as pure functions: namespace labels
//! and the plugin configuration decide the policy; a Pod is denied by `enforce`; pods and pod
//! controllers get `warn` warnings and `audit` annotations. Reusable by the CLI and a webhook.

mod config;
mod namespace;
mod policy;

pub use config::{CONFIG_API_VERSIONS, Config, ConfigError, Exemptions};
pub use namespace::MAX_PODS_TO_CHECK;
pub use policy::{
    AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL, ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL,
    InvalidValue, LevelVersion, Policy, WARN_LEVEL_LABEL, WARN_VERSION_LABEL, aggregate_errors,
    policy_to_evaluate,
};

use serde_json::{Map, Value};

use super::{CheckResult, evaluate, forbidden_detail, is_allowed};
use crate::admission::{AdmissionRequest, Decision, Operation};

/// `null`, for requests without an object.
static NULL: Value = Value::Null;

/// The object of a request (`null` when there is none).
fn object(request: &AdmissionRequest) -> &Value {
    request.object.as_ref().unwrap_or(&NULL)
}

/// The plural resource for a kind with a pod spec (`Pod` → `pods`, `CronJob` → `cronjobs`).
pub fn resource_for_kind(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Pod" => "pods",
        "ReplicationController" => "replicationcontrollers",
        "PodTemplate" => "podtemplates",
        "ReplicaSet" => "replicasets",
        "Deployment" => "deployments",
        "StatefulSet" => "statefulsets",
        "DaemonSet" => "daemonsets",
        "Job" => "jobs",
        "CronJob" => "cronjobs",
        _ => return None,
    })
}

/// The group-qualified resource as API errors print it (`deployments.apps`, `pods`).
fn qualified_resource(resource: &str) -> String {
    match resource {
        "replicasets" | "deployments" | "statefulsets" | "daemonsets" => format!("{resource}.apps"),
        "jobs" | "cronjobs" => format!("{resource}.batch"),
        other => other.to_string(),
    }
}

/// The pod metadata and spec of a resource (`DefaultPodSpecExtractor`), or `None` when the
/// resource has no pod spec or its template is missing.
pub fn pod_template<'v>(resource: &str, object: &'v Value) -> Option<(&'v Value, &'v Value)> {
    let template = match resource {
        "pods" => object,
        "podtemplates" => object.get("template")?,
        "replicationcontrollers"
        | "replicasets"
        | "deployments"
        | "statefulsets"
        | "daemonsets"
        | "jobs" => object.get("spec")?.get("template")?,
        "cronjobs" => object
            .get("spec")?
            .get("jobTemplate")?
            .get("spec")?
            .get("template")?,
        _ => return None,
    };
    if template.is_null() {
        return None;
    }
    static NULL: Value = Value::Null;
    Some((
        template.get("metadata").unwrap_or(&NULL),
        template.get("spec").unwrap_or(&NULL),
    ))
}

const IGNORED_POD_SUBRESOURCES: &[&str] = &[
    "exec",
    "attach",
    "binding",
    "eviction",
    "log",
    "portforward",
    "proxy",
    "status",
];

/// `NewForbidden(resource, name, err).Error()`.
fn forbidden_message(resource: &str, name: &str, reason: &str) -> String {
    let resource = qualified_resource(resource);
    if name.is_empty() {
        format!("{resource} is forbidden: {reason}")
    } else {
        format!("{resource} \"{name}\" is forbidden: {reason}")
    }
}

/// Whether a pod UPDATE can change the verdict: container counts, images, or new ephemeral
/// containers (upstream `isSignificantPodUpdate`).
fn is_significant_pod_update(new: &Value, old: &Value) -> bool {
    let list = |pod: &Value, field: &str| -> Vec<Value> {
        pod.get("spec")
            .and_then(|s| s.get(field))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let image = |c: &Value| c.get("image").cloned();
    let name = |c: &Value| c.get("name").cloned();
    for field in ["containers", "initContainers"] {
        let (n, o) = (list(new, field), list(old, field));
        if n.len() != o.len() || n.iter().zip(&o).any(|(a, b)| image(a) != image(b)) {
            return true;
        }
    }
    let (n, o) = (
        list(new, "ephemeralContainers"),
        list(old, "ephemeralContainers"),
    );
    n.iter()
        .any(|c| match o.iter().find(|oc| name(oc) == name(c)) {
            None => true,
            Some(oc) => image(oc) != image(c),
        })
}

/// The PodSecurity admission logic with a configuration.
#[derive(Debug, Clone, Default)]
pub struct Admission {
    /// Defaults and exemptions.
    pub config: Config,
    /// Beyond PSA: deny pod controllers whose template violates `enforce` (PSA only warns).
    pub enforce_controllers: bool,
}

impl Admission {
    /// Decides a request, given the labels of its namespace (`None` when it has none).
    /// Namespace requests are validated without existing pods (see [`Admission::validate_namespace`]).
    pub fn validate(
        &self,
        namespace_labels: Option<&Map<String, Value>>,
        request: &AdmissionRequest,
    ) -> Decision {
        if !matches!(request.operation, Operation::Create | Operation::Update) {
            return Decision::allow();
        }
        let resource = request.resource.resource.as_str();
        if resource == "namespaces" {
            return self.validate_namespace(request, &[]);
        }
        let is_pod = resource == "pods";
        let subresource = request.sub_resource.as_str();
        if is_pod && IGNORED_POD_SUBRESOURCES.contains(&subresource) {
            return Decision::allow();
        }
        if !is_pod && !subresource.is_empty() {
            return Decision::allow();
        }
        let exemptions = &self.config.exemptions;
        if !request.namespace.is_empty() && exemptions.namespaces.contains(&request.namespace) {
            return Decision::allow().annotate("exempt", "namespace");
        }
        let username = request.user_info.username.as_str();
        if !username.is_empty() && exemptions.usernames.iter().any(|u| u == username) {
            return Decision::allow().annotate("exempt", "user");
        }
        let (policy, errors) = policy_to_evaluate(namespace_labels, &self.config.defaults);
        if is_pod {
            if errors.is_empty() && policy.is_privileged() {
                return Decision::allow().annotate(
                    "enforce-policy",
                    LevelVersion::PRIVILEGED_LATEST.to_string(),
                );
            }
            if request.operation == Operation::Update {
                if let Some(old) = &request.old_object {
                    if !is_significant_pod_update(object(request), old) {
                        return Decision::allow();
                    }
                }
            }
        } else if errors.is_empty()
            && policy.warn.level == crate::podsecurity::Level::Privileged
            && policy.audit.level == crate::podsecurity::Level::Privileged
            && !self.enforce_controllers
        {
            return Decision::allow();
        }
        let Some((metadata, spec)) = pod_template(resource, object(request)) else {
            return Decision::allow();
        };
        let enforce = is_pod || self.enforce_controllers;
        self.evaluate_pod(&policy, &errors, metadata, spec, enforce, request)
    }

    /// Upstream `EvaluatePod`: runtime-class exemption, enforce, audit and warn.
    fn evaluate_pod(
        &self,
        policy: &Policy,
        policy_errors: &[InvalidValue],
        metadata: &Value,
        spec: &Value,
        enforce: bool,
        request: &AdmissionRequest,
    ) -> Decision {
        let runtime_class = spec.get("runtimeClassName").and_then(Value::as_str);
        if let Some(rc) = runtime_class {
            if self
                .config
                .exemptions
                .runtime_classes
                .iter()
                .any(|c| c == rc)
            {
                return Decision::allow().annotate("exempt", "runtimeClass");
            }
        }
        let mut decision = Decision::allow();
        if !policy_errors.is_empty() {
            decision = decision.annotate(
                "error",
                format!(
                    "Failed to parse policy: {}",
                    aggregate_errors(policy_errors)
                ),
            );
        }
        let mut cache: Vec<(LevelVersion, Vec<CheckResult>)> = Vec::new();
        let mut results_for = |lv: LevelVersion| -> Vec<CheckResult> {
            if let Some((_, r)) = cache.iter().find(|(k, _)| *k == lv) {
                return r.clone();
            }
            let r = evaluate(lv.level, lv.version, metadata, spec);
            cache.push((lv, r.clone()));
            r
        };
        if enforce {
            decision = decision.annotate("enforce-policy", policy.enforce.to_string());
            let results = results_for(policy.enforce);
            if !is_allowed(&results) {
                let message = forbidden_message(
                    &request.resource.resource,
                    &request.name,
                    &format!(
                        "violates PodSecurity \"{}\": {}",
                        policy.enforce,
                        forbidden_detail(&results)
                    ),
                );
                let annotations = std::mem::take(&mut decision.audit_annotations);
                decision = Decision::deny_with(message, "Forbidden", 403);
                decision.audit_annotations = annotations;
            }
        }
        let audit = results_for(policy.audit);
        if !is_allowed(&audit) {
            decision = decision.annotate(
                "audit-violations",
                format!(
                    "would violate PodSecurity \"{}\": {}",
                    policy.audit,
                    forbidden_detail(&audit)
                ),
            );
        }
        if decision.allowed {
            let warn = results_for(policy.warn);
            if !is_allowed(&warn) {
                decision.warnings.push(format!(
                    "would violate PodSecurity \"{}\": {}",
                    policy.warn,
                    forbidden_detail(&warn)
                ));
            }
        }
        decision
    }
}

#[cfg(test)]
mod tests;
