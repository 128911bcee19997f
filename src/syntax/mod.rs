//! The policy documents as written: Kyverno's schema read from spanned YAML, with diagnostics
//! for unknown fields, wrong types, missing required fields and invalid values.

pub mod ast;
pub mod exception;
mod lint;
mod parse;
pub mod podsecurity;
pub mod reader;

pub use exception::{is_exception, parse_exception};
pub use parse::{is_policy, parse_policy};
