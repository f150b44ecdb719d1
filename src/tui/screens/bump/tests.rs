//! The bump dialog as a state machine: keys and replies in, state and commands out, through the
//! real `update`. What matters most: nothing mutating is asked for before the confirm.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::cluster::access::Capabilities;
use crate::ops::bump::BumpEvent;
use crate::tui::app::msg::{ClusterEvent, Msg};
use crate::tui::app::state::{Access, Overlay, State};
use okg_domain::bump_plan::{self, BumpRequest};
use okg_domain::fixtures as fake;
use okg_domain::rollout::Verdict;

fn state(access: Access) -> State {
    let mut s = State::new("ctx", "http://x", Some("default".into()), access, fake::now());
    let (sets, gss, pods) = fake::small_fleet();
    s.update(Msg::Resize { width: 120, height: 40 });
    for ev in ClusterEvent::fleet_listed(sets, gss, fake::infos(&pods)) {
        s.update(Msg::Cluster(ev));
    }
    s
}

fn writable() -> Access {
    Access { read_only: false, caps: Some(Capabilities::all_allowed()) }
}

fn key(s: &mut State, code: KeyCode) -> Vec<Cmd> {
    s.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typing(s: &mut State, text: &str) -> Vec<Cmd> {
    text.chars().flat_map(|c| key(s, KeyCode::Char(c))).collect()
}

fn title(s: &State) -> String {
    match s.top_overlay() {
        Some(o @ (Overlay::Bump(_) | Overlay::Reload(_))) => o.title(),
        _ => String::new(),
    }
}

fn reply(s: &mut State, r: BumpReply) -> Vec<Cmd> {
    s.update(Msg::Bump(r))
}

/// A real plan of the fake fleet.
fn plan(set: usize, image: &str, scope: Scope) -> Plan {
    let (sets, gss, pods) = fake::small_fleet();
    let req = BumpRequest {
        container: "sidecar".into(),
        image: image.into(),
        scope,
        canary_allocated: false,
    };
    bump_plan::plan_bump(&sets[set], &gss, &pods, &req).unwrap()
}

fn allowed() -> Option<Vec<(ApiAction, Permission)>> {
    Some(vec![(ApiAction::PatchGameServerSets, Permission::Allowed)])
}

fn is_mutation(c: &Cmd) -> bool {
    matches!(c, Cmd::Bump(BumpCmd::Apply { .. } | BumpCmd::ApplySwitch { .. }))
}

const V3: &str = "registry.example.com/games/2048-sidecar:v3.0";

/// Opens the dialog on gss-2048 and changes the sidecar's tag v2.0 → v3.0.
fn open_2048_with_v3(s: &mut State) -> Vec<Cmd> {
    let mut cmds = key(s, KeyCode::Char('b'));
    for _ in 0.."v2.0".len() {
        cmds.extend(key(s, KeyCode::Backspace));
    }
    cmds.extend(typing(s, "v3.0"));
    cmds
}

/// gss-2048's sidecar bumped to v3.0 for the whole set, confirmed and applied: the rollout view
/// follows it.
fn following_a_whole_set_bump() -> State {
    let mut s = state(writable());
    open_2048_with_v3(&mut s);
    key(&mut s, KeyCode::Enter);
    reply(&mut s, BumpReply::Planned { plan: Ok(plan(0, V3, Scope::WholeSet)), rbac: allowed() });
    key(&mut s, KeyCode::Enter);
    reply(&mut s, BumpReply::Applied);
    s
}

#[test]
fn b_opens_the_dialog_on_the_sidecar_with_its_image() {
    let mut s = state(writable());
    assert!(key(&mut s, KeyCode::Char('b')).is_empty());
    assert_eq!(title(&s), "Bump gss-2048");
    let fleet_store = &s.fleet;
    let d = BumpDialog::new(("default".into(), "gss-2048".into()), fleet_store, &s.marks, None)
        .unwrap();
    assert_eq!(d.container_name(), "sidecar");
    assert_eq!(d.image_text(), "registry.example.com/games/2048-sidecar:v2.0");
    // Both tags of the repository seen in the fleet are offered.
    assert_eq!(d.known.len(), 2, "{:?}", d.known);
}

#[test]
fn default_container_is_sidecar_else_not_the_first() {
    let c = |names: &[&str]| -> Vec<(String, String)> {
        names.iter().map(|n| (n.to_string(), String::new())).collect()
    };
    assert_eq!(default_container(&c(&["app", "x", "sidecar"])), 2);
    assert_eq!(default_container(&c(&["app", "scripts"])), 1);
    assert_eq!(default_container(&c(&["app"])), 0);
}

#[test]
fn an_unchanged_or_bad_image_is_refused_inline_and_nothing_is_planned() {
    let mut s = state(writable());
    key(&mut s, KeyCode::Char('b'));
    // Unchanged image.
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert_eq!(title(&s), "Bump gss-2048");
    // Empty tag.
    for _ in 0.."v2.0".len() {
        key(&mut s, KeyCode::Backspace);
    }
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    let d =
        BumpDialog::new(("default".into(), "gss-2048".into()), &s.fleet, &s.marks, None).unwrap();
    let mut d = d;
    d.image = textarea("registry.example.com/games/2048-sidecar:");
    assert!(d.validate().unwrap_err().contains("tag is empty"), "{:?}", d.validate());
    d.image = textarea("registry.example.com/games/2048-sidecar");
    assert!(d.validate().unwrap_err().contains("no tag or digest"));
    d.image = textarea("Registry/UPPER:v1");
    assert!(d.validate().is_err());
    d.image = textarea(V3);
    assert_eq!(d.validate(), Ok(()));
}

#[test]
fn enter_plans_then_confirm_applies_and_nothing_is_sent_before() {
    let mut s = state(writable());
    let mut all = open_2048_with_v3(&mut s);
    let cmds = key(&mut s, KeyCode::Enter);
    let step = Step::Bump {
        set: "gss-2048".into(),
        request: BumpRequest {
            container: "sidecar".into(),
            image: V3.into(),
            scope: Scope::WholeSet,
            canary_allocated: false,
        },
    };
    let set: SetKey = ("default".into(), "gss-2048".into());
    let plan_cmd =
        Cmd::Bump(BumpCmd::Plan { namespace: "default".into(), step: step.clone(), rbac: true });
    assert_eq!(
        cmds,
        vec![Cmd::Bump(BumpCmd::Remember { set, container: "sidecar".into() }), plan_cmd]
    );
    all.extend(cmds);
    let p = plan(0, V3, Scope::WholeSet);
    all.extend(reply(&mut s, BumpReply::Planned { plan: Ok(p.clone()), rbac: allowed() }));
    assert_eq!(title(&s), "Bump gss-2048 · pre-flight");
    // Scrolling and stray keys on the pre-flight page send nothing.
    for k in [KeyCode::Down, KeyCode::PageDown, KeyCode::Up, KeyCode::Char('y')] {
        all.extend(key(&mut s, k));
    }
    assert!(!all.iter().any(is_mutation), "{all:?}");
    let cmds = key(&mut s, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Cmd::Bump(BumpCmd::Apply { namespace: "default".into(), plan: Box::new(p), step })]
    );
}

