//! The logs screen (issue 13). So far only its pure state: the ring buffers, the merged view,
//! follow, pause, wrap, search and the per-pod rate. The view, the key that opens it and the
//! task that feeds it lines (`cluster::logs`) are still to come.
pub mod state;
