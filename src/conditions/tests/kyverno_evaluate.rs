//! Kyverno `pkg/engine/variables/evaluate_test.go` `TestEvaluate`, every case in order. Cases
//! that differ only in Go integer types (`int64(1)` against `1`) are the same JSON here and are
//! listed once.

use serde_json::json;

use super::run_table;

fn ips() -> serde_json::Value {
    json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"])
}

#[test]
fn equals() {
    run_table(
        "TestEvaluate Equals",
        &[
            (json!("string"), "Equals", json!("string"), true),
            (json!(1), "Equals", json!(1), true),
            (json!(1.0), "Equals", json!(1.0), true),
            (json!(true), "Equals", json!(true), true),
            (json!(false), "Equals", json!(false), true),
            (json!("1024"), "Equals", json!("1Ki"), true),
            (json!("1Ki"), "Equals", json!("1024"), true),
            (json!("1Gi"), "Equals", json!("1Gi"), true),
            (json!("1Gi"), "Equals", json!("1024Mi"), true),
            (json!("1h"), "Equals", json!("1h"), true),
            (json!("1h"), "Equals", json!("60m"), true),
            (json!({"foo": "bar"}), "Equals", json!({"foo": "bar"}), true),
            (json!(["foo", "bar"]), "Equals", json!(["foo", "bar"]), true),
            (
                json!([{"foo": "bar"}]),
                "Equals",
                json!([{"foo": "bar"}]),
                true,
            ),
            (json!("string"), "Equals", json!("not string"), false),
            (json!(1), "Equals", json!(2), false),
            (json!(1.0), "Equals", json!(2.0), false),
            (json!(true), "Equals", json!(false), false),
            (json!(false), "Equals", json!(true), false),
            (json!("1Gi"), "Equals", json!("10Gi"), false),
            (json!("10Gi"), "Equals", json!("1024Mi"), false),
            (json!("1h"), "Equals", json!("5h"), false),
            (json!("1h"), "Equals", json!("30m"), false),
            (json!("string"), "Equals", json!(1), false),
            (json!(1), "Equals", json!("2"), false),
            (json!(1.0), "Equals", json!("2.0"), false),
            (json!(true), "Equals", json!("false"), false),
            (json!(false), "Equals", json!("true"), false),
            (
                json!({"foo": "bar"}),
                "Equals",
                json!({"bar": "foo"}),
                false,
            ),
            (
                json!(["foo", "bar"]),
                "Equals",
                json!(["bar", "foo"]),
                false,
            ),
            (
                json!([{"foo": "bar"}]),
                "Equals",
                json!([{"bar": "foo"}]),
                false,
            ),
            (json!("1h"), "Equals", json!(3600), true),
            (json!("2h"), "Equals", json!(3600), false),
            (json!("1.5.2"), "Equals", json!("1.5.2"), true),
            (json!("1.5.2"), "Equals", json!("1.5.*"), true),
            (json!("1.5.0"), "Equals", json!("1.5.5"), false),
        ],
    );
}

