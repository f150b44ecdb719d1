//! `--only-states`: update only the servers in chosen opsStates (OKG's guidance for session
//! games: idle or Maintaining servers now, Allocated ones later or never). Two ways reach exactly
//! them, and the set's policy says which is right:
//! - InPlaceIfPossible / InPlaceOnly: the template changes and the chosen servers are a canary
//!   (raised priorities, the partition holds every other server), so the template tells the truth
//!   and `--continue` later releases the rest;
//! - ReCreate: a template change would re-create every pod it reaches, so each chosen server gets
//!   a `spec.containers` override instead, which OKG applies to the pod in place whatever the
//!   policy.
use super::*;

/// The opsStates OKG knows (`apis/v1alpha1/gameserver_types.go`).
const OPS_STATES: [&str; 5] = ["None", "WaitToBeDeleted", "Maintaining", "Allocated", "Kill"];

pub(super) fn plan_states(
    view: &SetView,
    index: usize,
    req: &BumpRequest,
    from: &str,
    states: &[String],
) -> Result<Plan, PlanError> {
    let given = states.join(",");
    let bad = |why: String| PlanError::BadStates { given: given.clone(), why };
    if states.is_empty() {
        return Err(bad(format!("name one or more of {}", OPS_STATES.join(", "))));
    }
    if let Some(s) = states.iter().find(|s| !OPS_STATES.contains(&s.as_str())) {
        return Err(bad(format!(
            "{s:?} is not an opsState; OKG knows {} (case matters)",
            OPS_STATES.join(", ")
        )));
    }
    let to = req.image.as_str();
    let container = req.container.as_str();
    let pod_states = view.pod_states(container, true);
    let on_target = |name: &str| {
        pod_states.iter().any(|p| p.name == name && p.image == to && p.overridden.is_none())
    };
    let chosen: Vec<String> = view
        .gameservers
        .iter()
        .filter(|(_, g)| states.iter().any(|s| s == g.ops_state()))
        .filter(|(name, _)| !on_target(name))
        .map(|(name, _)| name.clone())
        .collect();
    if chosen.is_empty() {
        let mut by_state: BTreeMap<&str, usize> = BTreeMap::new();
        for g in view.gameservers.values() {
            *by_state.entry(g.ops_state()).or_default() += 1;
        }
        let counts: Vec<String> = by_state.iter().map(|(s, n)| format!("{n} {s}")).collect();
        return Err(bad(format!(
            "no server of {} left to update in these states; it has {}",
            view.name,
            counts.join(", ")
        )));
    }
    let already = pod_states.iter().filter(|p| p.image == to && p.overridden.is_none()).count();
    let replicas = view.rollout().replicas as usize;
    let recreate = view.gss.pod_update_policy() == PodUpdatePolicy::ReCreate;
    let how = if recreate || from == to {
        let why = if recreate {
            "the set's podUpdatePolicy is ReCreate, so a template change would re-create pods; a spec.containers override is applied in place whatever the policy"
        } else {
            "the template already has this image, so the servers still on the old one get it by override"
        };
        let pin = |n: &String| (n.clone(), OverrideChange::Pin(req.image.clone()));
        let changes = chosen.iter().map(pin).collect();
        let plan = plan_overrides(view, container, from, changes, PlanKind::Bump)?;
        (plan, format!("through spec.containers overrides: {why}"))
    } else if chosen.len() + already >= replicas {
        let pick = Pick::Idle { allow_allocated: false };
        let plan = plan_template(
            view,
            index,
            container,
            from,
            to,
            &Scope::WholeSet,
            &pick,
            PlanKind::Bump,
        )?;
        (plan, "through the template: every server of the set is in these states".to_string())
    } else {
        let n = chosen.len() as i32;
        let pick = Pick::These(chosen.clone());
        let plan = plan_template(
            view,
            index,
            container,
            from,
            to,
            &Scope::Canary(n),
            &pick,
            PlanKind::Bump,
        )?;
        let held = replicas - already - chosen.len();
        let how = format!(
            "through the template and priorities: the chosen servers' update priority is raised and the partition holds the other {held}, so the template tells the truth; `okg bump --continue` releases them later"
        );
        (plan, how)
    };
    let (mut plan, how) = how;
    plan.warnings.insert(0, format!("only opsState {given}: {} server(s) {how}", chosen.len()));
    Ok(plan)
}
