//! Read a set with its GameServers and pods, plan a step on it, and ask RBAC about the plan.
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

use super::types::{BumpError, Step};
use crate::cluster::access::{self, Action, Permission};
use crate::cluster::client::error_chain;
use okg_domain::bump_plan::{self, ObjectKind, ObjectPatch, Plan, PlanError, SwitchPlan};
use okg_domain::types::{GameServer, GameServerSet, labels};

/// The objects one set's plans are built from.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub gss: GameServerSet,
    pub gameservers: Vec<GameServer>,
    pub pods: Vec<Pod>,
}

/// Read a set with its GameServers and pods.
pub async fn read_set(
    client: &kube::Client,
    namespace: &str,
    set: &str,
) -> Result<Snapshot, BumpError> {
    let read_err = |what: &str, e: kube::Error| BumpError::Read {
        what: what.to_string(),
        error: error_chain(&e),
    };
    let gss = match Api::<GameServerSet>::namespaced(client.clone(), namespace).get(set).await {
        Ok(g) => g,
        Err(kube::Error::Api(s)) if s.code == 404 => {
            return Err(BumpError::NotFound {
                set: set.to_string(),
                namespace: namespace.to_string(),
            });
        }
        Err(e) => return Err(read_err(&format!("gameserverset {set}"), e)),
    };
    let lp = ListParams::default().labels(&format!("{}={set}", labels::OWNER_GSS));
    let gameservers = Api::<GameServer>::namespaced(client.clone(), namespace)
        .list(&lp)
        .await
        .map_err(|e| read_err("gameservers", e))?
        .items;
    let pods = Api::<Pod>::namespaced(client.clone(), namespace)
        .list(&lp)
        .await
        .map_err(|e| read_err("pods", e))?
        .items;
    Ok(Snapshot { gss, gameservers, pods })
}

pub(super) fn plan_from(snapshot: &Snapshot, step: &Step) -> Result<Plan, PlanError> {
    let Snapshot { gss, gameservers, pods } = snapshot;
    match step {
        Step::Bump { request, .. } => bump_plan::plan_bump(gss, gameservers, pods, request),
        Step::Continue { container, step, .. } => {
            bump_plan::plan_continue(gss, gameservers, pods, container, *step)
        }
        Step::Rollback { previous } => bump_plan::plan_rollback(gss, gameservers, pods, previous),
    }
}

/// Read the set and plan the step. Sends nothing that mutates.
pub async fn plan(client: &kube::Client, namespace: &str, step: &Step) -> Result<Plan, BumpError> {
    let snapshot = read_set(client, namespace, step.set()).await?;
    Ok(plan_from(&snapshot, step)?)
}

/// Plan pausing (`true`) or resuming a set's rollout.
pub async fn plan_switch(
    client: &kube::Client,
    namespace: &str,
    set: &str,
    paused: bool,
) -> Result<SwitchPlan, BumpError> {
    let snapshot = read_set(client, namespace, set).await?;
    Ok(bump_plan::plan_pause(&snapshot.gss, paused)?)
}

/// RBAC for the patches of a plan (SelfSubjectAccessReview). Do not call in read-only mode: the
/// review is a POST, and a read-only session sends none.
pub async fn preflight(
    client: &kube::Client,
    namespace: &str,
    patches: &[ObjectPatch],
) -> Vec<(Action, Permission)> {
    let mut actions = Vec::new();
    for p in patches {
        let a = match p.kind {
            ObjectKind::GameServerSet => Action::PatchGameServerSets,
            ObjectKind::GameServer => Action::PatchGameServers,
        };
        if !actions.contains(&a) {
            actions.push(a);
        }
    }
    let mut out = Vec::new();
    for a in actions {
        out.push((a, access::can_i(client, a, Some(namespace)).await));
    }
    out
}
