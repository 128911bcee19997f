//! The front of the pipeline: read policy and policy exception files, check them against the
//! schema, lower, expand autogen rules and compile ([`Loader`]); read resource files
//! ([`read_resources`]).

use std::sync::Arc;

use serde_json::Value;

use crate::compile::{Program, compile_exception, compile_policy};
use crate::diag::{Diagnostic, FileId, SourceMap, did_you_mean, render_all};
use crate::engine::Engine;
use crate::source::{self, SourceError};
use crate::syntax::{self, reader::Reader};
use crate::wildcard;
use crate::yaml::{Node, NodeValue};
use crate::{autogen, ir};

/// Which documents an input is read for. Documents of another kind are reported as warnings and
/// not used (nothing a user gave is dropped silently).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Documents {
    /// Policies and policy exceptions: each document's `kind` decides.
    #[default]
    Any,
    /// Policies (`ClusterPolicy`, `Policy`) only.
    Policies,
    /// Policy exceptions (`PolicyException`) only.
    Exceptions,
}

/// Reads policies and policy exceptions (`kyverno.io/v2` and `v2beta1` `PolicyException`) from
/// files, directories, standard input, `stdlib:` paths and strings, reporting problems as
/// diagnostics (file, line, column, what was expected), and builds an [`Engine`] from the valid
/// ones. An exception naming a policy (or rule) that none of the loaded policies has is
/// reported as a warning, checked again after every addition.
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

    /// Reads policies and policy exceptions from paths: files, directories (recursively,
    /// `.yaml`, `.yml` and `.json` files), `-` for standard input, `stdlib:<path>` for bundled
    /// policies. Other documents are reported as warnings. `Err` when a path cannot be read at
    /// all.
    pub fn add_paths<S: AsRef<str>>(&mut self, paths: &[S]) -> Result<(), SourceError> {
        self.add_paths_of(paths, Documents::Any)
    }

    /// Like [`Loader::add_paths`], reading only the given kind of documents: the others are
    /// reported as warnings and not used.
    pub fn add_paths_of<S: AsRef<str>>(
        &mut self,
        paths: &[S],
        documents: Documents,
    ) -> Result<(), SourceError> {
        self.read_inputs(paths, |set, file, sources| {
            set.add_file(file, sources, documents)
        })
    }

    /// Reads the policies and policy exceptions of one YAML or JSON text, named `name` in
    /// diagnostics.
    pub fn add_text(&mut self, name: &str, text: impl Into<String>) {
        let file = self.sources.add(name, text);
        let sources = &self.sources;
        self.set
            .edit(|set| set.add_file(file, sources, Documents::Any));
    }

    /// Reads resources as [`read_resources`] does, taking the policy exceptions among them as
    /// exceptions (Kyverno's `--exceptions-with-resources`): those documents are not returned
    /// as resources.
    pub fn read_resources_with_exceptions<S: AsRef<str>>(
        &mut self,
        paths: &[S],
    ) -> Result<(Vec<Value>, Vec<Diagnostic>), SourceError> {
        let mut resources = Vec::new();
        let mut diagnostics = Vec::new();
        self.read_inputs(
            paths,
            |set, file, sources| match source::spanned_documents(file, sources) {
                Ok(docs) => {
                    for doc in docs {
                        if syntax::is_exception(&doc) {
                            set.add_exception(file, &doc);
                        } else if matches!(doc.value, NodeValue::Map(_)) {
                            let value = doc.to_json();
                            match not_a_resource(file, &value, doc.span) {
                                Some(d) => diagnostics.push(d),
                                None => resources.push(value),
                            }
                        }
                    }
                }
                Err(d) => diagnostics.push(*d),
            },
        )?;
        Ok((resources, diagnostics))
    }

    /// Reads every input `paths` name into the source map and hands each file to `each`, all
    /// in one edit of the set.
    fn read_inputs<S: AsRef<str>>(
        &mut self,
        paths: &[S],
        mut each: impl FnMut(&mut PolicySet, FileId, &SourceMap),
    ) -> Result<(), SourceError> {
        let paths: Vec<String> = paths.iter().map(|p| p.as_ref().to_string()).collect();
        let inputs = source::expand(&paths)?;
        let sources = &mut self.sources;
        self.set.edit(|set| {
            for input in &inputs {
                let text = source::read(input)?;
                let file = sources.add(input.display_name(), text);
                each(set, file, sources);
            }
            Ok(())
        })
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

    /// Documents of the policy inputs that are not policies (nor policy exceptions), left out.
    /// They are not in [`Loader::diagnostics`]: a repository's manifests beside its policies
    /// would drown them.
    pub fn ignored(&self) -> &[Ignored] {
        &self.set.ignored
    }

    /// The ignored documents as warnings: one line per file, or one per document when
    /// `verbose`.
    pub fn render_ignored(&self, verbose: bool) -> String {
        let mut out = String::new();
        // A file's documents are recorded together, in order: one pass per file.
        for docs in self.set.ignored.chunk_by(|a, b| a.file == b.file) {
            let file = docs[0].file;
            let name = self.sources.name(file);
            if verbose || docs.len() == 1 {
                let text = self.sources.text(file);
                let (mut at, mut line, mut line_start) = (0, 1, 0);
                for d in docs {
                    // Lines are counted from the previous document on, not from the top.
                    let start = d.span.start.min(text.len()).max(at);
                    let between = text.get(at..start).unwrap_or("");
                    line += between.matches('\n').count();
                    if let Some(last) = between.rfind('\n') {
                        line_start = at + last + 1;
                    }
                    at = start;
                    let col = text.get(line_start..start).map_or(0, |l| l.chars().count()) + 1;
                    out.push_str(&format!(
                        "warning: {name}:{line}:{col}: `{}` is not a Kyverno policy; ignored\n",
                        d.kind
                    ));
                }
                continue;
            }
            let mut kinds: Vec<&str> = Vec::new();
            for d in docs {
                if !kinds.contains(&d.kind.as_str()) {
                    kinds.push(&d.kind);
                }
            }
            out.push_str(&format!(
                "warning: {name}: {} documents are not Kyverno policies ({}); ignored (-v lists them)\n",
                docs.len(),
                kinds.join(", ")
            ));
        }
        out
    }

    /// Policies rejected because of errors.
    pub fn invalid(&self) -> &[InvalidPolicy] {
        &self.set.invalid
    }

    /// Policy exceptions rejected because of errors.
    pub fn invalid_exceptions(&self) -> &[InvalidPolicy] {
        &self.set.invalid_exceptions
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

    /// The valid policies as written, as JSON in load order (their files are parsed again):
    /// what a Test's `checks` match `match.policy` against.
    pub fn policy_documents(&self) -> Vec<Value> {
        let mut files: Vec<FileId> = Vec::new();
        for policy in &self.set.policies {
            if !files.contains(&policy.file) {
                files.push(policy.file);
            }
        }
        files
            .into_iter()
            .filter_map(|f| source::spanned_documents(f, &self.sources).ok())
            .flatten()
            .filter(syntax::is_policy)
            .map(|doc| doc.to_json())
            .collect()
    }

    /// An engine for the valid policies and policy exceptions read so far.
    pub fn engine(&self) -> Engine {
        Engine::new(self.set.program.clone())
    }

    /// The normalised policies (autogen rules included), for Rampart's own tests.
    #[cfg(test)]
    pub(crate) fn ir(&self) -> &[ir::Policy] {
        &self.set.policies
    }
}

/// A policy (or policy exception) that could not be used, with the first reason.
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

/// Every policy and policy exception read, compiled.
#[derive(Debug, Default)]
struct PolicySet {
    /// The valid policies and exceptions, compiled.
    program: Program,
    /// The valid policies' IR (autogen included), parallel to `program.policies`.
    policies: Vec<ir::Policy>,
    /// Where each valid policy's `metadata.name` is written, parallel to `policies`.
    name_spans: Vec<crate::yaml::Span>,
    /// The valid exceptions' IR, parallel to `program.exceptions`.
    exceptions: Vec<ir::Exception>,
    /// Policies rejected because of errors.
    invalid: Vec<InvalidPolicy>,
    /// Policy exceptions rejected because of errors.
    invalid_exceptions: Vec<InvalidPolicy>,
    /// Every diagnostic (errors and warnings); the warnings about what exceptions name come
    /// last, from `references` on.
    diagnostics: Vec<Diagnostic>,
    /// Where the warnings about what exceptions name start in `diagnostics`.
    references: usize,
    /// Documents of policy inputs that are neither policies nor exceptions (a chart's
    /// manifests beside its policies), reported as a summary per file.
    ignored: Vec<Ignored>,
}

/// A document of a policy input that is not a policy (nor a policy exception): left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Ignored {
    /// The file.
    pub file: FileId,
    /// Where the document's `kind` is written.
    pub span: crate::yaml::Span,
    /// Its `kind` (`<no kind>` when it has none).
    pub kind: String,
}

