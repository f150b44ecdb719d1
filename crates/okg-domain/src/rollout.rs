//! The rollout verdict of one pod after a bump, from a baseline taken at bump time and what the
//! pod and its GameServer look like now. Pure: the caller reads the objects and the clock.
//!
//! "Confirmed in place" (docs/bump.md): same pod UID and creationTimestamp, the target container
//! restarted (a new container ID, or its restartCount went up) on the image the bump asked for,
//! the other containers' restart counts unchanged, pod IP and node unchanged, GameServer back to
//! `Ready`. Like OpenKruise (`defaultCheckContainersInPlaceUpdateCompleted`), a new imageID is not
//! required: a rollback to the image the node still has, or a re-tag of the same digest, keeps
//! it, and the status image naming the spec image is then what shows the update landed.
use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use serde::Serialize;

use super::image::same_image;
use super::types::GameServer;

mod retrying;
pub use retrying::{DEFAULT_FAIL_AFTER, RetryClock, Retrying};

/// What one container looked like at bump time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerBaseline {
    pub restart_count: i32,
    /// The image in the pod spec.
    pub image: String,
    /// The image the kubelet runs (`status.containerStatuses[].imageID`).
    pub image_id: String,
    /// The container's `containerID`. The kubelet keeps the last container's ID while it waits
    /// to start the next one (a failed pull, a crash-loop back-off), so a new ID means a new
    /// container.
    pub container_id: Option<String>,
    /// The container was running at bump time. One that was not (stuck pulling a bad image,
    /// for example) comes up on the new image without its restart count going up.
    pub running: bool,
}

/// What a pod looked like at bump time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Baseline {
    pub pod: String,
    pub uid: String,
    pub creation_timestamp: Option<String>,
    pub containers: BTreeMap<String, ContainerBaseline>,
    pub ip: Option<String>,
    pub node: Option<String>,
    /// The GameServer's external addresses (`status.networkStatus.externalAddresses`, as
    /// `ip:port,…`): where players connect, which an in-place update keeps. Empty without a
    /// network plugin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external: Vec<String>,
}

impl Baseline {
    /// [`Baseline::from_pod`] with the external addresses of its GameServer (same name) among
    /// `gameservers`.
    pub fn of(pod: &Pod, gameservers: &[GameServer]) -> Option<Baseline> {
        let mut b = Baseline::from_pod(pod)?;
        let gs = gameservers.iter().find(|g| g.metadata.name.as_deref() == Some(b.pod.as_str()));
        b.external = external_of(gs);
        Some(b)
    }

    /// `None` for a pod without a name or UID (not yet created by the API server).
    pub fn from_pod(pod: &Pod) -> Option<Baseline> {
        let name = pod.metadata.name.clone()?;
        let uid = pod.metadata.uid.clone()?;
        let containers = pod
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .map(|c| {
                let st = container_status(pod, &c.name);
                (
                    c.name.clone(),
                    ContainerBaseline {
                        restart_count: st.map(|s| s.restart_count).unwrap_or(0),
                        image: c.image.clone().unwrap_or_default(),
                        image_id: st.map(|s| s.image_id.clone()).unwrap_or_default(),
                        container_id: st.and_then(container_id).map(str::to_string),
                        running: st
                            .and_then(|s| s.state.as_ref())
                            .is_some_and(|s| s.running.is_some()),
                    },
                )
            })
            .collect();
        Some(Baseline {
            pod: name,
            uid,
            creation_timestamp: pod.metadata.creation_timestamp.as_ref().map(|t| t.0.to_string()),
            containers,
            ip: pod_ip(pod),
            node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            external: Vec::new(),
        })
    }
}

