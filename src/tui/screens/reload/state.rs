//! The reload dialog: a form (method, container, limits), a confirm line with the exact effect,
//! then the live reload view (`reload_view`). Pure: it answers keys and progress payloads with
//! commands; the I/O shell runs the reload and sends `ReloadProgress` back.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use tui_textarea::{CursorMove, TextArea};

use super::run::ReloadView;
use crate::tui::app::keymap::{self, Action, Context};
use crate::tui::app::msg::{Cmd, Intent};
use crate::tui::app::state::{DialogCtx, DialogOutcome};
use okg_domain::fleet::Key;
use okg_domain::reload_plan::{Limits, ReloadMethod, ReloadTarget};

pub use crate::ops::reload_defaults::ReloadDefaults;
pub use crate::ops::reload_task::{ReloadFailed, ReloadProgress, ReloadReply};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Method,
    Command,
    Container,
    Parallel,
    Batch,
    Pause,
    MaxFailures,
    Timeout,
    /// Shown because it reaches the audit log with the rest of the limits.
    Retries,
}

pub const FIELDS: [Field; 9] = [
    Field::Method,
    Field::Command,
    Field::Container,
    Field::Parallel,
    Field::Batch,
    Field::Pause,
    Field::MaxFailures,
    Field::Timeout,
    Field::Retries,
];

impl Field {
    pub fn label(self, http: bool) -> &'static str {
        match self {
            Field::Method => "method",
            Field::Command if http => "PORT/PATH",
            Field::Command => "command",
            Field::Container => "container",
            Field::Parallel => "parallel",
            Field::Batch => "batch size",
            Field::Pause => "pause",
            Field::MaxFailures => "max failures",
            Field::Timeout => "timeout/pod",
            Field::Retries => "API retries",
        }
    }
}

/// What the user confirmed.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirmed {
    pub method: ReloadMethod,
    pub container: Option<String>,
    pub limits: Limits,
}

pub enum Phase {
    Form { confirming: Option<Confirmed> },
    Running { run: u64, view: Box<ReloadView> },
}

pub struct ReloadDialog {
    /// Pods to reload (a GameServer's pod has its name), with their set.
    pub targets: Vec<ReloadTarget>,
    pub http: bool,
    pub inputs: Vec<TextArea<'static>>,
    pub focus: usize,
    pub error: Option<String>,
    pub note: Option<String>,
    /// A config.toml that cannot be used (`ops::reload_defaults::ConfigError`): shown until the
    /// dialog closes, whatever the user types.
    pub warning: Option<String>,
    /// The user typed into the method fields: a late default must not overwrite it.
    edited: bool,
    /// A number field was just reached with Tab: the first character typed replaces its value
    /// (3 over 10 gives 3, not 103), as a selected field does in a form.
    fresh: bool,
    /// Chained onto the rollout being followed: each pod is reloaded once it is IN PLACE.
    pub chain: bool,
    /// Filled from the last reload of this set (`recall`).
    recalled: bool,
    pub phase: Phase,
}

/// The note of a form filled by `recall`.
const RECALLED: &str = "as the last reload of this set in this console: edit, or esc";

fn field(text: &str, placeholder: &str) -> TextArea<'static> {
    let mut t = TextArea::new(vec![text.to_string()]);
    t.set_placeholder_text(placeholder.to_string());
    t.set_cursor_line_style(ratatui::style::Style::default());
    t.move_cursor(CursorMove::End);
    t
}

impl ReloadDialog {
    /// `main_container`: the set's main container (first of its template), the default exec
    /// container.
    pub fn new(targets: &[Key], sets: &[Option<String>], main_container: Option<String>) -> Self {
        let mut targets: Vec<ReloadTarget> = targets
            .iter()
            .zip(sets)
            .map(|(k, set)| ReloadTarget {
                namespace: k.namespace.clone(),
                pod: k.name.clone(),
                container: None,
                set: set.clone(),
            })
            .collect();
        // Marks come in text order (gss-10 before gss-2); the canary batch must be the lowest
        // ordinals, as with `okg reload`.
        okg_domain::reload_plan::order_targets(&mut targets);
        let d = Limits::default();
        let inputs = vec![
            field("", ""),
            field("", "e.g. nginx -s reload   (argv, no shell; sh -c '…' for one)"),
            field(main_container.as_deref().unwrap_or(""), "the pod's first container"),
            field(&d.parallel.to_string(), ""),
            field("", "all at once"),
            field("", "0s"),
            field("", "no limit"),
            field(&humantime::format_duration(d.timeout).to_string(), ""),
            field(&d.retries.to_string(), "after transient API errors only"),
        ];
        ReloadDialog {
            targets,
            http: false,
            inputs,
            focus: 1,
            error: None,
            note: None,
            warning: None,
            edited: false,
            fresh: false,
            chain: false,
            recalled: false,
            phase: Phase::Form { confirming: None },
        }
    }

