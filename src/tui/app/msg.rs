//! Messages into the state machine and commands out of it.
use crossterm::event::{KeyEvent, MouseEvent};
use jiff::Timestamp;

use crate::cluster::access::Capabilities;
pub use crate::cluster::logs::{LogStream, Options as LogOptions};
pub use crate::cluster::watch::{ClusterEvent, EventLine, PodEvents};
use crate::ops::bump_task::{BumpCmd, BumpReply};
use crate::ops::reload_task::ReloadReply;
use crate::tui::screens::picker::state::PickKind;
use okg_domain::fleet::Key;

/// Everything that can change the state: input, time, and what the cluster tasks report.
// Messages are moved once through a channel; boxing objects would cost an allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum Msg {
    Key(KeyEvent),
    /// A click or the wheel (mouse capture is on unless `--no-mouse`).
    Mouse(MouseEvent),
    /// The items of a picker the shell was asked for (`Cmd::ListChoices`): contexts of the
    /// kubeconfig, namespaces of the cluster; `Err` says why they could not be read.
    Choices {
        kind: PickKind,
        items: Result<Vec<String>, String>,
    },
    Resize {
        width: u16,
        height: u16,
    },
    /// The 1 s age tick (and the clock of tests).
    Tick(Timestamp),
    Cluster(ClusterEvent),
    /// The Advanced StatefulSets' revisions (`cluster::asts_watch`).
    Asts(crate::cluster::asts_watch::AstsEvent),
    /// Answers of the RBAC probe (`cluster::access::probe`).
    Capabilities(Capabilities),
    /// Recent events of a pod, newest last (for the detail view).
    PodEvents {
        key: Key,
        events: Vec<EventLine>,
    },
    /// A one-line note for the status bar (e.g. from a finished command).
    Note(String),
    /// A `:ctx` switch connected: the I/O shell holds the new connection until `Cmd::Adopt`.
    Switched {
        switch: u64,
        context: String,
        server: String,
        namespace: Option<String>,
    },
    /// A `:ctx` switch failed; the current context stays.
    SwitchFailed {
        switch: u64,
        context: String,
        error: String,
    },
    /// The bump flow's replies (`ops::bump_task`), for the bump screen.
    Bump(BumpReply),
    /// The reload flow's replies (`ops::reload_task`), for the reload screen of their run.
    Reload(ReloadReply),
    /// A signal (named) or a shutdown request: quit now, without asking (`signals`).
    Shutdown(String),
    /// What a logs feed (`tui::logs_task`) read, for the logs screen of that feed.
    Logs(LogEvent),
    /// The set-ops flow's replies (`ops::gs_ops_task`), for the edit screen.
    GsOps(crate::ops::gs_ops_task::GsOpsReply),
    /// A staged rollout's pause / resume answer (`ops::staged_task`).
    Staged(crate::ops::staged_task::StagedReply),
    /// An object read for the YAML / describe screen (`cluster::objects`).
    Object(crate::cluster::objects::ObjectReply),
    /// A credential plugin must ask the user something: lend it the terminal (`Cmd::Lend`).
    Lend(crate::tui::suspend::Loan),
}

impl From<crate::ops::staged_task::StagedReply> for Msg {
    fn from(r: crate::ops::staged_task::StagedReply) -> Self {
        Msg::Staged(r)
    }
}

impl From<crate::ops::gs_ops_task::GsOpsReply> for Msg {
    fn from(r: crate::ops::gs_ops_task::GsOpsReply) -> Self {
        Msg::GsOps(r)
    }
}

/// One report of a logs feed. `feed` numbers the feed, so lines of a feed already replaced
/// (another container picked, the screen closed and opened again) are dropped.
#[derive(Clone, Debug, PartialEq)]
pub enum LogEvent {
    /// A line of stream `stream` (an index into the feed's streams), as read, when it arrived
    /// and, by the log's timestamp (the feed asks for them), when it was written.
    Line { feed: u64, stream: usize, at_ms: i64, written_ms: Option<i64>, text: String },
    /// The stream ended: the server closed it, or refused it (`why` says which, in words).
    Ended { feed: u64, stream: usize, why: String },
}

impl LogEvent {
    pub fn feed(&self) -> u64 {
        match self {
            LogEvent::Line { feed, .. } | LogEvent::Ended { feed, .. } => *feed,
        }
    }
}

impl From<crate::cluster::asts_watch::AstsEvent> for Msg {
    fn from(e: crate::cluster::asts_watch::AstsEvent) -> Self {
        Msg::Asts(e)
    }
}

impl From<ClusterEvent> for Msg {
    fn from(e: ClusterEvent) -> Self {
        Msg::Cluster(e)
    }
}

impl From<PodEvents> for Msg {
    fn from(e: PodEvents) -> Self {
        Msg::PodEvents { key: e.key, events: e.events }
    }
}

impl From<BumpReply> for Msg {
    fn from(r: BumpReply) -> Self {
        Msg::Bump(r)
    }
}

