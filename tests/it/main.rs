//! Integration tests: the demo cluster over real HTTP on loopback through kube-rs, and the
//! console (screen snapshots, the event loop against the demo).
mod bump;
mod bump_clear;
mod bump_priorities;
mod bump_same_image_id;
mod chain;
mod cli;
mod cli_output;
mod connecting;
mod demo_api;
mod demo_nodes_crds;
mod demo_sim;
mod faults;
mod logs;
mod reload;
mod reload_retry;
mod set_ops;
mod shutdown;
mod support;
mod tui_bump;
mod tui_bump_snapshots;
mod tui_demo;
mod tui_logs;
mod tui_reload;
mod tui_snapshots;
mod untrusted;
mod watch_health;
