//! Kyverno's functions over whole values: `parse_json`, `parse_yaml`, `lookup`, `items`,
//! `object_from_lists`, `label_match`.

use serde_json::{Map, Value};

use super::sig::{ARR, OBJ, STR, STR_OR_NUM};
use super::{ArgType, Call, EvalError, FunctionSpec};
use crate::expr::value::{equal, type_name};

const OBJ_OR_ARR: &[ArgType] = &[ArgType::Object, ArgType::Array];

pub(super) const SPECS: &[FunctionSpec] = &[
    spec!(
        "parse_json",
        [STR],
        false,
        "any",
        "decodes a JSON string",
        |c| { serde_json::from_str(c.str(0)?).map_err(|e| EvalError::Function(e.to_string())) }
    ),
    spec!(
        "lookup",
        [OBJ_OR_ARR, STR_OR_NUM],
        false,
        "any",
        "value at a key of an object or an index of an array (null when absent)",
        lookup
    ),
    spec!(
        "items",
        [OBJ_OR_ARR, STR, STR],
        false,
        "array",
        "an object's entries (keys sorted) or an array's elements as objects with the given key and value names",
        items
    ),
    spec!(
        "object_from_lists",
        [ARR, ARR],
        false,
        "object",
        "an object from a list of keys and a list of values",
        object_from_lists
    ),
    spec!(
        "label_match",
        [OBJ, OBJ],
        false,
        "bool",
        "whether every label of the first object is in the second",
        |c| {
            let (selector, labels) = (c.object(0)?, c.object(1)?);
            Ok(Value::Bool(
                selector
                    .iter()
                    .all(|(k, v)| labels.get(k).is_some_and(|w| equal(v, w))),
            ))
        }
    ),
];

fn lookup(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    match c.value(0)? {
        Value::Object(map) => match c.value(1)? {
            Value::String(key) => Ok(map.get(key).cloned().unwrap_or(Value::Null)),
            _ => Err(c.fail("argument #2 is not of type String")),
        },
        Value::Array(items) => {
            let Some(index) = c.value(1)?.as_f64() else {
                return Err(c.fail("argument #2 is not of type Number"));
            };
            if index.fract() != 0.0 {
                return Err(c.fail(format!(
                    "argument #2: expected an integer number but got: {}",
                    crate::expr::value::go_float(index)
                )));
            }
            if index < 0.0 {
                return Ok(Value::Null);
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(items.get(index as usize).cloned().unwrap_or(Value::Null))
        }
        v => Err(c.fail(format!(
            "argument #1 is not of type Object or Array (got {})",
            type_name(v)
        ))),
    }
}

fn items(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let (key_name, value_name) = (c.str(1)?, c.str(2)?);
    let entry = |k: Value, v: &Value| {
        let mut m = Map::new();
        m.insert(key_name.to_owned(), k);
        m.insert(value_name.to_owned(), v.clone());
        Value::Object(m)
    };
    Ok(Value::Array(match c.value(0)? {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            keys.into_iter()
                .filter_map(|k| map.get(k).map(|v| entry(Value::String(k.clone()), v)))
                .collect()
        }
        Value::Array(list) => list
            .iter()
            .enumerate()
            .map(|(i, v)| entry(Value::from(i), v))
            .collect(),
        _ => Vec::new(),
    }))
}

fn object_from_lists(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let (keys, values) = (c.array(0)?, c.array(1)?);
    let mut out = Map::new();
    for (i, key) in keys.iter().enumerate() {
        let key = match key {
            Value::String(s) => s.clone(),
            Value::Number(n) => {
                #[allow(clippy::cast_possible_truncation)]
                let f = n.as_f64().unwrap_or(0.0) as f32;
                format!("{f}")
            }
            Value::Bool(b) => b.to_string(),
            _ => return Err(c.fail("argument #1 is not of type StringArray")),
        };
        out.insert(key, values.get(i).cloned().unwrap_or(Value::Null));
    }
    Ok(Value::Object(out))
}
