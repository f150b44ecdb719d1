//! Drawing the reload dialog (form and confirm line) and the live reload view.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use crate::tui::app::keymap::{self, Action, Context};
use crate::tui::screens::reload::run::{PodProgress, ReloadView};
use crate::tui::screens::reload::state::{FIELDS, Field, Phase, ReloadDialog, join_words, plural};
use crate::tui::view::format::fit;
use crate::tui::view::theme::Theme;
use okg_domain::reload_plan::{OutputStream, PodResult, ReloadMethod, StopReason};

pub fn draw(d: &ReloadDialog, area: Rect, buf: &mut Buffer, t: &Theme) {
    match &d.phase {
        Phase::Form { confirming } => form(d, confirming.as_ref(), area, buf, t),
        Phase::Running { view, .. } => live(view, area, buf, t),
    }
}

fn put(buf: &mut Buffer, area: Rect, row: u16, spans: Vec<Span>) {
    if row >= area.height {
        return;
    }
    let r = Rect { y: area.y + row, height: 1, ..area };
    Paragraph::new(crate::tui::view::safe::line(Line::from(spans))).render(r, buf);
}

fn form(
    d: &ReloadDialog,
    confirming: Option<&crate::tui::screens::reload::state::Confirmed>,
    area: Rect,
    buf: &mut Buffer,
    t: &Theme,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(format!(" {} ", plural(d.targets.len(), "Reload")), t.header));
    let inner = block.inner(area);
    block.render(area, buf);
    let mut names: Vec<&str> = d.targets.iter().take(4).map(|t| t.pod.as_str()).collect();
    if d.targets.len() > 4 {
        names.push("…");
    }
    put(buf, inner, 0, vec![Span::styled(format!(" pods: {}", names.join(", ")), t.muted)]);
    let label_w = 14usize;
    let value_w = (inner.width as usize).saturating_sub(label_w + 3);
    for (i, f) in FIELDS.iter().enumerate() {
        let row = 2 + i as u16;
        let focused = d.focus == i && confirming.is_none();
        let marker = if focused { t.sym("▸", ">") } else { " " };
        let label =
            Span::styled(format!("{marker}{:<w$} ", f.label(d.http), w = label_w), t.accent);
        let value = match f {
            Field::Method => {
                let (a, b) = if d.http { ("  exec ", "[HTTP]") } else { ("[exec]", "  HTTP ") };
                format!("{a} {b}   (space switches)")
            }
            Field::Container if d.http => "—  (HTTP goes to the pod's port)".into(),
            _ => {
                let text = d.inputs[i].lines().join("");
                if text.is_empty() {
                    d.inputs[i].placeholder_text().to_string()
                } else if focused {
                    format!("{text}▏")
                } else {
                    text
                }
            }
        };
        let empty = *f != Field::Method && d.inputs[i].lines().join("").is_empty();
        let style = match (focused, empty) {
            (true, _) => t.selection,
            (false, true) => t.muted,
            (false, false) => t.text,
        };
        put(buf, inner, row, vec![label, Span::styled(fit(&value, value_w), style)]);
    }
    let mut row = 2 + FIELDS.len() as u16 + 1;
    if let Some(e) = &d.error {
        put(buf, inner, row, vec![Span::styled(format!(" {e}"), t.error)]);
        row += 1;
    } else if let Some(n) = &d.note {
        put(buf, inner, row, vec![Span::styled(format!(" {n}"), t.muted)]);
        row += 1;
    }
    let width = inner.width as usize;
    // A config problem says which file, what is wrong and what to do: too long for one row.
    if let Some(w) = &d.warning {
        for line in wrap(w, width.saturating_sub(2)) {
            put(buf, inner, row, vec![Span::styled(format!(" {line}"), t.warn)]);
            row += 1;
        }
    }
    // The effect is what will run, every limit included (all of it reaches the audit log):
    // wrapped, never cut.
    let (effect, style, hint) = match confirming {
        Some(c) => (
            d.effect(c),
            t.warn,
            ("enter/y start · any other key edits again".to_string(), t.accent),
        ),
        None => (
            d.parse()
                .map(|c| d.effect(&c))
                .unwrap_or_else(|_| "fill in the command to see the effect".into()),
            t.muted,
            (keymap::hint_line(Context::ReloadForm, |_| true), t.muted),
        ),
    };
    for line in wrap(&effect, width.saturating_sub(2)) {
        put(buf, inner, row, vec![Span::styled(format!(" {line}"), style)]);
        row += 1;
    }
    put(buf, inner, row, vec![Span::styled(format!(" {}", hint.0), hint.1)]);
}

