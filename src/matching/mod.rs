//! `match` and `exclude`: which requests a rule applies to, exactly as Kyverno decides
//! (kinds, names, namespaces, annotations, label and namespace selectors, operations,
//! subjects, roles and cluster roles; `any` / `all`).

mod kinds;
mod selector;

pub use kinds::{Gvk, KindSelector, is_version_selector};
pub use selector::Selector;

use serde_json::{Map, Value};

use crate::ir::{Combine, Filter, Match};
use crate::wildcard::Wildcard;

/// The requesting user as matching sees them: admission's `userInfo` and the roles bound to
/// the user.
#[derive(Debug, Clone, Copy, Default)]
pub struct User<'a> {
    /// `userInfo.username`.
    pub username: &'a str,
    /// `userInfo.groups`.
    pub groups: &'a [String],
    /// Roles bound to the user (`namespace:name`).
    pub roles: &'a [String],
    /// Cluster roles bound to the user.
    pub cluster_roles: &'a [String],
}

/// What matching looks at in one request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// Group, version, kind and subresource.
    pub gvk: Gvk<'a>,
    /// `metadata.name`, or `metadata.generateName` when the name is empty.
    pub name: &'a str,
    /// `metadata.namespace` (`""` for cluster-scoped resources).
    pub namespace: &'a str,
    /// `metadata.labels`.
    pub labels: Option<&'a Map<String, Value>>,
    /// `metadata.annotations`.
    pub annotations: Option<&'a Map<String, Value>>,
    /// Labels of the resource's namespace, if known.
    pub namespace_labels: Option<&'a Map<String, Value>>,
    /// The admission operation (`CREATE`, ...).
    pub operation: &'a str,
    /// The user, if the request says who it is.
    pub user: Option<User<'a>>,
}

/// A compiled resource filter.
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    kinds: Vec<KindSelector>,
    names: Vec<Wildcard>,
    namespaces: Vec<Wildcard>,
    annotations: Vec<(Wildcard, Wildcard)>,
    selector: Option<Selector>,
    namespace_selector: Option<Selector>,
    operations: Vec<String>,
    subjects: Vec<(String, Wildcard)>,
    roles: Vec<String>,
    cluster_roles: Vec<String>,
    resources_empty: bool,
    user_empty: bool,
}

impl CompiledFilter {
    /// Compiles a filter.
    pub fn new(f: &Filter) -> Self {
        let wild = |v: &[String]| v.iter().map(|s| Wildcard::new(s)).collect::<Vec<_>>();
        CompiledFilter {
            kinds: f.kinds.iter().map(|k| KindSelector::parse(k)).collect(),
            names: wild(&f.names),
            namespaces: wild(&f.namespaces),
            annotations: f
                .annotations
                .iter()
                .map(|(k, v)| (Wildcard::new(k), Wildcard::new(v)))
                .collect(),
            selector: f.selector.as_ref().map(Selector::new),
            namespace_selector: f.namespace_selector.as_ref().map(Selector::new),
            operations: f.operations.clone(),
            subjects: f
                .subjects
                .iter()
                .map(|s| {
                    let pattern = match s.kind.as_str() {
                        "ServiceAccount" => {
                            format!("system:serviceaccount:{}:{}", s.namespace, s.name)
                        }
                        _ => s.name.clone(),
                    };
                    (s.kind.clone(), Wildcard::new(&pattern))
                })
                .collect(),
            roles: f.roles.clone(),
            cluster_roles: f.cluster_roles.clone(),
            resources_empty: f.resources_empty(),
            user_empty: f.user_info_empty(),
        }
    }

    /// The kind patterns this filter names (for indexing).
    pub fn kinds(&self) -> &[KindSelector] {
        &self.kinds
    }

    /// Whether the filter reads the labels of the resource's namespace.
    pub fn uses_namespace_labels(&self) -> bool {
        self.namespace_selector.is_some()
    }

