//! Apply semantics (behaviours of evanphx/json-patch v5.9.11 under Kyverno's options, restated
//! as tables), parsing, serde, and diff (examples and a property test).

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn from_json(text: &str) -> Value {
    match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => panic!("bad JSON in test {text:?}: {e}"),
    }
}

/// Parses and applies `patch` to `doc`: the patched document, or the error text (after checking
/// that the document was left as it was).
fn run(doc: &str, patch: &str) -> Result<Value, String> {
    let mut value = from_json(doc);
    let ops = parse(&from_json(patch)).map_err(|e| e.to_string())?;
    match apply(&mut value, &ops) {
        Ok(()) => Ok(value),
        Err(e) => {
            assert_eq!(value, from_json(doc), "a failed patch changed the document");
            Err(e.to_string())
        }
    }
}

/// Each case: document, patch, and the expected document (JSON text) or error text.
fn check(cases: &[(&str, &str, Result<&str, &str>)]) {
    for (doc, patch, want) in cases {
        let got = run(doc, patch);
        match (want, &got) {
            (Ok(w), Ok(g)) => assert_eq!(g, &from_json(w), "{doc} + {patch}"),
            (Err(w), Err(g)) => assert_eq!(g, w, "{doc} + {patch}"),
            _ => panic!("{doc} + {patch}: want {want:?}, got {got:?}"),
        }
    }
}

/// Like [`check`] for one case, comparing the compact JSON text (member order included).
fn check_text(doc: &str, patch: &str, want: &str) {
    match run(doc, patch) {
        Ok(got) => assert_eq!(got.to_string(), want, "{doc} + {patch}"),
        Err(e) => panic!("{doc} + {patch}: {e}"),
    }
}

