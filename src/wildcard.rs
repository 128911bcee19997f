//! Kyverno wildcards: the semantics of `github.com/IGLOU-EU/go-wildcard` v1.0.3 `Match`, which
//! Kyverno uses everywhere a name, label or pattern value may contain `*` or `?`.
//!
//! - `*` matches any run of characters, including the empty run;
//! - `?` matches exactly one character (a Unicode scalar value, Go's rune);
//! - every other character matches itself, case-sensitively; there is no escaping and there are
//!   no character classes;
//! - the empty pattern matches only the empty text.

/// True if `text` matches the wildcard `pattern` (see the module documentation).
pub fn matches(pattern: &str, text: &str) -> bool {
    if pattern.is_empty() {
        return text.is_empty();
    }
    if pattern == "*" {
        return true;
    }
    if !contains_wildcard(pattern) {
        return pattern == text;
    }
    general_match(pattern, text)
}

/// True if `s` contains a wildcard character (`*` or `?`), as Kyverno's `ContainsWildcard`.
pub fn contains_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// Iterative glob match with single-star backtracking; never recursive, no allocation beyond
/// the pattern's characters.
fn general_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    match_chars(&p, text)
}

/// Matches pattern characters against `text`, walking the text by character boundaries.
fn match_chars(p: &[char], t: &str) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    // Pattern position after the last `*` seen and the text position it was last tried at.
    let mut star: Option<(usize, usize)> = None;
    while let Some(tc) = t.get(ti..).and_then(|rest| rest.chars().next()) {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi + 1, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == tc => {
                pi += 1;
                ti += tc.len_utf8();
            }
            _ => match star {
                Some((sp, st)) => {
                    let skipped = t
                        .get(st..)
                        .and_then(|r| r.chars().next())
                        .map_or(1, char::len_utf8);
                    pi = sp;
                    ti = st + skipped;
                    star = Some((sp, ti));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// A wildcard pattern compiled once, classified so that common shapes match without scanning
/// the pattern: exact text, `prefix*`, `*suffix`, `*`, or the general algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// No wildcard characters: plain equality (also covers the empty pattern).
    Exact(Box<str>),
    /// `*` alone, or any run of stars only.
    Any,
    /// `abc*`: text starts with the literal.
    Prefix(Box<str>),
    /// `*abc`: text ends with the literal.
    Suffix(Box<str>),
    /// Anything else, pre-split into characters.
    General(Box<[char]>),
}

impl Wildcard {
    /// Compiles `pattern`.
    pub fn new(pattern: &str) -> Wildcard {
        let kind = if !contains_wildcard(pattern) {
            Kind::Exact(pattern.into())
        } else if pattern.chars().all(|c| c == '*') {
            Kind::Any
        } else if let Some(lit) = pattern.strip_suffix('*').filter(|l| !contains_wildcard(l)) {
            Kind::Prefix(lit.into())
        } else if let Some(lit) = pattern.strip_prefix('*').filter(|l| !contains_wildcard(l)) {
            Kind::Suffix(lit.into())
        } else {
            Kind::General(pattern.chars().collect())
        };
        Wildcard { kind }
    }

    /// True if `text` matches; same answer as [`matches`] on the source pattern.
    pub fn matches(&self, text: &str) -> bool {
        match &self.kind {
            Kind::Exact(s) => **s == *text,
            Kind::Any => true,
            Kind::Prefix(p) => text.starts_with(&**p),
            Kind::Suffix(s) => text.ends_with(&**s),
            Kind::General(p) => match_chars(p, text),
        }
    }

    /// True if the pattern has no wildcard characters (it only matches itself).
    pub fn is_exact(&self) -> bool {
        matches!(self.kind, Kind::Exact(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kyverno `ext/wildcard/match_test.go` `TestMatch`, cases 1..52 in order.
    const KYVERNO_CASES: &[(&str, &str, bool)] = &[
        ("*", "s3:GetObject", true),
        ("", "s3:GetObject", false),
        ("", "", true),
        ("s3:*", "s3:ListMultipartUploadParts", true),
        ("s3:ListBucketMultipartUploads", "s3:ListBucket", false),
        ("s3:ListBucket", "s3:ListBucket", true),
        (
            "s3:ListBucketMultipartUploads",
            "s3:ListBucketMultipartUploads",
            true,
        ),
        ("my-bucket/oo*", "my-bucket/oo", true),
        ("my-bucket/In*", "my-bucket/India/Karnataka/", true),
        ("my-bucket/In*", "my-bucket/Karnataka/India/", false),
        (
            "my-bucket/In*/Ka*/Ban",
            "my-bucket/India/Karnataka/Ban",
            true,
        ),
        (
            "my-bucket/In*/Ka*/Ban",
            "my-bucket/India/Karnataka/Ban/Ban/Ban/Ban/Ban",
            true,
        ),
        (
            "my-bucket/In*/Ka*/Ban",
            "my-bucket/India/Karnataka/Area1/Area2/Area3/Ban",
            true,
        ),
        (
            "my-bucket/In*/Ka*/Ban",
            "my-bucket/India/State1/State2/Karnataka/Area1/Area2/Area3/Ban",
            true,
        ),
        (
            "my-bucket/In*/Ka*/Ban",
            "my-bucket/India/Karnataka/Bangalore",
            false,
        ),
        (
            "my-bucket/In*/Ka*/Ban*",
            "my-bucket/India/Karnataka/Bangalore",
            true,
        ),
        ("my-bucket/*", "my-bucket/India", true),
        ("my-bucket/oo*", "my-bucket/odo", false),
        ("my-bucket?/abc*", "mybucket/abc", false),
        ("my-bucket?/abc*", "my-bucket1/abc", true),
        ("my-?-bucket/abc*", "my--bucket/abc", false),
        ("my-?-bucket/abc*", "my-1-bucket/abc", true),
        ("my-?-bucket/abc*", "my-k-bucket/abc", true),
        ("my??bucket/abc*", "mybucket/abc", false),
        ("my??bucket/abc*", "my4abucket/abc", true),
        ("my-bucket?abc*", "my-bucket/abc", true),
        ("my-bucket/abc?efg", "my-bucket/abcdefg", true),
        ("my-bucket/abc?efg", "my-bucket/abc/efg", true),
        ("my-bucket/abc????", "my-bucket/abc", false),
        ("my-bucket/abc????", "my-bucket/abcde", false),
        ("my-bucket/abc????", "my-bucket/abcdefg", true),
        ("my-bucket/abc?", "my-bucket/abc", false),
        ("my-bucket/abc?", "my-bucket/abcd", true),
        ("my-bucket/abc?", "my-bucket/abcde", false),
        ("my-bucket/mnop*?", "my-bucket/mnop", false),
        ("my-bucket/mnop*?", "my-bucket/mnopqrst/mnopqr", true),
        ("my-bucket/mnop*?", "my-bucket/mnopqrst/mnopqrs", true),
        ("my-bucket/mnop*?", "my-bucket/mnop", false),
        ("my-bucket/mnop*?", "my-bucket/mnopq", true),
        ("my-bucket/mnop*?", "my-bucket/mnopqr", true),
        ("my-bucket/mnop*?and", "my-bucket/mnopqand", true),
        ("my-bucket/mnop*?and", "my-bucket/mnopand", false),
        ("my-bucket/mnop*?and", "my-bucket/mnopqand", true),
        ("my-bucket/mnop*?", "my-bucket/mn", false),
        ("my-bucket/mnop*?", "my-bucket/mnopqrst/mnopqrs", true),
        ("my-bucket/mnop*??", "my-bucket/mnopqrst", true),
        ("my-bucket/mnop*qrst", "my-bucket/mnopabcdegqrst", true),
        ("my-bucket/mnop*?and", "my-bucket/mnopqand", true),
        ("my-bucket/mnop*?and", "my-bucket/mnopand", false),
        ("my-bucket/mnop*?and?", "my-bucket/mnopqanda", true),
        ("my-bucket/mnop*?and", "my-bucket/mnopqanda", false),
        ("my-?-bucket/abc*", "my-bucket/mnopqanda", false),
    ];

    #[test]
    fn kyverno_match_vectors() {
        for (i, (p, t, want)) in KYVERNO_CASES.iter().enumerate() {
            assert_eq!(matches(p, t), *want, "case-{} matches({p:?}, {t:?})", i + 1);
            assert_eq!(
                Wildcard::new(p).matches(t),
                *want,
                "case-{} compiled",
                i + 1
            );
        }
    }

    #[test]
    fn semantics_notes() {
        // (pattern, text, expected): §2.1 of the semantics notes.
        let cases: &[(&str, &str, bool)] = &[
            ("?*", "", false),
            ("?*", "a", true),
            ("*", "", true),
            ("?", "é", true), // one rune, two bytes
            ("??", "é", false),
            ("a*", "A", false), // case-sensitive
            ("**", "", true),
            ("*a*b", "xxaxxb", true),
            ("*a*b", "xxaxxbc", false),
            ("[a]", "a", false),    // no classes
            ("a\\*", "a\\x", true), // no escapes: backslash is literal
            ("*.example.com", "www.example.com", true),
            ("*.example.com", "example.com", false),
            ("nginx:*", "nginx:1.2", true),
            ("ab*ba", "aba", false),
            ("ab*ba", "abba", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(matches(p, t), *want, "matches({p:?}, {t:?})");
            assert_eq!(
                Wildcard::new(p).matches(t),
                *want,
                "compiled {p:?} on {t:?}"
            );
        }
    }

    #[test]
    fn contains_wildcard_chars() {
        assert!(contains_wildcard("a*"));
        assert!(contains_wildcard("a?"));
        assert!(!contains_wildcard("abc"));
        assert!(Wildcard::new("abc").is_exact());
        assert!(!Wildcard::new("ab?").is_exact());
    }
}
