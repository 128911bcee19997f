//! The `rampart` binary on the bundled examples: output (snapshots) and exit codes. Cargo runs
//! integration tests from the package root, so example paths are relative.

mod binary;

use binary::{rampart, scratch_dir};

use proptest::prelude::*;

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
    // Documents that are not policies: one line per file, each one with -v.
    let (code, _, stderr) = rampart(&["check", "examples/no-latest-images/resources.yaml"]);
    assert_eq!(code, 0, "non-policies are warnings: {stderr}");
    assert_eq!(
        stderr,
        "warning: examples/no-latest-images/resources.yaml: 4 documents are not Kyverno policies (Pod); ignored (-v lists them)\n"
    );
    let (_, _, stderr) = rampart(&["check", "examples/no-latest-images/resources.yaml", "-v"]);
    assert_eq!(stderr.lines().count(), 4, "{stderr}");
    assert!(
        stderr.starts_with("warning: examples/no-latest-images/resources.yaml:2:7: `Pod` is not a Kyverno policy; ignored\n"),
        "{stderr}"
    );
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

/// A scratch directory as a path relative to the package root (stable in snapshots).
fn relative(dir: &std::path::Path) -> String {
    dir.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(dir)
        .display()
        .to_string()
}

/// Writes files (name, text) into a fresh scratch directory; returns its relative path.
fn suite(name: &str, files: &[(&str, &str)]) -> String {
    let dir = scratch_dir(name);
    for (file, text) in files {
        std::fs::write(dir.join(file), text).expect("write a fixture");
    }
    relative(&dir)
}

const TEAM_POLICY: &str = "examples/require-team-label/policy.yaml";
const TEAM_RESOURCES: &str = "examples/require-team-label/resources.yaml";

fn team_test(results_key: &str) -> String {
    format!(
        "apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata:
  name: typo
policies:
  - ../../../{TEAM_POLICY}
resources:
  - ../../../{TEAM_RESOURCES}
{results_key}:
  - policy: require-team-label
    rule: team-label
    kind: Pod
    resources: [labelled]
    result: pass
"
    )
}

