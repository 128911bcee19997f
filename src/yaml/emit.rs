//! Renders JSON values as block YAML in the style of `kubectl` (sigs.k8s.io/yaml over go-yaml v2):
//! two-space indentation, list items at their parent key's indentation, strings quoted only
//! when they would not read back as the same string, no line wrapping.

use std::borrow::Cow;
use std::fmt::Write;

use serde_json::{Map, Value};

use super::resolve::{Resolved, resolve};

/// Keys longer than this (in bytes) are written in the explicit `? key` form, because YAML
/// limits implicit keys to 1024 characters.
const MAX_IMPLICIT_KEY: usize = 1000;

/// How block YAML is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Spaces per nesting level.
    pub indent: usize,
    /// Whether a list under a key is indented (go-yaml v3) or starts at the key's column
    /// (go-yaml v2, kubectl).
    pub indent_sequences: bool,
}

impl Layout {
    /// `kubectl` / sigs.k8s.io/yaml (go-yaml v2): two spaces, lists at their key's column.
    pub const KUBECTL: Layout = Layout {
        indent: 2,
        indent_sequences: false,
    };
    /// go-yaml v3's `yaml.Marshal`: four spaces, lists indented under their key.
    pub const GO_YAML_V3: Layout = Layout {
        indent: 4,
        indent_sequences: true,
    };
}

/// Renders a value as block YAML the way `kubectl`/sigs.k8s.io/yaml print it, preserving map
/// key order. Reading the text back with [`super::parse_values`] gives the same value (floats
/// with an integral value come back as integers, as they do in Kubernetes).
pub fn to_yaml_string(value: &Value) -> String {
    to_yaml_string_with(value, Layout::KUBECTL)
}

/// Renders a value as block YAML with a given layout, preserving map key order.
pub fn to_yaml_string_with(value: &Value, layout: Layout) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0, false, layout),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0, false, layout),
        other => {
            write_inline(&mut out, other, 0, layout);
            out.push('\n');
        }
    }
    out
}

/// Writes `n` spaces.
fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A block mapping at `indent`; with `inline_first` the first key follows a `- ` already written.
fn write_map(
    out: &mut String,
    map: &Map<String, Value>,
    indent: usize,
    inline_first: bool,
    layout: Layout,
) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline_first {
            pad(out, indent);
        }
        let mut rendered = String::new();
        write_string(&mut rendered, key, indent, true, layout);
        let seq_indent = if layout.indent_sequences {
            indent + layout.indent
        } else {
            indent
        };
        if rendered.len() > MAX_IMPLICIT_KEY {
            out.push_str("? ");
            out.push_str(&rendered);
            out.push('\n');
            pad(out, indent);
            write_after_key(out, value, indent, seq_indent.max(indent + 2), layout);
        } else {
            out.push_str(&rendered);
            write_after_key(out, value, indent, seq_indent, layout);
        }
    }
}

/// Writes `:` and the value of a mapping entry whose key is at `indent`; a list value starts
/// at `seq_indent`.
fn write_after_key(
    out: &mut String,
    value: &Value,
    indent: usize,
    seq_indent: usize,
    layout: Layout,
) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str(":\n");
            write_map(out, map, indent + layout.indent, false, layout);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str(":\n");
            write_seq(out, items, seq_indent, false, layout);
        }
        other => {
            out.push_str(": ");
            write_inline(out, other, indent, layout);
            out.push('\n');
        }
    }
}

/// A block sequence at `indent`; with `inline_first` the first item follows a `- ` already written.
fn write_seq(out: &mut String, items: &[Value], indent: usize, inline_first: bool, layout: Layout) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline_first {
            pad(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_map(out, map, indent + 2, true, layout),
            Value::Array(inner) if !inner.is_empty() => {
                write_seq(out, inner, indent + 2, true, layout)
            }
            other => {
                write_inline(out, other, indent, layout);
                out.push('\n');
            }
        }
    }
}

/// A scalar or empty collection on the current line; block strings continue below, one level
/// deeper than `indent`.
fn write_inline(out: &mut String, value: &Value, indent: usize, layout: Layout) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s, indent, false, layout),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// A string in the first style that reads back as the same string: plain, single-quoted,
/// literal block (values with line breaks) or double-quoted.
fn write_string(out: &mut String, s: &str, indent: usize, key: bool, layout: Layout) {
    if s.contains('\n') {
        if !key && literal_ok(s) {
            write_literal(out, s, indent + layout.indent);
        } else {
            write_double(out, s);
        }
    } else if !reads_as_string(s) {
        write_double(out, s);
    } else if plain_ok(s) {
        out.push_str(s);
    } else if s.chars().all(printable) {
        out.push('\'');
        out.push_str(&s.replace('\'', "''"));
        out.push('\'');
    } else {
        write_double(out, s);
    }
}

/// Whether a plain scalar with this text resolves to this string (go-yaml also quotes what looks
/// like a timestamp or a base-60 number, and the merge key).
fn reads_as_string(s: &str) -> bool {
    matches!(resolve(Cow::Borrowed(s), true, None), Ok(Resolved::Str(_)))
        && s != "<<"
        && !looks_like_timestamp(s)
        && !looks_like_base60(s)
}

/// Four digits and a dash: the start of every YAML timestamp.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 4 && b.iter().take(4).all(u8::is_ascii_digit) && b.get(4) == Some(&b'-')
}

