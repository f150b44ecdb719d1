//! The start of a staged rollout, for `okg rollout SET …` and the console alike: read the set,
//! refuse a second run over an open one, count the servers the run may update, resolve the
//! stages into counts, write the run's record and plan its first stage. Reads only.
use std::time::Duration;

use crate::ops::bump::{self, BumpError, OpsContext, RolloutStep, Step};
use okg_domain::bump_plan::{Candidates, Plan, rollout_candidates};
use okg_domain::staged_rollout::{
    ReloadSpec, RolloutRecord, RolloutState, StageSize, record_of, resolve_stages,
};

/// What the operator asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct StartRequest {
    pub set: String,
    pub container: String,
    pub image: String,
    pub stages: Vec<StageSize>,
    pub soak: Duration,
    pub failure_limit: u32,
    pub auto_rollback: bool,
    pub include_allocated: bool,
    pub reload: Option<ReloadSpec>,
}

/// The first stage, planned, with the record it writes.
#[derive(Clone, Debug)]
pub struct StartPlan {
    pub plan: Plan,
    pub step: Step,
    pub record: RolloutRecord,
    pub candidates: Candidates,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The stages do not fit the set (more than it has, nothing left to update).
    #[error("{0}")]
    Stages(String),
    /// A run is open on the set: it must be resumed or undone first.
    #[error(
        "a rollout of {set} is already {} at {} ({} → {}): see `okg rollout status {set}`, then resume or undo it. Nothing was sent.",
        open.state.as_str(), open.stage_text(), open.from, open.to
    )]
    Open { set: String, open: Box<RolloutRecord> },
    #[error(transparent)]
    Read(#[from] BumpError),
}

pub async fn plan_start(ctx: &OpsContext, req: &StartRequest) -> Result<StartPlan, StartError> {
    let snapshot = bump::read_set(&ctx.client, &ctx.namespace, &req.set).await?;
    if let Some((_, Ok(open))) = record_of(&snapshot.gss)
        && open.state.is_open()
    {
        return Err(StartError::Open { set: req.set.clone(), open: Box::new(open) });
    }
    let candidates = rollout_candidates(
        &snapshot.gss,
        &snapshot.gameservers,
        &snapshot.pods,
        req.include_allocated,
    );
    let stages_text: Vec<String> = req.stages.iter().map(ToString::to_string).collect();
    let counts = resolve_stages(&req.stages, candidates.eligible)
        .map_err(|e| StartError::Stages(format!("--stages {}: {e}", stages_text.join(","))))?;
    let from = snapshot
        .gss
        .template_images()
        .into_iter()
        .find(|(n, _)| *n == req.container)
        .map(|(_, i)| i)
        .unwrap_or_default();
    // Asked with a POST (SelfSubjectReview): a read-only session asks nothing.
    let by = match &ctx.writer {
        Some(_) => crate::cluster::access::who_am_i(&ctx.client).await,
        None => "unknown (read-only session)".into(),
    };
    let record = RolloutRecord {
        container: req.container.clone(),
        from,
        to: req.image.clone(),
        stages: stages_text,
        counts,
        include_allocated: req.include_allocated,
        stage: 0,
        state: RolloutState::Running,
        failure_limit: req.failure_limit,
        failures: 0,
        soak_seconds: req.soak.as_secs(),
        auto_rollback: req.auto_rollback,
        stage_started: jiff::Timestamp::now().to_string(),
        stage_priority: None,
        results: Vec::new(),
        reload: req.reload.clone(),
        message: None,
        by,
    };
    let step =
        Step::Rollout { set: req.set.clone(), step: Box::new(RolloutStep::Stage(record.clone())) };
    let plan = bump::plan(&ctx.client, &ctx.namespace, &step).await?;
    Ok(StartPlan { plan, step, record, candidates })
}

/// The run in words, for the pre-flight: each stage with its count and partition, the servers
/// by state, the ones left out, and what the checks are.
pub fn stage_lines(record: &RolloutRecord, candidates: &Candidates) -> Vec<String> {
    let replicas: usize = candidates.by_state.values().sum();
    let mut out = vec![format!(
        "Staged rollout: {} stage(s); this confirmation covers them all",
        record.counts.len()
    )];
    for (i, (s, n)) in record.stages.iter().zip(&record.counts).enumerate() {
        out.push(format!(
            "  stage {}  {s:>5} = {n:>4} server(s) updated, partition {}",
            i + 1,
            replicas as i32 - n
        ));
    }
    let states: Vec<String> = candidates.by_state.iter().map(|(s, n)| format!("{n} {s}")).collect();
    out.push(format!("  servers    {} (opsState/state)", states.join(", ")));
    if !candidates.left_out.is_empty() {
        out.push(format!(
            "  left out   {} Allocated (players in a match), kept on {} by the partition: {} (--include-allocated updates them)",
            candidates.left_out.len(),
            record.from,
            candidates.left_out.join(", ")
        ));
    }
    let on_failure = if record.auto_rollback { "roll back" } else { "stop where it stands" };
    out.push(format!(
        "  checks     verdicts{} then a soak of {}s; past {} failure(s): {on_failure}",
        if record.reload.is_some() { " and reloads," } else { "," },
        record.soak_seconds,
        record.failure_limit
    ));
    out
}
