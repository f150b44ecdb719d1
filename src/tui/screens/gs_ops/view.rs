//! Drawing the set-ops dialog: the form, the pre-flight (patches with their `test` ops, counts by
//! state, warnings) and the outcome.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::state::{FIELDS, GsOpsDialog, Page, choices, label};
use crate::tui::view::theme::Theme;

pub fn draw(d: &GsOpsDialog, area: Rect, buf: &mut Buffer, t: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(format!(" {} ", d.title()), t.header));
    let inner = block.inner(area);
    block.render(area, buf);
    let mut lines: Vec<Line> = Vec::new();
    let mut names: Vec<&str> = d.targets.iter().take(6).map(String::as_str).collect();
    if d.targets.len() > 6 {
        names.push("…");
    }
    lines.push(Line::styled(format!(" {}: {}", d.namespace, names.join(", ")), t.muted));
    lines.push(Line::raw(""));
    match &d.page {
        Page::Form | Page::Planning => {
            for (i, f) in FIELDS.iter().enumerate() {
                let focused = i == d.field;
                let marker = if focused { t.sym("▸", ">") } else { " " };
                let value = match choices(*f) {
                    [] if focused => {
                        let typed = d.number.lines().join("");
                        if typed.is_empty() {
                            "type a number▏".to_string()
                        } else {
                            format!("{typed}▏")
                        }
                    }
                    [] => "—".to_string(),
                    list => list
                        .iter()
                        .enumerate()
                        .map(|(j, v)| {
                            if j == d.choice[i] % list.len() {
                                format!("[{v}]")
                            } else {
                                format!(" {v} ")
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(""),
                };
                let style = if focused { t.selection } else { t.text };
                lines.push(Line::from(vec![
                    Span::styled(format!("{marker}{:<18}", label(*f)), t.accent),
                    Span::styled(value, style),
                ]));
            }
            lines.push(Line::raw(""));
            if let Some(e) = &d.error {
                lines.push(Line::styled(format!(" {e}"), t.error));
            } else if matches!(d.page, Page::Planning) {
                lines.push(Line::styled(" reading the GameServers…", t.muted));
            } else {
                lines.push(Line::styled(
                    " only the focused field is set; enter shows exactly what is sent",
                    t.muted,
                ));
            }
        }
        Page::Confirm(plan) => preflight(plan, &mut lines, t),
        Page::Sending => lines.push(Line::styled(" sending…", t.muted)),
        Page::Done(Ok(sent)) => {
            lines.push(Line::styled(format!(" ✓ {} patch(es) accepted", sent.len()), t.ok));
            for s in sent.iter().take(inner.height.saturating_sub(5) as usize) {
                lines.push(Line::styled(format!("   {s}"), t.text));
            }
        }
        Page::Done(Err(e)) => lines.push(Line::styled(format!(" ✗ {e}"), t.error)),
    }
    // The keys are on the console's hint line (`chrome::hints`, from this page's context).
    Paragraph::new(lines.into_iter().map(crate::tui::view::safe::line).collect::<Vec<_>>())
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

fn preflight(plan: &okg_domain::gs_ops::OpsPlan, lines: &mut Vec<Line<'static>>, t: &Theme) {
    lines.push(Line::styled(
        format!(
            " set {} = {} on {} GameServer(s); {} already have it",
            plan.op.field.command(),
            plan.op.value,
            plan.patches.len(),
            plan.unchanged.len()
        ),
        t.warn,
    ));
    lines.push(Line::styled(format!(" now: {}", plan.counts), t.muted));
    // The dialog opens only when the review at start allowed it (`Access::check`).
    lines.push(Line::styled(" RBAC: patch gameservers allowed (asked at start)", t.muted));
    for w in &plan.warnings {
        lines.push(Line::styled(format!(" ! {w}"), t.warn));
    }
    lines.push(Line::styled(" JSON Patches, each guarded by test ops:", t.muted));
    for p in &plan.patches {
        lines.push(Line::styled(format!("  {}: {}", p.target(), p.patch), t.text));
    }
    if plan.patches.is_empty() {
        lines.push(Line::styled(" nothing to send: enter closes", t.muted));
    }
}
