//! Helpers shared by the integration tests, in one place:
//! - console states loaded with the fixtures, drawn into a `TestBackend`, and keys pressed on them;
//! - the demo cluster: bare (fixtures only, no controller) or running, with a kubeconfig file,
//!   runs of the real binary (also on a pseudo-terminal), and the set's template images;
//! - the console's real event loop against the demo (`Harness`).
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures::StreamExt;
use kube::api::Api;
use okg_console::cluster::access::Capabilities;
use okg_console::cluster::client::{self, Target};
use okg_console::cluster::writer::Writer;
use okg_console::ops::audit::AuditLog;
use okg_console::ops::bump::{FollowOptions, OpsContext};
use okg_console::tui::app::msg::{ClusterEvent, Cmd, Msg};
use okg_console::tui::app::state::{Access, State};
use okg_console::tui::view::{self, text, theme::Theme};
use okg_console::tui::{Io, event_loop};
use okg_demo::{DemoCluster, DemoOptions, fixtures};
use okg_domain::fixtures as fake;
use okg_domain::image::ImageRef;
use okg_domain::types::GameServerSet;
use ratatui::{Terminal, backend::TestBackend, buffer::Buffer};
use tokio::sync::mpsc;

/// The namespace of the demo's fleet.
pub const NS: &str = "default";

// ----- console states, drawing and keys -----

/// A console state at `width`×`height` with `fake::small_fleet` loaded, as the snapshot tests
/// draw it.
pub fn loaded_state(width: u16, height: u16, access: Access) -> State {
    let mut s = State::new(
        "okg-demo",
        "http://127.0.0.1:6443",
        Some("default".into()),
        access,
        fake::now(),
    );
    let (sets, gss, pods) = fake::small_fleet();
    s.update(Msg::Resize { width, height });
    for ev in ClusterEvent::fleet_listed(sets, gss, fake::infos(&pods)) {
        s.update(Msg::Cluster(ev));
    }
    s
}

/// Not read-only, and RBAC allows every action.
pub fn writable() -> Access {
    Access { read_only: false, caps: Some(Capabilities::all_allowed()) }
}

/// `loaded_state` with `writable` access.
pub fn writable_state(width: u16, height: u16) -> State {
    loaded_state(width, height, writable())
}

/// One frame of `s` in `theme`.
pub fn render_with(s: &State, theme: &Theme, width: u16, height: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
    term.draw(|f| view::draw(f, s, theme)).unwrap();
    term.backend().buffer().clone()
}

/// One frame of `s` in the dark theme.
pub fn render(s: &State, width: u16, height: u16) -> Buffer {
    render_with(s, &Theme::builtin("dark"), width, height)
}

/// One frame of `s` in the dark theme, as plain text.
pub fn screen(s: &State, width: u16, height: u16) -> String {
    text::plain(&render(s, width, height))
}

/// Press `code` (no modifiers); what the state machine asked for.
pub fn key(s: &mut State, code: KeyCode) -> Vec<Cmd> {
    s.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// Type `t`, a key per character.
pub fn type_text(s: &mut State, t: &str) {
    for c in t.chars() {
        key(s, KeyCode::Char(c));
    }
}

// ----- the demo cluster -----

/// The demo serving `fixtures::small_fleet` of `replicas` in `NS`, without its controller; each
/// exec takes `exec_latency_ms`.
pub async fn bare_fleet(replicas: i32, exec_latency_ms: u64) -> DemoCluster {
    let options =
        DemoOptions { exec_latency: Duration::from_millis(exec_latency_ms), ..Default::default() };
    bare_fleet_with(options, replicas).await
}

/// [`bare_fleet`] with options of the caller's.
pub async fn bare_fleet_with(options: DemoOptions, replicas: i32) -> DemoCluster {
    DemoCluster::start_bare(
        "127.0.0.1:0".parse().unwrap(),
        options,
        fixtures::small_fleet(NS, replicas),
    )
    .await
    .expect("demo starts")
}

/// Runs of `/usr/bin/kubectl` against `demo` as its admin (a kubeconfig and a discovery cache
/// in a temporary directory); `None` when kubectl is not installed. Each run must succeed and
/// returns its stdout.
pub fn kubectl(demo: &DemoCluster) -> Option<impl Fn(&[&str]) -> String + Clone + Send + 'static> {
    let kubectl = std::path::Path::new("/usr/bin/kubectl");
    if !kubectl.exists() {
        eprintln!("skipping: /usr/bin/kubectl is not installed");
        return None;
    }
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let config = dir.path().join("kubeconfig");
    std::fs::write(&config, serde_json::to_string(&demo.kubeconfig()).unwrap()).unwrap();
    Some(move |args: &[&str]| {
        let out = std::process::Command::new(kubectl)
            .arg("--kubeconfig")
            .arg(&config)
            .arg("--cache-dir")
            .arg(dir.path().join("cache"))
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    })
}

