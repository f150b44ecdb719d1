//! Title bar, status line, key hints and the text prompt.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use super::theme::Theme;
use crate::cluster::access::ApiAction;
use crate::tui::app::keymap::{self, Action, Context};
use crate::tui::app::state::{Input, InputKind, Level, Overlay, State};

fn spans(buf: &mut Buffer, mut x: u16, y: u16, right: u16, parts: &[(String, Style)]) -> u16 {
    for (text, style) in parts {
        if x >= right {
            break;
        }
        x = buf.set_stringn(x, y, text, (right - x) as usize, *style).0;
    }
    x
}

pub fn title(state: &State, t: &Theme, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, t.title);
    let ns = state.namespace.as_deref().unwrap_or("(all)");
    let live = if let Some((_, to)) = &state.switching {
        format!("switching to {}…", super::format::fit(to, 24))
    } else if let Some(words) = stale_words(state) {
        words
    } else if let Some(e) = &state.watch_error {
        format!("{} {}", t.sym("✗", "x"), super::format::fit(e, 30))
    } else if state.synced.iter().all(|s| *s) {
        format!("{} live", t.sym("●", "*"))
    } else {
        format!("{} syncing", t.sym("…", "..."))
    };
    let left = format!(
        " okg  ctx {} · ns {ns} · {live} · {} sets {} gs",
        state.context,
        state.fleet.groups().len(),
        state.gameserver_count()
    );
    let mut right: Vec<(String, Style)> = Vec::new();
    if state.access.read_only {
        right.push((" READ-ONLY ".into(), t.readonly));
        right.push(("  ".into(), t.title));
    }
    if state.parked_bump().is_some() {
        right.push((" rollout: o ".into(), t.accent));
        right.push(("  ".into(), t.title));
    }
    right.push(("? help ".into(), t.title));
    let right_w: usize = right.iter().map(|(s, _)| s.chars().count()).sum();
    let end = area.x + area.width;
    let right_x = end.saturating_sub(right_w as u16);
    spans(buf, area.x, area.y, right_x.saturating_sub(1), &[(left, t.title)]);
    spans(buf, right_x, area.y, end, &right);
}

/// "stale since 14:03:07" (local time) while a watch is stale, for the title and every group.
pub fn stale_words(state: &State) -> Option<String> {
    let since = state.stale_since()?;
    let local = since.to_zoned(jiff::tz::TimeZone::system());
    Some(format!("stale since {}", local.strftime("%H:%M:%S")))
}

/// `2 marked · /Ready · note`, or the prompt when one is open.
pub fn status(state: &State, t: &Theme, area: Rect, buf: &mut Buffer) {
    if let Some(Overlay::Input(input)) = state.top_overlay() {
        // The marked count stays visible while typing.
        let count = format!(" {} marked ", state.marked_present());
        let w = (count.chars().count() as u16).min(area.width / 3);
        let right = Rect { x: area.x + area.width - w, width: w, ..area };
        buf.set_stringn(right.x, right.y, &count, w as usize, t.mark);
        prompt(input, t, Rect { width: area.width - w, ..area }, buf);
        return;
    }
    let end = area.x + area.width;
    let present = state.marked_present();
    let gone = state.marks.len() - present;
    let mut parts =
        vec![(format!(" {present} marked"), if present > 0 { t.mark } else { t.muted })];
    if gone > 0 {
        parts.push((format!(" (+{gone} gone)"), t.muted));
    }
    if state.filter.is_active() {
        parts.push((format!(" · {}", state.filter.describe()), t.accent));
    }
    if state.visual.is_some() {
        parts.push((" · RANGE".into(), t.mark));
    }
    if let Some((level, note)) = &state.note {
        let style = match level {
            Level::Info => t.text,
            Level::Warn => t.warn,
            Level::Error => t.error,
        };
        parts.push((" · ".into(), t.muted));
        parts.push((note.clone(), style));
    }
    spans(buf, area.x, area.y, end, &parts);
}

fn prompt(input: &Input, t: &Theme, area: Rect, buf: &mut Buffer) {
    let label = format!(" {}", input.kind.prompt());
    let x = buf.set_stringn(area.x, area.y, &label, area.width as usize, t.accent).0;
    let err_w = input.error.as_ref().map(|e| e.chars().count() as u16 + 3).unwrap_or(0);
    let end = area.x + area.width;
    let field_w = end.saturating_sub(x).saturating_sub(err_w.min(end.saturating_sub(x) / 2));
    let mut ta = input.textarea.clone();
    ta.set_style(t.text);
    ta.set_cursor_line_style(Style::default());
    ta.set_cursor_style(t.selection);
    ta.render(Rect { x, y: area.y, width: field_w, height: 1 }, buf);
    if let Some(e) = &input.error {
        let ex = x + field_w;
        buf.set_stringn(ex, area.y, format!(" ! {e}"), end.saturating_sub(ex) as usize, t.error);
    }
}

/// The hints given up first when a hint line does not fit, least useful first (as k9s shortens
/// its menu): ways to do what another key or help also tells, before the keys that act, leave
/// or help. Hints not listed are never dropped (the line is then cut at the edge).
const DROP_FIRST: &[Action] = &[
    Action::Visual,
    Action::MarkGroup,
    Action::Detail,
    Action::Wrap,
    Action::Save,
    Action::LogsContainer,
    Action::TabNext,
    Action::Copy,
    Action::ToggleMark,
];

