//! Go's text forms of JSON values, as Kyverno's messages and string comparisons show them:
//! `%v`, `%T`, `%f` and `strconv.FormatFloat(v, 'E', -1, 64)` on the values Go's unstructured
//! decoding produces (`int64`, `float64`, `string`, `bool`, `nil`, maps and slices).

use serde_json::{Number, Value};
use std::fmt::Write;

/// A JSON number as Go holds it after decoding: `int64` when it is a whole number that fits,
/// `float64` otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GoNumber {
    /// A whole number that fits in `int64`.
    Int(i64),
    /// Any other number.
    Float(f64),
}

impl GoNumber {
    /// Classifies a serde_json number the way Kubernetes' JSON decoding does.
    pub fn of(n: &Number) -> GoNumber {
        match n.as_i64() {
            Some(i) => GoNumber::Int(i),
            None => GoNumber::Float(n.as_f64().unwrap_or(f64::NAN)),
        }
    }
}

/// Shortest round-trip digits and decimal exponent of a finite `f`: `f = 0.d1d2... × 10^dp`.
fn shortest_digits(f: f64) -> (String, i32) {
    let text = format!("{:e}", f.abs());
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    (digits.to_string(), exp + 1)
}

/// Writes a Go exponent: `e+06`, `E-10` (at least two digits).
fn push_exponent(out: &mut String, marker: char, exp: i32) {
    out.push(marker);
    out.push(if exp < 0 { '-' } else { '+' });
    let _ = write!(out, "{:02}", exp.unsigned_abs());
}

fn push_scientific(out: &mut String, f: f64, marker: char) {
    let (digits, dp) = shortest_digits(f);
    if f.is_sign_negative() && f != 0.0 {
        out.push('-');
    }
    let mut chars = digits.chars();
    out.extend(chars.next());
    let rest = chars.as_str();
    if !rest.is_empty() {
        out.push('.');
        out.push_str(rest);
    }
    let exp = if f == 0.0 { 0 } else { dp - 1 };
    push_exponent(out, marker, exp);
}

/// `strconv.FormatFloat(f, 'E', -1, 64)`: `1.5E+00`, `1E+02`.
pub fn format_float_e(f: f64) -> String {
    let mut out = String::new();
    if !f.is_finite() {
        out.push_str(non_finite(f));
        return out;
    }
    push_scientific(&mut out, f, 'E');
    out
}

fn non_finite(f: f64) -> &'static str {
    if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    }
}

/// `fmt.Sprintf("%f", f)`: six decimals.
pub fn format_float_f(f: f64) -> String {
    if !f.is_finite() {
        return non_finite(f).to_string();
    }
    format!("{f:.6}")
}

/// `fmt.Sprintf("%v", f)` for a float64 (`%g` with shortest digits): exponent form when the
/// decimal exponent is below -4 or at least 6 (`1e+06`, `1.5e-05`).
pub fn push_float_v(out: &mut String, f: f64) {
    if !f.is_finite() {
        out.push_str(non_finite(f));
        return;
    }
    if f == 0.0 {
        out.push_str(if f.is_sign_negative() { "-0" } else { "0" });
        return;
    }
    let (digits, dp) = shortest_digits(f);
    let exp = dp - 1;
    if !(-4..6).contains(&exp) {
        push_scientific(out, f, 'e');
        return;
    }
    if f < 0.0 {
        out.push('-');
    }
    let n = digits.len() as i32;
    if dp <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', dp.unsigned_abs() as usize));
        out.push_str(&digits);
    } else if dp >= n {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (dp - n) as usize));
    } else {
        let (int_part, frac) = digits.split_at(dp as usize);
        out.push_str(int_part);
        out.push('.');
        out.push_str(frac);
    }
}

/// Appends Go's `%v` rendering of a value (`None` is a missing field, printed like `nil`).
pub fn push_v(out: &mut String, value: Option<&Value>) {
    match value {
        None | Some(Value::Null) => out.push_str("<nil>"),
        Some(Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        Some(Value::Number(n)) => match GoNumber::of(n) {
            GoNumber::Int(i) => {
                let _ = write!(out, "{i}");
            }
            GoNumber::Float(f) => push_float_v(out, f),
        },
        Some(Value::String(s)) => out.push_str(s),
        Some(Value::Array(items)) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                push_v(out, Some(item));
            }
            out.push(']');
        }
        Some(Value::Object(map)) => {
            // fmt prints map keys sorted.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("map[");
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                push_v(out, map.get(k.as_str()));
            }
            out.push(']');
        }
    }
}

