//! A template bump (whole set or canary) and its rollback: the set's template image, the
//! partition, and for a canary the raised update priorities that pin its choice.
use super::*;

/// Which servers a canary takes.
pub(super) enum Pick {
    /// OpenKruise's order, idle servers first; Allocated ones only when allowed (`picks`).
    Idle { allow_allocated: bool },
    /// Exactly these (`--only-states` chose them).
    These(Vec<String>),
}

/// `pick`: which servers a canary takes (only read for `Scope::Canary`).
#[allow(clippy::too_many_arguments)] // one private planner; a struct of these would be read once
pub(super) fn plan_template(
    view: &SetView,
    index: usize,
    container: &str,
    from: &str,
    to: &str,
    scope: &Scope,
    pick: &Pick,
    kind: PlanKind,
) -> Result<Plan, PlanError> {
    if from == to {
        return Err(PlanError::Unchanged {
            what: format!("the template of {} (container {container})", view.name),
            image: to.to_string(),
        });
    }
    let mut rollout = view.rollout();
    let replicas = rollout.replicas;
    // OpenKruise counts a pod as updated by its controller-revision-hash against the update
    // revision, not by its image: a pod on `to` only through its GameServer's override is still
    // on the old revision, and counting it would let the partition release one pod too many.
    let already = view
        .pod_states(container, false)
        .iter()
        .filter(|p| p.image == to && p.overridden.is_none())
        .count() as i32;
    let canary_partition = |n: i32| replicas - already - n;
    let target = match scope {
        Scope::Canary(n) => canary_partition(*n),
        _ => 0,
    };
    let mut states = view.pod_states(container, rolling_update_after(view.gss, target));
    let mut patches = Vec::new();
    let mut warnings = Vec::new();
    let partition_after = match scope {
        Scope::Canary(n) => {
            let n = *n;
            let why = if n < 1 {
                Some("N must be at least 1".to_string())
            } else if n + already >= replicas {
                Some(format!(
                    "that leaves no pod on the old image ({already} already run {to}); bump the whole set instead"
                ))
            } else {
                None
            };
            if let Some(why) = why {
                return Err(PlanError::BadCanary { n, replicas, why });
            }
            // The canary is chosen in OpenKruise's order, idle servers first (`picks`); raising
            // their priority above everyone pins that choice while the rest wait on the partition.
            let order = predict_order(
                &states,
                to,
                RolloutParams { partition: 0, paused: false, ..rollout },
            );
            let chosen = match pick {
                Pick::Idle { allow_allocated } => {
                    picks::canary(&order, &view.gameservers, n as usize, *allow_allocated)
                        .map_err(|why| PlanError::BadCanary { n, replicas, why })?
                }
                Pick::These(names) => names.clone(),
            };
            let left = priority_notes::unlabelled_outside(&states, &chosen, to);
            if !left.is_empty() {
                return Err(PlanError::BadCanary {
                    n,
                    replicas,
                    why: format!(
                        "OpenKruise updates pods without an update-priority label before any canary, and these have none yet: {}; wait until OKG has labelled them",
                        left.join(", ")
                    ),
                });
            }
            let top = priority_notes::canary_priority(view, &states);
            for name in &chosen {
                let gs = view
                    .gameservers
                    .get(name)
                    .ok_or_else(|| PlanError::MissingGameServer { pod: name.clone() })?;
                let ops = priority_record::raise_ops(gs, top);
                patches.push(ObjectPatch {
                    kind: ObjectKind::GameServer,
                    name: name.clone(),
                    patch: Value::Array(ops),
                    summary: format!("raise updatePriority to {top} so it updates first (canary)"),
                });
            }
            for s in states.iter_mut().filter(|s| chosen.contains(&s.name)) {
                s.update_priority = PriorityRank::Labelled(top);
            }
            canary_partition(n)
        }
        _ => 0,
    };
    let raised_now: Vec<String> = match scope {
        Scope::Canary(_) => patches.iter().map(|p| p.name.clone()).collect(),
        _ => Vec::new(),
    };
    let (restores, restore_warnings) = priority_record::restores(view, &raised_now);
    if !restores.is_empty() && kind == PlanKind::Bump {
        let names: Vec<&str> = restores.iter().map(|p| p.name.as_str()).collect();
        warnings.push(format!(
            "a canary raised the update priority of {} and it was never put back: this bump puts it back",
            names.join(", ")
        ));
    }
    warnings.extend(restore_warnings);
    let mut ops = template_image_ops(index, container, from, to);
    ops.extend(partition_ops(view.gss, partition_after));
    let partition_note = if partition_after != rollout.partition {
        format!(", partition {} → {partition_after}", rollout.partition)
    } else {
        String::new()
    };
    patches.push(ObjectPatch {
        kind: ObjectKind::GameServerSet,
        name: view.name.clone(),
        patch: Value::Array(ops),
        summary: format!("{container}: {from} → {to}{partition_note}"),
    });
    // After the set patch: the raised priorities pin the canary's choice until the template and
    // partition no longer need them.
    patches.extend(restores);
    rollout.partition = partition_after;
    let pods = predict_order(&states, to, rollout);
    let policy = if view.is_on_delete() {
        Policy::Refused(
            "the set's updateStrategy is OnDelete: pods change only when deleted, and the console does not delete pods".into(),
        )
    } else {
        policy_for(view.gss.pod_update_policy(), true)
    };
    if rollout.paused {
        warnings.push(format!("{} is paused: no pod updates until it is resumed", view.name));
    }
    warnings.extend(priority_notes::priority_warnings(view));
    warnings.extend(touched::busy_targets(&pods, &view.gameservers));
    if let Some((_, Ok(run))) = crate::staged_rollout::record_of(view.gss)
        && run.state.is_open()
        && kind == PlanKind::Bump
    {
        warnings.push(format!(
            "a staged rollout ({} → {}) holds this set, {} at {}: this bump changes the set under it, and its next stage will refuse; `okg rollout undo {}` ends it first",
            run.from,
            run.to,
            run.state.as_str(),
            run.stage_text(),
            view.name
        ));
    }
    for p in &pods {
        // OpenKruise updates the pod to the template like any other (it knows no overrides),
        // and kruise-game patches the override back whenever the two differ (`syncPodContainers`
        // in kruise-game `pkg/controllers/gameserver/gameserver_manager.go`).
        if let PodAction::Overridden(img) = &p.action {
            let how = match policy {
                Policy::InPlace => format!(
                    "OpenKruise still updates it to {to} in its turn, then OKG patches {img} back: that container can restart twice"
                ),
                _ => format!("OpenKruise still re-creates it on {to} in its turn"),
            };
            warnings.push(format!(
                "{} pins {container} to {img} in its GameServer spec.containers: {how}",
                p.name
            ));
        }
    }
    warnings.extend(super::hooks::hook_warnings(view, &pods, &policy));
    warnings.extend(crate::service_quality::update_warnings(view.gss));
    let resets = resets_warned(&policy, view, &pods, &mut warnings);
    let base = view.plan(kind, container, from, to, scope.clone());
    Ok(Plan { partition_after, policy, patches, pods, warnings, resets, ..base })
}

/// Re-creation under the default reclaim policy throws away what was set on the GameServers:
/// the first warning says what, so nobody confirms a re-creation without seeing it.
pub(super) fn resets_warned(
    policy: &Policy,
    view: &SetView,
    pods: &[PodPlan],
    warnings: &mut Vec<String>,
) -> Option<GameServerResets> {
    if !matches!(policy, Policy::ReCreate(_)) {
        return None;
    }
    let targets: Vec<String> =
        pods.iter().filter(|p| p.to_image.is_some()).map(|p| p.name.clone()).collect();
    let r = GameServerResets::of(view.gss, &view.gameservers, &targets);
    warnings.insert(0, r.to_string());
    Some(r)
}
