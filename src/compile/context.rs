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
    /// An entry whose data comes from outside: the caller's [`crate::ExternalData`], or values
    /// given under the entry's name.
    External {
        /// Entry name.
        name: String,
        /// `configMap`, `apiCall`, `globalReference` or `imageRegistry`.
        source: &'static str,
        /// What is asked for (`None` for `imageRegistry`, which needs a registry).
        lookup: Option<ExternalLookup>,
    },
}

/// What a `configMap`, `apiCall` or `globalReference` entry asks for, compiled.
#[derive(Debug, Clone)]
pub struct ExternalLookup {
    /// What is asked for.
    pub target: ExternalTarget,
    /// `method` (`GET` when not written).
    pub method: String,
    /// `data`: the `POST` body's keys and values.
    pub data: Vec<(String, Dynamic)>,
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
    /// `apiCall.service`.
    Service {
        /// `url`.
        url: Dynamic,
        /// `caBundle`.
        ca_bundle: Option<Dynamic>,
        /// `headers`: names and values.
        headers: Vec<(String, Dynamic)>,
    },
    /// `configMap`: namespace and name.
    ConfigMap {
        /// `namespace` (empty when not written).
        namespace: Dynamic,
        /// `name`.
        name: Dynamic,
    },
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

/// The sources whose data comes from outside the request.
const SOURCES: &[&str] = &["configMap", "apiCall", "globalReference", "imageRegistry"];

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

/// `[{key, value}]` lists (`apiCall.data`, `service.headers`): keys and compiled values.
fn key_values(r: &mut Reader, node: &Node, what: &'static str) -> Option<Vec<(String, Dynamic)>> {
    let mut out = Vec::new();
    for item in r.list(node, what)? {
        let mut obj = r.object(item, what)?;
        let key = obj.required(r, "key").and_then(|k| r.string(k, "key"));
        let value = obj.required(r, "value").and_then(|v| dynamic(r, v));
        obj.finish(r);
        out.push((key?.value, value?));
    }
    Some(out)
}

/// The target of a `service` block.
fn service(r: &mut Reader, node: &Node) -> Option<ExternalTarget> {
    let mut obj = r.object(node, "apiCall service")?;
    let url = obj.required(r, "url").and_then(|u| dynamic(r, u));
    let ca_bundle = obj.field("caBundle").map(|c| dynamic(r, c));
    let headers = obj
        .field("headers")
        .map(|h| key_values(r, h, "service header"));
    obj.finish(r);
    Some(ExternalTarget::Service {
        url: url?,
        ca_bundle: ca_bundle.map_or(Some(None), |c| c.map(Some))?,
        headers: headers.map_or(Some(Vec::new()), |h| h)?,
    })
}

/// Reads the fields of a `configMap`, `apiCall`, `globalReference` or `imageRegistry` entry;
/// `Ok(None)` for `imageRegistry`, which needs a registry, `Err(())` for invalid fields
/// (reported).
fn external_lookup(
    r: &mut Reader,
    source: &str,
    node: &Node,
) -> Result<Option<ExternalLookup>, ()> {
    let mut obj = r.object(node, "context source").ok_or(())?;
    let lookup = match source {
        "configMap" => {
            let name = obj.required(r, "name").and_then(|n| dynamic(r, n));
            let namespace = match obj.field("namespace") {
                Some(n) => dynamic(r, n),
                None => Some(Dynamic::Static(serde_json::Value::String(String::new()))),
            };
            match (name, namespace) {
                (Some(name), Some(namespace)) => Some(Some(ExternalLookup {
                    target: ExternalTarget::ConfigMap { namespace, name },
                    method: "GET".into(),
                    data: Vec::new(),
                    query: None,
                    default: None,
                })),
                _ => None,
            }
        }
        "apiCall" => {
            let target = match (obj.field("urlPath"), obj.field("service")) {
                (Some(p), None) => dynamic(r, p).map(ExternalTarget::UrlPath),
                (None, Some(s)) => service(r, s),
                (Some(p), Some(_)) => {
                    r.error(
                        p.span,
                        "an apiCall has either `urlPath` or `service`, not both",
                        "here",
                    );
                    None
                }
                (None, None) => {
                    r.error(
                        obj.head_span(),
                        "an apiCall needs `urlPath` or `service`",
                        "here",
                    );
                    None
                }
            };
            let method = match obj.field("method") {
                Some(m) => r
                    .one_of(m, "apiCall method", &["GET", "POST"])
                    .map(|m| m.value),
                None => Some("GET".into()),
            };
            let data = obj.field("data").map(|d| key_values(r, d, "apiCall data"));
            let query = obj.field("jmesPath").map(|q| query(r, q));
            let default = obj.field("default").map(|d| dynamic(r, d));
            match (target, method, data, query, default) {
                (Some(target), Some(method), data, query, default)
                    if data.as_ref().is_none_or(Option::is_some)
                        && query.as_ref().is_none_or(Option::is_some)
                        && default.as_ref().is_none_or(Option::is_some) =>
                {
                    Some(Some(ExternalLookup {
                        target,
                        method,
                        data: data.flatten().unwrap_or_default(),
                        query: query.flatten(),
                        default: default.flatten(),
                    }))
                }
                _ => None,
            }
        }
        "globalReference" => {
            let name = obj
                .required(r, "name")
                .and_then(|n| r.string(n, "globalReference name"));
            let query = obj.field("jmesPath").map(|q| query(r, q));
            match (name, query) {
                (Some(name), query) if query.as_ref().is_none_or(Option::is_some) => {
                    Some(Some(ExternalLookup {
                        target: ExternalTarget::Global(name.value),
                        method: "GET".into(),
                        data: Vec::new(),
                        query: query.flatten(),
                        default: None,
                    }))
                }
                _ => None,
            }
        }
        _ => {
            for f in ["reference", "jmesPath", "imageRegistryCredentials"] {
                obj.field(f);
            }
            Some(None)
        }
    };
    obj.finish(r);
    lookup.ok_or(())
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
        for source in SOURCES {
            if let Some(n) = obj.field(source) {
                match external_lookup(&mut r, source, n) {
                    Ok(lookup) => found.push(ContextEntry::External {
                        name: name.as_ref().map(|n| n.value.clone()).unwrap_or_default(),
                        source,
                        lookup,
                    }),
                    Err(()) => ok = false,
                }
            }
        }
        let head = obj.head_span();
        obj.finish(&mut r);
        let written = std::iter::once("variable")
            .chain(SOURCES.iter().copied())
            .filter(|s| item.get(s).is_some())
            .count();
        match (written, name) {
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
