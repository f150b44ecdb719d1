//! GameServerSet and GameServer of `game.kruise.io/v1alpha1`, with the fields the console reads
//! or writes (see docs/okg.md). Fields we do not model are dropped when deserialising, so the
//! console never writes a whole object back: every write is a JSON Patch naming only the paths
//! it changes.

use k8s_openapi::api::core::v1::{PodStatus, PodTemplateSpec, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub const GROUP: &str = "game.kruise.io";
pub const VERSION: &str = "v1alpha1";
pub const API_VERSION: &str = "game.kruise.io/v1alpha1";

/// Labels and annotations OKG and OpenKruise put on pods and GameServers.
pub mod labels {
    pub const OWNER_GSS: &str = "game.kruise.io/owner-gss";
    pub const GS_STATE: &str = "game.kruise.io/gs-state";
    pub const GS_OPS_STATE: &str = "game.kruise.io/gs-opsState";
    pub const GS_UPDATE_PRIORITY: &str = "game.kruise.io/gs-update-priority";
    pub const GS_DELETE_PRIORITY: &str = "game.kruise.io/gs-delete-priority";
    pub const GS_NETWORK_DISABLED: &str = "game.kruise.io/network-disabled";
    pub const REVISION_HASH: &str = "controller-revision-hash";
    pub const POD_NAME: &str = "statefulset.kubernetes.io/pod-name";
    pub const LIFECYCLE_STATE: &str = "lifecycle.apps.kruise.io/state";
}

pub mod annotations {
    /// JSON: revision, updateTimestamp, lastContainerStatuses {container: {imageID}}, ...
    pub const INPLACE_UPDATE_STATE: &str = "apps.kruise.io/inplace-update-state";
    /// Comma-separated names of the containers being updated (newer OKG).
    pub const GS_UPDATING_CONTAINERS: &str = "game.kruise.io/gs-updating-containers";
    /// okg-console's own: the default reload for a set (see docs/reload.md).
    pub const RELOAD: &str = "okg-console.io/reload";
    /// Demo cluster only: makes a pod's simulated reload fail (exec exit 1, HTTP 500).
    pub const DEMO_FAIL_RELOAD: &str = "demo.okg-console.io/fail-reload";
}

#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
#[kube(
    group = "game.kruise.io",
    version = "v1alpha1",
    kind = "GameServerSet",
    plural = "gameserversets",
    shortname = "gss",
    namespaced,
    status = "GameServerSetStatus",
    printcolumn = r#"{"name":"DESIRED","type":"integer","jsonPath":".spec.replicas"}"#,
    printcolumn = r#"{"name":"CURRENT","type":"integer","jsonPath":".status.currentReplicas"}"#,
    printcolumn = r#"{"name":"UPDATED","type":"integer","jsonPath":".status.updatedReplicas"}"#,
    printcolumn = r#"{"name":"READY","type":"integer","jsonPath":".status.readyReplicas"}"#,
    printcolumn = r#"{"name":"Maintaining","type":"integer","jsonPath":".status.maintainingReplicas"}"#,
    printcolumn = r#"{"name":"WaitToBeDeleted","type":"integer","jsonPath":".status.waitToBeDeletedReplicas"}"#,
    printcolumn = r#"{"name":"PreDelete","type":"integer","jsonPath":".status.preDeleteReplicas"}"#,
    printcolumn = r#"{"name":"AGE","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct GameServerSetSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    pub game_server_template: GameServerTemplate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_strategy: Option<UpdateStrategy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserve_game_server_ids: Vec<IntOrString>,
    /// Hooks OpenKruise holds pods on before and after an in-place update and before a delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<crate::lifecycle::Lifecycle>,
    /// Only its `networkConf` names are read: `AllowNotReadyContainers` adds a hook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<crate::lifecycle::Network>,
    /// Probes whose actions kruise-game applies to the GameServers (`serviceQualities[]`:
    /// `name`, `containerName`, `permanent`, `serviceQualityAction[]`); read as JSON by
    /// [`crate::service_quality`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "object_list_schema")]
    pub service_qualities: Vec<serde_json::Value>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GameServerTemplate {
    #[serde(flatten)]
    pub pod_template: PodTemplateSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclaim_policy: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStrategy {
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_update: Option<RollingUpdate>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RollingUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_update_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_place_update_strategy: Option<InPlaceUpdateStrategy>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InPlaceUpdateStrategy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<i32>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GameServerSetStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(default)]
    pub replicas: i32,
    #[serde(default)]
    pub ready_replicas: i32,
    #[serde(default)]
    pub available_replicas: i32,
    #[serde(default)]
    pub current_replicas: i32,
    #[serde(default)]
    pub updated_replicas: i32,
    #[serde(default)]
    pub updated_ready_replicas: i32,
    #[serde(default)]
    pub maintaining_replicas: i32,
    #[serde(default)]
    pub wait_to_be_deleted_replicas: i32,
    #[serde(default)]
    pub pre_delete_replicas: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
}

/// The pod update policy; `ReCreate` when unset, as in OKG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodUpdatePolicy {
    ReCreate,
    InPlaceIfPossible,
    InPlaceOnly,
}

