//! The one keymap: it drives key handling and generates the help screen. Each binding carries
//! the screen it works on, its help section and its description.
use KeyCode::Char;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use okg_domain::columns::Column;

const S: KeyModifiers = KeyModifiers::SHIFT;

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
    ClearFilter,
    Logs,
    PreviousLogs,
    Command,
    /// Complete the `:` line's command or name (`tab`).
    Complete,
    /// Sort the table by a column; again: the other way.
    Sort(Column),
    Help,
    Bump,
    Rollout,
    Reload,
    /// Set opsState, a priority or networkDisabled on the marked GameServers (`e`).
    Edit,
    /// An interactive shell in the row's pod (`s`): the screen is left while it runs.
    Shell,
    Back,
    Quit,
    // The screens' own keys.
    Cancel,
    Submit,
    NextField,
    PrevField,
    TabNext,
    ChoosePrev,
    ChooseNext,
    CanaryMore,
    CanaryLess,
    Erase,
    Apply,
    ContinueCanary,
    PauseResume,
    Rollback,
    AbandonCanary,
    ChainReload,
    SwitchMethod,
    Start,
    CancelRun,
    Close,
    Accept,
    LogsContainer,
    /// Read the logs again from another point (`0`–`6`, as k9s).
    LogsSince(crate::tui::screens::logs::state::Since),
    Autoscroll,
    Wrap,
    Search,
    Save,
    /// Drive a staged rollout on from where its record stands (`c` on its timeline).
    DriveOn,
    /// Stop driving it (the record keeps the stage).
    StopDrive,
    /// Switch a yes/no field of a form.
    Toggle,
    /// The YAML / describe screen (`keymap::object`).
    Yaml,
    Describe,
    SearchNext,
    SearchPrev,
    Copy,
}

/// Where a binding applies: the main table, any read-only overlay (detail, help), or a page of
/// a flow's screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Main,
    Overlay,
    /// The bump form: container, image, scope.
    BumpForm,
    /// The bump pre-flight: the plan, RBAC, the effect.
    BumpPreflight,
    /// The rollout view of a bump.
    Rollout,
    ReloadForm,
    /// The reload form's last question: start?
    ReloadConfirm,
    /// The live reload view.
    ReloadRun,
    /// The logs screen (`l`, `p`).
    Logs,
    /// A text prompt at the bottom (`/`, `:`, the logs' search).
    Prompt,
    /// "Quit with operations running?"
    QuitConfirm,
    /// The set-ops form (`e`): field and value.
    EditForm,
    /// Its pre-flight: the patches, send?
    EditConfirm,
    /// Its outcome.
    EditDone,
    /// A staged rollout's timeline (`o`).
    Staged,
    /// "Pause (or resume) it?", "Drive it on?"
    StagedConfirm,
    /// The form that starts a staged rollout (the bump dialog's "staged" scope).
    StagedForm,
    /// Its pre-flight, and an undo's.
    StagedPreflight,
    /// The YAML / describe screen (`y`, `d`).
    Object,
    /// A picker of the `:` line (contexts, namespaces, sets, GameServers, pods).
    Picker,
    /// The shell's container picker (`s`).
    ShellPick,
}

impl Context {
    pub const ALL: [Context; 21] = [
        Context::QuitConfirm,
        Context::Prompt,
        Context::Picker,
        Context::Main,
        Context::Overlay,
        Context::Logs,
        Context::BumpForm,
        Context::BumpPreflight,
        Context::Rollout,
        Context::ReloadForm,
        Context::ReloadConfirm,
        Context::ReloadRun,
        Context::EditForm,
        Context::EditConfirm,
        Context::EditDone,
        Context::Staged,
        Context::StagedConfirm,
        Context::StagedForm,
        Context::StagedPreflight,
        Context::Object,
        Context::ShellPick,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Move,
    Select,
    View,
    Act,
    Sort,
    Bump,
    Rollout,
    Reload,
    Logs,
    Edit,
    Staged,
    Object,
    Command,
    Shell,
}

impl Section {
    pub const ALL: [Section; 14] = [
        Section::Move,
        Section::Select,
        Section::View,
        Section::Act,
        Section::Sort,
        Section::Bump,
        Section::Rollout,
        Section::Reload,
        Section::Logs,
        Section::Edit,
        Section::Staged,
        Section::Object,
        Section::Command,
        Section::Shell,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Section::Move => "Move",
            Section::Select => "Select",
            Section::View => "View",
            Section::Sort => "Sort (within each set; the same key again: the other way)",
            Section::Act => "Act",
            Section::Bump => "Bump dialog (b)",
            Section::Rollout => "Rollout view",
            Section::Reload => "Reload dialog and view (r)",
            Section::Logs => "Logs screen (l, p)",
            Section::Edit => "Edit dialog (e): opsState, priorities, networkDisabled",
            Section::Staged => "Staged rollout (o on a set an okg rollout holds)",
            Section::Object => "YAML and describe (y, d)",
            Section::Command => "Command line (:) and its pickers",
            Section::Shell => "Shell container picker (s on a pod with several containers)",
        }
    }
}

pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub action: Action,
    pub contexts: &'static [Context],
    pub section: Section,
    pub help: &'static str,
    /// The words on the screen's hint line; empty: not on the hint line.
    pub hint: &'static str,
}

mod bindings;
mod command;
mod logs;
mod object;
mod sort;
mod staged;
pub use bindings::{BINDINGS, SCREEN_BINDINGS};
pub use command::COMMAND_BINDINGS;
pub use logs::LOGS_BINDINGS;
pub use object::OBJECT_BINDINGS;
pub use sort::SORT_BINDINGS;
pub use staged::STAGED_BINDINGS;

/// Every binding: the table's and overlays', its sort keys, then the screens'.
pub fn all() -> impl Iterator<Item = &'static Binding> {
    BINDINGS
        .iter()
        .chain(SORT_BINDINGS.iter())
        .chain(OBJECT_BINDINGS.iter())
        .chain(LOGS_BINDINGS.iter())
        .chain(SCREEN_BINDINGS.iter())
        .chain(STAGED_BINDINGS.iter())
        .chain(COMMAND_BINDINGS.iter())
}

/// Whether a key belongs to the text field that has the focus (characters and the editing keys)
/// rather than to the form around it.
pub fn edits_text(key: &KeyEvent) -> bool {
    matches!(
        key.code,
        KeyCode::Char(_)
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Home
            | KeyCode::End
    )
}

/// The hints of a context, from its bindings, for the actions `show` lets through: each is the
/// key as written on screen, then what it does ("b bump").
pub fn hints(context: Context, show: impl Fn(Action) -> bool) -> Vec<(Action, &'static str)> {
    all()
        .filter(|b| b.contexts.contains(&context) && !b.hint.is_empty() && show(b.action))
        .map(|b| (b.action, b.hint))
        .collect()
}

/// The hint line of a context, as one string.
pub fn hint_line(context: Context, show: impl Fn(Action) -> bool) -> String {
    hints(context, show).into_iter().map(|(_, h)| h).collect::<Vec<_>>().join(" · ")
}

/// The action a key means in a context. Shift on a character is ignored for matching, because
/// terminals differ on whether they report it.
pub fn lookup(context: Context, key: &KeyEvent) -> Option<Action> {
    let mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
    all()
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
        KeyCode::BackTab => "shift-tab".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
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
        for b in all().filter(|b| b.section == section) {
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

/// The marks the table draws, for help and docs/keys.md: (Unicode, ASCII, what it says; short
/// enough for the help screen's width). Colour is never the only signal, so each has a symbol,
/// and each symbol is explained here.
pub const MARKS: &[(&str, &str, &str)] = &[
    ("▲ ▼", "^ v", "after a header: sorted by it, up / down"),
    ("●", "*", "before a name: the row is marked"),
    ("→", ">", "after a tag: updating (spec and running differ)"),
    ("*", "*", "after a tag: not the set's template image"),
    ("▾ ▸", "- +", "before a set: unfolded / folded"),
];

/// The key table of docs/keys.md, generated from the bindings.
pub fn markdown() -> String {
    let mut out = String::from(
        "\n### Marks in the table\n\nIMAGES has one slot per container, headed by the container's \
         name; each row's tag for that container sits under it.\n\n| mark | ASCII | says |\n|---|---|---|\n",
    );
    for (mark, ascii, says) in MARKS {
        out.push_str(&format!("| `{mark}` | `{ascii}` | {says} |\n"));
    }
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
mod tests;
