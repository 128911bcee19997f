//! Engine throughput on real policies: the kyverno/policies suites that use only match/exclude
//! and pattern/anyPattern, with autogen, against their own resources; and `rampart apply` of
//! those policies over 10,000 resources.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart::{AdmissionRequest, Engine, Loader, Operation, Origin, Request, SourceMap};
use serde_json::Value;

/// The upstream kyverno/policies suites (`$RAMPART_KYVERNO_POLICIES`, else `../shared` beside
/// the checkout); `None` when absent.
fn conformance() -> Option<PathBuf> {
    let dir = match std::env::var_os("RAMPART_KYVERNO_POLICIES") {
        Some(dir) => PathBuf::from(dir),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/kyverno-policies")
        }
    };
    dir.is_dir().then_some(dir)
}

/// Policy and resource files of every suite whose rules are all pattern/anyPattern rules.
fn pattern_suites() -> (Vec<String>, Vec<String>) {
    let mut policies = Vec::new();
    let mut resources = Vec::new();
    let mut stack: Vec<PathBuf> = conformance().into_iter().collect();
    let mut tests = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.ends_with(".kyverno-test") {
                tests.push(p.join("kyverno-test.yaml"));
            } else if p.is_dir() {
                stack.push(p);
            }
        }
    }
    tests.sort();
    for test in tests {
        let Ok(text) = std::fs::read_to_string(&test) else {
            continue;
        };
        let Ok(docs) = rampart::yaml::parse_values(&text) else {
            continue;
        };
        let Some(doc) = docs.first() else { continue };
        let base = test.parent().unwrap_or(Path::new("."));
        let paths = |k: &str| -> Vec<String> {
            doc.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|p| base.join(p).display().to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        let pol = paths("policies");
        if pol.iter().all(|p| only_patterns(p)) && !pol.is_empty() {
            policies.extend(pol);
            resources.extend(paths("resources"));
        }
    }
    (policies, resources)
}

/// Whether every rule of the policies in a file is a validate rule with only `pattern` or
/// `anyPattern` (no context, preconditions, deny, foreach or podSecurity).
fn only_patterns(path: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let Ok(docs) = rampart::yaml::parse_values(&text) else {
        return false;
    };
    docs.iter().all(|doc| {
        let rules = doc.pointer("/spec/rules").and_then(Value::as_array);
        rules.is_some_and(|rules| {
            rules.iter().all(|r| {
                let validate = r.get("validate");
                r.get("context").is_none()
                    && r.get("preconditions").is_none()
                    && validate.is_some_and(|v| {
                        v.get("pattern").is_some() || v.get("anyPattern").is_some()
                    })
            })
        })
    })
}

fn load(policies: &[String], resources: &[String]) -> (Engine, Vec<Value>) {
    let mut loader = Loader::new();
    let _ = loader.add_paths(policies);
    let mut sources = SourceMap::new();
    let (values, _) = rampart::read_resources(&mut sources, resources).unwrap_or_default();
    (loader.engine(), values)
}

fn bench(c: &mut Criterion) {
    let (policy_paths, resource_paths) = pattern_suites();
    if policy_paths.is_empty() {
        println!(
            "SKIPPED engine/pattern-suites and apply/10k-resources: the kyverno/policies suites \
             were not found (set RAMPART_KYVERNO_POLICIES or put shared/ beside the checkout)"
        );
        return;
    }
    let (engine, resources) = load(&policy_paths, &resource_paths);
    let admissions: Vec<AdmissionRequest> = resources
        .iter()
        .map(|r| AdmissionRequest::for_resource(r.clone(), Operation::Create))
        .collect();
    let requests: Vec<Request> = admissions
        .iter()
        .map(|a| Request::new(a).with_origin(Origin::Offline))
        .collect();
    let evaluations: usize = requests
        .iter()
        .map(|r| engine.evaluate(r).rules().count())
        .sum();
    println!(
        "pattern suites: {} policies ({} rules with autogen), {} resources, {} rule evaluations per pass",
        engine.policies().count(),
        engine.rule_count(),
        resources.len(),
        evaluations
    );
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(evaluations as u64));
    group.bench_function("pattern-suites/rule-evaluations", |b| {
        b.iter(|| {
            let mut n = 0;
            for r in &requests {
                n += engine.evaluate(r).rules().count();
            }
            n
        })
    });
    group.finish();

    // `rampart apply` end to end over 10,000 resources (the suites' resources repeated).
    let dir = std::env::temp_dir().join("rampart-bench");
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("resources-10k.yaml");
    let mut text = String::new();
    for i in 0..10_000 {
        if let Some(r) = resources.get(i % resources.len().max(1)) {
            text.push_str(&serde_json::to_string(r).unwrap_or_default());
            text.push_str("\n---\n");
        }
    }
    let _ = std::fs::write(&file, text);
    let mut group = c.benchmark_group("apply");
    group.sample_size(10);
    group.throughput(Throughput::Elements(10_000));
    let mut args = vec!["apply".to_string()];
    args.extend(policy_paths.iter().cloned());
    args.extend(["-r".to_string(), file.display().to_string()]);
    group.bench_function("10k-resources", |b| {
        b.iter(|| {
            std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
                .args(&args)
                .output()
                .map(|o| o.status.code())
        })
    });
    group.finish();
}

/// A deny rule with three conditions over a Pod, as issue #4 names it.
const DENY_POLICY: &str = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: deny-three
spec:
  rules:
    - name: deny-three
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        message: "no privileged web pods in {{ request.namespace }}"
        deny:
          conditions:
            all:
              - key: "{{ request.object.metadata.labels.app || '' }}"
                operator: Equals
                value: web
              - key: "{{ request.object.spec.containers[].securityContext.privileged || `[]` }}"
                operator: AnyIn
                value: [true]
              - key: "{{ length(request.object.spec.containers) }}"
                operator: GreaterThan
                value: 1
"#;

fn bench_deny(c: &mut Criterion) {
    let mut loader = Loader::new();
    loader.add_text("deny.yaml", DENY_POLICY);
    let engine = loader.engine();
    let pod = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-1", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"containers": [
            {"name": "app", "image": "nginx:1.27", "securityContext": {"privileged": false}},
            {"name": "sidecar", "image": "envoy:1.31", "securityContext": {"privileged": true}}
        ]}
    });
    let admission = AdmissionRequest::for_resource(pod, Operation::Create);
    let request = Request::new(&admission).with_origin(Origin::Offline);
    let status = engine
        .evaluate(&request)
        .rules()
        .next()
        .map(|(_, r)| r.status);
    println!("deny rule on the pod: {status:?}");
    c.bench_function("engine/deny-three-conditions", |b| {
        b.iter(|| engine.evaluate(&request))
    });
}

criterion_group!(benches, bench, bench_deny);
criterion_main!(benches);
