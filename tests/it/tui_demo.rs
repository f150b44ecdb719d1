//! The console's event loop against the demo cluster, without a terminal: real watches over
//! HTTP, the real `update` and drawing into a TestBackend.
use std::time::Duration;

use crossterm::event::KeyCode;
use okg_demo::{DemoCluster, DemoOptions};

use crate::support::Harness;

fn row<'a>(screen: &'a str, name: &str) -> &'a str {
    screen.lines().find(|l| l.contains(&format!(" {name} "))).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_in_the_cluster_shows_up_on_screen() {
    let mut h = Harness::start(false).await;
    let screen = h.run_until("gss-2048-3", Duration::from_secs(10)).await;
    assert!(row(&screen, "gss-2048-3").contains("None"), "{screen}");

    // An operator elsewhere sets opsState with kubectl; the watch brings it to the screen.
    let api: kube::Api<okg_domain::types::GameServer> =
        kube::Api::namespaced(h.demo.client().unwrap(), "default");
    let patch =
        serde_json::json!([{"op": "add", "path": "/spec/opsState", "value": "Maintaining"}]);
    let patch: json_patch::Patch = serde_json::from_value(patch).unwrap();
    api.patch("gss-2048-3", &Default::default(), &kube::api::Patch::<()>::Json(patch))
        .await
        .unwrap();

    let mut screen = String::new();
    for _ in 0..50 {
        screen = h.run_until("Maintaining", Duration::from_millis(200)).await;
        if row(&screen, "gss-2048-3").contains("Maintaining") {
            break;
        }
    }
    assert!(row(&screen, "gss-2048-3").contains("Maintaining"), "{screen}");
    h.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_sends_no_mutation_whatever_the_keys() {
    let mut h = Harness::start(true).await;
    let screen = h.run_until("gss-2048-0", Duration::from_secs(10)).await;
    assert!(screen.lines().next().unwrap().contains("READ-ONLY"), "{screen}");
    use KeyCode::*;
    let keys = [
        Char(' '),
        Char('a'),
        Char('g'),
        Char('V'),
        Down,
        Char('V'),
        Char('*'),
        Char('b'),
        Char('r'),
        Enter,
        Char('b'),
        Esc,
        Char('/'),
        Char('a'),
        Enter,
        Char('b'),
        Char('r'),
        Char('x'),
        Char('l'),
        Char('a'),
        Char('='),
        Char('b'),
        Enter,
        Esc,
        Tab,
        Char('Z'),
        Char('Z'),
        Char('?'),
        Esc,
        Char(':'),
        Char('n'),
        Char('s'),
        Char(' '),
        Char('d'),
        Char('e'),
        Char('f'),
        Char('a'),
        Char('u'),
        Char('l'),
        Char('t'),
        Enter,
        Char('b'),
        Char('r'),
    ];
    for k in keys {
        h.press(k);
    }
    let screen = h.run_until("reload unavailable", Duration::from_secs(5)).await;
    assert!(screen.contains("reload unavailable: read-only"), "{screen}");
    assert_eq!(h.demo.stats.client_mutations(), 0);
    h.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_lists_the_joined_fleet_once() {
    use okg_console::commands::status;
    let options = DemoOptions { tick: Duration::from_millis(100), ..Default::default() };
    let demo = DemoCluster::start("127.0.0.1:0".parse().unwrap(), options).await.unwrap();
    let client = demo.client().unwrap();
    let status::Listing { groups, written } =
        status::list(&client, Some("default"), None).await.unwrap();
    let names: Vec<&str> = groups.iter().map(|(h, _)| h.name.as_str()).collect();
    assert_eq!(names, ["gss-2048", "gss-battle"]);
    assert!(groups[0].1.iter().all(|r| r.has_pod && r.ip.is_some()));
    let selected =
        status::list(&client, Some("default"), Some("game.kruise.io/owner-gss=gss-battle"))
            .await
            .unwrap();
    let rows: usize = selected.groups.iter().map(|(_, r)| r.len()).sum();
    assert_eq!(rows, 4);
    let doc = serde_json::to_value(status::document(
        "okg-demo",
        Some("default"),
        &groups,
        &written,
        jiff::Timestamp::now(),
    ))
    .unwrap();
    assert_eq!(doc["sets"][0]["gameServers"].as_array().unwrap().len(), 6);
    // The network status whole, with the fields the console's typed view does not keep.
    let gs0 = &doc["sets"][0]["gameServers"][0];
    assert_eq!(gs0["networkStatus"]["networkType"], "Kubernetes-HostPort", "{gs0}");
    assert_eq!(gs0["networkStatus"]["desiredNetworkState"], "Ready");
    assert!(gs0["conditions"].is_array() && gs0["serviceQualitiesConditions"].is_array());
    assert_eq!(demo.stats.client_mutations(), 0);
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_context_switch_leaves_the_current_context_live() {
    let mut h = Harness::start_with(false, true).await;
    h.ready().await;
    let context = h.state.context.clone();
    h.press(KeyCode::Char(':'));
    h.type_text("ctx nosuch");
    h.press(KeyCode::Enter);
    let screen = h.run_until("cannot switch to nosuch", Duration::from_secs(10)).await;
    assert!(screen.contains("cannot switch to nosuch"), "{screen}");
    assert_eq!(h.state.context, context);
    assert!(h.state.switching.is_none());
    assert!(row(&screen, "gss-2048-3").contains("None"), "the fleet stays on screen: {screen}");

    // Still live: a change made elsewhere shows up.
    let api: kube::Api<okg_domain::types::GameServer> =
        kube::Api::namespaced(h.demo.client().unwrap(), "default");
    let patch =
        serde_json::json!([{"op": "add", "path": "/spec/opsState", "value": "Maintaining"}]);
    let patch: json_patch::Patch = serde_json::from_value(patch).unwrap();
    api.patch("gss-2048-3", &Default::default(), &kube::api::Patch::<()>::Json(patch))
        .await
        .unwrap();
    let mut screen = String::new();
    for _ in 0..50 {
        screen = h.run_until("Maintaining", Duration::from_millis(200)).await;
        if row(&screen, "gss-2048-3").contains("Maintaining") {
            break;
        }
    }
    assert!(row(&screen, "gss-2048-3").contains("Maintaining"), "{screen}");
    h.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_set_header_carries_the_advanced_statefulsets_update_revision() {
    let mut h = Harness::start(false).await;
    h.ready().await;
    let key = ("default".to_string(), "gss-2048".to_string());
    for _ in 0..50 {
        if h.state.asts.contains_key(&key) {
            break;
        }
        h.run_until("no such text", Duration::from_millis(200)).await;
    }
    // At 120 columns the settled revision gives way to the images; wider, it is shown.
    let screen = crate::support::screen(&h.state, 160, 40);
    let header = screen.lines().find(|l| l.contains("gss-2048 ")).unwrap_or_default();
    let known = &h.state.asts[&key];
    let rev = known.update_revision.as_deref().unwrap();
    let short = rev.rsplit('-').next().unwrap();
    assert!(header.contains(&format!("· rev {short}")), "{header}\n{screen}");
    assert_eq!(h.demo.stats.client_mutations(), 0, "a watch: nothing written");
    h.demo.shutdown().await;
}
