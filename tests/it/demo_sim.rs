//! The simulated OKG / OpenKruise / kubelet controller, driven through the demo API server with
//! the real client stack. Waits poll with generous timeouts; nothing asserts on timing.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use k8s_openapi::api::core::v1::{ContainerStatus, Event, Pod};
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use okg_demo::{DemoCluster, DemoOptions};
use okg_domain::types::{GameServer, GameServerSet, labels};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(60);

async fn start(replicas: i32) -> DemoCluster {
    let options = DemoOptions { replicas, tick: Duration::from_millis(60), ..Default::default() };
    DemoCluster::start("127.0.0.1:0".parse().unwrap(), options).await.expect("demo cluster starts")
}

/// Poll `check` until it yields `Some`, or panic with `what` after the timeout.
async fn wait_for<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn pods_of(client: &kube::Client, set: &str) -> BTreeMap<String, Pod> {
    let lp = ListParams::default().labels(&format!("{}={set}", labels::OWNER_GSS));
    Api::<Pod>::default_namespaced(client.clone())
        .list(&lp)
        .await
        .map(|l| {
            l.items.into_iter().map(|p| (p.metadata.name.clone().unwrap_or_default(), p)).collect()
        })
        .unwrap_or_default()
}

async fn gs_states(client: &kube::Client, set: &str) -> BTreeMap<String, String> {
    let lp = ListParams::default().labels(&format!("{}={set}", labels::OWNER_GSS));
    Api::<GameServer>::default_namespaced(client.clone())
        .list(&lp)
        .await
        .map(|l| {
            l.items
                .into_iter()
                .map(|g| {
                    (g.metadata.name.clone().unwrap_or_default(), g.current_state().to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

fn container<'a>(pod: &'a Pod, name: &str) -> &'a ContainerStatus {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.name == name))
        .unwrap_or_else(|| panic!("container {name} has a status"))
}

fn label<'a>(pod: &'a Pod, key: &str) -> Option<&'a str> {
    pod.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

fn ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

async fn json_patch<K>(api: &Api<K>, name: &str, ops: serde_json::Value)
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let patch: json_patch::Patch = serde_json::from_value(ops).unwrap();
    api.patch(name, &PatchParams::default(), &Patch::Json::<()>(patch))
        .await
        .expect("patch accepted");
}

/// Pods of `set` all on one revision different from `from`, Ready, GameServers Ready.
async fn rolled_out(
    client: &kube::Client,
    set: &str,
    from: &str,
    n: usize,
) -> Option<BTreeMap<String, Pod>> {
    let pods = pods_of(client, set).await;
    let states = gs_states(client, set).await;
    let done = pods.len() == n
        && pods
            .values()
            .all(|p| ready(p) && label(p, labels::REVISION_HASH).is_some_and(|r| r != from))
        && states.len() == n
        && states.values().all(|s| s == "Ready");
    done.then_some(pods)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sidecar_bump_updates_pods_in_place() {
    let cluster = start(4).await;
    let client = cluster.client().unwrap();
    let before = wait_for("seeded pods", || async {
        let p = pods_of(&client, "gss-2048").await;
        (p.len() == 4).then_some(p)
    })
    .await;
    let old_rev =
        label(before.values().next().unwrap(), labels::REVISION_HASH).unwrap().to_string();
    let sets = Api::<GameServerSet>::default_namespaced(client.clone());
    json_patch(
        &sets,
        "gss-2048",
        json!([{"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image",
                "value": "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0"}]),
    )
    .await;
    let after = wait_for("in-place rollout", || rolled_out(&client, "gss-2048", &old_rev, 4)).await;
    for (name, new) in &after {
        let old = &before[name];
        assert_eq!(new.metadata.uid, old.metadata.uid, "{name}: same UID");
        assert_eq!(new.metadata.creation_timestamp, old.metadata.creation_timestamp, "{name}");
        assert_eq!(
            new.status.as_ref().unwrap().pod_ip,
            old.status.as_ref().unwrap().pod_ip,
            "{name}"
        );
        assert_eq!(
            container(new, "sidecar").restart_count,
            container(old, "sidecar").restart_count + 1
        );
        assert_eq!(
            container(new, "app-2048").restart_count,
            container(old, "app-2048").restart_count
        );
        assert_ne!(container(new, "sidecar").image_id, container(old, "sidecar").image_id);
        assert_eq!(
            container(new, "sidecar").image,
            "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0"
        );
    }
    // Events: OpenKruise's on the Advanced StatefulSet, the kubelet's on each pod.
    let events = wait_for("events", || async {
        let list = Api::<Event>::default_namespaced(client.clone())
            .list(&ListParams::default())
            .await
            .ok()?;
        let in_place = list
            .items
            .iter()
            .filter(|e| e.reason.as_deref() == Some("SuccessfulUpdatePodInPlace"))
            .count();
        (in_place == 4).then_some(list.items)
    })
    .await;
    let in_place =
        events.iter().find(|e| e.reason.as_deref() == Some("SuccessfulUpdatePodInPlace")).unwrap();
    assert_eq!(in_place.involved_object.kind.as_deref(), Some("StatefulSet"));
    assert_eq!(in_place.involved_object.name.as_deref(), Some("gss-2048"));
    // As OpenKruise's recorder does: the uid of the Advanced StatefulSet, which clients select
    // a set's events by.
    let gvk = kube::api::GroupVersionKind::gvk("apps.kruise.io", "v1beta1", "StatefulSet");
    let ar = kube::api::ApiResource::from_gvk_with_plural(&gvk, "statefulsets");
    let asts = Api::<kube::api::DynamicObject>::default_namespaced_with(client.clone(), &ar)
        .get("gss-2048")
        .await
        .unwrap();
    assert!(asts.metadata.uid.is_some());
    assert_eq!(in_place.involved_object.uid, asts.metadata.uid);
    for name in after.keys() {
        assert!(
            events.iter().any(|e| e.reason.as_deref() == Some("Killing")
                && e.involved_object.name.as_deref() == Some(name.as_str())
                && e.involved_object.field_path.as_deref() == Some("spec.containers{sidecar}")),
            "{name} has a Killing event for its sidecar"
        );
    }
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recreate_policy_replaces_pods() {
    let cluster = start(1).await;
    let client = cluster.client().unwrap();
    let before = wait_for("seeded pods", || async {
        let p = pods_of(&client, "gss-battle").await;
        (p.len() == 4).then_some(p)
    })
    .await;
    let old_rev =
        label(before.values().next().unwrap(), labels::REVISION_HASH).unwrap().to_string();
    let sets = Api::<GameServerSet>::default_namespaced(client.clone());
    json_patch(
        &sets,
        "gss-battle",
        json!([{"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image",
                "value": "registry.example.com/okg/battle-sidecar:v1.1"}]),
    )
    .await;
    let after =
        wait_for("re-create rollout", || rolled_out(&client, "gss-battle", &old_rev, 4)).await;
    for (name, new) in &after {
        assert_ne!(new.metadata.uid, before[name].metadata.uid, "{name} re-created");
        let statuses = new.status.as_ref().unwrap().container_statuses.as_ref().unwrap();
        assert!(statuses.iter().all(|c| c.restart_count == 0), "{name} restarts reset");
    }
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_and_priority_pick_the_pods() {
    let cluster = start(6).await;
    let client = cluster.client().unwrap();
    let gs_api = Api::<GameServer>::default_namespaced(client.clone());
    for name in ["gss-2048-0", "gss-2048-3"] {
        json_patch(
            &gs_api,
            name,
            json!([{"op": "replace", "path": "/spec/updatePriority", "value": 100}]),
        )
        .await;
    }
    wait_for("priority labels on pods", || async {
        let pods = pods_of(&client, "gss-2048").await;
        ["gss-2048-0", "gss-2048-3"]
            .iter()
            .all(|n| pods.get(*n).and_then(|p| label(p, labels::GS_UPDATE_PRIORITY)) == Some("100"))
            .then_some(())
    })
    .await;
    let sets = Api::<GameServerSet>::default_namespaced(client.clone());
    json_patch(
        &sets,
        "gss-2048",
        json!([
            {"op": "replace", "path": "/spec/updateStrategy/rollingUpdate/partition", "value": 4},
            {"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image",
             "value": "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0"}
        ]),
    )
    .await;
    let set = sets.get("gss-2048").await.unwrap();
    let new_rev = wait_for("two updated pods", || async {
        let pods = pods_of(&client, "gss-2048").await;
        let st = sets.get("gss-2048").await.ok()?.status?;
        (st.updated_replicas == 2 && st.ready_replicas == 6 && pods.values().all(ready))
            .then_some(())?;
        let counts = pods.values().fold(BTreeMap::<String, usize>::new(), |mut m, p| {
            *m.entry(label(p, labels::REVISION_HASH).unwrap_or("").to_string()).or_default() += 1;
            m
        });
        counts.into_iter().find(|(_, n)| *n == 2).map(|(r, _)| r)
    })
    .await;
    // Give a wrong controller time to update more, then check exactly which moved.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let updated: Vec<String> = pods_of(&client, "gss-2048")
        .await
        .into_iter()
        .filter(|(_, p)| label(p, labels::REVISION_HASH) == Some(new_rev.as_str()))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        updated,
        ["gss-2048-0", "gss-2048-3"],
        "set generation {:?}",
        set.metadata.generation
    );
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gameserver_override_updates_only_its_pod() {
    let cluster = start(3).await;
    let client = cluster.client().unwrap();
    let before = wait_for("seeded pods", || async {
        let p = pods_of(&client, "gss-2048").await;
        (p.len() == 3).then_some(p)
    })
    .await;
    let image = "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v1.0-hotfix";
    let gs_api = Api::<GameServer>::default_namespaced(client.clone());
    json_patch(
        &gs_api,
        "gss-2048-1",
        json!([{"op": "add", "path": "/spec/containers",
        "value": [{"name": "sidecar", "image": image}]}]),
    )
    .await;
    let after = wait_for("override applied", || async {
        let pods = pods_of(&client, "gss-2048").await;
        let p = pods.get("gss-2048-1")?;
        let states = gs_states(&client, "gss-2048").await;
        (container(p, "sidecar").image == image && ready(p) && states.get("gss-2048-1")? == "Ready")
            .then_some(pods)
    })
    .await;
    for (name, new) in &after {
        let old = &before[name];
        assert_eq!(new.metadata.uid, old.metadata.uid);
        let restarted =
            container(new, "sidecar").restart_count - container(old, "sidecar").restart_count;
        assert_eq!(restarted, i32::from(name == "gss-2048-1"), "{name}");
    }
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_image_stalls_with_pull_error() {
    let cluster = start(3).await;
    let client = cluster.client().unwrap();
    let sets = Api::<GameServerSet>::default_namespaced(client.clone());
    json_patch(
        &sets,
        "gss-2048",
        json!([{"op": "replace", "path": "/spec/gameServerTemplate/spec/containers/1/image",
                "value": "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0-missing"}]),
    )
    .await;
    let broken = wait_for("a pull error", || async {
        let pods = pods_of(&client, "gss-2048").await;
        pods.into_iter().find(|(_, p)| {
            let reason = container(p, "sidecar")
                .state
                .as_ref()
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.clone());
            matches!(reason.as_deref(), Some("ErrImagePull" | "ImagePullBackOff"))
        })
    })
    .await;
    let (name, pod) = broken;
    let message = container(&pod, "sidecar")
        .state
        .as_ref()
        .unwrap()
        .waiting
        .as_ref()
        .unwrap()
        .message
        .clone();
    assert!(message.unwrap_or_default().contains("not found"));
    // The kubelet keeps reporting the old image while the pull fails, so OpenKruise never
    // sees the in-place update complete: the pod stays lifecycle Updating, and OKG (v1.0.0's
    // gameserver_manager.go) says Updating, not NotReady.
    wait_for("GameServer Updating", || async {
        (gs_states(&client, "gss-2048").await.get(&name)? == "Updating").then_some(())
    })
    .await;
    // The rollout stalls: the other pods stay Ready on the old image.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let pods = pods_of(&client, "gss-2048").await;
    let spec_image = |p: &Pod| {
        let spec = p.spec.as_ref().unwrap();
        spec.containers.iter().find(|c| c.name == "sidecar").unwrap().image.clone().unwrap()
    };
    let moved = pods.values().filter(|p| spec_image(p).ends_with("-missing")).count();
    assert_eq!(moved, 1);
    // As the real kubelet: a failed pull leaves the old container's image in the status.
    assert!(!container(&pods[&name], "sidecar").image.ends_with("-missing"));
    assert_eq!(pods.values().filter(|p| ready(p)).count(), 2);
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_cluster_gets_no_controller_writes_until_something_changes() {
    use std::sync::atomic::Ordering;
    let cluster = start(6).await;
    let client = cluster.client().unwrap();
    // Many ticks: a controller that rewrote unchanged objects would have written by now.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(cluster.stats.controller_mutations.load(Ordering::SeqCst), 0);
    // And it is alive: a change gets written.
    let sets = Api::<GameServerSet>::default_namespaced(client.clone());
    json_patch(&sets, "gss-2048", json!([{"op": "replace", "path": "/spec/replicas", "value": 7}]))
        .await;
    wait_for("controller writes", || async {
        (cluster.stats.controller_mutations.load(Ordering::SeqCst) > 0).then_some(())
    })
    .await;
    wait_for("7 pods", || async { (pods_of(&client, "gss-2048").await.len() == 7).then_some(()) })
        .await;
    cluster.shutdown().await;
}

/// Not a check: how long a 10,000-replica demo takes to start and to settle
/// (`cargo test --test it demo_sim::timing -- --ignored --nocapture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn timing_10k() {
    use std::sync::atomic::Ordering;
    let t = std::time::Instant::now();
    let options = DemoOptions { replicas: 10_000, ..Default::default() };
    let cluster = DemoCluster::start("127.0.0.1:0".parse().unwrap(), options).await.unwrap();
    eprintln!("started in {:?}", t.elapsed());
    let client = cluster.client().unwrap();
    let n = pods_of(&client, "gss-2048").await.len();
    eprintln!("listed {n} pods at {:?}", t.elapsed());
    tokio::time::sleep(Duration::from_secs(5)).await;
    eprintln!(
        "controller writes after 5 s: {}",
        cluster.stats.controller_mutations.load(Ordering::SeqCst)
    );
    cluster.shutdown().await;
}
