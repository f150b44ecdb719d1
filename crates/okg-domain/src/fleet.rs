//! The GameServer ⋈ Pod join, pure: one `Row` per GameServer (its pod found by the same
//! namespace/name), grouped under its GameServerSet. The TUI keeps rows cached and recomputes
//! only the row an event touches; `okg status` builds everything once with `build`.
use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerState, ContainerStatus, Pod};
use serde::Serialize;

use super::image::{ImageRef, short_image};
use super::types::{GameServer, GameServerSet, labels};

pub mod network;

/// namespace/name: the identity of a GameServer (and of its pod). Marks and the cursor key on it
/// so they survive updates, deletions and re-creations.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Key {
    pub namespace: String,
    pub name: String,
}

impl Key {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self { namespace: namespace.into(), name: name.into() }
    }
    pub fn of<K: kube::ResourceExt>(obj: &K) -> Self {
        Self::new(obj.namespace().unwrap_or_default(), obj.name_any())
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// One container's image on a row, compared with the set's template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageCell {
    pub container: String,
    /// The pod's spec image (what the kubelet is asked to run).
    pub image: String,
    /// The short form shown in tables (`v1.0`, or `@sha256:1a2b…`).
    pub tag: String,
    /// The image differs from the set template's image for this container.
    pub differs: bool,
    /// The pod spec says one image but the running container reports another, or OKG says the
    /// container is being updated: the pod is mid-update.
    pub updating: bool,
}

/// One GameServer joined with its pod.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub key: Key,
    /// The owning GameServerSet, from the owner-gss label; `None` for strays.
    pub set: Option<String>,
    pub state: String,
    pub ops_state: String,
    /// The pod's STATUS as kubectl prints it (`pod_status`); `-` without a pod.
    pub status: std::borrow::Cow<'static, str>,
    pub deletion_priority: i64,
    pub update_priority: i64,
    pub ready: u32,
    pub containers: u32,
    pub restarts: i32,
    /// When the most recent restart's previous container finished.
    pub last_restart: Option<Timestamp>,
    pub created: Option<Timestamp>,
    pub images: Vec<ImageCell>,
    pub ip: Option<String>,
    pub node: Option<String>,
    /// Where players reach it (`network::cell`); `None`: no network reported.
    pub network: Option<Box<str>>,
    pub has_pod: bool,
}

/// A GameServerSet and its rows, as the group header shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupHeader {
    pub namespace: String,
    pub name: String,
    pub desired: i32,
    pub current: i32,
    pub updated: i32,
    pub ready: i32,
    pub policy: String,
    pub partition: i32,
    pub paused: bool,
    /// (container, image) of the template, in order.
    pub template: Vec<(String, String)>,
    /// A staged rollout that still holds the set (running, paused or failed), from its record.
    pub rollout: Option<crate::staged_rollout::RolloutRecord>,
}

impl GroupHeader {
    pub fn from_set(gss: &GameServerSet) -> Self {
        let st = gss.status.clone().unwrap_or_default();
        Self {
            namespace: gss.metadata.namespace.clone().unwrap_or_default(),
            name: gss.metadata.name.clone().unwrap_or_default(),
            desired: gss.replicas(),
            // kruise-game writes the desired count into status.replicas; the pods are here.
            current: st.current_replicas,
            updated: st.updated_replicas,
            ready: st.ready_replicas,
            policy: gss.pod_update_policy().as_str().to_string(),
            partition: gss.partition(),
            paused: gss.paused(),
            template: gss.template_images(),
            rollout: crate::staged_rollout::record_of(gss)
                .and_then(|(_, r)| r.ok())
                .filter(|r| r.state.is_open()),
        }
    }

    /// A header for rows whose set we have not seen (or that have none).
    pub fn orphan(namespace: &str, name: &str) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            desired: 0,
            current: 0,
            updated: 0,
            ready: 0,
            policy: "?".into(),
            partition: 0,
            paused: false,
            template: Vec::new(),
            rollout: None,
        }
    }
}

