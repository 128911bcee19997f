//! Kyverno's per-handler tests in `pkg/engine/variables/operator/*_test.go`. Go integer types
//! become JSON numbers; a Go value with no JSON form (`struct{}{}`) becomes `null`.

// 3.14 is Kyverno's test input, not an approximation of pi.
#![allow(clippy::approx_constant)]

use serde_json::json;

use super::run_table;

#[test]
fn equal_handler() {
    run_table(
        "equal_test.go TestEqualHandler_Evaluate and ValidateValueWith*Pattern",
        &[
            (json!(true), "Equals", json!(true), true),
            (json!(false), "Equals", json!(false), true),
            (json!(true), "Equals", json!(false), false),
            (json!(true), "Equals", json!("true"), false),
            (json!(42), "Equals", json!(42), true),
            (json!(42), "Equals", json!(43), false),
            (json!(100), "Equals", json!(100), true),
            (json!(42), "Equals", json!(42.0), true),
            (json!(42), "Equals", json!(42.5), false),
            (json!(42), "Equals", json!("42"), true),
            (json!(42), "Equals", json!("invalid"), false),
            (json!(3.14), "Equals", json!(3.14), true),
            (json!(3.14), "Equals", json!(2.71), false),
            (json!(42.0), "Equals", json!(42), true),
            (json!(3.14), "Equals", json!("3.14"), true),
            (json!(3.14), "Equals", json!("invalid"), false),
            (json!("hello"), "Equals", json!("hello"), true),
            (json!("hello"), "Equals", json!("world"), false),
            (json!("hello-world"), "Equals", json!("hello-*"), true),
            (json!("goodbye-world"), "Equals", json!("hello-*"), false),
            (json!("hello"), "Equals", json!(123), false),
            (json!("100Mi"), "Equals", json!("100Mi"), true),
            (json!("1Gi"), "Equals", json!("1024Mi"), true),
            (json!("100Mi"), "Equals", json!("200Mi"), false),
            (json!("1h"), "Equals", json!("60m"), true),
            (json!("1h"), "Equals", json!("30m"), false),
            (json!({"foo": "bar"}), "Equals", json!({"foo": "bar"}), true),
            (
                json!({"foo": "bar"}),
                "Equals",
                json!({"foo": "baz"}),
                false,
            ),
            (json!({"foo": "bar"}), "Equals", json!("not a map"), false),
            (
                json!(["a", "b", "c"]),
                "Equals",
                json!(["a", "b", "c"]),
                true,
            ),
            (
                json!(["a", "b", "c"]),
                "Equals",
                json!(["a", "b", "d"]),
                false,
            ),
            (json!(["a", "b", "c"]), "Equals", json!(["a", "b"]), false),
            (
                json!(["a", "b", "c"]),
                "Equals",
                json!("not a slice"),
                false,
            ),
            (json!(null), "Equals", json!(null), false),
            (json!(10), "Equals", json!(10.5), false),
            (json!(10), "Equals", json!("abc"), false),
            (json!(10), "Equals", json!(true), false),
            (json!(10.5), "Equals", json!(10), false),
            (json!(3.14), "Equals", json!("abc"), false),
            (json!(3.14), "Equals", json!(true), false),
        ],
    );
}

/// `notequal_test.go` `TestNotEqualHandler_Evaluate` (after kyverno/kyverno#16276). The same
/// file's `Test_NotEqual_ResourceQuantityCrossType` comes from the unmerged PR #16368 and is
/// not Kyverno's behaviour at HEAD; see `asymmetries::string_key_number_value`.
#[test]
fn not_equal_handler() {
    run_table(
        "notequal_test.go TestNotEqualHandler_Evaluate",
        &[
            (json!(true), "NotEquals", json!(false), true),
            (json!(42), "NotEquals", json!(43), true),
            (json!(5), "NotEquals", json!(5.5), true),
            (json!(3.14), "NotEquals", json!(2.71), true),
            (json!("hello"), "NotEquals", json!("world"), true),
            (json!("100Mi"), "NotEquals", json!("not-a-quantity"), true),
            (json!("1h"), "NotEquals", json!("30m"), true),
            (
                json!({"foo": "bar"}),
                "NotEquals",
                json!({"foo": "baz"}),
                true,
            ),
            (json!(["a", "b"]), "NotEquals", json!(["a", "c"]), true),
        ],
    );
}

