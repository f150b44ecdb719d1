//! Objects every demo cluster has, whatever its fleet: the simulated nodes pods are placed on
//! and the CustomResourceDefinitions of the custom resources it serves. Clients other than the
//! console look for these (k9s lists nodes and CRDs at start and retries with back-off on 404;
//! `kubectl get nodes,crd`).
use std::collections::BTreeMap;

use kube::CustomResourceExt;
use serde_json::{Value, json};

use crate::sim::pods::NODES;
use okg_domain::types::{GameServer, GameServerSet};

/// A node's pod capacity when few pods run: the kubelet's default `maxPods`.
const DEFAULT_MAX_PODS: usize = 110;

/// The nodes and CRDs, created `age` before now, for a cluster whose initial `objects` are given
/// (a node's pod capacity leaves room for the pods placed on it).
pub fn objects(initial: &[Value], age: jiff::SignedDuration) -> Vec<Value> {
    let created = (jiff::Timestamp::now() - age).strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut pods_on: BTreeMap<&str, usize> = BTreeMap::new();
    for o in initial.iter().filter(|o| o["kind"] == "Pod") {
        if let Some(node) = o.pointer("/spec/nodeName").and_then(Value::as_str) {
            *pods_on.entry(node).or_default() += 1;
        }
    }
    let mut out: Vec<Value> = NODES
        .iter()
        .enumerate()
        .map(|(i, (name, ip))| {
            // Room for a ReCreate update's second pod per server, as a real cluster sized for
            // its fleet would have.
            let pods = pods_on.get(name).copied().unwrap_or(0);
            let max_pods = (2 * pods).next_multiple_of(100).max(DEFAULT_MAX_PODS);
            node(name, ip, i, max_pods, &created)
        })
        .collect();
    out.push(crd(GameServerSet::crd(), &created));
    out.push(crd(GameServer::crd(), &created));
    out.push(crd(advanced_statefulset_crd(), &created));
    out
}

/// The definition of OpenKruise's Advanced StatefulSet as far as the console and the demo use
/// it: names, scope, status subresource and printer columns as kruise-api v1.8.0 declares them
/// (`apis/apps/v1beta1/statefulset_types.go`); the schema keeps every field (the demo does not
/// validate an Advanced StatefulSet's spec).
pub fn advanced_statefulset_crd()
-> k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition {
    let col =
        |name: &str, kind: &str, path: &str| json!({"name": name, "type": kind, "jsonPath": path});
    serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "statefulsets.apps.kruise.io"},
        "spec": {
            "group": "apps.kruise.io",
            "names": {"kind": "StatefulSet", "listKind": "StatefulSetList", "plural": "statefulsets",
                      "singular": "statefulset", "shortNames": ["sts", "asts"]},
            "scope": "Namespaced",
            "versions": [{
                "name": "v1beta1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object",
                                               "x-kubernetes-preserve-unknown-fields": true}},
                "subresources": {"status": {}},
                "additionalPrinterColumns": [
                    col("DESIRED", "integer", ".spec.replicas"),
                    col("CURRENT", "integer", ".status.replicas"),
                    col("UPDATED", "integer", ".status.updatedReplicas"),
                    col("READY", "integer", ".status.readyReplicas"),
                    col("AGE", "date", ".metadata.creationTimestamp"),
                ],
            }],
        },
    }))
    .expect("a valid CustomResourceDefinition")
}

/// A Ready worker node as a kind cluster's kubelet reports it.
fn node(name: &str, ip: &str, index: usize, max_pods: usize, created: &str) -> Value {
    let resources = json!({
        "cpu": "16",
        "ephemeral-storage": "102626232Ki",
        "hugepages-2Mi": "0",
        "memory": "65843236Ki",
        "pods": max_pods.to_string(),
    });
    let condition = |kind: &str, status: &str, reason: &str, message: &str| {
        json!({"type": kind, "status": status, "reason": reason, "message": message,
               "lastHeartbeatTime": created, "lastTransitionTime": created})
    };
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "creationTimestamp": created,
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "beta.kubernetes.io/arch": "amd64",
                "topology.kubernetes.io/zone": format!("demo-zone-{}", index % 2 + 1),
            },
            "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {"podCIDR": format!("10.244.{index}.0/24"), "podCIDRs": [format!("10.244.{index}.0/24")],
                 "providerID": format!("okg-demo://{name}")},
        "status": {
            "capacity": resources,
            "allocatable": resources,
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "machineID": format!("{:032x}", index + 1),
                "systemUUID": format!("00000000-0000-4000-8000-{:012x}", index + 1),
                "bootID": format!("00000000-0000-4000-9000-{:012x}", index + 1),
                "kernelVersion": "6.1.0-okg-demo",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "containerRuntimeVersion": "containerd://1.7.24",
                "kubeletVersion": "v1.32.0",
                "kubeProxyVersion": "v1.32.0",
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
        },
    })
}

/// A CRD generated from the console's own types (the ones tier 6 installs into a real API
/// server), with the status the apiextensions controller gives an accepted definition.
fn crd(
    def: k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
    created: &str,
) -> Value {
    let mut v = serde_json::to_value(def).unwrap_or(Value::Null);
    let names = v["spec"]["names"].clone();
    let stored: Vec<Value> = v["spec"]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|ver| ver["storage"] == true)
        .map(|ver| ver["name"].clone())
        .collect();
    v["metadata"]["creationTimestamp"] = json!(created);
    v["metadata"]["generation"] = json!(1);
    let condition = |kind: &str, reason: &str, message: &str| {
        json!({"type": kind, "status": "True", "reason": reason, "message": message,
               "lastTransitionTime": created})
    };
    v["status"] = json!({
        "acceptedNames": names,
        "storedVersions": stored,
        "conditions": [
            condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        ],
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_have_room_for_their_pods_and_crds_are_established() {
        let pods: Vec<Value> = (0..300)
            .map(|i| json!({"kind": "Pod", "spec": {"nodeName": NODES[i % 2].0}}))
            .collect();
        let objs = objects(&pods, jiff::SignedDuration::from_hours(1));
        let pods_capacity: Vec<&str> = objs
            .iter()
            .filter(|o| o["kind"] == "Node")
            .map(|n| n.pointer("/status/allocatable/pods").and_then(Value::as_str).unwrap())
            .collect();
        assert_eq!(pods_capacity, ["300", "300", "110"]);
        let crds: Vec<&Value> =
            objs.iter().filter(|o| o["kind"] == "CustomResourceDefinition").collect();
        let names: Vec<&str> = crds.iter().filter_map(|c| c["metadata"]["name"].as_str()).collect();
        assert_eq!(
            names,
            [
                "gameserversets.game.kruise.io",
                "gameservers.game.kruise.io",
                "statefulsets.apps.kruise.io"
            ]
        );
        for c in crds {
            assert_eq!(c["spec"]["scope"], "Namespaced");
            let version =
                if c["spec"]["group"] == "apps.kruise.io" { "v1beta1" } else { "v1alpha1" };
            assert_eq!(c["status"]["storedVersions"], json!([version]));
            assert_eq!(c["status"]["conditions"][1]["type"], "Established");
        }
    }
}
