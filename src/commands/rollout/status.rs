//! `okg rollout status SET`: the run's record as a timeline of stages, and the set as it is now.
//! Reads only, so it works in a read-only session.
use serde_json::json;

use crate::cli::GlobalArgs;
use crate::commands::doc::Doc;
use crate::commands::exit;
use crate::ops::bump;
use okg_domain::staged_rollout::{RolloutRecord, RolloutState, record_of};

pub async fn run(global: &GlobalArgs, set: &str, doc: &mut Doc) -> u8 {
    let session = match doc.open_session(global).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let ctx = crate::commands::doc::ops_context(&session, global);
    let snapshot = match bump::read_set(&ctx.client, &ctx.namespace, set).await {
        Ok(s) => s,
        Err(e) => return super::read_failure(doc, &ctx, e).await,
    };
    let record = match record_of(&snapshot.gss) {
        None => {
            doc.set("outcome", json!("none"));
            doc.say(format!("No staged rollout recorded on {set}."));
            return exit::OK;
        }
        Some((raw, Err(e))) => {
            doc.error("failed", format!("the rollout record of {set} does not parse ({e}): {raw}"));
            return exit::FAILED;
        }
        Some((_, Ok(r))) => r,
    };
    let on_new = snapshot
        .pods
        .iter()
        .filter(|p| {
            p.spec.iter().flat_map(|s| s.containers.iter()).any(|c| {
                c.name == record.container && c.image.as_deref() == Some(record.to.as_str())
            })
        })
        .count();
    doc.set("rollout", super::record_json(&record));
    doc.set(
        "now",
        json!({
            "replicas": snapshot.gss.replicas(),
            "partition": snapshot.gss.partition(),
            "paused": snapshot.gss.paused(),
            "podsOnNewImage": on_new,
        }),
    );
    doc.set("outcome", json!(record.state.as_str()));
    doc.say(format!("GameServerSet {}/{set}", ctx.namespace));
    for line in timeline(&record) {
        doc.say(line);
    }
    doc.say(format!(
        "  now: {on_new}/{} pod(s) on {} · partition {} · rollingUpdate.paused {}",
        snapshot.pods.len(),
        record.to,
        snapshot.gss.partition(),
        snapshot.gss.paused()
    ));
    exit::OK
}

/// The record as lines: a header, one line per stage with its counts, the limits.
pub fn timeline(r: &RolloutRecord) -> Vec<String> {
    let mut out = vec![format!(
        "Rollout of container {} by {}: {} → {} ({}), {}",
        r.container,
        r.by,
        r.from,
        r.to,
        r.state.as_str(),
        r.stage_text()
    )];
    if let Some(m) = &r.message {
        out.push(format!("  ! {m}"));
    }
    out.push(format!(
        "  {:<6} {:>5} {:>8}  {:<9} {:>8} {:>10} {:>6} {:>8} {:>13} {:>5}",
        "STAGE",
        "SIZE",
        "SERVERS",
        "STATE",
        "IN PLACE",
        "RE-CREATED",
        "FAILED",
        "RELOADED",
        "RELOAD FAILED",
        "SOAK"
    ));
    for (i, (size, n)) in r.stages.iter().zip(&r.counts).enumerate() {
        let state = match r.results.get(i) {
            Some(_) => "done",
            None if i == r.stage && r.state == RolloutState::Running => "running",
            None if i == r.stage => r.state.as_str(),
            None => "pending",
        };
        let counts = match r.results.get(i) {
            Some(x) => format!(
                "{:>8} {:>10} {:>6} {:>8} {:>13} {:>5}{}",
                x.in_place,
                x.re_created,
                x.failed,
                x.reloaded,
                x.reload_failed,
                x.soak_failed,
                if x.judged_on_resume { "  (judged after a restart)" } else { "" }
            ),
            None => String::new(),
        };
        out.push(
            format!("  {:<6} {size:>5} {n:>8}  {state:<9} {counts}", i + 1).trim_end().to_string(),
        );
    }
    out.push(format!(
        "  failures {} of a limit of {} · soak {}s · past the limit: {}{}",
        r.failures,
        r.failure_limit,
        r.soak_seconds,
        if r.auto_rollback { "roll back" } else { "stop" },
        if r.include_allocated {
            " · Allocated servers included"
        } else {
            " · Allocated servers left out"
        }
    ));
    out
}
