//! The demo cluster's initial objects: two GameServerSets that have been running for a few hours,
//! their GameServers and pods, all Ready, with some history (restarts, ops states, priorities).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ContainerStatus, PodStatus, PodTemplateSpec};
use serde_json::{Value, json};

use super::mirror::{self, GsStatusInput};
use super::pods::{self, GsLabels, PodShape};
use super::revision;
use super::setstatus::{self, SetCounts};
use crate::DemoOptions;
use okg_domain::types::{API_VERSION, labels};

/// `gss-2048` as in the OKG hot-update guide: the sidecar carries the game scripts and copies
/// them into an emptyDir the main container serves from.
fn gss_2048(namespace: &str, replicas: i32) -> Value {
    json!({
        "apiVersion": API_VERSION,
        "kind": "GameServerSet",
        "metadata": {"name": "gss-2048", "namespace": namespace, "generation": 1},
        "spec": {
            "replicas": replicas,
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {
                    "podUpdatePolicy": "InPlaceIfPossible",
                    "maxUnavailable": 1,
                    "partition": 0,
                },
            },
            "gameServerTemplate": {
                "metadata": {"labels": {"app": "2048"}},
                "spec": {
                    "containers": [
                        {
                            "name": "app-2048",
                            "image": "registry.cn-beijing.aliyuncs.com/acs/2048:v1.0",
                            "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}],
                            "volumeMounts": [{"name": "shared-dir", "mountPath": "/var/www/html/js"}],
                        },
                        {
                            "name": "sidecar",
                            "image": "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v1.0",
                            "args": ["bash", "-c", "rsync -aP /app/js/* /app/scripts/ && while true; do echo 11;sleep 2; done"],
                            "volumeMounts": [{"name": "shared-dir", "mountPath": "/app/scripts"}],
                        },
                    ],
                    "volumes": [{"name": "shared-dir", "emptyDir": {}}],
                },
            },
        },
    })
}

/// A second set that re-creates its pods on update (the OKG default policy).
fn gss_battle(namespace: &str) -> Value {
    json!({
        "apiVersion": API_VERSION,
        "kind": "GameServerSet",
        "metadata": {"name": "gss-battle", "namespace": namespace, "generation": 1},
        "spec": {
            "replicas": 4,
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"podUpdatePolicy": "ReCreate", "maxUnavailable": 1},
            },
            "gameServerTemplate": {
                "metadata": {"labels": {"app": "battle"}},
                "spec": {
                    "containers": [
                        {
                            "name": "battle",
                            "image": "registry.example.com/okg/battle:v3.1",
                            "env": [{"name": "MAX_PLAYERS", "value": "16"}],
                            "ports": [{"name": "game", "containerPort": 7777, "protocol": "UDP"}],
                            "volumeMounts": [{"name": "scripts", "mountPath": "/opt/battle/scripts"}],
                        },
                        {
                            "name": "sidecar",
                            "image": "registry.example.com/okg/battle-sidecar:v1.0",
                            "command": ["sh", "-c", "cp -r /scripts/* /shared/ && exec sleep infinity"],
                            "volumeMounts": [{"name": "scripts", "mountPath": "/shared"}],
                        },
                    ],
                    "volumes": [{"name": "scripts", "emptyDir": {}}],
                },
            },
        },
    })
}

/// Per-ordinal history: ops state, priorities, past restarts. Deterministic so tests and
/// screenshots are repeatable.
struct History {
    ops_state: &'static str,
    update_priority: i32,
    deletion_priority: i32,
    /// (container index, restart count, seconds since the last restart)
    restart: Option<(usize, i32, i64)>,
}

fn history(set_index: usize, ordinal: u32) -> History {
    let k = (ordinal as usize + set_index * 3) % 6;
    History {
        ops_state: match k {
            1 => "Allocated",
            4 => "Maintaining",
            _ => "None",
        },
        update_priority: match k {
            2 => 10,
            5 => 5,
            _ => 0,
        },
        deletion_priority: if k == 0 { 10 } else { 0 },
        restart: match k {
            3 => Some((0, 1, 33)),
            0 if ordinal > 0 => Some((1, 3, 12 * 60)),
            _ => None,
        },
    }
}

