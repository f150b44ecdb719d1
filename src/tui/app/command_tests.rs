//! The `:` line on a loaded state: tab, the pickers and their answers, jumps, the mouse.
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::msg::{Cmd, Msg};
use super::state::{Level, Overlay, State, TableLine};
use super::tests::{chars, k, loaded, press, writable};
use crate::tui::screens::picker::state::PickKind;

fn command(s: &mut State, text: &str) -> Vec<Cmd> {
    press(s, KeyCode::Char(':'));
    chars(s, text);
    press(s, KeyCode::Enter)
}

fn picker(s: &State) -> &crate::tui::screens::picker::state::Picker {
    match s.top_overlay() {
        Some(Overlay::Picker(p)) => p,
        _ => panic!("no picker on top"),
    }
}

fn prompt_text(s: &State) -> (String, Vec<String>) {
    match s.top_overlay() {
        Some(Overlay::Input(i)) => (i.textarea.lines().join(""), i.candidates.clone()),
        _ => panic!("no prompt on top"),
    }
}

fn mouse(s: &mut State, kind: MouseEventKind, row: u16) -> Vec<Cmd> {
    s.update(Msg::Mouse(MouseEvent { kind, column: 5, row, modifiers: KeyModifiers::NONE }))
}

#[test]
fn tab_completes_names_from_the_fleet() {
    let mut s = loaded(writable());
    press(&mut s, KeyCode::Char(':'));
    chars(&mut s, "po gss-bat");
    press(&mut s, KeyCode::Tab);
    let (text, shown) = prompt_text(&s);
    assert_eq!(text, "po gss-battle-");
    assert!(shown.len() > 1 && shown.iter().all(|n| n.starts_with("gss-battle-")), "{shown:?}");
    // Typing clears the list; enter on a whole name jumps.
    chars(&mut s, "1");
    assert!(prompt_text(&s).1.is_empty());
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.cursor, Some(TableLine::Row(k("gss-battle-1"))));
    assert!(s.overlays.is_empty());
}

#[test]
fn the_ns_picker_falls_back_on_the_watched_namespaces_when_rbac_says_no() {
    let mut s = loaded(writable());
    let cmds = command(&mut s, "ns");
    assert_eq!(cmds, vec![Cmd::ListChoices(PickKind::Namespace)]);
    assert!(picker(&s).items.is_none());
    s.update(Msg::Choices {
        kind: PickKind::Namespace,
        items: Err("namespaces is forbidden: User \"dev\" cannot list".into()),
    });
    let p = picker(&s);
    assert_eq!(p.visible(), vec!["all", "default"]);
    assert!(p.note.as_deref().unwrap().contains("seen in the watch"), "{:?}", p.note);
    // Starts on the namespace in use; `all` is one up.
    assert_eq!(p.selected, 1);
    press(&mut s, KeyCode::Up);
    let cmds = press(&mut s, KeyCode::Enter);
    assert_eq!(cmds, vec![Cmd::SwitchNamespace(None)]);
    assert_eq!(s.namespace, None);
}

#[test]
fn the_ctx_picker_marks_the_current_and_switches_on_enter() {
    let mut s = loaded(writable());
    command(&mut s, "ctx");
    let items = Ok(vec!["demo".into(), "prod-eu".into(), "prod-us".into()]);
    s.update(Msg::Choices { kind: PickKind::Context, items });
    assert_eq!(picker(&s).current.as_deref(), Some("demo"));
    chars(&mut s, "eu");
    let cmds = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(cmds.as_slice(), [Cmd::SwitchContext { context, .. }] if context == "prod-eu"),
        "{cmds:?}"
    );
    // Remembered for tab.
    press(&mut s, KeyCode::Char(':'));
    chars(&mut s, "ctx prod-u");
    press(&mut s, KeyCode::Tab);
    assert_eq!(prompt_text(&s).0, "ctx prod-us");
}

#[test]
fn the_gss_picker_jumps_to_the_header_and_unknown_names_say_so() {
    let mut s = loaded(writable());
    command(&mut s, "gss");
    assert_eq!(picker(&s).visible(), vec!["gss-2048", "gss-battle"]);
    chars(&mut s, "bat");
    press(&mut s, KeyCode::Enter);
    let set = ("default".to_string(), "gss-battle".to_string());
    assert_eq!(s.cursor, Some(TableLine::Group(set)));
    command(&mut s, "gs nosuch-7");
    match s.top_overlay() {
        Some(Overlay::Input(i)) => {
            assert!(i.error.as_deref().unwrap().contains("no GameServer nosuch-7"))
        }
        _ => panic!("the prompt closed on an unknown name"),
    }
    press(&mut s, KeyCode::Esc);
    command(&mut s, "deploy");
    match s.top_overlay() {
        Some(Overlay::Input(i)) => assert!(i.error.as_deref().unwrap().contains("known: gs")),
        _ => panic!("the prompt closed on an unknown command"),
    }
}

#[test]
fn the_wheel_moves_the_table_and_leaves_forms_alone() {
    let mut s = loaded(writable());
    s.set_cursor_pos(0);
    mouse(&mut s, MouseEventKind::ScrollDown, 5);
    assert_eq!(s.cursor_pos(), 3);
    mouse(&mut s, MouseEventKind::ScrollUp, 5);
    assert_eq!(s.cursor_pos(), 0);
    // A click on the second table line; a move changes nothing and asks for no frame.
    mouse(&mut s, MouseEventKind::Down(MouseButton::Left), 3);
    assert_eq!(s.cursor_pos(), 1);
    s.dirty = false;
    mouse(&mut s, MouseEventKind::Moved, 9);
    assert!(!s.dirty);
    // The help screen scrolls with the wheel.
    press(&mut s, KeyCode::Char('?'));
    mouse(&mut s, MouseEventKind::ScrollDown, 5);
    assert!(matches!(s.top_overlay(), Some(Overlay::Help { scroll: 3 })));
    press(&mut s, KeyCode::Esc);
    // The reload form: ↓ moves to its next field there, so the wheel does nothing.
    press(&mut s, KeyCode::Char('r'));
    let focus = |s: &State| match s.top_overlay() {
        Some(Overlay::Reload(d)) => d.focus,
        _ => panic!("no reload form on top"),
    };
    let before = focus(&s);
    mouse(&mut s, MouseEventKind::ScrollDown, 5);
    assert_eq!(focus(&s), before);
    assert!(!matches!(&s.note, Some((Level::Error, _))));
}

#[test]
fn a_click_on_a_picker_item_selects_it() {
    let mut s = loaded(writable());
    command(&mut s, "gs");
    assert_eq!(picker(&s).selected, 0);
    // The box starts on the screen's second line: its border, the filter, then the items.
    mouse(&mut s, MouseEventKind::Down(MouseButton::Left), 1 + 2 + 3);
    assert_eq!(picker(&s).selected, 3);
    let chosen = picker(&s).visible()[3].to_string();
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.cursor, Some(TableLine::Row(k(&chosen))));
}
