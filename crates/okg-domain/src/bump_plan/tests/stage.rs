//! A staged rollout over the six-pod set, run stage by stage against a simulated OpenKruise.
use super::*;
use crate::staged_rollout::{RolloutRecord, RolloutState, StageSize, record_of, resolve_stages};

fn record(counts: &[i32], include_allocated: bool) -> RolloutRecord {
    RolloutRecord {
        container: "sidecar".into(),
        from: OLD.into(),
        to: NEW.into(),
        stages: counts.iter().map(|c| c.to_string()).collect(),
        counts: counts.to_vec(),
        include_allocated,
        stage: 0,
        state: RolloutState::Running,
        failure_limit: 0,
        failures: 0,
        soak_seconds: 0,
        auto_rollback: false,
        stage_started: "2026-12-03T12:00:00Z".into(),
        stage_priority: None,
        results: Vec::new(),
        reload: None,
        message: None,
        by: "admin".into(),
    }
}

/// Apply each patch, then do what OpenKruise and OKG would: the GameServers' priorities reach
/// the pod labels, and every pod the plan releases runs the new image.
fn land(plan: &Plan, set: &mut GameServerSet, g: &mut [GameServer], p: &mut [Pod]) {
    for patch in &plan.patches {
        match patch.kind {
            ObjectKind::GameServerSet => {
                *set = serde_json::from_value(apply(set, patch).unwrap()).unwrap();
            }
            ObjectKind::GameServer => {
                let gs = g.iter_mut().find(|x| x.metadata.name.as_deref() == Some(&patch.name));
                let gs = gs.unwrap();
                *gs = serde_json::from_value(apply(gs, patch).unwrap()).unwrap();
            }
            ObjectKind::Pod => unreachable!("a rollout patches no pod"),
        }
    }
    // What the plan predicts is what the simulated controller does: the order is tested
    // against the real OpenKruise on the real-controllers tier.
    let released: Vec<&str> = plan
        .pods
        .iter()
        .filter(|x| {
            matches!(
                x.action,
                PodAction::UpdateNow | PodAction::Waiting(WaitReason::PriorityOrder { .. })
            )
        })
        .map(|x| x.name.as_str())
        .collect();
    for (gs, pod) in g.iter().zip(p.iter_mut()) {
        let label = gs.spec.update_priority.as_ref().map(|v| match v {
            IntOrString::Int(i) => i.to_string(),
            IntOrString::String(s) => s.clone(),
        });
        if let Some(l) = label {
            pod.metadata.labels.as_mut().unwrap().insert(labels::GS_UPDATE_PRIORITY.into(), l);
        }
        let name = pod.metadata.name.clone().unwrap();
        if released.contains(&name.as_str()) {
            pod.spec.as_mut().unwrap().containers[1].image = Some(NEW.into());
        }
    }
}

fn on_new(p: &[Pod]) -> Vec<String> {
    p.iter()
        .filter(|x| x.spec.as_ref().unwrap().containers[1].image.as_deref() == Some(NEW))
        .map(|x| x.metadata.name.clone().unwrap())
        .collect()
}

fn next_stage(set: &GameServerSet, stage: usize) -> RolloutRecord {
    let (_, r) = record_of(set).unwrap();
    let mut r = r.unwrap();
    r.stage = stage;
    r
}

#[test]
fn stages_grow_idle_first_leave_the_allocated_server_and_put_priorities_back() {
    let mut set = in_place();
    let priorities = [0, 3, 0, 7, 0, 0];
    let (mut g, mut p) = fleet(&priorities);
    g[3].spec.ops_state = Some("Allocated".into());
    g[4].spec.ops_state = Some("Maintaining".into());
    let found: Vec<_> = g.iter().map(|x| x.spec.update_priority.clone()).collect();
    let c = rollout_candidates(&set, &g, &p, false);
    assert_eq!(c.eligible, 5);
    assert_eq!(c.left_out, ["gss-2048-3"]);
    assert_eq!(c.by_state.get("Allocated/Ready"), Some(&1));
    let counts = resolve_stages(
        &[StageSize::Count(1), StageSize::Percent(50), StageSize::Percent(100)],
        c.eligible,
    )
    .unwrap();
    assert_eq!(counts, [1, 3, 5]);

    // Stage 1: the template changes, one idle server is raised above all (3 is Allocated with
    // priority 7, so above 7), and the partition leaves one pod to update.
    let (plan, written) = plan_stage(&set, &g, &p, &record(&counts, false)).unwrap();
    assert_eq!(plan.kind, PlanKind::RolloutStage);
    assert_eq!(plan.partition_after, 5);
    assert_eq!(plan.canary_raises(), [("gss-2048-1".to_string(), 8)]);
    assert_eq!(written.stage_priority, Some(8));
    land(&plan, &mut set, &mut g, &mut p);
    assert_eq!(on_new(&p), ["gss-2048-1"]);
    assert_eq!(set.template_images()[1].1, NEW);
    assert_eq!(next_stage(&set, 0), written, "the record is written with the set patch");

    // Stage 2: two more, idle first (5 and 2; 4 is Maintaining), above the first stage.
    let (plan, _) = plan_stage(&set, &g, &p, &next_stage(&set, 1)).unwrap();
    assert_eq!(plan.partition_after, 3);
    let raised: Vec<_> = plan.canary_raises().into_iter().map(|r| r.0).collect();
    assert_eq!(raised, ["gss-2048-5", "gss-2048-2"]);
    land(&plan, &mut set, &mut g, &mut p);
    assert_eq!(on_new(&p), ["gss-2048-1", "gss-2048-2", "gss-2048-5"]);

    // Stage 3: the rest but the Allocated one, which the partition keeps.
    let (plan, _) = plan_stage(&set, &g, &p, &next_stage(&set, 2)).unwrap();
    assert_eq!(plan.partition_after, 1);
    land(&plan, &mut set, &mut g, &mut p);
    assert!(!on_new(&p).contains(&"gss-2048-3".to_string()), "{:?}", on_new(&p));
    assert_eq!(on_new(&p).len(), 5);

    // A bump over the open run says so.
    let bump = plan_bump(&set, &g, &p, &req(Scope::WholeSet));
    assert!(bump.is_err(), "the template already has the image: {bump:?}");
    let other = BumpRequest { image: "okg/2048-sidecar:v3.0".into(), ..req(Scope::WholeSet) };
    let bump = plan_bump(&set, &g, &p, &other).unwrap();
    assert!(bump.warnings.iter().any(|w| w.contains("a staged rollout")), "{:?}", bump.warnings);

    // Finish: every priority as found, no raise record, the run marked done.
    let plan = plan_rollout_finish(&set, &g, &p, &next_stage(&set, 2)).unwrap();
    land(&plan, &mut set, &mut g, &mut p);
    let now: Vec<_> = g.iter().map(|x| x.spec.update_priority.clone()).collect();
    assert_eq!(now, found);
    assert!(crate::bump_plan::raised(&g, SET).is_empty());
    assert_eq!(next_stage(&set, 2).state, RolloutState::Done);
    assert_eq!(on_new(&p).len(), 5, "putting priorities back moves no pod");
}

