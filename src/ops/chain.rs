//! A bump followed by a reload of each pod as soon as it is confirmed IN PLACE.
//!
//! `ops::bump::follow` reports verdicts; every targeted pod whose verdict becomes IN PLACE is fed
//! to `ops::reload::run` through a target channel, so the reload of one pod overlaps the update
//! of the next and the reload limits (parallel, batch/canary, max failures, timeout) apply in the
//! order pods arrive. Pods that end RE-CREATED or FAILED (or never finish) are not reloaded: a
//! re-created pod started fresh from the new image, a failed one has nothing to reload. They are
//! reported in `not_reloaded` with the reason. A FAILING pod (a pull error or crash loop the
//! kubelet is retrying) is not reloaded either, nor given up on: the follow goes on until it is
//! IN PLACE (then reloaded) or FAILED, which the follow's `fail_after` bounds.
//!
//! Both progress streams go into one channel of `ChainEvent`s, in causal order: a pod's IN PLACE
//! verdict is forwarded before the pod is handed to the reload, so its reload events come after.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::ops::bump::{self, Applied, BumpEvent, FollowOptions, FollowReport};
use crate::ops::reload::{
    self, AuditContext, ReloadEvent, ReloadPlan, ReloadReport, ReloadTransport,
};
use okg_domain::reload_plan::ReloadTarget;
use okg_domain::rollout::Verdict;

/// Progress of a chained bump + reload.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ChainEvent {
    Bump(BumpEvent),
    Reload(ReloadEvent),
}

/// The end of a chain: the bump's verdicts, the reload's results, and the targeted pods that were
/// not handed to the reload (pod → why).
#[derive(Clone, Debug, Serialize)]
pub struct ChainReport {
    pub follow: FollowReport,
    pub reload: ReloadReport,
    pub not_reloaded: BTreeMap<String, String>,
    /// The follow was cut short by `cancel` (verdicts are the last ones seen).
    pub cancelled: bool,
}

impl ChainReport {
    /// Every targeted pod was in place and reloaded successfully.
    pub fn all_reloaded(&self) -> bool {
        self.not_reloaded.is_empty() && self.reload.summary.all_succeeded()
    }
}

/// What the reload half needs besides the transport: the plan and the container to exec in
/// (`None` for HTTP, or to let the pod's first container take it).
#[derive(Clone, Debug)]
pub struct ChainReload {
    pub plan: ReloadPlan,
    pub container: Option<String>,
}

/// Follow `applied` to its verdicts and reload each pod once it is IN PLACE. Returns when the
/// follow has ended (all final, timed out, blocked, or `cancel`) and every reload has a result.
/// `cancel` also cancels the reload (running → cancelled, pending → skipped).
// The arguments are those of `bump::follow` and `reload::run` side by side; a struct bundling
// them would only rename them.
#[allow(clippy::too_many_arguments)]
pub async fn follow_and_reload<T: ReloadTransport>(
    client: &kube::Client,
    applied: &Applied,
    follow_options: &FollowOptions,
    transport: Arc<T>,
    spec: ChainReload,
    events: mpsc::Sender<ChainEvent>,
    cancel: CancellationToken,
    audit: Option<AuditContext>,
) -> ChainReport {
    let namespace = applied.plan.namespace.clone();
    let set = applied.plan.set.clone();
    let targets: BTreeSet<String> = applied.plan.targets().into_iter().collect();
    let (targets_tx, feed) = reload::target_channel(targets.len().max(1));
    let (bump_tx, mut bump_rx) = mpsc::channel::<BumpEvent>(256);
    let (reload_tx, mut reload_rx) = mpsc::channel::<ReloadEvent>(1024);

    // Verdicts in, reload targets out. Owns the target sender: when the follow ends, its channel
    // closes, this ends, and the reload learns that no more pods will come.
    let bump_events = events.clone();
    let container = spec.container.clone();
    let forward_bump = async move {
        let mut sent: BTreeSet<String> = BTreeSet::new();
        while let Some(e) = bump_rx.recv().await {
            let ready = match &e {
                BumpEvent::Verdict { pod, verdict, .. } => {
                    (*verdict == Verdict::InPlace && targets.contains(pod) && !sent.contains(pod))
                        .then(|| pod.clone())
                }
                _ => None,
            };
            let _ = bump_events.send(ChainEvent::Bump(e)).await;
            if let Some(pod) = ready {
                sent.insert(pod.clone());
                let target = ReloadTarget {
                    namespace: namespace.clone(),
                    pod,
                    container: container.clone(),
                    set: Some(set.clone()),
                };
                // The reload refuses targets once cancelled; the pod then ends skipped there.
                let _ = targets_tx.send(target).await;
            }
        }
    };
    let forward_reload = async {
        while let Some(e) = reload_rx.recv().await {
            let _ = events.send(ChainEvent::Reload(e)).await;
        }
    };
    // The chain's cancel is the follow's: one token stops both.
    let follow_options = FollowOptions { cancel: cancel.clone(), ..follow_options.clone() };
    let follow = async move {
        let report = bump::follow(client, applied, &follow_options, &bump_tx).await;
        drop(bump_tx);
        report
    };
    let run = reload::run(transport, spec.plan, feed, reload_tx, cancel, audit);
    let (follow_report, (), reload_report, ()) =
        tokio::join!(follow, forward_bump, run, forward_reload);

    let targets: BTreeSet<String> = applied.plan.targets().into_iter().collect();
    let cancelled = follow_report.cancelled;
    let reloaded: BTreeSet<&str> =
        reload_report.results.iter().map(|r| r.target.pod.as_str()).collect();
    let not_reloaded = targets
        .iter()
        .filter(|p| !reloaded.contains(p.as_str()))
        .map(|p| (p.clone(), not_reloaded_reason(follow_report.verdicts.get(p), cancelled)))
        .collect();
    ChainReport { follow: follow_report, reload: reload_report, not_reloaded, cancelled }
}

/// Why a targeted pod was not handed to the reload.
pub fn not_reloaded_reason(verdict: Option<&Verdict>, cancelled: bool) -> String {
    match verdict {
        Some(Verdict::ReCreated) => {
            "RE-CREATED: a new pod started from the new image, nothing to reload".into()
        }
        Some(v @ Verdict::Failed(_)) => format!("{v}: not reloaded"),
        Some(v) if cancelled => format!("cancelled while {}", v.label()),
        Some(v) => format!("no final verdict ({}): not reloaded", v.label()),
        None if cancelled => "cancelled before its verdict".into(),
        None => "no verdict seen: not reloaded".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use okg_domain::rollout::FailReason;

    #[test]
    fn reasons_name_the_verdict() {
        assert!(not_reloaded_reason(Some(&Verdict::ReCreated), false).starts_with("RE-CREATED"));
        let failed = Verdict::Failed(FailReason::ImagePull("no such tag".into()));
        assert!(not_reloaded_reason(Some(&failed), false).starts_with("FAILED"));
        assert!(not_reloaded_reason(Some(&Verdict::Updating), true).contains("cancelled"));
        assert!(not_reloaded_reason(None, false).contains("no verdict"));
        let failing = Verdict::Failing(okg_domain::rollout::Retrying::seen(
            "ImagePullBackOff",
            FailReason::ImagePull("back-off".into()),
        ));
        assert_eq!(not_reloaded_reason(Some(&failing), true), "cancelled while FAILING");
        assert_eq!(
            not_reloaded_reason(Some(&failing), false),
            "no final verdict (FAILING): not reloaded"
        );
    }
}
