//! Exit codes of argument errors: scripts tell "usage error" (1) from "partly failed" (2).
use std::process::Command;

fn okg(args: &[&str]) -> (i32, String) {
    okg_with_config(args, &std::env::temp_dir().join("okg-cli-test-config"))
}

/// `okg ARGS` with `$XDG_CONFIG_HOME` at `config_home`.
fn okg_with_config(args: &[&str], config_home: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_okg"))
        .args(args)
        .env("XDG_STATE_HOME", std::env::temp_dir().join("okg-cli-test-state"))
        .env("XDG_CONFIG_HOME", config_home)
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

/// Without flags, a config.toml that cannot be used stops `okg reload` before it connects, and
/// says which file, what is wrong and what to do.
#[test]
fn reload_without_flags_refuses_a_broken_config_file_naming_it() {
    let home = std::env::temp_dir().join(format!("okg-cli-bad-config-{}", std::process::id()));
    let file = home.join("okg-console/config.toml");
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "[reload.gss-2048]\nexec = \"nginx -s reload\"\n").unwrap();
    let (code, err) = okg_with_config(&["reload", "gss-2048"], &home);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&file.display().to_string()) && err.contains("is not valid"), "{err}");
    assert!(err.contains("fixed") && err.contains("move it away"), "{err}");
    // A directory where the file should be cannot be read, even by root.
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir(&file).unwrap();
    let (code, err) = okg_with_config(&["reload", "gss-2048"], &home);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cannot read") && err.contains(&file.display().to_string()), "{err}");
}

/// `okg ARGS`: exit code and stdout.
fn stdout_of(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_okg"))
        .args(args)
        .env("XDG_STATE_HOME", std::env::temp_dir().join("okg-cli-test-state"))
        .output()
        .expect("run okg");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn every_command_has_examples_and_the_global_flags_apart() {
    for cmd in ["status", "bump", "reload", "demo", "completion"] {
        let (code, help) = stdout_of(&[cmd, "--help"]);
        assert_eq!(code, 0, "{cmd}: {help}");
        assert!(help.contains("\nExamples:\n  okg "), "{cmd}: {help}");
        let (own, global) =
            help.split_once("\nGlobal options:\n").expect("a Global options heading");
        assert!(!own.contains("--kubeconfig") && global.contains("--kubeconfig <FILE>"), "{help}");
        let usage = help.lines().find(|l| l.starts_with("Usage:")).unwrap();
        assert!(!usage.contains("KUBECONFIG"), "{usage}");
    }
    assert!(stdout_of(&["--help"]).1.contains("5 unreachable, 6 auth failed"));
}

#[test]
fn completion_scripts_for_bash_zsh_and_fish() {
    let cases =
        [("bash", "complete -F _okg"), ("zsh", "#compdef okg"), ("fish", "complete -c okg")];
    for (shell, marker) in cases {
        let (code, script) = stdout_of(&["completion", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["status", "reload", "request-timeout", "reload-exec", "wide"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    // The bash script is valid bash.
    let (_, script) = stdout_of(&["completion", "bash"]);
    let file = std::env::temp_dir().join(format!("okg-completion-{}.bash", std::process::id()));
    std::fs::write(&file, script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    let (code, err) = okg(&["completion", "tcsh"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("bash, zsh, fish"), "{err}");
}

#[test]
fn man_pages_come_from_the_same_definitions() {
    let (code, page) = stdout_of(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH okg 1") && page.contains("okg\\-status"), "{page}");
    let (code, bump) = stdout_of(&["man", "bump"]);
    assert_eq!(code, 0);
    assert!(bump.contains(".TH okg-bump 1") && bump.contains("\\-\\-container"), "{bump}");
    let (code, err) = okg(&["man", "nosuch"]);
    assert_eq!(code, 1);
    assert!(err.contains("the commands are: status, bump, reload"), "{err}");
}
