//! The staged-rollout screen, pure. Pages: the start form (opened from the bump dialog's
//! "staged" scope), the pre-flight of a start or an undo, and the run's timeline from its record
//! on the set, with the lines of the drive this console runs. Keys: `c` drives the run on, `x`
//! stops driving, `p` pauses or resumes, `u` undoes; each write is asked first.
use std::collections::VecDeque;

use crossterm::event::KeyEvent;

use super::form::{FormOutcome, StartForm};
use crate::ops::bump::{RolloutStep, Step};
use crate::ops::staged_drive::Ending;
use crate::ops::staged_task::{Confirmed, Planned, StagedBody, StagedCmd, StagedReply};
use crate::tui::app::keymap::{self, Action, Context};
use crate::tui::app::msg::Cmd;
use crate::tui::app::state::{DialogCtx, DialogOutcome};
use crate::tui::app::store::SetKey;
use okg_domain::send_rules;
use okg_domain::staged_rollout::RolloutState;

/// The drive's lines kept for the screen (the audit log has every write).
pub const LOG_LINES: usize = 300;

/// A question the timeline asks before it sends anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// Pause (`true`) or resume.
    Switch(bool),
    /// Drive the run on from where its record stands.
    DriveOn,
}

pub enum Page {
    Start(Box<StartForm>),
    /// Waiting for a plan (reads only).
    Planning(String),
    /// A plan to confirm: a start (applied, then driven) or an undo.
    Preflight(Box<Planned>),
    Timeline,
}

pub struct StagedScreen {
    pub set: SetKey,
    pub page: Page,
    pub scroll: u16,
    pub asking: Option<Ask>,
    /// The last answer of the shell, or why a key does nothing.
    pub status: Option<String>,
    /// Why this session may not write (read-only, RBAC), checked when the screen opened.
    pub cannot_write: Option<String>,
    /// Numbers the requests; replies to older ones are dropped.
    pub request: u64,
    /// The drive this screen started and that has not ended.
    pub drive: Option<u64>,
    /// Its lines, the last `LOG_LINES`.
    pub log: VecDeque<String>,
    /// The drive is an undo's.
    undoing: bool,
}

impl StagedScreen {
    pub fn new(set: SetKey, cannot_write: Option<String>) -> Self {
        Self {
            set,
            page: Page::Timeline,
            scroll: 0,
            asking: None,
            status: None,
            cannot_write,
            request: 0,
            drive: None,
            log: VecDeque::new(),
            undoing: false,
        }
    }

    /// The screen that starts a run of `container` to `image` on `set`.
    pub fn starting(
        set: SetKey,
        container: &str,
        image: &str,
        cannot_write: Option<String>,
    ) -> Self {
        let form = StartForm::new(&set.1, container, image);
        Self { page: Page::Start(Box::new(form)), ..Self::new(set, cannot_write) }
    }

    pub fn context(&self) -> Context {
        match (&self.page, self.asking) {
            (Page::Start(_), _) => Context::StagedForm,
            (Page::Preflight(_), _) => Context::StagedPreflight,
            (_, Some(_)) => Context::StagedConfirm,
            _ => Context::Staged,
        }
    }

    /// Whether a reply numbered `id` is this screen's.
    pub fn owns(&self, id: u64) -> bool {
        id == self.request || self.drive == Some(id)
    }

    pub fn driving(&self) -> bool {
        self.drive.is_some()
    }

    fn next_request(&mut self) -> u64 {
        self.request += 1;
        self.request
    }

    fn cmd(&self, cmd: StagedCmd) -> DialogOutcome {
        DialogOutcome::Stay(vec![Cmd::Staged(cmd)])
    }

