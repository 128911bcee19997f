//! `apply --context-file`: a `cli.kyverno.io/v1alpha1 Context` document whose `spec.resources`
//! are the cluster's objects (they answer `configMap` entries, API paths and namespace labels,
//! as a test's `clusterResources` do). Read strictly, like every CLI file.

use std::path::Path;

use rampart::reader::Reader;
use rampart::yaml::Node;
use rampart::{Diagnostic, SourceMap};
use serde_json::Value;

use super::document::{self, CLI_API_VERSION, Unread};
use super::test_cluster;

/// What a context file holds.
#[derive(Debug, Default)]
pub struct ContextFile {
    /// `spec.resources`: the cluster's objects.
    pub resources: Vec<Value>,
    /// Whether `spec.images` was given (image data this version does not use).
    pub images: bool,
}

/// Reads a context file.
pub fn load(
    path: &Path,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<ContextFile, Unread> {
    let doc = document::read_one(path, "Context", sources, diagnostics)?;
    document::read_with(&doc, diagnostics, |r, node| {
        let mut obj = r.object(node, "Context")?;
        if let Some(n) = obj.field("apiVersion") {
            r.one_of(n, "apiVersion", &[CLI_API_VERSION]);
        }
        if let Some(n) = obj.field("kind") {
            r.one_of(n, "kind", &["Context"]);
        }
        if let Some(m) = obj.field("metadata") {
            document::metadata(r, m);
        }
        let spec = obj.required(r, "spec").and_then(|s| spec(r, s));
        obj.finish(r);
        spec
    })
}

fn spec(r: &mut Reader, node: &Node) -> Option<ContextFile> {
    let mut obj = r.object(node, "Context spec")?;
    let resources = obj
        .field("resources")
        .and_then(|n| r.list(n, "resources"))
        .map(|items| {
            items
                .iter()
                .filter_map(|i| test_cluster::object(r, i))
                .collect()
        })
        .unwrap_or_default();
    let images = obj.field("images").is_some();
    obj.finish(r);
    Some(ContextFile { resources, images })
}
