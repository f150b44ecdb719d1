//! JSON Patch operations from a before/after pair, guarded by a `test` of the resourceVersion
//! so a write planned from a stale cache fails (409/422) instead of undoing someone's change.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;
use serde_json::{Value, json};

/// RFC 6901 escaping of a map key used as a path segment.
pub fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Ops turning the string map at `path` from `old` into `new`.
pub fn map_ops(
    path: &str,
    old: Option<&BTreeMap<String, String>>,
    new: Option<&BTreeMap<String, String>>,
) -> Vec<Value> {
    let empty = BTreeMap::new();
    let new = new.unwrap_or(&empty);
    let Some(old) = old else {
        return if new.is_empty() {
            vec![]
        } else {
            vec![json!({"op": "add", "path": path, "value": new})]
        };
    };
    let mut ops = Vec::new();
    for (k, v) in new {
        if old.get(k) != Some(v) {
            ops.push(json!({"op": "add", "path": format!("{path}/{}", escape(k)), "value": v}));
        }
    }
    for k in old.keys() {
        if !new.contains_key(k) {
            ops.push(json!({"op": "remove", "path": format!("{path}/{}", escape(k))}));
        }
    }
    ops
}

/// Ops for the top-level fields of an object at `path` (used for `/status`).
pub fn object_ops(path: &str, old: &Value, new: &Value) -> Vec<Value> {
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
        return if old == new {
            vec![]
        } else {
            vec![json!({"op": "add", "path": path, "value": new})]
        };
    };
    let mut ops = Vec::new();
    for (k, v) in n {
        if o.get(k) != Some(v) {
            ops.push(json!({"op": "add", "path": format!("{path}/{}", escape(k)), "value": v}));
        }
    }
    for k in o.keys() {
        if !n.contains_key(k) {
            ops.push(json!({"op": "remove", "path": format!("{path}/{}", escape(k))}));
        }
    }
    ops
}

/// Metadata and container-image ops from `old` to `new` (the only spec change made in place).
pub fn pod_main_ops(old: &Pod, new: &Pod) -> Vec<Value> {
    let mut ops =
        map_ops("/metadata/labels", old.metadata.labels.as_ref(), new.metadata.labels.as_ref());
    ops.extend(map_ops(
        "/metadata/annotations",
        old.metadata.annotations.as_ref(),
        new.metadata.annotations.as_ref(),
    ));
    if let (Some(os), Some(ns)) = (old.spec.as_ref(), new.spec.as_ref()) {
        for (i, (oc, nc)) in os.containers.iter().zip(&ns.containers).enumerate() {
            if oc.image != nc.image {
                ops.push(json!({"op": "replace", "path": format!("/spec/containers/{i}/image"), "value": nc.image}));
            }
        }
    }
    ops
}

pub fn pod_status_ops(old: &Pod, new: &Pod) -> Vec<Value> {
    if old.status == new.status {
        return vec![];
    }
    let o = serde_json::to_value(&old.status).unwrap_or(Value::Null);
    let n = serde_json::to_value(&new.status).unwrap_or(Value::Null);
    object_ops("/status", &o, &n)
}

/// Prefix `ops` with a resourceVersion test.
pub fn guarded(rv: &str, ops: Vec<Value>) -> Value {
    let mut all = vec![json!({"op": "test", "path": "/metadata/resourceVersion", "value": rv})];
    all.extend(ops);
    Value::Array(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_ops_add_change_remove_and_escape() {
        let old = BTreeMap::from([
            ("a/b".to_string(), "1".to_string()),
            ("gone".to_string(), "x".to_string()),
        ]);
        let new = BTreeMap::from([
            ("a/b".to_string(), "2".to_string()),
            ("new".to_string(), "y".to_string()),
        ]);
        let ops = map_ops("/metadata/labels", Some(&old), Some(&new));
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[0]["path"], "/metadata/labels/a~1b");
        assert!(ops.iter().any(|o| o["op"] == "remove" && o["path"] == "/metadata/labels/gone"));
        assert!(map_ops("/x", Some(&new), Some(&new)).is_empty());
        assert_eq!(map_ops("/x", None, Some(&new))[0]["path"], "/x");
    }

    #[test]
    fn applying_ops_reaches_the_target() {
        let old =
            json!({"status": {"a": 1, "b": [1], "c": "x"}, "metadata": {"resourceVersion": "7"}});
        let new_status = json!({"a": 2, "b": [1], "d": true});
        let ops = guarded("7", object_ops("/status", &old["status"], &new_status));
        let patch: json_patch::Patch = serde_json::from_value(ops).unwrap();
        let mut doc = old.clone();
        json_patch::patch(&mut doc, &patch).unwrap();
        assert_eq!(doc["status"], new_status);
        // A stale resourceVersion fails the whole patch.
        let stale: json_patch::Patch = serde_json::from_value(guarded("6", vec![])).unwrap();
        assert!(json_patch::patch(&mut doc.clone(), &stale).is_err());
    }
}
