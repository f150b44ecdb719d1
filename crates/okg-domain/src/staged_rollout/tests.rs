use super::*;

#[test]
fn stages_parse_and_resolve_against_the_servers_that_may_update() {
    let s = parse_stages("1, 10%,50%,100%").unwrap();
    assert_eq!(
        s,
        [
            StageSize::Count(1),
            StageSize::Percent(10),
            StageSize::Percent(50),
            StageSize::Percent(100)
        ]
    );
    // 10% of 19 rounds up to 2; 50% to 10.
    assert_eq!(resolve_stages(&s, 19).unwrap(), [1, 2, 10, 19]);
    for bad in ["", "0", "x", "10%%", "0%", "101%", "-1"] {
        assert!(parse_stages(bad).is_err(), "{bad:?} parsed");
    }
    let err = resolve_stages(&parse_stages("1,50%").unwrap(), 20).unwrap_err();
    assert!(err.contains("last stage must be 100%"), "{err}");
    // 10% of 5 is 1, no more than the first stage.
    let err = resolve_stages(&parse_stages("1,10%,100%").unwrap(), 5).unwrap_err();
    assert!(err.contains("does not grow"), "{err}");
    let err = resolve_stages(&parse_stages("30,100%").unwrap(), 20).unwrap_err();
    assert!(err.contains("more than the 20"), "{err}");
    assert_eq!(resolve_stages(&parse_stages("3,20").unwrap(), 20).unwrap(), [3, 20]);
}

fn run(limit: u32, auto: bool) -> RolloutRecord {
    RolloutRecord {
        container: "sidecar".into(),
        from: "a:1".into(),
        to: "a:2".into(),
        stages: vec!["1".into(), "50%".into(), "100%".into()],
        counts: vec![1, 10, 19],
        include_allocated: false,
        stage: 0,
        state: RolloutState::Running,
        failure_limit: limit,
        failures: 0,
        soak_seconds: 0,
        auto_rollback: auto,
        stage_started: String::new(),
        stage_priority: None,
        results: vec![],
        reload: None,
        message: None,
        by: "me".into(),
    }
}

#[test]
fn after_each_stage_the_run_goes_on_finishes_or_stops_past_its_limit() {
    let mut r = run(1, false);
    let ok = StageResult { updated: 1, in_place: 1, reloaded: 1, ..Default::default() };
    assert_eq!(after_stage(&mut r, ok.clone(), false), Next::Stage(1));
    r.stage = 1;
    // One failed reload is within a limit of 1.
    let one = StageResult {
        updated: 9,
        in_place: 9,
        reloaded: 8,
        reload_failed: 1,
        ..Default::default()
    };
    assert_eq!(after_stage(&mut r, one.clone(), false), Next::Stage(2));
    r.stage = 2;
    assert_eq!(after_stage(&mut r, ok.clone(), false), Next::Finish);
    assert_eq!(r.results.len(), 3);
    // Past the limit: stop, or roll back when asked to.
    let mut r = run(1, false);
    r.stage = 1;
    let two = StageResult { reload_failed: 2, ..Default::default() };
    assert!(matches!(after_stage(&mut r, two.clone(), false), Next::Stop { .. }));
    let mut r = run(1, true);
    assert!(matches!(after_stage(&mut r, two, false), Next::RollBack { .. }));
    // A re-created pod is a failure unless re-creation was allowed.
    let recreated = StageResult { re_created: 1, ..Default::default() };
    assert!(matches!(after_stage(&mut run(0, false), recreated.clone(), false), Next::Stop { .. }));
    assert_eq!(after_stage(&mut run(0, false), recreated, true), Next::Stage(1));
    // A stage judged again after a restart replaces its result, never adds a second one.
    let mut r = run(5, false);
    after_stage(&mut r, ok.clone(), false);
    after_stage(&mut r, ok, false);
    assert_eq!(r.results.len(), 1);
}

