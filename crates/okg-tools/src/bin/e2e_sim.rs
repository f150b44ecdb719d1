//! The demo's simulated OKG / OpenKruise / kubelet controller, run against a REAL kube-apiserver
//! for the e2e tier (scripts/e2e-real.sh).
//!
//! 1. Seeds `demo::sim::seed::initial_objects` through the API, as any client would: objects are
//!    created without their status, then the status is written through the status subresource
//!    (pods/status, gameservers/status, ...), because a real server ignores `status` on create and
//!    no kubelet or OKG runs here to fill it in.
//! 2. Writes a one-line summary to `--ready-file` (the script waits for it).
//! 3. Runs `demo::sim::controller::run` with this client until SIGTERM / Ctrl-C.
//!
//! With `--node-label KEY=VALUE` it first creates the simulation's nodes
//! (`demo::sim::pods::NODES`) with that label, so kwok can serve their kubelet API (pods/exec).
//!
//! `--roles kubelet` runs the kubelet's part alone (beside the real kruise-game and OpenKruise
//! managers, scripts/e2e-okg.sh); `--seed nodes` seeds only the nodes (with `--node-label`),
//! `--seed none` nothing.
//!
//! Usage: e2e_sim --kubeconfig FILE [--namespace NS] [--replicas N] [--ready-file FILE]
//!        [--node-label KEY=VALUE] [--seed-only] [--roles controllers,kubelet|all]
//!        [--seed all|nodes|none]
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use kube::discovery::{self, Scope};
use okg_demo::{DemoOptions, sim};

struct Args {
    kubeconfig: PathBuf,
    namespace: String,
    replicas: Option<i32>,
    ready_file: Option<PathBuf>,
    node_label: Option<(String, String)>,
    seed_only: bool,
    roles: sim::plan::Roles,
    /// Seed the demo objects (else only the nodes, or nothing).
    seed_objects: bool,
    seed_nodes: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        kubeconfig: PathBuf::new(),
        namespace: "default".into(),
        replicas: None,
        ready_file: None,
        node_label: None,
        seed_only: false,
        roles: Default::default(),
        seed_objects: true,
        seed_nodes: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--kubeconfig" => args.kubeconfig = value()?.into(),
            "--namespace" => args.namespace = value()?,
            "--replicas" => args.replicas = Some(value()?.parse()?),
            "--ready-file" => args.ready_file = Some(value()?.into()),
            "--node-label" => {
                let v = value()?;
                let (k, val) = v.split_once('=').context("--node-label wants KEY=VALUE")?;
                args.node_label = Some((k.to_string(), val.to_string()));
            }
            "--seed-only" => args.seed_only = true,
            "--roles" => {
                args.roles = sim::plan::Roles::parse(&value()?).map_err(anyhow::Error::msg)?
            }
            "--seed" => {
                (args.seed_objects, args.seed_nodes) = match value()?.as_str() {
                    "all" => (true, true),
                    "nodes" => (false, true),
                    "none" => (false, false),
                    other => bail!("--seed wants all, nodes or none, not {other}"),
                }
            }
            other => bail!("unknown argument {other}"),
        }
    }
    if args.kubeconfig.as_os_str().is_empty() {
        bail!("--kubeconfig is required");
    }
    Ok(args)
}

/// Creation order: what others refer to first (namespaces, nodes), pods last.
fn kind_rank(kind: &str) -> u8 {
    match kind {
        "Namespace" => 0,
        "Node" => 1,
        "ServiceAccount" | "ConfigMap" | "Service" => 2,
        "GameServerSet" => 3,
        "GameServer" => 4,
        "Pod" => 5,
        _ => 6,
    }
}

