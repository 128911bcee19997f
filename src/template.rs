//! `{{ }}` templates: strings of a rule body with JMESPath variables, parsed once at compile
//! time and substituted per request exactly as Kyverno's `SubstituteAll` does.
//!
//! - A string that is exactly one variable is replaced by the variable's typed value.
//! - Otherwise each variable is replaced textually: strings as they are, other values as JSON.
//! - Substituted text is scanned again, so values holding `{{ }}` are themselves evaluated,
//!   unless the variable was written `{{- expr }}` (shallow).
//! - `\{{ x }}` is not a variable; the backslash is removed after substitution.
//! - On DELETE requests every `request.object` in an expression reads `request.oldObject`.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::expr::{self, EvalError, Expr};

/// Kyverno's variable regex: a `{{ }}` not preceded by a backslash, whose body may hold one
/// level of `{ }`.
static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})").unwrap_or_else(|_| unreachable!())
});

/// An escaped variable `\{{ ... }}`.
static ESCAPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\\\{\{(?:\{[^{}]*\}|[^{}])*\}\}").unwrap_or_else(|_| unreachable!())
});

/// What variables are evaluated against: a plain document, or the engine's context (which
/// refers to the resource instead of copying it).
pub trait Evaluate {
    /// Evaluates a compiled expression.
    fn evaluate(&self, expr: &Expr) -> Result<Value, EvalError>;
}

impl Evaluate for Value {
    fn evaluate(&self, expr: &Expr) -> Result<Value, EvalError> {
        expr.evaluate(self)
    }
}

/// A variable found in a template, compiled.
#[derive(Debug, Clone)]
struct Variable {
    /// The matched text (`{{ x }}`, possibly with the preceding character).
    matched: String,
    /// The `{{ x }}` part.
    braces: String,
    /// The compiled expression.
    expr: Expr,
    /// The expression for DELETE requests, when it reads `request.object`.
    delete_expr: Option<Expr>,
    /// `{{- x }}`: substituted text is not scanned again.
    shallow: bool,
}

/// A problem in a template found when the policy is compiled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid variable `{variable}`: {message}")]
pub struct TemplateError {
    /// The variable as written.
    pub variable: String,
    /// Byte offset of the problem inside the template string.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// A failure to substitute a variable at evaluation time, with Kyverno's message text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct SubstitutionError(pub String);

/// A string with variables, compiled.
#[derive(Debug, Clone)]
pub struct Template {
    raw: String,
    variables: Vec<Variable>,
}

fn compile_variable(
    matched: &str,
    braces: &str,
    start: usize,
    at: Option<&str>,
) -> Result<Variable, TemplateError> {
    let inner = braces
        .trim_start_matches("{{")
        .trim_end_matches("}}")
        .trim();
    let (shallow, text) = match inner.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, inner),
    };
    // Where the expression starts inside the template (after `{{`, `-` and spaces).
    let start = start + (text.as_ptr() as usize).saturating_sub(braces.as_ptr() as usize);
    // `{{ @ }}` is the resource's own value at this place of the pattern.
    let text = match (text, at) {
        ("@", Some(path)) => path,
        _ => text,
    };
    let compile = |src: &str| {
        expr::parse(src).map_err(|e| TemplateError {
            variable: braces.to_string(),
            offset: start + e.offset,
            message: e.message,
        })
    };
    let expr = compile(text)?;
    let delete_expr = match text.contains("request.object") {
        true => Some(compile(
            &text.replace("request.object", "request.oldObject"),
        )?),
        false => None,
    };
    Ok(Variable {
        matched: matched.to_string(),
        braces: braces.to_string(),
        expr,
        delete_expr,
        shallow,
    })
}

fn scan(s: &str) -> Result<Vec<Variable>, TemplateError> {
    scan_at(s, None)
}

fn scan_at(s: &str, at: Option<&str>) -> Result<Vec<Variable>, TemplateError> {
    VARIABLE
        .captures_iter(s)
        .filter_map(|c| Some((c.get(0)?, c.get(2)?)))
        .map(|(whole, braces)| {
            compile_variable(whole.as_str(), braces.as_str(), braces.start(), at)
        })
        .collect()
}