/// Why a targeted pod has not started updating.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum WaitReason {
    /// `partition` keeps this many pods on the old revision, this one among them.
    Partition { holds: i32 },
    /// It will update after `ahead` other pods (update priority order and maxUnavailable).
    PriorityOrder { ahead: usize },
    /// Next in order, but `maxUnavailable` pods are unavailable already (`held_by`: each with
    /// why OpenKruise counts it), and OpenKruise starts no available pod until one is back.
    Unavailable { ahead: usize, max_unavailable: i32, held_by: Vec<String> },
    /// Behind `blocked`, the pod OpenKruise's walk stopped at: nothing after it starts, not even
    /// an unavailable pod.
    Behind { ahead: usize, blocked: String },
    /// A lifecycle hook keeps the pod in its lifecycle state (`PreparingUpdate`, `Updated`,
    /// `PreparingDelete`) until its labels or finalizers change.
    LifecycleHook(crate::lifecycle::HookHold),
    /// `rollingUpdate.paused` is set.
    Paused,
    /// Nothing holds it back: the controller has yet to start on it.
    Controller,
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitReason::Partition { holds } => write!(f, "partition holds {holds}"),
            WaitReason::PriorityOrder { ahead: 0 } => write!(f, "next in update order"),
            WaitReason::PriorityOrder { ahead } => write!(f, "{ahead} ahead in update order"),
            WaitReason::Unavailable { max_unavailable, held_by, .. } => {
                // One line per pod: name a few, count the rest (-o json has them all).
                const NAMED: usize = 3;
                let named: Vec<&str> = held_by.iter().take(NAMED).map(String::as_str).collect();
                write!(f, "maxUnavailable {max_unavailable} taken by {}", named.join(", "))?;
                if held_by.len() > NAMED {
                    write!(f, " and {} more", held_by.len() - NAMED)?;
                }
                Ok(())
            }
            WaitReason::Behind { blocked, .. } => {
                write!(f, "behind {blocked}, where the update waits")
            }
            WaitReason::LifecycleHook(h) => write!(f, "{h}"),
            WaitReason::Paused => write!(f, "rollout paused"),
            WaitReason::Controller => write!(f, "for the controller to start"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    content = "message",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FailReason {
    /// ErrImagePull, ImagePullBackOff, InvalidImageName…, with the kubelet's message.
    ImagePull(String),
    /// The target container is in CrashLoopBackOff.
    CrashLoop(String),
    /// Another container restarted too: the game process was interrupted.
    OtherContainerRestarted(String),
    /// Same UID but a different IP or node: not the same running pod.
    Moved(String),
    /// The update did not finish (GameServer not Ready) before the timeout.
    NotReadyInTime,
}

impl fmt::Display for FailReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailReason::ImagePull(m) => write!(f, "image pull failed: {m}"),
            FailReason::CrashLoop(m) => write!(f, "crash loop: {m}"),
            FailReason::OtherContainerRestarted(m) => write!(f, "{m}"),
            FailReason::Moved(m) => write!(f, "{m}"),
            FailReason::NotReadyInTime => write!(f, "not Ready in time"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "verdict",
    content = "reason",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Verdict {
    Waiting(WaitReason),
    Updating,
    InPlace,
    ReCreated,
    /// A pull error or crash loop the kubelet is retrying: FAILED if it lasts (see
    /// [`RetryClock`]).
    Failing(Retrying),
    Failed(FailReason),
    /// Eligible to update, but nothing has happened for too long.
    Stalled(String),
}

impl Verdict {
    /// A verdict that will not change by waiting longer. `Stalled` is not final: the controller may
    /// still pick the pod up; nor is `Failing`: the kubelet's next attempt may succeed.
    pub fn is_final(&self) -> bool {
        matches!(self, Verdict::InPlace | Verdict::ReCreated | Verdict::Failed(_))
    }

    /// The same verdict but for how long a FAILING pod has been retried: what is worth a new
    /// line of output, and what counts as progress of the rollout.
    pub fn same_but_clock(&self, other: &Verdict) -> bool {
        match (self, other) {
            (Verdict::Failing(a), Verdict::Failing(b)) => {
                Retrying { for_secs: b.for_secs, ..a.clone() } == *b
            }
            (a, b) => a == b,
        }
    }

    /// The upper-case word the CLI and the rollout view show.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Waiting(_) => "WAITING",
            Verdict::Updating => "UPDATING",
            Verdict::InPlace => "IN PLACE",
            Verdict::ReCreated => "RE-CREATED",
            Verdict::Failing(_) => "FAILING",
            Verdict::Failed(_) => "FAILED",
            Verdict::Stalled(_) => "STALLED",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Waiting(r) => write!(f, "WAITING ({r})"),
            Verdict::Failing(r) => write!(f, "FAILING ({r})"),
            Verdict::Failed(r) => write!(f, "FAILED ({r})"),
            Verdict::Stalled(r) => write!(f, "STALLED ({r})"),
            v => f.write_str(v.label()),
        }
    }
}

