//! The merge as kyaml's `merge2` does it for Kyverno (lists grow by prepending), restated as
//! tables: maps, key order, `$patch` directives, keyed lists, lists replaced whole, schema
//! lookup, kind errors, and the two Kubernetes directives kyaml lacks.

use serde_json::{Value, json};

use super::*;

/// One merge: what it shows, the resource, the patch, and the merged resource.
type Case = (&'static str, Value, Value, Value);

/// Merges every case and compares the result (object member order ignored, list order kept).
fn check(cases: Vec<Case>) {
    for (what, resource, patch, want) in cases {
        let got = merge(resource, &patch);
        assert_eq!(got, Ok(Some(want)), "{what}");
    }
}

/// Like [`check`], comparing compact JSON text, so object member order counts too.
fn check_ordered(cases: Vec<(&str, Value, Value, &str)>) {
    for (what, resource, patch, want) in cases {
        match merge(resource, &patch) {
            Ok(Some(got)) => assert_eq!(got.to_string(), want, "{what}"),
            other => panic!("{what}: {other:?}"),
        }
    }
}

/// Each case must fail with an error text starting with the given one.
fn check_errors(cases: Vec<(&str, Value, Value, &str)>) {
    for (what, resource, patch, want) in cases {
        match merge(resource, &patch) {
            Err(MergeError(text)) => {
                assert!(
                    text.starts_with(want),
                    "{what}: got {text:?}, want {want:?}…"
                );
            }
            other => panic!("{what}: want an error, got {other:?}"),
        }
    }
}

/// A `v1` Pod named `p` with this spec.
fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
}

/// An `apps/v1` Deployment named `d` whose pod template has this spec.
fn deployment(pod_spec: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"replicas": 1, "template": {"metadata": {"labels": {"app": "d"}}, "spec": pod_spec}}
    })
}

/// A patch of a pod template's spec (no `apiVersion` or `kind`, as Kyverno policies write it).
fn template_patch(pod_spec: Value) -> Value {
    json!({"spec": {"template": {"spec": pod_spec}}})
}

