//! The JSON document `{{ }}` variables are evaluated against: `request.*`,
//! `serviceAccountName`, `serviceAccountNamespace`, `images.*`, values supplied by the caller,
//! and (per rule) context entries and foreach elements.
//!
//! What `request` holds depends on where the request comes from, as in Kyverno: an admission
//! request is the whole `AdmissionRequest` (plus `roles` and `clusterRoles`); an offline one
//! (the CLI) holds only `operation`, `object`, `oldObject`, `namespace` and, when the user is
//! known, `userInfo`, `roles` and `clusterRoles`. A key that is absent is an `Unknown key` error
//! for an expression, a key that is present and `null` is not.

use std::cell::Cell;

use serde_json::{Map, Value, json};

use super::input::Input;
use super::request::Origin;
use crate::admission::{GroupVersionKind, GroupVersionResource, Operation, UserInfo};
use crate::clock::Clock;
use crate::expr::{Alias, Env, EvalError, Expr};
use crate::image::ImageRef;
use crate::lookup;
use crate::template::Evaluate;

/// The variables of one request. Rules add and remove their own entries around their
/// evaluation ([`Context::insert`] / [`Context::restore`]).
///
/// `request.object` and `request.oldObject` are not copied into the document: it holds
/// stand-ins that expressions resolve to the request's objects ([`Alias`]), unless the
/// caller's values write into them.
#[derive(Debug)]
pub struct Context<'r> {
    doc: Value,
    /// How many top-level keys the request's own document has (more are rules' variables).
    top_len: usize,
    object: Option<&'r Value>,
    old_object: Option<&'r Value>,
    clock: &'r dyn Clock,
}

impl<'r> Evaluate for Context<'r> {
    fn evaluate(&self, expr: &Expr) -> Result<Value, EvalError> {
        // The stand-ins are found by scanning the two small maps (no hashing, no allocation).
        let request = lookup::get(&self.doc, "request");
        let alias = |field: &str, value: Option<&'r Value>| {
            Some(Alias {
                stand_in: lookup::get(request?, field)?,
                value: value?,
            })
        };
        let with = |aliases: &[Alias]| {
            expr.evaluate_in(
                &self.doc,
                &Env {
                    aliases,
                    clock: self.clock,
                    ..Env::default()
                },
            )
        };
        match (
            alias("object", self.object),
            alias("oldObject", self.old_object),
        ) {
            (Some(a), Some(b)) => with(&[a, b]),
            (Some(a), None) | (None, Some(a)) => with(&[a]),
            (None, None) => with(&[]),
        }
    }
}

thread_local! {
    /// The document of the last context dropped on this thread. The next context refills it
    /// in place when it has the same shape, instead of allocating and hashing every key again.
    static SPARE: Cell<Option<Value>> = const { Cell::new(None) };
}

