//! Property tests: no policy text, resource or combination makes the pipeline panic.

use proptest::prelude::*;
use rampart::diag::SourceMap;
use rampart::engine::Request;
use rampart::load::PolicySet;
use serde_json::Value;

fn load(text: &str) -> PolicySet {
    let mut sources = SourceMap::new();
    let file = sources.add("fuzz.yaml", text);
    let mut set = PolicySet::default();
    set.add_file(file, &sources);
    set
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
        let set = load(&policy_with_pattern(&pattern));
        let mut resource = resource;
        if let Value::Object(map) = &mut resource {
            map.insert("kind".into(), Value::from("Pod"));
            map.insert("apiVersion".into(), Value::from("v1"));
        }
        let _ = set.program.evaluate(&Request::create(&resource));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `rampart apply` and `rampart test` on arbitrary resource and test-file text: errors are
    /// reported, nothing panics.
    #[test]
    fn commands_never_panic_on_arbitrary_files(text in "[a-zA-Z0-9:{}\\[\\],'\" \\n-]{0,160}") {
        use rampart::cli::{Cli, Output, run};
        use clap::Parser;
        let dir = std::env::temp_dir().join(format!("rampart-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("input.yaml");
        let _ = std::fs::write(&file, &text);
        let path = file.display().to_string();
        for args in [
            vec!["rampart", "apply", "examples/no-latest-images/policy.yaml", "-r", &path],
            vec!["rampart", "apply", &path, "-r", "examples/no-latest-images/resources.yaml"],
            vec!["rampart", "test", &path],
            vec!["rampart", "check", &path],
            vec!["rampart", "psa", "-r", &path],
        ] {
            if let Ok(cli) = Cli::try_parse_from(args) {
                let mut out = Output::new(false);
                let _ = run(cli, &mut out);
            }
        }
    }
}
