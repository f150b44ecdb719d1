//! Moving a staged rollout on: apply a stage, wait for its verdicts (and reloads), soak, write
//! its result in the record, and decide (`staged_rollout::after_stage`). The record on the set is
//! read again before every move, so a pause or undo from another console, or a second driver,
//! stops this one; every write `test`s the record it read.
//!
//! Shared by `okg rollout [resume] --wait` and the console's rollout screen: progress goes out
//! as `BumpEvent`s, the end as an `Ending`; printing and exit codes are the caller's.
use std::time::Duration;

use tokio::sync::mpsc;

use crate::ops::bump::{self, BumpError, BumpEvent, OpsContext, RolloutStep, Step};
use okg_domain::bump_plan::{self, Plan};
use okg_domain::staged_rollout::{
    self as staged, Next, RolloutRecord, RolloutState, StageResult, record_of,
};

mod checks;

/// How the run is followed.
#[derive(Clone, Debug)]
pub struct DriveOptions {
    /// Run every stage, each after the checks of the one before; `false`: apply one and stop.
    pub wait: bool,
    /// How long each stage may take to reach its verdicts.
    pub timeout: Duration,
    /// How long a pod may stay FAILING before it is FAILED.
    pub fail_after: Duration,
    /// Re-created pods are not failures.
    pub allow_recreate: bool,
    /// The marks of the reload lines.
    pub unicode: bool,
}

/// Why a drive stopped before the run's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopKind {
    /// Nothing could be moved (no run, a record that does not parse, a stage that cannot be
    /// planned, read-only): the cluster is as it was.
    Refused,
    /// A stage failed past the limit, was rolled back, a write failed or conflicted.
    Failed,
    /// The run is paused (by this console or another).
    Paused,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    /// Every stage passed: priorities put back, record `done`.
    Done,
    /// A stage was applied and not followed (`wait: false`).
    Applied,
    /// `ctx.cancel` cut it short: the record keeps the stage unfinished, so a resume judges it.
    Cancelled,
    /// `outcome` is the word for reports (refused, failed, conflict, paused, rolled-back…).
    Stopped { kind: StopKind, outcome: String, why: String },
}

#[derive(Clone, Debug)]
pub struct DriveReport {
    pub ending: Ending,
    /// The stages this drive finished: (stage number from 1, result).
    pub stages: Vec<(usize, StageResult)>,
    /// The record as last read.
    pub record: Option<RolloutRecord>,
}

fn stopped(kind: StopKind, outcome: &str, why: String) -> Ending {
    Ending::Stopped { kind, outcome: outcome.to_string(), why }
}

