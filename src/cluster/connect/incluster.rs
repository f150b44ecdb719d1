//! The configuration of a pod with a service account, as kubectl builds it when there is no
//! kubeconfig: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT for the server, and the
//! mounted token, CA and namespace files. It becomes an ordinary in-memory kubeconfig (context
//! "in-cluster"), so the token file is re-read by kube-rs as the kubelet rotates it.
use std::path::{Path, PathBuf};

use kube::config::{
    AuthInfo, Cluster, Context, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext,
};

use crate::cluster::client::ConnectError;

pub const CONTEXT: &str = "in-cluster";
const DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// Test-only: where the service-account files are instead of `DIR` (the integration tests
/// cannot mount a pod's volume). Documented as such in docs/connecting.md.
pub const DIR_OVERRIDE_ENV: &str = "OKG_TEST_SERVICEACCOUNT_DIR";

/// `None` outside a pod (the two variables are not both set).
pub fn from_env() -> Option<Result<Kubeconfig, ConnectError>> {
    let host = std::env::var("KUBERNETES_SERVICE_HOST").ok().filter(|h| !h.is_empty())?;
    let port = std::env::var("KUBERNETES_SERVICE_PORT").ok().filter(|p| !p.is_empty())?;
    let dir = std::env::var_os(DIR_OVERRIDE_ENV).map(PathBuf::from).unwrap_or_else(|| DIR.into());
    Some(build(&host, &port, &dir))
}

pub fn build(host: &str, port: &str, dir: &Path) -> Result<Kubeconfig, ConnectError> {
    let port: u16 = port.parse().map_err(|_| ConnectError::InCluster {
        reason: format!("KUBERNETES_SERVICE_PORT is \"{port}\", not a port number"),
    })?;
    let host = if host.contains(':') { format!("[{host}]") } else { host.to_string() };
    let token = dir.join("token");
    let ca = dir.join("ca.crt");
    for file in [&token, &ca] {
        if !file.is_file() {
            return Err(ConnectError::InCluster {
                reason: format!(
                    "KUBERNETES_SERVICE_HOST is set but {} is missing: is a service account token mounted in this pod?",
                    file.display()
                ),
            });
        }
    }
    let namespace = std::fs::read_to_string(dir.join("namespace"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".into());
    Ok(Kubeconfig {
        clusters: vec![NamedCluster {
            name: CONTEXT.into(),
            cluster: Some(Cluster {
                server: Some(format!("https://{host}:{port}")),
                certificate_authority: Some(ca.display().to_string()),
                ..Default::default()
            }),
            other: Default::default(),
        }],
        auth_infos: vec![NamedAuthInfo {
            name: CONTEXT.into(),
            auth_info: Some(AuthInfo {
                token_file: Some(token.display().to_string()),
                ..Default::default()
            }),
            other: Default::default(),
        }],
        contexts: vec![NamedContext {
            name: CONTEXT.into(),
            context: Some(Context {
                cluster: CONTEXT.into(),
                user: Some(CONTEXT.into()),
                namespace: Some(namespace),
                ..Default::default()
            }),
            other: Default::default(),
        }],
        current_context: Some(CONTEXT.into()),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_account_files_make_a_context() {
        let dir = tempfile::tempdir().unwrap();
        for (f, v) in [("token", "tok"), ("ca.crt", "pem"), ("namespace", "games\n")] {
            std::fs::write(dir.path().join(f), v).unwrap();
        }
        let k = build("fd00::1", "443", dir.path()).unwrap();
        let cluster = k.clusters[0].cluster.as_ref().unwrap();
        assert_eq!(cluster.server.as_deref(), Some("https://[fd00::1]:443"));
        let ctx = k.contexts[0].context.as_ref().unwrap();
        assert_eq!(ctx.namespace.as_deref(), Some("games"));
        let user = k.auth_infos[0].auth_info.as_ref().unwrap();
        assert!(user.token_file.as_deref().unwrap().ends_with("token"));
    }

    #[test]
    fn a_missing_token_says_which_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = build("10.0.0.1", "443", dir.path()).unwrap_err().to_string();
        assert!(err.contains("token"), "{err}");
        let err = build("10.0.0.1", "https", dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a port"), "{err}");
    }
}
