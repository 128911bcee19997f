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
    /// The file is not text in an encoding YAML allows.
    #[error(
        "cannot read {path}: {detail} at byte {offset} (line {line}, column {column}); save the file as UTF-8"
    )]
    Encoding {
        /// The path.
        path: String,
        /// The byte offset of the first bad byte.
        offset: usize,
        /// Its 1-based line.
        line: usize,
        /// Its 1-based column (in characters).
        column: usize,
        /// What is wrong.
        detail: String,
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
    // Kubernetes' projected volumes (a mounted ConfigMap or Secret) hold every file twice:
    // as `<key>` and inside the atomic writer's `..data` and `..<timestamp>` directories.
    let projected = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(".."))
    };
    for path in entries.into_iter().filter(|p| !projected(p)) {
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_manifest(&path) {
            out.push(Input::File(path));
        }
    }
    Ok(())
}

/// Where and why bytes are not text.
struct BadText {
    /// Byte offset in the file.
    offset: usize,
    /// The text decoded before it (for its line and column).
    before: String,
    detail: &'static str,
}

impl BadText {
    fn error(self, path: &str) -> SourceError {
        let line = self.before.matches('\n').count() + 1;
        let column = self
            .before
            .rsplit('\n')
            .next()
            .map_or(0, |l| l.chars().count())
            + 1;
        SourceError::Encoding {
            path: path.to_string(),
            offset: self.offset,
            line,
            column,
            detail: self.detail.to_string(),
        }
    }
}

/// Decodes a file as YAML readers do (Go's included): UTF-8, with or without a byte order mark,
/// or UTF-16 with one.
fn decode(bytes: Vec<u8>) -> Result<String, BadText> {
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => decode_utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => decode_utf16(rest, u16::from_be_bytes),
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest.to_vec(), 3),
        _ => utf8(bytes, 0),
    }
}

fn utf8(bytes: Vec<u8>, skipped: usize) -> Result<String, BadText> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        BadText {
            offset: skipped + valid,
            before: String::from_utf8_lossy(&bytes[..valid]).into_owned(),
            detail: "invalid UTF-8",
        }
    })
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, BadText> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| unit([pair[0], pair[1]]))
        .collect();
    let mut text = String::with_capacity(units.len());
    let mut unit_index = 0;
    for c in char::decode_utf16(units.iter().copied()) {
        match c {
            Ok(c) => {
                text.push(c);
                unit_index += c.len_utf16();
            }
            Err(_) => {
                return Err(BadText {
                    offset: 2 + 2 * unit_index,
                    before: text,
                    detail: "invalid UTF-16 (an unpaired surrogate)",
                });
            }
        }
    }
    if bytes.len() % 2 == 1 {
        return Err(BadText {
            offset: 1 + bytes.len(),
            before: text,
            detail: "invalid UTF-16 (an odd number of bytes)",
        });
    }
    Ok(text)
}

/// Reads an input's text.
pub fn read(input: &Input) -> Result<String, SourceError> {
    match input {
        Input::File(path) => {
            let bytes = std::fs::read(path).map_err(|source| SourceError::Io {
                path: path.display().to_string(),
                source,
            })?;
            decode(bytes).map_err(|bad| bad.error(&path.display().to_string()))
        }
        Input::Stdlib(path) => Ok(crate::stdlib::files(path)
            .first()
            .map(|(_, text)| text.to_string())
            .unwrap_or_default()),
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|source| SourceError::Io {
                    path: "<stdin>".into(),
                    source,
                })?;
            decode(bytes).map_err(|bad| bad.error("<stdin>"))
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

/// A document, or the items of a `kind: List` (recursively), appended to `out`.
pub(crate) fn flatten_value(doc: Value, out: &mut Vec<Value>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, le: bool) -> Vec<u8> {
        let mut out = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            out.extend(if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    #[test]
    fn a_mounted_config_map_is_read_once() {
        let dir = std::env::temp_dir().join(format!("rampart-projected-{}", std::process::id()));
        let stamp = dir.join("..2026_12_02_10_00_00.123");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&stamp).unwrap_or_default();
        std::fs::write(stamp.join("policy.yaml"), "kind: ClusterPolicy\n").unwrap_or_default();
        #[cfg(unix)]
        {
            let _ = std::os::unix::fs::symlink("..2026_12_02_10_00_00.123", dir.join("..data"));
            let _ = std::os::unix::fs::symlink("..data/policy.yaml", dir.join("policy.yaml"));
            let found = expand(&[dir.display().to_string()]).unwrap_or_default();
            assert_eq!(found, vec![Input::File(dir.join("policy.yaml"))]);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn decodes_utf8_with_or_without_a_bom_and_utf16_with_one() {
        let text = "kind: Pod\nname: é😀\n";
        assert_eq!(decode(text.as_bytes().to_vec()).ok().as_deref(), Some(text));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend(text.as_bytes());
        assert_eq!(decode(bom).ok().as_deref(), Some(text));
        assert_eq!(decode(utf16(text, true)).ok().as_deref(), Some(text));
        assert_eq!(decode(utf16(text, false)).ok().as_deref(), Some(text));
    }

    #[test]
    fn bad_bytes_are_reported_with_their_offset_line_and_column() {
        let mut bytes = b"kind: Pod\nname: ab".to_vec();
        bytes.push(0xC3);
        bytes.extend(b"(\n");
        let Err(bad) = decode(bytes) else {
            panic!("invalid UTF-8 must not decode");
        };
        let message = bad.error("pod.yaml").to_string();
        assert_eq!(
            message,
            "cannot read pod.yaml: invalid UTF-8 at byte 18 (line 2, column 9); save the file as UTF-8"
        );
        let mut odd = utf16("a: b", true);
        odd.push(0x41);
        let Err(bad) = decode(odd) else {
            panic!("an odd UTF-16 length must not decode");
        };
        assert!(
            bad.error("x.yaml")
                .to_string()
                .contains("odd number of bytes) at byte 10")
        );
        let mut lone = vec![0xFF, 0xFE, b'a', 0];
        lone.extend(0xD800u16.to_le_bytes());
        let Err(bad) = decode(lone) else {
            panic!("an unpaired surrogate must not decode");
        };
        assert!(
            bad.error("x.yaml")
                .to_string()
                .contains("unpaired surrogate) at byte 4 (line 1, column 2)")
        );
    }
}
