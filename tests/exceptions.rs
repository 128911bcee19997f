//! PolicyExceptions through the public library API, pinned to Kyverno's behaviour: which
//! requests an exception covers (every `match` field, `conditions`), which policies and rules it
//! names, the skip messages, where in a rule it is checked, `podSecurity` exemptions, reports,
//! and the load-time diagnostics.

use proptest::prelude::*;
use rampart::report::{ReportOptions, policy_reports};
use rampart::{
    AdmissionRequest, Documents, Engine, Evaluation, ExternalData, ExternalError, FixedClock,
    GroupVersionResource, Loader, Operation, Origin, Request, ResourceQuery, RuleResponse,
    RuleStatus, UserInfo,
};
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers

/// `require-team` (rule `team`: Pods and Namespaces need a `team` label), the namespaced Policy
/// `prod/require-owner` (rule `owner`) and `pods-need-team` (rule `team`, Pods only, so it has
/// autogen rules).
const POLICIES: &str = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: require-team}
spec:
  validationFailureAction: Enforce
  rules:
    - name: team
      match: {any: [{resources: {kinds: [Pod, Namespace]}}]}
      validate:
        message: a team label is required
        pattern: {metadata: {labels: {team: "?*"}}}
---
apiVersion: kyverno.io/v1
kind: Policy
metadata: {name: require-owner, namespace: prod}
spec:
  rules:
    - name: owner
      match: {any: [{resources: {kinds: [Pod]}}]}
      validate:
        pattern: {metadata: {labels: {owner: "?*"}}}
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: pods-need-team}
spec:
  rules:
    - name: team
      match: {any: [{resources: {kinds: [Pod]}}]}
      validate:
        pattern: {metadata: {labels: {team: "?*"}}}
"#;

/// A PolicyException named `allow` for rule `team` of `require-team`, with `background: false`
/// (so that `match` may name users) and the given `match` (one line of flow YAML).
fn allow_team(match_: &str) -> String {
    exception(
        "allow",
        "require-team",
        "[team]",
        &format!("  match: {match_}\n"),
    )
}

/// A PolicyException `name` exempting `rules` (flow YAML) of `policy`, with more `spec` lines
/// (indented by two spaces).
fn exception(name: &str, policy: &str, rules: &str, spec: &str) -> String {
    format!(
        "apiVersion: kyverno.io/v2\nkind: PolicyException\nmetadata:\n  name: {name}\nspec:\n  background: false\n  exceptions:\n    - policyName: {policy}\n      ruleNames: {rules}\n{spec}"
    )
}

/// An engine for `policies` and `exceptions`, which must load without errors.
fn engine(policies: &str, exceptions: &str) -> Engine {
    let mut loader = Loader::new();
    loader.add_text("policies.yaml", policies);
    loader.add_text("exceptions.yaml", exceptions);
    assert!(
        !loader.has_errors(),
        "did not load:\n{}",
        loader.render_diagnostics(false)
    );
    loader.engine()
}

/// What a request carries beside its object.
#[derive(Debug, Default)]
struct Ctx {
    operation: Option<Operation>,
    username: &'static str,
    groups: Vec<String>,
    roles: Vec<String>,
    cluster_roles: Vec<String>,
    cluster: Cluster,
}

/// Namespace labels and mutate-existing targets, as a cluster would answer.
#[derive(Debug, Default)]
struct Cluster {
    namespaces: Vec<(&'static str, Value)>,
    targets: Vec<Value>,
}

impl ExternalData for Cluster {
    fn namespace_labels(&self, namespace: &str) -> Option<Map<String, Value>> {
        self.namespaces
            .iter()
            .find(|(n, _)| *n == namespace)
            .and_then(|(_, labels)| labels.as_object().cloned())
    }

    fn resources(&self, query: &ResourceQuery<'_>) -> Result<Vec<Value>, ExternalError> {
        Ok(self
            .targets
            .iter()
            .filter(|t| query.matches(t))
            .cloned()
            .collect())
    }
}

/// Evaluates `resource` offline (as the CLI does), with what `ctx` adds.
fn evaluate(engine: &Engine, resource: &Value, ctx: &Ctx) -> Evaluation {
    let operation = ctx.operation.unwrap_or(Operation::Create);
    let mut admission = AdmissionRequest::for_resource(resource.clone(), operation);
    admission.user_info = UserInfo {
        username: ctx.username.into(),
        groups: ctx.groups.clone(),
        ..UserInfo::default()
    };
    let request = Request::new(&admission)
        .with_origin(Origin::Offline)
        .with_roles(&ctx.roles, &ctx.cluster_roles)
        .with_data(&ctx.cluster);
    engine.evaluate(&request)
}

/// The response of `rule` of `policy` (by key).
fn response<'e>(evaluation: &'e Evaluation, policy: &str, rule: &str) -> &'e RuleResponse {
    evaluation
        .rules()
        .find(|(p, r)| p.key() == policy && &*r.name == rule)
        .map(|(_, r)| r)
        .unwrap_or_else(|| panic!("no response of {policy}/{rule}: {evaluation:#?}"))
}

/// Status, message and the names of the exceptions recorded.
fn outcome(r: &RuleResponse) -> (RuleStatus, String, Vec<String>) {
    let names = r.exceptions.iter().map(|e| e.key()).collect();
    (r.status, r.message.clone(), names)
}

/// Whether exception `allow` made rule `team` of `require-team` skip.
fn team_exempted(exceptions: &str, resource: &Value, ctx: &Ctx) -> bool {
    let evaluation = evaluate(&engine(POLICIES, exceptions), resource, ctx);
    let r = response(&evaluation, "require-team", "team");
    match outcome(r) {
        (RuleStatus::Skip, m, names) => {
            assert_eq!(m, "rule is skipped due to policy exceptionsallow");
            assert_eq!(names, ["allow"]);
            true
        }
        (RuleStatus::Fail, _, names) => {
            assert!(names.is_empty());
            false
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// The Pod most cases use: `web-1` in `prod`, labelled `app: web, tier: backend`, annotated
/// `owner: team-a`, without a `team` label.
fn web_pod() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "web-1", "namespace": "prod",
            "labels": {"app": "web", "tier": "backend"},
            "annotations": {"owner": "team-a"}
        },
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}
    })
}

