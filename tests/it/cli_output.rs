//! The CLI as a script sees it, through the real binary against the demo: refusals made before
//! anything is sent, the exit codes that tell them apart, a closed pipe, and the `-o` formats.
use std::process::Stdio;

use crate::support;

/// Nothing reached the demo that changes it or runs in a pod.
fn nothing_sent(d: &support::Demo) {
    assert_eq!(d.cluster.stats.client_mutations(), 0, "a mutating request was sent");
    assert_eq!(
        d.cluster.stats.reloads_total.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "an exec or proxy call was sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_selector_is_named_before_it_is_sent() {
    let d = support::demo().await;
    for cmd in [
        vec!["status", "-l", "app in (a"],
        vec!["reload", "-l", "app in (a", "--yes", "--exec", "true"],
    ] {
        let run = d.okg(&cmd).await;
        assert_eq!(run.code, 1, "{run:?}");
        assert!(run.stderr.contains("-l \"app in (a\" is not a label selector"), "{run:?}");
        assert!(run.stderr.contains("key in (a,b)") && !run.stderr.contains("Status {"), "{run:?}");
    }
    nothing_sent(&d);
    // A good one still works.
    let run = d.okg(&["status", "-l", "app=gss-2048", "-o", "name"]).await;
    assert_eq!(run.code, 0, "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_that_does_not_exist_says_so() {
    let d = support::demo().await;
    for cmd in [
        vec!["-n", "nosuchns", "status"],
        vec!["-n", "nosuchns", "reload", "gss-2048", "--yes", "--exec", "true"],
        vec!["-n", "nosuchns", "bump", "gss-2048", "--container", "sidecar", "--image", "x:v2"],
    ] {
        let run = d.okg(&cmd).await;
        assert_eq!(run.code, 1, "{cmd:?}: {run:?}");
        assert!(run.stderr.contains("namespace \"nosuchns\" does not exist"), "{run:?}");
    }
    nothing_sent(&d);
    // An existing namespace without game servers is an empty answer, not an error.
    let run = d.okg(&["-n", "kube-system", "status"]).await;
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_names_and_unknown_containers_are_refused_before_anything_is_sent() {
    let d = support::demo().await;
    let refusals: [(&[&str], &str); 5] = [
        (
            &["bump", "", "--container", "sidecar", "--image", "x:v2", "--yes"],
            "GameServerSet must not be empty",
        ),
        (
            &["bump", "gss-2048", "--container", "", "--image", "x:v2", "--yes"],
            "--container must not be empty",
        ),
        (
            &[
                "bump",
                "gss-2048",
                "--container",
                "sidecar",
                "--image",
                "x:v2",
                "--gameservers",
                "a,",
                "--yes",
            ],
            "--gameservers name must not be empty",
        ),
        (&["reload", "", "--yes", "--exec", "true"], "GameServerSet name must not be empty"),
        (&["status", ""], "GameServerSet name must not be empty"),
    ];
    for (args, message) in refusals {
        let run = d.okg(args).await;
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(run.stderr.contains(message), "{args:?}: {run:?}");
        assert!(!run.stderr.contains("Error {") && !run.stderr.contains("Status {"), "{run:?}");
    }
    // `okg logs` and `okg set` check the same way (set calls any bad input a refusal: 4).
    let later: [(&[&str], i32, &str); 4] = [
        (&["logs", ""], 1, "pod or GameServer name must not be empty"),
        (&["logs", "--set", ""], 1, "--set must not be empty"),
        (&["logs", "-l", "a in ("], 1, "is not a label selector"),
        (&["set", "opsstate", "", "Maintaining", "--yes"], 4, "GameServer name must not be empty"),
    ];
    for (args, code, message) in later {
        let run = d.okg(args).await;
        assert_eq!(run.code, code, "{args:?}: {run:?}");
        assert!(run.stderr.contains(message), "{args:?}: {run:?}");
    }
    let run =
        d.okg(&["reload", "gss-2048", "--container", "nosuch", "--yes", "--exec", "true"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("has no container \"nosuch\""), "{run:?}");
    assert!(run.stderr.contains("its containers are: app-2048, sidecar"), "{run:?}");
    // A chained reload into a container the template lacks would fail in every pod after the
    // bump was sent: refused before the bump.
    let run = d
        .okg(&[
            "bump",
            "gss-2048",
            "--container",
            "sidecar",
            "--image",
            "registry.example.com/games/2048-sidecar:v9",
            "--yes",
            "--wait",
            "--reload-container",
            "nosuch",
            "--reload-exec",
            "true",
        ])
        .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("template of gss-2048 has no such container"), "{run:?}");
    assert!(run.stderr.contains("its containers are: app-2048, sidecar"), "{run:?}");
    nothing_sent(&d);
}

/// `okg status -o json | head -c1`: the reader goes away; okg ends quietly, without a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_ends_quietly() {
    let d = support::demo().await;
    for args in [vec!["status", "-o", "json"], vec!["status", "-o", "wide"], vec!["--help"]] {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_okg"))
            .arg("--kubeconfig")
            .arg(&d.kubeconfig)
            .arg("--log-file")
            .arg(d.dir.path().join("okg.log"))
            .args(&args)
            .env("XDG_STATE_HOME", d.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Closed before okg writes a byte, so every write it makes meets EPIPE.
        drop(child.stdout.take());
        let out = child.wait_with_output().await.unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_speaks_table_wide_name_json_and_yaml() {
    let d = support::demo().await;
    let table = d.okg(&["status"]).await;
    assert_eq!(table.code, 0, "{table:?}");
    assert!(table.stdout.contains("NAME") && !table.stdout.contains("NODE"), "{table:?}");
    let wide = d.okg(&["status", "-o", "wide"]).await;
    assert!(wide.stdout.contains("NODE") && wide.stdout.contains("demo-node-1"), "{wide:?}");
    let names = d.okg(&["status", "-o", "name"]).await;
    let lines: Vec<&str> = names.stdout.lines().collect();
    assert_eq!(lines.len(), 10, "{names:?}");
    assert!(lines.iter().all(|l| l.starts_with("gameserver.game.kruise.io/gss-")), "{names:?}");
    let json = d.okg(&["status", "-o", "json"]).await.json();
    let yaml = d.okg(&["status", "-o", "yaml"]).await;
    assert_eq!(yaml.code, 0, "{yaml:?}");
    assert!(yaml.stdout.starts_with("apiVersion: okg-console/v1\nkind: Status\n"), "{yaml:?}");
    // The same document: the YAML read back equals the JSON, but for the time it was made.
    let mut back: serde_json::Value = serde_saphyr::from_str(&yaml.stdout).unwrap();
    back["generatedAt"] = json["generatedAt"].clone();
    assert_eq!(back, json);
}

/// Every document is camelCase under one versioned header (docs/cli.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_and_bump_documents_have_the_header_and_camel_case_keys() {
    let d = support::demo().await;
    let run = d.okg(&["reload", "gss-2048", "--yes", "-o", "json", "--exec", "true"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.json();
    assert_eq!(
        (doc["apiVersion"].as_str(), doc["kind"].as_str()),
        (Some("okg-console/v1"), Some("ReloadReport"))
    );
    assert!(doc["elapsedMs"].is_u64() && doc["limits"]["maxFailures"].is_null(), "{doc:#}");
    let run = d
        .okg(&[
            "--read-only",
            "bump",
            "gss-2048",
            "--container",
            "sidecar",
            "--image",
            "x:v2",
            "-o",
            "yaml",
        ])
        .await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stdout.starts_with("apiVersion: okg-console/v1\nkind: BumpReport\n"), "{run:?}");
    assert!(run.stdout.contains("\nexitCode: 4\n"), "{run:?}");
    let run = d
        .okg(&[
            "bump",
            "gss-2048",
            "--container",
            "sidecar",
            "--image",
            "x:v2",
            "--yes",
            "--wait",
            "-o",
            "json",
        ])
        .await;
    let doc = run.json();
    assert!(
        !doc.to_string().contains("in_place") && !doc.to_string().contains("timed_out"),
        "{doc:#}"
    );
}

fn snake_keys(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                if k.contains('_') {
                    out.push(k.clone());
                }
                snake_keys(v, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| snake_keys(v, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_document_has_a_snake_case_key() {
    let d = support::demo().await;
    for args in [
        vec!["status", "-o", "json"],
        vec!["reload", "gss-2048", "--yes", "-o", "json", "--exec", "true"],
        vec![
            "bump",
            "gss-2048",
            "--container",
            "sidecar",
            "--image",
            "x:v3",
            "--yes",
            "--wait",
            "-o",
            "json",
        ],
    ] {
        let mut keys = Vec::new();
        snake_keys(&d.okg(&args).await.json(), &mut keys);
        // Pod names and container names are keys of some maps; they may hold `_` but ours do not.
        assert!(keys.is_empty(), "{args:?}: {keys:?}");
    }
}

/// `okg ARGS` on the demo with `$XDG_CONFIG_HOME/okg-console/config.toml` holding `config`, and
/// `env` set.
async fn with_config(
    d: &support::Demo,
    config: &str,
    env: &[(&str, &str)],
    args: &[&str],
) -> support::Run {
    let home = d.dir.path().join("config-home");
    std::fs::create_dir_all(home.join("okg-console")).unwrap();
    std::fs::write(home.join("okg-console/config.toml"), config).unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_okg"))
        .arg("--kubeconfig")
        .arg(&d.kubeconfig)
        .arg("--audit-log")
        .arg(&d.audit)
        .args(args)
        .env("XDG_STATE_HOME", d.dir.path())
        .env("XDG_CONFIG_HOME", &home)
        .env_remove("OKG_NAMESPACE")
        .env_remove("OKG_READ_ONLY")
        .env_remove("OKG_CONTEXT")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    support::Run::from(out)
}

/// flags > environment > config.toml's `[defaults]`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_config_file_gives_defaults_that_the_environment_and_flags_override() {
    let d = support::demo().await;
    let config = "[defaults]\nnamespace = \"nosuchns\"\nread-only = true\n";
    let run = with_config(&d, config, &[], &["status"]).await;
    assert_eq!(run.code, 1, "the file's namespace is used: {run:?}");
    assert!(run.stderr.contains("namespace \"nosuchns\" does not exist"), "{run:?}");
    let run =
        with_config(&d, config, &[("OKG_NAMESPACE", "default")], &["status", "-o", "name"]).await;
    assert_eq!((run.code, run.stdout.lines().count()), (0, 10), "the environment wins: {run:?}");
    let run =
        with_config(&d, config, &[("OKG_NAMESPACE", "nosuchns")], &["-n", "default", "status"])
            .await;
    assert_eq!(run.code, 0, "the flag wins: {run:?}");

    let bump =
        ["-n", "default", "bump", "gss-2048", "--container", "sidecar", "--image", "x:v9", "--yes"];
    let run = with_config(&d, config, &[], &bump).await;
    assert_eq!(run.code, 4, "read-only from the file: {run:?}");
    assert!(run.stderr.contains("read-only"), "{run:?}");
    assert_eq!(d.cluster.stats.client_mutations(), 0);
    let run = with_config(&d, config, &[("OKG_READ_ONLY", "false")], &bump).await;
    assert_eq!(run.code, 0, "OKG_READ_ONLY=false overrides the file: {run:?}");
    assert!(d.cluster.stats.client_mutations() > 0);

    let run = with_config(&d, "[defaults]\nnamspace = \"x\"\n", &[], &["status"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("config.toml is not valid") && run.stderr.contains("namspace"),
        "{run:?}"
    );
}
