//! The bump operation, shared by the TUI and `okg bump`: read → plan → (the caller confirms) →
//! apply → follow. Progress goes out on an mpsc channel as [`BumpEvent`]s, so the same code
//! drives a progress bar or printed lines.
//!
//! The TUI calls, in order:
//! - [`plan`] (or [`plan_switch`] for pause / resume) and [`preflight`] for RBAC, then shows the
//!   plan and asks;
//! - [`apply`] (or [`apply_switch`]), which re-reads and refuses with [`BumpError::Conflict`] when
//!   the cluster no longer matches the plan; nothing is retried behind the user's back;
//! - [`follow`] with the returned [`Applied`] until every targeted pod has a final verdict.
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams};
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::cluster::access::{self, ApiAction, Permission};
use crate::cluster::client::describe;
use crate::cluster::writer::Writer;
use crate::ops::audit::{AuditLog, AuditRecord};
use okg_domain::bump_plan::{
    self, BumpRequest, ObjectKind, ObjectPatch, Plan, PlanError, PlanKind, PodAction, Policy,
    RolloutParams, Scope, SwitchPlan,
};
use okg_domain::rollout::{self, Baseline, Comparison, Counts, Verdict, WaitReason};
use okg_domain::staged_rollout::RolloutRecord;
use okg_domain::types::{GameServer, GameServerSet, labels};

/// What the user asked for, in a form that can be planned again at apply time.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Bump {
        set: String,
        request: BumpRequest,
    },
    /// Lower the partition by `step` pods (to 0 when `None`).
    Continue {
        set: String,
        container: String,
        step: Option<i32>,
    },
    /// Undo `previous` (a bump plan).
    Rollback {
        previous: Box<Plan>,
    },
    /// Remove these GameServers' `spec.containers` overrides of `container` and put their pods
    /// back on the template's image.
    ClearOverride {
        set: String,
        container: String,
        gameservers: Vec<String>,
    },
    /// Put back the update priorities a canary raised (abandon it where it stands, or clean up
    /// after an interrupted run). `container` only names the template image the plan shows.
    RestorePriorities {
        set: String,
        container: String,
    },
    /// A move of a staged rollout (`ops::staged_rollout`), planned from its record.
    Rollout {
        set: String,
        step: Box<RolloutStep>,
    },
}

/// What a staged rollout sends, each planned from the run's record as it will be written.
#[derive(Clone, Debug, PartialEq)]
pub enum RolloutStep {
    /// Apply the record's current stage.
    Stage(RolloutRecord),
    /// Put the priorities back and mark the run done.
    Finish(RolloutRecord),
    /// Template back, priorities back, run marked rolled back (with why, when automatic).
    Undo(RolloutRecord, Option<String>),
}

impl RolloutStep {
    fn action(&self) -> &'static str {
        match self {
            RolloutStep::Stage(_) => "rollout-stage",
            RolloutStep::Finish(_) => "rollout-finish",
            RolloutStep::Undo(..) => "rollout-undo",
        }
    }
}

impl Step {
    fn set(&self) -> &str {
        match self {
            Step::Bump { set, .. }
            | Step::Continue { set, .. }
            | Step::ClearOverride { set, .. }
            | Step::RestorePriorities { set, .. }
            | Step::Rollout { set, .. } => set,
            Step::Rollback { previous } => &previous.set,
        }
    }
}

/// Where and as whom an operation writes. `writer` is `None` in read-only mode.
#[derive(Clone)]
pub struct OpsContext {
    pub client: kube::Client,
    pub writer: Option<Writer>,
    pub namespace: String,
    /// The kubeconfig context, for the audit log.
    pub context: String,
    pub audit: AuditLog,
    /// Cancelled on shutdown: a canary still waiting to patch its set stops, and puts back the
    /// priorities it raised.
    pub cancel: CancellationToken,
    /// How the follows of this context see the set: the console's fleet watches, or their own.
    pub feed: FeedSource,
}