    pub fn on_key(&mut self, key: KeyEvent, ctx: &DialogCtx) -> DialogOutcome {
        match std::mem::replace(&mut self.page, Page::Timeline) {
            Page::Start(mut form) => match form.on_key(key) {
                FormOutcome::Stay => {
                    self.page = Page::Start(form);
                    stay()
                }
                FormOutcome::Cancel => DialogOutcome::Close(Vec::new()),
                FormOutcome::Submit(request) => {
                    self.page = Page::Planning("planning the first stage (reads only)…".into());
                    let id = self.next_request();
                    let namespace = self.set.0.clone();
                    self.cmd(StagedCmd::PlanStart { id, namespace, request })
                }
            },
            Page::Planning(words) => {
                // Nothing to do but wait (or leave: the plan is only a read).
                if keymap::lookup(Context::StagedPreflight, &key) == Some(Action::Back) {
                    return DialogOutcome::Close(Vec::new());
                }
                self.page = Page::Planning(words);
                stay()
            }
            Page::Preflight(planned) => self.on_preflight_key(planned, key),
            Page::Timeline => self.on_timeline_key(key, ctx),
        }
    }

    fn on_preflight_key(&mut self, planned: Box<Planned>, key: KeyEvent) -> DialogOutcome {
        match keymap::lookup(Context::StagedPreflight, &key) {
            Some(Action::Back) => {
                self.status = Some("not sent".into());
                stay()
            }
            Some(Action::Up) => {
                self.scroll = self.scroll.saturating_sub(1);
                self.page = Page::Preflight(planned);
                stay()
            }
            Some(Action::Down) => {
                self.scroll = self.scroll.saturating_add(1);
                self.page = Page::Preflight(planned);
                stay()
            }
            Some(Action::Apply) => {
                if let Some(why) = preflight_refusal(&planned, self.cannot_write.as_deref()) {
                    self.status = Some(why);
                    self.page = Page::Preflight(planned);
                    return stay();
                }
                self.scroll = 0;
                self.undoing = matches!(
                    &planned.confirmed.step,
                    Step::Rollout { step, .. } if matches!(**step, RolloutStep::Undo(..))
                );
                self.start_drive(Some(Box::new(planned.confirmed)))
            }
            _ => {
                self.page = Page::Preflight(planned);
                stay()
            }
        }
    }

    fn start_drive(&mut self, first: Option<Box<Confirmed>>) -> DialogOutcome {
        let id = self.next_request();
        self.drive = Some(id);
        self.status = Some("driving the run: the lines below follow it".into());
        let (namespace, set) = (self.set.0.clone(), self.set.1.clone());
        self.cmd(StagedCmd::Drive { id, namespace, set, first })
    }

    fn on_timeline_key(&mut self, key: KeyEvent, ctx: &DialogCtx) -> DialogOutcome {
        if let Some(ask) = self.asking.take() {
            if keymap::lookup(Context::StagedConfirm, &key) != Some(Action::Accept) {
                self.status = Some("not sent".into());
                return stay();
            }
            return match ask {
                Ask::Switch(paused) => {
                    let id = self.next_request();
                    self.status = Some(if paused { "pausing…" } else { "resuming…" }.into());
                    let (namespace, set) = (self.set.0.clone(), self.set.1.clone());
                    self.cmd(StagedCmd::Switch { id, namespace, set, paused })
                }
                Ask::DriveOn => {
                    self.undoing = false;
                    self.start_drive(None)
                }
            };
        }
        let state = ctx.fleet.header(&self.set).rollout.map(|r| r.state);
        let writes = |s: &mut Self| match &s.cannot_write {
            Some(why) => {
                s.status = Some(format!("not available: {why}"));
                false
            }
            None => true,
        };
        match keymap::lookup(Context::Staged, &key) {
            // While this console drives the run, esc only hides the screen: `o` brings it back.
            Some(Action::Back) if self.driving() => DialogOutcome::Park(Vec::new()),
            Some(Action::Back) => DialogOutcome::Close(Vec::new()),
            Some(Action::Up) => {
                self.scroll = self.scroll.saturating_sub(1);
                stay()
            }
            Some(Action::Down) => {
                self.scroll = self.scroll.saturating_add(1);
                stay()
            }
            Some(Action::PauseResume) if writes(self) => {
                self.asking = match state {
                    Some(RolloutState::Running) => Some(Ask::Switch(true)),
                    Some(RolloutState::Paused | RolloutState::Failed) => Some(Ask::Switch(false)),
                    _ => {
                        self.status = Some("the rollout no longer holds this set".into());
                        None
                    }
                };
                stay()
            }
            Some(Action::DriveOn) if writes(self) => {
                match (state, self.driving()) {
                    (_, true) => self.status = Some("this console is driving it already".into()),
                    (Some(RolloutState::Running), false) => self.asking = Some(Ask::DriveOn),
                    (Some(s), false) => {
                        self.status = Some(format!("the run is {}: p resumes it first", s.as_str()))
                    }
                    (None, false) => {
                        self.status = Some("the rollout no longer holds this set".into())
                    }
                }
                stay()
            }
            Some(Action::StopDrive) => match self.drive {
                Some(id) => {
                    self.status = Some("stopping the drive; the record keeps the stage…".into());
                    self.cmd(StagedCmd::StopDrive { id })
                }
                None => {
                    self.status = Some("this console is not driving the run".into());
                    stay()
                }
            },
            Some(Action::Rollback) if writes(self) => {
                self.undoing = false;
                if self.driving() {
                    self.status = Some("x stops the drive first; then u undoes".into());
                    return stay();
                }
                if state.is_none_or(|s| !s.is_open()) {
                    self.status = Some("no open rollout to undo".into());
                    return stay();
                }
                self.page = Page::Planning("planning the undo (reads only)…".into());
                let id = self.next_request();
                let (namespace, set) = (self.set.0.clone(), self.set.1.clone());
                self.cmd(StagedCmd::PlanUndo { id, namespace, set })
            }
            _ => stay(),
        }
    }

