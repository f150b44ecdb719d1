//! The detail view of one GameServer and its pod.
use k8s_openapi::api::core::v1::ContainerState;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use crate::tui::app::state::State;
use crate::tui::view::format;
use crate::tui::view::theme::Theme;
use okg_domain::fleet::{self, Key};
use okg_domain::image;

fn kv(t: &Theme, k: &str, v: impl Into<String>, style: Style) -> Line<'static> {
    Line::from(vec![Span::styled(format!("  {k:<14}"), t.muted), Span::styled(v.into(), style)])
}

fn container_state(s: Option<&ContainerState>, state: &State) -> String {
    let Some(s) = s else { return "-".into() };
    if let Some(r) = &s.running {
        let since = r
            .started_at
            .as_ref()
            .map(|t| format!(" for {}", format::age(state.now, t.0)))
            .unwrap_or_default();
        return format!("running{since}");
    }
    if let Some(w) = &s.waiting {
        return format!("waiting: {}", w.reason.clone().unwrap_or_default());
    }
    if let Some(x) = &s.terminated {
        return format!(
            "terminated: exit {} {}",
            x.exit_code,
            x.reason.clone().unwrap_or_default()
        );
    }
    "-".into()
}

pub fn lines(state: &State, t: &Theme, key: &Key) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let gs = state.fleet.gameservers.get(key);
    let pod = state.fleet.pods.get(key);
    let row = state.fleet.rows.get(key);
    let Some(gs) = gs else {
        out.push(Line::from(Span::styled(
            format!("  {key} is gone (deleted); esc to go back"),
            t.warn,
        )));
        return out;
    };
    out.push(Line::from(Span::styled("GameServer", t.header)));
    let set = gs.owner_set().unwrap_or("-");
    let states = format!("{} · opsState {} · set {set}", gs.current_state(), gs.ops_state());
    out.push(kv(t, "state", states, t.text));
    out.push(kv(
        t,
        "priorities",
        format!("update {} · deletion {}", gs.update_priority(), gs.deletion_priority()),
        t.text,
    ));
    if let Some(c) = &gs.overrides {
        let s: Vec<String> = c.iter().map(|(name, image)| format!("{name}={image}")).collect();
        out.push(kv(t, "overrides", s.join(", "), t.accent));
    }
    // What OKG writes that matters mid-update: where players connect (an in-place update keeps
    // it), its conditions, and the service-quality probes whose actions can rewrite the spec.
    if !gs.external.is_empty() {
        out.push(kv(t, "external", gs.external.join(" "), t.text));
    } else if let Some(n) = &gs.network {
        out.push(kv(t, "network", n.to_string(), t.warn));
    }
    for c in &gs.conditions {
        let style = if c.contains("=True") { t.text } else { t.warn };
        out.push(kv(t, "condition", c.clone(), style));
    }
    for q in &gs.qualities {
        out.push(kv(t, "quality", q.clone(), t.text));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("Pod", t.header)));
    let Some(pod) = pod else {
        out.push(kv(t, "pod", "none (not created yet, or being re-created)", t.warn));
        return out;
    };
    out.push(kv(t, "uid", pod.uid.clone().unwrap_or_default(), t.text));
    let created = pod.created.map(|c| format!("{c} ({} ago)", format::age(state.now, c)));
    out.push(kv(t, "created", created.unwrap_or_default(), t.text));
    let place = format!(
        "{} · ip {} · {}",
        pod.node.as_deref().unwrap_or("-"),
        pod.ip.as_deref().unwrap_or("-"),
        pod.phase.as_deref().unwrap_or("?")
    );
    out.push(kv(t, "node", place, t.text));
    // The revision OpenKruise counts it by (updated when it equals the set's update revision).
    if let Some(rev) = pod.labels.get(okg_domain::types::labels::REVISION_HASH) {
        out.push(kv(t, "revision", rev.to_string(), t.muted));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("Containers", t.header)));
    for (name, image) in &pod.containers {
        let st = pod.statuses.iter().find(|s| &s.name == name);
        let cell = row.and_then(|r| r.images.iter().find(|i| &i.container == name));
        let img_style = match cell {
            Some(i) if i.updating => t.warn,
            Some(i) if i.differs => t.accent,
            _ => t.text,
        };
        out.push(Line::from(Span::styled(format!("  {name}"), t.group)));
        out.push(kv(t, "image", image.clone(), img_style));
        if let Some(st) = st {
            if short_differs(&st.image, image) {
                out.push(kv(t, "running", st.image.clone(), t.warn));
            }
            out.push(kv(t, "imageID", short_image_id(&st.image_id), t.muted));
            out.push(kv(
                t,
                "state",
                container_state(st.state.as_deref(), state),
                if st.ready { t.ok } else { t.warn },
            ));
            out.push(kv(
                t,
                "restarts",
                st.restart_count.to_string(),
                if st.restart_count > 0 { t.warn } else { t.text },
            ));
            if let Some(term) = st.last_state.as_ref().and_then(|l| l.terminated.as_ref()) {
                let when = term
                    .finished_at
                    .as_ref()
                    .map(|f| format!("{} ({} ago)", f.0, format::age(state.now, f.0)))
                    .unwrap_or_default();
                let why = term.reason.clone().unwrap_or_else(|| format!("exit {}", term.exit_code));
                out.push(kv(t, "last restart", format!("{when} · {why}"), t.text));
            }
        } else {
            out.push(kv(t, "state", "no status yet", t.muted));
        }
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("Events", t.header)));
    match &state.pod_events {
        Some((k, events)) if k == key && !events.is_empty() => {
            for e in events.iter().rev().take(20) {
                let age = e.time.map(|ti| format::age(state.now, ti)).unwrap_or_else(|| "?".into());
                let style = if e.type_ == "Warning" { t.warn } else { t.text };
                let count = if e.count > 1 { format!(" (×{})", e.count) } else { String::new() };
                out.push(Line::from(vec![
                    Span::styled(format!("  {age:>6} "), t.muted),
                    Span::styled(format!("{:<16} ", e.reason), style),
                    Span::styled(format!("{}{count}", e.message), t.text),
                ]));
            }
        }
        Some((k, _)) if k == key => {
            out.push(Line::from(Span::styled("  no recent events", t.muted)))
        }
        _ => out.push(Line::from(Span::styled("  loading…", t.muted))),
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("OKG labels", t.header)));
    for (k, v) in fleet::okg_labels(&pod.labels) {
        out.push(Line::from(vec![
            Span::styled(format!("  {k}="), t.muted),
            Span::styled(v, t.text),
        ]));
    }
    out
}

/// `repo@sha256:0123456789abcdef…`: the repository's last segment and the digest cut to 24 hex
/// digits, enough to compare before and after an update on one line.
fn short_image_id(id: &str) -> String {
    let id = id.rsplit("://").next().unwrap_or(id);
    let last = id.rsplit('/').next().unwrap_or(id);
    match last.split_once(':') {
        Some((head, hex)) if hex.len() > 24 => format!("{head}:{}…", &hex[..24]),
        _ => last.to_string(),
    }
}

fn short_differs(running: &str, spec: &str) -> bool {
    image::short_image(running) != image::short_image(spec)
}

pub fn draw(state: &State, t: &Theme, key: &Key, scroll: u16, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let lines = crate::tui::view::safe::lines(lines(state, t, key));
    let max_scroll = (lines.len() as u16).saturating_sub(area.height.saturating_sub(2));
    Paragraph::new(lines)
        .style(t.text)
        .wrap(Wrap { trim: false })
        .scroll((scroll.min(max_scroll), 0))
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.border)
                .title(Span::styled(format!(" {} ", key.name), t.header)),
        )
        .render(area, buf);
}
