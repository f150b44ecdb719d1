//! OKG's GameServer controller, status direction: the GameServer reports its pod (state,
//! priorities read back from pod labels, a copy of the pod status, the network address), and the
//! pod's labels follow the GameServer's spec.

use k8s_openapi::api::core::v1::{Pod, PodStatus};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{Value, json};

use super::pods::{self, GsLabels, lifecycle};
use okg_domain::types::{GameServer, labels};

/// `status.currentState` of a GameServer whose pod is `pod`.
pub fn gs_state(pod: Option<&Pod>) -> &'static str {
    let Some(pod) = pod else { return "Creating" };
    if pod.metadata.deletion_timestamp.is_some() {
        return "Deleting";
    }
    match pods::label(pod, labels::LIFECYCLE_STATE) {
        Some(lifecycle::PREPARING_UPDATE) => return "PreUpdate",
        Some(lifecycle::UPDATING) => return "Updating",
        Some(lifecycle::PREPARING_DELETE) => return "PreDelete",
        _ => {}
    }
    match pod.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Running") if pods::is_ready(pod) => "Ready",
        Some("Running") => "NotReady",
        Some("Failed") => "Crash",
        _ => "Creating",
    }
}

/// The pod labels OKG derives from a GameServer (its spec, and its reported state).
pub fn gs_labels(gs: &GameServer) -> GsLabels {
    let prio = |p: Option<&IntOrString>| match p {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "0".into(),
    };
    GsLabels {
        state: gs.current_state().to_string(),
        ops_state: gs.ops_state().to_string(),
        update_priority: prio(gs.spec.update_priority.as_ref()),
        deletion_priority: prio(gs.spec.deletion_priority.as_ref()),
        network_disabled: gs.spec.network_disabled.unwrap_or(false),
    }
}

/// A priority label read back as OKG reports it in the status.
pub fn priority(label: Option<&str>) -> IntOrString {
    let s = label.unwrap_or("0");
    match s.parse::<i32>() {
        Ok(i) => IntOrString::Int(i),
        Err(_) => IntOrString::String(s.to_string()),
    }
}

/// What a GameServer status is made of.
pub struct GsStatusInput<'a> {
    pub state: &'a str,
    pub update_priority: Option<&'a str>,
    pub deletion_priority: Option<&'a str>,
    pub pod_status: Option<&'a PodStatus>,
    /// Container ports of the pod: (name, port, protocol).
    pub ports: Vec<(String, i32, String)>,
    pub now: jiff::Timestamp,
    /// When the state last changed; `None` means now.
    pub since: Option<Value>,
}

/// The whole `status` of a GameServer.
pub fn gs_status(input: &GsStatusInput) -> Value {
    let ip = input.pod_status.and_then(|s| s.pod_ip.as_deref());
    let now = pods::time_value(input.now);
    let since = input.since.clone().unwrap_or_else(|| now.clone());
    let ports: Vec<Value> = input
        .ports
        .iter()
        .map(|(name, port, proto)| json!({"name": name, "port": port, "protocol": proto}))
        .collect();
    let internal: Vec<Value> = ip.map(|ip| json!({"ip": ip, "ports": ports})).into_iter().collect();
    let host = input.pod_status.and_then(|s| s.host_ip.as_deref());
    let external = external_addresses(host, ip, &input.ports);
    json!({
        "desiredState": "Ready",
        "currentState": input.state,
        "updatePriority": priority(input.update_priority),
        "deletionPriority": priority(input.deletion_priority),
        "podStatus": input.pod_status,
        "networkStatus": {
            "networkType": "Kubernetes-HostPort",
            "desiredNetworkState": "Ready",
            "currentNetworkState": if ip.is_some() { "Ready" } else { "NotReady" },
            "internalAddresses": internal,
            "externalAddresses": external,
            "lastTransitionTime": since,
        },
        "lastTransitionTime": since,
    })
}

/// Where players reach the pod, as OKG's Kubernetes-HostPort plugin reports it: the node's
/// public address (the demo's nodes 172.18.0.N are 203.0.113.N, a documentation range) and a
/// host port per container port, picked from 8000 up by the pod's IP so each pod has its own
/// and keeps it through in-place updates. Empty until the pod has both addresses.
pub fn external_addresses(
    host_ip: Option<&str>,
    pod_ip: Option<&str>,
    ports: &[(String, i32, String)],
) -> Vec<Value> {
    let (Some(host), Some(pod)) = (host_ip, pod_ip) else { return Vec::new() };
    let Some(last) = host.rsplit('.').next().filter(|o| o.parse::<u8>().is_ok()) else {
        return Vec::new();
    };
    let base = 8000 + (pods::pod_ip_index(pod).unwrap_or(0) % 1000) as i32;
    let ports: Vec<Value> = ports
        .iter()
        .enumerate()
        .map(|(i, (name, _, proto))| {
            json!({"name": name, "port": base + 1000 * i as i32, "protocol": proto})
        })
        .collect();
    vec![json!({"ip": format!("203.0.113.{last}"), "ports": ports})]
}