/// Everything the verdict depends on besides the objects: the caller's view of the rollout.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Why the pod is not expected to update yet (from the order prediction on the current set),
    /// `None` when it should be updating now.
    pub hold: Option<WaitReason>,
    /// Set when the pod should be updating but nothing has moved for longer than the stall limit.
    pub stalled_for: Option<std::time::Duration>,
    /// The follow timeout has passed: anything not final becomes a failure, a FAILING pod too.
    pub timed_out: bool,
    /// The hooks OpenKruise holds the set's pods on ([`crate::lifecycle::effective`]).
    pub lifecycle: Option<crate::lifecycle::Lifecycle>,
}

/// Waiting reasons of the kubelet that mean the image cannot be pulled.
const PULL_ERRORS: [&str; 5] = [
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "RegistryUnavailable",
];

/// Pull errors no retry can mend: the reference itself is bad, or the pull policy forbids
/// pulling. They are FAILED at once; the others are retried by the kubelet, so FAILING first.
const PULL_ERRORS_FOR_GOOD: [&str; 2] = ["InvalidImageName", "ErrImageNeverPull"];

/// The verdict for one pod. `pod` / `gs` are `None` when they are gone (mid re-creation).
pub fn verdict(
    baseline: &Baseline,
    pod: Option<&Pod>,
    gs: Option<&GameServer>,
    container: &str,
    target_image: &str,
    ctx: &Context,
) -> Verdict {
    let unfinished = |v: Verdict| -> Verdict {
        if ctx.timed_out {
            match v {
                Verdict::Updating => Verdict::Failed(FailReason::NotReadyInTime),
                Verdict::Waiting(r) => Verdict::Stalled(format!("timed out waiting: {r}")),
                v => v,
            }
        } else {
            v
        }
    };
    let Some(pod) = pod else {
        // Deleted and not yet back: being re-created.
        return unfinished(Verdict::Updating);
    };
    let spec_image = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .find(|c| c.name == container)
        .and_then(|c| c.image.as_deref());
    // A pull error or crash loop only speaks about the target image once the pod runs it; before
    // that it is the old image's trouble (a roll back from a bad tag starts from such a pod).
    if spec_image == Some(target_image)
        && let Some((waiting, f)) = failure(pod, container, target_image)
    {
        if ctx.timed_out || PULL_ERRORS_FOR_GOOD.contains(&waiting) {
            return Verdict::Failed(f);
        }
        return Verdict::Failing(Retrying::seen(waiting, f));
    }
    let same_pod = pod.metadata.uid.as_deref() == Some(baseline.uid.as_str())
        && pod.metadata.creation_timestamp.as_ref().map(|t| t.0.to_string())
            == baseline.creation_timestamp;
    let ready = is_ready(pod, gs);
    if !same_pod {
        // A new pod: re-created, final once it runs the target image and is Ready.
        if pod.metadata.deletion_timestamp.is_none() && spec_image == Some(target_image) && ready {
            return Verdict::ReCreated;
        }
        return unfinished(Verdict::Updating);
    }
    if pod.metadata.deletion_timestamp.is_some() {
        return unfinished(Verdict::Updating);
    }
    let Some(base) = baseline.containers.get(container) else {
        return unfinished(Verdict::Updating);
    };
    let hook = crate::lifecycle::hold(pod, ctx.lifecycle.as_ref());
    if spec_image != Some(target_image) {
        // Not patched yet: either held back, or the controller is getting to it. A hook holds a
        // pod in PreparingUpdate (or PreparingDelete) until its labels or finalizers go: that is
        // someone else's move, not a stall.
        if let Some(h) = hook {
            return unfinished(Verdict::Waiting(WaitReason::LifecycleHook(h)));
        }
        if is_preparing_update(pod, gs) {
            return unfinished(Verdict::Updating);
        }
        if let Some(r) = &ctx.hold {
            return unfinished(Verdict::Waiting(r.clone()));
        }
        if let Some(d) = ctx.stalled_for {
            return Verdict::Stalled(format!(
                "no update started for {}s although nothing holds it back",
                d.as_secs()
            ));
        }
        return unfinished(Verdict::Waiting(WaitReason::Controller));
    }
    let st = container_status(pod, container);
    if !st.is_some_and(|s| restarted(base, s) && runs_target(base, s, target_image)) {
        return unfinished(Verdict::Updating);
    }
    // The target container restarted on the target image in the same pod: check nothing else
    // moved.
    for (name, b) in &baseline.containers {
        if name == container {
            continue;
        }
        if let Some(s) = container_status(pod, name)
            && s.restart_count != b.restart_count
        {
            return Verdict::Failed(FailReason::OtherContainerRestarted(format!(
                "container {name} restarted too ({} → {}): the game process was interrupted",
                b.restart_count, s.restart_count
            )));
        }
    }
    let ip = pod_ip(pod);
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    if ip.is_some() && ip != baseline.ip {
        return Verdict::Failed(FailReason::Moved(format!(
            "pod IP changed ({} → {})",
            baseline.ip.as_deref().unwrap_or("none"),
            ip.as_deref().unwrap_or("none")
        )));
    }
    if node != baseline.node {
        return Verdict::Failed(FailReason::Moved(format!(
            "node changed ({} → {})",
            baseline.node.as_deref().unwrap_or("none"),
            node.as_deref().unwrap_or("none")
        )));
    }
    // Players connect to the external address: an update that lost it is no in-place update for
    // them. While OKG re-reads the network (none reported for a moment) the pod is not done yet.
    let external = external_of(gs);
    if !baseline.external.is_empty() && !external.is_empty() && external != baseline.external {
        return Verdict::Failed(FailReason::Moved(format!(
            "external address changed ({} → {})",
            baseline.external.join(" "),
            external.join(" ")
        )));
    }
    if !baseline.external.is_empty() && external.is_empty() {
        return unfinished(Verdict::Updating);
    }
    // Updated under a hook: the container runs the new image, but OpenKruise keeps the pod out
    // of Normal (and counts it unavailable) until the hook's labels or finalizers are back.
    if let Some(h) = hook {
        return unfinished(Verdict::Waiting(WaitReason::LifecycleHook(h)));
    }
    // The GameServer's state can lag the kubelet: the restarted container itself must be ready.
    let container_ready = st.is_some_and(|s| s.ready);
    if ready && container_ready { Verdict::InPlace } else { unfinished(Verdict::Updating) }
}

