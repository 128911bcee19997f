//! The variables one rule evaluation sees: the request's [`Context`], built on first use, plus
//! the rule's `context[]` entries, which are removed again when the rule is done.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::context::Context;
use super::external::{ApiCall, ApiTarget, ExternalData, ExternalError};
use super::input::Input;
use crate::compile::{ContextEntry, ExternalLookup, ExternalTarget, Query};
use crate::expr::{self, Env, Expr};
use crate::matching::Facts;
use crate::template::{Dynamic, Evaluate, SubstitutionError};

/// The request and its lazily built context.
pub struct Scope<'r> {
    input: &'r Input<'r>,
    /// The labels of the request's namespace, when known.
    namespace_labels: Option<&'r Map<String, Value>>,
    ctx: Option<Context<'r>>,
    element: Option<Value>,
    /// How many times `request.object` was replaced ([`Scope::set_object`]).
    object_version: u64,
    /// The namespace of the policy whose rules run (`None` for a ClusterPolicy).
    policy_namespace: Option<&'r str>,
    /// The caller's values per foreach element of the rule that runs (`foreachValues`).
    foreach_values: Vec<(String, Vec<Value>)>,
}

/// What [`Scope::enter_element`] replaced, for [`Scope::leave_element`].
pub struct SavedElement {
    element: Option<Value>,
    undo: Undo,
}

/// Why a rule's context could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadFailure {
    /// Data that only a cluster or registry has was not supplied: the rule is skipped.
    Missing(String),
    /// An entry failed: the rule errors.
    Error(String),
}

/// What loading added, to be undone after the rule.
#[derive(Debug, Default)]
pub struct Undo(Vec<(String, Option<Value>)>);

impl<'r> Scope<'r> {
    /// A scope for a request (with its namespace's labels, when known); no context is built
    /// until a rule needs one.
    pub fn new(input: &'r Input<'r>, namespace_labels: Option<&'r Map<String, Value>>) -> Self {
        Scope {
            input,
            namespace_labels,
            ctx: None,
            element: None,
            object_version: 0,
            policy_namespace: None,
            foreach_values: Vec::new(),
        }
    }

    /// Sets the caller's values per foreach element for the rule that runs next; returns the
    /// previous ones (to put back).
    pub fn swap_foreach_values(
        &mut self,
        values: Vec<(String, Vec<Value>)>,
    ) -> Vec<(String, Vec<Value>)> {
        std::mem::replace(&mut self.foreach_values, values)
    }

    /// Sets the namespace of the policy whose rules run next (`None` for a ClusterPolicy).
    pub fn for_policy(&mut self, namespace: Option<&'r str>) {
        self.policy_namespace = namespace;
    }

    /// The current foreach element, when patterns are scoped to it.
    pub fn element(&self) -> Option<&Value> {
        self.element.as_ref()
    }

    /// Makes a foreach element current: `element`, `elementIndex` and their nesting-indexed
    /// forms (`element0`, `elementIndex0`, ...) in the context, and the pattern target when
    /// `scoped`.
    pub fn enter_element(
        &mut self,
        element: &Value,
        index: usize,
        nesting: usize,
        scoped: bool,
    ) -> SavedElement {
        let mut undo = Undo::default();
        for (name, value) in [
            ("element".to_string(), element.clone()),
            ("elementIndex".to_string(), Value::from(index)),
            (format!("element{nesting}"), element.clone()),
            (format!("elementIndex{nesting}"), Value::from(index)),
        ] {
            self.set(&name, value, &mut undo);
        }
        let per_element: Vec<(String, Value)> = self
            .foreach_values
            .iter()
            .filter_map(|(name, values)| Some((name.clone(), values.get(index)?.clone())))
            .collect();
        for (name, value) in per_element {
            self.set(&name, value, &mut undo);
        }
        let previous = if scoped {
            self.element.replace(element.clone())
        } else {
            self.element.clone()
        };
        SavedElement {
            element: previous,
            undo,
        }
    }

    /// Shows rules a new `request.object` (a mutate foreach entry's result).
    pub fn set_object(&mut self, object: Value) {
        self.object_version += 1;
        self.context().set_object(object);
    }

    /// Changes when [`Scope::set_object`] is called.
    pub fn object_version(&self) -> u64 {
        self.object_version
    }

