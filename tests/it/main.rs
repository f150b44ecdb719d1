//! Integration tests of the console: screen snapshots and runs against the demo cluster.
mod tui_demo;
mod tui_snapshots;
