//! Rampart: a Kubernetes policy engine for the Kyverno policy language.
//!
//! The pipeline (see `spec/` and the design notes):
//! `source` reads files into spanned YAML nodes, `syntax` turns them into a policy AST with
//! diagnostics, `ir` normalises it, `autogen` adds pod-controller rules, `compile` builds a
//! [`compile::Program`], and `engine` evaluates it against resources. `cli` and `report` render
//! the results.

pub mod autogen;
pub mod cli;
pub mod clock;
pub mod compile;
pub mod conditions;
pub mod diag;
pub mod duration;
pub mod engine;
pub mod expr;
pub mod image;
pub mod ir;
pub mod load;
pub mod lookup;
pub mod matching;
pub mod pattern;
pub mod podsecurity;
pub mod quantity;
pub mod report;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod template;
pub mod wildcard;
pub mod yaml;
