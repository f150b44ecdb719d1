//! The two judgements a staged run makes beside a bump's follow: a stage's pods after a restart
//! of the console (no baseline was kept), and the soak after each stage.
use k8s_openapi::api::core::v1::Pod;

use crate::bump_plan::is_pod_ready;
use crate::rollout::{Baseline, FailReason, Verdict, WaitReason};

/// A pod of the interrupted stage, judged without its baseline. An in-place update keeps the
/// pod's creationTimestamp, so a pod created after the stage began was re-created; one older,
/// on the new image and Ready, is taken as in place. `timed_out`: what is not done yet fails.
pub fn judge_after_restart(
    pod: Option<&Pod>,
    stage_started: &str,
    container: &str,
    to: &str,
    timed_out: bool,
) -> Verdict {
    let Some(pod) = pod else {
        return Verdict::Failed(FailReason::Moved("the pod is gone".into()));
    };
    let started: Option<jiff::Timestamp> = stage_started.parse().ok();
    let created = pod.metadata.creation_timestamp.as_ref().map(|t| t.0);
    if let (Some(s), Some(c)) = (started, created)
        && c > s
    {
        return Verdict::ReCreated;
    }
    let spec_image = pod
        .spec
        .as_ref()
        .and_then(|s| s.containers.iter().find(|c| c.name == container))
        .and_then(|c| c.image.as_deref());
    let done = spec_image == Some(to) && is_pod_ready(pod);
    match (done, timed_out, spec_image == Some(to)) {
        (true, _, _) => Verdict::InPlace,
        (false, true, _) => Verdict::Failed(FailReason::NotReadyInTime),
        (false, false, true) => Verdict::Updating,
        (false, false, false) => Verdict::Waiting(WaitReason::Controller),
    }
}

/// What broke during the soak, per pod: not Ready any more, gone or re-created, or a container
/// that restarted again. `before`: the stage's pods when the soak began.
pub fn soak_breaks(before: &[Baseline], now: &[Pod]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for b in before {
        let pod = now.iter().find(|p| p.metadata.name.as_deref() == Some(b.pod.as_str()));
        let Some(pod) = pod else {
            out.push((b.pod.clone(), "gone".into()));
            continue;
        };
        if pod.metadata.uid.as_deref() != Some(b.uid.as_str()) {
            out.push((b.pod.clone(), "re-created".into()));
            continue;
        }
        if !is_pod_ready(pod) {
            out.push((b.pod.clone(), "not Ready".into()));
            continue;
        }
        let Some(after) = Baseline::from_pod(pod) else { continue };
        let restarted: Vec<String> = b
            .containers
            .iter()
            .filter(|(name, c)| {
                after.containers.get(*name).is_some_and(|a| a.restart_count > c.restart_count)
            })
            .map(|(name, _)| name.clone())
            .collect();
        if !restarted.is_empty() {
            out.push((b.pod.clone(), format!("restarted again: {}", restarted.join(", "))));
        }
    }
    out
}
