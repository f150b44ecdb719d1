//! Logs go to a file, never to the screen (the TUI owns the terminal).
use std::path::Path;

/// Send `tracing` output to `path` (appending). Level from `OKG_LOG` (default `info`).
/// Failing to open the log file is not fatal: the console runs without logs.
pub fn init(path: &Path) {
    // Owner-only: the log names users, pods and commands.
    let Ok(file) = crate::paths::open_private_append(path) else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("OKG_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}
