//! Pattern tests. Expected values come from Kyverno's own unit tests where they exist (the
//! upstream test is named on each table) and from the semantics notes (§2 of
//! `reference/kyverno-semantics.md`) otherwise.

use super::scalar::Leaf;
use super::*;
use serde_json::{Value, json};

/// Scalar match: compiles `pattern` leniently (as Kyverno accepts it) and matches `value`
/// (`None` = missing field).
fn scalar(value: Option<Value>, pattern: Value) -> bool {
    match Leaf::from_scalar(&pattern, true) {
        Some(Ok(leaf)) => leaf.matches(value.as_ref()),
        _ => panic!("not a scalar pattern: {pattern}"),
    }
}

fn check_scalars(table: &[(Option<Value>, Value, bool)], source: &str) {
    for (i, (value, pattern, want)) in table.iter().enumerate() {
        assert_eq!(
            scalar(value.clone(), pattern.clone()),
            *want,
            "{source} row {i}: value {value:?} pattern {pattern}"
        );
    }
}

/// Kyverno `pkg/engine/pattern/pattern_test.go`: `TestValidate`, the `TestValidateValueWith*`
/// tests, `Test_validateNilPattern`, `Test_validateStringPatterns`, `Test_compareString`.
#[test]
fn kyverno_pattern_validate() {
    let t: &[(Option<Value>, Value, bool)] = &[
        // TestValidate
        (Some(json!(true)), json!(true), true),
        (Some(json!(true)), json!(false), false),
        (Some(json!(false)), json!(true), false),
        (Some(json!(false)), json!(false), true),
        (Some(json!("value")), json!(null), false),
        (Some(json!("")), json!(null), true),
        (Some(json!(0.0)), json!(null), true),
        (Some(json!(0)), json!(null), true),
        (Some(json!(false)), json!(null), true),
        (
            Some(json!("10.100.11.54")),
            json!("192.168.88.1 | 10.100.11.*"),
            true,
        ),
        (Some(json!("10")), json!(">1 & <20"), true),
        (Some(json!("10")), json!(">1 & <20 | >31 & <33"), true),
        (Some(json!("32")), json!(">1 & <20 | >31 & <33"), true),
        (Some(json!("21")), json!(">1 & <20 | >31 & <33"), false),
        (Some(json!(7.0)), json!(7.000), true),
        (Some(json!(10)), json!(10), true),
        (Some(json!(8)), json!(10), false),
        (None, json!(false), false),
        (Some(json!(8.0)), json!(8), true),
        (Some(json!(8.1)), json!(8), false),
        (Some(json!("8")), json!(8), true),
        (Some(json!("8.1")), json!(8), false),
        (Some(json!(false)), json!(8), false),
        (Some(json!(8)), json!(8.0), true),
        (Some(json!(8)), json!(8.1), false),
        (Some(json!("8")), json!(8.0), true),
        (Some(json!("8.1")), json!(8.1), true),
        (Some(json!("abc")), json!(8.1), false),
        (Some(json!(false)), json!(8.0), false),
        // TestValidateValueWithFloatPattern_* / TestValidateValueWithIntPattern_*
        (Some(json!(7.9914)), json!(7.9914), true),
        (Some(json!(7.9914)), json!(7.99141), false),
        (Some(json!(7)), json!(7.000000), true),
        (Some(json!(7.000000)), json!(7.000000), true),
        (Some(json!(7.000000)), json!(7), true),
        (Some(json!(7.000001)), json!(7), false),
        (Some(json!(8)), json!(7), false),
        // Test_validateNilPattern
        (None, json!(null), true),
        (Some(json!(null)), json!(null), true),
        (Some(json!(0.0)), json!(null), true),
        (Some(json!("")), json!(null), true),
        (Some(json!({})), json!(null), false),
        (Some(json!([])), json!(null), false),
        (Some(json!(1.0)), json!(null), false),
        (Some(json!(1)), json!(null), false),
        (Some(json!("abc")), json!(null), false),
        (Some(json!(true)), json!(null), false),
        // Test_validateStringPatterns
        (Some(json!("5.16.5-arch1-1")), json!("!5.10.84-1"), true),
        (Some(json!("5.10.84-1")), json!("5.10.84-1"), true),
        (Some(json!("!5.10.84-1")), json!("!5.10.84-1"), true),
        (Some(json!("5.10.84-1")), json!("!5.10.84-1"), false),
        (
            Some(json!("5.16.5-arch1-1")),
            json!("!5.10.84-1 & !5.15.2-1"),
            true,
        ),
        (
            Some(json!("5.10.84-1")),
            json!("!5.10.84-1 & !5.15.2-1"),
            false,
        ),
        (
            Some(json!("5.15.2-1")),
            json!("!5.10.84-1 & !5.15.2-1"),
            false,
        ),
        // Test_compareString (Equal)
        (Some(json!("anything")), json!("*"), true),
        (Some(json!("")), json!("*"), true),
        (Some(json!("leftright")), json!("*right"), true),
        (Some(json!("right")), json!("*right"), true),
        (Some(json!("leftmiddle")), json!("*right"), false),
        (Some(json!("middle")), json!("*right"), false),
        (Some(json!("abbeba")), json!("ab*ba"), true),
        (Some(json!("abbca")), json!("ab*ba"), false),
        (Some(json!("abbba")), json!("ab?ba"), true),
        (Some(json!("abbbba")), json!("ab?ba"), false),
        (None, json!("ab?ba"), false),
        (Some(json!("")), json!("ab?ba"), false),
        (Some(json!("")), json!(""), true),
        (Some(json!(1)), json!("1"), true),
        (Some(json!(1.0)), json!("1E+*"), true),
        (Some(json!(true)), json!("true"), true),
    ];
    check_scalars(t, "pattern_test.go");
}

