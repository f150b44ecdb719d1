//! The demo API server's object store: JSON objects by resource, namespace and name, a global
//! resourceVersion counter, the write rules of the real API server (status subresources,
//! generation, optimistic concurrency) and watch fan-out.
//!
//! Every object is kept as an `Arc<Stored>` holding both the JSON value and its serialised bytes,
//! so a list of 10,000 pods is a concatenation of ready bytes and a watch event is shared by all
//! watchers. Writes take one lock, bump the counter, record the change in a bounded history and
//! broadcast it while still holding the lock, so a watcher that subscribes under the lock sees
//! every later change exactly once.
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::broadcast;

pub mod error;
pub mod meta;
pub mod patch;
pub mod resource;
mod rules;
pub mod selector;

pub use error::ApiError;
pub use patch::PatchType;
pub use resource::Resource;

/// How many changes a watch can resume from; older resourceVersions get 410 Gone.
pub const DEFAULT_HISTORY: usize = 50_000;
/// How far a live watcher may fall behind before its watch ends with 410 (it then re-lists).
const BROADCAST_CAPACITY: usize = 16_384;

/// One stored object version.
#[derive(Debug)]
pub struct Stored {
    pub value: Value,
    /// `value` serialised once.
    pub json: Bytes,
    pub rv: u64,
}

impl Stored {
    fn new(value: Value, rv: u64) -> Arc<Stored> {
        let json = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
        Arc::new(Stored { value, json, rv })
    }
    pub fn namespace(&self) -> &str {
        self.value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeType {
    Added,
    Modified,
    Deleted,
}

impl ChangeType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Added => "ADDED",
            ChangeType::Modified => "MODIFIED",
            ChangeType::Deleted => "DELETED",
        }
    }
}

/// One change, as recorded in the history and broadcast to watchers. `prev` lets a watcher with
/// a selector turn "no longer matches" into DELETED, as the real server does.
#[derive(Debug)]
pub struct Change {
    pub resource: Resource,
    pub kind: ChangeType,
    pub obj: Arc<Stored>,
    pub prev: Option<Arc<Stored>>,
}

impl Change {
    pub fn rv(&self) -> u64 {
        self.obj.rv
    }
}

/// Which part of an object a write addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Main,
    Status,
}

type Key = (String, String);

struct Inner {
    rv: u64,
    objects: [BTreeMap<Key, Arc<Stored>>; Resource::ALL.len()],
    history: VecDeque<Arc<Change>>,
    history_cap: usize,
    /// A watch may resume from any resourceVersion >= this: every later change is in `history`.
    oldest_resumable: u64,
}

#[derive(Clone)]
pub struct Store {
    inner: Arc<RwLock<Inner>>,
    tx: broadcast::Sender<Arc<Change>>,
}

impl Default for Store {
    fn default() -> Self {
        Self::with_history(DEFAULT_HISTORY)
    }
}

/// What a new watch starts with: the changes to replay, then the live feed.
pub struct WatchStart {
    pub backlog: Vec<Arc<Change>>,
    pub live: broadcast::Receiver<Arc<Change>>,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_history(history_cap: usize) -> Self {
        let (tx, _) = broadcast::channel(BROADCAST_CAPACITY);
        let inner = Inner {
            rv: 0,
            objects: Default::default(),
            history: VecDeque::new(),
            history_cap: history_cap.max(1),
            oldest_resumable: 0,
        };
        Store { inner: Arc::new(RwLock::new(inner)), tx }
    }

