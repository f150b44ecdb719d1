//! `update`: the pure state machine. Messages in, state changed, commands out; no I/O.
use crossterm::event::{KeyEvent, KeyEventKind};

use super::keymap::{self, Action, Context};
use super::msg::{ClusterEvent, Cmd, Intent, Msg};
use super::state::{
    DialogCtx, DialogOutcome, InputKind, Level, Opening, Overlay, State, TableLine,
};
use super::store::Touched;
use crate::cluster::access::ApiAction;
use crate::ops::bump_task::BumpReply;
use crate::tui::screens::object::state::Mode as ObjectMode;
use okg_domain::fleet::Key;

/// Lines the main view spends on chrome (title, column header, two footer lines).
pub const CHROME_LINES: u16 = 4;

pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(key) if key.kind == KeyEventKind::Release => Vec::new(),
        Msg::Key(key) => on_key(state, key),
        Msg::Mouse(event) => super::mouse::on_mouse(state, event),
        Msg::Choices { kind, items } => {
            super::goto::on_choices(state, kind, items);
            Vec::new()
        }
        Msg::Resize { width, height } => {
            state.width = width;
            state.page = height.saturating_sub(CHROME_LINES).max(1) as usize;
            let pos = state.cursor_pos();
            state.set_cursor_pos(pos);
            state.dirty = true;
            Vec::new()
        }
        Msg::Tick(now) => {
            state.now = now;
            state.flashed.clear();
            state.dirty = true;
            Vec::new()
        }
        Msg::Cluster(ev) => {
            on_cluster(state, ev);
            Vec::new()
        }
        Msg::Asts(ev) => {
            state.on_asts(ev);
            Vec::new()
        }
        Msg::Lend(loan) => vec![Cmd::Lend(loan)],
        Msg::Capabilities(caps) => {
            state.access.caps = Some(caps);
            state.dirty = true;
            Vec::new()
        }
        Msg::PodEvents { key, events } => {
            if matches!(state.top_overlay(), Some(Overlay::Detail { key: k, .. }) if *k == key) {
                state.pod_events = Some((key, events));
                state.dirty = true;
            }
            Vec::new()
        }
        Msg::Switched { switch, context, server, namespace } => {
            if state.switching.as_ref().map(|s| s.0) != Some(switch) {
                return Vec::new(); // a switch that was superseded
            }
            state.switching = None;
            state.context = context.clone();
            state.server = server;
            state.namespace = namespace;
            state.access.caps = None;
            reset_fleet(state);
            state.note(Level::Info, format!("context {context}"));
            vec![Cmd::Adopt { switch }]
        }
        Msg::SwitchFailed { switch, context, error } => {
            if state.switching.as_ref().map(|s| s.0) == Some(switch) {
                state.switching = None;
                state.note(
                    Level::Error,
                    format!("cannot switch to {context}: {error} (still on {})", state.context),
                );
            }
            Vec::new()
        }
        Msg::Note(text) => {
            state.note(Level::Info, text);
            Vec::new()
        }
        // No question asked: the shell cancels and records what runs once the loop ends.
        Msg::Shutdown(_) => {
            state.quit = true;
            vec![Cmd::Quit]
        }
        Msg::Bump(BumpReply::Remembered { set, container }) => {
            state.bump_choices.insert(set, container);
            Vec::new()
        }
        Msg::Bump(reply) => route(
            state,
            |o| matches!(o, Overlay::Bump(_)),
            |o, ctx| match o {
                Overlay::Bump(d) => d.on_msg(reply, ctx),
                _ => DialogOutcome::Stay(Vec::new()),
            },
        ),
        Msg::Logs(ev) => {
            super::logs::on_event(state, ev);
            Vec::new()
        }
        Msg::Object(reply) => {
            super::object::on_reply(state, reply);
            Vec::new()
        }
        Msg::Staged(reply) => {
            let id = reply.id;
            route(
                state,
                |o| matches!(o, Overlay::Staged(s) if s.owns(id)),
                |o, _| match o {
                    Overlay::Staged(s) => s.on_msg(reply),
                    _ => DialogOutcome::Stay(Vec::new()),
                },
            )
        }
        Msg::GsOps(reply) => {
            let id = reply.id();
            route(
                state,
                |o| matches!(o, Overlay::GsOps(d) if d.request == id),
                |o, _| match o {
                    Overlay::GsOps(d) => d.on_msg(reply),
                    _ => DialogOutcome::Stay(Vec::new()),
                },
            )
        }
        Msg::Reload(reply) => {
            let run = reply.run();
            route(
                state,
                |o| matches!(o, Overlay::Reload(d) if d.wants(run)),
                |o, ctx| match o {
                    Overlay::Reload(d) => d.on_msg(reply, ctx),
                    _ => DialogOutcome::Stay(Vec::new()),
                },
            )
        }
    }
}

