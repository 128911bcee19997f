//! Scalar resolution the Kubernetes way: go-yaml v2's implicit typing (YAML 1.1 booleans,
//! `ParseInt(s, 0, 64)` integers, its float pattern), then sigs.k8s.io/yaml's JSON conversion
//! (map keys stringified, integral floats printed as integers, no infinities).

use std::borrow::Cow;

use saphyr_parser::Tag;
use serde_json::Number;

/// The prefix of the YAML core schema tags (`!!str` is `tag:yaml.org,2002:str`).
const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// An explicit tag that we honour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CoreTag {
    /// `!!str`, or the non-specific `!`.
    Str,
    /// `!!int`.
    Int,
    /// `!!float`.
    Float,
    /// `!!bool`.
    Bool,
    /// `!!null`.
    Null,
    /// `!!map`.
    Map,
    /// `!!seq`.
    Seq,
}

impl CoreTag {
    /// Classifies a parser tag, or explains why it is not supported.
    pub(crate) fn from_tag(tag: &Tag) -> Result<CoreTag, String> {
        if tag.handle == "!" && tag.suffix.is_empty() {
            return Ok(CoreTag::Str);
        }
        let full = format!("{}{}", tag.handle, tag.suffix);
        let known = full.strip_prefix(CORE_PREFIX).and_then(|name| match name {
            "str" => Some(CoreTag::Str),
            "int" => Some(CoreTag::Int),
            "float" => Some(CoreTag::Float),
            "bool" => Some(CoreTag::Bool),
            "null" => Some(CoreTag::Null),
            "map" => Some(CoreTag::Map),
            "seq" => Some(CoreTag::Seq),
            _ => None,
        });
        known.ok_or_else(|| {
            let shown = match full.strip_prefix(CORE_PREFIX) {
                Some(name) => format!("!!{name}"),
                None => tag.to_string(),
            };
            format!(
                "unsupported tag `{shown}`: only !!str, !!int, !!float, !!bool, !!null, !!map and !!seq are allowed"
            )
        })
    }

    /// The tag as written in short form, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            CoreTag::Str => "!!str",
            CoreTag::Int => "!!int",
            CoreTag::Float => "!!float",
            CoreTag::Bool => "!!bool",
            CoreTag::Null => "!!null",
            CoreTag::Map => "!!map",
            CoreTag::Seq => "!!seq",
        }
    }
}

/// A scalar after YAML resolution, before JSON conversion.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(Cow<'a, str>),
}

/// A scalar value as it ends up in JSON.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
}

/// Resolves a scalar's text. `plain` is false for quoted and block scalars, which are strings
/// unless a tag says otherwise.
pub(crate) fn resolve<'a>(
    text: Cow<'a, str>,
    plain: bool,
    tag: Option<CoreTag>,
) -> Result<Resolved<'a>, String> {
    let implicit = match tag {
        Some(CoreTag::Str) => return Ok(Resolved::Str(text)),
        Some(t @ (CoreTag::Map | CoreTag::Seq)) => {
            return Err(format!("the tag {} cannot be used on a scalar", t.name()));
        }
        None if !plain => return Ok(Resolved::Str(text)),
        _ => implicit(&text),
    };
    let Some(tag) = tag else {
        return Ok(implicit.unwrap_or(Resolved::Str(text)));
    };
    let found = match (tag, implicit) {
        (CoreTag::Int, Some(r @ (Resolved::Int(_) | Resolved::Uint(_)))) => Some(r),
        (CoreTag::Float, Some(Resolved::Int(i))) => Some(Resolved::Float(i as f64)),
        (CoreTag::Float, Some(Resolved::Uint(u))) => Some(Resolved::Float(u as f64)),
        (CoreTag::Float, Some(r @ Resolved::Float(_))) => Some(r),
        (CoreTag::Bool, Some(r @ Resolved::Bool(_))) => Some(r),
        (CoreTag::Null, Some(Resolved::Null)) => Some(Resolved::Null),
        _ => None,
    };
    found.ok_or_else(|| format!("`{text}` is not a valid {}", tag.name()))
}

