//! Evaluating a compiled pattern tree against a resource, as Kyverno's
//! `pkg/engine/validate` walker and `pkg/engine/anchor` handlers do.
//!
//! Evaluation runs first in a quiet mode that builds no strings; only when the result is not a
//! pass does it run again in verbose mode to build Kyverno's paths and messages and to track
//! which anchor keys were missing (the walk is deterministic, so both runs agree).

use super::anchor::{self, AnchorKind};
use super::compile::{ArrayNode, Body, Entry, HasRaw, MapNode, Node, order_resources};
use super::gofmt::{push_v, type_name};
use super::scalar::Leaf;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// How an evaluation error is classified (Kyverno's error types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A conditional anchor did not hold (raw anchor error; a skip).
    Conditional,
    /// A global anchor did not hold (raw anchor error; a skip).
    Global,
    /// A negation anchor's key was present (a fail).
    Negation,
    /// Skips combined by an array or map (`PatternError{Skip: true}`; a skip).
    CombinedSkip,
    /// Any other mismatch.
    Other,
}

/// An evaluation error. `path` and `message` are empty in quiet mode.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub kind: Kind,
    pub path: String,
    pub message: String,
}

impl Failure {
    fn is_skip(&self) -> bool {
        matches!(
            self.kind,
            Kind::Conditional | Kind::Global | Kind::CombinedSkip
        )
    }

    fn is_raw_anchor(&self) -> bool {
        matches!(self.kind, Kind::Conditional | Kind::Global)
    }
}

/// One evaluation run.
pub(crate) struct Eval {
    verbose: bool,
    path: String,
    /// Verbose only: literal anchor key → (seen in some resource map, is a negation anchor).
    anchor_keys: HashMap<String, (bool, bool)>,
}

type Step = Result<(), Failure>;

impl Eval {
    pub fn new(verbose: bool) -> Eval {
        Eval {
            verbose,
            path: if verbose {
                "/".to_string()
            } else {
                String::new()
            },
            anchor_keys: HashMap::new(),
        }
    }

    /// Kyverno `AnchorMap.KeysAreMissing`: a condition or existence anchor key that was absent
    /// from every resource map it was looked up in.
    pub fn keys_are_missing(&self) -> bool {
        self.anchor_keys
            .values()
            .any(|(present, negation)| !present && !negation)
    }

    fn failure(
        &self,
        kind: Kind,
        path: impl FnOnce() -> String,
        message: impl FnOnce() -> String,
    ) -> Failure {
        if self.verbose {
            Failure {
                kind,
                path: path(),
                message: message(),
            }
        } else {
            Failure {
                kind,
                path: String::new(),
                message: String::new(),
            }
        }
    }

    fn other(&self, message: impl FnOnce(&str) -> String) -> Failure {
        self.failure(Kind::Other, || self.path.clone(), || message(&self.path))
    }

    /// Runs `f` with `seg/` appended to the current path.
    fn nested<T>(&mut self, seg: &str, f: impl FnOnce(&mut Eval) -> T) -> T {
        let len = self.path.len();
        if self.verbose {
            self.path.push_str(seg);
            self.path.push('/');
        }
        let out = f(self);
        self.path.truncate(len);
        out
    }

    fn nested_index<T>(&mut self, i: usize, f: impl FnOnce(&mut Eval) -> T) -> T {
        if self.verbose {
            self.nested(&i.to_string(), f)
        } else {
            f(self)
        }
    }

    /// Kyverno `validateResourceElement`.
    pub fn element(&mut self, res: Option<&Value>, node: &Node) -> Step {
        match node {
            Node::Map(m) => match res {
                Some(Value::Object(r)) => {
                    if self.verbose {
                        self.track_anchor_keys(m, r);
                    }
                    self.map(r, m)
                }
                _ => Err(self.other(|p| {
                    format!(
                        "pattern and resource have different structures. Path: {p}. Expected map[string]interface {{}}, found {}",
                        type_name(res)
                    )
                })),
            },
            Node::Array(a) => match res {
                Some(v @ Value::Array(items)) => self.array(v, items, a),
                _ => Err(self.other(|p| {
                    format!("validation rule failed at path {p}, resource does not satisfy the expected overlay pattern")
                })),
            },
            Node::Leaf(leaf) => self.leaf(res, leaf),
        }
    }

    fn leaf(&mut self, res: Option<&Value>, leaf: &Leaf) -> Step {
        let ok = match res {
            Some(Value::Array(items)) => items.iter().all(|item| leaf.matches(Some(item))),
            _ => leaf.matches(res),
        };
        if ok {
            return Ok(());
        }
        Err(self.other(|p| {
            let mut m = "resource value '".to_string();
            push_v(&mut m, res);
            m.push_str("' does not match '");
            leaf.push_v(&mut m);
            m.push_str("' at path ");
            m.push_str(p);
            m
        }))
    }

