//! Compiling a `mutate` block into a [`Mutator`]: the rule's context and preconditions, then
//! one action (a strategic merge patch, a JSON patch, or `foreach` entries), and the
//! `targets` of a mutate-existing rule.

use crate::diag::{Diagnostic, FileId};
use crate::expr::Expr;
use crate::jsonpatch::PatchOp;
use crate::mutate;
use crate::syntax::reader::{Reader, Spanned};
use crate::template::{Dynamic, Template};
use crate::yaml::{Node, NodeValue};

use super::blocks;
use super::conditions::CompiledConditions;
use super::context::ContextEntry;
use super::validator::compile_dynamic;

/// A compiled `mutate` block.
#[derive(Debug, Clone)]
pub struct Mutator {
    /// The rule's `context[]`.
    pub context: Vec<ContextEntry>,
    /// The rule's `preconditions`.
    pub preconditions: Option<CompiledConditions>,
    /// What the rule changes.
    pub action: Action,
    /// `targets[]`: the resources a mutate-existing rule changes (empty: the request's own).
    pub targets: Vec<Target>,
}

/// What a mutate rule (or one `foreach` entry) does.
#[derive(Debug, Clone)]
pub enum Action {
    /// One patch.
    Patch(Patch),
    /// `foreach[]`.
    Foreach(Vec<MutateForeach>),
}

/// A patch, its variables compiled.
#[derive(Debug, Clone)]
pub enum Patch {
    /// `patchStrategicMerge`.
    Strategic(Dynamic),
    /// `patchesJson6902`.
    Json6902(JsonPatch),
}

/// `patchesJson6902`: parsed once when it holds no variable.
#[derive(Debug, Clone)]
pub enum JsonPatch {
    /// Parsed at compile time.
    Ready(Vec<PatchOp>),
    /// Substituted, then parsed, per request.
    Templated(Template),
}

/// Which way a `foreach` walks its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// First element first.
    Ascending,
    /// Last element first.
    Descending,
}

/// One `mutate.foreach` entry.
#[derive(Debug, Clone)]
pub struct MutateForeach {
    /// `list`: a JMESPath over the context.
    pub list: Expr,
    /// `order`, if written (the default depends on the patch: Descending for a strategic
    /// merge patch, else Ascending).
    pub order: Option<Order>,
    /// Per-element `context[]`.
    pub context: Vec<ContextEntry>,
    /// Per-element `preconditions`.
    pub preconditions: Option<CompiledConditions>,
    /// A patch per element, or nested entries.
    pub action: Action,
}

impl MutateForeach {
    /// The order the elements are walked in.
    pub fn order(&self) -> Order {
        self.order.unwrap_or(match self.action {
            Action::Patch(Patch::Strategic(_)) => Order::Descending,
            _ => Order::Ascending,
        })
    }
}

/// One `mutate.targets[]` entry; its strings may hold variables.
#[derive(Debug, Clone)]
pub struct Target {
    /// `apiVersion`.
    pub api_version: Dynamic,
    /// `kind`.
    pub kind: Dynamic,
    /// `namespace`.
    pub namespace: Dynamic,
    /// `name` (wildcards allowed).
    pub name: Dynamic,
    /// `selector`, a label selector, as written.
    pub selector: Option<Dynamic>,
    /// `context[]`, loaded per target.
    pub context: Vec<ContextEntry>,
    /// `preconditions`, checked per target.
    pub preconditions: Option<CompiledConditions>,
}

/// The fields of a patch-bearing block (the rule's `mutate` or a `foreach` entry).
const ACTIONS: [&str; 3] = ["patchStrategicMerge", "patchesJson6902", "foreach"];

