//! `okg reload` and `ops::reload` against the demo cluster: real exec over WebSocket and real
//! pods/proxy calls through kube-rs, with the demo counting what it served.
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Patch, PatchParams};
use okg_console::cluster::writer::Writer;
use okg_console::ops::reload::{self, KubeTransport, ReloadEvent, ReloadPlan, ReloadReport};
use okg_demo::{DemoCluster, VIEWER_TOKEN};
use okg_domain::reload_plan::{
    Answer, Failure, Limits, PodResult, ReloadMethod, ReloadTarget, StopReason,
};
use okg_domain::types::{GameServerSet, annotations};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::support::{NS, bare_fleet};

fn pod_targets(n: i32) -> Vec<ReloadTarget> {
    (0..n)
        .map(|i| ReloadTarget {
            namespace: NS.into(),
            pod: format!("gss-2048-{i}"),
            container: Some("app-2048".into()),
            set: Some("gss-2048".into()),
        })
        .collect()
}

async fn fail_reload(demo: &DemoCluster, pod: &str, why: &str) {
    let pods: Api<Pod> = Api::namespaced(demo.client().unwrap(), NS);
    let patch = json!({"metadata": {"annotations": {annotations::DEMO_FAIL_RELOAD: why}}});
    pods.patch(pod, &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();
}

async fn reload_with(
    demo: &DemoCluster,
    method: ReloadMethod,
    limits: Limits,
    targets: Vec<ReloadTarget>,
    cancel: CancellationToken,
) -> (ReloadReport, Vec<ReloadEvent>) {
    let transport = Arc::new(KubeTransport::new(&Writer::new(demo.client().unwrap())));
    let (tx, mut rx) = mpsc::channel(256);
    let events = tokio::spawn(async move {
        let mut v = vec![];
        while let Some(e) = rx.recv().await {
            v.push(e);
        }
        v
    });
    let plan = ReloadPlan { method, limits };
    let report = reload::run(transport, plan, targets.into(), tx, cancel, None).await;
    (report, events.await.unwrap())
}

fn nginx() -> ReloadMethod {
    ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap()
}

fn result<'a>(r: &'a ReloadReport, pod: &str) -> &'a PodResult {
    &r.results.iter().find(|t| t.target.pod == pod).expect(pod).result
}

#[tokio::test]
async fn every_pod_succeeds_and_parallelism_stays_within_the_limit() {
    let demo = bare_fleet(24, 40).await;
    let limits = Limits { parallel: 5, ..Default::default() };
    let (report, events) =
        reload_with(&demo, nginx(), limits, pod_targets(24), CancellationToken::new()).await;
    assert!(report.summary.all_succeeded(), "{}", report.summary);
    assert_eq!(report.summary.total, 24);
    let PodResult::Succeeded { answer, output, .. } = result(&report, "gss-2048-7") else {
        panic!("{:?}", result(&report, "gss-2048-7"))
    };
    assert_eq!(answer, &Answer::Exit(0));
    assert_eq!(output.stdout, ["reloaded scripts from sidecar v1"]);
    let peak = demo.stats.reloads_peak();
    assert!(peak <= 5, "the demo saw {peak} reloads at once");
    assert!(peak >= 2, "reloads did not overlap at all (peak {peak})");
    assert_eq!(demo.stats.reloads_total.load(Ordering::SeqCst), 24);
    let lines = events
        .iter()
        .filter(|e| {
            matches!(e, ReloadEvent::Output { pod, line, .. }
            if pod.starts_with("gss-2048-") && line.starts_with("reloaded scripts"))
        })
        .count();
    assert_eq!(lines, 24);
    demo.shutdown().await;
}

#[tokio::test]
async fn chosen_pods_fail_with_their_exit_codes_and_the_rest_succeed() {
    let demo = bare_fleet(8, 5).await;
    fail_reload(&demo, "gss-2048-2", "config test failed").await;
    fail_reload(&demo, "gss-2048-5", "disk full").await;
    let (report, _) =
        reload_with(&demo, nginx(), Limits::default(), pod_targets(8), CancellationToken::new())
            .await;
    assert_eq!((report.summary.succeeded, report.summary.failed), (6, 2));
    let PodResult::Failed { failure, output, attempts, .. } = result(&report, "gss-2048-5") else {
        panic!()
    };
    assert_eq!((failure, *attempts), (&Failure::Exit(1), 1));
    assert_eq!(output.stderr, ["reload failed: disk full"]);
    assert!(result(&report, "gss-2048-4").is_success());
    // Other exit codes come through as well.
    let exit3 = ReloadMethod::exec(["sh", "-c", "exit 3"]).unwrap();
    let (report, _) =
        reload_with(&demo, exit3, Limits::default(), pod_targets(1), CancellationToken::new())
            .await;
    assert!(matches!(
        result(&report, "gss-2048-0"),
        PodResult::Failed { failure: Failure::Exit(3), .. }
    ));
    demo.shutdown().await;
}

