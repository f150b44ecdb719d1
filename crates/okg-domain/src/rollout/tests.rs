use super::*;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateWaiting, PodCondition, PodSpec, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

pub(super) const C: &str = "sidecar";
pub(super) const NEW: &str = "okg/sidecar:v2.0";

/// A running two-container pod: app-2048 and sidecar, both on v1.0.
pub(crate) fn pod(name: &str) -> Pod {
    let status = |n: &str, id: &str| ContainerStatus {
        name: n.into(),
        image: format!("okg/{n}:v1.0"),
        image_id: id.into(),
        container_id: Some(format!("containerd://{n}-0")),
        restart_count: 0,
        ready: true,
        state: Some(running()),
        ..Default::default()
    };
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            uid: Some(format!("uid-{name}")),
            creation_timestamp: Some(Time("2026-11-28T06:00:00Z".parse().unwrap())),
            ..Default::default()
        },
        spec: Some(PodSpec {
            node_name: Some("node-a".into()),
            containers: vec![
                Container {
                    name: "app-2048".into(),
                    image: Some("okg/app-2048:v1.0".into()),
                    ..Default::default()
                },
                Container {
                    name: C.into(),
                    image: Some("okg/sidecar:v1.0".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }),
        status: Some(PodStatus {
            pod_ip: Some("10.0.0.10".into()),
            conditions: Some(vec![PodCondition {
                type_: "Ready".into(),
                status: "True".into(),
                ..Default::default()
            }]),
            container_statuses: Some(vec![status("app-2048", "id-app-1"), status(C, "id-sc-1")]),
            ..Default::default()
        }),
    }
}

pub(super) fn running() -> ContainerState {
    ContainerState { running: Some(Default::default()), ..Default::default() }
}

pub(super) fn waiting(reason: &str, message: &str) -> ContainerState {
    ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some(reason.into()),
            message: Some(message.into()),
        }),
        ..Default::default()
    }
}

pub(super) fn gs(state: &str) -> GameServer {
    let mut g = GameServer::new("p", Default::default());
    g.status = Some(crate::types::GameServerStatus {
        current_state: Some(state.into()),
        ..Default::default()
    });
    g
}

pub(super) fn status_mut<'a>(p: &'a mut Pod, name: &str) -> &'a mut ContainerStatus {
    p.status
        .as_mut()
        .unwrap()
        .container_statuses
        .as_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c.name == name)
        .unwrap()
}

pub(super) fn set_image(p: &mut Pod, image: &str) {
    p.spec.as_mut().unwrap().containers.iter_mut().find(|c| c.name == C).unwrap().image =
        Some(image.into());
}

/// The pod after a clean in-place update of the sidecar: a new container on the new image.
pub(super) fn updated_in_place(p: &Pod) -> Pod {
    restarted_on(p, NEW, "id-sc-2")
}

/// The pod with its sidecar restarted (a new container, restart count + 1) on `image`, whose
/// imageID the runtime reports as `image_id`.
pub(super) fn restarted_on(p: &Pod, image: &str, image_id: &str) -> Pod {
    let mut p = p.clone();
    set_image(&mut p, image);
    let s = status_mut(&mut p, C);
    s.restart_count += 1;
    s.container_id = Some(format!("containerd://{C}-{}", s.restart_count));
    s.image = image.into();
    s.image_id = image_id.into();
    s.state = Some(running());
    s.ready = true;
    p
}

pub(super) fn v(
    base: &Baseline,
    p: Option<&Pod>,
    g: Option<&GameServer>,
    ctx: &Context,
) -> Verdict {
    verdict(base, p, g, C, NEW, ctx)
}

#[test]
fn baseline_records_identity_and_containers() {
    let b = Baseline::from_pod(&pod("gss-2048-0")).unwrap();
    assert_eq!(b.uid, "uid-gss-2048-0");
    assert_eq!(b.ip.as_deref(), Some("10.0.0.10"));
    assert_eq!(b.node.as_deref(), Some("node-a"));
    assert_eq!(b.containers[C].image_id, "id-sc-1");
    assert_eq!(b.containers[C].image, "okg/sidecar:v1.0");
    assert!(b.creation_timestamp.is_some());
}

#[test]
fn clean_in_place_update_with_ready_gs_is_in_place() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let after = updated_in_place(&p);
    assert_eq!(v(&b, Some(&after), Some(&gs("Ready")), &Context::default()), Verdict::InPlace);
}

