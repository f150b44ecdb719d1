use super::*;
use serde_json::json;

fn pod(v: serde_json::Value) -> Pod {
    serde_json::from_value(v).unwrap()
}

fn ready_pod(since: &str) -> serde_json::Value {
    json!({
        "metadata": {"name": "p", "labels": {"lifecycle.apps.kruise.io/state": "Normal"}},
        "spec": {"containers": [{"name": "sidecar", "image": "s:2"}]},
        "status": {"phase": "Running",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": since}],
            "containerStatuses": [{"name": "sidecar", "image": "s:2", "imageID": "s@sha256:new",
                "ready": true, "restartCount": 1}]}
    })
}

fn at(t: &str) -> Option<jiff::Timestamp> {
    Some(t.parse().unwrap())
}

#[test]
fn a_ready_normal_pod_is_available() {
    let p = pod(ready_pod("2026-01-01T00:00:00Z"));
    assert_eq!(unavailable(&p, 0, at("2026-01-01T00:00:01Z")), None);
}

#[test]
fn a_lifecycle_state_other_than_normal_is_unavailable_even_when_ready() {
    // Updated after a hook: the pod is Ready, yet OpenKruise's isHealthy says no.
    for s in ["PreparingUpdate", "Updated", "Updating", "PreparingDelete"] {
        let mut v = ready_pod("2026-01-01T00:00:00Z");
        v["metadata"]["labels"]["lifecycle.apps.kruise.io/state"] = json!(s);
        assert_eq!(
            unavailable(&pod(v), 0, None),
            Some(Unavailable::Lifecycle { state: s.into() }),
            "{s}"
        );
    }
}

#[test]
fn a_terminating_ready_pod_is_unavailable() {
    let mut v = ready_pod("2026-01-01T00:00:00Z");
    v["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:05Z");
    assert_eq!(unavailable(&pod(v), 0, None), Some(Unavailable::Terminating));
}

#[test]
fn an_incomplete_in_place_update_is_unavailable_even_when_ready() {
    let mut v = ready_pod("2026-01-01T00:00:00Z");
    // The recorded imageID is still the one reported, and the status image is not the spec's.
    v["metadata"]["annotations"] = json!({"apps.kruise.io/inplace-update-state":
        r#"{"revision":"r2","lastContainerStatuses":{"sidecar":{"imageID":"s@sha256:old"}}}"#});
    v["status"]["containerStatuses"][0]["image"] = json!("s:1");
    v["status"]["containerStatuses"][0]["imageID"] = json!("s@sha256:old");
    assert_eq!(unavailable(&pod(v.clone()), 0, None), Some(Unavailable::InPlaceIncomplete));
    // Same imageID but the status names the spec image: complete.
    v["status"]["containerStatuses"][0]["image"] = json!("s:2");
    assert_eq!(unavailable(&pod(v), 0, None), None);
}

#[test]
fn inside_min_ready_seconds_is_unavailable() {
    let p = pod(ready_pod("2026-01-01T00:00:00Z"));
    assert_eq!(
        unavailable(&p, 10, at("2026-01-01T00:00:04Z")),
        Some(Unavailable::MinReadySeconds { left: 6 })
    );
    assert_eq!(unavailable(&p, 10, at("2026-01-01T00:00:10Z")), None);
    // Without a clock the rule cannot be judged and is skipped.
    assert_eq!(unavailable(&p, 10, None), None);
}

#[test]
fn not_running_or_not_ready_is_unavailable() {
    let mut v = ready_pod("2026-01-01T00:00:00Z");
    v["status"]["conditions"][0]["status"] = json!("False");
    assert_eq!(unavailable(&pod(v), 0, None), Some(Unavailable::NotReady));
    let mut v = ready_pod("2026-01-01T00:00:00Z");
    v["status"]["phase"] = json!("Pending");
    assert_eq!(unavailable(&pod(v), 0, None), Some(Unavailable::NotReady));
}

fn slot(updated: bool, unavailable: bool) -> Slot {
    Slot { updated, unavailable }
}

#[test]
fn the_walk_stops_at_the_first_blocked_pod() {
    // maxUnavailable 1, taken by a pod elsewhere: the first available pod blocks the walk, and
    // the unavailable pod behind it is not started (OpenKruise returns, it does not continue).
    let slots = [slot(false, false), slot(false, true)];
    assert_eq!(walk(&slots, 1, 1), vec![Turn::Blocked, Turn::Behind { blocker: 0 }]);
}

#[test]
fn unavailable_pods_ahead_of_the_block_start_without_budget() {
    let slots = [slot(true, false), slot(false, true), slot(false, false), slot(false, false)];
    assert_eq!(walk(&slots, 1, 2), vec![Turn::Updated, Turn::Start, Turn::Start, Turn::Blocked]);
}

#[test]
fn the_budget_fills_with_the_pods_started() {
    let slots = [slot(false, false); 4];
    assert_eq!(
        walk(&slots, 0, 2),
        vec![Turn::Start, Turn::Start, Turn::Blocked, Turn::Behind { blocker: 2 }]
    );
}
