//! The YAML (`y`) and describe (`d`) screen against the demo, through the real loop: the
//! object read fresh by the I/O shell, `tab` to the pod, and the Advanced StatefulSet's
//! in-place event on a pod's describe page after a bump.
use std::time::Duration;

use crossterm::event::KeyCode;
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams, Patch, PatchParams};
use okg_console::tui::app::Overlay;
use okg_console::tui::screens::object::state::ObjectScreen;
use okg_domain::types::{GameServer, GameServerSet};
use serde_json::json;

use crate::support::Harness;

fn screen(h: &Harness) -> &ObjectScreen {
    match h.state.overlays.last() {
        Some(Overlay::Object(o)) => o,
        _ => panic!("no object screen on top"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn y_reads_the_gameserver_without_managed_fields_and_tab_shows_its_pod() {
    // Read-only: a GET is a read.
    let mut h = Harness::start(true).await;
    h.run_until("gss-2048-5", Duration::from_secs(15)).await;
    // The demo keeps what it is sent: give the GameServer the bookkeeping a real server writes.
    let client = h.demo.client().unwrap();
    let gss: Api<GameServer> = Api::default_namespaced(client.clone());
    let managed = json!({"metadata": {"managedFields": [{"manager": "kube-controller-xyz"}]}});
    gss.patch("gss-2048-0", &PatchParams::default(), &Patch::Merge(&managed)).await.unwrap();
    let writes = h.demo.stats.client_mutations();
    // The cursor starts on gss-2048-0.
    h.press(KeyCode::Char('y'));
    let s = h.run_until("currentState", Duration::from_secs(10)).await;
    assert!(s.contains("YAML of GameServer default/gss-2048-0"), "{s}");
    assert!(s.contains("name: gss-2048-0") && s.contains("kind: GameServer"), "{s}");
    let text = screen(&h).text();
    assert!(!text.contains("managedFields") && !text.contains("kube-controller-xyz"), "{text}");

    h.press(KeyCode::Tab);
    let s = h.run_until("kind: Pod", Duration::from_secs(10)).await;
    assert!(s.contains("YAML of Pod default/gss-2048-0 (tab: GameServer)"), "{s}");
    h.press(KeyCode::Tab);
    let s = h.run_until("kind: GameServer", Duration::from_secs(10)).await;
    assert!(s.contains("YAML of GameServer"), "{s}");

    h.press(KeyCode::Esc);
    h.run_until("gss-2048-5", Duration::from_secs(5)).await;
    assert!(h.state.overlays.is_empty());
    assert_eq!(h.state.cursor_key().map(|k| k.name.as_str()), Some("gss-2048-0"), "same row");

    // On the set's header: the GameServerSet; tab shows its Advanced StatefulSet, which the
    // demo serves as OpenKruise writes it (updateRevision in its status).
    h.press(KeyCode::Home);
    h.press(KeyCode::Char('y'));
    let s = h.run_until("kind: GameServerSet", Duration::from_secs(10)).await;
    assert!(
        s.contains("YAML of GameServerSet default/gss-2048 (tab: Advanced StatefulSet)"),
        "{s}"
    );
    h.press(KeyCode::Tab);
    let s = h.run_until("kind: StatefulSet", Duration::from_secs(10)).await;
    assert!(s.contains("apiVersion: apps.kruise.io/v1beta1"), "{s}");
    h.press(KeyCode::Char('q'));
    h.run_until("gss-2048-5", Duration::from_secs(5)).await;
    assert!(h.state.overlays.is_empty());
    assert_eq!(h.demo.stats.client_mutations(), writes, "the console wrote nothing");
    h.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d_on_a_pod_shows_the_advanced_statefulsets_in_place_event_after_a_bump() {
    let mut h = Harness::start(true).await;
    h.run_until("gss-2048-5", Duration::from_secs(15)).await;
    let client = h.demo.client().unwrap();
    let sets: Api<GameServerSet> = Api::default_namespaced(client.clone());
    let bump = json!([{"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image",
                       "value": "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0"}]);
    let patch: json_patch::Patch = serde_json::from_value(bump).unwrap();
    sets.patch("gss-2048", &PatchParams::default(), &Patch::<()>::Json(patch)).await.unwrap();
    // Until OpenKruise (the demo) has recorded the in-place update of gss-2048-0 on the set.
    let events: Api<Event> = Api::default_namespaced(client.clone());
    let mut recorded = false;
    for _ in 0..150 {
        let l = events.list(&ListParams::default()).await.unwrap();
        recorded = l.items.iter().any(|e| {
            e.reason.as_deref() == Some("SuccessfulUpdatePodInPlace")
                && e.message.as_deref().is_some_and(|m| m.contains("pod gss-2048-0 "))
        });
        if recorded {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(recorded, "the demo recorded no in-place update of gss-2048-0");

    h.press(KeyCode::Char('d'));
    h.run_until("Events:", Duration::from_secs(10)).await;
    h.press(KeyCode::Tab); // the Pod's page
    h.run_until("Containers:", Duration::from_secs(10)).await;
    let text = screen(&h).text();
    assert!(
        text.contains("on Advanced StatefulSet default/gss-2048 (those naming gss-2048-0):"),
        "{text}"
    );
    assert!(text.contains("SuccessfulUpdatePodInPlace"), "{text}");
    assert!(text.contains("successfully update pod gss-2048-0 in-place"), "{text}");
    assert!(!text.contains("pod gss-2048-1 in-place"), "another pod's event: {text}");
    // The search finds it, and the screen shows where.
    h.press(KeyCode::Char('/'));
    h.type_text("inplace");
    h.press(KeyCode::Enter);
    // The first is the pod's inplace-update-state annotation; `n` goes on to the event.
    let s = h.run_until("/inplace: 1/2 matches", Duration::from_secs(5)).await;
    assert!(s.contains("/inplace: 1/2 matches"), "{s}");
    h.press(KeyCode::Char('n'));
    let s = h.run_until("/inplace: 2/2 matches", Duration::from_secs(5)).await;
    assert!(s.contains("/inplace: 2/2 matches") && s.contains("SuccessfulUpdatePodInPlace"), "{s}");
    h.demo.shutdown().await;
}
