//! Table tests of how strictly the command line reads its own files (Test, Values, UserInfo,
//! ClusterResource, the PSA configuration): a misspelt key is an error at its line and column
//! with a suggestion, a wrong type names what was expected, and good files load.

use std::path::Path;

use rampart::SourceMap;
use rampart::diag::render_all;

use super::document;
use super::testfile::TestFile;
use super::{psa_config, test_cluster, userinfo, values};

/// Which reader a case goes through.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Test,
    Values,
    UserInfo,
    ClusterResource,
    PsaConfig,
}

/// Reads `text` (named `input.yaml`) as `kind`; returns whether it loaded and the rendered
/// diagnostics. Paths in tests are relative to an example that has `policy.yaml` and
/// `resources.yaml`.
fn read(kind: Kind, text: &str) -> (bool, String) {
    let base = Path::new("examples/require-team-label");
    let mut sources = SourceMap::new();
    let file = sources.add("input.yaml", text);
    let mut diagnostics = Vec::new();
    let loaded = document::one(file, "input", &sources, &mut diagnostics).and_then(|doc| {
        let d = &mut diagnostics;
        match kind {
            Kind::Test => TestFile::from_document(&doc, base, d).map(drop),
            Kind::Values => values::from_document(&doc, d).map(drop),
            Kind::UserInfo => userinfo::from_document(&doc, d).map(drop),
            Kind::ClusterResource => test_cluster::from_document(&doc, base, d).map(drop),
            Kind::PsaConfig => psa_config::from_document(&doc, d).map(drop),
        }
    });
    (loaded.is_ok(), render_all(&diagnostics, &sources, false))
}

const TEST: &str = "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata:\n  name: t\npolicies: [policy.yaml]\nresources: [resources.yaml]\n";
const RESULT: &str =
    "results:\n- policy: p\n  rule: r\n  kind: Pod\n  resources: [a]\n  result: pass\n";
const VALUES: &str = "apiVersion: cli.kyverno.io/v1alpha1\nkind: Values\nmetadata:\n  name: v\n";
const USER: &str = "apiVersion: cli.kyverno.io/v1alpha1\nkind: UserInfo\nmetadata:\n  name: u\n";
const CLUSTER: &str =
    "apiVersion: cli.kyverno.io/v1alpha1\nkind: ClusterResource\nmetadata:\n  name: c\n";
const PSA: &str =
    "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n";

