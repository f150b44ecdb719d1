//! The logs screen against the demo: `l` and `p` through the real loop, the I/O shell's feed
//! reading the demo's pods/log into the screen's state, and esc stopping it.
use std::time::Duration;

use crossterm::event::KeyCode;
use okg_console::tui::app::Overlay;
use okg_console::tui::screens::logs::screen::LogsScreen;

use crate::support::Harness;

fn logs(h: &Harness) -> &LogsScreen {
    match h.state.overlays.last() {
        Some(Overlay::Logs(l)) => l,
        _ => panic!("no logs screen on top"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l_feeds_the_demos_log_lines_into_the_screen_and_esc_stops_the_feed() {
    // Read-only: logs are reads.
    let mut h = Harness::start(true).await;
    let s = h.run_until("gss-2048-5", Duration::from_secs(15)).await;
    assert!(s.contains("gss-2048-5"), "{s}");
    // The cursor starts on gss-2048-0.
    h.press(KeyCode::Char('l'));
    let screen = h.run_until("INFO tick: ", Duration::from_secs(10)).await;
    assert!(screen.contains("INFO tick: "), "{screen}");
    let l = logs(&h);
    assert_eq!(l.streams.len(), 1);
    assert_eq!(
        (l.streams[0].pod.as_str(), l.streams[0].container.as_str()),
        ("gss-2048-0", "app-2048")
    );
    let got = l.logs.streams[0].len();
    assert_eq!(got, 200, "the tail asked for: the demo's log is longer");
    assert!(l.logs.merged().iter().all(|s| s.line.text.starts_with("INFO ")));
    assert!(h.io.logs_open());

    // Followed: the demo's next lines arrive without asking again.
    let before = l.logs.merged().last().unwrap().line.seq;
    let mut grew = false;
    for _ in 0..40 {
        h.run_until("never", Duration::from_millis(250)).await;
        if logs(&h).logs.merged().last().unwrap().line.seq > before {
            grew = true;
            break;
        }
    }
    assert!(grew, "no followed line arrived in 10 s");

    h.press(KeyCode::Esc);
    let screen = h.run_until("gss-2048-5", Duration::from_secs(5)).await;
    assert!(h.state.overlays.is_empty(), "{screen}");
    assert!(!h.io.logs_open(), "closing the screen stops the feed");
    assert_eq!(h.demo.stats.client_mutations(), 0);
    h.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p_without_a_previous_container_shows_the_api_servers_answer() {
    let mut h = Harness::start(true).await;
    h.run_until("gss-2048-5", Duration::from_secs(15)).await;
    h.press(KeyCode::Char('p'));
    let screen = h.run_until("previous terminated container", Duration::from_secs(10)).await;
    assert!(screen.contains("previous terminated container"), "{screen}");
    let ended = logs(&h).logs.streams[0].ended.clone().unwrap();
    assert!(ended.contains("(400)"), "{ended}");
    h.demo.shutdown().await;
}