    // A panic elsewhere must not wedge the demo: a poisoned lock still guards consistent data
    // because every write below completes its mutation before anything can panic.
    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }
    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Insert an object as part of the initial contents (assigns uid, resourceVersion, ...; keeps
    /// a given creationTimestamp and status).
    pub fn insert_initial(&self, obj: Value) -> anyhow::Result<()> {
        let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
        let resource = Resource::ALL
            .into_iter()
            .find(|r| r.api_version() == api_version && r.kind() == kind)
            .ok_or_else(|| anyhow::anyhow!("the demo store does not serve {api_version} {kind}"))?;
        let ns = match resource.namespaced() {
            true => obj.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("default"),
            false => "",
        };
        let ns = ns.to_string();
        self.create_inner(resource, &ns, obj, true)?;
        Ok(())
    }

    pub fn current_rv(&self) -> u64 {
        self.read().rv
    }

    /// Forget the watch history, as an etcd compaction does: watches from any earlier
    /// resourceVersion now get 410 Gone.
    pub fn compact(&self) {
        let mut g = self.write();
        g.history.clear();
        g.oldest_resumable = g.rv;
    }

    pub fn get(&self, r: Resource, ns: &str, name: &str) -> Result<Arc<Stored>, ApiError> {
        let g = self.read();
        g.objects[r.index()]
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
            .ok_or_else(|| ApiError::not_found(r, name))
    }

    /// Every object of `r` (in `ns`, or all namespaces), in key order, and the list's
    /// resourceVersion.
    pub fn list(&self, r: Resource, ns: Option<&str>) -> (Vec<Arc<Stored>>, u64) {
        let g = self.read();
        let map = &g.objects[r.index()];
        let items = match ns {
            Some(ns) => map
                .range((ns.to_string(), String::new())..)
                .take_while(|((n, _), _)| n == ns)
                .map(|(_, v)| v.clone())
                .collect(),
            None => map.values().cloned().collect(),
        };
        (items, g.rv)
    }

    /// One page of a list: up to `limit` objects of `r` (in `ns`, or all namespaces) after the
    /// key `after` that `keep` accepts, in key order, and how many objects of the scope follow the
    /// page (unfiltered). Walks only the page's part of the map, so a paged list of N objects
    /// costs O(N) in all instead of O(N) per page.
    pub fn page(
        &self,
        r: Resource,
        ns: Option<&str>,
        after: Option<(&str, &str)>,
        limit: usize,
        keep: impl Fn(&Stored) -> bool,
    ) -> (Vec<Arc<Stored>>, usize, u64) {
        use std::ops::Bound;
        let g = self.read();
        let map = &g.objects[r.index()];
        let start = match (after, ns) {
            (Some((a_ns, a_name)), _) => Bound::Excluded((a_ns.to_string(), a_name.to_string())),
            (None, Some(ns)) => Bound::Included((ns.to_string(), String::new())),
            (None, None) => Bound::Unbounded,
        };
        let mut scope = map
            .range((start, Bound::Unbounded))
            .take_while(|((n, _), _)| ns.is_none_or(|ns| n == ns))
            .map(|(_, v)| v);
        let mut items = Vec::with_capacity(limit.min(4096));
        for o in scope.by_ref() {
            if keep(o) {
                items.push(o.clone());
                if items.len() == limit {
                    break;
                }
            }
        }
        (items, scope.count(), g.rv)
    }

    pub fn create(&self, r: Resource, ns: &str, body: Value) -> Result<Arc<Stored>, ApiError> {
        self.create_inner(r, ns, body, false)
    }

    fn create_inner(
        &self,
        r: Resource,
        ns: &str,
        body: Value,
        initial: bool,
    ) -> Result<Arc<Stored>, ApiError> {
        let mut obj = rules::check_kind(r, body)?;
        rules::check_namespace(&obj, ns)?;
        let mut name =
            obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
        if name.is_empty() {
            match obj.pointer("/metadata/generateName").and_then(Value::as_str) {
                Some(prefix) if !prefix.is_empty() => {
                    name = format!("{prefix}{}", meta::name_suffix())
                }
                _ => {
                    return Err(ApiError::invalid(format!(
                        "{} \"\" is invalid: metadata.name: Required value: name or generateName is required",
                        r.kind()
                    )));
                }
            }
        }
        rules::check_name(r, &name)?;
        let m = &mut obj["metadata"];
        m["name"] = json!(name);
        if r.namespaced() {
            m["namespace"] = json!(ns);
        } else if let Some(meta) = m.as_object_mut() {
            // As the API server does for cluster-scoped kinds: a namespace in the body is dropped.
            meta.remove("namespace");
        }
        m["uid"] = json!(meta::new_uid());
        if !initial || m.get("creationTimestamp").is_none_or(Value::is_null) {
            m["creationTimestamp"] = json!(meta::now_rfc3339());
        }
        if !initial || m.get("generation").is_none_or(Value::is_null) {
            m["generation"] = json!(1);
        }
        if let Some(meta) = m.as_object_mut() {
            meta.remove("deletionTimestamp");
        }
        if !initial {
            rules::reset_status_on_create(r, &mut obj);
        }
        let mut g = self.write();
        let key = (ns.to_string(), name.clone());
        if g.objects[r.index()].contains_key(&key) {
            return Err(ApiError::already_exists(r, &name));
        }
        let rv = g.rv + 1;
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        let stored = Stored::new(obj, rv);
        self.commit(&mut g, r, key, ChangeType::Added, stored.clone(), None);
        Ok(stored)
    }

    /// PUT: replace the object (or its status) if `body`'s resourceVersion (when given) is current.
    pub fn replace(
        &self,
        r: Resource,
        ns: &str,
        name: &str,
        target: Target,
        body: Value,
    ) -> Result<Arc<Stored>, ApiError> {
        let body = rules::check_kind(r, body)?;
        rules::check_namespace(&body, ns)?;
        let body_name = body.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
        if body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        let mut g = self.write();
        let old = g.objects[r.index()]
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
            .ok_or_else(|| ApiError::not_found(r, name))?;
        self.update_locked(&mut g, r, ns, name, target, &old, body)
    }

    /// PATCH: apply `body` of type `pt` to the current object and store the result under the
    /// same rules as PUT. Server-side apply creates a missing object.
    pub fn patch(
        &self,
        r: Resource,
        ns: &str,
        name: &str,
        target: Target,
        pt: PatchType,
        body: &[u8],
    ) -> Result<Arc<Stored>, ApiError> {
        let mut g = self.write();
        let Some(old) = g.objects[r.index()].get(&(ns.to_string(), name.to_string())).cloned()
        else {
            if pt == PatchType::Apply && target == Target::Main {
                drop(g);
                let mut obj = rules::check_kind(r, patch::apply(r, pt, &json!({}), body)?)?;
                if obj.pointer("/metadata/name").is_none() {
                    obj["metadata"]["name"] = json!(name);
                }
                return self.create(r, ns, obj);
            }
            return Err(ApiError::not_found(r, name));
        };
        let patched = patch::apply(r, pt, &old.value, body)?;
        let patched = rules::check_kind(r, patched)?;
        let same_name = patched.pointer("/metadata/name").and_then(Value::as_str) == Some(name);
        if !same_name || rules::check_namespace(&patched, ns).is_err() {
            return Err(ApiError::bad_request(
                "a patch may not change metadata.name or metadata.namespace",
            ));
        }
        self.update_locked(&mut g, r, ns, name, target, &old, patched)
    }

    #[allow(clippy::too_many_arguments)]
    fn update_locked(
        &self,
        g: &mut Inner,
        r: Resource,
        ns: &str,
        name: &str,
        target: Target,
        old: &Arc<Stored>,
        body: Value,
    ) -> Result<Arc<Stored>, ApiError> {
        let given_rv =
            body.pointer("/metadata/resourceVersion").and_then(Value::as_str).unwrap_or("");
        if !given_rv.is_empty() && given_rv != old.rv.to_string() {
            return Err(ApiError::conflict(r, name));
        }
        let mut new = match target {
            Target::Status => rules::only_status(&old.value, &body),
            Target::Main => rules::keep_status(r, &old.value, body),
        };
        rules::keep_server_metadata(&old.value, &mut new);
        if target == Target::Main {
            rules::check_pod_update(r, name, &old.value, &new)?;
            if rules::spec_changed(&old.value, &new) {
                let generation =
                    old.value.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1);
                new["metadata"]["generation"] = json!(generation + 1);
            }
        }
        // A write that changes nothing keeps the resourceVersion and sends no event.
        new["metadata"]["resourceVersion"] = json!(old.rv.to_string());
        if new == old.value {
            return Ok(old.clone());
        }
        let rv = g.rv + 1;
        new["metadata"]["resourceVersion"] = json!(rv.to_string());
        let stored = Stored::new(new, rv);
        let key = (ns.to_string(), name.to_string());
        self.commit(g, r, key, ChangeType::Modified, stored.clone(), Some(old.clone()));
        Ok(stored)
    }

    /// DELETE, with optional preconditions (uid, resourceVersion). Returns the object as
    /// deleted, carrying the deletion's resourceVersion.
    pub fn delete(
        &self,
        r: Resource,
        ns: &str,
        name: &str,
        pre_uid: Option<&str>,
        pre_rv: Option<&str>,
    ) -> Result<Arc<Stored>, ApiError> {
        let mut g = self.write();
        let key = (ns.to_string(), name.to_string());
        let old =
            g.objects[r.index()].get(&key).cloned().ok_or_else(|| ApiError::not_found(r, name))?;
        let uid = old.value.pointer("/metadata/uid").and_then(Value::as_str);
        if pre_uid.is_some_and(|u| Some(u) != uid)
            || pre_rv.is_some_and(|v| v != old.rv.to_string())
        {
            return Err(ApiError::conflict(r, name));
        }
        let rv = g.rv + 1;
        let mut gone = old.value.clone();
        gone["metadata"]["resourceVersion"] = json!(rv.to_string());
        let stored = Stored::new(gone, rv);
        self.commit(&mut g, r, key, ChangeType::Deleted, stored.clone(), Some(old));
        Ok(stored)
    }

    /// Record and broadcast a change; called with the write lock held.
    fn commit(
        &self,
        g: &mut Inner,
        r: Resource,
        key: Key,
        kind: ChangeType,
        obj: Arc<Stored>,
        prev: Option<Arc<Stored>>,
    ) {
        g.rv = obj.rv;
        if kind == ChangeType::Deleted {
            g.objects[r.index()].remove(&key);
        } else {
            g.objects[r.index()].insert(key, obj.clone());
        }
        let change = Arc::new(Change { resource: r, kind, obj, prev });
        if g.history.len() >= g.history_cap
            && let Some(dropped) = g.history.pop_front()
        {
            g.oldest_resumable = dropped.rv();
        }
        g.history.push_back(change.clone());
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(change);
    }

    /// Start a watch of `r` after resourceVersion `from` (replaying retained history), or with
    /// synthetic ADDED events for every current object when `from` is `None` (rv "" or "0").
    pub fn watch(
        &self,
        r: Resource,
        ns: Option<&str>,
        from: Option<u64>,
    ) -> Result<WatchStart, ApiError> {
        let g = self.read();
        let backlog = match from {
            None => {
                let map = &g.objects[r.index()];
                map.values()
                    .filter(|o| ns.is_none_or(|ns| o.namespace() == ns))
                    .map(|o| {
                        Arc::new(Change {
                            resource: r,
                            kind: ChangeType::Added,
                            obj: o.clone(),
                            prev: None,
                        })
                    })
                    .collect()
            }
            Some(from) if from < g.oldest_resumable => {
                return Err(ApiError::gone(format!(
                    "too old resource version: {from} ({})",
                    g.oldest_resumable + 1
                )));
            }
            Some(from) => {
                // History is in rv order: skip to the first change after `from`.
                let start = g.history.partition_point(|c| c.rv() <= from);
                g.history.range(start..).filter(|c| c.resource == r).cloned().collect()
            }
        };
        let live = self.tx.subscribe();
        Ok(WatchStart { backlog, live })
    }

    /// Whether every change up to the current resourceVersion has reached `live` (used to send
    /// truthful bookmarks): true when nothing is queued, checked under the lock writers hold
    /// while broadcasting.
    pub fn caught_up(&self, live: &broadcast::Receiver<Arc<Change>>) -> Option<u64> {
        let g = self.read();
        live.is_empty().then_some(g.rv)
    }
}

#[cfg(test)]
mod tests;
