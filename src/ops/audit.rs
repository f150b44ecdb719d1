//! The audit log: one JSON line per mutation (or reload run), flushed before the call returns so
//! nothing is lost when the process exits right after.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

/// Who did what, where, and how it ended.
#[derive(Clone, Debug, Serialize)]
pub struct AuditRecord {
    /// RFC 3339, UTC.
    pub time: String,
    /// The user as the API server sees it (SelfSubjectReview).
    pub user: String,
    pub context: String,
    pub namespace: String,
    /// What was acted on, e.g. "gameserverset/gss-2048" or "pod/gss-2048-3".
    pub target: String,
    /// "bump", "pause", "reload", ...
    pub action: String,
    /// The exact request body (a JSON Patch) or the reload command.
    pub request: serde_json::Value,
    /// "ok", "conflict", "forbidden: ...", a per-pod result, ...
    pub outcome: serde_json::Value,
}

impl AuditRecord {
    pub fn now_rfc3339() -> String {
        jiff::Timestamp::now().to_string()
    }
}

/// The outcome of a record that opens a run; the run's last record carries its real outcome
/// under the same `request.run` id.
pub const STARTED: &str = "started";

/// An id that ties a run's "started" record to its outcome record: unique per process and run.
pub fn run_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}-{}-{n}", std::process::id(), jiff::Timestamp::now().as_millisecond())
}

/// Runs left open in a log read back with [`AuditLog::read_all`]: a "started" record with no
/// outcome record of the same run, or an outcome that leaves a target of the start without a
/// final result. Each entry says which run and what is missing. Records without a run id (one
/// patch, one record) are complete by construction.
pub fn unfinished(records: &[serde_json::Value]) -> Vec<String> {
    let run = |r: &serde_json::Value| r["request"]["run"].as_str().map(str::to_string);
    let mut problems = Vec::new();
    for start in records.iter().filter(|r| r["outcome"] == STARTED) {
        let Some(id) = run(start) else {
            problems.push(format!("a started {} record has no run id", start["action"]));
            continue;
        };
        let Some(end) =
            records.iter().find(|r| run(r).as_ref() == Some(&id) && r["outcome"] != STARTED)
        else {
            problems.push(format!("run {id} ({}) has no outcome", start["action"]));
            continue;
        };
        let targets = start["request"]["targets"].as_array().cloned().unwrap_or_default();
        for t in targets.iter().filter_map(|t| t.as_str()) {
            let result = end["outcome"]["pods"][t]["result"].as_str();
            if !matches!(result, Some("succeeded" | "failed" | "skipped" | "cancelled")) {
                problems.push(format!("run {id}: pod {t} has no final result ({result:?})"));
            }
        }
    }
    problems
}

/// Appends records to a JSON-lines file. Cheap to clone; writes are serialised.
#[derive(Clone)]
pub struct AuditLog {
    path: PathBuf,
    file: Arc<Mutex<Option<std::fs::File>>>,
}

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into(), file: Arc::new(Mutex::new(None)) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one record and flush it to disk.
    pub fn record(&self, record: &AuditRecord) -> std::io::Result<()> {
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(crate::paths::open_private_append(&self.path)?);
        }
        let file = guard.as_mut().expect("opened above");
        let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        line.push(b'\n');
        file.write_all(&line)?;
        file.sync_data()
    }

    /// Read every record back (for tests and `okg` diagnostics).
    pub fn read_all(path: &Path) -> std::io::Result<Vec<serde_json::Value>> {
        let text = std::fs::read_to_string(path)?;
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(std::io::Error::other))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_appended_as_json_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/audit.jsonl");
        let log = AuditLog::new(&path);
        for i in 0..2 {
            log.record(&AuditRecord {
                time: AuditRecord::now_rfc3339(),
                user: "alice".into(),
                context: "ctx".into(),
                namespace: "default".into(),
                target: format!("gameserverset/gss-{i}"),
                action: "bump".into(),
                request: serde_json::json!([{"op": "replace", "path": "/x", "value": i}]),
                outcome: serde_json::json!("ok"),
            })
            .unwrap();
        }
        let back = AuditLog::read_all(&path).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[1]["target"], "gameserverset/gss-1");
        assert_eq!(back[0]["request"][0]["value"], 0);
        assert!(unfinished(&back).is_empty(), "a record per patch is complete by itself");
    }

    #[test]
    fn a_started_run_is_unfinished_until_every_target_has_a_final_result() {
        let start = serde_json::json!({"action": "reload", "outcome": STARTED,
            "request": {"run": "r1", "targets": ["p-0", "p-1"]}});
        assert_eq!(
            unfinished(std::slice::from_ref(&start)),
            ["run r1 (\"reload\") has no outcome"]
        );
        let half = serde_json::json!({"action": "reload", "request": {"run": "r1"},
            "outcome": {"pods": {"p-0": {"result": "cancelled"}}}});
        assert_eq!(
            unfinished(&[start.clone(), half]),
            ["run r1: pod p-1 has no final result (None)"]
        );
        let end = serde_json::json!({"action": "reload", "request": {"run": "r1"},
            "outcome": {"pods": {"p-0": {"result": "cancelled"}, "p-1": {"result": "skipped"}}}});
        let other = serde_json::json!({"action": "reload", "outcome": STARTED,
            "request": {"run": "r2", "targets": []}});
        assert!(unfinished(&[start.clone(), end.clone()]).is_empty());
        assert_eq!(unfinished(&[start, end, other]), ["run r2 (\"reload\") has no outcome"]);
    }
}
