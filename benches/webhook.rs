//! What `rampart serve` spends on one admission review beside the network: the body parsed,
//! the policies of `scripts/loadtest.sh` (the 19 per-control Pod Security policies and the
//! seed examples) evaluated, the decision made and the answer serialized. The load test's
//! throughput is bounded by this and by the TLS/HTTP stack.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart::{AdmissionReview, Engine, Loader, Request};
use serde_json::{Value, json};

/// The policies `scripts/loadtest.sh` loads.
const POLICIES: &[&str] = &[
    "stdlib:pod-security/controls/",
    "examples/user-group-defaults/policy.yaml",
    "examples/require-team-label/policy.yaml",
    "examples/no-latest-images/policy.yaml",
];

/// An AdmissionReview of `object`, as the API server sends it.
fn review(object: Value, group: &str, resource: &str) -> Vec<u8> {
    let version = object["apiVersion"]
        .as_str()
        .and_then(|v| v.rsplit('/').next())
        .unwrap_or("v1")
        .to_string();
    let body = json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": group, "version": version, "kind": object["kind"]},
            "resource": {"group": group, "version": version, "resource": resource},
            "name": object["metadata"]["name"], "namespace": "default", "operation": "CREATE",
            "userInfo": {"username": "admin", "groups": ["system:authenticated"]},
            "object": object, "oldObject": null, "dryRun": false
        }
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

fn pod() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27.2", "ports": [{"containerPort": 80}],
            "securityContext": {"runAsNonRoot": true, "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}}]}})
}

fn deployment() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "nginx-deployment", "namespace": "default", "labels": {"app": "nginx"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}},
            "template": {"metadata": {"labels": {"app": "nginx"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2",
                    "ports": [{"containerPort": 80}], "securityContext": {"runAsNonRoot": true}}]}}}})
}

/// What the server does with a review's body: the serialized answer.
fn answer(engine: &Engine, body: &[u8]) -> Option<Vec<u8>> {
    let review = AdmissionReview::from_json(body).ok()?;
    let request = review.request.as_ref()?;
    let decision = engine.evaluate(&Request::new(request)).decision();
    let answer = review.respond(decision.into_response(&request.uid));
    serde_json::to_vec(&answer).ok()
}

fn bench(c: &mut Criterion) {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap_or_default();
    let mut loader = Loader::new();
    let _ = loader.add_paths(POLICIES);
    let engine = loader.engine();
    println!(
        "webhook: {} policies, {} rules with autogen",
        engine.policies().count(),
        engine.rule_count()
    );
    let body = review(pod(), "", "pods");
    // A fixed number of Pod reviews and nothing else, for instruction counts under
    // `valgrind --tool=callgrind` (repeatable on a busy machine, unlike times).
    if let Some(n) = std::env::var("RAMPART_WEBHOOK_ITERATIONS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        for _ in 0..n {
            std::hint::black_box(answer(&engine, &body));
        }
        return;
    }
    // Where the time goes: each policy alone on the Pod review (a rough breakdown, printed).
    if let Ok(review) = AdmissionReview::from_json(&body)
        && let Some(request) = review.request.as_ref()
    {
        let mut costs: Vec<(f64, String)> = engine
            .policies()
            .map(|p| {
                let key = p.key();
                let alone = engine.retain(|q| q.key() == key);
                let started = std::time::Instant::now();
                for _ in 0..2000 {
                    std::hint::black_box(alone.evaluate(&Request::new(request)));
                }
                (started.elapsed().as_secs_f64() / 2000.0 * 1e6, key)
            })
            .collect();
        costs.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (micros, key) in costs {
            println!("  {micros:6.2} µs  {key}");
        }
    }
    let mut group = c.benchmark_group("webhook");
    group.throughput(Throughput::Elements(1));
    for (name, body) in [
        ("pod-review", review(pod(), "", "pods")),
        (
            "deployment-review",
            review(deployment(), "apps", "deployments"),
        ),
    ] {
        group.bench_function(name, |b| b.iter(|| answer(&engine, &body)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
