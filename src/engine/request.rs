//! One evaluation's input: an [`AdmissionRequest`] and what Kyverno knows beside it (the
//! user's roles, caller-supplied variables, external data, the clock).

use std::fmt;
use std::time::Instant;

use serde_json::Value;

use super::context::add_at;
use super::external::{ExternalData, NoExternalData};
use crate::admission::{AdmissionRequest, Operation};
use crate::clock::{Clock, SystemClock};

/// Where a request comes from; it decides what `request.*` holds, as in Kyverno.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    /// An API server's admission request: `request` is the whole `AdmissionRequest` (uid,
    /// kind, resource, name, namespace, operation, userInfo, object, oldObject, dryRun,
    /// options, ...), plus `roles` and `clusterRoles`.
    #[default]
    Admission,
    /// A resource evaluated outside admission, as `kyverno apply` and `kyverno test` build it:
    /// `request` holds only `operation`, `object`, `oldObject`, `namespace` and, when user
    /// information is given, `userInfo`, `roles` and `clusterRoles`.
    Offline,
}

/// Variables a caller supplies for one rule of one policy (the CLI's values files).
pub trait RuleValues: Send + Sync + fmt::Debug {
    /// The values for a rule, as dotted paths. They are added when the rule runs, after the
    /// request's variables and before its context entries, as Kyverno adds them: they win over
    /// the request's variables and fields (a value for `request.object.metadata.name` is what
    /// the rule's expressions read), and an entry that a data source answers replaces a value
    /// of the same name.
    fn rule_values(&self, policy: &str, rule: &str) -> Vec<(String, Value)>;

    /// Values per foreach element for a rule (Kyverno's `foreachValues`): inside a `foreach`,
    /// while element `i` is current, each name reads the `i`-th value of its list. None by
    /// default.
    fn foreach_values(&self, policy: &str, rule: &str) -> Vec<(String, Vec<Value>)> {
        let _ = (policy, rule);
        Vec::new()
    }
}

/// What one evaluation is of. Build it with [`Request::new`] and the `with_*` methods.
///
/// ```
/// use rampart::{AdmissionRequest, FixedClock, Operation, Origin, Request};
/// let admission = AdmissionRequest::for_resource(serde_json::json!({"kind": "Pod"}), Operation::Create);
/// let clock = FixedClock::from_rfc3339("2026-01-01T00:00:00Z").unwrap();
/// let request = Request::new(&admission).with_origin(Origin::Offline).with_clock(&clock);
/// assert_eq!(request.origin, Origin::Offline);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The admission request.
    pub admission: &'a AdmissionRequest,
    /// Where it comes from.
    pub origin: Origin,
    /// Roles bound to the user (`namespace:name`), which Kyverno computes from RoleBindings.
    pub roles: &'a [String],
    /// Cluster roles bound to the user.
    pub cluster_roles: &'a [String],
    /// Variables supplied by the caller (values files, `--set`), as dotted paths, added to the
    /// context as Kyverno adds them (mappings merge, other values replace; a path into
    /// `request.object` changes what expressions read there).
    pub variables: &'a [(String, Value)],
    /// Per-rule variables supplied by the caller.
    pub rule_values: Option<&'a dyn RuleValues>,
    /// Answers for API calls, ConfigMaps, global context entries and namespace labels.
    pub data: &'a dyn ExternalData,
    /// The time `time_now()` and friends read.
    pub clock: &'a dyn Clock,
    /// When the answer is due: the engine checks it before each policy and stops there once
    /// it has passed ([`Evaluation::unfinished`](super::Evaluation::unfinished)).
    pub deadline: Option<Instant>,
}

impl<'a> Request<'a> {
    /// An admission request with no roles, variables or external data, on the system clock.
    pub fn new(admission: &'a AdmissionRequest) -> Self {
        Request {
            admission,
            origin: Origin::Admission,
            roles: &[],
            cluster_roles: &[],
            variables: &[],
            rule_values: None,
            data: &NoExternalData,
            clock: &SystemClock,
            deadline: None,
        }
    }

    /// With another origin.
    pub fn with_origin(self, origin: Origin) -> Self {
        Request { origin, ..self }
    }

    /// With the user's roles and cluster roles.
    pub fn with_roles(self, roles: &'a [String], cluster_roles: &'a [String]) -> Self {
        Request {
            roles,
            cluster_roles,
            ..self
        }
    }

    /// With caller-supplied variables.
    pub fn with_variables(self, variables: &'a [(String, Value)]) -> Self {
        Request { variables, ..self }
    }

    /// With caller-supplied per-rule variables.
    pub fn with_rule_values(self, rule_values: &'a dyn RuleValues) -> Self {
        Request {
            rule_values: Some(rule_values),
            ..self
        }
    }

    /// With a source of external data.
    pub fn with_data(self, data: &'a dyn ExternalData) -> Self {
        Request { data, ..self }
    }

    /// With a clock.
    pub fn with_clock(self, clock: &'a dyn Clock) -> Self {
        Request { clock, ..self }
    }

    /// With a deadline: the policies not yet evaluated when it passes are left out, and the
    /// evaluation says so (a webhook then answers by its failure policy, in time).
    pub fn with_deadline(self, deadline: Instant) -> Self {
        Request {
            deadline: Some(deadline),
            ..self
        }
    }

    /// Whether the deadline has passed.
    pub(crate) fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// The admission request with the variables that write into `request.object` and
    /// `request.oldObject` applied to the objects themselves, as Kyverno's CLI re-reads its
    /// objects from the context after adding its values (so `match` and patterns see them too);
    /// `None` when no variable writes into them. A DELETE keeps no object, a CREATE no old one.
    pub(crate) fn with_object_variables(&self) -> Option<AdmissionRequest> {
        let writes = |dotted: &str| {
            let mut parts = dotted.split('.');
            parts.next() == Some("request")
                && matches!(parts.next(), None | Some("object" | "oldObject"))
        };
        if !self.variables.iter().any(|(k, _)| writes(k)) {
            return None;
        }
        let admission = self.admission;
        let mut doc = serde_json::json!({"request": {
            "object": admission.object, "oldObject": admission.old_object}});
        for (key, value) in self.variables.iter().filter(|(k, _)| writes(k)) {
            add_at(&mut doc, key, value.clone());
        }
        let mut take = |pointer: &str| doc.pointer_mut(pointer).map(Value::take);
        let mut out = admission.clone();
        if admission.operation != Operation::Delete {
            out.object = take("/request/object").filter(|o| !o.is_null());
        }
        if matches!(admission.operation, Operation::Update | Operation::Delete) {
            out.old_object = take("/request/oldObject").filter(|o| !o.is_null());
        }
        Some(out)
    }

    /// Whether anything is known about the user: without it, `match` ignores subjects, roles
    /// and cluster roles (as Kyverno does for the CLI and background scans).
    pub fn knows_user(&self) -> bool {
        !self.admission.user_info.is_empty()
            || !self.roles.is_empty()
            || !self.cluster_roles.is_empty()
    }
}