/// A flow's message goes to the topmost open screen that `wants` it, else to a hidden one.
/// A message nobody wants (its screen was closed) is dropped; the screens under it are left
/// alone. A hidden screen stays hidden whatever it answers, until it closes itself.
fn route(
    state: &mut State,
    wants: impl Fn(&Overlay) -> bool,
    deliver: impl FnOnce(&mut Overlay, &DialogCtx) -> DialogOutcome,
) -> Vec<Cmd> {
    if let Some(i) = state.overlays.iter().rposition(&wants) {
        let mut overlay = state.overlays.remove(i);
        let ctx = DialogCtx { now: state.now, fleet: &state.fleet, marks: &state.marks };
        let outcome = deliver(&mut overlay, &ctx);
        state.dirty = true;
        // Put it back where it was (it may not be on top).
        return match outcome {
            DialogOutcome::Stay(cmds) => {
                state.overlays.insert(i, overlay);
                cmds
            }
            DialogOutcome::Close(cmds) => cmds,
            DialogOutcome::Park(cmds) => {
                state.parked.push(overlay);
                cmds
            }
            DialogOutcome::Open(opening, cmds) => {
                state.overlays.insert(i, overlay);
                open(state, opening, cmds)
            }
            DialogOutcome::Replace(opening, cmds) => open(state, opening, cmds),
        };
    }
    if let Some(i) = state.parked.iter().position(&wants) {
        let mut overlay = state.parked.remove(i);
        let ctx = DialogCtx { now: state.now, fleet: &state.fleet, marks: &state.marks };
        let outcome = deliver(&mut overlay, &ctx);
        state.dirty = true;
        return match outcome {
            DialogOutcome::Close(cmds) if matches!(overlay, Overlay::Reload(_)) => cmds,
            DialogOutcome::Stay(cmds)
            | DialogOutcome::Close(cmds)
            | DialogOutcome::Park(cmds)
            | DialogOutcome::Open(_, cmds)
            | DialogOutcome::Replace(_, cmds) => {
                state.parked.insert(i, overlay);
                cmds
            }
        };
    }
    Vec::new()
}

/// Open a screen another screen asked for, on top of it.
fn open(state: &mut State, opening: Opening, mut cmds: Vec<Cmd>) -> Vec<Cmd> {
    match opening {
        Opening::ChainedReload { set, targets } => {
            if let Err(why) = state.access.check(&[ApiAction::ExecPods, ApiAction::ProxyPods]) {
                state.note(Level::Warn, format!("reload unavailable: {why}"));
                return cmds;
            }
            if state.parked_reload().is_some() {
                state.note(Level::Warn, "a reload is still running: r shows it");
                return cmds;
            }
            let mut dialog = crate::tui::screens::reload::state::for_targets(state, &targets);
            super::open::recall_reload(state, &mut dialog);
            dialog.chain = true;
            state.overlays.push(Overlay::Reload(Box::new(dialog)));
            cmds.push(Cmd::Intent(Intent::Reload { targets, sets: vec![set] }));
            cmds
        }
        Opening::StagedStart { set, container, image } => {
            if state
                .parked
                .iter()
                .any(|o| matches!(o, Overlay::Staged(s) if s.set == set && s.driving()))
            {
                state.note(
                    Level::Warn,
                    format!("this console drives a rollout of {}: o shows it", set.1),
                );
                return cmds;
            }
            // A finished drive's screen of the same set gives way to the new run's.
            state.parked.retain(|o| !matches!(o, Overlay::Staged(s) if s.set == set));
            let cannot_write = state.access.check(&[ApiAction::PatchGameServerSets]).err();
            let screen = crate::tui::screens::staged::state::StagedScreen::starting(
                set,
                &container,
                &image,
                cannot_write,
            );
            state.overlays.push(Overlay::Staged(Box::new(screen)));
            cmds
        }
    }
}

