//! `exec -it`: a tiny shell behind a TTY, as `kubectl exec -it POD -- sh` reaches it. The line
//! discipline is the remote terminal's: typed characters are echoed, `\r` ends a line, output
//! lines end in `\r\n` (onlcr), backspace rubs out, ctrl-C drops the line, ctrl-D on an empty
//! line exits. Channel 0 is stdin, channel 4 resizes (`{"Width":W,"Height":H}`), channel 3 the
//! exit status; `stty size` prints the last size, so a test can see resizes arrive.
//!
//! The pure [`Shell`] is driven by [`run`], the WebSocket session.
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use serde_json::Value;

use super::commands::{self, PodFacts};

/// One file of the shared emptyDir the sidecar fills.
#[derive(Clone, Debug, PartialEq)]
struct File {
    path: String,
    text: String,
}

/// The shell's state: the line being typed, the terminal size, where it is, what it can cat.
#[derive(Debug)]
pub struct Shell {
    pod: PodFacts,
    line: Vec<u8>,
    pub size: Option<(u16, u16)>,
    cwd: String,
    files: Vec<File>,
    /// `exec -i` without `-t`: no echo, no prompt, plain `\n` (a shell reading a pipe).
    pub piped: bool,
}

/// What the shell answers to one chunk of input: bytes for the terminal, and the exit status
/// once it has exited.
#[derive(Debug, Default, PartialEq)]
pub struct Output {
    pub bytes: Vec<u8>,
    pub exit: Option<i32>,
}

const PROMPT: &str = "$ ";

impl Shell {
    /// The shell of `container` in `pod`: it starts in the container's shared emptyDir, whose
    /// files name the sidecar's tag (what a hot update changes).
    pub fn new(pod: &Value, container: &str) -> Shell {
        let facts = PodFacts::of(pod);
        let dirs = shared_dirs(pod, container);
        let files = dirs
            .iter()
            .flat_map(|d| {
                [
                    File { path: format!("{d}/VERSION"), text: format!("{}\n", facts.sidecar_tag) },
                    File {
                        path: format!("{d}/main.js"),
                        text: format!(
                            "// game scripts {}, copied here by the sidecar\n",
                            facts.sidecar_tag
                        ),
                    },
                ]
            })
            .collect();
        Shell {
            cwd: dirs.first().cloned().unwrap_or_else(|| "/".into()),
            pod: facts,
            line: Vec::new(),
            size: None,
            files,
            piped: false,
        }
    }

