//! The main table: group headers and GameServer rows. Only the lines in view are laid out.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::columns::{self, Col};
use super::format;
use super::theme::Theme;
use crate::tui::app::state::{State, TableLine};
use crate::tui::app::store::SetKey;
use okg_domain::columns::{ALL, Column, ImageMark};
use okg_domain::fleet::Row;
use okg_domain::image;
use okg_domain::staged_rollout::RolloutState;

/// Text and style of one cell.
type Cell = (String, Style);

fn state_style(t: &Theme, s: &str) -> Style {
    match s {
        "Ready" => t.ok,
        "Updating" | "Creating" | "PreUpdate" | "PreDelete" | "Unknown" => t.warn,
        "NotReady" | "Crash" | "Deleting" => t.error,
        _ => t.text,
    }
}

/// kubectl's pod STATUS: running is calm, on its way is a warning, stuck or failed is an error.
fn status_style(t: &Theme, s: &str) -> Style {
    match s {
        "Running" | "Succeeded" | "Completed" => t.ok,
        "Pending" | "ContainerCreating" | "PodInitializing" | "Terminating" | "NotReady" => t.warn,
        "-" => t.muted,
        _ => t.error,
    }
}

fn ops_style(t: &Theme, s: &str) -> Style {
    match s {
        "None" => t.muted,
        "Kill" => t.error,
        _ => t.warn,
    }
}

/// A row's image for one container: its tag and mark (`okg_domain::columns::ImageMark`), in
/// colour; `None` when the row has no such container.
fn image_cell(row: &Row, container: &str, t: &Theme) -> Option<Cell> {
    let i = row.images.iter().find(|i| i.container == container)?;
    let mark = ImageMark::of(i);
    let (symbol, style) = match mark {
        ImageMark::Updating => (t.sym(mark.symbol(), ">"), t.warn),
        ImageMark::Differs => (mark.symbol(), t.accent),
        ImageMark::Same => (mark.symbol(), t.text),
    };
    Some((format!("{}{symbol}", i.tag), style))
}

/// The cell's text (`okg_domain::columns`, shared with `okg status`) and its style.
fn cell(row: &Row, col: Column, state: &State, t: &Theme) -> Cell {
    let style = match col {
        Column::Name if state.flashed.contains(&row.key) => t.changed,
        Column::Name => t.text,
        Column::State => state_style(t, &row.state),
        Column::OpsState => ops_style(t, &row.ops_state),
        Column::Ready if row.containers > 0 && row.ready == row.containers => t.ok,
        Column::Ready => t.warn,
        Column::Restarts if row.restarts > 0 => t.warn,
        Column::Status => status_style(t, &row.status),
        Column::Images => return (String::new(), t.text), // drawn piecewise
        // Not Ready is written before the address: the colour is not the only signal.
        Column::Network => match row.network.as_deref() {
            None => t.muted,
            Some(n) if n.starts_with("Waiting") || n.starts_with("NotReady") => t.warn,
            Some(_) => t.text,
        },
        _ => t.muted,
    };
    (col.text(row, state.now), style)
}

/// Widths that fit the rows in view: every column's widest text, and one slot per container
/// (main containers first, as each set lists them, then sidecars), as wide as its name or its
/// widest tag.
fn measure<'a>(rows: impl Iterator<Item = &'a Row>, now: jiff::Timestamp) -> columns::Fit {
    let mut fit = columns::Fit::default();
    // (container, its lowest position in a pod, first seen, width)
    let mut slots: Vec<(String, usize, usize, u16)> = Vec::new();
    for r in rows {
        for (w, c) in fit.widths.iter_mut().zip(ALL) {
            if c != Column::Images {
                *w = (*w).max(c.text(r, now).chars().count() as u16);
            }
        }
        for (pos, i) in r.images.iter().enumerate() {
            let mark = ImageMark::of(i).symbol().chars().count();
            let w = (i.tag.chars().count() + mark) as u16;
            match slots.iter_mut().find(|s| s.0 == i.container) {
                Some(s) => {
                    s.1 = s.1.min(pos);
                    s.3 = s.3.max(w);
                }
                None => {
                    let n = slots.len();
                    let name = i.container.chars().count() as u16;
                    slots.push((i.container.clone(), pos, n, w.max(name)));
                }
            }
        }
    }
    slots.sort_by_key(|s| (s.1, s.2));
    fit.images = slots
        .into_iter()
        .map(|(container, _, _, width)| columns::ImageSlot { container, width })
        .collect();
    fit
}

