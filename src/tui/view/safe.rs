//! The drawing edge for the cluster's text: every span of a paragraph made safe before it is
//! rendered (`okg_domain::safe_text`), so an event message, a label or a pod's output cannot
//! carry an escape sequence to the terminal. Text fitted into cells is made safe by
//! `format::fit`; the backend drops whatever control character is left.
use okg_domain::safe_text;
use ratatui::text::{Line, Span};

/// `lines` with every span's text made safe for one line.
pub fn lines(lines: Vec<Line<'_>>) -> Vec<Line<'_>> {
    lines.into_iter().map(line).collect()
}

pub fn line(mut line: Line<'_>) -> Line<'_> {
    for span in &mut line.spans {
        if !safe_text::is_safe(&span.content) {
            *span = Span::styled(safe_text::one_line(&span.content).into_owned(), span.style);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unsafe_spans_change() {
        let l = line(Line::from(vec![Span::raw("ok "), Span::raw("a\x1b]0;t\x07b\u{202e}")]));
        let texts: Vec<&str> = l.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, ["ok ", "ab\\u{202e}"]);
    }
}
