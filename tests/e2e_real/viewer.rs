//! The view-only user (RBAC): actions reported unavailable, writes and execs refused, nothing
//! sent, in the probe, `okg bump`, `okg reload` and the TUI.
use std::time::Duration;

use crate::support::*;
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use okg_console::cluster::access::{self, ApiAction, Permission};
use okg_console::cluster::writer::Writer;
use okg_domain::types::{GameServer, GameServerSet};
use serde_json::{Value, json};

/// The view-only user: every console action is reported unavailable by the access probe, reads
/// work, and a write attempt is denied by RBAC (403) and changes nothing.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn view_only_user_sees_actions_unavailable_and_cannot_write() {
    let Some(env) = env_or_skip("view_only_user_sees_actions_unavailable_and_cannot_write") else {
        return;
    };
    let admin = client(&env.admin_kubeconfig).await;
    let viewer = client(&env.viewer_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-rbac").await;
    create_fleet(&admin, &ns, "gss-rbac", 2).await;

    assert_eq!(access::who_am_i(&viewer).await, VIEWER);
    let caps = access::probe(&viewer, Some(&ns)).await;
    for action in ApiAction::ALL {
        assert!(
            matches!(caps.get(action), Permission::Denied(_)),
            "{action:?} should be denied for the viewer: {:?}",
            caps.get(action)
        );
    }
    let caps = access::probe(&admin, Some(&ns)).await;
    for action in ApiAction::ALL {
        assert_eq!(caps.get(action), Permission::Allowed, "{action:?} for the admin");
    }

    // Reads work: the same lists the console's watchers start with.
    let gss = Api::<GameServerSet>::namespaced(viewer.clone(), &ns)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(gss.items.len(), 1);
    let gs = Api::<GameServer>::namespaced(viewer.clone(), &ns)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(gs.items.len(), 2);
    let pods =
        Api::<Pod>::namespaced(viewer.clone(), &ns).list(&ListParams::default()).await.unwrap();
    assert_eq!(pods.items.len(), 2);

    // A write through the console's writer with the viewer's credentials: RBAC says no.
    let since = jiff::Timestamp::now();
    let r = Writer::new(viewer.clone())
        .patch_game_server_set(
            &ns,
            "gss-rbac",
            json_patch(json!([{"op": "replace", "path": "/spec/replicas", "value": 9}])),
        )
        .await;
    assert_eq!(api_code(&r), Some(403), "{r:?}");
    let events = audit_events(&env);
    let writes = writes_by(&events, VIEWER, since);
    assert_eq!(writes.len(), 1, "{writes:#?}");
    assert_eq!(writes[0]["responseStatus"]["code"], 403);
    assert_eq!(writes[0]["annotations"]["authorization.k8s.io/decision"], "forbid");
    let now = Api::<GameServerSet>::namespaced(admin.clone(), &ns).get("gss-rbac").await.unwrap();
    assert_eq!(now.spec.replicas, Some(2));
}

/// `okg bump` as the view-only user exits 4 (refused) and sends no write: the API server's audit
/// log has no mutating request from the viewer during the run.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn okg_bump_as_viewer_exits_4_and_sends_no_write() {
    let Some(env) = env_or_skip("okg_bump_as_viewer_exits_4_and_sends_no_write") else {
        return;
    };
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-bump-ro").await;
    create_fleet(&admin, &ns, "gss-ro", 2).await;
    let since = jiff::Timestamp::now();
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(okg_bin(&env))
        .arg("--kubeconfig")
        .arg(&env.viewer_kubeconfig)
        .args(["-n", &ns, "bump", "gss-ro", "--container", "hot-update"])
        .args(["--image", "registry.example/game/hot-update:v9", "-y"])
        .arg("--log-file")
        .arg(dir.path().join("okg.log"))
        .arg("--audit-log")
        .arg(dir.path().join("audit.jsonl"))
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let writes = writes_by(&audit_events(&env), VIEWER, since);
    assert!(writes.is_empty(), "the viewer's okg bump sent writes: {writes:#?}");
    let gss = Api::<GameServerSet>::namespaced(admin.clone(), &ns).get("gss-ro").await.unwrap();
    assert_eq!(gss.template_images()[1].1, SIDECAR_IMAGE);
}

