//! The console's moves on a staged rollout (`o`, then `p`): pause or resume it through the same
//! planner and write path as `okg rollout pause|resume` (one patch of the set's paused field and
//! the run's record, audited), in a spawned task that reports through the caller's sender.
use tokio::sync::mpsc::UnboundedSender;

use crate::ops::bump::{self, OpsContext, discard_events};
use okg_domain::bump_plan;
use okg_domain::staged_rollout::record_of;

#[derive(Clone, Debug, PartialEq)]
pub enum StagedCmd {
    /// Pause (`true`) or resume the run of `set`.
    Switch { id: u64, namespace: String, set: String, paused: bool },
}

#[derive(Debug)]
pub struct StagedReply {
    pub id: u64,
    /// What was done, in words, or why not.
    pub result: Result<String, String>,
}

/// Carry out `cmd` as `ctx` (its namespace is replaced by the command's).
pub fn handle<M: From<StagedReply> + Send + 'static>(
    cmd: StagedCmd,
    ctx: OpsContext,
    tx: &UnboundedSender<M>,
) {
    let tx = tx.clone();
    let StagedCmd::Switch { id, namespace, set, paused } = cmd;
    tokio::spawn(async move {
        let ctx = OpsContext { namespace, ..ctx };
        let result = switch(&ctx, &set, paused).await;
        let _ = tx.send(M::from(StagedReply { id, result }));
    });
}

async fn switch(ctx: &OpsContext, set: &str, paused: bool) -> Result<String, String> {
    let snapshot =
        bump::read_set(&ctx.client, &ctx.namespace, set).await.map_err(|e| e.to_string())?;
    let record = match record_of(&snapshot.gss) {
        Some((_, Ok(r))) => r,
        Some((_, Err(e))) => {
            return Err(format!("the rollout record of {set} does not parse ({e})"));
        }
        None => return Err(format!("no staged rollout on {set}")),
    };
    let plan = bump_plan::plan_rollout_switch(&snapshot.gss, &record, paused);
    bump::apply_switch(ctx, &plan, &discard_events()).await.map_err(|e| e.to_string())?;
    Ok(if paused {
        format!("paused the rollout of {set} (rollingUpdate.paused too)")
    } else {
        format!("resumed the rollout of {set}: `okg rollout resume {set} --wait` drives it on")
    })
}