impl Template {
    /// Compiles a string; `Ok(None)` when it holds no variable.
    pub fn parse(s: &str) -> Result<Option<Template>, TemplateError> {
        Template::parse_at(s, None)
    }

    /// Compiles a string found at `at` (a JMESPath to the value at the string's place, like
    /// `request.object.spec.containers[0].image`), which `{{ @ }}` reads.
    pub fn parse_at(s: &str, at: Option<&str>) -> Result<Option<Template>, TemplateError> {
        let variables = scan_at(s, at)?;
        if variables.is_empty() {
            return Ok(None);
        }
        Ok(Some(Template {
            raw: s.to_string(),
            variables,
        }))
    }

    /// The expressions of its variables, in order.
    pub fn expressions(&self) -> impl Iterator<Item = &Expr> {
        self.variables.iter().map(|v| &v.expr)
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.raw
    }

    /// Substitutes the variables against a context document. `path` names the place of the
    /// string in the rule (for messages); `delete` selects the DELETE rewrite.
    pub fn render<C: Evaluate + ?Sized>(
        &self,
        ctx: &C,
        path: &str,
        delete: bool,
    ) -> Result<Value, SubstitutionError> {
        // A string that is exactly one variable: its typed value, without copying the text.
        if let Some(var) = whole_variable(&self.variables, &self.raw) {
            return evaluate(var, ctx, path, delete);
        }
        let mut value = self.raw.clone();
        let mut rescan = match substitute_pass(&mut value, &self.variables, ctx, path, delete)? {
            Pass::Typed(v) => return Ok(v),
            Pass::Text { rescan } => rescan,
        };
        // Substituted text may hold variables (or reveal ones the regex skipped): scan again,
        // until nothing changes (Kyverno stops there too). A value that keeps growing would
        // never stop: past a bound it is an error.
        let mut passes = 1;
        while rescan {
            let variables = scan(&value).map_err(|e| SubstitutionError(e.to_string()))?;
            if variables.is_empty() {
                break;
            }
            if passes >= MAX_PASSES || value.len() > MAX_SUBSTITUTED_LEN {
                return Err(SubstitutionError(format!(
                    "variable substitution at path {path} does not end: the value still holds variables after {passes} passes"
                )));
            }
            let before = value.clone();
            rescan = match substitute_pass(&mut value, &variables, ctx, path, delete)? {
                Pass::Typed(v) => return Ok(v),
                Pass::Text { rescan } => rescan && value != before,
            };
            passes += 1;
        }
        Ok(Value::String(unescape(value)))
    }
}

/// The most substitution passes over one string: values that hold variables are substituted
/// again, and a chain of them this long is not a policy, it is a loop.
const MAX_PASSES: usize = 100;

/// The longest text substitution may build (1 MiB).
const MAX_SUBSTITUTED_LEN: usize = 1 << 20;

/// The result of one substitution pass.
enum Pass {
    /// The string was exactly one variable: its typed value.
    Typed(Value),
    /// Text was substituted; `rescan` when the result may hold further variables.
    Text { rescan: bool },
}

/// One pass of Kyverno's substitution over the variables found in `value`.
fn substitute_pass<C: Evaluate + ?Sized>(
    value: &mut String,
    variables: &[Variable],
    ctx: &C,
    path: &str,
    delete: bool,
) -> Result<Pass, SubstitutionError> {
    if let Some(var) = whole_variable(variables, value) {
        return evaluate(var, ctx, path, delete).map(Pass::Typed);
    }
    let mut deep = false;
    for var in variables {
        let result = evaluate(var, ctx, path, delete)?;
        let text = match &result {
            Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
            other => std::borrow::Cow::Owned(serde_json::to_string(other).unwrap_or_default()),
        };
        deep |= !var.shallow;
        // The first occurrence of the match is replaced; its preceding character is kept.
        if let Some(at) = find(value, &var.matched) {
            let braces = at + var.matched.len() - var.braces.len();
            value.replace_range(braces..at + var.matched.len(), &text);
        }
    }
    Ok(Pass::Text {
        rescan: deep && find(value, "{{").is_some(),
    })
}

