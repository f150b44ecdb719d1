//! The terminal console: connect (before the alternate screen is entered, so connection errors
//! are plain messages on a normal terminal), take over the terminal with ratatui's own
//! `init`/`restore`, and run the event loop. `app/` is the pure state machine, `screens/` the
//! screens over the table, `view/` the shared drawing, `io.rs` the shell that does the I/O.

use crossterm::event::{Event, KeyEventKind};
use futures::StreamExt;
use ratatui::Terminal;
use tokio::sync::mpsc;

use crate::cli::GlobalArgs;
use crate::cluster::client::{self, Connection};
use crate::commands::exit;
use crate::session;
use crate::signals::{Shutdown, Signal};
use crate::tui::app::msg::Msg;
use crate::tui::app::state::{Access, State};
use crate::tui::view::backend::SafeBackend;
use crate::tui::view::theme::Theme;

pub mod app;
mod event_loop;
mod io;
mod logs_task;
pub mod screens;
mod shell;
pub mod suspend;
pub mod view;

pub use event_loop::{FRAME, event_loop};
pub use io::Io;

pub async fn run(global: &GlobalArgs) -> u8 {
    // First thing: from here a signal cancels and records instead of killing the process with
    // the terminal in raw mode.
    let shutdown = Shutdown::install(restore_terminal);
    let theme = match Theme::resolve(global.theme.as_deref(), &crate::paths::config_dir(), |k| {
        std::env::var(k).ok()
    }) {
        Ok(t) => t,
        Err(e) => {
            crate::errln!("okg: {e}");
            return exit::USAGE;
        }
    };
    let session = match session::open(global).await {
        Ok(s) => s,
        Err(e) => {
            crate::errln!("okg: {e}");
            return exit::for_session(&e);
        }
    };
    if let Err((code, e)) = preflight(&session.connection).await {
        crate::errln!("okg: {e}");
        if let Some(demo) = session.demo {
            demo.shutdown().await;
        }
        return code;
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut io =
        Io::start(session.connection.clone(), session.writer.clone(), global.target(), tx.clone());
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

    let code = match Screen::enter(!global.no_mouse) {
        Ok(mut screen) => {
            // A credential plugin that runs again (token expiry) must not draw into the screen.
            crate::cluster::connect::exec_auth::set_screen_in_use(true);
            let (reader, events) = suspend::Keys::start();
            io.set_console(suspend::Console::new(reader, !global.no_mouse));
            crate::cluster::connect::exec_auth::set_terminal_lender(Some(std::sync::Arc::new(
                suspend::Lender(tx.clone()),
            )));
            let keys = futures::stream::unfold(events, |mut rx| async move {
                rx.recv().await.map(|e| (e, rx))
            })
            .filter_map(|e| async move { input_msg(e) });
            let signal = futures::stream::once({
                let s = shutdown.clone();
                async move {
                    s.cancelled().await;
                    Msg::Shutdown(s.signal().map_or("cancel", Signal::name).to_string())
                }
            });
            let inputs = futures::stream::select(keys, signal);
            match event_loop(
                &mut screen.terminal,
                &mut state,
                &theme,
                &mut rx,
                &mut io,
                Box::pin(inputs),
            )
            .await
            {
                Ok(()) => {
                    hold_the_screen_for_tests().await;
                    exit::OK
                }
                Err(e) => {
                    drop(screen);
                    crate::errln!("okg: terminal error: {e}");
                    exit::FAILED
                }
            }
        }
        Err(e) => {
            crate::errln!("okg: cannot set up the terminal: {e}");
            exit::USAGE
        }
    };
    crate::cluster::connect::exec_auth::set_screen_in_use(false);
    crate::cluster::connect::exec_auth::set_terminal_lender(None);
    // The terminal is restored by now: what was cancelled is said on the normal screen.
    let stopped = io.stop_operations(crate::signals::GRACE).await;
    let why = shutdown.signal().map(|s| format!("{}: ", s.name())).unwrap_or_default();
    for line in stopped.lines() {
        crate::errln!("okg: {why}{line}");
    }
    drop(io);
    if let Some(demo) = session.demo {
        demo.shutdown().await;
    }
    shutdown.exit_code(code)
}

/// Debug builds only: `OKG_TEST_HOLD_SCREEN_MS` keeps the screen in raw mode that long after the
/// loop ends, standing in for a loop stuck on a terminal that does not drain, so that a test can
/// prove the forced exit of a second signal restores the terminal by itself
/// (`scripts/tmux-signals.sh`). Release builds do not read it.
async fn hold_the_screen_for_tests() {
    if cfg!(debug_assertions)
        && let Some(ms) =
            std::env::var("OKG_TEST_HOLD_SCREEN_MS").ok().and_then(|v| v.parse::<u64>().ok())
    {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

/// The terminal as it was before `Screen::enter`: raw mode off, the alternate screen left, the
/// cursor shown. Safe to call twice, and from the signal task when a second signal forces exit.
pub fn restore_terminal() {
    // Mouse capture off first: a terminal left capturing sends escape codes for every click
    // into the shell. Turning it off when it was never on is harmless.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    ratatui::restore();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
}

/// One small list before the screen is taken over, so "forbidden" or "OKG is not installed"
/// are plain messages on stderr rather than an empty table. `Err` carries the exit code.
pub async fn preflight(conn: &Connection) -> Result<(), (u8, String)> {
    use okg_domain::types::GameServer;
    let api: kube::Api<GameServer> = match &conn.namespace {
        Some(ns) => kube::Api::namespaced(conn.client.clone(), ns),
        None => kube::Api::all(conn.client.clone()),
    };
    let scope = match &conn.namespace {
        Some(ns) => format!("namespace {ns}"),
        None => "all namespaces".to_string(),
    };
    let one = kube::api::ListParams::default().limit(1);
    let listing = api.list(&one);
    match client::within(conn.request_timeout, listing).await {
        None => Err((
            exit::UNREACHABLE,
            format!(
                "the API server at {} did not answer a list in time (--request-timeout)",
                conn.server
            ),
        )),
        Some(Ok(_)) => Ok(()),
        Some(Err(kube::Error::Api(s))) if s.code == 403 => Err((
            exit::AUTH,
            format!(
                "forbidden: you may not list gameservers.game.kruise.io in {scope} on {} ({}); ask for a role that can get/list/watch gameservers, gameserversets and pods",
                conn.server, s.message
            ),
        )),
        Some(Err(kube::Error::Api(s))) if s.code == 404 => Err((
            exit::USAGE,
            format!(
                "the API server at {} does not know gameservers.game.kruise.io: is OpenKruiseGame installed? ({})",
                conn.server, s.message
            ),
        )),
        Some(Err(e)) => Err((
            exit::for_api_error(&e),
            format!("cannot list gameservers on {}: {}", conn.server, client::describe(&e)),
        )),
    }
}

fn input_msg(e: Event) -> Option<Msg> {
    match e {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        Event::Mouse(m) => Some(Msg::Mouse(m)),
        _ => None,
    }
}

/// The terminal in raw mode on the alternate screen (ratatui's `try_init`, which also restores
/// it on a panic), restored when dropped. Drawn through [`view::backend::SafeBackend`]: colour
/// codes the terminal has, and no control character from the cluster.
struct Screen {
    terminal: Terminal<SafeBackend<std::io::Stdout>>,
}

impl Screen {
    /// `mouse`: capture clicks and the wheel (`--no-mouse` leaves them to the terminal).
    /// `restore_terminal` undoes all of it, so whatever restores the terminal (drop, a panic,
    /// a forced exit) also turns capture off.
    fn enter(mouse: bool) -> std::io::Result<Self> {
        // try_init sets up the terminal and the panic hook; its terminal is replaced by ours.
        drop(ratatui::try_init()?);
        if mouse {
            // ratatui's panic hook restores the rest; capture goes off before it.
            let hook = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let _ =
                    crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
                hook(info);
            }));
            crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
        }
        let terminal = Terminal::new(SafeBackend::new(std::io::stdout()))?;
        Ok(Self { terminal })
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore_terminal();
    }
}
