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

use crate::cluster::access::{self, Action, Permission};
use crate::cluster::client::error_chain;
use crate::cluster::writer::Writer;
use crate::ops::audit::{AuditLog, AuditRecord};
use okg_domain::bump_plan::{
    self, BumpRequest, ObjectKind, ObjectPatch, Plan, PlanError, PlanKind, PodAction, Policy,
    RolloutParams, Scope, SwitchPlan,
};
use okg_domain::rollout::{self, Baseline, Comparison, Counts, Verdict, WaitReason};
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
}

impl Step {
    fn set(&self) -> &str {
        match self {
            Step::Bump { set, .. } | Step::Continue { set, .. } => set,
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
}

/// Progress of an operation.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "camelCase")]
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
        error: error_chain(&e),
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
    }
}

/// Read the set and plan the step. Sends nothing that mutates.
pub async fn plan(client: &kube::Client, namespace: &str, step: &Step) -> Result<Plan, BumpError> {
    let snapshot = read_set(client, namespace, step.set()).await?;
    Ok(plan_from(&snapshot, step)?)
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
) -> Vec<(Action, Permission)> {
    let mut actions = Vec::new();
    for p in patches {
        let a = match p.kind {
            ObjectKind::GameServerSet => Action::PatchGameServerSets,
            ObjectKind::GameServer => Action::PatchGameServers,
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
    let baselines: Vec<Baseline> = snapshot.pods.iter().filter_map(Baseline::from_pod).collect();
    let user = access::who_am_i(&ctx.client).await;
    let action = match (confirmed.kind, &confirmed.scope) {
        (PlanKind::Bump, Scope::Canary(_)) => "bump-canary",
        (PlanKind::Bump, Scope::GameServers(_)) => "bump-gameservers",
        (PlanKind::Bump, Scope::WholeSet) => "bump",
        (PlanKind::Continue, _) => "continue-canary",
        (PlanKind::Rollback, _) => "rollback",
    };
    let started = Instant::now();
    let mut sent = Vec::new();
    let patches = &confirmed.patches;
    for (i, patch) in patches.iter().enumerate() {
        // A canary's set patch waits until OKG has copied the raised priorities to the pods,
        // or OpenKruise might start with other pods.
        if patch.kind == ObjectKind::GameServerSet
            && matches!(confirmed.scope, Scope::Canary(_))
            && confirmed.kind == PlanKind::Bump
            && let Err(why) = wait_for_priorities(ctx, confirmed, tx).await
        {
            return Err(BumpError::Write {
                target: patch.target(),
                error: why,
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
                return Err(if e.conflict {
                    BumpError::Conflict {
                        target: patch.target(),
                        detail: e.detail,
                        applied: sent,
                        not_sent,
                    }
                } else {
                    BumpError::Write {
                        target: patch.target(),
                        error: e.detail,
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
    let mut sent = Vec::new();
    for (i, patch) in plan.patches.iter().enumerate() {
        let _ = tx
            .send(BumpEvent::Sending { target: patch.target(), summary: patch.summary.clone() })
            .await;
        let result = send_patch(writer, &ctx.namespace, patch).await;
        let outcome = match &result {
            Ok(()) => serde_json::json!("ok"),
            Err(f) => serde_json::json!(f.detail),
        };
        audit(ctx, &user, &plan.action, patch, outcome, tx).await;
        if let Err(e) = result {
            let not_sent = plan.patches[i + 1..].iter().map(ObjectPatch::target).collect();
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
    Ok(())
}

/// Where the plan made now differs from the confirmed one, as (object, what changed).
fn plan_difference(confirmed: &Plan, fresh: &Plan) -> Option<(String, String)> {
    if confirmed.patches.len() != fresh.patches.len() {
        return Some((
            format!("gameserverset/{}", confirmed.set),
            format!(
                "the plan now needs {} patches instead of {}",
                fresh.patches.len(),
                confirmed.patches.len()
            ),
        ));
    }
    for (a, b) in confirmed.patches.iter().zip(&fresh.patches) {
        if a.target() != b.target() {
            return Some((
                a.target(),
                format!("the plan now patches {} instead of {}", b.target(), a.target()),
            ));
        }
        if a.patch != b.patch {
            return Some((a.target(), format!("now: {}", b.summary)));
        }
    }
    if confirmed.policy != fresh.policy {
        return Some((
            format!("gameserverset/{}", confirmed.set),
            "its podUpdatePolicy changed".into(),
        ));
    }
    None
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
        e => error_chain(e),
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

/// Wait (bounded) until the canary pods carry their raised priority label.
async fn wait_for_priorities(
    ctx: &OpsContext,
    plan: &Plan,
    tx: &mpsc::Sender<BumpEvent>,
) -> Result<(), String> {
    let wanted: BTreeMap<String, String> = plan
        .patches
        .iter()
        .filter(|p| p.kind == ObjectKind::GameServer)
        .filter_map(|p| {
            let value = p.patch.as_array()?.last()?.get("value")?.as_i64()?;
            Some((p.name.clone(), value.to_string()))
        })
        .collect();
    let _ = tx
        .send(BumpEvent::Note {
            message: "waiting for OKG to copy the canary priorities to the pods".into(),
        })
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    loop {
        let mut missing = Vec::new();
        for (name, value) in &wanted {
            let label = pods.get_opt(name).await.ok().flatten().and_then(|p| {
                p.metadata.labels.and_then(|l| l.get(labels::GS_UPDATE_PRIORITY).cloned())
            });
            if label.as_deref() != Some(value.as_str()) {
                missing.push(name.clone());
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "OKG did not copy the raised updatePriority to pods {} within 20s, so the set was not changed (OpenKruise could have updated other pods first)",
                missing.join(", ")
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// Give up after this long: unfinished pods become FAILED (not Ready in time) or STALLED.
    pub timeout: Duration,
    /// How often to read the pods.
    pub poll: Duration,
    /// A pod that should be updating but has not started after this long is STALLED.
    pub stall_after: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            poll: Duration::from_millis(500),
            stall_after: Duration::from_secs(120),
        }
    }
}

/// The end of a follow.
#[derive(Clone, Debug, Serialize)]
pub struct FollowReport {
    /// Every targeted pod's last verdict.
    pub verdicts: BTreeMap<String, Verdict>,
    /// Pods of the set this step does not update (held by a canary's partition…).
    pub others: BTreeMap<String, Verdict>,
    pub counts: Counts,
    pub timed_out: bool,
}

impl FollowReport {
    pub fn all_in_place(&self) -> bool {
        self.verdicts.values().all(|v| *v == Verdict::InPlace)
    }
}

/// Follow the pods of an applied plan until every target has a final verdict or the timeout.
/// Polls the API (reads only).
pub async fn follow(
    client: &kube::Client,
    applied: &Applied,
    options: &FollowOptions,
    tx: &mpsc::Sender<BumpEvent>,
) -> FollowReport {
    let plan = &applied.plan;
    let targets: BTreeMap<String, String> =
        plan.pods.iter().filter_map(|p| Some((p.name.clone(), p.to_image.clone()?))).collect();
    let watched: Vec<&Baseline> = applied
        .baselines
        .iter()
        .filter(|b| {
            targets.contains_key(&b.pod)
                || plan.pods.iter().any(|p| {
                    p.name == b.pod
                        && matches!(p.action, PodAction::Waiting(WaitReason::Partition { .. }))
                })
        })
        .collect();
    let mut last: BTreeMap<String, Verdict> = BTreeMap::new();
    let mut last_progress = Instant::now();
    // Failed or stalled pods whose events were looked up, and how often (events can lag).
    let mut explained: BTreeMap<String, (bool, u32)> = BTreeMap::new();
    let deadline = applied.started + options.timeout;
    loop {
        let timed_out = Instant::now() >= deadline;
        let snapshot = match read_set(client, &plan.namespace, &plan.set).await {
            Ok(s) => Some(s),
            Err(e) => {
                let _ = tx.send(BumpEvent::Note { message: format!("{e}; retrying") }).await;
                None
            }
        };
        if let Some(snapshot) = snapshot {
            let holds = current_holds(&snapshot, plan);
            let idle = last_progress.elapsed();
            let mut changed = false;
            for b in &watched {
                let pod = snapshot.pods.iter().find(|p| p.metadata.name.as_deref() == Some(&b.pod));
                let gs = snapshot
                    .gameservers
                    .iter()
                    .find(|g| g.metadata.name.as_deref() == Some(&b.pod));
                let target = targets.get(&b.pod).cloned().unwrap_or_else(|| plan.to_image.clone());
                let hold = holds.get(&b.pod).cloned().flatten();
                let ctx = rollout::Context {
                    stalled_for: (hold.is_none() && idle >= options.stall_after).then_some(idle),
                    hold,
                    timed_out,
                };
                let v = rollout::verdict(b, pod, gs, &plan.container, &target, &ctx);
                if last.get(&b.pod) != Some(&v) {
                    changed = true;
                    let detail = pod.map(|p| Comparison::of(b, p, &plan.container));
                    let _ = tx
                        .send(BumpEvent::Verdict { pod: b.pod.clone(), verdict: v.clone(), detail })
                        .await;
                    last.insert(b.pod.clone(), v);
                }
            }
            for (pod, v) in &last {
                if !matches!(v, Verdict::Failed(_) | Verdict::Stalled(_)) {
                    continue;
                }
                let (found, tries) = explained.entry(pod.clone()).or_insert((false, 0));
                if !*found && *tries < 10 {
                    *tries += 1;
                    *found = explain(client, &plan.namespace, pod, tx).await;
                }
            }
            let target_verdicts: Vec<&Verdict> =
                last.iter().filter(|(k, _)| targets.contains_key(*k)).map(|(_, v)| v).collect();
            if changed {
                last_progress = Instant::now();
                let counts = Counts::of(target_verdicts.iter().copied());
                let _ = tx.send(BumpEvent::Counts { counts, targets: targets.len() }).await;
            }
            let all_final = target_verdicts.len() == targets.len()
                && target_verdicts.iter().all(|v| v.is_final());
            // A failed pod stays unavailable, so maxUnavailable keeps the rest from starting:
            // once nothing has moved for the stall limit, waiting longer cannot help.
            let blocked = !all_final
                && target_verdicts.iter().any(|v| matches!(v, Verdict::Failed(_)))
                && last_progress.elapsed() >= options.stall_after;
            if blocked {
                let _ = tx
                    .send(BumpEvent::Note {
                        message: format!(
                            "the rollout is blocked behind failed pods (no change for {}s): stopping",
                            options.stall_after.as_secs()
                        ),
                    })
                    .await;
            }
            if all_final || timed_out || blocked {
                // The kubelet's events can trail the status that failed the pod: a last look.
                for _ in 0..5 {
                    let pending: Vec<String> = explained
                        .iter()
                        .filter(|(_, (found, _))| !found)
                        .map(|(p, _)| p.clone())
                        .collect();
                    if pending.is_empty() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    for pod in pending {
                        if explain(client, &plan.namespace, &pod, tx).await {
                            explained.insert(pod, (true, 0));
                        }
                    }
                }
                let (verdicts, others): (BTreeMap<_, _>, BTreeMap<_, _>) =
                    last.into_iter().partition(|(k, _)| targets.contains_key(k));
                let counts = Counts::of(verdicts.values());
                return FollowReport {
                    verdicts,
                    others,
                    counts,
                    timed_out: timed_out && !all_final,
                };
            }
        } else if timed_out {
            let (verdicts, others): (BTreeMap<_, _>, BTreeMap<_, _>) =
                last.into_iter().partition(|(k, _)| targets.contains_key(k));
            let counts = Counts::of(verdicts.values());
            return FollowReport { verdicts, others, counts, timed_out: true };
        }
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(options.poll.min(left).max(Duration::from_millis(10))).await;
    }
}

/// Why each pod is not expected to move yet, from the order prediction on the set as it is now.
/// Override plans go straight to the pods: nothing holds them.
fn current_holds(snapshot: &Snapshot, plan: &Plan) -> BTreeMap<String, Option<WaitReason>> {
    if matches!(plan.scope, Scope::GameServers(_)) {
        return BTreeMap::new();
    }
    let gss = &snapshot.gss;
    let replicas = gss.replicas();
    let rollout = RolloutParams {
        replicas,
        partition: gss.partition(),
        max_unavailable: bump_plan::max_unavailable(
            gss.rolling_update().and_then(|r| r.max_unavailable.as_ref()),
            replicas,
        ),
        paused: gss.paused(),
    };
    let states: Vec<bump_plan::PodState> = snapshot
        .pods
        .iter()
        .map(|p| {
            let name = p.metadata.name.clone().unwrap_or_default();
            let priority = p
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(labels::GS_UPDATE_PRIORITY))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            bump_plan::PodState {
                ordinal: bump_plan::ordinal(&name),
                update_priority: priority,
                image: p
                    .spec
                    .as_ref()
                    .and_then(|s| s.containers.iter().find(|c| c.name == plan.container))
                    .and_then(|c| c.image.clone())
                    .unwrap_or_default(),
                overridden: None,
                available: bump_plan::is_pod_ready(p),
                name,
            }
        })
        .collect();
    bump_plan::predict_order(&states, &plan.to_image, rollout)
        .into_iter()
        .map(|p| {
            let hold = match p.action {
                PodAction::Waiting(r) => Some(r),
                _ => None,
            };
            (p.name, hold)
        })
        .collect()
}

/// Send the pod's recent Warning events (pull errors, FailedUpdatePodInPlace…); whether there
/// were any.
async fn explain(
    client: &kube::Client,
    namespace: &str,
    pod: &str,
    tx: &mpsc::Sender<BumpEvent>,
) -> bool {
    let api: Api<Event> = Api::namespaced(client.clone(), namespace);
    let lp = ListParams::default().fields(&format!("involvedObject.name={pod}"));
    // Not every server supports this field selector (the demo answers 400): then list the
    // namespace's events and filter here.
    let list = match api.list(&lp).await {
        Ok(l) if !l.items.is_empty() => l,
        _ => match api.list(&ListParams::default()).await {
            Ok(l) => l,
            Err(_) => return false,
        },
    };
    let mut events: Vec<Event> = list
        .items
        .into_iter()
        .filter(|e| e.involved_object.name.as_deref() == Some(pod))
        .filter(|e| e.type_.as_deref() != Some("Normal"))
        .collect();
    events.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
    for e in events.iter().rev().take(3).rev() {
        let _ = tx
            .send(BumpEvent::PodEvent {
                pod: pod.to_string(),
                reason: e.reason.clone().unwrap_or_default(),
                message: e.message.clone().unwrap_or_default(),
            })
            .await;
    }
    !events.is_empty()
}
