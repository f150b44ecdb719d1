//! The plans beside a template bump: per-GameServer overrides, continuing a canary, rolling back.
use super::*;

/// Per-GameServer overrides: OKG patches each pod's container image directly (the kubelet
/// restarts just that container), whatever the set's podUpdatePolicy.
pub(super) fn plan_overrides(
    view: &SetView,
    container: &str,
    template_image: &str,
    images: BTreeMap<String, String>,
    kind: PlanKind,
) -> Result<Plan, PlanError> {
    if images.is_empty() {
        return Err(PlanError::NoGameServers);
    }
    let unknown: Vec<String> =
        images.keys().filter(|n| !view.gameservers.contains_key(*n)).cloned().collect();
    if !unknown.is_empty() {
        return Err(PlanError::UnknownGameServers {
            set: view.name.clone(),
            unknown,
            known: view.gameservers.keys().cloned().collect(),
        });
    }
    let states = view.pod_states(container);
    let mut patches = Vec::new();
    let mut warnings = Vec::new();
    let mut targets = BTreeSet::new();
    for (name, image) in &images {
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
        targets.insert(name.clone());
    }
    if patches.is_empty() {
        return Err(PlanError::Unchanged {
            what: format!(
                "every named GameServer ({})",
                images.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
            image: images.values().next().cloned().unwrap_or_default(),
        });
    }
    let to_image = {
        let distinct: BTreeSet<&String> = images.values().collect();
        if distinct.len() == 1 {
            images.values().next().cloned().unwrap_or_default()
        } else {
            "(per GameServer)".into()
        }
    };
    let pods = states
        .iter()
        .map(|s| PodPlan {
            name: s.name.clone(),
            ordinal: s.ordinal,
            update_priority: s.update_priority,
            image: s.image.clone(),
            action: if targets.contains(&s.name) {
                PodAction::UpdateNow
            } else {
                PodAction::NotTargeted
            },
            to_image: targets.contains(&s.name).then(|| images[&s.name].clone()),
        })
        .collect();
    let rollout = view.rollout();
    Ok(Plan {
        kind,
        namespace: view.namespace.clone(),
        set: view.name.clone(),
        container: container.to_string(),
        from_image: template_image.to_string(),
        to_image,
        scope: Scope::GameServers(images.keys().cloned().collect()),
        replicas: rollout.replicas,
        partition_before: rollout.partition,
        partition_after: rollout.partition,
        max_unavailable: rollout.max_unavailable,
        paused: rollout.paused,
        policy: Policy::InPlace,
        patches,
        pods,
        warnings,
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
    let states = view.pod_states(container);
    let pods = predict_order(&states, &image, rollout);
    Ok(Plan {
        kind: PlanKind::Continue,
        namespace: view.namespace.clone(),
        set: view.name.clone(),
        container: container.to_string(),
        from_image: image.clone(),
        to_image: image.clone(),
        scope: Scope::WholeSet,
        replicas: rollout.replicas,
        partition_before: before,
        partition_after: after,
        max_unavailable: rollout.max_unavailable,
        paused: rollout.paused,
        policy: if view.is_on_delete() {
            Policy::Refused("the set's updateStrategy is OnDelete".into())
        } else {
            policy_for(gss.pod_update_policy(), true)
        },
        patches: vec![ObjectPatch {
            kind: ObjectKind::GameServerSet,
            name: view.name.clone(),
            patch: Value::Array(ops),
            summary: format!("continue: partition {before} → {after}"),
        }],
        pods,
        warnings: rollout
            .paused
            .then(|| format!("{} is paused: resume it for the rollout to move", view.name))
            .into_iter()
            .chain(super::priority_notes::priority_warnings(&view))
            .collect(),
    })
}

/// Roll back what `previous` did: the template back to its image for the whole set (partition to
/// 0, so canary pods are not stranded behind it), or each GameServer's override back to the image
/// its pod ran before.
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
        Scope::GameServers(names) => {
            let images = previous
                .pods
                .iter()
                .filter(|p| names.contains(&p.name) && p.action == PodAction::UpdateNow)
                .map(|p| (p.name.clone(), p.image.clone()))
                .collect();
            plan_overrides(&view, &previous.container, &current, images, PlanKind::Rollback)
        }
        _ => plan_template(
            &view,
            index,
            &previous.container,
            &current,
            &previous.from_image,
            &Scope::WholeSet,
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
    Ok(SwitchPlan {
        namespace: gss.metadata.namespace.clone().unwrap_or_else(|| "default".into()),
        set: name.clone(),
        action: action.into(),
        patches: vec![ObjectPatch {
            kind: ObjectKind::GameServerSet,
            name,
            patch: Value::Array(ops),
            summary: format!("{action} the rollout (rollingUpdate.paused = {paused})"),
        }],
    })
}
