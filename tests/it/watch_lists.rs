//! How the fleet watches get their first lists: streamed in the watch (`sendInitialEvents`)
//! where the server can, in pages where it refuses (a server with the WatchList gate off).
use std::collections::BTreeSet;
use std::time::Duration;

use okg_console::cluster::watch::{self, ClusterEvent};
use okg_console::tui::app::msg::Msg;
use okg_demo::{DemoOptions, VIEWER_TOKEN};

use crate::support::{NS, bare_fleet_with};
use crate::watch_health::{synced, until_all};

/// What the three watches delivered up to their `*Synced`: every GameServer and pod key, and
/// the viewer's requests so far.
struct Listed {
    gameservers: BTreeSet<String>,
    pods: BTreeSet<String>,
    requests: u64,
}

async fn list_fleet(watch_list: bool, replicas: i32) -> Listed {
    let demo = bare_fleet_with(DemoOptions { watch_list, ..Default::default() }, replicas).await;
    let viewer = demo.client_with_token(VIEWER_TOKEN).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let watches = watch::spawn_fleet(&viewer, Some(NS), tx, &Default::default());
    let (mut gameservers, mut pods) = (BTreeSet::new(), BTreeSet::new());
    let mut done = BTreeSet::new();
    while done.len() < 3 {
        let msg = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("three lists within 30 s")
            .expect("the watches run");
        let Msg::Cluster(ev) = msg else { continue };
        done.extend(synced(&ev).map(|k| k.index()));
        match ev {
            ClusterEvent::GameServersPage(v) => {
                gameservers.extend(v.iter().map(|g| g.key.name.clone()))
            }
            ClusterEvent::PodsPage(v) => pods.extend(v.iter().map(|p| p.key.name.clone())),
            ClusterEvent::WatchError(e) => panic!("watch_list={watch_list}: {e}"),
            _ => {}
        }
    }
    // The watches that follow a paged list start after it: let them.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let requests = demo.stats.requests_by_identity()[1].1;
    drop(watches);
    demo.shutdown().await;
    Listed { gameservers, pods, requests }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_streamed_where_the_server_can_and_paged_where_it_refuses() {
    // 1,200 GameServers: three pages of 500 when paged.
    let replicas = 1_200;
    let streamed = list_fleet(true, replicas).await;
    let paged = list_fleet(false, replicas).await;
    assert_eq!(streamed.gameservers.len(), replicas as usize);
    assert_eq!(streamed.pods.len(), replicas as usize);
    // The same objects either way, and no error shown for the refusal.
    assert_eq!(streamed.gameservers, paged.gameservers);
    assert_eq!(streamed.pods, paged.pods);
    // Streamed: one watch request per kind. Paged: the refused watch, three pages of
    // GameServers and of pods, one of sets, then the three watches.
    assert_eq!(streamed.requests, 3, "streamed");
    assert_eq!(paged.requests, 3 + (1 + 3 + 3) + 3, "paged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_fleet_asks_the_server_once_per_quiet_spell_for_all_three_watches() {
    // No controller: nothing changes, so every request after the lists is a liveness question.
    let demo = bare_fleet_with(DemoOptions::default(), 3).await;
    let viewer = demo.client_with_token(VIEWER_TOKEN).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let _watches = watch::spawn_fleet(&viewer, Some(NS), tx, &Default::default());
    until_all(&mut rx, Duration::from_secs(10), "first lists", synced).await;
    let requests = || demo.stats.requests_by_identity()[1].1;
    let before = requests();
    // Two quiet spells and a half: two questions, where one per watch would be six.
    tokio::time::sleep(watch::QUIET * 5 / 2).await;
    let asked = requests() - before;
    assert_eq!(asked, 2, "questions in {:?} of silence", watch::QUIET * 5 / 2);
    // And none of them made a watch stale.
    while let Ok(msg) = rx.try_recv() {
        assert!(!matches!(msg, Msg::Cluster(ClusterEvent::Stale { .. })), "a watch went stale");
    }
    demo.shutdown().await;
}
