//! Mutate rules through the public library API, pinned to Kyverno's behaviour: rule statuses and
//! messages, the patched object, the order rules and policies run in, foreach, autogen,
//! mutate-existing targets and the admission patch.
//!
//! Every test that expects a change also checks that the evaluation's JSON Patch, applied to
//! the request's object, gives exactly the patched object.

use rampart::{
    AdmissionRequest, Decision, Engine, Evaluation, ExternalData, ExternalError, Loader, Operation,
    Origin, Request, ResourceQuery, RuleOutput, RuleStatus,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers

/// An engine for the policies in `yaml` (which must load without errors).
fn load(yaml: &str) -> Engine {
    let mut loader = Loader::new();
    loader.add_text("policies.yaml", yaml);
    assert!(
        !loader.has_errors(),
        "policies did not load:\n{}",
        loader.render_diagnostics(false)
    );
    loader.engine()
}

/// Evaluates a CREATE of `resource` as an admission request.
fn admit(engine: &Engine, resource: &Value) -> Evaluation {
    let admission = AdmissionRequest::for_resource(resource.clone(), Operation::Create);
    engine.evaluate(&Request::new(&admission))
}

/// The admission answer for `original` (with the patch).
fn decide(evaluation: &Evaluation, original: &Value) -> Decision {
    evaluation.decision_for(&AdmissionRequest::for_resource(
        original.clone(),
        Operation::Create,
    ))
}

/// `(rule, status, message)` of every rule response, in order.
fn results(evaluation: &Evaluation) -> Vec<(String, RuleStatus, String)> {
    evaluation
        .rules()
        .map(|(_, r)| (r.name.to_string(), r.status, r.message.clone()))
        .collect()
}

/// One expected rule result.
fn result(rule: &str, status: RuleStatus, message: &str) -> (String, RuleStatus, String) {
    (rule.to_string(), status, message.to_string())
}

/// Asserts that the evaluation changed `original` into exactly `expected`, and that its JSON
/// Patch, applied to `original`, gives the same object.
fn assert_patched(evaluation: &Evaluation, original: &Value, expected: &Value) {
    let patched = evaluation
        .patched
        .as_deref()
        .expect("the evaluation has a patched object");
    assert_eq!(patched, expected, "patched object");
    assert!(
        !evaluation.patch(original).is_empty(),
        "a change has a JSON Patch"
    );
    let mut doc = original.clone();
    rampart::jsonpatch::apply(&mut doc, &evaluation.patch(original))
        .expect("the JSON Patch applies");
    assert_eq!(
        &doc, expected,
        "the JSON Patch applied to the original object"
    );
}

/// Asserts that the evaluation changed nothing.
fn assert_unchanged(evaluation: &Evaluation) {
    assert_eq!(evaluation.patched, None, "no patched object");
    assert!(evaluation.patch(&json!({})).is_empty(), "no JSON Patch");
}

/// A Pod in `namespace` with containers given as `(name, image)`.
fn pod(name: &str, namespace: &str, containers: &[(&str, &str)]) -> Value {
    let containers: Vec<Value> = containers
        .iter()
        .map(|(n, i)| json!({"name": n, "image": i}))
        .collect();
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"containers": containers}
    })
}

/// Sets `value` at a JSON pointer of an existing parent.
fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    let parent = doc.pointer_mut(parent).expect("the parent exists");
    match parent {
        Value::Object(map) => {
            map.insert(key.replace("~1", "/").replace("~0", "~"), value);
        }
        Value::Array(items) => {
            let index: usize = key.parse().expect("an array index");
            items[index] = value;
        }
        _ => panic!("cannot set {pointer}"),
    }
}

/// Mutate-existing targets held in a list, answered as Kyverno's CLI answers them.
#[derive(Debug)]
struct Cluster(Vec<Value>);

impl ExternalData for Cluster {
    fn resources(&self, query: &ResourceQuery<'_>) -> Result<Vec<Value>, ExternalError> {
        Ok(self
            .0
            .iter()
            .filter(|r| query.matches(r))
            .cloned()
            .collect())
    }
}

/// The patched targets of every mutate-existing response, in order.
fn targets(evaluation: &Evaluation) -> Vec<Value> {
    evaluation
        .rules()
        .filter_map(|(_, r)| match &r.output {
            RuleOutput::Mutation(m) => m.target.as_deref().cloned(),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// patchStrategicMerge

const OWNER_LABEL: &str = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: stamp-owner
spec:
  rules:
  - name: owner-label
    match:
      any:
      - resources:
          kinds: [Pod, Namespace]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            owner: platform-team
"#;

#[test]
fn strategic_merge_adds_a_label_and_the_message_names_the_resource() {
    let engine = load(OWNER_LABEL);
    let mut original = pod("checkout", "shop", &[("api", "shop/api:2.1")]);
    set(
        &mut original,
        "/metadata/labels",
        json!({"app": "checkout"}),
    );
    let evaluation = admit(&engine, &original);

    assert_eq!(
        results(&evaluation),
        [result(
            "owner-label",
            RuleStatus::Pass,
            "mutated Pod/checkout in namespace shop"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"app": "checkout", "owner": "platform-team"}),
    );
    assert_patched(&evaluation, &original, &expected);
    assert_eq!(evaluation.policies.len(), 1);
    assert_eq!(evaluation.policies[0].policy.name, "stamp-owner");
    assert_eq!(
        evaluation.policies[0].patched.as_deref(),
        Some(&expected),
        "the policy's patched object"
    );

    // A cluster-scoped resource is named without a namespace.
    let original = json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "team-blue"}
    });
    let evaluation = admit(&engine, &original);

    assert_eq!(
        results(&evaluation),
        [result(
            "owner-label",
            RuleStatus::Pass,
            "mutated Namespace/team-blue"
        )]
    );
    let expected = json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "team-blue", "labels": {"owner": "platform-team"}}
    });
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn patch_that_changes_nothing_skips_with_no_patches_applied() {
    let engine = load(OWNER_LABEL);
    let mut original = pod("ledger", "finance", &[("app", "ledger:1")]);
    set(
        &mut original,
        "/metadata/labels",
        json!({"owner": "platform-team"}),
    );
    let evaluation = admit(&engine, &original);

    assert_eq!(
        results(&evaluation),
        [result(
            "owner-label",
            RuleStatus::Skip,
            "no patches applied"
        )]
    );
    assert_unchanged(&evaluation);
    // The policy's mutate rules applied: it reports the object as they left it.
    assert_eq!(evaluation.policies[0].patched.as_deref(), Some(&original));
    let decision = decide(&evaluation, &original);
    assert!(decision.allowed);
    assert!(decision.patch.is_empty());
    let response = decision.into_response("uid-1");
    assert_eq!(response.patch, None);
    assert_eq!(response.patch_type, None);
}

#[test]
fn add_if_not_present_anchor_adds_only_a_missing_field() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: default-cost-center
spec:
  rules:
  - name: cost-center
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          annotations:
            +(billing/cost-center): shared