/// go-yaml v2's implicit resolution of a plain scalar; `None` means "a string".
fn implicit(s: &str) -> Option<Resolved<'static>> {
    let Some(&first) = s.as_bytes().first() else {
        return Some(Resolved::Null);
    };
    // Like go-yaml, only a few first characters can start a non-string.
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => keyword(s),
        b'.' => keyword(s).or_else(|| dot_float(s).map(Resolved::Float)),
        b'+' | b'-' | b'0'..=b'9' => keyword(s).or_else(|| number(s)),
        _ => None,
    }
}

/// The fixed words: YAML 1.1 booleans, nulls and the non-finite floats.
fn keyword(s: &str) -> Option<Resolved<'static>> {
    // None is longer than 5 bytes: most keys and values are ruled out at once.
    if s.len() > 5 {
        return None;
    }
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// Go's `strconv.ParseFloat` on a scalar starting with `.` (`.5`, `.5e3`); for such text it
/// accepts exactly what go-yaml's float pattern accepts.
fn dot_float(s: &str) -> Option<f64> {
    if !yaml_style_float(s) {
        return None;
    }
    finite(s.parse().ok()?)
}

/// Integers (signed, then unsigned) and floats starting with a sign or digit, underscores removed.
fn number(s: &str) -> Option<Resolved<'static>> {
    let plain: Cow<str> = if s.contains('_') {
        Cow::Owned(s.replace('_', ""))
    } else {
        Cow::Borrowed(s)
    };
    let (negative, unsigned) = match plain.as_bytes().first()? {
        b'-' => (true, plain.get(1..)?),
        b'+' => (false, plain.get(1..)?),
        _ => (false, &*plain),
    };
    if let Some(magnitude) = parse_go_uint(unsigned) {
        if !negative {
            return Some(match i64::try_from(magnitude) {
                Ok(i) => Resolved::Int(i),
                Err(_) => Resolved::Uint(magnitude),
            });
        }
        if let Some(i) = 0i64.checked_sub_unsigned(magnitude) {
            return Some(Resolved::Int(i));
        }
    }
    if yaml_style_float(&plain) {
        return finite(plain.parse().ok()?).map(Resolved::Float);
    }
    None
}

/// Go's `ParseUint(s, 0, 64)` without sign: `0x`, `0o`, `0b` prefixes and a leading `0` for octal.
fn parse_go_uint(s: &str) -> Option<u64> {
    let (digits, radix) = match s.as_bytes() {
        [b'0', b'x' | b'X', ..] => (s.get(2..)?, 16),
        [b'0', b'o' | b'O', ..] => (s.get(2..)?, 8),
        [b'0', b'b' | b'B', ..] => (s.get(2..)?, 2),
        [b'0', _, ..] => (s.get(1..)?, 8),
        _ => (s, 10),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// go-yaml v2's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (s.get(..i).unwrap_or(""), s.get(i + 1..)),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => all_digits(frac),
        Some((int, frac)) => all_digits(int) && (frac.is_empty() || all_digits(frac)),
        None => all_digits(mantissa),
    };
    let exp_ok = match exp {
        None => true,
        Some(e) => all_digits(e.strip_prefix(['+', '-']).unwrap_or(e)),
    };
    mantissa_ok && exp_ok
}

/// True for a non-empty run of ASCII digits.
fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Go's `ParseFloat` reports overflow as an error, which makes go-yaml keep the text as a string.
fn finite(f: f64) -> Option<f64> {
    f.is_finite().then_some(f)
}