/// Progress of an operation.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum BumpEvent {
    /// A patch is about to be sent.
    Sending { target: String, summary: String },
    /// The API server accepted it.
    Sent { target: String },
    /// Something worth telling the user (waiting for OKG to copy priorities, an audit problem…).
    Note { message: String },
    /// A pod's verdict changed. `detail` compares the pod with its baseline (absent while the
    /// pod is gone).
    Verdict { pod: String, verdict: Verdict, detail: Option<Comparison> },
    /// Counts over the targeted pods, after every change.
    Counts { counts: Counts, targets: usize },
    /// A Kubernetes event that explains a failure.
    PodEvent { pod: String, reason: String, message: String },
}

#[derive(Debug, thiserror::Error)]
pub enum BumpError {
    #[error("GameServerSet {set} not found in namespace {namespace}")]
    NotFound { set: String, namespace: String },
    #[error("cannot read {what}: {error}")]
    Read { what: String, error: String },
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("read-only session: nothing was sent")]
    ReadOnly,
    #[error("refused: {0}")]
    Refused(String),
    #[error(
        "conflict on {target}: {detail}. Someone changed it since the plan was made; {}review the new plan and confirm again",
        applied_note(applied)
    )]
    Conflict { target: String, detail: String, applied: Vec<String>, not_sent: Vec<String> },
    #[error(
        "writing {target} failed: {error}. {}{}",
        applied_note(applied),
        not_sent_note(not_sent)
    )]
    Write { target: String, error: String, applied: Vec<String>, not_sent: Vec<String> },
}

impl BumpError {
    /// The patches that did land before the error (for "exactly what was applied").
    pub fn applied(&self) -> &[String] {
        match self {
            BumpError::Conflict { applied, .. } | BumpError::Write { applied, .. } => applied,
            _ => &[],
        }
    }
}

fn applied_note(applied: &[String]) -> String {
    if applied.is_empty() {
        "nothing was applied; ".into()
    } else {
        format!("ALREADY APPLIED: {}; ", applied.join(", "))
    }
}

fn not_sent_note(not_sent: &[String]) -> String {
    if not_sent.is_empty() { String::new() } else { format!("not sent: {}", not_sent.join(", ")) }
}

/// The objects one set's plans are built from.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub gss: GameServerSet,
    pub gameservers: Vec<GameServer>,
    pub pods: Vec<Pod>,
}

/// Read a set with its GameServers and pods.
pub async fn read_set(
    client: &kube::Client,
    namespace: &str,
    set: &str,
) -> Result<Snapshot, BumpError> {
    let read_err = |what: &str, e: kube::Error| BumpError::Read {
        what: what.to_string(),
        error: describe(&e),
    };
    let gss = match Api::<GameServerSet>::namespaced(client.clone(), namespace).get(set).await {
        Ok(g) => g,
        Err(kube::Error::Api(s)) if s.code == 404 => {
            return Err(BumpError::NotFound {
                set: set.to_string(),
                namespace: namespace.to_string(),
            });
        }
        Err(e) => return Err(read_err(&format!("gameserverset {set}"), e)),
    };
    let lp = ListParams::default().labels(&format!("{}={set}", labels::OWNER_GSS));
    let gameservers = Api::<GameServer>::namespaced(client.clone(), namespace)
        .list(&lp)
        .await
        .map_err(|e| read_err("gameservers", e))?
        .items;
    let pods = Api::<Pod>::namespaced(client.clone(), namespace)
        .list(&lp)
        .await
        .map_err(|e| read_err("pods", e))?
        .items;
    Ok(Snapshot { gss, gameservers, pods })
}

fn plan_from(snapshot: &Snapshot, step: &Step) -> Result<Plan, PlanError> {
    let Snapshot { gss, gameservers, pods } = snapshot;
    match step {
        Step::Bump { request, .. } => bump_plan::plan_bump(gss, gameservers, pods, request),
        Step::Continue { container, step, .. } => {
            bump_plan::plan_continue(gss, gameservers, pods, container, *step)
        }
        Step::Rollback { previous } => bump_plan::plan_rollback(gss, gameservers, pods, previous),
        Step::ClearOverride { container, gameservers: names, .. } => {
            bump_plan::plan_clear_overrides(gss, gameservers, pods, container, names)
        }
        Step::RestorePriorities { container, .. } => {
            bump_plan::plan_restore_priorities(gss, gameservers, pods, container)
        }
        Step::Rollout { step, .. } => match step.as_ref() {
            RolloutStep::Stage(r) => bump_plan::plan_stage(gss, gameservers, pods, r).map(|p| p.0),
            RolloutStep::Finish(r) => bump_plan::plan_rollout_finish(gss, gameservers, pods, r),
            RolloutStep::Undo(r, why) => {
                bump_plan::plan_rollout_undo(gss, gameservers, pods, r, why.clone())
            }
        },
    }
}

