//! The `rampart` binary on the bundled examples: output (snapshots) and exit codes. Cargo runs
//! integration tests from the package root, so example paths are relative.

use proptest::prelude::*;

/// Runs the built binary; returns (exit code, stdout, stderr). A death by signal (an abort, a
/// stack overflow) is exit code -1.
fn rampart(args: &[&str]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(args)
        .output()
        .expect("the rampart binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn apply_reports_failures_like_kyverno() {
    let (code, stdout, _) = rampart(&[
        "apply",
        "examples/require-team-label/policy.yaml",
        "-r",
        "examples/require-team-label/resources.yaml",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn apply_table_with_detailed_results() {
    let (code, stdout, _) = rampart(&[
        "apply",
        "examples/no-latest-images/policy.yaml",
        "-r",
        "examples/no-latest-images/resources.yaml",
        "-t",
        "--detailed-results",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn audit_warn_turns_audit_failures_into_warnings() {
    let args = [
        "apply",
        "examples/require-team-label/policy.yaml",
        "-r",
        "examples/require-team-label/resources.yaml",
        "--audit-warn",
    ];
    let (code, stdout, _) = rampart(&args);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("pass: 1, fail: 0, warn: 2, error: 0, skip: 0"),
        "{stdout}"
    );
    assert!(stdout.contains("failed as audit warning:"), "{stdout}");
    let mut with_code = args.to_vec();
    with_code.extend(["--warn-exit-code", "3"]);
    assert_eq!(rampart(&with_code).0, 3);
}

#[test]
fn policy_report() {
    let (code, stdout, _) = rampart(&[
        "apply",
        "examples/require-team-label/policy.yaml",
        "-r",
        "examples/require-team-label/resources.yaml",
        "-p",
        "--output-format",
        "json",
    ]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
    assert_eq!(report["kind"], "ClusterPolicyReport");
    assert_eq!(report["summary"]["pass"], 1);
    assert_eq!(report["summary"]["fail"], 2);
    assert_eq!(report["results"][0]["policy"], "require-team-label");
    assert_eq!(report["results"][0]["category"], "Example");
    assert_eq!(report["results"][0]["resources"][0]["name"], "labelled");
}

#[test]
fn pod_security_through_autogen() {
    let (code, stdout, _) = rampart(&[
        "apply",
        "examples/restricted-busybox/policy.yaml",
        "-r",
        "examples/restricted-busybox/deployment.yaml",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn pod_security_exclusions() {
    let (code, stdout, _) = rampart(&[
        "apply",
        "examples/restricted-prod/policy.yaml",
        "-r",
        "examples/restricted-prod/resources.yaml",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn psa_mode() {
    let (code, stdout, _) = rampart(&["psa", "-r", "examples/psa-namespace/"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
    let (code, stdout, _) = rampart(&[
        "psa",
        "-r",
        "examples/psa-namespace/",
        "--enforce-controllers",
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("is forbidden: violates PodSecurity \"restricted:v1.25\""),
        "{stdout}"
    );
}

#[test]
fn test_command_on_an_example() {
    let (code, stdout, _) = rampart(&["test", "examples/require-team-label"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

#[test]
fn check_command() {
    let (code, _, stderr) = rampart(&["check", "examples/no-latest-images/policy.yaml"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (code, _, stderr) = rampart(&["check", "stdlib:pod-security"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (code, _, stderr) = rampart(&["check", "examples/no-latest-images/resources.yaml"]);
    assert_eq!(code, 0, "non-policies are warnings: {stderr}");
    assert!(stderr.contains("is not a Kyverno policy"), "{stderr}");
    let (code, _, stderr) = rampart(&["check", "stdlib:nothing"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not in the standard library"), "{stderr}");
}

#[test]
fn stdlib_policies_apply() {
    let (code, stdout, _) = rampart(&[
        "apply",
        "stdlib:pod-security/restricted.yaml",
        "-r",
        "examples/restricted-busybox/deployment.yaml",
    ]);
    assert_eq!(code, 1);
    assert!(stdout.contains("autogen-restricted"), "{stdout}");
}

#[test]
fn argument_errors_exit_2() {
    assert_eq!(
        rampart(&["apply", "examples/no-latest-images/policy.yaml"]).0,
        2
    );
    assert_eq!(
        rampart(&[
            "apply",
            "missing.yaml",
            "-r",
            "examples/no-latest-images/resources.yaml"
        ])
        .0,
        2
    );
    let (code, _, stderr) = rampart(&[
        "apply",
        "examples/no-latest-images/policy.yaml",
        "-r",
        "x.yaml",
        "-f",
        "v.yaml",
        "-s",
        "a=b",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("either using set flag or values_file flag"),
        "{stderr}"
    );
}

#[test]
fn jp_commands() {
    let input = std::env::temp_dir().join("rampart-jp-input.json");
    let _ = std::fs::write(
        &input,
        r#"{"spec": {"containers": [{"image": "nginx:1"}, {"image": "redis"}]}}"#,
    );
    let path = input.display().to_string();
    let (code, stdout, _) = rampart(&["jp", "query", "-i", &path, "-c", "spec.containers[].image"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "# spec.containers[].image\n[\"nginx:1\",\"redis\"]\n"
    );
    let (code, _, stderr) = rampart(&["jp", "query", "-i", &path, "spec.missing"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("Unknown key \"missing\" in path"),
        "{stderr}"
    );
    let (code, stdout, _) = rampart(&["jp", "function", "truncate"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Signature: truncate(string, number) string"),
        "{stdout}"
    );
    let (code, _, stderr) = rampart(&["jp", "parse", "a.["]);
    assert_eq!(code, 1);
    assert!(stderr.contains("SyntaxError"), "{stderr}");
}

#[test]
fn pod_security_field_errors_in_detailed_results_and_reports() {
    let base = [
        "apply",
        "examples/restricted-busybox/policy.yaml",
        "-r",
        "examples/restricted-busybox/deployment.yaml",
    ];
    let mut table = base.to_vec();
    table.extend(["-t", "--detailed-results"]);
    let (_, stdout, _) = rampart(&table);
    // The message is longer than a table cell shows (Kyverno's 300 characters): the cell is cut,
    // and the report below carries the field errors whole.
    assert!(
        stdout.contains("Validation rule 'autogen-restricted' failed. It violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false"),
        "{stdout}"
    );
    assert!(stdout.contains("… │"), "{stdout}");
    let mut report = base.to_vec();
    report.extend(["-p", "--output-format", "json"]);
    let (_, stdout, _) = rampart(&report);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
    let properties = &report["results"][0]["properties"];
    assert_eq!(properties["standard"], "restricted");
    assert_eq!(properties["version"], "latest");
    assert_eq!(
        properties["controls"],
        "allowPrivilegeEscalation,capabilities_restricted,runAsNonRoot,seccompProfile_restricted"
    );
    assert!(
        properties["fieldErrors"]
            .as_str()
            .is_some_and(|f| f.contains("runAsNonRoot: Required value"))
    );
}

#[test]
fn pattern_references() {
    let (code, stdout, _) = rampart(&["test", "examples/requests-within-limits"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("2 tests passed and 0 tests failed"),
        "{stdout}"
    );
}

#[test]
fn api_call_mocks_and_missing_cluster_data() {
    let (code, stdout, _) = rampart(&["test", "examples/namespace-owner"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("2 tests passed and 0 tests failed"),
        "{stdout}"
    );
    let (code, stdout, _) = rampart(&[
        "apply",
        "examples/namespace-owner/policy.yaml",
        "-r",
        "examples/namespace-owner/resources.yaml",
    ]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("pass: 0, fail: 0, warn: 0, error: 0, skip: 2"),
        "{stdout}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `rampart apply` and `rampart test` on arbitrary resource and test-file text: errors are
    /// reported, nothing panics.
    #[test]
    fn commands_never_panic_on_arbitrary_files(text in "[a-zA-Z0-9:{}\\[\\],'\" \\n-]{0,160}") {
        let dir = std::env::temp_dir().join(format!("rampart-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("input.yaml");
        let _ = std::fs::write(&file, &text);
        let path = file.display().to_string();
        for args in [
            vec!["apply", "examples/no-latest-images/policy.yaml", "-r", &path],
            vec!["apply", &path, "-r", "examples/no-latest-images/resources.yaml"],
            vec!["test", &path],
            vec!["check", &path],
            vec!["psa", "-r", &path],
        ] {
            let (code, _, stderr) = rampart(&args);
            prop_assert!((0..=2).contains(&code), "{args:?}: exit {code}: {stderr}");
        }
    }
}

#[test]
fn seed_user_group_defaults_mutates_then_validates() {
    let (code, stdout, _) = rampart(&[
        "apply",
        "examples/user-group-defaults/policy.yaml",
        "-r",
        "examples/user-group-defaults/deployments.yaml",
    ]);
    assert_eq!(code, 1, "{stdout}");
    let (first, second) = stdout
        .split_once("policy user-group-defaults applied to default/Deployment/nginx-deployment2:")
        .expect("both Deployments are printed");
    assert!(first.contains("runAsUser: 1000"), "{first}");
    assert!(second.contains("runAsUser: 7000") && !second.contains("runAsUser: 1000"));
    assert!(stdout.contains(
        "policy user-group-defaults -> resource default/Deployment/nginx-deployment2 failed:\n1 - autogen-run-as-user-ranges User ID outside defined ranges\n"
    ));
    assert!(stdout.contains("pass: 2, fail: 1, warn: 0, error: 0, skip: 1"));
}

/// A scratch directory under the target directory, emptied first.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

#[test]
fn apply_writes_mutated_resources_to_a_file_or_a_directory() {
    let dir = scratch_dir("apply-output");
    let file = dir.join("out.yaml");
    let args = |o: &str| {
        vec![
            "apply".to_string(),
            "examples/psa-namespace-labels/policy.yaml".into(),
            "-r".into(),
            "examples/psa-namespace-labels/namespaces.yaml".into(),
            "-o".into(),
            o.to_string(),
        ]
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rampart(&args)
    };
    let (code, stdout, _) = run(args(&file.display().to_string()));
    assert_eq!(code, 1);
    assert!(!stdout.contains("applied to"), "{stdout}");
    assert_eq!(
        stdout
            .matches("Mutation:\nMutation has been applied successfully.")
            .count(),
        6
    );
    let written = std::fs::read_to_string(&file).expect("the output file");
    assert_eq!(written.matches("\n---\n\n").count(), 6);
    assert!(written.contains("    name: team-a\n"));
    assert!(written.contains("        pod-security.kubernetes.io/enforce: baseline\n"));
    // A directory: one file per resource.
    let out_dir = dir.join("mutated");
    let (code, _, _) = run(args(&out_dir.display().to_string()));
    assert_eq!(code, 1);
    let team_a = std::fs::read_to_string(out_dir.join("team-a-mutated.yaml")).expect("a file");
    assert!(team_a.starts_with("apiVersion: v1\nkind: Namespace\nmetadata:\n"));
    assert!(out_dir.join("kube-system-mutated.yaml").exists());
}

#[test]
fn test_fails_a_patched_resource_that_differs_and_shows_the_diff() {
    let dir = scratch_dir("patched-mismatch");
    let suite = dir.join("user-group-defaults");
    std::fs::create_dir_all(suite.join(".kyverno-test")).expect("dirs");
    for file in [
        "policy.yaml",
        "deployments.yaml",
        ".kyverno-test/kyverno-test.yaml",
    ] {
        std::fs::copy(
            format!("examples/user-group-defaults/{file}"),
            suite.join(file),
        )
        .expect("copy");
    }
    let patched =
        std::fs::read_to_string("examples/user-group-defaults/.kyverno-test/patched.yaml")
            .expect("patched.yaml");
    std::fs::write(
        suite.join(".kyverno-test/patched.yaml"),
        patched.replace("runAsUser: 1000", "runAsUser: 1500"),
    )
    .expect("write");
    let (code, stdout, stderr) = rampart(&["test", &suite.display().to_string()]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("Resource diff"), "{stdout}");
    assert!(
        stdout.contains("-          runAsUser: 1500\n+          runAsUser: 1000\n"),
        "{stdout}"
    );
    assert!(stdout.contains("Test Summary: 3 tests passed and 1 tests failed"));
}

#[test]
fn apply_writes_generated_resources_per_policy_into_a_directory() {
    let dir = scratch_dir("apply-generated");
    let (code, stdout, stderr) = rampart(&[
        "apply",
        "examples/namespace-bootstrap/policy.yaml",
        "-r",
        "examples/namespace-bootstrap/resources.yaml",
        "-o",
        &dir.display().to_string(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout
            .matches("Generate:\nGeneration completed successfully.")
            .count(),
        2
    );
    let written = std::fs::read_to_string(dir.join("namespace-bootstrap-generated.yaml"))
        .expect("<policy>-generated.yaml");
    assert_eq!(written.matches("\n---\n\n").count(), 2);
    assert!(written.starts_with("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"));
    assert!(written.contains("kind: Secret\n"));
}

/// A copy of the `namespace-bootstrap` example suite, with `edit` applied to one of its files.
fn bootstrap_suite(name: &str, file: &str, edit: impl Fn(String) -> String) -> String {
    let suite = scratch_dir(name).join("namespace-bootstrap");
    std::fs::create_dir_all(suite.join(".kyverno-test")).expect("dirs");
    for f in [
        "policy.yaml",
        ".kyverno-test/kyverno-test.yaml",
        ".kyverno-test/namespaces.yaml",
        ".kyverno-test/source-secret.yaml",
        ".kyverno-test/generated.yaml",
    ] {
        let text = std::fs::read_to_string(format!("examples/namespace-bootstrap/{f}"))
            .expect("example file");
        let text = if f == file { edit(text) } else { text };
        std::fs::write(suite.join(f), text).expect("write");
    }
    suite.display().to_string()
}

#[test]
fn test_fails_a_generated_resource_that_differs_and_shows_the_diff() {
    let suite = bootstrap_suite("generated-mismatch", ".kyverno-test/generated.yaml", |t| {
        t.replace("    - Egress\n", "")
    });
    let (code, stdout, stderr) = rampart(&["test", &suite]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("Resource diff"), "{stdout}");
    assert!(
        stdout
            .contains("Generated resource didn't match the generated resource in the test result"),
        "{stdout}"
    );
    assert!(stdout.contains("+  - Egress"), "{stdout}");
    assert!(stdout.contains("Test Summary: 2 tests passed and 1 tests failed"));
}

#[test]
fn test_without_the_clone_source_reports_the_error() {
    let suite = bootstrap_suite(
        "clone-source-missing",
        ".kyverno-test/kyverno-test.yaml",
        |t| t.replace("    cloneSourceResource: source-secret.yaml\n", ""),
    );
    let (code, stdout, _) = rampart(&["test", &suite, "--detailed-results"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("Want pass, got error"), "{stdout}");
    assert!(
        stdout.contains("source resource v1/Secret/team-a/regcred not found"),
        "{stdout}"
    );
}

#[test]
fn apply_counts_a_skipped_generate_rule_as_a_skip() {
    let dir = scratch_dir("generate-skip");
    let policy = dir.join("policy.yaml");
    let text = std::fs::read_to_string("examples/namespace-bootstrap/policy.yaml")
        .expect("example policy")
        .replace(
            "      generate:\n        apiVersion: networking.k8s.io/v1",
            "      preconditions:\n        all:\n          - key: \"{{ request.object.metadata.name }}\"\n            operator: Equals\n            value: production\n      generate:\n        apiVersion: networking.k8s.io/v1",
        );
    std::fs::write(&policy, text).expect("write");
    let (code, stdout, _) = rampart(&[
        "apply",
        &policy.display().to_string(),
        "-r",
        "examples/namespace-bootstrap/resources.yaml",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.ends_with("pass: 1, fail: 0, warn: 0, error: 0, skip: 1 \n"),
        "{stdout}"
    );
}
