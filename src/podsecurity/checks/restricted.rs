//! The restricted checks (upstream policy/check_*.go for level restricted).

use super::Failure;
use super::baseline::{valid_seccomp_type, volume_name};
use crate::podsecurity::field::{BadValue, FieldError};
use crate::podsecurity::format::{
    containers_phrase, containers_phrase_then, join_quote, pluralize, sort_unique,
};
use crate::podsecurity::pod::Pod;
use serde_json::Value;

/// `allowPrivilegeEscalation` v1.8: every container must set it to false.
pub(super) fn allow_privilege_escalation_1_8(pod: &Pod) -> Option<Failure> {
    let mut names = Vec::new();
    let mut errors = Vec::new();
    for c in &pod.containers {
        let path = || c.path("securityContext.allowPrivilegeEscalation");
        match c.sc.map(|sc| sc.allow_privilege_escalation) {
            None => errors.push(FieldError::required(path())),
            Some(None) => errors.push(FieldError::forbidden(path(), BadValue::Str("nil".into()))),
            Some(Some(true)) => errors.push(FieldError::forbidden(path(), BadValue::Bool(true))),
            Some(Some(false)) => continue,
        }
        names.push(c.name);
    }
    if names.is_empty() {
        return None;
    }
    Some(Failure {
        reason: "allowPrivilegeEscalation != false",
        detail: containers_phrase_then(
            &names,
            " must set securityContext.allowPrivilegeEscalation=false",
        ),
        errors,
    })
}

/// `allowPrivilegeEscalation` v1.25: Windows pods are exempt.
pub(super) fn allow_privilege_escalation_1_25(pod: &Pod) -> Option<Failure> {
    if pod.windows {
        return None;
    }
    allow_privilege_escalation_1_8(pod)
}

/// `capabilities_restricted` v1.22: drop ALL, add at most NET_BIND_SERVICE.
pub(super) fn capabilities_restricted_1_22(pod: &Pod) -> Option<Failure> {
    let mut missing_drop_all = Vec::new();
    let mut adding_forbidden = Vec::new();
    let mut forbidden: Vec<&str> = Vec::new();
    let mut drop_errors = Vec::new();
    let mut add_errors = Vec::new();
    for c in &pod.containers {
        let drop_path = || c.path("securityContext.capabilities.drop");
        let Some(caps) = c.sc.and_then(|sc| sc.capabilities) else {
            missing_drop_all.push(c.name);
            drop_errors.push(FieldError::required(drop_path()));
            continue;
        };
        if !caps.drop.iter().any(|d| d.as_str() == Some("ALL")) {
            missing_drop_all.push(c.name);
            if caps.drop.is_empty() {
                drop_errors.push(FieldError::required(drop_path()));
            } else {
                let mut dropped: Vec<&str> =
                    caps.drop.iter().map(|d| d.as_str().unwrap_or("")).collect();
                sort_unique(&mut dropped);
                drop_errors.push(FieldError::forbidden(
                    drop_path(),
                    BadValue::List(dropped.into_iter().map(String::from).collect()),
                ));
            }
        }
        let mut own: Vec<&str> = caps
            .add
            .iter()
            .map(|a| a.as_str().unwrap_or(""))
            .filter(|a| *a != "NET_BIND_SERVICE")
            .collect();
        if !own.is_empty() {
            adding_forbidden.push(c.name);
            forbidden.extend_from_slice(&own);
            sort_unique(&mut own);
            add_errors.push(FieldError::forbidden(
                c.path("securityContext.capabilities.add"),
                BadValue::List(own.into_iter().map(String::from).collect()),
            ));
        }
    }
    if missing_drop_all.is_empty() && adding_forbidden.is_empty() {
        return None;
    }
    let mut details = Vec::new();
    if !missing_drop_all.is_empty() {
        details.push(containers_phrase_then(
            &missing_drop_all,
            r#" must set securityContext.capabilities.drop=["ALL"]"#,
        ));
    }
    if !adding_forbidden.is_empty() {
        sort_unique(&mut forbidden);
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding_forbidden),
            join_quote(&forbidden)
        ));
    }
    drop_errors.append(&mut add_errors);
    Some(Failure {
        reason: "unrestricted capabilities",
        detail: details.join("; "),
        errors: drop_errors,
    })
}

/// `capabilities_restricted` v1.25: Windows pods are exempt.
pub(super) fn capabilities_restricted_1_25(pod: &Pod) -> Option<Failure> {
    if pod.windows {
        return None;
    }
    capabilities_restricted_1_22(pod)
}

const ALLOWED_VOLUME_SOURCES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

const RESTRICTED_VOLUME_TYPES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

/// The type a restricted check reports for a volume, or `None` when its source is allowed.
fn restricted_volume_type(volume: &Value) -> Option<&'static str> {
    let Some(fields) = volume.as_object() else {
        return Some("unknown");
    };
    let set = |name: &str| fields.iter().any(|(k, v)| k == name && !v.is_null());
    if ALLOWED_VOLUME_SOURCES.iter().any(|s| set(s)) {
        return None;
    }
    Some(
        RESTRICTED_VOLUME_TYPES
            .iter()
            .copied()
            .find(|t| set(t))
            .unwrap_or("unknown"),
    )
}

/// `restrictedVolumes` v1.0: only the allowed volume sources.
pub(super) fn restricted_volumes(pod: &Pod) -> Option<Failure> {
    let mut names = Vec::new();
    let mut types: Vec<&str> = Vec::new();
    let mut errors = Vec::new();
    for (i, volume) in pod.volumes.iter().enumerate() {
        if let Some(t) = restricted_volume_type(volume) {
            names.push(volume_name(volume));
            types.push(t);
            errors.push(FieldError::forbidden(
                format!("spec.volumes[{i}].{t}"),
                BadValue::Str(String::new()),
            ));
        }
    }
    if names.is_empty() {
        return None;
    }
    sort_unique(&mut types);
    Some(Failure {
        reason: "restricted volume types",
        detail: format!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names),
            pluralize("uses", "use", names.len()),
            pluralize(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            join_quote(&types)
        ),
        errors,
    })
}

