//! The simulated OKG + OpenKruise + kubelet: seeds the initial cluster and reconciles changes
//! through `kube::Client` only. See docs/demo-controller.md for the simulated behaviour.
pub mod asts;
#[cfg(test)]
mod asts_flow_tests;
pub mod controller;
pub mod draft;
pub mod events;
pub mod executor;
#[cfg(test)]
mod flow_tests;
#[cfg(test)]
mod hook_flow_tests;
pub mod inplace;
mod inplace_step;
pub mod kubelet;
pub mod mirror;
pub mod order;
pub mod patch;
pub mod plan;
pub mod pods;
pub mod revision;
pub mod seed;
pub mod set;
pub mod setstatus;
pub mod sha256;
#[cfg(test)]
mod testkit;