#[tokio::test]
async fn the_failure_threshold_stops_new_starts() {
    let demo = bare_fleet(10, 5).await;
    fail_reload(&demo, "gss-2048-1", "a").await;
    fail_reload(&demo, "gss-2048-3", "b").await;
    let limits = Limits { parallel: 1, max_failures: Some(2), ..Default::default() };
    let (report, _) =
        reload_with(&demo, nginx(), limits, pod_targets(10), CancellationToken::new()).await;
    assert_eq!(report.stopped, Some(StopReason::Threshold { failures: 2 }));
    assert_eq!(
        (report.summary.succeeded, report.summary.failed, report.summary.skipped),
        (2, 2, 6)
    );
    assert_eq!(
        result(&report, "gss-2048-9"),
        &PodResult::Skipped { reason: "failure threshold reached (2 failed)".into() }
    );
    assert_eq!(demo.stats.reloads_total.load(Ordering::SeqCst), 4, "skipped pods were not touched");
    demo.shutdown().await;
}

#[tokio::test]
async fn http_reload_through_the_pod_proxy() {
    let demo = bare_fleet(6, 5).await;
    fail_reload(&demo, "gss-2048-4", "bad config").await;
    let method = ReloadMethod::parse_http("3000/reload").unwrap();
    let (report, _) =
        reload_with(&demo, method, Limits::default(), pod_targets(6), CancellationToken::new())
            .await;
    assert_eq!((report.summary.succeeded, report.summary.failed), (5, 1));
    let PodResult::Succeeded { answer, output, .. } = result(&report, "gss-2048-0") else {
        panic!()
    };
    assert_eq!(answer, &Answer::HttpStatus(200));
    assert_eq!(output.stdout, ["reloaded scripts from sidecar v1"]);
    let PodResult::Failed { failure, output, .. } = result(&report, "gss-2048-4") else { panic!() };
    assert_eq!(failure, &Failure::HttpStatus(500));
    assert_eq!(output.stdout, ["reload failed: bad config"]);
    // A port nothing listens on: the API server's 502, not retried, reported as an error.
    let wrong = ReloadMethod::parse_http("8080/reload").unwrap();
    let (report, _) =
        reload_with(&demo, wrong, Limits::default(), pod_targets(1), CancellationToken::new())
            .await;
    let PodResult::Failed { failure: Failure::Error(m), attempts, .. } =
        result(&report, "gss-2048-0")
    else {
        panic!()
    };
    assert!(m.contains("502"), "{m}");
    assert_eq!(*attempts, 1);
    demo.shutdown().await;
}

/// Every target ends in exactly one final state, reported once: one `Finished` event per pod with
/// the report's result, no pod started twice, and the summary's counts add up to the targets.
fn assert_each_target_ends_once(report: &ReloadReport, events: &[ReloadEvent], n: i32) {
    let names: Vec<String> = pod_targets(n).into_iter().map(|t| t.pod).collect();
    let pods: Vec<&String> = report.results.iter().map(|r| &r.target.pod).collect();
    assert_eq!(pods, names.iter().collect::<Vec<_>>(), "one result per target, in order");
    for r in &report.results {
        let pod = &r.target.pod;
        let finished: Vec<&PodResult> = events
            .iter()
            .filter_map(|e| match e {
                ReloadEvent::Finished { pod: p, result } if p == pod => Some(result),
                _ => None,
            })
            .collect();
        assert_eq!(finished, [&r.result], "{pod}: one final state, reported once");
        let starts = events
            .iter()
            .filter(|e| matches!(e, ReloadEvent::Started { pod: p } if p == pod))
            .count();
        assert!(starts <= 1, "{pod} started {starts} times");
    }
    let s = &report.summary;
    assert_eq!(s.total, n as usize);
    assert_eq!(s.succeeded + s.failed + s.cancelled + s.skipped, s.total, "{s}");
}