/// A resource of a kind the v1.21.2 schema does not know.
fn widget(spec: Value) -> Value {
    json!({"apiVersion": "toys.example.dev/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec})
}

#[test]
fn maps_merge_field_by_field() {
    check(vec![
        (
            "a patch scalar replaces the resource's, the other fields stay",
            json!({"kind": "Gadget", "spec": {"color": "red", "size": 3}}),
            json!({"spec": {"size": 4}}),
            json!({"kind": "Gadget", "spec": {"color": "red", "size": 4}}),
        ),
        (
            "a field only the patch has is added",
            json!({"kind": "Gadget", "spec": {"color": "red"}}),
            json!({"spec": {"shape": "round"}}),
            json!({"kind": "Gadget", "spec": {"color": "red", "shape": "round"}}),
        ),
        (
            "maps merge at any depth",
            json!({"a": {"b": {"c": 1, "d": 2}}, "z": true}),
            json!({"a": {"b": {"d": 3, "e": {"f": 4}}}}),
            json!({"a": {"b": {"c": 1, "d": 3, "e": {"f": 4}}}, "z": true}),
        ),
        (
            "a scalar may become another scalar type",
            json!({"data": {"port": "8080", "debug": "yes"}}),
            json!({"data": {"port": 8080, "debug": false}}),
            json!({"data": {"port": 8080, "debug": false}}),
        ),
        (
            "a patch null removes a scalar",
            json!({"data": {"keep": "1", "drop": "2"}}),
            json!({"data": {"drop": null}}),
            json!({"data": {"keep": "1"}}),
        ),
        (
            "a patch null removes a whole map or list",
            json!({"spec": {"a": 1}, "status": {"phase": "Up"}, "items": [1, 2]}),
            json!({"status": null, "items": null}),
            json!({"spec": {"a": 1}}),
        ),
        (
            "a patch null for a field the resource lacks adds nothing",
            json!({"spec": {"a": 1}}),
            json!({"spec": {"b": null}}),
            json!({"spec": {"a": 1}}),
        ),
        (
            "nulls inside a subtree the resource lacks are dropped",
            json!({"spec": {"a": 1}}),
            json!({"spec": {"extra": {"on": true, "off": null}}}),
            json!({"spec": {"a": 1, "extra": {"on": true}}}),
        ),
        (
            "a null in the resource the patch does not touch is kept (kustomize#4628)",
            json!({"metadata": {"name": "n", "creationTimestamp": null}, "spec": {"x": null}}),
            json!({"metadata": {"labels": {"team": "blue"}}}),
            json!({
                "metadata": {"name": "n", "creationTimestamp": null, "labels": {"team": "blue"}},
                "spec": {"x": null}
            }),
        ),
        (
            "a null in the resource takes the patch's value",
            json!({"spec": {"x": null, "y": null}}),
            json!({"spec": {"x": {"deep": 1}, "y": null}}),
            json!({"spec": {"x": {"deep": 1}}}),
        ),
        (
            "an empty patch map adds an empty map and leaves an existing map alone",
            json!({"spec": {"a": 1}}),
            json!({"spec": {}, "status": {}}),
            json!({"spec": {"a": 1}, "status": {}}),
        ),
    ]);
}

#[test]
fn new_fields_follow_existing_ones_in_name_order() {
    check_ordered(vec![
        (
            "existing fields keep their place; new ones are appended sorted by name",
            json!({"kind": "Gadget", "spec": {"zeta": 1, "alpha": 2}}),
            json!({"spec": {"mid": 3, "beta": 4, "alpha": 5}}),
            r#"{"kind":"Gadget","spec":{"zeta":1,"alpha":5,"beta":4,"mid":3}}"#,
        ),
        (
            "top-level fields too",
            json!({"kind": "Gadget", "metadata": {"name": "g"}}),
            json!({"status": {"up": true}, "data": {"k": "v"}}),
            r#"{"kind":"Gadget","metadata":{"name":"g"},"data":{"k":"v"},"status":{"up":true}}"#,
        ),
        (
            "a map the resource lacks keeps the patch's order",
            json!({"kind": "Gadget"}),
            json!({"spec": {"zeta": 1, "alpha": {"y": 2, "x": 3}}}),
            r#"{"kind":"Gadget","spec":{"zeta":1,"alpha":{"y":2,"x":3}}}"#,
        ),
        (
            "removing a field leaves the others where they were",
            json!({"a": 1, "b": 2, "c": 3}),
            json!({"b": null, "aa": 4}),
            r#"{"a":1,"c":3,"aa":4}"#,
        ),
        (
            "a kept resource null keeps its place",
            json!({"a": null, "b": 1}),
            json!({"b": 2, "c": 3}),
            r#"{"a":null,"b":2,"c":3}"#,
        ),
        (
            "a merged list element keeps its fields' order and appends new ones sorted",
            pod(json!({"containers": [{"name": "app", "image": "app:1"}]})),
            json!({"spec": {"containers": [
                {"resources": {"limits": {"cpu": "1"}}, "name": "app", "env": [{"name": "A", "value": "1"}]}
            ]}}),
            concat!(
                r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":["#,
                r#"{"name":"app","image":"app:1","env":[{"name":"A","value":"1"}],"#,
                r#""resources":{"limits":{"cpu":"1"}}}"#,
                r#"]}}"#
            ),
        ),
        (
            "a new list element keeps the patch's order",
            pod(json!({"containers": [{"name": "app"}]})),
            json!({"spec": {"containers": [{"image": "side:1", "name": "side"}]}}),
            concat!(
                r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":["#,
                r#"{"image":"side:1","name":"side"},{"name":"app"}]}}"#
            ),
        ),
    ]);
}

#[test]
fn patch_directives_on_maps() {
    check(vec![
        (
            "$patch: delete removes the map",
            json!({"spec": {"a": 1}, "status": {"phase": "Up"}}),
            json!({"status": {"$patch": "delete", "phase": "Down"}}),
            json!({"spec": {"a": 1}}),
        ),
        (
            "$patch: replace puts the patch's fields in place of the resource's",
            json!({"spec": {"a": 1, "b": {"c": 2}}}),
            json!({"spec": {"$patch": "replace", "b": {"d": 3}}}),
            json!({"spec": {"b": {"d": 3}}}),
        ),
        (
            "$patch: replace on a pod spec replaces its containers too",
            pod(json!({"containers": [{"name": "old", "image": "old:1"}], "hostNetwork": true})),
            json!({"spec": {"$patch": "replace", "containers": [{"name": "new"}]}}),
            pod(json!({"containers": [{"name": "new"}]})),
        ),
        (
            "$patch: merge merges as without it, and is not copied",
            json!({"spec": {"a": 1}}),
            json!({"spec": {"$patch": "merge", "b": 2}}),
            json!({"spec": {"a": 1, "b": 2}}),
        ),
        (
            "$patch: delete on a map the resource lacks adds nothing",
            json!({"spec": {"a": 1}}),
            json!({"status": {"$patch": "delete", "x": 1}}),
            json!({"spec": {"a": 1}}),
        ),
        (
            "$patch: replace on a map the resource lacks adds it without the directive",
            json!({"spec": {"a": 1}}),
            json!({"status": {"$patch": "replace", "x": 1}}),
            json!({"spec": {"a": 1}, "status": {"x": 1}}),
        ),
    ]);
    assert_eq!(
        merge(
            json!({"kind": "Gadget", "spec": {}}),
            &json!({"$patch": "delete"})
        ),
        Ok(None),
        "$patch: delete at the top deletes the resource"
    );
}

#[test]
fn patch_directives_in_keyed_lists() {
    let two = || {
        pod(json!({"containers": [
            {"name": "app", "image": "app:1"},
            {"name": "side", "image": "side:1"}
        ]}))
    };
    check(vec![
        (
            "an element with $patch: delete removes the element with its key",
            two(),
            json!({"spec": {"containers": [{"name": "app", "$patch": "delete"}]}}),
            pod(json!({"containers": [{"name": "side", "image": "side:1"}]})),
        ),
        (
            "deleting the only element leaves an empty list",
            pod(json!({"containers": [{"name": "app", "image": "app:1"}]})),
            json!({"spec": {"containers": [{"name": "app", "image": "x", "$patch": "delete"}]}}),
            pod(json!({"containers": []})),
        ),
        (
            "deleting an element the resource lacks does nothing",
            two(),
            json!({"spec": {"containers": [{"name": "ghost", "$patch": "delete"}]}}),
            two(),
        ),
        (
            "a lone {$patch: delete} element removes the whole list",
            pod(json!({"containers": [{"name": "app"}], "volumes": [{"name": "v"}]})),
            json!({"spec": {"volumes": [{"name": "other"}, {"$patch": "delete"}]}}),
            pod(json!({"containers": [{"name": "app"}]})),
        ),
        (
            "a lone {$patch: replace} element makes the patch's elements the list",
            two(),
            json!({"spec": {"containers": [{"name": "solo", "image": "solo:1"}, {"$patch": "replace"}]}}),
            pod(json!({"containers": [{"name": "solo", "image": "solo:1"}]})),
        ),
        (
            "a lone {$patch: merge} element merges as without it",
            two(),
            json!({"spec": {"containers": [{"$patch": "merge"}, {"name": "new"}]}}),
            pod(json!({"containers": [
                {"name": "new"},
                {"name": "app", "image": "app:1"},
                {"name": "side", "image": "side:1"}
            ]})),
        ),
    ]);
}

#[test]
fn unknown_patch_directives_are_errors() {
    check_errors(vec![
        (
            "on a map",
            json!({"spec": {"a": 1}}),
            json!({"spec": {"$patch": "sideways"}}),
            "unknown patch strategy 'sideways'",
        ),
        (
            "as a list element",
            pod(json!({"containers": [{"name": "app"}]})),
            json!({"spec": {"containers": [{"$patch": "upward"}]}}),
            "unknown patch strategy 'upward'",
        ),
    ]);
}

#[test]
fn keyed_lists_merge_by_name_with_the_patch_first() {
    let cron_job = |pod_spec: Value| {
        json!({
            "apiVersion": "batch/v1", "kind": "CronJob",
            "spec": {"jobTemplate": {"spec": {"template": {"spec": pod_spec}}}}
        })
    };
    check(vec![
        (
            "new containers come first, in the patch's order",
            pod(json!({"containers": [{"name": "app", "image": "app:1"}]})),
            json!({"spec": {"containers": [
                {"name": "log", "image": "log:1"}, {"name": "proxy", "image": "proxy:1"}
            ]}}),
            pod(json!({"containers": [
                {"name": "log", "image": "log:1"},
                {"name": "proxy", "image": "proxy:1"},
                {"name": "app", "image": "app:1"}
            ]})),
        ),
        (
            "a container the patch names is merged field by field",
            pod(json!({"containers": [{"name": "app", "image": "app:1", "args": ["--v=1"]}]})),
            json!({"spec": {"containers": [{"name": "app", "image": "app:2"}]}}),
            pod(json!({"containers": [{"name": "app", "image": "app:2", "args": ["--v=1"]}]})),
        ),
        (
            "a container the patch touches moves to the patch's place; the others follow in order",
            pod(json!({"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]})),
            json!({"spec": {"containers": [{"name": "c", "image": "c:2"}, {"name": "x"}]}}),
            pod(json!({"containers": [
                {"name": "c", "image": "c:2"}, {"name": "x"}, {"name": "a"}, {"name": "b"}
            ]})),
        ),
        (
            "patch elements naming every container in resource order keep that order",
            pod(json!({"containers": [{"name": "a"}, {"name": "b"}]})),
            json!({"spec": {"containers": [{"name": "a", "tty": true}, {"name": "b", "tty": true}]}}),
            pod(json!({"containers": [{"name": "a", "tty": true}, {"name": "b", "tty": true}]})),
        ),
        (
            "initContainers and ephemeralContainers are keyed by name too",
            pod(json!({
                "initContainers": [{"name": "migrate", "image": "m:1"}],
                "ephemeralContainers": [{"name": "debug", "image": "busybox"}]
            })),
            json!({"spec": {
                "initContainers": [{"name": "seed"}, {"name": "migrate", "image": "m:2"}],
                "ephemeralContainers": [{"name": "trace"}]
            }}),
            pod(json!({
                "initContainers": [{"name": "seed"}, {"name": "migrate", "image": "m:2"}],
                "ephemeralContainers": [{"name": "trace"}, {"name": "debug", "image": "busybox"}]
            })),
        ),
        (
            "volumes and imagePullSecrets are keyed by name",
            pod(json!({
                "volumes": [{"name": "data", "emptyDir": {}}, {"name": "conf", "configMap": {"name": "c1"}}],
                "imagePullSecrets": [{"name": "registry"}]
            })),
            json!({"spec": {
                "volumes": [{"name": "conf", "configMap": {"name": "c2"}}],
                "imagePullSecrets": [{"name": "registry"}, {"name": "mirror"}]
            }}),
            pod(json!({
                "volumes": [{"name": "conf", "configMap": {"name": "c2"}}, {"name": "data", "emptyDir": {}}],
                "imagePullSecrets": [{"name": "registry"}, {"name": "mirror"}]
            })),
        ),
        (
            "a list the resource lacks is created from the patch",
            pod(json!({"containers": [{"name": "app"}]})),
            json!({"spec": {"volumes": [{"name": "v1"}, {"name": "v2"}]}}),
            pod(
                json!({"containers": [{"name": "app"}], "volumes": [{"name": "v1"}, {"name": "v2"}]}),
            ),
        ),
        (
            "a patch null in an element removes that field of the element",
            pod(json!({"containers": [{"name": "app", "image": "app:1", "command": ["sh"]}]})),
            json!({"spec": {"containers": [{"name": "app", "command": null}]}}),
            pod(json!({"containers": [{"name": "app", "image": "app:1"}]})),
        ),
        (
            "null and empty-map elements are dropped from keyed lists",
            pod(json!({"containers": [{"name": "app"}, null, {}]})),
            json!({"spec": {"containers": [{}, {"name": "side"}, null]}}),
            pod(json!({"containers": [{"name": "side"}, {"name": "app"}]})),
        ),
        (
            "a Deployment's pod template uses the pod spec's keys",
            deployment(json!({"containers": [{"name": "web"}]})),
            template_patch(json!({"containers": [{"name": "agent"}]})),
            deployment(json!({"containers": [{"name": "agent"}, {"name": "web"}]})),
        ),
        (
            "a CronJob's too, deep under jobTemplate",
            cron_job(json!({"containers": [{"name": "job", "image": "job:1"}]})),
            json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "containers": [{"name": "job", "image": "job:2"}, {"name": "notify"}]
            }}}}}}),
            cron_job(
                json!({"containers": [{"name": "job", "image": "job:2"}, {"name": "notify"}]}),
            ),
        ),
    ]);
}

