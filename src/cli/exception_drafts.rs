//! `apply --generate-exceptions`: a `kyverno.io/v2beta1` PolicyException for each failed rule
//! result of a ClusterPolicy, as Kyverno's CLI drafts them. An autogen rule's exception also
//! names the Pod (and, for a CronJob, the Job) and their rules, with `<name>-*` names; a failed
//! `podSecurity` rule's lists the failed controls, with the images of the containers concerned
//! (tags and digests wildcarded).

use rampart::report::reported_status;
use rampart::{Evaluation, RuleStatus};
use serde_json::{Map, Value, json};

use super::mutated::sort_keys;

/// The exception drafts of an `apply` run, in Kyverno's format (`yaml` or `json`).
pub fn render(
    results: &[Evaluation],
    resources: &[Value],
    audit_warn: bool,
    format: &str,
    ttl: &str,
) -> String {
    let mut out = String::new();
    for (evaluation, resource) in results.iter().zip(resources) {
        for response in &evaluation.policies {
            if response.policy.namespace.is_some() {
                continue;
            }
            for rule in &response.rules {
                if reported_status(response, rule, audit_warn) != RuleStatus::Fail {
                    continue;
                }
                let draft = draft(
                    &response.policy.name,
                    &rule.name,
                    evaluation,
                    resource,
                    rule.pod_security().map(|f| f.violations.as_slice()),
                    ttl,
                );
                let text = match format {
                    "json" => serde_json::to_string(&draft).unwrap_or_default(),
                    _ => rampart::yaml::to_yaml_string(&sort_keys(&draft)),
                };
                out.push_str("---\n");
                out.push_str(&text);
                out.push('\n');
            }
        }
    }
    out
}

fn draft(
    policy: &str,
    rule: &str,
    evaluation: &Evaluation,
    resource: &Value,
    violations: Option<&[rampart::Violation]>,
    ttl: &str,
) -> Value {
    let (kind, namespace, name) = (
        evaluation.resource.kind(),
        evaluation.resource.namespace(),
        evaluation.resource.name(),
    );
    let mut kinds = vec![kind.to_string()];
    let mut names = vec![name.to_string()];
    let mut rules = vec![rule.to_string()];
    if let Some(base) = rule.strip_prefix("autogen-") {
        if let Some(cron) = rule.strip_prefix("autogen-cronjob-")
            && kind == "CronJob"
        {
            kinds.push("Job".into());
            rules.push(format!("autogen-{cron}"));
            kinds.push("Pod".into());
            rules.push(cron.to_string());
        } else {
            kinds.push("Pod".into());
            rules.push(base.to_string());
        }
        names.push(format!("{name}-*"));
    }
    let mut metadata = Map::new();
    metadata.insert("creationTimestamp".into(), Value::Null);
    if ttl != "0s" {
        metadata.insert("labels".into(), json!({"cleanup.kyverno.io/ttl": ttl}));
    }
    metadata.insert(
        "name".into(),
        json!([policy, rule, namespace, name].join("-")),
    );
    let mut spec = json!({
        "exceptions": [{"policyName": policy, "ruleNames": rules}],
        "match": {"all": [{"resources": {"kinds": kinds, "names": names, "namespaces": [namespace]}}]},
    });
    if let Some(violations) = violations {
        let controls: Vec<Value> = violations.iter().map(|v| control(v, resource)).collect();
        spec["podSecurity"] = Value::Array(controls);
    }
    json!({
        "apiVersion": "kyverno.io/v2beta1",
        "kind": "PolicyException",
        "metadata": metadata,
        "spec": spec,
    })
}

/// One failed check as an exemption: its control name and the images of the containers its
/// field errors name.
fn control(violation: &rampart::Violation, resource: &Value) -> Value {
    let name = rampart::podsecurity::control_name(&violation.id).unwrap_or(&violation.id);
    let mut images: Vec<String> = Vec::new();
    for field in &violation.field_errors {
        if let Some(image) = container_image(field, resource) {
            let image = wildcard_tag_or_digest(&image);
            if !images.contains(&image) {
                images.push(image);
            }
        }
    }
    let mut entry = json!({"controlName": name});
    if !images.is_empty() {
        entry["images"] = json!(images);
    }
    entry
}

/// The image of the container a field error's path names (`spec.containers[1].…`, also under a
/// pod template).
fn container_image(field: &str, resource: &Value) -> Option<String> {
    let path = field.split_whitespace().next()?.trim_end_matches(':');
    for list in ["initContainers", "ephemeralContainers", "containers"] {
        let marker = format!("{list}[");
        let Some(at) = path.find(&marker) else {
            continue;
        };
        let prefix = &path[..at];
        let rest = &path[at + marker.len()..];
        let index: usize = rest.split(']').next()?.parse().ok()?;
        let mut pointer: String = prefix
            .split('.')
            .filter(|p| !p.is_empty())
            .map(|p| format!("/{p}"))
            .collect();
        pointer.push_str(&format!("/{list}/{index}/image"));
        return resource
            .pointer(&pointer)
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    None
}

/// Kyverno's `wildcardTagOrDigest`: everything from the first `:` or `@` becomes `*`.
fn wildcard_tag_or_digest(image: &str) -> String {
    match image.find([':', '@']) {
        Some(at) => format!("{}*", &image[..at]),
        None => image.to_string(),
    }
}

/// A Go duration (`720h`, `24h30m`, `90s`) as Go's `Duration.String` writes it (`720h0m0s`).
pub fn go_duration(text: &str) -> Result<String, String> {
    let bad = || {
        format!("invalid duration {text:?}: write hours, minutes and seconds, like 720h or 1h30m")
    };
    let mut seconds: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().map_err(|_| bad())?;
        number.clear();
        seconds += n * match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(bad()),
        };
    }
    if !number.is_empty() || text.is_empty() {
        return Err(bad());
    }
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    Ok(match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_print_as_go() {
        assert_eq!(go_duration("720h").as_deref(), Ok("720h0m0s"));
        assert_eq!(go_duration("1h30m").as_deref(), Ok("1h30m0s"));
        assert_eq!(go_duration("90s").as_deref(), Ok("1m30s"));
        assert_eq!(go_duration("0s").as_deref(), Ok("0s"));
        assert!(go_duration("1d").is_err());
        assert!(go_duration("12").is_err());
    }

    #[test]
    fn images_lose_their_tag_or_digest() {
        assert_eq!(wildcard_tag_or_digest("nginx:1.2"), "nginx*");
        assert_eq!(
            wildcard_tag_or_digest("ghcr.io/a/b@sha256:ab"),
            "ghcr.io/a/b*"
        );
        assert_eq!(wildcard_tag_or_digest("busybox"), "busybox");
        let pod = json!({"spec": {"template": {"spec": {"containers": [{"image": "a:1"}, {"image": "b:2"}]}}}});
        assert_eq!(
            container_image(
                "spec.template.spec.containers[1].securityContext.runAsNonRoot: Required value",
                &pod
            )
            .as_deref(),
            Some("b:2")
        );
    }
}
