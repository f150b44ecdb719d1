//! `okg reload`: resolve the targets and the method, check the session may do it, confirm, run
//! `ops::reload` and print its progress (text) or its report (JSON). Exit codes: 0 every target
//! succeeded, 2 some failed / were skipped / were cancelled, 4 refused (read-only, RBAC, no
//! terminal to confirm on), 1 usage, 3 cannot connect or read the cluster.
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use tokio::sync::mpsc;

use crate::cli::{GlobalArgs, OutputFormat, ReloadArgs};
use crate::cluster::access::{self, ApiAction, Permission};
use crate::commands::{exit, preflight};
use crate::ops::audit::AuditLog;
use crate::ops::reload::{self, AuditContext, KubeTransport, ReloadEvent, ReloadPlan};
use crate::ops::reload_defaults::{self, ConfigError, SetsDefault};
use crate::session;
use crate::signals::{Shutdown, Signal};
use okg_domain::reload_plan::{
    self, Limits, OutputStream, ReloadConfig, ReloadMethod, ReloadTarget,
};
use okg_domain::types::{GameServerSet, annotations, labels};

/// A failure of the command, with its exit code.
struct Exit(u8, String);

pub async fn run(global: &GlobalArgs, args: ReloadArgs) -> u8 {
    match run_inner(global, args).await {
        Ok(code) => code,
        Err(Exit(code, msg)) => {
            crate::errln!("okg reload: {msg}");
            code
        }
    }
}

/// Which pods, as the user said it.
enum Selection {
    Sets(Vec<String>),
    Selector(String),
    GameServers(Vec<String>),
}

fn selection(args: &ReloadArgs) -> Result<Selection, String> {
    let given = [!args.sets.is_empty(), args.selector.is_some(), !args.gameservers.is_empty()];
    match given {
        [true, false, false] => Ok(Selection::Sets(args.sets.clone())),
        [false, true, false] => Ok(Selection::Selector(args.selector.clone().unwrap_or_default())),
        [false, false, true] => Ok(Selection::GameServers(args.gameservers.clone())),
        [false, false, false] => {
            Err("say which pods: GameServerSet names, -l SELECTOR or --gameservers a,b".into())
        }
        _ => Err("give only one of: GameServerSet names, -l SELECTOR, --gameservers".into()),
    }
}

/// The method from the flags, if they name one.
fn method_from_flags(args: &ReloadArgs) -> Result<Option<ReloadMethod>, String> {
    if !args.exec.is_empty() {
        return ReloadMethod::exec(args.exec.clone()).map(Some);
    }
    if let Some(h) = &args.http {
        if args.container.is_some() {
            return Err("--container applies to --exec only".into());
        }
        return ReloadMethod::parse_http(h).map(Some);
    }
    Ok(None)
}

fn limits(args: &ReloadArgs) -> Result<Limits, String> {
    let l = Limits {
        parallel: args.parallel,
        batch: args.batch,
        pause: args.pause.unwrap_or_default(),
        max_failures: args.max_failures,
        timeout: args.timeout,
        ..Limits::default()
    };
    l.validate()?;
    if args.pause.is_some() && args.batch.is_none() {
        return Err("--pause needs --batch (it is the pause between batches)".into());
    }
    Ok(l)
}

fn usage(msg: impl Into<String>) -> Exit {
    Exit(exit::USAGE, msg.into())
}

