//! Updated by revision, not by image (issue 11 item 8), and overridden pods in the walk (item 5).
use super::*;

/// A candidate of the six-pod set: its image, override, and `controller-revision-hash`.
fn cand(i: i64, image: &str, overridden: Option<&str>, revision: &str) -> UpdateCandidate {
    UpdateCandidate {
        name: format!("{SET}-{i}"),
        ordinal: i,
        update_priority: PriorityRank::Labelled(0),
        image: image.into(),
        overridden: overridden.map(str::to_string),
        unavailable: None,
        revision: Some(revision.into()),
    }
}

fn rollout(partition: i32) -> RolloutParams {
    RolloutParams { replicas: 6, partition, max_unavailable: 1, paused: false }
}

fn action(pods: &[PodPlan], i: usize) -> &PodAction {
    &pods.iter().find(|p| p.name == format!("{SET}-{i}")).unwrap().action
}

#[test]
fn a_pod_on_the_new_image_through_its_override_is_not_updated() {
    // gss-2048-0 runs NEW only because its GameServer pins it there: it is on the old revision,
    // so it does not sort first, and the one pod the partition lets through is the highest
    // ordinal, as OpenKruise picks it.
    let mut pods: Vec<UpdateCandidate> = (0..6).map(|i| cand(i, OLD, None, "r1")).collect();
    pods[0] = cand(0, NEW, Some(NEW), "r1");
    for revision in [Some("r2"), None] {
        let plan = predict_order_on(&pods, NEW, rollout(5), revision);
        assert_eq!(*action(&plan, 5), PodAction::UpdateNow, "revision {revision:?}");
        let held = PodAction::Waiting(WaitReason::Partition { holds: 5 });
        assert_eq!(*action(&plan, 4), held);
    }
}

#[test]
fn a_pinned_pod_back_on_its_override_is_updated_by_its_revision() {
    // After the double restart, gss-2048-5 is on the update revision but runs its override's
    // image: OpenKruise passes it over, so gss-2048-4 starts at once.
    let mut pods: Vec<UpdateCandidate> = (0..6).map(|i| cand(i, OLD, None, "r1")).collect();
    pods[5] = cand(5, "okg/2048-sidecar:v1.1", Some("okg/2048-sidecar:v1.1"), "r2");
    let plan = predict_order_on(&pods, NEW, rollout(0), Some("r2"));
    assert_eq!(*action(&plan, 5), PodAction::AlreadyUpdated);
    assert_eq!(*action(&plan, 4), PodAction::UpdateNow);
    // By image alone it looks behind and takes its turn again: the next pod waits.
    let by_image = predict_order_on(&pods, NEW, rollout(0), None);
    assert_eq!(*action(&by_image, 4), PodAction::Waiting(WaitReason::PriorityOrder { ahead: 0 }));
}
