//! `rampart serve` over real HTTPS on loopback, with curl as the client (HTTP/1.1 and HTTP/2):
//! the seed's webhooks (`/mutate` patches, `/validate` denies, `/psa` denies a Deployment),
//! every route, the limits, reloads (good and broken) and the drain on SIGTERM. Cargo runs
//! integration tests from the package root, so example paths are relative.

mod binary;

use binary::{rampart, scratch_dir};

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A running server, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Server {
    /// Writes certificates into a scratch directory and starts `rampart serve` with `args`.
    fn start(name: &str, args: &[&str]) -> Server {
        let dir = scratch_dir(name);
        let certs = dir.join("certs");
        let (code, _, stderr) = rampart(&[
            "cert",
            "--out",
            &certs.display().to_string(),
            "--host",
            "localhost,127.0.0.1",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_rampart"))
            .arg("serve")
            .args(args)
            .arg("--tls-cert")
            .arg(certs.join("tls.crt"))
            .arg("--tls-key")
            .arg(certs.join("tls.key"))
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--reload-interval-seconds",
                "1",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("rampart serve starts");
        let server = Server { child, port, dir };
        let started = Instant::now();
        while server.get("/healthz").0 != 200 {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the server did not come up"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// Runs curl against the server: (HTTP status, body).
    fn curl(&self, args: &[&str]) -> (u16, String) {
        self.curl_trusting(&self.dir.join("certs/ca.crt"), args)
    }

    /// Runs curl trusting the CA in `ca`.
    fn curl_trusting(&self, ca: &std::path::Path, args: &[&str]) -> (u16, String) {
        let output = Command::new("curl")
            .args(["-s", "-o", "-", "-w", "\n%{http_code}", "--cacert"])
            .arg(ca)
            .args(args)
            .output()
            .expect("curl runs (the tests use it as the HTTPS client)");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        (code.trim().parse().unwrap_or(0), body.to_string())
    }

    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.curl(&[&self.url(path)])
    }

    /// POSTs a review; the response review.
    fn review(&self, path: &str, review: &Value, http2: bool) -> Value {
        let file = self.dir.join("review.json");
        std::fs::write(&file, review.to_string()).expect("write");
        let data = format!("@{}", file.display());
        let mut args = vec![
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            &data,
        ];
        let url = self.url(path);
        args.push(if http2 { "--http2" } else { "--http1.1" });
        args.push(&url);
        let (code, body) = self.curl(&args);
        assert_eq!(code, 200, "{body}");
        serde_json::from_str(&body).expect("a JSON review")
    }
}

/// The documents of a YAML file.
fn documents(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("the example");
    rampart::yaml::parse_values(&text).expect("YAML")
}

/// An `admission.k8s.io/v1` review creating `object`.
fn create(object: &Value, group: &str, resource: &str, namespace: &str) -> Value {
    let api = object["apiVersion"].as_str().unwrap_or("v1");
    let version = api.rsplit('/').next().unwrap_or("v1");
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": group, "version": version, "kind": object["kind"]},
            "resource": {"group": group, "version": version, "resource": resource},
            "name": object["metadata"]["name"],
            "namespace": namespace,
            "operation": "CREATE",
            "userInfo": {"username": "admin", "uid": "014fbff9a07c", "groups": ["system:authenticated"]},
            "object": object,
            "oldObject": null,
            "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}
        }
    })
}