impl From<ReloadReply> for Msg {
    fn from(r: ReloadReply) -> Self {
        Msg::Reload(r)
    }
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Msg::Key(k) => write!(f, "Key({k:?})"),
            Msg::Mouse(m) => write!(f, "Mouse({:?} at {},{})", m.kind, m.column, m.row),
            Msg::Choices { kind, items } => {
                write!(f, "Choices({kind:?}, {:?})", items.as_ref().map(Vec::len))
            }
            Msg::Resize { width, height } => write!(f, "Resize({width}x{height})"),
            Msg::Tick(t) => write!(f, "Tick({t})"),
            Msg::Cluster(e) => write!(f, "Cluster({})", e.describe()),
            Msg::Asts(e) => write!(f, "Asts({e:?})"),
            Msg::Capabilities(_) => write!(f, "Capabilities"),
            Msg::PodEvents { key, events } => write!(f, "PodEvents({key}, {})", events.len()),
            Msg::Note(n) => write!(f, "Note({n})"),
            Msg::Switched { context, .. } => write!(f, "Switched({context})"),
            Msg::SwitchFailed { context, .. } => write!(f, "SwitchFailed({context})"),
            Msg::Bump(r) => write!(f, "Bump({r:?})"),
            Msg::Reload(r) => write!(f, "Reload({r:?})"),
            Msg::GsOps(r) => write!(f, "GsOps({r:?})"),
            Msg::Staged(r) => write!(f, "Staged({r:?})"),
            Msg::Shutdown(why) => write!(f, "Shutdown({why})"),
            Msg::Logs(e) => write!(f, "Logs({e:?})"),
            Msg::Object(r) => write!(f, "Object({})", r.request),
            Msg::Lend(_) => write!(f, "Lend"),
        }
    }
}

/// Requests from the state machine to the I/O shell. `update` never does I/O itself.
#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    Quit,
    /// Read the items of a picker (contexts, namespaces); the answer is `Msg::Choices`.
    ListChoices(PickKind),
    /// Follow the events of this pod (replacing any previous one); `None` stops.
    WatchPodEvents(Option<Key>),
    /// Restart the watches on another namespace (`None` = all namespaces).
    SwitchNamespace(Option<String>),
    /// Connect to another kubeconfig context in the background (`switch` numbers the attempt);
    /// the current one stays live until `Adopt`.
    SwitchContext {
        switch: u64,
        context: String,
    },
    /// Make the connection of a finished switch the current one (restart the watches on it).
    Adopt {
        switch: u64,
    },
    /// A cluster-changing intent, for the operation tasks (bump/reload dialogs plug in here).
    Intent(Intent),
    /// A step of the bump flow (plan, apply, follow), for `ops::bump_task`.
    Bump(BumpCmd),
    /// The set-ops flow (`e`): plan or send (`ops::gs_ops_task`).
    GsOps(crate::ops::gs_ops_task::GsOpsCmd),
    /// Pause or resume a staged rollout (`ops::staged_task`).
    Staged(crate::ops::staged_task::StagedCmd),
    /// The logs screen's feed: open, stop, save (`tui::logs_task`).
    Logs(LogsCmd),
    /// Read an object (and events) for the YAML / describe screen; answered as `Msg::Object`.
    Object(crate::cluster::objects::ObjectRequest),
    /// Put this text on the terminal's clipboard (OSC 52), written by the terminal backend.
    Copy(String),
    /// Leave the screen for an interactive shell in this pod's container (`tui::shell`); the
    /// loop draws everything again when it ends.
    Shell {
        pod: Key,
        container: String,
    },
    /// Lend the terminal to a credential plugin until it is done (`tui::suspend`).
    Lend(crate::tui::suspend::Loan),
}

#[derive(Clone, Debug, PartialEq)]
pub enum LogsCmd {
    /// Read these streams (replacing any feed open), reporting as `Msg::Logs` with `feed`.
    Open { feed: u64, streams: Vec<LogStream>, options: LogOptions },
    /// Stop the feed: the logs screen closed.
    Stop,
    /// Write `text` to a new file named after `name` in the saved-logs directory; the shell
    /// answers with a note naming the file.
    Save { name: String, text: String },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Intent {
    /// Open the reload flow for these GameServers (the shell answers with their sets' reload
    /// defaults, `ReloadReply::Defaults`, as a `Msg::Reload`).
    Reload { targets: Vec<Key>, sets: Vec<Key> },
    /// Start a confirmed reload; progress comes back as `reload_dialog::ReloadProgress`.
    StartReload {
        run: u64,
        method: okg_domain::reload_plan::ReloadMethod,
        limits: okg_domain::reload_plan::Limits,
        targets: Vec<okg_domain::reload_plan::ReloadTarget>,
    },
    /// Start a confirmed reload chained onto the latest rollout (`ops::chain`); progress comes
    /// back as `reload_dialog::ReloadProgress`.
    StartChainReload {
        run: u64,
        method: okg_domain::reload_plan::ReloadMethod,
        limits: okg_domain::reload_plan::Limits,
        container: Option<String>,
    },
    /// Cancel a running reload (running pods end cancelled, pending ones skipped).
    CancelReload { run: u64 },
}