#[tokio::test]
async fn cancel_leaves_no_target_without_a_result() {
    let demo = bare_fleet(8, 5).await;
    let sleep = ReloadMethod::exec(["sleep", "10"]).unwrap();
    let limits = Limits { parallel: 3, ..Default::default() };
    let cancel = CancellationToken::new();
    // Cancel mid-run: once the demo runs as many execs as the limit allows (none of them can end
    // within the 10 s they sleep), or after a bound on a slow machine.
    let (c, stats) = (cancel.clone(), demo.stats.clone());
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        while stats.reloads_total.load(Ordering::SeqCst) < 3
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        c.cancel();
    });
    let started = std::time::Instant::now();
    let (report, events) = reload_with(&demo, sleep, limits, pod_targets(8), cancel).await;
    assert!(started.elapsed() < Duration::from_secs(5), "cancel took {:?}", started.elapsed());
    assert_each_target_ends_once(&report, &events, 8);
    assert_eq!(report.stopped, Some(StopReason::Cancelled));
    // A pod that started was cancelled mid-run (its sleep cannot have ended); one that did not
    // start was skipped; no more than `parallel` started, and at least one did.
    let ran: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            ReloadEvent::Started { pod } => Some(pod.as_str()),
            _ => None,
        })
        .collect();
    assert!((1..=3).contains(&ran.len()), "started: {ran:?}");
    for r in &report.results {
        if ran.contains(&r.target.pod.as_str()) {
            assert!(matches!(r.result, PodResult::Cancelled { .. }), "{:?}", r.result);
        } else {
            assert_eq!(r.result, PodResult::Skipped { reason: "cancelled before start".into() });
        }
    }
    // The aborted exec sessions are closed, so the demo sees them end.
    let mut in_flight = u64::MAX;
    for _ in 0..50 {
        in_flight = demo.stats.reloads_in_flight.load(Ordering::SeqCst);
        if in_flight == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(in_flight, 0, "exec sessions still open after cancel");
    demo.shutdown().await;
}

// ----- the `okg reload` binary -----

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new(demo: &DemoCluster, token: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let kc = match token {
            Some(t) => demo.kubeconfig_with_token(t),
            None => demo.kubeconfig(),
        };
        std::fs::write(dir.path().join("kubeconfig"), serde_json::to_string(&kc).unwrap()).unwrap();
        Cli { dir }
    }

    fn audit(&self) -> std::path::PathBuf {
        self.dir.path().join("audit.jsonl")
    }

    /// Run `okg reload ARGS` with stdin not a terminal; returns (exit code, stdout, stderr).
    async fn run(&self, args: &[&str]) -> (i32, String, String) {
        let dir: &Path = self.dir.path();
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_okg"))
            .arg("--kubeconfig")
            .arg(dir.join("kubeconfig"))
            .arg("--log-file")
            .arg(dir.join("okg.log"))
            .arg("--audit-log")
            .arg(self.audit())
            .arg("reload")
            .args(args)
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_STATE_HOME", dir.join("state"))
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

#[tokio::test]
async fn cli_reloads_every_pod_with_prefixed_output() {
    let demo = bare_fleet(4, 5).await;
    fail_reload(&demo, "gss-2048-3", "config test failed").await;
    let cli = Cli::new(&demo, None);
    let (code, out, err) =
        cli.run(&["gss-2048", "--parallel", "2", "--yes", "--exec", "nginx", "-s", "reload"]).await;
    assert_eq!(code, 2, "one pod failed\n{out}\n{err}");
    assert!(out.contains("gss-2048-0 | reloaded scripts from sidecar v1"), "{out}");
    assert!(out.contains("gss-2048-3 ! reload failed: config test failed"), "{out}");
    assert!(out.contains("gss-2048-3 = ✗ exit 1"), "{out}");
    assert!(out.contains("4 pods: 3 succeeded, 1 failed, 0 skipped, 0 cancelled"), "{out}");
    assert!(
        err.contains("Reload 4 pods in default · exec nginx -s reload (container app-2048)"),
        "{err}"
    );
    let audit = okg_console::ops::audit::AuditLog::read_all(&cli.audit()).unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[1]["outcome"]["pods"]["gss-2048-3"]["failure"]["exit"], 1);
    assert_eq!(audit[1]["user"], "demo-admin");

    let (code, out, _) = cli
        .run(&[
            "--gameservers",
            "gss-2048-0,gss-2048-1",
            "--http",
            "3000/reload",
            "-o",
            "json",
            "--yes",
        ])
        .await;
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(report["summary"]["succeeded"], 2);
    assert_eq!(report["results"][1]["pod"], "gss-2048-1");
    assert_eq!(report["results"][1]["answer"]["httpStatus"], 200);
    demo.shutdown().await;
}