/// The value of one key of the document, borrowed from the request.
#[derive(Clone, Copy)]
enum Field<'a> {
    Str(&'a str),
    Bool(bool),
    /// `null`, or a value copied in.
    Json(Option<&'a Value>),
    Gvk(&'a GroupVersionKind),
    Gvr(&'a GroupVersionResource),
    User(&'a UserInfo),
    Strings(&'a [String]),
}

impl Field<'_> {
    /// Writes the value into a slot, reusing a string's buffer.
    fn write(&self, slot: &mut Value) {
        match self {
            Field::Str(text) => match slot {
                Value::String(s) => {
                    s.clear();
                    s.push_str(text);
                }
                other => *other = Value::String(text.to_string()),
            },
            Field::Bool(b) => *slot = Value::Bool(*b),
            Field::Json(v) => *slot = v.cloned().unwrap_or_default(),
            Field::Gvk(g) => {
                *slot = json!({"group": g.group, "version": g.version, "kind": g.kind})
            }
            Field::Gvr(g) => {
                *slot = json!({"group": g.group, "version": g.version, "resource": g.resource})
            }
            Field::User(u) => *slot = serde_json::to_value(u).unwrap_or_default(),
            Field::Strings(list) => *slot = json!(list),
        }
    }
}

/// The most keys `request` has (the fields of an `AdmissionRequest`, `roles`, `clusterRoles`).
const MAX_FIELDS: usize = 17;

/// The keys and values of `request`, in order, without allocating.
struct Fields<'a> {
    items: [(&'static str, Field<'a>); MAX_FIELDS],
    len: usize,
}

impl<'a> Fields<'a> {
    fn new() -> Self {
        Fields {
            items: [("", Field::Bool(false)); MAX_FIELDS],
            len: 0,
        }
    }

    fn push(&mut self, key: &'static str, field: Field<'a>) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = (key, field);
            self.len += 1;
        }
    }

    fn as_slice(&self) -> &[(&'static str, Field<'a>)] {
        self.items.get(..self.len).unwrap_or_default()
    }
}

/// The keys and values of the document: the top level and `request`.
struct Shape<'a> {
    request: Fields<'a>,
    /// `serviceAccountName` and `serviceAccountNamespace`, when the user is known.
    service_account: Option<[&'a str; 2]>,
}

const SA_NAME: &str = "serviceAccountName";
const SA_NAMESPACE: &str = "serviceAccountNamespace";

impl Shape<'_> {
    fn top_keys(&self) -> &'static [&'static str] {
        match self.service_account {
            Some(_) => &["request", SA_NAME, SA_NAMESPACE],
            None => &["request"],
        }
    }

    /// Writes the values into a document of the same shape; `false` (the document partly
    /// written) when its shape differs.
    fn fill(&self, doc: &mut Value) -> bool {
        let Some(top) = doc.as_object_mut() else {
            return false;
        };
        let keys = self.top_keys();
        if top.len() != keys.len() || !top.keys().zip(keys).all(|(k, n)| k == n) {
            return false;
        }
        let mut values = top.values_mut();
        let Some(request) = values.next().and_then(Value::as_object_mut) else {
            return false;
        };
        let fields = self.request.as_slice();
        let same =
            request.len() == fields.len() && request.keys().zip(fields).all(|(k, (n, _))| k == n);
        if !same {
            return false;
        }
        for (slot, (_, field)) in request.values_mut().zip(fields) {
            field.write(slot);
        }
        if let Some(names) = self.service_account {
            for (slot, name) in values.zip(names) {
                Field::Str(name).write(slot);
            }
        }
        true
    }

    /// A new document of this shape.
    fn build(&self) -> Value {
        let mut request = Map::new();
        for (key, field) in self.request.as_slice() {
            let mut v = Value::Null;
            field.write(&mut v);
            request.insert((*key).to_string(), v);
        }
        let mut top = Map::new();
        top.insert("request".into(), Value::Object(request));
        if let Some([name, namespace]) = self.service_account {
            top.insert(SA_NAME.into(), json!(name));
            top.insert(SA_NAMESPACE.into(), json!(namespace));
        }
        Value::Object(top)
    }
}

/// `serviceAccountName` and `serviceAccountNamespace` of a user name, as Kyverno's
/// `AddServiceAccount` computes them: it drops as many leading characters as
/// `system:serviceaccount:` has (without checking them), then splits on `:`.
fn service_account(username: &str) -> [&str; 2] {
    const PREFIX_LEN: usize = "system:serviceaccount:".len();
    let rest = if username.len() > PREFIX_LEN {
        username.get(PREFIX_LEN..).unwrap_or("")
    } else {
        ""
    };
    let mut parts = rest.split(':');
    match (parts.next(), parts.next()) {
        (Some(namespace), Some(name)) => [name, namespace],
        _ => ["", ""],
    }
}

impl Drop for Context<'_> {
    /// Leaves the document for the next context on this thread, without the variables rules
    /// added at the top level (`images`).
    fn drop(&mut self) {
        let mut doc = std::mem::take(&mut self.doc);
        if let Value::Object(map) = &mut doc
            && map.len() > self.top_len
        {
            map.retain(|k, _| k == "request" || k == SA_NAME || k == SA_NAMESPACE);
        }
        // During thread teardown there is nowhere to leave it: it is simply dropped.
        let _ = SPARE.try_with(|spare| spare.set(Some(doc)));
    }
}

