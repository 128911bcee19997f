//! kyverno-json's assertion trees, which a `kyverno test` Test's `checks` use: a YAML tree
//! compared with a value, as `github.com/kyverno/kyverno-json/pkg/engine/assert` compares them.
//!
//! - A mapping selects fields of the value: a plain key is a field (missing: `Required value`),
//!   `(expr)` is a JMESPath projection of the value, `~.(expr)` or `~name.(expr)` asserts the
//!   subtree against each element (or each map value) of the projection, binding the index (or
//!   key) to `$name`, and `key -> name` binds the projection to `$name` for the subtree and the
//!   keys after it. `\(x)\` escapes a key that looks like an expression. An empty mapping only
//!   requires the value to be non-null.
//! - A sequence requires a sequence of the same length, element by element.
//! - A scalar is compared with the value; a string `(expr)` is a JMESPath evaluated on the value
//!   and its result is compared instead. Mappings in the expected value match subsets, numbers
//!   compare by value, and values of different types are an error ("types are not comparable").
//!
//! Failures are `field.ErrorList` entries with Kubernetes' wording (`spec.x: Invalid value: 3:
//! Expected value: 4`); errors (a projection of a list, an expression that fails) stop the
//! check. The expressions are kyverno-json's JMESPath: standard missing-key semantics, `$`
//! variables, and this crate's functions (Kyverno's set and the standard ones).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::expr::{self, Dialect, Env, Expr};
use crate::goquote::go_quote;
use crate::pattern::gofmt;
use crate::yaml::{Node, NodeValue, Span};

/// A compiled assertion tree.
#[derive(Debug, Clone)]
pub struct Assertion {
    root: Tree,
}

#[derive(Debug, Clone)]
enum Tree {
    Map(Vec<Entry>),
    List(Vec<Tree>),
    Scalar(Scalar),
}

/// One key of a mapping and the subtree under it.
#[derive(Debug, Clone)]
struct Entry {
    /// The key as written (what error paths show).
    key: String,
    /// `~` or `~name.`: assert the subtree against each element; `Some(name)` binds the index.
    foreach: Option<Option<String>>,
    /// `-> name`: bind the projection to `$name`.
    binding: Option<String>,
    select: Select,
    child: Tree,
}

#[derive(Debug, Clone)]
enum Select {
    /// A plain key: a field of a mapping.
    Field(String),
    /// `(expr)`: a JMESPath projection.
    Expr(Box<Expr>),
    /// `(engine:expr)` with an engine kyverno-json does not know: it projects to null.
    Nothing,
}

#[derive(Debug, Clone)]
enum Scalar {
    Literal(Value),
    Expr(Box<Expr>),
}

/// The parts of an expression string, as kyverno-json splits them.
struct Parsed {
    foreach: Option<Option<String>>,
    binding: Option<String>,
    engine: Option<String>,
    statement: String,
}

// kyverno-json's patterns (Go regexp: ASCII `\w` and `\s`, leftmost-first).
static FOREACH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^~([0-9A-Za-z_]+)?\.(.*)").unwrap_or_else(|_| unreachable!()));
static BINDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*)[\t\n\f\r ]*->[\t\n\f\r ]*([0-9A-Za-z_]+)$")
        .unwrap_or_else(|_| unreachable!())
});
static ESCAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\\(.+)\\$").unwrap_or_else(|_| unreachable!()));
static ENGINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\((?:([0-9A-Za-z_]+):)?(.+)\)$").unwrap_or_else(|_| unreachable!())
});

fn split(text: &str) -> Parsed {
    let mut rest = text.to_string();
    let mut foreach = None;
    if let Some(c) = FOREACH.captures(&rest) {
        foreach = Some(c.get(1).map(|m| m.as_str().to_string()));
        rest = c.get(2).map_or("", |m| m.as_str()).to_string();
    }
    let mut binding = None;
    if let Some(c) = BINDING.captures(&rest) {
        binding = c.get(2).map(|m| m.as_str().to_string());
        rest = c.get(1).map_or("", |m| m.as_str()).to_string();
    }
    let mut engine = None;
    if let Some(c) = ESCAPE.captures(&rest) {
        rest = c.get(1).map_or("", |m| m.as_str()).to_string();
    } else if let Some(c) = ENGINE.captures(&rest) {
        engine = Some(c.get(1).map_or("jp", |m| m.as_str()).to_string());
        rest = c.get(2).map_or("", |m| m.as_str()).to_string();
    }
    Parsed {
        foreach,
        binding,
        engine,
        statement: rest,
    }
}

