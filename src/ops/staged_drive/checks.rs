//! The checks of one stage: its pods' verdicts (and reloads, when the run reloads), then the
//! soak. Also the stage a crash cut off, judged from what its pods are now.
use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::{DriveOptions, note};
use crate::ops::bump::{self, Applied, BumpEvent, FollowOptions, OpsContext};
use crate::ops::chain::{self, ReloadRequest};
use crate::ops::reload::{self, AuditContext, KubeTransport, ReloadPlan};
use okg_domain::bump_plan::raised_to;
use okg_domain::reload_plan::{ReloadMethod, ReloadTarget};
use okg_domain::rollout::{Baseline, Verdict};
use okg_domain::staged_rollout::{self as staged, RolloutRecord, StageResult, judge_after_restart};

fn follow_options(ctx: &OpsContext, options: &DriveOptions) -> FollowOptions {
    FollowOptions {
        timeout: options.timeout,
        stall_after: (options.timeout / 2).min(std::time::Duration::from_secs(120)),
        fail_after: options.fail_after,
        cancel: ctx.cancel.clone(),
        feed: ctx.feed.clone(),
        ..FollowOptions::default()
    }
}

fn reload_request(record: &RolloutRecord) -> Option<ReloadRequest> {
    let spec = record.reload.as_ref()?;
    let method = match (&spec.exec[..], &spec.http) {
        ([], Some(h)) => ReloadMethod::parse_http(h).ok()?,
        (words, _) if !words.is_empty() => ReloadMethod::exec(words.to_vec()).ok()?,
        _ => return None,
    };
    Some(ReloadRequest { method, container: spec.container.clone(), limits: spec.limits() })
}

/// Follow the stage's pods to their verdicts, reloading each as it lands when the run reloads,
/// then soak. `None` when the cancel cut it short (the record keeps the stage unfinished).
pub(super) async fn check_stage(
    ctx: &OpsContext,
    record: &RolloutRecord,
    applied: &Applied,
    options: &DriveOptions,
    tx: &mpsc::Sender<BumpEvent>,
) -> Option<StageResult> {
    let follow = follow_options(ctx, options);
    let targets = applied.plan.targets();
    note(tx, format!("Following {} pod(s) of {}…", targets.len(), record.stage_text())).await;
    let (report, reloads) = match (reload_request(record), &ctx.writer) {
        (Some(r), Some(writer)) => {
            let c = chain::run(ctx, writer, applied, &follow, &r, tx, options.unicode).await;
            let s = &c.reload.summary;
            let reload_failed = (s.failed + s.cancelled) as u32
                + c.not_reloaded
                    .keys()
                    .filter(|p| c.follow.verdicts.get(*p) == Some(&Verdict::InPlace))
                    .count() as u32;
            (c.follow.clone(), Some((s.succeeded as u32, reload_failed)))
        }
        _ => (bump::follow(&ctx.client, applied, &follow, tx).await, None),
    };
    if report.cancelled || ctx.cancel.is_cancelled() {
        return None;
    }
    let mut result = tally(&report.verdicts);
    if let Some((ok, failed)) = reloads {
        result.reloaded = ok;
        result.reload_failed = failed;
    }
    result.soak_failed = soak(ctx, &applied.plan.set, record, &targets, tx).await?;
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
/// when the cancel cut it short.
async fn soak(
    ctx: &OpsContext,
    set: &str,
    record: &RolloutRecord,
    pods: &[String],
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
        () = ctx.cancel.cancelled() => return None,
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
pub(super) async fn judge_interrupted(
    ctx: &OpsContext,
    set: &str,
    record: &RolloutRecord,
    options: &DriveOptions,
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
    let deadline = tokio::time::Instant::now() + options.timeout;
    let mut verdicts: BTreeMap<String, Verdict> = BTreeMap::new();
    // Judged again on each change the watches bring, and once more at the deadline.
    let mut feed = bump::SetFeed::open(&ctx.client, &ctx.namespace, set, &ctx.feed);
    loop {
        let late = tokio::time::Instant::now() >= deadline;
        let Some(now) = feed.look().snapshot else {
            if late {
                return None;
            }
            tokio::select! {
                () = feed.changed() => {}
                () = tokio::time::sleep_until(deadline) => {}
                () = ctx.cancel.cancelled() => return None,
            }
            continue;
        };
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
            () = feed.changed() => {}
            () = tokio::time::sleep_until(deadline), if !late => {}
            () = ctx.cancel.cancelled() => return None,
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
        let request = ReloadRequest { container, ..request };
        let (ok, failed) = reload_list(ctx, set, &request, &in_place, options, tx).await?;
        result.reloaded = ok;
        result.reload_failed = failed;
    }
    result.soak_failed = soak(ctx, set, record, &pods, tx).await?;
    Some(result)
}

/// Reload these pods (the interrupted stage's, once judged in place). (succeeded, failed).
async fn reload_list(
    ctx: &OpsContext,
    set: &str,
    request: &ReloadRequest,
    pods: &[String],
    options: &DriveOptions,
    tx: &mpsc::Sender<BumpEvent>,
) -> Option<(u32, u32)> {
    let writer = ctx.writer.as_ref()?;
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
        let unicode = options.unicode;
        async move {
            while let Some(e) = events_rx.recv().await {
                if let Some(line) = reload::event_line(&e, unicode) {
                    let _ = tx.send(BumpEvent::Note { message: format!("  reload {line}") }).await;
                }
            }
        }
    };
    let plan = ReloadPlan { method: request.method.clone(), limits: request.limits.clone() };
    let transport = Arc::new(KubeTransport::new(writer));
    let run =
        reload::run(transport, plan, targets.into(), events_tx, ctx.cancel.clone(), Some(audit));
    let (report, ()) = tokio::join!(run, forward);
    if ctx.cancel.is_cancelled() {
        return None;
    }
    let s = &report.summary;
    Some((s.succeeded as u32, (s.failed + s.skipped + s.cancelled) as u32))
}
