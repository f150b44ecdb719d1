//! The one shutdown path of both front ends. SIGTERM, SIGINT, SIGHUP and SIGQUIT do not kill the
//! process: the first one cancels a token that the TUI's loop and the CLI's operations watch, so
//! running reloads end `cancelled`, follows stop, and every audit record gets its outcome. A
//! second signal, or the grace period running out, exits at once; `on_force` runs first (the TUI
//! restores the terminal there), because `std::process::exit` runs no destructors.
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// How long the operations have, after the first signal, to record their outcomes. A reload's
/// running pods are cancelled at once, so this is only reached when the API server hangs.
pub const GRACE: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Term,
    Int,
    Hup,
    Quit,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Term => "SIGTERM",
            Signal::Int => "SIGINT",
            Signal::Hup => "SIGHUP",
            Signal::Quit => "SIGQUIT",
        }
    }

    /// The exit status a shell reports for a process ended by this signal (128 + its number).
    pub fn exit_code(self) -> u8 {
        128 + match self {
            Signal::Hup => 1,
            Signal::Int => 2,
            Signal::Quit => 3,
            Signal::Term => 15,
        }
    }
}

/// Cheap to clone. `cancelled()` resolves on the first signal (or `request`).
#[derive(Clone)]
pub struct Shutdown {
    token: CancellationToken,
    signal: Arc<OnceLock<Signal>>,
}

impl Shutdown {
    /// Listen for the four signals from now on. Must run inside the tokio runtime.
    pub fn install(on_force: fn()) -> Self {
        let shutdown = Shutdown { token: CancellationToken::new(), signal: Default::default() };
        let s = shutdown.clone();
        tokio::spawn(async move {
            let Ok(mut signals) = Signals::new() else {
                tracing::warn!("cannot install signal handlers; signals end the process as usual");
                return;
            };
            let Some(first) = signals.next().await else { return };
            s.signal_received(first);
            tokio::select! {
                second = signals.next() => {
                    if let Some(second) = second {
                        force_exit(on_force, second, "a second signal");
                    }
                }
                _ = tokio::time::sleep(GRACE) => force_exit(on_force, first, "the grace period ran out"),
            }
        });
        shutdown
    }

    /// A shutdown nothing signals (tests, and callers that cancel by hand with `request`).
    pub fn manual() -> Self {
        Shutdown { token: CancellationToken::new(), signal: Default::default() }
    }

    fn signal_received(&self, signal: Signal) {
        let _ = self.signal.set(signal);
        tracing::info!("{}: cancelling running operations", signal.name());
        self.token.cancel();
    }

    /// Cancel as a signal would, without one (`signal()` stays `None`).
    pub fn request(&self) {
        self.token.cancel();
    }

    /// The token operations take: cancelled on the first signal.
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    pub async fn cancelled(&self) {
        self.token.cancelled().await
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }

    /// The first signal received, if any.
    pub fn signal(&self) -> Option<Signal> {
        self.signal.get().copied()
    }

    /// `code`, unless a signal ended the run: then the shell's 128 + signal number.
    pub fn exit_code(&self, code: u8) -> u8 {
        self.signal().map_or(code, Signal::exit_code)
    }
}

fn force_exit(on_force: fn(), signal: Signal, why: &str) -> ! {
    on_force();
    eprintln!("okg: {why} ({}): exiting now; an outcome not yet recorded is lost", signal.name());
    std::process::exit(signal.exit_code() as i32)
}

#[cfg(unix)]
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    async fn next(&mut self) -> Option<Signal> {
        tokio::select! {
            s = self.term.recv() => s.map(|_| Signal::Term),
            s = self.int.recv() => s.map(|_| Signal::Int),
            s = self.hup.recv() => s.map(|_| Signal::Hup),
            s = self.quit.recv() => s.map(|_| Signal::Quit),
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> std::io::Result<Self> {
        Ok(Signals)
    }

    async fn next(&mut self) -> Option<Signal> {
        tokio::signal::ctrl_c().await.ok().map(|_| Signal::Int)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_the_shells() {
        assert_eq!(Signal::Term.exit_code(), 143);
        assert_eq!(Signal::Int.exit_code(), 130);
        assert_eq!(Signal::Hup.exit_code(), 129);
        assert_eq!(Signal::Quit.exit_code(), 131);
    }

    #[tokio::test]
    async fn a_request_cancels_the_token_but_is_no_signal() {
        let s = Shutdown::manual();
        let token = s.token();
        assert!(!token.is_cancelled());
        s.request();
        assert!(token.is_cancelled());
        assert_eq!(s.exit_code(0), 0);
    }
}
