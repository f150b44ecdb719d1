//! The question before quitting with operations running: what runs, what each answer does.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::theme::Theme;
use crate::tui::app::keymap::{self, Context};
use crate::tui::app::state::Running;

pub fn draw(running: &[Running], t: &Theme, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<(String, ratatui::style::Style)> =
        running.iter().map(|r| (format!("• {r}"), t.text)).collect();
    lines.push((String::new(), t.text));
    if running.iter().any(|r| matches!(r, Running::Reload { .. })) {
        lines.push((
            "y: the reload is cancelled; every pod's outcome goes to the audit log.".into(),
            t.text,
        ));
    }
    if running.iter().any(|r| matches!(r, Running::Rollout { .. })) {
        lines.push(("y: following stops; the rollout goes on in the cluster.".into(), t.text));
    }
    if running.iter().any(|r| matches!(r, Running::Staged { .. })) {
        lines.push((
            "y: driving stops; the record keeps the stage, and a resume (o, c) judges it.".into(),
            t.text,
        ));
    }
    lines.push((keymap::hint_line(Context::QuitConfirm, |_| true), t.accent));
    lines_box(" Quit? Still running: ", &lines, t, area, buf);
}

/// A bordered box of lines centred in `area`, as small as its lines allow (also the shell's
/// container picker).
pub fn lines_box(
    title: &str,
    lines: &[(String, ratatui::style::Style)],
    t: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let widest = lines.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    let width = (widest.max(title.chars().count()) as u16 + 4).min(area.width);
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(popup, buf);
    let block = Block::default().borders(Borders::ALL).title(title).style(t.text);
    let inner = block.inner(popup);
    block.render(popup, buf);
    for (i, (line, style)) in lines.iter().enumerate().take(inner.height as usize) {
        let width = inner.width.saturating_sub(1) as usize;
        buf.set_stringn(inner.x + 1, inner.y + i as u16, line, width, *style);
    }
}
