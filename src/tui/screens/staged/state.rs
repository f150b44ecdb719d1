//! The staged-rollout screen, pure: scrolling, `p` asks to pause (or resume) and `y` sends it.
use crossterm::event::KeyEvent;

use crate::ops::staged_task::{StagedCmd, StagedReply};
use crate::tui::app::keymap::{self, Action, Context};
use crate::tui::app::msg::Cmd;
use crate::tui::app::state::{DialogCtx, DialogOutcome};
use crate::tui::app::store::SetKey;
use okg_domain::staged_rollout::RolloutState;

pub struct StagedScreen {
    pub set: SetKey,
    pub scroll: u16,
    /// Asked and not yet answered: pause (`true`) or resume.
    pub asking: Option<bool>,
    /// The last answer of the shell, or why `p` does nothing.
    pub status: Option<String>,
    /// Why this session may not write (read-only, RBAC), checked when the screen opened.
    pub cannot_write: Option<String>,
    pub request: u64,
}

impl StagedScreen {
    pub fn new(set: SetKey, cannot_write: Option<String>) -> Self {
        Self { set, scroll: 0, asking: None, status: None, cannot_write, request: 0 }
    }

    pub fn context(&self) -> Context {
        if self.asking.is_some() { Context::StagedConfirm } else { Context::Staged }
    }

    pub fn on_key(&mut self, key: KeyEvent, ctx: &DialogCtx) -> DialogOutcome {
        let stay = DialogOutcome::Stay(Vec::new());
        if let Some(paused) = self.asking.take() {
            if keymap::lookup(Context::StagedConfirm, &key) != Some(Action::Accept) {
                self.status = Some("not sent".into());
                return stay;
            }
            self.request += 1;
            self.status = Some(if paused { "pausing…" } else { "resuming…" }.into());
            return DialogOutcome::Stay(vec![Cmd::Staged(StagedCmd::Switch {
                id: self.request,
                namespace: self.set.0.clone(),
                set: self.set.1.clone(),
                paused,
            })]);
        }
        match keymap::lookup(Context::Staged, &key) {
            Some(Action::Back) => DialogOutcome::Close(Vec::new()),
            Some(Action::Up) => {
                self.scroll = self.scroll.saturating_sub(1);
                stay
            }
            Some(Action::Down) => {
                self.scroll = self.scroll.saturating_add(1);
                stay
            }
            Some(Action::PauseResume) => {
                if let Some(why) = &self.cannot_write {
                    self.status = Some(format!("cannot pause or resume: {why}"));
                    return stay;
                }
                let state = ctx.fleet.header(&self.set).rollout.map(|r| r.state);
                self.asking = match state {
                    Some(RolloutState::Running) => Some(true),
                    Some(RolloutState::Paused | RolloutState::Failed) => Some(false),
                    _ => {
                        self.status = Some("the rollout no longer holds this set".into());
                        None
                    }
                };
                stay
            }
            _ => stay,
        }
    }

    pub fn on_msg(&mut self, reply: StagedReply) -> DialogOutcome {
        self.status = Some(match reply.result {
            Ok(done) => done,
            Err(e) => format!("not done: {e}"),
        });
        DialogOutcome::Stay(Vec::new())
    }
}
