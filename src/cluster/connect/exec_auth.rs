//! Exec credential plugins (`users[].user.exec`: aws, gke-gcloud-auth-plugin, kubelogin...),
//! run by okg rather than kube-rs. kube-rs runs the plugin every time it builds a client, twice
//! per client (TLS identity and auth layer), and okg builds several clients: one `okg status` ran
//! it six times. Here a plugin runs once per process and its credential is shared by every
//! client until it expires; a token is added to each request by `BearerLayer`, which runs the
//! plugin again only when the token has expired.
use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use futures::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use kube::config::{ExecConfig, ExecInteractiveMode};

/// What a plugin handed back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Token(String),
    Certificate { cert_pem: String, key_pem: String },
}

#[derive(Clone, Debug)]
struct Cached {
    credential: Credential,
    expires: Option<Timestamp>,
}

type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

/// One slot per plugin configuration; the async lock makes concurrent requests wait for one run.
static CACHE: LazyLock<Mutex<HashMap<String, Slot>>> = LazyLock::new(Default::default);

/// Set while the console owns the terminal: a plugin must not read the keyboard or write into
/// the screen then (see `run`).
static SCREEN_IN_USE: AtomicBool = AtomicBool::new(false);

/// The console says when it takes over the terminal and when it gives it back.
pub fn set_screen_in_use(in_use: bool) {
    SCREEN_IN_USE.store(in_use, Ordering::SeqCst);
}

/// Lends the terminal while the console owns it: blocks until it is lent, runs `run` on the
/// real terminal, gives it back. `false` when it could not be lent (then `run` did not run).
pub trait TerminalLender: Send + Sync {
    fn with_terminal(&self, run: &mut dyn FnMut()) -> bool;
}

static LENDER: Mutex<Option<Arc<dyn TerminalLender>>> = Mutex::new(None);

/// The console registers how to borrow its terminal (and removes it when it gives the terminal
/// back); the CLI never does, so a plugin there uses the terminal directly.
pub fn set_terminal_lender(lender: Option<Arc<dyn TerminalLender>>) {
    *LENDER.lock().unwrap_or_else(|p| p.into_inner()) = lender;
}

fn lender() -> Option<Arc<dyn TerminalLender>> {
    LENDER.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// A credential this close to its expiry is fetched again.
const MARGIN: SignedDuration = SignedDuration::from_secs(10);

fn fresh(expires: Option<Timestamp>, now: Timestamp) -> bool {
    expires.is_none_or(|e| now + MARGIN < e)
}

/// A failed plugin, in one or two lines a person can act on.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PluginError(pub String);

/// One exec configuration (with the cluster info kube-rs filled in when asked for).
#[derive(Clone, Debug)]
pub struct Plugin {
    exec: ExecConfig,
    key: String,
}

impl Plugin {
    pub fn new(exec: ExecConfig) -> Self {
        let key = serde_json::to_string(&exec).unwrap_or_default();
        Plugin { exec, key }
    }

    fn slot(&self) -> Slot {
        let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
        cache.entry(self.key.clone()).or_default().clone()
    }

    /// The cached credential, or a new one from a run of the plugin.
    pub async fn credential(&self) -> Result<Credential, PluginError> {
        let slot = self.slot();
        let mut cached = slot.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| fresh(c.expires, Timestamp::now())) {
            return Ok(c.credential.clone());
        }
        let exec = self.exec.clone();
        let screen = SCREEN_IN_USE.load(Ordering::SeqCst);
        let got = tokio::task::spawn_blocking(move || run(&exec, screen))
            .await
            .map_err(|e| PluginError(format!("the credential plugin's task failed: {e}")))??;
        let credential = got.credential.clone();
        *cached = Some(got);
        Ok(credential)
    }
}

fn command_name(exec: &ExecConfig) -> String {
    exec.command.clone().unwrap_or_default()
}

