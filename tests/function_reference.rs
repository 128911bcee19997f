//! `spec/functions.md` is executable: every example row is evaluated and compared with its
//! documented result, every documented signature must be the registered one, and every
//! registered function must have exactly one example (outside the "Errors" table).

use std::collections::BTreeMap;
use std::path::Path;

use rampart::expr::{self, FunctionSpec};
use regex::Regex;
use serde_json::Value;

/// The heading of the table whose rows are extra error examples, not per-function examples.
const ERRORS_SECTION: &str = "Errors";

/// What a row says the expression gives.
#[derive(Debug)]
enum Expected {
    /// Exactly this JSON value.
    Value(Value),
    /// A string matching this regex (clock- or randomness-dependent functions).
    Varies(Regex),
    /// An evaluation error with exactly this message.
    Error(String),
}

/// One example row of the reference.
#[derive(Debug)]
struct Row {
    line: usize,
    section: String,
    signature: String,
    expression: String,
    input: Value,
    expected: Expected,
}

impl Row {
    /// The function name: the signature up to its opening parenthesis.
    fn function(&self) -> &str {
        self.signature
            .split_once('(')
            .map_or(self.signature.as_str(), |(name, _)| name)
    }
}

fn reference() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/functions.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Splits a table line at the `|` not escaped as `\|`, unescaping the cells.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => out.push(std::mem::take(&mut cell).trim().to_owned()),
            _ => cell.push(c),
        }
    }
    out.push(cell.trim().to_owned());
    out
}

/// The text of a cell that is one Markdown code span (single or double backticks).
fn code(cell: &str) -> Result<String, String> {
    let ticks = cell.chars().take_while(|&c| c == '`').count();
    let fence = "`".repeat(ticks);
    match cell.get(ticks..).and_then(|rest| rest.strip_suffix(&fence)) {
        Some(inner) if ticks > 0 => Ok(inner.trim().to_owned()),
        _ => Err(format!("not a code span: {cell}")),
    }
}

fn expected(cell: &str) -> Result<Expected, String> {
    if let Some(rest) = cell.strip_prefix("*varies:*") {
        let pattern = code(rest.trim())?;
        return Regex::new(&pattern)
            .map(Expected::Varies)
            .map_err(|e| format!("bad regex {pattern}: {e}"));
    }
    if let Some(rest) = cell.strip_prefix("*error:*") {
        return code(rest.trim()).map(Expected::Error);
    }
    let text = code(cell)?;
    serde_json::from_str(&text)
        .map(Expected::Value)
        .map_err(|e| format!("bad JSON result {text}: {e}"))
}

/// Every example row, with the `## ` section it is under.
fn rows(doc: &str) -> Result<Vec<Row>, String> {
    let mut section = String::new();
    let mut out = Vec::new();
    for (i, line) in doc.lines().enumerate() {
        let line_no = i + 1;
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading.trim().to_owned();
            continue;
        }
        if !line.starts_with('|') {
            continue;
        }
        let cells = cells(line);
        if cells
            .first()
            .is_some_and(|c| c == "signature" || c.starts_with("---"))
        {
            continue;
        }
        let [signature, _what, expression, input, result] = cells.as_slice() else {
            return Err(format!(
                "line {line_no}: expected 5 cells, got {}",
                cells.len()
            ));
        };
        let row = (|| {
            let input_text = code(input)?;
            Ok::<_, String>(Row {
                line: line_no,
                section: section.clone(),
                signature: code(signature)?,
                expression: code(expression)?,
                input: serde_json::from_str(&input_text)
                    .map_err(|e| format!("bad JSON input {input_text}: {e}"))?,
                expected: expected(result)?,
            })
        })()
        .map_err(|e| format!("line {line_no}: {e}"))?;
        out.push(row);
    }
    Ok(out)
}

/// Evaluates a row; `None` when it gives what is documented, else what went wrong.
fn check(row: &Row) -> Option<String> {
    let compiled = match expr::parse(&row.expression) {
        Ok(c) => c,
        Err(e) => return Some(format!("does not parse: {e}")),
    };
    match (compiled.evaluate(&row.input), &row.expected) {
        (Ok(got), Expected::Value(want)) if &got == want => None,
        (Ok(Value::String(got)), Expected::Varies(re)) if re.is_match(&got) => None,
        (Err(e), Expected::Error(want)) if &e.to_string() == want => None,
        (got, want) => Some(format!("got {got:?}, documented {want:?}")),
    }
}

fn registered() -> BTreeMap<&'static str, &'static FunctionSpec> {
    expr::functions().map(|f| (f.name, f)).collect()
}

#[test]
fn every_example_gives_its_documented_result() {
    let rows = rows(&reference()).unwrap_or_else(|e| panic!("spec/functions.md: {e}"));
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            check(row).map(|why| format!("line {} `{}`: {why}", row.line, row.expression))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} examples disagree:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn every_documented_signature_is_the_registered_one() {
    let rows = rows(&reference()).unwrap_or_else(|e| panic!("spec/functions.md: {e}"));
    let registered = registered();
    let wrong: Vec<String> = rows
        .iter()
        .filter_map(|row| match registered.get(row.function()) {
            None => Some(format!(
                "line {}: unknown function {}",
                row.line,
                row.function()
            )),
            Some(spec) if spec.signature() != row.signature => Some(format!(
                "line {}: documented `{}`, registered `{}`",
                row.line,
                row.signature,
                spec.signature()
            )),
            Some(_) => None,
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_function_has_exactly_one_example() {
    let rows = rows(&reference()).unwrap_or_else(|e| panic!("spec/functions.md: {e}"));
    let mut count: BTreeMap<&str, usize> = registered().keys().map(|&name| (name, 0)).collect();
    for row in rows.iter().filter(|r| r.section != ERRORS_SECTION) {
        *count.entry(row.function()).or_default() += 1;
    }
    let wrong: Vec<String> = count
        .iter()
        .filter(|&(_, &n)| n != 1)
        .map(|(name, n)| format!("{name}: {n} examples"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Each clock- or randomness-dependent function is documented with a `varies` row.
    for name in ["time_now", "time_now_utc", "random"] {
        assert!(
            rows.iter()
                .any(|r| r.function() == name && matches!(r.expected, Expected::Varies(_))),
            "{name} needs a *varies:* row"
        );
    }
}

#[test]
fn the_table_reader_handles_escapes_and_double_backticks() {
    assert_eq!(
        cells(r"| `a\|b` | `` f(`1`) `` |"),
        vec!["`a|b`".to_owned(), "`` f(`1`) ``".to_owned()]
    );
    assert_eq!(code("`` f(`1`) ``"), Ok("f(`1`)".to_owned()));
    assert!(code("plain").is_err());
    assert!(matches!(expected("*error:* `boom`"), Ok(Expected::Error(m)) if m == "boom"));
}
