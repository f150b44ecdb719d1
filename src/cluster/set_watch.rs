//! One GameServerSet's objects (the set, its GameServers and pods, and its Advanced
//! StatefulSet's revisions) kept current from watch events, for a rollout's follow: no polling.
//! Two ways to feed it: its own scoped watchers (`spawn`, for the CLI), or a [`Taps`] registry
//! the console's fleet watches hand the raw objects of a followed set to, so the console never
//! opens a second watch of objects it already watches.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Config, Event as WEvent};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use super::client::describe;
use super::watch::CappedBackoff;
use okg_domain::asts::Revisions;
use okg_domain::types::{GameServer, GameServerSet, labels};

/// A change to one set's view.
#[allow(clippy::large_enum_variant)]
pub enum SetChange {
    Set(WEvent<GameServerSet>),
    GameServer(WEvent<GameServer>),
    Pod(WEvent<Pod>),
    /// The Advanced StatefulSet as read, or why it cannot be (then it is not watched).
    Asts(Result<Revisions, String>),
    /// One read of the set, for a view fed by taps that opened after the fleet's watches had
    /// listed: what the taps delivered since they opened wins where it is newer.
    Seed {
        set: Option<GameServerSet>,
        gameservers: Vec<GameServer>,
        pods: Vec<Pod>,
    },
    /// A watch or the seed failed; it retries. Cleared by the next good event.
    Error(String),
    /// The console's watches no longer see this set (another namespace or cluster): the view
    /// must be fed by watches of its own from now on.
    Uncovered,
}

/// Objects of one kind by name, as their watch events leave them.
#[derive(Clone, Debug)]
pub struct Kind<K> {
    pub items: BTreeMap<String, K>,
    /// A relist in progress: replaces `items` when it is done.
    relist: Option<BTreeMap<String, K>>,
    /// A complete list (or a seed) has been applied.
    pub synced: bool,
    /// Deleted objects and the resourceVersion of their deletion, so a seed read before the
    /// deletion does not bring them back.
    gone: BTreeMap<String, u64>,
}

impl<K> Default for Kind<K> {
    fn default() -> Self {
        Self { items: BTreeMap::new(), relist: None, synced: false, gone: BTreeMap::new() }
    }
}

fn name_of<K: kube::Resource>(o: &K) -> String {
    o.meta().name.clone().unwrap_or_default()
}

/// resourceVersions are opaque to clients, but every API server (and the demo) hands out
/// increasing integers; one that does not parse is older than anything.
fn version_of<K: kube::Resource>(o: &K) -> u64 {
    o.meta().resource_version.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0)
}

impl<K: kube::Resource> Kind<K> {
    pub fn apply(&mut self, ev: WEvent<K>) {
        match ev {
            WEvent::Init => self.relist = Some(BTreeMap::new()),
            WEvent::InitApply(o) => {
                let map = self.relist.as_mut().unwrap_or(&mut self.items);
                map.insert(name_of(&o), o);
            }
            WEvent::InitDone => {
                if let Some(r) = self.relist.take() {
                    self.items = r;
                }
                self.synced = true;
            }
            WEvent::Apply(o) => {
                self.gone.remove(&name_of(&o));
                self.items.insert(name_of(&o), o);
            }
            WEvent::Delete(o) => {
                self.items.remove(&name_of(&o));
                self.gone.insert(name_of(&o), version_of(&o));
            }
        }
    }

    /// Merge a read: each object unless what the watch delivered is as new or it was deleted
    /// since.
    pub fn seed(&mut self, list: Vec<K>) {
        for o in list {
            let (name, version) = (name_of(&o), version_of(&o));
            if self.gone.get(&name).is_some_and(|v| *v >= version)
                || self.items.get(&name).is_some_and(|cur| version_of(cur) >= version)
            {
                continue;
            }
            self.items.insert(name, o);
        }
        self.synced = true;
    }
}

/// What the follow judges from: the set's objects as the watches last said.
#[derive(Clone, Debug, Default)]
pub struct SetView {
    pub set: Kind<GameServerSet>,
    pub gameservers: Kind<GameServer>,
    pub pods: Kind<Pod>,
    /// `None` until read.
    pub asts: Option<Result<Revisions, String>>,
    /// The last failure of a watch or the seed, until the next good event.
    pub error: Option<String>,
}

