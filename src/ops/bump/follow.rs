//! Following a bump: every targeted pod to its verdict, from the cluster's own answers.
use super::*;
use okg_domain::names;

#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// Give up after this long: unfinished pods become FAILED (not Ready in time) or STALLED.
    pub timeout: Duration,
    /// How often to read the pods.
    pub poll: Duration,
    /// A pod that should be updating but has not started after this long is STALLED.
    pub stall_after: Duration,
    /// A pull error or crash loop the kubelet retries is FAILING until it has lasted this long,
    /// then FAILED (`rollout::RetryClock`).
    pub fail_after: Duration,
    /// Stops the follow early (a signal, quitting the console): the report says `cancelled` and
    /// holds the last verdicts seen. The one place a bump's interruption is noticed.
    pub cancel: CancellationToken,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            poll: Duration::from_millis(500),
            stall_after: Duration::from_secs(120),
            fail_after: rollout::DEFAULT_FAIL_AFTER,
            cancel: CancellationToken::new(),
        }
    }
}

/// The end of a follow.
#[derive(Clone, Debug, Serialize)]
pub struct FollowReport {
    /// Every targeted pod's last verdict.
    pub verdicts: BTreeMap<String, Verdict>,
    /// Pods of the set this step does not update (held by a canary's partition…).
    pub others: BTreeMap<String, Verdict>,
    pub counts: Counts,
    pub timed_out: bool,
    /// `FollowOptions::cancel` fired before every target had a final verdict.
    pub cancelled: bool,
}

impl FollowReport {
    pub fn all_in_place(&self) -> bool {
        self.verdicts.values().all(|v| *v == Verdict::InPlace)
    }
}