"#,
    );
    let without = pod("report", "analytics", &[("job", "reports:3")]);
    let evaluation = admit(&engine, &without);
    assert_eq!(
        results(&evaluation),
        [result(
            "cost-center",
            RuleStatus::Pass,
            "mutated Pod/report in namespace analytics"
        )]
    );
    let mut expected = without.clone();
    set(
        &mut expected,
        "/metadata/annotations",
        json!({"billing/cost-center": "shared"}),
    );
    assert_patched(&evaluation, &without, &expected);

    let mut with = without.clone();
    set(
        &mut with,
        "/metadata/annotations",
        json!({"billing/cost-center": "retail"}),
    );
    let evaluation = admit(&engine, &with);
    assert_eq!(
        results(&evaluation),
        [result(
            "cost-center",
            RuleStatus::Skip,
            "no patches applied"
        )]
    );
    assert_unchanged(&evaluation);
}

const PULL_LATEST: &str = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: always-pull-latest
spec:
  rules:
  - name: pull-policy
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        spec:
          containers:
          - (image): "*:latest"
            imagePullPolicy: Always
"#;

#[test]
fn condition_anchor_patches_only_the_containers_it_selects_or_skips() {
    let engine = load(PULL_LATEST);
    let original = pod(
        "storefront",
        "shop",
        &[("web", "shop/web:latest"), ("proxy", "envoy:1.29")],
    );
    let evaluation = admit(&engine, &original);

    assert_eq!(
        results(&evaluation),
        [result(
            "pull-policy",
            RuleStatus::Pass,
            "mutated Pod/storefront in namespace shop"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/spec/containers/0/imagePullPolicy",
        json!("Always"),
    );
    assert_patched(&evaluation, &original, &expected);

    // When no container is selected, nothing changes.
    let original = pod(
        "storefront",
        "shop",
        &[("web", "shop/web:4.0"), ("proxy", "envoy:1.29")],
    );
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "pull-policy",
            RuleStatus::Skip,
            "no patches applied"
        )]
    );
    assert_unchanged(&evaluation);
}

#[test]
fn global_anchor_gates_the_whole_patch() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: private-registry-secret
spec:
  rules:
  - name: pull-secret
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        spec:
          containers:
          - <(image): "registry.corp.example/*"
          imagePullSecrets:
          - name: corp-pull
"#,
    );
    let private = pod(
        "billing",
        "finance",
        &[
            ("api", "docker.io/library/redis:7"),
            ("core", "registry.corp.example/billing:9"),
        ],
    );
    let evaluation = admit(&engine, &private);
    assert_eq!(
        results(&evaluation),
        [result(
            "pull-secret",
            RuleStatus::Pass,
            "mutated Pod/billing in namespace finance"
        )]
    );
    let mut expected = private.clone();
    set(
        &mut expected,
        "/spec/imagePullSecrets",
        json!([{"name": "corp-pull"}]),
    );
    assert_patched(&evaluation, &private, &expected);

    let public = pod(
        "cache",
        "finance",
        &[("redis", "docker.io/library/redis:7")],
    );
    let evaluation = admit(&engine, &public);
    assert_eq!(
        results(&evaluation),
        [result(
            "pull-secret",
            RuleStatus::Skip,
            "no patches applied"
        )]
    );
    assert_unchanged(&evaluation);
}

#[test]
fn null_in_a_strategic_merge_patch_removes_the_field() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: strip-debug
spec:
  rules:
  - name: drop-debug-annotation
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          annotations:
            debug.example.io/verbose: null
"#,
    );
    let mut original = pod("search", "web", &[("engine", "search:5")]);
    set(
        &mut original,
        "/metadata/annotations",
        json!({"debug.example.io/verbose": "true", "team": "search"}),
    );
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "drop-debug-annotation",
            RuleStatus::Pass,
            "mutated Pod/search in namespace web"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/annotations",
        json!({"team": "search"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn containers_and_env_merge_by_name_and_new_entries_are_prepended() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: region-env
spec:
  rules:
  - name: add-region
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        spec:
          containers:
          - (name): "*"
            env:
            - name: REGION
              value: eu-west-1
"#,
    );
    let original = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "orders", "namespace": "shop"},
        "spec": {"containers": [
            {"name": "api", "image": "orders/api:3", "env": [{"name": "LOG_LEVEL", "value": "debug"}]},
            {"name": "worker", "image": "orders/worker:3"}
        ]}
    });
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "add-region",
            RuleStatus::Pass,
            "mutated Pod/orders in namespace shop"
        )]
    );
    let expected = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "orders", "namespace": "shop"},
        "spec": {"containers": [
            {"name": "api", "image": "orders/api:3", "env": [
                {"name": "REGION", "value": "eu-west-1"},
                {"name": "LOG_LEVEL", "value": "debug"}
            ]},
            {"name": "worker", "image": "orders/worker:3", "env": [
                {"name": "REGION", "value": "eu-west-1"}
            ]}
        ]}
    });
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn lists_without_a_merge_key_are_replaced_by_the_patch() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: spot-tolerations
spec:
  rules:
  - name: tolerate-spot
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        spec:
          tolerations:
          - key: capacity/spot
            operator: Exists
            effect: NoSchedule
"#,
    );
    let mut original = pod("batch", "jobs", &[("run", "batch:1")]);
    set(
        &mut original,
        "/spec/tolerations",
        json!([{"key": "zone/edge", "operator": "Equal", "value": "yes", "effect": "NoExecute"}]),
    );
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "tolerate-spot",
            RuleStatus::Pass,
            "mutated Pod/batch in namespace jobs"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/spec/tolerations",
        json!([{"key": "capacity/spot", "operator": "Exists", "effect": "NoSchedule"}]),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn request_variables_are_substituted_into_the_patch() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: record-origin
spec:
  rules:
  - name: origin
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          annotations:
            origin: "{{request.object.metadata.namespace}}/{{request.object.metadata.name}}"
            first-image: "{{request.object.spec.containers[0].image}}"