#[test]
fn the_summary_says_stage_state_progress_and_failures() {
    let mut r = run(1, false);
    assert_eq!(r.summary(), "grey 1/3 running");
    r.failures = 1;
    r.state = RolloutState::Failed;
    assert_eq!(r.summary(), "grey 1/3 failed · failures 1/1");
    assert_eq!(r.stage_text(), "stage 1/3 (1 = 1 server(s))");
}

fn pod(created: &str, image: &str, ready: bool, restarts: i32) -> k8s_openapi::api::core::v1::Pod {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": "gss-1", "uid": "u1", "creationTimestamp": created},
        "spec": {"containers": [{"name": "sidecar", "image": image}]},
        "status": {
            "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
            "containerStatuses": [{"name": "sidecar", "image": image, "imageID": "", "ready": ready,
                                   "restartCount": restarts}]
        }
    }))
    .unwrap()
}

#[test]
fn after_a_restart_a_stage_pod_is_judged_by_its_age_image_and_readiness() {
    use crate::rollout::Verdict;
    let started = "2026-12-03T12:00:00Z";
    let judge = |p: &k8s_openapi::api::core::v1::Pod, late| {
        judge_after_restart(Some(p), started, "sidecar", "a:2", late)
    };
    assert_eq!(judge(&pod("2026-12-03T11:00:00Z", "a:2", true, 1), false), Verdict::InPlace);
    assert_eq!(judge(&pod("2026-12-03T12:00:05Z", "a:2", true, 0), false), Verdict::ReCreated);
    assert_eq!(judge(&pod("2026-12-03T11:00:00Z", "a:2", false, 1), false), Verdict::Updating);
    assert!(matches!(
        judge(&pod("2026-12-03T11:00:00Z", "a:1", true, 0), false),
        Verdict::Waiting(_)
    ));
    assert!(matches!(
        judge(&pod("2026-12-03T11:00:00Z", "a:2", false, 1), true),
        Verdict::Failed(_)
    ));
    assert!(matches!(
        judge_after_restart(None, started, "sidecar", "a:2", false),
        Verdict::Failed(_)
    ));
}

#[test]
fn the_soak_catches_a_pod_that_restarts_again_or_stops_being_ready() {
    use crate::rollout::Baseline;
    let at_start = pod("2026-12-03T11:00:00Z", "a:2", true, 1);
    let before = [Baseline::from_pod(&at_start).unwrap()];
    assert!(soak_breaks(&before, std::slice::from_ref(&at_start)).is_empty());
    let again = pod("2026-12-03T11:00:00Z", "a:2", true, 2);
    assert_eq!(soak_breaks(&before, &[again])[0].1, "restarted again: sidecar");
    let down = pod("2026-12-03T11:00:00Z", "a:2", false, 1);
    assert_eq!(soak_breaks(&before, &[down])[0].1, "not Ready");
    assert_eq!(soak_breaks(&before, &[])[0].1, "gone");
}

#[test]
fn the_reload_keeps_its_limits_through_the_record() {
    use crate::reload_plan::Limits;
    let limits = Limits {
        parallel: 2,
        batch: Some(3),
        max_failures: Some(1),
        timeout: std::time::Duration::from_secs(5),
        ..Limits::default()
    };
    let spec = ReloadSpec { exec: vec!["/reload.sh".into()], ..ReloadSpec::default() };
    let spec = spec.with_limits(&limits);
    let json = serde_json::to_value(&spec).unwrap();
    assert_eq!(json["parallel"], 2);
    assert_eq!(json["timeoutMs"], 5000);
    assert!(json.get("pauseMs").is_none(), "a default is not written: {json}");
    let back: ReloadSpec = serde_json::from_value(json).unwrap();
    assert_eq!(back.limits(), limits);
    // A record written before the limits were recorded reloads with the defaults.
    let old: ReloadSpec = serde_json::from_str(r#"{"exec":["/reload.sh"]}"#).unwrap();
    assert_eq!(old.limits(), Limits::default());
}
