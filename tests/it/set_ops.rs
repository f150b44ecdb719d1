//! `okg set` and `ops::gs_ops` against the demo cluster.
use kube::api::{Api, Patch, PatchParams};
use okg_console::ops::audit::AuditLog;
use okg_console::ops::bump::{BumpError, OpsContext};
use okg_console::ops::gs_ops;
use okg_domain::gs_ops::{Field, GsOp, Selection};
use okg_domain::types::GameServer;
use serde_json::json;
use tokio::sync::mpsc;

use crate::support::{NS, demo, ops_context};

async fn spec(client: &kube::Client, name: &str) -> serde_json::Value {
    let gs = Api::<GameServer>::namespaced(client.clone(), NS).get(name).await.unwrap();
    serde_json::to_value(gs).unwrap()["spec"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_written_by_set_are_visible_through_the_api_and_audited() {
    let d = demo().await;
    let client = d.client();
    let run = d
        .okg(&["set", "opsstate", "gss-2048-2", "gss-2048-3", "Maintaining", "--yes", "-o", "json"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.json();
    assert_eq!(doc["applied"], json!(["gameserver/gss-2048-2", "gameserver/gss-2048-3"]));
    assert_eq!(doc["plan"]["counts"]["opsState"], json!({"None": 2}), "{doc:#}");
    assert_eq!(doc["rbac"]["patch gameservers"], "allowed", "{doc:#}");
    assert_eq!(
        doc["plan"]["patches"][0]["patch"],
        json!([
            {"op": "test", "path": "/spec/opsState", "value": "None"},
            {"op": "replace", "path": "/spec/opsState", "value": "Maintaining"}
        ])
    );
    for n in ["gss-2048-2", "gss-2048-3"] {
        assert_eq!(spec(&client, n).await["opsState"], "Maintaining", "{n}");
    }
    // A selection: every Ready GameServer of the set, an update priority, as text.
    let run = d
        .okg(&["set", "update-priority", "--set", "gss-2048", "--state", "Ready", "7", "--yes"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("\"op\":\"test\",\"path\":\"/spec/updatePriority\""),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("now        state: 6 Ready"), "{}", run.stdout);
    assert!(
        run.stdout.contains("! 1 of these is Allocated (players in a match): gss-2048-1"),
        "{}",
        run.stdout
    );
    for i in 0..6 {
        assert_eq!(
            spec(&client, &format!("gss-2048-{i}")).await["updatePriority"],
            7,
            "gss-2048-{i}"
        );
    }
    let run = d.okg(&["set", "deletion-priority", "gss-2048-4", "-3", "--yes"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(spec(&client, "gss-2048-4").await["deletionPriority"], -3);
    let run = d.okg(&["set", "network-disabled", "gss-2048-5", "true", "--yes"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(spec(&client, "gss-2048-5").await["networkDisabled"], true);
    // Again: nothing to change, nothing sent.
    let before = d.cluster.stats.client_mutations();
    let again =
        d.okg(&["set", "network-disabled", "gss-2048-5", "true", "--yes", "-o", "json"]).await;
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(again.json()["outcome"], "unchanged");
    assert_eq!(d.cluster.stats.client_mutations(), before);
    let records = AuditLog::read_all(&d.audit).unwrap();
    let actions: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["target"].as_str().unwrap()))
        .collect();
    assert_eq!(actions[0], ("set-opsstate", "gameserver/gss-2048-2"));
    assert_eq!(actions.iter().filter(|a| a.0 == "set-update-priority").count(), 6);
    assert!(actions.contains(&("set-network-disabled", "gameserver/gss-2048-5")));
    assert!(records.iter().all(|r| r["outcome"] == "ok"), "{records:#?}");
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_and_bad_input_send_nothing() {
    let d = demo().await;
    let client = d.client();
    let ro = d.okg(&["--read-only", "set", "opsstate", "gss-2048-0", "Maintaining", "--yes"]).await;
    assert_eq!(ro.code, 4, "{ro:?}");
    assert!(ro.stderr.contains("read-only"), "{}", ro.stderr);
    // The pre-flight is still shown, and says RBAC was not asked.
    assert!(ro.stdout.contains("/spec/opsState"), "{}", ro.stdout);
    assert!(ro.stdout.contains("not asked (read-only session)"), "{}", ro.stdout);
    let refused = [
        (vec!["set", "opsstate", "gss-2048-0", "maintaining", "--yes"], "WaitToBeDeleted"),
        (vec!["set", "update-priority", "gss-2048-0", "1.5", "--yes"], "whole number"),
        (vec!["set", "deletion-priority", "gss-2048-0", "99999999999", "--yes"], "whole number"),
        (vec!["set", "network-disabled", "gss-2048-0", "yes", "--yes"], "true or false"),
        (
            vec!["set", "opsstate", "gss-2048-0", "gss-2048-77", "Allocated", "--yes"],
            "no GameServer gss-2048-77",
        ),
        (vec!["set", "opsstate", "Allocated", "--yes"], "name them"),
        (vec!["set", "opsstate", "gss-2048-0", "--set", "gss-2048", "None", "--yes"], "not both"),
        (
            vec!["set", "opsstate", "--set", "gss-2048", "--state", "Crash", "None", "--yes"],
            "matches",
        ),
        // No --yes and stdin is not a terminal: nobody can confirm.
        (vec!["set", "opsstate", "gss-2048-0", "Maintaining"], "--yes"),
    ];
    for (args, says) in refused {
        let run = d.okg(&args).await;
        assert_eq!(run.code, 4, "{args:?}: {run:?}");
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("othing was sent"), "{args:?}: {}", run.stderr);
    }
    assert_eq!(d.cluster.stats.client_mutations(), 0);
    assert_eq!(spec(&client, "gss-2048-0").await["opsState"], "None");
    // The operation without a writer (what a read-only TUI holds) refuses too.
    let ctx = OpsContext { writer: None, ..ops_context(&d) };
    let op = GsOp::parse(Field::OpsState, "Kill").unwrap();
    let sel = Selection { names: vec!["gss-2048-0".into()], ..Default::default() };
    let plan = gs_ops::plan(&client, NS, &op, &sel).await.unwrap();
    let (tx, _rx) = mpsc::channel(8);
    assert!(matches!(gs_ops::apply(&ctx, &plan, &tx).await, Err(BumpError::ReadOnly)));
    assert_eq!(d.cluster.stats.client_mutations(), 0);
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_changed_since_the_plan_is_a_conflict_and_stays() {
    let d = demo().await;
    let client = d.client();
    let ctx = ops_context(&d);
    let op = GsOp::parse(Field::OpsState, "WaitToBeDeleted").unwrap();
    let sel =
        Selection { names: vec!["gss-2048-0".into(), "gss-2048-3".into()], ..Default::default() };
    let plan = gs_ops::plan(&client, NS, &op, &sel).await.unwrap();
    // Someone else marks gss-2048-0 in the meantime.
    Api::<GameServer>::namespaced(client.clone(), NS)
        .patch(
            "gss-2048-0",
            &PatchParams::default(),
            &Patch::<()>::Json(
                serde_json::from_value(json!([
                    {"op": "replace", "path": "/spec/opsState", "value": "Allocated"}
                ]))
                .unwrap(),
            ),
        )
        .await
        .unwrap();
    let (tx, _rx) = mpsc::channel(64);
    let err = gs_ops::apply(&ctx, &plan, &tx).await.unwrap_err();
    match &err {
        BumpError::Conflict { target, applied, not_sent, .. } => {
            assert_eq!(target, "gameserver/gss-2048-0");
            assert!(applied.is_empty(), "{err}");
            assert_eq!(not_sent, &["gameserver/gss-2048-3"], "the rest is not sent");
        }
        e => panic!("not a conflict: {e}"),
    }
    assert_eq!(spec(&client, "gss-2048-0").await["opsState"], "Allocated", "theirs stays");
    assert_eq!(spec(&client, "gss-2048-3").await["opsState"], "None");
    let records = AuditLog::read_all(&d.audit).unwrap();
    assert_eq!(records.len(), 1, "{records:#?}");
    assert!(records[0]["outcome"].as_str().unwrap().starts_with("conflict"), "{records:#?}");
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_terminal_question_sends_only_on_yes() {
    let d = demo().await;
    let client = d.client();
    let no = d.okg_on_terminal(&["set", "opsstate", "gss-2048-3", "Maintaining"], "n\n").await;
    assert_eq!(no.code, 4, "{no:?}");
    assert!(no.stdout.contains("Apply these 1 patch(es)? [y/N]"), "{no:?}");
    assert_eq!(d.cluster.stats.client_mutations(), 0);
    assert_eq!(spec(&client, "gss-2048-3").await["opsState"], "None");
    let yes = d.okg_on_terminal(&["set", "opsstate", "gss-2048-3", "Maintaining"], "y\n").await;
    assert_eq!(yes.code, 0, "{yes:?}");
    assert_eq!(spec(&client, "gss-2048-3").await["opsState"], "Maintaining");
    d.cluster.shutdown().await;
}

/// The GameServers whose priority a bump plan (`okg bump -o json`) raises, in order.
fn raised(doc: &serde_json::Value) -> Vec<String> {
    doc["plan"]["patches"]
        .as_array()
        .unwrap_or_else(|| panic!("no patches in {doc:#}"))
        .iter()
        .filter(|p| p["kind"] == "GameServer")
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

/// Marked with `okg set`, then a canary: idle servers first, never an Allocated one unless asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canary_leaves_allocated_servers_alone_unless_asked() {
    let d = demo().await;
    let client = d.client();
    let run = d.okg(&["set", "opsstate", "gss-2048-0", "gss-2048-3", "Allocated", "--yes"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let old = crate::support::template_image(&client, "gss-2048", "sidecar").await;
    let new = crate::support::with_tag(&old, "v2.0");
    let bump = |extra: &'static [&'static str]| {
        let mut args = vec!["bump", "gss-2048", "--container", "sidecar", "--image", &new];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", "json"]);
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let before = d.cluster.stats.client_mutations();
    // Allocated now: 0, 1, 3. Idle: 2, 5. Maintaining: 4. Four canaries would need an Allocated one.
    let args = bump(&["--canary", "4", "--yes"]);
    let refused = d.okg(&args.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(refused.code, 4, "{refused:?}");
    assert!(refused.stderr.contains("--canary-allocated"), "{}", refused.stderr);
    assert_eq!(d.cluster.stats.client_mutations(), before, "nothing sent");
    // Three: the two idle ones in OpenKruise's order, then the Maintaining one.
    let args = bump(&["--canary", "3"]);
    let plan = d.okg(&args.iter().map(String::as_str).collect::<Vec<_>>()).await.json();
    let picked = raised(&plan);
    assert_eq!(picked, ["gss-2048-2", "gss-2048-5", "gss-2048-4"], "{plan:#}");
    // Asked: the fourth is the first Allocated one in OpenKruise's order.
    let args = bump(&["--canary", "4", "--canary-allocated"]);
    let plan = d.okg(&args.iter().map(String::as_str).collect::<Vec<_>>()).await.json();
    let picked = raised(&plan);
    assert_eq!(picked, ["gss-2048-2", "gss-2048-5", "gss-2048-4", "gss-2048-3"], "{plan:#}");
    let warnings = plan["plan"]["warnings"].to_string();
    assert!(warnings.contains("1 Allocated (players in a match): gss-2048-3"), "{warnings}");
    assert_eq!(d.cluster.stats.client_mutations(), before, "no --yes: nothing sent");
    d.cluster.shutdown().await;
}