/// (kind, case, text, loads, what the diagnostics must say)
type Case = (Kind, &'static str, String, bool, &'static [&'static str]);

fn cases() -> Vec<Case> {
    vec![
        (
            Kind::Test,
            "every field",
            format!(
                "{TEST}targetResources: [resources.yaml]\nexceptions: [resources.yaml]\nclusterResources: [resources.yaml]\n\
                 values:\n  globalValues: {{request.operation: UPDATE}}\n\
                 apiCallResponses:\n- urlPath: /api/v1/namespaces\n  method: GET\n  response: {{statusCode: 200, body: {{items: []}}}}\n\
                 - url: https://svc.ns/check\n  response: {{body: {{ok: true}}}}\n\
                 globalContextEntries:\n- name: g\n  data: {{k: v}}\n  fieldPath: k\n- name: h\n  resources: [{{kind: Pod}}]\n  projections: [{{name: count, path: 'length(@)'}}]\n\
                 results:\n- policy: p\n  rule: r\n  kind: Pod\n  resources: [a, ns/b]\n  resourceSpecs: [{{group: apps, version: v1, kind: Deployment, namespace: ns, name: d}}]\n  \
                 result: fail\n  operation: UPDATE\n  patchedResources: resources.yaml\n  generatedResource: resources.yaml\n  generatedResources: [resources.yaml]\n  \
                 cloneSourceResource: resources.yaml\n  failOnMissingResources: true\n"
            ),
            true,
            &[],
        ),
        (
            Kind::Test,
            "misspelt results",
            format!("{TEST}{}", RESULT.replace("results:", "reslts:")),
            false,
            &[
                "error: unknown field `reslts` in Test",
                "input.yaml:7:1",
                "did you mean `results`?",
            ],
        ),
        (
            Kind::Test,
            "misspelt result field",
            format!("{TEST}{}", RESULT.replace("  rule:", "  rul:")),
            false,
            &[
                "unknown field `rul` in result",
                "input.yaml:9:3",
                "did you mean `rule`?",
            ],
        ),
        (
            Kind::Test,
            "a string for a list",
            TEST.replace("policies: [policy.yaml]", "policies: policy.yaml") + RESULT,
            false,
            &[
                "wrong type for policies: expected a list, found a string",
                "input.yaml:5:11",
            ],
        ),
        (
            Kind::Test,
            "an invalid result",
            format!("{TEST}{}", RESULT.replace("result: pass", "result: passed")),
            false,
            &["invalid value `passed` for result", "did you mean `pass`?"],
        ),
        (
            Kind::Test,
            "a missing file",
            TEST.replace("[resources.yaml]", "[missing.yaml]") + RESULT,
            false,
            &["missing.yaml does not exist", "input.yaml:6:13"],
        ),
        (
            Kind::Test,
            "a removed field",
            format!("{TEST}{}", RESULT.replace("result: pass", "status: pass")),
            false,
            &[
                "`status` is no longer a field of a Test result",
                "use `result`",
            ],
        ),
        (
            Kind::Test,
            "no results",
            TEST.to_string(),
            false,
            &["missing `results`: this Test checks nothing"],
        ),
        (
            Kind::Test,
            "no apiVersion",
            format!(
                "{}{RESULT}",
                TEST.replace("apiVersion: cli.kyverno.io/v1alpha1\n", "")
            ),
            false,
            &["missing `apiVersion`", "the schema Kyverno removed"],
        ),
        (
            Kind::Test,
            "a check with a misspelt field",
            format!("{TEST}checks:\n- assrt: {{status: pass}}\n"),
            false,
            &[
                "unknown field `assrt` in check",
                "this check has neither `assert` nor `error`",
            ],
        ),
        (
            Kind::Test,
            "an API call response without a body",
            format!(
                "{TEST}{RESULT}apiCallResponses:\n- urlPath: /api/v1/pods\n  response: {{statusCode: 700}}\n"
            ),
            false,
            &[
                "missing required field `body` in response",
                "`statusCode` must be between 100 and 599",
            ],
        ),
        (
            Kind::Values,
            "every field",
            format!(
                "{VALUES}globalValues: {{request.operation: CREATE}}\npolicies:\n- name: p\n  rules:\n  - name: r\n    values: {{a.b: 1}}\n  resources:\n  - name: x\n    values: {{c: d}}\n\
                 namespaceSelector:\n- name: prod\n  labels: {{env: prod}}\n\
                 namespaces:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {{name: dev, labels: {{env: dev}}}}\n\
                 subresources:\n- subresource: {{name: deployments/scale, kind: Scale, group: autoscaling, version: v1}}\n  parentResource: {{name: deployments, kind: Deployment, group: apps, version: v1}}\n"
            ),
            true,
            &[],
        ),
        (
            Kind::Values,
            "misspelt globalValues",
            format!("{VALUES}globalValue: {{a: b}}\n"),
            false,
            &[
                "unknown field `globalValue` in Values",
                "input.yaml:5:1",
                "did you mean `globalValues`?",
            ],
        ),
        (
            Kind::Values,
            "a list for a mapping",
            format!("{VALUES}globalValues: [a]\n"),
            false,
            &[
                "wrong type for globalValues: expected a mapping, found a list",
                "input.yaml:5:15",
            ],
        ),
        (
            Kind::Values,
            "labels that are not strings",
            format!("{VALUES}namespaceSelector:\n- name: prod\n  labels: {{env: [prod]}}\n"),
            false,
            &[
                "wrong type for labels: expected a string",
                "input.yaml:7:17",
            ],
        ),
        (
            Kind::UserInfo,
            "every field",
            format!(
                "{USER}roles: [ns:dev]\nclusterRoles: [admin]\nuserInfo:\n  username: alice\n  uid: '1'\n  groups: [dev]\n  extra: {{k: [v]}}\n"
            ),
            true,
            &[],
        ),
        (
            Kind::UserInfo,
            "misspelt clusterRoles",
            format!("{USER}clusterRole: [admin]\n"),
            false,
            &[
                "unknown field `clusterRole` in UserInfo",
                "input.yaml:5:1",
                "did you mean `clusterRoles`?",
            ],
        ),
        (
            Kind::UserInfo,
            "a string for a list",
            format!("{USER}userInfo:\n  groups: dev\n"),
            false,
            &[
                "wrong type for groups: expected a list, found a string",
                "input.yaml:6:11",
            ],
        ),
        (
            Kind::ClusterResource,
            "every field",
            format!(
                "{CLUSTER}spec:\n  crds: [resources.yaml]\n  resources:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {{name: c, namespace: ns}}\n    data: {{k: v}}\n"
            ),
            true,
            &[],
        ),
        (
            Kind::ClusterResource,
            "misspelt resources",
            format!("{CLUSTER}spec:\n  resource: []\n"),
            false,
            &[
                "unknown field `resource` in ClusterResource spec",
                "input.yaml:6:3",
                "did you mean `resources`?",
            ],
        ),
        (
            Kind::ClusterResource,
            "a plain object",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n".into(),
            false,
            &["holds a ClusterResource, not a ConfigMap", "input.yaml:2:7"],
        ),
        (
            Kind::PsaConfig,
            "an AdmissionConfiguration",
            format!(
                "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  configuration:\n    {}\n    defaults: {{enforce: baseline, enforce-version: latest}}\n    exemptions: {{namespaces: [kube-system], usernames: [admin], runtimeClasses: [kata]}}\n",
                PSA.trim_end().replace('\n', "\n    ")
            ),
            true,
            &[],
        ),
        (
            Kind::PsaConfig,
            "a misspelt exemption",
            format!("{PSA}exemptions:\n  namespace: [kube-system]\n"),
            false,
            &[
                "unknown field `namespace` in exemptions",
                "input.yaml:4:3",
                "did you mean `namespaces`?",
            ],
        ),
        (
            Kind::PsaConfig,
            "a string for a list",
            format!("{PSA}exemptions:\n  usernames: admin\n"),
            false,
            &[
                "wrong type for usernames: expected a list, found a string",
                "input.yaml:4:14",
            ],
        ),
        (
            Kind::PsaConfig,
            "an invalid level",
            format!("{PSA}defaults:\n  enforce: strict\n"),
            false,
            &[
                "defaults.enforce: Invalid value: \"strict\"",
                "input.yaml:4:12",
            ],
        ),
        (
            Kind::PsaConfig,
            "a misspelt default",
            format!("{PSA}defaults:\n  enforce-versoin: latest\n"),
            false,
            &[
                "unknown field `enforce-versoin` in defaults",
                "did you mean `enforce-version`?",
            ],
        ),
        (
            Kind::Values,
            "two documents",
            format!("{VALUES}---\n{VALUES}"),
            false,
            &["file holds one document", "input.yaml:6:1"],
        ),
    ]
}

#[test]
fn files_are_read_strictly_with_places_and_suggestions() {
    for (kind, case, text, loads, wants) in cases() {
        let (loaded, rendered) = read(kind, &text);
        assert_eq!(loaded, loads, "{kind:?} {case}:\n{rendered}");
        if loads {
            assert!(!rendered.contains("error"), "{kind:?} {case}:\n{rendered}");
        }
        for want in wants {
            assert!(
                rendered.contains(want),
                "{kind:?} {case}: no `{want}` in\n{rendered}"
            );
        }
    }
}
