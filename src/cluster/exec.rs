//! Running something in a pod: exec an argv in a container (pods/exec over WebSocket) or call an
//! HTTP path on a pod port (pods/proxy). Both are part of the write path: they take a `&Writer`,
//! which read-only sessions do not have, so they cannot reach these calls.
//!
//! Each call reports one `Attempt` (see okg::reload_plan) and streams output lines, stdout and
//! stderr kept apart, to `lines` as they arrive. Whether to retry is not decided here.
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::{Api, AttachParams, AttachedProcess};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc;

use crate::cluster::writer::Writer;
use okg_domain::reload_plan::{Attempt, OutputStream};

/// Per stream, bytes forwarded before the rest is drained and dropped (a runaway command must
/// not fill memory or the operator's screen).
pub const OUTPUT_CAP_BYTES: usize = 256 * 1024;
/// A line longer than this is cut (and the rest of it forwarded as further lines).
const MAX_LINE: usize = 8 * 1024;

/// One line of output.
pub type Line = (OutputStream, String);

/// Aborts the exec's background WebSocket task when dropped, so a timeout or cancel that drops
/// the future really closes the session instead of leaving it running.
struct AbortOnDrop(Option<AttachedProcess>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            p.abort();
        }
    }
}

/// Exec `argv` in `container` of `namespace/pod` (no tty, no stdin) and wait for its exit status.
pub async fn exec(
    writer: &Writer,
    namespace: &str,
    pod: &str,
    container: Option<&str>,
    argv: &[String],
    lines: mpsc::Sender<Line>,
) -> Attempt {
    let api: Api<Pod> = Api::namespaced(writer.call_client().clone(), namespace);
    let mut params = AttachParams::default().stdin(false).stdout(true).stderr(true).tty(false);
    if let Some(c) = container {
        params = params.container(c);
    }
    let process = match api.exec(pod, argv.to_vec(), &params).await {
        Ok(p) => p,
        Err(e) => return before_start(e),
    };
    let mut guard = AbortOnDrop(Some(process));
    let process = guard.0.as_mut().expect("just set");
    let stdout = process.stdout();
    let stderr = process.stderr();
    let status = process.take_status();
    let out_lines = lines.clone();
    let pump_out = async move {
        if let Some(r) = stdout {
            pump(r, OutputStream::Stdout, &out_lines).await;
        }
    };
    let pump_err = async move {
        if let Some(r) = stderr {
            pump(r, OutputStream::Stderr, &lines).await;
        }
    };
    futures::join!(pump_out, pump_err);
    let status = match status {
        Some(s) => s.await,
        None => None,
    };
    if let Some(p) = guard.0.take() {
        // The status is what matters; a close error after it is noise.
        let _ = tokio::time::timeout(Duration::from_secs(2), p.join()).await;
    }
    exit_status(status)
}

/// The two ends of an interactive terminal, for [`shell`]: what the user types, terminal sizes
/// (width, height; the first is sent at once), and where the pod's output goes.
pub struct TtyEnds<W> {
    pub typed: mpsc::Receiver<Vec<u8>>,
    pub sizes: mpsc::Receiver<(u16, u16)>,
    pub output: W,
    /// The last size sent: a second session on the same ends (`sh` after `bash`) starts with it.
    pub size: Option<(u16, u16)>,
}

/// Exec `argv` in `container` with a TTY (stdin, stdout; stderr is the TTY's), forwarding
/// `ends` both ways until the program exits. `.1` says whether the pod wrote anything, so a
/// caller trying `bash` can tell "not in this image" from a shell that ran.
pub async fn shell<W: tokio::io::AsyncWrite + Unpin>(
    writer: &Writer,
    namespace: &str,
    pod: &str,
    container: &str,
    argv: &[String],
    ends: &mut TtyEnds<W>,
) -> (Attempt, bool) {
    use tokio::io::AsyncWriteExt;
    let api: Api<Pod> = Api::namespaced(writer.call_client().clone(), namespace);
    let params = AttachParams::interactive_tty().container(container);
    let process = match api.exec(pod, argv.to_vec(), &params).await {
        Ok(p) => p,
        Err(e) => return (before_start(e), false),
    };
    let mut guard = AbortOnDrop(Some(process));
    let process = guard.0.as_mut().expect("just set");
    let (Some(mut stdin), Some(mut stdout), Some(mut resize), Some(status)) =
        (process.stdin(), process.stdout(), process.terminal_size(), process.take_status())
    else {
        return (Attempt::Lost("the exec session has no terminal streams".into()), false);
    };
    // The size first, before any key: a size already queued wins over the one remembered.
    while let Ok(size) = ends.sizes.try_recv() {
        ends.size = Some(size);
    }
    if let Some((width, height)) = ends.size {
        let _ =
            futures::SinkExt::send(&mut resize, kube::api::TerminalSize { width, height }).await;
    }
    let mut wrote = false;
    let mut buf = vec![0u8; 8192];
    let mut typing = true;
    loop {
        tokio::select! {
            n = stdout.read(&mut buf) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    wrote = true;
                    if ends.output.write_all(&buf[..n]).await.is_err() { break; }
                    let _ = ends.output.flush().await;
                }
            },
            typed = ends.typed.recv(), if typing => match typed {
                Some(bytes) => { let _ = stdin.write_all(&bytes).await; }
                None => typing = false,
            },
            Some((width, height)) = ends.sizes.recv() => {
                ends.size = Some((width, height));
                let _ = futures::SinkExt::send(&mut resize, kube::api::TerminalSize { width, height }).await;
            }
        }
    }
    let status = status.await;
    if let Some(p) = guard.0.take() {
        let _ = tokio::time::timeout(Duration::from_secs(2), p.join()).await;
    }
    (exit_status(status), wrote)
}

