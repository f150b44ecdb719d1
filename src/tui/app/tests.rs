//! The state machine: keys and cluster messages in, state and commands out.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::msg::{ClusterEvent, Cmd, Intent, Msg};
use super::state::{Access, Level, Overlay, State, TableLine};
use crate::cluster::access::{ApiAction, Capabilities, Permission};
use okg_domain::fixtures as fake;
use okg_domain::fleet::Key;

pub(super) fn k(name: &str) -> Key {
    Key::new("default", name)
}

pub(super) fn writable() -> Access {
    Access { read_only: false, caps: Some(Capabilities::all_allowed()) }
}

pub(super) fn loaded(access: Access) -> State {
    let mut s =
        State::new("demo", "http://127.0.0.1:1", Some("default".into()), access, fake::now());
    let (sets, gss, pods) = fake::small_fleet();
    s.update(Msg::Resize { width: 120, height: 30 });
    for ev in ClusterEvent::fleet_listed(sets, gss, fake::infos(&pods)) {
        s.update(Msg::Cluster(ev));
    }
    s
}

pub(super) fn press(s: &mut State, code: KeyCode) -> Vec<Cmd> {
    s.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(super) fn chars(s: &mut State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

pub(super) fn goto(s: &mut State, name: &str) {
    let pos = s.position_of(&TableLine::Row(k(name))).expect("row in view");
    s.set_cursor_pos(pos);
}

pub(super) fn rows_in_view(s: &State) -> Vec<String> {
    s.view
        .iter()
        .filter_map(|l| match l {
            TableLine::Row(k) => Some(k.name.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn starts_on_the_first_row_in_natural_order() {
    let s = loaded(writable());
    assert_eq!(s.cursor_key(), Some(&k("gss-2048-0")));
    assert_eq!(rows_in_view(&s).len(), 10);
    assert_eq!(s.view[0], TableLine::Group(("default".into(), "gss-2048".into())));
}

#[test]
fn cursor_follows_its_gameserver_when_rows_appear_above() {
    let mut s = loaded(writable());
    goto(&mut s, "gss-2048-3");
    let before = s.cursor_pos();
    // A new set sorting before gss-2048 shifts every line down.
    let gs = fake::gameserver("default", "gss-1000", 0, "Ready", "None");
    s.update(Msg::Cluster(ClusterEvent::GameServerApplied(okg_domain::fleet::GsEntry::of(&gs))));
    assert_eq!(s.cursor_key(), Some(&k("gss-2048-3")));
    assert_eq!(s.cursor_pos(), before + 2);
}

#[test]
fn marks_survive_updates_deletion_and_recreation() {
    let mut s = loaded(writable());
    goto(&mut s, "gss-2048-2");
    press(&mut s, KeyCode::Char(' '));
    assert!(s.marks.contains(&k("gss-2048-2")));
    assert_eq!(s.cursor_key(), Some(&k("gss-2048-3")), "space moves down");

    // An update of the pod: the mark stays, the row changes in place.
    let pod =
        fake::pod("default", "gss-2048", 2, &[("app-2048", "x:v9"), ("sidecar", "y:v9")], 4, 10);
    s.update(Msg::Cluster(ClusterEvent::PodApplied(okg_domain::fleet::PodInfo::from_pod(&pod))));
    assert_eq!(s.fleet.rows[&k("gss-2048-2")].restarts, 4);
    assert_eq!(s.marked_present(), 1);

    // Deleted: no longer counted, but remembered.
    s.update(Msg::Cluster(ClusterEvent::GameServerDeleted(k("gss-2048-2"))));
    assert_eq!(s.marked_present(), 0);
    assert!(!rows_in_view(&s).contains(&"gss-2048-2".to_string()));
    // Re-created with the same name: marked again.
    let gs = fake::gameserver("default", "gss-2048", 2, "Creating", "None");
    s.update(Msg::Cluster(ClusterEvent::GameServerApplied(okg_domain::fleet::GsEntry::of(&gs))));
    assert_eq!(s.marked_present(), 1);
    assert_eq!(s.cursor_key(), Some(&k("gss-2048-3")), "cursor stayed");
}

#[test]
fn cursor_on_a_deleted_row_moves_to_its_neighbour() {
    let mut s = loaded(writable());
    goto(&mut s, "gss-2048-4");
    s.update(Msg::Cluster(ClusterEvent::GameServerDeleted(k("gss-2048-4"))));
    assert_eq!(s.cursor_key(), Some(&k("gss-2048-5")));
}

#[test]
fn g_goes_to_the_first_row_and_shift_g_to_the_last_as_in_k9s() {
    let mut s = loaded(writable());
    goto(&mut s, "gss-battle-1");
    press(&mut s, KeyCode::Char('g'));
    assert_eq!(s.cursor_pos(), 0);
    assert!(s.marks.is_empty(), "g marks nothing");
    s.update(Msg::Key(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)));
    assert!(s.cursor_pos() > 0);
}

#[test]
fn a_relist_keeps_cursor_and_marks() {
    let mut s = loaded(writable());
    goto(&mut s, "gss-battle-1");
    press(&mut s, KeyCode::Char('a'));
    assert_eq!(s.marks.len(), 4);
    let (_, gss, _) = fake::small_fleet();
    for ev in ClusterEvent::gameservers_listed(gss) {
        s.update(Msg::Cluster(ev));
    }
    assert_eq!(s.cursor_key(), Some(&k("gss-battle-1")));
    assert_eq!(s.marked_present(), 4);
    // a again unmarks the set.
    press(&mut s, KeyCode::Char('a'));
    assert!(s.marks.is_empty());
}

#[test]
fn range_marking_and_escape() {
    let mut s = loaded(writable());
    goto(&mut s, "gss-2048-1");
    press(&mut s, KeyCode::Char('V'));
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    assert!(s.marks.is_empty(), "nothing marked until the range closes");
    press(&mut s, KeyCode::Char('V'));
    let names: Vec<&str> = s.marks.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["gss-2048-1", "gss-2048-2", "gss-2048-3"]);
    press(&mut s, KeyCode::Esc);
    assert!(s.marks.is_empty());
}

#[test]
fn regex_filter_then_mark_matching() {
    let mut s = loaded(writable());
    press(&mut s, KeyCode::Char('/'));
    chars(&mut s, "maint");
    press(&mut s, KeyCode::Enter);
    assert_eq!(rows_in_view(&s), ["gss-2048-2"]);
    press(&mut s, KeyCode::Char('*'));
    assert_eq!(s.marks.len(), 1);
    // A row that starts matching shows up live.
    let gs = fake::gameserver("default", "gss-battle", 3, "Ready", "Maintaining");
    s.update(Msg::Cluster(ClusterEvent::GameServerApplied(okg_domain::fleet::GsEntry::of(&gs))));
    assert_eq!(rows_in_view(&s), ["gss-2048-2", "gss-battle-3"]);
    // Images match too.
    press(&mut s, KeyCode::Char('/'));
    for _ in 0..5 {
        press(&mut s, KeyCode::Backspace);
    }
    chars(&mut s, "battle:v3");
    press(&mut s, KeyCode::Enter);
    assert_eq!(rows_in_view(&s).len(), 4);
    press(&mut s, KeyCode::Char('x'));
    assert_eq!(rows_in_view(&s).len(), 10);
}

#[test]
fn a_bad_regex_keeps_the_prompt_open_with_the_error() {
    let mut s = loaded(writable());
    press(&mut s, KeyCode::Char('/'));
    chars(&mut s, "(");
    press(&mut s, KeyCode::Enter);
    match s.top_overlay() {
        Some(Overlay::Input(i)) => assert!(i.error.as_deref().unwrap().contains("regex")),
        _ => panic!("prompt closed"),
    }
    press(&mut s, KeyCode::Esc);
    assert!(s.overlays.is_empty());
    assert!(!s.filter.is_active());
}

#[test]
fn label_filter() {
    let mut s = loaded(writable());
    press(&mut s, KeyCode::Char('/'));
    chars(&mut s, "-l game.kruise.io/owner-gss=gss-battle");
    press(&mut s, KeyCode::Enter);
    assert_eq!(rows_in_view(&s).len(), 4);
    assert!(s.filter.describe().contains("-l game.kruise.io/owner-gss=gss-battle"));
}

#[test]
fn read_only_says_why_and_sends_nothing() {
    let mut s = loaded(Access { read_only: true, caps: None });
    for key in ['b', 'r'] {
        let cmds = press(&mut s, KeyCode::Char(key));
        assert!(cmds.is_empty());
        let note = &s.note.as_ref().unwrap().1;
        assert!(note.contains("unavailable") && note.contains("read-only"), "{note}");
    }
}

#[test]
fn rbac_denial_is_named() {
    let caps = Capabilities {
        answers: vec![
            (ApiAction::PatchGameServerSets, Permission::Denied("no RBAC policy matched".into())),
            (ApiAction::PatchGameServers, Permission::Allowed),
            (ApiAction::ExecPods, Permission::Denied("no".into())),
            (ApiAction::ProxyPods, Permission::Denied("no".into())),
        ],
    };
    let mut s = loaded(Access { read_only: false, caps: Some(caps) });
    assert!(press(&mut s, KeyCode::Char('b')).is_empty());
    assert!(s.note.as_ref().unwrap().1.contains("RBAC denies patch gameserversets"));
    assert!(press(&mut s, KeyCode::Char('r')).is_empty());
    assert!(s.note.as_ref().unwrap().1.contains("pods/exec"));
    // Marked GameServers are bumped through their own spec, which is allowed.
    press(&mut s, KeyCode::Char(' '));
    assert!(press(&mut s, KeyCode::Char('b')).is_empty());
    assert!(
        matches!(s.top_overlay(), Some(o @ (Overlay::Bump(_) | Overlay::Reload(_))) if o.title() == "Bump gss-2048"),
        "the bump dialog opens"
    );
}

#[test]
fn allowed_actions_emit_intents() {
    let mut s = loaded(writable());
    // Opening the bump dialog sends nothing (it plans only on enter).
    assert!(press(&mut s, KeyCode::Char('b')).is_empty());
    assert!(
        matches!(s.top_overlay(), Some(o @ (Overlay::Bump(_) | Overlay::Reload(_))) if o.title() == "Bump gss-2048")
    );
    press(&mut s, KeyCode::Esc);
    let cmds = press(&mut s, KeyCode::Char('r'));
    assert_eq!(
        cmds,
        [Cmd::Intent(Intent::Reload {
            targets: vec![k("gss-2048-0")],
            sets: vec![Key::new("default", "gss-2048")]
        })]
    );
}

#[test]
fn detail_follows_pod_events_and_back_stops() {
    let mut s = loaded(writable());
    goto(&mut s, "gss-2048-1");
    let cmds = press(&mut s, KeyCode::Enter);
    assert_eq!(cmds, [Cmd::WatchPodEvents(Some(k("gss-2048-1")))]);
    assert!(matches!(s.top_overlay(), Some(Overlay::Detail { .. })));
    // Keys for the table do nothing under the detail.
    assert!(press(&mut s, KeyCode::Char('b')).is_empty());
    // Events for another pod are ignored.
    s.update(Msg::PodEvents { key: k("gss-2048-2"), events: vec![] });
    assert!(s.pod_events.is_none());
    s.update(Msg::PodEvents { key: k("gss-2048-1"), events: vec![] });
    assert!(s.pod_events.is_some());
    let cmds = press(&mut s, KeyCode::Esc);
    assert_eq!(cmds, [Cmd::WatchPodEvents(None)]);
    assert!(s.overlays.is_empty());
}

#[test]
fn folding_hides_rows_and_parks_the_cursor_on_the_header() {
    let mut s = loaded(writable());
    goto(&mut s, "gss-2048-3");
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.cursor, Some(TableLine::Group(("default".into(), "gss-2048".into()))));
    assert_eq!(rows_in_view(&s).len(), 4);
    // Space on a folded header marks the whole set.
    press(&mut s, KeyCode::Char(' '));
    assert_eq!(s.marks.len(), 6);
    press(&mut s, KeyCode::Enter);
    assert_eq!(rows_in_view(&s).len(), 10);
}

#[test]
fn command_line_switches_namespace() {
    let mut s = loaded(writable());
    press(&mut s, KeyCode::Char(':'));
    chars(&mut s, "ns games");
    let cmds = press(&mut s, KeyCode::Enter);
    assert_eq!(cmds, [Cmd::SwitchNamespace(Some("games".into()))]);
    assert_eq!(s.namespace.as_deref(), Some("games"));
    assert!(s.view.is_empty());
}

#[test]
fn help_is_an_overlay_and_q_quits_only_from_the_table() {
    let mut s = loaded(writable());
    press(&mut s, KeyCode::Char('?'));
    assert!(matches!(s.top_overlay(), Some(Overlay::Help { .. })));
    assert!(press(&mut s, KeyCode::Char('q')).is_empty());
    assert!(s.overlays.is_empty());
    assert_eq!(press(&mut s, KeyCode::Char('q')), [Cmd::Quit]);
}

#[test]
fn drawing_is_requested_only_by_changes() {
    let mut s = loaded(writable());
    s.dirty = false;
    // A pod that is not ours changes nothing.
    let pod = fake::pod("default", "other", 0, &[("a", "a:1")], 0, 0);
    s.update(Msg::Cluster(ClusterEvent::PodApplied(okg_domain::fleet::PodInfo::from_pod(&pod))));
    assert!(!s.dirty);
    let gs = fake::gameserver("default", "gss-2048", 0, "NotReady", "None");
    s.update(Msg::Cluster(ClusterEvent::GameServerApplied(okg_domain::fleet::GsEntry::of(&gs))));
    assert!(s.dirty);
    // The changed row flashes until the next tick.
    assert!(s.flashed.contains(&k("gss-2048-0")));
    s.update(Msg::Tick(fake::now()));
    assert!(s.flashed.is_empty());
}

#[test]
fn paged_relist_shows_rows_early_and_synced_drops_the_missing() {
    let mut s = State::new("demo", "x", Some("default".into()), writable(), fake::now());
    let (sets, gss, pods) = fake::small_fleet();
    s.update(Msg::Cluster(ClusterEvent::SetsPage(sets)));
    s.update(Msg::Cluster(ClusterEvent::GameServersPage(
        gss[..3].iter().map(okg_domain::fleet::GsEntry::of).collect(),
    )));
    assert_eq!(rows_in_view(&s).len(), 3);
    assert!(!s.synced[1]);
    s.update(Msg::Cluster(ClusterEvent::GameServersPage(
        gss[3..].iter().map(okg_domain::fleet::GsEntry::of).collect(),
    )));
    s.update(Msg::Cluster(ClusterEvent::PodsPage(fake::infos(&pods))));
    assert_eq!(s.fleet.rows[&k("gss-2048-0")].ip.as_deref(), Some("10.0.0.10"));
    // A relist after a reconnect: gss-2048-4 was deleted meanwhile.
    let keys: Vec<Key> = gss.iter().map(Key::of).filter(|key| key.name != "gss-2048-4").collect();
    s.update(Msg::Cluster(ClusterEvent::GameServersSynced(keys)));
    assert!(s.synced[1]);
    assert_eq!(rows_in_view(&s).len(), 9);
    let pod_keys: Vec<Key> =
        pods.iter().map(Key::of).filter(|key| key.name != "gss-2048-0").collect();
    s.update(Msg::Cluster(ClusterEvent::PodsSynced(pod_keys)));
    assert!(!s.fleet.rows[&k("gss-2048-0")].has_pod);
}

#[test]
fn a_context_switch_keeps_the_fleet_until_the_new_context_answers() {
    let mut s = loaded(Access::default());
    let rows = s.fleet.rows.len();
    let context = s.context.clone();
    for c in ":ctx nosuch".chars() {
        s.update(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
    }
    let cmds = s.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let switch = match cmds.as_slice() {
        [Cmd::SwitchContext { switch, context }] if context == "nosuch" => *switch,
        other => panic!("{other:?}"),
    };
    assert_eq!(s.fleet.rows.len(), rows, "still showing the current context");
    assert!(s.switching.is_some());
    let cmds = s.update(Msg::SwitchFailed {
        switch,
        context: "nosuch".into(),
        error: "no context nosuch in the kubeconfig".into(),
    });
    assert!(cmds.is_empty());
    assert!(s.switching.is_none());
    assert_eq!(s.context, context);
    assert_eq!(s.fleet.rows.len(), rows);
    assert!(matches!(&s.note, Some((Level::Error, n)) if n.contains("cannot switch to nosuch")));

    // A switch that connects replaces the fleet and asks the shell to adopt the connection.
    // Opening `:` asks the shell for the kubeconfig's contexts (for tab) until it has them.
    let cmds = s.update(Msg::Key(KeyEvent::new(KeyCode::Char(':'), KeyModifiers::NONE)));
    assert!(cmds.iter().all(|c| matches!(c, Cmd::ListChoices(_))), "{cmds:?}");
    for c in "ctx other".chars() {
        s.update(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
    }
    let cmds = s.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let [Cmd::SwitchContext { switch, .. }] = cmds.as_slice() else { panic!("{cmds:?}") };
    let cmds = s.update(Msg::Switched {
        switch: *switch,
        context: "other".into(),
        server: "https://other".into(),
        namespace: None,
    });
    assert_eq!(cmds, vec![Cmd::Adopt { switch: *switch }]);
    assert_eq!(s.context, "other");
    assert!(s.fleet.rows.is_empty());
}
