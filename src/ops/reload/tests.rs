use super::*;
use okg_domain::reload_plan::Answer;
use std::sync::atomic::{AtomicUsize, Ordering};
// Virtual time: every test here runs on the paused clock.
use tokio::time::Instant;

/// A fake cluster: each pod answers from its script (one `Attempt` per call, the last one
/// repeating), after `latency`. It counts calls and the most attempts in flight at once.
#[derive(Default)]
struct Fake {
    latency: Duration,
    scripts: HashMap<String, Vec<Attempt>>,
    panics: Vec<String>,
    calls: Mutex<HashMap<String, usize>>,
    in_flight: Arc<AtomicUsize>,
    peak: AtomicUsize,
}

struct InFlight(Arc<AtomicUsize>);
impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Fake {
    fn new(latency_ms: u64) -> Self {
        Self { latency: Duration::from_millis(latency_ms), ..Default::default() }
    }
    fn script(mut self, pod: &str, attempts: Vec<Attempt>) -> Self {
        self.scripts.insert(pod.into(), attempts);
        self
    }
    fn calls(&self, pod: &str) -> usize {
        self.calls.lock().unwrap().get(pod).copied().unwrap_or(0)
    }
    fn total_calls(&self) -> usize {
        self.calls.lock().unwrap().values().sum()
    }
}

impl ReloadTransport for Fake {
    fn attempt(
        &self,
        target: &ReloadTarget,
        _method: &ReloadMethod,
        lines: mpsc::Sender<Line>,
    ) -> BoxFuture<'static, Attempt> {
        let n = {
            let mut calls = self.calls.lock().unwrap();
            let c = calls.entry(target.pod.clone()).or_default();
            *c += 1;
            *c
        };
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        let guard = InFlight(self.in_flight.clone());
        let script = self.scripts.get(&target.pod).cloned().unwrap_or_default();
        let answer = script.get(n - 1).or(script.last()).cloned().unwrap_or(Attempt::Exited(0));
        let panics = self.panics.contains(&target.pod);
        let latency = self.latency;
        let pod = target.pod.clone();
        Box::pin(async move {
            let _guard = guard;
            let _ = lines.send((OutputStream::Stdout, format!("hello from {pod}"))).await;
            tokio::time::sleep(latency).await;
            if panics {
                panic!("fake transport panics for {pod}");
            }
            if let Attempt::Exited(c) = answer
                && c != 0
            {
                let _ = lines.send((OutputStream::Stderr, format!("reload failed: {c}"))).await;
            }
            answer
        })
    }
}

fn targets(n: usize) -> Vec<ReloadTarget> {
    (0..n).map(|i| ReloadTarget::new("default", format!("gss-{i}"))).collect()
}

fn plan(limits: Limits) -> ReloadPlan {
    ReloadPlan { method: ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap(), limits }
}

/// Run and collect every event (the receiver is drained concurrently, as a UI would).
async fn go(
    fake: Arc<Fake>,
    limits: Limits,
    feed: TargetFeed,
    cancel: CancellationToken,
    audit: Option<AuditContext>,
) -> (ReloadReport, Vec<ReloadEvent>) {
    let (tx, mut rx) = mpsc::channel(16);
    let collector = tokio::spawn(async move {
        let mut events = vec![];
        while let Some(e) = rx.recv().await {
            events.push(e);
        }
        events
    });
    let report = run(fake, plan(limits), feed, tx, cancel, audit).await;
    (report, collector.await.unwrap())
}

fn result_of<'a>(r: &'a ReloadReport, pod: &str) -> &'a PodResult {
    &r.results.iter().find(|t| t.target.pod == pod).unwrap().result
}

