//! A small, fixed fleet for tests of the API server itself (with `DemoCluster::start_bare`):
//! one GameServerSet `gss-2048` with an `app-2048` and a `sidecar` container, its GameServers
//! and running pods. The simulated controller's seed (`sim::seed`) is the richer, living one.
use serde_json::{Value, json};

use crate::sim::pods::NODES;
use okg_domain::types::{API_VERSION, labels};

pub const SET: &str = "gss-2048";
pub const APP_IMAGE: &str = "registry.example.com/okg/2048:v1.0";
pub const SIDECAR_IMAGE: &str = "registry.example.com/okg/hot-update-sidecar:v1";

fn containers() -> Value {
    json!([
        {"name": "app-2048", "image": APP_IMAGE, "ports": [{"containerPort": 80}, {"containerPort": 3000}]},
        {"name": "sidecar", "image": SIDECAR_IMAGE}
    ])
}

pub fn small_fleet(namespace: &str, replicas: i32) -> Vec<Value> {
    let created = "2026-01-01T00:00:00Z";
    let mut objs = vec![json!({
        "apiVersion": API_VERSION, "kind": "GameServerSet",
        "metadata": {"name": SET, "namespace": namespace, "creationTimestamp": created},
        "spec": {
            "replicas": replicas,
            "gameServerTemplate": {"metadata": {"labels": {"app": SET}}, "spec": {"containers": containers()}},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"podUpdatePolicy": "InPlaceIfPossible"}}
        },
        "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas,
                   "currentReplicas": replicas, "updatedReplicas": replicas, "updatedReadyReplicas": replicas,
                   "maintainingReplicas": 0, "waitToBeDeletedReplicas": 0, "preDeleteReplicas": 0,
                   "observedGeneration": 1}
    })];
    for i in 0..replicas {
        let name = format!("{SET}-{i}");
        let pod_labels = json!({
            "app": SET, labels::OWNER_GSS: SET, labels::GS_STATE: "Ready", labels::GS_OPS_STATE: "None",
            labels::POD_NAME: name, labels::REVISION_HASH: format!("{SET}-7c9d6b5f4"),
        });
        objs.push(json!({
            "apiVersion": API_VERSION, "kind": "GameServer",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": created,
                         "labels": {labels::OWNER_GSS: SET, "app": SET}},
            "spec": {"opsState": "None", "updatePriority": 0, "deletionPriority": 0},
            "status": {"currentState": "Ready", "desiredState": "Ready", "updatePriority": 0, "deletionPriority": 0}
        }));
        let (node, host_ip) = NODES[i as usize % NODES.len()];
        let statuses: Vec<Value> = ["app-2048", "sidecar"]
            .iter()
            .zip([APP_IMAGE, SIDECAR_IMAGE])
            .map(|(c, image)| {
                json!({"name": c, "image": image, "imageID": format!("{image}@sha256:{:064x}", i),
                       "ready": true, "restartCount": 0, "started": true,
                       "state": {"running": {"startedAt": created}}})
            })
            .collect();
        objs.push(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": created, "labels": pod_labels},
            "spec": {"containers": containers(), "nodeName": node},
            "status": {"phase": "Running", "podIP": format!("10.244.{}.{}", i / 250, i % 250 + 2),
                       "hostIP": host_ip, "containerStatuses": statuses,
                       "conditions": [{"type": "Ready", "status": "True"}]}
        }));
    }
    objs
}
