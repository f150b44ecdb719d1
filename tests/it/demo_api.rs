//! The demo API server answers like kube-apiserver: CRUD, patches, watches (410 and recovery),
//! exec, the pod proxy, errors, authorization, tables, and kubectl.
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{
    Api, AttachParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::runtime::watcher;
use okg_demo::{DemoCluster, DemoOptions, VIEWER_TOKEN, fixtures};
use okg_domain::types::{GameServer, GameServerSet, annotations};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{NS, bare_fleet, kubectl};

fn api_code(e: &kube::Error) -> u16 {
    match e {
        kube::Error::Api(s) => s.code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// One raw HTTP/1.1 exchange, for inputs no client library would send.
async fn raw(demo: &DemoCluster, request: &[u8]) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(demo.addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out).to_string();
    let code = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (code, text)
}

fn req(method: &str, path: &str, token: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[tokio::test]
async fn list_and_watch_see_a_change_made_by_another_client() {
    let demo = bare_fleet(3, 5).await;
    let reader: Api<GameServer> =
        Api::namespaced(demo.client_with_token(VIEWER_TOKEN).unwrap(), NS);
    let writer: Api<GameServer> = Api::namespaced(demo.client().unwrap(), NS);
    let list = reader.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 3);
    let rv = list.metadata.resource_version.clone().unwrap();
    let mut events = reader.watch(&WatchParams::default().timeout(10), &rv).await.unwrap().boxed();

    let patch = json!({"spec": {"opsState": "Maintaining"}});
    writer.patch("gss-2048-1", &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();

    let ev =
        tokio::time::timeout(Duration::from_secs(5), events.try_next()).await.unwrap().unwrap();
    match ev {
        Some(WatchEvent::Modified(gs)) => {
            assert_eq!(gs.metadata.name.as_deref(), Some("gss-2048-1"));
            assert_eq!(gs.spec.ops_state.as_deref(), Some("Maintaining"));
        }
        other => panic!("expected MODIFIED, got {other:?}"),
    }
    let again = reader.get("gss-2048-1").await.unwrap();
    assert_eq!(again.spec.ops_state.as_deref(), Some("Maintaining"));
    // Selectors apply to lists.
    let pods: Api<Pod> = Api::all(demo.client().unwrap());
    let sel = ListParams::default()
        .labels("statefulset.kubernetes.io/pod-name in (gss-2048-0,gss-2048-2)");
    assert_eq!(pods.list(&sel).await.unwrap().items.len(), 2);
    let sel = ListParams::default().labels("!game.kruise.io/owner-gss");
    assert_eq!(pods.list(&sel).await.unwrap().items.len(), 0);
    let sel = ListParams::default().fields("metadata.name=gss-2048-1");
    assert_eq!(pods.list(&sel).await.unwrap().items.len(), 1);
    demo.shutdown().await;
}

#[tokio::test]
async fn watch_from_a_compacted_version_gets_410_and_the_watcher_relists() {
    let demo = bare_fleet(2, 5).await;
    let gss: Api<GameServer> = Api::namespaced(demo.client().unwrap(), NS);
    let pods: Api<Pod> = Api::namespaced(demo.client().unwrap(), NS);

    // Directly: an ERROR event carrying 410.
    let old_rv = gss.list(&ListParams::default()).await.unwrap().metadata.resource_version.unwrap();
    let bump = json!({"metadata": {"labels": {"touched": "yes"}}});
    pods.patch("gss-2048-0", &PatchParams::default(), &Patch::Merge(&bump)).await.unwrap();
    demo.compact_watch_history();
    let mut stream = gss.watch(&WatchParams::default(), &old_rv).await.unwrap().boxed();
    match stream.try_next().await.unwrap() {
        Some(WatchEvent::Error(e)) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
        other => panic!("expected a 410 ERROR event, got {other:?}"),
    }

    // kube-runtime's watcher: its watch times out after 1 s and resumes from its last version,
    // which a compaction has made too old; it must re-list (a second Init) and carry on.
    let config = watcher::Config::default().timeout(1).disable_bookmarks();
    let mut w = watcher(gss.clone(), config).boxed();
    let mut inits = 0;
    let mut compacted = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while inits < 2 {
        let ev =
            tokio::time::timeout_at(deadline, w.next()).await.expect("watcher re-listed in time");
        match ev {
            Some(Ok(watcher::Event::Init)) => inits += 1,
            Some(Ok(watcher::Event::InitDone)) if !compacted => {
                // A change elsewhere moves the clock on; compaction makes the watcher's version stale.
                let bump = json!({"metadata": {"labels": {"touched": "again"}}});
                pods.patch("gss-2048-1", &PatchParams::default(), &Patch::Merge(&bump))
                    .await
                    .unwrap();
                demo.compact_watch_history();
                compacted = true;
            }
            Some(_) => {}
            None => panic!("watcher ended"),
        }
    }
    // After recovery it still sees live changes.
    let patch = json!({"spec": {"opsState": "Kill"}});
    gss.patch("gss-2048-0", &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();
    loop {
        let ev = tokio::time::timeout_at(deadline, w.next()).await.expect("change seen in time");
        // The patch may land while the re-list is still running: then it arrives as InitApply.
        if let Some(Ok(watcher::Event::Apply(gs) | watcher::Event::InitApply(gs))) = ev
            && gs.spec.ops_state.as_deref() == Some("Kill")
        {
            break;
        }
    }
    demo.shutdown().await;
}

#[tokio::test]
async fn patch_rules_415_422_and_stale_put_409() {
    let demo = bare_fleet(2, 5).await;
    let sets: Api<GameServerSet> = Api::namespaced(demo.client().unwrap(), NS);
    let strategic = json!({"spec": {"replicas": 5}});
    let err = sets
        .patch("gss-2048", &PatchParams::default(), &Patch::Strategic(&strategic))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), 415);

    let before = sets.get("gss-2048").await.unwrap();
    let failing: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": "not-the-image"},
        {"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": "sidecar:v2"}
    ]))
    .unwrap();
    let err = sets
        .patch("gss-2048", &PatchParams::default(), &Patch::<()>::Json(failing))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), 422);
    let after = sets.get("gss-2048").await.unwrap();
    assert_eq!(after.metadata.resource_version, before.metadata.resource_version);
    assert_eq!(after.template_images(), before.template_images());

    // A passing test op applies, bumps generation, keeps status.
    let passing: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": fixtures::SIDECAR_IMAGE},
        {"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": "sidecar:v2"}
    ]))
    .unwrap();
    let patched =
        sets.patch("gss-2048", &PatchParams::default(), &Patch::<()>::Json(passing)).await.unwrap();
    assert_eq!(patched.template_images()[1].1, "sidecar:v2");
    assert_eq!(patched.metadata.generation, Some(before.metadata.generation.unwrap() + 1));

    // PUT with the old resourceVersion: 409 Conflict.
    let err = sets.replace("gss-2048", &PostParams::default(), &before).await.unwrap_err();
    assert_eq!(api_code(&err), 409);
    let mut current = sets.get("gss-2048").await.unwrap();
    current.spec.replicas = Some(3);
    assert_eq!(
        sets.replace("gss-2048", &PostParams::default(), &current).await.unwrap().spec.replicas,
        Some(3)
    );

    // Create twice: 409 AlreadyExists.
    let err = sets.create(&PostParams::default(), &current).await.unwrap_err();
    match err {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (409, "AlreadyExists")),
        other => panic!("{other:?}"),
    }
    demo.shutdown().await;
}

