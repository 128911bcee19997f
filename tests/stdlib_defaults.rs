//! The bundled mutation policies: `stdlib:defaults/restricted-security-context.yaml` makes
//! ordinary Pods and pod controllers meet the restricted Pod Security Standard (checked with
//! `stdlib:pod-security/restricted.yaml`, i.e. upstream PSA) while keeping what a manifest sets,
//! and `stdlib:namespaces/` assigns, restricts and reports Pod Security Admission labels.

use rampart::{AdmissionRequest, Engine, Evaluation, Loader, Operation, Request, RuleStatus};
use serde_json::{Value, json};

const DEFAULTS: &str = "stdlib:defaults/restricted-security-context.yaml";
const RESTRICTED: &str = "stdlib:pod-security/restricted.yaml";

fn engine(paths: &[&str]) -> Engine {
    let mut loader = Loader::new();
    loader.add_paths(paths).expect("bundled paths exist");
    assert!(
        loader.diagnostics().is_empty(),
        "{}",
        loader.render_diagnostics(false)
    );
    loader.engine()
}

fn create(engine: &Engine, resource: &Value) -> Evaluation {
    let admission = AdmissionRequest::for_resource(resource.clone(), Operation::Create);
    engine.evaluate(&Request::new(&admission))
}

/// The statuses of one policy's rule responses, in order.
fn statuses(evaluation: &Evaluation, policy: &str) -> Vec<RuleStatus> {
    evaluation
        .rules()
        .filter(|(p, _)| p.name == policy)
        .map(|(_, r)| r.status)
        .collect()
}

/// The patched object, after checking that the evaluation's JSON Patch gives the same.
fn patched(evaluation: &Evaluation, original: &Value) -> Value {
    let patched = evaluation
        .patched
        .as_deref()
        .expect("a patched object")
        .clone();
    let mut doc = original.clone();
    rampart::jsonpatch::apply(&mut doc, &evaluation.patch(original))
        .expect("the JSON Patch applies");
    assert_eq!(doc, patched, "the JSON Patch gives the patched object");
    patched
}

fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "p", "namespace": "default"}, "spec": spec})
}

#[test]
fn every_bundled_policy_loads_cleanly() {
    let mut loader = Loader::new();
    loader.add_paths(&["stdlib:"]).expect("the whole stdlib");
    assert!(
        loader.diagnostics().is_empty(),
        "{}",
        loader.render_diagnostics(false)
    );
    assert!(loader.invalid().is_empty());
}

#[test]
fn defaults_make_plain_workloads_restricted() {
    let restricted = engine(&[RESTRICTED]);
    let both = engine(&[DEFAULTS, RESTRICTED]);
    let containers =
        json!([{"name": "web", "image": "nginx"}, {"name": "log", "image": "fluentd"}]);
    let workloads = [
        pod(
            json!({"initContainers": [{"name": "init", "image": "busybox"}],
                   "containers": containers}),
        ),
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "d", "namespace": "default"},
               "spec": {"selector": {"matchLabels": {"app": "d"}},
                        "template": {"metadata": {"labels": {"app": "d"}},
                                     "spec": {"containers": containers}}}}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob",
               "metadata": {"name": "c", "namespace": "default"},
               "spec": {"schedule": "* * * * *",
                        "jobTemplate": {"spec": {"template": {"spec": {
                            "restartPolicy": "Never", "containers": containers}}}}}}),
    ];
    for workload in &workloads {
        let kind = &workload["kind"];
        let before = create(&restricted, workload);
        assert!(
            statuses(&before, "pod-security-restricted").contains(&RuleStatus::Fail),
            "{kind} fails restricted without the defaults"
        );
        let after = create(&both, workload);
        let policy_statuses = statuses(&after, "pod-security-restricted");
        assert!(!policy_statuses.is_empty(), "{kind}: restricted applied");
        assert!(
            policy_statuses.iter().all(|s| *s == RuleStatus::Pass),
            "{kind} passes restricted with the defaults: {:?}",
            after.rules().map(|(_, r)| &r.message).collect::<Vec<_>>()
        );
        patched(&after, workload);
    }
}

