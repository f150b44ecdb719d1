//! One GameServerSet's reconcile: scale, the rollout (OpenKruise's order, partition,
//! maxUnavailable; in place or re-created), GameServer overrides and labels on each pod, the
//! kubelet on each pod, and the GameServer and GameServerSet statuses.

use std::collections::{BTreeMap, HashMap, HashSet};

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{Value, json};

use super::draft::Draft;
use super::events::EventSpec;
use super::inplace;
use super::inplace_step;
use super::mirror::{self, GsStatusInput};
use super::plan::{
    Clock, Memory, PlannedWrite, Resource, can_step, kubelet_pass, ns_name, push_pod_patch,
};
use super::pods::{self, GsLabels, PodShape, lifecycle};
use super::setstatus::{self, SetCounts};
use super::{asts, order, patch, revision};
use okg_domain::lifecycle::state;
use okg_domain::names;
use okg_domain::types::{API_VERSION, GameServer, GameServerSet, PodUpdatePolicy, labels};
use okg_domain::update_order;
/// How a pod that is behind the update revision gets there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    InPlace,
    ReCreate,
    Refused,
}

fn reserved_ids(set: &GameServerSet) -> HashSet<u32> {
    set.spec
        .reserve_game_server_ids
        .iter()
        .filter_map(|v| match v {
            IntOrString::Int(i) => u32::try_from(*i).ok(),
            IntOrString::String(s) => s.trim().parse().ok(),
        })
        .collect()
}

/// Ordinals the set should have: the first `replicas` that are not reserved.
pub fn desired_ordinals(replicas: i32, reserved: &HashSet<u32>) -> Vec<u32> {
    (0u32..).filter(|o| !reserved.contains(o)).take(replicas.max(0) as usize).collect()
}

/// Events OpenKruise records on the Advanced StatefulSet (same name as the set).
pub(super) fn asts_event(ns: &str, set: &str, reason: &str, message: String) -> EventSpec {
    EventSpec {
        namespace: ns.into(),
        api_version: "apps.kruise.io/v1beta1".into(),
        kind: "StatefulSet".into(),
        name: set.into(),
        uid: None,
        field_path: None,
        warning: false,
        reason: reason.into(),
        message,
        component: "statefulset-controller".into(),
        host: None,
    }
}

pub(super) fn overrides_of(gs: Option<&GameServer>) -> BTreeMap<String, String> {
    gs.and_then(|g| g.spec.containers.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c.name.clone(), c.image.clone()?)))
        .collect()
}

/// Delete the objects whose ordinal is beyond the desired ones (scale down), unless a write to
/// them is still pending.
#[allow(clippy::too_many_arguments)]
fn delete_surplus<'a>(
    res: Resource,
    objects: impl Iterator<Item = (u32, &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta)>,
    desired: &HashSet<u32>,
    ns: &str,
    mem: &mut Memory,
    clock: &Clock,
    actions: &mut Vec<PlannedWrite>,
    events: impl Fn(&str) -> Vec<EventSpec>,
) {
    for (ord, meta) in objects {
        if desired.contains(&ord) || meta.deletion_timestamp.is_some() {
            continue;
        }
        let (_, name) = ns_name(meta);
        if mem.stale(res, ns, &name, meta.resource_version.as_deref(), clock.now) {
            continue;
        }
        actions.push(PlannedWrite::Delete {
            res,
            ns: ns.to_string(),
            events: events(&name),
            name,
            uid: meta.uid.clone(),
            now: false,
        });
    }
}

