//! The reload executor, shared by `okg reload`, the TUI's reload view and a bump that reloads each
//! pod once it is confirmed in place.
//!
//! It carries out the decisions of `okg::reload_plan::Scheduler`: at most `parallel` pods at once,
//! batches with a pause between them (the first batch is the canary), a failure threshold, a
//! per-pod timeout, retries with backoff for transient API errors only, and cancellation. Targets
//! come as a fixed list or through a channel that closes when no more will come. Every target
//! ends with exactly one `PodResult`; nothing is left unknown.
//!
//! How one attempt on one pod is made is a `ReloadTransport`: `KubeTransport` (exec / pods-proxy
//! through the `Writer`) in real use, a fake in tests.
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::cluster::exec::{self, Line};
use crate::cluster::writer::Writer;
use crate::ops::audit::{AuditLog, AuditRecord, STARTED};
use okg_domain::reload_plan::{
    Attempt, AttemptVerdict, Failure, Limits, Next, OutputStream, OutputTail, PodResult,
    ReloadMethod, ReloadTarget, Scheduler, StopReason, Summary, backoff, classify,
};

/// Lines of each stream kept in a pod's result (all lines also go out as `ReloadEvent::Output`).
pub const TAIL_LINES: usize = 100;

/// Makes one attempt to reload one pod. The future must own what it needs ('static) so the
/// executor can run many at once; output lines go to `lines` as they arrive.
pub trait ReloadTransport: Send + Sync + 'static {
    fn attempt(
        &self,
        target: &ReloadTarget,
        method: &ReloadMethod,
        lines: mpsc::Sender<Line>,
    ) -> BoxFuture<'static, Attempt>;
}

/// The real transport: exec through pods/exec, HTTP through pods/proxy. Built from a `Writer`,
/// so a read-only session cannot build one.
#[derive(Clone)]
pub struct KubeTransport {
    writer: Writer,
}

impl KubeTransport {
    pub fn new(writer: &Writer) -> Self {
        Self { writer: writer.clone() }
    }
}

impl ReloadTransport for KubeTransport {
    fn attempt(
        &self,
        target: &ReloadTarget,
        method: &ReloadMethod,
        lines: mpsc::Sender<Line>,
    ) -> BoxFuture<'static, Attempt> {
        let writer = self.writer.clone();
        let target = target.clone();
        let method = method.clone();
        Box::pin(async move {
            match &method {
                ReloadMethod::Exec { argv } => {
                    exec::exec(
                        &writer,
                        &target.namespace,
                        &target.pod,
                        target.container.as_deref(),
                        argv,
                        lines,
                    )
                    .await
                }
                ReloadMethod::Http { port, path } => {
                    exec::http_get(&writer, &target.namespace, &target.pod, *port, path, lines)
                        .await
                }
            }
        })
    }
}

/// What to run and within which limits. Targets are given separately (`TargetFeed`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReloadPlan {
    pub method: ReloadMethod,
    pub limits: Limits,
}

/// Where targets come from: all at once, or one by one (e.g. from a bump as each pod's in-place
/// verdict arrives) until the sender is dropped.
pub enum TargetFeed {
    List(Vec<ReloadTarget>),
    Channel(mpsc::Receiver<ReloadTarget>),
}

impl From<Vec<ReloadTarget>> for TargetFeed {
    fn from(v: Vec<ReloadTarget>) -> Self {
        TargetFeed::List(v)
    }
}

/// A feed to push targets into; drop the sender when no more will come.
pub fn target_channel(capacity: usize) -> (mpsc::Sender<ReloadTarget>, TargetFeed) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (tx, TargetFeed::Channel(rx))
}

/// Progress, in the order it happens. Pods are named by `pod` (unique within a run's namespace).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ReloadEvent {
    /// A target joined the run (from the list, or later from the channel).
    Queued {
        pod: String,
    },
    Started {
        pod: String,
    },
    /// A transient API error; trying again after `delay_ms`.
    Retrying {
        pod: String,
        attempt: u32,
        reason: String,
        delay_ms: u64,
    },
    Output {
        pod: String,
        stream: OutputStream,
        line: String,
    },
    Finished {
        pod: String,
        result: PodResult,
    },
    /// Batch `index` (0 = canary) ended.
    BatchDone {
        index: usize,
        succeeded: usize,
        failed: usize,
    },
    Pausing {
        ms: u64,
    },
    /// No more pods will start; pending ones end as skipped.
    Stopping {
        reason: StopReason,
    },
    Summary {
        summary: Summary,
    },
}

/// Who runs this, for the audit log.
#[derive(Clone)]
pub struct AuditContext {
    pub log: AuditLog,
    pub user: String,
    pub context: String,
    pub namespace: String,
}

