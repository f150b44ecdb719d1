//! `okg set opsstate|update-priority|deletion-priority|network-disabled TARGETS VALUE`, in the
//! manner of `kubectl set`: check the value, pick the GameServers, show the pre-flight (the
//! patches with their `test` ops, the RBAC answer, the count by current state), confirm, send.
//!
//! Exit codes: 0 every patch accepted (or nothing to change); 3 a write failed, or a conflict
//! after another patch had landed; 4 refused (a bad value or selection, read-only, RBAC, no
//! confirmation, or a conflict before anything was sent); 1 usage; 5/6 as for every command.
use std::io::{BufRead, IsTerminal, Write};

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::cluster::access::{ApiAction, Permission};
use crate::commands::doc::{self, Doc};
use crate::commands::{exit, preflight};
use crate::ops::bump::BumpError;
use crate::ops::gs_ops;
use okg_domain::gs_ops::{Field, GsOp, OpsPlan, Selection};

#[derive(Args, Debug, Clone)]
pub struct SetArgs {
    #[command(subcommand)]
    pub what: SetWhat,
}

#[derive(Subcommand, Debug, Clone)]
pub enum SetWhat {
    /// Set spec.opsState: None, Maintaining, WaitToBeDeleted, Allocated or Kill.
    Opsstate(SetOpArgs),
    /// Set spec.updatePriority (an integer; OpenKruise updates higher ones first).
    UpdatePriority(SetOpArgs),
    /// Set spec.deletionPriority (an integer; OKG deletes higher ones first on scale-down).
    DeletionPriority(SetOpArgs),
    /// Set spec.networkDisabled: true or false.
    NetworkDisabled(SetOpArgs),
}

#[derive(Args, Debug, Clone)]
pub struct SetOpArgs {
    /// GameServer names (none when selecting with --set, -l or --state), then the VALUE. A
    /// negative priority needs no `--`.
    #[arg(required = true, num_args = 1.., allow_negative_numbers = true, value_name = "TARGETS... VALUE")]
    pub words: Vec<String>,
    /// Every GameServer of this GameServerSet.
    #[arg(long)]
    pub set: Option<String>,
    /// Label selector on GameServers.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Only GameServers in these current states (status.currentState: Ready, NotReady, …).
    #[arg(long, value_delimiter = ',')]
    pub state: Vec<String>,
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

impl SetWhat {
    fn parts(&self) -> (Field, &SetOpArgs) {
        match self {
            SetWhat::Opsstate(a) => (Field::OpsState, a),
            SetWhat::UpdatePriority(a) => (Field::UpdatePriority, a),
            SetWhat::DeletionPriority(a) => (Field::DeletionPriority, a),
            SetWhat::NetworkDisabled(a) => (Field::NetworkDisabled, a),
        }
    }
}

pub async fn run(global: &GlobalArgs, args: SetArgs) -> u8 {
    let (field, a) = args.what.parts();
    let mut doc = Doc::new("set", "SetReport", a.output);
    let code = set_command(global, field, a, &mut doc).await;
    doc.finish(code)
}

async fn set_command(global: &GlobalArgs, field: Field, a: &SetOpArgs, doc: &mut Doc) -> u8 {
    // Everything that can be judged without the cluster is, before a session is opened.
    let (value, names) = a.words.split_last().expect("clap requires one word");
    let op = match GsOp::parse(field, value) {
        Ok(op) => op,
        Err(e) => {
            doc.error("refused", format!("{e}. Nothing was sent."));
            return exit::REFUSED;
        }
    };
    let checked = preflight::names("a GameServer name", names)
        .and_then(|()| preflight::names("--set", &a.set));
    if let Err(why) = checked {
        doc.error("refused", format!("{why}. Nothing was sent."));
        return exit::REFUSED;
    }
    let selection = Selection {
        names: names.to_vec(),
        set: a.set.clone(),
        selector: a.selector.clone(),
        states: a.state.clone(),
    };
    if let Err(e) = selection.check() {
        doc.error("refused", format!("{e}. Nothing was sent."));
        return exit::REFUSED;
    }
    if global.all_namespaces {
        doc.error("refused", "okg set works in one namespace: give -n NAMESPACE instead of -A");
        return exit::USAGE;
    }
    let session = match doc.open_session(global).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let namespace = session.connection.default_namespace.clone();
    let plan = match gs_ops::plan(&session.connection.client, &namespace, &op, &selection).await {
        Ok(p) => p,
        Err(e @ BumpError::Read { .. }) => {
            doc.error("failed", e.to_string());
            return exit::FAILED;
        }
        Err(e) => {
            doc.error("refused", format!("{e}. Nothing was sent."));
            return exit::REFUSED;
        }
    };
    doc.set("plan", serde_json::to_value(&plan).unwrap_or(Value::Null));
    // The review is a POST: a read-only session asks nothing.
    let rbac = match &session.writer {
        Some(_) if !plan.patches.is_empty() => {
            Some(gs_ops::preflight(&session.connection.client, &namespace).await)
        }
        _ => None,
    };
    let not_asked =
        if session.writer.is_none() { "not asked (read-only session)" } else { "not asked" };
    doc.set("rbac", doc::rbac_json(rbac.as_deref(), not_asked));
    print_preflight(
        doc,
        &plan,
        &namespace,
        &session.connection.context,
        rbac.as_deref(),
        not_asked,
    );
    if plan.patches.is_empty() {
        doc.say(format!(
            "Nothing to change: every chosen GameServer already has {} {}. Nothing was sent.",
            field_name(field),
            plan.op.value
        ));
        doc.set("applied", json!([]));
        doc.set("outcome", json!("unchanged"));
        return exit::OK;
    }
    if session.writer.is_none() {
        doc.error("refused", "read-only session: nothing was sent");
        return exit::REFUSED;
    }
    if let Some((a, Permission::Denied(why))) =
        rbac.iter().flatten().find(|(_, p)| matches!(p, Permission::Denied(_)))
    {
        doc.error(
            "refused",
            format!("RBAC does not allow {} ({why}). Nothing was sent.", a.describe()),
        );
        return exit::REFUSED;
    }
    if !a.yes {
        if !std::io::stdin().is_terminal() {
            doc.error(
                "refused",
                "stdin is not a terminal, so nobody can confirm: pass --yes to send without asking. Nothing was sent",
            );
            return exit::REFUSED;
        }
        if !ask(&plan) {
            doc.error("refused", "not confirmed: nothing was sent");
            return exit::REFUSED;
        }
    }
    let ctx = doc::ops_context(&session, global);
    let (tx, mut rx) = mpsc::channel(64);
    let json_out = doc.json;
    let printer = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            let line = crate::ops::bump::event_line(e);
            if json_out {
                crate::errln!("{line}");
            } else {
                crate::outln!("{line}");
            }
        }
    });
    let result = gs_ops::apply(&ctx, &plan, &tx).await;
    drop(tx);
    let _ = printer.await;
    match result {
        Ok(applied) => {
            doc.say(format!(
                "Applied {} patch(es) as {}; audit log: {}",
                applied.sent.len(),
                applied.user,
                ctx.audit.path().display()
            ));
            doc.set("applied", json!(applied.sent));
            doc.set("user", json!(applied.user));
            doc.set("outcome", json!("applied"));
            exit::OK
        }
        Err(e) => {
            let applied = e.applied().to_vec();
            let conflict = matches!(e, BumpError::Conflict { .. });
            doc.set("applied", json!(applied));
            if let BumpError::Conflict { not_sent, .. } | BumpError::Write { not_sent, .. } = &e {
                doc.set("notSent", json!(not_sent));
            }
            doc.error(if conflict { "conflict" } else { "failed" }, e.to_string());
            if conflict && applied.is_empty() { exit::REFUSED } else { exit::FAILED }
        }
    }
}

