//! A staged rollout: the start form, the pre-flight of a start or an undo, and the timeline from
//! the run's record on the set (the stages with their verdict counts, the state and the limits)
//! with the lines of the drive this console runs.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::form::{FIELDS, StartForm, label};
use super::state::{Ask, Page, StagedScreen};
use crate::cluster::access::Permission;
use crate::ops::staged_task::Planned;
use crate::tui::view::theme::Theme;
use okg_domain::staged_rollout::RolloutRecord;

/// The drive's lines the timeline shows, the latest.
const SHOWN_LINES: usize = 12;

pub fn draw(
    s: &StagedScreen,
    record: Option<&RolloutRecord>,
    t: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let set = s.set.1.as_str();
    ratatui::widgets::Widget::render(ratatui::widgets::Clear, area, buf);
    let (title, mut lines) = match &s.page {
        Page::Start(form) => (format!(" Staged rollout of {set}: new run "), form_lines(form, t)),
        Page::Planning(words) => {
            (format!(" Staged rollout of {set} "), vec![Line::styled(format!(" {words}"), t.muted)])
        }
        Page::Preflight(p) => (format!(" Staged rollout of {set}: pre-flight "), preflight(p, t)),
        Page::Timeline => (format!(" Staged rollout of {set} "), timeline(s, record, t)),
    };
    if let Some(st) = &s.status
        && s.asking.is_none()
    {
        lines.push(Line::styled(format!(" {st}"), t.accent));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(title, t.header));
    Paragraph::new(lines.into_iter().map(crate::tui::view::safe::line).collect::<Vec<_>>())
        .block(block)
        // Image references are long: wrapped at 80 columns rather than cut.
        .wrap(Wrap { trim: false })
        .scroll((s.scroll, 0))
        .render(area, buf);
}

fn form_lines(f: &StartForm, t: &Theme) -> Vec<Line<'static>> {
    let mut lines =
        vec![Line::styled(format!(" {} → {}", f.container, f.image), t.text), Line::raw("")];
    for (i, field) in FIELDS.iter().enumerate() {
        let focused = i == f.focus;
        let mark = if focused { t.sym("▸", ">") } else { " " };
        let value = f.value(*field);
        let value = if focused { format!("{value}{}", t.sym("▏", "|")) } else { value };
        lines.push(Line::from(vec![
            Span::styled(format!(" {mark} {:<18}", label(*field)), t.muted),
            Span::styled(value, if focused { t.accent } else { t.text }),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " stages: counts or percentages of the servers the run may update, growing, the last 100%. Allocated servers are left out unless included. The reload runs in each pod's main container once it is in place.",
        t.muted,
    ));
    if let Some(e) = &f.error {
        lines.push(Line::styled(format!(" {e}"), t.error));
    }
    lines
}

fn preflight(p: &Planned, t: &Theme) -> Vec<Line<'static>> {
    let plan = &p.confirmed.plan;
    let mut lines: Vec<Line> =
        p.lines.iter().map(|l| Line::styled(format!(" {l}"), t.text)).collect();
    lines.push(Line::styled(
        format!(
            " partition {} → {} · maxUnavailable {} · replicas {}",
            plan.partition_before, plan.partition_after, plan.max_unavailable, plan.replicas
        ),
        t.text,
    ));
    for w in &plan.warnings {
        lines.push(Line::styled(format!(" ! {w}"), t.warn));
    }
    lines.push(Line::styled(" RBAC", t.header));
    match &p.rbac {
        None => lines.push(Line::styled("   not asked (read-only session)", t.muted)),
        Some(answers) => {
            for (a, perm) in answers {
                let (text, style) = match perm {
                    Permission::Allowed => ("allowed".to_string(), t.ok),
                    Permission::Denied(r) => (format!("DENIED: {r}"), t.error),
                    Permission::Unknown(r) => (format!("unknown: {r}"), t.warn),
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("   {:<22} ", a.describe()), t.text),
                    Span::styled(text, style),
                ]));
            }
        }
    }
    lines.push(Line::styled(" JSON Patch, in the order sent", t.header));
    for patch in &plan.patches {
        lines.push(Line::styled(format!("   {}: {}", patch.target(), patch.summary), t.accent));
        let pretty = serde_json::to_string_pretty(&patch.patch).unwrap_or_default();
        lines.extend(pretty.lines().map(|l| Line::styled(format!("     {l}"), t.text)));
    }
    lines.push(Line::styled(
        format!(
            " enter or y sends these {} patch(es) and drives the run; esc: not sent",
            plan.patches.len()
        ),
        t.warn,
    ));
    lines
}

fn timeline(s: &StagedScreen, record: Option<&RolloutRecord>, t: &Theme) -> Vec<Line<'static>> {
    let set = s.set.1.as_str();
    let mut lines: Vec<Line> = match record {
        // Done or rolled back since it opened: the record no longer holds the set.
        None => vec![Line::styled(" the rollout no longer holds this set", t.muted)],
        Some(r) => r.timeline().into_iter().map(|l| Line::styled(l, t.text)).collect(),
    };
    lines.push(Line::raw(""));
    match s.asking {
        Some(Ask::Switch(paused)) => lines.push(Line::styled(
            format!(
                " {} the rollout of {set}? one patch of gameserverset {set}: rollingUpdate.paused = {paused} and the run's record (y sends it)",
                if paused { "Pause" } else { "Resume" }
            ),
            t.warn,
        )),
        Some(Ask::DriveOn) => lines.push(Line::styled(
            format!(
                " Drive the rollout of {set} on from {}? Each next stage is applied after the checks of the one before, until the end or the failure limit (y drives it)",
                record.map(|r| r.stage_text()).unwrap_or_default()
            ),
            t.warn,
        )),
        None => {}
    }
    if s.driving() {
        lines.push(Line::styled(" driving: x stops (the record keeps the stage)", t.accent));
    }
    if !s.log.is_empty() {
        // The latest lines: the run goes on below the timeline, not off the screen.
        let earlier = s.log.len().saturating_sub(SHOWN_LINES);
        let title = if earlier > 0 {
            format!(" this console's drive ({earlier} earlier line(s) not shown)")
        } else {
            " this console's drive".to_string()
        };
        lines.push(Line::styled(title, t.header));
        lines.extend(s.log.iter().skip(earlier).map(|l| Line::styled(format!(" {l}"), t.text)));
    }
    lines
}
