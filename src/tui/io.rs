//! The I/O shell of the TUI: carries out the state machine's `Cmd`s (watches, event follows,
//! context switches, the bump and reload tasks) and reports back as `Msg`s.
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;

use crate::cluster::asts_watch;
use crate::cluster::client::{self, Connection, Target};
use crate::cluster::set_watch::Taps;
use crate::cluster::watch::{self, Watches};
use crate::cluster::writer::Writer;
use crate::ops::bump::FeedSource;
use crate::tui::app::msg::{Cmd, Intent, LogsCmd, Msg};
use crate::tui::screens::picker::state::PickKind;

/// The I/O shell: carries out `Cmd`s (watches, event follows, reconnects) and reports back as
/// `Msg`s on `tx`.
pub struct Io {
    conn: Connection,
    writer: Option<Writer>,
    target: Target,
    tx: UnboundedSender<Msg>,
    watches: Watches,
    /// The Advanced StatefulSets' revisions, watched apart (`cluster::asts_watch`).
    asts: tokio::task::JoinHandle<()>,
    /// The fleet watches hand a followed set's objects to its follow through these.
    taps: Taps,
    pod_events: Option<tokio::task::JoinHandle<()>>,
    probe: Option<tokio::task::JoinHandle<()>>,
    reloads: crate::ops::reload_task::Runs,
    bump: crate::ops::bump_task::BumpTasks,
    staged: crate::ops::staged_task::StagedTasks,
    logs: crate::tui::logs_task::LogsFeed,
    /// The `:ctx` switch being connected, and the connection it made (until adopted).
    switching: Option<tokio::task::JoinHandle<()>>,
    switched: Arc<Mutex<Option<(u64, Connection, Target)>>>,
    /// The real terminal, to lend (`s`, credential plugins); `None` under a test backend.
    console: Option<crate::tui::suspend::Console>,
}

impl Io {
    pub fn start(
        conn: Connection,
        writer: Option<Writer>,
        target: Target,
        tx: UnboundedSender<Msg>,
    ) -> Self {
        let taps = Taps::default();
        let watches =
            watch::spawn_fleet(&conn.client, conn.namespace.as_deref(), tx.clone(), &taps);
        let mut bump = crate::ops::bump_task::BumpTasks::default();
        bump.feed = FeedSource::Console(taps.clone());
        let asts = asts_watch::spawn(&conn.client, conn.namespace.as_deref(), tx.clone());
        let mut io = Io {
            conn,
            writer,
            target,
            tx,
            watches,
            asts,
            taps,
            pod_events: None,
            probe: None,
            reloads: Default::default(),
            bump,
            staged: Default::default(),
            logs: Default::default(),
            switching: None,
            switched: Default::default(),
            console: None,
        };
        io.probe_access();
        io
    }

    /// Where bumps are audited (default: `paths::default_audit_log`).
    pub fn set_audit_log(&mut self, path: std::path::PathBuf) {
        self.bump.audit_log = path;
    }

    /// Where and as whom the console's writes go, audited to the bump's log (the namespace is
    /// each command's own).
    fn ops_context(&self) -> crate::ops::bump::OpsContext {
        crate::ops::bump::OpsContext {
            client: self.conn.client.clone(),
            writer: self.writer.clone(),
            namespace: self.conn.namespace.clone().unwrap_or_default(),
            context: self.conn.context.clone(),
            audit: crate::ops::audit::AuditLog::new(self.bump.audit_log.clone()),
            cancel: Default::default(),
            feed: FeedSource::Console(self.taps.clone()),
        }
    }

    /// The terminal this console draws on, which `s` and credential plugins borrow.
    pub fn set_console(&mut self, console: crate::tui::suspend::Console) {
        self.console = Some(console);
    }

