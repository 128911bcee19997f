//! The tree-walking evaluator, with Kyverno's missing-key rule.
//!
//! Where a missing key's error goes (kyverno's interpreter, `pkg/engine/jmespath/interpreter.go`):
//! field access on a map without the key fails with [`EvalError::UnknownKey`]; sub-expressions
//! and index expressions propagate every error; comparators, function arguments, multiselects,
//! `!`, the left side of `&&`, both sides of `||`, pipes and the elements of projections turn
//! the missing-key error into `null`; the left side of a flatten, an object projection or a
//! filter projection turns any error into a `null` result.

use std::any::Any;
use std::borrow::Cow;

use serde_json::Value;

use super::ast::{Comparator, FunctionCall, Node};
use super::error::EvalError;
use super::functions::{Apply, Arg, Call};
use super::value::{as_f64, equal, is_false};
use crate::clock::{Clock, SystemClock};

/// How a missing map key is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Kyverno: the error `Unknown key "<k>" in path`, swallowed where Kyverno swallows it.
    #[default]
    Kyverno,
    /// Standard JMESPath: a missing key is `null`, and no error is turned into `null`.
    Standard,
}

/// A value of the document that stands for another one: selecting the field that holds
/// `stand_in` (compared by address) yields `value`.
#[derive(Clone, Copy, Debug)]
pub struct Alias<'v> {
    /// The placeholder inside the document.
    pub stand_in: &'v Value,
    /// The value it stands for.
    pub value: &'v Value,
}

/// What an evaluation runs with besides the document: the dialect, the stand-ins in the
/// document, and the clock the `time_*` functions read.
#[derive(Clone, Copy, Debug)]
pub struct Env<'a> {
    /// How missing keys are treated.
    pub dialect: Dialect,
    /// Stand-ins in the document and the values they stand for.
    pub aliases: &'a [Alias<'a>],
    /// The current time.
    pub clock: &'a dyn Clock,
    /// Bound variables for `$name` (the last binding of a name wins; `""` is `$`, the root).
    pub variables: &'a [(String, Value)],
}

impl Default for Env<'_> {
    /// Kyverno's dialect, no stand-ins, the system clock.
    fn default() -> Self {
        Env {
            dialect: Dialect::Kyverno,
            aliases: &[],
            clock: &SystemClock,
            variables: &[],
        }
    }
}

static NULL: Value = Value::Null;

/// Result of evaluating a node: borrowed from the input or the tree where possible.
pub(crate) type Eval<'a> = Result<Cow<'a, Value>, EvalError>;

fn null<'a>() -> Cow<'a, Value> {
    Cow::Borrowed(&NULL)
}

fn boolean<'a>(b: bool) -> Cow<'a, Value> {
    Cow::Owned(Value::Bool(b))
}

/// Turns the missing-key error into `null`, keeps any other error.
fn swallow(r: Eval<'_>) -> Eval<'_> {
    match r {
        Err(EvalError::UnknownKey(_)) => Ok(null()),
        r => r,
    }
}

/// Evaluates trees in one environment.
pub(crate) struct Evaluator<'x> {
    dialect: Dialect,
    /// Stand-ins in the document and the values they stand for (see [`Alias`]).
    aliases: &'x [Alias<'x>],
    clock: &'x dyn Clock,
    variables: &'x [(String, Value)],
}

impl Apply for Evaluator<'_> {
    fn apply(&self, expref: &dyn Any, data: &Value) -> Result<Value, EvalError> {
        match expref.downcast_ref::<Node>() {
            Some(node) => swallow(self.eval(node, data)).map(Cow::into_owned),
            None => Err(EvalError::Function(
                "an expression reference of another kind of tree".into(),
            )),
        }
    }
}

impl<'x> Evaluator<'x> {
    pub(crate) fn new(env: &Env<'x>) -> Self {
        Evaluator {
            dialect: env.dialect,
            aliases: env.aliases,
            clock: env.clock,
            variables: env.variables,
        }
    }