/// The image of `container` in the pod template of set `set`.
pub async fn template_image(client: &kube::Client, set: &str, container: &str) -> String {
    let gss = Api::<GameServerSet>::namespaced(client.clone(), NS).get(set).await.unwrap();
    gss.template_images().into_iter().find(|(n, _)| n == container).unwrap().1
}

/// `okg bump -o json`'s verdicts: pod → verdict value (`inPlace`, `failing`, `failed`…).
pub fn verdicts(doc: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    doc["verdicts"]
        .as_object()
        .unwrap_or_else(|| panic!("no verdicts in {doc:#}"))
        .iter()
        .map(|(k, v)| (k.clone(), v["verdict"].as_str().unwrap().to_string()))
        .collect()
}

/// The image of a pod's `sidecar` container in its spec.
pub fn sidecar(p: &k8s_openapi::api::core::v1::Pod) -> String {
    let c = p.spec.as_ref().unwrap().containers.iter().find(|c| c.name == "sidecar").unwrap();
    c.image.clone().unwrap()
}

/// The same repository with another tag.
pub fn with_tag(image: &str, tag: &str) -> String {
    let mut r = ImageRef::parse(image).unwrap();
    r.tag = Some(tag.into());
    r.digest = None;
    r.to_string()
}

/// util-linux `script`, which gives the binary a pseudo-terminal for the confirmation prompts.
const SCRIPT: &str = "/usr/bin/script";

/// A running demo cluster with a kubeconfig and an audit log path in a temporary directory.
pub struct Demo {
    pub cluster: DemoCluster,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
    pub audit: PathBuf,
}

/// What a run of the real binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(out: std::process::Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    /// The `-o json` document on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }
}

pub async fn demo() -> Demo {
    demo_with(DemoOptions { tick: Duration::from_millis(50), ..Default::default() }).await
}

/// A demo cluster with these options.
pub async fn demo_with(options: DemoOptions) -> Demo {
    demo_on(DemoCluster::start("127.0.0.1:0".parse().unwrap(), options).await.unwrap())
}

/// Wrap a started cluster (for instance a bare one, with no controller) in a [`Demo`].
pub fn demo_on(cluster: DemoCluster) -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig.json");
    std::fs::write(&kubeconfig, serde_json::to_string(&cluster.kubeconfig()).unwrap()).unwrap();
    let audit = dir.path().join("audit.jsonl");
    Demo { cluster, dir, kubeconfig, audit }
}

impl Demo {
    /// Run `okg` with this cluster's kubeconfig and audit log; stdin is not a terminal.
    pub async fn okg(&self, args: &[&str]) -> Run {
        self.okg_with(&self.kubeconfig, args).await
    }

    /// Run `okg` with another kubeconfig (another identity).
    pub async fn okg_with(&self, kubeconfig: &std::path::Path, args: &[&str]) -> Run {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_okg"))
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .arg("--audit-log")
            .arg(&self.audit)
            .arg("--log-file")
            .arg(self.dir.path().join("okg.log"))
            .args(args)
            .env("XDG_STATE_HOME", self.dir.path())
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        Run::from(out)
    }

    pub fn client(&self) -> kube::Client {
        self.cluster.client().unwrap()
    }
}

impl Demo {
    /// Run `okg` on a pseudo-terminal (util-linux `script`), typing `input`: for the confirmation
    /// prompts. Panics when `script` is not installed: a test that cannot reach a terminal fails,
    /// it does not pass untested.
    pub async fn okg_on_terminal(&self, args: &[&str], input: &str) -> Run {
        use tokio::io::AsyncWriteExt;
        assert!(
            std::path::Path::new(SCRIPT).exists(),
            "{SCRIPT} is not installed: this test needs util-linux `script` for a pseudo-terminal \
             (Debian/Ubuntu: apt-get install bsdutils; Fedora: dnf install util-linux-script)"
        );
        let mut words = vec![
            env!("CARGO_BIN_EXE_okg").to_string(),
            "--kubeconfig".into(),
            self.kubeconfig.display().to_string(),
            "--audit-log".into(),
            self.audit.display().to_string(),
            "--log-file".into(),
            self.dir.path().join("okg.log").display().to_string(),
        ];
        words.extend(args.iter().map(|a| a.to_string()));
        let command = words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" ");
        let mut child = tokio::process::Command::new(SCRIPT)
            .args(["-qec", &command, "/dev/null"])
            .env("XDG_STATE_HOME", self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input.as_bytes()).await.unwrap();
        drop(stdin);
        Run::from(child.wait_with_output().await.unwrap())
    }
}

// ----- the console's event loop against the demo -----

pub(crate) struct Harness {
    pub(crate) demo: DemoCluster,
    /// Where the console's audit log goes (a temporary directory, never the user's state dir).
    pub(crate) audit: std::path::PathBuf,
    _dir: tempfile::TempDir,
    term: Terminal<TestBackend>,
    pub(crate) state: State,
    rx: mpsc::UnboundedReceiver<Msg>,
    pub(crate) io: Io,
    keys: mpsc::UnboundedSender<Msg>,
    key_rx: Option<mpsc::UnboundedReceiver<Msg>>,
}