/// `haystack.find(needle)`, for the short texts templates usually are, by looking for the
/// needle's first byte and comparing there: setting up the general substring searcher costs
/// more than such a search. (The bytes of a UTF-8 needle only match at character boundaries.)
fn find(haystack: &str, needle: &str) -> Option<usize> {
    const SHORT: usize = 256;
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else {
        return Some(0);
    };
    if h.len() > SHORT {
        return haystack.find(needle);
    }
    let mut from = 0;
    while let Some(i) = h.get(from..)?.iter().position(|&b| b == first) {
        let at = from + i;
        if h.get(at..)?.starts_with(n) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The variable, when `text` is exactly one variable (substituted by its typed value).
fn whole_variable<'v>(variables: &'v [Variable], text: &str) -> Option<&'v Variable> {
    match variables {
        [var] if var.braces == text => Some(var),
        _ => None,
    }
}

/// Evaluates a variable (its DELETE form on DELETE requests).
fn evaluate<C: Evaluate + ?Sized>(
    var: &Variable,
    ctx: &C,
    path: &str,
    delete: bool,
) -> Result<Value, SubstitutionError> {
    let expr = match (delete, &var.delete_expr) {
        (true, Some(e)) => e,
        _ => &var.expr,
    };
    ctx.evaluate(expr)
        .map_err(|e| resolve_error(expr.source(), path, e))
}

/// A pattern path as JMESPath (Kyverno's `getJMESPath`): keys joined with `.` (anchors
/// removed), list indices as `[i]`.
fn jmespath_of(path: &[String]) -> String {
    let mut out = String::new();
    for seg in path {
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            let key = crate::pattern::parse_anchor(seg).map_or(seg.as_str(), |a| a.key);
            let identifier = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if identifier {
                out.push_str(key);
            } else {
                // A key like `corp.com/retention` is quoted.
                out.push_str(&serde_json::Value::String(key.to_string()).to_string());
            }
        }
    }
    out
}

fn resolve_error(variable: &str, path: &str, e: EvalError) -> SubstitutionError {
    SubstitutionError(format!(
        "failed to resolve {variable} at path {path}: JMESPath query failed: {e}"
    ))
}

/// Removes the backslash of escaped variables.
fn unescape(s: String) -> String {
    if find(&s, "\\{{").is_none() {
        return s;
    }
    ESCAPED
        .replace_all(&s, |c: &regex::Captures| {
            c.get(0)
                .map(|m| m.as_str()[1..].to_string())
                .unwrap_or_default()
        })
        .into_owned()
}

/// A JSON value whose strings and map keys may hold variables, compiled once. Subtrees without
/// variables are kept as they are.
#[derive(Debug, Clone)]
pub enum Dynamic {
    /// No variables below.
    Static(Value),
    /// A string with variables.
    Template(Template),
    /// A list with variables somewhere below.
    Array(Vec<Dynamic>),
    /// A map with variables in some key or below.
    Object(Vec<(DynamicKey, Dynamic)>),
}

/// A map key, possibly with variables.
#[derive(Debug, Clone)]
pub enum DynamicKey {
    /// A plain key.
    Static(String),
    /// A key with variables.
    Template(Template),
}

impl Dynamic {
    /// Compiles a value.
    pub fn compile(value: &Value) -> Result<Dynamic, TemplateError> {
        Dynamic::compile_in(value, None)
    }

    /// Compiles a pattern: `{{ @ }}` in a string reads the value at the string's place in the
    /// document `root` names (`request.object`, or `target` for a mutate-existing patch).
    pub fn compile_pattern(value: &Value, root: &str) -> Result<Dynamic, TemplateError> {
        Dynamic::compile_in(value, Some((root, &mut Vec::new())))
    }

