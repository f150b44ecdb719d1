//! FAILING and its threshold: `verdict` on one look, `RetryClock` across polls.
use std::time::Duration;

use super::tests::{C, NEW, gs, pod, set_image, status_mut, updated_in_place, v, waiting};
use super::*;

const PULL: &str = "rpc error: code = NotFound desc = failed to pull and unpack image \"okg/sidecar:v2.0\": not found";

/// The pod with its sidecar patched to the target image and the kubelet waiting with `reason`.
fn failing_pod(reason: &str, message: &str) -> Pod {
    let mut p = pod("p");
    set_image(&mut p, NEW);
    let s = status_mut(&mut p, C);
    s.state = Some(waiting(reason, message));
    s.ready = false;
    p
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// One poll: the verdict of `p` settled by `clock` at `at` seconds.
fn poll(clock: &mut RetryClock, b: &Baseline, p: &Pod, g: &str, at: u64) -> Verdict {
    clock.settle("p", v(b, Some(p), Some(&gs(g)), &Context::default()), secs(at))
}

fn retrying(v: &Verdict) -> &Retrying {
    match v {
        Verdict::Failing(r) => r,
        other => panic!("not FAILING: {other:?}"),
    }
}

#[test]
fn a_pull_error_or_crash_loop_is_failing_at_first_sight() {
    let b = Baseline::from_pod(&pod("p")).unwrap();
    for (reason, msg) in [
        ("ErrImagePull", PULL),
        ("ImagePullBackOff", "Back-off pulling image \"okg/sidecar:v2.0\""),
        ("CrashLoopBackOff", "back-off 10s restarting failed container"),
    ] {
        let p = failing_pod(reason, msg);
        let got = v(&b, Some(&p), Some(&gs("Updating")), &Context::default());
        let r = retrying(&got);
        assert_eq!(r.waiting, reason);
        match &r.failure {
            FailReason::ImagePull(m) if reason != "CrashLoopBackOff" => {
                assert!(m.contains(msg) && m.contains(reason), "{m}")
            }
            FailReason::CrashLoop(m) if reason == "CrashLoopBackOff" => {
                assert!(m.contains(msg), "{m}")
            }
            other => panic!("{reason}: {other:?}"),
        }
        assert!(!got.is_final(), "the kubelet retries: not final");
        // At the follow's timeout it is a failure like any unfinished pod.
        let timed_out = Context { timed_out: true, ..Default::default() };
        assert!(matches!(v(&b, Some(&p), Some(&gs("Updating")), &timed_out), Verdict::Failed(_)));
    }
}

#[test]
fn a_bad_reference_is_failed_at_once() {
    let b = Baseline::from_pod(&pod("p")).unwrap();
    let p = failing_pod("InvalidImageName", "couldn't parse image name");
    assert!(matches!(
        v(&b, Some(&p), Some(&gs("Updating")), &Context::default()),
        Verdict::Failed(FailReason::ImagePull(_))
    ));
}

#[test]
fn failing_turns_failed_only_after_the_threshold() {
    let b = Baseline::from_pod(&pod("p")).unwrap();
    let mut clock = RetryClock::new(secs(60));
    let pull = failing_pod("ErrImagePull", PULL);
    let back_off = failing_pod("ImagePullBackOff", "Back-off pulling image \"okg/sidecar:v2.0\"");

    let first = poll(&mut clock, &b, &pull, "Updating", 5);
    assert_eq!((retrying(&first).for_secs, retrying(&first).attempts), (0, 1));
    assert_eq!(retrying(&first).fail_after_secs, 60);
    // The back-off after the error is the same attempt; the kubelet's next pull a new one.
    let r = poll(&mut clock, &b, &back_off, "Updating", 20);
    assert_eq!((retrying(&r).for_secs, retrying(&r).attempts), (15, 1));
    let r = poll(&mut clock, &b, &pull, "Updating", 40);
    assert_eq!((retrying(&r).for_secs, retrying(&r).attempts), (35, 2));
    assert!(r.to_string().starts_with(
        "FAILING (retrying: ErrImagePull for 35s, 2 failed attempts seen, FAILED at 60s; image pull failed: ErrImagePull: rpc error"
    ), "{r}");
    let r = poll(&mut clock, &b, &back_off, "Updating", 64);
    assert!(matches!(r, Verdict::Failing(_)), "59s is inside the threshold: {r:?}");
    let r = poll(&mut clock, &b, &back_off, "Updating", 65);
    assert!(
        matches!(r, Verdict::Failed(FailReason::ImagePull(ref m)) if m.contains("Back-off pulling")),
        "{r:?}"
    );
}

#[test]
fn a_pod_that_recovers_within_the_threshold_ends_in_place() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let mut clock = RetryClock::new(secs(60));
    assert!(matches!(
        poll(&mut clock, &b, &failing_pod("ErrImagePull", PULL), "Updating", 0),
        Verdict::Failing(_)
    ));
    let back_off = failing_pod("ImagePullBackOff", "Back-off pulling image \"okg/sidecar:v2.0\"");
    assert!(matches!(poll(&mut clock, &b, &back_off, "Updating", 30), Verdict::Failing(_)));
    // The registry answers on the next try: a new container on the new image.
    assert_eq!(poll(&mut clock, &b, &updated_in_place(&p), "Ready", 45), Verdict::InPlace);
}

