//! In place keeps where players connect (issue 11 item 11): the GameServer's external address.
use super::tests::{gs, pod, updated_in_place, v};
use super::*;

fn with_external(mut g: GameServer, ip: &str, port: i64) -> GameServer {
    let status = g.status.as_mut().unwrap();
    status.network_status = Some(crate::types::NetworkStatus {
        current_network_state: Some("Ready".into()),
        internal_addresses: vec![],
        external_addresses: vec![
            serde_json::json!({"ip": ip, "ports": [{"name": "game", "port": port}]}),
        ],
    });
    g
}

#[test]
fn an_in_place_update_that_changed_the_external_address_failed() {
    let p = pod("p");
    let before = with_external(gs("Ready"), "203.0.113.11", 8002);
    let base = Baseline::of(&p, std::slice::from_ref(&before)).unwrap();
    assert_eq!(base.external, ["203.0.113.11:8002"]);
    let after = updated_in_place(&p);
    let ctx = Context::default();
    assert_eq!(v(&base, Some(&after), Some(&before), &ctx), Verdict::InPlace);
    let moved = with_external(gs("Ready"), "203.0.113.12", 8002);
    let got = v(&base, Some(&after), Some(&moved), &ctx);
    let want = "external address changed (203.0.113.11:8002 → 203.0.113.12:8002)";
    assert_eq!(got, Verdict::Failed(FailReason::Moved(want.into())));
    // A port counts too; no address reported for a moment is not done yet, not a failure.
    let port = with_external(gs("Ready"), "203.0.113.11", 8003);
    assert!(matches!(v(&base, Some(&after), Some(&port), &ctx), Verdict::Failed(_)));
    assert_eq!(v(&base, Some(&after), Some(&gs("Ready")), &ctx), Verdict::Updating);
}
