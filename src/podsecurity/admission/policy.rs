//! Namespace labels → the policy to evaluate (upstream api/helpers.go `PolicyToEvaluate`).

use std::fmt;

use serde_json::{Map, Value};

use crate::podsecurity::format::go_quote;
use crate::podsecurity::level::{Level, Version};

/// `pod-security.kubernetes.io/enforce`.
pub const ENFORCE_LEVEL_LABEL: &str = "pod-security.kubernetes.io/enforce";
/// `pod-security.kubernetes.io/enforce-version`.
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
/// `pod-security.kubernetes.io/audit`.
pub const AUDIT_LEVEL_LABEL: &str = "pod-security.kubernetes.io/audit";
/// `pod-security.kubernetes.io/audit-version`.
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
/// `pod-security.kubernetes.io/warn`.
pub const WARN_LEVEL_LABEL: &str = "pod-security.kubernetes.io/warn";
/// `pod-security.kubernetes.io/warn-version`.
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";

/// A level at a version; displays as `level:version` (the requested version, not the clamped one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelVersion {
    /// The level.
    pub level: Level,
    /// The version.
    pub version: Version,
}

impl LevelVersion {
    /// `privileged:latest`.
    pub const PRIVILEGED_LATEST: LevelVersion = LevelVersion {
        level: Level::Privileged,
        version: Version::LATEST,
    };
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

/// The three modes of a namespace's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Violations deny pods.
    pub enforce: LevelVersion,
    /// Violations are recorded as audit annotations.
    pub audit: LevelVersion,
    /// Violations are returned as warnings.
    pub warn: LevelVersion,
}

impl Default for Policy {
    /// Everything `privileged:latest`.
    fn default() -> Self {
        let p = LevelVersion::PRIVILEGED_LATEST;
        Policy {
            enforce: p,
            audit: p,
            warn: p,
        }
    }
}

impl Policy {
    /// `true` when all three modes are privileged (nothing to check).
    pub fn is_privileged(&self) -> bool {
        [self.enforce, self.audit, self.warn]
            .iter()
            .all(|lv| lv.level == Level::Privileged)
    }
}

/// An invalid value in a field (`field.Invalid`), such as a bad namespace label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    /// The field path, such as `metadata.labels[pod-security.kubernetes.io/enforce]`.
    pub field: String,
    /// The rejected value.
    pub value: String,
    /// Why it was rejected.
    pub message: String,
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: Invalid value: {}: {}",
            self.field,
            go_quote(&self.value),
            self.message
        )
    }
}

/// Joins errors as Go's `utilerrors.NewAggregate(..).Error()` does: one error as itself,
/// several as `[e1, e2]`.
pub fn aggregate_errors<E: fmt::Display>(errors: &[E]) -> String {
    match errors {
        [one] => one.to_string(),
        many => {
            let all: Vec<String> = many.iter().map(ToString::to_string).collect();
            format!("[{}]", all.join(", "))
        }
    }
}

/// Resolves a namespace's labels against the configured defaults. A valid policy is always
/// returned: a bad enforce level becomes `restricted`, a bad audit or warn level `privileged`,
/// a bad version `latest`; each bad label also gives an error. When `warn` is not set and the
/// enforce label is valid and stricter than the default warn level, warn follows enforce (and
/// its version too, unless `warn-version` is set).
pub fn policy_to_evaluate(
    labels: Option<&Map<String, Value>>,
    defaults: &Policy,
) -> (Policy, Vec<InvalidValue>) {
    let mut policy = *defaults;
    let mut errors = Vec::new();
    let Some(labels) = labels.filter(|l| !l.is_empty()) else {
        return (policy, errors);
    };
    let label = |key: &str| labels.get(key).map(|v| v.as_str().unwrap_or(""));
    let invalid = |key: &str, value: &str, message: String| InvalidValue {
        field: format!("metadata.labels[{key}]"),
        value: value.to_string(),
        message,
    };
    let mut enforce_ok = false;
    if let Some(value) = label(ENFORCE_LEVEL_LABEL) {
        match value.parse::<Level>() {
            Ok(level) => {
                policy.enforce.level = level;
                enforce_ok = true;
            }
            Err(e) => {
                policy.enforce.level = Level::Restricted;
                errors.push(invalid(ENFORCE_LEVEL_LABEL, value, e.to_string()));
            }
        }
    }
    let version = |key: &str, target: &mut Version, errors: &mut Vec<InvalidValue>| {
        if let Some(value) = label(key) {
            *target = value
                .parse()
                .unwrap_or_else(|e: crate::podsecurity::VersionError| {
                    errors.push(invalid(key, value, e.to_string()));
                    Version::LATEST
                });
        }
    };
    let fail_open_level = |key: &str, target: &mut Level, errors: &mut Vec<InvalidValue>| {
        if let Some(value) = label(key) {
            *target = value
                .parse()
                .unwrap_or_else(|e: crate::podsecurity::LevelError| {
                    errors.push(invalid(key, value, e.to_string()));
                    Level::Privileged
                });
        }
    };
    version(
        ENFORCE_VERSION_LABEL,
        &mut policy.enforce.version,
        &mut errors,
    );
    fail_open_level(AUDIT_LEVEL_LABEL, &mut policy.audit.level, &mut errors);
    version(AUDIT_VERSION_LABEL, &mut policy.audit.version, &mut errors);
    fail_open_level(WARN_LEVEL_LABEL, &mut policy.warn.level, &mut errors);
    version(WARN_VERSION_LABEL, &mut policy.warn.version, &mut errors);
    if label(WARN_LEVEL_LABEL).is_none() && enforce_ok && policy.enforce.level > policy.warn.level {
        policy.warn.level = policy.enforce.level;
        if label(WARN_VERSION_LABEL).is_none() {
            policy.warn.version = policy.enforce.version;
        }
    }
    (policy, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    /// Cases after upstream api/helpers_test.go `TestPolicyToEvaluate`.
    #[test]
    fn labels_to_policy() {
        let defaults = Policy::default();
        let (p, errs) = policy_to_evaluate(None, &defaults);
        assert_eq!((p, errs.len()), (defaults, 0));

        let l = labels(json!({ENFORCE_LEVEL_LABEL: "baseline", ENFORCE_VERSION_LABEL: "v1.25"}));
        let (p, errs) = policy_to_evaluate(Some(&l), &defaults);
        assert!(errs.is_empty());
        assert_eq!(p.enforce.to_string(), "baseline:v1.25");
        assert_eq!(p.warn.to_string(), "baseline:v1.25");
        assert_eq!(p.audit.to_string(), "privileged:latest");

        let l = labels(
            json!({ENFORCE_LEVEL_LABEL: "bad", AUDIT_LEVEL_LABEL: "bad", WARN_VERSION_LABEL: "v2"}),
        );
        let (p, errs) = policy_to_evaluate(Some(&l), &defaults);
        assert_eq!(p.enforce.level, Level::Restricted);
        assert_eq!(p.audit.level, Level::Privileged);
        assert_eq!(p.warn.version, Version::LATEST);
        assert_eq!(errs.len(), 3);
        assert_eq!(
            errs[0].to_string(),
            r#"metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bad": must be one of privileged, baseline, restricted"#
        );
        assert_eq!(
            errs[2].to_string(),
            r#"metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "v2": must be "latest" or "v1.x""#
        );
    }
}
