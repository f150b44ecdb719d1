//! The `:` line's keys: `tab` completes; and the pickers it opens (`:ctx`, `:ns`, `:gss`, `:gs`,
//! `:pod` without a name), where characters filter and only these keys act.
use crossterm::event::{KeyCode, KeyModifiers};

use super::{Action, Binding, Context, Section};

const N: KeyModifiers = KeyModifiers::NONE;
const PROMPT: &[Context] = &[Context::Prompt];
const PICKER: &[Context] = &[Context::Picker];

pub static COMMAND_BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Tab, N)],
        action: Action::Complete,
        contexts: PROMPT,
        section: Section::Command,
        help: ": line: complete the command, then a name",
        hint: "tab complete",
    },
    Binding {
        keys: &[(KeyCode::Up, N)],
        action: Action::Up,
        contexts: PICKER,
        section: Section::Command,
        help: "picker: previous item",
        hint: "↑↓ choose",
    },
    Binding {
        keys: &[(KeyCode::Down, N)],
        action: Action::Down,
        contexts: PICKER,
        section: Section::Command,
        help: "picker: next item",
        hint: "",
    },
    Binding {
        keys: &[(KeyCode::Backspace, N)],
        action: Action::Erase,
        contexts: PICKER,
        section: Section::Command,
        help: "picker: erase a character of the filter",
        hint: "",
    },
    Binding {
        keys: &[(KeyCode::Enter, N)],
        action: Action::Accept,
        contexts: PICKER,
        section: Section::Command,
        help: "picker: use the item (switch, or jump to it)",
        hint: "enter pick",
    },
    Binding {
        keys: &[(KeyCode::Esc, N)],
        action: Action::Cancel,
        contexts: PICKER,
        section: Section::Command,
        help: "picker: close, nothing changes",
        hint: "esc close · type to filter",
    },
];
