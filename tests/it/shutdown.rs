//! Quitting and signals: `q` asks while something runs, a stale watch shows on every group, and
//! SIGTERM to `okg reload -o json` still prints the report and completes the audit log.
use std::process::Stdio;
use std::time::Duration;

use super::support::{key, screen, type_text, writable_state as state};

use crossterm::event::KeyCode;
use okg_console::cluster::watch::WatchKind;
use okg_console::ops::audit::{self, AuditLog};
use okg_console::tui::app::msg::{ClusterEvent, Cmd, Intent, Msg};
use okg_console::tui::app::state::{State, TableLine};
use okg_demo::{DemoCluster, DemoOptions};

/// A reload of gss-2048 started from the dialog, then hidden with esc (it runs on).
fn reload_running() -> State {
    let mut s = state(120, 40);
    let pos = s.position_of(&TableLine::Group(("default".into(), "gss-2048".into()))).unwrap();
    s.set_cursor_pos(pos);
    key(&mut s, KeyCode::Char('r'));
    type_text(&mut s, "nginx -s reload");
    key(&mut s, KeyCode::Enter);
    let cmds = key(&mut s, KeyCode::Enter);
    assert!(matches!(&cmds[..], [Cmd::Intent(Intent::StartReload { .. })]), "{cmds:?}");
    key(&mut s, KeyCode::Esc);
    assert!(s.parked_reload().is_some(), "esc hides the running reload");
    s
}

#[test]
fn q_with_nothing_running_quits_at_once() {
    let mut s = state(120, 40);
    assert_eq!(key(&mut s, KeyCode::Char('q')), [Cmd::Quit]);
}

#[test]
fn q_with_a_reload_running_asks_first_and_names_it() {
    let mut s = reload_running();
    assert_eq!(key(&mut s, KeyCode::Char('q')), [], "no quit without an answer");
    let out = screen(&s, 120, 40);
    assert!(out.contains("Quit? Still running"), "{out}");
    assert!(out.contains("a reload of 6 pods (0 done)"), "{out}");
    assert!(out.contains("y cancel, record and quit") && out.contains("n stay"), "{out}");
    assert!(out.contains("every pod's outcome goes to the audit log"), "{out}");
    assert!(!out.contains("rollout"), "no rollout runs: {out}");
    // Other keys leave the question up; n closes it and the console stays.
    assert_eq!(key(&mut s, KeyCode::Char('j')), []);
    assert!(s.quit_confirm.is_some());
    assert_eq!(key(&mut s, KeyCode::Char('n')), []);
    assert!(s.quit_confirm.is_none() && !s.quit);
    assert!(!screen(&s, 120, 40).contains("Quit?"));
    // `:q` asks the same; y quits.
    key(&mut s, KeyCode::Char(':'));
    type_text(&mut s, "q");
    key(&mut s, KeyCode::Enter);
    assert!(s.quit_confirm.is_some(), ":q asks too");
    assert_eq!(key(&mut s, KeyCode::Char('y')), [Cmd::Quit]);
    assert!(s.quit);
}

#[test]
fn a_signal_quits_without_asking() {
    let mut s = reload_running();
    assert_eq!(s.update(Msg::Shutdown("SIGTERM".into())), [Cmd::Quit]);
}

#[test]
fn a_stale_watch_shows_on_the_title_and_every_group_until_fresh() {
    let mut s = state(120, 40);
    assert!(screen(&s, 120, 40).contains("● live"));
    let since: jiff::Timestamp = "2026-01-02T03:04:05Z".parse().unwrap();
    s.update(Msg::Cluster(ClusterEvent::Stale { watch: WatchKind::Pods, since }));
    let later: jiff::Timestamp = "2026-01-02T03:09:00Z".parse().unwrap();
    s.update(Msg::Cluster(ClusterEvent::Stale { watch: WatchKind::Sets, since: later }));
    let clock = since.to_zoned(jiff::tz::TimeZone::system()).strftime("%H:%M:%S").to_string();
    let words = format!("stale since {clock}");
    let out = screen(&s, 120, 40);
    assert!(!out.contains("● live"), "{out}");
    assert!(out.lines().next().unwrap().contains(&words), "the oldest time, in the title: {out}");
    let groups: Vec<&str> = out.lines().filter(|l| l.contains("ready ")).collect();
    assert_eq!(groups.len(), s.fleet.groups().len(), "{out}");
    assert!(groups.iter().all(|g| g.contains(&words)), "every group: {out}");
    s.update(Msg::Cluster(ClusterEvent::Fresh(WatchKind::Pods)));
    assert!(screen(&s, 120, 40).contains("stale since"), "the sets watch is still stale");
    s.update(Msg::Cluster(ClusterEvent::Fresh(WatchKind::Sets)));
    let out = screen(&s, 120, 40);
    assert!(out.contains("● live") && !out.contains("stale since"), "{out}");
}

