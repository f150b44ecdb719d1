//! Planning a bump, pure: from a GameServerSet, its GameServers and pods and a request, the exact
//! JSON Patches to send (each guarded by `test` ops on the values it was planned against), the
//! predicted update order, and the policy verdict. The same plan is shown to the user, sent, and
//! recorded in the audit log.
pub use crate::update_order::{self, PriorityRank, max_unavailable};
use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;
use serde_json::{Value, json};

use super::image::{ImageError, ImageRef};
use super::names;
use super::rollout::WaitReason;
use super::types::{GameServer, GameServerSet, PodUpdatePolicy, labels};

/// Which pods a bump is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Scope {
    /// Change the set's template; every pod updates (partition goes to 0).
    WholeSet,
    /// Change the template but update only N pods first: their updatePriority is raised above all
    /// others and partition = replicas - N.
    Canary(i32),
    /// Only these GameServers, through their `spec.containers` override.
    GameServers(Vec<String>),
    /// Only the servers whose opsState is one of these (`--only-states`): a request, which the
    /// planner turns into a `Canary` of exactly them or into `GameServers` overrides, whichever
    /// the set's policy makes right; a plan never carries it.
    States(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BumpRequest {
    pub container: String,
    pub image: String,
    pub scope: Scope,
    /// A canary may pick Allocated servers (players in a match) when too few others are left.
    pub canary_allocated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ObjectKind {
    GameServerSet,
    GameServer,
    /// Only to put a pod back on its template's image after its override is cleared.
    Pod,
}

/// One JSON Patch for one object.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectPatch {
    pub kind: ObjectKind,
    pub name: String,
    /// The RFC 6902 operations, exactly as sent.
    pub patch: Value,
    /// One line for people: what this patch does.
    pub summary: String,
}

impl ObjectPatch {
    /// "gameserverset/gss-2048", as in the audit log.
    pub fn target(&self) -> String {
        match self.kind {
            ObjectKind::GameServerSet => format!("gameserverset/{}", self.name),
            ObjectKind::GameServer => format!("gameserver/{}", self.name),
            ObjectKind::Pod => format!("pod/{}", self.name),
        }
    }

    pub fn json_patch(&self) -> json_patch::Patch {
        serde_json::from_value(self.patch.clone()).expect("plans build well-formed patches")
    }
}

/// Will the change keep the pods?
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    content = "reason",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Policy {
    InPlace,
    /// Pods will be re-created (new UID, restarted game process, maybe a new IP).
    ReCreate(String),
    /// OKG would not do it, so the console does not send it.
    Refused(String),
}

/// The policy verdict for a template change. A pure image change is always in-place capable; any
/// other change needs a re-creation, which `InPlaceOnly` refuses.
pub fn policy_for(policy: PodUpdatePolicy, image_only: bool) -> Policy {
    match (policy, image_only) {
        (PodUpdatePolicy::ReCreate, _) => Policy::ReCreate(
            "the set's podUpdatePolicy is ReCreate (the default when unset): every updated pod is deleted and created again".into(),
        ),
        (PodUpdatePolicy::InPlaceIfPossible | PodUpdatePolicy::InPlaceOnly, true) => Policy::InPlace,
        (PodUpdatePolicy::InPlaceIfPossible, false) => Policy::ReCreate(
            "the change is not only container images, so InPlaceIfPossible falls back to re-creating pods".into(),
        ),
        (PodUpdatePolicy::InPlaceOnly, false) => Policy::Refused(
            "the set's podUpdatePolicy is InPlaceOnly and the change is not only container images".into(),
        ),
    }
}

/// What the plan expects of one pod.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    content = "detail",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PodAction {
    /// Updates as soon as the change lands.
    UpdateNow,
    /// Targeted, but later (priority order) or held (partition, paused).
    Waiting(WaitReason),
    /// Already runs the new image.
    AlreadyUpdated,
    /// Its GameServer overrides this container (`spec.containers`): OKG keeps that image.
    Overridden(String),
    /// Not part of this bump.
    NotTargeted,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodPlan {
    pub name: String,
    pub ordinal: i64,
    /// As OpenKruise ranks the pod's label (`none`: unlabelled, which goes first).
    pub update_priority: PriorityRank,
    /// The container's image in the pod now.
    pub image: String,
    pub action: PodAction,
    /// The image this plan puts on the pod, when it is targeted.
    pub to_image: Option<String>,
}

/// What a plan does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum PlanKind {
    Bump,
    Continue,
    Rollback,
    /// Remove GameServers' `spec.containers` overrides on purpose.
    ClearOverride,
    /// Put back what a canary raised, template and partition untouched.
    RestorePriorities,
    /// One stage of a staged rollout (`crate::staged_rollout`): a growing canary.
    RolloutStage,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub kind: PlanKind,
    pub namespace: String,
    pub set: String,
    pub container: String,
    /// The template's image before the change (the rollback target).
    pub from_image: String,
    pub to_image: String,
    pub scope: Scope,
    pub replicas: i32,
    pub partition_before: i32,
    pub partition_after: i32,
    pub max_unavailable: i32,
    pub paused: bool,
    pub policy: Policy,
    /// In the order they are sent.
    pub patches: Vec<ObjectPatch>,
    /// Every pod of the set, in predicted update order.
    pub pods: Vec<PodPlan>,
    pub warnings: Vec<String>,
    /// When the plan re-creates pods: what happens to their GameServers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resets: Option<GameServerResets>,
}

