//! The per-control policies of the standard library (`stdlib:pod-security/controls`), written in
//! the pattern language, against the Pod Security Standards as `rampart::podsecurity` evaluates
//! them (upstream k8s.io/pod-security-admission, `latest` = v1.37).
//!
//! Every fixture of `tests/data/psa/<level>/v1.37/{pass,fail}` goes through the engine
//! with the control policies of its level (baseline: the baseline controls; restricted: every
//! control, since restricted includes baseline). Each policy implements one upstream check, and
//! it must fail exactly when that check fails. At restricted, the baseline checks that the
//! restricted profile overrides (capabilities, hostPath, seccomp, procMount) are taken from the
//! baseline evaluation, because their policies still run there. Every fixture is also wrapped in
//! a Deployment and a CronJob, where the autogen rules must give the policies the same verdicts.

mod common;

use common::{data_dir, default_volumes};

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rampart::podsecurity::{Level, Version, control_check_ids, evaluate};
use rampart::{AdmissionRequest, Engine, Loader, Operation, Origin, Request, RuleStatus};
use serde_json::{Value, json};

/// One stdlib control policy: its file, the Kyverno control name (none for the host probes
/// check), the upstream check it implements, and the lowest level that runs it.
struct Control {
    file: &'static str,
    control: Option<&'static str>,
    check: &'static str,
    level: Level,
}

const fn control(
    file: &'static str,
    control: Option<&'static str>,
    check: &'static str,
    level: Level,
) -> Control {
    Control {
        file,
        control,
        check,
        level,
    }
}

const CONTROLS: &[Control] = &[
    control(
        "hostprocess.yaml",
        Some("HostProcess"),
        "windowsHostProcess",
        Level::Baseline,
    ),
    control(
        "host-namespaces.yaml",
        Some("Host Namespaces"),
        "hostNamespaces",
        Level::Baseline,
    ),
    control(
        "privileged-containers.yaml",
        Some("Privileged Containers"),
        "privileged",
        Level::Baseline,
    ),
    control(
        "capabilities-baseline.yaml",
        Some("Capabilities"),
        "capabilities_baseline",
        Level::Baseline,
    ),
    control(
        "hostpath-volumes.yaml",
        Some("HostPath Volumes"),
        "hostPathVolumes",
        Level::Baseline,
    ),
    control(
        "host-ports.yaml",
        Some("Host Ports"),
        "hostPorts",
        Level::Baseline,
    ),
    control(
        "apparmor.yaml",
        Some("AppArmor"),
        "appArmorProfile",
        Level::Baseline,
    ),
    control(
        "selinux.yaml",
        Some("SELinux"),
        "seLinuxOptions",
        Level::Baseline,
    ),
    control(
        "proc-mount-type.yaml",
        Some("/proc Mount Type"),
        "procMount",
        Level::Baseline,
    ),
    control(
        "seccomp-baseline.yaml",
        Some("Seccomp"),
        "seccompProfile_baseline",
        Level::Baseline,
    ),
    control("sysctls.yaml", Some("Sysctls"), "sysctls", Level::Baseline),
    control(
        "host-probes-and-lifecycle.yaml",
        None,
        "hostProbesAndHostLifecycle",
        Level::Baseline,
    ),
    control(
        "volume-types.yaml",
        Some("Volume Types"),
        "restrictedVolumes",
        Level::Restricted,
    ),
    control(
        "privilege-escalation.yaml",
        Some("Privilege Escalation"),
        "allowPrivilegeEscalation",
        Level::Restricted,
    ),
    control(
        "running-as-non-root.yaml",
        Some("Running as Non-root"),
        "runAsNonRoot",
        Level::Restricted,
    ),
    control(
        "running-as-non-root-user.yaml",
        Some("Running as Non-root user"),
        "runAsUser",
        Level::Restricted,
    ),
    control(
        "seccomp-restricted.yaml",
        Some("Seccomp"),
        "seccompProfile_restricted",
        Level::Restricted,
    ),
    control(
        "capabilities-restricted.yaml",
        Some("Capabilities"),
        "capabilities_restricted",
        Level::Restricted,
    ),
    control(
        "proc-mount-type-restricted.yaml",
        Some("/proc Mount Type"),
        "procMount_restricted",
        Level::Restricted,
    ),
];

const FOLDER: &str = "pod-security/controls";

fn policy_name(file: &str) -> String {
    format!("pss-{}", file.trim_end_matches(".yaml"))
}

