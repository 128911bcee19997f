//! The tree a patch is applied to: a JSON value whose nulls remember where they came from.
//!
//! evanphx/json-patch keeps the document as lazily decoded nodes, and a `null` is one of two
//! things there: a null read from the document (or nested in an operation's value) is a Go `nil`
//! node, while the value of an `add` or `replace` that is exactly `null`, and the nulls that
//! `add` pads arrays with, are raw `null` nodes. The two behave differently: `test` with value
//! `null` passes on a `nil` and fails on a raw `null`, and `add` creating missing parents replaces
//! a `nil` but fails on a raw `null` (`ensurePathExists` calls `intoDoc` on it). [`Null`] keeps
//! that distinction so that a patch applies as it does in Kyverno.

use indexmap::IndexMap;
use serde_json::{Map, Number, Value};

/// Where a null came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Null {
    /// Read from the document or nested in an operation's value: evanphx's `nil` node.
    Document,
    /// An operation's whole value, or padding: evanphx's raw `null` node.
    Patch,
}

/// A JSON value under patching.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    /// `null`, with its origin.
    Null(Null),
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, in member order.
    Object(IndexMap<String, Node>),
}

impl Node {
    /// A document value: every null is a [`Null::Document`].
    pub(super) fn from_document(value: &Value) -> Node {
        match value {
            Value::Null => Node::Null(Null::Document),
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::String(s.clone()),
            Value::Array(items) => Node::Array(items.iter().map(Node::from_document).collect()),
            Value::Object(map) => Node::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Node::from_document(v)))
                    .collect(),
            ),
        }
    }

    /// An operation's value: `null` itself is a [`Null::Patch`], nulls inside it are document
    /// nulls (evanphx decodes the raw value when it descends into it).
    pub(super) fn from_patch(value: &Value) -> Node {
        match value {
            Value::Null => Node::Null(Null::Patch),
            other => Node::from_document(other),
        }
    }

    /// evanphx's `deepCopy` for `copy`: the value is marshalled and kept raw, so a top-level null
    /// keeps its origin and every null inside becomes a document null.
    pub(super) fn copied(&self) -> Node {
        match self {
            Node::Array(items) => Node::Array(items.iter().map(Node::reread).collect()),
            Node::Object(map) => {
                Node::Object(map.iter().map(|(k, v)| (k.clone(), v.reread())).collect())
            }
            other => other.clone(),
        }
    }

    /// A clone as evanphx would decode it again from its JSON text.
    fn reread(&self) -> Node {
        match self {
            Node::Null(_) => Node::Null(Null::Document),
            other => other.copied(),
        }
    }

    /// The JSON value.
    pub(super) fn into_value(self) -> Value {
        match self {
            Node::Null(_) => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Number(n) => Value::Number(n),
            Node::String(s) => Value::String(s),
            Node::Array(items) => Value::Array(items.into_iter().map(Node::into_value).collect()),
            Node::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, v.into_value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }

    /// Whether this is evanphx's `nil` node (a document null): reading it gives "nothing".
    pub(super) fn is_nil(&self) -> bool {
        matches!(self, Node::Null(Null::Document))
    }

    /// Whether this is an object or an array.
    pub(super) fn is_container(&self) -> bool {
        matches!(self, Node::Array(_) | Node::Object(_))
    }

    /// evanphx's `lazyNode.equal` between this node and a `test` value: same type and contents,
    /// objects compared without regard to member order, strings by their decoded text. Numbers
    /// compare as `serde_json` numbers (evanphx compares their compacted JSON text, so `1.0` and
    /// `1.00` differ there and are equal here; an integer never equals a float in either).
    /// A document null equals `null`; a patch null equals nothing (evanphx decodes it as a nil
    /// array, which fails against any value or panics).
    pub(super) fn equals(&self, value: &Value) -> bool {
        match (self, value) {
            (Node::Null(Null::Document), Value::Null) => true,
            (Node::Bool(a), Value::Bool(b)) => a == b,
            (Node::Number(a), Value::Number(b)) => a == b,
            (Node::String(a), Value::String(b)) => a == b,
            (Node::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equals(y))
            }
            (Node::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.equals(w)))
            }
            _ => false,
        }
    }
}
