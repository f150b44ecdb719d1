//! Draws the object screen: a status line (which object, how, the search and its count), then
//! the text from the scroll on, coloured as YAML (keys, strings, numbers and booleans, comments
//! and `---`) from the theme's slots, with the search's matches over it. The lines were made
//! safe when they arrived; `view::safe` makes sure of it again at the edge.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use super::state::{Body, Mode, ObjectScreen};
use crate::tui::view::highlight;
use crate::tui::view::theme::Theme;

/// What a piece of a YAML line is, for its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Plain,
    Key,
    Str,
    /// Numbers, booleans, null.
    Scalar,
    /// Comments, and the document markers `---` / `...`.
    Comment,
}

fn style(t: &Theme, r: Role) -> Style {
    match r {
        Role::Plain => t.text,
        Role::Key => t.group,
        Role::Str => t.ok,
        Role::Scalar => t.warn,
        Role::Comment => t.muted,
    }
}

fn scalar(v: &str) -> bool {
    matches!(v, "true" | "false" | "null" | "~" | "True" | "False" | "Null" | ".inf" | "-.inf")
        || (v.parse::<f64>().is_ok() && !v.starts_with('.') && !v.ends_with('.'))
}

fn value_role(v: &str) -> Role {
    match v.chars().next() {
        None => Role::Plain,
        Some('|' | '>' | '{' | '[' | '&' | '*') => Role::Plain,
        Some('#') => Role::Comment,
        _ if scalar(v) => Role::Scalar,
        _ => Role::Str,
    }
}

/// Where each role starts in a line (byte offsets, the first at 0). One line at a time, as a
/// pager colours: a block scalar's lines are read as lines of their own.
pub fn syntax(line: &str) -> Vec<(usize, Role)> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    if rest.starts_with('#') || rest == "---" || rest == "..." || rest.starts_with("--- ") {
        return vec![(0, Role::Plain), (indent, Role::Comment)];
    }
    let mut at = indent;
    let mut body = rest;
    while let Some(r) = body.strip_prefix("- ") {
        at += 2;
        body = r;
    }
    if body == "-" {
        return vec![(0, Role::Plain)];
    }
    let key_end = if body.starts_with('"') || body.starts_with('\'') {
        let q = &body[..1];
        body[1..].find(q).map(|i| i + 2).filter(|e| body[*e..].starts_with(':'))
    } else {
        body.find(": ").or_else(|| body.ends_with(':').then(|| body.len() - 1))
    };
    let mut out = vec![(0, Role::Plain)];
    match key_end {
        Some(k) => {
            out.push((at, Role::Key));
            out.push((at + k, Role::Plain));
            let after = &body[k + 1..];
            let v = after.trim_start();
            if !v.is_empty() {
                out.push((at + k + 1 + (after.len() - v.len()), value_role(v)));
            }
        }
        None => out.push((at, value_role(body))),
    }
    out
}

fn body_line(s: &ObjectScreen, t: &Theme, i: usize, line: &str) -> Line<'static> {
    let segments: Vec<(usize, Style)> =
        syntax(line).into_iter().map(|(at, r)| (at, style(t, r))).collect();
    let hits = s.matches(line);
    let current = s.current.filter(|c| c.0 == i).map(|c| c.1);
    Line::from(highlight::spans(line, &segments, &hits, t.selection, current, t.readonly))
}

fn status(s: &ObjectScreen, t: &Theme) -> Line<'static> {
    let how = match s.mode {
        Mode::Yaml => "YAML (managedFields hidden)",
        Mode::Describe => "describe",
    };
    let mut parts = vec![how.to_string()];
    match &s.body {
        Body::Lines(l) => parts.push(format!("{} lines", l.len())),
        Body::Loading => parts.push("reading…".into()),
        Body::Failed(_) => parts.push("not read".into()),
    }
    if s.wrap {
        parts.push("wrap".into());
    }
    if let Some(q) = &s.search {
        let (n, at) = s.match_count();
        let at = at.map(|a| format!("{a}/")).unwrap_or_default();
        parts.push(format!("/{q}: {at}{n} match{}", if n == 1 { "" } else { "es" }));
    }
    Line::from(Span::styled(parts.join(" · "), t.muted))
}

/// Rows `text` takes wrapped at word boundaries in `width` columns, as the paragraph wraps it
/// (a word wider than the line is cut).
fn wrapped_rows(text: &str, width: usize) -> usize {
    let width = width.max(1);
    let (mut rows, mut col) = (1, 0);
    for word in text.split_inclusive(' ') {
        let mut len = word.trim_end_matches(' ').chars().count();
        let spaces = word.chars().count() - len;
        if col > 0 && col + len > width {
            rows += 1;
            col = 0;
        }
        while len > width {
            rows += 1;
            len -= width;
        }
        col = (col + len + spaces).min(width);
    }
    rows
}

