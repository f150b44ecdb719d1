//! Terminal setup and teardown, and the event loop. Connecting happens before the alternate
//! screen is entered, so connection errors are plain messages on a normal terminal.
use std::io::{self, Stdout};
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::execute;
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use crate::cli::GlobalArgs;
use crate::cluster::client::{self, Connection, Target};
use crate::cluster::watch::{self, Watches};
use crate::cluster::writer::Writer;
use crate::commands::exit;
use crate::session;
use crate::tui::app::msg::{Cmd, Intent, Msg};
use crate::tui::app::state::{Access, State};
use crate::tui::view::theme::Theme;

pub mod app;
mod reload;
pub mod screens;
pub mod view;

/// At most this many frames per second, however fast the watches report.
pub const FRAME: Duration = Duration::from_millis(33);

pub async fn run(global: &GlobalArgs) -> u8 {
    let theme = match Theme::resolve(global.theme.as_deref(), &crate::paths::config_dir(), |k| {
        std::env::var(k).ok()
    }) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("okg: {e}");
            return exit::USAGE;
        }
    };
    let session = match session::open(global).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("okg: {e}");
            return exit::USAGE;
        }
    };
    if let Err(e) = preflight(&session.connection).await {
        eprintln!("okg: {e}");
        if let Some(demo) = session.demo {
            demo.shutdown().await;
        }
        return exit::USAGE;
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut io = Io::start(
        session.connection.clone(),
        session.writer.clone(),
        Target::from_global(global),
        tx,
    );
    if let Some(path) = global.audit_log.clone() {
        io.set_audit_log(path);
    }
    let access = Access { read_only: session.writer.is_none(), caps: None };
    let conn = &session.connection;
    let mut state = State::new(
        &conn.context,
        &conn.server,
        conn.namespace.clone(),
        access,
        jiff::Timestamp::now(),
    );
    let choices = crate::paths::state_dir().join("choices.json");
    state.bump_choices = crate::ops::bump_task::load_choices(&choices);
    io.set_choices_file(choices);

    let code = match TerminalGuard::enter() {
        Ok(mut guard) => {
            let inputs = EventStream::new().filter_map(|e| async move { input_msg(e.ok()?) });
            match event_loop(
                &mut guard.terminal,
                &mut state,
                &theme,
                &mut rx,
                &mut io,
                Box::pin(inputs),
            )
            .await
            {
                Ok(()) => exit::OK,
                Err(e) => {
                    drop(guard);
                    eprintln!("okg: terminal error: {e}");
                    exit::FAILED
                }
            }
        }
        Err(e) => {
            eprintln!("okg: cannot set up the terminal: {e}");
            exit::USAGE
        }
    };
    drop(io);
    if let Some(demo) = session.demo {
        demo.shutdown().await;
    }
    code
}

/// One small list before the screen is taken over, so "forbidden" or "OKG is not installed"
/// are plain messages on stderr rather than an empty table.
pub async fn preflight(conn: &Connection) -> Result<(), String> {
    use okg_domain::types::GameServer;
    let api: kube::Api<GameServer> = match &conn.namespace {
        Some(ns) => kube::Api::namespaced(conn.client.clone(), ns),
        None => kube::Api::all(conn.client.clone()),
    };
    let scope = match &conn.namespace {
        Some(ns) => format!("namespace {ns}"),
        None => "all namespaces".to_string(),
    };
    match tokio::time::timeout(
        Duration::from_secs(8),
        api.list(&kube::api::ListParams::default().limit(1)),
    )
    .await
    {
        Err(_) => Err(format!("the API server at {} did not answer a list within 8s", conn.server)),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(kube::Error::Api(s))) if s.code == 403 => Err(format!(
            "forbidden: you may not list gameservers.game.kruise.io in {scope} on {} ({}); ask for a role that can get/list/watch gameservers, gameserversets and pods",
            conn.server, s.message
        )),
        Ok(Err(kube::Error::Api(s))) if s.code == 404 => Err(format!(
            "the API server at {} does not know gameservers.game.kruise.io: is OpenKruiseGame installed? ({})",
            conn.server, s.message
        )),
        Ok(Err(e)) => {
            Err(format!("cannot list gameservers on {}: {}", conn.server, client::error_chain(&e)))
        }
    }
}

fn input_msg(e: Event) -> Option<Msg> {
    match e {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        _ => None,
    }
}

/// Raw mode and the alternate screen, undone on drop and on panic.
struct TerminalGuard {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, crossterm::cursor::Show);
}

