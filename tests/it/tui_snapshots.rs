//! Screens rendered into ratatui's TestBackend at a fixed "now", compared with insta snapshots.
use crossterm::event::KeyCode;
use okg_console::tui::app::msg::{EventLine, Msg};
use okg_console::tui::app::state::Access;
use okg_console::tui::view::{text, theme::Theme};
use okg_domain::fixtures as fake;
use okg_domain::fleet::Key;

use crate::support::{key, loaded_state as state, render_with as render, writable};

#[test]
fn main_view_80x24() {
    let mut s = state(80, 24, writable());
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Char(' '));
    insta::assert_snapshot!(text::plain(&render(&s, &Theme::builtin("dark"), 80, 24)));
}

#[test]
fn main_view_160x48() {
    let mut s = state(160, 48, writable());
    key(&mut s, KeyCode::Char('a'));
    insta::assert_snapshot!(text::plain(&render(&s, &Theme::builtin("dark"), 160, 48)));
}

#[test]
fn main_view_read_only_with_filter_and_refusal() {
    let mut s = state(100, 20, Access { read_only: true, caps: None });
    key(&mut s, KeyCode::Char('/'));
    for c in "ready".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Char('b'));
    let out = text::plain(&render(&s, &Theme::builtin("dark"), 100, 20));
    assert!(out.lines().next().unwrap().contains("READ-ONLY"));
    // Under NO_COLOR a dimmed hint looks offered: read-only leaves bump and reload out.
    let hints = out.lines().last().unwrap();
    assert!(!hints.contains("b bump") && !hints.contains("r reload"), "{hints}");
    assert!(hints.contains("enter detail"), "{hints}");
    insta::assert_snapshot!(out);
}

#[test]
fn detail_view() {
    let mut s = state(100, 40, writable());
    let k = Key::new("default", "gss-2048-1");
    let pos = s.position_of(&okg_console::tui::app::state::TableLine::Row(k.clone())).unwrap();
    s.set_cursor_pos(pos);
    key(&mut s, KeyCode::Enter);
    let t = |secs| Some(fake::now() - jiff::SignedDuration::from_secs(secs));
    s.update(Msg::PodEvents {
        key: k,
        events: vec![
            EventLine {
                time: t(40),
                type_: "Normal".into(),
                reason: "Pulled".into(),
                message: "Successfully pulled image 2048-sidecar:v2.0".into(),
                count: 1,
            },
            EventLine {
                time: t(34),
                type_: "Normal".into(),
                reason: "Killing".into(),
                message: "Container sidecar definition changed, will be restarted".into(),
                count: 1,
            },
        ],
    });
    insta::assert_snapshot!(text::plain(&render(&s, &Theme::builtin("dark"), 100, 40)));
}

#[test]
fn help_view_lists_the_keymap() {
    // Tall enough for every binding of the table (the Act section grew with `s`).
    let mut s = state(80, 41, writable());
    key(&mut s, KeyCode::Char('?'));
    let out = text::plain(&render(&s, &Theme::builtin("dark"), 80, 41));
    for b in okg_console::tui::app::keymap::BINDINGS {
        assert!(out.contains(b.help), "help lacks {:?}", b.help);
    }
    insta::assert_snapshot!(out);
}

#[test]
fn main_view_in_each_theme() {
    let mut seen = Vec::new();
    for (name, _) in okg_console::tui::view::theme::BUILTIN {
        let mut s = state(100, 16, writable());
        key(&mut s, KeyCode::Char(' '));
        let out = text::styled(&render(&s, &Theme::builtin(name), 100, 16));
        assert!(!seen.contains(&out), "theme {name} renders like another");
        seen.push(out.clone());
        insta::assert_snapshot!(format!("theme_{name}"), out);
    }
}

#[test]
fn sixteen_colour_terminal_gets_only_ansi_colours() {
    use ratatui::style::Color;
    let env = |k: &str| (k == "TERM").then(|| "xterm".to_string());
    let t = Theme::resolve(Some("dark"), std::path::Path::new("/nonexistent"), env).unwrap();
    let s = state(100, 16, writable());
    let buf = render(&s, &t, 100, 16);
    for cell in buf.content() {
        for c in [cell.fg, cell.bg] {
            assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{c:?}");
        }
    }
}

