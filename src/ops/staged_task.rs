//! The console's moves on a staged rollout, in spawned tasks that report through the caller's
//! sender: pause or resume it (`p`), plan a new run or an undo (reads only, for the pre-flight),
//! drive a run stage by stage (`ops::staged_drive`, the driver `okg rollout --wait` uses), and
//! stop driving. The same planners and write path as `okg rollout`, so every write is audited.
use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::cluster::access::{ApiAction, Permission};
use crate::ops::bump::{self, EventLines, OpsContext, RolloutStep, Step, discard_events};
use crate::ops::staged_drive::{self, DriveOptions, Ending};
use crate::ops::staged_start::{self, StartRequest};
use okg_domain::bump_plan::{self, Plan};
use okg_domain::staged_rollout::{RolloutRecord, record_of};

#[derive(Clone, Debug, PartialEq)]
pub enum StagedCmd {
    /// Pause (`true`) or resume the run of `set`.
    Switch { id: u64, namespace: String, set: String, paused: bool },
    /// Plan the first stage of a new run (reads only; RBAC asked when there is a writer).
    PlanStart { id: u64, namespace: String, request: Box<StartRequest> },
    /// Plan the undo of the run of `set` (reads only).
    PlanUndo { id: u64, namespace: String, set: String },
    /// Apply `first` (a confirmed plan) unless it is an undo's, then drive every stage.
    Drive { id: u64, namespace: String, set: String, first: Option<Box<Confirmed>> },
    /// Stop the drive `id`: the record keeps its stage unfinished, so a resume judges it.
    StopDrive { id: u64 },
}

/// A plan the operator confirmed, with the step it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirmed {
    pub plan: Plan,
    pub step: Step,
}

/// A plan for the pre-flight page.
#[derive(Clone, Debug)]
pub struct Planned {
    pub confirmed: Confirmed,
    /// The run in words (the stages, for a start; what goes back, for an undo).
    pub lines: Vec<String>,
    pub rbac: Option<Vec<(ApiAction, Permission)>>,
}

#[derive(Debug)]
pub enum StagedBody {
    /// A pause or resume: what was done, in words, or why not.
    Switched(Result<String, String>),
    Planned(Result<Box<Planned>, String>),
    /// A line of a drive's progress.
    Line(String),
    /// A drive ended (an undo ends as `Done` or `Stopped`).
    Ended(Ending),
}

#[derive(Debug)]
pub struct StagedReply {
    pub id: u64,
    pub body: StagedBody,
}

/// How the console follows the stages: as `okg rollout --wait` does by default.
pub fn drive_options() -> DriveOptions {
    DriveOptions {
        wait: true,
        timeout: Duration::from_secs(300),
        fail_after: Duration::from_secs(60),
        allow_recreate: false,
        unicode: true,
    }
}

/// The drives running, so that they can be stopped one by one or all at quit.
#[derive(Default)]
pub struct StagedTasks {
    drives: HashMap<u64, (CancellationToken, JoinHandle<()>)>,
}

impl StagedTasks {
    /// Carry out `cmd` as `ctx` (its namespace is replaced by the command's).
    pub fn handle<M: From<StagedReply> + Send + 'static>(
        &mut self,
        cmd: StagedCmd,
        ctx: OpsContext,
        tx: &UnboundedSender<M>,
    ) {
        self.drives.retain(|_, (_, t)| !t.is_finished());
        let tx = tx.clone();
        let send = move |id: u64, body: StagedBody| {
            let _ = tx.send(M::from(StagedReply { id, body }));
        };
        match cmd {
            StagedCmd::Switch { id, namespace, set, paused } => {
                tokio::spawn(async move {
                    let ctx = OpsContext { namespace, ..ctx };
                    send(id, StagedBody::Switched(switch(&ctx, &set, paused).await));
                });
            }
            StagedCmd::PlanStart { id, namespace, request } => {
                tokio::spawn(async move {
                    let ctx = OpsContext { namespace, ..ctx };
                    send(id, StagedBody::Planned(plan_start(&ctx, &request).await));
                });
            }
            StagedCmd::PlanUndo { id, namespace, set } => {
                tokio::spawn(async move {
                    let ctx = OpsContext { namespace, ..ctx };
                    send(id, StagedBody::Planned(plan_undo(&ctx, &set).await));
                });
            }
            StagedCmd::Drive { id, namespace, set, first } => {
                let cancel = CancellationToken::new();
                let ctx = OpsContext { namespace, cancel: cancel.clone(), ..ctx };
                let line = send.clone();
                let task = tokio::spawn(async move {
                    let ending = drive(&ctx, &set, first.map(|b| *b), move |l| {
                        line(id, StagedBody::Line(l));
                    })
                    .await;
                    send(id, StagedBody::Ended(ending));
                });
                self.drives.insert(id, (cancel, task));
            }
            StagedCmd::StopDrive { id } => {
                if let Some((cancel, _)) = self.drives.get(&id) {
                    cancel.cancel();
                }
            }
        }
    }

    /// Stop every drive and wait, at most `grace`, until each has ended. How many were running.
    pub async fn stop_all(&mut self, grace: Duration) -> usize {
        let running: Vec<_> = self.drives.drain().filter(|(_, (_, t))| !t.is_finished()).collect();
        for (_, (cancel, _)) in &running {
            cancel.cancel();
        }
        let n = running.len();
        let all = futures::future::join_all(running.into_iter().map(|(_, (_, t))| t));
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("a staged-rollout drive did not stop within {grace:?}");
        }
        n
    }
}