fn patch_of(response: &Value) -> Value {
    use base64::Engine;
    let encoded = response["response"]["patch"].as_str().unwrap_or("");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

#[test]
fn the_seeds_mutating_and_validating_webhooks() {
    let server = Server::start(
        "serve-seed",
        &["--policies", "examples/user-group-defaults/policy.yaml"],
    );
    let deployments = documents("examples/user-group-defaults/deployments.yaml");
    for http2 in [false, true] {
        let mutated = server.review(
            "/mutate",
            &create(&deployments[0], "apps", "deployments", "default"),
            http2,
        );
        assert_eq!(mutated["response"]["allowed"], true);
        assert_eq!(
            mutated["response"]["uid"],
            "705ab4f5-6393-11e8-b7cc-42010a800002"
        );
        assert_eq!(mutated["response"]["patchType"], "JSONPatch");
        assert_eq!(
            patch_of(&mutated),
            json!([{"op": "add", "path": "/spec/template/spec/containers/0/securityContext/runAsUser", "value": 1000}])
        );
        let denied = server.review(
            "/validate",
            &create(&deployments[1], "apps", "deployments", "default"),
            http2,
        );
        assert_eq!(denied["response"]["allowed"], false);
        let message = denied["response"]["status"]["message"]
            .as_str()
            .unwrap_or("");
        assert!(
            message.contains("User ID outside defined ranges"),
            "{message}"
        );
        // The validating webhook never patches.
        assert!(denied["response"]["patch"].is_null());
    }
    // The metrics moved.
    let (code, metrics) = server.get("/metrics");
    assert_eq!(code, 200);
    assert!(metrics.contains("kyverno_admission_requests_total{resource_kind=\"Deployment\",resource_namespace=\"default\",resource_request_operation=\"create\",request_allowed=\"false\",request_webhook=\"validate\"} 2"), "{metrics}");
    assert!(
        metrics.contains("request_webhook=\"mutate\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("kyverno_policy_results_total{"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rule_name=\"autogen-run-as-user-ranges\",rule_result=\"fail\""),
        "{metrics}"
    );
    assert!(
        metrics.contains("kyverno_policy_execution_duration_seconds_count{"),
        "{metrics}"
    );
}

#[test]
fn psa_with_enforced_controllers_denies_the_deployment() {
    let server = Server::start(
        "serve-psa",
        &[
            "--policies",
            "stdlib:pod-security/baseline.yaml",
            "--namespaces",
            "examples/psa-namespace/namespace.yaml",
            "--enforce-controllers",
        ],
    );
    let deployment = &documents("examples/psa-namespace/deployment.yaml")[0];
    let answer = server.review(
        "/psa",
        &create(deployment, "apps", "deployments", "web"),
        false,
    );
    assert_eq!(answer["response"]["allowed"], false, "{answer}");
    let message = answer["response"]["status"]["message"]
        .as_str()
        .unwrap_or("");
    assert!(
        message.contains("runAsUser=0 (container \"nginx\" must not set runAsUser=0)"),
        "{message}"
    );
}

#[test]
fn routes_limits_and_bad_requests() {
    let server = Server::start(
        "serve-routes",
        &["--policies", "examples/user-group-defaults/policy.yaml"],
    );
    assert_eq!(server.get("/healthz"), (200, "ok\n".to_string()));
    let (code, ready) = server.get("/readyz");
    assert_eq!(code, 200);
    let ready: Value = serde_json::from_str(&ready).expect("JSON");
    assert_eq!(ready["generation"], 1);
    assert_eq!(server.get("/nowhere").0, 404);
    assert_eq!(server.get("/validate").0, 405);
    let url = server.url("/validate");
    // Not JSON, not a review, too large.
    assert_eq!(
        server
            .curl(&["-H", "Content-Type: text/plain", "--data", "x", &url])
            .0,
        415
    );
    let (code, body) = server.curl(&[
        "-H",
        "Content-Type: application/json",
        "--data",
        "{\"kind\": \"Pod\"}",
        &url,
    ]);
    assert_eq!(code, 400);
    assert!(body.contains("AdmissionReview"), "{body}");
    let big = server.dir.join("big.json");
    std::fs::write(&big, vec![b' '; (3 << 20) + 1]).expect("write");
    let data = format!("@{}", big.display());
    assert_eq!(
        server
            .curl(&[
                "-H",
                "Content-Type: application/json",
                "--data-binary",
                &data,
                &url
            ])
            .0,
        413
    );
    // A v1beta1 review is answered as v1beta1.
    let deployments = documents("examples/user-group-defaults/deployments.yaml");
    let mut review = create(&deployments[1], "apps", "deployments", "default");
    review["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let answer = server.review("/validate", &review, false);
    assert_eq!(answer["apiVersion"], "admission.k8s.io/v1beta1");
    assert_eq!(answer["response"]["allowed"], false);
}

fn wait_for(mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < Duration::from_secs(20), "timed out");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn policies_reload_and_a_broken_edit_keeps_the_running_ones() {
    let dir = scratch_dir("serve-reload-policies");
    let policy = dir.join("policy.yaml");
    let original =
        std::fs::read_to_string("examples/user-group-defaults/policy.yaml").expect("read");
    std::fs::write(&policy, &original).expect("write");
    let path = policy.display().to_string();
    let server = Server::start("serve-reload", &["--policies", &path]);
    let deployments = documents("examples/user-group-defaults/deployments.yaml");
    let review = create(&deployments[1], "apps", "deployments", "default");
    assert_eq!(
        server.review("/validate", &review, false)["response"]["allowed"],
        false
    );
    // A good edit: the ranges now include 7000.
    std::thread::sleep(Duration::from_millis(1100));
    let widened = original.replace("@ <= `5000`", "@ <= `8000`");
    assert_ne!(widened, original, "the example's second range ends at 5000");
    std::fs::write(&policy, &widened).expect("write");
    wait_for(|| {
        let (_, ready) = server.get("/readyz");
        ready.contains("\"generation\":2")
    });
    assert_eq!(
        server.review("/validate", &review, false)["response"]["allowed"],
        true
    );
    // A broken edit: the running policies stay, and /readyz says why.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(
        &policy,
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: x}\nspec:\n  rules: 3\n",
    )
    .expect("write");
    wait_for(|| {
        let (_, ready) = server.get("/readyz");
        ready.contains("lastReloadError\":\"") && ready.contains("\"generation\":2")
    });
    // The widened ranges are still in force.
    assert_eq!(
        server.review("/validate", &review, false)["response"]["allowed"],
        true
    );
}

#[test]
fn sigterm_drains_and_exits() {
    let mut server = Server::start(
        "serve-drain",
        &["--policies", "examples/user-group-defaults/policy.yaml"],
    );
    let pid = server.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut log = String::new();
    if let Some(mut stderr) = server.child.stderr.take() {
        use std::io::Read;
        let _ = stderr.read_to_string(&mut log);
    }
    assert!(
        log.contains("draining connections") && log.contains("stopped"),
        "{log}"
    );
}

#[test]
fn webhook_configurations_are_scoped_to_the_policies() {
    let (code, stdout, stderr) = rampart(&[
        "webhook-config",
        "--policies",
        "examples/user-group-defaults/policy.yaml,stdlib:pod-security/controls/host-namespaces.yaml",
        "--service",
        "rampart/rampart:8443",
        "--namespace",
        "rampart",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stdout.contains("- '*'"),
        "no wildcard without a policy asking: {stdout}"
    );
    insta::assert_snapshot!(stdout);
    // Policies without validate or mutate rules register nothing, and say so.
    let (code, _, stderr) = rampart(&[
        "webhook-config",
        "--policies",
        "examples/namespace-bootstrap/policy.yaml",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no webhook to register"), "{stderr}");
}

#[test]
fn a_renewed_certificate_is_served_without_a_restart() {
    let server = Server::start(
        "serve-cert-reload",
        &["--policies", "examples/user-group-defaults/policy.yaml"],
    );
    let renewed = server.dir.join("renewed");
    let (code, _, stderr) = rampart(&[
        "cert",
        "--out",
        &renewed.display().to_string(),
        "--host",
        "localhost,127.0.0.1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let new_ca = renewed.join("ca.crt");
    let url = server.url("/healthz");
    // The new CA does not trust the certificate in use.
    assert_eq!(server.curl_trusting(&new_ca, &[&url]).0, 0);
    std::thread::sleep(Duration::from_millis(1100));
    for file in ["tls.key", "tls.crt"] {
        std::fs::copy(renewed.join(file), server.dir.join("certs").join(file)).expect("copy");
    }
    wait_for(|| server.curl_trusting(&new_ca, &[&url]).0 == 200);
    // A broken certificate file keeps the renewed one in service.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(server.dir.join("certs/tls.crt"), "not a certificate").expect("write");
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(server.curl_trusting(&new_ca, &[&url]).0, 200);
}

/// A policy with `webhookConfiguration.matchConditions`: the API server checks them, so the
/// policy gets a webhook of its own that carries them, at a route that evaluates it alone;
/// the shared routes leave it out.
const GATED: &str = r#"apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-owner
spec:
  validationFailureAction: Enforce
  webhookConfiguration:
    failurePolicy: Ignore
    timeoutSeconds: 5
    matchConditions:
      - name: not-system
        expression: "!request.userInfo.username.startsWith('system:')"
  rules:
    - name: owner
      match:
        any:
          - resources:
              kinds: [ConfigMap]
      validate:
        message: "an owner label is required"
        pattern:
          metadata:
            labels:
              owner: "?*"
"#;

#[test]
fn policies_with_match_conditions_get_their_own_webhook_and_route() {
    let dir = scratch_dir("serve-gated");
    let policy = dir.join("gated.yaml");
    std::fs::write(&policy, GATED).expect("write");
    let policies = format!(
        "{},examples/require-team-label/policy.yaml",
        policy.display()
    );
    let (code, stdout, stderr) = rampart(&["webhook-config", "--policies", &policies]);
    assert_eq!(code, 0, "{stderr}");
    let config = &rampart::yaml::parse_values(&stdout).expect("YAML")[0];
    let webhooks = config["webhooks"].as_array().expect("webhooks");
    let own = webhooks
        .iter()
        .find(|w| w["name"] == "validate-policy-require-owner.rampart.svc")
        .expect("a webhook of the policy's own");
    assert_eq!(
        own["matchConditions"],
        json!([{"name": "not-system", "expression": "!request.userInfo.username.startsWith('system:')"}])
    );
    assert_eq!(own["failurePolicy"], "Ignore");
    assert_eq!(own["timeoutSeconds"], 5);
    assert_eq!(
        own["clientConfig"]["service"]["path"],
        "/validate/policy/require-owner"
    );
    assert_eq!(own["rules"][0]["resources"], json!(["configmaps"]));
    let shared = webhooks
        .iter()
        .find(|w| w["name"] == "validate-fail.rampart.svc")
        .expect("the shared webhook");
    assert!(shared.get("matchConditions").is_none());
    assert!(
        !shared["rules"].to_string().contains("configmaps"),
        "the gated policy is not in the shared webhook: {shared}"
    );

    let server = Server::start("serve-gated-run", &["--policies", &policies]);
    let unowned = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "default", "labels": {"team": "a"}}});
    let review = create(&unowned, "", "configmaps", "default");
    let own = server.review("/validate/policy/require-owner", &review, false);
    assert_eq!(own["response"]["allowed"], false, "{own}");
    assert!(
        own["response"]["status"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("an owner label is required")),
        "{own}"
    );
    let shared = server.review("/validate", &review, false);
    assert_eq!(shared["response"]["allowed"], true, "{shared}");
    // A route for a policy that is not loaded answers by the failure policy.
    let missing = server.review("/validate/policy/no-such-policy", &review, true);
    assert_eq!(missing["response"]["allowed"], false, "{missing}");
    assert!(
        missing["response"]["status"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no policy no-such-policy")),
        "{missing}"
    );
}
