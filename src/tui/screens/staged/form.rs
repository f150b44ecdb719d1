//! The form that starts a staged rollout, pure: the stages, the soak, the failure limit, the two
//! switches and an optional reload, for the container and image the bump dialog chose. `enter`
//! turns it into a `StartRequest`; nothing is asked of the cluster here.
use crossterm::event::{KeyCode, KeyEvent};
use tui_textarea::TextArea;

use crate::ops::staged_start::StartRequest;
use crate::tui::app::keymap::{self, Action, Context};
use okg_domain::staged_rollout::{ReloadSpec, parse_stages};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Stages,
    Soak,
    Limit,
    AutoRollback,
    IncludeAllocated,
    Reload,
}

pub const FIELDS: [Field; 6] = [
    Field::Stages,
    Field::Soak,
    Field::Limit,
    Field::AutoRollback,
    Field::IncludeAllocated,
    Field::Reload,
];

pub fn label(f: Field) -> &'static str {
    match f {
        Field::Stages => "stages",
        Field::Soak => "soak",
        Field::Limit => "failure limit",
        Field::AutoRollback => "auto-rollback",
        Field::IncludeAllocated => "include Allocated",
        Field::Reload => "reload (exec)",
    }
}

pub struct StartForm {
    pub set: String,
    pub container: String,
    pub image: String,
    pub stages: TextArea<'static>,
    pub soak: TextArea<'static>,
    pub limit: TextArea<'static>,
    pub auto_rollback: bool,
    pub include_allocated: bool,
    /// The command to exec in the main container of each pod once it is in place (empty: none).
    pub reload: TextArea<'static>,
    pub focus: usize,
    /// The focus just came onto a text field: the first character typed replaces its default
    /// (`3` over the limit's `0` gives 3, not 03).
    fresh: bool,
    pub error: Option<String>,
}

fn textarea(text: &str) -> TextArea<'static> {
    let mut t = TextArea::new(vec![text.to_string()]);
    t.move_cursor(tui_textarea::CursorMove::End);
    t
}

fn text(t: &TextArea) -> String {
    t.lines().join("").trim().to_string()
}

/// What the form asks of its screen.
pub enum FormOutcome {
    Stay,
    Cancel,
    Submit(Box<StartRequest>),
}

impl StartForm {
    pub fn new(set: &str, container: &str, image: &str) -> Self {
        Self {
            set: set.to_string(),
            container: container.to_string(),
            image: image.to_string(),
            stages: textarea("1,10%,50%,100%"),
            soak: textarea("30s"),
            limit: textarea("0"),
            auto_rollback: false,
            include_allocated: false,
            reload: textarea(""),
            focus: 0,
            fresh: true,
            error: None,
        }
    }

    pub fn field(&self) -> Field {
        FIELDS[self.focus]
    }

    fn text_field(&mut self) -> Option<&mut TextArea<'static>> {
        match self.field() {
            Field::Stages => Some(&mut self.stages),
            Field::Soak => Some(&mut self.soak),
            Field::Limit => Some(&mut self.limit),
            Field::Reload => Some(&mut self.reload),
            Field::AutoRollback | Field::IncludeAllocated => None,
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) -> FormOutcome {
        self.error = None;
        let action = keymap::lookup(Context::StagedForm, &key);
        let typing = keymap::edits_text(&key);
        let fresh = std::mem::take(&mut self.fresh);
        if typing && let Some(t) = self.text_field() {
            if fresh && matches!(key.code, KeyCode::Char(_)) {
                *t = TextArea::default();
            }
            t.input(key);
            return FormOutcome::Stay;
        }
        match action {
            Some(Action::Cancel) => return FormOutcome::Cancel,
            Some(Action::Submit) => {
                return match self.request() {
                    Ok(r) => FormOutcome::Submit(Box::new(r)),
                    Err(e) => {
                        self.error = Some(e);
                        FormOutcome::Stay
                    }
                };
            }
            Some(Action::NextField) => {
                self.focus = (self.focus + 1) % FIELDS.len();
                self.fresh = true;
            }
            Some(Action::PrevField) => {
                self.focus = (self.focus + FIELDS.len() - 1) % FIELDS.len();
                self.fresh = true;
            }
            Some(Action::Toggle) => match self.field() {
                Field::AutoRollback => self.auto_rollback = !self.auto_rollback,
                Field::IncludeAllocated => self.include_allocated = !self.include_allocated,
                _ => {}
            },
            _ => {}
        }
        FormOutcome::Stay
    }

