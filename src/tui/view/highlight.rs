//! A line cut into styled spans, with the search's matches drawn over them: shared by the logs
//! screen and the YAML / describe screen, so both show a match the same way.
use ratatui::style::Style;
use ratatui::text::Span;

/// `text` in spans: `segments` say from which byte on which style holds (sorted, the first at
/// 0); the byte ranges in `matches` take `hit` instead (`current`, the match `n` went to, takes
/// `hit_current`). Offsets must fall on character boundaries (search and segments work on
/// ASCII boundaries of the same text).
pub fn spans(
    text: &str,
    segments: &[(usize, Style)],
    matches: &[(usize, usize)],
    hit: Style,
    current: Option<usize>,
    hit_current: Style,
) -> Vec<Span<'static>> {
    let mut cuts: Vec<usize> = segments.iter().map(|s| s.0).collect();
    cuts.extend(matches.iter().flat_map(|m| [m.0, m.1]));
    cuts.push(0);
    cuts.push(text.len());
    cuts.retain(|c| *c <= text.len() && text.is_char_boundary(*c));
    cuts.sort_unstable();
    cuts.dedup();
    let base =
        |at: usize| segments.iter().rev().find(|s| s.0 <= at).map_or(Style::default(), |s| s.1);
    let mut out = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let hit_at = matches.iter().position(|m| m.0 <= a && b <= m.1);
        let style = match hit_at {
            Some(i) if Some(i) == current => hit_current,
            Some(_) => hit,
            None => base(a),
        };
        out.push(Span::styled(text[a..b].to_string(), style));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Color;

    #[test]
    fn matches_take_the_hit_style_over_the_segments() {
        let (k, v) = (Style::default().fg(Color::Blue), Style::default().fg(Color::Green));
        let hit = Style::default().bg(Color::Red);
        let cur = Style::default().bg(Color::Yellow);
        let got =
            spans("name: gss-0 gss", &[(0, k), (4, v)], &[(6, 9), (12, 15)], hit, Some(1), cur);
        let parts: Vec<(&str, Style)> = got.iter().map(|s| (s.content.as_ref(), s.style)).collect();
        assert_eq!(parts, [("name", k), (": ", v), ("gss", hit), ("-0 ", v), ("gss", cur)]);
    }
}
