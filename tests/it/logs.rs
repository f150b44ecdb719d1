//! Container logs: the demo's pods/log through kube-rs, and `okg logs` through the real binary.
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams, Patch, PatchParams};
use serde_json::json;

use crate::support::{NS, bare_fleet};
use okg_demo::{DemoCluster, VIEWER_TOKEN};
use okg_domain::types::annotations;

/// The app's HTTP reload through pods/proxy: the demo writes its outcome to the main log.
async fn reload_over_http(demo: &DemoCluster, pod: &str) {
    let req = http::Request::get(format!("/api/v1/namespaces/{NS}/pods/{pod}:3000/proxy/reload"))
        .body(Vec::new())
        .unwrap();
    let _ = demo.client().unwrap().request_text(req).await;
}

async fn fail_reload(demo: &DemoCluster, pod: &str, why: &str) {
    let pods: Api<Pod> = Api::namespaced(demo.client().unwrap(), NS);
    let patch = json!({"metadata": {"annotations": {annotations::DEMO_FAIL_RELOAD: why}}});
    pods.patch(pod, &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();
}

fn kubeconfig(demo: &DemoCluster, dir: &Path, token: Option<&str>) -> std::path::PathBuf {
    let kc = match token {
        Some(t) => demo.kubeconfig_with_token(t),
        None => demo.kubeconfig(),
    };
    let path = dir.join(format!("kubeconfig-{}", token.unwrap_or("admin")));
    std::fs::write(&path, serde_json::to_string(&kc).unwrap()).unwrap();
    path
}

fn okg(kc: &Path, dir: &Path, args: &[&str]) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_okg"));
    c.arg("--kubeconfig")
        .arg(kc)
        .arg("--log-file")
        .arg(dir.join("okg.log"))
        .arg("logs")
        .args(args)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null());
    c
}

async fn run(kc: &Path, dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = okg(kc, dir, args).output().await.unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_demo_serves_pod_logs_as_the_kubelet_does() {
    let demo = bare_fleet(2, 1).await;
    let pods: Api<Pod> = Api::namespaced(demo.client().unwrap(), NS);
    let lp = |c: &str| LogParams { container: Some(c.into()), ..Default::default() };
    let all = pods.logs("gss-2048-0", &lp("app-2048")).await.unwrap();
    // Started long ago: the log holds the last 1000 lines (the cap), the latest ticks.
    assert_eq!(all.lines().count(), 1000, "{all}");
    assert!(all.lines().all(|l| l.starts_with("INFO tick: ")), "{all}");
    let tail = pods
        .logs("gss-2048-0", &LogParams { tail_lines: Some(2), timestamps: true, ..lp("sidecar") })
        .await
        .unwrap();
    let lines: Vec<&str> = tail.lines().collect();
    assert_eq!(lines.len(), 2, "{tail}");
    for l in &lines {
        let (ts, text) = l.split_once(' ').unwrap();
        assert!(ts.parse::<jiff::Timestamp>().is_ok(), "{l}");
        assert!(text.starts_with("INFO sync: scripts "), "{l}");
    }
    // The sidecar writes every 15 s: 20 s hold one or two of its lines.
    let recent = pods
        .logs("gss-2048-0", &LogParams { since_seconds: Some(20), ..lp("sidecar") })
        .await
        .unwrap();
    assert!((1..=2).contains(&recent.lines().count()), "{recent}");

    // A reload is written to the main container's log, naming the scripts' version, and a
    // failed one says why.
    reload_over_http(&demo, "gss-2048-0").await;
    fail_reload(&demo, "gss-2048-1", "disk full").await;
    reload_over_http(&demo, "gss-2048-1").await;
    let last = |pod: &'static str| {
        let pods = pods.clone();
        async move {
            let lp = LogParams { tail_lines: Some(1), ..lp("app-2048") };
            pods.logs(pod, &lp).await.unwrap()
        }
    };
    assert!(last("gss-2048-0").await.starts_with("INFO reload: loaded scripts version v1"));
    assert!(last("gss-2048-1").await.starts_with("ERROR reload failed: disk full"));

    // What kubectl shows for a missing container, and for `previous` on a container that never
    // restarted.
    let e = pods.logs("gss-2048-0", &lp("nope")).await.unwrap_err();
    assert!(e.to_string().contains("container nope is not valid for pod gss-2048-0"), "{e}");
    let e =
        pods.logs("gss-2048-0", &LogParams { previous: true, ..lp("sidecar") }).await.unwrap_err();
    assert!(e.to_string().contains("previous terminated container \"sidecar\""), "{e}");
    let e = pods.logs("gss-2048-0", &LogParams::default()).await.unwrap_err();
    assert!(e.to_string().contains("choose one of: [app-2048 sidecar]"), "{e}");

    // Followed, the stream stays open and brings the next reload.
    let follow = LogParams { follow: true, tail_lines: Some(0), ..lp("app-2048") };
    let mut lines = pods.log_stream("gss-2048-0", &follow).await.unwrap().lines();
    reload_over_http(&demo, "gss-2048-0").await;
    let next = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let l = lines.next().await.unwrap().unwrap();
            if l.contains("reload") {
                return l;
            }
        }
    })
    .await
    .expect("the followed log brings the reload");
    assert_eq!(next, "INFO reload: loaded scripts version v1");
    demo.shutdown().await;
}

