//! One test per documented asymmetry or caveat (§3.2 of the semantics notes); these pin
//! Kyverno's behaviour at HEAD, quirks included.

use serde_json::json;

use super::eval;

/// `Equals("5", 5)` is false but `Equals(5, "5")` is true (kyverno/kyverno#16358, open); and
/// `NotEquals("5", 5)` is true (PR #16368's `Test_NotEqual_ResourceQuantityCrossType` expects
/// false, but that PR is not merged).
#[test]
fn string_key_number_value() {
    assert!(!eval(json!("5"), "Equals", json!(5)));
    assert!(eval(json!(5), "Equals", json!("5")));
    assert!(eval(json!("5"), "NotEquals", json!(5)));
    assert!(!eval(json!(5), "NotEquals", json!("5")));
}

/// The wildcard is on the value side only.
#[test]
fn wildcard_on_value_side_only() {
    assert!(eval(json!("nginx:1.25"), "Equals", json!("nginx:*")));
    assert!(!eval(json!("nginx:*"), "Equals", json!("nginx:1.25")));
    assert!(eval(json!("nginx:*"), "NotEquals", json!("nginx:1.25")));
}

/// A key that parses as a quantity takes the quantity path, with no wildcard fallback:
/// `Equals("100", "?*")` is false.
#[test]
fn quantity_key_has_no_wildcard_fallback() {
    assert!(!eval(json!("100"), "Equals", json!("?*")));
    assert!(eval(json!("abc"), "Equals", json!("?*")));
    assert!(eval(json!("100"), "NotEquals", json!("?*")));
}

/// `NotEquals` with mismatched types is true, while `Equals` is false.
#[test]
fn not_equals_type_mismatch_is_true() {
    for (key, value) in [
        (json!(true), json!("true")),
        (json!({"a": 1}), json!("a")),
        (json!(["a"]), json!({"a": 1})),
        (json!(1), json!([1])),
        (json!("100Mi"), json!("")),
        (json!("abc"), json!(false)),
    ] {
        assert!(
            eval(key.clone(), "NotEquals", value.clone()),
            "{key} NotEquals {value}"
        );
        assert!(
            !eval(key.clone(), "Equals", value.clone()),
            "{key} Equals {value}"
        );
    }
}

/// A `null` key (a missing field substituted as null) is false for every operator, `NotEquals`
/// and the `Not` membership operators included.
#[test]
fn null_key_is_false_for_every_operator() {
    for op in super::super::NAMES.iter().map(|(_, n)| *n) {
        for value in [
            json!(null),
            json!(""),
            json!("x"),
            json!(["x"]),
            json!(1),
            json!("1-10"),
        ] {
            assert!(!eval(json!(null), op, value.clone()), "null {op} {value}");
        }
    }
}

/// The numeric and `Duration*` handlers switch on the exact operator string: any other
/// capitalisation parses but is always false. The other operators are case-insensitive.
#[test]
fn numeric_operators_need_exact_spelling() {
    assert!(eval(json!(10), "GreaterThan", json!(1)));
    assert!(!eval(json!(10), "greaterthan", json!(1)));
    assert!(!eval(json!(10), "GREATERTHAN", json!(1)));
    assert!(!eval(json!(1), "lessThan", json!(10)));
    assert!(eval(json!("2h"), "DurationGreaterThan", json!("1h")));
    assert!(!eval(json!("2h"), "durationGreaterThan", json!("1h")));
    assert!(eval(json!("a"), "equals", json!("a")));
    assert!(eval(json!("a"), "ANYIN", json!(["a"])));
    assert!(eval(json!("a"), "Equal", json!("a")));
    assert!(eval(json!("a"), "notequal", json!("b")));
}

/// Durations are the one cross-type comparison of a string key: a number value is seconds; the
/// exact string `"0"` is not a duration (so it is compared as a quantity and a number value
/// does not match), but `"0s"` is. A number key never looks at durations in `Equals` (only
/// `ParseFloat`), so the reverse comparison is false.
#[test]
fn durations_against_seconds() {
    assert!(eval(json!("1h"), "Equals", json!(3600)));
    assert!(!eval(json!(3600), "Equals", json!("1h")));
    assert!(eval(json!(3600), "NotEquals", json!("1h")));
    assert!(eval(json!("0s"), "Equals", json!(0)));
    assert!(!eval(json!("0"), "Equals", json!(0)));
    assert!(eval(json!("1m"), "Equals", json!("60s")));
    // "100m" is 100 minutes as a duration, but the value "0.1" is not a duration, so the pair
    // falls through to quantities: 100 milli equals 0.1.
    assert!(eval(json!("100m"), "Equals", json!("0.1")));
}

