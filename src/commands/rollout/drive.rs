//! Moving a run on: apply a stage, wait for its verdicts (and reloads), soak, write its result in
//! the record, and decide (`staged_rollout::after_stage`). The record on the set is read again
//! before every move, so a pause or undo from another console, or a second driver, stops this
//! one; every write `test`s the record it read.
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;
use tokio::sync::mpsc;

use super::DriveArgs;
use crate::commands::bump::{chain, print_events};
use crate::commands::doc::Doc;
use crate::commands::exit;
use crate::ops::bump::{
    self, Applied, BumpError, BumpEvent, FollowOptions, OpsContext, RolloutStep, Step,
};
use crate::ops::reload::{AuditContext, KubeTransport, ReloadPlan};
use crate::signals::Shutdown;
use okg_domain::bump_plan::{self, Plan, raised_to};
use okg_domain::reload_plan::{Limits, ReloadMethod, ReloadTarget};
use okg_domain::rollout::{Baseline, Verdict};
use okg_domain::staged_rollout::{
    self as staged, Next, RolloutRecord, RolloutState, StageResult, judge_after_restart, record_of,
};

/// Drive the run of `set`. `first`: a stage already planned and confirmed, to apply before
/// anything else. Returns the exit code; the document holds the record at the end.
pub async fn run(
    ctx: &mut OpsContext,
    doc: &mut Doc,
    set: &str,
    mut first: Option<(Plan, Step)>,
    args: &DriveArgs,
) -> u8 {
    let Some(writer) = ctx.writer.clone() else {
        doc.error("refused", "read-only session: nothing was sent");
        return exit::REFUSED;
    };
    let shutdown = Shutdown::install(|| {});
    ctx.cancel = shutdown.token();
    let (tx, rx) = mpsc::channel(256);
    let printer = tokio::spawn(print_events(rx, doc.json));
    let mut stages: Vec<serde_json::Value> = Vec::new();
    let code = loop {
        if shutdown.is_cancelled() {
            break shutdown.exit_code(exit::FAILED);
        }
        // The stage to apply: the confirmed first one, or the next the record calls for.
        let (plan, step) = match first.take() {
            Some(p) => p,
            None => {
                let snapshot = match bump::read_set(&ctx.client, &ctx.namespace, set).await {
                    Ok(s) => s,
                    Err(e) => break say_error(doc, "failed", e.to_string(), exit::FAILED),
                };
                let record = match record_of(&snapshot.gss) {
                    Some((_, Ok(r))) => r,
                    Some((_, Err(e))) => {
                        break say_error(
                            doc,
                            "refused",
                            format!("the rollout record of {set} does not parse ({e})"),
                            exit::REFUSED,
                        );
                    }
                    None => {
                        break say_error(
                            doc,
                            "refused",
                            format!("no staged rollout on {set}"),
                            exit::REFUSED,
                        );
                    }
                };
                doc.set("rollout", super::record_json(&record));
                match record.state {
                    RolloutState::Running => {}
                    RolloutState::Done => {
                        note(&tx, format!("Rollout of {set} done: every stage passed.")).await;
                        doc.set("outcome", json!("done"));
                        break exit::OK;
                    }
                    state => {
                        let why = record.message.clone().unwrap_or_default();
                        break say_error(
                            doc,
                            state.as_str(),
                            format!(
                                "the rollout of {set} is {} at {}{}",
                                state.as_str(),
                                record.stage_text(),
                                if why.is_empty() { String::new() } else { format!(": {why}") }
                            ),
                            if state == RolloutState::Paused { exit::OK } else { exit::FAILED },
                        );
                    }
                }
                if !record.stage_finished() {
                    // Cut off mid-stage (a crash, a signal): judge the stage from the pods.
                    let result =
                        judge_interrupted(ctx, &writer, set, &record, args, &shutdown, &tx).await;
                    let Some(result) = result else {
                        break shutdown.exit_code(exit::FAILED);
                    };
                    stages.push(json!({"stage": record.stage + 1, "result": result}));
                    match conclude(ctx, set, result, args, &tx).await {
                        Ok(()) => continue,
                        Err((outcome, why, code)) => break say_error(doc, outcome, why, code),
                    }
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
                    Ok(plan) => (plan, step),
                    Err(e) => {
                        let why = format!("{e}; the run stays at {}", record.stage_text());
                        break say_error(doc, "refused", why, exit::REFUSED);
                    }
                }
            }
        };
        let finish =
            matches!(&step, Step::Rollout { step, .. } if matches!(**step, RolloutStep::Finish(_)));
        if let Step::Rollout { step, .. } = &step
            && let RolloutStep::Stage(r) = step.as_ref()
        {
            note(&tx, format!("Applying {}…", r.stage_text())).await;
        }
        let applied = match bump::apply(ctx, &plan, &step, &tx).await {
            Ok(a) => a,
            Err(e) => {
                let outcome =
                    if matches!(e, BumpError::Conflict { .. }) { "conflict" } else { "failed" };
                let why = format!(
                    "{e}. The run stays where the record says: `okg rollout status {set}`, then resume or undo"
                );
                break say_error(doc, outcome, why, shutdown.exit_code(exit::FAILED));
            }
        };
        if finish {
            note(&tx, format!("Rollout of {set} done: priorities put back, record marked done."))
                .await;
            doc.set("outcome", json!("done"));
            break exit::OK;
        }
        if !args.wait {
            note(
                &tx,
                format!(
                    "Stage applied; not waiting (pass --wait). Next: `okg rollout status {set}`, `okg rollout resume {set} --wait`."
                ),
            )
            .await;
            doc.set("outcome", json!("applied"));
            break exit::OK;
        }
        let record = match &step {
            Step::Rollout { step, .. } => match step.as_ref() {
                RolloutStep::Stage(r) => r.clone(),
                _ => unreachable!("finish handled above"),
            },
            _ => unreachable!("the driver sends rollout steps only"),
        };
        let Some(result) = check_stage(ctx, &writer, &record, &applied, args, &shutdown, &tx).await
        else {
            break shutdown.exit_code(exit::FAILED);
        };
        stages.push(json!({"stage": record.stage + 1, "result": result}));
        match conclude(ctx, set, result, args, &tx).await {
            Ok(()) => continue,
            Err((outcome, why, code)) => break say_error(doc, outcome, why, code),
        }
    };
    drop(tx);
    let _ = printer.await;
    doc.set("stages", json!(stages));
    if let Ok(s) = bump::read_set(&ctx.client, &ctx.namespace, set).await
        && let Some((_, Ok(r))) = record_of(&s.gss)
    {
        doc.set("rollout", super::record_json(&r));
    }
    doc.set("cancelled", json!(shutdown.is_cancelled()));
    code
}