    /// The resource key an entry addresses, after Kyverno's wildcard expansion of
    /// `metadata.labels/annotations` keys (the first matching key in the resource's order).
    fn resolve<'a>(entry: &'a Entry, r: &'a Map<String, Value>) -> &'a str {
        match &entry.key_wildcard {
            Some(w) => r
                .keys()
                .find(|k| w.matches(k))
                .map_or(&*entry.key, String::as_str),
            None => &entry.key,
        }
    }

    /// The literal pattern key after expansion (what Kyverno sorts and records).
    fn resolved_raw(entry: &Entry, key: &str) -> String {
        match entry.anchor {
            Some(kind) if entry.key_wildcard.is_some() => anchor::render(kind, key),
            _ if entry.key_wildcard.is_some() => key.to_string(),
            _ => entry.raw.to_string(),
        }
    }

    /// Kyverno `AnchorMap.CheckAnchorInResource`.
    fn track_anchor_keys(&mut self, m: &MapNode, r: &Map<String, Value>) {
        for e in m.anchors.iter() {
            if !matches!(
                e.anchor,
                Some(AnchorKind::Condition | AnchorKind::Existence | AnchorKind::Negation)
            ) {
                continue;
            }
            let key = Eval::resolve(e, r);
            let raw = Eval::resolved_raw(e, key);
            let negation = e.anchor == Some(AnchorKind::Negation);
            let slot = self.anchor_keys.entry(raw).or_insert((false, negation));
            if !slot.0 && r.contains_key(key) {
                slot.0 = true;
            }
        }
    }

    /// Kyverno `validateMap`: anchors first (skips recorded), then the other keys.
    fn map(&mut self, r: &Map<String, Value>, m: &MapNode) -> Step {
        if m.expand_keys && self.verbose {
            return self.map_expanded(r, m);
        }
        let anchors = m.anchors.iter().map(|e| (e, Eval::resolve(e, r)));
        self.anchor_phase(r, anchors)?;
        for e in m.resources.iter() {
            self.handle(e, Eval::resolve(e, r), r)?;
        }
        Ok(())
    }

    /// [`Eval::map`] for a labels/annotations map whose wildcard keys are renamed first, so the
    /// order follows the renamed keys as in Kyverno.
    fn map_expanded(&mut self, r: &Map<String, Value>, m: &MapNode) -> Step {
        let mut anchors: Vec<(String, &Entry, &str)> = m
            .anchors
            .iter()
            .map(|e| {
                let key = Eval::resolve(e, r);
                (Eval::resolved_raw(e, key), e, key)
            })
            .collect();
        anchors.sort_by(|a, b| a.0.cmp(&b.0));
        self.anchor_phase(r, anchors.iter().map(|(_, e, k)| (*e, *k)))?;
        let resources: Vec<(bool, Resolved<'_>)> = m
            .resources
            .iter()
            .map(|e| {
                let key = Eval::resolve(e, r);
                (
                    false,
                    Resolved {
                        raw: Eval::resolved_raw(e, key),
                        entry: e,
                        key,
                    },
                )
            })
            .collect();
        for res in order_resources(resources) {
            self.handle(res.entry, res.key, r)?;
        }
        Ok(())
    }

    fn anchor_phase<'a>(
        &mut self,
        r: &Map<String, Value>,
        anchors: impl Iterator<Item = (&'a Entry, &'a str)>,
    ) -> Step {
        let mut applied = 0usize;
        let mut skips = SkipLog::default();
        for (e, key) in anchors {
            match self.handle(e, key, r) {
                Ok(()) => applied += 1,
                Err(f) if f.is_skip() => skips.push(f, self.verbose),
                Err(_) if skips.raw => {}
                Err(f) => return Err(f),
            }
        }
        if skips.count > 0 && (applied == 0 || skips.raw) {
            return Err(self.combined_skip(&skips));
        }
        Ok(())
    }

    fn combined_skip(&self, skips: &SkipLog) -> Failure {
        self.failure(
            Kind::CombinedSkip,
            || self.path.clone(),
            || {
                let messages: Vec<&str> = skips.items.iter().map(|f| f.message.as_str()).collect();
                messages.join("; ")
            },
        )
    }

