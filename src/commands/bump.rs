//! `okg bump`: the bump operation without a TUI. Plan, pre-flight (patches, order, policy,
//! RBAC), confirm, apply, and with `--wait` follow every targeted pod to a verdict.
//!
//! Exit codes: 0 every targeted pod IN PLACE (or applied, without --wait); 2 a pod was
//! RE-CREATED; 3 failed or timed out (or a write failed after another had landed); 4 refused
//! (read-only, RBAC, validation, re-creation without --allow-recreate, no confirmation, or a
//! conflict before anything was applied); 1 usage.
use std::io::{BufRead, IsTerminal, Write};

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::cli::{BumpArgs, GlobalArgs};
use crate::cluster::access::{Permission, denials};
use crate::commands::doc::{self, Doc};
use crate::commands::{exit, preflight};
use crate::signals::{Shutdown, Signal};

pub(crate) mod chain;
use crate::ops::bump::{self, BumpError, BumpEvent, EventLines, FollowOptions, FollowReport, Step};
use okg_domain::bump_plan::{BumpRequest, Plan, PlanKind, PodAction, Policy, Scope};
use okg_domain::image::version_of;
use okg_domain::rollout::Verdict;
use okg_domain::send_rules::{self, Change, Consent, Facts, Refusal};

pub async fn run(global: &GlobalArgs, args: BumpArgs) -> u8 {
    let named = preflight::names("the GameServerSet", [&args.set])
        .and_then(|()| preflight::names("--container", [&args.container]))
        .and_then(|()| preflight::names("--image", &args.image))
        .and_then(|()| preflight::names("a --gameservers name", &args.gameservers));
    if let Err(e) = named {
        crate::errln!("okg bump: {e}; nothing was sent");
        return exit::USAGE;
    }
    if let Some(n) = args.canary
        && n < 1
    {
        crate::errln!("okg bump: --canary must be at least 1 (got {n})");
        return exit::USAGE;
    }
    if let Some(n) = args.step
        && n < 1
    {
        crate::errln!("okg bump: --step must be at least 1 (got {n})");
        return exit::USAGE;
    }
    let reload = match chain::request(&args.reload, args.wait) {
        Ok(r) => r,
        Err(e) => {
            crate::errln!("okg bump: {e}");
            return exit::USAGE;
        }
    };
    let mut doc = Doc::new("bump", "BumpReport", args.output);
    let code = bump_command(global, &args, reload.as_ref(), &mut doc).await;
    doc.finish(code)
}

