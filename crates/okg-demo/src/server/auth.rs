//! Who is asking (bearer tokens) and what they may do: the demo's whole RBAC in one place,
//! used both to guard requests and to answer SelfSubjectAccessReviews.
use axum::http::HeaderMap;

use crate::{ADMIN_TOKEN, CONTROLLER_TOKEN, VIEWER_TOKEN};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identity {
    Admin,
    Viewer,
    Controller,
}

impl Identity {
    pub fn from_headers(headers: &HeaderMap) -> Option<Identity> {
        let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
        let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?.trim();
        match token {
            ADMIN_TOKEN => Some(Identity::Admin),
            VIEWER_TOKEN => Some(Identity::Viewer),
            CONTROLLER_TOKEN => Some(Identity::Controller),
            _ => None,
        }
    }

    pub fn username(self) -> &'static str {
        match self {
            Identity::Admin => "demo-admin",
            Identity::Viewer => "demo-viewer",
            Identity::Controller => "system:serviceaccount:kruise-system:okg-demo-controller",
        }
    }

    pub fn groups(self) -> Vec<&'static str> {
        match self {
            Identity::Controller => {
                vec![
                    "system:serviceaccounts",
                    "system:serviceaccounts:kruise-system",
                    "system:authenticated",
                ]
            }
            _ => vec!["system:authenticated"],
        }
    }

    /// The viewer has the built-in `view` role: reads, but no exec, attach or proxy into pods.
    pub fn allowed(self, verb: &str, subresource: &str) -> bool {
        match self {
            Identity::Admin | Identity::Controller => true,
            Identity::Viewer => {
                matches!(verb, "get" | "list" | "watch")
                    && !matches!(subresource, "exec" | "attach" | "proxy" | "portforward")
            }
        }
    }
}

/// What a request asks to do, in RBAC terms.
#[derive(Clone, Debug, Default)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
}

impl Attributes {
    /// The API server's Forbidden message for these attributes.
    pub fn forbidden_message(&self, who: Identity) -> String {
        let qualified = if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        };
        let subject =
            if self.name.is_empty() { qualified } else { format!("{qualified} \"{}\"", self.name) };
        let resource = if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        };
        let scope = if self.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{}\"", self.namespace)
        };
        format!(
            "{subject} is forbidden: User \"{}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
            who.username(),
            self.verb,
            self.group
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_message_matches_the_api_server() {
        let a = Attributes {
            verb: "patch".into(),
            group: "game.kruise.io".into(),
            resource: "gameserversets".into(),
            namespace: "default".into(),
            name: "gss-2048".into(),
            ..Default::default()
        };
        assert_eq!(
            a.forbidden_message(Identity::Viewer),
            "gameserversets.game.kruise.io \"gss-2048\" is forbidden: User \"demo-viewer\" cannot patch \
             resource \"gameserversets\" in API group \"game.kruise.io\" in the namespace \"default\""
        );
        assert!(Identity::Viewer.allowed("list", ""));
        assert!(!Identity::Viewer.allowed("get", "proxy"));
        assert!(!Identity::Viewer.allowed("create", "exec"));
        assert!(Identity::Admin.allowed("create", "exec"));
    }
}
