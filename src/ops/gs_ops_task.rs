//! The console's set-ops (`e`): plans and applies `ops::gs_ops` in spawned tasks, so the loop
//! never waits on the API server, and reports `GsOpsReply`s through the caller's sender. The
//! same plan, write path and audit log as `okg set`.
use tokio::sync::mpsc::UnboundedSender;

use crate::ops::bump::{OpsContext, discard_events};
use crate::ops::gs_ops;
use okg_domain::gs_ops::{GsOp, OpsPlan, Selection};

#[derive(Clone, Debug, PartialEq)]
pub enum GsOpsCmd {
    /// Plan `op` on these GameServers of `namespace` (reads only).
    Plan { id: u64, namespace: String, op: GsOp, names: Vec<String> },
    /// Send a confirmed plan.
    Apply { id: u64, namespace: String, plan: Box<OpsPlan> },
}

#[derive(Debug)]
pub enum GsOpsReply {
    Planned {
        id: u64,
        plan: Result<OpsPlan, String>,
    },
    /// What landed (targets), or what failed and what had landed before.
    Applied {
        id: u64,
        result: Result<Vec<String>, String>,
    },
}

impl GsOpsReply {
    pub fn id(&self) -> u64 {
        match self {
            GsOpsReply::Planned { id, .. } | GsOpsReply::Applied { id, .. } => *id,
        }
    }
}

/// Carry out `cmd` as `ctx` (its namespace is replaced by the command's). `ctx.writer` is
/// `None` in a read-only session: an apply is then refused here too, whatever the screen allowed.
pub fn handle<M: From<GsOpsReply> + Send + 'static>(
    cmd: GsOpsCmd,
    ctx: OpsContext,
    tx: &UnboundedSender<M>,
) {
    let tx = tx.clone();
    tokio::spawn(async move {
        let reply = match cmd {
            GsOpsCmd::Plan { id, namespace, op, names } => {
                let selection = Selection { names, ..Selection::default() };
                let plan = gs_ops::plan(&ctx.client, &namespace, &op, &selection).await;
                GsOpsReply::Planned { id, plan: plan.map_err(|e| e.to_string()) }
            }
            GsOpsCmd::Apply { id, namespace, plan } => {
                let ctx = OpsContext { namespace, ..ctx };
                // Progress lines are for the CLI; the screen shows the outcome.
                let result = gs_ops::apply(&ctx, &plan, &discard_events()).await;
                GsOpsReply::Applied {
                    id,
                    result: result.map(|a| a.sent).map_err(|e| e.to_string()),
                }
            }
        };
        let _ = tx.send(M::from(reply));
    });
}
