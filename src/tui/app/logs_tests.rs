//! The logs screen and the `-l` filter in the state machine: keys in, overlay and commands out.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::msg::{ClusterEvent, Cmd, LogEvent, LogsCmd, Msg};
use super::state::{Access, Overlay, State, TableLine};
use super::tests::{chars, goto, press};
use crate::tui::screens::logs::screen::{LogsScreen, TAIL_LINES};
use crate::tui::screens::logs::state::Pick;
use okg_domain::fixtures as fake;

/// The small fleet, read-only (logs are reads), two battle pods labelled tier=gold.
fn loaded() -> State {
    let access = Access { read_only: true, caps: None };
    let mut s =
        State::new("demo", "http://127.0.0.1:1", Some("default".into()), access, fake::now());
    let (sets, gss, mut pods) = fake::small_fleet();
    for p in pods.iter_mut() {
        let name = p.metadata.name.clone().unwrap();
        if name == "gss-battle-1" || name == "gss-battle-3" {
            p.metadata.labels.get_or_insert_default().insert("tier".into(), "gold".into());
        }
    }
    s.update(Msg::Resize { width: 120, height: 30 });
    for ev in ClusterEvent::fleet_listed(sets, gss, fake::infos(&pods)) {
        s.update(Msg::Cluster(ev));
    }
    s
}

fn key(s: &mut State, code: KeyCode, mods: KeyModifiers) -> Vec<Cmd> {
    s.update(Msg::Key(KeyEvent::new(code, mods)))
}

fn screen(s: &State) -> &LogsScreen {
    match s.top_overlay() {
        Some(Overlay::Logs(l)) => l,
        _ => panic!("no logs screen on top"),
    }
}

fn opened(cmds: &[Cmd]) -> (u64, Vec<(String, String)>, bool, bool) {
    match cmds {
        [Cmd::Logs(LogsCmd::Open { feed, streams, options })] => {
            assert_eq!(options.tail, Some(TAIL_LINES));
            let pairs = streams.iter().map(|s| (s.pod.clone(), s.container.clone())).collect();
            (*feed, pairs, options.follow, options.previous)
        }
        other => panic!("not one Open: {other:?}"),
    }
}

fn pair(pod: &str, container: &str) -> (String, String) {
    (pod.into(), container.into())
}

#[test]
fn l_opens_the_logs_of_the_cursors_pod_followed_even_read_only() {
    let mut s = loaded();
    goto(&mut s, "gss-2048-2");
    let cmds = press(&mut s, KeyCode::Char('l'));
    let (feed, streams, follow, previous) = opened(&cmds);
    assert_eq!(streams, [pair("gss-2048-2", "app-2048")]);
    assert!(follow && !previous);
    let l = screen(&s);
    assert_eq!((l.feed, l.logs.pick.clone(), l.logs.follow), (feed, Pick::Main, true));

    // Lines of this feed land in the screen; lines of another feed are dropped.
    let line = |feed, text: &str| {
        Msg::Logs(LogEvent::Line { feed, stream: 0, at_ms: 5, written_ms: None, text: text.into() })
    };
    s.update(line(feed, "INFO tick"));
    s.update(line(feed + 100, "stale"));
    let texts: Vec<String> = screen(&s).logs.merged().iter().map(|l| l.line.text.clone()).collect();
    assert_eq!(texts, ["INFO tick"]);

    // esc closes it and stops the feed.
    assert_eq!(press(&mut s, KeyCode::Esc), [Cmd::Logs(LogsCmd::Stop)]);
    assert!(s.overlays.is_empty());
    s.update(line(feed, "after close"));
    assert!(s.overlays.is_empty(), "a late line opens nothing");
}

