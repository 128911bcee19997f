//! Operations: the RFC 6902 JSON form, parsing with evanphx's validation (`DecodePatch` and
//! `validateOperation`), and serde.

use std::fmt;

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::error::{OperationProblem, PatchError};

/// The six RFC 6902 operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// Insert into an array or set an object member.
    Add,
    /// Delete a member or element.
    Remove,
    /// Set an existing member or element.
    Replace,
    /// Remove the value at `from` and add it at `path`.
    Move,
    /// Add a deep copy of the value at `from` at `path`.
    Copy,
    /// Check that the value at `path` equals `value`.
    Test,
}

impl Op {
    /// The name in the JSON form: `add`, `remove`, `replace`, `move`, `copy` or `test`.
    pub fn name(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Remove => "remove",
            Op::Replace => "replace",
            Op::Move => "move",
            Op::Copy => "copy",
            Op::Test => "test",
        }
    }

    /// The op with this name (case-sensitive, as in evanphx).
    pub fn from_name(name: &str) -> Option<Op> {
        Some(match name {
            "add" => Op::Add,
            "remove" => Op::Remove,
            "replace" => Op::Replace,
            "move" => Op::Move,
            "copy" => Op::Copy,
            "test" => Op::Test,
            _ => return None,
        })
    }

    /// Whether the JSON form carries `from` (move and copy).
    pub fn has_from(self) -> bool {
        matches!(self, Op::Move | Op::Copy)
    }

    /// Whether the JSON form carries `value` (add, replace and test).
    pub fn has_value(self) -> bool {
        matches!(self, Op::Add | Op::Replace | Op::Test)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One JSON Patch operation, as in `{"op": "add", "path": "/a", "value": 1}`.
///
/// `from` belongs to `move` and `copy`, `value` to `add`, `replace` and `test`; the JSON form
/// ([`Serialize`]) carries only the members of the op, and [`Deserialize`] validates like
/// [`parse`]. `value: Some(Value::Null)` is the JSON `null`; `None` is no `value` at all (only
/// valid for `test`, where it means `null`).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOp {
    /// The operation.
    pub op: Op,
    /// The JSON pointer it applies to.
    pub path: String,
    /// The source pointer of `move` and `copy`.
    pub from: Option<String>,
    /// The value of `add`, `replace` and `test`.
    pub value: Option<Value>,
}

impl PatchOp {
    /// `{"op": "add", "path": path, "value": value}`.
    pub fn add(path: impl Into<String>, value: Value) -> PatchOp {
        PatchOp::with_value(Op::Add, path.into(), value)
    }

    /// `{"op": "remove", "path": path}`.
    pub fn remove(path: impl Into<String>) -> PatchOp {
        PatchOp {
            op: Op::Remove,
            path: path.into(),
            from: None,
            value: None,
        }
    }

    /// `{"op": "replace", "path": path, "value": value}`.
    pub fn replace(path: impl Into<String>, value: Value) -> PatchOp {
        PatchOp::with_value(Op::Replace, path.into(), value)
    }

    /// `{"op": "test", "path": path, "value": value}`.
    pub fn test(path: impl Into<String>, value: Value) -> PatchOp {
        PatchOp::with_value(Op::Test, path.into(), value)
    }

    /// `{"op": "move", "from": from, "path": path}`.
    pub fn move_value(from: impl Into<String>, path: impl Into<String>) -> PatchOp {
        PatchOp::with_from(Op::Move, from.into(), path.into())
    }

    /// `{"op": "copy", "from": from, "path": path}`.
    pub fn copy_value(from: impl Into<String>, path: impl Into<String>) -> PatchOp {
        PatchOp::with_from(Op::Copy, from.into(), path.into())
    }

    fn with_value(op: Op, path: String, value: Value) -> PatchOp {
        PatchOp {
            op,
            path,
            from: None,
            value: Some(value),
        }
    }

    fn with_from(op: Op, from: String, path: String) -> PatchOp {
        PatchOp {
            op,
            path,
            from: Some(from),
            value: None,
        }
    }

    /// The JSON form: `op`, `path`, then `from` for move and copy and `value` for add, replace
    /// and test (each only when present).
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("op".into(), Value::from(self.op.name()));
        map.insert("path".into(), Value::from(self.path.as_str()));
        if let (true, Some(from)) = (self.op.has_from(), &self.from) {
            map.insert("from".into(), Value::from(from.as_str()));
        }
        if let (true, Some(value)) = (self.op.has_value(), &self.value) {
            map.insert("value".into(), value.clone());
        }
        Value::Object(map)
    }
}