#[test]
fn a_crash_loop_keeps_its_clock_while_the_container_runs_between_crashes() {
    let p = pod("p");
    let b = Baseline::from_pod(&p).unwrap();
    let mut clock = RetryClock::new(secs(60));
    let crash = failing_pod("CrashLoopBackOff", "back-off 10s restarting failed container");
    assert_eq!(retrying(&poll(&mut clock, &b, &crash, "NotReady", 0)).attempts, 1);
    // Restarted and running for a moment: not ready, so UPDATING, and the clock goes on.
    let mut up = updated_in_place(&p);
    status_mut(&mut up, C).ready = false;
    assert_eq!(poll(&mut clock, &b, &up, "NotReady", 12), Verdict::Updating);
    let again = poll(&mut clock, &b, &crash, "NotReady", 30);
    assert_eq!((retrying(&again).for_secs, retrying(&again).attempts), (30, 2));
    assert!(matches!(
        poll(&mut clock, &b, &crash, "NotReady", 60),
        Verdict::Failed(FailReason::CrashLoop(_))
    ));
}

#[test]
fn a_zero_threshold_fails_at_first_sight() {
    let b = Baseline::from_pod(&pod("p")).unwrap();
    let mut clock = RetryClock::new(Duration::ZERO);
    assert!(matches!(
        poll(&mut clock, &b, &failing_pod("ErrImagePull", PULL), "Updating", 3),
        Verdict::Failed(_)
    ));
}

#[test]
fn only_the_clock_of_a_failing_verdict_is_not_news() {
    let at = |for_secs, attempts| {
        Verdict::Failing(Retrying {
            for_secs,
            attempts,
            fail_after_secs: 60,
            ..Retrying::seen("ImagePullBackOff", FailReason::ImagePull("x".into()))
        })
    };
    assert!(at(3, 1).same_but_clock(&at(9, 1)));
    assert!(!at(3, 1).same_but_clock(&at(9, 2)));
    assert!(!at(3, 1).same_but_clock(&Verdict::Updating));
    assert!(Verdict::Updating.same_but_clock(&Verdict::Updating));
}

#[test]
fn failing_serialises_with_its_reason_and_clock() {
    let v = Verdict::Failing(Retrying {
        for_secs: 12,
        attempts: 2,
        fail_after_secs: 60,
        ..Retrying::seen("ImagePullBackOff", FailReason::ImagePull("ImagePullBackOff: x".into()))
    });
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        serde_json::json!({"verdict": "failing", "reason": {
            "waiting": "ImagePullBackOff",
            "failure": {"kind": "imagePull", "message": "ImagePullBackOff: x"},
            "forSecs": 12, "attempts": 2, "failAfterSecs": 60}})
    );
    assert_eq!(v.label(), "FAILING");
    assert_eq!(Counts::of([&v, &Verdict::InPlace]).failing, 1);
    assert_eq!(Counts::of([&v, &Verdict::InPlace]).done(), 1);
}
