//! The logs screen (issue 13): its pure state (ring buffers, merged view, follow, pause, wrap,
//! search, per-pod rate) and its drawing. The key that opens it and the task that feeds it
//! lines (`cluster::logs`) are still to come.
pub mod state;
pub mod view;
