//! Compiling a `generate` block into a [`Generator`]: the rule's context and preconditions,
//! then what to create: one target (from `data`, `clone` or `cloneList`) or `foreach` entries,
//! each with its own target. Kyverno's policy checks apply: one source per block, `kind`,
//! `name` and `apiVersion` required unless `cloneList`, and no variables in `apiVersion`,
//! `kind`, `clone` or `cloneList`.

use serde_json::Value;

use crate::diag::{Diagnostic, FileId};
use crate::expr::Expr;
use crate::syntax::reader::{Obj, Reader, Spanned};
use crate::template::{Dynamic, Template};
use crate::yaml::{Node, Span};

use super::blocks;
use super::conditions::CompiledConditions;
use super::context::ContextEntry;
use super::validator::compile_dynamic;

/// A compiled `generate` block.
#[derive(Debug, Clone)]
pub struct Generator {
    /// The rule's `context[]`.
    pub context: Vec<ContextEntry>,
    /// The rule's `preconditions`.
    pub preconditions: Option<CompiledConditions>,
    /// `synchronize`: an existing target is updated (offline: generated again) rather than left.
    pub synchronize: bool,
    /// What the rule creates.
    pub action: GenerateAction,
}

/// What a generate rule creates.
#[derive(Debug, Clone)]
pub enum GenerateAction {
    /// One target.
    One(Box<GeneratePattern>),
    /// `foreach[]`: a target per element of each entry's list.
    Foreach(Vec<GenerateForeach>),
}

/// One `generate.foreach` entry.
#[derive(Debug, Clone)]
pub struct GenerateForeach {
    /// `list`: a JMESPath over the context.
    pub list: Expr,
    /// Per-element `context[]`.
    pub context: Vec<ContextEntry>,
    /// Per-element `preconditions`.
    pub preconditions: Option<CompiledConditions>,
    /// The target of each element.
    pub pattern: GeneratePattern,
}

/// The target of a generate rule (Kyverno's `GeneratePattern`).
#[derive(Debug, Clone)]
pub struct GeneratePattern {
    /// `apiVersion` of the target (no variables).
    pub api_version: String,
    /// `kind` of the target (no variables).
    pub kind: String,
    /// `name` of the target.
    pub name: Dynamic,
    /// `namespace` of the target (empty for cluster-scoped kinds).
    pub namespace: Dynamic,
    /// Where the target's content comes from.
    pub source: Source,
}

/// Where a generated object's content comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// `data` (absent: Kyverno generates nothing).
    Data(Option<Dynamic>),
    /// `clone`: a copy of one existing object of the target's kind.
    Clone {
        /// `clone.namespace`.
        namespace: String,
        /// `clone.name`.
        name: String,
    },
    /// `cloneList`: copies of every object of the kinds in a namespace that the selector picks.
    CloneList {
        /// `cloneList.namespace`.
        namespace: String,
        /// `cloneList.kinds` (`Kind` or `apiVersion/Kind`).
        kinds: Vec<String>,
        /// `cloneList.selector`, a label selector as written.
        selector: Option<Value>,
    },
}

/// The fields of a target (besides `foreach` and the rule-level flags).
const TARGET_FIELDS: [&str; 5] = ["apiVersion", "kind", "name", "namespace", "uid"];
/// The sources of a target, of which a block has at most one (the rule's block may have
/// `foreach` instead).
const SOURCES: [&str; 3] = ["data", "clone", "cloneList"];