async fn create_one(
    client: &kube::Client,
    namespace: &str,
    mut obj: serde_json::Value,
) -> anyhow::Result<()> {
    let api_version = obj["apiVersion"].as_str().context("object without apiVersion")?.to_string();
    let kind = obj["kind"].as_str().context("object without kind")?.to_string();
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version.clone()),
    };
    let gvk = GroupVersionKind::gvk(&group, &version, &kind);
    let (resource, caps) = discovery::pinned_kind(client, &gvk)
        .await
        .with_context(|| format!("discovering {api_version} {kind}"))?;
    // The server owns these; a seed written for the demo store may carry them.
    if let Some(meta) = obj.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        for k in ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"] {
            meta.remove(k);
        }
    }
    let status = obj.as_object_mut().and_then(|o| o.remove("status"));
    let name = obj["metadata"]["name"].as_str().context("object without name")?.to_string();
    let api: Api<DynamicObject> = match caps.scope {
        Scope::Cluster => Api::all_with(client.clone(), &resource),
        Scope::Namespaced => {
            let ns = obj["metadata"]["namespace"].as_str().unwrap_or(namespace).to_string();
            obj["metadata"]["namespace"] = ns.clone().into();
            Api::namespaced_with(client.clone(), &ns, &resource)
        }
    };
    if caps.scope == Scope::Namespaced {
        let ns = obj["metadata"]["namespace"].as_str().unwrap_or(namespace).to_string();
        resolve_owner_uids(client, &ns, &mut obj).await?;
    }
    let dynamic: DynamicObject = serde_json::from_value(obj)?;
    match api.create(&PostParams::default(), &dynamic).await {
        Ok(_) => {}
        // The namespace "default" and re-runs against a kept cluster.
        Err(kube::Error::Api(s)) if s.code == 409 => {}
        Err(e) => return Err(e).with_context(|| format!("creating {kind} {name}")),
    }
    if let Some(status) = status.filter(|s| !s.is_null()) {
        let has_status = caps.subresources.iter().any(|(r, _)| r.plural == "status")
            || matches!(kind.as_str(), "Pod" | "Node");
        if has_status {
            api.patch_status(
                &name,
                &PatchParams::default(),
                &Patch::Merge(serde_json::json!({ "status": status })),
            )
            .await
            .with_context(|| format!("writing the status of {kind} {name}"))?;
        }
    }
    Ok(())
}

/// A seed written for the demo store names its owners (an Advanced StatefulSet's GameServerSet)
/// without the uid this server gave them, which the API server refuses; owners are created in an
/// earlier rank, so their uid can be read back.
async fn resolve_owner_uids(
    client: &kube::Client,
    namespace: &str,
    obj: &mut serde_json::Value,
) -> anyhow::Result<()> {
    let Some(owners) = obj.pointer_mut("/metadata/ownerReferences").and_then(|o| o.as_array_mut())
    else {
        return Ok(());
    };
    for owner in owners {
        if owner["uid"].as_str().is_some_and(|u| !u.is_empty()) {
            continue;
        }
        let api_version = owner["apiVersion"].as_str().context("owner without apiVersion")?;
        let kind = owner["kind"].as_str().context("owner without kind")?;
        let name = owner["name"].as_str().context("owner without name")?.to_string();
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (resource, _) = discovery::pinned_kind(client, &gvk)
            .await
            .with_context(|| format!("discovering the owner kind {api_version} {kind}"))?;
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
        let found =
            api.get(&name).await.with_context(|| format!("reading the owner {kind} {name}"))?;
        owner["uid"] = found.metadata.uid.unwrap_or_default().into();
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let kubeconfig = kube::config::Kubeconfig::read_from(&args.kubeconfig)?;
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default()).await?;
    config.default_namespace = args.namespace.clone();
    let client = kube::Client::try_from(config)?;

    let mut options = DemoOptions { namespace: args.namespace.clone(), ..Default::default() };
    if let Some(r) = args.replicas {
        options.replicas = r;
    }
    // Shorter steps than the interactive demo: tests wait for rollouts.
    options.tick = Duration::from_millis(300);

    let started = Instant::now();
    let mut objects =
        if args.seed_objects { sim::seed::initial_objects(&options) } else { Vec::new() };
    if let Some((key, value)) = args.node_label.as_ref().filter(|_| args.seed_nodes) {
        // The nodes the simulation schedules pods on; a real API server needs them to exist for
        // pods/exec (it asks the node where its kubelet is).
        for (name, _) in sim::pods::NODES {
            objects.push(serde_json::json!({
                "apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": {key: value, "kubernetes.io/hostname": name}}
            }));
        }
    }
    objects.sort_by_key(|o| kind_rank(o["kind"].as_str().unwrap_or("")));
    let total = objects.len();
    // Create rank by rank (pods need their nodes), up to 16 requests at once within a rank.
    let mut by_rank: std::collections::BTreeMap<u8, Vec<serde_json::Value>> = Default::default();
    for o in objects {
        by_rank.entry(kind_rank(o["kind"].as_str().unwrap_or(""))).or_default().push(o);
    }
    for (_, batch) in by_rank {
        futures::stream::iter(batch)
            .map(|o| create_one(&client, &args.namespace, o))
            .buffer_unordered(16)
            .try_collect::<Vec<()>>()
            .await?;
    }
    let summary = if total == 0 && args.seed_objects {
        "0 objects: demo::sim::seed::initial_objects returned none on this branch".to_string()
    } else {
        format!("{total} objects in {:.1?}", started.elapsed())
    };
    eprintln!("e2e_sim: seeded {summary}");
    if let Some(path) = &args.ready_file {
        std::fs::write(path, format!("{summary}\n"))?;
    }
    if args.seed_only {
        return Ok(());
    }

    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    let controller =
        tokio::spawn(sim::controller::run_roles(client, options, args.roles, shutdown_rx));
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    let _ = shutdown_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(2), controller).await;
    Ok(())
}
