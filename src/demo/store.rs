//! The demo API server's object store: JSON objects by resource, namespace and name, with
//! resourceVersions and watch fan-out.
#[derive(Clone, Default)]
pub struct Store {}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }
    /// Insert an object as part of the initial contents (assigns uid, resourceVersion, ...).
    pub fn insert_initial(&self, obj: serde_json::Value) -> anyhow::Result<()> {
        let _ = obj;
        Ok(())
    }
}
