//! YAML loading with Kubernetes scalar rules and a span on every node.
//!
//! Documents are built straight from `saphyr-parser` events. Scalars resolve the way
//! sigs.k8s.io/yaml (go-yaml v2, then JSON) resolves them: YAML 1.1 booleans (`yes`, `on`),
//! Go integer syntax (`010` is 8, `1_000` is 1000), integral floats become integers, `.inf` and
//! `.nan` are errors, and non-string keys become strings. Duplicate keys are errors; anchors,
//! aliases and `<<` merge keys work, with limits on alias expansion and nesting depth.

mod emit;
mod error;
mod events;
mod json;
mod node;
mod offsets;
#[cfg(test)]
mod proptests;
mod resolve;
mod tree;

pub use emit::to_yaml_string;
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
/// JSON text (objects or arrays, possibly several in a row) takes a serde_json fast path with
/// the same results; anything else, and any JSON it declines, goes through the YAML parser.
pub fn parse_values(text: &str) -> Result<Vec<serde_json::Value>, YamlError> {
    match json::parse_stream(text) {
        Some(docs) => Ok(docs),
        None => events::build(text),
    }
}
