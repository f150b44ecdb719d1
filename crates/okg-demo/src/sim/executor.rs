//! Applies planned actions through `kube::Client`. Failures are expected (a 409/422 from a
//! stale plan, a 404 for an object that went away) and only logged: the next reconcile re-plans
//! from the cache.

use std::time::Instant;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, Preconditions};
use serde_json::{Value, json};

use super::events::{EventSpec, EventWrite, Recorder};
use super::plan::{Memory, Pending, PlannedWrite, Resource};
use okg_domain::types::{GameServer, GameServerSet};

/// What a write left behind, for the staleness bookkeeping.
type Done = Option<((Resource, String, String), Option<String>)>;

/// The outcome of one write and the events to record if it succeeded.
type Applied = (Done, Vec<EventSpec>);

async fn patch_obj<K>(
    api: Api<K>,
    name: &str,
    rv: &str,
    main: Vec<Value>,
    status: Vec<Value>,
) -> kube::Result<Option<String>>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let pp = PatchParams::default();
    let mut rv = rv.to_string();
    if !main.is_empty() {
        let p: json_patch::Patch = serde_json::from_value(super::patch::guarded(&rv, main))
            .map_err(kube::Error::SerdeError)?;
        let obj = api.patch(name, &pp, &Patch::Json::<()>(p)).await?;
        rv = obj.meta().resource_version.clone().unwrap_or_default();
    }
    if !status.is_empty() {
        let p: json_patch::Patch = serde_json::from_value(super::patch::guarded(&rv, status))
            .map_err(kube::Error::SerdeError)?;
        let obj = api.patch_status(name, &pp, &Patch::Json::<()>(p)).await?;
        rv = obj.meta().resource_version.clone().unwrap_or_default();
    }
    Ok(Some(rv))
}

async fn create<K>(client: kube::Client, ns: &str, object: Value) -> kube::Result<Option<String>>
where
    K: kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + serde::Serialize
        + std::fmt::Debug,
{
    let obj: K = serde_json::from_value(object).map_err(kube::Error::SerdeError)?;
    let created = Api::<K>::namespaced(client, ns).create(&PostParams::default(), &obj).await?;
    Ok(created.meta().resource_version.clone())
}

async fn apply(client: kube::Client, action: PlannedWrite) -> Applied {
    let mut events = Vec::new();
    let result: kube::Result<Done> = match action {
        PlannedWrite::Patch { res, ns, name, rv, main, status, events: e } => {
            events = e;
            let key = (res, ns.clone(), name.clone());
            let r = match res {
                Resource::Pod => {
                    patch_obj(Api::<Pod>::namespaced(client, &ns), &name, &rv, main, status).await
                }
                Resource::GameServer => {
                    patch_obj(Api::<GameServer>::namespaced(client, &ns), &name, &rv, main, status)
                        .await
                }
                Resource::GameServerSet => {
                    patch_obj(
                        Api::<GameServerSet>::namespaced(client, &ns),
                        &name,
                        &rv,
                        main,
                        status,
                    )
                    .await
                }
            };
            r.map(|rv| Some((key, rv)))
        }
        PlannedWrite::Create { res, ns, name, object, events: e } => {
            events = e;
            let key = (res, ns.clone(), name);
            let rv = match res {
                Resource::Pod => create::<Pod>(client, &ns, object).await,
                Resource::GameServer => create::<GameServer>(client, &ns, object).await,
                Resource::GameServerSet => create::<GameServerSet>(client, &ns, object).await,
            };
            rv.map(|rv| Some((key, rv)))
        }
        PlannedWrite::Delete { res, ns, name, uid, now, events: e } => {
            events = e;
            let dp = DeleteParams {
                grace_period_seconds: now.then_some(0),
                preconditions: uid
                    .map(|uid| Preconditions { uid: Some(uid), resource_version: None }),
                ..Default::default()
            };
            let key = (res, ns.clone(), name.clone());
            let r = match res {
                Resource::Pod => {
                    Api::<Pod>::namespaced(client, &ns).delete(&name, &dp).await.map(|_| ())
                }
                Resource::GameServer => {
                    Api::<GameServer>::namespaced(client, &ns).delete(&name, &dp).await.map(|_| ())
                }
                Resource::GameServerSet => Ok(()),
            };
            r.map(|_| Some((key, None)))
        }
        PlannedWrite::Bind { ns, name, node } => {
            let binding = json!({
                "apiVersion": "v1", "kind": "Binding",
                "metadata": {"name": name, "namespace": ns},
                "target": {"apiVersion": "v1", "kind": "Node", "name": node},
            });
            Api::<Pod>::namespaced(client, &ns)
                .create_subresource::<Value, Value>(
                    "binding",
                    &name,
                    &PostParams::default(),
                    &binding,
                )
                .await
                .map(|_| None)
        }
        PlannedWrite::Event(e) => {
            events.push(e);
            Ok(None)
        }
        PlannedWrite::Asts { .. } => Ok(None),
    };
    match result {
        Ok(done) => (done, events),
        Err(e) => {
            log_failure(e);
            (None, Vec::new())
        }
    }
}

