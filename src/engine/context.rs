//! The JSON document `{{ }}` variables are evaluated against: `request.*`,
//! `serviceAccountName`, `serviceAccountNamespace`, `images.*`, values supplied by the caller,
//! and (per rule) context entries and foreach elements.

use serde_json::{Map, Value, json};

use super::{Operation, Request};
use crate::expr::{Alias, EvalError, Expr};
use crate::image::ImageRef;
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

impl Evaluate for Context<'_> {
    fn evaluate(&self, expr: &Expr) -> Result<Value, EvalError> {
        let request = self.doc.get("request");
        let mut aliases: [Option<Alias>; 2] = [None, None];
        for (slot, (field, value)) in aliases
            .iter_mut()
            .zip([("object", self.object), ("oldObject", self.old_object)])
        {
            if let (Some(stand_in), Some(value)) = (request.and_then(|r| r.get(field)), value) {
                *slot = Some(Alias { stand_in, value });
            }
        }
        let aliases: Vec<Alias> = aliases.into_iter().flatten().collect();
        expr.evaluate_aliased(&self.doc, &aliases)
    }
}

impl<'r> Context<'r> {
    /// Builds the document for a request.
    pub fn new(request: &Request<'r>) -> Self {
        let resource = request.resource;
        let metadata = resource.get("metadata");
        let meta = |k: &str| {
            metadata
                .and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let api_version = resource
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let kind = resource.get("kind").and_then(Value::as_str).unwrap_or("");
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
        let stand_in = |v: Option<&Value>| match (v, copy) {
            (Some(v), true) => v.clone(),
            _ => Value::Null,
        };
        let (object, old_object) = (stand_in(new), stand_in(old));
        let namespace = if kind == "Namespace" {
            ""
        } else {
            meta("namespace")
        };
        let text = |s: &str| Value::String(s.to_string());
        let mut req = Map::with_capacity(9);
        req.insert("operation".into(), text(request.operation.as_str()));
        req.insert("object".into(), object);
        req.insert("oldObject".into(), old_object);
        req.insert("namespace".into(), text(namespace));
        req.insert("name".into(), text(meta("name")));
        let mut gvk = Map::with_capacity(3);
        gvk.insert("group".into(), text(group));
        gvk.insert("version".into(), text(version));
        gvk.insert("kind".into(), text(kind));
        req.insert("kind".into(), Value::Object(gvk));
        let (mut sa_name, mut sa_namespace) = (String::new(), String::new());
        if let Some(user) = request.user {
            req.insert(
                "userInfo".into(),
                json!({"username": user.username, "groups": user.groups}),
            );
            req.insert("roles".into(), json!(user.roles));
            req.insert("clusterRoles".into(), json!(user.cluster_roles));
            if let Some(rest) = user.username.strip_prefix("system:serviceaccount:")
                && let Some((ns, name)) = rest.split_once(':')
            {
                (sa_namespace, sa_name) = (ns.to_string(), name.to_string());
            }
        }
        let mut doc = Map::with_capacity(4);
        doc.insert("request".into(), Value::Object(req));
        doc.insert("serviceAccountName".into(), Value::String(sa_name));
        doc.insert(
            "serviceAccountNamespace".into(),
            Value::String(sa_namespace),
        );
        let doc = Value::Object(doc);
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
