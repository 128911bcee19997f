//! Reading typed fields out of spanned YAML mappings, with schema diagnostics: wrong types,
//! missing required fields, invalid enum values and unknown fields (with "did you mean").
//!
//! Policies are read with it, and so can any other YAML document with a fixed schema (the
//! command line reads its test, values and user files with it): every problem becomes a
//! [`Diagnostic`] with the file, line and column, and reading goes on after an error so that
//! one pass reports them all.

use serde_json::Value;

use crate::diag::{Diagnostic, FileId, did_you_mean};
use crate::yaml::{Key, Node, NodeValue, Span};

/// `metadata` fields of an object other than `name`, `namespace`, `labels` and `annotations`:
/// accepted in documents, not used.
pub const OTHER_METADATA_FIELDS: &[&str] = &[
    "generateName",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// A value together with the span it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it is written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value with its span.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// Where diagnostics go while one file is read.
pub struct Reader<'d> {
    file: FileId,
    diagnostics: &'d mut Vec<Diagnostic>,
    /// How many errors were schema errors: a wrong type, a missing required field, an invalid
    /// enum value or an unknown field.
    schema_errors: usize,
}

impl<'d> Reader<'d> {
    /// A reader for `file` that appends to `diagnostics`.
    pub fn new(file: FileId, diagnostics: &'d mut Vec<Diagnostic>) -> Self {
        Reader {
            file,
            diagnostics,
            schema_errors: 0,
        }
    }

    /// How many of the errors recorded so far are schema errors (a wrong type, a missing
    /// required field, an invalid enum value, an unknown field), as opposed to errors about
    /// what well-formed fields say.
    pub fn schema_errors(&self) -> usize {
        self.schema_errors
    }

    /// Records a schema error.
    fn schema_error(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> &mut Diagnostic {
        self.schema_errors += 1;
        self.error(span, message, label)
    }

    /// The file being read.
    pub fn file(&self) -> FileId {
        self.file
    }

    /// Records an error.
    pub fn error(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Diagnostic::error(self.file, span, message).with_label(label))
    }