    fn text(&self, f: Field) -> String {
        let i = FIELDS.iter().position(|x| *x == f).unwrap_or(0);
        self.inputs[i].lines().join("").trim().to_string()
    }

    fn set_text(&mut self, f: Field, text: &str) {
        let i = FIELDS.iter().position(|x| *x == f).unwrap_or(0);
        let placeholder = self.inputs[i].placeholder_text().to_string();
        self.inputs[i] = field(text, &placeholder);
    }

    pub fn focused(&self) -> Field {
        FIELDS[self.focus]
    }

    /// Fill the form with the reload last started on these pods' set in this console: the
    /// method, container and every limit. It counts as typed, so the set's default that
    /// arrives later does not replace it.
    pub fn recall(&mut self, c: &Confirmed) {
        let Confirmed { method, container, limits } = c;
        match method {
            ReloadMethod::Exec { argv } => {
                self.http = false;
                self.set_text(Field::Command, &join_words(argv));
                self.set_text(Field::Container, container.as_deref().unwrap_or(""));
            }
            ReloadMethod::Http { port, path } => {
                self.http = true;
                self.set_text(Field::Command, &format!("{port}/{}", path.trim_start_matches('/')));
            }
        }
        let number = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
        let time = |d: std::time::Duration| humantime::format_duration(d).to_string();
        self.set_text(Field::Parallel, &limits.parallel.to_string());
        self.set_text(Field::Batch, &number(limits.batch));
        let pause = if limits.pause.is_zero() { String::new() } else { time(limits.pause) };
        self.set_text(Field::Pause, &pause);
        self.set_text(Field::MaxFailures, &number(limits.max_failures));
        self.set_text(Field::Timeout, &time(limits.timeout));
        self.set_text(Field::Retries, &limits.retries.to_string());
        self.edited = true;
        self.recalled = true;
        self.note = Some(RECALLED.into());
    }

    /// Fill the method from the sets' default unless the user already typed one.
    pub fn apply_defaults(&mut self, d: ReloadDefaults) {
        // A remembered run is what the form shows, so its note stays: "no default on the set",
        // arriving after the recall, would say the opposite of what the fields hold.
        self.note = if self.recalled { Some(RECALLED.into()) } else { d.note };
        self.warning = d.warning;
        if self.edited {
            return;
        }
        match d.method {
            Some(ReloadMethod::Exec { argv }) => {
                self.http = false;
                self.set_text(Field::Command, &join_words(&argv));
                if let Some(c) = d.container {
                    self.set_text(Field::Container, &c);
                }
                self.note.get_or_insert_with(|| "method from the set's reload default".into());
            }
            Some(ReloadMethod::Http { port, path }) => {
                self.http = true;
                self.set_text(Field::Command, &format!("{port}/{}", path.trim_start_matches('/')));
                self.note.get_or_insert_with(|| "method from the set's reload default".into());
            }
            None => {}
        }
    }

