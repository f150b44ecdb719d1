//! Plans against a small in-memory set: six pods of gss-2048 with app-2048 and sidecar.
use super::*;
use serde_json::json;

const SET: &str = "gss-2048";
const OLD: &str = "okg/2048-sidecar:v1.0";
const NEW: &str = "okg/2048-sidecar:v2.0";

fn gss(policy: Option<&str>, rolling: Value) -> GameServerSet {
    let mut strategy = json!({"type": "RollingUpdate"});
    if let Some(p) = policy {
        let mut r = rolling.clone();
        r["podUpdatePolicy"] = json!(p);
        strategy["rollingUpdate"] = r;
    }
    serde_json::from_value(json!({
        "apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServerSet",
        "metadata": {"name": SET, "namespace": "default"},
        "spec": {
            "replicas": 6,
            "updateStrategy": strategy,
            "gameServerTemplate": {"spec": {"containers": [
                {"name": "app-2048", "image": "okg/app-2048:v1.0"},
                {"name": "sidecar", "image": OLD}
            ]}}
        }
    }))
    .unwrap()
}

fn in_place() -> GameServerSet {
    gss(Some("InPlaceIfPossible"), json!({"partition": 0, "maxUnavailable": 1}))
}

fn gs(i: usize, priority: Option<i64>) -> GameServer {
    let mut v = json!({
        "apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServer",
        "metadata": {"name": format!("{SET}-{i}"), "namespace": "default",
                     "labels": {labels::OWNER_GSS: SET}},
        "spec": {},
        "status": {"currentState": "Ready"}
    });
    if let Some(p) = priority {
        v["spec"]["updatePriority"] = json!(p);
    }
    serde_json::from_value(v).unwrap()
}

fn pod(i: usize, image: &str, priority: i64) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": format!("{SET}-{i}"), "namespace": "default",
                     "labels": {labels::OWNER_GSS: SET,
                                labels::GS_UPDATE_PRIORITY: priority.to_string()}},
        "spec": {"containers": [
            {"name": "app-2048", "image": "okg/app-2048:v1.0"},
            {"name": "sidecar", "image": image}
        ]},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}
    }))
    .unwrap()
}

fn not_ready(mut p: Pod) -> Pod {
    p.status.as_mut().unwrap().conditions.as_mut().unwrap()[0].status = "False".into();
    p
}

fn fleet(priorities: &[i64]) -> (Vec<GameServer>, Vec<Pod>) {
    let gss = priorities.iter().enumerate().map(|(i, p)| gs(i, Some(*p))).collect();
    let pods = priorities.iter().enumerate().map(|(i, p)| pod(i, OLD, *p)).collect();
    (gss, pods)
}

fn req(scope: Scope) -> BumpRequest {
    BumpRequest { container: "sidecar".into(), image: NEW.into(), scope, canary_allocated: false }
}

/// Apply a plan's patch to the object as JSON, as the API server would.
fn apply(obj: &impl Serialize, p: &ObjectPatch) -> Result<Value, json_patch::PatchError> {
    let mut doc = serde_json::to_value(obj).unwrap();
    json_patch::patch(&mut doc, &p.json_patch()).map(|_| doc)
}

fn names(plan: &Plan, pred: impl Fn(&PodAction) -> bool) -> Vec<String> {
    plan.pods.iter().filter(|p| pred(&p.action)).map(|p| p.name.clone()).collect()
}