/// Compiles a rule's `generate` block with the rule's context and preconditions.
pub fn compile(
    file: FileId,
    node: &Node,
    context: Option<&Node>,
    preconditions: Option<&Node>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Generator> {
    let context = blocks::context(file, context, diagnostics);
    let preconditions = blocks::preconditions(file, preconditions, diagnostics);
    let mut r = Reader::new(file, diagnostics);
    let mut obj = r.object(node, "generate")?;
    let mut synchronize = false;
    for flag in [
        "synchronize",
        "generateExisting",
        "orphanDownstreamOnPolicyDelete",
    ] {
        if let Some(v) = obj.field(flag).and_then(|n| r.boolean(n, flag))
            && flag == "synchronize"
        {
            synchronize = v.value;
        }
    }
    let mut sources = present_sources(&mut obj);
    sources.extend(obj.field("foreach").map(|n| ("foreach", n)));
    let head = obj.head_span();
    let fields = TargetFields::take(&mut obj);
    obj.finish(&mut r);
    if !one_source(&mut r, &sources) {
        return None;
    }
    let action = match sources.first() {
        Some(("foreach", n)) => foreach_entries(file, n, diagnostics).map(GenerateAction::Foreach),
        _ => pattern(file, head, &fields, &sources, diagnostics)
            .map(|p| GenerateAction::One(Box::new(p))),
    };
    Some(Generator {
        context: context?,
        preconditions: preconditions?,
        synchronize,
        action: action?,
    })
}

/// The source fields a target writes, in the order Kyverno names them.
fn present_sources<'n>(obj: &mut Obj<'n>) -> Vec<(&'static str, &'n Node)> {
    SOURCES
        .iter()
        .filter_map(|f| obj.field(f).map(|n| (*f, n)))
        .collect()
}

/// Kyverno's rule: at most one of `data`, `clone`, `cloneList` and `foreach`.
fn one_source(r: &mut Reader, sources: &[(&str, &Node)]) -> bool {
    let [(first, _), (second, n), ..] = sources else {
        return true;
    };
    r.error(
        n.span,
        format!("only one of generate patterns(data, clone, cloneList and foreach) can be specified (found `{first}` and `{second}`)"),
        "second source",
    )
    .notes
    .push("split the rule into one rule per source".into());
    false
}

/// The target fields of a block, read (and so known to the schema check) before it finishes.
struct TargetFields<'n> {
    nodes: Vec<(&'static str, &'n Node)>,
}

impl<'n> TargetFields<'n> {
    fn take(obj: &mut Obj<'n>) -> Self {
        TargetFields {
            nodes: TARGET_FIELDS
                .iter()
                .filter_map(|f| obj.field(f).map(|n| (*f, n)))
                .collect(),
        }
    }

    fn get(&self, name: &str) -> Option<&'n Node> {
        self.nodes.iter().find(|(f, _)| *f == name).map(|(_, n)| *n)
    }
}

/// Compiles a target: its resource fields and its source.
fn pattern(
    file: FileId,
    head: Span,
    fields: &TargetFields,
    sources: &[(&str, &Node)],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<GeneratePattern> {
    let mut r = Reader::new(file, diagnostics);
    let clone_list = matches!(sources.first(), Some(("cloneList", _)));
    let mut ok = true;
    let text = |r: &mut Reader, field: &'static str| -> Option<Spanned<String>> {
        match fields.get(field) {
            Some(n) => r.string(n, field),
            None if clone_list || field == "namespace" || field == "uid" => {
                Some(Spanned::new(String::new(), head))
            }
            None => {
                r.error(
                    head,
                    format!("{field} can not be empty"),
                    format!("this generate rule has no `{field}`"),
                );
                None
            }
        }
    };
    let api_version = text(&mut r, "apiVersion");
    let kind = text(&mut r, "kind");
    let name = text(&mut r, "name");
    let namespace = text(&mut r, "namespace");
    text(&mut r, "uid");
    for value in [&api_version, &kind].into_iter().flatten() {
        if has_variables(&value.value) {
            r.error(
                value.span,
                "Generation Rule Clone/CloneList should not have variables",
                "a variable here",
            )
            .notes
            .push("`apiVersion` and `kind` of a generate target are fixed in the policy".into());
            ok = false;
        }
    }
    let name = name.and_then(|n| dynamic_text(&mut r, &n, "name"));
    let namespace = namespace.and_then(|n| dynamic_text(&mut r, &n, "namespace"));
    let source = match sources.first() {
        Some(("data", n)) => compile_dynamic(file, n, "data", "request.object", diagnostics)
            .map(|d| Source::Data(Some(d))),
        Some(("clone", n)) => clone(file, n, diagnostics),
        Some(("cloneList", n)) => clone_list_source(file, n, diagnostics),
        _ => Some(Source::Data(None)),
    };
    if !ok {
        return None;
    }
    Some(GeneratePattern {
        api_version: api_version?.value,
        kind: kind?.value,
        name: name?,
        namespace: namespace?,
        source: source?,
    })
}

fn has_variables(text: &str) -> bool {
    !matches!(Template::parse(text), Ok(None))
}