impl<'r> Context<'r> {
    /// Builds the document for a request.
    pub fn new(input: &Input<'r>) -> Self {
        let request = input.request;
        let admission = request.admission;
        // The objects are stand-ins until a value writes into them (see `own_objects`).
        let (object, old_object) = (input.object, input.old_object);
        let object_field = Field::Json(None);
        let old_field = Field::Json(None);
        let user_known = request.knows_user();
        let mut fields = Fields::new();
        match request.origin {
            Origin::Admission => {
                fields.push("uid", Field::Str(&admission.uid));
                fields.push("kind", Field::Gvk(&admission.kind));
                fields.push("resource", Field::Gvr(&admission.resource));
                if !admission.sub_resource.is_empty() {
                    fields.push("subResource", Field::Str(&admission.sub_resource));
                }
                if let Some(k) = &admission.request_kind {
                    fields.push("requestKind", Field::Gvk(k));
                }
                if let Some(r) = &admission.request_resource {
                    fields.push("requestResource", Field::Gvr(r));
                }
                if !admission.request_sub_resource.is_empty() {
                    fields.push(
                        "requestSubResource",
                        Field::Str(&admission.request_sub_resource),
                    );
                }
                if !admission.name.is_empty() {
                    fields.push("name", Field::Str(&admission.name));
                }
                if !admission.namespace.is_empty() {
                    fields.push("namespace", Field::Str(&admission.namespace));
                }
                fields.push("operation", Field::Str(input.operation.as_str()));
                fields.push("userInfo", Field::User(&admission.user_info));
                fields.push("object", object_field);
                fields.push("oldObject", old_field);
                if let Some(dry_run) = admission.dry_run {
                    fields.push("dryRun", Field::Bool(dry_run));
                }
                fields.push("options", Field::Json(admission.options.as_ref()));
            }
            Origin::Offline => {
                fields.push("operation", Field::Str(input.operation.as_str()));
                if input.operation != Operation::Delete {
                    fields.push("object", object_field);
                }
                fields.push("oldObject", old_field);
                fields.push("namespace", Field::Str(input.namespace));
                if user_known {
                    fields.push("userInfo", Field::User(&admission.user_info));
                }
            }
        }
        if user_known || request.origin == Origin::Admission {
            if !request.roles.is_empty() {
                fields.push("roles", Field::Strings(request.roles));
            }
            if !request.cluster_roles.is_empty() {
                fields.push("clusterRoles", Field::Strings(request.cluster_roles));
            }
        }
        let shape = Shape {
            request: fields,
            service_account: (user_known || request.origin == Origin::Admission)
                .then(|| service_account(&admission.user_info.username)),
        };
        let mut doc = SPARE
            .try_with(Cell::take)
            .ok()
            .flatten()
            .unwrap_or_default();
        if !shape.fill(&mut doc) {
            doc = shape.build();
        }
        let mut ctx = Context {
            doc,
            top_len: shape.top_keys().len(),
            object,
            old_object,
            clock: request.clock,
        };
        for (key, value) in request.variables {
            ctx.add_value(key, value.clone());
        }
        ctx
    }

    /// Adds a caller's value at a dotted path (`request.object.metadata.name`), as Kyverno's
    /// `AddVariable` does: a mapping merges into a mapping already there (recursively), any
    /// other value replaces what is there. The value wins over what the request holds:
    /// expressions reading `request.object.metadata.name` see it.
    pub fn add_value(&mut self, dotted: &str, value: Value) {
        self.own_objects(dotted);
        add_at(&mut self.doc, dotted, value);
    }

    /// Before a write at `dotted` that reaches into `request.object` or `request.oldObject`:
    /// replaces the stand-in with a copy of the object, which expressions then read (and the
    /// write changes) instead of the request's object. Only such writes pay for the copy.
    pub fn own_objects(&mut self, dotted: &str) {
        let mut parts = dotted.split('.');
        if parts.next() != Some("request") {
            return;
        }
        let field = parts.next();
        if matches!(field, None | Some("object"))
            && let Some(object) = self.object.take()
        {
            self.set_path("request.object", object.clone());
        }
        if matches!(field, None | Some("oldObject"))
            && let Some(old) = self.old_object.take()
        {
            self.set_path("request.oldObject", old.clone());
        }
    }

