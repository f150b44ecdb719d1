//! Opening a session: start the in-process demo when asked, connect, and build the writer unless
//! the session is read-only.
use crate::cli::GlobalArgs;
use crate::cluster::client::{self, ConnectError, Connection};
use crate::cluster::writer::Writer;

pub struct Session {
    pub connection: Connection,
    /// `None` in read-only mode: nothing can be written.
    pub writer: Option<Writer>,
    /// The in-process demo cluster, when `--demo` was given; kept alive with the session.
    pub demo: Option<EmbeddedDemo>,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("cannot start the demo cluster: {0}")]
    Demo(String),
}

pub async fn open(global: &GlobalArgs) -> Result<Session, SessionError> {
    let target = global.target();
    let (connection, demo) = if global.demo {
        let demo = start_demo().await?;
        let conn = client::connect_with(demo.kubeconfig(), &target).await?;
        (conn, Some(demo))
    } else {
        (client::connect(&target).await?, None)
    };
    let writer = (!global.read_only).then(|| {
        Writer::new(connection.client.clone()).with_call_client(connection.call_client.clone())
    });
    Ok(Session { connection, writer, demo })
}

/// The in-process demo cluster of `--demo`.
#[cfg(feature = "demo")]
pub type EmbeddedDemo = okg_demo::DemoCluster;

/// This build has no demo cluster (built without the `demo` feature): no value exists.
#[cfg(not(feature = "demo"))]
pub enum EmbeddedDemo {}

#[cfg(not(feature = "demo"))]
impl EmbeddedDemo {
    pub fn kubeconfig(&self) -> kube::config::Kubeconfig {
        match *self {}
    }

    pub async fn shutdown(self) {
        match self {}
    }
}

#[cfg(feature = "demo")]
async fn start_demo() -> Result<EmbeddedDemo, SessionError> {
    let listen = "127.0.0.1:0".parse().expect("static address");
    let options = okg_demo::DemoOptions {
        tick: std::time::Duration::from_millis(1000),
        ..Default::default()
    };
    okg_demo::DemoCluster::start(listen, options)
        .await
        .map_err(|e| SessionError::Demo(format!("{e:#}")))
}

#[cfg(not(feature = "demo"))]
async fn start_demo() -> Result<EmbeddedDemo, SessionError> {
    Err(SessionError::Demo(
        "this okg was built without the demo cluster (cargo feature `demo`): \
         rebuild with default features, or connect to a real cluster"
            .into(),
    ))
}
