//! YAML loading with Kubernetes scalar rules and a span on every node.
//!
//! Documents are built straight from `saphyr-parser` events. Scalars resolve the way
//! sigs.k8s.io/yaml (go-yaml v2, then JSON) resolves them: YAML 1.1 booleans (`yes`, `on`),
//! Go integer syntax (`010` is 8, `1_000` is 1000), integral floats become integers, `.inf` and
//! `.nan` are errors, and non-string keys become strings. Duplicate keys are errors; anchors,
//! aliases and `<<` merge keys work, with limits on alias expansion and nesting depth.
//!
//! Where we differ from Kubernetes, on purpose:
//! - map key order is kept (Go maps, and so `kubectl`, sort keys);
//! - duplicate keys are an error (go-yaml v2's non-strict decoding keeps the last one);
//! - tags other than `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`, `!!seq` are an
//!   error (go-yaml ignores unknown tags and decodes `!!binary`);
//! - merged keys never override keys written in the mapping, wherever `<<` appears, and are
//!   placed after them (the YAML merge-key specification);
//! - YAML syntax is YAML 1.2 as parsed by saphyr (for example a tab after `key:` is rejected).

mod emit;
mod error;
mod events;
mod fast;
mod json;
mod node;
mod offsets;
#[cfg(test)]
mod proptests;
mod resolve;
mod tree;

pub use emit::{Layout, to_yaml_string, to_yaml_string_with};
pub use error::YamlError;
pub use node::{Key, Node, NodeValue, Span};

/// Parses a multi-document YAML (or JSON) stream into one spanned node per non-empty document.
///
/// A document is empty when nothing is written in it (only `---`, comments or whitespace).
pub fn parse_nodes(text: &str) -> Result<Vec<Node>, YamlError> {
    events::build(text)
}

/// Parses a multi-document YAML (or JSON) stream straight to JSON values, without spans.
///
/// Two fast paths come first, each with the same results as the YAML parser on what it accepts:
/// serde_json for JSON text (objects or arrays, possibly several in a row), then a reader for the
/// block YAML that Kubernetes manifests are written in. Anything they decline goes through the
/// YAML parser, which also gives the errors.
pub fn parse_values(text: &str) -> Result<Vec<serde_json::Value>, YamlError> {
    if let Some(docs) = json::parse_stream(text) {
        return Ok(docs);
    }
    if let Some(docs) = fast::parse_stream(text) {
        return Ok(docs);
    }
    events::build(text)
}

/// [`parse_values`] without its fast paths: every text goes through the YAML parser. The
/// reference the fast paths are tested against, and a baseline for benchmarks.
#[doc(hidden)]
pub fn parse_values_without_fast_paths(text: &str) -> Result<Vec<serde_json::Value>, YamlError> {
    events::build(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_fast_path_matches_the_yaml_path() {
        let text = "{\"a\": [1, 1.0, 2.5, 1e3, -0, \"yes\", null, true, {}],\n \"b\": {\"c\": \"\\u00e9\\n\"}}\n";
        let fast = json::parse_stream(text);
        let slow = events::build::<serde_json::Value>(text).ok();
        assert!(fast.is_some());
        assert_eq!(fast, slow);
        // Declined JSON still gets the YAML verdict: a duplicate key is an error with a span.
        let e = parse_values("{\"a\": 1, \"a\": 2}").err();
        assert_eq!(e.map(|e| e.span), Some(Span::new(9, 12)));
    }
}