/// The first line to draw: the scroll, except that wrapped lines take more rows than the
/// scroll counts, so near the end it starts early enough for the last line to show.
fn first_line(s: &ObjectScreen, lines: &[String], body: Rect) -> usize {
    if !s.wrap || body.width == 0 {
        return s.scroll;
    }
    let rows = |l: &String| wrapped_rows(l, body.width as usize);
    let (mut used, mut first) = (0, lines.len());
    while first > 0 && used + rows(&lines[first - 1]) <= body.height as usize {
        first -= 1;
        used += rows(&lines[first]);
    }
    // At the end by the scroll's count (End, or the last page): the end as it wraps.
    if s.scroll + body.height as usize >= lines.len() { first } else { s.scroll.min(first) }
}

pub fn draw(s: &ObjectScreen, t: &Theme, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(format!(" {} ", s.title()), t.header));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 || inner.width == 0 {
        return;
    }
    let head = crate::tui::view::safe::line(status(s, t));
    Paragraph::new(head).render(Rect { height: 1, ..inner }, buf);
    let body = Rect { y: inner.y + 1, height: inner.height - 1, ..inner };
    let lines: Vec<Line<'static>> = match &s.body {
        Body::Loading => {
            vec![Line::from(Span::styled(format!("reading {}…", s.object()), t.muted))]
        }
        Body::Failed(why) => vec![Line::from(Span::styled(why.clone(), t.error))],
        Body::Lines(l) => l
            .iter()
            .enumerate()
            .skip(first_line(s, l, body))
            .take(body.height as usize)
            .map(|(i, line)| body_line(s, t, i, line))
            .collect(),
    };
    let mut p = Paragraph::new(crate::tui::view::safe::lines(lines));
    // The reason a read failed is one line, but may be longer than the screen is wide.
    if s.wrap || matches!(s.body, Body::Failed(_)) {
        p = p.wrap(ratatui::widgets::Wrap { trim: false });
    }
    p.render(body, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    fn roles(line: &str) -> Vec<(&str, Role)> {
        let cuts = syntax(line);
        cuts.iter()
            .enumerate()
            .map(|(i, (at, r))| {
                let end = cuts.get(i + 1).map_or(line.len(), |c| c.0);
                (&line[*at..end], *r)
            })
            .filter(|(s, _)| !s.is_empty())
            .collect()
    }

    #[test]
    fn wrapped_rows_break_at_words_and_cut_long_ones() {
        assert_eq!(wrapped_rows("", 10), 1);
        assert_eq!(wrapped_rows("0123456789", 10), 1);
        assert_eq!(wrapped_rows("aaaa bbbb cccc", 10), 2, "cccc goes on");
        assert_eq!(wrapped_rows("aaaaaaaaaaaaaaaaaaaaaaaaa", 10), 3);
        assert_eq!(wrapped_rows("ab aaaaaaaaaaaaaaa", 10), 3, "a new row, then cut");
    }

    #[test]
    fn keys_strings_scalars_and_comments() {
        assert_eq!(
            roles("  name: gss-0"),
            [("  ", Plain), ("name", Key), (": ", Plain), ("gss-0", Str)]
        );
        assert_eq!(
            roles("  replicas: 3"),
            [("  ", Plain), ("replicas", Key), (": ", Plain), ("3", Scalar)]
        );
        assert_eq!(roles("ready: true"), [("ready", Key), (": ", Plain), ("true", Scalar)]);
        assert_eq!(
            roles("  uid: \"6\""),
            [("  ", Plain), ("uid", Key), (": ", Plain), ("\"6\"", Str)]
        );
        assert_eq!(roles("metadata:"), [("metadata", Key), (":", Plain)]);
        assert_eq!(
            roles("- name: app"),
            [("- ", Plain), ("name", Key), (": ", Plain), ("app", Str)]
        );
        assert_eq!(roles("  - http://x:80"), [("  - ", Plain), ("http://x:80", Str)]);
        assert_eq!(roles("# a comment"), [("# a comment", Comment)]);
        assert_eq!(roles("---"), [("---", Comment)]);
    }

    #[test]
    fn colours_come_from_the_theme_and_none_under_no_color() {
        use crate::tui::view::theme::ColorDepth;
        let mut s = ObjectScreen::new("default", "gss-0", None, false, Mode::Yaml);
        s.read();
        s.body = Body::Lines(vec!["replicas: 3".into(), "name: gss-0".into()]);
        s.set_search("gss", 10);
        let t = Theme::builtin("dark");
        let l = body_line(&s, &t, 0, "replicas: 3");
        assert_eq!(l.spans[0].style, t.group);
        assert_eq!(l.spans[2].style, t.warn);
        let l = body_line(&s, &t, 1, "name: gss-0");
        assert_eq!(l.spans[2].style, t.readonly, "the current match");
        assert_eq!(l.spans[3].style, t.ok);
        let mono = Theme::builtin("dark").for_depth(ColorDepth::None);
        for line in ["replicas: 3", "name: gss-0", "# c"] {
            for span in body_line(&s, &mono, 1, line).spans {
                assert!(span.style.fg.is_none() && span.style.bg.is_none(), "{line}: {span:?}");
            }
        }
    }
}
