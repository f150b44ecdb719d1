//! The help screen, generated from the keymap.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use crate::tui::app::keymap::{self, Section};
use crate::tui::view::theme::Theme;

pub fn lines(t: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut last: Option<Section> = None;
    for (section, keys, help) in keymap::help_entries() {
        if last != Some(section) {
            if last.is_some() {
                out.push(Line::default());
            }
            // After the table's own keys, what its marks mean.
            if section == Section::Bump {
                legend(t, &mut out);
            }
            out.push(Line::from(Span::styled(section.title().to_string(), t.header)));
            last = Some(section);
        }
        out.push(Line::from(vec![
            Span::styled(format!("  {keys:<22}"), t.accent),
            Span::styled(help.to_string(), t.text),
        ]));
    }
    out
}

fn legend(t: &Theme, out: &mut Vec<Line<'static>>) {
    out.push(Line::from(Span::styled("Marks in the table", t.header)));
    for (mark, ascii, says) in keymap::MARKS {
        out.push(Line::from(vec![
            Span::styled(format!("  {:<22}", t.sym(mark, ascii)), t.accent),
            Span::styled(says.to_string(), t.text),
        ]));
    }
    out.push(Line::from(vec![
        Span::styled(format!("  {:<22}", "IMAGES"), t.accent),
        Span::styled("one tag per container, under the container's name", t.text),
    ]));
    out.push(Line::default());
}

pub fn draw(t: &Theme, scroll: u16, area: Rect, buf: &mut Buffer) {
    let w = area.width.min(76);
    let h = area.height;
    let r = Rect { x: area.x + (area.width - w) / 2, y: area.y, width: w, height: h };
    Clear.render(r, buf);
    let lines = lines(t);
    let max_scroll = (lines.len() as u16).saturating_sub(h.saturating_sub(2));
    Paragraph::new(lines)
        .style(t.text)
        .scroll((scroll.min(max_scroll), 0))
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.border)
                .title(Span::styled(" keys ", t.header)),
        )
        .render(r, buf);
}
