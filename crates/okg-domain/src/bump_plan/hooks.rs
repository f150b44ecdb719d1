//! What the set's lifecycle hooks will do to the pods a plan updates, said before it is sent
//! (kruise `inPlaceUpdatePod`, `refreshPodState`, `deletePod`; see docs/bump.md, Lifecycle hooks).
use super::{PodPlan, Policy, SetView};
use crate::lifecycle;

/// Warnings about the targeted pods a hook will hold.
pub(super) fn hook_warnings(view: &SetView, pods: &[PodPlan], policy: &Policy) -> Vec<String> {
    let Some(lc) = lifecycle::effective(view.gss) else { return Vec::new() };
    let targets = view.pods.iter().filter(|p| {
        pods.iter().any(|t| t.to_image.is_some() && p.metadata.name.as_ref() == Some(&t.name))
    });
    let name = |p: &k8s_openapi::api::core::v1::Pod| p.metadata.name.clone().unwrap_or_default();
    let mut out = Vec::new();
    let (hook, state) = match policy {
        Policy::InPlace => (lc.in_place_update.as_ref(), "PreparingUpdate"),
        Policy::ReCreate(_) => (lc.pre_delete.as_ref(), "PreparingDelete"),
        Policy::Refused(_) => (None, ""),
    };
    let Some(hook) = hook else { return out };
    // Every handler of the hook: what an empty pod lacks.
    let all = hook.missing(&Default::default()).join(", ");
    let held: Vec<String> =
        targets.clone().filter(|p| hook.is_hooked(p)).map(|p| name(p)).collect();
    if !held.is_empty() {
        out.push(format!(
            "the set's lifecycle hook ({all}) holds {} in {state} until that is removed from each: the pods behind one in the order wait meanwhile",
            held.join(", ")
        ));
    }
    if matches!(policy, Policy::InPlace) {
        let lacking: Vec<String> =
            targets.filter(|p| !hook.all_hooked(p)).map(|p| name(p)).collect();
        if !lacking.is_empty() {
            out.push(format!(
                "{} lack some of the lifecycle hook's {all}: after its update each stays Updated (and counts against maxUnavailable) until it carries all of it",
                lacking.join(", ")
            ));
        }
    }
    out
}
