//! What a run is asked to do: the plan, and where its targets come from.
use serde::Serialize;
use tokio::sync::mpsc;

use okg_domain::reload_plan::{Limits, ReloadMethod, ReloadTarget};

/// What to run and within which limits. Targets are given separately (`TargetFeed`).
#[derive(Clone, Debug, Serialize)]
pub struct ReloadPlan {
    pub method: ReloadMethod,
    pub limits: Limits,
}

/// Where targets come from: all at once, or one by one (e.g. from a bump as each pod's in-place
/// verdict arrives) until the sender is dropped.
pub enum TargetFeed {
    List(Vec<ReloadTarget>),
    Channel(mpsc::Receiver<ReloadTarget>),
}

impl From<Vec<ReloadTarget>> for TargetFeed {
    fn from(v: Vec<ReloadTarget>) -> Self {
        TargetFeed::List(v)
    }
}

/// A feed to push targets into; drop the sender when no more will come.
pub fn target_channel(capacity: usize) -> (mpsc::Sender<ReloadTarget>, TargetFeed) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (tx, TargetFeed::Channel(rx))
}
