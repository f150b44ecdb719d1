//! The API server's write rules, as pure functions over JSON objects.
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::resource::Resource;

/// The body must be an object of the resource's kind; a missing apiVersion/kind is filled in.
pub fn check_kind(r: Resource, mut body: Value) -> Result<Value, ApiError> {
    if !body.is_object() {
        return Err(ApiError::bad_request("the request body is not a JSON object"));
    }
    let api_version = body.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if !api_version.is_empty() && api_version != r.api_version() {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({api_version}) does not match the expected API version ({})",
            r.api_version()
        )));
    }
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or("");
    if !kind.is_empty() && kind != r.kind() {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({kind}) does not match the expected kind ({})",
            r.kind()
        )));
    }
    body["apiVersion"] = json!(r.api_version());
    body["kind"] = json!(r.kind());
    match body.get("metadata") {
        Some(Value::Object(_)) => {}
        None | Some(Value::Null) => body["metadata"] = json!({}),
        Some(_) => return Err(ApiError::bad_request("metadata must be an object")),
    }
    Ok(body)
}

/// `ns` is "" for cluster-scoped kinds, whose bodies' namespaces the server ignores.
pub fn check_namespace(body: &Value, ns: &str) -> Result<(), ApiError> {
    match body.pointer("/metadata/namespace").and_then(Value::as_str) {
        Some(given) if !ns.is_empty() && !given.is_empty() && given != ns => {
            Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ))
        }
        _ => Ok(()),
    }
}

/// Names are DNS subdomains: lower-case alphanumerics, '-' and '.', at most 253 characters.
pub fn check_name(r: Resource, name: &str) -> Result<(), ApiError> {
    let ok = name.len() <= 253
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "{} \"{name}\" is invalid: metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 \
             subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start \
             and end with an alphanumeric character",
            r.kind()
        )))
    }
}

/// On create the status is the server's, not the client's: custom resources with a status
/// subresource drop it, and a new pod starts Pending.
pub fn reset_status_on_create(r: Resource, obj: &mut Value) {
    match r {
        Resource::Pods => obj["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"}),
        Resource::GameServers | Resource::GameServerSets | Resource::AdvancedStatefulSets => {
            if let Some(m) = obj.as_object_mut() {
                m.remove("status");
            }
        }
        Resource::Events | Resource::Nodes | Resource::CustomResourceDefinitions => {}
    }
}

fn set_or_remove(obj: &mut Value, key: &str, value: Option<&Value>) {
    if let Some(m) = obj.as_object_mut() {
        match value {
            Some(v) => {
                m.insert(key.to_string(), v.clone());
            }
            None => {
                m.remove(key);
            }
        }
    }
}

/// A write to `/status`: the old object with the new status.
pub fn only_status(old: &Value, body: &Value) -> Value {
    let mut new = old.clone();
    set_or_remove(&mut new, "status", body.get("status"));
    new
}

/// A write to the main resource of a kind with a status subresource keeps the old status.
pub fn keep_status(r: Resource, old: &Value, mut body: Value) -> Value {
    if r.has_status() {
        set_or_remove(&mut body, "status", old.get("status"));
    }
    body
}

/// Fields of metadata clients cannot change.
pub fn keep_server_metadata(old: &Value, new: &mut Value) {
    for key in ["uid", "creationTimestamp", "generation", "deletionTimestamp", "name", "namespace"]
    {
        let v = old.pointer(&format!("/metadata/{key}")).cloned();
        if let Some(m) = new.get_mut("metadata") {
            set_or_remove(m, key, v.as_ref());
        }
    }
}

/// Everything but metadata and status: a change there bumps `metadata.generation`.
fn spec_part(v: &Value) -> Map<String, Value> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "metadata" | "status" | "apiVersion" | "kind")
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

pub fn spec_changed(old: &Value, new: &Value) -> bool {
    spec_part(old) != spec_part(new)
}

/// The pod spec with the fields an update may change blanked out.
fn frozen_pod_spec(pod: &Value) -> Value {
    let mut spec = pod.get("spec").cloned().unwrap_or(Value::Null);
    for list in ["containers", "initContainers"] {
        if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                if let Some(m) = c.as_object_mut() {
                    m.remove("image");
                }
            }
        }
    }
    if let Some(m) = spec.as_object_mut() {
        for key in ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"] {
            m.remove(key);
        }
    }
    spec
}

/// Pod specs are immutable except for container images and a few scheduling fields; in-place
/// updates depend on exactly this rule.
pub fn check_pod_update(r: Resource, name: &str, old: &Value, new: &Value) -> Result<(), ApiError> {
    if r == Resource::Pods && frozen_pod_spec(old) != frozen_pod_spec(new) {
        return Err(ApiError::invalid(format!(
            "Pod \"{name}\" is invalid: spec: Forbidden: pod updates may not change fields other than \
             `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,\
             `spec.tolerations` (only additions to existing tolerations),\
             `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
        )));
    }
    Ok(())
}