/// Run the plugin as client-go does: KUBERNETES_EXEC_INFO describes the request, stdout carries
/// an ExecCredential. It may use the terminal (stdin, stderr) when its interactiveMode allows and
/// there is one — but not while the console draws on it: then it runs without input, its stderr
/// is captured, and a plugin that needed to ask fails with a message saying what to do.
fn run(exec: &ExecConfig, screen_in_use: bool) -> Result<Cached, PluginError> {
    let name = command_name(exec);
    if name.is_empty() {
        return Err(PluginError("the kubeconfig user's exec section has no command".into()));
    }
    let mode = exec.interactive_mode.clone().unwrap_or(ExecInteractiveMode::IfAvailable);
    // While the console draws, the terminal can still be borrowed from it (the TUI lends it).
    let borrow = if screen_in_use && mode != ExecInteractiveMode::Never {
        lender().filter(|_| std::io::stdin().is_terminal())
    } else {
        None
    };
    let screen_in_use = screen_in_use && borrow.is_none();
    let terminal = std::io::stdin().is_terminal() && !screen_in_use;
    let interactive = match mode {
        ExecInteractiveMode::Never => false,
        ExecInteractiveMode::IfAvailable => terminal,
        ExecInteractiveMode::Always if terminal => true,
        ExecInteractiveMode::Always => {
            return Err(PluginError(format!(
                "the credential plugin `{name}` needs a terminal (interactiveMode: Always){}",
                if screen_in_use {
                    ", which the console is using: quit it, log in with `okg status` or kubectl, then start it again"
                } else {
                    ": run okg from a terminal"
                }
            )));
        }
    };
    let mut cmd = Command::new(&name);
    cmd.args(exec.args.iter().flatten());
    for pair in exec.env.iter().flatten() {
        if let (Some(k), Some(v)) = (pair.get("name"), pair.get("value")) {
            cmd.env(k, v);
        }
    }
    for k in exec.drop_env.iter().flatten() {
        cmd.env_remove(k);
    }
    let mut spec = serde_json::json!({ "interactive": interactive });
    if exec.provide_cluster_info
        && let Some(cluster) = &exec.cluster
    {
        spec["cluster"] = serde_json::to_value(cluster).unwrap_or_default();
    }
    let info = serde_json::json!({
        "apiVersion": exec.api_version.clone().unwrap_or_else(|| "client.authentication.k8s.io/v1".into()),
        "kind": "ExecCredential",
        "spec": spec,
    });
    cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
    cmd.stdin(if interactive { Stdio::inherit() } else { Stdio::null() });
    cmd.stdout(Stdio::piped());
    // Outside the console the plugin's messages ("open this URL...") go to the user, as kubectl does.
    cmd.stderr(if screen_in_use { Stdio::piped() } else { Stdio::inherit() });
    let out = match &borrow {
        None => cmd.output(),
        Some(lender) => {
            let mut out = None;
            let lent = lender.with_terminal(&mut || {
                eprintln!(
                    "okg: the credential plugin `{name}` runs again (the credential expired); okg comes back when it ends"
                );
                out = Some(cmd.output());
            });
            match out {
                Some(out) if lent => out,
                _ => {
                    return Err(PluginError(format!(
                        "the credential plugin `{name}` needs the terminal, which the console could not lend in time (a shell was open?): try again"
                    )));
                }
            }
        }
    };
    let out = out.map_err(|e| {
        let hint = exec
            .install_hint
            .as_deref()
            .map(|h| format!(" {}", h.trim()))
            .unwrap_or_else(|| " Is it installed and on PATH?".into());
        PluginError(format!("cannot run the credential plugin `{name}`: {e}.{hint}"))
    })?;
    if !out.status.success() {
        let stderr = excerpt(&String::from_utf8_lossy(&out.stderr));
        let said = if stderr.is_empty() { String::new() } else { format!(": {stderr}") };
        return Err(PluginError(format!(
            "the credential plugin `{name}` failed ({}){said}",
            out.status
        )));
    }
    parse(&name, &out.stdout)
}

