//! Watches: 410 Gone from a too old resourceVersion, and the console's watchers across a
//! kube-apiserver restart.
use std::time::{Duration, Instant};

use crate::support::*;
use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, WatchEvent, WatchParams};
use okg_console::cluster::writer::Writer;
use okg_domain::types::GameServer;
use serde_json::json;

/// A watch from a resourceVersion the server no longer has is answered 410 Gone, which is what
/// makes a watcher re-list.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn watch_from_a_too_old_resource_version_is_410_gone() {
    let Some(env) = env_or_skip("watch_from_a_too_old_resource_version_is_410_gone") else {
        return;
    };
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-410").await;
    create_fleet(&admin, &ns, "gss-old", 1).await;
    let api: Api<GameServer> = Api::namespaced(admin.clone(), &ns);
    let first = tokio::time::timeout(Duration::from_secs(20), async {
        match api.watch(&WatchParams::default().timeout(10), "1").await {
            Err(e) => Err(e),
            Ok(stream) => Ok(stream.boxed().try_next().await),
        }
    })
    .await
    .expect("the server answers the watch");
    let code = match first {
        Err(kube::Error::Api(s)) => s.code,
        Ok(Ok(Some(WatchEvent::Error(e)))) => e.code,
        other => panic!("expected 410 Gone, got {other:?}"),
    };
    assert_eq!(code, 410);
}

/// The console's watchers (cluster::watch::spawn_fleet, what the TUI runs) keep working across
/// a kube-apiserver restart: the streams break, the watchers back off and resume (or re-list
/// after 410), and a change made after the restart arrives as a message.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn watchers_recover_after_kube_apiserver_restarts_mid_watch() {
    use okg_console::tui::app::msg::{ClusterEvent, Msg};
    let Some(env) = env_or_skip("watchers_recover_after_kube_apiserver_restarts_mid_watch") else {
        return;
    };
    let restart = env.restart_apiserver.clone().expect("OKG_E2E_RESTART_APISERVER");
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-restart").await;
    create_fleet(&admin, &ns, "gss-watch", 3).await;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let watches =
        okg_console::cluster::watch::spawn_fleet(&admin, Some(&ns), tx, &Default::default());
    // Lines per message, enough to match on. A re-list reports every object it carries too: a
    // change made while the watch was down arrives in the re-list, not as an update.
    let describe = |m: Msg| -> Vec<String> {
        let gs_line =
            |g: &okg_domain::fleet::GsEntry| format!("gs {} {}", g.key.name, g.info.ops_state());
        let pod_line = |p: &okg_domain::fleet::PodInfo| {
            let ops = p.labels.get("game.kruise.io/gs-opsState").unwrap_or_default().to_string();
            format!("pod {} {ops}", p.key.name)
        };
        match m {
            Msg::Cluster(ClusterEvent::GameServerApplied(g)) => vec![gs_line(&g)],
            Msg::Cluster(ClusterEvent::PodApplied(p)) => vec![pod_line(&p)],
            // A (re)list comes as pages, then the synced event names what it had.
            Msg::Cluster(ClusterEvent::GameServersPage(v)) => {
                v.iter().map(|g| format!("{} (in re-list)", gs_line(g))).collect()
            }
            Msg::Cluster(ClusterEvent::PodsPage(v)) => {
                v.iter().map(|p| format!("{} (in re-list)", pod_line(p))).collect()
            }
            Msg::Cluster(ClusterEvent::SetsPage(_)) => vec!["sets page".into()],
            Msg::Cluster(ClusterEvent::SetsSynced(k)) => vec![format!("sets replaced {}", k.len())],
            Msg::Cluster(ClusterEvent::GameServersSynced(k)) => {
                vec![format!("gs replaced {}", k.len())]
            }
            Msg::Cluster(ClusterEvent::PodsSynced(k)) => vec![format!("pods replaced {}", k.len())],
            Msg::Cluster(ClusterEvent::WatchError(e)) => vec![format!("error: {e}")],
            Msg::Cluster(ClusterEvent::SetApplied(_)) => vec!["set applied".into()],
            Msg::Cluster(_) => vec!["deleted".into()],
            _ => vec!["other".into()],
        }
    };
    let mut log: Vec<String> = Vec::new();
    let mut wait_for = async |want: &[&str], timeout: Duration, log: &mut Vec<String>| {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut seen = vec![false; want.len()];
        while !seen.iter().all(|s| *s) {
            let m = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {want:?}; messages: {log:#?}"))
                .expect("watch tasks alive");
            for line in describe(m) {
                for (i, w) in want.iter().enumerate() {
                    if line.trim_end_matches(" (in re-list)") == *w {
                        seen[i] = true;
                    }
                }
                log.push(line);
            }
        }
    };
    wait_for(
        &["sets replaced 1", "gs replaced 3", "pods replaced 3"],
        Duration::from_secs(30),
        &mut log,
    )
    .await;
    let before_restart = log.len();

    let started = Instant::now();
    let out = tokio::process::Command::new(&restart).output().await.expect("run restart script");
    assert!(out.status.success(), "restart failed: {}", String::from_utf8_lossy(&out.stderr));
    let restart_took = started.elapsed();

    // A change made after the restart; OKG's double mirrors it into the pod's label.
    let writer = Writer::new(admin.clone());
    let patch =
        json_patch(json!([{"op": "replace", "path": "/spec/opsState", "value": "Maintaining"}]));
    writer.patch_game_server(&ns, "gss-watch-1", patch).await.expect("patch after restart");
    wait_for(
        &["gs gss-watch-1 Maintaining", "pod gss-watch-1 Maintaining"],
        Duration::from_secs(90),
        &mut log,
    )
    .await;
    drop(watches);

    let after: Vec<&String> = log[before_restart..].iter().collect();
    let errors = after.iter().filter(|s| s.starts_with("error")).count();
    let relisted = after.iter().any(|s| s.contains("replaced"));
    let after: Vec<&&String> = after.iter().filter(|s| !s.contains("(in re-list)")).collect();
    loud(&format!(
        "e2e: kube-apiserver restart took {restart_took:.1?}; after it the console's watchers sent \
         {} messages, {errors} watch errors, {} (messages: {after:?})",
        after.len(),
        if relisted {
            "and re-listed (410 Gone on resume)"
        } else {
            "and resumed without re-listing"
        },
    ));
}

