//! The bump dialog, pure: edit (container, image, scope) → pre-flight (the plan, RBAC, the
//! one-line effect, typed confirmation when pods would be re-created) → the rollout view. Keys
//! and `BumpReply` payloads in, `Cmd::Bump` out; `ops::bump_task` does the I/O. Nothing that
//! mutates is asked for before the pre-flight page is confirmed.
use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent};
use tui_textarea::TextArea;

pub use super::choices::default_container;
use super::choices::known_images;
use crate::cluster::access::{ApiAction, Permission, denials};
use crate::ops::bump::Step;
pub use crate::ops::bump_task::{BumpCmd, BumpReply};
use crate::tui::app::keymap::{self, Action, Context};
use crate::tui::app::msg::Cmd;
use crate::tui::app::state::{DialogCtx, DialogOutcome, Opening};
use crate::tui::app::store::{FleetStore, SetKey};
use crate::tui::screens::rollout::state::Rollout;
use okg_domain::bump_plan::{BumpRequest, Plan, PlanKind, Policy, Scope, SwitchPlan};
use okg_domain::fleet::Key;
use okg_domain::image::ImageRef;
use okg_domain::send_rules::{self, Change, Consent, Facts};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Container,
    Image,
    Scope,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    WholeSet,
    Canary,
    Chosen,
    /// The chosen GameServers' overrides removed, their pods back on the template's image.
    ClearChosen,
    /// A staged grey release (`okg rollout`): its own form, opened on enter, takes the stages.
    Staged,
    /// Only the servers in one opsState (`okg bump --only-states`): `ONLY_STATES[i]`.
    OnlyState(usize),
}

/// The opsStates the scope offers alone (idle servers first, as OKG's guidance has it).
pub const ONLY_STATES: [&str; 3] = ["None", "Maintaining", "WaitToBeDeleted"];

/// What the pre-flight page asks to confirm.
#[derive(Clone, Debug)]
pub enum Pending {
    Step { step: Step, plan: Box<Plan> },
    Switch(SwitchPlan),
}

#[derive(Clone, Debug)]
pub struct Confirm {
    pub pending: Pending,
    pub rbac: Option<Vec<(ApiAction, Permission)>>,
    pub scroll: u16,
    /// What was typed for the re-create confirmation.
    pub typed: String,
    /// "changed by someone else since the plan", when this plan replaced a conflicting one.
    pub conflict: Option<String>,
    pub error: Option<String>,
}

pub enum Page {
    Edit,
    /// A task is running; the words say which.
    Busy(String),
    Confirm(Box<Confirm>),
    Rollout,
}

pub struct BumpDialog {
    pub set: SetKey,
    pub replicas: i32,
    /// (container, current template image).
    pub containers: Vec<(String, String)>,
    pub container: usize,
    pub image: TextArea<'static>,
    /// Images of the same repository seen in the cluster, for Tab.
    pub known: Vec<String>,
    pub scope: ScopeKind,
    pub canary: i32,
    /// The focus just moved onto the scope: the first digit typed replaces the canary count (3
    /// over the default 1 gives 3, not 13), as a selected field does in a form.
    canary_fresh: bool,
    /// Marked GameServers of this set (the "chosen" scope).
    pub chosen: Vec<String>,
    pub focus: Field,
    pub error: Option<String>,
    pub page: Page,
    pub rollout: Option<Rollout>,
    /// The plan sent to apply, until the shell says it landed.
    applying: Option<Plan>,
}

fn textarea(text: &str) -> TextArea<'static> {
    let mut t = TextArea::new(vec![text.to_string()]);
    t.move_cursor(tui_textarea::CursorMove::End);
    t
}