/// `text` in lines of at most `width` characters, broken between words (a longer word is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let used = line.chars().count();
        if used > 0 && used + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let rest: String = line.chars().skip(width).collect();
            line = line.chars().take(width).collect();
            lines.push(std::mem::replace(&mut line, rest));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn method_text(v: &ReloadView) -> String {
    match (&v.method, &v.container) {
        (ReloadMethod::Exec { argv }, Some(c)) => format!("exec {c}: {}", join_words(argv)),
        (m, _) => m.to_string(),
    }
}

fn status(state: &PodProgress, t: &Theme) -> (String, Style, String) {
    match state {
        PodProgress::Pending => ("pending".into(), t.muted, String::new()),
        PodProgress::Running { attempt, .. } if *attempt > 1 => {
            (format!("{} try {attempt}", t.sym("…", "..")), t.accent, String::new())
        }
        PodProgress::Running { .. } => {
            (format!("{} running", t.sym("…", "..")), t.accent, String::new())
        }
        // The reason goes in the output column.
        PodProgress::Done(PodResult::Skipped { .. }) => {
            (t.sym("- skipped", "skip").to_string(), t.warn, String::new())
        }
        PodProgress::Done(r) => {
            let time = r.duration().map(|d| format!("{:.2}s", d.as_secs_f64())).unwrap_or_default();
            let style = match r {
                PodResult::Succeeded { .. } => t.ok,
                PodResult::Failed { .. } => t.error,
                _ => t.warn,
            };
            (r.short(!t.ascii), style, time)
        }
    }
}