/// Loads the bundled control policies of `level` (restricted: all of them).
fn load(level: Level) -> Loader {
    let mut loader = Loader::new();
    for (path, text) in rampart::stdlib::files(FOLDER) {
        let file_name = path.rsplit('/').next().unwrap_or(path);
        let runs = CONTROLS
            .iter()
            .any(|c| c.file == file_name && (level == Level::Restricted || c.level == level));
        if runs {
            loader.add_text(path, text);
        }
    }
    loader
}

/// Evaluates a resource as the CLI does, under `operation`.
fn evaluate_as(engine: &Engine, resource: &Value, operation: Operation) -> rampart::Evaluation {
    let admission = AdmissionRequest::for_resource(resource.clone(), operation);
    engine.evaluate(&Request::new(&admission).with_origin(Origin::Offline))
}

/// The checks of the policies that fail on `resource`: each failing policy's check ID.
/// A rule error is a disagreement on its own, so it is returned as `Err`.
fn policy_failures(engine: &Engine, resource: &Value) -> Result<BTreeSet<&'static str>, String> {
    let mut failing = BTreeSet::new();
    for response in evaluate_as(engine, resource, Operation::Create).policies {
        let name = response.policy.name.as_str();
        let check = CONTROLS
            .iter()
            .find(|c| policy_name(c.file) == name)
            .map(|c| c.check)
            .ok_or_else(|| format!("unknown policy {name}"))?;
        for rule in &response.rules {
            match rule.status {
                RuleStatus::Fail => {
                    failing.insert(check);
                }
                RuleStatus::Error | RuleStatus::Warn => {
                    return Err(format!(
                        "{name}/{}: {} {}",
                        rule.name,
                        rule.status.as_str(),
                        rule.message
                    ));
                }
                RuleStatus::Pass | RuleStatus::Skip => {}
            }
        }
    }
    Ok(failing)
}

/// The upstream checks that fail on a pod at `level`:latest; at restricted, together with the
/// baseline checks (overridden ones included, since their policies run too).
fn upstream_failures(level: Level, pod: &Value) -> BTreeSet<&'static str> {
    let null = Value::Null;
    let metadata = pod.get("metadata").unwrap_or(&null);
    let spec = pod.get("spec").unwrap_or(&null);
    let mut levels = vec![Level::Baseline];
    if level == Level::Restricted {
        levels.push(Level::Restricted);
    }
    levels
        .into_iter()
        .flat_map(|l| evaluate(l, Version::LATEST, metadata, spec))
        .filter(|r| !r.allowed)
        .map(|r| r.id)
        .collect()
}

fn deployment_of(pod: &Value) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "wrapped"},
        "spec": {
            "selector": {"matchLabels": {"app": "x"}},
            "template": {
                "metadata": pod.get("metadata").cloned().unwrap_or(json!({})),
                "spec": pod.get("spec").cloned().unwrap_or(json!({})),
            }
        }
    })
}

fn cronjob_of(pod: &Value) -> Value {
    json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "wrapped"},
        "spec": {
            "schedule": "* * * * *",
            "jobTemplate": {"spec": {"template": {
                "metadata": pod.get("metadata").cloned().unwrap_or(json!({})),
                "spec": pod.get("spec").cloned().unwrap_or(json!({})),
            }}}
        }
    })
}

/// Per-check agreement counts and the disagreements, for one level.
#[derive(Default)]
struct Tally {
    agree: BTreeMap<&'static str, (usize, usize)>,
    disagreements: Vec<String>,
}

impl Tally {
    /// Compares the policies with upstream on `pod` (named `what`), per check of `level`.
    fn compare(&mut self, engine: &Engine, level: Level, what: &str, pod: &Value) {
        let want = upstream_failures(level, pod);
        for (shape, resource) in [
            ("Pod", pod.clone()),
            ("Deployment", deployment_of(pod)),
            ("CronJob", cronjob_of(pod)),
        ] {
            let got = match policy_failures(engine, &resource) {
                Ok(got) => got,
                Err(e) => {
                    self.disagreements.push(format!("{what} ({shape}): {e}"));
                    continue;
                }
            };
            for c in CONTROLS
                .iter()
                .filter(|c| level == Level::Restricted || c.level == level)
            {
                let (ours, theirs) = (got.contains(c.check), want.contains(c.check));
                let entry = self.agree.entry(c.check).or_default();
                if ours == theirs {
                    entry.0 += 1;
                } else {
                    entry.1 += 1;
                    self.disagreements.push(format!(
                        "{what} ({shape}): {}: policy {}, upstream {}",
                        c.check,
                        if ours { "fails" } else { "passes" },
                        if theirs { "fails" } else { "passes" },
                    ));
                }
            }
        }
    }

