//! FAILING: a pull error or crash loop the kubelet is still retrying, and when it becomes FAILED.
//!
//! The kubelet retries a failed pull and restarts a crashed container with an exponential
//! back-off (10 s, 20 s, 40 s… up to 5 min), so one sighting of `ErrImagePull` or
//! `CrashLoopBackOff` is not the end: a registry that answered 429 once, or a sidecar that lost a
//! race at start, is fine on the next attempt. A single look at a pod cannot tell how long this
//! has gone on, so [`super::verdict`] says FAILING and a [`RetryClock`], kept by the caller
//! across polls, fills in for how long and how many attempts, and turns it FAILED once it has
//! lasted the threshold.
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::{FailReason, Verdict};

/// The default threshold: long enough for the kubelet's first two retries (at about 10 s and
/// 30 s after the first failure), so a transient registry or start-up error gets its chances;
/// short enough that a tag that really is missing fails a canary in a minute, well inside the
/// default 5 min follow timeout and before the 2 min stall limit.
pub const DEFAULT_FAIL_AFTER: Duration = Duration::from_secs(60);

/// A pull error or crash loop of the target container that the kubelet is retrying.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Retrying {
    /// The kubelet's waiting reason now: `ErrImagePull`, `ImagePullBackOff`, `CrashLoopBackOff`…
    pub waiting: String,
    /// What the pod fails with if it goes on, with the kubelet's message.
    pub failure: FailReason,
    /// Seconds since it was first seen failing in this follow.
    pub for_secs: u64,
    /// Failed attempts seen: each fresh `ErrImagePull`, each return to a back-off after the
    /// container ran or the pull was tried again.
    pub attempts: u32,
    /// It becomes FAILED once it has lasted this long.
    pub fail_after_secs: u64,
}

impl Retrying {
    /// What one look at the pod shows: the clock is the [`RetryClock`]'s to fill in.
    pub fn seen(waiting: &str, failure: FailReason) -> Retrying {
        Retrying { waiting: waiting.into(), failure, for_secs: 0, attempts: 1, fail_after_secs: 0 }
    }
}

impl fmt::Display for Retrying {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.attempts == 1 { "" } else { "s" };
        write!(
            f,
            "retrying: {} for {}s, {} failed attempt{plural} seen, FAILED at {}s; {}",
            self.waiting, self.for_secs, self.attempts, self.fail_after_secs, self.failure
        )
    }
}

/// Per pod, when it was first seen failing and how often, across the polls of one follow.
#[derive(Clone, Debug)]
pub struct RetryClock {
    fail_after: Duration,
    pods: BTreeMap<String, Sighting>,
}

#[derive(Clone, Debug)]
struct Sighting {
    first: Duration,
    attempts: u32,
    /// The waiting reason at the last poll, `None` when the pod was not failing then.
    last: Option<String>,
}

impl RetryClock {
    pub fn new(fail_after: Duration) -> RetryClock {
        RetryClock { fail_after, pods: BTreeMap::new() }
    }

    /// This poll's verdict of `pod`, `now` being the time since the follow began. A FAILING one
    /// gets how long and how often it has been seen, and is FAILED once that reaches the
    /// threshold; any other verdict passes unchanged.
    ///
    /// The clock starts at the first sighting and is not reset when the pod looks fine for a
    /// while: a crash-looping container runs between its crashes, and a pull is retried between
    /// back-offs. A pod that really recovers reaches IN PLACE, a final verdict, instead.
    pub fn settle(&mut self, pod: &str, verdict: Verdict, now: Duration) -> Verdict {
        let Verdict::Failing(seen) = verdict else {
            if let Some(s) = self.pods.get_mut(pod) {
                s.last = None;
            }
            return verdict;
        };
        let s = self.pods.entry(pod.to_string()).or_insert(Sighting {
            first: now,
            attempts: 0,
            last: None,
        });
        if is_new_attempt(s.last.as_deref(), &seen.waiting) {
            s.attempts += 1;
        }
        s.last = Some(seen.waiting.clone());
        let lasted = now.saturating_sub(s.first);
        if lasted >= self.fail_after {
            return Verdict::Failed(seen.failure);
        }
        Verdict::Failing(Retrying {
            for_secs: lasted.as_secs(),
            attempts: s.attempts,
            fail_after_secs: self.fail_after.as_secs(),
            ..seen
        })
    }
}

/// A back-off after the attempt it follows is the same attempt (`ErrImagePull` →
/// `ImagePullBackOff`); anything after a poll without failure, or a fresh error, is a new one.
fn is_new_attempt(last: Option<&str>, now: &str) -> bool {
    match last {
        None => true,
        Some(last) => last != now && !now.ends_with("BackOff"),
    }
}