impl BumpDialog {
    /// `None` when the set is not (or no longer) known.
    /// `remembered`: the container chosen for this set last time, if it still exists.
    pub fn new(
        set: SetKey,
        fleet: &FleetStore,
        marks: &BTreeSet<Key>,
        remembered: Option<&str>,
    ) -> Option<BumpDialog> {
        let header = fleet.headers.get(&set)?;
        let containers = header.template.clone();
        if containers.is_empty() {
            return None;
        }
        let container = remembered
            .and_then(|r| containers.iter().position(|(n, _)| n == r))
            .unwrap_or_else(|| default_container(&containers));
        let chosen: Vec<String> = marks
            .iter()
            .filter(|k| k.namespace == set.0)
            .filter(|k| {
                fleet.gameservers.get(*k).and_then(|g| g.owner_set()) == Some(set.1.as_str())
            })
            .map(|k| k.name.clone())
            .collect();
        let image = containers[container].1.clone();
        Some(BumpDialog {
            replicas: header.desired,
            known: known_images(fleet, &image),
            image: textarea(&image),
            scope: if chosen.is_empty() { ScopeKind::WholeSet } else { ScopeKind::Chosen },
            canary: 1,
            canary_fresh: false,
            chosen,
            containers,
            container,
            focus: Field::Image,
            error: None,
            page: Page::Edit,
            rollout: None,
            applying: None,
            set,
        })
    }

    pub fn container_name(&self) -> &str {
        &self.containers[self.container].0
    }

    pub fn current_image(&self) -> &str {
        &self.containers[self.container].1
    }

    pub fn image_text(&self) -> String {
        self.image.lines().join("").trim().to_string()
    }

    fn scope_value(&self) -> Scope {
        match self.scope {
            ScopeKind::WholeSet => Scope::WholeSet,
            ScopeKind::Canary => Scope::Canary(self.canary),
            ScopeKind::Chosen | ScopeKind::ClearChosen => Scope::GameServers(self.chosen.clone()),
            // Never planned here: the staged screen plans its first stage.
            ScopeKind::Staged => Scope::WholeSet,
            ScopeKind::OnlyState(i) => Scope::States(vec![ONLY_STATES[i].to_string()]),
        }
    }

    fn scope_kinds(&self) -> Vec<ScopeKind> {
        let mut v = vec![ScopeKind::WholeSet, ScopeKind::Canary, ScopeKind::Staged];
        v.extend((0..ONLY_STATES.len()).map(ScopeKind::OnlyState));
        if !self.chosen.is_empty() {
            v.push(ScopeKind::Chosen);
            v.push(ScopeKind::ClearChosen);
        }
        v
    }

    /// What can be told before asking the cluster: the reference's grammar, a tag or digest, a
    /// change at all, a sensible canary. The plan checks the rest (and these again).
    pub fn validate(&self) -> Result<(), String> {
        if self.scope == ScopeKind::ClearChosen {
            // The image field is not used: the pods go back to the template's image.
            return Ok(());
        }
        let image = self.image_text();
        let parsed = ImageRef::parse(&image).map_err(|e| e.to_string())?;
        if !parsed.is_pinned() {
            return Err(format!(
                "{image:?} names no tag or digest (that means :latest): add :TAG or @sha256:…"
            ));
        }
        if image == self.current_image() && self.scope != ScopeKind::Chosen {
            return Err(format!(
                "{} already uses {image}: nothing to change",
                self.container_name()
            ));
        }
        if self.scope == ScopeKind::Canary && !(1..self.replicas.max(1)).contains(&self.canary) {
            return Err(format!(
                "a canary is 1 to {} pods of {} (all of them is the whole set)",
                (self.replicas - 1).max(1),
                self.replicas
            ));
        }
        Ok(())
    }

    fn step(&self) -> Step {
        if self.scope == ScopeKind::ClearChosen {
            return Step::ClearOverride {
                set: self.set.1.clone(),
                container: self.container_name().to_string(),
                gameservers: self.chosen.clone(),
            };
        }
        Step::Bump {
            set: self.set.1.clone(),
            request: BumpRequest {
                container: self.container_name().to_string(),
                image: self.image_text(),
                scope: self.scope_value(),
                canary_allocated: false,
            },
        }
    }

    fn plan_cmd(&self, step: Step) -> Cmd {
        Cmd::Bump(BumpCmd::Plan { namespace: self.set.0.clone(), step, rbac: true })
    }

