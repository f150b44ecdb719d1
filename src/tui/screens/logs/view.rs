//! Draws the logs screen: a status line (containers, follow, pause, wrap, search), each pod's
//! line rate with the silent ones marked, then the merged lines, each prefixed with its
//! `pod/container` in the pod's colour (as stern does) and the search's matches highlighted.
use okg_domain::safe_text;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::state::{Logs, Pick, Shown};
use crate::tui::view::highlight;
use crate::tui::view::theme::Theme;

/// Pod colours, in turn; the theme's text style when it has no colours (NO_COLOR).
const POD_COLOURS: [Color; 6] =
    [Color::Cyan, Color::Green, Color::Yellow, Color::Magenta, Color::Blue, Color::LightRed];

fn pod_style(t: &Theme, i: usize) -> Style {
    if t.accent.fg.is_none() {
        return t.text.add_modifier(Modifier::BOLD);
    }
    Style::default().fg(POD_COLOURS[i % POD_COLOURS.len()])
}

fn status(l: &Logs, t: &Theme) -> Line<'static> {
    let pick = match l.pick {
        Pick::Main => "main",
        Pick::Sidecar => "sidecar",
        Pick::All => "all containers",
    };
    let mut parts = vec![format!("{} stream(s), {pick}", l.streams.len())];
    if l.previous {
        parts.push("previous".into());
    }
    parts.push(if l.paused {
        "PAUSED".into()
    } else if l.follow {
        "follow".into()
    } else {
        "follow off".into()
    });
    parts.push(if l.wrap { "wrap".into() } else { "no wrap".into() });
    parts.push(l.since.label());
    if let Some(q) = &l.search {
        let q = safe_text::one_line(q);
        parts.push(match l.found {
            Some((at, n)) => format!("/{q}: {at}/{n}"),
            None => format!("/{q}"),
        });
    }
    Line::from(Span::styled(parts.join(" · "), t.muted))
}

/// Each pod's rate; a pod silent while others write is marked in words, not by colour alone.
fn rates(l: &Logs, t: &Theme, now_ms: i64) -> Line<'static> {
    let silent = l.silent(now_ms);
    let mut spans = Vec::new();
    for (i, s) in l.streams.iter().enumerate() {
        let name = safe_text::one_line(&s.pod).into_owned();
        spans.push(Span::styled(name, pod_style(t, i)));
        let (text, style) = if silent.contains(&i) {
            (" SILENT".to_string(), t.warn)
        } else if s.ended.is_some() {
            (" ended".to_string(), t.muted)
        } else {
            (format!(" {:.1}/s", s.rate(now_ms)), t.muted)
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw("  "));
    }
    Line::from(spans)
}

fn body_line<'a>(l: &Logs, t: &Theme, shown: Shown<'_>) -> Line<'a> {
    let (stream, text) = (shown.stream, &shown.line.text);
    let current = l.current.filter(|c| c.0 == shown.line.seq).map(|c| c.1);
    let mut spans = Vec::new();
    if l.streams.len() > 1 {
        let s = &l.streams[stream];
        let prefix = format!("{}/{} ", s.pod, s.container);
        spans.push(Span::styled(safe_text::one_line(&prefix).into_owned(), pod_style(t, stream)));
    }
    let safe = safe_text::one_line(text).into_owned();
    let hits = l.matches(&safe);
    let (hit, segments) = (t.selection, [(0, t.text)]);
    spans.extend(highlight::spans(&safe, &segments, &hits, hit, current, t.readonly));
    Line::from(spans)
}

pub fn draw(l: &Logs, t: &Theme, now_ms: i64, area: Rect, buf: &mut Buffer) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(" logs ", t.header));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 3 || inner.width == 0 {
        return;
    }
    Paragraph::new(status(l, t)).render(Rect { height: 1, ..inner }, buf);
    Paragraph::new(rates(l, t, now_ms)).render(Rect { y: inner.y + 1, height: 1, ..inner }, buf);
    let body = Rect { y: inner.y + 2, height: inner.height - 2, ..inner };
    // Why a stream ended (the container stopped, no previous container, forbidden…): said under
    // the lines, in words and wrapped whole, rather than by a stream going quiet.
    let ended: Vec<Line<'static>> = l
        .streams
        .iter()
        .filter_map(|s| Some(format!("— {}/{}: {}", s.pod, s.container, s.ended.as_deref()?)))
        .map(|why| Line::from(Span::styled(safe_text::one_line(&why).into_owned(), t.warn)))
        .collect();
    let ended_rows: usize =
        ended.iter().map(|line| line.width().max(1).div_ceil(body.width as usize)).sum();
    let ended_rows = (ended_rows as u16).min(body.height / 2);
    let notes = Rect { y: body.y + body.height - ended_rows, height: ended_rows, ..body };
    Paragraph::new(ended).wrap(Wrap { trim: false }).render(notes, buf);
    let body = Rect { height: body.height - ended_rows, ..body };
    // The newest lines that fit (with wrap a line may take several rows), styled from the end
    // back: the buffers hold up to 2000 lines a stream, and only a screenful is drawn.
    let rows = |line: &Line<'_>| {
        if l.wrap { line.width().max(1).div_ceil(body.width as usize) } else { 1 }
    };
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut used = 0;
    for s in l.shown().rev().skip(if l.follow { 0 } else { l.scroll }) {
        let line = body_line(l, t, s);
        if used + rows(&line) > body.height as usize {
            break;
        }
        used += rows(&line);
        lines.push(line);
    }
    lines.reverse();
    let mut p = Paragraph::new(lines);
    if l.wrap {
        p = p.wrap(Wrap { trim: false });
    }
    p.render(body, buf);
}