/// `okg` with this demo's kubeconfig, audit log and log file, output piped, not waited for.
fn spawn_okg(
    dir: &std::path::Path,
    kubeconfig: &std::path::Path,
    args: &[&str],
) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_okg"))
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--audit-log")
        .arg(dir.join("audit.jsonl"))
        .arg("--log-file")
        .arg(dir.join("okg.log"))
        .args(args)
        .env("XDG_STATE_HOME", dir)
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Wait until the audit log holds `text`, then send SIGTERM; the output once it has exited.
async fn sigterm_once_audited(
    child: tokio::process::Child,
    audit: &std::path::Path,
    text: &str,
) -> std::process::Output {
    let pid = child.id().unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(audit).is_ok_and(|t| t.contains(text)) {
        assert!(tokio::time::Instant::now() < deadline, "never audited {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let kill = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    assert!(kill.unwrap().success());
    tokio::time::timeout(Duration::from_secs(15), child.wait_with_output())
        .await
        .expect("okg ends within a bounded time after SIGTERM")
        .unwrap()
}

/// The `-o json` report of a run SIGTERM ended: exit status 143, outcome "cancelled".
fn cancelled_report(out: &std::process::Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stdout} / {stderr}");
    let doc: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout} / {stderr}"));
    assert_eq!(doc["outcome"], "cancelled", "{doc:#}");
    doc
}

/// SIGTERM while `okg bump --wait -o json` follows the rollout: the follow stops, the JSON says
/// "cancelled" with the verdicts so far, the exit status is 143, and the patch is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_to_okg_bump_wait_prints_the_verdicts_so_far() {
    // Slow steps: the rollout is still going when the signal comes.
    let options = DemoOptions { tick: Duration::from_secs(3), ..Default::default() };
    let cluster = DemoCluster::start("127.0.0.1:0".parse().unwrap(), options).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig.json");
    std::fs::write(&kubeconfig, serde_json::to_string(&cluster.kubeconfig()).unwrap()).unwrap();
    let client = cluster.client().unwrap();
    let old = super::support::template_image(&client, "gss-2048", "sidecar").await;
    let new = super::support::with_tag(&old, "v2.0");
    let args = ["bump", "gss-2048", "--container", "sidecar", "--image", &new, "--wait", "--yes"];
    let child = spawn_okg(dir.path(), &kubeconfig, &[&args[..], &["-o", "json"]].concat());
    let audit_path = dir.path().join("audit.jsonl");
    let out = sigterm_once_audited(child, &audit_path, "\"bump\"").await;
    let doc = cancelled_report(&out);
    assert_eq!(doc["cancelled"], true);
    assert!(doc["verdicts"].as_object().is_some_and(|v| !v.is_empty()), "{doc:#}");
    let records = AuditLog::read_all(&audit_path).unwrap();
    assert!(records.iter().any(|r| r["action"] == "bump" && r["outcome"] == "ok"), "{records:#?}");
    assert_eq!(audit::unfinished(&records), Vec::<String>::new());
    cluster.shutdown().await;
}

/// SIGTERM in the middle of `okg reload -o json`: the JSON report is printed with every pod in
/// a final state, the exit status is 143, and the audit log has the run's outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_to_okg_reload_prints_the_report_and_completes_the_audit_log() {
    let options = DemoOptions {
        tick: Duration::from_millis(50),
        exec_latency: Duration::from_millis(1500),
        ..Default::default()
    };
    let cluster = DemoCluster::start("127.0.0.1:0".parse().unwrap(), options).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig.json");
    std::fs::write(&kubeconfig, serde_json::to_string(&cluster.kubeconfig()).unwrap()).unwrap();
    let audit_path = dir.path().join("audit.jsonl");
    let args = ["reload", "gss-2048", "--parallel", "2", "--yes", "-o", "json"];
    let child = spawn_okg(
        dir.path(),
        &kubeconfig,
        &[&args[..], &["--exec", "nginx", "-s", "reload"]].concat(),
    );
    // Signalled once the run has started (its first record is on disk) and the first pair runs.
    let out = sigterm_once_audited(child, &audit_path, "\"started\"").await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("SIGTERM: cancelling"), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout} / {stderr}"));
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 6, "{report:#}");
    let final_states = ["succeeded", "failed", "skipped", "cancelled"];
    for r in results {
        assert!(final_states.contains(&r["result"].as_str().unwrap_or("")), "{r}");
    }
    assert!(results.iter().any(|r| r["result"] == "cancelled"), "it was cut short: {report:#}");
    assert_eq!(report["summary"]["total"], 6);
    let records = AuditLog::read_all(&audit_path).unwrap();
    assert_eq!(records.len(), 2, "started and its outcome: {records:#?}");
    assert_eq!(audit::unfinished(&records), Vec::<String>::new());
    cluster.shutdown().await;
}

