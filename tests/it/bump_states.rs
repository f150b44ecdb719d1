//! `okg bump --only-states` against the demo: exactly the servers in the chosen opsStates are
//! updated, in place; the others stay on the old image.
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use okg_domain::types::GameServer;

use crate::support::{NS, demo, sidecar, with_tag};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_chosen_states_are_updated_in_place() {
    let d = demo().await;
    let lp = ListParams::default().labels("game.kruise.io/owner-gss=gss-2048");
    let gs = Api::<GameServer>::namespaced(d.client(), NS).list(&lp).await.unwrap().items;
    let idle: Vec<String> = gs
        .iter()
        .filter(|g| g.ops_state() == "None")
        .map(|g| g.metadata.name.clone().unwrap())
        .collect();
    assert!(!idle.is_empty() && idle.len() < gs.len(), "the fixture mixes states: {idle:?}");
    let pods = Api::<Pod>::namespaced(d.client(), NS).list(&lp).await.unwrap().items;
    let image = sidecar;
    let old = image(&pods[0]);
    let new = with_tag(&old, "v2.0");
    let run = d
        .okg(&[
            "bump",
            "gss-2048",
            "--container",
            "sidecar",
            "--image",
            &new,
            "--only-states",
            "None",
            "--wait",
            "--yes",
            "--timeout",
            "60s",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.json();
    let mut judged: Vec<String> = doc["verdicts"].as_object().unwrap().keys().cloned().collect();
    judged.sort();
    let mut want = idle.clone();
    want.sort();
    assert_eq!(judged, want, "{doc:#}");
    assert!(doc["verdicts"].as_object().unwrap().values().all(|v| v["verdict"] == "inPlace"));
    let warning = doc["plan"]["warnings"][0].as_str().unwrap();
    assert!(warning.starts_with("only opsState None:"), "{warning}");
    let pods = Api::<Pod>::namespaced(d.client(), NS).list(&lp).await.unwrap().items;
    for p in &pods {
        let name = p.metadata.name.clone().unwrap();
        let want = if idle.contains(&name) { &new } else { &old };
        assert_eq!(&image(p), want, "{name}");
    }
}

/// The bump dialog's scope "only None": the plan says how it updates only the idle servers,
/// and after enter only they move to the new image.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dialog_scope_only_none_updates_the_idle_servers() {
    use crossterm::event::KeyCode;
    use okg_console::tui::app::state::TableLine;
    use std::time::Duration;
    let mut h = crate::support::Harness::start(false).await;
    h.ready().await;
    let client = h.demo.client().unwrap();
    let lp = ListParams::default().labels("game.kruise.io/owner-gss=gss-2048");
    let gs = Api::<GameServer>::namespaced(client.clone(), NS).list(&lp).await.unwrap().items;
    let idle: Vec<String> = gs
        .iter()
        .filter(|g| g.ops_state() == "None")
        .map(|g| g.metadata.name.clone().unwrap())
        .collect();
    let pos = h.state.position_of(&TableLine::Group((NS.into(), "gss-2048".into()))).unwrap();
    h.state.set_cursor_pos(pos);
    h.press(KeyCode::Char('b'));
    h.run_until("Bump gss-2048", Duration::from_secs(5)).await;
    for _ in 0.."v1.0".len() {
        h.press(KeyCode::Backspace);
    }
    h.type_text("v2.0");
    for k in [KeyCode::Down, KeyCode::Right, KeyCode::Right, KeyCode::Right] {
        h.press(k);
    }
    h.press(KeyCode::Enter);
    let s = h.run_until("only opsState None", Duration::from_secs(10)).await;
    assert!(s.contains("only opsState None:"), "the plan says which way and why: {s}");
    assert_eq!(h.demo.stats.client_mutations(), 0, "the pre-flight sends nothing");
    h.press(KeyCode::Enter);
    let mut s = String::new();
    for _ in 0..200 {
        s = h.run_until("every targeted pod has a verdict", Duration::from_millis(300)).await;
        if s.contains("every targeted pod has a verdict") {
            break;
        }
    }
    assert!(s.contains("every targeted pod has a verdict"), "{s}");
    let pods = Api::<Pod>::namespaced(client, NS).list(&lp).await.unwrap().items;
    for p in &pods {
        let name = p.metadata.name.clone().unwrap();
        assert_eq!(sidecar(p).ends_with(":v2.0"), idle.contains(&name), "{name}: {}", sidecar(p));
    }
    h.demo.shutdown().await;
}