    /// `s`: lend the terminal to a shell in the pod, then say how it ended. The state machine
    /// refused already in read-only; without a writer nothing can be sent anyway.
    async fn shell(&mut self, pod: okg_domain::fleet::Key, container: String) {
        let note = |n: String| Msg::Note(n);
        let (Some(writer), Some(console)) = (self.writer.clone(), self.console.clone()) else {
            let why = if self.writer.is_none() { "read-only session" } else { "no terminal" };
            let _ = self.tx.send(note(format!("shell unavailable: {why}")));
            return;
        };
        let target = crate::ops::shell::ShellTarget {
            client: self.conn.client.clone(),
            context: self.conn.context.clone(),
            namespace: pod.namespace.clone(),
            pod: pod.name.clone(),
            container: container.clone(),
        };
        let audit = crate::ops::audit::AuditLog::new(self.bump.audit_log.clone());
        let outcome = console.lend(crate::tui::shell::run(&writer, target, audit)).await;
        let _ = self.tx.send(note(format!("shell in {}/{container}: {outcome}", pod.name)));
    }

    /// Lend the terminal to a credential plugin's thread until it says it is done.
    async fn lend(&mut self, loan: crate::tui::suspend::Loan) {
        let (Some(console), Some((granted, done))) = (self.console.clone(), loan.take()) else {
            return;
        };
        console
            .lend(async move {
                if granted.send(()).is_ok() {
                    let _ = done.await;
                }
            })
            .await;
    }

    /// Where `ctrl-s` on the logs screen saves (default: `saved-logs` in the state directory).
    pub fn set_saved_logs_dir(&mut self, path: std::path::PathBuf) {
        self.logs.saved_dir = Some(path);
    }

    /// Whether a logs feed is open: closing the logs screen must stop it.
    pub fn logs_open(&self) -> bool {
        self.logs.is_open()
    }

    /// Where the bump dialog's container choices are saved (default: memory only).
    pub fn set_choices_file(&mut self, path: std::path::PathBuf) {
        self.bump.choices = Some(path);
    }

    /// Ask RBAC what the user may do, unless there is nothing to write with anyway.
    fn probe_access(&mut self) {
        if self.writer.is_none() {
            return;
        }
        let client = self.conn.client.clone();
        let ns = self.conn.namespace.clone().unwrap_or_else(|| self.conn.default_namespace.clone());
        let tx = self.tx.clone();
        self.probe = Some(tokio::spawn(async move {
            let caps = crate::cluster::access::probe(&client, Some(&ns)).await;
            let _ = tx.send(Msg::Capabilities(caps));
        }));
    }

    /// Connect to another context in a task, so the screen stays live; the connection waits in
    /// `switched` until the state machine adopts it. A failure leaves everything as it was.
    fn switch_context(&mut self, switch: u64, context: String) {
        let mut target = self.target.clone();
        target.context = Some(context.clone());
        target.namespace = None;
        let (tx, slot) = (self.tx.clone(), self.switched.clone());
        if let Some(t) = self.switching.replace(tokio::spawn(async move {
            match client::connect(&target).await {
                Ok(conn) => {
                    let msg = Msg::Switched {
                        switch,
                        context: conn.context.clone(),
                        server: conn.server.clone(),
                        namespace: conn.namespace.clone(),
                    };
                    if let Ok(mut s) = slot.lock() {
                        *s = Some((switch, conn, target));
                    }
                    let _ = tx.send(msg);
                }
                Err(e) => {
                    let _ = tx.send(Msg::SwitchFailed { switch, context, error: e.to_string() });
                }
            }
        })) {
            t.abort(); // a newer switch supersedes it
        }
    }

    fn adopt(&mut self, switch: u64) {
        let Some((_, conn, target)) =
            self.switched.lock().ok().and_then(|mut s| s.take_if(|s| s.0 == switch))
        else {
            return;
        };
        self.writer = self
            .writer
            .as_ref()
            .map(|_| Writer::new(conn.client.clone()).with_call_client(conn.call_client.clone()));
        // Another cluster: what the new watches see is not what running follows watch.
        self.taps.release_all();
        self.watches = watch::spawn_fleet(
            &conn.client,
            conn.namespace.as_deref(),
            self.tx.clone(),
            &self.taps,
        );
        self.rewatch_asts(&conn);
        self.conn = conn;
        self.target = target;
        self.probe_access();
    }

