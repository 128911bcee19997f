//! The `rampart` binary on inputs as they come in real repositories: resource directories with
//! Helm templates, kustomizations and files that are not UTF-8, manifests beside policies,
//! minified JSON, UTF-16 files, huge values, typos. One test per behaviour, each on files
//! written to a scratch directory; the binary runs inside it, so every path it prints is
//! relative and the snapshots do not depend on the machine.

use std::path::{Path, PathBuf};

/// A scratch directory under the target directory, emptied first, holding `files` (path
/// relative to the directory, bytes).
fn scratch(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("real-inputs")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, bytes) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("a scratch directory");
        }
        std::fs::write(&path, bytes).expect("a scratch file");
    }
    dir
}

/// Runs the built binary in `dir`; returns (exit code, stdout, stderr), with `dir` replaced by
/// `<dir>` should it appear.
fn rampart(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the rampart binary runs");
    let clean =
        |bytes: &[u8]| String::from_utf8_lossy(bytes).replace(&dir.display().to_string(), "<dir>");
    (
        output.status.code().unwrap_or(-1),
        clean(&output.stdout),
        clean(&output.stderr),
    )
}

/// Audit policy: Pods need a `team` label.
const REQUIRE_TEAM: &str = r#"apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team
spec:
  validationFailureAction: Audit
  rules:
    - name: team-label
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        message: "label `team` is required"
        pattern:
          metadata:
            labels:
              team: "?*"
"#;

/// One Pod with the label, one without.
const PODS: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: labelled
  labels: {team: shop}
spec:
  containers: [{name: app, image: nginx:1.27}]
---
apiVersion: v1
kind: Pod
metadata:
  name: unlabelled
spec:
  containers: [{name: app, image: nginx:1.27}]
"#;

/// How many times `needle` occurs in `haystack`.
fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn apply_evaluates_the_valid_resources_and_reports_each_bad_file_once() {
    // A Helm template, a kustomization and a file saved as Latin-1 beside real resources.
    let mut latin1 =
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: teams\ndata:\n  lead: ".to_vec();
    latin1.extend(b"Ren\xe9\n");
    let dir = scratch(
        "bad-resource-files",
        &[
            ("policy.yaml", REQUIRE_TEAM.as_bytes()),
            ("resources/pods.yaml", PODS.as_bytes()),
            (
                "resources/templates/pod.yaml",
                b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\nspec:\n  containers: [{name: app, image: nginx}]\n",
            ),
            (
                "resources/kustomization.yaml",
                b"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - pods.yaml\n",
            ),
            ("resources/latin1.yaml", &latin1),
        ],
    );
    let (code, stdout, stderr) = rampart(&dir, &["apply", "policy.yaml", "-r", "resources"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    // The two Pods were evaluated (the Pod rule and its autogen rules).
    assert!(
        stdout.contains("Applying 3 policy rule(s) to 2 resource(s)..."),
        "{stdout}"
    );
    assert!(
        stdout.contains("policy require-team -> resource default/Pod/unlabelled failed:"),
        "{stdout}"
    );
    // Each bad file is one error in the summary.
    assert!(
        stdout.contains("pass: 1, fail: 1, warn: 0, error: 3, skip: 0"),
        "{stdout}"
    );
    // Each bad file is reported once, at a line and column.
    for place in [
        "resources/kustomization.yaml:1:1",
        "resources/latin1.yaml:6:12",
        "resources/templates/pod.yaml:4:10",
    ] {
        assert_eq!(count(&stderr, place), 1, "{place}:\n{stderr}");
    }
    for file in ["kustomization.yaml", "latin1.yaml", "templates/pod.yaml"] {
        assert_eq!(
            count(&stderr, &format!("┌─ resources/{file}")),
            1,
            "{stderr}"
        );
    }
    assert!(!stderr.contains("pods.yaml:"), "{stderr}");
    insta::assert_snapshot!("bad_resource_files", stderr);
}

#[test]
fn check_summarises_the_manifests_beside_a_policy_in_one_line() {
    let mut manifests = String::new();
    for i in 1..=20 {
        manifests.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{i}\ndata: {{a: b}}\n"
        ));
    }
    for i in 1..=10 {
        manifests.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-{i}\nspec:\n  ports: [{{port: 80}}]\n"
        ));
    }
    let dir = scratch(
        "manifests-beside-a-policy",
        &[
            ("policies/require-team.yaml", REQUIRE_TEAM.as_bytes()),
            ("policies/manifests.yaml", manifests.as_bytes()),
        ],
    );
    let (code, stdout, stderr) = rampart(&dir, &["check", "policies"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stderr,
        "warning: policies/manifests.yaml: 30 documents are not Kyverno policies (ConfigMap, Service); ignored (-v lists them)\n"
    );
    // `-v` lists every document, wherever it is written on the command line.
    for args in [
        ["check", "-v", "policies"],
        ["-v", "check", "policies"],
        ["check", "policies", "-v"],
    ] {
        let (code, _, stderr) = rampart(&dir, &args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 30, "{args:?}: {stderr}");
        assert_eq!(
            lines.first().copied(),
            Some(
                "warning: policies/manifests.yaml:3:7: `ConfigMap` is not a Kyverno policy; ignored"
            )
        );
        assert_eq!(
            lines.last().copied(),
            Some(
                "warning: policies/manifests.yaml:186:7: `Service` is not a Kyverno policy; ignored"
            )
        );
        assert_eq!(count(&stderr, "`ConfigMap` is not a Kyverno policy"), 20);
        assert_eq!(count(&stderr, "`Service` is not a Kyverno policy"), 10);
    }
}

