//! Lifecycle hooks and what blocks the next pod, run to completion against the in-memory
//! cluster (kruise `inPlaceUpdatePod`, `refreshPodState`, `rollingUpdateStatefulsetPods`).
use serde_json::json;

use super::plan::Resource;
use super::pods;
use super::testkit::Sim;
use okg_domain::types::labels;

const SET: &str = "gss-2048";
const NEW: &str = "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0";
const DRAIN: &str = "example.com/drain";

fn lc(sim: &Sim, pod: &str) -> String {
    pods::label(&sim.pod(pod), labels::LIFECYCLE_STATE).unwrap_or_default().to_string()
}

fn sidecar(sim: &Sim, pod: &str) -> String {
    let p = sim.pod(pod);
    let c = p.spec.unwrap().containers.into_iter().find(|c| c.name == "sidecar").unwrap();
    c.image.unwrap()
}

fn bump(sim: &mut Sim) {
    sim.patch(
        Resource::GameServerSet,
        SET,
        json!([{"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": NEW}]),
    );
}

fn label_pod(sim: &mut Sim, pod: &str, value: Option<&str>) {
    let path = format!("/metadata/labels/{}", DRAIN.replace('/', "~1"));
    let op = match value {
        Some(v) => json!({"op": "add", "path": path, "value": v}),
        None => json!({"op": "remove", "path": path}),
    };
    sim.patch(Resource::Pod, pod, json!([op]));
}

/// The seed's first pod in update order (priority 10).
const FIRST: &str = "gss-2048-2";

fn hooked_sim() -> Sim {
    let mut sim = Sim::new(6);
    sim.run_until(10, |s| s.pods_of(SET).iter().all(pods::is_ready));
    sim.patch(
        Resource::GameServerSet,
        SET,
        json!([{"op": "add", "path": "/spec/lifecycle", "value":
            {"inPlaceUpdate": {"labelsHandler": {DRAIN: "true"}}}}]),
    );
    label_pod(&mut sim, FIRST, Some("true"));
    sim
}

#[test]
fn a_hooked_pod_waits_in_preparing_update_and_blocks_the_next() {
    let mut sim = hooked_sim();
    bump(&mut sim);
    sim.run_until(30, |s| lc(s, FIRST) == "PreparingUpdate");
    for _ in 0..10 {
        sim.step();
    }
    // Held: no image patched, OKG shows PreUpdate, and it takes maxUnavailable 1, so the walk
    // stops at the next pod: nobody else starts.
    assert_eq!(lc(&sim, FIRST), "PreparingUpdate");
    assert_ne!(sidecar(&sim, FIRST), NEW);
    assert_eq!(sim.gs(FIRST).current_state(), "PreUpdate");
    for p in sim.pods_of(SET) {
        let name = p.metadata.name.clone().unwrap();
        if name != FIRST {
            assert_eq!(lc(&sim, &name), "Normal", "{name} did not start");
        }
    }
    // The hook's label goes: the images are patched, and after the update the pod waits in
    // Updated for the label to come back.
    label_pod(&mut sim, FIRST, None);
    sim.run_until(40, |s| lc(s, FIRST) == "Updated");
    assert_eq!(sidecar(&sim, FIRST), NEW);
    for _ in 0..5 {
        sim.step();
    }
    assert_eq!(lc(&sim, FIRST), "Updated", "held until the label is back");
    label_pod(&mut sim, FIRST, Some("true"));
    sim.run_until(20, |s| lc(s, FIRST) == "Normal");
    assert_eq!(lc(&sim, FIRST), "Normal");
}

#[test]
fn an_unhooked_pod_under_a_hook_updates_straight_away() {
    // The set has the hook, but this pod carries none of its handlers: IsPodHooked is false,
    // so no PreparingUpdate; after the update it lacks them, so it passes Updated.
    let mut sim = hooked_sim();
    label_pod(&mut sim, FIRST, None);
    bump(&mut sim);
    let mut seen = Vec::new();
    sim.run_until(40, |s| {
        let now = lc(s, FIRST);
        if seen.last() != Some(&now) {
            seen.push(now.clone());
        }
        now == "Updated"
    });
    assert!(!seen.contains(&"PreparingUpdate".to_string()), "{seen:?}");
    assert!(seen.contains(&"Updating".to_string()), "{seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some("Updated"));
}

#[test]
fn a_pre_delete_hook_holds_a_re_created_pod_until_its_finalizer_goes() {
    // gss-battle is ReCreate: a pod carrying the preDelete hook's finalizer goes to
    // PreparingDelete (GameServer PreDelete) instead of being deleted (kruise `deletePod`).
    let mut sim = Sim::new(2);
    sim.run_until(10, |s| s.pods_of("gss-battle").iter().all(pods::is_ready));
    sim.patch(
        Resource::GameServerSet,
        "gss-battle",
        json!([{"op": "add", "path": "/spec/lifecycle", "value":
            {"preDelete": {"finalizersHandler": ["example.com/keep"]}}}]),
    );
    let first = "gss-battle-3";
    sim.patch(
        Resource::Pod,
        first,
        json!([{"op": "add", "path": "/metadata/finalizers", "value": ["example.com/keep"]}]),
    );
    let uid = sim.pod(first).metadata.uid.clone();
    sim.patch(
        Resource::GameServerSet,
        "gss-battle",
        json!([{"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image",
            "value": "registry.example.com/okg/battle-sidecar:v1.1"}]),
    );
    sim.run_until(20, |s| lc(s, first) == "PreparingDelete");
    for _ in 0..5 {
        sim.step();
    }
    assert_eq!(sim.pod(first).metadata.uid, uid, "not deleted while hooked");
    assert_eq!(sim.gs(first).current_state(), "PreDelete");
    sim.patch(Resource::Pod, first, json!([{"op": "remove", "path": "/metadata/finalizers"}]));
    sim.run_until(40, |s| {
        s.typed::<k8s_openapi::api::core::v1::Pod>("Pod")
            .iter()
            .any(|p| p.metadata.name.as_deref() == Some(first) && p.metadata.uid != uid)
    });
}

#[test]
fn a_hook_label_from_the_template_is_not_put_back_by_the_update() {
    // The hook's label comes with the template, as operators set it up. OpenKruise patches only
    // the metadata that differs between the revisions, so once the hook owner removed it, the
    // updated pod stays Updated until the label is set again.
    let mut sim = Sim::new(6);
    sim.patch(
        Resource::GameServerSet,
        SET,
        json!([
            {"op": "add", "path": "/spec/lifecycle", "value":
                {"inPlaceUpdate": {"labelsHandler": {DRAIN: "true"}}}},
            {"op": "add", "path": format!("/spec/gameServerTemplate/metadata/labels/{}", DRAIN.replace('/', "~1")), "value": "true"}
        ]),
    );
    sim.run_until(200, |s| {
        s.pods_of(SET).iter().all(|p| {
            pods::label(p, DRAIN) == Some("true")
                && pods::label(p, labels::LIFECYCLE_STATE) == Some("Normal")
        })
    });
    bump(&mut sim);
    sim.run_until(30, |s| lc(s, FIRST) == "PreparingUpdate");
    label_pod(&mut sim, FIRST, None);
    sim.run_until(40, |s| lc(s, FIRST) == "Updated");
    for _ in 0..5 {
        sim.step();
    }
    assert_eq!(lc(&sim, FIRST), "Updated");
    assert_eq!(pods::label(&sim.pod(FIRST), DRAIN), None);
}
