//! Finding the cluster: kubeconfig (or the pod's service account), context, namespace, proxy,
//! credentials, and a first request that proves the API server answers. The parts kube-rs does
//! not do as kubectl does are in `cluster::connect`. Every failure becomes a `ConnectError`
//! that names the context, the server and the cause, and says what to do.
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use kube::config::{KubeConfigOptions, Kubeconfig};

use super::connect::exec_auth::{BearerFromPlugin, Credential, Plugin};
use super::connect::{certs, kubeconfig, proxy};

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
    /// How long one-shot requests (lists, the first probe) may take; `None`: no limit
    /// (`--request-timeout 0`). Watches are not limited.
    pub request_timeout: Option<Duration>,
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

/// What kind of failure, for exit codes (see docs/connecting.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The kubeconfig, the flags or the environment are wrong.
    Config,
    /// The API server could not be reached (network, DNS, proxy, TLS, timeout).
    Connection,
    /// The credentials were refused or could not be obtained or used.
    Auth,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "no kubeconfig at {path}: pass --kubeconfig with an existing file, or try `okg --demo`"
    )]
    MissingKubeconfig { path: PathBuf },
    #[error(
        "no kubeconfig: {tried} does not exist and this is not a pod with a service account: pass --kubeconfig PATH or set KUBECONFIG, or try `okg --demo`"
    )]
    NoKubeconfig { tried: String },
    #[error("cannot read the kubeconfig {path}: {reason}")]
    BadKubeconfig { path: PathBuf, reason: String },
    #[error("cannot use the pod's service account: {reason}")]
    InCluster { reason: String },
    #[error("context \"{name}\" is not in {from}; known contexts: {known}")]
    UnknownContext { name: String, known: String, from: String },
    #[error("{from} has no current context: pass --context NAME (known: {known})")]
    NoContext { known: String, from: String },
    #[error("cannot configure a client for context \"{context}\": {reason}")]
    Config { context: String, reason: String },
    #[error("context \"{context}\": {reason}")]
    Certificate { context: String, reason: String },
    #[error("context \"{context}\" ({server}): {reason}")]
    Credential { context: String, server: String, reason: String },
    #[error(
        "cannot reach the API server of context \"{context}\" at {server}{via}: {reason}. Is the cluster up and the address right?"
    )]
    Unreachable { context: String, server: String, via: String, reason: String },
    #[error(
        "the API server of context \"{context}\" at {server} refused the credentials (401 Unauthorized: {reason}): log in again or check the kubeconfig user"
    )]
    Unauthorized { context: String, server: String, reason: String },
}

impl ConnectError {
    pub fn failure(&self) -> Failure {
        match self {
            ConnectError::Unreachable { .. } => Failure::Connection,
            ConnectError::Certificate { .. }
            | ConnectError::Credential { .. }
            | ConnectError::Unauthorized { .. } => Failure::Auth,
            _ => Failure::Config,
        }
    }
}

/// Where to connect, as the user said it.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    /// `--request-timeout`; `Some(0)` means no limit, `None` the defaults below.
    pub request_timeout: Option<Duration>,
}

/// Without `--request-timeout`: how long to wait for a TCP/TLS connection and for a one-shot
/// request, so a dead address is reported rather than waited on.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(8);

impl Target {
    fn limits(&self) -> (Option<Duration>, Option<Duration>) {
        match self.request_timeout {
            None => (Some(DEFAULT_CONNECT_TIMEOUT), Some(DEFAULT_REQUEST_TIMEOUT)),
            Some(t) if t.is_zero() => (None, None),
            Some(t) => (Some(t), Some(t)),
        }
    }
}

/// `--request-timeout` as kubectl reads it: a duration with a unit (`10s`, `1m`), or a bare
/// number of seconds; 0 means no limit.
pub fn parse_request_timeout(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(s)
        .map_err(|e| format!("{e}: give a duration such as 10s, 1m or 0 (no limit)"))
}

