//! Screens of the bump flow at a fixed "now": the dialog, the pre-flight (in place, and the loud
//! re-create variant) and a rollout mid-way with mixed verdicts.
use crossterm::event::KeyCode;
use okg_console::cluster::access::{ApiAction, Permission};
use okg_console::ops::bump::BumpEvent;
use okg_console::tui::app::msg::Msg;
use okg_console::tui::app::state::State;
use okg_console::tui::screens::bump::state::BumpReply;
use okg_console::tui::view::{text, theme::Theme};
use okg_domain::bump_plan::{self, BumpRequest, Plan, Scope};
use okg_domain::fixtures as fake;
use okg_domain::rollout::{Comparison, FailReason, Retrying, Verdict, WaitReason};

use crate::support::{key, render_with, screen, writable_state as state};

fn reply(s: &mut State, r: BumpReply) {
    s.update(Msg::Bump(r));
}

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

const V3: &str = "registry.example.com/games/2048-sidecar:v3.0";

/// gss-2048 with the sidecar's tag changed to v3.0, scope canary 2.
/// The console past the pre-flight of a canary of `canary` pods to V3: applied, rollout view open.
fn rollout_view(width: u16, height: u16, canary: i32) -> State {
    let mut s = state(width, height);
    dialog_2048(&mut s);
    key(&mut s, KeyCode::Enter);
    let plan = Ok(plan(0, V3, Scope::Canary(canary)));
    reply(&mut s, BumpReply::Planned { plan, rbac: allowed() });
    key(&mut s, KeyCode::Enter);
    reply(&mut s, BumpReply::Applied);
    s
}

/// A pod compared with its baseline: the same pod, IP and node, `restarts` before → after, and
/// the imageID from `a1f3c0de` to `new`.
fn unmoved(restarts: (i32, i32), new: &str) -> Comparison {
    Comparison {
        same_uid: true,
        same_created: true,
        restarts,
        image_id: ("docker.io/x@sha256:a1f3c0de".into(), format!("docker.io/x@sha256:{new}")),
        same_ip: true,
        same_node: true,
    }
}

fn dialog_2048(s: &mut State) {
    key(s, KeyCode::Char('b'));
    for _ in 0.."v2.0".len() {
        key(s, KeyCode::Backspace);
    }
    for c in "v3.0".chars() {
        key(s, KeyCode::Char(c));
    }
    key(s, KeyCode::Down);
    key(s, KeyCode::Right);
    key(s, KeyCode::Char('+'));
}

#[test]
fn bump_dialog() {
    let mut s = state(100, 20);
    dialog_2048(&mut s);
    insta::assert_snapshot!(screen(&s, 100, 20));
}

