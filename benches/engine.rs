//! Engine throughput on real policies: the kyverno/policies suites that use only match/exclude
//! and pattern/anyPattern, with autogen, against their own resources; and `rampart apply` of
//! those policies over 10,000 resources.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart::cli::{Cli, Command, Output, run};
use rampart::compile::{RuleProgram, ValidatorCheck};
use rampart::diag::SourceMap;
use rampart::engine::Request;
use rampart::load::{PolicySet, load_policies, load_resources};
use rampart::source;
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
        let mut sources = SourceMap::new();
        let Ok(set) = load_policies(&mut sources, &pol) else {
            continue;
        };
        let only_patterns = !set.program.policies.is_empty()
            && set.invalid.is_empty()
            && set.program.policies.iter().all(|p| {
                p.rules.iter().all(|r| {
                    matches!(&r.program, RuleProgram::Validate(v)
                        if v.context.is_empty()
                            && v.preconditions.is_none()
                            && matches!(v.check, ValidatorCheck::Pattern(_) | ValidatorCheck::AnyPattern(_)))
                })
            });
        if only_patterns {
            policies.extend(pol);
            resources.extend(paths("resources"));
        }
    }
    (policies, resources)
}

fn load(policies: &[String], resources: &[String]) -> (PolicySet, Vec<Value>) {
    let mut sources = SourceMap::new();
    let set = load_policies(&mut sources, policies).unwrap_or_default();
    let inputs = source::expand(resources).unwrap_or_default();
    let (values, _) = load_resources(&mut sources, &inputs).unwrap_or_default();
    (set, values)
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
    let (set, resources) = load(&policy_paths, &resource_paths);
    let requests: Vec<Request> = resources.iter().map(Request::create).collect();
    let evaluations: usize = requests
        .iter()
        .map(|r| {
            set.program
                .evaluate(r)
                .iter()
                .map(|p| p.rules.len())
                .sum::<usize>()
        })
        .sum();
    println!(
        "pattern suites: {} policies ({} rules with autogen), {} resources, {} rule evaluations per pass",
        set.program.policies.len(),
        set.rule_count(),
        resources.len(),
        evaluations
    );
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(evaluations as u64));
    group.bench_function("pattern-suites/rule-evaluations", |b| {
        b.iter(|| {
            let mut n = 0;
            for r in &requests {
                for p in set.program.evaluate(r) {
                    n += p.rules.len();
                }
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
    group.bench_function("10k-resources", |b| {
        b.iter(|| {
            let args = rampart::cli::ApplyArgs {
                policies: policy_paths.clone(),
                resources: vec![file.display().to_string()],
                ..Default::default()
            };
            let mut out = Output::new(false);
            run(
                Cli {
                    command: Command::Apply(args),
                },
                &mut out,
            )
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
    let mut sources = SourceMap::new();
    let file = sources.add("deny.yaml", DENY_POLICY);
    let mut set = PolicySet::default();
    set.add_file(file, &sources);
    let pod = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-1", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"containers": [
            {"name": "app", "image": "nginx:1.27", "securityContext": {"privileged": false}},
            {"name": "sidecar", "image": "envoy:1.31", "securityContext": {"privileged": true}}
        ]}
    });
    let request = Request::create(&pod);
    let status = set
        .program
        .evaluate(&request)
        .first()
        .and_then(|p| p.rules.first())
        .map(|r| r.status);
    println!("deny rule on the pod: {status:?}");
    c.bench_function("engine/deny-three-conditions", |b| {
        b.iter(|| set.program.evaluate(&request))
    });
}

criterion_group!(benches, bench, bench_deny);
criterion_main!(benches);