#[test]
fn not_equals() {
    run_table(
        "TestEvaluate NotEquals",
        &[
            (json!("string"), "NotEquals", json!("string"), false),
            (json!(1), "NotEquals", json!(1), false),
            (json!(1.0), "NotEquals", json!(1.0), false),
            (json!(true), "NotEquals", json!(false), true),
            (json!(false), "NotEquals", json!(false), false),
            (json!("1024"), "NotEquals", json!("1Ki"), false),
            (json!("1Ki"), "NotEquals", json!("1024"), false),
            (json!("1023"), "NotEquals", json!("1Ki"), true),
            (json!("1Ki"), "NotEquals", json!("1023"), true),
            (json!("1Gi"), "NotEquals", json!("1Gi"), false),
            (json!("10Gi"), "NotEquals", json!("1024Mi"), true),
            (json!("1h"), "NotEquals", json!("1h"), false),
            (json!("1h"), "NotEquals", json!("60m"), false),
            (
                json!({"foo": "bar"}),
                "NotEquals",
                json!({"foo": "bar"}),
                false,
            ),
            (
                json!(["foo", "bar"]),
                "NotEquals",
                json!(["foo", "bar"]),
                false,
            ),
            (
                json!([{"foo": "bar"}]),
                "NotEquals",
                json!([{"foo": "bar"}]),
                false,
            ),
            (json!("string"), "NotEquals", json!("not string"), true),
            (json!(1), "NotEquals", json!(2), true),
            (json!(1.0), "NotEquals", json!(2.0), true),
            (json!(true), "NotEquals", json!(true), false),
            (json!(false), "NotEquals", json!(true), true),
            (json!("1Gi"), "NotEquals", json!("10Gi"), true),
            (json!("1Gi"), "NotEquals", json!("1024Mi"), false),
            (json!("1h"), "NotEquals", json!("5h"), true),
            (json!("1h"), "NotEquals", json!("30m"), true),
            (json!("string"), "NotEquals", json!(1), true),
            (json!(1), "NotEquals", json!("2"), true),
            (json!(1.0), "NotEquals", json!("2.0"), true),
            (json!(true), "NotEquals", json!("false"), true),
            (json!(false), "NotEquals", json!("true"), true),
            (
                json!({"foo": "bar"}),
                "NotEquals",
                json!({"bar": "foo"}),
                true,
            ),
            (
                json!(["foo", "bar"]),
                "NotEquals",
                json!(["bar", "foo"]),
                true,
            ),
            (
                json!([{"foo": "bar"}]),
                "NotEquals",
                json!([{"bar": "foo"}]),
                true,
            ),
            (json!("1h"), "NotEquals", json!(3600), false),
            (json!("2h"), "NotEquals", json!(3600), true),
            (json!("1.5.2"), "NotEquals", json!("1.5.5"), true),
            (json!("1.5.2"), "NotEquals", json!("1.5.*"), false),
            (json!("1.5.0"), "NotEquals", json!("1.5.0"), false),
        ],
    );
}

#[test]
fn greater_than() {
    run_table(
        "TestEvaluate GreaterThan",
        &[
            (json!(10), "GreaterThan", json!(1), true),
            (json!(1.5), "GreaterThan", json!(1.0), true),
            (json!(1.5), "GreaterThan", json!(1), true),
            (json!(1), "GreaterThan", json!(10), false),
            (json!(1.0), "GreaterThan", json!(1.5), false),
            (json!(1), "GreaterThan", json!(1.5), false),
            (json!(1), "GreaterThan", json!(1), false),
            (json!(1.0), "GreaterThan", json!(1.0), false),
            (json!("1025"), "GreaterThan", json!("1Ki"), true),
            (json!("1Ki"), "GreaterThan", json!("1023"), true),
            (json!("10Gi"), "GreaterThan", json!("1Gi"), true),
            (json!("1Gi"), "GreaterThan", json!("1Mi"), true),
            (json!("1Gi"), "GreaterThan", json!("10Gi"), false),
            (json!("10Mi"), "GreaterThan", json!("10Mi"), false),
            (json!("10h"), "GreaterThan", json!("1h"), true),
            (json!("1h"), "GreaterThan", json!("30m"), true),
            (json!("1h"), "GreaterThan", json!("1h"), false),
            (json!("1Gi"), "GreaterThan", json!("1Gi"), false),
            (json!("10"), "GreaterThan", json!(1), true),
            (json!(100), "GreaterThan", json!("10"), true),
            (json!("100"), "GreaterThan", json!("10"), true),
            (json!("10"), "GreaterThan", json!("10"), false),
            (json!("1"), "GreaterThan", json!("10"), false),
            (json!("1"), "GreaterThan", json!(10), false),
            (json!(1), "GreaterThan", json!("10"), false),
            (json!("1h"), "GreaterThan", json!(3600), false),
            (json!("2h"), "GreaterThan", json!(3600), true),
            (json!(3600), "GreaterThan", json!("1h"), false),
            (json!(3600), "GreaterThan", json!("30m"), true),
            (json!(-5), "GreaterThan", json!(1), false),
            (json!(-5), "GreaterThan", json!(-10), true),
            (json!(1), "GreaterThan", json!(-10), true),
            (json!("1.5.5"), "GreaterThan", json!("1.5.0"), true),
            (json!("1.5.0"), "GreaterThan", json!("1.5.5"), false),
        ],
    );
}