/// The container now is not the one of the baseline: a new container ID, a higher restart count,
/// or running when it was not (a waiting container only ever runs again as a new container).
fn restarted(base: &ContainerBaseline, now: &ContainerStatus) -> bool {
    let running_now = now.state.as_ref().is_some_and(|s| s.running.is_some());
    let new_id = container_id(now).is_some_and(|id| Some(id) != base.container_id.as_deref());
    new_id || now.restart_count > base.restart_count || (!base.running && running_now)
}

/// The container runs the target image, judged as OpenKruise judges an in-place update complete
/// (`defaultCheckContainersInPlaceUpdateCompleted`): its imageID differs from the baseline's, or,
/// with the same imageID, the status image is the spec image. An unchanged imageID is no
/// failure: a rollback to an image the node kept (after a failed pull the kubelet still reports
/// the old one) or a re-tag of the same digest cannot change it.
fn runs_target(base: &ContainerBaseline, now: &ContainerStatus, target_image: &str) -> bool {
    let new_image_id = !now.image_id.is_empty() && now.image_id != base.image_id;
    new_image_id || same_image(&now.image, target_image)
}

fn container_id(st: &ContainerStatus) -> Option<&str> {
    st.container_id.as_deref().filter(|id| !id.is_empty())
}

/// Image pull errors and crash loops of the target container, on the pod as it is now, with the
/// kubelet's waiting reason.
fn failure<'p>(pod: &'p Pod, container: &str, target_image: &str) -> Option<(&'p str, FailReason)> {
    let waiting = container_status(pod, container)?.state.as_ref()?.waiting.as_ref()?;
    let reason = waiting.reason.as_deref().unwrap_or_default();
    let message = || {
        let m = waiting.message.clone().unwrap_or_default();
        if m.is_empty() { reason.to_string() } else { format!("{reason}: {m}") }
    };
    // The kubelet's pull messages quote the image (`failed to pull and unpack image "…"`,
    // `Back-off pulling image "…"`). One naming another image is left from before the spec
    // changed: rolled back from a bad tag, the pod shows the bad tag's error until the kubelet
    // syncs it again.
    let other_image = waiting
        .message
        .as_deref()
        .and_then(quoted)
        .is_some_and(|image| !same_image(image, target_image));
    if PULL_ERRORS.contains(&reason) && other_image {
        return None;
    }
    if PULL_ERRORS.contains(&reason) {
        Some((reason, FailReason::ImagePull(message())))
    } else if reason == "CrashLoopBackOff" {
        Some((reason, FailReason::CrashLoop(message())))
    } else {
        None
    }
}