/// Kyverno `TestValidateValueWithStringPattern_WithSpace`, `_Ranges`,
/// `TestValidateNumberWithStr_LessFloatAndInt`, `TestValidateQuantity_*`, `TestValidateDuration`
/// (`validateString(v, p, op)` written as the pattern `op p`).
#[test]
fn kyverno_operators_and_ranges() {
    let t: &[(Option<Value>, Value, bool)] = &[
        (Some(json!(4)), json!(">= 3"), true),
        (Some(json!(0)), json!("0-2"), true),
        (Some(json!(1)), json!("0-2"), true),
        (Some(json!(2)), json!("0-2"), true),
        (Some(json!(3)), json!("0-2"), false),
        (Some(json!(0)), json!("10!-20"), true),
        (Some(json!(15)), json!("10!-20"), false),
        (Some(json!(25)), json!("10!-20"), true),
        (Some(json!(0)), json!("0.00001-2.00001"), false),
        (Some(json!(1)), json!("0.00001-2.00001"), true),
        (Some(json!(2)), json!("0.00001-2.00001"), true),
        (Some(json!(2.0001)), json!("0.00001-2.00001"), false),
        (Some(json!(0)), json!("0.00001!-2.00001"), true),
        (Some(json!(1)), json!("0.00001!-2.00001"), false),
        (Some(json!(2)), json!("0.00001!-2.00001"), false),
        (Some(json!(2.0001)), json!("0.00001!-2.00001"), true),
        (Some(json!(2)), json!("2-2"), true),
        (Some(json!(2)), json!("2!-2"), false),
        (Some(json!(2.99999)), json!("2.99998-3"), true),
        (Some(json!(2.99997)), json!("2.99998!-3"), true),
        (Some(json!(3.00001)), json!("2.99998!-3"), true),
        (Some(json!("256Mi")), json!("128Mi-512Mi"), true),
        (Some(json!("1024Mi")), json!("128Mi-512Mi"), false),
        (Some(json!("64Mi")), json!("128Mi-512Mi"), false),
        (Some(json!("256Mi")), json!("128Mi!-512Mi"), false),
        (Some(json!("1024Mi")), json!("128Mi!-512Mi"), true),
        (Some(json!("64Mi")), json!("128Mi!-512Mi"), true),
        (Some(json!(-9)), json!("-10-8"), true),
        (Some(json!(9)), json!("-10--8"), false),
        (Some(json!(9)), json!("-10!--8"), true),
        (Some(json!("9Mi")), json!("-10Mi!--8Mi"), true),
        (Some(json!(-9)), json!("-10!--8"), false),
        (Some(json!("-9Mi")), json!("-10Mi-8Mi"), true),
        (Some(json!("9Mi")), json!("-10Mi!-8Mi"), true),
        (Some(json!(0)), json!("-10-+8"), true),
        (Some(json!("7Mi")), json!("-10Mi-+8Mi"), true),
        (Some(json!(10)), json!("-10!-+8"), true),
        (Some(json!("10Mi")), json!("-10Mi!-+8Mi"), true),
        (Some(json!(0)), json!("+0-+1"), true),
        (Some(json!("10Mi")), json!("+0Mi-+1024Mi"), true),
        (Some(json!(10)), json!("+0!-+1"), true),
        (Some(json!("1025Mi")), json!("+0Mi!-+1024Mi"), true),
        // TestValidateNumberWithStr_LessFloatAndInt
        (Some(json!(7.00001)), json!(">7.000001"), true),
        (Some(json!(7.00001)), json!("!7"), true),
        (Some(json!(7.0)), json!("7"), true),
        (Some(json!(6.000000001)), json!("<6"), false),
        // TestValidateQuantity_InvalidQuantity
        (Some(json!("1024Gi")), json!(""), false),
        (Some(json!("gii")), json!("1024Gi"), false),
        // TestValidateDuration
        (Some(json!("12s")), json!("12s"), true),
        (Some(json!("12s")), json!("!15s"), true),
        (Some(json!("12s")), json!("<15s"), true),
        (Some(json!("12s")), json!("<=15s"), true),
        (Some(json!("12s")), json!("<=12s"), true),
        (Some(json!("15s")), json!("<12s"), false),
        (Some(json!("15s")), json!("<=12s"), false),
        (Some(json!("15s")), json!(">12s"), true),
        (Some(json!("15s")), json!(">=12s"), true),
        (Some(json!("12s")), json!(">=12s"), true),
        (Some(json!("12s")), json!(">15s"), false),
        (Some(json!("12s")), json!(">=15s"), false),
        // TestValidateQuantity_Equal
        (Some(json!("1024Gi")), json!("1024Gi"), true),
        (Some(json!("1024Mi")), json!("1Gi"), true),
        (Some(json!("0.2")), json!("200m"), true),
        (Some(json!("500")), json!("500"), true),
        (Some(json!("2048")), json!("1024"), false),
        (Some(json!(1024)), json!("1024"), true),
        // TestValidateQuantity_Operation
        (Some(json!("1Gi")), json!(">1000Mi"), true),
        (Some(json!("1G")), json!("<1Gi"), true),
        (Some(json!("500m")), json!(">=0.5"), true),
        (Some(json!("1")), json!(">=500m"), true),
        (Some(json!("0.5")), json!("<=.5"), true),
        (Some(json!("0.2")), json!("<=.5"), true),
        (Some(json!("0.2")), json!("!.5"), true),
        // TestValidateQuantity_Operation_No_String_Check
        (Some(json!("500m")), json!(">=0.6"), false),
    ];
    check_scalars(t, "pattern_test.go operators");
}

