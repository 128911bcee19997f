//! The front of the pipeline: read policy files, check them against the schema, lower, expand
//! autogen rules and compile ([`Loader`]); read resource files ([`read_resources`]).

use serde_json::Value;

use crate::compile::{Program, compile_policy};
use crate::diag::{Diagnostic, FileId, SourceMap, render_all};
use crate::engine::Engine;
use crate::source::{self, SourceError};
use crate::syntax::{self, reader::Reader};
use crate::{autogen, ir};

/// Reads policies from files, directories, standard input, `stdlib:` paths and strings,
/// reporting problems as diagnostics (file, line, column, what was expected), and builds an
/// [`Engine`] from the valid ones.
///
/// ```
/// use rampart::Loader;
/// let mut loader = Loader::new();
/// loader.add_text("bad.yaml", "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  rulez: []\n");
/// assert!(loader.has_errors());
/// let text = loader.render_diagnostics(false);
/// assert!(text.contains("bad.yaml:5:3"), "{text}");
/// assert!(text.contains("unknown field `rulez`"));
/// assert_eq!(loader.engine().policies().count(), 0);
/// ```
#[derive(Debug, Default)]
pub struct Loader {
    sources: SourceMap,
    set: PolicySet,
}

impl Loader {
    /// An empty loader.
    pub fn new() -> Self {
        Loader::default()
    }

    /// A loader that adds the texts it reads to `sources` (which may already hold other
    /// inputs, so that all their diagnostics render from one map).
    pub fn with_sources(sources: SourceMap) -> Self {
        Loader {
            sources,
            set: PolicySet::default(),
        }
    }

    /// Reads policies from paths: files, directories (recursively, `.yaml`, `.yml` and `.json`
    /// files), `-` for standard input, `stdlib:<path>` for bundled policies. Documents that are
    /// not policies are reported as warnings. `Err` when a path cannot be read at all.
    pub fn add_paths<S: AsRef<str>>(&mut self, paths: &[S]) -> Result<(), SourceError> {
        let paths: Vec<String> = paths.iter().map(|p| p.as_ref().to_string()).collect();
        for input in source::expand(&paths)? {
            let text = source::read(&input)?;
            let file = self.sources.add(input.display_name(), text);
            self.set.add_file(file, &self.sources);
        }
        Ok(())
    }

    /// Reads the policies of one YAML or JSON text, named `name` in diagnostics.
    pub fn add_text(&mut self, name: &str, text: impl Into<String>) {
        let file = self.sources.add(name, text);
        self.set.add_file(file, &self.sources);
    }

    /// Every diagnostic so far (errors and warnings).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.set.diagnostics
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.set.has_errors()
    }

    /// The diagnostics, rendered with the source lines they point at.
    pub fn render_diagnostics(&self, color: bool) -> String {
        render_all(&self.set.diagnostics, &self.sources, color)
    }

    /// Policies rejected because of errors.
    pub fn invalid(&self) -> &[InvalidPolicy] {
        &self.set.invalid
    }

    /// The texts read, for rendering diagnostics of other inputs (resources, values) beside
    /// the policies'.
    pub fn sources_mut(&mut self) -> &mut SourceMap {
        &mut self.sources
    }

    /// The texts read.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// An engine for the valid policies read so far.
    pub fn engine(&self) -> Engine {
        Engine::new(self.set.program.clone())
    }

    /// The normalised policies (autogen rules included), for Rampart's own tests.
    #[cfg(test)]
    pub(crate) fn ir(&self) -> &[ir::Policy] {
        &self.set.policies
    }
}

/// A policy that could not be used, with the first reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPolicy {
    /// `metadata.name`, or the file name when the name is unreadable.
    pub name: String,
    /// The first error found.
    pub reason: String,
    /// Whether the policy breaks the schema (invalid YAML, a wrong type, a missing required
    /// field, an invalid enum value, an unknown field): Kyverno's CLI fails to load such a
    /// policy, while it only skips a well-formed policy that fails validation.
    pub schema_error: bool,
}

