//! Differential tests of the fast path against the YAML path.

use super::*;
use crate::yaml::events;
use serde_json::json;

/// The values as JSON text, which shows key order (`Map`'s equality ignores it).
fn shown(docs: &[Value]) -> Vec<String> {
    docs.iter().map(Value::to_string).collect()
}

/// Whether the fast path declines `text` or gives exactly the YAML path's values (in the same
/// key order); the message says how they differ.
pub(super) fn check(text: &str) -> Result<Option<Vec<Value>>, String> {
    let Some(docs) = parse_stream(text) else {
        return Ok(None);
    };
    match events::build::<Value>(text) {
        Ok(slow) if shown(&slow) == shown(&docs) => Ok(Some(docs)),
        slow => Err(format!(
            "text: {text:?}\nfast: {:?}\nyaml: {slow:?}",
            shown(&docs)
        )),
    }
}

/// The fast path's verdict, checked against the YAML path when it accepts.
fn fast(text: &str) -> Option<Vec<Value>> {
    match check(text) {
        Ok(docs) => docs,
        Err(e) => panic!("{e}"),
    }
}

fn accepts(text: &str) -> Vec<Value> {
    match fast(text) {
        Some(docs) => docs,
        None => panic!("declined {text:?}"),
    }
}

fn declines(text: &str) {
    assert_eq!(parse_stream(text), None, "accepted {text:?}");
}

#[test]
fn mappings_and_sequences() {
    assert_eq!(
        accepts("a: 1\nb:\n  c: x\n  d:\n  - 1\n  - 2\ne:\n- f: g\n  h: i\n- - j\n  - k\n"),
        vec![
            json!({"a": 1, "b": {"c": "x", "d": [1, 2]}, "e": [{"f": "g", "h": "i"}, ["j", "k"]]})
        ]
    );
    assert_eq!(
        accepts("- a\n-\n- \n  b: 1\n-   c: 2\n    d: 3\n"),
        vec![json!(["a", null, {"b": 1}, {"c": 2, "d": 3}])]
    );
    assert_eq!(accepts("a:\nb:\n"), vec![json!({"a": null, "b": null})]);
    assert_eq!(
        accepts("- a:\n  - x\n  b: 1\n- a:\n- c\n"),
        vec![json!([{"a": ["x"], "b": 1}, {"a": null}, "c"])]
    );
    assert_eq!(
        accepts("  a: 1\n  b:\n      c: 2\n"),
        vec![json!({"a": 1, "b": {"c": 2}})]
    );
    assert_eq!(accepts("a:\n  x\n"), vec![json!({"a": "x"})]);
}

#[test]
fn scalars_resolve_the_kubernetes_way() {
    let text = "a: yes\nb: 'yes'\nc: \"010\"\nd: 010\ne: ~\nf:\ng: 1.0\nh: 0x1F\ni: 1_000\n\
                j: -.5\nk: 1e3\nl: 2001-12-14\nm: 500m\ns: \"\"\no: ''\np: null\nq: Off\n";
    assert_eq!(
        accepts(text),
        vec![
            json!({"a": true, "b": "yes", "c": "010", "d": 8, "e": null, "f": null,
                    "g": 1, "h": 31, "i": 1000, "j": -0.5, "k": 1000, "l": "2001-12-14",
                    "m": "500m", "s": "", "o": "", "p": null, "q": false})
        ]
    );
    assert_eq!(
        accepts("yes: a\n1: b\n010: c\n1.5: d\n'x': e\n\"on\": f\n"),
        vec![json!({"true": "a", "1": "b", "8": "c", "1.5": "d", "x": "e", "on": "f"})]
    );
}

#[test]
fn plain_scalar_text() {
    assert_eq!(
        accepts(
            "a: x y  z  \nb: b#c\nc: x # comment\nd: http://h:80/p\ne: -x\nf: x[y]\ng: a, b\n\
             h: x:\"y\nk :  v\nl: a ]b\nm: é ü\nr: ---\n"
        ),
        vec![
            json!({"a": "x y  z", "b": "b#c", "c": "x", "d": "http://h:80/p", "e": "-x",
                    "f": "x[y]", "g": "a, b", "h": "x:\"y", "k": "v", "l": "a ]b",
                    "m": "é ü", "r": "---"})
        ]
    );
    assert_eq!(
        accepts("a b: 1\nx:y: 2\n-z: 3\nk#: 4\n"),
        vec![json!({"a b": 1, "x:y": 2, "-z": 3, "k#": 4})]
    );
    assert_eq!(
        accepts("host: ::1\nq: ?x\n:k: 1\n?k: 2\n"),
        vec![json!({"host": "::1", "q": "?x", ":k": 1, "?k": 2})]
    );
}

