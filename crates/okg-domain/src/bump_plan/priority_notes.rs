//! Update priorities that OpenKruise ranks differently from how they read (a sign, letters, no
//! label at all): pre-flight warnings, and the canary's check that no unlabelled pod would jump
//! ahead of it.
use super::*;
use crate::update_order::{PriorityRank, is_label_value, rank_label, ranks_as_written};

/// The label value kruise-game writes to the pod for a GameServer's `spec.updatePriority`
/// (`SyncGsToPod` copies `UpdatePriority.String()`).
pub(super) fn spec_label(gs: &GameServer) -> Option<String> {
    gs.spec.update_priority.as_ref().map(|p| match p {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    })
}

/// The priority a canary writes: above every rank OpenKruise reads now, and above every
/// GameServer's spec as it will read it once kruise-game has copied it to the pod (a spec that is
/// no valid label value, such as `-10`, never gets there, so it does not count).
pub(super) fn canary_priority(view: &SetView, states: &[UpdateCandidate]) -> i64 {
    view.gameservers
        .values()
        .filter_map(|g| spec_label(g))
        .filter(|s| is_label_value(s))
        .map(|s| rank_label(Some(&s)))
        .chain(states.iter().map(|s| s.update_priority))
        .filter_map(PriorityRank::value)
        .max()
        .unwrap_or(0)
        .saturating_add(1)
}

/// Pods left out of a canary that OpenKruise would still update before it: those without the
/// label sort ahead of any labelled pod, whatever priority the canary gets.
pub(super) fn unlabelled_outside(
    states: &[UpdateCandidate],
    chosen: &[String],
    target: &str,
) -> Vec<String> {
    states
        .iter()
        .filter(|s| s.update_priority == PriorityRank::Unlabelled && s.image != target)
        .filter(|s| !chosen.contains(&s.name))
        .map(|s| s.name.clone())
        .collect()
}

/// One warning per distinct problem, naming the pods it affects.
pub(super) fn priority_warnings(view: &SetView) -> Vec<String> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pod in &view.pods {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let label = pod
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(labels::GS_UPDATE_PRIORITY))
            .map(String::as_str);
        let mut note = |message: String| groups.entry(message).or_default().push(name.clone());
        match label {
            None => note(
                "no game.kruise.io/gs-update-priority label: OpenKruise updates unlabelled pods before every labelled one".into(),
            ),
            Some(v) if !ranks_as_written(v) => note(format!(
                "update-priority label {v:?}: OpenKruise reads only its trailing digits{}, so it ranks as {}",
                if v.starts_with('-') { " and drops the sign" } else { "" },
                rank_label(Some(v)),
            )),
            Some(_) => {}
        }
        let spec = view.gameservers.get(&name).and_then(|g| spec_label(g));
        if let Some(spec) = spec.filter(|s| Some(s.as_str()) != label && !ranks_as_written(s)) {
            note(if is_label_value(&spec) {
                format!(
                    "GameServer spec.updatePriority {spec:?}: once OKG copies it to the pod, OpenKruise ranks it as {}",
                    rank_label(Some(&spec))
                )
            } else {
                format!(
                    "GameServer spec.updatePriority {spec} is not a valid label value, so OKG cannot copy it to the pod: OpenKruise ranks the pod by its current label ({})",
                    rank_label(label)
                )
            });
        }
    }
    groups.into_iter().map(|(message, pods)| format!("{}: {message}", pods.join(", "))).collect()
}
