//! A watch of the Advanced StatefulSets (`apps.kruise.io/v1beta1` `statefulsets`) OKG drives
//! for the GameServerSets, for their revisions: `status.updateRevision` against
//! `currentRevision` tells a set mid-update. Apart from the fleet's watches: a cluster without
//! OpenKruise's CRD, or RBAC that does not let the console read them, gives no revisions and
//! nothing else (no error, no retry storm), and the fleet is not held up by it.
use futures::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::watcher::{self, Config, Event};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use okg_domain::asts::Revisions;

/// What the watch reports.
#[derive(Clone, Debug, PartialEq)]
pub enum AstsEvent {
    /// A (re)list starts: forget what was known (another namespace or context, too).
    Reset,
    Seen {
        namespace: String,
        name: String,
        revisions: Revisions,
    },
    Gone {
        namespace: String,
        name: String,
    },
}

/// The task watching them in `namespace` (all with `None`); dropping the handle does not stop
/// it, `abort` does (the caller keeps it beside the fleet's watches).
pub fn spawn<M>(
    client: &kube::Client,
    namespace: Option<&str>,
    tx: UnboundedSender<M>,
) -> JoinHandle<()>
where
    M: From<AstsEvent> + Send + 'static,
{
    let gvk = GroupVersionKind::gvk("apps.kruise.io", "v1beta1", "StatefulSet");
    let ar = ApiResource::from_gvk_with_plural(&gvk, "statefulsets");
    let api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    };
    tokio::spawn(async move {
        let mut events = Box::pin(watcher::watcher(api, Config::default()));
        while let Some(ev) = events.next().await {
            let out = match ev {
                Ok(ev) => of_event(ev),
                // Not served (no CRD) or not allowed: there is nothing to show, say nothing.
                Err(watcher::Error::InitialListFailed(kube::Error::Api(e)))
                | Err(watcher::Error::WatchStartFailed(kube::Error::Api(e)))
                    if matches!(e.code, 403 | 404) =>
                {
                    return;
                }
                Err(e) => {
                    tracing::debug!("advanced statefulset watch: {e}");
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    continue;
                }
            };
            for e in out {
                if tx.send(M::from(e)).is_err() {
                    return;
                }
            }
        }
    })
}

fn of_event(ev: Event<DynamicObject>) -> Vec<AstsEvent> {
    let seen = |o: DynamicObject| {
        let namespace = o.metadata.namespace.clone().unwrap_or_default();
        let name = o.metadata.name.clone().unwrap_or_default();
        let revisions = serde_json::to_value(&o).map(|v| Revisions::from_value(&v)).ok()?;
        Some(AstsEvent::Seen { namespace, name, revisions })
    };
    match ev {
        Event::Init => vec![AstsEvent::Reset],
        Event::InitApply(o) | Event::Apply(o) => seen(o).into_iter().collect(),
        Event::Delete(o) => vec![AstsEvent::Gone {
            namespace: o.metadata.namespace.unwrap_or_default(),
            name: o.metadata.name.unwrap_or_default(),
        }],
        Event::InitDone => Vec::new(),
    }
}
