//! The run's state, kept on the cluster as an annotation of the GameServerSet: a second console,
//! the same one after a crash, or a read-only monitor sees where it stands. Every write of it
//! `test`s the value it replaces, so two consoles cannot both move a run on.
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::decide::StageResult;
use crate::types::GameServerSet;

/// The annotation that holds a set's [`RolloutRecord`].
pub const ROLLOUT_ANNOTATION: &str = "okg-console.io/rollout";

fn annotation_path() -> String {
    format!("/metadata/annotations/{}", ROLLOUT_ANNOTATION.replace('/', "~1"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RolloutState {
    /// A stage is applied; a driver moves it on (or will, once resumed after a crash).
    Running,
    /// Stopped on purpose: the set's `rollingUpdate.paused` is set too.
    Paused,
    /// Stopped past its failure limit; the partition holds the rest.
    Failed,
    Done,
    RolledBack,
}

impl RolloutState {
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutState::Running => "running",
            RolloutState::Paused => "paused",
            RolloutState::Failed => "failed",
            RolloutState::Done => "done",
            RolloutState::RolledBack => "rolled back",
        }
    }

    /// Still holds the set: a new rollout or bump must not start over it.
    pub fn is_open(self) -> bool {
        matches!(self, RolloutState::Running | RolloutState::Paused | RolloutState::Failed)
    }
}

/// The chained reload, as typed, so that a resumed run reloads the same way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReloadSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exec: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The reload's limits as given (absent: the defaults), so a stage and a resumed one
    /// reload within the same bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_failures: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

impl ReloadSpec {
    /// The limits to reload with: the recorded ones over the defaults.
    pub fn limits(&self) -> crate::reload_plan::Limits {
        let d = crate::reload_plan::Limits::default();
        let ms = std::time::Duration::from_millis;
        crate::reload_plan::Limits {
            parallel: self.parallel.unwrap_or(d.parallel),
            batch: self.batch.or(d.batch),
            pause: self.pause_ms.map_or(d.pause, ms),
            max_failures: self.max_failures.or(d.max_failures),
            timeout: self.timeout_ms.map_or(d.timeout, ms),
            ..d
        }
    }

    /// Record `limits`, leaving out what equals the defaults.
    pub fn with_limits(self, limits: &crate::reload_plan::Limits) -> Self {
        let d = crate::reload_plan::Limits::default();
        let ms = |t: std::time::Duration| t.as_millis() as u64;
        Self {
            parallel: (limits.parallel != d.parallel).then_some(limits.parallel),
            batch: limits.batch,
            pause_ms: (limits.pause != d.pause).then(|| ms(limits.pause)),
            max_failures: limits.max_failures,
            timeout_ms: (limits.timeout != d.timeout).then(|| ms(limits.timeout)),
            ..self
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutRecord {
    pub container: String,
    /// The template image before the run (what `undo` goes back to).
    pub from: String,
    pub to: String,
    /// As typed (`1`, `10%` …), for people.
    pub stages: Vec<String>,
    /// Servers updated once each stage is done.
    pub counts: Vec<i32>,
    /// Allocated servers may be updated (otherwise the last stage keeps them on `from`).
    pub include_allocated: bool,
    /// The stage applied last (0-based).
    pub stage: usize,
    pub state: RolloutState,
    /// Failures tolerated over the whole run before it stops.
    pub failure_limit: u32,
    pub failures: u32,
    pub soak_seconds: u64,
    pub auto_rollback: bool,
    /// When the current stage was applied (RFC 3339): a pod created after it was re-created.
    pub stage_started: String,
    /// The update priority this stage raised its servers to: they are the GameServers whose
    /// raise record names it.
    pub stage_priority: Option<i64>,
    /// One per finished stage.
    pub results: Vec<StageResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reload: Option<ReloadSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub by: String,
}

impl RolloutRecord {
    /// "stage 2/4 (10% = 2 servers)".
    pub fn stage_text(&self) -> String {
        format!(
            "stage {}/{} ({} = {} server(s))",
            self.stage + 1,
            self.counts.len(),
            self.stages.get(self.stage).map_or("?", String::as_str),
            self.counts.get(self.stage).copied().unwrap_or(0)
        )
    }

    /// The current stage has its result: the next move is to the next stage (or to finish).
    pub fn stage_finished(&self) -> bool {
        self.results.len() > self.stage
    }

    /// The record as lines: a header, one line per stage with its counts, the limits.
    pub fn timeline(&self) -> Vec<String> {
        let r = self;
        let mut out = vec![format!(
            "Rollout of container {} by {}: {} → {} ({}), {}",
            r.container,
            r.by,
            r.from,
            r.to,
            r.state.as_str(),
            r.stage_text()
        )];
        if let Some(m) = &r.message {
            out.push(format!("  ! {m}"));
        }
        out.push(format!(
            "  {:<6} {:>5} {:>8}  {:<9} {:>8} {:>10} {:>6} {:>8} {:>13} {:>5}",
            "STAGE",
            "SIZE",
            "SERVERS",
            "STATE",
            "IN PLACE",
            "RE-CREATED",
            "FAILED",
            "RELOADED",
            "RELOAD FAILED",
            "SOAK"
        ));
        for (i, (size, n)) in r.stages.iter().zip(&r.counts).enumerate() {
            let state = match r.results.get(i) {
                Some(_) => "done",
                None if i == r.stage && r.state == RolloutState::Running => "running",
                None if i == r.stage => r.state.as_str(),
                None => "pending",
            };
            let counts = match r.results.get(i) {
                Some(x) => format!(
                    "{:>8} {:>10} {:>6} {:>8} {:>13} {:>5}{}",
                    x.in_place,
                    x.re_created,
                    x.failed,
                    x.reloaded,
                    x.reload_failed,
                    x.soak_failed,
                    if x.judged_on_resume { "  (judged after a restart)" } else { "" }
                ),
                None => String::new(),
            };
            out.push(
                format!("  {:<6} {size:>5} {n:>8}  {state:<9} {counts}", i + 1)
                    .trim_end()
                    .to_string(),
            );
        }
        out.push(format!(
            "  failures {} of a limit of {} · soak {}s · past the limit: {}{}",
            r.failures,
            r.failure_limit,
            r.soak_seconds,
            if r.auto_rollback { "roll back" } else { "stop" },
            if r.include_allocated {
                " · Allocated servers included"
            } else {
                " · Allocated servers left out"
            }
        ));
        out
    }

    /// A few words for a set header: "grey 2/4 running", and the failures once there are some.
    pub fn summary(&self) -> String {
        let failures = if self.failures > 0 {
            format!(" · failures {}/{}", self.failures, self.failure_limit)
        } else {
            String::new()
        };
        format!("grey {}/{} {}{failures}", self.stage + 1, self.counts.len(), self.state.as_str())
    }
}

/// The record on `gss` and its raw text (what a write `test`s); `Err` for one that does not
/// parse, which is reported, never guessed at.
pub fn record_of(gss: &GameServerSet) -> Option<(String, Result<RolloutRecord, String>)> {
    let raw = gss.metadata.annotations.as_ref()?.get(ROLLOUT_ANNOTATION)?.clone();
    let parsed = serde_json::from_str(&raw).map_err(|e| e.to_string());
    Some((raw, parsed))
}

/// The ops that write `record` on `gss`, testing the record that is there now.
pub fn record_ops(gss: &GameServerSet, record: &RolloutRecord) -> Vec<Value> {
    let value = serde_json::to_string(record).expect("plain data");
    match (record_of(gss), gss.metadata.annotations.is_some()) {
        (Some((raw, _)), _) => vec![
            json!({"op": "test", "path": annotation_path(), "value": raw}),
            json!({"op": "replace", "path": annotation_path(), "value": value}),
        ],
        (None, true) => vec![json!({"op": "add", "path": annotation_path(), "value": value})],
        (None, false) => vec![json!({
            "op": "add", "path": "/metadata/annotations", "value": {ROLLOUT_ANNOTATION: value}
        })],
    }
}
