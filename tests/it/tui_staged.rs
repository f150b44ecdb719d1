//! A staged rollout started and driven from the console: `b`, the "staged" scope, the form, the
//! pre-flight, `y`, and the run driven to its end by the console itself; `c` driving on a run
//! the CLI started; and a read-only console that can do nothing to a run.
use std::collections::BTreeMap;
use std::time::Duration;

use crossterm::event::KeyCode;
use kube::api::{Api, ListParams};
use okg_console::tui::app::state::TableLine;
use okg_domain::staged_rollout::{RolloutState, record_of};
use okg_domain::types::{GameServer, GameServerSet};

use crate::support::{Harness, NS, with_tag};

const SET: &str = "gss-2048";

/// spec.updatePriority per GameServer, as JSON (absent is null).
async fn priorities(client: &kube::Client) -> BTreeMap<String, serde_json::Value> {
    let lp = ListParams::default().labels(&format!("game.kruise.io/owner-gss={SET}"));
    let gs = Api::<GameServer>::namespaced(client.clone(), NS).list(&lp).await.unwrap().items;
    gs.into_iter()
        .map(|g| (g.metadata.name.clone().unwrap(), serde_json::json!(g.spec.update_priority)))
        .collect()
}

async fn gss(client: &kube::Client) -> GameServerSet {
    Api::<GameServerSet>::namespaced(client.clone(), NS).get(SET).await.unwrap()
}

fn cursor_on_set(h: &mut Harness) {
    let pos = h.state.position_of(&TableLine::Group((NS.into(), SET.into()))).unwrap();
    h.state.set_cursor_pos(pos);
}

/// Stage 1 of a `1,100%` run of the sidecar to v2.0, applied as another console would (not
/// followed). The priorities as the run found them.
async fn start_elsewhere(h: &mut Harness) -> BTreeMap<String, serde_json::Value> {
    let client = h.demo.client().unwrap();
    let found = priorities(&client).await;
    let ctx = okg_console::ops::bump::OpsContext {
        client: client.clone(),
        writer: Some(okg_console::cluster::writer::Writer::new(client.clone())),
        namespace: NS.into(),
        context: "okg-demo".into(),
        audit: okg_console::ops::audit::AuditLog::new(h.audit.clone()),
        cancel: Default::default(),
        feed: Default::default(),
    };
    let old = gss(&client).await.template_images().into_iter().find(|(c, _)| c == "sidecar");
    let request = okg_console::ops::staged_start::StartRequest {
        set: SET.into(),
        container: "sidecar".into(),
        image: with_tag(&old.unwrap().1, "v2.0"),
        stages: okg_domain::staged_rollout::parse_stages("1,100%").unwrap(),
        soak: Duration::ZERO,
        failure_limit: 0,
        auto_rollback: false,
        include_allocated: false,
        reload: None,
    };
    let start = okg_console::ops::staged_start::plan_start(&ctx, &request).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    okg_console::ops::bump::apply(&ctx, &start.plan, &start.step, &tx).await.unwrap();
    h.run_until("grey 1/2 running", Duration::from_secs(10)).await;
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn b_staged_plans_asks_then_the_console_drives_every_stage_and_puts_priorities_back() {
    let mut h = Harness::start(false).await;
    h.ready().await;
    let client = h.demo.client().unwrap();
    let found = priorities(&client).await;
    let old = gss(&client).await.template_images().into_iter().find(|(c, _)| c == "sidecar");
    let old = old.unwrap().1;
    cursor_on_set(&mut h);
    h.press(KeyCode::Char('b'));
    let s = h.run_until("Bump gss-2048", Duration::from_secs(5)).await;
    assert!(s.contains("staged…"), "the scope offers a staged rollout: {s}");
    for _ in 0.."v1.0".len() {
        h.press(KeyCode::Backspace);
    }
    h.type_text("v2.0");
    // Down to the scope, then → → past the whole set and the canary.
    for k in [KeyCode::Down, KeyCode::Right, KeyCode::Right, KeyCode::Enter] {
        h.press(k);
    }
    let s = h.run_until("new run", Duration::from_secs(5)).await;
    assert!(s.contains("1,10%,50%,100%"), "the form starts from the usual stages: {s}");
    // The first character replaces the default stages; then the soak.
    h.type_text("1,100%");
    h.press(KeyCode::Tab);
    h.type_text("0s");
    h.press(KeyCode::Enter);
    let s = h.run_until("pre-flight", Duration::from_secs(10)).await;
    assert!(s.contains("stage 2   100%"), "{s}");
    assert!(s.contains("left out   1 Allocated"), "{s}");
    let before = h.demo.stats.client_mutations();
    h.run_until("never", Duration::from_millis(300)).await;
    assert_eq!(h.demo.stats.client_mutations(), before, "nothing is sent before y");
    h.press(KeyCode::Char('y'));
    let s = h.run_until("done: every stage passed", Duration::from_secs(90)).await;
    assert!(s.contains("done: every stage passed"), "{s}");
    let set = gss(&client).await;
    let record = record_of(&set).unwrap().1.unwrap();
    assert_eq!(record.state, RolloutState::Done);
    assert_eq!(record.results.len(), 2, "{record:?}");
    assert_eq!(
        set.template_images().into_iter().find(|(c, _)| c == "sidecar").unwrap().1,
        with_tag(&old, "v2.0")
    );
    assert_eq!(set.partition(), 1, "the Allocated server stays behind the partition");
    assert_eq!(priorities(&client).await, found, "every raised priority is back");
    let audit = std::fs::read_to_string(&h.audit).unwrap();
    for action in ["rollout-stage", "rollout-record", "rollout-finish"] {
        assert!(audit.contains(action), "{action} audited: {audit}");
    }
    h.demo.shutdown().await;
}

/// A run the CLI started (stage 1 applied, not followed): `o`, `c`, `y` drive it to its end; `x`
/// on a screen that drives nothing says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c_drives_on_a_run_another_console_started() {
    let mut h = Harness::start(false).await;
    h.ready().await;
    let client = h.demo.client().unwrap();
    let found = start_elsewhere(&mut h).await;
    cursor_on_set(&mut h);
    h.press(KeyCode::Char('o'));
    h.press(KeyCode::Char('x'));
    let s = h.run_until("not driving", Duration::from_secs(5)).await;
    assert!(s.contains("this console is not driving the run"), "{s}");
    h.press(KeyCode::Char('c'));
    let s = h.run_until("Drive the rollout of gss-2048 on", Duration::from_secs(5)).await;
    assert!(s.contains("stage 1/2"), "{s}");
    h.press(KeyCode::Char('y'));
    let s = h.run_until("done: every stage passed", Duration::from_secs(90)).await;
    assert!(s.contains("done: every stage passed"), "{s}");
    assert_eq!(record_of(&gss(&client).await).unwrap().1.unwrap().state, RolloutState::Done);
    assert_eq!(priorities(&client).await, found);
    h.demo.shutdown().await;
}

