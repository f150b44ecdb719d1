//! pods/exec over WebSocket, as the kubelet streams it: subprotocol `v5.channel.k8s.io` or
//! `v4.channel.k8s.io`, each binary message prefixed with its channel (1 stdout, 2 stderr,
//! 3 the final Status), then a normal close.
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;

use super::ReloadGuard;
use super::commands::{self, PodFacts};
use super::logbook::{self, Logbook};
use super::query::Query;
use crate::DemoStats;
use crate::store::{ApiError, Resource, Store};

const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// Check the pod and the request, then upgrade. Errors are answered before the upgrade, as the
/// API server does.
#[allow(clippy::too_many_arguments)]
pub async fn exec(
    store: &Store,
    book: &Logbook,
    stats: Arc<DemoStats>,
    latency: Duration,
    ns: &str,
    name: &str,
    q: &Query,
    mut parts: Parts,
) -> Result<Response, ApiError> {
    let pod = store.get(Resource::Pods, ns, name)?;
    let argv = q.all("command");
    if argv.is_empty() {
        return Err(ApiError::bad_request(
            "you must specify at least one command for the container",
        ));
    }
    let container = choose_container(&pod.value, name, q.get("container"))?;
    let phase = pod.value.pointer("/status/phase").and_then(Value::as_str).unwrap_or("Pending");
    match phase {
        "Running" => {}
        "Succeeded" | "Failed" => {
            return Err(ApiError::bad_request(format!(
                "cannot exec into a container in a completed pod; current phase is {phase}"
            )));
        }
        _ => {
            return Err(ApiError::bad_request(format!(
                "unable to upgrade connection: container not found (\"{container}\")"
            )));
        }
    }
    // The WebSocket extractor only accepts GET; exec is also reachable with POST upgrades.
    if parts.method == Method::POST {
        parts.method = Method::GET;
    }
    let upgrade = WebSocketUpgrade::from_request_parts(&mut parts, &()).await.map_err(|e| {
        ApiError::bad_request(format!("unable to upgrade connection: {}", e.body_text()))
    })?;
    // With stdin, a shell reads it: `exec -it` (a terminal) or `exec -i` (a pipe).
    if q.get("stdin") == Some("true") {
        let mut shell = super::tty::Shell::new(&pod.value, &container);
        shell.piped = q.get("tty") != Some("true");
        return Ok(upgrade.protocols(PROTOCOLS).on_upgrade(move |socket| async move {
            tty_session(socket, argv, shell, latency).await;
        }));
    }
    let facts = PodFacts::of(&pod.value);
    let (want_out, want_err) = (q.get("stdout") != Some("false"), q.get("stderr") != Some("false"));
    // A reload writes to the log of the container it ran in, once it has run.
    let note = argv
        .iter()
        .any(|a| commands::mentions_reload(a))
        .then(|| logbook::instance(&pod.value, &container, false).ok())
        .flatten()
        .map(|inst| {
            let line = logbook::reload_line(&commands::reload(&facts), &facts.sidecar_tag);
            (book.clone(), inst.id, line)
        });
    let guard = ReloadGuard::start(stats);
    Ok(upgrade.protocols(PROTOCOLS).on_upgrade(move |socket| async move {
        run_session(socket, argv, facts, latency, want_out, want_err, guard, note).await;
    }))
}

pub(super) fn choose_container(
    pod: &Value,
    pod_name: &str,
    asked: Option<&str>,
) -> Result<String, ApiError> {
    let names: Vec<&str> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| cs.iter().filter_map(|c| c.get("name").and_then(Value::as_str)).collect())
        .unwrap_or_default();
    match asked.filter(|c| !c.is_empty()) {
        Some(c) if names.contains(&c) => Ok(c.to_string()),
        Some(c) => {
            Err(ApiError::bad_request(format!("container {c} is not valid for pod {pod_name}")))
        }
        None if names.len() == 1 => Ok(names[0].to_string()),
        None => Err(ApiError::bad_request(format!(
            "a container name must be specified for pod {pod_name}, choose one of: [{}]",
            names.join(" ")
        ))),
    }
}

/// `exec -it`: the shell, or the runtime's refusal of a program the image does not have (only
/// `sh` is there, as in a busybox image, so a client that tries `bash` first falls back).
async fn tty_session(
    mut socket: WebSocket,
    argv: Vec<String>,
    shell: super::tty::Shell,
    latency: Duration,
) {
    tokio::time::sleep(latency).await;
    let program = argv[0].rsplit('/').next().unwrap_or(&argv[0]);
    if program == "sh" {
        super::tty::run(&mut socket, shell, &argv).await;
    } else {
        let status = serde_json::json!({
            "metadata": {}, "status": "Failure", "reason": "InternalError",
            "message": format!("OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": executable file not found in $PATH: unknown", argv[0]),
        });
        let _ = socket.send(frame(3, &serde_json::to_vec(&status).unwrap_or_default())).await;
    }
    close(socket).await;
}

fn frame(channel: u8, data: &[u8]) -> Message {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(channel);
    v.extend_from_slice(data);
    Message::Binary(Bytes::from(v))
}

#[allow(clippy::too_many_arguments)]
async fn run_session(
    mut socket: WebSocket,
    argv: Vec<String>,
    pod: PodFacts,
    latency: Duration,
    out: bool,
    err: bool,
    // Held while the command "runs": dropped before its exit status is sent, not after the close
    // handshake, so a client that starts its next exec on receiving the status is not counted
    // twice (reloads_peak must not exceed the client's parallelism).
    guard: ReloadGuard,
    note: Option<(Logbook, String, String)>,
) {
    tokio::time::sleep(latency).await;
    if let Some((book, id, line)) = note {
        book.record(&id, line);
    }
    let outcome = commands::run(&argv, &pod);
    if !outcome.sleep.is_zero() {
        // Keep reading while sleeping so a client that goes away ends the session early.
        let sleep = tokio::time::sleep(outcome.sleep);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                msg = socket.recv() => match msg {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    _ => {}
                },
            }
        }
    }
    let status =
        serde_json::to_vec(&commands::exit_status(&argv, outcome.code)).unwrap_or_default();
    let mut frames = Vec::new();
    if out && !outcome.stdout.is_empty() {
        frames.push(frame(1, outcome.stdout.as_bytes()));
    }
    if err && !outcome.stderr.is_empty() {
        frames.push(frame(2, outcome.stderr.as_bytes()));
    }
    frames.push(frame(3, &status));
    // The command is over once its outcome is known; drop before sending, since the client may
    // get the status and start its next exec before this task runs again.
    drop(guard);
    for f in frames {
        if socket.send(f).await.is_err() {
            return;
        }
    }
    close(socket).await;
}

/// A normal closure, then drain until the client acknowledges it, so it reads everything first.
async fn close(mut socket: WebSocket) {
    // A normal closure (1000): Go's websocket reader treats "no status" (1005) as an error.
    let close = CloseFrame { code: axum::extract::ws::close_code::NORMAL, reason: "".into() };
    let _ = socket.send(Message::Close(Some(close))).await;
    // Drain until the client acknowledges the close, so it reads everything first.
    let drain = async {
        while let Some(Ok(m)) = socket.recv().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), drain).await;
}
