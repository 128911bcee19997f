//! No input aborts the process: 100,000-long chains of every JMESPath operator and documents
//! nested 100,000 deep give a result or a clean error, on a thread with a small stack (2 MiB,
//! the default of spawned threads, in release builds; unoptimised builds use about twenty
//! times more stack per level, so they get more).

use proptest::prelude::*;
use rampart::{AdmissionRequest, AdmissionReview, Loader, Operation, Request, SourceMap};
use serde_json::{Value, json};

const STACK: usize = if cfg!(debug_assertions) {
    64 << 20
} else {
    2 << 20
};

/// Runs `f` on a thread with a small stack; a stack overflow would abort the test process.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap_or_else(|e| panic!("thread: {e}"))
        .join()
        .unwrap_or_else(|_| panic!("the evaluation panicked"))
}

/// One link of a chain for every JMESPath operator (after a leading `a`).
const LINKS: &[&str] = &[
    ".a",
    " | a",
    " || a",
    " && a",
    "[0]",
    "[]",
    "[*]",
    ".*",
    "[?a]",
    "[0:1]",
    " == a",
    " != a",
    " < a",
    " >= a",
    ".[a]",
    ".{a: a}",
    ".to_string(@)",
];

/// Prefixes that nest (each opens a level closed at the end).
const NESTINGS: &[(&str, &str)] = &[("(", ")"), ("!", ""), ("[", "]"), ("&", ""), ("{a: ", "}")];

fn document() -> Value {
    json!({"a": {"a": [[{"a": true}]]}, "b": "x"})
}

/// Parses an expression and evaluates it on a small stack: `Err` with the parse or evaluation
/// error's text.
fn parse_and_evaluate(text: String) -> Result<(), String> {
    on_small_stack(move || match rampart::expr::parse(&text) {
        Ok(e) => e
            .evaluate(&document())
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.message),
    })
}

/// A policy whose deny condition and message hold `expression`.
fn policy_with(expression: &str) -> String {
    let quoted = serde_json::to_string(&format!("{{{{ {expression} }}}}")).unwrap_or_default();
    format!(
        "apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {{name: deep}}
spec:
  validationFailureAction: Enforce
  rules:
    - name: deep
      match: {{any: [{{resources: {{kinds: [Pod]}}}}]}}
      validate:
        message: {quoted}
        deny:
          conditions:
            any:
              - key: {quoted}
                operator: Equals
                value: true
"
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Chains of any operator, up to 100,000 links: a value or a clean parse error.
    #[test]
    fn chains_of_every_operator(
        link in prop::sample::select(LINKS),
        n in prop_oneof![1..600usize, 600..100_001usize],
    ) {
        let outcome = parse_and_evaluate(format!("a{}", link.repeat(n)));
        if let Err(message) = outcome {
            prop_assert!(!message.is_empty());
        }
    }

    /// Nesting operators, up to 100,000 deep.
    #[test]
    fn nesting_of_every_operator(
        (open, close) in prop::sample::select(NESTINGS),
        n in prop_oneof![1..200usize, 200..100_001usize],
    ) {
        let outcome = parse_and_evaluate(format!("{}a{}", open.repeat(n), close.repeat(n)));
        if let Err(message) = outcome {
            prop_assert!(!message.is_empty());
        }
    }

    /// The same chains inside a policy: `check`-style diagnostics or an answer, never an abort.
    #[test]
    fn chains_inside_policies(
        link in prop::sample::select(LINKS),
        n in prop_oneof![1..300usize, 300..20_001usize],
    ) {
        let text = policy_with(&format!("a{}", link.repeat(n)));
        on_small_stack(move || {
            let mut loader = Loader::new();
            loader.add_text("deep.yaml", text);
            let engine = loader.engine();
            let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "a": {"a": 1}});
            let admission = AdmissionRequest::for_resource(pod, Operation::Create);
            let _ = engine.evaluate(&Request::new(&admission)).decision();
            loader.has_errors() || engine.policies().count() == 1
        });
    }
}

/// Documents nested `n` deep: flow sequences, flow mappings, JSON.
fn deep_texts(n: usize) -> Vec<String> {
    vec![
        format!("{}1{}", "[".repeat(n), "]".repeat(n)),
        format!("{}1{}", "{a: ".repeat(n), "}".repeat(n)),
        format!("{}1{}", "{\"a\": ".repeat(n), "}".repeat(n)),
    ]
}

#[test]
fn documents_nested_100000_deep_are_clean_errors() {
    for text in deep_texts(100_000) {
        let as_resource = text.clone();
        let errors = on_small_stack(move || {
            let dir = std::env::temp_dir().join(format!("rampart-deep-{}", std::process::id()));
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join("deep.yaml");
            let _ = std::fs::write(&file, &as_resource);
            let mut sources = SourceMap::new();
            let (resources, diagnostics) =
                rampart::read_resources(&mut sources, &[file.display().to_string()])
                    .unwrap_or_default();
            (resources.len(), diagnostics.len())
        });
        assert_eq!(errors, (0, 1));
        let as_policy = format!(
            "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {{name: p}}\nspec: {text}\n"
        );
        let has_errors = on_small_stack(move || {
            let mut loader = Loader::new();
            loader.add_text("deep.yaml", as_policy);
            loader.has_errors()
        });
        assert!(has_errors);
    }
    // An AdmissionReview whose object is nested 100,000 deep.
    let review = format!(
        r#"{{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {{"uid": "1", "kind": {{"group": "", "version": "v1", "kind": "Pod"}}, "resource": {{"group": "", "version": "v1", "resource": "pods"}}, "operation": "CREATE", "object": {}}}}}"#,
        deep_texts(100_000).remove(2)
    );
    let error = on_small_stack(move || AdmissionReview::from_json(review.as_bytes()).err());
    let message = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("recursion limit"), "{message}");
}

/// The deepest documents Rampart reads (256 levels of YAML) go through every stage: a
/// pattern that deep against a resource that deep, with variables at the bottom.
#[test]
fn the_deepest_accepted_documents_evaluate() {
    let depth = 250;
    let nested = |leaf: Value| (0..depth).fold(leaf, |inner, _| json!({"a": inner}));
    let pattern = nested(json!("{{ request.object.metadata.name }}"));
    let policy = format!(
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {{name: deep}}\nspec:\n  validationFailureAction: Enforce\n  rules:\n  - name: deep\n    match: {{any: [{{resources: {{kinds: [Pod]}}}}]}}\n    validate:\n      message: too deep\n      pattern:\n        spec: {pattern}\n"
    );
    let resource = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
                          "spec": nested(json!("q"))});
    let (errors, allowed) = on_small_stack(move || {
        let mut loader = Loader::new();
        loader.add_text("deep.yaml", policy);
        let admission = AdmissionRequest::for_resource(resource, Operation::Create);
        let decision = loader
            .engine()
            .evaluate(&Request::new(&admission))
            .decision();
        (loader.render_diagnostics(false), decision.allowed)
    });
    assert!(errors.is_empty(), "{errors}");
    assert!(!allowed, "`q` is not the name `p`");
}