pub(super) fn plan_set(
    set: &GameServerSet,
    pods_by_ord: &BTreeMap<u32, &Pod>,
    gs_by_ord: &BTreeMap<u32, &GameServer>,
    mem: &mut Memory,
    clock: &Clock,
    actions: &mut Vec<PlannedWrite>,
) {
    let (ns, name) = ns_name(&set.metadata);
    let template = &set.spec.game_server_template.pod_template;
    let rev = revision::revision_name(&name, template);
    mem.history.entry(rev.clone()).or_insert_with(|| template.clone());
    let policy = set.pod_update_policy();
    let replicas = set.replicas();
    let max_unavailable = order::max_unavailable(
        set.rolling_update().and_then(|r| r.max_unavailable.as_ref()),
        replicas,
    );
    let min_ready_secs = set.min_ready_seconds();
    let hooks = okg_domain::lifecycle::effective(set);
    let desired = desired_ordinals(replicas, &reserved_ids(set));
    let desired_set: HashSet<u32> = desired.iter().copied().collect();

    // Scale: create what is missing, delete what is beyond the desired ordinals.
    for &ord in &desired {
        let gs = gs_by_ord.get(&ord).copied();
        let gs_name = names::member(&name, ord);
        // Under the default reclaim policy a GameServer is owned by its pod: once a re-created
        // pod is really gone, the garbage collector deletes the GameServer and kruise-game makes
        // a fresh one (opsState None, priorities 0, no spec.containers). The demo has no garbage
        // collector: it deletes the GameServer itself, and a later pass makes the fresh one.
        if let Some(g) = gs
            && !pods_by_ord.contains_key(&ord)
            && mem.reset_game_servers.remove(&(ns.clone(), gs_name.clone()))
        {
            actions.push(PlannedWrite::Delete {
                res: Resource::GameServer,
                ns: ns.clone(),
                name: gs_name.clone(),
                uid: g.metadata.uid.clone(),
                now: false,
                events: vec![],
            });
        }
        if gs.is_none() && !mem.stale(Resource::GameServer, &ns, &gs_name, None, clock.now) {
            let mut gs_labels =
                template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
            gs_labels.insert(labels::OWNER_GSS.into(), name.clone());
            actions.push(PlannedWrite::Create {
                res: Resource::GameServer,
                ns: ns.clone(),
                name: gs_name.clone(),
                object: json!({
                    "apiVersion": API_VERSION,
                    "kind": "GameServer",
                    "metadata": {"name": gs_name, "namespace": ns, "labels": gs_labels},
                    "spec": {"opsState": "None", "updatePriority": 0, "deletionPriority": 0, "networkDisabled": false},
                }),
                events: vec![],
            });
        }
        if !pods_by_ord.contains_key(&ord)
            && !mem.stale(Resource::Pod, &ns, &gs_name, None, clock.now)
        {
            let gs_labels = gs.map(mirror::gs_labels).unwrap_or_default();
            let overrides = overrides_of(gs);
            let shape = PodShape {
                namespace: &ns,
                set: &name,
                ordinal: ord,
                revision: &rev,
                template,
                overrides: &overrides,
                gs: &GsLabels { state: "Creating".into(), ..gs_labels },
            };
            actions.push(PlannedWrite::Create {
                res: Resource::Pod,
                ns: ns.clone(),
                name: gs_name.clone(),
                object: shape.object(),
                events: vec![asts_event(
                    &ns,
                    &name,
                    "SuccessfulCreate",
                    format!("create Pod {gs_name} in StatefulSet {name} successful"),
                )],
            });
        }
    }
    let surplus_pods = pods_by_ord.iter().map(|(ord, p)| (*ord, &p.metadata));
    delete_surplus(Resource::Pod, surplus_pods, &desired_set, &ns, mem, clock, actions, |pname| {
        vec![asts_event(
            &ns,
            &name,
            "SuccessfulDelete",
            format!("delete Pod {pname} in StatefulSet {name} successful"),
        )]
    });
    let surplus_gs = gs_by_ord.iter().map(|(ord, g)| (*ord, &g.metadata));
    delete_surplus(
        Resource::GameServer,
        surplus_gs,
        &desired_set,
        &ns,
        mem,
        clock,
        actions,
        |_| vec![],
    );

    // Rollout: who is behind, how each would update, who may start now.
    let mut cands = Vec::with_capacity(desired.len());
    let mut modes: HashMap<u32, Mode> = HashMap::new();
    let mut refused = false;
    for &ord in &desired {
        let pod =
            pods_by_ord.get(&ord).copied().filter(|p| p.metadata.deletion_timestamp.is_none());
        let Some(pod) = pod else {
            // Missing or going away: it will be created on the update revision; it is unavailable.
            cands.push(order::Candidate {
                ordinal: ord,
                updated: true,
                priority: order::PriorityRank::Unlabelled,
                unavailable: true,
                refused: false,
            });
            continue;
        };
        let (_, pname) = ns_name(&pod.metadata);
        let stale = mem.stale(
            Resource::Pod,
            &ns,
            &pname,
            pod.metadata.resource_version.as_deref(),
            clock.now,
        );
        let updated = pods::label(pod, labels::REVISION_HASH) == Some(rev.as_str());
        // As OpenKruise counts it: lifecycle state, in-place update done, minReadySeconds.
        let why = update_order::unavailable(pod, min_ready_secs, Some(clock.wall));
        let warming = matches!(why, Some(update_order::Unavailable::MinReadySeconds { .. }));
        mem.warming |= warming;
        let mut cand = order::Candidate {
            ordinal: ord,
            updated,
            priority: order::update_order::set_rank(
                pods::label(pod, labels::GS_UPDATE_PRIORITY),
                set.rolling_update().is_some(),
            ),
            // A pod we just wrote is taken as unavailable until the cache shows the write.
            unavailable: stale || why.is_some(),
            refused: false,
        };
        if !updated && !stale {
            let in_place = policy != PodUpdatePolicy::ReCreate
                && match pods::label(pod, labels::REVISION_HASH).and_then(|r| mem.history.get(r)) {
                    Some(old) => inplace::image_only_change(old, template),
                    None => inplace::pod_fits_in_place(pod, template),
                };
            let mode = match (in_place, policy) {
                (true, _) => Mode::InPlace,
                (false, PodUpdatePolicy::InPlaceOnly) => Mode::Refused,
                (false, _) => Mode::ReCreate,
            };
            if mode == Mode::Refused {
                refused = true;
                cand.refused = true;
            }
            modes.insert(ord, mode);
        }
        cands.push(cand);
    }
    if refused && mem.refused.insert(rev.clone()) {
        // Upstream the Advanced StatefulSet webhook denies the update ("invalid template modified
        // with InPlaceOnly strategy … only image update is allowed") and kruise-game only logs
        // it and retries: no event is written, so the demo writes none either.
        tracing::warn!(
            set = %format!("{ns}/{name}"),
            revision = %rev,
            "InPlaceOnly: the revision changes more than container images; no pod is updated"
        );
    }
    let starts: HashSet<u32> =
        order::to_start(&cands, set.partition(), max_unavailable, set.paused())
            .into_iter()
            .collect();

    // Per pod: controller steps, GameServer-driven labels and overrides, then the kubelet.
    let mut finals: BTreeMap<u32, Option<Pod>> = BTreeMap::new();
    let mut stale_pods: HashSet<u32> = HashSet::new();
    for (&ord, &pod) in pods_by_ord {
        let (_, pname) = ns_name(&pod.metadata);
        // A pod being deleted (a real API server deletes gracefully) is the kubelet's to finish
        // at once, even though our delete of it is still "pending".
        if pod.metadata.deletion_timestamp.is_none()
            && mem.stale(
                Resource::Pod,
                &ns,
                &pname,
                pod.metadata.resource_version.as_deref(),
                clock.now,
            )
        {
            stale_pods.insert(ord);
            continue;
        }
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let gs = gs_by_ord.get(&ord).copied();
        let mut d = Draft::new(pod);
        let mut pod_events = Vec::new();
        let mut stepped = false;
        let can = can_step(mem, &uid, clock);
        let deleting = pod.metadata.deletion_timestamp.is_some();
        let step = inplace_step::Step {
            rev: &rev,
            template,
            old_meta: pods::label(pod, labels::REVISION_HASH)
                .and_then(|r| mem.history.get(r))
                .and_then(|t| t.metadata.clone()),
            lifecycle: hooks.as_ref(),
            clock,
            ns: &ns,
            set: &name,
        };
        if !deleting && desired_set.contains(&ord) {
            let updated = pods::label(pod, labels::REVISION_HASH) == Some(rev.as_str());
            step.refresh(&mut d, updated);
            let pre_delete = hooks.as_ref().and_then(|l| l.pre_delete.as_ref());
            if starts.contains(&ord) && can {
                match modes.get(&ord) {
                    Some(Mode::InPlace) => stepped = step.reached(&mut d, &mut pod_events),
                    // kruise `deletePod`: a pod hooked on preDelete goes to PreparingDelete
                    // and stays until the hook's labels and finalizers are gone.
                    Some(Mode::ReCreate) if pre_delete.is_some_and(|h| h.is_hooked(d.get())) => {
                        d.set_label(labels::LIFECYCLE_STATE, state::PREPARING_DELETE);
                    }
                    Some(Mode::ReCreate) => {
                        actions.push(PlannedWrite::Delete {
                            res: Resource::Pod,
                            ns: ns.clone(),
                            name: pname.clone(),
                            uid: Some(uid.clone()),
                            now: false,
                            events: vec![asts_event(
                                &ns,
                                &name,
                                "SuccessfulDelete",
                                format!("delete Pod {pname} in StatefulSet {name} successful"),
                            )],
                        });
                        if gs.is_some() && cascades(set) {
                            mem.reset_game_servers.insert((ns.clone(), pname.clone()));
                        }
                        mem.last_step.insert(uid, clock.now);
                        finals.insert(ord, None);
                        continue;
                    }
                    _ => {}
                }
            }
            // OpenKruise marks a pod with the readiness gate ready for in-place updates once it
            // has no update in progress (new pods start without the condition).
            if pods::condition_status(d.get(), pods::INPLACE_UPDATE_READY).is_none()
                && d.get().status.as_ref().is_some_and(|s| s.pod_ip.is_some())
                && pods::label(d.get(), labels::LIFECYCLE_STATE) == Some(lifecycle::NORMAL)
            {
                d.set_condition(pods::condition(
                    pods::INPLACE_UPDATE_READY,
                    true,
                    None,
                    clock.wall,
                ));
            }
            // OKG >= 0.7: a GameServer's own container images win, patched straight onto the pod.
            let lc_now = pods::label(d.get(), labels::LIFECYCLE_STATE)
                .unwrap_or(lifecycle::NORMAL)
                .to_string();
            if lc_now == lifecycle::NORMAL {
                for (cname, image) in overrides_of(gs) {
                    let differs = d
                        .get()
                        .spec
                        .iter()
                        .flat_map(|s| s.containers.iter())
                        .any(|c| c.name == cname && c.image.as_deref() != Some(image.as_str()));
                    if differs
                        && let Some(c) = d
                            .edit()
                            .spec
                            .as_mut()
                            .and_then(|s| s.containers.iter_mut().find(|c| c.name == cname))
                    {
                        c.image = Some(image.clone());
                    }
                }
            }
            if let Some(gs) = gs {
                // Compared in place: this runs for every pod on every reconcile.
                let prio = |p: Option<&IntOrString>| match p {
                    Some(IntOrString::Int(i)) => i.to_string(),
                    Some(IntOrString::String(s)) => s.clone(),
                    None => "0".into(),
                };
                d.set_label(labels::GS_STATE, gs.current_state());
                d.set_label(labels::GS_OPS_STATE, gs.ops_state());
                // The API server refuses a label value such as `-10`, so the pod keeps its old
                // one (kruise-game's whole pod patch fails there; the demo keeps just this label).
                let update_priority = prio(gs.spec.update_priority.as_ref());
                if order::update_order::is_label_value(&update_priority) {
                    d.set_label(labels::GS_UPDATE_PRIORITY, &update_priority);
                }
                d.set_label(labels::GS_DELETE_PRIORITY, &prio(gs.spec.deletion_priority.as_ref()));
                let disabled = gs.spec.network_disabled.unwrap_or(false);
                d.set_label(labels::GS_NETWORK_DISABLED, if disabled { "true" } else { "false" });
            }
        }
        let alive = kubelet_pass(&mut d, mem, clock, actions, &mut pod_events, stepped);
        if stepped {
            mem.last_step.insert(uid, clock.now);
        }
        push_pod_patch(&d, pod_events, actions);
        // Only changed (or gone) pods are recorded; the rest are read from the cache below.
        if !(alive || deleting) {
            finals.insert(ord, None);
        } else if let Some(edited) = d.edited() {
            finals.insert(ord, Some(edited.clone()));
        }
    }

    // GameServer status mirrors its pod (as this reconcile leaves it).
    let mut counts = SetCounts::default();
    for (&ord, &gs) in gs_by_ord {
        let pod: Option<&Pod> = match finals.get(&ord) {
            Some(f) => f.as_ref(),
            None => pods_by_ord.get(&ord).copied(),
        };
        let state = mirror::gs_state(pod);
        match gs.ops_state() {
            "Maintaining" => counts.maintaining += 1,
            "WaitToBeDeleted" => counts.wait_to_be_deleted += 1,
            _ => {}
        }
        if state == "PreDelete" {
            counts.pre_delete += 1;
        }
        let (_, gname) = ns_name(&gs.metadata);
        // A pod we just wrote is not in the cache yet: mirror it once it is.
        if stale_pods.contains(&ord)
            || mem.stale(
                Resource::GameServer,
                &ns,
                &gname,
                gs.metadata.resource_version.as_deref(),
                clock.now,
            )
            || mirror::gs_status_current(gs, pod, state)
        {
            continue;
        }
        let since = gs
            .status
            .as_ref()
            .filter(|s| s.current_state.as_deref() == Some(state))
            .and_then(|s| s.last_transition_time.as_ref())
            .and_then(|t| serde_json::to_value(t).ok());
        let status = mirror::gs_status(&GsStatusInput {
            state,
            update_priority: pod.and_then(|p| pods::label(p, labels::GS_UPDATE_PRIORITY)),
            deletion_priority: pod.and_then(|p| pods::label(p, labels::GS_DELETE_PRIORITY)),
            pod_status: pod.and_then(|p| p.status.as_ref()),
            ports: pod.map(mirror::pod_ports).unwrap_or_default(),
            now: clock.wall,
            since,
        });
        let old = serde_json::to_value(&gs.status).unwrap_or(Value::Null);
        let ops = patch::object_ops("/status", &old, &status);
        if !ops.is_empty() {
            actions.push(PlannedWrite::Patch {
                res: Resource::GameServer,
                ns: ns.clone(),
                name: gname,
                rv: gs.metadata.resource_version.clone().unwrap_or_default(),
                main: vec![],
                status: ops,
                events: vec![],
            });
        }
    }

    // The set's status counts pods as this reconcile leaves them.
    counts.desired = replicas;
    let mut live: Vec<&Pod> = Vec::with_capacity(pods_by_ord.len());
    for (ord, pod) in pods_by_ord {
        let pod = match finals.get(ord) {
            Some(f) => f.as_ref(),
            None => Some(*pod),
        };
        counts.pods += pod.is_some() as i32;
        let Some(pod) = pod.filter(|p| p.metadata.deletion_timestamp.is_none()) else { continue };
        live.push(pod);
        let ready = pods::is_ready(pod);
        let updated = pods::label(pod, labels::REVISION_HASH) == Some(rev.as_str());
        counts.ready += ready as i32;
        counts.updated += updated as i32;
        counts.updated_ready += (updated && ready) as i32;
    }
    plan_asts(set, &rev, &live, mem, actions);
    let desired_status = setstatus::gss_status(&name, set.metadata.generation, &counts);
    let current = set.status.as_ref().and_then(|s| serde_json::to_value(s).ok());
    if !setstatus::status_matches(current.as_ref(), &desired_status)
        && !mem.stale(
            Resource::GameServerSet,
            &ns,
            &name,
            set.metadata.resource_version.as_deref(),
            clock.now,
        )
    {
        let old = current.unwrap_or(Value::Null);
        let mut merged = old.clone();
        if let (Some(m), Some(d)) = (merged.as_object_mut(), desired_status.as_object()) {
            for (k, v) in d {
                m.insert(k.clone(), v.clone());
            }
        } else {
            merged = desired_status.clone();
        }
        actions.push(PlannedWrite::Patch {
            res: Resource::GameServerSet,
            ns: ns.clone(),
            name: name.clone(),
            rv: set.metadata.resource_version.clone().unwrap_or_default(),
            main: vec![],
            status: patch::object_ops("/status", &old, &merged),
            events: vec![],
        });
    }
}

/// The set's Advanced StatefulSet, written when what it should say changed since the last write.
fn plan_asts(
    set: &GameServerSet,
    rev: &str,
    live: &[&Pod],
    mem: &mut Memory,
    actions: &mut Vec<PlannedWrite>,
) {
    let (ns, name) = ns_name(&set.metadata);
    let key = (ns.clone(), name.clone());
    let before = mem.asts.get(&key);
    let current = before.and_then(|w| w.status["currentRevision"].as_str());
    let object = asts::object(set);
    let want = asts::Written {
        spec: object["spec"].clone(),
        status: asts::status(set, rev, current, live),
    };
    if before != Some(&want) {
        actions.push(PlannedWrite::Asts { ns, name, object, status: want.status.clone() });
        mem.asts.insert(key, want);
    }
}

/// `gameServerTemplate.reclaimPolicy` empty or `Cascade` (the default): GameServers go with
/// their pods. `Delete` keeps them until the set scales them away.
fn cascades(set: &GameServerSet) -> bool {
    set.spec
        .game_server_template
        .reclaim_policy
        .as_deref()
        .is_none_or(|p| p.is_empty() || p == "Cascade")
}
