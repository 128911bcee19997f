//! Admission tests (upstream admission/admission_test.go behaviours; messages per
//! pod-security.md §4 and §5).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::*;
use crate::admission::{AdmissionRequest, GroupVersionResource};

fn labels(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn request(resource: &str, name: &str, object: &Value) -> AdmissionRequest {
    let mut r = AdmissionRequest::for_resource(object.clone(), Operation::Create);
    r.resource = GroupVersionResource {
        resource: resource.into(),
        ..GroupVersionResource::default()
    };
    r.namespace = "ns".into();
    r.name = name.into();
    r.user_info.username = "alice".into();
    r
}

/// Audit annotations from (key, value) pairs.
fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn root_pod() -> Value {
    json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "nginx", "image": "nginx", "securityContext": {"runAsUser": 0}}]}})
}

#[test]
fn pod_denied_with_upstream_message() {
    let ns = labels(json!({ENFORCE_LEVEL_LABEL: "restricted", ENFORCE_VERSION_LABEL: "v1.25"}));
    let pod = root_pod();
    let d = Admission::default().validate(Some(&ns), &request("pods", "p", &pod));
    assert!(!d.allowed);
    assert!(d.message().starts_with(r#"pods "p" is forbidden: violates PodSecurity "restricted:v1.25": allowPrivilegeEscalation != false"#), "{}", d.message());
    assert!(d.message().ends_with(r#"runAsUser=0 (container "nginx" must not set runAsUser=0), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#), "{}", d.message());
    assert_eq!(
        d.audit_annotations,
        annotations(&[("enforce-policy", "restricted:v1.25")])
    );
    // Denied requests get no warnings.
    assert!(d.warnings.is_empty());
    let anonymous = Admission::default().validate(Some(&ns), &request("pods", "", &pod));
    assert!(
        anonymous
            .message()
            .starts_with("pods is forbidden: violates PodSecurity")
    );
}

/// The seed example: a Deployment in a restricted v1.25 namespace only gets a warning.
#[test]
fn controller_warned_not_denied() {
    let ns = labels(json!({ENFORCE_LEVEL_LABEL: "restricted", ENFORCE_VERSION_LABEL: "v1.25"}));
    let deployment = json!({"metadata": {"name": "nginx"}, "spec": {"template": root_pod()}});
    let d = Admission::default().validate(Some(&ns), &request("deployments", "nginx", &deployment));
    assert!(d.allowed);
    assert_eq!(d.warnings.len(), 1);
    assert!(d.warnings[0].starts_with(r#"would violate PodSecurity "restricted:v1.25": "#));
    assert!(d.warnings[0].contains(r#"runAsUser=0 (container "nginx" must not set runAsUser=0)"#));
    let strict = Admission {
        enforce_controllers: true,
        ..Admission::default()
    };
    let d = strict.validate(Some(&ns), &request("deployments", "nginx", &deployment));
    assert!(
        d.message().starts_with(
            r#"deployments.apps "nginx" is forbidden: violates PodSecurity "restricted:v1.25""#
        ),
        "{}",
        d.message()
    );
    let cronjob = json!({"spec": {"jobTemplate": {"spec": {"template": root_pod()}}}});
    let d = strict.validate(Some(&ns), &request("cronjobs", "c", &cronjob));
    assert!(
        d.message()
            .starts_with(r#"cronjobs.batch "c" is forbidden"#),
        "{}",
        d.message()
    );
}

#[test]
fn template_paths() {
    let t = json!({"metadata": {"annotations": {"a": "b"}}, "spec": {"containers": []}});
    for (resource, object) in [
        ("replicationcontrollers", json!({"spec": {"template": t}})),
        ("podtemplates", json!({"template": t})),
        ("jobs", json!({"spec": {"template": t}})),
        ("statefulsets", json!({"spec": {"template": t}})),
        (
            "cronjobs",
            json!({"spec": {"jobTemplate": {"spec": {"template": t}}}}),
        ),
    ] {
        let found = pod_template(resource, &object);
        assert_eq!(found.map(|(m, _)| m), Some(&t["metadata"]), "{resource}");
    }
    assert!(pod_template("replicationcontrollers", &json!({"spec": {}})).is_none());
    assert!(pod_template("services", &json!({})).is_none());
    assert_eq!(resource_for_kind("DaemonSet"), Some("daemonsets"));
}

#[test]
fn exemptions_and_privileged() {
    let ns = labels(json!({ENFORCE_LEVEL_LABEL: "baseline"}));
    let pod = json!({"spec": {"runtimeClassName": "kata", "hostPID": true, "containers": [{"name": "a"}]}});
    let config = Config {
        exemptions: Exemptions {
            usernames: vec!["admin".into()],
            runtime_classes: vec!["kata".into()],
            namespaces: vec!["kube-system".into()],
        },
        ..Config::default()
    };
    let admission = Admission {
        config,
        enforce_controllers: false,
    };
    let d = admission.validate(Some(&ns), &request("pods", "p", &pod));
    assert!(d.allowed);
    assert_eq!(
        d.audit_annotations,
        annotations(&[("exempt", "runtimeClass")])
    );
    let mut r = request("pods", "p", &pod);
    r.namespace = "kube-system".into();
    assert_eq!(
        admission.validate(Some(&ns), &r).audit_annotations,
        annotations(&[("exempt", "namespace")])
    );
    r.namespace = "ns".into();
    r.user_info.username = "admin".into();
    assert_eq!(
        admission.validate(Some(&ns), &r).audit_annotations,
        annotations(&[("exempt", "user")])
    );
    let plain = json!({"spec": {"hostPID": true, "containers": [{"name": "a"}]}});
    let d = Admission::default().validate(None, &request("pods", "p", &plain));
    assert!(d.allowed);
    assert_eq!(
        d.audit_annotations,
        annotations(&[("enforce-policy", "privileged:latest")])
    );
    // Ignored subresources are never checked.
    let mut exec = request("pods", "p", &plain);
    exec.sub_resource = "exec".into();
    assert!(
        Admission::default()
            .validate(Some(&ns), &exec)
            .audit_annotations
            .is_empty()
    );
}

#[test]
fn bad_labels_fail_closed_and_annotate() {
    let ns = labels(json!({ENFORCE_LEVEL_LABEL: "strict", AUDIT_LEVEL_LABEL: "baseline"}));
    let pod = json!({"spec": {"hostNetwork": true, "containers": [{"name": "a"}]}});
    let d = Admission::default().validate(Some(&ns), &request("pods", "p", &pod));
    assert!(!d.allowed);
    assert!(
        d.message().contains(
            r#"violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true)"#
        ),
        "{}",
        d.message()
    );
    assert_eq!(
        d.audit_annotations,
        annotations(&[
            (
                "error",
                r#"Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted"#
            ),
            ("enforce-policy", "restricted:latest"),
            (
                "audit-violations",
                r#"would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)"#
            ),
        ])
    );
}

#[test]
fn insignificant_updates_pass() {
    let ns = labels(json!({ENFORCE_LEVEL_LABEL: "baseline"}));
    let old = json!({"spec": {"hostNetwork": true, "containers": [{"name": "a", "image": "x"}]}});
    let relabelled = json!({"metadata": {"labels": {"x": "y"}}, "spec": {"hostNetwork": true, "containers": [{"name": "a", "image": "x"}]}});
    let mut r = request("pods", "p", &relabelled);
    r.operation = Operation::Update;
    r.old_object = Some(old);
    assert!(Admission::default().validate(Some(&ns), &r).allowed);
    let new_image =
        json!({"spec": {"hostNetwork": true, "containers": [{"name": "a", "image": "y"}]}});
    r.object = Some(new_image);
    assert!(!Admission::default().validate(Some(&ns), &r).allowed);
}
