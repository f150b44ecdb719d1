//! The console's event loop against the demo cluster, without a terminal: real watches over
//! HTTP, the real `update` and drawing into a TestBackend.
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures::StreamExt;
use okg_console::cluster::client::{self, Target};
use okg_console::tui::app::msg::Msg;
use okg_console::tui::app::state::{Access, State};
use okg_console::tui::view::{text, theme::Theme};
use okg_console::tui::{Io, event_loop};
use okg_demo::{DemoCluster, DemoOptions};
use ratatui::{Terminal, backend::TestBackend};
use tokio::sync::mpsc;

pub(crate) struct Harness {
    pub(crate) demo: DemoCluster,
    /// Where the console's audit log goes (a temporary directory, never the user's state dir).
    pub(crate) audit: std::path::PathBuf,
    _dir: tempfile::TempDir,
    term: Terminal<TestBackend>,
    pub(crate) state: State,
    rx: mpsc::UnboundedReceiver<Msg>,
    pub(crate) io: Io,
    keys: mpsc::UnboundedSender<Msg>,
    key_rx: Option<mpsc::UnboundedReceiver<Msg>>,
}

impl Harness {
    pub(crate) async fn start(read_only: bool) -> Harness {
        Self::start_with(read_only, false).await
    }

    /// With `kubeconfig_file`, the console's target names a kubeconfig file holding only the
    /// demo's context (as `okg --kubeconfig F` would), so `:ctx` reads that file.
    pub(crate) async fn start_with(read_only: bool, kubeconfig_file: bool) -> Harness {
        let options = DemoOptions { tick: Duration::from_millis(100), ..Default::default() };
        let demo = DemoCluster::start("127.0.0.1:0".parse().unwrap(), options).await.unwrap();
        let conn = client::connect_with(demo.kubeconfig(), &Target::default()).await.unwrap();
        // Built as `session::open` builds it: exec and proxy calls without kube-rs's retries.
        let writer = (!read_only).then(|| {
            okg_console::cluster::writer::Writer::new(conn.client.clone())
                .with_call_client(conn.call_client.clone())
        });
        let (tx, rx) = mpsc::unbounded_channel();
        let access = Access { read_only, caps: None };
        let state = State::new(
            &conn.context,
            &conn.server,
            conn.namespace.clone(),
            access,
            jiff::Timestamp::now(),
        );
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("audit.jsonl");
        let target = if kubeconfig_file {
            let path = dir.path().join("kubeconfig");
            std::fs::write(&path, serde_json::to_string(&demo.kubeconfig()).unwrap()).unwrap();
            Target { kubeconfig: Some(path), ..Default::default() }
        } else {
            Target::default()
        };
        let mut io = Io::start(conn, writer, target, tx);
        io.set_audit_log(audit.clone());
        let (keys, key_rx) = mpsc::unbounded_channel();
        let term = Terminal::new(TestBackend::new(120, 40)).unwrap();
        Harness { demo, audit, _dir: dir, term, state, rx, io, keys, key_rx: Some(key_rx) }
    }

    /// Run the real loop until the screen shows `needle` (or time runs out); returns the screen.
    pub(crate) async fn run_until(&mut self, needle: &str, limit: Duration) -> String {
        let theme = Theme::builtin("dark");
        let mut key_rx = self.key_rx.take().unwrap();
        let deadline = tokio::time::Instant::now() + limit;
        let mut screen = String::new();
        while tokio::time::Instant::now() < deadline {
            let inputs = futures::stream::poll_fn(|cx| key_rx.poll_recv(cx)).boxed();
            let _ = tokio::time::timeout(
                Duration::from_millis(200),
                event_loop(
                    &mut self.term,
                    &mut self.state,
                    &theme,
                    &mut self.rx,
                    &mut self.io,
                    inputs,
                ),
            )
            .await;
            screen = text::plain(self.term.backend().buffer());
            if screen.contains(needle) {
                break;
            }
        }
        self.key_rx = Some(key_rx);
        screen
    }

    pub(crate) fn press(&self, c: KeyCode) {
        self.keys.send(Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))).unwrap();
    }

    pub(crate) fn type_text(&self, text: &str) {
        text.chars().for_each(|c| self.press(KeyCode::Char(c)));
    }

    /// Until the fleet is on screen and RBAC has answered (`r` and `b` need it).
    pub(crate) async fn ready(&mut self) {
        let s = self.run_until("gss-2048-5", Duration::from_secs(15)).await;
        assert!(s.contains("gss-2048-5"), "{s}");
        for _ in 0..50 {
            if self.state.access.caps.is_some() {
                return;
            }
            self.run_until("never", Duration::from_millis(200)).await;
        }
        panic!("no RBAC answer");
    }
}

