//! Themes: palettes of semantic slots read from TOML. Built-in themes are embedded so the binary
//! works from anywhere; a user theme in `config_dir()/themes/NAME.toml` wins over a built-in of
//! the same name. `NO_COLOR` forces monochrome; terminals without 256 or true colours get colours
//! mapped to the 16 ANSI ones.
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../../themes/dark.toml")),
    ("light", include_str!("../../../themes/light.toml")),
    ("high-contrast", include_str!("../../../themes/high-contrast.toml")),
    ("monochrome", include_str!("../../../themes/monochrome.toml")),
];

pub const DEFAULT: &str = "dark";

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub header: Style,
    pub title: Style,
    pub border: Style,
    pub accent: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    pub selection: Style,
    pub mark: Style,
    pub group: Style,
    pub changed: Style,
    pub readonly: Style,
    /// Use ASCII stand-ins for symbols (▾ ● → …) when the terminal cannot show Unicode.
    pub ascii: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SlotFile {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
}

#[derive(Deserialize)]
struct ThemeFile {
    name: Option<String>,
    slots: BTreeMap<String, SlotFile>,
}

/// How many colours the terminal shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorDepth {
    None,
    Ansi16,
    Ansi256,
    TrueColor,
}

impl ColorDepth {
    /// From the environment and the terminfo entry of `TERM`: `NO_COLOR` wins; `COLORTERM`
    /// saying truecolor/24bit is believed (terminfo rarely says so); then the entry's `colors`
    /// (xterm: 8, xterm-256color: 256, xterm-direct: 2^24); with no entry, the name.
    pub fn detect(get: impl Fn(&str) -> Option<String>) -> Self {
        let term = get("TERM").unwrap_or_default();
        let colors = super::terminfo::max_colors(&term, &get);
        Self::decide(&get, colors)
    }

    /// [`ColorDepth::detect`] with the terminfo `colors` already looked up.
    pub fn decide(get: impl Fn(&str) -> Option<String>, colors: Option<u32>) -> Self {
        if get("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return ColorDepth::None;
        }
        let colorterm = get("COLORTERM").unwrap_or_default();
        if colorterm == "truecolor" || colorterm == "24bit" {
            return ColorDepth::TrueColor;
        }
        let term = get("TERM").unwrap_or_default();
        if term == "dumb" {
            return ColorDepth::None;
        }
        match colors {
            Some(n) if n >= 1 << 24 => ColorDepth::TrueColor,
            Some(n) if n >= 256 => ColorDepth::Ansi256,
            Some(n) if n >= 8 => ColorDepth::Ansi16,
            Some(_) => ColorDepth::None,
            None if term.contains("direct") => ColorDepth::TrueColor,
            None if term.contains("256color") => ColorDepth::Ansi256,
            None => ColorDepth::Ansi16,
        }
    }
}

fn parse_slot(name: &str, s: &SlotFile) -> Result<Style, String> {
    let color = |c: &Option<String>| -> Result<Option<Color>, String> {
        c.as_deref()
            .map(|v| Color::from_str(v).map_err(|_| format!("slot {name}: unknown colour \"{v}\"")))
            .transpose()
    };
    let mut style = Style::default();
    if let Some(fg) = color(&s.fg)? {
        style = style.fg(fg);
    }
    if let Some(bg) = color(&s.bg)? {
        style = style.bg(bg);
    }
    for (on, m) in [
        (s.bold, Modifier::BOLD),
        (s.italic, Modifier::ITALIC),
        (s.underline, Modifier::UNDERLINED),
        (s.reversed, Modifier::REVERSED),
    ] {
        if on {
            style = style.add_modifier(m);
        }
    }
    Ok(style)
}

