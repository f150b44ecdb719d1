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

use kube::api::Api;

use crate::cluster::access::{self, ApiAction, Permission};
use crate::cluster::writer::Writer;
use crate::ops::bump::{self, Applied, BumpEvent, FollowOptions, FollowReport, OpsContext};
use crate::ops::reload::{
    self, AuditContext, KubeTransport, ReloadEvent, ReloadPlan, ReloadReport, ReloadTransport,
};
use okg_domain::reload_plan::ReloadTarget;
use okg_domain::reload_plan::{Limits, ReloadMethod};
use okg_domain::rollout::Verdict;
use okg_domain::types::GameServerSet;

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

/// A reload chained to a follow: how, in which container (`None`: the set's main one, or
/// none for HTTP), and its limits.
#[derive(Clone, Debug)]
pub struct ReloadRequest {
    pub method: ReloadMethod,
    pub container: Option<String>,
    pub limits: Limits,
}

/// Refuse when RBAC denies the exec / proxy the reload needs. An unanswered review is not a
/// refusal (the API server enforces RBAC anyway).
pub async fn check_access(
    client: &kube::Client,
    namespace: &str,
    request: &ReloadRequest,
) -> Result<(), String> {
    let action = if request.method.is_exec() { ApiAction::ExecPods } else { ApiAction::ProxyPods };
    match access::can_i(client, action, Some(namespace)).await {
        Permission::Denied(why) => {
            Err(format!("RBAC denies {} for the chained reload: {why}", action.describe()))
        }
        _ => Ok(()),
    }
}

/// Follow and reload, with the reload's progress as lines: bump events and reload lines both go
/// out through `tx`, so they reach the reader in the order they happened. `options.cancel`
/// stops both. `unicode`: the marks of the lines.
pub async fn run(
    ctx: &OpsContext,
    writer: &Writer,
    applied: &Applied,
    options: &FollowOptions,
    request: &ReloadRequest,
    tx: &mpsc::Sender<BumpEvent>,
    unicode: bool,
) -> ChainReport {
    let plan = &applied.plan;
    let container = match (&request.method, &request.container) {
        (ReloadMethod::Http { .. }, _) => None,
        (_, Some(c)) => Some(c.clone()),
        // The set's main container: the first of its template (where the game process runs).
        _ => Api::<GameServerSet>::namespaced(ctx.client.clone(), &plan.namespace)
            .get(&plan.set)
            .await
            .ok()
            .and_then(|s| s.template_images().first().map(|(c, _)| c.clone())),
    };
    let reload_plan = ReloadPlan { method: request.method.clone(), limits: request.limits.clone() };
    let _ = tx
        .send(BumpEvent::Note {
            message: format!(
                "Reloading each pod once it is IN PLACE: {}{} · {}",
                reload_plan.method,
                container.as_deref().map(|c| format!(" (container {c})")).unwrap_or_default(),
                reload_plan.limits.describe()
            ),
        })
        .await;
    let audit = AuditContext {
        log: ctx.audit.clone(),
        user: applied.user.clone(),
        context: ctx.context.clone(),
        namespace: plan.namespace.clone(),
    };
    // The follow's cancel (a signal, `signals::Shutdown`) stops the reload too.
    let cancel = options.cancel.clone();
    let (events_tx, mut events_rx) = mpsc::channel(1024);
    let forward = {
        let tx = tx.clone();
        async move {
            while let Some(e) = events_rx.recv().await {
                let out = match e {
                    ChainEvent::Bump(b) => Some(b),
                    // JSON output carries the reload report at the end; the lines are for people.
                    ChainEvent::Reload(r) => reload::event_line(&r, unicode)
                        .map(|line| BumpEvent::Note { message: format!("  reload {line}") }),
                };
                if let Some(out) = out {
                    let _ = tx.send(out).await;
                }
            }
        }
    };
    let transport = Arc::new(KubeTransport::new(writer));
    let spec = ChainReload { plan: reload_plan, container };
    let chained = follow_and_reload(
        &ctx.client,
        applied,
        options,
        transport,
        spec,
        events_tx,
        cancel,
        Some(audit),
    );
    let (report, ()) = tokio::join!(chained, forward);
    report
}
