//! Watches (kube-runtime watchers) for GameServerSets, GameServers and Pods, and for the events
//! of the pod in the detail view. They emit their own events (`ClusterEvent`, `PodEvents`) into
//! any sender whose message type those convert into. A (re)list is sent in pages ended by a
//! `*Synced`, so the UI applies thousands of objects in few messages. The first list is
//! streamed in the watch itself (`sendInitialEvents`) where the API server can, which spares
//! one request per 500 objects; a server that cannot gets paged lists.
use std::fmt::Debug;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Config, Event as WEvent};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::liveness::{Liveness, Silence};
use super::set_watch::{Tappable, Taps};
use jiff::Timestamp;
use okg_domain::fleet::{GsEntry, Key, PodInfo};
use okg_domain::types::{GameServer, GameServerSet, labels};

/// Running watch tasks; dropping this stops them.
#[derive(Default)]
pub struct Watches {
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Watches {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn api<K>(client: &kube::Client, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = kube::core::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// Drop what the console never reads (managedFields is often half of an object's size).
fn slim<K: kube::Resource>(mut obj: K) -> K {
    obj.meta_mut().managed_fields = None;
    obj
}

/// How one kind's watch events become messages: `slim` reduces each object as it arrives (so a
/// relist of 10,000 pods is never held in full), then applied / deleted / page / synced wrap it.
struct Wrap<K, S> {
    slim: fn(K) -> S,
    applied: fn(S) -> ClusterEvent,
    deleted: fn(Key) -> ClusterEvent,
    page: fn(Vec<S>) -> ClusterEvent,
    synced: fn(Vec<Key>) -> ClusterEvent,
}

/// What the watchers report. A (re)list arrives in pages ended by a `*Synced`, so a burst of
/// thousands of objects is a few messages, not thousands.
#[allow(clippy::large_enum_variant)]
pub enum ClusterEvent {
    SetApplied(GameServerSet),
    SetDeleted(Key),
    /// GameServers arrive reduced too (see `GsEntry`).
    GameServerApplied(GsEntry),
    GameServerDeleted(Key),
    /// Pods arrive already reduced to what the console reads (see `PodInfo`).
    PodApplied(PodInfo),
    PodDeleted(Key),
    /// A page of a (re)list: applied as it comes so the first screen does not wait for the whole
    /// list; the `*Synced` that ends the list names every object it had, and the rest are dropped.
    SetsPage(Vec<GameServerSet>),
    SetsSynced(Vec<Key>),
    GameServersPage(Vec<GsEntry>),
    GameServersSynced(Vec<Key>),
    PodsPage(Vec<PodInfo>),
    PodsSynced(Vec<Key>),
    /// A watch failed; it retries with backoff. Shown until the next good event.
    WatchError(String),
    /// A watch's data may be old: it failed, or it was silent for `QUIET` and the API server did
    /// not answer a small list within `PROBE_TIMEOUT`. `since` is the last time it was known
    /// good (an event, or an answered probe).
    Stale {
        watch: WatchKind,
        since: Timestamp,
    },
    /// The stale watch is good again.
    Fresh(WatchKind),
}

/// The fleet's three watches. Each covers every set of the namespace, so a stale one makes
/// every row group stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchKind {
    Sets,
    GameServers,
    Pods,
}

impl WatchKind {
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Silence after which the fleet's watches ask the API server whether it is still there.
pub use super::liveness::QUIET;
/// How often a stale watch asks again.
const STALE_RETRY: Duration = Duration::from_secs(1);
/// How long that question (a list of one object) may take before the watch counts as stale.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// The longest wait between two attempts of a failing watch: after an API-server restart the
/// fleet is back within about this long, not kube-runtime's default 30 s.
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Exponential backoff from 200 ms, doubling, capped at `MAX_BACKOFF`.
pub struct CappedBackoff {
    next: Duration,
}

impl Default for CappedBackoff {
    fn default() -> Self {
        Self { next: Duration::from_millis(200) }
    }
}

impl Iterator for CappedBackoff {
    type Item = Duration;
    fn next(&mut self) -> Option<Duration> {
        let now = self.next;
        self.next = (self.next * 2).min(MAX_BACKOFF);
        Some(now)
    }
}

impl kube::runtime::utils::Backoff for CappedBackoff {
    fn reset(&mut self) {
        *self = Self::default();
    }
}

impl ClusterEvent {
    pub fn describe(&self) -> String {
        match self {
            ClusterEvent::SetApplied(_) => "SetApplied".into(),
            ClusterEvent::SetDeleted(k) => format!("SetDeleted({k})"),
            ClusterEvent::GameServerApplied(_) => "GameServerApplied".into(),
            ClusterEvent::GameServerDeleted(k) => format!("GameServerDeleted({k})"),
            ClusterEvent::PodApplied(_) => "PodApplied".into(),
            ClusterEvent::PodDeleted(k) => format!("PodDeleted({k})"),
            ClusterEvent::SetsPage(v) => format!("SetsPage({})", v.len()),
            ClusterEvent::GameServersPage(v) => format!("GameServersPage({})", v.len()),
            ClusterEvent::PodsPage(v) => format!("PodsPage({})", v.len()),
            ClusterEvent::SetsSynced(v) => format!("SetsSynced({})", v.len()),
            ClusterEvent::GameServersSynced(v) => format!("GameServersSynced({})", v.len()),
            ClusterEvent::PodsSynced(v) => format!("PodsSynced({})", v.len()),
            ClusterEvent::WatchError(e) => format!("WatchError({e})"),
            ClusterEvent::Stale { watch, since } => format!("Stale({watch:?} since {since})"),
            ClusterEvent::Fresh(w) => format!("Fresh({w:?})"),
        }
    }

    /// What the sets' watch sends for a complete (re)list of `sets`: its pages, then the
    /// `SetsSynced` naming them all. Tests and benchmarks feed these to the console instead of a
    /// cluster, so they take the path a real list takes.
    pub fn sets_listed(sets: Vec<GameServerSet>) -> Vec<ClusterEvent> {
        listed(sets, Key::of, ClusterEvent::SetsPage, ClusterEvent::SetsSynced)
    }

    /// [`ClusterEvent::sets_listed`] for GameServers.
    pub fn gameservers_listed(gss: Vec<GameServer>) -> Vec<ClusterEvent> {
        let entries = gss.iter().map(GsEntry::of).collect();
        listed(
            entries,
            |e: &GsEntry| e.key.clone(),
            ClusterEvent::GameServersPage,
            ClusterEvent::GameServersSynced,
        )
    }

    /// [`ClusterEvent::sets_listed`] for pods (already reduced, as the watch reduces them).
    pub fn pods_listed(pods: Vec<PodInfo>) -> Vec<ClusterEvent> {
        listed(pods, |p| p.key.clone(), ClusterEvent::PodsPage, ClusterEvent::PodsSynced)
    }

    /// The three watches' first lists, in the order the console usually gets them.
    pub fn fleet_listed(
        sets: Vec<GameServerSet>,
        gss: Vec<GameServer>,
        pods: Vec<PodInfo>,
    ) -> Vec<ClusterEvent> {
        let mut events = Self::sets_listed(sets);
        events.extend(Self::gameservers_listed(gss));
        events.extend(Self::pods_listed(pods));
        events
    }
}

/// A complete list as `pump` sends it: pages of at most `PAGE` objects (none for an empty list),
/// then the synced event naming every object.
fn listed<S>(
    items: Vec<S>,
    key: impl Fn(&S) -> Key,
    page: fn(Vec<S>) -> ClusterEvent,
    synced: fn(Vec<Key>) -> ClusterEvent,
) -> Vec<ClusterEvent> {
    let keys: Vec<Key> = items.iter().map(key).collect();
    let mut events = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        events.push(page(items.by_ref().take(PAGE).collect()));
    }
    events.push(synced(keys));
    events
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

/// The recent events of one pod, newest last (for the detail view).
#[derive(Clone, Debug, PartialEq)]
pub struct PodEvents {
    pub key: Key,
    pub events: Vec<EventLine>,
}

/// Where watch events go: any message type they convert into.
pub trait Sink: From<ClusterEvent> + From<PodEvents> + Send + 'static {}
impl<M: From<ClusterEvent> + From<PodEvents> + Send + 'static> Sink for M {}

/// Objects of a (re)list sent to the UI at once: the first screen appears after the first page
/// instead of after the whole list, and the UI still applies few, large messages.
const PAGE: usize = 500;

/// Whether the API server answers a list of one object within `PROBE_TIMEOUT`.
async fn answers<K>(api: &Api<K>) -> bool
where
    K: kube::Resource + Clone + DeserializeOwned + Debug,
    K::DynamicType: Default,
{
    let params = kube::api::ListParams::default().limit(1);
    let list = api.list(&params);
    matches!(tokio::time::timeout(PROBE_TIMEOUT, list).await, Ok(Ok(_)))
}

/// Whether a watch failed because the server does not stream lists (`sendInitialEvents`): a
/// server without the WatchList feature (gate off: 1.27–1.31, and 1.33 by default) refuses the
/// parameter with 422 Invalid; some aggregated servers answer 400.
fn no_streaming_lists(e: &watcher::Error) -> bool {
    matches!(e, watcher::Error::WatchStartFailed(kube::Error::Api(s)) if s.code == 422 || s.code == 400)
}

async fn pump<K, S, M: Sink>(
    api: Api<K>,
    config: watcher::Config,
    tx: UnboundedSender<M>,
    wrap: Wrap<K, S>,
    kind: WatchKind,
    taps: Taps,
    live: Liveness,
) where
    K: Tappable + DeserializeOwned + Debug + Send + 'static,
    K::DynamicType: Default,
    S: Send + 'static,
{
    // Streaming lists until the server says it has none; then pages, for the rest of this watch.
    let mut paged = false;
    let start = |paged: bool| {
        let config = if paged { config.clone() } else { config.clone().streaming_lists() };
        watcher::watcher(api.clone(), config).backoff(CappedBackoff::default()).boxed()
    };
    let mut stream = start(paged);
    let mut buffer: Vec<S> = Vec::new();
    let mut seen: Vec<Key> = Vec::new();
    let mut stale = false;
    loop {
        // While stale, ask more often, so the recovery shows within a second or two.
        let wait = if stale { STALE_RETRY } else { live.wait(STALE_RETRY) };
        let ev = match tokio::time::timeout(wait, stream.next()).await {
            Ok(Some(ev)) => ev,
            Ok(None) => return,
            Err(_silent) if stale => {
                if answers(&api).await {
                    live.heard();
                    // The server is back but this watch may hang on a dead connection:
                    // start over (a relist), which also ends the staleness.
                    stream = start(paged);
                }
                continue;
            }
            Err(_silent) => {
                let since = match live.silence() {
                    Silence::Heard | Silence::Asking => continue,
                    Silence::Unanswered(since) => since,
                    Silence::Ask(since) => {
                        let answered = answers(&api).await;
                        live.answered(answered);
                        if answered {
                            continue;
                        }
                        since
                    }
                };
                stale = true;
                let msg = ClusterEvent::Stale { watch: kind, since };
                if tx.send(M::from(msg)).is_err() {
                    return;
                }
                continue;
            }
        };
        // `Init` comes before the list request is even sent: no sign of the server.
        if ev.as_ref().is_ok_and(|e| !matches!(e, WEvent::Init)) {
            live.heard();
            if std::mem::take(&mut stale) && tx.send(M::from(ClusterEvent::Fresh(kind))).is_err() {
                return;
            }
        }
        if !paged && ev.as_ref().is_err_and(no_streaming_lists) {
            tracing::info!("{kind:?} watch: no streaming lists on this server; listing in pages");
            paged = true;
            stream = start(paged);
            continue;
        }
        // A followed set's raw objects, before they are reduced (`set_watch`).
        if let Ok(ev) = &ev {
            taps.offer(ev);
        }
        let msg = match ev {
            Ok(WEvent::Init) => {
                buffer.clear();
                seen.clear();
                continue;
            }
            Ok(WEvent::InitApply(obj)) => {
                seen.push(Key::new(
                    obj.meta().namespace.clone().unwrap_or_default(),
                    obj.meta().name.clone().unwrap_or_default(),
                ));
                buffer.push((wrap.slim)(obj));
                if buffer.len() < PAGE {
                    continue;
                }
                (wrap.page)(std::mem::take(&mut buffer))
            }
            Ok(WEvent::InitDone) => {
                if !buffer.is_empty()
                    && tx.send(M::from((wrap.page)(std::mem::take(&mut buffer)))).is_err()
                {
                    return;
                }
                (wrap.synced)(std::mem::take(&mut seen))
            }
            Ok(WEvent::Apply(obj)) => (wrap.applied)((wrap.slim)(obj)),
            Ok(WEvent::Delete(obj)) => (wrap.deleted)(Key::new(
                obj.meta().namespace.clone().unwrap_or_default(),
                obj.meta().name.clone().unwrap_or_default(),
            )),
            Err(e) => {
                tracing::warn!("watch failed: {e}");
                // A failed (re)list or watch: what is shown is as old as the last good event.
                if !std::mem::replace(&mut stale, true)
                    && tx
                        .send(M::from(ClusterEvent::Stale {
                            watch: kind,
                            since: live.last_heard(),
                        }))
                        .is_err()
                {
                    return;
                }
                ClusterEvent::WatchError(format!("watch: {}", super::client::error_chain(&e)))
            }
        };
        if tx.send(M::from(msg)).is_err() {
            return; // the UI is gone
        }
    }
}

/// Start the three fleet watches in `namespace` (`None`: all namespaces). `taps` get the raw
/// objects of the sets a rollout follows.
pub fn spawn_fleet<M: Sink>(
    client: &kube::Client,
    namespace: Option<&str>,
    tx: UnboundedSender<M>,
    taps: &Taps,
) -> Watches {
    taps.cover(namespace);
    let live = Liveness::default();
    let sets: Api<GameServerSet> = api(client, namespace);
    let gss: Api<GameServer> = api(client, namespace);
    let pods: Api<Pod> = api(client, namespace);
    // Only pods OKG owns: the console has no use for the rest of the namespace.
    let pod_config = watcher::Config::default().labels(labels::OWNER_GSS);
    let sets_wrap = Wrap {
        slim: slim::<GameServerSet>,
        applied: ClusterEvent::SetApplied,
        deleted: ClusterEvent::SetDeleted,
        page: ClusterEvent::SetsPage,
        synced: ClusterEvent::SetsSynced,
    };
    let gs_wrap = Wrap {
        slim: |g: GameServer| GsEntry::of(&g),
        applied: ClusterEvent::GameServerApplied,
        deleted: ClusterEvent::GameServerDeleted,
        page: ClusterEvent::GameServersPage,
        synced: ClusterEvent::GameServersSynced,
    };
    let pod_wrap = Wrap {
        slim: |p: Pod| PodInfo::from_pod(&p),
        applied: ClusterEvent::PodApplied,
        deleted: ClusterEvent::PodDeleted,
        page: ClusterEvent::PodsPage,
        synced: ClusterEvent::PodsSynced,
    };
    Watches {
        tasks: vec![
            tokio::spawn(pump(
                sets,
                Config::default(),
                tx.clone(),
                sets_wrap,
                WatchKind::Sets,
                taps.clone(),
                live.clone(),
            )),
            tokio::spawn(pump(
                gss,
                Config::default(),
                tx.clone(),
                gs_wrap,
                WatchKind::GameServers,
                taps.clone(),
                live.clone(),
            )),
            tokio::spawn(pump(pods, pod_config, tx, pod_wrap, WatchKind::Pods, taps.clone(), live)),
        ],
    }
}

pub(crate) fn event_line(e: &Event) -> EventLine {
    let time = e
        .last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0));
    EventLine {
        time,
        type_: e.type_.clone().unwrap_or_default(),
        reason: e.reason.clone().unwrap_or_default(),
        message: e.message.clone().unwrap_or_default(),
        count: e.count.unwrap_or(1),
    }
}

/// Follow the events whose involved object is this pod; sends the whole (recent) list on every
/// change, oldest first.
pub fn spawn_pod_events<M: Sink>(
    client: &kube::Client,
    key: Key,
    tx: UnboundedSender<M>,
) -> JoinHandle<()> {
    let api: Api<Event> = Api::namespaced(client.clone(), &key.namespace);
    let config = watcher::Config::default().fields(&format!("involvedObject.name={}", key.name));
    tokio::spawn(async move {
        let mut stream = watcher::watcher(api, config).backoff(CappedBackoff::default()).boxed();
        let mut events: std::collections::BTreeMap<String, EventLine> = Default::default();
        let mut init: Vec<Event> = Vec::new();
        while let Some(ev) = stream.next().await {
            let is_ours = |e: &Event| e.involved_object.name.as_deref() == Some(key.name.as_str());
            match ev {
                Ok(WEvent::Init) => init.clear(),
                Ok(WEvent::InitApply(e)) => init.push(e),
                Ok(WEvent::InitDone) => {
                    events = init
                        .drain(..)
                        .filter(is_ours)
                        .map(|e| (e.metadata.name.clone().unwrap_or_default(), event_line(&e)))
                        .collect();
                }
                Ok(WEvent::Apply(e)) if is_ours(&e) => {
                    events.insert(e.metadata.name.clone().unwrap_or_default(), event_line(&e));
                }
                Ok(WEvent::Delete(e)) => {
                    events.remove(&e.metadata.name.clone().unwrap_or_default());
                }
                Ok(_) => continue,
                Err(e) => {
                    tracing::debug!("event watch for {key}: {e}");
                    continue;
                }
            }
            let mut list: Vec<EventLine> = events.values().cloned().collect();
            list.sort_by_key(|e| e.time);
            let keep = list.len().saturating_sub(50);
            list.drain(..keep);
            if tx.send(M::from(PodEvents { key: key.clone(), events: list })).is_err() {
                return;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_fleet_comes_as_the_watch_sends_it() {
        let sets: Vec<GameServerSet> = (0..PAGE + 1)
            .map(|i| GameServerSet::new(&format!("s{i}"), Default::default()))
            .collect();
        let events = ClusterEvent::fleet_listed(sets, Vec::new(), Vec::new());
        let described: Vec<String> = events.iter().map(ClusterEvent::describe).collect();
        assert_eq!(
            described,
            [
                format!("SetsPage({PAGE})"),
                "SetsPage(1)".into(),
                format!("SetsSynced({})", PAGE + 1),
                // An empty list: no page, only the synced event (which empties the store).
                "GameServersSynced(0)".into(),
                "PodsSynced(0)".into(),
            ]
        );
    }
}