/// Appends Go's `%#v` rendering of a decoded value held in an `interface{}`:
/// `map[string]interface {}{"a":1, "b":"x"}` (keys sorted), `[]interface {}{1, "x"}`,
/// `interface {}(nil)`.
pub fn push_go_syntax(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("interface {}(nil)"),
        Value::String(s) => out.push_str(&crate::goquote::go_quote(s)),
        Value::Bool(_) | Value::Number(_) => push_v(out, Some(value)),
        Value::Array(items) => {
            out.push_str("[]interface {}{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_go_syntax(out, item);
            }
            out.push('}');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("map[string]interface {}{");
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&crate::goquote::go_quote(k));
                out.push(':');
                if let Some(v) = map.get(k.as_str()) {
                    push_go_syntax(out, v);
                }
            }
            out.push('}');
        }
    }
}

/// Go's `%v` rendering of a value as a new string (tests read `push_v` through it).
#[cfg(test)]
fn to_v(value: Option<&Value>) -> String {
    let mut out = String::new();
    push_v(&mut out, value);
    out
}

/// Go's `%T` for a decoded JSON value.
pub fn type_name(value: Option<&Value>) -> &'static str {
    match value {
        None | Some(Value::Null) => "<nil>",
        Some(Value::Bool(_)) => "bool",
        Some(Value::Number(n)) => match GoNumber::of(n) {
            GoNumber::Int(_) => "int64",
            GoNumber::Float(_) => "float64",
        },
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "[]interface {}",
        Some(Value::Object(_)) => "map[string]interface {}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float_e() {
        // Kyverno `Test_compareString` relies on 1.0 → "1E+00".
        assert_eq!(format_float_e(1.0), "1E+00");
        assert_eq!(format_float_e(1.5), "1.5E+00");
        assert_eq!(format_float_e(100.0), "1E+02");
        assert_eq!(format_float_e(-0.00012), "-1.2E-04");
        assert_eq!(format_float_e(1e100), "1E+100");
        assert_eq!(format_float_e(0.0), "0E+00");
    }

    #[test]
    fn float_f() {
        // Kyverno `Test_convertNumberToString`.
        assert_eq!(format_float_f(0.0), "0.000000");
        assert_eq!(format_float_f(3.10), "3.100000");
        assert_eq!(format_float_f(-3.10), "-3.100000");
        assert_eq!(format_float_f(6.000000001), "6.000000");
    }

    #[test]
    fn percent_v() {
        assert_eq!(to_v(Some(&json!(1.5))), "1.5");
        assert_eq!(to_v(Some(&json!(1e21))), "1e+21");
        assert_eq!(to_v(Some(&json!(123456789.0))), "1.23456789e+08");
        assert_eq!(to_v(Some(&json!(0.0001))), "0.0001");
        assert_eq!(to_v(Some(&json!(100000.5))), "100000.5");
        assert_eq!(to_v(Some(&json!(1000000.0))), "1e+06");
        assert_eq!(to_v(Some(&json!(0.00001))), "1e-05");
        assert_eq!(to_v(Some(&json!(5))), "5");
        assert_eq!(to_v(None), "<nil>");
        assert_eq!(to_v(Some(&json!(["a", 1, true]))), "[a 1 true]");
        assert_eq!(
            to_v(Some(&json!({"b": 1, "a": {"c": null}}))),
            "map[a:map[c:<nil>] b:1]"
        );
    }

    #[test]
    fn type_names() {
        assert_eq!(type_name(Some(&json!("x"))), "string");
        assert_eq!(type_name(Some(&json!(1))), "int64");
        assert_eq!(type_name(Some(&json!(1.5))), "float64");
        assert_eq!(type_name(Some(&json!([]))), "[]interface {}");
        assert_eq!(type_name(Some(&json!({}))), "map[string]interface {}");
        assert_eq!(type_name(None), "<nil>");
    }
}