/// The image as the header shows it: `app-2048 v1.0` (repository's last segment and tag).
pub fn header_image(image: &str) -> String {
    let r = ImageRef::split(image);
    format!("{} {}", r.name(), r.short_version())
}

/// An object's labels in one allocation (`key\0value\0key\0value`, sorted by key): a
/// `BTreeMap<String, String>` of the ten or so labels OKG puts on a pod costs ~1.5 KiB in
/// small allocations; this costs the bytes of the labels. Label keys and values cannot hold NUL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(Box<str>);

impl Labels {
    pub fn from_map(map: &BTreeMap<String, String>) -> Self {
        let mut buf = String::with_capacity(map.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
        for (k, v) in map {
            buf.push_str(k);
            buf.push('\0');
            buf.push_str(v);
            buf.push('\0');
        }
        Labels(buf.into_boxed_str())
    }
    /// (key, value) in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut parts = self.0.split('\0');
        std::iter::from_fn(move || Some((parts.next()?, parts.next()?)))
    }
    pub fn get(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }
}

/// The part of a GameServer the console reads (rows, the detail view, the label filter). Kept
/// instead of the whole object: a `GameServer` is ~1.3 KiB of structure before any data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GsInfo {
    /// The owner-gss label: the GameServerSet, `None` for strays.
    pub set: Option<String>,
    pub state: String,
    pub ops_state: String,
    pub update_priority: i64,
    pub deletion_priority: i64,
    pub created: Option<Timestamp>,
    pub labels: Labels,
    /// Per-GameServer container image overrides (spec.containers): (container, image).
    pub overrides: Option<Vec<(String, String)>>,
    /// The NETWORK cell's text (`network::cell`), not the network status itself.
    pub network: Option<Box<str>>,
    /// Every external address (`network::external_addresses`), for the detail view.
    pub external: Vec<String>,
    /// kruise-game's `conditions` and the `serviceQualitiesConditions`, as lines
    /// (`crate::service_quality`): what OKG says about the server during an update.
    pub conditions: Vec<String>,
    pub qualities: Vec<String>,
}

impl GsInfo {
    pub fn from_gameserver(gs: &GameServer) -> Self {
        GsInfo {
            set: gs.owner_set().map(str::to_string),
            state: gs.current_state().to_string(),
            ops_state: gs.ops_state().to_string(),
            update_priority: gs.update_priority(),
            deletion_priority: gs.deletion_priority(),
            created: gs.metadata.creation_timestamp.as_ref().map(|t| t.0),
            labels: gs.metadata.labels.as_ref().map(Labels::from_map).unwrap_or_default(),
            overrides: gs.spec.containers.as_ref().map(|c| {
                c.iter().map(|c| (c.name.clone(), c.image.clone().unwrap_or_default())).collect()
            }),
            network: network::cell(gs.status.as_ref().and_then(|s| s.network_status.as_ref())),
            external: network::external_addresses(
                gs.status.as_ref().and_then(|s| s.network_status.as_ref()),
            ),
            conditions: crate::service_quality::gs_conditions(gs),
            qualities: crate::service_quality::conditions(gs),
        }
    }
    pub fn owner_set(&self) -> Option<&str> {
        self.set.as_deref()
    }
    pub fn current_state(&self) -> &str {
        &self.state
    }
    pub fn ops_state(&self) -> &str {
        &self.ops_state
    }
    pub fn update_priority(&self) -> i64 {
        self.update_priority
    }
    pub fn deletion_priority(&self) -> i64 {
        self.deletion_priority
    }
}

/// A GameServer as the fleet watch hands it on: its key and what the console reads, converted
/// in the watch's task so the UI thread never holds (or frees) the whole object.
#[derive(Clone, Debug, PartialEq)]
pub struct GsEntry {
    pub key: Key,
    pub info: GsInfo,
}

impl GsEntry {
    pub fn of(gs: &GameServer) -> Self {
        GsEntry { key: Key::of(gs), info: GsInfo::from_gameserver(gs) }
    }
}

