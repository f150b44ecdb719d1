//! The reload flow's tasks: look up the sets' reload defaults, run `ops::reload` (or a reload
//! chained onto a rollout, `ops::chain`) and send its progress back in coalesced batches through
//! the caller's sender, cancel on request. Knows no front end (`From<ReloadReply>`).
use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc::{self, UnboundedSender};
use tokio_util::sync::CancellationToken;

use crate::cluster::writer::Writer;
use crate::ops::audit::AuditLog;
use crate::ops::bump::{Applied, FollowOptions};
use crate::ops::chain::{self, ChainEvent, ChainReload};
use crate::ops::reload::ReloadEvent;
use crate::ops::reload::{self, AuditContext, KubeTransport, ReloadPlan};
use crate::ops::reload_defaults::{self, ReloadDefaults};
use okg_domain::fleet::Key;
use okg_domain::reload_plan::{Limits, ReloadMethod, ReloadTarget};
use okg_domain::reload_plan::{PodResult, Summary};

/// A batch of progress of run `run`, coalesced by the shell.
#[derive(Debug)]
pub struct ReloadProgress {
    pub run: u64,
    pub events: Vec<ReloadEvent>,
}

/// The run could not start (no writer, …).
#[derive(Debug)]
pub struct ReloadFailed {
    pub run: u64,
    pub error: String,
}

/// What the reload tasks report.
#[derive(Debug)]
pub enum ReloadReply {
    Defaults(ReloadDefaults),
    Progress(ReloadProgress),
    Failed(ReloadFailed),
}

impl ReloadReply {
    /// The run a reply is about; `None` for defaults, which are for a form not yet started.
    pub fn run(&self) -> Option<u64> {
        match self {
            ReloadReply::Defaults(_) => None,
            ReloadReply::Progress(p) => Some(p.run),
            ReloadReply::Failed(f) => Some(f.run),
        }
    }
}

/// Where replies go: any message type a `ReloadReply` converts into.
pub trait ReplyTo: From<ReloadReply> + Send + 'static {}
impl<M: From<ReloadReply> + Send + 'static> ReplyTo for M {}

fn send<M: ReplyTo>(tx: &UnboundedSender<M>, r: ReloadReply) -> bool {
    tx.send(M::from(r)).is_ok()
}

/// Who runs a reload, for its audit record (the user is asked when the run starts).
pub struct Who {
    pub client: kube::Client,
    pub context: String,
    /// The console's audit log (`--audit-log`, else the default), shared with its bumps.
    pub audit_log: std::path::PathBuf,
    /// How a chained reload's follow sees the set (the console's fleet watches).
    pub feed: crate::ops::bump::FeedSource,
}

