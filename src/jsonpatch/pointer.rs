//! JSON pointer reference tokens the way evanphx/json-patch reads them, and Go's `strconv.Atoi`
//! for array indices.

use std::fmt;

use crate::goquote::go_quote;

/// Decodes one reference token: `~1` becomes `/` and `~0` becomes `~`, in a single left-to-right
/// pass (so `~01` is `~1`). Any other `~` is kept as it is, as evanphx's `strings.Replacer` does;
/// RFC 6901 would call it an error.
pub(super) fn decode(token: &str) -> String {
    if !token.contains('~') {
        return token.to_owned();
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.peek() {
                Some('1') => {
                    out.push('/');
                    chars.next();
                    continue;
                }
                Some('0') => {
                    out.push('~');
                    chars.next();
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

/// Appends `/` and the escaped form of `key` (`~` as `~0`, `/` as `~1`) to a pointer.
pub(super) fn push_token(pointer: &mut String, key: &str) {
    pointer.push('/');
    if !key.bytes().any(|b| b == b'~' || b == b'/') {
        pointer.push_str(key);
        return;
    }
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// Go's `strconv.Atoi` failing on a token: its text is the one Go prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtoiError {
    /// The token that is not an integer.
    pub input: String,
    /// True when the token is a well-formed integer beyond 64 bits, false for any other
    /// spelling.
    pub out_of_range: bool,
}

impl fmt::Display for AtoiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = if self.out_of_range {
            "value out of range"
        } else {
            "invalid syntax"
        };
        write!(f, "strconv.Atoi: parsing {}: {why}", go_quote(&self.input))
    }
}

impl std::error::Error for AtoiError {}

/// Go's `strconv.Atoi` on a 64-bit platform: an optional `+` or `-`, then one or more ASCII
/// digits (leading zeros allowed), within `i64`.
pub(super) fn atoi(s: &str) -> Result<i64, AtoiError> {
    let fail = |out_of_range| AtoiError {
        input: s.to_owned(),
        out_of_range,
    };
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(fail(false));
    }
    // Like Go's ParseUint: the magnitude left to right, the first stray byte or overflow decides
    // the error; the sign's range is checked once all digits are read.
    let mut magnitude: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return Err(fail(false));
        }
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(b - b'0')))
            .ok_or_else(|| fail(true))?;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
            .ok_or_else(|| fail(true))
    } else {
        i64::try_from(magnitude).map_err(|_| fail(true))
    }
}
