//! The YAML (`y`) and describe (`d`) screen's keys, and the table's keys that open it: a
//! section of their own. Moving (↑↓ PgUp PgDn Home End j k G) and `?` are the shared ones.
use crossterm::event::{KeyCode, KeyModifiers};

use super::bindings::on;
use super::{Action, Binding, Context, Section};
use KeyCode::Char;

const N: KeyModifiers = KeyModifiers::NONE;
const S: KeyModifiers = KeyModifiers::SHIFT;
const MAIN: &[Context] = &[Context::Main];
const OBJECT: &[Context] = &[Context::Object];

pub static OBJECT_BINDINGS: &[Binding] = &[
    // Not on the table's hint line, which is full at 80 columns: help lists them.
    on(
        Section::Object,
        MAIN,
        &[(Char('y'), N)],
        Action::Yaml,
        "YAML of the row's GameServer (a header: the set)",
        "",
    ),
    on(
        Section::Object,
        MAIN,
        &[(Char('d'), N)],
        Action::Describe,
        "describe it, with its and its set's events",
        "",
    ),
    on(Section::Object, OBJECT, &[(Char('y'), N)], Action::Yaml, "screen: the YAML page", "y yaml"),
    on(
        Section::Object,
        OBJECT,
        &[(Char('d'), N)],
        Action::Describe,
        "screen: the describe page",
        "d describe",
    ),
    on(
        Section::Object,
        OBJECT,
        &[(KeyCode::Tab, N)],
        Action::TabNext,
        "GameServer ⇄ Pod, set ⇄ Advanced StatefulSet",
        "tab pod/set",
    ),
    on(
        Section::Object,
        OBJECT,
        &[(Char('/'), N)],
        Action::Search,
        "search (empty clears)",
        "/ search",
    ),
    on(
        Section::Object,
        OBJECT,
        &[(Char('n'), N)],
        Action::SearchNext,
        "next match",
        "n/N next/prev",
    ),
    on(
        Section::Object,
        OBJECT,
        &[(Char('N'), S), (Char('N'), N)],
        Action::SearchPrev,
        "previous match",
        "",
    ),
    on(Section::Object, OBJECT, &[(Char('w'), N)], Action::Wrap, "wrap long lines", ""),
    on(
        Section::Object,
        OBJECT,
        &[(Char('c'), N)],
        Action::Copy,
        "copy the whole text to the clipboard (OSC 52)",
        "c copy",
    ),
    on(
        Section::Object,
        OBJECT,
        &[(KeyCode::Esc, N), (Char('q'), N)],
        Action::Back,
        "back to the table, on the same row",
        "esc back",
    ),
];
