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

/// Deep equality of two values, as `==` (object member order does not matter), comparing
/// small maps' keys directly instead of hashing them; members in the same order are compared
/// pairwise.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() {
                return false;
            }
            // Pairwise while the members are in the same order, then by key.
            let same_order = x
                .iter()
                .zip(y)
                .take_while(|((k, _), (k2, _))| k == k2)
                .count();
            x.iter()
                .zip(y)
                .take(same_order)
                .all(|((_, v), (_, w))| equal(v, w))
                && x.iter()
                    .skip(same_order)
                    .all(|(k, v)| field(y, k).is_some_and(|w| equal(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| equal(v, w))
        }
        _ => a == b,
    }
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

    #[test]
    fn equality_ignores_member_order() {
        let a = json!({"a": 1, "b": {"c": [1, {"d": 2, "e": 3}]}, "f": null});
        let b = json!({"f": null, "b": {"c": [1, {"e": 3, "d": 2}]}, "a": 1});
        assert!(equal(&a, &b));
        assert!(equal(&a, &a));
        let c = json!({"a": 1, "b": {"c": [1, {"d": 2, "e": 4}]}, "f": null});
        assert!(!equal(&a, &c));
        assert!(!equal(&json!({"a": 1}), &json!({"b": 1})));
        assert!(!equal(&json!([1, 2]), &json!([2, 1])));
        assert!(!equal(&json!({"a": 1, "b": 2}), &json!({"b": 2, "c": 1})));
    }
}
