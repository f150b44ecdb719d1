//! Write semantics no double can promise: patch content types, stale writes (409 / 422), and
//! ops::bump against a concurrent change.

use crate::support::*;
use kube::api::{Api, Patch, PatchParams, PostParams};
use okg_console::cluster::writer::Writer;
use okg_domain::types::GameServerSet;
use serde_json::{Value, json};

/// Custom resources refuse strategic merge patch with 415; the console's one write path uses
/// JSON Patch, which the same server accepts, and no 415 shows in the audit log for it.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn strategic_merge_patch_is_refused_with_415_and_our_writer_uses_json_patch() {
    let Some(env) =
        env_or_skip("strategic_merge_patch_is_refused_with_415_and_our_writer_uses_json_patch")
    else {
        return;
    };
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-415").await;
    create_fleet(&admin, &ns, "gss-smp", 2).await;
    create_fleet(&admin, &ns, "gss-writer", 2).await;
    let since = jiff::Timestamp::now();

    let api: Api<GameServerSet> = Api::namespaced(admin.clone(), &ns);
    let smp = api
        .patch(
            "gss-smp",
            &PatchParams::default(),
            &Patch::Strategic(json!({"spec": {"replicas": 3}})),
        )
        .await;
    assert_eq!(api_code(&smp), Some(415), "strategic merge patch on a CR: {smp:?}");

    let writer = Writer::new(admin.clone());
    let patch = json_patch(json!([
        {"op": "test", "path": "/spec/replicas", "value": 2},
        {"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image",
         "value": "registry.example/game/hot-update:v1.1"}
    ]));
    let gss = writer.patch_game_server_set(&ns, "gss-writer", patch).await.expect("JSON Patch");
    assert_eq!(gss.template_images()[1].1, "registry.example/game/hot-update:v1.1");
    let gs_patch =
        json_patch(json!([{"op": "replace", "path": "/spec/updatePriority", "value": 5}]));
    writer.patch_game_server(&ns, "gss-writer-1", gs_patch).await.expect("JSON Patch on a GS");

    let events = audit_events(&env);
    let ours: Vec<&Value> = events
        .iter()
        .filter(|e| e["user"]["username"] == ADMIN && e["objectRef"]["namespace"] == ns.as_str())
        .filter(|e| {
            e["stageTimestamp"].as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok())
                >= Some(since)
        })
        .collect();
    let refused: Vec<_> = ours.iter().filter(|e| e["responseStatus"]["code"] == 415).collect();
    assert_eq!(refused.len(), 1, "only the deliberate strategic merge patch is refused");
    assert_eq!(refused[0]["objectRef"]["name"], "gss-smp");
    let writer_patches: Vec<_> = ours
        .iter()
        .filter(|e| e["verb"] == "patch" && e["objectRef"]["name"] != "gss-smp")
        .collect();
    assert_eq!(writer_patches.len(), 2, "{writer_patches:#?}");
    assert!(writer_patches.iter().all(|e| e["responseStatus"]["code"] == 200));
}

/// A write based on a stale read is refused: 409 for a stale resourceVersion, 422 for a JSON
/// Patch whose `test` no longer holds. Nothing changes, and re-reading then retrying works.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn stale_writes_get_409_or_422_and_a_reread_retry_succeeds() {
    let Some(env) = env_or_skip("stale_writes_get_409_or_422_and_a_reread_retry_succeeds") else {
        return;
    };
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-stale").await;
    create_fleet(&admin, &ns, "gss-stale", 3).await;
    let api: Api<GameServerSet> = Api::namespaced(admin.clone(), &ns);
    let writer = Writer::new(admin.clone());

    let stale = api.get("gss-stale").await.unwrap();
    let stale_rv = stale.metadata.resource_version.clone().unwrap();
    // Someone else scales the set in between.
    writer
        .patch_game_server_set(
            &ns,
            "gss-stale",
            json_patch(json!([{"op": "replace", "path": "/spec/replicas", "value": 4}])),
        )
        .await
        .unwrap();

    // 1. A full update carrying the old resourceVersion.
    let mut edited = stale.clone();
    edited.spec.replicas = Some(5);
    let put = api.replace("gss-stale", &PostParams::default(), &edited).await;
    assert_eq!(api_code(&put), Some(409), "{put:?}");

    // 2. JSON Patch guarded by `test` on what we read (the console's optimistic concurrency).
    let guarded = |replicas: i32, rv: &str| {
        json_patch(json!([
            {"op": "test", "path": "/metadata/resourceVersion", "value": rv},
            {"op": "test", "path": "/spec/replicas", "value": replicas},
            {"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/0/image",
             "value": "registry.example/game/2048:v2.0"}
        ]))
    };
    let r = writer.patch_game_server_set(&ns, "gss-stale", guarded(3, &stale_rv)).await;
    match &r {
        // What a real kube-apiserver says for a failed `test` op: 422 Invalid with a generic
        // message and no details, so a client cannot tell it from other 422s by the text.
        Err(kube::Error::Api(s)) if s.code == 422 => assert_eq!(s.reason, "Invalid", "{s:?}"),
        Err(kube::Error::Api(s)) if s.code == 409 => {}
        other => panic!("stale JSON Patch: expected 409 or 422, got {other:?}"),
    }

    // 3. A resourceVersion replaced inside a JSON Patch is a precondition too: 409.
    let r = writer
        .patch_game_server_set(
            &ns,
            "gss-stale",
            json_patch(json!([
                {"op": "replace", "path": "/metadata/resourceVersion", "value": stale_rv},
                {"op": "replace", "path": "/spec/replicas", "value": 5}
            ])),
        )
        .await;
    assert_eq!(api_code(&r), Some(409), "{r:?}");

    let now = api.get("gss-stale").await.unwrap();
    assert_eq!(now.spec.replicas, Some(4), "refused writes changed nothing");
    assert_eq!(now.template_images()[0].1, MAIN_IMAGE);

    // Handling: re-read, rebuild the patch from what is there now, and it goes through. The
    // simulated controller writes this set's status too (a new resourceVersion each time), so a
    // re-read can itself go stale before the patch lands: re-read again, a few times at most.
    let mut attempt = 0;
    let done = loop {
        let current = api.get("gss-stale").await.unwrap();
        let rv = current.metadata.resource_version.clone().unwrap();
        match writer.patch_game_server_set(&ns, "gss-stale", guarded(4, &rv)).await {
            Ok(done) => break done,
            Err(kube::Error::Api(s)) if (s.code == 409 || s.code == 422) && attempt < 5 => {
                attempt += 1;
            }
            Err(e) => panic!("re-read and retry failed after {attempt} retries: {e:?}"),
        }
    };
    assert_eq!(done.template_images()[0].1, "registry.example/game/2048:v2.0");
}

