//! The set-ops dialog, pure: keys and the shell's replies in, commands out. The shell plans and
//! sends through `ops::gs_ops` (`ops::gs_ops_task`), as `okg set` does.
use crossterm::event::KeyEvent;
use tui_textarea::TextArea;

use crate::ops::gs_ops_task::{GsOpsCmd, GsOpsReply};
use crate::tui::app::keymap::{self, Action, Context};
use crate::tui::app::msg::Cmd;
use crate::tui::app::state::DialogOutcome;
use okg_domain::fleet::Key;
use okg_domain::gs_ops::{Field, GsOp, OPS_STATES, OpsPlan};

pub const FIELDS: [Field; 4] =
    [Field::OpsState, Field::UpdatePriority, Field::DeletionPriority, Field::NetworkDisabled];

pub fn label(f: Field) -> &'static str {
    match f {
        Field::OpsState => "opsState",
        Field::UpdatePriority => "update priority",
        Field::DeletionPriority => "deletion priority",
        Field::NetworkDisabled => "networkDisabled",
    }
}

/// The values a field is chosen from (empty: typed, a number).
pub fn choices(f: Field) -> &'static [&'static str] {
    match f {
        Field::OpsState => &OPS_STATES,
        Field::NetworkDisabled => &["true", "false"],
        Field::UpdatePriority | Field::DeletionPriority => &[],
    }
}

pub enum Page {
    Form,
    /// Waiting for the plan (reads only).
    Planning,
    Confirm(Box<OpsPlan>),
    Sending,
    /// What landed, or what failed.
    Done(Result<Vec<String>, String>),
}

pub struct GsOpsDialog {
    /// The GameServers, all in `namespace`.
    pub targets: Vec<String>,
    pub namespace: String,
    pub field: usize,
    /// Per field, the chosen value's index (for the fields chosen from a list).
    pub choice: [usize; 4],
    /// The typed number. It starts empty, so typing `3` gives 3, not the old value with 3.
    pub number: TextArea<'static>,
    pub page: Page,
    pub error: Option<String>,
    /// Numbers the requests, so a reply to an older one is dropped.
    pub request: u64,
}

impl GsOpsDialog {
    /// `None` when the targets span namespaces: one plan reads one namespace.
    pub fn new(targets: &[Key]) -> Result<Self, String> {
        let namespace = targets.first().map(|k| k.namespace.clone()).ok_or("nothing chosen")?;
        if targets.iter().any(|k| k.namespace != namespace) {
            return Err("the chosen GameServers span namespaces: mark one namespace's".into());
        }
        Ok(Self {
            targets: targets.iter().map(|k| k.name.clone()).collect(),
            namespace,
            field: 0,
            choice: [0, 0, 0, 1],
            number: TextArea::default(),
            page: Page::Form,
            error: None,
            request: 0,
        })
    }

    pub fn title(&self) -> String {
        format!(
            "Edit {} GameServer{}",
            self.targets.len(),
            if self.targets.len() == 1 { "" } else { "s" }
        )
    }

    pub fn field(&self) -> Field {
        FIELDS[self.field]
    }

    /// The value as it stands: the chosen word, or the typed text.
    pub fn value(&self) -> String {
        match choices(self.field()) {
            [] => self.number.lines().join("").trim().to_string(),
            list => list[self.choice[self.field] % list.len()].to_string(),
        }
    }

    pub fn context(&self) -> Context {
        match self.page {
            Page::Form | Page::Planning => Context::EditForm,
            Page::Confirm(_) | Page::Sending => Context::EditConfirm,
            Page::Done(_) => Context::EditDone,
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) -> DialogOutcome {
        let stay = || DialogOutcome::Stay(Vec::new());
        let action = keymap::lookup(self.context(), &key);
        match (&self.page, action) {
            (Page::Form, Some(Action::Cancel)) => DialogOutcome::Close(Vec::new()),
            (Page::Form, Some(Action::NextField)) => {
                self.field = (self.field + 1) % FIELDS.len();
                self.error = None;
                stay()
            }
            (Page::Form, Some(Action::PrevField)) => {
                self.field = (self.field + FIELDS.len() - 1) % FIELDS.len();
                self.error = None;
                stay()
            }
            (Page::Form, Some(a @ (Action::ChooseNext | Action::ChoosePrev)))
                if !choices(self.field()).is_empty() =>
            {
                let n = choices(self.field()).len();
                let c = &mut self.choice[self.field];
                *c = if a == Action::ChooseNext { (*c + 1) % n } else { (*c + n - 1) % n };
                stay()
            }
            (Page::Form, Some(Action::Submit)) => match GsOp::parse(self.field(), &self.value()) {
                Ok(op) => {
                    self.request += 1;
                    self.error = None;
                    self.page = Page::Planning;
                    DialogOutcome::Stay(vec![Cmd::GsOps(GsOpsCmd::Plan {
                        id: self.request,
                        namespace: self.namespace.clone(),
                        op,
                        names: self.targets.clone(),
                    })])
                }
                Err(e) => {
                    self.error = Some(e.to_string());
                    stay()
                }
            },
            (Page::Form, _) if choices(self.field()).is_empty() => {
                self.number.input(key);
                stay()
            }
            (Page::Confirm(plan), Some(Action::Apply)) => {
                if plan.patches.is_empty() {
                    return DialogOutcome::Close(Vec::new());
                }
                self.request += 1;
                let cmd = GsOpsCmd::Apply {
                    id: self.request,
                    namespace: self.namespace.clone(),
                    plan: plan.clone(),
                };
                self.page = Page::Sending;
                DialogOutcome::Stay(vec![Cmd::GsOps(cmd)])
            }
            (Page::Confirm(_), Some(Action::Back)) => {
                self.page = Page::Form;
                stay()
            }
            (Page::Done(_), Some(Action::Close)) => DialogOutcome::Close(Vec::new()),
            _ => stay(),
        }
    }

    pub fn on_msg(&mut self, reply: GsOpsReply) -> DialogOutcome {
        match reply {
            GsOpsReply::Planned { plan: Ok(plan), .. } => self.page = Page::Confirm(Box::new(plan)),
            GsOpsReply::Planned { plan: Err(e), .. } => {
                self.error = Some(e);
                self.page = Page::Form;
            }
            GsOpsReply::Applied { result, .. } => self.page = Page::Done(result),
        }
        DialogOutcome::Stay(Vec::new())
    }
}