/// After a restart the log starts afresh with the new container, and `previous` serves the old
/// one, with what was written to it (the reload) and nothing after it stopped.
#[tokio::test]
async fn previous_serves_the_container_before_the_last_restart() {
    let demo = bare_fleet(1, 1).await;
    let pods: Api<Pod> = Api::namespaced(demo.client().unwrap(), NS);
    reload_over_http(&demo, "gss-2048-0").await;
    let now = jiff::Timestamp::now();
    let stopped = (now - jiff::SignedDuration::from_secs(60)).strftime("%Y-%m-%dT%H:%M:%SZ");
    let started = (now - jiff::SignedDuration::from_secs(58)).strftime("%Y-%m-%dT%H:%M:%SZ");
    let pod = pods.get("gss-2048-0").await.unwrap();
    let mut statuses = serde_json::to_value(&pod.status.unwrap().container_statuses).unwrap();
    // The fixture's containers have no ID: the demo names the first run `POD/CONTAINER/0`.
    statuses[0]["containerID"] = json!("containerd://new");
    statuses[0]["restartCount"] = json!(1);
    statuses[0]["state"] = json!({"running": {"startedAt": started.to_string()}});
    statuses[0]["lastState"] = json!({"terminated": {"containerID": "gss-2048-0/app-2048/0",
        "exitCode": 0, "reason": "Completed", "finishedAt": stopped.to_string()}});
    let patch = json!({"status": {"containerStatuses": statuses}});
    pods.patch_status("gss-2048-0", &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();
    let app = LogParams { container: Some("app-2048".into()), ..Default::default() };
    let current = pods.logs("gss-2048-0", &app).await.unwrap();
    assert!(current.starts_with("INFO app-2048 v1.0 starting\n"), "{current}");
    assert!(!current.contains("INFO reload:"), "{current}");
    let old = pods.logs("gss-2048-0", &LogParams { previous: true, ..app }).await.unwrap();
    let last = old.lines().last().unwrap();
    assert_eq!(last, "INFO reload: loaded scripts version v1", "{old}");
    demo.shutdown().await;
}

#[tokio::test]
async fn okg_logs_prints_selected_pods_prefixed_and_safe_in_read_only_mode() {
    let demo = bare_fleet(3, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, viewer) = (dir.path(), kubeconfig(&demo, dir.path(), Some(VIEWER_TOKEN)));
    // A pod that writes an escape sequence (through its failure message) must not reach the
    // terminal raw.
    fail_reload(&demo, "gss-2048-2", "bad \x1b]0;owned\x07 title").await;
    reload_over_http(&demo, "gss-2048-2").await;
    let before = demo.stats.client_mutations();

    let (code, out, err) = run(&viewer, d, &["--read-only", "gss-2048-0", "--tail", "3"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.lines().all(|l| l.starts_with("INFO tick: ")), "{out}");

    let (code, out, err) =
        run(&viewer, d, &["--set", "gss-2048", "--all-containers", "--tail", "1"]).await;
    assert_eq!(code, 0, "{err}");
    let prefixes: Vec<&str> = out.lines().map(|l| l.split_once(' ').unwrap().0).collect();
    assert_eq!(
        prefixes,
        [
            "[pod/gss-2048-0/app-2048]",
            "[pod/gss-2048-0/sidecar]",
            "[pod/gss-2048-1/app-2048]",
            "[pod/gss-2048-1/sidecar]",
            "[pod/gss-2048-2/app-2048]",
            "[pod/gss-2048-2/sidecar]",
        ],
        "{out}"
    );
    let failed = out.lines().find(|l| l.contains("ERROR")).expect("the failed reload");
    assert!(!failed.contains('\x1b') && !failed.contains('\x07'), "{failed:?}");
    assert!(failed.contains("reload failed: bad"), "{failed}");

    // An unknown container is refused, naming the ones there are; so is an unknown pod.
    let (code, _, err) = run(&viewer, d, &["gss-2048-0", "-c", "nope"]).await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("its containers: app-2048, sidecar"), "{err}");
    let (code, _, err) = run(&viewer, d, &["gss-9"]).await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no pod or GameServer named gss-9"), "{err}");
    let (code, _, err) = run(&viewer, d, &[]).await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--set"), "{err}");

    // Logs are reads: nothing counted as a mutation.
    assert_eq!(demo.stats.client_mutations(), before);
    demo.shutdown().await;
}

#[tokio::test]
async fn okg_logs_follow_merges_pods_as_lines_arrive() {
    let demo = bare_fleet(2, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let kc = kubeconfig(&demo, dir.path(), None);
    let mut child = okg(&kc, dir.path(), &["--set", "gss-2048", "-f", "--tail", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    // Until both streams are open, a reload may land before the follow starts: repeat it.
    let seen = tokio::time::timeout(Duration::from_secs(20), async {
        let mut seen = std::collections::BTreeSet::new();
        while seen.len() < 2 {
            reload_over_http(&demo, "gss-2048-0").await;
            reload_over_http(&demo, "gss-2048-1").await;
            while let Ok(Ok(Some(l))) =
                tokio::time::timeout(Duration::from_millis(500), lines.next_line()).await
            {
                if l.ends_with("INFO reload: loaded scripts version v1") {
                    seen.insert(l.split_once(' ').unwrap().0.to_string());
                }
            }
        }
        seen
    })
    .await
    .expect("both pods' reloads arrive on the merged stream");
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["[pod/gss-2048-0/app-2048]", "[pod/gss-2048-1/app-2048]"]
    );
    assert!(child.try_wait().unwrap().is_none(), "--follow keeps running");
    let _ = child.kill().await;
    demo.shutdown().await;
}

/// The logs screen's drawing: two pods merged, one silent, a search, and a pod line carrying an
/// escape sequence that must not reach the terminal.
fn logs_screen(width: u16, height: u16) -> String {
    use okg_console::tui::screens::logs::{state, view};
    use okg_console::tui::view::{text, theme::Theme};
    let streams = [
        ("gss-2048-0".to_string(), "app-2048".to_string()),
        ("gss-2048-1".into(), "app-2048".into()),
    ];
    let mut l = state::Logs::new(&streams, state::Pick::Main, false);
    let now = 1_000_000;
    for i in 0..30 {
        l.push(0, now - 9_000 + i * 300, None, format!("INFO tick: {i} players online, 3 rooms"));
    }
    l.push(0, now - 100, None, "INFO reload: loaded scripts version v2".into());
    l.push(1, now - 60_000, None, "ERROR reload failed: bad \x1b]0;owned\x07 title".into());
    l.search = Some("reload".into());
    let theme = Theme::builtin("dark");
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    term.draw(|f| view::draw(&l, &theme, now, f.area(), f.buffer_mut())).unwrap();
    text::plain(term.backend().buffer())
}

#[test]
fn logs_screen_snapshots() {
    for (w, h) in [(120, 40), (80, 24)] {
        let s = logs_screen(w, h);
        assert!(!s.contains('\x1b') && !s.contains('\x07'), "{s}");
        assert!(s.contains("gss-2048-1 SILENT"), "{s}");
        insta::assert_snapshot!(format!("logs_screen_{w}x{h}"), s);
    }
}
