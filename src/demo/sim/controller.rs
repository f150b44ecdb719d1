//! The reconcile loop of the simulated controller.
use crate::demo::DemoOptions;

pub async fn run(
    client: kube::Client,
    options: DemoOptions,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let _ = (client, options, shutdown);
}