#[test]
fn in_place_needs_the_game_server_ready() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let after = updated_in_place(&p);
    assert_eq!(v(&b, Some(&after), Some(&gs("Updating")), &Context::default()), Verdict::Updating);
    let timed_out = Context { timed_out: true, ..Default::default() };
    assert_eq!(
        v(&b, Some(&after), Some(&gs("NotReady")), &timed_out),
        Verdict::Failed(FailReason::NotReadyInTime)
    );
}

#[test]
fn in_place_needs_the_restarted_container_ready() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let mut after = updated_in_place(&p);
    status_mut(&mut after, C).ready = false;
    assert_eq!(v(&b, Some(&after), Some(&gs("Ready")), &Context::default()), Verdict::Updating);
}

#[test]
fn a_re_tag_of_the_same_digest_is_in_place_with_the_same_image_id() {
    // `v2.0` names the digest `v1.0` had: the runtime reports the same imageID.
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let after = restarted_on(&p, NEW, "id-sc-1");
    assert_eq!(v(&b, Some(&after), Some(&gs("Ready")), &Context::default()), Verdict::InPlace);
    let c = Comparison::of(&b, &after, C);
    assert!(c.same_image_id());
    assert!(c.summary().contains("imageID unchanged (same image digest)"), "{}", c.summary());
    // The runtime may write the Docker Hub defaults out: still the spec image.
    let mut full = after.clone();
    status_mut(&mut full, C).image = format!("docker.io/{NEW}");
    assert_eq!(v(&b, Some(&full), Some(&gs("Ready")), &Context::default()), Verdict::InPlace);
}

#[test]
fn a_container_that_did_not_restart_is_not_in_place_even_on_the_target_image() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let mut after = p.clone();
    set_image(&mut after, NEW);
    assert_eq!(v(&b, Some(&after), Some(&gs("Ready")), &Context::default()), Verdict::Updating);
    // Restarted, but the status still shows the old image and imageID: not on the target yet.
    let mut old = after.clone();
    status_mut(&mut old, C).restart_count = 1;
    assert_eq!(v(&b, Some(&old), Some(&gs("Ready")), &Context::default()), Verdict::Updating);
    // The status naming the target image (as after a failed pull the kubelet keeps reporting
    // the image a rollback returns to) is not enough either: it is the baseline's container.
    status_mut(&mut after, C).image = NEW.into();
    assert_eq!(v(&b, Some(&after), Some(&gs("Ready")), &Context::default()), Verdict::Updating);
    let timed_out = Context { timed_out: true, ..Default::default() };
    assert_eq!(
        v(&b, Some(&after), Some(&gs("Ready")), &timed_out),
        Verdict::Failed(FailReason::NotReadyInTime)
    );
    // A new container ID alone is a restart (the restart count can lag in the status).
    status_mut(&mut after, C).container_id = Some("containerd://sidecar-new".into());
    assert_eq!(v(&b, Some(&after), Some(&gs("Ready")), &Context::default()), Verdict::InPlace);
}

#[test]
fn rollback_after_a_failed_pull_is_in_place_on_the_old_image_id() {
    // A bump to a missing tag: the kubelet killed the v1.0 container and cannot pull the new
    // one. It keeps reporting the last container (image v1.0, its imageID, ID and restart count
    // 0) with a waiting ErrImagePull. The rollback's baseline is taken from this pod.
    const OLD: &str = "okg/sidecar:v1.0";
    const BAD: &str = "okg/sidecar:v2.0-missing";
    let mut stuck = pod("p");
    set_image(&mut stuck, BAD);
    let s = status_mut(&mut stuck, C);
    s.state = Some(waiting(
        "ErrImagePull",
        &format!(
            "rpc error: code = NotFound desc = failed to pull and unpack image \"{BAD}\": not found"
        ),
    ));
    s.ready = false;
    let b = Baseline::from_pod(&stuck).unwrap();
    let base = &b.containers[C];
    assert_eq!((base.image_id.as_str(), base.restart_count, base.running), ("id-sc-1", 0, false));
    let rollback =
        |p: &Pod, g: &GameServer| verdict(&b, Some(p), Some(g), C, OLD, &Context::default());
    // Patched back, the kubelet not yet synced: the bad tag's error is not the rollback's, and
    // the baseline's container is no restart.
    let mut patched = stuck.clone();
    set_image(&mut patched, OLD);
    assert_eq!(rollback(&patched, &gs("Updating")), Verdict::Updating);
    // The kubelet starts a new container on v1.0: restart count 0 → 1, the same imageID.
    let back = restarted_on(&stuck, OLD, "id-sc-1");
    assert_eq!(container_status(&back, C).unwrap().restart_count, 1);
    assert_eq!(rollback(&back, &gs("Updating")), Verdict::Updating, "GameServer not Ready yet");
    assert_eq!(rollback(&back, &gs("Ready")), Verdict::InPlace);
    assert!(Comparison::of(&b, &back, C).same_image_id());
    // A new error on the rollback's own image still counts.
    let mut bad_again = patched.clone();
    status_mut(&mut bad_again, C).state =
        Some(waiting("ImagePullBackOff", &format!("Back-off pulling image \"{OLD}\"")));
    assert!(matches!(rollback(&bad_again, &gs("Updating")), Verdict::Failing(_)));
}

