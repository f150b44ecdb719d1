//! The bump dialog in the real event loop against the demo cluster (no terminal): open it on
//! gss-2048, choose v2.0, confirm, and read IN PLACE verdicts off the rendered screen.
use std::time::Duration;

use crossterm::event::KeyCode;

use super::support::Harness;

/// Press `b` until the dialog opens (the RBAC probe must have answered first).
async fn open_bump(h: &mut Harness) -> String {
    let mut screen = String::new();
    for _ in 0..50 {
        h.press(KeyCode::Char('b'));
        screen = h.run_until("Bump gss-2048", Duration::from_millis(300)).await;
        if screen.contains("Bump gss-2048") {
            return screen;
        }
    }
    panic!("the bump dialog did not open:\n{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bump_gss_2048_to_v2_in_place_from_the_dialog() {
    let mut h = Harness::start(false).await;
    h.run_until("gss-2048-0", Duration::from_secs(10)).await;
    let screen = open_bump(&mut h).await;
    assert!(screen.contains("2048-sidecar:v1.0"), "{screen}");
    for _ in 0.."v1.0".len() {
        h.press(KeyCode::Backspace);
    }
    h.type_text("v2.0");
    h.press(KeyCode::Enter);
    let screen = h.run_until("enter: patch", Duration::from_secs(10)).await;
    assert!(screen.contains("pre-flight"), "{screen}");
    assert!(screen.contains("IN PLACE"), "{screen}");
    assert!(
        screen.contains("patch gameserverset gss-2048: sidecar → 2048-sidecar:v2.0"),
        "{screen}"
    );
    assert!(screen.contains("patch gameserversets") && screen.contains("allowed"), "{screen}");
    // Planning and the RBAC review change nothing.
    assert_eq!(h.demo.stats.client_mutations(), 0);

    h.press(KeyCode::Enter);
    let screen = h.run_until("Rollout gss-2048", Duration::from_secs(10)).await;
    assert!(screen.contains("sidecar → 2048-sidecar:v2.0"), "{screen}");
    assert!(h.demo.stats.client_mutations() > 0);
    let mut screen = String::new();
    for _ in 0..200 {
        screen = h.run_until("every targeted pod has a verdict", Duration::from_millis(300)).await;
        if screen.contains("every targeted pod has a verdict") {
            break;
        }
    }
    let in_place = screen.lines().filter(|l| l.contains("✓ IN PLACE")).count();
    assert!(in_place >= 2, "{screen}");
    assert!(!screen.contains("RE-CREATED  "), "{screen}");
    // The evidence columns: same UID and creation time, restarts up by one.
    let row = screen.lines().find(|l| l.contains("✓ IN PLACE")).unwrap();
    assert!(row.contains("same  same") && row.contains("→"), "{row}");
    let audit = std::fs::read_to_string(&h.audit).unwrap();
    assert!(audit.contains("gameserverset/gss-2048"), "{audit}");
    h.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_after_the_plan_is_a_conflict_that_sends_nothing() {
    let mut h = Harness::start(false).await;
    h.run_until("gss-2048-0", Duration::from_secs(10)).await;
    open_bump(&mut h).await;
    for _ in 0.."v1.0".len() {
        h.press(KeyCode::Backspace);
    }
    h.type_text("v2.0");
    h.press(KeyCode::Enter);
    h.run_until("enter: patch", Duration::from_secs(10)).await;

    // Someone else changes the sidecar's image while the pre-flight is on screen.
    let api: kube::Api<okg_domain::types::GameServerSet> =
        kube::Api::namespaced(h.demo.client().unwrap(), "default");
    let image = "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v1.5";
    let patch = serde_json::json!([{"op": "replace",
        "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": image}]);
    let patch: json_patch::Patch = serde_json::from_value(patch).unwrap();
    api.patch("gss-2048", &Default::default(), &kube::api::Patch::<()>::Json(patch)).await.unwrap();
    let before = h.demo.stats.client_mutations();

    h.press(KeyCode::Enter);
    let screen = h.run_until("changed by someone else", Duration::from_secs(10)).await;
    assert!(screen.contains("changed by someone else since the plan"), "{screen}");
    // The new plan is shown, from the image now in the set, and asked again.
    assert!(screen.contains("pre-flight") && screen.contains("enter: patch"), "{screen}");
    assert_eq!(h.demo.stats.client_mutations(), before, "nothing was sent");
    h.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_bump_never_opens_and_sends_nothing() {
    let mut h = Harness::start(true).await;
    h.run_until("gss-2048-0", Duration::from_secs(10)).await;
    for k in [KeyCode::Char('b'), KeyCode::Enter, KeyCode::Enter, KeyCode::Char('o')] {
        h.press(k);
    }
    h.press(KeyCode::Char('b'));
    let screen = h.run_until("bump unavailable", Duration::from_secs(5)).await;
    assert!(screen.contains("bump unavailable: read-only"), "{screen}");
    assert!(!screen.contains("Bump gss-2048"), "{screen}");
    assert_eq!(h.demo.stats.client_mutations(), 0);
    h.demo.shutdown().await;
}