    /// Replaces `request.object` with a value of its own.
    pub fn set_object(&mut self, object: Value) {
        self.object = None;
        self.set_path("request.object", object);
    }

    /// Adds `images.*` (parsing every container image of the resource), once.
    pub fn add_images(&mut self, resource: &Value) {
        if self.doc.get("images").is_none() {
            self.insert("images", images(resource));
        }
    }

    /// The document.
    pub fn doc(&self) -> &Value {
        &self.doc
    }

    /// Sets a value at a dotted path (`request.object.metadata.name`), creating maps on the way.
    pub fn set_path(&mut self, dotted: &str, value: Value) {
        if let Some(slot) = slot(&mut self.doc, dotted) {
            *slot = value;
        }
    }

    /// Sets a top-level variable, returning what it replaced (for [`Context::restore`]).
    pub fn insert(&mut self, name: &str, value: Value) -> Option<Value> {
        self.doc
            .as_object_mut()
            .and_then(|m| m.insert(name.to_string(), value))
    }

    /// Undoes an [`Context::insert`].
    pub fn restore(&mut self, name: &str, previous: Option<Value>) {
        if let Some(map) = self.doc.as_object_mut() {
            match previous {
                Some(v) => {
                    map.insert(name.to_string(), v);
                }
                None => {
                    map.remove(name);
                }
            }
        }
    }
}

/// The place of a dotted path in a document, made on the way: maps are created, and anything
/// that is not a map is replaced by one. The last key's place holds `null` when it is new.
fn slot<'v>(doc: &'v mut Value, dotted: &str) -> Option<&'v mut Value> {
    let mut node = doc;
    for part in dotted.split('.') {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        node = node
            .as_object_mut()?
            .entry(part.to_string())
            .or_insert(Value::Null);
    }
    Some(node)
}

/// Adds a value at a dotted path of a document as Kyverno's `AddVariable` does (see
/// [`merge_into`]).
pub(crate) fn add_at(doc: &mut Value, dotted: &str, value: Value) {
    if let Some(slot) = slot(doc, dotted) {
        merge_into(slot, value);
    }
}

/// Merges `value` into `slot` as Kyverno merges a variable into its context: mappings key by
/// key (recursively), anything else replaces what is there.
fn merge_into(slot: &mut Value, value: Value) {
    let Value::Object(new) = value else {
        *slot = value;
        return;
    };
    let Some(existing) = slot.as_object_mut() else {
        *slot = Value::Object(new);
        return;
    };
    for (key, value) in new {
        match existing.get_mut(&key) {
            Some(inner) => merge_into(inner, value),
            None => {
                existing.insert(key, value);
            }
        }
    }
}

/// `images.{containers,initContainers,ephemeralContainers}.<name>` for a Pod, a pod template
/// or a CronJob, as Kyverno computes it.
fn images(resource: &Value) -> Value {
    let kind = resource.get("kind").and_then(Value::as_str).unwrap_or("");
    let spec_pointer = match kind {
        "Pod" => "/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        _ => "/spec/template/spec",
    };
    let Some(spec) = resource.pointer(spec_pointer) else {
        return json!({});
    };
    let mut out = Map::new();
    for group in ["initContainers", "containers", "ephemeralContainers"] {
        let Some(containers) = spec.get(group).and_then(Value::as_array) else {
            continue;
        };
        let mut entries = Map::new();
        for (i, c) in containers.iter().enumerate() {
            let (Some(name), Some(image)) = (
                c.get("name").and_then(Value::as_str),
                c.get("image").and_then(Value::as_str),
            ) else {
                continue;
            };
            let Some(r) = ImageRef::parse(image) else {
                continue;
            };
            entries.insert(
                name.to_string(),
                json!({
                    "registry": r.registry,
                    "path": r.path,
                    "name": r.name(),
                    "tag": r.tag,
                    "digest": r.digest,
                    "reference": r.normalized(),
                    "referenceWithTag": format!("{}:{}", r.reference(), r.tag),
                    "jsonPointer": format!("{spec_pointer}/{group}/{i}/image"),
                }),
            );
        }
        if !entries.is_empty() {
            out.insert(group.to_string(), Value::Object(entries));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests;
