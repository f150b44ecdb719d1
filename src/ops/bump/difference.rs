//! A confirmed plan against the one made again just before sending: what changed, if anything
//! (the send stops as a conflict and shows the new plan).
use okg_domain::bump_plan::Plan;

/// Where the plan made now differs from the confirmed one, as (object, what changed).
pub(super) fn plan_difference(confirmed: &Plan, fresh: &Plan) -> Option<(String, String)> {
    if confirmed.patches.len() != fresh.patches.len() {
        return Some((
            format!("gameserverset/{}", confirmed.set),
            format!(
                "the plan now needs {} patches instead of {}",
                fresh.patches.len(),
                confirmed.patches.len()
            ),
        ));
    }
    for (a, b) in confirmed.patches.iter().zip(&fresh.patches) {
        if a.target() != b.target() {
            return Some((
                a.target(),
                format!("the plan now patches {} instead of {}", b.target(), a.target()),
            ));
        }
        if a.patch != b.patch {
            return Some((a.target(), format!("now: {}", b.summary)));
        }
    }
    if confirmed.policy != fresh.policy {
        return Some((
            format!("gameserverset/{}", confirmed.set),
            "its podUpdatePolicy changed".into(),
        ));
    }
    None
}
