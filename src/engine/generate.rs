//! Generate rules, offline, as Kyverno's CLI runs them: the rule's context and preconditions,
//! then each target (one, or one per `foreach` element) with its variables substituted, its
//! content from `data` or copied from the cluster's objects (`clone`, `cloneList`, answered by
//! [`ExternalData::resources`](super::ExternalData::resources)), and Kyverno's labels.
//!
//! Offline nothing pre-exists but the objects the caller supplies: a target that exists
//! already is left alone unless the rule synchronizes; any other target is created. A rule
//! passes (with no message, as Kyverno's) and lists what it generated.

use serde_json::{Map, Value};

use super::exceptions;
use super::external::{ExternalError, ResourcePurpose, ResourceQuery};
use super::gate::{self, Closed};
use super::scope::{Scope, Undo};
use super::{RuleOutput, RuleResponse, RuleStatus};
use crate::compile::{
    CompiledRule, GenerateAction, GenerateForeach, GeneratePattern, Generator, PolicyInfo, Source,
};
use crate::kinds::{guess_resource, is_cluster_scoped};
use crate::template::Evaluate;

const MANAGED_BY: &str = "app.kubernetes.io/managed-by";

/// Runs a generate rule whose `match` held on the trigger (the request's object).
pub fn run(
    rule: &CompiledRule,
    g: &Generator,
    scope: &mut Scope,
    policy: &PolicyInfo,
) -> Option<RuleResponse> {
    let trigger = scope.input().object?;
    if scope.is_delete() {
        return None;
    }
    let respond = |status, message| RuleResponse::generation(&rule.name, status, message);
    let mut undo = Undo::default();
    let gate = gate::open(&g.context, g.preconditions.as_ref(), scope, &mut undo);
    let response = match gate {
        Err(closed) => {
            let (status, message) = closed.into_rule_result();
            respond(status, message)
        }
        Ok(()) if let Some(skipped) = exceptions::check(rule, scope, RuleResponse::generation) => {
            skipped
        }
        Ok(()) => {
            let target = Target {
                policy,
                rule: &rule.name,
                trigger,
                synchronize: g.synchronize,
            };
            let generated = match &g.action {
                GenerateAction::One(pattern) => target.generate(pattern, scope),
                GenerateAction::Foreach(entries) => target.foreach(entries, scope),
            };
            match generated {
                Ok(resources) => {
                    let mut response = respond(RuleStatus::Pass, String::new());
                    response.output = RuleOutput::Generation(super::Generation { resources });
                    response
                }
                Err(e) => respond(
                    RuleStatus::Error,
                    format!("failed to generate resource: {e}"),
                ),
            }
        }
    };
    scope.unload(undo);
    Some(response)
}

/// What every object of one rule evaluation shares: who generates it, and from what.
struct Target<'a> {
    policy: &'a PolicyInfo,
    rule: &'a str,
    trigger: &'a Value,
    synchronize: bool,
}

/// A resolved target: where the object goes.
#[derive(Clone)]
struct Spec {
    api_version: String,
    kind: String,
    namespace: String,
    name: String,
}

impl Spec {
    /// `apiVersion/kind/namespace/name`, as Kyverno's `ResourceSpec` prints itself.
    fn path(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.api_version, self.kind, self.namespace, self.name
        )
    }

    fn query(&self) -> ResourceQuery<'_> {
        ResourceQuery {
            purpose: ResourcePurpose::Generate,
            api_version: &self.api_version,
            kind: &self.kind,
            namespace: &self.namespace,
            name: &self.name,
            selector: None,
        }
    }
}

