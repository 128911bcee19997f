//! The few Go conversions Kyverno's operators lean on, reproduced for `serde_json::Value`:
//! `fmt.Sprint`, `strconv.ParseFloat`, `time.Duration(n) * time.Second`, `reflect.DeepEqual`
//! on decoded JSON, `json.Unmarshal` into `[]string`, and the operators' `parseDuration`.
//!
//! Every JSON number is a Go `float64` here: Kyverno round-trips conditions through JSON before
//! evaluating them, so keys and values never arrive as Go integers.

use std::borrow::Cow;
use std::fmt::Write;

use serde_json::Value;

use crate::duration::Duration;

/// A JSON number as Go's `float64` (serde_json numbers always convert).
pub(super) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// Go `fmt.Sprint(v)` of a decoded JSON value (`%v`): `<nil>`, `true`, `3`, `1.5`, `1e+06`,
/// strings as they are (borrowed), `[a b]` for slices, `map[k:v]` with sorted keys for maps.
pub(super) fn sprint(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Value::Null => Cow::Borrowed("<nil>"),
        _ => {
            let mut out = String::new();
            write_sprint(&mut out, v);
            Cow::Owned(out)
        }
    }
}

fn write_sprint(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(_) => write_float(out, number(v).unwrap_or_default()),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_sprint(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push_str("map[");
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_sprint(out, item);
            }
            out.push(']');
        }
    }
}

/// Go `%v` of a `float64` (`%g` with the shortest round-trip digits): `3`, `1.5`, `123456`,
/// but `1e+06`, `1.234567e+06` and `1e-05`, because Go switches to the exponent form when the
/// decimal exponent is below -4 or at least 6.
fn write_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("NaN");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "+Inf" } else { "-Inf" });
        return;
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `-1.2345e-7`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if neg {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let point = usize::try_from(exp).unwrap_or(0) + 1;
        if digits.len() <= point {
            out.push_str(&digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            let (int, frac) = digits.split_at(point);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
    }
}

/// Go `strconv.ParseFloat(s, 64)` succeeding: decimal forms, `inf`/`infinity`/`nan` in any case;
/// an out-of-range value is an error in Go (`ErrRange`), so it is `None` here.
/// Not covered: Go's hexadecimal floats (`0x1p-2`) and `_` digit separators (which Go only
/// accepts with a base prefix); both are rejected.
pub(super) fn parse_float(s: &str) -> Option<f64> {
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() {
        let body = s.trim_start_matches(['+', '-']).to_ascii_lowercase();
        if body != "inf" && body != "infinity" {
            return None;
        }
    }
    Some(f)
}

/// Go `time.Duration(f) * time.Second`: the float is truncated to an `int64` count (amd64 gives
/// `math.MinInt64` when it does not fit) and the multiplication wraps.
pub(super) fn seconds_to_duration(f: f64) -> Duration {
    // 2^63 as f64; the range check keeps the cast exact.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let n = if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f as i64
    };
    Duration(n.wrapping_mul(1_000_000_000))
}

/// One side of Kyverno's `parseDuration`: only strings and numbers take part.
#[derive(Clone, Copy)]
pub(super) enum Side<'a> {
    /// A string, which may be a Go duration.
    Str(&'a str),
    /// A number of seconds.
    Num(f64),
    /// Anything else.
    Other,
}

impl<'a> Side<'a> {
    /// The side for a JSON value.
    pub(super) fn of(v: &'a Value) -> Side<'a> {
        match v {
            Value::String(s) => Side::Str(s),
            Value::Number(_) => number(v).map_or(Side::Other, Side::Num),
            _ => Side::Other,
        }
    }

    fn duration(self) -> Option<Duration> {
        match self {
            Side::Str(s) if s != "0" => Duration::parse_value(s),
            _ => None,
        }
    }

    fn seconds(self) -> Option<Duration> {
        match self {
            Side::Num(f) => Some(seconds_to_duration(f)),
            _ => None,
        }
    }
}

/// Kyverno's `parseDuration(key, value)`: at least one side must be a string that parses as a
/// Go duration (the exact string `"0"` does not count); the other side may be a duration string
/// or a number of seconds. Returns both durations, or `None` when that does not hold.
pub(super) fn duration_pair(key: Side<'_>, value: Side<'_>) -> Option<(Duration, Duration)> {
    let (k, v) = (key.duration(), value.duration());
    if k.is_none() && v.is_none() {
        return None;
    }
    Some((k.or_else(|| key.seconds())?, v.or_else(|| value.seconds())?))
}

/// Go `reflect.DeepEqual` on two decoded JSON values: numbers compare as `float64`, maps
/// regardless of key order.
pub(super) fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => number(a) == number(b),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| deep_equal(p, q)))
        }
        _ => a == b,
    }
}

/// What `json.Unmarshal([]byte(s), &arr)` with `arr []string` gives.
pub(super) enum StringList {
    /// `s` is not valid JSON.
    NotJson,
    /// Valid JSON that does not decode into `[]string` (Go returns an error).
    WrongType,
    /// The decoded list (`null` decodes to an empty list, a `null` element to `""`).
    List(Vec<String>),
}

/// Decodes `s` as Go would into a `[]string`.
pub(super) fn string_list(s: &str) -> StringList {
    match serde_json::from_str::<Value>(s) {
        Err(_) => StringList::NotJson,
        Ok(Value::Null) => StringList::List(Vec::new()),
        Ok(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Some(s),
                Value::Null => Some(String::new()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map_or(StringList::WrongType, StringList::List),
        Ok(_) => StringList::WrongType,
    }
}