/// An error from opening the exec session: nothing ran yet.
fn before_start(e: kube::Error) -> Attempt {
    match e {
        kube::Error::Api(s) => Attempt::Refused { status: s.code, message: s.message.clone() },
        other => Attempt::NotConnected(super::client::error_chain(&other)),
    }
}

/// Read the exit status the kubelet sends on channel 3: `Success`, or `Failure` with reason
/// `NonZeroExitCode` and a cause `ExitCode` whose message is the code.
pub fn exit_status(status: Option<Status>) -> Attempt {
    let Some(status) = status else {
        return Attempt::Lost("the exec stream closed without an exit status".into());
    };
    if status.status.as_deref() == Some("Success") {
        return Attempt::Exited(0);
    }
    let code = status
        .details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.reason.as_deref() == Some("ExitCode")))
        .and_then(|c| c.message.as_deref())
        .and_then(|m| m.trim().parse::<i32>().ok());
    match code {
        Some(c) => Attempt::Exited(c),
        // e.g. "executable file not found": the runtime could not start the command.
        None => Attempt::Lost(
            status
                .message
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| format!("exec failed: {:?}", status.reason)),
        ),
    }
}

/// Forward `reader`'s lines to `lines` until EOF, up to `OUTPUT_CAP_BYTES`; after the cap, keep
/// reading (so the remote side is not blocked) but drop the bytes and say so once.
async fn pump<R: AsyncRead + Unpin>(
    mut reader: R,
    stream: OutputStream,
    lines: &mpsc::Sender<Line>,
) {
    let mut buf = vec![0u8; 8192];
    let mut pending: Vec<u8> = Vec::new();
    let mut forwarded = 0usize;
    let mut capped = false;
    loop {
        let n = match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if capped {
            continue;
        }
        pending.extend_from_slice(&buf[..n]);
        while let Some(line) = take_line(&mut pending) {
            forwarded += line.len() + 1;
            let _ = lines.send((stream, line)).await;
            if forwarded >= OUTPUT_CAP_BYTES {
                capped = true;
                pending.clear();
                let note = format!("[okg: output beyond {} KiB dropped]", OUTPUT_CAP_BYTES / 1024);
                let _ = lines.send((stream, note)).await;
                break;
            }
        }
    }
    if !capped && !pending.is_empty() {
        let _ = lines.send((stream, String::from_utf8_lossy(&pending).into_owned())).await;
    }
}

/// Split one line off the front of `pending` (at a newline, or at `MAX_LINE` bytes).
fn take_line(pending: &mut Vec<u8>) -> Option<String> {
    let cut = match pending.iter().take(MAX_LINE).position(|b| *b == b'\n') {
        Some(i) => i + 1,
        None if pending.len() >= MAX_LINE => MAX_LINE,
        None => return None,
    };
    let rest = pending.split_off(cut);
    let mut line = std::mem::replace(pending, rest);
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Some(String::from_utf8_lossy(&line).into_owned())
}

/// `GET /api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH`: call the pod's HTTP endpoint through
/// the API server. GET because the OKG guide's hook uses a plain GET, and because RBAC's
/// `get pods/proxy` is what access::ApiAction::ProxyPods checks.
pub async fn http_get(
    writer: &Writer,
    namespace: &str,
    pod: &str,
    port: u16,
    path: &str,
    lines: mpsc::Sender<Line>,
) -> Attempt {
    let uri = proxy_path(namespace, pod, port, path);
    let request = match http::Request::get(&uri).body(kube::client::Body::empty()) {
        Ok(r) => r,
        Err(e) => return Attempt::Lost(format!("cannot build the request {uri}: {e}")),
    };
    let response = match writer.call_client().send(request).await {
        Ok(r) => r,
        Err(e) => return before_start(e),
    };
    let code = response.status().as_u16();
    let body = match response.into_body().collect_bytes().await {
        Ok(b) => b,
        Err(e) => {
            // The status line came back, so the pod (or the API server) answered.
            let _ = lines.send((OutputStream::Stderr, format!("reading the body: {e}"))).await;
            bytes::Bytes::new()
        }
    };
    // The API server's own errors (pod not found, cannot reach the pod, throttled) come as a
    // metav1 Status object; an app's answer is whatever the app wrote.
    if !(200..300).contains(&code)
        && let Some(status) = api_status(&body)
    {
        return Attempt::Refused { status: code, message: status.message.unwrap_or_default() };
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(OUTPUT_CAP_BYTES)]).into_owned();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let _ = lines.send((OutputStream::Stdout, line.to_string())).await;
    }
    Attempt::Answered(code)
}

