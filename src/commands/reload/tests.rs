//! `okg reload`'s pure parts: flags, the selection, per-set defaults, rendered lines and exit codes.
use super::*;
use crate::ops::reload::event_line as render;
use clap::Parser;
use okg_domain::reload_plan::{Answer, Failure, OutputTail, PodResult, Summary};
use std::time::Duration;

fn args(words: &[&str]) -> ReloadArgs {
    let mut argv = vec!["okg", "reload"];
    argv.extend_from_slice(words);
    match crate::cli::Cli::try_parse_from(argv).unwrap().command {
        Some(crate::cli::Command::Reload(a)) => a,
        _ => unreachable!(),
    }
}

#[test]
fn exactly_one_way_to_choose_pods() {
    assert!(matches!(selection(&args(&["gss-2048"])), Ok(Selection::Sets(_))));
    assert!(matches!(selection(&args(&["-l", "a=b"])), Ok(Selection::Selector(_))));
    assert!(
        matches!(selection(&args(&["--gameservers", "a,b"])), Ok(Selection::GameServers(g)) if g.len() == 2)
    );
    assert!(selection(&args(&[])).is_err());
    assert!(selection(&args(&["gss", "-l", "a=b"])).is_err());
}

#[test]
fn flags_name_the_method() {
    let a = args(&["gss", "--exec", "nginx", "-s", "reload"]);
    assert_eq!(
        method_from_flags(&a).unwrap(),
        Some(ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap())
    );
    let a = args(&["gss", "--http", "3000/reload"]);
    assert!(matches!(method_from_flags(&a).unwrap(), Some(ReloadMethod::Http { port: 3000, .. })));
    assert_eq!(method_from_flags(&args(&["gss"])).unwrap(), None);
    assert!(method_from_flags(&args(&["gss", "--http", "3000/r", "--container", "x"])).is_err());
    assert!(limits(&args(&["gss", "--parallel", "0"])).is_err());
    assert!(limits(&args(&["gss", "--pause", "1s"])).is_err());
    let l =
        limits(&args(&["gss", "--batch", "4", "--pause", "5s", "--max-failures", "2"])).unwrap();
    assert_eq!((l.batch, l.pause, l.max_failures), (Some(4), Duration::from_secs(5), Some(2)));
}

fn set(name: &str, annotation: Option<&str>) -> GameServerSet {
    let mut s = GameServerSet::new(name, Default::default());
    if let Some(a) = annotation {
        s.metadata.annotations = Some([(annotations::RELOAD.to_string(), a.to_string())].into());
    }
    s
}

#[test]
fn per_set_defaults_are_used_only_when_unambiguous() {
    let exec = r#"{"exec":["nginx","-s","reload"],"container":"app"}"#;
    let one: BTreeMap<_, _> = [("a".to_string(), set("a", Some(exec)))].into();
    let (m, c) = resolve_method(None, &one, Ok(None)).ok().unwrap();
    assert!(m.is_exec());
    assert_eq!(c.as_deref(), Some("app"));
    let none: BTreeMap<_, _> = [("a".to_string(), set("a", None))].into();
    let Err(Exit(code, msg)) = resolve_method(None, &none, Ok(None)) else { panic!() };
    assert_eq!(code, exit::USAGE);
    assert!(msg.contains("--exec") && msg.contains(annotations::RELOAD), "{msg}");
    let two: BTreeMap<_, _> = [
        ("a".to_string(), set("a", Some(exec))),
        ("b".to_string(), set("b", Some(r#"{"http":"3000/reload"}"#))),
    ]
    .into();
    assert!(resolve_method(None, &two, Ok(None)).is_err());
    let flag = ReloadMethod::parse_http("3000/x").unwrap();
    assert_eq!(resolve_method(Some(flag.clone()), &two, Ok(None)).ok().unwrap().0, flag);
}

#[test]
fn a_broken_config_file_gives_no_default_but_flags_still_work() {
    let exec = r#"{"exec":["nginx","-s","reload"]}"#;
    let one: BTreeMap<_, _> = [("a".to_string(), set("a", Some(exec)))].into();
    let broken = || ConfigError::Unreadable {
        path: "/home/u/.config/okg-console/config.toml".into(),
        error: "Is a directory (os error 21)".into(),
    };
    let Err(Exit(code, msg)) = resolve_method(None, &one, Err(broken())) else {
        panic!("the annotation must not stand in for the file's default")
    };
    assert_eq!(code, exit::USAGE);
    assert_eq!(msg, broken().to_string());
    let flag = ReloadMethod::parse_http("3000/x").unwrap();
    assert_eq!(resolve_method(Some(flag.clone()), &one, Err(broken())).ok().unwrap().0, flag);
}

#[test]
fn text_output_prefixes_lines_with_the_pod() {
    let out = ReloadEvent::Output {
        pod: "gss-2048-3".into(),
        stream: OutputStream::Stdout,
        line: "reloaded".into(),
    };
    assert_eq!(render(&out, true).unwrap(), "gss-2048-3 | reloaded");
    let err = ReloadEvent::Output {
        pod: "gss-2048-7".into(),
        stream: OutputStream::Stderr,
        line: "reload failed: x".into(),
    };
    assert_eq!(render(&err, true).unwrap(), "gss-2048-7 ! reload failed: x");
    let fin = ReloadEvent::Finished {
        pod: "gss-2048-7".into(),
        result: PodResult::Failed {
            failure: Failure::Exit(1),
            duration: Duration::from_millis(300),
            attempts: 1,
            output: OutputTail::default(),
        },
    };
    assert_eq!(render(&fin, false).unwrap(), "gss-2048-7 = FAIL exit 1 (0.30s)");
    let ok = ReloadEvent::Finished {
        pod: "p".into(),
        result: PodResult::Succeeded {
            answer: Answer::Exit(0),
            duration: Duration::from_millis(210),
            attempts: 2,
            output: OutputTail::default(),
        },
    };
    assert_eq!(render(&ok, true).unwrap(), "p = ✓ exit 0 (0.21s), 2 attempts");
}

#[test]
fn okg_flags_inside_the_exec_argv_are_pointed_out() {
    let a = args(&["gss", "--exec", "nginx", "-s", "reload", "--parallel", "2"]);
    assert_eq!(a.exec.len(), 5, "clap gives every word after --exec to the argv");
    assert_eq!(swallowed_flag(&a.exec), Some("--parallel"));
    let a = args(&["gss", "--yes", "--exec", "nginx", "-s", "reload"]);
    assert!(a.yes);
    assert_eq!(swallowed_flag(&a.exec), None);
}

#[test]
fn exit_code_is_zero_only_when_all_succeeded() {
    let all = Summary { total: 3, succeeded: 3, ..Default::default() };
    assert_eq!(exit_code(&all), exit::OK);
    let skipped = Summary { total: 3, succeeded: 2, skipped: 1, ..Default::default() };
    assert_eq!(exit_code(&skipped), exit::PARTIAL);
    let cancelled = Summary { total: 1, cancelled: 1, ..Default::default() };
    assert_eq!(exit_code(&cancelled), exit::PARTIAL);
}
