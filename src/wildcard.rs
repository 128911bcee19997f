//! Kyverno wildcards (temporary stand-in until the pattern branch lands).

/// Whether `text` matches `pattern` (`*` any run, `?` one character).
pub fn matches(pattern: &str, text: &str) -> bool {
    if pattern.is_empty() {
        return text.is_empty();
    }
    if pattern == "*" {
        return true;
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Whether `s` has `*` or `?`.
pub fn contains_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// A compiled wildcard.
#[derive(Debug, Clone)]
pub struct Wildcard(String);

impl Wildcard {
    /// Compiles a pattern.
    pub fn new(p: &str) -> Self {
        Wildcard(p.to_string())
    }
    /// Whether `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        matches(&self.0, text)
    }
}