#[test]
fn esc_on_the_pre_flight_goes_back_and_sends_nothing() {
    let mut s = state(writable());
    open_2048_with_v3(&mut s);
    key(&mut s, KeyCode::Enter);
    reply(&mut s, BumpReply::Planned { plan: Ok(plan(0, V3, Scope::WholeSet)), rbac: allowed() });
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert_eq!(title(&s), "Bump gss-2048");
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert!(s.top_overlay().is_none());
}

#[test]
fn re_creation_needs_the_set_name_typed() {
    let mut s = state(writable());
    for _ in 0..6 {
        key(&mut s, KeyCode::Down);
    }
    assert_eq!(s.cursor_set().unwrap().1, "gss-battle");
    key(&mut s, KeyCode::Char('b'));
    assert_eq!(title(&s), "Bump gss-battle");
    let image = "registry.example.com/games/2048-sidecar:v2.0";
    let p = plan(1, image, Scope::WholeSet);
    assert!(p.recreates());
    reply(&mut s, BumpReply::Planned { plan: Ok(p), rbac: allowed() });
    let confirm = |s: &State| match s.top_overlay() {
        Some(o @ (Overlay::Bump(_) | Overlay::Reload(_))) => o.title(),
        _ => String::new(),
    };
    assert_eq!(confirm(&s), "Bump gss-battle · pre-flight");
    // Enter alone, or a wrong name: refused.
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(typing(&mut s, "gss-batle").is_empty());
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    for _ in 0.."gss-batle".len() {
        key(&mut s, KeyCode::Backspace);
    }
    typing(&mut s, "gss-battle");
    let cmds = key(&mut s, KeyCode::Enter);
    assert!(matches!(cmds.as_slice(), [Cmd::Bump(BumpCmd::Apply { .. })]), "{cmds:?}");
}

