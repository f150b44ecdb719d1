//! okg-console: a terminal console for OpenKruiseGame operators.
//!
//! Folders: `cluster/` Kubernetes access (the one write path is `cluster/writer.rs`), `ops/`
//! operations shared by the TUI and the CLI, `commands/` the CLI front ends, `tui/` the terminal
//! console (`app/` its pure state machine, `screens/` one folder per screen, `view/` drawing),
//! `session.rs` connecting, `config.rs` the config file's defaults. The pure domain is the `okg-domain` crate, the demo cluster `okg-demo`.
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod logging;
pub mod ops;
pub mod paths;
pub mod session;
pub mod signals;
pub mod tui;
