//! Kubernetes access: connecting (`client`, with `connect` for kubeconfig merging, in-cluster,
//! proxies, exec plugins and certificate checks), what the user may do (`access`), watching (`watch`, and `set_watch`: one set's
//! objects kept current for a rollout's follow),
//! the one write path (`writer`) and the calls that need it (`exec`: pods/exec and pods/proxy).
pub mod access;
pub mod asts_watch;
pub mod client;
pub mod connect;
pub mod exec;
pub mod liveness;
pub mod logs;
pub mod objects;
pub mod set_watch;
pub mod watch;
pub mod writer;
