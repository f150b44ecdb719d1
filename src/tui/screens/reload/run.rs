//! The live reload view's model: every pod's status, duration and output, the counts and the
//! summary, built from `ReloadEvent`s only (pure; the I/O shell delivers the events in batches).
use std::collections::{HashMap, VecDeque};

use jiff::Timestamp;

use crate::ops::reload::ReloadEvent;
use okg_domain::reload_plan::{Limits, OutputStream, PodResult, ReloadMethod, StopReason, Summary};

/// Output lines kept for the tail pane (every pod's lines, newest last).
pub const TAIL: usize = 200;

#[derive(Clone, Debug, PartialEq)]
pub enum PodProgress {
    Pending,
    Running { since: Timestamp, attempt: u32 },
    Done(PodResult),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PodLine {
    pub pod: String,
    pub state: PodProgress,
    /// The pod's last output line, with its stream.
    pub last: Option<(OutputStream, String)>,
}

/// Counts for the progress line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub succeeded: usize,
    pub failed: usize,
    pub running: usize,
    pub pending: usize,
    pub skipped: usize,
    pub cancelled: usize,
}

impl Counts {
    pub fn done(&self) -> usize {
        self.succeeded + self.failed + self.skipped + self.cancelled
    }
    pub fn total(&self) -> usize {
        self.done() + self.running + self.pending
    }
}

pub struct ReloadView {
    pub method: ReloadMethod,
    pub limits: Limits,
    /// The exec container when all targets share one.
    pub container: Option<String>,
    pub pods: Vec<PodLine>,
    index: HashMap<String, usize>,
    pub tail: VecDeque<(String, OutputStream, String)>,
    pub started: Timestamp,
    pub stopping: Option<StopReason>,
    pub pausing: bool,
    pub summary: Option<Summary>,
    /// Set when the run could not start at all (no writer, the task died).
    pub error: Option<String>,
    /// The user asked to cancel (shown until the summary arrives).
    pub cancel_requested: bool,
    pub scroll: usize,
}

impl ReloadView {
    pub fn new(
        method: ReloadMethod,
        limits: Limits,
        container: Option<String>,
        pods: &[String],
        now: Timestamp,
    ) -> Self {
        let mut v = ReloadView {
            method,
            limits,
            container,
            pods: Vec::new(),
            index: HashMap::new(),
            tail: VecDeque::new(),
            started: now,
            stopping: None,
            pausing: false,
            summary: None,
            error: None,
            cancel_requested: false,
            scroll: 0,
        };
        for p in pods {
            v.line(p);
        }
        v
    }

    fn line(&mut self, pod: &str) -> &mut PodLine {
        let i = match self.index.get(pod) {
            Some(i) => *i,
            None => {
                self.pods.push(PodLine {
                    pod: pod.into(),
                    state: PodProgress::Pending,
                    last: None,
                });
                self.index.insert(pod.into(), self.pods.len() - 1);
                self.pods.len() - 1
            }
        };
        &mut self.pods[i]
    }

    pub fn apply(&mut self, event: ReloadEvent, now: Timestamp) {
        match event {
            ReloadEvent::Queued { pod } => {
                self.line(&pod);
            }
            ReloadEvent::Started { pod } => {
                self.pausing = false;
                self.line(&pod).state = PodProgress::Running { since: now, attempt: 1 };
            }
            ReloadEvent::Retrying { pod, attempt, .. } => {
                let l = self.line(&pod);
                if let PodProgress::Running { since, .. } = l.state {
                    l.state = PodProgress::Running { since, attempt: attempt + 1 };
                }
            }
            ReloadEvent::Output { pod, stream, line } => {
                self.line(&pod).last = Some((stream, line.clone()));
                self.tail.push_back((pod, stream, line));
                while self.tail.len() > TAIL {
                    self.tail.pop_front();
                }
            }
            ReloadEvent::Finished { pod, result } => {
                self.line(&pod).state = PodProgress::Done(result);
            }
            ReloadEvent::BatchDone { .. } => {}
            ReloadEvent::Pausing { .. } => self.pausing = true,
            ReloadEvent::Stopping { reason } => self.stopping = Some(reason),
            ReloadEvent::Summary { summary } => {
                self.pausing = false;
                self.summary = Some(summary);
            }
        }
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for p in &self.pods {
            match &p.state {
                PodProgress::Pending => c.pending += 1,
                PodProgress::Running { .. } => c.running += 1,
                PodProgress::Done(PodResult::Succeeded { .. }) => c.succeeded += 1,
                PodProgress::Done(PodResult::Failed { .. }) => c.failed += 1,
                PodProgress::Done(PodResult::Skipped { .. }) => c.skipped += 1,
                PodProgress::Done(PodResult::Cancelled { .. }) => c.cancelled += 1,
            }
        }
        c
    }

    /// The run is over: a summary arrived, or it never started.
    pub fn finished(&self) -> bool {
        self.summary.is_some() || self.error.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use okg_domain::reload_plan::{Answer, OutputTail};
    use std::time::Duration;

    fn view() -> ReloadView {
        let pods = ["p-0".to_string(), "p-1".to_string(), "p-2".to_string()];
        ReloadView::new(
            ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap(),
            Limits::default(),
            Some("app".into()),
            &pods,
            Timestamp::UNIX_EPOCH,
        )
    }

    #[test]
    fn events_move_pods_through_their_states() {
        let mut v = view();
        let now = Timestamp::UNIX_EPOCH;
        assert_eq!(v.counts().pending, 3);
        v.apply(ReloadEvent::Started { pod: "p-0".into() }, now);
        v.apply(
            ReloadEvent::Output {
                pod: "p-0".into(),
                stream: OutputStream::Stdout,
                line: "ok".into(),
            },
            now,
        );
        let ok = PodResult::Succeeded {
            answer: Answer::Exit(0),
            duration: Duration::from_millis(200),
            attempts: 1,
            output: OutputTail::default(),
        };
        v.apply(ReloadEvent::Finished { pod: "p-0".into(), result: ok }, now);
        v.apply(ReloadEvent::Started { pod: "p-1".into() }, now);
        let c = v.counts();
        assert_eq!((c.succeeded, c.running, c.pending), (1, 1, 1));
        assert_eq!(v.tail.len(), 1);
        assert_eq!(v.pods[0].last, Some((OutputStream::Stdout, "ok".into())));
        v.apply(ReloadEvent::Queued { pod: "late".into() }, now);
        assert_eq!(v.counts().total(), 4, "a pod queued later joins the view");
        assert!(!v.finished());
        v.apply(ReloadEvent::Summary { summary: Summary::default() }, now);
        assert!(v.finished());
    }
}