    fn report(&self, title: &str) {
        println!("{title}");
        for (check, (agree, disagree)) in &self.agree {
            println!("  {check:<28} {agree:>4} agree {disagree:>3} disagree");
        }
        for d in &self.disagreements {
            println!("  DISAGREE {d}");
        }
    }
}

fn fixtures(level: &str) -> Vec<(String, Value)> {
    let root = data_dir().join("psa").join(level).join("v1.37");
    let mut out = Vec::new();
    for outcome in ["pass", "fail"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join(outcome))
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let pod = rampart::yaml::parse_values(&text)
                .ok()
                .and_then(|docs| docs.into_iter().next());
            let name = format!(
                "{level}/{outcome}/{}",
                path.file_name().and_then(|n| n.to_str()).unwrap_or("?")
            );
            match pod {
                Some(mut pod) => {
                    default_volumes(&mut pod);
                    out.push((name, pod));
                }
                None => out.push((name, Value::Null)),
            }
        }
    }
    out
}

fn run_fixtures(level: Level, level_name: &str, expected_files: usize) {
    let loader = load(level);
    assert!(
        loader.invalid().is_empty(),
        "invalid policies: {:?}",
        loader.invalid()
    );
    let engine = loader.engine();
    let fixtures = fixtures(level_name);
    assert_eq!(fixtures.len(), expected_files, "fixture count");
    let mut tally = Tally::default();
    let mut verdicts_agree = 0;
    for (name, pod) in &fixtures {
        assert!(pod.is_object(), "{name}: unreadable fixture");
        tally.compare(&engine, level, name, pod);
        // The whole set of control policies admits the pod iff `podSecurity` at the level does.
        let null = Value::Null;
        let allowed = rampart::podsecurity::is_allowed(&evaluate(
            level,
            Version::LATEST,
            pod.get("metadata").unwrap_or(&null),
            pod.get("spec").unwrap_or(&null),
        ));
        let denied_by_policies = policy_failures(&engine, pod).map_or(true, |f| !f.is_empty());
        if allowed != denied_by_policies {
            verdicts_agree += 1;
        } else {
            tally.disagreements.push(format!(
                "{name}: level verdict differs (upstream allowed: {allowed})"
            ));
        }
    }
    println!(
        "{level_name} v1.37: pod verdict of all policies vs podSecurity {level_name}:latest: {verdicts_agree} of {} agree",
        fixtures.len()
    );
    tally.report(&format!(
        "{level_name} v1.37: {} fixtures, each as a Pod, a Deployment and a CronJob",
        fixtures.len()
    ));
    assert!(tally.disagreements.is_empty());
}

#[test]
fn baseline_controls_agree_with_upstream_on_v1_37_fixtures() {
    // 15 pass + 34 fail files (pod-security.md §7.2).
    run_fixtures(Level::Baseline, "baseline", 49);
}

#[test]
fn all_controls_agree_with_upstream_on_restricted_v1_37_fixtures() {
    // 23 pass + 76 fail files (pod-security.md §7.2).
    run_fixtures(Level::Restricted, "restricted", 99);
}

/// A compliant restricted pod with `spec` fields merged in (`base` pod of the restricted
/// fixtures, upstream test/fixtures.go `minimalValidPod` for restricted v1.25+).
fn pod(spec_changes: Value, metadata: Value) -> Value {
    let container = |name: &str| {
        json!({
            "name": name,
            "image": "registry.k8s.io/pause",
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]}
            }
        })
    };
    let mut spec = json!({
        "os": {"name": "linux"},
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "initContainers": [container("init")],
        "containers": [container("app")],
    });
    merge(&mut spec, spec_changes);
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec})
}

/// JSON merge patch (RFC 7386): objects merge, `null` deletes, anything else replaces.
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(&k);
                } else {
                    merge(t.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p,
    }
}

