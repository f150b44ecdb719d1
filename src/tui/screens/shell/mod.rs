//! The shell's container picker (`s` on a pod with several containers): the main container
//! first, as the logs screen's pick, then the sidecars; enter opens the shell. Pure `state`,
//! drawn by `view`.
pub mod state;
pub mod view;