    /// The request the form says, or what is wrong with it (as `okg rollout` would refuse it).
    pub fn request(&self) -> Result<StartRequest, String> {
        let stages = parse_stages(&text(&self.stages))?;
        let soak_text = text(&self.soak);
        let soak = if soak_text.is_empty() {
            std::time::Duration::ZERO
        } else {
            humantime::parse_duration(&soak_text)
                .map_err(|e| format!("soak {soak_text:?}: {e} (e.g. 30s, 2m)"))?
        };
        let limit_text = text(&self.limit);
        let failure_limit = if limit_text.is_empty() {
            0
        } else {
            limit_text.parse::<u32>().map_err(|_| {
                format!("failure limit {limit_text:?}: give a whole number, 0 or more")
            })?
        };
        let words: Vec<String> = text(&self.reload).split_whitespace().map(String::from).collect();
        let reload = if words.is_empty() {
            None
        } else {
            okg_domain::reload_plan::ReloadMethod::exec(words.clone())?;
            Some(ReloadSpec { exec: words, ..ReloadSpec::default() })
        };
        Ok(StartRequest {
            set: self.set.clone(),
            container: self.container.clone(),
            image: self.image.clone(),
            stages,
            soak,
            failure_limit,
            auto_rollback: self.auto_rollback,
            include_allocated: self.include_allocated,
            reload,
        })
    }

    /// The value of a field as shown.
    pub fn value(&self, f: Field) -> String {
        let on_off = |b: bool| if b { "yes" } else { "no" }.to_string();
        match f {
            Field::Stages => text(&self.stages),
            Field::Soak => text(&self.soak),
            Field::Limit => text(&self.limit),
            Field::AutoRollback => on_off(self.auto_rollback),
            Field::IncludeAllocated => on_off(self.include_allocated),
            Field::Reload => text(&self.reload),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn press(f: &mut StartForm, code: KeyCode) -> FormOutcome {
        f.on_key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn typed(f: &mut StartForm, text: &str) {
        text.chars().for_each(|c| {
            press(f, KeyCode::Char(c));
        });
    }

    #[test]
    fn typing_replaces_a_default_and_the_request_reads_every_field() {
        let mut f = StartForm::new("gss", "sidecar", "r/s:v2");
        typed(&mut f, "1,100%");
        press(&mut f, KeyCode::Tab);
        typed(&mut f, "2m");
        press(&mut f, KeyCode::Tab);
        typed(&mut f, "3");
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Char(' '));
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Tab);
        typed(&mut f, "nginx -s reload");
        let r = f.request().unwrap();
        assert_eq!(r.stages, parse_stages("1,100%").unwrap());
        assert_eq!(r.soak, std::time::Duration::from_secs(120));
        assert_eq!(r.failure_limit, 3, "3 over the default 0, not 03");
        assert!(r.auto_rollback && !r.include_allocated);
        assert_eq!(r.reload.unwrap().exec, ["nginx", "-s", "reload"]);
        assert!(matches!(press(&mut f, KeyCode::Enter), FormOutcome::Submit(_)));
    }

    #[test]
    fn a_bad_field_keeps_the_form_open_and_says_why() {
        let mut f = StartForm::new("gss", "sidecar", "r/s:v2");
        typed(&mut f, "1,half");
        assert!(matches!(press(&mut f, KeyCode::Enter), FormOutcome::Stay));
        assert!(f.error.as_deref().is_some_and(|e| e.contains("\"half\"")), "{:?}", f.error);
        let mut f = StartForm::new("gss", "sidecar", "r/s:v2");
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Tab);
        typed(&mut f, "x");
        assert!(matches!(press(&mut f, KeyCode::Enter), FormOutcome::Stay));
        assert!(f.error.as_deref().is_some_and(|e| e.contains("failure limit")), "{:?}", f.error);
        assert!(matches!(press(&mut f, KeyCode::Esc), FormOutcome::Cancel));
    }
}