/// Read the set and plan the step. Sends nothing that mutates.
pub async fn plan(client: &kube::Client, namespace: &str, step: &Step) -> Result<Plan, BumpError> {
    let snapshot = read_set(client, namespace, step.set()).await?;
    let mut plan = plan_from(&snapshot, step)?;
    asts::note_unreadable(client, &mut plan).await;
    Ok(plan)
}

/// Plan pausing (`true`) or resuming a set's rollout.
pub async fn plan_switch(
    client: &kube::Client,
    namespace: &str,
    set: &str,
    paused: bool,
) -> Result<SwitchPlan, BumpError> {
    let snapshot = read_set(client, namespace, set).await?;
    Ok(bump_plan::plan_pause(&snapshot.gss, paused)?)
}

/// RBAC for the patches of a plan (SelfSubjectAccessReview). Do not call in read-only mode: the
/// review is a POST, and a read-only session sends none.
pub async fn preflight(
    client: &kube::Client,
    namespace: &str,
    patches: &[ObjectPatch],
) -> Vec<(ApiAction, Permission)> {
    let mut actions = Vec::new();
    for p in patches {
        let a = match p.kind {
            ObjectKind::GameServerSet => ApiAction::PatchGameServerSets,
            ObjectKind::GameServer => ApiAction::PatchGameServers,
            ObjectKind::Pod => ApiAction::PatchPods,
        };
        if !actions.contains(&a) {
            actions.push(a);
        }
    }
    let mut out = Vec::new();
    for a in actions {
        out.push((a, access::can_i(client, a, Some(namespace)).await));
    }
    out
}

/// What [`apply`] did: the plan as sent and every pod's baseline taken just before.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    pub plan: Plan,
    pub baselines: Vec<Baseline>,
    /// The targets of the patches that were sent, in order.
    pub sent: Vec<String>,
    pub user: String,
    #[serde(skip)]
    pub started: Instant,
}