impl SetView {
    pub fn apply(&mut self, change: SetChange) {
        if !matches!(change, SetChange::Error(_)) {
            self.error = None;
        }
        match change {
            SetChange::Set(ev) => self.set.apply(ev),
            SetChange::GameServer(ev) => self.gameservers.apply(ev),
            SetChange::Pod(ev) => self.pods.apply(ev),
            SetChange::Asts(a) => self.asts = Some(a),
            SetChange::Seed { set, gameservers, pods } => {
                self.set.seed(set.into_iter().collect());
                self.gameservers.seed(gameservers);
                self.pods.seed(pods);
            }
            SetChange::Error(e) => self.error = Some(e),
            // The feed opens its own watches; their lists replace what the taps left.
            SetChange::Uncovered => {}
        }
    }

    /// Every kind has been listed (or seeded) and the Advanced StatefulSet read.
    pub fn synced(&self) -> bool {
        self.set.synced && self.gameservers.synced && self.pods.synced && self.asts.is_some()
    }
}

/// Tasks that stop when this is dropped.
#[derive(Default)]
pub struct Tasks(Vec<JoinHandle<()>>);

impl Tasks {
    pub fn push(&mut self, t: JoinHandle<()>) {
        self.0.push(t);
    }
}

impl Drop for Tasks {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}

/// The objects a watch can hand to a tap, and the set each belongs to.
pub trait Tappable: kube::Resource + Clone + Sized {
    fn set_name(&self) -> Option<&str>;
    fn change(ev: WEvent<Self>) -> SetChange;
}

impl Tappable for GameServerSet {
    fn set_name(&self) -> Option<&str> {
        self.metadata.name.as_deref()
    }
    fn change(ev: WEvent<Self>) -> SetChange {
        SetChange::Set(ev)
    }
}

fn owner(labels: Option<&BTreeMap<String, String>>) -> Option<&str> {
    labels?.get(labels::OWNER_GSS).map(String::as_str)
}

impl Tappable for GameServer {
    fn set_name(&self) -> Option<&str> {
        owner(self.metadata.labels.as_ref())
    }
    fn change(ev: WEvent<Self>) -> SetChange {
        SetChange::GameServer(ev)
    }
}

impl Tappable for Pod {
    fn set_name(&self) -> Option<&str> {
        owner(self.metadata.labels.as_ref())
    }
    fn change(ev: WEvent<Self>) -> SetChange {
        SetChange::Pod(ev)
    }
}

type TapKey = (String, String);

/// The console's followed sets: its fleet watches offer each raw event here before reducing
/// it, and a followed set's are copied to its views. Cheap to clone (shared).
#[derive(Clone, Default)]
pub struct Taps(Arc<Mutex<Inner>>);

#[derive(Default)]
struct Inner {
    /// What the fleet watches cover: `None` before any, `Some(None)` every namespace.
    scope: Option<Option<String>>,
    /// Several follows of one set at once (a bump's and its chained reload's) each get a copy.
    taps: BTreeMap<TapKey, Vec<(u64, UnboundedSender<SetChange>)>>,
    next: u64,
}

impl Inner {
    fn covers(&self, namespace: &str) -> bool {
        self.scope.as_ref().is_some_and(|s| s.as_deref().is_none_or(|n| n == namespace))
    }
}

/// A set's tap; dropping it stops the copies.
pub struct Tap {
    taps: Taps,
    key: TapKey,
    id: u64,
}

impl Drop for Tap {
    fn drop(&mut self) {
        if let Ok(mut inner) = self.taps.0.lock()
            && let Some(list) = inner.taps.get_mut(&self.key)
        {
            list.retain(|(id, _)| *id != self.id);
            if list.is_empty() {
                inner.taps.remove(&self.key);
            }
        }
    }
}

impl Taps {
    /// Copy the events of `set` in `namespace` to `tx` from now on. When no fleet watch covers
    /// that namespace, `tx` is told at once (`SetChange::Uncovered`).
    pub fn open(&self, namespace: &str, set: &str, tx: UnboundedSender<SetChange>) -> Tap {
        let key = (namespace.to_string(), set.to_string());
        let mut id = 0;
        if let Ok(mut inner) = self.0.lock() {
            id = inner.next;
            inner.next += 1;
            if inner.covers(namespace) {
                inner.taps.entry(key.clone()).or_default().push((id, tx));
            } else {
                let _ = tx.send(SetChange::Uncovered);
            }
        }
        Tap { taps: self.clone(), key, id }
    }

    /// The fleet watches now cover `namespace` (`None`: all): the taps of sets elsewhere are
    /// told and closed.
    pub fn cover(&self, namespace: Option<&str>) {
        let Ok(mut inner) = self.0.lock() else { return };
        inner.scope = Some(namespace.map(str::to_string));
        let Inner { scope, taps, .. } = &mut *inner;
        taps.retain(|(ns, _), list| {
            let covered = scope.as_ref().is_some_and(|s| s.as_deref().is_none_or(|n| n == ns));
            if !covered {
                for (_, tx) in list.iter() {
                    let _ = tx.send(SetChange::Uncovered);
                }
            }
            covered
        });
    }

