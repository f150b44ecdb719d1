//! One GameServerSet's reconcile: scale, the rollout (OpenKruise's order, partition,
//! maxUnavailable; in place or re-created), GameServer overrides and labels on each pod, the
//! kubelet on each pod, and the GameServer and GameServerSet statuses.

use std::collections::{BTreeMap, HashMap, HashSet};

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{Value, json};

use super::draft::Draft;
use super::events::EventSpec;
use super::inplace::{self, Batch, ContainerRecord, InPlaceState};
use super::mirror::{self, GsStatusInput};
use super::plan::{
    Clock, Memory, PlannedWrite, Resource, can_step, kubelet_pass, ns_name, push_pod_patch,
};
use super::pods::{self, GsLabels, PodShape, lifecycle};
use super::setstatus::{self, SetCounts};
use super::{order, patch, revision};
use okg_domain::names;
use okg_domain::types::{
    API_VERSION, GameServer, GameServerSet, PodUpdatePolicy, annotations, labels,
};
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
fn asts_event(ns: &str, set: &str, reason: &str, message: String) -> EventSpec {
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

fn overrides_of(gs: Option<&GameServer>) -> BTreeMap<String, String> {
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
    let min_ready_secs = set.rolling_update().and_then(|r| r.min_ready_seconds).unwrap_or(0);
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
                available: false,
                in_flight: true,
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
        let lc = pods::label(pod, labels::LIFECYCLE_STATE).unwrap_or(lifecycle::NORMAL);
        let updated = pods::label(pod, labels::REVISION_HASH) == Some(rev.as_str());
        // An in-place update of an older revision that never completed (a failed pull) is
        // updated again to the new one, as OpenKruise does.
        let updating = lc == lifecycle::PREPARING_UPDATE || (lc == lifecycle::UPDATING && updated);
        let warmed_up = ready_for_at_least(pod, min_ready_secs, clock.wall);
        mem.warming |= pods::is_ready(pod) && !warmed_up;
        let mut cand = order::Candidate {
            ordinal: ord,
            updated,
            priority: order::update_order::set_rank(
                pods::label(pod, labels::GS_UPDATE_PRIORITY),
                set.rolling_update().is_some(),
            ),
            available: !stale && !updating && warmed_up,
            in_flight: stale || updating,
        };
        if !updated && !cand.in_flight {
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
                cand.in_flight = true; // never started
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
        let lc = pods::label(pod, labels::LIFECYCLE_STATE).unwrap_or(lifecycle::NORMAL).to_string();
        if !deleting && desired_set.contains(&ord) {
            if starts.contains(&ord) && can {
                match modes.get(&ord) {
                    Some(Mode::InPlace) => {
                        // OpenKruise takes the pod out of service first (readiness gate False).
                        d.set_label(labels::LIFECYCLE_STATE, lifecycle::PREPARING_UPDATE);
                        d.set_condition(pods::condition(
                            pods::INPLACE_UPDATE_READY,
                            false,
                            Some("StartInPlaceUpdate"),
                            clock.wall,
                        ));
                        stepped = true;
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
            } else if lc == lifecycle::PREPARING_UPDATE && can {
                apply_images_in_place(
                    &mut d,
                    &rev,
                    template,
                    gs,
                    clock,
                    &ns,
                    &name,
                    &mut pod_events,
                );
                stepped = true;
            } else if lc == lifecycle::UPDATING && inplace::update_completed(d.get()) {
                d.set_label(labels::LIFECYCLE_STATE, lifecycle::NORMAL);
                d.set_condition(pods::condition(
                    pods::INPLACE_UPDATE_READY,
                    true,
                    None,
                    clock.wall,
                ));
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
    for (ord, pod) in pods_by_ord {
        let pod = match finals.get(ord) {
            Some(f) => f.as_ref(),
            None => Some(*pod),
        };
        counts.pods += pod.is_some() as i32;
        let Some(pod) = pod.filter(|p| p.metadata.deletion_timestamp.is_none()) else { continue };
        let ready = pods::is_ready(pod);
        let updated = pods::label(pod, labels::REVISION_HASH) == Some(rev.as_str());
        counts.ready += ready as i32;
        counts.updated += updated as i32;
        counts.updated_ready += (updated && ready) as i32;
    }
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

/// OpenKruise's in-place update of one pod: move it to the update revision, record the imageIDs
/// it is leaving, patch the images that differ.
#[allow(clippy::too_many_arguments)]
fn apply_images_in_place(
    d: &mut Draft,
    rev: &str,
    template: &PodTemplateSpec,
    gs: Option<&GameServer>,
    clock: &Clock,
    ns: &str,
    set: &str,
    events: &mut Vec<EventSpec>,
) {
    let overrides = overrides_of(gs);
    let wanted: HashMap<String, String> = template
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| {
            let image = overrides
                .get(&c.name)
                .cloned()
                .unwrap_or_else(|| c.image.clone().unwrap_or_default());
            (c.name.clone(), image)
        })
        .collect();
    let mut changed = Vec::new();
    let mut records = BTreeMap::new();
    let pod = d.get().clone();
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        if let Some(img) =
            wanted.get(&c.name).filter(|img| c.image.as_deref() != Some(img.as_str()))
        {
            changed.push((c.name.clone(), img.clone()));
            let old_id = pod
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.as_ref())
                .and_then(|cs| cs.iter().find(|s| s.name == c.name))
                .map(|s| s.image_id.clone())
                .unwrap_or_default();
            records.insert(c.name.clone(), ContainerRecord { image_id: old_id });
        }
    }
    let names: Vec<String> = changed.iter().map(|(n, _)| n.clone()).collect();
    let state = InPlaceState {
        revision: rev.into(),
        update_timestamp: pods::time_value(clock.wall),
        last_container_statuses: records,
        update_images: !changed.is_empty(),
        container_batches_record: vec![Batch {
            timestamp: pods::time_value(clock.wall),
            containers: names.clone(),
        }],
    };
    // Template labels and annotations are applied in place too.
    if let Some(meta) = template.metadata.as_ref() {
        for (k, v) in meta.labels.iter().flatten() {
            d.set_label(k, v);
        }
        for (k, v) in meta.annotations.iter().flatten() {
            d.set_annotation(k, v);
        }
    }
    // OpenKruise writes the new revision in the same update that patches the images.
    d.set_label(labels::REVISION_HASH, rev);
    d.set_annotation(
        annotations::INPLACE_UPDATE_STATE,
        &serde_json::to_string(&state).unwrap_or_default(),
    );
    if changed.is_empty() {
        d.set_label(labels::LIFECYCLE_STATE, lifecycle::NORMAL);
        d.set_condition(pods::condition(pods::INPLACE_UPDATE_READY, true, None, clock.wall));
    } else {
        d.set_label(labels::LIFECYCLE_STATE, lifecycle::UPDATING);
        // No `game.kruise.io/gs-updating-containers`: kruise-game v1.0.0 never writes it (later
        // versions do, in PreUpdate only, and the console still reads it from them).
        if let Some(spec) = d.edit().spec.as_mut() {
            for c in spec.containers.iter_mut() {
                if let Some((_, img)) = changed.iter().find(|(n, _)| *n == c.name) {
                    c.image = Some(img.clone());
                }
            }
        }
    }
    let pname = pod.metadata.name.clone().unwrap_or_default();
    events.push(asts_event(
        ns,
        set,
        "SuccessfulUpdatePodInPlace",
        format!("successfully update pod {pname} in-place(revision {rev})"),
    ));
}

/// OpenKruise's "available" under `rollingUpdate.minReadySeconds`: Ready, and Ready since at
/// least that long ago by the Ready condition's transition time. An in-place restart flips Ready
/// to False and back, so each updated pod waits out the delay before the next may start.
fn ready_for_at_least(pod: &Pod, min_ready_secs: i32, now: jiff::Timestamp) -> bool {
    if !pods::is_ready(pod) {
        return false;
    }
    if min_ready_secs <= 0 {
        return true;
    }
    let since = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .and_then(|c| c.last_transition_time.as_ref())
        .map(|t| t.0);
    match since {
        Some(t) => now.duration_since(t).as_secs() >= i64::from(min_ready_secs),
        None => false,
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
