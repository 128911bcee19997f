//! Compiling a JSON pattern tree into [`Node`]s: anchors resolved, map keys put in the order
//! Kyverno evaluates them, scalar patterns parsed, pattern mistakes reported together.

use super::anchor::{self, AnchorKind};
use super::scalar::Leaf;
use crate::wildcard::{Wildcard, contains_wildcard};
use serde_json::{Map, Value};

/// A compile error: where in the pattern (map keys and array indices from the pattern's root)
/// and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// Keys and indices from the pattern root to the offending node.
    pub path: Vec<String>,
    /// What is wrong, for people.
    pub message: String,
}

/// A compiled pattern node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Map(MapNode),
    Array(ArrayNode),
    Leaf(Leaf),
}

/// A compiled map: anchors (phase 1) and other keys (phase 2), each in Kyverno's order.
#[derive(Debug, Clone)]
pub(crate) struct MapNode {
    /// Condition, existence, equality and negation anchors, sorted by key bytes.
    pub anchors: Box<[Entry]>,
    /// Plain keys and global anchors: keys whose values hold anchors (and globals) first, in
    /// reverse sorted order, then the rest in sorted order.
    pub resources: Box<[Entry]>,
    /// This is a `metadata.labels`/`metadata.annotations` map with wildcard keys, which
    /// Kyverno renames to the first matching resource key before evaluating.
    pub expand_keys: bool,
}

/// One compiled map entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The key as written (used for ordering and for Kyverno's missing-anchor bookkeeping).
    pub raw: Box<str>,
    /// The resource key it addresses (the anchor's inner key, or the raw key).
    pub key: Box<str>,
    /// `None` for plain keys.
    pub anchor: Option<AnchorKind>,
    /// Set when `expand_keys` and the key has wildcard characters.
    pub key_wildcard: Option<Wildcard>,
    /// The value pattern.
    pub body: Body,
}

/// The value of an entry.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Node(Node),
    /// `^(k)`: a non-empty list of map patterns.
    Existence(Box<[Node]>),
}

/// A compiled array pattern: Kyverno looks at the first element to decide.
#[derive(Debug, Clone)]
pub(crate) enum ArrayNode {
    /// First element is a map: it is applied to every resource element (others are ignored).
    OfMaps(Box<Node>),
    /// First element is a scalar: every resource element must match it.
    OfScalars(Leaf),
    /// First element is an array: element by element.
    Positional(Box<[Node]>),
}

struct Compiler {
    lenient: bool,
    path: Vec<String>,
    errors: Vec<CompileError>,
}

/// Where a map sits, for Kyverno's wildcard expansion under `metadata.labels/annotations`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Other,
    Metadata,
    LabelsOrAnnotations,
}

impl Compiler {
    fn error(&mut self, message: String) {
        self.errors.push(CompileError {
            path: self.path.clone(),
            message,
        });
    }

    fn node(&mut self, value: &Value, place: Place) -> Option<Node> {
        match value {
            Value::Object(map) => Some(Node::Map(self.map(map, place))),
            Value::Array(items) => self.array(items).map(Node::Array),
            scalar => self.leaf(scalar).map(Node::Leaf),
        }
    }

    fn leaf(&mut self, value: &Value) -> Option<Leaf> {
        match Leaf::from_scalar(value, self.lenient)? {
            Ok(leaf) => Some(leaf),
            Err(defects) => {
                for d in defects {
                    self.error(format!("invalid scalar pattern {d}"));
                }
                None
            }
        }
    }