    /// Read the form; an error names the field.
    pub fn parse(&self) -> Result<Confirmed, String> {
        let command = self.text(Field::Command);
        let method = if self.http {
            ReloadMethod::parse_http(&command).map_err(|e| e.replace("--http", "PORT/PATH"))?
        } else {
            let words = split_words(&command)?;
            if words.is_empty() {
                return Err("command: type what to run in each pod, e.g. nginx -s reload".into());
            }
            ReloadMethod::exec(words)?
        };
        let number = |f: Field| -> Result<Option<usize>, String> {
            let t = self.text(f);
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<usize>()
                .map(Some)
                .map_err(|_| format!("{}: a whole number, not {t:?}", f.label(false)))
        };
        let duration = |f: Field| -> Result<Option<std::time::Duration>, String> {
            let t = self.text(f);
            if t.is_empty() {
                return Ok(None);
            }
            humantime::parse_duration(&t)
                .map(Some)
                .map_err(|e| format!("{}: {e} (e.g. 5s, 1m)", f.label(false)))
        };
        let d = Limits::default();
        let limits = Limits {
            parallel: number(Field::Parallel)?.unwrap_or(d.parallel),
            batch: number(Field::Batch)?,
            pause: duration(Field::Pause)?.unwrap_or_default(),
            max_failures: number(Field::MaxFailures)?,
            timeout: duration(Field::Timeout)?.unwrap_or(d.timeout),
            retries: match number(Field::Retries)? {
                Some(n) => {
                    u32::try_from(n).map_err(|_| format!("API retries: at most {}", u32::MAX))?
                }
                None => d.retries,
            },
        };
        limits.validate()?;
        if !limits.pause.is_zero() && limits.batch.is_none() {
            return Err("pause: needs a batch size (it is the pause between batches)".into());
        }
        let container = (!self.http).then(|| self.text(Field::Container)).filter(|c| !c.is_empty());
        Ok(Confirmed { method, container, limits })
    }

    /// "exec app-2048: nginx -s reload in 6 pods, 10 at a time"
    pub fn effect(&self, c: &Confirmed) -> String {
        let n = self.targets.len();
        let what = match (&c.method, &c.container) {
            (ReloadMethod::Exec { argv }, Some(cont)) => {
                format!("exec {cont}: {}", join_words(argv))
            }
            (ReloadMethod::Exec { argv }, None) => format!("exec: {}", join_words(argv)),
            (ReloadMethod::Http { port, path }, _) => format!("HTTP GET :{port}{path}"),
        };
        let mut s = format!(
            "{what} in {n} pod{}, {} at a time",
            if n == 1 { "" } else { "s" },
            c.limits.parallel.min(n.max(1))
        );
        if let Some(b) = c.limits.batch {
            s.push_str(&format!(
                ", batches of {b} (first is the canary), pause {}",
                humantime::format_duration(c.limits.pause)
            ));
        }
        if let Some(m) = c.limits.max_failures {
            s.push_str(&format!(", stop after {m} failure{}", if m == 1 { "" } else { "s" }));
        }
        s.push_str(&format!(", timeout {}", humantime::format_duration(c.limits.timeout)));
        // Every limit the audit log records is in these words: retries too.
        s.push_str(&format!(
            ", {} API retr{}",
            c.limits.retries,
            if c.limits.retries == 1 { "y" } else { "ies" }
        ));
        if self.chain {
            s.push_str(", each once it is IN PLACE");
        }
        s
    }

    fn start(&mut self, c: Confirmed, now: Timestamp) -> Vec<Cmd> {
        // Unique enough within one console: runs start at most once per key press.
        let run = now.as_nanosecond() as u64;
        let targets: Vec<ReloadTarget> = self
            .targets
            .iter()
            .cloned()
            .map(|mut t| {
                t.container = c.container.clone();
                t
            })
            .collect();
        let pods: Vec<String> = targets.iter().map(|t| t.pod.clone()).collect();
        let view =
            ReloadView::new(c.method.clone(), c.limits.clone(), c.container.clone(), &pods, now);
        self.phase = Phase::Running { run, view: Box::new(view) };
        if self.chain {
            return vec![Cmd::Intent(Intent::StartChainReload {
                run,
                method: c.method,
                limits: c.limits,
                container: c.container,
            })];
        }
        vec![Cmd::Intent(Intent::StartReload { run, method: c.method, limits: c.limits, targets })]
    }

