//! The demo cluster's initial objects.
use crate::demo::DemoOptions;

/// GameServerSets, GameServers and pods of a cluster that has been running for a while.
pub fn initial_objects(options: &DemoOptions) -> Vec<serde_json::Value> {
    let _ = options;
    Vec::new()
}