/// On this kube-apiserver (1.37: WatchList on) the console's fleet watches get their first
/// lists streamed in the watch: the audit log shows a `sendInitialEvents=true` watch for each
/// kind and no list of the namespace's GameServers or pods.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn the_consoles_first_lists_are_streamed_by_the_real_api_server() {
    use okg_console::tui::app::msg::{ClusterEvent, Msg};
    let Some(env) = env_or_skip("the_consoles_first_lists_are_streamed_by_the_real_api_server")
    else {
        return;
    };
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-stream").await;
    create_fleet(&admin, &ns, "gss-stream", 3).await;
    // create_fleet reads the fleet too: only what comes after this is the console's.
    let since = jiff::Timestamp::now();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let _watches =
        okg_console::cluster::watch::spawn_fleet(&admin, Some(&ns), tx, &Default::default());
    let mut synced = 0;
    while synced < 3 {
        let msg = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("three lists within 30 s")
            .expect("the watches run");
        match msg {
            Msg::Cluster(
                ClusterEvent::SetsSynced(_)
                | ClusterEvent::GameServersSynced(_)
                | ClusterEvent::PodsSynced(_),
            ) => synced += 1,
            Msg::Cluster(ClusterEvent::WatchError(e)) => panic!("watch error: {e}"),
            _ => {}
        }
    }
    let in_ns = |e: &&serde_json::Value| e["objectRef"]["namespace"] == ns.as_str();
    let events = audit_events(&env);
    let ours: Vec<&serde_json::Value> = events
        .iter()
        .filter(in_ns)
        .filter(|e| e["user"]["username"] == ADMIN)
        .filter(|e| e["stage"] == "ResponseStarted" || e["stage"] == "ResponseComplete")
        .filter(|e| {
            e["requestReceivedTimestamp"].as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok())
                >= Some(since)
        })
        .collect();
    for resource in ["gameserversets", "gameservers", "pods"] {
        let of = |verb: &str| {
            ours.iter()
                .filter(|e| e["objectRef"]["resource"] == resource && e["verb"] == verb)
                .map(|e| e["requestURI"].as_str().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        };
        let watches = of("watch");
        assert!(
            watches.iter().any(|u| u.contains("sendInitialEvents=true")),
            "{resource}: no streaming watch among {watches:?}"
        );
        // Not counted: the liveness question (a list of one), should one come this soon.
        let lists: Vec<String> =
            of("list").into_iter().filter(|u| !u.contains("limit=1&")).collect();
        assert!(lists.is_empty(), "{resource}: the console listed: {lists:?}");
    }
}