/// The first double-quoted part of a message.
fn quoted(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once('"')?;
    rest.split_once('"').map(|(q, _)| q)
}

/// The GameServer (or, without one, the pod) is Ready.
fn is_ready(pod: &Pod, gs: Option<&GameServer>) -> bool {
    match gs {
        Some(gs) => gs.current_state() == "Ready",
        None => pod
            .status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .any(|c| c.type_ == "Ready" && c.status == "True"),
    }
}

/// OpenKruise has started the in-place update but not yet patched the image.
fn is_preparing_update(pod: &Pod, gs: Option<&GameServer>) -> bool {
    let gs_updating = gs.is_some_and(|g| matches!(g.current_state(), "PreUpdate" | "Updating"));
    let lifecycle = pod
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(super::types::labels::LIFECYCLE_STATE))
        .is_some_and(|s| matches!(s.as_str(), "PreparingUpdate" | "Updating"));
    let condition = pod
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .any(|c| c.type_ == "InPlaceUpdateReady" && c.status == "False");
    gs_updating || lifecycle || condition
}

fn external_of(gs: Option<&GameServer>) -> Vec<String> {
    crate::fleet::network::external_addresses(
        gs.and_then(|g| g.status.as_ref()?.network_status.as_ref()),
    )
}

fn container_status<'a>(pod: &'a Pod, name: &str) -> Option<&'a ContainerStatus> {
    pod.status.as_ref()?.container_statuses.as_ref()?.iter().find(|c| c.name == name)
}

fn pod_ip(pod: &Pod) -> Option<String> {
    pod.status.as_ref().and_then(|s| s.pod_ip.clone()).filter(|ip| !ip.is_empty())
}

