//! Kyverno's `podSecurity.exclude[]`: per-control, per-image and per-value exemptions
//! (kyverno `pkg/pss/evaluate.go`, `pkg/pss/utils/mapping.go`, `api/kyverno/v1`).
//!
//! The algorithm follows Kyverno: each exclusion evaluates a "matching pod" (the pod reduced to
//! the containers whose image matches, or to its pod-level fields with one fake container), and
//! every field error that exclusion pod produces for the control removes the first equal field
//! error (digits generalised to `*`, containers linked by name) of the real result. A check whose
//! field errors are all removed becomes allowed. Unlike Kyverno, results keep registry order.

use serde_json::{Map, Value};

use super::level::{Level, Version};
use super::pod::ContainerKind;
use super::{CheckResult, FieldError, evaluate};

/// One `exclude[]` entry of a `podSecurity` rule (or a PolicyException's `podSecurity[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exclusion {
    /// A Pod Security Standards control name, such as `Capabilities` or `/proc Mount Type`.
    pub control_name: String,
    /// Image patterns (`*`, `?`); empty for the pod-level form.
    pub images: Vec<String>,
    /// A field such as `spec.containers[*].securityContext.capabilities.add`; empty for all.
    pub restricted_field: String,
    /// Value patterns that the field's bad values must all match; empty for any value.
    pub values: Vec<String>,
}

/// A policy-validation error of one `exclude[]` entry, as Kyverno reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("exclude[{index}].{field}: {message}")]
pub struct ExclusionError {
    /// The index of the entry in `exclude[]`.
    pub index: usize,
    /// The offending field of the entry: `controlName`, `values` or `restrictedField`.
    pub field: &'static str,
    /// Kyverno's message.
    pub message: String,
}

/// Control name → check IDs (Kyverno's `PSS_control_name_to_ids`). `/proc Mount Type` also
/// names `procMount_restricted`, upstream's restricted form of the control since v1.35, which
/// Kyverno's v1.34 fork does not have. `hostProbesAndHostLifecycle` has no control name.
const CONTROLS: &[(&str, &[&str])] = &[
    (
        "Capabilities",
        &["capabilities_baseline", "capabilities_restricted"],
    ),
    (
        "Seccomp",
        &["seccompProfile_baseline", "seccompProfile_restricted"],
    ),
    ("Privileged Containers", &["privileged"]),
    ("Host Ports", &["hostPorts"]),
    ("/proc Mount Type", &["procMount", "procMount_restricted"]),
    ("HostProcess", &["windowsHostProcess"]),
    ("SELinux", &["seLinuxOptions"]),
    ("Host Namespaces", &["hostNamespaces"]),
    ("HostPath Volumes", &["hostPathVolumes"]),
    ("Sysctls", &["sysctls"]),
    ("AppArmor", &["appArmorProfile"]),
    ("Privilege Escalation", &["allowPrivilegeEscalation"]),
    ("Running as Non-root", &["runAsNonRoot"]),
    ("Running as Non-root user", &["runAsUser"]),
    ("Volume Types", &["restrictedVolumes"]),
];

const RESTRICTED_CONTROLS: &[&str] = &[
    "Volume Types",
    "Privilege Escalation",
    "Running as Non-root",
    "Running as Non-root user",
    "Seccomp",
    "Capabilities",
];
const POD_LEVEL_CONTROLS: &[&str] = &[
    "Host Namespaces",
    "HostPath Volumes",
    "Sysctls",
    "Volume Types",
];
const CONTAINER_LEVEL_CONTROLS: &[&str] = &[
    "Capabilities",
    "Privileged Containers",
    "Host Ports",
    "/proc Mount Type",
    "Privilege Escalation",
];

/// The check IDs a control name covers, or `None` for an unknown name.
pub fn control_check_ids(control_name: &str) -> Option<&'static [&'static str]> {
    CONTROLS
        .iter()
        .find(|(name, _)| *name == control_name)
        .map(|(_, ids)| *ids)
}

/// The control name of a check ID (`runAsNonRoot` → `Running as Non-root`), if it has one.
pub fn control_name(check_id: &str) -> Option<&'static str> {
    CONTROLS
        .iter()
        .find(|(_, ids)| ids.contains(&check_id))
        .map(|(name, _)| *name)
}

/// The control names an exclusion may name (Kyverno's CRD enum), in Kyverno's order.
pub fn control_names() -> impl Iterator<Item = &'static str> {
    CONTROLS.iter().map(|(name, _)| *name)
}

/// Kyverno's policy validation of `exclude[]` for a rule of `level` (the CRD enum of control
/// names, `PodSecurityStandard.Validate` and `Rule.ValidatePSaControlNames`).
pub fn validate_exclusions(level: Level, exclusions: &[Exclusion]) -> Vec<ExclusionError> {
    let mut errors = validate_exclusion_fields(exclusions);
    for (index, e) in exclusions.iter().enumerate() {
        let name = e.control_name.as_str();
        if level == Level::Baseline
            && name != "Seccomp"
            && name != "Capabilities"
            && RESTRICTED_CONTROLS.contains(&name)
        {
            errors.push(ExclusionError {
                index,
                field: "controlName",
                message: "Invalid control name defined at the given level".into(),
            });
        }
    }
    errors.sort_by_key(|e| e.index);
    errors
}