/// A target text that may hold variables.
fn dynamic_text(r: &mut Reader, text: &Spanned<String>, field: &str) -> Option<Dynamic> {
    match Dynamic::compile(&Value::String(text.value.clone())) {
        Ok(d) => Some(d),
        Err(e) => {
            r.error(
                text.span.at_offset(&text.value, e.offset),
                format!("invalid variable in generate.{field}: {e}"),
                "here",
            );
            None
        }
    }
}

/// Reports a variable in a clone source (Kyverno forbids them).
fn fixed(r: &mut Reader, value: Spanned<String>) -> Option<String> {
    if has_variables(&value.value) {
        r.error(
            value.span,
            "Generation Rule Clone/CloneList should not have variables",
            "a variable here",
        )
        .notes
        .push("the source of a clone is fixed in the policy".into());
        return None;
    }
    Some(value.value)
}

fn clone(file: FileId, node: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Source> {
    let mut r = Reader::new(file, diagnostics);
    let mut obj = r.object(node, "clone")?;
    let namespace = obj
        .field("namespace")
        .and_then(|n| r.string(n, "clone.namespace"));
    let name = obj
        .required(&mut r, "name")
        .and_then(|n| r.string(n, "clone.name"));
    obj.finish(&mut r);
    let namespace = match namespace {
        Some(ns) => fixed(&mut r, ns)?,
        None => String::new(),
    };
    Some(Source::Clone {
        namespace,
        name: fixed(&mut r, name?)?,
    })
}

fn clone_list_source(
    file: FileId,
    node: &Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Source> {
    let mut r = Reader::new(file, diagnostics);
    let mut obj = r.object(node, "cloneList")?;
    let namespace = obj
        .field("namespace")
        .and_then(|n| r.string(n, "cloneList.namespace"));
    let kinds = obj
        .required(&mut r, "kinds")
        .map(|n| r.string_list(n, "cloneList.kinds"));
    let selector = obj.field("selector").map(Node::to_json);
    obj.finish(&mut r);
    let namespace = match namespace {
        Some(ns) => fixed(&mut r, ns)?,
        None => String::new(),
    };
    let kinds: Option<Vec<String>> = kinds?.into_iter().map(|k| fixed(&mut r, k)).collect();
    let selector = match selector {
        Some(s) if has_variables(&s.to_string()) => {
            r.error(
                node.span,
                "Generation Rule Clone/CloneList should not have variables",
                "a variable in this selector",
            );
            return None;
        }
        other => other,
    };
    Some(Source::CloneList {
        namespace,
        kinds: kinds?,
        selector,
    })
}

fn foreach_entries(
    file: FileId,
    node: &Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<GenerateForeach>> {
    let items = Reader::new(file, diagnostics)
        .list(node, "foreach")?
        .to_vec();
    let compiled: Vec<Option<GenerateForeach>> = items
        .iter()
        .map(|i| foreach_entry(file, i, diagnostics))
        .collect();
    compiled.into_iter().collect()
}

fn foreach_entry(
    file: FileId,
    node: &Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<GenerateForeach> {
    let mut r = Reader::new(file, diagnostics);
    let mut obj = r.object(node, "foreach entry")?;
    let list = obj
        .required(&mut r, "list")
        .and_then(|n| r.string(n, "foreach.list"));
    let context = obj.field("context").cloned();
    let preconditions = obj.field("preconditions").cloned();
    let sources = present_sources(&mut obj);
    let head = obj.head_span();
    let fields = TargetFields::take(&mut obj);
    obj.finish(&mut r);
    if !one_source(&mut r, &sources) {
        return None;
    }
    let list = blocks::foreach_list(&mut r, &list?);
    let context = blocks::context(file, context.as_ref(), diagnostics);
    let preconditions = blocks::preconditions(file, preconditions.as_ref(), diagnostics);
    let pattern = pattern(file, head, &fields, &sources, diagnostics);
    Some(GenerateForeach {
        list: list?,
        context: context?,
        preconditions: preconditions?,
        pattern: pattern?,
    })
}

impl Generator {
    /// Whether evaluating it reads variables.
    pub fn needs_context(&self) -> bool {
        // Every generated object carries labels read from the trigger and names that are
        // usually variables: the context is always wanted.
        true
    }
}
