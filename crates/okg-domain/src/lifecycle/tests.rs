use super::*;
use serde_json::json;

fn pod(state: &str, labels: serde_json::Value, finalizers: &[&str]) -> Pod {
    let mut l = labels;
    l["lifecycle.apps.kruise.io/state"] = json!(state);
    serde_json::from_value(
        json!({"metadata": {"name": "p", "labels": l, "finalizers": finalizers}}),
    )
    .unwrap()
}

fn hook() -> LifecycleHook {
    LifecycleHook {
        labels_handler: [("example.com/drain".to_string(), "true".to_string())].into(),
        finalizers_handler: vec!["example.com/hold".into()],
        mark_pod_not_ready: false,
    }
}

#[test]
fn hooked_means_any_handler_all_hooked_means_every_one() {
    let h = hook();
    let label_only = pod("Normal", json!({"example.com/drain": "true"}), &[]);
    assert!(h.is_hooked(&label_only) && !h.all_hooked(&label_only));
    let other_value = pod("Normal", json!({"example.com/drain": "false"}), &[]);
    assert!(!h.is_hooked(&other_value));
    let both = pod("Normal", json!({"example.com/drain": "true"}), &["example.com/hold"]);
    assert!(h.all_hooked(&both));
}

#[test]
fn preparing_update_is_held_while_a_handler_is_on_the_pod() {
    let lc = Lifecycle { in_place_update: Some(hook()), ..Default::default() };
    let p = pod("PreparingUpdate", json!({"example.com/drain": "true"}), &[]);
    let held = hold(&p, Some(&lc)).unwrap();
    assert_eq!(held.handlers, vec!["label example.com/drain=true"]);
    assert_eq!(
        held.to_string(),
        "held by lifecycle hook in PreparingUpdate until label example.com/drain=true is removed"
    );
    // Removed: OpenKruise patches the images on its next pass, nothing holds it.
    let free = pod("PreparingUpdate", json!({}), &[]);
    assert_eq!(hold(&free, Some(&lc)), None);
    // No hook at all: PreparingUpdate is a passing state.
    assert_eq!(hold(&p, None), None);
}

#[test]
fn updated_is_held_until_every_handler_is_back() {
    let lc = Lifecycle { in_place_update: Some(hook()), ..Default::default() };
    let p = pod("Updated", json!({"example.com/drain": "true"}), &[]);
    let held = hold(&p, Some(&lc)).unwrap();
    assert!(!held.until_removed);
    assert_eq!(held.handlers, vec!["finalizer example.com/hold"]);
    let back = pod("Updated", json!({"example.com/drain": "true"}), &["example.com/hold"]);
    assert_eq!(hold(&back, Some(&lc)), None);
}

#[test]
fn preparing_delete_is_held_by_the_pre_delete_hook() {
    let lc = Lifecycle { pre_delete: Some(hook()), ..Default::default() };
    let p = pod("PreparingDelete", json!({}), &["example.com/hold"]);
    assert_eq!(hold(&p, Some(&lc)).unwrap().handlers, vec!["finalizer example.com/hold"]);
    // The inPlaceUpdate hook says nothing about a delete.
    let lc = Lifecycle { in_place_update: Some(hook()), ..Default::default() };
    assert_eq!(hold(&p, Some(&lc)), None);
}

#[test]
fn allow_not_ready_containers_adds_okgs_label_hook() {
    let mut set = GameServerSet::new("gss", Default::default());
    assert_eq!(effective(&set), None);
    set.spec.network = Some(Network {
        network_type: Some("AlibabaCloud-SLB".into()),
        network_conf: vec![NetworkConfParam {
            name: ALLOW_NOT_READY_CONTAINERS.into(),
            value: "sidecar".into(),
        }],
    });
    let lc = effective(&set).unwrap();
    let h = lc.in_place_update.unwrap();
    assert_eq!(h.labels_handler.get(NOT_READY_BLOCKER).map(String::as_str), Some("true"));
    // A hook of the set's own is kept beside it.
    set.spec.lifecycle = Some(Lifecycle { in_place_update: Some(hook()), ..Default::default() });
    let h = effective(&set).unwrap().in_place_update.unwrap();
    assert_eq!(h.labels_handler.len(), 2);
    assert_eq!(h.finalizers_handler, vec!["example.com/hold"]);
}