/// The table and "consequences" list of §2.5 of the semantics notes.
#[test]
fn semantics_scalar_table() {
    let t: &[(Option<Value>, Value, bool)] = &[
        // bool pattern: bool values only
        (Some(json!("true")), json!(true), false),
        (None, json!(true), false),
        // int pattern
        (Some(json!(5)), json!(5), true),
        (Some(json!(5.0)), json!(5), true),
        (Some(json!(5.5)), json!(5), false),
        (Some(json!("5")), json!(5), true),
        (Some(json!("+5")), json!(5), true),
        (Some(json!("5.0")), json!(5), false),
        (Some(json!(" 5")), json!(5), false),
        (None, json!(5), false),
        // float pattern
        (Some(json!(5)), json!(5.5), false),
        (Some(json!(5.5)), json!(5.5), true),
        (Some(json!("5.5")), json!(5.5), true),
        (Some(json!("5.50")), json!(5.5), true),
        (Some(json!([5.5])), json!(5.5), false),
        // null pattern
        (Some(json!(false)), json!(null), true),
        (Some(json!(0)), json!(null), true),
        // string patterns
        (Some(json!("x")), json!("?*"), true),
        (Some(json!(5)), json!("?*"), true),
        (Some(json!(true)), json!("?*"), true),
        (None, json!("?*"), false),
        (Some(json!("")), json!("?*"), false),
        (Some(json!({"a": 1})), json!("?*"), false),
        (Some(json!("nginx:latest")), json!("!*:latest"), false),
        (Some(json!("nginx:1.2")), json!("!*:latest"), true),
        (None, json!("!foo"), false),
        (None, json!("!5"), true),
        (None, json!("<10"), true),
        (None, json!(">0"), false),
        (Some(json!("1Gi")), json!("1024Mi"), true),
        (Some(json!("1Gi")), json!("<=2Gi"), true),
        (Some(json!(0.1)), json!("100m"), true),
        (Some(json!("60s")), json!("1m"), true),
        (Some(json!("200m")), json!("<=500m"), true),
        (Some(json!("1")), json!("<=500m"), false),
        (Some(json!(1)), json!("1"), true),
        (Some(json!(1)), json!("1.0"), true),
        (Some(json!(1.5)), json!("1"), false),
        (Some(json!(true)), json!("true"), true),
        (Some(json!(false)), json!("true"), false),
        (Some(json!("Nginx")), json!("nginx"), false),
        (Some(json!(1.5)), json!("1.5"), true),
        (Some(json!(1.5)), json!("1.5E+00"), true),
        (Some(json!(-3)), json!("-3"), true),
        (Some(json!(-3)), json!("-?"), true),
        // Operators on plain strings never match; `!` does.
        (Some(json!("abc")), json!(">abc"), false),
        (Some(json!("abc")), json!("!abd"), true),
        (None, json!("!*"), false),
        // A value identical to the whole pattern always matches.
        (Some(json!(">abc")), json!(">abc"), true),
        (Some(json!("a|b")), json!("a|b"), true),
        // `|` and `&` split everywhere; parts are trimmed of spaces.
        (Some(json!("b")), json!("a|b"), true),
        (Some(json!("")), json!("a|"), true),
        (Some(json!("b")), json!(" a | b "), true),
        (Some(json!("ab")), json!("a* & *b"), true),
        (Some(json!("ac")), json!("a* & *b"), false),
        // One-byte parts are plain text, even `>` and `!`.
        (Some(json!(">")), json!(">"), true),
        (Some(json!("!")), json!("!"), true),
        (Some(json!("x")), json!("!"), false),
        (Some(json!("a")), json!("! a"), false),
        (Some(json!("b")), json!("! a"), true),
        // Ranges with units; durations compared as durations.
        (Some(json!("2Gi")), json!("1Gi-4Gi"), true),
        (Some(json!("5Gi")), json!("1Gi-4Gi"), false),
        (Some(json!("30m")), json!("1h!-2h"), true),
        (Some(json!("90m")), json!("1h!-2h"), false),
        (Some(json!("1-2")), json!("0-5"), false),
        // Missing values are "0" for numeric comparisons.
        (None, json!("0-5"), true),
        (None, json!("<=0s"), true),
        (Some(json!(0)), json!("0s"), true),
    ];
    check_scalars(t, "semantics §2.5");
}

#[test]
fn string_pattern_compile_errors() {
    let bad: &[(&str, &str)] = &[
        (">=", "`>=`: operator `>=` has no operand"),
        (
            "<abc",
            "`<abc`: `abc` is not a number, quantity or duration, so `<` never matches",
        ),
        (
            "a | > x",
            "`> x`: `x` is not a number, quantity or duration, so `>` never matches",
        ),
        (
            "1abc-2",
            "`1abc-2`: range bound `1abc` is not a number, quantity or duration",
        ),
        (
            "1x!-2y",
            "`1x!-2y`: range bound `1x`, `2y` is not a number, quantity or duration",
        ),
    ];
    for (p, msg) in bad {
        assert_eq!(
            StringPattern::compile(p).err(),
            Some(vec![msg.to_string()]),
            "{p}"
        );
    }
    for good in [
        "", ">", "!", "!abc", ">=1Gi", "<5s", "1-2", "a-b", "*:latest", "1m", "> 5", "<=0",
    ] {
        assert!(StringPattern::compile(good).is_ok(), "{good}");
    }
    // Kyverno accepts these and they never match (except the identical string).
    let lenient = StringPattern::compile_lenient("<abc");
    assert!(!lenient.matches(Some(&json!("abb"))));
    assert!(lenient.matches(Some(&json!("<abc"))));
}

// ---------------------------------------------------------------------------------------------
// Tree matching.

fn compile(pattern: &Value) -> Pattern {
    match Pattern::compile(pattern) {
        Ok(p) => p,
        Err(e) => panic!("compile {pattern}: {e:?}"),
    }
}

fn outcome(pattern: Value, resource: Value) -> Outcome {
    compile(&pattern).validate(&resource)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pass,
    Fail,
    Skip,
    Error,
    /// Upstream labels the case "fail" but its test asserts nothing: we only require not-pass.
    NotPass,
}

fn status_of(o: &Outcome) -> Status {
    match o {
        Outcome::Pass => Status::Pass,
        Outcome::Fail { .. } => Status::Fail,
        Outcome::Skip { .. } => Status::Skip,
        Outcome::Error { .. } => Status::Error,
    }
}

fn check_statuses(cases: &[(&str, Value, Value, Status)]) {
    for (name, pattern, resource, want) in cases {
        let got = outcome(pattern.clone(), resource.clone());
        let ok = match want {
            Status::NotPass => got != Outcome::Pass,
            w => status_of(&got) == *w,
        };
        assert!(ok, "{name}: want {want:?}, got {got:?}");
    }
}

fn fail_path(pattern: Value, resource: Value) -> String {
    match outcome(pattern, resource) {
        Outcome::Fail { path, .. } => path,
        other => panic!("expected a fail, got {other:?}"),
    }
}