// ---------------------------------------------------------------------------------------------
// Which requests an exception covers

#[test]
fn every_match_field() {
    let mut generated = web_pod();
    let metadata = generated["metadata"].as_object_mut().expect("metadata");
    metadata.remove("name");
    metadata.insert("generateName".into(), json!("web-"));
    let prod = || Ctx {
        cluster: Cluster {
            namespaces: vec![("prod", json!({"env": "production"}))],
            ..Cluster::default()
        },
        ..Ctx::default()
    };
    let cases: Vec<(&str, &str, Value, Ctx, bool)> = vec![
        (
            "kind",
            "{any: [{resources: {kinds: [Pod]}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "other kind",
            "{any: [{resources: {kinds: [Deployment]}}]}",
            web_pod(),
            Ctx::default(),
            false,
        ),
        (
            "version/kind",
            "{any: [{resources: {kinds: [v1/Pod]}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "group/version/kind",
            "{any: [{resources: {kinds: [apps/v1/Pod]}}]}",
            web_pod(),
            Ctx::default(),
            false,
        ),
        (
            "kind wildcard",
            "{any: [{resources: {kinds: [P*]}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "names",
            "{any: [{resources: {names: [db-1, web-*]}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "other names",
            "{any: [{resources: {names: [db-*]}}]}",
            web_pod(),
            Ctx::default(),
            false,
        ),
        (
            "name",
            "{any: [{resources: {name: web-?}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "generateName",
            "{any: [{resources: {names: [web-]}}]}",
            generated,
            Ctx::default(),
            true,
        ),
        (
            "namespaces",
            "{any: [{resources: {namespaces: [dev, pr*]}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "other namespaces",
            "{any: [{resources: {namespaces: [dev]}}]}",
            web_pod(),
            Ctx::default(),
            false,
        ),
        (
            "annotations",
            "{any: [{resources: {annotations: {owner: team-*}}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "other annotations",
            "{any: [{resources: {annotations: {owner: team-b}}}]}",
            web_pod(),
            Ctx::default(),
            false,
        ),
        (
            "matchLabels",
            "{any: [{resources: {selector: {matchLabels: {app: web}}}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "matchLabels wildcard",
            "{any: [{resources: {selector: {matchLabels: {app: w*}}}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "other matchLabels",
            "{any: [{resources: {selector: {matchLabels: {app: db}}}}]}",
            web_pod(),
            Ctx::default(),
            false,
        ),
        (
            "matchExpressions",
            "{any: [{resources: {selector: {matchExpressions: [{key: tier, operator: In, values: [backend]}]}}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "matchExpressions NotIn",
            "{any: [{resources: {selector: {matchExpressions: [{key: tier, operator: NotIn, values: [backend]}]}}}]}",
            web_pod(),
            Ctx::default(),
            false,
        ),
        (
            "namespaceSelector",
            "{any: [{resources: {namespaceSelector: {matchLabels: {env: production}}}}]}",
            web_pod(),
            prod(),
            true,
        ),
        (
            "other namespaceSelector",
            "{any: [{resources: {namespaceSelector: {matchLabels: {env: dev}}}}]}",
            web_pod(),
            prod(),
            false,
        ),
        (
            "namespaceSelector, labels unknown",
            "{any: [{resources: {namespaceSelector: {matchLabels: {env: production}}}}]}",
            web_pod(),
            Ctx::default(),
            false,
        ),
        (
            "operations",
            "{any: [{resources: {kinds: [Pod], operations: [CREATE]}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "other operations",
            "{any: [{resources: {kinds: [Pod], operations: [UPDATE]}}]}",
            web_pod(),
            Ctx::default(),
            false,
        ),
        (
            "any: one filter holds",
            "{any: [{resources: {kinds: [Deployment]}}, {resources: {namespaces: [prod]}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "all: every filter holds",
            "{all: [{resources: {kinds: [Pod]}}, {resources: {namespaces: [prod]}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "all: one filter fails",
            "{all: [{resources: {kinds: [Pod]}}, {resources: {namespaces: [dev]}}]}",
            web_pod(),
            Ctx::default(),
            false,
        ),
        (
            "all fields of one filter",
            "{any: [{resources: {kinds: [Pod], names: [web-*], namespaces: [prod], selector: {matchLabels: {app: web}}}}]}",
            web_pod(),
            Ctx::default(),
            true,
        ),
        (
            "neither any nor all",
            "{}",
            web_pod(),
            Ctx::default(),
            false,
        ),
        (
            "an empty filter",
            "{any: [{}]}",
            web_pod(),
            Ctx::default(),
            false,
        ),
    ];
    for (what, match_, resource, ctx, applies) in cases {
        assert_eq!(
            team_exempted(&allow_team(match_), &resource, &ctx),
            applies,
            "{what}"
        );
    }
}

