//! Scalar patterns: the leaves of a validate pattern, matched against one resource value as
//! Kyverno's `pkg/engine/pattern.Validate` does.
//!
//! A string pattern is parsed once (grammar `grammar/pattern.pest`) into alternatives (`|`) of
//! conjunctions (`&`) of conditions: wildcard equality, `!`, `<`, `>`, `<=`, `>=`, ranges
//! `a-b` and `a!-b`. A condition compares as a Go duration first, then as a Kubernetes
//! quantity, then as a (wildcard) string, exactly in Kyverno's order and with its coercions
//! (a missing value is `"0"` for numbers, floats print as `%f` for numbers and as `%E` for
//! strings).

use super::gofmt::{GoNumber, format_float_e, format_float_f};
use crate::duration::Duration;
use crate::quantity::Quantity;
use crate::wildcard::Wildcard;
use pest::Parser;
use pest::iterators::Pair;
use serde_json::Value;
use std::cmp::Ordering;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/pattern.pest"]
struct PatternGrammar;

/// A comparison operator of a string pattern condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// No operator: wildcard equality.
    Equal,
    /// `!`
    NotEqual,
    /// `>`
    More,
    /// `<`
    Less,
    /// `>=`
    MoreEqual,
    /// `<=`
    LessEqual,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Equal => "",
            Op::NotEqual => "!",
            Op::More => ">",
            Op::Less => "<",
            Op::MoreEqual => ">=",
            Op::LessEqual => "<=",
        }
    }

    fn holds(self, ord: Ordering) -> bool {
        match self {
            Op::Equal => ord == Ordering::Equal,
            Op::NotEqual => ord != Ordering::Equal,
            Op::More => ord == Ordering::Greater,
            Op::Less => ord == Ordering::Less,
            Op::MoreEqual => ord != Ordering::Less,
            Op::LessEqual => ord != Ordering::Greater,
        }
    }

    fn is_ordering(self) -> bool {
        !matches!(self, Op::Equal | Op::NotEqual)
    }
}

/// The operand of a condition, pre-parsed in every way Kyverno may read it.
#[derive(Debug, Clone)]
struct Operand {
    text: Box<str>,
    duration: Option<Duration>,
    quantity: Option<Quantity>,
    wildcard: Wildcard,
}

impl Operand {
    fn new(text: &str) -> Operand {
        Operand {
            text: text.into(),
            duration: Duration::parse_value(text),
            quantity: Quantity::parse_value(text).ok(),
            wildcard: Wildcard::new(text),
        }
    }

    fn is_numeric(&self) -> bool {
        self.duration.is_some() || self.quantity.is_some()
    }
}

/// One condition of a conjunction.
#[derive(Debug, Clone)]
enum Condition {
    Compare(Op, Operand),
    /// `a-b`: `>= a` and `<= b`.
    InRange(Operand, Operand),
    /// `a!-b`: `< a` or `> b`.
    NotInRange(Operand, Operand),
}

/// A compiled string pattern.
#[derive(Debug, Clone)]
pub struct StringPattern {
    raw: Box<str>,
    alternatives: Box<[Box<[Condition]>]>,
}

/// A value as Kyverno's scalar matcher sees it (Go's decoded JSON types).
#[derive(Debug, Clone, Copy)]
enum Scalar<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Composite,
}

