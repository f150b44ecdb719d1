//! Container logs (pods/log): which pods a selection means, which of their containers, and one
//! stream of lines each. A read, as `kubectl logs` is a GET: no writer is needed, so read-only
//! sessions may use it.
use futures::{AsyncBufReadExt, Stream, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams};

use okg_domain::types::labels;

/// What the user selected: names (a GameServer's pod has its name), a set, or a label selector.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    pub names: Vec<String>,
    pub set: Option<String>,
    pub selector: Option<String>,
}

/// Which containers of each pod.
#[derive(Clone, Debug, PartialEq)]
pub enum Containers {
    /// The pod's main container: kubectl's default-container annotation, else the first.
    Main,
    Named(String),
    All,
}

/// One container's log to read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LogStream {
    pub namespace: String,
    pub pod: String,
    pub container: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    pub follow: bool,
    pub previous: bool,
    pub timestamps: bool,
    pub tail: Option<i64>,
    pub since_seconds: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error("no pod or GameServer named {0} in namespace {1}")]
    NoSuchPod(String, String),
    #[error("no pods match {0}")]
    Empty(String),
    #[error("pod {pod} has no container \"{asked}\"; its containers: {}", .have.join(", "))]
    NoSuchContainer { pod: String, asked: String, have: Vec<String> },
    #[error(transparent)]
    Api(#[from] kube::Error),
}

const DEFAULT_CONTAINER: &str = "kubectl.kubernetes.io/default-container";

/// The containers of `pod` to read, or why not: an unknown name is refused with the ones that
/// exist.
pub fn containers_of(pod: &Pod, which: &Containers) -> Result<Vec<String>, SelectError> {
    let names: Vec<String> = pod
        .spec
        .as_ref()
        .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    match which {
        Containers::All => Ok(names),
        Containers::Named(c) if names.contains(c) => Ok(vec![c.clone()]),
        Containers::Named(c) => {
            Err(SelectError::NoSuchContainer { pod: pod_name, asked: c.clone(), have: names })
        }
        Containers::Main => {
            let annotated = pod
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(DEFAULT_CONTAINER))
                .filter(|c| names.contains(c));
            Ok(annotated.or(names.first()).into_iter().cloned().collect())
        }
    }
}

/// The pods a selection names, in name order; a name that is not there is refused.
pub async fn pods(
    client: &kube::Client,
    namespace: &str,
    sel: &Selection,
) -> Result<Vec<Pod>, SelectError> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let mut out = Vec::new();
    for name in &sel.names {
        match api.get_opt(name).await? {
            Some(p) => out.push(p),
            None => return Err(SelectError::NoSuchPod(name.clone(), namespace.to_string())),
        }
    }
    let mut labels_wanted: Vec<String> = Vec::new();
    if let Some(set) = &sel.set {
        labels_wanted.push(format!("{}={set}", labels::OWNER_GSS));
    }
    if let Some(s) = &sel.selector {
        labels_wanted.push(s.clone());
    }
    if !labels_wanted.is_empty() {
        let joined = labels_wanted.join(",");
        let listed = api.list(&ListParams::default().labels(&joined)).await?;
        if listed.items.is_empty() {
            return Err(SelectError::Empty(joined));
        }
        out.extend(listed.items);
    }
    out.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    out.dedup_by(|a, b| a.metadata.name == b.metadata.name);
    Ok(out)
}

/// Every (pod, container) stream of a selection, checked before any is opened.
pub fn streams(
    namespace: &str,
    pods: &[Pod],
    which: &Containers,
) -> Result<Vec<LogStream>, SelectError> {
    let mut out = Vec::new();
    for p in pods {
        let pod = p.metadata.name.clone().unwrap_or_default();
        for container in containers_of(p, which)? {
            out.push(LogStream { namespace: namespace.to_string(), pod: pod.clone(), container });
        }
    }
    Ok(out)
}

/// The lines of one container's log, without their newline. The stream ends when the server
/// ends it (without `follow`, at once; with it, when the container stops).
pub async fn lines(
    client: &kube::Client,
    s: &LogStream,
    o: &Options,
) -> kube::Result<impl Stream<Item = std::io::Result<String>> + use<>> {
    let api: Api<Pod> = Api::namespaced(client.clone(), &s.namespace);
    let lp = LogParams {
        container: Some(s.container.clone()),
        follow: o.follow,
        previous: o.previous,
        timestamps: o.timestamps,
        tail_lines: o.tail,
        since_seconds: o.since_seconds,
        ..Default::default()
    };
    let reader = api.log_stream(&s.pod, &lp).await?;
    Ok(reader.lines().into_stream().map_ok(|l| l.trim_end_matches('\r').to_string()))
}

/// `kubectl logs --prefix`: `[pod/NAME/CONTAINER] `.
pub fn prefix(s: &LogStream) -> String {
    format!("[pod/{}/{}] ", s.pod, s.container)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(annot: Option<&str>) -> Pod {
        let mut v = serde_json::json!({
            "metadata": {"name": "gss-0"},
            "spec": {"containers": [{"name": "app"}, {"name": "sidecar"}]}
        });
        if let Some(a) = annot {
            v["metadata"]["annotations"] = serde_json::json!({DEFAULT_CONTAINER: a});
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn containers_default_named_all_and_unknown() {
        assert_eq!(containers_of(&pod(None), &Containers::Main).unwrap(), ["app"]);
        assert_eq!(containers_of(&pod(Some("sidecar")), &Containers::Main).unwrap(), ["sidecar"]);
        assert_eq!(containers_of(&pod(Some("gone")), &Containers::Main).unwrap(), ["app"]);
        assert_eq!(containers_of(&pod(None), &Containers::All).unwrap(), ["app", "sidecar"]);
        let e = containers_of(&pod(None), &Containers::Named("nope".into())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "pod gss-0 has no container \"nope\"; its containers: app, sidecar"
        );
        let s = streams("default", &[pod(None)], &Containers::All).unwrap();
        assert_eq!(prefix(&s[1]), "[pod/gss-0/sidecar] ");
    }
}
