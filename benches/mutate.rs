//! One strategic-merge mutate rule with anchors (`+()` add-if-absent, `(name)` and `(image)`
//! conditions on list elements) on a Pod with 3 containers, evaluated through the engine; and
//! the JSON Patch diff from that Pod to its patched form. Targets (issue 9): under 5 µs per rule,
//! under 3 µs per diff.

use criterion::{Criterion, criterion_group, criterion_main};
use rampart::{AdmissionRequest, Loader, Operation, Request, RuleStatus};
use serde_json::{Value, json};

const POLICY: &str = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: container-defaults}
spec:
  rules:
    - name: defaults
      match: {any: [{resources: {kinds: [Pod]}}]}
      mutate:
        patchStrategicMerge:
          metadata:
            labels:
              +(team): unassigned
          spec:
            containers:
              - (name): "*"
                (image): "*:*"
                imagePullPolicy: IfNotPresent
                securityContext:
                  +(allowPrivilegeEscalation): false
                  +(runAsNonRoot): true
"#;

fn container(name: &str) -> Value {
    json!({
        "name": name,
        "image": format!("registry.example/{name}:1.0"),
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
        "env": [{"name": "MODE", "value": "production"}],
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
        "securityContext": {"capabilities": {"drop": ["ALL"]}}
    })
}

fn pod() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "bench", "namespace": "default", "labels": {"app": "bench"}},
        "spec": {
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [container("a"), container("b"), container("c")],
            "volumes": [{"name": "data", "emptyDir": {}}]
        }
    })
}

fn bench(c: &mut Criterion) {
    let mut loader = Loader::new();
    loader.add_text("policy.yaml", POLICY);
    assert!(!loader.has_errors(), "{}", loader.render_diagnostics(false));
    let engine = loader.engine();
    let admission = AdmissionRequest::for_resource(pod(), Operation::Create);
    let request = Request::new(&admission);
    let evaluation = engine.evaluate(&request);
    let (_, rule) = evaluation.rules().next().expect("the rule applies");
    assert_eq!(rule.status, RuleStatus::Pass, "{}", rule.message);
    let patched = evaluation
        .patched
        .as_deref()
        .expect("the pod changes")
        .clone();
    for c in patched["spec"]["containers"]
        .as_array()
        .expect("containers")
    {
        assert_eq!(c["securityContext"]["runAsNonRoot"], json!(true));
        assert_eq!(c["imagePullPolicy"], json!("IfNotPresent"));
    }
    c.bench_function(
        "mutate: strategic merge with anchors, 3-container Pod",
        |b| b.iter(|| engine.evaluate(std::hint::black_box(&request))),
    );
    let original = pod();
    assert_eq!(rampart::jsonpatch::diff(&original, &patched).len(), 10);
    c.bench_function("mutate: JSON Patch diff of the 3-container Pod", |b| {
        b.iter(|| {
            rampart::jsonpatch::diff(
                std::hint::black_box(&original),
                std::hint::black_box(&patched),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
