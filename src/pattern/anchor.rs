//! Anchored map keys (Kyverno `pkg/engine/anchor`): `(k)`, `=(k)`, `^(k)`, `X(k)`, `<(k)`, `+(k)`.

/// The kind of an anchored key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorKind {
    /// `(k)`: if the resource's `k` matches, the rest of the map must match; else skip.
    Condition,
    /// `<(k)`: if present and not matching, the whole rule is skipped.
    Global,
    /// `^(k)`: each pattern element must match at least one resource list element.
    Existence,
    /// `=(k)`: if present, must match.
    Equality,
    /// `X(k)`: must be absent.
    Negation,
    /// `+(k)`: add if not present (mutate only; rejected in validate patterns).
    AddIfNotPresent,
}

impl AnchorKind {
    /// The modifier written before the parenthesis.
    pub fn modifier(self) -> &'static str {
        match self {
            AnchorKind::Condition => "",
            AnchorKind::Global => "<",
            AnchorKind::Existence => "^",
            AnchorKind::Equality => "=",
            AnchorKind::Negation => "X",
            AnchorKind::AddIfNotPresent => "+",
        }
    }
}

/// A parsed anchor: its kind and the resource key it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor<'a> {
    /// Which anchor.
    pub kind: AnchorKind,
    /// The key inside the parentheses.
    pub key: &'a str,
}

/// `(.+)` of Go's RE2: at least one character, none a newline.
fn parenthesized(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('(')?.strip_suffix(')')?;
    (!inner.is_empty() && !inner.contains('\n')).then_some(inner)
}

/// Parses an anchored key as Kyverno's `anchor.Parse` does: the key is trimmed, then must match
/// `^([+<=X^])?\((.+)\)$`.
pub fn parse(raw: &str) -> Option<Anchor<'_>> {
    let s = raw.trim();
    let (kind, rest) = match s.chars().next()? {
        '+' => (AnchorKind::AddIfNotPresent, s.get(1..)?),
        '<' => (AnchorKind::Global, s.get(1..)?),
        '=' => (AnchorKind::Equality, s.get(1..)?),
        'X' => (AnchorKind::Negation, s.get(1..)?),
        '^' => (AnchorKind::Existence, s.get(1..)?),
        _ => (AnchorKind::Condition, s),
    };
    parenthesized(rest).map(|key| Anchor { kind, key })
}

/// True if a key looks like an anchor to Kyverno's policy validation (`^.?\(.+\)$`, untrimmed),
/// so that it must be a supported one.
pub fn looks_like_anchor(raw: &str) -> bool {
    if parenthesized(raw).is_some() {
        return true;
    }
    let mut chars = raw.chars();
    matches!(chars.next(), Some(c) if c != '\n') && parenthesized(chars.as_str()).is_some()
}

/// The key as Kyverno rebuilds it from a kind and a (wildcard-expanded) key: `=(app)`.
pub fn render(kind: AnchorKind, key: &str) -> String {
    format!("{}({key})", kind.modifier())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kyverno `pkg/engine/anchor/anchor_test.go` `TestParse` and the `Is*` tests.
    #[test]
    fn parse_cases() {
        let cases: &[(&str, Option<(AnchorKind, &str)>)] = &[
            ("(abc)", Some((AnchorKind::Condition, "abc"))),
            ("<(abc)", Some((AnchorKind::Global, "abc"))),
            ("^(abc)", Some((AnchorKind::Existence, "abc"))),
            ("=(abc)", Some((AnchorKind::Equality, "abc"))),
            ("X(abc)", Some((AnchorKind::Negation, "abc"))),
            ("+(abc)", Some((AnchorKind::AddIfNotPresent, "abc"))),
            (" (abc) ", Some((AnchorKind::Condition, "abc"))),
            ("=( abc)", Some((AnchorKind::Equality, " abc"))),
            ("((abc))", Some((AnchorKind::Condition, "(abc)"))),
            ("abc", None),
            ("()", None),
            ("(abc", None),
            ("abc)", None),
            ("x(abc)", None),
            ("*(abc)", None),
            ("=abc", None),
            ("", None),
            ("(a\nb)", None),
            ("so)m(et(hin)g", None),
            ("^(abc", None),
            ("^abc", None),
            ("^()", None),
            ("=(abc", None),
            ("+(abc", None),
            ("+abc", None),
            ("X(abc", None),
            ("Xabc", None),
            ("<(abc", None),
            ("<abc", None),
        ];
        for (raw, want) in cases {
            let got = parse(raw).map(|a| (a.kind, a.key));
            assert_eq!(got, *want, "parse({raw:?})");
        }
    }

    #[test]
    fn looks_like() {
        assert!(looks_like_anchor("(a)"));
        assert!(looks_like_anchor("+(a)"));
        assert!(looks_like_anchor("Y(a)"));
        assert!(!looks_like_anchor("ab(a)"));
        assert!(!looks_like_anchor("a"));
        assert!(!looks_like_anchor("()"));
        // Kyverno `TestString` / `Test_anchor_String`.
        let kinds = [
            (AnchorKind::Condition, "(test)"),
            (AnchorKind::Global, "<(test)"),
            (AnchorKind::Negation, "X(test)"),
            (AnchorKind::AddIfNotPresent, "+(test)"),
            (AnchorKind::Equality, "=(test)"),
            (AnchorKind::Existence, "^(test)"),
        ];
        for (kind, want) in kinds {
            assert_eq!(render(kind, "test"), want);
            assert_eq!(parse(want), Some(Anchor { kind, key: "test" }), "{want}");
        }
    }
}
