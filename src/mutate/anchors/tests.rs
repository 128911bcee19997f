//! Kyverno's anchor pre-pass (`strategicPreprocessing`), restated as tables: add-if-not-present,
//! conditions and global conditions on maps and in lists of maps, the clean-up that follows,
//! and the shapes it rejects.

use serde_json::{Value, json};

use super::*;

/// One pre-pass: what it shows, the resource, the patch, and the patch it leaves.
type Case = (&'static str, Value, Value, Value);

fn run(resource: &Value, mut patch: Value) -> Result<Value, PrepError> {
    preprocess(&mut patch, resource).map(|()| patch)
}

fn check(cases: Vec<Case>) {
    for (what, resource, patch, want) in cases {
        assert_eq!(run(&resource, patch), Ok(want), "{what}");
    }
}

/// Which error: `condition`, `global` or `invalid`, and the start of its text.
fn check_errors(cases: Vec<(&str, Value, Value, &str, &str)>) {
    for (what, resource, patch, kind, text) in cases {
        let (got_kind, got_text) = match run(&resource, patch) {
            Err(PrepError::Condition(t)) => ("condition", t),
            Err(PrepError::Global(t)) => ("global", t),
            Err(PrepError::Invalid(t)) => ("invalid", t),
            Ok(p) => panic!("{what}: want an error, got the patch {p}"),
        };
        assert_eq!(got_kind, kind, "{what}: {got_text}");
        assert!(
            got_text.starts_with(text),
            "{what}: got {got_text:?}, want {text:?}…"
        );
    }
}

/// A `v1` Pod named `p` with these metadata fields besides the name, and this spec.
fn pod(metadata: Value, spec: Value) -> Value {
    let mut meta = json!({"name": "p"});
    if let (Some(m), Value::Object(extra)) = (meta.as_object_mut(), metadata) {
        m.extend(extra);
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
}

fn containers(list: Value) -> Value {
    pod(json!({}), json!({"containers": list}))
}

#[test]
fn add_if_not_present_adds_only_missing_fields() {
    check(vec![
        (
            "a missing label is added under its plain name",
            pod(json!({"labels": {"app": "web"}}), json!({})),
            json!({"metadata": {"labels": {"+(team)": "core"}}}),
            json!({"metadata": {"labels": {"team": "core"}}}),
        ),
        (
            "a present label is left out, and so are the maps it empties",
            pod(json!({"labels": {"team": "ops"}}), json!({})),
            json!({"metadata": {"labels": {"+(team)": "core"}}}),
            json!({}),
        ),
        (
            "presence counts, not the value; plain fields stay",
            pod(json!({"annotations": {"a": "1"}}), json!({})),
            json!({"metadata": {"annotations": {"+(a)": "x", "+(b)": "y", "c": "z"}}}),
            json!({"metadata": {"annotations": {"b": "y", "c": "z"}}}),
        ),
        (
            "a missing map is added whole",
            containers(json!([{"name": "app"}])),
            json!({"spec": {"+(securityContext)": {"runAsNonRoot": true}}}),
            json!({"spec": {"securityContext": {"runAsNonRoot": true}}}),
        ),
        (
            "a present map is left out, whatever it holds",
            pod(json!({}), json!({"securityContext": {"runAsUser": 0}})),
            json!({"spec": {"+(securityContext)": {"runAsNonRoot": true}}}),
            json!({}),
        ),
        (
            "under a map the resource lacks, every field is missing",
            pod(json!({}), json!({})),
            json!({"metadata": {"annotations": {"+(note)": "hi"}}}),
            json!({"metadata": {"annotations": {"note": "hi"}}}),
        ),
        (
            "at the top level too",
            pod(json!({}), json!({})),
            json!({"+(spec)": {"x": 1}, "+(status)": {"phase": "Pending"}}),
            json!({"status": {"phase": "Pending"}}),
        ),
    ]);
}

#[test]
fn conditions_on_maps_gate_the_patch() {
    check(vec![
        (
            "a condition that holds is removed; its siblings stay",
            pod(json!({}), json!({"hostNetwork": true})),
            json!({"spec": {"(hostNetwork)": true, "dnsPolicy": "ClusterFirstWithHostNet"}}),
            json!({"spec": {"dnsPolicy": "ClusterFirstWithHostNet"}}),
        ),
        (
            "scalars compare as text: a number or a boolean equals its spelling",
            json!({"kind": "Deployment", "spec": {"replicas": 3, "paused": "false"}}),
            json!({"spec": {"(replicas)": "3", "(paused)": false, "minReadySeconds": 5}}),
            json!({"spec": {"minReadySeconds": 5}}),
        ),
        (
            "wildcards as in validate patterns",
            pod(json!({"labels": {"app": "web-frontend"}}), json!({})),
            json!({"metadata": {"labels": {"(app)": "web-*", "tier": "frontend"}}}),
            json!({"metadata": {"labels": {"tier": "frontend"}}}),
        ),
        (
            "operators as in validate patterns",
            json!({"kind": "Deployment", "spec": {"replicas": 2}}),
            json!({"spec": {"(replicas)": "<3", "strategy": {"type": "Recreate"}}}),
            json!({"spec": {"strategy": {"type": "Recreate"}}}),
        ),
        (
            "a map condition that holds stays as a plain field",
            pod(
                json!({}),
                json!({"securityContext": {"runAsUser": 1000, "fsGroup": 2000}}),
            ),
            json!({"spec": {"(securityContext)": {"runAsUser": 1000}, "priority": 5}}),
            json!({"spec": {"securityContext": {"runAsUser": 1000}, "priority": 5}}),
        ),
        (
            "a condition whose value adds a field holds without being compared",
            pod(json!({}), json!({"securityContext": {"runAsUser": 1}})),
            json!({"spec": {"(securityContext)": {"+(runAsNonRoot)": true, "runAsUser": 999}}}),
            json!({"spec": {"securityContext": {"runAsNonRoot": true, "runAsUser": 999}}}),
        ),
        (
            "a top-level condition whose value survives keeps its parentheses (as Kyverno leaves it)",
            pod(json!({"labels": {"app": "web"}}), json!({})),
            json!({"(metadata)": {"labels": {"app": "web"}}, "spec": {"priority": 1}}),
            json!({"(metadata)": {"labels": {"app": "web"}}, "spec": {"priority": 1}}),
        ),
        (
            "a top-level condition on a scalar goes",
            pod(json!({}), json!({})),
            json!({"(kind)": "Pod", "metadata": {"labels": {"seen": "yes"}}}),
            json!({"metadata": {"labels": {"seen": "yes"}}}),
        ),
        (
            "validate-only anchors are ordinary keys here",
            pod(json!({"labels": {"a": "b"}}), json!({})),
            json!({"metadata": {"=(labels)": {"a": "b"}, "X(annotations)": null}}),
            json!({"metadata": {"=(labels)": {"a": "b"}, "X(annotations)": null}}),
        ),
        (
            "clean-up: empty maps go (emptyDir too), nulls and empty lists stay",
            pod(json!({}), json!({})),
            json!({
                "metadata": {"annotations": {"old": null}},
                "spec": {
                    "nodeSelector": {},
                    "tolerations": [],
                    "volumes": [{"name": "scratch", "emptyDir": {}}]
                }
            }),
            json!({
                "metadata": {"annotations": {"old": null}},
                "spec": {"tolerations": [], "volumes": [{"name": "scratch"}]}
            }),
        ),
    ]);
}

#[test]
fn failed_conditions_stop_the_prepass() {
    let host_network = |on: bool| pod(json!({}), json!({"hostNetwork": on}));
    let patch = || json!({"spec": {"(hostNetwork)": true, "dnsPolicy": "ClusterFirstWithHostNet"}});
    check_errors(vec![
        (
            "a value that does not match",
            host_network(false),
            patch(),
            "condition",
            "condition failed: ",
        ),
        (
            "a key the resource lacks",
            pod(json!({}), json!({})),
            patch(),
            "condition",
            r#"condition failed: could not found "hostNetwork" key in the resource"#,
        ),
        (
            "a failed operator",
            json!({"kind": "Deployment", "spec": {"replicas": 5}}),
            json!({"spec": {"(replicas)": "<3", "paused": true}}),
            "condition",
            "condition failed: ",
        ),
        (
            "a failed global condition",
            pod(json!({"namespace": "dev"}), json!({})),
            json!({"metadata": {"<(namespace)": "prod", "labels": {"audited": "yes"}}}),
            "global",
            "global condition failed: ",
        ),
        (
            "global conditions are checked before conditions",
            json!({"spec": {"a": "no", "b": "no"}}),
            json!({"spec": {"(a)": "yes", "<(b)": "yes"}}),
            "global",
            "global condition failed: ",
        ),
        (
            "a failed condition deep in plain maps fails the whole patch",
            pod(json!({}), json!({"securityContext": {"runAsUser": 0}})),
            json!({
                "metadata": {"labels": {"x": "y"}},
                "spec": {"securityContext": {"(runAsUser)": ">0", "fsGroup": 1}}
            }),
            "condition",
            "condition failed: ",
        ),
    ]);
}

#[test]
fn anchored_list_elements_are_copied_for_each_resource_element_by_name() {
    let web_and_db = || {
        containers(json!([
            {"name": "web", "image": "nginx:1.25"},
            {"name": "db", "image": "postgres:16"}
        ]))
    };
    check(vec![
        (
            "a wildcard name gives one copy per container, in the resource's order",
            web_and_db(),
            json!({"spec": {"containers": [{"(name)": "*", "imagePullPolicy": "Always"}]}}),
            json!({"spec": {"containers": [
                {"imagePullPolicy": "Always", "name": "web"},
                {"imagePullPolicy": "Always", "name": "db"}
            ]}}),
        ),
        (
            "only the containers the condition holds for get a copy",
            web_and_db(),
            json!({"spec": {"containers": [
                {"(image)": "nginx:*", "resources": {"limits": {"memory": "1Gi"}}}
            ]}}),
            json!({"spec": {"containers": [{"resources": {"limits": {"memory": "1Gi"}}, "name": "web"}]}}),
        ),
        (
            "when it holds for none, the list and the maps it empties go",
            web_and_db(),
            json!({"spec": {"containers": [{"(image)": "redis:*", "tty": true}]}}),
            json!({}),
        ),
        (
            "an element of conditions only adds nothing; plain lists stay",
            web_and_db(),
            json!({"spec": {"containers": [{"(name)": "*"}], "imagePullSecrets": [{"name": "pull"}]}}),
            json!({"spec": {"imagePullSecrets": [{"name": "pull"}]}}),
        ),
        (
            "plain elements stay in place; the copies are appended",
            web_and_db(),
            json!({"spec": {"containers": [
                {"name": "extra", "image": "extra:1"},
                {"(name)": "web", "securityContext": {"privileged": false}}
            ]}}),
            json!({"spec": {"containers": [
                {"name": "extra", "image": "extra:1"},
                {"securityContext": {"privileged": false}, "name": "web"}
            ]}}),
        ),
        (
            "a resource element without a name gets no copy",
            containers(json!([{"image": "nginx"}])),
            json!({"spec": {"containers": [{"(image)": "*", "tty": true}]}}),
            json!({}),
        ),
        (
            "the copy takes the resource element's name, not the pattern's",
            containers(json!([{"name": "real", "image": "i"}])),
            json!({"spec": {"containers": [{"(image)": "*", "name": "ignored", "tty": true}]}}),
            json!({"spec": {"containers": [{"name": "real", "tty": true}]}}),
        ),
        (
            "a map condition that holds stays in the copy as a plain field",
            containers(
                json!([{"name": "a", "securityContext": {"privileged": true}}, {"name": "b"}]),
            ),
            json!({"spec": {"containers": [
                {"(securityContext)": {"privileged": true}, "image": "quarantine:1"}
            ]}}),
            json!({"spec": {"containers": [
                {"securityContext": {"privileged": true}, "image": "quarantine:1", "name": "a"}
            ]}}),
        ),
        (
            "add-if-not-present inside a wildcard element",
            containers(json!([{"name": "a"}, {"name": "b"}])),
            json!({"spec": {"containers": [{"(name)": "*", "securityContext": {"+(runAsNonRoot)": true}}]}}),
            json!({"spec": {"containers": [
                {"securityContext": {"runAsNonRoot": true}, "name": "a"},
                {"securityContext": {"runAsNonRoot": true}, "name": "b"}
            ]}}),
        ),
        (
            "an element with add-if-not-present and no condition is copied for every named element",
            containers(json!([{"name": "a"}, {"name": "b"}])),
            json!({"spec": {"containers": [{"securityContext": {"+(privileged)": false}}]}}),
            json!({"spec": {"containers": [
                {"securityContext": {"privileged": false}, "name": "a"},
                {"securityContext": {"privileged": false}, "name": "b"}
            ]}}),
        ),
        (
            "one copy of the element serves every resource element: a field dropped because the \
             first has it is gone for the second too (Kyverno's behaviour)",
            containers(
                json!([{"name": "a", "resources": {"limits": {"cpu": "1"}}}, {"name": "b"}]),
            ),
            json!({"spec": {"containers": [{"(name)": "*", "resources": {"limits": {"+(cpu)": "500m"}}}]}}),
            json!({}),
        ),
        (
            "and a field added for the first is set on the second even though it has it",
            containers(
                json!([{"name": "b"}, {"name": "a", "resources": {"limits": {"cpu": "1"}}}]),
            ),
            json!({"spec": {"containers": [{"(name)": "*", "resources": {"limits": {"+(cpu)": "500m"}}}]}}),
            json!({"spec": {"containers": [
                {"resources": {"limits": {"cpu": "500m"}}, "name": "b"},
                {"resources": {"limits": {"cpu": "500m"}}, "name": "a"}
            ]}}),
        ),
        (
            "a conditional element against a list the resource lacks is dropped",
            containers(json!([{"name": "a"}])),
            json!({"spec": {"initContainers": [{"(name)": "*", "tty": true}]}}),
            json!({}),
        ),
        (
            // Kyverno deletes the anchored originals by indices taken before the list shrank, so
            // with two of them it removes the wrong elements (kyverno/kyverno#16862). Rampart
            // removes the anchored originals and keeps every copy.
            "several anchored elements in one list: each gives its copies, plain ones stay",
            containers(
                json!([{"name": "web", "image": "nginx"}, {"name": "sidecar", "image": "envoy"}]),
            ),
            json!({"spec": {"containers": [
                {"(name)": "web", "image": "nginx:2"},
                {"name": "plain"},
                {"(name)": "side*", "image": "envoy:2"}
            ]}}),
            json!({"spec": {"containers": [
                {"name": "plain"},
                {"image": "nginx:2", "name": "web"},
                {"image": "envoy:2", "name": "sidecar"}
            ]}}),
        ),
    ]);
}

#[test]
fn global_conditions_in_lists() {
    let volumes = |list: Value| pod(json!({}), json!({"volumes": list}));
    let label_if_host_path = |element: Value| {
        json!({
            "metadata": {"labels": {"uses-host-path": "true"}},
            "spec": {"volumes": [element]}
        })
    };
    let labelled = || json!({"metadata": {"labels": {"uses-host-path": "true"}}});
    check(vec![
        (
            "holding for one element lets the rest of the patch through; it adds no element",
            volumes(
                json!([{"name": "tmp", "emptyDir": {}}, {"name": "logs", "hostPath": {"path": "/var/log"}}]),
            ),
            label_if_host_path(json!({"<(hostPath)": {"path": "/var/*"}})),
            labelled(),
        ),
        (
            "a global condition nested in the element",
            volumes(json!([{"name": "logs", "hostPath": {"path": "/var/log"}}])),
            label_if_host_path(json!({"hostPath": {"<(path)": "/var/*"}})),
            labelled(),
        ),
        (
            "an existing empty list is no failure",
            volumes(json!([])),
            label_if_host_path(json!({"<(hostPath)": {"path": "/var/*"}})),
            labelled(),
        ),
    ]);
    check_errors(vec![
        (
            "failing for every element fails the patch",
            volumes(json!([{"name": "tmp", "emptyDir": {}}])),
            label_if_host_path(json!({"<(hostPath)": {"path": "/var/*"}})),
            "global",
            r#"global condition failed: could not found "hostPath" key in the resource"#,
        ),
        (
            "a value that matches no element",
            volumes(json!([{"name": "data", "hostPath": {"path": "/data"}}])),
            label_if_host_path(json!({"<(hostPath)": {"path": "/var/*"}})),
            "global",
            "global condition failed: ",
        ),
        (
            "a list the resource lacks",
            containers(json!([{"name": "app"}])),
            label_if_host_path(json!({"<(hostPath)": {"path": "/var/*"}})),
            "global",
            r#"global condition failed: could not found "hostPath" key in the resource"#,
        ),
    ]);
}

#[test]
fn shapes_the_prepass_cannot_walk() {
    check_errors(vec![
        (
            "a list of maps in the patch where the resource has a map",
            json!({"spec": {"containers": {"app": {}}}}),
            json!({"spec": {"containers": [{"(name)": "*", "tty": true}]}}),
            "invalid",
            "wrong node kind: expected SequenceNode but got MappingNode",
        ),
        (
            "a patch that is a list",
            pod(json!({}), json!({})),
            json!(["spec"]),
            "invalid",
            "wrong node kind: expected MappingNode but got SequenceNode",
        ),
        (
            "a patch that is a scalar",
            pod(json!({}), json!({})),
            json!("spec"),
            "invalid",
            "wrong node kind: expected MappingNode but got ScalarNode",
        ),
    ]);
}