/// Fields and values the upstream fixtures leave out, checked the same way.
#[test]
fn all_controls_agree_with_upstream_beyond_the_fixtures() {
    let sc =
        |v: Value| json!({"containers": [{"name": "app", "image": "x", "securityContext": v}]});
    let cases: Vec<(&str, Value, Value)> = vec![
        ("compliant", json!({}), json!({})),
        (
            "pod apparmor Unconfined",
            json!({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}),
            json!({}),
        ),
        (
            "pod apparmor RuntimeDefault",
            json!({"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}),
            json!({}),
        ),
        (
            "container apparmor Localhost",
            sc(
                json!({"appArmorProfile": {"type": "Localhost", "localhostProfile": "p"}, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}),
            ),
            json!({}),
        ),
        (
            "container apparmor without type",
            sc(
                json!({"appArmorProfile": {}, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}),
            ),
            json!({}),
        ),
        (
            "empty apparmor annotation",
            json!({}),
            json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/app": ""}}),
        ),
        (
            "two apparmor annotations, second bad",
            json!({}),
            json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/a": "runtime/default", "container.apparmor.security.beta.kubernetes.io/b": "unconfined"}}),
        ),
        (
            "apparmor annotation for no container",
            json!({}),
            json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/": "localhost"}}),
        ),
        (
            "selinux empty type, level only",
            json!({"securityContext": {"seLinuxOptions": {"type": "", "level": "s0"}}}),
            json!({}),
        ),
        (
            "selinux container_engine_t",
            json!({"securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}),
            json!({}),
        ),
        (
            "selinux empty user and role",
            json!({"securityContext": {"seLinuxOptions": {"user": "", "role": ""}}}),
            json!({}),
        ),
        (
            "selinux role",
            json!({"securityContext": {"seLinuxOptions": {"role": "r"}}}),
            json!({}),
        ),
        (
            "procMount Default",
            sc(
                json!({"procMount": "Default", "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}),
            ),
            json!({}),
        ),
        (
            "drop ALL among others, add NET_BIND_SERVICE",
            sc(
                json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["NET_RAW", "ALL"], "add": ["NET_BIND_SERVICE"]}}),
            ),
            json!({}),
        ),
        (
            "drop lower-case all",
            sc(json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["all"]}})),
            json!({}),
        ),
        (
            "drop wildcard",
            sc(json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["*"]}})),
            json!({}),
        ),
        (
            "add CHOWN",
            sc(
                json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}),
            ),
            json!({}),
        ),
        (
            "add wildcard",
            sc(
                json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"], "add": ["*"]}}),
            ),
            json!({}),
        ),
        (
            "securityContext without capabilities",
            sc(json!({"allowPrivilegeEscalation": false})),
            json!({}),
        ),
        (
            "windows pod without restricted fields",
            json!({"os": {"name": "windows"}, "initContainers": null, "containers": [{"name": "app", "image": "x"}], "securityContext": {"runAsNonRoot": true}}),
            json!({}),
        ),
        (
            "windows pod adding SYS_ADMIN",
            json!({"os": {"name": "windows"}, "containers": [{"name": "app", "image": "x", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]}),
            json!({}),
        ),
        (
            "hostUsers false with runAsUser 0",
            json!({"hostUsers": false, "securityContext": {"runAsUser": 0, "runAsNonRoot": false}}),
            json!({}),
        ),
        (
            "pod runAsNonRoot false, containers true",
            json!({"securityContext": {"runAsNonRoot": false}, "initContainers": null, "containers": [{"name": "app", "image": "x", "securityContext": {"runAsNonRoot": true, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}),
            json!({}),
        ),
        (
            "container runAsUser 1000",
            sc(
                json!({"runAsUser": 1000, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}),
            ),
            json!({}),
        ),
        (
            "no pod seccomp, container seccomp",
            json!({"securityContext": {"seccompProfile": null}, "initContainers": null, "containers": [{"name": "app", "image": "x", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p"}, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}),
            json!({}),
        ),
        (
            "container seccomp Unconfined",
            sc(
                json!({"seccompProfile": {"type": "Unconfined"}, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}),
            ),
            json!({}),
        ),
        (
            "ephemeral container privileged",
            json!({"ephemeralContainers": [{"name": "debug", "image": "x", "securityContext": {"privileged": true}}]}),
            json!({}),
        ),
        (
            "hostPort 0",
            json!({"containers": [{"name": "app", "image": "x", "ports": [{"containerPort": 80, "hostPort": 0}], "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}),
            json!({}),
        ),
        (
            "grpc probe and empty host",
            json!({"containers": [{"name": "app", "image": "x", "livenessProbe": {"grpc": {"port": 1}}, "readinessProbe": {"httpGet": {"port": 80, "host": ""}}, "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}),
            json!({}),
        ),
        (
            "preStop tcpSocket host",
            json!({"containers": [{"name": "app", "image": "x", "lifecycle": {"preStop": {"tcpSocket": {"port": 80, "host": "10.0.0.1"}}}, "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}),
            json!({}),
        ),
        (
            "volume with two sources",
            json!({"volumes": [{"name": "v", "emptyDir": {}, "hostPath": {"path": "/"}}]}),
            json!({}),
        ),
        (
            "volume with an unknown source",
            json!({"volumes": [{"name": "v", "something": {}}]}),
            json!({}),
        ),
        (
            "image volume",
            json!({"volumes": [{"name": "v", "image": {"reference": "x"}}]}),
            json!({}),
        ),
        (
            "sysctl newest allowed",
            json!({"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_notsent_lowat", "value": "1"}]}}),
            json!({}),
        ),
        (
            "sysctl not allowed",
            json!({"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}, {"name": "kernel.msgmax", "value": "1"}]}}),
            json!({}),
        ),
        (
            "pod hostProcess false",
            json!({"securityContext": {"windowsOptions": {"hostProcess": false}}}),
            json!({}),
        ),
    ];
    let engine = load(Level::Restricted).engine();
    let mut tally = Tally::default();
    for (what, spec, metadata) in cases {
        tally.compare(&engine, Level::Restricted, what, &pod(spec, metadata));
    }
    tally.report("hand-written pods (restricted: every control)");
    assert!(tally.disagreements.is_empty());
}

/// Deleting a Pod is never blocked, however it violates the controls (pattern rules do not run
/// on DELETE; the `foreach` rules also exclude DELETE in their preconditions).
#[test]
fn deleting_a_violating_pod_is_not_blocked() {
    let bad = pod(
        json!({
            "os": null,
            "hostNetwork": true,
            "securityContext": null,
            "volumes": [{"name": "v", "hostPath": {"path": "/"}}],
            "containers": [{"name": "app", "image": "x", "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}}}],
        }),
        json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}}),
    );
    let engine = load(Level::Restricted).engine();
    let create = policy_failures(&engine, &bad).unwrap_or_default();
    assert!(create.contains("restrictedVolumes") && create.contains("capabilities_restricted"));
    assert!(create.contains("appArmorProfile") && create.contains("privileged"));
    for response in evaluate_as(&engine, &bad, Operation::Delete).policies {
        for rule in &response.rules {
            assert!(
                matches!(rule.status, RuleStatus::Pass | RuleStatus::Skip),
                "{}: {} {}",
                rule.name,
                rule.status.as_str(),
                rule.message
            );
        }
    }
}

/// Each bundled file is one valid policy named `pss-<file>`, loads without a diagnostic, is
/// listed here, and names a control whose check IDs include the check it implements.
#[test]
fn every_control_policy_loads_cleanly_and_is_registered() {
    let bundled = rampart::stdlib::files(FOLDER);
    assert_eq!(bundled.len(), CONTROLS.len());
    let on_disk: BTreeSet<String> = std::fs::read_dir(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("stdlib")
            .join(FOLDER),
    )
    .map(|rd| {
        rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".yaml"))
            .collect()
    })
    .unwrap_or_default();
    let registered: BTreeSet<String> = bundled
        .iter()
        .filter_map(|(p, _)| p.strip_prefix("pod-security/controls/"))
        .map(str::to_string)
        .collect();
    assert_eq!(on_disk, registered, "files on disk vs src/stdlib.rs FILES");
    for c in CONTROLS {
        let path = format!("{FOLDER}/{}", c.file);
        let files = rampart::stdlib::files(&path);
        let [(_, text)] = files.as_slice() else {
            panic!("{path} is not bundled");
        };
        let mut loader = Loader::new();
        loader.add_text(&path, *text);
        assert!(
            loader.diagnostics().is_empty(),
            "{path}: {}",
            loader.render_diagnostics(false)
        );
        assert!(
            loader.invalid().is_empty(),
            "{path}: {:?}",
            loader.invalid()
        );
        let engine = loader.engine();
        let names: Vec<&str> = engine.policies().map(|p| p.name.as_str()).collect();
        assert_eq!(names, [policy_name(c.file)], "{path}");
        let category = match c.level {
            Level::Restricted => "Pod Security Standards (Restricted)",
            _ => "Pod Security Standards (Baseline)",
        };
        let doc = rampart::yaml::parse_values(text).unwrap_or_default();
        let annotation = |key: &str| {
            doc.first()
                .and_then(|d| d.pointer("/metadata/annotations"))
                .and_then(|a| a.get(key))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        assert_eq!(
            annotation("policies.kyverno.io/category").as_deref(),
            Some(category),
            "{path}"
        );
        for key in ["title", "severity", "description"] {
            assert!(
                annotation(&format!("policies.kyverno.io/{key}")).is_some(),
                "{path}: no {key}"
            );
        }
        if let Some(name) = c.control {
            let ids = control_check_ids(name).unwrap_or_default();
            assert!(ids.contains(&c.check), "{name} does not cover {}", c.check);
        }
    }
}
