//! The executor: queues targets, asks the scheduler what to do next, starts pods' tasks and
//! collects their results, pauses between batches, stops and cancels.
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::audit::{AuditContext, audit_outcome, write_audit};
use super::events::{ReloadEvent, ReloadReport, TargetResult};
use super::feed::{ReloadPlan, TargetFeed};
use super::pod::PodRun;
use super::transport::ReloadTransport;
use okg_domain::reload_plan::{
    Failure, Next, OutputTail, PodResult, ReloadTarget, Scheduler, StopReason, Summary,
};

/// Run a reload. Returns when every target has a result: all ran, or the run stopped (threshold,
/// failed canary) and the rest were skipped, or `cancel` fired (running pods end `Cancelled`,
/// pending ones `Skipped`). Progress goes to `progress`; a dropped receiver does not stop the
/// run, but a full one slows it (consumers should drain promptly).
pub async fn run<T: ReloadTransport>(
    transport: Arc<T>,
    plan: ReloadPlan,
    feed: TargetFeed,
    progress: mpsc::Sender<ReloadEvent>,
    cancel: CancellationToken,
    audit: Option<AuditContext>,
) -> ReloadReport {
    let started_at = Instant::now();
    let mut audit_error = None;
    let (mut pending, mut input) = match feed {
        TargetFeed::List(v) => (VecDeque::from(v), None),
        TargetFeed::Channel(rx) => (VecDeque::new(), Some(rx)),
    };
    if let Some(a) = &audit {
        let request = serde_json::json!({
            "method": &plan.method,
            "limits": &plan.limits,
            "targets": pending.iter().map(|t| t.pod.clone()).collect::<Vec<_>>(),
            "more_targets_may_follow": input.is_some(),
        });
        audit_error = write_audit(a, request, serde_json::json!("started")).err();
    }

    let mut run = Run {
        plan: &plan,
        transport,
        progress: progress.clone(),
        cancel: cancel.clone(),
        targets: Vec::new(),
        results: Vec::new(),
        tasks: JoinSet::new(),
        task_index: HashMap::new(),
        scheduler: Scheduler::new(plan.limits.clone()),
        announced_stop: false,
        batch_ok: 0,
        batch_failed: 0,
    };
    // Queue the list targets up front so every one of them is known (and reported) from the start.
    let mut queue: VecDeque<usize> = VecDeque::new();
    for t in pending.drain(..) {
        queue.push_back(run.register(t).await);
    }

    loop {
        // Take whatever targets are already waiting without blocking.
        if let Some(rx) = input.as_mut() {
            loop {
                match rx.try_recv() {
                    Ok(t) => queue.push_back(run.register(t).await),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => {
                        input = None;
                        break;
                    }
                }
            }
        }
        if cancel.is_cancelled() && run.scheduler.stopped() != Some(&StopReason::Cancelled) {
            run.scheduler.cancel();
            // Refuse further targets; those already sent still get a result.
            if let Some(mut rx) = input.take() {
                rx.close();
                while let Some(t) = rx.recv().await {
                    queue.push_back(run.register(t).await);
                }
            }
        }
        match run.scheduler.next(!queue.is_empty(), input.is_none()) {
            Next::Start => {
                let i = queue.pop_front().expect("scheduler saw a pending target");
                run.start(i).await;
                continue;
            }
            Next::Stop(reason) => {
                if !run.announced_stop {
                    run.announced_stop = true;
                    let _ = progress.send(ReloadEvent::Stopping { reason: reason.clone() }).await;
                }
                if !queue.is_empty() {
                    while let Some(i) = queue.pop_front() {
                        let result = PodResult::Skipped { reason: reason.skip_reason() };
                        run.finish(i, result, false).await;
                    }
                    // Ask again: with nothing running and no input left, the run is done.
                    continue;
                }
            }
            Next::BatchDone { index } => {
                let _ = progress
                    .send(ReloadEvent::BatchDone {
                        index,
                        succeeded: run.batch_ok,
                        failed: run.batch_failed,
                    })
                    .await;
                run.batch_ok = 0;
                run.batch_failed = 0;
                let more = !queue.is_empty() || input.is_some();
                let pause = plan.limits.pause;
                if more && !pause.is_zero() && !run.scheduler.canary_failed_now() {
                    let _ =
                        progress.send(ReloadEvent::Pausing { ms: pause.as_millis() as u64 }).await;
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = cancel.cancelled() => {}
                    }
                }
                run.scheduler.next_batch();
                continue;
            }
            Next::Done => break,
            Next::Wait => {}
        }
        // Wait for something to change: a pod finished, a target arrived, or a cancel.
        let cancelled = run.scheduler.stopped() == Some(&StopReason::Cancelled);
        tokio::select! {
            Some(joined) = run.tasks.join_next_with_id(), if !run.tasks.is_empty() => {
                run.joined(joined).await;
            }
            t = recv(&mut input), if input.is_some() => match t {
                Some(t) => queue.push_back(run.register(t).await),
                None => input = None,
            },
            _ = cancel.cancelled(), if !cancelled => {}
        }
    }

    let results: Vec<TargetResult> = run
        .targets
        .into_iter()
        .zip(run.results)
        .map(|(target, result)| TargetResult {
            target,
            result: result.unwrap_or_else(|| PodResult::Failed {
                // Unreachable by construction (Done waits for every task); kept total anyway.
                failure: Failure::Error("internal error: no result recorded".into()),
                duration: Duration::ZERO,
                attempts: 0,
                output: OutputTail::default(),
            }),
        })
        .collect();
    let summary = Summary::of(results.iter().map(|r| &r.result));
    let stopped = run.scheduler.stopped().cloned();
    let _ = progress.send(ReloadEvent::Summary { summary: summary.clone() }).await;
    if let Some(a) = &audit {
        let pods: serde_json::Map<String, serde_json::Value> =
            results.iter().map(|r| (r.target.pod.clone(), audit_outcome(&r.result))).collect();
        let outcome = serde_json::json!({ "summary": &summary, "stopped": &stopped, "pods": pods });
        let request = serde_json::json!({ "method": &plan.method, "limits": &plan.limits });
        if let Err(e) = write_audit(a, request, outcome) {
            audit_error.get_or_insert(e);
        }
    }
    ReloadReport {
        method: plan.method.clone(),
        limits: plan.limits.clone(),
        results,
        summary,
        stopped,
        elapsed_ms: started_at.elapsed().as_millis() as u64,
        audit_error,
    }
}