impl PolicySet {
    /// Whether any diagnostic is an error.
    fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Runs an addition, then checks again what the exceptions name.
    fn edit<T>(&mut self, add: impl FnOnce(&mut Self) -> T) -> T {
        self.diagnostics.truncate(self.references);
        let result = add(self);
        self.references = self.diagnostics.len();
        self.check_references();
        result
    }

    /// Adds every document of one file that `documents` asks for.
    fn add_file(&mut self, file: FileId, sources: &SourceMap, documents: Documents) {
        let docs = match source::spanned_documents(file, sources) {
            Ok(docs) => docs,
            Err(d) => {
                let invalid = InvalidPolicy {
                    name: sources.name(file).to_string(),
                    reason: d.message.clone(),
                    schema_error: true,
                };
                match documents {
                    Documents::Exceptions => self.invalid_exceptions.push(invalid),
                    Documents::Any | Documents::Policies => self.invalid.push(invalid),
                }
                self.diagnostics.push(*d);
                return;
            }
        };
        for doc in &docs {
            let policy = syntax::is_policy(doc);
            let exception = syntax::is_exception(doc);
            match documents {
                Documents::Any | Documents::Policies if policy => {
                    self.add_policy(file, doc, sources)
                }
                Documents::Any | Documents::Exceptions if exception => {
                    self.add_exception(file, doc)
                }
                _ => self.ignore(file, doc, documents),
            }
        }
    }