async fn run_inner(global: &GlobalArgs, args: ReloadArgs) -> Result<u8, Exit> {
    // Everything that can be checked without the cluster is checked first.
    let selection = selection(&args).map_err(usage)?;
    preflight::names("a GameServerSet name", &args.sets).map_err(usage)?;
    preflight::names("a --gameservers name", &args.gameservers).map_err(usage)?;
    preflight::names("--container", &args.container).map_err(usage)?;
    if let Some(sel) = &args.selector {
        preflight::selector(sel).map_err(usage)?;
    }
    let flag_method = method_from_flags(&args).map_err(usage)?;
    let limits = limits(&args).map_err(usage)?;
    if global.all_namespaces {
        return Err(usage("reload works in one namespace: use -n NAMESPACE instead of -A"));
    }
    if let Some(dir) = &args.output_directory {
        std::fs::create_dir_all(dir).map_err(|e| {
            usage(format!("--output-directory {}: cannot create it: {e}", dir.display()))
        })?;
    }
    // Read before connecting: without flags, a broken config.toml stops the command right away.
    let config = reload_defaults::load_config();
    if flag_method.is_none()
        && let Err(e) = &config
    {
        return Err(usage(e.to_string()));
    }

    let session =
        session::open(global).await.map_err(|e| Exit(exit::for_session(&e), e.to_string()))?;
    // No writer, no reload: refuse before a single request about pods is sent.
    let Some(writer) = session.writer.clone() else {
        return Err(Exit(
            exit::REFUSED,
            "this session is read-only: a reload execs or calls into pods; run without --read-only"
                .into(),
        ));
    };
    let client = session.connection.client.clone();
    let namespace = session.connection.default_namespace.clone();

    let found = find_pods(&client, &namespace, &selection).await;
    if found.as_ref().map_or(true, |(pods, _)| pods.is_empty())
        && let Some(why) = preflight::missing_namespace(&client, &namespace).await
    {
        return Err(usage(format!("{why}; nothing was sent")));
    }
    let (pods, sets) = found?;
    if pods.is_empty() {
        return Err(usage("no pods match: nothing to reload"));
    }
    if let Err(e) = &config {
        crate::errln!("okg reload: warning: {e}");
    }
    let (method, default_container) = resolve_method(flag_method, &sets, config)?;
    let mut targets: Vec<ReloadTarget> = pods
        .iter()
        .map(|p| {
            target_for(p, &namespace, &method, args.container.as_deref(), &default_container, &sets)
        })
        .collect();
    reload_plan::order_targets(&mut targets);
    // A container the pods lack would fail in every one of them: refuse before the first exec.
    let mut by_container: BTreeMap<&str, Vec<&Pod>> = BTreeMap::new();
    for (c, name) in targets.iter().filter_map(|t| Some((t.container.as_deref()?, &t.pod))) {
        if let Some(pod) = pods.iter().find(|p| p.metadata.name.as_ref() == Some(name)) {
            by_container.entry(c).or_default().push(pod);
        }
    }
    for (c, pods) in &by_container {
        if let Some(why) = preflight::unknown_container(pods, c) {
            return Err(usage(format!("{why}. Nothing was sent (give --container NAME)")));
        }
    }

    let action = if method.is_exec() { ApiAction::ExecPods } else { ApiAction::ProxyPods };
    match access::can_i(&client, action, Some(&namespace)).await {
        Permission::Allowed => {}
        Permission::Denied(why) => {
            return Err(Exit(
                exit::REFUSED,
                format!("not allowed to {} in {namespace}: {why}", action.describe()),
            ));
        }
        // The API server enforces RBAC anyway; a review we could not make is not a refusal.
        Permission::Unknown(why) => {
            crate::errln!("okg reload: could not check RBAC ({why}); going ahead")
        }
    }

    let plan = ReloadPlan { method, limits };
    crate::errln!("{}", plan_summary(&plan, &targets, &namespace));
    if let Some(w) = swallowed_flag(&args.exec) {
        crate::errln!(
            "okg reload: note: {w:?} is part of the command: --exec takes every word after it, \
             so put okg's own flags before --exec"
        );
    }
    if !args.yes {
        confirm(targets.len())?;
    }

    let user = access::who_am_i(&client).await;
    let audit = AuditContext {
        log: AuditLog::new(
            global.audit_log.clone().unwrap_or_else(crate::paths::default_audit_log),
        ),
        user,
        context: session.connection.context.clone(),
        namespace: namespace.clone(),
    };
    // From here on a signal cancels the run instead of killing the process, so every pod gets
    // its result, the audit log its outcome, and the summary is printed.
    let shutdown = Shutdown::install(|| {});
    let cancel = shutdown.token();
    let announce = shutdown.clone();
    let on_signal = tokio::spawn(async move {
        announce.cancelled().await;
        let name = announce.signal().map_or("cancel", Signal::name);
        crate::errln!("okg reload: {name}: cancelling (running reloads are aborted)…");
    });
    let (tx, rx) = mpsc::channel(1024);
    let raw = args.output_directory.clone().map(RawOutput::new);
    let printer =
        tokio::spawn(print_progress(rx, args.output, crate::commands::print::unicode(), raw));
    let transport = Arc::new(KubeTransport::new(&writer));
    let report = reload::run(transport, plan, targets.into(), tx, cancel, Some(audit)).await;
    let _ = printer.await;
    on_signal.abort();
    if let Some(e) = &report.audit_error {
        crate::errln!("okg reload: warning: {e}");
    }
    if args.output != OutputFormat::Text {
        crate::commands::print::document(
            &Document::new(&report),
            args.output == OutputFormat::Yaml,
        );
    }
    if let Some(d) = session.demo {
        d.shutdown().await;
    }
    Ok(shutdown.exit_code(exit_code(&report.summary)))
}

/// `-o json|yaml`: the report under the versioned header every document has.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    api_version: &'static str,
    kind: &'static str,
    #[serde(flatten)]
    report: &'a reload::ReloadReport,
}

