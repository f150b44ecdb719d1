//! Benchmark of `ops::reload` against the demo cluster: reload N pods at parallelism P where the
//! demo makes every reload take L, and compare the wall time with the ideal
//! ceil(N / P) × L (see docs/performance-reload.md).
//!
//! `cargo run -p okg-tools --bin reload_bench -- [pods=1000] [parallel=64] [latency_ms=100] [rounds=3] [--http] [--bare]`
//!
//! Without `--bare` the demo starts as `okg demo` does (seed and simulated controller running);
//! with it, from `demo::fixtures` and no controller. `--fake` skips the network: a transport that
//! only sleeps L, which measures the executor's own overhead.
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use okg_console::cluster::exec::Line;
use okg_console::cluster::writer::Writer;
use okg_console::ops::reload::{self, KubeTransport, ReloadPlan, ReloadTransport};
use okg_demo::{DemoCluster, DemoOptions, fixtures};
use okg_domain::reload_plan::{
    Attempt, Limits, OutputStream, PodResult, ReloadMethod, ReloadTarget,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// No network: every attempt prints one line, sleeps, and exits 0.
struct SleepTransport(Duration);

impl ReloadTransport for SleepTransport {
    fn attempt(
        &self,
        target: &ReloadTarget,
        _method: &ReloadMethod,
        lines: mpsc::Sender<Line>,
    ) -> BoxFuture<'static, Attempt> {
        let (latency, pod) = (self.0, target.pod.clone());
        Box::pin(async move {
            tokio::time::sleep(latency).await;
            let _ = lines.send((OutputStream::Stdout, format!("reloaded {pod}"))).await;
            Attempt::Exited(0)
        })
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let pods = *numbers.first().unwrap_or(&1000) as i32;
    let parallel = *numbers.get(1).unwrap_or(&64) as usize;
    let latency = Duration::from_millis(*numbers.get(2).unwrap_or(&100));
    let rounds = *numbers.get(3).unwrap_or(&3);
    let http = args.iter().any(|a| a == "--http");
    let bare = args.iter().any(|a| a == "--bare");
    let fake = args.iter().any(|a| a == "--fake");

    let options = DemoOptions { replicas: pods, exec_latency: latency, ..Default::default() };
    let listen = "127.0.0.1:0".parse()?;
    let demo = if bare {
        DemoCluster::start_bare(
            listen,
            options.clone(),
            fixtures::small_fleet(&options.namespace, pods),
        )
        .await?
    } else {
        DemoCluster::start(listen, options.clone()).await?
    };
    let client = demo.client()?;
    client.apiserver_version().await?;
    let kube = Arc::new(KubeTransport::new(&Writer::new(client)));
    let sleeper = Arc::new(SleepTransport(latency));
    let targets: Vec<ReloadTarget> = (0..pods)
        .map(|i| ReloadTarget {
            namespace: options.namespace.clone(),
            pod: format!("gss-2048-{i}"),
            container: Some("app-2048".into()),
            set: Some("gss-2048".into()),
        })
        .collect();
    let method = if http {
        ReloadMethod::parse_http("3000/reload").map_err(anyhow::Error::msg)?
    } else {
        ReloadMethod::exec(["nginx", "-s", "reload"]).map_err(anyhow::Error::msg)?
    };
    let waves = (pods as usize).div_ceil(parallel) as u32;
    let ideal = latency * waves;
    println!(
        "reload {pods} pods, {method}, parallel {parallel}, demo latency {latency:?}, {} demo; ideal {ideal:?} ({waves} waves)",
        if fake {
            "fake transport, no"
        } else if bare {
            "bare"
        } else {
            "seeded+controller"
        }
    );
    for round in 1..=rounds {
        demo.stats.reset_reload_peak();
        let (tx, mut rx) = mpsc::channel(4096);
        // Drain progress as a UI would (and count output lines).
        let drain = tokio::spawn(async move {
            let mut n = 0u64;
            while rx.recv().await.is_some() {
                n += 1;
            }
            n
        });
        let plan = ReloadPlan {
            method: method.clone(),
            limits: Limits { parallel, timeout: Duration::from_secs(60), ..Default::default() },
        };
        let t = Instant::now();
        let (feed, cancel) = (targets.clone().into(), CancellationToken::new());
        let report = if fake {
            reload::run(sleeper.clone(), plan, feed, tx, cancel, None).await
        } else {
            reload::run(kube.clone(), plan, feed, tx, cancel, None).await
        };
        let wall = t.elapsed();
        let events = drain.await?;
        let mut durations: Vec<Duration> =
            report.results.iter().filter_map(|r| r.result.duration()).collect();
        durations.sort();
        let pct = |p: f64| durations[((durations.len() as f64 - 1.0) * p) as usize];
        let retried = report
            .results
            .iter()
            .filter(|r| matches!(r.result, PodResult::Succeeded { attempts, .. } if attempts > 1))
            .count();
        println!(
            "round {round}: wall {:.3}s = {:.2}× ideal · {} · demo peak {} · per pod p50 {:.0?} p99 {:.0?} max {:.0?} · {retried} retried · {events} events",
            wall.as_secs_f64(),
            wall.as_secs_f64() / ideal.as_secs_f64(),
            report.summary,
            demo.stats.reloads_peak(),
            pct(0.5),
            pct(0.99),
            durations.last().copied().unwrap_or_default(),
        );
    }
    demo.shutdown().await;
    Ok(())
}
