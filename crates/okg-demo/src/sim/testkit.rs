//! Test-only: an in-memory cluster that applies planned actions the way the API server would
//! (resourceVersion tests, status reset on create, uids), so the planner's flows can be run to
//! completion without HTTP.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use serde_json::{Value, json};

use super::events::EventSpec;
use super::plan::{self, Clock, Memory, PlannedWrite, Resource, World};
use crate::DemoOptions;
use okg_domain::types::{GameServer, GameServerSet};

pub struct Sim {
    pub objects: BTreeMap<(Resource, String), Value>,
    pub events: Vec<EventSpec>,
    pub mem: Memory,
    rv: u64,
    uid: u64,
    now: Instant,
    wall: jiff::Timestamp,
    pub tick: Duration,
    /// Pods are marked with a deletionTimestamp until deleted with grace period 0.
    pub graceful_pod_deletion: bool,
    /// The Advanced StatefulSets by name, as last written (spec and status).
    pub asts: BTreeMap<String, Value>,
}

fn res_of(kind: &str) -> Resource {
    match kind {
        "Pod" => Resource::Pod,
        "GameServer" => Resource::GameServer,
        _ => Resource::GameServerSet,
    }
}

impl Sim {
    pub fn new(replicas: i32) -> Sim {
        let mut sim = Sim {
            objects: BTreeMap::new(),
            events: Vec::new(),
            mem: Memory::default(),
            rv: 0,
            uid: 0,
            now: Instant::now(),
            wall: jiff::Timestamp::now(),
            tick: Duration::from_secs(1),
            graceful_pod_deletion: false,
            asts: BTreeMap::new(),
        };
        for o in super::seed::initial_objects(&DemoOptions { replicas, ..Default::default() }) {
            if o["kind"] == "StatefulSet" {
                let name = o["metadata"]["name"].as_str().unwrap().to_string();
                sim.mem.asts.insert(("default".into(), name.clone()), super::asts::Written::of(&o));
                sim.asts.insert(name, o);
                continue;
            }
            sim.insert(o);
        }
        sim
    }

    /// The simulated wall clock (one tick, a second, per step).
    pub fn wall(&self) -> jiff::Timestamp {
        self.wall
    }