    /// Records a warning.
    pub fn warning(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Diagnostic::warning(self.file, span, message).with_label(label))
    }

    fn push(&mut self, diagnostic: Diagnostic) -> &mut Diagnostic {
        self.diagnostics.push(diagnostic);
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    /// Reports that `node` has the wrong type.
    pub fn type_error(&mut self, node: &Node, what: &str, expected: &str) {
        self.schema_error(
            node.span,
            format!(
                "wrong type for {what}: expected {expected}, found {}",
                node.type_name()
            ),
            format!("expected {expected}"),
        );
    }

    /// Opens `node` as a mapping, or reports that it is not one.
    pub fn object<'n>(&mut self, node: &'n Node, what: &'static str) -> Option<Obj<'n>> {
        match &node.value {
            NodeValue::Map(entries) => Some(Obj {
                node,
                entries,
                known: Vec::new(),
                what,
            }),
            _ => {
                self.type_error(node, what, "a mapping");
                None
            }
        }
    }

    /// Reads a string.
    pub fn string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        match &node.value {
            NodeValue::String(s) => Some(Spanned::new(s.clone(), node.span)),
            _ => {
                self.type_error(node, what, "a string");
                None
            }
        }
    }

    /// Reads a boolean.
    pub fn boolean(&mut self, node: &Node, what: &str) -> Option<Spanned<bool>> {
        match &node.value {
            NodeValue::Bool(b) => Some(Spanned::new(*b, node.span)),
            _ => {
                self.type_error(node, what, "a boolean");
                None
            }
        }
    }

    /// Reads an integer.
    pub fn integer(&mut self, node: &Node, what: &str) -> Option<Spanned<i64>> {
        match &node.value {
            NodeValue::Number(n) if n.as_i64().is_some() => {
                n.as_i64().map(|i| Spanned::new(i, node.span))
            }
            _ => {
                self.type_error(node, what, "an integer");
                None
            }
        }
    }

    /// Reads a list, returning its items.
    pub fn list<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.value {
            NodeValue::Seq(items) => Some(items),
            _ => {
                self.type_error(node, what, "a list");
                None
            }
        }
    }

    /// Reads a list of strings. Items of another type are reported and left out.
    pub fn string_list(&mut self, node: &Node, what: &str) -> Vec<Spanned<String>> {
        let Some(items) = self.list(node, what) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.string(item, what))
            .collect()
    }

    /// Reads a mapping of strings to strings.
    pub fn string_map(
        &mut self,
        node: &Node,
        what: &str,
    ) -> Vec<(Spanned<String>, Spanned<String>)> {
        let NodeValue::Map(entries) = &node.value else {
            self.type_error(node, what, "a mapping of strings");
            return Vec::new();
        };
        let mut out = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            if let Some(v) = self.string(value, what) {
                out.push((Spanned::new(key.text.clone(), key.span), v));
            }
        }
        out
    }

    /// Reads a mapping, returning its entries (keys with their spans, in source order).
    pub fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [(Key, Node)]> {
        match &node.value {
            NodeValue::Map(entries) => Some(entries),
            _ => {
                self.type_error(node, what, "a mapping");
                None
            }
        }
    }

    /// Reads a mapping whose values may be anything, as JSON.
    pub fn value_map(&mut self, node: &Node, what: &str) -> serde_json::Map<String, Value> {
        self.mapping(node, what)
            .map(|entries| {
                entries
                    .iter()
                    .map(|(k, v)| (k.text.clone(), v.to_json()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Reads a string that must be one of `allowed` (compared exactly).
    pub fn one_of(&mut self, node: &Node, what: &str, allowed: &[&str]) -> Option<Spanned<String>> {
        let value = self.string(node, what)?;
        if allowed.contains(&value.value.as_str()) {
            return Some(value);
        }
        let list = allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let suggestion = did_you_mean(&value.value, allowed.iter().copied());
        let d = self.schema_error(
            node.span,
            format!("invalid value `{}` for {what}", value.value),
            format!("expected one of {list}"),
        );
        if let Some(s) = suggestion {
            d.notes.push(format!("did you mean `{s}`?"));
        }
        None
    }
}

/// A mapping being read field by field. Fields that are never asked for are reported as
/// unknown by [`Obj::finish`].
pub struct Obj<'n> {
    node: &'n Node,
    entries: &'n [(Key, Node)],
    known: Vec<&'static str>,
    what: &'static str,
}

impl<'n> Obj<'n> {
    /// The mapping node itself.
    pub fn node(&self) -> &'n Node {
        self.node
    }

    /// Declares `name` as a field of this mapping and returns its value if present.
    pub fn field(&mut self, name: &'static str) -> Option<&'n Node> {
        self.known.push(name);
        self.entries
            .iter()
            .find(|(k, _)| k.text == name)
            .map(|(_, v)| v)
    }

    /// Like [`Obj::field`], also returning the key (for spans).
    pub fn entry(&mut self, name: &'static str) -> Option<(&'n Key, &'n Node)> {
        self.known.push(name);
        self.entries
            .iter()
            .find(|(k, _)| k.text == name)
            .map(|(k, v)| (k, v))
    }

    /// A field that must be present; reports it missing otherwise.
    pub fn required(&mut self, r: &mut Reader, name: &'static str) -> Option<&'n Node> {
        let found = self.field(name);
        if found.is_none() {
            let span = self.head_span();
            r.schema_error(
                span,
                format!("missing required field `{name}` in {}", self.what),
                format!("this {} has no `{name}`", self.what),
            );
        }
        found
    }

    /// A span for messages about the mapping as a whole: its first line.
    pub fn head_span(&self) -> Span {
        match self.entries.first() {
            Some((k, _)) => k.span,
            None => self.node.span,
        }
    }

    /// Reports every field that was never asked for.
    pub fn finish(self, r: &mut Reader) {
        for (key, _) in self.entries {
            if self.known.contains(&key.text.as_str()) {
                continue;
            }
            let suggestion = did_you_mean(&key.text, self.known.iter().copied());
            let d = r.schema_error(
                key.span,
                format!("unknown field `{}` in {}", key.text, self.what),
                format!("not a field of {}", self.what),
            );
            match suggestion {
                Some(s) => d.notes.push(format!("did you mean `{s}`?")),
                None => d
                    .notes
                    .push(format!("known fields: {}", self.known.join(", "))),
            }
        }
    }
}