/// `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?`, the YAML 1.1 sexagesimal numbers.
fn looks_like_base60(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut parts = whole.split(':');
    let head_ok = parts.next().is_some_and(|h| {
        h.starts_with(|c: char| c.is_ascii_digit())
            && h.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    });
    let mut tail_count = 0;
    let tails_ok = parts.all(|p| {
        tail_count += 1;
        let b = p.as_bytes();
        match b {
            [d] => d.is_ascii_digit(),
            [t, d] => (b'0'..=b'5').contains(t) && d.is_ascii_digit(),
            _ => false,
        }
    });
    head_ok && tails_ok && tail_count > 0 && frac.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

/// Characters YAML can hold outside double quotes (libyaml's printable set, line breaks excluded).
fn printable(c: char) -> bool {
    matches!(c, ' '..='~')
        || (c >= '\u{a0}'
            && !matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            ))
}

/// Whether the text can be written as a plain scalar in block context.
fn plain_ok(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let second = chars.next();
    let indicator_start = match first {
        '-' | '?' | ':' => second.is_none_or(|c| c == ' '),
        ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%'
        | '@' | '`' | ' ' => true,
        _ => false,
    };
    !indicator_start
        && !s.ends_with(' ')
        && !s.ends_with(':')
        && !s.starts_with("---")
        && !s.starts_with("...")
        && !s.contains(": ")
        && !s.contains(" #")
        && s.chars().all(printable)
}

/// Whether a multi-line string can be a literal block (`|`) and read back unchanged.
fn literal_ok(s: &str) -> bool {
    let first_line = s.split('\n').find(|l| !l.is_empty()).unwrap_or("");
    !s.starts_with('\n')
        && !first_line.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains(" \n")
        && s.chars().all(|c| c == '\n' || printable(c))
}

/// A literal block scalar whose lines are indented by `indent`, with the chomping indicator
/// that keeps the trailing line breaks exactly.
fn write_literal(out: &mut String, s: &str, indent: usize) {
    let body = match s.strip_suffix('\n') {
        None => {
            out.push_str("|-");
            s
        }
        Some(rest) if rest.ends_with('\n') => {
            out.push_str("|+");
            rest
        }
        Some(rest) => {
            out.push('|');
            rest
        }
    };
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
    }
}

/// A double-quoted scalar with YAML escapes for everything that is not printable.
fn write_double(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xff => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if (c as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::super::parse_values;
    use super::*;
    use serde_json::json;

    #[test]
    fn kubectl_layout() {
        let v = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "x", "labels": {"app": "web"}},
            "spec": {
                "containers": [{"name": "c", "image": "nginx:1.2", "ports": [{"containerPort": 80}],
                                "args": ["a", "b"]}],
                "volumes": [],
                "securityContext": {},
                "matrix": [[1, 2], [3]],
            }
        });
        let expected = "\
apiVersion: v1
kind: Pod
metadata:
  name: x
  labels:
    app: web
spec:
  containers:
  - name: c
    image: nginx:1.2
    ports:
    - containerPort: 80
    args:
    - a
    - b
  volumes: []
  securityContext: {}
  matrix:
  - - 1
    - 2
  - - 3
";
        assert_eq!(to_yaml_string(&v), expected);
    }

    #[test]
    fn strings_are_quoted_only_when_needed() {
        let cases = [
            ("plain", "plain"),
            ("yes", "\"yes\""),
            ("on", "\"on\""),
            ("010", "\"010\""),
            ("1.5", "\"1.5\""),
            ("", "\"\""),
            ("~", "\"~\""),
            ("null", "\"null\""),
            (".inf", "\".inf\""),
            ("2001-12-14", "\"2001-12-14\""),
            ("1:20", "\"1:20\""),
            ("<<", "\"<<\""),
            ("*", "'*'"),
            ("- x", "'- x'"),
            ("a: b", "'a: b'"),
            ("it's", "it's"),
            ("'q'", "'''q'''"),
            (" lead", "' lead'"),
            ("a #b", "'a #b'"),
            ("tab\there", "\"tab\\there\""),
            ("nginx:1.2", "nginx:1.2"),
            ("héllo", "héllo"),
            ("bell\u{7}", "\"bell\\a\""),
            ("\u{85}", "\"\\x85\""),
        ];
        for (s, expected) in cases {
            assert_eq!(to_yaml_string(&json!(s)), format!("{expected}\n"), "{s:?}");
        }
    }

    #[test]
    fn multi_line_strings_use_literal_blocks() {
        let v = json!({"a": "one\ntwo", "b": "x\n", "c": "y\n\n", "d": ["l1\n  l2"]});
        let text = to_yaml_string(&v);
        assert_eq!(
            text,
            "a: |-\n  one\n  two\nb: |\n  x\nc: |+\n  y\n\nd:\n- |-\n  l1\n    l2\n"
        );
        assert_eq!(parse_values(&text).ok(), Some(vec![v]));
        assert_eq!(to_yaml_string(&json!(" a\nb")), "\" a\\nb\"\n");
        assert_eq!(to_yaml_string(&json!({"k\ney": 1})), "\"k\\ney\": 1\n");
    }

    #[test]
    fn scalars_and_keys() {
        assert_eq!(to_yaml_string(&json!(null)), "null\n");
        assert_eq!(to_yaml_string(&json!({})), "{}\n");
        assert_eq!(to_yaml_string(&json!([])), "[]\n");
        assert_eq!(
            to_yaml_string(&json!({"true": 1, "1": 2.5, "a b": false})),
            "\"true\": 1\n\"1\": 2.5\na b: false\n"
        );
        let long = "k".repeat(1500);
        let v = json!({ long.clone(): {"x": [1]} });
        let text = to_yaml_string(&v);
        assert!(text.starts_with("? kkk"));
        assert_eq!(parse_values(&text).ok(), Some(vec![v]));
    }
}
