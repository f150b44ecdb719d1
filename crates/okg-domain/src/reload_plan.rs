//! The reload plan, pure: what to run (`ReloadMethod`), where (`ReloadTarget`), within which limits
//! (`Limits`), how each pod ended (`PodResult`), and the scheduler's decisions (`Scheduler`,
//! `classify`, `backoff`). The async executor in `ops::reload` only carries these decisions out,
//! so everything that decides "start, wait, pause, stop or retry" is tested here without I/O.
//!
//! The per-set default reload (annotation `okg-console.io/reload` or `[reload.<set>]` in
//! `config.toml`) is parsed here too; its format is documented in docs/reload.md.
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// What to run
// ---------------------------------------------------------------------------------------------

/// How a pod is told to reload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReloadMethod {
    /// Run this argv in a container (no shell unless argv itself is `sh -c ...`).
    Exec { argv: Vec<String> },
    /// GET `/PATH` on `PORT` of the pod, through the API server's pods/proxy.
    Http { port: u16, path: String },
}

impl ReloadMethod {
    /// Parse `PORT/PATH` (e.g. `3000/reload`). The path keeps any query string.
    pub fn parse_http(spec: &str) -> Result<Self, String> {
        let spec = spec.trim();
        let (port, path) = spec
            .split_once('/')
            .ok_or_else(|| format!("--http wants PORT/PATH (e.g. 3000/reload), not {spec:?}"))?;
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("--http: {port:?} is not a port number (1-65535)"))?;
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("--http: the path {path:?} contains whitespace"));
        }
        Ok(ReloadMethod::Http { port, path: format!("/{path}") })
    }

    pub fn exec<I: IntoIterator<Item = S>, S: Into<String>>(argv: I) -> Result<Self, String> {
        let argv: Vec<String> = argv.into_iter().map(Into::into).collect();
        if argv.is_empty() || argv[0].is_empty() {
            return Err("--exec needs a command (e.g. --exec nginx -s reload)".into());
        }
        Ok(ReloadMethod::Exec { argv })
    }

    pub fn is_exec(&self) -> bool {
        matches!(self, ReloadMethod::Exec { .. })
    }
}

impl fmt::Display for ReloadMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Words with spaces are quoted so the user sees the argv boundaries.
            ReloadMethod::Exec { argv } => {
                let words: Vec<String> = argv
                    .iter()
                    .map(|w| {
                        if w.is_empty() || w.chars().any(char::is_whitespace) {
                            format!("{w:?}")
                        } else {
                            w.clone()
                        }
                    })
                    .collect();
                write!(f, "exec {}", words.join(" "))
            }
            ReloadMethod::Http { port, path } => write!(f, "http GET :{port}{path}"),
        }
    }
}

/// One pod to reload. `container` is the exec container, resolved before the run (ignored by
/// HTTP reloads); `None` lets the API server pick (only valid for one-container pods).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReloadTarget {
    pub namespace: String,
    pub pod: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The owning GameServerSet, when known (for ordering and messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set: Option<String>,
}

impl ReloadTarget {
    pub fn new(namespace: impl Into<String>, pod: impl Into<String>) -> Self {
        Self { namespace: namespace.into(), pod: pod.into(), container: None, set: None }
    }
}

/// Order targets the way an operator reads them: by set, then by the pod's ordinal as a number
/// (`gss-2`, before `gss-10`), then by name. Canary batches are thus the lowest ordinals.
pub fn order_targets(targets: &mut [ReloadTarget]) {
    targets.sort_by(|a, b| {
        let key = |t: &ReloadTarget| {
            let (stem, ordinal) = split_ordinal(&t.pod);
            (t.set.clone().unwrap_or_default(), stem.to_string(), ordinal)
        };
        key(a).cmp(&key(b)).then_with(|| a.pod.cmp(&b.pod))
    });
}

