//! Every schema diagnostic of `rampart check`, rendered as a person sees it (snapshots).

use rampart::Loader;

/// Loads one policy text and renders its diagnostics without colour.
fn diagnose(name: &str, text: &str) -> String {
    let mut loader = Loader::new();
    loader.add_text(name, text);
    loader.render_diagnostics(false)
}

const HEAD: &str = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: p\nspec:\n";

fn policy(spec_body: &str) -> String {
    format!("{HEAD}{spec_body}")
}

const RULE_HEAD: &str =
    "  rules:\n  - name: r\n    match:\n      any:\n      - resources:\n          kinds: [Pod]\n";

#[test]
fn clean_policy_has_no_diagnostics() {
    let text = policy(&format!(
        "{RULE_HEAD}    validate:\n      pattern:\n        metadata:\n          name: \"?*\"\n"
    ));
    assert_eq!(diagnose("clean.yaml", &text), "");
}

#[test]
fn unknown_field_with_suggestion() {
    let text = policy(&format!(
        "  validationFailureActon: Audit\n{RULE_HEAD}    validate:\n      pattern: {{}}\n"
    ));
    insta::assert_snapshot!(diagnose("unknown.yaml", &text));
}

#[test]
fn wrong_type() {
    let text = policy(&format!(
        "  background: [true]\n{RULE_HEAD}    validate:\n      pattern: {{}}\n"
    ));
    insta::assert_snapshot!(diagnose("type.yaml", &text));
}

#[test]
fn missing_required_field() {
    let text = policy("  rules:\n  - name: r\n    validate:\n      pattern: {}\n");
    insta::assert_snapshot!(diagnose("missing.yaml", &text));
}

#[test]
fn invalid_enum_value() {
    let text = policy(&format!(
        "  validationFailureAction: Enforced\n{RULE_HEAD}    validate:\n      pattern: {{}}\n"
    ));
    insta::assert_snapshot!(diagnose("enum.yaml", &text));
}

#[test]
fn duplicate_rule_name() {
    let rule = format!("{RULE_HEAD}    validate:\n      pattern: {{}}\n");
    let second = rule.replacen("  rules:\n", "", 1);
    let text = policy(&format!("{rule}{second}"));
    insta::assert_snapshot!(diagnose("duplicate.yaml", &text));
}

#[test]
fn rule_without_action() {
    let text = policy(RULE_HEAD);
    insta::assert_snapshot!(diagnose("noaction.yaml", &text));
}

#[test]
fn rule_with_two_actions() {
    let text = policy(&format!(
        "{RULE_HEAD}    validate:\n      pattern: {{}}\n    mutate:\n      patchStrategicMerge: {{}}\n"
    ));
    insta::assert_snapshot!(diagnose("twoactions.yaml", &text));
}

#[test]
fn any_and_all_together() {
    let text = policy(
        "  rules:\n  - name: r\n    match:\n      any:\n      - resources:\n          kinds: [Pod]\n      all:\n      - resources:\n          kinds: [Pod]\n    validate:\n      pattern: {}\n",
    );
    insta::assert_snapshot!(diagnose("anyall.yaml", &text));
}

#[test]
fn unsupported_anchor_in_validate() {
    let text = policy(&format!(
        "{RULE_HEAD}    validate:\n      pattern:\n        metadata:\n          +(team): payments\n"
    ));
    insta::assert_snapshot!(diagnose("anchor.yaml", &text));
}

#[test]
fn unparsable_scalar_pattern() {
    let text = policy(&format!(
        "{RULE_HEAD}    validate:\n      pattern:\n        spec:\n          replicas: \">=\"\n"
    ));
    insta::assert_snapshot!(diagnose("scalar.yaml", &text));
}