#[test]
fn rbac_denial_and_refused_policy_block_the_apply() {
    let p = plan(0, V3, Scope::WholeSet);
    let mut c = Confirm {
        pending: Pending::Step {
            step: Step::Continue { set: "x".into(), container: "c".into(), step: None },
            plan: Box::new(p.clone()),
        },
        rbac: Some(vec![(ApiAction::PatchGameServerSets, Permission::Denied("no role".into()))]),
        scroll: 0,
        typed: String::new(),
        conflict: None,
        error: None,
    };
    assert!(refusal(&c).unwrap().contains("RBAC denies patch gameserversets: no role"));
    c.rbac = allowed();
    assert_eq!(refusal(&c), None);
    let mut refused = p;
    refused.policy = Policy::Refused("InPlaceOnly".into());
    c.pending = Pending::Step {
        step: Step::Continue { set: "x".into(), container: "c".into(), step: None },
        plan: Box::new(refused),
    };
    assert!(refusal(&c).unwrap().starts_with("refused"));
}

#[test]
fn effect_line_names_the_object_the_change_and_the_pods() {
    let c = Confirm {
        pending: Pending::Step {
            step: Step::Continue { set: "x".into(), container: "c".into(), step: None },
            plan: Box::new(plan(0, V3, Scope::WholeSet)),
        },
        rbac: None,
        scroll: 0,
        typed: String::new(),
        conflict: None,
        error: None,
    };
    assert_eq!(
        effect(&c),
        "patch gameserverset gss-2048: sidecar → 2048-sidecar:v3.0, 6 pods in place"
    );
}

#[test]
fn a_conflict_shows_the_new_plan_and_asks_again() {
    let mut s = state(writable());
    open_2048_with_v3(&mut s);
    key(&mut s, KeyCode::Enter);
    let p = plan(0, V3, Scope::WholeSet);
    reply(&mut s, BumpReply::Planned { plan: Ok(p.clone()), rbac: allowed() });
    key(&mut s, KeyCode::Enter);
    let cmds = reply(
        &mut s,
        BumpReply::Conflict {
            message: "changed by someone else since the plan".into(),
            plan: Ok(p),
        },
    );
    assert!(cmds.is_empty());
    assert_eq!(title(&s), "Bump gss-2048 · pre-flight");
    let cmds = key(&mut s, KeyCode::Enter);
    assert!(matches!(cmds.as_slice(), [Cmd::Bump(BumpCmd::Apply { .. })]));
}

#[test]
fn read_only_never_opens_the_dialog() {
    let mut s = state(Access { read_only: true, caps: None });
    assert!(key(&mut s, KeyCode::Char('b')).is_empty());
    assert!(s.top_overlay().is_none());
    assert!(s.note.as_ref().unwrap().1.contains("read-only"));
}

