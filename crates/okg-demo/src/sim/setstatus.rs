//! GameServerSet status: counts over the set's pods and GameServers.

use serde_json::{Value, json};

use okg_domain::types::labels;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetCounts {
    /// `spec.replicas`: kruise-game writes the desired count into `status.replicas`.
    pub desired: i32,
    /// Every pod of the set, terminating ones too (kruise-game's `currentReplicas` is the length
    /// of its pod list).
    pub pods: i32,
    /// Of the pods not being deleted: Ready.
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
    // As kruise-game's SyncStatus: `replicas` is the desired count, `currentReplicas` the pods
    // (not the pods on the current revision, as for a Deployment).
    json!({
        "observedGeneration": generation,
        "replicas": c.desired,
        "readyReplicas": c.ready,
        "availableReplicas": c.ready,
        "currentReplicas": c.pods,
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
    fn replicas_is_desired_and_current_replicas_counts_pods() {
        // Scaling from 6 to 8: 7 pods so far, one of them terminating, 2 on the update revision.
        let mid = SetCounts {
            desired: 8,
            pods: 7,
            ready: 5,
            updated: 2,
            updated_ready: 1,
            ..Default::default()
        };
        let v = gss_status("gss-2048", Some(3), &mid);
        assert_eq!((v["replicas"].as_i64(), v["currentReplicas"].as_i64()), (Some(8), Some(7)));
        assert_eq!(v["updatedReplicas"], 2);
        assert_eq!(v["observedGeneration"], 3);
        assert_eq!(v["labelSelector"], "game.kruise.io/owner-gss=gss-2048");
        let done = SetCounts {
            desired: 6,
            pods: 6,
            ready: 6,
            updated: 6,
            updated_ready: 6,
            ..Default::default()
        };
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
