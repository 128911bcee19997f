//! Unit tests of the checks and exclusions. Expected strings come from upstream
//! k8s.io/pod-security-admission policy/check_*_test.go (named per test) or, where upstream has
//! no unit test, from the rules of pod-security.md (section named).

use serde_json::{Value, json};

use super::*;

fn result(level: Level, version: &str, meta: Value, spec: Value, id: &str) -> CheckResult {
    let version: Version = version.parse().unwrap_or(Version::LATEST);
    let results = evaluate(level, version, &meta, &spec);
    let found = results.into_iter().find(|r| r.id == id);
    assert!(found.is_some(), "{id} did not run at {level}:{version}");
    found.unwrap_or_else(|| unreachable!())
}

fn denied(r: &CheckResult, reason: &str, detail: &str) {
    assert!(!r.allowed, "{} allowed", r.id);
    assert_eq!(r.reason, reason);
    assert_eq!(r.detail, detail);
}

fn fields(r: &CheckResult) -> Vec<String> {
    r.field_errors.iter().map(ToString::to_string).collect()
}

/// TestCheckAppArmor_Forbidden "multiple containers" (with field errors).
#[test]
fn app_armor_annotations() {
    let meta = json!({"annotations": {
        "container.apparmor.security.beta.kubernetes.io/": "bogus",
        "container.apparmor.security.beta.kubernetes.io/a": "",
        "container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
        "container.apparmor.security.beta.kubernetes.io/c": "localhost/",
        "container.apparmor.security.beta.kubernetes.io/d": "localhost/foo",
        "container.apparmor.security.beta.kubernetes.io/e": "unconfined",
        "container.apparmor.security.beta.kubernetes.io/f": "unknown",
    }});
    let r = result(
        Level::Baseline,
        "latest",
        meta,
        json!({}),
        "appArmorProfile",
    );
    denied(
        &r,
        "forbidden AppArmor profiles",
        r#"annotations must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/="bogus"", "container.apparmor.security.beta.kubernetes.io/e="unconfined"", "container.apparmor.security.beta.kubernetes.io/f="unknown"""#,
    );
    assert_eq!(
        fields(&r),
        [
            "metadata.annotations[container.apparmor.security.beta.kubernetes.io/] is forbidden, forbidden values found: bogus",
            "metadata.annotations[container.apparmor.security.beta.kubernetes.io/e] is forbidden, forbidden values found: unconfined",
            "metadata.annotations[container.apparmor.security.beta.kubernetes.io/f] is forbidden, forbidden values found: unknown",
        ]
    );
    // TestCheckAppArmor_Forbidden "unconfined init container".
    let spec = json!({
        "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "foo"}],
        "initContainers": [{"name": "bar", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}]
    });
    let r = result(
        Level::Baseline,
        "latest",
        json!({}),
        spec,
        "appArmorProfile",
    );
    denied(
        &r,
        "forbidden AppArmor profile",
        r#"container "bar" must not set AppArmor profile type to "Unconfined""#,
    );
    assert_eq!(
        r.field_errors[0].field,
        "spec.initContainers[0].securityContext.appArmorProfile.type"
    );
}

/// §2.7: ports sorted as strings, unique; containers in visit order.
#[test]
fn host_ports() {
    let spec = json!({
        "containers": [{"name": "a", "ports": [{"hostPort": 8080}, {"containerPort": 1}]}, {"name": "b", "ports": [{"hostPort": 10000}, {"hostPort": 8080}]}],
        "initContainers": [{"name": "i", "ports": [{"hostPort": 0}]}]
    });
    let r = result(Level::Baseline, "v1.0", json!({}), spec, "hostPorts");
    denied(
        &r,
        "hostPort",
        r#"containers "a", "b" use hostPorts 10000, 8080"#,
    );
    assert_eq!(
        fields(&r),
        [
            "spec.containers[0].ports[0].hostPort is forbidden, forbidden values found: 8080",
            "spec.containers[1].ports[0].hostPort is forbidden, forbidden values found: 10000",
            "spec.containers[1].ports[1].hostPort is forbidden, forbidden values found: 8080",
        ]
    );
}

