//! Lending the real terminal to something else (a shell in a pod, a credential plugin that asks
//! a question) and taking it back. One mechanism for both:
//! - the keys are read by [`Keys`], a thread that can be paused between two polls, so nothing
//!   of what the user types for the borrower is read by the console;
//! - [`Console::lend`] pauses it, leaves the alternate screen and raw mode, runs the borrower,
//!   and puts everything back (raw mode, alternate screen, the key reader) in a guard's `Drop`,
//!   so a borrower that fails or panics still gives the terminal back. The event loop then
//!   draws the whole screen again (`Cmd::Shell`, `Cmd::Lend`).
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crossterm::event::{self, Event};
use tokio::sync::mpsc;

#[derive(Default)]
struct Gate {
    paused: bool,
    /// The reader is not inside a poll or read (paused, or gone).
    idle: bool,
}

/// The key reader's pause switch. Cheap to clone.
#[derive(Clone, Default)]
pub struct Keys {
    gate: Arc<(Mutex<Gate>, Condvar)>,
}

impl Keys {
    /// Start the reader: terminal events go to the returned receiver until it is dropped.
    pub fn start() -> (Keys, mpsc::UnboundedReceiver<Event>) {
        let keys = Keys::default();
        let (tx, rx) = mpsc::unbounded_channel();
        let gate = keys.gate.clone();
        std::thread::Builder::new()
            .name("okg-keys".into())
            .spawn(move || read_keys(&gate, &tx))
            .expect("spawn the key reader");
        (keys, rx)
    }

    /// Wait until the reader has stopped reading; it stays stopped until [`Keys::resume`].
    pub fn pause(&self) {
        let (lock, cv) = &*self.gate;
        let mut g = lock.lock().unwrap_or_else(|p| p.into_inner());
        g.paused = true;
        while !g.idle {
            g = cv.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }

    pub fn resume(&self) {
        let (lock, cv) = &*self.gate;
        lock.lock().unwrap_or_else(|p| p.into_inner()).paused = false;
        cv.notify_all();
    }
}

fn read_keys(gate: &(Mutex<Gate>, Condvar), tx: &mpsc::UnboundedSender<Event>) {
    let (lock, cv) = gate;
    loop {
        {
            let mut g = lock.lock().unwrap_or_else(|p| p.into_inner());
            while g.paused {
                g.idle = true;
                cv.notify_all();
                g = cv.wait(g).unwrap_or_else(|p| p.into_inner());
            }
            g.idle = false;
        }
        if tx.is_closed() {
            break;
        }
        // A short poll: a pause waits at most this long for the reader to let go.
        match event::poll(Duration::from_millis(40)) {
            Ok(true) => match event::read() {
                Ok(ev) => {
                    let _ = tx.send(ev);
                }
                Err(_) => break,
            },
            Ok(false) => {}
            Err(_) => break,
        }
    }
    lock.lock().unwrap_or_else(|p| p.into_inner()).idle = true;
    cv.notify_all();
}

/// The terminal's owner while the console runs: the TUI's [`Keys`] and the screen it drew.
#[derive(Clone)]
pub struct Console {
    keys: Keys,
    /// The console captures the mouse (not `--no-mouse`): capture comes back with the screen.
    mouse: bool,
}

/// Puts the console back when dropped: after the borrower returns, fails or panics.
struct Restore<'a>(&'a Console);

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        let _ = crossterm::terminal::enable_raw_mode();
        let _ = crossterm::execute!(
            std::io::stdout(),
            crossterm::terminal::EnterAlternateScreen,
            crossterm::cursor::Hide
        );
        if self.0.mouse {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
        }
        self.0.keys.resume();
    }
}

impl Console {
    pub fn new(keys: Keys, mouse: bool) -> Self {
        Console { keys, mouse }
    }

    /// Run `borrower` on the normal screen in cooked mode (it may turn raw mode on itself).
    pub async fn lend<T>(&self, borrower: impl std::future::Future<Output = T>) -> T {
        self.keys.pause();
        let _back = Restore(self);
        super::restore_terminal();
        borrower.await
    }
}

/// A request for the terminal from outside the loop (a credential plugin's thread): the loop
/// says `granted` once the terminal is lent and takes it back when `done` fires or is dropped.
#[derive(Clone)]
pub struct Loan(Arc<Mutex<Option<LoanEnds>>>);

type LoanEnds = (std::sync::mpsc::Sender<()>, tokio::sync::oneshot::Receiver<()>);

impl Loan {
    /// Take the ends (once: a clone of a loan already served has none).
    pub fn take(&self) -> Option<LoanEnds> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl PartialEq for Loan {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Loan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Loan")
    }
}

/// How long a plugin waits for the loop to lend the terminal (it may be busy in a shell).
const LOAN_WAIT: Duration = Duration::from_secs(10);

/// What `exec_auth` calls to borrow the terminal: messages the loop through its channel.
pub struct Lender(pub mpsc::UnboundedSender<crate::tui::app::msg::Msg>);

impl crate::cluster::connect::exec_auth::TerminalLender for Lender {
    fn with_terminal(&self, run: &mut dyn FnMut()) -> bool {
        let (granted_tx, granted) = std::sync::mpsc::channel();
        let (done, done_rx) = tokio::sync::oneshot::channel();
        let loan = Loan(Arc::new(Mutex::new(Some((granted_tx, done_rx)))));
        if self.0.send(crate::tui::app::msg::Msg::Lend(loan)).is_err()
            || granted.recv_timeout(LOAN_WAIT).is_err()
        {
            return false;
        }
        run();
        let _ = done.send(());
        true
    }
}
