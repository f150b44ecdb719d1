//! The set-ops flow (`e`): opsState, update or deletion priority, networkDisabled on the marked
//! GameServers. A form (`state`), the pre-flight with the exact patches, the outcome; drawn by
//! `view`.
pub mod state;
pub mod view;