#[test]
fn keyed_lists_inside_containers() {
    let container = |fields: Value| pod(json!({"containers": [fields]}));
    check(vec![
        (
            "env by name: values change in place, new variables come first",
            container(
                json!({"name": "app", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}),
            ),
            json!({"spec": {"containers": [{"name": "app", "env": [
                {"name": "B", "value": "3"}, {"name": "C", "value": "4"}
            ]}]}}),
            container(json!({"name": "app", "env": [
                {"name": "B", "value": "3"}, {"name": "C", "value": "4"}, {"name": "A", "value": "1"}
            ]})),
        ),
        (
            "an env variable's fields merge: nothing is cleared",
            container(json!({"name": "app", "env": [{"name": "A", "value": "1"}]})),
            json!({"spec": {"containers": [{"name": "app", "env": [
                {"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
            ]}]}}),
            container(json!({"name": "app", "env": [
                {"name": "A", "value": "1", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
            ]})),
        ),
        (
            "volumeMounts by mountPath",
            container(
                json!({"name": "app", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}),
            ),
            json!({"spec": {"containers": [{"name": "app", "volumeMounts": [
                {"name": "data-v2", "mountPath": "/data"}, {"name": "tmp", "mountPath": "/tmp"}
            ]}]}}),
            container(json!({"name": "app", "volumeMounts": [
                {"name": "data-v2", "mountPath": "/data"}, {"name": "tmp", "mountPath": "/tmp"}
            ]})),
        ),
        (
            "ports by containerPort and protocol: another protocol is another port",
            container(json!({"name": "dns", "ports": [{"containerPort": 53, "protocol": "TCP"}]})),
            json!({"spec": {"containers": [
                {"name": "dns", "ports": [{"containerPort": 53, "protocol": "UDP"}]}
            ]}}),
            container(json!({"name": "dns", "ports": [
                {"containerPort": 53, "protocol": "UDP"}, {"containerPort": 53, "protocol": "TCP"}
            ]})),
        ),
        (
            "ports: only the element with both keys equal is changed",
            container(json!({"name": "app", "ports": [
                {"containerPort": 9000, "protocol": "TCP", "name": "t"},
                {"containerPort": 9000, "protocol": "UDP", "name": "u"}
            ]})),
            json!({"spec": {"containers": [{"name": "app", "ports": [
                {"containerPort": 9000, "protocol": "UDP", "name": "u2"}
            ]}]}}),
            container(json!({"name": "app", "ports": [
                {"containerPort": 9000, "protocol": "UDP", "name": "u2"},
                {"containerPort": 9000, "protocol": "TCP", "name": "t"}
            ]})),
        ),
        (
            "ports: a patch port without protocol matches on containerPort alone",
            container(
                json!({"name": "app", "ports": [{"containerPort": 8080, "protocol": "TCP", "name": "web"}]}),
            ),
            json!({"spec": {"containers": [
                {"name": "app", "ports": [{"containerPort": 8080, "hostPort": 18080}]}
            ]}}),
            container(json!({"name": "app", "ports": [
                {"containerPort": 8080, "protocol": "TCP", "name": "web", "hostPort": 18080}
            ]})),
        ),
        (
            "ports: a new port without protocol comes first",
            container(json!({"name": "app", "ports": [{"containerPort": 8080}]})),
            json!({"spec": {"containers": [{"name": "app", "ports": [{"containerPort": 9090}]}]}}),
            container(
                json!({"name": "app", "ports": [{"containerPort": 9090}, {"containerPort": 8080}]}),
            ),
        ),
    ]);
}

#[test]
fn other_keyed_lists_of_the_schema() {
    let service = |ports: Value| {
        json!({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
            "spec": {"ports": ports}
        })
    };
    let config_map =
        |metadata: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata});
    check(vec![
        (
            "Service ports by port and protocol, new ones first",
            service(json!([{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}])),
            json!({"spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443}]}}),
            service(json!([
                {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443},
                {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}
            ])),
        ),
        (
            "Service ports: a patch port without protocol merges on port",
            service(json!([{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}])),
            json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}),
            service(json!([{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 9090}])),
        ),
        (
            "topologySpreadConstraints by topologyKey and whenUnsatisfiable",
            pod(json!({"topologySpreadConstraints": [
                {"topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 1}
            ]})),
            json!({"spec": {"topologySpreadConstraints": [
                {"topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "maxSkew": 5},
                {"topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 2}
            ]}}),
            pod(json!({"topologySpreadConstraints": [
                {"topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "maxSkew": 5},
                {"topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 2}
            ]})),
        ),
        (
            "hostAliases by ip (their hostnames list is replaced)",
            pod(json!({"hostAliases": [{"ip": "10.1.1.1", "hostnames": ["a.local", "b.local"]}]})),
            json!({"spec": {"hostAliases": [{"ip": "10.1.1.1", "hostnames": ["c.local"]}]}}),
            pod(json!({"hostAliases": [{"ip": "10.1.1.1", "hostnames": ["c.local"]}]})),
        ),
        (
            "ownerReferences by uid",
            config_map(
                json!({"name": "c", "ownerReferences": [{"uid": "u-1", "kind": "Gizmo", "name": "g1"}]}),
            ),
            json!({"metadata": {"ownerReferences": [
                {"uid": "u-2", "kind": "Gizmo", "name": "g2"}, {"uid": "u-1", "controller": true}
            ]}}),
            config_map(json!({"name": "c", "ownerReferences": [
                {"uid": "u-2", "kind": "Gizmo", "name": "g2"},
                {"uid": "u-1", "kind": "Gizmo", "name": "g1", "controller": true}
            ]})),
        ),
        (
            "finalizers are a set: the patch's values first, each value once",
            config_map(json!({"name": "c", "finalizers": ["example.dev/a", "example.dev/b"]})),
            json!({"metadata": {"finalizers": ["example.dev/c", "example.dev/a"]}}),
            config_map(
                json!({"name": "c", "finalizers": ["example.dev/c", "example.dev/a", "example.dev/b"]}),
            ),
        ),
        (
            "webhooks of a webhook configuration by name",
            json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                "webhooks": [{"name": "a.example.dev", "timeoutSeconds": 5}]}),
            json!({"webhooks": [{"name": "a.example.dev", "timeoutSeconds": 10}, {"name": "b.example.dev"}]}),
            json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                "webhooks": [{"name": "a.example.dev", "timeoutSeconds": 10}, {"name": "b.example.dev"}]}),
        ),
    ]);
}

#[test]
fn duplicate_keys_in_the_resource_keep_the_last() {
    check(vec![
        (
            "two variables named A collapse into the second",
            pod(json!({"containers": [{"name": "app", "env": [
                {"name": "A", "value": "first"}, {"name": "A", "value": "second"}
            ]}]})),
            json!({"spec": {"containers": [{"name": "app", "env": [{"name": "B", "value": "b"}]}]}}),
            pod(json!({"containers": [{"name": "app", "env": [
                {"name": "B", "value": "b"}, {"name": "A", "value": "second"}
            ]}]})),
        ),
        (
            "the last duplicate takes the first one's place",
            pod(json!({"containers": [
                {"name": "a", "image": "1"}, {"name": "b"}, {"name": "a", "image": "2"}
            ]})),
            json!({"spec": {"containers": [{"name": "c"}]}}),
            pod(json!({"containers": [{"name": "c"}, {"name": "a", "image": "2"}, {"name": "b"}]})),
        ),
    ]);
}

#[test]
fn lists_without_merge_keys_are_replaced() {
    check(vec![
        (
            "args and command",
            pod(
                json!({"containers": [{"name": "app", "args": ["--a", "--b"], "command": ["run"]}]}),
            ),
            json!({"spec": {"containers": [{"name": "app", "args": ["--c"], "command": ["exec", "run"]}]}}),
            pod(
                json!({"containers": [{"name": "app", "args": ["--c"], "command": ["exec", "run"]}]}),
            ),
        ),
        (
            "tolerations and envFrom, lists of maps without keys",
            pod(json!({
                "tolerations": [{"key": "gpu", "operator": "Exists"}],
                "containers": [{"name": "app", "envFrom": [{"configMapRef": {"name": "one"}}]}]
            })),
            json!({"spec": {
                "tolerations": [{"key": "spot", "operator": "Exists"}],
                "containers": [{"name": "app", "envFrom": [{"secretRef": {"name": "two"}}]}]
            }}),
            pod(json!({
                "tolerations": [{"key": "spot", "operator": "Exists"}],
                "containers": [{"name": "app", "envFrom": [{"secretRef": {"name": "two"}}]}]
            })),
        ),
        (
            "ephemeral containers' ports have no merge key",
            pod(json!({"ephemeralContainers": [{"name": "dbg", "ports": [{"containerPort": 1}]}]})),
            json!({"spec": {"ephemeralContainers": [{"name": "dbg", "ports": [{"containerPort": 2}]}]}}),
            pod(json!({"ephemeralContainers": [{"name": "dbg", "ports": [{"containerPort": 2}]}]})),
        ),
        (
            "a list of scalars without merge is taken as the patch writes it",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {}, "items": ["b", "a"]}),
            json!({"items": ["a", "a", "c"]}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {}, "items": ["a", "a", "c"]}),
        ),
        (
            "a list without merge key keeps directive elements as written",
            widget(json!({"steps": [{"run": "build"}]})),
            json!({"spec": {"steps": [{"run": "test"}, {"$patch": "replace"}]}}),
            widget(json!({"steps": [{"run": "test"}, {"$patch": "replace"}]})),
        ),
        (
            "a list the patch does not name is kept",
            pod(json!({"tolerations": [{"key": "gpu", "operator": "Exists"}]})),
            json!({"spec": {"nodeName": "n1"}}),
            pod(json!({"tolerations": [{"key": "gpu", "operator": "Exists"}], "nodeName": "n1"})),
        ),
    ]);
}

