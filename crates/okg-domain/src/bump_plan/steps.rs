//! The plans beside a template bump: per-GameServer overrides, continuing a canary, rolling back.
use super::*;

/// Per-GameServer overrides: OKG patches each pod's container image directly (the kubelet
/// restarts just that container), whatever the set's podUpdatePolicy. A cleared override is
/// removed from the GameServer, and the console puts the pod back on the template's image itself:
/// kruise-game only patches pods towards the entries there are (`syncPodContainers`).
pub(super) fn plan_overrides(
    view: &SetView,
    container: &str,
    template_image: &str,
    changes: BTreeMap<String, OverrideChange>,
    kind: PlanKind,
) -> Result<Plan, PlanError> {
    if changes.is_empty() {
        return Err(PlanError::NoGameServers);
    }
    let unknown: Vec<String> =
        changes.keys().filter(|n| !view.gameservers.contains_key(*n)).cloned().collect();
    if !unknown.is_empty() {
        return Err(PlanError::UnknownGameServers {
            set: view.name.clone(),
            unknown,
            known: view.gameservers.keys().cloned().collect(),
        });
    }
    let states = view.pod_states(container, view.gss.rolling_update().is_some());
    let mut patches = Vec::new();
    let mut pod_patches = Vec::new();
    let mut warnings = Vec::new();
    let mut targets: BTreeMap<String, String> = BTreeMap::new();
    for (name, change) in &changes {
        let image = match change {
            OverrideChange::Pin(image) => image,
            OverrideChange::Clear => {
                let gs = view.gameservers[name];
                let pod = view.pods.iter().find(|p| p.metadata.name.as_deref() == Some(name));
                let Some(cleared) = clear::clear(gs, pod.copied(), container, template_image)
                else {
                    warnings.push(format!("{name} has no override for {container}: left alone"));
                    continue;
                };
                patches.push(cleared.game_server);
                if let Some(p) = cleared.pod {
                    pod_patches.push(p);
                    targets.insert(name.clone(), template_image.to_string());
                }
                continue;
            }
        };
        validate_image(image)?;
        let gs = view.gameservers[name];
        let running = states.iter().find(|s| s.name == *name).map(|s| s.image.as_str());
        let pinned = override_image(gs, container);
        if running == Some(image.as_str()) && pinned.as_deref().is_none_or(|p| p == image) {
            warnings.push(format!("{name} already runs {image}: left alone"));
            continue;
        }
        let ops = match gs.spec.containers.as_ref() {
            None => vec![
                json!({"op": "add", "path": "/spec/containers", "value": [{"name": container, "image": image}]}),
            ],
            Some(list) => match list.iter().position(|c| c.name == container) {
                Some(j) => {
                    let mut ops = vec![
                        json!({"op": "test", "path": format!("/spec/containers/{j}/name"), "value": container}),
                    ];
                    match &list[j].image {
                        Some(cur) => {
                            ops.push(json!({"op": "test", "path": format!("/spec/containers/{j}/image"), "value": cur}));
                            ops.push(json!({"op": "replace", "path": format!("/spec/containers/{j}/image"), "value": image}));
                        }
                        None => ops.push(json!({"op": "add", "path": format!("/spec/containers/{j}/image"), "value": image})),
                    }
                    ops
                }
                None => vec![
                    json!({"op": "test", "path": "/spec/containers", "value": serde_json::to_value(list).expect("plain data")}),
                    json!({"op": "add", "path": "/spec/containers/-", "value": {"name": container, "image": image}}),
                ],
            },
        };
        patches.push(ObjectPatch {
            kind: ObjectKind::GameServer,
            name: name.clone(),
            patch: Value::Array(ops),
            summary: format!(
                "{container}: {} → {image} (spec.containers override)",
                running.unwrap_or("?")
            ),
        });
        targets.insert(name.clone(), image.clone());
    }
    if patches.is_empty() {
        let image = match changes.values().next() {
            Some(OverrideChange::Pin(image)) => image.clone(),
            _ => template_image.to_string(),
        };
        return Err(PlanError::Unchanged {
            what: format!(
                "every named GameServer ({})",
                changes.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
            image,
        });
    }
    // After every GameServer patch: a pod is put back only once no entry pins it any more.
    patches.extend(pod_patches);
    if !targets.is_empty() && view.rollout().partition > 0 {
        warnings.extend(clear::partition_note(&changes, view.rollout().partition));
    }
    let to_image = {
        let distinct: BTreeSet<&String> = targets.values().collect();
        match distinct.len() {
            0 => template_image.to_string(),
            1 => targets.values().next().cloned().unwrap_or_default(),
            _ => "(per GameServer)".into(),
        }
    };
    let pods = states
        .iter()
        .map(|s| PodPlan {
            name: s.name.clone(),
            ordinal: s.ordinal,
            update_priority: s.update_priority,
            image: s.image.clone(),
            action: if targets.contains_key(&s.name) {
                PodAction::UpdateNow
            } else {
                PodAction::NotTargeted
            },
            to_image: targets.get(&s.name).cloned(),
        })
        .collect();
    let scope = Scope::GameServers(changes.keys().cloned().collect());
    Ok(Plan {
        patches,
        pods,
        warnings,
        ..view.plan(kind, container, template_image, &to_image, scope)
    })
}

/// Continue a canary: lower the partition by `step` (all the way to 0 when `None`). Tests that the
/// template still has the image the canary rolled out, so it never continues someone else's change.
pub fn plan_continue(
    gss: &GameServerSet,
    gameservers: &[GameServer],
    pods: &[Pod],
    container: &str,
    step: Option<i32>,
) -> Result<Plan, PlanError> {
    let view = SetView::new(gss, gameservers, pods);
    let (index, image) = view.container_index(container)?;
    let mut rollout = view.rollout();
    let before = rollout.partition;
    if before <= 0 {
        return Err(PlanError::NothingToContinue { set: view.name.clone() });
    }
    let after = step.map(|s| (before - s.max(1)).max(0)).unwrap_or(0);
    let mut ops = vec![
        json!({"op": "test", "path": format!("/spec/gameServerTemplate/spec/containers/{index}/name"), "value": container}),
        json!({"op": "test", "path": format!("/spec/gameServerTemplate/spec/containers/{index}/image"), "value": image}),
    ];
    ops.extend(partition_ops(gss, after));
    rollout.partition = after;
    let states = view.pod_states(container, rolling_update_after(gss, after));
    let pods = predict_order(&states, &image, rollout);
    let policy = if view.is_on_delete() {
        Policy::Refused("the set's updateStrategy is OnDelete".into())
    } else {
        policy_for(gss.pod_update_policy(), true)
    };
    let mut warnings = Vec::new();
    if rollout.paused {
        warnings.push(format!("{} is paused: resume it for the rollout to move", view.name));
    }
    warnings.extend(super::priority_notes::priority_warnings(&view));
    let resets = resets_warned(&policy, &view, &pods, &mut warnings);
    let mut patches = vec![ObjectPatch {
        kind: ObjectKind::GameServerSet,
        name: view.name.clone(),
        patch: Value::Array(ops),
        summary: format!("continue: partition {before} → {after}"),
    }];
    // At partition 0 every pod is released, so nothing needs the canary's raised order any more.
    if after == 0 {
        let (restores, restore_warnings) = priority_record::restores(&view, &[]);
        patches.extend(restores);
        warnings.extend(restore_warnings);
    }
    let base = view.plan(PlanKind::Continue, container, &image, &image, Scope::WholeSet);
    Ok(Plan { partition_after: after, policy, patches, pods, warnings, resets, ..base })
}

/// Put back the update priorities a canary raised, and leave the template and partition as they
/// stand: abandoning a canary, or cleaning up after a run that was cut off.
pub fn plan_restore_priorities(
    gss: &GameServerSet,
    gameservers: &[GameServer],
    pods: &[Pod],
    container: &str,
) -> Result<Plan, PlanError> {
    let view = SetView::new(gss, gameservers, pods);
    let (_, image) = view.container_index(container)?;
    let (patches, warnings) = priority_record::restores(&view, &[]);
    if patches.is_empty() {
        return Err(PlanError::NothingToRestore { set: view.name.clone() });
    }
    let pods = view
        .pod_states(container, gss.rolling_update().is_some())
        .into_iter()
        .map(|s| PodPlan {
            name: s.name,
            ordinal: s.ordinal,
            update_priority: s.update_priority,
            image: s.image,
            action: PodAction::NotTargeted,
            to_image: None,
        })
        .collect();
    let base = view.plan(PlanKind::RestorePriorities, container, &image, &image, Scope::WholeSet);
    Ok(Plan { patches, pods, warnings, ..base })
}

/// Roll back what `previous` did: the template back to its image for the whole set (partition to
/// 0, so canary pods are not stranded behind it), or each GameServer's override back to what it
/// was: the old entry restored, or removed when the bump added it (see [`clear::undoing`]).
pub fn plan_rollback(
    gss: &GameServerSet,
    gameservers: &[GameServer],
    pods: &[Pod],
    previous: &Plan,
) -> Result<Plan, PlanError> {
    let view = SetView::new(gss, gameservers, pods);
    if view.name != previous.set {
        return Err(PlanError::WrongSet { planned: previous.set.clone(), set: view.name.clone() });
    }
    let (index, current) = view.container_index(&previous.container)?;
    match &previous.scope {
        Scope::GameServers(_) => {
            let changes = previous
                .patches
                .iter()
                .filter(|p| p.kind == ObjectKind::GameServer)
                .map(|p| (p.name.clone(), clear::undoing(p)))
                .collect();
            plan_overrides(&view, &previous.container, &current, changes, PlanKind::Rollback)
        }
        _ => plan_template(
            &view,
            index,
            &previous.container,
            &current,
            &previous.from_image,
            &Scope::WholeSet,
            &template::Pick::Idle { allow_allocated: false },
            PlanKind::Rollback,
        ),
    }
}

/// Pause (`true`) or resume a set's rollout through `rollingUpdate.paused`.
pub fn plan_pause(gss: &GameServerSet, paused: bool) -> Result<SwitchPlan, PlanError> {
    let name = gss.metadata.name.clone().unwrap_or_default();
    let current = gss.rolling_update().and_then(|r| r.paused);
    if current.unwrap_or(false) == paused {
        return Err(PlanError::AlreadySwitched { set: name, paused });
    }
    let ops = rolling_update_field(gss, "paused", current.map(|p| json!(p)), json!(paused));
    let action = if paused { "pause" } else { "resume" };
    let summary = format!("{action} the rollout (rollingUpdate.paused = {paused})");
    Ok(switch_plan(gss, action, ops, summary))
}

/// A switch plan: one patch of the set, audited as `action`.
pub(super) fn switch_plan(
    gss: &GameServerSet,
    action: &str,
    ops: Vec<Value>,
    summary: String,
) -> SwitchPlan {
    let name = gss.metadata.name.clone().unwrap_or_default();
    SwitchPlan {
        namespace: gss.metadata.namespace.clone().unwrap_or_else(|| "default".into()),
        set: name.clone(),
        action: action.into(),
        patches: vec![ObjectPatch {
            kind: ObjectKind::GameServerSet,
            name,
            patch: Value::Array(ops),
            summary,
        }],
    }
}
