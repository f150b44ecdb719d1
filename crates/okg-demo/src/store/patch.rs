//! Applying PATCH bodies: JSON Patch, JSON merge patch, strategic merge patch (pods only; lists
//! with a known merge key are merged by that key, as the pod schema declares) and server-side
//! apply (approximated as a merge patch: the demo keeps no field managers).
use serde_json::{Map, Value};

use super::error::ApiError;
use super::resource::Resource;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    Strategic,
    Apply,
}

impl PatchType {
    /// The patch type named by a Content-Type header, `None` if it is not a patch type.
    pub fn from_content_type(ct: &str) -> Option<PatchType> {
        let base = ct.split(';').next().unwrap_or("").trim();
        match base {
            "application/json-patch+json" => Some(PatchType::Json),
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/strategic-merge-patch+json" => Some(PatchType::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+json" => {
                Some(PatchType::Apply)
            }
            _ => None,
        }
    }
}

pub fn unsupported_media_type(ct: &str) -> ApiError {
    let _ = ct;
    ApiError::new(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: \
         application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    )
}

/// Apply `body` (raw request bytes) of type `pt` to `current`, returning the patched object.
pub fn apply(
    resource: Resource,
    pt: PatchType,
    current: &Value,
    body: &[u8],
) -> Result<Value, ApiError> {
    if pt == PatchType::Strategic && resource.is_custom() {
        return Err(unsupported_media_type("application/strategic-merge-patch+json"));
    }
    let mut doc = current.clone();
    match pt {
        PatchType::Json => {
            let ops: json_patch::Patch = serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            json_patch::patch(&mut doc, &ops.0).map_err(|e| match e.kind {
                json_patch::PatchErrorKind::TestFailed => {
                    ApiError::invalid(format!("the server rejected our request due to an error in our request: testing value {} failed: test failed", e.path))
                }
                _ => ApiError::invalid(format!("the server rejected our request due to an error in our request: {e}")),
            })?;
        }
        PatchType::Merge | PatchType::Apply | PatchType::Strategic => {
            let patch: Value = serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            if !patch.is_object() {
                return Err(ApiError::bad_request(
                    "error decoding patch: the patch is not a JSON object",
                ));
            }
            if pt == PatchType::Strategic {
                strategic_merge(&mut doc, &patch, "");
            } else {
                json_patch::merge(&mut doc, &patch);
            }
        }
    }
    if !doc.is_object() {
        return Err(ApiError::invalid("the patched object is not a JSON object"));
    }
    Ok(doc)
}

/// The merge key of a list field of the pod schema, by the field's name.
fn merge_key(field: &str) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "containerStatuses"
        | "initContainerStatuses"
        | "env"
        | "volumes"
        | "imagePullSecrets" => Some("name"),
        "conditions" => Some("type"),
        "volumeMounts" => Some("mountPath"),
        "ports" => Some("containerPort"),
        "ownerReferences" => Some("uid"),
        _ => None,
    }
}

/// A strategic merge patch, the subset pods need: maps merge like a merge patch (null deletes),
/// lists with a merge key merge element by element, `$patch: delete` removes an element, and
/// other `$` directives are ignored.
fn strategic_merge(doc: &mut Value, patch: &Value, field: &str) {
    match (doc, patch) {
        (Value::Object(d), Value::Object(p)) => merge_maps(d, p),
        (Value::Array(d), Value::Array(p)) if merge_key(field).is_some() => {
            let key = merge_key(field).unwrap_or("name");
            for item in p {
                let k = item.get(key).cloned();
                let pos = k.as_ref().and_then(|k| d.iter().position(|e| e.get(key) == Some(k)));
                let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
                match (pos, delete) {
                    (Some(i), true) => {
                        d.remove(i);
                    }
                    (Some(i), false) => strategic_merge(&mut d[i], item, ""),
                    (None, true) => {}
                    (None, false) => {
                        let mut fresh = Value::Object(Map::new());
                        strategic_merge(&mut fresh, item, "");
                        d.push(fresh);
                    }
                }
            }
        }
        (d, p) => *d = strip_directives(p),
    }
}

fn merge_maps(d: &mut Map<String, Value>, p: &Map<String, Value>) {
    for (k, v) in p {
        if k.starts_with('$') {
            continue;
        }
        if v.is_null() {
            d.remove(k);
            continue;
        }
        match d.get_mut(k) {
            Some(existing)
                if existing.is_object() == v.is_object() || existing.is_array() && v.is_array() =>
            {
                strategic_merge(existing, v, k)
            }
            _ => {
                d.insert(k.clone(), strip_directives(v));
            }
        }
    }
}

fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, v)| !k.starts_with('$') && !v.is_null())
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({"metadata": {"name": "p", "labels": {"a": "1"}},
               "spec": {"containers": [{"name": "app", "image": "app:1"}, {"name": "sidecar", "image": "s:1"}]}})
    }

    #[test]
    fn strategic_patch_merges_containers_by_name() {
        let body = br#"{"spec":{"containers":[{"name":"sidecar","image":"s:2"}]},"metadata":{"labels":{"a":null,"b":"2"}}}"#;
        let out = apply(Resource::Pods, PatchType::Strategic, &pod(), body).unwrap();
        assert_eq!(out["spec"]["containers"][0]["image"], "app:1");
        assert_eq!(out["spec"]["containers"][1]["image"], "s:2");
        assert_eq!(out["metadata"]["labels"], json!({"b": "2"}));
    }

    #[test]
    fn merge_patch_replaces_lists() {
        let body = br#"{"spec":{"containers":[{"name":"sidecar","image":"s:2"}]}}"#;
        let out = apply(Resource::Pods, PatchType::Merge, &pod(), body).unwrap();
        assert_eq!(out["spec"]["containers"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn strategic_patch_on_custom_resource_is_415() {
        let err = apply(Resource::GameServerSets, PatchType::Strategic, &pod(), b"{}").unwrap_err();
        assert_eq!(err.code, 415);
    }

    #[test]
    fn json_patch_errors() {
        let test_fails = br#"[{"op":"test","path":"/metadata/name","value":"q"}]"#;
        assert_eq!(
            apply(Resource::Pods, PatchType::Json, &pod(), test_fails).unwrap_err().code,
            422
        );
        assert_eq!(
            apply(Resource::Pods, PatchType::Json, &pod(), b"{not json").unwrap_err().code,
            400
        );
        assert_eq!(
            apply(Resource::Pods, PatchType::Json, &pod(), br#"[{"op":"frob"}]"#).unwrap_err().code,
            400
        );
        let ok = br#"[{"op":"test","path":"/metadata/name","value":"p"},{"op":"replace","path":"/spec/containers/1/image","value":"s:3"}]"#;
        assert_eq!(
            apply(Resource::Pods, PatchType::Json, &pod(), ok).unwrap()["spec"]["containers"][1]["image"],
            "s:3"
        );
    }
}
