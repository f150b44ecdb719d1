//! The Advanced StatefulSet kruise-game makes for each GameServerSet (same name) and the status
//! OpenKruise writes on it: the revisions a client needs to tell updated pods
//! (`status.updateRevision` against each pod's `controller-revision-hash`) and the counts.

use k8s_openapi::api::core::v1::Pod;
use serde_json::{Value, json};

use super::pods;
use okg_domain::types::{GameServerSet, labels};

/// What the demo last wrote to one Advanced StatefulSet (its `spec`, and its `status` but for
/// `observedGeneration`), so that it writes only on a change.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Written {
    pub spec: Value,
    pub status: Value,
}

impl Written {
    /// What an Advanced StatefulSet read from the API server says, in the same terms.
    pub fn of(asts: &Value) -> Written {
        let mut status = asts["status"].clone();
        if let Some(m) = status.as_object_mut() {
            m.remove("observedGeneration");
        }
        Written { spec: asts["spec"].clone(), status }
    }
}

/// The object kruise-game would write (`GetNewAstsFromGss`, kruise-game
/// `pkg/util/gameserver.go`): the set's replicas, template, lifecycle and update strategy, with
/// `type: RollingUpdate` forced whenever `rollingUpdate` is set.
pub fn object(set: &GameServerSet) -> Value {
    let ns = set.metadata.namespace.clone().unwrap_or_default();
    let name = set.metadata.name.clone().unwrap_or_default();
    let strategy = set.spec.update_strategy.as_ref();
    let rolling = strategy.and_then(|s| s.rolling_update.as_ref());
    let type_ = match (rolling, strategy.and_then(|s| s.type_.as_deref())) {
        (Some(_), _) | (None, None) => "RollingUpdate",
        (None, Some(t)) => t,
    };
    let mut update_strategy = json!({"type": type_});
    if let Some(r) = rolling {
        update_strategy["rollingUpdate"] = serde_json::to_value(r).unwrap_or(Value::Null);
    }
    let owner = json!({
        "apiVersion": okg_domain::types::API_VERSION, "kind": "GameServerSet", "name": name,
        "uid": set.metadata.uid, "controller": true, "blockOwnerDeletion": true,
    });
    let mut spec = json!({
        "replicas": set.replicas(),
        "podManagementPolicy": "Parallel",
        "selector": {"matchLabels": {labels::OWNER_GSS: name}},
        "template": set.spec.game_server_template.pod_template,
        "updateStrategy": update_strategy,
    });
    if let Some(l) = &set.spec.lifecycle {
        spec["lifecycle"] = serde_json::to_value(l).unwrap_or(Value::Null);
    }
    json!({
        "apiVersion": "apps.kruise.io/v1beta1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": ns, "labels": {labels::OWNER_GSS: name},
                     "ownerReferences": [owner]},
        "spec": spec,
    })
}

/// OpenKruise's status for the pods as this reconcile leaves them (`pods`: those not being
/// deleted). `current` is the currentRevision written before (none yet: the update revision,
/// as OpenKruise starts its history). The current revision becomes the update revision once
/// every replica is updated and ready (`completeRollingUpdate`, kruise
/// `pkg/controller/statefulset/stateful_set_utils.go`). `observedGeneration` is the executor's to
/// fill in from the object it wrote.
pub fn status(set: &GameServerSet, update: &str, current: Option<&str>, pods: &[&Pod]) -> Value {
    let on = |p: &&&Pod, rev: &str| pods::label(p, labels::REVISION_HASH) == Some(rev);
    let replicas = pods.len() as i64;
    let ready = pods.iter().filter(|p| pods::is_ready(p)).count() as i64;
    let updated = pods.iter().filter(|p| on(p, update)).count() as i64;
    let updated_ready = pods.iter().filter(|p| on(p, update) && pods::is_ready(p)).count() as i64;
    let done = updated == replicas && ready == replicas && replicas == set.replicas() as i64;
    let current = if done { update } else { current.unwrap_or(update) };
    let name = set.metadata.name.clone().unwrap_or_default();
    let counts = Counts {
        replicas,
        ready,
        current: pods.iter().filter(|p| on(p, current)).count() as i64,
        updated,
        updated_ready,
    };
    status_value(&name, update, current, &counts)
}

/// Pod counts of an Advanced StatefulSet's status.
pub struct Counts {
    pub replicas: i64,
    pub ready: i64,
    pub current: i64,
    pub updated: i64,
    pub updated_ready: i64,
}

/// The status for these counts (the seed's settled sets use it directly).
pub fn status_value(set: &str, update: &str, current: &str, c: &Counts) -> Value {
    json!({
        "replicas": c.replicas,
        "readyReplicas": c.ready,
        "availableReplicas": c.ready,
        "currentReplicas": c.current,
        "updatedReplicas": c.updated,
        "updatedReadyReplicas": c.updated_ready,
        "currentRevision": current,
        "updateRevision": update,
        "collisionCount": 0,
        "labelSelector": format!("{}={}", labels::OWNER_GSS, set),
    })
}
