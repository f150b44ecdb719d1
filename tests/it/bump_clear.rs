//! Taking a GameServer override away against the demo: the rollback of a `--gameservers` bump
//! and `--clear-override` remove the `spec.containers` entry and put the pod back on the
//! template's image in place (kruise-game does not: it only patches towards entries there are).
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use okg_console::ops::audit::AuditLog;
use okg_console::ops::bump::{self, Step};
use okg_domain::bump_plan::{BumpRequest, ObjectKind, Scope};
use okg_domain::types::GameServer;
use tokio::sync::mpsc;

use crate::support::{NS, demo, follow_options, ops_context, template_image, with_tag};

async fn sidecar(client: &kube::Client, pod: &str) -> (String, String, i32) {
    let p = Api::<Pod>::namespaced(client.clone(), NS).get(pod).await.unwrap();
    let image = p.spec.unwrap().containers.into_iter().find(|c| c.name == "sidecar").unwrap().image;
    let restarts = p
        .status
        .and_then(|s| s.container_statuses)
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.name == "sidecar")
        .map_or(0, |c| c.restart_count);
    (p.metadata.uid.unwrap(), image.unwrap_or_default(), restarts)
}

async fn override_of(client: &kube::Client, gs: &str) -> Option<String> {
    let g = Api::<GameServer>::namespaced(client.clone(), NS).get(gs).await.unwrap();
    g.spec.containers?.into_iter().find(|c| c.name == "sidecar")?.image
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_of_an_override_removes_it_and_the_pod_returns_in_place() {
    let d = demo().await;
    let client = d.client();
    let ctx = ops_context(&d);
    let options = follow_options();
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let new = with_tag(&old, "v2.0-hotfix");
    assert_eq!(override_of(&client, "gss-2048-1").await, None);
    let (tx, mut rx) = mpsc::channel(1024);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let step = Step::Bump {
        set: "gss-2048".into(),
        request: BumpRequest {
            container: "sidecar".into(),
            image: new.clone(),
            scope: Scope::GameServers(vec!["gss-2048-1".into()]),
            canary_allocated: false,
        },
    };
    let pinned = bump::plan(&client, NS, &step).await.unwrap();
    let applied = bump::apply(&ctx, &pinned, &step, &tx).await.unwrap();
    assert!(bump::follow(&client, &applied, &options, &tx).await.all_in_place());
    assert_eq!(override_of(&client, "gss-2048-1").await.as_deref(), Some(new.as_str()));
    let (uid, _, restarts) = sidecar(&client, "gss-2048-1").await;

    let back = Step::Rollback { previous: Box::new(pinned) };
    let plan = bump::plan(&client, NS, &back).await.unwrap();
    let kinds: Vec<ObjectKind> = plan.patches.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [ObjectKind::GameServer, ObjectKind::Pod]);
    let applied = bump::apply(&ctx, &plan, &back, &tx).await.unwrap();
    let report = bump::follow(&client, &applied, &options, &tx).await;
    assert!(report.all_in_place() && !report.timed_out, "{report:?}");
    assert_eq!(override_of(&client, "gss-2048-1").await, None, "the entry is gone");
    // A while later the pod is still on the template's image: nothing pins it back.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (uid_after, image, restarts_after) = sidecar(&client, "gss-2048-1").await;
    assert_eq!((uid_after, image.as_str()), (uid, old.as_str()));
    assert_eq!(restarts_after, restarts + 1, "the sidecar restarted once, in place");
    drop(tx);
    drain.await.unwrap();
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_override_on_the_command_line() {
    let d = demo().await;
    let client = d.client();
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let new = with_tag(&old, "v2.0-hotfix");
    let common = ["--container", "sidecar", "--gameservers", "gss-2048-2", "--yes", "--wait"];
    let mut pin = vec!["bump", "gss-2048", "--image", &new];
    pin.extend(common);
    assert_eq!(d.okg(&pin).await.code, 0);
    assert_eq!(override_of(&client, "gss-2048-2").await.as_deref(), Some(new.as_str()));
    // --image and --clear-override do not go together.
    let mut both = pin.clone();
    both.push("--clear-override");
    assert_eq!(d.okg(&both).await.code, 1);

    let mut clear = vec!["bump", "gss-2048", "--clear-override", "-o", "json"];
    clear.extend(common);
    let run = d.okg(&clear).await;
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.json();
    assert_eq!(doc["verdicts"]["gss-2048-2"]["verdict"], "inPlace", "{doc:#}");
    assert_eq!(override_of(&client, "gss-2048-2").await, None);
    assert_eq!(sidecar(&client, "gss-2048-2").await.1, old);
    let actions: Vec<String> = AuditLog::read_all(&d.audit)
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["bump-gameservers", "clear-override", "clear-override"]);
    // Nothing left to clear: refused, nothing sent.
    assert_eq!(d.okg(&clear).await.code, 4);
    d.cluster.shutdown().await;
}