    /// The value a field holds: the aliased value when the field holds a stand-in.
    fn resolve<'a>(&self, v: &'a Value) -> &'a Value
    where
        'x: 'a,
    {
        match self.aliases.iter().find(|a| std::ptr::eq(a.stand_in, v)) {
            Some(a) => a.value,
            None => v,
        }
    }

    /// Evaluate `node` against `data`.
    pub(crate) fn eval<'a>(&self, node: &'a Node, data: &'a Value) -> Eval<'a>
    where
        'x: 'a,
    {
        match node {
            Node::Current => Ok(Cow::Borrowed(data)),
            Node::Variable(name) => {
                match self.variables.iter().rev().find(|(n, _)| **n == **name) {
                    Some((_, value)) => Ok(Cow::Borrowed(value)),
                    None => Err(EvalError::Function(format!("undefined variable: ${name}"))),
                }
            }
            Node::Field(key) => match data {
                Value::Object(map) => match crate::lookup::field(map, key) {
                    Some(v) => Ok(Cow::Borrowed(self.resolve(v))),
                    None if self.dialect == Dialect::Kyverno => {
                        Err(EvalError::UnknownKey(key.to_string()))
                    }
                    None => Ok(null()),
                },
                _ => Ok(null()),
            },
            Node::Subexpr(operands) => {
                let [lhs, rhs] = &**operands;
                let left = self.eval(lhs, data)?;
                if left.is_null() {
                    return Ok(null());
                }
                self.then(left, rhs)
            }
            Node::Index(i) => Ok(match data {
                Value::Array(items) => index(items, *i).map_or_else(null, Cow::Borrowed),
                _ => null(),
            }),
            Node::Slice(parts) => Ok(match data {
                Value::Array(items) => {
                    let [start, stop, step] = **parts;
                    Cow::Owned(Value::Array(slice(items, start, stop, step)))
                }
                _ => null(),
            }),
            // `x[]...`: flatten while projecting, without copying the elements.
            Node::Projection(operands) if matches!(operands[0], Node::Flatten(_)) => {
                let [Node::Flatten(inner), rhs] = &**operands else {
                    return Ok(null());
                };
                let left = self.forgiving(self.eval(inner, data))?;
                let Value::Array(items) = &*left else {
                    return Ok(null());
                };
                let flat = items.iter().flat_map(|item| match item {
                    Value::Array(inner) => inner.iter(),
                    other => std::slice::from_ref(other).iter(),
                });
                self.project(flat, rhs).map(Cow::Owned)
            }
            Node::Projection(operands) => {
                let [lhs, rhs] = &**operands;
                let left = swallow(self.eval(lhs, data))?;
                match &*left {
                    Value::Array(items) => self.project(items.iter(), rhs).map(Cow::Owned),
                    _ => Ok(null()),
                }
            }
            Node::ValueProjection(operands) => {
                let [lhs, rhs] = &**operands;
                let left = self.forgiving(self.eval(lhs, data))?;
                match &*left {
                    Value::Object(map) => self.project(map.values(), rhs).map(Cow::Owned),
                    _ => Ok(null()),
                }
            }
            Node::FilterProjection {
                lhs,
                rhs,
                condition,
            } => {
                let left = self.forgiving(self.eval(lhs, data))?;
                let Value::Array(items) = &*left else {
                    return Ok(null());
                };
                let mut out = Vec::new();
                for item in items {
                    let keep = swallow(self.eval(condition, item))?;
                    if is_false(&keep) {
                        continue;
                    }
                    let v = swallow(self.eval(rhs, item))?;
                    if !v.is_null() {
                        out.push(v.into_owned());
                    }
                }
                Ok(Cow::Owned(Value::Array(out)))
            }
            Node::Flatten(lhs) => {
                let left = self.forgiving(self.eval(lhs, data))?;
                let Value::Array(items) = &*left else {
                    return Ok(null());
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::Array(inner) => out.extend(inner.iter().cloned()),
                        other => out.push(other.clone()),
                    }
                }
                Ok(Cow::Owned(Value::Array(out)))
            }
            Node::MultiList(items) => {
                if data.is_null() {
                    return Ok(null());
                }
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(swallow(self.eval(item, data))?.into_owned());
                }
                Ok(Cow::Owned(Value::Array(out)))
            }
            Node::MultiHash(entries) => {
                if data.is_null() {
                    return Ok(null());
                }
                let mut out = serde_json::Map::with_capacity(entries.len());
                for (key, item) in entries {
                    out.insert(key.clone(), swallow(self.eval(item, data))?.into_owned());
                }
                Ok(Cow::Owned(Value::Object(out)))
            }
            Node::Literal(v) => Ok(Cow::Borrowed(&**v)),
            Node::Not(inner) => Ok(boolean(is_false(&*swallow(self.eval(inner, data))?))),
            Node::And(operands) => {
                let [lhs, rhs] = &**operands;
                let left = swallow(self.eval(lhs, data))?;
                if is_false(&left) {
                    return Ok(left);
                }
                self.eval(rhs, data)
            }
            Node::Or(operands) => {
                let [lhs, rhs] = &**operands;
                let left = swallow(self.eval(lhs, data))?;
                if !is_false(&left) {
                    return Ok(left);
                }
                swallow(self.eval(rhs, data))
            }
            Node::Compare(op, operands) => {
                let [lhs, rhs] = &**operands;
                let left = swallow(self.eval(lhs, data))?;
                let right = swallow(self.eval(rhs, data))?;
                Ok(compare(*op, &left, &right))
            }
            Node::Pipe(operands) => {
                let [lhs, rhs] = &**operands;
                let left = swallow(self.eval(lhs, data))?;
                swallow(self.then(left, rhs))
            }
            Node::Expref(_) => Ok(null()),
            Node::Function(call) => {
                let FunctionCall { spec, args, regex } = &**call;
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    values.push(match arg {
                        Node::Expref(inner) => Arg::Expref(&**inner as &dyn Any),
                        arg => Arg::Value(swallow(self.eval(arg, data))?),
                    });
                }
                spec.call(&Call {
                    spec,
                    args: &values,
                    regex: regex.as_ref(),
                    evaluator: self,
                    clock: self.clock,
                })
                .map(Cow::Owned)
            }
        }
    }

    /// The left side of a flatten or an object or filter projection: Kyverno turns any error
    /// there into `null`; standard JMESPath keeps it.
    fn forgiving<'a>(&self, r: Eval<'a>) -> Eval<'a> {
        match r {
            Err(_) if self.dialect == Dialect::Kyverno => Ok(null()),
            r => r,
        }
    }

    /// Evaluate `rhs` against an intermediate result.
    fn then<'a>(&self, left: Cow<'a, Value>, rhs: &'a Node) -> Eval<'a>
    where
        'x: 'a,
    {
        match left {
            Cow::Borrowed(v) => self.eval(rhs, v),
            Cow::Owned(v) => self.eval(rhs, &v).map(|r| Cow::Owned(r.into_owned())),
        }
    }

    fn project<'b, I>(&self, items: I, rhs: &'b Node) -> Result<Value, EvalError>
    where
        I: Iterator<Item = &'b Value>,
    {
        let mut out = Vec::new();
        for item in items {
            let v = swallow(self.eval(rhs, item))?;
            if !v.is_null() {
                out.push(v.into_owned());
            }
        }
        Ok(Value::Array(out))
    }
}

