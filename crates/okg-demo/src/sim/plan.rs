//! The pure planner: the cached cluster in, the writes of one reconcile out (each set's part is
//! in `set`). It plays OKG's GameServerSet and GameServer controllers, OpenKruise's Advanced
//! StatefulSet, and the kubelet.
//! Steps that take time in a real cluster (an update's grace period, a pull, a start) advance at
//! most once per tick per pod; reactions (a container killed when its image changes, status
//! mirrors, labels) happen on the next reconcile.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use serde_json::Value;

use super::draft::Draft;
use super::events::EventSpec;
use super::{kubelet, patch, pods};
use okg_domain::names;
use okg_domain::types::{GameServer, GameServerSet, labels};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    Pod,
    GameServer,
    GameServerSet,
}

/// A write to the demo API server that a simulated controller (or the kubelet) planned; the
/// executor sends it.
#[derive(Debug)]
pub enum PlannedWrite {
    /// JSON Patch ops for the object and for its `/status`, each guarded by the resourceVersion
    /// it was planned from (the status write uses the one the first write returned).
    Patch {
        res: Resource,
        ns: String,
        name: String,
        rv: String,
        main: Vec<Value>,
        status: Vec<Value>,
        /// Recorded only if the write succeeds.
        events: Vec<EventSpec>,
    },
    Create {
        res: Resource,
        ns: String,
        name: String,
        object: Value,
        events: Vec<EventSpec>,
    },
    Delete {
        res: Resource,
        ns: String,
        name: String,
        uid: Option<String>,
        now: bool,
        events: Vec<EventSpec>,
    },
    /// Binds a pod to a node through `pods/binding` (the scheduler's part, kubelet role only:
    /// the simulated OpenKruise names the node when it creates a pod).
    Bind {
        ns: String,
        name: String,
        node: String,
    },
    /// The set's Advanced StatefulSet, by server-side apply (created when missing), then its
    /// status with the `observedGeneration` of what the first write left.
    Asts {
        ns: String,
        name: String,
        object: Value,
        status: Value,
    },
    /// An event that goes with no write.
    Event(EventSpec),
}

/// Which parts of the simulation run. The demo runs them all; the real-controllers tier
/// (scripts/e2e-okg.sh) runs the kubelet alone beside the real kruise-game and OpenKruise
/// managers, so both share the same kubelet rules (`kubelet.rs`). OKG and OpenKruise are
/// planned together per set (`set.rs`) and so form one role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Roles {
    /// OKG's GameServerSet / GameServer controllers and OpenKruise's Advanced StatefulSet.
    pub controllers: bool,
    /// The kubelet: starts pods, restarts containers, pulls, reports status and readiness,
    /// confirms deletions; alone, it also binds unscheduled pods to the simulated nodes.
    pub kubelet: bool,
}

impl Default for Roles {
    fn default() -> Self {
        Self { controllers: true, kubelet: true }
    }
}

impl Roles {
    /// Parses a comma-separated list of `controllers`, `kubelet` (or `all`).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut roles = Self { controllers: false, kubelet: false };
        for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word {
                "all" => roles = Self::default(),
                "controllers" => roles.controllers = true,
                "kubelet" => roles.kubelet = true,
                other => return Err(format!("unknown role {other:?} (controllers, kubelet, all)")),
            }
        }
        Ok(roles)
    }
}

/// A write this controller made that the cache may not show yet.
#[derive(Debug, Clone)]
pub struct Pending {
    pub rv: Option<String>,
    pub at: Instant,
}

/// What the controller remembers between reconciles (none of it needed for correctness after a
/// restart except revision history, whose loss makes it fall back to comparing pods).
#[derive(Default)]
pub struct Memory {
    /// Templates by revision name, like ControllerRevisions.
    pub history: HashMap<String, PodTemplateSpec>,
    /// When each pod (by UID) last took a slow step.
    pub last_step: HashMap<String, Instant>,
    pub pending: HashMap<(Resource, String, String), Pending>,
    pub next_ip: Option<u32>,
    /// Revisions already reported as refused under InPlaceOnly.
    pub refused: HashSet<String>,
    pub roles: Roles,
    /// A pod is Ready but still inside its set's `minReadySeconds`: nothing in the cluster will
    /// change when that time is up, so the controller must plan again on its own.
    pub warming: bool,
    /// GameServers (namespace, name) whose pod is being re-created under the Cascade reclaim
    /// policy: deleted once the old pod is gone, then made again with defaults.
    pub reset_game_servers: HashSet<(String, String)>,
    /// What was last written to each set's Advanced StatefulSet (namespace, name); a failed
    /// write is forgotten, so the next reconcile writes again.
    pub asts: HashMap<(String, String), super::asts::Written>,
    /// Each Advanced StatefulSet's uid, once read or written: the real controller's events name
    /// it in `involvedObject.uid`, and clients select a set's events by it.
    pub asts_uid: HashMap<(String, String), String>,
}