/// Running reloads, by run id.
#[derive(Default)]
pub struct Runs {
    cancels: HashMap<u64, CancellationToken>,
    /// The runs' tasks, awaited by `stop_all` so their outcomes reach the audit log.
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Runs {
    /// Look up the reload default of the sets (read-only requests, `ops::reload_defaults`) and
    /// send it.
    pub fn defaults<M: ReplyTo>(
        &self,
        client: &kube::Client,
        sets: &[Key],
        tx: &UnboundedSender<M>,
    ) {
        let client = client.clone();
        let tx = tx.clone();
        let sets = sets.to_vec();
        tokio::spawn(async move {
            let d = reload_defaults::lookup_for_dialog(&client, &sets).await;
            send(&tx, ReloadReply::Defaults(d));
        });
    }

    pub fn start<M: ReplyTo>(
        &mut self,
        writer: Option<&Writer>,
        run: u64,
        plan: ReloadPlan,
        targets: Vec<ReloadTarget>,
        who: Who,
        tx: &UnboundedSender<M>,
    ) {
        let Some(writer) = writer else {
            let error = "read-only session: no writer exists".to_string();
            send(tx, ReloadReply::Failed(ReloadFailed { run, error }));
            return;
        };
        self.cancels.retain(|_, c| !c.is_cancelled());
        let cancel = CancellationToken::new();
        self.cancels.insert(run, cancel.clone());
        let transport = Arc::new(KubeTransport::new(writer));
        let (progress, mut rx) = mpsc::channel(1024);
        let tx = tx.clone();
        // Forward in batches: everything already queued goes out as one message, so a burst of
        // output lines costs the UI one update, not hundreds.
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut events = vec![first];
                while let Ok(e) = rx.try_recv() {
                    events.push(e);
                    if events.len() >= 1000 {
                        break;
                    }
                }
                if !send(&tx, ReloadReply::Progress(ReloadProgress { run, events })) {
                    break;
                }
            }
        });
        let namespace = targets.first().map(|t| t.namespace.clone()).unwrap_or_default();
        self.keep(tokio::spawn(async move {
            let audit = AuditContext {
                log: AuditLog::new(who.audit_log),
                user: crate::cluster::access::who_am_i(&who.client).await,
                context: who.context,
                namespace,
            };
            reload::run(transport, plan, targets.into(), progress, cancel, Some(audit)).await;
        }));
    }

    /// A reload chained onto the latest rollout (`ops::chain`): its own follow (reads only) feeds
    /// each pod to the reload once it is IN PLACE. Pods that never get there end skipped with
    /// the reason, then a summary over all of them, so the view leaves nothing pending.
    #[allow(clippy::too_many_arguments)]
    pub fn start_chain<M: ReplyTo>(
        &mut self,
        writer: Option<&Writer>,
        applied: Option<Applied>,
        run: u64,
        plan: ReloadPlan,
        container: Option<String>,
        who: Who,
        tx: &UnboundedSender<M>,
    ) {
        let failed = |error: &str| {
            let error = error.to_string();
            send(tx, ReloadReply::Failed(ReloadFailed { run, error }));
        };
        let Some(writer) = writer else { return failed("read-only session: no writer exists") };
        let Some(applied) = applied else {
            return failed("no applied bump to follow (the rollout's patches were not sent yet)");
        };
        self.cancels.retain(|_, c| !c.is_cancelled());
        let cancel = CancellationToken::new();
        self.cancels.insert(run, cancel.clone());
        let transport = Arc::new(KubeTransport::new(writer));
        let (events, mut rx) = mpsc::channel(1024);
        let tx = tx.clone();
        let forward_tx = tx.clone();
        let forward = tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while let Ok(e) = rx.try_recv() {
                    batch.push(e);
                    if batch.len() >= 1000 {
                        break;
                    }
                }
                let events: Vec<ReloadEvent> = batch
                    .into_iter()
                    .filter_map(|e| match e {
                        ChainEvent::Reload(r) => Some(r),
                        // The rollout view follows the bump itself.
                        ChainEvent::Bump(_) => None,
                    })
                    .collect();
                if !events.is_empty() {
                    let p = ReloadProgress { run, events };
                    send(&forward_tx, ReloadReply::Progress(p));
                }
            }
        });
        self.keep(tokio::spawn(async move {
            let audit = AuditContext {
                log: AuditLog::new(who.audit_log),
                user: crate::cluster::access::who_am_i(&who.client).await,
                context: who.context,
                namespace: applied.plan.namespace.clone(),
            };
            let spec = ChainReload { plan, container };
            let options = FollowOptions { feed: who.feed.clone(), ..FollowOptions::default() };
            let report = chain::follow_and_reload(
                &who.client,
                &applied,
                &options,
                transport,
                spec,
                events,
                cancel,
                Some(audit),
            )
            .await;
            let _ = forward.await;
            // Pods not handed to the reload: skipped with the reason, and the summary over all.
            let mut events: Vec<ReloadEvent> = report
                .not_reloaded
                .iter()
                .map(|(pod, reason)| ReloadEvent::Finished {
                    pod: pod.clone(),
                    result: PodResult::Skipped { reason: reason.clone() },
                })
                .collect();
            let results = report.reload.results.iter().map(|r| r.result.clone());
            let skipped = events.iter().filter_map(|e| match e {
                ReloadEvent::Finished { result, .. } => Some(result.clone()),
                _ => None,
            });
            let all: Vec<PodResult> = results.chain(skipped).collect();
            events.push(ReloadEvent::Summary { summary: Summary::of(all.iter()) });
            send(&tx, ReloadReply::Progress(ReloadProgress { run, events }));
        }));
    }

    fn keep(&mut self, task: tokio::task::JoinHandle<()>) {
        self.tasks.retain(|t| !t.is_finished());
        self.tasks.push(task);
    }

    pub fn cancel(&mut self, run: u64) {
        if let Some(c) = self.cancels.remove(&run) {
            c.cancel();
        }
    }

    /// Runs still going (cancelled or not).
    pub fn running(&self) -> usize {
        self.tasks.iter().filter(|t| !t.is_finished()).count()
    }

    /// Cancel every run (running pods end cancelled, pending ones skipped) and wait until each
    /// has written its outcome, at most `grace`. Returns how many runs were still going, and how
    /// many of them did not finish in time (their outcome is missing from the audit log).
    pub async fn stop_all(&mut self, grace: std::time::Duration) -> (usize, usize) {
        for c in self.cancels.values() {
            c.cancel();
        }
        let tasks: Vec<_> = self.tasks.drain(..).filter(|t| !t.is_finished()).collect();
        let running = tasks.len();
        let deadline = tokio::time::Instant::now() + grace;
        let mut late = 0;
        for t in tasks {
            if tokio::time::timeout_at(deadline, t).await.is_err() {
                late += 1;
            }
        }
        (running, late)
    }
}

impl Drop for Runs {
    /// Quitting the console cancels what is still running (every pod still gets its result,
    /// but nobody is left to see it).
    fn drop(&mut self) {
        for c in self.cancels.values() {
            c.cancel();
        }
    }
}

/// `ReloadPlan` from the intent's parts.
pub fn plan(method: ReloadMethod, limits: Limits) -> ReloadPlan {
    ReloadPlan { method, limits }
}
