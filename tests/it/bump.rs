//! `okg bump` and `ops::bump` against the demo cluster.
use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};
use okg_console::cluster::writer::Writer;
use okg_console::ops::audit::AuditLog;
use okg_console::ops::bump::{self, BumpError, OpsContext, Step};
use okg_domain::bump_plan::{BumpRequest, PodAction, Scope};
use okg_domain::rollout::{Verdict, WaitReason};
use okg_domain::types::{GameServerSet, labels};
use serde_json::json;
use tokio::sync::mpsc;

use crate::support::{NS, demo, follow_options, ops_context, template_image, verdicts, with_tag};

/// pod name → (uid, sidecar image, restart counts by container)
async fn pods(client: &kube::Client, set: &str) -> BTreeMap<String, (String, String, Vec<i32>)> {
    let lp = ListParams::default().labels(&format!("{}={set}", labels::OWNER_GSS));
    Api::<Pod>::namespaced(client.clone(), NS)
        .list(&lp)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|p| {
            let image = p
                .spec
                .as_ref()
                .unwrap()
                .containers
                .iter()
                .find(|c| c.name == "sidecar")
                .and_then(|c| c.image.clone())
                .unwrap_or_default();
            let restarts = p
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.clone())
                .unwrap_or_default()
                .iter()
                .map(|c| c.restart_count)
                .collect();
            (p.metadata.name.unwrap(), (p.metadata.uid.unwrap(), image, restarts))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_set_bump_is_in_place_for_every_pod_and_audited() {
    let d = demo().await;
    let client = d.client();
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let new = with_tag(&old, "v2.0");
    let before = pods(&client, "gss-2048").await;
    let run = d
        .okg(&[
            "bump",
            "gss-2048",
            "--container",
            "sidecar",
            "--image",
            &new,
            "--yes",
            "--wait",
            "--timeout",
            "60s",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.json();
    let v = verdicts(&doc);
    assert_eq!(v.len(), before.len(), "{doc:#}");
    assert!(v.values().all(|v| v == "inPlace"), "{v:?}");
    let after = pods(&client, "gss-2048").await;
    for (name, (uid, image, _)) in &after {
        assert_eq!(uid, &before[name].0, "{name} kept its UID");
        assert_eq!(image, &new);
    }
    let records = AuditLog::read_all(&d.audit).unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["target"], "gameserverset/gss-2048");
    assert_eq!(records[0]["outcome"], "ok");
    assert_eq!(records[0]["user"].as_str().map(|u| u.starts_with("unknown")), Some(false));
    assert_eq!(records[0]["request"], doc["plan"]["patches"][0]["patch"]);
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recreate_set_needs_allow_recreate_and_reports_re_created() {
    let d = demo().await;
    let client = d.client();
    let old = template_image(&client, "gss-battle", "sidecar").await;
    let new = with_tag(&old, "v1.1");
    let before = pods(&client, "gss-battle").await;
    let args = [
        "bump",
        "gss-battle",
        "--container",
        "sidecar",
        "--image",
        &new,
        "--yes",
        "--wait",
        "--timeout",
        "60s",
        "-o",
        "json",
    ];
    let refused = d.okg(&args).await;
    assert_eq!(refused.code, 4, "{refused:?}");
    assert!(refused.stderr.contains("--allow-recreate"), "{}", refused.stderr);
    assert_eq!(template_image(&client, "gss-battle", "sidecar").await, old, "nothing was sent");
    assert!(!d.audit.exists() || AuditLog::read_all(&d.audit).unwrap().is_empty());

    let mut allowed = args.to_vec();
    allowed.push("--allow-recreate");
    let run = d.okg(&allowed).await;
    assert_eq!(run.code, 2, "{run:?}");
    let v = verdicts(&run.json());
    assert_eq!(v.len(), before.len());
    assert!(v.values().all(|v| v == "reCreated"), "{v:?}");
    let after = pods(&client, "gss-battle").await;
    for (name, (uid, _, _)) in &after {
        assert_ne!(uid, &before[name].0, "{name} got a new UID");
    }
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canary_updates_exactly_the_chosen_pods_until_continue() {
    let d = demo().await;
    let client = d.client();
    let ctx = ops_context(&d);
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let new = with_tag(&old, "v2.0");
    let step = Step::Bump {
        set: "gss-2048".into(),
        request: BumpRequest {
            container: "sidecar".into(),
            image: new.clone(),
            scope: Scope::Canary(2),
            canary_allocated: false,
        },
    };
    let plan = bump::plan(&client, NS, &step).await.unwrap();
    let chosen = plan.targets();
    assert_eq!(chosen.len(), 2);
    let (tx, mut rx) = mpsc::channel(1024);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let applied = bump::apply(&ctx, &plan, &step, &tx).await.unwrap();
    let report = bump::follow(&client, &applied, &follow_options(), &tx).await;
    assert!(!report.timed_out, "{report:?}");
    assert_eq!(report.verdicts.keys().cloned().collect::<Vec<_>>(), {
        let mut c = chosen.clone();
        c.sort();
        c
    });
    assert!(report.all_in_place(), "{report:?}");
    // The rest wait on the partition, still on the old image.
    assert_eq!(report.others.len(), plan.pods.len() - 2);
    assert!(
        report.others.values().all(|v| matches!(v, Verdict::Waiting(WaitReason::Partition { .. }))),
        "{report:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await; // several simulated ticks
    let now = pods(&client, "gss-2048").await;
    for (name, (_, image, _)) in &now {
        let expected = if chosen.contains(name) { &new } else { &old };
        assert_eq!(image, expected, "{name}");
    }
    // Audit: two priority raises and the set.
    let records = AuditLog::read_all(&d.audit).unwrap();
    assert_eq!(records.len(), 3);
    assert!(records.iter().all(|r| r["outcome"] == "ok" && r["action"] == "bump-canary"));

    // Continue: the partition drops to 0 and the rest update in place.
    let cont = Step::Continue { set: "gss-2048".into(), container: "sidecar".into(), step: None };
    let plan2 = bump::plan(&client, NS, &cont).await.unwrap();
    assert_eq!(plan2.partition_after, 0);
    assert_eq!(plan2.targets().len(), plan.pods.len() - 2);
    let applied2 = bump::apply(&ctx, &plan2, &cont, &tx).await.unwrap();
    let report2 = bump::follow(&client, &applied2, &follow_options(), &tx).await;
    assert!(report2.all_in_place(), "{report2:?}");
    assert!(pods(&client, "gss-2048").await.values().all(|(_, image, _)| *image == new));
    // The set, then the two raised priorities put back.
    assert_eq!(AuditLog::read_all(&d.audit).unwrap().len(), 6);
    drop(tx);
    drain.await.unwrap();
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn game_server_override_updates_only_its_pod() {
    let d = demo().await;
    let client = d.client();
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let new = with_tag(&old, "v2.0-hotfix");
    let before = pods(&client, "gss-2048").await;
    let run = d
        .okg(&[
            "bump",
            "gss-2048",
            "--container",
            "sidecar",
            "--image",
            &new,
            "--gameservers",
            "gss-2048-1",
            "--yes",
            "--wait",
            "--timeout",
            "60s",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let v = verdicts(&run.json());
    assert_eq!(v.keys().collect::<Vec<_>>(), ["gss-2048-1"]);
    assert_eq!(v["gss-2048-1"], "inPlace");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = pods(&client, "gss-2048").await;
    for (name, (uid, image, restarts)) in &after {
        assert_eq!(uid, &before[name].0);
        if name == "gss-2048-1" {
            assert_eq!(image, &new);
        } else {
            assert_eq!(image, &old, "{name}");
            assert_eq!(restarts, &before[name].2, "{name} was not restarted");
        }
    }
    assert_eq!(
        template_image(&client, "gss-2048", "sidecar").await,
        old,
        "the template is unchanged"
    );
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_image_fails_with_the_pull_error() {
    let d = demo().await;
    let client = d.client();
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let new = with_tag(&old, "v2.0-missing");
    // The kubelet retries the pull, so the pod is FAILING first and FAILED once that has lasted
    // --fail-after: 2s here instead of the default minute, to fail well inside the timeout.
    let run = d
        .okg(&[
            "bump",
            "gss-2048",
            "--container",
            "sidecar",
            "--image",
            &new,
            "--yes",
            "--wait",
            "--timeout",
            "20s",
            "--fail-after",
            "2s",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("FAILING (retrying: "), "{}", run.stderr);
    assert!(run.stderr.contains("FAILED (image pull failed"), "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["timedOut"], false, "FAILED by the threshold, not the timeout: {doc:#}");
    let failed: Vec<&serde_json::Value> = doc["verdicts"]
        .as_object()
        .unwrap()
        .values()
        .filter(|v| v["verdict"] == "failed")
        .collect();
    assert!(!failed.is_empty(), "{doc:#}");
    assert_eq!(failed[0]["reason"]["kind"], "imagePull", "{doc:#}");
    assert!(failed[0]["reason"]["message"].as_str().unwrap().contains("missing"), "{doc:#}");
    // The kubelet's events that explain it come along.
    let events = doc["podEvents"].as_array().unwrap();
    assert!(events.iter().any(|e| e["message"].as_str().unwrap().contains(&new)), "{doc:#}");
    // And the controller's, read from the Advanced StatefulSet where OpenKruise records it: the
    // pod was patched in place, so the wait is the kubelet's.
    let pod = doc["verdicts"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, v)| v["verdict"] == "failed")
        .map(|(k, _)| k.clone())
        .unwrap();
    assert!(
        events.iter().any(|e| e["pod"] == pod.as_str()
            && e["reason"] == "SuccessfulUpdatePodInPlace"
            && e["message"].as_str().unwrap().contains(&format!("pod {pod} in-place"))),
        "{doc:#}"
    );
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_between_plan_and_apply_is_a_conflict() {
    let d = demo().await;
    let client = d.client();
    let ctx = ops_context(&d);
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let step = Step::Bump {
        set: "gss-2048".into(),
        request: BumpRequest {
            container: "sidecar".into(),
            image: with_tag(&old, "v2.0"),
            scope: Scope::WholeSet,
            canary_allocated: false,
        },
    };
    let plan = bump::plan(&client, NS, &step).await.unwrap();
    // Someone else bumps the sidecar in the meantime.
    let theirs = with_tag(&old, "v1.5");
    Api::<GameServerSet>::namespaced(client.clone(), NS)
        .patch(
            "gss-2048",
            &PatchParams::default(),
            &Patch::<()>::Json(
                serde_json::from_value(json!([
                    {"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": theirs}
                ]))
                .unwrap(),
            ),
        )
        .await
        .unwrap();
    let (tx, _rx) = mpsc::channel(64);
    let err = bump::apply(&ctx, &plan, &step, &tx).await.unwrap_err();
    assert!(matches!(err, BumpError::Conflict { ref applied, .. } if applied.is_empty()), "{err}");
    assert_eq!(template_image(&client, "gss-2048", "sidecar").await, theirs, "theirs stays");
    // And the API server itself refuses the stale patch (its test op), should it get that far.
    let stale = Writer::new(client.clone())
        .patch_game_server_set(NS, "gss-2048", plan.patches[0].json_patch())
        .await
        .unwrap_err();
    assert!(
        matches!(stale, kube::Error::Api(ref s) if s.code == 422 || s.code == 409),
        "{stale:?}"
    );
    assert_eq!(template_image(&client, "gss-2048", "sidecar").await, theirs);
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_bump_is_refused_and_sends_nothing() {
    let d = demo().await;
    let client = d.client();
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let new = with_tag(&old, "v2.0");
    let run = d
        .okg(&[
            "--read-only",
            "bump",
            "gss-2048",
            "--container",
            "sidecar",
            "--image",
            &new,
            "--yes",
            "--wait",
        ])
        .await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("read-only"), "{}", run.stderr);
    // The plan is still shown.
    assert!(run.stdout.contains(&new), "{}", run.stdout);
    assert_eq!(d.cluster.stats.client_mutations(), 0);
    assert_eq!(template_image(&client, "gss-2048", "sidecar").await, old);
    // The operation API without a writer (what the TUI holds in read-only mode) refuses too.
    let ctx = OpsContext { writer: None, ..ops_context(&d) };
    let step = Step::Bump {
        set: "gss-2048".into(),
        request: BumpRequest {
            container: "sidecar".into(),
            image: new.clone(),
            scope: Scope::WholeSet,
            canary_allocated: false,
        },
    };
    let plan = bump::plan(&client, NS, &step).await.unwrap();
    let (tx, _rx) = mpsc::channel(8);
    assert!(matches!(bump::apply(&ctx, &plan, &step, &tx).await, Err(BumpError::ReadOnly)));
    let pause = bump::plan_switch(&client, NS, "gss-2048", true).await.unwrap();
    assert!(matches!(bump::apply_switch(&ctx, &pause, &tx).await, Err(BumpError::ReadOnly)));
    assert_eq!(d.cluster.stats.client_mutations(), 0);
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_and_missing_confirmation_refuse_without_writing() {
    let d = demo().await;
    let client = d.client();
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let unknown =
        d.okg(&["bump", "gss-2048", "--container", "nope", "--image", &old, "--yes"]).await;
    assert_eq!(unknown.code, 4, "{unknown:?}");
    assert!(
        unknown.stderr.contains("app-2048") && unknown.stderr.contains("sidecar"),
        "{}",
        unknown.stderr
    );
    let bad = d
        .okg(&["bump", "gss-2048", "--container", "sidecar", "--image", "Bad Image:", "--yes"])
        .await;
    assert_eq!(bad.code, 4, "{bad:?}");
    let same =
        d.okg(&["bump", "gss-2048", "--container", "sidecar", "--image", &old, "--yes"]).await;
    assert_eq!(same.code, 4, "{same:?}");
    assert!(same.stderr.contains("nothing to change"), "{}", same.stderr);
    // No --yes and stdin is not a terminal: nobody can confirm.
    let new = with_tag(&old, "v2.0");
    let unconfirmed = d.okg(&["bump", "gss-2048", "--container", "sidecar", "--image", &new]).await;
    assert_eq!(unconfirmed.code, 4, "{unconfirmed:?}");
    assert!(unconfirmed.stderr.contains("--yes"), "{}", unconfirmed.stderr);
    let usage = d
        .okg(&["bump", "gss-2048", "--container", "sidecar", "--image", &new, "--canary", "0"])
        .await;
    assert_eq!(usage.code, 1, "{usage:?}");
    assert_eq!(template_image(&client, "gss-2048", "sidecar").await, old);
    assert!(!d.audit.exists() || AuditLog::read_all(&d.audit).unwrap().is_empty());
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_wait_applies_and_exits_zero() {
    let d = demo().await;
    let client = d.client();
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let new = with_tag(&old, "v2.0");
    let run = d
        .okg(&[
            "bump",
            "gss-2048",
            "--container",
            "sidecar",
            "--image",
            &new,
            "--yes",
            "--canary",
            "1",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Not waiting"), "{}", run.stdout);
    assert_eq!(template_image(&client, "gss-2048", "sidecar").await, new);
    let gss = Api::<GameServerSet>::namespaced(client.clone(), NS).get("gss-2048").await.unwrap();
    assert_eq!(gss.partition(), gss.replicas() - 1);
    assert_eq!(AuditLog::read_all(&d.audit).unwrap().len(), 2, "one GameServer and the set");
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_and_rollback_of_a_canary() {
    let d = demo().await;
    let client = d.client();
    let ctx = ops_context(&d);
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let new = with_tag(&old, "v2.0");
    let (tx, mut rx) = mpsc::channel(1024);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let step = Step::Bump {
        set: "gss-2048".into(),
        request: BumpRequest {
            container: "sidecar".into(),
            image: new.clone(),
            scope: Scope::Canary(1),
            canary_allocated: false,
        },
    };
    let canary = bump::plan(&client, NS, &step).await.unwrap();
    let applied = bump::apply(&ctx, &canary, &step, &tx).await.unwrap();
    assert!(bump::follow(&client, &applied, &follow_options(), &tx).await.all_in_place());

    let pause = bump::plan_switch(&client, NS, "gss-2048", true).await.unwrap();
    bump::apply_switch(&ctx, &pause, &tx).await.unwrap();
    let gss = Api::<GameServerSet>::namespaced(client.clone(), NS).get("gss-2048").await.unwrap();
    assert!(gss.paused());
    assert!(matches!(
        bump::plan_switch(&client, NS, "gss-2048", true).await,
        Err(BumpError::Plan(_))
    ));
    let resume = bump::plan_switch(&client, NS, "gss-2048", false).await.unwrap();
    bump::apply_switch(&ctx, &resume, &tx).await.unwrap();

    // Roll the canary back: the template returns to the old image and partition to 0, so the
    // canary pod goes back in place and nobody is stranded behind the partition.
    let back = Step::Rollback { previous: Box::new(canary.clone()) };
    let plan = bump::plan(&client, NS, &back).await.unwrap();
    assert_eq!(plan.to_image, old);
    assert_eq!(plan.partition_after, 0);
    assert_eq!(plan.targets(), canary.targets());
    assert!(
        plan.pods
            .iter()
            .all(|p| !matches!(p.action, PodAction::Waiting(WaitReason::Partition { .. })))
    );
    let applied = bump::apply(&ctx, &plan, &back, &tx).await.unwrap();
    let report = bump::follow(&client, &applied, &follow_options(), &tx).await;
    assert!(report.all_in_place() && !report.timed_out, "{report:?}");
    assert!(pods(&client, "gss-2048").await.values().all(|(_, image, _)| *image == old));
    let actions: Vec<String> = AuditLog::read_all(&d.audit)
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect();
    // The rollback puts back the raised priority in the same audited action.
    assert_eq!(actions, ["bump-canary", "bump-canary", "pause", "resume", "rollback", "rollback"]);
    drop(tx);
    drain.await.unwrap();
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rbac_denial_refuses_and_a_forbidden_write_is_audited() {
    use okg_demo::VIEWER_TOKEN;
    let d = demo().await;
    let client = d.client();
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let new = with_tag(&old, "v2.0");
    // A viewer without --read-only: the pre-flight asks RBAC, which says no.
    let viewer_kc = d.dir.path().join("viewer.json");
    std::fs::write(
        &viewer_kc,
        serde_json::to_string(&d.cluster.kubeconfig_with_token(VIEWER_TOKEN)).unwrap(),
    )
    .unwrap();
    let run = d
        .okg_with(
            &viewer_kc,
            &["bump", "gss-2048", "--container", "sidecar", "--image", &new, "--yes", "-o", "json"],
        )
        .await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("RBAC denies patch gameserversets"), "{}", run.stderr);
    assert_eq!(run.json()["outcome"], "refused");
    assert_eq!(template_image(&client, "gss-2048", "sidecar").await, old);

    // Through the operation API (which leaves RBAC to its caller) the API server refuses the
    // write itself; the attempt is still in the audit log, with its outcome.
    let viewer = d.cluster.client_with_token(VIEWER_TOKEN).unwrap();
    let ctx =
        OpsContext { writer: Some(Writer::new(viewer.clone())), client: viewer, ..ops_context(&d) };
    let step = Step::Bump {
        set: "gss-2048".into(),
        request: BumpRequest {
            container: "sidecar".into(),
            image: new.clone(),
            scope: Scope::WholeSet,
            canary_allocated: false,
        },
    };
    let plan = bump::plan(&ctx.client, NS, &step).await.unwrap();
    let (tx, _rx) = mpsc::channel(64);
    let err = bump::apply(&ctx, &plan, &step, &tx).await.unwrap_err();
    assert!(matches!(err, BumpError::Write { ref applied, .. } if applied.is_empty()), "{err}");
    let records = AuditLog::read_all(&d.audit).unwrap();
    assert_eq!(records.len(), 1);
    assert!(records[0]["outcome"].as_str().unwrap().starts_with("forbidden"), "{records:?}");
    assert_eq!(template_image(&client, "gss-2048", "sidecar").await, old);
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminal_confirmation_requires_the_set_name_for_re_creation() {
    let d = demo().await;
    let client = d.client();
    let old = template_image(&client, "gss-battle", "sidecar").await;
    let new = with_tag(&old, "v1.1");
    let args =
        ["bump", "gss-battle", "--container", "sidecar", "--image", &new, "--allow-recreate"];
    let wrong = d.okg_on_terminal(&args, "y\n").await;
    assert_eq!(wrong.code, 4, "{wrong:?}");
    assert!(wrong.stdout.contains("Type the set name"), "{}", wrong.stdout);
    assert_eq!(template_image(&client, "gss-battle", "sidecar").await, old, "nothing was sent");
    let right = d.okg_on_terminal(&args, "gss-battle\n").await;
    assert_eq!(right.code, 0, "{right:?}");
    assert_eq!(template_image(&client, "gss-battle", "sidecar").await, new);
    // An in-place bump takes a plain yes.
    let old_2048 = template_image(&client, "gss-2048", "sidecar").await;
    let args =
        ["bump", "gss-2048", "--container", "sidecar", "--image", &with_tag(&old_2048, "v2.0")];
    let no = d.okg_on_terminal(&args, "n\n").await;
    assert_eq!(no.code, 4, "{no:?}");
    let yes = d.okg_on_terminal(&args, "y\n").await;
    assert_eq!(yes.code, 0, "{yes:?}");
    assert_eq!(AuditLog::read_all(&d.audit).unwrap().len(), 2);
    d.cluster.shutdown().await;
}
