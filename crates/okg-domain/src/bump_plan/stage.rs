//! The patches of a staged rollout (`crate::staged_rollout`): each stage, the finish, the undo,
//! pause and resume. Every set patch carries the run's record, so the record moves with the
//! partition or not at all.
use super::*;
use crate::staged_rollout::{RolloutRecord, RolloutState, record_ops};

/// What the servers of a set are, for a rollout's pre-flight: how many it may update, and how
/// many of each state there are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidates {
    /// Servers the rollout may update.
    pub eligible: i32,
    /// Allocated servers it leaves on the old image (none when they are included).
    pub left_out: Vec<String>,
    /// Every server of the set, counted by "opsState/state" (`None/Ready`, `Allocated/Ready`…).
    pub by_state: BTreeMap<String, usize>,
}

pub fn rollout_candidates(
    gss: &GameServerSet,
    gameservers: &[GameServer],
    pods: &[Pod],
    include_allocated: bool,
) -> Candidates {
    let view = SetView::new(gss, gameservers, pods);
    let mut out = Candidates::default();
    for pod in &view.pods {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let gs = view.gameservers.get(&name);
        let ops = gs.map_or("?", |g| g.ops_state());
        let state = gs.map_or("?", |g| g.current_state());
        *out.by_state.entry(format!("{ops}/{state}")).or_default() += 1;
        if ops == "Allocated" && !include_allocated {
            out.left_out.push(name);
        } else {
            out.eligible += 1;
        }
    }
    out
}

/// Apply stage `record.stage` of `record`: on the first stage the template goes from
/// `record.from` to `record.to`; on every stage the servers it adds get a raised update priority
/// (idle first, never Allocated unless the record includes them) and the partition leaves
/// `record.counts[stage]` servers updated. Returns the plan and the record it writes, with the
/// stage's raised priority filled in.
pub fn plan_stage(
    gss: &GameServerSet,
    gameservers: &[GameServer],
    pods: &[Pod],
    record: &RolloutRecord,
) -> Result<(Plan, RolloutRecord), PlanError> {
    let view = SetView::new(gss, gameservers, pods);
    let container = record.container.as_str();
    let (index, current) = view.container_index(container)?;
    let (from, to) = (record.from.as_str(), record.to.as_str());
    let first = record.stage == 0;
    let mismatch = |why: String| PlanError::StageMismatch { set: view.name.clone(), why };
    if first && current != from {
        return Err(mismatch(format!(
            "the template's {container} is {current}, not the {from} this rollout starts from"
        )));
    }
    if !first && current != to {
        return Err(mismatch(format!(
            "the template's {container} is {current}, not the {to} this rollout rolls out; someone changed it"
        )));
    }
    let Some(&target) = record.counts.get(record.stage) else {
        return Err(mismatch(format!("the rollout has no stage {}", record.stage + 1)));
    };
    let rollout = view.rollout();
    let replicas = rollout.replicas;
    let mut states = view.pod_states(container, true);
    // As for a canary: by revision, so a pod on `to` only through its override does not count.
    let already = states.iter().filter(|p| p.image == to && p.overridden.is_none()).count() as i32;
    let adds = (target - already).max(0);
    let order =
        predict_order(&states, to, RolloutParams { partition: 0, paused: false, ..rollout });
    let chosen = picks::canary(&order, &view.gameservers, adds as usize, record.include_allocated)
        .map_err(|why| {
            mismatch(format!("stage {} cannot pick its servers: {why}", record.stage + 1))
        })?;
    let left = priority_notes::unlabelled_outside(&states, &chosen, to);
    if !left.is_empty() {
        return Err(mismatch(format!(
            "OpenKruise updates pods without an update-priority label first, and these have none yet: {}; wait until OKG has labelled them",
            left.join(", ")
        )));
    }
    let mut patches = Vec::new();
    let top = priority_notes::canary_priority(&view, &states);
    for name in &chosen {
        let gs = view
            .gameservers
            .get(name)
            .ok_or_else(|| PlanError::MissingGameServer { pod: name.clone() })?;
        patches.push(ObjectPatch {
            kind: ObjectKind::GameServer,
            name: name.clone(),
            patch: Value::Array(priority_record::raise_ops(gs, top)),
            summary: format!(
                "raise updatePriority to {top} so it updates in stage {}",
                record.stage + 1
            ),
        });
    }
    for s in states.iter_mut().filter(|s| chosen.contains(&s.name)) {
        s.update_priority = PriorityRank::Labelled(top);
    }
    let partition_after = (replicas - already - adds).max(0);
    let mut written = record.clone();
    written.state = RolloutState::Running;
    written.stage_priority = (!chosen.is_empty()).then_some(top);
    let mut ops = if first {
        template_image_ops(index, container, from, to)
    } else {
        let base = format!("/spec/gameServerTemplate/spec/containers/{index}");
        vec![
            json!({"op": "test", "path": format!("{base}/name"), "value": container}),
            json!({"op": "test", "path": format!("{base}/image"), "value": to}),
        ]
    };
    ops.extend(partition_ops(gss, partition_after));
    ops.extend(record_ops(gss, &written));
    let change = if first { format!("{container}: {from} → {to}, ") } else { String::new() };
    patches.push(ObjectPatch {
        kind: ObjectKind::GameServerSet,
        name: view.name.clone(),
        patch: Value::Array(ops),
        summary: format!(
            "{change}stage {}/{}: partition {} → {partition_after} ({target} updated)",
            record.stage + 1,
            record.counts.len(),
            rollout.partition
        ),
    });
    let mut after = rollout;
    after.partition = partition_after;
    let pods = predict_order(&states, to, after);
    let policy = if view.is_on_delete() {
        Policy::Refused(
            "the set's updateStrategy is OnDelete: pods change only when deleted, and the console does not delete pods".into(),
        )
    } else {
        policy_for(gss.pod_update_policy(), true)
    };
    let mut warnings = Vec::new();
    if rollout.paused {
        warnings.push(format!("{} is paused: no pod updates until it is resumed", view.name));
    }
    warnings.extend(priority_notes::priority_warnings(&view));
    warnings.extend(touched::busy_targets(&pods, &view.gameservers));
    let resets = resets_warned(&policy, &view, &pods, &mut warnings);
    let base = view.plan(PlanKind::RolloutStage, container, from, to, Scope::Canary(adds));
    let plan = Plan { partition_after, policy, patches, pods, warnings, resets, ..base };
    Ok((plan, written))
}

