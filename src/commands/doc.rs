//! The output document a command builds: in `-o json|yaml` one document printed at the end,
//! `apiVersion` and `kind` first (stdout holds only it, people's lines go to stderr); in text the
//! lines print as they come. Shared by `okg bump` and `okg set` so both say refusals and exit
//! codes the same way.
use serde_json::{Value, json};

use crate::cli::{GlobalArgs, OutputFormat};
use crate::cluster::access::{ApiAction, Permission};
use crate::ops::audit::AuditLog;
use crate::ops::bump::OpsContext;
use crate::session::Session;

pub struct Doc {
    /// The command's name, for "okg NAME: …" error lines.
    command: &'static str,
    /// The document's `kind` (`BumpReport`, `SetReport`).
    kind: &'static str,
    /// A document at the end (JSON or YAML): people's lines go to stderr.
    pub json: bool,
    yaml: bool,
    value: serde_json::Map<String, Value>,
}

#[derive(serde::Serialize)]
struct Header<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    #[serde(flatten)]
    rest: &'a serde_json::Map<String, Value>,
}

impl Doc {
    pub fn new(command: &'static str, kind: &'static str, format: OutputFormat) -> Self {
        Self {
            command,
            kind,
            json: format != OutputFormat::Text,
            yaml: format == OutputFormat::Yaml,
            value: serde_json::Map::new(),
        }
    }
    pub fn set(&mut self, key: &str, v: Value) {
        self.value.insert(key.to_string(), v);
    }
    /// A line for people: stdout in text mode, stderr in JSON mode (stdout holds only the JSON).
    pub fn say(&self, line: impl AsRef<str>) {
        if self.json {
            crate::errln!("{}", line.as_ref());
        } else {
            crate::outln!("{}", line.as_ref());
        }
    }
    pub fn error(&mut self, outcome: &str, message: impl AsRef<str>) {
        crate::errln!("okg {}: {}", self.command, message.as_ref());
        self.set("outcome", json!(outcome));
        self.set("error", json!(message.as_ref()));
    }
    /// Open the session, or say why not and give the exit code for it.
    pub async fn open_session(&mut self, global: &GlobalArgs) -> Result<Session, u8> {
        crate::session::open(global).await.map_err(|e| {
            self.error("failed", format!("{e}"));
            crate::commands::exit::for_session(&e)
        })
    }
    /// Print the document (with the exit code in it) and return the code.
    pub fn finish(mut self, code: u8) -> u8 {
        if self.json {
            self.set("exitCode", json!(code));
            let doc = Header {
                api_version: crate::commands::API_VERSION,
                kind: self.kind,
                rest: &self.value,
            };
            crate::commands::print::document(&doc, self.yaml);
        }
        code
    }
}

/// An RBAC answer as the pre-flights print it.
pub fn permission_text(p: &Permission) -> String {
    match p {
        Permission::Allowed => "allowed".into(),
        Permission::Denied(why) => format!("DENIED ({why})"),
        Permission::Unknown(why) => format!("unknown ({why})"),
    }
}

/// The RBAC answers as the JSON document holds them; `not_asked` says why there are none.
pub fn rbac_json(rbac: Option<&[(ApiAction, Permission)]>, not_asked: &str) -> Value {
    match rbac {
        Some(answers) => answers
            .iter()
            .map(|(a, p)| (a.describe().to_string(), json!(permission_text(p))))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        None => json!(not_asked),
    }
}

/// The RBAC answers on one pre-flight line.
pub fn rbac_line(rbac: Option<&[(ApiAction, Permission)]>, not_asked: &str) -> String {
    match rbac {
        None => not_asked.to_string(),
        Some(a) => a
            .iter()
            .map(|(a, p)| format!("{}: {}", a.describe(), permission_text(p)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Where and as whom a command's operation writes, audited to --audit-log (or the default).
pub fn ops_context(session: &Session, global: &GlobalArgs) -> OpsContext {
    let audit_path = global.audit_log.clone().unwrap_or_else(crate::paths::default_audit_log);
    OpsContext {
        client: session.connection.client.clone(),
        writer: session.writer.clone(),
        namespace: session.connection.default_namespace.clone(),
        context: session.connection.context.clone(),
        audit: AuditLog::new(audit_path),
        cancel: Default::default(),
        feed: Default::default(),
    }
}
