//! The TUI's state: the live fleet, the flattened view of it, the cursor, marks, filters and the
//! stack of screens over the main table. Owned by the UI task alone.
use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use tui_textarea::TextArea;

use super::filter::Filter;
use super::msg::{Cmd, EventLine, Msg};
use super::store::{FleetStore, SetKey};
use crate::cluster::access::{ApiAction, Capabilities, Permission};
use crate::tui::screens::bump::state::BumpDialog;
use crate::tui::screens::logs::screen::LogsScreen;
use crate::tui::screens::reload::state::ReloadDialog;
use okg_domain::columns::sort::Sort;
use okg_domain::fleet::{self, Key, Row};

/// One line of the main table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TableLine {
    Group(SetKey),
    Row(Key),
}

/// A screen on top of the main table: a closed set. The last one on the stack gets the keys and
/// is drawn over the others; hidden ones (`State::parked`) still get their flow's messages.
/// An operation the console runs, as the question before quitting names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Running {
    /// Cancelled on quit; every pod's outcome is recorded.
    Reload { pods: usize, done: usize },
    /// Only followed by the console: on quit the following stops, the rollout goes on.
    Rollout { set: String, done: usize, pods: usize },
    /// A staged rollout this console drives: on quit it stops where it stands, resumable.
    Staged { set: String },
}

impl std::fmt::Display for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Running::Reload { pods, done } => write!(f, "a reload of {pods} pods ({done} done)"),
            Running::Rollout { set, done, pods } => {
                write!(f, "the rollout of {set} ({done} of {pods} pods final)")
            }
            Running::Staged { set } => write!(f, "the staged rollout of {set}, driven here"),
        }
    }
}

pub enum Overlay {
    Detail {
        key: Key,
        scroll: u16,
    },
    Help {
        scroll: u16,
    },
    /// A set's staged rollout as a timeline of its stages (`o`), read from the record the
    /// watch keeps current: also what a read-only monitor opens.
    Staged(Box<crate::tui::screens::staged::state::StagedScreen>),
    Input(Box<Input>),
    /// The bump flow, and the rollout it follows.
    Bump(Box<BumpDialog>),
    /// The reload flow, and its run.
    Reload(Box<ReloadDialog>),
    /// The logs of the cursor's pod or the marked pods (`l`, `p`); its feed stops when it
    /// closes.
    Logs(Box<LogsScreen>),
    /// Set opsState, a priority or networkDisabled on chosen GameServers (`e`).
    GsOps(Box<crate::tui::screens::gs_ops::state::GsOpsDialog>),
    /// The YAML (`y`) or describe (`d`) page of an object read fresh.
    Object(Box<crate::tui::screens::object::state::ObjectScreen>),
    /// A picker of the `:` line (`:ctx`, `:ns`, `:gss`, `:gs`, `:pod` without a name).
    Picker(Box<crate::tui::screens::picker::state::Picker>),
    /// `s` on a pod with several containers: which one the shell goes into.
    ShellPick(crate::tui::screens::shell::state::ShellPick),
}

impl Overlay {
    pub fn title(&self) -> String {
        match self {
            Overlay::Detail { key, .. } => key.name.clone(),
            Overlay::Help { .. } => "Help".into(),
            Overlay::Staged(s) => format!("rollout of {}", s.set.1),
            Overlay::Input(i) => i.kind.prompt().trim().to_string(),
            Overlay::Bump(d) => d.title(),
            Overlay::Reload(d) => d.title(),
            Overlay::Logs(l) => format!("logs of {}", l.save_name()),
            Overlay::GsOps(d) => d.title(),
            Overlay::Object(o) => o.title(),
            Overlay::Picker(p) => p.title(),
            Overlay::ShellPick(p) => format!("shell in {}", p.pod.name),
        }
    }
}

/// A text prompt at the bottom (filter, command line, the logs' search), edited with
/// tui-textarea.
pub struct Input {
    pub kind: InputKind,
    pub textarea: TextArea<'static>,
    pub error: Option<String>,
    /// What `tab` found when more than one thing fits (the `:` line), listed under the prompt.
    pub candidates: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// The row filter: a regex, or `-l SELECTOR` for labels (as in k9s).
    Filter,
    Command,
    /// The search of the logs screen under the prompt.
    LogSearch,
    /// The search of the YAML / describe screen under the prompt.
    ObjectSearch,
}

