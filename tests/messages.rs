//! Rule messages that Kyverno cannot substitute: a `$(…)` reference inside `validate.message`
//! is resolved against the message itself, where nothing can be found.

mod common;

use rampart::{Operation, RuleStatus};

/// Rule `check` with `validate` (YAML under `validate:`) on a Pod named `bad`.
fn run(validate: &str) -> (RuleStatus, String) {
    common::run_check_rule("", validate, Operation::Create)
}

#[test]
fn a_reference_in_a_pattern_message_is_a_substitution_error() {
    let (status, message) = run(
        r#"        message: "name must be $(./../pattern/metadata/name)"
        pattern:
          metadata:
            name: good
"#,
    );
    assert_eq!(status, RuleStatus::Fail);
    assert_eq!(
        message,
        "validation error: variables substitution error in rule check execution error: \
         resource value 'bad' does not match 'good' at path /metadata/name/"
    );
}

#[test]
fn an_escaped_reference_is_text() {
    let (status, message) = run(
        r#"        message: "name {{ request.object.metadata.name }} is not \\$(good)"
        pattern:
          metadata:
            name: good
"#,
    );
    assert_eq!(status, RuleStatus::Fail);
    assert_eq!(
        message,
        "validation error: name bad is not $(good). rule check failed at path /metadata/name/"
    );
}

#[test]
fn a_deny_message_with_a_reference_falls_back_to_the_condition_messages() {
    let (status, message) = run(
        r#"        message: "{{ request.object.metadata.name }} denied by $(./../deny)"
        deny: {}
"#,
    );
    assert_eq!((status, message.as_str()), (RuleStatus::Fail, ""));
}