fn live(v: &ReloadView, area: Rect, buf: &mut Buffer, t: &Theme) {
    let c = v.counts();
    let width = area.width as usize;
    let mut head =
        format!(" {} · {} · {}", plural(c.total(), "Reload"), method_text(v), v.limits.describe());
    if v.pausing {
        head.push_str(" · pausing");
    }
    put(buf, area, 0, vec![Span::styled(fit(&head, width), t.header)]);
    // Progress bar and counts.
    let bar_w = if width < 100 { 10 } else { 20 };
    let total = c.total().max(1);
    let filled = c.done() * bar_w / total;
    let bar =
        format!("{}{}", t.sym("█", "#").repeat(filled), t.sym("░", "-").repeat(bar_w - filled));
    let counts = format!(
        " {}/{}   {} {} · {} {} · running {} · pending {} · skipped {} · cancelled {}",
        c.done(),
        c.total(),
        t.sym("✓", "ok"),
        c.succeeded,
        t.sym("✗", "FAIL"),
        c.failed,
        c.running,
        c.pending,
        c.skipped,
        c.cancelled
    );
    put(
        buf,
        area,
        1,
        vec![
            Span::styled(format!(" {bar}"), t.accent),
            Span::styled(fit(&counts, width.saturating_sub(bar_w + 1)), t.text),
        ],
    );
    let pod_w = v.pods.iter().map(|p| p.pod.len()).max().unwrap_or(3).clamp(3, 24);
    // Narrow terminals keep room for the output column.
    let result_w = if width < 100 { 16 } else { 26 };
    let time_w = 7usize;
    let out_w = width.saturating_sub(pod_w + result_w + time_w + 6);
    put(
        buf,
        area,
        2,
        vec![Span::styled(
            fit(
                &format!(
                    "   {:<pod_w$} {:<result_w$} {:>time_w$}  OUTPUT",
                    "POD", "RESULT", "TIME"
                ),
                width,
            ),
            t.header,
        )],
    );
    // Bottom: stop reason / summary and keys (2 lines); tail pane when there is room.
    let footer = 2u16;
    let rows_avail = area.height.saturating_sub(3 + footer) as usize;
    // The table first; the output tail takes what is left below it (at most 10 lines).
    let (table_h, tail_h) = if rows_avail >= v.pods.len() + 3 {
        (v.pods.len(), (rows_avail - v.pods.len() - 2).min(10))
    } else {
        (rows_avail, 0)
    };
    let scroll = v.scroll.min(v.pods.len().saturating_sub(table_h.max(1)));
    for (i, p) in v.pods.iter().skip(scroll).take(table_h).enumerate() {
        let (word, style, time) = status(&p.state, t);
        let (out, out_style) = match &p.last {
            Some((OutputStream::Stdout, l)) => (format!("{} | {l}", p.pod), t.text),
            Some((OutputStream::Stderr, l)) => (format!("{} ! {l}", p.pod), t.warn),
            None => match &p.state {
                PodProgress::Done(PodResult::Skipped { reason }) => (reason.clone(), t.muted),
                _ => (String::new(), t.text),
            },
        };
        put(
            buf,
            area,
            3 + i as u16,
            vec![
                Span::styled(format!("   {:<pod_w$} ", fit(&p.pod, pod_w)), t.text),
                Span::styled(format!("{:<result_w$} ", fit(&word, result_w)), style),
                Span::styled(format!("{time:>time_w$}  "), t.muted),
                Span::styled(fit(&out, out_w), out_style),
            ],
        );
    }
    if tail_h > 0 {
        let top = 3 + table_h as u16 + 1;
        put(buf, area, top, vec![Span::styled(fit(" output", width), t.header)]);
        let lines: Vec<_> = v.tail.iter().rev().take(tail_h).collect();
        for (i, (pod, stream, line)) in lines.into_iter().rev().enumerate() {
            let (mark, style) = match stream {
                OutputStream::Stdout => ('|', t.text),
                OutputStream::Stderr => ('!', t.warn),
            };
            put(
                buf,
                area,
                top + 1 + i as u16,
                vec![Span::styled(fit(&format!("   {pod} {mark} {line}"), width), style)],
            );
        }
    }
    let bottom = area.height.saturating_sub(footer);
    let (line, style) = if let Some(e) = &v.error {
        (format!(" reload did not start: {e}"), t.error)
    } else if let Some(s) = &v.summary {
        let style = if s.all_succeeded() { t.ok } else { t.warn };
        let stop = match &v.stopping {
            Some(StopReason::Cancelled) => " · cancelled".to_string(),
            Some(r) => format!(" · stopped: {}", r.skip_reason()),
            None => String::new(),
        };
        (format!(" {s}{stop}"), style)
    } else if let Some(r) = &v.stopping {
        (format!(" stopping: {}; pending pods are skipped", r.skip_reason()), t.warn)
    } else if v.cancel_requested {
        (" cancelling: running reloads are aborted…".to_string(), t.warn)
    } else {
        (String::new(), t.text)
    };
    put(buf, area, bottom, vec![Span::styled(fit(&line, width), style)]);
    let finished = v.finished();
    let keys = format!(
        " {}",
        keymap::hint_line(Context::ReloadRun, |a| match a {
            Action::Close => finished,
            Action::CancelRun | Action::Back => !finished,
            _ => true,
        })
    );
    put(buf, area, bottom + 1, vec![Span::styled(fit(&keys, width), t.muted)]);
}
