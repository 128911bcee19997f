//! Mutation: Kyverno's patch actions applied to JSON values. Pure functions, no engine state:
//!
//! - [`strategic_merge`]: `patchStrategicMerge`, the anchor pre-pass then kyaml's merge with
//!   the Kubernetes v1.21.2 list merge keys;
//! - [`json6902`]: `patchesJson6902`, RFC 6902 operations with Kyverno's options.

mod anchors;
mod merge;
mod schema;

use serde_json::Value;

use crate::jsonpatch::{self, PatchOp};

/// Why a patch could not be applied (Kyverno's text, without the `failed to patch resource: `
/// the rule response adds).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatchError(pub String);

/// Applies a strategic merge patch with Kyverno's anchors to a resource. A failed condition
/// leaves an empty patch, merged all the same (kyaml still walks the resource).
pub fn strategic_merge(resource: &Value, mut patch: Value) -> Result<Value, PatchError> {
    match anchors::preprocess(&mut patch, resource) {
        Ok(()) => {}
        Err(anchors::PrepError::Condition(_) | anchors::PrepError::Global(_)) => {
            patch = Value::Object(serde_json::Map::new());
        }
        Err(anchors::PrepError::Invalid(e)) => {
            return Err(PatchError(format!("failed to preProcess rule: {e}")));
        }
    }
    match merge::merge(resource.clone(), &patch) {
        Ok(Some(merged)) => Ok(merged),
        Ok(None) => Err(PatchError(
            "the patch deletes the whole resource ($patch: delete at the top)".into(),
        )),
        Err(e) => Err(PatchError(e.0)),
    }
}

/// Reads a `patchesJson6902` text: a JSON array, or (when it does not start with `[`) YAML.
pub fn parse_json6902(text: &str) -> Result<Vec<PatchOp>, PatchError> {
    let value = if text.starts_with('[') {
        serde_json::from_str(text)
            .map_err(|e| PatchError(format!("failed to decode patches: {e}")))?
    } else {
        let mut docs = crate::yaml::parse_values(text)
            .map_err(|e| PatchError(format!("failed to convert patchesJSON6902 to JSON: {e}")))?;
        if docs.len() > 1 {
            return Err(PatchError(
                "failed to convert patchesJSON6902 to JSON: the text holds several YAML documents"
                    .into(),
            ));
        }
        docs.pop().unwrap_or(Value::Null)
    };
    jsonpatch::parse(&value).map_err(|e| PatchError(format!("failed to decode patches: {e}")))
}

/// Applies JSON Patch operations to a resource with Kyverno's options.
pub fn json6902(resource: &Value, ops: &[PatchOp]) -> Result<Value, PatchError> {
    let mut patched = resource.clone();
    jsonpatch::apply(&mut patched, ops).map_err(|e| PatchError(e.to_string()))?;
    Ok(patched)
}

#[cfg(test)]
mod tests;