/// TestCapabilitiesRestricted_1_22 (shape of its "multiple containers" case).
#[test]
fn capabilities_restricted() {
    let spec = json!({"containers": [
        {"name": "a"},
        {"name": "b", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}},
        {"name": "c", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["FOO", "NET_BIND_SERVICE", "BAR"]}}},
        {"name": "d", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["FOO"]}}},
    ]});
    let r = result(
        Level::Restricted,
        "v1.22",
        json!({}),
        spec,
        "capabilities_restricted",
    );
    denied(
        &r,
        "unrestricted capabilities",
        r#"containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "c", "d" must not include "BAR", "FOO" in securityContext.capabilities.add"#,
    );
    assert_eq!(
        fields(&r),
        [
            "spec.containers[0].securityContext.capabilities.drop: Required value",
            "spec.containers[1].securityContext.capabilities.drop is forbidden, forbidden values found: [NET_RAW]",
            "spec.containers[2].securityContext.capabilities.add is forbidden, forbidden values found: [BAR FOO]",
            "spec.containers[3].securityContext.capabilities.add is forbidden, forbidden values found: [FOO]",
        ]
    );
}

/// TestRunAsNonRoot: explicit `false` setters win the detail; the fork's field errors keep both.
#[test]
fn run_as_non_root() {
    let spec = json!({"containers": [
        {"name": "a"},
        {"name": "b", "securityContext": {"runAsNonRoot": false}},
        {"name": "c", "securityContext": {"runAsNonRoot": true}},
    ]});
    let r = result(Level::Restricted, "latest", json!({}), spec, "runAsNonRoot");
    denied(
        &r,
        "runAsNonRoot != true",
        r#"container "b" must not set securityContext.runAsNonRoot=false"#,
    );
    assert_eq!(
        fields(&r),
        [
            "spec.containers[1].securityContext.runAsNonRoot is forbidden, forbidden values found: false",
            "spec.containers[0].securityContext.runAsNonRoot: Required value",
        ]
    );
    let spec = json!({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}]});
    assert!(result(Level::Restricted, "latest", json!({}), spec, "runAsNonRoot").allowed);
    // v1.35: user-namespaced pods are exempt.
    let spec = json!({"hostUsers": false, "containers": [{"name": "a"}]});
    assert!(
        result(
            Level::Restricted,
            "v1.35",
            json!({}),
            spec.clone(),
            "runAsNonRoot"
        )
        .allowed
    );
    assert!(!result(Level::Restricted, "v1.34", json!({}), spec, "runAsNonRoot").allowed);
}

