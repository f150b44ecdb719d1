//! Kubernetes access: connecting (`client`), what the user may do (`access`), watching (`watch`)
//! and the one write path (`writer`).
pub mod access;
pub mod client;
pub mod exec;
pub mod watch;
pub mod writer;