"#,
    );
    let original = pod("invoice", "billing", &[("pdf", "render/pdf:0.9")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "origin",
            RuleStatus::Pass,
            "mutated Pod/invoice in namespace billing"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/annotations",
        json!({"origin": "billing/invoice", "first-image": "render/pdf:0.9"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn unresolvable_variable_is_an_error_and_leaves_the_object_alone() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: copy-tier
spec:
  rules:
  - name: tier-annotation
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          annotations:
            tier: "{{request.object.metadata.labels.tier}}"
"#,
    );
    let mut original = pod("lonely", "misc", &[("c", "busybox:1")]);
    set(&mut original, "/metadata/labels", json!({"app": "lonely"}));
    let evaluation = admit(&engine, &original);
    let results = results(&evaluation);
    assert_eq!(results.len(), 1);
    let (rule, status, message) = &results[0];
    assert_eq!(rule, "tier-annotation");
    assert_eq!(*status, RuleStatus::Error);
    assert!(
        message.starts_with("variable substitution failed: "),
        "message: {message}"
    );
    assert!(
        message.contains(r#"Unknown key "tier" in path"#),
        "message: {message}"
    );
    assert_unchanged(&evaluation);
}

// ---------------------------------------------------------------------------------------------
// patchesJson6902

#[test]
fn json6902_add_replace_and_remove_apply_in_order() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: canary-release
spec:
  rules:
  - name: promote
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchesJson6902: |-
        [
          {"op": "add", "path": "/metadata/labels/track", "value": "canary"},
          {"op": "replace", "path": "/spec/containers/0/image", "value": "shop/api:2.2"},
          {"op": "remove", "path": "/metadata/annotations/rollout.example.io~1paused"}
        ]
"#,
    );
    let mut original = pod("api-7f9", "shop", &[("api", "shop/api:2.1")]);
    set(&mut original, "/metadata/labels", json!({"app": "api"}));
    set(
        &mut original,
        "/metadata/annotations",
        json!({"rollout.example.io/paused": "true", "keep": "me"}),
    );
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "promote",
            RuleStatus::Pass,
            "mutated Pod/api-7f9 in namespace shop"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"app": "api", "track": "canary"}),
    );
    set(
        &mut expected,
        "/spec/containers/0/image",
        json!("shop/api:2.2"),
    );
    set(
        &mut expected,
        "/metadata/annotations",
        json!({"keep": "me"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn json6902_in_yaml_appends_and_creates_missing_parents() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: batch-defaults
spec:
  rules:
  - name: batch
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchesJson6902: |-
        - op: add
          path: /spec/tolerations/-
          value: {key: workload/batch, operator: Exists}
        - op: add
          path: /metadata/annotations/reviewed-by
          value: batch-defaults
        - op: add
          path: /spec/containers/0/args/-1
          value: --low-priority
"#,
    );
    let original = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "crunch", "namespace": "jobs"},
        "spec": {
            "containers": [{"name": "main", "image": "crunch:2", "args": ["run"]}],
            "tolerations": [{"key": "zone/edge", "operator": "Exists"}]
        }
    });
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "batch",
            RuleStatus::Pass,
            "mutated Pod/crunch in namespace jobs"
        )]
    );
    let expected = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "crunch", "namespace": "jobs",
            "annotations": {"reviewed-by": "batch-defaults"}
        },
        "spec": {
            "containers": [{"name": "main", "image": "crunch:2", "args": ["run", "--low-priority"]}],
            "tolerations": [
                {"key": "zone/edge", "operator": "Exists"},
                {"key": "workload/batch", "operator": "Exists"}
            ]
        }
    });
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn json6902_removing_a_missing_path_changes_nothing() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: no-host-network
spec:
  rules:
  - name: drop-host-network
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchesJson6902: |-
        - op: remove
          path: /spec/hostNetwork
"#,
    );
    let original = pod("quiet", "default", &[("c", "nginx:1.27")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "drop-host-network",
            RuleStatus::Skip,
            "no patches applied"
        )]
    );
    assert_unchanged(&evaluation);
}

const REPLACE_PRIORITY: &str = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: lower-priority
spec:
  FAILURE_POLICY
  rules:
  - name: priority
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchesJson6902: |-
        - op: replace
          path: /spec/priorityClassName
          value: best-effort
"#;

#[test]
fn json6902_replacing_a_missing_path_is_an_error() {
    let engine = load(&REPLACE_PRIORITY.replace("FAILURE_POLICY", "failurePolicy: Fail"));
    let original = pod("plain", "default", &[("c", "nginx:1.27")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "priority",
            RuleStatus::Error,
            "failed to patch resource: replace operation does not apply: doc is missing key: /spec/priorityClassName: missing value"
        )]
    );
    assert_unchanged(&evaluation);
}

// ---------------------------------------------------------------------------------------------
// Preconditions

#[test]
fn rule_preconditions_decide_whether_the_rule_mutates() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: prod-only
spec:
  rules:
  - name: prod-spread
    match:
      any:
      - resources:
          kinds: [Pod]
    preconditions:
      all:
      - key: "{{request.object.metadata.namespace}}"
        operator: AnyIn
        value: [prod-eu, prod-us]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            spread: zones
"#,
    );
    let staging = pod("web", "staging", &[("web", "web:8")]);
    let evaluation = admit(&engine, &staging);
    let results_staging = results(&evaluation);
    assert_eq!(results_staging.len(), 1);
    assert_eq!(results_staging[0].0, "prod-spread");
    assert_eq!(results_staging[0].1, RuleStatus::Skip);
    assert!(
        results_staging[0].2.starts_with("preconditions not met"),
        "message: {}",
        results_staging[0].2
    );
    assert_unchanged(&evaluation);

    let prod = pod("web", "prod-eu", &[("web", "web:8")]);
    let evaluation = admit(&engine, &prod);
    assert_eq!(
        results(&evaluation),
        [result(
            "prod-spread",
            RuleStatus::Pass,
            "mutated Pod/web in namespace prod-eu"
        )]
    );
    let mut expected = prod.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"spread": "zones"}),
    );
    assert_patched(&evaluation, &prod, &expected);
}

// ---------------------------------------------------------------------------------------------
// Order of rules and policies

#[test]
fn a_later_rule_reads_an_earlier_rules_change_through_request_object() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: tiering
spec:
  rules:
  - name: set-tier
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            tier: backend
  - name: copy-tier
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          annotations:
            scheduling/tier: "{{request.object.metadata.labels.tier}}"
"#,
    );
    let original = pod("queue", "infra", &[("rabbit", "rabbitmq:3.13")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [
            result(
                "set-tier",
                RuleStatus::Pass,
                "mutated Pod/queue in namespace infra"
            ),
            result(
                "copy-tier",
                RuleStatus::Pass,
                "mutated Pod/queue in namespace infra"
            ),
        ]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"tier": "backend"}),
    );
    set(
        &mut expected,
        "/metadata/annotations",
        json!({"scheduling/tier": "backend"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn a_later_rule_matches_on_labels_an_earlier_rule_added() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: gpu-scheduling
spec:
  rules:
  - name: mark-gpu
    match:
      any:
      - resources:
          kinds: [Pod]
          names: ["train-*"]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            accelerator: gpu
  - name: gpu-node
    match:
      any:
      - resources:
          kinds: [Pod]
          selector:
            matchLabels:
              accelerator: gpu
    mutate:
      patchStrategicMerge:
        spec:
          nodeSelector:
            node.example.io/gpu: "true"
"#,
    );
    let original = pod("train-resnet", "ml", &[("trainer", "ml/trainer:1")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [
            result(
                "mark-gpu",
                RuleStatus::Pass,
                "mutated Pod/train-resnet in namespace ml"
            ),
            result(
                "gpu-node",
                RuleStatus::Pass,
                "mutated Pod/train-resnet in namespace ml"
            ),
        ]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"accelerator": "gpu"}),
    );
    set(
        &mut expected,
        "/spec/nodeSelector",
        json!({"node.example.io/gpu": "true"}),
    );
    assert_patched(&evaluation, &original, &expected);

    // Without the first rule's label the second rule does not match.
    let other = pod("serve-resnet", "ml", &[("server", "ml/server:1")]);
    let evaluation = admit(&engine, &other);
    assert!(results(&evaluation).is_empty());
    assert_unchanged(&evaluation);
}

#[test]
fn policies_mutate_in_order_and_each_reports_the_object_after_it() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: first-team
spec:
  rules:
  - name: team
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            team: payments
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: second-contact
spec:
  rules:
  - name: contact
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          annotations:
            contact: "{{request.object.metadata.labels.team}}@example.org"
