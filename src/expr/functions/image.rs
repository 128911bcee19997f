//! `image_normalize`: an image reference with Kyverno's defaults applied
//! (`pkg/utils/image/infos.go`): registry `docker.io` when the first component is not a host,
//! tag `latest` when there is neither tag nor digest.

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

/// The normalized form of `image`, or `None` when it is not a valid reference.
pub(crate) fn normalize(image: &str) -> Option<String> {
    crate::image::ImageRef::parse(image).map(|r| r.normalized())
}
