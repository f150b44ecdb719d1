//! The Advanced StatefulSet's revisions (issue 11 item 8) and a template bump over an overridden
//! container (item 5), run to completion against the in-memory cluster.
use k8s_openapi::api::core::v1::Pod;
use serde_json::json;

use super::plan::Resource;
use super::pods;
use super::testkit::Sim;
use okg_domain::types::labels;

const SET: &str = "gss-2048";
const NEW: &str = "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0";
const PIN: &str = "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v1.1-hotfix";

fn sidecar(p: &Pod) -> (String, i32) {
    let image = p.spec.as_ref().unwrap().containers.iter().find(|c| c.name == "sidecar");
    let st = p.status.as_ref().unwrap().container_statuses.as_ref().unwrap();
    let restarts = st.iter().find(|c| c.name == "sidecar").unwrap().restart_count;
    (image.unwrap().image.clone().unwrap(), restarts)
}

fn revision(p: &Pod) -> String {
    pods::label(p, labels::REVISION_HASH).unwrap_or_default().to_string()
}

fn bump(sim: &mut Sim) {
    sim.patch(
        Resource::GameServerSet,
        SET,
        json!([{"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": NEW}]),
    );
}

fn settle(sim: &mut Sim) {
    for _ in 0..5 {
        sim.step();
    }
}

#[test]
fn the_advanced_statefulset_carries_the_revisions_pods_are_labelled_with() {
    let mut sim = Sim::new(3);
    settle(&mut sim);
    let old = revision(&sim.pod("gss-2048-0"));
    let asts = &sim.asts[SET];
    assert_eq!(asts["status"]["updateRevision"], json!(old));
    assert_eq!(asts["status"]["currentRevision"], json!(old));
    assert_eq!(asts["status"]["updatedReplicas"], 3);
    assert_eq!(asts["spec"]["updateStrategy"]["type"], "RollingUpdate");
    bump(&mut sim);
    sim.step();
    let new = sim.asts[SET]["status"]["updateRevision"].as_str().unwrap().to_string();
    assert_ne!(new, old, "a template change is a new update revision");
    assert_eq!(
        sim.asts[SET]["status"]["observedGeneration"],
        sim.asts[SET]["metadata"]["generation"]
    );
    // Mid-rollout the current revision stays the old one; pods move by their label.
    let mut saw_mixed = false;
    sim.run_until(200, |s| {
        let pods = s.pods_of(SET);
        let on_new = pods.iter().filter(|p| revision(p) == new).count();
        let st = &s.asts[SET]["status"];
        if on_new > 0 && on_new < 3 {
            saw_mixed = true;
            assert_eq!(st["currentRevision"], json!(old));
            assert_eq!(st["updatedReplicas"], json!(on_new));
        }
        on_new == 3 && pods.iter().all(pods::is_ready)
    });
    settle(&mut sim);
    assert!(saw_mixed);
    assert_eq!(sim.asts[SET]["status"]["currentRevision"], json!(new), "completeRollingUpdate");
}

#[test]
fn a_template_bump_over_an_override_restarts_that_container_twice() {
    let mut sim = Sim::new(3);
    sim.patch(
        Resource::GameServer,
        "gss-2048-1",
        json!([{"op": "add", "path": "/spec/containers", "value": [{"name": "sidecar", "image": PIN}]}]),
    );
    sim.run_until(100, |s| {
        let p = s.pod("gss-2048-1");
        sidecar(&p).0 == PIN && pods::is_ready(&p)
    });
    settle(&mut sim);
    let (_, before) = sidecar(&sim.pod("gss-2048-1"));
    let (_, before0) = sidecar(&sim.pod("gss-2048-0"));
    let old = revision(&sim.pod("gss-2048-1"));
    bump(&mut sim);
    sim.step();
    let rev = sim.asts[SET]["status"]["updateRevision"].as_str().unwrap().to_string();
    assert_ne!(rev, old);
    // OpenKruise puts the template image on it first (it knows no overrides) …
    let mut saw_template = false;
    sim.run_until(200, |s| {
        let p = s.pod("gss-2048-1");
        saw_template |= sidecar(&p).0 == NEW;
        s.pods_of(SET).iter().all(|p| revision(p) == rev && pods::is_ready(p))
            && sidecar(&p).0 == PIN
    });
    settle(&mut sim);
    assert!(saw_template, "the template image reached the overridden pod");
    // … and kruise-game patched the override back: two restarts, ending on the pinned image and
    // on the update revision.
    let p = sim.pod("gss-2048-1");
    assert_eq!(sidecar(&p), (PIN.to_string(), before + 2));
    // A pod without an override restarts once, onto the template's image.
    assert_eq!(sidecar(&sim.pod("gss-2048-0")), (NEW.to_string(), before0 + 1));
}
