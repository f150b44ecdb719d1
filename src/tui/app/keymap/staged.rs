//! A staged rollout's keys: its timeline (`o`), the question it asks, the form that starts a
//! run and its pre-flight. A section of their own.
use crossterm::event::{KeyCode, KeyModifiers};

use super::bindings::on;
use super::{Action, Binding, Context, Section};
use KeyCode::Char;

const N: KeyModifiers = KeyModifiers::NONE;
const BT: KeyModifiers = KeyModifiers::SHIFT;
const STAGED: &[Context] = &[Context::Staged];
const STAGED_CONFIRM: &[Context] = &[Context::StagedConfirm];
const STAGED_FORM: &[Context] = &[Context::StagedForm];
const STAGED_PREFLIGHT: &[Context] = &[Context::StagedPreflight];

pub static STAGED_BINDINGS: &[Binding] = &[
    on(
        Section::Staged,
        STAGED,
        &[(KeyCode::Down, N), (Char('j'), N)],
        Action::Down,
        "scroll down",
        "↑↓ scroll",
    ),
    on(Section::Staged, STAGED, &[(KeyCode::Up, N), (Char('k'), N)], Action::Up, "scroll up", ""),
    on(
        Section::Staged,
        STAGED,
        &[(Char('p'), N)],
        Action::PauseResume,
        "pause the run (rollingUpdate.paused too), or resume a paused or failed one; asks first",
        "p pause/resume",
    ),
    on(
        Section::Staged,
        STAGED,
        &[(Char('c'), N)],
        Action::DriveOn,
        "drive the run on, stage by stage; asks first",
        "c drive",
    ),
    on(
        Section::Staged,
        STAGED,
        &[(Char('x'), N)],
        Action::StopDrive,
        "stop driving (the record keeps the stage)",
        "x stop",
    ),
    on(
        Section::Staged,
        STAGED,
        &[(Char('u'), N)],
        Action::Rollback,
        "undo the run: template, partition, priorities",
        "u undo",
    ),
    on(
        Section::Staged,
        STAGED,
        &[(KeyCode::Esc, N), (Char('q'), N)],
        Action::Back,
        "back to the table (a drive goes on: o)",
        "esc back",
    ),
    on(
        Section::Staged,
        STAGED_CONFIRM,
        &[(Char('y'), N)],
        Action::Accept,
        "send it (any other key: not sent)",
        "y send · any other key: no",
    ),
    on(
        Section::Staged,
        STAGED_FORM,
        &[(KeyCode::Tab, N), (KeyCode::Down, N)],
        Action::NextField,
        "new run: next field",
        "tab next",
    ),
    on(
        Section::Staged,
        STAGED_FORM,
        &[(KeyCode::BackTab, BT), (KeyCode::Up, N)],
        Action::PrevField,
        "new run: previous field",
        "",
    ),
    on(
        Section::Staged,
        STAGED_FORM,
        &[(Char(' '), N)],
        Action::Toggle,
        "new run: switch auto-rollback / Allocated",
        "space yes/no",
    ),
    on(
        Section::Staged,
        STAGED_FORM,
        &[(KeyCode::Enter, N)],
        Action::Submit,
        "new run: plan stage 1 (sends nothing)",
        "enter plan",
    ),
    on(
        Section::Staged,
        STAGED_FORM,
        &[(KeyCode::Esc, N)],
        Action::Cancel,
        "new run: cancel",
        "esc cancel",
    ),
    on(
        Section::Staged,
        STAGED_PREFLIGHT,
        &[(KeyCode::Enter, N), (Char('y'), N)],
        Action::Apply,
        "pre-flight: send, then drive the run",
        "enter/y send",
    ),
    on(
        Section::Staged,
        STAGED_PREFLIGHT,
        &[(KeyCode::Down, N), (Char('j'), N)],
        Action::Down,
        "pre-flight: scroll down",
        "↑↓ scroll",
    ),
    on(
        Section::Staged,
        STAGED_PREFLIGHT,
        &[(KeyCode::Up, N), (Char('k'), N)],
        Action::Up,
        "pre-flight: scroll up",
        "",
    ),
    on(
        Section::Staged,
        STAGED_PREFLIGHT,
        &[(KeyCode::Esc, N)],
        Action::Back,
        "pre-flight: back (nothing sent)",
        "esc back",
    ),
];
