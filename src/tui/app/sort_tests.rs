//! Sorting the table: shift+letter per column (as k9s), within each set, kept through watch
//! events, the cursor on the same GameServer.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::{self, Action, Context};
use super::msg::{ClusterEvent, Msg};
use super::state::TableLine;
use super::tests::{goto, k, loaded, rows_in_view, writable};
use okg_domain::columns::{ALL, Column};
use okg_domain::fixtures as fake;
use okg_domain::fleet::Key;

fn shift(s: &mut super::State, c: char) {
    s.update(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT)));
}

fn names(v: &[usize], set: &str) -> Vec<String> {
    v.iter().map(|i| format!("{set}-{i}")).collect()
}

#[test]
fn every_column_has_a_sort_key_and_k9s_letters_where_k9s_has_them() {
    for c in ALL {
        let b = keymap::SORT_BINDINGS.iter().find(|b| b.action == Action::Sort(c));
        let b = b.unwrap_or_else(|| panic!("no sort key for {c:?}"));
        let (code, _) = b.keys[0];
        let ev = KeyEvent::new(code, KeyModifiers::SHIFT);
        assert_eq!(keymap::lookup(Context::Main, &ev), Some(Action::Sort(c)), "{c:?}");
    }
    let letter = |c: Column| {
        let b = keymap::SORT_BINDINGS.iter().find(|b| b.action == Action::Sort(c)).unwrap();
        b.keys[0].0
    };
    for (c, ch) in [
        (Column::Name, 'N'),
        (Column::Age, 'A'),
        (Column::Ready, 'R'),
        (Column::Status, 'S'),
        (Column::Restarts, 'T'),
        (Column::Ip, 'I'),
        (Column::Node, 'O'),
    ] {
        assert_eq!(letter(c), KeyCode::Char(ch), "{c:?} as in k9s");
    }
}

#[test]
fn a_sort_orders_each_set_under_its_header_and_a_second_press_turns_it_around() {
    let mut s = loaded(writable());
    // gss-2048-1 is Updating, the others Ready.
    shift(&mut s, 'E');
    let sort = s.sort.expect("sorted");
    assert_eq!((sort.column, sort.descending), (Column::State, false));
    let mut want = names(&[0, 2, 3, 4, 5, 1], "gss-2048");
    want.extend(names(&[0, 1, 2, 3], "gss-battle"));
    assert_eq!(rows_in_view(&s), want);
    assert_eq!(s.view[0], TableLine::Group(("default".into(), "gss-2048".into())));
    assert_eq!(s.view[7], TableLine::Group(("default".into(), "gss-battle".into())));
    assert!(s.note.as_ref().is_some_and(|(_, n)| n.contains("STATE ascending")), "{:?}", s.note);

    shift(&mut s, 'E');
    assert!(s.sort.unwrap().descending);
    // Equal rows keep the order they have without a sort.
    let mut want = names(&[1, 0, 2, 3, 4, 5], "gss-2048");
    want.extend(names(&[0, 1, 2, 3], "gss-battle"));
    assert_eq!(rows_in_view(&s), want);

    // Back to the order without a sort: N.
    shift(&mut s, 'N');
    let mut want = names(&[0, 1, 2, 3, 4, 5], "gss-2048");
    want.extend(names(&[0, 1, 2, 3], "gss-battle"));
    assert_eq!(rows_in_view(&s), want);
}

#[test]
fn the_cursor_stays_on_its_gameserver_through_a_re_sort() {
    let mut s = loaded(writable());
    goto(&mut s, "gss-2048-1");
    shift(&mut s, 'E');
    assert_eq!(s.cursor_key(), Some(&k("gss-2048-1")));
    assert_eq!(s.cursor_pos(), 6, "last of its set, under the header");
    shift(&mut s, 'E');
    assert_eq!(s.cursor_key(), Some(&k("gss-2048-1")));
    assert_eq!(s.cursor_pos(), 1);
}