#[test]
fn the_schema_comes_from_api_version_and_kind() {
    check(vec![
        (
            "a custom resource has no schema: its lists are replaced",
            widget(json!({"containers": [{"name": "a", "image": "a:1"}]})),
            json!({"spec": {"containers": [{"name": "b"}]}}),
            widget(json!({"containers": [{"name": "b"}]})),
        ),
        (
            "a Pod under apps/v1 is not in the schema: its containers are replaced",
            json!({"apiVersion": "apps/v1", "kind": "Pod", "spec": {"containers": [{"name": "a"}]}}),
            json!({"spec": {"containers": [{"name": "b"}]}}),
            json!({"apiVersion": "apps/v1", "kind": "Pod", "spec": {"containers": [{"name": "b"}]}}),
        ),
        (
            "a resource without apiVersion and kind: lists are replaced",
            json!({"spec": {"containers": [{"name": "a"}]}}),
            json!({"spec": {"containers": [{"name": "b"}]}}),
            json!({"spec": {"containers": [{"name": "b"}]}}),
        ),
        (
            "the patch's apiVersion and kind serve when the resource has none",
            json!({"spec": {"containers": [{"name": "a"}]}}),
            json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "b"}]}}),
            json!({"spec": {"containers": [{"name": "b"}, {"name": "a"}]}, "apiVersion": "v1", "kind": "Pod"}),
        ),
        (
            "a nested object naming its own type gets that schema when none comes from above",
            widget(json!({"template": {
                "apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "a"}]}
            }})),
            json!({"spec": {"template": {"spec": {"containers": [{"name": "b"}]}}}}),
            widget(
                json!({"template": {"apiVersion": "v1", "kind": "Pod", "spec": {
                    "containers": [{"name": "b"}, {"name": "a"}]
                }}}),
            ),
        ),
    ]);
}

