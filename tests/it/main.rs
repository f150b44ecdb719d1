//! Integration tests against the embedded demo cluster (real HTTP, real kube client).
mod demo_sim;