    fn compile_in(
        value: &Value,
        mut path: Option<(&str, &mut Vec<String>)>,
    ) -> Result<Dynamic, TemplateError> {
        let at = path.as_ref().map(|(root, p)| match jmespath_of(p) {
            rest if rest.is_empty() => root.to_string(),
            rest if rest.starts_with('[') => format!("{root}{rest}"),
            rest => format!("{root}.{rest}"),
        });
        Ok(match value {
            Value::String(s) => match Template::parse_at(s, at.as_deref())? {
                Some(t) => Dynamic::Template(t),
                None => Dynamic::Static(value.clone()),
            },
            Value::Array(items) => {
                let mut compiled = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    if let Some((_, p)) = path.as_mut() {
                        p.push(i.to_string());
                    }
                    compiled.push(Dynamic::compile_in(
                        item,
                        path.as_mut().map(|(root, p)| (*root, &mut **p)),
                    ));
                    if let Some((_, p)) = path.as_mut() {
                        p.pop();
                    }
                }
                let items = compiled.into_iter().collect::<Result<Vec<_>, _>>()?;
                if items.iter().all(Dynamic::is_static) {
                    Dynamic::Static(value.clone())
                } else {
                    Dynamic::Array(items)
                }
            }
            Value::Object(map) => {
                let mut entries = Vec::with_capacity(map.len());
                for (k, v) in map {
                    let key = match Template::parse(k)? {
                        Some(t) => DynamicKey::Template(t),
                        None => DynamicKey::Static(k.clone()),
                    };
                    if let Some((_, p)) = path.as_mut() {
                        p.push(k.clone());
                    }
                    let compiled =
                        Dynamic::compile_in(v, path.as_mut().map(|(root, p)| (*root, &mut **p)));
                    if let Some((_, p)) = path.as_mut() {
                        p.pop();
                    }
                    entries.push((key, compiled?));
                }
                if entries
                    .iter()
                    .all(|(k, v)| matches!(k, DynamicKey::Static(_)) && v.is_static())
                {
                    Dynamic::Static(value.clone())
                } else {
                    Dynamic::Object(entries)
                }
            }
            other => Dynamic::Static(other.clone()),
        })
    }

    /// Whether the value holds no variable.
    pub fn is_static(&self) -> bool {
        matches!(self, Dynamic::Static(_))
    }

    /// The value when it holds no variable.
    pub fn as_static(&self) -> Option<&Value> {
        match self {
            Dynamic::Static(v) => Some(v),
            _ => None,
        }
    }

    /// Substitutes every variable against a context document.
    pub fn render<C: Evaluate + ?Sized>(
        &self,
        ctx: &C,
        path: &str,
        delete: bool,
    ) -> Result<Value, SubstitutionError> {
        Ok(match self {
            Dynamic::Static(v) => v.clone(),
            Dynamic::Template(t) => t.render(ctx, path, delete)?,
            Dynamic::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, d)| d.render(ctx, &format!("{path}/{i}"), delete))
                    .collect::<Result<_, _>>()?,
            ),
            Dynamic::Object(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
                for (k, v) in entries {
                    let key = match k {
                        DynamicKey::Static(s) => s.clone(),
                        DynamicKey::Template(t) => match t.render(ctx, path, delete)? {
                            Value::String(s) => s,
                            other => serde_json::to_string(&other).unwrap_or_default(),
                        },
                    };
                    let rendered = v.render(ctx, &format!("{path}/{key}"), delete)?;
                    map.insert(key, rendered);
                }
                Value::Object(map)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(s: &str, ctx: &Value) -> Result<Value, SubstitutionError> {
        match Template::parse(s) {
            Ok(Some(t)) => t.render(ctx, "/", false),
            Ok(None) => Ok(Value::String(s.to_string())),
            Err(e) => Err(SubstitutionError(e.to_string())),
        }
    }

    #[test]
    fn find_agrees_with_str_find() {
        let long = format!("{}{{{{ x }}}}", "é{".repeat(200));
        let cases = [
            ("", ""),
            ("", "{{"),
            ("a{{b", "{{"),
            ("{{{x}}", "{{x}}"),
            ("é{{ a }} {{ a }}", " {{ a }}"),
            ("ab", "abc"),
            ("\\{{ x }}", "\\{{"),
            (long.as_str(), "{{ x }}"),
            (long.as_str(), "{{ y }}"),
        ];
        for (haystack, needle) in cases {
            assert_eq!(
                find(haystack, needle),
                haystack.find(needle),
                "{haystack:?} {needle:?}"
            );
        }
    }

    #[test]
    fn whole_string_variables_are_typed() {
        let ctx = json!({"a": {"n": 3, "list": [1, 2], "s": "x"}});
        assert_eq!(render("{{ a.n }}", &ctx), Ok(json!(3)));
        assert_eq!(render("{{a.list}}", &ctx), Ok(json!([1, 2])));
        assert_eq!(render("{{ a.s }}", &ctx), Ok(json!("x")));
    }

    #[test]
    fn embedded_variables_are_text() {
        let ctx = json!({"a": {"n": 3, "list": [1, 2], "s": "x", "m": {"k": "v"}}});
        assert_eq!(
            render("n={{ a.n }} s={{ a.s }}", &ctx),
            Ok(json!("n=3 s=x"))
        );
        assert_eq!(render("l={{ a.list }}", &ctx), Ok(json!("l=[1,2]")));
        assert_eq!(render("m={{ a.m }}", &ctx), Ok(json!("m={\"k\":\"v\"}")));
        // Adjacent variables are found on the re-scan, as Kyverno's regex finds them.
        assert_eq!(render("{{ a.s }}{{ a.n }}", &ctx), Ok(json!("x3")));
    }

    #[test]
    fn nested_escaped_and_shallow() {
        let ctx = json!({"inner": "{{ v }}", "v": "deep"});
        assert_eq!(render("got {{ inner }}", &ctx), Ok(json!("got deep")));
        assert_eq!(render("got {{- inner }}", &ctx), Ok(json!("got {{ v }}")));
        assert_eq!(
            render("keep \\{{ v }} and {{ v }}", &ctx),
            Ok(json!("keep {{ v }} and deep"))
        );
        assert_eq!(Template::parse("no vars").map(|t| t.is_none()), Ok(true));
    }

    #[test]
    fn braces_inside_variables() {
        let ctx = json!({});
        assert_eq!(render("{{ x || `{}` }}", &ctx), Ok(json!({})));
    }

    #[test]
    fn missing_keys_are_errors() {
        let ctx = json!({"request": {"object": {}}});
        let err = render("{{ request.object.spec.x }}", &ctx);
        let expected = "failed to resolve request.object.spec.x at path /: JMESPath query failed: Unknown key \"spec\" in path";
        assert_eq!(err, Err(SubstitutionError(expected.into())));
        assert_eq!(
            render("{{ request.object.spec.x || 'd' }}", &ctx),
            Ok(json!("d"))
        );
    }

    #[test]
    fn delete_requests_read_the_old_object() {
        let ctx = json!({"request": {"oldObject": {"name": "old"}}});
        let t = Template::parse("{{ request.object.name }}").ok().flatten();
        assert_eq!(t.map(|t| t.render(&ctx, "/", true)), Some(Ok(json!("old"))));
    }

    #[test]
    fn at_reads_the_resource_at_the_pattern_place() {
        let pattern = json!({"spec": {"containers": [{"=(image)": "{{ @ }}"}]}});
        let d = Dynamic::compile_pattern(&pattern, "request.object")
            .unwrap_or(Dynamic::Static(Value::Null));
        let ctx = json!({"request": {"object": {"spec": {"containers": [{"image": "nginx"}]}}}});
        assert_eq!(
            d.render(&ctx, "", false),
            Ok(json!({"spec": {"containers": [{"=(image)": "nginx"}]}}))
        );
    }

    #[test]
    fn dynamic_values_keep_static_parts() {
        let v = json!({"a": "{{ x }}", "b": [1, "y-{{ x }}"], "c": {"d": 1}, "{{ k }}": true});
        let d = Dynamic::compile(&v).unwrap_or(Dynamic::Static(Value::Null));
        let ctx = json!({"x": "X", "k": "key"});
        assert_eq!(
            d.render(&ctx, "", false),
            Ok(json!({"a": "X", "b": [1, "y-X"], "c": {"d": 1}, "key": true}))
        );
        assert!(Dynamic::compile(&json!({"plain": [1, 2]})).is_ok_and(|d| d.is_static()));
    }
}