    fn array(&mut self, items: &[Value]) -> Option<ArrayNode> {
        let Some(first) = items.first() else {
            self.error(
                "empty pattern array (Kyverno fails every resource with \"pattern Array empty\")"
                    .to_string(),
            );
            return None;
        };
        let mut nodes = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            self.path.push(i.to_string());
            nodes.push(self.node(item, Place::Other));
            self.path.pop();
        }
        let nodes: Option<Vec<Node>> = nodes.into_iter().collect();
        let mut nodes = nodes?;
        match first {
            Value::Object(_) => Some(ArrayNode::OfMaps(Box::new(nodes.swap_remove(0)))),
            Value::Array(_) => Some(ArrayNode::Positional(nodes.into_boxed_slice())),
            _ => match nodes.swap_remove(0) {
                Node::Leaf(leaf) => Some(ArrayNode::OfScalars(leaf)),
                _ => None,
            },
        }
    }

    fn map(&mut self, map: &Map<String, Value>, place: Place) -> MapNode {
        let expand_keys = place == Place::LabelsOrAnnotations
            && map
                .keys()
                .any(|k| contains_wildcard(anchor::parse(k).map_or(k.as_str(), |a| a.key)));
        let mut anchors = Vec::new();
        let mut resources = Vec::new();
        for (raw, value) in map {
            self.path.push(raw.clone());
            if let Some(entry) = self.entry(raw, value, place, expand_keys) {
                match entry.anchor {
                    Some(AnchorKind::Global) | None => {
                        resources.push((has_nested_anchors(value), entry))
                    }
                    Some(_) => anchors.push(entry),
                }
            }
            self.path.pop();
        }
        anchors.sort_by(|a, b| a.raw.cmp(&b.raw));
        MapNode {
            anchors: anchors.into_boxed_slice(),
            resources: order_resources(resources).into_boxed_slice(),
            expand_keys,
        }
    }

    fn entry(
        &mut self,
        raw: &str,
        value: &Value,
        place: Place,
        expand_keys: bool,
    ) -> Option<Entry> {
        let parsed = anchor::parse(raw);
        if anchor::looks_like_anchor(raw)
            && parsed.is_none_or(|a| a.kind == AnchorKind::AddIfNotPresent)
        {
            self.error(format!("unsupported anchor {raw}"));
            return None;
        }
        let key = parsed.map_or(raw, |a| a.key);
        let child_place = match (place, key) {
            (_, "metadata") => Place::Metadata,
            (Place::Metadata, "labels" | "annotations") => Place::LabelsOrAnnotations,
            _ => Place::Other,
        };
        let body = if parsed.is_some_and(|a| a.kind == AnchorKind::Existence) {
            Body::Existence(self.existence(value)?)
        } else {
            Body::Node(self.node(value, child_place)?)
        };
        Some(Entry {
            raw: raw.into(),
            key: key.into(),
            anchor: parsed.map(|a| a.kind),
            key_wildcard: (expand_keys && contains_wildcard(key)).then(|| Wildcard::new(key)),
            body,
        })
    }

    fn existence(&mut self, value: &Value) -> Option<Box<[Node]>> {
        let Value::Array(items) = value else {
            self.error("existence anchor should have value of type list".to_string());
            return None;
        };
        if items.is_empty() {
            self.error("existence anchor: should have atleast one value".to_string());
            return None;
        }
        let mut nodes = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            self.path.push(i.to_string());
            if item.is_object() {
                nodes.extend(self.node(item, Place::Other));
            } else {
                self.error("existence anchor: list items must be maps".to_string());
            }
            self.path.pop();
        }
        (nodes.len() == items.len()).then(|| nodes.into_boxed_slice())
    }
}

/// Kyverno `getSortedNestedAnchorResource`: sort, then move globals and keys whose value holds
/// anchors to the front (each pushed to the front, so they end up in reverse sorted order).
pub(crate) fn order_resources<T: HasRaw>(mut entries: Vec<(bool, T)>) -> Vec<T> {
    entries.sort_by(|a, b| a.1.raw().cmp(b.1.raw()));
    let mut front = Vec::new();
    let mut back = Vec::new();
    for (nested, entry) in entries {
        if nested || entry.is_global() {
            front.push(entry);
        } else {
            back.push(entry);
        }
    }
    front.reverse();
    front.extend(back);
    front
}

/// What [`order_resources`] needs to know about an entry.
pub(crate) trait HasRaw {
    fn raw(&self) -> &str;
    fn is_global(&self) -> bool;
}

impl HasRaw for Entry {
    fn raw(&self) -> &str {
        &self.raw
    }
    fn is_global(&self) -> bool {
        self.anchor == Some(AnchorKind::Global)
    }
}

/// Kyverno `hasNestedAnchors`: does a value contain an anchored key (other than `+(k)`)?
fn has_nested_anchors(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            map.keys()
                .any(|k| anchor::parse(k).is_some_and(|a| a.kind != AnchorKind::AddIfNotPresent))
                || map.values().any(has_nested_anchors)
        }
        Value::Array(items) => items.iter().any(has_nested_anchors),
        _ => false,
    }
}

/// Compiles a pattern tree. `lenient` accepts malformed scalar conditions (they never match),
/// as Kyverno does; structural mistakes are errors either way.
pub(crate) fn compile(pattern: &Value, lenient: bool) -> Result<Node, Vec<CompileError>> {
    let mut c = Compiler {
        lenient,
        path: Vec::new(),
        errors: Vec::new(),
    };
    let node = c.node(pattern, Place::Other);
    match node {
        Some(node) if c.errors.is_empty() => Ok(node),
        _ => Err(c.errors),
    }
}
