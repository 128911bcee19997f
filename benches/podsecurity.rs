//! `restricted:latest` on a compliant Pod with 3 containers and on a Pod with 3 containers of
//! which two fail.

use criterion::{Criterion, criterion_group, criterion_main};
use rampart::podsecurity::{Level, Version, evaluate};
use serde_json::{Value, json};

fn container(name: &str, compliant: bool) -> Value {
    if compliant {
        json!({
            "name": name,
            "image": format!("registry.example/{name}:1.0"),
            "ports": [{"containerPort": 8080}],
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]},
                "runAsNonRoot": true,
                "seccompProfile": {"type": "RuntimeDefault"}
            }
        })
    } else {
        json!({"name": name, "image": format!("registry.example/{name}:1.0"), "ports": [{"containerPort": 8080}]})
    }
}

fn pod(compliant: [bool; 3]) -> (Value, Value) {
    let meta = json!({"name": "bench", "namespace": "default", "labels": {"app": "bench"}});
    let spec = json!({
        "securityContext": {"runAsNonRoot": true},
        "containers": [container("a", compliant[0]), container("b", compliant[1]), container("c", compliant[2])],
        "volumes": [{"name": "data", "emptyDir": {}}]
    });
    (meta, spec)
}

/// Benches `restricted:latest` on a pod, after checking the verdict the case is named for.
fn case(c: &mut Criterion, name: &str, compliant: [bool; 3], allowed: bool) {
    let (meta, spec) = pod(compliant);
    let verdict = evaluate(Level::Restricted, Version::LATEST, &meta, &spec)
        .iter()
        .all(|r| r.allowed);
    assert_eq!(verdict, allowed, "{name}");
    c.bench_function(name, |b| {
        b.iter(|| {
            evaluate(
                Level::Restricted,
                Version::LATEST,
                std::hint::black_box(&meta),
                std::hint::black_box(&spec),
            )
        })
    });
}

fn bench(c: &mut Criterion) {
    case(
        c,
        "restricted:latest compliant 3 containers",
        [true, true, true],
        true,
    );
    case(
        c,
        "restricted:latest 2 of 3 containers failing",
        [true, false, false],
        false,
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
