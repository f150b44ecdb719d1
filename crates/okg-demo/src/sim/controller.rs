//! The reconcile loop of the simulated controller: reflectors keep caches of GameServerSets,
//! GameServers and Pods in all namespaces; each pass plans from the caches (`plan`) and applies
//! the result (`executor`). A pass runs soon after any watch event, and every quarter tick while
//! a pod is mid-step or a write has not shown up in the cache yet.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::Notify;

use super::events::Recorder;
use super::executor;
use super::plan::{self, Clock, Memory, Roles, World};
use crate::DemoOptions;
use okg_domain::types::{GameServer, GameServerSet};

/// How many Events the controller keeps; older ones are deleted.
const EVENT_CAPACITY: usize = 2000;

fn reflect<K>(api: Api<K>, notify: Arc<Notify>) -> (Store<K>, tokio::task::JoinHandle<()>)
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let (reader, writer) = reflector::store();
    let stream = watcher(api, watcher::Config::default()).default_backoff().reflect(writer);
    let task = tokio::spawn(async move {
        futures::pin_mut!(stream);
        while let Some(ev) = stream.next().await {
            if let Err(e) = ev {
                tracing::debug!("sim watch error: {e}");
            }
            notify.notify_one();
        }
    });
    (reader, task)
}

/// The Advanced StatefulSets there are, so that a settled cluster is not written to again (the
/// controller writes one only when what it should say differs from what it last wrote), and
/// their uids for the events recorded on them.
async fn existing_asts(client: &kube::Client, mem: &mut Memory) {
    let gvk = kube::api::GroupVersionKind::gvk("apps.kruise.io", "v1beta1", "StatefulSet");
    let ar = kube::api::ApiResource::from_gvk_with_plural(&gvk, "statefulsets");
    let api: Api<kube::api::DynamicObject> = Api::all_with(client.clone(), &ar);
    let Ok(list) = api.list(&Default::default()).await else { return };
    for o in &list.items {
        let (Some(ns), Some(name)) = (o.metadata.namespace.clone(), o.metadata.name.clone()) else {
            continue;
        };
        let key = (ns, name);
        if let Some(uid) = &o.metadata.uid {
            mem.asts_uid.insert(key.clone(), uid.clone());
        }
        if let Ok(v) = serde_json::to_value(o) {
            mem.asts.insert(key, super::asts::Written::of(&v));
        }
    }
}

pub async fn run(
    client: kube::Client,
    options: DemoOptions,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    run_roles(client, options, Roles::default(), shutdown).await
}

/// `run` with only some roles (the e2e tier's `e2e_sim --roles kubelet`).
pub async fn run_roles(
    client: kube::Client,
    options: DemoOptions,
    roles: Roles,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let notify = Arc::new(Notify::new());
    let (sets, t1) = reflect(Api::<GameServerSet>::all(client.clone()), notify.clone());
    let (gss, t2) = reflect(Api::<GameServer>::all(client.clone()), notify.clone());
    let (pods, t3) = reflect(Api::<Pod>::all(client.clone()), notify.clone());
    let tasks = [t1, t2, t3];
    let ready = async {
        let _ = sets.wait_until_ready().await;
        let _ = gss.wait_until_ready().await;
        let _ = pods.wait_until_ready().await;
    };
    tokio::select! {
        _ = ready => {}
        _ = shutdown.changed() => { for t in tasks { t.abort(); } return; }
    }
    let tick = options.tick.max(Duration::from_millis(10));
    let idle = (tick / 4).max(Duration::from_millis(10));
    let mut mem = Memory { roles, ..Default::default() };
    if roles.controllers {
        existing_asts(&client, &mut mem).await;
    }
    let mut recorder = Recorder::new(EVENT_CAPACITY);
    // Plan only when something may have changed: a watch event arrived, the last pass wrote, or
    // a pod is waiting out a step or its minReadySeconds. A settled cluster of 10,000 pods then
    // costs nothing.
    let mut dirty = true;
    loop {
        if *shutdown.borrow() {
            break;
        }
        if dirty || !mem.last_step.is_empty() || !mem.pending.is_empty() || mem.warming {
            let (s, g, p) = (sets.state(), gss.state(), pods.state());
            let world = World {
                sets: s.iter().map(|a| a.as_ref()).collect(),
                gameservers: g.iter().map(|a| a.as_ref()).collect(),
                pods: p.iter().map(|a| a.as_ref()).collect(),
            };
            let clock = Clock { now: Instant::now(), wall: jiff::Timestamp::now(), tick };
            let actions = plan::plan(&world, &mut mem, &clock);
            drop(world);
            dirty = !actions.is_empty();
            if dirty {
                tracing::debug!(count = actions.len(), "sim reconcile");
                executor::execute(&client, actions, &mut mem, &mut recorder).await;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(idle) => {}
            _ = notify.notified() => {
                dirty = true;
                // Let a burst of watch events land before planning again.
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            _ = shutdown.changed() => {}
        }
    }
    for t in tasks {
        t.abort();
    }
}