    fn insert(&mut self, mut o: Value) {
        self.rv += 1;
        self.uid += 1;
        o["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        o["metadata"]["uid"] = json!(format!("uid-{}", self.uid));
        if o["metadata"]["creationTimestamp"].is_null() {
            o["metadata"]["creationTimestamp"] = super::pods::time_value(self.wall);
        }
        let name = o["metadata"]["name"].as_str().unwrap().to_string();
        self.objects.insert((res_of(o["kind"].as_str().unwrap()), name), o);
    }

    pub fn get(&self, res: Resource, name: &str) -> &Value {
        &self.objects[&(res, name.to_string())]
    }

    pub fn pod(&self, name: &str) -> Pod {
        serde_json::from_value(self.get(Resource::Pod, name).clone()).unwrap()
    }
    pub fn gs(&self, name: &str) -> GameServer {
        serde_json::from_value(self.get(Resource::GameServer, name).clone()).unwrap()
    }
    pub fn set(&self, name: &str) -> GameServerSet {
        serde_json::from_value(self.get(Resource::GameServerSet, name).clone()).unwrap()
    }

    /// A client's JSON Patch (no resourceVersion test).
    pub fn patch(&mut self, res: Resource, name: &str, ops: Value) {
        let p: json_patch::Patch = serde_json::from_value(ops).unwrap();
        let o = self.objects.get_mut(&(res, name.to_string())).unwrap();
        json_patch::patch(o, &p).unwrap();
        self.rv += 1;
        o["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        if res != Resource::Pod {
            let g = o["metadata"]["generation"].as_i64().unwrap_or(1);
            o["metadata"]["generation"] = json!(g + 1);
        }
    }

    fn apply_ops(
        &mut self,
        res: Resource,
        name: &str,
        ops: Vec<Value>,
        rv: &str,
    ) -> Option<String> {
        let o = self.objects.get_mut(&(res, name.to_string()))?;
        let p: json_patch::Patch = serde_json::from_value(super::patch::guarded(rv, ops)).unwrap();
        let mut copy = o.clone();
        json_patch::patch(&mut copy, &p).ok()?;
        self.rv += 1;
        copy["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        *o = copy;
        Some(self.rv.to_string())
    }

    /// One reconcile: plan from the current objects, apply, advance the clock by a tick.
    /// Returns how many actions were planned (events excluded).
    pub fn step(&mut self) -> usize {
        let sets: Vec<GameServerSet> = self.typed("GameServerSet");
        let gss: Vec<GameServer> = self.typed("GameServer");
        let pods: Vec<Pod> = self.typed("Pod");
        let world = World {
            sets: sets.iter().collect(),
            gameservers: gss.iter().collect(),
            pods: pods.iter().collect(),
        };
        let clock = Clock { now: self.now, wall: self.wall, tick: self.tick };
        let actions = plan::plan(&world, &mut self.mem, &clock);
        let mut writes = 0;
        for a in actions {
            match a {
                PlannedWrite::Event(e) => self.events.push(e),
                // Not counted: what OpenKruise reports, not a change the flows wait on.
                PlannedWrite::Asts { name, mut object, mut status, .. } => {
                    let old = self.asts.get(&name);
                    let generation = old.and_then(|o| o["metadata"]["generation"].as_i64());
                    let changed = old.is_none_or(|o| o["spec"] != object["spec"]);
                    let generation = generation.map_or(1, |g| g + changed as i64);
                    object["metadata"]["generation"] = json!(generation);
                    status["observedGeneration"] = json!(generation);
                    object["status"] = status;
                    self.asts.insert(name, object);
                }
                PlannedWrite::Bind { name, node, .. } => {
                    writes += 1;
                    self.rv += 1;
                    if let Some(o) = self.objects.get_mut(&(Resource::Pod, name)) {
                        o["spec"]["nodeName"] = json!(node);
                        o["metadata"]["resourceVersion"] = json!(self.rv.to_string());
                    }
                }
                PlannedWrite::Patch { res, name, rv, main, status, events, .. } => {
                    writes += 1;
                    let mut rv = rv;
                    if !main.is_empty() {
                        match self.apply_ops(res, &name, main, &rv) {
                            Some(r) => rv = r,
                            None => continue,
                        }
                    }
                    if !status.is_empty() && self.apply_ops(res, &name, status, &rv).is_none() {
                        continue;
                    }
                    self.events.extend(events);
                }
                PlannedWrite::Create { object, events, .. } => {
                    self.events.extend(events);
                    writes += 1;
                    let mut object = object;
                    if object["kind"] == "Pod" {
                        object["status"] = json!({"phase": "Pending"});
                    } else if let Some(m) = object.as_object_mut() {
                        m.remove("status");
                    }
                    let key = (
                        res_of(object["kind"].as_str().unwrap()),
                        object["metadata"]["name"].as_str().unwrap().to_string(),
                    );
                    if !self.objects.contains_key(&key) {
                        self.insert(object);
                    }
                }
                PlannedWrite::Delete { res, name, uid, now, events, .. } => {
                    self.events.extend(events);
                    writes += 1;
                    let key = (res, name);
                    let matches = self
                        .objects
                        .get(&key)
                        .is_some_and(|o| uid.as_deref().is_none_or(|u| o["metadata"]["uid"] == u));
                    if !matches {
                        continue;
                    }
                    if self.graceful_pod_deletion && res == Resource::Pod && !now {
                        // As a real API server does: mark it, wait for the kubelet to confirm.
                        self.rv += 1;
                        let o = self.objects.get_mut(&key).unwrap();
                        o["metadata"]["deletionTimestamp"] = super::pods::time_value(self.wall);
                        o["metadata"]["resourceVersion"] = json!(self.rv.to_string());
                    } else {
                        self.objects.remove(&key);
                    }
                }
            }
        }
        self.now += self.tick;
        self.wall += jiff::SignedDuration::try_from(self.tick).unwrap();
        writes
    }

    /// Step until `done` holds (panics after `max` steps, printing nothing clever).
    pub fn run_until(&mut self, max: usize, mut done: impl FnMut(&Sim) -> bool) -> usize {
        for i in 0..max {
            if done(self) {
                return i;
            }
            self.step();
        }
        assert!(done(self), "condition not reached in {max} steps");
        max
    }

    pub fn typed<T: serde::de::DeserializeOwned>(&self, kind: &str) -> Vec<T> {
        self.objects
            .values()
            .filter(|o| o["kind"] == kind)
            .map(|o| serde_json::from_value(o.clone()).unwrap())
            .collect()
    }

    pub fn pods_of(&self, set: &str) -> Vec<Pod> {
        self.typed::<Pod>("Pod")
            .into_iter()
            .filter(|p| super::pods::label(p, okg_domain::types::labels::OWNER_GSS) == Some(set))
            .collect()
    }
}