/// Kyverno `pkg/engine/validate/validate_test.go` `TestConditionalAnchorWithMultiplePatterns`.
#[test]
fn kyverno_conditional_anchor_with_multiple_patterns() {
    use Status::*;
    let p1 = json!({"spec": {"containers": [{"name": "*","(image)": "*:latest | !*:*","imagePullPolicy": "!Always"}]}});
    let c =
        |image: &str, policy: &str| json!({"name": "n", "image": image, "imagePullPolicy": policy});
    let pod = |cs: Vec<Value>| json!({"spec": {"containers": cs}});
    let mut cases: Vec<(&str, Value, Value, Status)> = vec![
        (
            "test-1",
            p1.clone(),
            pod(vec![c("nginx:1.2.3", "Always")]),
            Skip,
        ),
        (
            "test-2",
            p1.clone(),
            pod(vec![c("nginx:latest", "Always")]),
            NotPass,
        ),
        (
            "test-3",
            p1.clone(),
            pod(vec![c("nginx", "Always")]),
            NotPass,
        ),
        ("test-4", p1.clone(), pod(vec![c("nginx", "Never")]), Pass),
        (
            "test-5",
            p1.clone(),
            pod(vec![c("nginx:latest", "Never")]),
            Pass,
        ),
        (
            "test-6",
            p1.clone(),
            pod(vec![c("nginx:1.2.3", "Never")]),
            Skip,
        ),
        (
            "test-7",
            p1.clone(),
            pod(vec![c("nginx", "Always"), c("busybox:1.28", "Always")]),
            NotPass,
        ),
        (
            "test-8",
            p1.clone(),
            pod(vec![
                c("nginx:latest", "Always"),
                c("busybox:1.28", "Always"),
            ]),
            NotPass,
        ),
        (
            "test-9",
            p1.clone(),
            pod(vec![
                c("nginx:1.2.3", "Always"),
                c("busybox:1.28", "Always"),
            ]),
            Skip,
        ),
        (
            "test-10",
            p1.clone(),
            pod(vec![c("nginx", "Never"), c("busybox:1.28", "Always")]),
            Pass,
        ),
        (
            "test-11",
            p1.clone(),
            pod(vec![
                c("nginx:latest", "Never"),
                c("busybox:1.28", "Always"),
            ]),
            Pass,
        ),
        (
            "test-12",
            p1.clone(),
            pod(vec![c("nginx:1.2.3", "Never"), c("busybox:1.28", "Always")]),
            Skip,
        ),
        (
            "test-13",
            p1.clone(),
            pod(vec![c("busybox:1.28", "Always"), c("nginx", "Always")]),
            NotPass,
        ),
        (
            "test-14",
            p1.clone(),
            pod(vec![
                c("busybox:1.28", "Always"),
                c("nginx:latest", "Always"),
            ]),
            NotPass,
        ),
        (
            "test-15",
            p1.clone(),
            pod(vec![
                c("busybox:1.28", "Always"),
                c("nginx:1.2.3", "Always"),
            ]),
            Skip,
        ),
        (
            "test-16",
            p1.clone(),
            pod(vec![c("busybox:1.28", "Always"), c("nginx", "Never")]),
            Pass,
        ),
        (
            "test-17",
            p1.clone(),
            pod(vec![
                c("busybox:1.28", "Always"),
                c("nginx:latest", "Never"),
            ]),
            Pass,
        ),
        (
            "test-18",
            p1.clone(),
            pod(vec![c("busybox:1.28", "Always"), c("nginx:1.2.3", "Never")]),
            Skip,
        ),
        (
            "test-19",
            p1.clone(),
            pod(vec![c("busybox", "Always"), c("nginx", "Always")]),
            NotPass,
        ),
        (
            "test-20",
            p1.clone(),
            pod(vec![
                c("busybox:latest", "Always"),
                c("nginx:latest", "Always"),
            ]),
            NotPass,
        ),
        (
            "test-21",
            p1.clone(),
            pod(vec![
                c("busybox:1.2.3", "Always"),
                c("nginx:latest", "IfNotPresent"),
            ]),
            Pass,
        ),
    ];
    let p22 = json!({"spec": {"containers": [{"name": "*","(image)": "!*:* | *:latest","imagePullPolicy": "!Always"}]}});
    cases.push((
        "test-22",
        p22,
        pod(vec![c("nginx:latest", "Always")]),
        NotPass,
    ));
    let p23 = json!({"spec": {"containers": [{"name": "*","<(image)": "*:latest","imagePullPolicy": "!Always"}]}});
    cases.push((
        "test-23",
        p23.clone(),
        pod(vec![c("nginx", "Always")]),
        NotPass,
    ));
    cases.push((
        "test-24",
        p23,
        pod(vec![c("nginx:latest", "Always")]),
        NotPass,
    ));
    let p25 = json!({"spec": {"containers": [{"name": "*","<(image)": "nginx", "env": [{"<(name)": "foo", "<(value)": "bar" }],"imagePullPolicy": "!Always"}]}});
    let env = |name: &str, policy: &str| json!({"spec": {"containers": [{"name": "nginx","image": "nginx", "env": [{"name": name, "value": "bar" }],"imagePullPolicy": policy}]}});
    cases.push(("test-25", p25.clone(), env("foo1", "Always"), NotPass));
    cases.push(("test-26", p25, env("foo", "Always"), NotPass));
    let p27 = json!({"spec": {"containers": [{"name": "*", "env": [{"<(name)": "foo", "<(value)": "bar" }],"imagePullPolicy": "!Always"}]}});
    cases.push(("test-27", p27.clone(), env("foo1", "Always"), NotPass));
    cases.push(("test-28", p27.clone(), env("foo", "IfNotpresent"), Pass));
    cases.push(("test-29", p27, env("foo", "Always"), NotPass));
    let p30 = json!({"metadata": {"<(name)": "nginx"},"spec": {"imagePullSecrets": [{"name": "regcred"}]}});
    let r30 = |name: &str| json!({"metadata": {"name": name},"spec": {"containers": [{"name": "nginx","image": "nginx:latest"}], "imagePullSecrets": [{"name": "cred"}]}});
    cases.push(("test-30", p30.clone(), r30("somename"), NotPass));
    cases.push(("test-31", p30, r30("nginx"), NotPass));
    let p32 = json!({"metadata": {"labels": {"<(foo)": "bar"}},"spec": {"containers": [{"name": "nginx","image": "!*:latest"}]}});
    let r32 = |image: &str| json!({"metadata": {"name": "nginx","labels": {"foo": "bar"}},"spec": {"containers": [{"name": "nginx","image": image}]}});
    cases.push(("test-32", p32.clone(), r32("nginx"), Pass));
    cases.push(("test-33", p32, r32("nginx:latest"), NotPass));
    let p34 = json!({"spec": {"containers": [{"name": "*","<(image)": "nginx"}],"imagePullSecrets": [{"name": "my-registry-secret"}]}});
    let r34 = |image: &str, secret: &str| json!({"spec": {"containers": [{"name": "nginx","image": image}], "imagePullSecrets": [{"name": secret}]}});
    cases.push(("test-34", p34.clone(), r34("nginx", "cred"), NotPass));
    cases.push(("test-35", p34.clone(), r34("somepod", "cred"), NotPass));
    cases.push(("test-36", p34, r34("nginx", "my-registry-secret"), Pass));
    let p37 = json!({"metadata": {"labels": {"allow-docker": "true"}},"(spec)": {"(volumes)": [{"(hostPath)": {"path": "/var/run/docker.sock"}}]}});
    let r37 = |labels: Value, volumes: Option<Value>| {
        let mut spec = json!({"containers": [{"image": "nginx","name": "nginx"}]});
        if let (Some(v), Some(m)) = (volumes, spec.as_object_mut()) {
            m.insert("volumes".into(), v);
        }
        json!({"metadata": {"labels": labels, "name": "nginx"}, "spec": spec})
    };
    let sock = json!([{"hostPath": {"path": "/var/run/docker.sock"}}]);
    cases.push((
        "test-37",
        p37.clone(),
        r37(json!({"run": "nginx"}), None),
        Skip,
    ));
    cases.push((
        "test-38",
        p37.clone(),
        r37(json!({"run": "nginx"}), Some(sock.clone())),
        NotPass,
    ));
    let other = json!([{"hostPath": {"path": "/randome/value"}}]);
    cases.push((
        "test-39",
        p37.clone(),
        r37(json!({"run": "nginx"}), Some(other)),
        Skip,
    ));
    cases.push((
        "test-40",
        p37.clone(),
        r37(
            json!({"run": "nginx", "allow-docker": "true"}),
            Some(sock.clone()),
        ),
        Pass,
    ));
    cases.push((
        "test-41",
        p37.clone(),
        r37(
            json!({"run": "nginx", "allow-docker": "false"}),
            Some(sock.clone()),
        ),
        NotPass,
    ));
    cases.push((
        "test-42",
        p37,
        r37(json!({"run": "nginx"}), Some(sock)),
        NotPass,
    ));
    let p43 = json!({"spec": {"=(volumes)": [{"(name)": "!cache-volume","=(emptyDir)": {"sizeLimit": "?*"}}]}});
    cases.push((
        "test-43",
        p43,
        json!({"spec": {"volumes": [{"name": "cache-volume","emptyDir": {}}]}}),
        Skip,
    ));
    let p44 = json!({"spec": {"=(initContainers)": [{"(name)": "!istio-init", "=(securityContext)": {"=(runAsUser)": ">0"}}], "=(containers)": [{"=(securityContext)": {"=(runAsUser)": ">0"}}]}});
    let cases44: Vec<(&str, Value, Status)> = vec![
        (
            "test-44",
            json!({"spec": {"initContainers": [{"name": "nginx", "securityContext": {"runAsUser": 1000}}], "containers": [{"name": "nginx", "image": "nginx"}]}}),
            Pass,
        ),
        (
            "test-45",
            json!({"spec": {"initContainers": [{"name": "nginx", "securityContext": {"runAsUser": 0}}], "containers": [{"name": "nginx", "image": "nginx"}]}}),
            NotPass,
        ),
        (
            "test-46",
            json!({"spec": {"initContainers": [{"name": "istio-init", "securityContext": {"runAsUser": 0}}], "containers": [{"securityContext": {"runAsUser": 1000}}]}}),
            Pass,
        ),
        (
            "test-47",
            json!({"spec": {"initContainers": [{"name": "istio-init", "securityContext": {"runAsUser": 1000}}], "containers": [{"securityContext": {"runAsUser": 0}}]}}),
            NotPass,
        ),
        (
            "test-48",
            json!({"spec": {"containers": [{"securityContext": {"runAsUser": 1000}}]}}),
            Pass,
        ),
        (
            "test-49",
            json!({"spec": {"containers": [{"securityContext": {"runAsUser": 0}}]}}),
            NotPass,
        ),
        (
            "test-50",
            json!({"spec": {"initContainers": [{"name": "istio-init", "securityContext": {"runAsUser": 0}}], "containers": [{"name": "nginx", "image": "nginx"}]}}),
            Pass,
        ),
    ];
    for (name, r, s) in cases44 {
        cases.push((name, p44.clone(), r, s));
    }
    let p51 = json!({"spec": {"=(volumes)": [{"(name)": "!credential-socket&!istio-data&!istio-envoy&!workload-certs&!workload-socket","=(emptyDir)": {"sizeLimit": "?*"}}]}});
    cases.push(("test-51", p51.clone(), json!({"spec": {"volumes": [{"name": "credential-socket","emptyDir": {"sizeLimit": "1Gi"}}]}}), Skip));
    cases.push((
        "test-52",
        p51.clone(),
        json!({"spec": {"volumes": [{"name": "cache-volume","emptyDir": {"sizeLimit": "1Gi"}}]}}),
        Pass,
    ));
    cases.push((
        "test-53",
        p51.clone(),
        json!({"spec": {"volumes": [{"name": "cache-volume"}]}}),
        Pass,
    ));
    cases.push((
        "test-54",
        p51,
        json!({"spec": {"volumes": [{"name": "cache-volume","emptyDir": {}}]}}),
        Fail,
    ));
    check_statuses(&cases);
}

