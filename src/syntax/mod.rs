//! The policy documents as written: Kyverno's schema read from spanned YAML, with diagnostics
//! for unknown fields, wrong types, missing required fields and invalid values.

pub mod ast;
mod lint;
mod parse;
pub mod reader;

pub use parse::{is_policy, parse_policy};