/// The outcome of a run: every target with its result, in the order they were queued.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReloadReport {
    pub method: ReloadMethod,
    pub limits: Limits,
    pub results: Vec<TargetResult>,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<StopReason>,
    pub elapsed_ms: u64,
    /// Set when the audit log could not be written (the run itself went ahead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetResult {
    #[serde(flatten)]
    pub target: ReloadTarget,
    #[serde(flatten)]
    pub result: PodResult,
}

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
    let run_id = crate::ops::audit::run_id();
    if let Some(a) = &audit {
        let request = serde_json::json!({
            "run": &run_id,
            "method": &plan.method,
            "limits": &plan.limits,
            "targets": pending.iter().map(|t| t.pod.clone()).collect::<Vec<_>>(),
            "more_targets_may_follow": input.is_some(),
        });
        audit_error = write_audit(a, request, serde_json::json!(STARTED)).err();
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
        let request =
            serde_json::json!({ "run": &run_id, "method": &plan.method, "limits": &plan.limits });
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

/// Everything one pod's task needs.
struct PodRun<T> {
    transport: Arc<T>,
    method: ReloadMethod,
    limits: Limits,
    progress: mpsc::Sender<ReloadEvent>,
    cancel: CancellationToken,
    jitter: Duration,
}

enum Ended {
    Verdict(Result<okg_domain::reload_plan::Answer, Failure>, u32),
    Timeout,
    Cancelled,
}

impl<T: ReloadTransport> PodRun<T> {
    async fn run(self, target: ReloadTarget) -> PodResult {
        let started = Instant::now();
        let tail = Mutex::new(OutputTail::default());
        let (tx, mut rx) = mpsc::channel::<Line>(64);
        let work = self.attempts(&target, tx);
        let forward = async {
            while let Some((stream, line)) = rx.recv().await {
                keep(&tail, stream, &line);
                let event = ReloadEvent::Output { pod: target.pod.clone(), stream, line };
                let _ = self.progress.send(event).await;
            }
        };
        let both = async {
            let (v, ()) = futures::join!(work, forward);
            v
        };
        let ended = tokio::select! {
            r = tokio::time::timeout(self.limits.timeout, both) => match r {
                Ok((verdict, attempts)) => Ended::Verdict(verdict, attempts),
                Err(_) => Ended::Timeout,
            },
            _ = self.cancel.cancelled() => Ended::Cancelled,
        };
        let duration = started.elapsed();
        let output = tail.into_inner().unwrap_or_else(|p| p.into_inner());
        match ended {
            Ended::Verdict(Ok(answer), attempts) => {
                PodResult::Succeeded { answer, duration, attempts, output }
            }
            Ended::Verdict(Err(failure), attempts) => {
                PodResult::Failed { failure, duration, attempts, output }
            }
            Ended::Timeout => {
                PodResult::Failed { failure: Failure::Timeout, duration, attempts: 0, output }
            }
            Ended::Cancelled => PodResult::Cancelled { duration, output },
        }
    }

    /// Attempts until a verdict; retries only what `classify` calls transient.
    async fn attempts(
        &self,
        target: &ReloadTarget,
        lines: mpsc::Sender<Line>,
    ) -> (Result<okg_domain::reload_plan::Answer, Failure>, u32) {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let outcome = self.transport.attempt(target, &self.method, lines.clone()).await;
            match classify(&outcome) {
                AttemptVerdict::Success(answer) => return (Ok(answer), attempt),
                AttemptVerdict::Fail(failure) => return (Err(failure), attempt),
                AttemptVerdict::Retry(reason) if attempt <= self.limits.retries => {
                    let delay = backoff(attempt) + self.jitter;
                    let event = ReloadEvent::Retrying {
                        pod: target.pod.clone(),
                        attempt: attempt + 1,
                        reason,
                        delay_ms: delay.as_millis() as u64,
                    };
                    let _ = self.progress.send(event).await;
                    tokio::time::sleep(delay).await;
                }
                AttemptVerdict::Retry(reason) => {
                    let msg = format!("{reason} (gave up after {attempt} attempts)");
                    return (Err(Failure::Error(msg)), attempt);
                }
            }
        }
    }
}

/// Keep the last `TAIL_LINES` lines of each stream.
fn keep(tail: &Mutex<OutputTail>, stream: OutputStream, line: &str) {
    let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
    let lines = match stream {
        OutputStream::Stdout => &mut t.stdout,
        OutputStream::Stderr => &mut t.stderr,
    };
    lines.push(line.to_string());
    if lines.len() > TAIL_LINES {
        lines.remove(0);
        t.dropped += 1;
    }
}

fn audit_outcome(r: &PodResult) -> serde_json::Value {
    match r {
        PodResult::Succeeded { answer, duration, .. } => {
            serde_json::json!({"result": "succeeded", "answer": answer, "duration_ms": duration.as_millis() as u64})
        }
        PodResult::Failed { failure, duration, .. } => {
            serde_json::json!({"result": "failed", "failure": failure, "duration_ms": duration.as_millis() as u64})
        }
        PodResult::Skipped { reason } => serde_json::json!({"result": "skipped", "reason": reason}),
        PodResult::Cancelled { duration, .. } => {
            serde_json::json!({"result": "cancelled", "duration_ms": duration.as_millis() as u64})
        }
    }
}

fn write_audit(
    a: &AuditContext,
    request: serde_json::Value,
    outcome: serde_json::Value,
) -> Result<(), String> {
    let record = AuditRecord {
        time: AuditRecord::now_rfc3339(),
        user: a.user.clone(),
        context: a.context.clone(),
        namespace: a.namespace.clone(),
        target: "pods".into(),
        action: "reload".into(),
        request,
        outcome,
    };
    a.log.record(&record).map_err(|e| format!("audit log {}: {e}", a.log.path().display()))
}

#[cfg(test)]
mod tests;

mod lines;
pub use lines::event_line;
