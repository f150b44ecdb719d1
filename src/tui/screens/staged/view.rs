//! A staged rollout (`okg rollout`) as a timeline, from its record on the set: the stages with
//! their verdict counts, the state and the limits. Only shows; the CLI drives the run.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::state::StagedScreen;
use crate::tui::view::theme::Theme;
use okg_domain::staged_rollout::RolloutRecord;

pub fn draw(
    s: &StagedScreen,
    record: Option<&RolloutRecord>,
    t: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let (set, scroll) = (s.set.1.as_str(), s.scroll);
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
    match s.asking {
        Some(paused) => lines.push(Line::styled(
            format!(
                " {} the rollout of {set}? one patch of gameserverset {set}: rollingUpdate.paused = {paused} and the run's record (y sends it)",
                if paused { "Pause" } else { "Resume" }
            ),
            t.warn,
        )),
        None => {
            if let Some(st) = &s.status {
                lines.push(Line::styled(format!(" {st}"), t.accent));
            }
        }
    }
    lines.push(Line::styled(
        format!(
            " the stages are driven from the command line: okg rollout resume {set} --wait; undo: okg rollout undo {set}"
        ),
        t.muted,
    ));
    Paragraph::new(lines.into_iter().map(crate::tui::view::safe::line).collect::<Vec<_>>())
        .block(block)
        // Image references are long: wrapped at 80 columns rather than cut.
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(area, buf);
}