#[test]
fn whole_set_patch_tests_then_replaces_the_image() {
    let set = in_place();
    let (g, p) = fleet(&[0; 6]);
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    assert_eq!(plan.policy, Policy::InPlace);
    assert_eq!(plan.patches.len(), 1);
    let patch = &plan.patches[0];
    assert_eq!(patch.target(), "gameserverset/gss-2048");
    assert_eq!(
        patch.patch,
        json!([
            {"op": "test", "path": "/spec/gameServerTemplate/spec/containers/1/name", "value": "sidecar"},
            {"op": "test", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": OLD},
            {"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": NEW},
            {"op": "test", "path": "/spec/updateStrategy/rollingUpdate/partition", "value": 0}
        ])
    );
    let after = apply(&set, patch).unwrap();
    assert_eq!(after["spec"]["gameServerTemplate"]["spec"]["containers"][1]["image"], NEW);
    assert_eq!(plan.targets().len(), 6);
}

#[test]
fn the_test_op_catches_a_concurrent_change() {
    let set = in_place();
    let (g, p) = fleet(&[0; 6]);
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    // Someone else bumps the sidecar to v1.5 before our patch lands.
    let mut changed = set.clone();
    changed.spec.game_server_template.pod_template.spec.as_mut().unwrap().containers[1].image =
        Some("okg/2048-sidecar:v1.5".into());
    assert!(apply(&changed, &plan.patches[0]).is_err());
    // Or moves the partition.
    let mut moved = set.clone();
    moved.spec.update_strategy.as_mut().unwrap().rolling_update.as_mut().unwrap().partition =
        Some(3);
    assert!(apply(&moved, &plan.patches[0]).is_err());
}

#[test]
fn order_is_priority_desc_then_higher_ordinal_and_max_unavailable_limits_now() {
    let set = in_place();
    let (g, p) = fleet(&[0, 5, 0, 5, 1, 0]);
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    let order: Vec<&str> = plan.pods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        order,
        ["gss-2048-3", "gss-2048-1", "gss-2048-4", "gss-2048-5", "gss-2048-2", "gss-2048-0"]
    );
    assert_eq!(plan.pods[0].action, PodAction::UpdateNow);
    assert_eq!(plan.pods[1].action, PodAction::Waiting(WaitReason::PriorityOrder { ahead: 1 }));
    assert_eq!(plan.pods[5].action, PodAction::Waiting(WaitReason::PriorityOrder { ahead: 5 }));
}

#[test]
fn without_rolling_update_the_order_is_descending_ordinal() {
    // OKG gives OpenKruise no priority strategy without rollingUpdate: the labels are not read.
    let set = gss(None, json!({}));
    assert!(set.rolling_update().is_none());
    let (g, p) = fleet(&[0, 5, 0, 5, 1, 0]);
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    let order: Vec<&str> = plan.pods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        order,
        ["gss-2048-5", "gss-2048-4", "gss-2048-3", "gss-2048-2", "gss-2048-1", "gss-2048-0"]
    );
    // The whole-set patch leaves the set without rollingUpdate, so that order is the real one.
    let after = apply(&set, plan.patches.last().unwrap()).unwrap();
    assert!(after["spec"]["updateStrategy"].get("rollingUpdate").is_none());
}

#[test]
fn a_canary_ranks_by_the_set_its_own_patch_leaves() {
    // The canary's partition creates rollingUpdate, and with it the priority order.
    let set = gss(None, json!({}));
    let (g, p) = fleet(&[0, 5, 0, 5, 1, 0]);
    let plan = plan_bump(&set, &g, &p, &req(Scope::Canary(2))).unwrap();
    let raised: Vec<&str> = plan.patches[..2].iter().map(|p| p.name.as_str()).collect();
    assert_eq!(raised, ["gss-2048-3", "gss-2048-1"]);
    let order: Vec<&str> = plan.pods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        order,
        ["gss-2048-3", "gss-2048-1", "gss-2048-4", "gss-2048-5", "gss-2048-2", "gss-2048-0"]
    );
    let after = apply(&set, &plan.patches[2]).unwrap();
    assert_eq!(after["spec"]["updateStrategy"]["rollingUpdate"]["partition"], 4);
}

