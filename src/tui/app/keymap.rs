//! The one keymap: it drives key handling and generates the help screen. Each binding carries
//! the screen it works on, its help section and its description.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    ToggleMark,
    MarkGroup,
    Visual,
    MarkMatching,
    ClearMarks,
    ToggleFold,
    FoldAll,
    Detail,
    Filter,
    LabelFilter,
    ClearFilter,
    Command,
    Help,
    Bump,
    Rollout,
    Reload,
    Back,
    Quit,
}

/// Where a binding applies: the main table, or any overlay screen (detail, help).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Main,
    Overlay,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Move,
    Select,
    View,
    Act,
}

impl Section {
    pub const ALL: [Section; 4] = [Section::Move, Section::Select, Section::View, Section::Act];
    pub fn title(self) -> &'static str {
        match self {
            Section::Move => "Move",
            Section::Select => "Select",
            Section::View => "View",
            Section::Act => "Act",
        }
    }
}

pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub action: Action,
    pub contexts: &'static [Context],
    pub section: Section,
    pub help: &'static str,
}

const N: KeyModifiers = KeyModifiers::NONE;
const S: KeyModifiers = KeyModifiers::SHIFT;
const C: KeyModifiers = KeyModifiers::CONTROL;
const MAIN: &[Context] = &[Context::Main];
const ANY: &[Context] = &[Context::Main, Context::Overlay];

use KeyCode::Char;

pub static BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Up, N), (Char('k'), N)],
        action: Action::Up,
        contexts: ANY,
        section: Section::Move,
        help: "move up",
    },
    Binding {
        keys: &[(KeyCode::Down, N), (Char('j'), N)],
        action: Action::Down,
        contexts: ANY,
        section: Section::Move,
        help: "move down",
    },
    Binding {
        keys: &[(KeyCode::PageUp, N), (Char('b'), C)],
        action: Action::PageUp,
        contexts: ANY,
        section: Section::Move,
        help: "page up",
    },
    Binding {
        keys: &[(KeyCode::PageDown, N), (Char('f'), C)],
        action: Action::PageDown,
        contexts: ANY,
        section: Section::Move,
        help: "page down",
    },
    Binding {
        keys: &[(KeyCode::Home, N)],
        action: Action::Top,
        contexts: ANY,
        section: Section::Move,
        help: "first row",
    },
    Binding {
        keys: &[(KeyCode::End, N), (Char('G'), S), (Char('G'), N)],
        action: Action::Bottom,
        contexts: ANY,
        section: Section::Move,
        help: "last row",
    },
    Binding {
        keys: &[(Char(' '), N)],
        action: Action::ToggleMark,
        contexts: MAIN,
        section: Section::Select,
        help: "mark / unmark the row (a header: its set)",
    },
    Binding {
        keys: &[(Char('g'), N)],
        action: Action::MarkGroup,
        contexts: MAIN,
        section: Section::Select,
        help: "mark / unmark the whole set",
    },
    Binding {
        keys: &[(Char('V'), S), (Char('V'), N), (Char('v'), N)],
        action: Action::Visual,
        contexts: MAIN,
        section: Section::Select,
        help: "range: start, move, press again to mark",
    },
    Binding {
        keys: &[(Char('*'), N), (Char('*'), S)],
        action: Action::MarkMatching,
        contexts: MAIN,
        section: Section::Select,
        help: "mark every row the filter shows",
    },
    Binding {
        keys: &[(KeyCode::Esc, N)],
        action: Action::ClearMarks,
        contexts: MAIN,
        section: Section::Select,
        help: "cancel range, else clear marks",
    },
    Binding {
        keys: &[(KeyCode::Tab, N), (Char('z'), N)],
        action: Action::ToggleFold,
        contexts: MAIN,
        section: Section::View,
        help: "fold / unfold the set",
    },
    Binding {
        keys: &[(Char('Z'), S), (Char('Z'), N)],
        action: Action::FoldAll,
        contexts: MAIN,
        section: Section::View,
        help: "fold / unfold every set",
    },
    Binding {
        keys: &[(KeyCode::Enter, N)],
        action: Action::Detail,
        contexts: MAIN,
        section: Section::View,
        help: "detail of the row (a header: fold)",
    },
    Binding {
        keys: &[(Char('/'), N)],
        action: Action::Filter,
        contexts: MAIN,
        section: Section::View,
        help: "filter: regex over name, state, ops, image",
    },
    Binding {
        keys: &[(Char('l'), N)],
        action: Action::LabelFilter,
        contexts: MAIN,
        section: Section::View,
        help: "filter: label selector (app=x,tier in (a,b))",
    },
    Binding {
        keys: &[(Char('x'), N)],
        action: Action::ClearFilter,
        contexts: MAIN,
        section: Section::View,
        help: "clear both filters",
    },
    Binding {
        keys: &[(Char(':'), N), (Char(':'), S)],
        action: Action::Command,
        contexts: MAIN,
        section: Section::View,
        help: "command: ns NAME | ns all | ctx NAME | q",
    },
    Binding {
        keys: &[(Char('?'), N), (Char('?'), S)],
        action: Action::Help,
        contexts: ANY,
        section: Section::View,
        help: "this help",
    },
    Binding {
        keys: &[(Char('b'), N)],
        action: Action::Bump,
        contexts: MAIN,
        section: Section::Act,
        help: "bump an image (marked rows, else the set)",
    },
    Binding {
        keys: &[(Char('o'), N)],
        action: Action::Rollout,
        contexts: MAIN,
        section: Section::Act,
        help: "show the rollout being followed again (after esc)",
    },
    Binding {
        keys: &[(Char('r'), N)],
        action: Action::Reload,
        contexts: MAIN,
        section: Section::Act,
        help: "reload marked rows (else cursor row or set)",
    },
    Binding {
        keys: &[(KeyCode::Esc, N), (Char('q'), N), (KeyCode::Backspace, N)],
        action: Action::Back,
        contexts: &[Context::Overlay],
        section: Section::View,
        help: "close the detail or help",
    },
    Binding {
        keys: &[(Char('q'), N), (Char('c'), C)],
        action: Action::Quit,
        contexts: MAIN,
        section: Section::Act,
        help: "quit",
    },
];

