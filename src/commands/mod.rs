//! The non-interactive front ends (`okg status | bump | reload | demo`) and the session set-up
//! they share with the TUI.
pub mod bump;
#[cfg(feature = "demo")]
pub mod demo;
pub mod print;
pub mod reload;

pub mod status;

/// Exit codes shared by the commands (see docs/cli.md).
pub mod exit {
    pub const OK: u8 = 0;
    pub const USAGE: u8 = 1;
    /// bump: a pod was re-created; reload: some targets failed or were skipped.
    pub const PARTIAL: u8 = 2;
    /// bump: failed or timed out.
    pub const FAILED: u8 = 3;
    /// Refused: read-only, RBAC, validation, or re-creation without --allow-recreate.
    pub const REFUSED: u8 = 4;
}
