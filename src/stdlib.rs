//! Policies shipped inside the binary, addressed as `stdlib:<path>` (for example
//! `stdlib:pod-security/restricted.yaml`, or `stdlib:pod-security` for a whole folder).
//! `pod-security/controls/` holds one pattern-language policy per Pod Security Standards control
//! (see its README); `defaults/` mutates Pods to meet the restricted level; `namespaces/` assigns,
//! restricts and reports Pod Security Admission labels of Namespaces.

/// Every bundled file: path under `stdlib/` and contents.
const FILES: &[(&str, &str)] = &[
    (
        "defaults/restricted-security-context.yaml",
        include_str!("../stdlib/defaults/restricted-security-context.yaml"),
    ),
    (
        "namespaces/psa-default-level.yaml",
        include_str!("../stdlib/namespaces/psa-default-level.yaml"),
    ),
    (
        "namespaces/psa-deny-privileged.yaml",
        include_str!("../stdlib/namespaces/psa-deny-privileged.yaml"),
    ),
    (
        "namespaces/psa-report-unlabelled.yaml",
        include_str!("../stdlib/namespaces/psa-report-unlabelled.yaml"),
    ),
    (
        "pod-security/baseline.yaml",
        include_str!("../stdlib/pod-security/baseline.yaml"),
    ),
    (
        "pod-security/restricted.yaml",
        include_str!("../stdlib/pod-security/restricted.yaml"),
    ),
    (
        "pod-security/controls/apparmor.yaml",
        include_str!("../stdlib/pod-security/controls/apparmor.yaml"),
    ),
    (
        "pod-security/controls/capabilities-baseline.yaml",
        include_str!("../stdlib/pod-security/controls/capabilities-baseline.yaml"),
    ),
    (
        "pod-security/controls/capabilities-restricted.yaml",
        include_str!("../stdlib/pod-security/controls/capabilities-restricted.yaml"),
    ),
    (
        "pod-security/controls/host-namespaces.yaml",
        include_str!("../stdlib/pod-security/controls/host-namespaces.yaml"),
    ),
    (
        "pod-security/controls/host-ports.yaml",
        include_str!("../stdlib/pod-security/controls/host-ports.yaml"),
    ),
    (
        "pod-security/controls/host-probes-and-lifecycle.yaml",
        include_str!("../stdlib/pod-security/controls/host-probes-and-lifecycle.yaml"),
    ),
    (
        "pod-security/controls/hostpath-volumes.yaml",
        include_str!("../stdlib/pod-security/controls/hostpath-volumes.yaml"),
    ),
    (
        "pod-security/controls/hostprocess.yaml",
        include_str!("../stdlib/pod-security/controls/hostprocess.yaml"),
    ),
    (
        "pod-security/controls/privilege-escalation.yaml",
        include_str!("../stdlib/pod-security/controls/privilege-escalation.yaml"),
    ),
    (
        "pod-security/controls/privileged-containers.yaml",
        include_str!("../stdlib/pod-security/controls/privileged-containers.yaml"),
    ),
    (
        "pod-security/controls/proc-mount-type-restricted.yaml",
        include_str!("../stdlib/pod-security/controls/proc-mount-type-restricted.yaml"),
    ),
    (
        "pod-security/controls/proc-mount-type.yaml",
        include_str!("../stdlib/pod-security/controls/proc-mount-type.yaml"),
    ),
    (
        "pod-security/controls/running-as-non-root-user.yaml",
        include_str!("../stdlib/pod-security/controls/running-as-non-root-user.yaml"),
    ),
    (
        "pod-security/controls/running-as-non-root.yaml",
        include_str!("../stdlib/pod-security/controls/running-as-non-root.yaml"),
    ),
    (
        "pod-security/controls/seccomp-baseline.yaml",
        include_str!("../stdlib/pod-security/controls/seccomp-baseline.yaml"),
    ),
    (
        "pod-security/controls/seccomp-restricted.yaml",
        include_str!("../stdlib/pod-security/controls/seccomp-restricted.yaml"),
    ),
    (
        "pod-security/controls/selinux.yaml",
        include_str!("../stdlib/pod-security/controls/selinux.yaml"),
    ),
    (
        "pod-security/controls/sysctls.yaml",
        include_str!("../stdlib/pod-security/controls/sysctls.yaml"),
    ),
    (
        "pod-security/controls/volume-types.yaml",
        include_str!("../stdlib/pod-security/controls/volume-types.yaml"),
    ),
];

/// The prefix that names a bundled path on the command line.
pub const PREFIX: &str = "stdlib:";

/// The bundled files at `path`: the file itself, or every file below a folder, in order.
pub fn files(path: &str) -> Vec<(&'static str, &'static str)> {
    let path = path.trim_end_matches('/');
    FILES
        .iter()
        .filter(|(p, _)| {
            *p == path
                || path.is_empty()
                || p.strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .copied()
        .collect()
}

/// Every bundled path.
pub fn paths() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(p, _)| *p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_files_and_folders() {
        assert_eq!(files("pod-security/restricted.yaml").len(), 1);
        assert_eq!(
            files("pod-security").len(),
            FILES
                .iter()
                .filter(|(p, _)| p.starts_with("pod-security/"))
                .count()
        );
        assert_eq!(files("pod-security/controls").len(), 19);
        assert!(files("pod-security/controls/sysctls.yaml").len() == 1);
        assert!(files("pod-sec").is_empty());
        assert!(files("nothing.yaml").is_empty());
    }
}
