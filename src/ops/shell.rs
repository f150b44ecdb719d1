//! An interactive shell in a pod (the console's `s`): `bash`, else `sh` (as k9s: many images
//! have only `sh`), over `cluster::exec::shell`, audited with how it ended. The terminal ends
//! (raw keys, sizes, the screen) are the caller's.
use okg_domain::reload_plan::Attempt;

use crate::cluster::exec::{self, TtyEnds};
use crate::cluster::writer::Writer;
use crate::ops::audit::{AuditLog, AuditRecord};

/// Where the shell goes and who asks, for the audit record.
pub struct ShellTarget {
    pub client: kube::Client,
    pub context: String,
    pub namespace: String,
    pub pod: String,
    pub container: String,
}

/// The programs tried, in order.
pub const PROGRAMS: [&str; 2] = ["bash", "sh"];

/// Run the shell to its end and audit it; the outcome in words ("exit 0", "exit 2", "refused
/// (403): …").
pub async fn run<W: tokio::io::AsyncWrite + Unpin>(
    writer: &Writer,
    target: &ShellTarget,
    audit: &AuditLog,
    ends: &mut TtyEnds<W>,
) -> String {
    let started = AuditRecord::now_rfc3339();
    let mut tried = Vec::new();
    let mut attempt = Attempt::Lost("no shell tried".into());
    for program in PROGRAMS {
        tried.push(program);
        let argv = vec![program.to_string()];
        let (got, wrote) =
            exec::shell(writer, &target.namespace, &target.pod, &target.container, &argv, ends)
                .await;
        attempt = got;
        // Not there: the runtime refuses before the program writes anything. Anything else
        // (an exit status, a refusal by the API server) is the answer.
        if wrote || !matches!(attempt, Attempt::Lost(_)) {
            break;
        }
    }
    let outcome = describe(&attempt);
    let record = AuditRecord {
        time: AuditRecord::now_rfc3339(),
        user: crate::cluster::access::who_am_i(&target.client).await,
        context: target.context.clone(),
        namespace: target.namespace.clone(),
        target: format!("pod/{}", target.pod),
        action: "shell".into(),
        request: serde_json::json!({
            "container": target.container,
            "tried": tried,
            "started": started,
        }),
        outcome: serde_json::Value::String(outcome.clone()),
    };
    if let Err(e) = audit.record(&record) {
        return format!("{outcome} (not audited: {e})");
    }
    outcome
}

pub fn describe(attempt: &Attempt) -> String {
    match attempt {
        Attempt::Exited(c) => format!("exit {c}"),
        Attempt::Answered(s) => format!("answered {s}"),
        Attempt::Refused { status, message } => format!("refused ({status}): {message}"),
        Attempt::NotConnected(e) => format!("not connected: {e}"),
        Attempt::Lost(e) => format!("lost: {e}"),
    }
}
