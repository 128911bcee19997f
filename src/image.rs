//! Container image references as Kyverno reads them (`pkg/utils/image/infos.go`): registry
//! `docker.io` when the first component is not a host, tag `latest` when there is neither tag
//! nor digest.

use std::sync::LazyLock;

use regex::Regex;

/// The registry added when a reference names none.
pub const DEFAULT_REGISTRY: &str = "docker.io";

/// host[:port]/path[:tag][@algo:hex]; path components as distribution/reference has them.
static REFERENCE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let component = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    let host = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?";
    Regex::new(&format!(
        r"^({host})/({component}(?:/{component})*)(?::([\w][\w.-]{{0,127}}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{{32,}}))?$"
    ))
    .ok()
});

/// The parts of an image reference, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (`docker.io`, `ghcr.io`, `localhost:5000`).
    pub registry: String,
    /// Repository path (`library/nginx` is written `nginx` by Docker Hub users: kept as written).
    pub path: String,
    /// Tag (`latest` when neither tag nor digest was given; empty when only a digest was).
    pub tag: String,
    /// Digest (`sha256:...`), or empty.
    pub digest: String,
}

impl ImageRef {
    /// Parses a reference; `None` when it is not a valid one.
    pub fn parse(image: &str) -> Option<ImageRef> {
        let first = image.split_once('/').map(|(first, _)| first);
        let needs_registry = match first {
            None => true,
            Some(f) => !f.contains(['.', ':']) && f != "localhost" && f.to_lowercase() == f,
        };
        let full = if needs_registry {
            format!("{DEFAULT_REGISTRY}/{image}")
        } else {
            image.to_owned()
        };
        let caps = REFERENCE.as_ref()?.captures(&full)?;
        let text = |i| {
            caps.get(i)
                .map(|m| m.as_str().to_string())
                .unwrap_or_default()
        };
        let (tag, digest) = (text(3), text(4));
        let tag = if tag.is_empty() && digest.is_empty() {
            "latest".to_string()
        } else {
            tag
        };
        Some(ImageRef {
            registry: text(1),
            path: text(2),
            tag,
            digest,
        })
    }

    /// The last path component.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// `registry/path`.
    pub fn reference(&self) -> String {
        format!("{}/{}", self.registry, self.path)
    }

    /// The normalised reference: `registry/path@digest`, else `registry/path:tag`.
    pub fn normalized(&self) -> String {
        if self.digest.is_empty() {
            format!("{}/{}:{}", self.registry, self.path, self.tag)
        } else {
            format!("{}/{}@{}", self.registry, self.path, self.digest)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_parts() {
        let r = ImageRef::parse("nginx").unwrap_or_else(|| unreachable!());
        assert_eq!(
            (r.registry.as_str(), r.path.as_str(), r.tag.as_str()),
            ("docker.io", "nginx", "latest")
        );
        assert_eq!(r.normalized(), "docker.io/nginx:latest");
        let r = ImageRef::parse("ghcr.io/org/app:1.2").unwrap_or_else(|| unreachable!());
        assert_eq!(
            (
                r.registry.as_str(),
                r.path.as_str(),
                r.name(),
                r.tag.as_str()
            ),
            ("ghcr.io", "org/app", "app", "1.2")
        );
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = ImageRef::parse(&format!("localhost:5000/app@{digest}"))
            .unwrap_or_else(|| unreachable!());
        assert_eq!(
            (r.registry.as_str(), r.tag.as_str(), r.digest.as_str()),
            ("localhost:5000", "", digest.as_str())
        );
        assert!(ImageRef::parse("nginx:bad tag").is_none());
        assert!(ImageRef::parse("Registry/app").is_some_and(|r| r.registry == "Registry"));
    }
}
