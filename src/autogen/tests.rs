//! Autogen as Kyverno computes it (`pkg/autogen/v1`): which rules are generated, their names,
//! kinds and wrapped patterns, and when autogen is off.

use super::*;
use crate::ir::{Body, Check, RuleOrigin};
use crate::load::Loader;

fn policy(annotations: &str, resources: &str) -> String {
    format!(
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: p\n{annotations}spec:\n  rules:\n  - name: check-labels\n    match:\n      any:\n      - resources:\n{resources}    validate:\n      message: \"{{{{ request.object.metadata.name }}}} needs app\"\n      pattern:\n        metadata:\n          labels:\n            app: \"?*\"\n"
    )
}

const POD: &str = "          kinds: [Pod]\n";

/// (rule name, origin, kinds of the first filter) for every rule after autogen.
fn rules(text: &str) -> Vec<(String, RuleOrigin, Vec<String>)> {
    let mut loader = Loader::new();
    loader.add_text("p.yaml", text);
    assert!(
        loader.diagnostics().is_empty(),
        "{:?}",
        loader.diagnostics()
    );
    loader
        .ir()
        .first()
        .map(|p| {
            p.rules
                .iter()
                .map(|r| {
                    let kinds = r
                        .match_
                        .filters
                        .first()
                        .map(|f| f.kinds.clone())
                        .unwrap_or_default();
                    (r.name.clone(), r.origin, kinds)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn default_controllers() {
    let got = rules(&policy("", POD));
    let names: Vec<&str> = got.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "check-labels",
            "autogen-check-labels",
            "autogen-cronjob-check-labels"
        ]
    );
    assert_eq!(
        got[1].2,
        [
            "apps/v1/DaemonSet",
            "apps/v1/Deployment",
            "batch/v1/Job",
            "apps/v1/ReplicaSet",
            "v1/ReplicationController",
            "apps/v1/StatefulSet"
        ]
    );
    assert_eq!(got[2].2, ["batch/v1/CronJob"]);
    assert_eq!(
        (got[1].1, got[2].1),
        (RuleOrigin::Autogen, RuleOrigin::AutogenCronJob)
    );
}

#[test]
fn annotation_selects_controllers() {
    let ann =
        "  annotations:\n    pod-policies.kyverno.io/autogen-controllers: Deployment,CronJob\n";
    let got = rules(&policy(ann, POD));
    assert_eq!(got.len(), 3);
    assert_eq!(got[1].2, ["apps/v1/Deployment"]);
    let only_cron = "  annotations:\n    pod-policies.kyverno.io/autogen-controllers: CronJob\n";
    let names: Vec<String> = rules(&policy(only_cron, POD))
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(names, ["check-labels", "autogen-cronjob-check-labels"]);
    let none = "  annotations:\n    pod-policies.kyverno.io/autogen-controllers: none\n";
    assert_eq!(rules(&policy(none, POD)).len(), 1);
}

#[test]
fn disabled_by_names_selectors_and_mixed_kinds() {
    for resources in [
        "          kinds: [Pod]\n          names: [web-*]\n",
        "          kinds: [Pod]\n          selector:\n            matchLabels:\n              app: web\n",
        "          kinds: [Pod, Service]\n",
        "          kinds: [Service]\n",
    ] {
        assert_eq!(rules(&policy("", resources)).len(), 1, "{resources}");
    }
}

#[test]
fn patterns_are_wrapped_and_variables_rewritten() {
    let mut loader = Loader::new();
    loader.add_text("p.yaml", policy("", POD));
    let policy = loader.ir().first().expect("one policy");
    let pattern_and_message = |i: usize| match &policy.rules[i].body {
        Body::Validate(v) => match &v.check {
            Check::Pattern(p) => (p.to_json(), v.message.clone().unwrap_or_default()),
            _ => panic!("not a pattern"),
        },
        _ => panic!("not validate"),
    };
    let (pattern, message) = pattern_and_message(1);
    assert_eq!(
        pattern,
        serde_json::json!({"spec": {"template": {"metadata": {"labels": {"app": "?*"}}}}})
    );
    assert_eq!(
        message,
        "{{ request.object.spec.template.metadata.name }} needs app"
    );
    let (pattern, message) = pattern_and_message(2);
    assert_eq!(
        pattern,
        serde_json::json!({"spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "?*"}}}}}}})
    );
    assert_eq!(
        message,
        "{{ request.object.spec.jobTemplate.spec.template.metadata.name }} needs app"
    );
}

#[test]
fn long_names_are_cut_to_63_bytes() {
    let long = "a".repeat(60);
    let text = policy("", POD).replace("check-labels", &long);
    let got = rules(&text);
    assert_eq!(got[1].0, format!("autogen-{}", &long[..55]));
    assert_eq!(got[2].0.len(), 63);
}

#[test]
fn names_are_cut_to_63_bytes() {
    let long = "x".repeat(70);
    assert_eq!(autogen_name("autogen", &long).len(), 63);
    assert_eq!(autogen_name("autogen", "check"), "autogen-check");
    assert_eq!(
        autogen_name("autogen-cronjob", "check"),
        "autogen-cronjob-check"
    );
}

#[test]
fn selector_kinds() {
    assert_eq!(selector_kind("Pod"), "Pod");
    assert_eq!(selector_kind("v1/Pod"), "Pod");
    assert_eq!(selector_kind("apps/v1/Deployment"), "Deployment");
    assert_eq!(selector_kind("Pod/exec"), "Pod");
    assert_eq!(selector_kind("Pod.status"), "Pod");
    assert_eq!(selector_kind("v1/Pod/exec"), "Pod");
}

#[test]
fn foreach_mutations_lose_order_and_keep_nested_entries_wrapped() {
    let text = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: p\nspec:\n  rules:\n  - name: m\n    match:\n      any:\n      - resources:\n          kinds: [Pod]\n    mutate:\n      foreach:\n      - list: request.object.spec.containers\n        order: Ascending\n        patchStrategicMerge:\n          metadata:\n            labels:\n              seen: \"yes\"\n      - list: request.object.spec.containers\n        order: Descending\n        foreach:\n        - list: element.ports\n          order: Ascending\n          patchStrategicMerge:\n            spec:\n              hostNetwork: false\n";
    let mut loader = Loader::new();
    loader.add_text("p.yaml", text);
    assert!(
        loader.diagnostics().is_empty(),
        "{:?}",
        loader.diagnostics()
    );
    let policy = loader.ir().first().expect("one policy");
    let Body::Mutate(node) = &policy.rules[1].body else {
        panic!("not mutate");
    };
    assert_eq!(
        node.to_json(),
        serde_json::json!({"foreach": [{
            "list": "request.object.spec.template.spec.containers",
            "patchStrategicMerge": {"spec": {"template": {"metadata": {"labels": {"seen": "yes"}}}}}
        }, {
            "list": "request.object.spec.template.spec.containers",
            "foreach": [{
                "list": "element.ports",
                "order": "Ascending",
                "patchStrategicMerge": {"spec": {"template": {"spec": {"hostNetwork": false}}}}
            }]
        }]})
    );
}
