//! A buffer as text, optionally with its styles as spans: for snapshots and for tests that read
//! the screen.
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// The characters of the buffer, one line per row, trailing spaces trimmed.
pub fn plain(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn describe(s: Style) -> String {
    let mut parts = Vec::new();
    if let Some(fg) = s.fg {
        parts.push(format!("fg={fg}"));
    }
    if let Some(bg) = s.bg {
        parts.push(format!("bg={bg}"));
    }
    if !s.add_modifier.is_empty() {
        parts.push(format!("{:?}", s.add_modifier));
    }
    parts.join(",")
}

/// Each row as runs of equal style: `[fg=Green]Ready[]` …, so a snapshot records colours too.
pub fn styled(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut current: Option<String> = None;
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            let d = describe(c.style());
            if current.as_deref() != Some(d.as_str()) {
                line.push_str(&format!("[{d}]"));
                current = Some(d);
            }
            line.push_str(c.symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