impl Target<'_> {
    /// `foreach`: each entry's elements, each with its context and preconditions; the errors of
    /// every element are reported together, as Kyverno's multierror.
    fn foreach(
        &self,
        entries: &[GenerateForeach],
        scope: &mut Scope,
    ) -> Result<Vec<Value>, String> {
        let mut generated = Vec::new();
        let mut errors = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let elements = match scope.context().evaluate(&entry.list) {
                Ok(Value::Array(items)) => items,
                Ok(other) => vec![other],
                Err(e) => {
                    errors.push(format!("failed to evaluate {i} foreach list: {e}"));
                    continue;
                }
            };
            let mut failed = Vec::new();
            for (index, element) in elements.iter().enumerate() {
                if element.is_null() {
                    continue;
                }
                let saved = scope.enter_element(element, index, 0, false);
                let mut undo = Undo::default();
                let result = match gate::open(
                    &entry.context,
                    entry.preconditions.as_ref(),
                    scope,
                    &mut undo,
                ) {
                    Err(Closed::NotMet(_)) => Ok(Vec::new()),
                    Err(Closed::Unsupplied(reason)) | Err(Closed::ContextFailed(reason)) => {
                        Err(format!("failed to load context: {reason}"))
                    }
                    Err(Closed::ConditionsFailed(e)) => {
                        Err(format!("failed to evaluate preconditions: {e}"))
                    }
                    Ok(()) => self.generate(&entry.pattern, scope),
                };
                scope.unload(undo);
                scope.leave_element(saved);
                match result {
                    Ok(objects) => generated.extend(objects),
                    Err(e) => failed.push(format!("failed to process {index} element: {e}")),
                }
            }
            if !failed.is_empty() {
                errors.push(format!(
                    "failed to process {i} foreach in rule {}: {}",
                    self.rule,
                    failed.join("; ")
                ));
            }
        }
        if errors.is_empty() {
            Ok(generated)
        } else {
            Err(errors.join("; "))
        }
    }

    /// One target: its variables substituted, then its content from its source.
    fn generate(&self, pattern: &GeneratePattern, scope: &mut Scope) -> Result<Vec<Value>, String> {
        let text = |scope: &mut Scope, d, path| -> Result<String, String> {
            match scope.resolve(d, path) {
                Ok(v) => Ok(match v.as_ref() {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                }),
                Err(e) => Err(format!("variable substitution failed: {e}")),
            }
        };
        let spec = Spec {
            api_version: pattern.api_version.clone(),
            kind: pattern.kind.clone(),
            name: text(scope, &pattern.name, "/generate/name")?,
            namespace: text(scope, &pattern.namespace, "/generate/namespace")?,
        };
        match &pattern.source {
            Source::Data(None) => Ok(Vec::new()),
            Source::Data(Some(data)) => {
                let data = scope
                    .resolve(data, "/generate/data")
                    .map_err(|e| format!("variable substitution failed: {e}"))?
                    .into_owned();
                self.data(&spec, data, scope)
            }
            Source::Clone { namespace, name } => {
                let source = Spec {
                    api_version: spec.api_version.clone(),
                    kind: spec.kind.clone(),
                    namespace: namespace.clone(),
                    name: name.clone(),
                };
                Ok(self.clone_one(&spec, &source, scope)?.into_iter().collect())
            }
            Source::CloneList {
                namespace,
                kinds,
                selector,
            } => self.clone_list(&spec.namespace, namespace, kinds, selector.as_ref(), scope),
        }
    }

    /// `data`: the object is the data, named and labelled; an existing target is left alone
    /// unless the rule synchronizes.
    fn data(&self, spec: &Spec, data: Value, scope: &Scope) -> Result<Vec<Value>, String> {
        let Value::Object(data) = data else {
            return Err(format!(
                "generate.data must be an object, found {}",
                crate::expr::type_name(&data)
            ));
        };
        if !self.synchronize && exists(spec, scope)? {
            return Ok(Vec::new());
        }
        Ok(vec![self.finish(spec, data)])
    }

    /// `clone`: a copy of the source, as Kyverno strips and labels it. Cloning a target onto
    /// itself does nothing.
    fn clone_one(
        &self,
        target: &Spec,
        source: &Spec,
        scope: &Scope,
    ) -> Result<Option<Value>, String> {
        if source.namespace == target.namespace && source.name == target.name {
            return Ok(None);
        }
        let found = match scope.input().request.data.resources(&source.query()) {
            Ok(found) => found,
            Err(ExternalError::NotSupplied) => Vec::new(),
            Err(ExternalError::NotFound(e) | ExternalError::Failed(e)) => {
                return Err(format!("source resource {} not found: {e}", target.path()));
            }
        };
        let Some(Value::Object(object)) = found
            .into_iter()
            .find(|o| text_at(o, "/metadata/name") == source.name)
        else {
            return Err(format!(
                "source resource {} not found: {} \"{}\" not found (give the source among the resources, or as the test's cloneSourceResource)",
                target.path(),
                guess_resource(&source.kind),
                source.name
            ));
        };
        let copy = cloned(object, &target.namespace);
        if !self.synchronize && exists(target, scope)? {
            return Ok(None);
        }
        Ok(Some(self.finish(target, copy)))
    }

    /// `cloneList`: every object of the kinds in the source namespace that the selector picks,
    /// copied under its own name into the target namespace (objects already there are skipped).
    fn clone_list(
        &self,
        target_namespace: &str,
        source_namespace: &str,
        kinds: &[String],
        selector: Option<&Value>,
        scope: &Scope,
    ) -> Result<Vec<Value>, String> {
        let mut generated = Vec::new();
        for kind in kinds {
            let (api_version, kind) = match kind.rsplit_once('/') {
                Some((version, kind)) => (version, kind),
                None => ("", kind.as_str()),
            };
            let query = ResourceQuery {
                purpose: ResourcePurpose::Generate,
                api_version,
                kind,
                namespace: source_namespace,
                name: "",
                selector,
            };
            let sources = match scope.input().request.data.resources(&query) {
                Ok(found) => found,
                Err(ExternalError::NotSupplied) => Vec::new(),
                Err(ExternalError::NotFound(e) | ExternalError::Failed(e)) => {
                    return Err(format!(
                        "failed to list source resource for cloneList {api_version} {kind}/{source_namespace}. {e}"
                    ));
                }
            };
            for source in sources {
                let source = Spec {
                    api_version: text_at(&source, "/apiVersion").to_string(),
                    kind: text_at(&source, "/kind").to_string(),
                    namespace: text_at(&source, "/metadata/namespace").to_string(),
                    name: text_at(&source, "/metadata/name").to_string(),
                };
                if source.namespace == target_namespace {
                    continue;
                }
                let target = Spec {
                    namespace: target_namespace.to_string(),
                    ..source.clone()
                };
                generated.extend(self.clone_one(&target, &source, scope)?);
            }
        }
        Ok(generated)
    }

    /// Names the object after its target and adds Kyverno's labels.
    fn finish(&self, spec: &Spec, mut object: Map<String, Value>) -> Value {
        let mut metadata = match object.remove("metadata") {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        metadata.insert("name".into(), Value::String(spec.name.clone()));
        if spec.namespace.is_empty() {
            metadata.remove("namespace");
        } else {
            metadata.insert("namespace".into(), Value::String(spec.namespace.clone()));
        }
        let mut labels = match metadata.remove("labels") {
            Some(Value::Object(l)) => l,
            _ => Map::new(),
        };
        let (group, version) = group_version(text_at(self.trigger, "/apiVersion"));
        for (key, value) in [
            (MANAGED_BY, "kyverno"),
            ("generate.kyverno.io/policy-name", self.policy.name.as_str()),
            (
                "generate.kyverno.io/policy-namespace",
                self.policy.namespace.as_deref().unwrap_or(""),
            ),
            ("generate.kyverno.io/rule-name", self.rule),
            ("generate.kyverno.io/trigger-version", version),
            ("generate.kyverno.io/trigger-group", group),
            (
                "generate.kyverno.io/trigger-kind",
                text_at(self.trigger, "/kind"),
            ),
            (
                "generate.kyverno.io/trigger-namespace",
                text_at(self.trigger, "/metadata/namespace"),
            ),
            (
                "generate.kyverno.io/trigger-uid",
                text_at(self.trigger, "/metadata/uid"),
            ),
        ] {
            labels.insert(key.into(), Value::String(value.into()));
        }
        metadata.insert("labels".into(), Value::Object(labels));
        object.insert("metadata".into(), Value::Object(metadata));
        if object.get("kind").is_none_or(|k| k.as_str() == Some("")) {
            object.insert("kind".into(), Value::String(spec.kind.clone()));
        }
        object.insert("apiVersion".into(), Value::String(spec.api_version.clone()));
        Value::Object(object)
    }
}