/// The hints that fit in `width` columns, in their order: the `DROP_FIRST` ones go, in that
/// order, until the rest fits.
fn fit<'a>(
    mut items: Vec<(Action, &'a str, &'a str, bool)>,
    width: usize,
) -> Vec<(Action, &'a str, &'a str, bool)> {
    // " k what · k what": a leading space, each hint, a separator between two.
    let used = |items: &[(Action, &str, &str, bool)]| -> usize {
        let text: usize =
            items.iter().map(|(_, k, w, _)| k.chars().count() + 1 + w.chars().count()).sum();
        1 + text + 3 * items.len().saturating_sub(1)
    };
    for drop in DROP_FIRST {
        if used(&items) <= width {
            break;
        }
        items.retain(|(a, ..)| a != drop);
    }
    items
}

/// Key hints, from the same bindings that handle keys. Actions this session cannot take
/// (read-only, or RBAC says no) are left out, as k9s leaves them out in read-only mode: dimmed
/// by colour alone they would look offered under NO_COLOR. The key still answers with why.
pub fn hints(state: &State, t: &Theme, area: Rect, buf: &mut Buffer) {
    let end = area.x + area.width;
    let bump_ok =
        state.access.check(&[ApiAction::PatchGameServerSets, ApiAction::PatchGameServers]).is_ok();
    let reload_ok = state.access.check(&[ApiAction::ExecPods, ApiAction::ProxyPods]).is_ok();
    let edit_ok = state.access.check(&[ApiAction::PatchGameServers]).is_ok();
    let all = |_: Action| true;
    let items: Vec<(Action, &str)> = match state.top_overlay() {
        Some(Overlay::Input(i)) => keymap::hints(Context::Prompt, |a| {
            a != Action::Complete || i.kind == InputKind::Command
        }),
        Some(Overlay::Picker(_)) => keymap::hints(Context::Picker, all),
        // ↑↓ go without saying; the logs' own keys need the room at 80 columns.
        Some(Overlay::Logs(_)) => keymap::hints(Context::Logs, |a| a != Action::Up),
        // Read-only (or RBAC says no): `p` is left out, as b and r are on the table.
        Some(Overlay::Staged(s)) => keymap::hints(s.context(), |a| match a {
            Action::PauseResume | Action::DriveOn | Action::Rollback => s.cannot_write.is_none(),
            Action::StopDrive => s.driving(),
            _ => true,
        }),
        Some(Overlay::Detail { .. } | Overlay::Help { .. }) => keymap::hints(Context::Overlay, all),
        Some(Overlay::Object(_)) => keymap::hints(Context::Object, |a| a != Action::Up),
        // The screens draw their own hint lines.
        Some(Overlay::GsOps(d)) => keymap::hints(d.context(), all),
        Some(Overlay::ShellPick(_)) => keymap::hints(Context::ShellPick, all),
        Some(Overlay::Bump(_) | Overlay::Reload(_)) => {
            keymap::hints(Context::Overlay, |a| a == Action::Back)
        }
        None => keymap::hints(Context::Main, |a| a != Action::Up),
    };
    let items: Vec<(Action, &str, &str, bool)> = items
        .into_iter()
        .map(|(action, hint)| {
            let (k, what) = hint.split_once(' ').unwrap_or((hint, ""));
            let ok = match action {
                Action::Bump => bump_ok,
                Action::Reload => reload_ok,
                Action::Edit => edit_ok,
                _ => true,
            };
            (action, k, what, ok)
        })
        .filter(|(_, _, _, ok)| *ok)
        .collect();
    let items = fit(items, area.width as usize);
    let mut parts = Vec::new();
    for (i, (_, k, what, _)) in items.into_iter().enumerate() {
        if i > 0 {
            parts.push((" · ".to_string(), t.muted));
        }
        parts.push((k.to_string(), t.accent));
        parts.push((format!(" {what}"), t.text));
    }
    parts.insert(0, (" ".into(), t.text));
    spans(buf, area.x, area.y, end, &parts);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_hints_that_matter_fit_80_columns_read_only_or_not() {
        let table = |show: &dyn Fn(Action) -> bool| {
            let items = keymap::hints(Context::Main, |a| a != Action::Up && show(a));
            let items: Vec<_> = items
                .into_iter()
                .map(|(a, h)| {
                    let (k, w) = h.split_once(' ').unwrap_or((h, ""));
                    (a, k, w, true)
                })
                .collect();
            let kept = fit(items, 80);
            let line: Vec<String> = kept.iter().map(|(_, k, w, _)| format!("{k} {w}")).collect();
            format!(" {}", line.join(" · "))
        };
        let read_only = table(&|a| !matches!(a, Action::Bump | Action::Reload | Action::Edit));
        let writable = table(&|_| true);
        for line in [&read_only, &writable] {
            assert!(line.chars().count() <= 80, "{line}");
            assert!(line.ends_with("? help · q quit"), "{line}");
            assert!(line.contains("/ filter") && line.contains("l logs"), "{line}");
        }
        assert!(writable.contains("b bump · r reload · e edit"), "{writable}");
        assert!(!writable.contains("V range"), "the least useful went first: {writable}");
        let wide = keymap::hints(Context::Main, |_| true).len();
        let items = keymap::hints(Context::Main, |_| true)
            .into_iter()
            .map(|(a, h)| (a, h, "", true))
            .collect();
        assert_eq!(fit(items, 500).len(), wide, "nothing dropped where all fit");
    }
}
