//! Opening the flows over the table (`b`, `r`, `e`): which GameServers they act on, whether this
//! session may, and bringing back a hidden one instead of opening a second.
use super::msg::{Cmd, Intent};
use super::state::{Level, Overlay, State, TableLine};
use super::update::group_keys;
use crate::cluster::access::ApiAction;
use crate::tui::screens::reload::state::{Confirmed, ReloadDialog};
use okg_domain::fleet::Key;

/// Bring a hidden screen back on top, if one matches.
pub(super) fn unpark(state: &mut State, which: impl Fn(&Overlay) -> bool) -> bool {
    match state.parked.iter().position(which) {
        Some(i) => {
            let overlay = state.parked.remove(i);
            state.overlays.push(overlay);
            true
        }
        None => false,
    }
}

/// The GameServers an action applies to: the marked ones that exist, else the cursor's row.
pub(super) fn targets(state: &State) -> Vec<Key> {
    let marked: Vec<Key> =
        state.marks.iter().filter(|k| state.fleet.rows.contains_key(k)).cloned().collect();
    if !marked.is_empty() {
        return marked;
    }
    state.cursor_key().cloned().into_iter().collect()
}

pub(super) fn bump(state: &mut State) -> Vec<Cmd> {
    // A rollout that is over is dropped: `b` starts a new bump instead of bringing it back, so
    // the keys typed for the new one do not land on the old view.
    state
        .parked
        .retain(|o| !matches!(o, Overlay::Bump(d) if d.rollout.as_ref().is_some_and(|r| r.over())));
    // One bump at a time: a rollout still followed comes back first (esc on it once it has
    // finished closes it).
    if unpark(state, |o| matches!(o, Overlay::Bump(_))) {
        state.note(Level::Info, "a rollout is still followed: here it is");
        return Vec::new();
    }
    let targets = if state.marks.is_empty() { Vec::new() } else { targets(state) };
    // Chosen GameServers are bumped through their own spec; a whole set through its template.
    let needs = if targets.is_empty() {
        ApiAction::PatchGameServerSets
    } else {
        ApiAction::PatchGameServers
    };
    if let Err(why) = state.access.check(&[needs]) {
        state.note(Level::Warn, format!("bump unavailable: {why}"));
        return Vec::new();
    }
    let Some(set) = state.cursor_set() else {
        state.note(Level::Warn, "bump: no set under the cursor");
        return Vec::new();
    };
    let remembered = state.bump_choices.get(&set).map(String::as_str);
    match crate::tui::screens::bump::state::BumpDialog::new(
        set.clone(),
        &state.fleet,
        &state.marks,
        remembered,
    ) {
        Some(d) => state.overlays.push(Overlay::Bump(Box::new(d))),
        None => state.note(Level::Warn, format!("bump: set {} has no containers known yet", set.1)),
    }
    Vec::new()
}

/// `e`: the set-ops dialog for the marked GameServers, else the cursor's row.
pub(super) fn edit(state: &mut State) -> Vec<Cmd> {
    if let Err(why) = state.access.check(&[ApiAction::PatchGameServers]) {
        state.note(Level::Warn, format!("edit unavailable: {why}"));
        return Vec::new();
    }
    let targets = targets(state);
    if targets.is_empty() {
        state.note(Level::Warn, "edit: mark GameServers, or put the cursor on one");
        return Vec::new();
    }
    match crate::tui::screens::gs_ops::state::GsOpsDialog::new(&targets) {
        Ok(d) => state.overlays.push(Overlay::GsOps(Box::new(d))),
        Err(why) => state.note(Level::Warn, format!("edit: {why}")),
    }
    Vec::new()
}

/// `s`: a shell in the cursor row's pod: its container, or a picker when it has several (the
/// main one, the first as OKG templates put it, chosen to begin with). Refused, with nothing sent, in read-only or when RBAC denies pods/exec.
pub(super) fn shell(state: &mut State) -> Vec<Cmd> {
    if let Err(why) = state.access.check(&[ApiAction::ExecPods]) {
        state.note(Level::Warn, format!("shell unavailable: {why}"));
        return Vec::new();
    }
    let Some(TableLine::Row(key)) = state.cursor.clone() else {
        state.note(Level::Warn, "shell: put the cursor on a GameServer's row");
        return Vec::new();
    };
    let containers: Vec<String> = state
        .fleet
        .pods
        .get(&key)
        .map(|p| p.containers.iter().map(|(c, _)| c.clone()).collect())
        .unwrap_or_default();
    match containers.as_slice() {
        [] => state.note(Level::Warn, format!("shell: no pod is known yet for {}", key.name)),
        [one] => return vec![Cmd::Shell { pod: key, container: one.clone() }],
        _ => {
            let pick = crate::tui::screens::shell::state::ShellPick::new(key, containers);
            state.overlays.push(Overlay::ShellPick(pick));
        }
    }
    Vec::new()
}

pub(super) fn reload(state: &mut State) -> Vec<Cmd> {
    if let Err(why) = state.access.check(&[ApiAction::ExecPods, ApiAction::ProxyPods]) {
        state.note(Level::Warn, format!("reload unavailable: {why}"));
        return Vec::new();
    }
    // A reload sent to the background comes back first.
    if unpark(state, |o| matches!(o, Overlay::Reload(_))) {
        return Vec::new();
    }
    let mut targets = targets(state);
    // On a set's header with nothing marked: the whole set.
    if targets.is_empty()
        && let Some(TableLine::Group(set)) = state.cursor.clone()
    {
        targets = group_keys(state, &set);
    }
    if targets.is_empty() {
        state.note(Level::Warn, "reload: no row under the cursor and nothing marked");
        return Vec::new();
    }
    let mut dialog = crate::tui::screens::reload::state::for_targets(state, &targets);
    recall_reload(state, &mut dialog);
    let sets = dialog.sets();
    state.overlays.push(Overlay::Reload(Box::new(dialog)));
    vec![Cmd::Intent(Intent::Reload { targets, sets })]
}

/// Start the reload form from the last reload of its pods' set, when they share one (or every
/// set they are in ran the same).
pub(super) fn recall_reload(state: &State, dialog: &mut ReloadDialog) {
    let sets = dialog.sets();
    let mut remembered = sets.iter().map(|s| state.reload_memory.get(s));
    if let Some(Some(first)) = remembered.next()
        && remembered.all(|r| r == Some(first))
    {
        dialog.recall(first);
    }
}

/// After a key on the reload form: a run it started is remembered for its sets.
pub(super) fn remember_reload(state: &mut State, dialog: &ReloadDialog, cmds: &[Cmd]) {
    let started = cmds.iter().find_map(|c| match c {
        Cmd::Intent(Intent::StartReload { method, limits, targets, .. }) => Some(Confirmed {
            method: method.clone(),
            container: targets.first().and_then(|t| t.container.clone()),
            limits: limits.clone(),
        }),
        Cmd::Intent(Intent::StartChainReload { method, limits, container, .. }) => {
            Some(Confirmed {
                method: method.clone(),
                container: container.clone(),
                limits: limits.clone(),
            })
        }
        _ => None,
    });
    if let Some(c) = started {
        for set in dialog.sets() {
            state.reload_memory.insert(set, c.clone());
        }
    }
}
