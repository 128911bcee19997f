//! Kyverno's `allowExistingViolations`: on UPDATE, an Enforce rule that the old object fails
//! too is skipped. As in `kyverno apply`, the old object of an UPDATE is the resource itself,
//! evaluated as a CREATE.

mod common;

use rampart::engine::{Operation, RuleStatus};

const SKIPPED: &str = "skipping the rule evaluation as pre-existing violations are allowed";

/// A policy with `action` whose rule `check` requires the label `team` (or, with `deny`, denies
/// on `deny`'s conditions), with `extra` under `validate`.
fn policy(action: &str, extra: &str, check: &str) -> String {
    format!(
        "  validationFailureAction: {action}
  rules:
    - name: check
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        message: needs a team
{extra}{check}"
    )
}

const NEEDS_TEAM: &str = "        pattern:
          metadata:
            labels:
              team: \"?*\"
";

#[test]
fn an_enforced_failure_on_update_is_skipped_when_it_already_failed() {
    let spec = policy("Enforce", "", NEEDS_TEAM);
    assert_eq!(
        common::run_check_rule(&spec, Operation::Update),
        (RuleStatus::Skip, SKIPPED.to_string())
    );
    // A CREATE has no old object.
    assert_eq!(
        common::run_check_rule(&spec, Operation::Create).0,
        RuleStatus::Fail
    );
}

#[test]
fn audit_rules_and_opted_out_rules_still_fail() {
    let audit = policy("Audit", "", NEEDS_TEAM);
    assert_eq!(
        common::run_check_rule(&audit, Operation::Update).0,
        RuleStatus::Fail
    );
    let opted_out = policy(
        "Enforce",
        "        allowExistingViolations: false\n",
        NEEDS_TEAM,
    );
    assert_eq!(
        common::run_check_rule(&opted_out, Operation::Update).0,
        RuleStatus::Fail
    );
    // The rule's own failureAction wins over the policy's.
    let rule_audit = policy("Enforce", "        failureAction: Audit\n", NEEDS_TEAM);
    assert_eq!(
        common::run_check_rule(&rule_audit, Operation::Update).0,
        RuleStatus::Fail
    );
}

#[test]
fn a_rule_the_old_object_passes_as_a_create_still_fails() {
    // Denies UPDATEs only: the old object, evaluated as a CREATE, passes.
    let deny_updates = policy(
        "Enforce",
        "",
        "        deny:
          conditions:
            any:
              - key: \"{{ request.operation }}\"
                operator: Equals
                value: UPDATE
",
    );
    assert_eq!(
        common::run_check_rule(&deny_updates, Operation::Update),
        (RuleStatus::Fail, "needs a team".to_string())
    );
}
