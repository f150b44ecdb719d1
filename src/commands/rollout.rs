//! `okg rollout SET --container C --image I --stages 1,10%,50%,100% [--wait]`: a staged grey
//! release, and `okg rollout status|pause|resume|undo SET` as `kubectl rollout` spells them.
//! The run's state lives on the set (`okg_domain::staged_rollout`), so any console can pick it
//! up; `drive` moves it stage by stage.
//!
//! Exit codes: 0 done (or the first stage applied, without --wait; or the status printed); 3 a
//! stage failed past the limit, was rolled back, or a write failed; 4 refused (read-only, RBAC,
//! validation, another run open, no confirmation, a conflict); 1 usage; 128+N a signal.
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::Value;

use crate::cli::{GlobalArgs, OutputFormat, ReloadChainArgs};
use crate::commands::bump::{chain, print_plan, refusal_line};
use crate::commands::doc::{self, Doc};
use crate::commands::{exit, preflight};
use crate::ops::bump::{self, BumpError, OpsContext};
use crate::ops::chain::ReloadRequest;
use crate::ops::staged_start::{StartError, StartPlan, StartRequest, plan_start, stage_lines};
use okg_domain::bump_plan::Plan;
use okg_domain::send_rules::{self, Change, Consent, Facts, Refusal};
use okg_domain::staged_rollout::{ReloadSpec, RolloutRecord, parse_stages};

mod drive;
mod status;
mod switch;

pub const EXAMPLES: &str = "\
Examples:
  okg rollout gss-2048 --container sidecar --image reg.example.com/sidecar:v2 \\
      --stages 1,10%,50%,100% --soak 30s --failure-limit 1 --wait --reload-exec /reload.sh
  okg rollout status gss-2048          where a run stands (works read-only)
  okg rollout pause gss-2048           stop it where it is (rollingUpdate.paused too)
  okg rollout resume gss-2048 --wait   go on, after a pause, a failure or a crash
  okg rollout undo gss-2048            template, partition and priorities back";

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct RolloutArgs {
    #[command(subcommand)]
    pub action: Option<RolloutAction>,
    /// The GameServerSet to roll out.
    #[arg(required = true)]
    pub set: Option<String>,
    /// The container whose image changes.
    #[arg(long, required = true)]
    pub container: Option<String>,
    /// The new image reference (registry/repository:tag or @digest).
    #[arg(long, required = true)]
    pub image: Option<String>,
    /// Servers updated once each stage is done: counts or percentages of the servers the run
    /// may update, growing, the last 100%.
    #[arg(long, default_value = "1,10%,50%,100%")]
    pub stages: String,
    /// After each stage's verdicts (and reloads), wait this long and check that its pods stay
    /// Ready without restarting again.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "0s")]
    pub soak: Duration,
    /// Failures tolerated over the whole run (failed pods, failed reloads, soak breaks,
    /// re-created pods unless --allow-recreate) before it stops.
    #[arg(long, default_value_t = 0)]
    pub failure_limit: u32,
    /// Roll back by itself when the failure limit is passed (otherwise it stops where it is).
    #[arg(long)]
    pub auto_rollback: bool,
    /// Update Allocated servers (players in a match) too. Without it the last stage leaves them
    /// on the old image behind the partition.
    #[arg(long)]
    pub include_allocated: bool,
    #[command(flatten)]
    pub drive: DriveArgs,
    #[command(flatten)]
    pub reload: ReloadChainArgs,
}

