//! The live fleet as the watches report it, with the join kept incrementally: an event recomputes
//! only the rows it touches (one row for a GameServer or pod, one group for a set), so applying
//! an event costs the same with 10 or 10,000 GameServers.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use okg_domain::fleet::{self, GroupHeader, GsEntry, GsInfo, Key, PodInfo, Row};
use okg_domain::types::GameServerSet;

/// (namespace, set name): the identity of a group.
pub type SetKey = (String, String);

/// Orders keys the way people read them: namespace, then `gss-2` before `gss-10`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatKey(pub Key);

impl Ord for NatKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0
            .namespace
            .cmp(&other.0.namespace)
            .then_with(|| fleet::natural_cmp(&self.0.name, &other.0.name))
    }
}
impl PartialOrd for NatKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// What an event changed, so the view is rebuilt only when its shape may have changed.
#[derive(Debug, PartialEq, Eq)]
pub enum Touched {
    Nothing,
    /// Rows were added or removed, or groups changed: rebuild the view.
    Structure,
    /// These rows changed in place.
    Rows(Vec<Key>),
    /// A page of a list still going on added or replaced rows (see `State::list_pages`).
    Page,
    /// A page of a list filled rows in in place (not flashed as changes).
    Listed,
}

#[derive(Default)]
pub struct FleetStore {
    pub headers: BTreeMap<SetKey, GroupHeader>,
    pub gameservers: HashMap<Key, GsInfo>,
    pub pods: HashMap<Key, PodInfo>,
    pub rows: HashMap<Key, Row>,
    pub members: BTreeMap<SetKey, BTreeSet<NatKey>>,
}

const NO_SET: &str = "(no set)";

/// Hand the memory a (re)list freed back to the OS. Decoding a list of 10,000 objects page by
/// page, on several tokio threads, leaves ~15 MiB free but resident in glibc's heaps (they
/// only shrink from the top); `malloc_trim` returns the free pages in every arena. Once per
/// list, not per event.
fn release_freed_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: malloc_trim takes no pointers and only releases free memory of glibc's heaps.
        unsafe {
            malloc_trim(0);
        }
    }
}

fn set_key_of(gs: &GsInfo, key: &Key) -> SetKey {
    (key.namespace.clone(), gs.owner_set().unwrap_or(NO_SET).to_string())
}

impl FleetStore {
    pub fn header(&self, set: &SetKey) -> GroupHeader {
        self.headers.get(set).cloned().unwrap_or_else(|| GroupHeader::orphan(&set.0, &set.1))
    }

    fn recompute(&mut self, key: &Key) {
        let Some(gs) = self.gameservers.get(key) else {
            self.rows.remove(key);
            return;
        };
        let set = set_key_of(gs, key);
        let template = self.headers.get(&set).map(|h| h.template.as_slice()).unwrap_or(&[]);
        let row = fleet::row(key, gs, self.pods.get(key), template);
        self.rows.insert(key.clone(), row);
    }

    pub fn apply_set(&mut self, gss: GameServerSet) -> Touched {
        let header = GroupHeader::from_set(&gss);
        let set = (header.namespace.clone(), header.name.clone());
        let template_changed =
            self.headers.get(&set).is_none_or(|old| old.template != header.template);
        let is_new = !self.headers.contains_key(&set);
        self.headers.insert(set.clone(), header);
        let mut keys = Vec::new();
        if template_changed {
            // Every row of the set compares its images with the template: recompute them.
            keys = self.members.get(&set).into_iter().flatten().map(|k| k.0.clone()).collect();
            for k in &keys {
                self.recompute(k);
            }
        }
        // The recomputed rows are named: a sort by images may move them.
        if is_new { Touched::Structure } else { Touched::Rows(keys) }
    }

    pub fn delete_set(&mut self, key: &Key) -> Touched {
        let set = (key.namespace.clone(), key.name.clone());
        self.headers.remove(&set);
        Touched::Structure
    }