pub fn draw(state: &State, t: &Theme, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let end = (state.scroll + area.height as usize - 1).min(state.view.len());
    let lines = &state.view[state.scroll.min(end)..end];
    let rows_in_view = lines.iter().filter_map(|l| match l {
        TableLine::Row(k) => state.fleet.rows.get(k),
        TableLine::Group(_) => None,
    });
    let fit = measure(rows_in_view, state.now);
    let marker = state.sort.map(|s| columns::Marker {
        column: s.column,
        symbol: if s.descending { t.sym("▼", "v") } else { t.sym("▲", "^") },
    });
    let layout = columns::layout(area.width.saturating_sub(2), &fit, marker.as_ref());

    // Column titles; under IMAGES, the containers' names.
    let mut x = area.x + 2;
    buf.set_style(Rect { height: 1, ..area }, t.header);
    for c in &layout.cols {
        if c.id == Column::Images && !layout.images.is_empty() {
            let mut sx = x;
            for (n, slot) in layout.images.iter().enumerate() {
                let mut name = slot.container.clone();
                if n == 0 && c.title.len() > c.id.short_header().len() {
                    name.push_str(&c.title[c.id.short_header().len()..]);
                }
                buf.set_stringn(
                    sx,
                    area.y,
                    format::fit(&name, slot.width as usize),
                    slot.width as usize,
                    t.header,
                );
                sx += slot.width + 1;
            }
        } else {
            put(buf, x, area.y, c, &c.title, t.header);
        }
        x += c.width + layout.gap;
    }

    if state.view.is_empty() {
        let msg = if state.synced.iter().all(|s| *s) {
            if state.filter.is_active() {
                "  no GameServer matches the filter (x clears it)"
            } else {
                "  no GameServers here"
            }
        } else {
            "  loading…"
        };
        buf.set_stringn(area.x, area.y + 1, msg, area.width as usize, t.muted);
        return;
    }
    let visual = state.visual_range();
    for (i, line) in lines.iter().enumerate() {
        let y = area.y + 1 + i as u16;
        let pos = state.scroll + i;
        let lane = Rect { x: area.x, y, width: area.width, height: 1 };
        let selected = state.cursor_pos() == pos;
        let in_range = visual.is_some_and(|(a, b)| pos >= a && pos <= b);
        match line {
            TableLine::Group(set) => draw_group(state, t, set, lane, buf),
            TableLine::Row(k) => {
                if let Some(row) = state.fleet.rows.get(k) {
                    draw_row(state, t, row, &layout, lane, buf, in_range);
                }
            }
        }
        if selected {
            buf.set_string(area.x, y, t.sym("▸", ">"), t.accent);
            buf.set_style(lane, t.selection);
        } else if in_range {
            buf.set_style(lane, t.selection);
        }
    }
}

fn put(buf: &mut Buffer, x: u16, y: u16, col: &Col, text: &str, style: Style) {
    let s = format::fit(text, col.width as usize);
    let pad = if col.right { col.width as usize - s.chars().count() } else { 0 };
    buf.set_stringn(x + pad as u16, y, &s, col.width as usize, style);
}

fn draw_row(
    state: &State,
    t: &Theme,
    row: &Row,
    layout: &columns::Layout,
    lane: Rect,
    buf: &mut Buffer,
    in_range: bool,
) {
    if state.marks.contains(&row.key) {
        buf.set_string(lane.x + 1, lane.y, t.sym("●", "*"), t.mark);
    } else if in_range {
        buf.set_string(lane.x + 1, lane.y, t.sym("┃", "|"), t.mark);
    }
    let mut x = lane.x + 2;
    let right = lane.x + lane.width;
    for c in &layout.cols {
        if x >= right {
            break;
        }
        if c.id == Column::Images {
            let mut sx = x;
            for slot in &layout.images {
                if let Some((text, style)) = image_cell(row, &slot.container, t) {
                    let w = slot.width as usize;
                    buf.set_stringn(sx, lane.y, format::fit(&text, w), w, style);
                }
                sx += slot.width + 1;
            }
        } else {
            let (text, style) = cell(row, c.id, state, t);
            put(buf, x, lane.y, c, &text, style);
        }
        x += c.width + layout.gap;
    }
}