#[test]
fn a_misspelt_test_file_fails_its_suite_and_the_others_still_run() {
    let dir = suite(
        "misspelt-results",
        &[("kyverno-test.yaml", &team_test("reslts"))],
    );
    let (code, stdout, stderr) = rampart(&[
        "test",
        &dir,
        "examples/require-team-label",
        "--remove-color",
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    // The other suite ran: 3 passes, and the broken suite is one failure.
    assert!(
        stdout.contains("Test Summary: 3 tests passed and 1 tests failed"),
        "{stdout}"
    );
    insta::assert_snapshot!(stderr.replace(&dir, "<dir>"));
    // As a machine-readable row too.
    let (_, json, _) = rampart(&["test", &dir, "-o", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(rows[0]["result"], "Fail");
    assert_eq!(rows[0]["reason"], "Test file error");
    // Spelt right, the same suite passes.
    let fixed = suite(
        "fixed-results",
        &[("kyverno-test.yaml", &team_test("results"))],
    );
    assert_eq!(rampart(&["test", &fixed]).0, 0);
}

#[test]
fn no_test_file_is_kyvernos_message_and_an_error_only_with_require_tests() {
    let dir = suite("no-tests", &[("policy.yaml", "")]);
    let (code, stdout, stderr) = rampart(&["test", &dir]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (0, "\nNo test yamls available\n", "")
    );
    let (code, stdout, stderr) = rampart(&["test", &dir, "--require-tests"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "\nNo test yamls available\n");
    assert_eq!(stderr, "Error: no tests found\n");
    // A path that does not exist is an error, as in Kyverno.
    let (code, stdout, stderr) = rampart(&["test", "no/such/dir"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("Error loading tests: no/such/dir: no such file or directory"),
        "{stdout}"
    );
    assert!(stderr.starts_with("Error: no/such/dir"), "{stderr}");
}

const POLICY_HEAD: &str = "apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: named
spec:
";

const NAMED_RULE: &str = "    - name: named
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        message: needs a name
        pattern:
          metadata:
            name: \"?*\"
";

const NAMED_TEST: &str = "apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata:
  name: named
policies: [policy.yaml]
resources: [../../../examples/require-team-label/resources.yaml]
results:
  - policy: named
    rule: named
    kind: Pod
    resources: [labelled]
    result: pass
";

#[test]
fn policies_that_fail_to_load_fail_the_suite_and_invalid_ones_fail_under_strict() {
    // A schema error: Kyverno's CLI fails to load the policy, so the suite fails.
    let schema = format!("{POLICY_HEAD}  validationFailureActon: Enforce\n  rules:\n{NAMED_RULE}");
    let dir = suite(
        "schema-error",
        &[("policy.yaml", &schema), ("kyverno-test.yaml", NAMED_TEST)],
    );
    for strict in [false, true] {
        let mut args = vec!["test", &dir, "--remove-color"];
        if strict {
            args.push("--strict");
        }
        let (code, stdout, stderr) = rampart(&args);
        assert_eq!(code, 1, "{stdout}{stderr}");
        assert!(
            stderr.contains("unknown field `validationFailureActon` in spec"),
            "{stderr}"
        );
        assert!(stderr.contains("policy.yaml:6:3"), "{stderr}");
        assert!(
            stderr.contains("failed to load policies (named: unknown field"),
            "{stderr}"
        );
        assert!(
            stdout.contains("0 tests passed and 1 tests failed"),
            "{stdout}"
        );
    }
    // A well-formed policy that fails validation (a duplicate rule): `Invalid Policy`, which
    // passes as in Kyverno, and fails with --strict.
    let duplicate = format!("{POLICY_HEAD}  rules:\n{NAMED_RULE}{NAMED_RULE}");
    let dir = suite(
        "validation-error",
        &[
            ("policy.yaml", &duplicate),
            ("kyverno-test.yaml", NAMED_TEST),
        ],
    );
    let (code, stdout, stderr) = rampart(&["test", &dir, "--remove-color"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("│ Pass   │ Invalid Policy │"), "{stdout}");
    assert!(stderr.contains("Duplicate rule name: 'named'"), "{stderr}");
    let (code, stdout, _) = rampart(&["test", &dir, "--remove-color", "--strict"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("│ Fail   │ Invalid Policy │"), "{stdout}");
}

#[test]
fn cluster_resources_answer_config_maps_api_calls_and_namespace_labels() {
    let (code, stdout, stderr) = rampart(&[
        "test",
        "examples/cluster-resources",
        "--detailed-results",
        "--strict",
        "--remove-color",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    insta::assert_snapshot!(stdout);
    // Without them, nothing answers the configMap and apiCall entries: the rules skip.
    let test =
        std::fs::read_to_string("examples/cluster-resources/.kyverno-test/kyverno-test.yaml")
            .expect("the example's test")
            .replace("clusterResources:\n  - cluster.yaml\n", "")
            .replace("../", "../../../examples/cluster-resources/");
    let dir = suite("no-cluster-resources", &[("kyverno-test.yaml", &test)]);
    let (code, stdout, _) = rampart(&["test", &dir, "-o", "json"]);
    assert_eq!(code, 1);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap_or_default();
    let skipped = rows
        .iter()
        .filter(|r| {
            r["reason"]
                .as_str()
                .is_some_and(|r| r.ends_with("got skip"))
        })
        .count();
    assert_eq!(skipped, 9, "{stdout}");
}

#[test]
fn rule_values_win_over_the_resources_own_fields() {
    let policy = "apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: name-check
spec:
  rules:
    - name: not-forbidden
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        message: \"name {{ request.object.metadata.name }} is forbidden\"
        deny:
          conditions:
            any:
              - key: \"{{ request.object.metadata.name }}\"
                operator: Equals
                value: forbidden
";
    let values = "apiVersion: cli.kyverno.io/v1alpha1
kind: Values
metadata:
  name: values
policies:
  - name: name-check
    rules:
      - name: not-forbidden
        values:
          request.object.metadata.name: forbidden
";
    let test = |expected: &str, variables: &str| {
        format!(
            "apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata:
  name: values
policies: [policy.yaml]
resources: [../../../examples/require-team-label/resources.yaml]
{variables}results:
  - policy: name-check
    rule: not-forbidden
    kind: Pod
    resources: [labelled]
    result: {expected}
"
        )
    };
    let with_values = suite(
        "rule-values",
        &[
            ("policy.yaml", policy),
            ("values.yaml", values),
            (
                "kyverno-test.yaml",
                &test("fail", "variables: values.yaml\n"),
            ),
        ],
    );
    let (code, stdout, stderr) = rampart(&["test", &with_values, "--detailed-results"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("name forbidden is forbidden"), "{stdout}");
    // Without the value the Pod's own name is read, and the rule passes.
    let without = suite(
        "no-rule-values",
        &[
            ("policy.yaml", policy),
            ("kyverno-test.yaml", &test("pass", "")),
        ],
    );
    assert_eq!(rampart(&["test", &without]).0, 0);
}

#[test]
fn values_user_info_and_psa_configuration_files_are_read_strictly() {
    let dir = suite(
        "strict-files",
        &[
            (
                "values.yaml",
                "apiVersion: cli.kyverno.io/v1alpha1\nkind: Values\nglobalValue:\n  request.operation: UPDATE\n",
            ),
            (
                "user.yaml",
                "apiVersion: cli.kyverno.io/v1alpha1\nkind: UserInfo\nclusterRole: [admin]\n",
            ),
            (
                "psa.yaml",
                "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\nexemptions:\n  namespace: [kube-system]\n",
            ),
        ],
    );
    let file = |name: &str| format!("{dir}/{name}");
    let apply = |flag: &str, name: &str| {
        rampart(&[
            "apply",
            TEAM_POLICY,
            "-r",
            TEAM_RESOURCES,
            flag,
            &file(name),
        ])
    };
    let (code, _, stderr) = apply("-f", "values.yaml");
    assert_eq!(code, 2);
    assert!(stderr.contains("values.yaml:3:1"), "{stderr}");
    assert!(stderr.contains("did you mean `globalValues`?"), "{stderr}");
    let (code, _, stderr) = apply("-u", "user.yaml");
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `clusterRoles`?"), "{stderr}");
    let (code, stdout, stderr) = rampart(&[
        "psa",
        "-r",
        "examples/psa-namespace/",
        "--config",
        &file("psa.yaml"),
    ]);
    assert_eq!(code, 2, "{stdout}");
    insta::assert_snapshot!(stderr.replace(&dir, "<dir>"));
}

#[test]
fn apply_reads_the_cluster_from_a_context_file() {
    let dir = scratch_dir("context-file");
    let cluster = std::fs::read_to_string("examples/cluster-resources/.kyverno-test/cluster.yaml")
        .expect("the example's cluster");
    let context = cluster.replace("kind: ClusterResource", "kind: Context");
    let file = dir.join("context.yaml");
    std::fs::write(&file, context).expect("write");
    let apply = |extra: &[&str]| {
        let mut args = vec![
            "apply",
            "examples/cluster-resources/policy.yaml",
            "-r",
            "examples/cluster-resources/resources.yaml",
        ];
        args.extend(extra);
        rampart(&args)
    };
    let (_, without, _) = apply(&[]);
    let path = file.display().to_string();
    let (code, with, stderr) = apply(&["--context-file", &path]);
    assert_ne!(
        without, with,
        "the context file's ConfigMaps answer the rules"
    );
    assert!(
        with.contains("Team marketing is not one of payments,search."),
        "{with}{stderr}"
    );
    assert_eq!(code, 1);
    // Read strictly, like every CLI file.
    std::fs::write(
        &file,
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Context\nspec:\n  resorces: []\n",
    )
    .expect("write");
    let (code, _, stderr) = apply(&["--context-file", &path]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown field `resorces`"), "{stderr}");
}

#[test]
fn apply_flags_for_namespaces_stdin_scopes_and_performance() {
    let base = [
        "apply",
        "examples/require-team-label/policy.yaml",
        "-r",
        "examples/require-team-label/resources.yaml",
    ];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(extra);
        rampart(&args)
    };
    let (_, all, _) = run(&[]);
    assert!(all.contains("to 3 resource(s)"), "{all}");
    let (_, other, _) = run(&["-n", "elsewhere"]);
    assert!(other.contains("to 0 resource(s)"), "{other}");
    let (_, piped, _) = run(&["-i"]);
    assert!(!piped.contains("Applying"), "{piped}");
    let (_, _, stderr) = run(&["--show-performance"]);
    assert!(
        stderr.starts_with("performance: 3 resource(s), 3 rule(s)"),
        "{stderr}"
    );
    let (code, _, _) = run(&["--continue-on-fail"]);
    assert_eq!(code, 1, "accepted: evaluation never stops on a resource");

    // A CRD that declares a cluster-scoped kind: its objects get no `default` namespace.
    let dir = scratch_dir("crd-paths");
    std::fs::write(
        dir.join("crd.yaml"),
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Cluster\n  names:\n    kind: Widget\n    plural: widgets\n  versions: []\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("widget.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("policy.yaml"),
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: widgets\nspec:\n  rules:\n  - name: no-namespace\n    match:\n      any:\n      - resources:\n          kinds: [Widget]\n    validate:\n      message: \"namespace: {{ request.object.metadata.namespace || 'none' }}\"\n      deny: {}\n",
    )
    .expect("write");
    let file = |f: &str| dir.join(f).display().to_string();
    let widget = |extra: &[&str]| {
        let (policy, resource) = (file("policy.yaml"), file("widget.yaml"));
        let mut args = vec![
            "apply",
            &policy,
            "-r",
            &resource,
            "-t",
            "--detailed-results",
        ];
        args.extend(extra);
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rampart(&args).1
    };
    assert!(widget(&[]).contains("namespace: default"));
    let crd = file("crd.yaml");
    assert!(widget(&["--crd-paths", &crd]).contains("namespace: none"));
}

#[test]
fn flags_that_need_a_cluster_a_registry_or_git_are_refused() {
    let base = [
        "apply",
        "examples/require-team-label/policy.yaml",
        "-r",
        "examples/require-team-label/resources.yaml",
    ];
    for (flag, reason) in [
        (vec!["--cluster"], "--cluster needs a Kubernetes cluster"),
        (
            vec!["--kubeconfig", "k"],
            "--kubeconfig needs a Kubernetes cluster",
        ),
        (vec!["--registry"], "--registry needs an image registry"),
        (vec!["-b", "main"], "--git-branch needs a git remote"),
        (vec!["--json", "p.json"], "--json is for policy types"),
    ] {
        let mut args = base.to_vec();
        args.extend(flag);
        let (code, stdout, stderr) = rampart(&args);
        assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
    }
    let (code, _, stderr) = rampart(&["test", "examples/require-team-label", "--registry"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, stdout, _) = rampart(&["test", "examples/require-team-label", "-o", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("| ID | POLICY | RULE | RESOURCE | RESULT | REASON | MESSAGE |\n|---|")
    );
}

#[test]
fn generated_exceptions_exempt_the_failures_they_were_drafted_from() {
    for (policy, resources) in [
        (
            "examples/require-team-label/policy.yaml",
            "examples/require-team-label/resources.yaml",
        ),
        (
            "examples/restricted-busybox/policy.yaml",
            "examples/restricted-busybox/deployment.yaml",
        ),
    ] {
        let (code, drafts, stderr) = rampart(&[
            "apply",
            policy,
            "-r",
            resources,
            "--generate-exceptions",
            "--generated-exception-ttl",
            "24h",
        ]);
        assert_eq!(code, 1, "the failures still count: {stderr}");
        assert!(drafts.starts_with("---\napiVersion: kyverno.io/v2beta1\nkind: PolicyException\n"));
        assert!(
            drafts.contains("cleanup.kyverno.io/ttl: 24h0m0s"),
            "{drafts}"
        );
        let dir = scratch_dir("generated-exceptions");
        let file = dir.join("exceptions.yaml");
        // Kyverno writes v2beta1 exceptions without a namespace; one is needed to apply them.
        std::fs::write(
            &file,
            drafts.replace("  creationTimestamp: null\n", "  namespace: kyverno\n"),
        )
        .expect("write");
        let exceptions = file.display().to_string();
        let (code, stdout, stderr) =
            rampart(&["apply", policy, "-r", resources, "-e", &exceptions]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert!(stdout.contains("fail: 0"), "{stdout}");
    }
    let (code, _, stderr) = rampart(&[
        "apply",
        "examples/require-team-label/policy.yaml",
        "-r",
        "examples/require-team-label/resources.yaml",
        "--generate-exceptions",
        "--generated-exception-ttl",
        "1d",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid duration \"1d\""), "{stderr}");
}

#[test]
fn foreach_values_give_each_element_its_value() {
    let dir = scratch_dir("foreach-values");
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).expect("write");
    write(
        "policy.yaml",
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: registries\nspec:\n  rules:\n  - name: allowed\n    match:\n      any:\n      - resources:\n          kinds: [Pod]\n    validate:\n      foreach:\n      - list: request.object.spec.containers\n        deny:\n          conditions:\n            any:\n            - key: \"{{ allowed }}\"\n              operator: NotEquals\n              value: \"yes\"\n",
    );
    write(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: a\n  - name: b\n    image: b\n",
    );
    let values = |second: &str| {
        format!(
            "apiVersion: cli.kyverno.io/v1alpha1\nkind: Values\npolicies:\n- name: registries\n  rules:\n  - name: allowed\n    foreachValues:\n      allowed: [\"yes\", \"{second}\"]\n"
        )
    };
    let apply = |second: &str| {
        write("values.yaml", &values(second));
        let file = |f: &str| dir.join(f).display().to_string();
        let (policy, pod, values) = (file("policy.yaml"), file("pod.yaml"), file("values.yaml"));
        rampart(&["apply", &policy, "-r", &pod, "-f", &values])
    };
    let (code, stdout, stderr) = apply("yes");
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout, _) = apply("no");
    assert_eq!(code, 1, "the second element reads its own value: {stdout}");
}