fn split_ordinal(name: &str) -> (&str, u64) {
    match name.rsplit_once('-') {
        Some((stem, n)) => match n.parse() {
            Ok(n) => (stem, n),
            Err(_) => (name, 0),
        },
        None => (name, 0),
    }
}

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Reloads running at once (at least 1).
    pub parallel: usize,
    /// Batch size; `None` = one batch of everything (no canary).
    pub batch: Option<usize>,
    /// Pause between batches.
    #[serde(with = "duration_ms", rename = "pause_ms")]
    pub pause: Duration,
    /// Stop starting pods once this many have failed; `None` = never stop.
    pub max_failures: Option<usize>,
    /// Per pod, for all attempts together.
    #[serde(with = "duration_ms", rename = "timeout_ms")]
    pub timeout: Duration,
    /// Extra attempts after a transient API error (never after the command ran).
    pub retries: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            parallel: 10,
            batch: None,
            pause: Duration::ZERO,
            max_failures: None,
            timeout: Duration::from_secs(30),
            retries: 3,
        }
    }
}

impl Limits {
    /// Reject limits that cannot work, with a message naming the flag.
    pub fn validate(&self) -> Result<(), String> {
        if self.parallel == 0 {
            return Err("--parallel must be at least 1".into());
        }
        if self.batch == Some(0) {
            return Err("--batch must be at least 1".into());
        }
        if self.max_failures == Some(0) {
            return Err("--max-failures must be at least 1".into());
        }
        if self.timeout.is_zero() {
            return Err("--timeout must be more than 0".into());
        }
        Ok(())
    }

    /// "parallel 4 · batch 4, pause 5s · stop after 2 failures · timeout 30s"
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("parallel {}", self.parallel)];
        if let Some(b) = self.batch {
            parts.push(format!(
                "batch {b} (first is the canary), pause {}",
                humantime::format_duration(self.pause)
            ));
        }
        match self.max_failures {
            Some(n) => {
                parts.push(format!("stop after {n} failure{}", if n == 1 { "" } else { "s" }))
            }
            None => parts.push("no failure limit".into()),
        }
        parts.push(format!("timeout {}", humantime::format_duration(self.timeout)));
        parts.join(" · ")
    }
}

mod duration_ms {
    pub fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

/// What a successful reload answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Exit(i32),
    HttpStatus(u16),
}

/// Why a reload failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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
#[serde(rename_all = "snake_case")]
pub enum OutputStream {
    Stdout,
    Stderr,
}

