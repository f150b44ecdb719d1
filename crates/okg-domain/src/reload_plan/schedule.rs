//! The scheduler: which pod to start next, and when to stop.
use serde::Serialize;

use super::*;

/// Why no more pods will be started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum StopReason {
    CanaryFailed { failed: usize, of: usize },
    Threshold { failures: usize },
    Cancelled,
}

impl StopReason {
    /// The reason given to the pods that will not start.
    pub fn skip_reason(&self) -> String {
        match self {
            StopReason::CanaryFailed { failed, of } => {
                format!("canary batch failed ({failed} of {of})")
            }
            StopReason::Threshold { failures } => {
                format!("failure threshold reached ({failures} failed)")
            }
            StopReason::Cancelled => "cancelled before start".into(),
        }
    }
}

/// What the executor should do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Start the next pending target.
    Start,
    /// Wait for a running reload to finish, or for more targets to arrive.
    Wait,
    /// The current batch is complete: pause, then call `Scheduler::next_batch`.
    BatchDone { index: usize },
    /// Start nothing more; skip whatever is pending or arrives later with this reason.
    Stop(StopReason),
    /// Everything is done.
    Done,
}

/// The scheduler's bookkeeping. The executor tells it what happened (`started`, `finished`,
/// `cancel`) and asks `next` what to do; it never sees a pod name.
#[derive(Clone, Debug)]
pub struct Scheduler {
    limits: Limits,
    running: usize,
    failures: usize,
    batch_index: usize,
    started_in_batch: usize,
    finished_in_batch: usize,
    failed_in_batch: usize,
    stop: Option<StopReason>,
}

impl Scheduler {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            running: 0,
            failures: 0,
            batch_index: 0,
            started_in_batch: 0,
            finished_in_batch: 0,
            failed_in_batch: 0,
            stop: None,
        }
    }

    pub fn running(&self) -> usize {
        self.running
    }
    pub fn failures(&self) -> usize {
        self.failures
    }
    pub fn batch_index(&self) -> usize {
        self.batch_index
    }
    pub fn stopped(&self) -> Option<&StopReason> {
        self.stop.as_ref()
    }

    /// `pending`: a target is waiting to start. `input_closed`: no more targets will arrive.
    pub fn next(&self, pending: bool, input_closed: bool) -> Next {
        if let Some(reason) = &self.stop {
            return if self.running == 0 && input_closed && !pending {
                Next::Done
            } else {
                Next::Stop(reason.clone())
            };
        }
        let batch_full = self.limits.batch.is_some_and(|b| self.started_in_batch >= b);
        if batch_full {
            // The batch has all its pods; it ends when the last of them finishes.
            return if self.running == 0 {
                Next::BatchDone { index: self.batch_index }
            } else {
                Next::Wait
            };
        }
        if self.running >= self.limits.parallel {
            return Next::Wait;
        }
        if pending {
            return Next::Start;
        }
        if input_closed && self.running == 0 {
            return Next::Done;
        }
        Next::Wait
    }

    pub fn started(&mut self) {
        self.running += 1;
        self.started_in_batch += 1;
    }

    /// A started pod ended (succeeded, failed or cancelled).
    pub fn finished(&mut self, result: &PodResult) {
        self.running = self.running.saturating_sub(1);
        self.finished_in_batch += 1;
        if result.is_failure() {
            self.failures += 1;
            self.failed_in_batch += 1;
            if self.stop.is_none() && self.limits.max_failures.is_some_and(|m| self.failures >= m) {
                self.stop = Some(StopReason::Threshold { failures: self.failures });
            }
        }
    }

    /// After `Next::BatchDone` (and the pause): judge the finished batch, open the next one.
    /// The first batch is the canary: any failure in it stops the run.
    pub fn next_batch(&mut self) {
        if self.batch_index == 0 && self.failed_in_batch > 0 && self.stop.is_none() {
            self.stop = Some(StopReason::CanaryFailed {
                failed: self.failed_in_batch,
                of: self.finished_in_batch,
            });
        }
        self.batch_index += 1;
        self.started_in_batch = 0;
        self.finished_in_batch = 0;
        self.failed_in_batch = 0;
    }

    /// Whether the batch that just ended should be followed by a pause (not after a stop).
    pub fn canary_failed_now(&self) -> bool {
        self.batch_index == 0 && self.failed_in_batch > 0
    }

    pub fn cancel(&mut self) {
        self.stop = Some(StopReason::Cancelled);
    }
}