#[test]
fn only_rows_in_view_are_drawn_and_scrolling_follows_the_cursor() {
    let mut s = state(80, 10, writable());
    for _ in 0..9 {
        key(&mut s, KeyCode::Down);
    }
    let out = text::plain(&render(&s, &Theme::builtin("dark"), 80, 10));
    assert!(out.contains("gss-battle-2"), "{out}");
    assert!(!out.contains("gss-2048-0"), "{out}");
}

#[test]
fn prompt_keeps_the_mark_count_visible() {
    let mut s = state(80, 24, writable());
    key(&mut s, KeyCode::Char(' '));
    key(&mut s, KeyCode::Char('/'));
    for c in "upd".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let out = text::plain(&render(&s, &Theme::builtin("dark"), 80, 24));
    let status = out.lines().nth(22).unwrap();
    assert!(status.starts_with(" /upd"), "{status}");
    assert!(status.ends_with("1 marked"), "{status}");
}

#[test]
fn a_pod_stuck_on_a_bad_pull_shows_its_reason_at_80x24() {
    use k8s_openapi::api::core::v1::{ContainerState, ContainerStateWaiting};
    use okg_console::tui::app::msg::ClusterEvent;
    let (sets, gss, mut pods) = fake::small_fleet();
    let pod = pods.iter_mut().find(|p| p.metadata.name.as_deref() == Some("gss-2048-1")).unwrap();
    let sidecar = pod
        .status
        .as_mut()
        .and_then(|s| s.container_statuses.as_mut())
        .and_then(|cs| cs.iter_mut().find(|c| c.name == "sidecar"))
        .unwrap();
    sidecar.ready = false;
    sidecar.state = Some(ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some("ImagePullBackOff".into()),
            message: Some("Back-off pulling image".into()),
        }),
        ..Default::default()
    });
    let mut s = state(80, 24, writable());
    for ev in ClusterEvent::fleet_listed(sets, gss, fake::infos(&pods)) {
        s.update(Msg::Cluster(ev));
    }
    let out = text::plain(&render(&s, &Theme::builtin("dark"), 80, 24));
    let header = out.lines().nth(1).unwrap();
    assert!(header.contains("STATUS"), "{out}");
    let line = out.lines().find(|l| l.contains("gss-2048-1")).unwrap();
    assert!(line.contains(" ImagePullBackOff "), "the reason is cut or missing:\n{out}");
    let calm = out.lines().find(|l| l.contains("gss-2048-0")).unwrap();
    assert!(calm.contains(" Running "), "{out}");
}

/// The logs screen as the console draws it at 80×24: two marked pods merged, a search, a pod
/// line carrying escape sequences, and a stream the API server refused.
#[test]
fn logs_screen_80x24() {
    use okg_console::tui::app::msg::{Cmd, LogEvent, LogsCmd};
    let mut s = state(80, 24, Access { read_only: true, caps: None });
    key(&mut s, KeyCode::Char(' ')); // gss-2048-0, the cursor moves on to gss-2048-1
    key(&mut s, KeyCode::Char(' '));
    let feed = match key(&mut s, KeyCode::Char('l')).as_slice() {
        [Cmd::Logs(LogsCmd::Open { feed, .. })] => *feed,
        other => panic!("{other:?}"),
    };
    let now = fake::now().as_millisecond();
    let line = |stream, at_ms, text: &str| {
        Msg::Logs(LogEvent::Line { feed, stream, at_ms, written_ms: None, text: text.into() })
    };
    for i in 0..12 {
        s.update(line(0, now - 9_000 + i * 700, &format!("INFO tick: {i} players online")));
    }
    s.update(line(0, now - 200, "INFO reload: loaded scripts version v2"));
    s.update(line(1, now - 100, "ERROR reload failed: bad \x1b]0;owned\x07 \x1b[31mtitle"));
    let why = "BadRequest (400): container app-2048 is waiting to start";
    s.update(Msg::Logs(LogEvent::Ended { feed, stream: 1, why: why.into() }));
    key(&mut s, KeyCode::Char('/'));
    for c in "reload".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Enter);
    let out = text::plain(&render(&s, &Theme::builtin("dark"), 80, 24));
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out}");
    assert!(out.contains("gss-2048-1/app-2048 ERROR reload failed: bad"), "{out}");
    assert!(out.contains("(400): container app-2048 is waiting to"), "{out}");
    assert!(out.lines().last().unwrap().contains("c container"), "{out}");
    insta::assert_snapshot!(out);
}