/// Container ports of a pod, as the network status lists them.
pub fn pod_ports(pod: &Pod) -> Vec<(String, i32, String)> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .flat_map(|c| c.ports.iter().flatten())
        .map(|p| {
            let name = p.name.clone().unwrap_or_else(|| p.container_port.to_string());
            (name, p.container_port, p.protocol.clone().unwrap_or_else(|| "TCP".into()))
        })
        .collect()
}

/// Whether the GameServer's status already reports `pod` (cheap: no copies).
pub fn gs_status_current(gs: &GameServer, pod: Option<&Pod>, state: &str) -> bool {
    let Some(st) = gs.status.as_ref() else { return false };
    if st.current_state.as_deref() != Some(state) {
        return false;
    }
    let label = |k| pod.and_then(|p| pods::label(p, k));
    if st.update_priority.as_ref() != Some(&priority(label(labels::GS_UPDATE_PRIORITY)))
        || st.deletion_priority.as_ref() != Some(&priority(label(labels::GS_DELETE_PRIORITY)))
    {
        return false;
    }
    if st.pod_status.as_ref() != pod.and_then(|p| p.status.as_ref()) {
        return false;
    }
    let ip = pod.and_then(|p| p.status.as_ref()).and_then(|s| s.pod_ip.as_deref());
    let host = pod.and_then(|p| p.status.as_ref()).and_then(|s| s.host_ip.as_deref());
    let net = st.network_status.as_ref();
    let reported = net
        .and_then(|n| n.internal_addresses.first())
        .and_then(|a| a.get("ip"))
        .and_then(Value::as_str);
    // The external address follows the node's and the pod's: it is there once both are.
    let external = net.is_some_and(|n| !n.external_addresses.is_empty());
    reported == ip && external == (ip.is_some() && host.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(v: Value) -> Pod {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn state_follows_pod() {
        assert_eq!(gs_state(None), "Creating");
        let ready = pod(json!({"metadata": {"labels": {labels::LIFECYCLE_STATE: "Normal"}},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}));
        assert_eq!(gs_state(Some(&ready)), "Ready");
        let not_ready = pod(
            json!({"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}}),
        );
        assert_eq!(gs_state(Some(&not_ready)), "NotReady");
        let updating = pod(json!({"metadata": {"labels": {labels::LIFECYCLE_STATE: "Updating"}},
            "status": {"phase": "Running"}}));
        assert_eq!(gs_state(Some(&updating)), "Updating");
        let pre =
            pod(json!({"metadata": {"labels": {labels::LIFECYCLE_STATE: "PreparingUpdate"}}}));
        assert_eq!(gs_state(Some(&pre)), "PreUpdate");
        let deleting = pod(json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}}));
        assert_eq!(gs_state(Some(&deleting)), "Deleting");
        assert_eq!(gs_state(Some(&pod(json!({"status": {"phase": "Pending"}})))), "Creating");
    }

    #[test]
    fn the_external_address_is_the_node_s_public_one_with_a_host_port_per_pod() {
        let ports = vec![("game".to_string(), 7777, "UDP".to_string())];
        let a = external_addresses(Some("172.18.0.12"), Some(&pods::pod_ip(3)), &ports);
        assert_eq!(
            a,
            vec![
                json!({"ip": "203.0.113.12", "ports": [{"name": "game", "port": 8003, "protocol": "UDP"}]})
            ]
        );
        let b = external_addresses(Some("172.18.0.12"), Some(&pods::pod_ip(4)), &ports);
        assert_ne!(a, b, "another pod on the node has its own port");
        assert!(external_addresses(None, Some("10.244.0.2"), &ports).is_empty());
        assert!(external_addresses(Some("172.18.0.12"), None, &ports).is_empty());
    }

    #[test]
    fn status_round_trips_to_current() {
        let p = pod(json!({
            "metadata": {"name": "g-0", "labels": {labels::GS_UPDATE_PRIORITY: "10"}},
            "status": {"phase": "Running", "podIP": "10.244.0.2", "conditions": [{"type": "Ready", "status": "True"}]}
        }));
        let value = gs_status(&GsStatusInput {
            state: "Ready",
            update_priority: Some("10"),
            deletion_priority: None,
            pod_status: p.status.as_ref(),
            ports: vec![],
            now: jiff::Timestamp::UNIX_EPOCH,
            since: None,
        });
        let mut gs = GameServer::new("g-0", Default::default());
        gs.status = Some(serde_json::from_value(value).unwrap());
        // Without the node's address there is nothing for players to reach.
        let net = gs.status.as_ref().unwrap().network_status.as_ref().unwrap();
        assert!(net.external_addresses.is_empty());
        assert!(gs_status_current(&gs, Some(&p), "Ready"));
        assert!(!gs_status_current(&gs, Some(&p), "NotReady"));
        let mut other = p.clone();
        other.status.as_mut().unwrap().pod_ip = Some("10.244.0.3".into());
        assert!(!gs_status_current(&gs, Some(&other), "Ready"));
    }
}
