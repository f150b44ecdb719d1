//! What blocks the next pod, as OpenKruise counts it (`rollingUpdateStatefulsetPods`).
use super::*;

/// What a pod next in order waits on when `held_by` fill maxUnavailable 1.
pub(super) fn budget_taken(held_by: &str) -> PodAction {
    PodAction::Waiting(WaitReason::Unavailable {
        ahead: 0,
        max_unavailable: 1,
        held_by: vec![held_by.into()],
    })
}

#[test]
fn a_ready_pod_outside_lifecycle_normal_takes_the_budget() {
    // Ready, on the new image, but held in Updated by a hook: OpenKruise's isHealthy says no.
    let set = in_place();
    let (g, mut p) = fleet(&[0; 6]);
    p[5] = pod(5, NEW, 0);
    p[5].metadata.labels.as_mut().unwrap().insert(labels::LIFECYCLE_STATE.into(), "Updated".into());
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    assert!(names(&plan, |a| *a == PodAction::UpdateNow).is_empty(), "{:?}", plan.pods);
    assert_eq!(plan.pods[1].action, budget_taken("gss-2048-5 (lifecycle state Updated)"));
    assert_eq!(
        plan.pods[2].action,
        PodAction::Waiting(WaitReason::Behind { ahead: 1, blocked: "gss-2048-4".into() })
    );
}

#[test]
fn a_pod_inside_min_ready_seconds_is_unavailable_when_a_clock_is_given() {
    let mut p = pod(5, NEW, 0);
    p.status.as_mut().unwrap().conditions.as_mut().unwrap()[0].last_transition_time =
        Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            "2026-01-01T00:00:00Z".parse().unwrap(),
        ));
    let now = Some("2026-01-01T00:00:10Z".parse().unwrap());
    let c = update_candidate(SET, &p, None, "sidecar", true, 30, now);
    assert_eq!(c.unavailable, Some(update_order::Unavailable::MinReadySeconds { left: 20 }));
    let later = Some("2026-01-01T00:00:30Z".parse().unwrap());
    assert_eq!(update_candidate(SET, &p, None, "sidecar", true, 30, later).unavailable, None);
}

#[test]
fn the_plan_says_which_targets_a_lifecycle_hook_will_hold() {
    let mut set = in_place();
    set.spec.lifecycle = serde_json::from_value(
        json!({"inPlaceUpdate": {"labelsHandler": {"example.com/drain": "true"}}}),
    )
    .unwrap();
    let (g, mut p) = fleet(&[0; 6]);
    for i in [2, 5] {
        p[i].metadata.labels.as_mut().unwrap().insert("example.com/drain".into(), "true".into());
    }
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    let hook: Vec<&String> =
        plan.warnings.iter().filter(|w| w.contains("lifecycle hook")).collect();
    assert_eq!(hook.len(), 2, "{:?}", plan.warnings);
    assert!(
        hook[0].starts_with(
            "the set's lifecycle hook (label example.com/drain=true) holds gss-2048-2, gss-2048-5 in PreparingUpdate"
        ),
        "{}",
        hook[0]
    );
    assert!(
        hook[1].starts_with("gss-2048-0, gss-2048-1, gss-2048-3, gss-2048-4 lack"),
        "{}",
        hook[1]
    );
    // Without a hook, nothing is said.
    let plan = plan_bump(&in_place(), &g, &p, &req(Scope::WholeSet)).unwrap();
    assert!(!plan.warnings.iter().any(|w| w.contains("lifecycle hook")), "{:?}", plan.warnings);
}