#[test]
fn bump_dialog_shows_a_bad_reference_inline() {
    let mut s = state(80, 16);
    key(&mut s, KeyCode::Char('b'));
    for _ in 0.."v2.0".len() {
        key(&mut s, KeyCode::Backspace);
    }
    key(&mut s, KeyCode::Enter);
    let out = screen(&s, 80, 16);
    assert!(out.contains("the tag is empty"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn pre_flight_in_place() {
    let mut s = state(100, 40);
    dialog_2048(&mut s);
    key(&mut s, KeyCode::Enter);
    let rbac = Some(vec![
        (ApiAction::PatchGameServers, Permission::Allowed),
        (ApiAction::PatchGameServerSets, Permission::Allowed),
    ]);
    reply(&mut s, BumpReply::Planned { plan: Ok(plan(0, V3, Scope::Canary(2))), rbac });
    insta::assert_snapshot!(screen(&s, 100, 40));
}

#[test]
fn pre_flight_re_create_is_loud_and_asks_for_the_name() {
    let mut s = state(100, 30);
    for _ in 0..6 {
        key(&mut s, KeyCode::Down);
    }
    key(&mut s, KeyCode::Char('b'));
    let image = "registry.example.com/games/2048-sidecar:v2.0";
    reply(
        &mut s,
        BumpReply::Planned { plan: Ok(plan(1, image, Scope::WholeSet)), rbac: allowed() },
    );
    key(&mut s, KeyCode::Enter);
    for c in "gss-bat".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let out = screen(&s, 100, 30);
    assert!(out.contains("PODS WILL BE RE-CREATED"), "{out}");
    assert!(
        out.contains("type the set name (gss-battle) to confirm the re-creation: gss-bat"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn rollout_mid_way_with_mixed_verdicts() {
    // A canary of 4 in the small fleet takes the idle servers 5, 4, 3, 0 (2 is Maintaining, 1 updating).
    let mut s = rollout_view(100, 24, 4);
    let events = [
        BumpEvent::Sent { target: "gameserverset/gss-2048".into() },
        BumpEvent::Verdict {
            pod: "gss-2048-4".into(),
            verdict: Verdict::InPlace,
            detail: Some(unmoved((0, 1), "9c2e77aa")),
        },
        BumpEvent::Verdict {
            pod: "gss-2048-5".into(),
            verdict: Verdict::Updating,
            detail: Some(unmoved((0, 0), "a1f3c0de")),
        },
        BumpEvent::Verdict {
            pod: "gss-2048-0".into(),
            verdict: Verdict::Failed(FailReason::ImagePull("ImagePullBackOff".into())),
            detail: Some(unmoved((0, 0), "")),
        },
        BumpEvent::Verdict {
            pod: "gss-2048-3".into(),
            verdict: Verdict::ReCreated,
            detail: Some(Comparison {
                same_uid: false,
                same_created: false,
                same_ip: false,
                ..unmoved((1, 0), "9c2e77aa")
            }),
        },
        BumpEvent::Verdict {
            pod: "gss-2048-1".into(),
            verdict: Verdict::Waiting(WaitReason::Partition { holds: 2 }),
            detail: None,
        },
        BumpEvent::PodEvent {
            pod: "gss-2048-0".into(),
            reason: "Failed".into(),
            message: "Failed to pull image \"…/2048-sidecar:v3.0\": not found".into(),
        },
        BumpEvent::Counts {
            counts: okg_domain::rollout::Counts {
                in_place: 1,
                updating: 1,
                failed: 1,
                re_created: 1,
                waiting: 2,
                failing: 0,
                stalled: 0,
            },
            targets: 6,
        },
    ];
    for ev in events {
        reply(&mut s, BumpReply::Progress(ev));
    }
    s.update(Msg::Tick(fake::now() + jiff::SignedDuration::from_secs(42)));
    reply(&mut s, BumpReply::Tick);
    let out = screen(&s, 100, 24);
    assert!(out.contains("· 00:42"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn rollout_in_ascii() {
    let mut s = rollout_view(80, 16, 2);
    reply(
        &mut s,
        BumpReply::Progress(BumpEvent::Verdict {
            pod: "gss-2048-5".into(),
            verdict: Verdict::InPlace,
            detail: None,
        }),
    );
    let mut theme = Theme::builtin("dark");
    theme.ascii = true;
    let out = text::plain(&render_with(&s, &theme, 80, 16));
    assert!(out.contains("+ IN PLACE") && !out.contains('✓'), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn rollout_with_a_failing_pod_and_an_unchanged_image_id() {
    let mut s = rollout_view(100, 20, 2);
    let failing = Verdict::Failing(Retrying {
        for_secs: 12,
        attempts: 2,
        fail_after_secs: 60,
        ..Retrying::seen("ImagePullBackOff", FailReason::ImagePull("ImagePullBackOff".into()))
    });
    let events = [
        BumpEvent::Verdict {
            pod: "gss-2048-5".into(),
            verdict: Verdict::InPlace,
            detail: Some(unmoved((0, 1), "a1f3c0de")),
        },
        BumpEvent::Verdict {
            pod: "gss-2048-4".into(),
            verdict: failing,
            detail: Some(unmoved((0, 0), "a1f3c0de")),
        },
        BumpEvent::Counts {
            counts: okg_domain::rollout::Counts { in_place: 1, failing: 1, ..Default::default() },
            targets: 2,
        },
    ];
    for ev in events {
        reply(&mut s, BumpReply::Progress(ev));
    }
    let out = screen(&s, 100, 20);
    assert!(out.contains("↻ FAILING") && out.contains("↻ failing 1"), "{out}");
    // The reasons wrap at this width: look for their parts.
    assert!(out.contains("retrying:") && out.contains("for 12s, 2 failed attempts seen"), "{out}");
    assert!(out.contains("imageID unchanged:") && out.contains("same image digest"), "{out}");
    insta::assert_snapshot!(out);
}

/// The abandon pre-flight at 80×24: no update order and no IN PLACE verdict, since no pod moves;
/// the GameServers whose priorities go back instead.
#[test]
fn abandon_pre_flight_says_no_pod_changes() {
    let mut s = state(80, 24);
    dialog_2048(&mut s);
    key(&mut s, KeyCode::Enter);
    let mut restore = plan(0, V3, Scope::Canary(2));
    restore.kind = bump_plan::PlanKind::RestorePriorities;
    restore.patches.retain(|p| p.kind == bump_plan::ObjectKind::GameServer);
    reply(&mut s, BumpReply::Planned { plan: Ok(restore), rbac: allowed() });
    let out = screen(&s, 80, 24);
    assert!(out.contains("no pod changes: the template and partition 4 stay"), "{out}");
    assert!(out.contains("update priorities put back"), "{out}");
    assert!(!out.contains("update order") && !out.contains("IN PLACE"), "{out}");
    assert!(out.contains("enter: abandon: patch 2 gameservers"), "{out}");
}
