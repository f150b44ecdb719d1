//! Update priorities as OpenKruise reads them: the pod label's trailing digits, unlabelled first.
use super::*;

/// Six pods at priority 0, with pod `i`'s label replaced (`None`: removed).
fn with_label(i: usize, label: Option<&str>) -> (Vec<GameServer>, Vec<Pod>) {
    let (g, mut p) = fleet(&[0; 6]);
    let labels = p[i].metadata.labels.as_mut().unwrap();
    match label {
        Some(v) => labels.insert(labels::GS_UPDATE_PRIORITY.into(), v.into()),
        None => labels.remove(labels::GS_UPDATE_PRIORITY),
    };
    (g, p)
}

fn order(plan: &Plan) -> Vec<&str> {
    plan.pods.iter().map(|p| p.name.as_str()).collect()
}

#[test]
fn a_negative_label_ranks_by_its_digits() {
    let (g, p) = with_label(2, Some("-10"));
    let plan = plan_bump(&in_place(), &g, &p, &req(Scope::WholeSet)).unwrap();
    assert_eq!(order(&plan)[0], "gss-2048-2");
    assert_eq!(plan.pods[0].update_priority, PriorityRank::Labelled(10));
    assert!(
        plan.warnings.iter().any(|w| w.starts_with("gss-2048-2: update-priority label \"-10\"")
            && w.contains("drops the sign")
            && w.ends_with("ranks as 10")),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn non_numeric_labels_rank_by_trailing_digits_or_zero() {
    let (g, mut p) = with_label(1, Some("abc"));
    p[3].metadata.labels.as_mut().unwrap().insert(labels::GS_UPDATE_PRIORITY.into(), "v7".into());
    let plan = plan_bump(&in_place(), &g, &p, &req(Scope::WholeSet)).unwrap();
    // v7 ranks 7; abc ranks 0 and ties with the zeros by ordinal.
    assert_eq!(
        order(&plan),
        ["gss-2048-3", "gss-2048-5", "gss-2048-4", "gss-2048-2", "gss-2048-1", "gss-2048-0"]
    );
    assert_eq!(plan.warnings.len(), 2, "{:?}", plan.warnings);
    assert!(
        plan.warnings.iter().any(|w| w.starts_with("gss-2048-1:") && w.ends_with("ranks as 0"))
    );
}

#[test]
fn plain_priorities_need_no_warning() {
    let (g, p) = fleet(&[0, 5, 0, 5, 1, 0]);
    let plan = plan_bump(&in_place(), &g, &p, &req(Scope::WholeSet)).unwrap();
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
}

#[test]
fn canary_takes_the_pod_openkruise_ranks_first_by_its_label() {
    // Pod 2's label is -10, which OpenKruise reads as 10: it goes before the zeros.
    let (mut g, p) = with_label(2, Some("-10"));
    g[2].spec.update_priority = Some(IntOrString::Int(-10));
    let plan = plan_bump(&in_place(), &g, &p, &req(Scope::Canary(1))).unwrap();
    assert_eq!(plan.patches[0].name, "gss-2048-2");
    // The raised priority beats the 10 OpenKruise reads, not the -10 written.
    assert_eq!(
        plan.patches[0].patch,
        json!([
            {"op": "test", "path": "/spec/updatePriority", "value": -10},
            {"op": "replace", "path": "/spec/updatePriority", "value": 11},
            {"op": "add", "path": "/metadata/annotations",
             "value": {RAISED_PRIORITY_ANNOTATION: r#"{"original":-10,"raisedTo":11}"#}}
        ])
    );
    assert_eq!(plan.targets(), ["gss-2048-2"]);
}

#[test]
fn canary_ignores_a_negative_spec_that_never_reached_the_pod() {
    // The API server refuses the label value -10, so the pod keeps "0": OpenKruise ranks it 0.
    let (mut g, p) = fleet(&[0; 6]);
    g[1].spec.update_priority = Some(IntOrString::Int(-10));
    let plan = plan_bump(&in_place(), &g, &p, &req(Scope::Canary(1))).unwrap();
    assert_eq!(plan.patches[0].name, "gss-2048-5");
    // One above the zeros OpenKruise reads: the -10 can never reach a pod.
    assert_eq!(plan.patches[0].patch[1]["value"], 1);
    assert!(
        plan.warnings.iter().any(|w| w.starts_with(
            "gss-2048-1: GameServer spec.updatePriority -10 is not a valid label value"
        )),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn canary_priority_beats_a_spec_not_yet_copied_to_its_pod() {
    let (mut g, p) = fleet(&[0; 6]);
    g[1].spec.update_priority = Some(IntOrString::String("v50".into()));
    let plan = plan_bump(&in_place(), &g, &p, &req(Scope::Canary(1))).unwrap();
    assert_eq!(plan.patches[0].name, "gss-2048-5");
    assert_eq!(plan.patches[0].patch[1]["value"], 51);
    assert!(plan.warnings.iter().any(|w| {
        w.starts_with("gss-2048-1: GameServer spec.updatePriority \"v50\": once OKG copies it")
    }));
}

#[test]
fn canary_takes_unlabelled_pods_first() {
    let (g, p) = with_label(1, None);
    let plan = plan_bump(&in_place(), &g, &p, &req(Scope::Canary(1))).unwrap();
    assert_eq!(plan.patches[0].name, "gss-2048-1");
    assert_eq!(plan.targets(), ["gss-2048-1"]);
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.starts_with("gss-2048-1: no game.kruise.io/gs-update-priority label"))
    );
}

#[test]
fn canary_refuses_to_leave_an_unlabelled_pod_behind() {
    let (g, mut p) = with_label(1, None);
    p[3].metadata.labels.as_mut().unwrap().remove(labels::GS_UPDATE_PRIORITY);
    // Both would go before any labelled pod: a canary of one cannot hold the other back.
    let err = plan_bump(&in_place(), &g, &p, &req(Scope::Canary(1))).unwrap_err();
    assert!(
        matches!(&err, PlanError::BadCanary { why, .. } if why.ends_with("gss-2048-1; wait until OKG has labelled them")),
        "{err}"
    );
    // A canary of two takes both (ties to the higher ordinal first).
    let plan = plan_bump(&in_place(), &g, &p, &req(Scope::Canary(2))).unwrap();
    let chosen: Vec<&str> = plan.patches[..2].iter().map(|p| p.name.as_str()).collect();
    assert_eq!(chosen, ["gss-2048-3", "gss-2048-1"]);
}
