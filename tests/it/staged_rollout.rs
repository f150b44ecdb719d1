//! `okg rollout`, the must-hold run against the demo: a three-stage rollout of a
//! 20-replica set with one Allocated server, a reload that fails past the limit, the console
//! killed mid-stage and started again, and every priority left as it was found.
use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};
use okg_demo::DemoOptions;
use okg_domain::bump_plan::RAISED_PRIORITY_ANNOTATION;
use okg_domain::staged_rollout::{RolloutRecord, RolloutState, record_of};
use okg_domain::types::{GameServer, GameServerSet, annotations};
use serde_json::json;

use crate::support::{Demo, NS, demo_with, with_tag};

const SET: &str = "gss-2048";

async fn record(d: &Demo) -> Option<RolloutRecord> {
    let gss = Api::<GameServerSet>::namespaced(d.client(), NS).get(SET).await.unwrap();
    record_of(&gss).map(|(_, r)| r.unwrap())
}

async fn gameservers(d: &Demo) -> Vec<GameServer> {
    let lp = ListParams::default().labels(&format!("game.kruise.io/owner-gss={SET}"));
    Api::<GameServer>::namespaced(d.client(), NS).list(&lp).await.unwrap().items
}

async fn pods(d: &Demo) -> BTreeMap<String, Pod> {
    let lp = ListParams::default().labels(&format!("game.kruise.io/owner-gss={SET}"));
    let list = Api::<Pod>::namespaced(d.client(), NS).list(&lp).await.unwrap().items;
    list.into_iter().map(|p| (p.metadata.name.clone().unwrap(), p)).collect()
}

/// spec.updatePriority per GameServer, as JSON (absent is null).
async fn priorities(d: &Demo) -> BTreeMap<String, serde_json::Value> {
    gameservers(d)
        .await
        .into_iter()
        .map(|g| (g.metadata.name.clone().unwrap(), json!(g.spec.update_priority)))
        .collect()
}

use crate::support::sidecar;

/// A run of the sidecar from `from` to `to` in stages `1,100%` of 5 servers, at its first stage.
fn two_stages(from: &str, to: &str) -> RolloutRecord {
    RolloutRecord {
        container: "sidecar".into(),
        from: from.into(),
        to: to.into(),
        stages: vec!["1".into(), "100%".into()],
        counts: vec![1, 5],
        include_allocated: false,
        stage: 0,
        state: RolloutState::Running,
        failure_limit: 0,
        failures: 0,
        soak_seconds: 0,
        auto_rollback: false,
        stage_started: String::new(),
        stage_priority: None,
        results: vec![],
        reload: None,
        message: None,
        by: "test".into(),
    }
}

fn restarts(p: &Pod) -> i32 {
    p.status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .map(|c| c.restart_count)
        .sum()
}

