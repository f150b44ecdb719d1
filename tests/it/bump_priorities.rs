//! A canary's raised update priorities go back when the rollout ends: continued to the end,
//! rolled back, abandoned, or cut off before the set was patched.
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::api::{Patch, PatchParams};
use okg_console::ops::audit::{self, AuditLog};
use okg_console::ops::bump::{self, BumpError, Step};
use okg_domain::bump_plan::{BumpRequest, Plan, RAISED_PRIORITY_ANNOTATION, Scope};
use okg_domain::types::{GameServer, GameServerSet, labels};
use serde_json::json;
use tokio::sync::mpsc;

use crate::support::{
    Demo, NS, bare_fleet, demo, demo_on, follow_options, ops_context, template_image, with_tag,
};

const SET: &str = "gss-2048";

/// Every GameServer's (name, updatePriority, has a raise record), by name.
pub async fn priorities(client: &kube::Client) -> Priorities {
    let api: Api<GameServer> = Api::namespaced(client.clone(), NS);
    let mut out: Vec<_> = api
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|g| g.owner_set() == Some(SET))
        .map(|g| {
            let recorded = g
                .metadata
                .annotations
                .as_ref()
                .is_some_and(|a| a.contains_key(RAISED_PRIORITY_ANNOTATION));
            let p = g.spec.update_priority.map(|p| serde_json::to_value(p).unwrap());
            (g.metadata.name.unwrap_or_default(), p, recorded)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

async fn partition(client: &kube::Client) -> i32 {
    Api::<GameServerSet>::namespaced(client.clone(), NS).get(SET).await.unwrap().partition()
}

fn canary(image: &str) -> Step {
    Step::Bump {
        set: SET.into(),
        request: BumpRequest {
            container: "sidecar".into(),
            image: image.into(),
            scope: Scope::Canary(1),
            canary_allocated: false,
        },
    }
}

/// Plan and apply `step`, then follow it to its verdicts; the plan as sent.
async fn run(d: &Demo, step: &Step) -> Result<Plan, BumpError> {
    let client = d.client();
    let ctx = ops_context(d);
    let plan = bump::plan(&client, NS, step).await?;
    let (tx, mut rx) = mpsc::channel(1024);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let applied = bump::apply(&ctx, &plan, step, &tx).await?;
    let report = bump::follow(&client, &applied, &follow_options(), &tx).await;
    assert!(!report.timed_out, "{report:?}");
    drop(tx);
    drain.await.unwrap();
    Ok(plan)
}

pub type Priorities = Vec<(String, Option<serde_json::Value>, bool)>;

/// A canary of one, landed and followed: the priorities it started from, and its plan.
async fn canary_landed(d: &Demo) -> (Priorities, Plan) {
    let client = d.client();
    let before = priorities(&client).await;
    assert!(before.iter().all(|(_, _, recorded)| !recorded), "{before:?}");
    let new = with_tag(&template_image(&client, SET, "sidecar").await, "v2.0");
    let plan = run(d, &canary(&new)).await.unwrap();
    let raised = priorities(&client).await;
    assert_eq!(raised.iter().filter(|(_, _, r)| *r).count(), 1, "{raised:?}");
    assert_ne!(raised, before);
    (before, plan)
}

fn last_audit(d: &Demo) -> serde_json::Value {
    AuditLog::read_all(&d.audit).unwrap().pop().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuing_a_canary_to_the_end_puts_its_priority_back() {
    let d = demo().await;
    let (before, _) = canary_landed(&d).await;
    let cont = Step::Continue { set: SET.into(), container: "sidecar".into(), step: None };
    run(&d, &cont).await.unwrap();
    assert_eq!(priorities(&d.client()).await, before);
    let last = last_audit(&d);
    assert_eq!(last["action"], "continue-canary", "{last:#}");
    assert_eq!(last["outcome"], "ok", "{last:#}");
    assert!(last["target"].as_str().unwrap().starts_with("gameserver/"), "{last:#}");
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_a_canary_back_puts_its_priority_back() {
    let d = demo().await;
    let (before, canary_plan) = canary_landed(&d).await;
    run(&d, &Step::Rollback { previous: Box::new(canary_plan) }).await.unwrap();
    assert_eq!(priorities(&d.client()).await, before);
    assert_eq!(partition(&d.client()).await, 0);
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoning_a_canary_puts_its_priority_back_and_leaves_the_partition() {
    let d = demo().await;
    let (before, canary_plan) = canary_landed(&d).await;
    let held = partition(&d.client()).await;
    assert_eq!(held, canary_plan.partition_after);
    let abandon = Step::RestorePriorities { set: SET.into(), container: "sidecar".into() };
    run(&d, &abandon).await.unwrap();
    assert_eq!(priorities(&d.client()).await, before);
    assert_eq!(partition(&d.client()).await, held);
    let last = last_audit(&d);
    assert_eq!(
        (last["action"].as_str(), last["outcome"].as_str()),
        (Some("restore-priorities"), Some("ok"))
    );
    // Nothing is left to put back, and the plan says so before anything is sent.
    let again = bump::plan(&d.client(), NS, &abandon).await.unwrap_err();
    assert!(again.to_string().contains("nothing to put back"), "{again}");
    d.cluster.shutdown().await;
}

/// A demo with no controller: OKG never copies a raised priority to the pod, so a canary waits
/// on it until it is cancelled or times out. Its pods carry the priority labels OKG would have
/// written, or no canary could be planned.
pub async fn frozen_demo() -> Demo {
    let d = demo_on(bare_fleet(6, 0).await);
    let pods: Api<Pod> = Api::namespaced(d.client(), NS);
    for i in 0..6 {
        let label = json!({"metadata": {"labels": {labels::GS_UPDATE_PRIORITY: "0"}}});
        pods.patch(&format!("{SET}-{i}"), &PatchParams::default(), &Patch::Merge(&label))
            .await
            .unwrap();
    }
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canary_cancelled_before_its_set_patch_puts_its_priority_back() {
    let d = frozen_demo().await;
    let client = d.client();
    let before = priorities(&client).await;
    let partition_before = partition(&client).await;
    let old = template_image(&client, SET, "sidecar").await;
    let step = canary(&with_tag(&old, "v2.0"));
    let ctx = ops_context(&d);
    let plan = bump::plan(&client, NS, &step).await.unwrap();
    let (tx, mut rx) = mpsc::channel(1024);
    let notes = tokio::spawn(async move {
        let mut all = Vec::new();
        while let Some(e) = rx.recv().await {
            all.push(format!("{e:?}"));
        }
        all
    });
    let cancel = ctx.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        cancel.cancel();
    });
    let err = bump::apply(&ctx, &plan, &step, &tx).await.unwrap_err();
    drop(tx);
    let events = notes.await.unwrap();
    let message = err.to_string();
    assert!(message.contains("cancelled while waiting"), "{message}");
    assert!(message.contains("was put back"), "{message}");
    assert!(message.contains("not sent: gameserverset/gss-2048"), "{message}");
    assert_eq!(priorities(&client).await, before, "{events:?}");
    assert_eq!(partition(&client).await, partition_before);
    assert_eq!(template_image(&client, SET, "sidecar").await, old);
    // Every write is audited with its outcome: the raise, then the restore.
    let records = AuditLog::read_all(&d.audit).unwrap();
    let actions: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["outcome"].as_str().unwrap_or("?")))
        .collect();
    assert_eq!(actions, [("bump-canary", "ok"), ("restore-priorities", "ok")], "{records:#?}");
    assert_eq!(audit::unfinished(&records), Vec::<String>::new());
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn okg_bump_restore_priorities_abandons_a_canary_from_the_cli() {
    let d = demo().await;
    let client = d.client();
    let before = priorities(&client).await;
    let new = with_tag(&template_image(&client, SET, "sidecar").await, "v2.0");
    let bump = ["bump", SET, "--container", "sidecar", "--image", &new, "--canary", "1"];
    let run = d.okg(&[&bump[..], &["--yes", "--wait"]].concat()).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_ne!(priorities(&client).await, before);
    let restore = ["bump", SET, "--container", "sidecar", "--restore-priorities", "--yes"];
    let run = d.okg(&[&restore[..], &["-o", "json"]].concat()).await;
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.json();
    assert_eq!(doc["outcome"], "applied", "{doc:#}");
    assert_eq!(doc["plan"]["kind"], "restorePriorities", "{doc:#}");
    assert_eq!(priorities(&client).await, before);
    assert_eq!(partition(&client).await, 5, "the canary stays where it stands");
    // The plain text names what it does; a second time there is nothing to do: refused.
    let run = d.okg(&restore).await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("nothing to put back"), "{run:?}");
    d.cluster.shutdown().await;
}