#[test]
fn user_information() {
    let user = |username: &'static str, groups: &[&str]| Ctx {
        username,
        groups: groups.iter().map(|g| g.to_string()).collect(),
        ..Ctx::default()
    };
    let roles = |roles: &[&str], cluster_roles: &[&str]| Ctx {
        username: "carol",
        roles: roles.iter().map(|r| r.to_string()).collect(),
        cluster_roles: cluster_roles.iter().map(|r| r.to_string()).collect(),
        ..Ctx::default()
    };
    let alice = "{any: [{resources: {kinds: [Pod]}, subjects: [{kind: User, name: alice}]}]}";
    let devs = "{any: [{subjects: [{kind: Group, name: dev*}]}]}";
    let sa = "{any: [{subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]}]}";
    let admins = "{any: [{roles: ['prod:admin']}]}";
    let cluster_admins = "{any: [{clusterRoles: [cluster-admin]}]}";
    let cases: Vec<(&str, &str, Ctx, bool)> = vec![
        ("the user", alice, user("alice", &[]), true),
        ("another user", alice, user("bob", &[]), false),
        // Unlike a rule's match, an exception's never ignores the user part.
        ("no user information", alice, Ctx::default(), false),
        ("a group", devs, user("bob", &["developers"]), true),
        ("other groups", devs, user("bob", &["ops"]), false),
        (
            "a service account",
            sa,
            user("system:serviceaccount:ci:deployer", &[]),
            true,
        ),
        (
            "another service account",
            sa,
            user("system:serviceaccount:ci:other", &[]),
            false,
        ),
        ("a role", admins, roles(&["prod:admin"], &[]), true),
        ("other roles", admins, roles(&["prod:viewer"], &[]), false),
        (
            "a cluster role",
            cluster_admins,
            roles(&[], &["cluster-admin"]),
            true,
        ),
        ("no cluster role", cluster_admins, roles(&[], &[]), false),
    ];
    for (what, match_, ctx, applies) in cases {
        assert_eq!(
            team_exempted(&allow_team(match_), &web_pod(), &ctx),
            applies,
            "{what}"
        );
    }
}

#[test]
fn namespace_selector_and_namespaces_on_a_namespace() {
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}});
    // A rule's namespaceSelector never matches a Namespace; an exception's is not checked there.
    let selector = allow_team(
        "{any: [{resources: {kinds: [Namespace], namespaceSelector: {matchLabels: {env: x}}}}]}",
    );
    assert!(team_exempted(&selector, &namespace, &Ctx::default()));
    // `namespaces` reads a Namespace's own name.
    let named = allow_team("{any: [{resources: {kinds: [Namespace], namespaces: [prod]}}]}");
    assert!(team_exempted(&named, &namespace, &Ctx::default()));
    let other = allow_team("{any: [{resources: {kinds: [Namespace], namespaces: [dev]}}]}");
    assert!(!team_exempted(&other, &namespace, &Ctx::default()));
}

#[test]
fn subresources_in_admission() {
    let policy = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: no-exec}
spec:
  validationFailureAction: Enforce
  rules:
    - name: no-exec
      match: {any: [{resources: {kinds: [Pod/exec]}}]}
      validate: {message: no exec, deny: {}}
"#;
    let mut exec = AdmissionRequest::for_resource(
        json!({"apiVersion": "v1", "kind": "PodExecOptions", "command": ["sh"]}),
        Operation::Connect,
    );
    exec.resource = GroupVersionResource {
        group: String::new(),
        version: "v1".into(),
        resource: "pods".into(),
    };
    exec.sub_resource = "exec".into();
    exec.name = "web-1".into();
    exec.namespace = "prod".into();
    let cases = [
        ("Pod/exec", true),
        ("'*/exec'", true),
        ("Pod", false),
        ("PodExecOptions", false),
    ];
    for (kind, exempted) in cases {
        let polex = exception(
            "allow",
            "no-exec",
            "[no-exec]",
            &format!(
                "  match: {{any: [{{resources: {{kinds: [{kind}], namespaces: [prod]}}}}]}}\n"
            ),
        );
        let evaluation = engine(policy, &polex).evaluate(&Request::new(&exec));
        let status = response(&evaluation, "no-exec", "no-exec").status;
        let want = if exempted {
            RuleStatus::Skip
        } else {
            RuleStatus::Fail
        };
        assert_eq!(status, want, "{kind}");
        assert_eq!(evaluation.decision().allowed, exempted, "{kind}");
    }
}

#[test]
fn conditions() {
    let pods = "  match: {any: [{resources: {kinds: [Pod]}}]}\n";
    let with = |conditions: &str| {
        exception(
            "allow",
            "require-team",
            "[team]",
            &format!("{pods}  conditions: {conditions}\n"),
        )
    };
    let tier = |op: &str, value: &str| {
        format!(
            "{{key: '{{{{ request.object.metadata.labels.tier }}}}', operator: {op}, value: {value}}}"
        )
    };
    let cases: Vec<(&str, String, bool)> = vec![
        ("any holds", format!("{{any: [{}, {}]}}", tier("Equals", "frontend"), tier("Equals", "backend")), true),
        ("any fails", format!("{{any: [{}]}}", tier("Equals", "frontend")), false),
        ("all hold", format!("{{all: [{}, {}]}}", tier("NotEquals", "frontend"), tier("AnyIn", "[backend, db]")), true),
        ("all: one fails", format!("{{all: [{}, {}]}}", tier("Equals", "backend"), tier("Equals", "db")), false),
        ("empty block", "{}".to_string(), true),
        // A condition that cannot be evaluated: the exception does not apply.
        (
            "unknown variable",
            "{any: [{key: '{{ request.object.metadata.labels.missing }}', operator: Equals, value: x}]}".to_string(),
            false,
        ),
    ];
    for (what, conditions, applies) in cases {
        assert_eq!(
            team_exempted(&with(&conditions), &web_pod(), &Ctx::default()),
            applies,
            "{what}"
        );
    }
}

#[test]
fn conditions_see_the_rules_context() {
    let policy = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: require-team}
spec:
  rules:
    - name: team
      match: {any: [{resources: {kinds: [Pod]}}]}
      context:
        - name: tier
          variable: {jmesPath: request.object.metadata.labels.tier}
      validate:
        pattern: {metadata: {labels: {team: "?*"}}}