"#,
    );
    let original = pod("charge", "pay", &[("svc", "pay/charge:12")]);
    let evaluation = admit(&engine, &original);

    let names: Vec<&str> = evaluation
        .policies
        .iter()
        .map(|p| p.policy.name.as_str())
        .collect();
    assert_eq!(names, ["first-team", "second-contact"]);
    assert_eq!(
        results(&evaluation),
        [
            result(
                "team",
                RuleStatus::Pass,
                "mutated Pod/charge in namespace pay"
            ),
            result(
                "contact",
                RuleStatus::Pass,
                "mutated Pod/charge in namespace pay"
            ),
        ]
    );
    let mut after_first = original.clone();
    set(
        &mut after_first,
        "/metadata/labels",
        json!({"team": "payments"}),
    );
    let mut after_second = after_first.clone();
    set(
        &mut after_second,
        "/metadata/annotations",
        json!({"contact": "payments@example.org"}),
    );
    assert_eq!(
        evaluation.policies[0].patched.as_deref(),
        Some(&after_first)
    );
    assert_eq!(
        evaluation.policies[1].patched.as_deref(),
        Some(&after_second)
    );
    assert_patched(&evaluation, &original, &after_second);
}

#[test]
fn validate_rules_check_the_mutated_object_even_when_declared_first() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: non-root
spec:
  validationFailureAction: Enforce
  rules:
  - name: require-non-root
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: pods must run as non-root
      pattern:
        spec:
          securityContext:
            runAsNonRoot: true
  - name: default-non-root
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        spec:
          securityContext:
            +(runAsNonRoot): true
"#,
    );
    let original = pod("render", "media", &[("ffmpeg", "media/ffmpeg:6")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [
            result(
                "default-non-root",
                RuleStatus::Pass,
                "mutated Pod/render in namespace media"
            ),
            result(
                "require-non-root",
                RuleStatus::Pass,
                "validation rule 'require-non-root' passed."
            ),
        ]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/spec/securityContext",
        json!({"runAsNonRoot": true}),
    );
    assert_patched(&evaluation, &original, &expected);
    let decision = decide(&evaluation, &original);
    assert!(decision.allowed, "{}", decision.message());
    assert_eq!(decision.patch, evaluation.patch(&original));
}

#[test]
fn validate_rule_of_another_policy_sees_the_mutation() {
    let engine = load(
        &(r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-owner
spec:
  validationFailureAction: Enforce
  rules:
  - name: owner
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: an owner label is required
      pattern:
        metadata:
          labels:
            owner: "?*"
---
"#
        .to_string()
            + OWNER_LABEL),
    );
    let original = pod("mailer", "ops", &[("smtp", "postfix:3")]);
    let evaluation = admit(&engine, &original);
    let names: Vec<&str> = evaluation
        .policies
        .iter()
        .map(|p| p.policy.name.as_str())
        .collect();
    assert_eq!(names, ["require-owner", "stamp-owner"]);
    assert_eq!(
        results(&evaluation),
        [
            result("owner", RuleStatus::Pass, "validation rule 'owner' passed."),
            result(
                "owner-label",
                RuleStatus::Pass,
                "mutated Pod/mailer in namespace ops"
            ),
        ]
    );
    let decision = decide(&evaluation, &original);
    assert!(decision.allowed, "{}", decision.message());
    assert_eq!(
        decision.patch.len(),
        1,
        "one operation adds the labels: {:?}",
        decision.patch
    );
}

#[test]
fn apply_rules_one_stops_after_the_first_rule_that_changed_the_object() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: one-size
spec:
  applyRules: One
  rules:
  - name: already-sized
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            size: small
  - name: size-medium
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            size: medium
  - name: size-large
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            size: large
"#,
    );
    // The first rule changes nothing (a skip does not count as applied); the second applies
    // and the third never runs.
    let mut original = pod("box", "default", &[("c", "alpine:3")]);
    set(&mut original, "/metadata/labels", json!({"size": "small"}));
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [
            result("already-sized", RuleStatus::Skip, "no patches applied"),
            result(
                "size-medium",
                RuleStatus::Pass,
                "mutated Pod/box in namespace default"
            ),
        ]
    );
    let mut expected = original.clone();
    set(&mut expected, "/metadata/labels", json!({"size": "medium"}));
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn apply_rules_all_runs_every_rule() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: all-sizes
spec:
  rules:
  - name: size-medium
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            size: medium
  - name: size-large
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            size: large
"#,
    );
    let original = pod("box", "default", &[("c", "alpine:3")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [
            result(
                "size-medium",
                RuleStatus::Pass,
                "mutated Pod/box in namespace default"
            ),
            result(
                "size-large",
                RuleStatus::Pass,
                "mutated Pod/box in namespace default"
            ),
        ]
    );
    let mut expected = original.clone();
    set(&mut expected, "/metadata/labels", json!({"size": "large"}));
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn delete_requests_are_not_mutated() {
    let engine = load(OWNER_LABEL);
    let original = pod("gone", "default", &[("c", "alpine:3")]);
    let admission = AdmissionRequest::for_resource(original.clone(), Operation::Delete);
    let evaluation = engine.evaluate(&Request::new(&admission));
    assert!(results(&evaluation).is_empty());
    assert_unchanged(&evaluation);
    let decision = decide(&evaluation, &original);
    assert!(decision.allowed);
    assert!(decision.patch.is_empty());
}

// ---------------------------------------------------------------------------------------------
// foreach

/// A policy whose one rule mirrors every container image with a foreach; `order` is an extra
/// line for the foreach entry (or empty).
fn mirror_images(order: &str) -> String {
    format!(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: mirror-images
spec:
  rules:
  - name: mirror
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.containers
        {order}
        patchStrategicMerge:
          spec:
            containers:
            - name: "{{{{element.name}}}}"
              image: "mirror.internal/{{{{element.image}}}}"
"#
    )
}

fn three_container_pod() -> Value {
    pod(
        "trio",
        "apps",
        &[("app", "app:1"), ("cache", "redis:7"), ("logs", "fluent:2")],
    )
}

#[test]
fn foreach_strategic_merge_keeps_container_order_by_default_and_descending() {
    for order in ["", "order: Descending"] {
        let engine = load(&mirror_images(order));
        let original = three_container_pod();
        let evaluation = admit(&engine, &original);
        assert_eq!(
            results(&evaluation),
            [result(
                "mirror",
                RuleStatus::Pass,
                "mutated Pod/trio in namespace apps"
            )],
            "{order}"
        );
        let expected = pod(
            "trio",
            "apps",
            &[
                ("app", "mirror.internal/app:1"),
                ("cache", "mirror.internal/redis:7"),
                ("logs", "mirror.internal/fluent:2"),
            ],
        );
        assert_patched(&evaluation, &original, &expected);
    }
}

#[test]
fn foreach_strategic_merge_ascending_order_reverses_containers() {
    let engine = load(&mirror_images("order: Ascending"));
    let original = three_container_pod();
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "mirror",
            RuleStatus::Pass,
            "mutated Pod/trio in namespace apps"
        )]
    );
    // Each element's patch prepends the container it names: walking up, the last one ends
    // first.
    let expected = pod(
        "trio",
        "apps",
        &[
            ("logs", "mirror.internal/fluent:2"),
            ("cache", "mirror.internal/redis:7"),
            ("app", "mirror.internal/app:1"),
        ],
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn foreach_default_order_is_ascending_for_json6902_and_descending_for_strategic_merge() {
    // Every element overwrites the same label: the last element visited wins.
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: visit-order
spec:
  rules:
  - name: json-walk
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.containers
        patchesJson6902: |-
          - op: add
            path: /metadata/labels/json-last
            value: "{{element.name}}-{{elementIndex}}"
  - name: merge-walk
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.containers
        patchStrategicMerge:
          metadata:
            labels:
              merge-last: "{{element.name}}-{{elementIndex}}"
"#,
    );
    let mut original = three_container_pod();
    set(&mut original, "/metadata/labels", json!({}));
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [
            result(
                "json-walk",
                RuleStatus::Pass,
                "mutated Pod/trio in namespace apps"
            ),
            result(
                "merge-walk",
                RuleStatus::Pass,
                "mutated Pod/trio in namespace apps"
            ),
        ]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"json-last": "logs-2", "merge-last": "app-0"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn foreach_descending_removes_by_original_index_and_skips_elements_failing_preconditions() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: no-debug-containers
spec:
  rules:
  - name: drop-debuggers
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.containers
        order: Descending
        preconditions:
          all:
          - key: "{{element.name}}"
            operator: AnyIn
            value: [shell, tracer]
        patchesJson6902: |-
          - op: remove
            path: /spec/containers/{{elementIndex}}
"#,
    );
    let original = pod(
        "svc",
        "apps",
        &[
            ("app", "app:1"),
            ("shell", "busybox:1"),
            ("sidecar", "envoy:1.29"),
            ("tracer", "strace:6"),
        ],
    );
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "drop-debuggers",
            RuleStatus::Pass,
            "mutated Pod/svc in namespace apps"
        )]
    );
    let expected = pod(
        "svc",
        "apps",
        &[("app", "app:1"), ("sidecar", "envoy:1.29")],
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn foreach_that_changes_nothing_or_has_no_elements_skips_with_0_elements_processed() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: cap-memory
spec:
  rules:
  - name: memory-limit
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.containers
        preconditions:
          all:
          - key: "{{element.name}}"
            operator: Equals
            value: batch-*
        patchStrategicMerge:
          spec:
            containers:
            - name: "{{element.name}}"
              resources:
                limits:
                  memory: 512Mi
"#,
    );
    let original = pod("web", "apps", &[("nginx", "nginx:1.27"), ("php", "php:8")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "memory-limit",
            RuleStatus::Skip,
            "0 elements processed"
        )]
    );
    assert_unchanged(&evaluation);

    // An empty list processes no element either.
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: init-images
spec:
  rules:
  - name: init-pull
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.initContainers || `[]`
        patchesJson6902: |-
          - op: add
            path: /spec/initContainers/{{elementIndex}}/imagePullPolicy
            value: IfNotPresent
