//! Parse-once evaluation of typical Kyverno expressions over a Pod admission request, and the
//! JMESPath compliance suite's `benchmarks.json` side by side with the `jmespath` crate, each
//! case measured as its `bench` field says: `parse`, `interpret` (evaluation only) or `full`
//! (parse, then evaluate).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rampart::expr::{self, Dialect};
use serde_json::{Value, json};

fn pod_request() -> Value {
    let container = |name: &str, image: &str, privileged: bool| {
        json!({
            "name": name,
            "image": image,
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
            "securityContext": {"privileged": privileged, "runAsNonRoot": true}
        })
    };
    json!({
        "request": {
            "operation": "CREATE",
            "namespace": "default",
            "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
            "object": {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        container("web", "registry.example.com/web:1.2.3", false),
                        container("sidecar", "docker.io/envoyproxy/envoy:v1.29", true)
                    ],
                    "volumes": [{"name": "data", "emptyDir": {}}]
                }
            }
        }
    })
}

fn kyverno_expressions(c: &mut Criterion) {
    let data = pod_request();
    let cases = [
        ("path", "request.object.spec.containers[].image"),
        (
            "filter",
            "request.object.spec.containers[?securityContext.privileged == `true`].name",
        ),
        (
            "regex_match",
            "regex_match('^registry\\.example\\.com/', request.object.spec.containers[0].image)",
        ),
    ];
    let mut group = c.benchmark_group("kyverno");
    for (name, text) in cases {
        let compiled = expr::parse(text).expect("bench expression parses");
        group.bench_function(name, |b| b.iter(|| compiled.evaluate(black_box(&data))));
    }
    group.finish();
}

fn suite_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/jmespath/benchmarks.json")
}

fn compliance_benchmarks(c: &mut Criterion) {
    let Ok(text) = std::fs::read_to_string(suite_file()) else {
        eprintln!("benchmarks.json not found; skipping the side-by-side benchmarks");
        return;
    };
    let suites: Vec<Value> = serde_json::from_str(&text).expect("benchmarks.json is JSON");
    let mut group = c.benchmark_group("compliance");
    for suite in &suites {
        let given = suite.get("given").cloned().unwrap_or(Value::Null);
        let peer_data = jmespath::Rcvar::new(
            jmespath::Variable::from_json(&given.to_string()).expect("peer reads the document"),
        );
        for case in suite["cases"].as_array().into_iter().flatten() {
            let text = case["expression"].as_str().unwrap_or_default();
            let comment = case["comment"].as_str().unwrap_or(text);
            match case["bench"].as_str() {
                Some("parse") => {
                    group.bench_function(format!("{comment}/parse/rampart"), |b| {
                        b.iter(|| expr::parse(black_box(text)))
                    });
                    group.bench_function(format!("{comment}/parse/jmespath"), |b| {
                        b.iter(|| jmespath::compile(black_box(text)))
                    });
                }
                Some("full") => {
                    group.bench_function(format!("{comment}/full/rampart"), |b| {
                        b.iter(|| {
                            expr::parse(black_box(text))
                                .map(|e| e.evaluate_with(black_box(&given), Dialect::Standard))
                        })
                    });
                    group.bench_function(format!("{comment}/full/jmespath"), |b| {
                        b.iter(|| {
                            jmespath::compile(black_box(text))
                                .map(|e| e.search(black_box(peer_data.clone())))
                        })
                    });
                }
                _ => {
                    let ours = expr::parse(text).expect("benchmark parses");
                    let peer = jmespath::compile(text).expect("peer parses");
                    group.bench_function(format!("{comment}/eval/rampart"), |b| {
                        b.iter(|| ours.evaluate_with(black_box(&given), Dialect::Standard))
                    });
                    group.bench_function(format!("{comment}/eval/jmespath"), |b| {
                        b.iter(|| peer.search(black_box(peer_data.clone())))
                    });
                }
            }
        }
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = kyverno_expressions, compliance_benchmarks
}
criterion_main!(benches);