/// Compiles a rule's `mutate` block with the rule's context and preconditions.
pub fn compile(
    file: FileId,
    node: &Node,
    context: Option<&Node>,
    preconditions: Option<&Node>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Mutator> {
    let context = blocks::context(file, context, diagnostics);
    let preconditions = blocks::preconditions(file, preconditions, diagnostics);
    let mut r = Reader::new(file, diagnostics);
    let mut obj = r.object(node, "mutate")?;
    let fields: Vec<(&str, Node)> = ACTIONS
        .iter()
        .filter_map(|f| obj.field(f).map(|n| (*f, n.clone())))
        .collect();
    let targets = obj.field("targets").cloned();
    if let Some(n) = obj.field("mutateExistingOnPolicyUpdate") {
        r.boolean(n, "mutateExistingOnPolicyUpdate");
    }
    for removed in ["overlay", "patches"] {
        if let Some((key, _)) = obj.entry(removed) {
            r.error(
                key.span,
                format!("`mutate.{removed}` was removed in Kyverno 1.5"),
                "removed field",
            )
            .notes
            .push("use `patchStrategicMerge` or `patchesJson6902`".into());
        }
    }
    let head = obj.head_span();
    obj.finish(&mut r);
    // `{{ @ }}` reads the target of a mutate-existing rule, else the request's object.
    let root = if targets.is_some() {
        "target"
    } else {
        "request.object"
    };
    let action = action(file, head, &fields, root, diagnostics);
    let targets = match &targets {
        Some(n) => compile_targets(file, n, diagnostics),
        None => Some(Vec::new()),
    };
    Some(Mutator {
        context: context?,
        preconditions: preconditions?,
        action: action?,
        targets: targets?,
    })
}

/// The one action of a block: exactly one of `patchStrategicMerge`, `patchesJson6902` and
/// `foreach` (Kyverno's policy validation).
fn action(
    file: FileId,
    head: crate::yaml::Span,
    fields: &[(&str, Node)],
    root: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Action> {
    let note = "write one of `patchStrategicMerge`, `patchesJson6902` or `foreach`; split the rest into another rule";
    let (field, node) = match fields {
        [one] => one,
        [] => {
            Reader::new(file, diagnostics)
                .error(head, "a mutate rule needs a patch", "nothing to apply")
                .notes
                .push(note.into());
            return None;
        }
        [(first, _), (second, n), ..] => {
            Reader::new(file, diagnostics)
                .error(
                    n.span,
                    format!("only one of `foreach`, `patchStrategicMerge`, or `patchesJson6902` is allowed (found `{first}` and `{second}`)"),
                    "second action",
                )
                .notes
                .push(note.into());
            return None;
        }
    };
    match *field {
        "patchStrategicMerge" => strategic(file, node, root, diagnostics).map(Action::Patch),
        "patchesJson6902" => json6902(file, node, diagnostics).map(Action::Patch),
        _ => foreach_entries(file, node, root, diagnostics).map(Action::Foreach),
    }
}

fn strategic(
    file: FileId,
    node: &Node,
    root: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Patch> {
    if !matches!(node.value, NodeValue::Map(_)) {
        Reader::new(file, diagnostics).type_error(node, "patchStrategicMerge", "a map");
        return None;
    }
    compile_dynamic(file, node, "patch", root, diagnostics).map(Patch::Strategic)
}

fn json6902(file: FileId, node: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Patch> {
    let mut r = Reader::new(file, diagnostics);
    let text: Spanned<String> = r.string(node, "patchesJson6902")?;
    match Template::parse(&text.value) {
        Ok(Some(t)) => return Some(Patch::Json6902(JsonPatch::Templated(t))),
        Ok(None) => {}
        Err(e) => {
            r.error(
                text.span.at_offset(&text.value, e.offset),
                format!("invalid variable in patchesJson6902: {e}"),
                "here",
            );
            return None;
        }
    }
    match mutate::parse_json6902(&text.value) {
        Ok(ops) => Some(Patch::Json6902(JsonPatch::Ready(ops))),
        Err(e) => {
            r.error(
                text.span,
                format!("invalid patchesJson6902: {e}"),
                "in this patch",
            )
            .notes
            .push(
                "write a list of operations: `- op: add` with `path` and `value` (or a JSON array)"
                    .into(),
            );
            None
        }
    }
}

fn foreach_entries(
    file: FileId,
    node: &Node,
    root: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<MutateForeach>> {
    let items = Reader::new(file, diagnostics)
        .list(node, "foreach")?
        .to_vec();
    let compiled: Vec<Option<MutateForeach>> = items
        .iter()
        .map(|i| foreach_entry(file, i, root, diagnostics))
        .collect();
    compiled.into_iter().collect()
}

fn foreach_entry(
    file: FileId,
    node: &Node,
    root: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<MutateForeach> {
    let mut r = Reader::new(file, diagnostics);
    let mut obj = r.object(node, "foreach entry")?;
    let list = obj
        .required(&mut r, "list")
        .and_then(|n| r.string(n, "foreach.list"));
    let order = obj
        .field("order")
        .and_then(|n| r.one_of(n, "order", &["Ascending", "Descending"]))
        .map(|o| match o.value.as_str() {
            "Descending" => Order::Descending,
            _ => Order::Ascending,
        });
    let context = obj.field("context").cloned();
    let preconditions = obj.field("preconditions").cloned();
    let fields: Vec<(&str, Node)> = ACTIONS
        .iter()
        .filter_map(|f| obj.field(f).map(|n| (*f, n.clone())))
        .collect();
    let head = obj.head_span();
    obj.finish(&mut r);
    let list = blocks::foreach_list(&mut r, &list?);
    let context = blocks::context(file, context.as_ref(), diagnostics);
    let preconditions = blocks::preconditions(file, preconditions.as_ref(), diagnostics);
    let action = action(file, head, &fields, root, diagnostics);
    Some(MutateForeach {
        list: list?,
        order,
        context: context?,
        preconditions: preconditions?,
        action: action?,
    })
}

fn compile_targets(
    file: FileId,
    node: &Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<Target>> {
    let items = Reader::new(file, diagnostics)
        .list(node, "targets")?
        .to_vec();
    let compiled: Vec<Option<Target>> =
        items.iter().map(|i| target(file, i, diagnostics)).collect();
    compiled.into_iter().collect()
}

fn target(file: FileId, node: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Target> {
    let mut r = Reader::new(file, diagnostics);
    let mut obj = r.object(node, "target")?;
    let mut text = |r: &mut Reader, field: &'static str, required: bool| -> Option<Dynamic> {
        let n = if required {
            obj.required(r, field)?
        } else {
            match obj.field(field) {
                Some(n) => n,
                None => return Some(Dynamic::Static(serde_json::Value::String(String::new()))),
            }
        };
        let s = r.string(n, field)?;
        match Dynamic::compile(&serde_json::Value::String(s.value.clone())) {
            Ok(d) => Some(d),
            Err(e) => {
                r.error(
                    s.span.at_offset(&s.value, e.offset),
                    format!("invalid variable in targets.{field}: {e}"),
                    "here",
                );
                None
            }
        }
    };
    let api_version = text(&mut r, "apiVersion", true);
    let kind = text(&mut r, "kind", true);
    let namespace = text(&mut r, "namespace", false);
    let name = text(&mut r, "name", false);
    let selector = obj.field("selector").cloned();
    let context = obj.field("context").cloned();
    let preconditions = obj.field("preconditions").cloned();
    obj.field("uid");
    obj.finish(&mut r);
    let selector = match &selector {
        Some(n) => Some(compile_dynamic(
            file,
            n,
            "selector",
            "request.object",
            diagnostics,
        )?),
        None => None,
    };
    let context = blocks::context(file, context.as_ref(), diagnostics);
    let preconditions = blocks::preconditions(file, preconditions.as_ref(), diagnostics);
    Some(Target {
        api_version: api_version?,
        kind: kind?,
        namespace: namespace?,
        name: name?,
        selector,
        context: context?,
        preconditions: preconditions?,
    })
}

impl Mutator {
    /// Whether evaluating it reads variables.
    pub fn needs_context(&self) -> bool {
        !self.context.is_empty()
            || self.preconditions.is_some()
            || !self.targets.is_empty()
            || match &self.action {
                Action::Patch(Patch::Strategic(d)) => !d.is_static(),
                Action::Patch(Patch::Json6902(JsonPatch::Templated(_))) => true,
                Action::Patch(Patch::Json6902(JsonPatch::Ready(_))) => false,
                Action::Foreach(_) => true,
            }
    }
}
