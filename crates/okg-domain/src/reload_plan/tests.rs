use super::*;
use std::time::Duration;

fn ok(d: Duration) -> PodResult {
    PodResult::Succeeded {
        answer: Answer::Exit(0),
        duration: d,
        attempts: 1,
        output: OutputTail::default(),
    }
}
fn failed() -> PodResult {
    PodResult::Failed {
        failure: Failure::Exit(1),
        duration: Duration::ZERO,
        attempts: 1,
        output: OutputTail::default(),
    }
}

#[test]
fn http_spec_parses_port_and_path() {
    assert_eq!(
        ReloadMethod::parse_http("3000/reload").unwrap(),
        ReloadMethod::Http { port: 3000, path: "/reload".into() }
    );
    assert_eq!(
        ReloadMethod::parse_http("8080/admin/reload?x=1").unwrap(),
        ReloadMethod::Http { port: 8080, path: "/admin/reload?x=1".into() }
    );
    assert!(ReloadMethod::parse_http("reload").is_err());
    assert!(ReloadMethod::parse_http("0/reload").is_err());
    assert!(ReloadMethod::parse_http("70000/reload").is_err());
    assert!(ReloadMethod::parse_http("3000/re load").is_err());
}

#[test]
fn exec_needs_a_command_and_displays_argv_boundaries() {
    assert!(ReloadMethod::exec(Vec::<String>::new()).is_err());
    let m = ReloadMethod::exec(["sh", "-c", "nginx -s reload"]).unwrap();
    assert_eq!(m.to_string(), "exec sh -c \"nginx -s reload\"");
}

#[test]
fn targets_are_ordered_by_set_then_numeric_ordinal() {
    let mut ts: Vec<ReloadTarget> = ["gss-b-0", "gss-a-10", "gss-a-2", "gss-a-1"]
        .iter()
        .map(|p| {
            let mut t = ReloadTarget::new("ns", *p);
            t.set = Some(p.rsplit_once('-').unwrap().0.to_string());
            t
        })
        .collect();
    order_targets(&mut ts);
    let names: Vec<&str> = ts.iter().map(|t| t.pod.as_str()).collect();
    assert_eq!(names, ["gss-a-1", "gss-a-2", "gss-a-10", "gss-b-0"]);
}

#[test]
fn limits_validation_names_the_flag() {
    assert!(Limits::default().validate().is_ok());
    let e = Limits { parallel: 0, ..Default::default() }.validate().unwrap_err();
    assert!(e.contains("--parallel"));
    assert!(Limits { batch: Some(0), ..Default::default() }.validate().is_err());
    assert!(Limits { max_failures: Some(0), ..Default::default() }.validate().is_err());
}

#[test]
fn only_api_errors_before_the_command_ran_are_retried() {
    assert_eq!(classify(&Attempt::Exited(0)), AttemptVerdict::Success(Answer::Exit(0)));
    assert_eq!(classify(&Attempt::Exited(1)), AttemptVerdict::Fail(Failure::Exit(1)));
    assert_eq!(classify(&Attempt::Exited(127)), AttemptVerdict::Fail(Failure::Exit(127)));
    assert_eq!(classify(&Attempt::Answered(204)), AttemptVerdict::Success(Answer::HttpStatus(204)));
    // The app answered 500 or 503: it ran, so no retry.
    assert_eq!(classify(&Attempt::Answered(500)), AttemptVerdict::Fail(Failure::HttpStatus(500)));
    assert_eq!(classify(&Attempt::Answered(503)), AttemptVerdict::Fail(Failure::HttpStatus(503)));
    for s in [429, 500, 503, 504] {
        let a = Attempt::Refused { status: s, message: "busy".into() };
        assert!(matches!(classify(&a), AttemptVerdict::Retry(_)), "{s}");
    }
    for s in [400, 401, 403, 404, 409, 422, 501, 502] {
        let a = Attempt::Refused { status: s, message: "no".into() };
        assert!(matches!(classify(&a), AttemptVerdict::Fail(Failure::Error(_))), "{s}");
    }
    assert!(matches!(classify(&Attempt::NotConnected("reset".into())), AttemptVerdict::Retry(_)));
    assert!(matches!(
        classify(&Attempt::Lost("eof".into())),
        AttemptVerdict::Fail(Failure::Error(_))
    ));
}