    pub fn on_msg(&mut self, reply: StagedReply) -> DialogOutcome {
        match reply.body {
            StagedBody::Switched(r) => {
                self.status = Some(match r {
                    Ok(done) => done,
                    Err(e) => format!("not done: {e}"),
                })
            }
            StagedBody::Planned(Ok(planned)) => {
                self.scroll = 0;
                self.page = Page::Preflight(planned);
            }
            StagedBody::Planned(Err(e)) => {
                self.status = Some(format!("not planned: {e}"));
                // Back where the operator was: the form of a start keeps what was typed.
                if let Page::Planning(_) = self.page {
                    self.page = Page::Timeline;
                }
            }
            StagedBody::Line(line) => {
                if self.log.len() == LOG_LINES {
                    self.log.pop_front();
                }
                self.log.push_back(line);
            }
            StagedBody::Ended(ending) => {
                self.drive = None;
                self.status = Some(match (&ending, self.undoing) {
                    (Ending::Done, true) => {
                        "undone: template, partition and priorities as the run found them".into()
                    }
                    _ => ending_words(&ending),
                });
            }
        }
        stay()
    }
}

fn stay() -> DialogOutcome {
    DialogOutcome::Stay(Vec::new())
}

/// Why the pre-flight's plan may not be sent from here: the send rules `okg rollout` follows
/// (policy, read-only, RBAC), and a stage that re-creates pods, which only the CLI's
/// `--allow-recreate` may send.
fn preflight_refusal(planned: &Planned, cannot_write: Option<&str>) -> Option<String> {
    if let Some(why) = cannot_write {
        return Some(format!("not sent: {why}"));
    }
    let denied = crate::cluster::access::denials(planned.rbac.as_deref().unwrap_or_default());
    let facts = send_rules::Facts {
        read_only: false,
        denied: &denied,
        consent: send_rules::Consent::AllowRecreateFlag(false),
    };
    let plan = &planned.confirmed.plan;
    if let Some(why) = send_rules::refusal(send_rules::Change::Step(plan), &facts) {
        return Some(format!("not sent: {why}"));
    }
    None
}

pub fn ending_words(ending: &Ending) -> String {
    match ending {
        Ending::Done => "done: every stage passed, every raised priority back".into(),
        Ending::Applied => "stage applied".into(),
        Ending::Cancelled => {
            "stopped driving: the record keeps the stage; c judges it and goes on".into()
        }
        Ending::Stopped { outcome, why, .. } => format!("{outcome}: {why}"),
    }
}