async fn bump_command(
    global: &GlobalArgs,
    args: &BumpArgs,
    reload: Option<&chain::ReloadRequest>,
    doc: &mut Doc,
) -> u8 {
    let session = match doc.open_session(global).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let namespace = session.connection.default_namespace.clone();
    let scope = match (args.canary, args.gameservers.is_empty()) {
        _ if !args.only_states.is_empty() => Scope::States(args.only_states.clone()),
        (Some(n), _) => Scope::Canary(n),
        (None, false) => Scope::GameServers(args.gameservers.clone()),
        (None, true) => Scope::WholeSet,
    };
    let step = match &args.image {
        _ if args.resume => Step::Continue {
            set: args.set.clone(),
            container: args.container.clone(),
            step: args.step,
        },
        _ if args.restore_priorities => {
            Step::RestorePriorities { set: args.set.clone(), container: args.container.clone() }
        }
        _ if args.clear_override => Step::ClearOverride {
            set: args.set.clone(),
            container: args.container.clone(),
            gameservers: args.gameservers.clone(),
        },
        Some(image) => Step::Bump {
            set: args.set.clone(),
            request: BumpRequest {
                container: args.container.clone(),
                image: image.clone(),
                scope,
                canary_allocated: args.canary_allocated,
            },
        },
        None => {
            doc.error(
                "refused",
                "give --image (or --continue to continue a canary, --clear-override, or --restore-priorities)",
            );
            return exit::USAGE;
        }
    };
    let mut ctx = doc::ops_context(&session, global);
    let interactive = !args.yes && std::io::stdin().is_terminal();
    // Installed once something is about to be sent: a signal then lets the patches in flight
    // finish (each is audited as it lands) and stops the follow with the verdicts so far.
    let mut shutdown: Option<Shutdown> = None;
    // Once, not per re-plan: the template's container names do not change with a conflict.
    if let Some(r) = reload
        && let Err(why) = chain::check_container(&ctx.client, &namespace, &args.set, r).await
    {
        doc.error("refused", format!("{why}. Nothing was sent (give --reload-container NAME)"));
        return exit::USAGE;
    }
    // Asked again after a conflict, with the new plan, as long as someone is there to answer.
    loop {
        let plan = match bump::plan(&ctx.client, &namespace, &step).await {
            Ok(p) => p,
            Err(e @ BumpError::Read { .. }) => {
                doc.error("failed", e.to_string());
                return exit::FAILED;
            }
            Err(e) => {
                // A set missing from a namespace that does not exist: the namespace is the typo.
                if matches!(e, BumpError::NotFound { .. })
                    && let Some(why) = preflight::missing_namespace(&ctx.client, &namespace).await
                {
                    doc.error("refused", format!("{why}; nothing was sent"));
                    return exit::USAGE;
                }
                doc.error("refused", e.to_string());
                return exit::REFUSED;
            }
        };
        doc.set("plan", serde_json::to_value(&plan).unwrap_or(Value::Null));
        // Refusals that need no question to the API server come first.
        let read_only = ctx.writer.is_none();
        let consent = Consent::AllowRecreateFlag(args.allow_recreate);
        let facts = |denied| Facts { read_only, denied, consent };
        let refusal = send_rules::refusal(Change::Step(&plan), &facts(&[]));
        // RBAC is asked with a SelfSubjectAccessReview, a POST: a read-only or refused bump
        // sends none.
        let rbac = match (&ctx.writer, &refusal) {
            (Some(_), None) => Some(bump::preflight(&ctx.client, &namespace, &plan.patches).await),
            _ => None,
        };
        let not_asked = if ctx.writer.is_none() {
            "not asked (read-only session)"
        } else {
            "not asked (refused)"
        };
        doc.set("rbac", doc::rbac_json(rbac.as_deref(), not_asked));
        print_plan(doc, &plan, &session.connection.context, rbac.as_deref(), not_asked);
        let denied = denials(rbac.as_deref().unwrap_or_default());
        if let Some(why) =
            refusal.or_else(|| send_rules::refusal(Change::Step(&plan), &facts(&denied)))
        {
            doc.error("refused", refusal_line(&why));
            return exit::REFUSED;
        }
        // A chained reload execs or calls into pods: asked before the bump, so a denial sends
        // nothing at all.
        if let (Some(r), Some(_)) = (reload, &ctx.writer)
            && let Err(why) = chain::check_access(&ctx.client, &namespace, r).await
        {
            doc.error("refused", format!("{why}. Nothing was sent."));
            return exit::REFUSED;
        }
        if !args.yes {
            let why = if !interactive {
                Some(Refusal::NobodyToConfirm)
            } else if ask(&plan).is_some_and(|answer| send_rules::confirmed(&plan, &answer)) {
                None
            } else {
                Some(Refusal::NotConfirmed)
            };
            if let Some(why) = why {
                doc.error("refused", refusal_line(&why));
                return exit::REFUSED;
            }
        }

        let shutdown = shutdown.get_or_insert_with(|| Shutdown::install(|| {})).clone();
        ctx.cancel = shutdown.token();
        let (tx, rx) = mpsc::channel(256);
        let printer = tokio::spawn(print_events(rx, doc.json));
        let on_signal = {
            let (s, tx) = (shutdown.clone(), tx.clone());
            tokio::spawn(async move {
                s.cancelled().await;
                let name = s.signal().map_or("cancel", Signal::name);
                let message = format!(
                    "{name}: stopping (patches already sent stay; the rollout goes on in the \
                     cluster; running reloads are aborted)…"
                );
                let _ = tx.send(BumpEvent::Note { message }).await;
            })
        };
        let applied = bump::apply(&ctx, &plan, &step, &tx).await;
        let applied = match applied {
            Ok(a) => a,
            Err(e) => {
                on_signal.abort();
                drop(tx);
                let _ = printer.await;
                doc.set("applied", json!(e.applied()));
                let conflict = matches!(e, BumpError::Conflict { .. });
                if conflict && interactive && e.applied().is_empty() {
                    crate::errln!("okg bump: {e}");
                    crate::errln!("okg bump: planning again with the current state…");
                    continue;
                }
                let nothing_applied = e.applied().is_empty();
                let outcome = match () {
                    _ if shutdown.is_cancelled() => "cancelled",
                    _ if conflict => "conflict",
                    _ => "failed",
                };
                doc.error(outcome, e.to_string());
                doc.set("cancelled", json!(shutdown.is_cancelled()));
                let code = if nothing_applied && !matches!(e, BumpError::Write { .. }) {
                    exit::REFUSED
                } else {
                    exit::FAILED
                };
                return shutdown.exit_code(code);
            }
        };
        doc.set("applied", json!(applied.sent));
        doc.set("user", json!(applied.user));
        // Through the event stream, so it prints after the events before it.
        let note = |message: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(BumpEvent::Note { message }).await;
            }
        };
        note(format!(
            "Applied {} patch(es) as {}; audit log: {}",
            applied.sent.len(),
            applied.user,
            ctx.audit.path().display()
        ))
        .await;
        // Putting priorities back moves no pod: there is nothing to follow.
        if plan.kind == PlanKind::RestorePriorities {
            note("Priorities put back; the template and the partition are as they were.".into())
                .await;
        } else if !args.wait {
            note("Not waiting for the pods (pass --wait to follow them to a verdict).".into())
                .await;
        }
        if !args.wait || plan.kind == PlanKind::RestorePriorities {
            on_signal.abort();
            drop(tx);
            let _ = printer.await;
            doc.set("outcome", json!("applied"));
            return exit::OK;
        }
        let options = FollowOptions {
            timeout: args.timeout,
            stall_after: (args.timeout / 2).min(std::time::Duration::from_secs(120)),
            fail_after: args.fail_after,
            cancel: shutdown.token(),
            ..FollowOptions::default()
        };
        note(format!(
            "Following {} pod(s) (timeout {})…",
            plan.targets().len(),
            humantime::format_duration(args.timeout)
        ))
        .await;
        let (report, chained) = match (reload, &ctx.writer) {
            (Some(r), Some(writer)) => {
                let c = chain::run(
                    &ctx,
                    writer,
                    &applied,
                    &options,
                    r,
                    &tx,
                    crate::commands::print::unicode(),
                )
                .await;
                (c.follow.clone(), Some(c))
            }
            _ => (bump::follow(&ctx.client, &applied, &options, &tx).await, None),
        };
        on_signal.abort();
        drop(tx);
        let pod_events = printer.await.unwrap_or_default();
        doc.set("podEvents", json!(pod_events));
        let mut code = exit_code(&report);
        print_report(doc, &report);
        if let Some(c) = &chained {
            code = chain::exit_code(code, c);
            chain::print_report(doc.json, c);
            doc.set("reload", serde_json::to_value(&c.reload).unwrap_or(Value::Null));
            doc.set("notReloaded", json!(c.not_reloaded));
        }
        doc.set("verdicts", serde_json::to_value(&report.verdicts).unwrap_or(Value::Null));
        doc.set("others", serde_json::to_value(&report.others).unwrap_or(Value::Null));
        doc.set("counts", serde_json::to_value(&report.counts).unwrap_or(Value::Null));
        doc.set("timedOut", json!(report.timed_out));
        let outcome = match code {
            _ if report.cancelled => "cancelled",
            exit::OK if chained.is_some() => "in-place-reloaded",
            exit::PARTIAL if report.all_in_place() => "in-place-reload-incomplete",
            exit::OK => "in-place",
            exit::PARTIAL => "re-created",
            _ if report.timed_out => "timed-out",
            _ => "failed",
        };
        doc.set("outcome", json!(outcome));
        doc.set("cancelled", json!(report.cancelled));
        return shutdown.exit_code(code);
    }
}

