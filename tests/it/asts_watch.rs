//! The Advanced StatefulSet watch on a cluster that does not serve them (no OpenKruise CRD:
//! 404) or does not let the console read them (403): it ends after one request, quietly,
//! without an error for the screen and without retrying.
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use okg_console::cluster::asts_watch::{self, AstsEvent};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A plain-HTTP server that answers every request with `code` and a Kubernetes Status, and
/// counts the requests.
async fn refusing_server(code: u16) -> (String, Arc<AtomicU32>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicU32::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                // One request per connection is all a test needs; read its head and answer.
                if conn.read(&mut buf).await.unwrap_or(0) == 0 {
                    return;
                }
                seen.fetch_add(1, Ordering::SeqCst);
                let reason = if code == 403 { "Forbidden" } else { "NotFound" };
                let body = format!(
                    r#"{{"kind":"Status","apiVersion":"v1","metadata":{{}},"status":"Failure","message":"refused","reason":"{reason}","code":{code}}}"#
                );
                let head = format!(
                    "HTTP/1.1 {code} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes()).await;
                let _ = conn.write_all(body.as_bytes()).await;
            });
        }
    });
    (url, count)
}

async fn watch_against(code: u16) {
    let (url, requests) = refusing_server(code).await;
    let config = kube::Config::new(url.parse().unwrap());
    let client = kube::Client::try_from(config).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<AstsEvent>();
    let task = asts_watch::spawn(&client, Some("default"), tx);
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap_or_else(|_| panic!("{code}: the watch should end, not retry"))
        .unwrap();
    let mut said = Vec::new();
    while let Ok(e) = rx.try_recv() {
        said.push(e);
    }
    // At most the reset a list starts with; never a revision, never an error.
    assert!(said.iter().all(|e| *e == AstsEvent::Reset), "{code}: {said:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 1, "{code}: one request, no retries");
}

#[tokio::test]
async fn no_crd_ends_the_advanced_statefulset_watch_quietly() {
    watch_against(404).await;
}

#[tokio::test]
async fn no_rbac_ends_the_advanced_statefulset_watch_quietly() {
    watch_against(403).await;
}