    /// Whether the resource part matches. A `namespaceSelector` never matches a Namespace in a
    /// policy's `match`/`exclude` (`namespace_selector_on_namespaces: false`); a
    /// PolicyException skips it for Namespaces (`true`), as Kyverno does.
    fn resource_matches(&self, facts: &Facts, namespace_selector_on_namespaces: bool) -> bool {
        if !self.kinds.is_empty() && !self.kinds.iter().any(|k| k.matches(&facts.gvk)) {
            return false;
        }
        if !self.names.is_empty() && !self.names.iter().any(|n| n.matches(facts.name)) {
            return false;
        }
        if !self.namespaces.is_empty() {
            let ns = if facts.gvk.kind == "Namespace" {
                facts.name
            } else {
                facts.namespace
            };
            if !self.namespaces.iter().any(|n| n.matches(ns)) {
                return false;
            }
        }
        if !self.annotations.is_empty() {
            let actual = facts.annotations;
            let found = |(k, v): &(Wildcard, Wildcard)| {
                actual
                    .into_iter()
                    .flat_map(|m| m.iter())
                    .any(|(k1, v1)| k.matches(k1) && v1.as_str().is_some_and(|v1| v.matches(v1)))
            };
            if !self.annotations.iter().all(found) {
                return false;
            }
        }
        if let Some(selector) = &self.selector
            && !selector.matches(facts.labels)
        {
            return false;
        }
        // Kyverno: "namespace selector is not applicable for namespace resource", so a rule's
        // filter with one never matches a Namespace; an exception's ignores it for Namespaces.
        if let Some(selector) = &self.namespace_selector {
            let selected = match facts.gvk.kind {
                "Namespace" => namespace_selector_on_namespaces,
                _ => selector.matches(facts.namespace_labels),
            };
            if !selected {
                return false;
            }
        }
        if !self.operations.is_empty() && !self.operations.iter().any(|o| o == facts.operation) {
            return false;
        }
        true
    }

    fn user_matches(&self, user: Option<User>) -> bool {
        let user = user.unwrap_or_default();
        if !self.roles.is_empty() && !self.roles.iter().any(|r| user.roles.contains(r)) {
            return false;
        }
        if !self.cluster_roles.is_empty()
            && !self
                .cluster_roles
                .iter()
                .any(|r| user.cluster_roles.contains(r))
        {
            return false;
        }
        if !self.subjects.is_empty() {
            let found = self
                .subjects
                .iter()
                .any(|(kind, pattern)| match kind.as_str() {
                    "Group" => user.groups.iter().any(|g| pattern.matches(g)),
                    _ => pattern.matches(user.username),
                });
            if !found {
                return false;
            }
        }
        true
    }

    /// Whether a `match` filter accepts the request. Without user information the user part of
    /// the filter is ignored, as Kyverno does for background scans and the CLI.
    fn accepts(&self, facts: &Facts) -> bool {
        let ignore_user = facts.user.is_none();
        if self.resources_empty && (self.user_empty || ignore_user) {
            return false; // "match cannot be empty"
        }
        self.resource_matches(facts, false) && (ignore_user || self.user_matches(facts.user))
    }

    /// Whether an `exclude` filter excludes the request. The user part is always checked, so a
    /// subject-based exclude never fires without user information.
    fn excludes(&self, facts: &Facts) -> bool {
        !self.is_empty() && self.resource_matches(facts, false) && self.user_matches(facts.user)
    }

    /// Whether a PolicyException's filter covers the request: like `exclude`, the user part is
    /// always checked, and a `namespaceSelector` does not stop a Namespace.
    fn covers(&self, facts: &Facts) -> bool {
        !self.is_empty() && self.resource_matches(facts, true) && self.user_matches(facts.user)
    }

    /// Whether the filter has neither resource nor user fields (it matches nothing).
    fn is_empty(&self) -> bool {
        self.resources_empty && self.user_empty
    }
}

/// A compiled `match` or `exclude` block.
#[derive(Debug, Clone)]
pub struct CompiledMatch {
    combine: Combine,
    filters: Vec<CompiledFilter>,
}

impl CompiledMatch {
    /// Compiles a block.
    pub fn new(m: &Match) -> Self {
        CompiledMatch {
            combine: m.combine,
            filters: m.filters.iter().map(CompiledFilter::new).collect(),
        }
    }

    /// The filters.
    pub fn filters(&self) -> &[CompiledFilter] {
        &self.filters
    }

    /// As a `match` block: whether the request is selected.
    pub fn selects(&self, facts: &Facts) -> bool {
        self.combined(|f| f.accepts(facts))
    }

    /// As an `exclude` block: whether the request is excluded.
    pub fn excludes(&self, facts: &Facts) -> bool {
        self.combined(|f| f.excludes(facts))
    }

    /// As a PolicyException's `match`: whether the exception applies to the request.
    pub fn covers(&self, facts: &Facts) -> bool {
        self.combined(|f| f.covers(facts))
    }

    /// `any`: one filter holds; `all`: there are filters and each holds.
    fn combined(&self, holds: impl Fn(&CompiledFilter) -> bool) -> bool {
        match self.combine {
            Combine::Any => self.filters.iter().any(holds),
            Combine::All => !self.filters.is_empty() && self.filters.iter().all(holds),
        }
    }
}
