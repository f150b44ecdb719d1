//! Accepting connections: TLS and plain HTTP on the same port, told apart by the first byte
//! (a TLS handshake starts with 0x16). kubectl sends bearer tokens only over https, while
//! plain HTTP stays handy for curl and raw tests.
//!
//! The certificate is a fixed one under `crates/okg-demo/src/tls/` for 127.0.0.1, ::1 and localhost, signed
//! by a throw-away CA whose key was deleted after signing. The server key is public by design:
//! it protects nothing but a loopback demo.
use std::sync::Arc;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// DER of the CA that signed the server certificate: clients trust it.
pub const CA_DER: &[u8] = include_bytes!("../tls/ca.der");
/// Base64 of the CA's PEM, as a kubeconfig's `certificate-authority-data` wants it.
pub const CA_PEM_BASE64: &str = include_str!("../tls/ca.pem.b64");
const SERVER_CERT_DER: &[u8] = include_bytes!("../tls/server.der");
const SERVER_KEY_DER: &[u8] = include_bytes!("../tls/server.key.der");

fn acceptor() -> anyhow::Result<TlsAcceptor> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(SERVER_KEY_DER.to_vec()));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(SERVER_CERT_DER.to_vec())], key)?;
    // HTTP/1.1 only: exec upgrades to WebSocket, which kubectl does over HTTP/1.1.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serve `app` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, app: Router) {
    let tls = match acceptor() {
        Ok(t) => Some(t),
        Err(e) => {
            tracing::warn!("demo API server: TLS disabled: {e:#}");
            None
        }
    };
    loop {
        let Ok((tcp, _)) = listener.accept().await else { continue };
        let _ = tcp.set_nodelay(true);
        let (app, tls) = (app.clone(), tls.clone());
        tokio::spawn(async move {
            let mut first = [0u8; 1];
            let is_tls = matches!(tcp.peek(&mut first).await, Ok(1)) && first[0] == 0x16;
            let service = TowerToHyperService::new(app);
            let http = hyper::server::conn::http1::Builder::new();
            match (is_tls, tls) {
                (true, Some(tls)) => {
                    if let Ok(stream) = tls.accept(tcp).await {
                        let _ = http
                            .serve_connection(TokioIo::new(stream), service)
                            .with_upgrades()
                            .await;
                    }
                }
                _ => {
                    let _ = http.serve_connection(TokioIo::new(tcp), service).with_upgrades().await;
                }
            }
        });
    }
}
