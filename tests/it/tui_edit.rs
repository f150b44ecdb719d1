//! The set-ops dialog (`e`) in the real event loop against the demo: opsState and a priority
//! set on marked GameServers, visible to the API (what kubectl sees), audited; refused in a
//! read-only session with nothing sent.
use std::time::Duration;

use crossterm::event::KeyCode;
use kube::api::Api;
use okg_console::tui::app::state::TableLine;
use okg_domain::fleet::Key;
use okg_domain::types::GameServer;

use super::support::{Harness, NS};

fn row(name: &str) -> TableLine {
    TableLine::Row(Key { namespace: NS.into(), name: name.into() })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e_sets_opsstate_on_the_marked_gameservers_after_a_preflight() {
    let mut c = Harness::start(false).await;
    c.ready().await;
    // Marked as space marks them (the keys would only be read once the loop runs).
    for name in ["gss-2048-3", "gss-2048-5"] {
        c.state.marks.insert(Key { namespace: NS.into(), name: name.into() });
    }
    c.press(KeyCode::Char('e'));
    c.press(KeyCode::Right);
    c.press(KeyCode::Enter);
    let s = c.run_until("each guarded by test ops", Duration::from_secs(10)).await;
    assert!(s.contains(r#"set opsstate = "Maintaining" on 2 GameServer(s)"#), "{s}");
    assert!(s.contains(r#"{"op":"test","path":"/spec/opsState","value":"None"}"#), "{s}");
    assert_eq!(c.demo.stats.client_mutations(), 0, "nothing before the second enter");
    c.press(KeyCode::Enter);
    let s = c.run_until("2 patch(es) accepted", Duration::from_secs(10)).await;
    assert!(s.contains("gameserver/gss-2048-5"), "{s}");
    let api = Api::<GameServer>::namespaced(c.demo.client().unwrap(), NS);
    for name in ["gss-2048-3", "gss-2048-5"] {
        assert_eq!(api.get(name).await.unwrap().ops_state(), "Maintaining", "{name}");
    }
    let audit = std::fs::read_to_string(&c.audit).unwrap();
    assert_eq!(audit.matches("\"set-opsstate\"").count(), 2, "{audit}");
    // A typed priority replaces the field's default: `7` gives 7.
    c.press(KeyCode::Esc);
    c.run_until("never", Duration::from_millis(300)).await;
    c.state.marks.clear();
    let pos = c.state.position_of(&row("gss-2048-0")).unwrap();
    c.state.set_cursor_pos(pos);
    c.press(KeyCode::Char('e'));
    c.press(KeyCode::Tab);
    c.type_text("7");
    c.press(KeyCode::Enter);
    let s = c.run_until("set update-priority = 7", Duration::from_secs(10)).await;
    assert!(s.contains("on 1 GameServer(s)"), "{s}");
    c.press(KeyCode::Char('y'));
    c.run_until("1 patch(es) accepted", Duration::from_secs(10)).await;
    let p = api.get("gss-2048-0").await.unwrap().spec.update_priority;
    assert_eq!(p, Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(7)));
    c.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e_in_a_read_only_session_says_why_and_sends_nothing() {
    let mut c = Harness::start(true).await;
    let s = c.run_until("gss-2048-5", Duration::from_secs(15)).await;
    assert!(s.contains("gss-2048-5"), "{s}");
    let pos = c.state.position_of(&row("gss-2048-1")).unwrap();
    c.state.set_cursor_pos(pos);
    c.press(KeyCode::Char('e'));
    let s = c.run_until("edit unavailable", Duration::from_secs(5)).await;
    assert!(s.contains("read-only"), "{s}");
    assert_eq!(c.demo.stats.client_mutations(), 0);
    c.demo.shutdown().await;
}