/// Connect with a kubeconfig already in memory (the demo's), then make one request so an
/// unreachable server is reported now rather than as an empty screen.
pub async fn connect_with(
    kubeconfig: Kubeconfig,
    target: &Target,
) -> Result<Connection, ConnectError> {
    connect_from(kubeconfig, "the kubeconfig", target).await
}

/// Connect as the flags and the environment say (see `connect::kubeconfig` for which files).
pub async fn connect(target: &Target) -> Result<Connection, ConnectError> {
    let loaded = kubeconfig::load(target.kubeconfig.as_deref())?;
    let source = loaded.describe();
    connect_from(loaded.kubeconfig, &source, target).await
}

async fn connect_from(
    kubeconfig: Kubeconfig,
    source: &str,
    target: &Target,
) -> Result<Connection, ConnectError> {
    let known = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(", ");
    let context = match target.context.clone().or_else(|| kubeconfig.current_context.clone()) {
        Some(c) => c,
        None => return Err(ConnectError::NoContext { known, from: source.into() }),
    };
    let Some(named) = kubeconfig.contexts.iter().find(|c| c.name == context) else {
        return Err(ConnectError::UnknownContext { name: context, known, from: source.into() });
    };
    let cluster_proxy = named
        .context
        .as_ref()
        .and_then(|c| kubeconfig.clusters.iter().find(|n| n.name == c.cluster))
        .and_then(|n| n.cluster.as_ref())
        .and_then(|c| c.proxy_url.clone());
    let config_error = |reason: String| ConnectError::Config { context: context.clone(), reason };
    let options = KubeConfigOptions { context: Some(context.clone()), ..Default::default() };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| config_error(one_line(&error_chain(&e))))?;
    let server = config.cluster_url.to_string();
    config.proxy_url =
        proxy::choose(&config.cluster_url, cluster_proxy.as_deref(), &proxy::ProxyEnv::from_env())
            .map_err(config_error)?;
    let via =
        config.proxy_url.as_ref().map(|p| format!(" through the proxy {p}")).unwrap_or_default();
    let (connect_timeout, request_timeout) = target.limits();
    config.connect_timeout = connect_timeout;
    if let Some(ns) = &target.namespace {
        config.default_namespace = ns.clone();
    }
    let plugin = credentials(&mut config, &context, &server).await?;
    certs::check(&config.auth_info)
        .map_err(|reason| ConnectError::Certificate { context: context.clone(), reason })?;
    let default_namespace = config.default_namespace.clone();
    let mut once = config.clone();
    once.default_retry = false;
    let client = build(config, plugin.as_ref()).map_err(|e| config_error(describe(&e)))?;
    let call_client = build(once, plugin.as_ref()).map_err(|e| config_error(describe(&e)))?;
    probe(&client, &context, &server, &via, (connect_timeout, request_timeout)).await?;
    Ok(Connection {
        client,
        call_client,
        context,
        server,
        namespace: if target.all_namespaces { None } else { Some(default_namespace.clone()) },
        default_namespace,
        request_timeout,
    })
}

/// Take an exec plugin out of kube-rs's hands (see `connect::exec_auth`) and run it now, so a
/// failing plugin is reported as such. A certificate goes into the TLS identity; a token is added
/// per request by the returned plugin's layer.
async fn credentials(
    config: &mut kube::Config,
    context: &str,
    server: &str,
) -> Result<Option<Plugin>, ConnectError> {
    let Some(exec) = config.auth_info.exec.take() else { return Ok(None) };
    let plugin = Plugin::new(exec);
    let credential = plugin.credential().await.map_err(|e| ConnectError::Credential {
        context: context.into(),
        server: server.into(),
        reason: e.to_string(),
    })?;
    match credential {
        Credential::Token(_) => Ok(Some(plugin)),
        Credential::Certificate { cert_pem, key_pem } => {
            let b64 = base64::engine::general_purpose::STANDARD;
            config.auth_info.client_certificate_data = Some(b64.encode(cert_pem));
            config.auth_info.client_key_data = Some(b64.encode(key_pem).into());
            Ok(None)
        }
    }
}