impl Theme {
    /// Parse a theme file. Missing slots fall back to the default theme's.
    pub fn parse(text: &str) -> Result<Theme, String> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let base = if file.name.as_deref() == Some(DEFAULT) {
            None
        } else {
            Some(Theme::builtin(DEFAULT))
        };
        let mut t = match base {
            Some(b) => b,
            None => Theme::blank(),
        };
        if let Some(n) = file.name {
            t.name = n;
        }
        for (slot, s) in &file.slots {
            let style = parse_slot(slot, s)?;
            *t.slot_mut(slot).ok_or_else(|| format!("unknown slot \"{slot}\""))? = style;
        }
        Ok(t)
    }

    fn blank() -> Theme {
        let s = Style::default();
        Theme {
            name: String::new(),
            text: s,
            muted: s,
            header: s,
            title: s,
            border: s,
            accent: s,
            ok: s,
            warn: s,
            error: s,
            selection: s,
            mark: s,
            group: s,
            changed: s,
            readonly: s,
            ascii: false,
        }
    }

    fn slot_mut(&mut self, name: &str) -> Option<&mut Style> {
        Some(match name {
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "header" => &mut self.header,
            "title" => &mut self.title,
            "border" => &mut self.border,
            "accent" => &mut self.accent,
            "ok" => &mut self.ok,
            "warn" => &mut self.warn,
            "error" => &mut self.error,
            "selection" => &mut self.selection,
            "mark" => &mut self.mark,
            "group" => &mut self.group,
            "changed" => &mut self.changed,
            "readonly" => &mut self.readonly,
            _ => return None,
        })
    }

    fn slots_mut(&mut self) -> [&mut Style; 14] {
        [
            &mut self.text,
            &mut self.muted,
            &mut self.header,
            &mut self.title,
            &mut self.border,
            &mut self.accent,
            &mut self.ok,
            &mut self.warn,
            &mut self.error,
            &mut self.selection,
            &mut self.mark,
            &mut self.group,
            &mut self.changed,
            &mut self.readonly,
        ]
    }

    /// A built-in theme by name (panics only if an embedded file is broken, which a test checks).
    pub fn builtin(name: &str) -> Theme {
        let text =
            BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).unwrap_or(BUILTIN[0].1);
        Theme::parse(text).expect("embedded theme parses")
    }

    /// Find a theme: the user's config dir first, then the built-ins.
    pub fn load(name: &str, config_dir: &Path) -> Result<Theme, String> {
        let user = config_dir.join("themes").join(format!("{name}.toml"));
        if user.exists() {
            let text =
                std::fs::read_to_string(&user).map_err(|e| format!("{}: {e}", user.display()))?;
            return Theme::parse(&text).map_err(|e| format!("{}: {e}", user.display()));
        }
        match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => Theme::parse(text),
            None => {
                let known: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                Err(format!(
                    "no theme \"{name}\" (built-in: {}; or put {} in place)",
                    known.join(", "),
                    user.display()
                ))
            }
        }
    }

    /// Adapt to what the terminal can show.
    pub fn for_depth(mut self, depth: ColorDepth) -> Theme {
        if depth == ColorDepth::None {
            let mono = Theme::builtin("monochrome");
            return Theme { name: format!("{} (NO_COLOR)", self.name), ascii: self.ascii, ..mono };
        }
        for s in self.slots_mut() {
            s.fg = s.fg.map(|c| downgrade(c, depth));
            s.bg = s.bg.map(|c| downgrade(c, depth));
        }
        self
    }

    /// The theme the user asked for, adapted to the terminal; errors name the problem.
    pub fn resolve(
        requested: Option<&str>,
        config_dir: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Theme, String> {
        let depth = ColorDepth::detect(&env);
        let mut t = Theme::load(requested.unwrap_or(DEFAULT), config_dir)?;
        let lang =
            env("LC_ALL").or_else(|| env("LC_CTYPE")).or_else(|| env("LANG")).unwrap_or_default();
        t.ascii = !lang.is_empty()
            && !lang.to_uppercase().contains("UTF-8")
            && !lang.to_uppercase().contains("UTF8");
        Ok(t.for_depth(depth))
    }

    /// Symbols, with ASCII stand-ins.
    pub fn sym(&self, unicode: &'static str, ascii: &'static str) -> &'static str {
        if self.ascii { ascii } else { unicode }
    }
}

const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (170, 0, 0)),
    (Color::Green, (0, 170, 0)),
    (Color::Yellow, (170, 85, 0)),
    (Color::Blue, (0, 0, 170)),
    (Color::Magenta, (170, 0, 170)),
    (Color::Cyan, (0, 170, 170)),
    (Color::Gray, (170, 170, 170)),
    (Color::DarkGray, (85, 85, 85)),
    (Color::LightRed, (255, 85, 85)),
    (Color::LightGreen, (85, 255, 85)),
    (Color::LightYellow, (255, 255, 85)),
    (Color::LightBlue, (85, 85, 255)),
    (Color::LightMagenta, (255, 85, 255)),
    (Color::LightCyan, (85, 255, 255)),
    (Color::White, (255, 255, 255)),
];

fn rgb_of_index(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => ANSI16[i as usize].1,
        16..=231 => {
            let i = i - 16;
            let lv = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (lv(i / 36), lv((i / 6) % 6), lv(i % 6))
        }
        _ => {
            let g = 8 + (i - 232) * 10;
            (g, g, g)
        }
    }
}

