//! The prompts at the bottom: the row filter (a regex, or `-l SELECTOR` for labels as in k9s),
//! the command line, and the logs' search. Opened by `update`, keys in, filters and commands out.
use crossterm::event::KeyEvent;
use regex::RegexBuilder;
use tui_textarea::TextArea;

use super::command;
use super::filter::LabelSelector;
use super::keymap::{self, Action, Context};
use super::msg::Cmd;
use super::state::{Input, InputKind, Overlay, State};
use crate::tui::screens::picker::state::PickKind;

pub(super) fn open_input(state: &mut State, kind: InputKind) -> Vec<Cmd> {
    let current = match kind {
        InputKind::Filter => (state.filter.text.as_ref().map(|r| r.as_str().to_string()))
            .or_else(|| state.filter.labels.as_ref().map(|l| format!("-l {}", l.source))),
        InputKind::Command | InputKind::LogSearch | InputKind::ObjectSearch => None,
    };
    let mut textarea = TextArea::new(vec![current.unwrap_or_default()]);
    textarea.move_cursor(tui_textarea::CursorMove::End);
    state.overlays.push(Overlay::Input(Box::new(Input {
        kind,
        textarea,
        error: None,
        candidates: Vec::new(),
    })));
    // `tab` completes context names from the kubeconfig: read it once, in the shell.
    if kind == InputKind::Command && state.contexts.is_empty() {
        return vec![Cmd::ListChoices(PickKind::Context)];
    }
    Vec::new()
}

/// A search prompt over a screen (the logs', the YAML / describe one), starting from the search
/// in force so it can be edited.
pub(super) fn open_search(state: &mut State, kind: InputKind, current: Option<String>) {
    let mut textarea = TextArea::new(vec![current.unwrap_or_default()]);
    textarea.move_cursor(tui_textarea::CursorMove::End);
    let input = Input { kind, textarea, error: None, candidates: Vec::new() };
    state.overlays.push(Overlay::Input(Box::new(input)));
}

pub(super) fn on_input_key(state: &mut State, mut input: Box<Input>, key: KeyEvent) -> Vec<Cmd> {
    match keymap::lookup(Context::Prompt, &key) {
        Some(Action::Cancel) => Vec::new(),
        Some(Action::Complete) if input.kind == InputKind::Command => {
            let line = input.textarea.lines().join("");
            let done = command::complete(&line, |verb| super::goto::names(state, verb));
            input.textarea = TextArea::new(vec![done.text]);
            input.textarea.move_cursor(tui_textarea::CursorMove::End);
            input.candidates = done.candidates;
            input.error = None;
            state.overlays.push(Overlay::Input(input));
            Vec::new()
        }
        Some(Action::Complete) => {
            state.overlays.push(Overlay::Input(input));
            Vec::new()
        }
        Some(Action::Accept) => {
            let text = input.textarea.lines().join("").trim().to_string();
            match submit_input(state, input.kind, &text) {
                Ok(cmds) => cmds,
                Err(e) => {
                    input.error = Some(e);
                    state.overlays.push(Overlay::Input(input));
                    Vec::new()
                }
            }
        }
        _ => {
            input.textarea.input(key);
            input.error = None;
            input.candidates.clear();
            state.overlays.push(Overlay::Input(input));
            Vec::new()
        }
    }
}

fn submit_input(state: &mut State, kind: InputKind, text: &str) -> Result<Vec<Cmd>, String> {
    match kind {
        // `-l SELECTOR` sets the label filter, as in k9s; the text filter stays.
        InputKind::Filter if label_arg(text).is_some() => {
            let sel = label_arg(text).unwrap_or_default();
            state.filter.labels = if sel.is_empty() {
                None
            } else {
                let parsed = LabelSelector::parse(sel);
                Some(parsed.map_err(|e| format!("-l {sel}: not a label selector: {e}"))?)
            };
            state.rebuild_view();
            Ok(Vec::new())
        }
        InputKind::Filter => {
            state.filter.text = if text.is_empty() {
                None
            } else {
                // Case-insensitive: operators type "ready", states say "Ready".
                let re = RegexBuilder::new(text).case_insensitive(true).build();
                Some(re.map_err(|e| format!("not a regex: {e}"))?)
            };
            state.rebuild_view();
            Ok(Vec::new())
        }
        InputKind::Command => run_command(state, text),
        InputKind::LogSearch => {
            super::logs::set_search(state, text);
            Ok(Vec::new())
        }
        InputKind::ObjectSearch => {
            super::object::set_search(state, text);
            Ok(Vec::new())
        }
    }
}

/// The selector of a filter typed as `-l SELECTOR` (`-l` alone: none, clearing it).
fn label_arg(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("-l")?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then(|| rest.trim())
}

fn run_command(state: &mut State, text: &str) -> Result<Vec<Cmd>, String> {
    super::goto::run(state, text)
}
