//! The library as an embedder uses it: admission requests in, Kyverno's answer out. Only the
//! public API is used.

mod common;

use std::collections::BTreeMap;

use common::check_policy as policy;

use rampart::{
    AdmissionRequest, AdmissionReview, ApiCall, ApiTarget, Decision, Engine, ExternalData,
    ExternalError, FixedClock, GroupVersionKind, GroupVersionResource, Loader, Operation, Origin,
    Request, RuleKind, RuleStatus,
};
use serde_json::{Map, Value, json};

fn engine(policies: &str) -> Engine {
    let mut loader = Loader::new();
    loader.add_text("policies.yaml", policies);
    assert!(
        loader.diagnostics().is_empty(),
        "{}",
        loader.render_diagnostics(false)
    );
    loader.engine()
}

fn pod(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "namespace": "shop", "labels": {"app": "web"}},
           "spec": spec})
}

fn root_pod() -> Value {
    pod(
        "root",
        json!({"containers": [{"name": "app", "image": "nginx", "securityContext": {"runAsUser": 0}}]}),
    )
}

/// An admission request as an API server sends it.
fn admission(operation: Operation, object: Option<Value>, old: Option<Value>) -> AdmissionRequest {
    let name = object
        .as_ref()
        .or(old.as_ref())
        .and_then(|o| o.pointer("/metadata/name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    AdmissionRequest {
        uid: "uid-1".into(),
        kind: GroupVersionKind {
            group: String::new(),
            version: "v1".into(),
            kind: "Pod".into(),
        },
        resource: GroupVersionResource {
            group: String::new(),
            version: "v1".into(),
            resource: "pods".into(),
        },
        name,
        namespace: "shop".into(),
        operation,
        object,
        old_object: old,
        dry_run: Some(false),
        ..AdmissionRequest::default()
    }
}

fn decide(engine: &Engine, request: &AdmissionRequest) -> Decision {
    engine.evaluate(&Request::new(request)).decision()
}

const RESTRICTED: &str =
    "        podSecurity:\n          level: restricted\n          version: latest\n";

#[test]
fn an_enforced_pod_security_failure_denies_with_kyvernos_message() {
    let engine = engine(&policy(
        "restricted",
        "  validationFailureAction: Enforce\n",
        RESTRICTED,
    ));
    let d = decide(
        &engine,
        &admission(Operation::Create, Some(root_pod()), None),
    );
    assert!(!d.allowed);
    let message = d.message();
    assert!(
        message.starts_with(
            "\n\nresource Pod/shop/root was blocked due to the following policies \n\nrestricted:\n  check: 'Validation rule ''check'' failed. It violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false"
        ),
        "{message:?}"
    );
    assert!(message.contains("runAsUser=0 (container \"app\" must not set runAsUser=0)"));
    assert!(d.warnings.is_empty(), "a denial carries no warnings");
    let status = d.status.as_ref().map(|s| (s.status.as_str(), s.code));
    assert_eq!(status, Some(("Failure", None)));
}

#[test]
fn audit_failures_allow_and_warn_only_with_emit_warning() {
    let audit = engine(&policy("restricted", "", RESTRICTED));
    let request = admission(Operation::Create, Some(root_pod()), None);
    let d = decide(&audit, &request);
    assert!(d.allowed);
    assert!(d.warnings.is_empty());
    // Beyond Kyverno: the audit log records the failure.
    let recorded = d
        .audit_annotations
        .get("audit-violations")
        .cloned()
        .unwrap_or_default();
    assert!(
        recorded.starts_with("policy restricted.check: Validation rule 'check' failed."),
        "{recorded}"
    );
    let warning = engine(&policy("restricted", "  emitWarning: true\n", RESTRICTED));
    let d = decide(&warning, &request);
    assert!(d.allowed);
    assert_eq!(d.warnings.len(), 1);
    assert!(
        d.warnings[0].starts_with(
            "policy restricted.check: Validation rule 'check' failed. It violates PodSecurity"
        ),
        "{:?}",
        d.warnings
    );
}

/// Kyverno re-evaluates an Enforce rule that fails an UPDATE on the old object as a CREATE
/// (`allowExistingViolations`); a rule comparing the two objects turns that off.
const IMMUTABLE_IMAGE: &str =
    "        message: the image of {{ request.oldObject.metadata.name }} cannot change
        allowExistingViolations: false
        deny:
          conditions:
            any:
              - key: \"{{ request.object.spec.containers[0].image }}\"
                operator: NotEquals
                value: \"{{ request.oldObject.spec.containers[0].image }}\"
";

#[test]
fn an_update_is_judged_against_the_real_old_object() {
    let engine = engine(&policy(
        "immutable-image",
        "  validationFailureAction: Enforce\n",
        IMMUTABLE_IMAGE,
    ));
    let with_image = |image: &str| {
        pod(
            "web",
            json!({"containers": [{"name": "app", "image": image}]}),
        )
    };
    let changed = admission(
        Operation::Update,
        Some(with_image("nginx:1.28")),
        Some(with_image("nginx:1.27")),
    );
    let d = decide(&engine, &changed);
    assert!(!d.allowed);
    assert_eq!(
        d.message(),
        "\n\nresource Pod/shop/web was blocked due to the following policies \n\nimmutable-image:\n  check: the image of web cannot change\n"
    );
    let same = admission(
        Operation::Update,
        Some(with_image("nginx:1.27")),
        Some(with_image("nginx:1.27")),
    );
    assert!(decide(&engine, &same).allowed);
    // A CREATE has no old object: `request.oldObject` is null, so the images differ.
    let create = admission(Operation::Create, Some(with_image("nginx:1.27")), None);
    assert!(!decide(&engine, &create).allowed);
    // With Kyverno's default, the old object evaluated as a CREATE fails too (its
    // `oldObject` is null), so the change counts as a pre-existing violation.
    let default = engine_with_existing_violations_allowed();
    let evaluation = default.evaluate(&Request::new(&changed));
    let (_, rule) = evaluation.rules().next().expect("the rule ran");
    assert_eq!(
        (rule.status, rule.message.as_str()),
        (
            RuleStatus::Skip,
            "skipping the rule evaluation as pre-existing violations are allowed"
        )
    );
    assert!(evaluation.decision().allowed);
}

fn engine_with_existing_violations_allowed() -> Engine {
    engine(&policy(
        "immutable-image",
        "  validationFailureAction: Enforce\n",
        &IMMUTABLE_IMAGE.replace("        allowExistingViolations: false\n", ""),
    ))
}

/// A rule whose variable cannot be resolved errors; `failurePolicy` decides what that does.
const BROKEN: &str = "        deny:
          conditions:
            any:
              - key: \"{{ request.object.spec.nothing.here }}\"
                operator: Equals
                value: x
";

#[test]
fn rule_errors_follow_the_failure_policy() {
    let request = admission(Operation::Create, Some(root_pod()), None);
    let ignore = engine(&policy(
        "broken",
        "  validationFailureAction: Enforce\n  failurePolicy: Ignore\n",
        BROKEN,
    ));
    let evaluation = ignore.evaluate(&Request::new(&request));
    let (_, rule) = evaluation.rules().next().expect("the rule ran");
    assert_eq!(rule.status, RuleStatus::Error);
    let d = evaluation.decision();
    assert!(d.allowed);
    assert_eq!(d.warnings.len(), 1);
    assert!(
        d.warnings[0].starts_with("policy broken.check: failed to check deny conditions"),
        "{:?}",
        d.warnings
    );
    for spec in [
        "  validationFailureAction: Enforce\n  failurePolicy: Fail\n",
        "  validationFailureAction: Enforce\n",
        "  validationFailureAction: Enforce\n  webhookConfiguration:\n    failurePolicy: Fail\n",
    ] {
        let d = decide(&engine(&policy("broken", spec, BROKEN)), &request);
        assert!(!d.allowed, "{spec}");
        assert!(
            d.message()
                .contains("broken:\n  check: 'failed to check deny conditions")
        );
    }
    // An Audit rule's error never blocks, whatever the failure policy.
    let audit = engine(&policy("broken", "  failurePolicy: Fail\n", BROKEN));
    assert!(decide(&audit, &request).allowed);
}

#[test]
fn policies_with_admission_false_do_not_run_on_admission() {
    let engine = engine(&policy(
        "offline-only",
        "  admission: false\n  validationFailureAction: Enforce\n",
        RESTRICTED,
    ));
    let request = admission(Operation::Create, Some(root_pod()), None);
    let evaluation = engine.evaluate(&Request::new(&request));
    assert!(evaluation.policies.is_empty());
    assert_eq!(evaluation.decision(), Decision::allow());
    // Offline (the CLI), every policy runs.
    let offline = engine.evaluate(&Request::new(&request).with_origin(Origin::Offline));
    assert_eq!(offline.policies.len(), 1);
    assert!(!offline.decision().allowed);
    let info = engine.policies().next().expect("one policy");
    assert!(!info.admission);
    let rules: Vec<&str> = info.rules.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(rules, ["check", "autogen-check", "autogen-cronjob-check"]);
    assert!(
        info.rules
            .iter()
            .all(|(_, kind)| *kind == RuleKind::Validation)
    );
}

#[test]
fn deletes_are_judged_on_the_old_object() {
    let engine = engine(&policy(
        "keep-protected",
        "  validationFailureAction: Enforce\n",
        "        message: \"{{ request.object.metadata.name }} is protected\"
        deny:
          conditions:
            any:
              - key: \"{{ request.object.metadata.labels.app }}\"
                operator: Equals
                value: web
",
    ));
    // On DELETE, `request.object` in a variable reads the old object, as in Kyverno.
    let delete = admission(Operation::Delete, None, Some(root_pod()));
    let d = decide(&engine, &delete);
    assert!(!d.allowed);
    assert!(
        d.message()
            .contains("resource Pod/shop/root was blocked due to the following policies"),
        "{}",
        d.message()
    );
    assert!(d.message().contains("check: root is protected"));
}

#[test]
fn subresource_requests_match_subresource_kinds() {
    let engine = engine(
        "apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: no-exec
spec:
  validationFailureAction: Enforce
  rules:
    - name: no-exec
      match:
        any:
          - resources:
              kinds: [Pod/exec]
      validate:
        message: \"no exec into {{ request.name }}\"
        deny: {}
",
    );
    let mut exec = admission(
        Operation::Connect,
        Some(json!({"apiVersion": "v1", "kind": "PodExecOptions", "command": ["sh"]})),
        None,
    );
    exec.kind.kind = "PodExecOptions".into();
    exec.sub_resource = "exec".into();
    exec.name = "web".into();
    let d = decide(&engine, &exec);
    assert!(!d.allowed);
    assert!(
        d.message()
            .contains("resource PodExecOptions/shop/ was blocked")
    );
    assert!(d.message().contains("no-exec: no exec into web"));
    // The pod itself is not a `Pod/exec` request.
    let create = admission(Operation::Create, Some(root_pod()), None);
    assert!(engine.evaluate(&Request::new(&create)).policies.is_empty());
}

#[test]
fn variables_that_write_into_the_object_change_what_rules_match_and_check() {
    let engine = engine(
        "apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: team
spec:
  validationFailureAction: Enforce
  rules:
    - name: team
      match:
        any:
          - resources:
              kinds: [Pod]
              selector:
                matchLabels:
                  tier: web
      validate:
        message: needs a team
        pattern:
          metadata:
            labels:
              team: \"?*\"
",
    );
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": "p", "namespace": "shop", "labels": {"tier": "db"}}});
    let admission = AdmissionRequest::for_resource(pod, Operation::Create);
    let status = |variables: &[(String, Value)]| {
        let request = Request::new(&admission)
            .with_origin(Origin::Offline)
            .with_variables(variables);
        engine
            .evaluate(&request)
            .rules()
            .next()
            .map(|(_, r)| r.status)
    };
    // The Pod itself is not matched.
    assert_eq!(status(&[]), None);
    // A value makes it a web Pod: matched, and failing for want of a team.
    let web = (
        "request.object.metadata.labels".to_string(),
        json!({"tier": "web"}),
    );
    assert_eq!(status(std::slice::from_ref(&web)), Some(RuleStatus::Fail));
    // Labels merge: the team label joins the tier label.
    let team = (
        "request.object.metadata.labels.team".to_string(),
        json!("a"),
    );
    assert_eq!(status(&[web, team]), Some(RuleStatus::Pass));
}

#[test]
fn offline_requests_naming_a_subresource_match_the_parent_kind() {
    let engine = engine(
        "apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: max-replicas
spec:
  validationFailureAction: Enforce
  rules:
    - name: max-replicas
      match:
        any:
          - resources:
              kinds: [Deployment/scale]
      validate:
        message: at most 3 replicas
        pattern:
          spec:
            replicas: <=3
",
    );
    let scale = json!({"apiVersion": "autoscaling/v1", "kind": "Scale",
                       "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 5}});
    let mut request = AdmissionRequest::for_resource(scale, Operation::Create);
    let offline = |request: &AdmissionRequest| {
        engine
            .evaluate(&Request::new(request).with_origin(Origin::Offline))
            .policies
            .len()
    };
    // The object's own kind is `Scale`: no match.
    assert_eq!(offline(&request), 0);
    // Mapped to its parent, as the CLI's values `subresources` do, it is `Deployment/scale`.
    request.kind = GroupVersionKind {
        group: "apps".into(),
        version: "v1".into(),
        kind: "Deployment".into(),
    };
    request.sub_resource = "scale".into();
    let evaluation = engine.evaluate(&Request::new(&request).with_origin(Origin::Offline));
    assert_eq!(evaluation.policies.len(), 1);
    assert_eq!(evaluation.policies[0].rules[0].status, RuleStatus::Fail);
}

#[test]
fn user_roles_and_request_fields_reach_variables_and_matching() {
    let engine = engine(
        "apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: who
spec:
  validationFailureAction: Enforce
  rules:
    - name: who
      match:
        any:
          - resources:
              kinds: [Pod]
            clusterRoles: [developer]
      validate:
        message: \"{{ request.userInfo.username }} ({{ join(',', request.clusterRoles) }}) may not {{ request.operation }} in dry run {{ request.dryRun }}\"
        deny: {}
",
    );
    let mut request = admission(Operation::Create, Some(root_pod()), None);
    request.user_info.username = "bob".into();
    request.dry_run = Some(true);
    let developer = vec!["developer".to_string()];
    let d = engine
        .evaluate(&Request::new(&request).with_roles(&[], &developer))
        .decision();
    assert!(!d.allowed);
    assert!(
        d.message()
            .contains("who: bob (developer) may not CREATE in dry run true"),
        "{}",
        d.message()
    );
    // Without the role the rule does not match.
    assert!(decide(&engine, &request).allowed);
}

/// Answers the cluster questions of a test: one ConfigMap and one API call, and namespace labels.
#[derive(Debug)]
struct Cluster;

impl ExternalData for Cluster {
    fn config_map(&self, namespace: &str, name: &str) -> Result<Value, ExternalError> {
        match (namespace, name) {
            ("shop", "limits") => Ok(json!({"data": {"max": "2"}, "metadata": {"name": name}})),
            _ => Err(ExternalError::NotFound(format!(
                "configmaps \"{name}\" not found"
            ))),
        }
    }

    fn api_call(&self, call: &ApiCall<'_>) -> Result<Value, ExternalError> {
        match call.target {
            ApiTarget::UrlPath(path) => Ok(json!({"path": path})),
            ApiTarget::Service { .. } => Err(ExternalError::NotSupplied),
        }
    }

    fn namespace_labels(&self, namespace: &str) -> Option<Map<String, Value>> {
        (namespace == "shop")
            .then(|| json!({"tier": "prod"}).as_object().cloned())
            .flatten()
    }
}

#[test]
fn external_data_answers_config_maps_and_namespace_labels() {
    let engine = engine(
        "apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: limits
spec:
  validationFailureAction: Enforce
  rules:
    - name: containers
      match:
        any:
          - resources:
              kinds: [Pod]
              namespaceSelector:
                matchLabels:
                  tier: prod
      context:
        - name: limits
          configMap:
            name: limits
            namespace: \"{{ request.namespace }}\"
      validate:
        message: \"at most {{ limits.data.max }} containers\"
        deny:
          conditions:
            any:
              - key: \"{{ length(request.object.spec.containers) }}\"
                operator: GreaterThan
                value: \"{{ limits.data.max }}\"
",
    );
    let three = pod(
        "three",
        json!({"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}),
    );
    let request = admission(Operation::Create, Some(three), None);
    let d = engine
        .evaluate(&Request::new(&request).with_data(&Cluster))
        .decision();
    assert!(!d.allowed);
    assert!(d.message().contains("containers: at most 2 containers"));
    // Without cluster data the namespace has no labels: the rule does not match.
    assert!(decide(&engine, &request).allowed);
}

/// The message of the first rule response of a policy for a root Pod's CREATE, with the test
/// cluster's data.
fn message(policy: &str) -> String {
    let request = admission(Operation::Create, Some(root_pod()), None);
    let evaluation = engine(policy).evaluate(&Request::new(&request).with_data(&Cluster));
    evaluation
        .rules()
        .next()
        .map(|(_, r)| r.message.clone())
        .unwrap_or_default()
}

#[test]
fn config_maps_default_to_the_policys_namespace_as_in_kyverno() {
    let policy = |kind: &str, namespace: &str, cm_namespace: &str| {
        format!(
            "apiVersion: kyverno.io/v1
kind: {kind}
metadata:
  name: limits
{namespace}spec:
  validationFailureAction: Enforce
  rules:
    - name: limits
      match:
        any:
          - resources:
              kinds: [Pod]
      context:
        - name: limits
          configMap:
            name: limits
{cm_namespace}      validate:
        message: \"at most {{{{ limits.data.max }}}}\"
        deny: {{}}
"
        )
    };
    // A namespaced Policy reads its own namespace.
    assert_eq!(
        message(&policy("Policy", "  namespace: shop\n", "")),
        "at most 2"
    );
    // A ClusterPolicy reads `default`, where there is no such ConfigMap.
    assert_eq!(
        message(&policy("ClusterPolicy", "", "")),
        "failed to load context: failed to retrieve config map for context entry limits: \
         failed to get configmap default/limits : configmaps \"limits\" not found"
    );
    // A namespaced Policy may not read another namespace.
    assert_eq!(
        message(&policy(
            "Policy",
            "  namespace: shop\n",
            "            namespace: other\n"
        )),
        "failed to load context: failed to retrieve config map for context entry limits: \
         context entry limits: configMap namespace \"other\" is different from policy namespace \"shop\""
    );
}

#[test]
fn a_namespaced_policys_api_calls_stay_in_its_namespace_as_in_kyverno() {
    let policy = |kind: &str, path: &str| {
        let namespace = if kind == "Policy" {
            "\n  namespace: shop"
        } else {
            ""
        };
        format!(
            "apiVersion: kyverno.io/v1
kind: {kind}
metadata:
  name: calls{namespace}
spec:
  validationFailureAction: Enforce
  rules:
    - name: calls
      match:
        any:
          - resources:
              kinds: [Pod]
      context:
        - name: answer
          apiCall:
            urlPath: \"{path}\"
      validate:
        message: \"called {{{{ answer.path }}}}\"
        deny: {{}}
"
        )
    };
    assert_eq!(
        message(&policy("Policy", "/api/v1/namespaces/shop/pods")),
        "called /api/v1/namespaces/shop/pods"
    );
    assert_eq!(
        message(&policy(
            "Policy",
            "/api/v1/namespaces/{{ 'kube-system' }}/secrets"
        )),
        "failed to load context: failed to load context entry answer: path /api/v1/namespaces/kube-system/secrets \
         refers to namespace kube-system, which is different from the policy namespace shop"
    );
    assert_eq!(
        message(&policy("Policy", "/api/v1/nodes")),
        "failed to load context: failed to load context entry answer: path /api/v1/nodes \
         does not contain a namespace segment, which is required for namespaced policies"
    );
    // A ClusterPolicy calls any path.
    assert_eq!(
        message(&policy("ClusterPolicy", "/api/v1/nodes")),
        "called /api/v1/nodes"
    );
}

#[test]
fn time_functions_read_the_callers_clock() {
    let engine = engine(&policy(
        "clock",
        "  validationFailureAction: Enforce\n",
        "        message: \"now is {{ time_now_utc() }}\"\n        deny: {}\n",
    ));
    let request = admission(Operation::Create, Some(root_pod()), None);
    let clock = FixedClock::from_rfc3339("2026-12-02T10:00:00Z").unwrap_or_else(|e| panic!("{e}"));
    let d = engine
        .evaluate(&Request::new(&request).with_clock(&clock))
        .decision();
    assert!(d.message().contains("check: now is 2026-12-02T10:00:00Z"));
}

/// Requests of every kind the tests above use, varied.
fn mixed_requests(n: usize) -> Vec<AdmissionRequest> {
    (0..n)
        .map(|i| {
            let image = format!("nginx:1.{}", i % 7);
            let run_as = if i % 3 == 0 { json!(0) } else { json!(1000) };
            let spec = json!({"containers": [{"name": "app", "image": image, "securityContext": {"runAsUser": run_as}}]});
            let mut object = pod(&format!("p{i}"), spec);
            if i % 5 == 0
                && let Some(labels) = object.pointer_mut("/metadata/labels")
            {
                *labels = json!({});
            }
            match i % 4 {
                0 => admission(Operation::Create, Some(object), None),
                1 => {
                    let mut old = object.clone();
                    if let Some(img) = old.pointer_mut("/spec/containers/0/image") {
                        *img = json!("nginx:1.0");
                    }
                    admission(Operation::Update, Some(object), Some(old))
                }
                2 => admission(Operation::Delete, None, Some(object)),
                _ => admission(Operation::Update, Some(object.clone()), Some(object)),
            }
        })
        .collect()
}

#[test]
fn one_engine_shared_by_eight_threads_answers_as_one_thread() {
    let policies = [
        policy("restricted", "  validationFailureAction: Enforce\n", RESTRICTED),
        policy(
            "immutable-image",
            "  validationFailureAction: Enforce\n",
            IMMUTABLE_IMAGE,
        ),
        policy("broken", "  failurePolicy: Ignore\n  validationFailureAction: Enforce\n", BROKEN),
        policy(
            "team",
            "  emitWarning: true\n",
            "        message: needs an app label\n        pattern:\n          metadata:\n            labels:\n              app: \"?*\"\n",
        ),
    ]
    .join("---\n");
    let engine = engine(&policies);
    let requests = mixed_requests(10_000);
    // Every rule response and the decision, for each request.
    let answer = |engine: &Engine, r: &AdmissionRequest| {
        let evaluation = engine.evaluate(&Request::new(r));
        let decision = evaluation.decision();
        (evaluation, decision)
    };
    let serial: Vec<_> = requests.iter().map(|r| answer(&engine, r)).collect();
    let denied = serial.iter().filter(|(_, d)| !d.allowed).count();
    let warned = serial
        .iter()
        .filter(|(_, d)| !d.warnings.is_empty())
        .count();
    assert!(denied > 1000 && denied < 9000, "{denied} denied");
    assert!(warned > 100, "{warned} warned");
    let parallel: Vec<_> = std::thread::scope(|s| {
        let chunks: Vec<_> = requests
            .chunks(requests.len().div_ceil(8))
            .map(|chunk| {
                let engine = engine.clone();
                s.spawn(move || chunk.iter().map(|r| answer(&engine, r)).collect::<Vec<_>>())
            })
            .collect();
        chunks
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    assert_eq!(parallel.len(), serial.len());
    assert!(parallel == serial, "a thread answered differently");
}

/// Runs `examples/embed.rs` (built by `cargo test` beside the test binaries) on a review.
fn run_embed_example(review: &str) -> (i32, Value) {
    let exe = std::env::current_exe().unwrap_or_default();
    let example = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("examples").join("embed"))
        .unwrap_or_default();
    let mut child = std::process::Command::new(&example)
        .arg("examples/embed/policy.yaml")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", example.display()));
    if let Some(stdin) = child.stdin.as_mut() {
        use std::io::Write;
        let _ = stdin.write_all(&std::fs::read(review).unwrap_or_default());
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let json = serde_json::from_slice(&out.stdout).unwrap_or_default();
    (out.status.code().unwrap_or(-1), json)
}

#[test]
fn the_embed_example_answers_admission_reviews() {
    let (code, answer) = run_embed_example("examples/embed/root-pod.json");
    assert_eq!(code, 0);
    let review: AdmissionReview = serde_json::from_value(answer).unwrap_or_default();
    let response = review.response.unwrap_or_default();
    assert_eq!(response.uid, "5b3f2c7e-0a9d-4f38-9a57-1c6f0d2b8e41");
    assert!(!response.allowed);
    let message = response.status.map(|s| s.message).unwrap_or_default();
    assert!(
        message.contains("resource Pod/shop/root was blocked"),
        "{message}"
    );
    assert!(message.contains(r#"It violates PodSecurity "restricted:latest""#));

    let (code, answer) = run_embed_example("examples/embed/restricted-pod.json");
    assert_eq!(code, 0);
    assert_eq!(answer["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(answer["response"]["allowed"], true);
    assert_eq!(
        answer["response"]["warnings"],
        json!([
            "policy team-label.team: validation error: Pods should carry a `team` label. rule team failed at path /metadata/labels/"
        ])
    );
    let annotations: BTreeMap<String, String> =
        serde_json::from_value(answer["response"]["auditAnnotations"].clone()).unwrap_or_default();
    assert_eq!(annotations.len(), 1);
}

#[test]
fn a_passed_deadline_leaves_the_remaining_policies_out_and_says_so() {
    let mut loader = Loader::new();
    loader
        .add_paths(&["stdlib:pod-security/restricted.yaml"])
        .expect("stdlib");
    let engine = loader.engine();
    let request = admission(Operation::Create, Some(root_pod()), None);
    let in_time = engine.evaluate(
        &Request::new(&request)
            .with_deadline(std::time::Instant::now() + std::time::Duration::from_secs(60)),
    );
    assert!(!in_time.unfinished);
    assert!(!in_time.decision().allowed);
    let late = engine.evaluate(&Request::new(&request).with_deadline(std::time::Instant::now()));
    assert!(late.unfinished);
    assert!(late.policies.is_empty(), "{:?}", late.policies);
    // Without a deadline nothing is cut.
    assert!(!engine.evaluate(&Request::new(&request)).unfinished);
}

#[test]
fn retain_keeps_only_the_chosen_policies() {
    let validate = "        message: no root\n        pattern:\n          spec:\n            containers:\n              - securityContext:\n                  runAsUser: \">0\"\n";
    let engine = engine(&format!(
        "{}---\n{}",
        policy("first", "  validationFailureAction: Enforce\n", validate),
        policy("second", "  validationFailureAction: Enforce\n", validate)
    ));
    let names = |e: &Engine| e.policies().map(|p| p.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&engine), ["first", "second"]);
    let second = engine.retain(|p| p.name == "second");
    assert_eq!(names(&second), ["second"]);
    let request = admission(Operation::Create, Some(root_pod()), None);
    let evaluation = second.evaluate(&Request::new(&request));
    assert_eq!(evaluation.policies.len(), 1);
    assert_eq!(evaluation.policies[0].policy.name, "second");
}
