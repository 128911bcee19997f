//! A `PolicyException` document (`kyverno.io/v2`, `kyverno.io/v2beta1`) as written, read with
//! the same schema diagnostics as policies, and checked as Kyverno validates exceptions
//! (`PolicyExceptionSpec.Validate`).

use super::ast::{MatchResources, ResourceFilter};
use super::parse::{MatchForm, parse_match, parse_metadata};
use super::podsecurity::{parse_exclusions, report_exclusion_errors};
use super::reader::{Reader, Spanned};
use crate::diag::FileId;
use crate::podsecurity::{Exclusion, validate_exclusion_fields};
use crate::yaml::{Node, NodeValue, Span};

/// API versions accepted for policy exceptions.
pub const EXCEPTION_API_VERSIONS: &[&str] = &["kyverno.io/v2", "kyverno.io/v2beta1"];

/// One `PolicyException` document.
#[derive(Debug, Clone)]
pub struct ExceptionDoc {
    /// The file it was read from.
    pub file: FileId,
    /// `metadata.name`.
    pub name: Spanned<String>,
    /// `metadata.namespace`, if written.
    pub namespace: Option<Spanned<String>>,
    /// `spec`.
    pub spec: ExceptionSpec,
}

/// `spec` of a policy exception.
#[derive(Debug, Clone, Default)]
pub struct ExceptionSpec {
    /// `background` (default true).
    pub background: Option<bool>,
    /// `match`: `any` or `all` only.
    pub match_: MatchResources,
    /// `conditions` (`any`/`all`), as written.
    pub conditions: Option<Node>,
    /// `exceptions[]`: the policies and rules exempted.
    pub exceptions: Vec<ExceptionTarget>,
    /// `podSecurity[]`: the controls exempted in `validate.podSecurity` rules.
    pub pod_security: Vec<Exclusion>,
}

/// One `exceptions[]` entry.
#[derive(Debug, Clone)]
pub struct ExceptionTarget {
    /// `policyName`: a ClusterPolicy's name or `<namespace>/<name>` of a Policy (wildcards
    /// allowed).
    pub policy_name: Spanned<String>,
    /// `ruleNames` (wildcards allowed).
    pub rule_names: Vec<Spanned<String>>,
}

/// Whether a document is a Kyverno policy exception (by `apiVersion` group and `kind`).
pub fn is_exception(doc: &Node) -> bool {
    let kind = doc.get("kind").and_then(Node::as_str);
    let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    kind == Some("PolicyException") && api.starts_with("kyverno.io/")
}

/// Reads one policy exception document. Returns `None` when it is too broken to use; the
/// reasons are in the reader's diagnostics either way.
pub fn parse_exception(r: &mut Reader, doc: &Node) -> Option<ExceptionDoc> {
    let mut obj = r.object(doc, "policy exception")?;
    let api_version = obj
        .required(r, "apiVersion")
        .and_then(|n| r.one_of(n, "apiVersion", EXCEPTION_API_VERSIONS));
    let kind = obj
        .required(r, "kind")
        .and_then(|n| r.one_of(n, "kind", &["PolicyException"]));
    let meta = obj
        .required(r, "metadata")
        .and_then(|m| parse_metadata(r, m));
    let spec = obj.required(r, "spec").and_then(|s| parse_spec(r, s));
    obj.field("status");
    obj.finish(r);
    let (name, namespace, _annotations) = meta?;
    api_version?;
    kind?;
    Some(ExceptionDoc {
        file: r.file(),
        name,
        namespace,
        spec: spec?,
    })
}

fn parse_spec(r: &mut Reader, node: &Node) -> Option<ExceptionSpec> {
    let mut obj = r.object(node, "spec")?;
    let background = obj
        .field("background")
        .and_then(|n| r.boolean(n, "background"));
    let match_ = obj
        .required(r, "match")
        .and_then(|n| parse_match(r, n, MatchForm::Exception));
    let conditions = obj.field("conditions").and_then(|n| match &n.value {
        NodeValue::Map(_) | NodeValue::Null => Some(n.clone()),
        _ => {
            r.type_error(n, "conditions", "a mapping with `any` and/or `all`");
            None
        }
    });
    let exceptions = obj
        .required(r, "exceptions")
        .map(|n| parse_targets(r, n))
        .unwrap_or_default();
    let read = obj
        .field("podSecurity")
        .map(|n| parse_exclusions(r, n, "podSecurity"))
        .unwrap_or_default();
    obj.finish(r);
    let pod_security: Vec<Exclusion> = read.iter().map(|(e, _)| e.clone()).collect();
    report_exclusion_errors(r, &validate_exclusion_fields(&pod_security), &read, node);
    let match_ = match_?;
    if background.as_ref().is_none_or(|b| b.value) {
        forbid_user_info(r, &match_, background.as_ref().map(|b| b.span));
    }
    Some(ExceptionSpec {
        background: background.map(|b| b.value),
        match_,
        conditions,
        exceptions,
        pod_security,
    })
}

fn parse_targets(r: &mut Reader, node: &Node) -> Vec<ExceptionTarget> {
    let Some(items) = r.list(node, "exceptions") else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(mut obj) = r.object(item, "exception") else {
            continue;
        };
        let policy_name = obj
            .required(r, "policyName")
            .and_then(|n| r.string(n, "policyName"));
        let rule_names = obj
            .required(r, "ruleNames")
            .map(|n| (n.span, r.string_list(n, "ruleNames")));
        obj.finish(r);
        let Some(policy_name) = policy_name else {
            continue;
        };
        if policy_name.value.is_empty() {
            r.error(
                policy_name.span,
                "An exception requires a policy name",
                "empty policy name",
            );
            continue;
        }
        let Some((span, rule_names)) = rule_names else {
            continue;
        };
        if rule_names.is_empty() {
            r.warning(
                span,
                "no rule names: this entry exempts no rule",
                "empty list",
            )
            .notes
            .push("list the rules to exempt, or `\"*\"` for every rule of the policy".into());
        }
        out.push(ExceptionTarget {
            policy_name,
            rule_names,
        });
    }
    out
}

/// Kyverno's rule for exceptions that apply in background scans (`background` is true by
/// default): `match` may not name users, groups, service accounts or roles, which a background
/// scan does not have.
fn forbid_user_info(r: &mut Reader, m: &MatchResources, background: Option<Span>) {
    let filters = m.any.iter().chain(m.all.iter()).flatten();
    for filter in filters {
        let ResourceFilter {
            subjects,
            roles,
            cluster_roles,
            ..
        } = filter;
        let spans = [
            subjects.first().map(|s| (s.name.span, "subjects")),
            roles.first().map(|s| (s.span, "roles")),
            cluster_roles.first().map(|s| (s.span, "clusterRoles")),
        ];
        for (span, field) in spans.into_iter().flatten() {
            let d = r.error(
                span,
                format!("Usage of user info is forbidden: `{field}` in an exception that applies in background scans"),
                "user information",
            );
            d.notes.push(
                "background scans have no user: set `spec.background: false` to match on user information"
                    .into(),
            );
            if let Some(b) = background {
                d.related.push((b, "background is on".into()));
            }
        }
    }
}