#[test]
fn values_of_different_kinds_do_not_merge() {
    check_errors(vec![
        (
            "map in the resource, list in the patch",
            json!({"spec": {"a": 1}}),
            json!({"spec": [1]}),
            "wrong node kind: expected MappingNode but got SequenceNode",
        ),
        (
            "list in the resource, map in the patch",
            json!({"items": [1]}),
            json!({"items": {"a": 1}}),
            "wrong node kind: expected SequenceNode but got MappingNode",
        ),
        (
            "scalar in the resource, map in the patch",
            json!({"spec": {"name": "x"}}),
            json!({"spec": {"name": {"first": "x"}}}),
            "wrong node kind: expected ScalarNode but got MappingNode",
        ),
        (
            "map in the resource, scalar in the patch",
            json!({"spec": {"a": 1}}),
            json!({"spec": "flat"}),
            "wrong node kind: expected MappingNode but got ScalarNode",
        ),
        (
            "keyed list in the resource, scalar in the patch",
            pod(json!({"containers": [{"name": "a"}]})),
            json!({"spec": {"containers": "none"}}),
            "wrong node kind: expected SequenceNode but got ScalarNode",
        ),
        (
            "inside a keyed list element",
            pod(json!({"containers": [{"name": "a", "resources": {"limits": {"cpu": "1"}}}]})),
            json!({"spec": {"containers": [{"name": "a", "resources": ["cpu"]}]}}),
            "wrong node kind: expected MappingNode but got SequenceNode",
        ),
    ]);
}