/// Apply a confirmed plan. Re-reads the set first: if the plan made now differs from the one the
/// user confirmed, nothing is sent and the answer is a `Conflict` (ask again with the new plan).
/// The patches carry `test` ops, so a change in the last moment is caught by the API server (422)
/// and reported the same way; a 409 too. Never retries a write.
pub async fn apply(
    ctx: &OpsContext,
    confirmed: &Plan,
    step: &Step,
    tx: &mpsc::Sender<BumpEvent>,
) -> Result<Applied, BumpError> {
    let Some(writer) = &ctx.writer else {
        return Err(BumpError::ReadOnly);
    };
    if let Policy::Refused(why) = &confirmed.policy {
        return Err(BumpError::Refused(why.clone()));
    }
    let snapshot = read_set(&ctx.client, &ctx.namespace, step.set()).await?;
    let fresh = plan_from(&snapshot, step).map_err(|e| BumpError::Conflict {
        target: format!("gameserverset/{}", confirmed.set),
        detail: format!("the plan no longer holds ({e})"),
        applied: vec![],
        not_sent: confirmed.patches.iter().map(ObjectPatch::target).collect(),
    })?;
    if let Some((target, detail)) = plan_difference(confirmed, &fresh) {
        return Err(BumpError::Conflict {
            target,
            detail,
            applied: vec![],
            not_sent: confirmed.patches.iter().map(ObjectPatch::target).collect(),
        });
    }
    let baselines: Vec<Baseline> =
        snapshot.pods.iter().filter_map(|p| Baseline::of(p, &snapshot.gameservers)).collect();
    let user = access::who_am_i(&ctx.client).await;
    let action = match (confirmed.kind, &confirmed.scope) {
        _ if let Step::Rollout { step, .. } = step => step.action(),
        (PlanKind::Bump, Scope::Canary(_)) => "bump-canary",
        (PlanKind::Bump, Scope::GameServers(_)) => "bump-gameservers",
        // A plan never carries the `States` request: the planner turned it into one of these.
        (PlanKind::Bump, Scope::WholeSet | Scope::States(_)) => "bump",
        (PlanKind::Continue, _) => "continue-canary",
        (PlanKind::Rollback, _) => "rollback",
        (PlanKind::ClearOverride, _) => "clear-override",
        (PlanKind::RestorePriorities, _) => RESTORE_ACTION,
        (PlanKind::RolloutStage, _) => "rollout-stage",
    };
    let started = Instant::now();
    let mut sent = Vec::new();
    let patches = &confirmed.patches;
    let raises = confirmed.canary_raises();
    for (i, patch) in patches.iter().enumerate() {
        // A canary's set patch waits until OKG has copied the raised priorities to the pods,
        // or OpenKruise might start with other pods.
        if patch.kind == ObjectKind::GameServerSet
            && !raises.is_empty()
            && let Err(why) = wait_for_priorities(ctx, &confirmed.set, &raises, tx).await
        {
            let undone = undo_raises(ctx, writer, &user, confirmed, &raises, &sent, tx).await;
            return Err(BumpError::Write {
                target: patch.target(),
                error: format!("{why}; {undone}"),
                applied: sent,
                not_sent: patches[i..].iter().map(ObjectPatch::target).collect(),
            });
        }
        let _ = tx
            .send(BumpEvent::Sending { target: patch.target(), summary: patch.summary.clone() })
            .await;
        let result = send_patch(writer, &ctx.namespace, patch).await;
        let outcome = match &result {
            Ok(()) => serde_json::json!("ok"),
            Err(f) => serde_json::json!(f.detail),
        };
        audit(ctx, &user, action, patch, outcome, tx).await;
        match result {
            Ok(()) => {
                sent.push(patch.target());
                let _ = tx.send(BumpEvent::Sent { target: patch.target() }).await;
            }
            Err(e) => {
                let not_sent = patches[i + 1..].iter().map(ObjectPatch::target).collect();
                // Raised priorities on a set that was never patched would only skew the next
                // rollout: take them back before saying what failed.
                let mut detail = e.detail;
                let set_sent = sent.iter().any(|t| t.starts_with("gameserverset/"));
                if !set_sent && !raises.is_empty() && !sent.is_empty() {
                    let undone =
                        undo_raises(ctx, writer, &user, confirmed, &raises, &sent, tx).await;
                    detail = format!("{detail}; {undone}");
                }
                return Err(if e.conflict {
                    BumpError::Conflict { target: patch.target(), detail, applied: sent, not_sent }
                } else {
                    BumpError::Write {
                        target: patch.target(),
                        error: detail,
                        applied: sent,
                        not_sent,
                    }
                });
            }
        }
    }
    Ok(Applied { plan: confirmed.clone(), baselines, sent, user, started })
}

/// Apply a pause / resume plan (one guarded patch, audited).
pub async fn apply_switch(
    ctx: &OpsContext,
    plan: &SwitchPlan,
    tx: &mpsc::Sender<BumpEvent>,
) -> Result<(), BumpError> {
    let Some(writer) = &ctx.writer else {
        return Err(BumpError::ReadOnly);
    };
    let user = access::who_am_i(&ctx.client).await;
    send_in_order(ctx, writer, &user, &plan.action, &plan.patches, tx).await.map(drop)
}

/// A progress sender whose events nobody reads (a caller that only wants the outcome); the
/// drain ends when the last sender is dropped.
pub fn discard_events() -> mpsc::Sender<BumpEvent> {
    let (tx, mut rx) = mpsc::channel(64);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    tx
}

