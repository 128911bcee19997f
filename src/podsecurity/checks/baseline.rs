//! The baseline checks (upstream policy/check_*.go for level baseline).

use std::fmt::Write;

use super::Failure;
use crate::podsecurity::field::{BadValue, FieldError};
use crate::podsecurity::format::{
    containers_phrase, containers_phrase_then, go_quote, join_quote, pluralize, sort_unique,
};
use crate::podsecurity::pod::{Container, Pod, SeLinux};
use serde_json::Value;

const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn valid_app_armor_type(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

/// `appArmorProfile` v1.0: pod and container profile types, and the beta annotations.
pub(super) fn app_armor_profile(pod: &Pod) -> Option<Failure> {
    let mut setters: Vec<String> = Vec::new();
    let mut bad_values: Vec<&str> = Vec::new();
    let mut errors = Vec::new();
    if let Some(t) = pod.sc().app_armor_type.filter(|t| !valid_app_armor_type(t)) {
        setters.push("pod".into());
        bad_values.push(t);
        errors.push(FieldError::forbidden(
            "spec.securityContext.appArmorProfile.type".into(),
            BadValue::Str(t.into()),
        ));
    }
    let mut names = Vec::new();
    for c in &pod.containers {
        if let Some(t) =
            c.sc.and_then(|sc| sc.app_armor_type)
                .filter(|t| !valid_app_armor_type(t))
        {
            names.push(c.name);
            bad_values.push(t);
            errors.push(FieldError::forbidden(
                c.path("securityContext.appArmorProfile.type"),
                BadValue::Str(t.into()),
            ));
        }
    }
    let mut annotations = Vec::new();
    for (key, value) in pod.annotations.into_iter().flatten() {
        let value = value.as_str().unwrap_or("");
        if key.starts_with(APPARMOR_ANNOTATION_PREFIX)
            && !value.is_empty()
            && value != "runtime/default"
            && !value.starts_with("localhost/")
        {
            annotations.push(format!("{key}={}", go_quote(value)));
            errors.push(FieldError::forbidden(
                format!("metadata.annotations[{key}]"),
                BadValue::Str(value.into()),
            ));
        }
    }
    if setters.is_empty() && names.is_empty() && annotations.is_empty() {
        return None;
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    sort_unique(&mut bad_values);
    let mut bad: Vec<&str> = bad_values;
    annotations.sort_unstable();
    if !annotations.is_empty() {
        bad.extend(annotations.iter().map(String::as_str));
        setters.push(pluralize("annotation", "annotations", annotations.len()).into());
    }
    Some(Failure {
        reason: pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            bad.len(),
        ),
        detail: format!(
            "{} must not set AppArmor profile type to {}",
            setters.join(" and "),
            join_quote(&bad)
        ),
        errors,
    })
}

const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// `capabilities_baseline` v1.0: only the default capabilities may be added.
pub(super) fn capabilities_baseline(pod: &Pod) -> Option<Failure> {
    let mut names = Vec::new();
    let mut forbidden: Vec<&str> = Vec::new();
    let mut errors = Vec::new();
    for c in &pod.containers {
        let Some(caps) = c.sc.and_then(|sc| sc.capabilities) else {
            continue;
        };
        let mut own: Vec<&str> = caps
            .add
            .iter()
            .map(|v| v.as_str().unwrap_or(""))
            .filter(|cap| !BASELINE_CAPABILITIES.contains(cap))
            .collect();
        if own.is_empty() {
            continue;
        }
        names.push(c.name);
        forbidden.extend_from_slice(&own);
        sort_unique(&mut own);
        errors.push(FieldError::forbidden(
            c.path("securityContext.capabilities.add"),
            BadValue::List(own.into_iter().map(String::from).collect()),
        ));
    }
    if names.is_empty() {
        return None;
    }
    sort_unique(&mut forbidden);
    Some(Failure {
        reason: "non-default capabilities",
        detail: format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&names),
            join_quote(&forbidden)
        ),
        errors,
    })
}

/// `hostNamespaces` v1.0: hostNetwork, hostPID, hostIPC.
pub(super) fn host_namespaces(pod: &Pod) -> Option<Failure> {
    let flags = [
        (pod.host_network, "hostNetwork"),
        (pod.host_pid, "hostPID"),
        (pod.host_ipc, "hostIPC"),
    ];
    if !flags.iter().any(|(set, _)| *set) {
        return None;
    }
    let mut detail = String::new();
    let mut errors = Vec::new();
    for (_, name) in flags.iter().filter(|(set, _)| *set) {
        if !detail.is_empty() {
            detail.push_str(", ");
        }
        let _ = write!(detail, "{name}=true");
        errors.push(FieldError::forbidden(
            format!("spec.{name}"),
            BadValue::Bool(true),
        ));
    }
    Some(Failure {
        reason: "host namespaces",
        detail,
        errors,
    })
}

