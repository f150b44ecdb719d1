//! The container picker: a small box over the table.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::state::ShellPick;
use crate::tui::app::keymap::{self, Context};
use crate::tui::view::theme::Theme;

pub fn draw(p: &ShellPick, t: &Theme, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<(String, ratatui::style::Style)> = p
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (mark, style) = if i == p.chosen { ("▸ ", t.accent) } else { ("  ", t.text) };
            let main = if i == 0 { " (main)" } else { "" };
            (okg_domain::safe_text::one_line(&format!("{mark}{c}{main}")).into_owned(), style)
        })
        .collect();
    lines.push((String::new(), t.text));
    lines.push((keymap::hint_line(Context::ShellPick, |_| true), t.accent));
    let title = format!(" shell in {}: which container? ", p.pod.name);
    crate::tui::view::quit::lines_box(&title, &lines, t, area, buf);
}