/// How a run is moved on and reported, shared by the start and `resume`.
#[derive(Args, Debug, Clone)]
pub struct DriveArgs {
    /// Run every stage, each after the checks of the one before. Without it only the first stage
    /// is applied (`okg rollout resume SET --wait` goes on).
    #[arg(long)]
    pub wait: bool,
    /// How long each stage may take to reach its verdicts.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "5m")]
    pub timeout: Duration,
    /// How long a pod may stay FAILING (a pull error or crash loop being retried) before it is
    /// FAILED.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "60s")]
    pub fail_after: Duration,
    /// Allow stages that re-create pods (ReCreate policy); re-created pods then do not count as
    /// failures.
    #[arg(long)]
    pub allow_recreate: bool,
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum RolloutAction {
    /// Where a run stands: its stages with their verdict counts, and the set now.
    Status {
        set: String,
        #[arg(short = 'o', long, value_enum, default_value_t)]
        output: OutputFormat,
    },
    /// Stop a run where it stands: the set's rollingUpdate.paused and the run's record.
    Pause {
        set: String,
        #[arg(short = 'o', long, value_enum, default_value_t)]
        output: OutputFormat,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Go on with a paused, failed or interrupted run (failures so far are acknowledged).
    Resume {
        set: String,
        #[command(flatten)]
        drive: DriveArgs,
    },
    /// Roll a run back: template to its old image for every pod, priorities back.
    Undo {
        set: String,
        #[command(flatten)]
        drive: DriveArgs,
    },
}

pub async fn run(global: &GlobalArgs, args: RolloutArgs) -> u8 {
    match args.action.clone() {
        Some(RolloutAction::Status { set, output }) => {
            let mut doc = Doc::new("rollout", "RolloutStatus", output);
            let code = status::run(global, &set, &mut doc).await;
            doc.finish(code)
        }
        Some(RolloutAction::Pause { set, output, yes }) => {
            let mut doc = Doc::new("rollout", "RolloutReport", output);
            let code = switch::pause(global, &set, yes, &mut doc).await;
            doc.finish(code)
        }
        Some(RolloutAction::Resume { set, drive }) => {
            let mut doc = Doc::new("rollout", "RolloutReport", drive.output);
            let code = switch::resume(global, &set, &drive, &mut doc).await;
            doc.finish(code)
        }
        Some(RolloutAction::Undo { set, drive }) => {
            let mut doc = Doc::new("rollout", "RolloutReport", drive.output);
            let code = switch::undo(global, &set, &drive, &mut doc).await;
            doc.finish(code)
        }
        None => {
            let mut doc = Doc::new("rollout", "RolloutReport", args.drive.output);
            let code = start(global, &args, &mut doc).await;
            doc.finish(code)
        }
    }
}

/// Plan the run and its first stage, show them, confirm, apply, and with --wait drive the rest.
async fn start(global: &GlobalArgs, args: &RolloutArgs, doc: &mut Doc) -> u8 {
    let (set, container, image) = match (&args.set, &args.container, &args.image) {
        (Some(s), Some(c), Some(i)) => (s.clone(), c.clone(), i.clone()),
        _ => {
            doc.error("refused", "give SET, --container and --image; nothing was sent");
            return exit::USAGE;
        }
    };
    let named = preflight::names("the GameServerSet", [&set])
        .and_then(|()| preflight::names("--container", [&container]))
        .and_then(|()| preflight::names("--image", [&image]));
    if let Err(e) = named {
        doc.error("refused", format!("{e}; nothing was sent"));
        return exit::USAGE;
    }
    let stages = match parse_stages(&args.stages) {
        Ok(s) => s,
        Err(e) => {
            doc.error("refused", format!("{e}; nothing was sent"));
            return exit::USAGE;
        }
    };
    let reload = match chain::request(&args.reload, true) {
        Ok(r) => r,
        Err(e) => {
            doc.error("refused", format!("{e}; nothing was sent"));
            return exit::USAGE;
        }
    };
    let session = match doc.open_session(global).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut ctx = doc::ops_context(&session, global);
    let namespace = ctx.namespace.clone();
    let request = StartRequest {
        set: set.clone(),
        container,
        image,
        stages,
        soak: args.soak,
        failure_limit: args.failure_limit,
        auto_rollback: args.auto_rollback,
        include_allocated: args.include_allocated,
        reload: reload_spec(&args.reload, reload.as_ref()),
    };
    let StartPlan { plan, step, record, candidates } = match plan_start(&ctx, &request).await {
        Ok(p) => p,
        Err(StartError::Read(e)) => return read_failure(doc, &ctx, e).await,
        Err(StartError::Stages(why)) => {
            doc.error("refused", format!("{why}; nothing was sent"));
            return exit::USAGE;
        }
        Err(e @ StartError::Open { .. }) => {
            if let StartError::Open { open, .. } = &e {
                doc.set("rollout", record_json(open));
            }
            doc.error("refused", e.to_string());
            return exit::REFUSED;
        }
    };
    doc.set("plan", serde_json::to_value(&plan).unwrap_or(Value::Null));
    doc.set("rollout", serde_json::to_value(&record).unwrap_or(Value::Null));
    doc.set("candidates", serde_json::to_value(&candidates).unwrap_or(Value::Null));
    let allowed = args.drive.allow_recreate;
    let context = session.connection.context.clone();
    let stages_text = |d: &Doc| {
        for line in stage_lines(&record, &candidates) {
            d.say(line);
        }
    };
    if let Err(code) =
        preflight_and_confirm(doc, &ctx, &plan, &context, allowed, args.drive.yes, stages_text)
            .await
    {
        return code;
    }
    if let (Some(r), Some(_)) = (&reload, &ctx.writer)
        && let Err(why) = chain::check_access(&ctx.client, &namespace, r).await
    {
        doc.error("refused", format!("{why}. Nothing was sent."));
        return exit::REFUSED;
    }
    drive::run(&mut ctx, doc, &set, Some((plan, step)), &args.drive).await
}

/// The pre-flight every rollout write shows, and its confirmation: the send rules, RBAC, the
/// plan (and `extra` lines), then y/N (or the set's name when pods would be re-created).
pub(crate) async fn preflight_and_confirm(
    doc: &mut Doc,
    ctx: &OpsContext,
    plan: &Plan,
    context: &str,
    allow_recreate: bool,
    yes: bool,
    extra: impl FnOnce(&Doc),
) -> Result<(), u8> {
    let read_only = ctx.writer.is_none();
    let consent = Consent::AllowRecreateFlag(allow_recreate);
    let facts = |denied| Facts { read_only, denied, consent };
    let refusal = send_rules::refusal(Change::Step(plan), &facts(&[]));
    let rbac = match (&ctx.writer, &refusal) {
        (Some(_), None) => Some(bump::preflight(&ctx.client, &ctx.namespace, &plan.patches).await),
        _ => None,
    };
    let not_asked = if read_only { "not asked (read-only session)" } else { "not asked (refused)" };
    doc.set("rbac", doc::rbac_json(rbac.as_deref(), not_asked));
    print_plan(doc, plan, context, rbac.as_deref(), not_asked);
    if !doc.json {
        extra(doc);
    }
    let denied = crate::cluster::access::denials(rbac.as_deref().unwrap_or_default());
    if let Some(why) = refusal.or_else(|| send_rules::refusal(Change::Step(plan), &facts(&denied)))
    {
        doc.error("refused", refusal_line(&why));
        return Err(exit::REFUSED);
    }
    if yes {
        return Ok(());
    }
    let why = if !std::io::stdin().is_terminal() {
        Some(Refusal::NobodyToConfirm)
    } else if ask(plan).is_some_and(|a| send_rules::confirmed(plan, &a)) {
        None
    } else {
        Some(Refusal::NotConfirmed)
    };
    match why {
        Some(why) => {
            doc.error("refused", refusal_line(&why));
            Err(exit::REFUSED)
        }
        None => Ok(()),
    }
}

fn ask(plan: &Plan) -> Option<String> {
    if send_rules::needs_set_name(plan) {
        answer(&format!("This RE-CREATES pods. Type the set name ({}) to confirm: ", plan.set))
    } else {
        answer(&format!("Send these {} patch(es)? [y/N] ", plan.patches.len()))
    }
}

/// Ask on the terminal (stderr) and read one line: the answer, trimmed; `None` when stdin could
/// not be read.
pub(crate) fn answer(prompt: &str) -> Option<String> {
    let mut err = std::io::stderr();
    let _ = write!(err, "{prompt}");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    Some(line.trim().to_string())
}

fn reload_spec(args: &ReloadChainArgs, request: Option<&ReloadRequest>) -> Option<ReloadSpec> {
    let request = request?;
    let spec = ReloadSpec {
        exec: args.reload_exec.clone(),
        http: args.reload_http.clone(),
        container: args.reload_container.clone(),
        ..ReloadSpec::default()
    };
    Some(spec.with_limits(&request.limits))
}

/// A read or plan that failed before anything was sent.
pub(crate) async fn read_failure(doc: &mut Doc, ctx: &OpsContext, e: BumpError) -> u8 {
    match e {
        BumpError::Read { .. } => {
            doc.error("failed", e.to_string());
            exit::FAILED
        }
        BumpError::NotFound { .. } => {
            if let Some(why) = preflight::missing_namespace(&ctx.client, &ctx.namespace).await {
                doc.error("refused", format!("{why}; nothing was sent"));
                return exit::USAGE;
            }
            doc.error("refused", format!("{e}; nothing was sent"));
            exit::REFUSED
        }
        e => {
            doc.error("refused", format!("{e}; nothing was sent"));
            exit::REFUSED
        }
    }
}

pub(crate) fn record_json(r: &RolloutRecord) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}
