//! What the user may do, asked of the API server (SelfSubjectAccessReview), and who the user is
//! (SelfSubjectReview). Asking is not a mutation: these are "create" verbs on review resources
//! that store nothing.
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};
use okg_domain::send_rules::Denial;

/// An API verb on a resource that the console needs (patch gameservers, create pods/exec, …), as
/// a SelfSubjectAccessReview asks it. Not a key action: those are `tui::app::keymap::Action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApiAction {
    PatchGameServerSets,
    PatchGameServers,
    /// Putting a pod back on its template's image after its override is cleared.
    PatchPods,
    ExecPods,
    ProxyPods,
}

impl ApiAction {
    pub const ALL: [ApiAction; 5] = [
        ApiAction::PatchGameServerSets,
        ApiAction::PatchGameServers,
        ApiAction::PatchPods,
        ApiAction::ExecPods,
        ApiAction::ProxyPods,
    ];

    fn attributes(self, namespace: Option<&str>) -> ResourceAttributes {
        let (group, resource, subresource, verb) = match self {
            ApiAction::PatchGameServerSets => ("game.kruise.io", "gameserversets", None, "patch"),
            ApiAction::PatchGameServers => ("game.kruise.io", "gameservers", None, "patch"),
            ApiAction::PatchPods => ("", "pods", None, "patch"),
            ApiAction::ExecPods => ("", "pods", Some("exec"), "create"),
            ApiAction::ProxyPods => ("", "pods", Some("proxy"), "get"),
        };
        ResourceAttributes {
            group: Some(group.into()),
            resource: Some(resource.into()),
            subresource: subresource.map(Into::into),
            verb: Some(verb.into()),
            namespace: namespace.map(Into::into),
            ..Default::default()
        }
    }

    /// The kubectl-style phrase, for messages ("patch gameserversets").
    pub fn describe(self) -> &'static str {
        match self {
            ApiAction::PatchGameServerSets => "patch gameserversets",
            ApiAction::PatchGameServers => "patch gameservers",
            ApiAction::PatchPods => "patch pods",
            ApiAction::ExecPods => "create pods/exec",
            ApiAction::ProxyPods => "get pods/proxy",
        }
    }
}

/// The answer for each action. `Unknown` when the review itself failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Permission {
    Allowed,
    Denied(String),
    Unknown(String),
}

impl Permission {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Permission::Allowed)
    }
}

/// The denied answers, in order and in words, as the send rules read them. `Unknown` is not a
/// denial: the API server enforces RBAC anyway.
pub fn denials(answers: &[(ApiAction, Permission)]) -> Vec<Denial> {
    answers
        .iter()
        .filter_map(|(a, p)| match p {
            Permission::Denied(why) => {
                Some(Denial { action: a.describe().to_string(), reason: why.clone() })
            }
            _ => None,
        })
        .collect()
}

#[derive(Clone, Debug, Default)]
pub struct Capabilities {
    pub answers: Vec<(ApiAction, Permission)>,
}

impl Capabilities {
    pub fn get(&self, action: ApiAction) -> Permission {
        self.answers
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, p)| p.clone())
            .unwrap_or(Permission::Unknown("not asked yet".into()))
    }
    /// Everything allowed; for tests and for the demo before the answers arrive.
    pub fn all_allowed() -> Self {
        Self { answers: ApiAction::ALL.iter().map(|a| (*a, Permission::Allowed)).collect() }
    }
}

/// Ask the API server about one action.
pub async fn can_i(
    client: &kube::Client,
    action: ApiAction,
    namespace: Option<&str>,
) -> Permission {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(action.attributes(namespace)),
            ..Default::default()
        },
        ..Default::default()
    };
    match api.create(&PostParams::default(), &review).await {
        Ok(r) => match r.status {
            Some(s) if s.allowed => Permission::Allowed,
            Some(s) => Permission::Denied(
                s.reason
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| format!("RBAC does not allow {}", action.describe())),
            ),
            None => Permission::Unknown("the review came back without a status".into()),
        },
        Err(e) => Permission::Unknown(super::client::describe(&e)),
    }
}

/// Ask about every action the console offers.
pub async fn probe(client: &kube::Client, namespace: Option<&str>) -> Capabilities {
    let answers = futures::future::join_all(
        ApiAction::ALL.iter().map(|a| async move { (*a, can_i(client, *a, namespace).await) }),
    )
    .await;
    Capabilities { answers }
}

/// The user name as the API server sees it; "unknown" when the server cannot say.
pub async fn who_am_i(client: &kube::Client) -> String {
    let api: Api<SelfSubjectReview> = Api::all(client.clone());
    match api.create(&PostParams::default(), &SelfSubjectReview::default()).await {
        Ok(r) => r
            .status
            .and_then(|s| s.user_info)
            .and_then(|u| u.username)
            .unwrap_or_else(|| "unknown".into()),
        Err(e) => format!("unknown ({})", super::client::describe(&e)),
    }
}