"#,
    );
    let original = pod("web", "apps", &[("nginx", "nginx:1.27")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "init-pull",
            RuleStatus::Skip,
            "0 elements processed"
        )]
    );
    assert_unchanged(&evaluation);
}

#[test]
fn foreach_context_is_loaded_for_each_element() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: working-dirs
spec:
  rules:
  - name: workdir
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.containers
        context:
        - name: slot
          variable:
            jmesPath: "join('-', [element.name, to_string(elementIndex)])"
        patchesJson6902: |-
          - op: add
            path: /spec/containers/{{elementIndex}}/workingDir
            value: /srv/{{slot}}
"#,
    );
    let original = pod("pair", "apps", &[("front", "front:1"), ("back", "back:1")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "workdir",
            RuleStatus::Pass,
            "mutated Pod/pair in namespace apps"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/spec/containers/0/workingDir",
        json!("/srv/front-0"),
    );
    set(
        &mut expected,
        "/spec/containers/1/workingDir",
        json!("/srv/back-1"),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn nested_foreach_reads_both_elements_and_indices() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: port-names
spec:
  rules:
  - name: name-ports
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.containers
        foreach:
        - list: element.ports
          patchesJson6902: |-
            - op: add
              path: /spec/containers/{{elementIndex0}}/ports/{{elementIndex1}}/name
              value: "{{element0.name}}-{{element1.containerPort}}"
"#,
    );
    let original = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "gateway", "namespace": "edge"},
        "spec": {"containers": [
            {"name": "web", "image": "gw:1", "ports": [{"containerPort": 8080}, {"containerPort": 8443}]},
            {"name": "stats", "image": "prom:2", "ports": [{"containerPort": 9090}]}
        ]}
    });
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "name-ports",
            RuleStatus::Pass,
            "mutated Pod/gateway in namespace edge"
        )]
    );
    let expected = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "gateway", "namespace": "edge"},
        "spec": {"containers": [
            {"name": "web", "image": "gw:1", "ports": [
                {"containerPort": 8080, "name": "web-8080"},
                {"containerPort": 8443, "name": "web-8443"}
            ]},
            {"name": "stats", "image": "prom:2", "ports": [
                {"containerPort": 9090, "name": "stats-9090"}
            ]}
        ]}
    });
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn request_object_is_refreshed_between_foreach_entries_but_not_between_elements() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: trails
spec:
  rules:
  - name: trail
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.containers
        patchStrategicMerge:
          metadata:
            labels:
              trail: "{{request.object.metadata.labels.trail}}-{{element.name}}"
      - list: request.object.metadata.labels.[trail]
        patchesJson6902: |-
          - op: replace
            path: /metadata/labels/trail
            value: "{{request.object.metadata.labels.trail}}.{{element}}"
"#,
    );
    let mut original = pod("walker", "apps", &[("a", "a:1"), ("b", "b:1")]);
    set(&mut original, "/metadata/labels", json!({"trail": "start"}));
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "trail",
            RuleStatus::Pass,
            "mutated Pod/walker in namespace apps"
        )]
    );
    // First entry, walking down: `b` then `a`, both reading the original `start`; the second
    // entry's list and patch read the first entry's result.
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"trail": "start-a.start-a"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

// ---------------------------------------------------------------------------------------------
// {{ @ }}

#[test]
fn at_reads_the_current_value_under_label_keys_with_slashes_and_dashes() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: tidy-labels
spec:
  rules:
  - name: tidy
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            app.kubernetes.io/part-of: "{{ to_upper('{{@}}') }}"
            cost-center: "{{ regex_replace_all('^cc-', '{{ @ }}', '') }}"
"#,
    );
    let mut original = pod("tidy", "default", &[("c", "alpine:3")]);
    set(
        &mut original,
        "/metadata/labels",
        json!({"app.kubernetes.io/part-of": "checkout", "cost-center": "cc-4711", "keep": "x"}),
    );
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "tidy",
            RuleStatus::Pass,
            "mutated Pod/tidy in namespace default"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"app.kubernetes.io/part-of": "CHECKOUT", "cost-center": "4711", "keep": "x"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn bare_at_inside_an_expression_is_the_whole_context_not_the_current_value() {
    // Only a variable that is exactly `@` reads the current value; inside an expression `@` is
    // the root of the context (an object), which `to_upper` refuses.
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: shout
spec:
  rules:
  - name: upper
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            zone: "{{ to_upper(@) }}"
"#,
    );
    let mut original = pod("loud", "default", &[("c", "alpine:3")]);
    set(
        &mut original,
        "/metadata/labels",
        json!({"zone": "eu-north"}),
    );
    let evaluation = admit(&engine, &original);
    let results = results(&evaluation);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].1, RuleStatus::Error);
    assert!(
        results[0].2.starts_with("variable substitution failed: "),
        "message: {}",
        results[0].2
    );
    assert_unchanged(&evaluation);
}

