//! An app that answers its reload endpoint with 503 gets the request once: the writer's
//! exec/proxy client has no kube-rs retry layer (which would resend 429/503/504 by itself).
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Patch, PatchParams};
use okg_console::cluster::client::{self, Target};
use okg_console::cluster::writer::Writer;
use okg_console::ops::reload::{self, KubeTransport, ReloadPlan};
use okg_domain::reload_plan::{Failure, Limits, PodResult, ReloadMethod, ReloadTarget};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::support::{NS, bare_fleet};

/// The demo's `proxy::RELOAD_STATUS_ANNOTATION` (the demo's server module is private).
const RELOAD_STATUS: &str = "demo.okg-console.io/reload-status";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_503_is_sent_once() {
    let demo = bare_fleet(1, 5).await;
    let pods: Api<Pod> = Api::namespaced(demo.client().unwrap(), NS);
    let patch = json!({"metadata": {"annotations": {RELOAD_STATUS: "503"}}});
    pods.patch("gss-2048-0", &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();

    // The writer exactly as a session builds it.
    let conn = client::connect_with(demo.kubeconfig(), &Target::default()).await.unwrap();
    let writer = Writer::new(conn.client.clone()).with_call_client(conn.call_client.clone());
    let (tx, mut rx) = mpsc::channel(64);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let plan = ReloadPlan {
        method: ReloadMethod::parse_http("3000/reload").unwrap(),
        limits: Limits::default(),
    };
    let mut target = ReloadTarget::new(NS, "gss-2048-0");
    target.set = Some("gss-2048".into());
    let report = reload::run(
        Arc::new(KubeTransport::new(&writer)),
        plan,
        vec![target].into(),
        tx,
        CancellationToken::new(),
        None,
    )
    .await;
    drain.await.unwrap();
    let result = &report.results[0].result;
    assert!(
        matches!(result, PodResult::Failed { failure: Failure::HttpStatus(503), attempts: 1, .. }),
        "{result:?}"
    );
    assert_eq!(demo.stats.reloads_total.load(Ordering::SeqCst), 1, "the app saw one request");

    // The default client would have resent it: the test can tell the difference.
    let before = demo.stats.reloads_total.load(Ordering::SeqCst);
    let request =
        http::Request::get("/api/v1/namespaces/default/pods/gss-2048-0:3000/proxy/reload")
            .body(kube::client::Body::empty())
            .unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(3), conn.client.send(request)).await;
    assert!(demo.stats.reloads_total.load(Ordering::SeqCst) - before > 1, "kube-rs retries 503");
    demo.shutdown().await;
}