    /// Reports a document that is not read here.
    fn ignore(&mut self, file: FileId, doc: &Node, documents: Documents) {
        let kind = doc
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or("<no kind>");
        let span = doc.get("kind").map(|k| k.span).unwrap_or(doc.span);
        let diagnostic = if syntax::is_policy(doc) {
            Diagnostic::warning(
                file,
                span,
                format!("a `{kind}` where only policy exceptions are read; ignored"),
            )
            .with_label("not a PolicyException")
            .with_note("policies are read from the policy inputs")
        } else if syntax::is_exception(doc) {
            Diagnostic::warning(
                file,
                span,
                "a `PolicyException` where only policies are read; ignored",
            )
            .with_label("not a ClusterPolicy or Policy")
            .with_note("exceptions are read from the exception inputs (`rampart apply -e`, `--exceptions-within-policies`, a test's `exceptions:`)")
        } else if kind == "PolicyException" {
            Diagnostic::warning(
                file,
                span,
                "this `PolicyException` API is not supported; ignored",
            )
            .with_label("not kyverno.io/v2 or v2beta1")
            .with_note("policy exceptions have `apiVersion: kyverno.io/v2` (or `kyverno.io/v2beta1`) and `kind: PolicyException`")
        } else if documents == Documents::Exceptions {
            Diagnostic::warning(
                file,
                span,
                format!("`{kind}` is not a policy exception; ignored"),
            )
            .with_label("not a PolicyException")
            .with_note("policy exceptions have `apiVersion: kyverno.io/v2` (or `kyverno.io/v2beta1`) and `kind: PolicyException`")
        } else {
            self.ignored.push(Ignored {
                file,
                span,
                kind: kind.to_string(),
            });
            return;
        };
        self.diagnostics.push(diagnostic);
    }

    /// The name of a document for listings, and the first error it caused from `first` on.
    fn outcome(&self, doc: &Node, first: usize, unnamed: &str) -> (String, Option<String>) {
        let name = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(|n| n.as_str())
            .unwrap_or(unnamed)
            .to_string();
        let error = self
            .diagnostics
            .get(first..)
            .and_then(|ds| ds.iter().find(|d| d.is_error()))
            .map(|e| e.message.clone());
        (name, error)
    }

    fn add_policy(&mut self, file: FileId, doc: &Node, sources: &SourceMap) {
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
        let (name, error) = self.outcome(doc, first, "<unnamed policy>");
        match (error, compiled) {
            (None, Some((policy, compiled))) => {
                let name_span = doc
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .map_or(doc.span, |n| n.span);
                self.warn_if_loaded_before(&policy, name_span, sources);
                self.policies.push(policy);
                self.name_spans.push(name_span);
                self.program.policies.push(compiled);
            }
            (error, _) => {
                let reason = error.unwrap_or_else(|| "invalid policy".into());
                self.invalid.push(InvalidPolicy {
                    name,
                    reason,
                    schema_error,
                });
            }
        }
    }