/// Read-only: the timeline shows the run; c, u and p say why not and send nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_console_cannot_drive_or_undo_a_run() {
    let mut h = Harness::start(true).await;
    h.run_until("gss-2048-5", Duration::from_secs(15)).await;
    // The run is written by another console (the test, as the demo's admin).
    start_elsewhere(&mut h).await;
    let before = h.demo.stats.client_mutations();
    cursor_on_set(&mut h);
    for k in ['o', 'c', 'y', 'u', 'y', 'p', 'y'] {
        h.press(KeyCode::Char(k));
    }
    let s = h.run_until("not available: read-only", Duration::from_secs(5)).await;
    assert!(s.contains("not available: read-only"), "{s}");
    h.run_until("never", Duration::from_millis(500)).await;
    assert_eq!(h.demo.stats.client_mutations(), before, "read-only sent a write");
    h.demo.shutdown().await;
}

/// `u` plans the undo (sending nothing), `y` puts template, partition and priorities back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn u_shows_the_undo_then_y_puts_the_set_back() {
    let mut h = Harness::start(false).await;
    h.ready().await;
    let client = h.demo.client().unwrap();
    let old = gss(&client).await.template_images().into_iter().find(|(c, _)| c == "sidecar");
    let found = start_elsewhere(&mut h).await;
    cursor_on_set(&mut h);
    h.press(KeyCode::Char('o'));
    h.press(KeyCode::Char('u'));
    let s = h.run_until("pre-flight", Duration::from_secs(10)).await;
    assert!(s.contains("Undo the rollout of gss-2048 at stage 1/2"), "{s}");
    let before = h.demo.stats.client_mutations();
    h.run_until("never", Duration::from_millis(300)).await;
    assert_eq!(h.demo.stats.client_mutations(), before, "nothing is sent before y");
    h.press(KeyCode::Char('y'));
    let s = h.run_until("undone:", Duration::from_secs(30)).await;
    assert!(s.contains("undone: template, partition and priorities"), "{s}");
    let set = gss(&client).await;
    assert_eq!(set.template_images().into_iter().find(|(c, _)| c == "sidecar"), old);
    assert_eq!(set.partition(), 0);
    assert_eq!(priorities(&client).await, found);
    assert_eq!(record_of(&set).unwrap().1.unwrap().state, RolloutState::RolledBack);
    h.demo.shutdown().await;
}

/// `q` while the console drives a run asks first and names it; stopping leaves the stage in the
/// record, and the lines printed after the console closes say how to go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_while_driving_asks_and_leaves_a_resumable_stage() {
    let mut h = Harness::start(false).await;
    h.ready().await;
    let client = h.demo.client().unwrap();
    start_elsewhere(&mut h).await;
    cursor_on_set(&mut h);
    for k in ['o', 'c', 'y'] {
        h.press(KeyCode::Char(k));
    }
    let s = h.run_until("driving: x stops", Duration::from_secs(10)).await;
    assert!(s.contains("driving: x stops"), "{s}");
    h.press(KeyCode::Esc);
    h.press(KeyCode::Char('q'));
    let s = h.run_until("Still running", Duration::from_secs(5)).await;
    assert!(s.contains("the staged rollout of gss-2048, driven here"), "{s}");
    assert!(s.contains("y: driving stops"), "{s}");
    let stopped = h.io.stop_operations(Duration::from_secs(10)).await;
    assert_eq!(stopped.drives, 1);
    let lines = stopped.lines().join("\n");
    assert!(lines.contains("stopped driving 1 staged rollout"), "{lines}");
    let record = record_of(&gss(&client).await).unwrap().1.unwrap();
    assert_eq!(record.state, RolloutState::Running, "the run stays open, resumable: {record:?}");
    h.demo.shutdown().await;
}
