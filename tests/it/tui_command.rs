//! The `:` line against the demo through the real loop: `:gs NAME` jumps to the row, `:ns`
//! opens a picker of the cluster's namespaces and enter switches, and a click moves the cursor.
use std::time::Duration;

use crossterm::event::KeyCode;
use okg_console::tui::app::state::TableLine;

use crate::support::Harness;

/// The line the cursor is on (the table draws `▸` before it).
fn cursor_line(screen: &str) -> &str {
    screen.lines().find(|l| l.starts_with('▸')).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gss_and_gs_names_jump_and_unfold_the_set() {
    let mut h = Harness::start(true).await;
    h.run_until("gss-battle-3", Duration::from_secs(15)).await;
    // To gss-battle's header (`:gss NAME`), and fold it: the jump must unfold it again.
    h.press(KeyCode::Char(':'));
    h.type_text("gss gss-battle");
    h.press(KeyCode::Enter);
    h.run_until("GameServerSet gss-battle", Duration::from_secs(5)).await;
    assert!(matches!(&h.state.cursor, Some(TableLine::Group(s)) if s.1 == "gss-battle"));
    h.press(KeyCode::Char('z'));
    let folded = h.run_until("never", Duration::from_millis(500)).await;
    assert!(!folded.contains("gss-battle-2 "), "{folded}");
    h.press(KeyCode::Char(':'));
    h.type_text("gs gss-battle-2");
    h.press(KeyCode::Enter);
    let screen = h.run_until("GameServer gss-battle-2", Duration::from_secs(5)).await;
    assert!(cursor_line(&screen).contains(" gss-battle-2 "), "{screen}");
    assert!(screen.contains(" gss-battle-1 "), "the set unfolded:\n{screen}");

    // A name that is not there: said in the status line, the prompt stays for a fix.
    h.press(KeyCode::Char(':'));
    h.type_text("gs gss-battle-9");
    h.press(KeyCode::Enter);
    let screen = h.run_until("no GameServer gss-battle-9", Duration::from_secs(5)).await;
    assert!(screen.contains("no GameServer gss-battle-9"), "{screen}");
    assert!(cursor_line(&screen).contains(" gss-battle-2 "), "{screen}");
    h.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ns_picker_lists_the_clusters_namespaces_and_switches() {
    let mut h = Harness::start(true).await;
    h.run_until("gss-2048-5", Duration::from_secs(15)).await;
    h.press(KeyCode::Char(':'));
    h.type_text("ns");
    h.press(KeyCode::Enter);
    // Listed by the API server: kube-system has no GameServer, so the watch never saw it.
    let screen = h.run_until("kube-system", Duration::from_secs(5)).await;
    assert!(screen.contains("pick a namespace"), "{screen}");
    assert!(screen.contains("default  (current)"), "{screen}");
    h.type_text("kube");
    h.press(KeyCode::Enter);
    let screen = h.run_until("ns kube-system", Duration::from_secs(5)).await;
    assert!(screen.lines().next().unwrap().contains("ns kube-system"), "{screen}");
    assert_eq!(h.state.namespace.as_deref(), Some("kube-system"));
    assert!(!screen.contains("gss-2048-0"), "{screen}");
    h.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_puts_the_cursor_on_the_line_clicked() {
    let mut h = Harness::start(true).await;
    h.run_until("gss-battle-3", Duration::from_secs(15)).await;
    // Row 2 is the table's first line (the title, then the column titles): the gss-2048
    // header; six rows later, gss-battle's header.
    h.click(20, 2 + 7);
    let screen = h.run_until("never", Duration::from_millis(500)).await;
    assert!(
        matches!(&h.state.cursor, Some(TableLine::Group(s)) if s.1 == "gss-battle"),
        "{screen}"
    );
    h.click(20, 2 + 3);
    let screen = h.run_until("▸ gss-2048-2 ", Duration::from_secs(5)).await;
    assert!(cursor_line(&screen).contains(" gss-2048-2 "), "{screen}");
    // Below the last line: nothing moves.
    h.click(20, 30);
    let screen = h.run_until("never", Duration::from_millis(300)).await;
    assert!(cursor_line(&screen).contains(" gss-2048-2 "), "{screen}");
    h.demo.shutdown().await;
}