#[test]
fn less_than() {
    run_table(
        "TestEvaluate LessThan",
        &[
            (json!(10), "LessThan", json!(1), false),
            (json!(1.5), "LessThan", json!(1.0), false),
            (json!(1.5), "LessThan", json!(1), false),
            (json!(1), "LessThan", json!(10), true),
            (json!(1.0), "LessThan", json!(1.5), true),
            (json!(1), "LessThan", json!(1.5), true),
            (json!(1), "LessThan", json!(1), false),
            (json!(1.0), "LessThan", json!(1.0), false),
            (json!("1023"), "LessThan", json!("1Ki"), true),
            (json!("1Ki"), "LessThan", json!("1025"), true),
            (json!("10Gi"), "LessThan", json!("1Gi"), false),
            (json!("1Gi"), "LessThan", json!("10Gi"), true),
            (json!("1Gi"), "LessThan", json!("1Mi"), false),
            (json!("1Mi"), "LessThan", json!("1Gi"), true),
            (json!("10h"), "LessThan", json!("1h"), false),
            (json!("1h"), "LessThan", json!("30m"), false),
            (json!("1h"), "LessThan", json!("1h"), false),
            (json!("1Gi"), "LessThan", json!("1Gi"), false),
            (json!("10"), "LessThan", json!(1), false),
            (json!(100), "LessThan", json!("10"), false),
            (json!("100"), "LessThan", json!("10"), false),
            (json!("10"), "LessThan", json!("10"), false),
            (json!("1"), "LessThan", json!("10"), true),
            (json!("1"), "LessThan", json!(10), true),
            (json!(1), "LessThan", json!("10"), true),
            (json!("1h"), "LessThan", json!(3600), false),
            (json!("30m"), "LessThan", json!(3600), true),
            (json!(3600), "LessThan", json!("1h"), false),
            (json!(3600), "LessThan", json!("30m"), false),
            (json!(-5), "LessThan", json!(1), true),
            (json!(-5), "LessThan", json!(-10), false),
            (json!(1), "LessThan", json!(-10), false),
            (json!("1.5.5"), "LessThan", json!("1.5.0"), false),
            (json!("1.5.0"), "LessThan", json!("1.5.5"), true),
        ],
    );
}

#[test]
fn greater_than_or_equals() {
    run_table(
        "TestEvaluate GreaterThanOrEquals",
        &[
            (json!(10), "GreaterThanOrEquals", json!(1), true),
            (json!(1.5), "GreaterThanOrEquals", json!(1.0), true),
            (json!(1.5), "GreaterThanOrEquals", json!(1), true),
            (json!(1), "GreaterThanOrEquals", json!(10), false),
            (json!(1.0), "GreaterThanOrEquals", json!(1.5), false),
            (json!(1), "GreaterThanOrEquals", json!(1.5), false),
            (json!(1), "GreaterThanOrEquals", json!(1), true),
            (json!(1.0), "GreaterThanOrEquals", json!(1.0), true),
            (json!(1.0), "GreaterThanOrEquals", json!(1), true),
            (json!("1025"), "GreaterThanOrEquals", json!("1Ki"), true),
            (json!("1024"), "GreaterThanOrEquals", json!("1Ki"), true),
            (json!("1Ki"), "GreaterThanOrEquals", json!("1023"), true),
            (json!("1Ki"), "GreaterThanOrEquals", json!("1024"), true),
            (json!("10Gi"), "GreaterThanOrEquals", json!("1Gi"), true),
            (json!("1Gi"), "GreaterThanOrEquals", json!("1Mi"), true),
            (json!("1Gi"), "GreaterThanOrEquals", json!("10Gi"), false),
            (json!("10h"), "GreaterThanOrEquals", json!("1h"), true),
            (json!("1h"), "GreaterThanOrEquals", json!("30m"), true),
            (json!("1h"), "GreaterThanOrEquals", json!("1h"), true),
            (json!("1Gi"), "GreaterThanOrEquals", json!("1Gi"), true),
            (json!("10"), "GreaterThanOrEquals", json!(1), true),
            (json!(100), "GreaterThanOrEquals", json!("10"), true),
            (json!("100"), "GreaterThanOrEquals", json!("10"), true),
            (json!("10"), "GreaterThanOrEquals", json!("10"), true),
            (json!("1"), "GreaterThanOrEquals", json!("10"), false),
            (json!("1"), "GreaterThanOrEquals", json!(10), false),
            (json!(1), "GreaterThanOrEquals", json!("10"), false),
            (json!("1h"), "GreaterThanOrEquals", json!(3600), true),
            (json!("2h"), "GreaterThanOrEquals", json!(3600), true),
            (json!("1.5.5"), "GreaterThanOrEquals", json!("1.5.5"), true),
            (json!("1.5.5"), "GreaterThanOrEquals", json!("1.5.0"), true),
            (json!("1.5.0"), "GreaterThanOrEquals", json!("1.5.5"), false),
        ],
    );
}

