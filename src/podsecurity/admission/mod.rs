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

/// The admission operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// CREATE.
    Create,
    /// UPDATE.
    Update,
    /// DELETE or CONNECT: never checked.
    Other,
}

/// One admission request, reduced to what PSA reads.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The operation.
    pub operation: Operation,
    /// The plural resource, such as `pods` or `deployments` (see [`resource_for_kind`]).
    pub resource: &'a str,
    /// The subresource, or `""`.
    pub subresource: &'a str,
    /// The request namespace.
    pub namespace: &'a str,
    /// The object name (may be empty for generated names).
    pub name: &'a str,
    /// The requesting user's name.
    pub username: &'a str,
    /// The new object.
    pub object: &'a Value,
    /// The old object (UPDATE).
    pub old_object: Option<&'a Value>,
}

/// The decision for a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request is admitted.
    pub allowed: bool,
    /// The denial message (`pods "x" is forbidden: violates PodSecurity ...`), empty if allowed.
    pub message: String,
    /// Warnings (`would violate PodSecurity ...`).
    pub warnings: Vec<String>,
    /// Audit annotations with bare keys (`enforce-policy`, `audit-violations`, `exempt`, `error`).
    pub audit_annotations: Vec<(&'static str, String)>,
}

impl Decision {
    fn allow() -> Decision {
        Decision {
            allowed: true,
            ..Decision::default()
        }
    }

    fn annotate(mut self, key: &'static str, value: impl Into<String>) -> Decision {
        self.audit_annotations.push((key, value.into()));
        self
    }
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
        request: &Request,
    ) -> Decision {
        if request.operation == Operation::Other {
            return Decision::allow();
        }
        if request.resource == "namespaces" {
            return self.validate_namespace(request, &[]);
        }
        let is_pod = request.resource == "pods";
        if is_pod && IGNORED_POD_SUBRESOURCES.contains(&request.subresource) {
            return Decision::allow();
        }
        if !is_pod && !request.subresource.is_empty() {
            return Decision::allow();
        }
        let exemptions = &self.config.exemptions;
        if !request.namespace.is_empty()
            && exemptions.namespaces.iter().any(|n| n == request.namespace)
        {
            return Decision::allow().annotate("exempt", "namespace");
        }
        if !request.username.is_empty()
            && exemptions.usernames.iter().any(|u| u == request.username)
        {
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
                if let Some(old) = request.old_object {
                    if !is_significant_pod_update(request.object, old) {
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
        let Some((metadata, spec)) = pod_template(request.resource, request.object) else {
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
        request: &Request,
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
                decision.allowed = false;
                decision.message = forbidden_message(
                    request.resource,
                    request.name,
                    &format!(
                        "violates PodSecurity \"{}\": {}",
                        policy.enforce,
                        forbidden_detail(&results)
                    ),
                );
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