/// Follow the pods of an applied plan until every target has a final verdict or the timeout.
/// Polls the API (reads only).
pub async fn follow(
    client: &kube::Client,
    applied: &Applied,
    options: &FollowOptions,
    tx: &mpsc::Sender<BumpEvent>,
) -> FollowReport {
    let plan = &applied.plan;
    let targets: BTreeMap<String, String> =
        plan.pods.iter().filter_map(|p| Some((p.name.clone(), p.to_image.clone()?))).collect();
    let watched: Vec<&Baseline> = applied
        .baselines
        .iter()
        .filter(|b| {
            targets.contains_key(&b.pod)
                || plan.pods.iter().any(|p| {
                    p.name == b.pod
                        && matches!(p.action, PodAction::Waiting(WaitReason::Partition { .. }))
                })
        })
        .collect();
    let mut last: BTreeMap<String, Verdict> = BTreeMap::new();
    let mut retries = rollout::RetryClock::new(options.fail_after);
    let mut last_progress = Instant::now();
    // Failed or stalled pods whose events were looked up, and how often (events can lag).
    let mut explained: BTreeMap<String, (bool, u32)> = BTreeMap::new();
    let deadline = applied.started + options.timeout;
    loop {
        if options.cancel.is_cancelled() {
            let (verdicts, others): (BTreeMap<_, _>, BTreeMap<_, _>) =
                last.into_iter().partition(|(k, _)| targets.contains_key(k));
            let counts = Counts::of(verdicts.values());
            return FollowReport { verdicts, others, counts, timed_out: false, cancelled: true };
        }
        let timed_out = Instant::now() >= deadline;
        let read = tokio::select! {
            r = read_set(client, &plan.namespace, &plan.set) => r,
            // A hung API server must not hold up a cancel.
            _ = options.cancel.cancelled() => continue,
        };
        let snapshot = match read {
            Ok(s) => Some(s),
            Err(e) => {
                let _ = tx.send(BumpEvent::Note { message: format!("{e}; retrying") }).await;
                None
            }
        };
        if let Some(snapshot) = snapshot {
            let holds = current_holds(&snapshot, plan);
            let idle = last_progress.elapsed();
            let mut changed = false;
            for b in &watched {
                let pod = snapshot.pods.iter().find(|p| p.metadata.name.as_deref() == Some(&b.pod));
                let gs = snapshot
                    .gameservers
                    .iter()
                    .find(|g| g.metadata.name.as_deref() == Some(&b.pod));
                let target = targets.get(&b.pod).cloned().unwrap_or_else(|| plan.to_image.clone());
                let hold = holds.get(&b.pod).cloned().flatten();
                let ctx = rollout::Context {
                    stalled_for: (hold.is_none() && idle >= options.stall_after).then_some(idle),
                    hold,
                    timed_out,
                };
                let v = rollout::verdict(b, pod, gs, &plan.container, &target, &ctx);
                let v = retries.settle(&b.pod, v, applied.started.elapsed());
                // A FAILING pod's clock moves every second: shown, but no progress.
                let previous = last.get(&b.pod);
                if previous != Some(&v) {
                    changed |= !previous.is_some_and(|p| p.same_but_clock(&v));
                    let detail = pod.map(|p| Comparison::of(b, p, &plan.container));
                    let _ = tx
                        .send(BumpEvent::Verdict { pod: b.pod.clone(), verdict: v.clone(), detail })
                        .await;
                    last.insert(b.pod.clone(), v);
                }
            }
            for (pod, v) in &last {
                if !matches!(v, Verdict::Failing(_) | Verdict::Failed(_) | Verdict::Stalled(_)) {
                    continue;
                }
                let (found, tries) = explained.entry(pod.clone()).or_insert((false, 0));
                if !*found && *tries < 10 {
                    *tries += 1;
                    *found = explain(client, &plan.namespace, pod, tx).await;
                }
            }
            let target_verdicts: Vec<&Verdict> =
                last.iter().filter(|(k, _)| targets.contains_key(*k)).map(|(_, v)| v).collect();
            if changed {
                last_progress = Instant::now();
                let counts = Counts::of(target_verdicts.iter().copied());
                let _ = tx.send(BumpEvent::Counts { counts, targets: targets.len() }).await;
            }
            let all_final = target_verdicts.len() == targets.len()
                && target_verdicts.iter().all(|v| v.is_final());
            let blocked = !all_final
                && blocked_behind_failures(&target_verdicts)
                && last_progress.elapsed() >= options.stall_after;
            if blocked {
                let _ = tx
                    .send(BumpEvent::Note {
                        message: format!(
                            "the rollout is blocked behind failed pods (no change for {}s): stopping",
                            options.stall_after.as_secs()
                        ),
                    })
                    .await;
            }
            if all_final || timed_out || blocked {
                // The kubelet's events can trail the status that failed the pod: a last look.
                for _ in 0..5 {
                    let pending: Vec<String> = explained
                        .iter()
                        .filter(|(_, (found, _))| !found)
                        .map(|(p, _)| p.clone())
                        .collect();
                    if pending.is_empty() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    for pod in pending {
                        if explain(client, &plan.namespace, &pod, tx).await {
                            explained.insert(pod, (true, 0));
                        }
                    }
                }
                let (verdicts, others): (BTreeMap<_, _>, BTreeMap<_, _>) =
                    last.into_iter().partition(|(k, _)| targets.contains_key(k));
                let counts = Counts::of(verdicts.values());
                return FollowReport {
                    verdicts,
                    others,
                    counts,
                    timed_out: timed_out && !all_final,
                    cancelled: false,
                };
            }
        } else if timed_out {
            let (verdicts, others): (BTreeMap<_, _>, BTreeMap<_, _>) =
                last.into_iter().partition(|(k, _)| targets.contains_key(k));
            let counts = Counts::of(verdicts.values());
            return FollowReport { verdicts, others, counts, timed_out: true, cancelled: false };
        }
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::select! {
            _ = tokio::time::sleep(options.poll.min(left).max(Duration::from_millis(10))) => {}
            _ = options.cancel.cancelled() => {}
        }
    }
}

