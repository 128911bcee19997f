//! Key lookup in JSON objects tuned for Kubernetes objects: most maps hold a handful of keys,
//! where comparing keys directly beats hashing them (serde_json's ordered maps hash with SipHash).

use serde_json::{Map, Value};

/// Maps up to this size are scanned instead of hashed.
const SCAN_LIMIT: usize = 12;

/// The value under `key`.
#[inline]
pub fn field<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() <= SCAN_LIMIT {
        map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

/// The value under `key` when `value` is an object.
#[inline]
pub fn get<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value.as_object().and_then(|map| field(map, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn small_and_large_maps() {
        let small = json!({"a": 1, "b": 2});
        let small = small.as_object().cloned().unwrap_or_default();
        assert_eq!(field(&small, "b"), Some(&json!(2)));
        assert_eq!(field(&small, "c"), None);
        let large: Map<String, Value> = (0..40).map(|i| (format!("k{i}"), json!(i))).collect();
        assert_eq!(field(&large, "k33"), Some(&json!(33)));
        assert_eq!(field(&large, "x"), None);
    }
}