impl PodUpdatePolicy {
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("InPlaceIfPossible") => Self::InPlaceIfPossible,
            Some("InPlaceOnly") => Self::InPlaceOnly,
            _ => Self::ReCreate,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReCreate => "ReCreate",
            Self::InPlaceIfPossible => "InPlaceIfPossible",
            Self::InPlaceOnly => "InPlaceOnly",
        }
    }
}

impl GameServerSet {
    pub fn rolling_update(&self) -> Option<&RollingUpdate> {
        self.spec.update_strategy.as_ref()?.rolling_update.as_ref()
    }
    pub fn pod_update_policy(&self) -> PodUpdatePolicy {
        PodUpdatePolicy::parse(self.rolling_update().and_then(|r| r.pod_update_policy.as_deref()))
    }
    pub fn partition(&self) -> i32 {
        self.rolling_update().and_then(|r| r.partition).unwrap_or(0)
    }
    pub fn paused(&self) -> bool {
        self.rolling_update().and_then(|r| r.paused).unwrap_or(false)
    }
    pub fn replicas(&self) -> i32 {
        self.spec.replicas.unwrap_or(1)
    }
    /// `rollingUpdate.minReadySeconds`, 0 when unset.
    pub fn min_ready_seconds(&self) -> i32 {
        self.rolling_update().and_then(|r| r.min_ready_seconds).unwrap_or(0)
    }
    /// (container name, image) of the template, in order.
    pub fn template_images(&self) -> Vec<(String, String)> {
        self.spec
            .game_server_template
            .pod_template
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
            .collect()
    }
}

#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
#[kube(
    group = "game.kruise.io",
    version = "v1alpha1",
    kind = "GameServer",
    plural = "gameservers",
    shortname = "gs",
    namespaced,
    status = "GameServerStatus",
    printcolumn = r#"{"name":"STATE","type":"string","jsonPath":".status.currentState"}"#,
    printcolumn = r#"{"name":"OPSSTATE","type":"string","jsonPath":".spec.opsState"}"#,
    printcolumn = r#"{"name":"DP","type":"string","jsonPath":".status.deletionPriority"}"#,
    printcolumn = r#"{"name":"UP","type":"string","jsonPath":".status.updatePriority"}"#,
    printcolumn = r#"{"name":"AGE","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct GameServerSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ops_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_priority: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_priority: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_disabled: Option<bool>,
    /// Per-GameServer container override (OKG >= 0.7): the controller patches the pod's image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<GameServerContainer>>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GameServerContainer {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GameServerStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_priority: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_priority: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_status: Option<NetworkStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_status: Option<PodStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>,
    /// What each service-quality probe last said (`name`, `status`, `result`, times).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "object_list_schema")]
    pub service_qualities_conditions: Vec<serde_json::Value>,
    /// kruise-game's GameServer conditions (`type`, `status`, `reason`, `message`, times).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "object_list_schema")]
    pub conditions: Vec<serde_json::Value>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_network_state: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "object_list_schema")]
    pub internal_addresses: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "object_list_schema")]
    pub external_addresses: Vec<serde_json::Value>,
}

/// A list of free-form objects. A real kube-apiserver refuses a CRD whose array items have no
/// `type` (not a structural schema), so say "object" and keep the unknown fields.
fn object_list_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
    })
}

/// An int-or-string priority read as a number; strings that are not numbers count as 0.
pub fn priority_value(p: Option<&IntOrString>) -> i64 {
    match p {
        Some(IntOrString::Int(i)) => *i as i64,
        Some(IntOrString::String(s)) => s.trim().parse().unwrap_or(0),
        None => 0,
    }
}

impl GameServer {
    pub fn current_state(&self) -> &str {
        self.status.as_ref().and_then(|s| s.current_state.as_deref()).unwrap_or("Unknown")
    }
    pub fn ops_state(&self) -> &str {
        self.spec.ops_state.as_deref().unwrap_or("None")
    }
    /// Update priority as OKG reports it (status, read back from the pod label), else the spec.
    pub fn update_priority(&self) -> i64 {
        let st = self.status.as_ref().and_then(|s| s.update_priority.as_ref());
        priority_value(st.or(self.spec.update_priority.as_ref()))
    }
    pub fn deletion_priority(&self) -> i64 {
        let st = self.status.as_ref().and_then(|s| s.deletion_priority.as_ref());
        priority_value(st.or(self.spec.deletion_priority.as_ref()))
    }
    pub fn owner_set(&self) -> Option<&str> {
        self.metadata.labels.as_ref()?.get(labels::OWNER_GSS).map(String::as_str)
    }
}