    /// The Advanced StatefulSet watch of `conn`, replacing the last one.
    fn rewatch_asts(&mut self, conn: &Connection) {
        let asts = asts_watch::spawn(&conn.client, conn.namespace.as_deref(), self.tx.clone());
        std::mem::replace(&mut self.asts, asts).abort();
    }

    /// The items of a `:` picker, in a task: the kubeconfig's contexts (as `:ctx NAME` would
    /// read it), or the cluster's namespaces (RBAC may refuse: the error goes back, and the
    /// state machine falls back on the namespaces it has seen).
    fn list_choices(&mut self, kind: PickKind) {
        let tx = self.tx.clone();
        match kind {
            PickKind::Context => {
                let file = self.target.kubeconfig.clone();
                tokio::task::spawn_blocking(move || {
                    let items = crate::cluster::connect::kubeconfig::load(file.as_deref())
                        .map(|l| l.kubeconfig.contexts.into_iter().map(|c| c.name).collect())
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Msg::Choices { kind, items });
                });
            }
            PickKind::Namespace => {
                let client = self.conn.client.clone();
                let limit = self.conn.request_timeout;
                tokio::spawn(async move {
                    use k8s_openapi::api::core::v1::Namespace;
                    let api: kube::Api<Namespace> = kube::Api::all(client);
                    let params = kube::api::ListParams::default();
                    let list = api.list_metadata(&params);
                    let items = match client::within(limit, list).await {
                        None => Err("the API server did not answer in time".to_string()),
                        Some(Ok(l)) => {
                            Ok(l.items.into_iter().filter_map(|n| n.metadata.name).collect())
                        }
                        Some(Err(e)) => Err(client::describe(&e)),
                    };
                    let _ = tx.send(Msg::Choices { kind, items });
                });
            }
            // Sets, GameServers and pods are in the state already.
            PickKind::Set | PickKind::GameServer | PickKind::Pod => {}
        }
    }

    pub async fn handle(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Quit => {}
            Cmd::ListChoices(kind) => self.list_choices(kind),
            Cmd::WatchPodEvents(key) => {
                if let Some(t) = self.pod_events.take() {
                    t.abort();
                }
                if let Some(key) = key {
                    self.pod_events =
                        Some(watch::spawn_pod_events(&self.conn.client, key, self.tx.clone()));
                }
            }
            Cmd::SwitchNamespace(ns) => {
                self.conn.namespace = ns;
                self.watches = watch::spawn_fleet(
                    &self.conn.client,
                    self.conn.namespace.as_deref(),
                    self.tx.clone(),
                    &self.taps,
                );
                let conn = self.conn.clone();
                self.rewatch_asts(&conn);
                self.probe_access();
            }
            Cmd::SwitchContext { switch, context } => self.switch_context(switch, context),
            Cmd::Adopt { switch } => self.adopt(switch),
            Cmd::Intent(Intent::Reload { sets, .. }) => {
                self.reloads.defaults(&self.conn.client, &sets, &self.tx)
            }
            Cmd::Intent(Intent::StartReload { run, method, limits, targets }) => {
                let plan = crate::ops::reload_task::plan(method, limits);
                let who = crate::ops::reload_task::Who {
                    client: self.conn.client.clone(),
                    context: self.conn.context.clone(),
                    audit_log: self.bump.audit_log.clone(),
                    feed: FeedSource::Console(self.taps.clone()),
                };
                self.reloads.start(self.writer.as_ref(), run, plan, targets, who, &self.tx)
            }
            Cmd::Intent(Intent::CancelReload { run }) => self.reloads.cancel(run),
            Cmd::Intent(Intent::StartChainReload { run, method, limits, container }) => {
                let plan = crate::ops::reload_task::plan(method, limits);
                let who = crate::ops::reload_task::Who {
                    client: self.conn.client.clone(),
                    context: self.conn.context.clone(),
                    audit_log: self.bump.audit_log.clone(),
                    feed: FeedSource::Console(self.taps.clone()),
                };
                let applied = self.bump.latest_applied();
                let writer = self.writer.as_ref();
                self.reloads.start_chain(writer, applied, run, plan, container, who, &self.tx)
            }
            Cmd::Logs(LogsCmd::Open { feed, streams, options }) => {
                self.logs.open(&self.conn.client, feed, streams, options, &self.tx)
            }
            Cmd::Logs(LogsCmd::Stop) => self.logs.stop(),
            Cmd::Logs(LogsCmd::Save { name, text }) => self.logs.save(&name, &text, &self.tx),
            Cmd::Object(req) => {
                let (client, tx) = (self.conn.client.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let reply = crate::cluster::objects::fetch(&client, req).await;
                    let _ = tx.send(Msg::Object(reply));
                });
            }
            // The event loop writes it through the terminal backend before commands get here.
            Cmd::Copy(_) => {}
            Cmd::Staged(cmd) => {
                let ctx = self.ops_context();
                self.staged.handle(cmd, ctx, &self.tx)
            }
            Cmd::GsOps(cmd) => crate::ops::gs_ops_task::handle(cmd, self.ops_context(), &self.tx),
            Cmd::Shell { pod, container } => self.shell(pod, container).await,
            Cmd::Lend(loan) => self.lend(loan).await,
            Cmd::Bump(cmd) => {
                let (client, writer) = (&self.conn.client, self.writer.clone());
                self.bump.handle(cmd, client, writer, &self.conn.context, &self.tx);
            }
        }
    }
}

