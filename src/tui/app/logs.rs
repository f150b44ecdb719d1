//! The logs screen in the state machine: `l` and `p` open it on the cursor's pod or the marked
//! pods, its keys, and the feed's lines coming in. The feed itself is `tui::logs_task`.
use crossterm::event::KeyEvent;

use super::keymap::{self, Action, Context};
use super::msg::{Cmd, LogEvent, LogsCmd};
use super::state::{InputKind, Level, Overlay, State, TableLine};
use crate::tui::screens::logs::screen::{LogsScreen, MAX_PODS};
use crate::tui::screens::logs::state::{Pick, Since};

fn open_cmd(screen: &LogsScreen) -> Cmd {
    Cmd::Logs(LogsCmd::Open {
        feed: screen.feed,
        streams: screen.streams.clone(),
        options: screen.options(),
    })
}

/// `l` (`previous` false) and `p`: the marked pods merged, else the cursor's row, else (on a
/// header) its set. Reads only, so read-only sessions have it too.
pub fn open(state: &mut State, previous: bool) -> Vec<Cmd> {
    let mut targets = super::open::targets(state);
    if targets.is_empty()
        && let Some(TableLine::Group(set)) = state.cursor.clone()
    {
        targets = super::update::group_keys(state, &set);
    }
    if targets.is_empty() {
        state.note(Level::Warn, "logs: no row under the cursor and nothing marked");
        return Vec::new();
    }
    let asked = targets.len();
    targets.truncate(MAX_PODS);
    let feed = state.next_feed();
    let Some(screen) = LogsScreen::new(feed, &state.fleet, targets, Pick::Main, previous) else {
        state.note(Level::Warn, "logs: no pod is known yet for the chosen rows");
        return Vec::new();
    };
    if asked > MAX_PODS {
        state.note(Level::Info, format!("logs: the first {MAX_PODS} of {asked} pods"));
    }
    let cmd = open_cmd(&screen);
    state.overlays.push(Overlay::Logs(Box::new(screen)));
    vec![cmd]
}

/// A key on the logs screen (taken off the stack by the caller).
pub fn on_key(state: &mut State, mut screen: Box<LogsScreen>, key: KeyEvent) -> Vec<Cmd> {
    let page = state.page.max(1);
    let mut cmds = Vec::new();
    let l = &mut screen.logs;
    match keymap::lookup(Context::Logs, &key) {
        Some(Action::Back) => return vec![Cmd::Logs(LogsCmd::Stop)],
        Some(Action::Up) => l.scroll_up(1),
        Some(Action::Down) => l.scroll_down(1),
        Some(Action::PageUp) => l.scroll_up(page),
        Some(Action::PageDown) => l.scroll_down(page),
        Some(Action::Top) => l.scroll_up(usize::MAX),
        Some(Action::Bottom) => l.to_end(),
        Some(Action::Autoscroll) if l.paused => l.to_end(),
        Some(Action::Autoscroll) => l.toggle_pause(),
        Some(Action::Wrap) => l.wrap = !l.wrap,
        Some(Action::Save) => cmds.push(Cmd::Logs(LogsCmd::Save {
            name: screen.save_name(),
            text: screen.logs.export(),
        })),
        Some(Action::LogsContainer) => {
            let (next, cmd) = repick(state, screen);
            state.overlays.push(Overlay::Logs(next));
            return cmd.into_iter().collect();
        }
        Some(Action::LogsSince(since)) => {
            let (next, cmd) = reopen(state, &screen, screen.logs.pick.clone(), since)
                .map_or((screen, None), |(n, c)| (n, Some(c)));
            state.overlays.push(Overlay::Logs(next));
            return cmd.into_iter().collect();
        }
        Some(action @ (Action::SearchNext | Action::SearchPrev))
            if !l.next_match(action == Action::SearchNext, page) =>
        {
            let why = if l.search.is_some() { "no match" } else { "nothing searched (/)" };
            state.note(Level::Info, format!("logs: {why}"));
        }
        Some(Action::Search) => {
            let current = screen.logs.search.clone();
            state.overlays.push(Overlay::Logs(screen));
            super::prompt::open_search(state, InputKind::LogSearch, current);
            return Vec::new();
        }
        Some(Action::Help) => {
            state.overlays.push(Overlay::Logs(screen));
            state.overlays.push(Overlay::Help { scroll: 0 });
            return Vec::new();
        }
        _ => {}
    }
    state.overlays.push(Overlay::Logs(screen));
    cmds
}

/// `c`: the next pick that has streams (a pod without sidecars skips "sidecars"), on a new feed;
/// wrap and search stay. The old feed is replaced by the shell when the new one opens.
fn repick(state: &mut State, screen: Box<LogsScreen>) -> (Box<LogsScreen>, Option<Cmd>) {
    let mut pick = screen.logs.pick.next();
    while pick != screen.logs.pick {
        if let Some((next, cmd)) = reopen(state, &screen, pick.clone(), screen.logs.since) {
            return (next, Some(cmd));
        }
        pick = pick.next();
    }
    state.note(Level::Info, "logs: these pods have no other container");
    (screen, None)
}

/// The same pods read again with `pick` and `since`, on a new feed; wrap and search stay.
/// `None` when no pod has such a container.
fn reopen(
    state: &mut State,
    screen: &LogsScreen,
    pick: Pick,
    since: Since,
) -> Option<(Box<LogsScreen>, Cmd)> {
    let feed = state.next_feed();
    let (targets, previous) = (screen.targets.clone(), screen.logs.previous);
    let mut next = LogsScreen::new(feed, &state.fleet, targets, pick, previous)?;
    next.logs.since = since;
    next.logs.wrap = screen.logs.wrap;
    next.logs.search = screen.logs.search.clone();
    let cmd = open_cmd(&next);
    Some((Box::new(next), cmd))
}

/// A line or an end from the feed, for the screen of that feed; others are dropped.
pub fn on_event(state: &mut State, ev: LogEvent) {
    let Some(screen) = state.logs_screen_mut().filter(|s| s.feed == ev.feed()) else { return };
    match ev {
        LogEvent::Line { stream, at_ms, written_ms, text, .. } => {
            screen.logs.push(stream, at_ms, written_ms, text)
        }
        LogEvent::Ended { stream, why, .. } => screen.logs.end(stream, why),
    }
    state.dirty = true;
}

/// The search typed in the prompt over the logs screen; empty clears it.
pub fn set_search(state: &mut State, text: &str) {
    if let Some(screen) = state.logs_screen_mut() {
        screen.logs.set_search(text);
    }
}