#[test]
fn other_container_restart_fails_the_verdict() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let mut after = updated_in_place(&p);
    status_mut(&mut after, "app-2048").restart_count = 1;
    let got = v(&b, Some(&after), Some(&gs("Ready")), &Context::default());
    assert!(
        matches!(got, Verdict::Failed(FailReason::OtherContainerRestarted(ref m)) if m.contains("app-2048")),
        "{got:?}"
    );
}

#[test]
fn ip_or_node_change_is_not_in_place() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let mut after = updated_in_place(&p);
    after.status.as_mut().unwrap().pod_ip = Some("10.0.0.99".into());
    assert!(matches!(
        v(&b, Some(&after), Some(&gs("Ready")), &Context::default()),
        Verdict::Failed(FailReason::Moved(_))
    ));
    let mut after = updated_in_place(&p);
    after.spec.as_mut().unwrap().node_name = Some("node-b".into());
    assert!(matches!(
        v(&b, Some(&after), Some(&gs("Ready")), &Context::default()),
        Verdict::Failed(FailReason::Moved(_))
    ));
}

#[test]
fn new_uid_is_re_created_once_ready_on_the_target_image() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let mut fresh = pod("p");
    fresh.metadata.uid = Some("uid-new".into());
    fresh.metadata.creation_timestamp = Some(Time("2026-11-28T07:00:00Z".parse().unwrap()));
    set_image(&mut fresh, NEW);
    assert_eq!(v(&b, Some(&fresh), Some(&gs("Creating")), &Context::default()), Verdict::Updating);
    assert_eq!(v(&b, Some(&fresh), Some(&gs("Ready")), &Context::default()), Verdict::ReCreated);
    // Same UID but a new creationTimestamp cannot be the same pod either.
    let mut odd = updated_in_place(&p);
    odd.metadata.creation_timestamp = Some(Time("2026-11-28T07:00:00Z".parse().unwrap()));
    assert_eq!(v(&b, Some(&odd), Some(&gs("Ready")), &Context::default()), Verdict::ReCreated);
    // Gone entirely: on its way to being re-created.
    assert_eq!(v(&b, None, None, &Context::default()), Verdict::Updating);
}

#[test]
fn rolling_back_a_pod_stuck_on_a_bad_pull_is_judged_on_the_rollback_image() {
    // At roll-back time the sidecar is stuck pulling a bad tag: not running, no imageID.
    let waiting = |reason: &str| ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some(reason.into()),
            message: Some("not found".into()),
        }),
        ..Default::default()
    };
    let mut stuck = pod("p");
    set_image(&mut stuck, "okg/sidecar:v9-missing");
    let s = status_mut(&mut stuck, C);
    s.state = Some(waiting("ImagePullBackOff"));
    s.image_id = String::new();
    s.restart_count = 3;
    s.ready = false;
    let b = Baseline::from_pod(&stuck).unwrap();
    assert!(!b.containers[C].running);
    // Before the controller patches it back, the old pull error is not this rollout's failure.
    let got = v(&b, Some(&stuck), Some(&gs("NotReady")), &Context::default());
    assert!(!matches!(got, Verdict::Failed(_)), "{got:?}");
    // Patched back and running again without a restart-count bump: in place.
    let mut back = stuck.clone();
    set_image(&mut back, NEW);
    let s = status_mut(&mut back, C);
    s.state = Some(ContainerState { running: Some(Default::default()), ..Default::default() });
    s.image_id = "id-sc-2".into();
    s.ready = true;
    assert_eq!(v(&b, Some(&back), Some(&gs("Ready")), &Context::default()), Verdict::InPlace);
}