/// A JMESPath of an assertion, or why it cannot be one.
fn compile(statement: &str) -> Result<Box<Expr>, String> {
    expr::parse_with_variables(statement)
        .map(Box::new)
        .map_err(|e| format!("invalid JMESPath `{statement}`: {e}"))
}

const CEL: &str = "CEL expressions (`(cel:...)`) are not supported by this version; write the expression in JMESPath";

impl Assertion {
    /// Compiles an assertion tree; the problems found are returned with where they are written.
    pub fn parse(node: &Node) -> Result<Assertion, Vec<(Span, String)>> {
        let mut problems = Vec::new();
        let root = parse_tree(node, &mut problems);
        match problems.is_empty() {
            true => Ok(Assertion { root }),
            false => Err(problems),
        }
    }

    /// Asserts `value`: the failures found (empty when it holds), or the error that stopped
    /// the check.
    pub fn check(&self, value: &Value) -> Result<Vec<FieldError>, String> {
        let mut run = Run {
            bindings: Vec::new(),
            errors: Vec::new(),
        };
        run.tree(&self.root, &mut Path::default(), value)?;
        Ok(run.errors)
    }
}

fn parse_tree(node: &Node, problems: &mut Vec<(Span, String)>) -> Tree {
    match &node.value {
        NodeValue::Map(entries) => Tree::Map(
            entries
                .iter()
                .map(|(key, value)| {
                    let parsed = split(&key.text);
                    let select = match parsed.engine.as_deref() {
                        None => Select::Field(parsed.statement),
                        Some("jp") => match compile(&parsed.statement) {
                            Ok(e) => Select::Expr(e),
                            Err(message) => {
                                problems.push((key.span, message));
                                Select::Nothing
                            }
                        },
                        Some("cel") => {
                            problems.push((key.span, CEL.to_string()));
                            Select::Nothing
                        }
                        Some(_) => Select::Nothing,
                    };
                    Entry {
                        key: key.text.clone(),
                        foreach: parsed.foreach,
                        binding: parsed.binding,
                        select,
                        child: parse_tree(value, problems),
                    }
                })
                .collect(),
        ),
        NodeValue::Seq(items) => {
            Tree::List(items.iter().map(|i| parse_tree(i, problems)).collect())
        }
        NodeValue::String(text) => {
            let parsed = split(text);
            if parsed.foreach.is_some() {
                problems.push((
                    node.span,
                    "foreach (`~`) is not supported on the right-hand side of an assertion".into(),
                ));
            }
            if parsed.binding.is_some() {
                problems.push((
                    node.span,
                    "a binding (`->`) is not supported on the right-hand side of an assertion"
                        .into(),
                ));
            }
            Tree::Scalar(match parsed.engine.as_deref() {
                Some("jp") => match compile(&parsed.statement) {
                    Ok(e) => Scalar::Expr(e),
                    Err(message) => {
                        problems.push((node.span, message));
                        Scalar::Literal(Value::Null)
                    }
                },
                Some("cel") => {
                    problems.push((node.span, CEL.to_string()));
                    Scalar::Literal(Value::Null)
                }
                _ => Scalar::Literal(Value::String(parsed.statement)),
            })
        }
        _ => Tree::Scalar(Scalar::Literal(node.to_json())),
    }
}

/// A Kubernetes `field.Path` being walked: `spec.containers[0]`.
#[derive(Debug, Default)]
struct Path(String);

impl Path {
    fn child(&mut self, name: &str) -> usize {
        let len = self.0.len();
        if !self.0.is_empty() {
            self.0.push('.');
        }
        self.0.push_str(name);
        len
    }

    fn index(&mut self, i: &str) -> usize {
        let len = self.0.len();
        self.0.push('[');
        self.0.push_str(i);
        self.0.push(']');
        len
    }

    fn back(&mut self, len: usize) {
        self.0.truncate(len);
    }