impl TerminalGuard {
    fn enter() -> io::Result<Self> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
        terminal::enable_raw_mode()?;
        if let Err(e) = execute!(io::stdout(), EnterAlternateScreen, crossterm::cursor::Hide) {
            restore_terminal();
            return Err(e);
        }
        match Terminal::new(CrosstermBackend::new(io::stdout())) {
            Ok(terminal) => Ok(Self { terminal }),
            Err(e) => {
                restore_terminal();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// The I/O shell: carries out `Cmd`s (watches, event follows, reconnects) and reports back as
/// `Msg`s on `tx`.
pub struct Io {
    conn: Connection,
    writer: Option<Writer>,
    target: Target,
    tx: UnboundedSender<Msg>,
    watches: Watches,
    pod_events: Option<tokio::task::JoinHandle<()>>,
    probe: Option<tokio::task::JoinHandle<()>>,
    reloads: reload::Runs,
    bump: crate::ops::bump_task::BumpTasks,
}

impl Io {
    pub fn start(
        conn: Connection,
        writer: Option<Writer>,
        target: Target,
        tx: UnboundedSender<Msg>,
    ) -> Self {
        let watches = watch::spawn_fleet(&conn.client, conn.namespace.as_deref(), tx.clone());
        let mut io = Io {
            conn,
            writer,
            target,
            tx,
            watches,
            pod_events: None,
            probe: None,
            reloads: Default::default(),
            bump: Default::default(),
        };
        io.probe_access();
        io
    }

    /// Where bumps are audited (default: `paths::default_audit_log`).
    pub fn set_audit_log(&mut self, path: std::path::PathBuf) {
        self.bump.audit_log = path;
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

    pub async fn handle(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Quit => {}
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
                );
                self.probe_access();
            }
            Cmd::SwitchContext(name) => {
                let mut target = self.target.clone();
                target.context = Some(name.clone());
                target.namespace = None;
                match client::connect(&target).await {
                    Ok(conn) => {
                        self.writer = self.writer.as_ref().map(|_| {
                            Writer::new(conn.client.clone())
                                .with_call_client(conn.call_client.clone())
                        });
                        self.watches = watch::spawn_fleet(
                            &conn.client,
                            conn.namespace.as_deref(),
                            self.tx.clone(),
                        );
                        let _ = self.tx.send(Msg::Connected {
                            context: conn.context.clone(),
                            server: conn.server.clone(),
                            namespace: conn.namespace.clone(),
                        });
                        self.conn = conn;
                        self.target = target;
                        self.probe_access();
                    }
                    Err(e) => {
                        let _ = self.tx.send(Msg::Note(format!("cannot switch to {name}: {e}")));
                    }
                }
            }
            Cmd::Intent(Intent::Reload { sets, .. }) => {
                self.reloads.defaults(&self.conn.client, &sets, &self.tx)
            }
            Cmd::Intent(Intent::StartReload { run, method, limits, targets }) => {
                let plan = reload::plan(method, limits);
                let who = reload::Who {
                    client: self.conn.client.clone(),
                    context: self.conn.context.clone(),
                    audit_log: self.bump.audit_log.clone(),
                };
                self.reloads.start(self.writer.as_ref(), run, plan, targets, who, &self.tx)
            }
            Cmd::Intent(Intent::CancelReload { run }) => self.reloads.cancel(run),
            Cmd::Intent(Intent::ReloadRollout { set, .. }) => {
                self.reloads.defaults(&self.conn.client, &[set], &self.tx)
            }
            Cmd::Intent(Intent::StartChainReload { run, method, limits, container }) => {
                let plan = reload::plan(method, limits);
                let who = reload::Who {
                    client: self.conn.client.clone(),
                    context: self.conn.context.clone(),
                    audit_log: self.bump.audit_log.clone(),
                };
                let applied = self.bump.latest_applied();
                let writer = self.writer.as_ref();
                self.reloads.start_chain(writer, applied, run, plan, container, who, &self.tx)
            }
            Cmd::Bump(cmd) => {
                let (client, writer) = (&self.conn.client, self.writer.clone());
                self.bump.handle(cmd, client, writer, &self.conn.context, &self.tx);
            }
            Cmd::Intent(intent) => {
                // The bump flow plugs in here (issue 4).
                tracing::info!("intent not wired yet: {intent:?}");
            }
        }
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        for t in [self.pod_events.take(), self.probe.take()].into_iter().flatten() {
            t.abort();
        }
    }
}

/// The loop: apply messages with `update`, carry out commands, and draw at most once per
/// `FRAME`, only when something changed. Bursts are drained before drawing, so a flood of watch
/// events costs one frame.
pub async fn event_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    theme: &Theme,
    rx: &mut UnboundedReceiver<Msg>,
    io: &mut Io,
    mut inputs: impl Stream<Item = Msg> + Unpin,
) -> io::Result<()> {
    let size = terminal.size()?;
    state.update(Msg::Resize { width: size.width, height: size.height });
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_draw = tokio::time::Instant::now() - FRAME;
    let mut inputs_open = true;
    loop {
        if state.dirty && last_draw.elapsed() >= FRAME {
            terminal.draw(|f| crate::tui::view::draw(f, state, theme))?;
            state.dirty = false;
            last_draw = tokio::time::Instant::now();
        }
        let next_frame = last_draw + FRAME;
        let mut batch = Vec::new();
        tokio::select! {
            m = rx.recv() => match m {
                Some(m) => {
                    batch.push(m);
                    // Coalesce: take whatever else is already queued.
                    while let Ok(m) = rx.try_recv() {
                        batch.push(m);
                        if batch.len() >= 10_000 { break; }
                    }
                }
                None => return Ok(()),
            },
            m = inputs.next(), if inputs_open => match m {
                Some(m) => batch.push(m),
                None => inputs_open = false,
            },
            _ = tick.tick() => batch.push(Msg::Tick(jiff::Timestamp::now())),
            _ = tokio::time::sleep_until(next_frame), if state.dirty => {}
        }
        for m in batch {
            for cmd in state.update(m) {
                if cmd == Cmd::Quit {
                    return Ok(());
                }
                io.handle(cmd).await;
            }
        }
        if state.quit {
            return Ok(());
        }
    }
}
