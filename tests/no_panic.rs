//! Property tests: no policy text, resource or combination makes the pipeline panic.

use proptest::prelude::*;
use rampart::{AdmissionRequest, Loader, Operation, Request};
use serde_json::Value;

fn load(text: &str) -> Loader {
    let mut loader = Loader::new();
    loader.add_text("fuzz.yaml", text);
    loader
}

/// Arbitrary JSON values, biased towards Kubernetes-looking keys.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-zA-Z0-9*?!<>=|&:/. -]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![
            Just("metadata".to_string()),
            Just("spec".to_string()),
            Just("labels".to_string()),
            Just("name".to_string()),
            Just("containers".to_string()),
            Just("image".to_string()),
            Just("(name)".to_string()),
            Just("=(image)".to_string()),
            Just("^(containers)".to_string()),
            Just("X(hostPID)".to_string()),
            Just("<(app)".to_string()),
            Just("+(x)".to_string()),
            "[a-z()=^X<+*?]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn policy_with_pattern(pattern: &Value) -> String {
    format!(
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: fuzz\nspec:\n  rules:\n  - name: r\n    match:\n      any:\n      - resources:\n          kinds: [Pod, '*']\n    validate:\n      message: m\n      pattern: {pattern}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = load(&text);
    }

    #[test]
    fn arbitrary_yaml_shaped_text_never_panics(text in "[a-z:{}\\[\\], \\n-]{0,120}") {
        let _ = load(&format!("apiVersion: kyverno.io/v1\nkind: ClusterPolicy\n{text}"));
    }

    #[test]
    fn arbitrary_patterns_and_resources_never_panic(pattern in json_value(), resource in json_value()) {
        let engine = load(&policy_with_pattern(&pattern)).engine();
        let mut resource = resource;
        if let Value::Object(map) = &mut resource {
            map.insert("kind".into(), Value::from("Pod"));
            map.insert("apiVersion".into(), Value::from("v1"));
        }
        for operation in [Operation::Create, Operation::Update, Operation::Delete] {
            let admission = AdmissionRequest::for_resource(resource.clone(), operation);
            let _ = engine.evaluate(&Request::new(&admission)).decision();
        }
    }
}
