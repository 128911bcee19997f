//! Kyverno's regex functions: Go RE2 semantics on Rust's `regex` crate.
//!
//! Go's `\d`, `\w`, `\s` and `\b` are ASCII-only; [`compile`] rewrites them so Rust's Unicode
//! classes do not widen a match. A literal pattern argument is compiled once at parse time
//! (`Call::regex`); a computed one is compiled per call.

use std::borrow::Cow;

use regex::Regex;
use serde_json::Value;

use super::sig::{STR, STR_OR_NUM};
use super::strings::scalar_string;
use super::{Call, EvalError, FunctionSpec};

pub(super) const SPECS: &[FunctionSpec] = &[
    spec!(regex "regex_match", [STR, STR_OR_NUM], false, "bool", "unanchored RE2 match of the first argument (regex) in the second", |c| {
        let re = pattern(c)?;
        Ok(Value::Bool(re.is_match(&scalar_string(c, 1)?)))
    }),
    spec!(regex "regex_replace_all", [STR, STR_OR_NUM, STR_OR_NUM], false, "string", "replaces every match of the regex in the second argument, expanding $1 in the third", |c| {
        let re = pattern(c)?;
        let (src, repl) = (scalar_string(c, 1)?, scalar_string(c, 2)?);
        Ok(Value::String(re.replace_all(&src, repl.as_str()).into_owned()))
    }),
    spec!(regex "regex_replace_all_literal", [STR, STR_OR_NUM, STR_OR_NUM], false, "string", "replaces every match of the regex in the second argument with the third, literally", |c| {
        let re = pattern(c)?;
        let (src, repl) = (scalar_string(c, 1)?, scalar_string(c, 2)?);
        Ok(Value::String(re.replace_all(&src, regex::NoExpand(&repl)).into_owned()))
    }),
];

/// The compiled first argument: compiled at parse time when it was a literal.
fn pattern<'c>(c: &'c Call<'_, '_>) -> Result<Cow<'c, Regex>, EvalError> {
    if let Some(re) = c.regex {
        return Ok(Cow::Borrowed(re));
    }
    let src = c.str(0)?;
    compile(src).map(Cow::Owned).map_err(|e| {
        let message = format!("error parsing regexp: {e}");
        if c.spec.name == "regex_match" {
            EvalError::Function(message)
        } else {
            c.fail(message)
        }
    })
}

/// Compile a Go (RE2) pattern with Go's ASCII meaning of `\d \w \s \b`.
pub(crate) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&go_to_rust(pattern))
}

fn go_to_rust(pattern: &str) -> String {
    const DIGIT: &str = "0-9";
    const WORD: &str = "0-9A-Za-z_";
    const SPACE: &str = "\\t\\n\\f\\r ";
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let class = match next {
                    'd' | 'D' => Some(DIGIT),
                    'w' | 'W' => Some(WORD),
                    's' | 'S' => Some(SPACE),
                    _ => None,
                };
                match (class, next.is_ascii_uppercase()) {
                    (Some(set), false) if in_class => out.push_str(set),
                    (Some(set), negated) => {
                        out.push('[');
                        if negated {
                            out.push('^');
                        }
                        out.push_str(set);
                        out.push(']');
                    }
                    (None, _) if !in_class && (next == 'b' || next == 'B') => {
                        out.push_str("(?-u:\\");
                        out.push(next);
                        out.push(')');
                    }
                    (None, _) => {
                        out.push('\\');
                        out.push(next);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            '[' if chars.peek() == Some(&':') => {
                // POSIX class such as [:alpha:] inside a bracket expression.
                out.push('[');
                for p in chars.by_ref() {
                    out.push(p);
                    if p == ']' {
                        break;
                    }
                }
            }
            '[' => out.push_str("\\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_classes() {
        let re = compile(r"^\d+$").unwrap();
        assert!(re.is_match("123"));
        assert!(!re.is_match("١٢٣"));
        let re = compile(r"^[\w-]+$").unwrap();
        assert!(re.is_match("a-b_1"));
        assert!(!re.is_match("é"));
        assert!(compile(r"[^\s]").unwrap().is_match("x"));
    }
}
