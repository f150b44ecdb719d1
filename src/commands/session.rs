//! Opening a session: start the in-process demo when asked, connect, and build the writer unless
//! the session is read-only.
use crate::cli::GlobalArgs;
use crate::cluster::client::{self, ConnectError, Connection, Target};
use crate::cluster::writer::Writer;
use crate::demo::{DemoCluster, DemoOptions};

pub struct Session {
    pub connection: Connection,
    /// `None` in read-only mode: nothing can be written.
    pub writer: Option<Writer>,
    /// The in-process demo cluster, when `--demo` was given; kept alive with the session.
    pub demo: Option<DemoCluster>,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("cannot start the demo cluster: {0}")]
    Demo(String),
}

pub async fn open(global: &GlobalArgs) -> Result<Session, SessionError> {
    let target = Target::from_global(global);
    let (connection, demo) = if global.demo {
        let listen = "127.0.0.1:0".parse().expect("static address");
        let options =
            DemoOptions { tick: std::time::Duration::from_millis(1000), ..Default::default() };
        let demo = DemoCluster::start(listen, options)
            .await
            .map_err(|e| SessionError::Demo(format!("{e:#}")))?;
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