/// Every policy read, compiled.
#[derive(Debug, Default)]
struct PolicySet {
    /// The valid policies, compiled.
    program: Program,
    /// The valid policies' IR (autogen included), parallel to `program.policies`.
    policies: Vec<ir::Policy>,
    /// Policies rejected because of errors.
    invalid: Vec<InvalidPolicy>,
    /// Every diagnostic (errors and warnings).
    diagnostics: Vec<Diagnostic>,
}

impl PolicySet {
    /// Whether any diagnostic is an error.
    fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Adds every policy document of one file.
    fn add_file(&mut self, file: FileId, sources: &SourceMap) {
        let docs = match source::spanned_documents(file, sources) {
            Ok(docs) => docs,
            Err(d) => {
                self.invalid.push(InvalidPolicy {
                    name: sources.name(file).to_string(),
                    reason: d.message.clone(),
                    schema_error: true,
                });
                self.diagnostics.push(*d);
                return;
            }
        };
        for doc in &docs {
            if !syntax::is_policy(doc) {
                let kind = doc
                    .get("kind")
                    .and_then(|k| k.as_str())
                    .unwrap_or("<no kind>");
                let span = doc.get("kind").map(|k| k.span).unwrap_or(doc.span);
                self.diagnostics.push(
                    Diagnostic::warning(file, span, format!("`{kind}` is not a Kyverno policy; ignored"))
                        .with_label("not a ClusterPolicy or Policy")
                        .with_note("policies have `apiVersion: kyverno.io/v1` and `kind: ClusterPolicy` or `Policy`"),
                );
                continue;
            }
            self.add_document(file, doc);
        }
    }

    fn add_document(&mut self, file: FileId, doc: &crate::yaml::Node) {
        let first = self.diagnostics.len();
        let mut reader = Reader::new(file, &mut self.diagnostics);
        let parsed = syntax::parse_policy(&mut reader, doc);
        let lowered = parsed.as_ref().map(|p| ir::lower(&mut reader, p));
        let schema_error = reader.schema_errors() > 0;
        let compiled = lowered.map(|mut policy| {
            autogen::expand(&mut policy);
            let compiled = compile_policy(&policy, &mut self.diagnostics);
            (policy, compiled)
        });
        let first_error = self
            .diagnostics
            .get(first..)
            .and_then(|ds| ds.iter().find(|d| d.is_error()));
        let name = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(|n| n.as_str())
            .unwrap_or("<unnamed policy>")
            .to_string();
        match (first_error, compiled) {
            (None, Some((policy, compiled))) => {
                self.policies.push(policy);
                self.program.policies.push(compiled);
            }
            (error, _) => {
                let reason = error
                    .map(|e| e.message.clone())
                    .unwrap_or_else(|| "invalid policy".into());
                self.invalid.push(InvalidPolicy {
                    name,
                    reason,
                    schema_error,
                });
            }
        }
    }
}

/// Reads resources: every document of every file (files, directories, `-`), `kind: List`
/// flattened, non-mapping documents left out. Unreadable documents are returned as
/// diagnostics; `Err` when a path cannot be read at all.
pub fn read_resources<S: AsRef<str>>(
    sources: &mut SourceMap,
    paths: &[S],
) -> Result<(Vec<Value>, Vec<Diagnostic>), SourceError> {
    let paths: Vec<String> = paths.iter().map(|p| p.as_ref().to_string()).collect();
    let inputs = source::expand(&paths)?;
    let mut resources = Vec::new();
    let mut diagnostics = Vec::new();
    for input in &inputs {
        let text = source::read(input)?;
        let file = sources.add(input.display_name(), text);
        match source::value_documents(file, sources) {
            Ok(docs) => resources.extend(docs.into_iter().filter(Value::is_object)),
            Err(d) => diagnostics.push(*d),
        }
    }
    Ok((resources, diagnostics))
}
