//! The mouse (capture is on unless `--no-mouse`): a click on the table puts the cursor on that
//! line (a set's header too), a click on a picker's item selects it; the wheel moves as ↑/↓ do,
//! on the table and on every screen where ↑/↓ scroll. Where ↑/↓ mean something else (a form's
//! fields, a question) the wheel does nothing, so it never changes a value.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::keymap::{self, Action, Context};
use super::msg::Cmd;
use super::state::{Overlay, State};
use crate::tui::screens::bump::state::Page;
use crate::tui::screens::picker::state as picker;
use crate::tui::screens::reload::state::Phase;

/// Lines the wheel moves per notch, as terminals scroll.
const WHEEL_LINES: usize = 3;
/// The table's first line on screen: under the title and the column titles.
const TABLE_TOP: u16 = 2;

pub(super) fn on_mouse(state: &mut State, ev: MouseEvent) -> Vec<Cmd> {
    let down = match ev.kind {
        MouseEventKind::ScrollUp => false,
        MouseEventKind::ScrollDown => true,
        MouseEventKind::Down(MouseButton::Left) => return click(state, ev.row),
        // Moves and drags come by the hundred: they change nothing, so nothing is redrawn.
        _ => return Vec::new(),
    };
    if state.quit_confirm.is_some() {
        return Vec::new();
    }
    let Some(context) = context_of(state.top_overlay()) else { return Vec::new() };
    let (code, action) =
        if down { (KeyCode::Down, Action::Down) } else { (KeyCode::Up, Action::Up) };
    let key = KeyEvent::new(code, KeyModifiers::NONE);
    if keymap::lookup(context, &key) != Some(action) {
        return Vec::new();
    }
    let mut cmds = Vec::new();
    for _ in 0..WHEEL_LINES {
        cmds.extend(super::update::on_key(state, key));
    }
    cmds
}

/// The keymap context the top screen answers in; `None` where the wheel has no meaning (a text
/// prompt).
fn context_of(top: Option<&Overlay>) -> Option<Context> {
    Some(match top {
        None => Context::Main,
        Some(Overlay::Detail { .. } | Overlay::Help { .. }) => Context::Overlay,
        Some(Overlay::Logs(_)) => Context::Logs,
        Some(Overlay::Staged(s)) => s.context(),
        Some(Overlay::GsOps(d)) => d.context(),
        Some(Overlay::Picker(_)) => Context::Picker,
        Some(Overlay::Object(_)) => Context::Object,
        Some(Overlay::ShellPick(_)) => Context::ShellPick,
        Some(Overlay::Bump(d)) => match d.page {
            Page::Edit | Page::Busy(_) => Context::BumpForm,
            Page::Confirm(_) => Context::BumpPreflight,
            Page::Rollout => Context::Rollout,
        },
        Some(Overlay::Reload(d)) => match &d.phase {
            Phase::Form { confirming: None } => Context::ReloadForm,
            Phase::Form { confirming: Some(_) } => Context::ReloadConfirm,
            Phase::Running { .. } => Context::ReloadRun,
        },
        Some(Overlay::Input(_)) => return None,
    })
}

fn click(state: &mut State, row: u16) -> Vec<Cmd> {
    if state.quit_confirm.is_some() {
        return Vec::new();
    }
    match state.overlays.last_mut() {
        None => {
            let Some(line) = row.checked_sub(TABLE_TOP) else { return Vec::new() };
            // Only lines the table drew: its height is the page.
            let pos = state.scroll + line as usize;
            if (line as usize) < state.page && pos < state.view.len() {
                state.set_cursor_pos(pos);
            }
        }
        Some(Overlay::Picker(p)) => {
            // The picker fills the table's area: from the screen's second line, the page and
            // the column titles' line high (`view::draw`, `update::CHROME_LINES`).
            let rows = picker::item_rows(state.page as u16 + 1);
            if let Some(n) = row.checked_sub(1 + picker::ITEMS_TOP) {
                let n = n as usize;
                if n < rows {
                    p.select(p.first_shown(rows) + n);
                    state.dirty = true;
                }
            }
        }
        Some(_) => {}
    }
    Vec::new()
}
