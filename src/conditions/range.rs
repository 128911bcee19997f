//! Ranges in the `In` family: a value string such as `1-10`, `1Gi-4Gi` or `-10--8` makes Kyverno
//! hand the key to its scalar pattern matcher (`pattern.Validate`, §2.5 of the semantics notes).
//! Only string keys reach it (keys are `fmt.Sprint`ed first), so this is the string-value subset
//! of that matcher: `|` / `&` combinations of `>=`, `<=`, `>`, `<`, `!`, `a-b`, `a!-b` and plain
//! atoms, each compared as durations, then quantities, then wildcards.

use std::cmp::Ordering;

use crate::duration::Duration;
use crate::quantity::Quantity;
use crate::wildcard;

/// True if `s` is an in-range pattern `a-b` (Kyverno `InRangeRegex`), which is what makes the
/// `In` family operators switch to the range check.
pub(super) fn is_in_range(s: &str) -> bool {
    split_range(s, "-").is_some()
}

/// Kyverno `pattern.Validate(value, pattern)` for a string value and a string pattern.
pub(super) fn matches(value: &str, pattern: &str) -> bool {
    value == pattern
        || pattern.split('|').any(|alt| {
            alt.trim_matches(' ')
                .split('&')
                .all(|atom| atom_matches(value, atom.trim_matches(' ')))
        })
}

#[derive(Clone, Copy)]
enum Op {
    Equal,
    NotEqual,
    More,
    Less,
    MoreEqual,
    LessEqual,
}

/// One atom (`pattern.validateStringPattern`): the operator is read from the prefix
/// (`GetOperatorFromStringPattern`), ranges are rewritten into two comparisons.
fn atom_matches(value: &str, atom: &str) -> bool {
    if atom.len() >= 2 {
        for (prefix, op) in [
            (">=", Op::MoreEqual),
            ("<=", Op::LessEqual),
            (">", Op::More),
            ("<", Op::Less),
            ("!", Op::NotEqual),
        ] {
            if let Some(operand) = atom.strip_prefix(prefix) {
                return compare(value, operand.trim(), op);
            }
        }
        if let Some((low, high)) = split_range(atom, "!-") {
            return compare(value, low, Op::Less) || compare(value, high, Op::More);
        }
        if let Some((low, high)) = split_range(atom, "-") {
            return compare(value, low, Op::MoreEqual) && compare(value, high, Op::LessEqual);
        }
    }
    compare(value, atom.trim(), Op::Equal)
}

/// `validateString`: the first comparison whose both sides parse decides: durations, then
/// quantities; otherwise only `=` and `!` apply, as wildcard matches.
fn compare(value: &str, operand: &str, op: Op) -> bool {
    if let (Ok(p), Ok(v)) = (Duration::parse(operand), Duration::parse(value)) {
        return holds(v.cmp(&p), op);
    }
    if let (Ok(p), Ok(v)) = (Quantity::parse(operand), Quantity::parse(value)) {
        return holds(v.cmp_value(&p), op);
    }
    match op {
        Op::Equal => wildcard::matches(operand, value),
        Op::NotEqual => !wildcard::matches(operand, value),
        _ => false,
    }
}

fn holds(ord: Ordering, op: Op) -> bool {
    match op {
        Op::Equal => ord.is_eq(),
        Op::NotEqual => ord.is_ne(),
        Op::More => ord.is_gt(),
        Op::Less => ord.is_lt(),
        Op::MoreEqual => ord.is_ge(),
        Op::LessEqual => ord.is_le(),
    }
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