    fn on_edit_key(&mut self, key: KeyEvent) -> DialogOutcome {
        self.error = None;
        let action = keymap::lookup(Context::BumpForm, &key);
        // The image is a text field: characters and the editing keys are its own.
        let text_key = keymap::edits_text(&key);
        if self.focus == Field::Image && text_key {
            self.image.input(key);
            return stay();
        }
        let focus_before = self.focus;
        let fresh = std::mem::take(&mut self.canary_fresh);
        match (action, self.focus) {
            (Some(Action::Cancel), _) => return DialogOutcome::Close(Vec::new()),
            (Some(Action::Submit), _) => {
                if let Err(e) = self.validate() {
                    self.error = Some(e);
                    return stay();
                }
                let remember = Cmd::Bump(BumpCmd::Remember {
                    set: self.set.clone(),
                    container: self.container_name().to_string(),
                });
                if self.scope == ScopeKind::Staged {
                    let opening = Opening::StagedStart {
                        set: self.set.clone(),
                        container: self.container_name().to_string(),
                        image: self.image_text(),
                    };
                    return DialogOutcome::Replace(opening, vec![remember]);
                }
                self.page = Page::Busy("planning (reads only)…".into());
                return DialogOutcome::Stay(vec![remember, self.plan_cmd(self.step())]);
            }
            (Some(Action::PrevField), _) => {
                self.focus = match self.focus {
                    Field::Container => Field::Scope,
                    Field::Image => Field::Container,
                    Field::Scope => Field::Image,
                }
            }
            (Some(Action::NextField), _)
            | (Some(Action::TabNext), Field::Container | Field::Scope) => {
                self.focus = match self.focus {
                    Field::Container => Field::Image,
                    Field::Image => Field::Scope,
                    Field::Scope => Field::Container,
                }
            }
            (Some(Action::TabNext), Field::Image) => self.next_known(),
            (Some(a @ (Action::ChoosePrev | Action::ChooseNext)), Field::Container) => {
                let n = self.containers.len();
                self.container = if a == Action::ChooseNext {
                    (self.container + 1) % n
                } else {
                    (self.container + n - 1) % n
                };
                let image = self.current_image().to_string();
                self.image = textarea(&image);
            }
            (Some(a @ (Action::ChoosePrev | Action::ChooseNext)), Field::Scope) => {
                let kinds = self.scope_kinds();
                let i = kinds.iter().position(|k| *k == self.scope).unwrap_or(0);
                let n = kinds.len();
                let j = if a == Action::ChooseNext { (i + 1) % n } else { (i + n - 1) % n };
                self.scope = kinds[j];
            }
            (None, Field::Scope) if matches!(key.code, KeyCode::Char(c) if c.is_ascii_digit()) => {
                let KeyCode::Char(c) = key.code else { return stay() };
                self.scope = ScopeKind::Canary;
                let d = c.to_digit(10).unwrap_or(0) as i32;
                let kept = if fresh { 0 } else { self.canary };
                self.canary = (kept.saturating_mul(10) + d).min(99_999);
            }
            (Some(Action::CanaryMore), Field::Scope) => self.canary = self.canary.saturating_add(1),
            (Some(Action::CanaryLess), Field::Scope) => self.canary = (self.canary - 1).max(0),
            (Some(Action::Erase), Field::Scope) => self.canary /= 10,
            _ => {}
        }
        if self.focus == Field::Scope && focus_before != Field::Scope {
            self.canary_fresh = true;
        }
        stay()
    }

    /// Tab on the image: the next image of the same repository seen in the cluster.
    fn next_known(&mut self) {
        if self.known.is_empty() {
            return;
        }
        let now = self.image_text();
        let i = self.known.iter().position(|k| *k == now).map(|i| i + 1).unwrap_or(0);
        let next = self.known[i % self.known.len()].clone();
        self.image = textarea(&next);
    }

    fn back_from_confirm(&mut self) {
        self.page = if self.rollout.is_some() { Page::Rollout } else { Page::Edit };
    }