impl Plan {
    /// The pods this step is expected to update (now or after others ahead of them).
    pub fn targets(&self) -> Vec<String> {
        self.pods.iter().filter(|p| p.to_image.is_some()).map(|p| p.name.clone()).collect()
    }

    /// The canary's raises, as (GameServer, priority): the GameServer patches sent before the
    /// set's, which must reach the pods' labels before the set is patched.
    pub fn canary_raises(&self) -> Vec<(String, i64)> {
        let raises = match self.kind {
            PlanKind::Bump => matches!(self.scope, Scope::Canary(_)),
            PlanKind::RolloutStage => true,
            _ => false,
        };
        if !raises {
            return Vec::new();
        }
        self.patches
            .iter()
            .take_while(|p| p.kind == ObjectKind::GameServer)
            .filter_map(|p| {
                let ops = p.patch.as_array()?;
                let value = ops.iter().find_map(|op| {
                    let sets = matches!(op.get("op")?.as_str()?, "add" | "replace");
                    (sets && op.get("path")? == "/spec/updatePriority")
                        .then(|| op.get("value")?.as_i64())?
                })?;
                Some((p.name.clone(), value))
            })
            .collect()
    }

    pub fn recreates(&self) -> bool {
        matches!(self.policy, Policy::ReCreate(_))
    }
}

/// A plan that only flips a rollout switch (pause / resume).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SwitchPlan {
    pub namespace: String,
    pub set: String,
    /// "pause" or "resume".
    pub action: String,
    pub patches: Vec<ObjectPatch>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the set {set} has no container {container:?}; its containers are: {}", known.join(", "))]
    UnknownContainer { set: String, container: String, known: Vec<String> },
    #[error("bad image reference: {0}")]
    BadImage(#[from] ImageError),
    #[error(
        "the image {image:?} names no tag or digest (that means :latest, which cannot be told apart from the running image): add :TAG or @sha256:…"
    )]
    Unpinned { image: String },
    #[error("{what} already uses {image}: nothing to change")]
    Unchanged { what: String, image: String },
    #[error("a canary of {n} is not possible for {replicas} replicas: {why}")]
    BadCanary { n: i32, replicas: i32, why: String },
    #[error("no GameServers named: pass --gameservers NAME[,NAME…]")]
    NoGameServers,
    #[error("GameServers not in set {set}: {}; the set has: {}", unknown.join(", "), known.join(", "))]
    UnknownGameServers { set: String, unknown: Vec<String>, known: Vec<String> },
    #[error("pod {pod} has no GameServer, so its update priority cannot be raised")]
    MissingGameServer { pod: String },
    #[error("the set {set} has partition 0: there is no canary to continue")]
    NothingToContinue { set: String },
    #[error("no GameServer of {set} carries a priority a canary raised: nothing to put back")]
    NothingToRestore { set: String },
    #[error("the set {set} is {}", if *paused { "already paused" } else { "not paused" })]
    AlreadySwitched { set: String, paused: bool },
    #[error("--only-states {given}: {why}")]
    BadStates { given: String, why: String },
    #[error("{set}: {why}")]
    StageMismatch { set: String, why: String },
    #[error("the previous plan was for set {planned}, not {set}")]
    WrongSet { planned: String, set: String },
}