#[tokio::test(start_paused = true)]
async fn every_pod_succeeds_within_the_parallel_limit() {
    let fake = Arc::new(Fake::new(20));
    let limits = Limits { parallel: 4, ..Default::default() };
    let (report, events) =
        go(fake.clone(), limits, targets(20).into(), CancellationToken::new(), None).await;
    assert_eq!(report.summary.total, 20);
    assert!(report.summary.all_succeeded(), "{}", report.summary);
    assert_eq!(fake.peak.load(Ordering::SeqCst), 4);
    assert_eq!(fake.total_calls(), 20);
    // Results come back in queue order, with the pod's output.
    let names: Vec<&str> = report.results.iter().map(|r| r.target.pod.as_str()).collect();
    assert_eq!(names, targets(20).iter().map(|t| t.pod.as_str()).collect::<Vec<_>>());
    let PodResult::Succeeded { answer, output, attempts, .. } = result_of(&report, "gss-7") else {
        panic!()
    };
    assert_eq!((answer, *attempts), (&Answer::Exit(0), 1));
    assert_eq!(output.stdout, ["hello from gss-7"]);
    // Every output line is an event with its pod's name.
    let outputs = events
        .iter()
        .filter(|e| matches!(e, ReloadEvent::Output { pod, line, .. } if line == &format!("hello from {pod}")))
        .count();
    assert_eq!(outputs, 20);
    let finished = events.iter().filter(|e| matches!(e, ReloadEvent::Finished { .. })).count();
    assert_eq!(finished, 20);
    assert!(matches!(events.last(), Some(ReloadEvent::Summary { .. })));
}

#[tokio::test(start_paused = true)]
async fn failing_pods_report_their_exit_codes_and_the_rest_succeed() {
    let fake = Fake::new(5)
        .script("gss-2", vec![Attempt::Exited(1)])
        .script("gss-5", vec![Attempt::Exited(42)]);
    let fake = Arc::new(fake);
    let (report, _) =
        go(fake.clone(), Limits::default(), targets(8).into(), CancellationToken::new(), None)
            .await;
    assert_eq!((report.summary.succeeded, report.summary.failed), (6, 2));
    let PodResult::Failed { failure, output, attempts, .. } = result_of(&report, "gss-5") else {
        panic!()
    };
    assert_eq!((failure, *attempts), (&Failure::Exit(42), 1));
    assert_eq!(output.stderr, ["reload failed: 42"]);
    assert_eq!(fake.calls("gss-2"), 1, "a command that ran is never retried");
    assert!(report.stopped.is_none());
}

#[tokio::test(start_paused = true)]
async fn the_failure_threshold_skips_the_rest() {
    let fake = Fake::new(2)
        .script("gss-1", vec![Attempt::Exited(1)])
        .script("gss-3", vec![Attempt::Exited(2)]);
    let fake = Arc::new(fake);
    let limits = Limits { parallel: 1, max_failures: Some(2), ..Default::default() };
    let (report, events) =
        go(fake.clone(), limits, targets(10).into(), CancellationToken::new(), None).await;
    assert_eq!(report.summary.failed, 2);
    assert_eq!(report.summary.succeeded, 2);
    assert_eq!(report.summary.skipped, 6);
    assert_eq!(report.stopped, Some(StopReason::Threshold { failures: 2 }));
    for i in 4..10 {
        let pod = format!("gss-{i}");
        assert_eq!(
            result_of(&report, &pod),
            &PodResult::Skipped { reason: "failure threshold reached (2 failed)".into() }
        );
        assert_eq!(fake.calls(&pod), 0, "{pod} must not have been started");
    }
    assert!(events.iter().any(|e| matches!(e, ReloadEvent::Stopping { .. })));
}

#[tokio::test(start_paused = true)]
async fn a_failed_canary_batch_stops_the_run() {
    let fake = Arc::new(Fake::new(2).script("gss-1", vec![Attempt::Exited(1)]));
    let limits = Limits { parallel: 8, batch: Some(3), ..Default::default() };
    let (report, events) =
        go(fake.clone(), limits, targets(9).into(), CancellationToken::new(), None).await;
    assert_eq!((report.summary.succeeded, report.summary.failed), (2, 1));
    assert_eq!(report.summary.skipped, 6);
    assert_eq!(
        result_of(&report, "gss-8"),
        &PodResult::Skipped { reason: "canary batch failed (1 of 3)".into() }
    );
    assert_eq!(fake.total_calls(), 3);
    assert!(events.contains(&ReloadEvent::BatchDone { index: 0, succeeded: 2, failed: 1 }));
}

