//! `parse_yaml`: a YAML document to JSON as `sigs.k8s.io/yaml.YAMLToJSON` reads it (the first
//! document; YAML 1.1 scalars: `yes`/`no`/`on`/`off` are booleans, `~` is null; non-string
//! keys become strings), on `saphyr-parser` events.
//!
//! The integrator may replace [`to_json`] with the crate's YAML loader once it exists.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Value};

use super::sig::STR;
use super::{Call, EvalError, FunctionSpec};
use crate::expr::value::go_json;

pub(super) const SPECS: &[FunctionSpec] = &[spec!(
    "parse_yaml",
    [STR],
    false,
    "any",
    "decodes a YAML string (must be representable as JSON)",
    |c: &Call<'_, '_>| to_json(c.str(0)?).map_err(EvalError::Function)
)];

/// The first YAML document of `text` as JSON (`null` for an empty stream).
pub(crate) fn to_json(text: &str) -> Result<Value, String> {
    // saphyr keeps the line break of a block scalar that ends the input without one; go-yaml
    // does not: such a scalar loses its last "\n" (offsets are in characters).
    let unterminated_end = (!text.ends_with('\n')).then(|| text.chars().count());
    let mut events = Parser::new_from_str(text).map(move |r| {
        r.map(|(e, span)| match e {
            Event::Scalar(s, style @ (ScalarStyle::Folded | ScalarStyle::Literal), a, t)
                if Some(span.end.index()) == unterminated_end =>
            {
                let trimmed = s.strip_suffix('\n').unwrap_or(&s).to_owned();
                Event::Scalar(trimmed.into(), style, a, t)
            }
            e => e,
        })
    });
    let mut anchors = HashMap::new();
    loop {
        match events.next() {
            None | Some(Ok(Event::StreamEnd)) => return Ok(Value::Null),
            Some(Err(e)) => return Err(e.to_string()),
            Some(Ok(Event::DocumentStart(_))) => {
                return node(&mut events, &mut anchors, None);
            }
            Some(Ok(_)) => {}
        }
    }
}

type Events<'a> = dyn Iterator<Item = Result<Event<'a>, saphyr_parser::ScanError>> + 'a;

/// Read one node; `first` is an event already taken from the stream.
fn node<'a>(
    events: &mut Events<'a>,
    anchors: &mut HashMap<usize, Value>,
    first: Option<Event<'a>>,
) -> Result<Value, String> {
    let event = match first {
        Some(e) => e,
        None => events
            .next()
            .ok_or("unexpected end of YAML")?
            .map_err(|e| e.to_string())?,
    };
    let (value, anchor) = match event {
        Event::Scalar(text, style, anchor, _) => (scalar(&text, style)?, anchor),
        Event::Alias(id) => {
            return anchors
                .get(&id)
                .cloned()
                .ok_or_else(|| "unknown anchor".to_owned());
        }
        Event::SequenceStart(anchor, _) => {
            let mut items = Vec::new();
            loop {
                match events
                    .next()
                    .ok_or("unexpected end of YAML")?
                    .map_err(|e| e.to_string())?
                {
                    Event::SequenceEnd => break,
                    e => items.push(node(events, anchors, Some(e))?),
                }
            }
            (Value::Array(items), anchor)
        }
        Event::MappingStart(anchor, _) => {
            let mut map = Map::new();
            loop {
                let key = match events
                    .next()
                    .ok_or("unexpected end of YAML")?
                    .map_err(|e| e.to_string())?
                {
                    Event::MappingEnd => break,
                    e => node(events, anchors, Some(e))?,
                };
                let key = match key {
                    Value::String(s) => s,
                    Value::Null => "null".to_owned(),
                    other => go_json(&other),
                };
                let value = node(events, anchors, None)?;
                map.insert(key, value);
            }
            (Value::Object(map), anchor)
        }
        Event::DocumentEnd | Event::StreamEnd => return Ok(Value::Null),
        _ => return Err("unexpected YAML event".to_owned()),
    };
    if anchor > 0 {
        anchors.insert(anchor, value.clone());
    }
    Ok(value)
}

/// A scalar with YAML 1.1 resolution for plain style (as go-yaml v2 resolves it).
fn scalar(text: &str, style: ScalarStyle) -> Result<Value, String> {
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.to_owned()));
    }
    Ok(match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Value::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "-.inf" | ".nan" | ".NaN" | ".NAN" => {
            return Err(format!(
                "error converting YAML to JSON: {text} is not a JSON number"
            ));
        }
        _ => number(text).unwrap_or_else(|| Value::String(text.to_owned())),
    })
}

fn number(text: &str) -> Option<Value> {
    let plain = text.replace('_', "");
    let (neg, digits) = match plain.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    let sign = if neg { -1 } else { 1 };
    let radix = |s: &str, r: u32| {
        i64::from_str_radix(s, r)
            .ok()
            .map(|v| Value::from(sign * v))
    };
    if let Some(hex) = digits.strip_prefix("0x") {
        return radix(hex, 16);
    }
    if let Some(bin) = digits.strip_prefix("0b") {
        return radix(bin, 2);
    }
    if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()) {
        return radix(&digits[1..], 8);
    }
    if digits.bytes().all(|b| b.is_ascii_digit()) && !digits.is_empty() {
        return plain.parse::<i64>().ok().map(Value::from);
    }
    let looks_numeric = digits
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if looks_numeric {
        return plain
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number);
    }
    None
}