    pub fn prompt(&self) -> &'static str {
        if self.piped { "" } else { PROMPT }
    }

    /// A resize frame's body; a malformed one is ignored, as the kubelet logs and goes on.
    pub fn resize(&mut self, body: &[u8]) {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Size {
            width: u16,
            height: u16,
        }
        if let Ok(s) = serde_json::from_slice::<Size>(body) {
            self.size = Some((s.width, s.height));
        }
    }

    /// Typed bytes in, what the terminal shows out.
    pub fn input(&mut self, bytes: &[u8]) -> Output {
        if self.piped {
            let mut out = Output::default();
            for &b in bytes {
                if b != b'\n' {
                    self.line.push(b);
                    continue;
                }
                let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).to_string();
                let (text, exit) = self.run_line(&line);
                out.bytes.extend_from_slice(text.as_bytes());
                if exit.is_some() {
                    out.exit = exit;
                    return out;
                }
            }
            return out;
        }
        let mut out = Output::default();
        for &b in bytes {
            match b {
                b'\r' | b'\n' => {
                    out.bytes.extend_from_slice(b"\r\n");
                    let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).to_string();
                    let (text, exit) = self.run_line(&line);
                    out.bytes.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
                    if exit.is_some() {
                        out.exit = exit;
                        return out;
                    }
                    out.bytes.extend_from_slice(PROMPT.as_bytes());
                }
                // Backspace: rub out the last character typed, if any.
                0x7f | 0x08 => out.bytes.extend_from_slice(match self.line.pop() {
                    Some(_) => b"\x08 \x08",
                    None => b"",
                }),
                0x03 => {
                    self.line.clear();
                    out.bytes.extend_from_slice(b"^C\r\n");
                    out.bytes.extend_from_slice(PROMPT.as_bytes());
                }
                0x04 if self.line.is_empty() => {
                    out.bytes.extend_from_slice(b"exit\r\n");
                    out.exit = Some(0);
                    return out;
                }
                b if b >= 0x20 => {
                    self.line.push(b);
                    out.bytes.push(b);
                }
                _ => {}
            }
        }
        out
    }

    /// One command line: `;`-separated commands; `exit [N]` stops the rest.
    fn run_line(&mut self, line: &str) -> (String, Option<i32>) {
        let mut text = String::new();
        for part in line.split(';') {
            let words: Vec<String> = part.split_whitespace().map(str::to_string).collect();
            let Some(cmd) = words.first() else { continue };
            let args = &words[1..];
            match cmd.as_str() {
                "exit" => {
                    let code = args.first().and_then(|n| n.parse::<i32>().ok()).unwrap_or(0);
                    return (text, Some(code & 0xff));
                }
                "hostname" => text.push_str(&format!("{}\n", self.pod.name)),
                "pwd" => text.push_str(&format!("{}\n", self.cwd)),
                "cd" => {
                    let to = self.path(args.first().map_or("/", String::as_str));
                    if to == "/" || self.is_dir(&to) {
                        self.cwd = to;
                    } else {
                        text.push_str(&format!("sh: cd: can't cd to {}\n", args[0]));
                    }
                }
                "ls" => text.push_str(&self.ls(args.first().map(String::as_str))),
                "cat" => {
                    for a in args {
                        text.push_str(&self.cat(a));
                    }
                }
                "stty" if args.first().map(String::as_str) == Some("size") => match self.size {
                    Some((w, h)) => text.push_str(&format!("{h} {w}\n")),
                    None => text.push_str("stty: standard input: Not a tty\n"),
                },
                // Anything else the non-TTY exec knows (echo, printf, reload…); no sleeping
                // while the terminal waits.
                _ => {
                    let o = commands::run(&words, &self.pod);
                    text.push_str(&o.stdout);
                    text.push_str(&o.stderr);
                }
            }
        }
        (text, None)
    }

    fn path(&self, p: &str) -> String {
        let joined = if p.starts_with('/') { p.to_string() } else { format!("{}/{p}", self.cwd) };
        let parts: Vec<&str> = joined.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
        format!("/{}", parts.join("/"))
    }

    fn is_dir(&self, p: &str) -> bool {
        let prefix = format!("{}/", p.trim_end_matches('/'));
        self.files.iter().any(|f| f.path.starts_with(&prefix))
    }

    fn ls(&self, arg: Option<&str>) -> String {
        let dir = self.path(arg.unwrap_or("."));
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        let names: Vec<&str> =
            self.files.iter().filter_map(|f| f.path.strip_prefix(&prefix)).collect();
        if names.is_empty() {
            return match arg {
                Some(a) => format!("ls: {a}: No such file or directory\n"),
                None => String::new(),
            };
        }
        // Only one level is stored: a nested name shows its first part.
        let mut shown: Vec<&str> = names.iter().map(|n| n.split('/').next().unwrap_or(n)).collect();
        shown.dedup();
        format!("{}\n", shown.join("  "))
    }

    fn cat(&self, arg: &str) -> String {
        let path = self.path(arg);
        if path == "/etc/hostname" {
            return format!("{}\n", self.pod.name);
        }
        match self.files.iter().find(|f| f.path == path) {
            Some(f) => f.text.clone(),
            None if self.is_dir(&path) => "cat: read error: Is a directory\n".to_string(),
            None => format!("cat: can't open '{arg}': No such file or directory\n"),
        }
    }
}

