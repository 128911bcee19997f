//! Message helpers shared by the checks (upstream policy/helpers.go), and Go's `%q`.
/// `singular` iff `count == 1`.
pub(crate) fn pluralize<'s>(singular: &'s str, plural: &'s str, count: usize) -> &'s str {
    if count == 1 { singular } else { plural }
}

/// Appends `"a", "b"` (no escaping of the items); nothing for no items.
fn push_join_quote<S: AsRef<str>>(out: &mut String, items: &[S]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        out.push_str(item.as_ref());
        out.push('"');
    }
}

fn join_quote_len<S: AsRef<str>>(items: &[S]) -> usize {
    items.iter().map(|i| i.as_ref().len() + 4).sum()
}

/// `"a", "b"` (no escaping of the items); empty for no items.
pub(crate) fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::with_capacity(join_quote_len(items));
    push_join_quote(&mut out, items);
    out
}

/// `container "a"` / `containers "a", "b"`, with room for `tail`, which is appended.
pub(crate) fn containers_phrase_then(names: &[&str], tail: &str) -> String {
    let word = pluralize("container", "containers", names.len());
    let mut out = String::with_capacity(word.len() + 1 + join_quote_len(names) + tail.len());
    out.push_str(word);
    out.push(' ');
    push_join_quote(&mut out, names);
    out.push_str(tail);
    out
}

/// `container "a"` / `containers "a", "b"`.
pub(crate) fn containers_phrase(names: &[&str]) -> String {
    containers_phrase_then(names, "")
}

/// Sorts by bytes and removes duplicates (a Go `sets.String` listing).
pub(crate) fn sort_unique<T: Ord>(items: &mut Vec<T>) {
    items.sort_unstable();
    items.dedup();
}

pub(crate) use crate::goquote::go_quote;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(join_quote::<&str>(&[]), "");
        assert_eq!(join_quote(&["a", "b"]), r#""a", "b""#);
        assert_eq!(containers_phrase(&["a"]), r#"container "a""#);
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), r#""a\"b\\c\n\x01é""#);
        assert_eq!(go_quote("\u{85}"), r#""\u0085""#);
    }
}