    fn on_confirm_key(&mut self, mut c: Box<Confirm>, key: KeyEvent) -> DialogOutcome {
        c.error = None;
        match (keymap::lookup(Context::BumpPreflight, &key), key.code) {
            (Some(Action::Back), _) => {
                self.back_from_confirm();
                return stay();
            }
            (Some(Action::Up), _) => c.scroll = c.scroll.saturating_sub(1),
            (Some(Action::Down), _) => c.scroll = c.scroll.saturating_add(1),
            (Some(Action::PageUp), _) => c.scroll = c.scroll.saturating_sub(10),
            (Some(Action::PageDown), _) => c.scroll = c.scroll.saturating_add(10),
            (Some(Action::Erase), _) => {
                c.typed.pop();
            }
            (None, KeyCode::Char(ch)) if needs_typing(&c) => c.typed.push(ch),
            (Some(Action::Apply), _) => match refusal(&c) {
                Some(why) => c.error = Some(why),
                None => {
                    let namespace = self.set.0.clone();
                    let cmd = match c.pending {
                        Pending::Step { step, plan } => {
                            self.applying = Some((*plan).clone());
                            BumpCmd::Apply { namespace, plan, step }
                        }
                        Pending::Switch(plan) => BumpCmd::ApplySwitch { namespace, plan },
                    };
                    self.page = Page::Busy("applying…".into());
                    return DialogOutcome::Stay(vec![Cmd::Bump(cmd)]);
                }
            },
            _ => {}
        }
        self.page = Page::Confirm(c);
        stay()
    }

    fn on_rollout_key(&mut self, key: KeyEvent) -> DialogOutcome {
        let step = match keymap::lookup(Context::Rollout, &key) {
            Some(Action::Up) => Some(-1),
            Some(Action::Down) => Some(1),
            _ => None,
        };
        if let (Some(step), Some(r)) = (step, &mut self.rollout) {
            r.scroll_by(step);
            return stay();
        }
        let Some(r) = &self.rollout else { return DialogOutcome::Close(Vec::new()) };
        let namespace = self.set.0.clone();
        let set = self.set.1.clone();
        let cmd = match keymap::lookup(Context::Rollout, &key) {
            // While the follow runs, esc only hides the view: `o` brings it back.
            Some(Action::Back) if r.running() => return DialogOutcome::Park(Vec::new()),
            Some(Action::Back) => return DialogOutcome::Close(Vec::new()),
            Some(Action::ContinueCanary) if r.plan.partition_after > 0 => BumpCmd::Plan {
                namespace,
                step: Step::Continue { set, container: r.plan.container.clone(), step: None },
                rbac: true,
            },
            Some(Action::PauseResume) => BumpCmd::PlanSwitch { namespace, set, paused: !r.paused },
            // Reload each pod once it is IN PLACE (ops::chain): update.rs opens the reload
            // dialog on top of this view.
            Some(Action::ChainReload) => {
                let targets =
                    r.plan.targets().into_iter().map(|p| Key::new(&namespace, p)).collect();
                let set = Key::new(namespace, set);
                return DialogOutcome::Open(Opening::ChainedReload { set, targets }, Vec::new());
            }
            Some(Action::Rollback) => BumpCmd::Plan {
                namespace,
                step: Step::Rollback { previous: Box::new(r.origin.clone()) },
                rbac: true,
            },
            Some(Action::AbandonCanary) => BumpCmd::Plan {
                namespace,
                step: Step::RestorePriorities { set, container: r.plan.container.clone() },
                rbac: true,
            },
            _ => return stay(),
        };
        self.page = Page::Busy("planning (reads only)…".into());
        DialogOutcome::Stay(vec![Cmd::Bump(cmd)])
    }

