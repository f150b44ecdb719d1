//! `okg set` on GameServers: read → plan (pure, `okg_domain::gs_ops`) → (the caller shows the
//! pre-flight and confirms) → apply, one guarded JSON Patch per GameServer through the writer,
//! each recorded in the audit log with its outcome. Nothing is retried: a stale value is a
//! conflict the user must see a new pre-flight for.
use kube::api::{Api, ListParams};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::cluster::access::{self, ApiAction, Permission};
use crate::cluster::client::error_chain;
use crate::ops::bump::{BumpError, BumpEvent, OpsContext, send_in_order};
use okg_domain::gs_ops::{self, GsOp, OpsPlan, Selection};
use okg_domain::types::GameServer;

/// Read the namespace's GameServers and plan `op` on the selection. Sends nothing that mutates.
pub async fn plan(
    client: &kube::Client,
    namespace: &str,
    op: &GsOp,
    selection: &Selection,
) -> Result<OpsPlan, BumpError> {
    // The selection's shape is checked before the read, so a bad one costs no request.
    selection.check().map_err(|e| BumpError::Refused(e.to_string()))?;
    let all = Api::<GameServer>::namespaced(client.clone(), namespace)
        .list(&ListParams::default())
        .await
        .map_err(|e| BumpError::Read { what: "gameservers".into(), error: error_chain(&e) })?
        .items;
    gs_ops::plan(op, selection, &all, namespace).map_err(|e| BumpError::Refused(e.to_string()))
}

/// RBAC for the patches (a SelfSubjectAccessReview, a POST: never in read-only mode).
pub async fn preflight(client: &kube::Client, namespace: &str) -> Vec<(ApiAction, Permission)> {
    let a = ApiAction::PatchGameServers;
    vec![(a, access::can_i(client, a, Some(namespace)).await)]
}

/// What [`apply`] sent, in order, and as whom.
#[derive(Clone, Debug, Serialize)]
pub struct Applied {
    pub sent: Vec<String>,
    pub user: String,
}

/// Send a confirmed plan's patches in order; stops at the first refusal, saying what landed and
/// what was not sent (the rest of the pre-flight no longer describes the cluster).
pub async fn apply(
    ctx: &OpsContext,
    plan: &OpsPlan,
    tx: &mpsc::Sender<BumpEvent>,
) -> Result<Applied, BumpError> {
    let Some(writer) = &ctx.writer else {
        return Err(BumpError::ReadOnly);
    };
    let user = access::who_am_i(&ctx.client).await;
    let action = format!("set-{}", plan.op.field.command());
    let sent = send_in_order(ctx, writer, &user, &action, &plan.patches, tx).await?;
    Ok(Applied { sent, user })
}