#[test]
fn kubernetes_directives_kyaml_lacks() {
    let strategy = |strategy: Value| json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"strategy": strategy}});
    check(vec![
        (
            "$retainKeys keeps only the listed fields of the resource's map",
            strategy(json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}})),
            json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
            strategy(json!({"type": "Recreate"})),
        ),
        (
            "$retainKeys: a listed field the patch does not set keeps the resource's value",
            pod(json!({"volumes": [{"name": "v", "emptyDir": {}, "secret": {"secretName": "s"}}]})),
            json!({"spec": {"volumes": [{
                "name": "v",
                "$retainKeys": ["name", "secret", "hostPath"],
                "hostPath": {"path": "/x"}
            }]}}),
            pod(
                json!({"volumes": [{"name": "v", "secret": {"secretName": "s"}, "hostPath": {"path": "/x"}}]}),
            ),
        ),
        (
            "$deleteFromPrimitiveList removes values from a list of scalars",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"finalizers": ["a", "b", "c"]}}),
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["b", "z"]}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"finalizers": ["a", "c"]}}),
        ),
        (
            "$deleteFromPrimitiveList runs before the rest of the patch merges",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"finalizers": ["a", "b"]}}),
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"], "finalizers": ["x"]}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"finalizers": ["x", "b"]}}),
        ),
        (
            "$deleteFromPrimitiveList on a list without merge key",
            pod(json!({"containers": [{"name": "app", "args": ["--a", "--b", "--a"]}]})),
            json!({"spec": {"containers": [{"name": "app", "$deleteFromPrimitiveList/args": ["--a"]}]}}),
            pod(json!({"containers": [{"name": "app", "args": ["--b"]}]})),
        ),
        (
            "directive keys are never copied into the resource",
            json!({"kind": "Gadget"}),
            json!({"spec": {"$retainKeys": ["x"], "x": 1, "$deleteFromPrimitiveList/y": ["z"]}}),
            json!({"kind": "Gadget", "spec": {"x": 1}}),
        ),
    ]);
    check_errors(vec![
        (
            "$retainKeys must list every field the patch sets",
            strategy(json!({"type": "RollingUpdate"})),
            json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": {}}}}),
            "the patch sets `rollingUpdate`, which is not listed in $retainKeys",
        ),
        (
            "$retainKeys must be a list",
            strategy(json!({"type": "RollingUpdate"})),
            json!({"spec": {"strategy": {"$retainKeys": "type"}}}),
            "$retainKeys must be a list of field names",
        ),
        (
            "$deleteFromPrimitiveList must be a list",
            json!({"metadata": {"finalizers": ["a"]}}),
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": "a"}}),
            "$deleteFromPrimitiveList/finalizers must be a list of values to delete",
        ),
    ]);
}
