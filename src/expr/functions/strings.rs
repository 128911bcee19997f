//! Kyverno's string functions (`pkg/engine/jmespath/functions.go`), with Go's `strings`
//! semantics.

use serde_json::Value;

use super::sig::{NUM, STR, STR_OR_NUM};
use super::{Call, EvalError, FunctionSpec};

pub(super) const SPECS: &[FunctionSpec] = &[
    spec!(
        "compare",
        [STR, STR],
        false,
        "number",
        "compares two strings lexicographically",
        |c| {
            Ok(Value::from(match c.str(0)?.cmp(c.str(1)?) {
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Greater => 1,
            }))
        }
    ),
    spec!(
        "equal_fold",
        [STR, STR],
        false,
        "bool",
        "compares two strings ignoring letter case",
        |c| {
            // Like Go's strings.EqualFold: letters of one case-folding orbit are equal
            // (`ſ`, `s`, `S`; `ς`, `σ`, `Σ`): fold through upper case, then lower case.
            let fold = |s: &str| {
                s.chars()
                    .flat_map(char::to_uppercase)
                    .flat_map(char::to_lowercase)
                    .collect::<String>()
            };
            Ok(Value::Bool(fold(c.str(0)?) == fold(c.str(1)?)))
        }
    ),
    spec!(
        "replace",
        [STR, STR, STR, NUM],
        false,
        "string",
        "replaces up to n instances of a substring (n < 0: all)",
        replace
    ),
    spec!(
        "replace_all",
        [STR, STR, STR],
        false,
        "string",
        "replaces all instances of a substring",
        |c| { Ok(Value::String(c.str(0)?.replace(c.str(1)?, c.str(2)?))) }
    ),
    spec!(
        "to_upper",
        [STR],
        false,
        "string",
        "the string in upper case",
        |c| { Ok(Value::String(c.str(0)?.to_uppercase())) }
    ),
    spec!(
        "to_lower",
        [STR],
        false,
        "string",
        "the string in lower case",
        |c| { Ok(Value::String(c.str(0)?.to_lowercase())) }
    ),
    spec!(
        "trim",
        [STR, STR],
        false,
        "string",
        "trims characters of the second string from both ends of the first",
        |c| {
            let cutset = c.str(1)?;
            Ok(Value::String(
                c.str(0)?.trim_matches(|ch| cutset.contains(ch)).to_owned(),
            ))
        }
    ),
    spec!(
        "trim_prefix",
        [STR, STR],
        false,
        "string",
        "removes a prefix if present",
        |c| {
            let s = c.str(0)?;
            Ok(Value::String(
                s.strip_prefix(c.str(1)?).unwrap_or(s).to_owned(),
            ))
        }
    ),
    spec!(
        "split",
        [STR, STR],
        false,
        "array[string]",
        "splits a string at each separator",
        split
    ),
    spec!(
        "pattern_match",
        [STR, STR_OR_NUM],
        false,
        "bool",
        "wildcard match: '*' any characters, '?' one character",
        |c| {
            Ok(Value::Bool(crate::wildcard::matches(
                c.str(0)?,
                &scalar_string(c, 1)?,
            )))
        }
    ),
    spec!(
        "to_boolean",
        [STR],
        false,
        "bool",
        "'true' or 'false' in any letter case to a boolean",
        to_boolean
    ),
    spec!(
        "truncate",
        [STR, NUM],
        false,
        "string",
        "cuts a string to at most n characters",
        truncate
    ),
    spec!(
        "path_canonicalize",
        [STR],
        false,
        "string",
        "cleans a path as Go's filepath.Join does",
        |c| { Ok(Value::String(clean_path(c.str(0)?))) }
    ),
];

/// A string or number argument as a string (numbers as Go's `FormatFloat(f, 'f', -1, 32)`).
pub(super) fn scalar_string(c: &Call<'_, '_>, i: usize) -> Result<String, EvalError> {
    match c.value(i)? {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => {
            #[allow(clippy::cast_possible_truncation)]
            let f = n.as_f64().unwrap_or(0.0) as f32;
            Ok(format!("{f}"))
        }
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(EvalError::InvalidType {
            function: c.spec.name,
            position: i + 1,
            expected: "string or number".to_owned(),
            got: crate::expr::value::type_name(c.value(i)?),
        }),
    }
}

fn replace(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let (s, old, new) = (c.str(0)?, c.str(1)?, c.str(2)?);
    let n = c.num(3)?;
    Ok(Value::String(if n < 0.0 {
        s.replace(old, new)
    } else {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        s.replacen(old, new, n as usize)
    }))
}

fn split(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let (s, sep) = (c.str(0)?, c.str(1)?);
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|ch| Value::String(ch.to_string())).collect()
    } else {
        s.split(sep).map(|p| Value::String(p.to_owned())).collect()
    };
    Ok(Value::Array(parts))
}

fn to_boolean(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let s = c.str(0)?;
    match s.to_lowercase().as_str() {
        "true" => Ok(Value::Bool(true)),
        "false" => Ok(Value::Bool(false)),
        _ => Err(c.fail(format!(
            "lowercase argument must be 'true' or 'false' (provided: '{s}')"
        ))),
    }
}

fn truncate(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let s = c.str(0)?;
    let n = c.num(1)?.max(0.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = n as usize;
    Ok(Value::String(s.chars().take(n).collect()))
}

/// Go's `filepath.Clean` (Unix), with `""` kept empty as `filepath.Join` does.
pub(crate) fn clean_path(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}
