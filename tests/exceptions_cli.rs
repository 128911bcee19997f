//! PolicyExceptions in the `rampart` binary: `apply -e` (files, directories, lists),
//! `--exceptions-with-resources`, `--exceptions-within-policies`, `test` with `exceptions:`, and
//! the warnings when exceptions are given where none are read. Cargo runs integration tests from
//! the package root, so example paths are relative.

mod binary;

use binary::{rampart, scratch_dir};

use std::path::PathBuf;

const POLICY: &str = "examples/exceptions/policy.yaml";
const RESOURCES: &str = "examples/exceptions/resources.yaml";
const EXCEPTIONS: &str = "examples/exceptions/exceptions.yaml";

/// The summary line with both exceptions applied: `tool-1` and `agent` skip.
const EXEMPTED: &str = "pass: 4, fail: 2, warn: 0, error: 0, skip: 2";
/// The summary line without exceptions.
const UNEXEMPTED: &str = "pass: 4, fail: 4, warn: 0, error: 0, skip: 0";

/// The two exceptions of the example, one per file, in a scratch directory.
fn split_exceptions(name: &str) -> PathBuf {
    let dir = scratch_dir(name);
    let text = std::fs::read_to_string(EXCEPTIONS).expect("the example's exceptions");
    for (i, doc) in text.split("\n---\n").enumerate() {
        std::fs::write(dir.join(format!("exception-{i}.yaml")), doc).expect("write");
    }
    dir
}

fn path(p: &std::path::Path) -> String {
    p.display().to_string()
}

#[test]
fn apply_with_an_exception_file() {
    let (code, stdout, stderr) = rampart(&["apply", POLICY, "-r", RESOURCES, "-e", EXCEPTIONS]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr, "");
    insta::assert_snapshot!(stdout);
    let (_, stdout, _) = rampart(&["apply", POLICY, "-r", RESOURCES]);
    assert!(stdout.contains(UNEXEMPTED), "{stdout}");
}

#[test]
fn apply_with_exception_directories_and_lists() {
    let dir = split_exceptions("exceptions-dir");
    let (a, b) = (dir.join("exception-0.yaml"), dir.join("exception-1.yaml"));
    let both = format!("{},{}", path(&a), path(&b));
    let runs: Vec<Vec<String>> = vec![
        vec!["--exception".into(), path(&dir)],
        vec!["--exceptions".into(), both],
        vec!["-e".into(), path(&a), "-e".into(), path(&b)],
    ];
    for flags in &runs {
        let mut args = vec!["apply", POLICY, "-r", RESOURCES];
        args.extend(flags.iter().map(String::as_str));
        let (code, stdout, stderr) = rampart(&args);
        assert_eq!(code, 1, "{flags:?}: {stderr}");
        assert!(stdout.contains(EXEMPTED), "{flags:?}: {stdout}");
        assert_eq!(stderr, "", "{flags:?}");
    }
    // Only the first exception: the agent is no longer exempted.
    let (_, stdout, _) = rampart(&["apply", POLICY, "-r", RESOURCES, "-e", &path(&a)]);
    assert!(
        stdout.contains("pass: 4, fail: 3, warn: 0, error: 0, skip: 1"),
        "{stdout}"
    );
}

