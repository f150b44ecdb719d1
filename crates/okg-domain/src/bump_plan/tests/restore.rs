//! Putting back what a canary raised: the record it leaves, and every way a rollout ends.
use super::*;

/// The cluster after `plan` landed: each patch applied to its object, as the API server would.
fn land(plan: &Plan, set: &mut GameServerSet, g: &mut [GameServer]) {
    for p in &plan.patches {
        match p.kind {
            ObjectKind::GameServerSet => {
                *set = serde_json::from_value(apply(set, p).unwrap()).unwrap();
            }
            ObjectKind::GameServer => {
                let gs =
                    g.iter_mut().find(|x| x.metadata.name.as_deref() == Some(&p.name)).unwrap();
                *gs = serde_json::from_value(apply(gs, p).unwrap()).unwrap();
            }
            ObjectKind::Pod => unreachable!("no pod patches here"),
        }
    }
}

fn priority(g: &[GameServer], i: usize) -> Option<IntOrString> {
    g[i].spec.update_priority.clone()
}

fn record(g: &[GameServer], i: usize) -> Option<RaisedPriority> {
    let raw = g[i].metadata.annotations.as_ref()?.get(RAISED_PRIORITY_ANNOTATION)?;
    Some(serde_json::from_str(raw).unwrap())
}

/// A canary of one on pods with priorities 0,3,0,0,0,0 (it takes pod 1), landed.
fn canary_landed() -> (GameServerSet, Vec<GameServer>, Vec<Pod>, Plan) {
    let mut set = in_place();
    let (mut g, p) = fleet(&[0, 3, 0, 0, 0, 0]);
    let plan = plan_bump(&set, &g, &p, &req(Scope::Canary(1))).unwrap();
    land(&plan, &mut set, &mut g);
    (set, g, p, plan)
}

#[test]
fn a_canary_records_what_it_raised() {
    let (_, g, _, plan) = canary_landed();
    assert_eq!(priority(&g, 1), Some(IntOrString::Int(4)));
    assert_eq!(
        record(&g, 1),
        Some(RaisedPriority { original: Some(IntOrString::Int(3)), raised_to: 4 })
    );
    assert_eq!(plan.canary_raises(), [("gss-2048-1".to_string(), 4)]);
    assert_eq!(crate::bump_plan::raised(&g, SET), ["gss-2048-1"]);
}