/// The mount paths of `container`'s emptyDir volumes.
fn shared_dirs(pod: &Value, container: &str) -> Vec<String> {
    let empty: Vec<&str> = pod
        .pointer("/spec/volumes")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter(|v| v.get("emptyDir").is_some())
                .filter_map(|v| v.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c.get("name").and_then(Value::as_str) == Some(container)))
        .and_then(|c| c.get("volumeMounts").and_then(Value::as_array))
        .map(|ms| {
            ms.iter()
                .filter(|m| {
                    m.get("name").and_then(Value::as_str).is_some_and(|n| empty.contains(&n))
                })
                .filter_map(|m| m.get("mountPath").and_then(Value::as_str))
                .map(|p| p.trim_end_matches('/').to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn frame(channel: u8, data: &[u8]) -> Message {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(channel);
    v.extend_from_slice(data);
    Message::Binary(v.into())
}

/// The session: prompt, then stdin and resize frames until `exit`, ctrl-D, the stdin close
/// (channel 255 with 0) or the client going away. Returns the exit status sent, if one was.
pub async fn run(socket: &mut WebSocket, mut shell: Shell, argv: &[String]) -> Option<i32> {
    if !shell.piped && socket.send(frame(1, shell.prompt().as_bytes())).await.is_err() {
        return None;
    }
    let code = loop {
        let msg = match tokio::time::timeout(Duration::from_secs(3600), socket.recv()).await {
            Ok(Some(Ok(m))) => m,
            // An hour with no input, or the client gone: the session ends without a status.
            _ => return None,
        };
        let data = match msg {
            Message::Binary(b) => b.to_vec(),
            Message::Close(_) => return None,
            _ => continue,
        };
        match data.split_first() {
            Some((0, typed)) => {
                let out = shell.input(typed);
                if !out.bytes.is_empty() && socket.send(frame(1, &out.bytes)).await.is_err() {
                    return None;
                }
                if let Some(code) = out.exit {
                    break code;
                }
            }
            Some((4, body)) => shell.resize(body),
            // stdin closed: a shell reading a closed terminal (or pipe) runs its last line and
            // exits.
            Some((255, [0])) => {
                let out = shell.input(b"\n");
                let _ = socket.send(frame(1, &out.bytes)).await;
                break out.exit.unwrap_or(0);
            }
            _ => {}
        }
    };
    let status = serde_json::to_vec(&commands::exit_status(argv, code)).unwrap_or_default();
    let _ = socket.send(frame(3, &status)).await;
    Some(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({"metadata": {"name": "gss-2048-0"},
            "spec": {"containers": [
                {"name": "app-2048", "image": "a:v1.0",
                 "volumeMounts": [{"name": "shared-dir", "mountPath": "/var/www/html/js"}]},
                {"name": "sidecar", "image": "s:v2.0",
                 "volumeMounts": [{"name": "shared-dir", "mountPath": "/app/scripts"}]}],
             "volumes": [{"name": "shared-dir", "emptyDir": {}}]}})
    }

    fn typed(shell: &mut Shell, s: &str) -> (String, Option<i32>) {
        let out = shell.input(s.as_bytes());
        (String::from_utf8(out.bytes).unwrap(), out.exit)
    }

    #[test]
    fn typed_characters_echo_and_a_line_runs() {
        let mut sh = Shell::new(&pod(), "app-2048");
        assert_eq!(typed(&mut sh, "ech"), ("ech".into(), None));
        assert_eq!(typed(&mut sh, "x\x7f"), ("x\x08 \x08".into(), None));
        let mut empty = Shell::new(&pod(), "app-2048");
        assert_eq!(typed(&mut empty, "\x7f\x7fa\r").0, "a\r\nsh: a: not found\r\n$ ");
        assert_eq!(typed(&mut sh, "o hi\r"), ("o hi\r\nhi\r\n$ ".into(), None));
        assert_eq!(typed(&mut sh, "hostname\r").0, "hostname\r\ngss-2048-0\r\n$ ");
        assert_eq!(typed(&mut sh, "abc\x03").0, "abc^C\r\n$ ");
    }

    #[test]
    fn the_shared_dir_is_where_it_starts_and_shows_the_sidecars_files() {
        let mut sh = Shell::new(&pod(), "app-2048");
        assert_eq!(typed(&mut sh, "pwd\r").0, "pwd\r\n/var/www/html/js\r\n$ ");
        assert_eq!(typed(&mut sh, "ls\r").0, "ls\r\nVERSION  main.js\r\n$ ");
        assert_eq!(typed(&mut sh, "cat VERSION\r").0, "cat VERSION\r\nv2.0\r\n$ ");
        let mut side = Shell::new(&pod(), "sidecar");
        let (out, _) = typed(&mut side, "cd /; ls /app; cat /app/scripts/main.js; cat nope\r");
        assert!(out.contains("scripts\r\n// game scripts v2.0"), "{out:?}");
        assert!(out.contains("cat: can't open 'nope'"), "{out:?}");
    }

    #[test]
    fn exit_ends_with_its_status_and_stops_the_line() {
        let mut sh = Shell::new(&pod(), "app-2048");
        assert_eq!(
            typed(&mut sh, "echo a; exit 3; echo b\r"),
            ("echo a; exit 3; echo b\r\na\r\n".into(), Some(3))
        );
        let mut sh = Shell::new(&pod(), "app-2048");
        assert_eq!(typed(&mut sh, "exit\r").1, Some(0));
        let mut sh = Shell::new(&pod(), "app-2048");
        assert_eq!(typed(&mut sh, "\x04"), ("exit\r\n".into(), Some(0)));
        assert_eq!(typed(&mut Shell::new(&pod(), "app-2048"), "exit 300\r").1, Some(44));
    }

    #[test]
    fn a_piped_shell_neither_echoes_nor_prompts() {
        let mut sh = Shell::new(&pod(), "app-2048");
        sh.piped = true;
        assert_eq!(sh.prompt(), "");
        assert_eq!(typed(&mut sh, "echo a\nhost"), ("a\n".into(), None));
        assert_eq!(typed(&mut sh, "name\nexit 2\necho no\n"), ("gss-2048-0\n".into(), Some(2)));
    }

    #[test]
    fn resize_frames_set_the_size_stty_reports() {
        let mut sh = Shell::new(&pod(), "app-2048");
        assert!(typed(&mut sh, "stty size\r").0.contains("Not a tty"));
        sh.resize(br#"{"Width":120,"Height":40}"#);
        assert_eq!(typed(&mut sh, "stty size\r").0, "stty size\r\n40 120\r\n$ ");
        sh.resize(b"garbage");
        sh.resize(br#"{"Width":80,"Height":24}"#);
        assert_eq!(sh.size, Some((80, 24)));
    }
}