impl<'a> Scalar<'a> {
    fn of(value: Option<&'a Value>) -> Scalar<'a> {
        match value {
            None | Some(Value::Null) => Scalar::Nil,
            Some(Value::Bool(b)) => Scalar::Bool(*b),
            Some(Value::Number(n)) => match GoNumber::of(n) {
                GoNumber::Int(i) => Scalar::Int(i),
                GoNumber::Float(f) => Scalar::Float(f),
            },
            Some(Value::String(s)) => Scalar::Str(s),
            Some(Value::Array(_) | Value::Object(_)) => Scalar::Composite,
        }
    }

    /// Kyverno `convertNumberToString` then `time.ParseDuration`.
    fn as_duration(self) -> Option<Duration> {
        match self {
            Scalar::Nil => Some(Duration(0)),
            Scalar::Str(s) => Duration::parse_value(s),
            // A bare integer is a duration only when it is "0"; "%f" text never is one.
            Scalar::Int(0) => Some(Duration(0)),
            _ => None,
        }
    }

    /// Kyverno `convertNumberToString` then `resource.ParseQuantity`.
    fn as_quantity(self) -> Option<Quantity> {
        match self {
            Scalar::Nil => Quantity::parse_value("0").ok(),
            Scalar::Str(s) => Quantity::parse_value(s).ok(),
            Scalar::Int(i) => Some(Quantity::from_i64(i, crate::quantity::Format::DecimalSI)),
            Scalar::Float(f) => Quantity::parse_value(&format_float_f(f)).ok(),
            Scalar::Bool(_) | Scalar::Composite => None,
        }
    }
}

/// Formats an integer (with its sign) into `buf` without allocating; 20 bytes hold `i64::MIN`.
fn int_text(i: i64, buf: &mut [u8; 20]) -> &str {
    let mut n = i.unsigned_abs();
    let mut pos = buf.len();
    let mut put = |pos: &mut usize, c: u8| {
        *pos = pos.saturating_sub(1);
        if let Some(b) = buf.get_mut(*pos) {
            *b = c;
        }
    };
    loop {
        put(&mut pos, b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        put(&mut pos, b'-');
    }
    std::str::from_utf8(buf.get(pos..).unwrap_or_default()).unwrap_or_default()
}

/// Kyverno `compareString`: wildcard (in)equality on the value's text.
fn compare_string(value: Scalar<'_>, operand: &Operand, op: Op) -> bool {
    if op.is_ordering() {
        return false;
    }
    let matched = match value {
        Scalar::Str(s) => operand.wildcard.matches(s),
        Scalar::Bool(b) => operand.wildcard.matches(if b { "true" } else { "false" }),
        Scalar::Int(i) => operand.wildcard.matches(int_text(i, &mut [0u8; 20])),
        Scalar::Float(f) => operand.wildcard.matches(&format_float_e(f)),
        Scalar::Nil | Scalar::Composite => return false,
    };
    matched == (op == Op::Equal)
}

/// Kyverno `validateString`: duration, then quantity, then string.
fn validate_string(value: Scalar<'_>, operand: &Operand, op: Op) -> bool {
    if let (Some(p), Some(v)) = (operand.duration, value.as_duration()) {
        return op.holds(v.cmp(&p));
    }
    if let Some(p) = &operand.quantity {
        if let Some(v) = value.as_quantity() {
            return op.holds(v.cmp_value(p));
        }
    }
    compare_string(value, operand, op)
}

impl Condition {
    fn matches(&self, value: Scalar<'_>) -> bool {
        match self {
            Condition::Compare(op, operand) => validate_string(value, operand, *op),
            Condition::InRange(lo, hi) => {
                validate_string(value, lo, Op::MoreEqual)
                    && validate_string(value, hi, Op::LessEqual)
            }
            Condition::NotInRange(lo, hi) => {
                validate_string(value, lo, Op::Less) || validate_string(value, hi, Op::More)
            }
        }
    }

    /// Why this condition can never match, if it cannot.
    fn defect(&self, part: &str) -> Option<String> {
        match self {
            Condition::Compare(op, operand) if op.is_ordering() && !operand.is_numeric() => {
                Some(if operand.text.is_empty() {
                    format!("`{part}`: operator `{}` has no operand", op.symbol())
                } else {
                    format!(
                        "`{part}`: `{}` is not a number, quantity or duration, so `{}` never matches",
                        operand.text,
                        op.symbol()
                    )
                })
            }
            Condition::InRange(lo, hi) | Condition::NotInRange(lo, hi) => {
                let bad: Vec<&str> = [lo, hi]
                    .iter()
                    .filter(|o| !o.is_numeric())
                    .map(|o| &*o.text)
                    .collect();
                (!bad.is_empty()).then(|| {
                    format!(
                        "`{part}`: range bound `{}` is not a number, quantity or duration",
                        bad.join("`, `")
                    )
                })
            }
            Condition::Compare(..) => None,
        }
    }
}

/// Classifies one space-trimmed conjunct (Kyverno `GetOperatorFromStringPattern`).
fn classify(part: &str) -> Condition {
    let equal = || Condition::Compare(Op::Equal, Operand::new(part.trim()));
    if part.len() < 2 {
        return equal();
    }
    let Ok(mut pairs) = PatternGrammar::parse(Rule::atom, part) else {
        return equal();
    };
    let Some(form) = pairs.next().and_then(|atom| atom.into_inner().next()) else {
        return equal();
    };
    let rule = form.as_rule();
    let mut inner = form.into_inner();
    let (Some(a), Some(b)) = (inner.next(), inner.next()) else {
        return equal();
    };
    match rule {
        Rule::comparison => {
            let op = match a.as_str() {
                ">=" => Op::MoreEqual,
                "<=" => Op::LessEqual,
                ">" => Op::More,
                "<" => Op::Less,
                _ => Op::NotEqual,
            };
            Condition::Compare(op, Operand::new(b.as_str().trim()))
        }
        Rule::not_in_range => {
            Condition::NotInRange(Operand::new(a.as_str()), Operand::new(b.as_str()))
        }
        Rule::in_range => Condition::InRange(Operand::new(a.as_str()), Operand::new(b.as_str())),
        _ => equal(),
    }
}

fn parts_of(pair: Pair<'_, Rule>) -> impl Iterator<Item = &str> {
    pair.into_inner().map(|p| p.as_str().trim_matches(' '))
}

impl StringPattern {
    /// Compiles a string pattern. Conditions that can never match (an ordering operator or a
    /// range bound that is neither a number, a quantity nor a duration) are errors, one message
    /// per condition; Kyverno accepts them and fails every resource.
    pub fn compile(raw: &str) -> Result<StringPattern, Vec<String>> {
        let (pattern, defects) = StringPattern::build(raw);
        if defects.is_empty() {
            Ok(pattern)
        } else {
            Err(defects)
        }
    }

    /// Compiles a string pattern as Kyverno accepts it: malformed conditions never match.
    /// For patterns produced at evaluation time (after variable substitution).
    pub fn compile_lenient(raw: &str) -> StringPattern {
        StringPattern::build(raw).0
    }

    fn build(raw: &str) -> (StringPattern, Vec<String>) {
        let mut defects = Vec::new();
        let mut alternatives = Vec::new();
        if let Ok(mut pairs) = PatternGrammar::parse(Rule::pattern, raw) {
            for conjunction in pairs.next().into_iter().flat_map(Pair::into_inner) {
                if conjunction.as_rule() != Rule::conjunction {
                    continue;
                }
                let mut conditions = Vec::new();
                for part in parts_of(conjunction) {
                    let condition = classify(part);
                    defects.extend(condition.defect(part));
                    conditions.push(condition);
                }
                alternatives.push(conditions.into_boxed_slice());
            }
        }
        let pattern = StringPattern {
            raw: raw.into(),
            alternatives: alternatives.into_boxed_slice(),
        };
        (pattern, defects)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// True if `value` (`None` = missing field) matches (Kyverno `validateStringPatterns`).
    pub fn matches(&self, value: Option<&Value>) -> bool {
        let scalar = Scalar::of(value);
        if let Scalar::Str(s) = scalar {
            if s == &*self.raw {
                return true;
            }
        }
        self.alternatives
            .iter()
            .any(|conj| conj.iter().all(|c| c.matches(scalar)))
    }
}

/// A compiled leaf of a pattern tree: any JSON scalar.
#[derive(Debug, Clone)]
pub enum Leaf {
    /// `true` / `false`: equal booleans only.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// `null`: matches missing, null, `0`, `0.0`, `""` and `false`.
    Null,
    /// A string pattern.
    Str(StringPattern),
}

impl Leaf {
    /// Compiles a JSON scalar (`None` for arrays and objects). A float with no fraction is an
    /// integer, as Kyverno sees YAML pattern numbers after its YAML → JSON → Go conversion.
    pub fn from_scalar(value: &Value, lenient: bool) -> Option<Result<Leaf, Vec<String>>> {
        Some(Ok(match value {
            Value::Null => Leaf::Null,
            Value::Bool(b) => Leaf::Bool(*b),
            Value::Number(n) => match GoNumber::of(n) {
                GoNumber::Int(i) => Leaf::Int(i),
                GoNumber::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Leaf::Int(f as i64),
                GoNumber::Float(f) => Leaf::Float(f),
            },
            Value::String(s) if lenient || s.contains("{{") => {
                Leaf::Str(StringPattern::compile_lenient(s))
            }
            Value::String(s) => return Some(StringPattern::compile(s).map(Leaf::Str)),
            Value::Array(_) | Value::Object(_) => return None,
        }))
    }

    /// True if `value` (`None` = missing field) matches this leaf (Kyverno `pattern.Validate`).
    pub fn matches(&self, value: Option<&Value>) -> bool {
        let v = Scalar::of(value);
        match self {
            Leaf::Bool(p) => matches!(v, Scalar::Bool(b) if b == *p),
            Leaf::Int(p) => match v {
                Scalar::Int(i) => i == *p,
                Scalar::Float(f) => f.trunc() == f && f as i64 == *p,
                Scalar::Str(s) => s.parse::<i64>().is_ok_and(|i| i == *p),
                _ => false,
            },
            Leaf::Float(p) => match v {
                Scalar::Int(i) => p.trunc() == *p && *p as i64 == i,
                Scalar::Float(f) => f == *p,
                Scalar::Str(s) => s.parse::<f64>().is_ok_and(|f| f == *p),
                _ => false,
            },
            Leaf::Null => match v {
                Scalar::Nil => true,
                Scalar::Int(i) => i == 0,
                Scalar::Float(f) => f == 0.0,
                Scalar::Str(s) => s.is_empty(),
                Scalar::Bool(b) => !b,
                Scalar::Composite => false,
            },
            Leaf::Str(p) => p.matches(value),
        }
    }

    /// Appends the pattern as Go's `%v` prints it (for messages).
    pub fn push_v(&self, out: &mut String) {
        match self {
            Leaf::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Leaf::Int(i) => out.push_str(int_text(*i, &mut [0u8; 20])),
            Leaf::Float(f) => super::gofmt::push_v(out, Some(&Value::from(*f))),
            Leaf::Null => out.push_str("<nil>"),
            Leaf::Str(p) => out.push_str(p.as_str()),
        }
    }

    /// True for the string pattern `"*"`, which a plain map key reads as "present and not null".
    pub fn is_star(&self) -> bool {
        matches!(self, Leaf::Str(p) if p.as_str() == "*")
    }
}