#[test]
fn defaults_fill_only_what_is_unset_and_keep_the_container_order() {
    let engine = engine(&[DEFAULTS]);
    let original = pod(json!({
        "securityContext": {"runAsNonRoot": false},
        "containers": [
            {"name": "a", "image": "nginx"},
            {"name": "b", "image": "nginx", "securityContext": {
                "allowPrivilegeEscalation": true, "capabilities": {"drop": ["NET_RAW"]}}},
            {"name": "c", "image": "nginx", "securityContext": {
                "allowPrivilegeEscalation": false, "capabilities": {"add": ["NET_BIND_SERVICE"]}}},
        ]
    }));
    let evaluation = create(&engine, &original);
    assert_eq!(
        statuses(&evaluation, "restricted-security-context-defaults"),
        [RuleStatus::Pass, RuleStatus::Pass]
    );
    let drop_all = json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}});
    assert_eq!(
        patched(&evaluation, &original)["spec"],
        json!({
            "securityContext": {"runAsNonRoot": false,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                {"name": "a", "image": "nginx", "securityContext": drop_all},
                {"name": "b", "image": "nginx", "securityContext": {
                    "allowPrivilegeEscalation": true, "capabilities": {"drop": ["NET_RAW"]}}},
                {"name": "c", "image": "nginx", "securityContext": {
                    "allowPrivilegeEscalation": false,
                    "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}},
            ]
        })
    );
    // What the manifest chose still fails restricted, with PSA's words.
    let checked = create(&self::engine(&[DEFAULTS, RESTRICTED]), &original);
    let message = checked
        .rules()
        .find(|(p, _)| p.name == "pod-security-restricted")
        .map(|(_, r)| r.message.clone())
        .unwrap_or_default();
    assert!(
        message.contains("allowPrivilegeEscalation != false")
            && message.contains("runAsNonRoot != true"),
        "{message}"
    );
}

fn namespace(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace",
           "metadata": {"name": name, "labels": labels}})
}

#[test]
fn namespaces_get_baseline_unless_they_choose_a_level() {
    let engine = engine(&["stdlib:namespaces/psa-default-level.yaml"]);
    let label = "pod-security.kubernetes.io/enforce";
    let plain = namespace("team-a", json!({"team": "a"}));
    let evaluation = create(&engine, &plain);
    assert_eq!(
        patched(&evaluation, &plain)["metadata"]["labels"],
        json!({"team": "a", label: "baseline"})
    );
    let chosen = namespace("team-b", json!({label: "restricted"}));
    let evaluation = create(&engine, &chosen);
    assert_eq!(evaluation.patched, None, "a chosen level is kept");
    // Kyverno's result for a mutation that changes nothing.
    assert_eq!(
        evaluation
            .rules()
            .map(|(_, r)| (r.status, r.message.as_str()))
            .collect::<Vec<_>>(),
        [(RuleStatus::Skip, "no patches applied")]
    );
    let system = namespace("kube-system", json!({}));
    let evaluation = create(&engine, &system);
    assert!(
        evaluation.patched.is_none(),
        "system Namespaces are excluded"
    );
    assert!(evaluation.rules().next().is_none());
}

#[test]
fn the_privileged_level_is_denied_and_unlabelled_namespaces_reported() {
    let deny = engine(&["stdlib:namespaces/psa-deny-privileged.yaml"]);
    let privileged = namespace(
        "open",
        json!({"pod-security.kubernetes.io/enforce": "privileged"}),
    );
    let request = AdmissionRequest::for_resource(privileged.clone(), Operation::Create);
    let decision = deny
        .evaluate(&Request::new(&request))
        .decision_for(&request);
    assert!(!decision.allowed);
    let message = decision.status.map(|s| s.message).unwrap_or_default();
    assert!(
        message.contains("The privileged Pod Security level may not be enforced"),
        "{message}"
    );
    for allowed in [
        namespace(
            "strict",
            json!({"pod-security.kubernetes.io/enforce": "restricted"}),
        ),
        namespace(
            "kube-system",
            json!({"pod-security.kubernetes.io/enforce": "privileged"}),
        ),
        namespace("plain", json!({})),
    ] {
        let request = AdmissionRequest::for_resource(allowed.clone(), Operation::Create);
        let decision = deny
            .evaluate(&Request::new(&request))
            .decision_for(&request);
        assert!(decision.allowed, "{allowed}");
    }

    let report = engine(&["stdlib:namespaces/psa-report-unlabelled.yaml"]);
    let unlabelled = create(&report, &namespace("plain", json!({"team": "a"})));
    assert_eq!(
        statuses(&unlabelled, "psa-report-unlabelled"),
        [RuleStatus::Fail]
    );
    let warned = create(
        &report,
        &namespace(
            "w",
            json!({"pod-security.kubernetes.io/warn": "restricted"}),
        ),
    );
    assert_eq!(
        statuses(&warned, "psa-report-unlabelled"),
        [RuleStatus::Pass]
    );
    // With the default level, every new Namespace is labelled before the report looks.
    let both = engine(&[
        "stdlib:namespaces/psa-default-level.yaml",
        "stdlib:namespaces/psa-report-unlabelled.yaml",
    ]);
    let labelled = create(&both, &namespace("plain", json!({"team": "a"})));
    assert_eq!(
        statuses(&labelled, "psa-report-unlabelled"),
        [RuleStatus::Pass]
    );
}