#[test]
fn quoted_scalars() {
    assert_eq!(
        accepts(
            "a: 'it''s # not a comment'\nb: \"\\t\\n\\\\\\\"\\/\\x41\\u00e9\\U0001F600\\_\\N\\ \"\n\
             c: \"  spaced  \" # c\nd: ''''\n'e f': 1\n\"g\" : 2\n"
        ),
        vec![
            json!({"a": "it's # not a comment", "b": "\t\n\\\"/Aé😀\u{a0}\u{85} ",
                    "c": "  spaced  ", "d": "'", "e f": 1, "g": 2})
        ]
    );
    assert_eq!(accepts("\"\\0\\a\\b\\v\\f\\r\\e\\L\\P\"\n").len(), 1);
}

#[test]
fn flow_collections() {
    assert_eq!(
        accepts(
            "a: [ALL]\nb: {cpu: 500m, memory: \"1Gi\"}\nc: {}\nd: []\ne: [ 1 , 'x', [y, {z: 2}] ]\n\
             f: {'k': v, \"q\": [w]} # c\ng: [a b, -1, yes]\n"
        ),
        vec![
            json!({"a": ["ALL"], "b": {"cpu": "500m", "memory": "1Gi"}, "c": {}, "d": [],
                    "e": [1, "x", [true, {"z": 2}]], "f": {"k": "v", "q": ["w"]},
                    "g": ["a b", -1, true]})
        ]
    );
    assert_eq!(accepts("[a, b]\n"), vec![json!(["a", "b"])]);
    assert_eq!(accepts("- {a: 1}\n- [2]\n"), vec![json!([{"a": 1}, [2]])]);
    assert_eq!(accepts("a:\n  {b: c}\n"), vec![json!({"a": {"b": "c"}})]);
}

#[test]
fn documents_and_comments() {
    let text = "# head\n---\n---\n# only a comment\n--- # marker comment\na: 1 # c\n\n  # indented\n\
                b:\n# low\n  - x\n---   \n- 2\n---\n~\n---\n''\n";
    assert_eq!(
        accepts(text),
        vec![
            json!({"a": 1, "b": ["x"]}),
            json!([2]),
            json!(null),
            json!("")
        ]
    );
    assert_eq!(accepts(""), Vec::<Value>::new());
    assert_eq!(accepts("# nothing\n\n"), Vec::<Value>::new());
    assert_eq!(
        accepts("a: 1\n---\nb: 2"),
        vec![json!({"a": 1}), json!({"b": 2})]
    );
}

#[test]
fn declines_what_it_does_not_read() {
    for text in [
        // Characters and markers.
        "a:\tb\n",
        "a: b\r\n",
        "\u{feff}a: 1\n",
        "a: \u{feff}\n",
        "a: 1\n...\n",
        "%YAML 1.2\n---\na: 1\n",
        "--- a: 1\n",
        "---x: 1\n",
        "a: \u{1}\n",
        // Node properties and block scalars.
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: |\n  x\n",
        "a: >-\n  x\n",
        "? a\n: b\n",
        "a:\n  <<: {b: 1}\n",
        // Multi-line scalars.
        "a: b\n  c\n",
        "- a\n  b\n",
        "a\nb\n",
        "a: 'b\n  c'\n",
        "a: \"b\\\n  c\"\n",
        "a: [b,\n  c]\n",
        // Duplicates and odd keys.
        "a: 1\na: 2\n",
        "1: a\n01: b\n",
        "a: {b: 1, b: 2}\n",
        "~: x\n",
        "a: b: c\n",
        "a: - b\n",
        "a: b:\n",
        "\"a\":b\n",
        // Indentation the YAML path must judge.
        "a: 1\n b: 2\n",
        "a:\n  b: 1\n c: 2\n",
        "a: 1\n- b\n",
        "- a\nb: 1\n",
        "a: 1\nb\n",
        // Flow collections beyond the subset.
        "a: [b, ]\n",
        "a: [b: c]\n",
        "a: {b}\n",
        "a: {b: }\n",
        "a: [a:b]\n",
        "a: [\"x\": y]\n",
        "a: [b] c\n",
        "[a]: b\n",
        "a: [b #c]\n",
        "a: [-]\n",
        // Values that resolve to errors.
        "a: .inf\n",
        "a: \"\\q\"\n",
        "a: \"\\uD800\"\n",
        "a: x\"#y\n\"",
    ] {
        // Each either declines or matches; the ones written as errors must decline.
        let _ = fast(text);
        if events::build::<Value>(text).is_err() {
            declines(text);
        }
    }
    for text in [
        "a: &x 1\n",
        "a: *x\n",
        "a: !t x\n",
        "a: |\n  x\n",
        "? a\n",
        "a:\n  <<: {b: 1}\n",
        "a: b\n  c\n",
        "a:\tb\n",
        "a: 1\r\n",
        "a: 1\n...\n",
    ] {
        declines(text);
    }
}