"#;
    let polex = exception(
        "allow",
        "require-team",
        "[team]",
        "  match: {any: [{resources: {kinds: [Pod]}}]}\n  conditions: {all: [{key: '{{ tier }}', operator: Equals, value: backend}]}\n",
    );
    let evaluation = evaluate(&engine(policy, &polex), &web_pod(), &Ctx::default());
    let (status, message, _) = outcome(response(&evaluation, "require-team", "team"));
    assert_eq!(
        (status, message.as_str()),
        (
            RuleStatus::Skip,
            "rule is skipped due to policy exceptionsallow"
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Which policies and rules an exception names

#[test]
fn policy_and_rule_names() {
    let pods = "  match: {any: [{resources: {kinds: [Pod]}}]}\n";
    let cases: Vec<(&str, &str, &str, &str, bool)> = vec![
        // (what, policyName, ruleNames, policy key, exempted)
        (
            "a ClusterPolicy by name",
            "require-team",
            "[team]",
            "require-team",
            true,
        ),
        (
            "a ClusterPolicy with a namespace",
            "prod/require-team",
            "[team]",
            "require-team",
            false,
        ),
        (
            "a Policy by name alone",
            "require-owner",
            "[owner]",
            "prod/require-owner",
            false,
        ),
        (
            "a Policy by namespace/name",
            "prod/require-owner",
            "[owner]",
            "prod/require-owner",
            true,
        ),
        (
            "a Policy, another namespace",
            "dev/require-owner",
            "[owner]",
            "prod/require-owner",
            false,
        ),
        (
            "policy name wildcard",
            "require-*",
            "[team]",
            "require-team",
            true,
        ),
        (
            "namespace wildcard",
            "'*/require-owner'",
            "[owner]",
            "prod/require-owner",
            true,
        ),
        (
            "rule name wildcard",
            "require-team",
            "['t*']",
            "require-team",
            true,
        ),
        ("every rule", "require-team", "['*']", "require-team", true),
        (
            "another rule",
            "require-team",
            "[owner]",
            "require-team",
            false,
        ),
        ("no rule", "require-team", "[]", "require-team", false),
    ];
    let pod = web_pod();
    for (what, policy_name, rules, key, exempted) in cases {
        let engine = engine(POLICIES, &exception("allow", policy_name, rules, pods));
        let evaluation = evaluate(&engine, &pod, &Ctx::default());
        let rule = if key == "prod/require-owner" {
            "owner"
        } else {
            "team"
        };
        let status = response(&evaluation, key, rule).status;
        let want = if exempted {
            RuleStatus::Skip
        } else {
            RuleStatus::Fail
        };
        assert_eq!(status, want, "{what}");
        // The other policies are never exempted.
        for (other, rule) in [
            ("require-team", "team"),
            ("prod/require-owner", "owner"),
            ("pods-need-team", "team"),
        ] {
            if other != key {
                assert_eq!(
                    response(&evaluation, other, rule).status,
                    RuleStatus::Fail,
                    "{what}: {other}"
                );
            }
        }
    }
}

#[test]
fn autogen_rules_are_exempted_only_when_named() {
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "prod"},
        "spec": {"template": {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}
    });
    let cronjob = json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "nightly", "namespace": "prod"},
        "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}}}}
    });
    let controllers = "  match: {any: [{resources: {kinds: [Deployment, CronJob]}}]}\n";
    let cases: Vec<(&str, &Value, &str, RuleStatus)> = vec![
        ("[team]", &deployment, "autogen-team", RuleStatus::Fail),
        (
            "[team, autogen-team]",
            &deployment,
            "autogen-team",
            RuleStatus::Skip,
        ),
        (
            "[autogen-team]",
            &cronjob,
            "autogen-cronjob-team",
            RuleStatus::Fail,
        ),
        (
            "[autogen-cronjob-team]",
            &cronjob,
            "autogen-cronjob-team",
            RuleStatus::Skip,
        ),
        (
            "['autogen-*']",
            &cronjob,
            "autogen-cronjob-team",
            RuleStatus::Skip,
        ),
    ];
    for (rules, resource, rule, want) in cases {
        let engine = engine(
            POLICIES,
            &exception("allow", "pods-need-team", rules, controllers),
        );
        let evaluation = evaluate(&engine, resource, &Ctx::default());
        assert_eq!(
            response(&evaluation, "pods-need-team", rule).status,
            want,
            "{rules} {rule}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Messages and what responses record

#[test]
fn skip_messages_name_every_exception_by_key() {
    let pods = "  match: {any: [{resources: {kinds: [Pod]}}]}\n";
    let namespaced = exception("allow", "require-team", "[team]", pods)
        .replace("  name: allow\n", "  name: allow\n  namespace: team-a\n");
    let other = exception("other", "require-team", "['*']", pods);
    let unrelated = exception(
        "unrelated",
        "require-team",
        "[team]",
        "  match: {any: [{resources: {kinds: [Service]}}]}\n",
    );
    let evaluation = evaluate(
        &engine(
            POLICIES,
            &format!("{namespaced}---\n{unrelated}---\n{other}"),
        ),
        &web_pod(),
        &Ctx::default(),
    );
    let r = response(&evaluation, "require-team", "team");
    assert_eq!(
        outcome(r),
        (
            RuleStatus::Skip,
            "rule is skipped due to policy exceptionsteam-a/allow, other".to_string(),
            vec!["team-a/allow".to_string(), "other".to_string()]
        )
    );
    assert_eq!(r.exceptions[0].name, "allow");
    assert_eq!(r.exceptions[0].namespace.as_deref(), Some("team-a"));
    // A skipped Enforce rule does not deny.
    assert!(
        evaluation
            .rules()
            .all(|(p, r)| p.name != "require-team" || r.status == RuleStatus::Skip)
    );
}

#[test]
fn every_validate_and_mutate_form_is_exempted() {
    let body = |name: &str, rule: &str| {
        format!(
            "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {{name: {name}}}\nspec:\n  rules:\n    - name: r\n      match: {{any: [{{resources: {{kinds: [Pod]}}}}]}}\n{rule}---\n"
        )
    };
    let policies = [
        body("pattern", "      validate: {pattern: {metadata: {labels: {team: '?*'}}}}\n"),
        body("any-pattern", "      validate: {anyPattern: [{metadata: {labels: {team: '?*'}}}, {metadata: {labels: {owner: '?*'}}}]}\n"),
        body("deny", "      validate: {deny: {conditions: {any: [{key: a, operator: Equals, value: a}]}}}\n"),
        body("foreach", "      validate: {foreach: [{list: request.object.spec.containers, pattern: {image: 'busybox*'}}]}\n"),
        body("mutate", "      mutate: {patchStrategicMerge: {metadata: {labels: {mutated: 'yes'}}}}\n"),
        body("mutate-foreach", "      mutate: {foreach: [{list: request.object.spec.containers, patchStrategicMerge: {spec: {containers: [{name: '{{ element.name }}', imagePullPolicy: Always}]}}}]}\n"),
    ]
    .concat();
    let pod = web_pod();
    let unexempted = engine(&policies, "");
    let evaluation = evaluate(&unexempted, &pod, &Ctx::default());
    for (policy, status) in [
        ("pattern", RuleStatus::Fail),
        ("any-pattern", RuleStatus::Fail),
        ("deny", RuleStatus::Fail),
        ("foreach", RuleStatus::Fail),
        ("mutate", RuleStatus::Pass),
        ("mutate-foreach", RuleStatus::Pass),
    ] {
        assert_eq!(
            response(&evaluation, policy, "r").status,
            status,
            "{policy}"
        );
    }
    let polex = exception(
        "allow",
        "'*'",
        "[r]",
        "  match: {any: [{resources: {kinds: [Pod]}}]}\n",
    );
    let evaluation = evaluate(&engine(&policies, &polex), &pod, &Ctx::default());
    for policy in [
        "pattern",
        "any-pattern",
        "deny",
        "foreach",
        "mutate",
        "mutate-foreach",
    ] {
        assert_eq!(
            outcome(response(&evaluation, policy, "r")),
            (
                RuleStatus::Skip,
                "rule is skipped due to policy exceptionsallow".to_string(),
                vec!["allow".to_string()]
            ),
            "{policy}"
        );
    }
    assert_eq!(
        evaluation.patched, None,
        "exempted mutate rules change nothing"
    );
}

#[test]
fn a_mutate_existing_rule_skips_once_without_fetching_targets() {
    let policy = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: label-configmaps}
spec:
  rules:
    - name: r
      match: {any: [{resources: {kinds: [Pod]}}]}
      mutate:
        targets:
          - {apiVersion: v1, kind: ConfigMap, namespace: prod}
        patchStrategicMerge: {metadata: {labels: {seen: "yes"}}}
"#;
    let ctx = Ctx {
        cluster: Cluster {
            targets: vec![
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "prod"}}),
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b", "namespace": "prod"}}),
            ],
            ..Cluster::default()
        },
        ..Ctx::default()
    };
    let plain = evaluate(&engine(policy, ""), &web_pod(), &ctx);
    assert_eq!(plain.rules().count(), 2, "one response per target");
    let polex = exception(
        "allow",
        "label-configmaps",
        "[r]",
        "  match: {any: [{resources: {kinds: [Pod]}}]}\n",
    );
    let evaluation = evaluate(&engine(policy, &polex), &web_pod(), &ctx);
    let all: Vec<_> = evaluation.rules().map(|(_, r)| outcome(r)).collect();
    assert_eq!(
        all,
        [(
            RuleStatus::Skip,
            "rule is skipped due to policy exceptionsallow".to_string(),
            vec!["allow".to_string()]
        )]
    );
}

