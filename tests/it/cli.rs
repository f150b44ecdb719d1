//! Exit codes of argument errors: scripts tell "usage error" (1) from "partly failed" (2).
use std::process::Command;

fn okg(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_okg"))
        .args(args)
        .env("XDG_STATE_HOME", std::env::temp_dir().join("okg-cli-test-state"))
        .output()
        .expect("run okg");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn argument_errors_exit_1_with_the_reason() {
    let (code, err) = okg(&["bump", "gss-2048", "--container", "sidecar"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--image"), "{err}");
    let (code, err) = okg(&["reload", "--parallel", "many", "gss-2048"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--parallel"), "{err}");
    let (code, err) =
        okg(&["bump", "gss-2048", "--container", "c", "--image", "i:v1", "--reload-exec", "x"]);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn continue_takes_no_image_and_a_positive_step() {
    let (code, err) =
        okg(&["bump", "gss-2048", "--container", "sidecar", "--continue", "--image", "i:v2"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--continue") && err.contains("--image"), "{err}");
    let (code, err) = okg(&["bump", "gss-2048", "--container", "sidecar", "--step", "2"]);
    assert_eq!(code, 1, "--step without --continue: {err}");
    let (code, err) =
        okg(&["bump", "gss-2048", "--container", "sidecar", "--continue", "--step", "0"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--step must be at least 1"), "{err}");
}

#[test]
fn help_and_version_exit_0() {
    assert_eq!(okg(&["--version"]).0, 0);
    assert_eq!(okg(&["bump", "--help"]).0, 0);
}
