//! kruise-game's service qualities: probes on a container whose actions rewrite the GameServer's
//! spec (`opsState`, priorities, `networkDisabled`, containers) when the probe answers a given
//! state or result (`syncServiceQualities` in kruise-game
//! `pkg/controllers/gameserver/gameserver_manager.go`, types in `apis/v1alpha1`
//! `ServiceQuality` / `ServiceQualityAction` / `ServiceQualityCondition`). In the middle of an
//! update such an action can change what the plan counted on.
use serde_json::Value;

use crate::types::{GameServer, GameServerSet};

/// The spec fields an action of kruise-game's `ServiceQualityAction` (an inline GameServerSpec)
/// sets, in the order they matter during an update.
const SPEC_FIELDS: [&str; 5] =
    ["opsState", "updatePriority", "deletionPriority", "networkDisabled", "containers"];

/// One line per service quality of the set whose actions rewrite GameServer fields.
pub fn update_warnings(gss: &GameServerSet) -> Vec<String> {
    gss.spec
        .service_qualities
        .iter()
        .filter_map(|q| {
            let name = q["name"].as_str().unwrap_or("?");
            let actions = q["serviceQualityAction"].as_array()?;
            let mut fields: Vec<&str> = Vec::new();
            for a in actions {
                for f in SPEC_FIELDS.iter().filter(|f| !a[**f].is_null()) {
                    if !fields.contains(f) {
                        fields.push(f);
                    }
                }
            }
            (!fields.is_empty()).then(|| {
                format!(
                    "service quality {name} rewrites {} on GameServers when its probe answers: during the update kruise-game can change them under this plan (a raised updatePriority, the opsStates it counted)",
                    fields.join(", ")
                )
            })
        })
        .collect()
}

/// The GameServer's `serviceQualitiesConditions` as `name=status (result)` lines.
pub fn conditions(gs: &GameServer) -> Vec<String> {
    let list = gs.status.iter().flat_map(|s| s.service_qualities_conditions.iter());
    list.map(|c| {
        let text = |k: &str| c[k].as_str().unwrap_or_default();
        let mut line = format!("{}={}", text("name"), text("status"));
        if !text("result").is_empty() {
            line.push_str(&format!(" ({})", text("result")));
        }
        line
    })
    .collect()
}

/// kruise-game's GameServer `conditions` as `Type=Status reason: message` lines.
pub fn gs_conditions(gs: &GameServer) -> Vec<String> {
    let list = gs.status.iter().flat_map(|s| s.conditions.iter());
    list.map(|c| {
        let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default();
        let mut line = format!("{}={}", text("type"), text("status"));
        if !text("reason").is_empty() {
            line.push_str(&format!(" {}", text("reason")));
        }
        if !text("message").is_empty() {
            line.push_str(&format!(": {}", text("message")));
        }
        line
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn actions_that_rewrite_the_spec_are_named() {
        let gss: GameServerSet = serde_json::from_value(json!({
            "apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServerSet",
            "metadata": {"name": "g"},
            "spec": {"gameServerTemplate": {"spec": {"containers": []}}, "serviceQualities": [
                {"name": "idle", "containerName": "game", "permanent": false,
                 "serviceQualityAction": [
                    {"state": true, "opsState": "WaitToBeDeleted"},
                    {"state": false, "result": "busy", "updatePriority": 10, "opsState": "None"}]},
                {"name": "label-only", "serviceQualityAction": [{"state": true, "labels": {"a": "b"}}]}
            ]}
        }))
        .unwrap();
        let w = update_warnings(&gss);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("service quality idle rewrites opsState, updatePriority on"));
    }

    #[test]
    fn conditions_read_as_lines() {
        let gs: GameServer = serde_json::from_value(json!({
            "apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServer",
            "metadata": {"name": "g-0"}, "spec": {},
            "status": {
                "serviceQualitiesConditions": [{"name": "idle", "status": "true", "result": "0 players"}],
                "conditions": [{"type": "PodNormal", "status": "True"},
                               {"type": "NodeNormal", "status": "False", "reason": "NodeNotReady", "message": "kubelet stopped"}]
            }
        }))
        .unwrap();
        assert_eq!(conditions(&gs), ["idle=true (0 players)"]);
        assert_eq!(
            gs_conditions(&gs),
            ["PodNormal=True", "NodeNormal=False NodeNotReady: kubelet stopped"]
        );
    }
}