impl InputKind {
    pub fn prompt(self) -> &'static str {
        match self {
            InputKind::Filter => "/",
            InputKind::LogSearch => "search logs: ",
            InputKind::ObjectSearch => "search: ",
            InputKind::Command => ":",
        }
    }
}

/// What a dialog did with a key or message.
pub enum DialogOutcome {
    /// Stay open; send these commands.
    Stay(Vec<Cmd>),
    /// Close; send these commands.
    Close(Vec<Cmd>),
    /// Hide but keep alive in `State::parked`: it still gets its messages while hidden (a
    /// rollout being followed: `o` shows it again; a running reload: `r`).
    Park(Vec<Cmd>),
    /// Stay open and open another screen on top of it; send these commands.
    Open(Opening, Vec<Cmd>),
    /// Close and open another screen in its place; send these commands.
    Replace(Opening, Vec<Cmd>),
}

/// A screen that one screen asks the state machine to open (it cannot build it itself: that
/// needs the whole state).
#[derive(Clone, Debug, PartialEq)]
pub enum Opening {
    /// The reload form for a rollout's pods, each reloaded once it is IN PLACE.
    ChainedReload { set: Key, targets: Vec<Key> },
    /// The form of a staged rollout of `container` to `image` (the bump dialog's "staged").
    StagedStart { set: SetKey, container: String, image: String },
}

/// What a dialog may read of the state.
pub struct DialogCtx<'a> {
    pub now: Timestamp,
    pub fleet: &'a FleetStore,
    pub marks: &'a BTreeSet<Key>,
}

/// Why an action may be unavailable: read-only session, or what RBAC said.
#[derive(Clone, Debug, Default)]
pub struct Access {
    pub read_only: bool,
    pub caps: Option<Capabilities>,
}

