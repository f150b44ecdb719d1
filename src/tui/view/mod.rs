//! Drawing: pure functions from `&State` and a `Theme` to a frame. No state is changed here.
pub mod backend;
pub mod chrome;
pub mod columns;
pub mod highlight;
pub mod quit;
pub mod safe;
/// Text forms of times and counts live in the domain, shared with the CLI.
pub use okg_domain::format;
pub mod table;
pub mod terminfo;
pub mod text;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::app::state::{Overlay, State};
use theme::Theme;

/// Draw the whole screen: title, table (or the overlay on top), status and hints.
pub fn draw(frame: &mut Frame, state: &State, t: &Theme) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    buf.set_style(area, t.text);
    if area.height < 4 {
        buf.set_stringn(area.x, area.y, "okg: terminal too small", area.width as usize, t.warn);
        return;
    }
    let title = Rect { height: 1, ..area };
    let body = Rect { y: area.y + 1, height: area.height - 3, ..area };
    let status = Rect { y: area.y + area.height - 2, height: 1, ..area };
    let hints = Rect { y: area.y + area.height - 1, height: 1, ..area };
    chrome::title(state, t, title, buf);
    table::draw(state, t, body, buf);
    // The topmost full-screen overlay (inputs and the table share the screen).
    for overlay in &state.overlays {
        match overlay {
            Overlay::Detail { key, scroll } => {
                crate::tui::screens::detail::view::draw(state, t, key, *scroll, body, buf)
            }
            Overlay::Help { scroll } => {
                crate::tui::screens::help::view::draw(t, *scroll, body, buf)
            }
            Overlay::Staged(s) => {
                let header = state.fleet.header(&s.set);
                crate::tui::screens::staged::view::draw(s, header.rollout.as_ref(), t, body, buf)
            }
            Overlay::Bump(d) => {
                ratatui::widgets::Widget::render(ratatui::widgets::Clear, body, buf);
                crate::tui::screens::bump::view::draw(d, body, buf, t);
            }
            Overlay::Reload(d) => {
                ratatui::widgets::Widget::render(ratatui::widgets::Clear, body, buf);
                crate::tui::screens::reload::view::draw(d, body, buf, t);
            }
            Overlay::GsOps(d) => {
                ratatui::widgets::Widget::render(ratatui::widgets::Clear, body, buf);
                crate::tui::screens::gs_ops::view::draw(d, body, buf, t);
            }
            Overlay::Logs(l) => {
                ratatui::widgets::Widget::render(ratatui::widgets::Clear, body, buf);
                let now_ms = state.now.as_millisecond();
                crate::tui::screens::logs::view::draw(&l.logs, t, now_ms, body, buf);
            }
            Overlay::Object(o) => crate::tui::screens::object::view::draw(o, t, body, buf),
            Overlay::Picker(p) => crate::tui::screens::picker::view::draw(p, t, body, buf),
            Overlay::Input(input) if !input.candidates.is_empty() && body.height > 0 => {
                // What `tab` found, on the table's last line, right above the prompt.
                let y = body.y + body.height - 1;
                let line = format!(" {}", input.candidates.join("  "));
                buf.set_style(Rect { y, height: 1, ..body }, t.selection);
                buf.set_stringn(body.x, y, line, body.width as usize, t.selection);
            }
            Overlay::ShellPick(p) => crate::tui::screens::shell::view::draw(p, t, body, buf),
            Overlay::Input(_) => {}
        }
    }
    if let Some(running) = &state.quit_confirm {
        quit::draw(running, t, body, buf);
    }
    chrome::status(state, t, status, buf);
    chrome::hints(state, t, hints, buf);
}
