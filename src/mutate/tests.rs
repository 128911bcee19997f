//! `strategic_merge` end to end: the anchor pre-pass and the merge together, as a Kyverno
//! `patchStrategicMerge` rule applies them.

use serde_json::{Value, json};

use super::*;

/// One rule: what it shows, the resource, the patch, and the patched resource.
type Case = (&'static str, Value, Value, Value);

fn check(cases: Vec<Case>) {
    for (what, resource, patch, want) in cases {
        assert_eq!(strategic_merge(&resource, patch), Ok(want), "{what}");
    }
}

fn pod(metadata: Value, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec})
}

fn containers(list: Value) -> Value {
    pod(json!({"name": "p"}), json!({"containers": list}))
}

#[test]
fn anchors_then_merge() {
    check(vec![
        (
            "a condition on image patches the matching container, which keeps its place",
            containers(
                json!([{"name": "web", "image": "nginx:1"}, {"name": "db", "image": "postgres:16"}]),
            ),
            json!({"spec": {"containers": [{"(image)": "nginx:*", "imagePullPolicy": "Always"}]}}),
            containers(json!([
                {"name": "web", "image": "nginx:1", "imagePullPolicy": "Always"},
                {"name": "db", "image": "postgres:16"}
            ])),
        ),
        (
            "a wildcard name patches every container and keeps their order",
            containers(json!([{"name": "a"}, {"name": "b"}, {"name": "c"}])),
            json!({"spec": {"containers": [{"(name)": "*", "securityContext": {"+(privileged)": false}}]}}),
            containers(json!([
                {"name": "a", "securityContext": {"privileged": false}},
                {"name": "b", "securityContext": {"privileged": false}},
                {"name": "c", "securityContext": {"privileged": false}}
            ])),
        ),
        (
            "several anchored elements each patch their containers",
            containers(
                json!([{"name": "web", "image": "nginx:1"}, {"name": "proxy", "image": "envoy:1"}]),
            ),
            json!({"spec": {"containers": [
                {"(name)": "web", "image": "nginx:2"},
                {"(name)": "proxy", "image": "envoy:2"}
            ]}}),
            containers(
                json!([{"name": "web", "image": "nginx:2"}, {"name": "proxy", "image": "envoy:2"}]),
            ),
        ),
        (
            "add-if-not-present keeps existing annotations' values",
            pod(
                json!({"name": "p", "annotations": {"keep": "1"}}),
                json!({}),
            ),
            json!({"metadata": {"annotations": {"+(keep)": "2", "+(new)": "3"}}}),
            pod(
                json!({"name": "p", "annotations": {"keep": "1", "new": "3"}}),
                json!({}),
            ),
        ),
        (
            "a Deployment's container env merges by name under a name condition",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": {
                "containers": [{"name": "app", "env": [{"name": "LOG", "value": "info"}]}, {"name": "other"}]
            }}}}),
            json!({"spec": {"template": {"spec": {"containers": [
                {"(name)": "app", "env": [{"name": "LOG", "value": "debug"}, {"name": "TZ", "value": "UTC"}]}
            ]}}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": {
                "containers": [
                    {"name": "app", "env": [{"name": "LOG", "value": "debug"}, {"name": "TZ", "value": "UTC"}]},
                    {"name": "other"}
                ]
            }}}}),
        ),
        (
            "an emptyDir: {} in the patch is lost in the pre-pass (as in Kyverno)",
            pod(
                json!({"name": "p"}),
                json!({"volumes": [{"name": "data", "emptyDir": {}}]}),
            ),
            json!({"spec": {"volumes": [{"name": "cache", "emptyDir": {}}]}}),
            pod(
                json!({"name": "p"}),
                json!({"volumes": [{"name": "cache"}, {"name": "data", "emptyDir": {}}]}),
            ),
        ),
        (
            "$patch and null pass the pre-pass untouched",
            pod(
                json!({"name": "p", "labels": {"drop": "me", "keep": "me"}}),
                json!({"containers": [{"name": "old"}]}),
            ),
            json!({
                "metadata": {"labels": {"drop": null}},
                "spec": {"$patch": "replace", "containers": [{"name": "new"}]}
            }),
            pod(
                json!({"name": "p", "labels": {"keep": "me"}}),
                json!({"containers": [{"name": "new"}]}),
            ),
        ),
    ]);
}

#[test]
fn a_failed_condition_leaves_the_resource_as_it_was() {
    let resource = || {
        pod(
            json!({"name": "p", "creationTimestamp": null, "labels": {"env": "dev"}}),
            json!({"containers": [{"name": "app", "image": "app:1"}]}),
        )
    };
    check(vec![
        (
            "a condition on a map",
            resource(),
            json!({"metadata": {"labels": {"(env)": "prod", "tier": "gold"}}}),
            resource(),
        ),
        (
            "a global condition in a list the resource lacks: nothing else is added either",
            resource(),
            json!({
                "metadata": {"annotations": {"+(audit)": "yes"}},
                "spec": {"volumes": [{"<(hostPath)": {"path": "*"}}]}
            }),
            resource(),
        ),
    ]);
}

#[test]
fn errors_name_their_stage() {
    let cases = vec![
        (
            "the pre-pass cannot walk the patch",
            json!({"spec": {"containers": {"app": {}}}}),
            json!({"spec": {"containers": [{"(name)": "*", "tty": true}]}}),
            "failed to preProcess rule: wrong node kind: expected SequenceNode but got MappingNode",
        ),
        (
            "the merge meets values of different kinds",
            containers(json!([{"name": "app"}])),
            json!({"spec": "none"}),
            "wrong node kind: expected MappingNode but got ScalarNode",
        ),
        (
            "the patch deletes the resource",
            containers(json!([{"name": "app"}])),
            json!({"$patch": "delete"}),
            "the patch deletes the whole resource ($patch: delete at the top)",
        ),
    ];
    for (what, resource, patch, want) in cases {
        match strategic_merge(&resource, patch) {
            Err(PatchError(text)) => assert!(text.starts_with(want), "{what}: {text}"),
            Ok(v) => panic!("{what}: want an error, got {v}"),
        }
    }
}