fn build(config: kube::Config, plugin: Option<&Plugin>) -> Result<kube::Client, kube::Error> {
    let builder = kube::client::ClientBuilder::try_from(config)?;
    Ok(match plugin {
        // The filter needs a cloneable service below it; kube-rs's boxed stack is not one.
        Some(p) => builder
            .with_layer(&tower::buffer::BufferLayer::new(1024))
            .with_layer(&tower::filter::AsyncFilterLayer::new(BearerFromPlugin(p.clone())))
            .build(),
        None => builder.build(),
    })
}

async fn probe(
    client: &kube::Client,
    context: &str,
    server: &str,
    via: &str,
    (connect_limit, limit): (Option<Duration>, Option<Duration>),
) -> Result<(), ConnectError> {
    let unreachable = |reason: String| ConnectError::Unreachable {
        context: context.into(),
        server: server.into(),
        via: via.into(),
        reason,
    };
    let result = match limit {
        Some(limit) => {
            tokio::time::timeout(limit, client.apiserver_version()).await.map_err(|_| {
                unreachable(format!("no answer within {}", humantime::format_duration(limit)))
            })?
        }
        None => client.apiserver_version().await,
    };
    match result {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 401 => Err(ConnectError::Unauthorized {
            context: context.into(),
            server: server.into(),
            reason: one_line(&s.message),
        }),
        // /version may be forbidden to some users; the server still answered.
        Err(kube::Error::Api(_)) => Ok(()),
        // hyper-timeout's connect limit (the same duration) says only "deadline has elapsed".
        Err(e) => match connect_limit {
            Some(limit) if describe(&e).contains("deadline has elapsed") => Err(unreachable(
                format!("no connection within {}", humantime::format_duration(limit)),
            )),
            _ => Err(unreachable(one_line(&describe(&e)))),
        },
    }
}

/// `fut`, unless it takes longer than `limit` (`None` when it did).
pub async fn within<T>(limit: Option<Duration>, fut: impl Future<Output = T>) -> Option<T> {
    match limit {
        Some(limit) => tokio::time::timeout(limit, fut).await.ok(),
        None => Some(fut.await),
    }
}

/// A kube-rs error for a person: an API error as "Reason (code): message" instead of kube-rs's
/// Display, which appends the whole Status as a Rust debug dump.
pub fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => {
            let reason = if s.reason.is_empty() { "Error" } else { s.reason.as_str() };
            format!("{reason} ({}): {}", s.code, s.message)
        }
        other => error_chain(other),
    }
}

/// An error and its causes on one line, for messages a person reads. For a `kube::Error` use
/// [`describe`]: kube's Display of an API error appends a debug dump of the Status.
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

/// At most a few hundred characters on one line: a cause, never a dump.
fn one_line(s: &str) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 400 {
        format!("{}…", flat.chars().take(400).collect::<String>())
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_timeout_reads_as_kubectl_does() {
        assert_eq!(parse_request_timeout("0"), Ok(Duration::ZERO));
        assert_eq!(parse_request_timeout("15"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_request_timeout("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_request_timeout("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_request_timeout("soon").unwrap_err().contains("10s"));
    }

    #[test]
    fn zero_means_no_limit_and_absent_means_the_defaults() {
        let t = |v| Target { request_timeout: v, ..Default::default() };
        assert_eq!(t(Some(Duration::ZERO)).limits(), (None, None));
        assert_eq!(
            t(None).limits(),
            (Some(DEFAULT_CONNECT_TIMEOUT), Some(DEFAULT_REQUEST_TIMEOUT))
        );
        let two = Some(Duration::from_secs(2));
        assert_eq!(t(two).limits(), (two, two));
    }

    #[test]
    fn an_api_error_reads_without_a_debug_dump() {
        let status = kube::core::Status::failure("Unauthorized", "Unauthorized").with_code(401);
        let text = describe(&kube::Error::Api(Box::new(status)));
        assert_eq!(text, "Unauthorized (401): Unauthorized");
    }
}
