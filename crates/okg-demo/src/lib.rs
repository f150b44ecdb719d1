//! The embedded demo cluster: a real Kubernetes-style HTTP API server on loopback (`server`,
//! `store`) plus a simulated OKG / OpenKruise / kubelet controller (`sim`) that talks to it only
//! through `kube::Client`.
//!
//! Identities: the server accepts bearer tokens. `ADMIN_TOKEN` may do everything, `VIEWER_TOKEN`
//! may only get/list/watch, `CONTROLLER_TOKEN` is the simulated controller's own identity. The
//! server counts mutating requests per identity so tests can prove that a read-only console sent
//! none.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub mod cluster;
pub mod fixtures;
pub mod server;
pub mod sim;
pub mod store;

pub const ADMIN_TOKEN: &str = "okg-demo-admin";
pub const VIEWER_TOKEN: &str = "okg-demo-viewer";
pub const CONTROLLER_TOKEN: &str = "okg-demo-controller";

#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub namespace: String,
    /// Replicas of gss-2048.
    pub replicas: i32,
    /// How long one simulated step (a container restart, a pull) takes.
    pub tick: Duration,
    /// How long a simulated reload command (exec or HTTP) takes.
    pub exec_latency: Duration,
    /// Streaming lists (`sendInitialEvents`), as a 1.34+ server serves them. Off, a watch that
    /// asks for them gets 422, as from a server with the WatchList gate off (1.33's default).
    pub watch_list: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            namespace: "default".into(),
            replicas: 6,
            tick: Duration::from_secs(2),
            exec_latency: Duration::from_millis(50),
            watch_list: true,
        }
    }
}

/// Counters the server keeps; tests read them.
#[derive(Default, Debug)]
pub struct DemoStats {
    /// Non-read requests from identities other than the simulated controller: POST, PUT, PATCH
    /// and DELETE on resources, plus every pods/exec session and pods/proxy call (GET included).
    /// Counted once the token is recognised, before authorization, so a refused write counts
    /// too. Access and self reviews are not counted.
    pub client_mutations: AtomicU64,
    /// The same, from the simulated controller.
    pub controller_mutations: AtomicU64,
    /// Exec and proxy reloads running right now, and the most seen at once.
    pub reloads_in_flight: AtomicU64,
    pub reloads_peak: AtomicU64,
    /// Total exec sessions and proxy calls served.
    pub reloads_total: AtomicU64,
    /// Every authenticated request (reads, watches and discovery included), per identity in
    /// the order admin, viewer, controller: the request rate a console costs the API server,
    /// which `scripts/bench-vs-k9s.sh` reads through `demo_bench --serve`.
    pub requests: [AtomicU64; 3],
}

