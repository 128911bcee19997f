//! The two shapes the event builder produces: spanned [`Node`]s and plain JSON values.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::resolve::Scalar;
use super::{Key, Node, NodeValue, Span};

/// A mapping, list or merge source as seen by the merge-key logic.
pub(crate) enum Shape<T> {
    Map(Vec<(Key, T)>),
    Seq(Vec<T>),
    Other,
}

/// What the event builder needs from the tree it builds.
pub(crate) trait Tree: Sized + Clone {
    /// A mapping under construction.
    type Map;
    /// A scalar node.
    fn scalar(span: Span, value: Scalar) -> Self;
    /// A list node.
    fn seq(span: Span, items: Vec<Self>) -> Self;
    /// An empty mapping under construction.
    fn new_map() -> Self::Map;
    /// Whether the mapping under construction has `key`.
    fn map_contains(map: &Self::Map, key: &str) -> bool;
    /// Adds an entry (the caller has checked for duplicates).
    fn map_insert(map: &mut Self::Map, key: Key, value: Self);
    /// A finished mapping node.
    fn map(span: Span, map: Self::Map) -> Self;
    /// The node used where an alias is written: the span moves to the alias.
    fn with_span(self, span: Span) -> Self;
    /// Splits a node for merging; keys without a span of their own get `span`.
    fn into_shape(self, span: Span) -> Shape<Self>;
}

/// Mappings with more entries than this get a hash index for duplicate checks.
const INDEX_FROM: usize = 16;

/// A mapping under construction: entries in order, with a hash index of the keys once the
/// mapping grows past [`INDEX_FROM`] entries (small mappings are cheaper to scan).
pub(crate) struct Entries<V> {
    entries: Vec<(Key, V)>,
    index: Option<HashSet<String>>,
}

impl<V> Entries<V> {
    fn new() -> Self {
        Entries {
            entries: Vec::new(),
            index: None,
        }
    }

    fn contains(&self, key: &str) -> bool {
        match &self.index {
            Some(index) => index.contains(key),
            None => self.entries.iter().any(|(k, _)| k.text == key),
        }
    }

    fn insert(&mut self, key: Key, value: V) {
        match &mut self.index {
            Some(index) => {
                index.insert(key.text.clone());
            }
            None if self.entries.len() >= INDEX_FROM => {
                let mut index: HashSet<String> =
                    self.entries.iter().map(|(k, _)| k.text.clone()).collect();
                index.insert(key.text.clone());
                self.index = Some(index);
            }
            None => {}
        }
        self.entries.push((key, value));
    }
}

impl Tree for Node {
    type Map = Entries<Node>;

    fn scalar(span: Span, value: Scalar) -> Self {
        let value = match value {
            Scalar::Null => NodeValue::Null,
            Scalar::Bool(b) => NodeValue::Bool(b),
            Scalar::Number(n) => NodeValue::Number(n),
            Scalar::String(s) => NodeValue::String(s),
        };
        Node { span, value }
    }

    fn seq(span: Span, items: Vec<Self>) -> Self {
        Node {
            span,
            value: NodeValue::Seq(items),
        }
    }

    fn new_map() -> Entries<Node> {
        Entries::new()
    }

    fn map_contains(map: &Entries<Node>, key: &str) -> bool {
        map.contains(key)
    }

    fn map_insert(map: &mut Entries<Node>, key: Key, value: Self) {
        map.insert(key, value);
    }

    fn map(span: Span, map: Entries<Node>) -> Self {
        Node {
            span,
            value: NodeValue::Map(map.entries),
        }
    }

    fn with_span(mut self, span: Span) -> Self {
        self.span = span;
        self
    }

    fn into_shape(self, _span: Span) -> Shape<Self> {
        match self.value {
            NodeValue::Map(entries) => Shape::Map(entries),
            NodeValue::Seq(items) => Shape::Seq(items),
            _ => Shape::Other,
        }
    }
}

impl Tree for Value {
    type Map = Entries<Value>;

    fn scalar(_span: Span, value: Scalar) -> Self {
        match value {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Number(n) => Value::Number(n),
            Scalar::String(s) => Value::String(s),
        }
    }

    fn seq(_span: Span, items: Vec<Self>) -> Self {
        Value::Array(items)
    }

    fn new_map() -> Self::Map {
        Entries::new()
    }

    fn map_contains(map: &Self::Map, key: &str) -> bool {
        map.contains(key)
    }

    fn map_insert(map: &mut Self::Map, key: Key, value: Self) {
        map.insert(key, value);
    }

    fn map(_span: Span, map: Self::Map) -> Self {
        let mut object = Map::with_capacity(map.entries.len());
        for (k, v) in map.entries {
            object.insert(k.text, v);
        }
        Value::Object(object)
    }

    fn with_span(self, _span: Span) -> Self {
        self
    }

    fn into_shape(self, span: Span) -> Shape<Self> {
        match self {
            Value::Object(map) => Shape::Map(
                map.into_iter()
                    .map(|(text, v)| (Key { span, text }, v))
                    .collect(),
            ),
            Value::Array(items) => Shape::Seq(items),
            _ => Shape::Other,
        }
    }
}