    pub fn apply_gameserver(&mut self, entry: GsEntry) -> Touched {
        let GsEntry { key, info: gs } = entry;
        let set = set_key_of(&gs, &key);
        let old_set = self.gameservers.get(&key).map(|old| set_key_of(old, &key));
        self.gameservers.insert(key.clone(), gs);
        self.recompute(&key);
        if old_set.as_ref() == Some(&set) {
            return Touched::Rows(vec![key]);
        }
        if let Some(old) = old_set {
            self.remove_member(&old, &key);
        }
        self.members.entry(set).or_default().insert(NatKey(key));
        Touched::Structure
    }

    fn remove_member(&mut self, set: &SetKey, key: &Key) {
        if let Some(m) = self.members.get_mut(set) {
            m.remove(&NatKey(key.clone()));
            if m.is_empty() {
                self.members.remove(set);
            }
        }
    }

    pub fn delete_gameserver(&mut self, key: &Key) -> Touched {
        match self.gameservers.remove(key) {
            Some(gs) => {
                self.remove_member(&set_key_of(&gs, key), key);
                self.rows.remove(key);
                Touched::Structure
            }
            None => Touched::Nothing,
        }
    }

    pub fn apply_pod(&mut self, pod: PodInfo) -> Touched {
        let key = pod.key.clone();
        self.pods.insert(key.clone(), pod);
        self.recompute(&key);
        if self.rows.contains_key(&key) { Touched::Rows(vec![key]) } else { Touched::Nothing }
    }

    pub fn delete_pod(&mut self, key: &Key) -> Touched {
        self.pods.remove(key);
        self.recompute(key);
        if self.rows.contains_key(key) {
            Touched::Rows(vec![key.clone()])
        } else {
            Touched::Nothing
        }
    }

    pub fn sets_page(&mut self, list: Vec<GameServerSet>) -> Touched {
        for s in list {
            self.apply_set(s);
        }
        Touched::Structure
    }

    /// The list that ended named these sets: forget the others (deleted while we were away).
    pub fn sets_synced(&mut self, keys: &[Key]) -> Touched {
        let keep: HashSet<SetKey> =
            keys.iter().map(|k| (k.namespace.clone(), k.name.clone())).collect();
        self.headers.retain(|k, _| keep.contains(k));
        let all: Vec<Key> = self.gameservers.keys().cloned().collect();
        for k in &all {
            self.recompute(k);
        }
        release_freed_heap();
        Touched::Structure
    }

    pub fn gameservers_page(&mut self, list: Vec<GsEntry>) -> Touched {
        for gs in list {
            self.apply_gameserver(gs);
        }
        Touched::Page
    }

    pub fn gameservers_synced(&mut self, keys: &[Key]) -> Touched {
        let keep: HashSet<&Key> = keys.iter().collect();
        let gone: Vec<Key> =
            self.gameservers.keys().filter(|k| !keep.contains(k)).cloned().collect();
        for k in &gone {
            self.delete_gameserver(k);
        }
        release_freed_heap();
        Touched::Structure
    }

    pub fn pods_page(&mut self, list: Vec<PodInfo>) -> Touched {
        for p in list {
            let key = p.key.clone();
            self.pods.insert(key.clone(), p);
            self.recompute(&key);
        }
        // A pod joins a row that exists or waits for its GameServer: no row comes or goes.
        Touched::Listed
    }

    pub fn pods_synced(&mut self, keys: &[Key]) -> Touched {
        let keep: HashSet<&Key> = keys.iter().collect();
        let gone: Vec<Key> = self.pods.keys().filter(|k| !keep.contains(k)).cloned().collect();
        for k in &gone {
            self.pods.remove(k);
            self.recompute(k);
        }
        release_freed_heap();
        Touched::Structure
    }

    /// Groups in display order: every set we know, plus sets that only GameServers name.
    pub fn groups(&self) -> Vec<SetKey> {
        let mut all: BTreeSet<SetKey> = self.headers.keys().cloned().collect();
        all.extend(self.members.keys().cloned());
        all.into_iter().collect()
    }

    /// Labels of the GameServer and its pod together, for the label-selector filter.
    pub fn labels_of(&self, key: &Key) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Some(p) = self.pods.get(key) {
            out.extend(p.labels.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        }
        if let Some(g) = self.gameservers.get(key) {
            out.extend(g.labels.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        }
        out
    }
}