#[test]
fn marked_pods_give_one_merged_screen() {
    let mut s = loaded();
    goto(&mut s, "gss-2048-0");
    press(&mut s, KeyCode::Char(' '));
    goto(&mut s, "gss-battle-2");
    press(&mut s, KeyCode::Char(' '));
    goto(&mut s, "gss-2048-4");
    let (_, streams, ..) = opened(&press(&mut s, KeyCode::Char('l')));
    assert_eq!(streams, [pair("gss-2048-0", "app-2048"), pair("gss-battle-2", "battle")]);
    assert_eq!(screen(&s).logs.streams.len(), 2);

    // c: the sidecars, on a new feed; then all containers.
    let old = screen(&s).feed;
    let (feed, streams, ..) = opened(&press(&mut s, KeyCode::Char('c')));
    assert!(feed > old);
    assert_eq!(streams, [pair("gss-2048-0", "sidecar"), pair("gss-battle-2", "sidecar")]);
    let (_, streams, ..) = opened(&press(&mut s, KeyCode::Char('c')));
    assert_eq!(streams.len(), 4);
    assert_eq!(screen(&s).logs.pick, Pick::All);
}

#[test]
fn p_reads_the_previous_container_and_shows_why_it_cannot() {
    let mut s = loaded();
    goto(&mut s, "gss-2048-1");
    let (feed, streams, follow, previous) = opened(&press(&mut s, KeyCode::Char('p')));
    assert_eq!(streams, [pair("gss-2048-1", "app-2048")]);
    assert!(previous && !follow, "the previous container has stopped: read once");
    assert!(screen(&s).logs.previous);
    let why = "BadRequest (400): previous terminated container \"app-2048\" not found";
    s.update(Msg::Logs(LogEvent::Ended { feed, stream: 0, why: why.into() }));
    assert_eq!(screen(&s).logs.streams[0].ended.as_deref(), Some(why));
}

#[test]
fn keys_inside_the_logs_screen() {
    let mut s = loaded();
    goto(&mut s, "gss-2048-0");
    let (feed, ..) = opened(&press(&mut s, KeyCode::Char('l')));
    for i in 0..5 {
        let text = format!("INFO reload {i}");
        s.update(Msg::Logs(LogEvent::Line { feed, stream: 0, at_ms: i, written_ms: None, text }));
    }
    press(&mut s, KeyCode::Char('w'));
    assert!(screen(&s).logs.wrap);
    press(&mut s, KeyCode::Char('s'));
    assert!(screen(&s).logs.paused);
    press(&mut s, KeyCode::Char('s'));
    assert!(!screen(&s).logs.paused);
    press(&mut s, KeyCode::Up);
    assert_eq!((screen(&s).logs.scroll, screen(&s).logs.paused), (1, true));
    press(&mut s, KeyCode::End);
    assert_eq!((screen(&s).logs.scroll, screen(&s).logs.follow), (0, true));

    // / types a search into a prompt over the screen; enter applies it there.
    press(&mut s, KeyCode::Char('/'));
    assert!(matches!(s.top_overlay(), Some(Overlay::Input(_))));
    chars(&mut s, "reload 3");
    press(&mut s, KeyCode::Enter);
    assert_eq!(screen(&s).logs.search.as_deref(), Some("reload 3"));
    assert!(s.filter.text.is_none(), "the row filter is not touched");

    // ctrl-s hands the merged text to the shell to write.
    match key(&mut s, KeyCode::Char('s'), KeyModifiers::CONTROL).as_slice() {
        [Cmd::Logs(LogsCmd::Save { name, text })] => {
            assert_eq!(name, "gss-2048-0");
            assert_eq!(text.lines().count(), 5);
        }
        other => panic!("{other:?}"),
    }
    // A single-container pick cycles past "sidecars" when the pod has none: not here (it has
    // one), so c gives the sidecar.
    let (_, streams, ..) = opened(&press(&mut s, KeyCode::Char('c')));
    assert_eq!(streams, [pair("gss-2048-0", "sidecar")]);
    assert_eq!(screen(&s).logs.search.as_deref(), Some("reload 3"), "search kept");
    press(&mut s, KeyCode::Char('q'));
    assert!(s.overlays.is_empty());
}