#[test]
fn the_sort_holds_through_watch_events_that_change_a_row() {
    let mut s = loaded(writable());
    shift(&mut s, 'E');
    goto(&mut s, "gss-2048-3");
    // gss-2048-3 starts updating: it moves among the Updating rows, the cursor with it.
    let gs = fake::gameserver("default", "gss-2048", 3, "Updating", "None");
    s.update(Msg::Cluster(ClusterEvent::GameServerApplied(okg_domain::fleet::GsEntry::of(&gs))));
    let mut want = names(&[0, 2, 4, 5, 1, 3], "gss-2048");
    want.extend(names(&[0, 1, 2, 3], "gss-battle"));
    assert_eq!(rows_in_view(&s), want);
    assert_eq!(s.cursor_key(), Some(&k("gss-2048-3")));
    // A change that keeps the order leaves it as it is.
    let gs = fake::gameserver("default", "gss-2048", 4, "Ready", "Maintaining");
    assert!(!s.out_of_order(&k("gss-2048-4")));
    s.update(Msg::Cluster(ClusterEvent::GameServerApplied(okg_domain::fleet::GsEntry::of(&gs))));
    assert_eq!(rows_in_view(&s)[..6], want[..6]);
    // A new GameServer lands in its sorted place.
    let gs = fake::gameserver("default", "gss-2048", 6, "Creating", "None");
    s.update(Msg::Cluster(ClusterEvent::GameServerApplied(okg_domain::fleet::GsEntry::of(&gs))));
    assert_eq!(rows_in_view(&s)[..7], names(&[6, 0, 2, 4, 5, 1, 3], "gss-2048"));
}

#[test]
fn the_sort_and_the_filter_work_together() {
    let mut s = loaded(writable());
    shift(&mut s, 'E');
    s.update(Msg::Key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE)));
    super::tests::chars(&mut s, "gss-2048");
    s.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert_eq!(rows_in_view(&s), names(&[0, 2, 3, 4, 5, 1], "gss-2048"));
}

/// Rows moved one by one as events change them end where a whole rebuild puts them, and every
/// line's position is known where it is.
#[test]
fn rows_moved_in_place_match_a_rebuild() {
    let mut s = loaded(writable());
    shift(&mut s, 'T');
    goto(&mut s, "gss-battle-2");
    let (_, _, pods) = fake::small_fleet();
    for (step, restarts) in [(0usize, 5), (7, 2), (3, 9), (9, 1), (0, 0), (8, 9), (5, 3)] {
        let mut pod = pods[step].clone();
        pod.status.as_mut().unwrap().container_statuses.as_mut().unwrap()[0].restart_count =
            restarts;
        let info = fake::infos(&[pod]).remove(0);
        s.update(Msg::Cluster(ClusterEvent::PodApplied(info)));
        for (i, line) in s.view.iter().enumerate() {
            assert_eq!(s.position_of(line), Some(i), "step {step}: {line:?}");
        }
        assert_eq!(s.cursor_key(), Some(&k("gss-battle-2")));
        assert_eq!(s.view[s.cursor_pos()], TableLine::Row(k("gss-battle-2")));
        let moved = s.view.clone();
        s.rebuild_view();
        assert_eq!(s.view, moved, "step {step}");
    }
}

#[test]
fn a_long_list_rebuilds_the_view_on_doubling_pages_and_whole_at_its_end() {
    let mut s = super::State::new(
        "demo",
        "http://127.0.0.1:1",
        Some("default".into()),
        writable(),
        fake::now(),
    );
    s.update(Msg::Resize { width: 120, height: 30 });
    let (sets, gss, pods) = fake::small_fleet();
    s.update(Msg::Cluster(ClusterEvent::SetsPage(sets.clone())));
    s.update(Msg::Cluster(ClusterEvent::SetsSynced(sets.iter().map(Key::of).collect())));
    // Ten GameServers in pages of one: the view is rebuilt on pages 1, 2, 4 and 8.
    let mut in_view = Vec::new();
    for g in &gss {
        s.update(Msg::Cluster(ClusterEvent::GameServersPage(vec![
            okg_domain::fleet::GsEntry::of(g),
        ])));
        in_view.push(rows_in_view(&s).len());
    }
    assert_eq!(in_view, [1, 2, 2, 4, 4, 4, 4, 8, 8, 8]);
    s.update(Msg::Cluster(ClusterEvent::GameServersSynced(gss.iter().map(Key::of).collect())));
    assert_eq!(rows_in_view(&s).len(), 10, "the list's end shows every row");
    // Sorted by restarts, ascending (the second press): pods filling rows in re-sort them,
    // and nothing flashes.
    shift(&mut s, 'T');
    shift(&mut s, 'T');
    let natural = rows_in_view(&s);
    s.update(Msg::Cluster(ClusterEvent::PodsPage(fake::infos(&pods))));
    assert!(s.flashed.is_empty(), "a list is not a change: {:?}", s.flashed);
    let after_page = rows_in_view(&s);
    assert_ne!(after_page, natural, "restarts differ, so the order must change");
    s.rebuild_view();
    assert_eq!(after_page, rows_in_view(&s), "as a whole rebuild sorts them");
}