    /// Warns when a valid policy of the same identity (kind, namespace of a namespaced Policy,
    /// name) was loaded before `policy`: a cluster keeps only the one applied last, while
    /// offline both are evaluated. Both stay loaded.
    fn warn_if_loaded_before(
        &mut self,
        policy: &ir::Policy,
        name_span: crate::yaml::Span,
        sources: &SourceMap,
    ) {
        let Some((first, first_span)) =
            self.policies.iter().zip(&self.name_spans).find(|(p, _)| {
                p.kind == policy.kind && p.namespace == policy.namespace && p.name == policy.name
            })
        else {
            return;
        };
        let identity = match &policy.namespace {
            Some(ns) => format!("{ns}/{}", policy.name),
            None => policy.name.clone(),
        };
        let mut d = Diagnostic::warning(
            policy.file,
            name_span,
            format!(
                "{} `{identity}` is loaded twice: both are evaluated here, but a cluster keeps only the one applied last",
                policy.kind.as_str()
            ),
        )
        .with_label("a second policy of this kind, namespace and name");
        if first.file == policy.file {
            d = d.with_related(*first_span, "first loaded here");
        } else {
            let (line, column) = sources.line_col(first.file, first_span.start);
            d = d.with_note(format!(
                "first loaded from {}:{line}:{column}",
                sources.name(first.file)
            ));
        }
        self.diagnostics
            .push(d.with_note("rename one of them, or remove the copy"));
    }

    fn add_exception(&mut self, file: FileId, doc: &Node) {
        let first = self.diagnostics.len();
        let mut reader = Reader::new(file, &mut self.diagnostics);
        let lowered = syntax::parse_exception(&mut reader, doc).map(|e| ir::lower_exception(&e));
        let compiled = lowered.and_then(|exception| {
            let compiled = compile_exception(&exception, &mut self.diagnostics)?;
            Some((exception, compiled))
        });
        let (name, error) = self.outcome(doc, first, "<unnamed exception>");
        match (error, compiled) {
            (None, Some((exception, compiled))) => {
                self.exceptions.push(exception);
                self.program.exceptions.push(Arc::new(compiled));
            }
            (error, _) => {
                let reason = error.unwrap_or_else(|| "invalid policy exception".into());
                self.invalid_exceptions.push(InvalidPolicy {
                    name,
                    reason,
                    schema_error: true,
                });
            }
        }
    }

    /// Warns about each `policyName` that names no policy read (valid or not) and each rule
    /// name that names no rule of the policies it names.
    fn check_references(&mut self) {
        let policies = &self.program.policies;
        for exception in &self.exceptions {
            for target in &exception.targets {
                let named: Vec<_> = policies
                    .iter()
                    .filter(|p| wildcard::matches(&target.policy, &p.info.key()))
                    .collect();
                if named.is_empty() {
                    let rejected = self
                        .invalid
                        .iter()
                        .any(|p| wildcard::matches(&target.policy, &p.name));
                    if !rejected {
                        let keys: Vec<String> = policies.iter().map(|p| p.info.key()).collect();
                        let mut d = Diagnostic::warning(
                            exception.file,
                            target.policy_span,
                            format!("no policy `{}` is loaded: this entry exempts nothing", target.policy),
                        )
                        .with_label("names no loaded policy")
                        .with_note("a ClusterPolicy is named by its name, a namespaced Policy as `<namespace>/<name>`");
                        if let Some(s) =
                            did_you_mean(&target.policy, keys.iter().map(String::as_str))
                        {
                            d = d.with_note(format!("did you mean `{s}`?"));
                        }
                        self.diagnostics.push(d);
                    }
                    continue;
                }
                for (rule, span) in &target.rules {
                    let rules = || named.iter().flat_map(|p| p.rules.iter().map(|r| &*r.name));
                    if rules().any(|r| wildcard::matches(rule, r)) {
                        continue;
                    }
                    let mut d = Diagnostic::warning(
                        exception.file,
                        *span,
                        format!(
                            "no rule `{rule}` in policy `{}`: this name exempts nothing",
                            target.policy
                        ),
                    )
                    .with_label("names no rule");
                    if let Some(s) = did_you_mean(rule, rules()) {
                        d = d.with_note(format!("did you mean `{s}`?"));
                    }
                    self.diagnostics.push(d);
                }
            }
        }
    }
}