#[tokio::test]
async fn exec_runs_reloads_and_reports_exit_codes() {
    let demo = bare_fleet(2, 5).await;
    let pods: Api<Pod> = Api::namespaced(demo.client().unwrap(), NS);
    let ap = AttachParams::default().container("app-2048").stdout(true).stderr(true);

    let mut ok = pods.exec("gss-2048-0", ["nginx", "-s", "reload"], &ap).await.unwrap();
    let stdout = read_all(ok.stdout().unwrap()).await;
    let status = ok.take_status().unwrap().await.unwrap();
    assert_eq!(stdout, "reloaded scripts from sidecar v1\n");
    assert_eq!(status.status.as_deref(), Some("Success"));

    let fail =
        json!({"metadata": {"annotations": {annotations::DEMO_FAIL_RELOAD: "scripts missing"}}});
    pods.patch("gss-2048-1", &PatchParams::default(), &Patch::Merge(&fail)).await.unwrap();
    let mut bad = pods.exec("gss-2048-1", ["/scripts/reload.sh"], &ap).await.unwrap();
    let stderr = read_all(bad.stderr().unwrap()).await;
    let status = bad.take_status().unwrap().await.unwrap();
    assert_eq!(stderr, "reload failed: scripts missing\n");
    assert_eq!(status.reason.as_deref(), Some("NonZeroExitCode"));
    let causes = status.details.unwrap().causes.unwrap();
    assert_eq!(
        (causes[0].reason.as_deref(), causes[0].message.as_deref()),
        (Some("ExitCode"), Some("1"))
    );

    let mut exit3 = pods.exec("gss-2048-0", ["sh", "-c", "exit 3"], &ap).await.unwrap();
    let status = exit3.take_status().unwrap().await.unwrap();
    assert!(status.message.unwrap().ends_with("exit code 3"));

    // Unknown container, or a pod that is not running: refused before the upgrade.
    let wrong = AttachParams::default().container("nope");
    assert!(pods.exec("gss-2048-0", ["true"], &wrong).await.is_err());
    let pending = json!({"status": {"phase": "Pending"}});
    pods.patch_status("gss-2048-0", &PatchParams::default(), &Patch::Merge(&pending))
        .await
        .unwrap();
    assert!(pods.exec("gss-2048-0", ["true"], &ap).await.is_err());
    assert_eq!(demo.stats.reloads_total.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert_eq!(demo.stats.reloads_in_flight.load(std::sync::atomic::Ordering::SeqCst), 0);
    demo.shutdown().await;
}

async fn read_all(mut r: impl tokio::io::AsyncRead + Unpin) -> String {
    let mut s = String::new();
    r.read_to_string(&mut s).await.unwrap();
    s
}

#[tokio::test]
async fn http_reload_through_the_pod_proxy() {
    let demo = bare_fleet(2, 5).await;
    let client = demo.client().unwrap();
    let get = |path: &str| http::Request::get(path).body(Vec::new()).unwrap();
    let text = client
        .request_text(get("/api/v1/namespaces/default/pods/gss-2048-0:3000/proxy/reload"))
        .await
        .unwrap();
    assert_eq!(text, "reloaded scripts from sidecar v1\n");

    let pods: Api<Pod> = Api::namespaced(client.clone(), NS);
    let fail = json!({"metadata": {"annotations": {annotations::DEMO_FAIL_RELOAD: "bad config"}}});
    pods.patch("gss-2048-1", &PatchParams::default(), &Patch::Merge(&fail)).await.unwrap();
    let (code, body) = raw(
        &demo,
        &req(
            "POST",
            "/api/v1/namespaces/default/pods/gss-2048-1:3000/proxy/reload",
            okg_demo::ADMIN_TOKEN,
            "text/plain",
            "",
        ),
    )
    .await;
    assert_eq!(code, 500);
    assert!(body.ends_with("reload failed: bad config\n"), "{body}");

    let err = client
        .request_text(get("/api/v1/namespaces/default/pods/gss-2048-0:8080/proxy/reload"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), 502);
    let (code, _) = raw(
        &demo,
        &req(
            "GET",
            "/api/v1/namespaces/default/pods/gss-2048-0:3000/proxy/other",
            okg_demo::ADMIN_TOKEN,
            "text/plain",
            "",
        ),
    )
    .await;
    assert_eq!(code, 404);
    demo.shutdown().await;
}

#[tokio::test]
async fn errors_are_statuses_with_the_right_code() {
    let demo = bare_fleet(1, 5).await;
    let admin = okg_demo::ADMIN_TOKEN;
    let gs = "/apis/game.kruise.io/v1alpha1/namespaces/default/gameservers";
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (
            req(
                "PATCH",
                &format!("{gs}/gss-2048-0"),
                admin,
                "application/json-patch+json",
                "{nope",
            ),
            400,
            "BadRequest",
        ),
        (
            req(
                "PATCH",
                &format!("{gs}/gss-2048-0"),
                admin,
                "application/json-patch+json",
                "[{\"op\":\"explode\"}]",
            ),
            400,
            "BadRequest",
        ),
        (
            req(
                "PATCH",
                &format!("{gs}/gss-2048-0"),
                admin,
                "application/merge-patch+json",
                "[1,2]",
            ),
            400,
            "BadRequest",
        ),
        (
            req("PATCH", &format!("{gs}/gss-2048-0"), admin, "text/plain", "{}"),
            415,
            "UnsupportedMediaType",
        ),
        (req("GET", &format!("{gs}/missing"), admin, "", ""), 404, "NotFound"),
        (req("GET", "/api/v1/namespaces/default/secrets", admin, "", ""), 404, "NotFound"),
        (
            req("GET", "/apis/apps/v1/namespaces/default/deployments", admin, "", ""),
            404,
            "NotFound",
        ),
        (req("GET", &format!("{gs}?labelSelector=a%20in%20(b"), admin, "", ""), 400, "BadRequest"),
        (req("GET", &format!("{gs}?fieldSelector=spec.x%3Dy"), admin, "", ""), 400, "BadRequest"),
        (
            req("POST", gs, admin, "application/json", "{\"metadata\":{\"name\":\"Bad_Name\"}}"),
            422,
            "Invalid",
        ),
        (req("POST", gs, admin, "application/json", "not json"), 400, "BadRequest"),
        (req("DELETE", gs, admin, "", ""), 405, "MethodNotAllowed"),
        (req("GET", gs, "wrong-token", "", ""), 401, "Unauthorized"),
    ];
    for (request, code, reason) in cases {
        let (got, body) = raw(&demo, &request).await;
        let json_body: Value =
            serde_json::from_str(body.split("\r\n\r\n").nth(1).unwrap_or("")).unwrap_or_default();
        assert_eq!(
            (got, json_body["reason"].as_str()),
            (code, Some(reason)),
            "{}\n{body}",
            String::from_utf8_lossy(&request)
        );
        assert_eq!(json_body["kind"], "Status");
    }
    // Garbage never takes the server down.
    let garbage: Vec<Vec<u8>> = vec![
        b"\x00\x01\x02garbage\r\n\r\n".to_vec(),
        b"GET /api/v1/namespaces/%ff%fe/pods/%00 HTTP/1.1\r\nConnection: close\r\nAuthorization: Bearer okg-demo-admin\r\n\r\n".to_vec(),
        req("PUT", &format!("{gs}/gss-2048-0/status"), admin, "application/json", "{\"kind\":7}"),
        req("PATCH", &format!("{gs}/gss-2048-0"), admin, "application/json-patch+json", "[{\"op\":\"remove\",\"path\":\"\"}]"),
        req("PATCH", &format!("{gs}/gss-2048-0"), admin, "application/json-patch+json", "[{\"op\":\"replace\",\"path\":\"/metadata\",\"value\":5}]"),
        req("GET", "/api/v1/namespaces/default/pods?watch=1&resourceVersion=abc", admin, "", ""),
        req("GET", "/api/v1/namespaces/default/pods?limit=1&continue=zz", admin, "", ""),
        req("GET", "/api/v1/namespaces/default/pods/gss-2048-0/exec?command=true", admin, "", ""),
        req("GET", "/api/v1/namespaces/default/pods/:::/proxy", admin, "", ""),
        req("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", admin, "application/json", "[]"),
    ];
    for g in garbage {
        let (code, body) = raw(&demo, &g).await;
        assert!(code == 0 || (400..500).contains(&code), "{code}: {body}");
    }
    let pods: Api<Pod> = Api::namespaced(demo.client().unwrap(), NS);
    assert_eq!(pods.list(&ListParams::default()).await.unwrap().items.len(), 1);
    demo.shutdown().await;
}

