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