#[test]
fn exceptions_are_checked_after_context_and_preconditions() {
    let policy = |extra: &str| {
        format!(
            "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {{name: p}}\nspec:\n  rules:\n    - name: r\n      match: {{any: [{{resources: {{kinds: [Pod]}}}}]}}\n{extra}      validate: {{pattern: {{metadata: {{labels: {{team: '?*'}}}}}}}}\n"
        )
    };
    let polex = exception(
        "allow",
        "p",
        "[r]",
        "  match: {any: [{resources: {kinds: [Pod]}}]}\n",
    );
    let cases = [
        (
            "      preconditions: {all: [{key: a, operator: Equals, value: b}]}\n",
            RuleStatus::Skip,
            "preconditions not met",
        ),
        (
            "      context: [{name: x, variable: {jmesPath: 'request.object.nope.nope'}}]\n",
            RuleStatus::Error,
            "failed to load context: failed to apply jmespath request.object.nope.nope to variable: Unknown key \"nope\" in path",
        ),
        (
            "      preconditions: {all: [{key: a, operator: Equals, value: a}]}\n",
            RuleStatus::Skip,
            "rule is skipped due to policy exceptionsallow",
        ),
    ];
    for (extra, status, message) in cases {
        let evaluation = evaluate(&engine(&policy(extra), &polex), &web_pod(), &Ctx::default());
        let r = response(&evaluation, "p", "r");
        assert_eq!((r.status, r.message.as_str()), (status, message), "{extra}");
        let exempted = message.starts_with("rule is skipped due to policy exceptions");
        assert_eq!(r.exceptions.is_empty(), !exempted, "{extra}");
    }
}

#[test]
fn a_rule_that_does_not_match_gives_no_response() {
    let polex = allow_team("{any: [{resources: {kinds: [Service]}}]}");
    let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "prod"}});
    let evaluation = evaluate(&engine(POLICIES, &polex), &service, &Ctx::default());
    assert_eq!(evaluation.rules().count(), 0);
}

#[test]
fn reports_list_the_exceptions() {
    let polex = allow_team("{any: [{resources: {kinds: [Pod]}}]}")
        + "---\n"
        + &exception(
            "second",
            "require-team",
            "[team]",
            "  match: {any: [{resources: {kinds: [Pod]}}]}\n",
        )
        .replace("  name: second\n", "  name: second\n  namespace: ops\n");
    let evaluation = evaluate(&engine(POLICIES, &polex), &web_pod(), &Ctx::default());
    let clock = FixedClock::from_rfc3339("2026-01-01T00:00:00Z").expect("a time");
    let reports = policy_reports(
        &[evaluation],
        &ReportOptions {
            audit_warn: false,
            clock: &clock,
        },
    );
    let results = reports[0]["results"].as_array().expect("results");
    let team = results
        .iter()
        .find(|r| r["policy"] == "require-team")
        .expect("a result of require-team");
    assert_eq!(team["result"], "skip");
    assert_eq!(team["properties"]["exceptions"], "allow,second");
    let other = results
        .iter()
        .find(|r| r["policy"] == "pods-need-team")
        .expect("a result of pods-need-team");
    assert!(other["properties"].get("exceptions").is_none());
}

