//! Pod shaping: what OKG + the Advanced StatefulSet put on a game server pod, and what the
//! kubelet reports for it. Shared by the seed and the controller so both produce the same shape.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, Pod, PodCondition, PodTemplateSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{Value, json};

use super::revision;
use okg_domain::names;
use okg_domain::types::labels;

/// Nodes of the demo cluster; pods are spread over them by ordinal.
pub const NODES: [(&str, &str); 3] = [
    ("demo-node-1", "172.18.0.11"),
    ("demo-node-2", "172.18.0.12"),
    ("demo-node-3", "172.18.0.13"),
];

/// The readiness gate OpenKruise injects so in-place updates can take a pod out of service.
pub const INPLACE_UPDATE_READY: &str = "InPlaceUpdateReady";

/// Lifecycle states of `lifecycle.apps.kruise.io/state`.
pub use okg_domain::lifecycle::state as lifecycle;

/// A pod IP from a counter: 10.244.x.y, skipping .0 and .255 host parts.
pub fn pod_ip(n: u32) -> String {
    let host = n % 250 + 2;
    let net = n / 250;
    format!("10.{}.{}.{}", 244 + (net / 256) % 12, net % 256, host)
}

/// The counter a pod IP was made from, if it is one of ours.
pub fn pod_ip_index(ip: &str) -> Option<u32> {
    let parts: Vec<u32> = ip.split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    if parts.len() != 4 || parts[0] != 10 || parts[1] < 244 || parts[3] < 2 {
        return None;
    }
    let net = (parts[1] - 244) * 256 + parts[2];
    Some(net * 250 + parts[3] - 2)
}

/// A second-precision timestamp, as the API server stores them.
pub fn time(ts: jiff::Timestamp) -> Time {
    Time(jiff::Timestamp::from_second(ts.as_second()).unwrap_or(ts))
}

pub fn time_value(ts: jiff::Timestamp) -> Value {
    serde_json::to_value(time(ts)).unwrap_or(Value::Null)
}

/// What the GameServer contributes to its pod's labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GsLabels {
    pub state: String,
    pub ops_state: String,
    pub update_priority: String,
    pub deletion_priority: String,
    pub network_disabled: bool,
}

impl Default for GsLabels {
    fn default() -> Self {
        Self {
            state: "Creating".into(),
            ops_state: "None".into(),
            update_priority: "0".into(),
            deletion_priority: "0".into(),
            network_disabled: false,
        }
    }
}

impl GsLabels {
    pub fn apply(&self, labels: &mut BTreeMap<String, String>) {
        labels.insert(labels::GS_STATE.into(), self.state.clone());
        labels.insert(labels::GS_OPS_STATE.into(), self.ops_state.clone());
        labels.insert(labels::GS_UPDATE_PRIORITY.into(), self.update_priority.clone());
        labels.insert(labels::GS_DELETE_PRIORITY.into(), self.deletion_priority.clone());
        labels.insert(labels::GS_NETWORK_DISABLED.into(), self.network_disabled.to_string());
    }
}

/// Everything needed to shape a new pod of a set.
pub struct PodShape<'a> {
    pub namespace: &'a str,
    pub set: &'a str,
    pub ordinal: u32,
    pub revision: &'a str,
    pub template: &'a PodTemplateSpec,
    /// Per-GameServer image overrides (container name → image).
    pub overrides: &'a BTreeMap<String, String>,
    pub gs: &'a GsLabels,
}

impl PodShape<'_> {
    pub fn name(&self) -> String {
        names::member(self.set, self.ordinal)
    }

    pub fn node(&self) -> (&'static str, &'static str) {
        NODES[self.ordinal as usize % NODES.len()]
    }

    /// The pod as the Advanced StatefulSet creates it: template plus identity labels, the
    /// InPlaceUpdateReady readiness gate, the node already chosen (our scheduler is instant).
    pub fn object(&self) -> Value {
        let name = self.name();
        let meta = self.template.metadata.clone().unwrap_or_default();
        let mut pod_labels = meta.labels.unwrap_or_default();
        pod_labels.insert(labels::OWNER_GSS.into(), self.set.into());
        pod_labels.insert(labels::REVISION_HASH.into(), self.revision.into());
        pod_labels.insert(labels::POD_NAME.into(), name.clone());
        pod_labels.insert(labels::LIFECYCLE_STATE.into(), lifecycle::NORMAL.into());
        self.gs.apply(&mut pod_labels);
        let annotations = meta.annotations.unwrap_or_default();
        let mut spec = self.template.spec.clone().unwrap_or_default();
        for c in &mut spec.containers {
            if let Some(image) = self.overrides.get(&c.name) {
                c.image = Some(image.clone());
            }
        }
        let gates = spec.readiness_gates.get_or_insert_with(Vec::new);
        if !gates.iter().any(|g| g.condition_type == INPLACE_UPDATE_READY) {
            gates.push(k8s_openapi::api::core::v1::PodReadinessGate {
                condition_type: INPLACE_UPDATE_READY.into(),
            });
        }
        spec.hostname = Some(name.clone());
        spec.subdomain = Some(self.set.into());
        spec.node_name = Some(self.node().0.into());
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "namespace": self.namespace,
                "labels": pod_labels,
                "annotations": annotations,
            },
            "spec": spec,
        })
    }
}