/// Where a screen goes after a key: back on the stack, away, hidden, or under a new one.
fn finish(state: &mut State, overlay: Overlay, outcome: DialogOutcome) -> Vec<Cmd> {
    match outcome {
        DialogOutcome::Stay(cmds) => {
            state.overlays.push(overlay);
            cmds
        }
        DialogOutcome::Close(cmds) => cmds,
        DialogOutcome::Park(cmds) => {
            let note = match &overlay {
                Overlay::Reload(d) => format!("{} in the background: r returns to it", d.title()),
                Overlay::Staged(s) => {
                    format!("the rollout of {} is still driven: o on its set shows it", s.set.1)
                }
                _ => "rollout still followed: o shows it again".to_string(),
            };
            state.note(Level::Info, note);
            state.parked.push(overlay);
            cmds
        }
        DialogOutcome::Open(opening, cmds) => {
            state.overlays.push(overlay);
            open(state, opening, cmds)
        }
        DialogOutcome::Replace(opening, cmds) => open(state, opening, cmds),
    }
}

fn on_cluster(state: &mut State, ev: ClusterEvent) {
    let touched = match ev {
        ClusterEvent::SetApplied(s) => state.fleet.apply_set(s),
        ClusterEvent::SetDeleted(k) => state.fleet.delete_set(&k),
        ClusterEvent::GameServerApplied(g) => state.fleet.apply_gameserver(g),
        ClusterEvent::GameServerDeleted(k) => state.fleet.delete_gameserver(&k),
        ClusterEvent::PodApplied(p) => state.fleet.apply_pod(p),
        ClusterEvent::PodDeleted(k) => state.fleet.delete_pod(&k),
        ClusterEvent::SetsPage(v) => state.fleet.sets_page(v),
        ClusterEvent::SetsSynced(keys) => {
            state.synced[0] = true;
            state.list_pages = 0;
            state.fleet.sets_synced(&keys)
        }
        ClusterEvent::GameServersPage(v) => state.fleet.gameservers_page(v),
        ClusterEvent::GameServersSynced(keys) => {
            state.synced[1] = true;
            state.list_pages = 0;
            state.fleet.gameservers_synced(&keys)
        }
        ClusterEvent::PodsPage(v) => state.fleet.pods_page(v),
        ClusterEvent::PodsSynced(keys) => {
            state.synced[2] = true;
            state.list_pages = 0;
            state.fleet.pods_synced(&keys)
        }
        ClusterEvent::WatchError(e) => {
            state.watch_error = Some(e);
            state.dirty = true;
            return;
        }
        ClusterEvent::Stale { watch, since } => {
            let slot = &mut state.stale[watch.index()];
            *slot = Some(slot.map_or(since, |s| s.min(since)));
            state.dirty = true;
            return;
        }
        ClusterEvent::Fresh(watch) => {
            state.stale[watch.index()] = None;
            state.dirty = true;
            return;
        }
    };
    state.watch_error = None;
    if let Touched::Rows(keys) = &touched {
        state.flashed.extend(keys.iter().cloned());
    }
    match touched {
        Touched::Nothing => {}
        Touched::Page => page_applied(state),
        // Filled in by a list, rows may enter a filtered view, and many move in a sorted one
        // (moving them one by one assumes the rest in order): as a page that adds rows.
        Touched::Listed if state.filter.is_active() || state.sort.is_some() => page_applied(state),
        // In the natural order nothing moves.
        Touched::Listed => state.dirty = true,
        // Sorted, a changed row may move within its set.
        Touched::Rows(keys) if !state.filter.is_active() => {
            for k in keys.iter().filter(|k| state.out_of_order(k)).collect::<Vec<_>>() {
                state.resort_row(k);
            }
            state.dirty = true
        }
        // With a filter on, a changed row may enter or leave the view.
        Touched::Rows(_) | Touched::Structure => state.rebuild_view(),
    }
}

