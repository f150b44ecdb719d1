//! The YAML / describe screen in the state machine: `y` and `d` open it on the cursor's row
//! (a GameServer) or header (its set), its keys, and the object read coming back. Reads only,
//! so read-only sessions have it too.
use crossterm::event::KeyEvent;

use super::keymap::{self, Action, Context};
use super::msg::Cmd;
use super::state::{InputKind, Level, Overlay, State, TableLine};
use crate::cluster::objects::ObjectReply;
use crate::tui::screens::object::state::{Mode, ObjectScreen};

/// Lines of the screen's text area: the table's rows less its border and status line.
fn page(state: &State) -> usize {
    state.page.saturating_sub(2).max(1)
}

/// `y` / `d` on the table.
pub fn open(state: &mut State, mode: Mode) -> Vec<Cmd> {
    let mut screen = match state.cursor.clone() {
        Some(TableLine::Row(key)) => {
            // Only a set the GameServer names: a stray one has no set events to list.
            let gs = state.fleet.gameservers.get(&key);
            let set = gs.and_then(|g| g.owner_set()).map(str::to_string);
            ObjectScreen::new(&key.namespace, &key.name, set, false, mode)
        }
        Some(TableLine::Group((ns, set))) => ObjectScreen::new(&ns, &set, None, true, mode),
        None => {
            state.note(Level::Warn, "nothing under the cursor to show");
            return Vec::new();
        }
    };
    let read = screen.read();
    state.overlays.push(Overlay::Object(Box::new(screen)));
    vec![Cmd::Object(read)]
}

/// A key on the screen (taken off the stack by the caller).
pub fn on_key(state: &mut State, mut screen: Box<ObjectScreen>, key: KeyEvent) -> Vec<Cmd> {
    let page = page(state);
    let s = &mut screen;
    let mut cmds = Vec::new();
    match keymap::lookup(Context::Object, &key) {
        Some(Action::Back) => return Vec::new(),
        Some(Action::Up) => s.scroll_by(-1, page),
        Some(Action::Down) => s.scroll_by(1, page),
        Some(Action::PageUp) => s.scroll_by(-(page as isize), page),
        Some(Action::PageDown) => s.scroll_by(page as isize, page),
        Some(Action::Top) => s.scroll = 0,
        Some(Action::Bottom) => s.scroll_by(isize::MAX / 2, page),
        Some(Action::Wrap) => s.wrap = !s.wrap,
        Some(Action::TabNext) => {
            s.showing = 1 - s.showing;
            cmds.push(Cmd::Object(s.read()));
        }
        Some(a @ (Action::Yaml | Action::Describe)) => {
            let mode = if a == Action::Yaml { Mode::Yaml } else { Mode::Describe };
            if s.mode != mode {
                s.mode = mode;
                cmds.push(Cmd::Object(s.read()));
            }
        }
        Some(a @ (Action::SearchNext | Action::SearchPrev)) => {
            if s.search.is_none() {
                state.note(Level::Info, "no search: / first");
            } else if !s.next_match(a == Action::SearchNext, page) {
                state.note(Level::Info, "no match");
            }
        }
        Some(Action::Copy) => match s.lines().len() {
            0 => state.note(Level::Warn, "nothing to copy yet"),
            _ => {
                let text = s.text();
                let n = text.len();
                state.note(Level::Info, format!("copied {n} bytes (OSC 52)"));
                cmds.push(Cmd::Copy(text));
            }
        },
        Some(Action::Search) => {
            let current = s.search.clone();
            state.overlays.push(Overlay::Object(screen));
            super::prompt::open_search(state, InputKind::ObjectSearch, current);
            return Vec::new();
        }
        Some(Action::Help) => {
            state.overlays.push(Overlay::Object(screen));
            state.overlays.push(Overlay::Help { scroll: 0 });
            return Vec::new();
        }
        _ => {}
    }
    state.overlays.push(Overlay::Object(screen));
    cmds
}

fn screen_mut(state: &mut State) -> Option<&mut ObjectScreen> {
    state.overlays.iter_mut().rev().find_map(|o| match o {
        Overlay::Object(s) => Some(s.as_mut()),
        _ => None,
    })
}

/// The read's answer, for the screen that asked (a closed screen's is dropped).
pub fn on_reply(state: &mut State, reply: ObjectReply) {
    let now = state.now;
    if let Some(s) = screen_mut(state)
        && s.on_reply(reply, now)
    {
        state.dirty = true;
    }
}

/// The search typed in the prompt over the screen; empty clears it.
pub fn set_search(state: &mut State, text: &str) {
    let page = page(state);
    if let Some(s) = screen_mut(state) {
        s.set_search(text, page);
    }
}