    fn on_reply(&mut self, reply: BumpReply, ctx: &DialogCtx) -> DialogOutcome {
        if let Some(r) = &mut self.rollout {
            r.now = ctx.now;
        }
        match reply {
            BumpReply::Planned { plan, rbac } => self.show_plan(plan, rbac, None),
            BumpReply::Conflict { message, plan } => self.show_plan(plan, None, Some(message)),
            BumpReply::SwitchPlanned { plan: Ok(plan), rbac } => {
                self.page = Page::Confirm(Box::new(Confirm {
                    pending: Pending::Switch(plan),
                    rbac,
                    scroll: 0,
                    typed: String::new(),
                    conflict: None,
                    error: None,
                }));
            }
            BumpReply::SwitchPlanned { plan: Err(e), .. } | BumpReply::SwitchApplied(Err(e)) => {
                self.fail(e);
            }
            BumpReply::SwitchApplied(Ok(())) => {
                if let Some(r) = &mut self.rollout {
                    r.paused = !r.paused;
                    r.notes
                        .push(if r.paused { "rollout paused" } else { "rollout resumed" }.into());
                }
                self.page = Page::Rollout;
            }
            BumpReply::Applied => {
                // The confirmed plan becomes the rollout being followed.
                if let Page::Busy(_) = self.page {
                    let abandoned = self
                        .applying
                        .as_ref()
                        .is_some_and(|p| p.kind == PlanKind::RestorePriorities);
                    if abandoned
                        && let Some(plan) = self.applying.take()
                        && let Some(r) = &mut self.rollout
                    {
                        // The canary stays where it stands; only the priorities went back.
                        let n = plan.patches.len();
                        r.notes.push(format!(
                            "abandoned: update priorities put back on {n} GameServer{}; partition stays {}",
                            if n == 1 { "" } else { "s" },
                            plan.partition_after
                        ));
                        r.notes.extend(plan.warnings.iter().cloned());
                        r.finished = Some("abandoned (the canary stays where it stands)".into());
                    } else if let Some(plan) = self.applying.take() {
                        let continued = plan.kind == PlanKind::Continue;
                        let origin = self.rollout.take().map(|r| r.origin);
                        let mut rollout = Rollout::new(plan, ctx.now);
                        if let (true, Some(origin)) = (continued, origin) {
                            rollout.origin = origin;
                        }
                        self.rollout = Some(rollout);
                    }
                    self.page = Page::Rollout;
                }
            }
            BumpReply::ApplyFailed(e) => self.fail(e),
            BumpReply::Progress(ev) => {
                if let Some(r) = &mut self.rollout {
                    r.on_event(ev);
                }
            }
            BumpReply::Followed { timed_out } => {
                if let Some(r) = self.rollout.as_mut().filter(|r| r.finished.is_none()) {
                    r.finished = Some(
                        if timed_out {
                            "follow timed out"
                        } else {
                            "every targeted pod has a verdict"
                        }
                        .into(),
                    );
                }
            }
            BumpReply::Tick | BumpReply::Remembered { .. } => {}
        }
        stay()
    }

    fn fail(&mut self, e: String) {
        self.applying = None;
        if self.rollout.is_some() {
            if let Some(r) = &mut self.rollout {
                r.notes.push(format!("error: {e}"));
            }
            self.page = Page::Rollout;
        } else {
            self.error = Some(e);
            self.page = Page::Edit;
        }
    }

    fn show_plan(
        &mut self,
        plan: Result<Plan, String>,
        rbac: Option<Vec<(ApiAction, Permission)>>,
        conflict: Option<String>,
    ) {
        self.applying = None;
        let plan = match plan {
            Ok(p) => p,
            Err(e) => {
                let e = match conflict {
                    Some(c) => format!("{c}; planning again failed: {e}"),
                    None => e,
                };
                return self.fail(e);
            }
        };
        // Re-plan of a conflict keeps the RBAC answers of the first plan when it has them.
        let rbac = rbac.or_else(|| match &self.page {
            Page::Confirm(c) => c.rbac.clone(),
            _ => None,
        });
        let step = match plan.kind {
            // The console plans no rollout stage (`okg rollout` does); were it to, its step is
            // the dialog's own.
            PlanKind::Bump | PlanKind::ClearOverride | PlanKind::RolloutStage => self.step(),
            PlanKind::Continue => Step::Continue {
                set: plan.set.clone(),
                container: plan.container.clone(),
                step: None,
            },
            PlanKind::Rollback => Step::Rollback {
                previous: Box::new(
                    self.rollout.as_ref().map(|r| r.origin.clone()).unwrap_or(plan.clone()),
                ),
            },
            PlanKind::RestorePriorities => {
                Step::RestorePriorities { set: plan.set.clone(), container: plan.container.clone() }
            }
        };
        self.page = Page::Confirm(Box::new(Confirm {
            pending: Pending::Step { step, plan: Box::new(plan) },
            rbac,
            scroll: 0,
            typed: String::new(),
            conflict,
            error: None,
        }));
    }
}

fn stay() -> DialogOutcome {
    DialogOutcome::Stay(Vec::new())
}

/// Pods would be re-created: the user types the set name.
pub fn needs_typing(c: &Confirm) -> bool {
    matches!(&c.pending, Pending::Step { plan, .. } if send_rules::needs_set_name(plan))
}