#[test]
fn add_sets_members_and_inserts_into_arrays() {
    check(&[
        (
            r#"{"foo":"bar"}"#,
            r#"[{"op":"add","path":"/baz","value":"qux"}]"#,
            Ok(r#"{"foo":"bar","baz":"qux"}"#),
        ),
        (
            r#"{"foo":["bar","baz"]}"#,
            r#"[{"op":"add","path":"/foo/1","value":"qux"}]"#,
            Ok(r#"{"foo":["bar","qux","baz"]}"#),
        ),
        (
            r#"{"foo":["bar","baz"]}"#,
            r#"[{"op":"add","path":"/foo/2","value":"qux"}]"#,
            Ok(r#"{"foo":["bar","baz","qux"]}"#),
        ),
        (
            r#"{"foo":["bar"]}"#,
            r#"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#,
            Ok(r#"{"foo":["bar",["abc","def"]]}"#),
        ),
        (
            r#"{"foo":"bar"}"#,
            r#"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#,
            Ok(r#"{"foo":"bar","child":{"grandchild":{}}}"#),
        ),
        (
            r#"{"foo":"bar"}"#,
            r#"[{"op":"add","path":"/baz","value":null}]"#,
            Ok(r#"{"foo":"bar","baz":null}"#),
        ),
        // Go's Atoi: a sign and leading zeros are accepted.
        (
            r#"{"a":[1,2]}"#,
            r#"[{"op":"add","path":"/a/01","value":9}]"#,
            Ok(r#"{"a":[1,9,2]}"#),
        ),
        (
            r#"{"a":[1,2]}"#,
            r#"[{"op":"add","path":"/a/+0","value":9}]"#,
            Ok(r#"{"a":[9,1,2]}"#),
        ),
        // One past the end is the limit.
        (
            r#"{"foo":["bar"]}"#,
            r#"[{"op":"add","path":"/foo/2","value":"bum"}]"#,
            Err(
                "error in add for path: '/foo/2': Unable to access invalid index: 2: invalid index referenced",
            ),
        ),
        (
            r#"{"a":[1]}"#,
            r#"[{"op":"add","path":"/a/x","value":2}]"#,
            Err(
                r#"error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax"#,
            ),
        ),
        (
            r#"{"a":[1]}"#,
            r#"[{"op":"add","path":"/a/99999999999999999999","value":2}]"#,
            Err(
                r#"error in add for path: '/a/99999999999999999999': value was not a proper array index: '99999999999999999999': strconv.Atoi: parsing "99999999999999999999": value out of range"#,
            ),
        ),
        // A scalar cannot hold members (nor can ensure-path go through it).
        (
            r#"{"a":1}"#,
            r#"[{"op":"add","path":"/a/b","value":2}]"#,
            Err("invalid state detected"),
        ),
    ]);
    // An existing member is set in place; a new one goes last.
    check_text(
        r#"{"a":1,"b":2}"#,
        r#"[{"op":"add","path":"/a","value":3},{"op":"add","path":"/0","value":4}]"#,
        r#"{"a":3,"b":2,"0":4}"#,
    );
}

#[test]
fn negative_indices() {
    check(&[
        // add: i + len + 1, so -1 appends and -(len + 1) prepends.
        (
            r#"{"foo":["bar","baz"]}"#,
            r#"[{"op":"add","path":"/foo/-1","value":"qux"}]"#,
            Ok(r#"{"foo":["bar","baz","qux"]}"#),
        ),
        (
            r#"{"foo":["bar","baz"]}"#,
            r#"[{"op":"add","path":"/foo/-3","value":"qux"}]"#,
            Ok(r#"{"foo":["qux","bar","baz"]}"#),
        ),
        (
            r#"{"foo":[]}"#,
            r#"[{"op":"add","path":"/foo/-1","value":"qux"}]"#,
            Ok(r#"{"foo":["qux"]}"#),
        ),
        (
            r#"{"foo":["bar","baz"]}"#,
            r#"[{"op":"add","path":"/foo/-4","value":"bum"}]"#,
            Err(
                "error in add for path: '/foo/-4': Unable to access invalid index: -4: invalid index referenced",
            ),
        ),
        // Everything else: i + len, so -1 is the last element.
        (
            r#"{"foo":["bar","qux","baz"]}"#,
            r#"[{"op":"remove","path":"/foo/-1"}]"#,
            Ok(r#"{"foo":["bar","qux"]}"#),
        ),
        (
            r#"{"foo":["bar","qux","baz"]}"#,
            r#"[{"op":"remove","path":"/foo/-2"}]"#,
            Ok(r#"{"foo":["bar","baz"]}"#),
        ),
        (
            r#"{"foo":["bar","qux",{"a":"abc","b":"xyz"}]}"#,
            r#"[{"op":"remove","path":"/foo/-1/a"}]"#,
            Ok(r#"{"foo":["bar","qux",{"b":"xyz"}]}"#),
        ),
        (
            r#"{"foo":["bar"]}"#,
            r#"[{"op":"replace","path":"/foo/-1","value":"baz"}]"#,
            Ok(r#"{"foo":["baz"]}"#),
        ),
        (
            r#"{"foo":[{"bar":"x"}]}"#,
            r#"[{"op":"replace","path":"/foo/-1/bar","value":"baz"}]"#,
            Ok(r#"{"foo":[{"bar":"baz"}]}"#),
        ),
        (
            r#"{"foo":[1,2]}"#,
            r#"[{"op":"test","path":"/foo/-2","value":1}]"#,
            Ok(r#"{"foo":[1,2]}"#),
        ),
        (
            r#"{"foo":[1,2]}"#,
            r#"[{"op":"copy","from":"/foo/-1","path":"/foo/0"}]"#,
            Ok(r#"{"foo":[2,1,2]}"#),
        ),
        (
            r#"{"foo":[1,2]}"#,
            r#"[{"op":"replace","path":"/foo/-3","value":0}]"#,
            Err("replace operation does not apply: doc is missing key: /foo/-3: missing value"),
        ),
        (
            r#"{"foo":[1,2]}"#,
            r#"[{"op":"test","path":"/foo/-3","value":0}]"#,
            Err(
                "error in test for path: '/foo/-3': Unable to access invalid index: -3: invalid index referenced",
            ),
        ),
    ]);
}

#[test]
fn remove_tolerates_missing_paths() {
    check(&[
        (
            r#"{"baz":"qux","foo":"bar"}"#,
            r#"[{"op":"remove","path":"/baz"}]"#,
            Ok(r#"{"foo":"bar"}"#),
        ),
        (
            r#"{"foo":["bar","qux","baz"]}"#,
            r#"[{"op":"remove","path":"/foo/1"}]"#,
            Ok(r#"{"foo":["bar","baz"]}"#),
        ),
        (
            r#"[1,2,3]"#,
            r#"[{"op":"remove","path":"/0"}]"#,
            Ok("[2,3]"),
        ),
        (
            r#"{"foo":"bar","qux":{"baz":1,"bar":null}}"#,
            r#"[{"op":"remove","path":"/qux/bar"}]"#,
            Ok(r#"{"foo":"bar","qux":{"baz":1}}"#),
        ),
        // AllowMissingPathOnRemove: a missing member, index or parent removes nothing.
        (
            r#"{"a":{"b":{"d":1}}}"#,
            r#"[{"op":"remove","path":"/a/b/c"}]"#,
            Ok(r#"{"a":{"b":{"d":1}}}"#),
        ),
        (
            r#"{"a":{"b":{"d":1}}}"#,
            r#"[{"op":"remove","path":"/x/y/z"}]"#,
            Ok(r#"{"a":{"b":{"d":1}}}"#),
        ),
        (
            r#"[1,2,3]"#,
            r#"[{"op":"remove","path":"/10"}]"#,
            Ok("[1,2,3]"),
        ),
        (
            r#"[1,2,3]"#,
            r#"[{"op":"remove","path":"/3"}]"#,
            Ok("[1,2,3]"),
        ),
        (
            r#"[1,2,3]"#,
            r#"[{"op":"remove","path":"/-10"}]"#,
            Ok("[1,2,3]"),
        ),
        (
            r#"[1,2,3]"#,
            r#"[{"op":"remove","path":"/10/x/y/z"}]"#,
            Ok("[1,2,3]"),
        ),
        (
            r#"{"foo":[]}"#,
            r#"[{"op":"remove","path":"/foo/-1"}]"#,
            Ok(r#"{"foo":[]}"#),
        ),
        (
            r#"{"a":"s"}"#,
            r#"[{"op":"remove","path":"/a/b"}]"#,
            Ok(r#"{"a":"s"}"#),
        ),
        (
            r#"{"a":1}"#,
            r#"[{"op":"remove","path":"nothing"}]"#,
            Ok(r#"{"a":1}"#),
        ),
        // ...but an array token must still be an integer.
        (
            r#"{"foo":[]}"#,
            r#"[{"op":"remove","path":"/foo/-"}]"#,
            Err(r#"error in remove for path: '/foo/-': strconv.Atoi: parsing "-": invalid syntax"#),
        ),
        (
            r#"{"foo":[1]}"#,
            r#"[{"op":"remove","path":"/foo/a\"b"}]"#,
            Err(
                r#"error in remove for path: '/foo/a"b': strconv.Atoi: parsing "a\"b": invalid syntax"#,
            ),
        ),
    ]);
    // The remaining members keep their order.
    check_text(
        r#"{"z":1,"a":2,"y":3,"b":4}"#,
        r#"[{"op":"remove","path":"/y"}]"#,
        r#"{"z":1,"a":2,"b":4}"#,
    );
}

#[test]
fn replace_needs_an_existing_target() {
    check(&[
        (
            r#"{"baz":"qux","foo":"bar"}"#,
            r#"[{"op":"replace","path":"/baz","value":"boo"}]"#,
            Ok(r#"{"baz":"boo","foo":"bar"}"#),
        ),
        (
            r#"{"foo":["bar","qux","baz"]}"#,
            r#"[{"op":"replace","path":"/foo/1","value":"bum"}]"#,
            Ok(r#"{"foo":["bar","bum","baz"]}"#),
        ),
        (
            r#"[{"foo":["bar","qux","baz"]}]"#,
            r#"[{"op":"replace","path":"/0/foo/0","value":"bum"}]"#,
            Ok(r#"[{"foo":["bum","qux","baz"]}]"#),
        ),
        (
            r#"{"bar":[{"baz":null}]}"#,
            r#"[{"op":"replace","path":"/bar/0/baz","value":1}]"#,
            Ok(r#"{"bar":[{"baz":1}]}"#),
        ),
        (
            r#"{"bar":[{"baz":1}]}"#,
            r#"[{"op":"replace","path":"/bar/0/baz","value":null}]"#,
            Ok(r#"{"bar":[{"baz":null}]}"#),
        ),
        (
            r#"{"bar":[null]}"#,
            r#"[{"op":"replace","path":"/bar/0","value":1}]"#,
            Ok(r#"{"bar":[1]}"#),
        ),
        (
            r#"{"baz":"qux"}"#,
            r#"[{"op":"replace","path":"/foo","value":"bar"}]"#,
            Err("replace operation does not apply: doc is missing key: /foo: missing value"),
        ),
        (
            r#"{"foo":["bar","baz"]}"#,
            r#"[{"op":"replace","path":"/foo/2","value":"bum"}]"#,
            Err("replace operation does not apply: doc is missing key: /foo/2: missing value"),
        ),
        (
            r#"{"name":{"foo":"bat"}}"#,
            r#"[{"op":"replace","path":"/foo/bar","value":"baz"}]"#,
            Err("replace operation does not apply: doc is missing path: /foo/bar: missing value"),
        ),
        // No parents are created for replace, and null is not a container.
        (
            r#"{"foo":{"bar":[]}}"#,
            r#"[{"op":"replace","path":"/foo/bar","value":null},{"op":"add","path":"/foo/bar/0","value":"blah"}]"#,
            Err("invalid state detected"),
        ),
    ]);
    // A replaced member keeps its place.
    check_text(
        r#"{"a":1,"b":2,"c":3}"#,
        r#"[{"op":"replace","path":"/b","value":[]}]"#,
        r#"{"a":1,"b":[],"c":3}"#,
    );
}

#[test]
fn the_whole_document() {
    check(&[
        (
            r#"{}"#,
            r#"[{"op":"replace","path":"","value":{"a":1}}]"#,
            Ok(r#"{"a":1}"#),
        ),
        (
            r#"{}"#,
            r#"[{"op":"replace","path":"","value":[1]}]"#,
            Ok("[1]"),
        ),
        (
            r#"{}"#,
            r#"[{"op":"replace","path":"","value":null}]"#,
            Ok("null"),
        ),
        (
            r#"{}"#,
            r#"[{"op":"replace","path":"","value":"x"}]"#,
            Err("replace operation value must be object or array: %!w(<nil>)"),
        ),
        (
            r#"{}"#,
            r#"[{"op":"add","path":"","value":{"foo":"bar"}}]"#,
            Ok(r#"{"foo":"bar"}"#),
        ),
        (
            r#"[]"#,
            r#"[{"op":"add","path":"","value":{"foo":"bar"}},{"op":"add","path":"/qux","value":1}]"#,
            Ok(r#"{"foo":"bar","qux":1}"#),
        ),
        (
            r#"{"foo":"bar"}"#,
            r#"[{"op":"add","path":"","value":"qux"}]"#,
            Err(
                "json: cannot unmarshal string into Go value of type map[string]*jsonpatch.lazyNode",
            ),
        ),
        (
            r#"{"id":"0","parent":"0"}"#,
            r#"[{"op":"test","path":"","value":{"parent":"0","id":"0"}},{"op":"replace","path":"","value":{"id":"1","parent":"0"}}]"#,
            Ok(r#"{"id":"1","parent":"0"}"#),
        ),
        (
            r#"{"a":1}"#,
            r#"[{"op":"test","path":"","value":{"a":2}}]"#,
            Err("testing value  failed: test failed"),
        ),
        (
            r#"{"foo":"bar"}"#,
            r#"[{"op":"move","from":"","path":"/qux"}]"#,
            Err("unable to move entire document to another path: invalid state detected"),
        ),
        // A document that is not an object holds no members.
        (
            r#""text""#,
            r#"[{"op":"add","path":"/a","value":1}]"#,
            Err("error in add for path: '/a': invalid value, expected object"),
        ),
        (
            r#"5"#,
            r#"[{"op":"replace","path":"","value":{"a":1}}]"#,
            Ok(r#"{"a":1}"#),
        ),
    ]);
}

#[test]
fn move_removes_then_adds() {
    check(&[
        (
            r#"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
            r#"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
            Ok(r#"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#),
        ),
        // The destination index is read after the removal.
        (
            r#"{"foo":["all","grass","cows","eat"]}"#,
            r#"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
            Ok(r#"{"foo":["all","cows","eat","grass"]}"#),
        ),
        (
            r#"{"foo":["all","grass","cows","eat"]}"#,
            r#"[{"op":"move","from":"/foo/1","path":"/foo/2"}]"#,
            Ok(r#"{"foo":["all","cows","grass","eat"]}"#),
        ),
        (
            r#"{"foo":["all","grass","cows","eat"]}"#,
            r#"[{"op":"move","from":"/foo/1","path":"/foo/4"}]"#,
            Err(
                "error in move for path: '/foo/4': Unable to access invalid index: 4: invalid index referenced",
            ),
        ),
        // Into a child of itself: the child's parent is gone once the value is removed.
        (
            r#"{"a":{"b":1}}"#,
            r#"[{"op":"move","from":"/a","path":"/a/c"}]"#,
            Err(
                "move operation does not apply: doc is missing destination path: /a/c: missing value",
            ),
        ),
        // No parents are created.
        (
            r#"{"a":1}"#,
            r#"[{"op":"move","from":"/a","path":"/x/y"}]"#,
            Err(
                "move operation does not apply: doc is missing destination path: /x/y: missing value",
            ),
        ),
        // The error names the last token of `from`.
        (
            r#"{"a":{"b":{"d":1}}}"#,
            r#"[{"op":"move","from":"/a/b/c","path":"/a/b/e"}]"#,
            Err("error in move for path: 'c': unable to get nonexistent key: c: missing value"),
        ),
        (
            r#"{"a":{"b":[1]}}"#,
            r#"[{"op":"move","from":"/a/b/1","path":"/a/b/2"}]"#,
            Err(
                "error in move for path: '1': Unable to access invalid index: 1: invalid index referenced",
            ),
        ),
        (
            r#"{"a":1}"#,
            r#"[{"op":"move","from":"/x/y","path":"/z"}]"#,
            Err("move operation does not apply: doc is missing from path: /x/y: missing value"),
        ),
        (
            r#"{"a":[1,2]}"#,
            r#"[{"op":"move","from":"/a/-1","path":"/a/0"}]"#,
            Ok(r#"{"a":[2,1]}"#),
        ),
    ]);
    // Moving a member onto itself puts it last.
    check_text(
        r#"{"a":1,"b":2}"#,
        r#"[{"op":"move","from":"/a","path":"/a"}]"#,
        r#"{"b":2,"a":1}"#,
    );
    // Member order through a sequence of operations.
    check_text(
        r#"{"z":"1","a":["baz"],"y":3,"b":true,"x":null}"#,
        r#"[{"op":"add","path":"/foo","value":"bar"},
            {"op":"replace","path":"/b","value":{"zz":1,"aa":"foo","yy":true,"bb":null}},
            {"op":"copy","from":"/foo","path":"/b/cc"},
            {"op":"move","from":"/z","path":"/a/0"},
            {"op":"remove","path":"/y"}]"#,
        r#"{"a":["1","baz"],"b":{"zz":1,"aa":"foo","yy":true,"bb":null,"cc":"bar"},"x":null,"foo":"bar"}"#,
    );
}

#[test]
fn copy_adds_a_deep_copy() {
    check(&[
        (
            r#"[{"foo":["bar","qux","baz"],"bar":["qux","baz"]}]"#,
            r#"[{"op":"copy","from":"/0/foo/0","path":"/0/bar/0"}]"#,
            Ok(r#"[{"foo":["bar","qux","baz"],"bar":["bar","qux","baz"]}]"#),
        ),
        (
            r#"[{"foo":["bar","qux","baz"],"bar":["qux","baz"]}]"#,
            r#"[{"op":"copy","from":"/0/foo/0","path":"/0/bar"}]"#,
            Ok(r#"[{"foo":["bar","qux","baz"],"bar":"bar"}]"#),
        ),
        (
            r#"{"foo":["bar"]}"#,
            r#"[{"op":"copy","from":"/foo","path":"/foo/0"}]"#,
            Ok(r#"{"foo":[["bar"],"bar"]}"#),
        ),
        (
            r#"{"foo":null}"#,
            r#"[{"op":"copy","from":"/foo","path":"/bar"}]"#,
            Ok(r#"{"foo":null,"bar":null}"#),
        ),
        (
            r#"{"foo":1}"#,
            r#"[{"op":"copy","from":"","path":"/bar"}]"#,
            Ok(r#"{"foo":1,"bar":{"foo":1}}"#),
        ),
        (
            r#"[{"foo":1}]"#,
            r#"[{"op":"copy","from":"","path":"/1"}]"#,
            Ok(r#"[{"foo":1},[{"foo":1}]]"#),
        ),
        (
            r#"{"foo":"bar"}"#,
            r#"[{"op":"copy","from":"/baz","path":"/qux"}]"#,
            Err(
                "error in copy for from: '/baz': unable to get nonexistent key: baz: missing value",
            ),
        ),
        (
            r#"{"foo":["bar"]}"#,
            r#"[{"op":"copy","from":"/foo/0","path":"/foo/2"}]"#,
            Err(
                "error while adding value during copy: Unable to access invalid index: 2: invalid index referenced",
            ),
        ),
        (
            r#"{"foo":["bar"]}"#,
            r#"[{"op":"copy","from":"/","path":"/foo/6666666666"}]"#,
            Err(
                "error while adding value during copy: Unable to access invalid index: 6666666666: invalid index referenced",
            ),
        ),
        (
            r#"{"a":1}"#,
            r#"[{"op":"copy","from":"/x/y","path":"/b"}]"#,
            Err(
                r#"copy operation does not apply: doc is missing from path: "/x/y": missing value"#,
            ),
        ),
        (
            r#"{"a":1}"#,
            r#"[{"op":"copy","from":"/a","path":"/x/y"}]"#,
            Err(
                "copy operation does not apply: doc is missing destination path: /x/y: missing value",
            ),
        ),
        // A copy is independent of its source.
        (
            r#"{"a":{"b":1}}"#,
            r#"[{"op":"copy","from":"/a","path":"/c"},{"op":"replace","path":"/c/b","value":2}]"#,
            Ok(r#"{"a":{"b":1},"c":{"b":2}}"#),
        ),
    ]);
}

#[test]
fn test_compares_values() {
    check(&[
        (
            r#"{"baz":"qux","foo":["a",2,"c"]}"#,
            r#"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
            Ok(r#"{"baz":"qux","foo":["a",2,"c"]}"#),
        ),
        (
            r#"{"baz":"qux"}"#,
            r#"[{"op":"test","path":"/baz","value":"bar"}]"#,
            Err("testing value /baz failed: test failed"),
        ),
        (
            r#"{"baz":"qux","foo":["a",2,"c"]}"#,
            r#"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":"c"}]"#,
            Err("testing value /foo/1 failed: test failed"),
        ),
        (
            r#"{"baz":"qux"}"#,
            r#"[{"op":"test","path":"/foo","value":42}]"#,
            Err("testing value /foo failed: test failed"),
        ),
        // null: equal to a missing member and to a null of the document.
        (
            r#"{"baz":"qux"}"#,
            r#"[{"op":"test","path":"/foo","value":null}]"#,
            Ok(r#"{"baz":"qux"}"#),
        ),
        (
            r#"{"foo":null}"#,
            r#"[{"op":"test","path":"/foo","value":null}]"#,
            Ok(r#"{"foo":null}"#),
        ),
        (
            r#"{"foo":{}}"#,
            r#"[{"op":"test","path":"/foo","value":null}]"#,
            Err("testing value /foo failed: test failed"),
        ),
        (
            r#"{"foo":[]}"#,
            r#"[{"op":"test","path":"/foo","value":null}]"#,
            Err("testing value /foo failed: test failed"),
        ),
        (
            r#"{"foo":null}"#,
            r#"[{"op":"test","path":"/foo","value":0}]"#,
            Err("testing value /foo failed: test failed"),
        ),
        // No value is null.
        (
            r#"{"foo":[]}"#,
            r#"[{"op":"test","path":"/foo"}]"#,
            Err("testing value /foo failed: test failed"),
        ),
        (
            r#"{"baz":[]}"#,
            r#"[{"op":"test","path":"/foo"}]"#,
            Ok(r#"{"baz":[]}"#),
        ),
        // Objects regardless of member order, arrays in order, nested nulls.
        (
            r#"{"a":{"x":1,"y":[1,{"z":null}]}}"#,
            r#"[{"op":"test","path":"/a","value":{"y":[1,{"z":null}],"x":1}}]"#,
            Ok(r#"{"a":{"x":1,"y":[1,{"z":null}]}}"#),
        ),
        (
            r#"{"a":[1,2]}"#,
            r#"[{"op":"test","path":"/a","value":[2,1]}]"#,
            Err("testing value /a failed: test failed"),
        ),
        (
            r#"{"a":{"x":1}}"#,
            r#"[{"op":"test","path":"/a","value":{"x":1,"y":null}}]"#,
            Err("testing value /a failed: test failed"),
        ),
        // An integer is not a float.
        (
            r#"{"a":1}"#,
            r#"[{"op":"test","path":"/a","value":1.0}]"#,
            Err("testing value /a failed: test failed"),
        ),
        (
            r#"{"a":"1"}"#,
            r#"[{"op":"test","path":"/a","value":1}]"#,
            Err("testing value /a failed: test failed"),
        ),
        (
            r#"{"a":"é"}"#,
            r#"[{"op":"test","path":"/a","value":"\u00e9"}]"#,
            Ok(r#"{"a":"é"}"#),
        ),
        (
            r#"{"a":1}"#,
            r#"[{"op":"test","path":"/x/y","value":1}]"#,
            Err("test operation does not apply: is missing path: /x/y: missing value"),
        ),
        (
            r#"{"a":[1]}"#,
            r#"[{"op":"test","path":"/a/5","value":1}]"#,
            Err(
                "error in test for path: '/a/5': Unable to access invalid index: 5: invalid index referenced",
            ),
        ),
        (
            r#"{"a":[1]}"#,
            r#"[{"op":"test","path":"/a/-","value":1}]"#,
            Err(r#"error in test for path: '/a/-': strconv.Atoi: parsing "-": invalid syntax"#),
        ),
    ]);
}

#[test]
fn nulls_from_the_patch_differ_from_nulls_of_the_document() {
    check(&[
        // A null added by the patch is not "nothing": testing it against null fails...
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a","value":null},{"op":"test","path":"/a","value":null}]"#,
            Err("testing value /a failed: test failed"),
        ),
        (
            r#"{"a":1}"#,
            r#"[{"op":"replace","path":"/a","value":null},{"op":"test","path":"/a","value":null}]"#,
            Err("testing value /a failed: test failed"),
        ),
        // ...and creating a path through it fails, where a document null is replaced.
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a","value":null},{"op":"add","path":"/a/b","value":1}]"#,
            Err("invalid state detected"),
        ),
        (
            r#"{"a":null}"#,
            r#"[{"op":"add","path":"/a/b","value":1}]"#,
            Ok(r#"{"a":{"b":1}}"#),
        ),
        // Nulls nested in a value are document nulls.
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a","value":{"b":null}},{"op":"test","path":"/a/b","value":null}]"#,
            Ok(r#"{"a":{"b":null}}"#),
        ),
        // A copy keeps the kind of a null at the top and makes nested ones document nulls.
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a","value":null},{"op":"copy","from":"/a","path":"/b"},{"op":"test","path":"/b","value":null}]"#,
            Err("testing value /b failed: test failed"),
        ),
        (
            r#"{"c":{}}"#,
            r#"[{"op":"add","path":"/c/d","value":null},{"op":"copy","from":"/c","path":"/e"},{"op":"test","path":"/e/d","value":null}]"#,
            Ok(r#"{"c":{"d":null},"e":{"d":null}}"#),
        ),
        // The nulls that pad arrays come from the patch.
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/2","value":"x"},{"op":"test","path":"/a/0","value":null}]"#,
            Err("testing value /a/0 failed: test failed"),
        ),
    ]);
}

#[test]
fn add_creates_missing_parents() {
    check(&[
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a","value":"hello"}]"#,
            Ok(r#"{"a":"hello"}"#),
        ),
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/b","value":"hello"}]"#,
            Ok(r#"{"a":{"b":"hello"}}"#),
        ),
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/b/c","value":"hello"}]"#,
            Ok(r#"{"a":{"b":{"c":"hello"}}}"#),
        ),
        (
            r#"{"a":{}}"#,
            r#"[{"op":"add","path":"/a/b/c","value":"hello"}]"#,
            Ok(r#"{"a":{"b":{"c":"hello"}}}"#),
        ),
        (
            r#"{"a":{}}"#,
            r#"[{"op":"add","path":"/x/y/z","value":"hello"}]"#,
            Ok(r#"{"a":{},"x":{"y":{"z":"hello"}}}"#),
        ),
        // An integer or "-" after a missing value makes it an array.
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/0/b","value":"hello"}]"#,
            Ok(r#"{"a":[{"b":"hello"}]}"#),
        ),
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/b/0","value":"hello"}]"#,
            Ok(r#"{"a":{"b":["hello"]}}"#),
        ),
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/b/-","value":"hello"}]"#,
            Ok(r#"{"a":{"b":["hello"]}}"#),
        ),
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/b/-1","value":"hello"}]"#,
            Ok(r#"{"a":{"b":["hello"]}}"#),
        ),
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/b/-1/c","value":"hello"}]"#,
            Ok(r#"{"a":{"b":[{"c":"hello"}]}}"#),
        ),
        (
            r#"{"a":{"b":[{"c":"whatever"}]}}"#,
            r#"[{"op":"add","path":"/a/b/-1/c","value":"hello"}]"#,
            Ok(r#"{"a":{"b":[{"c":"hello"}]}}"#),
        ),
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/0/0","value":"hello"}]"#,
            Ok(r#"{"a":[["hello"]]}"#),
        ),
        (
            r#"{"a":[]}"#,
            r#"[{"op":"add","path":"/a/-1","value":"hello"}]"#,
            Ok(r#"{"a":["hello"]}"#),
        ),
        (
            r#"{"a":[{}]}"#,
            r#"[{"op":"add","path":"/a/-1/b/c","value":"hello"}]"#,
            Ok(r#"{"a":[{"b":{"c":"hello"}}]}"#),
        ),
        // Arrays are padded with nulls up to the index.
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/b/3","value":"hello"}]"#,
            Ok(r#"{"a":{"b":[null,null,null,"hello"]}}"#),
        ),
        (
            r#"{"a":[{"b":"whatever"}]}"#,
            r#"[{"op":"add","path":"/a/2/b/c","value":"hello"}]"#,
            Ok(r#"{"a":[{"b":"whatever"},null,{"b":{"c":"hello"}}]}"#),
        ),
        (
            r#"{"a":[{"b":"whatever"}]}"#,
            r#"[{"op":"add","path":"/a/1/b/c","value":"hello"}]"#,
            Ok(r#"{"a":[{"b":"whatever"},{"b":{"c":"hello"}}]}"#),
        ),
        (
            r#"{"foo":[{"bar":[{"baz0":"123"}]}]}"#,
            r#"[{"op":"add","path":"/foo/0/bar/-","value":{"baz1":"456"}}]"#,
            Ok(r#"{"foo":[{"bar":[{"baz0":"123"},{"baz1":"456"}]}]}"#),
        ),
        (
            r#"{"foo":[{"bar":[{"baz0":"123"}]}]}"#,
            r#"[{"op":"add","path":"/foo/1/bar/0","value":{"baz1":"456"}}]"#,
            Ok(r#"{"foo":[{"bar":[{"baz0":"123"}]},{"bar":[{"baz1":"456"}]}]}"#),
        ),
        (
            r#"{"foo":[{"bar":[{"baz0":"123"}]}]}"#,
            r#"[{"op":"add","path":"/foo/1/bar/-1","value":{"baz1":"456"}}]"#,
            Ok(r#"{"foo":[{"bar":[{"baz0":"123"}]},{"bar":[{"baz1":"456"}]}]}"#),
        ),
        // A document null in an array is missing: the new container goes before it.
        (
            r#"{"a":[null]}"#,
            r#"[{"op":"add","path":"/a/0/b","value":1}]"#,
            Ok(r#"{"a":[{"b":1},null]}"#),
        ),
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/b/-2","value":1}]"#,
            Err(
                "Unable to ensure path for negative index other than -1: -2: invalid index referenced",
            ),
        ),
        (
            r#"{"a":"x"}"#,
            r#"[{"op":"add","path":"/a/b/c","value":1}]"#,
            Err("invalid state detected"),
        ),
        // A missing parent is created under its name as written: an escaped name cannot be
        // found again.
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a~1b/c","value":1}]"#,
            Err(r#"add operation does not apply: doc is missing path: "/a~1b/c": missing value"#),
        ),
        (
            r#"{"a~1b":{}}"#,
            r#"[{"op":"add","path":"/a~1b/c","value":1}]"#,
            Err(r#"add operation does not apply: doc is missing path: "/a~1b/c": missing value"#),
        ),
        (
            r#"{"a/b":{}}"#,
            r#"[{"op":"add","path":"/a~1b/c","value":1}]"#,
            Ok(r#"{"a/b":{"c":1}}"#),
        ),
        // An array too short for a negative index: the container is created nowhere.
        (
            r#"{"a":[]}"#,
            r#"[{"op":"add","path":"/a/-3/b","value":1}]"#,
            Err(r#"add operation does not apply: doc is missing path: "/a/-3/b": missing value"#),
        ),
        (
            r#"{"a":[]}"#,
            r#"[{"op":"add","path":"/a/-3/b/-5/c","value":1}]"#,
            Err(
                "Unable to ensure path for negative index other than -1: -5: invalid index referenced",
            ),
        ),
        (
            r#"{}"#,
            r#"[{"op":"add","path":"/a/1000000000/b","value":1}]"#,
            Err(
                "Unable to ensure path for index 1000000000: arrays are padded to at most 262144 elements",
            ),
        ),
    ]);
}

#[test]
fn pointers_decode_like_evanphx() {
    check(&[
        (
            r#"{"baz/foo":"qux"}"#,
            r#"[{"op":"test","path":"/baz~1foo","value":"qux"}]"#,
            Ok(r#"{"baz/foo":"qux"}"#),
        ),
        (
            r#"{"m~n":1}"#,
            r#"[{"op":"replace","path":"/m~0n","value":2}]"#,
            Ok(r#"{"m~n":2}"#),
        ),
        // One pass: ~01 is "~1", not "/".
        (
            r#"{"~1":1,"/":2}"#,
            r#"[{"op":"remove","path":"/~01"}]"#,
            Ok(r#"{"/":2}"#),
        ),
        // Other tildes are kept.
        (
            r#"{"a~2":1}"#,
            r#"[{"op":"remove","path":"/a~2"}]"#,
            Ok("{}"),
        ),
        // Before the first slash anything goes; without a slash there is nothing.
        (
            r#"{"a":{"b":1}}"#,
            r#"[{"op":"replace","path":"x/a","value":5}]"#,
            Ok(r#"{"a":5}"#),
        ),
        (
            r#"{"a":1}"#,
            r#"[{"op":"add","path":"a","value":2}]"#,
            Err(r#"add operation does not apply: doc is missing path: "a": missing value"#),
        ),
    ]);
}

#[test]
fn the_empty_token() {
    check(&[
        // At "": the member "" of the document, or an error in an array.
        (
            r#"{"":1,"a":2}"#,
            r#"[{"op":"remove","path":""}]"#,
            Ok(r#"{"a":2}"#),
        ),
        (
            r#"[1]"#,
            r#"[{"op":"remove","path":""}]"#,
            Err(r#"error in remove for path: '': strconv.Atoi: parsing "": invalid syntax"#),
        ),
        (
            r#"{"a":[]}"#,
            r#"[{"op":"add","path":"/a/","value":1}]"#,
            Err(
                r#"error in add for path: '/a/': value was not a proper array index: '': strconv.Atoi: parsing "": invalid syntax"#,
            ),
        ),
        // Member "" is an ordinary member for add and remove.
        (
            r#"{"a":{}}"#,
            r#"[{"op":"add","path":"/a/","value":1}]"#,
            Ok(r#"{"a":{"":1}}"#),
        ),
        (
            r#"{"a":{"":1}}"#,
            r#"[{"op":"remove","path":"/a/"}]"#,
            Ok(r#"{"a":{}}"#),
        ),
        // replace finds it even when it is missing; test reads it as nothing.
        (
            r#"{"a":{}}"#,
            r#"[{"op":"replace","path":"/a/","value":1}]"#,
            Ok(r#"{"a":{"":1}}"#),
        ),
        (
            r#"{"a":{"":1}}"#,
            r#"[{"op":"test","path":"/a/","value":null}]"#,
            Ok(r#"{"a":{"":1}}"#),
        ),
        // In the middle of a path below the root it leads nowhere.
        (
            r#"{"a":{"":{"b":1}}}"#,
            r#"[{"op":"replace","path":"/a//b","value":2}]"#,
            Err("replace operation does not apply: doc is missing path: /a//b: missing value"),
        ),
        // At the root it is the document as it was before the patch, and writes there are lost.
        (
            r#"{"a":1}"#,
            r#"[{"op":"add","path":"/b","value":2},{"op":"copy","from":"","path":"/c"}]"#,
            Ok(r#"{"a":1,"b":2,"c":{"a":1}}"#),
        ),
        (
            r#"{"a":1}"#,
            r#"[{"op":"add","path":"/b","value":2},{"op":"test","path":"/","value":{"a":1}}]"#,
            Ok(r#"{"a":1,"b":2}"#),
        ),
        (
            r#"{"a":1}"#,
            r#"[{"op":"replace","path":"//a","value":2},{"op":"test","path":"//a","value":2}]"#,
            Ok(r#"{"a":1}"#),
        ),
        (
            r#"{"a":1}"#,
            r#"[{"op":"replace","path":"","value":{"a":1}},{"op":"replace","path":"//a","value":2}]"#,
            Err("replace operation does not apply: doc is missing path: //a: missing value"),
        ),
        (
            r#"[1]"#,
            r#"[{"op":"replace","path":"/","value":2}]"#,
            Err(r#"error in remove for path: '/': strconv.Atoi: parsing "": invalid syntax"#),
        ),
    ]);
}

#[test]
fn a_failed_patch_changes_nothing() {
    let original = json!({"a": [1, 2], "b": {"c": true}});
    let mut doc = original.clone();
    let ops = vec![
        PatchOp::add("/a/-", json!(3)),
        PatchOp::remove("/b/c"),
        PatchOp::replace("/missing", json!(0)),
    ];
    let err = apply(&mut doc, &ops).err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("replace operation does not apply: doc is missing key: /missing: missing value")
    );
    assert_eq!(doc, original);
    // Operations are validated before anything is applied.
    let invalid = vec![
        PatchOp::remove("/a"),
        PatchOp {
            value: None,
            ..PatchOp::add("/x", json!(1))
        },
    ];
    assert_eq!(
        apply(&mut doc, &invalid).map_err(|e| e.to_string()),
        Err(r#"invalid operation {"op":"add","path":"/x"}: failed to decode 'value': operation, missing value field: missing value"#.to_owned())
    );
    assert_eq!(doc, original);
    assert_eq!(apply(&mut doc, &[]), Ok(()));
    assert_eq!(doc, original);
}

#[test]
fn errors_are_structured() {
    let mut doc = json!({"a": [1]});
    let err = apply(&mut doc, &[PatchOp::add("/a/5", json!(1))]).err();
    assert_eq!(
        err,
        Some(PatchError::Access {
            at: AccessSite::Add {
                path: "/a/5".into()
            },
            cause: AccessError::InvalidIndex(5),
        })
    );
    let err = apply(&mut doc, &[PatchOp::test("/a/0", json!(2))]).err();
    assert_eq!(
        err,
        Some(PatchError::TestFailed {
            path: "/a/0".into()
        })
    );
}

#[test]
fn parse_checks_operations_like_decode_patch() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{}"#,
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
        ),
        (
            r#""x""#,
            "json: cannot unmarshal string into Go value of type jsonpatch.Patch",
        ),
        (
            r#"[1]"#,
            "json: cannot unmarshal number into Go value of type jsonpatch.Operation",
        ),
        (r#"[null]"#, "invalid operation null: unsupported operation"),
        (
            r#"[{"op":"foo","path":"/a"}]"#,
            r#"invalid operation {"op":"foo","path":"/a"}: unsupported operation"#,
        ),
        (
            r#"[{"op":"Add","path":"/a","value":1}]"#,
            r#"invalid operation {"op":"Add","path":"/a","value":1}: unsupported operation"#,
        ),
        (
            r#"[{"op":null,"path":""}]"#,
            r#"invalid operation {"op":null,"path":""}: unsupported operation"#,
        ),
        (
            r#"[{"path":"/a"}]"#,
            r#"invalid operation {"path":"/a"}: unsupported operation"#,
        ),
        (
            r#"[{"op":"add","pathz":"/baz","value":"qux"}]"#,
            r#"invalid operation {"op":"add","pathz":"/baz","value":"qux"}: failed to decode 'path': operation missing path field: missing value"#,
        ),
        (
            r#"[{"op":"add","path":null}]"#,
            r#"invalid operation {"op":"add","path":null}: failed to decode 'value': operation, missing value field: missing value"#,
        ),
        (
            r#"[{"value":1,"op":"replace","path":null}]"#,
            r#"invalid operation {"op":"replace","path":null,"value":1}: failed to decode 'path': operation missing path field: missing value"#,
        ),
        (
            r#"[{"op":"copy","from":null}]"#,
            r#"invalid operation {"from":null,"op":"copy"}: failed to decode 'from': operation, missing from field: missing value"#,
        ),
        (
            r#"[{"op":"move","path":"/a"}]"#,
            r#"invalid operation {"op":"move","path":"/a"}: failed to decode 'from': operation, missing from field: missing value"#,
        ),
        (
            r#"[{"op":"move","from":1,"path":"/a"}]"#,
            r#"invalid operation {"from":1,"op":"move","path":"/a"}: failed to decode 'from': json: cannot unmarshal number into Go value of type string"#,
        ),
        (
            r#"[{"op":"remove","path":["/a"]}]"#,
            r#"invalid operation {"op":"remove","path":["/a"]}: failed to decode 'path': json: cannot unmarshal array into Go value of type string"#,
        ),
        (
            r#"[{"op":"x","path":"/<&>","z":{"b":1,"a":2}}]"#,
            r#"invalid operation {"op":"x","path":"/\u003c\u0026\u003e","z":{"b":1,"a":2}}: unsupported operation"#,
        ),
    ];
    for (patch, want) in cases {
        let got = parse(&from_json(patch))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(got, Err((*want).to_owned()), "{patch}");
    }
    // null is an empty patch; unused members are ignored; null is a value; test needs none.
    assert_eq!(parse(&Value::Null), Ok(vec![]));
    let ops = parse(&json!([
        {"op": "add", "path": "/a", "value": null, "from": "/ignored"},
        {"op": "remove", "path": "/b", "value": 1},
        {"op": "test", "path": "/c"},
        {"op": "copy", "from": "/d", "path": "/e"},
    ]));
    assert_eq!(
        ops,
        Ok(vec![
            PatchOp::add("/a", Value::Null),
            PatchOp::remove("/b"),
            PatchOp {
                value: None,
                ..PatchOp::test("/c", Value::Null)
            },
            PatchOp::copy_value("/d", "/e"),
        ])
    );
}

#[test]
fn serde_uses_the_rfc_form() {
    let ops = vec![
        PatchOp::add("/a", json!({"b": null})),
        PatchOp::remove("/a"),
        PatchOp::replace("/a", Value::Null),
        PatchOp::move_value("/a", "/b"),
        PatchOp::copy_value("/a", "/b"),
        PatchOp::test("/a", json!(1)),
    ];
    let text = serde_json::to_string(&ops).unwrap_or_default();
    assert_eq!(
        text,
        r#"[{"op":"add","path":"/a","value":{"b":null}},{"op":"remove","path":"/a"},{"op":"replace","path":"/a","value":null},{"op":"move","path":"/b","from":"/a"},{"op":"copy","path":"/b","from":"/a"},{"op":"test","path":"/a","value":1}]"#
    );
    let back: Vec<PatchOp> = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(back, ops);
    assert_eq!(
        serde_json::to_value(&ops).ok(),
        Some(Value::Array(ops.iter().map(PatchOp::to_json).collect()))
    );
    // Members of other ops are not written.
    let odd = PatchOp {
        from: Some("/x".into()),
        value: Some(json!(1)),
        ..PatchOp::remove("/a")
    };
    assert_eq!(
        serde_json::to_string(&odd).ok().as_deref(),
        Some(r#"{"op":"remove","path":"/a"}"#)
    );
    // Deserializing validates.
    let err = serde_json::from_str::<PatchOp>(r#"{"op":"add","path":"/a"}"#)
        .err()
        .map(|e| e.to_string());
    assert!(err.is_some_and(|e| e.contains("missing value field")));
    assert_eq!(serde_json::from_str::<Op>(r#""copy""#).ok(), Some(Op::Copy));
}

#[test]
fn atoi_matches_go() {
    use super::pointer::atoi;
    assert_eq!(atoi("0"), Ok(0));
    assert_eq!(atoi("-0"), Ok(0));
    assert_eq!(atoi("+12"), Ok(12));
    assert_eq!(atoi("007"), Ok(7));
    assert_eq!(atoi("-9223372036854775808"), Ok(i64::MIN));
    assert_eq!(atoi("9223372036854775807"), Ok(i64::MAX));
    let text = |s: &str| atoi(s).err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        text("9223372036854775808"),
        r#"strconv.Atoi: parsing "9223372036854775808": value out of range"#
    );
    assert_eq!(
        text("-9223372036854775809"),
        r#"strconv.Atoi: parsing "-9223372036854775809": value out of range"#
    );
    // The first problem from the left decides, as in Go's ParseUint.
    assert_eq!(
        text("99999999999999999999x"),
        r#"strconv.Atoi: parsing "99999999999999999999x": value out of range"#
    );
    assert_eq!(
        text("9223372036854775808x"),
        r#"strconv.Atoi: parsing "9223372036854775808x": invalid syntax"#
    );
    for bad in ["", "-", "+", " 1", "1 ", "1e3", "0x10", "1_0"] {
        assert!(!atoi(bad).is_err_and(|e| e.out_of_range), "{bad:?}");
        assert!(atoi(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        text("a\tb"),
        r#"strconv.Atoi: parsing "a\tb": invalid syntax"#
    );
}

// ---------------------------------------------------------------------------------------------
// diff

/// Applies `diff(from, to)` to `from` and checks that it gives `to`; returns the patch.
fn round_trip(from: &Value, to: &Value) -> Vec<PatchOp> {
    let ops = diff(from, to);
    let mut doc = from.clone();
    if let Err(e) = apply(&mut doc, &ops) {
        panic!("diff of {from} -> {to} does not apply: {e}\n{}", json!(ops));
    }
    assert_eq!(&doc, to, "diff of {from} -> {to} gave {}", json!(ops));
    // And through the JSON form, as an API server would read it.
    let reread = parse(&json!(ops));
    assert_eq!(reread.as_ref().ok(), Some(&ops));
    ops
}

#[test]
fn inserting_into_the_middle_of_an_array_is_one_add() {
    let from: Vec<Value> = (0..10)
        .map(|i| json!({"name": format!("c{i}"), "n": i}))
        .collect();
    let mut to = from.clone();
    to.insert(5, json!({"name": "new", "n": 99}));
    let ops = round_trip(&json!({"list": from}), &json!({"list": to}));
    assert_eq!(
        ops,
        vec![PatchOp::add("/list/5", json!({"name": "new", "n": 99}))]
    );
    // Removing is one remove; with scalars too.
    let ops = round_trip(
        &json!([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
        &json!([0, 1, 2, 4, 5, 6, 7, 8, 9]),
    );
    assert_eq!(ops, vec![PatchOp::remove("/3")]);
    let ops = round_trip(&json!([1, 1, 1]), &json!([1, 1, 1, 1]));
    assert_eq!(ops, vec![PatchOp::add("/3", json!(1))]);
}

#[test]
fn changing_one_field_of_a_container_is_one_replace() {
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "x"}},
        "spec": {"containers": [
            {"name": "a", "image": "nginx:1", "ports": [{"containerPort": 80}]},
            {"name": "b", "image": "busybox:1", "args": ["sleep", "1"]},
            {"name": "c", "image": "redis:7"}
        ]}
    });
    let mut to = pod.clone();
    to["spec"]["containers"][1]["image"] = json!("busybox:2");
    let ops = round_trip(&pod, &to);
    assert_eq!(
        ops,
        vec![PatchOp::replace(
            "/spec/containers/1/image",
            json!("busybox:2")
        )]
    );

    // Several edits: a label added, a container removed, an argument inserted.
    let mut to = pod.clone();
    to["metadata"]["labels"]["tier"] = json!("web");
    to["spec"]["containers"].as_array_mut().map(|c| c.remove(0));
    if let Some(args) = to["spec"]["containers"][0]["args"].as_array_mut() {
        args.insert(1, json!("-c"));
    }
    let ops = round_trip(&pod, &to);
    assert_eq!(
        ops,
        vec![
            PatchOp::add("/metadata/labels/tier", json!("web")),
            PatchOp::remove("/spec/containers/0"),
            PatchOp::add("/spec/containers/0/args/1", json!("-c")),
        ]
    );
}

#[test]
fn diff_shapes() {
    // Equal documents, member order aside.
    assert_eq!(
        diff(
            &json!({"a": 1, "b": [1, {"c": 2}]}),
            &json!({"b": [1, {"c": 2}], "a": 1})
        ),
        vec![]
    );
    // Escaped tokens.
    let ops = round_trip(&json!({"a/b": {"~": 1}}), &json!({"a/b": {"~": 2}}));
    assert_eq!(ops, vec![PatchOp::replace("/a~1b/~0", json!(2))]);
    // The member "" is replaced whole.
    let ops = round_trip(
        &json!({"": {"x": 1, "y": 1}}),
        &json!({"": {"x": 1, "y": 2}}),
    );
    assert_eq!(ops, vec![PatchOp::replace("/", json!({"x": 1, "y": 2}))]);
    // Kinds differ: one replace; the whole document at "".
    let ops = round_trip(&json!({"a": [1]}), &json!({"a": {"0": 1}}));
    assert_eq!(ops, vec![PatchOp::replace("/a", json!({"0": 1}))]);
    let ops = round_trip(&json!([1]), &json!({"a": 1}));
    assert_eq!(ops, vec![PatchOp::replace("", json!({"a": 1}))]);
    round_trip(&json!("x"), &json!([1]));
    round_trip(&json!({"a": 1}), &Value::Null);
    // A scalar cannot replace a document under evanphx's rules: the patch is the RFC one.
    assert_eq!(
        diff(&json!({}), &json!(5)),
        vec![PatchOp::replace("", json!(5))]
    );
    // Members: removes and changes in from's order, then adds in to's order.
    let ops = round_trip(
        &json!({"a": 1, "b": 2, "c": 3}),
        &json!({"d": 4, "c": 30, "a": 1}),
    );
    assert_eq!(
        ops,
        vec![
            PatchOp::remove("/b"),
            PatchOp::replace("/c", json!(30)),
            PatchOp::add("/d", json!(4))
        ]
    );
    // A run of changes: paired in order, then the surplus.
    let ops = round_trip(&json!([0, 1, 2, 9]), &json!([0, 5, 9]));
    assert_eq!(
        ops,
        vec![PatchOp::replace("/1", json!(5)), PatchOp::remove("/2")]
    );
    let ops = round_trip(&json!([0, 9]), &json!([0, 5, 6, 9]));
    assert_eq!(
        ops,
        vec![PatchOp::add("/1", json!(5)), PatchOp::add("/2", json!(6))]
    );
    // Rotations keep the longest common subsequence.
    let ops = round_trip(&json!([1, 2, 3, 4, 5]), &json!([2, 3, 4, 5, 1]));
    assert_eq!(
        ops,
        vec![PatchOp::remove("/0"), PatchOp::add("/4", json!(1))]
    );
}

#[test]
fn diff_member_order() {
    // Kept members stay in from's order, new ones follow in to's order.
    let from = from_json(r#"{"a":1,"b":2,"c":3}"#);
    let to = from_json(r#"{"c":3,"x":0,"a":1,"y":0}"#);
    let mut doc = from.clone();
    assert_eq!(apply(&mut doc, &diff(&from, &to)), Ok(()));
    assert_eq!(doc.to_string(), r#"{"a":1,"c":3,"x":0,"y":0}"#);
}

#[test]
fn long_arrays_fall_back_to_positions() {
    // 1500 × 1500 cells is past the table limit: aligned by position, still correct.
    let from: Vec<Value> = (0..1500).map(|i| json!(i % 7)).collect();
    let to: Vec<Value> = (0..1500).map(|i| json!((i * 3) % 5)).collect();
    const { assert!(1501 * 1501 > LCS_MAX_CELLS) };
    round_trip(&Value::Array(from.clone()), &Value::Array(to));
    // A change in the middle of a long array is still found by trimming.
    let mut to = from.clone();
    to.insert(700, json!("new"));
    to.remove(1200);
    let ops = round_trip(&Value::Array(from), &Value::Array(to));
    assert_eq!(ops.len(), 2);
}

/// Small JSON values over a small alphabet, so that arrays share elements and objects members.
fn small_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0i64..4).prop_map(|n| json!(n)),
        Just(json!(1.5)),
        prop::sample::select(vec!["", "a", "b"]).prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..7).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "c", "", "x/y", "~0", "-", "0"]).prop_map(str::to_owned)
}

/// A document root as `to` may be: an object, an array or null.
fn small_document() -> impl Strategy<Value = Value> {
    small_value().prop_map(|v| match v {
        Value::Object(_) | Value::Array(_) | Value::Null => v,
        other => json!({"a": other}),
    })
}

/// Edits `value` as directed by `choices`, drawing new values from `pool`: inserts, removes,
/// replaces and recursion into arrays and objects, so that the result shares most of `value`.
fn mutate(value: &Value, choices: &mut impl Iterator<Item = u8>, pool: &[Value]) -> Value {
    let pick = |c: u8| {
        pool.get(usize::from(c) % pool.len().max(1))
            .cloned()
            .unwrap_or(Value::Null)
    };
    match value {
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match choices.next().unwrap_or(0) % 8 {
                    0 => {}
                    1 => {
                        out.push(pick(choices.next().unwrap_or(0)));
                        out.push(item.clone());
                    }
                    2 => out.push(pick(choices.next().unwrap_or(0))),
                    3 => out.push(mutate(item, choices, pool)),
                    _ => out.push(item.clone()),
                }
            }
            if choices.next().unwrap_or(0) % 4 == 0 {
                out.push(pick(choices.next().unwrap_or(0)));
            }
            Value::Array(out)
        }
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                match choices.next().unwrap_or(0) % 6 {
                    0 => {}
                    1 => {
                        out.insert(k.clone(), pick(choices.next().unwrap_or(0)));
                    }
                    2 => {
                        out.insert(k.clone(), mutate(v, choices, pool));
                    }
                    _ => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            if choices.next().unwrap_or(0) % 3 == 0 {
                let c = choices.next().unwrap_or(0);
                let name = ["a", "b", "c", "", "x/y", "~0", "new"][usize::from(c) % 7];
                out.insert(name.to_owned(), pick(c));
            }
            Value::Object(out)
        }
        other => {
            if choices.next().unwrap_or(0) % 2 == 0 {
                pick(choices.next().unwrap_or(0))
            } else {
                other.clone()
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Unrelated documents.
    #[test]
    fn diff_of_any_pair_applies(from in small_value(), to in small_document()) {
        round_trip(&from, &to);
        prop_assert!(diff(&from, &from).is_empty());
        prop_assert!(diff(&to, &to).is_empty());
    }

    /// A document and an edited copy: shared elements exercise the alignment.
    #[test]
    fn diff_of_an_edit_applies(
        from in small_document(),
        choices in prop::collection::vec(any::<u8>(), 0..64),
        pool in prop::collection::vec(small_value(), 1..6),
    ) {
        let to = mutate(&from, &mut choices.into_iter(), &pool);
        let to = match to {
            Value::Object(_) | Value::Array(_) | Value::Null => to,
            other => json!([other]),
        };
        let ops = round_trip(&from, &to);
        // Only changed places are touched: never more operations than the values differ in.
        prop_assert!(ops.len() <= leaves(&from) + leaves(&to));
    }
}

/// The number of scalars and empty containers in a value: an upper bound for a diff's size.
fn leaves(value: &Value) -> usize {
    match value {
        Value::Array(items) if !items.is_empty() => items.iter().map(leaves).sum(),
        Value::Object(map) if !map.is_empty() => map.values().map(leaves).sum(),
        _ => 1,
    }
}

/// A pointer over a small alphabet of tokens, tricky ones included.
fn pointer() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "",
        "a",
        "b",
        "0",
        "1",
        "2",
        "-",
        "-1",
        "-2",
        "-5",
        "01",
        "+1",
        "x",
        "~1",
        "~0",
        "~2",
        "99999999999999999999",
    ]);
    prop_oneof![
        1 => Just(String::new()),
        1 => token.clone().prop_map(str::to_owned),
        8 => prop::collection::vec(token, 1..4).prop_map(|tokens| {
            tokens.iter().map(|t| format!("/{t}")).collect::<String>()
        }),
    ]
}

fn patch_op() -> impl Strategy<Value = PatchOp> {
    let op = prop::sample::select(vec![
        Op::Add,
        Op::Remove,
        Op::Replace,
        Op::Move,
        Op::Copy,
        Op::Test,
    ]);
    (op, pointer(), pointer(), prop::option::of(small_value())).prop_map(
        |(op, path, from, value)| PatchOp {
            op,
            path,
            from: Some(from),
            value: value.or(if op == Op::Test {
                None
            } else {
                Some(Value::Null)
            }),
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Any patch on any document: no panic, and on error the document is unchanged.
    #[test]
    fn apply_is_total_and_atomic(doc in small_value(), ops in prop::collection::vec(patch_op(), 1..5)) {
        let mut patched = doc.clone();
        if apply(&mut patched, &ops).is_err() {
            prop_assert_eq!(patched, doc);
        }
    }
}