/// A clone source as Kyverno copies it: tagged as a clone source, labelled with where it came
/// from, without the fields the API server owns, and without owner references when it moves
/// to another namespace.
fn cloned(mut object: Map<String, Value>, target_namespace: &str) -> Map<String, Value> {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut metadata = match object.remove("metadata") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let namespace = metadata
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = metadata
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut labels = match metadata.remove("labels") {
        Some(Value::Object(l)) => l,
        _ => Map::new(),
    };
    let (group, version) = group_version(&api_version);
    for (key, value) in [
        ("generate.kyverno.io/clone-source", ""),
        ("generate.kyverno.io/source-group", group),
        ("generate.kyverno.io/source-version", version),
        ("generate.kyverno.io/source-kind", kind.as_str()),
        ("generate.kyverno.io/source-namespace", namespace.as_str()),
        ("generate.kyverno.io/source-name", name.as_str()),
    ] {
        labels.insert(key.into(), Value::String(value.into()));
    }
    metadata.insert("labels".into(), Value::Object(labels));
    if namespace != target_namespace {
        metadata.remove("ownerReferences");
    }
    for owned in [
        "uid",
        "selfLink",
        "creationTimestamp",
        "managedFields",
        "resourceVersion",
    ] {
        metadata.remove(owned);
    }
    object.insert("metadata".into(), Value::Object(metadata));
    object
}

/// Whether the cluster's objects hold the target already.
fn exists(spec: &Spec, scope: &Scope) -> Result<bool, String> {
    let namespace = if spec.namespace.is_empty() && !is_cluster_scoped(&spec.kind) {
        "default"
    } else {
        spec.namespace.as_str()
    };
    let query = ResourceQuery {
        namespace,
        ..spec.query()
    };
    match scope.input().request.data.resources(&query) {
        Ok(found) => Ok(found
            .iter()
            .any(|o| text_at(o, "/metadata/name") == spec.name)),
        Err(ExternalError::NotSupplied | ExternalError::NotFound(_)) => Ok(false),
        Err(ExternalError::Failed(e)) => Err(format!(
            "failed to get target resource {}: {e}",
            spec.path()
        )),
    }
}

/// `(group, version)` of an API version (`v1` is the core group's).
fn group_version(api_version: &str) -> (&str, &str) {
    api_version.rsplit_once('/').unwrap_or(("", api_version))
}

fn text_at<'v>(value: &'v Value, pointer: &str) -> &'v str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}