// ---------------------------------------------------------------------------------------------
// podSecurity

const RESTRICTED: &str = r#"
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: psa}
spec:
  validationFailureAction: Enforce
  rules:
    - name: restricted
      match: {any: [{resources: {kinds: [Pod]}}]}
      validate:
        podSecurity: {level: restricted, version: latest}
"#;

/// A Pod that passes restricted, changed by `edit`.
fn restricted_pod(edit: impl FnOnce(&mut Value)) -> Value {
    let mut pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "agent", "namespace": "prod"},
        "spec": {
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{
                "name": "agent", "image": "ghcr.io/example/agent:1.2",
                "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
            }]
        }
    });
    edit(&mut pod);
    pod
}

fn add_capabilities(pod: &mut Value, container: usize, caps: &[&str]) {
    pod["spec"]["containers"][container]["securityContext"]["capabilities"]["add"] = json!(caps);
}

/// A PolicyException `name` for rule `restricted` of `psa` with `podSecurity` entries (flow YAML
/// list, or nothing).
fn pss_exception(name: &str, pod_security: Option<&str>) -> String {
    let controls = pod_security
        .map(|p| format!("  podSecurity: {p}\n"))
        .unwrap_or_default();
    exception(
        name,
        "psa",
        "[restricted]",
        &format!("  match: {{any: [{{resources: {{kinds: [Pod]}}}}]}}\n{controls}"),
    )
}

/// The outcome of rule `restricted` on `pod` with `exceptions`.
fn restricted(exceptions: &str, pod: &Value) -> (RuleStatus, String, Vec<String>) {
    let evaluation = evaluate(&engine(RESTRICTED, exceptions), pod, &Ctx::default());
    outcome(response(&evaluation, "psa", "restricted"))
}

/// The message of rule `restricted` when the policy itself excludes `exclude` (flow YAML).
fn with_rule_exclusions(exclude: &str, pod: &Value) -> String {
    let policy = RESTRICTED.replace(
        "podSecurity: {level: restricted, version: latest}",
        &format!("podSecurity: {{level: restricted, version: latest, exclude: {exclude}}}"),
    );
    let evaluation = evaluate(&engine(&policy, ""), pod, &Ctx::default());
    response(&evaluation, "psa", "restricted").message.clone()
}

#[test]
fn pod_security_without_controls_skips_the_rule() {
    let pod = restricted_pod(|p| p["spec"]["hostNetwork"] = json!(true));
    let both = pss_exception("controls", Some("[{controlName: Seccomp}]"))
        + "---\n"
        + &pss_exception("whole", None);
    assert_eq!(
        restricted(&both, &pod),
        (
            RuleStatus::Skip,
            "rule is skipped due to policy exception whole".to_string(),
            vec!["whole".to_string()]
        )
    );
}

#[test]
fn pod_security_control_name_only() {
    let pod = restricted_pod(|p| p["spec"]["hostNetwork"] = json!(true));
    assert_eq!(
        restricted(
            &pss_exception("host", Some("[{controlName: Host Namespaces}]")),
            &pod
        ),
        (
            RuleStatus::Skip,
            "rule is skipped due to policy exceptions host".to_string(),
            vec!["host".to_string()]
        )
    );
    // Another control leaves the failure as it is.
    let (status, message, names) = restricted(
        &pss_exception("other", Some("[{controlName: Sysctls}]")),
        &pod,
    );
    assert_eq!(status, RuleStatus::Fail);
    assert_eq!(
        message,
        "Validation rule 'restricted' failed. It violates PodSecurity \"restricted:latest\": host namespaces (hostNetwork=true)"
    );
    assert!(names.is_empty());
}

#[test]
fn pod_security_images() {
    let exempt = "[{controlName: Capabilities, images: ['ghcr.io/example/agent*']}]";
    let agent = restricted_pod(|p| add_capabilities(p, 0, &["NET_ADMIN"]));
    assert_eq!(
        restricted(&pss_exception("agent", Some(exempt)), &agent).0,
        RuleStatus::Skip
    );
    // A second container with another image keeps the check failing.
    let with_sidecar = restricted_pod(|p| {
        let mut sidecar = p["spec"]["containers"][0].clone();
        sidecar["name"] = json!("sidecar");
        sidecar["image"] = json!("busybox:1.36");
        p["spec"]["containers"]
            .as_array_mut()
            .expect("containers")
            .push(sidecar);
        add_capabilities(p, 0, &["NET_ADMIN"]);
        add_capabilities(p, 1, &["NET_ADMIN"]);
    });
    let (status, message, names) = restricted(&pss_exception("agent", Some(exempt)), &with_sidecar);
    assert_eq!(status, RuleStatus::Fail);
    assert!(names.is_empty());
    assert_eq!(message, with_rule_exclusions(exempt, &with_sidecar));
    assert_eq!(
        message,
        "Validation rule 'restricted' failed. It violates PodSecurity \"restricted:latest\": unrestricted capabilities (containers \"agent\", \"sidecar\" must not include \"NET_ADMIN\" in securityContext.capabilities.add)"
    );
}

