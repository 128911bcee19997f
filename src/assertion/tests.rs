//! Assertion trees against values, with kyverno-json's wording for failures and errors.

use serde_json::{Value, json};

use super::{Assertion, aggregate};

fn tree(yaml: &str) -> Assertion {
    let docs = crate::yaml::parse_nodes(yaml).expect("valid YAML");
    Assertion::parse(&docs[0]).expect("valid assertion")
}

fn problems(yaml: &str) -> Vec<String> {
    let docs = crate::yaml::parse_nodes(yaml).expect("valid YAML");
    match Assertion::parse(&docs[0]) {
        Ok(_) => Vec::new(),
        Err(p) => p.into_iter().map(|(_, m)| m).collect(),
    }
}

/// The aggregated failure message, `""` when the assertion holds.
fn check(yaml: &str, value: Value) -> Result<String, String> {
    let errors = tree(yaml).check(&value)?;
    Ok(if errors.is_empty() {
        String::new()
    } else {
        aggregate(&errors)
    })
}

fn rule() -> Value {
    json!({
        "name": "check-image",
        "ruleType": "Validation",
        "message": "an image tag is required",
        "status": "fail",
        "podSecurityChecks": null,
        "exceptions": [],
    })
}

#[test]
fn fields_match_exactly_and_report_the_expected_value() {
    assert_eq!(check("status: fail", rule()), Ok(String::new()));
    assert_eq!(
        check("status: pass", rule()),
        Ok(r#"status: Invalid value: "fail": Expected value: "pass""#.into())
    );
    assert_eq!(
        check("statuz: fail", rule()),
        Ok("statuz: Required value: field not found in the input object".into())
    );
}

#[test]
fn several_failures_are_aggregated_in_brackets() {
    assert_eq!(
        check("status: pass\nname: other", rule()),
        Ok(r#"[status: Invalid value: "fail": Expected value: "pass", name: Invalid value: "check-image": Expected value: "other"]"#.into())
    );
}

#[test]
fn projections_evaluate_jmespath_on_the_value() {
    assert_eq!(
        check("(contains(message, 'tag')): true", rule()),
        Ok(String::new())
    );
    assert_eq!(
        check("(length(exceptions)): 1", rule()),
        Ok("(length(exceptions)): Invalid value: 0: Expected value: 1".into())
    );
    // A projection that finds nothing is null, not a missing field.
    assert_eq!(check("(missing): null", rule()), Ok(String::new()));
}

#[test]
fn numbers_compare_by_value_and_print_as_go_does() {
    let pod = json!({"spec": {"replicas": 3, "ratio": 1.5, "big": 1000000}});
    assert_eq!(
        check("spec: {replicas: 3.0, ratio: 1.5}", pod.clone()),
        Ok(String::new())
    );
    assert_eq!(
        check("spec: {big: 2000000}", pod),
        Ok("spec.big: Invalid value: 1000000: Expected value: 2e+06".into())
    );
}

#[test]
fn values_of_different_types_are_an_error() {
    assert_eq!(
        check("status: 1", rule()),
        Err("status: Internal error: types are not comparable, float64 - string".into())
    );
}

#[test]
fn sequences_need_the_same_length() {
    let v = json!({"items": ["a", "b"]});
    assert_eq!(check("items: [a, b]", v.clone()), Ok(String::new()));
    assert_eq!(
        check("items: [a]", v.clone()),
        Ok(
            r#"items: Invalid value: []interface {}{"a", "b"}: lengths of slices don't match"#
                .into()
        )
    );
    assert_eq!(
        check("items: [a, c]", v),
        Ok(r#"items[1]: Invalid value: "b": Expected value: "c""#.into())
    );
    assert_eq!(
        check("items: [a]", json!({"items": "a"})),
        Err(r#"items: Invalid value: "a": expected a slice"#.into())
    );
}

#[test]
fn foreach_walks_elements_and_binds_the_index() {
    let pod = json!({"spec": {"containers": [
        {"name": "a", "image": "nginx:1"},
        {"name": "b", "image": "nginx"}
    ]}});
    assert_eq!(
        check("spec:\n  ~.(containers):\n    (contains(image, ':')): true", pod.clone()),
        Ok("spec.~.(containers)[1].(contains(image, ':')): Invalid value: false: Expected value: true".into())
    );
    // `~i.` binds the index, usable below as `$i`.
    assert_eq!(
        check(
            "spec:\n  ~i.(containers):\n    ($i < `2`): true",
            pod.clone()
        ),
        Ok(String::new())
    );
    // Over a map, each value, with the key bound.
    assert_eq!(check("~k.(spec): {}", pod), Ok(String::new()));
    assert_eq!(
        check("~.(status): x", rule()),
        Err(r#"~.(status): Invalid value: "fail": expected a slice or a map"#.into())
    );
}

#[test]
fn bindings_reach_the_subtree_and_later_keys() {
    let v = json!({"spec": {"min": 2, "max": 5}});
    assert_eq!(
        check("spec:\n  (min)->low: 2\n  ($low < max): true", v.clone()),
        Ok(String::new())
    );
    assert_eq!(
        check("spec:\n  (max): ($low)", v),
        Err("spec.(max): Internal error: undefined variable: $low".into())
    );
}

#[test]
fn empty_mappings_require_a_value() {
    assert_eq!(
        check("podSecurityChecks: {}", rule()),
        Ok(r#"podSecurityChecks: Invalid value: "null": invalid value, must not be null"#.into())
    );
    // A field of null is missing.
    assert_eq!(
        check("podSecurityChecks: {level: baseline}", rule()),
        Ok("podSecurityChecks.level: Required value: field not found in the input object".into())
    );
    // A field of a scalar is an error.
    assert_eq!(
        check("status: {x: 1}", rule()),
        Err("status.x: Internal error: projection not recognized".into())
    );
}

#[test]
fn escaped_keys_are_fields() {
    let v = json!({"(odd)": 1});
    assert_eq!(check("\\(odd)\\: 1", v), Ok(String::new()));
}

#[test]
fn expressions_on_the_right_compare_their_result() {
    // The expression sees the value it is compared with, not its parent.
    let v = json!({"spec": {"a": 3, "b": 3}});
    assert_eq!(
        check("spec:\n  a: (b)", v.clone()),
        Ok("spec.a: Invalid value: 3: Expected value: <nil>".into())
    );
    assert_eq!(check("spec:\n  a: (@)", v.clone()), Ok(String::new()));
    assert_eq!(
        check("spec:\n  (b)->bv: 3\n  a: ($bv)", v),
        Ok(String::new())
    );
}

#[test]
fn mistakes_are_reported_when_read() {
    // kyverno-json reads `(length(x)` as the expression `length(x`.
    let found = problems("(length(x): 1");
    assert!(
        found[0].contains("invalid JMESPath `length(x`"),
        "{found:?}"
    );
    assert!(
        problems("length(x: 1").is_empty(),
        "not an expression: a field"
    );
    let found = problems("(length(x)): ~.(y)");
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("foreach"), "{found:?}");
    let found = problems("(cel:object.x): 1");
    assert!(found[0].contains("CEL"), "{found:?}");
    let found = problems("(nosuchfunction(x)): 1");
    assert!(found[0].contains("invalid JMESPath"), "{found:?}");
}
