//! The Pod Security Standards, exactly as upstream `k8s.io/pod-security-admission` evaluates them
//! (policy versions v1.0 … v1.37), plus Kyverno's per-control exclusions and the PSA admission
//! logic. This module knows nothing of policies: it works on a pod's metadata and spec as
//! `serde_json::Value`.
//!
//! Where Kyverno's `podSecurity` (built on its v1.34-level fork of the library) differs, this
//! module follows upstream: restricted overrides baseline checks (no duplicate failures), a check
//! never runs below its minimum version, `privileged` runs no checks, v1.35–v1.37 checks exist,
//! and `runAsNonRoot` reports only the explicit setters in its detail. Field errors follow the
//! fork (for exclusions), and `/proc Mount Type` also covers `procMount_restricted`.
//!
//! Ported from the Apache-2.0 licensed `k8s.io/pod-security-admission` (The Kubernetes Authors)
//! and Kyverno's `pkg/pss`; a clean re-implementation of their semantics.
//!
//! ```
//! use rampart::podsecurity::{evaluate, forbidden_detail, Level, Version};
//! use serde_json::json;
//! let spec = json!({"containers": [{"name": "c", "image": "nginx", "securityContext": {"privileged": true}}]});
//! let results = evaluate(Level::Baseline, Version::LATEST, &json!({}), &spec);
//! assert_eq!(
//!     forbidden_detail(&results),
//!     r#"privileged (container "c" must not set securityContext.privileged=true)"#
//! );
//! ```

pub mod admission;
mod checks;
mod exclude;
mod field;
mod format;
mod level;
mod pod;

pub use checks::check_level;
pub use exclude::{
    Exclusion, ExclusionError, apply_exclusions, control_check_ids, control_name, control_names,
    validate_exclusion_fields, validate_exclusions,
};
pub use field::{BadValue, FieldError, FieldErrorKind};
pub use level::{Level, LevelError, NEWEST_MINOR, Version, VersionError};

use serde_json::Value;

/// The outcome of one check (upstream `CheckResult`, with the field errors of Kyverno's fork).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The check ID, such as `runAsNonRoot`.
    pub id: &'static str,
    /// Whether the pod passes this check.
    pub allowed: bool,
    /// The forbidden reason (empty when allowed).
    pub reason: &'static str,
    /// The forbidden detail (empty when allowed).
    pub detail: String,
    /// The offending fields, as Kyverno's fork reports them (empty when allowed; always empty
    /// for `hostProbesAndHostLifecycle`, which the fork gives no field errors).
    pub field_errors: Vec<FieldError>,
}

/// Runs every check of `level` at `version` on a pod, in registry order (baseline checks sorted
/// by ID, then restricted checks sorted by ID), returning allowed results too. `privileged`
/// runs nothing; `latest` and versions above v1.37 run as v1.37.
pub fn evaluate(
    level: Level,
    version: Version,
    pod_metadata: &Value,
    pod_spec: &Value,
) -> Vec<CheckResult> {
    let active = checks::active(level, version.effective_minor());
    if active.is_empty() {
        return Vec::new();
    }
    let pod = pod::Pod::new(pod_metadata, pod_spec);
    active
        .iter()
        .map(|a| match (a.check)(&pod) {
            None => CheckResult {
                id: a.id,
                allowed: true,
                reason: "",
                detail: String::new(),
                field_errors: Vec::new(),
            },
            Some(f) => CheckResult {
                id: a.id,
                allowed: false,
                reason: f.reason,
                detail: f.detail,
                field_errors: f.errors,
            },
        })
        .collect()
}

/// `true` when no result failed.
pub fn is_allowed(results: &[CheckResult]) -> bool {
    results.iter().all(|r| r.allowed)
}

fn reason_or_unknown(r: &CheckResult) -> &str {
    if r.reason.is_empty() {
        "unknown forbidden reason"
    } else {
        r.reason
    }
}

/// Upstream `AggregateCheckResults(..).ForbiddenReason()`: the failed reasons joined with `", "`.
pub fn forbidden_reason(results: &[CheckResult]) -> String {
    let reasons: Vec<&str> = results
        .iter()
        .filter(|r| !r.allowed)
        .map(reason_or_unknown)
        .collect();
    reasons.join(", ")
}

/// Upstream `AggregateCheckResults(..).ForbiddenDetail()`: `reason (detail)` for each failed
/// check (just `reason` when the detail is empty), joined with `", "`.
pub fn forbidden_detail(results: &[CheckResult]) -> String {
    let mut out = String::new();
    for r in results.iter().filter(|r| !r.allowed) {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(reason_or_unknown(r));
        if !r.detail.is_empty() {
            out.push_str(" (");
            out.push_str(&r.detail);
            out.push(')');
        }
    }
    out
}

#[cfg(test)]
mod tests;