#[tokio::test]
async fn cli_uses_the_set_default_and_explains_when_there_is_none() {
    let demo = bare_fleet(2, 5).await;
    let cli = Cli::new(&demo, None);
    let (code, _, err) = cli.run(&["gss-2048", "--yes"]).await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--exec") && err.contains(annotations::RELOAD), "{err}");
    assert_eq!(demo.stats.reloads_total.load(Ordering::SeqCst), 0);

    let sets: Api<GameServerSet> = Api::namespaced(demo.client().unwrap(), NS);
    let value = r#"{"http":"3000/reload"}"#;
    let patch = json!({"metadata": {"annotations": {annotations::RELOAD: value}}});
    sets.patch("gss-2048", &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();
    let (code, out, err) = cli.run(&["gss-2048", "--yes"]).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("http GET :3000/reload"), "{err}");
    assert_eq!(demo.stats.reloads_total.load(Ordering::SeqCst), 2);
    demo.shutdown().await;
}

#[tokio::test]
async fn cli_refuses_read_only_rbac_denied_and_unconfirmed_runs_and_sends_nothing() {
    let demo = bare_fleet(3, 5).await;
    let before = demo.stats.client_mutations();
    let admin = Cli::new(&demo, None);
    let (code, _, err) =
        admin.run(&["--read-only", "gss-2048", "--exec", "nginx", "-s", "reload", "--yes"]).await;
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("read-only"), "{err}");

    // Not a terminal and no --yes: nobody can confirm.
    let (code, _, err) = admin.run(&["gss-2048", "--exec", "nginx", "-s", "reload"]).await;
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("--yes"), "{err}");

    // The viewer may read but not exec: RBAC says no before anything is sent.
    let viewer = Cli::new(&demo, Some(VIEWER_TOKEN));
    let (code, _, err) =
        viewer.run(&["gss-2048", "--exec", "nginx", "-s", "reload", "--yes"]).await;
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("create pods/exec"), "{err}");

    assert_eq!(demo.stats.reloads_total.load(Ordering::SeqCst), 0);
    assert_eq!(demo.stats.client_mutations(), before);
    demo.shutdown().await;
}

#[tokio::test]
async fn a_failed_canary_batch_stops_the_rest() {
    let demo = bare_fleet(9, 5).await;
    fail_reload(&demo, "gss-2048-1", "canary broke").await;
    let limits = Limits {
        parallel: 8,
        batch: Some(3),
        pause: Duration::from_millis(50),
        ..Default::default()
    };
    let (report, events) =
        reload_with(&demo, nginx(), limits, pod_targets(9), CancellationToken::new()).await;
    assert_eq!(report.stopped, Some(StopReason::CanaryFailed { failed: 1, of: 3 }));
    assert_eq!(
        (report.summary.succeeded, report.summary.failed, report.summary.skipped),
        (2, 1, 6)
    );
    assert!(demo.stats.reloads_peak() <= 3, "a batch bounds parallelism");
    assert_eq!(demo.stats.reloads_total.load(Ordering::SeqCst), 3);
    assert!(
        !events.iter().any(|e| matches!(e, ReloadEvent::Pausing { .. })),
        "no pause after a failed canary"
    );
    demo.shutdown().await;
}

#[tokio::test]
async fn targets_fed_one_by_one_are_all_reloaded() {
    let demo = bare_fleet(6, 5).await;
    let transport = Arc::new(KubeTransport::new(&Writer::new(demo.client().unwrap())));
    let (targets_tx, feed) = reload::target_channel(2);
    // As a bump would: each pod is handed over when it is ready.
    let feeder = tokio::spawn(async move {
        for t in pod_targets(6) {
            tokio::time::sleep(Duration::from_millis(20)).await;
            targets_tx.send(t).await.unwrap();
        }
    });
    let (tx, mut rx) = mpsc::channel(64);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let plan = ReloadPlan { method: nginx(), limits: Limits { parallel: 2, ..Default::default() } };
    let report = reload::run(transport, plan, feed, tx, CancellationToken::new(), None).await;
    feeder.await.unwrap();
    assert_eq!(report.summary.total, 6);
    assert!(report.summary.all_succeeded(), "{}", report.summary);
    demo.shutdown().await;
}
