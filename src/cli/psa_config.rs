//! `rampart psa --config`: an `AdmissionConfiguration` whose `PodSecurity` plugin has an inline
//! configuration, or a bare `PodSecurityConfiguration`, read strictly (a misspelt exemption key
//! is an error, not an exemption of nothing), then validated as upstream validates it.

use std::path::Path;

use rampart::podsecurity::admission::{CONFIG_API_VERSIONS, Config};
use rampart::reader::Reader;
use rampart::yaml::Node;
use rampart::{Diagnostic, SourceMap};

use super::document::{self, Document, Unread};

/// The API versions of `AdmissionConfiguration`.
const ADMISSION_API_VERSIONS: &[&str] = &[
    "apiserver.config.k8s.io/v1",
    "apiserver.config.k8s.io/v1alpha1",
    "apiserver.k8s.io/v1alpha1",
];

const MODES: &[&str] = &[
    "enforce",
    "enforce-version",
    "audit",
    "audit-version",
    "warn",
    "warn-version",
];

const EXEMPTIONS: &[&str] = &["usernames", "runtimeClasses", "namespaces"];

/// Reads a configuration file.
pub fn load(
    path: &Path,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Config, Unread> {
    let doc = document::read_one(path, "configuration", sources, diagnostics)?;
    from_document(&doc, diagnostics)
}

/// Reads a configuration document.
pub fn from_document(doc: &Document, diagnostics: &mut Vec<Diagnostic>) -> Result<Config, Unread> {
    document::read_with(doc, diagnostics, |r, node| {
        let kind = node.get("kind").and_then(Node::as_str);
        let configuration = match kind {
            Some("AdmissionConfiguration") => admission_configuration(r, node)?,
            _ => Some(node),
        };
        let Some(configuration) = configuration else {
            return Some(Config::default());
        };
        pod_security_configuration(r, configuration)?;
        match Config::from_value(&configuration.to_json()) {
            Ok(config) => Some(config),
            Err(errors) => {
                for e in errors {
                    let span =
                        field_node(configuration, &e.field).map_or(configuration.span, |n| n.span);
                    r.error(span, format!("{}: {}", e.field, e.message), "invalid");
                }
                None
            }
        }
    })
}

/// Reads an `AdmissionConfiguration`; returns the `PodSecurity` plugin's configuration
/// (`Some(None)` when there is no such plugin).
fn admission_configuration<'n>(r: &mut Reader, node: &'n Node) -> Option<Option<&'n Node>> {
    let mut obj = r.object(node, "AdmissionConfiguration")?;
    obj.required(r, "apiVersion")
        .and_then(|n| r.one_of(n, "apiVersion", ADMISSION_API_VERSIONS));
    obj.field("kind");
    let mut found = None;
    let mut ok = true;
    if let Some(plugins) = obj.field("plugins").and_then(|n| r.list(n, "plugins")) {
        for plugin in plugins {
            let Some(mut p) = r.object(plugin, "plugin") else {
                ok = false;
                continue;
            };
            let name = p.required(r, "name").and_then(|n| r.string(n, "name"));
            let path = p.entry("path");
            let configuration = p.field("configuration");
            p.finish(r);
            if name.as_ref().is_none_or(|n| n.value != "PodSecurity") {
                continue;
            }
            match (path, configuration) {
                (Some((key, _)), _) => {
                    r.error(
                        key.span,
                        "a configuration file named by `path` is not supported",
                        "not supported",
                    )
                    .notes
                    .push("write the PodSecurityConfiguration inline under `configuration`".into());
                    ok = false;
                }
                (None, Some(c)) => found = Some(c),
                (None, None) => {
                    let span = name.map_or(plugin.span, |n| n.span);
                    r.error(
                        span,
                        "the PodSecurity plugin has no `configuration`",
                        "no configuration",
                    );
                    ok = false;
                }
            }
        }
    }
    obj.finish(r);
    ok.then_some(found)
}

/// Checks a `PodSecurityConfiguration` against its schema.
fn pod_security_configuration(r: &mut Reader, node: &Node) -> Option<()> {
    let mut obj = r.object(node, "PodSecurityConfiguration")?;
    obj.required(r, "apiVersion")
        .and_then(|n| r.one_of(n, "apiVersion", &CONFIG_API_VERSIONS));
    obj.required(r, "kind")
        .and_then(|n| r.one_of(n, "kind", &["PodSecurityConfiguration"]));
    if let Some(defaults) = obj.field("defaults") {
        strings(r, defaults, "defaults", MODES, |r, n, field| {
            r.string(n, field);
        });
    }
    if let Some(exemptions) = obj.field("exemptions") {
        strings(r, exemptions, "exemptions", EXEMPTIONS, |r, n, field| {
            r.string_list(n, field);
        });
    }
    obj.finish(r);
    Some(())
}

/// Reads a mapping whose known fields are `fields`, each read by `read`.
fn strings(
    r: &mut Reader,
    node: &Node,
    what: &'static str,
    fields: &'static [&'static str],
    read: fn(&mut Reader, &Node, &str),
) {
    let Some(mut obj) = r.object(node, what) else {
        return;
    };
    for field in fields {
        if let Some(n) = obj.field(field) {
            read(r, n, field);
        }
    }
    obj.finish(r);
}

/// The node of a validation error's field (`defaults.enforce`, `exemptions.namespaces[1]`).
fn field_node<'n>(root: &'n Node, field: &str) -> Option<&'n Node> {
    let segments = field.split('.').flat_map(|part| {
        let (key, index) = match part.split_once('[') {
            Some((key, rest)) => (key, rest.strip_suffix(']')),
            None => (part, None),
        };
        std::iter::once(key).chain(index)
    });
    root.at_path(segments)
}
