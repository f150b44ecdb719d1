//! Which servers a canary takes. OKG's guidance for session games: update idle servers first and
//! Allocated ones (players in a match) last or never. So, in OpenKruise's own order within each
//! tier: idle servers (opsState None, state Ready) first, then the others that are not
//! Allocated, and Allocated ones only when the user allowed it.
use std::collections::BTreeMap;

use super::{PodAction, PodPlan};
use crate::types::GameServer;

/// The canary's `n` pods from `order` (OpenKruise's predicted order without a partition), or why
/// there are not enough.
pub(super) fn canary(
    order: &[PodPlan],
    gameservers: &BTreeMap<String, &GameServer>,
    n: usize,
    allow_allocated: bool,
) -> Result<Vec<String>, String> {
    let tier = |p: &PodPlan| match gameservers.get(&p.name) {
        Some(g) if g.ops_state() == "Allocated" => 2,
        Some(g) if g.ops_state() == "None" && g.current_state() == "Ready" => 0,
        _ => 1,
    };
    let mut candidates: Vec<&PodPlan> = order
        .iter()
        .filter(|p| matches!(p.action, PodAction::UpdateNow | PodAction::Waiting(_)))
        .filter(|p| allow_allocated || tier(p) < 2)
        .collect();
    // Stable: OpenKruise's order holds inside a tier.
    candidates.sort_by_key(|p| tier(p));
    if candidates.len() < n {
        let allocated = order.iter().filter(|p| tier(p) == 2).count();
        return Err(format!(
            "only {} server(s) can be canaries without touching the {allocated} Allocated one(s) (players in a match); ask for fewer, or pass --canary-allocated to allow them",
            candidates.len()
        ));
    }
    Ok(candidates.into_iter().take(n).map(|p| p.name.clone()).collect())
}
