//! The planner run to completion against the in-memory cluster of `testkit`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use serde_json::json;

use super::mirror;
use super::plan::Resource;
use super::pods;
use super::testkit::Sim;
use okg_domain::types::labels;

fn cs<'a>(pod: &'a Pod, name: &str) -> &'a ContainerStatus {
    pod.status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()
        .iter()
        .find(|c| c.name == name)
        .unwrap()
}

fn by_name(pods: Vec<Pod>) -> BTreeMap<String, Pod> {
    pods.into_iter().map(|p| (p.metadata.name.clone().unwrap(), p)).collect()
}

fn image_of(pod: &Pod, name: &str) -> String {
    pod.spec
        .as_ref()
        .unwrap()
        .containers
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .image
        .clone()
        .unwrap()
}

fn all_ready(sim: &Sim, set: &str) -> bool {
    let pods = sim.pods_of(set);
    let want = sim.set(set).replicas() as usize;
    pods.len() == want
        && pods.iter().all(|p| {
            pods::is_ready(p)
                && pods::label(p, labels::LIFECYCLE_STATE) == Some("Normal")
                && sim.gs(p.metadata.name.as_deref().unwrap()).current_state() == "Ready"
        })
}

fn bump(sim: &mut Sim, set: &str, container: usize, image: &str) {
    sim.patch(
        Resource::GameServerSet,
        set,
        json!([{"op": "replace", "path": format!("/spec/gameServerTemplate/spec/containers/{container}/image"), "value": image}]),
    );
}

/// Steps until every pod of `set` is Ready on the set's current revision.
fn run_rollout(sim: &mut Sim, set: &str) {
    let rev = revision(sim, set);
    sim.run_until(200, |s| {
        all_ready(s, set)
            && s.pods_of(set)
                .iter()
                .all(|p| pods::label(p, labels::REVISION_HASH) == Some(rev.as_str()))
    });
}

fn revision(sim: &Sim, set: &str) -> String {
    super::revision::revision_name(set, &sim.set(set).spec.game_server_template.pod_template)
}

#[test]
fn steady_state_writes_nothing_after_settling() {
    let mut sim = Sim::new(6);
    // The seed is already consistent apart from controller bookkeeping; it settles quickly.
    sim.run_until(10, |s| all_ready(s, "gss-2048"));
    let mut quiet = 0;
    for _ in 0..10 {
        if sim.step() == 0 {
            quiet += 1;
        }
    }
    assert_eq!(quiet, 10, "a settled cluster must not be rewritten");
}

#[test]
fn sidecar_bump_updates_every_pod_in_place_one_at_a_time() {
    let mut sim = Sim::new(6);
    let before = by_name(sim.pods_of("gss-2048"));
    bump(&mut sim, "gss-2048", 1, "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0");
    let rev = revision(&sim, "gss-2048");
    let mut saw_updating = false;
    let mut max_unavailable = 0;
    sim.run_until(200, |s| {
        let pods = s.pods_of("gss-2048");
        let unavailable = pods.iter().filter(|p| !pods::is_ready(p)).count();
        max_unavailable = max_unavailable.max(unavailable);
        saw_updating |= pods
            .iter()
            .any(|p| s.gs(p.metadata.name.as_deref().unwrap()).current_state() == "Updating");
        all_ready(s, "gss-2048")
            && pods.iter().all(|p| pods::label(p, labels::REVISION_HASH) == Some(rev.as_str()))
    });
    assert!(saw_updating, "GameServers pass through Updating");
    assert_eq!(max_unavailable, 1, "maxUnavailable 1 is respected");
    for (name, after) in by_name(sim.pods_of("gss-2048")) {
        let old = &before[&name];
        assert_eq!(after.metadata.uid, old.metadata.uid, "{name} kept its UID");
        assert_eq!(after.metadata.creation_timestamp, old.metadata.creation_timestamp);
        assert_eq!(after.status.as_ref().unwrap().pod_ip, old.status.as_ref().unwrap().pod_ip);
        assert_eq!(cs(&after, "sidecar").restart_count, cs(old, "sidecar").restart_count + 1);
        assert_eq!(cs(&after, "app-2048").restart_count, cs(old, "app-2048").restart_count);
        assert_ne!(cs(&after, "sidecar").image_id, cs(old, "sidecar").image_id);
        assert_eq!(cs(&after, "app-2048").image_id, cs(old, "app-2048").image_id);
        assert!(
            pods::annotation(&after, okg_domain::types::annotations::INPLACE_UPDATE_STATE)
                .is_some()
        );
    }
    assert!(sim.events.iter().any(|e| e.reason == "SuccessfulUpdatePodInPlace"));
    assert!(sim.events.iter().any(|e| e.reason == "Killing" && e.kind == "Pod"));
    let st = sim.set("gss-2048").status.unwrap();
    assert_eq!((st.updated_replicas, st.ready_replicas, st.current_replicas), (6, 6, 6));
}

