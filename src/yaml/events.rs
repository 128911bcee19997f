//! Builds documents straight from saphyr-parser events: scalars resolved the Kubernetes way,
//! anchors and merge keys expanded, duplicate keys rejected, nesting and alias expansion bounded.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use super::error::YamlError;
use super::offsets::Offsets;
use super::resolve::{CoreTag, Scalar, resolve};
use super::tree::{Shape, Tree};
use super::{Key, Span};

/// The deepest nesting of lists and mappings accepted.
pub(crate) const MAX_DEPTH: usize = 256;

/// The most nodes that alias expansion may copy into one document (a guard against
/// "billion laughs" documents).
pub(crate) const MAX_ALIAS_NODES: usize = 250_000;

/// Parses every document of `text` into trees of type `T`, skipping documents with no content.
pub(crate) fn build<T: Tree>(text: &str) -> Result<Vec<T>, YamlError> {
    let mut builder = Builder::<T>::new(text);
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| builder.scan_error(&e))?;
        let span = builder.span(span);
        builder.on_event(event, span)?;
    }
    Ok(builder.docs)
}

/// The key slot of a mapping being built.
enum PendingKey {
    /// A key was read; its value comes next.
    Key(Key),
    /// A `<<` merge key was read; its value is merged in at the end of the mapping.
    Merge,
}

/// What is being collected in an open container.
enum Body<T: Tree> {
    Seq(Vec<T>),
    Map {
        map: T::Map,
        key: Option<PendingKey>,
        /// Entries from merge keys, in precedence order.
        merged: Vec<(Key, T)>,
    },
}

/// An open list or mapping.
struct Frame<T: Tree> {
    start: usize,
    end: usize,
    /// Flow collections (`[...]`, `{...}`) end at their closing bracket; block ones at their
    /// last child.
    flow: bool,
    anchor: usize,
    nodes_at_start: usize,
    body: Body<T>,
}

/// A node that was given an anchor.
struct Anchored<T> {
    /// The node, when it can be a value (a key like `.inf` cannot).
    node: Option<T>,
    /// How many nodes it holds (charged to the alias budget on each use).
    size: usize,
    /// The key string it makes, when it is a scalar.
    key: Option<String>,
}

struct Builder<'t, T: Tree> {
    offsets: Offsets<'t>,
    stack: Vec<Frame<T>>,
    anchors: HashMap<usize, Anchored<T>>,
    docs: Vec<T>,
    /// The root of the current document, once complete, and whether it was written at all.
    root: Option<(T, bool)>,
    /// Nodes in the current document, alias copies included.
    nodes: usize,
    /// Nodes copied by aliases in the current document.
    copied: usize,
}

impl<'t, T: Tree> Builder<'t, T> {
    fn new(text: &'t str) -> Self {
        Builder {
            offsets: Offsets::new(text),
            stack: Vec::new(),
            anchors: HashMap::new(),
            docs: Vec::new(),
            root: None,
            nodes: 0,
            copied: 0,
        }
    }

