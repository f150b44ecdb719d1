//! The commands a simulated container understands (see docs/demo.md). Pure: the caller waits
//! `exec_latency` and then `Outcome::sleep` before sending the output.
use std::time::Duration;

use serde_json::{Value, json};

use okg_domain::types::annotations::DEMO_FAIL_RELOAD;

/// What a command needs to know about its pod.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodFacts {
    pub name: String,
    /// Tag of the sidecar's image: the container named `sidecar`, else the second one.
    pub sidecar_tag: String,
    /// The `demo.okg-console.io/fail-reload` annotation: reloads fail with this message.
    pub fail_reload: Option<String>,
}

impl PodFacts {
    pub fn of(pod: &Value) -> PodFacts {
        let containers = pod.pointer("/spec/containers").and_then(Value::as_array);
        let sidecar = containers.and_then(|cs| {
            cs.iter()
                .find(|c| c.get("name").and_then(Value::as_str) == Some("sidecar"))
                .or_else(|| cs.get(1))
        });
        let sidecar_tag = sidecar
            .and_then(|c| c.get("image"))
            .and_then(Value::as_str)
            .map_or_else(|| "none".to_string(), image_tag);
        PodFacts {
            name: pod.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string(),
            sidecar_tag,
            fail_reload: pod
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(DEMO_FAIL_RELOAD))
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }
}