/// Send independent patches in order, each audited with its outcome; stops at the first refusal
/// and says what landed and what was not sent. Returns the targets sent.
pub(crate) async fn send_in_order(
    ctx: &OpsContext,
    writer: &Writer,
    user: &str,
    action: &str,
    patches: &[ObjectPatch],
    tx: &mpsc::Sender<BumpEvent>,
) -> Result<Vec<String>, BumpError> {
    let mut sent = Vec::new();
    for (i, patch) in patches.iter().enumerate() {
        let _ = tx
            .send(BumpEvent::Sending { target: patch.target(), summary: patch.summary.clone() })
            .await;
        let result = send_patch(writer, &ctx.namespace, patch).await;
        let outcome = match &result {
            Ok(()) => serde_json::json!("ok"),
            Err(f) if f.conflict => serde_json::json!(format!("conflict: {}", f.detail)),
            Err(f) => serde_json::json!(f.detail),
        };
        audit(ctx, user, action, patch, outcome, tx).await;
        if let Err(e) = result {
            let not_sent = patches[i + 1..].iter().map(ObjectPatch::target).collect();
            let (target, detail) = (patch.target(), e.detail);
            return Err(if e.conflict {
                BumpError::Conflict { target, detail, applied: sent, not_sent }
            } else {
                BumpError::Write { target, error: detail, applied: sent, not_sent }
            });
        }
        sent.push(patch.target());
        let _ = tx.send(BumpEvent::Sent { target: patch.target() }).await;
    }
    Ok(sent)
}

async fn send_patch(
    writer: &Writer,
    namespace: &str,
    patch: &ObjectPatch,
) -> Result<(), WriteFailure> {
    let result = match patch.kind {
        ObjectKind::GameServerSet => {
            writer.patch_game_server_set(namespace, &patch.name, patch.json_patch()).await.map(drop)
        }
        ObjectKind::GameServer => {
            writer.patch_game_server(namespace, &patch.name, patch.json_patch()).await.map(drop)
        }
        ObjectKind::Pod => {
            writer.patch_pod(namespace, &patch.name, patch.json_patch()).await.map(drop)
        }
    };
    let Err(e) = result else { return Ok(()) };
    let conflict = match &e {
        kube::Error::Api(s) if s.code == 409 => true,
        // A real kube-apiserver answers a failed `test` op with a bare 422 that does not say
        // which op failed, so look at the object again: if our test ops no longer hold, someone
        // changed it; otherwise the 422 is a genuine validation error.
        kube::Error::Api(s) if s.code == 422 => {
            match read_object(writer.client(), namespace, patch).await {
                Some(current) => !bump_plan::test_ops_hold(&patch.patch, &current),
                None => false,
            }
        }
        _ => false,
    };
    let detail = match &e {
        kube::Error::Api(s) if conflict && s.code == 422 => {
            format!("a test op failed, the object changed (422: {})", s.message)
        }
        kube::Error::Api(s) if s.code == 409 => format!("409 Conflict: {}", s.message),
        kube::Error::Api(s) if s.code == 403 => format!("forbidden: {}", s.message),
        e => describe(e),
    };
    Err(WriteFailure { conflict, detail })
}

/// A write that failed: whether the object changed under us (a conflict the user must see a new
/// plan for) or something else, and what to tell them.
struct WriteFailure {
    conflict: bool,
    detail: String,
}

async fn read_object(
    client: &kube::Client,
    namespace: &str,
    patch: &ObjectPatch,
) -> Option<serde_json::Value> {
    match patch.kind {
        ObjectKind::GameServerSet => {
            let api: Api<GameServerSet> = Api::namespaced(client.clone(), namespace);
            serde_json::to_value(api.get(&patch.name).await.ok()?).ok()
        }
        ObjectKind::GameServer => {
            let api: Api<GameServer> = Api::namespaced(client.clone(), namespace);
            serde_json::to_value(api.get(&patch.name).await.ok()?).ok()
        }
        ObjectKind::Pod => {
            let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
            serde_json::to_value(api.get(&patch.name).await.ok()?).ok()
        }
    }
}

async fn audit(
    ctx: &OpsContext,
    user: &str,
    action: &str,
    patch: &ObjectPatch,
    outcome: serde_json::Value,
    tx: &mpsc::Sender<BumpEvent>,
) {
    let record = AuditRecord {
        time: AuditRecord::now_rfc3339(),
        user: user.to_string(),
        context: ctx.context.clone(),
        namespace: ctx.namespace.clone(),
        target: patch.target(),
        action: action.to_string(),
        request: patch.patch.clone(),
        outcome,
    };
    if let Err(e) = ctx.audit.record(&record) {
        let message = format!("cannot write the audit log {}: {e}", ctx.audit.path().display());
        tracing::error!("{message}");
        let _ = tx.send(BumpEvent::Note { message }).await;
    }
}