    /// Undoes [`Scope::enter_element`].
    pub fn leave_element(&mut self, saved: SavedElement) {
        self.unload(saved.undo);
        self.element = saved.element;
    }

    /// How expressions over data other than the context (a value, an API answer) evaluate:
    /// Kyverno's dialect, on the request's clock.
    fn env(&self) -> Env<'r> {
        Env {
            clock: self.input.request.clock,
            ..Env::default()
        }
    }

    /// The request as the rules see it.
    pub fn input(&self) -> &'r Input<'r> {
        self.input
    }

    /// What `match` blocks look at in the request (a PolicyException's, checked inside a rule).
    pub fn facts(&self) -> Facts<'r> {
        self.input.facts(self.namespace_labels)
    }

    /// Whether this is a DELETE request (variables read `request.oldObject`).
    pub fn is_delete(&self) -> bool {
        self.input.is_delete()
    }

    /// The context, built on first use.
    pub fn context(&mut self) -> &mut Context<'r> {
        let input = self.input;
        self.ctx.get_or_insert_with(|| Context::new(input))
    }

    /// Makes `images.*` available (only rules that mention `images` pay for parsing them).
    pub fn add_images(&mut self) {
        let resource = self.input.object.unwrap_or(self.input.resource);
        self.context().add_images(resource);
    }

    /// Substitutes variables in a value.
    pub fn render(&mut self, value: &Dynamic, path: &str) -> Result<Value, SubstitutionError> {
        self.resolve(value, path).map(Cow::into_owned)
    }

    /// Substitutes variables in a value; a value without variables is borrowed, not copied.
    pub fn resolve<'d>(
        &mut self,
        value: &'d Dynamic,
        path: &str,
    ) -> Result<Cow<'d, Value>, SubstitutionError> {
        if let Some(v) = value.as_static() {
            return Ok(Cow::Borrowed(v));
        }
        let delete = self.is_delete();
        value.render(self.context(), path, delete).map(Cow::Owned)
    }

    /// Loads context entries in order (later entries may use earlier ones).
    pub fn load(&mut self, entries: &[ContextEntry], undo: &mut Undo) -> Result<(), LoadFailure> {
        for entry in entries {
            let value = match entry {
                ContextEntry::Variable {
                    name,
                    value,
                    query,
                    default,
                } => self.variable(name, value.as_ref(), query.as_ref(), default.as_ref())?,
                ContextEntry::External {
                    name,
                    source,
                    lookup,
                } => {
                    let data = self.input.request.data;
                    let answer = match lookup {
                        Some(lookup) => self.external(name, lookup, data)?,
                        None => None,
                    };
                    match answer {
                        // An answer replaces any value given under the entry's name, as in
                        // Kyverno, where the entry is loaded after the rule's values.
                        Some(value) => value,
                        // Values given under the entry's name stand in for data that nothing
                        // can answer (offline runs).
                        None if self.context().doc().pointer(&pointer(name)).is_some() => {
                            continue;
                        }
                        None => return Err(missing(name, source)),
                    }
                }
            };
            self.set(entry.name(), value, undo);
        }
        Ok(())
    }

    /// Sets values (dotted paths), replacing what is there.
    pub fn set_values(&mut self, values: Vec<(String, Value)>, undo: &mut Undo) {
        for (name, value) in values {
            self.set(&name, value, undo);
        }
    }

    /// Adds caller-supplied values (dotted paths) for one rule as Kyverno adds them to its
    /// context ([`Context::add_value`]): they win over the request's own fields, the objects'
    /// included.
    pub fn add_values(&mut self, values: Vec<(String, Value)>, undo: &mut Undo) {
        for (name, value) in values {
            self.context().own_objects(&name);
            self.remember(&name, undo).add_value(&name, value);
        }
    }

    fn set(&mut self, name: &str, value: Value, undo: &mut Undo) {
        self.remember(name, undo).set_path(name, value);
    }

    /// Records what the top-level variable of a dotted path holds now, to be restored by
    /// [`Scope::unload`]; returns the context to write into.
    fn remember(&mut self, name: &str, undo: &mut Undo) -> &mut Context<'r> {
        let top = name.split('.').next().unwrap_or(name).to_string();
        let ctx = self.context();
        let previous = ctx.doc().get(&top).cloned();
        undo.0.push((top, previous));
        ctx
    }

    /// Removes what [`Scope::load`] added.
    pub fn unload(&mut self, undo: Undo) {
        if let Some(ctx) = &mut self.ctx {
            for (name, previous) in undo.0.into_iter().rev() {
                ctx.restore(&name, previous);
            }
        }
    }

    /// Asks the caller's external data for a `configMap`, `apiCall` or `globalReference`
    /// entry: `Ok(None)` when nothing can answer it.
    fn external(
        &mut self,
        name: &str,
        lookup: &ExternalLookup,
        data: &dyn ExternalData,
    ) -> Result<Option<Value>, LoadFailure> {
        let fail =
            |m: String| LoadFailure::Error(format!("failed to load context entry {name}: {m}"));
        let text = |scope: &mut Self, d: &Dynamic| -> Result<String, LoadFailure> {
            match scope.render(d, "/context") {
                Ok(Value::String(s)) => Ok(s),
                Ok(other) => Ok(other.to_string()),
                Err(e) => Err(fail(e.to_string())),
            }
        };
        let answer = match &lookup.target {
            ExternalTarget::ConfigMap {
                namespace,
                name: cm_name,
            } => {
                let (namespace, cm_name) = (text(self, namespace)?, text(self, cm_name)?);
                // Kyverno's messages for a ConfigMap that cannot be had.
                let retrieve = |m: String| {
                    LoadFailure::Error(format!(
                        "failed to retrieve config map for context entry {name}: {m}"
                    ))
                };
                // As Kyverno: no namespace is the policy's own, or `default` for a
                // ClusterPolicy; a namespaced policy reads only its own namespace.
                let namespace = match (namespace.as_str(), self.policy_namespace) {
                    ("", own) => own.unwrap_or("default").to_string(),
                    (ns, Some(own)) if ns != own => {
                        return Err(retrieve(format!(
                            "context entry {name}: configMap namespace \"{ns}\" is different from policy namespace \"{own}\""
                        )));
                    }
                    _ => namespace,
                };
                match data.config_map(&namespace, &cm_name) {
                    Err(ExternalError::NotSupplied) => Err(ExternalError::NotSupplied),
                    Err(e) => {
                        return Err(retrieve(format!(
                            "failed to get configmap {namespace}/{cm_name} : {e}"
                        )));
                    }
                    Ok(cm) => {
                        let mut out = serde_json::Map::new();
                        for key in ["data", "metadata"] {
                            out.insert(key.into(), cm.get(key).cloned().unwrap_or_default());
                        }
                        Ok(Value::Object(out))
                    }
                }
            }
            ExternalTarget::Global(g) => data.global_context(g),
            ExternalTarget::UrlPath(_) | ExternalTarget::Service { .. } => {
                let body = if lookup.data.is_empty() {
                    None
                } else {
                    let mut map = serde_json::Map::new();
                    for (key, value) in &lookup.data {
                        let v = self
                            .render(value, "/data")
                            .map_err(|e| fail(e.to_string()))?;
                        map.insert(key.clone(), v);
                    }
                    Some(Value::Object(map))
                };
                match &lookup.target {
                    ExternalTarget::UrlPath(p) => {
                        let path = text(self, p)?;
                        if let Some(own) = self.policy_namespace {
                            super::external::namespace_guard(&path, own).map_err(fail)?;
                        }
                        data.api_call(&ApiCall {
                            method: &lookup.method,
                            target: ApiTarget::UrlPath(&path),
                            data: body.as_ref(),
                        })
                    }
                    ExternalTarget::Service {
                        url,
                        ca_bundle,
                        headers,
                    } => {
                        let url = text(self, url)?;
                        let ca_bundle = match ca_bundle {
                            Some(c) => Some(text(self, c)?),
                            None => None,
                        };
                        let mut rendered = Vec::with_capacity(headers.len());
                        for (k, v) in headers {
                            rendered.push((k.clone(), text(self, v)?));
                        }
                        data.api_call(&ApiCall {
                            method: &lookup.method,
                            target: ApiTarget::Service {
                                url: &url,
                                ca_bundle: ca_bundle.as_deref(),
                                headers: &rendered,
                            },
                            data: body.as_ref(),
                        })
                    }
                    _ => Err(ExternalError::NotSupplied),
                }
            }
        };
        let answer = match answer {
            Err(ExternalError::NotSupplied) => return Ok(None),
            Err(e) => Err(e.to_string()),
            Ok(v) => Ok(v),
        };
        let default = match &lookup.default {
            Some(d) => Some(
                self.render(d, "/default")
                    .map_err(|e| fail(e.to_string()))?,
            ),
            None => None,
        };
        let queried = answer.and_then(|body| match &lookup.query {
            None => Ok(body),
            Some(q) => {
                let expr = self.query_expr(name, q)?;
                let env = self.env();
                expr.evaluate_in(&body, &env).map_err(|e| e.to_string())
            }
        });
        match (queried, default) {
            (Ok(v), _) if !v.is_null() => Ok(Some(v)),
            (_, Some(d)) => Ok(Some(d)),
            (Ok(v), None) => Ok(Some(v)),
            (Err(e), None) => Err(fail(e)),
        }
    }

    /// The expression of an entry's `jmesPath`: compiled once, or substituted and compiled now
    /// when it holds variables.
    fn query_expr<'q>(&mut self, name: &str, query: &'q Query) -> Result<Cow<'q, Expr>, String> {
        match query {
            Query::Static(e) => Ok(Cow::Borrowed(e)),
            Query::Templated(t) => {
                let delete = self.is_delete();
                let text = t.render(self.context(), "/jmesPath", delete).map_err(|e| {
                    format!(
                        "failed to substitute variables in context entry {name} {}: {e}",
                        t.source()
                    )
                })?;
                let text = text.as_str().unwrap_or_default();
                expr::parse(text)
                    .map(Cow::Owned)
                    .map_err(|e| format!("failed to compile JMESPath: {text}, error: {e}"))
            }
        }
    }

    /// Kyverno's variable loader: `value` (substituted), transformed by `jmesPath`; without
    /// `value`, `jmesPath` over the whole context; `default` when the result is missing.
    fn variable(
        &mut self,
        name: &str,
        value: Option<&Dynamic>,
        query: Option<&Query>,
        default: Option<&Dynamic>,
    ) -> Result<Value, LoadFailure> {
        let fail = |m: String| LoadFailure::Error(m);
        let query = match query {
            None => None,
            Some(q) => Some(self.query_expr(name, q).map_err(fail)?),
        };
        let default = match default {
            Some(d) => Some(self.render(d, "/default").map_err(|e| {
                fail(format!(
                    "failed to substitute variables in context entry {name}: {e}"
                ))
            })?),
            None => None,
        };
        let mut output = default.clone().filter(|d| !d.is_null());
        match (value, &query) {
            (Some(v), _) => {
                let v = self.render(v, "/value").map_err(|e| {
                    fail(format!(
                        "failed to substitute variables in context entry {name}: {e}"
                    ))
                })?;
                match &query {
                    Some(q) => match q.evaluate_in(&v, &self.env()) {
                        Ok(result) => output = Some(result),
                        Err(e) if output.is_none() => {
                            return Err(fail(format!(
                                "failed to apply jmespath {} to variable {v}: {e}",
                                q.source()
                            )));
                        }
                        Err(_) => {}
                    },
                    None => output = Some(v),
                }
            }
            (None, Some(q)) => match self.context().evaluate(q) {
                Ok(result) if !result.is_null() => output = Some(result),
                Ok(_) => {}
                Err(e) if output.is_none() => {
                    return Err(fail(format!(
                        "failed to apply jmespath {} to variable: {e}",
                        q.source()
                    )));
                }
                Err(_) => {}
            },
            (None, None) => {}
        }
        match output {
            Some(v) if !v.is_null() => Ok(v),
            _ => Err(fail(format!(
                "failed to add context entry for variable {name} since it evaluated to nil"
            ))),
        }
    }
}

/// Why an entry whose data nobody supplied cannot load: the rule is skipped.
fn missing(name: &str, source: &str) -> LoadFailure {
    LoadFailure::Missing(format!(
        "context entry `{name}` ({source}) needs data from a cluster, which was not supplied: give it a value in a values file (`policies[].rules[].values`) or the test's mocks"
    ))
}

/// A JSON pointer for a dotted name.
fn pointer(dotted: &str) -> String {
    dotted.split('.').fold(String::new(), |mut p, seg| {
        p.push('/');
        p.push_str(seg);
        p
    })
}
