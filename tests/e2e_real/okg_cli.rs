//! `okg status` and `okg bump --wait` through the console's own code paths on a real server.
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::support::*;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use okg_console::cluster::writer::Writer;
use serde_json::{Value, json};

/// `okg status -o json` (docs/status-json.md) reports what kubectl reports: the sets' counts,
/// each GameServer's state and opsState, each pod's IP, node and images.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn okg_status_json_agrees_with_kubectl() {
    let Some(env) = env_or_skip("okg_status_json_agrees_with_kubectl") else {
        return;
    };
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-status").await;
    create_fleet(&admin, &ns, "gss-status", 3).await;
    Writer::new(admin.clone())
        .patch_game_server(
            &ns,
            "gss-status-2",
            json_patch(
                json!([{"op": "replace", "path": "/spec/opsState", "value": "Maintaining"}]),
            ),
        )
        .await
        .unwrap();
    // Let OKG's double mirror the opsState into the pod label, as it does in a cluster.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(okg_bin(&env))
        .arg("--kubeconfig")
        .arg(&env.admin_kubeconfig)
        .args(["-n", &ns, "status", "-o", "json", "--log-file"])
        .arg(dir.path().join("okg.log"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ours: Value = serde_json::from_slice(&out.stdout).expect("okg status -o json is JSON");
    let k = |args: &[&str]| -> Value {
        let mut all = vec!["get"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-n", &ns, "-o", "json"]);
        serde_json::from_str(&kubectl(&env.admin_kubeconfig, &all)).unwrap()
    };
    let (gss, gs, pods) = (k(&["gss"]), k(&["gs"]), k(&["pods"]));

    let sets = ours["sets"].as_array().expect("sets");
    assert_eq!(sets.len(), gss["items"].as_array().unwrap().len());
    for item in gss["items"].as_array().unwrap() {
        let name = item["metadata"]["name"].as_str().unwrap();
        let set = sets.iter().find(|s| s["name"] == name).expect("set in okg status");
        assert_eq!(set["desired"], item["spec"]["replicas"], "{name} desired");
        for (ours_key, theirs_key) in
            [("current", "replicas"), ("updated", "updatedReplicas"), ("ready", "readyReplicas")]
        {
            assert_eq!(set[ours_key], item["status"][theirs_key], "{name} {ours_key}");
        }
        let gameservers = set["gameServers"].as_array().unwrap();
        let kubectl_gs: Vec<&Value> = gs["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["metadata"]["labels"]["game.kruise.io/owner-gss"] == name)
            .collect();
        assert_eq!(gameservers.len(), kubectl_gs.len(), "{name}: number of GameServers");
        for g in kubectl_gs {
            let gname = g["metadata"]["name"].as_str().unwrap();
            let row = gameservers.iter().find(|r| r["name"] == gname).expect("GameServer row");
            assert_eq!(row["state"], g["status"]["currentState"], "{gname} state");
            assert_eq!(row["opsState"], g["spec"]["opsState"], "{gname} opsState");
            let pod = pods["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["metadata"]["name"] == gname)
                .expect("pod of the GameServer");
            assert_eq!(row["ip"], pod["status"]["podIP"], "{gname} ip");
            assert_eq!(row["node"], pod["spec"]["nodeName"], "{gname} node");
            for c in pod["spec"]["containers"].as_array().unwrap() {
                let img = row["images"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i["container"] == c["name"])
                    .expect("container in okg status");
                assert_eq!(img["image"], c["image"], "{gname} {}", c["name"]);
            }
        }
    }
    let maintaining = sets[0]["gameServers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "gss-status-2")
        .unwrap();
    assert_eq!(maintaining["opsState"], "Maintaining");
}

/// uid, IP, node and (container, restart count) of a pod.
type PodFacts = (String, String, String, Vec<(String, i32)>);

/// A bump through the console's own code path (`okg bump --wait`, i.e. ops::bump) against the
/// real API server: one JSON Patch on the GameServerSet, and every pod IN PLACE (same UID, node
/// and IP; only the bumped container restarted).
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn okg_bump_is_in_place_for_every_pod_on_a_real_api_server() {
    let Some(env) = env_or_skip("okg_bump_is_in_place_for_every_pod_on_a_real_api_server") else {
        return;
    };
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-bump").await;
    create_fleet(&admin, &ns, "gss-bump", 4).await;
    let lp = ListParams::default().labels("game.kruise.io/owner-gss=gss-bump");
    let pod_api: Api<Pod> = Api::namespaced(admin.clone(), &ns);
    let snapshot = |pods: Vec<Pod>| -> BTreeMap<String, PodFacts> {
        pods.into_iter()
            .map(|p| {
                let st = p.status.clone().unwrap_or_default();
                let restarts = st
                    .container_statuses
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| (c.name, c.restart_count))
                    .collect();
                (
                    p.metadata.name.clone().unwrap(),
                    (
                        p.metadata.uid.clone().unwrap(),
                        st.pod_ip.unwrap_or_default(),
                        p.spec.and_then(|s| s.node_name).unwrap_or_default(),
                        restarts,
                    ),
                )
            })
            .collect()
    };
    let before = snapshot(pod_api.list(&lp).await.unwrap().items);
    let since = jiff::Timestamp::now();
    let new_image = "registry.example/game/hot-update:v2.0";
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = std::process::Command::new(okg_bin(&env))
        .arg("--kubeconfig")
        .arg(&env.admin_kubeconfig)
        .args(["-n", &ns, "bump", "gss-bump", "--container", "hot-update", "--image", new_image])
        .args(["--yes", "--wait", "--timeout", "120s", "-o", "json", "--log-file"])
        .arg(dir.path().join("okg.log"))
        .arg("--audit-log")
        .arg(dir.path().join("audit.jsonl"))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("okg bump -o json: {e}: {}", String::from_utf8_lossy(&out.stderr))
    });
    assert_eq!(out.status.code(), Some(0), "{doc:#}\n{}", String::from_utf8_lossy(&out.stderr));
    let verdicts = doc["verdicts"].as_object().expect("verdicts");
    assert_eq!(verdicts.len(), 4, "{doc:#}");
    for (pod, v) in verdicts {
        assert_eq!(v["verdict"], "inPlace", "{pod}: {v}");
    }
    loud(&format!("e2e: okg bump --wait on 4 pods: IN PLACE in {:.1?}", started.elapsed()));

    let after = snapshot(pod_api.list(&lp).await.unwrap().items);
    assert_eq!(after.len(), 4);
    for (name, (uid, ip, node, restarts)) in &after {
        let (uid0, ip0, node0, restarts0) = &before[name];
        assert_eq!((uid, ip, node), (uid0, ip0, node0), "{name} kept UID, IP and node");
        for (c, n) in restarts {
            let n0 = restarts0.iter().find(|(c0, _)| c0 == c).unwrap().1;
            let want = if c == "hot-update" { n0 + 1 } else { n0 };
            assert_eq!(*n, want, "{name}/{c} restart count");
        }
    }
    // The console sent exactly one write, a JSON Patch the server took (no 415, no retry).
    let events = audit_events(&env);
    let writes = writes_by(&events, ADMIN, since);
    let ours: Vec<_> =
        writes.iter().filter(|e| e["objectRef"]["namespace"] == ns.as_str()).collect();
    assert_eq!(ours.len(), 1, "{ours:#?}");
    assert_eq!(ours[0]["verb"], "patch");
    assert_eq!(ours[0]["objectRef"]["resource"], "gameserversets");
    assert_eq!(ours[0]["responseStatus"]["code"], 200);
}
