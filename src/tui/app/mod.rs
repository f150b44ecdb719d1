//! The TUI's pure state machine: `State` (state.rs), `Msg`/`Cmd` (msg.rs), `update` (update.rs),
//! the one keymap (keymap.rs), the incremental fleet join (store.rs) and the filters.

pub mod command;
pub mod filter;
mod goto;
pub mod keymap;
pub mod logs;
mod mouse;
pub mod msg;
mod object;
mod open;
mod prompt;
pub mod search;

pub mod state;
pub mod store;
pub mod update;

pub use msg::{ClusterEvent, Cmd, Intent, Msg};
pub use state::{Access, Overlay, State};

#[cfg(test)]
mod command_tests;
#[cfg(test)]
mod logs_tests;
#[cfg(test)]
mod reload_tests;
#[cfg(test)]
mod shell_tests;
#[cfg(test)]
mod sort_tests;
#[cfg(test)]
mod tests;