    fn form_key(&mut self, key: KeyEvent, now: Timestamp) -> DialogOutcome {
        let confirming = match &mut self.phase {
            Phase::Form { confirming } => confirming,
            Phase::Running { .. } => return DialogOutcome::Stay(Vec::new()),
        };
        if let Some(c) = confirming.clone() {
            return match keymap::lookup(Context::ReloadConfirm, &key) {
                Some(Action::Start) => DialogOutcome::Stay(self.start(c, now)),
                _ => {
                    *confirming = None;
                    DialogOutcome::Stay(Vec::new())
                }
            };
        }
        let action = keymap::lookup(Context::ReloadForm, &key);
        let on_method = self.focused() == Field::Method;
        match action {
            Some(Action::Cancel) => return DialogOutcome::Close(Vec::new()),
            Some(Action::NextField) => self.move_focus(1),
            Some(Action::PrevField) => self.move_focus(-1),
            Some(Action::Submit) => match self.parse() {
                Ok(c) => {
                    self.error = None;
                    self.phase = Phase::Form { confirming: Some(c) };
                }
                Err(e) => self.error = Some(e),
            },
            Some(Action::SwitchMethod) if on_method => {
                self.http = !self.http;
                self.edited = true;
                self.set_text(Field::Command, "");
                let placeholder = if self.http {
                    "e.g. 3000/reload   (GET through the API server's pods/proxy)"
                } else {
                    "e.g. nginx -s reload   (argv, no shell; sh -c '…' for one)"
                };
                self.inputs[1].set_placeholder_text(placeholder);
            }
            _ if on_method => {}
            // The other fields are text: what is not an action above edits them.
            _ => {
                if self.focused() == Field::Command {
                    self.edited = true;
                }
                let typed = matches!(key.code, KeyCode::Char(_))
                    && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
                if std::mem::take(&mut self.fresh) && typed {
                    let f = self.focused();
                    self.set_text(f, "");
                }
                self.inputs[self.focus].input(key);
                self.error = None;
            }
        }
        DialogOutcome::Stay(Vec::new())
    }

    fn move_focus(&mut self, delta: isize) {
        let n = FIELDS.len() as isize;
        let mut i = self.focus as isize;
        loop {
            i = (i + delta).rem_euclid(n);
            // The container means nothing for HTTP.
            if !(self.http && FIELDS[i as usize] == Field::Container) {
                break;
            }
        }
        self.focus = i as usize;
        self.fresh = matches!(
            FIELDS[self.focus],
            Field::Parallel
                | Field::Batch
                | Field::Pause
                | Field::MaxFailures
                | Field::Timeout
                | Field::Retries
        );
    }

    fn view_key(&mut self, key: KeyEvent) -> DialogOutcome {
        let Phase::Running { run, view } = &mut self.phase else {
            return DialogOutcome::Stay(Vec::new());
        };
        let live = !view.finished();
        match keymap::lookup(Context::ReloadRun, &key) {
            Some(Action::CancelRun) if live && !view.cancel_requested => {
                view.cancel_requested = true;
                DialogOutcome::Stay(vec![Cmd::Intent(Intent::CancelReload { run: *run })])
            }
            // Back to the table; a running reload goes on and `r` brings this view back.
            Some(Action::Back) if live => DialogOutcome::Park(Vec::new()),
            Some(Action::Back | Action::Close) if !live => DialogOutcome::Close(Vec::new()),
            Some(Action::Down) => {
                view.scroll = (view.scroll + 1).min(view.pods.len().saturating_sub(1));
                DialogOutcome::Stay(Vec::new())
            }
            Some(Action::Up) => {
                view.scroll = view.scroll.saturating_sub(1);
                DialogOutcome::Stay(Vec::new())
            }
            _ => DialogOutcome::Stay(Vec::new()),
        }
    }

    pub fn view(&self) -> Option<&ReloadView> {
        match &self.phase {
            Phase::Running { view, .. } => Some(view),
            Phase::Form { .. } => None,
        }
    }

    /// The distinct sets of the targets (namespace/name), for looking up their reload default.
    pub fn sets(&self) -> Vec<Key> {
        let mut sets: Vec<Key> = self
            .targets
            .iter()
            .filter_map(|t| Some(Key::new(t.namespace.clone(), t.set.clone()?)))
            .collect();
        sets.sort();
        sets.dedup();
        sets
    }

    /// The run this dialog shows, once started.
    pub fn run(&self) -> Option<u64> {
        match &self.phase {
            Phase::Running { run, .. } => Some(*run),
            Phase::Form { .. } => None,
        }
    }
}

/// The screen's face to the state machine: keys and the flow's replies in, an outcome out.
impl ReloadDialog {
    pub fn title(&self) -> String {
        match &self.phase {
            Phase::Form { .. } => plural(self.targets.len(), "Reload"),
            Phase::Running { view, .. } if view.finished() => "Reload finished".into(),
            Phase::Running { .. } => "Reload running".into(),
        }
    }

