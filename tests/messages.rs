//! Rule messages that Kyverno cannot substitute: a `$(…)` reference inside `validate.message`
//! is resolved against the message itself, where nothing can be found.

use rampart::diag::SourceMap;
use rampart::engine::{Request, RuleStatus};
use rampart::load::PolicySet;
use serde_json::json;

/// The status and message of the one rule of `validate` (YAML under `validate:`) on a Pod
/// named `bad`.
fn run(validate: &str) -> (RuleStatus, String) {
    let policy = format!(
        "apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: messages
spec:
  rules:
    - name: check
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
{validate}"
    );
    let mut sources = SourceMap::new();
    let file = sources.add("policy.yaml", policy);
    let mut set = PolicySet::default();
    set.add_file(file, &sources);
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "bad", "namespace": "default"},
        "spec": {"containers": [{"name": "a", "image": "nginx"}]}
    });
    let responses = set.program.evaluate(&Request::create(&pod));
    let rule = responses
        .iter()
        .flat_map(|p| &p.rules)
        .find(|r| r.name == "check")
        .expect("the rule ran");
    (rule.status, rule.message.clone())
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
