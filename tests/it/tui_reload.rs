//! The reload dialog and view: snapshots over TestBackend at a fixed "now", and the real event
//! loop against the demo cluster reloading gss-2048 without a terminal.
use std::time::Duration;

use super::support::{Harness, key, render, type_text, writable_state as state};

use crossterm::event::KeyCode;
use okg_console::ops::reload::ReloadEvent;
use okg_console::ops::reload_defaults::{self, ConfigError};
use okg_console::tui::app::msg::{Cmd, Intent, Msg};
use okg_console::tui::app::state::{State, TableLine};
use okg_console::tui::screens::reload::state::{ReloadProgress, ReloadReply};
use okg_console::tui::view::text;
use okg_domain::reload_plan::{
    Answer, Failure, OutputStream, OutputTail, PodResult, StopReason, Summary,
};

/// The reload dialog on set gss-2048, filled with `nginx -s reload`.
fn dialog(width: u16, height: u16) -> State {
    let mut s = state(width, height);
    let pos = s.position_of(&TableLine::Group(("default".into(), "gss-2048".into()))).unwrap();
    s.set_cursor_pos(pos);
    key(&mut s, KeyCode::Char('r'));
    type_text(&mut s, "nginx -s reload");
    s
}

#[test]
fn reload_dialog_80x24() {
    let mut s = dialog(80, 24);
    key(&mut s, KeyCode::Tab);
    insta::assert_snapshot!(text::plain(&render(&s, 80, 24)));
}

/// A config.toml that cannot be used is shown whole in the dialog (which file, what is wrong,
/// what to do), and no set's annotation is used in its place.
#[test]
fn reload_dialog_shows_a_broken_config_file() {
    let mut s = dialog(80, 24);
    let error = ConfigError::Invalid {
        path: "/home/u/.config/okg-console/config.toml".into(),
        error: "[reload.gss-2048]: a reload default needs \"exec\" or \"http\"".into(),
    };
    let defaults = reload_defaults::for_dialog(Err(error), []);
    assert_eq!(defaults.method, None);
    s.update(Msg::Reload(ReloadReply::Defaults(defaults)));
    let out = text::plain(&render(&s, 80, 24));
    let joined: String =
        out.lines().map(|l| l.trim_matches(['│', ' '])).collect::<Vec<_>>().join(" ");
    assert!(joined.contains("/home/u/.config/okg-console/config.toml is not valid"), "{out}");
    assert!(
        joined.contains("needs \"exec\" or \"http\"") && joined.contains("move it away"),
        "{out}"
    );
    assert!(out.contains("nginx -s reload"), "what the user typed stays: {out}");
}

#[test]
fn reload_dialog_confirm_120x40() {
    let mut s = dialog(120, 40);
    key(&mut s, KeyCode::Enter);
    let out = text::plain(&render(&s, 120, 40));
    assert!(out.contains("exec app-2048: nginx -s reload in 6 pods, 6 at a time"), "{out}");
    insta::assert_snapshot!(out);
}

fn ok(ms: u64, line: &str) -> PodResult {
    PodResult::Succeeded {
        answer: Answer::Exit(0),
        duration: Duration::from_millis(ms),
        attempts: 1,
        output: OutputTail { stdout: vec![line.into()], ..Default::default() },
    }
}

fn out(pod: &str, stream: OutputStream, line: &str) -> ReloadEvent {
    ReloadEvent::Output { pod: pod.into(), stream, line: line.into() }
}

/// Start the run from the dialog and feed it progress: 0..2 done (one failed), 3..4 running.
fn mid_run(width: u16, height: u16) -> (State, u64) {
    let mut s = dialog(width, height);
    key(&mut s, KeyCode::Enter);
    let cmds = key(&mut s, KeyCode::Enter);
    let [Cmd::Intent(Intent::StartReload { run, .. })] = &cmds[..] else { panic!("{cmds:?}") };
    let run = *run;
    let line = "reloaded scripts from sidecar v2.0";
    let mut events = Vec::new();
    for i in 0..5 {
        events.push(ReloadEvent::Started { pod: format!("gss-2048-{i}") });
    }
    for (i, ms) in [(0, 210), (1, 190)] {
        let pod = format!("gss-2048-{i}");
        events.push(out(&pod, OutputStream::Stdout, line));
        events.push(ReloadEvent::Finished { pod, result: ok(ms, line) });
    }
    events.push(out("gss-2048-2", OutputStream::Stderr, "reload failed: config test failed"));
    events.push(ReloadEvent::Finished {
        pod: "gss-2048-2".into(),
        result: PodResult::Failed {
            failure: Failure::Exit(1),
            duration: Duration::from_millis(300),
            attempts: 1,
            output: OutputTail::default(),
        },
    });
    s.update(Msg::Reload(ReloadReply::Progress(ReloadProgress { run, events })));
    (s, run)
}

