//! The JMESPath builtin functions (Kyverno's `sum` replaces the builtin one: see
//! `arithmetic.rs`).

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::sig::{ANY, ARR, EXPREF, NUM, OBJ, STR};
use super::{ArgType, Call, EvalError, FunctionSpec};
use crate::expr::value::{go_json, number, sort_order, type_name};

const ARR_OR_STR: &[ArgType] = &[ArgType::Array, ArgType::String];
const SORTABLE: &[ArgType] = &[ArgType::ArrayNumber, ArgType::ArrayString];

pub(super) const SPECS: &[FunctionSpec] = &[
    spec!("abs", [NUM], false, "number", "absolute value", |c| Ok(
        number(c.num(0)?.abs())
    )),
    spec!(
        "avg",
        [&[ArgType::ArrayNumber]],
        false,
        "number",
        "average of an array of numbers",
        avg
    ),
    spec!(
        "ceil",
        [NUM],
        false,
        "number",
        "smallest integer not below the number",
        |c| { Ok(number(c.num(0)?.ceil())) }
    ),
    spec!(
        "contains",
        [ARR_OR_STR, ANY],
        false,
        "boolean",
        "whether the array holds the value or the string the substring",
        contains
    ),
    spec!(
        "ends_with",
        [STR, STR],
        false,
        "boolean",
        "whether the string ends with the suffix",
        |c| { Ok(Value::Bool(c.str(0)?.ends_with(c.str(1)?))) }
    ),
    spec!(
        "floor",
        [NUM],
        false,
        "number",
        "largest integer not above the number",
        |c| { Ok(number(c.num(0)?.floor())) }
    ),
    spec!(
        "join",
        [STR, &[ArgType::ArrayString]],
        false,
        "string",
        "joins strings with a separator",
        join
    ),
    spec!(
        "keys",
        [OBJ],
        false,
        "array",
        "the keys of an object",
        |c| {
            Ok(Value::Array(
                c.object(0)?.keys().cloned().map(Value::String).collect(),
            ))
        }
    ),
    spec!(
        "length",
        [&[ArgType::String, ArgType::Array, ArgType::Object]],
        false,
        "number",
        "length of a string (characters), array or object",
        length
    ),
    spec!(
        "map",
        [EXPREF, ARR],
        false,
        "array",
        "applies an expression to each element",
        map
    ),
    spec!(
        "max",
        [SORTABLE],
        false,
        "number",
        "largest number or string",
        |c| extreme(c, Ordering::Greater)
    ),
    spec!(
        "max_by",
        [ARR, EXPREF],
        false,
        "any",
        "element with the largest key",
        |c| extreme_by(c, Ordering::Greater)
    ),
    spec!(
        "merge",
        [OBJ],
        true,
        "object",
        "merges objects, later keys win",
        merge
    ),
    spec!(
        "min",
        [SORTABLE],
        false,
        "number",
        "smallest number or string",
        |c| extreme(c, Ordering::Less)
    ),
    spec!(
        "min_by",
        [ARR, EXPREF],
        false,
        "any",
        "element with the smallest key",
        |c| extreme_by(c, Ordering::Less)
    ),
    spec!(
        "not_null",
        [ANY],
        true,
        "any",
        "first argument that is not null",
        not_null
    ),
    spec!(
        "reverse",
        [ARR_OR_STR],
        false,
        "any",
        "reverses an array or a string",
        reverse
    ),
    spec!(
        "sort",
        [SORTABLE],
        false,
        "array",
        "sorts numbers or strings",
        sort
    ),
    spec!(
        "sort_by",
        [ARR, EXPREF],
        false,
        "array",
        "sorts by the key an expression computes",
        sort_by
    ),
    spec!(
        "starts_with",
        [STR, STR],
        false,
        "boolean",
        "whether the string starts with the prefix",
        |c| { Ok(Value::Bool(c.str(0)?.starts_with(c.str(1)?))) }
    ),
    spec!(
        "to_array",
        [ANY],
        false,
        "array",
        "wraps a non-array in an array",
        |c| {
            Ok(match c.value(0)? {
                Value::Array(a) => Value::Array(a.clone()),
                v => Value::Array(vec![v.clone()]),
            })
        }
    ),
    spec!(
        "to_number",
        [ANY],
        false,
        "number",
        "number from a number or a numeric string, else null",
        to_number
    ),
    spec!(
        "to_string",
        [ANY],
        false,
        "string",
        "a string as is, anything else as JSON",
        |c| {
            Ok(match c.value(0)? {
                Value::String(s) => Value::String(s.clone()),
                v => Value::String(go_json(v)),
            })
        }
    ),
    spec!(
        "type",
        [ANY],
        false,
        "string",
        "the JMESPath type name",
        |c| { Ok(Value::String(type_name(c.value(0)?).to_owned())) }
    ),
    spec!(
        "values",
        [OBJ],
        false,
        "array",
        "the values of an object",
        |c| { Ok(Value::Array(c.object(0)?.values().cloned().collect())) }
    ),
];