#[test]
fn unavailable_pods_use_the_max_unavailable_budget() {
    let set = in_place();
    // A pod already on the new image but not Ready (failed or mid-update) holds the only slot.
    let (g, mut p) = fleet(&[0; 6]);
    p[5] = not_ready(pod(5, NEW, 0));
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    assert!(names(&plan, |a| *a == PodAction::UpdateNow).is_empty(), "{:?}", plan.pods);
    assert_eq!(plan.pods[1].action, blocking::budget_taken("gss-2048-5 (not Ready)"));
    assert_eq!(
        match &plan.pods[1].action {
            PodAction::Waiting(r) => r.to_string(),
            a => format!("{a:?}"),
        },
        "maxUnavailable 1 taken by gss-2048-5 (not Ready)"
    );
    // A not-ready pod still on the old image may start at once, but only when the walk reaches
    // it: first in order it goes.
    let (g, mut p) = fleet(&[0; 6]);
    p[5] = not_ready(p[5].clone());
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    assert_eq!(names(&plan, |a| *a == PodAction::UpdateNow), ["gss-2048-5"]);
    // Behind an available pod the walk stops at, it waits like the rest (OpenKruise returns from
    // rollingUpdateStatefulsetPods there).
    let (g, mut p) = fleet(&[0; 6]);
    p[1] = not_ready(p[1].clone());
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    assert!(names(&plan, |a| *a == PodAction::UpdateNow).is_empty(), "{:?}", plan.pods);
    let one = plan.pods.iter().find(|p| p.name == "gss-2048-1").unwrap();
    assert_eq!(
        one.action,
        PodAction::Waiting(WaitReason::Behind { ahead: 4, blocked: "gss-2048-5".into() })
    );
}

#[test]
fn already_updated_pods_come_first_and_are_not_targets() {
    let set = in_place();
    let (g, mut p) = fleet(&[9, 0, 0, 0, 0, 0]);
    p[2] = pod(2, NEW, 0);
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    assert_eq!(plan.pods[0].name, "gss-2048-2");
    assert_eq!(plan.pods[0].action, PodAction::AlreadyUpdated);
    assert_eq!(plan.pods[1].name, "gss-2048-0");
    assert!(!plan.targets().contains(&"gss-2048-2".to_string()));
    assert_eq!(plan.targets().len(), 5);
}

#[test]
fn max_unavailable_percent_and_int() {
    assert_eq!(max_unavailable(None, 6), 1);
    assert_eq!(max_unavailable(Some(&IntOrString::Int(3)), 6), 3);
    assert_eq!(max_unavailable(Some(&IntOrString::String("50%".into())), 6), 3);
    assert_eq!(max_unavailable(Some(&IntOrString::String("10%".into())), 6), 1);
    assert_eq!(max_unavailable(Some(&IntOrString::Int(0)), 6), 1);
    let set = gss(Some("InPlaceIfPossible"), json!({"maxUnavailable": "50%"}));
    let (g, p) = fleet(&[0; 6]);
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    assert_eq!(
        names(&plan, |a| *a == PodAction::UpdateNow),
        ["gss-2048-5", "gss-2048-4", "gss-2048-3"]
    );
}

#[test]
fn whole_set_bump_after_a_canary_resets_the_partition() {
    let set = gss(Some("InPlaceIfPossible"), json!({"partition": 4}));
    let (g, p) = fleet(&[0; 6]);
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    let ops = plan.patches[0].patch.as_array().unwrap();
    assert_eq!(
        ops[3],
        json!({"op": "test", "path": "/spec/updateStrategy/rollingUpdate/partition", "value": 4})
    );
    assert_eq!(
        ops[4],
        json!({"op": "replace", "path": "/spec/updateStrategy/rollingUpdate/partition", "value": 0})
    );
    assert_eq!((plan.partition_before, plan.partition_after), (4, 0));
}

