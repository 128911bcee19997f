//! Property tests: no input makes the loader panic, and emitted YAML reads back as the same value.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::{parse_nodes, parse_values, resolve::json_number, to_yaml_string};

/// Strings that stress quoting: YAML keywords, numbers, indicators, spaces and control characters.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop::sample::select(vec![
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "true",
            "null",
            "~",
            "010",
            "0x1F",
            "1_000",
            "1.5",
            ".inf",
            "-.nan",
            "<<",
            "2001-12-14",
            "1:20",
            "-",
            "- a",
            "? x",
            ": y",
            "a: b",
            "a #b",
            "#c",
            "*x",
            "&y",
            "!t",
            "|",
            ">",
            "'",
            "\"",
            "%",
            "@",
            "`",
            "---",
            "...",
            " x",
            "x ",
            "x\n",
            "x\n\n",
            "\ny",
            " a\nb",
            "a\n b",
            "a \nb",
            "\t",
            "\u{85}",
            "\u{2028}",
            "\u{feff}",
            "é",
            "😀",
            "[a]",
            "{b}",
            "a,b",
            "1e3",
            "+12",
            "0b101",
            "0o7",
            "08",
        ])
        .prop_map(str::to_string),
        "[ -~\\n\\t\\u{80}-\\u{10ff}]{0,12}",
        any::<String>(),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| json_number(f).map(Value::Number)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        tricky_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((tricky_string(), inner), 0..5)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = parse_nodes(&text);
        let _ = parse_values(&text);
    }

    #[test]
    fn yaml_like_text_never_panics(text in "[-:?&*!|>'\"{}\\[\\], #a-c0-9\\n\\t.~<]{0,64}") {
        let nodes = parse_nodes(&text);
        let values = parse_values(&text);
        // Both entry points agree.
        let from_nodes = nodes.map(|docs| docs.iter().map(super::Node::to_json).collect::<Vec<_>>());
        prop_assert_eq!(from_nodes.ok(), values.ok());
    }

    #[test]
    fn emitted_yaml_reads_back(value in json_value()) {
        let text = to_yaml_string(&value);
        let back = parse_values(&text);
        prop_assert_eq!(back.as_ref().ok(), Some(&vec![value.clone()]), "text:\n{}\nresult: {:?}", text, back);
    }
}