/// GameServerSets, GameServers and pods of a cluster that has been running for a while.
pub fn initial_objects(options: &DemoOptions) -> Vec<serde_json::Value> {
    let ns = options.namespace.as_str();
    let now = jiff::Timestamp::now();
    let born = now - jiff::SignedDuration::from_hours(3);
    let replicas = options.replicas.max(0);
    let sets = [gss_2048(ns, replicas), gss_battle(ns)];
    let mut out = Vec::with_capacity(2 + 2 * (replicas as usize + 4));
    let mut ip_counter = 0u32;
    for (set_index, mut set) in sets.into_iter().enumerate() {
        let name = set["metadata"]["name"].as_str().unwrap_or_default().to_string();
        set["metadata"]["creationTimestamp"] = pods::time_value(born);
        let template: PodTemplateSpec =
            serde_json::from_value(set["spec"]["gameServerTemplate"].clone()).unwrap_or_default();
        let rev = revision::revision_name(&name, &template);
        let count = set["spec"]["replicas"].as_i64().unwrap_or(0) as u32;
        let mut counts = SetCounts { desired: count as i32, ..Default::default() };
        // Image IDs depend only on the image: compute them once per set.
        let containers: Vec<(String, String)> = template
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
            .collect();
        let ports = {
            let probe: k8s_openapi::api::core::v1::Pod = k8s_openapi::api::core::v1::Pod {
                spec: template.spec.clone(),
                ..Default::default()
            };
            mirror::pod_ports(&probe)
        };
        let ports_value: Vec<Value> = ports
            .iter()
            .map(|(name, port, proto)| json!({"name": name, "port": port, "protocol": proto}))
            .collect();
        let base_pod = PodShape {
            namespace: ns,
            set: &name,
            ordinal: 0,
            revision: &rev,
            template: &template,
            overrides: &BTreeMap::new(),
            gs: &GsLabels { state: "Ready".into(), ..Default::default() },
        }
        .object();
        for ordinal in 0..count {
            let h = history(set_index, ordinal);
            // Pods were created over the first hour; some re-created since.
            let created = born + jiff::SignedDuration::from_secs(60 * (ordinal as i64 % 60) + 5);
            let gs_labels = GsLabels {
                state: "Ready".into(),
                ops_state: h.ops_state.into(),
                update_priority: h.update_priority.to_string(),
                deletion_priority: h.deletion_priority.to_string(),
                network_disabled: false,
            };
            let no_overrides = BTreeMap::new();
            let shape = PodShape {
                namespace: ns,
                set: &name,
                ordinal,
                revision: &rev,
                template: &template,
                overrides: &no_overrides,
                gs: &gs_labels,
            };
            let pod_name = shape.name();
            let (_, host_ip) = shape.node();
            let ip = pods::pod_ip(ip_counter);
            ip_counter += 1;
            let statuses: Vec<ContainerStatus> = containers
                .iter()
                .enumerate()
                .map(|(i, (cname, image))| match h.restart {
                    Some((ci, restarts, ago)) if ci == i => {
                        let finished = now - jiff::SignedDuration::from_secs(ago);
                        let started = finished + jiff::SignedDuration::from_secs(2);
                        pods::running(&pod_name, cname, image, started, restarts, Some(finished))
                    }
                    _ => pods::running(
                        &pod_name,
                        cname,
                        image,
                        created + jiff::SignedDuration::from_secs(4),
                        0,
                        None,
                    ),
                })
                .collect();
            let ready_at = created + jiff::SignedDuration::from_secs(6);
            let status = PodStatus {
                phase: Some("Running".into()),
                host_ip: Some(host_ip.into()),
                host_ips: Some(vec![k8s_openapi::api::core::v1::HostIP { ip: host_ip.into() }]),
                pod_ip: Some(ip.clone()),
                pod_ips: Some(vec![k8s_openapi::api::core::v1::PodIP { ip: ip.clone() }]),
                start_time: Some(pods::time(created)),
                qos_class: Some("BestEffort".into()),
                conditions: Some(vec![
                    pods::condition(pods::INPLACE_UPDATE_READY, true, None, created),
                    pods::condition("PodReadyToStartContainers", true, None, created),
                    pods::condition("Initialized", true, None, created),
                    pods::condition("Ready", true, None, ready_at),
                    pods::condition("ContainersReady", true, None, ready_at),
                    pods::condition("PodScheduled", true, None, created),
                ]),
                container_statuses: Some(statuses),
                ..Default::default()
            };
            // Shaping is the same for every ordinal but for names, node and labels: shape once
            // per set and patch the copies (seeding 10,000 pods must be quick).
            let mut pod = base_pod.clone();
            let node = shape.node().0;
            pod["metadata"]["name"] = json!(pod_name);
            let l = &mut pod["metadata"]["labels"];
            l[labels::POD_NAME] = json!(pod_name);
            l[labels::GS_OPS_STATE] = json!(h.ops_state);
            l[labels::GS_UPDATE_PRIORITY] = json!(gs_labels.update_priority);
            l[labels::GS_DELETE_PRIORITY] = json!(gs_labels.deletion_priority);
            pod["spec"]["hostname"] = json!(pod_name);
            pod["spec"]["nodeName"] = json!(node);
            pod["metadata"]["creationTimestamp"] = pods::time_value(created);
            let status_value = serde_json::to_value(&status).unwrap_or(Value::Null);

            let mut gs_status = mirror::gs_status(&GsStatusInput {
                state: "Ready",
                update_priority: Some(&gs_labels.update_priority),
                deletion_priority: Some(&gs_labels.deletion_priority),
                pod_status: None,
                ports: ports.clone(),
                now: ready_at,
                since: None,
            });
            // The same status serialised once serves the pod and the GameServer's copy.
            gs_status["podStatus"] = status_value.clone();
            gs_status["networkStatus"]["currentNetworkState"] = json!("Ready");
            gs_status["networkStatus"]["internalAddresses"] =
                json!([{"ip": ip, "ports": ports_value}]);
            gs_status["networkStatus"]["externalAddresses"] =
                json!(mirror::external_addresses(Some(host_ip), Some(&ip), &ports));
            pod["status"] = status_value;
            let gs = json!({
                "apiVersion": API_VERSION,
                "kind": "GameServer",
                "metadata": {
                    "name": pod_name,
                    "namespace": ns,
                    "creationTimestamp": pods::time_value(created),
                    "labels": {labels::OWNER_GSS: name},
                },
                "spec": {
                    "opsState": h.ops_state,
                    "updatePriority": h.update_priority,
                    "deletionPriority": h.deletion_priority,
                    "networkDisabled": false,
                },
                "status": gs_status,
            });
            counts.pods += 1;
            counts.ready += 1;
            counts.updated += 1;
            counts.updated_ready += 1;
            match h.ops_state {
                "Maintaining" => counts.maintaining += 1,
                "WaitToBeDeleted" => counts.wait_to_be_deleted += 1,
                _ => {}
            }
            out.push(gs);
            out.push(pod);
        }
        set["status"] = setstatus::gss_status(&name, Some(1), &counts);
        // Its Advanced StatefulSet, settled: every pod on the one revision.
        if let Ok(typed) = serde_json::from_value::<okg_domain::types::GameServerSet>(set.clone()) {
            let mut asts = super::asts::object(&typed);
            let n = i64::from(counts.pods);
            let c = super::asts::Counts {
                replicas: n,
                ready: n,
                current: n,
                updated: n,
                updated_ready: n,
            };
            asts["metadata"]["creationTimestamp"] = pods::time_value(born);
            asts["metadata"]["generation"] = json!(1);
            asts["status"] = super::asts::status_value(&name, &rev, &rev, &c);
            asts["status"]["observedGeneration"] = json!(1);
            out.push(asts);
        }
        out.push(set);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use okg_domain::types::{GameServer, GameServerSet};

    fn seed(replicas: i32) -> Vec<Value> {
        initial_objects(&DemoOptions { replicas, ..Default::default() })
    }

    #[test]
    fn seeds_both_sets_with_pods_and_gameservers() {
        let objs = seed(6);
        let kinds = |k: &str| objs.iter().filter(|o| o["kind"] == k).count();
        assert_eq!(kinds("GameServerSet"), 2);
        assert_eq!(kinds("GameServer"), 10);
        assert_eq!(kinds("Pod"), 10);
        for o in &objs {
            match o["kind"].as_str() {
                Some("GameServerSet") => {
                    let _: GameServerSet = serde_json::from_value(o.clone()).unwrap();
                }
                Some("GameServer") => {
                    let gs: GameServer = serde_json::from_value(o.clone()).unwrap();
                    assert_eq!(gs.current_state(), "Ready");
                }
                Some("StatefulSet") => {
                    let rev = o["status"]["updateRevision"].as_str().unwrap();
                    assert_eq!(o["status"]["currentRevision"].as_str(), Some(rev));
                }
                _ => {
                    let _: Pod = serde_json::from_value(o.clone()).unwrap();
                }
            }
        }
    }

    #[test]
    fn pods_carry_revision_of_their_set_and_distinct_ips() {
        let objs = seed(6);
        let set: GameServerSet = serde_json::from_value(
            objs.iter()
                .find(|o| o["metadata"]["name"] == "gss-2048" && o["kind"] == "GameServerSet")
                .unwrap()
                .clone(),
        )
        .unwrap();
        let rev = revision::revision_name("gss-2048", &set.spec.game_server_template.pod_template);
        let pods: Vec<Pod> = objs
            .iter()
            .filter(|o| o["kind"] == "Pod")
            .map(|o| serde_json::from_value(o.clone()).unwrap())
            .collect();
        let mut ips = std::collections::HashSet::new();
        for p in &pods {
            if pods::label(p, labels::OWNER_GSS) == Some("gss-2048") {
                assert_eq!(pods::label(p, labels::REVISION_HASH), Some(rev.as_str()));
            }
            assert!(ips.insert(p.status.as_ref().unwrap().pod_ip.clone().unwrap()));
        }
        // Some history to show: a restart, an Allocated and a Maintaining server.
        let restarts: i32 = pods
            .iter()
            .flat_map(|p| p.status.as_ref().unwrap().container_statuses.iter().flatten())
            .map(|c| c.restart_count)
            .sum();
        assert!(restarts > 0);
        let ops: Vec<&str> =
            pods.iter().filter_map(|p| pods::label(p, labels::GS_OPS_STATE)).collect();
        assert!(ops.contains(&"Allocated") && ops.contains(&"Maintaining"));
    }

    #[test]
    fn ten_thousand_replicas_seed() {
        let objs = seed(10_000);
        assert_eq!(objs.iter().filter(|o| o["kind"] == "Pod").count(), 10_004);
    }
}
