use serde_json::json;

use super::*;
use crate::fixtures::gameserver;

fn fleet() -> Vec<GameServer> {
    let mut all = vec![
        gameserver("ns", "gss", 10, "Ready", "None"),
        gameserver("ns", "gss", 2, "Ready", "Allocated"),
        gameserver("ns", "gss", 1, "NotReady", "None"),
        gameserver("ns", "other", 0, "Ready", "None"),
    ];
    all[0].spec.update_priority = Some(IntOrString::Int(5));
    all[1].spec.deletion_priority = Some(IntOrString::String("3".into()));
    all[1].metadata.labels.as_mut().unwrap().insert("tier".into(), "gold".into());
    all
}

fn names(p: &OpsPlan) -> Vec<&str> {
    p.patches.iter().map(|p| p.name.as_str()).collect()
}

#[test]
fn values_are_checked_as_okg_types_them() {
    assert_eq!(GsOp::parse(Field::OpsState, "Maintaining").unwrap().value, json!("Maintaining"));
    for bad in ["maintaining", "", "Deleted", " None"] {
        let e = GsOp::parse(Field::OpsState, bad).unwrap_err();
        assert!(e.to_string().contains("WaitToBeDeleted"), "{e}");
    }
    assert_eq!(GsOp::parse(Field::UpdatePriority, "-10").unwrap().value, json!(-10));
    assert_eq!(
        GsOp::parse(Field::DeletionPriority, "2147483647").unwrap().value,
        json!(2147483647)
    );
    for bad in ["1.5", "2147483648", "ten", "", "0x10"] {
        let e = GsOp::parse(Field::UpdatePriority, bad).unwrap_err();
        assert!(e.to_string().contains("whole number"), "{bad}: {e}");
    }
    assert_eq!(GsOp::parse(Field::NetworkDisabled, "true").unwrap().value, json!(true));
    assert!(GsOp::parse(Field::NetworkDisabled, "yes").is_err());
}

#[test]
fn each_patch_tests_the_value_it_replaces() {
    let all = fleet();
    let op = GsOp::parse(Field::UpdatePriority, "7").unwrap();
    let sel = Selection { names: vec!["gss-10".into()], ..Default::default() };
    let p = plan(&op, &sel, &all, "ns").unwrap();
    assert_eq!(
        p.patches[0].patch,
        json!([
            {"op": "test", "path": "/spec/updatePriority", "value": 5},
            {"op": "replace", "path": "/spec/updatePriority", "value": 7}
        ])
    );
    assert_eq!(p.patches[0].kind, ObjectKind::GameServer);
    // A string priority is tested as the string it is.
    let op = GsOp::parse(Field::DeletionPriority, "4").unwrap();
    let sel = Selection { names: vec!["gss-2".into()], ..Default::default() };
    let p = plan(&op, &sel, &all, "ns").unwrap();
    assert_eq!(
        p.patches[0].patch[0],
        json!({"op": "test", "path": "/spec/deletionPriority", "value": "3"})
    );
    // An absent field is added.
    let op = GsOp::parse(Field::NetworkDisabled, "true").unwrap();
    let p = plan(&op, &sel, &all, "ns").unwrap();
    assert_eq!(
        p.patches[0].patch,
        json!([{"op": "add", "path": "/spec/networkDisabled", "value": true}])
    );
}

#[test]
fn servers_already_at_the_value_get_no_patch() {
    let all = fleet();
    let op = GsOp::parse(Field::OpsState, "None").unwrap();
    let sel = Selection { set: Some("gss".into()), ..Default::default() };
    let p = plan(&op, &sel, &all, "ns").unwrap();
    assert_eq!(names(&p), ["gss-2"]);
    assert_eq!(p.unchanged, ["gss-1", "gss-10"]);
    // "3" and 3 are the same priority to OKG; absent is 0 and false.
    let sel = Selection { names: vec!["gss-2".into(), "gss-1".into()], ..Default::default() };
    let op = GsOp::parse(Field::DeletionPriority, "3").unwrap();
    assert_eq!(plan(&op, &sel, &all, "ns").unwrap().unchanged, ["gss-2"]);
    let op = GsOp::parse(Field::NetworkDisabled, "false").unwrap();
    assert!(plan(&op, &sel, &all, "ns").unwrap().patches.is_empty());
}

