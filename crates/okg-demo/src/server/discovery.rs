//! Discovery documents: what kubectl and kube-rs read to map kinds and short names to paths.
//! Answered in the legacy (non-aggregated) form; clients that ask for aggregated discovery fall
//! back to it when the response is plain `application/json`.
use serde_json::{Value, json};

use super::routes::GROUP_VERSIONS;
use crate::store::Resource;

const VERBS: &[&str] = &["create", "delete", "get", "list", "patch", "update", "watch"];

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0-okg-demo",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.0",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]
    })
}

pub fn groups() -> Value {
    let groups: Vec<Value> = GROUP_VERSIONS
        .iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, v)| {
            let gv = json!({"groupVersion": format!("{g}/{v}"), "version": v});
            json!({"name": g, "versions": [gv.clone()], "preferredVersion": gv})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn resource_entry(r: Resource) -> Value {
    let mut e = json!({
        "name": r.plural(),
        "singularName": r.singular(),
        "namespaced": r.namespaced(),
        "kind": r.kind(),
        "verbs": VERBS,
        "shortNames": r.short_names(),
    });
    // `kubectl get all` lists the namespaced workloads, not events or cluster objects.
    if r != Resource::Events && r.namespaced() {
        e["categories"] = json!(["all"]);
    }
    e
}

fn subresource(r: Resource, name: &str, kind: &str, verbs: &[&str]) -> Value {
    json!({"name": name, "singularName": "", "namespaced": r.namespaced(), "kind": kind, "verbs": verbs})
}

/// The APIResourceList of one served group version.
pub fn group_version(group: &str, version: &str) -> Value {
    let mut resources = Vec::new();
    for r in Resource::ALL.into_iter().filter(|r| r.group() == group && r.version() == version) {
        resources.push(resource_entry(r));
        if r.has_status() {
            resources.push(subresource(
                r,
                &format!("{}/status", r.plural()),
                r.kind(),
                &["get", "patch", "update"],
            ));
        }
        if r == Resource::Pods {
            resources.push(subresource(r, "pods/exec", "PodExecOptions", &["create", "get"]));
            resources.push(subresource(
                r,
                "pods/proxy",
                "PodProxyOptions",
                &["create", "delete", "get", "patch", "update"],
            ));
        }
    }
    match group {
        "" => resources.push(json!({
            "name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace",
            "verbs": ["get", "list"], "shortNames": ["ns"]
        })),
        "authorization.k8s.io" => resources.push(json!({
            "name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview",
            "namespaced": false, "kind": "SelfSubjectAccessReview", "verbs": ["create"]
        })),
        "authentication.k8s.io" => resources.push(json!({
            "name": "selfsubjectreviews", "singularName": "selfsubjectreview",
            "namespaced": false, "kind": "SelfSubjectReview", "verbs": ["create"]
        })),
        _ => {}
    }
    let gv = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources})
}