async fn recv(input: &mut Option<mpsc::Receiver<ReloadTarget>>) -> Option<ReloadTarget> {
    match input {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// The executor's state for one run.
struct Run<'p, T> {
    plan: &'p ReloadPlan,
    transport: Arc<T>,
    progress: mpsc::Sender<ReloadEvent>,
    cancel: CancellationToken,
    targets: Vec<ReloadTarget>,
    results: Vec<Option<PodResult>>,
    tasks: JoinSet<(usize, PodResult)>,
    task_index: HashMap<tokio::task::Id, usize>,
    scheduler: Scheduler,
    announced_stop: bool,
    batch_ok: usize,
    batch_failed: usize,
}

impl<T: ReloadTransport> Run<'_, T> {
    async fn register(&mut self, t: ReloadTarget) -> usize {
        let _ = self.progress.send(ReloadEvent::Queued { pod: t.pod.clone() }).await;
        self.targets.push(t);
        self.results.push(None);
        self.targets.len() - 1
    }

    async fn start(&mut self, i: usize) {
        self.scheduler.started();
        let target = self.targets[i].clone();
        let _ = self.progress.send(ReloadEvent::Started { pod: target.pod.clone() }).await;
        let pod = PodRun {
            transport: self.transport.clone(),
            method: self.plan.method.clone(),
            limits: self.plan.limits.clone(),
            progress: self.progress.clone(),
            cancel: self.cancel.clone(),
            // Spread retries of a throttled burst over 0-90 ms instead of all at once.
            jitter: Duration::from_millis((i as u64 * 37) % 97),
        };
        let handle = self.tasks.spawn(async move { (i, pod.run(target).await) });
        self.task_index.insert(handle.id(), i);
    }

    async fn joined(
        &mut self,
        joined: Result<(tokio::task::Id, (usize, PodResult)), tokio::task::JoinError>,
    ) {
        let (i, result) = match joined {
            Ok((id, (i, result))) => {
                self.task_index.remove(&id);
                (i, result)
            }
            Err(e) => {
                // A panicking transport must not leave its pod without a result.
                let i = self.task_index.remove(&e.id()).expect("every task is indexed");
                let failure = Failure::Error(format!("internal error: {e}"));
                (
                    i,
                    PodResult::Failed {
                        failure,
                        duration: Duration::ZERO,
                        attempts: 0,
                        output: OutputTail::default(),
                    },
                )
            }
        };
        self.finish(i, result, true).await;
    }

    async fn finish(&mut self, i: usize, result: PodResult, was_started: bool) {
        if was_started {
            self.scheduler.finished(&result);
            match &result {
                PodResult::Succeeded { .. } => self.batch_ok += 1,
                PodResult::Failed { .. } => self.batch_failed += 1,
                _ => {}
            }
        }
        let pod = self.targets[i].pod.clone();
        self.results[i] = Some(result.clone());
        let _ = self.progress.send(ReloadEvent::Finished { pod, result }).await;
    }
}