/// Server-side apply of an Advanced StatefulSet and then of its status, as the one field
/// manager OpenKruise's and kruise-game's writes stand for.
async fn write_asts(
    client: &kube::Client,
    ns: &str,
    name: &str,
    object: Value,
    mut status: Value,
) -> kube::Result<Option<String>> {
    let gvk = kube::api::GroupVersionKind::gvk("apps.kruise.io", "v1beta1", "StatefulSet");
    let ar = kube::api::ApiResource::from_gvk_with_plural(&gvk, "statefulsets");
    let api: Api<kube::api::DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
    let pp = PatchParams::apply("okg-demo-sim").force();
    let written = api.patch(name, &pp, &Patch::Apply(&object)).await?;
    status["observedGeneration"] = json!(written.metadata.generation);
    let body =
        json!({"apiVersion": object["apiVersion"], "kind": object["kind"], "status": status});
    api.patch_status(name, &pp, &Patch::Apply(&body)).await?;
    Ok(written.metadata.uid)
}

fn log_failure(e: kube::Error) {
    match e {
        kube::Error::Api(e) if [404, 409, 422].contains(&e.code) => {
            tracing::debug!(code = e.code, reason = %e.reason, "sim write skipped: {}", e.message);
        }
        e => tracing::warn!("sim write failed: {e}"),
    }
}

async fn write_event(client: kube::Client, w: EventWrite) {
    let r = match w {
        EventWrite::Create { namespace, object } => match serde_json::from_value::<Event>(object) {
            Ok(e) => Api::<Event>::namespaced(client, &namespace)
                .create(&PostParams::default(), &e)
                .await
                .map(|_| ()),
            Err(e) => Err(kube::Error::SerdeError(e)),
        },
        EventWrite::Bump { namespace, name, count, last } => {
            Api::<Event>::namespaced(client, &namespace)
                .patch(
                    &name,
                    &PatchParams::default(),
                    &Patch::Merge(json!({"count": count, "lastTimestamp": last})),
                )
                .await
                .map(|_| ())
        }
        EventWrite::Delete { namespace, name } => Api::<Event>::namespaced(client, &namespace)
            .delete(&name, &DeleteParams::default())
            .await
            .map(|_| ()),
    };
    if let Err(e) = r {
        tracing::debug!("sim event write failed: {e}");
    }
}

/// An event on an Advanced StatefulSet names its uid, as OpenKruise's recorder does (the
/// planner knows the set by name only; the uid is the API server's).
fn with_asts_uid(mut e: EventSpec, mem: &Memory) -> EventSpec {
    if e.kind == "StatefulSet" && e.uid.is_none() {
        e.uid = mem.asts_uid.get(&(e.namespace.clone(), e.name.clone())).cloned();
    }
    e
}

/// Run all actions (object writes concurrently), then record what the cache should catch up to.
pub async fn execute(
    client: &kube::Client,
    actions: Vec<PlannedWrite>,
    mem: &mut Memory,
    recorder: &mut Recorder,
) {
    let (sets, actions): (Vec<_>, Vec<_>) =
        actions.into_iter().partition(|a| matches!(a, PlannedWrite::Asts { .. }));
    for a in sets {
        if let PlannedWrite::Asts { ns, name, object, status } = a {
            match write_asts(client, &ns, &name, object, status).await {
                Ok(uid) => {
                    if let Some(uid) = uid {
                        mem.asts_uid.insert((ns, name), uid);
                    }
                }
                Err(e) => {
                    mem.asts.remove(&(ns, name));
                    log_failure(e);
                }
            }
        }
    }
    let applied: Vec<Applied> =
        futures::stream::iter(actions.into_iter().map(|a| apply(client.clone(), a)))
            .buffer_unordered(16)
            .collect()
            .await;
    let at = Instant::now();
    let now = jiff::Timestamp::now();
    let mut event_writes = Vec::new();
    for (done, events) in applied {
        if let Some((key, rv)) = done {
            mem.pending.insert(key, Pending { rv, at });
        }
        for e in events {
            event_writes.extend(recorder.record(&with_asts_uid(e, mem), now));
        }
    }
    futures::stream::iter(event_writes.into_iter().map(|w| write_event(client.clone(), w)))
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
}