/// A container ID the runtime would report: stable per pod, container and restart.
pub fn container_id(pod: &str, container: &str, restart: i32, image: &str) -> String {
    // FNV-1a with four offsets: 64 hex digits, cheap enough for seeding 10,000 pods.
    let input = format!("{pod}/{container}/{restart}/{image}");
    let mut out = String::with_capacity(13 + 64);
    out.push_str("containerd://");
    for seed in 0..4u64 {
        let mut h: u64 = 0xcbf29ce484222325 ^ seed.wrapping_mul(0x9e3779b97f4a7c15);
        for b in input.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

/// A running, ready container.
pub fn running(
    pod: &str,
    name: &str,
    image: &str,
    started: jiff::Timestamp,
    restart_count: i32,
    last_finished: Option<jiff::Timestamp>,
) -> ContainerStatus {
    ContainerStatus {
        name: name.into(),
        image: image.into(),
        image_id: revision::image_id(image),
        container_id: Some(container_id(pod, name, restart_count, image)),
        ready: true,
        started: Some(true),
        restart_count,
        state: Some(ContainerState {
            running: Some(ContainerStateRunning { started_at: Some(time(started)) }),
            ..Default::default()
        }),
        last_state: Some(match last_finished {
            Some(f) => ContainerState {
                terminated: Some(terminated(pod, name, image, restart_count - 1, f)),
                ..Default::default()
            },
            None => ContainerState::default(),
        }),
        ..Default::default()
    }
}

/// The record of a container that stopped cleanly (SIGTERM on a spec change).
pub fn terminated(
    pod: &str,
    name: &str,
    image: &str,
    restart: i32,
    finished: jiff::Timestamp,
) -> ContainerStateTerminated {
    ContainerStateTerminated {
        container_id: Some(container_id(pod, name, restart.max(0), image)),
        exit_code: 0,
        reason: Some("Completed".into()),
        finished_at: Some(time(finished)),
        started_at: None,
        ..Default::default()
    }
}

/// A waiting container (`ContainerCreating`, `ErrImagePull`, `ImagePullBackOff`).
pub fn waiting(reason: &str, message: Option<String>) -> ContainerState {
    ContainerState {
        waiting: Some(ContainerStateWaiting { reason: Some(reason.into()), message }),
        ..Default::default()
    }
}

pub fn pull_error_message(image: &str) -> String {
    format!(
        "rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to \
         resolve reference \"{image}\": {image}: not found"
    )
}

/// A pod condition.
pub fn condition(type_: &str, ok: bool, reason: Option<&str>, at: jiff::Timestamp) -> PodCondition {
    PodCondition {
        type_: type_.into(),
        status: if ok { "True" } else { "False" }.into(),
        reason: reason.map(str::to_string),
        last_transition_time: Some(time(at)),
        ..Default::default()
    }
}

pub fn label<'a>(pod: &'a Pod, key: &str) -> Option<&'a str> {
    pod.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

pub fn annotation<'a>(pod: &'a Pod, key: &str) -> Option<&'a str> {
    pod.metadata.annotations.as_ref()?.get(key).map(String::as_str)
}

pub fn condition_status<'a>(pod: &'a Pod, type_: &str) -> Option<&'a str> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| c.status.as_str())
}

pub fn is_ready(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none() && condition_status(pod, "Ready") == Some("True")
}

/// Set (or replace) a condition, keeping its transition time when the status does not change.
pub fn set_condition(conds: &mut Vec<PodCondition>, new: PodCondition) {
    match conds.iter_mut().find(|c| c.type_ == new.type_) {
        Some(c) if c.status == new.status && c.reason == new.reason => {}
        Some(c) if c.status == new.status => c.reason = new.reason,
        Some(c) => *c = new,
        None => conds.push(new),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_ips_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for n in [0, 1, 249, 250, 251, 10_000, 70_000] {
            let ip = pod_ip(n);
            assert_eq!(pod_ip_index(&ip), Some(n), "{ip}");
            assert!(seen.insert(ip));
        }
        assert_eq!(pod_ip_index("172.18.0.11"), None);
    }

    #[test]
    fn shaped_pod_carries_identity_gate_and_overrides() {
        let template: PodTemplateSpec = serde_json::from_value(json!({
            "metadata": {"labels": {"app": "x"}},
            "spec": {"containers": [{"name": "main", "image": "m:1"}, {"name": "sidecar", "image": "s:1"}]}
        }))
        .unwrap();
        let overrides = BTreeMap::from([("sidecar".to_string(), "s:9".to_string())]);
        let gs = GsLabels::default();
        let shape = PodShape {
            namespace: "ns",
            set: "gss",
            ordinal: 4,
            revision: "gss-abc",
            template: &template,
            overrides: &overrides,
            gs: &gs,
        };
        let pod: Pod = serde_json::from_value(shape.object()).unwrap();
        assert_eq!(pod.metadata.name.as_deref(), Some("gss-4"));
        assert_eq!(label(&pod, labels::REVISION_HASH), Some("gss-abc"));
        assert_eq!(label(&pod, "app"), Some("x"));
        let spec = pod.spec.unwrap();
        assert_eq!(spec.containers[0].image.as_deref(), Some("m:1"));
        assert_eq!(spec.containers[1].image.as_deref(), Some("s:9"));
        assert_eq!(spec.readiness_gates.unwrap()[0].condition_type, INPLACE_UPDATE_READY);
    }
}
