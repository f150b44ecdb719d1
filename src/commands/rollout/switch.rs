//! `okg rollout pause|resume|undo SET`: each reads the run's record, shows its patch, confirms,
//! sends it through the one write path (audited), and `resume --wait` drives the run on.
use serde_json::json;
use tokio::sync::mpsc;

use super::DriveArgs;
use crate::cli::GlobalArgs;
use crate::commands::bump::print_events;
use crate::commands::doc::{self, Doc};
use crate::commands::exit;
use crate::ops::bump::{self, OpsContext, RolloutStep, Step};
use crate::session::Session;
use okg_domain::bump_plan::{self, SwitchPlan};
use okg_domain::staged_rollout::{RolloutRecord, RolloutState, record_of};

/// The session, the context and the run's record, or the exit code after saying why not.
async fn open(
    global: &GlobalArgs,
    set: &str,
    doc: &mut Doc,
) -> Result<(Session, OpsContext, okg_domain::types::GameServerSet, RolloutRecord), u8> {
    let session = doc.open_session(global).await?;
    let ctx = doc::ops_context(&session, global);
    let snapshot = match bump::read_set(&ctx.client, &ctx.namespace, set).await {
        Ok(s) => s,
        Err(e) => return Err(super::read_failure(doc, &ctx, e).await),
    };
    match record_of(&snapshot.gss) {
        Some((_, Ok(r))) => {
            doc.set("rollout", super::record_json(&r));
            Ok((session, ctx, snapshot.gss, r))
        }
        Some((_, Err(e))) => {
            doc.error(
                "refused",
                format!("the rollout record of {set} does not parse ({e}); nothing was sent"),
            );
            Err(exit::REFUSED)
        }
        None => {
            doc.error("refused", format!("no staged rollout on {set}; nothing was sent"));
            Err(exit::REFUSED)
        }
    }
}

/// Show a pause / resume patch, confirm and send it.
async fn send_switch(doc: &mut Doc, ctx: &OpsContext, plan: &SwitchPlan, yes: bool) -> u8 {
    if ctx.writer.is_none() {
        doc.error("refused", "read-only session: nothing was sent");
        return exit::REFUSED;
    }
    for p in &plan.patches {
        doc.say(format!("  {}: {}", p.target(), p.summary));
        doc.say(format!("     {}", p.patch));
    }
    if !yes {
        use std::io::IsTerminal;
        if !std::io::stdin().is_terminal() {
            doc.error(
                "refused",
                "nobody to confirm (stdin is not a terminal): pass --yes. Nothing was sent.",
            );
            return exit::REFUSED;
        }
        let line = super::answer("Send this patch? [y/N] ").unwrap_or_default();
        if !matches!(line.as_str(), "y" | "Y" | "yes") {
            doc.error("refused", "not confirmed. Nothing was sent.");
            return exit::REFUSED;
        }
    }
    let (tx, rx) = mpsc::channel(64);
    let printer = tokio::spawn(print_events(rx, doc.json));
    let result = bump::apply_switch(ctx, plan, &tx).await;
    drop(tx);
    let _ = printer.await;
    match result {
        Ok(()) => exit::OK,
        Err(e) => {
            doc.error("failed", e.to_string());
            exit::FAILED
        }
    }
}

pub async fn pause(global: &GlobalArgs, set: &str, yes: bool, doc: &mut Doc) -> u8 {
    let (_session, ctx, gss, record) = match open(global, set, doc).await {
        Ok(x) => x,
        Err(code) => return code,
    };
    if record.state != RolloutState::Running {
        doc.error(
            "refused",
            format!(
                "the rollout of {set} is {}, not running; nothing was sent",
                record.state.as_str()
            ),
        );
        return exit::REFUSED;
    }
    doc.say(format!("Pause the rollout of {set} at {}", record.stage_text()));
    let plan = bump_plan::plan_rollout_switch(&gss, &record, true);
    let code = send_switch(doc, &ctx, &plan, yes).await;
    if code == exit::OK {
        doc.say(format!("Paused. `okg rollout resume {set} --wait` goes on."));
        doc.set("outcome", json!("paused"));
    }
    code
}

