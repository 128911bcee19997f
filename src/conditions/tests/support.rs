//! The supporting pieces: operator names, Go number formatting, ranges, and robustness.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::go::sprint;
use super::super::{
    NAMES, Operator, ParsedOperator, UNKNOWN_OPERATOR, evaluate, parse_operator, range,
};

/// Every CRD spelling is canonical; other capitalisations find the same handler (Kyverno
/// `operator_test.go` `TestCreateOperatorHandler_*`, including `_CaseInsensitive`); `Equal` and
/// `NotEqual` are aliases; anything else is Kyverno's error.
#[test]
fn operator_names() {
    for (op, name) in NAMES {
        assert_eq!(
            parse_operator(name),
            Ok(ParsedOperator {
                op,
                canonical: true
            }),
            "{name}"
        );
        assert_eq!(op.name(), name);
        let lower = name.to_lowercase();
        assert_eq!(
            parse_operator(&lower),
            Ok(ParsedOperator {
                op,
                canonical: false
            }),
            "{lower}"
        );
    }
    for (name, op) in [
        ("EQUALS", Operator::Equals),
        ("equals", Operator::Equals),
        ("Equal", Operator::Equals),
        ("NotEqual", Operator::NotEquals),
        ("notequals", Operator::NotEquals),
        ("\u{130}n", Operator::In),
    ] {
        assert_eq!(
            parse_operator(name).map(|p| (p.op, p.canonical)),
            Ok((op, false)),
            "{name}"
        );
    }
    for name in ["InvalidOp", "", "Equalss", "Greater Than", "=="] {
        assert_eq!(
            parse_operator(name),
            Err(UNKNOWN_OPERATOR.to_owned()),
            "{name:?}"
        );
    }
}

/// Kyverno's deprecated operators (`utils.go` `deprecatedOperators`, plus `Duration*`).
#[test]
fn deprecations() {
    assert_eq!(Operator::In.alternatives(), ["AllIn", "AnyIn"]);
    assert_eq!(Operator::NotIn.alternatives(), ["AllNotIn", "AnyNotIn"]);
    assert_eq!(Operator::DurationLessThan.alternatives(), ["LessThan"]);
    let deprecated: Vec<_> = NAMES
        .iter()
        .filter(|(op, _)| op.is_deprecated())
        .map(|(_, n)| *n)
        .collect();
    assert_eq!(
        deprecated,
        [
            "In",
            "NotIn",
            "DurationGreaterThanOrEquals",
            "DurationGreaterThan",
            "DurationLessThanOrEquals",
            "DurationLessThan"
        ]
    );
}

/// Go `fmt.Sprint` of decoded JSON (expected strings are Go's output).
#[test]
fn go_sprint() {
    let cases = [
        (json!(3), "3"),
        (json!(3.0), "3"),
        (json!(1.5), "1.5"),
        (json!(-2.25), "-2.25"),
        (json!(0.1), "0.1"),
        (json!(0.0001), "0.0001"),
        (json!(0.00001), "1e-05"),
        (json!(123456), "123456"),
        (json!(1000000), "1e+06"),
        (json!(1234567), "1.234567e+06"),
        (json!(1e21), "1e+21"),
        (json!(1.7976931348623157e308), "1.7976931348623157e+308"),
        (json!(5e-324), "5e-324"),
        (json!(9007199254740993_i64), "9.007199254740992e+15"),
        (json!(-0.0), "-0"),
        (json!(0), "0"),
        (json!(true), "true"),
        (json!(null), "<nil>"),
        (json!("a b"), "a b"),
        (json!([1, "a", true, null]), "[1 a true <nil>]"),
        (
            json!({"b": 1, "a": [2, {"c": "d"}]}),
            "map[a:[2 map[c:d]] b:1]",
        ),
        (json!([]), "[]"),
        (json!({}), "map[]"),
    ];
    for (v, want) in cases {
        assert_eq!(sprint(&v), want, "{v}");
    }
}

/// The range subset of Kyverno's pattern matcher (expected values from Kyverno's
/// `pkg/engine/pattern/pattern_test.go` range cases where they exist).
#[test]
fn range_patterns() {
    for (s, want) in [
        ("1-10", true),
        ("1Gi-4Gi", true),
        ("-10--8", true),
        ("+0Mi-+1024Mi", true),
        ("1.5-2.5", true),
        ("|5-10", true),
        ("a-b", false),
        ("1-", false),
        ("1.-2", false),
        ("1-2-3", false),
        ("1!-2", false),
        ("٣-٥", false),
    ] {
        assert_eq!(range::is_in_range(s), want, "is_in_range {s:?}");
    }
    for (value, pattern, want) in [
        ("5", "1-10", true),
        ("10", "1-10", true),
        ("11", "1-10", false),
        ("-9", "-10--8", true),
        ("-7", "-10--8", false),
        ("-11", "-10!--8", true),
        ("-9", "-10!--8", false),
        ("300Mi", "128Mi!-512Mi", false),
        ("1Gi", "128Mi!-512Mi", true),
        ("512Mi", "+0Mi-+1024Mi", true),
        ("2Gi", "+0Mi-+1024Mi", false),
        ("90s", "1m-2m", true),
        ("3m", "1m-2m", false),
        ("abc", "1-10", false),
        ("abc", "abc", true),
        ("5", "!-5-10", true),
        ("x", "<1 | x", true),
        ("7", ">5 & <9", true),
        ("9", ">5 & <9", false),
        ("", "|5-10", true),
    ] {
        assert_eq!(
            range::matches(value, pattern),
            want,
            "{value:?} against {pattern:?}"
        );
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[0-9a-zA-Z*?!<>=|&.:+ -]{0,10}".prop_map(Value::String),
        "-?[0-9]{1,3}(\\.[0-9])?(Gi|Mi|m|h|s|ms)?-[+-]?[0-9]{1,3}(Gi|Mi|m|h|s)?"
            .prop_map(Value::String),
        "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}(-[a-z0-9.]{1,4})?".prop_map(Value::String),
        "\\PC{0,8}".prop_map(Value::String),
        Just(Value::String(r#"["a","b"]"#.into())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z]{1,3}", inner), 0..3)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No key, value or operator spelling makes evaluation panic.
    #[test]
    fn evaluate_never_panics(key in json_value(), value in json_value(), op in 0usize..16, lower in any::<bool>()) {
        let name = NAMES.get(op).map_or("Equals", |(_, n)| *n);
        let name = if lower { name.to_lowercase() } else { name.to_owned() };
        if let Ok(op) = parse_operator(&name) {
            let _ = evaluate(&op, &key, &value);
        }
    }

    /// Operator parsing never panics and accepts only the known names.
    #[test]
    fn parse_operator_never_panics(name in "\\PC{0,24}") {
        if let Ok(op) = parse_operator(&name) {
            let known = op.op.name().eq_ignore_ascii_case(&name)
                || name.eq_ignore_ascii_case("equal")
                || name.eq_ignore_ascii_case("notequal")
                || name.contains('\u{130}');
            prop_assert!(known);
        }
    }

    /// `Equals` and `NotEquals` are exact opposites except on a `null` key (both false).
    #[test]
    fn not_equals_negates_equals(key in json_value(), value in json_value()) {
        let eq = evaluate(&ParsedOperator { op: Operator::Equals, canonical: true }, &key, &value);
        let ne = evaluate(&ParsedOperator { op: Operator::NotEquals, canonical: true }, &key, &value);
        prop_assert_eq!(ne, !eq && !key.is_null());
    }
}