#[test]
fn canary_raises_priority_of_the_first_n_and_sets_partition() {
    let set = in_place();
    let (mut g, p) = fleet(&[0, 3, 0, 0, 0, 0]);
    g[4].spec.update_priority = None; // one without a priority: `add` instead of test+replace
    let plan = plan_bump(&set, &g, &p, &req(Scope::Canary(2))).unwrap();
    assert_eq!(plan.partition_after, 4);
    // GameServer patches first, then the set.
    let kinds: Vec<ObjectKind> = plan.patches.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [ObjectKind::GameServer, ObjectKind::GameServer, ObjectKind::GameServerSet]);
    // The chosen two are what OpenKruise would pick: priority 3 (pod 1), then the highest ordinal.
    assert_eq!(plan.patches[0].name, "gss-2048-1");
    assert_eq!(plan.patches[1].name, "gss-2048-5");
    assert_eq!(
        plan.patches[0].patch,
        json!([
            {"op": "test", "path": "/spec/updatePriority", "value": 3},
            {"op": "replace", "path": "/spec/updatePriority", "value": 4},
            {"op": "add", "path": "/metadata/annotations",
             "value": {RAISED_PRIORITY_ANNOTATION: r#"{"original":3,"raisedTo":4}"#}}
        ])
    );
    let gs1 = apply(&g[1], &plan.patches[0]).unwrap();
    assert_eq!(gs1["spec"]["updatePriority"], 4);
    let set_after = apply(&set, &plan.patches[2]).unwrap();
    assert_eq!(set_after["spec"]["updateStrategy"]["rollingUpdate"]["partition"], 4);
    let mut targets = plan.targets();
    targets.sort();
    assert_eq!(targets, ["gss-2048-1", "gss-2048-5"]);
    let held = names(&plan, |a| *a == PodAction::Waiting(WaitReason::Partition { holds: 4 }));
    assert_eq!(held.len(), 4);
    assert!(!held.contains(&"gss-2048-1".into()));
}

#[test]
fn a_pod_on_the_new_image_only_through_its_override_is_not_already_updated_for_a_canary() {
    let set = in_place();
    let (mut g, mut p) = fleet(&[0; 6]);
    g[5].spec.containers = Some(vec![crate::types::GameServerContainer {
        name: "sidecar".into(),
        image: Some(NEW.into()),
        resources: None,
    }]);
    p[5] = pod(5, NEW, 0);
    let plan = plan_bump(&set, &g, &p, &req(Scope::Canary(2))).unwrap();
    // Still on the old revision: the partition holds 4 so that exactly the 2 raised pods update.
    assert_eq!(plan.partition_after, 4);
    let raised: Vec<&str> = plan
        .patches
        .iter()
        .filter(|p| p.kind == ObjectKind::GameServer)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(raised, ["gss-2048-4", "gss-2048-3"]);
    // The prediction agrees: both raised pods are let through, the override pod is held back.
    assert_eq!(plan.targets(), ["gss-2048-4", "gss-2048-3"]);
    // A pod really on the new revision (no override) still counts.
    let (g, mut p) = fleet(&[0; 6]);
    p[5] = pod(5, NEW, 0);
    assert_eq!(plan_bump(&set, &g, &p, &req(Scope::Canary(2))).unwrap().partition_after, 3);
}

#[test]
fn the_plan_names_the_allocated_and_maintaining_servers_it_updates() {
    let set = in_place();
    let (mut g, p) = fleet(&[0; 6]);
    g[1].spec.ops_state = Some("Allocated".into());
    g[2].spec.ops_state = Some("Maintaining".into());
    g[5].spec.ops_state = Some("Maintaining".into());
    let whole = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    let busy = |plan: &Plan| {
        plan.warnings
            .iter()
            .filter(|w| w.starts_with("this step updates"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        busy(&whole),
        [
            "this step updates 1 Allocated (players in a match): gss-2048-1; 2 Maintaining: gss-2048-5, gss-2048-2"
        ]
    );
    // A canary takes idle servers first, so it touches none of them.
    let canary = plan_bump(&set, &g, &p, &req(Scope::Canary(2))).unwrap();
    assert!(busy(&canary).is_empty(), "{:?}", canary.warnings);
    let (g, p) = fleet(&[0; 6]);
    assert!(busy(&plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap()).is_empty());
}

fn raised(plan: &Plan) -> Vec<&str> {
    plan.patches
        .iter()
        .filter(|p| p.kind == ObjectKind::GameServer)
        .map(|p| p.name.as_str())
        .collect()
}

#[test]
fn a_canary_takes_idle_servers_first_and_allocated_ones_only_when_allowed() {
    let set = in_place();
    // OpenKruise's order is 5, 4, 3, 2, 1, 0 (no priorities: the higher ordinal first).
    let (mut g, p) = fleet(&[0; 6]);
    g[5].spec.ops_state = Some("Allocated".into());
    g[4].spec.ops_state = Some("Maintaining".into());
    g[3].status.as_mut().unwrap().current_state = Some("NotReady".into());
    g[1].spec.ops_state = Some("Allocated".into());
    g[0].spec.ops_state = Some("Allocated".into());
    // Idle: 2 only. Then not Allocated: 4 (Maintaining), 3 (NotReady). Allocated: 5, 1, 0.
    let plan = plan_bump(&set, &g, &p, &req(Scope::Canary(3))).unwrap();
    assert_eq!(raised(&plan), ["gss-2048-2", "gss-2048-4", "gss-2048-3"]);
    let err = plan_bump(&set, &g, &p, &req(Scope::Canary(4))).unwrap_err();
    assert!(err.to_string().contains("--canary-allocated"), "{err}");
    assert!(err.to_string().contains("3 Allocated"), "{err}");
    let allowed = BumpRequest { canary_allocated: true, ..req(Scope::Canary(4)) };
    let plan = plan_bump(&set, &g, &p, &allowed).unwrap();
    assert_eq!(raised(&plan), ["gss-2048-2", "gss-2048-4", "gss-2048-3", "gss-2048-5"]);
    assert_eq!(plan.partition_after, 2);
}

#[test]
fn canary_on_a_set_without_priorities_adds_them_and_creates_rolling_update() {
    let set = gss(None, json!({}));
    let g: Vec<GameServer> = (0..6).map(|i| gs(i, None)).collect();
    let p: Vec<Pod> = (0..6).map(|i| pod(i, OLD, 0)).collect();
    let plan = plan_bump(&set, &g, &p, &req(Scope::Canary(1))).unwrap();
    assert!(plan.recreates());
    assert_eq!(
        plan.patches[0].patch,
        json!([
            {"op": "add", "path": "/spec/updatePriority", "value": 1},
            {"op": "add", "path": "/metadata/annotations",
             "value": {RAISED_PRIORITY_ANNOTATION: r#"{"original":null,"raisedTo":1}"#}}
        ])
    );
    let after = apply(&set, &plan.patches[1]).unwrap();
    assert_eq!(after["spec"]["updateStrategy"]["rollingUpdate"]["partition"], 5);
    assert_eq!(after["spec"]["updateStrategy"]["type"], "RollingUpdate");
}

#[test]
fn canary_size_is_validated() {
    let set = in_place();
    let (g, p) = fleet(&[0; 6]);
    for n in [0, 6, 7] {
        let err = plan_bump(&set, &g, &p, &req(Scope::Canary(n))).unwrap_err();
        assert!(matches!(err, PlanError::BadCanary { .. }), "{n}: {err}");
    }
}

#[test]
fn recreate_policy_and_refusals() {
    let (g, p) = fleet(&[0; 6]);
    let battle = gss(Some("ReCreate"), json!({}));
    let plan = plan_bump(&battle, &g, &p, &req(Scope::WholeSet)).unwrap();
    assert!(matches!(plan.policy, Policy::ReCreate(_)));
    let mut on_delete = in_place();
    on_delete.spec.update_strategy.as_mut().unwrap().type_ = Some("OnDelete".into());
    // With rollingUpdate set OKG makes the workload RollingUpdate anyway: not OnDelete.
    assert!(on_delete.spec.update_strategy.as_ref().unwrap().rolling_update.is_some());
    let plan = plan_bump(&on_delete, &g, &p, &req(Scope::WholeSet)).unwrap();
    assert_eq!(plan.policy, Policy::InPlace);
    on_delete.spec.update_strategy.as_mut().unwrap().rolling_update = None;
    let plan = plan_bump(&on_delete, &g, &p, &req(Scope::WholeSet)).unwrap();
    assert!(matches!(plan.policy, Policy::Refused(_)));
    // A pure image change is always in-place capable; InPlaceOnly refuses only other changes.
    assert_eq!(policy_for(PodUpdatePolicy::InPlaceOnly, true), Policy::InPlace);
    assert!(matches!(policy_for(PodUpdatePolicy::InPlaceOnly, false), Policy::Refused(_)));
    assert!(matches!(policy_for(PodUpdatePolicy::InPlaceIfPossible, false), Policy::ReCreate(_)));
    assert!(matches!(policy_for(PodUpdatePolicy::ReCreate, true), Policy::ReCreate(_)));
}

#[test]
fn validation_errors_say_what_is_wrong() {
    let set = in_place();
    let (g, p) = fleet(&[0; 6]);
    let bad = |container: &str, image: &str| {
        plan_bump(
            &set,
            &g,
            &p,
            &BumpRequest {
                container: container.into(),
                image: image.into(),
                scope: Scope::WholeSet,
                canary_allocated: false,
            },
        )
        .unwrap_err()
    };
    let e = bad("side", NEW);
    assert!(matches!(e, PlanError::UnknownContainer { .. }));
    assert!(e.to_string().contains("app-2048, sidecar"), "{e}");
    assert!(matches!(
        bad("sidecar", "okg/2048-sidecar:"),
        PlanError::BadImage(ImageError::EmptyTag(_))
    ));
    assert!(matches!(
        bad("sidecar", "okg/2048-sidecar:-x"),
        PlanError::BadImage(ImageError::BadTag { .. })
    ));
    assert!(matches!(bad("sidecar", "okg/2048-sidecar"), PlanError::Unpinned { .. }));
    assert!(matches!(bad("sidecar", OLD), PlanError::Unchanged { .. }));
}

#[test]
fn paused_sets_wait_and_warn() {
    let set = gss(Some("InPlaceIfPossible"), json!({"paused": true}));
    let (g, p) = fleet(&[0; 6]);
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    assert!(plan.pods.iter().all(|p| p.action == PodAction::Waiting(WaitReason::Paused)));
    assert_eq!(plan.targets().len(), 6);
    assert!(plan.warnings[0].contains("paused"));
}

#[test]
fn overridden_pods_are_not_updated_by_the_template() {
    let set = in_place();
    let (mut g, p) = fleet(&[0; 6]);
    g[5].spec.containers = Some(vec![crate::types::GameServerContainer {
        name: "sidecar".into(),
        image: Some("okg/2048-sidecar:v1.1".into()),
        resources: None,
    }]);
    let plan = plan_bump(&set, &g, &p, &req(Scope::WholeSet)).unwrap();
    let pod5 = plan.pods.iter().find(|p| p.name == "gss-2048-5").unwrap();
    assert_eq!(pod5.action, PodAction::Overridden("okg/2048-sidecar:v1.1".into()));
    assert!(!plan.targets().contains(&"gss-2048-5".into()));
    assert!(plan.warnings.iter().any(|w| w.contains("gss-2048-5") && w.contains("twice")));
    // OpenKruise still updates it first (it knows no overrides): it takes the one slot.
    assert!(names(&plan, |a| *a == PodAction::UpdateNow).is_empty());
    let next = PodAction::Waiting(WaitReason::PriorityOrder { ahead: 0 });
    assert_eq!(plan.pods.iter().find(|p| p.name == "gss-2048-4").unwrap().action, next);
}

#[test]
fn game_server_overrides() {
    let set = gss(Some("ReCreate"), json!({}));
    let (mut g, p) = fleet(&[0; 6]);
    g[2].spec.containers = Some(vec![crate::types::GameServerContainer {
        name: "sidecar".into(),
        image: Some(OLD.into()),
        resources: None,
    }]);
    g[3].spec.containers = Some(vec![crate::types::GameServerContainer {
        name: "app-2048".into(),
        image: Some("okg/app-2048:v1.0".into()),
        resources: None,
    }]);
    let scope =
        Scope::GameServers(vec!["gss-2048-1".into(), "gss-2048-2".into(), "gss-2048-3".into()]);
    let plan = plan_bump(&set, &g, &p, &req(scope)).unwrap();
    // The override path is in place even for a ReCreate set: OKG patches the pod directly.
    assert_eq!(plan.policy, Policy::InPlace);
    assert_eq!(plan.patches.len(), 3);
    assert_eq!(
        plan.patches[0].patch,
        json!([{"op": "add", "path": "/spec/containers", "value": [{"name": "sidecar", "image": NEW}]}])
    );
    assert_eq!(
        plan.patches[1].patch,
        json!([
            {"op": "test", "path": "/spec/containers/0/name", "value": "sidecar"},
            {"op": "test", "path": "/spec/containers/0/image", "value": OLD},
            {"op": "replace", "path": "/spec/containers/0/image", "value": NEW}
        ])
    );
    let after = apply(&g[3], &plan.patches[2]).unwrap();
    assert_eq!(after["spec"]["containers"][1], json!({"name": "sidecar", "image": NEW}));
    assert_eq!(after["spec"]["containers"][0]["name"], "app-2048");
    let mut t = plan.targets();
    t.sort();
    assert_eq!(t, ["gss-2048-1", "gss-2048-2", "gss-2048-3"]);
    assert_eq!(names(&plan, |a| *a == PodAction::NotTargeted).len(), 3);
    let e =
        plan_bump(&set, &g, &p, &req(Scope::GameServers(vec!["gss-2048-9".into()]))).unwrap_err();
    assert!(matches!(e, PlanError::UnknownGameServers { .. }));
    assert!(e.to_string().contains("gss-2048-9"), "{e}");
    assert_eq!(
        plan_bump(&set, &g, &p, &req(Scope::GameServers(vec![]))).unwrap_err(),
        PlanError::NoGameServers
    );
}

#[test]
fn continue_lowers_the_partition_and_guards_the_image() {
    let mut set = gss(Some("InPlaceIfPossible"), json!({"partition": 4}));
    set.spec.game_server_template.pod_template.spec.as_mut().unwrap().containers[1].image =
        Some(NEW.into());
    let (g, mut p) = fleet(&[0; 6]);
    p[5] = pod(5, NEW, 0);
    p[4] = pod(4, NEW, 0);
    let step = plan_continue(&set, &g, &p, "sidecar", Some(2)).unwrap();
    assert_eq!((step.partition_before, step.partition_after), (4, 2));
    let ops = step.patches[0].patch.as_array().unwrap();
    assert_eq!(
        ops[1],
        json!({"op": "test", "path": "/spec/gameServerTemplate/spec/containers/1/image", "value": NEW})
    );
    assert_eq!(
        ops[3],
        json!({"op": "replace", "path": "/spec/updateStrategy/rollingUpdate/partition", "value": 2})
    );
    let mut t = step.targets();
    t.sort();
    assert_eq!(t, ["gss-2048-2", "gss-2048-3"]);
    let all = plan_continue(&set, &g, &p, "sidecar", None).unwrap();
    assert_eq!(all.partition_after, 0);
    assert_eq!(all.targets().len(), 4);
    let done = gss(Some("InPlaceIfPossible"), json!({"partition": 0}));
    assert!(matches!(
        plan_continue(&done, &g, &p, "sidecar", None),
        Err(PlanError::NothingToContinue { .. })
    ));
}

#[test]
fn rollback_returns_the_template_and_clears_the_partition() {
    let set = in_place();
    let (g, p) = fleet(&[0; 6]);
    let canary = plan_bump(&set, &g, &p, &req(Scope::Canary(2))).unwrap();
    // The cluster after the canary: template on NEW, partition 4, two pods updated.
    let mut after = gss(Some("InPlaceIfPossible"), json!({"partition": 4, "maxUnavailable": 1}));
    after.spec.game_server_template.pod_template.spec.as_mut().unwrap().containers[1].image =
        Some(NEW.into());
    let (g2, mut p2) = fleet(&[0; 6]);
    p2[5] = pod(5, NEW, 1);
    p2[4] = pod(4, NEW, 1);
    let back = plan_rollback(&after, &g2, &p2, &canary).unwrap();
    assert_eq!(back.kind, PlanKind::Rollback);
    assert_eq!(back.to_image, OLD);
    assert_eq!(back.partition_after, 0);
    let mut t = back.targets();
    t.sort();
    assert_eq!(t, ["gss-2048-4", "gss-2048-5"]);
    let applied = apply(&after, &back.patches[0]).unwrap();
    assert_eq!(applied["spec"]["gameServerTemplate"]["spec"]["containers"][1]["image"], OLD);
    assert_eq!(applied["spec"]["updateStrategy"]["rollingUpdate"]["partition"], 0);
}

#[test]
fn rollback_of_overrides_removes_the_entries_they_added() {
    // Neither GameServer had an entry: the rollback removes both (it used to write the old
    // images into them, which left the pods pinned) and puts the pods back on the template's
    // image, whatever a pod ran before (gss-2048-1 ran v1.1 without any override).
    let set = in_place();
    let (g, mut p) = fleet(&[0; 6]);
    p[1] = pod(1, "okg/2048-sidecar:v1.1", 0);
    let scope = Scope::GameServers(vec!["gss-2048-0".into(), "gss-2048-1".into()]);
    let bump = plan_bump(&set, &g, &p, &req(scope)).unwrap();
    let mut g2 = g.clone();
    for gs in &mut g2[0..2] {
        gs.spec.containers = Some(vec![crate::types::GameServerContainer {
            name: "sidecar".into(),
            image: Some(NEW.into()),
            resources: None,
        }]);
    }
    let mut p2 = p.clone();
    p2[0] = pod(0, NEW, 0);
    p2[1] = pod(1, NEW, 0);
    let back = plan_rollback(&set, &g2, &p2, &bump).unwrap();
    let ops: Vec<(String, Value)> =
        back.patches.iter().map(|p| (p.target(), p.patch[2].clone())).collect();
    let remove = json!({"op": "remove", "path": "/spec/containers/0"});
    let to_old = json!({"op": "replace", "path": "/spec/containers/1/image", "value": OLD});
    assert_eq!(
        ops,
        [
            ("gameserver/gss-2048-0".to_string(), remove.clone()),
            ("gameserver/gss-2048-1".to_string(), remove),
            ("pod/gss-2048-0".to_string(), to_old.clone()),
            ("pod/gss-2048-1".to_string(), to_old),
        ]
    );
}

#[test]
fn pause_and_resume() {
    let set = in_place();
    let plan = plan_pause(&set, true).unwrap();
    assert_eq!(
        plan.patches[0].patch,
        json!([{"op": "add", "path": "/spec/updateStrategy/rollingUpdate/paused", "value": true}])
    );
    let paused = gss(Some("InPlaceIfPossible"), json!({"paused": true}));
    let resume = plan_pause(&paused, false).unwrap();
    assert_eq!(
        resume.patches[0].patch,
        json!([
            {"op": "test", "path": "/spec/updateStrategy/rollingUpdate/paused", "value": true},
            {"op": "replace", "path": "/spec/updateStrategy/rollingUpdate/paused", "value": false}
        ])
    );
    assert!(matches!(
        plan_pause(&paused, true),
        Err(PlanError::AlreadySwitched { paused: true, .. })
    ));
    assert!(matches!(
        plan_pause(&set, false),
        Err(PlanError::AlreadySwitched { paused: false, .. })
    ));
    let bare = gss(None, json!({}));
    let p = plan_pause(&bare, true).unwrap();
    let applied = apply(&bare, &p.patches[0]).unwrap();
    assert_eq!(applied["spec"]["updateStrategy"]["rollingUpdate"]["paused"], true);
}

#[test]
fn test_ops_hold_tells_a_changed_object_from_an_unchanged_one() {
    let patch = serde_json::json!([
        {"op": "test", "path": "/spec/replicas", "value": 6},
        {"op": "replace", "path": "/spec/replicas", "value": 7}
    ]);
    let same = serde_json::json!({"spec": {"replicas": 6}});
    let changed = serde_json::json!({"spec": {"replicas": 5}});
    assert!(test_ops_hold(&patch, &same));
    assert!(!test_ops_hold(&patch, &changed));
    assert!(!test_ops_hold(&serde_json::json!({"not": "a patch"}), &same));
}

mod priority;

mod clear;

mod restore;

mod blocking;
mod revision;
mod stage;
mod states;