/// The end of a run: every priority it raised goes back, then the record says `Done`.
pub fn plan_rollout_finish(
    gss: &GameServerSet,
    gameservers: &[GameServer],
    pods: &[Pod],
    record: &RolloutRecord,
) -> Result<Plan, PlanError> {
    let view = SetView::new(gss, gameservers, pods);
    let (_, image) = view.container_index(&record.container)?;
    let (mut patches, warnings) = priority_record::restores(&view, &[]);
    let mut done = record.clone();
    done.state = RolloutState::Done;
    patches.push(ObjectPatch {
        kind: ObjectKind::GameServerSet,
        name: view.name.clone(),
        patch: Value::Array(record_ops(gss, &done)),
        summary: "mark the rollout done".into(),
    });
    let base =
        view.plan(PlanKind::RestorePriorities, &record.container, &image, &image, Scope::WholeSet);
    Ok(Plan { patches, warnings, ..base })
}

/// Undo a run: the template back to `record.from` for every pod (partition 0), the raised
/// priorities back, and the record `RolledBack`, in the set's patch.
pub fn plan_rollout_undo(
    gss: &GameServerSet,
    gameservers: &[GameServer],
    pods: &[Pod],
    record: &RolloutRecord,
    why: Option<String>,
) -> Result<Plan, PlanError> {
    let view = SetView::new(gss, gameservers, pods);
    let (index, current) = view.container_index(&record.container)?;
    let mut undone = record.clone();
    undone.state = RolloutState::RolledBack;
    undone.message = why.or(undone.message);
    let mut plan = if current == record.from {
        // Someone already put the template back: only the priorities and the record are left.
        let (patches, warnings) = priority_record::restores(&view, &[]);
        let base =
            view.plan(PlanKind::Rollback, &record.container, &current, &current, Scope::WholeSet);
        let set = ObjectPatch {
            kind: ObjectKind::GameServerSet,
            name: view.name.clone(),
            patch: Value::Array(Vec::new()),
            summary: "mark the rollout rolled back".into(),
        };
        Plan { patches: std::iter::once(set).chain(patches).collect(), warnings, ..base }
    } else {
        plan_template(
            &view,
            index,
            &record.container,
            &current,
            &record.from,
            &Scope::WholeSet,
            &super::template::Pick::Idle { allow_allocated: false },
            PlanKind::Rollback,
        )?
    };
    let set_patch = plan
        .patches
        .iter_mut()
        .find(|p| p.kind == ObjectKind::GameServerSet)
        .expect("both plans patch the set");
    if let Value::Array(ops) = &mut set_patch.patch {
        ops.extend(record_ops(gss, &undone));
    }
    set_patch.summary = format!("{}; rollout rolled back", set_patch.summary);
    Ok(plan)
}

/// Pause (`true`) or resume a run: the set's `rollingUpdate.paused`, so OpenKruise stops too,
/// and the record's state, in one patch.
pub fn plan_rollout_switch(
    gss: &GameServerSet,
    record: &RolloutRecord,
    paused: bool,
) -> SwitchPlan {
    let current = gss.rolling_update().and_then(|r| r.paused);
    let mut ops = if current.unwrap_or(false) == paused {
        Vec::new()
    } else {
        rolling_update_field(gss, "paused", current.map(|p| json!(p)), json!(paused))
    };
    let mut next = record.clone();
    next.state = if paused { RolloutState::Paused } else { RolloutState::Running };
    if !paused {
        // Resuming acknowledges the failures that stopped it: the limit counts from here.
        next.failures = 0;
        next.message = None;
    }
    ops.extend(record_ops(gss, &next));
    let action = if paused { "rollout-pause" } else { "rollout-resume" };
    let summary = format!(
        "{} the rollout (rollingUpdate.paused = {paused}, record {})",
        if paused { "pause" } else { "resume" },
        next.state.as_str()
    );
    steps::switch_plan(gss, action, ops, summary)
}

/// Write `record` on its own (a stage's result, a stop), testing the one there now.
pub fn record_patch(gss: &GameServerSet, record: &RolloutRecord, summary: &str) -> ObjectPatch {
    ObjectPatch {
        kind: ObjectKind::GameServerSet,
        name: gss.metadata.name.clone().unwrap_or_default(),
        patch: Value::Array(record_ops(gss, record)),
        summary: summary.to_string(),
    }
}