#[test]
fn at_in_an_anchored_list_element_reads_the_patch_position_for_every_container() {
    // Variables are substituted in the rule before the anchors are expanded: `{{@}}` under the
    // pattern's first list element reads the first container's image, and the expanded patch
    // gives that value to every container. (A foreach with `element.image` patches each
    // container with its own image.)
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: proxy-registry
spec:
  rules:
  - name: via-proxy
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        spec:
          containers:
          - (name): "*"
            image: "proxy.example.net/{{@}}"
"#,
    );
    let original = pod("duo", "apps", &[("one", "alpine:3"), ("two", "nginx:1.27")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "via-proxy",
            RuleStatus::Pass,
            "mutated Pod/duo in namespace apps"
        )]
    );
    let expected = pod(
        "duo",
        "apps",
        &[
            ("one", "proxy.example.net/alpine:3"),
            ("two", "proxy.example.net/alpine:3"),
        ],
    );
    assert_patched(&evaluation, &original, &expected);
}

// ---------------------------------------------------------------------------------------------
// Autogen

const SIDECAR_LABEL: &str = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: inject-marker
spec:
  rules:
  - name: marker
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            mesh: enabled
"#;

#[test]
fn autogen_mutates_the_pod_template_of_a_deployment() {
    let engine = load(SIDECAR_LABEL);
    let original = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "frontend", "namespace": "web"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "frontend"}},
            "template": {
                "metadata": {"labels": {"app": "frontend"}},
                "spec": {"containers": [{"name": "ui", "image": "web/ui:5"}]}
            }
        }
    });
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "autogen-marker",
            RuleStatus::Pass,
            "mutated Deployment/frontend in namespace web"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/spec/template/metadata/labels",
        json!({"app": "frontend", "mesh": "enabled"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn autogen_mutates_the_job_template_of_a_cronjob() {
    let engine = load(SIDECAR_LABEL);
    let original = json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "nightly", "namespace": "ops"},
        "spec": {
            "schedule": "0 3 * * *",
            "jobTemplate": {"spec": {"template": {
                "spec": {
                    "restartPolicy": "OnFailure",
                    "containers": [{"name": "backup", "image": "ops/backup:1"}]
                }
            }}}
        }
    });
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "autogen-cronjob-marker",
            RuleStatus::Pass,
            "mutated CronJob/nightly in namespace ops"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/spec/jobTemplate/spec/template/metadata",
        json!({"labels": {"mesh": "enabled"}}),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn policies_with_json6902_get_no_autogen_rules() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: json-marker
spec:
  rules:
  - name: marker
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchesJson6902: |-
        - op: add
          path: /metadata/labels/mesh
          value: enabled
"#,
    );
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "frontend", "namespace": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "frontend"}},
            "template": {
                "metadata": {"labels": {"app": "frontend"}},
                "spec": {"containers": [{"name": "ui", "image": "web/ui:5"}]}
            }
        }
    });
    let evaluation = admit(&engine, &deployment);
    assert!(
        results(&evaluation).is_empty(),
        "{:?}",
        results(&evaluation)
    );
    assert_unchanged(&evaluation);
    assert_eq!(engine.rule_count(), 1);

    // The Pod rule itself still applies.
    let original = pod("solo", "web", &[("ui", "web/ui:5")]);
    let evaluation = admit(&engine, &original);
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"mesh": "enabled"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

// ---------------------------------------------------------------------------------------------
// Admission

#[test]
fn the_admission_response_carries_the_patch_base64_encoded() {
    use base64::Engine as _;
    let engine = load(OWNER_LABEL);
    let original = pod("api", "shop", &[("api", "shop/api:2.1")]);
    let evaluation = admit(&engine, &original);
    let decision = decide(&evaluation, &original);
    assert!(decision.allowed);
    assert!(decision.warnings.is_empty());
    assert_eq!(decision.patch, evaluation.patch(&original));

    let response = decision.into_response("req-42");
    assert_eq!(response.uid, "req-42");
    assert!(response.allowed);
    assert_eq!(response.patch_type.as_deref(), Some("JSONPatch"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(response.patch.expect("a patch"))
        .expect("base64");
    let ops: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(
        ops,
        serde_json::to_value(evaluation.patch(&original)).unwrap()
    );
    let ops = rampart::jsonpatch::parse(&ops).expect("a JSON Patch");
    let mut doc = original.clone();
    rampart::jsonpatch::apply(&mut doc, &ops).expect("applies");
    assert_eq!(Some(&doc), evaluation.patched.as_deref());
    assert_eq!(doc["metadata"]["labels"], json!({"owner": "platform-team"}));
}

#[test]
fn a_mutate_error_denies_when_the_failure_policy_is_fail() {
    let engine = load(&REPLACE_PRIORITY.replace("FAILURE_POLICY", "failurePolicy: Fail"));
    let original = pod("plain", "default", &[("c", "nginx:1.27")]);
    let evaluation = admit(&engine, &original);
    let decision = decide(&evaluation, &original);
    assert!(!decision.allowed);
    assert!(decision.patch.is_empty());
    assert_eq!(
        decision.message(),
        "mutation policy lower-priority error: failed to apply policy lower-priority rules \
         [priority: failed to patch resource: replace operation does not apply: doc is missing \
         key: /spec/priorityClassName: missing value]"
    );
}

#[test]
fn a_mutate_error_is_let_through_when_the_failure_policy_is_ignore() {
    let engine = load(&REPLACE_PRIORITY.replace("FAILURE_POLICY", "failurePolicy: Ignore"));
    let original = pod("plain", "default", &[("c", "nginx:1.27")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(evaluation.rules().count(), 1);
    assert_eq!(
        evaluation.rules().next().unwrap().1.status,
        RuleStatus::Error
    );
    let decision = decide(&evaluation, &original);
    assert!(decision.allowed, "{}", decision.message());
    assert!(decision.patch.is_empty());

    // With `emitWarning`, the tolerated error is a warning.
    let engine = load(&REPLACE_PRIORITY.replace(
        "FAILURE_POLICY",
        "failurePolicy: Ignore\n  emitWarning: true",
    ));
    let original = pod("plain", "default", &[("c", "nginx:1.27")]);
    let decision = decide(&admit(&engine, &original), &original);
    assert!(decision.allowed);
    assert_eq!(
        decision.warnings,
        [
            "policy lower-priority.priority: failed to patch resource: replace operation does not apply: doc is missing key: /spec/priorityClassName: missing value"
        ]
    );
}

#[test]
fn a_failing_policy_does_not_keep_other_policies_from_patching() {
    let yaml =
        REPLACE_PRIORITY.replace("FAILURE_POLICY", "failurePolicy: Ignore") + "---\n" + OWNER_LABEL;
    let engine = load(&yaml);
    let original = pod("plain", "default", &[("c", "nginx:1.27")]);
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [
            result(
                "priority",
                RuleStatus::Error,
                "failed to patch resource: replace operation does not apply: doc is missing key: /spec/priorityClassName: missing value"
            ),
            result(
                "owner-label",
                RuleStatus::Pass,
                "mutated Pod/plain in namespace default"
            ),
        ]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"owner": "platform-team"}),
    );
    assert_patched(&evaluation, &original, &expected);
    let decision = decide(&evaluation, &original);
    assert!(decision.allowed);
    assert_eq!(decision.patch, evaluation.patch(&original));
}

// ---------------------------------------------------------------------------------------------
// Mutate existing resources

const RESTART_ON_CONFIG: &str = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: restart-on-config
spec:
  rules:
  - name: stamp-deployments
    match:
      any:
      - resources:
          kinds: [ConfigMap]
    mutate:
      targets:
      - apiVersion: apps/v1
        kind: Deployment
        namespace: "{{request.object.metadata.namespace}}"
        selector:
          matchLabels:
            config: "{{request.object.metadata.name}}"
      patchStrategicMerge:
        spec:
          template:
            metadata:
              annotations:
                config.example.io/revision: "{{request.object.metadata.resourceVersion}}"
"#;

fn deployment(name: &str, namespace: &str, labels: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": format!("{name}:1")}]}
            }
        }
    })
}