/// Why Enter on the pre-flight page cannot send: the send rules on this page's facts. The
/// dialog only opens in a session with a writer (`Access::check`), so it is never read-only.
pub fn refusal(c: &Confirm) -> Option<String> {
    let change = match &c.pending {
        Pending::Step { plan, .. } => Change::Step(plan),
        Pending::Switch(_) => Change::PauseOrResume,
    };
    let denied = denials(c.rbac.as_deref().unwrap_or_default());
    let facts =
        Facts { read_only: false, denied: &denied, consent: Consent::TypedSetName(&c.typed) };
    send_rules::refusal(change, &facts).map(|r| r.to_string())
}

/// The one line that says exactly what Enter does.
pub fn effect(c: &Confirm) -> String {
    match &c.pending {
        Pending::Switch(p) => {
            let targets: Vec<String> =
                p.patches.iter().map(|x| x.target().replace('/', " ")).collect();
            format!("patch {}: {} the rollout", targets.join(", "), p.action)
        }
        Pending::Step { plan, .. } if plan.kind == PlanKind::RestorePriorities => {
            let n = plan.patches.len();
            format!(
                "abandon: patch {n} gameserver{} to put back the update priorities a canary raised; template and partition {} stay",
                if n == 1 { "" } else { "s" },
                plan.partition_after
            )
        }
        Pending::Step { plan, .. } => {
            let mut targets: Vec<String> = Vec::new();
            let sets = plan
                .patches
                .iter()
                .filter(|p| p.kind == okg_domain::bump_plan::ObjectKind::GameServerSet);
            targets.extend(sets.map(|p| format!("gameserverset {}", p.name)));
            let gs = plan.patches.len() - targets.len();
            if gs > 0 {
                targets.push(format!("{gs} gameserver{}", if gs == 1 { "" } else { "s" }));
            }
            let n = plan.targets().len();
            let how = match plan.policy {
                Policy::InPlace => "in place",
                Policy::ReCreate(_) => "RE-CREATED",
                Policy::Refused(_) => "REFUSED",
            };
            let verb = match plan.kind {
                PlanKind::Bump => "",
                PlanKind::Continue => "continue: ",
                PlanKind::Rollback => "roll back: ",
                PlanKind::ClearOverride => "clear override: ",
                PlanKind::RolloutStage => "rollout stage: ",
                PlanKind::RestorePriorities => unreachable!("said above"),
            };
            let partition = if plan.partition_before != plan.partition_after {
                format!(", partition {} → {}", plan.partition_before, plan.partition_after)
            } else {
                String::new()
            };
            format!(
                "{verb}patch {}: {} → {}{partition}, {n} pod{} {how}",
                targets.join(" + "),
                plan.container,
                ImageRef::split(&plan.to_image).short_name(),
                if n == 1 { "" } else { "s" }
            )
        }
    }
}

/// The screen's face to the state machine: keys and the flow's replies in, an outcome out.
impl BumpDialog {
    pub fn title(&self) -> String {
        match &self.page {
            Page::Rollout => self.rollout.as_ref().map(|r| r.title()).unwrap_or_default(),
            Page::Confirm(_) => format!("Bump {} · pre-flight", self.set.1),
            _ => format!("Bump {}", self.set.1),
        }
    }

    pub fn on_key(&mut self, key: KeyEvent, ctx: &DialogCtx) -> DialogOutcome {
        if let Some(r) = &mut self.rollout {
            r.now = ctx.now;
        }
        match std::mem::replace(&mut self.page, Page::Edit) {
            Page::Edit => self.on_edit_key(key),
            Page::Busy(what) => {
                // Waiting for the task. While planning, esc leaves (nothing was sent); while
                // applying it does not, or the rollout that follows would have no view.
                self.page = Page::Busy(what);
                let cancel = keymap::lookup(Context::BumpForm, &key) == Some(Action::Cancel);
                if cancel && self.applying.is_none() {
                    DialogOutcome::Close(Vec::new())
                } else {
                    stay()
                }
            }
            Page::Confirm(c) => self.on_confirm_key(c, key),
            Page::Rollout => {
                self.page = Page::Rollout;
                self.on_rollout_key(key)
            }
        }
    }

    pub fn on_msg(&mut self, reply: BumpReply, ctx: &DialogCtx) -> DialogOutcome {
        self.on_reply(reply, ctx)
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