    fn span(&mut self, span: saphyr_parser::Span) -> Span {
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index());
        Span::new(start, end.max(start))
    }

    fn scan_error(&mut self, e: &ScanError) -> YamlError {
        let at = self.offsets.byte(e.marker().index());
        YamlError::new(Span::new(at, at), e.info().to_string())
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.root = None;
                self.nodes = 0;
                self.copied = 0;
            }
            Event::DocumentEnd => {
                if let Some((root, true)) = self.root.take() {
                    self.docs.push(root);
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = match tag {
                    Some(t) => Some(CoreTag::from_tag(&t).map_err(|m| YamlError::new(span, m))?),
                    None => None,
                };
                self.scalar(text, style, anchor, tag, span)?;
            }
            Event::Alias(id) => self.alias(id, span)?,
            Event::SequenceStart(anchor, tag) => {
                self.open(anchor, tag.as_deref(), span, Body::Seq(Vec::new()))?;
            }
            Event::MappingStart(anchor, tag) => {
                let body = Body::Map {
                    map: T::new_map(),
                    key: None,
                    merged: Vec::new(),
                };
                self.open(anchor, tag.as_deref(), span, body)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// True when the innermost open container is a mapping waiting for a key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                body: Body::Map { key: None, .. },
                ..
            })
        )
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<CoreTag>,
        span: Span,
    ) -> Result<(), YamlError> {
        let plain = style == ScalarStyle::Plain;
        let written = !(plain && tag.is_none() && anchor == 0 && text.is_empty());
        if self.expects_key() {
            if plain && tag.is_none() && text == "<<" {
                return self.set_key(PendingKey::Merge, span);
            }
            let resolved = resolve(text, plain, tag).map_err(|m| YamlError::new(span, m))?;
            if anchor != 0 {
                let node = resolved
                    .clone()
                    .into_scalar()
                    .ok()
                    .map(|s| T::scalar(span, s));
                self.remember(anchor, node, 1, None);
            }
            let text = resolved.into_key().map_err(|m| YamlError::new(span, m))?;
            if let Some(a) = self.anchors.get_mut(&anchor) {
                a.key = Some(text.clone());
            }
            return self.set_key(PendingKey::Key(Key { span, text }), span);
        }
        let resolved = resolve(text, plain, tag).map_err(|m| YamlError::new(span, m))?;
        let key = if anchor != 0 {
            resolved.clone().into_key().ok()
        } else {
            None
        };
        let value: Scalar = resolved
            .into_scalar()
            .map_err(|m| YamlError::new(span, m))?;
        self.nodes += 1;
        self.complete(T::scalar(span, value), span, anchor, 1, key, written)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), YamlError> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(YamlError::new(
                span,
                "this alias refers to an anchor whose node is not complete yet (an alias cannot be used inside its own anchor)",
            ));
        };
        if self.expects_key() {
            let Some(text) = anchored.key.clone() else {
                return Err(YamlError::new(
                    span,
                    "an alias used as a mapping key must refer to a scalar",
                ));
            };
            return self.set_key(PendingKey::Key(Key { span, text }), span);
        }
        let size = anchored.size;
        let Some(node) = anchored.node.clone() else {
            return Err(YamlError::new(
                span,
                "this alias refers to a value that cannot be represented in JSON",
            ));
        };
        self.copied = self.copied.saturating_add(size);
        if self.copied > MAX_ALIAS_NODES {
            return Err(YamlError::new(
                span,
                format!("aliases expand to more than {MAX_ALIAS_NODES} nodes in this document"),
            ));
        }
        self.nodes = self.nodes.saturating_add(size);
        self.complete(node.with_span(span), span, 0, size, None, true)
    }

    fn set_key(&mut self, key: PendingKey, span: Span) -> Result<(), YamlError> {
        if let Some(Frame {
            body: Body::Map { map, key: slot, .. },
            end,
            ..
        }) = self.stack.last_mut()
        {
            if let PendingKey::Key(k) = &key
                && T::map_contains(map, &k.text)
            {
                return Err(YamlError::new(
                    span,
                    format!("duplicate key `{}` in this mapping", k.text),
                ));
            }
            *slot = Some(key);
            *end = (*end).max(span.end);
        }
        Ok(())
    }

    fn open(
        &mut self,
        anchor: usize,
        tag: Option<&saphyr_parser::Tag>,
        span: Span,
        body: Body<T>,
    ) -> Result<(), YamlError> {
        let (what, allowed) = match body {
            Body::Seq(_) => ("a list", CoreTag::Seq),
            Body::Map { .. } => ("a mapping", CoreTag::Map),
        };
        if let Some(tag) = tag {
            let tag = CoreTag::from_tag(tag).map_err(|m| YamlError::new(span, m))?;
            if tag != allowed {
                return Err(YamlError::new(
                    span,
                    format!("the tag {} cannot be used on {what}", tag.name()),
                ));
            }
        }
        if self.expects_key() {
            return Err(YamlError::new(
                span,
                format!("a mapping key must be a scalar, not {what}"),
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError::new(
                span,
                format!("lists and mappings are nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        let flow = matches!(
            self.offsets.text().as_bytes().get(span.start),
            Some(b'[' | b'{')
        );
        self.stack.push(Frame {
            flow,
            start: span.start,
            end: span.end,
            anchor,
            nodes_at_start: self.nodes,
            body,
        });
        Ok(())
    }

    fn close(&mut self, span: Span) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Err(YamlError::new(span, "unexpected end of a collection"));
        };
        let end = if frame.flow {
            frame.end.max(span.end)
        } else {
            frame.end
        };
        let whole = Span::new(frame.start, end);
        let node = match frame.body {
            Body::Seq(items) => T::seq(whole, items),
            Body::Map {
                mut map, merged, ..
            } => {
                for (k, v) in merged {
                    if !T::map_contains(&map, &k.text) {
                        T::map_insert(&mut map, k, v);
                    }
                }
                T::map(whole, map)
            }
        };
        self.nodes += 1;
        let size = self.nodes - frame.nodes_at_start;
        self.complete(node, whole, frame.anchor, size, None, true)
    }

    fn remember(&mut self, anchor: usize, node: Option<T>, size: usize, key: Option<String>) {
        self.anchors.insert(anchor, Anchored { node, size, key });
    }

    /// Attaches a finished node to its parent (or makes it the document root).
    fn complete(
        &mut self,
        node: T,
        span: Span,
        anchor: usize,
        size: usize,
        key: Option<String>,
        written: bool,
    ) -> Result<(), YamlError> {
        if anchor != 0 {
            self.remember(anchor, Some(node.clone()), size, key);
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some((node, written));
            return Ok(());
        };
        frame.end = frame.end.max(span.end);
        match &mut frame.body {
            Body::Seq(items) => items.push(node),
            Body::Map {
                map, key, merged, ..
            } => match key.take() {
                Some(PendingKey::Key(k)) => T::map_insert(map, k, node),
                Some(PendingKey::Merge) => merge_sources(node, span, merged)?,
                None => {
                    return Err(YamlError::new(span, "a mapping key must be a scalar"));
                }
            },
        }
        Ok(())
    }
}

/// Adds the entries a `<<` value brings: one mapping, or a list of mappings where earlier ones
/// take precedence (keys already present win, so appending in order is enough).
fn merge_sources<T: Tree>(
    value: T,
    span: Span,
    merged: &mut Vec<(Key, T)>,
) -> Result<(), YamlError> {
    let wrong = || {
        YamlError::new(
            span,
            "the value of a merge key `<<` must be a mapping or a list of mappings",
        )
    };
    match value.into_shape(span) {
        Shape::Map(entries) => merged.extend(entries),
        Shape::Seq(items) => {
            for item in items {
                match item.into_shape(span) {
                    Shape::Map(entries) => merged.extend(entries),
                    _ => return Err(wrong()),
                }
            }
        }
        Shape::Other => return Err(wrong()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Node, NodeValue, parse_nodes, parse_values};
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> serde_json::Value {
        match parse_values(text) {
            Ok(mut docs) if docs.len() == 1 => docs.remove(0),
            other => panic!("expected one document from {text:?}, got {other:?}"),
        }
    }

    fn err(text: &str) -> YamlError {
        match parse_values(text) {
            Err(e) => e,
            Ok(v) => panic!("expected an error from {text:?}, got {v:?}"),
        }
    }

    #[test]
    fn block_and_flow_collections() {
        let text = "a: 1\nb:\n  - x\n  - {c: d, e: [1, 2]}\nf: []\ng: {}\n";
        assert_eq!(
            one(text),
            json!({"a": 1, "b": ["x", {"c": "d", "e": [1, 2]}], "f": [], "g": {}})
        );
    }

    #[test]
    fn scalar_resolution_in_documents() {
        let text = "a: yes\nb: 'yes'\nc: \"010\"\nd: 010\ne: ~\nf:\ng: 1.0\nh: |\n  text\ni: >-\n  folded\n  line\n";
        assert_eq!(
            one(text),
            json!({"a": true, "b": "yes", "c": "010", "d": 8, "e": null, "f": null, "g": 1,
                   "h": "text\n", "i": "folded line"})
        );
    }

    #[test]
    fn stringified_keys() {
        assert_eq!(
            one("true: a\nno: b\n1: c\n010: d\n1.5: e\n'x': f\n"),
            json!({"true": "a", "false": "b", "1": "c", "8": "d", "1.5": "e", "x": "f"})
        );
        // go-yaml v2 reads a plain `y` key as the boolean true.
        assert_eq!(
            one("y: 1
x: 2
"),
            json!({"true": 1, "x": 2})
        );
        let e = err("on: push\ntrue: x\n");
        assert_eq!(e.message, "duplicate key `true` in this mapping");
        assert_eq!(e.span, Span::new(9, 13));
        assert!(err("~: x\n").message.contains("null"));
        assert!(err("[a]: x\n").message.contains("must be a scalar"));
        assert!(err("? {a: 1}\n: x\n").message.contains("must be a scalar"));
    }

    #[test]
    fn duplicate_key_points_at_the_second() {
        let text = "a: 1\nb: 2\na: 3\n";
        let e = err(text);
        assert_eq!(e.span, Span::new(10, 11));
        assert!(e.message.contains("duplicate key `a`"));
        // Quoted and plain spellings of the same key are the same key.
        assert!(err("a: 1\n\"a\": 2\n").message.contains("duplicate"));
        // Large mappings use an index.
        let big: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        assert!(err(&format!("{big}k7: again\n")).message.contains("`k7`"));
    }

    #[test]
    fn anchors_aliases_and_merge() {
        let text = "base: &b {p: 1, q: 2}\nlist: &l [a, b]\nuse: *b\nagain: *l\nmerged:\n  <<: *b\n  q: 3\n  z: 4\n";
        assert_eq!(
            one(text),
            json!({"base": {"p": 1, "q": 2}, "list": ["a", "b"], "use": {"p": 1, "q": 2},
                   "again": ["a", "b"], "merged": {"q": 3, "z": 4, "p": 1}})
        );
        // A list of merge sources: earlier ones win; explicit keys win over all.
        let text = "a: &a {k: a, only_a: 1}\nb: &b {k: b, only_b: 2}\nm:\n  <<: [*a, *b]\n";
        assert_eq!(one(text)["m"], json!({"k": "a", "only_a": 1, "only_b": 2}));
        // A quoted "<<" is an ordinary key.
        assert_eq!(one("'<<': x\n"), json!({"<<": "x"}));
        assert!(err("m:\n  <<: 1\n").message.contains("merge key"));
        assert!(
            err("a: &a [1]\nm:\n  <<: [*a]\n")
                .message
                .contains("merge key")
        );
        // Scalar anchors, also as keys.
        assert_eq!(
            one("a: &k name\n*k : v\n"),
            json!({"a": "name", "name": "v"})
        );
    }

    #[test]
    fn alias_bomb_is_stopped() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(err(&text).message.contains("aliases expand"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep_block: String = (0..1000)
            .map(|i| format!("{}- \n", "  ".repeat(i)))
            .collect();
        let e = parse_values(&deep_block);
        assert!(e.is_err());
        let deep_flow = "[".repeat(100_000);
        assert!(parse_values(&deep_flow).is_err());
        let nested = format!("{}1\n", "- ".repeat(300));
        assert!(err(&nested).message.contains("nested"));
        let ok = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(parse_values(&ok).is_ok());
    }

    #[test]
    fn tags() {
        assert_eq!(
            one(
                "a: !!str 12\nb: !!int \"12\"\nc: !!float 2\nd: !!bool yes\ne: !!null ''\nf: !!map {}\ng: !!seq []\n"
            ),
            json!({"a": "12", "b": 12, "c": 2, "d": true, "e": null, "f": {}, "g": []})
        );
        let e = err("a: !Ref thing\n");
        assert!(e.message.contains("`!Ref`"), "{}", e.message);
        assert_eq!(e.span.start, 3);
        assert!(err("a: !!binary aGk=\n").message.contains("`!!binary`"));
        assert!(err("a: !!int 1.5\n").message.contains("not a valid !!int"));
        assert!(
            err("a: !!seq {}\n")
                .message
                .contains("cannot be used on a mapping")
        );
    }

    #[test]
    fn non_finite_values_are_errors() {
        let e = err("a: .inf\n");
        assert_eq!(e.span, Span::new(3, 7));
        assert!(e.message.contains("JSON"));
    }

    #[test]
    fn multiple_and_empty_documents() {
        let text = "---\n---\n# only a comment\n---\na: 1\n...\n---\n- 2\n---\n~\n";
        assert_eq!(
            parse_values(text).ok(),
            Some(vec![json!({"a": 1}), json!([2]), json!(null)])
        );
        assert_eq!(parse_values("").ok(), Some(vec![]));
        assert_eq!(parse_values("# nothing\n").ok(), Some(vec![]));
        assert_eq!(
            parse_values("\u{feff}a: 1\n").ok(),
            Some(vec![json!({"a": 1})])
        );
        assert_eq!(
            parse_values("a: 1\r\nb:\r\n  - x\r\n").ok(),
            Some(vec![json!({"a": 1, "b": ["x"]})])
        );
        assert_eq!(
            parse_values("a: x\ty\t# comment\nb: \"x\ty\"\n").ok(),
            Some(vec![json!({"a": "x\ty", "b": "x\ty"})])
        );
    }

    #[test]
    fn anchors_are_per_document() {
        assert!(parse_values("a: &x 1\n---\nb: *x\n").is_err());
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let e = err("a: b\n c: d\n  - e\n");
        assert!(!e.message.is_empty(), "{}", e.message);
        assert!(e.span.start > 0 && e.span.start <= 16);
        assert!(err("a: [1, 2\n").span.start > 0);
        assert!(!err("a: \"open\n").message.starts_with("invalid YAML"));
    }

    fn spans(node: &Node, text: &str, out: &mut Vec<String>) {
        if let Some(s) = text.get(node.span.range()) {
            out.push(s.to_string());
        }
        match &node.value {
            NodeValue::Seq(items) => items.iter().for_each(|n| spans(n, text, out)),
            NodeValue::Map(entries) => {
                for (k, v) in entries {
                    out.push(format!("key {}", text.get(k.span.range()).unwrap_or("?")));
                    spans(v, text, out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn spans_are_byte_ranges() {
        let text = "n: ü\nkey: \"välue\"\nlist:\n  - 1\n  - [a, b]\nm: {x: y}\n";
        let docs = parse_nodes(text).unwrap_or_default();
        let mut out = Vec::new();
        if let Some(d) = docs.first() {
            spans(d, text, &mut out);
        }
        assert_eq!(
            out,
            vec![
                text.trim_end(),
                "key n",
                "ü",
                "key key",
                "\"välue\"",
                "key list",
                "- 1\n  - [a, b]",
                "1",
                "[a, b]",
                "a",
                "b",
                "key m",
                "{x: y}",
                "key x",
                "y",
            ]
        );
    }

    #[test]
    fn alias_nodes_take_the_alias_span() {
        let text = "a: &x {k: v}\nb: *x\n";
        let docs = parse_nodes(text).unwrap_or_default();
        let b = docs.first().and_then(|d| d.get("b")).map(|n| n.span);
        assert_eq!(b, Some(Span::new(16, 18)));
    }

    #[test]
    fn nodes_and_values_agree() {
        let text = "a: [1, {b: c}, yes]\nd: *e\n";
        assert!(parse_nodes(text).is_err());
        let text = "a: &e [1, {b: c}, yes, 1.5]\nd: *e\n";
        let nodes = parse_nodes(text).unwrap_or_default();
        let values: Vec<_> = nodes.iter().map(Node::to_json).collect();
        assert_eq!(Some(values), parse_values(text).ok());
    }
}