/// The inputs every plan reads, filtered to one set.
struct SetView<'a> {
    gss: &'a GameServerSet,
    name: String,
    namespace: String,
    gameservers: BTreeMap<String, &'a GameServer>,
    pods: Vec<&'a Pod>,
}

impl<'a> SetView<'a> {
    fn new(gss: &'a GameServerSet, gameservers: &'a [GameServer], pods: &'a [Pod]) -> Self {
        let name = gss.metadata.name.clone().unwrap_or_default();
        let owned = |l: Option<&BTreeMap<String, String>>| {
            l.and_then(|l| l.get(labels::OWNER_GSS)).is_some_and(|o| *o == name)
        };
        let mut pods: Vec<&Pod> =
            pods.iter().filter(|p| owned(p.metadata.labels.as_ref())).collect();
        pods.sort_by_key(|p| names::ordinal(&name, p.metadata.name.as_deref().unwrap_or_default()));
        SetView {
            gss,
            namespace: gss.metadata.namespace.clone().unwrap_or_else(|| "default".into()),
            gameservers: gameservers
                .iter()
                .filter(|g| g.owner_set() == Some(name.as_str()))
                .filter_map(|g| Some((g.metadata.name.clone()?, g)))
                .collect(),
            pods,
            name,
        }
    }

    fn container_index(&self, container: &str) -> Result<(usize, String), PlanError> {
        let images = self.gss.template_images();
        images
            .iter()
            .position(|(n, _)| n == container)
            .map(|i| (i, images[i].1.clone()))
            .ok_or_else(|| PlanError::UnknownContainer {
                set: self.name.clone(),
                container: container.to_string(),
                known: images.iter().map(|(n, _)| n.clone()).collect(),
            })
    }

    /// The pods as the order prediction needs them, ranked as in a set that has (`ranked`) or
    /// lacks `rollingUpdate` once the plan's patch is applied ([`update_order::set_rank`]).
    fn pod_states(&self, container: &str, ranked: bool) -> Vec<UpdateCandidate> {
        self.pods
            .iter()
            .map(|p| {
                let gs = p.metadata.name.as_ref().and_then(|n| self.gameservers.get(n)).copied();
                update_candidate(
                    &self.name,
                    p,
                    gs,
                    container,
                    ranked,
                    self.gss.min_ready_seconds(),
                    None,
                )
            })
            .collect()
    }

    fn rollout(&self) -> RolloutParams {
        let replicas = self.gss.replicas();
        RolloutParams {
            replicas,
            partition: self.gss.partition(),
            max_unavailable: max_unavailable(
                self.gss.rolling_update().and_then(|r| r.max_unavailable.as_ref()),
                replicas,
            ),
            paused: self.gss.paused(),
        }
    }

    /// A plan of `kind` with the set's rollout numbers as they are now: partition unchanged, in
    /// place, nothing re-created. The planners fill in what they change.
    fn plan(&self, kind: PlanKind, container: &str, from: &str, to: &str, scope: Scope) -> Plan {
        let rollout = self.rollout();
        Plan {
            kind,
            namespace: self.namespace.clone(),
            set: self.name.clone(),
            container: container.to_string(),
            from_image: from.to_string(),
            to_image: to.to_string(),
            scope,
            replicas: rollout.replicas,
            partition_before: rollout.partition,
            partition_after: rollout.partition,
            max_unavailable: rollout.max_unavailable,
            paused: rollout.paused,
            policy: Policy::InPlace,
            patches: Vec::new(),
            pods: Vec::new(),
            warnings: Vec::new(),
            resets: None,
        }
    }

