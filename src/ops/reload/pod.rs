//! One pod's task: attempts with retries and backoff, the per-pod timeout, cancellation, and the
//! tail of its output.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::events::ReloadEvent;
use super::transport::ReloadTransport;
use crate::cluster::exec::Line;
use okg_domain::reload_plan::{
    Failure, Limits, OutputStream, OutputTail, PodResult, ReloadMethod, ReloadTarget, Verdict,
    backoff, classify,
};

/// Lines of each stream kept in a pod's result (all lines also go out as `ReloadEvent::Output`).
pub const TAIL_LINES: usize = 100;

/// Everything one pod's task needs.
pub(super) struct PodRun<T> {
    pub(super) transport: Arc<T>,
    pub(super) method: ReloadMethod,
    pub(super) limits: Limits,
    pub(super) progress: mpsc::Sender<ReloadEvent>,
    pub(super) cancel: CancellationToken,
    pub(super) jitter: Duration,
}

enum Ended {
    Verdict(Result<okg_domain::reload_plan::Answer, Failure>, u32),
    Timeout,
    Cancelled,
}

impl<T: ReloadTransport> PodRun<T> {
    pub(super) async fn run(self, target: ReloadTarget) -> PodResult {
        let started = Instant::now();
        let tail = Mutex::new(OutputTail::default());
        let (tx, mut rx) = mpsc::channel::<Line>(64);
        let work = self.attempts(&target, tx);
        let forward = async {
            while let Some((stream, line)) = rx.recv().await {
                keep(&tail, stream, &line);
                let event = ReloadEvent::Output { pod: target.pod.clone(), stream, line };
                let _ = self.progress.send(event).await;
            }
        };
        let both = async {
            let (v, ()) = futures::join!(work, forward);
            v
        };
        let ended = tokio::select! {
            r = tokio::time::timeout(self.limits.timeout, both) => match r {
                Ok((verdict, attempts)) => Ended::Verdict(verdict, attempts),
                Err(_) => Ended::Timeout,
            },
            _ = self.cancel.cancelled() => Ended::Cancelled,
        };
        let duration = started.elapsed();
        let output = tail.into_inner().unwrap_or_else(|p| p.into_inner());
        match ended {
            Ended::Verdict(Ok(answer), attempts) => {
                PodResult::Succeeded { answer, duration, attempts, output }
            }
            Ended::Verdict(Err(failure), attempts) => {
                PodResult::Failed { failure, duration, attempts, output }
            }
            Ended::Timeout => {
                PodResult::Failed { failure: Failure::Timeout, duration, attempts: 0, output }
            }
            Ended::Cancelled => PodResult::Cancelled { duration, output },
        }
    }

    /// Attempts until a verdict; retries only what `classify` calls transient.
    async fn attempts(
        &self,
        target: &ReloadTarget,
        lines: mpsc::Sender<Line>,
    ) -> (Result<okg_domain::reload_plan::Answer, Failure>, u32) {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let outcome = self.transport.attempt(target, &self.method, lines.clone()).await;
            match classify(&outcome) {
                Verdict::Success(answer) => return (Ok(answer), attempt),
                Verdict::Fail(failure) => return (Err(failure), attempt),
                Verdict::Retry(reason) if attempt <= self.limits.retries => {
                    let delay = backoff(attempt) + self.jitter;
                    let event = ReloadEvent::Retrying {
                        pod: target.pod.clone(),
                        attempt: attempt + 1,
                        reason,
                        delay_ms: delay.as_millis() as u64,
                    };
                    let _ = self.progress.send(event).await;
                    tokio::time::sleep(delay).await;
                }
                Verdict::Retry(reason) => {
                    let msg = format!("{reason} (gave up after {attempt} attempts)");
                    return (Err(Failure::Error(msg)), attempt);
                }
            }
        }
    }
}

/// Keep the last `TAIL_LINES` lines of each stream.
fn keep(tail: &Mutex<OutputTail>, stream: OutputStream, line: &str) {
    let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
    let lines = match stream {
        OutputStream::Stdout => &mut t.stdout,
        OutputStream::Stderr => &mut t.stderr,
    };
    lines.push(line.to_string());
    if lines.len() > TAIL_LINES {
        lines.remove(0);
        t.dropped += 1;
    }
}
