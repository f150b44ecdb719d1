//! The console against the demo cluster, without a terminal (to come once the demo server lands).
