//! What to run and where: `ReloadMethod`, `ReloadTarget` and the operator's order of targets.
use std::fmt;

use serde::Serialize;

use crate::names;

/// How a pod is told to reload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ReloadMethod {
    /// Run this argv in a container (no shell unless argv itself is `sh -c ...`).
    Exec { argv: Vec<String> },
    /// GET `/PATH` on `PORT` of the pod, through the API server's pods/proxy.
    Http { port: u16, path: String },
}

impl ReloadMethod {
    /// Parse `PORT/PATH` (e.g. `3000/reload`). The path keeps any query string.
    pub fn parse_http(spec: &str) -> Result<Self, String> {
        let spec = spec.trim();
        let (port, path) = spec
            .split_once('/')
            .ok_or_else(|| format!("--http wants PORT/PATH (e.g. 3000/reload), not {spec:?}"))?;
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("--http: {port:?} is not a port number (1-65535)"))?;
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("--http: the path {path:?} contains whitespace"));
        }
        Ok(ReloadMethod::Http { port, path: format!("/{path}") })
    }

    pub fn exec<I: IntoIterator<Item = S>, S: Into<String>>(argv: I) -> Result<Self, String> {
        let argv: Vec<String> = argv.into_iter().map(Into::into).collect();
        if argv.is_empty() || argv[0].is_empty() {
            return Err("--exec needs a command (e.g. --exec nginx -s reload)".into());
        }
        Ok(ReloadMethod::Exec { argv })
    }

    pub fn is_exec(&self) -> bool {
        matches!(self, ReloadMethod::Exec { .. })
    }
}

impl fmt::Display for ReloadMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Words with spaces are quoted so the user sees the argv boundaries.
            ReloadMethod::Exec { argv } => {
                let words: Vec<String> = argv
                    .iter()
                    .map(|w| {
                        if w.is_empty() || w.chars().any(char::is_whitespace) {
                            format!("{w:?}")
                        } else {
                            w.clone()
                        }
                    })
                    .collect();
                write!(f, "exec {}", words.join(" "))
            }
            ReloadMethod::Http { port, path } => write!(f, "http GET :{port}{path}"),
        }
    }
}

/// One pod to reload. `container` is the exec container, resolved before the run (ignored by
/// HTTP reloads); `None` lets the API server pick (only valid for one-container pods).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReloadTarget {
    pub namespace: String,
    pub pod: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The owning GameServerSet, when known (for ordering and messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set: Option<String>,
}

impl ReloadTarget {
    pub fn new(namespace: impl Into<String>, pod: impl Into<String>) -> Self {
        Self { namespace: namespace.into(), pod: pod.into(), container: None, set: None }
    }
}

/// Order targets the way an operator reads them: by namespace, by set, then by the pod's
/// ordinal as a number (`gss-2`, before `gss-10`), then by name. Canary batches are thus the
/// lowest ordinals. The one ordering of both front ends: `okg reload` and the TUI's reload form.
pub fn order_targets(targets: &mut [ReloadTarget]) {
    targets.sort_by(|a, b| {
        let key = |t: &ReloadTarget| {
            // A name that is not `<set>-<ordinal>` sorts as ordinal 0 of a set of its own name.
            let (stem, ordinal) = names::split(&t.pod).unwrap_or((&t.pod, 0));
            (t.namespace.clone(), t.set.clone().unwrap_or_default(), stem.to_string(), ordinal)
        };
        key(a).cmp(&key(b)).then_with(|| a.pod.cmp(&b.pod))
    });
}