#[tokio::test]
async fn viewer_is_forbidden_to_write_and_reviews_agree() {
    let demo = bare_fleet(1, 5).await;
    let viewer = demo.client_with_token(VIEWER_TOKEN).unwrap();
    let sets: Api<GameServerSet> = Api::namespaced(viewer.clone(), NS);
    sets.list(&ListParams::default()).await.unwrap();
    assert_eq!(demo.stats.client_mutations(), 0, "reads are not mutations");
    let patch = json!({"spec": {"replicas": 2}});
    match sets.patch("gss-2048", &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap_err()
    {
        kube::Error::Api(s) => {
            assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
            assert_eq!(
                s.message,
                "gameserversets.game.kruise.io \"gss-2048\" is forbidden: User \"demo-viewer\" cannot patch \
                 resource \"gameserversets\" in API group \"game.kruise.io\" in the namespace \"default\""
            );
        }
        other => panic!("{other:?}"),
    }
    let pods: Api<Pod> = Api::namespaced(viewer.clone(), NS);
    assert!(
        pods.exec("gss-2048-0", ["true"], &AttachParams::default().container("app-2048"))
            .await
            .is_err()
    );
    let proxy = http::Request::get("/api/v1/namespaces/default/pods/gss-2048-0:3000/proxy/reload");
    let err = viewer.request_text(proxy.body(Vec::new()).unwrap()).await.unwrap_err();
    assert_eq!(api_code(&err), 403);
    assert_eq!(demo.stats.client_mutations(), 3, "refused attempts are counted");

    let reviews: Api<SelfSubjectAccessReview> = Api::all(viewer.clone());
    let ask = |verb: &str, resource: &str, sub: Option<&str>| SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(NS.into()),
                verb: Some(verb.into()),
                resource: Some(resource.into()),
                subresource: sub.map(Into::into),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    for (verb, resource, sub, allowed) in [
        ("list", "pods", None, true),
        ("patch", "gameserversets", None, false),
        ("create", "pods", Some("exec"), false),
        ("get", "pods", Some("proxy"), false),
    ] {
        let got = reviews.create(&PostParams::default(), &ask(verb, resource, sub)).await.unwrap();
        assert_eq!(got.status.unwrap().allowed, allowed, "{verb} {resource} {sub:?}");
    }
    let admin_reviews: Api<SelfSubjectAccessReview> = Api::all(demo.client().unwrap());
    let got = admin_reviews
        .create(&PostParams::default(), &ask("create", "pods", Some("exec")))
        .await
        .unwrap();
    assert!(got.status.unwrap().allowed);
    assert_eq!(demo.stats.client_mutations(), 3, "reviews are not mutations");
    let who = okg_console::cluster::access::who_am_i(&viewer).await;
    assert_eq!(who, "demo-viewer");
    demo.shutdown().await;
}

#[tokio::test]
async fn tables_print_the_okg_columns() {
    let demo = bare_fleet(2, 5).await;
    let client = demo.client().unwrap();
    let mut r = http::Request::get("/apis/game.kruise.io/v1alpha1/namespaces/default/gameservers")
        .body(Vec::new())
        .unwrap();
    r.headers_mut().insert(
        http::header::ACCEPT,
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json".parse().unwrap(),
    );
    let t: Value = client.request(r).await.unwrap();
    let names: Vec<&str> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Name", "STATE", "OPSSTATE", "DP", "UP", "AGE"]);
    assert_eq!(t["rows"][1]["cells"][0], "gss-2048-1");
    assert_eq!(t["rows"][1]["cells"][1], "Ready");
    assert_eq!(t["rows"][1]["object"]["metadata"]["name"], "gss-2048-1");
    demo.shutdown().await;
}

#[tokio::test]
async fn seeded_demo_starts_and_serves_discovery() {
    let demo =
        DemoCluster::start("127.0.0.1:0".parse().unwrap(), DemoOptions::default()).await.unwrap();
    let client = demo.client().unwrap();
    let v = client.apiserver_version().await.unwrap();
    assert_eq!(v.major, "1");
    let groups = client.list_api_groups().await.unwrap();
    assert!(groups.groups.iter().any(|g| g.name == "game.kruise.io"));
    let res = client.list_api_group_resources("game.kruise.io/v1alpha1").await.unwrap();
    let gs = res.resources.iter().find(|r| r.name == "gameservers").unwrap();
    assert_eq!(gs.short_names.as_deref(), Some(&["gs".to_string()][..]));
    demo.shutdown().await;
}

#[tokio::test]
async fn kubectl_works_against_the_demo() {
    let demo = bare_fleet(3, 5).await;
    let Some(run) = kubectl(&demo) else { return };
    let out = tokio::task::spawn_blocking({
        let run = run.clone();
        move || {
            let gs = run(&["get", "gs"]);
            let gss = run(&["get", "gss"]);
            let pods = run(&["get", "pods", "-o", "wide"]);
            run(&[
                "patch",
                "gss",
                "gss-2048",
                "--type=json",
                "-p",
                r#"[{"op":"replace","path":"/spec/replicas","value":4}]"#,
            ]);
            let replicas = run(&["get", "gss", "gss-2048", "-o", "jsonpath={.spec.replicas}"]);
            let exec =
                run(&["exec", "gss-2048-0", "-c", "app-2048", "--", "nginx", "-s", "reload"]);
            let raw = run(&[
                "get",
                "--raw",
                "/api/v1/namespaces/default/pods/gss-2048-0:3000/proxy/reload",
            ]);
            assert_eq!(run(&["auth", "can-i", "patch", "gss"]), "yes\n");
            (gs, gss, pods, replicas, exec, raw)
        }
    })
    .await
    .unwrap();
    let (gs, gss, pods, replicas, exec, raw) = out;
    assert!(gs.starts_with("NAME") && gs.contains("STATE") && gs.contains("gss-2048-2"), "{gs}");
    assert!(gss.contains("WAITTOBEDELETED") && gss.contains("gss-2048"), "{gss}");
    assert!(
        pods.contains("10.244.0.2") && pods.contains("demo-node-1") && pods.contains("2/2"),
        "{pods}"
    );
    assert_eq!(replicas, "4");
    assert_eq!(exec, "reloaded scripts from sidecar v1\n");
    assert_eq!(raw.trim_end(), "reloaded scripts from sidecar v1");
    demo.shutdown().await;
}

#[tokio::test]
async fn requests_are_counted_per_identity_reads_and_discovery_included() {
    let demo = bare_fleet(2, 5).await;
    let before = demo.stats.requests_by_identity();
    let path = "/apis/game.kruise.io/v1alpha1/namespaces/default/gameservers";
    let (code, _) = raw(&demo, &req("GET", path, VIEWER_TOKEN, "application/json", "")).await;
    assert_eq!(code, 200);
    let (code, _) = raw(&demo, &req("GET", "/apis", okg_demo::ADMIN_TOKEN, "", "")).await;
    assert_eq!(code, 200);
    let (code, _) = raw(&demo, &req("GET", path, "no-such-token", "", "")).await;
    assert_eq!(code, 401, "an unknown token is nobody's request");
    let after = demo.stats.requests_by_identity();
    let delta: Vec<(&str, u64)> =
        after.iter().zip(before).map(|((who, a), (_, b))| (*who, a - b)).collect();
    assert_eq!(delta, [("demo-admin", 1), ("demo-viewer", 1), ("okg-demo-controller", 0)]);
}