/// A failed pod stays unavailable, so maxUnavailable keeps the rest from starting: once nothing
/// has moved for the stall limit, waiting longer cannot help. Not while a pod is FAILING: its
/// next attempt may succeed and free the rollout, and it turns FAILED by itself at the threshold.
fn blocked_behind_failures(verdicts: &[&Verdict]) -> bool {
    verdicts.iter().any(|v| matches!(v, Verdict::Failed(_)))
        && !verdicts.iter().any(|v| matches!(v, Verdict::Failing(_)))
}

/// Why each pod is not expected to move yet, from the order prediction on the set as it is now.
/// Override plans go straight to the pods: nothing holds them.
fn current_holds(snapshot: &Snapshot, plan: &Plan) -> BTreeMap<String, Option<WaitReason>> {
    if matches!(plan.scope, Scope::GameServers(_)) {
        return BTreeMap::new();
    }
    let gss = &snapshot.gss;
    let replicas = gss.replicas();
    let rollout = RolloutParams {
        replicas,
        partition: gss.partition(),
        max_unavailable: bump_plan::max_unavailable(
            gss.rolling_update().and_then(|r| r.max_unavailable.as_ref()),
            replicas,
        ),
        paused: gss.paused(),
    };
    let states: Vec<bump_plan::UpdateCandidate> = snapshot
        .pods
        .iter()
        .map(|p| {
            let name = p.metadata.name.clone().unwrap_or_default();
            bump_plan::UpdateCandidate {
                ordinal: names::ordinal(&plan.set, &name).map_or(-1, i64::from),
                update_priority: bump_plan::update_order::pod_rank(p),
                image: p
                    .spec
                    .as_ref()
                    .and_then(|s| s.containers.iter().find(|c| c.name == plan.container))
                    .and_then(|c| c.image.clone())
                    .unwrap_or_default(),
                overridden: None,
                available: bump_plan::is_pod_ready(p),
                name,
            }
        })
        .collect();
    bump_plan::predict_order(&states, &plan.to_image, rollout)
        .into_iter()
        .map(|p| {
            let hold = match p.action {
                PodAction::Waiting(r) => Some(r),
                _ => None,
            };
            (p.name, hold)
        })
        .collect()
}

/// Send the pod's recent Warning events (pull errors, FailedUpdatePodInPlace…); whether there
/// were any.
async fn explain(
    client: &kube::Client,
    namespace: &str,
    pod: &str,
    tx: &mpsc::Sender<BumpEvent>,
) -> bool {
    let api: Api<Event> = Api::namespaced(client.clone(), namespace);
    let lp = ListParams::default().fields(&format!("involvedObject.name={pod}"));
    // Not every server supports this field selector (the demo answers 400): then list the
    // namespace's events and filter here.
    let list = match api.list(&lp).await {
        Ok(l) if !l.items.is_empty() => l,
        _ => match api.list(&ListParams::default()).await {
            Ok(l) => l,
            Err(_) => return false,
        },
    };
    let mut events: Vec<Event> = list
        .items
        .into_iter()
        .filter(|e| e.involved_object.name.as_deref() == Some(pod))
        .filter(|e| e.type_.as_deref() != Some("Normal"))
        .collect();
    events.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
    for e in events.iter().rev().take(3).rev() {
        let _ = tx
            .send(BumpEvent::PodEvent {
                pod: pod.to_string(),
                reason: e.reason.clone().unwrap_or_default(),
                message: e.message.clone().unwrap_or_default(),
            })
            .await;
    }
    !events.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use okg_domain::rollout::{FailReason, Retrying};

    #[test]
    fn a_failing_pod_keeps_the_follow_from_giving_up() {
        let failed = Verdict::Failed(FailReason::ImagePull("x".into()));
        let failing =
            Verdict::Failing(Retrying::seen("ErrImagePull", FailReason::ImagePull("x".into())));
        let waiting = Verdict::Waiting(WaitReason::PriorityOrder { ahead: 1 });
        assert!(blocked_behind_failures(&[&failed, &waiting]));
        assert!(!blocked_behind_failures(&[&failed, &failing, &waiting]));
        assert!(!blocked_behind_failures(&[&failing, &waiting]));
    }
}
