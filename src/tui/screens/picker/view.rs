//! Draws a picker over the table: a box with the filter typed so far and the items under it,
//! the current one marked in words (colour is never the only signal).
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::state::{ITEMS_TOP, Picker, item_rows};
use crate::tui::view::theme::Theme;

pub fn draw(p: &Picker, t: &Theme, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(format!(" {} ", p.title()))
        .title_style(t.title);
    block.render(area, buf);
    if area.width < 4 || area.height < 5 {
        return;
    }
    let (x, w) = (area.x + 1, (area.width - 2) as usize);
    let shown = p.visible();
    let filter = format!(
        " filter: {}_  ({} of {})",
        p.filter,
        shown.len(),
        p.items.iter().flatten().count()
    );
    buf.set_stringn(x, area.y + 1, filter, w, t.accent);
    let rows = item_rows(area.height);
    match &p.items {
        None => {
            buf.set_stringn(x, area.y + ITEMS_TOP, " asking the API server…", w, t.muted);
        }
        Some(_) if shown.is_empty() => {
            buf.set_stringn(x, area.y + ITEMS_TOP, " nothing matches", w, t.muted);
        }
        Some(_) => {
            let first = p.first_shown(rows);
            for (n, item) in shown.iter().enumerate().skip(first).take(rows) {
                let y = area.y + ITEMS_TOP + (n - first) as u16;
                let current = p.current.as_deref() == Some(*item);
                let text = format!(" {item}{}", if current { "  (current)" } else { "" });
                let style = if n == p.selected { t.selection } else { t.text };
                if n == p.selected {
                    buf.set_style(Rect { x, y, width: w as u16, height: 1 }, t.selection);
                }
                buf.set_stringn(x, y, text, w, style);
            }
        }
    }
    if let Some(note) = &p.note {
        buf.set_stringn(x, area.y + area.height - 2, format!(" {note}"), w, t.warn);
    }
}