/// Kyverno `Test_global_anchor`.
#[test]
fn kyverno_global_anchor() {
    use Status::*;
    let p = json!({"spec": {"containers": [{"name": "*","<(image)": "*:latest","imagePullPolicy": "!Always"}]}});
    let c = |image: &str, policy: &str| json!({"name": "nginx","image": image, "imagePullPolicy": policy});
    check_statuses(&[
        (
            "check_global_anchor_skip",
            p.clone(),
            json!({"spec": {"containers": [c("nginx:v1", "Always")]}}),
            Skip,
        ),
        (
            "check_global_anchor_fail",
            p.clone(),
            json!({"spec": {"containers": [c("nginx:latest", "Always")]}}),
            Fail,
        ),
        (
            "check_global_anchor_pass",
            p.clone(),
            json!({"spec": {"containers": [c("nginx:latest", "IfNotPresent")]}}),
            Pass,
        ),
        (
            "check_global_anchor_mixed",
            p,
            json!({"spec": {"containers": [c("nginx:latest", "IfNotPresent"), c("nginx:v2", "IfNotPresent")]}}),
            Pass,
        ),
    ]);
}

/// Kyverno `TestValidateMapWildcardKeys` (expected path; empty = pass).
#[test]
fn kyverno_wildcard_keys() {
    let cases: &[(Value, Value, &str)] = &[
        (
            json!({"metadata": {"annotations": {"test/*": "value1"}}}),
            json!({"metadata": {"annotations": {"test/bar": "value1"}}}),
            "",
        ),
        (
            json!({"metadata": {"annotations": {"test/b??": "v*"}}}),
            json!({"metadata": {"annotations": {"test/bar": "value1"}}}),
            "",
        ),
        (
            json!({}),
            json!({"metadata": {"annotations": {"test/bar": "value1"}}}),
            "",
        ),
        (
            json!({"metadata": {"annotations": {"test/b??": "v*"}}}),
            json!({"metadata": {"labels": {"test/bar": "value1"}}}),
            "/metadata/annotations/",
        ),
        (
            json!({"metadata": {"labels": {"*/test": "foo"}}}),
            json!({"metadata": {"labels": {"foo/test": "foo"}}}),
            "",
        ),
        (
            json!({"metadata": {"labels": {"foo/a*": "bar"}}}),
            json!({"metadata": {"labels": {"foo/aa?": "bar", "foo/789": "bar"}}}),
            "",
        ),
        (
            json!({"metadata": {"labels": {"foo/ABC*": "bar"}}}),
            json!({"metadata": {"labels": {"foo/AB?": "bar", "foo/ABC": "bar2"}}}),
            "/metadata/labels/foo/ABC/",
        ),
        (
            json!({"=(metadata)": {"=(labels)": {"foo/P*": "bar", "foo/Q*": "bar2"}}}),
            json!({"metadata": {"labels": {"foo/PQR": "bar", "foo/QR": "bar2"}}}),
            "",
        ),
        (
            json!({"metadata": {"labels": {"foo/1*": "bar"}}}),
            json!({"metadata": {"labels": {"foo/123": "bar222"}}}),
            "/metadata/labels/foo/123/",
        ),
        (
            json!({"metadata": {"labels": {"foo/X*": "bar", "foo/A*": "bar2"}}}),
            json!({"metadata": {"labels": {"foo/XYZ": "bar"}}}),
            "/metadata/labels/foo/A*/",
        ),
        (
            json!({"=(metadata)": {"=(labels)": {"foo/1*": "bar", "foo/4*": "bar2"}}}),
            json!({"metadata": {"labels": {"foo/123": "bar"}}}),
            "/metadata/labels/foo/4*/",
        ),
    ];
    for (i, (p, r, path)) in cases.iter().enumerate() {
        let got = outcome(p.clone(), r.clone());
        if path.is_empty() {
            assert_eq!(got, Outcome::Pass, "case {}", i + 1);
        } else {
            assert!(
                matches!(&got, Outcome::Fail { path: p, .. } if p == path),
                "case {}: {got:?}",
                i + 1
            );
        }
    }
}

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "nginx-deployment", "labels": {"app": "nginx"}},
        "spec": {"replicas": 3, "template": {
            "metadata": {"labels": {"app": "nginx"}},
            "spec": {"securityContext": {"runAsNonRoot": true}, "containers": [{
                "name": "nginx", "image": "https://nirmata/nginx:latest", "imagePullPolicy": "Always",
                "livenessProbe": {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 15, "periodSeconds": 11},
                "resources": {"limits": {"memory": "2Gi", "cpu": 8}, "requests": {"memory": "512Mi", "cpu": "8"}},
                "ports": [{"containerPort": 80}]
            }]}
        }}
    })
}

