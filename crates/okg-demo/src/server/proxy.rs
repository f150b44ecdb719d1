//! pods/proxy: the simulated game server's HTTP endpoint. Port 3000 serves `/reload`; other
//! ports fail like the real proxy's dial error (502).
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use axum::response::Response;
use serde_json::Value;

use super::commands::{self, PodFacts};
use super::logbook::{self, Logbook};
use super::{ReloadGuard, respond};
use crate::DemoStats;
use crate::store::{ApiError, Resource, Store};

pub const RELOAD_PORT: &str = "3000";

/// A pod annotated with this (an HTTP status, e.g. "503") has its app answer `/reload` with that
/// status and a plain-text body (no reload happens). For tests of what the client does with an
/// app's 503 (it must not resend it); `DemoStats::reloads_total` counts the calls that arrived.
pub const RELOAD_STATUS_ANNOTATION: &str = "demo.okg-console.io/reload-status";

#[allow(clippy::too_many_arguments)]
pub async fn proxy(
    store: &Store,
    book: &Logbook,
    stats: Arc<DemoStats>,
    latency: Duration,
    ns: &str,
    name: &str,
    port: Option<&str>,
    path: &str,
    method: &Method,
) -> Result<Response, ApiError> {
    let pod = store.get(Resource::Pods, ns, name)?;
    let ip = pod.value.pointer("/status/podIP").and_then(Value::as_str).unwrap_or("");
    let running = pod.value.pointer("/status/phase").and_then(Value::as_str) == Some("Running");
    let port = port.unwrap_or("80");
    if ip.is_empty() || !running || port != RELOAD_PORT {
        let target = if ip.is_empty() { "<none>" } else { ip };
        // 502, not 503: kube-rs retries 503 up to 15 times with backoff, which would turn one
        // unreachable pod into minutes of waiting for a batch reload.
        return Err(ApiError::new(
            502,
            "InternalError",
            format!(
                "error trying to reach service: dial tcp {target}:{port}: connect: connection refused"
            ),
        ));
    }
    let _guard = ReloadGuard::start(stats);
    tokio::time::sleep(latency).await;
    if path.trim_end_matches('/') != "/reload" || !(method == Method::GET || method == Method::POST)
    {
        return Ok(respond::text(404, "404 page not found\n".into()));
    }
    if let Some(status) = pod
        .value
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(RELOAD_STATUS_ANNOTATION))
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<u16>().ok())
    {
        return Ok(respond::text(status, format!("reload answered {status}\n")));
    }
    let facts = PodFacts::of(&pod.value);
    let outcome = commands::reload(&facts);
    // Port 3000 is the app's: its reload is written to the main container's log.
    if let Some(inst) = logbook::main_container(&pod.value)
        .and_then(|c| logbook::instance(&pod.value, &c, false).ok())
    {
        book.record(&inst.id, logbook::reload_line(&outcome, &facts.sidecar_tag));
    }
    Ok(match outcome {
        Ok(out) => respond::text(200, format!("{out}\n")),
        Err(err) => respond::text(500, format!("{err}\n")),
    })
}
