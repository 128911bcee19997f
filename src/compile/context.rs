//! Compiling a rule's `context[]` entries. `variable` entries are evaluated by the engine;
//! `configMap`, `apiCall`, `globalReference` and `imageRegistry` need data from a cluster or a
//! registry, which offline runs take from values files (or test mocks) under the entry's name.

use crate::diag::{Diagnostic, FileId};
use crate::expr::{self, Expr};
use crate::syntax::reader::Reader;
use crate::template::{Dynamic, Template};
use crate::yaml::Node;

/// A JMESPath written in a context entry: compiled once, or after substitution when it holds
/// variables.
#[derive(Debug, Clone)]
pub enum Query {
    /// A constant expression.
    Static(Expr),
    /// An expression with `{{ }}` variables.
    Templated(Template),
}

/// One compiled `context[]` entry.
// A rule holds a handful of entries, built once: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum ContextEntry {
    /// `variable: {value, jmesPath, default}`.
    Variable {
        /// Entry name (may be dotted).
        name: String,
        /// `value`.
        value: Option<Dynamic>,
        /// `jmesPath`.
        query: Option<Query>,
        /// `default`.
        default: Option<Dynamic>,
    },
    /// An entry whose data comes from outside: values files, or test mocks for `apiCall` and
    /// `globalReference`.
    External {
        /// Entry name.
        name: String,
        /// `configMap`, `apiCall`, `globalReference` or `imageRegistry`.
        source: &'static str,
        /// What a mock answers, for `apiCall` and `globalReference`.
        lookup: Option<ExternalLookup>,
    },
}

/// The request an `apiCall` or `globalReference` entry makes, compiled.
#[derive(Debug, Clone)]
pub struct ExternalLookup {
    /// What is asked for: the API call's `urlPath`, its `service.url`, or the global entry's name.
    pub target: ExternalTarget,
    /// `method` (`GET` when not written).
    pub method: String,
    /// `jmesPath` applied to the answer.
    pub query: Option<Query>,
    /// `default` when the call fails.
    pub default: Option<Dynamic>,
}

/// The address of an external lookup.
#[derive(Debug, Clone)]
pub enum ExternalTarget {
    /// `apiCall.urlPath` (Kubernetes API path).
    UrlPath(Dynamic),
    /// `apiCall.service.url`.
    Url(Dynamic),
    /// `globalReference.name`.
    Global(String),
}

impl ContextEntry {
    /// The entry's name.
    pub fn name(&self) -> &str {
        match self {
            ContextEntry::Variable { name, .. } | ContextEntry::External { name, .. } => name,
        }
    }
}

const SOURCES: &[(&str, &[&str])] = &[
    ("configMap", &["name", "namespace"]),
    (
        "apiCall",
        &[
            "urlPath", "method", "data", "service", "jmesPath", "default",
        ],
    ),
    ("globalReference", &["name", "jmesPath"]),
    (
        "imageRegistry",
        &["reference", "jmesPath", "imageRegistryCredentials"],
    ),
];

fn dynamic(r: &mut Reader, node: &Node) -> Option<Dynamic> {
    match Dynamic::compile(&node.to_json()) {
        Ok(d) => Some(d),
        Err(e) => {
            r.error(
                node.span_at(e.offset),
                format!("invalid variable: {e}"),
                "here",
            );
            None
        }
    }
}

fn query(r: &mut Reader, node: &Node) -> Option<Query> {
    let text = r.string(node, "jmesPath")?;
    match Template::parse(&text.value) {
        Ok(Some(t)) => return Some(Query::Templated(t)),
        Ok(None) => {}
        Err(e) => {
            let span = text.span.at_offset(&text.value, e.offset);
            r.error(span, format!("invalid variable: {e}"), "here");
            return None;
        }
    }
    match expr::parse(&text.value) {
        Ok(e) => Some(Query::Static(e)),
        Err(e) => {
            let span = text.span.at_offset(&text.value, e.offset);
            r.error(
                span,
                format!("invalid JMESPath expression: {}", e.message),
                "here",
            );
            None
        }
    }
}

