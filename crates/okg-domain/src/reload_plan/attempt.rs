//! One attempt, as the transport reports it, and what to do about it.
use std::time::Duration;

use super::{Answer, Failure};

/// What one attempt on one pod came to. Transports (the real exec/proxy, a test fake) report
/// this; `classify` turns it into a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The command ran and exited with this code.
    Exited(i32),
    /// The pod answered the HTTP reload with this status.
    Answered(u16),
    /// The API server refused before the command ran (HTTP status and message).
    Refused { status: u16, message: String },
    /// The connection failed before the command started (reset, refused, TLS, ...).
    NotConnected(String),
    /// The command may have run but we lost track of it (stream closed without an exit status,
    /// a malformed status). Never retried: the reload might have happened.
    Lost(String),
}

/// The decision for an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptVerdict {
    Success(Answer),
    Fail(Failure),
    /// A transient API error: try again after `backoff` if attempts remain.
    Retry(String),
}

/// Decide what an attempt means. Retries happen only when the API server or the connection
/// failed before anything ran in the pod: a command that exited non-zero, or an app that
/// answered 5xx, did run and reloading twice is not what the operator asked for.
pub fn classify(attempt: &Attempt) -> AttemptVerdict {
    match attempt {
        Attempt::Exited(0) => AttemptVerdict::Success(Answer::Exit(0)),
        Attempt::Exited(c) => AttemptVerdict::Fail(Failure::Exit(*c)),
        Attempt::Answered(s) if (200..300).contains(s) => {
            AttemptVerdict::Success(Answer::HttpStatus(*s))
        }
        Attempt::Answered(s) => AttemptVerdict::Fail(Failure::HttpStatus(*s)),
        Attempt::Refused { status, message } => {
            if is_transient_status(*status) {
                AttemptVerdict::Retry(format!("API server answered {status}: {message}"))
            } else {
                AttemptVerdict::Fail(Failure::Error(format!(
                    "API server answered {status}: {message}"
                )))
            }
        }
        Attempt::NotConnected(m) => AttemptVerdict::Retry(format!("connection failed: {m}")),
        Attempt::Lost(m) => AttemptVerdict::Fail(Failure::Error(m.clone())),
    }
}

/// Statuses the API server uses for "try again": throttled (429), internal trouble (500),
/// unavailable (503), gateway timeout (504, also its own request timeout).
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 503 | 504)
}

/// Wait before retry number `retry` (1-based): 250 ms doubling, capped at 4 s. No jitter
/// source here (pure); the executor adds a per-pod offset so a throttled burst spreads out.
pub fn backoff(retry: u32) -> Duration {
    let ms = 250u64.saturating_mul(1u64 << retry.saturating_sub(1).min(10));
    Duration::from_millis(ms.min(4_000))
}