#[test]
fn update_order_is_priority_then_higher_ordinal() {
    let mut sim = Sim::new(6);
    bump(&mut sim, "gss-2048", 1, "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0");
    let mut order = Vec::new();
    sim.run_until(200, |s| {
        for p in s.pods_of("gss-2048") {
            let n = p.metadata.name.clone().unwrap();
            // No hook: OpenKruise goes straight to Updating (never PreparingUpdate).
            assert_ne!(pods::label(&p, labels::LIFECYCLE_STATE), Some("PreparingUpdate"), "{n}");
            if pods::label(&p, labels::LIFECYCLE_STATE) == Some("Updating") && !order.contains(&n) {
                order.push(n);
            }
        }
        order.len() == 6
    });
    // Seeded priorities: gss-2048-2 has 10, gss-2048-5 has 5, the rest 0.
    assert_eq!(
        order,
        ["gss-2048-2", "gss-2048-5", "gss-2048-4", "gss-2048-3", "gss-2048-1", "gss-2048-0"]
    );
}

/// The shortest time, in seconds, between one pod's in-place update ending (Ready on the new
/// revision) and the next pod's starting, over a whole rollout of `set`.
fn shortest_gap_between_pods(sim: &mut Sim, set: &str) -> i64 {
    bump(sim, set, 1, "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0");
    let rev = revision(sim, set);
    let mut started: BTreeMap<String, jiff::Timestamp> = BTreeMap::new();
    let mut done: BTreeMap<String, jiff::Timestamp> = BTreeMap::new();
    let want = sim.set(set).replicas() as usize;
    sim.run_until(300, |s| {
        for p in s.pods_of(set) {
            let n = p.metadata.name.clone().unwrap();
            if pods::label(&p, labels::LIFECYCLE_STATE) != Some("Normal") {
                started.entry(n.clone()).or_insert(s.wall());
            }
            if started.contains_key(&n)
                && pods::is_ready(&p)
                && pods::label(&p, labels::REVISION_HASH) == Some(rev.as_str())
            {
                done.entry(n).or_insert(s.wall());
            }
        }
        done.len() == want
    });
    assert_eq!(done.len(), want, "the rollout finished: {started:?} {done:?}");
    let mut order: Vec<(&String, &jiff::Timestamp)> = started.iter().collect();
    order.sort_by_key(|(_, t)| **t);
    order
        .windows(2)
        .map(|w| w[1].1.duration_since(done[w[0].0]).as_secs())
        .min()
        .expect("at least two pods")
}