const PENDING_TTL: Duration = Duration::from_secs(3);

impl Memory {
    pub(super) fn stale(
        &self,
        res: Resource,
        ns: &str,
        name: &str,
        rv: Option<&str>,
        now: Instant,
    ) -> bool {
        // The common case at scale: nothing written recently, no key to build.
        if self.pending.is_empty() {
            return false;
        }
        let Some(p) = self.pending.get(&(res, ns.to_string(), name.to_string())) else {
            return false;
        };
        if now.duration_since(p.at) > PENDING_TTL {
            return false;
        }
        match (&p.rv, rv) {
            (Some(want), Some(have)) => match (want.parse::<u64>(), have.parse::<u64>()) {
                (Ok(w), Ok(h)) => h < w,
                _ => want != have,
            },
            // A create or delete not yet seen.
            (Some(_), None) => true,
            (None, Some(_)) => true,
            (None, None) => false,
        }
    }
}

pub struct Clock {
    pub now: Instant,
    pub wall: jiff::Timestamp,
    pub tick: Duration,
}

pub struct World<'a> {
    pub sets: Vec<&'a GameServerSet>,
    pub gameservers: Vec<&'a GameServer>,
    pub pods: Vec<&'a Pod>,
}

/// (namespace, set name), borrowed from the cached objects.
type Key<'a> = (&'a str, &'a str);

fn key_of(m: &kube::api::ObjectMeta) -> (&str, &str) {
    (m.namespace.as_deref().unwrap_or_default(), m.name.as_deref().unwrap_or_default())
}

pub(super) fn ns_name(m: &kube::api::ObjectMeta) -> (String, String) {
    (m.namespace.clone().unwrap_or_default(), m.name.clone().unwrap_or_default())
}

/// One reconcile: every write the cluster needs now.
pub fn plan<'w>(world: &World<'w>, mem: &mut Memory, clock: &Clock) -> Vec<PlannedWrite> {
    mem.pending.retain(|_, p| clock.now.duration_since(p.at) <= PENDING_TTL);
    mem.warming = false;
    let tick = clock.tick;
    mem.last_step.retain(|_, t| clock.now.duration_since(*t) < tick * 4 + Duration::from_secs(1));
    if mem.next_ip.is_none() {
        let max = world
            .pods
            .iter()
            .filter_map(|p| p.status.as_ref()?.pod_ip.as_deref().and_then(pods::pod_ip_index))
            .max();
        mem.next_ip = Some(max.map_or(0, |m| m + 1));
    }
    // Group pods and GameServers by owning set.
    let mut pods_by: HashMap<Key<'w>, BTreeMap<u32, &'w Pod>> = HashMap::new();
    let mut orphans: Vec<&Pod> = Vec::new();
    for &p in &world.pods {
        let (ns, name) = key_of(&p.metadata);
        match pods::label(p, labels::OWNER_GSS).and_then(|s| Some((s, names::ordinal(s, name)?))) {
            Some((set, ord)) => {
                pods_by.entry((ns, set)).or_default().insert(ord, p);
            }
            None => orphans.push(p),
        }
    }
    let mut gss_by: HashMap<Key<'w>, BTreeMap<u32, &'w GameServer>> = HashMap::new();
    for &g in &world.gameservers {
        let (ns, name) = key_of(&g.metadata);
        if let Some((set, ord)) = g.owner_set().and_then(|s| Some((s, names::ordinal(s, name)?))) {
            gss_by.entry((ns, set)).or_default().insert(ord, g);
        }
    }
    let mut actions = Vec::new();
    if !mem.roles.controllers {
        kubelet_only(world, mem, clock, &mut actions);
        return actions;
    }
    let empty_pods = BTreeMap::new();
    let empty_gss = BTreeMap::new();
    let mut seen: HashSet<Key> = HashSet::new();
    for &set in &world.sets {
        let key = key_of(&set.metadata);
        let set_pods = pods_by.get(&key).unwrap_or(&empty_pods);
        let set_gss = gss_by.get(&key).unwrap_or(&empty_gss);
        super::set::plan_set(set, set_pods, set_gss, mem, clock, &mut actions);
        seen.insert(key);
    }
    // Pods of unknown sets still get a kubelet.
    for (key, ps) in &pods_by {
        if !seen.contains(key) {
            orphans.extend(ps.values());
        }
    }
    for pod in orphans {
        let mut d = Draft::new(pod);
        let mut events = Vec::new();
        kubelet_pass(&mut d, mem, clock, &mut actions, &mut events, false);
        push_pod_patch(&d, events, &mut actions);
    }
    actions
}

