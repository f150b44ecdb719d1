//! The logs screen as the state machine holds it: the GameServers it reads, the feed that
//! brings their lines, and the ring-buffered state. Which streams a pick means is decided here,
//! from the pods the watches already know, so opening the screen asks the API server nothing
//! but the logs themselves.
use super::state::{Logs, Pick, Since};
use crate::cluster::logs::{LogStream, Options};
use crate::tui::app::store::FleetStore;
use okg_domain::fleet::Key;

/// Lines asked of each stream when the screen opens (`kubectl logs --tail`).
pub const TAIL_LINES: i64 = 200;
/// Pods read at once: more marked pods are cut to the first ones, and the screen says so.
pub const MAX_PODS: usize = 50;

pub struct LogsScreen {
    /// The feed the lines come from; lines of any other are dropped.
    pub feed: u64,
    pub targets: Vec<Key>,
    pub streams: Vec<LogStream>,
    pub logs: Logs,
}

impl LogsScreen {
    /// The screen for `targets` with `pick`, or `None` when no target has a pod with such a
    /// container.
    pub fn new(
        feed: u64,
        fleet: &FleetStore,
        targets: Vec<Key>,
        pick: Pick,
        previous: bool,
    ) -> Option<Self> {
        let streams = streams_for(fleet, &targets, &pick);
        if streams.is_empty() {
            return None;
        }
        let pairs: Vec<(String, String)> =
            streams.iter().map(|s| (s.pod.clone(), s.container.clone())).collect();
        let logs = Logs::new(&pairs, pick, previous);
        Some(LogsScreen { feed, targets, streams, logs })
    }

    /// What the feed asks of each stream: the last `TAIL_LINES` (or everything, or since a
    /// time: `Since`), then followed; the previous container's log is read once (it has
    /// ended). With the kubelet's timestamps, so that the line rate counts when lines were
    /// written, not when the opening burst brought them.
    pub fn options(&self) -> Options {
        let (tail, since_seconds) = match self.logs.since {
            Since::Tail => (Some(TAIL_LINES), None),
            Since::All => (None, None),
            Since::Seconds(s) => (None, Some(i64::from(s))),
        };
        Options {
            follow: !self.logs.previous,
            previous: self.logs.previous,
            timestamps: true,
            tail,
            since_seconds,
        }
    }

    /// The file name a save starts with: the pod, or the first pod and how many more.
    pub fn save_name(&self) -> String {
        let first = self.targets.first().map(|k| k.name.as_str()).unwrap_or("logs");
        match self.targets.len() {
            0 | 1 => first.to_string(),
            n => format!("{first}-and-{}-more", n - 1),
        }
    }
}

/// The (pod, container) streams of `targets` for `pick`, in target order. The main container is
/// the pod's first (the convention OKG's templates follow); the sidecars are the others.
pub fn streams_for(fleet: &FleetStore, targets: &[Key], pick: &Pick) -> Vec<LogStream> {
    let mut out = Vec::new();
    for key in targets {
        let Some(pod) = fleet.pods.get(key) else { continue };
        let names = pod.containers.iter().map(|(c, _)| c.clone());
        let chosen: Vec<String> = match pick {
            Pick::Main => names.take(1).collect(),
            Pick::Sidecar => names.skip(1).collect(),
            Pick::All => names.collect(),
        };
        out.extend(chosen.into_iter().map(|container| LogStream {
            namespace: key.namespace.clone(),
            pod: key.name.clone(),
            container,
        }));
    }
    out
}
