//! Start-to-first-screen of the console against any cluster (a figure, never an assertion).
//!
//! It does what `okg` does up to its first full screen, without taking the terminal: connect
//! (kubeconfig + one request), the TUI's preflight list, start the three fleet watches
//! (`cluster::watch::spawn_fleet`), apply messages to `app::state::State` until all three lists
//! have arrived, then draw one 120×40 frame through ratatui into a byte sink.
//!
//!   first_screen_timing --kubeconfig FILE [--namespace NS] [--runs N]
//!   first_screen_timing --demo REPLICAS [--runs N]     # the embedded demo cluster, in process
//!   first_screen_timing --demo REPLICAS --compare-lists [--runs N]
//!
//! `--compare-lists` starts two demo clusters in this process, one serving streaming lists
//! (`sendInitialEvents`) and one refusing them as a server with the WatchList gate off does (so
//! the console lists in pages), and alternates runs between them: one run, one ratio.
//!
//! scripts/e2e-real.sh runs it against the real kube-apiserver with 2,000 GameServers and
//! against the demo with the same number when OKG_E2E_PERF=1.
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use okg_console::cluster::client::{self, Target};
use okg_console::tui::app::msg::{ClusterEvent, Msg};
use okg_console::tui::app::state::{Access, State};
use okg_console::tui::view::{self, theme::Theme};
use okg_demo::{DemoCluster, DemoOptions};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// A terminal that swallows output (and counts it).
#[derive(Default)]
struct Sink(usize);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Figures {
    connect: Duration,
    lists: Duration,
    /// Of `lists`, the time spent applying the messages to the console's state.
    apply: Duration,
    total: Duration,
    gameservers: usize,
    pods: usize,
}

async fn once(kubeconfig: kube::config::Kubeconfig, target: &Target) -> anyhow::Result<Figures> {
    let t0 = Instant::now();
    let conn = client::connect_with(kubeconfig, target).await?;
    okg_console::tui::preflight(&conn).await.map_err(|(_, e)| anyhow::Error::msg(e))?;
    let connect = t0.elapsed();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _watches = okg_console::cluster::watch::spawn_fleet(
        &conn.client,
        conn.namespace.as_deref(),
        tx,
        &Default::default(),
    );
    let access = Access { read_only: true, caps: None };
    let mut state = State::new(
        &conn.context,
        &conn.server,
        conn.namespace.clone(),
        access,
        jiff::Timestamp::now(),
    );
    state.update(Msg::Resize { width: 120, height: 40 });
    let (mut sets, mut gss, mut pods) = (false, false, false);
    let mut apply = Duration::ZERO;
    while !(sets && gss && pods) {
        let msg = tokio::time::timeout(Duration::from_secs(120), rx.recv())
            .await
            .context("no complete lists within 120s")?
            .context("watches stopped")?;
        match &msg {
            // A list arrives in pages ended by `*Synced`.
            Msg::Cluster(ClusterEvent::SetsSynced(_)) => sets = true,
            Msg::Cluster(ClusterEvent::GameServersSynced(_)) => gss = true,
            Msg::Cluster(ClusterEvent::PodsSynced(_)) => pods = true,
            Msg::Cluster(ClusterEvent::WatchError(e)) => bail!("watch error: {e}"),
            _ => {}
        }
        let t = Instant::now();
        state.update(msg);
        apply += t.elapsed();
    }
    let lists = t0.elapsed() - connect;
    let mut term = Terminal::with_options(
        CrosstermBackend::new(Sink::default()),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 120, 40)),
        },
    )?;
    let theme = Theme::builtin("dark");
    term.draw(|f| view::draw(f, &state, &theme))?;
    Ok(Figures {
        connect,
        lists,
        apply,
        total: t0.elapsed(),
        gameservers: state.fleet.gameservers.len(),
        pods: state.fleet.pods.len(),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut kubeconfig_path = None;
    let mut namespace = None;
    let mut demo_replicas = None;
    let mut runs = 3;
    let mut compare = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--kubeconfig" => kubeconfig_path = Some(std::path::PathBuf::from(value()?)),
            "--namespace" => namespace = Some(value()?),
            "--demo" => demo_replicas = Some(value()?.parse::<i32>()?),
            "--runs" => runs = value()?.parse()?,
            "--compare-lists" => compare = true,
            other => bail!("unknown argument {other}"),
        }
    }
    if compare {
        let replicas = demo_replicas.context("--compare-lists needs --demo REPLICAS")?;
        return compare_lists(replicas, runs).await;
    }
    let mut demo = None;
    let (kubeconfig, label) = match (kubeconfig_path, demo_replicas) {
        (Some(path), None) => (kube::config::Kubeconfig::read_from(&path)?, "real kube-apiserver"),
        (None, Some(replicas)) => {
            let options = DemoOptions { replicas, ..Default::default() };
            let started = Instant::now();
            let d = DemoCluster::start("127.0.0.1:0".parse()?, options).await?;
            println!(
                "demo cluster with gss-2048 × {replicas} started in {:.2?}",
                started.elapsed()
            );
            let kc = d.kubeconfig();
            demo = Some(d);
            (kc, "embedded demo")
        }
        _ => bail!("pass --kubeconfig FILE or --demo REPLICAS"),
    };
    let target = Target { namespace, ..Default::default() };
    for run in 1..=runs {
        let f = once(kubeconfig.clone(), &target).await?;
        println!(
            "{label}, run {run}: first screen in {:.2?} (connect+preflight {:.2?}, three lists {:.2?}, \
             applying them {:.2?}); {} GameServers, {} pods",
            f.total, f.connect, f.lists, f.apply, f.gameservers, f.pods
        );
    }
    if let Some(d) = demo {
        d.shutdown().await;
    }
    Ok(())
}

/// Streaming lists against paged ones, alternating on two demo clusters of the same size.
async fn compare_lists(replicas: i32, runs: u32) -> anyhow::Result<()> {
    let mut demos = Vec::new();
    for watch_list in [true, false] {
        let options = DemoOptions { replicas, watch_list, ..Default::default() };
        demos.push(DemoCluster::start("127.0.0.1:0".parse()?, options).await?);
    }
    println!("two demo clusters with gss-2048 × {replicas}: streaming lists, and paged lists");
    let target = Target::default();
    let mut lists: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    for run in 1..=runs {
        for (i, demo) in demos.iter().enumerate() {
            let f = once(demo.kubeconfig(), &target).await?;
            let how = ["streaming", "paged"][i];
            println!(
                "run {run}, {how}: first screen in {:.2?} (three lists {:.2?}, applying them {:.2?}); {} GameServers, {} pods",
                f.total, f.lists, f.apply, f.gameservers, f.pods
            );
            lists[i].push(f.lists);
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (streaming, paged) = (median(&mut lists[0]), median(&mut lists[1]));
    println!(
        "median of {runs}: three lists streaming {streaming:.2?}, paged {paged:.2?}; paged ÷ streaming = {:.2}",
        paged.as_secs_f64() / streaming.as_secs_f64()
    );
    for d in demos {
        d.shutdown().await;
    }
    Ok(())
}