/// `hostPathVolumes` v1.0.
pub(super) fn host_path_volumes(pod: &Pod) -> Option<Failure> {
    let mut names = Vec::new();
    let mut errors = Vec::new();
    for (i, volume) in pod.volumes.iter().enumerate() {
        let Some(host_path) = volume.get("hostPath").filter(|h| h.is_object()) else {
            continue;
        };
        names.push(volume_name(volume));
        let path = host_path.get("path").and_then(Value::as_str).unwrap_or("");
        errors.push(FieldError::forbidden(
            format!("spec.volumes[{i}].hostPath"),
            BadValue::Str(path.into()),
        ));
    }
    if names.is_empty() {
        return None;
    }
    Some(Failure {
        reason: "hostPath volumes",
        detail: format!(
            "{} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names)
        ),
        errors,
    })
}

/// A volume's `name`, or `""`.
pub(super) fn volume_name(volume: &Value) -> &str {
    volume.get("name").and_then(Value::as_str).unwrap_or("")
}

/// `hostPorts` v1.0.
pub(super) fn host_ports(pod: &Pod) -> Option<Failure> {
    let mut names = Vec::new();
    let mut ports: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for c in &pod.containers {
        let mut bad = false;
        for (j, port) in c.ports.iter().enumerate() {
            let host_port = port.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
            if host_port != 0 {
                bad = true;
                ports.push(host_port.to_string());
                errors.push(FieldError::forbidden(
                    c.path(&format!("ports[{j}].hostPort")),
                    BadValue::Int(host_port),
                ));
            }
        }
        if bad {
            names.push(c.name);
        }
    }
    if names.is_empty() {
        return None;
    }
    sort_unique(&mut ports);
    Some(Failure {
        reason: "hostPort",
        detail: format!(
            "{} {} {} {}",
            containers_phrase(&names),
            pluralize("uses", "use", names.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
        errors,
    })
}

/// `hostProbesAndHostLifecycle` v1.34: probe and lifecycle handlers must not set a host.
/// Kyverno's fork gives it no field errors.
pub(super) fn host_probes_and_host_lifecycle(pod: &Pod) -> Option<Failure> {
    let mut names: Vec<&str> = Vec::new();
    let mut hosts: Vec<&str> = Vec::new();
    for c in &pod.containers {
        let mut bad = false;
        for handler in c.handlers.iter().flatten() {
            for kind in ["httpGet", "tcpSocket"] {
                let host = handler
                    .get(kind)
                    .and_then(|h| h.get("host"))
                    .and_then(Value::as_str);
                if let Some(host) = host.filter(|h| !h.is_empty()) {
                    bad = true;
                    hosts.push(host);
                }
            }
        }
        if bad {
            names.push(c.name);
        }
    }
    if names.is_empty() {
        return None;
    }
    sort_unique(&mut names);
    sort_unique(&mut hosts);
    Some(Failure {
        reason: "probe or lifecycle host",
        detail: format!(
            "{} {} {} {}",
            containers_phrase(&names),
            pluralize("uses", "use", names.len()),
            pluralize(
                "probe or lifecycle host",
                "probe or lifecycle hosts",
                hosts.len()
            ),
            join_quote(&hosts)
        ),
        errors: Vec::new(),
    })
}

/// `privileged` v1.0.
pub(super) fn privileged(pod: &Pod) -> Option<Failure> {
    let bad: Vec<&Container> = pod
        .containers
        .iter()
        .filter(|c| c.sc.and_then(|sc| sc.privileged) == Some(true))
        .collect();
    if bad.is_empty() {
        return None;
    }
    let names: Vec<&str> = bad.iter().map(|c| c.name).collect();
    Some(Failure {
        reason: "privileged",
        detail: containers_phrase_then(&names, " must not set securityContext.privileged=true"),
        errors: bad
            .iter()
            .map(|c| {
                FieldError::forbidden(c.path("securityContext.privileged"), BadValue::Bool(true))
            })
            .collect(),
    })
}

/// `procMount` v1.0 (also the body of `procMount_restricted`): only the Default proc mount.
pub(super) fn proc_mount_1_0(pod: &Pod) -> Option<Failure> {
    let mut names = Vec::new();
    let mut values: Vec<&str> = Vec::new();
    let mut errors = Vec::new();
    for c in &pod.containers {
        if let Some(mount) =
            c.sc.and_then(|sc| sc.proc_mount)
                .filter(|m| *m != "Default")
        {
            names.push(c.name);
            values.push(mount);
            errors.push(FieldError::forbidden(
                c.path("securityContext.procMount"),
                BadValue::Str(mount.into()),
            ));
        }
    }
    if names.is_empty() {
        return None;
    }
    sort_unique(&mut values);
    Some(Failure {
        reason: "procMount",
        detail: format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&names),
            join_quote(&values)
        ),
        errors,
    })
}

