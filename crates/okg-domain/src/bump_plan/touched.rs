//! Who a bump's targets are, by opsState: an Allocated server has players in a match and a
//! Maintaining one was set aside on purpose, so the pre-flight names both before anyone confirms.
use std::collections::BTreeMap;

use super::PodPlan;
use crate::types::GameServer;

/// One warning naming the targeted pods whose GameServer is Allocated or Maintaining; `None`
/// when there are none.
pub(super) fn busy_targets(
    pods: &[PodPlan],
    gameservers: &BTreeMap<String, &GameServer>,
) -> Option<String> {
    let of = |state: &str| -> Vec<&str> {
        pods.iter()
            .filter(|p| p.to_image.is_some())
            .filter(|p| gameservers.get(&p.name).is_some_and(|g| g.ops_state() == state))
            .map(|p| p.name.as_str())
            .collect()
    };
    let parts: Vec<String> =
        [("Allocated (players in a match)", of("Allocated")), ("Maintaining", of("Maintaining"))]
            .into_iter()
            .filter(|(_, names)| !names.is_empty())
            .map(|(what, names)| format!("{} {what}: {}", names.len(), names.join(", ")))
            .collect();
    (!parts.is_empty()).then(|| format!("this step updates {}", parts.join("; ")))
}
