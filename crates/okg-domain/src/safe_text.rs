//! Text that comes from the cluster or from a pod (reload output, event messages, names, labels,
//! images, status reasons, HTTP bodies) made safe to put on a terminal. Whoever writes a
//! container's output must not be able to retitle the operator's terminal, clear it, move the
//! cursor or reorder what they read, so:
//!
//! - escape sequences (CSI `ESC [`, OSC `ESC ]`, DCS `ESC P`, SOS, PM, APC, and the short
//!   `ESC x` forms), introduced by ESC or by their 8-bit C1 forms, are removed whole, payload
//!   included: colour codes in a log vanish instead of turning into noise;
//! - a tab becomes a space (a cell has one width);
//! - every other control character (C0, DEL, C1), a lone ESC, and the bidirectional controls
//!   (embeddings, overrides, isolates, marks), line/paragraph separators and the invisible
//!   characters that join nothing (zero-width space, word joiner, BOM, invisible operators) are
//!   written as a visible escape, `\x0d` or `\u{202e}`, so the operator sees that something was
//!   there: `gs-1` and `gs-\u{200b}1` must not look alike. The zero-width joiner and non-joiner
//!   stay, because emoji and several scripts need them.
//!
//! [`one_line`] also shows a newline as a space, for a table cell or a one-line message;
//! [`lines`] keeps newlines, for multi-line text printed as is. Raw bytes stay available where
//! nothing is drawn: JSON output (escaped by JSON) and files written on request.
use std::borrow::Cow;
use std::fmt::Write as _;

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
/// The 8-bit String Terminator.
const ST: char = '\u{9c}';

/// `s` made safe for one line of a terminal: newlines become spaces.
pub fn one_line(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

/// `s` made safe for a terminal, newlines kept (a lone `\r` is still shown as `\x0d`).
pub fn lines(s: &str) -> Cow<'_, str> {
    clean(s, true)
}

/// Whether `c` can go to a terminal as it is. Printable characters, space and nothing else.
pub fn is_safe_char(c: char) -> bool {
    !(c.is_control() || is_bidi_or_separator(c))
}

/// Whether every character of `s` can go to a terminal as it is.
pub fn is_safe(s: &str) -> bool {
    s.chars().all(is_safe_char)
}

/// The bidirectional formatting characters (Unicode's Bidi_Control), the line and paragraph
/// separators, which some terminals treat as a newline, and the invisible characters with no
/// job in a terminal line, which make two different strings look the same.
fn is_bidi_or_separator(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            | '\u{2028}' | '\u{2029}'
            | '\u{180e}' | '\u{200b}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
    )
}

fn clean(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if is_safe(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => match chars.peek().copied() {
                Some('[') => {
                    chars.next();
                    skip_csi(&mut chars);
                }
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    chars.next();
                    skip_string(&mut chars);
                }
                // nF: intermediates, then a final byte.
                Some('\u{20}'..='\u{2f}') => {
                    while chars.next_if(|c| ('\u{20}'..='\u{2f}').contains(c)).is_some() {}
                    chars.next_if(|c| ('\u{30}'..='\u{7e}').contains(c));
                }
                // Fp, Fe, Fs: one byte (ESC 7, ESC M, ESC c …).
                Some('\u{30}'..='\u{7e}') => {
                    chars.next();
                }
                _ => escape(&mut out, c),
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\t' => out.push(' '),
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push(' '),
            '\r' if chars.peek() == Some(&'\n') => {}
            c if is_safe_char(c) => out.push(c),
            c => escape(&mut out, c),
        }
    }
    Cow::Owned(out)
}

/// The rest of a control sequence: parameter and intermediate bytes, then one final byte. A
/// character that cannot be part of it ends it and is kept.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.next_if(|c| ('\u{20}'..='\u{3f}').contains(c)).is_some() {}
    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
}

/// The rest of a control string (OSC, DCS, SOS, PM, APC): up to and including its terminator,
/// BEL (which xterm accepts for OSC), ESC `\` or the 8-bit ST; unterminated, the rest of the text
/// (a terminal would swallow it too).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | ST => return,
            ESC if chars.peek() == Some(&'\\') => {
                chars.next();
                return;
            }
            _ => {}
        }
    }
}