/// `procMount` v1.35: pods in a user namespace (`hostUsers: false`) are allowed.
pub(super) fn proc_mount_1_35(pod: &Pod) -> Option<Failure> {
    if pod.host_users == Some(false) {
        return None;
    }
    proc_mount_1_0(pod)
}

const SELINUX_TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const SELINUX_TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn se_linux_options<'a>(pod: &Pod<'a>, allowed_types: &[&str]) -> Option<Failure> {
    let mut pod_bad = false;
    let mut names = Vec::new();
    let mut types: Vec<&'a str> = Vec::new();
    let (mut set_user, mut set_role) = (false, false);
    let mut errors = Vec::new();
    let mut inspect = |opts: SeLinux<'a>, prefix: &str| -> bool {
        let mut bad = false;
        if !allowed_types.contains(&opts.type_) {
            bad = true;
            types.push(opts.type_);
            errors.push(FieldError::forbidden(
                format!("{prefix}.type"),
                BadValue::Str(opts.type_.into()),
            ));
        }
        if !opts.user.is_empty() {
            bad = true;
            set_user = true;
            errors.push(FieldError::forbidden(
                format!("{prefix}.user"),
                BadValue::Str(opts.user.into()),
            ));
        }
        if !opts.role.is_empty() {
            bad = true;
            set_role = true;
            errors.push(FieldError::forbidden(
                format!("{prefix}.role"),
                BadValue::Str(opts.role.into()),
            ));
        }
        bad
    };
    if let Some(opts) = pod.sc().se_linux {
        pod_bad = inspect(opts, "spec.securityContext.seLinuxOptions");
    }
    for c in &pod.containers {
        if let Some(opts) = c.sc.and_then(|sc| sc.se_linux) {
            if inspect(opts, &c.path("securityContext.seLinuxOptions")) {
                names.push(c.name);
            }
        }
    }
    if !pod_bad && names.is_empty() {
        return None;
    }
    let mut setters = Vec::new();
    if pod_bad {
        setters.push("pod".to_string());
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    let mut bad_data = Vec::new();
    if !types.is_empty() {
        sort_unique(&mut types);
        bad_data.push(format!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if set_user {
        bad_data.push("user may not be set".to_string());
    }
    if set_role {
        bad_data.push("role may not be set".to_string());
    }
    Some(Failure {
        reason: "seLinuxOptions",
        detail: format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            setters.join(" and "),
            bad_data.join("; ")
        ),
        errors,
    })
}

/// `seLinuxOptions` v1.0.
pub(super) fn se_linux_options_1_0(pod: &Pod) -> Option<Failure> {
    se_linux_options(pod, SELINUX_TYPES_1_0)
}

/// `seLinuxOptions` v1.31: also allows `container_engine_t`.
pub(super) fn se_linux_options_1_31(pod: &Pod) -> Option<Failure> {
    se_linux_options(pod, SELINUX_TYPES_1_31)
}

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// `seccompProfile_baseline` v1.0: the alpha seccomp annotations only.
pub(super) fn seccomp_profile_baseline_1_0(pod: &Pod) -> Option<Failure> {
    pod.annotations?;
    let valid =
        |v: &str| v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/");
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut inspect = |key: &str| {
        if let Some(value) = pod.annotation(key) {
            let value = value.as_str().unwrap_or("");
            if !valid(value) {
                entries.push(format!("{key}={}", go_quote(value)));
                errors.push(FieldError::forbidden(
                    format!("metadata.annotations[{key}]"),
                    BadValue::Str(value.into()),
                ));
            }
        }
    };
    inspect(SECCOMP_POD_ANNOTATION);
    for c in &pod.containers {
        inspect(&format!("{SECCOMP_CONTAINER_ANNOTATION_PREFIX}{}", c.name));
    }
    if entries.is_empty() {
        return None;
    }
    sort_unique(&mut entries);
    Some(Failure {
        reason: "seccompProfile",
        detail: format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", entries.len()),
            entries.join(", ")
        ),
        errors,
    })
}

/// `Localhost` or `RuntimeDefault`.
pub(super) fn valid_seccomp_type(t: &str) -> bool {
    t == "Localhost" || t == "RuntimeDefault"
}