/// Kyverno `TestValidateMap`, `TestValidateMap_Asterisk*`, `TestValidateMap_livenessProbe*`,
/// `TestValidateMapElement_*`, `TestValidateMap_AbsolutePathToMetadata`.
#[test]
fn kyverno_validate_map() {
    let containers = |c: Value| json!({"spec": {"template": {"spec": {"containers": [c]}}}});
    // TestValidateMap
    assert_eq!(
        outcome(
            containers(json!({"name": "?*", "resources": {"requests": {"cpu": "<4|8"}}})),
            deployment()
        ),
        Outcome::Pass
    );
    // TestValidateMap_AsteriskForInt / ForMap / ForArray
    assert_eq!(
        outcome(
            containers(json!({"name": "*", "livenessProbe": {"periodSeconds": "*"}})),
            deployment()
        ),
        Outcome::Pass
    );
    assert_eq!(
        outcome(
            containers(json!({"name": "*", "livenessProbe": "*"})),
            deployment()
        ),
        Outcome::Pass
    );
    assert_eq!(
        outcome(
            json!({"spec": {"template": {"spec": {"containers": "*"}}}}),
            deployment()
        ),
        Outcome::Pass
    );
    // TestValidateMap_AsteriskFieldIsMissing: livenessProbe null
    let mut d = deployment();
    if let Some(c) = d.pointer_mut("/spec/template/spec/containers/0") {
        c["livenessProbe"] = Value::Null;
    }
    assert_eq!(
        outcome(
            containers(json!({"name": "*", "livenessProbe": "*"})),
            d.clone()
        ),
        Outcome::Fail {
            path: "/spec/template/spec/containers/0/".into(),
            message: "/spec/template/spec/containers/0//livenessProbe not found".into()
        }
    );
    // TestValidateMap_livenessProbeIsNull / IsMissing
    assert_eq!(
        outcome(containers(json!({"name": "*", "livenessProbe": null})), d),
        Outcome::Pass
    );
    let mut d = deployment();
    if let Some(Value::Object(c)) = d.pointer_mut("/spec/template/spec/containers/0") {
        c.remove("livenessProbe");
    }
    assert_eq!(
        outcome(containers(json!({"name": "*", "livenessProbe": null})), d),
        Outcome::Pass
    );

    // TestValidateMapElement_TwoElementsInArrayOnePass
    let p = json!({"^(list)": [{"(name)": "nirmata-*", "object": [{"(key1)": "value*", "key2": "value*"}]}]});
    let r = json!({"list": [
        {"name": "nirmata-1", "object": [{"key1": "value1", "key2": "value2"}]},
        {"name": "nirmata-1", "object": [{"key1": "not_value", "key2": "not_value"}]}
    ]});
    assert_eq!(outcome(p, r), Outcome::Pass);
    // TestValidateMapElement_OneElementInArrayPass / NotPass
    let p = json!([{"(name)": "nirmata-*", "object": [{"(key1)": "value*", "key2": "value*"}]}]);
    let r = json!([{"name": "nirmata-1", "object": [{"key1": "value1", "key2": "value2"}]}]);
    assert_eq!(outcome(p.clone(), r), Outcome::Pass);
    let r = json!([{"name": "nirmata-1", "object": [{"key1": "value5", "key2": "1value1"}]}]);
    assert_eq!(fail_path(p, r), "/0/object/0/key2/");
    // TestValidateMap_AbsolutePathToMetadata
    let p = json!({"spec": {"containers": [{"(name)": "kyverno", "image": "kyverno.io*"}]}});
    let r =
        json!({"spec": {"containers": [{"name": "kyverno", "image": "kyverno.io/test:latest"}]}});
    assert_eq!(outcome(p, r), Outcome::Pass);
    // TestValidateMap_MalformedReferenceOnlyDolarMark: "$" is plain text that does not match.
    let p = json!({"spec": {"containers": [{"name": "*", "resources": {"requests": {"memory": "$"}}}]}});
    let r = json!({"spec": {"containers": [{"name": "nirmata", "resources": {"requests": {"memory": "1024Mi"}}}]}});
    assert_eq!(
        fail_path(p, r),
        "/spec/containers/0/resources/requests/memory/"
    );
}

