//! The command line's own input files (a Test, a Values file, a UserInfo file, a
//! ClusterResource, an AdmissionConfiguration): one YAML document each, read against a fixed
//! schema with the library's [`Reader`], so that every problem is a diagnostic with the file,
//! line, column and, for a misspelt field, a suggestion — rendered as `rampart check` renders a
//! policy's.

use std::path::{Path, PathBuf};

use rampart::diag::FileId;
use rampart::reader::{Obj, Reader, Spanned};
use rampart::source::{self, Input};
use rampart::yaml::{Node, NodeValue, Span};
use rampart::{Diagnostic, SourceMap};

/// The `apiVersion` of the command line's documents (Test, Values, UserInfo, ClusterResource).
pub const CLI_API_VERSION: &str = "cli.kyverno.io/v1alpha1";

/// One document read from a file.
#[derive(Debug)]
pub struct Document {
    /// The file, in the source map.
    pub file: FileId,
    /// The document.
    pub node: Node,
}

/// Why a file gave no document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// The file could not be read (the message says why).
    Io(String),
    /// The text is not one YAML document; the diagnostics say why.
    Invalid,
}

/// Reads a file that holds one YAML document. Invalid YAML, an empty file and more than one
/// document are diagnostics.
pub fn read_one(
    path: &Path,
    what: &str,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Document, Unread> {
    let text =
        source::read(&Input::File(path.to_path_buf())).map_err(|e| Unread::Io(e.to_string()))?;
    let file = sources.add(path.display().to_string(), text);
    one(file, what, sources, diagnostics)
}

/// The one YAML document of a file already in the source map.
pub fn one(
    file: FileId,
    what: &str,
    sources: &SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Document, Unread> {
    let mut docs = match rampart::yaml::parse_nodes(sources.text(file)) {
        Ok(docs) => docs,
        Err(e) => {
            diagnostics.push(source::yaml_diagnostic(file, &e));
            return Err(Unread::Invalid);
        }
    };
    if let Some(extra) = docs.get(1) {
        // Point at the document's first line, not all of it.
        let span = match &extra.value {
            NodeValue::Map(entries) => entries.first().map_or(extra.span, |(k, _)| k.span),
            _ => extra.span,
        };
        diagnostics.push(
            Diagnostic::error(file, span, format!("a {what} file holds one document"))
                .with_label("a second document")
                .with_note(format!(
                    "move it to a file of its own: only one {what} is read from a file"
                )),
        );
        return Err(Unread::Invalid);
    }
    match docs.pop() {
        Some(node) => Ok(Document { file, node }),
        None => {
            diagnostics.push(
                Diagnostic::error(file, Span::new(0, 0), format!("no {what} in this file"))
                    .with_label("empty"),
            );
            Err(Unread::Invalid)
        }
    }
}

/// Reads a document with `read`; `Err` when it found any error (the diagnostics say which, in
/// the order of the text).
pub fn read_with<T>(
    doc: &Document,
    diagnostics: &mut Vec<Diagnostic>,
    read: impl FnOnce(&mut Reader, &Node) -> Option<T>,
) -> Result<T, Unread> {
    let errors = |d: &[Diagnostic]| d.iter().filter(|d| d.is_error()).count();
    let before = errors(diagnostics);
    let first = diagnostics.len();
    let value = read(&mut Reader::new(doc.file, diagnostics), &doc.node);
    if let Some(new) = diagnostics.get_mut(first..) {
        new.sort_by_key(|d| d.span.start);
    }
    match value {
        Some(value) if errors(diagnostics) == before => Ok(value),
        _ => Err(Unread::Invalid),
    }
}

/// Reads `apiVersion` and `kind` of a document (which must be `api_version` and `kind`) and its
/// `metadata`; returns `metadata.name` when given.
pub fn header(
    r: &mut Reader,
    obj: &mut Obj,
    api_version: &'static str,
    kind: &'static str,
) -> Option<Spanned<String>> {
    for (field, value) in [("apiVersion", api_version), ("kind", kind)] {
        match obj.field(field) {
            Some(node) => {
                r.one_of(node, field, &[value]);
            }
            None => {
                let span = obj.head_span();
                r.error(
                    span,
                    format!("missing `{field}`: a {kind} starts with `apiVersion: {api_version}` and `kind: {kind}`"),
                    format!("no `{field}`"),
                )
                .notes
                .push(format!(
                    "files without `apiVersion` and `kind` use the schema Kyverno removed; add `apiVersion: {api_version}` and `kind: {kind}`"
                ));
            }
        }
    }
    obj.field("metadata").and_then(|m| metadata(r, m))
}

/// Reads an object's `metadata`; returns `name` when given.
pub fn metadata(r: &mut Reader, node: &Node) -> Option<Spanned<String>> {
    let mut obj = r.object(node, "metadata")?;
    let name = obj.field("name").and_then(|n| r.string(n, "metadata.name"));
    for field in ["labels", "annotations"] {
        if let Some(n) = obj.field(field) {
            r.string_map(n, field);
        }
    }
    for field in std::iter::once(&"namespace").chain(rampart::reader::OTHER_METADATA_FIELDS) {
        obj.field(field);
    }
    obj.finish(r);
    name
}

/// Reads a list of paths, relative to `base`.
pub fn paths(r: &mut Reader, node: &Node, what: &str, base: &Path) -> Vec<Spanned<PathBuf>> {
    r.string_list(node, what)
        .into_iter()
        .map(|p| Spanned::new(base.join(&p.value), p.span))
        .collect()
}

/// Reads one path, relative to `base`.
pub fn path(r: &mut Reader, node: &Node, what: &str, base: &Path) -> Option<Spanned<PathBuf>> {
    r.string(node, what)
        .map(|p| Spanned::new(base.join(&p.value), p.span))
}

/// Reports a path that names nothing on disk, at the place it is written.
pub fn check_exists(r: &mut Reader, path: &Spanned<PathBuf>) {
    if !path.value.exists() {
        r.error(
            path.span,
            format!("{} does not exist", path.value.display()),
            "no such file or directory",
        )
        .notes
        .push("paths are relative to the directory of the file that names them".into());
    }
}