/// A refusal as `okg bump` says it: every message ends by saying that nothing was sent.
pub(crate) fn refusal_line(why: &Refusal) -> String {
    if why.says_nothing_was_sent() { why.to_string() } else { format!("{why}. Nothing was sent.") }
}

/// 0 all in place, 2 some re-created, 3 anything failed, stalled or unfinished.
pub fn exit_code(report: &FollowReport) -> u8 {
    let bad = report.timed_out
        || report.verdicts.values().any(|v| matches!(v, Verdict::Failed(_)) || !v.is_final());
    if bad {
        exit::FAILED
    } else if report.verdicts.values().any(|v| *v == Verdict::ReCreated) {
        exit::PARTIAL
    } else {
        exit::OK
    }
}

fn scope_text(plan: &Plan) -> String {
    match &plan.scope {
        Scope::WholeSet => format!("whole set, {} replicas", plan.replicas),
        Scope::Canary(n) => format!("canary {n} of {}", plan.replicas),
        Scope::GameServers(names) => format!("GameServers {}", names.join(", ")),
        Scope::States(s) => format!("opsState {}", s.join(",")),
    }
}

pub(crate) fn print_plan(
    doc: &Doc,
    plan: &Plan,
    context: &str,
    rbac: Option<&[(crate::cluster::access::ApiAction, Permission)]>,
    not_asked: &str,
) {
    if doc.json {
        return;
    }
    let policy = match &plan.policy {
        Policy::InPlace => {
            "IN PLACE (pods, IPs and players stay; only the container restarts)".to_string()
        }
        Policy::ReCreate(why) => format!("RE-CREATE: {why}"),
        Policy::Refused(why) => format!("REFUSED: {why}"),
    };
    let rbac = doc::rbac_line(rbac, not_asked);
    if plan.kind == PlanKind::RestorePriorities {
        crate::outln!(
            "Put back the update priorities a canary raised on {} (namespace {}, context {context})",
            plan.set,
            plan.namespace
        );
        crate::outln!("  template   {}: {} (unchanged)", plan.container, plan.to_image);
        crate::outln!("  partition  {} (unchanged)", plan.partition_after);
        crate::outln!("  RBAC       {rbac}");
        print_patches(plan);
        for w in &plan.warnings {
            crate::outln!("  ! {w}");
        }
        return;
    }
    crate::outln!("Bump {} (namespace {}, context {context})", plan.set, plan.namespace);
    crate::outln!("  container  {}: {} → {}", plan.container, plan.from_image, plan.to_image);
    crate::outln!("  scope      {}", scope_text(plan));
    if plan.partition_before != plan.partition_after {
        crate::outln!("  partition  {} → {}", plan.partition_before, plan.partition_after);
    }
    crate::outln!("  policy     {policy}");
    crate::outln!("  RBAC       {rbac}");
    print_patches(plan);
    crate::outln!("Predicted update order:");
    crate::outln!("  {:<3} {:<20} {:>8}  {:<14} NEXT", "#", "POD", "PRIORITY", plan.container);
    for (i, p) in plan.pods.iter().enumerate() {
        let next = match &p.action {
            PodAction::UpdateNow => "updates now".to_string(),
            PodAction::Waiting(r) => format!("waits ({r})"),
            PodAction::AlreadyUpdated => "already on the new image".into(),
            PodAction::Overridden(img) => format!("pinned to {img} by its GameServer"),
            PodAction::NotTargeted => "not targeted".into(),
        };
        crate::outln!(
            "  {:<3} {:<20} {:>8}  {:<14} {next}",
            i + 1,
            p.name,
            p.update_priority,
            version_of(&p.image)
        );
    }
    for w in &plan.warnings {
        crate::outln!("  ! {w}");
    }
}