#[test]
fn min_ready_seconds_holds_the_next_pod_back() {
    // maxUnavailable 1 (the seed): without minReadySeconds the next pod starts as soon as the
    // previous one is Ready again; with it, only once it has been Ready that long (OpenKruise
    // counts a pod as available only then).
    let mut plain = Sim::new(3);
    let plain_gap = shortest_gap_between_pods(&mut plain, "gss-2048");
    let mut held = Sim::new(3);
    held.patch(
        Resource::GameServerSet,
        "gss-2048",
        json!([{"op": "add", "path": "/spec/updateStrategy/rollingUpdate/minReadySeconds", "value": 5}]),
    );
    let held_gap = shortest_gap_between_pods(&mut held, "gss-2048");
    assert!(plain_gap < 5, "without minReadySeconds the gap is {plain_gap}s");
    assert!(held_gap >= 5, "minReadySeconds 5 gave a gap of {held_gap}s");
}

#[test]
fn recreate_policy_replaces_pods() {
    let mut sim = Sim::new(2);
    let before = by_name(sim.pods_of("gss-battle"));
    let gs_uid_before = sim.gs("gss-battle-1").metadata.uid.clone();
    assert_eq!(sim.gs("gss-battle-1").ops_state(), "Maintaining", "the seed");
    bump(&mut sim, "gss-battle", 1, "registry.example.com/okg/battle-sidecar:v1.1");
    run_rollout(&mut sim, "gss-battle");
    for (name, after) in by_name(sim.pods_of("gss-battle")) {
        assert_ne!(after.metadata.uid, before[&name].metadata.uid, "{name} was re-created");
        assert!(
            after
                .status
                .as_ref()
                .unwrap()
                .container_statuses
                .as_ref()
                .unwrap()
                .iter()
                .all(|c| c.restart_count == 0)
        );
        assert_eq!(image_of(&after, "sidecar"), "registry.example.com/okg/battle-sidecar:v1.1");
    }
    // Under the default reclaim policy the GameServer went with its pod and came back with
    // defaults, as kruise-game makes it (`initGameServerByPod`).
    let gs = sim.gs("gss-battle-1");
    assert_ne!(gs.metadata.uid, gs_uid_before, "the GameServer was re-made");
    assert_eq!((gs.ops_state(), gs.update_priority(), gs.deletion_priority()), ("None", 0, 0));
}

#[test]
fn reclaim_policy_delete_keeps_game_servers_across_re_creation() {
    let mut sim = Sim::new(2);
    sim.patch(
        Resource::GameServerSet,
        "gss-battle",
        json!([{"op": "add", "path": "/spec/gameServerTemplate/reclaimPolicy", "value": "Delete"}]),
    );
    let gs_uid_before = sim.gs("gss-battle-1").metadata.uid.clone();
    bump(&mut sim, "gss-battle", 1, "registry.example.com/okg/battle-sidecar:v1.1");
    run_rollout(&mut sim, "gss-battle");
    let gs = sim.gs("gss-battle-1");
    assert_eq!(gs.metadata.uid, gs_uid_before);
    assert_eq!(gs.ops_state(), "Maintaining");
}

#[test]
fn recreate_waits_for_graceful_deletion() {
    let mut sim = Sim::new(1);
    sim.graceful_pod_deletion = true;
    let before = by_name(sim.pods_of("gss-battle"));
    bump(&mut sim, "gss-battle", 0, "registry.example.com/okg/battle:v3.2");
    let rev = revision(&sim, "gss-battle");
    let mut saw_deleting = false;
    sim.run_until(200, |s| {
        // A GameServer may be briefly missing: it goes with its pod and is made again.
        saw_deleting |= s
            .typed::<okg_domain::types::GameServer>("GameServer")
            .iter()
            .any(|g| g.current_state() == "Deleting");
        all_ready(s, "gss-battle")
            && s.pods_of("gss-battle")
                .iter()
                .all(|p| pods::label(p, labels::REVISION_HASH) == Some(rev.as_str()))
    });
    assert!(saw_deleting, "GameServers show Deleting while their pod terminates");
    for (name, after) in by_name(sim.pods_of("gss-battle")) {
        assert_ne!(after.metadata.uid, before[&name].metadata.uid);
    }
}

