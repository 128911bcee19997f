//! The JSON document `{{ }}` variables are evaluated against: `request.*`,
//! `serviceAccountName`, `serviceAccountNamespace`, `images.*`, values supplied by the caller,
//! and (per rule) context entries and foreach elements.

use std::cell::Cell;

use serde_json::{Map, Value, json};

use super::{Operation, Request};
use crate::expr::{Alias, Env, EvalError, Expr};
use crate::image::ImageRef;
use crate::lookup;
use crate::matching::UserInfo;
use crate::template::Evaluate;

/// The variables of one request. Rules add and remove their own entries around their
/// evaluation ([`Context::insert`] / [`Context::restore`]).
///
/// `request.object` and `request.oldObject` are not copied into the document: it holds
/// stand-ins that expressions resolve to the request's resource ([`Alias`]), unless the
/// caller's values write into them.
#[derive(Debug, Clone)]
pub struct Context<'r> {
    doc: Value,
    object: Option<&'r Value>,
    old_object: Option<&'r Value>,
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

/// Top-level keys of the document, in order.
const TOP: [&str; 3] = ["request", "serviceAccountName", "serviceAccountNamespace"];
/// Keys of `request`, in order; the last three only when the request has a user.
const REQUEST: [&str; 9] = [
    "operation",
    "object",
    "oldObject",
    "namespace",
    "name",
    "kind",
    "userInfo",
    "roles",
    "clusterRoles",
];
/// Keys of `request.kind`, in order.
const GVK: [&str; 3] = ["group", "version", "kind"];

/// The values one request gives the document.
struct Fields<'a> {
    operation: &'a str,
    /// `request.object` and `request.oldObject` when they are copied (else stand-ins).
    object: Option<&'a Value>,
    old_object: Option<&'a Value>,
    namespace: &'a str,
    name: &'a str,
    gvk: [&'a str; 3],
    user: Option<&'a UserInfo>,
    service_account: [&'a str; 2],
}

impl Fields<'_> {
    /// Writes the values into a document of the right shape, reusing its string buffers;
    /// `false` (the document partly written) when its shape is not the expected one.
    fn fill(&self, doc: &mut Value) -> bool {
        let Some(mut top) = values_of(doc, &TOP) else {
            return false;
        };
        let (Some(request), Some(sa_name), Some(sa_namespace)) =
            (top.next(), top.next(), top.next())
        else {
            return false;
        };
        set_str(sa_name, self.service_account[0]);
        set_str(sa_namespace, self.service_account[1]);
        let Some(mut request) = values_of(request, request_keys(self.user.is_some())) else {
            return false;
        };
        let mut next = || request.next();
        let (
            Some(operation),
            Some(object),
            Some(old_object),
            Some(namespace),
            Some(name),
            Some(gvk),
        ) = (next(), next(), next(), next(), next(), next())
        else {
            return false;
        };
        set_str(operation, self.operation);
        *object = self.object.cloned().unwrap_or_default();
        *old_object = self.old_object.cloned().unwrap_or_default();
        set_str(namespace, self.namespace);
        set_str(name, self.name);
        let Some(gvk) = values_of(gvk, &GVK) else {
            return false;
        };
        for (slot, text) in gvk.zip(self.gvk) {
            set_str(slot, text);
        }
        if let Some(user) = self.user {
            let (Some(info), Some(roles), Some(cluster_roles)) = (next(), next(), next()) else {
                return false;
            };
            *info = json!({"username": user.username, "groups": user.groups});
            *roles = json!(user.roles);
            *cluster_roles = json!(user.cluster_roles);
        }
        true
    }
}

/// The values of a map whose keys are exactly `names`, in that order.
fn values_of<'v>(value: &'v mut Value, names: &[&str]) -> Option<serde_json::map::ValuesMut<'v>> {
    let map = value.as_object_mut()?;
    let same = map.len() == names.len() && map.keys().zip(names).all(|(k, n)| k == n);
    same.then(|| map.values_mut())
}

/// Sets a string value, reusing its buffer.
fn set_str(slot: &mut Value, text: &str) {
    match slot {
        Value::String(s) => {
            s.clear();
            s.push_str(text);
        }
        other => *other = Value::String(text.to_string()),
    }
}

