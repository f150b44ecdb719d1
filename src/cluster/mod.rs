//! Kubernetes access: connecting (`client`), what the user may do (`access`), watching (`watch`),
//! the one write path (`writer`) and the calls that need it (`exec`: pods/exec and pods/proxy).
pub mod access;
pub mod client;
pub mod exec;
pub mod watch;
pub mod writer;
