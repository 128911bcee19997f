//! Helpers shared by the conformance tests: where the shared data is, and how fixtures are
//! prepared the way the API server would.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};

use serde_json::Value;

/// `../shared` beside the checkout (as CI has it), else `/work/shared`.
pub fn shared_dir() -> PathBuf {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if local.is_dir() {
        local
    } else {
        PathBuf::from("/work/shared")
    }
}

/// The API server defaults a volume without a source to `emptyDir: {}` (upstream sends the PSA
/// fixtures to a real API server).
pub fn default_volumes(pod: &mut Value) {
    let volumes = pod
        .get_mut("spec")
        .and_then(|s| s.get_mut("volumes"))
        .and_then(Value::as_array_mut);
    for volume in volumes.into_iter().flatten() {
        if let Some(v) = volume.as_object_mut()
            && v.keys().all(|k| k == "name")
        {
            v.insert("emptyDir".into(), Value::Object(Default::default()));
        }
    }
}