fn nearest16(rgb: (u8, u8, u8)) -> Color {
    let d = |a: (u8, u8, u8)| {
        let f = |x: u8, y: u8| (x as i32 - y as i32).pow(2);
        f(a.0, rgb.0) + f(a.1, rgb.1) + f(a.2, rgb.2)
    };
    ANSI16.iter().min_by_key(|(_, c)| d(*c)).map(|(c, _)| *c).unwrap_or(Color::Reset)
}

fn nearest256(rgb: (u8, u8, u8)) -> Color {
    let d = |i: u8| {
        let c = rgb_of_index(i);
        let f = |x: u8, y: u8| (x as i32 - y as i32).pow(2);
        f(c.0, rgb.0) + f(c.1, rgb.1) + f(c.2, rgb.2)
    };
    Color::Indexed((16..=255).min_by_key(|i| d(*i)).unwrap_or(16))
}

/// Map a colour to one the terminal has.
pub fn downgrade(c: Color, depth: ColorDepth) -> Color {
    match (c, depth) {
        (Color::Rgb(r, g, b), ColorDepth::Ansi16) => nearest16((r, g, b)),
        (Color::Indexed(i), ColorDepth::Ansi16) => nearest16(rgb_of_index(i)),
        (Color::Rgb(r, g, b), ColorDepth::Ansi256) => nearest256((r, g, b)),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_and_differ() {
        let themes: Vec<Theme> = BUILTIN.iter().map(|(_, t)| Theme::parse(t).unwrap()).collect();
        for (i, a) in themes.iter().enumerate() {
            for b in &themes[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(Theme::builtin("light").name, "light");
    }

    #[test]
    fn no_color_is_monochrome_and_16_colours_have_no_rgb() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let dir = std::path::Path::new("/nonexistent");
        let t = Theme::resolve(None, dir, env(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")]))
            .unwrap();
        assert!(t.ok.fg.is_none() && t.selection.bg.is_none());
        let t = Theme::resolve(None, dir, env(&[("TERM", "xterm")])).unwrap();
        for s in [t.ok, t.text, t.selection, t.title] {
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{c:?}");
            }
        }
        let t = Theme::resolve(None, dir, env(&[("TERM", "xterm-256color")])).unwrap();
        assert!(matches!(t.ok.fg, Some(Color::Indexed(_))));
        assert!(Theme::resolve(Some("nope"), dir, env(&[])).is_err());
    }

    #[test]
    fn depth_from_no_color_colorterm_and_terminfo() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        use ColorDepth::*;
        // NO_COLOR wins over everything, COLORTERM over terminfo.
        assert_eq!(
            ColorDepth::decide(env(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")]), Some(256)),
            None
        );
        assert_eq!(
            ColorDepth::decide(env(&[("TERM", "xterm"), ("COLORTERM", "24bit")]), Some(8)),
            TrueColor
        );
        assert_eq!(ColorDepth::decide(env(&[("TERM", "xterm")]), Some(8)), Ansi16);
        assert_eq!(ColorDepth::decide(env(&[("TERM", "xterm-16color")]), Some(16)), Ansi16);
        assert_eq!(ColorDepth::decide(env(&[("TERM", "xterm-256color")]), Some(256)), Ansi256);
        assert_eq!(ColorDepth::decide(env(&[("TERM", "xterm-direct")]), Some(1 << 24)), TrueColor);
        assert_eq!(ColorDepth::decide(env(&[("TERM", "vt100")]), Some(0)), None);
        assert_eq!(ColorDepth::decide(env(&[("TERM", "dumb")]), Some(8)), None);
        // Terminfo beats the name; without an entry the name decides.
        assert_eq!(ColorDepth::decide(env(&[("TERM", "odd-256color")]), Some(8)), Ansi16);
        assert_eq!(ColorDepth::decide(env(&[("TERM", "odd-256color")]), Option::None), Ansi256);
        assert_eq!(ColorDepth::decide(env(&[("TERM", "odd")]), Option::None), Ansi16);
    }

    #[test]
    fn user_theme_overrides() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes")).unwrap();
        std::fs::write(
            dir.path().join("themes/mine.toml"),
            "name='mine'\n[slots]\nok = { fg = 'blue' }\n",
        )
        .unwrap();
        let t = Theme::load("mine", dir.path()).unwrap();
        assert_eq!(t.ok.fg, Some(Color::Blue));
        // Unset slots come from the default theme.
        assert_eq!(t.error, Theme::builtin("dark").error);
        std::fs::write(dir.path().join("themes/bad.toml"), "[slots]\nnope = {}\n").unwrap();
        assert!(Theme::load("bad", dir.path()).is_err());
    }
}