impl Resolved<'_> {
    /// The JSON value of a resolved scalar: what `json.Marshal` prints and Kubernetes reads back.
    pub(crate) fn into_scalar(self) -> Result<Scalar, String> {
        Ok(match self {
            Resolved::Null => Scalar::Null,
            Resolved::Bool(b) => Scalar::Bool(b),
            Resolved::Int(i) => Scalar::Number(i.into()),
            Resolved::Uint(u) => Scalar::Number(u.into()),
            Resolved::Float(f) => Scalar::Number(json_number(f).ok_or_else(|| {
                format!("`{f}` cannot be represented in JSON (infinities and NaN are not numbers)")
            })?),
            Resolved::Str(s) => Scalar::String(s.into_owned()),
        })
    }

    /// The string a mapping key becomes (sigs.k8s.io/yaml stringifies bool, int and float keys).
    pub(crate) fn into_key(self) -> Result<String, String> {
        Ok(match self {
            Resolved::Str(s) => s.into_owned(),
            Resolved::Bool(b) => b.to_string(),
            Resolved::Int(i) => i.to_string(),
            Resolved::Float(f) => go_format_g32(f),
            Resolved::Null => return Err("a mapping key cannot be null".to_string()),
            Resolved::Uint(u) => {
                return Err(format!(
                    "the mapping key {u} is too large (Kubernetes does not accept unsigned 64-bit keys)"
                ));
            }
        })
    }
}