#[test]
fn not_a_policy_is_a_warning() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: y\n";
    let mut loader = Loader::new();
    loader.add_text("pod.yaml", text);
    // Not a diagnostic: a summary line per file (a repository's manifests would drown them).
    assert!(loader.diagnostics().is_empty());
    assert_eq!(loader.ignored().len(), 2);
    assert_eq!(
        loader.render_ignored(false),
        "warning: pod.yaml: 2 documents are not Kyverno policies (Pod, Service); ignored (-v lists them)\n"
    );
    assert_eq!(
        loader.render_ignored(true),
        "warning: pod.yaml:2:7: `Pod` is not a Kyverno policy; ignored\nwarning: pod.yaml:7:7: `Service` is not a Kyverno policy; ignored\n"
    );
}

#[test]
fn yaml_syntax_error() {
    let text = "apiVersion: kyverno.io/v1\nkind: [ClusterPolicy\n";
    let rendered = diagnose("broken.yaml", text);
    assert!(rendered.contains("broken.yaml:"), "{rendered}");
    assert!(rendered.contains("invalid YAML"), "{rendered}");
}

#[test]
fn invalid_pod_security_exclusion() {
    let text = policy(&format!(
        "{RULE_HEAD}    validate:\n      podSecurity:\n        level: restricted\n        exclude:\n        - controlName: Capabilities\n"
    ));
    insta::assert_snapshot!(diagnose("podsecurity.yaml", &text));
}

#[test]
fn unknown_condition_operator() {
    let text = policy(&format!(
        "{RULE_HEAD}    validate:\n      deny:\n        conditions:\n          any:\n          - key: a\n            operator: Equls\n            value: b\n"
    ));
    insta::assert_snapshot!(diagnose("operator.yaml", &text));
}

#[test]
fn invalid_jmespath_in_foreach_list() {
    let text = policy(&format!(
        "{RULE_HEAD}    validate:\n      foreach:\n      - list: request.object.spec.[containers\n        deny: {{}}\n"
    ));
    let rendered = diagnose("foreach.yaml", &text);
    assert!(
        rendered.contains("invalid JMESPath in foreach.list"),
        "{rendered}"
    );
    assert!(rendered.contains("foreach.yaml:14:15"), "{rendered}");
    assert!(rendered.contains("at column 32"), "{rendered}");
}

#[test]
fn expression_errors_point_inside_the_expression() {
    let text = policy(&format!(
        "{RULE_HEAD}    validate:\n      message: \"pod {{{{ request.object.metadata.name[? }}}} is bad\"\n      deny:\n        conditions:\n          any:\n            - key: '{{{{ request.object.metadata.labels.[0] }}}}'\n              operator: Equals\n              value: x\n"
    ));
    insta::assert_snapshot!(diagnose("expression.yaml", &text));
}

#[test]
fn schema_errors_are_told_from_validation_errors() {
    let rejected = |text: &str| {
        let mut loader = Loader::new();
        loader.add_text("p.yaml", text);
        let invalid = loader.invalid();
        assert_eq!(invalid.len(), 1, "{}", loader.render_diagnostics(false));
        invalid[0].schema_error
    };
    let body = format!("{RULE_HEAD}    validate:\n      pattern: {{}}\n");
    // What Kyverno's schema rejects: unknown fields, wrong types, missing fields, bad enums,
    // invalid YAML.
    assert!(rejected(&policy(&format!("  rulez: []\n{body}"))));
    assert!(rejected(&policy(&format!("  background: [true]\n{body}"))));
    assert!(rejected(&policy(
        "  rules:\n  - name: r\n    validate:\n      pattern: {}\n"
    )));
    assert!(rejected(&policy(&format!(
        "  validationFailureAction: Enforced\n{body}"
    ))));
    assert!(rejected(
        "apiVersion: kyverno.io/v1\nkind: [ClusterPolicy\n"
    ));
    // What only validation rejects: a well-formed policy that says something invalid.
    let second = body.replacen("  rules:\n", "", 1);
    assert!(!rejected(&policy(&format!("{body}{second}"))));
    assert!(!rejected(&policy(RULE_HEAD)));
}
