//! Runs the 252 cases of Kyverno's `pkg/pss/evaluate_test.go` (`tests/data/kyverno-pss/`)
//! through upstream-exact checks plus Kyverno-style exclusions. Cases where upstream PSA and
//! Kyverno's fork disagree (pod-security.md §6.7) are listed in `EXPECTED_DISAGREEMENTS` with the
//! upstream rule that explains them; any other disagreement fails the test.

mod common;

use common::data_dir;

use std::process::ExitCode;

use rampart::podsecurity::{
    Exclusion, Level, Version, apply_exclusions, evaluate, forbidden_detail, is_allowed,
    validate_exclusions,
};
use serde_json::Value;

/// Case name → why upstream PSA gives the other verdict.
const EXPECTED_DISAGREEMENTS: &[(&str, &str)] = &[];

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| s.as_str().unwrap_or("").to_string())
        .collect()
}

fn exclusion(v: &Value) -> Exclusion {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Exclusion {
        control_name: s("controlName"),
        images: strings(v.get("images")),
        restricted_field: s("restrictedField"),
        values: strings(v.get("values")),
    }
}

fn main() -> ExitCode {
    let path = data_dir().join("kyverno-pss/evaluate_test_cases.json");
    let cases: Vec<Value> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let (mut agree, mut expected, mut unexpected) = (0, 0, 0);
    let mut decided_by_exclusions = 0;
    let mut seen_expected = Vec::new();
    for case in &cases {
        let name = case.get("name").and_then(Value::as_str).unwrap_or("");
        let rule = case.get("rule").unwrap_or(&Value::Null);
        let level: Level = rule
            .get("level")
            .and_then(Value::as_str)
            .unwrap_or("")
            .parse()
            .unwrap_or(Level::Restricted);
        let version: Version = match rule.get("version").and_then(Value::as_str).unwrap_or("") {
            "" => Version::LATEST,
            v => v.parse().unwrap_or(Version::LATEST),
        };
        let exclusions: Vec<Exclusion> = rule
            .get("exclude")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(exclusion)
            .collect();
        let invalid = validate_exclusions(level, &exclusions);
        let pod = case.get("pod").unwrap_or(&Value::Null);
        let (meta, spec) = (
            pod.get("metadata").unwrap_or(&Value::Null),
            pod.get("spec").unwrap_or(&Value::Null),
        );
        let mut results = evaluate(level, version, meta, spec);
        let before = is_allowed(&results);
        apply_exclusions(level, version, meta, spec, &exclusions, &mut results);
        let ours = is_allowed(&results);
        decided_by_exclusions += usize::from(ours != before);
        let want = case
            .get("allowed")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if ours == want {
            agree += 1;
            continue;
        }
        let remaining = forbidden_detail(&results);
        match EXPECTED_DISAGREEMENTS.iter().find(|(n, _)| *n == name) {
            Some((_, why)) => {
                expected += 1;
                seen_expected.push(name);
                println!(
                    "EXPECTED {name}: kyverno allowed={want}, upstream allowed={ours}: {why}\n    remaining: {remaining}"
                );
            }
            None => {
                unexpected += 1;
                println!(
                    "UNEXPECTED {name}: kyverno allowed={want}, ours allowed={ours} ({level}:{version})\n    remaining: {remaining}\n    invalid exclusions: {invalid:?}"
                );
            }
        }
    }
    for (name, _) in EXPECTED_DISAGREEMENTS {
        if !seen_expected.contains(name) {
            unexpected += 1;
            println!("STALE expected disagreement {name}: the case now agrees");
        }
    }
    println!("exclusions turned {decided_by_exclusions} denied pods into allowed ones");
    println!(
        "{} cases: {agree} agree, {expected} expected disagreements, {unexpected} unexpected",
        cases.len()
    );
    println!("{} passed, {unexpected} failed", agree + expected);
    if unexpected == 0 && cases.len() == 252 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