impl<'a> Document<'a> {
    fn new(report: &'a reload::ReloadReport) -> Self {
        Document { api_version: crate::commands::API_VERSION, kind: "ReloadReport", report }
    }
}

pub fn exit_code(summary: &reload_plan::Summary) -> u8 {
    if summary.all_succeeded() { exit::OK } else { exit::PARTIAL }
}

async fn find_pods(
    client: &kube::Client,
    namespace: &str,
    selection: &Selection,
) -> Result<(Vec<Pod>, BTreeMap<String, GameServerSet>), Exit> {
    let pods_api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let sets_api: Api<GameServerSet> = Api::namespaced(client.clone(), namespace);
    let read_err = |what: String, e: kube::Error| match &e {
        kube::Error::Api(s) if s.code == 404 => usage(format!("{what} not found in {namespace}")),
        _ => Exit(
            exit::for_api_error(&e),
            format!("cannot read {what}: {}", crate::cluster::client::describe(&e)),
        ),
    };
    let pods = match selection {
        Selection::Sets(names) => {
            let mut pods = Vec::new();
            for name in names {
                sets_api
                    .get(name)
                    .await
                    .map_err(|e| read_err(format!("GameServerSet {name}"), e))?;
                let lp = ListParams::default().labels(&format!("{}={name}", labels::OWNER_GSS));
                let list =
                    pods_api.list(&lp).await.map_err(|e| read_err(format!("pods of {name}"), e))?;
                pods.extend(list.items);
            }
            pods
        }
        Selection::Selector(sel) => {
            pods_api
                .list(&ListParams::default().labels(sel))
                .await
                .map_err(|e| read_err(format!("pods matching {sel:?}"), e))?
                .items
        }
        Selection::GameServers(names) => {
            let mut pods = Vec::new();
            for name in names {
                // A GameServer's pod has its name.
                pods.push(
                    pods_api.get(name).await.map_err(|e| read_err(format!("pod {name}"), e))?,
                );
            }
            pods
        }
    };
    // The sets the pods belong to: their main container and their reload default.
    let mut sets = BTreeMap::new();
    for owner in pods.iter().filter_map(owner_set) {
        if !sets.contains_key(owner)
            && let Ok(set) = sets_api.get(owner).await
        {
            sets.insert(owner.to_string(), set);
        }
    }
    Ok((pods, sets))
}

fn owner_set(p: &Pod) -> Option<&str> {
    p.metadata.labels.as_ref()?.get(labels::OWNER_GSS).map(String::as_str)
}

/// The flags' method, else the per-set default shared by every set involved
/// (`ops::reload_defaults`; a config.toml that cannot be used gives none). Returns the method
/// and the container the default names (if any).
fn resolve_method(
    flag: Option<ReloadMethod>,
    sets: &BTreeMap<String, GameServerSet>,
    config: Result<Option<ReloadConfig>, ConfigError>,
) -> Result<(ReloadMethod, Option<String>), Exit> {
    if let Some(m) = flag {
        return Ok((m, None));
    }
    let config = config.map_err(|e| usage(e.to_string()))?;
    let how = format!(
        "say how to reload: --exec WORDS… (e.g. --exec nginx -s reload) or --http PORT/PATH, or \
         set a default with the annotation {} on the GameServerSet (e.g. \
         '{{\"exec\":[\"nginx\",\"-s\",\"reload\"]}}') or [reload.SET] in {}",
        annotations::RELOAD,
        reload_defaults::config_path().display()
    );
    match reload_defaults::resolve(config.as_ref(), sets.values()).map_err(usage)? {
        SetsDefault::Missing => Err(usage(how)),
        SetsDefault::Shared(one) => {
            let m = one.method().map_err(usage)?;
            Ok((m, one.container.clone()))
        }
        SetsDefault::Partial { .. } => {
            Err(usage(format!("only some of the sets have a reload default; {how}")))
        }
        SetsDefault::Differ(with) => Err(usage(format!(
            "the sets have different reload defaults ({}): reload them one at a time or give \
             --exec / --http",
            with.join(", ")
        ))),
    }
}

/// The container: --container, else the default's, else the set's main (first template)
/// container, else the pod's first container.
fn target_for(
    pod: &Pod,
    namespace: &str,
    method: &ReloadMethod,
    flag_container: Option<&str>,
    default_container: &Option<String>,
    sets: &BTreeMap<String, GameServerSet>,
) -> ReloadTarget {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let set = owner_set(pod).map(str::to_string);
    let container = method.is_exec().then(|| {
        flag_container
            .map(str::to_string)
            .or_else(|| default_container.clone())
            .or_else(|| {
                let s = sets.get(set.as_deref()?)?;
                s.template_images().first().map(|(c, _)| c.clone())
            })
            .or_else(|| pod.spec.as_ref()?.containers.first().map(|c| c.name.clone()))
    });
    ReloadTarget {
        namespace: pod.metadata.namespace.clone().unwrap_or_else(|| namespace.to_string()),
        pod: name,
        container: container.flatten(),
        set,
    }
}

