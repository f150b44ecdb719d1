//! A pod's one-word status, as `kubectl get pod` prints it in its STATUS column, so that a pod
//! stuck on a bad pull reads `ImagePullBackOff` in the table instead of `NotReady 1/2`. The rules
//! are kubectl's (its pod printer): the phase, replaced by the pod's own reason, replaced by the
//! last container that is waiting or terminated with a reason (or by its signal or exit code),
//! `Completed` turned back into `Running`/`NotReady` while a container still runs, and
//! `Terminating` (or `Unknown` on a lost node) once the pod is being deleted. Init containers are
//! not kept by the console, so `Init:…` is not shown.
use std::borrow::Cow;

use crate::fleet::PodInfo;

/// The reason the node controller gives pods on an unreachable node.
const NODE_LOST: &str = "NodeLost";

pub fn of(pod: &PodInfo) -> Cow<'static, str> {
    let mut reason: Cow<'static, str> = match pod.phase.as_deref() {
        Some("Running") => Cow::Borrowed("Running"),
        Some("Pending") | None => Cow::Borrowed("Pending"),
        Some("Succeeded") => Cow::Borrowed("Succeeded"),
        Some("Failed") => Cow::Borrowed("Failed"),
        Some(other) => Cow::Owned(other.to_string()),
    };
    if let Some(r) = pod.reason.as_deref().filter(|r| !r.is_empty()) {
        reason = Cow::Owned(r.to_string());
    }
    let mut running = false;
    for c in pod.statuses.iter().rev() {
        let Some(state) = c.state.as_deref() else { continue };
        if let Some(r) =
            state.waiting.as_ref().and_then(|w| w.reason.as_deref()).filter(|r| !r.is_empty())
        {
            reason = Cow::Owned(r.to_string());
        } else if let Some(t) = &state.terminated {
            reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => Cow::Owned(r.to_string()),
                None if t.signal.unwrap_or(0) != 0 => {
                    Cow::Owned(format!("Signal:{}", t.signal.unwrap_or(0)))
                }
                None => Cow::Owned(format!("ExitCode:{}", t.exit_code)),
            };
        } else if c.ready && state.running.is_some() {
            running = true;
        }
    }
    if reason == "Completed" && running {
        reason = Cow::Borrowed(if pod.ready_condition { "Running" } else { "NotReady" });
    }
    if pod.deleting {
        reason = Cow::Borrowed(if pod.reason.as_deref() == Some(NODE_LOST) {
            "Unknown"
        } else {
            "Terminating"
        });
    }
    reason
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{
        ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    };

    use super::*;
    use crate::fleet::ContainerInfo;

    fn running() -> ContainerState {
        ContainerState { running: Some(ContainerStateRunning::default()), ..Default::default() }
    }
    fn waiting(reason: &str) -> ContainerState {
        ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: Some(reason.into()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
    fn terminated(reason: Option<&str>, exit_code: i32, signal: Option<i32>) -> ContainerState {
        ContainerState {
            terminated: Some(ContainerStateTerminated {
                reason: reason.map(Into::into),
                exit_code,
                signal,
                ..Default::default()
            }),
            ..Default::default()
        }
    }
    fn pod(phase: &str, containers: &[(bool, ContainerState)]) -> PodInfo {
        PodInfo {
            phase: Some(phase.into()),
            statuses: containers
                .iter()
                .enumerate()
                .map(|(i, (ready, s))| ContainerInfo {
                    name: format!("c{i}"),
                    ready: *ready,
                    state: Some(Box::new(s.clone())),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_healthy_pod_is_running() {
        assert_eq!(of(&pod("Running", &[(true, running()), (true, running())])), "Running");
        assert!(matches!(of(&pod("Running", &[(true, running())])), Cow::Borrowed(_)));
    }

    #[test]
    fn a_waiting_container_names_its_reason() {
        let p = pod("Running", &[(true, running()), (false, waiting("ImagePullBackOff"))]);
        assert_eq!(of(&p), "ImagePullBackOff");
        let p = pod("Running", &[(false, waiting("CrashLoopBackOff")), (true, running())]);
        assert_eq!(of(&p), "CrashLoopBackOff");
        assert_eq!(
            of(&pod("Pending", &[(false, waiting("ContainerCreating"))])),
            "ContainerCreating"
        );
    }

    #[test]
    fn the_first_container_wins_as_in_kubectl() {
        // kubectl walks the containers from the last to the first, so the first one's reason
        // is what it prints.
        let p = pod(
            "Running",
            &[(false, waiting("ErrImagePull")), (false, waiting("CrashLoopBackOff"))],
        );
        assert_eq!(of(&p), "ErrImagePull");
    }

    #[test]
    fn a_terminated_container_gives_its_reason_or_its_code() {
        assert_eq!(of(&pod("Running", &[(false, terminated(Some("Error"), 1, None))])), "Error");
        assert_eq!(of(&pod("Running", &[(false, terminated(None, 0, Some(9)))])), "Signal:9");
        assert_eq!(of(&pod("Running", &[(false, terminated(None, 2, None))])), "ExitCode:2");
    }

    #[test]
    fn completed_with_a_container_still_running_is_running_or_not_ready() {
        let mut p =
            pod("Running", &[(true, running()), (false, terminated(Some("Completed"), 0, None))]);
        assert_eq!(of(&p), "NotReady");
        p.ready_condition = true;
        assert_eq!(of(&p), "Running");
    }

    #[test]
    fn the_pods_reason_and_deletion() {
        let mut p = pod("Failed", &[]);
        p.reason = Some("Evicted".into());
        assert_eq!(of(&p), "Evicted");
        let mut p = pod("Running", &[(true, running())]);
        p.deleting = true;
        assert_eq!(of(&p), "Terminating");
        p.reason = Some(NODE_LOST.into());
        assert_eq!(of(&p), "Unknown");
        assert_eq!(of(&PodInfo::default()), "Pending");
    }
}
