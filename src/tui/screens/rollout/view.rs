//! Drawing the rollout view: title, progress bar, counts, one row per pod with the evidence of
//! an in-place update (UID, CREATED, restarts, imageID, IP, node), and the events of failures.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use crate::tui::app::keymap::{self, Action, Context};
use crate::tui::screens::rollout::state::{PodRow, Rollout};
use crate::tui::view::theme::Theme;
use okg_domain::rollout::Verdict;

/// Symbol, word and style of a verdict.
pub fn verdict_cell(v: Option<&Verdict>, t: &Theme) -> (String, Style) {
    match v {
        None => (format!("{} pending", t.sym("·", ".")), t.muted),
        Some(v) => {
            let (sym, style) = match v {
                Verdict::InPlace => (t.sym("✓", "+"), t.ok),
                Verdict::Updating => (t.sym("…", "~"), t.accent),
                Verdict::Waiting(_) => (t.sym("⏸", "="), t.muted),
                Verdict::ReCreated => (t.sym("✗", "x"), t.error),
                Verdict::Failing(_) => (t.sym("↻", "*"), t.warn),
                Verdict::Failed(_) => ("!", t.error),
                Verdict::Stalled(_) => ("?", t.warn),
            };
            let word = match v {
                Verdict::Waiting(r) => format!("waiting ({r})"),
                Verdict::Updating => "updating".into(),
                v => v.label().to_string(),
            };
            (format!("{sym} {word}"), style)
        }
    }
}

fn short_id(id: &str) -> String {
    let hex = id.rsplit(':').next().unwrap_or(id);
    hex.chars().take(4).collect()
}

fn row_line(r: &PodRow, t: &Theme) -> Line<'static> {
    let (verdict, style) = verdict_cell(r.verdict.as_ref(), t);
    let mut spans = vec![Span::styled(format!(" {:<14}", r.name), t.text)];
    let same = |b: bool| if b { "same" } else { "NEW" };
    match (&r.detail, &r.aside) {
        (Some(d), _) if !matches!(r.verdict, Some(Verdict::Waiting(_))) => {
            spans.push(Span::styled(format!("{verdict:<14}"), style));
            let moved = |b: bool| if b { t.text } else { t.error };
            let id = if d.image_id.0 == d.image_id.1 {
                "same".to_string()
            } else {
                let dots = t.sym("…", ".");
                format!("{}{dots}→{}{dots}", short_id(&d.image_id.0), short_id(&d.image_id.1))
            };
            spans.push(Span::styled(format!("{:<6}", same(d.same_uid)), moved(d.same_uid)));
            spans.push(Span::styled(format!("{:<8}", same(d.same_created)), moved(d.same_created)));
            let restarts = format!("{} → {}", d.restarts.0, d.restarts.1);
            spans.push(Span::styled(format!("{restarts:<9}"), t.text));
            spans.push(Span::styled(format!("{id:<13}"), t.text));
            spans.push(Span::styled(
                format!("{:<8}", if d.same_ip { "same" } else { "CHANGED" }),
                moved(d.same_ip),
            ));
            spans.push(Span::styled(
                if d.same_node { "same" } else { "MOVED" }.to_string(),
                moved(d.same_node),
            ));
        }
        (_, Some(aside)) if r.verdict.is_none() => spans.push(Span::styled(aside.clone(), t.muted)),
        _ => spans.push(Span::styled(verdict, style)),
    }
    let why = match &r.verdict {
        Some(Verdict::Failed(f)) => Some((f.to_string(), t.error)),
        Some(Verdict::Stalled(s)) => Some((s.clone(), t.error)),
        Some(Verdict::Failing(retrying)) => Some((retrying.to_string(), t.warn)),
        // Told by the restart and the status image, as OpenKruise does: worth a note.
        Some(Verdict::InPlace) if r.detail.as_ref().is_some_and(|d| d.same_image_id()) => {
            Some(("imageID unchanged: same image digest (a rollback or re-tag)".into(), t.muted))
        }
        _ => None,
    };
    if let Some((why, style)) = why {
        spans.push(Span::styled(format!("  {why}"), style));
    }
    Line::from(spans)
}

pub fn draw(r: &Rollout, area: Rect, buf: &mut Buffer, t: &Theme) {
    let outer = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(format!(" {} ", r.title()), t.header));
    let inner = outer.inner(area);
    outer.render(area, buf);
    let c = &r.counts;
    let total = r.targets.max(1);
    let width = 20usize;
    let filled = (r.done() * width / total).min(width);
    let bar =
        format!("{}{}", t.sym("█", "#").repeat(filled), t.sym("░", "-").repeat(width - filled));
    let mut lines = vec![
        Line::from(vec![
            Span::styled(bar, t.ok),
            Span::styled(format!(" {}/{} done", r.done(), r.targets), t.text),
        ]),
        Line::from(vec![
            Span::styled(format!("{} in place {}", t.sym("✓", "+"), c.in_place), t.ok),
            Span::styled(format!(" · {} updating {}", t.sym("…", "~"), c.updating), t.text),
            Span::styled(format!(" · {} waiting {}", t.sym("⏸", "="), c.waiting), t.text),
            Span::styled(
                format!(" · {} re-created {}", t.sym("✗", "x"), c.re_created),
                if c.re_created > 0 { t.error } else { t.text },
            ),
            Span::styled(
                format!(" · {} failing {}", t.sym("↻", "*"), c.failing),
                if c.failing > 0 { t.warn } else { t.text },
            ),
            Span::styled(
                format!(" · ! failed {}", c.failed),
                if c.failed > 0 { t.error } else { t.text },
            ),
            Span::styled(
                format!(" · stalled {}", c.stalled),
                if c.stalled > 0 { t.warn } else { t.text },
            ),
        ]),
        Line::from(Span::styled(
            format!(
                " {:<14}{:<14}{:<6}{:<8}{:<9}{:<13}{:<8}NODE",
                "POD", "VERDICT", "UID", "CREATED", "RESTARTS", "IMAGE ID", "IP"
            ),
            t.header,
        )),
    ];
    // The counts and the column titles stay; what is under them scrolls (↑/↓, the wheel).
    let mut list: Vec<Line<'static>> = r.pods.iter().map(|p| row_line(p, t)).collect();
    if !r.events.is_empty() {
        list.push(Line::from(Span::styled("events", t.header)));
        for (pod, reason, message) in &r.events {
            list.push(Line::from(Span::styled(format!(" {pod} {reason}: {message}"), t.error)));
        }
    }
    for n in &r.notes {
        list.push(Line::from(Span::styled(n.clone(), t.muted)));
    }
    if let Some(done) = &r.finished {
        list.push(Line::from(Span::styled(format!("done: {done}"), t.accent)));
    }
    lines.extend(list.into_iter().skip(r.scroll));
    let canary = r.plan.partition_after > 0;
    let keys = keymap::hint_line(Context::Rollout, |a| {
        !matches!(a, Action::ContinueCanary | Action::AbandonCanary) || canary
    });
    let body = Rect { height: inner.height.saturating_sub(1), ..inner };
    let foot =
        Rect { y: inner.y + inner.height.saturating_sub(1), height: 1.min(inner.height), ..inner };
    Paragraph::new(crate::tui::view::safe::lines(lines))
        .wrap(Wrap { trim: false })
        .render(body, buf);
    Paragraph::new(Line::from(Span::styled(keys, t.muted))).render(foot, buf);
}
