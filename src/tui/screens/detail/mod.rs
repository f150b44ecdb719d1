//! The detail of one GameServer and its pod.
pub mod view;
