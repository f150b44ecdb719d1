//! What the `:` line's commands do: switch namespace or context, or jump. The console has one
//! joined table, so `:gss`, `:gs` and `:pod` move the cursor (unfolding the set) rather than
//! open a view of their own. Without a name each opens a picker (`screens/picker`).
use crossterm::event::KeyEvent;

use super::command::{self, Verb};
use super::msg::Cmd;
use super::state::{Level, Overlay, State, TableLine};
use super::store::SetKey;
use crate::tui::screens::picker::state::{ALL_NAMESPACES, PickKind, Picked, Picker};
use okg_domain::fleet::Key;

/// Run a command line. `Err` keeps the prompt open with the reason (a typo can be fixed).
pub(super) fn run(state: &mut State, text: &str) -> Result<Vec<Cmd>, String> {
    let cmd = command::parse(text)?;
    let Some(name) = cmd.name else {
        return Ok(match cmd.verb {
            Verb::Quit => super::update::quit(state),
            Verb::Context => open_picker(state, PickKind::Context),
            Verb::Namespace => open_picker(state, PickKind::Namespace),
            Verb::Sets => open_picker(state, PickKind::Set),
            Verb::GameServers => open_picker(state, PickKind::GameServer),
            Verb::Pods => open_picker(state, PickKind::Pod),
        });
    };
    match cmd.verb {
        Verb::Quit => Ok(super::update::quit(state)),
        Verb::Context => Ok(switch_context(state, &name)),
        Verb::Namespace => Ok(switch_namespace(state, &name)),
        Verb::Sets => jump_set(state, &name).map(|()| Vec::new()),
        Verb::GameServers => jump_gameserver(state, &name).map(|()| Vec::new()),
        Verb::Pods => jump_pod(state, &name).map(|()| Vec::new()),
    }
}

/// The names `tab` completes after a verb.
pub(super) fn names(state: &State, verb: Verb) -> Vec<String> {
    match verb {
        Verb::Context => state.contexts.clone(),
        Verb::Namespace => {
            let mut ns = vec![ALL_NAMESPACES.to_string()];
            ns.extend(state.namespaces.clone().unwrap_or_else(|| seen_namespaces(state)));
            ns
        }
        Verb::Sets => set_names(state).into_iter().map(|(n, _)| n).collect(),
        Verb::GameServers => key_names(state.fleet.rows.keys()),
        Verb::Pods => key_names(state.fleet.pods.keys()),
        Verb::Quit => Vec::new(),
    }
}

fn switch_namespace(state: &mut State, ns: &str) -> Vec<Cmd> {
    let ns = if ns == ALL_NAMESPACES || ns == "*" { None } else { Some(ns.to_string()) };
    super::update::reset_fleet(state);
    state.namespace = ns.clone();
    state.note(Level::Info, format!("namespace {}", ns.as_deref().unwrap_or("(all)")));
    vec![Cmd::SwitchNamespace(ns)]
}

fn switch_context(state: &mut State, name: &str) -> Vec<Cmd> {
    // The current context stays live until the new one answers (`Msg::Switched`).
    let switch = state.next_switch();
    state.switching = Some((switch, name.to_string()));
    state.note(Level::Info, format!("switching to context {name}…"));
    vec![Cmd::SwitchContext { switch, context: name.to_string() }]
}

fn open_picker(state: &mut State, kind: PickKind) -> Vec<Cmd> {
    let (items, current, cmds) = match kind {
        PickKind::Context => (None, Some(state.context.clone()), vec![Cmd::ListChoices(kind)]),
        PickKind::Namespace => {
            let current = state.namespace.clone().unwrap_or_else(|| ALL_NAMESPACES.into());
            (None, Some(current), vec![Cmd::ListChoices(kind)])
        }
        PickKind::Set => (Some(names(state, Verb::Sets)), None, Vec::new()),
        PickKind::GameServer => (Some(names(state, Verb::GameServers)), None, Vec::new()),
        PickKind::Pod => (Some(names(state, Verb::Pods)), None, Vec::new()),
    };
    let mut picker = Picker::new(kind, items, current);
    if let Some(name) = state.cursor_key().map(|k| k.name.clone())
        && matches!(kind, PickKind::GameServer | PickKind::Pod)
    {
        // Start on the cursor's row, so enter alone stays put.
        let at = picker.visible().iter().position(|n| display_is(n, &name));
        picker.selected = at.unwrap_or(0);
    }
    state.overlays.push(Overlay::Picker(Box::new(picker)));
    cmds
}

fn display_is(shown: &str, name: &str) -> bool {
    shown == name || shown.rsplit_once('/').is_some_and(|(_, n)| n == name)
}

/// The shell's answer for a picker: into the open picker of that kind, and remembered for
/// `tab`. Namespaces RBAC will not list are replaced by those the watch has seen, saying so.
pub(super) fn on_choices(state: &mut State, kind: PickKind, items: Result<Vec<String>, String>) {
    let (items, note) = match (kind, items) {
        (PickKind::Context, Ok(items)) => {
            state.contexts = items.clone();
            (items, None)
        }
        (PickKind::Namespace, Ok(items)) => {
            state.namespaces = Some(items.clone());
            (with_all(items), None)
        }
        (PickKind::Namespace, Err(e)) => {
            let note =
                format!("cannot list namespaces ({e}): these are the ones seen in the watch");
            (with_all(seen_namespaces(state)), Some(note))
        }
        (_, Err(e)) => (Vec::new(), Some(format!("cannot read the {}s: {e}", kind.noun()))),
        (_, Ok(items)) => (items, None),
    };
    let open = state.overlays.iter_mut().rev().find_map(|o| match o {
        Overlay::Picker(p) if p.kind == kind && p.items.is_none() => Some(p),
        _ => None,
    });
    if let Some(p) = open {
        p.set_items(items, note);
        state.dirty = true;
    }
}

