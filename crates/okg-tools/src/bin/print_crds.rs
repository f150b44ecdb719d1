//! Print the OKG CustomResourceDefinitions generated from the console's own types
//! (`src/okg/types.rs`) as one JSON `v1 List`, which `kubectl apply -f -` reads.
//!
//! The e2e tier (scripts/e2e-real.sh) installs these into a real kube-apiserver, so the
//! schemas, printer columns and status subresource the console relies on are the ones the
//! real server validated, not a hand-written copy that could drift from the types.
//!
//! Usage: cargo run -p okg-tools --bin print_crds > crds.json
use kube::CustomResourceExt;
use okg_domain::types::{GameServer, GameServerSet};

fn main() {
    let list = serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        // The Advanced StatefulSet too: the simulated controller (real-sim) writes one per set.
        "items": [GameServerSet::crd(), GameServer::crd(), okg_demo::cluster::advanced_statefulset_crd()],
    });
    println!("{}", serde_json::to_string_pretty(&list).expect("CRDs serialise"));
}
