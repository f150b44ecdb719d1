//! `ops::chain` and `okg bump --wait --reload-exec` against the demo: each pod is reloaded once
//! it is confirmed IN PLACE, and the reload sees the new sidecar.
use std::sync::Arc;
use std::time::Duration;

use okg_console::cluster::writer::Writer;
use okg_console::ops::audit::AuditLog;
use okg_console::ops::bump::{self, BumpEvent, FollowOptions, OpsContext, Step};
use okg_console::ops::chain::{self, ChainEvent, ChainReload};
use okg_console::ops::reload::{KubeTransport, ReloadEvent, ReloadPlan};
use okg_domain::bump_plan::{BumpRequest, Scope};
use okg_domain::reload_plan::{Limits, PodResult, ReloadMethod};
use okg_domain::rollout::Verdict;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::support::{NS, demo, template_image, with_tag};

async fn sidecar_v2(client: &kube::Client) -> String {
    with_tag(&template_image(client, "gss-2048", "sidecar").await, "v2.0")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_pod_is_reloaded_after_its_in_place_verdict() {
    let d = demo().await;
    let client = d.client();
    let ctx = OpsContext {
        client: client.clone(),
        writer: Some(Writer::new(client.clone())),
        namespace: NS.into(),
        context: "okg-demo".into(),
        audit: AuditLog::new(&d.audit),
        cancel: Default::default(),
        feed: Default::default(),
    };
    let step = Step::Bump {
        set: "gss-2048".into(),
        request: BumpRequest {
            container: "sidecar".into(),
            image: sidecar_v2(&client).await,
            scope: Scope::WholeSet,
            canary_allocated: false,
        },
    };
    let plan = bump::plan(&client, NS, &step).await.unwrap();
    let targets = plan.targets();
    assert!(targets.len() >= 2, "{targets:?}");
    let (btx, mut brx) = mpsc::channel(1024);
    let drain = tokio::spawn(async move { while brx.recv().await.is_some() {} });
    let applied = bump::apply(&ctx, &plan, &step, &btx).await.unwrap();

    let (tx, mut rx) = mpsc::channel(4096);
    let collect = tokio::spawn(async move {
        let mut v = vec![];
        while let Some(e) = rx.recv().await {
            v.push(e);
        }
        v
    });
    let options = FollowOptions {
        timeout: Duration::from_secs(60),
        rejudge: Duration::from_millis(100),
        stall_after: Duration::from_secs(30),
        ..FollowOptions::default()
    };
    let spec = ChainReload {
        plan: ReloadPlan {
            method: ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap(),
            limits: Limits { parallel: 2, ..Limits::default() },
        },
        container: Some("app-2048".into()),
    };
    let transport = Arc::new(KubeTransport::new(&Writer::new(client.clone())));
    let report = chain::follow_and_reload(
        &client,
        &applied,
        &options,
        transport,
        spec,
        tx,
        CancellationToken::new(),
        None,
    )
    .await;
    let events = collect.await.unwrap();
    drop(btx);
    drain.await.unwrap();

    assert!(report.follow.all_in_place(), "{:?}", report.follow);
    assert!(report.not_reloaded.is_empty(), "{:?}", report.not_reloaded);
    assert!(report.all_reloaded(), "{:?}", report.reload.summary);
    assert_eq!(report.reload.results.len(), targets.len());
    for pod in &targets {
        let r = report.reload.results.iter().find(|r| &r.target.pod == pod).expect(pod);
        let PodResult::Succeeded { output, .. } = &r.result else { panic!("{pod}: {r:?}") };
        assert_eq!(output.stdout, vec!["reloaded scripts from sidecar v2.0".to_string()], "{pod}");
        // The reload started only after the pod's IN PLACE verdict, and exactly once.
        let verdict_at = events
            .iter()
            .position(|e| {
                matches!(e, ChainEvent::Bump(BumpEvent::Verdict { pod: p, verdict: Verdict::InPlace, .. }) if p == pod)
            })
            .unwrap_or_else(|| panic!("{pod}: no IN PLACE verdict"));
        let started: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e, ChainEvent::Reload(ReloadEvent::Started { pod: p }) if p == pod))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(started.len(), 1, "{pod}: {started:?}");
        assert!(
            started[0] > verdict_at,
            "{pod}: reload at {} before verdict at {verdict_at}",
            started[0]
        );
    }
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn okg_bump_reload_exec_reports_both_verdicts_and_reloads() {
    let d = demo().await;
    let image = sidecar_v2(&d.client()).await;
    let args = [
        "bump",
        "gss-2048",
        "--container",
        "sidecar",
        "--image",
        &image,
        "--yes",
        "--wait",
        "--timeout",
        "60s",
        "-o",
        "json",
        "--reload-parallel",
        "3",
        "--reload-exec",
        "nginx",
        "-s",
        "reload",
    ];
    let run = d.okg(&args).await;
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.json();
    assert_eq!(doc["outcome"], "in-place-reloaded", "{doc:#}");
    let verdicts = doc["verdicts"].as_object().unwrap();
    let results = doc["reload"]["results"].as_array().unwrap();
    assert_eq!(results.len(), verdicts.len(), "{doc:#}");
    for r in results {
        assert_eq!(r["result"], "succeeded", "{r:#}");
        assert_eq!(r["container"], "app-2048", "the set's main container: {r:#}");
        assert_eq!(r["output"]["stdout"][0], "reloaded scripts from sidecar v2.0", "{r:#}");
    }
    // The human lines (stderr in JSON mode) show verdicts and reload output per pod.
    assert!(run.stderr.contains("IN PLACE"), "{}", run.stderr);
    assert!(run.stderr.contains("| reloaded scripts from sidecar v2.0"), "{}", run.stderr);
    d.cluster.shutdown().await;
}
