//! A staged grey release (`okg rollout`), pure: the stages as typed and as pod counts, the record
//! the run keeps on its GameServerSet so that any console can see and resume it, and what to do
//! after each stage. The patches themselves are planned in [`crate::bump_plan::plan_stage`] and
//! its siblings, on the same rules as a canary.
//!
//! A stage is a canary that grows: stage k raises the update priority of the servers it adds
//! (idle first, never an Allocated one unless asked) and sets the partition so that exactly
//! `counts[k]` servers run the new revision. Pods already updated sort first in OpenKruise's
//! order, so earlier stages stay updated. When Allocated servers are left out, the last stage
//! keeps them behind the partition.
mod checks;
mod decide;
mod record;
mod stages;
pub use checks::{judge_after_restart, soak_breaks};
pub use decide::{Next, StageResult, after_stage};
pub use record::{
    ROLLOUT_ANNOTATION, ReloadSpec, RolloutRecord, RolloutState, record_of, record_ops,
};
pub use stages::{StageSize, parse_stages, resolve_stages};

#[cfg(test)]
mod tests;
