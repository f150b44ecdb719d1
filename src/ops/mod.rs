//! Operations shared by the TUI and the CLI: each takes a plan and a progress sender.
pub mod audit;
pub mod bump;
pub mod bump_task;
pub mod chain;
pub mod reload;
