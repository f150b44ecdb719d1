//! The CLI's printing edge. What the commands print holds the cluster's text (names, images,
//! reasons, event messages, pods' output, API error bodies), so every line goes through
//! `okg_domain::safe_text` on its way to the terminal: `outln!`/`errln!` instead of
//! `println!`/`eprintln!`. JSON keeps every byte, escaped: serde_json escapes the C0 controls
//! and [`json_pretty`] the C1 and bidi ones too, so a document is lossless and still safe to
//! `cat`.
use std::io::Write;

use okg_domain::safe_text;
use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// `println!` with the text made safe.
#[macro_export]
macro_rules! outln {
    ($($t:tt)*) => { $crate::commands::print::out(&format!($($t)*), true) };
}

/// `print!` with the text made safe.
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => { $crate::commands::print::out(&format!($($t)*), false) };
}

/// `eprintln!` with the text made safe.
#[macro_export]
macro_rules! errln {
    ($($t:tt)*) => { $crate::commands::print::err(&format!($($t)*), true) };
}

/// `eprint!` with the text made safe.
#[macro_export]
macro_rules! err {
    ($($t:tt)*) => { $crate::commands::print::err(&format!($($t)*), false) };
}

/// Write to stdout; a closed pipe (`okg status | head`) is not an error worth a panic.
pub fn out(text: &str, newline: bool) {
    write_safe(&mut std::io::stdout().lock(), text, newline);
}

/// Text okg generated itself from its own definitions (completion scripts, man pages): no
/// cluster text in it, and shells need it byte for byte, so it skips `safe_text`.
pub fn generated(bytes: &[u8]) {
    let mut w = std::io::stdout().lock();
    let _ = w.write_all(bytes);
    let _ = w.flush();
}

pub fn err(text: &str, newline: bool) {
    write_safe(&mut std::io::stderr().lock(), text, newline);
}

fn write_safe(w: &mut impl Write, text: &str, newline: bool) {
    let _ = w.write_all(safe_text::lines(text).as_bytes());
    if newline {
        let _ = w.write_all(b"\n");
    }
    let _ = w.flush();
}

/// A command's document on stdout, as JSON or YAML. JSON keeps every byte (escaped); YAML is
/// for reading, so it goes through `safe_text` like any other line.
pub fn document<T: Serialize>(value: &T, yaml: bool) {
    let text = if yaml {
        serde_saphyr::to_string(value).map_err(|e| e.to_string())
    } else {
        json_pretty(value).map_err(|e| e.to_string())
    };
    match text {
        Ok(t) => crate::outln!("{}", t.trim_end()),
        Err(e) => crate::errln!("okg: cannot encode the document: {e}"),
    }
}

/// `serde_json::to_string_pretty`, with the characters a terminal acts on that JSON may carry
/// raw (C1 controls, bidi controls, line separators) written as `\uXXXX` escapes.
pub fn json_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SafeFormatter::default());
    value.serialize(&mut ser)?;
    Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
}

#[derive(Default)]
struct SafeFormatter {
    pretty: PrettyFormatter<'static>,
}

impl Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some((i, c)) = rest.char_indices().find(|(_, c)| !safe_text::is_safe_char(*c)) {
            w.write_all(&rest.as_bytes()[..i])?;
            // Every character is_safe_char refuses here is in the BMP.
            write!(w, "\\u{:04x}", c as u32)?;
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

/// Whether the locale asks for UTF-8 (the marks `✓ ✗` instead of `ok`/`FAIL`).
pub fn unicode() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .is_some_and(|s| s.to_uppercase().contains("UTF-8") || s.to_uppercase().contains("UTF8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_every_character_and_escapes_the_dangerous_ones() {
        let raw = "a\x1b]0;t\x07b\u{9b}2J\u{202e}c é";
        let v = serde_json::json!({ "line": raw, "n": [1, 2] });
        let text = json_pretty(&v).unwrap();
        assert!(safe_text::is_safe(&text.replace('\n', "")), "{text}");
        assert!(text.contains("\\u001b") && text.contains("\\u009b") && text.contains("\\u202e"));
        assert!(text.contains("é"), "printable non-ASCII stays as it is: {text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
        assert_eq!(
            text,
            serde_json::to_string_pretty(&v)
                .unwrap()
                .replace('\u{9b}', "\\u009b")
                .replace('\u{202e}', "\\u202e")
        );
    }
}