impl Access {
    /// `Ok` when the action can be offered; otherwise the reason, in words.
    pub fn check(&self, needs: &[ApiAction]) -> Result<(), String> {
        if self.read_only {
            return Err("read-only session (--read-only): no writer exists".into());
        }
        let Some(caps) = &self.caps else {
            return Err("still asking the API server what you may do".into());
        };
        // Any one of the alternatives is enough (reload: exec or HTTP proxy).
        let mut reasons = Vec::new();
        for a in needs {
            match caps.get(*a) {
                Permission::Allowed => return Ok(()),
                Permission::Denied(r) => reasons.push(format!("RBAC denies {}: {r}", a.describe())),
                Permission::Unknown(r) => {
                    reasons.push(format!("cannot tell if you may {}: {r}", a.describe()))
                }
            }
        }
        Err(reasons.join("; "))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

pub struct State {
    pub now: Timestamp,
    pub context: String,
    pub server: String,
    /// `None`: all namespaces.
    pub namespace: Option<String>,
    pub access: Access,
    pub fleet: FleetStore,
    /// Each set's Advanced StatefulSet revisions, by (namespace, name); empty when the cluster
    /// has none or RBAC does not let the console read them.
    pub asts: HashMap<(String, String), okg_domain::asts::Revisions>,
    /// Visible lines, in order; rebuilt only when the shape changes.
    pub view: Vec<TableLine>,
    index: HashMap<TableLine, usize>,
    /// The line under the cursor, by identity (not position), so it stays put while rows change.
    pub cursor: Option<TableLine>,
    cursor_pos: usize,
    /// First visible line.
    pub scroll: usize,
    /// Rows of the table area, known from the last resize.
    pub page: usize,
    pub width: u16,
    pub folded: BTreeSet<SetKey>,
    /// Marked GameServers, by namespace/name. Kept across deletion so a re-created GameServer is
    /// still marked.
    pub marks: BTreeSet<Key>,
    /// Start of a range selection (`V`).
    pub visual: Option<TableLine>,
    pub filter: Filter,
    /// The table's order within each set (shift+letter, as k9s); `None`: by name.
    pub sort: Option<Sort>,
    pub overlays: Vec<Overlay>,
    /// Screens hidden with `DialogOutcome::Park` (a rollout being followed, a running reload).
    pub parked: Vec<Overlay>,
    /// The reload last started per set (namespace/name) in this console: the next reload
    /// dialog on that set starts from it (`open::reload`).
    pub reload_memory:
        std::collections::BTreeMap<Key, crate::tui::screens::reload::state::Confirmed>,
    /// The container last bumped per set (loaded from choices.json at start).
    pub bump_choices: std::collections::BTreeMap<SetKey, String>,
    /// The kubeconfig's contexts, once read for the `:` line (`tab`, the `:ctx` picker).
    pub contexts: Vec<String>,
    /// The cluster's namespaces, once listed for the `:ns` picker (`None`: not listed, or RBAC
    /// said no: then the namespaces seen in the watch stand in).
    pub namespaces: Option<Vec<String>>,
    /// A `:ctx` switch under way: (its number, the context asked for).
    pub switching: Option<(u64, String)>,
    switches: u64,
    /// Numbers the logs feeds, so lines of a replaced feed are told apart.
    feeds: u64,
    pub note: Option<(Level, String)>,
    pub watch_error: Option<String>,
    /// Events of the pod shown in the detail view.
    pub pod_events: Option<(Key, Vec<EventLine>)>,
    /// Rows that changed since the last age tick: drawn in the `changed` style once, then settle.
    pub flashed: std::collections::HashSet<Key>,
    /// Redraw needed.
    pub dirty: bool,
    pub quit: bool,
    /// `q` with operations running: what runs, until the user answers (`view::quit`).
    pub quit_confirm: Option<Vec<Running>>,
    /// Whether the first lists arrived (sets, gameservers, pods).
    pub synced: [bool; 3],
    /// List pages applied since the last list ended. The view is rebuilt on the 1st, 2nd,
    /// 4th, 8th… and when the list ends: a rebuild per page would cost O(N²/page) over a
    /// 50,000-object list, and the first page still shows at once.
    pub list_pages: u32,
    /// Per watch (`WatchKind::index`): stale since when (`ClusterEvent::Stale`).
    pub stale: [Option<Timestamp>; 3],
}

impl State {
    /// What the Advanced StatefulSet watch saw; redrawn only when a revision changed.
    pub fn on_asts(&mut self, ev: crate::cluster::asts_watch::AstsEvent) {
        use crate::cluster::asts_watch::AstsEvent;
        let changed = match ev {
            AstsEvent::Reset => !std::mem::take(&mut self.asts).is_empty(),
            AstsEvent::Seen { namespace, name, revisions } => {
                self.asts.insert((namespace, name), revisions.clone()) != Some(revisions)
            }
            AstsEvent::Gone { namespace, name } => self.asts.remove(&(namespace, name)).is_some(),
        };
        self.dirty |= changed;
    }

    pub fn new(
        context: &str,
        server: &str,
        namespace: Option<String>,
        access: Access,
        now: Timestamp,
    ) -> Self {
        Self {
            now,
            context: context.into(),
            server: server.into(),
            namespace,
            access,
            fleet: FleetStore::default(),
            asts: HashMap::new(),
            view: Vec::new(),
            index: HashMap::new(),
            cursor: None,
            cursor_pos: 0,
            scroll: 0,
            page: 20,
            width: 80,
            folded: BTreeSet::new(),
            marks: BTreeSet::new(),
            visual: None,
            filter: Filter::default(),
            sort: None,
            overlays: Vec::new(),
            parked: Vec::new(),
            reload_memory: Default::default(),
            bump_choices: Default::default(),
            contexts: Vec::new(),
            namespaces: None,
            switching: None,
            switches: 0,
            feeds: 0,
            note: None,
            watch_error: None,
            pod_events: None,
            flashed: Default::default(),
            dirty: true,
            quit: false,
            quit_confirm: None,
            synced: [false; 3],
            list_pages: 0,
            stale: [None; 3],
        }
    }

    /// Apply one message; the commands are for the I/O shell.
    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        super::update::update(self, msg)
    }

    pub fn row_matches(&self, key: &Key) -> bool {
        match self.fleet.rows.get(key) {
            Some(row) => {
                !self.filter.is_active() || self.filter.matches(row, || self.fleet.labels_of(key))
            }
            None => false,
        }
    }

    /// Rebuild the visible lines and put the cursor back on the line it was on (or, if that line
    /// went away, on the line now at its old position).
    pub fn rebuild_view(&mut self) {
        let mut view = Vec::with_capacity(self.fleet.rows.len() + self.fleet.headers.len());
        let filtering = self.filter.is_active();
        for set in self.fleet.groups() {
            let members = self.fleet.members.get(&set);
            let mut visible: Vec<&Key> = members
                .into_iter()
                .flatten()
                .map(|k| &k.0)
                .filter(|k| !filtering || self.row_matches(k))
                .collect();
            if let Some(sort) = self.sort {
                let rows = &self.fleet.rows;
                visible.sort_by(|a, b| match (rows.get(*a), rows.get(*b)) {
                    (Some(x), Some(y)) => row_order(sort, x, y),
                    _ => fleet::natural_cmp(&a.name, &b.name),
                });
            }
            if filtering && visible.is_empty() {
                continue;
            }
            let folded = self.folded.contains(&set);
            view.push(TableLine::Group(set));
            if !folded {
                view.extend(visible.into_iter().map(|k| TableLine::Row(k.clone())));
            }
        }
        // Until the first rows arrive the cursor only ever sat on a header by default: start
        // again on the first row.
        if !self.view.iter().any(|l| matches!(l, TableLine::Row(_))) {
            self.cursor = None;
        }
        self.index = view.iter().enumerate().map(|(i, l)| (l.clone(), i)).collect();
        self.view = view;
        self.place_cursor();
        self.dirty = true;
    }

    /// Whether the row `key` changed in place so that the sort puts it elsewhere: compared
    /// with its neighbours only, so a watch event costs the same with 10 or 10,000 rows.
    pub fn out_of_order(&self, key: &Key) -> bool {
        let (Some(sort), Some(&pos)) = (self.sort, self.index.get(&TableLine::Row(key.clone())))
        else {
            return false;
        };
        let row_at = |p: usize| match self.view.get(p) {
            Some(TableLine::Row(k)) => self.fleet.rows.get(k),
            _ => None,
        };
        let Some(row) = row_at(pos) else { return false };
        let before = pos.checked_sub(1).and_then(row_at);
        let after = row_at(pos + 1);
        before.is_some_and(|b| row_order(sort, b, row).is_gt())
            || after.is_some_and(|a| row_order(sort, row, a).is_gt())
    }

    /// Move the row `key`, changed in place, to where the sort puts it within its set: the
    /// lines between its old and new place shift by one, the rest of the view stays, so an
    /// event costs the size of a set, not of the fleet.
    pub fn resort_row(&mut self, key: &Key) {
        let line = TableLine::Row(key.clone());
        let (Some(sort), Some(&pos)) = (self.sort, self.index.get(&line)) else { return };
        let Some(row) = self.fleet.rows.get(key) else { return };
        let is_row = |l: &TableLine| matches!(l, TableLine::Row(_));
        let start = self.view[..pos].iter().rposition(|l| !is_row(l)).map_or(0, |g| g + 1);
        let end =
            self.view[pos..].iter().position(|l| !is_row(l)).map_or(self.view.len(), |n| pos + n);
        let moved = self.view.remove(pos);
        let rows = &self.fleet.rows;
        let place = self.view[start..end - 1].partition_point(|l| match l {
            TableLine::Row(k) => rows.get(k).is_some_and(|r| row_order(sort, r, row).is_lt()),
            TableLine::Group(_) => false,
        });
        self.view.insert(start + place, moved);
        let (a, b) = (pos.min(start + place), pos.max(start + place));
        for (i, l) in self.view.iter().enumerate().take(b + 1).skip(a) {
            self.index.insert(l.clone(), i);
        }
        self.place_cursor();
        self.dirty = true;
    }

    fn place_cursor(&mut self) {
        if self.view.is_empty() {
            self.cursor = None;
            self.cursor_pos = 0;
            return;
        }
        let pos = match self.cursor.as_ref().and_then(|c| self.index.get(c)) {
            Some(p) => *p,
            None => {
                // Prefer the first row over a header when starting out.
                if self.cursor.is_none() {
                    self.view.iter().position(|l| matches!(l, TableLine::Row(_))).unwrap_or(0)
                } else {
                    self.cursor_pos.min(self.view.len() - 1)
                }
            }
        };
        self.set_cursor_pos(pos);
    }

    pub fn cursor_pos(&self) -> usize {
        self.cursor_pos
    }

    pub fn set_cursor_pos(&mut self, pos: usize) {
        if self.view.is_empty() {
            return;
        }
        let pos = pos.min(self.view.len() - 1);
        self.cursor_pos = pos;
        self.cursor = Some(self.view[pos].clone());
        let page = self.page.max(1);
        if pos < self.scroll {
            self.scroll = pos;
        } else if pos >= self.scroll + page {
            self.scroll = pos + 1 - page;
        }
        self.scroll = self.scroll.min(self.view.len().saturating_sub(page));
        self.dirty = true;
    }

    pub fn position_of(&self, line: &TableLine) -> Option<usize> {
        self.index.get(line).copied()
    }

    /// The GameServer under the cursor, if the cursor is on a row.
    pub fn cursor_key(&self) -> Option<&Key> {
        match &self.cursor {
            Some(TableLine::Row(k)) => Some(k),
            _ => None,
        }
    }

    /// The set of the line under the cursor (a header's own set, or a row's).
    pub fn cursor_set(&self) -> Option<SetKey> {
        match self.cursor.as_ref()? {
            TableLine::Group(s) => Some(s.clone()),
            TableLine::Row(k) => {
                let gs = self.fleet.gameservers.get(k)?;
                Some((k.namespace.clone(), gs.owner_set().unwrap_or("(no set)").to_string()))
            }
        }
    }

    /// Rows between the range anchor and the cursor, inclusive.
    pub fn visual_range(&self) -> Option<(usize, usize)> {
        let anchor = self.position_of(self.visual.as_ref()?)?;
        let cur = self.cursor_pos;
        Some((anchor.min(cur), anchor.max(cur)))
    }

    /// Marked GameServers that currently exist.
    pub fn marked_present(&self) -> usize {
        self.marks.iter().filter(|k| self.fleet.rows.contains_key(k)).count()
    }

    pub fn note(&mut self, level: Level, text: impl Into<String>) {
        self.note = Some((level, text.into()));
        self.dirty = true;
    }

    pub fn top_overlay(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    /// The hidden bump flow (a rollout still followed), if any.
    pub fn parked_bump(&self) -> Option<&BumpDialog> {
        self.parked.iter().find_map(|o| match o {
            Overlay::Bump(d) => Some(d.as_ref()),
            _ => None,
        })
    }

    /// The hidden reload flow (a run going on in the background), if any.
    pub fn parked_reload(&self) -> Option<&ReloadDialog> {
        self.parked.iter().find_map(|o| match o {
            Overlay::Reload(d) => Some(d.as_ref()),
            _ => None,
        })
    }

    /// What the console itself is running, for the question before quitting: reload runs not
    /// finished, rollouts still followed.
    pub fn running_operations(&self) -> Vec<Running> {
        use crate::tui::screens::reload::state::Phase;
        let mut out = Vec::new();
        for o in self.overlays.iter().chain(&self.parked) {
            match o {
                Overlay::Reload(d) => {
                    if let Phase::Running { view, .. } = &d.phase
                        && !view.finished()
                    {
                        let c = view.counts();
                        out.push(Running::Reload { pods: c.total(), done: c.done() });
                    }
                }
                Overlay::Bump(d) => {
                    if let Some(r) = d.rollout.as_ref().filter(|r| r.running()) {
                        let (set, done, pods) = (r.plan.set.clone(), r.done(), r.targets);
                        out.push(Running::Rollout { set, done, pods });
                    }
                }
                Overlay::Staged(s) if s.driving() => {
                    out.push(Running::Staged { set: s.set.1.clone() });
                }
                _ => {}
            }
        }
        out
    }

    /// The oldest "known good" time of the stale watches, if any is stale. Every fleet watch
    /// covers every set, so this applies to every row group.
    pub fn stale_since(&self) -> Option<Timestamp> {
        self.stale.iter().flatten().min().copied()
    }

    /// A number for the next `:ctx` switch.
    pub fn next_switch(&mut self) -> u64 {
        self.switches += 1;
        self.switches
    }

    /// A number for the next logs feed.
    pub fn next_feed(&mut self) -> u64 {
        self.feeds += 1;
        self.feeds
    }

    /// The logs screen, wherever it is on the stack (a prompt or help may be over it).
    pub fn logs_screen_mut(&mut self) -> Option<&mut LogsScreen> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Logs(l) => Some(l.as_mut()),
            _ => None,
        })
    }

    pub fn gameserver_count(&self) -> usize {
        self.fleet.gameservers.len()
    }
}

/// The table's order within a set: the sort, then the name (as without a sort), so the order is
/// total and a rebuild puts equal rows where they were.
pub fn row_order(sort: Sort, a: &Row, b: &Row) -> std::cmp::Ordering {
    sort.cmp(a, b).then_with(|| fleet::natural_cmp(&a.key.name, &b.key.name))
}