pub(crate) fn print_patches(plan: &Plan) {
    crate::outln!(
        "Patches, sent in this order (JSON Patch, test ops guard the values planned on):"
    );
    for (i, p) in plan.patches.iter().enumerate() {
        crate::outln!("  {}. {}: {}", i + 1, p.target(), p.summary);
        crate::outln!("     {}", p.patch);
    }
}

/// Ask on the terminal: y/N, or the set name when pods would be re-created. The answer, trimmed;
/// `None` when stdin could not be read.
fn ask(plan: &Plan) -> Option<String> {
    let mut err = std::io::stderr();
    if send_rules::needs_set_name(plan) {
        let _ = write!(err, "This RE-CREATES pods. Type the set name ({}) to confirm: ", plan.set);
    } else {
        let _ = write!(err, "Apply these {} patch(es)? [y/N] ", plan.patches.len());
    }
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    Some(line.trim().to_string())
}

/// Print progress as it comes; returns the pod events (they go into the JSON document).
pub(crate) async fn print_events(mut rx: mpsc::Receiver<BumpEvent>, json: bool) -> Vec<Value> {
    let mut pod_events = Vec::new();
    let mut lines = EventLines::default();
    while let Some(e) = rx.recv().await {
        if let BumpEvent::PodEvent { pod, reason, message } = &e {
            pod_events.push(json!({"pod": pod, "reason": reason, "message": message}));
        }
        let Some(line) = lines.line(e) else { continue };
        if json {
            crate::errln!("{line}");
        } else {
            crate::outln!("{line}");
        }
    }
    pod_events
}