fn say_error(doc: &mut Doc, outcome: &str, why: String, code: u8) -> u8 {
    doc.error(outcome, why);
    code
}

async fn note(tx: &mpsc::Sender<BumpEvent>, message: String) {
    let _ = tx.send(BumpEvent::Note { message }).await;
}

fn follow_options(args: &DriveArgs, shutdown: &Shutdown) -> FollowOptions {
    FollowOptions {
        timeout: args.timeout,
        poll: std::time::Duration::from_millis(200),
        stall_after: (args.timeout / 2).min(std::time::Duration::from_secs(120)),
        fail_after: args.fail_after,
        cancel: shutdown.token(),
    }
}

fn reload_request(record: &RolloutRecord) -> Option<chain::Request> {
    let spec = record.reload.as_ref()?;
    let method = match (&spec.exec[..], &spec.http) {
        ([], Some(h)) => ReloadMethod::parse_http(h).ok()?,
        (words, _) if !words.is_empty() => ReloadMethod::exec(words.to_vec()).ok()?,
        _ => return None,
    };
    Some(chain::Request { method, container: spec.container.clone(), limits: Limits::default() })
}

/// Follow the stage's pods to their verdicts, reloading each as it lands when the run reloads,
/// then soak. `None` when a signal cut it short (the record keeps the stage unfinished).
async fn check_stage(
    ctx: &OpsContext,
    writer: &crate::cluster::writer::Writer,
    record: &RolloutRecord,
    applied: &Applied,
    args: &DriveArgs,
    shutdown: &Shutdown,
    tx: &mpsc::Sender<BumpEvent>,
) -> Option<StageResult> {
    let options = follow_options(args, shutdown);
    let targets = applied.plan.targets();
    note(tx, format!("Following {} pod(s) of {}…", targets.len(), record.stage_text())).await;
    let (report, reloads) = match reload_request(record) {
        Some(r) => {
            let c = chain::run(ctx, writer, applied, &options, &r, tx).await;
            let s = &c.reload.summary;
            let reload_failed = (s.failed + s.cancelled) as u32
                + c.not_reloaded
                    .keys()
                    .filter(|p| c.follow.verdicts.get(*p) == Some(&Verdict::InPlace))
                    .count() as u32;
            (c.follow.clone(), Some((s.succeeded as u32, reload_failed)))
        }
        None => (bump::follow(&ctx.client, applied, &options, tx).await, None),
    };
    if report.cancelled || shutdown.is_cancelled() {
        return None;
    }
    let mut result = tally(&report.verdicts);
    if let Some((ok, failed)) = reloads {
        result.reloaded = ok;
        result.reload_failed = failed;
    }
    result.soak_failed = soak(ctx, &applied.plan.set, record, &targets, shutdown, tx).await?;
    Some(result)
}