/// Kyverno `pkg/engine/anchor/handlers_test.go` (negation and equality handlers), through the
/// public API: paths and messages.
#[test]
fn kyverno_anchor_handlers() {
    assert_eq!(
        outcome(
            json!({"spec": {"X(testKey)": null}}),
            json!({"spec": {"testKey": "value"}})
        ),
        Outcome::Fail {
            path: "/spec/testKey/".into(),
            message: "negation anchor matched in resource: /spec/testKey/ is not allowed".into()
        }
    );
    assert_eq!(
        outcome(json!({"spec": {"X(testKey)": null}}), json!({"spec": {}})),
        Outcome::Pass
    );
    assert_eq!(
        outcome(
            json!({"spec": {"=(testKey)": "value"}}),
            json!({"spec": {"testKey": "value"}})
        ),
        Outcome::Pass
    );
    assert_eq!(
        outcome(
            json!({"spec": {"=(testKey)": "value"}}),
            json!({"spec": {}})
        ),
        Outcome::Pass
    );
    assert_eq!(
        outcome(
            json!({"spec": {"=(testKey)": "value"}}),
            json!({"spec": {"testKey": "wrongValue"}})
        ),
        Outcome::Fail {
            path: "/spec/testKey/".into(),
            message: "resource value 'wrongValue' does not match 'value' at path /spec/testKey/"
                .into()
        }
    );
}

/// Messages and outcome classification (§2.2–§2.4, §2.8).
#[test]
fn messages() {
    let cases: Vec<(Value, Value, Outcome)> = vec![
        (
            json!({"spec": {"a": {"b": 1}}}),
            json!({"spec": {"a": "x"}}),
            Outcome::Fail {
                path: "/spec/a/".into(),
                message: "pattern and resource have different structures. Path: /spec/a/. Expected map[string]interface {}, found string".into(),
            },
        ),
        (
            json!({"spec": {"a": {"b": 1}}}),
            json!({"spec": {}}),
            Outcome::Fail {
                path: "/spec/a/".into(),
                message: "pattern and resource have different structures. Path: /spec/a/. Expected map[string]interface {}, found <nil>".into(),
            },
        ),
        (
            json!({"spec": {"a": [{"b": 1}]}}),
            json!({"spec": {"a": {"b": 1}}}),
            Outcome::Fail {
                path: "/spec/a/".into(),
                message: "validation rule failed at path /spec/a/, resource does not satisfy the expected overlay pattern".into(),
            },
        ),
        (
            json!({"spec": {"drop": ["ALL"]}}),
            json!({"spec": {"drop": ["ALL", "NET_RAW"]}}),
            Outcome::Fail {
                path: "/spec/drop/".into(),
                message: "resource value '[ALL NET_RAW]' does not match 'ALL' at path /spec/drop/".into(),
            },
        ),
        (
            json!({"spec": {"n": 5}}),
            json!({"spec": {"n": 2.5}}),
            Outcome::Fail { path: "/spec/n/".into(), message: "resource value '2.5' does not match '5' at path /spec/n/".into() },
        ),
        (
            json!({"spec": {"(kind)": "Pod", "x": 1}}),
            json!({"spec": {"kind": "Deployment", "x": 2}}),
            Outcome::Skip {
                message: "conditional anchor mismatch: resource value 'Deployment' does not match 'Pod' at path /spec/kind/".into(),
            },
        ),
        (
            json!({"spec": {"(kind)": "Pod"}}),
            json!({"spec": {}}),
            Outcome::Skip { message: "conditional anchor mismatch: conditional anchor key doesn't exist in the resource".into() },
        ),
        (
            json!({"spec": {"<(kind)": "Pod", "x": 1}}),
            json!({"spec": {"kind": "Job", "x": 2}}),
            Outcome::Skip {
                message: "global anchor mismatch: resource value 'Job' does not match 'Pod' at path /spec/kind/".into(),
            },
        ),
        (
            json!({"spec": {"^(c)": [{"name": "a"}]}}),
            json!({"spec": {"c": [{"name": "b"}]}}),
            Outcome::Fail { path: "/spec/c/".into(), message: "existence anchor validation failed at path /spec/c/".into() },
        ),
        (
            json!({"spec": {"^(c)": [{"name": "a"}]}}),
            json!({"spec": {"c": "a"}}),
            Outcome::Fail {
                path: "/spec/c/".into(),
                message: "invalid resource type string: Existence ^ () anchor can be used only on list/array type resource".into(),
            },
        ),
        (
            json!({"a": [[1], [2]]}),
            json!({"a": [[1]]}),
            Outcome::Error {
                message: "validate Array failed, array length mismatch, resource Array len is 1 and pattern Array len is 2".into(),
            },
        ),
        (
            json!({"spec": {"c": [{"(name)": "x", "v": 1}]}}),
            json!({"spec": {"c": [{"name": "a"}, {"name": "b"}]}}),
            Outcome::Skip {
                message: "conditional anchor mismatch: resource value 'a' does not match 'x' at path /spec/c/0/name/; conditional anchor mismatch: resource value 'b' does not match 'x' at path /spec/c/1/name/".into(),
            },
        ),
    ];
    for (i, (p, r, want)) in cases.into_iter().enumerate() {
        assert_eq!(outcome(p, r), want, "case {i}");
    }
}

/// §2.3: a failed existence-anchor key lookup plus a failure elsewhere is a rule error
/// (`KeysAreMissing`); negation keys do not count.
#[test]
fn missing_anchor_keys_make_an_error() {
    let p = json!({"spec": {"^(volumes)": [{"name": "x"}], "other": "a"}});
    let r = json!({"spec": {"other": "b"}});
    assert!(matches!(outcome(p, r), Outcome::Error { .. }));
    let p = json!({"spec": {"X(volumes)": null, "other": "a"}});
    let r = json!({"spec": {"other": "b"}});
    assert!(matches!(outcome(p, r), Outcome::Fail { .. }));
}

