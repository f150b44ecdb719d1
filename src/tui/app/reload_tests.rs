//! The reload flow in the state machine: keys → dialog state and commands. Nothing is sent
//! before the confirmation; cancel and esc-while-running behave.
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::msg::{ClusterEvent, Cmd, Intent, Msg};
use super::state::{Access, Overlay, State, TableLine};
use crate::cluster::access::Capabilities;
use crate::ops::reload::ReloadEvent;
use crate::tui::screens::reload::state::{
    FIELDS, Field, ReloadDefaults, ReloadDialog, ReloadProgress, ReloadReply,
};
use okg_domain::fixtures as fake;
use okg_domain::fleet::Key;
use okg_domain::reload_plan::{Answer, OutputTail, PodResult, ReloadMethod};

fn loaded(access: Access) -> State {
    let mut s =
        State::new("demo", "http://127.0.0.1:1", Some("default".into()), access, fake::now());
    let (sets, gss, pods) = fake::small_fleet();
    s.update(Msg::Resize { width: 120, height: 30 });
    for ev in ClusterEvent::fleet_listed(sets, gss, fake::infos(&pods)) {
        s.update(Msg::Cluster(ev));
    }
    s
}

fn writable() -> Access {
    Access { read_only: false, caps: Some(Capabilities::all_allowed()) }
}

