//! What OpenKruise counts against `maxUnavailable`, and where its rolling update stops.
//!
//! kruise `pkg/controller/statefulset/stateful_set_control.go`, `rollingUpdateStatefulsetPods`:
//! before walking the pods it counts as unavailable every pod that is not healthy (`isHealthy`:
//! lifecycle state not `Normal`, not Running and Ready, or terminating), whose in-place update
//! has not completed (`CheckPodUpdateCompleted`), or that is not yet Ready for
//! `minReadySeconds` (`isRunningAndAvailable`). Then it walks the pods in update order: pods on
//! the update revision are passed over, and the first one it may not update (the count has
//! reached `maxUnavailable` and the pod is itself available) ends the walk — `return`, not
//! `continue` — so nothing behind it starts, not even an unavailable pod.
use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::Pod;
use serde::{Deserialize, Serialize};

use crate::lifecycle::{pod_state, state};
use crate::types::annotations;

/// Why OpenKruise counts a pod as unavailable, in the order it checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Unavailable {
    /// `lifecycle.apps.kruise.io/state` is set and not `Normal`.
    Lifecycle { state: String },
    /// Being deleted.
    Terminating,
    /// Not Running with Ready True.
    NotReady,
    /// The in-place update recorded in `apps.kruise.io/inplace-update-state` has not completed.
    InPlaceIncomplete,
    /// Ready, but for less than `minReadySeconds` (`left` more seconds).
    MinReadySeconds { left: i64 },
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::Lifecycle { state } => write!(f, "lifecycle state {state}"),
            Unavailable::Terminating => f.write_str("terminating"),
            Unavailable::NotReady => f.write_str("not Ready"),
            Unavailable::InPlaceIncomplete => f.write_str("in-place update not complete"),
            Unavailable::MinReadySeconds { left } => {
                write!(f, "inside minReadySeconds ({left}s left)")
            }
        }
    }
}

/// Why OpenKruise counts `pod` as unavailable, or `None` when it is available. `now` is needed
/// only for `minReadySeconds`; without it (a plan made without a clock) that rule is skipped.
pub fn unavailable(
    pod: &Pod,
    min_ready_seconds: i32,
    now: Option<jiff::Timestamp>,
) -> Option<Unavailable> {
    let lc = pod_state(pod);
    if !lc.is_empty() && lc != state::NORMAL {
        return Some(Unavailable::Lifecycle { state: lc.to_string() });
    }
    if pod.metadata.deletion_timestamp.is_some() {
        return Some(Unavailable::Terminating);
    }
    let status = pod.status.as_ref();
    // A pod without a phase is taken as running: only hand-made objects lack one.
    let running = status.and_then(|s| s.phase.as_deref()).is_none_or(|p| p == "Running");
    let ready = status
        .into_iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .find(|c| c.type_ == "Ready" && c.status == "True");
    let Some(ready) = ready.filter(|_| running) else { return Some(Unavailable::NotReady) };
    if !inplace_update_completed(pod) {
        return Some(Unavailable::InPlaceIncomplete);
    }
    if min_ready_seconds > 0
        && let Some(now) = now
    {
        let Some(since) = ready.last_transition_time.as_ref() else {
            return Some(Unavailable::MinReadySeconds { left: i64::from(min_ready_seconds) });
        };
        let left = i64::from(min_ready_seconds) - now.duration_since(since.0).as_secs();
        if left > 0 {
            return Some(Unavailable::MinReadySeconds { left });
        }
    }
    None
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordedState {
    #[serde(default)]
    last_container_statuses: BTreeMap<String, RecordedContainer>,
}

#[derive(Deserialize)]
struct RecordedContainer {
    #[serde(rename = "imageID", default)]
    image_id: String,
}

/// OpenKruise's completion check (`defaultCheckContainersInPlaceUpdateCompleted` in kruise
/// `pkg/util/inplaceupdate/inplace_update_defaults.go`): every container recorded in
/// `apps.kruise.io/inplace-update-state` reports a new imageID, or the image its spec names. A
/// pod without the record has nothing in progress.
pub fn inplace_update_completed(pod: &Pod) -> bool {
    let Some(raw) =
        pod.metadata.annotations.as_ref().and_then(|a| a.get(annotations::INPLACE_UPDATE_STATE))
    else {
        return true;
    };
    let Ok(recorded) = serde_json::from_str::<RecordedState>(raw) else { return true };
    let spec = pod.spec.iter().flat_map(|s| s.containers.iter());
    let spec_images: BTreeMap<&str, &str> =
        spec.map(|c| (c.name.as_str(), c.image.as_deref().unwrap_or(""))).collect();
    let statuses = pod.status.as_ref().and_then(|s| s.container_statuses.as_ref());
    recorded.last_container_statuses.iter().all(|(name, old)| {
        let Some(cs) = statuses.and_then(|s| s.iter().find(|c| &c.name == name)) else {
            return false;
        };
        cs.image_id != old.image_id || spec_images.get(name.as_str()) == Some(&cs.image.as_str())
    })
}

/// One pod as the rolling update walks it, already in update order and cut to the pods the
/// partition lets through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// On the update revision (`controller-revision-hash`): passed over.
    pub updated: bool,
    /// Counted as unavailable ([`unavailable`]).
    pub unavailable: bool,
}

/// What the walk does with one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turn {
    /// On the update revision already.
    Updated,
    /// Updated now.
    Start,
    /// The walk stops here: `maxUnavailable` pods are unavailable and this one is available.
    Blocked,
    /// Behind the blocked pod at index `blocker`: not reached this round.
    Behind { blocker: usize },
}

/// The walk of `rollingUpdateStatefulsetPods` over `slots` (in update order, partition applied)
/// when `unavailable` pods of the whole set count against `max_unavailable` (at least 1).
pub fn walk(slots: &[Slot], unavailable: usize, max_unavailable: i32) -> Vec<Turn> {
    let max = max_unavailable.max(1) as usize;
    let mut count = unavailable;
    let mut blocker = None;
    slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if s.updated {
                return Turn::Updated;
            }
            if let Some(blocker) = blocker {
                return Turn::Behind { blocker };
            }
            if count >= max && !s.unavailable {
                blocker = Some(i);
                return Turn::Blocked;
            }
            if !s.unavailable {
                count += 1;
            }
            Turn::Start
        })
        .collect()
}

#[cfg(test)]
mod tests;
