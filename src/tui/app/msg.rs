//! Messages into the state machine and commands out of it.
use std::any::Any;

use crossterm::event::KeyEvent;
use jiff::Timestamp;

use crate::cluster::access::Capabilities;
use okg_domain::fleet::{Key, PodInfo};
use okg_domain::types::{GameServer, GameServerSet};

/// Everything that can change the state: input, time, and what the cluster tasks report.
// Messages are moved once through a channel; boxing objects would cost an allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum Msg {
    Key(KeyEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// The 1 s age tick (and the clock of tests).
    Tick(Timestamp),
    Cluster(ClusterEvent),
    /// Answers of the RBAC probe (`cluster::access::probe`).
    Capabilities(Capabilities),
    /// Recent events of a pod, newest last (for the detail view).
    PodEvents {
        key: Key,
        events: Vec<EventLine>,
    },
    /// A one-line note for the status bar (e.g. from a finished command).
    Note(String),
    /// The shell reconnected (context switch): where the console now points.
    Connected {
        context: String,
        server: String,
        namespace: Option<String>,
    },
    /// Progress of some operation, for the dialog on top of the overlay stack to interpret.
    Dialog(Box<dyn Any + Send>),
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Msg::Key(k) => write!(f, "Key({k:?})"),
            Msg::Resize { width, height } => write!(f, "Resize({width}x{height})"),
            Msg::Tick(t) => write!(f, "Tick({t})"),
            Msg::Cluster(e) => write!(f, "Cluster({})", e.describe()),
            Msg::Capabilities(_) => write!(f, "Capabilities"),
            Msg::PodEvents { key, events } => write!(f, "PodEvents({key}, {})", events.len()),
            Msg::Note(n) => write!(f, "Note({n})"),
            Msg::Dialog(_) => write!(f, "Dialog(..)"),
            Msg::Connected { context, .. } => write!(f, "Connected({context})"),
        }
    }
}

/// What the watchers report. A (re)list arrives whole (`Replace*`) so a burst of thousands of
/// objects is one message, not thousands.
#[allow(clippy::large_enum_variant)]
pub enum ClusterEvent {
    SetApplied(GameServerSet),
    SetDeleted(Key),
    SetsReplaced(Vec<GameServerSet>),
    GameServerApplied(GameServer),
    GameServerDeleted(Key),
    GameServersReplaced(Vec<GameServer>),
    /// Pods arrive already reduced to what the console reads (see `PodInfo`).
    PodApplied(PodInfo),
    PodDeleted(Key),
    PodsReplaced(Vec<PodInfo>),
    /// A page of a (re)list: applied as it comes so the first screen does not wait for the whole
    /// list; the `*Synced` that ends the list names every object it had, and the rest are dropped.
    SetsPage(Vec<GameServerSet>),
    SetsSynced(Vec<Key>),
    GameServersPage(Vec<GameServer>),
    GameServersSynced(Vec<Key>),
    PodsPage(Vec<PodInfo>),
    PodsSynced(Vec<Key>),
    /// A watch failed; it retries with backoff. Shown until the next good event.
    WatchError(String),
}

impl ClusterEvent {
    fn describe(&self) -> String {
        match self {
            ClusterEvent::SetApplied(_) => "SetApplied".into(),
            ClusterEvent::SetDeleted(k) => format!("SetDeleted({k})"),
            ClusterEvent::SetsReplaced(v) => format!("SetsReplaced({})", v.len()),
            ClusterEvent::GameServerApplied(_) => "GameServerApplied".into(),
            ClusterEvent::GameServerDeleted(k) => format!("GameServerDeleted({k})"),
            ClusterEvent::GameServersReplaced(v) => format!("GameServersReplaced({})", v.len()),
            ClusterEvent::PodApplied(_) => "PodApplied".into(),
            ClusterEvent::PodDeleted(k) => format!("PodDeleted({k})"),
            ClusterEvent::PodsReplaced(v) => format!("PodsReplaced({})", v.len()),
            ClusterEvent::SetsPage(v) => format!("SetsPage({})", v.len()),
            ClusterEvent::GameServersPage(v) => format!("GameServersPage({})", v.len()),
            ClusterEvent::PodsPage(v) => format!("PodsPage({})", v.len()),
            ClusterEvent::SetsSynced(v) => format!("SetsSynced({})", v.len()),
            ClusterEvent::GameServersSynced(v) => format!("GameServersSynced({})", v.len()),
            ClusterEvent::PodsSynced(v) => format!("PodsSynced({})", v.len()),
            ClusterEvent::WatchError(e) => format!("WatchError({e})"),
        }
    }
}

/// One Kubernetes event about a pod, as the detail view lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct EventLine {
    pub time: Option<Timestamp>,
    pub type_: String,
    pub reason: String,
    pub message: String,
    pub count: i32,
}

/// Requests from the state machine to the I/O shell. `update` never does I/O itself.
#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    Quit,
    /// Follow the events of this pod (replacing any previous one); `None` stops.
    WatchPodEvents(Option<Key>),
    /// Restart the watches on another namespace (`None` = all namespaces).
    SwitchNamespace(Option<String>),
    /// Reconnect with another kubeconfig context.
    SwitchContext(String),
    /// A cluster-changing intent, for the operation tasks (bump/reload dialogs plug in here).
    Intent(Intent),
    /// A step of the bump flow (plan, apply, follow), for `ops::bump_task`.
    Bump(crate::tui::screens::bump::state::BumpCmd),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Intent {
    /// Open the bump flow for these GameServers (the marked ones, else the cursor's) or set.
    Bump { set: Option<Key>, targets: Vec<Key> },
    /// Open the reload flow for these GameServers (the shell answers with their sets' reload
    /// defaults, `reload_dialog::ReloadDefaults`, as a `Msg::Dialog`).
    Reload { targets: Vec<Key>, sets: Vec<Key> },
    /// Start a confirmed reload; progress comes back as `reload_dialog::ReloadProgress`.
    StartReload {
        run: u64,
        method: okg_domain::reload_plan::ReloadMethod,
        limits: okg_domain::reload_plan::Limits,
        targets: Vec<okg_domain::reload_plan::ReloadTarget>,
    },
    /// From the rollout view: open the reload dialog for the rollout's pods, each reloaded once
    /// IN PLACE (the shell answers with the set's reload default, like `Reload`).
    ReloadRollout { set: Key, targets: Vec<Key> },
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
