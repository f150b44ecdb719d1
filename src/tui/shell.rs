//! The terminal side of `s`: while the console has lent the terminal (`suspend::Console`), raw
//! keys from stdin go to the pod, its output to stdout, and every size change (SIGWINCH) is
//! sent on. The exec and its audit are `ops::shell`.
use std::io::Read;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc;

use crate::cluster::exec::TtyEnds;

/// Reads stdin in a thread that polls (so it can stop between two reads: a blocking read would
/// swallow the first key typed after the shell ends).
struct StdinPump {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StdinPump {
    fn start(tx: mpsc::Sender<Vec<u8>>) -> StdinPump {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let stdin = std::io::stdin();
            let fd = stdin.as_raw_fd();
            let mut buf = [0u8; 4096];
            while !flag.load(Ordering::SeqCst) {
                let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
                // SAFETY: one valid pollfd for the duration of the call.
                let ready = unsafe { libc::poll(&mut pfd, 1, 40) };
                if ready <= 0 || pfd.revents & libc::POLLIN == 0 {
                    continue;
                }
                match stdin.lock().read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.blocking_send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        StdinPump { stop, thread: Some(thread) }
    }
}

impl Drop for StdinPump {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Sends the terminal's size now and on every SIGWINCH until dropped.
fn follow_size(tx: mpsc::Sender<(u16, u16)>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let size = || crossterm::terminal::size().ok();
        if let Some(s) = size() {
            let _ = tx.send(s).await;
        }
        let Ok(mut winch) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change())
        else {
            return;
        };
        while winch.recv().await.is_some() {
            if let Some(s) = size()
                && tx.send(s).await.is_err()
            {
                return;
            }
        }
    })
}

/// Run the shell on the real terminal (already lent: normal screen) and say how it ended.
pub async fn run(
    writer: &crate::cluster::writer::Writer,
    target: crate::ops::shell::ShellTarget,
    audit: crate::ops::audit::AuditLog,
) -> String {
    println!("okg: shell in {}/{}; exit to return to okg\r", target.pod, target.container);
    let (typed_tx, typed) = mpsc::channel(64);
    let (size_tx, sizes) = mpsc::channel(8);
    let raw = crossterm::terminal::enable_raw_mode();
    let pump = StdinPump::start(typed_tx);
    let sizes_task = follow_size(size_tx);
    let mut ends = TtyEnds { typed, sizes, output: tokio::io::stdout(), size: None };
    let outcome = crate::ops::shell::run(writer, &target, &audit, &mut ends).await;
    drop(pump);
    sizes_task.abort();
    if raw.is_ok() {
        let _ = crossterm::terminal::disable_raw_mode();
    }
    outcome
}
