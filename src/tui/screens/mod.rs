//! One folder per screen over the main table: its state (pure) and its view (draws it).
pub mod bump;
pub mod detail;
pub mod gs_ops;
pub mod help;
pub mod logs;
pub mod object;
pub mod picker;
pub mod reload;
pub mod rollout;
pub mod shell;
pub mod staged;
