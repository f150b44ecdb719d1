//! Synthetic fleets for tests, snapshots and the benchmark: GameServerSets, GameServers and pods
//! shaped like OKG's, at a fixed "now" so rendered ages are stable.
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use serde_json::json;

use crate::fleet::PodInfo;
use crate::types::{GameServer, GameServerSet};

/// The fixed "now" of snapshots: 2026-01-01T12:00:00Z.
pub fn now() -> Timestamp {
    "2026-01-01T12:00:00Z".parse().expect("static timestamp")
}

fn ago(secs: i64) -> String {
    (now() - jiff::SignedDuration::from_secs(secs)).to_string()
}

pub fn set(
    ns: &str,
    name: &str,
    replicas: i32,
    policy: &str,
    images: &[(&str, &str)],
) -> GameServerSet {
    let containers: Vec<_> = images.iter().map(|(n, i)| json!({"name": n, "image": i})).collect();
    serde_json::from_value(json!({
        "apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServerSet",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": ago(535)},
        "spec": {
            "replicas": replicas,
            "gameServerTemplate": {"spec": {"containers": containers}},
            "updateStrategy": {"rollingUpdate": {"podUpdatePolicy": policy, "partition": 0}}
        },
        "status": {"replicas": replicas, "currentReplicas": replicas, "readyReplicas": replicas, "updatedReplicas": replicas}
    }))
    .expect("fake set")
}

pub fn gameserver(ns: &str, set: &str, ordinal: usize, state: &str, ops: &str) -> GameServer {
    serde_json::from_value(json!({
        "apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServer",
        "metadata": {
            "name": crate::names::member(set, ordinal as u32), "namespace": ns, "creationTimestamp": ago(535),
            "labels": {"game.kruise.io/owner-gss": set}
        },
        "spec": {"opsState": ops},
        "status": {"currentState": state, "desiredState": "Ready", "updatePriority": 0, "deletionPriority": 0,
            "networkStatus": {"networkType": "Kubernetes-HostPort", "currentNetworkState": "Ready",
                "externalAddresses": [{"ip": format!("203.0.113.{}", 11 + ordinal % 3),
                    "ports": [{"name": "game", "port": 8000 + ordinal, "protocol": "UDP"}]}]}}
    }))
    .expect("fake gameserver")
}

/// A pod running `images` (spec and status agree), all ready, with `restarts` on the first
/// container, the last one `restart_ago` seconds ago.
pub fn pod(
    ns: &str,
    set: &str,
    ordinal: usize,
    images: &[(&str, &str)],
    restarts: i32,
    restart_ago: i64,
) -> Pod {
    let containers: Vec<_> = images.iter().map(|(n, i)| json!({"name": n, "image": i})).collect();
    let statuses: Vec<_> = images
        .iter()
        .enumerate()
        .map(|(i, (n, img))| {
            let mut s = json!({
                "name": n, "image": img, "imageID": format!("docker.io/games/{}@sha256:{:016x}{}", n, ((i + 1) * 2654435761 + ordinal * 40503) as u64, "9c2e".repeat(12)),
                "ready": true, "restartCount": if i == 0 { restarts } else { 0 },
                "state": {"running": {"startedAt": ago(restart_ago.min(535))}}
            });
            if i == 0 && restarts > 0 {
                s["lastState"] = json!({"terminated": {"exitCode": 137, "reason": "Error",
                    "finishedAt": ago(restart_ago)}});
            }
            s
        })
        .collect();
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": crate::names::member(set, ordinal as u32), "namespace": ns, "creationTimestamp": ago(535),
            "uid": format!("00000000-0000-4000-8000-{:012}", ordinal),
            "labels": {"game.kruise.io/owner-gss": set, "controller-revision-hash": format!("{set}-7d9f8c6b5"),
                "lifecycle.apps.kruise.io/state": "Normal", "game.kruise.io/gs-update-priority": "0"}
        },
        "spec": {"containers": containers, "nodeName": format!("node-{}", ordinal % 3)},
        "status": {"phase": "Running", "podIP": format!("10.0.{}.{}", ordinal / 250, ordinal % 250 + 10),
            "containerStatuses": statuses}
    }))
    .expect("fake pod")
}

/// The demo-like fleet of the snapshots: gss-2048 (6, in place, one pod mid-update of its
/// sidecar) and gss-battle (4, ReCreate).
pub fn small_fleet() -> (Vec<GameServerSet>, Vec<GameServer>, Vec<Pod>) {
    let app = ("app-2048", "registry.example.com/games/app-2048:v1.0");
    let side = ("sidecar", "registry.example.com/games/2048-sidecar:v2.0");
    let old_side = ("sidecar", "registry.example.com/games/2048-sidecar:v1.0");
    let sets = vec![
        set("default", "gss-2048", 6, "InPlaceIfPossible", &[app, side]),
        set(
            "default",
            "gss-battle",
            4,
            "ReCreate",
            &[("battle", "registry.example.com/games/battle:v3.1"), old_side],
        ),
    ];
    let mut gss = Vec::new();
    let mut pods = Vec::new();
    for i in 0..6 {
        let (state, ops) = match i {
            1 => ("Updating", "None"),
            2 => ("Ready", "Maintaining"),
            _ => ("Ready", "None"),
        };
        gss.push(gameserver("default", "gss-2048", i, state, ops));
        let images = if i == 5 { [app, old_side] } else { [app, side] };
        let mut p =
            pod("default", "gss-2048", i, &images, if i < 2 { 1 } else { 0 }, 33 + i as i64);
        if i == 1 {
            // Mid-update: the spec already names v2.0, the container still runs v1.0.
            let st = p.status.as_mut().unwrap().container_statuses.as_mut().unwrap();
            st[1].image = old_side.1.into();
            st[1].ready = false;
        }
        pods.push(p);
    }
    for i in 0..4 {
        gss.push(gameserver("default", "gss-battle", i, "Ready", "None"));
        pods.push(pod(
            "default",
            "gss-battle",
            i,
            &[("battle", "registry.example.com/games/battle:v3.1"), old_side],
            0,
            0,
        ));
    }
    (sets, gss, pods)
}

/// Pods as the watches deliver them to the state.
pub fn infos(pods: &[Pod]) -> Vec<PodInfo> {
    pods.iter().map(PodInfo::from_pod).collect()
}

/// The benchmark's fleet with pods already reduced, built one pod at a time so the full pods are
/// never all in memory at once (as with the watches).
pub fn big_fleet_infos(
    sets: usize,
    per_set: usize,
) -> (Vec<GameServerSet>, Vec<GameServer>, Vec<PodInfo>) {
    let images = [
        ("app", "registry.example.com/games/app:v1.0"),
        ("sidecar", "registry.example.com/games/sidecar:v2.0"),
    ];
    let mut s = Vec::new();
    let mut g = Vec::new();
    let mut p = Vec::new();
    for k in 0..sets {
        let name = format!("gss-{k:03}");
        s.push(set("default", &name, per_set as i32, "InPlaceIfPossible", &images));
        for i in 0..per_set {
            g.push(gameserver("default", &name, i, "Ready", "None"));
            p.push(PodInfo::from_pod(&pod("default", &name, i, &images, (i % 3) as i32, 60)));
        }
    }
    (s, g, p)
}