fn tally(verdicts: &BTreeMap<String, Verdict>) -> StageResult {
    let count = |f: fn(&Verdict) -> bool| verdicts.values().filter(|v| f(v)).count() as u32;
    let in_place = count(|v| *v == Verdict::InPlace);
    let re_created = count(|v| *v == Verdict::ReCreated);
    StageResult {
        updated: verdicts.len() as u32,
        in_place,
        re_created,
        failed: verdicts.len() as u32 - in_place - re_created,
        ..StageResult::default()
    }
}

/// After the verdicts: wait the record's soak, then count the stage's pods that broke. `None`
/// when a signal cut it short.
async fn soak(
    ctx: &OpsContext,
    set: &str,
    record: &RolloutRecord,
    pods: &[String],
    shutdown: &Shutdown,
    tx: &mpsc::Sender<BumpEvent>,
) -> Option<u32> {
    if record.soak_seconds == 0 || pods.is_empty() {
        return Some(0);
    }
    let snapshot = bump::read_set(&ctx.client, &ctx.namespace, set).await.ok()?;
    let before: Vec<Baseline> = snapshot
        .pods
        .iter()
        .filter(|p| p.metadata.name.as_ref().is_some_and(|n| pods.contains(n)))
        .filter_map(Baseline::from_pod)
        .collect();
    let secs = record.soak_seconds;
    note(
        tx,
        format!("Soaking {secs}s: {} pod(s) must stay Ready without restarting…", before.len()),
    )
    .await;
    tokio::select! {
        () = tokio::time::sleep(std::time::Duration::from_secs(secs)) => {}
        () = shutdown.cancelled() => return None,
    }
    let now = bump::read_set(&ctx.client, &ctx.namespace, set).await.ok()?;
    let breaks = staged::soak_breaks(&before, &now.pods);
    for (pod, why) in &breaks {
        note(tx, format!("  {pod:<20} soak: {why}")).await;
    }
    Some(breaks.len() as u32)
}

/// A stage cut off before its result was written: its pods are the GameServers raised to the
/// stage's priority. Without the baselines that were lost with the process, each is judged by
/// its age, image and readiness (`judge_after_restart`), then reloaded and soaked as usual.
async fn judge_interrupted(
    ctx: &OpsContext,
    writer: &crate::cluster::writer::Writer,
    set: &str,
    record: &RolloutRecord,
    args: &DriveArgs,
    shutdown: &Shutdown,
    tx: &mpsc::Sender<BumpEvent>,
) -> Option<StageResult> {
    let snapshot = bump::read_set(&ctx.client, &ctx.namespace, set).await.ok()?;
    let pods: Vec<String> = match record.stage_priority {
        Some(p) => raised_to(&snapshot.gameservers, set, p),
        None => Vec::new(),
    };
    note(
        tx,
        format!(
            "{} was cut off before its result was written: judging its {} pod(s) from what they are now (no baseline survived the restart: in place means older than the stage, on the new image and Ready)",
            record.stage_text(),
            pods.len()
        ),
    )
    .await;
    let deadline = tokio::time::Instant::now() + args.timeout;
    let mut verdicts: BTreeMap<String, Verdict> = BTreeMap::new();
    loop {
        let late = tokio::time::Instant::now() >= deadline;
        let now = bump::read_set(&ctx.client, &ctx.namespace, set).await.ok()?;
        for name in &pods {
            let pod = now.pods.iter().find(|p| p.metadata.name.as_deref() == Some(name.as_str()));
            let v = judge_after_restart(
                pod,
                &record.stage_started,
                &record.container,
                &record.to,
                late,
            );
            if verdicts.get(name) != Some(&v) {
                let _ = tx
                    .send(BumpEvent::Verdict {
                        pod: name.clone(),
                        verdict: v.clone(),
                        detail: None,
                    })
                    .await;
                verdicts.insert(name.clone(), v);
            }
        }
        if verdicts.values().all(Verdict::is_final) {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
            () = shutdown.cancelled() => return None,
        }
    }
    let mut result = tally(&verdicts);
    result.judged_on_resume = true;
    if let Some(request) = reload_request(record) {
        let in_place: Vec<String> = verdicts
            .iter()
            .filter(|(_, v)| **v == Verdict::InPlace)
            .map(|(p, _)| p.clone())
            .collect();
        // As a chained reload does: exec in the set's main container unless told otherwise.
        let main = snapshot.gss.template_images().first().map(|(c, _)| c.clone());
        let container = match request.method {
            ReloadMethod::Http { .. } => None,
            _ => request.container.clone().or(main),
        };
        let request = chain::Request { container, ..request };
        let (ok, failed) = reload_list(ctx, writer, set, &request, &in_place, shutdown, tx).await?;
        result.reloaded = ok;
        result.reload_failed = failed;
    }
    result.soak_failed = soak(ctx, set, record, &pods, shutdown, tx).await?;
    Some(result)
}