fn avg(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let items = c.array(0)?;
    if items.is_empty() {
        return Ok(Value::Null);
    }
    let total: f64 = items.iter().filter_map(Value::as_f64).sum();
    #[allow(clippy::cast_precision_loss)]
    Ok(number(total / items.len() as f64))
}

fn contains(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let needle = c.value(1)?;
    Ok(Value::Bool(match c.value(0)? {
        Value::String(s) => needle.as_str().is_some_and(|n| s.contains(n)),
        Value::Array(items) => items.iter().any(|v| crate::expr::value::equal(v, needle)),
        _ => false,
    }))
}

fn join(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let sep = c.str(0)?;
    let parts: Vec<&str> = c.array(1)?.iter().filter_map(Value::as_str).collect();
    Ok(Value::String(parts.join(sep)))
}

fn length(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let n = match c.value(0)? {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    };
    #[allow(clippy::cast_precision_loss)]
    Ok(number(n as f64))
}

fn map(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let f = c.expref(0)?;
    c.array(1)?
        .iter()
        .map(|v| f.apply(v))
        .collect::<Result<_, _>>()
        .map(Value::Array)
}

/// The elements sort as one type (all numbers or all strings), or an invalid-type error.
fn check_sortable(c: &Call<'_, '_>, keys: &[Value]) -> Result<(), EvalError> {
    let first = keys.first().map(type_name);
    let ok = match first {
        None => true,
        Some("number") | Some("string") => keys.iter().all(|k| Some(type_name(k)) == first),
        Some(_) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(EvalError::InvalidType {
            function: c.spec.name,
            position: 2,
            expected: "expref->number or expref->string".to_owned(),
            got: keys
                .iter()
                .map(type_name)
                .find(|t| Some(*t) != first)
                .or(first)
                .unwrap_or("null"),
        })
    }
}

fn extreme(c: &Call<'_, '_>, want: Ordering) -> Result<Value, EvalError> {
    let items = c.array(0)?;
    let mut best: Option<&Value> = None;
    for item in items {
        if best.is_none_or(|b| sort_order(item, b) == Some(want)) {
            best = Some(item);
        }
    }
    Ok(best.cloned().unwrap_or(Value::Null))
}

/// The array argument and the sort key of each element (`&expr`), checked to be sortable.
fn keyed<'c>(c: &'c Call<'_, '_>) -> Result<(&'c Vec<Value>, Vec<Value>), EvalError> {
    let items = c.array(0)?;
    let f = c.expref(1)?;
    let keys: Vec<Value> = items.iter().map(|v| f.apply(v)).collect::<Result<_, _>>()?;
    check_sortable(c, &keys)?;
    Ok((items, keys))
}

fn extreme_by(c: &Call<'_, '_>, want: Ordering) -> Result<Value, EvalError> {
    let (items, keys) = keyed(c)?;
    let mut best: Option<usize> = None;
    for (i, key) in keys.iter().enumerate() {
        let better = match best.and_then(|b| keys.get(b)) {
            None => true,
            Some(b) => sort_order(key, b) == Some(want),
        };
        if better {
            best = Some(i);
        }
    }
    Ok(best
        .and_then(|i| items.get(i))
        .cloned()
        .unwrap_or(Value::Null))
}

fn merge(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let mut out = Map::new();
    for i in 0..c.args.len() {
        for (k, v) in c.object(i)? {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::Object(out))
}

fn not_null(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    for i in 0..c.args.len() {
        let v = c.value(i)?;
        if !v.is_null() {
            return Ok(v.clone());
        }
    }
    Ok(Value::Null)
}

fn reverse(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    Ok(match c.value(0)? {
        Value::String(s) => Value::String(s.chars().rev().collect()),
        Value::Array(a) => Value::Array(a.iter().rev().cloned().collect()),
        _ => Value::Null,
    })
}

fn sort(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let mut items = c.array(0)?.clone();
    items.sort_by(|a, b| sort_order(a, b).unwrap_or(Ordering::Equal));
    Ok(Value::Array(items))
}

fn sort_by(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let (items, keys) = keyed(c)?;
    let mut pairs: Vec<(&Value, &Value)> = keys.iter().zip(items.iter()).collect();
    pairs.sort_by(|a, b| sort_order(a.0, b.0).unwrap_or(Ordering::Equal));
    Ok(Value::Array(
        pairs.into_iter().map(|(_, v)| v.clone()).collect(),
    ))
}

fn to_number(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    Ok(match c.value(0)? {
        Value::Number(n) => Value::Number(n.clone()),
        Value::String(s) => match s.parse::<f64>() {
            Ok(f)
                if f.is_finite()
                    && !s.contains(|ch: char| ch.is_alphabetic() && ch != 'e' && ch != 'E') =>
            {
                number(f)
            }
            _ => Value::Null,
        },
        _ => Value::Null,
    })
}
