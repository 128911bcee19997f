//! `any` / `all` blocks and their messages.

use serde_json::{Value, json};

use super::super::{
    BlockOutcome, Condition, Conditions, UNKNOWN_OPERATOR, evaluate, evaluate_any_all,
    evaluate_block, evaluate_list, parse_operator,
};

fn cond(key: Value, op: &str, value: Value, message: &str) -> Condition {
    Condition {
        key,
        operator: parse_operator(op).unwrap_or_else(|e| panic!("{op}: {e}")),
        value,
        message: (!message.is_empty()).then(|| message.to_owned()),
    }
}

/// Kyverno `evaluate_test.go` `Test_Condition_Messages`, with the resource's fields
/// substituted: `metadata.name` is `temp`, `spec.foo` is `bar`.
#[test]
fn condition_messages() {
    let name = |v: &str| cond(json!("temp"), "Equal", json!(v), "invalid name");
    let foo = |v: &str, msg: &str| cond(json!("bar"), "Equal", json!(v), msg);

    let mut block = Conditions {
        any: Some(vec![name("temp2"), foo("bar2", "invalid foo")]),
        all: None,
        legacy: false,
    };
    let out = evaluate_block(&block);
    assert!(!out.passed);
    assert_eq!(out.message(), "invalid name; invalid foo");

    block.any = Some(vec![name("temp"), foo("bar", "invalid foo")]);
    let out = evaluate_block(&block);
    assert!(out.passed);
    assert_eq!(out.message(), "invalid name");

    block.all = Some(vec![name("temp"), foo("bar2", "invalid foo")]);
    let out = evaluate_block(&block);
    assert!(!out.passed);
    assert_eq!(out.message(), "invalid foo");

    block.any = Some(vec![name("temp1"), foo("bar2", "invalid foo")]);
    block.all = Some(vec![name("temp"), foo("bar2", "invalid foo2")]);
    let out = evaluate_block(&block);
    assert!(!out.passed);
    assert_eq!(out.message(), "invalid name; invalid foo; invalid foo2");
}

/// An absent block is true; a present but empty `any` is false; an empty `all` is true.
#[test]
fn empty_and_absent_blocks() {
    let t = || cond(json!(1), "Equals", json!(1), "t");
    let absent = Conditions::default();
    assert!(evaluate_block(&absent).passed);
    let empty_any = Conditions {
        any: Some(vec![]),
        all: None,
        legacy: false,
    };
    assert_eq!(
        evaluate_block(&empty_any),
        BlockOutcome {
            passed: false,
            messages: vec![],
            separator: "; ",
        }
    );
    let empty_all = Conditions {
        any: None,
        all: Some(vec![]),
        legacy: false,
    };
    assert!(evaluate_block(&empty_all).passed);
    let empty_any_with_all = Conditions {
        any: Some(vec![]),
        all: Some(vec![t()]),
        legacy: false,
    };
    let out = evaluate_block(&empty_any_with_all);
    assert!(!out.passed);
    assert!(out.messages.is_empty(), "{:?}", out.messages);
}

/// `all` stops at the first false and reports its message; true messages are collected in
/// order; conditions without a message add nothing.
#[test]
fn all_block_messages() {
    let block = Conditions {
        any: None,
        all: Some(vec![
            cond(json!(1), "Equals", json!(1), "one"),
            cond(json!(2), "Equals", json!(2), ""),
            cond(json!(3), "Equals", json!(3), "three"),
        ]),
        legacy: false,
    };
    let out = evaluate_block(&block);
    assert!(out.passed);
    assert_eq!(out.messages, ["one", "three"]);

    let block = Conditions {
        any: None,
        all: Some(vec![
            cond(json!(1), "Equals", json!(1), "one"),
            cond(json!(2), "Equals", json!(5), "two"),
            cond(json!(3), "Equals", json!(4), "three"),
        ]),
        legacy: false,
    };
    let out = evaluate_block(&block);
    assert!(!out.passed);
    assert_eq!(out.messages, ["two"]);
}

/// Conditions after a short-circuit are never evaluated (Kyverno resolves variables lazily, so
/// an unresolvable variable there is no error), and an error stops the block.
#[test]
fn lazy_evaluation_and_errors() {
    let items = [(true, "a"), (false, "b"), (true, "c")];
    let mut seen = Vec::new();
    let out: Result<_, String> =
        evaluate_any_all(Some(&items[..]), Some(&items[1..]), |(passed, msg)| {
            seen.push(*msg);
            Ok((*passed, Some(*msg)))
        });
    assert_eq!(seen, ["a", "b"]);
    assert_eq!(
        out,
        Ok(BlockOutcome {
            passed: false,
            messages: vec!["b"],
            separator: "; ",
        })
    );

    let out: Result<BlockOutcome<'_>, String> =
        evaluate_any_all(Some(&items[1..]), None, |(_, msg)| {
            Err(format!("cannot resolve {msg}"))
        });
    assert_eq!(out, Err("cannot resolve b".to_owned()));
}

/// The legacy bare list (Kyverno `evaluateOldConditions`): true messages joined with `";"`,
/// the first false condition's message otherwise.
#[test]
fn legacy_list() {
    let list = vec![
        cond(json!("a"), "Equals", json!("a"), "first"),
        cond(json!("b"), "Equals", json!("b"), ""),
        cond(json!("c"), "AnyIn", json!(["c"]), "third"),
    ];
    let mut block = Conditions {
        any: None,
        all: Some(list),
        legacy: true,
    };
    let out = evaluate_block(&block);
    assert!(out.passed);
    assert_eq!(out.message(), "first;third");
    block.legacy = false;
    assert_eq!(evaluate_block(&block).message(), "first; third");

    let failing = [(true, "x"), (false, "y"), (false, "z")];
    let out: Result<_, ()> = evaluate_list(&failing[..], |(p, m)| Ok((*p, Some(*m))));
    assert_eq!(
        out.map(|o| (o.passed, o.message())),
        Ok((false, "y".to_owned()))
    );
}

/// An unknown operator is an error when its condition is reached, with Kyverno's text; a
/// condition that short-circuiting skips never raises it.
#[test]
fn unknown_operator_is_an_evaluation_error() {
    fn run(any: &[(&'static str, &'static str)]) -> Result<bool, String> {
        let out = evaluate_any_all(Some(any), None, |(key, op)| -> Result<_, String> {
            let op = parse_operator(op)?;
            Ok((evaluate(&op, &json!(key), &json!("1")), None))
        })?;
        Ok(out.passed)
    }
    assert_eq!(run(&[("1", "Equals"), ("2", "Equalz")]), Ok(true));
    assert_eq!(
        run(&[("2", "Equalz"), ("1", "Equals")]),
        Err(UNKNOWN_OPERATOR.to_owned())
    );
}