/// Reload these pods (the interrupted stage's, once judged in place). (succeeded, failed).
async fn reload_list(
    ctx: &OpsContext,
    writer: &crate::cluster::writer::Writer,
    set: &str,
    request: &chain::Request,
    pods: &[String],
    shutdown: &Shutdown,
    tx: &mpsc::Sender<BumpEvent>,
) -> Option<(u32, u32)> {
    if pods.is_empty() {
        return Some((0, 0));
    }
    let targets: Vec<ReloadTarget> = pods
        .iter()
        .map(|p| ReloadTarget {
            namespace: ctx.namespace.clone(),
            pod: p.clone(),
            container: request.container.clone(),
            set: Some(set.to_string()),
        })
        .collect();
    let audit = AuditContext {
        log: ctx.audit.clone(),
        user: crate::cluster::access::who_am_i(&ctx.client).await,
        context: ctx.context.clone(),
        namespace: ctx.namespace.clone(),
    };
    let (events_tx, mut events_rx) = mpsc::channel(1024);
    let forward = {
        let tx = tx.clone();
        async move {
            while let Some(e) = events_rx.recv().await {
                if let Some(line) = crate::commands::reload::render(&e, false) {
                    let _ = tx.send(BumpEvent::Note { message: format!("  reload {line}") }).await;
                }
            }
        }
    };
    let plan = ReloadPlan { method: request.method.clone(), limits: request.limits.clone() };
    let transport = Arc::new(KubeTransport::new(writer));
    let run = crate::ops::reload::run(
        transport,
        plan,
        targets.into(),
        events_tx,
        shutdown.token(),
        Some(audit),
    );
    let (report, ()) = tokio::join!(run, forward);
    if shutdown.is_cancelled() {
        return None;
    }
    let s = &report.summary;
    Some((s.succeeded as u32, (s.failed + s.skipped + s.cancelled) as u32))
}

/// Write the stage's result into the record and act on the decision: go on (`Ok`), or stop,
/// or roll back. `Err((outcome, why, exit code))` ends the run.
async fn conclude(
    ctx: &OpsContext,
    set: &str,
    result: StageResult,
    args: &DriveArgs,
    tx: &mpsc::Sender<BumpEvent>,
) -> Result<(), (&'static str, String, u8)> {
    let fail = |why: String| ("failed", why, exit::FAILED);
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
    let next = staged::after_stage(&mut record, result, args.allow_recreate);
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
    let writer = ctx.writer.as_ref().expect("the driver runs with a writer");
    bump::send_in_order(ctx, writer, &user, "rollout-record", &[patch], tx).await.map_err(|e| {
        (
            "conflict",
            format!("{e}: another console changed the run; see `okg rollout status {set}`"),
            exit::FAILED,
        )
    })?;
    match next {
        Next::Stage(_) | Next::Finish => Ok(()),
        Next::Stop { .. } => Err((
            "failed",
            format!(
                "{}; the partition holds the rest. Fix it and `okg rollout resume {set} --wait`, or `okg rollout undo {set}`",
                stop.unwrap_or_default()
            ),
            exit::FAILED,
        )),
        Next::RollBack { why } => {
            note(tx, format!("{why}: rolling back (--auto-rollback)…")).await;
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
            Err(("rolled-back", format!("{why}; rolled back to {}", plan.to_image), exit::FAILED))
        }
    }
}