/// ops::bump against a change made between plan and apply: refused as a conflict before
/// sending, and the plan's own patch, sent anyway, fails its `test` op on the real server (422
/// Invalid) and changes nothing.
///
/// Finding: the real server's 422 for a failed `test` op carries only the generic message "the
/// server rejected our request due to an error in our request" and empty details. ops::bump
/// therefore does not read the message: on a 422 it re-reads the object and calls the failure a
/// conflict when its own `test` ops no longer hold (`bump_plan::test_ops_hold`), which this test
/// checks against the real server's object.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn ops_bump_detects_a_concurrent_change_and_the_server_fails_its_test_op() {
    let Some(env) =
        env_or_skip("ops_bump_detects_a_concurrent_change_and_the_server_fails_its_test_op")
    else {
        return;
    };
    use okg_console::ops::audit::AuditLog;
    use okg_console::ops::bump::{self, BumpError, OpsContext, Step};
    use okg_domain::bump_plan::{BumpRequest, Scope};
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-conflict").await;
    create_fleet(&admin, &ns, "gss-race", 2).await;
    let dir = tempfile::tempdir().unwrap();
    let ctx = OpsContext {
        client: admin.clone(),
        writer: Some(Writer::new(admin.clone())),
        namespace: ns.clone(),
        context: "okg-e2e".into(),
        audit: AuditLog::new(dir.path().join("audit.jsonl")),
        cancel: Default::default(),
        feed: Default::default(),
    };
    let step = Step::Bump {
        set: "gss-race".into(),
        request: BumpRequest {
            container: "hot-update".into(),
            image: "registry.example/game/hot-update:v2.0".into(),
            scope: Scope::WholeSet,
            canary_allocated: false,
        },
    };
    let plan = bump::plan(&admin, &ns, &step).await.expect("plan");
    // Someone else bumps the same container first.
    Writer::new(admin.clone())
        .patch_game_server_set(
            &ns,
            "gss-race",
            json_patch(json!([{"op": "replace",
                "path": "/spec/gameServerTemplate/spec/containers/1/image",
                "value": "registry.example/game/hot-update:v1.5"}])),
        )
        .await
        .unwrap();
    let (tx, _rx) = tokio::sync::mpsc::channel(64);
    let err = bump::apply(&ctx, &plan, &step, &tx).await.unwrap_err();
    assert!(matches!(err, BumpError::Conflict { ref applied, .. } if applied.is_empty()), "{err}");

    let stale = Writer::new(admin.clone())
        .patch_game_server_set(&ns, "gss-race", plan.patches[0].json_patch())
        .await;
    match &stale {
        Err(kube::Error::Api(s)) => {
            assert_eq!((s.code, s.reason.as_str()), (422, "Invalid"), "{s:?}");
            let current =
                Api::<GameServerSet>::namespaced(admin.clone(), &ns).get("gss-race").await.unwrap();
            let current = serde_json::to_value(current).unwrap();
            assert!(
                !okg_domain::bump_plan::test_ops_hold(&plan.patches[0].patch, &current),
                "the re-read object must fail the plan's test ops, so ops::bump calls it a conflict"
            );
        }
        other => panic!("expected 422, got {other:?}"),
    }
    let gss = Api::<GameServerSet>::namespaced(admin.clone(), &ns).get("gss-race").await.unwrap();
    assert_eq!(gss.template_images()[1].1, "registry.example/game/hot-update:v1.5", "theirs stays");
}