#[test]
fn non_image_change_recreates_under_in_place_if_possible() {
    let mut sim = Sim::new(2);
    let before = by_name(sim.pods_of("gss-2048"));
    sim.patch(
        Resource::GameServerSet,
        "gss-2048",
        json!([{"op": "add", "path": "/spec/gameServerTemplate/spec/containers/0/env", "value": [{"name": "MODE", "value": "hard"}]}]),
    );
    sim.run_until(200, |s| {
        all_ready(s, "gss-2048")
            && s.pods_of("gss-2048")
                .iter()
                .all(|p| p.spec.as_ref().unwrap().containers[0].env.is_some())
    });
    for (name, after) in by_name(sim.pods_of("gss-2048")) {
        assert_ne!(after.metadata.uid, before[&name].metadata.uid);
    }
}

#[test]
fn in_place_only_refuses_other_changes() {
    let mut sim = Sim::new(3);
    let before = by_name(sim.pods_of("gss-2048"));
    sim.patch(
        Resource::GameServerSet,
        "gss-2048",
        json!([
            {"op": "replace", "path": "/spec/updateStrategy/rollingUpdate/podUpdatePolicy", "value": "InPlaceOnly"},
            {"op": "add", "path": "/spec/gameServerTemplate/spec/containers/0/env", "value": [{"name": "MODE", "value": "hard"}]}
        ]),
    );
    for _ in 0..30 {
        sim.step();
    }
    let after = by_name(sim.pods_of("gss-2048"));
    for (name, p) in &after {
        assert_eq!(p.metadata.uid, before[name].metadata.uid);
        assert_eq!(
            pods::label(p, labels::REVISION_HASH),
            pods::label(&before[name], labels::REVISION_HASH)
        );
    }
    // As upstream: the refusal is only logged by the controller, never an event on the set.
    let on_set: Vec<_> = sim.events.iter().filter(|e| e.kind == "GameServerSet").collect();
    assert!(on_set.is_empty(), "no event on the GameServerSet: {on_set:?}");
}

#[test]
fn partition_and_priority_choose_exactly_which_pods_update() {
    let mut sim = Sim::new(6);
    // Seeded priorities would pick gss-2048-2 and -5; raise two others above them.
    for name in ["gss-2048-0", "gss-2048-3"] {
        sim.patch(
            Resource::GameServer,
            name,
            json!([{"op": "replace", "path": "/spec/updatePriority", "value": 100}]),
        );
    }
    sim.run_until(20, |s| {
        pods::label(&s.pod("gss-2048-0"), labels::GS_UPDATE_PRIORITY) == Some("100")
    });
    assert_eq!(
        mirror::priority(Some("100")),
        sim.gs("gss-2048-0").status.unwrap().update_priority.unwrap()
    );
    sim.patch(
        Resource::GameServerSet,
        "gss-2048",
        json!([
            {"op": "replace", "path": "/spec/updateStrategy/rollingUpdate/partition", "value": 4},
            {"op": "replace", "path": "/spec/updateStrategy/rollingUpdate/maxUnavailable", "value": "100%"},
            {"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0"}
        ]),
    );
    let rev = revision(&sim, "gss-2048");
    sim.run_until(200, |s| {
        all_ready(s, "gss-2048")
            && s.pods_of("gss-2048")
                .iter()
                .filter(|p| pods::label(p, labels::REVISION_HASH) == Some(rev.as_str()))
                .count()
                == 2
    });
    for _ in 0..20 {
        sim.step();
    }
    let updated: Vec<String> = sim
        .pods_of("gss-2048")
        .into_iter()
        .filter(|p| pods::label(p, labels::REVISION_HASH) == Some(rev.as_str()))
        .map(|p| p.metadata.name.unwrap())
        .collect();
    assert_eq!(updated, ["gss-2048-0", "gss-2048-3"]);
}