/// A number against a duration string is truncated to whole seconds first (Go's
/// `time.Duration(f) * time.Second`): 3600.9 is not greater than 1h, although 3600.9 > 3600.
#[test]
fn seconds_are_truncated_against_durations() {
    assert!(!eval(json!(3600.9), "GreaterThan", json!("1h")));
    assert!(eval(json!(3600.9), "GreaterThan", json!(3600)));
    assert!(eval(json!(0.5), "LessThanOrEquals", json!("0s")));
    assert!(!eval(json!(120.9), "DurationGreaterThan", json!(120.1)));
}

/// Numbers are turned into strings with Go's `fmt.Sprint`: one million is `1e+06`.
#[test]
fn membership_uses_go_sprint() {
    assert!(eval(json!(1_000_000), "AnyIn", json!(["1e+06"])));
    assert!(!eval(json!(1_000_000), "AnyIn", json!(["1000000"])));
    assert!(eval(json!(123_456), "AnyIn", json!(["123456"])));
    assert!(eval(json!(3.0), "AnyIn", json!(["3"])));
    assert!(eval(json!([1, 2.5]), "AllIn", json!(["1", "2.5"])));
    assert!(eval(json!(["a"]), "AnyIn", json!([null, "a"])));
    assert!(eval(json!("<nil>"), "AnyIn", json!([null])));
}

/// Wildcards match in both directions in the list operators (key patterns too).
#[test]
fn membership_wildcards_both_ways() {
    assert!(eval(json!("kube-*"), "AnyIn", json!(["kube-system"])));
    assert!(eval(json!("kube-system"), "AnyIn", json!(["kube-*"])));
    assert!(eval(json!(["kube-*"]), "AllIn", json!(["kube-system"])));
}

/// An unusable value type makes every membership operator false, the negated ones included.
#[test]
fn membership_invalid_value_is_false_even_negated() {
    for op in ["AnyIn", "AllIn", "AnyNotIn", "AllNotIn", "In", "NotIn"] {
        assert!(!eval(json!("a"), op, json!(5)), "scalar {op} number");
        assert!(!eval(json!("a"), op, json!({"a": 1})), "scalar {op} map");
        assert!(
            !eval(json!("a"), op, json!("[1, 2]")),
            "scalar {op} JSON non-strings"
        );
        assert!(!eval(json!(["a"]), op, json!({"a": 1})), "list {op} map");
    }
}

/// With a list key, a number or bool value is a one-item list for `AnyIn`/`AnyNotIn` but an
/// invalid type (false) for `AllIn`/`AllNotIn`.
#[test]
fn list_key_scalar_value() {
    assert!(eval(json!([1, 2]), "AnyIn", json!(2)));
    assert!(eval(json!([1, 2]), "AnyNotIn", json!(2)));
    assert!(!eval(json!([2]), "AllIn", json!(2)));
    assert!(!eval(json!([1]), "AllNotIn", json!(2)));
    assert!(eval(json!([true]), "AnyIn", json!(true)));
}

/// Empty key lists: `AllIn` and `AllNotIn` are true, `AnyIn` and `AnyNotIn` false.
#[test]
fn empty_key_list() {
    let value = json!(["a", "b"]);
    assert!(eval(json!([]), "AllIn", value.clone()));
    assert!(eval(json!([]), "AllNotIn", value.clone()));
    assert!(!eval(json!([]), "AnyIn", value.clone()));
    assert!(!eval(json!([]), "AnyNotIn", value.clone()));
    assert!(eval(json!([]), "AllIn", json!("1-10")));
    assert!(eval(json!([]), "In", value));
}

