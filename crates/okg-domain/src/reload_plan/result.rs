//! How each pod ended, and the counts over a run.
use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::limits::duration_ms;

/// What a successful reload answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Answer {
    Exit(i32),
    HttpStatus(u16),
}

/// Why a reload failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Failure {
    /// The command ran and exited non-zero.
    Exit(i32),
    /// The pod answered with a non-2xx status.
    HttpStatus(u16),
    /// The per-pod timeout elapsed (the exec or request was aborted).
    Timeout,
    /// The API server refused, or the connection broke; the message says which.
    Error(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Exit(c) => write!(f, "exit {c}"),
            Failure::HttpStatus(s) => write!(f, "HTTP {s}"),
            Failure::Timeout => write!(f, "timed out"),
            Failure::Error(e) => write!(f, "error: {e}"),
        }
    }
}

/// Which stream an output line came from (an HTTP reload's body counts as stdout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum OutputStream {
    Stdout,
    Stderr,
}

/// The last lines of a pod's output, kept in its result (every line also goes out as a progress
/// event as it arrives).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputTail {
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
    /// Lines dropped from the front because of the cap.
    #[serde(skip_serializing_if = "is_zero")]
    pub dropped: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// How a pod ended. Every target of a run ends with exactly one of these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum PodResult {
    Succeeded {
        answer: Answer,
        #[serde(with = "duration_ms", rename = "durationMs")]
        duration: Duration,
        attempts: u32,
        output: OutputTail,
    },
    Failed {
        failure: Failure,
        #[serde(with = "duration_ms", rename = "durationMs")]
        duration: Duration,
        attempts: u32,
        output: OutputTail,
    },
    /// Never started; the reason says why (threshold, canary, cancelled before start).
    Skipped { reason: String },
    /// Started, then aborted by a cancel: whether the reload took effect is unknown to us, and
    /// the result says so rather than guessing.
    Cancelled {
        #[serde(with = "duration_ms", rename = "durationMs")]
        duration: Duration,
        output: OutputTail,
    },
}

impl PodResult {
    pub fn is_success(&self) -> bool {
        matches!(self, PodResult::Succeeded { .. })
    }
    pub fn is_failure(&self) -> bool {
        matches!(self, PodResult::Failed { .. })
    }
    /// "✓ exit 0", "✗ exit 1", "- skipped: ...", "⊘ cancelled" (ASCII: ok / FAIL / skip / cancel).
    pub fn short(&self, unicode: bool) -> String {
        let mark = |u: &'static str, a: &'static str| if unicode { u } else { a };
        match self {
            PodResult::Succeeded { answer: Answer::Exit(c), .. } => {
                format!("{} exit {c}", mark("✓", "ok"))
            }
            PodResult::Succeeded { answer: Answer::HttpStatus(s), .. } => {
                format!("{} HTTP {s}", mark("✓", "ok"))
            }
            PodResult::Failed { failure, .. } => format!("{} {failure}", mark("✗", "FAIL")),
            PodResult::Skipped { reason } => format!("{} skipped: {reason}", mark("-", "skip")),
            PodResult::Cancelled { .. } => {
                format!("{} cancelled while running", mark("⊘", "cancel"))
            }
        }
    }
    pub fn duration(&self) -> Option<Duration> {
        match self {
            PodResult::Succeeded { duration, .. }
            | PodResult::Failed { duration, .. }
            | PodResult::Cancelled { duration, .. } => Some(*duration),
            PodResult::Skipped { .. } => None,
        }
    }
}

/// Counts over a run's results.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub total: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub skipped: usize,
    pub cancelled: usize,
}

impl Summary {
    pub fn of<'a>(results: impl IntoIterator<Item = &'a PodResult>) -> Self {
        let mut s = Summary::default();
        for r in results {
            s.total += 1;
            match r {
                PodResult::Succeeded { .. } => s.succeeded += 1,
                PodResult::Failed { .. } => s.failed += 1,
                PodResult::Skipped { .. } => s.skipped += 1,
                PodResult::Cancelled { .. } => s.cancelled += 1,
            }
        }
        s
    }
    pub fn all_succeeded(&self) -> bool {
        self.succeeded == self.total
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} pods: {} succeeded, {} failed, {} skipped, {} cancelled",
            self.total, self.succeeded, self.failed, self.skipped, self.cancelled
        )
    }
}
