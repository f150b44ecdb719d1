//! The operation's vocabulary: what was asked, where it writes, what it reports, how it fails.
use serde::Serialize;

use crate::cluster::writer::Writer;
use crate::ops::audit::AuditLog;
use okg_domain::bump_plan::{BumpRequest, Plan, PlanError};
use okg_domain::rollout::{Comparison, Counts, Verdict};

/// What the user asked for, in a form that can be planned again at apply time.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Bump {
        set: String,
        request: BumpRequest,
    },
    /// Lower the partition by `step` pods (to 0 when `None`).
    Continue {
        set: String,
        container: String,
        step: Option<i32>,
    },
    /// Undo `previous` (a bump plan).
    Rollback {
        previous: Box<Plan>,
    },
}

impl Step {
    pub(super) fn set(&self) -> &str {
        match self {
            Step::Bump { set, .. } | Step::Continue { set, .. } => set,
            Step::Rollback { previous } => &previous.set,
        }
    }
}

/// Where and as whom an operation writes. `writer` is `None` in read-only mode.
#[derive(Clone)]
pub struct OpsContext {
    pub client: kube::Client,
    pub writer: Option<Writer>,
    pub namespace: String,
    /// The kubeconfig context, for the audit log.
    pub context: String,
    pub audit: AuditLog,
}

/// Progress of an operation.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum BumpEvent {
    /// A patch is about to be sent.
    Sending { target: String, summary: String },
    /// The API server accepted it.
    Sent { target: String },
    /// Something worth telling the user (waiting for OKG to copy priorities, an audit problem…).
    Note { message: String },
    /// A pod's verdict changed. `detail` compares the pod with its baseline (absent while the
    /// pod is gone).
    Verdict { pod: String, verdict: Verdict, detail: Option<Comparison> },
    /// Counts over the targeted pods, after every change.
    Counts { counts: Counts, targets: usize },
    /// A Kubernetes event that explains a failure.
    PodEvent { pod: String, reason: String, message: String },
}

#[derive(Debug, thiserror::Error)]
pub enum BumpError {
    #[error("GameServerSet {set} not found in namespace {namespace}")]
    NotFound { set: String, namespace: String },
    #[error("cannot read {what}: {error}")]
    Read { what: String, error: String },
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("read-only session: nothing was sent")]
    ReadOnly,
    #[error("refused: {0}")]
    Refused(String),
    #[error(
        "conflict on {target}: {detail}. Someone changed it since the plan was made; {}review the new plan and confirm again",
        applied_note(applied)
    )]
    Conflict { target: String, detail: String, applied: Vec<String>, not_sent: Vec<String> },
    #[error(
        "writing {target} failed: {error}. {}{}",
        applied_note(applied),
        not_sent_note(not_sent)
    )]
    Write { target: String, error: String, applied: Vec<String>, not_sent: Vec<String> },
}

impl BumpError {
    /// The patches that did land before the error (for "exactly what was applied").
    pub fn applied(&self) -> &[String] {
        match self {
            BumpError::Conflict { applied, .. } | BumpError::Write { applied, .. } => applied,
            _ => &[],
        }
    }
}

fn applied_note(applied: &[String]) -> String {
    if applied.is_empty() {
        "nothing was applied; ".into()
    } else {
        format!("ALREADY APPLIED: {}; ", applied.join(", "))
    }
}

fn not_sent_note(not_sent: &[String]) -> String {
    if not_sent.is_empty() { String::new() } else { format!("not sent: {}", not_sent.join(", ")) }
}