/// The action a key means in a context. Shift on a character is ignored for matching, because
/// terminals differ on whether they report it.
pub fn lookup(context: Context, key: &KeyEvent) -> Option<Action> {
    let mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
    BINDINGS
        .iter()
        .filter(|b| b.contexts.contains(&context))
        .find(|b| {
            b.keys.iter().any(|(code, m)| {
                *code == key.code
                    && (*m == mods || (matches!(code, Char(_)) && m.is_empty() && mods == S))
            })
        })
        .map(|b| b.action)
}

/// How a key is written in help and hints.
pub fn key_name(code: KeyCode, mods: KeyModifiers) -> String {
    let base = match code {
        Char(' ') => "space".to_string(),
        Char(c) => c.to_string(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Enter => "enter".into(),
        KeyCode::Esc => "esc".into(),
        KeyCode::Tab => "tab".into(),
        KeyCode::Backspace => "bksp".into(),
        other => format!("{other:?}"),
    };
    if mods.contains(KeyModifiers::CONTROL) { format!("ctrl-{base}") } else { base }
}

/// Help lines per section: ("keys", "description"). Duplicated spellings (shift variants) are
/// listed once.
pub fn help_entries() -> Vec<(Section, String, &'static str)> {
    let mut out = Vec::new();
    for section in Section::ALL {
        for b in BINDINGS.iter().filter(|b| b.section == section) {
            let mut names: Vec<String> = Vec::new();
            for (c, m) in b.keys {
                let n = key_name(*c, *m);
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            out.push((section, names.join(" "), b.help));
        }
    }
    out
}

/// The key table of docs/keys.md, generated from the bindings.
pub fn markdown() -> String {
    let mut out = String::new();
    let mut last = None;
    for (section, keys, help) in help_entries() {
        if last != Some(section) {
            out.push_str(&format!("\n### {}\n\n| keys | does |\n|---|---|\n", section.title()));
            last = Some(section);
        }
        let keys: Vec<String> = keys.split(' ').map(|k| format!("`{k}`")).collect();
        out.push_str(&format!("| {} | {} |\n", keys.join(" "), help.replace('|', "\\|")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/keys.md carries the generated table; `OKG_WRITE_DOCS=1 cargo test keys_doc` rewrites it.
    #[test]
    fn keys_doc_matches_the_keymap() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/keys.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        let marker = "<!-- generated from src/tui/app/keymap.rs -->\n";
        let head = doc.split(marker).next().unwrap_or("").to_string();
        let want = format!("{head}{marker}{}", markdown());
        if std::env::var_os("OKG_WRITE_DOCS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        assert_eq!(doc, want, "docs/keys.md is stale: OKG_WRITE_DOCS=1 cargo test keys_doc");
    }

    #[test]
    fn every_action_is_reachable_and_described() {
        use Action::*;
        for a in [
            Up,
            Down,
            PageUp,
            PageDown,
            Top,
            Bottom,
            ToggleMark,
            MarkGroup,
            Visual,
            MarkMatching,
            ClearMarks,
            ToggleFold,
            FoldAll,
            Detail,
            Filter,
            LabelFilter,
            ClearFilter,
            Command,
            Help,
            Bump,
            Rollout,
            Reload,
            Back,
            Quit,
        ] {
            let b = BINDINGS.iter().find(|b| b.action == a).expect("bound");
            assert!(!b.help.is_empty());
            let (code, mods) = b.keys[0];
            let ctx = b.contexts[0];
            assert_eq!(lookup(ctx, &KeyEvent::new(code, mods)), Some(a), "{a:?}");
        }
    }

    #[test]
    fn no_key_means_two_things_in_one_context() {
        for ctx in [Context::Main, Context::Overlay] {
            let mut seen = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.contexts.contains(&ctx)) {
                for k in b.keys {
                    assert!(!seen.contains(k), "{k:?} twice in {ctx:?}");
                    seen.push(*k);
                }
            }
        }
    }
}
