//! Property tests of the fast path: manifests generated from a small grammar (in the supported
//! subset, then with noise) and arbitrary text are either declined or read exactly as the YAML
//! path reads them, and nothing panics.

use proptest::prelude::*;

use super::parse_stream;
use super::tests::check;

/// A generated node, with the layout choices for writing it.
#[derive(Debug, Clone)]
enum Gen {
    /// A scalar or one-line flow collection, as written.
    Leaf(&'static str),
    /// A block mapping: entries and the indentation step of its nested blocks.
    Map(Vec<(&'static str, Gen)>, usize),
    /// A block sequence: items, the indentation step of nested blocks, whether it sits at its
    /// key's indentation (`key:\n- a`), and whether entries are compact (`- k: v`).
    Seq(Vec<Gen>, usize, bool, bool),
}

/// Scalars and flow collections in the subset.
const CLEAN_LEAVES: &[&str] = &[
    "web",
    "apps/v1",
    "500m",
    "256Mi",
    "1",
    "010",
    "-1",
    "0x1F",
    "1.5",
    "1e3",
    "yes",
    "Off",
    "y",
    "~",
    "null",
    "",
    "a b  c",
    "http://h:80/p",
    "registry.example.com/web:1.0.1",
    "::1",
    "x#y",
    "a, b",
    "x[y]",
    "-x",
    "?x",
    "é ü 😀",
    "'single ''quoted'' # x'",
    "''",
    "\"double \\\"quoted\\\" \\t \\u00e9 \\x41 #\"",
    "\"\"",
    "\"yes\"",
    "[ALL]",
    "[]",
    "{}",
    "{cpu: 500m, memory: 1Gi}",
    "[a, 'b', \"c\", 1, yes, [d], {e: f}]",
    "{ 'k': v , \"q\": [ w ] }",
];

/// Leaves outside the subset or outside YAML.
const NOISY_LEAVES: &[&str] = &[
    ".inf",
    "&a x",
    "*a",
    "!t x",
    "!!str 1",
    "|",
    ">-",
    "a: b",
    "- a",
    "'open",
    "\"open",
    "[a, ",
    "{a: }",
    "[a, ]",
    "[a: b]",
    "a #c",
    "? x",
    ": x",
    "\"\\q\"",
    "\"\\uD800\"",
    "a\tb",
    "@x",
    "`x",
    "%x",
    "...",
    "---",
    "[a]b",
    "{a}",
    "[a #c]",
    "[-]",
    "[a:b]",
    "{a:b}",
    "\"k\":v",
];

/// Keys in the subset, distinct after resolution.
const CLEAN_KEYS: &[&str] = &[
    "name",
    "image",
    "app.kubernetes.io/name",
    "a b",
    "x:y",
    "-k",
    "?k",
    "'quoted key'",
    "\"dq key\"",
    "1",
    "yes",
    "010",
    "1.5",
    "k#",
];

/// Keys that collide after resolution, merge keys, null keys and the like.
const NOISY_KEYS: &[&str] = &[
    "true", "on", "8", "'name'", "<<", "~", "null", "? x", "&a k", "*a", "!t k", "a: b", "- k", "",
    "\"k\"x",
];

fn leaf(noisy: bool) -> BoxedStrategy<Gen> {
    let mut leaves = CLEAN_LEAVES.to_vec();
    if noisy {
        leaves.extend_from_slice(NOISY_LEAVES);
    }
    prop::sample::select(leaves).prop_map(Gen::Leaf).boxed()
}

fn key(noisy: bool) -> BoxedStrategy<&'static str> {
    let mut keys = CLEAN_KEYS.to_vec();
    if noisy {
        keys.extend_from_slice(NOISY_KEYS);
    }
    prop::sample::select(keys).boxed()
}

fn node(noisy: bool) -> BoxedStrategy<Gen> {
    leaf(noisy)
        .prop_recursive(5, 40, 5, move |inner| {
            prop_oneof![
                (
                    prop::collection::vec((key(noisy), inner.clone()), 1..5),
                    1usize..5
                )
                    .prop_map(move |(mut entries, step)| {
                        if !noisy {
                            let mut seen = std::collections::HashSet::new();
                            entries.retain(|(k, _)| seen.insert(*k));
                        }
                        Gen::Map(entries, step)
                    }),
                (
                    prop::collection::vec(inner, 1..5),
                    1usize..5,
                    any::<bool>(),
                    any::<bool>()
                )
                    .prop_map(|(items, step, indentless, compact)| {
                        Gen::Seq(items, step, indentless, compact)
                    }),
            ]
        })
        .boxed()
}

/// Writes `node` at column `indent`. `inline` means the line is already started (after `- `),
/// so the first line gets no indentation.
fn write(node: &Gen, indent: usize, inline: bool, out: &mut String) {
    let pad = |out: &mut String, first: bool| {
        if !(first && inline) {
            out.push_str(&" ".repeat(indent));
        }
    };
    match node {
        Gen::Leaf(text) => {
            pad(out, true);
            out.push_str(text);
            out.push('\n');
        }
        Gen::Map(entries, step) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                pad(out, i == 0);
                out.push_str(k);
                out.push(':');
                match v {
                    Gen::Leaf(text) => {
                        if !text.is_empty() {
                            out.push(' ');
                            out.push_str(text);
                        }
                        out.push('\n');
                    }
                    Gen::Map(..) => {
                        out.push('\n');
                        write(v, indent + step, false, out);
                    }
                    Gen::Seq(_, _, indentless, _) => {
                        out.push('\n');
                        let at = if *indentless { indent } else { indent + step };
                        write(v, at, false, out);
                    }
                }
            }
        }
        Gen::Seq(items, step, _, compact) => {
            for (i, item) in items.iter().enumerate() {
                pad(out, i == 0);
                match item {
                    Gen::Leaf(text) => {
                        out.push('-');
                        if !text.is_empty() {
                            out.push(' ');
                            out.push_str(text);
                        }
                        out.push('\n');
                    }
                    _ if *compact => {
                        out.push_str("- ");
                        write(item, indent + 2, true, out);
                    }
                    _ => {
                        out.push_str("-\n");
                        write(item, indent + step, false, out);
                    }
                }
            }
        }
    }
}