#[test]
fn digits_read_again_from_another_point_as_k9s_and_n_finds_the_matches() {
    let mut s = loaded();
    goto(&mut s, "gss-2048-0");
    let (feed, ..) = opened(&press(&mut s, KeyCode::Char('l')));
    let line = |feed, i: i64, text: &str| {
        Msg::Logs(LogEvent::Line {
            feed,
            stream: 0,
            at_ms: i,
            written_ms: Some(i),
            text: text.into(),
        })
    };
    for i in 0..30 {
        s.update(line(feed, i, if i % 10 == 3 { "ERROR reload failed" } else { "INFO tick" }));
    }
    press(&mut s, KeyCode::Char('/'));
    chars(&mut s, "error");
    press(&mut s, KeyCode::Enter);
    // N: the newest match at or above the view's bottom; again: older; n: back to newer.
    press(&mut s, KeyCode::Char('N'));
    let l = &screen(&s).logs;
    assert_eq!((l.current, l.found), (Some((24, 0)), Some((3, 3))), "line 23 is seq 24");
    assert!(l.paused && !l.follow, "the view freezes on the match");
    press(&mut s, KeyCode::Char('N'));
    assert_eq!(screen(&s).logs.current, Some((14, 0)));
    let (scroll, page) = (screen(&s).logs.scroll, s.page.max(1));
    assert!(scroll <= 16 && 16 < scroll + page, "line 13 (16 from the end) on screen: {scroll}");
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(screen(&s).logs.current, Some((24, 0)));
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(screen(&s).logs.current, Some((4, 0)), "round the end to the oldest");

    // 3: the last 5 minutes, read again on a new feed (k9s's keys); 0: the tail again.
    match press(&mut s, KeyCode::Char('3')).as_slice() {
        [Cmd::Logs(LogsCmd::Open { feed: next, options, .. })] => {
            assert!(*next > feed);
            assert_eq!((options.since_seconds, options.tail), (Some(300), None));
            assert!(options.timestamps && options.follow);
        }
        other => panic!("{other:?}"),
    }
    let l = &screen(&s).logs;
    assert_eq!(l.since.label(), "last 5m");
    assert_eq!(l.search.as_deref(), Some("error"), "the search stays");
    assert!(l.merged().is_empty(), "the lines come again from the new feed");
    match press(&mut s, KeyCode::Char('1')).as_slice() {
        [Cmd::Logs(LogsCmd::Open { options, .. })] => {
            assert_eq!((options.since_seconds, options.tail), (None, None));
        }
        other => panic!("{other:?}"),
    }
    let (..) = opened(&press(&mut s, KeyCode::Char('0')));
    assert_eq!(screen(&s).logs.since.label(), "tail");
}

#[test]
fn slash_dash_l_filters_by_label_and_a_bad_selector_keeps_the_old_filter() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    chars(&mut s, "-l tier=gold");
    press(&mut s, KeyCode::Enter);
    assert!(s.overlays.is_empty());
    let rows: Vec<String> = s
        .view
        .iter()
        .filter_map(|l| match l {
            TableLine::Row(k) => Some(k.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(rows, ["gss-battle-1", "gss-battle-3"]);
    assert!(s.filter.text.is_none(), "-l is not a regex");
    assert_eq!(s.filter.describe(), "-l tier=gold");

    press(&mut s, KeyCode::Char('/'));
    for _ in 0.."-l tier=gold".len() {
        press(&mut s, KeyCode::Backspace);
    }
    chars(&mut s, "-l tier in (gold");
    press(&mut s, KeyCode::Enter);
    match s.top_overlay() {
        Some(Overlay::Input(i)) => {
            let e = i.error.as_deref().unwrap();
            assert!(e.starts_with("-l tier in (gold: not a label selector: "), "{e}");
        }
        _ => panic!("the prompt closed on a bad selector"),
    }
    assert_eq!(s.filter.describe(), "-l tier=gold", "the old filter stays");
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.view.iter().filter(|l| matches!(l, TableLine::Row(_))).count(), 2);
}