/// The tag of an image reference (`repo:tag`, `host:5000/repo:tag@sha256:…`); the digest when
/// there is no tag; `latest` when there is neither.
pub fn image_tag(image: &str) -> String {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    match (last.split_once(':'), digest) {
        (Some((_, tag)), _) if !tag.is_empty() => tag.to_string(),
        (_, Some(d)) => d.to_string(),
        _ => "latest".to_string(),
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
    /// A real pause the command asks for (`sleep`).
    pub sleep: Duration,
}

fn ok(stdout: String) -> Outcome {
    Outcome { stdout, ..Default::default() }
}

fn exit(code: i32) -> Outcome {
    Outcome { code, ..Default::default() }
}

/// Whether `s` contains "reload" as a word (so `/scripts/reload.sh` does, `reloaded` does not).
pub fn mentions_reload(s: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    s.match_indices("reload").any(|(i, _)| {
        let before = s[..i].chars().next_back().is_none_or(|c| !is_word(c));
        let after = s[i + 6..].chars().next().is_none_or(|c| !is_word(c));
        before && after
    })
}

/// The body of a successful reload, shared by exec and the HTTP endpoint.
pub fn reload(pod: &PodFacts) -> Result<String, String> {
    match &pod.fail_reload {
        Some(why) => Err(format!("reload failed: {why}")),
        None => Ok(format!("reloaded scripts from sidecar {}", pod.sidecar_tag)),
    }
}

/// Run `argv` in the simulated container.
pub fn run(argv: &[String], pod: &PodFacts) -> Outcome {
    if argv.iter().any(|a| mentions_reload(a)) {
        return match reload(pod) {
            Ok(out) => ok(format!("{out}\n")),
            Err(err) => Outcome { stderr: format!("{err}\n"), code: 1, ..Default::default() },
        };
    }
    let Some(cmd) = argv.first() else { return exit(0) };
    let args = &argv[1..];
    let program = cmd.rsplit('/').next().unwrap_or(cmd);
    match program {
        "echo" => ok(format!("{}\n", args.join(" "))),
        // The format's backslash escapes only (no % conversions): enough to make a pod print
        // control characters and escape sequences, to see that the console keeps them off the
        // operator's terminal.
        "printf" => ok(printf_escapes(args.first().map(String::as_str).unwrap_or(""))),
        "true" => exit(0),
        "false" => exit(1),
        "sh" | "bash" if args.first().map(String::as_str) == Some("-c") => {
            let script = args.get(1).map(String::as_str).unwrap_or("");
            let words: Vec<String> = script.split_whitespace().map(str::to_string).collect();
            if words.first().map(String::as_str) == Some("exit") {
                exit(words.get(1).and_then(|n| n.parse::<i32>().ok()).unwrap_or(0) & 0xff)
            } else {
                run(&words, pod)
            }
        }
        "sleep" => {
            let secs = args.first().and_then(|s| s.trim_end_matches('s').parse::<f64>().ok());
            match secs.and_then(|s| Duration::try_from_secs_f64(s).ok()) {
                Some(d) => Outcome { sleep: d, ..Default::default() },
                None => Outcome {
                    stderr: "sleep: invalid time interval\n".into(),
                    code: 1,
                    ..Default::default()
                },
            }
        }
        "cat" if args.first().map(String::as_str) == Some("/etc/hostname") => {
            ok(format!("{}\n", pod.name))
        }
        _ => Outcome { stderr: format!("sh: {cmd}: not found\n"), code: 127, ..Default::default() },
    }
}

/// `\\`, `\a`, `\e`, `\n`, `\r`, `\t` and octal `\NNN` (`\033`), as printf(1) reads them.
fn printf_escapes(format: &str) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('a') => out.push('\x07'),
            Some('e') => out.push('\x1b'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some(d @ '0'..='7') => {
                let mut n = d.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(v) => {
                            n = n * 8 + v;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(n).unwrap_or('?'));
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The Status the kubelet sends on the error channel when the command ends.
pub fn exit_status(argv: &[String], code: i32) -> Value {
    if code == 0 {
        return json!({"metadata": {}, "status": "Success"});
    }
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!(
            "command terminated with non-zero exit code: error executing command [{}], exit code {code}",
            argv.join(" ")
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    fn pod(fail: Option<&str>) -> PodFacts {
        PodFacts {
            name: "gss-0".into(),
            sidecar_tag: "v2".into(),
            fail_reload: fail.map(Into::into),
        }
    }

    #[test]
    fn reload_words() {
        for cmd in [
            &["nginx", "-s", "reload"][..],
            &["/scripts/reload.sh"],
            &["sh", "-c", "cd /x && ./reload"],
        ] {
            assert_eq!(run(&argv(cmd), &pod(None)).stdout, "reloaded scripts from sidecar v2\n");
        }
        assert_eq!(run(&argv(&["echo", "reloaded"]), &pod(None)).stdout, "reloaded\n");
        let printed = run(&argv(&["printf", r"a\e]0;t\a\033[2Jb\n"]), &pod(None)).stdout;
        assert_eq!(printed, "a\x1b]0;t\x07\x1b[2Jb\n");
        let failed = run(&argv(&["nginx", "-s", "reload"]), &pod(Some("disk full")));
        assert_eq!((failed.code, failed.stderr.as_str()), (1, "reload failed: disk full\n"));
    }

    #[test]
    fn small_shell() {
        assert_eq!(run(&argv(&["sh", "-c", "exit 3"]), &pod(None)).code, 3);
        assert_eq!(run(&argv(&["false"]), &pod(None)).code, 1);
        assert_eq!(run(&argv(&["cat", "/etc/hostname"]), &pod(None)).stdout, "gss-0\n");
        assert_eq!(run(&argv(&["sleep", "0.5"]), &pod(None)).sleep, Duration::from_millis(500));
        assert_eq!(run(&argv(&["sleep", "-1"]), &pod(None)).code, 1);
        let nf = run(&argv(&["frob", "x"]), &pod(None));
        assert_eq!((nf.code, nf.stderr.as_str()), (127, "sh: frob: not found\n"));
    }

    #[test]
    fn tags_and_facts() {
        assert_eq!(image_tag("registry:5000/okg/sidecar:v2"), "v2");
        assert_eq!(image_tag("nginx"), "latest");
        assert_eq!(image_tag("nginx@sha256:abc"), "sha256:abc");
        assert_eq!(image_tag("nginx:1.25@sha256:abc"), "1.25");
        let p = json!({"metadata": {"name": "p", "annotations": {DEMO_FAIL_RELOAD: "boom"}},
            "spec": {"containers": [{"name": "app", "image": "a:1"}, {"name": "hot", "image": "h:7"}]}});
        assert_eq!(
            PodFacts::of(&p),
            PodFacts {
                name: "p".into(),
                sidecar_tag: "7".into(),
                fail_reload: Some("boom".into())
            }
        );
    }

    #[test]
    fn status_shape() {
        let s = exit_status(&argv(&["false"]), 1);
        assert_eq!(s["details"]["causes"][0]["message"], "1");
        assert_eq!(
            s["message"],
            "command terminated with non-zero exit code: error executing command [false], exit code 1"
        );
    }
}
