//! YAML loading with Kubernetes scalar rules and a span on every node.
//!
//! (parser in progress)

mod node;

pub use node::{Key, Node, NodeValue, Span};

/// A YAML syntax or resolution error at a place in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// Where.
    pub span: Span,
    /// What.
    pub message: String,
}

/// Parses a multi-document stream into spanned nodes (temporary stub until the loader lands).
pub fn parse_nodes(_text: &str) -> Result<Vec<Node>, YamlError> {
    Err(YamlError { span: Span::default(), message: "YAML loader not merged yet".into() })
}

/// Parses a multi-document stream into values (temporary stub until the loader lands).
pub fn parse_values(_text: &str) -> Result<Vec<serde_json::Value>, YamlError> {
    Err(YamlError { span: Span::default(), message: "YAML loader not merged yet".into() })
}

/// Renders YAML (temporary stub).
pub fn to_yaml_string(value: &serde_json::Value) -> String {
    value.to_string()
}