/// The part of a container status the console shows (a full `ContainerStatus` carries
/// resources, volume mounts, users… ~0.7 KiB of structure each).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerInfo {
    pub name: String,
    pub image: String,
    pub image_id: String,
    pub ready: bool,
    pub restart_count: i32,
    /// Boxed: a `ContainerState` is ~0.2 KiB inline and `last_state` is usually empty.
    pub state: Option<Box<ContainerState>>,
    pub last_state: Option<Box<ContainerState>>,
}

/// An empty state (`lastState: {}` of a container that never restarted) reads the same as none.
fn boxed_state(s: Option<&ContainerState>) -> Option<Box<ContainerState>> {
    s.filter(|s| s.running.is_some() || s.terminated.is_some() || s.waiting.is_some())
        .map(|s| Box::new(s.clone()))
}

impl ContainerInfo {
    pub fn from_status(c: &ContainerStatus) -> Self {
        ContainerInfo {
            name: c.name.clone(),
            image: c.image.clone(),
            image_id: c.image_id.clone(),
            ready: c.ready,
            restart_count: c.restart_count,
            state: boxed_state(c.state.as_ref()),
            last_state: boxed_state(c.last_state.as_ref()),
        }
    }
}

/// The part of a pod the console reads. Kept instead of the whole `Pod` because a pod's full
/// structure (containers are ~2 KiB each even when empty) would dominate memory at 10,000 pods.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodInfo {
    pub key: Key,
    pub uid: Option<String>,
    pub created: Option<Timestamp>,
    pub labels: Labels,
    /// Names from OKG's gs-updating-containers annotation.
    pub updating_containers: Vec<String>,
    pub node: Option<String>,
    pub ip: Option<String>,
    pub phase: Option<String>,
    /// `status.reason` (Evicted, NodeLost…).
    pub reason: Option<String>,
    /// The Ready condition is True.
    pub ready_condition: bool,
    /// `metadata.deletionTimestamp` is set.
    pub deleting: bool,
    /// (container, image) of the pod spec, in order.
    pub containers: Vec<(String, String)>,
    /// Container statuses, with only the fields the console shows.
    pub statuses: Vec<ContainerInfo>,
}

