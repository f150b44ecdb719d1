//! What re-creating pods does to their GameServers. Under the default `reclaimPolicy` (empty or
//! `Cascade`) a GameServer is owned by its pod: when the pod is re-created the garbage collector
//! deletes the GameServer and kruise-game makes it again from defaults (opsState None, priorities
//! 0, no `spec.containers`: `initGameServerByPod`, `InitGameServer` in kruise-game v1.0.0). With
//! `Delete` the GameServer stays. An operator about to re-create pods must see what is lost.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::types::{GameServer, GameServerSet};

/// The GameServers of the re-created pods and what of theirs does not survive.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GameServerResets {
    /// `gameServerTemplate.reclaimPolicy` as the set has it; `Cascade` when unset.
    pub reclaim_policy: String,
    /// True when the GameServers are re-made with defaults (Cascade); false when kept (Delete).
    pub reset: bool,
    /// GameServers with opsState Allocated (players on them).
    pub allocated: Vec<String>,
    /// GameServers with opsState Maintaining.
    pub maintaining: Vec<String>,
    /// GameServers with another opsState than None (e.g. WaitToBeDeleted).
    pub other_ops_state: Vec<String>,
    /// GameServers with a non-zero updatePriority or deletionPriority.
    pub priorities: Vec<String>,
    /// GameServers with a `spec.containers` override.
    pub overrides: Vec<String>,
}

impl GameServerResets {
    /// For the GameServers named by `targets` (the pods that will be re-created).
    pub fn of(
        gss: &GameServerSet,
        gameservers: &BTreeMap<String, &GameServer>,
        targets: &[String],
    ) -> Self {
        let policy = gss
            .spec
            .game_server_template
            .reclaim_policy
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "Cascade".into());
        let mut r = GameServerResets {
            reset: policy != "Delete",
            reclaim_policy: policy,
            ..Default::default()
        };
        for gs in targets.iter().filter_map(|t| gameservers.get(t)) {
            let name = gs.metadata.name.clone().unwrap_or_default();
            match gs.ops_state() {
                "None" | "" => {}
                "Allocated" => r.allocated.push(name.clone()),
                "Maintaining" => r.maintaining.push(name.clone()),
                _ => r.other_ops_state.push(name.clone()),
            }
            if gs.update_priority() != 0 || gs.deletion_priority() != 0 {
                r.priorities.push(name.clone());
            }
            if gs.spec.containers.as_ref().is_some_and(|c| !c.is_empty()) {
                r.overrides.push(name);
            }
        }
        r
    }

    /// Anything set by hand that re-creation would throw away.
    pub fn loses_anything(&self) -> bool {
        self.reset
            && !(self.allocated.is_empty()
                && self.maintaining.is_empty()
                && self.other_ops_state.is_empty()
                && self.priorities.is_empty()
                && self.overrides.is_empty())
    }
}

/// `3 Allocated (a, b, c)`, or nothing when the list is empty.
fn counted(what: &str, names: &[String]) -> Option<String> {
    const SHOWN: usize = 3;
    if names.is_empty() {
        return None;
    }
    let mut shown = names.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        shown.push_str(&format!(", +{} more", names.len() - SHOWN));
    }
    Some(format!("{} {what} ({shown})", names.len()))
}

impl fmt::Display for GameServerResets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.reset {
            return write!(
                f,
                "reclaimPolicy {}: the GameServers are kept (opsState, priorities and spec.containers survive the re-creation)",
                self.reclaim_policy
            );
        }
        let lost = if self.loses_anything() {
            let what: Vec<String> = [
                counted("Allocated", &self.allocated),
                counted("Maintaining", &self.maintaining),
                counted("with another opsState", &self.other_ops_state),
                counted("with priorities", &self.priorities),
                counted("with a spec.containers override", &self.overrides),
            ]
            .into_iter()
            .flatten()
            .collect();
            format!("lost: {}", what.join("; "))
        } else {
            "none of these GameServers has anything set that would be lost".to_string()
        };
        write!(
            f,
            "reclaimPolicy {}: each re-created pod's GameServer is deleted with it and made again with opsState None, priorities 0 and no spec.containers; {lost}",
            self.reclaim_policy
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn gs(name: &str, spec: serde_json::Value) -> GameServer {
        serde_json::from_value(json!({
            "apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServer",
            "metadata": {"name": name}, "spec": spec
        }))
        .unwrap()
    }

    fn set(reclaim: Option<&str>) -> GameServerSet {
        let mut tpl = json!({"spec": {"containers": [{"name": "game", "image": "g:1"}]}});
        if let Some(r) = reclaim {
            tpl["reclaimPolicy"] = json!(r);
        }
        serde_json::from_value(json!({
            "apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServerSet",
            "metadata": {"name": "s"}, "spec": {"replicas": 4, "gameServerTemplate": tpl}
        }))
        .unwrap()
    }

    fn fleet() -> Vec<GameServer> {
        vec![
            gs("s-0", json!({"opsState": "Allocated"})),
            gs("s-1", json!({"opsState": "Maintaining", "updatePriority": 10})),
            gs("s-2", json!({"containers": [{"name": "game", "image": "g:hotfix"}]})),
            gs("s-3", json!({"opsState": "None"})),
        ]
    }

    fn by_name(v: &[GameServer]) -> BTreeMap<String, &GameServer> {
        v.iter().map(|g| (g.metadata.name.clone().unwrap(), g)).collect()
    }

    #[test]
    fn cascade_by_default_names_what_is_lost() {
        let gss = fleet();
        let targets: Vec<String> = (0..4).map(|i| format!("s-{i}")).collect();
        let r = GameServerResets::of(&set(None), &by_name(&gss), &targets);
        assert_eq!(r.reclaim_policy, "Cascade");
        assert!(r.reset && r.loses_anything());
        assert_eq!(r.allocated, ["s-0"]);
        assert_eq!(r.maintaining, ["s-1"]);
        assert_eq!(r.priorities, ["s-1"]);
        assert_eq!(r.overrides, ["s-2"]);
        let text = r.to_string();
        assert!(text.starts_with("reclaimPolicy Cascade: "), "{text}");
        assert!(
            text.contains("1 Allocated (s-0)") && text.contains("1 Maintaining (s-1)"),
            "{text}"
        );
        assert!(text.contains("1 with a spec.containers override (s-2)"), "{text}");
    }

    #[test]
    fn only_the_targets_count_and_delete_keeps_them() {
        let gss = fleet();
        let only_3 = GameServerResets::of(&set(Some("Cascade")), &by_name(&gss), &["s-3".into()]);
        assert!(only_3.reset && !only_3.loses_anything());
        assert!(only_3.to_string().contains("has anything set that would be lost"));
        let kept = GameServerResets::of(&set(Some("Delete")), &by_name(&gss), &["s-0".into()]);
        assert!(!kept.reset && !kept.loses_anything());
        assert!(kept.to_string().contains("reclaimPolicy Delete: the GameServers are kept"));
    }

    #[test]
    fn long_lists_are_cut() {
        let many: Vec<GameServer> =
            (0..5).map(|i| gs(&format!("s-{i}"), json!({"opsState": "Allocated"}))).collect();
        let targets: Vec<String> = (0..5).map(|i| format!("s-{i}")).collect();
        let r = GameServerResets::of(&set(None), &by_name(&many), &targets);
        assert!(r.to_string().contains("5 Allocated (s-0, s-1, s-2, +2 more)"), "{r}");
    }
}