    /// OKG forces the Advanced StatefulSet to RollingUpdate whenever `rollingUpdate` is set
    /// (kruise-game `GetNewAstsFromGss`), so `type: OnDelete` counts only without it.
    fn is_on_delete(&self) -> bool {
        let strategy = self.gss.spec.update_strategy.as_ref();
        strategy.and_then(|s| s.type_.as_deref()) == Some("OnDelete")
            && strategy.is_some_and(|s| s.rolling_update.is_none())
    }
}

/// The pod's Ready condition is True.
pub fn is_pod_ready(pod: &Pod) -> bool {
    pod.status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

fn pod_image(pod: &Pod, container: &str) -> Option<String> {
    pod.spec.as_ref()?.containers.iter().find(|c| c.name == container)?.image.clone()
}

fn override_image(gs: &GameServer, container: &str) -> Option<String> {
    gs.spec.containers.as_ref()?.iter().find(|c| c.name == container)?.image.clone()
}

fn validate_image(image: &str) -> Result<(), PlanError> {
    let r = ImageRef::parse(image)?;
    if !r.is_pinned() {
        return Err(PlanError::Unpinned { image: image.to_string() });
    }
    Ok(())
}

/// Plan a bump. `gameservers` and `pods` may include other sets' objects; they are filtered.
pub fn plan_bump(
    gss: &GameServerSet,
    gameservers: &[GameServer],
    pods: &[Pod],
    req: &BumpRequest,
) -> Result<Plan, PlanError> {
    let view = SetView::new(gss, gameservers, pods);
    let (index, from) = view.container_index(&req.container)?;
    validate_image(&req.image)?;
    match &req.scope {
        Scope::GameServers(names) => {
            let pin = |n: &String| (n.clone(), OverrideChange::Pin(req.image.clone()));
            plan_overrides(
                &view,
                &req.container,
                &from,
                names.iter().map(pin).collect(),
                PlanKind::Bump,
            )
        }
        Scope::States(states) => states::plan_states(&view, index, req, &from, states),
        scope => {
            let pick = Pick::Idle { allow_allocated: req.canary_allocated };
            plan_template(
                &view,
                index,
                &req.container,
                &from,
                &req.image,
                scope,
                &pick,
                PlanKind::Bump,
            )
        }
    }
}

mod patch_ops;
mod predict;
use patch_ops::*;
pub use predict::{
    RolloutParams, UpdateCandidate, predict_order, predict_order_on, update_candidate,
};
mod resets;
mod states;
mod template;
pub use resets::GameServerResets;
use template::{Pick, plan_template, resets_warned};
mod clear;
mod hooks;
mod picks;
mod priority_notes;
mod priority_record;
pub use priority_record::{RAISED_PRIORITY_ANNOTATION, RaisedPriority, raised, raised_to};
mod stage;
mod steps;
mod touched;
pub use clear::{OverrideChange, plan_clear_overrides};
pub use stage::{
    Candidates, plan_rollout_finish, plan_rollout_switch, plan_rollout_undo, plan_stage,
    record_patch, rollout_candidates,
};
use steps::plan_overrides;
pub use steps::*;

#[cfg(test)]
mod tests;

/// Whether every `test` op of `patch` still holds against `object`. A server that refuses a patch
/// with 422 does not always say which op failed; this tells a changed object (a conflict) from a
/// patch the server found invalid.
pub fn test_ops_hold(patch: &Value, object: &Value) -> bool {
    let Some(ops) = patch.as_array() else { return false };
    let tests: Vec<Value> = ops
        .iter()
        .filter(|op| op.get("op").and_then(Value::as_str) == Some("test"))
        .cloned()
        .collect();
    let Ok(tests) = serde_json::from_value::<json_patch::Patch>(Value::Array(tests)) else {
        return false;
    };
    let mut scratch = object.clone();
    json_patch::patch(&mut scratch, &tests).is_ok()
}