async fn set_fail_reload(d: &Demo, pod: &str, why: Option<&str>) {
    let patch = json!({"metadata": {"annotations": {annotations::DEMO_FAIL_RELOAD: why}}});
    let api = Api::<Pod>::namespaced(d.client(), NS);
    api.patch(pod, &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_stages_with_one_allocated_server_stop_on_failed_reloads_resume_after_a_kill_and_restore_priorities()
 {
    let d = demo_with(DemoOptions {
        replicas: 20,
        tick: Duration::from_millis(150),
        ..Default::default()
    })
    .await;
    // Exactly one Allocated server: the fixture's others go back to None.
    let gs_api = Api::<GameServer>::namespaced(d.client(), NS);
    let allocated = "gss-2048-7";
    for g in gameservers(&d).await {
        let name = g.metadata.name.clone().unwrap();
        let ops = if name == allocated { "Allocated" } else { "None" };
        if g.ops_state() != ops {
            let patch = json!({"spec": {"opsState": ops}});
            gs_api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();
        }
    }
    let found = priorities(&d).await;
    let before = pods(&d).await;
    let old = sidecar(&before[allocated]);
    let new = with_tag(&old, "v2.0");
    let allocated_uid = before[allocated].metadata.uid.clone();
    let allocated_restarts = restarts(&before[allocated]);

    // Start: stage 1 only (no --wait), with the reload and a limit of one failure recorded.
    let start = d
        .okg(&[
            "rollout",
            SET,
            "--container",
            "sidecar",
            "--image",
            &new,
            "--stages",
            "1,50%,100%",
            "--failure-limit",
            "1",
            "--yes",
            "-o",
            "json",
            "--reload-exec",
            "/scripts/reload.sh",
        ])
        .await;
    assert_eq!(start.code, 0, "{start:?}");
    let doc = start.json();
    assert_eq!(doc["candidates"]["leftOut"], json!([allocated]), "{doc:#}");
    let r = record(&d).await.unwrap();
    assert_eq!(r.counts, [1, 10, 19]);
    assert_eq!((r.stage, r.state), (0, RolloutState::Running));
    let gs = gameservers(&d).await;
    let stage1 = okg_domain::bump_plan::raised_to(&gs, SET, r.stage_priority.unwrap());
    assert_eq!(stage1.len(), 1, "{stage1:?}");
    // Every reload fails from here on, but the first stage's.
    for name in before.keys().filter(|n| **n != stage1[0]) {
        set_fail_reload(&d, name, Some("config does not parse")).await;
    }

    // Drive it, and kill the console once the second stage is applied and not yet judged.
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_okg"))
        .args(["--kubeconfig", d.kubeconfig.to_str().unwrap()])
        .args(["--audit-log", d.audit.to_str().unwrap()])
        .args(["rollout", "resume", SET, "--wait", "--yes", "--timeout", "60s"])
        .env("XDG_STATE_HOME", d.dir.path())
        .env_remove("KUBECONFIG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let r = record(&d).await.unwrap();
        if r.stage == 1 && !r.stage_finished() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "stage 2 never applied: {r:?}");
        assert!(child.try_wait().unwrap().is_none(), "the driver ended before stage 2: {r:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let r = record(&d).await.unwrap();
    assert_eq!((r.stage, r.state, r.results.len()), (1, RolloutState::Running, 1), "{r:?}");
    assert_eq!(r.results[0].reloaded, 1, "{r:?}");

    // Started again: it judges the cut-off stage from the pods, its reloads fail past the limit,
    // and it stops there with the partition holding the rest.
    let again = d
        .okg(&["rollout", "resume", SET, "--wait", "--yes", "--timeout", "60s", "-o", "json"])
        .await;
    assert_eq!(again.code, 3, "{again:?}");
    let r = record(&d).await.unwrap();
    assert_eq!((r.stage, r.state), (1, RolloutState::Failed), "{r:?}");
    assert!(r.results[1].judged_on_resume, "{r:?}");
    assert!(r.results[1].reload_failed >= 2, "{r:?}");
    assert!(r.message.as_deref().unwrap_or("").contains("past the limit of 1"), "{r:?}");
    let now = pods(&d).await;
    assert_eq!(now.values().filter(|p| sidecar(p) == new).count(), 10, "stage 3 must not start");

    // Fixed, and resumed: the last stage runs and the run ends done.
    for name in before.keys() {
        set_fail_reload(&d, name, None).await;
    }
    let last = d
        .okg(&["rollout", "resume", SET, "--wait", "--yes", "--timeout", "60s", "-o", "json"])
        .await;
    assert_eq!(last.code, 0, "{last:?}");
    let r = record(&d).await.unwrap();
    assert_eq!((r.state, r.results.len()), (RolloutState::Done, 3), "{r:?}");
    let now = pods(&d).await;
    assert_eq!(now.values().filter(|p| sidecar(p) == new).count(), 19);
    // The Allocated server was never touched: same pod, old image, no restart.
    let a = &now[allocated];
    assert_eq!(sidecar(a), old);
    assert_eq!(a.metadata.uid, allocated_uid);
    assert_eq!(restarts(a), allocated_restarts);
    // Every priority as found, and no raise record left.
    assert_eq!(priorities(&d).await, found);
    for g in gameservers(&d).await {
        let ann = g.metadata.annotations.unwrap_or_default();
        assert!(!ann.contains_key(RAISED_PRIORITY_ANNOTATION), "{:?}", g.metadata.name);
    }
    // The audit log holds every write, each with its outcome.
    let audit = std::fs::read_to_string(&d.audit).unwrap();
    for action in ["rollout-stage", "rollout-record", "rollout-resume", "rollout-finish"] {
        assert!(audit.contains(action), "{action} not audited:\n{audit}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_shows_a_run_and_can_do_nothing_to_it() {
    let d = crate::support::demo().await;
    let pods = pods(&d).await;
    let new = with_tag(&sidecar(&pods["gss-2048-0"]), "v2.0");
    let start = ["rollout", SET, "--container", "sidecar", "--image", &new, "--stages", "1,100%"];
    let before = d.cluster.stats.client_mutations();
    let ro: Vec<&str> = std::iter::once("--read-only").chain(start.iter().copied()).collect();
    let refused = d.okg(&[&ro[..], &["--yes"]].concat()).await;
    assert_eq!(refused.code, 4, "{refused:?}");
    assert!(refused.stderr.contains("read-only"), "{}", refused.stderr);
    assert_eq!(d.cluster.stats.client_mutations(), before, "read-only sent a write");
    // A run started by someone else is shown, and nothing can move it.
    let started = d.okg(&[&start[..], &["--yes"]].concat()).await;
    assert_eq!(started.code, 0, "{started:?}");
    let before = d.cluster.stats.client_mutations();
    let status = d.okg(&["--read-only", "rollout", "status", SET]).await;
    assert_eq!(status.code, 0, "{status:?}");
    assert!(status.stdout.contains("running"), "{}", status.stdout);
    assert!(status.stdout.contains("stage 1/2"), "{}", status.stdout);
    for action in [&["pause", SET][..], &["resume", SET, "--wait"], &["undo", SET]] {
        let args: Vec<&str> = ["--read-only", "rollout"]
            .into_iter()
            .chain(action.iter().copied())
            .chain(["--yes"])
            .collect();
        let run = d.okg(&args).await;
        assert_eq!(run.code, 4, "{args:?}: {run:?}");
    }
    assert_eq!(d.cluster.stats.client_mutations(), before, "read-only sent a write");
    // A second run over an open one is refused, naming it.
    let second = d.okg(&[&start[..], &["--yes"]].concat()).await;
    assert_eq!(second.code, 4, "{second:?}");
    assert!(second.stderr.contains("already running"), "{}", second.stderr);
}

/// The console draws a running run on its set's header, from the record alone: what a
/// read-only monitor sees, at 120 columns and at 80.
#[test]
fn the_set_header_shows_a_running_rollout() {
    use okg_console::tui::app::msg::{ClusterEvent, Msg};
    use okg_domain::staged_rollout::{ROLLOUT_ANNOTATION, StageResult};
    let (sets, _, _) = okg_domain::fixtures::small_fleet();
    let mut set = sets.into_iter().find(|s| s.metadata.name.as_deref() == Some(SET)).unwrap();
    let record = RolloutRecord {
        stage: 1,
        state: RolloutState::Failed,
        failures: 2,
        results: vec![StageResult::default()],
        ..two_stages("a:1", "a:2")
    };
    let annotations = [(ROLLOUT_ANNOTATION.to_string(), serde_json::to_string(&record).unwrap())];
    set.metadata.annotations = Some(annotations.into());
    for width in [120, 80] {
        let mut s = crate::support::loaded_state(width, 24, Default::default());
        s.update(Msg::Cluster(ClusterEvent::SetApplied(set.clone())));
        let screen = crate::support::screen(&s, width, 24);
        assert!(screen.contains("grey 2/2 failed · failures 2/0"), "{width}:\n{screen}");
    }
    // `o` on the set opens its timeline, from the same record.
    let mut s = crate::support::loaded_state(80, 24, Default::default());
    s.update(Msg::Cluster(ClusterEvent::SetApplied(set)));
    let pos = s
        .position_of(&okg_console::tui::app::state::TableLine::Group((NS.into(), SET.into())))
        .unwrap();
    s.set_cursor_pos(pos);
    crate::support::key(&mut s, crossterm::event::KeyCode::Char('o'));
    let screen = crate::support::screen(&s, 80, 24);
    assert!(screen.contains("Staged rollout of gss-2048"), "{screen}");
    assert!(screen.contains("STAGE"), "{screen}");
    assert!(screen.contains("(failed)"), "{screen}");
}

/// Past the limit with --auto-rollback, the run undoes itself: template back, priorities as
/// found, the record rolled back with why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_rollback_past_the_limit_puts_everything_back() {
    let d = crate::support::demo().await;
    let found = priorities(&d).await;
    let before = pods(&d).await;
    let old = sidecar(&before["gss-2048-0"]);
    let new = with_tag(&old, "v2.0");
    for name in before.keys() {
        set_fail_reload(&d, name, Some("config does not parse")).await;
    }
    let run = d
        .okg(&[
            "rollout",
            SET,
            "--container",
            "sidecar",
            "--image",
            &new,
            "--stages",
            "1,100%",
            "--auto-rollback",
            "--wait",
            "--yes",
            "--timeout",
            "60s",
            "-o",
            "json",
            "--reload-exec",
            "/scripts/reload.sh",
        ])
        .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.json()["outcome"], "rolled-back", "{}", run.stdout);
    let r = record(&d).await.unwrap();
    assert_eq!(r.state, RolloutState::RolledBack, "{r:?}");
    assert!(r.message.as_deref().unwrap_or("").contains("past the limit of 0"), "{r:?}");
    let gss = Api::<GameServerSet>::namespaced(d.client(), NS).get(SET).await.unwrap();
    let template = gss.template_images().into_iter().find(|(c, _)| c == "sidecar").unwrap().1;
    assert_eq!(template, old);
    assert_eq!(gss.partition(), 0);
    assert_eq!(priorities(&d).await, found);
    let audit = std::fs::read_to_string(&d.audit).unwrap();
    assert!(audit.contains("rollout-undo"), "{audit}");
}

/// `o` then `p` and `y` in the console pause a running staged rollout: one audited patch of the
/// set (rollingUpdate.paused and the record), nothing before `y`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn o_p_y_in_the_console_pauses_a_running_rollout() {
    use crossterm::event::KeyCode;
    use okg_console::ops::bump::{self, RolloutStep, Step};
    use okg_console::tui::app::state::TableLine;
    let mut c = crate::support::Harness::start(false).await;
    c.ready().await;
    let client = c.demo.client().unwrap();
    let gss = Api::<GameServerSet>::namespaced(client.clone(), NS).get(SET).await.unwrap();
    let from = gss.template_images().into_iter().find(|(n, _)| n == "sidecar").unwrap().1;
    let record = RolloutRecord {
        stage_started: jiff::Timestamp::now().to_string(),
        ..two_stages(&from, &with_tag(&from, "v2.0"))
    };
    let step = Step::Rollout { set: SET.into(), step: Box::new(RolloutStep::Stage(record)) };
    let plan = bump::plan(&client, NS, &step).await.unwrap();
    let ctx = okg_console::ops::bump::OpsContext {
        client: client.clone(),
        writer: Some(okg_console::cluster::writer::Writer::new(client.clone())),
        namespace: NS.into(),
        context: "okg-demo".into(),
        audit: okg_console::ops::audit::AuditLog::new(c.audit.clone()),
        cancel: Default::default(),
        feed: Default::default(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    bump::apply(&ctx, &plan, &step, &tx).await.unwrap();
    let s = c.run_until("grey 1/2 running", Duration::from_secs(10)).await;
    assert!(s.contains("grey 1/2 running"), "{s}");
    let pos = c.state.position_of(&TableLine::Group((NS.into(), SET.into()))).unwrap();
    c.state.set_cursor_pos(pos);
    c.press(KeyCode::Char('o'));
    c.press(KeyCode::Char('p'));
    let s = c.run_until("Pause the rollout of gss-2048?", Duration::from_secs(5)).await;
    assert!(s.contains("rollingUpdate.paused = true"), "{s}");
    let before = c.demo.stats.client_mutations();
    c.run_until("never", Duration::from_millis(300)).await;
    assert_eq!(c.demo.stats.client_mutations(), before, "nothing before y");
    c.press(KeyCode::Char('y'));
    let s = c.run_until("paused the rollout of gss-2048", Duration::from_secs(10)).await;
    assert!(s.contains("(paused)"), "the timeline follows the record: {s}");
    let gss = Api::<GameServerSet>::namespaced(client, NS).get(SET).await.unwrap();
    assert!(gss.paused());
    assert_eq!(record_of(&gss).unwrap().1.unwrap().state, RolloutState::Paused);
    let audit = std::fs::read_to_string(&c.audit).unwrap();
    assert!(audit.contains("rollout-pause"), "{audit}");
    c.demo.shutdown().await;
}

/// `okg rollout undo` on a run at its first stage: template and partition back, the raised
/// priority back, the record rolled back; a second undo is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_puts_the_set_back_where_the_run_found_it() {
    let d = crate::support::demo().await;
    let found = priorities(&d).await;
    let old = sidecar(&pods(&d).await["gss-2048-0"]);
    let new = with_tag(&old, "v2.0");
    let start = ["rollout", SET, "--container", "sidecar", "--image", &new, "--stages", "1,100%"];
    let started = d.okg(&[&start[..], &["--yes"]].concat()).await;
    assert_eq!(started.code, 0, "{started:?}");
    assert_ne!(priorities(&d).await, found, "stage 1 raised a priority");
    let undo = d.okg(&["rollout", "undo", SET, "--yes", "--wait", "--timeout", "60s"]).await;
    assert_eq!(undo.code, 0, "{undo:?}");
    let gss = Api::<GameServerSet>::namespaced(d.client(), NS).get(SET).await.unwrap();
    assert_eq!(gss.template_images().into_iter().find(|(c, _)| c == "sidecar").unwrap().1, old);
    assert_eq!(gss.partition(), 0);
    assert_eq!(priorities(&d).await, found);
    assert_eq!(record(&d).await.unwrap().state, RolloutState::RolledBack);
    let again = d.okg(&["rollout", "undo", SET, "--yes"]).await;
    assert_eq!(again.code, 4, "{again:?}");
    assert!(again.stderr.contains("nothing to undo"), "{}", again.stderr);
}
