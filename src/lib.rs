//! okg-console: a terminal console for OpenKruiseGame operators.
//!
//! Folders: `okg/` the pure domain, `cluster/` Kubernetes access (the one write path lives in
//! `cluster/writer.rs`), `ops/` operations shared by the TUI and the CLI, `app/` the pure TUI
//! state machine, `ui/` drawing, `tui.rs` the terminal loop, `commands/` the non-interactive front
//! ends, `demo/` the embedded demo cluster.
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod logging;
pub mod ops;
pub mod paths;
pub mod session;
pub mod tui;
