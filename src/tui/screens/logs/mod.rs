//! The logs screen (issue 13): its pure state (ring buffers, merged view, follow, pause, wrap,
//! search, per-pod rate), the screen around it (which pods, which feed) and its drawing. `l`
//! and `p` open it (`app::logs`); `tui::logs_task` feeds it lines read by `cluster::logs`.
pub mod screen;
pub mod state;
pub mod view;