#[test]
fn rollout_keys_plan_continue_pause_and_rollback_but_send_nothing() {
    let mut s = state(writable());
    open_2048_with_v3(&mut s);
    key(&mut s, KeyCode::Right); // on the image: moves the cursor only
    key(&mut s, KeyCode::Down); // scope
    key(&mut s, KeyCode::Right); // canary
    key(&mut s, KeyCode::Char('+')); // canary 2
    key(&mut s, KeyCode::Enter);
    let p = plan(0, V3, Scope::Canary(2));
    reply(&mut s, BumpReply::Planned { plan: Ok(p.clone()), rbac: allowed() });
    key(&mut s, KeyCode::Enter);
    reply(&mut s, BumpReply::Applied);
    assert!(
        title(&s).starts_with("Rollout gss-2048 · sidecar → 2048-sidecar:v3.0 · canary 2 of 6"),
        "{}",
        title(&s)
    );
    reply(
        &mut s,
        BumpReply::Progress(BumpEvent::Verdict {
            pod: "gss-2048-5".into(),
            verdict: Verdict::InPlace,
            detail: None,
        }),
    );
    let cmds = key(&mut s, KeyCode::Char('c'));
    assert!(
        matches!(
            &cmds[..],
            [Cmd::Bump(BumpCmd::Plan { step: Step::Continue { step: None, .. }, .. })]
        ),
        "{cmds:?}"
    );
    // Back on the rollout (esc on the pre-flight), pause and roll back only plan.
    reply(&mut s, BumpReply::Planned { plan: Ok(p.clone()), rbac: allowed() });
    key(&mut s, KeyCode::Esc);
    let cmds = key(&mut s, KeyCode::Char('p'));
    assert!(matches!(&cmds[..], [Cmd::Bump(BumpCmd::PlanSwitch { paused: true, .. })]), "{cmds:?}");
    reply(&mut s, BumpReply::SwitchPlanned { plan: Err("x".into()), rbac: None });
    let cmds = key(&mut s, KeyCode::Char('u'));
    assert!(
        matches!(&cmds[..], [Cmd::Bump(BumpCmd::Plan { step: Step::Rollback { .. }, .. })]),
        "{cmds:?}"
    );
    // esc leaves the rollout view.
    reply(&mut s, BumpReply::SwitchPlanned { plan: Err("x".into()), rbac: None });
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert!(s.top_overlay().is_none());
}

#[test]
fn esc_parks_a_followed_rollout_which_keeps_its_progress_and_o_brings_back() {
    let mut s = following_a_whole_set_bump();
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert!(s.top_overlay().is_none());
    assert!(s.parked_bump().is_some());
    // Progress while hidden reaches the parked rollout; a help screen on top is left alone.
    key(&mut s, KeyCode::Char('?'));
    reply(&mut s, BumpReply::Progress(BumpEvent::Note { message: "x".into() }));
    reply(&mut s, BumpReply::Followed { timed_out: false });
    assert!(matches!(s.top_overlay(), Some(Overlay::Help { .. })));
    key(&mut s, KeyCode::Esc);
    // Finished, whole set: `o` brings it back, and esc then closes it for good.
    key(&mut s, KeyCode::Char('o'));
    assert!(title(&s).starts_with("Rollout gss-2048"), "{}", title(&s));
    key(&mut s, KeyCode::Esc);
    assert!(s.parked_bump().is_none() && s.top_overlay().is_none());
    key(&mut s, KeyCode::Char('o'));
    assert!(s.top_overlay().is_none());
}

#[test]
fn b_after_a_finished_rollout_starts_a_new_bump_but_a_running_one_comes_back() {
    let mut s = following_a_whole_set_bump();
    key(&mut s, KeyCode::Esc);
    // Still followed: one bump at a time, so `b` shows it.
    key(&mut s, KeyCode::Char('b'));
    assert!(title(&s).starts_with("Rollout gss-2048"), "{}", title(&s));
    key(&mut s, KeyCode::Esc);
    reply(&mut s, BumpReply::Followed { timed_out: false });
    // Over: `b` opens a new dialog, and what is typed lands in it.
    key(&mut s, KeyCode::Char('b'));
    assert!(
        matches!(s.top_overlay(), Some(Overlay::Bump(d)) if d.rollout.is_none()),
        "{}",
        title(&s)
    );
    assert!(s.parked_bump().is_none());
}