#[test]
fn reload_view_mid_run_120x40() {
    let (s, _) = mid_run(120, 40);
    let out = text::plain(&render(&s, 120, 40));
    assert!(out.contains("gss-2048-0 | reloaded scripts from sidecar v2.0"), "{out}");
    assert!(out.contains("gss-2048-2 ! reload failed"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn reload_view_finished_after_cancel_80x24() {
    let (mut s, run) = mid_run(80, 24);
    assert_eq!(key(&mut s, KeyCode::Char('x')), [Cmd::Intent(Intent::CancelReload { run })]);
    let cancelled =
        PodResult::Cancelled { duration: Duration::from_millis(800), output: Default::default() };
    let skipped = PodResult::Skipped { reason: "cancelled before it started".into() };
    let events = vec![
        ReloadEvent::Stopping { reason: StopReason::Cancelled },
        ReloadEvent::Finished { pod: "gss-2048-3".into(), result: cancelled.clone() },
        ReloadEvent::Finished { pod: "gss-2048-4".into(), result: cancelled },
        ReloadEvent::Finished { pod: "gss-2048-5".into(), result: skipped },
        ReloadEvent::Summary {
            summary: Summary { total: 6, succeeded: 2, failed: 1, skipped: 1, cancelled: 2 },
        },
    ];
    s.update(Msg::Reload(ReloadReply::Progress(ReloadProgress { run, events })));
    let out = text::plain(&render(&s, 80, 24));
    assert!(out.contains("running 0 · pending 0"), "nothing left running or unknown: {out}");
    insta::assert_snapshot!(out);
}

fn row_of<'a>(screen: &'a str, pod: &str) -> &'a str {
    screen.lines().find(|l| l.starts_with(&format!("   {pod} "))).unwrap_or("")
}

/// The real loop against the demo: `r` on gss-2048, type the command, confirm, and watch every
/// pod end ✓ on screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_gss_2048_in_the_console_against_the_demo() {
    let mut c = Harness::start(false).await;
    c.ready().await;
    let pos =
        c.state.position_of(&TableLine::Group(("default".into(), "gss-2048".into()))).unwrap();
    c.state.set_cursor_pos(pos);
    c.press(KeyCode::Char('r'));
    c.type_text("nginx -s reload");
    c.press(KeyCode::Enter);
    let s = c.run_until("enter/y start", Duration::from_secs(10)).await;
    assert!(s.contains("exec app-2048: nginx -s reload in 6 pods"), "{s}");
    assert_eq!(c.demo.stats.reloads_total.load(std::sync::atomic::Ordering::SeqCst), 0);
    c.press(KeyCode::Enter);
    let s = c.run_until("6 succeeded", Duration::from_secs(15)).await;
    for i in 0..6 {
        assert!(row_of(&s, &format!("gss-2048-{i}")).contains("✓ exit 0"), "gss-2048-{i}: {s}");
    }
    assert!(s.contains("6/6"), "{s}");
    assert_eq!(c.demo.stats.reloads_total.load(std::sync::atomic::Ordering::SeqCst), 6);
    let audit = std::fs::read_to_string(&c.audit).unwrap();
    assert_eq!(audit.lines().count(), 2, "start and outcome: {audit}");
    c.demo.shutdown().await;
}

/// Bump gss-2048's sidecar to v2.0 in the console, then `R` in the rollout view: every pod is
/// reloaded once in place and its output shows the new sidecar.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_in_the_rollout_view_reloads_each_pod_once_in_place() {
    let mut c = Harness::start(false).await;
    c.ready().await;
    c.press(KeyCode::Char('b'));
    let s = c.run_until("Bump gss-2048", Duration::from_secs(10)).await;
    assert!(s.contains("Bump gss-2048"), "{s}");
    for _ in 0..4 {
        c.press(KeyCode::Backspace);
    }
    c.type_text("v2.0");
    c.press(KeyCode::Enter);
    let s = c.run_until("enter: patch", Duration::from_secs(10)).await;
    assert!(s.contains("enter: patch"), "{s}");
    c.press(KeyCode::Enter);
    let s = c.run_until("Rollout gss-2048", Duration::from_secs(10)).await;
    assert!(s.contains("Rollout gss-2048"), "{s}");
    c.press(KeyCode::Char('R'));
    c.type_text("nginx -s reload");
    c.press(KeyCode::Enter);
    let s = c.run_until("each once it is IN PLACE", Duration::from_secs(10)).await;
    assert!(
        s.contains("in 6 pods, 6 at a time, timeout 30s, 3 API retries, each once it is IN PLACE"),
        "{s}"
    );
    c.press(KeyCode::Enter);
    let s = c.run_until("6 succeeded", Duration::from_secs(60)).await;
    for i in 0..6 {
        let row = row_of(&s, &format!("gss-2048-{i}"));
        assert!(row.contains("✓ exit 0") && row.contains("sidecar v2.0"), "gss-2048-{i}: {s}");
    }
    c.demo.shutdown().await;
}