    /// Kyverno's anchor handlers and default handler for one entry.
    fn handle(&mut self, e: &Entry, key: &str, r: &Map<String, Value>) -> Step {
        let value = crate::lookup::field(r, key);
        match (e.anchor, &e.body) {
            (_, Body::Existence(patterns)) => self.existence(key, value, patterns),
            (None | Some(AnchorKind::AddIfNotPresent), Body::Node(node)) => match node {
                Node::Leaf(leaf) if leaf.is_star() => match value {
                    Some(v) if !v.is_null() => Ok(()),
                    _ => Err(self.failure(Kind::Other, || self.path.clone(), || format!("{}/{key} not found", self.path))),
                },
                _ => self.nested(key, |ev| ev.element(value, node)),
            },
            (Some(AnchorKind::Equality), Body::Node(node)) => match value {
                Some(v) => self.nested(key, |ev| ev.element(Some(v), node)),
                None => Ok(()),
            },
            (Some(AnchorKind::Condition), Body::Node(node)) => match value {
                Some(v) => self.nested(key, |ev| {
                    ev.element(Some(v), node).map_err(|f| Failure {
                        kind: Kind::Conditional,
                        message: if ev.verbose { format!("conditional anchor mismatch: {}", f.message) } else { String::new() },
                        path: f.path,
                    })
                }),
                None => Err(self.failure(
                    Kind::Conditional,
                    || format!("{}{key}/", self.path),
                    || "conditional anchor mismatch: conditional anchor key doesn't exist in the resource".to_string(),
                )),
            },
            (Some(AnchorKind::Global), Body::Node(node)) => match value {
                Some(v) => self.nested(key, |ev| {
                    ev.element(Some(v), node).map_err(|f| Failure {
                        kind: Kind::Global,
                        message: if ev.verbose { format!("global anchor mismatch: {}", f.message) } else { String::new() },
                        path: f.path,
                    })
                }),
                None => Ok(()),
            },
            (Some(AnchorKind::Negation), _) => match value {
                Some(_) => Err(self.failure(
                    Kind::Negation,
                    || format!("{}{key}/", self.path),
                    || format!("negation anchor matched in resource: {}{key}/ is not allowed", self.path),
                )),
                None => Ok(()),
            },
            (Some(AnchorKind::Existence), Body::Node(_)) => Ok(()),
        }
    }

    /// Kyverno's existence handler: each pattern map must match some resource list element.
    fn existence(&mut self, key: &str, value: Option<&Value>, patterns: &[Node]) -> Step {
        let Some(value) = value else { return Ok(()) };
        let Value::Array(items) = value else {
            return Err(self.failure(
                Kind::Other,
                || format!("{}{key}/", self.path),
                || {
                    format!(
                        "invalid resource type {}: Existence ^ () anchor can be used only on list/array type resource",
                        type_name(Some(value))
                    )
                },
            ));
        };
        self.nested(key, |ev| {
            for pattern in patterns {
                let found = items.iter().enumerate().any(|(i, item)| {
                    ev.nested_index(i, |ev| ev.element(Some(item), pattern).is_ok())
                });
                if !found {
                    return Err(
                        ev.other(|p| format!("existence anchor validation failed at path {p}"))
                    );
                }
            }
            Ok(())
        })
    }

    /// Kyverno `validateArray`.
    fn array(&mut self, whole: &Value, items: &[Value], a: &ArrayNode) -> Step {
        match a {
            ArrayNode::OfMaps(node) => self.elements(items.iter().map(|item| (item, &**node))),
            ArrayNode::OfScalars(leaf) => self.leaf(Some(whole), leaf),
            ArrayNode::Positional(nodes) => {
                if items.len() < nodes.len() {
                    return Err(self.failure(Kind::Other, String::new, || {
                        format!(
                            "validate Array failed, array length mismatch, resource Array len is {} and pattern Array len is {}",
                            items.len(),
                            nodes.len()
                        )
                    }));
                }
                self.elements(items.iter().zip(nodes.iter()))
            }
        }
    }

    /// Each resource element against its pattern; skipped elements are ignored unless all are.
    fn elements<'a>(&mut self, pairs: impl Iterator<Item = (&'a Value, &'a Node)>) -> Step {
        let mut applied = 0usize;
        let mut skips = SkipLog::default();
        for (i, (item, node)) in pairs.enumerate() {
            match self.nested_index(i, |ev| ev.element(Some(item), node)) {
                Ok(()) => applied += 1,
                Err(f) if f.is_skip() => skips.push(f, self.verbose),
                Err(f) => return Err(f),
            }
        }
        if applied == 0 && skips.count > 0 {
            return Err(self.combined_skip(&skips));
        }
        Ok(())
    }
}

/// Skip errors recorded while evaluating a map's anchors or an array's elements; the errors
/// themselves are kept only in verbose mode, so that quiet runs do not allocate.
#[derive(Default)]
struct SkipLog {
    count: usize,
    /// Some recorded skip is a raw conditional/global anchor error.
    raw: bool,
    items: Vec<Failure>,
}

impl SkipLog {
    fn push(&mut self, f: Failure, verbose: bool) {
        self.count += 1;
        self.raw |= f.is_raw_anchor();
        if verbose {
            self.items.push(f);
        }
    }
}

/// An entry with its wildcard-expanded key, for ordering.
struct Resolved<'a> {
    raw: String,
    entry: &'a Entry,
    key: &'a str,
}

impl HasRaw for Resolved<'_> {
    fn raw(&self) -> &str {
        &self.raw
    }
    fn is_global(&self) -> bool {
        self.entry.anchor == Some(AnchorKind::Global)
    }
}