#[test]
fn backoff_doubles_and_is_capped() {
    assert_eq!(backoff(1), Duration::from_millis(250));
    assert_eq!(backoff(2), Duration::from_millis(500));
    assert_eq!(backoff(3), Duration::from_millis(1000));
    assert_eq!(backoff(10), Duration::from_secs(4));
    assert_eq!(backoff(u32::MAX), Duration::from_secs(4));
}

/// Drive the scheduler with `n` targets where `fails(i)` says whether target i fails, finishing
/// pods in start order. Returns (started, stop reason, max running seen, batch boundaries).
fn simulate(
    limits: Limits,
    n: usize,
    fails: impl Fn(usize) -> bool,
) -> (usize, Option<StopReason>, usize, usize) {
    let mut s = Scheduler::new(limits);
    let mut next_target = 0;
    let mut running: std::collections::VecDeque<usize> = Default::default();
    let mut peak = 0;
    let mut boundaries = 0;
    let mut started = 0;
    loop {
        match s.next(next_target < n, true) {
            Next::Start => {
                s.started();
                started += 1;
                running.push_back(next_target);
                next_target += 1;
                peak = peak.max(s.running());
            }
            Next::Wait => {
                let i = running.pop_front().expect("waiting with nothing running");
                s.finished(&if fails(i) { failed() } else { ok(Duration::ZERO) });
            }
            Next::BatchDone { .. } => {
                boundaries += 1;
                s.next_batch();
            }
            Next::Stop(_) => {
                // Let running ones finish; the rest are skipped.
                match running.pop_front() {
                    Some(i) => s.finished(&if fails(i) { failed() } else { ok(Duration::ZERO) }),
                    None => next_target = n,
                }
            }
            Next::Done => return (started, s.stopped().cloned(), peak, boundaries),
        }
    }
}

#[test]
fn parallelism_is_never_exceeded() {
    let (_, stop, peak, _) = simulate(Limits { parallel: 4, ..Default::default() }, 50, |_| false);
    assert_eq!(stop, None);
    assert_eq!(peak, 4);
}

#[test]
fn batches_bound_parallelism_and_count_boundaries() {
    let limits = Limits { parallel: 10, batch: Some(3), ..Default::default() };
    let (_, stop, peak, boundaries) = simulate(limits, 10, |_| false);
    assert_eq!(stop, None);
    assert_eq!(peak, 3);
    // 3 + 3 + 3 full batches end at a boundary; the last partial batch ends with Done.
    assert_eq!(boundaries, 3);
}

#[test]
fn a_failed_canary_stops_the_run() {
    let limits = Limits { parallel: 10, batch: Some(3), ..Default::default() };
    let mut s = Scheduler::new(limits);
    for _ in 0..3 {
        assert_eq!(s.next(true, true), Next::Start);
        s.started();
    }
    assert_eq!(s.next(true, true), Next::Wait, "batch full");
    s.finished(&ok(Duration::ZERO));
    s.finished(&failed());
    s.finished(&ok(Duration::ZERO));
    assert!(s.canary_failed_now());
    assert_eq!(s.next(true, true), Next::BatchDone { index: 0 });
    s.next_batch();
    let stop = StopReason::CanaryFailed { failed: 1, of: 3 };
    assert_eq!(s.next(true, true), Next::Stop(stop.clone()));
    assert_eq!(stop.skip_reason(), "canary batch failed (1 of 3)");
    assert_eq!(s.next(false, true), Next::Done);
}

#[test]
fn failures_after_the_canary_do_not_stop_without_a_threshold() {
    let limits = Limits { parallel: 2, batch: Some(2), ..Default::default() };
    let (started, stop, _, _) = simulate(limits, 10, |i| i >= 2 && i % 2 == 0);
    assert_eq!(stop, None);
    assert_eq!(started, 10);
}

#[test]
fn the_threshold_stops_new_starts() {
    let limits = Limits { parallel: 1, max_failures: Some(2), ..Default::default() };
    // Pods 1 and 3 fail: after pod 3 nothing more starts.
    let (started, stop, _, _) = simulate(limits, 10, |i| i == 1 || i == 3);
    assert_eq!(stop, Some(StopReason::Threshold { failures: 2 }));
    assert_eq!(started, 4);
}

