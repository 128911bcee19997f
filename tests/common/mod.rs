//! Helpers shared by the conformance tests: where the data is, and how fixtures are
//! prepared the way the API server would.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};

use rampart::{AdmissionRequest, Loader, Operation, Origin, Request, RuleStatus};
use serde_json::{Value, json};

/// The data corpora kept in the repository (`tests/data`, see its README).
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The upstream kyverno/policies suites: `$RAMPART_KYVERNO_POLICIES`, else
/// `../shared/conformance/kyverno-policies` beside the checkout; `None` when neither exists.
pub fn kyverno_policies_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("RAMPART_KYVERNO_POLICIES") {
        Some(dir) => PathBuf::from(dir),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/kyverno-policies")
        }
    };
    dir.is_dir().then_some(dir)
}

/// The API server defaults a volume without a source to `emptyDir: {}` (upstream sends the PSA
/// fixtures to a real API server).
pub fn default_volumes(pod: &mut Value) {
    let volumes = pod
        .get_mut("spec")
        .and_then(|s| s.get_mut("volumes"))
        .and_then(Value::as_array_mut);
    for volume in volumes.into_iter().flatten() {
        if let Some(v) = volume.as_object_mut()
            && v.keys().all(|k| k == "name")
        {
            v.insert("emptyDir".into(), Value::Object(Default::default()));
        }
    }
}

/// A ClusterPolicy named `name` whose other `spec` fields are `spec_fields` (YAML indented by
/// two spaces), with one rule `check` that matches Pods and validates with `validate` (YAML
/// under `validate:`, indented by eight spaces).
pub fn check_policy(name: &str, spec_fields: &str, validate: &str) -> String {
    format!(
        "apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: {name}
spec:
{spec_fields}  rules:
    - name: check
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
{validate}"
    )
}

/// The status and message of rule `check` of [`check_policy`] on a Pod named `bad` in
/// `default` under `operation`, evaluated as the CLI does.
pub fn run_check_rule(
    spec_fields: &str,
    validate: &str,
    operation: Operation,
) -> (RuleStatus, String) {
    let policy = check_policy("policy", spec_fields, validate);
    let mut loader = Loader::new();
    loader.add_text("policy.yaml", policy);
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "bad", "namespace": "default"},
        "spec": {"containers": [{"name": "a", "image": "nginx"}]}
    });
    let admission = AdmissionRequest::for_resource(pod, operation);
    let request = Request::new(&admission).with_origin(Origin::Offline);
    let evaluation = loader.engine().evaluate(&request);
    let (_, rule) = evaluation
        .rules()
        .find(|(_, r)| &*r.name == "check")
        .expect("rule `check` ran");
    (rule.status, rule.message.clone())
}