fn escape(out: &mut String, c: char) {
    let n = c as u32;
    let _ = if n < 0x80 { write!(out, "\\x{n:02x}") } else { write!(out, "\\u{{{n:x}}}") };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_no_control(s: &str) {
        assert!(is_safe(s), "{s:?} still holds a control character");
        assert!(!s.contains(ESC), "{s:?}");
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in ["reloaded scripts from sidecar v2", "gss-2048-0", "ünïcødé ✓ 中文", ""] {
            assert!(matches!(one_line(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
    }

    #[test]
    fn the_reported_title_and_clear_sequences_vanish() {
        let pod_output = "before\x1b]0;pwned by pod\x07middle\x1b[2Jafter";
        let safe = one_line(pod_output);
        assert_eq!(safe, "beforemiddleafter");
        has_no_control(&safe);
    }

    #[test]
    fn csi_sequences_of_every_shape_are_removed() {
        for (raw, want) in [
            ("\x1b[31mred\x1b[0m", "red"),
            ("\x1b[38;5;196mx\x1b[m", "x"),
            ("a\x1b[?1049hb", "ab"),
            ("a\x1b[?25lb", "ab"),
            ("a\x1b[10;20Hb", "ab"),
            ("a\x1b[ qb", "ab"),  // an intermediate byte
            ("a\u{9b}2Jb", "ab"), // the 8-bit CSI
        ] {
            assert_eq!(one_line(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn control_strings_are_removed_with_their_payload() {
        for (raw, want) in [
            ("a\x1b]0;title\x07b", "ab"),   // OSC ended by BEL
            ("a\x1b]2;title\x1b\\b", "ab"), // OSC ended by ST
            ("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"), // a hyperlink
            ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"), // DCS (sixel)
            ("a\x1b_payload\x1b\\b", "ab"), // APC
            ("a\x1b^pm\x1b\\b", "ab"),      // PM
            ("a\x1bXsos\x1b\\b", "ab"),     // SOS
            ("a\u{9d}0;t\u{9c}b", "ab"),    // 8-bit OSC and ST
            ("a\u{90}dcs\u{9c}b", "ab"),    // 8-bit DCS
            ("a\x1b]0;never ends", "a"),    // unterminated: the rest is swallowed
        ] {
            assert_eq!(one_line(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn short_escape_forms_are_removed() {
        for (raw, want) in [
            ("a\x1bcb", "ab"),      // RIS: full reset
            ("a\x1b7b\x1b8", "ab"), // save / restore cursor
            ("a\x1bMb", "ab"),      // reverse index
            ("a\x1b(0b", "ab"),     // nF: designate the line-drawing set
            ("a\x1b#8b", "ab"),     // nF: screen alignment test
        ] {
            assert_eq!(one_line(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn invisible_characters_are_shown_but_joiners_stay() {
        assert_eq!(one_line("gs-\u{200b}1"), "gs-\\u{200b}1");
        assert_eq!(one_line("\u{feff}v2"), "\\u{feff}v2");
        assert_eq!(one_line("a\u{2060}b\u{2063}c"), "a\\u{2060}b\\u{2063}c");
        // A family emoji (ZWJ sequence) and Persian with a ZWNJ are text, not tricks.
        for s in [
            "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}",
            "\u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}",
        ] {
            assert!(matches!(one_line(s), Cow::Borrowed(_)), "{s:?}");
        }
    }

    #[test]
    fn a_lone_escape_is_shown() {
        assert_eq!(one_line("a\x1b"), "a\\x1b");
        assert_eq!(one_line("a\x1b\x1b[1mb"), "a\\x1bb");
        assert_eq!(one_line("a\x1b\u{e9}"), "a\\x1b\u{e9}");
    }

    #[test]
    fn other_controls_are_shown_as_escapes() {
        assert_eq!(
            one_line("bell\x07 cr\r bs\x08 del\x7f nul\0"),
            "bell\\x07 cr\\x0d bs\\x08 del\\x7f nul\\x00"
        );
        assert_eq!(one_line("nel\u{85} ind\u{84} st\u{9c}"), "nel\\u{85} ind\\u{84} st\\u{9c}");
    }

    #[test]
    fn bidi_controls_and_separators_are_shown() {
        // The "Trojan Source" shape: an override that makes the text read backwards.
        let raw = "ok \u{202e}deliaf\u{202c} \u{2066}x\u{2069} \u{200f}\u{061c} a\u{2028}b";
        let safe = one_line(raw);
        assert_eq!(
            safe,
            "ok \\u{202e}deliaf\\u{202c} \\u{2066}x\\u{2069} \\u{200f}\\u{61c} a\\u{2028}b"
        );
        has_no_control(&safe);
    }

    #[test]
    fn tabs_and_newlines() {
        assert_eq!(one_line("a\tb\nc\r\nd"), "a b c d");
        assert_eq!(lines("a\tb\nc\r\nd\re"), "a b\nc\nd\\x0de");
    }

    #[test]
    fn nothing_unsafe_survives_any_mix() {
        // Every control character and every bidi control, alone and as an introducer followed
        // by every ASCII byte: nothing unsafe is left, whatever the combination.
        let specials: Vec<char> = (0u32..0x20)
            .chain(0x7f..0xa0)
            .chain([0x61c, 0x200e, 0x200f, 0x2028, 0x2029])
            .chain(0x202a..=0x202e)
            .chain(0x2066..=0x2069)
            .filter_map(char::from_u32)
            .collect();
        for &a in &specials {
            for b in (0x20u8..0x7f).map(char::from).chain(specials.iter().copied()) {
                let s = format!("x{a}{b}y{a}");
                has_no_control(&one_line(&s));
                let kept = lines(&s);
                assert!(kept.chars().all(|c| c == '\n' || is_safe_char(c)), "{s:?} -> {kept:?}");
            }
        }
    }
}
