//! Following a bump: every targeted pod to its verdict, from the cluster's own answers.
use std::collections::BTreeSet;

use super::feed::{FeedSource, SetFeed};
use super::*;
use okg_domain::lifecycle;

#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// Give up after this long: unfinished pods become FAILED (not Ready in time) or STALLED.
    pub timeout: Duration,
    /// How often the verdicts are judged again without a change, for the clocks (stall,
    /// fail-after, timeout). Reads nothing: the view is kept by watches.
    pub rejudge: Duration,
    /// A pod that should be updating but has not started after this long is STALLED.
    pub stall_after: Duration,
    /// A pull error or crash loop the kubelet retries is FAILING until it has lasted this long,
    /// then FAILED (`rollout::RetryClock`).
    pub fail_after: Duration,
    /// Stops the follow early (a signal, quitting the console): the report says `cancelled` and
    /// holds the last verdicts seen. The one place a bump's interruption is noticed.
    pub cancel: CancellationToken,
    /// Where the view of the set comes from (`FeedSource::Console` in the console).
    pub feed: FeedSource,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            rejudge: Duration::from_secs(1),
            stall_after: Duration::from_secs(120),
            fail_after: rollout::DEFAULT_FAIL_AFTER,
            cancel: CancellationToken::new(),
            feed: FeedSource::Watch,
        }
    }
}