/// The pod now against its baseline, for the rollout view's columns (UID, CREATED, RESTARTS,
/// IMAGE ID, IP, NODE: "same", or before → after).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub same_uid: bool,
    pub same_created: bool,
    /// The target container's restartCount, before and now.
    pub restarts: (i32, i32),
    /// The target container's imageID, before and now.
    pub image_id: (String, String),
    pub same_ip: bool,
    pub same_node: bool,
}

impl Comparison {
    pub fn of(baseline: &Baseline, pod: &Pod, container: &str) -> Comparison {
        let base = baseline.containers.get(container);
        let st = container_status(pod, container);
        Comparison {
            same_uid: pod.metadata.uid.as_deref() == Some(baseline.uid.as_str()),
            same_created: pod.metadata.creation_timestamp.as_ref().map(|t| t.0.to_string())
                == baseline.creation_timestamp,
            restarts: (
                base.map(|b| b.restart_count).unwrap_or(0),
                st.map(|s| s.restart_count).unwrap_or(0),
            ),
            image_id: (
                base.map(|b| b.image_id.clone()).unwrap_or_default(),
                st.map(|s| s.image_id.clone()).unwrap_or_default(),
            ),
            same_ip: pod_ip(pod) == baseline.ip,
            same_node: pod.spec.as_ref().and_then(|s| s.node_name.clone()) == baseline.node,
        }
    }

    /// The imageID did not change: worth saying next to an IN PLACE verdict, as the update was
    /// told by the restart and the status image instead (a rollback, or a re-tag of the same
    /// digest).
    pub fn same_image_id(&self) -> bool {
        !self.image_id.1.is_empty() && self.image_id.0 == self.image_id.1
    }

    /// "uid same · restarts 0 → 1 · imageID a1f3… → 9c2e… · ip same · node same"; an unchanged
    /// imageID reads "imageID unchanged (same image digest)".
    pub fn summary(&self) -> String {
        let same = |b: bool| if b { "same" } else { "CHANGED" };
        let short = |id: &str| {
            let hex = id.rsplit(':').next().unwrap_or(id);
            if hex.len() > 8 { format!("{}…", &hex[..8]) } else { hex.to_string() }
        };
        let image_id = if self.same_image_id() {
            "unchanged (same image digest)".to_string()
        } else if self.image_id.0 == self.image_id.1 {
            "none".to_string()
        } else {
            format!("{} → {}", short(&self.image_id.0), short(&self.image_id.1))
        };
        format!(
            "uid {} · restarts {} → {} · imageID {image_id} · ip {} · node {}",
            same(self.same_uid && self.same_created),
            self.restarts.0,
            self.restarts.1,
            same(self.same_ip),
            same(self.same_node)
        )
    }
}

/// Per-verdict counts, for progress bars and summaries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub waiting: usize,
    pub updating: usize,
    pub in_place: usize,
    pub re_created: usize,
    pub failing: usize,
    pub failed: usize,
    pub stalled: usize,
}

impl Counts {
    pub fn of<'a>(verdicts: impl IntoIterator<Item = &'a Verdict>) -> Counts {
        let mut c = Counts::default();
        for v in verdicts {
            match v {
                Verdict::Waiting(_) => c.waiting += 1,
                Verdict::Updating => c.updating += 1,
                Verdict::InPlace => c.in_place += 1,
                Verdict::ReCreated => c.re_created += 1,
                Verdict::Failing(_) => c.failing += 1,
                Verdict::Failed(_) => c.failed += 1,
                Verdict::Stalled(_) => c.stalled += 1,
            }
        }
        c
    }
    pub fn done(&self) -> usize {
        self.in_place + self.re_created + self.failed
    }
}

#[cfg(test)]
mod failing_tests;
#[cfg(test)]
mod hook_tests;
#[cfg(test)]
mod network_tests;
#[cfg(test)]
pub(crate) mod tests;