fn press(s: &mut State, code: KeyCode) -> Vec<Cmd> {
    s.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn type_text(s: &mut State, text: &str) -> Vec<Cmd> {
    text.chars().flat_map(|c| press(s, KeyCode::Char(c))).collect()
}

fn dialog(s: &State) -> &ReloadDialog {
    match s.overlays.last() {
        Some(Overlay::Reload(d)) => d,
        _ => panic!("no dialog on top"),
    }
}

/// Open the dialog on the set header of gss-2048 (the whole set).
fn open_on_set(s: &mut State) -> Vec<Cmd> {
    let pos = s.position_of(&TableLine::Group(("default".into(), "gss-2048".into()))).unwrap();
    s.set_cursor_pos(pos);
    press(s, KeyCode::Char('r'))
}

#[test]
fn r_on_a_set_opens_the_dialog_for_every_pod_and_sends_nothing_until_confirmed() {
    let mut s = loaded(writable());
    let cmds = open_on_set(&mut s);
    // Only the read of the set's reload default.
    assert!(
        matches!(&cmds[..], [Cmd::Intent(Intent::Reload { targets, sets })] if targets.len() == 6 && sets == &[Key::new("default", "gss-2048")]),
        "{cmds:?}"
    );
    let d = dialog(&s);
    assert_eq!(d.targets.len(), 6);
    assert_eq!(d.inputs[2].lines().join(""), "app-2048", "the set's main container");
    let mut sent = Vec::new();
    sent.extend(type_text(&mut s, "nginx -s reload"));
    sent.extend(press(&mut s, KeyCode::Tab)); // container
    sent.extend(press(&mut s, KeyCode::Tab)); // parallel
    sent.extend(press(&mut s, KeyCode::Backspace));
    sent.extend(press(&mut s, KeyCode::Backspace));
    sent.extend(type_text(&mut s, "4"));
    sent.extend(press(&mut s, KeyCode::Enter)); // review
    assert!(sent.is_empty(), "nothing before the confirmation: {sent:?}");
    let d = dialog(&s);
    let c = d.parse().unwrap();
    assert_eq!(
        d.effect(&c),
        "exec app-2048: nginx -s reload in 6 pods, 4 at a time, timeout 30s, 3 API retries"
    );
    // Any other key goes back to editing, still nothing sent.
    assert!(press(&mut s, KeyCode::Char('n')).is_empty());
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    let cmds = press(&mut s, KeyCode::Char('y'));
    let [Cmd::Intent(Intent::StartReload { method, limits, targets, .. })] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(method, &ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap());
    assert_eq!(limits.parallel, 4);
    assert_eq!(targets.len(), 6);
    assert!(targets.iter().all(|t| t.container.as_deref() == Some("app-2048")));
    assert!(dialog(&s).view().is_some(), "the live view replaced the form");
}

#[test]
fn a_bad_form_says_why_and_esc_sends_nothing() {
    let mut s = loaded(writable());
    open_on_set(&mut s);
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(dialog(&s).error.as_deref().unwrap().starts_with("command:"));
    type_text(&mut s, "true");
    for _ in 0..4 {
        press(&mut s, KeyCode::Tab); // → pause
    }
    type_text(&mut s, "5s");
    press(&mut s, KeyCode::Enter);
    assert!(dialog(&s).error.as_deref().unwrap().contains("batch"), "pause needs a batch");
    assert!(press(&mut s, KeyCode::Esc).is_empty());
    assert!(s.overlays.is_empty());
}

/// The set's reload default as the shell reports it: HTTP to port 3000.
fn no_default() -> ReloadDefaults {
    ReloadDefaults { method: None, container: None, note: None, warning: None }
}

fn http_default() -> ReloadDefaults {
    ReloadDefaults {
        method: Some(ReloadMethod::parse_http("3000/reload").unwrap()),
        container: None,
        note: None,
        warning: None,
    }
}

#[test]
fn defaults_fill_the_form_unless_the_user_typed() {
    let mut s = loaded(writable());
    open_on_set(&mut s);
    s.update(Msg::Reload(ReloadReply::Defaults(http_default())));
    let c = dialog(&s).parse().unwrap();
    assert!(matches!(c.method, ReloadMethod::Http { port: 3000, .. }), "{c:?}");
    // A second dialog where the user typed first keeps the typing.
    press(&mut s, KeyCode::Esc);
    open_on_set(&mut s);
    type_text(&mut s, "echo hi");
    let exec = ReloadDefaults {
        method: Some(ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap()),
        container: None,
        note: None,
        warning: None,
    };
    s.update(Msg::Reload(ReloadReply::Defaults(exec)));
    let c = dialog(&s).parse().unwrap();
    assert_eq!(c.method, ReloadMethod::exec(["echo", "hi"]).unwrap());
}

fn started(s: &mut State) -> u64 {
    open_on_set(s);
    type_text(s, "nginx -s reload");
    press(s, KeyCode::Enter);
    match &press(s, KeyCode::Enter)[..] {
        [Cmd::Intent(Intent::StartReload { run, .. })] => *run,
        other => panic!("{other:?}"),
    }
}

fn ok() -> PodResult {
    PodResult::Succeeded {
        answer: Answer::Exit(0),
        duration: Duration::from_millis(120),
        attempts: 1,
        output: OutputTail::default(),
    }
}

#[test]
fn progress_updates_the_view_and_x_cancels_once() {
    let mut s = loaded(writable());
    let run = started(&mut s);
    let events = vec![
        ReloadEvent::Started { pod: "gss-2048-0".into() },
        ReloadEvent::Started { pod: "gss-2048-1".into() },
        ReloadEvent::Finished { pod: "gss-2048-0".into(), result: ok() },
    ];
    s.update(Msg::Reload(ReloadReply::Progress(ReloadProgress { run, events })));
    // Another run's progress is not for this view.
    s.update(Msg::Reload(ReloadReply::Progress(ReloadProgress {
        run: run + 1,
        events: vec![ReloadEvent::Finished { pod: "gss-2048-1".into(), result: ok() }],
    })));
    let c = dialog(&s).view().unwrap().counts();
    assert_eq!((c.succeeded, c.running, c.pending), (1, 1, 4));
    assert_eq!(press(&mut s, KeyCode::Char('x')), [Cmd::Intent(Intent::CancelReload { run })]);
    assert!(press(&mut s, KeyCode::Char('x')).is_empty(), "cancel is sent once");
    assert!(dialog(&s).view().unwrap().cancel_requested);
}

#[test]
fn esc_while_running_parks_the_view_and_r_brings_it_back() {
    let mut s = loaded(writable());
    let run = started(&mut s);
    assert!(press(&mut s, KeyCode::Esc).is_empty());
    assert!(s.overlays.is_empty(), "back to the table");
    assert!(s.parked_reload().is_some(), "the run goes on in the background");
    // Progress still reaches it, and does not disturb an overlay on top (the help screen).
    press(&mut s, KeyCode::Char('?'));
    let events = vec![ReloadEvent::Started { pod: "gss-2048-0".into() }];
    s.update(Msg::Reload(ReloadReply::Progress(ReloadProgress { run, events })));
    assert!(matches!(s.overlays.last(), Some(Overlay::Help { .. })));
    press(&mut s, KeyCode::Esc);
    assert!(press(&mut s, KeyCode::Char('r')).is_empty(), "reopening sends nothing");
    assert_eq!(dialog(&s).view().unwrap().counts().running, 1);
    assert!(s.parked_reload().is_none());
    // Once finished, esc closes it for good.
    let events = vec![ReloadEvent::Summary { summary: Default::default() }];
    s.update(Msg::Reload(ReloadReply::Progress(ReloadProgress { run, events })));
    press(&mut s, KeyCode::Esc);
    assert!(s.overlays.is_empty() && s.parked_reload().is_none());
}

#[test]
fn read_only_and_rbac_denial_say_why_and_open_nothing() {
    let mut s = loaded(Access { read_only: true, caps: None });
    assert!(open_on_set(&mut s).is_empty());
    assert!(s.overlays.is_empty());
    assert!(s.note.as_ref().unwrap().1.contains("read-only"));
    use crate::cluster::access::{ApiAction, Permission};
    let mut caps = Capabilities::all_allowed();
    for (a, p) in caps.answers.iter_mut() {
        if matches!(a, ApiAction::ExecPods | ApiAction::ProxyPods) {
            *p = Permission::Denied("no rule".into());
        }
    }
    let mut s = loaded(Access { read_only: false, caps: Some(caps) });
    assert!(open_on_set(&mut s).is_empty());
    assert!(s.overlays.is_empty());
    assert!(s.note.as_ref().unwrap().1.contains("RBAC denies"), "{:?}", s.note);
}

#[test]
fn a_chained_dialog_says_so_and_starts_a_chained_reload() {
    let mut s = loaded(writable());
    let targets: Vec<Key> = (0..6).map(|i| Key::new("default", format!("gss-2048-{i}"))).collect();
    let mut d = crate::tui::screens::reload::state::for_targets(&s, &targets);
    d.chain = true;
    s.overlays.push(Overlay::Reload(Box::new(d)));
    type_text(&mut s, "nginx -s reload");
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    let d = dialog(&s);
    let effect = d.effect(&d.parse().unwrap());
    assert!(effect.ends_with("each once it is IN PLACE"), "{effect}");
    let cmds = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(&cmds[..], [Cmd::Intent(Intent::StartChainReload { container: Some(c), .. })] if c == "app-2048"),
        "{cmds:?}"
    );
}