fn compare<'a>(op: Comparator, left: &Value, right: &Value) -> Cow<'a, Value> {
    match op {
        Comparator::Eq => boolean(equal(left, right)),
        Comparator::Ne => boolean(!equal(left, right)),
        _ => {
            let (Some(a), Some(b)) = (as_f64(left), as_f64(right)) else {
                return null();
            };
            boolean(match op {
                Comparator::Lt => a < b,
                Comparator::Le => a <= b,
                Comparator::Gt => a > b,
                _ => a >= b,
            })
        }
    }
}

fn index(items: &[Value], i: i64) -> Option<&Value> {
    let len = i64::try_from(items.len()).ok()?;
    let i = if i < 0 { i + len } else { i };
    usize::try_from(i).ok().and_then(|i| items.get(i))
}

/// Python-style slicing (as the JMESPath specification defines it).
pub(crate) fn slice(
    items: &[Value],
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
) -> Vec<Value> {
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let step = step.unwrap_or(1);
    let clamp = |v: Option<i64>, default: i64| -> i64 {
        match v {
            None => default,
            Some(v) if v < 0 => {
                let v = v + len;
                if v < 0 {
                    if step < 0 { -1 } else { 0 }
                } else {
                    v
                }
            }
            Some(v) if v >= len => {
                if step < 0 {
                    len - 1
                } else {
                    len
                }
            }
            Some(v) => v,
        }
    };
    let (start, stop) = if step > 0 {
        (clamp(start, 0), clamp(stop, len))
    } else {
        (clamp(start, len - 1), clamp(stop, -1))
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        if let Some(v) = usize::try_from(i).ok().and_then(|i| items.get(i)) {
            out.push(v.clone());
        }
        match i.checked_add(step) {
            Some(next) => i = next,
            None => break,
        }
    }
    out
}
