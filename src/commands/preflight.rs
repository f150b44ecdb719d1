//! Checks a command makes on what the user typed, and on the cluster's answers, before it sends
//! anything: a mistake is named here instead of coming back as a server error (or as nothing).
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::Api;
use okg_domain::label_selector::LabelSelector;

/// `-l` parsed as the API server would, so a typo gets a pointed message instead of a 400.
pub fn selector(s: &str) -> Result<(), String> {
    LabelSelector::parse(s).map(|_| ()).map_err(|why| {
        format!(
            "-l {s:?} is not a label selector: {why}. Write requirements separated by commas: \
             key=value, key!=value, key in (a,b), key notin (a,b), key, !key"
        )
    })
}

/// Empty names select nothing the user meant (kube-rs would send `GET .../gameserversets/`).
pub fn names<'a>(what: &str, names: impl IntoIterator<Item = &'a String>) -> Result<(), String> {
    if names.into_iter().any(|n| n.trim().is_empty()) {
        return Err(format!("{what} must not be empty: give the name of one"));
    }
    Ok(())
}

/// `Some(message)` when `namespace` does not exist. A namespace that cannot be read (403: many
/// users may not get namespaces) is taken to exist: the server is the judge then.
pub async fn missing_namespace(client: &kube::Client, namespace: &str) -> Option<String> {
    let api: Api<Namespace> = Api::all(client.clone());
    match api.get(namespace).await {
        Err(kube::Error::Api(s)) if s.code == 404 => Some(format!(
            "namespace {namespace:?} does not exist (`kubectl get namespaces` lists them; \
             -n NAMESPACE chooses one)"
        )),
        _ => None,
    }
}

/// The pods that have no container named `container`, and the names they do have.
pub fn unknown_container(pods: &[&Pod], container: &str) -> Option<String> {
    let names = |p: &Pod| -> Vec<String> {
        p.spec.iter().flat_map(|s| s.containers.iter().map(|c| c.name.clone())).collect()
    };
    let missing: Vec<&Pod> =
        pods.iter().copied().filter(|p| !names(p).iter().any(|n| n == container)).collect();
    let first = missing.first()?;
    let mut known = names(first);
    known.sort();
    Some(format!(
        "pod {} has no container {container:?}{}; its containers are: {}",
        first.metadata.name.as_deref().unwrap_or("?"),
        match missing.len() {
            1 => String::new(),
            n => format!(" (nor do {} other pods)", n - 1),
        },
        known.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_selector_is_named_with_the_forms_that_work() {
        assert!(selector("app=2048,tier in (a,b)").is_ok());
        let e = selector("app in (a").unwrap_err();
        assert!(e.contains("\"app in (a\"") && e.contains("key in (a,b)"), "{e}");
    }

    #[test]
    fn empty_names_are_refused() {
        assert!(names("the GameServerSet", &["a".to_string()]).is_ok());
        let e = names("the GameServerSet", &["a".to_string(), " ".to_string()]).unwrap_err();
        assert!(e.contains("the GameServerSet must not be empty"), "{e}");
    }

    #[test]
    fn an_unknown_container_names_the_ones_that_exist() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "gss-0"},
            "spec": {"containers": [{"name": "sidecar"}, {"name": "app"}]}
        }))
        .unwrap();
        assert_eq!(unknown_container(&[&pod], "app"), None);
        let e = unknown_container(&[&pod, &pod], "nosuch").unwrap();
        assert!(e.contains("gss-0 has no container \"nosuch\" (nor do 1 other pods)"), "{e}");
        assert!(e.ends_with("app, sidecar"), "{e}");
    }
}
