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

    /// The byte at `offset` of a scalar written here whose text is `text`, when the source
    /// holds the text verbatim (plain, or quoted without escapes or line folding, which would
    /// change its length); else the whole scalar.
    pub fn at_offset(self, text: &str, offset: usize) -> Span {
        let written = self.end.saturating_sub(self.start);
        let skip = match written.checked_sub(text.len()) {
            Some(0) => 0,
            Some(2) => 1,
            _ => return self,
        };
        let at = self.start + skip + offset.min(text.len());
        Span::new(at, (at + 1).min(self.end))
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
            NodeValue::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.text == key)
                .map(|(k, v)| (k, v)),
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

    /// Where byte `offset` of this string scalar is written (the whole node otherwise).
    pub fn span_at(&self, offset: usize) -> Span {
        self.as_str()
            .map_or(self.span, |text| self.span.at_offset(text, offset))
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

#[cfg(test)]
mod span_tests {
    use super::Span;

    #[test]
    fn offsets_map_into_verbatim_scalars_only() {
        // `{{ x[ }}` plain at 3..11, `"{{ x[ }}"` quoted at 3..13.
        assert_eq!(Span::new(3, 11).at_offset("{{ x[ }}", 4), Span::new(7, 8));
        assert_eq!(Span::new(3, 13).at_offset("{{ x[ }}", 4), Span::new(8, 9));
        // An escape made the text shorter than the source: the whole scalar.
        assert_eq!(Span::new(3, 20).at_offset("{{ x[ }}", 4), Span::new(3, 20));
    }
}