/// §2.3 phase 1: one failing condition in a map skips it even if a sibling anchor fails;
/// a nested skip does not skip the parent when a sibling anchor applied.
#[test]
fn anchor_phase_semantics() {
    // condition fails and an equality anchor fails: the condition wins (skip).
    let p = json!({"spec": {"(a)": "x", "=(b)": "y"}});
    assert!(matches!(
        outcome(p, json!({"spec": {"a": "z", "b": "q"}})),
        Outcome::Skip { .. }
    ));
    // equality anchor inside the then-part is checked when the condition holds.
    let p = json!({"spec": {"(a)": "x", "=(b)": "y"}});
    assert!(matches!(
        outcome(p, json!({"spec": {"a": "x", "b": "q"}})),
        Outcome::Fail { .. }
    ));
    // a failing condition outside arrays skips the whole rule, before any sibling fails.
    let p = json!({"spec": {"c": {"(a)": "x"}, "d": "never"}});
    assert!(matches!(
        outcome(p, json!({"spec": {"c": {"a": "z"}, "d": "y"}})),
        Outcome::Skip { .. }
    ));
    // keys with nested anchors go first in phase 2: `b` (with an anchor inside) before `a`.
    let p = json!({"a": "never", "b": {"(k)": "v"}});
    assert!(matches!(
        outcome(p, json!({"a": "x", "b": {"k": "w"}})),
        Outcome::Skip { .. }
    ));
    // conditional key present with null: the value is checked (and a null pattern matches it).
    let p = json!({"spec": {"(a)": null, "b": 1}});
    assert!(matches!(
        outcome(p, json!({"spec": {"a": null, "b": 2}})),
        Outcome::Fail { .. }
    ));
}

#[test]
fn arrays() {
    // First-element rule: only pattern[0] is used for arrays of maps and of scalars.
    assert_eq!(
        outcome(
            json!({"a": [{"x": 1}, {"x": 2}]}),
            json!({"a": [{"x": 1}, {"x": 1}]})
        ),
        Outcome::Pass
    );
    assert_eq!(
        outcome(json!({"a": ["x", "y"]}), json!({"a": ["x", "x"]})),
        Outcome::Pass
    );
    // Empty resource arrays pass.
    assert_eq!(
        outcome(json!({"a": [{"x": 1}]}), json!({"a": []})),
        Outcome::Pass
    );
    // Scalar pattern against an array: every element.
    assert_eq!(
        outcome(json!({"a": "x*"}), json!({"a": ["x1", "x2"]})),
        Outcome::Pass
    );
    assert!(matches!(
        outcome(json!({"a": "x*"}), json!({"a": ["x1", "y"]})),
        Outcome::Fail { .. }
    ));
    // Positional arrays of arrays.
    assert_eq!(
        outcome(
            json!({"a": [[1], ["b*"]]}),
            json!({"a": [[1], ["bc"], [9]]})
        ),
        Outcome::Pass
    );
    // Existence: every pattern element needs one matching resource element.
    let p = json!({"^(c)": [{"name": "a"}, {"name": "b"}]});
    assert_eq!(
        outcome(p.clone(), json!({"c": [{"name": "b"}, {"name": "a"}]})),
        Outcome::Pass
    );
    assert!(matches!(
        outcome(p.clone(), json!({"c": [{"name": "b"}]})),
        Outcome::Fail { .. }
    ));
    assert_eq!(outcome(p, json!({})), Outcome::Pass);
}

#[test]
fn compile_errors() {
    let p = json!({
        "spec": {
            "+(add)": "x",
            "Y(other)": 1,
            "^(list)": "not-a-list",
            "^(empty)": [],
            "^(scalars)": [1],
            "a": [],
            "b": ">=",
            "c": [{"d": "<abc"}],
            "ok": "{{ request.object.x }}"
        }
    });
    let errors = match Pattern::compile(&p) {
        Err(e) => e,
        Ok(_) => panic!("expected errors"),
    };
    let got: Vec<(String, String)> = errors
        .into_iter()
        .map(|e| (e.path.join("/"), e.message))
        .collect();
    let want: Vec<(String, String)> = [
        ("spec/+(add)", "unsupported anchor +(add)"),
        ("spec/Y(other)", "unsupported anchor Y(other)"),
        ("spec/^(list)", "existence anchor should have value of type list"),
        ("spec/^(empty)", "existence anchor: should have atleast one value"),
        ("spec/^(scalars)/0", "existence anchor: list items must be maps"),
        ("spec/a", "empty pattern array (Kyverno fails every resource with \"pattern Array empty\")"),
        ("spec/b", "invalid scalar pattern `>=`: operator `>=` has no operand"),
        ("spec/c/0/d", "invalid scalar pattern `<abc`: `abc` is not a number, quantity or duration, so `<` never matches"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    // Lenient compilation accepts malformed conditions but not structural mistakes.
    assert!(Pattern::compile_lenient(&json!({"b": ">="})).is_ok());
    assert!(Pattern::compile_lenient(&json!({"+(b)": "x"})).is_err());
}

#[test]
fn variables_are_reported() {
    assert!(compile(&json!({"a": "{{ request.object.x }}"})).has_variables());
    assert!(compile(&json!({"a": [{"b": "x-{{ y }}"}]})).has_variables());
    assert!(!compile(&json!({"a": "x", "b": [1]})).has_variables());
    // A malformed condition inside `{{ }}` text is not an error before substitution.
    assert!(Pattern::compile(&json!({"a": ">= {{ x }}"})).is_ok());
}

#[test]
fn pattern_is_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Pattern>();
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            Just("a".to_string()),
            Just("(a)".to_string()),
            Just("=(a)".to_string()),
            Just("^(a)".to_string()),
            Just("X(a)".to_string()),
            Just("<(a)".to_string()),
            Just("metadata".to_string()),
            Just("labels".to_string()),
            Just("l*".to_string()),
            "[a-z(=^X<]{0,4}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            "[a-z0-9*?!<>=|&. -]{0,8}".prop_map(Value::String),
            prop_oneof![
                Just("1Gi-2Gi"),
                Just(">=1m"),
                Just("!*:latest"),
                Just("<5s | 3")
            ]
            .prop_map(|s| Value::String(s.to_string())),
        ];
        leaf.prop_recursive(4, 32, 4, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn compile_and_validate_never_panic(p in json_value(), r in json_value()) {
            for compiled in [Pattern::compile(&p), Pattern::compile_lenient(&p)].into_iter().flatten() {
                let _ = compiled.validate(&r);
            }
        }

        #[test]
        fn quiet_and_verbose_runs_agree(p in json_value(), r in json_value()) {
            if let Ok(compiled) = Pattern::compile_lenient(&p) {
                let quiet = super::tree::Eval::new(false).element(Some(&r), &compiled.root).is_ok();
                let verbose = super::tree::Eval::new(true).element(Some(&r), &compiled.root).is_ok();
                prop_assert_eq!(quiet, verbose);
            }
        }
    }
}