#[test]
fn long_keys_and_deep_nesting_are_declined() {
    let key = "k".repeat(600);
    declines(&format!("{key}: v\n"));
    let nested: String = (0..100)
        .map(|i| format!("{}- \n", "  ".repeat(i)))
        .collect();
    declines(&nested);
    let nested = format!("a: {}1{}\n", "[".repeat(100), "]".repeat(100));
    declines(&nested);
    let fine = format!("a: {}1{}\n", "[".repeat(20), "]".repeat(20));
    assert_eq!(accepts(&fine).len(), 1);
}

/// Every `.yaml` file under `dir`, recursively (hidden folders such as `.kyverno-test` included).
fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// The conformance data beside the checkout (`../shared/conformance`): every YAML file there is
/// either declined or read exactly as the YAML path reads it, and most Kubernetes resources in
/// the kyverno/policies suites take the fast path. Skipped quietly when the data is absent.
#[test]
fn conformance_files_decline_or_match() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance");
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    files.sort();
    let (mut accepted, mut resources, mut resources_accepted) = (0, 0, 0);
    let mut declined_resources = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let fast = parse_stream(&text);
        if fast.is_none() && std::env::var_os("FAST_SHOW_DECLINED").is_some() {
            println!("declined: {}", path.display());
        }
        if fast.is_some() {
            accepted += 1;
            if let Err(e) = check(&text) {
                panic!("{}: {e}", path.display());
            }
        }
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        // Resource files of the kyverno/policies suites: what `rampart apply` and `test` read.
        if shown.starts_with("kyverno-policies/") && shown.contains("/.kyverno-test/") {
            if shown.ends_with("/kyverno-test.yaml") {
                continue;
            }
            resources += 1;
            if fast.is_some() {
                resources_accepted += 1;
            } else {
                declined_resources.push(shown);
            }
        }
    }
    if files.is_empty() {
        return;
    }
    println!(
        "fast path: {accepted} of {} conformance YAML files; {resources_accepted} of {resources} \
         kyverno-policies resource files; declined: {declined_resources:#?}",
        files.len()
    );
    assert!(
        resources_accepted * 10 >= resources * 9,
        "only {resources_accepted} of {resources} resource files take the fast path"
    );
}

#[test]
fn edges_the_grammar_generators_miss() {
    let long = "x".repeat(3000);
    for text in [
        format!("a: {long}\n"),
        format!("- {long}\n"),
        format!("a:\n  {long}\n"),
        format!("a: '{long}'\n"),
        format!("a: [{long}, {long}]\n"),
        format!("{long}\n"),
        format!("{}: v\n", "k".repeat(500)),
    ] {
        assert_eq!(accepts(&text).len(), 1);
    }
    assert_eq!(
        accepts("a: [ ]\nb: { }\nclé: ünï\n\"ké\": 1\n---"),
        vec![json!({"a": [], "b": {}, "clé": "ünï", "ké": 1})]
    );
    assert_eq!(
        accepts("a: # c\n  # c\n  b: 1 # c\n# c\nc:  # c\n- 1 # c\n"),
        vec![json!({"a": {"b": 1}, "c": [1]})]
    );
    assert_eq!(accepts("---\n---"), Vec::<Value>::new());
    declines("a: [ # c\n  b]\n");
    declines("a: 1\r\nb: 2\r\n");
}