/// A string value that is valid JSON must be a list of strings; otherwise the string is one
/// item. `null` is an empty list.
#[test]
fn json_string_values() {
    assert!(eval(json!("a"), "AnyIn", json!(r#"["a","b"]"#)));
    assert!(eval(json!(["b", "a"]), "AllIn", json!(r#"["a","b"]"#)));
    assert!(!eval(json!("a"), "AnyIn", json!("null")));
    assert!(!eval(json!("a"), "AnyNotIn", json!(r#"{"a":1}"#)));
    assert!(eval(json!("a"), "AnyNotIn", json!("b,a")));
    assert!(eval(json!(["a", "c"]), "AnyIn", json!("c")));
}

/// `AnyNotIn` with a list key rewrites the range's first `-` into `!-`; with a negative lower
/// bound that yields a negated wildcard instead of a range, so a key inside the range counts as
/// outside. `AnyIn` is unaffected.
#[test]
fn any_not_in_range_rewrite() {
    assert!(eval(json!(["5"]), "AnyIn", json!("-10-10")));
    assert!(eval(json!(["5"]), "AnyNotIn", json!("-10-10")));
    assert!(!eval(json!(["5"]), "AnyNotIn", json!("0-10")));
    assert!(eval(json!(["11"]), "AnyNotIn", json!("0-10")));
    // A scalar key negates AnyIn instead.
    assert!(!eval(json!("5"), "AnyNotIn", json!("-10-10")));
}

/// Ranges use the pattern comparisons: quantities and durations work, `In`/`NotIn` have none.
#[test]
fn ranges() {
    assert!(eval(json!("2Gi"), "AnyIn", json!("1Gi-4Gi")));
    assert!(!eval(json!("5Gi"), "AllIn", json!("1Gi-4Gi")));
    assert!(eval(json!(["90s"]), "AllIn", json!("1m-2m")));
    assert!(!eval(json!("5"), "In", json!("1-10")));
    assert!(eval(json!(["-9"]), "AllIn", json!("-10--8")));
}

/// `In`/`NotIn` with a list key compare exactly, without wildcards, and need string elements:
/// Kyverno panics on other elements; we make the condition false (see `membership.rs`).
#[test]
fn deprecated_in_with_list_key() {
    assert!(eval(json!(["a", "b"]), "In", json!(["b", "a", "c"])));
    assert!(!eval(json!(["a*"]), "In", json!(["abc"])));
    assert!(eval(json!(["a*"]), "AnyIn", json!(["abc"])));
    assert!(eval(json!(["a", "z"]), "NotIn", json!(["a", "b"])));
    assert!(!eval(json!([1, 2]), "In", json!([1, 2, 3])));
    assert!(!eval(json!([1, 2]), "NotIn", json!([3])));
    assert!(!eval(json!(["a"]), "In", json!(["a", 1])));
    assert!(eval(json!(["a"]), "In", json!(r#"["a"]"#)));
    assert!(!eval(json!(["a"]), "In", json!("b")));
}

/// `setExistsInArray` answers true for a one-element key equal to the string value whatever
/// the operator, so `NotIn(["a"], "a")` is true.
#[test]
fn not_in_single_element_quirk() {
    assert!(eval(json!(["a"]), "NotIn", json!("a")));
    assert!(eval(json!(["a"]), "In", json!("a")));
    assert!(!eval(json!(["a"]), "AllNotIn", json!("a")));
    assert!(!eval(json!(["a"]), "AnyNotIn", json!("a")));
}

/// Maps and lists compare deeply, numbers as floats, maps regardless of key order.
#[test]
fn deep_equality() {
    assert!(eval(
        json!({"a": 1, "b": [1.0, "x"]}),
        "Equals",
        json!({"b": [1, "x"], "a": 1.0})
    ));
    assert!(!eval(json!({"a": 1}), "Equals", json!({"a": 1, "b": null})));
    assert!(eval(json!([]), "Equals", json!([])));
}

/// Semantic versions are strict `MAJOR.MINOR.PATCH`, compared by precedence (build metadata
/// ignored); a non-version value is false.
#[test]
fn semver() {
    assert!(eval(json!("1.10.0"), "GreaterThan", json!("1.9.0")));
    assert!(!eval(json!("1.10"), "GreaterThan", json!("1.9")));
    assert!(eval(
        json!("1.0.0+b1"),
        "GreaterThanOrEquals",
        json!("1.0.0+b2")
    ));
    assert!(!eval(json!("1.0.0+b1"), "GreaterThan", json!("1.0.0+b0")));
    assert!(!eval(json!("1.2.3"), "GreaterThan", json!(1)));
    assert!(!eval(json!("v1.2.3"), "GreaterThan", json!("v1.2.2")));
    assert!(eval(
        json!("1.0.0-alpha.1"),
        "LessThan",
        json!("1.0.0-beta")
    ));
}

/// Quantities need both sides to be strings; a string key against a number falls to the float
/// path, and a non-numeric key is false.
#[test]
fn numeric_fallbacks() {
    assert!(!eval(json!("1Gi"), "GreaterThan", json!(1)));
    assert!(eval(json!("1Gi"), "GreaterThan", json!("1")));
    assert!(eval(json!("1"), "LessThan", json!("1Gi")));
    assert!(eval(json!("inf"), "GreaterThan", json!(1e308)));
    assert!(!eval(json!("abc"), "GreaterThan", json!("abb")));
    assert!(!eval(json!("1e400"), "GreaterThan", json!(1)));
}

/// A bool key is `fmt.Sprint`ed by the current operators but unsupported (false) by the
/// deprecated `In`/`NotIn`, whose type switch has no `bool`.
#[test]
fn bool_keys() {
    assert!(eval(json!(true), "AnyIn", json!(["true"])));
    assert!(eval(json!(false), "AllIn", json!("false")));
    assert!(eval(json!(true), "AnyNotIn", json!(["false"])));
    assert!(!eval(json!(true), "In", json!(["true"])));
    assert!(!eval(json!(true), "NotIn", json!(["false"])));
}