fn api_status(body: &[u8]) -> Option<Status> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    if v.get("kind")?.as_str()? == "Status" && v.get("apiVersion")?.as_str()? == "v1" {
        serde_json::from_value(v).ok()
    } else {
        None
    }
}

fn proxy_path(namespace: &str, pod: &str, port: u16, path: &str) -> String {
    let path = path.strip_prefix('/').unwrap_or(path);
    format!("/api/v1/namespaces/{namespace}/pods/{pod}:{port}/proxy/{path}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{StatusCause, StatusDetails};

    fn failure(code: &str) -> Status {
        Status {
            status: Some("Failure".into()),
            reason: Some("NonZeroExitCode".into()),
            message: Some(format!("command terminated with non-zero exit code: {code}")),
            details: Some(StatusDetails {
                causes: Some(vec![StatusCause {
                    reason: Some("ExitCode".into()),
                    message: Some(code.into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn exit_status_reads_the_kubelet_status() {
        let ok = Status { status: Some("Success".into()), ..Default::default() };
        assert_eq!(exit_status(Some(ok)), Attempt::Exited(0));
        assert_eq!(exit_status(Some(failure("3"))), Attempt::Exited(3));
        assert_eq!(exit_status(Some(failure("127"))), Attempt::Exited(127));
        assert!(matches!(exit_status(None), Attempt::Lost(_)));
        let not_found = Status {
            status: Some("Failure".into()),
            reason: Some("InternalError".into()),
            message: Some("executable file not found in $PATH".into()),
            ..Default::default()
        };
        assert_eq!(
            exit_status(Some(not_found)),
            Attempt::Lost("executable file not found in $PATH".into())
        );
    }

    #[test]
    fn lines_split_at_newlines_and_at_the_length_cap() {
        let mut p = b"one\r\ntwo\nthr".to_vec();
        assert_eq!(take_line(&mut p).as_deref(), Some("one"));
        assert_eq!(take_line(&mut p).as_deref(), Some("two"));
        assert_eq!(take_line(&mut p), None);
        assert_eq!(p, b"thr");
        let mut long = vec![b'x'; MAX_LINE + 5];
        assert_eq!(take_line(&mut long).map(|l| l.len()), Some(MAX_LINE));
        assert_eq!(long.len(), 5);
        // A newline beyond the cap does not make the line longer than the cap.
        let mut long = vec![b'y'; MAX_LINE + 3];
        long.push(b'\n');
        assert_eq!(take_line(&mut long).map(|l| l.len()), Some(MAX_LINE));
        assert_eq!(take_line(&mut long).as_deref(), Some("yyy"));
        assert!(long.is_empty());
    }

    #[tokio::test]
    async fn pump_forwards_lines_and_caps_the_volume() {
        let (tx, mut rx) = mpsc::channel(16);
        let data = b"a\nb\nlast-without-newline".to_vec();
        pump(&data[..], OutputStream::Stderr, &tx).await;
        drop(tx);
        let mut got = vec![];
        while let Some(l) = rx.recv().await {
            got.push(l);
        }
        let texts: Vec<&str> = got.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(texts, ["a", "b", "last-without-newline"]);
        assert!(got.iter().all(|(s, _)| *s == OutputStream::Stderr));

        let (tx, mut rx) = mpsc::channel(100_000);
        let big = "0123456789\n".repeat(OUTPUT_CAP_BYTES / 11 * 3);
        pump(big.as_bytes(), OutputStream::Stdout, &tx).await;
        drop(tx);
        let mut count = 0;
        let mut last = String::new();
        while let Some((_, l)) = rx.recv().await {
            count += 1;
            last = l;
        }
        assert!(count <= OUTPUT_CAP_BYTES / 11 + 2, "{count} lines forwarded");
        assert!(last.contains("dropped"), "{last}");
    }

    #[test]
    fn proxy_paths_and_api_statuses() {
        assert_eq!(
            proxy_path("default", "gss-2048-3", 3000, "/reload"),
            "/api/v1/namespaces/default/pods/gss-2048-3:3000/proxy/reload"
        );
        let s = br#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"no endpoints","code":503}"#;
        assert_eq!(api_status(s).unwrap().message.as_deref(), Some("no endpoints"));
        assert!(api_status(b"reload failed: boom").is_none());
        assert!(api_status(br#"{"kind":"Other"}"#).is_none());
    }
}
