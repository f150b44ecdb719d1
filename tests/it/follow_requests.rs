//! The request budget of a followed rollout (docs/performance.md "Request budget"): the follow
//! judges from watches, so what it costs the API server does not grow with the time it takes.
use std::time::{Duration, Instant};

use okg_console::cluster::set_watch::Taps;
use okg_console::cluster::watch;
use okg_console::ops::bump::{self, FeedSource, FollowReport, Step};
use okg_console::tui::app::msg::Msg;
use okg_demo::{DemoOptions, VIEWER_TOKEN};
use okg_domain::bump_plan::{BumpRequest, Scope};
use tokio::sync::mpsc;

use crate::support::{Demo, NS, demo_with, follow_options, ops_context, template_image, with_tag};

/// Requests the demo's admin identity has made so far.
fn admin_requests(d: &Demo) -> u64 {
    d.cluster.stats.requests_by_identity()[0].1
}

/// Bump gss-2048's sidecar on a slow demo (each pod takes several 500 ms steps, one pod at a
/// time), follow it to the end fed by `feed`, and say how many requests the admin made during
/// the follow and how long it took.
async fn follow_a_bump(d: &Demo, feed: FeedSource) -> (FollowReport, u64, Duration) {
    let client = d.client();
    let ctx = ops_context(d);
    let old = template_image(&client, "gss-2048", "sidecar").await;
    let step = Step::Bump {
        set: "gss-2048".into(),
        request: BumpRequest {
            container: "sidecar".into(),
            image: with_tag(&old, "v9"),
            scope: Scope::WholeSet,
            canary_allocated: false,
        },
    };
    let plan = bump::plan(&client, NS, &step).await.unwrap();
    let (tx, mut rx) = mpsc::channel(1024);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let applied = bump::apply(&ctx, &plan, &step, &tx).await.unwrap();
    let before = admin_requests(d);
    let started = Instant::now();
    let options = bump::FollowOptions { feed, ..follow_options() };
    let report = bump::follow(&client, &applied, &options, &tx).await;
    let (took, during) = (started.elapsed(), admin_requests(d) - before);
    drop(tx);
    drain.await.unwrap();
    assert!(!report.timed_out, "{report:?}");
    assert!(report.all_in_place(), "{report:?}");
    eprintln!("{} pods followed in {took:?} with {during} requests", report.verdicts.len());
    (report, during, took)
}

/// Fleet watches as the console runs them, as the viewer (counted apart from the admin's follow),
/// their messages drained.
struct Fleet {
    viewer: kube::Client,
    tx: mpsc::UnboundedSender<Msg>,
    taps: Taps,
    drain: tokio::task::JoinHandle<()>,
}

impl Fleet {
    fn start(d: &Demo) -> Fleet {
        let viewer = d.cluster.client_with_token(VIEWER_TOKEN).unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
        let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
        Fleet { viewer, tx, taps: Taps::default(), drain }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.drain.abort();
    }
}

fn slow_demo() -> DemoOptions {
    DemoOptions { tick: Duration::from_millis(500), ..Default::default() }
}

/// Four scoped watches (a list and a watch each, the Advanced StatefulSet after one GET), and
/// nothing per tick: a rollout of several seconds (the old 100 ms polls made ~4 requests each)
/// stays within a constant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followed_rollout_costs_a_constant_number_of_requests_not_one_per_tick() {
    let d = demo_with(slow_demo()).await;
    let (report, during, took) = follow_a_bump(&d, FeedSource::Watch).await;
    assert!(took >= Duration::from_secs(2), "too quick to tell polling apart: {took:?}");
    assert_eq!(report.verdicts.len(), 6);
    // 3 lists + 3 watches + 1 GET + 1 list + 1 watch of the Advanced StatefulSet, and a little
    // room for a watch the server ends early.
    assert!(during <= 12, "{during} requests in {took:?}");
    d.cluster.shutdown().await;
}

/// In the console the set, its GameServers and pods come from the fleet's watches (here as the
/// viewer, so they are counted apart): the follow itself reads the set once and watches only
/// the Advanced StatefulSet, and still sees every pod land.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consoles_follow_is_fed_by_its_fleet_watches_not_a_second_watch() {
    let d = demo_with(slow_demo()).await;
    let fleet = Fleet::start(&d);
    let watches = watch::spawn_fleet(&fleet.viewer, Some(NS), fleet.tx.clone(), &fleet.taps);
    let (_, during, took) = follow_a_bump(&d, FeedSource::Console(fleet.taps.clone())).await;
    // The seed (get the set, list GameServers, list pods) and the Advanced StatefulSet (a GET,
    // a list, a watch): no list or watch of pods or GameServers of its own.
    assert!(during <= 6, "{during} requests in {took:?}");
    drop(watches);
    d.cluster.shutdown().await;
}

/// The console switches namespace mid-rollout: its watches stop seeing the set, so the follow
/// opens watches of its own and still sees every pod land.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_the_fleet_stops_covering_goes_on_with_its_own_watches() {
    let d = demo_with(slow_demo()).await;
    let fleet = Fleet::start(&d);
    let first = watch::spawn_fleet(&fleet.viewer, Some(NS), fleet.tx.clone(), &fleet.taps);
    let switch = {
        let (viewer, wtx, taps) = (fleet.viewer.clone(), fleet.tx.clone(), fleet.taps.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(800)).await;
            drop(first);
            watch::spawn_fleet(&viewer, Some("elsewhere"), wtx, &taps)
        })
    };
    let (_, during, took) = follow_a_bump(&d, FeedSource::Console(fleet.taps.clone())).await;
    assert!(took >= Duration::from_secs(2), "the switch came after the end: {took:?}");
    // The seed and the Advanced StatefulSet, then a list and a watch of each of the three.
    assert!(during <= 12, "{during} requests in {took:?}");
    drop(switch.await.unwrap());
    d.cluster.shutdown().await;
}
