//! `--only-states`: exactly the servers in the chosen opsStates, by canary or by override.
use super::*;

fn states(list: &[&str]) -> BumpRequest {
    req(Scope::States(list.iter().map(|s| s.to_string()).collect()))
}

fn fleet_with_states() -> (Vec<GameServer>, Vec<Pod>) {
    let (mut g, p) = fleet(&[0; 6]);
    g[1].spec.ops_state = Some("Allocated".into());
    g[2].spec.ops_state = Some("Maintaining".into());
    g[4].spec.ops_state = Some("Allocated".into());
    g[5].spec.ops_state = Some("WaitToBeDeleted".into());
    (g, p)
}

#[test]
fn on_an_in_place_set_the_chosen_states_are_a_canary_of_exactly_them() {
    let set = in_place();
    let (g, p) = fleet_with_states();
    let plan = plan_bump(&set, &g, &p, &states(&["None", "Maintaining"])).unwrap();
    assert_eq!(plan.scope, Scope::Canary(3));
    let mut picked = raised(&plan);
    picked.sort();
    assert_eq!(picked, ["gss-2048-0", "gss-2048-2", "gss-2048-3"]);
    assert_eq!(plan.partition_after, 3);
    let mut targets = plan.targets();
    targets.sort();
    assert_eq!(targets, ["gss-2048-0", "gss-2048-2", "gss-2048-3"]);
    assert!(
        plan.warnings[0].starts_with(
            "only opsState None,Maintaining: 3 server(s) through the template and priorities"
        ),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn on_a_recreate_set_they_get_overrides_applied_in_place() {
    let set = gss(Some("ReCreate"), json!({"partition": 0}));
    let (g, p) = fleet_with_states();
    let plan = plan_bump(&set, &g, &p, &states(&["WaitToBeDeleted"])).unwrap();
    assert_eq!(plan.scope, Scope::GameServers(vec!["gss-2048-5".into()]));
    assert_eq!(plan.policy, Policy::InPlace);
    assert_eq!(plan.targets(), ["gss-2048-5"]);
    assert!(plan.warnings[0].contains("ReCreate"), "{:?}", plan.warnings);
}

#[test]
fn every_server_in_the_states_is_the_whole_set_and_bad_states_are_refused() {
    let set = in_place();
    let (g, p) = fleet_with_states();
    let all = ["None", "Maintaining", "Allocated", "WaitToBeDeleted"];
    let plan = plan_bump(&set, &g, &p, &states(&all)).unwrap();
    assert_eq!((plan.scope.clone(), plan.partition_after), (Scope::WholeSet, 0));
    let err = plan_bump(&set, &g, &p, &states(&["idle"])).unwrap_err();
    assert!(err.to_string().contains("\"idle\" is not an opsState"), "{err}");
    let err = plan_bump(&set, &g, &p, &states(&["Kill"])).unwrap_err();
    assert!(err.to_string().contains("2 Allocated"), "{err}");
}