/// The keys of `request`, with or without those of the user.
fn request_keys(user: bool) -> &'static [&'static str] {
    REQUEST.get(..if user { 9 } else { 6 }).unwrap_or_default()
}

/// A document with every key of the request's shape and `null` values.
fn skeleton(user: bool) -> Value {
    fn object(names: &[&str]) -> Map<String, Value> {
        names.iter().map(|n| (n.to_string(), Value::Null)).collect()
    }
    let mut request = object(request_keys(user));
    if let Some(kind) = request.get_mut("kind") {
        *kind = Value::Object(object(&GVK));
    }
    let mut doc = object(&TOP);
    if let Some(slot) = doc.get_mut("request") {
        *slot = Value::Object(request);
    }
    Value::Object(doc)
}

impl Drop for Context<'_> {
    /// Leaves the document for the next context on this thread, without the variables rules
    /// added at the top level (`images`).
    fn drop(&mut self) {
        let mut doc = std::mem::take(&mut self.doc);
        if let Value::Object(map) = &mut doc
            && map.len() > TOP.len()
        {
            map.retain(|k, _| TOP.contains(&k.as_str()));
        }
        // During thread teardown there is nowhere to leave it: it is simply dropped.
        let _ = SPARE.try_with(|spare| spare.set(Some(doc)));
    }
}

