//! The terminal backend: crossterm's for everything but drawing the cells, which this module
//! writes itself for two reasons.
//! - **Colour codes the terminal has.** crossterm writes even the 16 ANSI colours as 256-colour
//!   codes (`ESC[38;5;9m`), which a 16-colour terminal (`TERM=xterm`, the Linux console, many
//!   jump hosts) shows wrongly or not at all. Here the 16 colours are `30–37`/`90–97` (and
//!   `40–47`/`100–107` for backgrounds), and 256-colour or RGB codes are only sent when the
//!   theme was adapted to a terminal that has them ([`super::theme::ColorDepth`]).
//! - **Nothing but text reaches the terminal.** The views clean text from the cluster with
//!   `okg_domain::safe_text`; should one miss a path, a control or bidi character still in a
//!   cell is dropped here (ratatui appends zero-width characters such as ESC to the cell before
//!   them), so nothing from a pod can retitle or clear the terminal.
use std::io::{self, Write};

use okg_domain::safe_text;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};

pub struct SafeBackend<W: Write> {
    inner: CrosstermBackend<W>,
}

impl<W: Write> SafeBackend<W> {
    pub fn new(writer: W) -> Self {
        SafeBackend { inner: CrosstermBackend::new(writer) }
    }
}

/// The OSC 52 sequence that puts `text` on the terminal's clipboard ("c"): the text in
/// base64, so nothing in it can act on the terminal; BEL ends it (xterm, kitty, WezTerm, tmux
/// with `set-clipboard on` all take BEL).
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

/// A backend that can put text on the terminal's clipboard (`Cmd::Copy`).
pub trait Clipboard {
    fn copy(&mut self, text: &str) -> io::Result<()>;
}

impl<W: Write> Clipboard for SafeBackend<W> {
    fn copy(&mut self, text: &str) -> io::Result<()> {
        self.inner.write_all(osc52(text).as_bytes())?;
        Write::flush(&mut self.inner)
    }
}

/// Tests draw into a buffer: there is no terminal to copy to.
impl Clipboard for ratatui::backend::TestBackend {
    fn copy(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }
}

/// The SGR parameters for a foreground colour; `None` for the terminal's default.
fn fg_code(c: Color) -> String {
    match c {
        Color::Reset => "39".into(),
        Color::Indexed(i) => format!("38;5;{i}"),
        Color::Rgb(r, g, b) => format!("38;2;{r};{g};{b}"),
        named => ansi16(named).map_or_else(|| "39".into(), |n| n.to_string()),
    }
}

fn bg_code(c: Color) -> String {
    match c {
        Color::Reset => "49".into(),
        Color::Indexed(i) => format!("48;5;{i}"),
        Color::Rgb(r, g, b) => format!("48;2;{r};{g};{b}"),
        named => ansi16(named).map_or_else(|| "49".into(), |n| (n + 10).to_string()),
    }
}

/// The foreground code of one of the 16 named colours.
fn ansi16(c: Color) -> Option<u8> {
    Some(match c {
        Color::Black => 30,
        Color::Red => 31,
        Color::Green => 32,
        Color::Yellow => 33,
        Color::Blue => 34,
        Color::Magenta => 35,
        Color::Cyan => 36,
        Color::Gray => 37,
        Color::DarkGray => 90,
        Color::LightRed => 91,
        Color::LightGreen => 92,
        Color::LightYellow => 93,
        Color::LightBlue => 94,
        Color::LightMagenta => 95,
        Color::LightCyan => 96,
        Color::White => 97,
        _ => return None,
    })
}

const MODIFIERS: [(Modifier, &str); 9] = [
    (Modifier::BOLD, "1"),
    (Modifier::DIM, "2"),
    (Modifier::ITALIC, "3"),
    (Modifier::UNDERLINED, "4"),
    (Modifier::SLOW_BLINK, "5"),
    (Modifier::RAPID_BLINK, "6"),
    (Modifier::REVERSED, "7"),
    (Modifier::HIDDEN, "8"),
    (Modifier::CROSSED_OUT, "9"),
];

/// One SGR sequence setting exactly this style: a reset, the modifiers, the colours.
fn sgr(fg: Color, bg: Color, modifier: Modifier) -> String {
    let mut params = vec!["0".to_string()];
    params.extend(
        MODIFIERS.iter().filter(|(m, _)| modifier.contains(*m)).map(|(_, p)| p.to_string()),
    );
    params.push(fg_code(fg));
    params.push(bg_code(bg));
    format!("\x1b[{}m", params.join(";"))
}