/// `▾ gss-2048  ready 6/6 · updated 4/6 · current 6 · InPlaceIfPossible · partition 0 │ images`
fn draw_group(state: &State, t: &Theme, set: &SetKey, lane: Rect, buf: &mut Buffer) {
    let h = state.fleet.header(set);
    let folded = state.folded.contains(set);
    let members = state.fleet.members.get(set).map(|m| m.len()).unwrap_or(0);
    let marked = state
        .fleet
        .members
        .get(set)
        .map(|m| m.iter().filter(|k| state.marks.contains(&k.0)).count())
        .unwrap_or(0);
    let arrow = if folded { t.sym("▸", "+") } else { t.sym("▾", "-") };
    let mut spans: Vec<Cell> = Vec::new();
    let name = if state.namespace.is_none() {
        format!("{}/{}", h.namespace, h.name)
    } else {
        h.name.clone()
    };
    spans.push((format!("{arrow} {name} "), t.group));
    if let Some(words) = super::chrome::stale_words(state) {
        spans.push((format!(" {words} "), t.warn));
    }
    // Narrow terminals get the compact form so the template images stay visible.
    let wide = lane.width >= 120;
    let sep = if wide { " · " } else { " " };
    let ready_style = if h.ready >= h.desired { t.ok } else { t.warn };
    spans.push((format!(" ready {}/{}", h.ready, h.desired), ready_style));
    let upd_style = if h.updated >= h.desired { t.muted } else { t.warn };
    let upd = if wide { "updated" } else { "upd" };
    spans.push((format!("{sep}{upd} {}/{}", h.updated, h.desired), upd_style));
    if wide || h.current != h.desired {
        spans.push((format!("{sep}current {}", h.current), t.muted));
    }
    let policy_style = if h.policy == "ReCreate" { t.warn } else { t.muted };
    spans.push((format!("{sep}{}", h.policy), policy_style));
    if wide {
        spans.push((format!("{sep}partition {}", h.partition), t.muted));
    } else if h.partition != 0 {
        spans.push((format!("{sep}part {}", h.partition), t.warn));
    }
    if h.paused {
        spans.push((format!("{sep}{} paused", t.sym("⏸", "||")), t.warn));
    }
    // A staged rollout holding the set, read from its record (so a read-only monitor sees it).
    if let Some(r) = &h.rollout {
        let style = if r.state == RolloutState::Running { t.warn } else { t.error };
        spans.push((format!("{sep}{}", r.summary()), style));
    }
    // The Advanced StatefulSet's revisions (a pod is updated when its controller-revision-hash
    // is the update revision), after what acts on the set: wide, always; narrow, only
    // mid-update, when they differ, and cut to 5 characters so the images keep their room.
    let mut settled_rev = None;
    if let Some((upd, cur)) = state
        .asts
        .get(&(h.namespace.clone(), h.name.clone()))
        .and_then(|r| Some((r.update_revision.as_deref()?, r.current_revision.as_deref())))
    {
        let short = |r: &str| {
            let hash = r.rsplit('-').next().unwrap_or(r);
            if wide { hash.to_string() } else { hash.chars().take(5).collect() }
        };
        match cur {
            Some(c) if c != upd => {
                spans.push((format!("{sep}rev {}→{}", short(c), short(upd)), t.warn));
            }
            _ if wide => {
                settled_rev = Some(spans.len());
                spans.push((format!("{sep}rev {}", short(upd)), t.muted));
            }
            _ => {}
        }
    }
    // Narrow: the status bar already counts marks.
    if marked > 0 && wide {
        spans.push((format!("{sep}{marked} marked"), t.mark));
    }
    if folded {
        spans.push((format!("{sep}{members} gs"), t.muted));
    }
    let images: Vec<String> =
        h.template.iter().map(|(c, i)| format!("{c} {}", image::short_image(i))).collect();
    spans.push((format!(" │ {}", images.join(" · ")), t.text));
    // A settled revision is the least needed: it gives way before the images are cut.
    let width = |spans: &[Cell]| spans.iter().map(|(s, _)| s.chars().count()).sum::<usize>();
    if let Some(i) = settled_rev
        && width(&spans) + 1 > lane.width as usize
    {
        spans.remove(i);
    }
    let mut x = lane.x + 1;
    let right = lane.x + lane.width;
    for (text, style) in spans {
        if x >= right {
            break;
        }
        let (nx, _) = buf.set_stringn(x, lane.y, &text, (right - x) as usize, style);
        x = nx;
    }
}