impl<'r> Context<'r> {
    /// Builds the document for a request.
    pub fn new(request: &Request<'r>) -> Self {
        let resource = request.resource;
        let metadata = lookup::get(resource, "metadata");
        let meta = |k: &str| {
            metadata
                .and_then(|m| lookup::get(m, k))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let top_str = |k: &str| {
            lookup::get(resource, k)
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let api_version = top_str("apiVersion");
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let kind = top_str("kind");
        // Values that write into the resource need a real copy; otherwise stand-ins.
        let copy = request
            .variables
            .iter()
            .any(|(k, _)| k.starts_with("request.object") || k.starts_with("request.oldObject"));
        let (new, old) = match request.operation {
            Operation::Delete => (None, Some(resource)),
            Operation::Update => (Some(resource), Some(resource)),
            _ => (Some(resource), None),
        };
        let mut service_account = ["", ""];
        if let Some(user) = request.user
            && let Some(rest) = user.username.strip_prefix("system:serviceaccount:")
            && let Some((ns, name)) = rest.split_once(':')
        {
            service_account = [name, ns];
        }
        let fields = Fields {
            operation: request.operation.as_str(),
            object: new.filter(|_| copy),
            old_object: old.filter(|_| copy),
            namespace: if kind == "Namespace" {
                ""
            } else {
                meta("namespace")
            },
            name: meta("name"),
            gvk: [group, version, kind],
            user: request.user,
            service_account,
        };
        let mut doc = SPARE
            .try_with(Cell::take)
            .ok()
            .flatten()
            .unwrap_or_default();
        if !fields.fill(&mut doc) {
            doc = skeleton(request.user.is_some());
            fields.fill(&mut doc);
        }
        let mut ctx = Context {
            doc,
            object: new.filter(|_| !copy),
            old_object: old.filter(|_| !copy),
        };
        for (key, value) in request.variables {
            ctx.set_path(key, value.clone());
        }
        ctx
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
        let mut node = &mut self.doc;
        let mut parts = dotted.split('.').peekable();
        while let Some(part) = parts.next() {
            if !node.is_object() {
                *node = Value::Object(Map::new());
            }
            let Some(map) = node.as_object_mut() else {
                return;
            };
            if parts.peek().is_none() {
                map.insert(part.to_string(), value);
                return;
            }
            node = map
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
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
mod tests {
    use super::*;
    use crate::matching::UserInfo;

    #[test]
    fn request_variables() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
                         "spec": {"containers": [{"name": "c", "image": "ghcr.io/org/app:1.0"}]}});
        let user = UserInfo {
            username: "system:serviceaccount:kube-system:robot".into(),
            ..UserInfo::default()
        };
        let mut request = Request::create(&pod);
        request.user = Some(&user);
        let mut ctx = Context::new(&request);
        ctx.add_images(&pod);
        let query = |e: &str| {
            crate::expr::parse(e)
                .map_err(|e| e.to_string())
                .and_then(|e| ctx.evaluate(&e).map_err(|e| e.to_string()))
        };
        // The resource is not copied: the context refers to it.
        assert_eq!(query("request.object.metadata.name"), Ok(json!("p")));
        assert_eq!(
            query("request.object.spec.containers[0].name"),
            Ok(json!("c"))
        );
        assert_eq!(query("request.oldObject"), Ok(json!(null)));
        assert_eq!(ctx.doc().pointer("/request/object"), Some(&json!(null)));
        let doc = ctx.doc();
        assert_eq!(doc.pointer("/request/operation"), Some(&json!("CREATE")));
        assert_eq!(doc.pointer("/request/namespace"), Some(&json!("ns")));
        assert_eq!(doc.pointer("/serviceAccountName"), Some(&json!("robot")));
        assert_eq!(
            doc.pointer("/serviceAccountNamespace"),
            Some(&json!("kube-system"))
        );
        assert_eq!(
            doc.pointer("/images/containers/c/registry"),
            Some(&json!("ghcr.io"))
        );
        assert_eq!(doc.pointer("/images/containers/c/tag"), Some(&json!("1.0")));
        assert_eq!(
            doc.pointer("/images/containers/c/jsonPointer"),
            Some(&json!("/spec/containers/0/image"))
        );
    }

    #[test]
    fn reused_document_matches_a_fresh_one() {
        let pod = json!({"apiVersion": "apps/v1", "kind": "Deployment",
                         "metadata": {"name": "d", "namespace": "ns"}});
        let other = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}});
        let user = UserInfo {
            username: "system:serviceaccount:team:bot".into(),
            roles: vec!["r".into()],
            ..UserInfo::default()
        };
        let vars = vec![
            ("request.operation".to_string(), json!("SET")),
            ("request.oldObject.metadata.uid".to_string(), json!("u")),
        ];
        let expected = |request: &Request| {
            SPARE.with(Cell::take);
            Context::new(request).doc().clone()
        };
        // Each request, after contexts of every other shape (and with added variables) were
        // dropped on this thread, sees the same document as after a fresh start.
        let mut with_user = Request::create(&pod);
        with_user.user = Some(&user);
        let mut with_vars = Request::create(&other);
        with_vars.variables = &vars;
        with_vars.operation = Operation::Update;
        let requests = [Request::create(&pod), with_user, with_vars];
        for request in &requests {
            let want = expected(request);
            for before in &requests {
                let mut ctx = Context::new(before);
                ctx.add_images(before.resource);
                ctx.insert("element", json!(1));
                drop(ctx);
                assert_eq!(Context::new(request).doc(), &want);
            }
        }
        let doc = expected(&requests[1]);
        assert_eq!(doc.pointer("/request/kind/group"), Some(&json!("apps")));
        assert_eq!(doc.pointer("/request/roles"), Some(&json!(["r"])));
        assert_eq!(doc.pointer("/serviceAccountName"), Some(&json!("bot")));
        let doc = expected(&requests[2]);
        assert_eq!(doc.pointer("/request/namespace"), Some(&json!("")));
        assert_eq!(doc.pointer("/request/operation"), Some(&json!("SET")));
        assert_eq!(doc.pointer("/request/userInfo"), None);
        assert_eq!(
            doc.pointer("/request/oldObject/metadata/uid"),
            Some(&json!("u"))
        );
        assert_eq!(
            doc.pointer("/request/object/metadata/name"),
            Some(&json!("n"))
        );
        assert_eq!(doc.pointer("/serviceAccountName"), Some(&json!("")));
    }

    #[test]
    fn values_and_entries() {
        let pod = json!({"kind": "Pod"});
        let vars = vec![
            ("request.object.metadata.name".to_string(), json!("set")),
            ("size".to_string(), json!("3Gi")),
        ];
        let mut request = Request::create(&pod);
        request.variables = &vars;
        let mut ctx = Context::new(&request);
        // Values that write into the resource get a real copy.
        assert_eq!(
            ctx.doc().pointer("/request/object/metadata/name"),
            Some(&json!("set"))
        );
        assert_eq!(ctx.doc().pointer("/size"), Some(&json!("3Gi")));
        let previous = ctx.insert("element", json!(1));
        assert_eq!(ctx.doc().pointer("/element"), Some(&json!(1)));
        ctx.restore("element", previous);
        assert_eq!(ctx.doc().pointer("/element"), None);
    }
}