/// The last lines of a pod's output, kept in its result (every line also goes out as a progress
/// event as it arrives).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
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
#[serde(tag = "result", rename_all = "snake_case")]
pub enum PodResult {
    Succeeded {
        answer: Answer,
        #[serde(with = "duration_ms", rename = "duration_ms")]
        duration: Duration,
        attempts: u32,
        output: OutputTail,
    },
    Failed {
        failure: Failure,
        #[serde(with = "duration_ms", rename = "duration_ms")]
        duration: Duration,
        attempts: u32,
        output: OutputTail,
    },
    /// Never started; the reason says why (threshold, canary, cancelled before start).
    Skipped { reason: String },
    /// Started, then aborted by a cancel: whether the reload took effect is unknown to us, and
    /// the result says so rather than guessing.
    Cancelled {
        #[serde(with = "duration_ms", rename = "duration_ms")]
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

// ---------------------------------------------------------------------------------------------
// One attempt, as the transport reports it, and what to do about it
// ---------------------------------------------------------------------------------------------

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
pub enum Verdict {
    Success(Answer),
    Fail(Failure),
    /// A transient API error: try again after `backoff` if attempts remain.
    Retry(String),
}

/// Decide what an attempt means. Retries happen only when the API server or the connection
/// failed before anything ran in the pod: a command that exited non-zero, or an app that
/// answered 5xx, did run and reloading twice is not what the operator asked for.
pub fn classify(attempt: &Attempt) -> Verdict {
    match attempt {
        Attempt::Exited(0) => Verdict::Success(Answer::Exit(0)),
        Attempt::Exited(c) => Verdict::Fail(Failure::Exit(*c)),
        Attempt::Answered(s) if (200..300).contains(s) => Verdict::Success(Answer::HttpStatus(*s)),
        Attempt::Answered(s) => Verdict::Fail(Failure::HttpStatus(*s)),
        Attempt::Refused { status, message } => {
            if is_transient_status(*status) {
                Verdict::Retry(format!("API server answered {status}: {message}"))
            } else {
                Verdict::Fail(Failure::Error(format!("API server answered {status}: {message}")))
            }
        }
        Attempt::NotConnected(m) => Verdict::Retry(format!("connection failed: {m}")),
        Attempt::Lost(m) => Verdict::Fail(Failure::Error(m.clone())),
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

// ---------------------------------------------------------------------------------------------
// The scheduler: which to start next
// ---------------------------------------------------------------------------------------------

/// Why no more pods will be started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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

// ---------------------------------------------------------------------------------------------
// Per-set defaults
// ---------------------------------------------------------------------------------------------

/// A set's default reload, from the GameServerSet annotation `okg-console.io/reload` (JSON) or
/// `[reload.<set>]` in config.toml. Exactly one of `exec` / `http`.
///
/// ```json
/// {"exec": ["nginx", "-s", "reload"], "container": "app-2048"}
/// {"http": "3000/reload"}
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReloadDefault {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
}

impl ReloadDefault {
    /// Parse the annotation value.
    pub fn from_annotation(value: &str) -> Result<Self, String> {
        let d: ReloadDefault = serde_json::from_str(value)
            .map_err(|e| format!("annotation {}: {e}", crate::types::annotations::RELOAD))?;
        d.method().map(|_| d.clone())
    }

    /// The method this default names.
    pub fn method(&self) -> Result<ReloadMethod, String> {
        match (&self.exec, &self.http) {
            (Some(argv), None) => ReloadMethod::exec(argv.clone()),
            (None, Some(http)) => ReloadMethod::parse_http(http),
            (Some(_), Some(_)) => Err("a reload default has both \"exec\" and \"http\"".into()),
            (None, None) => Err("a reload default needs \"exec\" or \"http\"".into()),
        }
    }
}

/// `config.toml`'s `[reload.<set>]` tables.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReloadConfig {
    #[serde(default)]
    pub reload: BTreeMap<String, ReloadDefault>,
}

impl ReloadConfig {
    pub fn parse(text: &str) -> Result<Self, String> {
        let c: ReloadConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        for (set, d) in &c.reload {
            d.method().map_err(|e| format!("[reload.{set}]: {e}"))?;
        }
        Ok(c)
    }
}

/// The default for one set: the user's config file wins over the set's annotation (a local,
/// explicit choice), and a broken annotation is an error rather than silently ignored.
pub fn default_for_set(
    config: Option<&ReloadConfig>,
    annotation: Option<&str>,
    set: &str,
) -> Result<Option<ReloadDefault>, String> {
    if let Some(d) = config.and_then(|c| c.reload.get(set)) {
        return Ok(Some(d.clone()));
    }
    match annotation {
        Some(a) => ReloadDefault::from_annotation(a)
            .map(Some)
            .map_err(|e| format!("GameServerSet {set}: {e}")),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(d: Duration) -> PodResult {
        PodResult::Succeeded {
            answer: Answer::Exit(0),
            duration: d,
            attempts: 1,
            output: OutputTail::default(),
        }
    }
    fn failed() -> PodResult {
        PodResult::Failed {
            failure: Failure::Exit(1),
            duration: Duration::ZERO,
            attempts: 1,
            output: OutputTail::default(),
        }
    }

    #[test]
    fn http_spec_parses_port_and_path() {
        assert_eq!(
            ReloadMethod::parse_http("3000/reload").unwrap(),
            ReloadMethod::Http { port: 3000, path: "/reload".into() }
        );
        assert_eq!(
            ReloadMethod::parse_http("8080/admin/reload?x=1").unwrap(),
            ReloadMethod::Http { port: 8080, path: "/admin/reload?x=1".into() }
        );
        assert!(ReloadMethod::parse_http("reload").is_err());
        assert!(ReloadMethod::parse_http("0/reload").is_err());
        assert!(ReloadMethod::parse_http("70000/reload").is_err());
        assert!(ReloadMethod::parse_http("3000/re load").is_err());
    }

    #[test]
    fn exec_needs_a_command_and_displays_argv_boundaries() {
        assert!(ReloadMethod::exec(Vec::<String>::new()).is_err());
        let m = ReloadMethod::exec(["sh", "-c", "nginx -s reload"]).unwrap();
        assert_eq!(m.to_string(), "exec sh -c \"nginx -s reload\"");
    }

    #[test]
    fn targets_are_ordered_by_set_then_numeric_ordinal() {
        let mut ts: Vec<ReloadTarget> = ["gss-b-0", "gss-a-10", "gss-a-2", "gss-a-1"]
            .iter()
            .map(|p| {
                let mut t = ReloadTarget::new("ns", *p);
                t.set = Some(p.rsplit_once('-').unwrap().0.to_string());
                t
            })
            .collect();
        order_targets(&mut ts);
        let names: Vec<&str> = ts.iter().map(|t| t.pod.as_str()).collect();
        assert_eq!(names, ["gss-a-1", "gss-a-2", "gss-a-10", "gss-b-0"]);
    }

    #[test]
    fn limits_validation_names_the_flag() {
        assert!(Limits::default().validate().is_ok());
        let e = Limits { parallel: 0, ..Default::default() }.validate().unwrap_err();
        assert!(e.contains("--parallel"));
        assert!(Limits { batch: Some(0), ..Default::default() }.validate().is_err());
        assert!(Limits { max_failures: Some(0), ..Default::default() }.validate().is_err());
    }

    #[test]
    fn only_api_errors_before_the_command_ran_are_retried() {
        assert_eq!(classify(&Attempt::Exited(0)), Verdict::Success(Answer::Exit(0)));
        assert_eq!(classify(&Attempt::Exited(1)), Verdict::Fail(Failure::Exit(1)));
        assert_eq!(classify(&Attempt::Exited(127)), Verdict::Fail(Failure::Exit(127)));
        assert_eq!(classify(&Attempt::Answered(204)), Verdict::Success(Answer::HttpStatus(204)));
        // The app answered 500 or 503: it ran, so no retry.
        assert_eq!(classify(&Attempt::Answered(500)), Verdict::Fail(Failure::HttpStatus(500)));
        assert_eq!(classify(&Attempt::Answered(503)), Verdict::Fail(Failure::HttpStatus(503)));
        for s in [429, 500, 503, 504] {
            let a = Attempt::Refused { status: s, message: "busy".into() };
            assert!(matches!(classify(&a), Verdict::Retry(_)), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 422, 501, 502] {
            let a = Attempt::Refused { status: s, message: "no".into() };
            assert!(matches!(classify(&a), Verdict::Fail(Failure::Error(_))), "{s}");
        }
        assert!(matches!(classify(&Attempt::NotConnected("reset".into())), Verdict::Retry(_)));
        assert!(matches!(classify(&Attempt::Lost("eof".into())), Verdict::Fail(Failure::Error(_))));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_millis(500));
        assert_eq!(backoff(3), Duration::from_millis(1000));
        assert_eq!(backoff(10), Duration::from_secs(4));
        assert_eq!(backoff(u32::MAX), Duration::from_secs(4));
    }

    /// Drive the scheduler with `n` targets where `fails(i)` says whether target i fails, finishing
    /// pods in start order. Returns (started, stop reason, max running seen, batch boundaries).
    fn simulate(
        limits: Limits,
        n: usize,
        fails: impl Fn(usize) -> bool,
    ) -> (usize, Option<StopReason>, usize, usize) {
        let mut s = Scheduler::new(limits);
        let mut next_target = 0;
        let mut running: std::collections::VecDeque<usize> = Default::default();
        let mut peak = 0;
        let mut boundaries = 0;
        let mut started = 0;
        loop {
            match s.next(next_target < n, true) {
                Next::Start => {
                    s.started();
                    started += 1;
                    running.push_back(next_target);
                    next_target += 1;
                    peak = peak.max(s.running());
                }
                Next::Wait => {
                    let i = running.pop_front().expect("waiting with nothing running");
                    s.finished(&if fails(i) { failed() } else { ok(Duration::ZERO) });
                }
                Next::BatchDone { .. } => {
                    boundaries += 1;
                    s.next_batch();
                }
                Next::Stop(_) => {
                    // Let running ones finish; the rest are skipped.
                    match running.pop_front() {
                        Some(i) => {
                            s.finished(&if fails(i) { failed() } else { ok(Duration::ZERO) })
                        }
                        None => next_target = n,
                    }
                }
                Next::Done => return (started, s.stopped().cloned(), peak, boundaries),
            }
        }
    }

    #[test]
    fn parallelism_is_never_exceeded() {
        let (_, stop, peak, _) =
            simulate(Limits { parallel: 4, ..Default::default() }, 50, |_| false);
        assert_eq!(stop, None);
        assert_eq!(peak, 4);
    }

    #[test]
    fn batches_bound_parallelism_and_count_boundaries() {
        let limits = Limits { parallel: 10, batch: Some(3), ..Default::default() };
        let (_, stop, peak, boundaries) = simulate(limits, 10, |_| false);
        assert_eq!(stop, None);
        assert_eq!(peak, 3);
        // 3 + 3 + 3 full batches end at a boundary; the last partial batch ends with Done.
        assert_eq!(boundaries, 3);
    }

    #[test]
    fn a_failed_canary_stops_the_run() {
        let limits = Limits { parallel: 10, batch: Some(3), ..Default::default() };
        let mut s = Scheduler::new(limits);
        for _ in 0..3 {
            assert_eq!(s.next(true, true), Next::Start);
            s.started();
        }
        assert_eq!(s.next(true, true), Next::Wait, "batch full");
        s.finished(&ok(Duration::ZERO));
        s.finished(&failed());
        s.finished(&ok(Duration::ZERO));
        assert!(s.canary_failed_now());
        assert_eq!(s.next(true, true), Next::BatchDone { index: 0 });
        s.next_batch();
        let stop = StopReason::CanaryFailed { failed: 1, of: 3 };
        assert_eq!(s.next(true, true), Next::Stop(stop.clone()));
        assert_eq!(stop.skip_reason(), "canary batch failed (1 of 3)");
        assert_eq!(s.next(false, true), Next::Done);
    }

    #[test]
    fn failures_after_the_canary_do_not_stop_without_a_threshold() {
        let limits = Limits { parallel: 2, batch: Some(2), ..Default::default() };
        let (started, stop, _, _) = simulate(limits, 10, |i| i >= 2 && i % 2 == 0);
        assert_eq!(stop, None);
        assert_eq!(started, 10);
    }

    #[test]
    fn the_threshold_stops_new_starts() {
        let limits = Limits { parallel: 1, max_failures: Some(2), ..Default::default() };
        // Pods 1 and 3 fail: after pod 3 nothing more starts.
        let (started, stop, _, _) = simulate(limits, 10, |i| i == 1 || i == 3);
        assert_eq!(stop, Some(StopReason::Threshold { failures: 2 }));
        assert_eq!(started, 4);
    }

    #[test]
    fn running_pods_finish_after_a_stop_and_done_waits_for_them() {
        let limits = Limits { parallel: 3, max_failures: Some(1), ..Default::default() };
        let mut s = Scheduler::new(limits);
        for _ in 0..3 {
            s.started();
        }
        s.finished(&failed());
        assert!(matches!(s.next(true, true), Next::Stop(_)));
        s.finished(&ok(Duration::ZERO));
        s.finished(&ok(Duration::ZERO));
        assert!(
            matches!(s.next(true, true), Next::Stop(_)),
            "pending targets must still be skipped"
        );
        assert_eq!(s.next(false, true), Next::Done);
        assert_eq!(s.failures(), 1);
    }

    #[test]
    fn incremental_input_waits_until_closed() {
        let mut s = Scheduler::new(Limits::default());
        assert_eq!(s.next(false, false), Next::Wait);
        assert_eq!(s.next(true, false), Next::Start);
        s.started();
        s.finished(&ok(Duration::ZERO));
        assert_eq!(s.next(false, false), Next::Wait);
        assert_eq!(s.next(false, true), Next::Done);
    }

    #[test]
    fn cancel_stops_everything() {
        let mut s = Scheduler::new(Limits::default());
        s.started();
        s.cancel();
        assert_eq!(s.next(true, false), Next::Stop(StopReason::Cancelled));
        s.finished(&PodResult::Cancelled {
            duration: Duration::ZERO,
            output: OutputTail::default(),
        });
        assert_eq!(s.next(false, true), Next::Done);
        assert_eq!(s.failures(), 0, "a cancelled pod is not a failure");
    }

    #[test]
    fn summary_counts_every_kind() {
        let rs = vec![
            ok(Duration::ZERO),
            failed(),
            PodResult::Skipped { reason: "x".into() },
            PodResult::Cancelled { duration: Duration::ZERO, output: OutputTail::default() },
            ok(Duration::ZERO),
        ];
        let s = Summary::of(&rs);
        assert_eq!((s.total, s.succeeded, s.failed, s.skipped, s.cancelled), (5, 2, 1, 1, 1));
        assert!(!s.all_succeeded());
        assert!(Summary::of(&rs[..1]).all_succeeded());
    }

    #[test]
    fn annotation_defaults_parse_and_reject_nonsense() {
        let d = ReloadDefault::from_annotation(
            r#"{"exec":["nginx","-s","reload"],"container":"app-2048"}"#,
        )
        .unwrap();
        assert_eq!(d.method().unwrap(), ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap());
        assert_eq!(d.container.as_deref(), Some("app-2048"));
        let h = ReloadDefault::from_annotation(r#"{"http":"3000/reload"}"#).unwrap();
        assert_eq!(h.method().unwrap(), ReloadMethod::Http { port: 3000, path: "/reload".into() });
        assert!(ReloadDefault::from_annotation(r#"{"exec":["a"],"http":"3000/x"}"#).is_err());
        assert!(ReloadDefault::from_annotation(r#"{}"#).is_err());
        assert!(ReloadDefault::from_annotation(r#"{"exce":["a"]}"#).is_err(), "typos are errors");
        assert!(ReloadDefault::from_annotation("nginx -s reload").is_err());
    }

    #[test]
    fn config_file_wins_over_the_annotation() {
        let config = ReloadConfig::parse(
            r#"
            [reload.gss-2048]
            exec = ["nginx", "-s", "reload"]
            container = "app-2048"

            [reload.gss-battle]
            http = "3000/reload"
            "#,
        )
        .unwrap();
        let annotation = r#"{"http":"9000/other"}"#;
        let d = default_for_set(Some(&config), Some(annotation), "gss-2048").unwrap().unwrap();
        assert!(d.method().unwrap().is_exec());
        let d = default_for_set(Some(&config), Some(annotation), "gss-other").unwrap().unwrap();
        assert_eq!(d.method().unwrap(), ReloadMethod::Http { port: 9000, path: "/other".into() });
        assert_eq!(default_for_set(Some(&config), None, "gss-other").unwrap(), None);
        assert!(default_for_set(None, Some("{bad"), "gss-x").unwrap_err().contains("gss-x"));
        assert!(ReloadConfig::parse("[reload.x]\ncontainer = \"a\"\n").is_err());
    }
}
