//! Watch health against the demo through a loopback proxy the test can stall or take down: a
//! stalled API server turns every fleet watch stale within a bound and back when it answers; a
//! restarted one (connections cut, then refused, then back) is live again within seconds.
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use okg_console::cluster::client::{self, Target};
use okg_console::cluster::watch::{
    self, ClusterEvent, MAX_BACKOFF, PROBE_TIMEOUT, QUIET, WatchKind,
};
use okg_console::tui::app::msg::Msg;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use crate::support::{NS, demo};

const PASS: u8 = 0;
const STALL: u8 = 1;
const DOWN: u8 = 2;

/// Forwards bytes while PASS; holds them (and new connections) while STALL; cuts every
/// connection and refuses new ones while DOWN.
async fn proxy(upstream: u16, mode: Arc<AtomicU8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            let mode = mode.clone();
            tokio::spawn(async move {
                while mode.load(Ordering::SeqCst) == STALL {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                if mode.load(Ordering::SeqCst) == DOWN {
                    return;
                }
                let Ok(up) = TcpStream::connect(("127.0.0.1", upstream)).await else { return };
                let (cr, cw) = conn.into_split();
                let (ur, uw) = up.into_split();
                tokio::select! {
                    _ = pipe(cr, uw, mode.clone()) => {}
                    _ = pipe(ur, cw, mode) => {}
                }
            });
        }
    });
    port
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mode: Arc<AtomicU8>,
) {
    let mut buf = [0u8; 16384];
    loop {
        let n = tokio::select! {
            r = from.read(&mut buf) => match r { Ok(0) | Err(_) => return, Ok(n) => n },
            _ = down(&mode) => return,
        };
        loop {
            match mode.load(Ordering::SeqCst) {
                STALL => tokio::time::sleep(Duration::from_millis(20)).await,
                DOWN => return,
                _ => break,
            }
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

async fn down(mode: &AtomicU8) {
    while mode.load(Ordering::SeqCst) != DOWN {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const ALL: [WatchKind; 3] = [WatchKind::Sets, WatchKind::GameServers, WatchKind::Pods];

/// Wait until `want` has come for every watch kind; panics after `limit`.
pub(crate) async fn until_all(
    rx: &mut UnboundedReceiver<Msg>,
    limit: Duration,
    what: &str,
    want: impl Fn(&ClusterEvent) -> Option<WatchKind>,
) -> Duration {
    let start = Instant::now();
    let mut seen = BTreeSet::new();
    while seen.len() < ALL.len() {
        let left = limit.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(Msg::Cluster(ev))) => {
                if let Some(k) = want(&ev) {
                    seen.insert(k.index());
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => panic!("the watches ended"),
            Err(_) => panic!("{what}: only {seen:?} of the three watches within {limit:?}"),
        }
    }
    start.elapsed()
}

pub(crate) fn synced(ev: &ClusterEvent) -> Option<WatchKind> {
    match ev {
        ClusterEvent::SetsSynced(_) => Some(WatchKind::Sets),
        ClusterEvent::GameServersSynced(_) => Some(WatchKind::GameServers),
        ClusterEvent::PodsSynced(_) => Some(WatchKind::Pods),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_or_restarted_api_server_is_shown_stale_and_recovers_within_seconds() {
    let d = demo().await;
    let mode = Arc::new(AtomicU8::new(PASS));
    let port = proxy(super::faults::demo_port(&d), mode.clone()).await;
    let kubeconfig = super::faults::through(&d, port);
    let conn = client::connect_with(kubeconfig, &Target::default()).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let _watches = watch::spawn_fleet(&conn.client, Some(NS), tx, &Default::default());
    until_all(&mut rx, Duration::from_secs(10), "first lists", synced).await;

    // A stall: nothing answers, nothing is refused.
    let bound = QUIET + PROBE_TIMEOUT + Duration::from_secs(4);
    mode.store(STALL, Ordering::SeqCst);
    let took = until_all(&mut rx, bound, "stale on a stall", |ev| match ev {
        ClusterEvent::Stale { watch, .. } => Some(*watch),
        _ => None,
    })
    .await;
    eprintln!("stale {took:?} after the stall began");
    mode.store(PASS, Ordering::SeqCst);
    let took = until_all(&mut rx, Duration::from_secs(4), "fresh after the stall", |ev| match ev {
        ClusterEvent::Fresh(w) => Some(*w),
        _ => None,
    })
    .await;
    eprintln!("fresh {took:?} after the stall ended");

    // A restart: connections cut, new ones refused for 3 s, then back.
    mode.store(DOWN, Ordering::SeqCst);
    until_all(&mut rx, Duration::from_secs(5), "stale on a restart", |ev| match ev {
        ClusterEvent::Stale { watch, .. } => Some(*watch),
        _ => None,
    })
    .await;
    // Nothing is fresh while the server is down.
    let early = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            if let Some(Msg::Cluster(ClusterEvent::Fresh(w))) = rx.recv().await {
                return w;
            }
        }
    });
    if let Ok(w) = early.await {
        panic!("{w:?} turned fresh while the API server was down");
    }
    mode.store(PASS, Ordering::SeqCst);
    let took =
        until_all(&mut rx, MAX_BACKOFF + Duration::from_secs(4), "live after a restart", |ev| {
            match ev {
                ClusterEvent::Fresh(w) => Some(*w),
                _ => None,
            }
        })
        .await;
    eprintln!("live {took:?} after the API server came back");
    d.cluster.shutdown().await;
}