/// TestSELinuxOptions "invalid values" shape.
#[test]
fn se_linux_options() {
    let spec = json!({
        "securityContext": {"seLinuxOptions": {"type": "foo"}},
        "containers": [
            {"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_t"}}},
            {"name": "b", "securityContext": {"seLinuxOptions": {"type": "bar", "user": "u"}}},
            {"name": "c", "securityContext": {"seLinuxOptions": {"role": "r"}}},
        ]
    });
    let r = result(Level::Baseline, "latest", json!({}), spec, "seLinuxOptions");
    denied(
        &r,
        "seLinuxOptions",
        r#"pod and containers "b", "c" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set"#,
    );
    let engine = json!({"containers": [{"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}]});
    assert!(
        !result(
            Level::Baseline,
            "v1.30",
            json!({}),
            engine.clone(),
            "seLinuxOptions"
        )
        .allowed
    );
    assert!(
        result(
            Level::Baseline,
            "v1.31",
            json!({}),
            engine,
            "seLinuxOptions"
        )
        .allowed
    );
}

/// TestRestrictedVolumes: first non-nil type, `unknown` without a known source.
#[test]
fn restricted_volumes() {
    let spec = json!({"volumes": [
        {"name": "a", "emptyDir": {}},
        {"name": "b", "hostPath": {"path": "/"}},
        {"name": "c", "nfs": {}, "gcePersistentDisk": {}},
        {"name": "d"},
        {"name": "e", "image": {"reference": "x"}},
    ]});
    let r = result(
        Level::Restricted,
        "latest",
        json!({}),
        spec,
        "restrictedVolumes",
    );
    denied(
        &r,
        "restricted volume types",
        r#"volumes "b", "c", "d" use restricted volume types "gcePersistentDisk", "hostPath", "unknown""#,
    );
    assert_eq!(
        fields(&r),
        [
            "spec.volumes[1].hostPath: Forbidden",
            "spec.volumes[2].gcePersistentDisk: Forbidden",
            "spec.volumes[3].unknown: Forbidden"
        ]
    );
}

/// TestSysctls: names in spec order, not de-duplicated; the allow list grows by version.
#[test]
fn sysctls() {
    let spec = json!({"securityContext": {"sysctls": [
        {"name": "a"}, {"name": "net.ipv4.tcp_notsent_lowat"}, {"name": "a"}, {"name": "net.ipv4.tcp_rmem"}
    ]}});
    let r = result(Level::Baseline, "v1.36", json!({}), spec.clone(), "sysctls");
    denied(&r, "forbidden sysctls", "a, net.ipv4.tcp_notsent_lowat, a");
    denied(
        &result(Level::Baseline, "v1.37", json!({}), spec.clone(), "sysctls"),
        "forbidden sysctls",
        "a, a",
    );
    denied(
        &result(Level::Baseline, "v1.31", json!({}), spec, "sysctls"),
        "forbidden sysctls",
        "a, net.ipv4.tcp_notsent_lowat, a, net.ipv4.tcp_rmem",
    );
}

/// TestSeccompProfileBaseline_1_0 and _1_19.
#[test]
fn seccomp_baseline() {
    let meta = json!({"annotations": {
        "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
        "container.seccomp.security.alpha.kubernetes.io/a": "",
        "container.seccomp.security.alpha.kubernetes.io/b": "localhost/x",
    }});
    let spec = json!({"containers": [{"name": "a"}, {"name": "b"}]});
    let r = result(
        Level::Baseline,
        "v1.18",
        meta.clone(),
        spec.clone(),
        "seccompProfile_baseline",
    );
    denied(
        &r,
        "seccompProfile",
        r#"forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="", seccomp.security.alpha.kubernetes.io/pod="unconfined""#,
    );
    assert!(
        result(
            Level::Baseline,
            "v1.19",
            meta,
            spec,
            "seccompProfile_baseline"
        )
        .allowed
    );
    let spec = json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "a", "securityContext": {"seccompProfile": {}}}]});
    denied(
        &result(
            Level::Baseline,
            "v1.19",
            json!({}),
            spec,
            "seccompProfile_baseline",
        ),
        "seccompProfile",
        r#"pod and container "a" must not set securityContext.seccompProfile.type to "", "Unconfined""#,
    );
}

/// TestHostProbesAndHostLifecycle: names and hosts are sets.
#[test]
fn host_probes() {
    let spec = json!({"containers": [
        {"name": "b", "livenessProbe": {"httpGet": {"host": "x"}}, "lifecycle": {"preStop": {"tcpSocket": {"host": "a"}}}},
        {"name": "a", "readinessProbe": {"tcpSocket": {"host": "x"}}},
    ]});
    let r = result(
        Level::Baseline,
        "v1.34",
        json!({}),
        spec.clone(),
        "hostProbesAndHostLifecycle",
    );
    denied(
        &r,
        "probe or lifecycle host",
        r#"containers "a", "b" use probe or lifecycle hosts "a", "x""#,
    );
    assert!(r.field_errors.is_empty());
    let old = evaluate(Level::Baseline, Version::v1(33), &json!({}), &spec);
    assert!(old.iter().all(|r| r.id != "hostProbesAndHostLifecycle"));
}