/// Reads resources: every document of every file (files, directories, `-`), `kind: List`
/// flattened, non-mapping documents left out. What cannot be used is returned as diagnostics
/// and left out, the rest of the input still read: a file that does not parse or is not text
/// (a Helm template, a binary), a document without `apiVersion` and `kind`. `Err` only when a
/// path cannot be read at all.
pub fn read_resources<S: AsRef<str>>(
    sources: &mut SourceMap,
    paths: &[S],
) -> Result<(Vec<Value>, Vec<Diagnostic>), SourceError> {
    let paths: Vec<String> = paths.iter().map(|p| p.as_ref().to_string()).collect();
    let inputs = source::expand(&paths)?;
    let mut resources = Vec::new();
    let mut diagnostics = Vec::new();
    for input in &inputs {
        let text = match source::read(input) {
            Ok(text) => text,
            Err(e @ SourceError::Encoding { .. }) => {
                diagnostics.push(unreadable(sources, input, &e));
                continue;
            }
            Err(e) => return Err(e),
        };
        let file = sources.add(input.display_name(), text);
        match source::value_documents(file, sources) {
            Ok(docs) => {
                let mut nodes = None;
                for (i, doc) in docs.into_iter().enumerate() {
                    if !doc.is_object() {
                        continue;
                    }
                    if is_resource(&doc) {
                        resources.push(doc);
                        continue;
                    }
                    let nodes = nodes.get_or_insert_with(|| {
                        source::spanned_documents(file, sources).unwrap_or_default()
                    });
                    let span = nodes.get(i).map_or_else(Default::default, |n| n.span);
                    diagnostics.extend(not_a_resource(file, &doc, span));
                }
            }
            Err(d) => {
                let note = if sources.text(file).contains("{{") {
                    "this file is left out; a Helm template must be rendered first (`helm template`)"
                } else {
                    "this file is left out"
                };
                diagnostics.push((*d).with_note(note));
            }
        }
    }
    Ok((resources, diagnostics))
}

/// The resources of one parsed document, as [`read_resources`] takes them: a `kind: List`
/// flattened, a document that is not a mapping left out; `None` when one of them is not a
/// Kubernetes resource (no `apiVersion` or `kind`, or a kustomization), which
/// [`read_resources`] reports with its place.
pub fn document_resources(doc: Value) -> Option<Vec<Value>> {
    let mut flat = Vec::new();
    source::flatten_value(doc, &mut flat);
    flat.retain(Value::is_object);
    flat.iter().all(is_resource).then_some(flat)
}

/// Whether a document has what every Kubernetes resource has (`apiVersion` and `kind`) and
/// is not a kustomization (`kustomize.config.k8s.io`), which kustomize reads and no cluster
/// holds.
fn is_resource(doc: &Value) -> bool {
    doc.get("kind").is_some() && doc.get("apiVersion").is_some() && !is_kustomization(doc)
}

fn is_kustomization(doc: &Value) -> bool {
    doc.get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|api| api.starts_with("kustomize.config.k8s.io/"))
}

/// The diagnostic for a document that is not a Kubernetes resource (none when it is one).
fn not_a_resource(file: FileId, doc: &Value, span: crate::yaml::Span) -> Option<Diagnostic> {
    if is_resource(doc) {
        return None;
    }
    let message = if is_kustomization(doc) {
        "not a Kubernetes resource: a kustomization".to_string()
    } else {
        let missing: Vec<&str> = ["`apiVersion`", "`kind`"]
            .into_iter()
            .filter(|field| doc.get(field.trim_matches('`')).is_none())
            .collect();
        format!(
            "not a Kubernetes resource: it has no {}",
            missing.join(" and ")
        )
    };
    Some(
        Diagnostic::error(file, span, message)
            .with_label("this document")
            .with_note("it is left out; a Helm chart or a kustomization must be rendered first (`helm template`, `kustomize build`)"),
    )
}

