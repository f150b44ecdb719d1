//! Finding the cluster: kubeconfig, context, namespace, and a first request that proves the API
//! server answers. Every failure becomes a `ConnectError` whose message says what to do.
use std::path::PathBuf;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};

/// A client plus what the user should see about where it points.
#[derive(Clone)]
pub struct Connection {
    pub client: kube::Client,
    /// The same server and credentials without kube-rs's retry layer (which resends a request
    /// answered 429/503/504): for exec and pods/proxy calls, where a resent request may run the
    /// reload twice. `ops::reload` decides about retries itself.
    pub call_client: kube::Client,
    pub context: String,
    pub server: String,
    /// The namespace to show; `None` means all namespaces.
    pub namespace: Option<String>,
    /// The namespace writes and namespaced lookups default to.
    pub default_namespace: String,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("context", &self.context)
            .field("server", &self.server)
            .field("namespace", &self.namespace)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "no kubeconfig at {path}: set KUBECONFIG or pass --kubeconfig PATH, or try `okg --demo`"
    )]
    MissingKubeconfig { path: PathBuf },
    #[error("cannot read the kubeconfig {path}: {reason}")]
    BadKubeconfig { path: PathBuf, reason: String },
    #[error("context \"{name}\" is not in the kubeconfig; known contexts: {known}")]
    UnknownContext { name: String, known: String },
    #[error("the kubeconfig has no current context: pass --context NAME (known: {known})")]
    NoContext { known: String },
    #[error(
        "cannot reach the API server at {server}: {reason}. Is the cluster up and the address right?"
    )]
    Unreachable { server: String, reason: String },
    #[error(
        "the API server at {server} refused our credentials ({reason}): log in again or check the kubeconfig user"
    )]
    Unauthorized { server: String, reason: String },
    #[error("cannot configure a client for context \"{context}\": {reason}")]
    Config { context: String, reason: String },
}

/// Where to connect, as the user said it.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub all_namespaces: bool,
}

fn default_kubeconfig_path() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    home.join(".kube").join("config")
}

/// Read the kubeconfig the user named (or the default one).
pub fn load_kubeconfig(target: &Target) -> Result<Kubeconfig, ConnectError> {
    let path = target.kubeconfig.clone().unwrap_or_else(default_kubeconfig_path);
    if !path.exists() {
        return Err(ConnectError::MissingKubeconfig { path });
    }
    Kubeconfig::read_from(&path)
        .map_err(|e| ConnectError::BadKubeconfig { path, reason: e.to_string() })
}

/// Connect with a kubeconfig already in memory (the demo's, or one read from disk), then make one
/// request so an unreachable server is reported now rather than as an empty screen.
pub async fn connect_with(
    kubeconfig: Kubeconfig,
    target: &Target,
) -> Result<Connection, ConnectError> {
    let known = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(", ");
    let context = match target.context.clone().or_else(|| kubeconfig.current_context.clone()) {
        Some(c) => c,
        None => return Err(ConnectError::NoContext { known }),
    };
    if !kubeconfig.contexts.iter().any(|c| c.name == context) {
        return Err(ConnectError::UnknownContext { name: context, known });
    }
    let options = KubeConfigOptions { context: Some(context.clone()), ..Default::default() };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| ConnectError::Config { context: context.clone(), reason: e.to_string() })?;
    config.connect_timeout = Some(Duration::from_secs(5));
    if let Some(ns) = &target.namespace {
        config.default_namespace = ns.clone();
    }
    let server = config.cluster_url.to_string();
    let default_namespace = config.default_namespace.clone();
    let mut once = config.clone();
    once.default_retry = false;
    let client = kube::Client::try_from(config)
        .map_err(|e| ConnectError::Config { context: context.clone(), reason: e.to_string() })?;
    let call_client = kube::Client::try_from(once)
        .map_err(|e| ConnectError::Config { context: context.clone(), reason: e.to_string() })?;
    probe(&client, &server).await?;
    Ok(Connection {
        client,
        call_client,
        context,
        server,
        namespace: if target.all_namespaces { None } else { Some(default_namespace.clone()) },
        default_namespace,
    })
}

/// Connect as the flags say.
pub async fn connect(target: &Target) -> Result<Connection, ConnectError> {
    let kubeconfig = load_kubeconfig(target)?;
    connect_with(kubeconfig, target).await
}

async fn probe(client: &kube::Client, server: &str) -> Result<(), ConnectError> {
    let result = tokio::time::timeout(Duration::from_secs(8), client.apiserver_version()).await;
    match result {
        Err(_) => Err(ConnectError::Unreachable {
            server: server.to_string(),
            reason: "no answer within 8s".into(),
        }),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(kube::Error::Api(s))) if s.code == 401 => Err(ConnectError::Unauthorized {
            server: server.to_string(),
            reason: s.message.clone(),
        }),
        // /version may be forbidden to some users; the server still answered.
        Ok(Err(kube::Error::Api(_))) => Ok(()),
        Ok(Err(e)) => {
            Err(ConnectError::Unreachable { server: server.to_string(), reason: error_chain(&e) })
        }
    }
}

/// An error and its causes on one line, for messages a person reads.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let c = cause.to_string();
        if !s.contains(&c) {
            s.push_str(": ");
            s.push_str(&c);
        }
        source = cause.source();
    }
    s
}
