//! Helpers for the bump tests: a demo cluster with a kubeconfig file, and runs of the real binary.
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use okg_demo::{DemoCluster, DemoOptions};

/// A running demo cluster with a kubeconfig and an audit log path in a temporary directory.
pub struct Demo {
    pub cluster: DemoCluster,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
    pub audit: PathBuf,
}

/// What a run of the real binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The `-o json` document on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }
}

pub async fn demo() -> Demo {
    let options = DemoOptions { tick: Duration::from_millis(50), ..Default::default() };
    let cluster = DemoCluster::start("127.0.0.1:0".parse().unwrap(), options).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig.json");
    std::fs::write(&kubeconfig, serde_json::to_string(&cluster.kubeconfig()).unwrap()).unwrap();
    let audit = dir.path().join("audit.jsonl");
    Demo { cluster, dir, kubeconfig, audit }
}

impl Demo {
    /// Run `okg` with this cluster's kubeconfig and audit log; stdin is not a terminal.
    pub async fn okg(&self, args: &[&str]) -> Run {
        self.okg_with(&self.kubeconfig, args).await
    }

    /// Run `okg` with another kubeconfig (another identity).
    pub async fn okg_with(&self, kubeconfig: &std::path::Path, args: &[&str]) -> Run {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_okg"))
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .arg("--audit-log")
            .arg(&self.audit)
            .arg("--log-file")
            .arg(self.dir.path().join("okg.log"))
            .args(args)
            .env("XDG_STATE_HOME", self.dir.path())
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn client(&self) -> kube::Client {
        self.cluster.client().unwrap()
    }
}

impl Demo {
    /// Run `okg` on a pseudo-terminal (util-linux `script`), typing `input`: for the confirmation
    /// prompts. `None` when `script` is not installed.
    pub async fn okg_on_terminal(&self, args: &[&str], input: &str) -> Option<Run> {
        use tokio::io::AsyncWriteExt;
        if !std::path::Path::new("/usr/bin/script").exists() {
            return None;
        }
        let mut words = vec![
            env!("CARGO_BIN_EXE_okg").to_string(),
            "--kubeconfig".into(),
            self.kubeconfig.display().to_string(),
            "--audit-log".into(),
            self.audit.display().to_string(),
            "--log-file".into(),
            self.dir.path().join("okg.log").display().to_string(),
        ];
        words.extend(args.iter().map(|a| a.to_string()));
        let command = words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" ");
        let mut child = tokio::process::Command::new("/usr/bin/script")
            .args(["-qec", &command, "/dev/null"])
            .env("XDG_STATE_HOME", self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input.as_bytes()).await.unwrap();
        drop(stdin);
        let out = child.wait_with_output().await.unwrap();
        Some(Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}
