//! What a run tells its caller: progress events as they happen, and the report at the end.
use serde::Serialize;

use okg_domain::reload_plan::{
    Limits, OutputStream, PodResult, ReloadMethod, ReloadTarget, StopReason, Summary,
};

/// Progress, in the order it happens. Pods are named by `pod` (unique within a run's namespace).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ReloadEvent {
    /// A target joined the run (from the list, or later from the channel).
    Queued {
        pod: String,
    },
    Started {
        pod: String,
    },
    /// A transient API error; trying again after `delay_ms`.
    Retrying {
        pod: String,
        attempt: u32,
        reason: String,
        delay_ms: u64,
    },
    Output {
        pod: String,
        stream: OutputStream,
        line: String,
    },
    Finished {
        pod: String,
        result: PodResult,
    },
    /// Batch `index` (0 = canary) ended.
    BatchDone {
        index: usize,
        succeeded: usize,
        failed: usize,
    },
    Pausing {
        ms: u64,
    },
    /// No more pods will start; pending ones end as skipped.
    Stopping {
        reason: StopReason,
    },
    Summary {
        summary: Summary,
    },
}

/// The outcome of a run: every target with its result, in the order they were queued.
#[derive(Clone, Debug, Serialize)]
pub struct ReloadReport {
    pub method: ReloadMethod,
    pub limits: Limits,
    pub results: Vec<TargetResult>,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<StopReason>,
    pub elapsed_ms: u64,
    /// Set when the audit log could not be written (the run itself went ahead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TargetResult {
    #[serde(flatten)]
    pub target: ReloadTarget,
    #[serde(flatten)]
    pub result: PodResult,
}