impl Drop for StagedTasks {
    fn drop(&mut self) {
        for (_, (_, t)) in self.drives.drain() {
            t.abort();
        }
    }
}

/// Drive, with every progress event as a line for the screen. An undo's plan is applied alone.
async fn drive(
    ctx: &OpsContext,
    set: &str,
    first: Option<Confirmed>,
    line: impl Fn(String) + Send + Sync + 'static,
) -> Ending {
    let (events, mut rx) = mpsc::channel(256);
    let forward = tokio::spawn(async move {
        let mut lines = EventLines::default();
        while let Some(e) = rx.recv().await {
            if let Some(l) = lines.line(e) {
                line(l);
            }
        }
    });
    let undo = first.as_ref().is_some_and(|c| {
        matches!(&c.step, Step::Rollout { step, .. } if matches!(**step, RolloutStep::Undo(..)))
    });
    let ending = match first {
        Some(c) if undo => match bump::apply(ctx, &c.plan, &c.step, &events).await {
            Ok(_) => Ending::Done,
            Err(e) => Ending::Stopped {
                kind: staged_drive::StopKind::Failed,
                outcome: "failed".into(),
                why: e.to_string(),
            },
        },
        first => {
            let first = first.map(|c| (c.plan, c.step));
            staged_drive::drive(ctx, set, first, &drive_options(), &events).await.ending
        }
    };
    drop(events);
    let _ = forward.await;
    ending
}

async fn plan_start(ctx: &OpsContext, request: &StartRequest) -> Result<Box<Planned>, String> {
    let p = staged_start::plan_start(ctx, request).await.map_err(|e| e.to_string())?;
    let lines = staged_start::stage_lines(&p.record, &p.candidates);
    let rbac = rbac(ctx, &p.plan).await;
    let confirmed = Confirmed { plan: p.plan, step: p.step };
    Ok(Box::new(Planned { confirmed, lines, rbac }))
}

async fn plan_undo(ctx: &OpsContext, set: &str) -> Result<Box<Planned>, String> {
    let record = read_record(ctx, set).await?;
    let lines = vec![format!(
        "Undo the rollout of {set} at {}: the template goes back to {}, the partition and every raised priority as they were, and the record says undone",
        record.stage_text(),
        record.from
    )];
    let step =
        Step::Rollout { set: set.to_string(), step: Box::new(RolloutStep::Undo(record, None)) };
    let plan = bump::plan(&ctx.client, &ctx.namespace, &step).await.map_err(|e| e.to_string())?;
    let rbac = rbac(ctx, &plan).await;
    Ok(Box::new(Planned { confirmed: Confirmed { plan, step }, lines, rbac }))
}

async fn rbac(ctx: &OpsContext, plan: &Plan) -> Option<Vec<(ApiAction, Permission)>> {
    match &ctx.writer {
        Some(_) => Some(bump::preflight(&ctx.client, &ctx.namespace, &plan.patches).await),
        None => None,
    }
}

async fn read_record(ctx: &OpsContext, set: &str) -> Result<RolloutRecord, String> {
    let snapshot =
        bump::read_set(&ctx.client, &ctx.namespace, set).await.map_err(|e| e.to_string())?;
    record_in(&snapshot.gss, set)
}

fn record_in(gss: &okg_domain::types::GameServerSet, set: &str) -> Result<RolloutRecord, String> {
    match record_of(gss) {
        Some((_, Ok(r))) => Ok(r),
        Some((_, Err(e))) => Err(format!("the rollout record of {set} does not parse ({e})")),
        None => Err(format!("no staged rollout on {set}")),
    }
}

async fn switch(ctx: &OpsContext, set: &str, paused: bool) -> Result<String, String> {
    let snapshot =
        bump::read_set(&ctx.client, &ctx.namespace, set).await.map_err(|e| e.to_string())?;
    let record = record_in(&snapshot.gss, set)?;
    let plan = bump_plan::plan_rollout_switch(&snapshot.gss, &record, paused);
    bump::apply_switch(ctx, &plan, &discard_events()).await.map_err(|e| e.to_string())?;
    Ok(if paused {
        format!("paused the rollout of {set} (rollingUpdate.paused too)")
    } else {
        format!("resumed the rollout of {set}: c drives it on")
    })
}
