//! `okg rollout status SET`: the run's record as a timeline of stages, and the set as it is now.
//! Reads only, so it works in a read-only session.
use serde_json::json;

use crate::cli::GlobalArgs;
use crate::commands::doc::Doc;
use crate::commands::exit;
use crate::ops::bump;
use okg_domain::staged_rollout::record_of;

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
    for line in record.timeline() {
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
