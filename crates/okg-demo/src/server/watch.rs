//! `?watch=true`: a stream of newline-delimited watch events (ADDED, MODIFIED, DELETED,
//! BOOKMARK, ERROR), fed from the store's history and live broadcast.
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::json;
use tokio::sync::{broadcast, mpsc};

use super::query::Query;
use super::rest::Selectors;
use super::table;
use crate::store::{ApiError, Change, ChangeType, Resource, Store, Stored};

/// How often a watch that asked for bookmarks gets one (the real server: about a minute).
const BOOKMARK_EVERY: Duration = Duration::from_secs(1);
/// A watch without `timeoutSeconds` ends after this, as the real server's default does.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

fn line(kind: &str, object: &[u8]) -> Bytes {
    let mut v = Vec::with_capacity(object.len() + 32);
    v.extend_from_slice(b"{\"type\":\"");
    v.extend_from_slice(kind.as_bytes());
    v.extend_from_slice(b"\",\"object\":");
    v.extend_from_slice(object);
    v.extend_from_slice(b"}\n");
    Bytes::from(v)
}

fn error_line(e: &ApiError) -> Bytes {
    line("ERROR", &serde_json::to_vec(&e.status()).unwrap_or_default())
}

fn bookmark(r: Resource, rv: u64, initial_end: bool) -> Bytes {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    let obj = json!({"kind": r.kind(), "apiVersion": r.api_version(), "metadata": meta});
    line("BOOKMARK", &serde_json::to_vec(&obj).unwrap_or_default())
}

struct Scope {
    resource: Resource,
    ns: Option<String>,
    sel: Selectors,
    /// `kubectl get -w` asks for Tables: each event then carries a one-row Table.
    table: Option<table::Include>,
}

impl Scope {
    fn event(&self, kind: &str, obj: &Arc<Stored>) -> Bytes {
        match self.table {
            None => line(kind, &obj.json),
            Some(include) => {
                let t =
                    table::table(self.resource, std::slice::from_ref(obj), obj.rv, include, None);
                line(kind, &serde_json::to_vec(&t).unwrap_or_default())
            }
        }
    }

    fn contains(&self, o: &Stored) -> bool {
        self.ns.as_deref().is_none_or(|ns| o.namespace() == ns) && self.sel.matches(o)
    }

    /// The event this watcher sees for a change: selectors turn objects that stop matching
    /// into DELETED and ones that start matching into ADDED.
    fn view(&self, c: &Change) -> Option<&'static str> {
        let now = self.contains(&c.obj);
        let before = c.prev.as_deref().is_some_and(|p| self.contains(p));
        match c.kind {
            ChangeType::Added => now.then_some("ADDED"),
            ChangeType::Deleted => (before || now).then_some("DELETED"),
            ChangeType::Modified => match (before, now) {
                (true, true) => Some("MODIFIED"),
                (false, true) => Some("ADDED"),
                (true, false) => Some("DELETED"),
                (false, false) => None,
            },
        }
    }
}

fn parse_rv(s: Option<&str>) -> Result<Option<u64>, ApiError> {
    match s {
        None | Some("") | Some("0") => Ok(None),
        Some(v) => v
            .parse::<u64>()
            .map(Some)
            .map_err(|_| ApiError::bad_request(format!("invalid resource version: {v}"))),
    }
}

pub fn watch(
    store: &Store,
    r: Resource,
    ns: Option<&str>,
    q: &Query,
    wants_table: bool,
) -> Result<Response, ApiError> {
    let sel = Selectors::parse(q, r)?;
    let from = parse_rv(q.get("resourceVersion"))?;
    let bookmarks = q.flag("allowWatchBookmarks");
    let initial_end = q.flag("sendInitialEvents");
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let table = wants_table.then(|| table::Include::parse(q.get("includeObject")));
    let scope = Scope { resource: r, ns: ns.map(str::to_string), sel, table };
    let (tx, mut rx) = mpsc::channel::<Bytes>(256);
    match store.watch(r, ns, if initial_end { None } else { from }) {
        // The real server answers a too-old resourceVersion with 200 and one ERROR event.
        Err(e) => {
            let _ = tx.try_send(error_line(&e));
        }
        Ok(start) => {
            let store = store.clone();
            tokio::spawn(async move {
                let last = start.backlog.last().map(|c| c.rv()).unwrap_or(0).max(from.unwrap_or(0));
                for c in &start.backlog {
                    if let Some(kind) = scope.view(c)
                        && tx.send(scope.event(kind, &c.obj)).await.is_err()
                    {
                        return;
                    }
                }
                if initial_end {
                    let rv = store.current_rv();
                    if tx.send(bookmark(r, rv, true)).await.is_err() {
                        return;
                    }
                }
                stream_live(store, r, scope, start.live, last, bookmarks, timeout, tx).await;
            });
        }
    }
    let stream = futures::stream::poll_fn(move |cx| {
        rx.poll_recv(cx).map(|o| o.map(Ok::<_, std::convert::Infallible>))
    });
    let mut res = Response::new(Body::from_stream(stream));
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(res)
}

#[allow(clippy::too_many_arguments)]
async fn stream_live(
    store: Store,
    r: Resource,
    scope: Scope,
    mut live: broadcast::Receiver<Arc<Change>>,
    mut last: u64,
    bookmarks: bool,
    timeout: Duration,
    tx: mpsc::Sender<Bytes>,
) {
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let mut tick =
        tokio::time::interval_at(tokio::time::Instant::now() + BOOKMARK_EVERY, BOOKMARK_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let out = tokio::select! {
            _ = &mut deadline => return,
            _ = tx.closed() => return,
            got = live.recv() => match got {
                Ok(c) if c.rv() <= last => continue,
                Ok(c) => {
                    last = c.rv();
                    if c.resource != r {
                        continue;
                    }
                    match scope.view(&c) {
                        Some(kind) => scope.event(kind, &c.obj),
                        None => continue,
                    }
                }
                // Fell too far behind: end like a compacted watch so the client re-lists.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let _ = tx.send(error_line(&ApiError::gone("too old resource version: the watch fell behind"))).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = tick.tick(), if bookmarks => match store.caught_up(&live) {
                Some(rv) if rv > 0 => bookmark(r, rv, false),
                _ => continue,
            },
        };
        if tx.send(out).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{PatchType, Target};
    use serde_json::Value;

    fn gs(name: &str, state: &str) -> Value {
        json!({"apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServer",
               "metadata": {"name": name, "namespace": "default", "labels": {"state": state}}})
    }

    #[test]
    fn selectors_turn_leaving_objects_into_deleted() {
        let store = Store::new();
        store.insert_initial(gs("a", "ready")).unwrap();
        let from = store.current_rv();
        let merge = |s: &str| format!(r#"{{"metadata":{{"labels":{{"state":"{s}"}}}}}}"#);
        for s in ["busy", "ready", "ready2"] {
            store
                .patch(
                    Resource::GameServers,
                    "default",
                    "a",
                    Target::Main,
                    PatchType::Merge,
                    merge(s).as_bytes(),
                )
                .unwrap();
        }
        let q = Query::parse(Some("labelSelector=state%3Dready"));
        let scope = Scope {
            resource: Resource::GameServers,
            ns: Some("default".into()),
            sel: Selectors::parse(&q, Resource::GameServers).unwrap(),
            table: None,
        };
        let start = store.watch(Resource::GameServers, None, Some(from)).unwrap();
        let seen: Vec<_> = start.backlog.iter().map(|c| scope.view(c)).collect();
        assert_eq!(seen, [Some("DELETED"), Some("ADDED"), Some("DELETED")]);
    }
}
