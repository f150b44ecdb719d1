//! Where a follow's view of the set comes from: its own scoped watches (the CLI), or the
//! console's fleet watches through a tap (plus one read to start from). Either way the follow
//! reads a watch-fed view and sends no request per tick.
use tokio::sync::watch;

use super::asts::AstsRead;
use super::{BumpError, Snapshot, read_set};
use crate::cluster::set_watch::{self, SetChange, SetView, Tap, Taps, Tasks};

/// How a follow is fed.
#[derive(Clone, Default)]
pub enum FeedSource {
    /// Open the set's own watches (set, GameServers, pods, Advanced StatefulSet).
    #[default]
    Watch,
    /// The console's fleet watches already see the set, its GameServers and pods: copy them
    /// from there. Only the Advanced StatefulSet gets a watch of its own: the console's
    /// `asts_watch` (merged alongside) has no tap yet, so that one object is watched twice.
    Console(Taps),
}

impl std::fmt::Debug for FeedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FeedSource::Watch => "Watch",
            FeedSource::Console(_) => "Console",
        })
    }
}

/// One set's view, kept current by its feed until dropped.
pub struct SetFeed {
    rx: watch::Receiver<SetView>,
    set: String,
    _tap: Option<Tap>,
    _tasks: Tasks,
}

/// What the follow judges from at one moment.
pub struct Look {
    /// `None` until every kind is listed, or while the set is missing.
    pub snapshot: Option<Snapshot>,
    pub asts: AstsRead,
    /// The last failure of a watch, until the next good event.
    pub error: Option<String>,
    /// Listed, and the set is not there.
    pub missing: bool,
}

impl SetFeed {
    pub fn open(client: &kube::Client, namespace: &str, set: &str, source: &FeedSource) -> Self {
        let (ctx, mut crx) = set_watch::channel();
        let (vtx, rx) = watch::channel(SetView::default());
        let mut tasks = Tasks::default();
        let tap = match source {
            FeedSource::Watch => {
                set_watch::spawn(client, namespace, set, &ctx, &mut tasks);
                None
            }
            FeedSource::Console(taps) => {
                // The tap first, then the read: nothing that happens in between is lost.
                let tap = taps.open(namespace, set, ctx.clone());
                let (client, ns, name, tx) =
                    (client.clone(), namespace.to_string(), set.to_string(), ctx.clone());
                tasks.push(tokio::spawn(async move { seed(&client, &ns, &name, &tx).await }));
                Some(tap)
            }
        };
        set_watch::spawn_asts(client, namespace, set, &ctx, &mut tasks);
        let (client, ns, name) = (client.clone(), namespace.to_string(), set.to_string());
        tasks.push(tokio::spawn(async move {
            // Watches of its own, once the console's no longer see the set.
            let mut own = Tasks::default();
            while let Some(c) = crx.recv().await {
                if matches!(c, SetChange::Uncovered) {
                    set_watch::spawn(&client, &ns, &name, &ctx, &mut own);
                }
                // A burst (a relist, a rollout's wave of pods) is one change for the follow.
                vtx.send_modify(|v| {
                    v.apply(c);
                    while let Ok(c) = crx.try_recv() {
                        v.apply(c);
                    }
                });
            }
        }));
        SetFeed { rx, set: set.to_string(), _tap: tap, _tasks: tasks }
    }

    /// Wait for the next change (never returns once every feed has ended).
    pub async fn changed(&mut self) {
        if self.rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// The view now; marks it seen, so `changed` waits for the next change.
    pub fn look(&mut self) -> Look {
        let v = self.rx.borrow_and_update();
        let asts = match &v.asts {
            Some(Ok(r)) => AstsRead::Read(r.clone()),
            Some(Err(e)) => AstsRead::Unreadable(e.clone()),
            None => AstsRead::Unreadable("not read yet".into()),
        };
        let gss = v.set.items.get(&self.set);
        let snapshot = match gss {
            Some(gss) if v.synced() => Some(Snapshot {
                gss: gss.clone(),
                gameservers: v.gameservers.items.values().cloned().collect(),
                pods: v.pods.items.values().cloned().collect(),
            }),
            _ => None,
        };
        Look { snapshot, asts, error: v.error.clone(), missing: v.synced() && gss.is_none() }
    }
}

/// One read of the set for a tapped view, again each second while it fails.
async fn seed(
    client: &kube::Client,
    namespace: &str,
    set: &str,
    tx: &tokio::sync::mpsc::UnboundedSender<SetChange>,
) {
    loop {
        let change = match read_set(client, namespace, set).await {
            Ok(Snapshot { gss, gameservers, pods }) => {
                SetChange::Seed { set: Some(gss), gameservers, pods }
            }
            Err(BumpError::NotFound { .. }) => {
                SetChange::Seed { set: None, gameservers: vec![], pods: vec![] }
            }
            Err(e) => {
                if tx.send(SetChange::Error(e.to_string())).is_err() {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        let _ = tx.send(change);
        return;
    }
}