/// The validation of exclusions that does not depend on a level (the CRD enum of control names
/// and `PodSecurityStandard.Validate`): what Kyverno checks in a PolicyException's
/// `podSecurity[]`.
pub fn validate_exclusion_fields(exclusions: &[Exclusion]) -> Vec<ExclusionError> {
    let mut errors = Vec::new();
    for (index, e) in exclusions.iter().enumerate() {
        let mut err = |field: &'static str, message: String| {
            errors.push(ExclusionError {
                index,
                field,
                message,
            })
        };
        let name = e.control_name.as_str();
        if control_check_ids(name).is_none() {
            let supported: Vec<String> = control_names().map(|n| format!("{n:?}")).collect();
            err(
                "controlName",
                format!(
                    "Unsupported value: {name:?}: supported values: {}",
                    supported.join(", ")
                ),
            );
            continue;
        }
        if CONTAINER_LEVEL_CONTROLS.contains(&name) && e.images.is_empty() {
            err(
                "controlName",
                "exclude.images must be specified for the container level control".into(),
            );
        } else if POD_LEVEL_CONTROLS.contains(&name) && !e.images.is_empty() {
            err(
                "controlName",
                "exclude.images must not be specified for the pod level control".into(),
            );
        }
        if !e.restricted_field.is_empty() && e.values.is_empty() {
            err("values", "values is required".into());
        }
        if e.restricted_field.is_empty() && !e.values.is_empty() {
            err("restrictedField", "restrictedField is required".into());
        }
    }
    errors
}

/// A field path generalised the way Kyverno compares them: every digit run becomes `*`.
struct ParsedField {
    pattern: String,
    /// The container list and index when the path is inside a container.
    container: Option<(ContainerKind, usize)>,
}

fn parse_field(field: &str, container_level_form: bool) -> ParsedField {
    let mut pattern = String::with_capacity(field.len());
    let mut first_index: Option<usize> = None;
    let mut digits = String::new();
    for c in field.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            first_index = first_index.or(digits.parse().ok());
            digits.clear();
            pattern.push('*');
        }
        pattern.push(c);
    }
    if !digits.is_empty() {
        first_index = first_index.or(digits.parse().ok());
        pattern.push('*');
    }
    let container = if container_level_form {
        let second_word = field
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| !w.is_empty())
            .nth(1)
            .and_then(ContainerKind::from_field);
        second_word.zip(first_index)
    } else {
        None
    };
    ParsedField { pattern, container }
}

/// The name of `spec.<kind>[index]`.
fn container_name(spec: &Value, (kind, index): (ContainerKind, usize)) -> Option<&str> {
    let container = spec.get(kind.field())?.get(index)?;
    Some(container.get("name").and_then(Value::as_str).unwrap_or(""))
}

/// The exclusion's "matching pod": (metadata, spec).
fn matching_pod(exclusion: &Exclusion, metadata: &Value, spec: &Value) -> (Value, Value) {
    let mut new_spec = Map::new();
    if exclusion.images.is_empty() {
        if let Some(s) = spec.as_object() {
            for (k, v) in s {
                if ContainerKind::from_field(k).is_none() {
                    new_spec.insert(k.clone(), v.clone());
                }
            }
        }
        let mut fake = Map::new();
        fake.insert("name".into(), Value::from("fake"));
        new_spec.insert("containers".into(), Value::Array(vec![Value::Object(fake)]));
        return (metadata.clone(), Value::Object(new_spec));
    }
    for kind in [
        ContainerKind::Regular,
        ContainerKind::Init,
        ContainerKind::Ephemeral,
    ] {
        let matching: Vec<Value> = spec
            .get(kind.field())
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|c| {
                let image = c.get("image").and_then(Value::as_str).unwrap_or("");
                exclusion
                    .images
                    .iter()
                    .any(|p| crate::wildcard::matches(p, image))
            })
            .cloned()
            .collect();
        if !matching.is_empty() {
            new_spec.insert(kind.field().into(), Value::Array(matching));
        }
    }
    let mut new_meta = Map::new();
    for key in ["name", "namespace"] {
        if let Some(v) = metadata.get(key) {
            new_meta.insert(key.into(), v.clone());
        }
    }
    (Value::Object(new_meta), Value::Object(new_spec))
}

/// Whether every bad value of `error` matches one of `values` (always true without `values`
/// or without bad values).
fn values_match(error: &FieldError, values: &[String]) -> bool {
    values.is_empty()
        || error
            .bad_values()
            .iter()
            .all(|bad| values.iter().any(|p| crate::wildcard::matches(p, bad)))
}