#[test]
fn a_stage_refuses_a_template_someone_changed_and_a_stale_record() {
    let set = in_place();
    let (g, p) = fleet(&[0; 6]);
    // Stage 2 over a template still on the old image: someone rolled it back.
    let mut r = record(&[1, 6], true);
    r.stage = 1;
    let err = plan_stage(&set, &g, &p, &r).unwrap_err();
    assert!(err.to_string().contains("someone changed it"), "{err}");
    // Two consoles plan the same stage from the same state: the second one's patch fails.
    // On stage 1 the template test catches it, later the record's own test does.
    let (first, _) = plan_stage(&set, &g, &p, &record(&[1, 3, 6], true)).unwrap();
    let set_patch = |plan: &Plan| {
        plan.patches.iter().find(|x| x.kind == ObjectKind::GameServerSet).unwrap().clone()
    };
    let landed: GameServerSet =
        serde_json::from_value(apply(&set, &set_patch(&first)).unwrap()).unwrap();
    assert!(apply(&landed, &set_patch(&first)).is_err(), "stage 1 applied twice");
    let (mut g2, mut p2) = (g.clone(), p.clone());
    let mut landed = set.clone();
    land(&first, &mut landed, &mut g2, &mut p2);
    let (second, _) = plan_stage(&landed, &g2, &p2, &next_stage(&landed, 1)).unwrap();
    let mut moved: GameServerSet =
        serde_json::from_value(apply(&landed, &set_patch(&second)).unwrap()).unwrap();
    assert!(apply(&moved, &set_patch(&second)).is_err(), "stage 2 applied twice");
    // And a record someone else rewrote (paused it, say) fails the patch too.
    let paused = plan_rollout_switch(&landed, &next_stage(&landed, 0), true);
    moved = serde_json::from_value(apply(&landed, &paused.patches[0]).unwrap()).unwrap();
    assert!(apply(&moved, &set_patch(&second)).is_err(), "a paused run moved on");
}

#[test]
fn undo_puts_template_priorities_and_record_back() {
    let mut set = in_place();
    let (mut g, mut p) = fleet(&[0, 3, 0, 0, 0, 0]);
    let found: Vec<_> = g.iter().map(|x| x.spec.update_priority.clone()).collect();
    let (plan, _) = plan_stage(&set, &g, &p, &record(&[2, 6], true)).unwrap();
    land(&plan, &mut set, &mut g, &mut p);
    let undo =
        plan_rollout_undo(&set, &g, &p, &next_stage(&set, 0), Some("too many failures".into()))
            .unwrap();
    assert_eq!(undo.kind, PlanKind::Rollback);
    assert_eq!(undo.partition_after, 0);
    land(&undo, &mut set, &mut g, &mut p);
    assert_eq!(set.template_images()[1].1, OLD);
    let now: Vec<_> = g.iter().map(|x| x.spec.update_priority.clone()).collect();
    assert_eq!(now, found);
    let r = next_stage(&set, 0);
    assert_eq!(r.state, RolloutState::RolledBack);
    assert_eq!(r.message.as_deref(), Some("too many failures"));
}

#[test]
fn pause_sets_the_field_and_the_record_and_resume_clears_failures() {
    let mut set = in_place();
    let (mut g, mut p) = fleet(&[0; 6]);
    let (plan, _) = plan_stage(&set, &g, &p, &record(&[2, 6], true)).unwrap();
    land(&plan, &mut set, &mut g, &mut p);
    let pause = plan_rollout_switch(&set, &next_stage(&set, 0), true);
    set = serde_json::from_value(apply(&set, &pause.patches[0]).unwrap()).unwrap();
    assert!(set.paused());
    assert_eq!(next_stage(&set, 0).state, RolloutState::Paused);
    let mut failed = next_stage(&set, 0);
    failed.failures = 3;
    let resume = plan_rollout_switch(&set, &failed, false);
    set = serde_json::from_value(apply(&set, &resume.patches[0]).unwrap()).unwrap();
    assert!(!set.paused());
    let r = next_stage(&set, 0);
    assert_eq!((r.state, r.failures), (RolloutState::Running, 0));
}