    fn text(&self) -> &str {
        if self.0.is_empty() { "<nil>" } else { &self.0 }
    }
}

/// One failure, as Kubernetes' `field.Error` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// `spec.containers[0].image`.
    pub path: String,
    /// `Invalid value: "x": Expected value: "y"`, `Required value: ...`.
    pub body: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.body)
    }
}

/// The failures as one message, as Kubernetes aggregates an error list: the message alone, or
/// `[a, b]` with repeated messages once.
pub fn aggregate(errors: &[FieldError]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for e in errors {
        let text = e.to_string();
        if !seen.contains(&text) {
            seen.push(text);
        }
    }
    match seen.len() {
        1 => seen.remove(0),
        _ => format!("[{}]", seen.join(", ")),
    }
}

struct Run {
    bindings: Vec<(String, Value)>,
    errors: Vec<FieldError>,
}

impl Run {
    fn invalid(&mut self, path: &Path, value: &Value, detail: &str) {
        self.errors.push(FieldError {
            path: path.text().to_string(),
            body: format!("Invalid value: {}: {detail}", bad_value(value)),
        });
    }

    fn internal(path: &Path, message: impl std::fmt::Display) -> String {
        format!("{}: Internal error: {message}", path.text())
    }

    fn type_invalid(path: &Path, value: &Value, detail: &str) -> String {
        format!(
            "{}: Invalid value: {}: {detail}",
            path.text(),
            bad_value(value)
        )
    }

    /// Evaluates an assertion's JMESPath on `value`, with the bindings and `$` for `value`.
    fn evaluate(&mut self, e: &Expr, value: &Value, path: &Path) -> Result<Value, String> {
        self.bindings.push((String::new(), value.clone()));
        let result = e.evaluate_in(
            value,
            &Env {
                dialect: Dialect::Standard,
                variables: &self.bindings,
                ..Env::default()
            },
        );
        self.bindings.pop();
        result.map_err(|err| Run::internal(path, err))
    }

    fn tree(&mut self, tree: &Tree, path: &mut Path, value: &Value) -> Result<(), String> {
        match tree {
            Tree::Map(entries) => self.map(entries, path, value),
            Tree::List(items) => match value {
                Value::Null => {
                    self.invalid(path, value, "value is null");
                    Ok(())
                }
                Value::Array(actual) if actual.len() != items.len() => {
                    self.invalid(path, value, "lengths of slices don't match");
                    Ok(())
                }
                Value::Array(actual) => {
                    for (i, (item, v)) in items.iter().zip(actual).enumerate() {
                        let at = path.index(&i.to_string());
                        self.tree(item, path, v)?;
                        path.back(at);
                    }
                    Ok(())
                }
                _ => Err(Run::type_invalid(path, value, "expected a slice")),
            },
            Tree::Scalar(scalar) => {
                let expected = match scalar {
                    Scalar::Literal(v) => v.clone(),
                    Scalar::Expr(e) => self.evaluate(e, value, path)?,
                };
                if !matches(&expected, value).map_err(|e| Run::internal(path, e))? {
                    self.invalid(path, value, &expected_message(&expected));
                }
                Ok(())
            }
        }
    }

    fn map(&mut self, entries: &[Entry], path: &mut Path, value: &Value) -> Result<(), String> {
        if entries.is_empty() {
            if value.is_null() {
                self.invalid(path, value, "invalid value, must not be null");
            }
            return Ok(());
        }
        let scope = self.bindings.len();
        for entry in entries {
            let at = path.child(&entry.key);
            let projected = match &entry.select {
                Select::Expr(e) => Some(self.evaluate(e, value, path)?),
                Select::Nothing => Some(Value::Null),
                Select::Field(name) => match value {
                    Value::Null => None,
                    Value::Object(map) => map.get(name).cloned(),
                    _ => return Err(Run::internal(path, "projection not recognized")),
                },
            };
            let Some(projected) = projected else {
                self.errors.push(FieldError {
                    path: path.text().to_string(),
                    body: "Required value: field not found in the input object".into(),
                });
                path.back(at);
                continue;
            };
            if let Some(name) = &entry.binding {
                self.bindings.push((name.clone(), projected.clone()));
            }
            match &entry.foreach {
                None => self.tree(&entry.child, path, &projected)?,
                Some(name) => {
                    let elements: Vec<(Value, String, &Value)> = match &projected {
                        Value::Array(items) => items
                            .iter()
                            .enumerate()
                            .map(|(i, v)| (Value::from(i), i.to_string(), v))
                            .collect(),
                        Value::Object(map) => map
                            .iter()
                            .map(|(k, v)| (Value::String(k.clone()), k.clone(), v))
                            .collect(),
                        _ => {
                            return Err(Run::type_invalid(
                                path,
                                &projected,
                                "expected a slice or a map",
                            ));
                        }
                    };
                    for (bound, step, element) in elements {
                        if let Some(name) = name {
                            self.bindings.push((name.clone(), bound));
                        }
                        let here = path.index(&step);
                        self.tree(&entry.child, path, element)?;
                        path.back(here);
                        if name.is_some() {
                            self.bindings.pop();
                        }
                    }
                }
            }
            path.back(at);
        }
        self.bindings.truncate(scope);
        Ok(())
    }
}