/// SIGTERM while `okg bump --canary` waits for OKG to copy its raised priority (it never does
/// here: no controller runs): the set is never patched, the raise is put back, both are
/// audited, and the JSON says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_to_a_canary_waiting_on_its_priorities_puts_them_back() {
    let d = super::bump_priorities::frozen_demo().await;
    let client = d.client();
    let before = super::bump_priorities::priorities(&client).await;
    let old = super::support::template_image(&client, "gss-2048", "sidecar").await;
    let new = super::support::with_tag(&old, "v2.0");
    let args = ["bump", "gss-2048", "--container", "sidecar", "--image", &new, "--canary", "1"];
    let child = spawn_okg(
        d.dir.path(),
        &d.kubeconfig,
        &[&args[..], &["--wait", "--yes", "-o", "json"]].concat(),
    );
    let audit_path = d.dir.path().join("audit.jsonl");
    let out = sigterm_once_audited(child, &audit_path, "\"bump-canary\"").await;
    let doc = cancelled_report(&out);
    let error = doc["error"].as_str().unwrap_or_default();
    assert!(error.contains("was put back"), "{doc:#}");
    assert!(error.contains("not sent: gameserverset/gss-2048"), "{doc:#}");
    let after = super::bump_priorities::priorities(&client).await;
    assert_eq!(after, before);
    assert_eq!(super::support::template_image(&client, "gss-2048", "sidecar").await, old);
    let records = AuditLog::read_all(&audit_path).unwrap();
    let actions: Vec<_> =
        records.iter().map(|r| (r["action"].clone(), r["outcome"].clone())).collect();
    assert_eq!(
        actions,
        [
            (serde_json::json!("bump-canary"), serde_json::json!("ok")),
            (serde_json::json!("restore-priorities"), serde_json::json!("ok"))
        ],
        "{records:#?}"
    );
    assert_eq!(audit::unfinished(&records), Vec::<String>::new());
    d.cluster.shutdown().await;
}

/// SIGTERM while `okg rollout undo --wait` follows the pods back: the follow stops with the
/// signal's status, the JSON says so, and the undo's patches are audited with their outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_to_rollout_undo_wait_stops_the_follow_and_says_so() {
    let options = DemoOptions { tick: Duration::from_secs(3), ..Default::default() };
    let cluster = DemoCluster::start("127.0.0.1:0".parse().unwrap(), options).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig.json");
    std::fs::write(&kubeconfig, serde_json::to_string(&cluster.kubeconfig()).unwrap()).unwrap();
    let client = cluster.client().unwrap();
    let old = super::support::template_image(&client, "gss-2048", "sidecar").await;
    let new = super::support::with_tag(&old, "v2.0");
    let start = ["rollout", "gss-2048", "--container", "sidecar", "--image", &new];
    let started = spawn_okg(
        dir.path(),
        &kubeconfig,
        &[&start[..], &["--stages", "1,100%", "--yes"]].concat(),
    )
    .wait_with_output()
    .await
    .unwrap();
    assert_eq!(started.status.code(), Some(0), "{started:?}");
    let undo = ["rollout", "undo", "gss-2048", "--wait", "--yes", "-o", "json"];
    let child = spawn_okg(dir.path(), &kubeconfig, &undo);
    let audit_path = dir.path().join("audit.jsonl");
    let out = sigterm_once_audited(child, &audit_path, "\"rollout-undo\"").await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(143), "{stdout}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["cancelled"], true, "{doc:#}");
    let records = AuditLog::read_all(&audit_path).unwrap();
    assert!(
        records.iter().any(|r| r["action"] == "rollout-undo" && r["outcome"] == "ok"),
        "{records:#?}"
    );
    assert_eq!(audit::unfinished(&records), Vec::<String>::new());
    cluster.shutdown().await;
}