/// The first lines of a plugin's complaint, short enough for one message.
fn excerpt(text: &str) -> String {
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3)
        .collect::<Vec<_>>()
        .join(" / ");
    if joined.chars().count() > 300 {
        format!("{}…", joined.chars().take(300).collect::<String>())
    } else {
        joined
    }
}

#[derive(serde::Deserialize)]
struct ExecCredential {
    status: Option<Status>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    token: Option<String>,
    expiration_timestamp: Option<String>,
    client_certificate_data: Option<String>,
    client_key_data: Option<String>,
}

fn parse(name: &str, stdout: &[u8]) -> Result<Cached, PluginError> {
    let doc: ExecCredential = serde_json::from_slice(stdout).map_err(|e| {
        PluginError(format!("the credential plugin `{name}` printed no ExecCredential JSON ({e})"))
    })?;
    let status = doc.status.ok_or_else(|| {
        PluginError(format!(
            "the credential plugin `{name}` printed an ExecCredential without status"
        ))
    })?;
    let expires =
        status.expiration_timestamp.map(|t| t.parse::<Timestamp>()).transpose().map_err(|e| {
            PluginError(format!(
                "the credential plugin `{name}` gave a bad expirationTimestamp ({e})"
            ))
        })?;
    let credential = match (status.token, status.client_certificate_data, status.client_key_data) {
        (_, Some(cert_pem), Some(key_pem)) => Credential::Certificate { cert_pem, key_pem },
        (Some(token), _, _) if !token.is_empty() => Credential::Token(token),
        _ => {
            return Err(PluginError(format!(
                "the credential plugin `{name}` returned neither a token nor a client certificate and key"
            )));
        }
    };
    Ok(Cached { credential, expires })
}

/// Adds the plugin's token to every request; a tower filter in kube-rs's client stack.
#[derive(Clone, Debug)]
pub struct BearerFromPlugin(pub Plugin);

impl<B: Send + 'static> tower::filter::AsyncPredicate<http::Request<B>> for BearerFromPlugin {
    type Future = BoxFuture<'static, Result<http::Request<B>, tower::BoxError>>;
    type Request = http::Request<B>;

    fn check(&mut self, mut request: http::Request<B>) -> Self::Future {
        let plugin = self.0.clone();
        Box::pin(async move {
            if let Credential::Token(token) = plugin.credential().await? {
                let mut value =
                    http::HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
                        PluginError(
                            "the credential plugin's token is not a valid header value".into(),
                        )
                    })?;
                value.set_sensitive(true);
                request.headers_mut().insert(http::header::AUTHORIZATION, value);
            }
            Ok(request)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_is_reused_until_just_before_it_expires() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        assert!(fresh(None, now));
        assert!(fresh(Some(now + SignedDuration::from_secs(60)), now));
        assert!(!fresh(Some(now + SignedDuration::from_secs(5)), now));
        assert!(!fresh(Some(now - SignedDuration::from_secs(1)), now));
    }

    #[test]
    fn the_plugins_output_is_read_as_client_go_writes_it() {
        let token = br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"abc","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#;
        let c = parse("p", token).unwrap();
        assert_eq!(c.credential, Credential::Token("abc".into()));
        assert!(c.expires.is_some());
        let cert = br#"{"status":{"clientCertificateData":"C","clientKeyData":"K"}}"#;
        assert!(matches!(parse("p", cert).unwrap().credential, Credential::Certificate { .. }));
        let err = parse("p", b"{}").unwrap_err().to_string();
        assert!(err.contains("without status"), "{err}");
        let err = parse("p", b"oops").unwrap_err().to_string();
        assert!(err.contains("no ExecCredential"), "{err}");
    }

    #[test]
    fn a_long_complaint_is_cut_to_a_few_lines() {
        let text = "one\n\ntwo\nthree\nfour\n";
        assert_eq!(excerpt(text), "one / two / three");
        assert!(excerpt(&"x".repeat(1000)).chars().count() <= 301);
    }
}