impl Serialize for PatchOp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let from = self.from.as_ref().filter(|_| self.op.has_from());
        let value = self.value.as_ref().filter(|_| self.op.has_value());
        let len = 2 + usize::from(from.is_some()) + usize::from(value.is_some());
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("op", self.op.name())?;
        map.serialize_entry("path", &self.path)?;
        if let Some(from) = from {
            map.serialize_entry("from", from)?;
        }
        if let Some(value) = value {
            map.serialize_entry("value", value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for PatchOp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PatchOp, D::Error> {
        let value = Value::deserialize(deserializer)?;
        parse_op(0, &value).map_err(D::Error::custom)
    }
}

impl Serialize for Op {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Op {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Op, D::Error> {
        let name = String::deserialize(deserializer)?;
        Op::from_name(&name)
            .ok_or_else(|| D::Error::custom(format!("unsupported operation {name:?}")))
    }
}

/// Reads a patch: a JSON array of operations, each checked as evanphx's `DecodePatch` checks it
/// (a known `op`; `value` for add and replace; `from` for move and copy; `path`; `from` and
/// `path` strings). Members an op does not use are ignored, and `null` reads as an empty patch,
/// as in Go.
pub fn parse(patch: &Value) -> Result<Vec<PatchOp>, PatchError> {
    match patch {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| parse_op(i, item))
            .collect(),
        Value::Null => Ok(Vec::new()),
        other => Err(PatchError::NotAnArray {
            found: json_type(other),
        }),
    }
}

/// Reads the operation at position `index` of a patch.
fn parse_op(index: usize, item: &Value) -> Result<PatchOp, PatchError> {
    let map = match item {
        Value::Object(map) => map,
        Value::Null => {
            return Err(PatchError::InvalidOperation {
                index,
                operation: "null".to_owned(),
                problem: OperationProblem::UnknownOp,
            });
        }
        other => {
            return Err(PatchError::NotAnOperation {
                index,
                found: json_type(other),
            });
        }
    };
    let invalid = |problem| PatchError::InvalidOperation {
        index,
        operation: go_marshal_operation(map),
        problem,
    };
    let op = map
        .get("op")
        .and_then(Value::as_str)
        .and_then(Op::from_name)
        .ok_or_else(|| invalid(OperationProblem::UnknownOp))?;
    let mut value = None;
    let mut from = None;
    if op.has_value() {
        value = map.get("value").cloned();
        if value.is_none() && op != Op::Test {
            return Err(invalid(OperationProblem::MissingValue));
        }
    }
    if op.has_from() {
        from = Some(string_member(map, "from").map_err(invalid)?);
    }
    let path = string_member(map, "path").map_err(invalid)?;
    Ok(PatchOp {
        op,
        path,
        from,
        value,
    })
}

/// A `from` or `path` member: missing or `null` is missing, anything else must be a string.
fn string_member(
    map: &Map<String, Value>,
    member: &'static str,
) -> Result<String, OperationProblem> {
    match map.get(member) {
        None | Some(Value::Null) if member == "from" => Err(OperationProblem::MissingFrom),
        None | Some(Value::Null) => Err(OperationProblem::MissingPath),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(OperationProblem::NotAString {
            member,
            found: json_type(other),
        }),
    }
}

/// Checks an operation before it is applied, as [`parse`] would have: `apply` takes operations
/// built in code too.
pub(super) fn validate(index: usize, op: &PatchOp) -> Result<(), PatchError> {
    let problem = if op.op.has_from() && op.from.is_none() {
        OperationProblem::MissingFrom
    } else if matches!(op.op, Op::Add | Op::Replace) && op.value.is_none() {
        OperationProblem::MissingValue
    } else {
        return Ok(());
    };
    let Value::Object(map) = op.to_json() else {
        return Ok(());
    };
    Err(PatchError::InvalidOperation {
        index,
        operation: go_marshal_operation(&map),
        problem,
    })
}

/// Go's name for a JSON value's type in unmarshalling errors.
pub(super) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// An operation as Go's `json.Marshal` prints a `map[string]*json.RawMessage`: members sorted,
/// compact, `<`, `>`, `&`, U+2028 and U+2029 escaped. Member values keep their own key order, as
/// raw messages do.
fn go_marshal_operation(map: &Map<String, Value>) -> String {
    let mut members: Vec<(&String, &Value)> = map.iter().collect();
    members.sort_by(|a, b| a.0.cmp(b.0));
    let sorted: Map<String, Value> = members
        .into_iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let text = Value::Object(sorted).to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}