#[test]
fn priorities_rank_as_openkruise_reads_the_label() {
    let mut sim = Sim::new(6);
    // -10 is no valid label value: the pod keeps its label. "v200" is, and ranks as 200.
    let seeded = pods::label(&sim.pod("gss-2048-0"), labels::GS_UPDATE_PRIORITY).map(String::from);
    for (name, value) in [("gss-2048-0", json!(-10)), ("gss-2048-3", json!("v200"))] {
        sim.patch(
            Resource::GameServer,
            name,
            json!([{"op": "replace", "path": "/spec/updatePriority", "value": value}]),
        );
    }
    sim.run_until(20, |s| {
        pods::label(&s.pod("gss-2048-3"), labels::GS_UPDATE_PRIORITY) == Some("v200")
    });
    assert_eq!(pods::label(&sim.pod("gss-2048-0"), labels::GS_UPDATE_PRIORITY), seeded.as_deref());
    sim.patch(
        Resource::GameServerSet,
        "gss-2048",
        json!([
            {"op": "replace", "path": "/spec/updateStrategy/rollingUpdate/partition", "value": 5},
            {"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0"}
        ]),
    );
    let rev = revision(&sim, "gss-2048");
    let on_rev = |s: &Sim| -> Vec<String> {
        s.pods_of("gss-2048")
            .into_iter()
            .filter(|p| pods::label(p, labels::REVISION_HASH) == Some(rev.as_str()))
            .map(|p| p.metadata.name.unwrap())
            .collect()
    };
    sim.run_until(200, |s| all_ready(s, "gss-2048") && !on_rev(s).is_empty());
    for _ in 0..20 {
        sim.step();
    }
    assert_eq!(on_rev(&sim), ["gss-2048-3"]);
}

#[test]
fn gameserver_override_updates_only_its_pod() {
    let mut sim = Sim::new(4);
    let before = by_name(sim.pods_of("gss-2048"));
    let image = "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v1.1-hotfix";
    sim.patch(
        Resource::GameServer,
        "gss-2048-1",
        json!([{"op": "add", "path": "/spec/containers", "value": [{"name": "sidecar", "image": image}]}]),
    );
    let mut saw_updating = false;
    sim.run_until(100, |s| {
        saw_updating |= s.gs("gss-2048-1").current_state() == "Updating";
        let p = s.pod("gss-2048-1");
        image_of(&p, "sidecar") == image
            && pods::is_ready(&p)
            && s.gs("gss-2048-1").current_state() == "Ready"
    });
    assert!(!saw_updating, "the override path does not pass through Updating");
    for _ in 0..5 {
        sim.step();
    }
    for (name, after) in by_name(sim.pods_of("gss-2048")) {
        let old = &before[&name];
        assert_eq!(after.metadata.uid, old.metadata.uid);
        let bumped = cs(&after, "sidecar").restart_count - cs(old, "sidecar").restart_count;
        assert_eq!(bumped, i32::from(name == "gss-2048-1"), "{name}");
        if name == "gss-2048-1" {
            assert_eq!(cs(&after, "sidecar").image_id, super::revision::image_id(image));
        }
    }
}

#[test]
fn removing_an_override_leaves_the_pod_on_its_image() {
    // As kruise-game: syncPodContainers only patches towards the entries there are, so taking
    // the entry away un-pins the pod without changing it (the console patches it back itself).
    let mut sim = Sim::new(2);
    let image = "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v1.1-hotfix";
    sim.patch(
        Resource::GameServer,
        "gss-2048-1",
        json!([{"op": "add", "path": "/spec/containers", "value": [{"name": "sidecar", "image": image}]}]),
    );
    sim.run_until(100, |s| image_of(&s.pod("gss-2048-1"), "sidecar") == image);
    sim.patch(
        Resource::GameServer,
        "gss-2048-1",
        json!([{"op": "remove", "path": "/spec/containers/0"}]),
    );
    for _ in 0..20 {
        sim.step();
    }
    assert_eq!(image_of(&sim.pod("gss-2048-1"), "sidecar"), image);
}