#[test]
fn a_huge_message_is_cut_in_its_table_cell() {
    let policy = r#"apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: short-notes
spec:
  validationFailureAction: Audit
  rules:
    - name: note-length
      match:
        any:
          - resources:
              kinds: [ConfigMap]
      validate:
        message: "the note is too long: {{ request.object.metadata.annotations.note }}"
        deny:
          conditions:
            any:
              - key: "{{ length(request.object.metadata.annotations.note) }}"
                operator: GreaterThan
                value: 1000
"#;
    let resource = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n  annotations:\n    note: \"{}\"\n",
        "x".repeat(100_000)
    );
    let dir = scratch(
        "huge-message",
        &[
            ("policy.yaml", policy.as_bytes()),
            ("notes.yaml", resource.as_bytes()),
        ],
    );
    let (code, stdout, stderr) = rampart(
        &dir,
        &[
            "apply",
            "policy.yaml",
            "-r",
            "notes.yaml",
            "-t",
            "--detailed-results",
        ],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.len() < 5_000, "{} bytes of output", stdout.len());
    let widest = stdout.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 400, "a line of {widest} characters");
    let row = stdout
        .lines()
        .find(|l| l.contains("default/ConfigMap/notes"))
        .unwrap_or_default();
    assert!(row.contains("│ Fail "), "{row}");
    assert!(
        row.contains("the note is too long: xxxxxxxxxx") && row.ends_with("xxx… │"),
        "{row}"
    );
    // The report keeps the message whole.
    let (_, report, _) = rampart(
        &dir,
        &[
            "apply",
            "policy.yaml",
            "-r",
            "notes.yaml",
            "-p",
            "--output-format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&report).unwrap_or_default();
    let message = report["results"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.ends_with(&"x".repeat(100_000)),
        "{} bytes",
        message.len()
    );
}

#[test]
fn a_diagnostic_on_a_minified_json_line_shows_a_window_around_it() {
    let policy = serde_json::json!({
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {
            "name": "minified",
            "annotations": {"policies.kyverno.io/description": "d".repeat(5_000)},
        },
        "spec": {
            "validationFailureAction": "Audit",
            "rules": [{
                "name": "team-label",
                "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                "validate": {"message": "m", "pattern": {"metadata": {"labels": {"team": "?*"}}}},
            }],
            "backgroud": true,
        },
    });
    let text = policy.to_string();
    assert!(!text.contains('\n'));
    let column = text.find("\"backgroud\"").map_or(0, |i| i + 1);
    assert!(column > 5_000, "the typo is near the end of the line");
    let dir = scratch("minified-json", &[("policy.json", text.as_bytes())]);
    let (code, stdout, stderr) = rampart(&dir, &["check", "policy.json"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("┌─ policy.json:1:{column}")),
        "{stderr}"
    );
    assert!(stderr.len() < 1_000, "{} bytes:\n{stderr}", stderr.len());
    assert!(stderr.contains("…"), "{stderr}");
    assert!(!stderr.contains(&"d".repeat(100)), "{stderr}");
    insta::assert_snapshot!("minified_json", stderr);
}

#[test]
fn utf16_policies_load_and_a_bad_utf8_byte_is_located() {
    let utf16 = |text: &str, little: bool| -> Vec<u8> {
        let mut out = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            out.extend(if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    };
    // As PowerShell's `>` and Notepad's "Unicode" save files.
    let le = utf16(REQUIRE_TEAM, true);
    let be = utf16(
        &REQUIRE_TEAM.replace("require-team", "require-team-be"),
        false,
    );
    // A file edited in Latin-1: `é` is the single byte 0xE9.
    let latin1 = REQUIRE_TEAM
        .replace(
            "label `team` is required",
            "label `team` is required (équipe)",
        )
        .into_bytes()
        .into_iter()
        .flat_map(|b| match b {
            0xC3 => vec![],
            0xA9 => vec![0xE9],
            b => vec![b],
        })
        .collect::<Vec<u8>>();
    let dir = scratch(
        "encodings",
        &[
            ("utf16le.yaml", &le),
            ("utf16be.yaml", &be),
            ("latin1.yaml", &latin1),
            ("pods.yaml", PODS.as_bytes()),
        ],
    );
    let (code, stdout, stderr) = rampart(&dir, &["check", "utf16le.yaml", "utf16be.yaml"]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    let (code, stdout, stderr) = rampart(&dir, &["apply", "utf16le.yaml", "-r", "pods.yaml"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("pass: 1, fail: 1, warn: 0, error: 0, skip: 0"),
        "{stdout}"
    );
    assert_eq!(stderr, "");

    let offset = latin1.iter().position(|&b| b == 0xE9).unwrap_or(0);
    let expected =
        format!("invalid UTF-8 at byte {offset} (line 14, column 45); save the file as UTF-8");
    let (code, _, stderr) = rampart(&dir, &["check", "latin1.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr,
        format!("error: cannot read latin1.yaml: {expected}\n")
    );
    let (code, _, stderr) = rampart(&dir, &["apply", "latin1.yaml", "-r", "pods.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn a_yaml_syntax_error_says_invalid_yaml_once() {
    let broken = REQUIRE_TEAM.replace("spec:\n", " spec: [\n");
    let dir = scratch(
        "yaml-syntax",
        &[
            ("broken.yaml", broken.as_bytes()),
            ("policy.yaml", REQUIRE_TEAM.as_bytes()),
            ("pods.yaml", PODS.as_bytes()),
            (
                "broken-pod.yaml",
                b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"open\n",
            ),
        ],
    );
    let (code, stdout, stderr) = rampart(&dir, &["check", "broken.yaml"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(count(&stderr, "invalid YAML:"), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: invalid YAML: while parsing a block mapping"),
        "{stderr}"
    );
    assert!(stderr.contains("┌─ broken.yaml:5:2"), "{stderr}");
    // apply: the diagnostic on standard error, the listing of invalid policies on standard
    // output, each with the prefix once.
    let (code, stdout, stderr) = rampart(&dir, &["apply", "broken.yaml", "-r", "pods.yaml"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(count(&stderr, "invalid YAML:"), 1, "{stderr}");
    assert_eq!(count(&stdout, "invalid YAML:"), 1, "{stdout}");
    assert!(
        stdout.contains("1. broken.yaml: invalid YAML: while parsing a block mapping"),
        "{stdout}"
    );
    // A resource file.
    let (code, stdout, stderr) = rampart(&dir, &["apply", "policy.yaml", "-r", "broken-pod.yaml"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(count(&stderr, "invalid YAML:"), 1, "{stderr}");
    assert!(stderr.contains("┌─ broken-pod.yaml:4:9"), "{stderr}");
    // Not a Helm template: no Helm advice.
    assert!(!stderr.contains("helm"), "{stderr}");
}

#[test]
fn jp_function_suggests_the_closest_name() {
    let dir = scratch("jp-function", &[]);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let (code, stdout, stderr) = rampart(&dir, &["jp", "function", "to_uper"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "Error: unknown function `to_uper`; did you mean `to_upper`?\n"
    );
}

#[test]
fn check_warns_about_mistakes_the_schema_allows() {
    let policies = r#"apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team
spec:
  validationFailureAction: Audit
  rules:
    - name: lower-case-team
      match:
        any:
          - resources:
              kinds: [Deploymnet]
      validate:
        message: "the team label must be lower case"
        deny:
          conditions:
            any:
              - key: "{{ regex_match('[a-', request.object.metadata.labels.team) }}"
                operator: Equals
                value: false
---
apiVersion: kyverno.io/v1
kind: Policy
metadata:
  name: no-host-network
spec:
  rules:
    - name: host-network
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        message: "host networking is not allowed"
        pattern:
          spec:
            =(hostNetwork): false
"#;
    let dir = scratch(
        "schema-allows",
        &[
            ("policies/policies.yaml", policies.as_bytes()),
            // The same ClusterPolicy again, in another file.
            ("policies/team-copy.yaml", REQUIRE_TEAM.as_bytes()),
            ("pods.yaml", PODS.as_bytes()),
        ],
    );
    let (code, stdout, stderr) = rampart(&dir, &["check", "policies"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(count(&stderr, "warning:"), 4, "{stderr}");
    assert!(stderr.contains("did you mean `Deployment`?"), "{stderr}");
    assert!(
        stderr.contains("first loaded from policies/policies.yaml:4:9"),
        "{stderr}"
    );
    insta::assert_snapshot!("warnings", stderr);
    // Both copies stay loaded: both are evaluated (1 + 3 + 3 rules with autogen).
    let (_, stdout, _) = rampart(&dir, &["apply", "policies", "-r", "pods.yaml"]);
    assert!(
        stdout.contains("Applying 7 policy rule(s) to 2 resource(s)..."),
        "{stdout}"
    );
}
