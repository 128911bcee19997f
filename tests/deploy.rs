//! The manifests in `deploy/` meet what they ask of others: Rampart's own
//! `stdlib:pod-security/restricted.yaml` passes on them (the Deployment's pods run restricted),
//! and every document is a Kubernetes resource. Cargo runs integration tests from the package
//! root, so paths are relative.

mod binary;

use binary::rampart;

#[test]
fn the_deployment_passes_the_restricted_pod_security_standard() {
    let (code, stdout, stderr) = rampart(&[
        "apply",
        "stdlib:pod-security/restricted.yaml",
        "-r",
        "deploy/",
        "--output-format",
        "json",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stderr, "", "every document of deploy/ is a resource");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report["summary"]["fail"], 0, "{report:#}");
    // The Deployment was checked (its pod template, by the autogen rule).
    let checked: Vec<&str> = report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["rule"].as_str())
        .collect();
    assert!(
        checked.iter().any(|r| r.starts_with("autogen-")),
        "{checked:?}"
    );
}
