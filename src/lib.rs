//! Rampart: a Kubernetes policy engine for the Kyverno policy language.
//!
//! The pipeline (see `spec/` and the design notes):
//! `source` reads files into spanned YAML nodes, `syntax` turns them into a policy AST with
//! diagnostics, `ir` normalises it, `autogen` adds pod-controller rules, `compile` builds a
//! [`compile::Program`], and `engine` evaluates it against resources. `cli` and `report` render
//! the results.

pub mod diag;
pub mod duration;
pub mod quantity;
pub mod wildcard;
pub mod conditions;
pub mod yaml;
pub mod pattern;
pub mod expr;
pub mod podsecurity;
pub mod autogen;
pub mod ir;
pub mod matching;
pub mod source;
pub mod syntax;
pub mod cli;
pub mod compile;
pub mod engine;
pub mod load;
pub mod report;
