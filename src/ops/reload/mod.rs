//! The reload executor, shared by `okg reload`, the TUI's reload view and a bump that reloads each
//! pod once it is confirmed in place.
//!
//! It carries out the decisions of `okg::reload_plan::Scheduler`: at most `parallel` pods at once,
//! batches with a pause between them (the first batch is the canary), a failure threshold, a
//! per-pod timeout, retries with backoff for transient API errors only, and cancellation. Targets
//! come as a fixed list or through a channel that closes when no more will come. Every target
//! ends with exactly one `PodResult`; nothing is left unknown.
//!
//! How one attempt on one pod is made is a `ReloadTransport`: `KubeTransport` (exec / pods-proxy
//! through the `Writer`) in real use, a fake in tests.
mod audit;
mod events;
mod feed;
mod pod;
mod run;
#[cfg(test)]
mod tests;
mod transport;

pub use audit::AuditContext;
pub use events::{ReloadEvent, ReloadReport, TargetResult};
pub use feed::{ReloadPlan, TargetFeed, target_channel};
pub use pod::TAIL_LINES;
pub use run::run;
pub use transport::{KubeTransport, ReloadTransport};