#[test]
fn the_container_chosen_last_time_is_the_default_next_time() {
    let mut s = state(writable());
    key(&mut s, KeyCode::Char('b'));
    key(&mut s, KeyCode::Up); // container
    key(&mut s, KeyCode::Left); // app-2048
    key(&mut s, KeyCode::Down); // image (now app-2048's)
    for _ in 0.."v1.0".len() {
        key(&mut s, KeyCode::Backspace);
    }
    typing(&mut s, "v1.1");
    let cmds = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&cmds[0], Cmd::Bump(BumpCmd::Remember { container, .. }) if container == "app-2048"),
        "{cmds:?}"
    );
    let set: SetKey = ("default".into(), "gss-2048".into());
    // The shell (`ops::bump_task`) saves the choice and echoes it back; the console keeps it then.
    assert_eq!(s.bump_choices.get(&set), None);
    reply(&mut s, BumpReply::Remembered { set: set.clone(), container: "app-2048".into() });
    assert_eq!(s.bump_choices.get(&set).map(String::as_str), Some("app-2048"));
    let d = BumpDialog::new(set.clone(), &s.fleet, &s.marks, Some("app-2048")).unwrap();
    assert_eq!(d.container_name(), "app-2048");
    assert_eq!(d.image_text(), "registry.example.com/games/app-2048:v1.0");
    // A remembered container the set no longer has falls back to the default.
    let d = BumpDialog::new(set, &s.fleet, &s.marks, Some("gone")).unwrap();
    assert_eq!(d.container_name(), "sidecar");
}

/// A canary of 2 of gss-2048 to v3, confirmed and applied: the rollout view is up.
fn canary_applied() -> (State, Plan) {
    let mut s = state(writable());
    open_2048_with_v3(&mut s);
    key(&mut s, KeyCode::Enter);
    let canary = plan(0, V3, Scope::Canary(2));
    reply(&mut s, BumpReply::Planned { plan: Ok(canary.clone()), rbac: allowed() });
    key(&mut s, KeyCode::Enter);
    reply(&mut s, BumpReply::Applied);
    (s, canary)
}

