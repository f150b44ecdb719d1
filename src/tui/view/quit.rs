//! The question before quitting with operations running: what runs, what each answer does.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::theme::Theme;
use crate::tui::app::keymap::{self, Context};

pub fn draw(running: &[String], t: &Theme, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<(String, ratatui::style::Style)> =
        running.iter().map(|r| (format!("• {r}"), t.text)).collect();
    lines.push((String::new(), t.text));
    lines.push((
        "y: reloads are cancelled (every pod's outcome goes to the audit log) and".into(),
        t.text,
    ));
    lines.push((
        "   following stops; a rollout already sent goes on in the cluster.".into(),
        t.text,
    ));
    lines.push((keymap::hint_line(Context::QuitConfirm, |_| true), t.accent));
    let width = lines.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0) as u16 + 4;
    let width = width.min(area.width);
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(popup, buf);
    let block =
        Block::default().borders(Borders::ALL).title(" Quit? Still running: ").style(t.text);
    let inner = block.inner(popup);
    block.render(popup, buf);
    for (i, (line, style)) in lines.iter().enumerate().take(inner.height as usize) {
        buf.set_stringn(
            inner.x + 1,
            inner.y + i as u16,
            line,
            inner.width.saturating_sub(1) as usize,
            *style,
        );
    }
}
