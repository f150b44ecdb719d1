//! Drawing the bump dialog: the edit page and the pre-flight page (the rollout view is in
//! `screens::rollout::view`).
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use crate::tui::app::keymap::{self, Context};
use crate::tui::screens::bump::state::{
    BumpDialog, Confirm, Field, ONLY_STATES, Page, Pending, ScopeKind,
};
use crate::tui::view::theme::Theme;
use okg_domain::bump_plan::{Plan, PlanKind, PodAction, Policy};

pub fn draw(d: &BumpDialog, area: Rect, buf: &mut Buffer, t: &Theme) {
    match &d.page {
        Page::Rollout => {
            if let Some(r) = &d.rollout {
                crate::tui::screens::rollout::view::draw(r, area, buf, t);
            }
        }
        Page::Confirm(c) => confirm(d, c, area, buf, t),
        Page::Edit | Page::Busy(_) => edit(d, area, buf, t),
    }
}

fn block<'a>(title: String, t: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(format!(" {title} "), t.header))
}

fn edit(d: &BumpDialog, area: Rect, buf: &mut Buffer, t: &Theme) {
    let label = |f: Field, text: &'static str| {
        let mark = if d.focus == f { t.sym("▸ ", "> ") } else { "  " };
        Span::styled(format!("{mark}{text:<10}"), if d.focus == f { t.accent } else { t.muted })
    };
    let containers: Vec<Span> = d
        .containers
        .iter()
        .enumerate()
        .flat_map(|(i, (name, _))| {
            let style = if i == d.container { t.selection } else { t.text };
            [Span::styled(format!(" {name} "), style), Span::raw(" ")]
        })
        .collect();
    let scope_item = |k: ScopeKind, text: String| {
        let style = if d.scope == k { t.selection } else { t.text };
        Span::styled(format!(" {text} "), style)
    };
    let mut scopes = vec![
        scope_item(ScopeKind::WholeSet, format!("whole set ({})", d.replicas)),
        Span::raw(" "),
        scope_item(ScopeKind::Canary, format!("canary {}", d.canary)),
        Span::raw("  "),
        scope_item(ScopeKind::Staged, "staged…".into()),
        Span::raw(" "),
        // One item for the three opsStates: the one chosen, else the first.
        match d.scope {
            ScopeKind::OnlyState(i) => scope_item(d.scope, format!("only {}", ONLY_STATES[i])),
            _ => scope_item(ScopeKind::OnlyState(0), format!("only {}", ONLY_STATES[0])),
        },
    ];
    if !d.chosen.is_empty() {
        scopes.push(Span::raw(" "));
        scopes.push(scope_item(ScopeKind::Chosen, format!("chosen: {}", d.chosen.join(", "))));
        scopes.push(Span::raw(" "));
        scopes.push(scope_item(ScopeKind::ClearChosen, "clear their override".into()));
    }
    let image = d.image_text();
    let cursor = if d.focus == Field::Image { t.sym("▏", "|") } else { "" };
    let mut lines = vec![
        Line::from(
            vec![label(Field::Container, "container")]
                .into_iter()
                .chain(containers)
                .collect::<Vec<_>>(),
        ),
        Line::from(vec![
            Span::styled("            now ", t.muted),
            Span::styled(d.current_image().to_string(), t.muted),
        ]),
        Line::from(vec![
            label(Field::Image, "image"),
            Span::styled(format!("{image}{cursor}"), t.text),
        ]),
    ];
    let others: Vec<&str> = d.known.iter().map(|k| k.rsplit(':').next().unwrap_or(k)).collect();
    lines.push(Line::from(vec![
        Span::styled("            seen in the cluster: ", t.muted),
        Span::styled(others.join(" · "), t.text),
        Span::styled("  (tab cycles)", t.muted),
    ]));
    lines.push(Line::from(
        vec![label(Field::Scope, "scope")].into_iter().chain(scopes).collect::<Vec<_>>(),
    ));
    lines.push(Line::default());
    if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(format!("{} {e}", t.sym("✗", "x")), t.error)));
    } else if let Err(e) = d.validate() {
        lines.push(Line::from(Span::styled(format!("{} {e}", t.sym("!", "!")), t.warn)));
    }
    if let Page::Busy(what) = &d.page {
        lines.push(Line::from(Span::styled(what.clone(), t.accent)));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(keymap::hint_line(Context::BumpForm, |_| true), t.muted)));
    Paragraph::new(crate::tui::view::safe::lines(lines))
        .wrap(Wrap { trim: false })
        .block(block(d.title(), t))
        .render(area, buf);
}

fn policy_line(plan: &Plan, t: &Theme) -> Vec<Line<'static>> {
    match &plan.policy {
        Policy::InPlace => vec![Line::from(vec![
            Span::styled(format!("{} IN PLACE", t.sym("✓", "+")), t.ok),
            Span::styled(
                format!(
                    "  the pods stay: same UID, IP and players; only {} restarts",
                    plan.container
                ),
                t.text,
            ),
        ])],
        Policy::ReCreate(why) => vec![
            Line::from(Span::styled(
                format!(
                    "{} PODS WILL BE RE-CREATED: new UID, the game process restarts, players are dropped",
                    t.sym("⚠", "!!")
                ),
                t.error,
            )),
            Line::from(Span::styled(format!("   {why}"), t.error)),
        ],
        Policy::Refused(why) => vec![Line::from(Span::styled(format!("REFUSED: {why}"), t.error))],
    }
}

