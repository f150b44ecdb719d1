//! Pods a lifecycle hook holds, WAITING with the hook's labels or finalizers, never UPDATING or
//! STALLED (kruise `inPlaceUpdatePod` / `refreshPodState`, `pkg/util/lifecycle`).
//! Also how a long budget reason reads.
use super::tests::{NEW, pod, restarted_on, v};
use super::*;
use crate::lifecycle::{Lifecycle, LifecycleHook};

const DRAIN: &str = "example.com/drain";

fn with_hook() -> Context {
    let hook = LifecycleHook {
        labels_handler: [(DRAIN.to_string(), "true".to_string())].into(),
        ..Default::default()
    };
    Context {
        lifecycle: Some(Lifecycle { in_place_update: Some(hook), ..Default::default() }),
        // Nothing has moved for a long time: without the hook this would be a stall.
        stalled_for: Some(std::time::Duration::from_secs(300)),
        ..Default::default()
    }
}

fn labelled(mut p: Pod, state: &str, drain: Option<&str>) -> Pod {
    let l = p.metadata.labels.get_or_insert_default();
    l.insert(crate::types::labels::LIFECYCLE_STATE.into(), state.into());
    if let Some(d) = drain {
        l.insert(DRAIN.into(), d.into());
    }
    p
}

fn gs(state: &str) -> GameServer {
    super::tests::gs(state)
}

#[test]
fn preparing_update_under_a_hook_is_waiting_for_the_hook() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let held = labelled(p.clone(), "PreparingUpdate", Some("true"));
    let r = v(&b, Some(&held), Some(&gs("PreUpdate")), &with_hook());
    assert_eq!(
        r.to_string(),
        "WAITING (held by lifecycle hook in PreparingUpdate until label example.com/drain=true is removed)"
    );
    // The label is gone: OpenKruise patches the image on its next pass, the pod is updating.
    let free = labelled(p, "PreparingUpdate", None);
    assert_eq!(v(&b, Some(&free), Some(&gs("PreUpdate")), &with_hook()), Verdict::Updating);
}

#[test]
fn updated_under_a_hook_is_not_in_place_until_the_handlers_are_back() {
    let p = labelled(pod("p"), "Normal", Some("true"));
    let b = Baseline::from_pod(&p).unwrap();
    let mut after = restarted_on(&p, NEW, "id-sc-2");
    after = labelled(after, "Updated", Some("false"));
    // OKG v1.0.0 reports Ready for an Updated pod (it reads only Updating and PreparingUpdate).
    let r = v(&b, Some(&after), Some(&gs("Ready")), &with_hook());
    assert!(
        matches!(&r, Verdict::Waiting(WaitReason::LifecycleHook(h)) if !h.until_removed),
        "{r:?}"
    );
    assert!(r.to_string().contains("until label example.com/drain=true is set again"), "{r}");
    let back = labelled(after, "Normal", Some("true"));
    assert_eq!(v(&b, Some(&back), Some(&gs("Ready")), &with_hook()), Verdict::InPlace);
}

#[test]
fn without_a_hook_preparing_update_stays_updating() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let held = labelled(p, "PreparingUpdate", Some("true"));
    let ctx = Context { lifecycle: None, ..with_hook() };
    assert_eq!(v(&b, Some(&held), Some(&gs("PreUpdate")), &ctx), Verdict::Updating);
}

#[test]
fn a_hook_hold_serialises_with_its_handlers() {
    let p = labelled(pod("p"), "PreparingUpdate", Some("true"));
    let b = Baseline::from_pod(&p).unwrap();
    let r = v(&b, Some(&p), Some(&gs("PreUpdate")), &with_hook());
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        serde_json::json!({"verdict": "waiting", "reason": {"kind": "lifecycleHook",
            "state": "PreparingUpdate", "untilRemoved": true,
            "handlers": ["label example.com/drain=true"]}})
    );
}

#[test]
fn a_long_budget_list_names_three_and_counts_the_rest() {
    let r = WaitReason::Unavailable {
        ahead: 0,
        max_unavailable: 5,
        held_by: (0..5).map(|i| format!("p-{i} (not Ready)")).collect(),
    };
    assert_eq!(
        r.to_string(),
        "maxUnavailable 5 taken by p-0 (not Ready), p-1 (not Ready), p-2 (not Ready) and 2 more"
    );
}
