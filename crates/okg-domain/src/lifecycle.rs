//! OpenKruise's lifecycle hooks as OKG hands them to the Advanced StatefulSet, and what a hook
//! holds a pod for. Facts from kruise-api `apps/pub/lifecycle.go` (the types), kruise
//! `pkg/util/lifecycle/lifecycle_utils.go` (`IsPodHooked`, `IsPodAllHooked`),
//! `pkg/controller/statefulset/stateful_set_control.go` (`inPlaceUpdatePod`, `refreshPodState`)
//! and kruise-game `pkg/util/gameserver.go` (`GetNewAstsFromGss`, the `AllowNotReadyContainers`
//! hook).
use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::Pod;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::types::{GameServerSet, labels};

/// `lifecycle.apps.kruise.io/state` values.
pub mod state {
    pub const NORMAL: &str = "Normal";
    pub const PREPARING_NORMAL: &str = "PreparingNormal";
    pub const PREPARING_UPDATE: &str = "PreparingUpdate";
    pub const UPDATING: &str = "Updating";
    pub const UPDATED: &str = "Updated";
    pub const PREPARING_DELETE: &str = "PreparingDelete";
}

/// The label kruise-game's hook for `AllowNotReadyContainers` waits on
/// (`InplaceUpdateNotReadyBlocker` in kruise-game `apis/v1alpha1/gameserverset_types.go`).
pub const NOT_READY_BLOCKER: &str = "game.kruise.io/inplace-update-not-ready-blocker";
/// The network conf parameter that makes kruise-game add that hook.
pub const ALLOW_NOT_READY_CONTAINERS: &str = "AllowNotReadyContainers";

/// `spec.lifecycle` of a GameServerSet (kruise-api `appspub.Lifecycle`).
#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_delete: Option<LifecycleHook>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_place_update: Option<LifecycleHook>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_normal: Option<LifecycleHook>,
}

/// One hook: a pod is "hooked" while it carries one of these labels (with that value) or
/// finalizers.
#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleHook {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels_handler: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers_handler: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mark_pod_not_ready: bool,
}

impl LifecycleHook {
    /// The handlers the pod carries now, as `label key=value` and `finalizer NAME`: what holds
    /// it (`IsPodHooked` is true when this is not empty).
    pub fn carried(&self, pod: &Pod) -> Vec<String> {
        self.handlers(pod, true)
    }

    /// The handlers the pod lacks (`IsPodAllHooked` is true when this is empty).
    pub fn missing(&self, pod: &Pod) -> Vec<String> {
        self.handlers(pod, false)
    }

    fn handlers(&self, pod: &Pod, on_pod: bool) -> Vec<String> {
        let pod_labels = pod.metadata.labels.as_ref();
        let finalizers = pod.metadata.finalizers.as_deref().unwrap_or_default();
        let labels = self
            .labels_handler
            .iter()
            .filter(|(k, v)| (pod_labels.and_then(|l| l.get(*k)) == Some(*v)) == on_pod);
        let fins = self.finalizers_handler.iter().filter(|f| finalizers.contains(f) == on_pod);
        labels
            .map(|(k, v)| format!("label {k}={v}"))
            .chain(fins.map(|f| format!("finalizer {f}")))
            .collect()
    }

    /// `IsPodHooked`: the pod carries at least one handler.
    pub fn is_hooked(&self, pod: &Pod) -> bool {
        !self.carried(pod).is_empty()
    }

    /// `IsPodAllHooked`: the pod carries every handler.
    pub fn all_hooked(&self, pod: &Pod) -> bool {
        self.missing(pod).is_empty()
    }
}

/// `spec.network` of a GameServerSet, as far as the hooks need it.
#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_conf: Vec<NetworkConfParam>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema, PartialEq, Eq)]
pub struct NetworkConfParam {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// The lifecycle OpenKruise gets for this set: `spec.lifecycle`, plus the `inPlaceUpdate` label
/// hook `game.kruise.io/inplace-update-not-ready-blocker=true` kruise-game adds when the network
/// conf names `AllowNotReadyContainers` (`GetNewAstsFromGss`).
pub fn effective(set: &GameServerSet) -> Option<Lifecycle> {
    let mut lc = set.spec.lifecycle.clone();
    let allow_not_ready = set
        .spec
        .network
        .as_ref()
        .is_some_and(|n| n.network_conf.iter().any(|p| p.name == ALLOW_NOT_READY_CONTAINERS));
    if allow_not_ready {
        let hook =
            lc.get_or_insert_with(Lifecycle::default).in_place_update.get_or_insert_default();
        hook.labels_handler.insert(NOT_READY_BLOCKER.into(), "true".into());
    }
    lc
}

/// The pod's `lifecycle.apps.kruise.io/state` (empty when unlabelled).
pub fn pod_state(pod: &Pod) -> &str {
    pod.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::LIFECYCLE_STATE))
        .map_or("", String::as_str)
}

/// Why a hook keeps a pod where it is, or `None` when no hook does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookHold {
    /// The lifecycle state it is held in.
    pub state: String,
    /// `true`: waits for these handlers to be removed (PreparingUpdate, PreparingDelete);
    /// `false`: waits for them to be put back (Updated).
    pub until_removed: bool,
    pub handlers: Vec<String>,
}

impl fmt::Display for HookHold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = self.handlers.join(" and ");
        if self.until_removed {
            write!(f, "held by lifecycle hook in {} until {what} is removed", self.state)
        } else {
            write!(f, "held by lifecycle hook in {} until {what} is set again", self.state)
        }
    }
}

/// What holds `pod` in its lifecycle state under `lc`:
/// - `PreparingUpdate`: OpenKruise patches no image while the pod is hooked on `inPlaceUpdate`;
/// - `Updated`: the update is done, and the pod goes `Normal` only once it carries every
///   `inPlaceUpdate` handler again;
/// - `PreparingDelete`: the pod is not deleted while hooked on `preDelete`.
pub fn hold(pod: &Pod, lc: Option<&Lifecycle>) -> Option<HookHold> {
    let lc = lc?;
    let held = |state: &str, until_removed: bool, handlers: Vec<String>| {
        (!handlers.is_empty()).then(|| HookHold { state: state.into(), until_removed, handlers })
    };
    match pod_state(pod) {
        state::PREPARING_UPDATE => {
            held(state::PREPARING_UPDATE, true, lc.in_place_update.as_ref()?.carried(pod))
        }
        state::UPDATED => held(state::UPDATED, false, lc.in_place_update.as_ref()?.missing(pod)),
        state::PREPARING_DELETE => {
            held(state::PREPARING_DELETE, true, lc.pre_delete.as_ref()?.carried(pod))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
