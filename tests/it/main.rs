//! Integration tests: the demo cluster over real HTTP on loopback, through kube-rs.
mod bump;
mod bump_harness;
mod demo_api;
mod demo_sim;
mod reload;