#[test]
fn less_than_or_equals() {
    run_table(
        "TestEvaluate LessThanOrEquals",
        &[
            (json!(10), "LessThanOrEquals", json!(1), false),
            (json!(1.5), "LessThanOrEquals", json!(1.0), false),
            (json!(1.5), "LessThanOrEquals", json!(1), false),
            (json!(1), "LessThanOrEquals", json!(10), true),
            (json!(1.0), "LessThanOrEquals", json!(1.5), true),
            (json!(1), "LessThanOrEquals", json!(1.5), true),
            (json!(1), "LessThanOrEquals", json!(1), true),
            (json!(1.0), "LessThanOrEquals", json!(1.0), true),
            (json!("1Ki"), "LessThanOrEquals", json!("1024"), true),
            (json!("1024"), "LessThanOrEquals", json!("1Ki"), true),
            (json!("1Ki"), "LessThanOrEquals", json!("1025"), true),
            (json!("1023"), "LessThanOrEquals", json!("1Ki"), true),
            (json!("10Gi"), "LessThanOrEquals", json!("1Gi"), false),
            (json!("1Gi"), "LessThanOrEquals", json!("10Gi"), true),
            (json!("1Gi"), "LessThanOrEquals", json!("1Mi"), false),
            (json!("1Mi"), "LessThanOrEquals", json!("1Gi"), true),
            (json!("10h"), "LessThanOrEquals", json!("1h"), false),
            (json!("1h"), "LessThanOrEquals", json!("30m"), false),
            (json!("1h"), "LessThanOrEquals", json!("1h"), true),
            (json!("1Gi"), "LessThanOrEquals", json!("1Gi"), true),
            (json!("10"), "LessThanOrEquals", json!(1), false),
            (json!(100), "LessThanOrEquals", json!("10"), false),
            (json!("100"), "LessThanOrEquals", json!("10"), false),
            (json!("10"), "LessThanOrEquals", json!("10"), true),
            (json!("1"), "LessThanOrEquals", json!("10"), true),
            (json!("1"), "LessThanOrEquals", json!(10), true),
            (json!(1), "LessThanOrEquals", json!("10"), true),
            (json!("1h"), "LessThanOrEquals", json!(3600), true),
            (json!("2h"), "LessThanOrEquals", json!(3600), false),
            (json!("1.5.5"), "LessThanOrEquals", json!("1.5.5"), true),
            (json!("1.5.0"), "LessThanOrEquals", json!("1.5.5"), true),
            (json!("1.5.5"), "LessThanOrEquals", json!("1.5.0"), false),
        ],
    );
}

#[test]
fn in_and_not_in() {
    let ips3 = ips();
    run_table(
        "TestEvaluate In / NotIn",
        &[
            (json!(1), "In", json!([1, 2, 3]), true),
            (json!(1.5), "In", json!([1, 1.5, 2, 3]), true),
            (json!("1"), "In", json!(["1", "2", "3"]), true),
            (json!(["1.1.1.1", "2.2.2.2"]), "In", ips3.clone(), true),
            (json!(5), "In", json!([1, 2, 3]), false),
            (json!(5.5), "In", json!([1, 1.5, 2, 3]), false),
            (json!("5"), "In", json!(["1", "2", "3"]), false),
            (json!("1.1.1.1"), "In", json!(["1*"]), true),
            (json!(["1.1.1.1", "4.4.4.4"]), "In", ips3.clone(), false),
            (json!(1), "NotIn", json!([1, 2, 3]), false),
            (json!(1.5), "NotIn", json!([1, 1.5, 2, 3]), false),
            (json!("1"), "NotIn", json!(["1", "2", "3"]), false),
            (json!(["1.1.1.1", "2.2.2.2"]), "NotIn", ips3.clone(), false),
            (json!(5), "NotIn", json!([1, 2, 3]), true),
            (json!(5.5), "NotIn", json!([1, 1.5, 2, 3]), true),
            (json!("5"), "NotIn", json!(["1", "2", "3"]), true),
            (json!(["1.1.1.1", "4.4.4.4"]), "NotIn", ips3, true),
        ],
    );
}