#[test]
fn a_value_field_reached_with_tab_is_replaced_by_what_is_typed() {
    let mut s = loaded(writable());
    open_on_set(&mut s);
    type_text(&mut s, "true");
    press(&mut s, KeyCode::Tab); // container
    press(&mut s, KeyCode::Tab); // parallel, holding the default
    type_text(&mut s, "3"); // 3, not 103 or 53
    for _ in 0..4 {
        press(&mut s, KeyCode::Tab); // batch, pause, max failures → timeout
    }
    type_text(&mut s, "9s");
    let c = dialog(&s).parse().unwrap();
    assert_eq!(c.limits.parallel, 3);
    assert_eq!(c.limits.timeout, Duration::from_secs(9));
    // Moving the cursor first means editing the value, not replacing it.
    press(&mut s, KeyCode::Up); // max failures (empty)
    press(&mut s, KeyCode::Up); // pause
    press(&mut s, KeyCode::Up); // batch
    press(&mut s, KeyCode::Up); // parallel
    press(&mut s, KeyCode::End);
    type_text(&mut s, "0");
    assert_eq!(dialog(&s).parse().unwrap().limits.parallel, 30);
}

/// The text of a field of the form on top.
fn text_of(s: &State, f: Field) -> String {
    let i = FIELDS.iter().position(|x| *x == f).unwrap();
    dialog(s).inputs[i].lines().join("")
}

#[test]
fn the_retries_are_shown_typed_and_sent() {
    let mut s = loaded(writable());
    open_on_set(&mut s);
    type_text(&mut s, "nginx -s reload");
    assert_eq!(text_of(&s, Field::Retries), "3", "the default the audit log would record");
    while dialog(&s).focused() != Field::Retries {
        press(&mut s, KeyCode::Tab);
    }
    type_text(&mut s, "1");
    press(&mut s, KeyCode::Enter);
    let d = dialog(&s);
    let effect = d.effect(&d.parse().unwrap());
    assert!(effect.ends_with(", 1 API retry"), "{effect}");
    let cmds = press(&mut s, KeyCode::Enter);
    let [Cmd::Intent(Intent::StartReload { limits, .. })] = &cmds[..] else { panic!("{cmds:?}") };
    assert_eq!(limits.retries, 1);
}

#[test]
fn the_next_dialog_on_a_set_starts_from_its_last_run() {
    let mut s = loaded(writable());
    open_on_set(&mut s);
    type_text(&mut s, "nginx -s reload");
    press(&mut s, KeyCode::Tab); // container
    press(&mut s, KeyCode::Tab); // parallel
    type_text(&mut s, "2");
    press(&mut s, KeyCode::Enter);
    let run = match &press(&mut s, KeyCode::Enter)[..] {
        [Cmd::Intent(Intent::StartReload { run, .. })] => *run,
        other => panic!("{other:?}"),
    };
    let events = vec![ReloadEvent::Summary { summary: Default::default() }];
    s.update(Msg::Reload(ReloadReply::Progress(ReloadProgress { run, events })));
    press(&mut s, KeyCode::Esc);
    assert!(s.overlays.is_empty());

    open_on_set(&mut s);
    assert_eq!(text_of(&s, Field::Command), "nginx -s reload");
    assert_eq!(text_of(&s, Field::Parallel), "2");
    assert!(dialog(&s).note.as_deref().unwrap().contains("last reload of this set"));
    // "No default on the set", arriving after the recall, leaves the recalled note.
    let none = ReloadDefaults { note: Some("no reload default on the set".into()), ..no_default() };
    s.update(Msg::Reload(ReloadReply::Defaults(none)));
    assert!(dialog(&s).note.as_deref().unwrap().contains("last reload of this set"));
    // The set's default, arriving now, does not replace what was remembered.
    s.update(Msg::Reload(ReloadReply::Defaults(http_default())));
    let c = dialog(&s).parse().unwrap();
    assert_eq!(c.method, ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap());
    assert_eq!(c.limits.parallel, 2);
    // Another set has its own memory: gss-battle's dialog starts empty.
    press(&mut s, KeyCode::Esc);
    let pos = s.position_of(&TableLine::Group(("default".into(), "gss-battle".into()))).unwrap();
    s.set_cursor_pos(pos);
    press(&mut s, KeyCode::Char('r'));
    assert_eq!(text_of(&s, Field::Command), "");
}