/// The kubelet role alone: every pod is the kubelet's; a pod without a node is bound first.
fn kubelet_only(world: &World, mem: &mut Memory, clock: &Clock, actions: &mut Vec<PlannedWrite>) {
    for &pod in &world.pods {
        let (ns, name) = ns_name(&pod.metadata);
        if mem.stale(Resource::Pod, &ns, &name, pod.metadata.resource_version.as_deref(), clock.now)
        {
            continue;
        }
        if pod.spec.as_ref().is_some_and(|s| s.node_name.is_none()) {
            if pod.metadata.deletion_timestamp.is_none() {
                let i = name.bytes().map(usize::from).sum::<usize>() % pods::NODES.len();
                let node = pods::NODES[i].0.to_string();
                actions.push(PlannedWrite::Bind { ns, name, node });
            }
            continue;
        }
        let mut d = Draft::new(pod);
        let mut events = Vec::new();
        if kubelet_pass(&mut d, mem, clock, actions, &mut events, false) {
            push_pod_patch(&d, events, actions);
        }
    }
}

pub(super) fn can_step(mem: &Memory, uid: &str, clock: &Clock) -> bool {
    mem.last_step.get(uid).is_none_or(|t| clock.now.duration_since(*t) >= clock.tick)
}

/// Runs the kubelet on a draft; handles a pod being deleted. Returns false if the pod is gone.
pub(super) fn kubelet_pass(
    d: &mut Draft,
    mem: &mut Memory,
    clock: &Clock,
    actions: &mut Vec<PlannedWrite>,
    events: &mut Vec<EventSpec>,
    stepped: bool,
) -> bool {
    if !mem.roles.kubelet {
        return d.get().metadata.deletion_timestamp.is_none();
    }
    let uid = d.get().metadata.uid.clone().unwrap_or_default();
    let can = can_step(mem, &uid, clock) && !stepped;
    if d.get().metadata.deletion_timestamp.is_some() {
        // Containers stopped: confirm the deletion (grace period 0), as a kubelet does.
        if can {
            let (ns, name) = ns_name(&d.get().metadata);
            actions.push(PlannedWrite::Delete {
                res: Resource::Pod,
                ns,
                name,
                uid: Some(uid.clone()),
                now: true,
                events: vec![],
            });
            mem.last_step.insert(uid, clock.now);
        }
        return false;
    }
    let mut next = mem.next_ip.unwrap_or(0);
    let mut alloc = || {
        let ip = pods::pod_ip(next);
        next += 1;
        ip
    };
    let out = kubelet::step(d, clock.wall, can, &mut alloc);
    mem.next_ip = Some(next);
    if out.stepped || stepped {
        mem.last_step.insert(uid, clock.now);
    }
    events.extend(out.events);
    true
}

pub(super) fn push_pod_patch(d: &Draft, events: Vec<EventSpec>, actions: &mut Vec<PlannedWrite>) {
    let old = d.orig();
    let (main, status) = match d.edited() {
        Some(new) => (patch::pod_main_ops(old, new), patch::pod_status_ops(old, new)),
        None => (vec![], vec![]),
    };
    if main.is_empty() && status.is_empty() {
        actions.extend(events.into_iter().map(PlannedWrite::Event));
        return;
    }
    let (ns, name) = ns_name(&old.metadata);
    actions.push(PlannedWrite::Patch {
        res: Resource::Pod,
        ns,
        name,
        rv: old.metadata.resource_version.clone().unwrap_or_default(),
        main,
        status,
        events,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desired_ordinals_skip_reserved_ids() {
        use super::super::set::desired_ordinals;
        let reserved = HashSet::from([1, 3]);
        assert_eq!(desired_ordinals(3, &reserved), vec![0, 2, 4]);
        assert_eq!(desired_ordinals(0, &reserved), Vec::<u32>::new());
        assert_eq!(desired_ordinals(-1, &HashSet::new()), Vec::<u32>::new());
    }

    #[test]
    fn pending_writes_hide_objects_until_the_cache_catches_up() {
        let mut mem = Memory::default();
        let now = Instant::now();
        let key = (Resource::Pod, "ns".to_string(), "p".to_string());
        mem.pending.insert(key.clone(), Pending { rv: Some("10".into()), at: now });
        assert!(mem.stale(Resource::Pod, "ns", "p", Some("9"), now));
        assert!(!mem.stale(Resource::Pod, "ns", "p", Some("10"), now));
        assert!(!mem.stale(Resource::Pod, "ns", "p", Some("11"), now));
        // Created but not yet seen.
        assert!(mem.stale(Resource::Pod, "ns", "p", None, now));
        // A delete not yet seen.
        mem.pending.insert(key, Pending { rv: None, at: now });
        assert!(mem.stale(Resource::Pod, "ns", "p", Some("12"), now));
        assert!(!mem.stale(Resource::Pod, "ns", "p", None, now));
        // Entries expire, so a lost watch event cannot freeze an object.
        assert!(!mem.stale(
            Resource::Pod,
            "ns",
            "p",
            Some("12"),
            now + PENDING_TTL + Duration::from_millis(1)
        ));
        assert!(!mem.stale(Resource::Pod, "ns", "other", Some("1"), now));
    }
}