impl DemoStats {
    pub fn client_mutations(&self) -> u64 {
        self.client_mutations.load(Ordering::SeqCst)
    }
    pub fn reloads_peak(&self) -> u64 {
        self.reloads_peak.load(Ordering::SeqCst)
    }
    /// Requests so far per identity, as (user name, count).
    pub fn requests_by_identity(&self) -> [(&'static str, u64); 3] {
        let n = |i: usize| self.requests[i].load(Ordering::SeqCst);
        [("demo-admin", n(0)), ("demo-viewer", n(1)), ("okg-demo-controller", n(2))]
    }
    pub fn reset_reload_peak(&self) {
        self.reloads_peak.store(0, Ordering::SeqCst);
    }
}

/// A running demo cluster. Dropping it does not stop it; call `shutdown`.
pub struct DemoCluster {
    pub addr: SocketAddr,
    pub options: DemoOptions,
    pub stats: Arc<DemoStats>,
    store: store::Store,
    shutdown: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl DemoCluster {
    /// Serve the API on `listen`, seed the initial objects and start the simulated controller.
    /// Returns once the server answers requests.
    pub async fn start(listen: SocketAddr, options: DemoOptions) -> anyhow::Result<DemoCluster> {
        let objects = sim::seed::initial_objects(&options);
        let mut cluster = Self::start_bare(listen, options, objects).await?;
        let controller_client = cluster.client_with_token(CONTROLLER_TOKEN)?;
        let shutdown_rx = cluster.shutdown.subscribe();
        cluster.tasks.push(tokio::spawn(sim::controller::run(
            controller_client,
            cluster.options.clone(),
            shutdown_rx,
        )));
        Ok(cluster)
    }

    /// Serve the API with `objects` as the initial contents (besides the nodes and CRDs every
    /// demo has, `cluster`) and no controller: nothing changes unless a client changes it. For
    /// tests of the API server itself (see `fixtures`).
    pub async fn start_bare(
        listen: SocketAddr,
        options: DemoOptions,
        objects: Vec<serde_json::Value>,
    ) -> anyhow::Result<DemoCluster> {
        let stats = Arc::new(DemoStats::default());
        let store = store::Store::new();
        let cluster = cluster::objects(&objects, jiff::SignedDuration::from_hours(24));
        for obj in cluster.into_iter().chain(objects) {
            store.insert_initial(obj)?;
        }
        let (shutdown, shutdown_rx) = tokio::sync::watch::channel(false);
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let server =
            server::spawn(listener, store.clone(), stats.clone(), options.clone(), shutdown_rx);
        Ok(DemoCluster { addr, options, stats, store, shutdown, tasks: vec![server] })
    }

    /// Forget the watch history, as an etcd compaction does: a watch from any resourceVersion
    /// older than now gets 410 Gone and clients must re-list.
    pub fn compact_watch_history(&self) {
        self.store.compact();
    }

    /// The https URL clients use (TLS with the demo's own CA, see `server::listen`; the same
    /// port also answers plain HTTP). An unspecified listen address is reached on loopback.
    pub fn url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("https://{addr}")
    }

    /// A kubeconfig whose current context ("okg-demo") points at this server as the admin user.
    pub fn kubeconfig(&self) -> kube::config::Kubeconfig {
        self.kubeconfig_with_token(ADMIN_TOKEN)
    }

    pub fn kubeconfig_with_token(&self, token: &str) -> kube::config::Kubeconfig {
        use kube::config::*;
        let user = if token == VIEWER_TOKEN { "demo-viewer" } else { "demo-admin" };
        Kubeconfig {
            clusters: vec![NamedCluster {
                name: "okg-demo".into(),
                cluster: Some(Cluster {
                    server: Some(self.url()),
                    certificate_authority_data: Some(server::listen::CA_PEM_BASE64.to_string()),
                    ..Default::default()
                }),
                other: Default::default(),
            }],
            auth_infos: vec![NamedAuthInfo {
                name: user.into(),
                auth_info: Some(AuthInfo {
                    token: Some(token.to_string().into()),
                    ..Default::default()
                }),
                other: Default::default(),
            }],
            contexts: vec![NamedContext {
                name: "okg-demo".into(),
                context: Some(Context {
                    cluster: "okg-demo".into(),
                    user: Some(user.into()),
                    namespace: Some(self.options.namespace.clone()),
                    ..Default::default()
                }),
                other: Default::default(),
            }],
            current_context: Some("okg-demo".into()),
            api_version: Some("v1".into()),
            kind: Some("Config".into()),
            ..Default::default()
        }
    }

    /// A client for the admin identity.
    pub fn client(&self) -> anyhow::Result<kube::Client> {
        self.client_with_token(ADMIN_TOKEN)
    }

    pub fn client_with_token(&self, token: &str) -> anyhow::Result<kube::Client> {
        let mut config = kube::Config::new(self.url().parse()?);
        config.root_cert = Some(vec![server::listen::CA_DER.to_vec()]);
        config.default_namespace = self.options.namespace.clone();
        config.auth_info.token = Some(token.to_string().into());
        Ok(kube::Client::try_from(config)?)
    }

    /// Stop the server and the controller.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            t.abort();
            let _ = t.await;
        }
    }
}
