//! YAML loading with Kubernetes scalar rules and a span on every node.
//!
//! (parser in progress)

mod node;

pub use node::{Key, Node, NodeValue, Span};