/// `seccompProfile_baseline` v1.19: profile fields set must be RuntimeDefault or Localhost.
pub(super) fn seccomp_profile_baseline_1_19(pod: &Pod) -> Option<Failure> {
    let mut setters = Vec::new();
    let mut types: Vec<&str> = Vec::new();
    let mut errors = Vec::new();
    if let Some(t) = pod.sc().seccomp_type.filter(|t| !valid_seccomp_type(t)) {
        setters.push("pod".to_string());
        types.push(t);
        errors.push(FieldError::forbidden(
            "spec.securityContext.seccompProfile.type".into(),
            BadValue::Str(t.into()),
        ));
    }
    let mut names = Vec::new();
    for c in &pod.containers {
        if let Some(t) =
            c.sc.and_then(|sc| sc.seccomp_type)
                .filter(|t| !valid_seccomp_type(t))
        {
            names.push(c.name);
            types.push(t);
            errors.push(FieldError::forbidden(
                c.path("securityContext.seccompProfile.type"),
                BadValue::Str(t.into()),
            ));
        }
    }
    if setters.is_empty() && names.is_empty() {
        return None;
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    sort_unique(&mut types);
    Some(Failure {
        reason: "seccompProfile",
        detail: format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters.join(" and "),
            join_quote(&types)
        ),
        errors,
    })
}

const SYSCTLS_1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SYSCTLS_1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SYSCTLS_1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SYSCTLS_1_37: &[&str] = &[
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

/// `sysctls`: only the safe sysctls of the allow lists up to the version (cumulative).
fn sysctls(pod: &Pod, allowed: &[&[&str]]) -> Option<Failure> {
    let mut names = Vec::new();
    let mut errors = Vec::new();
    for (i, sysctl) in pod.sc().sysctls.iter().enumerate() {
        let name = sysctl.get("name").and_then(Value::as_str).unwrap_or("");
        if !allowed.iter().any(|list| list.contains(&name)) {
            names.push(name);
            errors.push(FieldError::forbidden(
                format!("spec.securityContext.sysctls[{i}].name"),
                BadValue::Str(name.into()),
            ));
        }
    }
    if names.is_empty() {
        return None;
    }
    Some(Failure {
        reason: "forbidden sysctls",
        detail: names.join(", "),
        errors,
    })
}

/// `sysctls` v1.0.
pub(super) fn sysctls_1_0(pod: &Pod) -> Option<Failure> {
    sysctls(pod, &[SYSCTLS_1_0])
}

/// `sysctls` v1.27.
pub(super) fn sysctls_1_27(pod: &Pod) -> Option<Failure> {
    sysctls(pod, &[SYSCTLS_1_0, SYSCTLS_1_27])
}

/// `sysctls` v1.29.
pub(super) fn sysctls_1_29(pod: &Pod) -> Option<Failure> {
    sysctls(pod, &[SYSCTLS_1_0, SYSCTLS_1_27, SYSCTLS_1_29])
}

/// `sysctls` v1.32.
pub(super) fn sysctls_1_32(pod: &Pod) -> Option<Failure> {
    sysctls(
        pod,
        &[SYSCTLS_1_0, SYSCTLS_1_27, SYSCTLS_1_29, SYSCTLS_1_32],
    )
}

/// `sysctls` v1.37.
pub(super) fn sysctls_1_37(pod: &Pod) -> Option<Failure> {
    sysctls(
        pod,
        &[
            SYSCTLS_1_0,
            SYSCTLS_1_27,
            SYSCTLS_1_29,
            SYSCTLS_1_32,
            SYSCTLS_1_37,
        ],
    )
}

/// `windowsHostProcess` v1.0.
pub(super) fn windows_host_process(pod: &Pod) -> Option<Failure> {
    let pod_bad = pod.sc().host_process == Some(true);
    let bad: Vec<&Container> = pod
        .containers
        .iter()
        .filter(|c| c.sc.and_then(|sc| sc.host_process) == Some(true))
        .collect();
    if !pod_bad && bad.is_empty() {
        return None;
    }
    let mut setters = Vec::new();
    let mut errors = Vec::new();
    if pod_bad {
        setters.push("pod".to_string());
        errors.push(FieldError::forbidden(
            "spec.securityContext.windowsOptions.hostProcess".into(),
            BadValue::Bool(true),
        ));
    }
    if !bad.is_empty() {
        let names: Vec<&str> = bad.iter().map(|c| c.name).collect();
        setters.push(containers_phrase(&names));
        errors.extend(bad.iter().map(|c| {
            FieldError::forbidden(
                c.path("securityContext.windowsOptions.hostProcess"),
                BadValue::Bool(true),
            )
        }));
    }
    Some(Failure {
        reason: "hostProcess",
        detail: format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
        ),
        errors,
    })
}
