//! Reading input: files, directories (recursively) and `-` for standard input; splitting
//! multi-document YAML and JSON streams; flattening `kind: List`.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diag::{Diagnostic, FileId, SourceMap};
use crate::yaml::{self, Node, NodeValue};

/// A problem reading input that is not about a place in a file.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The path could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A directory held no YAML or JSON file.
    #[error("no .yaml, .yml or .json files found in {0}")]
    EmptyDir(String),
    /// A `stdlib:` path that names nothing bundled.
    #[error("{0} is not in the standard library (bundled: {1})")]
    NoStdlib(String, String),
}

/// One input named on the command line: a file, or `-` for standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// Standard input.
    Stdin,
    /// A policy bundled in the binary (`stdlib:<path>`).
    Stdlib(&'static str),
}

impl Input {
    /// The name shown in messages.
    pub fn display_name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
            Input::Stdlib(p) => format!("{}{p}", crate::stdlib::PREFIX),
        }
    }
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Expands command-line paths: directories become the YAML/JSON files below them (sorted,
/// recursively), `-` becomes standard input, files are kept as named.
pub fn expand(paths: &[String]) -> Result<Vec<Input>, SourceError> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(Input::Stdin);
            continue;
        }
        if let Some(path) = p.strip_prefix(crate::stdlib::PREFIX) {
            let found = crate::stdlib::files(path);
            if found.is_empty() {
                let bundled: Vec<&str> = crate::stdlib::paths().collect();
                return Err(SourceError::NoStdlib(p.clone(), bundled.join(", ")));
            }
            out.extend(found.into_iter().map(|(path, _)| Input::Stdlib(path)));
            continue;
        }
        let path = PathBuf::from(p);
        let meta = std::fs::metadata(&path).map_err(|source| SourceError::Io {
            path: p.clone(),
            source,
        })?;
        if meta.is_dir() {
            let before = out.len();
            walk(&path, &mut out)?;
            if out.len() == before {
                return Err(SourceError::EmptyDir(p.clone()));
            }
        } else {
            out.push(Input::File(path));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Input>) -> Result<(), SourceError> {
    let io = |source| SourceError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_manifest(&path) {
            out.push(Input::File(path));
        }
    }
    Ok(())
}

/// Reads an input's text.
pub fn read(input: &Input) -> Result<String, SourceError> {
    match input {
        Input::File(path) => std::fs::read_to_string(path).map_err(|source| SourceError::Io {
            path: path.display().to_string(),
            source,
        }),
        Input::Stdlib(path) => Ok(crate::stdlib::files(path)
            .first()
            .map(|(_, text)| text.to_string())
            .unwrap_or_default()),
        Input::Stdin => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|source| SourceError::Io {
                    path: "<stdin>".into(),
                    source,
                })?;
            Ok(text)
        }
    }
}

/// Turns a YAML error into a diagnostic for `file`.
pub fn yaml_diagnostic(file: FileId, err: &yaml::YamlError) -> Diagnostic {
    Diagnostic::error(file, err.span, format!("invalid YAML: {}", err.message)).with_label("here")
}

/// Parses a file's text into spanned documents, with `kind: List` items flattened.
pub fn spanned_documents(file: FileId, sources: &SourceMap) -> Result<Vec<Node>, Box<Diagnostic>> {
    let docs =
        yaml::parse_nodes(sources.text(file)).map_err(|e| Box::new(yaml_diagnostic(file, &e)))?;
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        flatten_node(doc, &mut out);
    }
    Ok(out)
}

fn flatten_node(doc: Node, out: &mut Vec<Node>) {
    let is_list = doc.get("kind").and_then(Node::as_str) == Some("List");
    if is_list
        && let Some(Node {
            value: NodeValue::Seq(items),
            ..
        }) = doc.get("items")
    {
        for item in items.clone() {
            flatten_node(item, out);
        }
        return;
    }
    out.push(doc);
}

/// Parses a file's text into plain values (no spans), with `kind: List` items flattened.
pub fn value_documents(file: FileId, sources: &SourceMap) -> Result<Vec<Value>, Box<Diagnostic>> {
    let docs =
        yaml::parse_values(sources.text(file)).map_err(|e| Box::new(yaml_diagnostic(file, &e)))?;
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        flatten_value(doc, &mut out);
    }
    Ok(out)
}

fn flatten_value(doc: Value, out: &mut Vec<Value>) {
    if doc.get("kind").and_then(Value::as_str) == Some("List")
        && let Some(Value::Array(items)) = doc.get("items")
    {
        for item in items.clone() {
            flatten_value(item, out);
        }
        return;
    }
    if !doc.is_null() {
        out.push(doc);
    }
}