#[test]
fn exceptions_with_resources() {
    let dir = scratch_dir("exceptions-with-resources");
    let mixed = dir.join("mixed.yaml");
    let text = format!(
        "{}\n---\n{}",
        std::fs::read_to_string(RESOURCES).expect("resources"),
        std::fs::read_to_string(EXCEPTIONS).expect("exceptions")
    );
    std::fs::write(&mixed, text).expect("write");
    let (code, stdout, stderr) = rampart(&[
        "apply",
        POLICY,
        "-r",
        &path(&mixed),
        "--exceptions-with-resources",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr, "");
    assert!(stdout.contains("to 4 resource(s)"), "{stdout}");
    assert!(stdout.contains(EXEMPTED), "{stdout}");
    // Without the flag they are resources, and the command says so.
    let (code, stdout, stderr) = rampart(&["apply", POLICY, "-r", &path(&mixed)]);
    assert_eq!(code, 1);
    assert!(stdout.contains("to 6 resource(s)"), "{stdout}");
    assert!(stdout.contains(UNEXEMPTED), "{stdout}");
    assert_eq!(
        stderr,
        "warning: PolicyException delta/delta-tool-latest is among the resources, so it is evaluated as a resource and exempts nothing: pass it with -e, or use --exceptions-with-resources\n\
         warning: PolicyException delta/agent-net-admin is among the resources, so it is evaluated as a resource and exempts nothing: pass it with -e, or use --exceptions-with-resources\n"
    );
}

#[test]
fn exceptions_within_policies() {
    let dir = scratch_dir("exceptions-within-policies");
    let policies = dir.join("policies.yaml");
    let text = format!(
        "{}\n---\n{}",
        std::fs::read_to_string(POLICY).expect("policy"),
        std::fs::read_to_string(EXCEPTIONS).expect("exceptions")
    );
    std::fs::write(&policies, text).expect("write");
    let (code, stdout, stderr) = rampart(&["apply", &path(&policies), "-r", RESOURCES]);
    assert_eq!(code, 1);
    assert!(stdout.contains(UNEXEMPTED), "{stdout}");
    assert_eq!(
        stderr
            .matches("warning: a `PolicyException` where only policies are read; ignored")
            .count(),
        2,
        "{stderr}"
    );
    let (code, stdout, stderr) = rampart(&[
        "apply",
        &path(&policies),
        "-r",
        RESOURCES,
        "--exceptions-within-policies",
    ]);
    assert_eq!(code, 1);
    assert_eq!(stderr, "");
    assert!(stdout.contains(EXEMPTED), "{stdout}");
}

#[test]
fn documents_that_are_not_exceptions_are_reported() {
    let (code, stdout, stderr) = rampart(&["apply", POLICY, "-r", RESOURCES, "-e", POLICY]);
    assert_eq!(code, 1);
    assert!(stdout.contains(UNEXEMPTED), "{stdout}");
    assert_eq!(
        stderr
            .matches("warning: a `ClusterPolicy` where only policy exceptions are read; ignored")
            .count(),
        2,
        "{stderr}"
    );
}

#[test]
fn an_invalid_exception_stops_apply() {
    let dir = scratch_dir("invalid-exception");
    let file = dir.join("bad.yaml");
    let text = std::fs::read_to_string(EXCEPTIONS)
        .expect("exceptions")
        .replace("  podSecurity:", "  podSecurty:");
    std::fs::write(&file, text).expect("write");
    let (code, stdout, stderr) = rampart(&["apply", POLICY, "-r", RESOURCES, "-e", &path(&file)]);
    assert_eq!(code, 2, "{stdout}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("error: unknown field `podSecurty` in spec"),
        "{stderr}"
    );
    assert!(stderr.contains("bad.yaml:34:3"), "{stderr}");
    assert!(stderr.contains("did you mean `podSecurity`?"), "{stderr}");
    assert!(
        stderr.ends_with(
            "Error: invalid policy exception agent-net-admin: unknown field `podSecurty` in spec\n"
        ),
        "{stderr}"
    );
}

#[test]
fn a_missing_policy_is_a_warning() {
    let dir = scratch_dir("missing-policy");
    let file = dir.join("exceptions.yaml");
    let text = std::fs::read_to_string(EXCEPTIONS)
        .expect("exceptions")
        .replace(
            "policyName: disallow-latest-tag",
            "policyName: disallow-latest-tags",
        );
    std::fs::write(&file, text).expect("write");
    let (code, stdout, stderr) = rampart(&["apply", POLICY, "-r", RESOURCES, "-e", &path(&file)]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("pass: 4, fail: 3, warn: 0, error: 0, skip: 1"),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "warning: no policy `disallow-latest-tags` is loaded: this entry exempts nothing"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `disallow-latest-tag`?"),
        "{stderr}"
    );
}

#[test]
fn reports_and_tables_show_the_exceptions() {
    let (_, stdout, _) = rampart(&[
        "apply",
        POLICY,
        "-r",
        RESOURCES,
        "-e",
        EXCEPTIONS,
        "-p",
        "--output-format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    let skipped: Vec<(&str, &str, &str)> = report["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["result"] == "skip")
        .map(|r| {
            (
                r["resources"][0]["name"].as_str().unwrap_or(""),
                r["message"].as_str().unwrap_or(""),
                r["properties"]["exceptions"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            (
                "tool-1",
                "rule is skipped due to policy exceptionsdelta/delta-tool-latest",
                "delta-tool-latest"
            ),
            (
                "agent",
                "rule is skipped due to policy exceptions delta/agent-net-admin",
                "agent-net-admin"
            ),
        ]
    );
    assert_eq!(report["summary"]["skip"], 2);
    let (_, stdout, _) = rampart(&[
        "apply",
        POLICY,
        "-r",
        RESOURCES,
        "-e",
        EXCEPTIONS,
        "-t",
        "--detailed-results",
    ]);
    assert!(
        stdout.contains(
            "│ Skip   │        │ rule is skipped due to policy exceptionsdelta/delta-tool-latest"
        ),
        "{stdout}"
    );
}

#[test]
fn test_reads_the_tests_exceptions() {
    let (code, stdout, stderr) = rampart(&["test", "examples/exceptions"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stderr, "");
    assert!(
        stdout.contains("Test Summary: 4 tests passed and 0 tests failed"),
        "{stdout}"
    );
    // Without `exceptions:` the skips become failures.
    let dir = scratch_dir("test-without-exceptions");
    let suite = dir.join("exceptions");
    std::fs::create_dir_all(suite.join(".kyverno-test")).expect("dirs");
    for file in ["policy.yaml", "resources.yaml", "exceptions.yaml"] {
        std::fs::copy(format!("examples/exceptions/{file}"), suite.join(file)).expect("copy");
    }
    let test = std::fs::read_to_string("examples/exceptions/.kyverno-test/kyverno-test.yaml")
        .expect("the test");
    let without = test.replace("exceptions:\n  - ../exceptions.yaml\n", "");
    assert_ne!(without, test);
    std::fs::write(suite.join(".kyverno-test/kyverno-test.yaml"), &without).expect("write");
    let (code, stdout, _) = rampart(&["test", &path(&suite)]);
    assert_eq!(code, 1);
    assert!(stdout.contains("Want skip, got fail"), "{stdout}");
    assert!(
        stdout.contains("Test Summary: 2 tests passed and 2 tests failed"),
        "{stdout}"
    );
    // Exceptions listed under `policies:` are reported and not used.
    let mixed = test.replace(
        "policies:\n  - ../policy.yaml\n",
        "policies:\n  - ../policy.yaml\n  - ../exceptions.yaml\n",
    );
    let mixed = mixed.replace("exceptions:\n  - ../exceptions.yaml\n", "");
    std::fs::write(suite.join(".kyverno-test/kyverno-test.yaml"), mixed).expect("write");
    let (code, _, stderr) = rampart(&["test", &path(&suite)]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("warning: a `PolicyException` where only policies are read; ignored"),
        "{stderr}"
    );
}

#[test]
fn check_reads_exceptions() {
    let (code, _, stderr) = rampart(&["check", POLICY, EXCEPTIONS]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let dir = scratch_dir("check-exception");
    let file = dir.join("bad.yaml");
    let text = std::fs::read_to_string(EXCEPTIONS)
        .expect("exceptions")
        .replace("controlName: Capabilities", "controlName: Capabilites");
    std::fs::write(&file, text).expect("write");
    let (code, _, stderr) = rampart(&["check", POLICY, &path(&file)]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("error: invalid value `Capabilites` for controlName"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `Capabilities`?"), "{stderr}");
}