#[test]
fn rollback_after_a_continue_undoes_the_bump_not_the_continue() {
    let (mut s, canary) = canary_applied();
    key(&mut s, KeyCode::Char('c'));
    let mut cont = canary.clone();
    cont.kind = PlanKind::Continue;
    cont.from_image = V3.into();
    reply(&mut s, BumpReply::Planned { plan: Ok(cont), rbac: allowed() });
    let cmds = key(&mut s, KeyCode::Enter);
    assert!(matches!(&cmds[..], [Cmd::Bump(BumpCmd::Apply { step: Step::Continue { .. }, .. })]));
    reply(&mut s, BumpReply::Applied);
    let cmds = key(&mut s, KeyCode::Char('u'));
    match &cmds[..] {
        [Cmd::Bump(BumpCmd::Plan { step: Step::Rollback { previous }, .. })] => {
            assert_eq!(**previous, canary);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn marked_gameservers_can_have_their_override_cleared() {
    let mut s = state(writable());
    s.marks.insert(okg_domain::fleet::Key::new("default", "gss-2048-1"));
    key(&mut s, KeyCode::Char('b'));
    // From the image to the scope, then past "chosen" to "clear their override".
    key(&mut s, KeyCode::Down);
    let cmds = key(&mut s, KeyCode::Right);
    assert!(cmds.is_empty());
    let cmds = key(&mut s, KeyCode::Enter);
    let step = Step::ClearOverride {
        set: "gss-2048".into(),
        container: "sidecar".into(),
        gameservers: vec!["gss-2048-1".into()],
    };
    let plan_cmd = Cmd::Bump(BumpCmd::Plan { namespace: "default".into(), step, rbac: true });
    assert_eq!(cmds.last(), Some(&plan_cmd), "{cmds:?}");
    assert!(!cmds.iter().any(is_mutation));
}

/// The scope a submitted bump dialog asks to plan.
fn planned_scope(cmds: &[Cmd]) -> Option<Scope> {
    cmds.iter().find_map(|c| match c {
        Cmd::Bump(BumpCmd::Plan { step: Step::Bump { request, .. }, .. }) => {
            Some(request.scope.clone())
        }
        _ => None,
    })
}

#[test]
fn the_canary_count_reached_by_moving_focus_is_replaced_by_the_first_digit() {
    let mut s = state(writable());
    open_2048_with_v3(&mut s);
    key(&mut s, KeyCode::Down); // scope, holding the default canary of 1
    typing(&mut s, "3"); // 3, not 13
    let cmds = key(&mut s, KeyCode::Enter);
    assert_eq!(planned_scope(&cmds), Some(Scope::Canary(3)));

    // A second digit appends, and coming back to the field starts over again.
    let mut s = state(writable());
    open_2048_with_v3(&mut s);
    key(&mut s, KeyCode::Down);
    typing(&mut s, "1");
    key(&mut s, KeyCode::Up); // the image
    key(&mut s, KeyCode::Down); // the scope again
    typing(&mut s, "2");
    let cmds = key(&mut s, KeyCode::Enter);
    assert_eq!(planned_scope(&cmds), Some(Scope::Canary(2)));
}

#[test]
fn a_abandons_a_canary_through_a_pre_flight_and_keeps_its_view() {
    let (mut s, canary) = canary_applied();
    let cmds = key(&mut s, KeyCode::Char('a'));
    assert!(
        matches!(
            &cmds[..],
            [Cmd::Bump(BumpCmd::Plan { step: Step::RestorePriorities { container, .. }, .. })]
                if container == "sidecar"
        ),
        "{cmds:?}"
    );
    let mut restore = canary.clone();
    restore.kind = PlanKind::RestorePriorities;
    restore.patches.retain(|p| p.kind == okg_domain::bump_plan::ObjectKind::GameServer);
    reply(&mut s, BumpReply::Planned { plan: Ok(restore.clone()), rbac: allowed() });
    let said = match s.top_overlay() {
        Some(Overlay::Bump(d)) => match &d.page {
            Page::Confirm(c) => effect(c),
            _ => String::new(),
        },
        _ => String::new(),
    };
    assert!(said.starts_with("abandon: patch 2 gameservers"), "{said}");
    assert!(said.ends_with("template and partition 4 stay"), "{said}");
    // Nothing is sent before Enter.
    assert!(!cmds.iter().any(is_mutation));
    let cmds = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(
            &cmds[..],
            [Cmd::Bump(BumpCmd::Apply { step: Step::RestorePriorities { .. }, .. })]
        ),
        "{cmds:?}"
    );
    reply(&mut s, BumpReply::Applied);
    // The canary's view stays, and says what happened; a late follow end does not overwrite it.
    assert!(title(&s).contains("canary 2 of 6"), "{}", title(&s));
    reply(&mut s, BumpReply::Followed { timed_out: false });
    let Some(Overlay::Bump(d)) = s.top_overlay() else { panic!("the rollout view closed") };
    let r = d.rollout.as_ref().unwrap();
    assert_eq!(r.finished.as_deref(), Some("abandoned (the canary stays where it stands)"));
    assert!(r.notes.iter().any(|n| n.starts_with("abandoned: update priorities put back")));
}

#[test]
fn the_rollout_view_scrolls_with_the_arrows_and_the_wheel() {
    use crossterm::event::{MouseEvent, MouseEventKind};
    let mut s = following_a_whole_set_bump();
    let scroll = |s: &State| match s.top_overlay() {
        Some(Overlay::Bump(d)) => d.rollout.as_ref().map(|r| (r.scroll, r.list_lines())),
        _ => None,
    };
    let (at, lines) = scroll(&s).expect("the rollout view is on top");
    assert_eq!(at, 0);
    let wheel = |s: &mut State, kind| {
        s.update(Msg::Mouse(MouseEvent { kind, column: 5, row: 9, modifiers: KeyModifiers::NONE }))
    };
    assert!(wheel(&mut s, MouseEventKind::ScrollDown).is_empty(), "scrolling sends nothing");
    assert_eq!(scroll(&s).unwrap().0, 3, "a notch is three lines");
    key(&mut s, KeyCode::Up);
    assert_eq!(scroll(&s).unwrap().0, 2);
    for _ in 0..20 {
        key(&mut s, KeyCode::Down);
    }
    assert_eq!(scroll(&s).unwrap().0, lines - 1, "no further than the last line");
    wheel(&mut s, MouseEventKind::ScrollUp);
    wheel(&mut s, MouseEventKind::ScrollUp);
    wheel(&mut s, MouseEventKind::ScrollUp);
    assert_eq!(scroll(&s).unwrap().0, (lines - 1).saturating_sub(9));
    assert!(title(&s).starts_with("Rollout gss-2048"), "still the rollout view");
}