    /// Close every tap (the watches move to another cluster).
    pub fn release_all(&self) {
        let Ok(mut inner) = self.0.lock() else { return };
        for (_, tx) in inner.taps.values().flatten() {
            let _ = tx.send(SetChange::Uncovered);
        }
        inner.taps.clear();
    }

    /// Hand one watch event to the tap of the set it belongs to. A relist's start and end go to
    /// every tap: each view relists that kind.
    pub fn offer<K: Tappable>(&self, ev: &WEvent<K>) {
        let Ok(inner) = self.0.lock() else { return };
        if inner.taps.is_empty() {
            return;
        }
        let obj = match ev {
            WEvent::Init | WEvent::InitDone => {
                for (_, tx) in inner.taps.values().flatten() {
                    let copy =
                        if matches!(ev, WEvent::Init) { WEvent::Init } else { WEvent::InitDone };
                    let _ = tx.send(K::change(copy));
                }
                return;
            }
            WEvent::InitApply(o) | WEvent::Apply(o) | WEvent::Delete(o) => o,
        };
        let Some(set) = obj.set_name() else { return };
        let key = (obj.meta().namespace.clone().unwrap_or_default(), set.to_string());
        for (_, tx) in inner.taps.get(&key).into_iter().flatten() {
            let copy = match ev {
                WEvent::InitApply(o) => WEvent::InitApply(o.clone()),
                WEvent::Apply(o) => WEvent::Apply(o.clone()),
                _ => WEvent::Delete(obj.clone()),
            };
            let _ = tx.send(K::change(copy));
        }
    }
}

/// Forward one scoped watch's events as changes until the receiver is gone.
async fn forward<K: Tappable + DeserializeOwned + std::fmt::Debug + Send + 'static>(
    api: Api<K>,
    config: Config,
    tx: UnboundedSender<SetChange>,
) where
    K::DynamicType: Default,
{
    let mut stream = watcher::watcher(api, config).backoff(CappedBackoff::default()).boxed();
    while let Some(ev) = stream.next().await {
        let change = match ev {
            Ok(ev) => K::change(ev),
            Err(e) => SetChange::Error(format!("watch: {}", super::client::error_chain(&e))),
        };
        if tx.send(change).is_err() {
            return;
        }
    }
}

/// The three scoped watches of one set (the set by name, its GameServers and pods by the
/// owner label): for a follow outside the console.
pub fn spawn(
    client: &kube::Client,
    namespace: &str,
    set: &str,
    tx: &UnboundedSender<SetChange>,
    tasks: &mut Tasks,
) {
    let by_name = Config::default().fields(&format!("metadata.name={set}"));
    let owned = Config::default().labels(&format!("{}={set}", labels::OWNER_GSS));
    let sets: Api<GameServerSet> = Api::namespaced(client.clone(), namespace);
    let gss: Api<GameServer> = Api::namespaced(client.clone(), namespace);
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    tasks.push(tokio::spawn(forward(sets, by_name, tx.clone())));
    tasks.push(tokio::spawn(forward(gss, owned.clone(), tx.clone())));
    tasks.push(tokio::spawn(forward(pods, owned, tx.clone())));
}

/// The Advanced StatefulSet: one GET, then a watch of that one object when it can be read. An
/// unreadable one (no RBAC, no such resource) is said once and never asked again, so a refusal
/// costs one request, not one per backoff.
pub fn spawn_asts(
    client: &kube::Client,
    namespace: &str,
    set: &str,
    tx: &UnboundedSender<SetChange>,
    tasks: &mut Tasks,
) {
    let gvk = GroupVersionKind::gvk("apps.kruise.io", "v1beta1", "StatefulSet");
    let ar = ApiResource::from_gvk_with_plural(&gvk, "statefulsets");
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &ar);
    let (set, tx) = (set.to_string(), tx.clone());
    tasks.push(tokio::spawn(async move {
        let revisions =
            |o: &DynamicObject| serde_json::to_value(o).map(|v| Revisions::from_value(&v));
        match api.get(&set).await {
            Ok(o) => {
                if tx.send(SetChange::Asts(revisions(&o).map_err(|e| e.to_string()))).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(SetChange::Asts(Err(describe(&e))));
                return;
            }
        }
        let config = Config::default().fields(&format!("metadata.name={set}"));
        let mut stream = watcher::watcher(api, config).backoff(CappedBackoff::default()).boxed();
        while let Some(ev) = stream.next().await {
            let obj = match ev {
                Ok(WEvent::InitApply(o) | WEvent::Apply(o)) => o,
                _ => continue,
            };
            if let Ok(r) = revisions(&obj)
                && tx.send(SetChange::Asts(Ok(r))).is_err()
            {
                return;
            }
        }
    }));
}

