//! The one terminfo fact the console needs: how many colours the terminal has (`colors`), read
//! from the compiled entry the way ncurses finds it, so `TERM=xterm` (8), `xterm-256color`
//! (256) and `xterm-direct` (2^24) are told apart by what the system says rather than by the
//! name alone.
use std::path::PathBuf;

/// The legacy format (16-bit numbers) and the extended one (32-bit numbers, ncurses 6.1).
const MAGIC_16: u16 = 0o432;
const MAGIC_32: u16 = 0o1036;
/// `max_colors` is the 14th number of the standard set (term.h order).
const MAX_COLORS: usize = 13;

/// `colors` of `term`: `Some(n)` when its entry is found and parses (`Some(0)` when the entry
/// has no colours), `None` when there is no entry or it does not parse.
pub fn max_colors(term: &str, env: &impl Fn(&str) -> Option<String>) -> Option<u32> {
    // A name that could leave the directory is no terminal name.
    if term.is_empty() || term.contains('/') || term.starts_with('.') {
        return None;
    }
    let first = term.chars().next()?;
    search_dirs(env).into_iter().find_map(|dir| {
        [first.to_string(), format!("{:02x}", first as u32)]
            .iter()
            .find_map(|sub| std::fs::read(dir.join(sub).join(term)).ok())
            .and_then(|bytes| parse_max_colors(&bytes))
    })
}

/// ncurses' order: $TERMINFO, ~/.terminfo, $TERMINFO_DIRS (an empty part means the system
/// dirs), then the system dirs.
fn search_dirs(env: &impl Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    const SYSTEM: [&str; 4] =
        ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"];
    let mut dirs = Vec::new();
    if let Some(d) = env("TERMINFO").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(d));
    }
    if let Some(home) = env("HOME").filter(|h| !h.is_empty()) {
        dirs.push(PathBuf::from(home).join(".terminfo"));
    }
    if let Some(list) = env("TERMINFO_DIRS") {
        for part in list.split(':') {
            if part.is_empty() {
                dirs.extend(SYSTEM.iter().map(PathBuf::from));
            } else {
                dirs.push(PathBuf::from(part));
            }
        }
    }
    dirs.extend(SYSTEM.iter().map(PathBuf::from));
    dirs
}

/// `colors` from a compiled entry: 0 when absent or cancelled, `None` when the bytes are not
/// an entry.
pub fn parse_max_colors(bytes: &[u8]) -> Option<u32> {
    let short = |i: usize| -> Option<u16> {
        Some(u16::from_le_bytes([*bytes.get(2 * i)?, *bytes.get(2 * i + 1)?]))
    };
    let magic = short(0)?;
    let width = match magic {
        MAGIC_16 => 2,
        MAGIC_32 => 4,
        _ => return None,
    };
    let (names, bools, nums) = (short(1)? as usize, short(2)? as usize, short(3)? as usize);
    if nums <= MAX_COLORS {
        return Some(0);
    }
    // The numbers start on an even offset after the header, names and booleans.
    let mut at = 12 + names + bools;
    at += at % 2;
    let at = at + MAX_COLORS * width;
    let field = bytes.get(at..at + width)?;
    let value = if width == 2 {
        i16::from_le_bytes([field[0], field[1]]) as i32
    } else {
        i32::from_le_bytes([field[0], field[1], field[2], field[3]])
    };
    Some(value.max(0) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compiled entry with `colors` as its 14th number (and `nums` numbers in all).
    fn entry(magic: u16, colors: i32, nums: usize, names: &str) -> Vec<u8> {
        let width = if magic == MAGIC_16 { 2 } else { 4 };
        let mut b = Vec::new();
        let names = format!("{names}\0");
        let bools = 3; // odd with the names below, so the padding byte is exercised
        for v in [magic, names.len() as u16, bools, nums as u16, 0, 0] {
            b.extend(v.to_le_bytes());
        }
        b.extend(names.as_bytes());
        b.extend(std::iter::repeat_n(1, bools as usize));
        if b.len() % 2 == 1 {
            b.push(0);
        }
        for i in 0..nums {
            let v = if i == MAX_COLORS { colors } else { 80 };
            if width == 2 {
                b.extend((v as i16).to_le_bytes());
            } else {
                b.extend(v.to_le_bytes());
            }
        }
        b
    }

    #[test]
    fn reads_colors_in_both_formats() {
        assert_eq!(parse_max_colors(&entry(MAGIC_16, 8, 15, "xterm|xterm terminal")), Some(8));
        assert_eq!(parse_max_colors(&entry(MAGIC_16, 256, 15, "xterm-256colo")), Some(256));
        assert_eq!(parse_max_colors(&entry(MAGIC_32, 1 << 24, 15, "xterm-direct")), Some(1 << 24));
    }

    #[test]
    fn absent_cancelled_or_short_tables_mean_no_colours() {
        assert_eq!(parse_max_colors(&entry(MAGIC_16, -1, 15, "vt100")), Some(0));
        assert_eq!(parse_max_colors(&entry(MAGIC_16, -2, 15, "vt100")), Some(0));
        assert_eq!(parse_max_colors(&entry(MAGIC_16, 8, 5, "dumb")), Some(0));
    }

    #[test]
    fn garbage_is_not_an_entry() {
        assert_eq!(parse_max_colors(b""), None);
        assert_eq!(parse_max_colors(b"#!/bin/sh\n"), None);
        let mut cut = entry(MAGIC_16, 8, 15, "xterm");
        cut.truncate(cut.len() - 6);
        assert_eq!(parse_max_colors(&cut), None);
    }

    #[test]
    fn finds_entries_in_terminfo_and_refuses_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("o")).unwrap();
        std::fs::write(dir.path().join("o/okg-test-term"), entry(MAGIC_16, 16, 15, "x")).unwrap();
        // The hashed layout some systems use (macOS): the first letter's hex code.
        std::fs::create_dir_all(dir.path().join("71")).unwrap();
        std::fs::write(dir.path().join("71/q-term"), entry(MAGIC_16, 256, 15, "q")).unwrap();
        let d = dir.path().display().to_string();
        let env = move |k: &str| (k == "TERMINFO").then(|| d.clone());
        assert_eq!(max_colors("okg-test-term", &env), Some(16));
        assert_eq!(max_colors("q-term", &env), Some(256));
        assert_eq!(max_colors("no-such-terminal-okg", &env), None);
        assert_eq!(max_colors("../o/okg-test-term", &env), None);
    }
}