/// A word of the exec argv that looks like one of `okg reload`'s own flags (the user probably
/// meant it for okg; it is not removed, only pointed out before the confirmation).
fn swallowed_flag(argv: &[String]) -> Option<&str> {
    const FLAGS: [&str; 12] = [
        "--yes",
        "-y",
        "--parallel",
        "--batch",
        "--pause",
        "--max-failures",
        "--timeout",
        "--container",
        "--http",
        "-o",
        "--output",
        "--gameservers",
    ];
    argv.iter().skip(1).map(String::as_str).find(|w| {
        let name = w.split('=').next().unwrap_or(w);
        FLAGS.contains(&name)
    })
}

/// "Reload 12 pods in default · exec app-2048: nginx -s reload · parallel 4 · …"
pub fn plan_summary(plan: &ReloadPlan, targets: &[ReloadTarget], namespace: &str) -> String {
    let mut containers: Vec<&str> = targets.iter().filter_map(|t| t.container.as_deref()).collect();
    containers.sort();
    containers.dedup();
    let method = match (&plan.method, containers.as_slice()) {
        (ReloadMethod::Exec { .. }, [c]) => format!("{} (container {c})", plan.method),
        _ => plan.method.to_string(),
    };
    let mut names: Vec<&str> = targets.iter().take(5).map(|t| t.pod.as_str()).collect();
    if targets.len() > 5 {
        names.push("…");
    }
    format!(
        "Reload {} pod{} in {namespace} · {method} · {}\n  pods: {}",
        targets.len(),
        if targets.len() == 1 { "" } else { "s" },
        plan.limits.describe(),
        names.join(", ")
    )
}

/// Ask on the terminal; refuse when there is none (a script must say --yes).
fn confirm(n: usize) -> Result<(), Exit> {
    if !std::io::stdin().is_terminal() {
        return Err(Exit(
            exit::REFUSED,
            "stdin is not a terminal, so there is no one to confirm: pass --yes; nothing was sent"
                .into(),
        ));
    }
    crate::err!("Reload {n} pods? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Exit(exit::REFUSED, "not confirmed; nothing was sent".into()))
    }
}

async fn print_progress(
    mut rx: mpsc::Receiver<ReloadEvent>,
    format: OutputFormat,
    unicode: bool,
    mut raw: Option<RawOutput>,
) {
    while let Some(event) = rx.recv().await {
        if let (Some(raw), ReloadEvent::Output { pod, stream, line }) = (&mut raw, &event) {
            raw.write(pod, *stream, line);
        }
        if format != OutputFormat::Text {
            continue;
        }
        if let Some(line) = reload::event_line(&event, unicode) {
            crate::outln!("{line}");
        }
    }
}

/// `--output-directory`: the pods' output as received, one file per pod and stream, created
/// owner-only (it may hold whatever a pod prints). A file that cannot be written is said once.
struct RawOutput {
    dir: PathBuf,
    /// By pod and stream (true: stdout).
    files: BTreeMap<(String, bool), std::fs::File>,
    failed: bool,
}

impl RawOutput {
    fn new(dir: PathBuf) -> Self {
        RawOutput { dir, files: BTreeMap::new(), failed: false }
    }

    fn write(&mut self, pod: &str, stream: OutputStream, line: &str) {
        let key = (pod.to_string(), stream == OutputStream::Stdout);
        if !self.files.contains_key(&key) {
            let suffix = if stream == OutputStream::Stdout { "stdout" } else { "stderr" };
            // Pod names are DNS labels; anything else is not used as a file name.
            let name = format!("{pod}.{suffix}");
            if pod.is_empty() || pod.contains(['/', '\\']) || pod.starts_with('.') {
                return;
            }
            match crate::paths::open_private_append(&self.dir.join(&name)) {
                Ok(f) => {
                    self.files.insert(key.clone(), f);
                }
                Err(e) => {
                    if !self.failed {
                        crate::errln!(
                            "okg reload: cannot write {}: {e}",
                            self.dir.join(name).display()
                        );
                        self.failed = true;
                    }
                    return;
                }
            }
        }
        if let Some(f) = self.files.get_mut(&key) {
            let _ = f.write_all(line.as_bytes()).and_then(|()| f.write_all(b"\n"));
        }
    }
}

#[cfg(test)]
mod tests;