/// 2^63, the first float above `i64::MAX`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
/// 2^64, the first float above `u64::MAX`.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// A float the way Go's `json.Marshal` prints it and a JSON decoder reads it back: integral
/// values below 1e21 are printed without fraction or exponent, so they come back as integers.
pub(crate) fn json_number(f: f64) -> Option<Number> {
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if (-TWO_POW_63..TWO_POW_63).contains(&f) {
            return Some(Number::from(f as i64));
        }
        if (0.0..TWO_POW_64).contains(&f) {
            return Some(Number::from(f as u64));
        }
    }
    Number::from_f64(f)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` with go-yaml's names for the non-finite values.
fn go_format_g32(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return ".nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    // Rust's `{:e}` gives the shortest round-trip digits for f32: "-1.2345e-7".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f.is_sign_negative() && f != 0.0 {
        "-"
    } else {
        ""
    };
    if !(-4..6).contains(&exp) {
        let (head, tail) = digits.split_at(1.min(digits.len()));
        let dot = if tail.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{head}{dot}{tail}e{esign}{:02}", exp.abs());
    }
    let point = exp + 1; // digits before the decimal point
    if point <= 0 {
        let zeros = "0".repeat(point.unsigned_abs() as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let point = point as usize;
    if digits.len() <= point {
        format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point);
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain(s: &str) -> serde_json::Value {
        match resolve(Cow::Borrowed(s), true, None).and_then(Resolved::into_scalar) {
            Ok(Scalar::Null) => json!(null),
            Ok(Scalar::Bool(b)) => json!(b),
            Ok(Scalar::Number(n)) => serde_json::Value::Number(n),
            Ok(Scalar::String(s)) => json!(s),
            Err(e) => json!({ "error": e }),
        }
    }

    fn key(s: &str) -> Result<String, String> {
        resolve(Cow::Borrowed(s), true, None).and_then(Resolved::into_key)
    }

    #[test]
    fn yaml11_booleans() {
        // go-yaml v2 resolve.go bool table.
        for t in [
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        ] {
            assert_eq!(plain(t), json!(true), "{t}");
        }
        for f in [
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            assert_eq!(plain(f), json!(false), "{f}");
        }
        for s in ["yES", "tRUE", "oN", "nO", "truE", "yess"] {
            assert_eq!(plain(s), json!(s), "{s}");
        }
    }

    #[test]
    fn nulls() {
        for n in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(plain(n), json!(null), "{n}");
        }
        assert_eq!(plain("nULL"), json!("nULL"));
    }

    #[test]
    fn go_parse_int_base_zero() {
        assert_eq!(plain("0"), json!(0));
        assert_eq!(plain("12"), json!(12));
        assert_eq!(plain("+12"), json!(12));
        assert_eq!(plain("-12"), json!(-12));
        assert_eq!(plain("010"), json!(8));
        assert_eq!(plain("-010"), json!(-8));
        assert_eq!(plain("0o10"), json!(8));
        assert_eq!(plain("0O10"), json!(8));
        assert_eq!(plain("0x1F"), json!(31));
        assert_eq!(plain("0X1f"), json!(31));
        assert_eq!(plain("-0x1F"), json!(-31));
        assert_eq!(plain("0b101"), json!(5));
        assert_eq!(plain("-0b101"), json!(-5));
        assert_eq!(plain("1_000"), json!(1000));
        assert_eq!(plain("1__0_0"), json!(100));
        assert_eq!(plain("0x"), json!("0x"));
        assert_eq!(plain("0b2"), json!("0b2"));
        assert_eq!(plain("12abc"), json!("12abc"));
        assert_eq!(plain("_12"), json!("_12"));
    }

    #[test]
    fn invalid_octal_falls_back_to_float() {
        // `08` is not octal for ParseInt, but matches go-yaml's float pattern: 8.0, printed 8.
        assert_eq!(plain("08"), json!(8));
        assert_eq!(plain("09.5"), json!(9.5));
    }

    #[test]
    fn int_range() {
        assert_eq!(plain("9223372036854775807"), json!(i64::MAX));
        assert_eq!(plain("-9223372036854775808"), json!(i64::MIN));
        // ParseInt overflows, ParseUint succeeds.
        assert_eq!(
            plain("9223372036854775808"),
            json!(9_223_372_036_854_775_808u64)
        );
        assert_eq!(plain("18446744073709551615"), json!(u64::MAX));
        assert_eq!(plain("0xFFFFFFFFFFFFFFFF"), json!(u64::MAX));
        // Beyond uint64: a float, and json.Marshal prints 1e20 as 100000000000000000000.
        assert_eq!(plain("99999999999999999999"), json!(1e20));
        // Negative beyond int64: float -9.223372036854776e18, printed as an integer.
        assert_eq!(plain("-9223372036854775809"), json!(i64::MIN));
    }

    #[test]
    fn floats() {
        assert_eq!(plain("1.5"), json!(1.5));
        assert_eq!(plain("-1.5"), json!(-1.5));
        assert_eq!(plain(".5"), json!(0.5));
        assert_eq!(plain("-.5"), json!(-0.5));
        assert_eq!(plain("1."), json!(1));
        assert_eq!(plain("1.0"), json!(1));
        assert_eq!(plain("1e3"), json!(1000));
        assert_eq!(plain("1E3"), json!(1000));
        assert_eq!(plain("1.5e-3"), json!(0.0015));
        assert_eq!(plain(".5e1"), json!(5));
        assert_eq!(plain("1_000.5"), json!(1000.5));
        assert_eq!(plain("1e21"), json!(1e21));
        assert_eq!(plain("-0.0"), json!(0));
        // Not go-yaml floats: strings.
        for s in [
            "1.2.3", "1e", "e3", ".", ".e3", "1.5f", "0x1p3", "inf", "nan", "1e+-3",
        ] {
            assert_eq!(plain(s), json!(s), "{s}");
        }
        // ParseFloat overflow is an error in Go, so go-yaml keeps the string.
        assert_eq!(plain("1e999"), json!("1e999"));
    }

    #[test]
    fn non_finite_floats_are_errors() {
        for s in [
            ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.INF", ".nan", ".NaN", ".NAN",
        ] {
            assert!(plain(s).get("error").is_some(), "{s}");
        }
        assert_eq!(plain(".infinity"), json!(".infinity"));
    }

    #[test]
    fn strings_stay_strings() {
        // Timestamps are kept as their text when decoding into interface{} (go-yaml v2 decode.go).
        assert_eq!(plain("2001-12-14"), json!("2001-12-14"));
        assert_eq!(
            plain("2001-12-14t21:59:43.10-05:00"),
            json!("2001-12-14t21:59:43.10-05:00")
        );
        // No base-60 numbers in go-yaml v2.
        assert_eq!(plain("1:20"), json!("1:20"));
        assert_eq!(plain("<<"), json!("<<"));
        assert_eq!(plain("hello"), json!("hello"));
        assert_eq!(plain("-"), json!("-"));
        assert_eq!(plain("+"), json!("+"));
    }

    #[test]
    fn quoted_scalars_are_strings() {
        for s in ["yes", "010", "null", "", "1.5", ".inf"] {
            assert_eq!(
                resolve(Cow::Borrowed(s), false, None),
                Ok(Resolved::Str(Cow::Borrowed(s)))
            );
        }
    }

    #[test]
    fn explicit_tags() {
        fn tagged(s: &str, t: CoreTag) -> Result<Resolved<'_>, String> {
            resolve(Cow::Borrowed(s), false, Some(t))
        }
        assert_eq!(
            tagged("12", CoreTag::Str),
            Ok(Resolved::Str(Cow::Borrowed("12")))
        );
        assert_eq!(tagged("12", CoreTag::Int), Ok(Resolved::Int(12)));
        assert_eq!(tagged("12", CoreTag::Float), Ok(Resolved::Float(12.0)));
        assert_eq!(tagged("1.5", CoreTag::Float), Ok(Resolved::Float(1.5)));
        assert_eq!(tagged("yes", CoreTag::Bool), Ok(Resolved::Bool(true)));
        assert_eq!(tagged("~", CoreTag::Null), Ok(Resolved::Null));
        assert_eq!(tagged("", CoreTag::Null), Ok(Resolved::Null));
        assert_eq!(
            tagged("1.5", CoreTag::Int),
            Err("`1.5` is not a valid !!int".to_string())
        );
        assert!(tagged("abc", CoreTag::Bool).is_err());
        assert!(tagged("abc", CoreTag::Null).is_err());
        assert!(tagged("abc", CoreTag::Map).is_err());
    }

    #[test]
    fn tag_classification() {
        let core = |s: &str| Tag {
            handle: CORE_PREFIX.to_string(),
            suffix: s.to_string(),
        };
        assert_eq!(CoreTag::from_tag(&core("str")), Ok(CoreTag::Str));
        assert_eq!(CoreTag::from_tag(&core("map")), Ok(CoreTag::Map));
        let err = CoreTag::from_tag(&core("binary")).unwrap_err();
        assert!(err.contains("`!!binary`"), "{err}");
        let local = Tag {
            handle: "!".to_string(),
            suffix: "Ref".to_string(),
        };
        assert!(CoreTag::from_tag(&local).unwrap_err().contains("`!Ref`"));
    }

    #[test]
    fn keys_are_stringified() {
        // sigs.k8s.io/yaml convertToJSONableObject: bool, int and float keys become strings.
        assert_eq!(key("true"), Ok("true".to_string()));
        assert_eq!(key("on"), Ok("true".to_string()));
        assert_eq!(key("no"), Ok("false".to_string()));
        assert_eq!(key("1"), Ok("1".to_string()));
        assert_eq!(key("010"), Ok("8".to_string()));
        assert_eq!(key("0x10"), Ok("16".to_string()));
        // FormatFloat(f, 'g', -1, 32).
        assert_eq!(key("1.0"), Ok("1".to_string()));
        assert_eq!(key("1.5"), Ok("1.5".to_string()));
        assert_eq!(key("0.1"), Ok("0.1".to_string()));
        assert_eq!(key("1e3"), Ok("1000".to_string()));
        assert_eq!(key("123456.5"), Ok("123456.5".to_string()));
        assert_eq!(key("1e6"), Ok("1e+06".to_string()));
        assert_eq!(key("1.25e7"), Ok("1.25e+07".to_string()));
        assert_eq!(key("0.0001"), Ok("0.0001".to_string()));
        assert_eq!(key("0.00001"), Ok("1e-05".to_string()));
        assert_eq!(key("-2.5"), Ok("-2.5".to_string()));
        assert_eq!(key(".inf"), Ok(".inf".to_string()));
        assert_eq!(key("-.inf"), Ok("-.inf".to_string()));
        assert_eq!(key(".nan"), Ok(".nan".to_string()));
        assert_eq!(key("1e300"), Ok(".inf".to_string()));
        assert!(key("~").is_err());
        assert!(key("18446744073709551615").is_err());
    }
}
