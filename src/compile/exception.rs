//! Compiling a `PolicyException`: its `match` (with the same matcher as rules), its
//! `conditions` (with the same compiler as preconditions), the policy and rule names it
//! exempts, and its Pod Security Standards exclusions.

use std::sync::Arc;

use super::conditions::{self, CompiledConditions};
use crate::diag::Diagnostic;
use crate::ir;
use crate::matching::CompiledMatch;
use crate::podsecurity::Exclusion;
use crate::wildcard::Wildcard;

/// What a policy exception is, beside its matching: what responses and reports name. Shared
/// by every response the exception applied to.
///
/// ```
/// use rampart::{AdmissionRequest, Loader, Operation, Origin, Request, RuleStatus};
/// let mut loader = Loader::new();
/// loader.add_text("policy.yaml", r#"
/// apiVersion: kyverno.io/v1
/// kind: ClusterPolicy
/// metadata: {name: require-team}
/// spec:
///   rules:
///   - name: team
///     match: {any: [{resources: {kinds: [Pod]}}]}
///     validate: {pattern: {metadata: {labels: {team: "?*"}}}}
/// ---
/// apiVersion: kyverno.io/v2
/// kind: PolicyException
/// metadata: {name: sandbox, namespace: ops}
/// spec:
///   exceptions: [{policyName: require-team, ruleNames: [team]}]
///   match: {any: [{resources: {namespaces: [sandbox]}}]}
/// "#);
/// assert!(!loader.has_errors());
/// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
///     "metadata": {"name": "p", "namespace": "sandbox"}});
/// let admission = AdmissionRequest::for_resource(pod, Operation::Create);
/// let evaluation = loader.engine().evaluate(&Request::new(&admission).with_origin(Origin::Offline));
/// let (_, rule) = evaluation.rules().next().unwrap();
/// assert_eq!(rule.status, RuleStatus::Skip);
/// assert_eq!(rule.message, "rule is skipped due to policy exceptionsops/sandbox");
/// assert_eq!(rule.exceptions[0].key(), "ops/sandbox");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionInfo {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, if written.
    pub namespace: Option<String>,
    /// `spec.background` (default true).
    pub background: bool,
}

impl ExceptionInfo {
    /// The key Kyverno names an exception by in messages: `<namespace>/<name>`, or `<name>`
    /// without a namespace.
    pub fn key(&self) -> String {
        match &self.namespace {
            Some(ns) if !ns.is_empty() => format!("{ns}/{}", self.name),
            _ => self.name.clone(),
        }
    }
}

/// A compiled policy exception.
#[derive(Debug, Clone)]
pub struct CompiledException {
    /// What the exception is.
    pub info: Arc<ExceptionInfo>,
    /// `spec.match`.
    pub matcher: CompiledMatch,
    /// `spec.conditions`, when written.
    pub conditions: Option<CompiledConditions>,
    /// `spec.podSecurity[]`.
    pub pod_security: Vec<Exclusion>,
    /// `spec.exceptions[]`: policy name and rule name patterns.
    targets: Vec<(Wildcard, Vec<Wildcard>)>,
}

impl CompiledException {
    /// Whether the exception names a rule of a policy (`policy` is the policy's key: its name,
    /// or `<namespace>/<name>` for a namespaced Policy). Autogen rules are named as such
    /// (`autogen-<rule>`, `autogen-cronjob-<rule>`), as in Kyverno.
    pub fn exempts(&self, policy: &str, rule: &str) -> bool {
        self.targets
            .iter()
            .any(|(p, rules)| p.matches(policy) && rules.iter().any(|r| r.matches(rule)))
    }

    /// Whether the exception reads the labels of the resource's namespace.
    pub fn uses_namespace_labels(&self) -> bool {
        self.matcher
            .filters()
            .iter()
            .any(|f| f.uses_namespace_labels())
    }
}

/// Compiles one policy exception; `None` (with diagnostics) when its conditions are invalid.
pub fn compile_exception(
    exception: &ir::Exception,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<CompiledException> {
    let conditions = match &exception.conditions {
        Some(node) => Some(conditions::compile(exception.file, node, diagnostics)?),
        None => None,
    };
    Some(CompiledException {
        info: Arc::new(ExceptionInfo {
            name: exception.name.clone(),
            namespace: exception.namespace.clone(),
            background: exception.background,
        }),
        matcher: CompiledMatch::new(&exception.match_),
        conditions,
        pod_security: exception.pod_security.clone(),
        targets: exception
            .targets
            .iter()
            .map(|t| {
                let rules = t.rules.iter().map(|(r, _)| Wildcard::new(r)).collect();
                (Wildcard::new(&t.policy), rules)
            })
            .collect(),
    })
}
