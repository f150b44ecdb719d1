//! The one write path. Every mutating request the console can send goes through a `Writer`.
//! In read-only mode no `Writer` is ever built (callers hold `Option<Writer>` = `None`), so no
//! view, key or command can reach a mutating call.
use kube::api::{Api, Patch, PatchParams};
use serde::de::DeserializeOwned;

use crate::okg::types::{GameServer, GameServerSet};

#[derive(Clone)]
pub struct Writer {
    client: kube::Client,
}

impl Writer {
    /// Only `main` (and tests) build a writer, and only when not read-only.
    pub fn new(client: kube::Client) -> Self {
        Self { client }
    }

    /// The client, for modules of the write path (exec, proxy) that need it.
    pub(crate) fn client(&self) -> &kube::Client {
        &self.client
    }

    async fn json_patch<K>(
        &self,
        namespace: &str,
        name: &str,
        patch: json_patch::Patch,
    ) -> kube::Result<K>
    where
        K: kube::Resource<Scope = kube::core::NamespaceResourceScope>
            + Clone
            + DeserializeOwned
            + std::fmt::Debug,
        K::DynamicType: Default,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), namespace);
        api.patch(name, &PatchParams::default(), &Patch::<()>::Json(patch)).await
    }

    /// JSON Patch a GameServerSet (never strategic merge: custom resources refuse it).
    pub async fn patch_game_server_set(
        &self,
        namespace: &str,
        name: &str,
        patch: json_patch::Patch,
    ) -> kube::Result<GameServerSet> {
        self.json_patch(namespace, name, patch).await
    }

    /// JSON Patch a GameServer.
    pub async fn patch_game_server(
        &self,
        namespace: &str,
        name: &str,
        patch: json_patch::Patch,
    ) -> kube::Result<GameServer> {
        self.json_patch(namespace, name, patch).await
    }
}
