//! The console's moves on a staged rollout (`o`, then `p`): pause or resume it through the same
//! planner and write path as `okg rollout pause|resume` (one patch of the set's paused field and
//! the run's record, audited), in a spawned task that reports through the caller's sender.
use tokio::sync::mpsc::{self, UnboundedSender};

use crate::cluster::writer::Writer;
use crate::ops::audit::AuditLog;
use crate::ops::bump::{self, OpsContext};
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

pub fn handle<M: From<StagedReply> + Send + 'static>(
    cmd: StagedCmd,
    client: &kube::Client,
    writer: Option<Writer>,
    context: &str,
    audit: AuditLog,
    tx: &UnboundedSender<M>,
) {
    let (client, tx, context) = (client.clone(), tx.clone(), context.to_string());
    let StagedCmd::Switch { id, namespace, set, paused } = cmd;
    tokio::spawn(async move {
        let ctx =
            OpsContext { client, writer, namespace, context, audit, cancel: Default::default() };
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
    let (events, mut rx) = mpsc::channel(16);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let sent = bump::apply_switch(ctx, &plan, &events).await;
    drop(events);
    let _ = drain.await;
    sent.map_err(|e| e.to_string())?;
    Ok(if paused {
        format!("paused the rollout of {set} (rollingUpdate.paused too)")
    } else {
        format!("resumed the rollout of {set}: `okg rollout resume {set} --wait` drives it on")
    })
}