/// §2.10, §2.11: v1.35 relaxes baseline procMount for user-namespaced pods, not restricted.
#[test]
fn proc_mount_versions() {
    let spec = json!({"hostUsers": false, "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]});
    assert!(is_allowed(&evaluate(
        Level::Baseline,
        Version::v1(35),
        &json!({}),
        &spec
    )));
    let r = result(
        Level::Restricted,
        "v1.35",
        json!({}),
        spec.clone(),
        "procMount_restricted",
    );
    denied(
        &r,
        "procMount",
        r#"container "a" must not set securityContext.procMount to "Unmasked""#,
    );
    assert!(!is_allowed(&evaluate(
        Level::Baseline,
        Version::v1(34),
        &json!({}),
        &spec
    )));
}

/// §3 and §4: registry behaviour and the aggregate message (pod-security.md §4 example).
#[test]
fn registry_and_aggregate() {
    let spec = json!({"containers": [{"name": "c", "image": "nginx"}]});
    let results = evaluate(Level::Restricted, Version::LATEST, &json!({}), &spec);
    assert_eq!(
        forbidden_detail(&results),
        r#"allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
    );
    assert_eq!(
        forbidden_reason(&results),
        "allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile"
    );
    // Versions above the newest clamp to it; `privileged` runs nothing.
    assert_eq!(
        evaluate(Level::Restricted, Version::v1(10000), &json!({}), &spec),
        results
    );
    assert!(evaluate(Level::Privileged, Version::LATEST, &json!({}), &spec).is_empty());
    // Below its minimum version a check does not run (Kyverno runs it anyway, §6.7.3).
    let v21 = evaluate(Level::Restricted, Version::v1(21), &json!({}), &spec);
    assert!(
        v21.iter()
            .all(|r| r.id != "capabilities_restricted" && r.id != "runAsUser")
    );
    // Overridden baseline checks do not run in restricted (Kyverno duplicates them, §6.7.2).
    let caps = json!({"containers": [{"name": "c", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]});
    let r = evaluate(Level::Restricted, Version::LATEST, &json!({}), &caps);
    assert!(r.iter().all(|r| r.id != "capabilities_baseline"));
    // Windows pods are exempt from the Linux-only restricted checks from v1.25.
    let win = json!({"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": true}, "containers": [{"name": "c"}]});
    assert!(is_allowed(&evaluate(
        Level::Restricted,
        Version::LATEST,
        &json!({}),
        &win
    )));
    assert!(!is_allowed(&evaluate(
        Level::Restricted,
        Version::v1(24),
        &json!({}),
        &win
    )));
}

/// Garbage input never panics and wrongly typed fields count as absent.
#[test]
fn odd_input() {
    for spec in [
        json!(null),
        json!([1]),
        json!({"containers": "x"}),
        json!({"containers": [1, null, {"securityContext": 3}]}),
    ] {
        let _ = evaluate(Level::Restricted, Version::LATEST, &json!("meta"), &spec);
    }
    let spec = json!({"hostNetwork": "true", "containers": [{"name": "a", "securityContext": {"privileged": "true"}}]});
    assert!(is_allowed(&evaluate(
        Level::Baseline,
        Version::LATEST,
        &json!({}),
        &spec
    )));
}

fn excl(control: &str, images: &[&str], field: &str, values: &[&str]) -> Exclusion {
    Exclusion {
        control_name: control.into(),
        images: images.iter().map(|s| s.to_string()).collect(),
        restricted_field: field.into(),
        values: values.iter().map(|s| s.to_string()).collect(),
    }
}

fn after(level: Level, spec: &Value, meta: &Value, exclusions: &[Exclusion]) -> Vec<CheckResult> {
    let mut results = evaluate(level, Version::LATEST, meta, spec);
    apply_exclusions(level, Version::LATEST, meta, spec, exclusions, &mut results);
    results
}

/// §6.5: Seccomp on containers needs both the pod-level and the container-level form.
#[test]
fn exclusion_seccomp_needs_both_forms() {
    let spec = json!({
        "securityContext": {"runAsNonRoot": true},
        "containers": [
            {"name": "a", "image": "cadvisor:1", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}},
            {"name": "b", "image": "cadvisor:2", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}},
        ]
    });
    let pod_form = [excl("Seccomp", &[], "", &[])];
    let r = after(Level::Restricted, &spec, &json!({}), &pod_form);
    let seccomp = r.iter().find(|r| r.id == "seccompProfile_restricted");
    assert!(
        seccomp.is_some_and(|s| !s.allowed && s.field_errors.len() == 1),
        "{seccomp:?}"
    );
    let both = [
        excl("Seccomp", &[], "", &[]),
        excl("Seccomp", &["cadvisor*"], "", &[]),
    ];
    assert!(is_allowed(&after(
        Level::Restricted,
        &spec,
        &json!({}),
        &both
    )));
    // Only matching images are exempt.
    let other = [excl("Seccomp", &["nginx*"], "", &[])];
    assert!(!is_allowed(&after(
        Level::Restricted,
        &spec,
        &json!({}),
        &other
    )));
}

