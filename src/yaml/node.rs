//! Spanned YAML nodes: the parsed form of a document that remembers where every value came from.

use serde_json::{Map, Number, Value};

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span covering `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The range form used by diagnostics.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

/// A mapping key with its span. Keys are always strings after Kubernetes-style resolution
/// (`true:` becomes `"true"`, `1:` becomes `"1"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// Where the key is written.
    pub span: Span,
    /// The key text.
    pub text: String,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    /// `null`, `~` or an empty scalar.
    Null,
    /// A boolean (including the YAML 1.1 forms Kubernetes accepts: `yes`, `on`, ...).
    Bool(bool),
    /// An integer or float.
    Number(Number),
    /// A string scalar.
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order.
    Map(Vec<(Key, Node)>),
}

/// A YAML node with the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the node is written.
    pub span: Span,
    /// What it holds.
    pub value: NodeValue,
}

impl Node {
    /// Looks up a mapping entry by key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Looks up a mapping entry by key, returning the key too.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        match &self.value {
            NodeValue::Map(entries) => entries.iter().find(|(k, _)| k.text == key).map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// The string content, if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the node's type, for messages ("a string", "a mapping", ...).
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Number(_) => "a number",
            NodeValue::String(_) => "a string",
            NodeValue::Seq(_) => "a list",
            NodeValue::Map(_) => "a mapping",
        }
    }

    /// Follows a path of map keys and list indices (as strings) from this node.
    pub fn at_path<I, S>(&self, path: I) -> Option<&Node>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut node = self;
        for seg in path {
            let seg = seg.as_ref();
            node = match &node.value {
                NodeValue::Map(_) => node.get(seg)?,
                NodeValue::Seq(items) => items.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Converts the node to a JSON value, dropping spans.
    pub fn to_json(&self) -> Value {
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Number(n) => Value::Number(n.clone()),
            NodeValue::String(s) => Value::String(s.clone()),
            NodeValue::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Map(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for (k, v) in entries {
                    map.insert(k.text.clone(), v.to_json());
                }
                Value::Object(map)
            }
        }
    }
}