#[test]
fn untouched_pods_wait_for_their_reason_or_stall() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let held = Context { hold: Some(WaitReason::Partition { holds: 4 }), ..Default::default() };
    assert_eq!(
        v(&b, Some(&p), Some(&gs("Ready")), &held),
        Verdict::Waiting(WaitReason::Partition { holds: 4 })
    );
    let paused = Context { hold: Some(WaitReason::Paused), ..Default::default() };
    assert_eq!(v(&b, Some(&p), Some(&gs("Ready")), &paused), Verdict::Waiting(WaitReason::Paused));
    let stalled =
        Context { stalled_for: Some(std::time::Duration::from_secs(90)), ..Default::default() };
    assert!(
        matches!(v(&b, Some(&p), Some(&gs("Ready")), &stalled), Verdict::Stalled(ref m) if m.contains("90s"))
    );
    let free = Context::default();
    assert_eq!(
        v(&b, Some(&p), Some(&gs("Ready")), &free),
        Verdict::Waiting(WaitReason::Controller)
    );
    let timed_out =
        Context { hold: Some(WaitReason::Paused), timed_out: true, ..Default::default() };
    assert!(matches!(v(&b, Some(&p), Some(&gs("Ready")), &timed_out), Verdict::Stalled(_)));
}

#[test]
fn preparing_update_counts_as_updating_even_when_held_by_the_prediction() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let held = Context { hold: Some(WaitReason::PriorityOrder { ahead: 2 }), ..Default::default() };
    assert_eq!(v(&b, Some(&p), Some(&gs("PreUpdate")), &held), Verdict::Updating);
    let mut cond = p.clone();
    cond.status.as_mut().unwrap().conditions.as_mut().unwrap().push(PodCondition {
        type_: "InPlaceUpdateReady".into(),
        status: "False".into(),
        ..Default::default()
    });
    assert_eq!(v(&b, Some(&cond), Some(&gs("Ready")), &held), Verdict::Updating);
}

#[test]
fn without_a_game_server_the_pod_ready_condition_decides() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let mut after = updated_in_place(&p);
    assert_eq!(v(&b, Some(&after), None, &Context::default()), Verdict::InPlace);
    after.status.as_mut().unwrap().conditions.as_mut().unwrap()[0].status = "False".into();
    assert_eq!(v(&b, Some(&after), None, &Context::default()), Verdict::Updating);
}

#[test]
fn comparison_shows_what_moved() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let c = Comparison::of(&b, &updated_in_place(&p), C);
    assert!(c.same_uid && c.same_created && c.same_ip && c.same_node);
    assert_eq!(c.restarts, (0, 1));
    assert_eq!(c.image_id, ("id-sc-1".to_string(), "id-sc-2".to_string()));
    assert_eq!(
        c.summary(),
        "uid same · restarts 0 → 1 · imageID id-sc-1 → id-sc-2 · ip same · node same"
    );
    let mut fresh = pod("p");
    fresh.metadata.uid = Some("other".into());
    assert!(Comparison::of(&b, &fresh, C).summary().starts_with("uid CHANGED"));
}

#[test]
fn verdicts_serialise_for_json_output() {
    let j = |v: &Verdict| serde_json::to_value(v).unwrap();
    assert_eq!(j(&Verdict::InPlace), serde_json::json!({"verdict": "inPlace"}));
    assert_eq!(j(&Verdict::ReCreated), serde_json::json!({"verdict": "reCreated"}));
    assert_eq!(
        j(&Verdict::Failed(FailReason::ImagePull("ErrImagePull: x".into()))),
        serde_json::json!({"verdict": "failed", "reason": {"kind": "imagePull", "message": "ErrImagePull: x"}})
    );
    assert_eq!(
        j(&Verdict::Waiting(WaitReason::Partition { holds: 4 })),
        serde_json::json!({"verdict": "waiting", "reason": {"kind": "partition", "holds": 4}})
    );
}

#[test]
fn counts_and_finality() {
    let vs = [
        Verdict::InPlace,
        Verdict::InPlace,
        Verdict::ReCreated,
        Verdict::Failed(FailReason::NotReadyInTime),
        Verdict::Updating,
        Verdict::Stalled("x".into()),
    ];
    let c = Counts::of(&vs);
    assert_eq!((c.in_place, c.re_created, c.failed, c.updating, c.stalled), (2, 1, 1, 1, 1));
    assert_eq!(c.done(), 4);
    assert_eq!(vs.iter().filter(|v| v.is_final()).count(), 4);
}