/// The lookup of an `apiCall` or `globalReference` entry (other sources have none).
fn external_lookup(r: &mut Reader, source: &str, node: &Node) -> Option<ExternalLookup> {
    let text =
        |r: &mut Reader, n: Option<&Node>| n.and_then(|n| r.string(n, "context source field"));
    let dynamic_of = |r: &mut Reader, n: &Node| dynamic(r, n);
    let target = match source {
        "apiCall" => match (
            node.get("urlPath"),
            node.get("service").and_then(|s| s.get("url")),
        ) {
            (Some(p), _) => ExternalTarget::UrlPath(dynamic_of(r, p)?),
            (None, Some(u)) => ExternalTarget::Url(dynamic_of(r, u)?),
            (None, None) => return None,
        },
        "globalReference" => ExternalTarget::Global(text(r, node.get("name"))?.value),
        _ => return None,
    };
    Some(ExternalLookup {
        target,
        method: text(r, node.get("method"))
            .map(|m| m.value)
            .unwrap_or_else(|| "GET".into()),
        query: node.get("jmesPath").and_then(|n| query(r, n)),
        default: node.get("default").and_then(|n| dynamic(r, n)),
    })
}

/// Compiles `context[]`. Problems are reported to `diagnostics`; `None` when any entry is invalid.
pub fn compile(
    file: FileId,
    node: &Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<ContextEntry>> {
    let mut r = Reader::new(file, diagnostics);
    let items = r.list(node, "context")?;
    let mut entries = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        let Some(mut obj) = r.object(item, "context entry") else {
            ok = false;
            continue;
        };
        let name = obj
            .required(&mut r, "name")
            .and_then(|n| r.string(n, "context entry name"));
        let mut found: Vec<ContextEntry> = Vec::new();
        if let Some(v) = obj.field("variable") {
            if let Some(mut var) = r.object(v, "context variable") {
                let value = var.field("value").map(|n| dynamic(&mut r, n));
                let q = var.field("jmesPath").map(|n| query(&mut r, n));
                let default = var.field("default").map(|n| dynamic(&mut r, n));
                var.finish(&mut r);
                let valid = value.as_ref().is_none_or(Option::is_some)
                    && q.as_ref().is_none_or(Option::is_some)
                    && default.as_ref().is_none_or(Option::is_some);
                if valid {
                    found.push(ContextEntry::Variable {
                        name: name.as_ref().map(|n| n.value.clone()).unwrap_or_default(),
                        value: value.flatten(),
                        query: q.flatten(),
                        default: default.flatten(),
                    });
                } else {
                    ok = false;
                }
            }
        }
        for (source, fields) in SOURCES {
            if let Some(n) = obj.field(source) {
                let mut lookup = None;
                if let Some(mut inner) = r.object(n, "context source") {
                    for f in *fields {
                        inner.field(f);
                    }
                    lookup = external_lookup(&mut r, source, n);
                    inner.finish(&mut r);
                }
                found.push(ContextEntry::External {
                    name: name.as_ref().map(|n| n.value.clone()).unwrap_or_default(),
                    source,
                    lookup,
                });
            }
        }
        let head = obj.head_span();
        obj.finish(&mut r);
        match (found.len(), name) {
            (1, Some(_)) => entries.extend(found),
            (0, Some(n)) => {
                r.error(head, format!("context entry `{}` has no source", n.value), "nothing to load")
                    .notes
                    .push("add one of `variable`, `configMap`, `apiCall`, `globalReference` or `imageRegistry`".into());
                ok = false;
            }
            (_, Some(n)) => {
                r.error(
                    head,
                    format!("context entry `{}` has more than one source", n.value),
                    "several sources",
                );
                ok = false;
            }
            (_, None) => ok = false,
        }
    }
    ok.then_some(entries)
}
