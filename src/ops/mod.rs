//! Operations shared by the TUI and the CLI: each takes a plan and a progress sender.
//! `bump` and `reload` are the operations; `bump_task` and `reload_task` run them as background
//! tasks for a caller that must not wait (the TUI), reporting through any message type that a
//! reply converts into; `reload_defaults` resolves the sets' reload default for both front ends.
//! Nothing here knows a front end.
pub mod audit;
pub mod bump;
pub mod bump_task;
pub mod chain;
pub mod gs_ops;
pub mod gs_ops_task;
pub mod reload;
pub mod reload_defaults;
pub mod reload_task;
pub mod shell;
pub mod staged_drive;
pub mod staged_start;
pub mod staged_task;
