//! `apply` at repository scale: serial and parallel runs print byte for byte the same on the
//! corpora, peak memory stays flat when the input grows tenfold, and the SARIF output is valid
//! SARIF 2.1.0 whose results sit on the lines of the offending fields. Cargo runs integration
//! tests from the package root, so paths are relative to it.

mod binary;

#[path = "../benches/support/pods.rs"]
mod pods;

use binary::{rampart, scratch_dir};

use std::path::Path;

const PSA: &str = "tests/data/psa";
const KYVERNO_POLICIES: &str = "../shared/conformance/kyverno-policies";

/// Runs `apply` with 1, 2 and 3 threads and checks that stdout, stderr and the exit code agree
/// (report timestamps, which are the clock's, aside).
fn same_whatever_the_threads(args: &[&str]) {
    let run = |threads: &str| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--concurrency", threads]);
        let (code, stdout, stderr) = rampart(&all);
        let stdout: Vec<&str> = stdout
            .lines()
            .filter(|l| !l.trim_start().starts_with("seconds: "))
            .collect();
        (code, stdout.join("\n"), stderr)
    };
    let serial = run("1");
    for threads in ["2", "3"] {
        let parallel = run(threads);
        assert_eq!(
            serial.0, parallel.0,
            "{args:?}: exit code with {threads} threads"
        );
        assert!(
            serial.1 == parallel.1,
            "{args:?}: stdout differs with {threads} threads"
        );
        assert!(
            serial.2 == parallel.2,
            "{args:?}: stderr differs with {threads} threads"
        );
    }
}

#[test]
fn serial_and_parallel_runs_agree_on_the_psa_fixtures() {
    for format in [
        &[][..],
        &["-t"],
        &["-p"],
        &["--output-format", "sarif"],
        &["--output-format", "junit"],
    ] {
        let mut args = vec![
            "apply",
            "stdlib:pod-security/restricted.yaml",
            "-r",
            PSA,
            "--remove-color",
        ];
        args.extend(format);
        same_whatever_the_threads(&args);
    }
}

#[test]
fn serial_and_parallel_runs_agree_on_the_kyverno_policies_corpus() {
    if !Path::new(KYVERNO_POLICIES).is_dir() {
        eprintln!(
            "skipped: {KYVERNO_POLICIES} is absent (the kyverno/policies corpus stays outside the repository)"
        );
        return;
    }
    // Every policy of the corpus on every document of it (generate rules: read whole first).
    same_whatever_the_threads(&[
        "apply",
        KYVERNO_POLICIES,
        "-r",
        KYVERNO_POLICIES,
        "--remove-color",
    ]);
    same_whatever_the_threads(&["apply", KYVERNO_POLICIES, "-r", KYVERNO_POLICIES, "-p"]);
    // The Pod Security policies (streamed) on every document of the corpus.
    let pss = format!("{KYVERNO_POLICIES}/pod-security");
    same_whatever_the_threads(&["apply", &pss, "-r", KYVERNO_POLICIES, "--remove-color"]);
    same_whatever_the_threads(&[
        "apply",
        &pss,
        "-r",
        KYVERNO_POLICIES,
        "--output-format",
        "json",
    ]);
}

/// The peak RSS `--show-performance` reports, in MB.
fn peak_rss(file: &Path) -> Option<f64> {
    let path = file.display().to_string();
    let (_, _, stderr) = rampart(&[
        "apply",
        "stdlib:pod-security/restricted.yaml",
        "-r",
        &path,
        "--show-performance",
    ]);
    let rest = stderr.split("peak RSS ").nth(1)?;
    rest.split(" MB").next()?.trim().parse().ok()
}

#[test]
fn peak_memory_stays_flat_when_the_input_grows_tenfold() {
    if !Path::new("/proc/self/status").is_file() {
        eprintln!("skipped: peak RSS is read from /proc, which this system does not have");
        return;
    }
    let dir = scratch_dir("apply-flat-memory");
    let write = |name: &str, pods: usize| {
        let mut text = String::new();
        pods::write_pods(&mut text, pods, 3);
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let small = peak_rss(&write("small.yaml", 3_000)).expect("--show-performance reports peak RSS");
    let large =
        peak_rss(&write("large.yaml", 30_000)).expect("--show-performance reports peak RSS");
    // Ten times the documents (and ten times the output, spooled): the same memory, give or take
    // what thread start-up and the allocator's caches vary by.
    assert!(
        large < small * 1.25 + 8.0,
        "peak RSS grew from {small:.1} MB to {large:.1} MB for ten times the resources"
    );
}

const MULTI_DOCUMENT: &str = "apiVersion: v1
kind: Pod
metadata:
  name: good
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: c
    image: nginx
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
---
# a privileged Pod sharing the host's network
apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  hostNetwork: true
  containers:
  - name: c
    image: nginx
    securityContext:
      privileged: true
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      volumes:
      - name: host
        hostPath:
          path: /var/run
      containers:
      - name: web
        image: nginx
";

#[test]
fn sarif_is_valid_and_points_at_the_offending_lines() {
    let dir = scratch_dir("apply-sarif");
    let file = dir.join("workloads.yaml");
    std::fs::write(&file, MULTI_DOCUMENT).expect("write");
    let path = file.display().to_string();
    let (code, stdout, stderr) = rampart(&[
        "apply",
        "stdlib:pod-security/baseline.yaml",
        "-r",
        &path,
        "--output-format",
        "sarif",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let sarif: serde_json::Value = serde_json::from_str(&stdout).expect("SARIF is JSON");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/data/sarif/sarif-schema-2.1.0.json").expect("the schema"),
    )
    .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Each result, with the text of the lines it points at.
    let lines: Vec<&str> = MULTI_DOCUMENT.lines().collect();
    let mut shown = String::new();
    for result in sarif["runs"][0]["results"].as_array().into_iter().flatten() {
        shown.push_str(&format!("{} {}\n", result["ruleId"], result["level"]));
        for location in result["locations"].as_array().into_iter().flatten() {
            let region = &location["physicalLocation"]["region"];
            let line = region["startLine"].as_u64().unwrap_or(0) as usize;
            let column = region["startColumn"].as_u64().unwrap_or(0);
            let text = lines.get(line.wrapping_sub(1)).copied().unwrap_or("");
            shown.push_str(&format!("  {line}:{column} {text}\n"));
        }
    }
    let shown = shown.replace(&path, "<file>");
    insta::assert_snapshot!(shown);
}

#[test]
fn junit_and_json_list_every_rule_result() {
    let dir = scratch_dir("apply-junit-json");
    let file = dir.join("workloads.yaml");
    std::fs::write(&file, MULTI_DOCUMENT).expect("write");
    let path = file.display().to_string();
    let (_, junit, _) = rampart(&[
        "apply",
        "stdlib:pod-security/baseline.yaml",
        "-r",
        &path,
        "--output-format",
        "junit",
    ]);
    insta::assert_snapshot!(junit.replace(&path, "<file>"));
    let (_, json, _) = rampart(&[
        "apply",
        "stdlib:pod-security/baseline.yaml",
        "-r",
        &path,
        "--output-format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["summary"]["fail"], 2);
    assert_eq!(json["results"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["results"][1]["line"], 24, "{json:#}");
}
