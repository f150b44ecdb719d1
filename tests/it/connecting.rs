//! Connecting as kubectl does, through the real binary against the demo: KUBECONFIG with several
//! files, the pod's service account, HTTPS_PROXY/NO_PROXY through a CONNECT proxy started here,
//! exec credential plugins, and the exit codes for each kind of failure (docs/connecting.md).
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use okg_demo::{ADMIN_TOKEN, DemoCluster};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{self, Run};

const CA_PEM: &str = include_str!("../../crates/okg-demo/src/tls/ca.pem");

/// Run `okg` with exactly these connection variables: everything that could point it elsewhere
/// (KUBECONFIG, proxies, a pod's environment, ~/.kube/config) is cleared first.
async fn okg(dir: &Path, env: &[(&str, OsString)], args: &[&str]) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_okg"));
    for k in [
        "KUBECONFIG",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
    ] {
        cmd.env_remove(k);
    }
    let out = cmd
        .env("HOME", dir)
        .env("XDG_STATE_HOME", dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .arg("--log-file")
        .arg(dir.join("okg.log"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    Run::from(out)
}

fn os(s: impl Into<OsString>) -> OsString {
    s.into()
}

/// The demo's kubeconfig as JSON, to be edited by a test.
fn kubeconfig(cluster: &DemoCluster) -> Value {
    serde_json::to_value(cluster.kubeconfig()).unwrap()
}

fn write(dir: &Path, name: &str, doc: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path
}

fn port(cluster: &DemoCluster) -> u16 {
    cluster.url().rsplit(':').next().unwrap().parse().unwrap()
}

/// The context "okg-demo" from `status -o json`.
fn context_of(run: &Run) -> String {
    assert_eq!(run.code, 0, "{run:?}");
    run.json()["context"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn kubeconfig_lists_several_files_and_a_context_may_come_from_the_second() {
    let d = support::demo().await;
    // The first file sets the current context to one only the second file defines; the second
    // file's own current context must lose (first file wins).
    let first = json!({
        "apiVersion": "v1", "kind": "Config", "current-context": "okg-demo",
        "clusters": [{"name": "elsewhere", "cluster": {"server": "https://192.0.2.1:6443"}}],
        "contexts": [{"name": "elsewhere", "context": {"cluster": "elsewhere", "user": "nobody"}}],
        "users": [{"name": "nobody", "user": {"token": "x"}}],
    });
    let mut second = kubeconfig(&d.cluster);
    second["current-context"] = json!("elsewhere");
    let a = write(d.dir.path(), "a.json", &first);
    let b = write(d.dir.path(), "b.json", &second);
    let list = std::env::join_paths([&a, &d.dir.path().join("missing.json"), &b]).unwrap();
    let env = [("KUBECONFIG", list)];

    let run = okg(d.dir.path(), &env, &["status", "-o", "json"]).await;
    assert_eq!(context_of(&run), "okg-demo");
    let run = okg(d.dir.path(), &env, &["--context", "okg-demo", "status", "-o", "json"]).await;
    assert_eq!(context_of(&run), "okg-demo");

    let run = okg(d.dir.path(), &env, &["--context", "nosuch", "status"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("elsewhere, okg-demo") && run.stderr.contains("a.json"), "{run:?}");
}

#[tokio::test]
async fn without_a_kubeconfig_the_pods_service_account_is_used() {
    let d = support::demo().await;
    let sa = d.dir.path().join("serviceaccount");
    std::fs::create_dir(&sa).unwrap();
    std::fs::write(sa.join("token"), ADMIN_TOKEN).unwrap();
    std::fs::write(sa.join("ca.crt"), CA_PEM).unwrap();
    std::fs::write(sa.join("namespace"), support::NS).unwrap();
    let env = [
        ("KUBERNETES_SERVICE_HOST", os("127.0.0.1")),
        ("KUBERNETES_SERVICE_PORT", os(port(&d.cluster).to_string())),
        ("OKG_TEST_SERVICEACCOUNT_DIR", sa.clone().into_os_string()),
    ];
    let run = okg(d.dir.path(), &env, &["status", "-o", "json"]).await;
    assert_eq!(context_of(&run), "in-cluster");
    assert!(
        run.stdout.contains("gss-2048"),
        "the fleet comes through the service account: {run:?}"
    );

    // A wrong token is the server's 401, with the auth exit code.
    std::fs::write(sa.join("token"), "not-a-token").unwrap();
    let run = okg(d.dir.path(), &env, &["status"]).await;
    assert_eq!(run.code, 6, "{run:?}");

    // Outside a pod and without any kubeconfig: a usage error naming what was tried.
    let run = okg(d.dir.path(), &[], &["status"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains(".kube/config"), "{run:?}");
}

/// A CONNECT proxy on loopback that tunnels every request to the demo's port and records the
/// authorities it was asked for.
struct Proxy {
    url: String,
    asked: Arc<Mutex<Vec<String>>>,
}

async fn proxy_to(target_port: u16) -> Proxy {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let mut words = head.split_whitespace();
                if words.next() != Some("CONNECT") {
                    let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n").await;
                    return;
                }
                seen.lock().unwrap().push(words.next().unwrap_or_default().to_string());
                let Ok(mut upstream) =
                    tokio::net::TcpStream::connect(("127.0.0.1", target_port)).await
                else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    Proxy { url, asked }
}

/// The demo's kubeconfig with `server` as the address; the demo's certificate is for localhost,
/// which `tls-server-name` asks for.
fn pointing_at(d: &support::Demo, server: &str, name: &str) -> PathBuf {
    let mut k = kubeconfig(&d.cluster);
    k["clusters"][0]["cluster"]["server"] = json!(server);
    k["clusters"][0]["cluster"]["tls-server-name"] = json!("localhost");
    write(d.dir.path(), name, &k)
}

#[tokio::test]
async fn https_proxy_carries_the_connection_to_a_name_only_the_proxy_knows() {
    let d = support::demo().await;
    let port = port(&d.cluster);
    let proxy = proxy_to(port).await;
    // `.invalid` never resolves: only the proxy can reach this server.
    let server = format!("https://okg-demo.invalid:{port}");
    let k = pointing_at(&d, &server, "remote.json");
    let kc = k.to_str().unwrap();

    let run = okg(
        d.dir.path(),
        &[("HTTPS_PROXY", os(&proxy.url))],
        &["--kubeconfig", kc, "status", "-o", "json"],
    )
    .await;
    assert_eq!(context_of(&run), "okg-demo");
    assert!(proxy.asked.lock().unwrap().contains(&format!("okg-demo.invalid:{port}")));

    // Without the proxy the name does not resolve: a connection failure, exit code 5, one message
    // naming the context and the server.
    let run = okg(d.dir.path(), &[], &["--kubeconfig", kc, "status"]).await;
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.stderr.contains("\"okg-demo\"") && run.stderr.contains(&server), "{run:?}");
    assert!(run.stderr.lines().count() <= 2, "{run:?}");
}

#[tokio::test]
async fn no_proxy_covering_the_server_bypasses_the_proxy() {
    let d = support::demo().await;
    let port = port(&d.cluster);
    let proxy = proxy_to(port).await;
    // 0.0.0.0 reaches the loopback listener on Linux but is not a loopback address, which
    // kubectl (and okg) never proxy: so only NO_PROXY decides here.
    let k = pointing_at(&d, &format!("https://0.0.0.0:{port}"), "direct.json");
    let args = ["--kubeconfig", k.to_str().unwrap(), "status", "-o", "json"];

    let run = okg(d.dir.path(), &[("HTTPS_PROXY", os(&proxy.url))], &args).await;
    assert_eq!(context_of(&run), "okg-demo");
    let through = proxy.asked.lock().unwrap().len();
    assert!(through >= 1, "without NO_PROXY the proxy must be used");

    let env = [("HTTPS_PROXY", os(&proxy.url)), ("NO_PROXY", os("example.org,0.0.0.0"))];
    let run = okg(d.dir.path(), &env, &args).await;
    assert_eq!(context_of(&run), "okg-demo");
    assert_eq!(
        proxy.asked.lock().unwrap().len(),
        through,
        "NO_PROXY covers the server: no CONNECT"
    );
}

/// A plugin script that appends a line to `count` per run and prints `credential`.
fn plugin(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\necho run >> \"$1\"\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn with_plugin(d: &support::Demo, script: &Path, count: &Path, name: &str) -> PathBuf {
    let mut k = kubeconfig(&d.cluster);
    k["users"][0]["user"] = json!({"exec": {
        "apiVersion": "client.authentication.k8s.io/v1",
        "command": script,
        "args": [count],
        "interactiveMode": "Never",
    }});
    write(d.dir.path(), name, &k)
}

fn runs(count: &Path) -> usize {
    std::fs::read_to_string(count).unwrap_or_default().lines().count()
}

fn credential(token: &str, expires: &str) -> String {
    let status = json!({"token": token, "expirationTimestamp": expires});
    let doc = json!({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": status});
    format!("cat <<'EOF'\n{doc}\nEOF")
}

#[tokio::test]
async fn an_exec_plugin_runs_once_per_process_until_its_credential_expires() {
    let d = support::demo().await;
    let dir = d.dir.path();
    let script = plugin(dir, "good.sh", &credential(ADMIN_TOKEN, "2099-01-01T00:00:00Z"));
    let count = dir.join("good.count");
    let k = with_plugin(&d, &script, &count, "good.json");
    let run = okg(dir, &[], &["--kubeconfig", k.to_str().unwrap(), "status", "-o", "json"]).await;
    assert_eq!(context_of(&run), "okg-demo");
    assert_eq!(runs(&count), 1, "one `okg status`, one plugin run");

    // An expired credential is fetched again for the next request.
    let script = plugin(dir, "stale.sh", &credential(ADMIN_TOKEN, "2000-01-01T00:00:00Z"));
    let count = dir.join("stale.count");
    let k = with_plugin(&d, &script, &count, "stale.json");
    let run = okg(dir, &[], &["--kubeconfig", k.to_str().unwrap(), "status", "-o", "json"]).await;
    assert_eq!(context_of(&run), "okg-demo");
    assert!(runs(&count) >= 2, "an expired token must be refreshed: {} run(s)", runs(&count));
}

#[tokio::test]
async fn a_failing_plugin_is_an_auth_failure_in_a_short_message() {
    let d = support::demo().await;
    let dir = d.dir.path();
    let script = plugin(dir, "bad.sh", "echo 'session expired: run sso login' >&2\nexit 3");
    let count = dir.join("bad.count");
    let k = with_plugin(&d, &script, &count, "bad.json");
    let run = okg(dir, &[], &["--kubeconfig", k.to_str().unwrap(), "status"]).await;
    assert_eq!(run.code, 6, "{run:?}");
    assert_eq!(runs(&count), 1);
    let ours: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("okg")).collect();
    assert_eq!(ours.len(), 1, "{run:?}");
    assert!(ours[0].contains("\"okg-demo\"") && ours[0].contains("bad.sh"), "{run:?}");
    assert!(ours[0].len() < 400, "{run:?}");
    assert!(
        !run.stderr.contains(okg_demo::server::listen::CA_PEM_BASE64.get(..40).unwrap()),
        "{run:?}"
    );
    // The plugin's own words reach the user, as with kubectl.
    assert!(run.stderr.contains("run sso login"), "{run:?}");
}

#[tokio::test]
async fn exit_codes_tell_unreachable_from_refused_from_misconfigured() {
    let d = support::demo().await;
    let dir = d.dir.path();

    // Refused credentials: 6, without kube-rs's debug dump of the Status.
    let mut k = kubeconfig(&d.cluster);
    k["users"][0]["user"] = json!({"token": "wrong"});
    let bad_token = write(dir, "bad-token.json", &k);
    let run = okg(dir, &[], &["--kubeconfig", bad_token.to_str().unwrap(), "status"]).await;
    assert_eq!(run.code, 6, "{run:?}");
    assert!(run.stderr.contains("401") && !run.stderr.contains("Status {"), "{run:?}");

    // Nothing listens: 5.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let k = pointing_at(&d, &format!("https://127.0.0.1:{closed_port}"), "closed.json");
    let run = okg(dir, &[], &["--kubeconfig", k.to_str().unwrap(), "status"]).await;
    assert_eq!(run.code, 5, "{run:?}");

    // An X.509 v1 client certificate: 6, and the message says what the file is.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/fixtures/certs");
    let mut k = kubeconfig(&d.cluster);
    k["users"][0]["user"] = json!({
        "client-certificate": format!("{fixtures}/client-v1.crt"),
        "client-key": format!("{fixtures}/client.key"),
    });
    let v1 = write(dir, "v1.json", &k);
    let run = okg(dir, &[], &["--kubeconfig", v1.to_str().unwrap(), "status"]).await;
    assert_eq!(run.code, 6, "{run:?}");
    assert!(run.stderr.contains("X.509 v1") && run.stderr.contains("client-v1.crt"), "{run:?}");
    assert!(!run.stderr.contains("invalid private key"), "{run:?}");

    // A kubeconfig that does not exist: 1, a usage error.
    let run = okg(dir, &[], &["--kubeconfig", "/nonexistent/kubeconfig", "status"]).await;
    assert_eq!(run.code, 1, "{run:?}");
}

#[tokio::test]
async fn request_timeout_bounds_the_wait_for_a_silent_server() {
    let d = support::demo().await;
    // Accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            open.push(s);
        }
    });
    let k = pointing_at(&d, &format!("https://127.0.0.1:{silent_port}"), "silent.json");
    let args = ["--kubeconfig", k.to_str().unwrap(), "--request-timeout", "1s", "status"];
    let started = std::time::Instant::now();
    let run = okg(d.dir.path(), &[], &args).await;
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.stderr.contains("1s"), "{run:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "took {:?}", started.elapsed());
    let run = okg(d.dir.path(), &[], &["--request-timeout", "soon", "status"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    held.abort();
}
