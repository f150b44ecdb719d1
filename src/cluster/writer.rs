//! The one write path. Every mutating request the console can send goes through a `Writer`.
//! In read-only mode no `Writer` is ever built (callers hold `Option<Writer>` = `None`), so no
//! view, key or command can reach a mutating call.
use kube::api::{Api, Patch, PatchParams};
use serde::de::DeserializeOwned;

use k8s_openapi::api::core::v1::Pod;
use okg_domain::types::{GameServer, GameServerSet};

#[derive(Clone)]
pub struct Writer {
    client: kube::Client,
    /// For exec and pods/proxy: a client without kube-rs's retry layer when one was given
    /// (`with_call_client`), so a reload answered 503 by the app is not sent again behind our back.
    calls: kube::Client,
}

impl Writer {
    /// Only `main` (and tests) build a writer, and only when not read-only.
    pub fn new(client: kube::Client) -> Self {
        Self { calls: client.clone(), client }
    }

    /// Use `calls` (a client built with `Config::default_retry = false`, see
    /// `Connection::call_client`) for exec and pods/proxy.
    pub fn with_call_client(mut self, calls: kube::Client) -> Self {
        self.calls = calls;
        self
    }

    /// The client the writer patches with, for the reads a write needs (re-reading an object
    /// after a refused patch).
    pub(crate) fn client(&self) -> &kube::Client {
        &self.client
    }

    /// The client for exec sessions and pods/proxy calls (the write path's non-patch requests).
    pub(crate) fn call_client(&self) -> &kube::Client {
        &self.calls
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

    /// JSON Patch a pod: only a container's image, back to the template's after its GameServer
    /// override was cleared (kruise-game does not do it).
    pub async fn patch_pod(
        &self,
        namespace: &str,
        name: &str,
        patch: json_patch::Patch,
    ) -> kube::Result<Pod> {
        self.json_patch(namespace, name, patch).await
    }
}