fn settings_config_map() -> Value {
    json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "shop", "resourceVersion": "812"},
        "data": {"mode": "fast"}
    })
}

#[test]
fn mutate_existing_patches_each_target_and_not_the_trigger() {
    let engine = load(RESTART_ON_CONFIG);
    let cluster = Cluster(vec![
        deployment("cart", "shop", json!({"config": "settings"})),
        deployment("search", "shop", json!({"config": "other"})),
        deployment("basket", "shop", json!({"config": "settings"})),
        deployment("cart", "staging", json!({"config": "settings"})),
    ]);
    let trigger = settings_config_map();
    let admission = AdmissionRequest::for_resource(trigger, Operation::Create);
    let request = Request::new(&admission)
        .with_origin(Origin::Offline)
        .with_data(&cluster);
    let evaluation = engine.evaluate(&request);

    assert_eq!(
        results(&evaluation),
        [
            result(
                "stamp-deployments",
                RuleStatus::Pass,
                "mutated Deployment/cart in namespace shop"
            ),
            result(
                "stamp-deployments",
                RuleStatus::Pass,
                "mutated Deployment/basket in namespace shop"
            ),
        ]
    );
    let stamped = |name: &str| {
        let mut d = deployment(name, "shop", json!({"config": "settings"}));
        set(
            &mut d,
            "/spec/template/metadata/annotations",
            json!({"config.example.io/revision": "812"}),
        );
        d
    };
    assert_eq!(targets(&evaluation), [stamped("cart"), stamped("basket")]);
    // The trigger itself is not changed.
    assert_unchanged(&evaluation);
    assert!(evaluation.decision_for(&admission).patch.is_empty());
}

#[test]
fn mutate_existing_rules_do_not_run_for_admission_requests() {
    let engine = load(RESTART_ON_CONFIG);
    let cluster = Cluster(vec![deployment(
        "cart",
        "shop",
        json!({"config": "settings"}),
    )]);
    let admission = AdmissionRequest::for_resource(settings_config_map(), Operation::Create);
    let evaluation = engine.evaluate(&Request::new(&admission).with_data(&cluster));
    assert!(
        results(&evaluation).is_empty(),
        "{:?}",
        results(&evaluation)
    );
    assert!(targets(&evaluation).is_empty());
    assert_unchanged(&evaluation);
    assert!(evaluation.decision_for(&admission).allowed);
}

#[test]
fn mutate_existing_at_reads_the_targets_current_value() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: bump-generation
spec:
  rules:
  - name: suffix-owner
    match:
      any:
      - resources:
          kinds: [Secret]
    mutate:
      targets:
      - apiVersion: v1
        kind: ConfigMap
        namespace: "{{request.object.metadata.namespace}}"
        name: "app-*"
      patchStrategicMerge:
        metadata:
          labels:
            owner: "{{@}}-rotated"
"#,
    );
    let config = |name: &str, owner: &str| {
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "vault", "labels": {"owner": owner}},
            "data": {"k": "v"}
        })
    };
    let cluster = Cluster(vec![
        config("app-one", "alice"),
        config("app-two", "bob"),
        config("unrelated", "carol"),
    ]);
    let trigger = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "creds", "namespace": "vault"},
        "data": {"token": "c2VjcmV0"}
    });
    let admission = AdmissionRequest::for_resource(trigger, Operation::Create);
    let evaluation = engine.evaluate(
        &Request::new(&admission)
            .with_origin(Origin::Offline)
            .with_data(&cluster),
    );
    assert_eq!(
        results(&evaluation),
        [
            result(
                "suffix-owner",
                RuleStatus::Pass,
                "mutated ConfigMap/app-one in namespace vault"
            ),
            result(
                "suffix-owner",
                RuleStatus::Pass,
                "mutated ConfigMap/app-two in namespace vault"
            ),
        ]
    );
    assert_eq!(
        targets(&evaluation),
        [
            config("app-one", "alice-rotated"),
            config("app-two", "bob-rotated")
        ]
    );
    assert_unchanged(&evaluation);
}

#[test]
fn mutate_existing_target_already_in_shape_skips() {
    let engine = load(RESTART_ON_CONFIG);
    let mut current = deployment("cart", "shop", json!({"config": "settings"}));
    set(
        &mut current,
        "/spec/template/metadata/annotations",
        json!({"config.example.io/revision": "812"}),
    );
    let cluster = Cluster(vec![current]);
    let admission = AdmissionRequest::for_resource(settings_config_map(), Operation::Create);
    let evaluation = engine.evaluate(
        &Request::new(&admission)
            .with_origin(Origin::Offline)
            .with_data(&cluster),
    );
    assert_eq!(
        results(&evaluation),
        [result(
            "stamp-deployments",
            RuleStatus::Skip,
            "no patches applied"
        )]
    );
    assert!(targets(&evaluation).is_empty());
    assert_unchanged(&evaluation);
}

// ---------------------------------------------------------------------------------------------
// More patch forms and failures

#[test]
fn patch_delete_directive_removes_a_container_by_name() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: no-debug-sidecar
spec:
  rules:
  - name: drop-debug
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        spec:
          containers:
          - name: debug
            $patch: delete
"#,
    );
    let original = pod(
        "app",
        "apps",
        &[
            ("main", "app:3"),
            ("debug", "busybox:1"),
            ("proxy", "envoy:1.29"),
        ],
    );
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "drop-debug",
            RuleStatus::Pass,
            "mutated Pod/app in namespace apps"
        )]
    );
    let expected = pod("app", "apps", &[("main", "app:3"), ("proxy", "envoy:1.29")]);
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn rule_context_variables_feed_the_patch() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: team-contacts
spec:
  rules:
  - name: contact
    match:
      any:
      - resources:
          kinds: [Pod]
    context:
    - name: contacts
      variable:
        value:
          payments: pay-oncall@example.org
          search: search-oncall@example.org
    - name: team
      variable:
        jmesPath: request.object.metadata.labels.team
    mutate:
      patchStrategicMerge:
        metadata:
          annotations:
            oncall: "{{ contacts.\"{{team}}\" }}"
