//! Kind selectors of `match.resources.kinds`: `Pod`, `v1/Pod`, `apps/v1/Deployment`,
//! `Pod/exec`, `Pod.status`, `*/scale`, `*/*`, each part a Kyverno wildcard.

use crate::wildcard::Wildcard;

/// Whether a selector part is a version (`v1`, `v2beta1`) or `*`, as Kyverno decides.
pub fn is_version_selector(s: &str) -> bool {
    if s == "*" {
        return true;
    }
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let tail = &rest[digits..];
    if tail.is_empty() {
        return true;
    }
    let stage = tail
        .strip_prefix("alpha")
        .or_else(|| tail.strip_prefix("beta"));
    stage.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// A parsed kind selector: group, version, kind and subresource patterns.
#[derive(Debug, Clone)]
pub struct KindSelector {
    group: Wildcard,
    version: Wildcard,
    kind: Wildcard,
    subresource: Option<Wildcard>,
    /// The kind pattern as written, for indexing.
    pub kind_text: String,
}

/// The group, version, kind and subresource of a request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gvk<'a> {
    /// API group (`""` for the core group).
    pub group: &'a str,
    /// API version.
    pub version: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// Subresource (`""` for none).
    pub subresource: &'a str,
}

impl<'a> Gvk<'a> {
    /// Splits `apiVersion` (`apps/v1` or `v1`) and takes `kind`.
    pub fn from_api_version(api_version: &'a str, kind: &'a str) -> Self {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        Gvk {
            group,
            version,
            kind,
            subresource: "",
        }
    }
}

impl KindSelector {
    /// Parses a selector the way Kyverno's `ParseKindSelector` does: split on `/`, the last part
    /// also on `.`; then by the number of parts.
    pub fn parse(input: &str) -> Self {
        let mut parts: Vec<&str> = input.split('/').collect();
        if let Some(last) = parts.pop() {
            parts.extend(last.split('.'));
        }
        let (g, v, k, s) = match parts.as_slice() {
            [k] => ("*", "*", *k, ""),
            ["*", "*"] => ("*", "*", "*", "*"),
            ["*", s] if s.to_lowercase() == *s => ("*", "*", "*", *s),
            [v, k] if is_version_selector(v) => ("*", *v, *k, ""),
            [k, s] => ("*", "*", *k, *s),
            [v, k, s] if is_version_selector(v) => ("*", *v, *k, *s),
            [g, v, k] => (*g, *v, *k, ""),
            [g, v, k, s] => (*g, *v, *k, *s),
            _ => ("", "", "", ""),
        };
        KindSelector {
            group: Wildcard::new(g),
            version: Wildcard::new(v),
            kind: Wildcard::new(k),
            subresource: (!s.is_empty()).then(|| Wildcard::new(s)),
            kind_text: k.to_string(),
        }
    }

    /// Whether a request of this group/version/kind/subresource matches, as Kyverno's
    /// `CheckKind` decides: a selector without a subresource matches only requests for the
    /// resource itself (`*/*` matches every subresource), and a selector whose group, version
    /// and kind match core `v1` `Pod` also matches the `ephemeralcontainers` subresource,
    /// whatever subresource it names.
    pub fn matches(&self, gvk: &Gvk) -> bool {
        if !(self.group.matches(gvk.group)
            && self.version.matches(gvk.version)
            && self.kind.matches(gvk.kind))
        {
            return false;
        }
        let sub_matches = match &self.subresource {
            None => gvk.subresource.is_empty(),
            Some(sub) => sub.matches(gvk.subresource),
        };
        sub_matches
            || (gvk.group.is_empty()
                && gvk.version == "v1"
                && gvk.kind == "Pod"
                && gvk.subresource == "ephemeralcontainers")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gvk<'a>(group: &'a str, version: &'a str, kind: &'a str, subresource: &'a str) -> Gvk<'a> {
        Gvk {
            group,
            version,
            kind,
            subresource,
        }
    }

    #[test]
    fn versions() {
        for v in ["v1", "v2beta1", "v1alpha2", "*", "v10"] {
            assert!(is_version_selector(v), "{v}");
        }
        for v in ["apps", "v", "v1beta", "V1", "v1gamma1", "batch"] {
            assert!(!is_version_selector(v), "{v}");
        }
    }

    #[test]
    fn selectors_match_like_kyverno() {
        let pod = gvk("", "v1", "Pod", "");
        let deploy = gvk("apps", "v1", "Deployment", "");
        let scale = gvk("apps", "v1", "Deployment", "scale");
        let exec = gvk("", "v1", "Pod", "exec");
        let cases: &[(&str, &Gvk, bool)] = &[
            ("Pod", &pod, true),
            ("Pod", &deploy, false),
            ("v1/Pod", &pod, true),
            ("v2/Pod", &pod, false),
            ("apps/v1/Deployment", &deploy, true),
            ("apps/v1beta1/Deployment", &deploy, false),
            ("apps/*/Deployment", &deploy, true),
            ("*/scale", &scale, true),
            ("*/scale", &deploy, false),
            ("Deployment/scale", &scale, true),
            ("Deployment.scale", &scale, true),
            ("Pod/exec", &exec, true),
            ("Pod/exec", &pod, false),
            ("Pod", &exec, false),
            ("*/*", &exec, true),
            ("*", &deploy, true),
            ("*", &exec, false),
            ("Deployment", &scale, false),
            ("Pod", &gvk("", "v1", "Pod", "ephemeralcontainers"), true),
            ("*", &gvk("", "v1", "Pod", "ephemeralcontainers"), true),
            ("De*", &deploy, true),
            ("v1/Pod/exec", &exec, true),
            (
                "Pod/ephemeralcontainers",
                &gvk("", "v1", "Pod", "ephemeralcontainers"),
                true,
            ),
            (
                "Pod/exec",
                &gvk("", "v1", "Pod", "ephemeralcontainers"),
                true,
            ),
        ];
        for (selector, g, want) in cases {
            assert_eq!(
                KindSelector::parse(selector).matches(g),
                *want,
                "{selector} vs {g:?}"
            );
        }
    }
}