fn row<'a>(screen: &'a str, name: &str) -> &'a str {
    screen.lines().find(|l| l.contains(&format!(" {name} "))).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_in_the_cluster_shows_up_on_screen() {
    let mut h = Harness::start(false).await;
    let screen = h.run_until("gss-2048-3", Duration::from_secs(10)).await;
    assert!(row(&screen, "gss-2048-3").contains("None"), "{screen}");

    // An operator elsewhere sets opsState with kubectl; the watch brings it to the screen.
    let api: kube::Api<okg_domain::types::GameServer> =
        kube::Api::namespaced(h.demo.client().unwrap(), "default");
    let patch =
        serde_json::json!([{"op": "add", "path": "/spec/opsState", "value": "Maintaining"}]);
    let patch: json_patch::Patch = serde_json::from_value(patch).unwrap();
    api.patch("gss-2048-3", &Default::default(), &kube::api::Patch::<()>::Json(patch))
        .await
        .unwrap();

    let mut screen = String::new();
    for _ in 0..50 {
        screen = h.run_until("Maintaining", Duration::from_millis(200)).await;
        if row(&screen, "gss-2048-3").contains("Maintaining") {
            break;
        }
    }
    assert!(row(&screen, "gss-2048-3").contains("Maintaining"), "{screen}");
    h.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_sends_no_mutation_whatever_the_keys() {
    let mut h = Harness::start(true).await;
    let screen = h.run_until("gss-2048-0", Duration::from_secs(10)).await;
    assert!(screen.lines().next().unwrap().contains("READ-ONLY"), "{screen}");
    use KeyCode::*;
    let keys = [
        Char(' '),
        Char('g'),
        Char('V'),
        Down,
        Char('V'),
        Char('*'),
        Char('b'),
        Char('r'),
        Enter,
        Char('b'),
        Esc,
        Char('/'),
        Char('a'),
        Enter,
        Char('b'),
        Char('r'),
        Char('x'),
        Char('l'),
        Char('a'),
        Char('='),
        Char('b'),
        Enter,
        Esc,
        Tab,
        Char('Z'),
        Char('Z'),
        Char('?'),
        Esc,
        Char(':'),
        Char('n'),
        Char('s'),
        Char(' '),
        Char('d'),
        Char('e'),
        Char('f'),
        Char('a'),
        Char('u'),
        Char('l'),
        Char('t'),
        Enter,
        Char('b'),
        Char('r'),
    ];
    for k in keys {
        h.press(k);
    }
    let screen = h.run_until("reload unavailable", Duration::from_secs(5)).await;
    assert!(screen.contains("reload unavailable: read-only"), "{screen}");
    assert_eq!(h.demo.stats.client_mutations(), 0);
    h.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_lists_the_joined_fleet_once() {
    use okg_console::commands::status;
    let options = DemoOptions { tick: Duration::from_millis(100), ..Default::default() };
    let demo = DemoCluster::start("127.0.0.1:0".parse().unwrap(), options).await.unwrap();
    let client = demo.client().unwrap();
    let groups = status::list(&client, Some("default"), None).await.unwrap();
    let names: Vec<&str> = groups.iter().map(|(h, _)| h.name.as_str()).collect();
    assert_eq!(names, ["gss-2048", "gss-battle"]);
    assert!(groups[0].1.iter().all(|r| r.has_pod && r.ip.is_some()));
    let selected =
        status::list(&client, Some("default"), Some("game.kruise.io/owner-gss=gss-battle"))
            .await
            .unwrap();
    let rows: usize = selected.iter().map(|(_, r)| r.len()).sum();
    assert_eq!(rows, 4);
    let doc = serde_json::to_value(status::document(
        "okg-demo",
        Some("default"),
        &groups,
        jiff::Timestamp::now(),
    ))
    .unwrap();
    assert_eq!(doc["sets"][0]["gameServers"].as_array().unwrap().len(), 6);
    assert_eq!(demo.stats.client_mutations(), 0);
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_context_switch_leaves_the_current_context_live() {
    let mut h = Harness::start_with(false, true).await;
    h.ready().await;
    let context = h.state.context.clone();
    h.press(KeyCode::Char(':'));
    h.type_text("ctx nosuch");
    h.press(KeyCode::Enter);
    let screen = h.run_until("cannot switch to nosuch", Duration::from_secs(10)).await;
    assert!(screen.contains("cannot switch to nosuch"), "{screen}");
    assert_eq!(h.state.context, context);
    assert!(h.state.switching.is_none());
    assert!(row(&screen, "gss-2048-3").contains("None"), "the fleet stays on screen: {screen}");

    // Still live: a change made elsewhere shows up.
    let api: kube::Api<okg_domain::types::GameServer> =
        kube::Api::namespaced(h.demo.client().unwrap(), "default");
    let patch =
        serde_json::json!([{"op": "add", "path": "/spec/opsState", "value": "Maintaining"}]);
    let patch: json_patch::Patch = serde_json::from_value(patch).unwrap();
    api.patch("gss-2048-3", &Default::default(), &kube::api::Patch::<()>::Json(patch))
        .await
        .unwrap();
    let mut screen = String::new();
    for _ in 0..50 {
        screen = h.run_until("Maintaining", Duration::from_millis(200)).await;
        if row(&screen, "gss-2048-3").contains("Maintaining") {
            break;
        }
    }
    assert!(row(&screen, "gss-2048-3").contains("Maintaining"), "{screen}");
    h.demo.shutdown().await;
}