#[test]
fn any_in() {
    let ips3 = ips();
    run_table(
        "TestEvaluate AnyIn",
        &[
            (json!(["1.1.1.1", "5.5.5.5"]), "AnyIn", ips3.clone(), true),
            (
                json!(["1.1.1.1", "5.5.5.5"]),
                "AnyIn",
                json!("1.1.1.1"),
                true,
            ),
            (json!(["4.4.4.4", "5.5.5.5"]), "AnyIn", ips3.clone(), false),
            (
                json!(["1.1.1.1", "5.5.5.5"]),
                "AnyIn",
                json!(["1.1.1.1"]),
                true,
            ),
            (json!([1, 2]), "AnyIn", json!([1, 2, 3, 4]), true),
            (json!([1, 5]), "AnyIn", json!([1, 2, 3, 4]), true),
            (json!([5]), "AnyIn", json!([1, 2, 3, 4]), false),
            (json!(["1*"]), "AnyIn", ips3.clone(), true),
            (json!(["5*"]), "AnyIn", ips3, false),
            (
                json!(["1.1.1.1", "2.2.2.2", "5.5.5.5"]),
                "AnyIn",
                json!(["2*"]),
                true,
            ),
            (
                json!(["1.1.1.1", "2.2.2.2", "5.5.5.5"]),
                "AnyIn",
                json!(["4*"]),
                false,
            ),
            (json!(["5"]), "AnyIn", json!("1-3"), false),
            (json!("1.1.1.1"), "AnyIn", json!(["1*"]), true),
            (json!("5"), "AnyIn", json!("1-10"), true),
            (json!(5), "AnyIn", json!("1-10"), true),
            (json!([1, 5]), "AnyIn", json!("7-10"), false),
            (json!([1, 5]), "AnyIn", json!("0-10"), true),
            (json!([1.002, 1.222]), "AnyIn", json!("1.001-10"), true),
        ],
    );
}

#[test]
fn all_in() {
    let ips3 = ips();
    run_table(
        "TestEvaluate AllIn",
        &[
            (json!(["1.1.1.1", "2.2.2.2"]), "AllIn", ips3.clone(), true),
            (json!(["1.1.1.1", "5.5.5.5"]), "AllIn", ips3.clone(), false),
            (json!(["4.4.4.4", "5.5.5.5"]), "AllIn", ips3.clone(), false),
            (
                json!(["1.1.1.1", "5.5.5.5"]),
                "AllIn",
                json!(["1.1.1.1"]),
                false,
            ),
            (json!([1, 2]), "AllIn", json!([1, 2, 3, 4]), true),
            (json!([1, 5]), "AllIn", json!([1, 2, 3, 4]), false),
            (json!([5]), "AllIn", json!([1, 2, 3, 4]), false),
            (json!(["1*"]), "AllIn", ips3.clone(), true),
            (json!(["5*"]), "AllIn", ips3, false),
            (
                json!(["2.1.1.1", "2.2.2.2", "2.5.5.5"]),
                "AllIn",
                json!(["2*"]),
                true,
            ),
            (
                json!(["1.1.1.1", "2.2.2.2", "5.5.5.5"]),
                "AllIn",
                json!(["4*"]),
                false,
            ),
            (
                json!(["1.1.1.1", "5.5.5.5"]),
                "AllIn",
                json!("5.5.5.5"),
                false,
            ),
            (json!(5), "AllIn", json!("1-10"), true),
            (json!([3, 2]), "AllIn", json!("1-10"), true),
            (json!([3, 2]), "AllIn", json!("5-10"), false),
        ],
    );
}

