//! Text from pods and the cluster on the CLI: no ESC byte reaches the terminal, the raw bytes
//! are in `-o json` (escaped) and in `--output-directory`; image references are ASCII only; the
//! files okg writes are owner-only.
use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::support::{demo, template_image, with_tag};

/// A pod's output that retitles the terminal (OSC 0 … BEL) and clears it (CSI 2 J).
const HOSTILE: &str = r"before\e]0;pwned by pod\a\e[2Jafter";
const HOSTILE_RAW: &str = "before\x1b]0;pwned by pod\x07\x1b[2Jafter";

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_output_with_escape_sequences_never_reaches_the_terminal_raw() {
    let d = demo().await;
    let raw_dir = d.dir.path().join("raw");
    let raw_dir_arg = raw_dir.display().to_string();
    let text = d
        .okg(&[
            "reload",
            "--gameservers",
            "gss-2048-0,gss-2048-1",
            "--output-directory",
            &raw_dir_arg,
            "--yes",
            "--exec",
            "printf",
            HOSTILE,
        ])
        .await;
    assert_eq!(text.code, 0, "{text:?}");
    for stream in [&text.stdout, &text.stderr] {
        assert!(!stream.contains('\x1b') && !stream.contains('\x07'), "{stream:?}");
    }
    // The sequences are gone whole: no "]0;pwned" left to read either.
    assert!(text.stdout.contains("gss-2048-0 | beforeafter"), "{}", text.stdout);
    // The file has the bytes as the pod wrote them, and only its owner may read them.
    let file = raw_dir.join("gss-2048-1.stdout");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), format!("{HOSTILE_RAW}\n"));
    assert_eq!(mode(&file), 0o600);
    // The audit log and the log file that run wrote are owner-only too.
    assert_eq!(mode(&d.audit), 0o600);
    assert_eq!(mode(&d.dir.path().join("okg.log")), 0o600);

    let json = d
        .okg(&[
            "reload",
            "--gameservers",
            "gss-2048-0",
            "-o",
            "json",
            "--yes",
            "--exec",
            "printf",
            HOSTILE,
        ])
        .await;
    assert_eq!(json.code, 0, "{json:?}");
    assert!(!json.stdout.contains('\x1b') && !json.stderr.contains('\x1b'), "{json:?}");
    let mut all = Vec::new();
    strings(&json.json(), &mut all);
    assert!(
        all.iter().any(|s| s.contains(HOSTILE_RAW)),
        "the raw output is in the report: {all:?}"
    );
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_ascii_tag_is_refused_and_nothing_is_sent() {
    let d = demo().await;
    let old = template_image(&d.client(), "gss-2048", "sidecar").await;
    let before = d.cluster.stats.client_mutations();
    let bad = with_tag(&old, "v2.0\u{e9}");
    let run =
        d.okg(&["bump", "gss-2048", "--container", "sidecar", "--image", &bad, "--yes"]).await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("ASCII only") && run.stderr.contains("U+00E9"), "{}", run.stderr);
    assert_eq!(d.cluster.stats.client_mutations(), before, "a request was sent");
    assert_eq!(template_image(&d.client(), "gss-2048", "sidecar").await, old);
    d.cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn okg_demo_writes_an_owner_only_kubeconfig_and_names_its_real_port() {
    use tokio::io::AsyncBufReadExt;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kc.json");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_okg"))
        .args(["--log-file", &dir.path().join("okg.log").display().to_string()])
        .args(["demo", "--listen", "127.0.0.1:0", "--write-kubeconfig"])
        .arg(&kubeconfig)
        .env("XDG_STATE_HOME", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !seen.iter().any(|l: &String| l.starts_with("kubeconfig written")) {
        let line = tokio::time::timeout_at(deadline, lines.next_line()).await;
        match line {
            Ok(Ok(Some(l))) => seen.push(l),
            other => panic!("okg demo stopped talking ({other:?}); it said {seen:?}"),
        }
    }
    let serving = seen.iter().find(|l| l.starts_with("okg demo: serving")).unwrap();
    assert!(serving.contains("https://127.0.0.1:") && !serving.contains(":0 "), "{serving}");
    assert_eq!(mode(&kubeconfig), 0o600);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&kubeconfig).unwrap()).unwrap();
    let server = doc["clusters"][0]["cluster"]["server"].as_str().unwrap().to_string();
    assert!(serving.contains(&server), "{serving} vs {server}");
    child.kill().await.unwrap();
}

/// The whole table drawn for TERM=xterm (terminfo: 8 colours, or the name when the machine has
/// no terminfo) goes to the terminal as 16-colour codes only.
#[test]
fn a_16_colour_terminal_gets_no_256_colour_or_rgb_codes() {
    use okg_console::tui::view::backend::write_cells;
    use okg_console::tui::view::theme::Theme;
    let frame = |vars: &'static [(&'static str, &'static str)]| {
        let env = move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
        let theme = Theme::resolve(None, std::path::Path::new("/nonexistent"), env).unwrap();
        let state = crate::support::writable_state(120, 40);
        let buf = crate::support::render_with(&state, &theme, 120, 40);
        let mut out = Vec::new();
        let cells = (0..40u16).flat_map(|y| (0..120u16).map(move |x| (x, y)));
        write_cells(&mut out, cells.map(|(x, y)| (x, y, &buf[(x, y)]))).unwrap();
        String::from_utf8(out).unwrap()
    };
    let sgr = regex::Regex::new("\x1b\\[([0-9;]*)m").unwrap();
    let params = |bytes: &str| -> Vec<String> {
        sgr.captures_iter(bytes).map(|c| c[1].to_string()).collect()
    };
    let xterm = params(&frame(&[("TERM", "xterm")]));
    assert!(
        xterm.iter().all(|p| !p.contains("38;5") && !p.contains("48;5") && !p.contains(";2;")),
        "{xterm:?}"
    );
    assert!(
        xterm
            .iter()
            .any(|p| p.split(';').any(|n| matches!(n.parse::<u8>(), Ok(30..=37 | 90..=97)))),
        "{xterm:?}"
    );
    let wide = params(&frame(&[("TERM", "xterm-256color")]));
    assert!(wide.iter().any(|p| p.contains("38;5;")), "{wide:?}");
    let mono = params(&frame(&[("TERM", "xterm"), ("NO_COLOR", "1")]));
    assert!(
        mono.iter().all(|p| p.split(';').all(|n| matches!(n, "0" | "1" | "4" | "7" | "39" | "49"))),
        "{mono:?}"
    );
}