/// §6.5: restrictedField and values select the errors; every bad value must match.
#[test]
fn exclusion_values() {
    let spec = json!({"containers": [{"name": "a", "image": "nginx", "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}}}]});
    let field = "spec.containers[*].securityContext.capabilities.add";
    let partial = [excl("Capabilities", &["nginx"], field, &["NET_ADMIN"])];
    assert!(!is_allowed(&after(
        Level::Baseline,
        &spec,
        &json!({}),
        &partial
    )));
    let full = [excl("Capabilities", &["nginx"], field, &["NET_*"])];
    assert!(is_allowed(&after(
        Level::Baseline,
        &spec,
        &json!({}),
        &full
    )));
    let wrong_field = [excl(
        "Capabilities",
        &["nginx"],
        "spec.initContainers[*].securityContext.capabilities.add",
        &["*"],
    )];
    assert!(!is_allowed(&after(
        Level::Baseline,
        &spec,
        &json!({}),
        &wrong_field
    )));
}

/// §6.5: AppArmor annotations can only be exempted by the pod-level form; results keep order.
#[test]
fn exclusion_annotations_and_order() {
    let meta =
        json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/a": "unconfined"}});
    let spec = json!({"hostIPC": true, "containers": [{"name": "a", "image": "nginx"}]});
    let r = after(
        Level::Baseline,
        &spec,
        &meta,
        &[excl("AppArmor", &["nginx"], "", &[])],
    );
    assert_eq!(
        forbidden_reason(&r),
        "forbidden AppArmor profile, host namespaces"
    );
    let r = after(
        Level::Baseline,
        &spec,
        &meta,
        &[excl("AppArmor", &[], "", &[])],
    );
    assert_eq!(forbidden_reason(&r), "host namespaces");
    assert_eq!(
        r.iter().map(|r| r.id).collect::<Vec<_>>(),
        evaluate(Level::Baseline, Version::LATEST, &meta, &spec)
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
    );
}

mod no_panics {
    use super::*;
    use proptest::prelude::*;

    /// Keys the checks look at, so that random documents reach deep into them.
    const KEYS: &[&str] = &[
        "containers",
        "initContainers",
        "ephemeralContainers",
        "securityContext",
        "name",
        "image",
        "capabilities",
        "add",
        "drop",
        "privileged",
        "runAsUser",
        "runAsNonRoot",
        "procMount",
        "seLinuxOptions",
        "type",
        "user",
        "role",
        "seccompProfile",
        "appArmorProfile",
        "windowsOptions",
        "hostProcess",
        "sysctls",
        "volumes",
        "hostPath",
        "path",
        "ports",
        "hostPort",
        "livenessProbe",
        "lifecycle",
        "postStart",
        "httpGet",
        "host",
        "hostNetwork",
        "hostUsers",
        "os",
        "annotations",
        "allowPrivilegeEscalation",
    ];

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-3i64..70000).prop_map(Value::from),
            prop::sample::select(vec!["", "ALL", "Unmasked", "RuntimeDefault", "x", "0"])
                .prop_map(Value::from),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                    Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_document(meta in json(), spec in json(), level in prop::sample::select(vec![Level::Baseline, Level::Restricted]), minor in 0u64..40) {
            let version = Version::v1(minor);
            let mut results = evaluate(level, version, &meta, &spec);
            let exclusions = [
                excl("Capabilities", &["*"], "", &[]),
                excl("Seccomp", &[], "", &[]),
                excl("Host Ports", &["?"], "spec.containers[*].ports[*].hostPort", &["1*"]),
            ];
            apply_exclusions(level, version, &meta, &spec, &exclusions, &mut results);
            prop_assert!(results.iter().all(|r| r.allowed == r.reason.is_empty()));
        }
    }
}
