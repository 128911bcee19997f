//! The fast path for JSON text: serde_json with the same rules as the YAML path (duplicate keys
//! rejected, integral floats read as integers). Anything it does not accept goes to the YAML path,
//! which gives the same result or a spanned error.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::resolve::json_number;

/// Parses `text` as a stream of JSON objects or arrays; `None` when it is not exactly that.
pub(crate) fn parse_stream(text: &str) -> Option<Vec<Value>> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !body.trim_start().starts_with(['{', '[']) {
        return None;
    }
    let mut docs = Vec::new();
    for doc in serde_json::Deserializer::from_str(body).into_iter::<Doc>() {
        match doc {
            Ok(Doc(v @ (Value::Object(_) | Value::Array(_)))) => docs.push(v),
            _ => return None,
        }
    }
    Some(docs)
}

/// One JSON value read with the Kubernetes rules.
struct Doc(Value);

impl<'de> Deserialize<'de> for Doc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DocVisitor).map(Doc)
    }
}

struct DocVisitor;

impl<'de> Visitor<'de> for DocVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Number(i.into()))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Number(u.into()))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        json_number(f)
            .map(Value::Number)
            .ok_or_else(|| E::custom("not a finite number"))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Doc(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom("duplicate key"));
            }
            let Doc(v) = access.next_value()?;
            map.insert(key, v);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn concatenated_values() {
        assert_eq!(
            parse_stream("{\"a\": 1.0}\n[1, 2.5, \"x\", null, true] {}"),
            Some(vec![
                json!({"a": 1}),
                json!([1, 2.5, "x", null, true]),
                json!({})
            ])
        );
        assert_eq!(
            parse_stream("\u{feff} {\"a\": 1e3}"),
            Some(vec![json!({"a": 1000})])
        );
    }

    #[test]
    fn declines_what_yaml_must_decide() {
        assert_eq!(parse_stream("{\"a\": 1, \"a\": 2}"), None);
        assert_eq!(parse_stream("{a: 1}"), None);
        assert_eq!(parse_stream("a: 1"), None);
        assert_eq!(parse_stream("{} 1"), None);
        assert_eq!(parse_stream("{\"a\": 1e999}"), None);
        assert_eq!(parse_stream("{}\n---\n{}"), None);
    }
}
