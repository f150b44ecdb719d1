//! The non-interactive front ends (`okg status | bump | reload | demo`) and the session set-up
//! they share with the TUI.
pub mod bump;
pub mod completion;
#[cfg(feature = "demo")]
pub mod demo;
pub mod doc;
pub mod logs;
pub mod preflight;
pub mod print;
pub mod reload;
pub mod rollout;
pub mod set;
pub mod status;

/// Open the session for a one-shot command, or say why not and give the exit code for it.
pub async fn open_session(global: &crate::cli::GlobalArgs) -> Result<crate::session::Session, u8> {
    crate::session::open(global).await.map_err(|e| {
        crate::errln!("okg: {e}");
        exit::for_session(&e)
    })
}

/// The `apiVersion` of every `-o json|yaml` document (docs/cli.md).
pub const API_VERSION: &str = "okg-console/v1";

/// Exit codes shared by the commands and the console (see docs/connecting.md for 5 and 6).
pub mod exit {
    use crate::cluster::client::Failure;
    use crate::session::SessionError;

    pub const OK: u8 = 0;
    pub const USAGE: u8 = 1;
    /// bump: a pod was re-created; reload: some targets failed or were skipped.
    pub const PARTIAL: u8 = 2;
    /// bump: failed or timed out.
    pub const FAILED: u8 = 3;
    /// Refused: read-only, RBAC, validation, or re-creation without --allow-recreate.
    pub const REFUSED: u8 = 4;
    /// The API server could not be reached: network, DNS, proxy, TLS, timeout.
    pub const UNREACHABLE: u8 = 5;
    /// Authentication or authorisation failed: 401, a credential plugin or client certificate
    /// that cannot work, or reading the fleet forbidden (403).
    pub const AUTH: u8 = 6;

    /// The exit code for a session that could not be opened. A kubeconfig or flag that is wrong is
    /// a usage error.
    pub fn for_session(e: &SessionError) -> u8 {
        match e {
            SessionError::Connect(c) => match c.failure() {
                Failure::Config => USAGE,
                Failure::Connection => UNREACHABLE,
                Failure::Auth => AUTH,
            },
            SessionError::Demo(_) => FAILED,
        }
    }

    /// The exit code for a failed read: refused credentials or RBAC, or a server not reached.
    pub fn for_api_error(e: &kube::Error) -> u8 {
        match e {
            kube::Error::Api(s) if s.code == 401 || s.code == 403 => AUTH,
            kube::Error::Api(_) => FAILED,
            kube::Error::HyperError(_) | kube::Error::Service(_) => UNREACHABLE,
            _ => FAILED,
        }
    }
}