#[test]
fn any_in_handler() {
    run_table(
        "anyin_test.go TestAnyInHandler_Evaluate",
        &[
            (json!("kyverno"), "AnyIn", json!("kyverno"), true),
            (
                json!("kube-system"),
                "AnyIn",
                json!(["default", "kube-*"]),
                true,
            ),
            (json!("kyverno"), "AnyIn", json!("default"), false),
            (json!(64), "AnyIn", json!("64"), true),
            (json!(1), "AnyIn", json!([1, 2, 3]), true),
            (json!(64), "AnyIn", json!("default"), false),
            (json!(3.14), "AnyIn", json!("3.14"), true),
            (json!(2.2), "AnyIn", json!([1.1, 2.2, 3.3]), true),
            (json!(3.14), "AnyIn", json!("default"), false),
            (json!(true), "AnyIn", json!("true"), true),
            (
                json!(["kube-system", "kube-public"]),
                "AnyIn",
                json!("kube-*"),
                true,
            ),
            (
                json!(["kube-system", "default"]),
                "AnyIn",
                json!("kube-system"),
                true,
            ),
            (
                json!(["default", "kyverno"]),
                "AnyIn",
                json!("kube-*"),
                false,
            ),
            (
                json!(["default", "kyverno"]),
                "AnyIn",
                json!(["kube-*", "ky*"]),
                true,
            ),
            (
                json!(["default", "kyverno"]),
                "AnyIn",
                json!(["kube-*", "kube-system"]),
                false,
            ),
            (json!([]), "AnyIn", json!(["default", "kyverno"]), false),
            (json!(""), "AnyIn", json!(["default", "kyverno"]), false),
            (json!({"foo": "bar"}), "AnyIn", json!("test"), false),
            (json!("5"), "AnyIn", json!("1-10"), true),
            (json!("0"), "AnyIn", json!("1-10"), false),
            (json!(["0", "5"]), "AnyIn", json!("1-10"), true),
            (json!(["0", "20"]), "AnyIn", json!("1-10"), false),
            (
                json!("apple"),
                "AnyIn",
                json!(r#"["apple", "banana"]"#),
                true,
            ),
            (
                json!("cherry"),
                "AnyIn",
                json!(r#"["apple", "banana"]"#),
                false,
            ),
            (
                json!(["apple", "cherry"]),
                "AnyIn",
                json!(r#"["apple", "banana"]"#),
                true,
            ),
            (
                json!(["cherry", "date"]),
                "AnyIn",
                json!(r#"["apple", "banana"]"#),
                false,
            ),
        ],
    );
}

#[test]
fn any_not_in_handler() {
    run_table(
        "anynotin_test.go TestAnyNotInHandler_Evaluate",
        &[
            (json!("kyverno"), "AnyNotIn", json!("kyverno"), false),
            (
                json!("kube-system"),
                "AnyNotIn",
                json!(["default", "kube-*"]),
                false,
            ),
            (json!("kyverno"), "AnyNotIn", json!("default"), true),
            (json!(64), "AnyNotIn", json!("64"), false),
            (json!(1), "AnyNotIn", json!([1, 2, 3]), false),
            (json!(64), "AnyNotIn", json!("default"), true),
            (json!(3.14), "AnyNotIn", json!("3.14"), false),
            (json!(2.2), "AnyNotIn", json!([1.1, 2.2, 3.3]), false),
            (json!(3.14), "AnyNotIn", json!("default"), true),
            (json!(true), "AnyNotIn", json!(true), false),
            (
                json!(["kube-system", "kube-public"]),
                "AnyNotIn",
                json!("kube-*"),
                false,
            ),
            (
                json!(["kube-system", "default"]),
                "AnyNotIn",
                json!("kube-system"),
                true,
            ),
            (
                json!(["default", "kyverno"]),
                "AnyNotIn",
                json!("kube-*"),
                true,
            ),
            (json!([1, 2, 3]), "AnyNotIn", json!(2), true),
            (json!([1, 2, 3]), "AnyNotIn", json!(4), true),
            (json!([1.1, 2.2, 3.3]), "AnyNotIn", json!(1.1), true),
            (json!([1.1, 2.2, 3.3]), "AnyNotIn", json!(4.4), true),
            (json!([true, false]), "AnyNotIn", json!(true), true),
            (json!([true]), "AnyNotIn", json!(false), true),
            (
                json!(["default", "kyverno"]),
                "AnyNotIn",
                json!(["kube-*", "kube-system"]),
                true,
            ),
            (
                json!(["default", "kyverno"]),
                "AnyNotIn",
                json!(["kube-*", "ky*"]),
                true,
            ),
            (json!([]), "AnyNotIn", json!(["default", "kyverno"]), false),
            (json!(""), "AnyNotIn", json!(["default", "kyverno"]), true),
        ],
    );
}

#[test]
fn all_not_in_handler() {
    run_table(
        "allnotin_test.go TestAllNotInHandler_Evaluate",
        &[
            (json!("kyverno"), "AllNotIn", json!("kyverno"), false),
            (
                json!("kube-system"),
                "AllNotIn",
                json!(["default", "kube-*"]),
                false,
            ),
            (json!("kyverno"), "AllNotIn", json!("default"), true),
            (json!(64), "AllNotIn", json!("64"), false),
            (json!(64), "AllNotIn", json!("default"), true),
            (
                json!(["kube-system", "kube-public"]),
                "AllNotIn",
                json!("kube-*"),
                false,
            ),
            (
                json!(["kube-system", "default"]),
                "AllNotIn",
                json!("kube-system"),
                false,
            ),
            (
                json!(["default", "kyverno"]),
                "AllNotIn",
                json!("kube-*"),
                true,
            ),
            (
                json!(["default", "kyverno"]),
                "AllNotIn",
                json!(["kube-*", "kube-system"]),
                true,
            ),
            (
                json!(["default", "kyverno"]),
                "AllNotIn",
                json!(["kube-*", "ky*"]),
                false,
            ),
        ],
    );
}

#[test]
fn numeric_handler() {
    run_table(
        "numeric_test.go TestNumericOperatorHandler_Evaluate_*",
        &[
            // _int_key (GreaterThan)
            (json!(10), "GreaterThan", json!(5), true),
            (json!(100), "GreaterThan", json!(50), true),
            (json!(25), "GreaterThan", json!(20.5), true),
            (json!(30), "GreaterThan", json!("25"), true),
            (json!(10), "GreaterThan", json!("5.5"), true),
            // _int64_key (LessThan)
            (json!(5), "LessThan", json!(10), true),
            (json!(20), "LessThan", json!(30), true),
            (json!(100), "LessThan", json!(50), false),
            // _float64_key (GreaterThanOrEquals)
            (json!(10.5), "GreaterThanOrEquals", json!(10), true),
            (json!(3.14), "GreaterThanOrEquals", json!(3.14), true),
            (json!(5.5), "GreaterThanOrEquals", json!("4.5"), true),
            (json!(2.5), "GreaterThanOrEquals", json!(5.0), false),
            // _string_key_with_numeric_values (GreaterThan)
            (json!("10.5"), "GreaterThan", json!(10), true),
            (json!("100"), "GreaterThan", json!(50), true),
            (json!("25.5"), "GreaterThan", json!("20.0"), true),
            // _resource_quantities
            (json!("200m"), "GreaterThan", json!("100m"), true),
            (json!("100m"), "GreaterThan", json!("200m"), false),
            (json!("1Gi"), "GreaterThan", json!("500Mi"), true),
            (json!("256Mi"), "LessThan", json!("1Gi"), true),
            (json!("500m"), "GreaterThanOrEquals", json!("500m"), true),
            (json!("2Gi"), "LessThanOrEquals", json!("2Gi"), true),
            // _semver_versions and Test_compareVersionByCondition
            (json!("1.2.0"), "GreaterThan", json!("1.1.0"), true),
            (json!("1.0.0"), "LessThan", json!("2.0.0"), true),
            (json!("1.5.0"), "GreaterThanOrEquals", json!("1.5.0"), true),
            (json!("2.0.0"), "LessThan", json!("1.9.0"), false),
            (json!("0.9.0"), "LessThanOrEquals", json!("1.0.0"), true),
            (json!("1.2.3"), "GreaterThan", json!("1.2.2"), true),
            (json!("1.1.0"), "LessThan", json!("1.2.0"), true),
            (json!("2.0.0"), "GreaterThanOrEquals", json!("2.0.0"), true),
            (json!("1.0.0-alpha"), "LessThan", json!("1.0.0"), true),
            // _unsupported_types (GreaterThan)
            (json!(true), "GreaterThan", json!(false), false),
            (json!({"foo": "bar"}), "GreaterThan", json!("100"), false),
            (json!(["a", "b"]), "GreaterThan", json!("100"), false),
            (json!(null), "GreaterThan", json!("100"), false),
            // _validateValueWithIntPattern_invalid_value (GreaterThan)
            (json!(10), "GreaterThan", json!(true), false),
            (json!(10), "GreaterThan", json!("not-a-number"), false),
        ],
    );
}

#[test]
fn duration_handler() {
    run_table(
        "duration_test.go TestDurationOperatorHandler_*",
        &[
            // _Evaluate_GreaterThan
            (json!("2h"), "DurationGreaterThan", json!("1h"), true),
            (json!("1h"), "DurationGreaterThan", json!("2h"), false),
            (json!("1h"), "DurationGreaterThan", json!("1h"), false),
            (json!("60m"), "DurationGreaterThan", json!("1h"), false),
            (json!("61m"), "DurationGreaterThan", json!("1h"), true),
            (json!(120), "DurationGreaterThan", json!(60), true),
            (json!(60), "DurationGreaterThan", json!(120), false),
            (json!(3600), "DurationGreaterThan", json!(1800), true),
            (json!(120), "DurationGreaterThan", json!("1m"), true),
            (json!(120.5), "DurationGreaterThan", json!(60.5), true),
            (json!(120.5), "DurationGreaterThan", json!(60), true),
            (json!(120.0), "DurationGreaterThan", json!("1m"), true),
            (json!(true), "DurationGreaterThan", json!(false), false),
            // _Evaluate_GreaterThanOrEquals
            (
                json!("2h"),
                "DurationGreaterThanOrEquals",
                json!("1h"),
                true,
            ),
            (
                json!("1h"),
                "DurationGreaterThanOrEquals",
                json!("60m"),
                true,
            ),
            (
                json!("30m"),
                "DurationGreaterThanOrEquals",
                json!("1h"),
                false,
            ),
            (json!(60), "DurationGreaterThanOrEquals", json!(60), true),
            // _Evaluate_LessThan
            (json!("30m"), "DurationLessThan", json!("1h"), true),
            (json!("2h"), "DurationLessThan", json!("1h"), false),
            (json!("1h"), "DurationLessThan", json!("60m"), false),
            (json!(30), "DurationLessThan", json!(60), true),
            // _Evaluate_LessThanOrEquals
            (json!("30m"), "DurationLessThanOrEquals", json!("1h"), true),
            (json!("1h"), "DurationLessThanOrEquals", json!("60m"), true),
            (json!("2h"), "DurationLessThanOrEquals", json!("1h"), false),
            (json!(60), "DurationLessThanOrEquals", json!(60), true),
            // _ValidateValueWithIntPattern, _FloatPattern, _StringPattern (DurationGreaterThan)
            (json!(120), "DurationGreaterThan", json!(60.0), true),
            (json!(120), "DurationGreaterThan", json!("invalid"), false),
            (json!(120), "DurationGreaterThan", json!(true), false),
            (json!(120.0), "DurationGreaterThan", json!("invalid"), false),
            (json!(120.0), "DurationGreaterThan", json!(true), false),
            (json!("2m"), "DurationGreaterThan", json!(60), true),
            (json!("2m"), "DurationGreaterThan", json!(60.0), true),
            (json!("invalid"), "DurationGreaterThan", json!(60), false),
            (json!("1h"), "DurationGreaterThan", json!("invalid"), false),
            (json!("1h"), "DurationGreaterThan", json!(true), false),
        ],
    );
}

/// `operator_test.go` `TestParseDuration_*`: the pairs `parseDuration` accepts and refuses.
#[test]
fn parse_duration_pairs() {
    use super::super::go::{Side, duration_pair};
    use crate::duration::Duration;
    const S: i64 = 1_000_000_000;
    let ok: &[(Side<'_>, Side<'_>, i64, i64)] = &[
        (Side::Str("2h"), Side::Str("1h"), 7200 * S, 3600 * S),
        (Side::Str("90m"), Side::Str("1h30m"), 5400 * S, 5400 * S),
        (Side::Str("30s"), Side::Str("45s"), 30 * S, 45 * S),
        (Side::Str("0s"), Side::Str("1h"), 0, 3600 * S),
        (Side::Str("2m"), Side::Num(60.0), 120 * S, 60 * S),
        (Side::Str("1h"), Side::Num(120.0), 3600 * S, 120 * S),
        (Side::Str("30s"), Side::Num(10.0), 30 * S, 10 * S),
        (Side::Num(120.0), Side::Str("2m"), 120 * S, 120 * S),
        (Side::Num(3600.0), Side::Str("30m"), 3600 * S, 1800 * S),
        (Side::Num(60.0), Side::Str("1m"), 60 * S, 60 * S),
    ];
    for (i, (k, v, kd, vd)) in ok.iter().enumerate() {
        assert_eq!(
            duration_pair(*k, *v),
            Some((Duration(*kd), Duration(*vd))),
            "case {i}"
        );
    }
    let refused: &[(Side<'_>, Side<'_>)] = &[
        (Side::Str("hello"), Side::Str("world")),
        (Side::Num(100.0), Side::Num(200.0)),
        (Side::Str("0"), Side::Str("0")),
        (Side::Str("1h"), Side::Other),
        (Side::Other, Side::Str("1h")),
    ];
    for (i, (k, v)) in refused.iter().enumerate() {
        assert_eq!(duration_pair(*k, *v), None, "refused case {i}");
    }
}