pub(crate) fn print_report(doc: &Doc, report: &FollowReport) {
    doc.say(if report.timed_out { "Timed out. Verdicts:" } else { "Verdicts:" });
    for (pod, v) in &report.verdicts {
        doc.say(format!("  {pod:<20} {v}"));
    }
    for (pod, v) in &report.others {
        doc.say(format!("  {pod:<20} {v} (not part of this step)"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use okg_domain::rollout::{Counts, FailReason, Retrying, WaitReason};
    use std::collections::BTreeMap;

    fn report(vs: &[Verdict], timed_out: bool) -> FollowReport {
        let verdicts: BTreeMap<String, Verdict> =
            vs.iter().enumerate().map(|(i, v)| (format!("p-{i}"), v.clone())).collect();
        FollowReport {
            counts: Counts::of(verdicts.values()),
            verdicts,
            others: BTreeMap::new(),
            timed_out,
            cancelled: false,
        }
    }

    #[test]
    fn exit_codes_follow_the_worst_verdict() {
        assert_eq!(exit_code(&report(&[Verdict::InPlace, Verdict::InPlace], false)), exit::OK);
        assert_eq!(
            exit_code(&report(&[Verdict::InPlace, Verdict::ReCreated], false)),
            exit::PARTIAL
        );
        let failed = Verdict::Failed(FailReason::ImagePull("x".into()));
        assert_eq!(exit_code(&report(&[Verdict::ReCreated, failed], false)), exit::FAILED);
        let waiting = Verdict::Waiting(WaitReason::PriorityOrder { ahead: 1 });
        assert_eq!(exit_code(&report(&[Verdict::InPlace, waiting], false)), exit::FAILED);
        assert_eq!(exit_code(&report(&[Verdict::InPlace], true)), exit::FAILED);
        // Still retrying when the follow ended (cancelled): not a success.
        let failing =
            Verdict::Failing(Retrying::seen("ErrImagePull", FailReason::ImagePull("x".into())));
        assert_eq!(exit_code(&report(&[Verdict::InPlace, failing], false)), exit::FAILED);
    }
}