/// Drive the run of `set` as `ctx` (its `cancel` stops it). `first`: a stage already planned and
/// confirmed, applied before anything else.
pub async fn drive(
    ctx: &OpsContext,
    set: &str,
    mut first: Option<(Plan, Step)>,
    options: &DriveOptions,
    tx: &mpsc::Sender<BumpEvent>,
) -> DriveReport {
    let mut report = DriveReport { ending: Ending::Cancelled, stages: Vec::new(), record: None };
    if ctx.writer.is_none() {
        report.ending =
            stopped(StopKind::Refused, "refused", "read-only session: nothing was sent".into());
        return report;
    }
    report.ending = loop {
        if ctx.cancel.is_cancelled() {
            break Ending::Cancelled;
        }
        // The stage to apply: the confirmed first one, or the next the record calls for.
        let (plan, step) = match first.take() {
            Some(p) => p,
            None => match next_stage(ctx, set, options, &mut report, tx).await {
                Ok(Some(p)) => p,
                Ok(None) => continue,
                Err(end) => break end,
            },
        };
        let finish =
            matches!(&step, Step::Rollout { step, .. } if matches!(**step, RolloutStep::Finish(_)));
        let record = match &step {
            Step::Rollout { step, .. } => match step.as_ref() {
                RolloutStep::Stage(r) => Some(r.clone()),
                _ => None,
            },
            _ => None,
        };
        if let Some(r) = &record {
            note(tx, format!("Applying {}…", r.stage_text())).await;
        }
        let applied = match bump::apply(ctx, &plan, &step, tx).await {
            Ok(a) => a,
            Err(e) => {
                let outcome =
                    if matches!(e, BumpError::Conflict { .. }) { "conflict" } else { "failed" };
                let why = format!(
                    "{e}. The run stays where the record says: `okg rollout status {set}`, then resume or undo"
                );
                break stopped(StopKind::Failed, outcome, why);
            }
        };
        if finish {
            note(tx, format!("Rollout of {set} done: priorities put back, record marked done."))
                .await;
            break Ending::Done;
        }
        if !options.wait {
            note(
                tx,
                format!(
                    "Stage applied; not waiting. Next: `okg rollout status {set}`, `okg rollout resume {set} --wait`."
                ),
            )
            .await;
            break Ending::Applied;
        }
        let Some(record) = record else {
            break stopped(StopKind::Refused, "refused", "not a stage of a staged rollout".into());
        };
        let Some(result) = checks::check_stage(ctx, &record, &applied, options, tx).await else {
            break Ending::Cancelled;
        };
        report.stages.push((record.stage + 1, result.clone()));
        if let Err(end) = conclude(ctx, set, result, options, tx).await {
            break end;
        }
    };
    if let Ok(s) = bump::read_set(&ctx.client, &ctx.namespace, set).await
        && let Some((_, Ok(r))) = record_of(&s.gss)
    {
        report.record = Some(r);
    }
    report
}

/// Read the record and plan what it calls for next. `Ok(None)`: an interrupted stage was judged
/// and concluded, read again. `Err`: the drive ends here.
async fn next_stage(
    ctx: &OpsContext,
    set: &str,
    options: &DriveOptions,
    report: &mut DriveReport,
    tx: &mpsc::Sender<BumpEvent>,
) -> Result<Option<(Plan, Step)>, Ending> {
    let snapshot = bump::read_set(&ctx.client, &ctx.namespace, set)
        .await
        .map_err(|e| stopped(StopKind::Failed, "failed", e.to_string()))?;
    let record = match record_of(&snapshot.gss) {
        Some((_, Ok(r))) => r,
        Some((_, Err(e))) => {
            let why = format!("the rollout record of {set} does not parse ({e})");
            return Err(stopped(StopKind::Refused, "refused", why));
        }
        None => {
            return Err(stopped(
                StopKind::Refused,
                "refused",
                format!("no staged rollout on {set}"),
            ));
        }
    };
    report.record = Some(record.clone());
    match record.state {
        RolloutState::Running => {}
        RolloutState::Done => {
            note(tx, format!("Rollout of {set} done: every stage passed.")).await;
            return Err(Ending::Done);
        }
        state => {
            let why = record.message.clone().unwrap_or_default();
            let kind =
                if state == RolloutState::Paused { StopKind::Paused } else { StopKind::Failed };
            let words = format!(
                "the rollout of {set} is {} at {}{}",
                state.as_str(),
                record.stage_text(),
                if why.is_empty() { String::new() } else { format!(": {why}") }
            );
            return Err(stopped(kind, state.as_str(), words));
        }
    }
    if !record.stage_finished() {
        // Cut off mid-stage (a crash, a signal): judge the stage from the pods.
        let Some(result) = checks::judge_interrupted(ctx, set, &record, options, tx).await else {
            return Err(Ending::Cancelled);
        };
        report.stages.push((record.stage + 1, result.clone()));
        conclude(ctx, set, result, options, tx).await?;
        return Ok(None);
    }
    let mut next = record.clone();
    let step = if record.stage + 1 < record.counts.len() {
        next.stage += 1;
        next.stage_started = jiff::Timestamp::now().to_string();
        RolloutStep::Stage(next)
    } else {
        RolloutStep::Finish(next)
    };
    let step = Step::Rollout { set: set.to_string(), step: Box::new(step) };
    match bump::plan(&ctx.client, &ctx.namespace, &step).await {
        Ok(plan) => Ok(Some((plan, step))),
        Err(e) => {
            let why = format!("{e}; the run stays at {}", record.stage_text());
            Err(stopped(StopKind::Refused, "refused", why))
        }
    }
}