fn field_name(field: Field) -> &'static str {
    match field {
        Field::OpsState => "opsState",
        Field::UpdatePriority => "updatePriority",
        Field::DeletionPriority => "deletionPriority",
        Field::NetworkDisabled => "networkDisabled",
    }
}

fn print_preflight(
    doc: &Doc,
    plan: &OpsPlan,
    namespace: &str,
    context: &str,
    rbac: Option<&[(ApiAction, Permission)]>,
    not_asked: &str,
) {
    if doc.json {
        return;
    }
    let rbac = doc::rbac_line(rbac, not_asked);
    crate::outln!(
        "Set {} = {} on {} GameServer(s) (namespace {namespace}, context {context})",
        field_name(plan.op.field),
        plan.op.value,
        plan.chosen.len()
    );
    crate::outln!("  now        {}", plan.counts);
    crate::outln!("  RBAC       {rbac}");
    if !plan.unchanged.is_empty() {
        crate::outln!("  unchanged  {} (already {})", plan.unchanged.join(", "), plan.op.value);
    }
    for w in &plan.warnings {
        crate::outln!("  ! {w}");
    }
    if !plan.patches.is_empty() {
        crate::outln!(
            "Patches, sent in this order (JSON Patch, test ops guard the values planned on):"
        );
    }
    for (i, p) in plan.patches.iter().enumerate() {
        crate::outln!("  {}. {}: {}", i + 1, p.target(), p.summary);
        crate::outln!("     {}", p.patch);
    }
}

/// y/N on the terminal, as `okg bump` asks; anything but y or yes is a no.
fn ask(plan: &OpsPlan) -> bool {
    let mut err = std::io::stderr();
    let _ = write!(err, "Apply these {} patch(es)? [y/N] ", plan.patches.len());
    let _ = err.flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim(), "y" | "Y" | "yes")
}
