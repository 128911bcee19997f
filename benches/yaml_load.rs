//! YAML loading throughput: 1,000 generated Deployment documents through `parse_values` (JSON
//! values, which takes the fast path for Kubernetes-style block YAML) and `parse_nodes` (spanned
//! nodes), reported in bytes per second, next to the YAML parser alone
//! (`parse_values_saphyr_only`) and the bare saphyr-parser event stream as baselines.
//!
//! Every line except `parse_values_without_drop` includes freeing the result of the previous
//! iteration, which for JSON values is about a third of `parse_values`.

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart::yaml::{parse_nodes, parse_values, parse_values_without_fast_paths};

/// A stream of `n` Deployment manifests, each a little different.
fn deployments(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        let _ = write!(
            text,
            r#"---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: team-{ns}
  labels:
    app: web-{i}
    tier: frontend
    version: "1.{i}"
  annotations:
    kubernetes.io/change-cause: "rollout {i}"
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web-{i}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: web-{i}
        tier: frontend
    spec:
      serviceAccountName: web
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        fsGroup: 2000
        seccompProfile:
          type: RuntimeDefault
      containers:
      - name: app
        image: registry.example.com/web:{i}.0.1
        imagePullPolicy: IfNotPresent
        args: ["--port=8080", "--verbose", "--workers={replicas}"]
        ports:
        - containerPort: 8080
          protocol: TCP
        env:
        - name: MODE
          value: production
        - name: RETRIES
          value: "3"
        resources:
          limits:
            cpu: 500m
            memory: 256Mi
          requests:
            cpu: 100m
            memory: 128Mi
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            drop: [ALL]
        readinessProbe:
          httpGet:
            path: /healthz
            port: 8080
          periodSeconds: 10
      volumes:
      - name: cache
        emptyDir: {{}}
"#,
            ns = i % 7,
            replicas = 1 + i % 5,
        );
    }
    text
}

fn yaml_load(c: &mut Criterion) {
    let text = deployments(1000);
    let mut group = c.benchmark_group("yaml_load");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function("parse_values", |b| {
        b.iter(|| parse_values(black_box(&text)))
    });
    // The values built, without freeing them inside the measurement.
    group.bench_function("parse_values_without_drop", |b| {
        b.iter_with_large_drop(|| parse_values(black_box(&text)))
    });
    // A block scalar in the last document: the fast path declines at the end, then saphyr runs.
    let declined = format!("{text}---\nkind: ConfigMap\ndata:\n  run: |\n    echo hi\n");
    group.bench_function("parse_values_declined_at_end", |b| {
        b.iter(|| parse_values(black_box(&declined)))
    });
    group.bench_function("parse_values_saphyr_only", |b| {
        b.iter(|| parse_values_without_fast_paths(black_box(&text)))
    });
    group.bench_function("parse_nodes", |b| b.iter(|| parse_nodes(black_box(&text))));
    // Baseline: the saphyr-parser event stream alone, with no tree built.
    group.bench_function("saphyr_events_only", |b| {
        b.iter(|| {
            let mut parser = saphyr_parser::Parser::new_from_str(black_box(&text));
            let mut events = 0usize;
            while let Some(Ok(_)) = parser.next_event() {
                events += 1;
            }
            events
        })
    });
    group.finish();
}

criterion_group!(benches, yaml_load);
criterion_main!(benches);