#[test]
fn missing_image_stalls_then_a_good_bump_recovers() {
    let mut sim = Sim::new(4);
    bump(&mut sim, "gss-2048", 1, "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0-missing");
    let backoff = |p: &Pod| {
        cs(p, "sidecar")
            .state
            .as_ref()
            .and_then(|st| st.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
            == Some("ImagePullBackOff")
    };
    sim.run_until(100, |s| s.pods_of("gss-2048").iter().any(backoff));
    for _ in 0..20 {
        sim.step();
    }
    // Exactly one pod is broken: maxUnavailable 1 is used up and the rollout stalls.
    let broken: Vec<Pod> = sim.pods_of("gss-2048").into_iter().filter(|p| backoff(p)).collect();
    assert_eq!(broken.len(), 1);
    let p = &broken[0];
    // The highest update priority goes first (gss-2048-2 is seeded with 10).
    assert_eq!(p.metadata.name.as_deref(), Some("gss-2048-2"));
    // The kubelet still reports the old image (the pull failed), so the in-place update is not
    // complete: the pod stays lifecycle Updating and OKG says Updating (as upstream does).
    assert_eq!(sim.gs("gss-2048-2").current_state(), "Updating");
    assert_eq!(pods::label(p, labels::LIFECYCLE_STATE), Some("Updating"));
    assert!(!pods::is_ready(p));
    let msg =
        cs(p, "sidecar").state.as_ref().unwrap().waiting.as_ref().unwrap().message.clone().unwrap();
    assert!(msg.contains("2048-sidecar:v2.0-missing"), "{msg}");
    assert_eq!(sim.pods_of("gss-2048").iter().filter(|p| pods::is_ready(p)).count(), 3);
    assert!(
        sim.events
            .iter()
            .any(|e| e.reason == "Failed" && e.warning && e.message.contains("not found"))
    );
    assert!(sim.events.iter().any(|e| e.reason == "BackOff"));

    bump(&mut sim, "gss-2048", 1, "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.1");
    let rev = revision(&sim, "gss-2048");
    sim.run_until(300, |s| {
        all_ready(s, "gss-2048")
            && s.pods_of("gss-2048")
                .iter()
                .all(|p| pods::label(p, labels::REVISION_HASH) == Some(rev.as_str()))
    });
}

#[test]
fn scale_up_and_down() {
    let mut sim = Sim::new(3);
    sim.patch(
        Resource::GameServerSet,
        "gss-2048",
        json!([{"op": "replace", "path": "/spec/replicas", "value": 5}]),
    );
    sim.run_until(50, |s| all_ready(s, "gss-2048"));
    assert!(sim.objects.contains_key(&(Resource::GameServer, "gss-2048-4".to_string())));
    sim.patch(
        Resource::GameServerSet,
        "gss-2048",
        json!([{"op": "replace", "path": "/spec/replicas", "value": 2}]),
    );
    sim.run_until(50, |s| all_ready(s, "gss-2048") && s.pods_of("gss-2048").len() == 2);
    let names: Vec<String> =
        sim.pods_of("gss-2048").into_iter().map(|p| p.metadata.name.unwrap()).collect();
    assert_eq!(names, ["gss-2048-0", "gss-2048-1"]);
    sim.run_until(10, |s| {
        !s.objects.contains_key(&(Resource::GameServer, "gss-2048-2".to_string()))
    });
}

#[test]
fn seeded_cluster_needs_no_writes() {
    let mut sim = Sim::new(6);
    let writes = sim.step();
    assert_eq!(writes, 0, "the seed is already what the controller would write");
}

/// Not a check: prints how long seeding and one reconcile of 10,000 replicas take
/// (`cargo test --lib timing_10k -- --ignored --nocapture`).
#[test]
#[ignore]
fn timing_10k() {
    let t = std::time::Instant::now();
    let objs = super::seed::initial_objects(&crate::DemoOptions {
        replicas: 10_000,
        ..Default::default()
    });
    eprintln!("seed {:?} {}", t.elapsed(), objs.len());
    let mut sim = Sim::new(10_000);
    let t = std::time::Instant::now();
    let writes = sim.step();
    eprintln!("plan+apply step {:?} writes {writes}", t.elapsed());
    // The controller's own cost per reconcile: planning over cached objects.
    let sets: Vec<okg_domain::types::GameServerSet> = sim.typed("GameServerSet");
    let gss: Vec<okg_domain::types::GameServer> = sim.typed("GameServer");
    let pods: Vec<Pod> = sim.typed("Pod");
    let world = super::plan::World {
        sets: sets.iter().collect(),
        gameservers: gss.iter().collect(),
        pods: pods.iter().collect(),
    };
    let clock = super::plan::Clock {
        now: std::time::Instant::now(),
        wall: jiff::Timestamp::now(),
        tick: std::time::Duration::from_secs(2),
    };
    let mut best = std::time::Duration::MAX;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let actions = super::plan::plan(&world, &mut sim.mem, &clock);
        best = best.min(t.elapsed());
        assert!(actions.is_empty());
    }
    eprintln!("plan alone, best of 5: {best:?}");
}

