//! Reading the Advanced StatefulSet OKG drives for a set (a read, so read-only sessions do it
//! too), for its update revision: OpenKruise counts a pod updated by its
//! `controller-revision-hash` against `status.updateRevision`, not by its image.
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};

use crate::cluster::client::describe;
use okg_domain::asts::Revisions;
use okg_domain::bump_plan::{Plan, Scope};

/// The Advanced StatefulSet as read, or why it could not be (no RBAC to get
/// `statefulsets.apps.kruise.io`, no such resource): then updated pods are told by image.
#[derive(Clone, Debug, PartialEq)]
pub enum AstsRead {
    Read(Revisions),
    Unreadable(String),
}

impl AstsRead {
    /// The update revision to judge pods by, when it describes the template on `image`.
    pub fn update_revision_for(&self, container: &str, image: &str) -> Option<&str> {
        match self {
            AstsRead::Read(r) => r.update_revision_for(container, image),
            AstsRead::Unreadable(_) => None,
        }
    }

    /// The plan's and the follow's line when the set cannot be read.
    pub fn fallback_note(&self, set: &str) -> Option<String> {
        match self {
            AstsRead::Read(_) => None,
            AstsRead::Unreadable(why) => Some(format!(
                "cannot read the Advanced StatefulSet {set} ({why}): updated pods are told by image, not by controller-revision-hash against its status.updateRevision (a pod a GameServer override pins may be predicted wrong)"
            )),
        }
    }
}

/// A template plan says when the follow will have to tell updated pods by image. Override plans
/// go straight to the pods and do not need it.
pub async fn note_unreadable(client: &kube::Client, plan: &mut Plan) {
    if matches!(plan.scope, Scope::GameServers(_)) {
        return;
    }
    if let Some(note) = read_asts(client, &plan.namespace, &plan.set).await.fallback_note(&plan.set)
    {
        plan.warnings.push(note);
    }
}

/// GET `apps.kruise.io/v1beta1` `statefulsets/<set>`.
pub async fn read_asts(client: &kube::Client, namespace: &str, set: &str) -> AstsRead {
    let gvk = GroupVersionKind::gvk("apps.kruise.io", "v1beta1", "StatefulSet");
    let ar = ApiResource::from_gvk_with_plural(&gvk, "statefulsets");
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &ar);
    match api.get(set).await {
        Ok(obj) => match serde_json::to_value(&obj) {
            Ok(v) => AstsRead::Read(Revisions::from_value(&v)),
            Err(e) => AstsRead::Unreadable(e.to_string()),
        },
        Err(e) => AstsRead::Unreadable(describe(&e)),
    }
}
