//! What a stage came to, and where the run goes from there.
use serde::{Deserialize, Serialize};

use super::record::RolloutRecord;

/// A finished stage, kept in the record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageResult {
    /// Servers this stage updated.
    pub updated: u32,
    pub in_place: u32,
    pub re_created: u32,
    /// Failed, or without a final verdict in time.
    pub failed: u32,
    pub reloaded: u32,
    pub reload_failed: u32,
    /// Not Ready, or restarted again, at the end of the soak.
    pub soak_failed: u32,
    /// The verdicts were read after a restart of the console, without a baseline: in place means
    /// the pod is older than the stage.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub judged_on_resume: bool,
}

impl StageResult {
    /// What counts against the failure limit. A re-created pod counts unless re-creation was
    /// allowed: a hot update that loses the match is not the update that was asked for.
    pub fn failures(&self, recreate_allowed: bool) -> u32 {
        let recreated = if recreate_allowed { 0 } else { self.re_created };
        self.failed + self.reload_failed + self.soak_failed + recreated
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Apply this stage (0-based).
    Stage(usize),
    /// Every stage done: put the priorities back and mark the run done.
    Finish,
    /// Past the failure limit: stop where it stands.
    Stop { why: String },
    /// Past the failure limit with automatic rollback.
    RollBack { why: String },
}

/// Add `result` to the run and say what comes next. The record is updated in place: the caller
/// writes it back.
pub fn after_stage(
    record: &mut RolloutRecord,
    result: StageResult,
    recreate_allowed: bool,
) -> Next {
    let failures = result.failures(recreate_allowed);
    record.failures += failures;
    let stage = record.stage;
    record.results.truncate(stage);
    record.results.push(result);
    if record.failures > record.failure_limit {
        let why = format!(
            "stage {} brought the failures to {}, past the limit of {}",
            stage + 1,
            record.failures,
            record.failure_limit
        );
        return if record.auto_rollback { Next::RollBack { why } } else { Next::Stop { why } };
    }
    if stage + 1 >= record.counts.len() { Next::Finish } else { Next::Stage(stage + 1) }
}