/// A change channel.
pub fn channel() -> (UnboundedSender<SetChange>, UnboundedReceiver<SetChange>) {
    unbounded_channel()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, version: &str, image: &str) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": "default", "resourceVersion": version,
                         "labels": {labels::OWNER_GSS: "gss"}},
            "spec": {"containers": [{"name": "c", "image": image}]},
        }))
        .unwrap()
    }

    fn image(k: &Kind<Pod>, name: &str) -> Option<String> {
        k.items.get(name)?.spec.as_ref()?.containers[0].image.clone()
    }

    #[test]
    fn a_seed_does_not_undo_what_the_watch_said_since() {
        let mut k = Kind::<Pod>::default();
        k.apply(WEvent::Apply(pod("gss-0", "12", "new")));
        k.apply(WEvent::Delete(pod("gss-1", "13", "old")));
        k.seed(vec![pod("gss-0", "10", "old"), pod("gss-1", "9", "old"), pod("gss-2", "8", "a")]);
        assert_eq!(image(&k, "gss-0").as_deref(), Some("new"));
        assert!(!k.items.contains_key("gss-1"), "deleted since the read");
        assert_eq!(image(&k, "gss-2").as_deref(), Some("a"));
        assert!(k.synced);
        // A newer read wins over an older event.
        k.seed(vec![pod("gss-0", "20", "newer")]);
        assert_eq!(image(&k, "gss-0").as_deref(), Some("newer"));
    }

    #[test]
    fn a_relist_replaces_what_it_does_not_name() {
        let mut k = Kind::<Pod>::default();
        k.apply(WEvent::Apply(pod("gss-0", "1", "a")));
        k.apply(WEvent::Init);
        k.apply(WEvent::InitApply(pod("gss-1", "2", "b")));
        // Until the list is done the old objects stand.
        assert!(k.items.contains_key("gss-0") && !k.synced);
        k.apply(WEvent::InitDone);
        assert_eq!(k.items.keys().collect::<Vec<_>>(), ["gss-1"]);
        assert!(k.synced);
    }

    #[test]
    fn taps_copy_only_the_followed_sets_objects() {
        let taps = Taps::default();
        taps.cover(Some("default"));
        let (tx, mut rx) = channel();
        let tap = taps.open("default", "gss", tx);
        taps.offer(&WEvent::Apply(pod("gss-0", "1", "a")));
        let mut other = pod("x-0", "1", "a");
        other.metadata.labels = Some([(labels::OWNER_GSS.to_string(), "x".to_string())].into());
        taps.offer(&WEvent::Apply(other));
        let mut view = SetView::default();
        while let Ok(c) = rx.try_recv() {
            view.apply(c);
        }
        assert_eq!(view.pods.items.keys().collect::<Vec<_>>(), ["gss-0"]);
        drop(tap);
        taps.offer(&WEvent::Apply(pod("gss-1", "2", "a")));
        assert!(rx.try_recv().is_err(), "a closed tap copies nothing");
    }

    #[test]
    fn two_follows_of_one_set_each_get_every_event_and_a_switch_tells_them() {
        let taps = Taps::default();
        taps.cover(Some("default"));
        let ((a, mut ra), (b, mut rb)) = (channel(), channel());
        let (tap_a, _tap_b) = (taps.open("default", "gss", a), taps.open("default", "gss", b));
        taps.offer(&WEvent::Apply(pod("gss-0", "1", "a")));
        assert!(matches!(ra.try_recv(), Ok(SetChange::Pod(_))));
        assert!(matches!(rb.try_recv(), Ok(SetChange::Pod(_))));
        drop(tap_a);
        taps.offer(&WEvent::Apply(pod("gss-0", "2", "a")));
        assert!(matches!(rb.try_recv(), Ok(SetChange::Pod(_))), "the other tap stays open");
        taps.cover(Some("elsewhere"));
        assert!(matches!(rb.try_recv(), Ok(SetChange::Uncovered)));
        // A tap opened where no watch looks is told at once.
        let (c, mut rc) = channel();
        let _tap_c = taps.open("default", "gss", c);
        assert!(matches!(rc.try_recv(), Ok(SetChange::Uncovered)));
    }
}