fn with_all(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items.insert(0, ALL_NAMESPACES.into());
    items
}

/// The namespaces of what the watch has shown, and the one the console is in.
fn seen_namespaces(state: &State) -> Vec<String> {
    let mut ns: std::collections::BTreeSet<String> =
        state.fleet.gameservers.keys().map(|k| k.namespace.clone()).collect();
    ns.extend(state.fleet.headers.keys().map(|k| k.0.clone()));
    ns.extend(state.namespace.clone());
    ns.into_iter().collect()
}

pub(super) fn on_picker_key(state: &mut State, mut picker: Box<Picker>, key: KeyEvent) -> Vec<Cmd> {
    match picker.on_key(key) {
        Picked::Stay => {
            state.overlays.push(Overlay::Picker(picker));
            Vec::new()
        }
        Picked::Cancel => Vec::new(),
        Picked::Chosen(item) => choose(state, picker.kind, &item),
    }
}

/// Use a picker's item; a jump that cannot be made says why in the status line.
pub(super) fn choose(state: &mut State, kind: PickKind, item: &str) -> Vec<Cmd> {
    let jumped = match kind {
        PickKind::Context => return switch_context(state, item),
        PickKind::Namespace => return switch_namespace(state, item),
        PickKind::Set => jump_set(state, item),
        PickKind::GameServer => jump_gameserver(state, item),
        PickKind::Pod => jump_pod(state, item),
    };
    if let Err(why) = jumped {
        state.note(Level::Warn, why);
    }
    Vec::new()
}

/// Names as the pickers show them: `name`, or `namespace/name` when more than one namespace is
/// in view (the same name may be in both).
fn key_names<'a>(keys: impl Iterator<Item = &'a Key>) -> Vec<String> {
    let keys: Vec<&Key> = keys.collect();
    let several = keys.windows(2).any(|w| w[0].namespace != w[1].namespace);
    let mut names: Vec<String> = keys
        .into_iter()
        .map(|k| if several { format!("{}/{}", k.namespace, k.name) } else { k.name.clone() })
        .collect();
    names.sort_by(|a, b| okg_domain::fleet::natural_cmp(a, b));
    names
}

fn set_names(state: &State) -> Vec<(String, SetKey)> {
    let groups = state.fleet.groups();
    let several = groups.windows(2).any(|w| w[0].0 != w[1].0);
    groups
        .into_iter()
        .map(|s| (if several { format!("{}/{}", s.0, s.1) } else { s.1.clone() }, s))
        .collect()
}

/// The one key `name` (`name` or `namespace/name`) means among `keys`.
fn resolve<'a>(noun: &str, name: &str, keys: impl Iterator<Item = &'a Key>) -> Result<Key, String> {
    let (ns, bare) = match name.split_once('/') {
        Some((ns, n)) => (Some(ns), n),
        None => (None, name),
    };
    let found: Vec<&Key> =
        keys.filter(|k| k.name == bare && ns.is_none_or(|ns| k.namespace == ns)).collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!("no {noun} {name} here (:{} lists them)", short(noun))),
        _ => Err(format!("{name} is in several namespaces: write NAMESPACE/{bare}")),
    }
}

fn short(noun: &str) -> &'static str {
    match noun {
        "GameServerSet" => "gss",
        "pod" => "pod",
        _ => "gs",
    }
}

fn jump_set(state: &mut State, name: &str) -> Result<(), String> {
    let sets = set_names(state);
    let found: Vec<&SetKey> =
        sets.iter().filter(|(shown, s)| shown == name || s.1 == name).map(|(_, s)| s).collect();
    let set = match found.as_slice() {
        [one] => (*one).clone(),
        [] => return Err(format!("no GameServerSet {name} here (:gss lists them)")),
        _ => return Err(format!("{name} is in several namespaces: write NAMESPACE/{name}")),
    };
    state.folded.remove(&set);
    state.cursor = Some(TableLine::Group(set.clone()));
    state.rebuild_view();
    if state.cursor != Some(TableLine::Group(set)) {
        return Err(format!("{name} is hidden by the filter (x clears it)"));
    }
    state.note(Level::Info, format!("GameServerSet {name}"));
    Ok(())
}

fn jump_gameserver(state: &mut State, name: &str) -> Result<(), String> {
    let key = resolve("GameServer", name, state.fleet.rows.keys())?;
    jump_row(state, key)
}

fn jump_pod(state: &mut State, name: &str) -> Result<(), String> {
    let key = resolve("pod", name, state.fleet.pods.keys())?;
    if !state.fleet.rows.contains_key(&key) {
        return Err(format!("pod {name} has no GameServer row"));
    }
    jump_row(state, key)
}

/// Put the cursor on the row of `key`, unfolding its set.
fn jump_row(state: &mut State, key: Key) -> Result<(), String> {
    if !state.row_matches(&key) {
        return Err(format!("{} is hidden by the filter (x clears it)", key.name));
    }
    let line = TableLine::Row(key.clone());
    let saved = state.cursor.replace(line.clone());
    if let Some(set) = state.cursor_set() {
        state.folded.remove(&set);
    }
    state.rebuild_view();
    if state.cursor != Some(line) {
        state.cursor = saved;
        state.rebuild_view();
        return Err(format!("{} is not in the table", key.name));
    }
    state.note(Level::Info, format!("GameServer {}", key.name));
    Ok(())
}