/// What was still running when the console stopped, for the lines printed after the terminal
/// is restored.
#[derive(Debug, Default)]
pub struct Stopped {
    /// Reload runs cancelled (each wrote its outcome), and how many of them did not in time.
    pub reloads: usize,
    pub late: usize,
    /// A rollout was being followed (or its patches sent): it goes on in the cluster.
    pub rollout: bool,
    /// Staged rollouts this console was driving: each stops where it stands, resumable.
    pub drives: usize,
    pub audit_log: std::path::PathBuf,
}

impl Stopped {
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.reloads > 0 {
            out.push(format!(
                "cancelled {} reload run{}: every pod's outcome is in {}",
                self.reloads,
                if self.reloads == 1 { "" } else { "s" },
                self.audit_log.display()
            ));
        }
        if self.late > 0 {
            out.push(format!(
                "{} reload run{} did not record an outcome within {}s (the API server did not answer)",
                self.late,
                if self.late == 1 { "" } else { "s" },
                crate::signals::GRACE.as_secs()
            ));
        }
        if self.rollout {
            out.push(
                "stopped following the rollout: it goes on in the cluster (patches sent are in \
                 the audit log)"
                    .into(),
            );
        }
        if self.drives > 0 {
            out.push(format!(
                "stopped driving {} staged rollout{}: each keeps its stage in its record; \
                 `okg rollout resume SET --wait` (or o, then c) judges it and goes on",
                self.drives,
                if self.drives == 1 { "" } else { "s" }
            ));
        }
        out
    }
}

impl Io {
    /// Cancel the console's own operations (reloads: running pods cancelled, pending skipped;
    /// the rollout's follow) and wait, at most `grace`, until each has recorded its outcome.
    pub async fn stop_operations(&mut self, grace: std::time::Duration) -> Stopped {
        let ((reloads, late), rollout, drives) = tokio::join!(
            self.reloads.stop_all(grace),
            self.bump.stop(grace),
            self.staged.stop_all(grace)
        );
        Stopped { reloads, late, rollout, drives, audit_log: self.bump.audit_log.clone() }
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        for t in
            [self.pod_events.take(), self.probe.take(), self.switching.take()].into_iter().flatten()
        {
            t.abort();
        }
        self.asts.abort();
    }
}