#[test]
fn pod_security_restricted_field_and_values() {
    let exempt = "[{controlName: Capabilities, images: ['*'], restrictedField: 'spec.containers[*].securityContext.capabilities.add', values: [NET_ADMIN]}]";
    let net_admin = restricted_pod(|p| add_capabilities(p, 0, &["NET_ADMIN"]));
    assert_eq!(
        restricted(&pss_exception("net-admin", Some(exempt)), &net_admin),
        (
            RuleStatus::Skip,
            "rule is skipped due to policy exceptions net-admin".to_string(),
            vec!["net-admin".to_string()]
        )
    );
    // Every bad value must be allowed.
    let sys_admin = restricted_pod(|p| add_capabilities(p, 0, &["NET_ADMIN", "SYS_ADMIN"]));
    let (status, message, _) = restricted(&pss_exception("net-admin", Some(exempt)), &sys_admin);
    assert_eq!(status, RuleStatus::Fail);
    assert_eq!(message, with_rule_exclusions(exempt, &sys_admin));
    assert_eq!(
        message,
        "Validation rule 'restricted' failed. It violates PodSecurity \"restricted:latest\": unrestricted capabilities (container \"agent\" must not include \"NET_ADMIN\", \"SYS_ADMIN\" in securityContext.capabilities.add)"
    );
}

#[test]
fn pod_security_partial_exemption_and_union() {
    let pod = restricted_pod(|p| {
        p["spec"]["hostNetwork"] = json!(true);
        p["spec"]["securityContext"]
            .as_object_mut()
            .expect("securityContext")
            .remove("runAsNonRoot");
    });
    let host = pss_exception("host", Some("[{controlName: Host Namespaces}]"));
    let (status, message, names) = restricted(&host, &pod);
    assert_eq!(status, RuleStatus::Fail);
    assert!(names.is_empty());
    assert_eq!(
        message,
        "Validation rule 'restricted' failed. It violates PodSecurity \"restricted:latest\": runAsNonRoot != true (pod or container \"agent\" must set securityContext.runAsNonRoot=true)"
    );
    assert_eq!(
        message,
        with_rule_exclusions("[{controlName: Host Namespaces}]", &pod)
    );
    // Two exceptions together exempt both controls.
    let non_root = pss_exception("non-root", Some("[{controlName: Running as Non-root}]"));
    assert_eq!(
        restricted(&format!("{host}---\n{non_root}"), &pod),
        (
            RuleStatus::Skip,
            "rule is skipped due to policy exceptions host, non-root".to_string(),
            vec!["host".to_string(), "non-root".to_string()]
        )
    );
}

