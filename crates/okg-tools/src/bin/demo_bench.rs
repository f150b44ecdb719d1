//! Benchmark of the demo API server: start-up with N replicas and full lists of pods and
//! GameServers through kube-rs (see docs/performance.md).
//!
//! `cargo run --release -p okg-tools --bin demo_bench -- [replicas] [--fixtures] [--no-watch-list] [--rounds N] [--serve KUBECONFIG]`
//!
//! Without `--fixtures` the cluster starts as `okg demo` does (the simulated controller's seed
//! and controller); with it, from `demo::fixtures` and no controller. `--serve` then writes a
//! kubeconfig and keeps serving until Ctrl-C (handy for trying kubectl), printing each second a
//! line `requests demo-admin=N demo-viewer=N okg-demo-controller=N` (totals so far).
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use okg_demo::{DemoCluster, DemoOptions, fixtures};
use okg_domain::types::GameServer;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let replicas: i32 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let use_fixtures = args.iter().any(|a| a == "--fixtures");
    let serve = args.iter().position(|a| a == "--serve").and_then(|i| args.get(i + 1)).cloned();
    let rounds: u32 = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(5);
    // `--no-watch-list`: a server without streaming lists, so clients list in pages.
    let watch_list = !args.iter().any(|a| a == "--no-watch-list");
    let options = DemoOptions { replicas, watch_list, ..Default::default() };
    let listen = "127.0.0.1:0".parse()?;

    // The parts of start-up: building the objects, then loading them into the store.
    let t = Instant::now();
    let objects = if use_fixtures {
        fixtures::small_fleet(&options.namespace, replicas)
    } else {
        okg_demo::sim::seed::initial_objects(&options)
    };
    let build = t.elapsed();
    let t = Instant::now();
    let store = okg_demo::store::Store::new();
    let n = objects.len();
    for o in objects {
        store.insert_initial(o)?;
    }
    println!("build {n} objects {build:.0?}, load them into a store {:.0?}", t.elapsed());
    drop(store);

    let started = Instant::now();
    let demo = if use_fixtures {
        DemoCluster::start_bare(
            listen,
            options.clone(),
            fixtures::small_fleet(&options.namespace, replicas),
        )
        .await?
    } else {
        DemoCluster::start(listen, options.clone()).await?
    };
    let client = demo.client()?;
    // Ready = answers a request.
    client.apiserver_version().await?;
    println!("replicas {replicas}: ready in {:.0?}", started.elapsed());

    let pods: Api<Pod> = Api::namespaced(client.clone(), &options.namespace);
    let gss: Api<GameServer> = Api::namespaced(client.clone(), &options.namespace);
    for round in 1..=rounds {
        let t = Instant::now();
        let n_pods = pods.list(&ListParams::default()).await?.items.len();
        let pods_took = t.elapsed();
        let t = Instant::now();
        let n_gs = gss.list(&ListParams::default()).await?.items.len();
        let gs_took = t.elapsed();
        println!(
            "round {round}: list {n_pods} pods {pods_took:.0?}, list {n_gs} gameservers {gs_took:.0?}"
        );
    }
    // The server's share: raw bytes without kube-rs decoding into typed objects.
    for path in [
        "/api/v1/namespaces/default/pods",
        "/apis/game.kruise.io/v1alpha1/namespaces/default/gameservers",
    ] {
        let t = Instant::now();
        let body = client.request_text(http::Request::get(path).body(Vec::new())?).await?;
        println!("raw GET {path}: {} bytes in {:.0?}", body.len(), t.elapsed());
    }
    if let Some(path) = serve {
        std::fs::write(&path, serde_json::to_string_pretty(&demo.kubeconfig())?)?;
        println!("serving {} ; kubeconfig in {path}", demo.url());
        // A line a second with the requests so far per identity, for scripts/bench-vs-k9s.sh
        // to take the rate a console costs the server.
        let stats = demo.stats.clone();
        tokio::spawn(async move {
            loop {
                let counts: Vec<String> =
                    stats.requests_by_identity().iter().map(|(w, n)| format!("{w}={n}")).collect();
                println!("requests {}", counts.join(" "));
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        tokio::signal::ctrl_c().await?;
    }
    demo.shutdown().await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}