#[test]
fn continuing_to_the_end_puts_the_priority_back() {
    let (set, mut g, p, _) = canary_landed();
    let plan = plan_continue(&set, &g, &p, "sidecar", None).unwrap();
    let kinds: Vec<ObjectKind> = plan.patches.iter().map(|p| p.kind).collect();
    // The set first: the raised order holds until the partition releases everyone.
    assert_eq!(kinds, [ObjectKind::GameServerSet, ObjectKind::GameServer]);
    assert_eq!(
        plan.patches[1].patch,
        json!([
            {"op": "test", "path": "/metadata/annotations/okg-console.io~1raised-update-priority",
             "value": r#"{"original":3,"raisedTo":4}"#},
            {"op": "test", "path": "/spec/updatePriority", "value": 4},
            {"op": "replace", "path": "/spec/updatePriority", "value": 3},
            {"op": "remove", "path": "/metadata/annotations/okg-console.io~1raised-update-priority"}
        ])
    );
    let mut set = set;
    land(&plan, &mut set, &mut g);
    assert_eq!(priority(&g, 1), Some(IntOrString::Int(3)));
    assert_eq!(record(&g, 1), None);
    assert!(plan.canary_raises().is_empty());
}

#[test]
fn continuing_part_of_the_way_keeps_the_raise() {
    let (set, g, p, _) = canary_landed();
    let plan = plan_continue(&set, &g, &p, "sidecar", Some(2)).unwrap();
    assert_eq!(plan.partition_after, 3);
    assert_eq!(plan.patches.len(), 1, "{:?}", plan.patches);
}

#[test]
fn a_rollback_puts_the_priority_back() {
    let (set, mut g, p, canary) = canary_landed();
    let plan = plan_rollback(&set, &g, &p, &canary).unwrap();
    assert_eq!(plan.patches.last().unwrap().name, "gss-2048-1");
    let mut set = set;
    land(&plan, &mut set, &mut g);
    assert_eq!(priority(&g, 1), Some(IntOrString::Int(3)));
    assert_eq!(record(&g, 1), None);
    // Nothing is warned: putting it back is what a rollback does.
    assert!(!plan.warnings.iter().any(|w| w.contains("never put back")), "{:?}", plan.warnings);
}

#[test]
fn abandoning_puts_it_back_and_leaves_the_template_and_partition() {
    let (set, mut g, p, _) = canary_landed();
    let plan = plan_restore_priorities(&set, &g, &p, "sidecar").unwrap();
    assert_eq!(plan.kind, PlanKind::RestorePriorities);
    assert!(plan.patches.iter().all(|p| p.kind == ObjectKind::GameServer));
    assert!(plan.targets().is_empty());
    assert_eq!((plan.partition_before, plan.partition_after), (5, 5));
    let before = serde_json::to_value(&set).unwrap();
    let mut set = set;
    land(&plan, &mut set, &mut g);
    assert_eq!(serde_json::to_value(&set).unwrap(), before);
    assert_eq!(priority(&g, 1), Some(IntOrString::Int(3)));
    // A second time there is nothing left to do, and it says so.
    assert_eq!(
        plan_restore_priorities(&set, &g, &p, "sidecar").unwrap_err(),
        PlanError::NothingToRestore { set: SET.into() }
    );
}

#[test]
fn canaries_one_after_another_keep_the_first_original() {
    // The 5 → 11 → 12 seen on a cluster: a second canary over the first must remember 5.
    let (mut set, mut g, p, _) = canary_landed();
    // Someone bumps the set again with a new canary before the first was ended.
    let again = BumpRequest { image: "okg/2048-sidecar:v3.0".into(), ..req(Scope::Canary(1)) };
    let plan = plan_bump(&set, &g, &p, &again).unwrap();
    assert_eq!(plan.patches[0].name, "gss-2048-1");
    land(&plan, &mut set, &mut g);
    let r = record(&g, 1).unwrap();
    assert_eq!(r.original, Some(IntOrString::Int(3)));
    let plan = plan_restore_priorities(&set, &g, &p, "sidecar").unwrap();
    land(&plan, &mut set, &mut g);
    assert_eq!(priority(&g, 1), Some(IntOrString::Int(3)));
}

#[test]
fn a_priority_changed_since_the_canary_is_left_alone_and_said_so() {
    let (set, mut g, p, _) = canary_landed();
    g[1].spec.update_priority = Some(IntOrString::Int(9));
    let plan = plan_restore_priorities(&set, &g, &p, "sidecar").unwrap();
    assert_eq!(
        plan.patches[0].patch,
        json!([
            {"op": "test", "path": "/metadata/annotations/okg-console.io~1raised-update-priority",
             "value": r#"{"original":3,"raisedTo":4}"#},
            {"op": "remove", "path": "/metadata/annotations/okg-console.io~1raised-update-priority"}
        ])
    );
    assert!(
        plan.warnings.iter().any(|w| w.starts_with("gss-2048-1: updatePriority is 9 now")),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn an_absent_priority_is_removed_again() {
    let mut set = in_place();
    let (mut g, p) = fleet(&[0; 6]);
    g[5].spec.update_priority = None;
    let plan = plan_bump(&set, &g, &p, &req(Scope::Canary(1))).unwrap();
    assert_eq!(plan.patches[0].name, "gss-2048-5");
    land(&plan, &mut set, &mut g);
    let plan = plan_restore_priorities(&set, &g, &p, "sidecar").unwrap();
    land(&plan, &mut set, &mut g);
    assert_eq!(priority(&g, 5), None);
    assert_eq!(record(&g, 5), None);
}

#[test]
fn a_whole_set_bump_puts_back_a_forgotten_raise_and_warns() {
    let (set, g, p, _) = canary_landed();
    let again = BumpRequest { image: "okg/2048-sidecar:v3.0".into(), ..req(Scope::WholeSet) };
    let plan = plan_bump(&set, &g, &p, &again).unwrap();
    assert_eq!(plan.patches[0].kind, ObjectKind::GameServerSet);
    assert_eq!(plan.patches[1].name, "gss-2048-1");
    assert!(
        plan.warnings.iter().any(|w| w.contains("gss-2048-1 and it was never put back")),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn a_new_canary_puts_back_raises_it_does_not_repeat() {
    let (mut set, mut g, mut p, _) = canary_landed();
    // Pod 4 now ranks first, so the next canary takes it instead of pod 1.
    g[4].spec.update_priority = Some(IntOrString::Int(5));
    p[4].metadata.labels.as_mut().unwrap().insert(labels::GS_UPDATE_PRIORITY.into(), "5".into());
    let again = BumpRequest { image: "okg/2048-sidecar:v3.0".into(), ..req(Scope::Canary(1)) };
    let plan = plan_bump(&set, &g, &p, &again).unwrap();
    assert_eq!(plan.canary_raises(), [("gss-2048-4".to_string(), 6)]);
    let names: Vec<&str> = plan.patches.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["gss-2048-4", SET, "gss-2048-1"]);
    land(&plan, &mut set, &mut g);
    assert_eq!(priority(&g, 1), Some(IntOrString::Int(3)));
    assert_eq!(crate::bump_plan::raised(&g, SET), ["gss-2048-4"]);
    assert_eq!(record(&g, 4).unwrap().original, Some(IntOrString::Int(5)));
}

#[test]
fn a_record_that_does_not_parse_is_dropped_with_a_warning() {
    let (set, mut g, p, _) = canary_landed();
    g[1].metadata
        .annotations
        .as_mut()
        .unwrap()
        .insert(RAISED_PRIORITY_ANNOTATION.into(), "x".into());
    let plan = plan_restore_priorities(&set, &g, &p, "sidecar").unwrap();
    assert!(plan.warnings[0].contains("does not parse"), "{:?}", plan.warnings);
    assert_eq!(plan.patches[0].patch.as_array().unwrap().len(), 2);
}