/// Write the cells: cursor moves, a style change only when the style changes, the symbols.
pub fn write_cells<'a>(
    out: &mut impl Write,
    content: impl Iterator<Item = (u16, u16, &'a Cell)>,
) -> io::Result<()> {
    let mut style: Option<(Color, Color, Modifier)> = None;
    let mut last: Option<Position> = None;
    for (x, y, cell) in content {
        if !matches!(last, Some(p) if x == p.x + 1 && y == p.y) {
            write!(out, "\x1b[{};{}H", y + 1, x + 1)?;
        }
        last = Some(Position { x, y });
        let want = (cell.fg, cell.bg, cell.modifier);
        if style != Some(want) {
            out.write_all(sgr(cell.fg, cell.bg, cell.modifier).as_bytes())?;
            style = Some(want);
        }
        let symbol = cell.symbol();
        if safe_text::is_safe(symbol) {
            out.write_all(symbol.as_bytes())?;
        } else {
            let kept: String = symbol.chars().filter(|c| safe_text::is_safe_char(*c)).collect();
            out.write_all(if kept.is_empty() { " " } else { kept.as_str() }.as_bytes())?;
        }
    }
    out.write_all(b"\x1b[0m")
}

impl<W: Write> Backend for SafeBackend<W> {
    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        // CrosstermBackend writes straight through to its writer (`Write` for it is the
        // writer's), so the bytes go where crossterm's own would have.
        write_cells(&mut self.inner, content)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn bytes(buf: &Buffer) -> String {
        let mut out = Vec::new();
        let area = buf.area;
        let cells = (0..area.height)
            .flat_map(|y| (0..area.width).map(move |x| (x, y)))
            .map(|(x, y)| (x, y, &buf[(x, y)]));
        write_cells(&mut out, cells).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn named_colours_are_16_colour_codes() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        buf.set_string(0, 0, "a", Style::default().fg(Color::Red).bg(Color::Blue));
        buf.set_string(1, 0, "b", Style::default().fg(Color::LightGreen).bg(Color::DarkGray));
        buf.set_string(2, 0, "c", Style::default().fg(Color::Indexed(208)));
        buf.set_string(3, 0, "d", Style::default().fg(Color::Rgb(1, 2, 3)));
        let out = bytes(&buf);
        assert!(out.starts_with("\x1b[1;1H\x1b[0;31;44ma\x1b[0;92;100mb"), "{out:?}");
        assert!(out.contains("\x1b[0;38;5;208;49mc\x1b[0;38;2;1;2;3;49md"), "{out:?}");
    }

    #[test]
    fn modifiers_and_cursor_moves() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 3, 2));
        buf.set_string(
            0,
            1,
            "x",
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        );
        let out = bytes(&buf);
        // Row 2 starts with a move; bold (1) and reverse (7) with default colours.
        assert!(out.contains("\x1b[2;1H\x1b[0;1;7;39;49mx"), "{out:?}");
        assert!(out.ends_with("\x1b[0m"), "{out:?}");
    }

    #[test]
    fn osc52_frames_the_text_in_base64() {
        let text = "name: gss-0\n\x1b]0;pwned\x07";
        let seq = osc52(text);
        let b64 = seq.strip_prefix("\x1b]52;c;").and_then(|s| s.strip_suffix('\x07')).unwrap();
        assert!(b64.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)), "{seq:?}");
        use base64::Engine;
        let back = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
        assert_eq!(back, text.as_bytes());
        // What the backend writes to its terminal.
        #[derive(Clone, Default)]
        struct Tty(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Tty {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let tty = Tty::default();
        SafeBackend::new(tty.clone()).copy("hi").unwrap();
        assert_eq!(tty.0.lock().unwrap().as_slice(), b"\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 3, 1));
        buf[(0, 0)].set_symbol("a\x1b");
        buf[(1, 0)].set_symbol("\x07");
        buf[(2, 0)].set_symbol("\u{202e}");
        let out = bytes(&buf);
        let text = out.replace("\x1b[1;1H", "").replace("\x1b[0;39;49m", "").replace("\x1b[0m", "");
        assert_eq!(text, "a  ");
    }
}