#[test]
fn pod_security_passing_pods_pass() {
    let pod = restricted_pod(|_| {});
    assert_eq!(
        restricted(
            &pss_exception("host", Some("[{controlName: Host Namespaces}]")),
            &pod
        ),
        (
            RuleStatus::Pass,
            "Validation rule 'restricted' passed.".to_string(),
            vec![]
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Loading

/// The diagnostics of loading `POLICIES` and an exception text, rendered without colour.
fn diagnose(exception: &str) -> String {
    let mut loader = Loader::new();
    loader.add_text("policies.yaml", POLICIES);
    loader.add_text("polex.yaml", exception);
    loader.render_diagnostics(false)
}

/// A valid exception with `spec` replaced by the given lines.
fn with_spec(spec: &str) -> String {
    format!(
        "apiVersion: kyverno.io/v2\nkind: PolicyException\nmetadata:\n  name: allow\nspec:\n{spec}"
    )
}

const TARGET: &str = "  exceptions:\n  - policyName: require-team\n    ruleNames: [team]\n";
const MATCH: &str = "  match:\n    any:\n    - resources:\n        kinds: [Pod]\n";

#[test]
fn a_valid_exception_has_no_diagnostics() {
    for api in ["kyverno.io/v2", "kyverno.io/v2beta1"] {
        let text = with_spec(&format!("{TARGET}{MATCH}")).replace("kyverno.io/v2", api);
        assert_eq!(diagnose(&text), "", "{api}");
    }
}

#[test]
fn unknown_field_with_suggestion() {
    insta::assert_snapshot!(diagnose(&with_spec(&format!(
        "{TARGET}{MATCH}  podSecurty: []\n"
    ))));
}

#[test]
fn legacy_match_form_is_not_a_field() {
    insta::assert_snapshot!(diagnose(&with_spec(&format!(
        "{TARGET}  match:\n    resources:\n      kinds: [Pod]\n"
    ))));
}

#[test]
fn wrong_types() {
    insta::assert_snapshot!(diagnose(&with_spec(&format!(
        "  background: [true]\n{TARGET}{MATCH}  conditions:\n  - key: a\n    operator: Equals\n    value: a\n"
    ))));
}

#[test]
fn missing_required_fields() {
    insta::assert_snapshot!(diagnose(&with_spec(
        "  exceptions:\n  - ruleNames: [team]\n  - policyName: ''\n    ruleNames: [team]\n"
    )));
}

#[test]
fn invalid_api_version_and_control_name() {
    let text = with_spec(&format!(
        "{TARGET}{MATCH}  podSecurity:\n  - controlName: Capabilites\n    images: ['*']\n"
    ))
    .replace("kyverno.io/v2", "kyverno.io/v1");
    insta::assert_snapshot!(diagnose(&text));
}

#[test]
fn invalid_pod_security_entries() {
    insta::assert_snapshot!(diagnose(&with_spec(&format!(
        "{TARGET}{MATCH}  podSecurity:\n  - controlName: Capabilities\n  - controlName: Host Namespaces\n    images: [nginx]\n  - controlName: Seccomp\n    values: [Unconfined]\n"
    ))));
}

#[test]
fn background_forbids_user_information() {
    let user_match = "  match:\n    any:\n    - resources:\n        kinds: [Pod]\n      subjects:\n      - kind: User\n        name: alice\n      clusterRoles: [admin]\n";
    insta::assert_snapshot!(diagnose(&with_spec(&format!("{TARGET}{user_match}"))));
    let explicit = diagnose(&with_spec(&format!(
        "  background: true\n{TARGET}{user_match}"
    )));
    assert_eq!(
        explicit.matches("Usage of user info is forbidden").count(),
        2,
        "{explicit}"
    );
    assert_eq!(
        diagnose(&with_spec(&format!(
            "  background: false\n{TARGET}{user_match}"
        ))),
        ""
    );
}

#[test]
fn invalid_conditions() {
    insta::assert_snapshot!(diagnose(&with_spec(&format!(
        "{TARGET}{MATCH}  conditions:\n    any:\n    - key: a\n      operator: Equls\n      value: a\n"
    ))));
}

#[test]
fn names_of_missing_policies_and_rules_are_warnings() {
    insta::assert_snapshot!(diagnose(&with_spec(&format!(
        "  exceptions:\n  - policyName: require-tema\n    ruleNames: [team]\n  - policyName: require-team\n    ruleNames: [teams, 't*']\n  - policyName: require-owner\n    ruleNames: [owner]\n{MATCH}"
    ))));
}

#[test]
fn reference_warnings_follow_what_is_loaded() {
    let mut loader = Loader::new();
    loader.add_text("polex.yaml", with_spec(&format!("{TARGET}{MATCH}")));
    assert!(
        loader
            .render_diagnostics(false)
            .contains("no policy `require-team` is loaded")
    );
    loader.add_text("policies.yaml", POLICIES);
    assert_eq!(loader.render_diagnostics(false), "");
    assert!(!loader.has_errors());
    assert_eq!(
        loader
            .engine()
            .exceptions()
            .map(|e| e.key())
            .collect::<Vec<_>>(),
        ["allow"]
    );
}

#[test]
fn empty_match_is_a_warning() {
    insta::assert_snapshot!(diagnose(&with_spec(&format!(
        "{TARGET}  match: {{any: [{{}}]}}\n"
    ))));
    let text = diagnose(&with_spec(&format!("{TARGET}  match: {{}}\n")));
    assert!(
        text.contains("warning: this exception's match is empty: it never applies"),
        "{text}"
    );
}

#[test]
fn documents_of_the_wrong_kind_are_warnings() {
    let polex = with_spec(&format!("{TARGET}{MATCH}"));
    let mut policies_only = Loader::new();
    let dir = std::env::temp_dir().join(format!("rampart-polex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let policy_file = dir.join("policies.yaml");
    let polex_file = dir.join("polex.yaml");
    std::fs::write(&policy_file, POLICIES).expect("write");
    std::fs::write(&polex_file, &polex).expect("write");
    let paths = |p: &std::path::Path| vec![p.display().to_string()];
    policies_only
        .add_paths_of(
            &[paths(&policy_file), paths(&polex_file)].concat(),
            Documents::Policies,
        )
        .expect("readable");
    let text = policies_only.render_diagnostics(false);
    assert!(
        text.contains("warning: a `PolicyException` where only policies are read; ignored"),
        "{text}"
    );
    assert_eq!(policies_only.engine().exceptions().count(), 0);
    assert_eq!(policies_only.engine().policies().count(), 3);
    let mut exceptions_only = Loader::new();
    exceptions_only
        .add_paths_of(
            &[paths(&policy_file), paths(&polex_file)].concat(),
            Documents::Exceptions,
        )
        .expect("readable");
    let text = exceptions_only.render_diagnostics(false);
    assert_eq!(
        text.matches("where only policy exceptions are read; ignored")
            .count(),
        3,
        "{text}"
    );
    assert_eq!(exceptions_only.engine().exceptions().count(), 1);
    assert_eq!(exceptions_only.engine().policies().count(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_exceptions_are_listed_and_not_used() {
    let mut loader = Loader::new();
    loader.add_text("policies.yaml", POLICIES);
    loader.add_text(
        "polex.yaml",
        with_spec(&format!("{TARGET}{MATCH}  backgroud: false\n")),
    );
    assert!(loader.has_errors());
    assert_eq!(loader.invalid_exceptions().len(), 1);
    assert_eq!(loader.invalid_exceptions()[0].name, "allow");
    assert_eq!(
        loader.invalid_exceptions()[0].reason,
        "unknown field `backgroud` in spec"
    );
    assert!(loader.invalid().is_empty());
    assert_eq!(loader.engine().exceptions().count(), 0);
}

#[test]
fn exceptions_among_resources() {
    let dir = std::env::temp_dir().join(format!("rampart-polex-resources-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join("resources.yaml");
    let text = format!(
        "{}\n---\n{}",
        serde_json::to_string(&web_pod()).expect("json"),
        allow_team("{any: [{resources: {kinds: [Pod]}}]}")
    );
    std::fs::write(&file, text).expect("write");
    let mut loader = Loader::new();
    loader.add_text("policies.yaml", POLICIES);
    let (resources, diagnostics) = loader
        .read_resources_with_exceptions(&[file.display().to_string()])
        .expect("readable");
    assert!(diagnostics.is_empty());
    assert_eq!(resources, [web_pod()]);
    let engine = loader.engine();
    assert_eq!(
        engine.exceptions().map(|e| e.key()).collect::<Vec<_>>(),
        ["allow"]
    );
    let evaluation = evaluate(&engine, &resources[0], &Ctx::default());
    assert_eq!(
        response(&evaluation, "require-team", "team").status,
        RuleStatus::Skip
    );
    let _ = std::fs::remove_dir_all(&dir);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_exception_text_never_panics(text in "[a-zA-Z:{}\\[\\], \\n*/-]{0,160}") {
        let mut loader = Loader::new();
        loader.add_text("policies.yaml", POLICIES);
        loader.add_text("polex.yaml", format!("apiVersion: kyverno.io/v2\nkind: PolicyException\n{text}"));
        let engine = loader.engine();
        let _ = evaluate(&engine, &web_pod(), &Ctx::default());
    }

    #[test]
    fn arbitrary_match_never_panics(kind in "[A-Za-z*?/.]{0,12}", name in "[a-z*?-]{0,8}", namespace in "[a-z*?]{0,6}") {
        let polex = allow_team(&format!(
            "{{any: [{{resources: {{kinds: ['{kind}'], names: ['{name}'], namespaces: ['{namespace}'], namespaceSelector: {{matchLabels: {{'{name}': '{namespace}'}}}}}}}}]}}"
        ));
        let mut loader = Loader::new();
        loader.add_text("policies.yaml", POLICIES);
        loader.add_text("polex.yaml", polex);
        let _ = evaluate(&loader.engine(), &web_pod(), &Ctx::default());
    }
}
