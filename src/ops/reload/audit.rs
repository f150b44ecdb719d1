//! The audit records of a run: one when it starts, one with every pod's outcome.
use crate::ops::audit::{AuditLog, AuditRecord};
use okg_domain::reload_plan::PodResult;

/// Who runs this, for the audit log.
#[derive(Clone)]
pub struct AuditContext {
    pub log: AuditLog,
    pub user: String,
    pub context: String,
    pub namespace: String,
}

pub(super) fn audit_outcome(r: &PodResult) -> serde_json::Value {
    match r {
        PodResult::Succeeded { answer, duration, .. } => {
            serde_json::json!({"result": "succeeded", "answer": answer, "duration_ms": duration.as_millis() as u64})
        }
        PodResult::Failed { failure, duration, .. } => {
            serde_json::json!({"result": "failed", "failure": failure, "duration_ms": duration.as_millis() as u64})
        }
        PodResult::Skipped { reason } => serde_json::json!({"result": "skipped", "reason": reason}),
        PodResult::Cancelled { duration, .. } => {
            serde_json::json!({"result": "cancelled", "duration_ms": duration.as_millis() as u64})
        }
    }
}

pub(super) fn write_audit(
    a: &AuditContext,
    request: serde_json::Value,
    outcome: serde_json::Value,
) -> Result<(), String> {
    let record = AuditRecord {
        time: AuditRecord::now_rfc3339(),
        user: a.user.clone(),
        context: a.context.clone(),
        namespace: a.namespace.clone(),
        target: "pods".into(),
        action: "reload".into(),
        request,
        outcome,
    };
    a.log.record(&record).map_err(|e| format!("audit log {}: {e}", a.log.path().display()))
}
