//! Ranges in the `In` family: a value string such as `1-10`, `1Gi-4Gi` or `-10--8` makes Kyverno
//! hand the key to its scalar pattern matcher (`pattern.Validate`, §2.5 of the semantics notes);
//! only string keys reach it (keys are `fmt.Sprint`ed first).

use serde_json::Value;

use crate::pattern::StringPattern;

/// True if `s` is an in-range pattern `a-b` (Kyverno `InRangeRegex`), which is what makes the
/// `In` family operators switch to the range check.
pub(super) fn is_in_range(s: &str) -> bool {
    split_range(s, "-").is_some()
}

/// Kyverno `pattern.Validate(value, pattern)` for a string value and a string pattern: the
/// pattern module's string conditions (malformed conditions never match, as in Kyverno).
pub(super) fn matches(value: &str, pattern: &str) -> bool {
    StringPattern::compile_lenient(pattern).matches(Some(&Value::String(value.to_string())))
}

/// Splits `endpoint SEP endpoint` where an endpoint is `[-|+]?\d+(\.\d+)?[A-Za-z]*` (ASCII digits,
/// as Go's RE2 `\d`); the whole string must match.
fn split_range<'a>(s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let low_len = endpoint_len(s)?;
    let (low, rest) = s.split_at(low_len);
    let high = rest.strip_prefix(sep)?;
    (endpoint_len(high)? == high.len()).then_some((low, high))
}

/// Length of the endpoint at the start of `s`. The greedy scan is exact: each part of the
/// grammar can only be followed by characters the part itself cannot contain.
fn endpoint_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'|' | b'+')));
    let digits = |from: usize| {
        b.iter()
            .skip(from)
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let n = digits(i);
    if n == 0 {
        return None;
    }
    i += n;
    if b.get(i) == Some(&b'.') {
        let n = digits(i + 1);
        if n == 0 {
            return None;
        }
        i += 1 + n;
    }
    i += b
        .iter()
        .skip(i)
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    Some(i)
}