pub async fn resume(global: &GlobalArgs, set: &str, args: &DriveArgs, doc: &mut Doc) -> u8 {
    let (_session, mut ctx, gss, record) = match open(global, set, doc).await {
        Ok(x) => x,
        Err(code) => return code,
    };
    match record.state {
        RolloutState::Paused | RolloutState::Failed => {
            doc.say(format!(
                "Resume the rollout of {set} ({} at {}){}",
                record.state.as_str(),
                record.stage_text(),
                if record.failures > 0 {
                    format!(
                        "; its {} failure(s) are acknowledged and the limit counts again from 0",
                        record.failures
                    )
                } else {
                    String::new()
                }
            ));
            let plan = bump_plan::plan_rollout_switch(&gss, &record, false);
            let code = send_switch(doc, &ctx, &plan, args.yes).await;
            if code != exit::OK {
                return code;
            }
        }
        RolloutState::Running => {
            doc.say(format!(
                "The rollout of {set} is running at {}: driving it from here.",
                record.stage_text()
            ));
        }
        state => {
            doc.error(
                "refused",
                format!("the rollout of {set} is {}: nothing to resume", state.as_str()),
            );
            return exit::REFUSED;
        }
    }
    if !args.wait {
        doc.say(format!("Not driving it (pass --wait): `okg rollout resume {set} --wait`."));
        doc.set("outcome", json!("resumed"));
        return exit::OK;
    }
    if ctx.writer.is_none() {
        doc.error("refused", "read-only session: nothing was sent");
        return exit::REFUSED;
    }
    super::drive::run(&mut ctx, doc, set, None, args).await
}

pub async fn undo(global: &GlobalArgs, set: &str, args: &DriveArgs, doc: &mut Doc) -> u8 {
    let (session, ctx, _gss, record) = match open(global, set, doc).await {
        Ok(x) => x,
        Err(code) => return code,
    };
    if !record.state.is_open() {
        doc.error(
            "refused",
            format!("the rollout of {set} is {}: nothing to undo", record.state.as_str()),
        );
        return exit::REFUSED;
    }
    let step =
        Step::Rollout { set: set.to_string(), step: Box::new(RolloutStep::Undo(record, None)) };
    let plan = match bump::plan(&ctx.client, &ctx.namespace, &step).await {
        Ok(p) => p,
        Err(e) => return super::read_failure(doc, &ctx, e).await,
    };
    doc.set("plan", serde_json::to_value(&plan).unwrap_or_default());
    let context = session.connection.context.clone();
    if let Err(code) = super::preflight_and_confirm(
        doc,
        &ctx,
        &plan,
        &context,
        args.allow_recreate,
        args.yes,
        |_| {},
    )
    .await
    {
        return code;
    }
    // A signal stops the follow (the undo's patches, once sent, stay): the exit code says which.
    let shutdown = crate::signals::Shutdown::install(|| {});
    let (tx, rx) = mpsc::channel(256);
    let printer = tokio::spawn(print_events(rx, doc.json));
    let result = bump::apply(&ctx, &plan, &step, &tx).await;
    let code = match &result {
        Ok(applied) if args.wait => {
            let report = bump::follow(
                &ctx.client,
                applied,
                &bump::FollowOptions {
                    timeout: args.timeout,
                    fail_after: args.fail_after,
                    cancel: shutdown.token(),
                    ..Default::default()
                },
                &tx,
            )
            .await;
            doc.set("verdicts", serde_json::to_value(&report.verdicts).unwrap_or_default());
            if report.cancelled {
                let _ = tx
                    .send(bump::BumpEvent::Note {
                        message: "Stopped following: the undo was sent and goes on in the cluster."
                            .into(),
                    })
                    .await;
            }
            shutdown.exit_code(crate::commands::bump::exit_code(&report))
        }
        Ok(_) => exit::OK,
        Err(e) => {
            doc.error("failed", e.to_string());
            exit::FAILED
        }
    };
    drop(tx);
    let _ = printer.await;
    if result.is_ok() {
        doc.say(format!(
            "Rolled back: {} template back to {}, priorities back, record marked rolled back.",
            set, plan.to_image
        ));
        doc.set("outcome", json!("rolled-back"));
    }
    doc.set("cancelled", json!(shutdown.is_cancelled()));
    code
}
