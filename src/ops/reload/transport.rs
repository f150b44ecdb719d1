//! How one attempt on one pod is made: the trait, and the real exec / pods-proxy transport.
use futures::future::BoxFuture;
use tokio::sync::mpsc;

use crate::cluster::exec::{self, Line};
use crate::cluster::writer::Writer;
use okg_domain::reload_plan::{Attempt, ReloadMethod, ReloadTarget};

/// Makes one attempt to reload one pod. The future must own what it needs ('static) so the
/// executor can run many at once; output lines go to `lines` as they arrive.
pub trait ReloadTransport: Send + Sync + 'static {
    fn attempt(
        &self,
        target: &ReloadTarget,
        method: &ReloadMethod,
        lines: mpsc::Sender<Line>,
    ) -> BoxFuture<'static, Attempt>;
}

/// The real transport: exec through pods/exec, HTTP through pods/proxy. Built from a `Writer`,
/// so a read-only session cannot build one.
#[derive(Clone)]
pub struct KubeTransport {
    writer: Writer,
}

impl KubeTransport {
    pub fn new(writer: &Writer) -> Self {
        Self { writer: writer.clone() }
    }
}

impl ReloadTransport for KubeTransport {
    fn attempt(
        &self,
        target: &ReloadTarget,
        method: &ReloadMethod,
        lines: mpsc::Sender<Line>,
    ) -> BoxFuture<'static, Attempt> {
        let writer = self.writer.clone();
        let target = target.clone();
        let method = method.clone();
        Box::pin(async move {
            match &method {
                ReloadMethod::Exec { argv } => {
                    exec::exec(
                        &writer,
                        &target.namespace,
                        &target.pod,
                        target.container.as_deref(),
                        argv,
                        lines,
                    )
                    .await
                }
                ReloadMethod::Http { port, path } => {
                    exec::http_get(&writer, &target.namespace, &target.pod, *port, path, lines)
                        .await
                }
            }
        })
    }
}