/// A diagnostic for a file that is not text: at the first bad byte of its lossy decoding.
fn unreadable(sources: &mut SourceMap, input: &source::Input, error: &SourceError) -> Diagnostic {
    let offset = match error {
        SourceError::Encoding { offset, .. } => *offset,
        _ => 0,
    };
    let lossy = match input {
        source::Input::File(path) => {
            String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
        }
        _ => String::new(),
    };
    let offset = offset.min(lossy.len());
    let file = sources.add(input.display_name(), lossy);
    Diagnostic::error(
        file,
        crate::yaml::Span::new(offset, offset),
        error.to_string(),
    )
    .with_label("here")
    .with_note("this file is left out")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy document of `kind`, `name` and optional namespace.
    fn policy(kind: &str, name: &str, namespace: Option<&str>) -> String {
        let namespace = namespace.map_or(String::new(), |ns| format!("\n  namespace: {ns}"));
        format!(
            "apiVersion: kyverno.io/v1\nkind: {kind}\nmetadata:\n  name: {name}{namespace}\nspec:\n  rules:\n    - name: r\n      match:\n        any:\n          - resources:\n              kinds: [ConfigMap]\n      validate:\n        message: m\n        pattern:\n          data: {{a: b}}\n"
        )
    }

    fn loaded_twice(loader: &Loader) -> Vec<&Diagnostic> {
        loader
            .diagnostics()
            .iter()
            .filter(|d| d.message.contains("is loaded twice"))
            .collect()
    }

    #[test]
    fn a_policy_loaded_twice_in_one_file_is_a_warning_pointing_at_the_first() {
        let mut loader = Loader::new();
        let first = policy("ClusterPolicy", "team", None);
        let text = format!("{first}---\n{first}");
        loader.add_text("p.yaml", text.clone());
        assert!(!loader.has_errors(), "{}", loader.render_diagnostics(false));
        assert_eq!(loader.engine().policies().count(), 2, "both stay loaded");
        let warnings = loaded_twice(&loader);
        assert_eq!(warnings.len(), 1, "{}", loader.render_diagnostics(false));
        let second_name = text.rfind("name: team").map(|i| i + "name: ".len());
        assert_eq!(Some(warnings[0].span.start), second_name);
        assert_eq!(
            warnings[0]
                .related
                .first()
                .map(|(s, l)| (s.start, l.as_str())),
            text.find("name: team")
                .map(|i| (i + "name: ".len(), "first loaded here"))
        );
        let rendered = loader.render_diagnostics(false);
        assert!(
            rendered.contains("warning: ClusterPolicy `team` is loaded twice"),
            "{rendered}"
        );
        assert!(rendered.contains("p.yaml:20:9"), "{rendered}");
    }

    #[test]
    fn a_policy_loaded_twice_from_two_files_names_where_the_first_is() {
        let mut loader = Loader::new();
        loader.add_text("a.yaml", policy("Policy", "team", Some("shop")));
        loader.add_text(
            "b.yaml",
            format!("# copy\n{}", policy("Policy", "team", Some("shop"))),
        );
        assert_eq!(loader.engine().policies().count(), 2);
        let warnings = loaded_twice(&loader);
        assert_eq!(warnings.len(), 1, "{}", loader.render_diagnostics(false));
        assert_eq!(
            warnings[0].message,
            "Policy `shop/team` is loaded twice: both are evaluated here, but a cluster keeps only the one applied last"
        );
        assert!(
            warnings[0]
                .notes
                .contains(&"first loaded from a.yaml:4:9".to_string()),
            "{:?}",
            warnings[0].notes
        );
        assert!(
            loader.render_diagnostics(false).contains("b.yaml:5:9"),
            "{}",
            loader.render_diagnostics(false)
        );
    }

    #[test]
    fn only_the_same_kind_namespace_and_name_make_the_same_policy() {
        let mut loader = Loader::new();
        for (i, text) in [
            policy("ClusterPolicy", "team", None),
            policy("Policy", "team", Some("a")),
            policy("Policy", "team", Some("b")),
            policy("ClusterPolicy", "other", None),
        ]
        .into_iter()
        .enumerate()
        {
            loader.add_text(&format!("{i}.yaml"), text);
        }
        assert!(loaded_twice(&loader).is_empty());
        // A Policy without a namespace is the `default` namespace's.
        loader.add_text("4.yaml", policy("Policy", "team", Some("default")));
        loader.add_text("5.yaml", policy("Policy", "team", None));
        let warnings = loaded_twice(&loader);
        assert_eq!(warnings.len(), 1, "{}", loader.render_diagnostics(false));
        assert!(warnings[0].message.starts_with("Policy `default/team`"));
        assert_eq!(loader.engine().policies().count(), 6);
    }
}