/// Blank lines, comment lines at any indentation and comments after lines, inserted by `plan`
/// (one choice per line, cycled).
fn decorate(text: &str, plan: &[u8]) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let choice = plan.get(i % plan.len().max(1)).copied().unwrap_or(0);
        match choice % 8 {
            1 => out.push('\n'),
            2 => {
                out.push_str(&" ".repeat(usize::from(choice / 8 % 6)));
                out.push_str("# a comment: with - [indicators]\n");
            }
            _ => {}
        }
        out.push_str(line);
        if choice % 8 == 3 {
            out.push_str(" # trailing");
        }
        if choice % 8 == 4 {
            out.push_str("  ");
        }
        out.push('\n');
    }
    out
}

/// A stream of documents with `---` markers between them (and maybe before the first).
fn stream(noisy: bool) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(node(noisy), 1..4),
        prop::collection::vec(any::<u8>(), 1..16),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(docs, plan, lead, marker_comment)| {
            let mut text = String::new();
            for (i, doc) in docs.iter().enumerate() {
                if i > 0 || lead {
                    text.push_str(if marker_comment {
                        "--- # next\n"
                    } else {
                        "---\n"
                    });
                }
                write(doc, 0, false, &mut text);
            }
            decorate(&text, &plan)
        })
}

/// Small edits that break the subset or YAML: an inserted character, a deleted range, an
/// indented or outdented line.
fn mutate(text: &str, edits: &[(usize, usize, u8)]) -> String {
    const ALPHABET: &[u8] = b" -:?#&*!|>'\"[]{},%@`~.\n\t\r0a";
    let mut bytes = text.as_bytes().to_vec();
    for &(at, len, what) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at % bytes.len();
        match what % 4 {
            0 => bytes.insert(at, ALPHABET[usize::from(what / 4) % ALPHABET.len()]),
            1 => {
                let end = (at + len % 4 + 1).min(bytes.len());
                bytes.drain(at..end);
            }
            2 => {
                // Indent the line holding `at` by one more space.
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                bytes.insert(start, b' ');
            }
            _ => {
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                if bytes.get(start) == Some(&b' ') {
                    bytes.remove(start);
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Manifests in the subset are accepted, with the YAML path's values.
    #[test]
    fn subset_manifests_take_the_fast_path(text in stream(false)) {
        match check(&text) {
            Ok(Some(_)) => {}
            Ok(None) => prop_assert!(false, "declined:\n{}", text),
            Err(e) => prop_assert!(false, "{}", e),
        }
    }

    /// Manifests with constructs outside the subset are declined or read exactly.
    #[test]
    fn noisy_manifests_decline_or_match(text in stream(true)) {
        if let Err(e) = check(&text) {
            prop_assert!(false, "{}", e);
        }
    }

    /// Edited manifests (most of them invalid YAML) are declined or read exactly.
    #[test]
    fn edited_manifests_decline_or_match(
        text in stream(false),
        edits in prop::collection::vec((any::<usize>(), any::<usize>(), any::<u8>()), 1..4),
    ) {
        let text = mutate(&text, &edits);
        if let Err(e) = check(&text) {
            prop_assert!(false, "{}", e);
        }
    }

    /// YAML-looking text of indicators and words is declined or read exactly.
    #[test]
    fn yaml_like_text_declines_or_matches(
        text in "([-:?&*!|>'\"{}\\[\\], #a-c0-9.~<]|\\n *){0,64}"
    ) {
        if let Err(e) = check(&text) {
            prop_assert!(false, "{}", e);
        }
    }

    /// Arbitrary text and bytes never make the fast path panic, and are declined or read exactly.
    #[test]
    fn arbitrary_text_declines_or_matches(
        text in any::<String>(),
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        if let Err(e) = check(&text) {
            prop_assert!(false, "{}", e);
        }
        let _ = parse_stream(&String::from_utf8_lossy(&bytes));
    }
}
