//! Request paths of the Kubernetes API, parsed into what they address.
use crate::store::Resource;

#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Version,
    Healthz,
    /// `/api`
    CoreVersions,
    /// `/apis`
    Groups,
    /// `/api/v1` or `/apis/{group}/{version}`: the resources of one group version.
    GroupVersion {
        group: String,
        version: String,
    },
    AccessReview,
    SelfReview,
    Namespaces {
        name: Option<String>,
    },
    Object {
        resource: Resource,
        namespace: Option<String>,
        name: Option<String>,
        sub: Option<String>,
    },
    /// `/api/v1/namespaces/{ns}/pods/{name}/log`
    PodLog {
        namespace: String,
        name: String,
    },
    /// `/api/v1/namespaces/{ns}/pods/{name}[:port]/proxy/{path}`
    PodProxy {
        namespace: String,
        name: String,
        port: Option<String>,
        path: String,
    },
    /// A path that names an unknown resource, or no API path at all.
    Unknown {
        group: String,
        resource: String,
    },
}

/// Served group versions: (group, version); "" is the core group.
pub const GROUP_VERSIONS: &[(&str, &str)] = &[
    ("", "v1"),
    ("game.kruise.io", "v1alpha1"),
    ("apps.kruise.io", "v1beta1"),
    ("apiextensions.k8s.io", "v1"),
    ("authorization.k8s.io", "v1"),
    ("authentication.k8s.io", "v1"),
];

fn unknown(group: &str, resource: &str) -> Route {
    Route::Unknown { group: group.to_string(), resource: resource.to_string() }
}

pub fn parse(path: &str) -> Route {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["version"] => Route::Version,
        ["healthz" | "livez" | "readyz"] => Route::Healthz,
        ["api"] => Route::CoreVersions,
        ["apis"] => Route::Groups,
        ["api", "v1"] => Route::GroupVersion { group: String::new(), version: "v1".into() },
        ["apis", g, v] if GROUP_VERSIONS.contains(&(*g, *v)) => {
            Route::GroupVersion { group: g.to_string(), version: v.to_string() }
        }
        ["apis", "authorization.k8s.io", "v1", "selfsubjectaccessreviews"] => Route::AccessReview,
        ["apis", "authentication.k8s.io", "v1", "selfsubjectreviews"] => Route::SelfReview,
        ["api", "v1", "namespaces"] => Route::Namespaces { name: None },
        ["api", "v1", "namespaces", ns] => Route::Namespaces { name: Some(ns.to_string()) },
        ["api", "v1", "namespaces", ns, "pods", target, "proxy", rest @ ..] => {
            let (name, port) = split_proxy_target(target);
            Route::PodProxy {
                namespace: ns.to_string(),
                name,
                port,
                path: format!(
                    "/{}{}",
                    rest.join("/"),
                    if path.ends_with('/') && !rest.is_empty() { "/" } else { "" }
                ),
            }
        }
        ["api", "v1", "namespaces", ns, "pods", name, "log"] => {
            Route::PodLog { namespace: ns.to_string(), name: name.to_string() }
        }
        ["api", "v1", rest @ ..] => object_route("", "v1", rest),
        ["apis", g, v, rest @ ..] => object_route(g, v, rest),
        _ => unknown("", segs.first().copied().unwrap_or("")),
    }
}

/// `name`, `name:port` or `scheme:name:port`.
fn split_proxy_target(target: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = target.split(':').collect();
    match parts.as_slice() {
        [name] => (name.to_string(), None),
        [name, port] => (name.to_string(), Some(port.to_string())),
        [_scheme, name, port, ..] => (name.to_string(), Some(port.to_string())),
        [] => (String::new(), None),
    }
}

fn object_route(group: &str, version: &str, rest: &[&str]) -> Route {
    let (namespace, rest) = match rest {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some(ns.to_string()), rest),
        _ => (None, rest),
    };
    let (plural, name, sub) = match rest {
        [plural] => (*plural, None, None),
        [plural, name] => (*plural, Some(name.to_string()), None),
        [plural, name, sub] => (*plural, Some(name.to_string()), Some(sub.to_string())),
        _ => return unknown(group, rest.first().copied().unwrap_or("")),
    };
    match Resource::lookup(group, version, plural) {
        // A named namespaced object needs its namespace; a cluster-scoped kind has none.
        Some(resource)
            if (resource.namespaced() && (namespace.is_some() || name.is_none()))
                || (!resource.namespaced() && namespace.is_none()) =>
        {
            Route::Object { resource, namespace, name, sub }
        }
        _ => unknown(group, plural),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_paths() {
        assert_eq!(
            parse("/apis/game.kruise.io/v1alpha1/namespaces/default/gameservers/gs-0/status"),
            Route::Object {
                resource: Resource::GameServers,
                namespace: Some("default".into()),
                name: Some("gs-0".into()),
                sub: Some("status".into())
            }
        );
        assert_eq!(
            parse("/api/v1/pods"),
            Route::Object { resource: Resource::Pods, namespace: None, name: None, sub: None }
        );
        assert!(matches!(parse("/api/v1/namespaces/default/secrets"), Route::Unknown { .. }));
        assert!(matches!(parse("/apis/apps/v1/deployments"), Route::Unknown { .. }));
        assert!(matches!(parse("/api/v1/namespaces/default/pods/a/b/c/d"), Route::Unknown { .. }));
        assert!(matches!(parse("/api/v1/pods/gss-0"), Route::Unknown { .. }));
    }

    #[test]
    fn cluster_scoped_paths() {
        assert_eq!(
            parse("/api/v1/nodes/demo-node-1"),
            Route::Object {
                resource: Resource::Nodes,
                namespace: None,
                name: Some("demo-node-1".into()),
                sub: None
            }
        );
        assert_eq!(
            parse("/apis/apiextensions.k8s.io/v1/customresourcedefinitions"),
            Route::Object {
                resource: Resource::CustomResourceDefinitions,
                namespace: None,
                name: None,
                sub: None
            }
        );
        assert!(matches!(parse("/api/v1/namespaces/default/nodes"), Route::Unknown { .. }));
        assert!(matches!(parse("/api/v1/namespaces/default/nodes/n"), Route::Unknown { .. }));
    }

    #[test]
    fn log_path() {
        assert_eq!(
            parse("/api/v1/namespaces/default/pods/gss-0/log"),
            Route::PodLog { namespace: "default".into(), name: "gss-0".into() }
        );
    }

    #[test]
    fn proxy_paths() {
        assert_eq!(
            parse("/api/v1/namespaces/default/pods/gss-0:3000/proxy/reload"),
            Route::PodProxy {
                namespace: "default".into(),
                name: "gss-0".into(),
                port: Some("3000".into()),
                path: "/reload".into()
            }
        );
        assert!(matches!(
            parse("/api/v1/namespaces/default/pods/http:gss-0:3000/proxy/"),
            Route::PodProxy { port: Some(p), path, .. } if p == "3000" && path == "/"
        ));
    }
}
