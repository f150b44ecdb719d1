//! OpenKruise's update order as the plan and the follow predict it: each pod as the order sees
//! it, and what each does next.
use k8s_openapi::api::core::v1::Pod;

use super::{GameServer, PodAction, PodPlan, WaitReason, names, override_image, pod_image};
use crate::update_order::{self, PriorityRank};
/// A pod as the update order sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateCandidate {
    pub name: String,
    /// From the name ([`names::ordinal`]); -1 for a name that is not `<set>-<ordinal>`, so such
    /// a pod sorts first and, on a priority tie, updates last.
    pub ordinal: i64,
    /// The pod's `game.kruise.io/gs-update-priority` label as OpenKruise ranks it.
    pub update_priority: PriorityRank,
    /// The container's image in the pod now.
    pub image: String,
    /// The image its GameServer's `spec.containers` pins for this container, if any.
    pub overridden: Option<String>,
    /// Why OpenKruise counts it against maxUnavailable, if it does ([`update_order::unavailable`]).
    pub unavailable: Option<update_order::Unavailable>,
    /// Its `controller-revision-hash` label: the revision OpenKruise says it is on.
    pub revision: Option<String>,
}

/// A pod of set `set` as the update order sees it. The priority is the pod's label, not the
/// GameServer's spec: OpenKruise sorts by the label alone. kruise-game copies the spec there, but
/// a value the API server refuses as a label (`-10`) never arrives, and a pod it has not labelled
/// yet updates before all others whatever its GameServer says. `now` judges `minReadySeconds`
/// (skipped without it).
pub fn update_candidate(
    set: &str,
    pod: &Pod,
    gs: Option<&GameServer>,
    container: &str,
    ranked: bool,
    min_ready_seconds: i32,
    now: Option<jiff::Timestamp>,
) -> UpdateCandidate {
    let name = pod.metadata.name.clone().unwrap_or_default();
    UpdateCandidate {
        ordinal: names::ordinal(set, &name).map_or(-1, i64::from),
        update_priority: update_order::pod_rank(pod, ranked),
        image: pod_image(pod, container).unwrap_or_default(),
        overridden: gs.and_then(|g| override_image(g, container)),
        unavailable: update_order::unavailable(pod, min_ready_seconds, now),
        revision: pod
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(crate::types::labels::REVISION_HASH))
            .cloned(),
        name,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RolloutParams {
    pub replicas: i32,
    pub partition: i32,
    pub max_unavailable: i32,
    pub paused: bool,
}

/// OpenKruise's update order and what each pod does next: pods already on `target` first, then
/// by update priority as OpenKruise reads the label (unlabelled first, then the highest; ties to
/// the higher ordinal). `partition` holds back the last that many. Of the rest, OpenKruise's walk
/// ([`update_order::walk`]) decides: pods start while fewer than `maxUnavailable` pods of the set
/// are unavailable (an unavailable pod may always start), and the first pod that may not start
/// stops the walk, so every pod behind it waits too.
pub fn predict_order(
    pods: &[UpdateCandidate],
    target: &str,
    rollout: RolloutParams,
) -> Vec<PodPlan> {
    predict_order_on(pods, target, rollout, None)
}

/// [`predict_order`] when the update revision is known (the Advanced StatefulSet's
/// `status.updateRevision`, once it describes the template on `target`). OpenKruise counts a pod
/// updated when its `controller-revision-hash` equals that revision (kruise
/// `pkg/controller/statefulset/stateful_set_utils.go` `getPodRevision`, compared in
/// `rollingUpdateStatefulsetPods`), not when its image matches. Without it (a plan made before
/// the change, or no right to read the set) the image stands in for the revision: a pod on
/// `target` that its GameServer's override does not put there.
pub fn predict_order_on(
    pods: &[UpdateCandidate],
    target: &str,
    rollout: RolloutParams,
    update_revision: Option<&str>,
) -> Vec<PodPlan> {
    let mut sorted: Vec<&UpdateCandidate> = pods.iter().collect();
    let updated = |p: &UpdateCandidate| match update_revision {
        Some(rev) => p.revision.as_deref() == Some(rev),
        None => p.image == target && p.overridden.is_none(),
    };
    sorted.sort_by(|a, b| {
        let key = |p: &UpdateCandidate| update_order::OrderKey {
            updated: updated(p),
            priority: p.update_priority,
            ordinal: p.ordinal,
        };
        update_order::compare(key(a), key(b))
    });
    let partition = rollout.partition.max(0) as usize;
    let to_update = sorted.len().saturating_sub(partition);
    // An overridden pod takes its turn like any other: OpenKruise knows nothing of OKG's
    // overrides and updates it to the template (then kruise-game patches the override back,
    // `syncPodContainers` in kruise-game `pkg/controllers/gameserver/gameserver_manager.go`), so
    // it spends the maxUnavailable budget while it restarts.
    let slots: Vec<update_order::Slot> = sorted[..to_update]
        .iter()
        .map(|p| update_order::Slot { updated: updated(p), unavailable: p.unavailable.is_some() })
        .collect();
    let unavailable: Vec<&UpdateCandidate> =
        pods.iter().filter(|p| p.unavailable.is_some()).collect();
    let turns = update_order::walk(&slots, unavailable.len(), rollout.max_unavailable);
    // Whose unavailability fills the budget the blocked pod waits on: the pods unavailable
    // before the walk, then those it starts.
    let blocked_at = turns.iter().position(|t| *t == update_order::Turn::Blocked);
    let held_by: Vec<String> = match blocked_at {
        None => Vec::new(),
        Some(at) => unavailable
            .iter()
            .map(|p| format!("{} ({})", p.name, p.unavailable.as_ref().expect("filtered")))
            .chain(
                sorted[..at]
                    .iter()
                    .zip(&turns)
                    .filter(|(p, t)| **t == update_order::Turn::Start && p.unavailable.is_none())
                    .map(|(p, _)| format!("{} (updating)", p.name)),
            )
            .collect(),
    };
    let blocked_name = blocked_at.map(|at| sorted[at].name.clone()).unwrap_or_default();
    let mut queued = 0usize;
    sorted
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let action = if p.image == target || updated(p) {
                PodAction::AlreadyUpdated
            } else if i >= to_update {
                PodAction::Waiting(WaitReason::Partition { holds: rollout.partition })
            } else if let Some(img) = p.overridden.as_ref().filter(|img| *img != target) {
                PodAction::Overridden(img.clone())
            } else if rollout.paused {
                PodAction::Waiting(WaitReason::Paused)
            } else {
                let ahead = queued;
                queued += 1;
                match turns[i] {
                    update_order::Turn::Start => PodAction::UpdateNow,
                    // Not reached: such pods are AlreadyUpdated or Overridden above.
                    update_order::Turn::Updated => PodAction::AlreadyUpdated,
                    // Only pods this plan starts fill the budget: plain order.
                    _ if unavailable.is_empty() => {
                        PodAction::Waiting(WaitReason::PriorityOrder { ahead })
                    }
                    update_order::Turn::Blocked => PodAction::Waiting(WaitReason::Unavailable {
                        ahead,
                        max_unavailable: rollout.max_unavailable,
                        held_by: held_by.clone(),
                    }),
                    update_order::Turn::Behind { .. } => PodAction::Waiting(WaitReason::Behind {
                        ahead,
                        blocked: blocked_name.clone(),
                    }),
                }
            };
            let targeted = matches!(
                action,
                PodAction::UpdateNow
                    | PodAction::Waiting(
                        WaitReason::PriorityOrder { .. }
                            | WaitReason::Paused
                            | WaitReason::Unavailable { .. }
                            | WaitReason::Behind { .. }
                    )
            );
            PodPlan {
                name: p.name.clone(),
                ordinal: p.ordinal,
                update_priority: p.update_priority,
                image: p.image.clone(),
                action,
                to_image: targeted.then(|| target.to_string()),
            }
        })
        .collect()
}
