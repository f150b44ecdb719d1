//! The simulated OKG + OpenKruise + kubelet: seeds the initial cluster and reconciles changes
//! through `kube::Client` only. See docs/demo-controller.md for the simulated behaviour.
pub mod controller;
pub mod mirror;
pub mod pods;
pub mod revision;
pub mod seed;
pub mod setstatus;
pub mod sha256;
