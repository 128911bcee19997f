//! `PodSecurityConfiguration` (the PodSecurity admission plugin's configuration), alone or inside
//! an `AdmissionConfiguration` (upstream admission/api and its validation).

use std::fmt;

use serde_json::Value;

use super::policy::{LevelVersion, Policy};
use crate::podsecurity::level::{Level, Version};

/// The API versions of `PodSecurityConfiguration` that are accepted.
pub const CONFIG_API_VERSIONS: [&str; 3] = [
    "pod-security.admission.config.k8s.io/v1",
    "pod-security.admission.config.k8s.io/v1beta1",
    "pod-security.admission.config.k8s.io/v1alpha1",
];

/// Requests that are never checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exemptions {
    /// Exact usernames of requesting users.
    pub usernames: Vec<String>,
    /// Exact `spec.runtimeClassName` values.
    pub runtime_classes: Vec<String>,
    /// Exact namespace names.
    pub namespaces: Vec<String>,
}

/// The plugin configuration: the policy of namespaces without labels, and exemptions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Defaults for every mode (`privileged:latest` unless configured).
    pub defaults: Policy,
    /// Exempt users, runtime classes and namespaces.
    pub exemptions: Exemptions,
}

/// One configuration error, naming the field (`defaults.enforce`, `exemptions.namespaces[1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The field path.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

fn err(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        field: field.into(),
        message: message.into(),
    }
}

/// A lowercase RFC 1123 label (a namespace name).
fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// A lowercase RFC 1123 subdomain (a runtime class name).
fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

impl Config {
    /// Parses a `PodSecurityConfiguration`, or the `PodSecurity` plugin's inline configuration
    /// inside an `AdmissionConfiguration`, applying defaults and upstream's validation.
    pub fn from_value(doc: &Value) -> Result<Config, Vec<ConfigError>> {
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind == "AdmissionConfiguration" {
            let plugin = doc
                .get("plugins")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|p| p.get("name").and_then(Value::as_str) == Some("PodSecurity"));
            return match plugin.and_then(|p| p.get("configuration")) {
                Some(c) => Config::from_value(c),
                None if plugin.is_some() => Err(vec![err(
                    "plugins[PodSecurity]",
                    "an inline configuration is required (path is not supported)",
                )]),
                None => Ok(Config::default()),
            };
        }
        let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if kind != "PodSecurityConfiguration" {
            return Err(vec![err(
                "kind",
                format!("expected PodSecurityConfiguration, got {kind:?}"),
            )]);
        }
        if !CONFIG_API_VERSIONS.contains(&api_version) {
            return Err(vec![err(
                "apiVersion",
                format!(
                    "unsupported apiVersion {api_version:?}: expected one of {}",
                    CONFIG_API_VERSIONS.join(", ")
                ),
            )]);
        }
        let mut errors = Vec::new();
        let defaults = doc.get("defaults");
        let default = |key: &str| {
            defaults
                .and_then(|d| d.get(key))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let mode = |name: &str, errors: &mut Vec<ConfigError>| {
            let level = match default(name) {
                "" => Level::Privileged,
                s => s
                    .parse()
                    .unwrap_or_else(|e: crate::podsecurity::LevelError| {
                        errors.push(err(
                            format!("defaults.{name}"),
                            format!("Invalid value: {s:?}: {e}"),
                        ));
                        Level::Privileged
                    }),
            };
            let key = format!("{name}-version");
            let version = match default(&key) {
                "" => Version::LATEST,
                s => s
                    .parse()
                    .unwrap_or_else(|e: crate::podsecurity::VersionError| {
                        errors.push(err(
                            format!("defaults.{key}"),
                            format!("Invalid value: {s:?}: {e}"),
                        ));
                        Version::LATEST
                    }),
            };
            LevelVersion { level, version }
        };
        let policy = Policy {
            enforce: mode("enforce", &mut errors),
            audit: mode("audit", &mut errors),
            warn: mode("warn", &mut errors),
        };
        let exemptions = doc.get("exemptions");
        let list =
            |name: &str, valid: fn(&str) -> Option<String>, errors: &mut Vec<ConfigError>| {
                let items: Vec<String> = exemptions
                    .and_then(|e| e.get(name))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|v| v.as_str().unwrap_or("").to_string())
                    .collect();
                for (i, item) in items.iter().enumerate() {
                    if let Some(message) = valid(item) {
                        errors.push(err(format!("exemptions.{name}[{i}]"), message));
                    } else if items.iter().take(i).any(|other| other == item) {
                        errors.push(err(
                            format!("exemptions.{name}[{i}]"),
                            format!("Duplicate value: {item:?}"),
                        ));
                    }
                }
                items
            };
        let namespaces = list(
            "namespaces",
            |s| {
                (!is_dns1123_label(s)).then(|| {
                    format!("Invalid value: {s:?}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character")
                })
            },
            &mut errors,
        );
        let runtime_classes = list(
            "runtimeClasses",
            |s| {
                (!is_dns1123_subdomain(s)).then(|| {
                    format!("Invalid value: {s:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")
                })
            },
            &mut errors,
        );
        let usernames = list(
            "usernames",
            |s| {
                s.is_empty()
                    .then(|| "Invalid value: \"\": username must not be empty".to_string())
            },
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Config {
            defaults: policy,
            exemptions: Exemptions {
                usernames,
                runtime_classes,
                namespaces,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_and_default() {
        let c = Config::from_value(&json!({
            "apiVersion": "pod-security.admission.config.k8s.io/v1",
            "kind": "PodSecurityConfiguration",
            "defaults": {"enforce": "baseline", "enforce-version": "v1.30", "warn": "restricted"},
            "exemptions": {"namespaces": ["kube-system"], "usernames": ["admin"], "runtimeClasses": ["kata.io"]}
        }))
        .unwrap_or_default();
        assert_eq!(c.defaults.enforce.to_string(), "baseline:v1.30");
        assert_eq!(c.defaults.audit.to_string(), "privileged:latest");
        assert_eq!(c.defaults.warn.to_string(), "restricted:latest");
        assert_eq!(c.exemptions.namespaces, ["kube-system"]);
        assert_eq!(c.exemptions.runtime_classes, ["kata.io"]);

        let wrapped = json!({
            "apiVersion": "apiserver.config.k8s.io/v1", "kind": "AdmissionConfiguration",
            "plugins": [{"name": "PodSecurity", "configuration": {
                "apiVersion": "pod-security.admission.config.k8s.io/v1beta1",
                "kind": "PodSecurityConfiguration", "defaults": {"enforce": "restricted"}}}]
        });
        assert_eq!(
            Config::from_value(&wrapped).map(|c| c.defaults.enforce.level),
            Ok(Level::Restricted)
        );
    }

    #[test]
    fn validation_errors() {
        let errs = Config::from_value(&json!({
            "apiVersion": "pod-security.admission.config.k8s.io/v1",
            "kind": "PodSecurityConfiguration",
            "defaults": {"enforce": "strict", "audit-version": "1.2"},
            "exemptions": {"namespaces": ["Bad", "ok", "ok"], "usernames": [""]}
        }))
        .err()
        .unwrap_or_default();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "defaults.enforce",
                "defaults.audit-version",
                "exemptions.namespaces[0]",
                "exemptions.namespaces[2]",
                "exemptions.usernames[0]"
            ]
        );
        assert!(
            Config::from_value(&json!({"apiVersion": "v1", "kind": "PodSecurityConfiguration"}))
                .is_err()
        );
    }
}