/// A page of a list: rebuild the view on the 1st, 2nd, 4th, 8th… page (`State::list_pages`);
/// the list's end rebuilds it whole.
fn page_applied(state: &mut State) {
    state.list_pages += 1;
    if state.list_pages.is_power_of_two() {
        state.rebuild_view();
    }
    state.dirty = true
}

/// Quit, unless the console runs something: then ask first, naming it (`quit_answer`).
pub(super) fn quit(state: &mut State) -> Vec<Cmd> {
    let running = state.running_operations();
    if running.is_empty() {
        state.quit = true;
        return vec![Cmd::Quit];
    }
    state.quit_confirm = Some(running);
    Vec::new()
}

/// `y`: quit; the shell then cancels and records what runs. `n`/esc: stay. Other keys: the
/// question stays.
fn quit_answer(state: &mut State, key: &KeyEvent) -> Vec<Cmd> {
    match keymap::lookup(Context::QuitConfirm, key) {
        Some(Action::Accept) => {
            state.quit_confirm = None;
            state.quit = true;
            vec![Cmd::Quit]
        }
        Some(Action::Cancel) => {
            state.quit_confirm = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub(super) fn on_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    state.dirty = true;
    if state.quit_confirm.is_some() {
        return quit_answer(state, &key);
    }
    match state.overlays.pop() {
        Some(Overlay::Input(input)) => super::prompt::on_input_key(state, input, key),
        Some(Overlay::Picker(picker)) => super::goto::on_picker_key(state, picker, key),
        Some(Overlay::Logs(screen)) => super::logs::on_key(state, screen, key),
        Some(Overlay::Object(screen)) => super::object::on_key(state, screen, key),
        Some(Overlay::Staged(mut s)) => {
            let ctx = DialogCtx { now: state.now, fleet: &state.fleet, marks: &state.marks };
            let outcome = s.on_key(key, &ctx);
            finish(state, Overlay::Staged(s), outcome)
        }
        Some(Overlay::ShellPick(mut p)) => {
            use crate::tui::screens::shell::state::Picked;
            match p.on_key(&key) {
                Picked::Stay => state.overlays.push(Overlay::ShellPick(p)),
                Picked::Close => {}
                Picked::Shell(cmd) => return vec![cmd],
            }
            Vec::new()
        }
        Some(Overlay::GsOps(mut d)) => {
            let outcome = d.on_key(key);
            finish(state, Overlay::GsOps(d), outcome)
        }
        Some(mut overlay @ (Overlay::Bump(_) | Overlay::Reload(_))) => {
            let ctx = DialogCtx { now: state.now, fleet: &state.fleet, marks: &state.marks };
            let outcome = match &mut overlay {
                Overlay::Bump(d) => d.on_key(key, &ctx),
                Overlay::Reload(d) => d.on_key(key, &ctx),
                _ => DialogOutcome::Stay(Vec::new()),
            };
            if let (Overlay::Reload(d), DialogOutcome::Stay(cmds)) = (&overlay, &outcome) {
                super::open::remember_reload(state, d, cmds);
            }
            finish(state, overlay, outcome)
        }
        Some(mut overlay) => {
            let cmds = on_overlay_key(state, &mut overlay, key);
            if let Some(cmds) = cmds {
                return cmds;
            }
            state.overlays.push(overlay);
            Vec::new()
        }
        None => match keymap::lookup(Context::Main, &key) {
            Some(action) => on_main_action(state, action),
            None => Vec::new(),
        },
    }
}

/// Keys on the detail and help screens. `Some(cmds)` when the overlay closed.
fn on_overlay_key(state: &mut State, overlay: &mut Overlay, key: KeyEvent) -> Option<Vec<Cmd>> {
    let action = keymap::lookup(Context::Overlay, &key)?;
    let scroll = match overlay {
        Overlay::Detail { scroll, .. } | Overlay::Help { scroll } => scroll,
        _ => return None,
    };
    match action {
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Down => *scroll = scroll.saturating_add(1),
        Action::PageUp => *scroll = scroll.saturating_sub(state.page as u16),
        Action::PageDown => *scroll = scroll.saturating_add(state.page as u16),
        Action::Top => *scroll = 0,
        Action::Bottom => *scroll = u16::MAX / 2,
        Action::Help if !matches!(overlay, Overlay::Help { .. }) => {
            // Help over the detail: keep the detail under it.
            let below = std::mem::replace(overlay, Overlay::Help { scroll: 0 });
            state.overlays.push(below);
        }
        Action::Back | Action::Help => {
            if matches!(overlay, Overlay::Detail { .. }) {
                state.pod_events = None;
                return Some(vec![Cmd::WatchPodEvents(None)]);
            }
            return Some(Vec::new());
        }
        _ => {}
    }
    None
}

/// Forget the fleet (the watches restart elsewhere); marks go too, since they named objects of
/// the old scope.
pub(super) fn reset_fleet(state: &mut State) {
    state.fleet = Default::default();
    state.synced = [false; 3];
    state.stale = [None; 3];
    state.marks.clear();
    state.visual = None;
    state.cursor = None;
    state.rebuild_view();
}

pub(super) fn move_cursor(state: &mut State, delta: isize) {
    let pos = state.cursor_pos() as isize + delta;
    state.set_cursor_pos(pos.max(0) as usize);
}

pub(super) fn group_keys(state: &State, set: &(String, String)) -> Vec<Key> {
    state
        .fleet
        .members
        .get(set)
        .into_iter()
        .flatten()
        .map(|k| k.0.clone())
        .filter(|k| state.row_matches(k))
        .collect()
}

fn toggle_all(state: &mut State, keys: Vec<Key>) {
    if !keys.is_empty() && keys.iter().all(|k| state.marks.contains(k)) {
        for k in &keys {
            state.marks.remove(k);
        }
    } else {
        state.marks.extend(keys);
    }
}

fn on_main_action(state: &mut State, action: Action) -> Vec<Cmd> {
    let page = state.page.max(1) as isize;
    match action {
        Action::Up => move_cursor(state, -1),
        Action::Down => move_cursor(state, 1),
        Action::PageUp => move_cursor(state, -page),
        Action::PageDown => move_cursor(state, page),
        Action::Top => state.set_cursor_pos(0),
        Action::Bottom => state.set_cursor_pos(usize::MAX),
        Action::ToggleMark => match state.cursor.clone() {
            Some(TableLine::Row(k)) => {
                if !state.marks.remove(&k) {
                    state.marks.insert(k);
                }
                move_cursor(state, 1);
            }
            Some(TableLine::Group(set)) => {
                let keys = group_keys(state, &set);
                toggle_all(state, keys);
            }
            None => {}
        },
        Action::MarkGroup => {
            if let Some(set) = state.cursor_set() {
                let keys = group_keys(state, &set);
                toggle_all(state, keys);
            }
        }
        Action::Visual => match state.visual_range() {
            Some((a, b)) => {
                let keys: Vec<Key> = state.view[a..=b]
                    .iter()
                    .filter_map(|l| match l {
                        TableLine::Row(k) => Some(k.clone()),
                        TableLine::Group(_) => None,
                    })
                    .collect();
                state.marks.extend(keys);
                state.visual = None;
            }
            None => {
                state.visual = state.cursor.clone();
                state.note(Level::Info, "range: move, then V again to mark (esc cancels)");
            }
        },
        Action::MarkMatching => {
            let keys: Vec<Key> =
                state.fleet.rows.keys().filter(|k| state.row_matches(k)).cloned().collect();
            let n = keys.len();
            state.marks.extend(keys);
            state.note(Level::Info, format!("marked {n} matching rows"));
        }
        Action::ClearMarks => {
            if state.visual.take().is_none() {
                state.marks.clear();
                state.note = None;
            }
        }
        Action::ToggleFold => toggle_fold(state),
        Action::FoldAll => {
            let groups = state.fleet.groups();
            if groups.iter().all(|g| state.folded.contains(g)) {
                state.folded.clear();
            } else {
                state.folded.extend(groups);
            }
            if let Some(set) = state.cursor_set() {
                state.cursor = Some(TableLine::Group(set));
            }
            state.rebuild_view();
        }
        Action::Detail => match state.cursor.clone() {
            Some(TableLine::Row(key)) => {
                state.pod_events = None;
                state.overlays.push(Overlay::Detail { key: key.clone(), scroll: 0 });
                return vec![Cmd::WatchPodEvents(Some(key))];
            }
            Some(TableLine::Group(_)) => toggle_fold(state),
            None => {}
        },
        Action::Filter => return super::prompt::open_input(state, InputKind::Filter),
        Action::Logs => return super::logs::open(state, false),
        Action::PreviousLogs => return super::logs::open(state, true),
        Action::Command => return super::prompt::open_input(state, InputKind::Command),
        Action::ClearFilter => {
            state.filter = Default::default();
            state.rebuild_view();
        }
        Action::Help => state.overlays.push(Overlay::Help { scroll: 0 }),
        Action::Sort(column) => sort(state, column),
        Action::Bump => return super::open::bump(state),
        Action::Rollout => {
            // The staged screen of the cursor's set (a drive this console runs), else a bump
            // followed here, else the set's staged rollout from its record.
            let set = state.cursor_set();
            let unparked = set.as_ref().is_some_and(|set| {
                super::open::unpark(state, |o| matches!(o, Overlay::Staged(s) if s.set == *set))
            }) || super::open::unpark(state, |o| matches!(o, Overlay::Bump(_)));
            if !unparked {
                // No bump followed here: a staged rollout of the cursor's set, from its record.
                match state.cursor_set() {
                    Some(set) if state.fleet.header(&set).rollout.is_some() => {
                        let cannot_write =
                            state.access.check(&[ApiAction::PatchGameServerSets]).err();
                        let screen = crate::tui::screens::staged::state::StagedScreen::new(
                            set,
                            cannot_write,
                        );
                        state.overlays.push(Overlay::Staged(Box::new(screen)))
                    }
                    _ => state.note(
                        Level::Info,
                        "no rollout is being followed, and no staged rollout holds this set",
                    ),
                }
            }
        }
        Action::Reload => return super::open::reload(state),
        Action::Edit => return super::open::edit(state),
        Action::Yaml => return super::object::open(state, ObjectMode::Yaml),
        Action::Describe => return super::object::open(state, ObjectMode::Describe),
        Action::Shell => return super::open::shell(state),
        Action::Quit => return quit(state),
        // The screens' own actions are never looked up on the table.
        Action::Back
        | Action::Cancel
        | Action::Submit
        | Action::NextField
        | Action::PrevField
        | Action::TabNext
        | Action::ChoosePrev
        | Action::ChooseNext
        | Action::CanaryMore
        | Action::CanaryLess
        | Action::Erase
        | Action::Apply
        | Action::ContinueCanary
        | Action::PauseResume
        | Action::Rollback
        | Action::AbandonCanary
        | Action::ChainReload
        | Action::SwitchMethod
        | Action::Start
        | Action::CancelRun
        | Action::DriveOn
        | Action::StopDrive
        | Action::Toggle
        | Action::Close
        | Action::Accept
        | Action::Complete
        | Action::LogsContainer
        | Action::LogsSince(_)
        | Action::Autoscroll
        | Action::Wrap
        | Action::Search
        | Action::SearchNext
        | Action::SearchPrev
        | Action::Copy
        | Action::Save => {}
    }
    Vec::new()
}

/// Sort by `column` (again: the other way); the cursor stays on its GameServer.
fn sort(state: &mut State, column: okg_domain::columns::Column) {
    let sort = okg_domain::columns::sort::Sort::pressed(state.sort, column);
    state.sort = Some(sort);
    state.rebuild_view();
    let way = if sort.descending { "descending" } else { "ascending" };
    state.note(
        Level::Info,
        format!("sorted by {} {way} within each set ({} again: the other way)", column.header(), {
            keymap::SORT_BINDINGS
                .iter()
                .find(|b| b.action == Action::Sort(column))
                .map(|b| keymap::key_name(b.keys[0].0, b.keys[0].1))
                .unwrap_or_default()
        }),
    );
}

fn toggle_fold(state: &mut State) {
    let Some(set) = state.cursor_set() else { return };
    if !state.folded.remove(&set) {
        state.folded.insert(set.clone());
    }
    state.cursor = Some(TableLine::Group(set));
    state.rebuild_view();
}
