//! Namespace CREATE and UPDATE (upstream `ValidateNamespace`): label validation, the exempt
//! namespace warning, and the dry run of a stricter enforce policy against existing pods.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::policy::{LevelVersion, Policy, aggregate_errors, policy_to_evaluate};
use super::{
    AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL, Admission, ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL,
    WARN_LEVEL_LABEL, WARN_VERSION_LABEL,
};
use crate::admission::{AdmissionRequest, Decision, Operation};
use crate::podsecurity::level::Level;
use crate::podsecurity::{evaluate, forbidden_reason, is_allowed};

/// At most this many existing pods are dry-run against a new enforce policy.
pub const MAX_PODS_TO_CHECK: usize = 3000;

fn labels_of(object: &Value) -> Option<&Map<String, Value>> {
    object.get("metadata")?.get("labels")?.as_object()
}

/// Both modes privileged, or the same level and version.
fn equivalent(a: LevelVersion, b: LevelVersion) -> bool {
    (a.level == Level::Privileged && b.level == Level::Privileged) || a == b
}

/// Upstream `exemptNamespaceWarning`: names the explicitly labelled, non-privileged modes.
fn exempt_namespace_warning(
    name: &str,
    policy: &Policy,
    defaults: &Policy,
    labels: Option<&Map<String, Value>>,
) -> Option<String> {
    let all_equivalent = equivalent(policy.enforce, defaults.enforce)
        && equivalent(policy.audit, defaults.audit)
        && equivalent(policy.warn, defaults.warn);
    if policy.is_privileged() || all_equivalent {
        return None;
    }
    let has = |key: &str| labels.is_some_and(|l| l.contains_key(key));
    let modes = [
        (
            "enforce",
            policy.enforce,
            ENFORCE_LEVEL_LABEL,
            ENFORCE_VERSION_LABEL,
        ),
        (
            "audit",
            policy.audit,
            AUDIT_LEVEL_LABEL,
            AUDIT_VERSION_LABEL,
        ),
        ("warn", policy.warn, WARN_LEVEL_LABEL, WARN_VERSION_LABEL),
    ];
    let parts: Vec<String> = modes
        .iter()
        .filter(|(_, lv, level, version)| {
            lv.level != Level::Privileged && (has(level) || has(version))
        })
        .map(|(mode, lv, _, _)| format!("{mode}={lv}"))
        .collect();
    Some(format!(
        "namespace {name:?} is exempt from Pod Security, and the policy ({}) will be ignored",
        parts.join(", ")
    ))
}

/// The UID of a pod's controlling owner.
fn controller_uid(pod: &Value) -> Option<&str> {
    pod.get("metadata")?
        .get("ownerReferences")?
        .as_array()?
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))?
        .get("uid")?
        .as_str()
}

impl Admission {
    /// Decides a Namespace request. On an UPDATE that tightens `enforce`, `existing_pods` (the
    /// namespace's pods) are evaluated against the new level and summarised in warnings.
    pub fn validate_namespace(
        &self,
        request: &AdmissionRequest,
        existing_pods: &[Value],
    ) -> Decision {
        if !request.sub_resource.is_empty() {
            return Decision::allow();
        }
        let object = request.object.as_ref().unwrap_or(&Value::Null);
        let name = object
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or(&request.name);
        let labels = labels_of(object);
        let defaults = &self.config.defaults;
        let (policy, errors) = policy_to_evaluate(labels, defaults);
        let exempt =
            !name.is_empty() && self.config.exemptions.namespaces.iter().any(|n| n == name);
        let invalid = |errors: &[super::InvalidValue]| {
            Decision::deny_with(
                format!(
                    "Namespace {name:?} is invalid: {}",
                    aggregate_errors(errors)
                ),
                "Invalid",
                422,
            )
        };
        let exempt_decision = || {
            let mut d = Decision::allow();
            d.warnings
                .extend(exempt_namespace_warning(name, &policy, defaults, labels));
            d
        };
        match request.operation {
            Operation::Create => {
                if !errors.is_empty() {
                    return invalid(&errors);
                }
                if exempt {
                    exempt_decision()
                } else {
                    Decision::allow()
                }
            }
            Operation::Update => {
                let (old_policy, old_errors) =
                    policy_to_evaluate(request.old_object.as_ref().and_then(labels_of), defaults);
                if !errors.is_empty() && (old_errors.is_empty() || old_errors != errors) {
                    return invalid(&errors);
                }
                let (new, old) = (policy.enforce, old_policy.enforce);
                if new == old
                    || new.level == Level::Privileged
                    || (new.version == old.version && new.level <= old.level)
                {
                    return Decision::allow();
                }
                if exempt {
                    return exempt_decision();
                }
                let mut d = Decision::allow();
                d.warnings = self.evaluate_pods_in_namespace(name, new, existing_pods);
                d
            }
            Operation::Delete | Operation::Connect => Decision::allow(),
        }
    }