/// Applies Kyverno-style exclusions to `results` (from [`evaluate`] with the same level, version
/// and pod). Field errors covered by an exclusion are removed; a failed check left without field
/// errors becomes allowed (its reason and detail cleared). Other results keep their reason and
/// detail, as in Kyverno, and everything stays in registry order.
pub fn apply_exclusions(
    level: Level,
    version: Version,
    pod_metadata: &Value,
    pod_spec: &Value,
    exclusions: &[Exclusion],
    results: &mut [CheckResult],
) {
    for exclusion in exclusions {
        if results.iter().all(|r| r.allowed) {
            return;
        }
        let Some(ids) = control_check_ids(&exclusion.control_name) else {
            continue;
        };
        if !results.iter().any(|r| !r.allowed && ids.contains(&r.id)) {
            continue;
        }
        let container_form = !exclusion.images.is_empty();
        let (meta, spec) = matching_pod(exclusion, pod_metadata, pod_spec);
        let matching = evaluate(level, version, &meta, &spec);
        for exempt in matching
            .iter()
            .filter(|r| !r.allowed && ids.contains(&r.id))
        {
            for error in &exempt.field_errors {
                let field = parse_field(&error.field, container_form);
                let field_selected = exclusion.restricted_field.is_empty()
                    || field.pattern == exclusion.restricted_field;
                if !field_selected || !values_match(error, &exclusion.values) {
                    continue;
                }
                let exempt_container = field.container.and_then(|c| container_name(&spec, c));
                remove_first_match(
                    results,
                    exempt.id,
                    &field,
                    exempt_container,
                    container_form,
                    pod_spec,
                );
            }
        }
    }
}

/// Removes the first field error of check `id` in `results` that the exempt error covers.
fn remove_first_match(
    results: &mut [CheckResult],
    id: &str,
    exempt: &ParsedField,
    exempt_container: Option<&str>,
    container_form: bool,
    pod_spec: &Value,
) {
    let Some(result) = results.iter_mut().find(|r| r.id == id && !r.allowed) else {
        return;
    };
    let position = result.field_errors.iter().position(|e| {
        let field = parse_field(&e.field, container_form);
        if field.pattern != exempt.pattern {
            return false;
        }
        match exempt.container {
            Some(_) if container_form => {
                let actual = field.container.and_then(|c| container_name(pod_spec, c));
                exempt_container.is_some() && actual == exempt_container
            }
            _ => true,
        }
    });
    if let Some(i) = position {
        result.field_errors.swap_remove(i);
        if result.field_errors.is_empty() {
            result.allowed = true;
            result.reason = "";
            result.detail.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let f = parse_field("spec.initContainers[12].ports[3].hostPort", true);
        assert_eq!(f.pattern, "spec.initContainers[*].ports[*].hostPort");
        assert_eq!(f.container, Some((ContainerKind::Init, 12)));
        let f = parse_field(
            "metadata.annotations[container.apparmor.security.beta.kubernetes.io/app1]",
            true,
        );
        assert_eq!(
            f.pattern,
            "metadata.annotations[container.apparmor.security.beta.kubernetes.io/app*]"
        );
        assert_eq!(f.container, None);
        assert_eq!(parse_field("spec.containers[0].x", false).container, None);
    }

    /// Errors of kyverno api/kyverno/v1 rule_types_test.go `Test_ValidatePSaControlNames`.
    #[test]
    fn validation() {
        let e = |name: &str, images: &[&str]| Exclusion {
            control_name: name.into(),
            images: images.iter().map(|s| s.to_string()).collect(),
            ..Exclusion::default()
        };
        assert_eq!(
            validate_exclusions(Level::Restricted, &[e("Privilege Escalation", &[])]),
            [ExclusionError {
                index: 0,
                field: "controlName",
                message: "exclude.images must be specified for the container level control".into()
            }]
        );
        assert!(
            validate_exclusions(Level::Restricted, &[e("Privilege Escalation", &["nginx"])])
                .is_empty()
        );
        let errs = validate_exclusions(
            Level::Baseline,
            &[e("Seccomp", &[]), e("Host Namespaces", &["nginx"])],
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].index, 1);
        assert_eq!(
            errs[0].message,
            "exclude.images must not be specified for the pod level control"
        );
        let errs = validate_exclusions(Level::Baseline, &[e("Running as Non-root", &[])]);
        assert_eq!(
            errs[0].message,
            "Invalid control name defined at the given level"
        );
        let mut bad = e("Capabilities", &["*"]);
        bad.values = vec!["NET_RAW".into()];
        let errs = validate_exclusions(Level::Restricted, &[bad]);
        assert_eq!(
            (errs[0].field, errs[0].message.as_str()),
            ("restrictedField", "restrictedField is required")
        );
        assert_eq!(
            validate_exclusions(Level::Baseline, &[e("Nope", &[])])[0].field,
            "controlName"
        );
    }
}