#[test]
fn a_selection_by_set_label_and_state_takes_all_of_them() {
    let all = fleet();
    let op = GsOp::parse(Field::OpsState, "Maintaining").unwrap();
    let sel = Selection { set: Some("gss".into()), ..Default::default() };
    let p = plan(&op, &sel, &all, "ns").unwrap();
    assert_eq!(p.chosen, ["gss-1", "gss-2", "gss-10"], "by ordinal, not as strings");
    assert_eq!(p.warnings, ["1 of these is Allocated (players in a match): gss-2"]);
    assert_eq!(p.counts.state, BTreeMap::from([("NotReady".into(), 1), ("Ready".into(), 2)]));
    assert_eq!(p.counts.ops_state, BTreeMap::from([("Allocated".into(), 1), ("None".into(), 2)]));
    assert_eq!(p.counts.to_string(), "state: 1 NotReady, 2 Ready; opsState: 1 Allocated, 2 None");
    let sel = Selection { states: vec!["Ready".into()], ..Default::default() };
    assert_eq!(plan(&op, &sel, &all, "ns").unwrap().chosen, ["gss-2", "gss-10", "other-0"]);
    let sel = Selection {
        set: Some("gss".into()),
        selector: Some("tier=gold".into()),
        ..Default::default()
    };
    assert_eq!(plan(&op, &sel, &all, "ns").unwrap().chosen, ["gss-2"]);
}

#[test]
fn bad_selections_are_refused_with_what_to_do() {
    let all = fleet();
    let op = GsOp::parse(Field::OpsState, "Maintaining").unwrap();
    let err = |sel: Selection| plan(&op, &sel, &all, "ns").unwrap_err();
    assert_eq!(err(Selection::default()), SelectError::Nothing);
    let both =
        Selection { names: vec!["gss-1".into()], set: Some("gss".into()), ..Default::default() };
    assert_eq!(err(both), SelectError::NamesAndFilters);
    let unknown = Selection { names: vec!["gss-1".into(), "gss-9".into()], ..Default::default() };
    assert_eq!(err(unknown).to_string(), "no GameServer gss-9 in namespace ns");
    let none =
        Selection { set: Some("gss".into()), states: vec!["Crash".into()], ..Default::default() };
    assert_eq!(
        err(none).to_string(),
        "no GameServer in namespace ns matches --set gss --state Crash"
    );
    let bad = Selection { selector: Some("a in (".into()), ..Default::default() };
    assert!(matches!(err(bad), SelectError::Selector { .. }));
}

#[test]
fn consequences_are_told_for_the_values_that_do_more() {
    let all = fleet();
    let sel = Selection { names: vec!["gss-1".into()], ..Default::default() };
    let kill = GsOp::parse(Field::OpsState, "Kill").unwrap();
    assert_eq!(plan(&kill, &sel, &all, "ns").unwrap().warnings, [kill.consequence().unwrap()]);
    assert!(kill.consequence().unwrap().contains("replicas"));
    assert!(GsOp::parse(Field::NetworkDisabled, "true").unwrap().consequence().is_some());
    assert!(GsOp::parse(Field::NetworkDisabled, "false").unwrap().consequence().is_none());
    assert!(GsOp::parse(Field::UpdatePriority, "1").unwrap().consequence().is_none());
}

#[test]
fn the_guard_catches_a_change_made_in_between() {
    let all = fleet();
    let op = GsOp::parse(Field::OpsState, "Maintaining").unwrap();
    let sel = Selection { names: vec!["gss-2".into()], ..Default::default() };
    let p = plan(&op, &sel, &all, "ns").unwrap();
    let mut now = serde_json::to_value(&all[1]).unwrap();
    assert!(crate::bump_plan::test_ops_hold(&p.patches[0].patch, &now));
    now["spec"]["opsState"] = json!("None");
    assert!(!crate::bump_plan::test_ops_hold(&p.patches[0].patch, &now));
}
