//! The generated CRDs on a real server: accepted, OKG's printer columns, the status subresource.

use crate::support::*;
use kube::api::{Api, Patch, PatchParams};
use okg_domain::types::GameServer;
use serde_json::json;

/// The CRDs generated from crates/okg-domain/src/types.rs were accepted by a real server (structural schema),
/// print the columns `kubectl get gss/gs` shows for OKG, and have the status subresource.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn crds_print_okg_columns_and_have_a_status_subresource() {
    let Some(env) = env_or_skip("crds_print_okg_columns_and_have_a_status_subresource") else {
        return;
    };
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-crd").await;
    create_fleet(&admin, &ns, "gss-cols", 2).await;

    // kubectl upper-cases column names; compare them as it prints them.
    let gss = kubectl(&env.admin_kubeconfig, &["get", "gss", "-n", &ns]);
    let header: Vec<&str> = gss.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "NAME",
            "DESIRED",
            "CURRENT",
            "UPDATED",
            "READY",
            "MAINTAINING",
            "WAITTOBEDELETED",
            "PREDELETE",
            "AGE"
        ]
    );
    let row: Vec<&str> = gss.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&row[..8], ["gss-cols", "2", "2", "2", "2", "0", "0", "0"]);

    let gs = kubectl(&env.admin_kubeconfig, &["get", "gs", "-n", &ns]);
    let header: Vec<&str> = gs.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "STATE", "OPSSTATE", "DP", "UP", "AGE"]);
    let row: Vec<&str> = gs.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&row[..5], ["gss-cols-0", "Ready", "None", "0", "0"]);

    // With the status subresource, a write to the main resource ignores .status.
    let gs_api: Api<GameServer> = Api::namespaced(admin.clone(), &ns);
    let patch = json_patch(json!([
        {"op": "replace", "path": "/status/currentState", "value": "Crash"},
        {"op": "replace", "path": "/spec/opsState", "value": "Maintaining"}
    ]));
    let after = gs_api
        .patch("gss-cols-0", &PatchParams::default(), &Patch::<()>::Json(patch))
        .await
        .unwrap();
    assert_eq!(after.ops_state(), "Maintaining");
    assert_eq!(after.current_state(), "Ready", "status must only change through /status");
}
