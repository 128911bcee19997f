//! A Test's `checks` in `rampart test`: kyverno-json assertion trees over the rule responses,
//! narrowed by resource, policy and rule, one row per assertion and rule response, and their
//! mistakes reported where they are written.

mod binary;

use binary::{rampart, scratch_dir};

use std::path::{Path, PathBuf};

const POLICY: &str = r#"apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team-label
spec:
  validationFailureAction: Enforce
  rules:
  - name: require-team-label
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: "The label `team` is required."
      pattern:
        metadata:
          labels:
            team: "?*"
  - name: baseline
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      podSecurity:
        level: baseline
        version: latest
"#;

const RESOURCES: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: no-team-label
  namespace: default
spec:
  hostNetwork: true
  containers:
  - name: nginx
    image: nginx
---
apiVersion: v1
kind: Pod
metadata:
  name: with-team-label
  namespace: default
  labels:
    team: a
spec:
  containers:
  - name: nginx
    image: nginx
"#;

/// A suite directory with the policy, the resources and this Test's `checks`.
fn suite(name: &str, checks: &str) -> PathBuf {
    let dir = scratch_dir(name);
    let write = |file: &str, text: &str| std::fs::write(dir.join(file), text).expect("write");
    write("policy.yaml", POLICY);
    write("resources.yaml", RESOURCES);
    write(
        "kyverno-test.yaml",
        &format!(
            "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata:\n  name: {name}\npolicies: [policy.yaml]\nresources: [resources.yaml]\n{checks}"
        ),
    );
    dir
}

fn test(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let path = dir.display().to_string();
    let mut args = vec!["test", path.as_str(), "--remove-color"];
    args.extend(extra);
    rampart(&args)
}

/// Paths of the scratch directory vary between machines: show them as `<dir>`.
fn scrub(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "<dir>")
}

#[test]
fn checks_narrow_by_resource_policy_and_rule_and_assert_each_response() {
    let dir = suite(
        "checks-rows",
        r#"checks:
- match:
    resource:
      metadata:
        name: no-team-label
    policy:
      metadata:
        name: require-team-label
    rule:
      name: require-team-label
  assert:
    status: fail
    ruleType: Validation
    (contains(message, 'team')): true
- match:
    resource:
      (metadata.labels.team): a
  assert:
    status: pass
  error:
    status: fail
- match:
    rule:
      name: baseline
  assert:
    status: pass
"#,
    );
    let (code, stdout, stderr) = test(&dir, &[]);
    assert_eq!(code, 1, "one assertion fails: {stdout}{stderr}");
    insta::assert_snapshot!(scrub(&stdout, &dir));
}

#[test]
fn pod_security_checks_and_bindings_are_visible_to_assertions() {
    let dir = suite(
        "checks-pss",
        r#"checks:
- match:
    resource:
      metadata:
        name: no-team-label
    rule:
      name: baseline
  assert:
    podSecurityChecks:
      level: baseline
      (checks[0].id)->first: hostNamespaces
      ($first == 'hostNamespaces'): true
      ~i.(checks):
        ($i): 0
"#,
    );
    let (code, stdout, stderr) = test(&dir, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("Test Summary: 1 tests passed and 0 tests failed"),
        "{stdout}"
    );
}

#[test]
fn a_check_that_cannot_compare_stops_its_suite_with_the_reason() {
    let dir = suite("checks-error", "checks:\n- assert:\n    status: 1\n");
    let (code, stdout, stderr) = test(&dir, &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "kyverno-test.yaml: status: Internal error: types are not comparable, float64 - string"
        ),
        "{stderr}"
    );
}

#[test]
fn mistakes_in_checks_are_reported_where_written() {
    let dir = suite(
        "checks-mistakes",
        r#"checks:
- match:
    resorce:
      metadata:
        name: no-team-label
  assert:
    (length(message): 1
- assert:
    status: (cel:object.status)
- match:
    rule:
      name: baseline
"#,
    );
    let (code, stdout, stderr) = test(&dir, &[]);
    assert_eq!(code, 1, "{stdout}");
    insta::assert_snapshot!(scrub(&stderr, &dir));
}