pub(crate) async fn note(tx: &mpsc::Sender<BumpEvent>, message: String) {
    let _ = tx.send(BumpEvent::Note { message }).await;
}

/// Write the stage's result into the record and act on the decision: go on (`Ok`), or stop, or
/// roll back (`Err`: the drive ends).
async fn conclude(
    ctx: &OpsContext,
    set: &str,
    result: StageResult,
    options: &DriveOptions,
    tx: &mpsc::Sender<BumpEvent>,
) -> Result<(), Ending> {
    let fail = |why: String| stopped(StopKind::Failed, "failed", why);
    let snapshot =
        bump::read_set(&ctx.client, &ctx.namespace, set).await.map_err(|e| fail(e.to_string()))?;
    let Some((_, Ok(mut record))) = record_of(&snapshot.gss) else {
        return Err(fail(format!("the rollout record of {set} is gone")));
    };
    note(
        tx,
        format!(
            "{}: {} in place, {} re-created, {} failed, {} reloaded, {} reload(s) failed, {} soak break(s)",
            record.stage_text(),
            result.in_place,
            result.re_created,
            result.failed,
            result.reloaded,
            result.reload_failed,
            result.soak_failed
        ),
    )
    .await;
    let next = staged::after_stage(&mut record, result, options.allow_recreate);
    let (summary, stop) = match &next {
        Next::Stage(_) | Next::Finish => ("record the stage's result", None),
        Next::Stop { why } => {
            record.state = RolloutState::Failed;
            record.message = Some(why.clone());
            ("record the stage's result; the run stops", Some(why.clone()))
        }
        Next::RollBack { why } => {
            record.message = Some(why.clone());
            ("record the stage's result; rolling back", None)
        }
    };
    let patch = bump_plan::record_patch(&snapshot.gss, &record, summary);
    let user = crate::cluster::access::who_am_i(&ctx.client).await;
    let Some(writer) = ctx.writer.as_ref() else {
        return Err(stopped(StopKind::Refused, "refused", "read-only session".into()));
    };
    bump::send_in_order(ctx, writer, &user, "rollout-record", &[patch], tx).await.map_err(|e| {
        stopped(
            StopKind::Failed,
            "conflict",
            format!("{e}: another console changed the run; see `okg rollout status {set}`"),
        )
    })?;
    match next {
        Next::Stage(_) | Next::Finish => Ok(()),
        Next::Stop { .. } => Err(fail(format!(
            "{}; the partition holds the rest. Fix it and `okg rollout resume {set} --wait`, or `okg rollout undo {set}`",
            stop.unwrap_or_default()
        ))),
        Next::RollBack { why } => {
            note(tx, format!("{why}: rolling back (auto-rollback)…")).await;
            let step = Step::Rollout {
                set: set.to_string(),
                step: Box::new(RolloutStep::Undo(record, Some(why.clone()))),
            };
            let plan = bump::plan(&ctx.client, &ctx.namespace, &step)
                .await
                .map_err(|e| fail(format!("{why}; the rollback could not be planned: {e}")))?;
            bump::apply(ctx, &plan, &step, tx)
                .await
                .map_err(|e| fail(format!("{why}; the rollback failed: {e}")))?;
            Err(stopped(
                StopKind::Failed,
                "rolled-back",
                format!("{why}; rolled back to {}", plan.to_image),
            ))
        }
    }
}