#[tokio::test(start_paused = true)]
async fn batches_run_in_turn_with_a_pause_between() {
    let fake = Arc::new(Fake::new(5));
    let limits = Limits {
        parallel: 8,
        batch: Some(2),
        pause: Duration::from_millis(60),
        ..Default::default()
    };
    let started = Instant::now();
    let (report, events) =
        go(fake.clone(), limits, targets(5).into(), CancellationToken::new(), None).await;
    assert!(report.summary.all_succeeded());
    assert_eq!(fake.peak.load(Ordering::SeqCst), 2, "a batch bounds parallelism");
    let pauses = events.iter().filter(|e| matches!(e, ReloadEvent::Pausing { .. })).count();
    assert_eq!(pauses, 2, "between batches 0-1 and 1-2, none after the last");
    assert!(started.elapsed() >= Duration::from_millis(120));
    // No pod of batch 1 starts before batch 0 is done.
    let pos = |pred: &dyn Fn(&ReloadEvent) -> bool| events.iter().position(pred).unwrap();
    let batch0_done = pos(&|e| matches!(e, ReloadEvent::BatchDone { index: 0, .. }));
    let gss2_started = pos(&|e| matches!(e, ReloadEvent::Started { pod } if pod == "gss-2"));
    assert!(batch0_done < gss2_started);
}

#[tokio::test(start_paused = true)]
async fn transient_api_errors_are_retried_with_backoff() {
    let busy = Attempt::Refused { status: 503, message: "busy".into() };
    let fake = Fake::new(1)
        .script("gss-0", vec![busy.clone(), busy, Attempt::Exited(0)])
        .script("gss-1", vec![Attempt::NotConnected("connection reset".into())])
        .script("gss-2", vec![Attempt::Refused { status: 403, message: "forbidden".into() }]);
    let fake = Arc::new(fake);
    let limits = Limits { retries: 2, ..Default::default() };
    let (report, events) =
        go(fake.clone(), limits, targets(3).into(), CancellationToken::new(), None).await;
    let PodResult::Succeeded { attempts, .. } = result_of(&report, "gss-0") else { panic!() };
    assert_eq!(*attempts, 3);
    let PodResult::Failed { failure: Failure::Error(m), attempts, .. } =
        result_of(&report, "gss-1")
    else {
        panic!()
    };
    assert_eq!(*attempts, 3);
    assert!(m.contains("gave up after 3 attempts"), "{m}");
    assert_eq!(fake.calls("gss-2"), 1, "403 is not transient");
    let retries = events.iter().filter(|e| matches!(e, ReloadEvent::Retrying { .. })).count();
    assert_eq!(retries, 4);
}

#[tokio::test(start_paused = true)]
async fn a_slow_pod_times_out_and_is_aborted() {
    let fake = Arc::new(Fake::new(5_000));
    let limits = Limits { timeout: Duration::from_millis(50), ..Default::default() };
    let started = Instant::now();
    let (report, _) =
        go(fake.clone(), limits, targets(3).into(), CancellationToken::new(), None).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(report.summary.failed, 3);
    let PodResult::Failed { failure, output, .. } = result_of(&report, "gss-0") else { panic!() };
    assert_eq!(failure, &Failure::Timeout);
    assert_eq!(output.stdout, ["hello from gss-0"], "output before the timeout is kept");
    assert_eq!(fake.in_flight.load(Ordering::SeqCst), 0, "the attempts were dropped");
}

/// Every target ends in exactly one final state, reported once: one `Finished` event per pod,
/// carrying the result the report has, and the summary's counts add up to the targets.
fn assert_one_final_state_each(report: &ReloadReport, events: &[ReloadEvent], n: usize) {
    let pods: Vec<&str> = report.results.iter().map(|r| r.target.pod.as_str()).collect();
    let names: Vec<String> = targets(n).into_iter().map(|t| t.pod).collect();
    assert_eq!(pods, names, "one result per target, in queue order");
    for r in &report.results {
        let finished: Vec<&PodResult> = events
            .iter()
            .filter_map(|e| match e {
                ReloadEvent::Finished { pod, result } if pod == &r.target.pod => Some(result),
                _ => None,
            })
            .collect();
        assert_eq!(finished, [&r.result], "{} is reported exactly once", r.target.pod);
    }
    let s = &report.summary;
    assert_eq!(*s, Summary::of(report.results.iter().map(|r| &r.result)));
    assert_eq!((s.total, s.succeeded + s.failed + s.cancelled + s.skipped), (n, n));
}