/// kyverno-json's `match.Match`: mappings match subsets, sequences element by element.
fn matches(expected: &Value, actual: &Value) -> Result<bool, String> {
    match expected {
        Value::Array(items) => {
            let Value::Array(actual) = actual else {
                return Err(format!(
                    "invalid actual value, must be a slice, found {}",
                    kind(actual, false)
                ));
            };
            if items.len() != actual.len() {
                return Ok(false);
            }
            for (e, a) in items.iter().zip(actual) {
                if !matches(e, a)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Value::Object(map) => {
            let Value::Object(actual) = actual else {
                return Err(format!(
                    "invalid actual value, must be a map, found {}",
                    kind(actual, false)
                ));
            };
            for (k, e) in map {
                match actual.get(k) {
                    Some(a) if matches(e, a)? => {}
                    _ => return Ok(false),
                }
            }
            Ok(true)
        }
        _ => match_scalar(expected, actual),
    }
}

/// kyverno-json's `MatchScalar`: equal values of one type, or numbers of equal value.
fn match_scalar(expected: &Value, actual: &Value) -> Result<bool, String> {
    match (expected, actual) {
        (Value::Null, Value::Null) => Ok(true),
        (Value::Null, _) | (_, Value::Null) => Ok(false),
        (Value::Number(e), Value::Number(a)) => Ok(match (e.as_i64(), a.as_i64()) {
            (Some(e), Some(a)) => e == a,
            _ => e.as_f64() == a.as_f64(),
        }),
        (Value::Bool(e), Value::Bool(a)) => Ok(e == a),
        (Value::String(e), Value::String(a)) => Ok(e == a),
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => {
            Ok(expected == actual)
        }
        _ => Err(format!(
            "types are not comparable, {} - {}",
            kind(expected, true),
            kind(actual, false)
        )),
    }
}

/// Go's `reflect.Kind` of a decoded value: the expected side's numbers are `float64` (the Test
/// is decoded from JSON), the actual side's whole numbers `int64` (unstructured objects).
fn kind(value: &Value, expected: bool) -> &'static str {
    match value {
        Value::Null => "invalid",
        Value::Bool(_) => "bool",
        Value::Number(n) if !expected && n.as_i64().is_some() => "int64",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
    }
}

/// The value in a `field.Error` (`ErrorBody`): `"null"`, numbers and booleans as `%v`, strings
/// quoted, anything else as Go syntax (`%#v`).
fn bad_value(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Null => out.push_str("\"null\""),
        Value::String(s) => out.push_str(&go_quote(s)),
        Value::Bool(_) | Value::Number(_) => gofmt::push_v(&mut out, Some(value)),
        _ => gofmt::push_go_syntax(&mut out, value),
    }
    out
}

/// kyverno-json's `expectValueMessage`: the expected value (a number is Go's `float64`).
fn expected_message(expected: &Value) -> String {
    let mut out = String::from("Expected value: ");
    match expected {
        Value::Null => out.push_str("<nil>"),
        Value::String(s) => out.push_str(&go_quote(s)),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => gofmt::push_float_v(&mut out, n.as_f64().unwrap_or(f64::NAN)),
        _ => gofmt::push_go_syntax(&mut out, expected),
    }
    out
}

#[cfg(test)]
mod tests;
