//! The demo API server's HTTP front.
use std::sync::Arc;

use crate::demo::store::Store;
use crate::demo::{DemoOptions, DemoStats};

pub fn spawn(
    listener: tokio::net::TcpListener,
    store: Store,
    stats: Arc<DemoStats>,
    options: DemoOptions,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let _ = (store, stats, options, shutdown);
    tokio::spawn(async move {
        let _ = listener;
    })
}