#[tokio::test(start_paused = true)]
async fn cancel_gives_every_target_a_final_result() {
    let fake = Arc::new(Fake::new(10_000));
    let limits = Limits { parallel: 3, ..Default::default() };
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        c.cancel();
    });
    let started = Instant::now();
    let (report, events) = go(fake.clone(), limits, targets(10).into(), cancel, None).await;
    assert!(started.elapsed() < Duration::from_secs(10), "the run ends at the cancel");
    assert_one_final_state_each(&report, &events, 10);
    assert_eq!(report.stopped, Some(StopReason::Cancelled));
    // No pod can finish its 10 s before the cancel: a pod that started ends cancelled, one that
    // did not is skipped, and no more than `parallel` started.
    let ran: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            ReloadEvent::Started { pod } => Some(pod.as_str()),
            _ => None,
        })
        .collect();
    assert!((1..=3).contains(&ran.len()), "started: {ran:?}");
    assert_eq!(fake.total_calls(), ran.len());
    for r in &report.results {
        if ran.contains(&r.target.pod.as_str()) {
            assert!(matches!(r.result, PodResult::Cancelled { .. }), "{:?}", r.result);
        } else {
            assert_eq!(r.result, PodResult::Skipped { reason: "cancelled before start".into() });
        }
    }
    assert_eq!(fake.in_flight.load(Ordering::SeqCst), 0, "the attempts were dropped");
}

#[tokio::test(start_paused = true)]
async fn targets_can_be_fed_incrementally() {
    let fake = Arc::new(Fake::new(5).script("gss-4", vec![Attempt::Exited(3)]));
    let (tx, feed) = target_channel(4);
    let feeder = tokio::spawn(async move {
        for t in targets(6) {
            tokio::time::sleep(Duration::from_millis(10)).await;
            tx.send(t).await.unwrap();
        }
    });
    let limits = Limits { parallel: 2, ..Default::default() };
    let (report, _) = go(fake.clone(), limits, feed, CancellationToken::new(), None).await;
    feeder.await.unwrap();
    assert_eq!(report.summary.total, 6);
    assert_eq!((report.summary.succeeded, report.summary.failed), (5, 1));
}

#[tokio::test(start_paused = true)]
async fn targets_arriving_after_a_stop_are_skipped() {
    let fake = Arc::new(Fake::new(1).script("gss-0", vec![Attempt::Exited(1)]));
    let (tx, feed) = target_channel(1);
    let feeder = tokio::spawn(async move {
        for t in targets(4) {
            tx.send(t).await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let limits = Limits { max_failures: Some(1), ..Default::default() };
    let (report, _) = go(fake.clone(), limits, feed, CancellationToken::new(), None).await;
    feeder.await.unwrap();
    assert_eq!((report.summary.failed, report.summary.skipped), (1, 3));
    assert_eq!(fake.total_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_transport_still_yields_a_result() {
    let mut fake = Fake::new(1);
    fake.panics.push("gss-1".into());
    let (report, _) =
        go(Arc::new(fake), Limits::default(), targets(3).into(), CancellationToken::new(), None)
            .await;
    assert_eq!((report.summary.succeeded, report.summary.failed), (2, 1));
    let PodResult::Failed { failure: Failure::Error(m), .. } = result_of(&report, "gss-1") else {
        panic!()
    };
    assert!(m.contains("internal error"), "{m}");
}

#[tokio::test(start_paused = true)]
async fn the_run_and_every_outcome_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let audit = AuditContext {
        log: AuditLog::new(&path),
        user: "alice".into(),
        context: "ctx".into(),
        namespace: "default".into(),
    };
    let fake = Arc::new(Fake::new(1).script("gss-1", vec![Attempt::Exited(7)]));
    let (report, _) =
        go(fake, Limits::default(), targets(3).into(), CancellationToken::new(), Some(audit)).await;
    assert!(report.audit_error.is_none());
    let records = AuditLog::read_all(&path).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["action"], "reload");
    assert_eq!(records[0]["outcome"], "started");
    assert_eq!(records[0]["request"]["method"]["exec"]["argv"][0], "nginx");
    assert_eq!(records[1]["outcome"]["pods"]["gss-1"]["failure"]["exit"], 7);
    assert_eq!(records[1]["outcome"]["pods"]["gss-2"]["result"], "succeeded");
    assert_eq!(records[1]["outcome"]["summary"]["failed"], 1);
}
