//! The logs screen's keys (`l`, `p` open it): a section of their own. Moving (↑↓ PgUp PgDn
//! Home End j k G), `?` and esc are the shared ones.
use crossterm::event::{KeyCode, KeyModifiers};

use super::bindings::on;
use super::{Action, Binding, Context, Section};
use crate::tui::screens::logs::state::Since;
use KeyCode::Char;

const N: KeyModifiers = KeyModifiers::NONE;
const S: KeyModifiers = KeyModifiers::SHIFT;
const C: KeyModifiers = KeyModifiers::CONTROL;
const LOGS: &[Context] = &[Context::Logs];

/// A `sinceSeconds` key (k9s's `2`–`6`).
const fn since(
    keys: &'static [(KeyCode, KeyModifiers)],
    seconds: u32,
    help: &'static str,
) -> Binding {
    on(Section::Logs, LOGS, keys, Action::LogsSince(Since::Seconds(seconds)), help, "")
}

pub static LOGS_BINDINGS: &[Binding] = &[
    on(
        Section::Logs,
        LOGS,
        &[(Char('c'), N)],
        Action::LogsContainer,
        "container: main, sidecars, all (streams reopen)",
        "c container",
    ),
    on(
        Section::Logs,
        LOGS,
        &[(Char('s'), N)],
        Action::Autoscroll,
        "freeze the view / follow again (lines are kept)",
        "s freeze",
    ),
    on(Section::Logs, LOGS, &[(Char('w'), N)], Action::Wrap, "wrap long lines", "w wrap"),
    on(
        Section::Logs,
        LOGS,
        &[(Char('/'), N)],
        Action::Search,
        "search: highlight the matches (empty clears)",
        "/ search",
    ),
    on(
        Section::Logs,
        LOGS,
        &[(Char('n'), N)],
        Action::SearchNext,
        "next match (newer; the first: below the view's bottom)",
        "n/N match",
    ),
    on(
        Section::Logs,
        LOGS,
        &[(Char('N'), S), (Char('N'), N)],
        Action::SearchPrev,
        "previous match (older), round the ends; the view freezes",
        "",
    ),
    on(
        Section::Logs,
        LOGS,
        &[(Char('0'), N)],
        Action::LogsSince(Since::Tail),
        "read again from the tail: the last 200 lines (k9s's 0)",
        "0-6 since",
    ),
    on(
        Section::Logs,
        LOGS,
        &[(Char('1'), N)],
        Action::LogsSince(Since::All),
        "read again from the start (k9s's head; the cap keeps 2000)",
        "",
    ),
    since(&[(Char('2'), N)], 60, "read again: the last minute"),
    since(&[(Char('3'), N)], 300, "read again: the last 5 minutes"),
    since(&[(Char('4'), N)], 900, "read again: the last 15 minutes"),
    since(&[(Char('5'), N)], 1800, "read again: the last 30 minutes"),
    since(&[(Char('6'), N)], 3600, "read again: the last hour"),
    on(
        Section::Logs,
        LOGS,
        &[(Char('s'), C)],
        Action::Save,
        "save the lines shown to a file",
        "ctrl-s save",
    ),
];
