//! Kyverno's `allowExistingViolations`: on UPDATE, an Enforce rule that the old object fails
//! too is skipped. As in `kyverno apply`, the old object of an UPDATE is the resource itself,
//! evaluated as a CREATE.

mod common;

use rampart::{Operation, RuleStatus};

const SKIPPED: &str = "skipping the rule evaluation as pre-existing violations are allowed";

/// Rule `check` of a policy with `action`, requiring what `check` says (with `extra` under
/// `validate`), on a Pod named `bad` under `operation`.
fn run(action: &str, extra: &str, check: &str, operation: Operation) -> (RuleStatus, String) {
    common::run_check_rule(
        &format!("  validationFailureAction: {action}\n"),
        &format!("        message: needs a team\n{extra}{check}"),
        operation,
    )
}

const NEEDS_TEAM: &str = "        pattern:
          metadata:
            labels:
              team: \"?*\"
";

#[test]
fn an_enforced_failure_on_update_is_skipped_when_it_already_failed() {
    assert_eq!(
        run("Enforce", "", NEEDS_TEAM, Operation::Update),
        (RuleStatus::Skip, SKIPPED.to_string())
    );
    // A CREATE has no old object.
    assert_eq!(
        run("Enforce", "", NEEDS_TEAM, Operation::Create).0,
        RuleStatus::Fail
    );
}

#[test]
fn audit_rules_and_opted_out_rules_still_fail() {
    assert_eq!(
        run("Audit", "", NEEDS_TEAM, Operation::Update).0,
        RuleStatus::Fail
    );
    let opt_out = "        allowExistingViolations: false\n";
    assert_eq!(
        run("Enforce", opt_out, NEEDS_TEAM, Operation::Update).0,
        RuleStatus::Fail
    );
    // The rule's own failureAction wins over the policy's.
    let rule_audit = "        failureAction: Audit\n";
    assert_eq!(
        run("Enforce", rule_audit, NEEDS_TEAM, Operation::Update).0,
        RuleStatus::Fail
    );
}

#[test]
fn a_rule_the_old_object_passes_as_a_create_still_fails() {
    // Denies UPDATEs only: the old object, evaluated as a CREATE, passes.
    let deny_updates = "        deny:
          conditions:
            any:
              - key: \"{{ request.operation }}\"
                operator: Equals
                value: UPDATE
";
    assert_eq!(
        run("Enforce", "", deny_updates, Operation::Update),
        (RuleStatus::Fail, "needs a team".to_string())
    );
}