    pub fn on_key(&mut self, key: KeyEvent, ctx: &DialogCtx) -> DialogOutcome {
        match self.phase {
            Phase::Form { .. } => self.form_key(key, ctx.now),
            Phase::Running { .. } => self.view_key(key),
        }
    }

    /// Whether a reply about `run` (`ReloadReply::run`) is for this screen: defaults while the
    /// form is open, progress of its own run.
    pub fn wants(&self, run: Option<u64>) -> bool {
        match run {
            None => matches!(self.phase, Phase::Form { .. }),
            Some(run) => self.run() == Some(run),
        }
    }

    pub fn on_msg(&mut self, reply: ReloadReply, ctx: &DialogCtx) -> DialogOutcome {
        match reply {
            ReloadReply::Defaults(d) => self.apply_defaults(d),
            ReloadReply::Progress(p) => {
                if let Phase::Running { run, view } = &mut self.phase
                    && p.run == *run
                {
                    for e in p.events {
                        view.apply(e, ctx.now);
                    }
                }
            }
            ReloadReply::Failed(f) => {
                if let Phase::Running { run, view } = &mut self.phase
                    && f.run == *run
                {
                    view.error = Some(f.error);
                }
            }
        }
        DialogOutcome::Stay(Vec::new())
    }
}

/// "Reload 1 pod", "Reload 6 pods".
pub fn plural(n: usize, verb: &str) -> String {
    format!("{verb} {n} pod{}", if n == 1 { "" } else { "s" })
}

/// Words as the user would type them back (quoted when they hold spaces).
pub fn join_words(argv: &[String]) -> String {
    argv.iter()
        .map(|w| {
            if w.is_empty() || w.contains(char::is_whitespace) {
                format!("'{}'", w.replace('\'', "'\\''"))
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Split a command line into words: whitespace separates, '…' and "…" group (no escapes inside
/// single quotes, \" inside double quotes). No shell features: what you type is the argv.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("command: a ' is not closed".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => cur.push(c),
                            None => return Err("command: a \" is not closed".into()),
                        },
                        Some(c) => cur.push(c),
                        None => return Err("command: a \" is not closed".into()),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// The dialog for these GameServers, with the main container of their set (when they share one).
pub fn for_targets(state: &crate::tui::app::state::State, targets: &[Key]) -> ReloadDialog {
    let sets: Vec<Option<String>> = targets
        .iter()
        .map(|k| state.fleet.gameservers.get(k).and_then(|g| g.owner_set()).map(str::to_string))
        .collect();
    let mut mains: Vec<Option<String>> = targets
        .iter()
        .zip(&sets)
        .map(|(k, s)| {
            let set = (k.namespace.clone(), s.clone()?);
            state.fleet.headers.get(&set)?.template.first().map(|(c, _)| c.clone())
        })
        .collect();
    mains.dedup();
    let main = match mains.as_slice() {
        [one] => one.clone(),
        _ => None,
    };
    ReloadDialog::new(targets, &sets, main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell_without_one() {
        assert_eq!(split_words("nginx -s reload").unwrap(), ["nginx", "-s", "reload"]);
        assert_eq!(
            split_words("sh -c 'nginx -t && nginx -s reload'").unwrap(),
            ["sh", "-c", "nginx -t && nginx -s reload"]
        );
        assert_eq!(split_words(r#"echo "a \"b\"" ''"#).unwrap(), ["echo", "a \"b\"", ""]);
        assert!(split_words("echo 'open").is_err());
        let argv: Vec<String> = ["sh", "-c", "a b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(split_words(&join_words(&argv)).unwrap(), argv);
    }

    #[test]
    fn targets_are_reloaded_in_ordinal_order_not_text_order() {
        // A BTreeSet of marks hands them over in text order.
        let keys: Vec<Key> = ["gss-0", "gss-1", "gss-10", "gss-100", "gss-2"]
            .iter()
            .map(|n| Key::new("ns", *n))
            .collect();
        let sets = vec![Some("gss".to_string()); keys.len()];
        let d = ReloadDialog::new(&keys, &sets, None);
        let order: Vec<&str> = d.targets.iter().map(|t| t.pod.as_str()).collect();
        assert_eq!(order, ["gss-0", "gss-1", "gss-2", "gss-10", "gss-100"]);
    }
}