#[test]
fn paused_rollout_starts_nothing_until_resumed() {
    let mut sim = Sim::new(3);
    let old_rev = revision(&sim, "gss-2048");
    sim.patch(
        Resource::GameServerSet,
        "gss-2048",
        json!([
            {"op": "add", "path": "/spec/updateStrategy/rollingUpdate/paused", "value": true},
            {"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image",
             "value": "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0"}
        ]),
    );
    for _ in 0..20 {
        sim.step();
    }
    assert!(
        sim.pods_of("gss-2048")
            .iter()
            .all(|p| pods::label(p, labels::REVISION_HASH) == Some(old_rev.as_str()))
    );
    sim.patch(
        Resource::GameServerSet,
        "gss-2048",
        json!([{"op": "replace", "path": "/spec/updateStrategy/rollingUpdate/paused", "value": false}]),
    );
    let rev = revision(&sim, "gss-2048");
    sim.run_until(200, |s| {
        all_ready(s, "gss-2048")
            && s.pods_of("gss-2048")
                .iter()
                .all(|p| pods::label(p, labels::REVISION_HASH) == Some(rev.as_str()))
    });
}

#[test]
fn the_kubelet_role_alone_binds_and_starts_pods_and_leaves_sets_to_others() {
    let mut sim = Sim::new(2);
    sim.mem.roles = super::plan::Roles { controllers: false, kubelet: true };
    // A pod as a real OpenKruise creates it: no node, no status.
    let name = sim.pods_of("gss-2048")[0].metadata.name.clone().unwrap();
    let key = (Resource::Pod, name.clone());
    let pod = sim.objects.get_mut(&key).unwrap();
    pod["spec"].as_object_mut().unwrap().remove("nodeName");
    pod["status"] = json!({"phase": "Pending"});
    // A template change: the kubelet role must not act on sets.
    let set = sim.get(Resource::GameServerSet, "gss-2048").clone();
    let gs_before = sim.objects.iter().filter(|(k, _)| k.0 == Resource::GameServer).count();
    sim.run_until(20, |s| {
        pods::condition_status(&s.pod(&name), "Ready") == Some("True")
            || s.pod(&name).spec.unwrap().readiness_gates.is_some_and(|g| !g.is_empty())
                && s.pod(&name).status.unwrap().pod_ip.is_some()
    });
    let pod = sim.pod(&name);
    assert!(pod.spec.as_ref().unwrap().node_name.is_some(), "bound to a node");
    assert!(pod.status.as_ref().unwrap().pod_ip.is_some(), "started");
    assert_eq!(sim.get(Resource::GameServerSet, "gss-2048"), &set);
    assert_eq!(sim.objects.iter().filter(|(k, _)| k.0 == Resource::GameServer).count(), gs_before);
    assert!(super::plan::Roles::parse("kubelet").is_ok_and(|r| !r.controllers && r.kubelet));
    assert!(super::plan::Roles::parse("bogus").is_err());
}