fn action_words(a: &PodAction) -> String {
    match a {
        PodAction::UpdateNow => "updates now".into(),
        PodAction::Waiting(r) => format!("waits ({r})"),
        PodAction::AlreadyUpdated => "already updated".into(),
        PodAction::Overridden(i) => format!("overridden: keeps {i}"),
        PodAction::NotTargeted => "not in this bump".into(),
    }
}

fn confirm(d: &BumpDialog, c: &Confirm, area: Rect, buf: &mut Buffer, t: &Theme) {
    let mut lines: Vec<Line> = Vec::new();
    if let Some(conflict) = &c.conflict {
        lines.push(Line::from(Span::styled(format!("{conflict}: review the new plan"), t.warn)));
    }
    let patches = match &c.pending {
        Pending::Step { plan, .. } if plan.kind == PlanKind::RestorePriorities => {
            // No pod moves: the page says what goes back, not an update order.
            lines.push(Line::from(Span::styled(
                format!(
                    "no pod changes: the template and partition {} stay as they are",
                    plan.partition_after
                ),
                t.text,
            )));
            for w in &plan.warnings {
                lines.push(Line::from(Span::styled(format!("! {w}"), t.warn)));
            }
            lines.push(Line::from(Span::styled("update priorities put back", t.header)));
            for p in &plan.patches {
                lines.push(Line::from(Span::styled(
                    format!("  {:<16} {}", p.name, p.summary),
                    t.text,
                )));
            }
            &plan.patches
        }
        Pending::Step { plan, .. } => {
            lines.extend(policy_line(plan, t));
            lines.push(Line::from(Span::styled(
                format!(
                    "partition {} → {} · maxUnavailable {} · replicas {}{}",
                    plan.partition_before,
                    plan.partition_after,
                    plan.max_unavailable,
                    plan.replicas,
                    if plan.paused { " · PAUSED" } else { "" }
                ),
                t.text,
            )));
            for w in &plan.warnings {
                lines.push(Line::from(Span::styled(format!("! {w}"), t.warn)));
            }
            lines.push(Line::from(Span::styled("update order", t.header)));
            for (i, p) in plan.pods.iter().enumerate() {
                lines.push(Line::from(Span::styled(
                    format!(
                        "  {:>2}. {:<16} prio {:<3} {}",
                        i + 1,
                        p.name,
                        p.update_priority,
                        action_words(&p.action)
                    ),
                    if p.to_image.is_some() { t.text } else { t.muted },
                )));
            }
            &plan.patches
        }
        Pending::Switch(s) => {
            lines.push(Line::from(Span::styled(
                format!("{} the rollout of {}", s.action, s.set),
                t.text,
            )));
            &s.patches
        }
    };
    lines.push(Line::from(Span::styled("RBAC", t.header)));
    match &c.rbac {
        None => lines.push(Line::from(Span::styled("  not asked", t.muted))),
        Some(answers) => {
            for (a, p) in answers {
                let (text, style) = match p {
                    crate::cluster::access::Permission::Allowed => ("allowed".to_string(), t.ok),
                    crate::cluster::access::Permission::Denied(r) => {
                        (format!("DENIED: {r}"), t.error)
                    }
                    crate::cluster::access::Permission::Unknown(r) => {
                        (format!("unknown: {r}"), t.warn)
                    }
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<22} ", a.describe()), t.text),
                    Span::styled(text, style),
                ]));
            }
        }
    }
    lines.push(Line::from(Span::styled("JSON Patch, in the order sent", t.header)));
    for p in patches {
        lines.push(Line::from(Span::styled(format!("  {}: {}", p.target(), p.summary), t.accent)));
        let pretty = serde_json::to_string_pretty(&p.patch).unwrap_or_default();
        lines.extend(pretty.lines().map(|l| Line::from(Span::styled(format!("    {l}"), t.text))));
    }
    // The fixed bottom: the effect, the typed confirmation, the error and the keys.
    let mut bottom: Vec<Line> = vec![Line::from(vec![
        Span::styled("enter: ", t.muted),
        Span::styled(super::state::effect(c), t.accent),
    ])];
    if super::state::needs_typing(c) {
        bottom.push(Line::from(vec![
            Span::styled(
                format!("type the set name ({}) to confirm the re-creation: ", d.set.1),
                t.error,
            ),
            Span::styled(format!("{}{}", c.typed, t.sym("▏", "|")), t.text),
        ]));
    }
    if let Some(e) = &c.error {
        bottom.push(Line::from(Span::styled(e.clone(), t.error)));
    }
    bottom.push(Line::from(Span::styled(
        keymap::hint_line(Context::BumpPreflight, |_| true),
        t.muted,
    )));
    let outer = block(d.title(), t);
    let inner = outer.inner(area);
    outer.render(area, buf);
    // Wrapped height of the fixed bottom, so the key line is never cut off on narrow screens.
    let w = inner.width.max(1) as usize;
    let wrapped: usize = bottom.iter().map(|l| l.width().max(1).div_ceil(w)).sum();
    let bh = (wrapped as u16).min(inner.height);
    let top = Rect { height: inner.height - bh, ..inner };
    let bot = Rect { y: inner.y + inner.height - bh, height: bh, ..inner };
    let max_scroll = (lines.len() as u16).saturating_sub(top.height);
    Paragraph::new(crate::tui::view::safe::lines(lines))
        .wrap(Wrap { trim: false })
        .scroll((c.scroll.min(max_scroll), 0))
        .render(top, buf);
    Paragraph::new(crate::tui::view::safe::lines(bottom))
        .wrap(Wrap { trim: false })
        .render(bot, buf);
}
