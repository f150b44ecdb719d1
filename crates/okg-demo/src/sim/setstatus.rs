//! GameServerSet status: counts over the set's pods and GameServers.

use serde_json::{Value, json};

use okg_domain::types::labels;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetCounts {
    /// Pods that exist and are not being deleted.
    pub replicas: i32,
    pub ready: i32,
    /// Pods on the update revision.
    pub updated: i32,
    pub updated_ready: i32,
    pub maintaining: i32,
    pub wait_to_be_deleted: i32,
    pub pre_delete: i32,
}

/// The `status` of a GameServerSet with these counts.
pub fn gss_status(name: &str, generation: Option<i64>, c: &SetCounts) -> Value {
    // Pods not yet updated are still on the current revision; once all are updated the update
    // revision becomes the current one.
    let current = if c.updated == c.replicas { c.replicas } else { c.replicas - c.updated };
    json!({
        "observedGeneration": generation,
        "replicas": c.replicas,
        "readyReplicas": c.ready,
        "availableReplicas": c.ready,
        "currentReplicas": current,
        "updatedReplicas": c.updated,
        "updatedReadyReplicas": c.updated_ready,
        "maintainingReplicas": c.maintaining,
        "waitToBeDeletedReplicas": c.wait_to_be_deleted,
        "preDeleteReplicas": c.pre_delete,
        "labelSelector": format!("{}={}", labels::OWNER_GSS, name),
    })
}

/// Whether an existing status already says what `desired` says (fields we own only).
pub fn status_matches(current: Option<&Value>, desired: &Value) -> bool {
    let Some(current) = current else { return false };
    desired
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| current.get(k).unwrap_or(&Value::Null) == v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_replicas_during_and_after_rollout() {
        let mid =
            SetCounts { replicas: 6, ready: 5, updated: 2, updated_ready: 1, ..Default::default() };
        let v = gss_status("gss-2048", Some(3), &mid);
        assert_eq!(v["currentReplicas"], 4);
        assert_eq!(v["updatedReplicas"], 2);
        assert_eq!(v["observedGeneration"], 3);
        assert_eq!(v["labelSelector"], "game.kruise.io/owner-gss=gss-2048");
        let done =
            SetCounts { replicas: 6, ready: 6, updated: 6, updated_ready: 6, ..Default::default() };
        assert_eq!(gss_status("g", None, &done)["currentReplicas"], 6);
    }

    #[test]
    fn matches_ignores_extra_fields() {
        let desired = json!({"replicas": 2});
        assert!(status_matches(Some(&json!({"replicas": 2, "other": 1})), &desired));
        assert!(!status_matches(Some(&json!({"replicas": 1})), &desired));
        assert!(!status_matches(None, &desired));
    }
}