/// `okg reload --exec` as the view-only user exits 4 (refused) and nothing runs: no pods/exec
/// request from the viewer reaches the audit log, and kwok ran no command.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn okg_reload_as_viewer_exits_4_and_runs_nothing() {
    let test = "okg_reload_as_viewer_exits_4_and_runs_nothing";
    let Some(env) = env_or_skip(test) else { return };
    let Some(exec_dir) = exec_dir_or_skip(test) else { return };
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-reload-ro").await;
    create_fleet(&admin, &ns, "gss-reload-ro", 2).await;
    let marker = format!("viewer-reload-{ns}.log");
    let since = jiff::Timestamp::now();
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(okg_bin(&env))
        .arg("--kubeconfig")
        .arg(&env.viewer_kubeconfig)
        .arg("--log-file")
        .arg(dir.path().join("okg.log"))
        .arg("--audit-log")
        .arg(dir.path().join("audit.jsonl"))
        .args(["-n", &ns, "reload", "gss-reload-ro", "--container", "main", "-y"])
        .args(["--exec", "sh", "-c", &format!("echo reload >> {marker}")])
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let events = audit_events(&env);
    let writes = writes_by(&events, VIEWER, since);
    assert!(writes.is_empty(), "the viewer's okg reload sent requests: {writes:#?}");
    // An exec over WebSocket is audited as verb "get" (the upgrade, 101); look for the
    // subresource whatever the verb.
    let execs: Vec<&Value> = events
        .iter()
        .filter(|e| e["user"]["username"] == VIEWER && e["objectRef"]["subresource"] == "exec")
        .filter(|e| {
            e["stageTimestamp"].as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok())
                >= Some(since)
        })
        .collect();
    assert!(execs.is_empty(), "the viewer's okg reload tried pods/exec: {execs:#?}");
    assert!(!exec_dir.join(&marker).exists(), "a reload command ran for the viewer");
}

/// The TUI's real event loop (watches, update, drawing into a TestBackend) as the view-only user
/// against the real server: the fleet shows, and bump and reload are reported unavailable with
/// RBAC's reason (from cluster::access::probe), with no write in the audit log.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn tui_as_viewer_shows_the_fleet_and_marks_bump_and_reload_unavailable() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use okg_console::cluster::client::Target;
    use okg_console::tui::app::msg::Msg;
    use okg_console::tui::app::state::{Access, State};
    use okg_console::tui::view::{text, theme::Theme};
    use okg_console::tui::{Io, event_loop};
    use ratatui::{Terminal, backend::TestBackend};

    let test = "tui_as_viewer_shows_the_fleet_and_marks_bump_and_reload_unavailable";
    let Some(env) = env_or_skip(test) else { return };
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-tui").await;
    create_fleet(&admin, &ns, "gss-tui", 3).await;
    let since = jiff::Timestamp::now();

    let target = Target {
        kubeconfig: Some(env.viewer_kubeconfig.clone()),
        namespace: Some(ns.clone()),
        ..Default::default()
    };
    let conn = okg_console::cluster::client::connect(&target).await.expect("connect as viewer");
    // Not --read-only: what is unavailable must come from RBAC, as for a real operator.
    let writer = Some(Writer::new(conn.client.clone()));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let access = Access { read_only: false, caps: None };
    let mut state = State::new(
        &conn.context,
        &conn.server,
        conn.namespace.clone(),
        access,
        jiff::Timestamp::now(),
    );
    let mut io = Io::start(conn, writer, target, tx);
    let (keys, mut key_rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let theme = Theme::builtin("dark");

    let mut run_until = async |needle: &str,
                               limit: Duration,
                               state: &mut State,
                               key_rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>|
           -> String {
        let deadline = tokio::time::Instant::now() + limit;
        let mut screen = String::new();
        while tokio::time::Instant::now() < deadline {
            let inputs = futures::stream::poll_fn(|cx| key_rx.poll_recv(cx)).boxed();
            let _ = tokio::time::timeout(
                Duration::from_millis(200),
                event_loop(&mut term, state, &theme, &mut rx, &mut io, inputs),
            )
            .await;
            screen = text::plain(term.backend().buffer());
            if screen.contains(needle) {
                break;
            }
        }
        screen
    };
    let screen = run_until("gss-tui-2", Duration::from_secs(20), &mut state, &mut key_rx).await;
    assert!(screen.contains("gss-tui-0") && screen.contains("gss-tui-2"), "{screen}");
    // Let the access probe's answer arrive before asking for actions.
    let _ = run_until("\u{0}never", Duration::from_secs(2), &mut state, &mut key_rx).await;

    let press = |c: KeyCode| keys.send(Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))).unwrap();
    press(KeyCode::Char('b'));
    let screen =
        run_until("bump unavailable", Duration::from_secs(5), &mut state, &mut key_rx).await;
    assert!(screen.contains("bump unavailable: RBAC denies"), "{screen}");
    press(KeyCode::Char('r'));
    let screen =
        run_until("reload unavailable", Duration::from_secs(5), &mut state, &mut key_rx).await;
    assert!(screen.contains("reload unavailable: RBAC denies"), "{screen}");

    let writes = writes_by(&audit_events(&env), VIEWER, since);
    assert!(writes.is_empty(), "the viewer's console sent writes: {writes:#?}");
}