#[test]
fn running_pods_finish_after_a_stop_and_done_waits_for_them() {
    let limits = Limits { parallel: 3, max_failures: Some(1), ..Default::default() };
    let mut s = Scheduler::new(limits);
    for _ in 0..3 {
        s.started();
    }
    s.finished(&failed());
    assert!(matches!(s.next(true, true), Next::Stop(_)));
    s.finished(&ok(Duration::ZERO));
    s.finished(&ok(Duration::ZERO));
    assert!(matches!(s.next(true, true), Next::Stop(_)), "pending targets must still be skipped");
    assert_eq!(s.next(false, true), Next::Done);
    assert_eq!(s.failures(), 1);
}

#[test]
fn incremental_input_waits_until_closed() {
    let mut s = Scheduler::new(Limits::default());
    assert_eq!(s.next(false, false), Next::Wait);
    assert_eq!(s.next(true, false), Next::Start);
    s.started();
    s.finished(&ok(Duration::ZERO));
    assert_eq!(s.next(false, false), Next::Wait);
    assert_eq!(s.next(false, true), Next::Done);
}

#[test]
fn cancel_stops_everything() {
    let mut s = Scheduler::new(Limits::default());
    s.started();
    s.cancel();
    assert_eq!(s.next(true, false), Next::Stop(StopReason::Cancelled));
    s.finished(&PodResult::Cancelled { duration: Duration::ZERO, output: OutputTail::default() });
    assert_eq!(s.next(false, true), Next::Done);
    assert_eq!(s.failures(), 0, "a cancelled pod is not a failure");
}

#[test]
fn summary_counts_every_kind() {
    let rs = vec![
        ok(Duration::ZERO),
        failed(),
        PodResult::Skipped { reason: "x".into() },
        PodResult::Cancelled { duration: Duration::ZERO, output: OutputTail::default() },
        ok(Duration::ZERO),
    ];
    let s = Summary::of(&rs);
    assert_eq!((s.total, s.succeeded, s.failed, s.skipped, s.cancelled), (5, 2, 1, 1, 1));
    assert!(!s.all_succeeded());
    assert!(Summary::of(&rs[..1]).all_succeeded());
}

#[test]
fn annotation_defaults_parse_and_reject_nonsense() {
    let d = ReloadDefault::from_annotation(
        r#"{"exec":["nginx","-s","reload"],"container":"app-2048"}"#,
    )
    .unwrap();
    assert_eq!(d.method().unwrap(), ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap());
    assert_eq!(d.container.as_deref(), Some("app-2048"));
    let h = ReloadDefault::from_annotation(r#"{"http":"3000/reload"}"#).unwrap();
    assert_eq!(h.method().unwrap(), ReloadMethod::Http { port: 3000, path: "/reload".into() });
    assert!(ReloadDefault::from_annotation(r#"{"exec":["a"],"http":"3000/x"}"#).is_err());
    assert!(ReloadDefault::from_annotation(r#"{}"#).is_err());
    assert!(ReloadDefault::from_annotation(r#"{"exce":["a"]}"#).is_err(), "typos are errors");
    assert!(ReloadDefault::from_annotation("nginx -s reload").is_err());
}

#[test]
fn config_file_wins_over_the_annotation() {
    let config = ReloadConfig::parse(
        r#"
        [reload.gss-2048]
        exec = ["nginx", "-s", "reload"]
        container = "app-2048"

        [reload.gss-battle]
        http = "3000/reload"
        "#,
    )
    .unwrap();
    let annotation = r#"{"http":"9000/other"}"#;
    let d = default_for_set(Some(&config), Some(annotation), "gss-2048").unwrap().unwrap();
    assert!(d.method().unwrap().is_exec());
    let d = default_for_set(Some(&config), Some(annotation), "gss-other").unwrap().unwrap();
    assert_eq!(d.method().unwrap(), ReloadMethod::Http { port: 9000, path: "/other".into() });
    assert_eq!(default_for_set(Some(&config), None, "gss-other").unwrap(), None);
    assert!(default_for_set(None, Some("{bad"), "gss-x").unwrap_err().contains("gss-x"));
    assert!(ReloadConfig::parse("[reload.x]\ncontainer = \"a\"\n").is_err());
}