impl Harness {
    pub(crate) async fn start(read_only: bool) -> Harness {
        Self::start_with(read_only, false).await
    }

    /// With `kubeconfig_file`, the console's target names a kubeconfig file holding only the
    /// demo's context (as `okg --kubeconfig F` would), so `:ctx` reads that file.
    pub(crate) async fn start_with(read_only: bool, kubeconfig_file: bool) -> Harness {
        let options = DemoOptions { tick: Duration::from_millis(100), ..Default::default() };
        let demo = DemoCluster::start("127.0.0.1:0".parse().unwrap(), options).await.unwrap();
        let conn = client::connect_with(demo.kubeconfig(), &Target::default()).await.unwrap();
        // Built as `session::open` builds it: exec and proxy calls without kube-rs's retries.
        let writer = (!read_only).then(|| {
            okg_console::cluster::writer::Writer::new(conn.client.clone())
                .with_call_client(conn.call_client.clone())
        });
        let (tx, rx) = mpsc::unbounded_channel();
        let access = Access { read_only, caps: None };
        let state = State::new(
            &conn.context,
            &conn.server,
            conn.namespace.clone(),
            access,
            jiff::Timestamp::now(),
        );
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("audit.jsonl");
        let target = if kubeconfig_file {
            let path = dir.path().join("kubeconfig");
            std::fs::write(&path, serde_json::to_string(&demo.kubeconfig()).unwrap()).unwrap();
            Target { kubeconfig: Some(path), ..Default::default() }
        } else {
            Target::default()
        };
        let mut io = Io::start(conn, writer, target, tx);
        io.set_audit_log(audit.clone());
        let (keys, key_rx) = mpsc::unbounded_channel();
        let term = Terminal::new(TestBackend::new(120, 40)).unwrap();
        Harness { demo, audit, _dir: dir, term, state, rx, io, keys, key_rx: Some(key_rx) }
    }

    /// Run the real loop until the screen shows `needle` (or time runs out); returns the screen.
    pub(crate) async fn run_until(&mut self, needle: &str, limit: Duration) -> String {
        let theme = Theme::builtin("dark");
        let mut key_rx = self.key_rx.take().unwrap();
        let deadline = tokio::time::Instant::now() + limit;
        let mut screen = String::new();
        while tokio::time::Instant::now() < deadline {
            let inputs = futures::stream::poll_fn(|cx| key_rx.poll_recv(cx)).boxed();
            let _ = tokio::time::timeout(
                Duration::from_millis(200),
                event_loop(
                    &mut self.term,
                    &mut self.state,
                    &theme,
                    &mut self.rx,
                    &mut self.io,
                    inputs,
                ),
            )
            .await;
            screen = text::plain(self.term.backend().buffer());
            if screen.contains(needle) {
                break;
            }
        }
        self.key_rx = Some(key_rx);
        screen
    }

    pub(crate) fn press(&self, c: KeyCode) {
        self.keys.send(Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))).unwrap();
    }

    /// A left click at (`column`, `row`), 0-based, as crossterm reports it from the terminal.
    pub(crate) fn click(&self, column: u16, row: u16) {
        use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
        for kind in [MouseEventKind::Down(MouseButton::Left), MouseEventKind::Up(MouseButton::Left)]
        {
            let ev = MouseEvent { kind, column, row, modifiers: KeyModifiers::NONE };
            self.keys.send(Msg::Mouse(ev)).unwrap();
        }
    }

    pub(crate) fn type_text(&self, text: &str) {
        text.chars().for_each(|c| self.press(KeyCode::Char(c)));
    }

    /// Until the fleet is on screen and RBAC has answered (`r` and `b` need it).
    pub(crate) async fn ready(&mut self) {
        let s = self.run_until("gss-2048-5", Duration::from_secs(15)).await;
        assert!(s.contains("gss-2048-5"), "{s}");
        for _ in 0..50 {
            if self.state.access.caps.is_some() {
                return;
            }
            self.run_until("never", Duration::from_millis(200)).await;
        }
        panic!("no RBAC answer");
    }
}

/// Writing as the demo's admin, audited to the demo's log.
pub fn ops_context(d: &Demo) -> OpsContext {
    OpsContext {
        client: d.client(),
        writer: Some(Writer::new(d.client())),
        namespace: NS.into(),
        context: "okg-demo".into(),
        audit: AuditLog::new(&d.audit),
        cancel: Default::default(),
        feed: Default::default(),
    }
}

/// Quick clocks, a minute at most: the demo settles in seconds.
pub fn follow_options() -> FollowOptions {
    FollowOptions {
        timeout: Duration::from_secs(60),
        rejudge: Duration::from_millis(100),
        stall_after: Duration::from_secs(30),
        ..FollowOptions::default()
    }
}