/// Wait (bounded) until the canary pods carry their raised priority label, as the set's
/// watch-fed view shows them (no read per attempt).
async fn wait_for_priorities(
    ctx: &OpsContext,
    set: &str,
    raises: &[(String, i64)],
    tx: &mpsc::Sender<BumpEvent>,
) -> Result<(), String> {
    let wanted: BTreeMap<&str, String> =
        raises.iter().map(|(name, value)| (name.as_str(), value.to_string())).collect();
    let _ = tx
        .send(BumpEvent::Note {
            message: "waiting for OKG to copy the canary priorities to the pods".into(),
        })
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut feed = SetFeed::open(&ctx.client, &ctx.namespace, set, &ctx.feed);
    loop {
        let pods = feed.look().snapshot.map(|s| s.pods).unwrap_or_default();
        let mut missing = Vec::new();
        for (name, value) in &wanted {
            let label = pods
                .iter()
                .find(|p| p.metadata.name.as_deref() == Some(*name))
                .and_then(|p| p.metadata.labels.as_ref()?.get(labels::GS_UPDATE_PRIORITY).cloned());
            if label.as_deref() != Some(value.as_str()) {
                missing.push(*name);
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "OKG did not copy the raised updatePriority to pods {} within 20s, so the set was not changed (OpenKruise could have updated other pods first)",
                missing.join(", ")
            ));
        }
        tokio::select! {
            _ = feed.changed() => {}
            _ = tokio::time::sleep_until(deadline) => {}
            _ = ctx.cancel.cancelled() => {
                return Err("cancelled while waiting for OKG to copy the raised priorities, so the set was not changed".into());
            }
        }
    }
}

/// The audit action of putting raised priorities back.
const RESTORE_ACTION: &str = "restore-priorities";

/// Put back what a canary raised when its set patch was never sent. Reads the GameServers again
/// (the restores `test` the record and the raised value, so nothing someone changed since is
/// overwritten) and sends the restores audited as `restore-priorities`. Returns what to tell the
/// user: that they were put back, or exactly what was left and the command that puts it back.
async fn undo_raises(
    ctx: &OpsContext,
    writer: &Writer,
    user: &str,
    plan: &Plan,
    raises: &[(String, i64)],
    sent: &[String],
    tx: &mpsc::Sender<BumpEvent>,
) -> String {
    let raised: Vec<String> = raises
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| sent.contains(&format!("gameserver/{n}")))
        .collect();
    let command = format!(
        "okg bump {} --container {} --restore-priorities -n {}",
        plan.set, plan.container, ctx.namespace
    );
    let left = |why: String| {
        format!(
            "the raised updatePriority is LEFT on {} ({why}); put it back with: {command}",
            raised.join(", ")
        )
    };
    let restore = async {
        let snapshot = read_set(&ctx.client, &ctx.namespace, &plan.set).await?;
        let Snapshot { gss, gameservers, pods } = &snapshot;
        let mut restore =
            bump_plan::plan_restore_priorities(gss, gameservers, pods, &plan.container)?;
        // Only this run's raises: another console's canary on the same set is not ours to end.
        restore.patches.retain(|p| raised.contains(&p.name));
        restore.warnings.retain(|w| raised.iter().any(|n| w.starts_with(&format!("{n}:"))));
        send_in_order(ctx, writer, user, RESTORE_ACTION, &restore.patches, tx).await?;
        Ok::<_, BumpError>(restore.warnings)
    };
    // Bounded: a shutdown's grace period must still see the outcome printed.
    match tokio::time::timeout(Duration::from_secs(5), restore).await {
        Ok(Ok(warnings)) if warnings.is_empty() => {
            format!("the raised updatePriority of {} was put back", raised.join(", "))
        }
        Ok(Ok(warnings)) => {
            format!("the raised priorities were put back except: {}", warnings.join("; "))
        }
        Ok(Err(BumpError::Plan(PlanError::NothingToRestore { .. }))) => {
            "no raised priority was left to put back".into()
        }
        Ok(Err(e)) => left(e.to_string()),
        Err(_) => left("the API server did not answer within 5s".into()),
    }
}

mod asts;
pub use asts::{AstsRead, read_asts};
mod difference;
use difference::plan_difference;
mod feed;
pub use feed::{FeedSource, SetFeed};
mod follow;
mod lines;
pub use follow::*;
pub use lines::{EventLines, event_line};