/// `runAsNonRoot` v1.0. The detail is upstream's (explicit `false` setters win); the field errors
/// are the fork's, holding both the explicit and the implicit group.
pub(super) fn run_as_non_root_1_0(pod: &Pod) -> Option<Failure> {
    let mut setters = Vec::new();
    let mut explicit_errors = Vec::new();
    let pod_value = pod.sc().run_as_non_root;
    if pod_value == Some(false) {
        setters.push("pod".to_string());
        explicit_errors.push(FieldError::forbidden(
            "spec.securityContext.runAsNonRoot".into(),
            BadValue::Bool(false),
        ));
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_errors = Vec::new();
    for c in &pod.containers {
        match c.sc.and_then(|sc| sc.run_as_non_root) {
            Some(false) => {
                explicit.push(c.name);
                explicit_errors.push(FieldError::forbidden(
                    c.path("securityContext.runAsNonRoot"),
                    BadValue::Bool(false),
                ));
            }
            Some(true) => {}
            None if pod_value != Some(true) => {
                implicit.push(c.name);
                implicit_errors.push(FieldError::required(c.path("securityContext.runAsNonRoot")));
            }
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    let detail = if !setters.is_empty() {
        format!(
            "{} must not set securityContext.runAsNonRoot=false",
            setters.join(" and ")
        )
    } else if !implicit.is_empty() {
        format!(
            "pod or {} must set securityContext.runAsNonRoot=true",
            containers_phrase(&implicit)
        )
    } else {
        return None;
    };
    explicit_errors.append(&mut implicit_errors);
    Some(Failure {
        reason: "runAsNonRoot != true",
        detail,
        errors: explicit_errors,
    })
}

/// `runAsNonRoot` v1.35: pods in a user namespace (`hostUsers: false`) are allowed.
pub(super) fn run_as_non_root_1_35(pod: &Pod) -> Option<Failure> {
    if pod.host_users == Some(false) {
        return None;
    }
    run_as_non_root_1_0(pod)
}

/// `runAsUser` v1.23: no `runAsUser: 0` at pod or container level.
pub(super) fn run_as_user_1_23(pod: &Pod) -> Option<Failure> {
    let mut setters = Vec::new();
    let mut errors = Vec::new();
    if pod.sc().run_as_user == Some(0) {
        setters.push("pod".to_string());
        errors.push(FieldError::forbidden(
            "spec.securityContext.runAsUser".into(),
            BadValue::Int(0),
        ));
    }
    let mut names = Vec::new();
    for c in &pod.containers {
        if c.sc.and_then(|sc| sc.run_as_user) == Some(0) {
            names.push(c.name);
            errors.push(FieldError::forbidden(
                c.path("securityContext.runAsUser"),
                BadValue::Int(0),
            ));
        }
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    if setters.is_empty() {
        return None;
    }
    Some(Failure {
        reason: "runAsUser=0",
        detail: format!("{} must not set runAsUser=0", setters.join(" and ")),
        errors,
    })
}

/// `runAsUser` v1.35: pods in a user namespace (`hostUsers: false`) are allowed.
pub(super) fn run_as_user_1_35(pod: &Pod) -> Option<Failure> {
    if pod.host_users == Some(false) {
        return None;
    }
    run_as_user_1_23(pod)
}

/// `seccompProfile_restricted` v1.19: a valid profile at pod level or on every container.
pub(super) fn seccomp_profile_restricted_1_19(pod: &Pod) -> Option<Failure> {
    let mut setters = Vec::new();
    let mut types: Vec<&str> = Vec::new();
    let mut explicit_errors = Vec::new();
    let mut pod_set = false;
    if let Some(t) = pod.sc().seccomp_type {
        if valid_seccomp_type(t) {
            pod_set = true;
        } else {
            setters.push("pod".to_string());
            types.push(t);
            explicit_errors.push(FieldError::forbidden(
                "spec.securityContext.seccompProfile.type".into(),
                BadValue::Str(t.into()),
            ));
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_errors = Vec::new();
    for c in &pod.containers {
        match c.sc.and_then(|sc| sc.seccomp_type) {
            Some(t) if !valid_seccomp_type(t) => {
                explicit.push(c.name);
                types.push(t);
                explicit_errors.push(FieldError::forbidden(
                    c.path("securityContext.seccompProfile.type"),
                    BadValue::Str(t.into()),
                ));
            }
            Some(_) => {}
            None if !pod_set => {
                implicit.push(c.name);
                implicit_errors.push(FieldError::required(
                    c.path("securityContext.seccompProfile.type"),
                ));
            }
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if !setters.is_empty() {
        sort_unique(&mut types);
        return Some(Failure {
            reason: "seccompProfile",
            detail: format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                join_quote(&types)
            ),
            errors: explicit_errors,
        });
    }
    if implicit.is_empty() {
        return None;
    }
    Some(Failure {
        reason: "seccompProfile",
        detail: format!(
            r#"pod or {} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
            containers_phrase(&implicit)
        ),
        errors: implicit_errors,
    })
}

/// `seccompProfile_restricted` v1.25: Windows pods are exempt.
pub(super) fn seccomp_profile_restricted_1_25(pod: &Pod) -> Option<Failure> {
    if pod.windows {
        return None;
    }
    seccomp_profile_restricted_1_19(pod)
}
