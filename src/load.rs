//! The front of the pipeline in one call: read policy files, check them against the schema,
//! lower, expand autogen rules and compile; read resource files.

use serde_json::Value;

use crate::compile::{CompiledPolicy, Program, compile_policy};
use crate::diag::{Diagnostic, FileId, SourceMap};
use crate::source::{self, Input, SourceError};
use crate::syntax::{self, reader::Reader};
use crate::{autogen, ir};

/// A policy that could not be used, with the first reason.
#[derive(Debug, Clone)]
pub struct InvalidPolicy {
    /// `metadata.name`, or the file name when the name is unreadable.
    pub name: String,
    /// The first error found.
    pub reason: String,
}

/// Every policy read, compiled.
#[derive(Debug, Default)]
pub struct PolicySet {
    /// The valid policies, compiled.
    pub program: Program,
    /// The valid policies' IR (autogen included), parallel to `program.policies`.
    pub policies: Vec<ir::Policy>,
    /// Policies rejected because of errors.
    pub invalid: Vec<InvalidPolicy>,
    /// Every diagnostic (errors and warnings).
    pub diagnostics: Vec<Diagnostic>,
}

impl PolicySet {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Number of rules, autogen rules included (Kyverno's `Applying N policy rule(s)`).
    pub fn rule_count(&self) -> usize {
        self.program
            .policies
            .iter()
            .map(CompiledPolicy::rule_count)
            .sum()
    }

    /// Adds every policy document of one file.
    pub fn add_file(&mut self, file: FileId, sources: &SourceMap) {
        let docs = match source::spanned_documents(file, sources) {
            Ok(docs) => docs,
            Err(d) => {
                self.invalid.push(InvalidPolicy {
                    name: sources.name(file).to_string(),
                    reason: d.message.clone(),
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
                self.invalid.push(InvalidPolicy { name, reason });
            }
        }
    }
}

/// Reads and compiles the policies named on the command line.
pub fn load_policies(sources: &mut SourceMap, paths: &[String]) -> Result<PolicySet, SourceError> {
    let mut set = PolicySet::default();
    for input in source::expand(paths)? {
        let text = source::read(&input)?;
        let file = sources.add(input.display_name(), text);
        set.add_file(file, sources);
    }
    Ok(set)
}

/// Reads resources: every document of every file, `kind: List` flattened.
pub fn load_resources(
    sources: &mut SourceMap,
    inputs: &[Input],
) -> Result<(Vec<Value>, Vec<Diagnostic>), SourceError> {
    let mut resources = Vec::new();
    let mut diagnostics = Vec::new();
    for input in inputs {
        let text = source::read(input)?;
        let file = sources.add(input.display_name(), text);
        match source::value_documents(file, sources) {
            Ok(docs) => resources.extend(docs.into_iter().filter(Value::is_object)),
            Err(d) => diagnostics.push(*d),
        }
    }
    Ok((resources, diagnostics))
}