"#,
    );
    let mut original = pod("charge", "pay", &[("svc", "pay/charge:12")]);
    set(
        &mut original,
        "/metadata/labels",
        json!({"team": "payments"}),
    );
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "contact",
            RuleStatus::Pass,
            "mutated Pod/charge in namespace pay"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/annotations",
        json!({"oncall": "pay-oncall@example.org"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn json6902_failed_test_operation_is_an_error() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: guarded-scale
spec:
  failurePolicy: Ignore
  rules:
  - name: only-from-default
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchesJson6902: |-
        - op: test
          path: /spec/schedulerName
          value: default-scheduler
        - op: replace
          path: /spec/schedulerName
          value: bin-packer
"#,
    );
    let mut custom = pod("p", "default", &[("c", "nginx:1.27")]);
    set(&mut custom, "/spec/schedulerName", json!("gang-scheduler"));
    let evaluation = admit(&engine, &custom);
    assert_eq!(
        results(&evaluation),
        [result(
            "only-from-default",
            RuleStatus::Error,
            "failed to patch resource: testing value /spec/schedulerName failed: test failed"
        )]
    );
    assert_unchanged(&evaluation);

    let mut default = custom.clone();
    set(
        &mut default,
        "/spec/schedulerName",
        json!("default-scheduler"),
    );
    let evaluation = admit(&engine, &default);
    assert_eq!(
        results(&evaluation),
        [result(
            "only-from-default",
            RuleStatus::Pass,
            "mutated Pod/p in namespace default"
        )]
    );
    let mut expected = default.clone();
    set(&mut expected, "/spec/schedulerName", json!("bin-packer"));
    assert_patched(&evaluation, &default, &expected);
}

#[test]
fn a_foreach_element_patch_error_fails_the_rule_with_failed_to_mutate_elements() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: retag
spec:
  failurePolicy: Ignore
  rules:
  - name: retag-pull-policy
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      foreach:
      - list: request.object.spec.containers
        patchesJson6902: |-
          - op: replace
            path: /spec/containers/{{elementIndex}}/imagePullPolicy
            value: Always
"#,
    );
    let mut original = pod("mixed", "apps", &[("a", "a:1"), ("b", "b:1")]);
    set(
        &mut original,
        "/spec/containers/0/imagePullPolicy",
        json!("IfNotPresent"),
    );
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "retag-pull-policy",
            RuleStatus::Error,
            "failed to mutate elements: failed to patch resource: replace operation does not apply: doc is missing key: /spec/containers/1/imagePullPolicy: missing value"
        )]
    );
    // The element that did patch is dropped with the rule.
    assert_unchanged(&evaluation);
}

#[test]
fn update_requests_are_mutated() {
    let engine = load(OWNER_LABEL);
    let original = pod("steady", "default", &[("c", "alpine:3")]);
    let admission = AdmissionRequest::for_resource(original.clone(), Operation::Update);
    let evaluation = engine.evaluate(&Request::new(&admission));
    assert_eq!(
        results(&evaluation),
        [result(
            "owner-label",
            RuleStatus::Pass,
            "mutated Pod/steady in namespace default"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"owner": "platform-team"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn a_namespaced_policy_mutates_only_its_own_namespace() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: Policy
metadata:
  name: shop-defaults
  namespace: shop
spec:
  rules:
  - name: shop-label
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            storefront: "yes"
"#,
    );
    let inside = pod("cart", "shop", &[("c", "cart:1")]);
    let evaluation = admit(&engine, &inside);
    assert_eq!(
        results(&evaluation),
        [result(
            "shop-label",
            RuleStatus::Pass,
            "mutated Pod/cart in namespace shop"
        )]
    );
    let mut expected = inside.clone();
    set(
        &mut expected,
        "/metadata/labels",
        json!({"storefront": "yes"}),
    );
    assert_patched(&evaluation, &inside, &expected);

    let outside = pod("cart", "warehouse", &[("c", "cart:1")]);
    let evaluation = admit(&engine, &outside);
    assert!(results(&evaluation).is_empty());
    assert_unchanged(&evaluation);
}

// ---------------------------------------------------------------------------------------------
// Autogen with foreach and variables

#[test]
fn autogen_foreach_walks_the_template_containers() {
    let engine = load(&mirror_images(""));
    let original = json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "data"},
        "spec": {
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [
                    {"name": "postgres", "image": "postgres:16"},
                    {"name": "exporter", "image": "pg-exporter:0.15"}
                ]}
            }
        }
    });
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "autogen-mirror",
            RuleStatus::Pass,
            "mutated StatefulSet/db in namespace data"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/spec/template/spec/containers",
        json!([
            {"name": "postgres", "image": "mirror.internal/postgres:16"},
            {"name": "exporter", "image": "mirror.internal/pg-exporter:0.15"}
        ]),
    );
    assert_patched(&evaluation, &original, &expected);
}

#[test]
fn autogen_reads_request_object_metadata_from_the_pod_template() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: app-annotation
spec:
  rules:
  - name: app-name
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          annotations:
            app-name: "{{request.object.metadata.labels.app}}"
"#,
    );
    let original = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "web", "labels": {"app": "api-deployment"}},
        "spec": {
            "selector": {"matchLabels": {"app": "api-pod"}},
            "template": {
                "metadata": {"labels": {"app": "api-pod"}},
                "spec": {"containers": [{"name": "api", "image": "api:7"}]}
            }
        }
    });
    let evaluation = admit(&engine, &original);
    assert_eq!(
        results(&evaluation),
        [result(
            "autogen-app-name",
            RuleStatus::Pass,
            "mutated Deployment/api in namespace web"
        )]
    );
    let mut expected = original.clone();
    set(
        &mut expected,
        "/spec/template/metadata/annotations",
        json!({"app-name": "api-pod"}),
    );
    assert_patched(&evaluation, &original, &expected);
}

// ---------------------------------------------------------------------------------------------
// Mutate existing: per-target preconditions

#[test]
fn mutate_existing_target_preconditions_skip_single_targets() {
    let engine = load(
        r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: rotate-marker
spec:
  rules:
  - name: mark
    match:
      any:
      - resources:
          kinds: [Secret]
    mutate:
      targets:
      - apiVersion: v1
        kind: ConfigMap
        namespace: "{{request.object.metadata.namespace}}"
        preconditions:
          all:
          - key: "{{target.metadata.labels.frozen || 'no'}}"
            operator: NotEquals
            value: "yes"
      patchStrategicMerge:
        metadata:
          annotations:
            rotated-with: "{{request.object.metadata.name}}"
"#,
    );
    let config = |name: &str, labels: Value| {
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "vault", "labels": labels},
            "data": {"k": "v"}
        })
    };
    let cluster = Cluster(vec![
        config("live", json!({"tier": "a"})),
        config("frozen", json!({"frozen": "yes"})),
    ]);
    let trigger = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "creds-v2", "namespace": "vault"}
    });
    let admission = AdmissionRequest::for_resource(trigger, Operation::Create);
    let evaluation = engine.evaluate(
        &Request::new(&admission)
            .with_origin(Origin::Offline)
            .with_data(&cluster),
    );
    let results = results(&evaluation);
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(
        results[0],
        result(
            "mark",
            RuleStatus::Pass,
            "mutated ConfigMap/live in namespace vault"
        )
    );
    assert_eq!(results[1].1, RuleStatus::Skip);
    assert!(
        results[1].2.starts_with("preconditions not met"),
        "message: {}",
        results[1].2
    );
    let mut live = config("live", json!({"tier": "a"}));
    set(
        &mut live,
        "/metadata/annotations",
        json!({"rotated-with": "creds-v2"}),
    );
    assert_eq!(targets(&evaluation), [live]);
    assert_unchanged(&evaluation);
}
