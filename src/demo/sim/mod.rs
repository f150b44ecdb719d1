//! The simulated OKG + OpenKruise + kubelet: seeds the initial cluster and reconciles changes
//! through `kube::Client` only.
pub mod controller;
pub mod seed;