impl PodInfo {
    pub fn from_pod(pod: &Pod) -> Self {
        let spec = pod.spec.as_ref();
        let status = pod.status.as_ref();
        let statuses = status
            .and_then(|s| s.container_statuses.as_deref())
            .unwrap_or(&[])
            .iter()
            .map(ContainerInfo::from_status)
            .collect();
        PodInfo {
            key: Key::of(pod),
            uid: pod.metadata.uid.clone(),
            created: pod.metadata.creation_timestamp.as_ref().map(|t| t.0),
            labels: pod.metadata.labels.as_ref().map(Labels::from_map).unwrap_or_default(),
            updating_containers: pod
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(super::types::annotations::GS_UPDATING_CONTAINERS))
                .map(|s| {
                    s.split(',').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect()
                })
                .unwrap_or_default(),
            node: spec.and_then(|s| s.node_name.clone()),
            ip: status.and_then(|s| s.pod_ip.clone()),
            phase: status.and_then(|s| s.phase.clone()),
            reason: status.and_then(|s| s.reason.clone()),
            ready_condition: status
                .and_then(|s| s.conditions.as_deref())
                .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True")),
            deleting: pod.metadata.deletion_timestamp.is_some(),
            containers: spec
                .map(|s| {
                    s.containers
                        .iter()
                        .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default(),
            statuses,
        }
    }
}

/// Join one GameServer with its pod (if any) against its set's template images.
pub fn row(key: &Key, gs: &GsInfo, pod: Option<&PodInfo>, template: &[(String, String)]) -> Row {
    let statuses = pod.map(|p| p.statuses.as_slice()).unwrap_or(&[]);
    let updating_names: Vec<&str> =
        pod.map(|p| p.updating_containers.iter().map(String::as_str).collect()).unwrap_or_default();
    let mut images = Vec::new();
    let containers: &[(String, String)] = pod.map(|p| p.containers.as_slice()).unwrap_or(&[]);
    for (name, image) in containers {
        let templ = template.iter().find(|(n, _)| n == name).map(|(_, i)| i.as_str());
        let running = statuses.iter().find(|s| &s.name == name).map(|s| s.image.as_str());
        // The kubelet may report a normalised reference (docker.io/library/…): compare tags.
        let running_differs = running.is_some_and(|r| short_image(r) != short_image(image));
        images.push(ImageCell {
            container: name.clone(),
            image: image.clone(),
            tag: short_image(image),
            differs: templ.is_some_and(|t| t != image),
            updating: running_differs || updating_names.contains(&name.as_str()),
        });
    }

    let ready = statuses.iter().filter(|s| s.ready).count() as u32;
    let restarts = statuses.iter().map(|s| s.restart_count).sum();
    let last_restart = statuses
        .iter()
        .filter_map(|s| s.last_state.as_ref()?.terminated.as_ref()?.finished_at.as_ref())
        .map(|t| t.0)
        .max();

    Row {
        set: gs.set.clone(),
        state: gs.state.clone(),
        ops_state: gs.ops_state.clone(),
        status: pod.map_or(std::borrow::Cow::Borrowed("-"), super::pod_status::of),
        deletion_priority: gs.deletion_priority,
        update_priority: gs.update_priority,
        ready,
        containers: containers.len() as u32,
        restarts,
        last_restart,
        created: pod.and_then(|p| p.created).or(gs.created),
        images,
        ip: pod.and_then(|p| p.ip.clone()),
        node: pod.and_then(|p| p.node.clone()),
        network: gs.network.clone(),
        has_pod: pod.is_some(),
        key: key.clone(),
    }
}

/// Whole fleet, once: groups in (namespace, set) order, rows in natural name order.
pub fn build(
    sets: &[GameServerSet],
    gameservers: &[GameServer],
    pods: &[Pod],
) -> Vec<(GroupHeader, Vec<Row>)> {
    let pods: BTreeMap<Key, PodInfo> =
        pods.iter().map(|p| (Key::of(p), PodInfo::from_pod(p))).collect();
    let mut groups: BTreeMap<(String, String), (GroupHeader, Vec<Row>)> = sets
        .iter()
        .map(|s| {
            let h = GroupHeader::from_set(s);
            ((h.namespace.clone(), h.name.clone()), (h, Vec::new()))
        })
        .collect();
    for gs in gameservers {
        let key = Key::of(gs);
        let set = gs.owner_set().unwrap_or("(no set)").to_string();
        let group = groups
            .entry((key.namespace.clone(), set.clone()))
            .or_insert_with(|| (GroupHeader::orphan(&key.namespace, &set), Vec::new()));
        let r = row(&key, &GsInfo::from_gameserver(gs), pods.get(&key), &group.0.template);
        group.1.push(r);
    }
    groups
        .into_values()
        .map(|(h, mut rows)| {
            rows.sort_by(|a, b| natural_cmp(&a.key.name, &b.key.name));
            (h, rows)
        })
        .collect()
}

/// Order names so that `gss-2` comes before `gss-10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn split(s: &str) -> (&str, Option<u64>) {
        let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (head, tail) = s.split_at(s.len() - digits);
        (head, tail.parse().ok())
    }
    let (ha, na) = split(a);
    let (hb, nb) = split(b);
    ha.cmp(hb).then(na.cmp(&nb)).then(a.cmp(b))
}

/// Is this label set on the pod (or GameServer) a match for the OKG labels the detail view shows?
pub fn okg_labels(labels_map: &Labels) -> Vec<(String, String)> {
    const SHOWN: [&str; 6] = [
        labels::REVISION_HASH,
        labels::LIFECYCLE_STATE,
        labels::GS_UPDATE_PRIORITY,
        labels::GS_DELETE_PRIORITY,
        labels::GS_STATE,
        labels::GS_OPS_STATE,
    ];
    SHOWN.iter().filter_map(|k| labels_map.get(k).map(|v| (k.to_string(), v.to_string()))).collect()
}

#[cfg(test)]
mod tests;