#[test]
fn all_not_in() {
    let ips3 = ips();
    run_table(
        "TestEvaluate AllNotIn",
        &[
            (json!(1), "AllNotIn", json!([1, 2, 3]), false),
            (json!(1.5), "AllNotIn", json!([1, 1.5, 2, 3]), false),
            (json!("1"), "AllNotIn", json!(["1", "2", "3"]), false),
            (
                json!(["1.1.1.1", "2.2.2.2"]),
                "AllNotIn",
                ips3.clone(),
                false,
            ),
            (json!(5), "AllNotIn", json!([1, 2, 3]), true),
            (json!(5.5), "AllNotIn", json!([1, 1.5, 2, 3]), true),
            (json!("5"), "AllNotIn", json!(["1", "2", "3"]), true),
            (
                json!(["1.1.1.1", "4.4.4.4"]),
                "AllNotIn",
                ips3.clone(),
                false,
            ),
            (
                json!(["1.1.1.1", "4.4.4.4"]),
                "AllNotIn",
                json!(["1.1.1.1", "2.2.2.2", "3.3.3.3", "1.1.1.1"]),
                false,
            ),
            (
                json!(["1.1.1.1", "4.4.4.4", "1.1.1.1"]),
                "AllNotIn",
                json!(["1.1.1.1", "2.2.2.2", "3.3.3.3", "1.1.1.1", "4.4.4.4"]),
                false,
            ),
            (
                json!(["5.5.5.5", "4.4.4.4"]),
                "AllNotIn",
                ips3.clone(),
                true,
            ),
            (json!(["7*", "6*", "5*"]), "AllNotIn", ips3.clone(), true),
            (json!(["1*", "2*"]), "AllNotIn", ips3, false),
            (
                json!(["1.1.1.1", "3.3.3.3", "5.5.5.5"]),
                "AllNotIn",
                json!(["2*"]),
                true,
            ),
            (
                json!(["4.1.1.1", "4.2.2.2", "4.5.5.5"]),
                "AllNotIn",
                json!(["4*"]),
                false,
            ),
            (
                json!(["1.1.1.1", "4.4.4.4"]),
                "AllNotIn",
                json!("2.2.2.2"),
                true,
            ),
            (json!(5.5), "AllNotIn", json!("6-10"), true),
            (json!("5"), "AllNotIn", json!("1-6"), false),
            (json!([3, 2]), "AllNotIn", json!("5-10"), true),
            (json!([2, 6]), "AllNotIn", json!("5-10"), false),
        ],
    );
}

#[test]
fn any_not_in() {
    let ips3 = ips();
    run_table(
        "TestEvaluate AnyNotIn",
        &[
            (json!(1), "AnyNotIn", json!([1, 2, 3]), false),
            (json!(1.5), "AnyNotIn", json!([1, 1.5, 2, 3]), false),
            (json!("1"), "AnyNotIn", json!(["1", "2", "3"]), false),
            (
                json!(["1.1.1.1", "2.2.2.2"]),
                "AnyNotIn",
                ips3.clone(),
                false,
            ),
            (json!(5), "AnyNotIn", json!([1, 2, 3]), true),
            (json!(5.5), "AnyNotIn", json!([1, 1.5, 2, 3]), true),
            (json!("5"), "AnyNotIn", json!(["1", "2", "3"]), true),
            (
                json!(["1.1.1.1", "4.4.4.4"]),
                "AnyNotIn",
                ips3.clone(),
                true,
            ),
            (
                json!(["5.5.5.5", "4.4.4.4"]),
                "AnyNotIn",
                json!("4.4.4.4"),
                true,
            ),
            (
                json!(["5.5.5.5", "4.4.4.4"]),
                "AnyNotIn",
                ips3.clone(),
                true,
            ),
            (json!(["1*", "3*", "5*"]), "AnyNotIn", ips3, true),
            (
                json!(["1.1.1.1", "2.2.2.2", "5.5.5.5"]),
                "AnyNotIn",
                json!(["2*"]),
                true,
            ),
            (json!(["2.2*"]), "AnyNotIn", json!(["2.2.2.2"]), false),
            (json!("5"), "AnyNotIn", json!("1-3"), true),
            (json!([1, 5, 11]), "AnyNotIn", json!("0-10"), true),
            (json!([1, 5, 7]), "AnyNotIn", json!("0-10"), false),
        ],
    );
}