    /// Upstream `EvaluatePodsInNamespace` without its time limit.
    fn evaluate_pods_in_namespace(
        &self,
        namespace: &str,
        enforce: LevelVersion,
        pods: &[Value],
    ) -> Vec<String> {
        let exempt_runtime = |pod: &Value| {
            pod.get("spec")
                .and_then(|s| s.get("runtimeClassName"))
                .and_then(Value::as_str)
                .is_some_and(|rc| {
                    !rc.is_empty()
                        && self
                            .config
                            .exemptions
                            .runtime_classes
                            .iter()
                            .any(|c| c == rc)
                })
        };
        let mut first = Vec::new();
        let mut duplicates = Vec::new();
        let mut controllers = HashSet::new();
        for pod in pods.iter().filter(|p| !exempt_runtime(p)) {
            match controller_uid(pod) {
                Some(uid) if !controllers.insert(uid) => duplicates.push(pod),
                _ => first.push(pod),
            }
        }
        let total = first.len() + duplicates.len();
        first.append(&mut duplicates);
        first.truncate(MAX_PODS_TO_CHECK);
        // reason list → (count, lexically first pod name), in first-seen order
        let mut by_reason: Vec<(String, usize, &str)> = Vec::new();
        for pod in &first {
            let null = Value::Null;
            let results = evaluate(
                enforce.level,
                enforce.version,
                pod.get("metadata").unwrap_or(&null),
                pod.get("spec").unwrap_or(&null),
            );
            if is_allowed(&results) {
                continue;
            }
            let reason = forbidden_reason(&results);
            let pod_name = pod
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            match by_reason.iter_mut().find(|(r, _, _)| *r == reason) {
                Some(entry) => {
                    entry.1 += 1;
                    if pod_name < entry.2 {
                        entry.2 = pod_name;
                    }
                }
                None => by_reason.push((reason, 1, pod_name)),
            }
        }
        let mut warnings = Vec::new();
        if first.len() < total {
            warnings.push(format!(
                "new PodSecurity enforce level only checked against the first {} of {total} existing pods",
                first.len()
            ));
        }
        if !by_reason.is_empty() {
            warnings.push(format!(
                "existing pods in namespace {namespace:?} violate the new PodSecurity enforce level \"{enforce}\""
            ));
        }
        let mut pod_warnings: Vec<String> = by_reason
            .into_iter()
            .map(|(reason, count, name)| match count {
                1 => format!("{name}: {reason}"),
                2 => format!("{name} (and 1 other pod): {reason}"),
                n => format!("{name} (and {} other pods): {reason}", n - 1),
            })
            .collect();
        pod_warnings.sort();
        warnings.append(&mut pod_warnings);
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ns(labels: Value) -> Value {
        json!({"metadata": {"name": "team", "labels": labels}})
    }

    fn req(op: Operation, object: &Value, old: Option<&Value>) -> AdmissionRequest {
        let mut r = AdmissionRequest::for_resource(object.clone(), op);
        r.resource.resource = "namespaces".into();
        r.namespace = "team".into();
        r.name = "team".into();
        r.user_info.username = "alice".into();
        r.old_object = old.cloned();
        r
    }

    #[test]
    fn invalid_labels_rejected_on_create() {
        let object = ns(json!({ENFORCE_LEVEL_LABEL: "strict"}));
        let d =
            Admission::default().validate_namespace(&req(Operation::Create, &object, None), &[]);
        assert!(!d.allowed);
        assert_eq!(
            d.message(),
            r#"Namespace "team" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted"#
        );
    }

    #[test]
    fn tightening_dry_runs_existing_pods() {
        let old = ns(json!({}));
        let new = ns(json!({ENFORCE_LEVEL_LABEL: "baseline"}));
        let bad = |name: &str, uid: &str| json!({"metadata": {"name": name, "ownerReferences": [{"controller": true, "uid": uid}]}, "spec": {"hostPID": true, "containers": [{"name": "c"}]}});
        let pods = [
            bad("b", "1"),
            bad("a", "2"),
            bad("c", "1"),
            json!({"metadata": {"name": "ok"}, "spec": {"containers": [{"name": "c"}]}}),
        ];
        let d = Admission::default()
            .validate_namespace(&req(Operation::Update, &new, Some(&old)), &pods);
        assert!(d.allowed);
        assert_eq!(
            d.warnings,
            [
                r#"existing pods in namespace "team" violate the new PodSecurity enforce level "baseline:latest""#,
                "a (and 2 other pods): host namespaces",
            ]
        );
        // Relaxing at the same version checks nothing.
        let d = Admission::default()
            .validate_namespace(&req(Operation::Update, &old, Some(&new)), &pods);
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn exempt_namespace_warns() {
        let mut admission = Admission::default();
        admission.config.exemptions.namespaces = vec!["team".into()];
        let object = ns(json!({ENFORCE_LEVEL_LABEL: "restricted", WARN_VERSION_LABEL: "v1.30"}));
        let d = admission.validate_namespace(&req(Operation::Create, &object, None), &[]);
        assert_eq!(
            d.warnings,
            [
                r#"namespace "team" is exempt from Pod Security, and the policy (enforce=restricted:latest, warn=restricted:v1.30) will be ignored"#
            ]
        );
    }
}