/// The end of a follow.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
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
/// Judges from a watch-fed view of the set (`SetFeed`): a change is judged when it comes, the
/// clocks every `rejudge`, and nothing is read per tick. Only the events that explain a failing
/// or stalled pod are read, when the view changes, a few times per pod.
pub async fn follow(
    client: &kube::Client,
    applied: &Applied,
    options: &FollowOptions,
    tx: &mpsc::Sender<BumpEvent>,
) -> FollowReport {
    let plan = &applied.plan;
    let mut feed = SetFeed::open(client, &plan.namespace, &plan.set, &options.feed);
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
    // The events already sent, so a look again sends only what is new.
    let mut sent: BTreeSet<String> = BTreeSet::new();
    // Said once: the Advanced StatefulSet cannot be read, so pods are judged by image.
    let mut asts_noted = false;
    // The last watch failure and missing-set note said, so each is said once.
    let mut said: Option<String> = None;
    // Whether the view changed since the last judgement (or this is the first).
    let mut fresh = true;
    let since = jiff::Timestamp::now() - applied.started.elapsed();
    let deadline = applied.started + options.timeout;
    loop {
        if options.cancel.is_cancelled() {
            let (verdicts, others): (BTreeMap<_, _>, BTreeMap<_, _>) =
                last.into_iter().partition(|(k, _)| targets.contains_key(k));
            let counts = Counts::of(verdicts.values());
            return FollowReport { verdicts, others, counts, timed_out: false, cancelled: true };
        }
        let timed_out = Instant::now() >= deadline;
        let look = feed.look();
        let problem = match (&look.error, look.missing) {
            (Some(e), _) => Some(format!("{e}; retrying")),
            (None, true) => Some(
                BumpError::NotFound { set: plan.set.clone(), namespace: plan.namespace.clone() }
                    .to_string(),
            ),
            _ => None,
        };
        if problem != said {
            if let Some(message) = problem.clone() {
                let _ = tx.send(BumpEvent::Note { message }).await;
            }
            said = problem;
        }
        if let Some(snapshot) = look.snapshot {
            let asts = look.asts;
            if let Some(note) = asts.fallback_note(&plan.set)
                && !std::mem::replace(&mut asts_noted, true)
            {
                let _ = tx.send(BumpEvent::Note { message: note }).await;
            }
            let revision = asts.update_revision_for(&plan.container, &plan.to_image);
            let holds = current_holds(&snapshot, plan, revision);
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
                    lifecycle: lifecycle::effective(&snapshot.gss),
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
            // The events are read when something moved, not on the clock's ticks.
            for (pod, v) in &last {
                if !(fresh || changed)
                    || !matches!(v, Verdict::Failing(_) | Verdict::Failed(_) | Verdict::Stalled(_))
                {
                    continue;
                }
                let (found, tries) = explained.entry(pod.clone()).or_insert((false, 0));
                if !*found && *tries < 10 {
                    *tries += 1;
                    *found = explain(client, &plan.namespace, &plan.set, pod, since, &mut sent, tx)
                        .await;
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
                        if explain(client, &plan.namespace, &plan.set, &pod, since, &mut sent, tx)
                            .await
                        {
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
        fresh = tokio::select! {
            _ = feed.changed() => true,
            _ = tokio::time::sleep(options.rejudge.min(left).max(Duration::from_millis(10))) => false,
            _ = options.cancel.cancelled() => false,
        };
        if fresh {
            // Each judgement copies the set's pods: a rollout's burst of events is judged once.
            tokio::select! {
                _ = tokio::time::sleep(SETTLE) => {}
                _ = options.cancel.cancelled() => {}
            }
        }
    }
}

/// How long a change waits for the rest of its burst before it is judged.
const SETTLE: Duration = Duration::from_millis(50);

/// A failed pod stays unavailable, so maxUnavailable keeps the rest from starting: once nothing
/// has moved for the stall limit, waiting longer cannot help. Not while a pod is FAILING: its
/// next attempt may succeed and free the rollout, and it turns FAILED by itself at the threshold.
fn blocked_behind_failures(verdicts: &[&Verdict]) -> bool {
    verdicts.iter().any(|v| matches!(v, Verdict::Failed(_)))
        && !verdicts.iter().any(|v| matches!(v, Verdict::Failing(_)))
}

/// Why each pod is not expected to move yet, from the order prediction on the set as it is now,
/// pods counted updated by `revision` (the Advanced StatefulSet's update revision) when it is
/// known. Override plans go straight to the pods: nothing holds them.
fn current_holds(
    snapshot: &Snapshot,
    plan: &Plan,
    revision: Option<&str>,
) -> BTreeMap<String, Option<WaitReason>> {
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
    // As OpenKruise counts unavailable pods now: lifecycle states, unfinished in-place updates,
    // minReadySeconds, terminating (`update_order::unavailable`).
    let now = Some(jiff::Timestamp::now());
    let ranked = gss.rolling_update().is_some();
    let states: Vec<bump_plan::UpdateCandidate> = snapshot
        .pods
        .iter()
        .map(|p| {
            let min_ready = gss.min_ready_seconds();
            // With its GameServer: without the revision, an override is what tells a pod on the
            // new image only through it.
            let gs = snapshot.gameservers.iter().find(|g| g.metadata.name == p.metadata.name);
            bump_plan::update_candidate(&plan.set, p, gs, &plan.container, ranked, min_ready, now)
        })
        .collect();
    bump_plan::predict_order_on(&states, &plan.to_image, rollout, revision)
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

/// Send what the cluster recorded about a pod that fails or does not move, each event once:
/// the kubelet's Warnings on the pod (pull errors, back-off), and the Advanced StatefulSet's
/// events that name it. OpenKruise records its in-place updates on the set, not the pod
/// (`SuccessfulUpdatePodInPlace` / `FailedUpdatePodInPlace`, kruise
/// `pkg/controller/statefulset/stateful_set_control.go`), so a success there says the controller
/// did patch the pod and the wait is the kubelet's. Two field-selected lists, never the whole
/// namespace. Whether a Warning was found (the caller looks again until one is).
async fn explain(
    client: &kube::Client,
    namespace: &str,
    set: &str,
    pod: &str,
    since: jiff::Timestamp,
    sent: &mut BTreeSet<String>,
    tx: &mpsc::Sender<BumpEvent>,
) -> bool {
    let api: Api<Event> = Api::namespaced(client.clone(), namespace);
    let on = |kind: &str, name: &str| {
        ListParams::default()
            .fields(&format!("involvedObject.kind={kind},involvedObject.name={name}"))
    };
    let on_pod = api.list(&on("Pod", pod)).await.map(|l| l.items).unwrap_or_default();
    let on_set = api.list(&on("StatefulSet", set)).await.map(|l| l.items).unwrap_or_default();
    let events = pod_story(on_pod, on_set, pod, since);
    let warned = events.iter().any(|e| e.type_.as_deref() == Some("Warning"));
    for e in &events {
        // The name and count: a repeat the recorder folded into the same object is news.
        let key = format!("{}#{}", e.metadata.name.as_deref().unwrap_or(""), e.count.unwrap_or(1));
        if !sent.insert(key) {
            continue;
        }
        let _ = tx
            .send(BumpEvent::PodEvent {
                pod: pod.to_string(),
                reason: e.reason.clone().unwrap_or_default(),
                message: e.message.clone().unwrap_or_default(),
            })
            .await;
    }
    warned
}

/// The events that explain one pod, oldest first: the last few of the pod's own non-Normal ones,
/// and the last few of its Advanced StatefulSet's (`apps.kruise.io`, not a core StatefulSet of
/// the same name) whose message names the pod. Each source is cut on its own, so a burst of
/// kubelet retries cannot push out the controller's word on the update. Only what happened since
/// the bump (`since`): the pod's creation or a previous bump's pull errors explain nothing now.
fn pod_story(
    on_pod: Vec<Event>,
    on_set: Vec<Event>,
    pod: &str,
    since: jiff::Timestamp,
) -> Vec<Event> {
    // Events carry whole seconds, and the cluster's clock is not ours: some slack.
    let since = since - jiff::SignedDuration::from_secs(STORY_SLACK_SECS);
    let recent = |e: &Event| e.last_timestamp.as_ref().is_none_or(|t| t.0 >= since);
    let last = |mut events: Vec<Event>| {
        events.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
        let cut = events.len().saturating_sub(STORY_PER_SOURCE);
        events.split_off(cut)
    };
    let mine = on_pod
        .into_iter()
        .filter(|e| e.involved_object.name.as_deref() == Some(pod))
        .filter(|e| e.type_.as_deref() != Some("Normal"))
        .filter(recent)
        .collect();
    let set = on_set
        .into_iter()
        .filter(|e| {
            e.involved_object
                .api_version
                .as_deref()
                .is_some_and(|v| v.starts_with("apps.kruise.io/"))
                && e.message.as_deref().is_some_and(|m| okg_domain::names::names_pod(m, pod))
        })
        .filter(recent)
        .collect();
    let mut events = last(mine);
    events.extend(last(set));
    events.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
    events
}

const STORY_PER_SOURCE: usize = 3;
const STORY_SLACK_SECS: i64 = 5;

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

    fn event(
        kind: &str,
        api: &str,
        name: &str,
        type_: &str,
        reason: &str,
        message: &str,
        at: i64,
    ) -> Event {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("{name}.{at}")},
            "involvedObject": {"kind": kind, "apiVersion": api, "name": name},
            "type": type_, "reason": reason, "message": message,
            "lastTimestamp": self::at(at).to_string(),
        }))
        .unwrap()
    }

    /// An event of the Advanced StatefulSet `gss`.
    fn on_set(type_: &str, reason: &str, message: &str, at: i64) -> Event {
        event("StatefulSet", "apps.kruise.io/v1beta1", "gss", type_, reason, message, at)
    }

    /// An event of the pod `gss-1`.
    fn on_pod(type_: &str, reason: &str, message: &str, at: i64) -> Event {
        event("Pod", "v1", "gss-1", type_, reason, message, at)
    }

    fn reasons(story: Vec<Event>) -> Vec<String> {
        story.into_iter().map(|e| e.reason.unwrap_or_default()).collect()
    }

    const UPDATED: &str = "successfully update pod gss-1 in-place(revision gss-7f)";

    /// Seconds after an arbitrary start, past the slack.
    fn at(secs: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    #[test]
    fn what_happened_before_the_bump_is_not_the_story() {
        let created = "create Pod gss-1 in StatefulSet gss successful";
        let set = vec![
            on_set("Normal", "SuccessfulCreate", created, -600),
            on_set("Normal", "SuccessfulUpdatePodInPlace", UPDATED, 1),
        ];
        let pod = vec![on_pod("Warning", "Failed", "old pull", -60)];
        assert_eq!(reasons(pod_story(pod, set, "gss-1", at(0))), ["SuccessfulUpdatePodInPlace"]);
    }

    #[test]
    fn a_pods_story_joins_its_warnings_and_the_sets_events_that_name_it() {
        let pod = vec![
            on_pod("Normal", "Pulling", "Pulling image", 1),
            on_pod("Warning", "Failed", "ErrImagePull", 3),
        ];
        let set = vec![
            on_set("Normal", "SuccessfulUpdatePodInPlace", UPDATED, 2),
            on_set("Normal", "SuccessfulUpdatePodInPlace", &UPDATED.replace("gss-1", "gss-10"), 2),
            event(
                "StatefulSet",
                "apps/v1",
                "gss",
                "Warning",
                "FailedCreate",
                "create Pod gss-1 in StatefulSet gss failed",
                2,
            ),
            on_set(
                "Warning",
                "FailedUpdatePodInPlace",
                "failed to update pod gss-1 in-place(revision gss-7f): denied",
                4,
            ),
        ];
        // Not the pod's Normal events, not gss-10's, not a core StatefulSet's; oldest first.
        assert_eq!(
            reasons(pod_story(pod, set, "gss-1", at(0))),
            ["SuccessfulUpdatePodInPlace", "Failed", "FailedUpdatePodInPlace"]
        );
    }

    #[test]
    fn kubelet_retries_do_not_push_out_the_sets_word() {
        let set = vec![on_set("Normal", "SuccessfulUpdatePodInPlace", UPDATED, 1)];
        let pod = (2..8).map(|t| on_pod("Warning", "BackOff", "back-off", t)).collect();
        let story = pod_story(pod, set, "gss-1", at(0));
        assert_eq!(story.len(), 1 + STORY_PER_SOURCE);
        assert_eq!(story[0].reason.as_deref(), Some("SuccessfulUpdatePodInPlace"));
        // The newest retries are the ones kept.
        assert_eq!(story.last().unwrap().metadata.name.as_deref(), Some("gss-1.7"));
    }

    #[test]
    fn the_pod_name_is_the_word_after_pod() {
        assert!(okg_domain::names::names_pod(
            "successfully update pod gss-1 in-place(revision r)",
            "gss-1"
        ));
        assert!(okg_domain::names::names_pod(
            "delete Pod gss-1 in StatefulSet gss successful",
            "gss-1"
        ));
        assert!(!okg_domain::names::names_pod(
            "successfully update pod gss-10 in-place(revision r)",
            "gss-1"
        ));
        assert!(!okg_domain::names::names_pod("gss-1 is mentioned without the word", "gss-1"));
    }
}
