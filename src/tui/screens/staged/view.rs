//! A staged rollout (`okg rollout`) as a timeline, from its record on the set: the stages with
//! their verdict counts, the state and the limits. Only shows; the CLI drives the run.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use crate::tui::view::theme::Theme;
use okg_domain::staged_rollout::RolloutRecord;

pub fn draw(
    set: &str,
    record: Option<&RolloutRecord>,
    scroll: u16,
    t: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    ratatui::widgets::Widget::render(ratatui::widgets::Clear, area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(format!(" Staged rollout of {set} "), t.header));
    let mut lines: Vec<Line> = match record {
        // Done or rolled back since it opened: the record no longer holds the set.
        None => vec![Line::styled(" the rollout no longer holds this set", t.muted)],
        Some(r) => r.timeline().into_iter().map(|l| Line::styled(l, t.text)).collect(),
    };
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(" driven from the command line: okg rollout status|pause|resume|undo {set}"),
        t.muted,
    ));
    Paragraph::new(lines.into_iter().map(crate::tui::view::safe::line).collect::<Vec<_>>())
        .block(block)
        // Image references are long: wrapped at 80 columns rather than cut.
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(area, buf);
}
