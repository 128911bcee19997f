//! `image_normalize`: an image reference with Kyverno's defaults applied
//! (`pkg/utils/image/infos.go`): registry `docker.io` when the first component is not a host,
//! tag `latest` when there is neither tag nor digest.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::sig::STR;
use super::{Call, FunctionSpec};

pub(super) const SPECS: &[FunctionSpec] = &[spec!(
    "image_normalize",
    [STR],
    false,
    "string",
    "normalizes an image reference (default registry and tag added)",
    |c: &Call<'_, '_>| {
        normalize(c.str(0)?)
            .map(Value::String)
            .ok_or_else(|| c.fail("invalid reference format"))
    }
)];

const DEFAULT_REGISTRY: &str = "docker.io";

/// The parts of a reference, after the default registry was added.
static REFERENCE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    // host[:port]/path[:tag][@algo:hex]; path components as distribution/reference has them.
    let component = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    let host = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?";
    Regex::new(&format!(
        r"^({host})/({component}(?:/{component})*)(?::([\w][\w.-]{{0,127}}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{{32,}}))?$"
    ))
    .ok()
});

/// The normalized form of `image`, or `None` when it is not a valid reference.
pub(crate) fn normalize(image: &str) -> Option<String> {
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
    let registry = caps.get(1)?.as_str();
    let path = caps.get(2)?.as_str();
    Some(match (caps.get(4), caps.get(3)) {
        (Some(digest), _) => format!("{registry}/{path}@{}", digest.as_str()),
        (None, Some(tag)) => format!("{registry}/{path}:{}", tag.as_str()),
        (None, None) => format!("{registry}/{path}:latest"),
    })
}
