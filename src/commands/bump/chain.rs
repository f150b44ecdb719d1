//! `okg bump --wait --reload-exec …` / `--reload-http …`: the bump's follow chained with a reload
//! of each pod once it is IN PLACE (`ops::chain`). Flags, the access check, progress lines and
//! the exit code; the bump itself stays in `commands::bump`.
use kube::api::Api;

use crate::cli::ReloadChainArgs;
use crate::commands::exit;
use crate::ops::chain::ChainReport;
pub use crate::ops::chain::{ReloadRequest, check_access, run};
use okg_domain::reload_plan::{Limits, ReloadMethod};
use okg_domain::types::GameServerSet;

/// The chained reload from the flags, `None` without --reload-exec / --reload-http. `follows`:
/// the command waits for the pods (a reload is chained to the verdicts, so without them it
/// could never run).
pub fn request(args: &ReloadChainArgs, follows: bool) -> Result<Option<ReloadRequest>, String> {
    let method = match (&args.reload_exec[..], &args.reload_http) {
        ([], None) => {
            if args.reload_container.is_some() {
                return Err("--reload-container needs --reload-exec".into());
            }
            return Ok(None);
        }
        ([], Some(h)) => {
            if args.reload_container.is_some() {
                return Err("--reload-container applies to --reload-exec only".into());
            }
            ReloadMethod::parse_http(h)?
        }
        (words, _) => ReloadMethod::exec(words.to_vec())?,
    };
    if !follows {
        return Err("--reload-exec and --reload-http need --wait".into());
    }
    let limits = Limits {
        parallel: args.reload_parallel,
        batch: args.reload_batch,
        pause: args.reload_pause.unwrap_or_default(),
        max_failures: args.reload_max_failures,
        timeout: args.reload_timeout,
        ..Limits::default()
    };
    limits.validate()?;
    if args.reload_pause.is_some() && args.reload_batch.is_none() {
        return Err("--reload-pause needs --reload-batch".into());
    }
    Ok(Some(ReloadRequest { method, container: args.reload_container.clone(), limits }))
}

/// Refuse a `--reload-container` the set's template does not have: it would fail in every pod,
/// after the bump had already been sent. Checked against the template because every pod the
/// bump updates is made from it. A set that cannot be read is left to the plan to report.
pub async fn check_container(
    client: &kube::Client,
    namespace: &str,
    set: &str,
    request: &ReloadRequest,
) -> Result<(), String> {
    let Some(container) = &request.container else { return Ok(()) };
    let Ok(gss) = Api::<GameServerSet>::namespaced(client.clone(), namespace).get(set).await else {
        return Ok(());
    };
    let mut names: Vec<String> = gss.template_images().into_iter().map(|(n, _)| n).collect();
    if names.iter().any(|n| n == container) {
        return Ok(());
    }
    names.sort();
    Err(format!(
        "--reload-container {container:?}: the template of {set} has no such container; its \
         containers are: {}",
        names.join(", ")
    ))
}

/// The bump's code, except that a bump with every pod in place whose reload did not fully
/// succeed (failed, skipped, cancelled) is 2.
pub fn exit_code(bump_code: u8, report: &ChainReport) -> u8 {
    if bump_code == exit::OK && !report.all_reloaded() { exit::PARTIAL } else { bump_code }
}

pub fn print_report(json: bool, report: &ChainReport) {
    let say = |line: String| if json { crate::errln!("{line}") } else { crate::outln!("{line}") };
    say(format!("Reload: {}", report.reload.summary));
    for (pod, why) in &report.not_reloaded {
        say(format!("  {pod:<20} not reloaded: {why}"));
    }
    if let Some(e) = &report.reload.audit_error {
        say(format!("okg bump: warning: {e}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(words: &[&str]) -> ReloadChainArgs {
        let mut argv = vec!["okg", "bump", "gss", "--container", "sidecar", "--image", "r:v2"];
        argv.extend_from_slice(words);
        match crate::cli::Cli::try_parse_from(argv).unwrap().command {
            Some(crate::cli::Command::Bump(a)) => a.reload,
            _ => unreachable!(),
        }
    }

    #[test]
    fn flags_make_the_request() {
        let request = |a: &ReloadChainArgs| super::request(a, true);
        assert!(request(&args(&[])).unwrap().is_none());
        let r = request(&args(&[
            "--wait",
            "--reload-parallel",
            "3",
            "--reload-exec",
            "nginx",
            "-s",
            "reload",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(r.method, ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap());
        assert_eq!(r.limits.parallel, 3);
        let r = request(&args(&["--wait", "--reload-http", "3000/reload"])).unwrap().unwrap();
        assert!(matches!(r.method, ReloadMethod::Http { port: 3000, .. }));
        assert!(request(&args(&["--wait", "--reload-http", "x"])).is_err());
        assert!(request(&args(&["--reload-container", "app"])).is_err());
        assert!(request(&args(&["--wait", "--reload-pause", "1s", "--reload-exec", "x"])).is_err());
        let without_wait = super::request(&args(&["--reload-exec", "nginx"]), false);
        assert!(without_wait.unwrap_err().contains("need --wait"));
    }
}
